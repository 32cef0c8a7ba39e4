"""Written music whose notes a sequencer lets go a little early ("gate", "legato 90%") is
engraved at its written values (``quantize.RELEASE_ENDS``); real rests and short values stay,
music on the grid is untouched, and MIDI export keeps the exact lengths."""

from __future__ import annotations

import re

import mido
import pytest

from composer_gui.music.midi import read_midi, write_midi
from composer_gui.music.musicxml_writer import musicxml_text
from composer_gui.music.quantize import notation_view
from composer_gui.music.score import TPQ, Note, Part, Score

SCALE = [60, 62, 64, 65, 67, 69, 71, 72] * 2


def gated_midi(path, gate: float) -> None:
    """A C major scale in quarters, each held ``gate`` of its beat (as a sequencer writes it)."""
    track = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=500000),
                            mido.MetaMessage("time_signature", numerator=4, denominator=4)])
    now = 0
    for i, pitch in enumerate(SCALE):
        track.append(mido.Message("note_on", note=pitch, velocity=80, time=i * TPQ - now))
        now = i * TPQ
        off = i * TPQ + int(TPQ * gate)
        track.append(mido.Message("note_off", note=pitch, velocity=0, time=off - now))
        now = off
    mid = mido.MidiFile(ticks_per_beat=TPQ)
    mid.tracks.append(track)
    mid.save(path)


def lengths(score: Score, part: int = 0) -> list[tuple[int, int]]:
    return [(n.start, n.duration) for n in notation_view(score).score.parts[part].notes]


def types(xml: str) -> list[str]:
    return re.findall(r"<type>([^<]+)</type>", xml)


@pytest.mark.parametrize("gate", [0.8, 0.9, 0.95, 0.96, 0.98])
def test_quarters_let_go_early_are_quarters(tmp_path, gate):
    """A trial read such a scale as double-dotted eighths tied to 64ths with 64th rests (95%),
    triplet fragments in brackets (90%), dotted eighths tied to 64ths (80%); the status said
    the notes were held into the next one (legato), though none overlap."""
    path = tmp_path / "gate.mid"
    gated_midi(path, gate)
    score = read_midi(path)
    warnings: list[str] = []
    xml = musicxml_text(score, warnings)
    assert types(xml) == ["quarter"] * 16
    assert "<rest" not in xml and "<tie " not in xml and "<time-modification>" not in xml
    assert not any("legato" in w for w in warnings)
    assert any(w.startswith("lengthened 16 note(s) let go a little before the next note")
               for w in warnings)
    # the score and MIDI export keep the exact lengths
    assert {n.duration for n in score.parts[0].notes} == {int(TPQ * gate)}
    write_midi(score, tmp_path / "again.mid")
    assert read_midi(tmp_path / "again.mid").parts[0].notes == score.parts[0].notes


