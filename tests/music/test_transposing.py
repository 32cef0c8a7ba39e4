"""Transposing instruments: read at sounding pitch, written back transposed (a trial's trio of
flute, clarinet in B-flat and horn in F, all in concert C major, was read at written pitch)."""

from __future__ import annotations

import re

import mido
import pytest

from composer_gui.music.engraving import name_notes, parse_note_id
from composer_gui.music.fidelity import losses
from composer_gui.music.midi import read_midi, write_midi
from composer_gui.music.musicxml_writer import musicxml_text
from composer_gui.music.notation import read_notation, write_musicxml
from composer_gui.music.project import dumps, score_from_dict
from composer_gui.music.score import KeySignature, Note, Part, Score
from composer_gui.music.spelling import written_key

pytest.importorskip("music21")

_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<score-partwise version="3.1"><part-list>'
         '{parts}</part-list>{body}</score-partwise>\n')
CLARINET = "<transpose><diatonic>-1</diatonic><chromatic>-2</chromatic></transpose>"
HORN = "<transpose><diatonic>-4</diatonic><chromatic>-7</chromatic></transpose>"
TENOR_SAX = ("<transpose><diatonic>-1</diatonic><chromatic>-2</chromatic>"
             "<octave-change>-1</octave-change></transpose>")


def _note(name: str) -> str:
    """A quarter note from "F#4"."""
    step, alter, octave = name[0], {"#": 1, "b": -1}.get(name[1], 0), name[-1]
    tag = f"<alter>{alter}</alter>" if alter else ""
    return (f"<note><pitch><step>{step}</step>{tag}<octave>{octave}</octave></pitch>"
            "<duration>1</duration><type>quarter</type></note>")


def musicxml(*parts: tuple[str, int, str, str, str]) -> str:
    """A one-bar score of (name, fifths, transpose element, notes "F#4 G4 ...", direction)."""
    heads = "".join(f'<score-part id="P{i}"><part-name>{name}</part-name></score-part>'
                    for i, (name, *_rest) in enumerate(parts, 1))
    body = "".join(
        f'<part id="P{i}"><measure number="1"><attributes><divisions>1</divisions><key><fifths>'
        f"{fifths}</fifths></key><time><beats>4</beats><beat-type>4</beat-type></time><clef>"
        f"<sign>G</sign><line>2</line></clef>{transpose}</attributes>{extra}"
        f"{''.join(_note(n) for n in notes.split())}</measure></part>"
        for i, (_name, fifths, transpose, notes, extra) in enumerate(parts, 1))
    return _HEAD.format(parts=heads, body=body)


TRIO = musicxml(("Flute", 0, "", "C5 D5 E5 F5", ""),
                ("Clarinet in B\u266d", 2, CLARINET, "F#4 G4 A4 B4", ""),
                ("Horn in F", 1, HORN, "G4 F#4 G4 A4", ""))


@pytest.fixture
def trio(tmp_path):
    path = tmp_path / "trio.musicxml"
    path.write_text(TRIO, encoding="utf-8")
    return path


def test_transposing_parts_are_read_at_sounding_pitch_in_one_key(trio):
    warnings: list[str] = []
    score = read_notation(trio, warnings)
    assert [[n.pitch for n in p.notes] for p in score.parts] == [
        [72, 74, 76, 77], [64, 65, 67, 69], [60, 59, 60, 62]]
    assert [[n.spelling for n in p.notes] for p in score.parts][1:] == [
        ["E", "F", "G", "A"], ["C", "B", "C", "D"]]
    assert [(k.sharps, k.mode) for k in score.key_signatures] == [(0, "major")]
    assert not any("key signature" in w for w in warnings)  # (was: "different key signatures")
    assert [p.transposition for p in score.parts] == [(0, 0), (-1, -2), (-4, -7)]


