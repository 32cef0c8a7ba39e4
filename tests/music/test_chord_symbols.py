"""Chord symbols are kept: read by hand (their tones, their text transposed), held by the score
at their ticks, read from MusicXML's <harmony> and ABC's "Am7", written back to both, saved in
the project, moved with the music where an edit moves time, and said to be lost in MIDI."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import replace

import pytest

from composer_gui.music.abc_writer import abc_text
from composer_gui.music.chord_symbols import (
    chord_tones,
    is_chord_text,
    musicxml_kind,
    read_chord,
    symbols_in,
    transpose_text,
)
from composer_gui.music.edits import apply_generated, with_upbeat
from composer_gui.music.fidelity import export
from composer_gui.music.midi import read_midi
from composer_gui.music.musicxml_writer import musicxml_text
from composer_gui.music.notation import read_notation, write_musicxml
from composer_gui.music.project import dumps, score_from_dict
from composer_gui.music.score import TPQ, ChordSymbol, KeySignature, Note, Part, Score

music21 = pytest.importorskip("music21")

C, Db, D, Eb, E, F, Gb, G, Ab, A, Bb, B = range(12)


def tones(text: str) -> tuple[int, set[int], int] | None:
    found = chord_tones(text)
    return None if found is None else (found.root, set(found.pcs), found.bass)


# ----- reading a symbol -------------------------------------------------------------------------
@pytest.mark.parametrize("text, root, above", [
    # the triads, as written and as music21 names MusicXML's kinds
    ("C", C, {0, 4, 7}), ("Cmaj", C, {0, 4, 7}), ("CM", C, {0, 4, 7}),
    ("Cm", C, {0, 3, 7}), ("Cmin", C, {0, 3, 7}), ("C-", C, {0, 3, 7}),
    ("Cdim", C, {0, 3, 6}), ("C°", C, {0, 3, 6}), ("Co", C, {0, 3, 6}),
    ("Caug", C, {0, 4, 8}), ("C+", C, {0, 4, 8}),
    ("Csus2", C, {0, 2, 7}), ("Csus4", C, {0, 5, 7}), ("Csus", C, {0, 5, 7}),
    ("Cpower", C, {0, 7}), ("C5", C, {0, 7}),
    # sevenths
    ("C7", C, {0, 4, 7, 10}), ("Cmaj7", C, {0, 4, 7, 11}), ("CM7", C, {0, 4, 7, 11}),
    ("CΔ", C, {0, 4, 7, 11}), ("CΔ7", C, {0, 4, 7, 11}), ("Cm7", C, {0, 3, 7, 10}),
    ("Cmin7", C, {0, 3, 7, 10}), ("C-7", C, {0, 3, 7, 10}), ("Cm7b5", C, {0, 3, 6, 10}),
    ("Cø", C, {0, 3, 6, 10}), ("Cø7", C, {0, 3, 6, 10}), ("Cdim7", C, {0, 3, 6, 9}),
    ("C°7", C, {0, 3, 6, 9}), ("CmMaj7", C, {0, 3, 7, 11}), ("Cm(maj7)", C, {0, 3, 7, 11}),
    ("C7+", C, {0, 4, 8, 10}), ("C7sus4", C, {0, 5, 7, 10}), ("Cdom7", C, {0, 4, 7, 10}),
    # sixths, extensions, added tones and alterations
    ("C6", C, {0, 4, 7, 9}), ("Cm6", C, {0, 3, 7, 9}), ("C6/9", C, {0, 2, 4, 7, 9}),
    ("C9", C, {0, 2, 4, 7, 10}), ("Cmaj9", C, {0, 2, 4, 7, 11}),
    ("C11", C, {0, 2, 4, 5, 7, 10}), ("C13", C, {0, 2, 4, 7, 9, 10}),
    ("Cadd9", C, {0, 2, 4, 7}), ("Cadd2", C, {0, 2, 4, 7}), ("Cmadd9", C, {0, 2, 3, 7}),
    ("C7b9", C, {0, 1, 4, 7, 10}), ("C7(b9)", C, {0, 1, 4, 7, 10}),
    ("C7(#11)", C, {0, 4, 6, 7, 10}), ("C7#9", C, {0, 3, 4, 7, 10}),
    ("C13b9", C, {0, 1, 4, 7, 9, 10}), ("C7b5", C, {0, 4, 6, 10}),
    ("C7(b9,#11)", C, {0, 1, 4, 6, 7, 10}), ("C7 add b9", C, {0, 1, 4, 7, 10}),
    # roots with accidentals, ASCII and unicode
    ("Bb", Bb, {0, 4, 7}), ("B♭7", Bb, {0, 4, 7, 10}), ("F#m7b5", Gb, {0, 3, 6, 10}),
    ("F♯m", Gb, {0, 3, 7}), ("Ebmaj7", Eb, {0, 4, 7, 11}), ("D7(b9)", D, {0, 1, 4, 7, 10}),
])
def test_a_symbol_names_its_root_and_tones(text, root, above):
    found = chord_tones(text)
    assert found is not None, text
    assert found.root == root and found.bass == root
    assert found.pcs == frozenset((root + i) % 12 for i in above)


def test_a_slash_bass_is_the_bass_and_one_of_the_tones():
    assert tones("G/B") == (G, {G, B, D}, B)
    assert tones("C/Bb") == (C, {C, E, G, Bb}, Bb)
    assert tones("Gm/Bb") == (G, {G, Bb, D}, Bb)
    assert tones("D7/F#") == (D, {D, Gb, A, C}, Gb)
    assert tones("C/B-") == (C, {C, E, G, Bb}, Bb)  # (music21 spells a bass's flat "-")
    assert read_chord("F#m7b5/C").quality == "m7b5"


@pytest.mark.parametrize("text", ["N.C.", "NC", "No Chord", "", "hello", "H7", "am", "CIt+6",
                                  "C7-", "C(b9", "Cmaj7x"])
def test_no_chord_and_what_is_no_chord_symbol_name_no_tones(text):
    assert chord_tones(text) is None
    assert is_chord_text(text) == (text in ("N.C.", "NC", "No Chord"))


def test_a_transposed_symbol_moves_its_root_and_bass_in_flats_or_sharps():
    assert transpose_text("Am7", 2, flats=False) == "Bm7"
    assert transpose_text("G/B", 1, flats=True) == "Ab/C"
    assert transpose_text("G/B", 1, flats=False) == "G#/C"
    assert transpose_text("F#m7b5", -1, flats=True) == "Fm7b5"
    assert transpose_text("C/E", 3, flats=True) == "Eb/G"
    assert transpose_text("B♭7", 2, flats=True) == "C7"
    assert transpose_text("E♭", 2, flats=True) == "F"
    assert transpose_text("D♭maj7", 2, flats=True) == "E♭maj7"  # (its own accidentals)
    assert transpose_text("D7(b9)", 5, flats=True) == "G7(b9)"  # (the quality as written)
    # unchanged: no chord, unreadable text, and octaves (the composer's spelling)
    assert transpose_text("N.C.", 3, flats=True) == "N.C."
    assert transpose_text("hello", 3, flats=True) == "hello"
    assert transpose_text("A#m", 12, flats=True) == "A#m"


def test_symbols_in_a_span_start_with_the_one_in_force():
    chords = (ChordSymbol(0, "C"), ChordSymbol(4 * TPQ, "F"), ChordSymbol(8 * TPQ, "G7"))
    score = Score(chord_symbols=chords)
    assert symbols_in(score, 5 * TPQ, 9 * TPQ) == chords[1:]
    assert symbols_in(chords, 4 * TPQ, 8 * TPQ) == chords[1:2]
    assert symbols_in(score, 0, TPQ) == chords[:1]


def test_a_musicxml_kind_is_the_nearest_with_the_degrees_it_lacks():
    assert musicxml_kind(read_chord("Cm7").intervals) == ("minor-seventh", [])
    assert musicxml_kind(read_chord("Cm7b5").intervals) == ("half-diminished", [])
    assert musicxml_kind(read_chord("C7b9").intervals) == ("dominant", [("add", 9, -1)])
    assert musicxml_kind(read_chord("C6/9").intervals) == ("major-sixth", [("add", 9, 0)])
    assert musicxml_kind(read_chord("C7(no3)").intervals) == ("dominant", [("subtract", 3, 0)])


# ----- the score holds them ----------------------------------------------------------------------
def test_the_score_keeps_them_sorted_one_a_tick():
    score = Score(chord_symbols=[ChordSymbol(TPQ, "G"), ChordSymbol(0, "C"),
                                 ChordSymbol(TPQ, "G7")])
    assert score.chord_symbols == (ChordSymbol(0, "C"), ChordSymbol(TPQ, "G7"))
    assert Score().chord_symbols == ()


def lead_sheet() -> Score:
    """Eight quarters of melody over C | Am7 Dm7 | G7 ... with an upbeat-free 4/4 bar."""
    notes = tuple(Note(i * TPQ, 67 + (i % 3), TPQ) for i in range(8))
    chords = (ChordSymbol(0, "C"), ChordSymbol(4 * TPQ, "Am7"), ChordSymbol(6 * TPQ, "Dm7"),
              ChordSymbol(7 * TPQ, "G7"))
    return Score(parts=(Part(notes, name="Melody"),), chord_symbols=chords)


def test_a_slice_keeps_its_chords_and_opens_with_the_one_in_force():
    score = lead_sheet()
    sliced = score.slice(5 * TPQ, 8 * TPQ)
    assert sliced.chord_symbols == (ChordSymbol(0, "Am7"), ChordSymbol(TPQ, "Dm7"),
                                    ChordSymbol(2 * TPQ, "G7"))
    kept = score.slice(0, 5 * TPQ, shift=False)
    assert kept.chord_symbols == score.chord_symbols[:2]


def test_chords_move_with_the_music_when_an_upbeat_is_set():
    score = lead_sheet()
    upbeat = with_upbeat(score, TPQ)  # the first note an upbeat: the music moves 3 beats on
    assert [c.tick for c in upbeat.chord_symbols] == [3 * TPQ, 7 * TPQ, 9 * TPQ, 10 * TPQ]
    assert with_upbeat(upbeat, 0).chord_symbols == score.chord_symbols


def test_a_continuation_drops_the_chords_past_its_music():
    score = lead_sheet()
    new = [Note(4 * TPQ, 72, TPQ), Note(5 * TPQ, 74, TPQ)]
    kept = apply_generated(score, new, 4 * TPQ)
    assert kept.chord_symbols == score.chord_symbols[:2]  # (Dm7 and G7 lay past its end)


# ----- files --------------------------------------------------------------------------------------
def test_the_project_file_saves_them_and_older_files_load_without(tmp_path):
    score = lead_sheet()
    text = dumps(score)
    assert '[4800,"Am7"]' not in text and '[1920,"Am7"]' in text  # (one a line)
    assert score_from_dict(json.loads(text)).chord_symbols == score.chord_symbols
    older = json.loads(dumps(replace(score, chord_symbols=())))
    assert "chord_symbols" not in older
    assert score_from_dict(older).chord_symbols == ()
    with pytest.raises(ValueError, match="chord symbol"):
        score_from_dict({**older, "chord_symbols": [[0, 7]]})


def test_musicxml_writes_harmony_and_reads_it_back(tmp_path):
    """A <harmony> in the top part at each chord's tick: its root (with alter), its kind with
    the text as written, a slash bass; an <offset> where it falls inside a note; "N.C." is kind
    none. Read back, the symbols are the same."""
    notes = (Note(0, 60, 2 * TPQ), Note(2 * TPQ, 62, 2 * TPQ), Note(4 * TPQ, 64, 4 * TPQ))
    chords = (ChordSymbol(0, "Bb"), ChordSymbol(TPQ, "F#m7b5/C"), ChordSymbol(2 * TPQ, "D7(b9)"),
              ChordSymbol(4 * TPQ, "CΔ7"), ChordSymbol(6 * TPQ, "N.C."))
    score = Score(parts=(Part(notes, name="Melody"), Part((Note(0, 48, 8 * TPQ),), name="Bass")),
                  chord_symbols=chords)
    xml = musicxml_text(score)
    harmonies = re.findall(r"<harmony.*?</harmony>", xml)
    assert len(harmonies) == 5
    assert xml.index("<harmony") < xml.index('<part id="P2">')  # (the top part only)
    assert "<root-step>B</root-step><root-alter>-1</root-alter>" in harmonies[0]
    assert '<kind text="m7b5">half-diminished</kind>' in harmonies[1]
    assert "<bass><bass-step>C</bass-step></bass><offset>480</offset>" in harmonies[1]
    # (the degrees the kind lacks: MuseScore 3 names the chord from them, "7b9")
    assert '<kind text="7(b9)">dominant</kind><degree print-object="no"><degree-value>9' \
        "</degree-value><degree-alter>-1</degree-alter><degree-type>add</degree-type>" \
        "</degree></harmony>" in harmonies[2]
    # (the score view's verovio prints degrees after the text again: it gets none)
    assert "<degree" not in musicxml_text(score, chord_degrees=False)
    assert '<kind text="N.C.">none</kind><offset>960</offset>' in harmonies[4]
    path = tmp_path / "lead.musicxml"
    warnings: list[str] = []
    write_musicxml(score, path, warnings)
    assert warnings == []
    back_warnings: list[str] = []
    back = read_notation(path, back_warnings)
    assert back.chord_symbols == chords and back_warnings == []


def test_a_lead_sheet_keeps_its_chords(tmp_path):
    """The corpus's Foster lead sheet: its <harmony> (kind text "", "7", "m") are kept, at the
    notes they stand over, and nothing is said to be lost."""
    warnings: list[str] = []
    score = read_notation(music21.corpus.getWork("fosterBrownHair"), warnings)
    assert not any("chord" in w for w in warnings)
    texts = [c.text for c in score.chord_symbols]
    assert texts[:6] == ["F", "Bb", "F", "C", "F", "Bb"] and {"G7", "Dm"} <= set(texts)
    onsets = {n.start for n in score.notes}
    assert all(c.tick in onsets for c in score.chord_symbols[:10])
    again = tmp_path / "foster.musicxml"
    write_musicxml(score, again)
    assert read_notation(again).chord_symbols == score.chord_symbols


def test_a_kind_without_text_is_read_by_its_kind(tmp_path):
    """<kind>minor</kind> with no text attribute (music21 writes none, and MusicXML makes it
    optional) is a minor chord: a review's Am, Dm7, G7 and Cmaj7 had been read as major
    triads, and the voices followed A, D, G and C. An empty text on a major kind stays C."""
    m21 = music21
    stream = m21.stream.Stream()
    for figure in ("C", "Am", "Dm7", "G7", "Cmaj7", "Fm"):
        stream.append(m21.harmony.ChordSymbol(figure))
        stream.append(m21.note.Note("C5", quarterLength=4))
    path = tmp_path / "pop.musicxml"
    stream.write("musicxml", fp=str(path))
    xml = path.read_text(encoding="utf-8")
    assert "<kind>minor</kind>" in xml and "text=" not in xml.split("<kind")[2].split(">")[0]
    texts = [c.text for c in read_notation(path).chord_symbols]
    assert texts == ["C", "Am", "Dm7", "G7", "Cmaj7", "Fm"]


def read_abc(tmp_path, body: str, warnings: list[str] | None = None) -> Score:
    path = tmp_path / "tune.abc"
    path.write_text(f"X:1\nT:Tune\nM:4/4\nL:1/8\nK:G\n{body}\n", encoding="utf-8")
    return read_notation(path, warnings)


def test_abc_chord_names_are_kept_as_written(tmp_path):
    """Each "Am7" at the note or rest it stands before, as the tune wrote it (music21 alone
    read "F#m7b5" as F#m7 and "C-7" as Cb7, and dropped "C°"); an annotation ("^text") is
    still left out, and so is quoted text that names no chord (a fingering "4", "D.C.")."""
    warnings: list[str] = []
    score = read_abc(tmp_path, '"G"G2 "Am7"A2 "^hello"B2 "F#m7b5/C"c2 | "C-7"d4 "N.C."z2 "C°"e2 '
                     '| "Bb"f4 "Hello there""4"g4 |]', warnings)
    assert [(c.tick, c.text) for c in score.chord_symbols] == [
        (0, "G"), (TPQ, "Am7"), (3 * TPQ, "F#m7b5/C"), (4 * TPQ, "C-7"), (6 * TPQ, "N.C."),
        (7 * TPQ, "C°"), (8 * TPQ, "Bb")]
    assert [n.pitch for n in score.notes] == [67, 69, 71, 72, 74, 76, 78, 79]
    assert warnings == []
    # music21 keeps one chord a note: the second of two is said to be lost (one before a bar
    # line goes with the note after it)
    warnings = []
    score = read_abc(tmp_path, '"C""D"G4 "4"A4 "E"|"F"B8 |]', warnings)
    assert [(c.tick, c.text) for c in score.chord_symbols] == [(0, "C"), (4 * TPQ, "E")]
    assert warnings == ['2 chord symbols not kept ("D", "F"): not a chord the score can hold, '
                        "or not on a note"]
    # ... and so is text made of a chord's parts that no symbol reads (a Nottingham tune's
    # "D/f+" had vanished without a word), while words are still left out silently
    warnings = []
    score = read_abc(tmp_path, '"Am"A4 "D/f+"B4 | "Fine"c8 |]', warnings)
    assert [c.text for c in score.chord_symbols] == ["Am"]
    assert warnings == ['1 chord symbol not kept ("D/f+"): not a chord the score can hold, '
                        "or not on a note"]


def test_abc_writes_the_chords_and_reads_them_back(tmp_path):
    """"Am7" before the note or rest at its tick in the first voice; a note held across a chord
    is cut there and tied; a triplet's and a slurred note's chords too."""
    notes = (Note(0, 60, 3 * TPQ // 2, marks=("slur-start",)),
             Note(3 * TPQ // 2, 62, TPQ // 2, marks=("slur-stop",)),
             Note(2 * TPQ, 64, TPQ // 3), Note(2 * TPQ + 160, 65, TPQ // 3),
             Note(2 * TPQ + 320, 67, TPQ // 3), Note(3 * TPQ, 69, TPQ),
             Note(4 * TPQ, 72, 4 * TPQ))
    chords = (ChordSymbol(0, "C"), ChordSymbol(3 * TPQ // 2, "Dm7"), ChordSymbol(2 * TPQ, "Em"),
              ChordSymbol(2 * TPQ + 160, "F"), ChordSymbol(3 * TPQ, "G7(b9)"),
              ChordSymbol(6 * TPQ, "Am/E"))
    score = Score(parts=(Part(notes),), chord_symbols=chords,
                  key_signatures=(KeySignature(0, 0),))
    warnings: list[str] = []
    text = abc_text(score, warnings)
    assert '"C"(C3 "Dm7"D) (3"Em"E"F"FG "G7(b9)"A2|c4- "Am/E"c4|]' in text
    assert warnings == []
    path = tmp_path / "back.abc"
    path.write_text(text, encoding="utf-8")
    back = read_notation(path)
    assert back.chord_symbols == chords
    assert [(n.start, n.pitch, n.duration) for n in back.notes] == [
        (n.start, n.pitch, n.duration) for n in notes]


def test_abc_puts_a_chord_inside_a_triplet_at_the_next_onset_and_says_so():
    notes = (Note(0, 60, 160), Note(160, 62, 160), Note(320, 64, 160), Note(TPQ, 65, 3 * TPQ))
    score = Score(parts=(Part(notes),), chord_symbols=(ChordSymbol(240, "G"),))
    warnings: list[str] = []
    text = abc_text(score, warnings)
    assert '(3CD"G"E F2- F4' in text  # (F tied at the middle of the bar: MIDDLE_SHOWN)
    assert warnings == ["1 chord symbol written at the next note or rest (ABC puts a chord "
                        "symbol on one)"]


def test_a_repeat_with_other_chords_is_written_out(tmp_path):
    """Bars played twice are written once between repeat signs only where their chords are the
    same too: a second strain's other chords would be lost."""
    bar = [Note(i * TPQ, 60 + 2 * i, TPQ) for i in range(4)]
    notes = tuple(replace(n, start=n.start + b * 4 * TPQ) for b in range(8) for n in bar)
    same = [ChordSymbol(b * 4 * TPQ, "C") for b in range(8)]
    other = [*same[:4], *(ChordSymbol(c.tick, "Am") for c in same[4:])]
    warnings: list[str] = []
    folded = Score(parts=(Part(notes),), chord_symbols=same)
    xml = musicxml_text(folded, warnings)
    assert "<repeat" in xml and xml.count("<harmony") == 4
    assert not [w for w in warnings if "chord" in w]
    text = abc_text(folded, warnings)
    assert ":|" in text and text.count('"C"') == 4
    assert not [w for w in warnings if "chord" in w]
    path = tmp_path / "folded.abc"
    path.write_text(text, encoding="utf-8")
    assert read_notation(path).chord_symbols == folded.chord_symbols  # (played out again)
    xml = musicxml_text(Score(parts=(Part(notes),), chord_symbols=other))
    assert "<repeat" not in xml and xml.count("<harmony") == 8


def test_midi_writes_none_and_the_export_says_they_are_lost(tmp_path):
    score = lead_sheet()
    lost = export(score, tmp_path / "lead.mid")
    assert "left out the 4 chord symbols (MIDI has none)" in lost
    assert read_midi(tmp_path / "lead.mid").chord_symbols == ()
    for name in ("lead.musicxml", "lead.abc", "lead.composer.json"):
        assert not [x for x in export(score, tmp_path / name) if "chord" in x], name


# ----- MuseScore 3 ------------------------------------------------------------------------------
MSCORE = shutil.which("mscore3") or shutil.which("mscore")


@pytest.mark.skipif(MSCORE is None, reason="MuseScore 3 (mscore3) is not installed")
def test_musescore_reads_the_chord_symbols(tmp_path):
    """MuseScore 3 opens the export with one chord symbol per <harmony>, each with its root,
    quality and bass (its own .mscx file says so)."""
    score = replace(lead_sheet(), chord_symbols=(
        ChordSymbol(0, "C"), ChordSymbol(4 * TPQ, "Am7/G"), ChordSymbol(6 * TPQ, "F#m7b5"),
        ChordSymbol(7 * TPQ, "D7(b9)")))
    xml = tmp_path / "lead.musicxml"
    write_musicxml(score, xml)
    mscx = tmp_path / "lead.mscx"
    subprocess.run([MSCORE, "-o", str(mscx), str(xml)], capture_output=True, text=True,
                   timeout=120, env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin",
                                     "HOME": str(tmp_path)})
    harmonies = re.findall(r"<Harmony>(.*?)</Harmony>", mscx.read_text(encoding="utf-8"), re.S)
    assert len(harmonies) == 4
    assert "<name>m7</name>" in harmonies[1] and "<base>" in harmonies[1]
    assert "<name>m7b5</name>" in harmonies[2] and "<name>7b9</name>" in harmonies[3]


