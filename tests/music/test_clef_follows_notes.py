"""A clef a file states is kept while the part's notes fit it; once they do not (a one-staff piano
sketch continued in four voices), the range decides, as for a part without one."""

from __future__ import annotations

from composer_gui.music.clefs import needs_grand_staff
from composer_gui.music.edits import apply_generated
from composer_gui.music.musicxml_writer import musicxml_text
from composer_gui.music.score import TPQ, Note, Part, Score

CHORD = (Note(0, 60, 4 * TPQ), Note(0, 64, 4 * TPQ), Note(0, 67, 4 * TPQ))  # C4 E4 G4
# four voices a bar later: soprano and alto on the treble staff, tenor and bass far below it
VOICES = [Note(4 * TPQ + i * TPQ, p, TPQ) for i, chord in enumerate(
    ((72, 67, 52, 43), (71, 67, 50, 41), (72, 64, 55, 48), (72, 67, 52, 36))) for p in chord]


def test_fits_clef_counts_ledger_lines():
    from composer_gui.music.clefs import fits_clef

    def fits(pitch, clef):
        return fits_clef([Note(0, pitch, TPQ)], clef)

    assert fits(52, "treble") and not fits(50, "treble")  # E3 on three ledger lines; D3 four
    assert fits(90, "treble") and not fits(91, "treble")  # F#6 above them; G6 on a fourth
    assert fits(43, "bass") and fits(70, "bass") and not fits(72, "bass")
    assert fits_clef([], "treble") and fits_clef([Note(0, 20, TPQ)], "percussion")


def test_a_stated_clef_the_notes_fit_is_kept():
    piano = Part(CHORD, name="Piano", clef="treble")
    assert not needs_grand_staff(piano)
    low = Part((Note(0, 43, TPQ), Note(TPQ, 67, TPQ)), name="Piano", clef="bass")
    assert not needs_grand_staff(low)  # (G4 is three ledger lines above the bass staff)
    assert needs_grand_staff(Part(low.notes, name="Piano"))  # (without a clef: two staves)


def test_a_one_staff_piano_continued_in_four_voices_gets_a_grand_staff():
    """The trial's one_chord.musicxml: its bass had been written G2, F2, C3 on the treble
    staff, up to six ledger lines below it."""
    score = Score(parts=(Part(CHORD, name="Piano", clef="treble"),))
    kept = apply_generated(score, VOICES, 4 * TPQ)
    assert len(kept.parts) == 1 and needs_grand_staff(kept.parts[0])
    xml = musicxml_text(kept)
    assert "<staves>2</staves>" in xml and "<sign>F</sign>" in xml


def test_a_stated_clef_outside_a_piano_stays_one_staff_while_the_notes_allow():
    flute = Part(tuple(Note(i * TPQ, p, TPQ) for i, p in enumerate((60, 72, 84, 55))),
                 name="Flute", program=73, clef="treble")
    assert not needs_grand_staff(flute)
    assert "<staves>" not in musicxml_text(Score(parts=(flute,)))