def test_musicxml_export_writes_them_back_at_written_pitch_with_their_transpose(trio, tmp_path):
    score = read_notation(trio)
    text = musicxml_text(score)
    parts = re.findall(r"<part id.*?</part>", text, re.S)
    assert re.findall(r"<fifths>(-?\d+)</fifths>", "".join(parts)) == ["0", "2", "1"]
    assert CLARINET in parts[1] and HORN in parts[2] and "<transpose>" not in parts[0]
    steps = [re.findall(r"<step>(\w)</step>(<alter>1</alter>)?", p) for p in parts]
    assert steps[1] == [("F", "<alter>1</alter>"), ("G", ""), ("A", ""), ("B", "")]
    assert "<accidental>" not in text  # (each part's notes lie in its written key)
    out = tmp_path / "back.musicxml"
    write_musicxml(score, out)
    back = read_notation(out)
    assert [(p.notes, p.transposition) for p in back.parts] == \
        [(p.notes, p.transposition) for p in score.parts]
    assert back.key_signatures == score.key_signatures


def test_midi_plays_the_sounding_pitch_and_an_export_says_it_keeps_no_transposition(
        trio, tmp_path):
    score = read_notation(trio)
    out = tmp_path / "trio.mid"
    write_midi(score, out)
    struck = [[m.note for m in t if m.type == "note_on" and m.velocity]
              for t in mido.MidiFile(out).tracks]
    assert [s for s in struck if s] == [[72, 74, 76, 77], [64, 65, 67, 69], [60, 59, 60, 62]]
    said = losses(score, read_midi(out), midi=True)
    assert any("transposition of 'Horn in F'" in s for s in said)


def test_the_project_file_keeps_a_part_transposition(trio):
    score = read_notation(trio)
    text = dumps(score)
    assert '"transposition": [-1, -2],' in text
    import json
    assert score_from_dict(json.loads(text)).parts == score.parts


def test_an_octave_change_is_read_and_written_back(tmp_path):
    path = tmp_path / "sax.musicxml"
    path.write_text(musicxml(("Tenor Saxophone", 2, TENOR_SAX, "F#4 G4 A4 B4", "")),
                    encoding="utf-8")
    score = read_notation(path)
    assert [n.pitch for n in score.notes] == [52, 53, 55, 57]  # (E3: a ninth below)
    assert score.parts[0].transposition == (-8, -14)
    text = musicxml_text(score)
    assert TENOR_SAX in text and "<fifths>2</fifths>" in text
    assert "<step>F</step><alter>1</alter><octave>4</octave>" in text


def test_a_chord_symbol_over_a_transposing_part_is_read_and_written_as_its_notes(tmp_path):
    chord = '<harmony><root><root-step>E</root-step></root><kind text="m">minor</kind></harmony>'
    path = tmp_path / "solo.musicxml"
    path.write_text(musicxml(("Clarinet", 2, CLARINET, "F#4 G4 A4 B4", chord)),
                    encoding="utf-8")
    score = read_notation(path)
    assert [c.text for c in score.chord_symbols] == ["Dm"]  # (concert pitch, as the notes)
    assert "<root-step>E</root-step>" in musicxml_text(score)


def test_a_written_key_beyond_six_sharps_is_its_enharmonic_and_spelled_so():
    clarinet = (-1, -2)
    assert written_key(KeySignature(0, 5), clarinet).sharps == -5  # B major: D-flat, not C#
    assert written_key(KeySignature(0, -3), clarinet).sharps == -1  # E-flat major: F major
    assert written_key(KeySignature(0, 0), (-4, -7)).sharps == 1
    b_major = [Note(i * 480, p, 480, spelling=s) for i, (p, s) in enumerate(
        [(71, "B"), (73, "C#"), (75, "D#"), (76, "E"), (82, "A#")])]
    score = Score(parts=(Part(tuple(b_major), name="Clarinet", transposition=clarinet),),
                  key_signatures=(KeySignature(0, 5),))
    text = musicxml_text(score)
    assert "<fifths>-5</fifths>" in text
    assert re.findall(r"<step>(\w)</step>(?:<alter>(-?\d)</alter>)?", text) == [
        ("D", "-1"), ("E", "-1"), ("F", ""), ("G", "-1"), ("C", "")]


def test_the_score_view_names_a_transposed_note_by_the_pitch_it_sounds(trio):
    xml = name_notes(musicxml_text(read_notation(trio)))
    ids = [parse_note_id(i) for i in re.findall(r'<note id="([^"]+)"', xml)]
    assert [pitch for part, _tick, pitch in ids if part == 1] == [64, 65, 67, 69]