def test_the_score_view_engraves_them_as_written():
    """verovio (the Score dock) prints the text as written, once (given no <degree>s, which it
    prints after the text again), with the root's and bass's accidentals in a font Qt has."""
    pytest.importorskip("verovio")
    from composer_gui.music.engraving import Engraver

    notes = (Note(0, 70, TPQ), Note(TPQ, 66, TPQ))
    score = Score(parts=(Part(notes),), chord_symbols=(ChordSymbol(0, "Bb7"),
                                                       ChordSymbol(TPQ, "F#m7(b9)/C#")))
    page = Engraver().engrave(score, 1200).pages[0]
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", page)
    assert "B♭7" in texts and "F♯m7(b9)/C♯" in texts


def test_an_abc_tune_with_chords_keeps_the_clef_of_its_range(tmp_path):
    """A tune in A minor with "Am" and "Dm": music21 chose a bass clef from the chords' own
    notes (a review found the melody in an F clef); the tune's range says treble. A slash
    bass written in lowercase, as ABC tunes write it ("Am/c"), is read."""
    path = tmp_path / "air.abc"
    path.write_text('X:1\nM:4/4\nL:1/4\nK:Am\n"Am"A2 c2 | "Dm"d2 "Am/c"e2 |]\n',
                    encoding="utf-8")
    score = read_notation(path, [])
    assert score.parts[0].clef in ("", "treble")
    assert [c.text for c in score.chord_symbols] == ["Am", "Dm", "Am/c"]
    assert chord_tones("Am/c").bass == 0
