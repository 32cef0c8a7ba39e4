"""What an export lost, in words: compare a score with the copy read back."""

from __future__ import annotations

from dataclasses import replace

from composer_gui.music.fidelity import export, losses
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score, TempoChange


def a_score() -> Score:
    return Score(title="T", parts=(Part((Note(0, 60, TPQ, 80), Note(TPQ + 7, 64, TPQ, 100)),
                                        name="Piano", program=5),),
                 tempos=(TempoChange(0, 500_000), TempoChange(8 * TPQ, 400_000)))


def test_an_identical_copy_lost_nothing_and_midi_keeps_everything(tmp_path):
    assert losses(a_score(), a_score()) == []
    assert export(a_score(), tmp_path / "x.mid") == []


def test_each_kind_of_loss_is_named():
    s = a_score()
    part = s.parts[0]
    moved = replace(s, parts=(replace(part, notes=(part.notes[0], Note(TPQ, 64, TPQ, 100))),))
    assert losses(s, moved) == ["moved 1 note to the notation grid"]
    quieter = replace(s, parts=(replace(part, notes=(part.notes[0], replace(part.notes[1],
                                                                            velocity=64))),))
    assert losses(s, quieter) == ["changed the velocity of 1 note"]
    fewer = replace(s, parts=(replace(part, notes=part.notes[:1]),), tempos=s.tempos[:1])
    assert losses(s, fewer) == ["left out 1 note", "kept 1 of 2 tempo marks"]
    other = replace(s, parts=(replace(part, program=2, name="Keys"),), title="")
    assert losses(s, other) == ["gave 'Piano' MIDI program 2 instead of 5",
                                "renamed 'Piano' to 'Keys'", "changed the title"]
    # an untitled score's copy is named after its file by the reader: no change (a review
    # read "the copy changed the title" after every export of a new score)
    assert losses(replace(s, title=""), replace(s, title="melody_export")) == []


def test_a_musicxml_copy_reports_what_notation_lost(tmp_path):
    lost = export(a_score(), tmp_path / "x.musicxml")
    assert "moved 1 note to the notation grid" in lost
    assert "kept 1 of 2 tempo marks" in lost  # a tempo change after the last note


def test_a_midi_copy_of_a_church_mode_says_which_signature_it_wrote(tmp_path):
    """A Dorian tune exported to MIDI: the copy's key signature is another key's, and the
    export says which (a trial was told only that "the copy changed the key signatures")."""
    tune = Score(parts=(Part(tuple(Note(i * 480, p, 480) for i, p in enumerate(
        [62, 64, 65, 67, 69, 71, 72, 74]))),), key_signatures=(KeySignature(0, 0, "dorian"),))
    lost = export(tune, tmp_path / "d.mid")
    assert any(x.startswith("wrote D dorian as A minor's key signature") for x in lost)
    assert not any("changed the key signatures" in x for x in lost)
