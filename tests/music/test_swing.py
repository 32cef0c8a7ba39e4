"""Swung eighths in a played MIDI file are written as even eighths (``quantize.SWING``); straight
playing, dotted figures, triplets and files on the grid are written as before."""

from __future__ import annotations

import pytest
from played_tunes import HORNPIPE, MARCH, played_midi, written

from composer_gui.music import quantize
from composer_gui.music.midi import read_midi, write_midi
from composer_gui.music.musicxml_writer import musicxml_text
from composer_gui.music.quantize import notation_view
from composer_gui.music.score import TPQ, Note, Part, Score


def _right(score: Score, tune) -> float:
    """The share of the tune's notes written with the score's start and length."""
    got = notation_view(score).score.parts[0].notes
    want = written(tune)
    assert len(got) == len(want)
    return sum((n.start, n.duration) == w[:2] for n, w in zip(got, want, strict=True)) / len(want)


def _unchanged(score: Score, monkeypatch) -> bool:
    """Notation is the same with the swing rule as without it."""
    def seen():
        view = notation_view(score)
        return view.score, view.triplet_units, view.tempo_marks

    with_rule = seen()
    monkeypatch.setattr(quantize, "SWING", False)
    without = seen()
    monkeypatch.setattr(quantize, "SWING", True)
    return with_rule == without


@pytest.mark.parametrize(("ratio", "words"), [(0.6, "3:2"), (0.67, "2:1"), (0.72, "5:2")])
def test_a_swung_hornpipe_is_written_in_even_eighths(tmp_path, monkeypatch, ratio, words):
    """Each off-beat eighth played late (at 0.6-0.72 of the beat), with jitter, drift and
    legato and staccato notes: the import says so and notation writes the eighths even, where
    the sixteenth grid wrote dotted eighths and sixteenths (a copyist's review of played
    files)."""
    warnings: list[str] = []
    score = read_midi(played_midi(tmp_path / "swung.mid", HORNPIPE, ratio, seed=2), warnings)
    assert f"played with swung eighths (about {words}): written as even eighths" in warnings
    assert _right(score, HORNPIPE) >= 0.97
    eighths = [n for n in notation_view(score).score.parts[0].notes if n.start % (TPQ // 2) == 0]
    assert sum(n.duration in (TPQ // 4, 3 * TPQ // 4) for n in eighths) <= 2
    xml = musicxml_text(score)
    assert "<words font-weight=\"bold\">Swing </words>" in xml
    monkeypatch.setattr(quantize, "SWING", False)  # without the rule: dotted figures
    assert _right(score, HORNPIPE) < 0.85


def test_straight_playing_dotted_figures_and_triplets_are_not_swing(tmp_path, monkeypatch):
    """A march of dotted eighths and sixteenths, eighth triplets and plain eighths, and the
    hornpipe played straight: no swing, and notation as without the rule."""
    for tune, seed in ((MARCH, 1), (MARCH, 2), (MARCH, 3), (HORNPIPE, 1)):
        warnings: list[str] = []
        score = read_midi(played_midi(tmp_path / "straight.mid", tune, 0.5, seed), warnings)
        assert quantize.swing_ratio(score) is None
        assert not any("swung" in w for w in warnings)
        assert _unchanged(score, monkeypatch)
    view = notation_view(score)
    assert "Swing" not in [words for _, _, words, _ in view.tempo_marks]


def test_a_file_on_the_grid_is_not_touched(tmp_path, monkeypatch):
    """Notation software's files: the hornpipe in even eighths, and written in swing as a
    quarter and an eighth under a triplet. They read back as written, with no swing."""
    even = tuple(Note(start, pitch, length) for start, length, pitch in written(HORNPIPE))
    third = TPQ // 6  # what a swung pair moves: an eighth's third

    def swung(n: Note) -> Note:
        if n.start % TPQ == TPQ // 2:  # the off-beat: the triplet's third eighth
            return Note(n.start + third, n.pitch, n.duration - third)
        return Note(n.start, n.pitch, n.duration + third * (n.duration == TPQ // 2))

    swung_notes = tuple(map(swung, even))
    for name, notes in (("even", even), ("triplets", swung_notes)):
        score = Score(parts=(Part(notes, name="Fiddle"),))
        write_midi(score, tmp_path / f"{name}.mid")
        warnings: list[str] = []
        back = read_midi(tmp_path / f"{name}.mid", warnings)
        assert back.parts[0].notes == notes and not any("swung" in w for w in warnings)
        assert _unchanged(back, monkeypatch)