def test_gated_whole_note_chords_and_half_notes_are_written_whole():
    """A type-0 file's strings (whole-note chords held 1900 of 1920 ticks) and bass (halves
    held 940) had been tied chains ending in 64ths; a held note under moving ones too."""
    chords = tuple(Note(bar * 4 * TPQ, p, 4 * TPQ - 20) for bar in range(4) for p in (55, 59, 62))
    bass = tuple(Note(i * 2 * TPQ, 43, 2 * TPQ - 20) for i in range(8))
    piano = (Note(0, 48, 4 * TPQ * 9 // 10),
             *(Note(i * TPQ, 60 + i, TPQ * 9 // 10) for i in range(4)))
    score = Score(parts=(Part(chords, name="Strings"), Part(bass, name="Bass"),
                         Part(piano, name="Piano")))
    assert {d for _, d in lengths(score, 0)} == {4 * TPQ}
    assert {d for _, d in lengths(score, 1)} == {2 * TPQ}
    assert sorted(lengths(score, 2)) == [(0, TPQ), (0, 4 * TPQ), (TPQ, TPQ), (2 * TPQ, TPQ),
                                         (3 * TPQ, TPQ)]
    xml = musicxml_text(score)
    assert set(types(xml)) == {"whole", "half", "quarter"} and "<tie " not in xml


def test_staccato_notes_and_their_rests_stay():
    """A note let go well before the next one keeps its rest: quarters held 45% are eighths
    and eighth rests, eighths (gated 90%) followed by eighth rests stay eighths and rests,
    and a staccato quarter held 55% is an eighth, not a dotted eighth."""
    for held, written in ((0.45, TPQ // 2), (0.55, TPQ // 2)):
        score = Score(parts=(Part(tuple(Note(i * TPQ, 60 + i, int(TPQ * held))
                                        for i in range(8))),))
        assert {d for _, d in lengths(score)} == {written}
        xml = musicxml_text(score)
        assert types(xml).count("eighth") == 16 and xml.count("<rest") == 8
    eighths = Score(parts=(Part(tuple(Note(i * TPQ, 60 + i, TPQ // 2 * 9 // 10)
                                      for i in range(8))),))
    assert {d for _, d in lengths(eighths)} == {TPQ // 2}


def test_a_dotted_rhythm_and_real_sixteenth_rests_stay():
    """Gated 90%, a dotted eighth and sixteenth stay that figure (not a quarter, not 64ths),
    and a dotted eighth before a sixteenth rest keeps its rest."""
    d, s = 3 * TPQ // 4, TPQ // 4
    notes = []
    for beat in range(8):
        t = beat * TPQ
        notes.append(Note(t, 67, int(d * 0.9)))
        if beat % 2 == 0:
            notes.append(Note(t + d, 65, int(s * 0.9)))  # (else a sixteenth rest)
    score = Score(parts=(Part(tuple(notes)),))
    got = lengths(score)
    assert got == [(n.start, d if n.pitch == 67 else s) for n in notes]
    xml = musicxml_text(score)
    assert "<tie " not in xml and "64th" not in xml and "32nd" not in xml
    assert xml.count("<rest") == 4 and xml.count("<dot/>") == 8


def test_music_on_the_grid_keeps_its_lengths():
    """Every written value (MusicXML, ABC) is left as it is: a dotted sixteenth before a 32nd
    rest, a quarter tied to a 64th, 64ths, triplets, a note drawn a sixteenth short."""
    notes = (Note(0, 60, 180), Note(TPQ, 62, TPQ + TPQ // 16), Note(3 * TPQ, 64, TPQ // 16),
             Note(3 * TPQ + 30, 65, 30), *(Note(4 * TPQ + i * 160, 67, 160) for i in range(3)),
             Note(5 * TPQ, 69, 3 * TPQ // 4), Note(6 * TPQ, 71, 420))
    score = Score(parts=(Part(notes),))
    view = notation_view(score)
    assert view.score.parts[0].notes == notes
    assert not any("lengthened" in w for w in view.warnings)


def test_a_pianos_left_hand_eighths_are_judged_by_its_own_next_notes():
    """One track of both hands (a sequencer's sonatina): the Alberti bass's eighths, each held
    96% of its value, stay eighths where the right hand moves in sixteenths above them (one had
    been taken for a legato into the right hand's sixteenth: a sixteenth and a rest)."""
    alberti = [48, 55, 52, 55] * 2
    left = [Note(i * TPQ // 2, p, TPQ // 2 - 10) for i, p in enumerate(alberti)]
    right = [Note(0, 72, 3 * TPQ // 2 - 20), Note(3 * TPQ // 2, 72, TPQ // 4 - 10),
             Note(7 * TPQ // 4, 74, TPQ // 4 - 10), Note(2 * TPQ, 76, 2 * TPQ - 20)]
    score = Score(parts=(Part(tuple(sorted(left + right)), name="Piano"),))
    written = notation_view(score).score.parts[0].notes
    assert [n.duration for n in written if n.pitch < 60] == [TPQ // 2] * 8
    assert [n.duration for n in written if n.pitch >= 60] == [3 * TPQ // 2, TPQ // 4,
                                                              TPQ // 4, 2 * TPQ]
