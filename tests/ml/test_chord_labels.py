"""Chord symbols over the bars a continuation of a lead sheet writes (ml/chord_labels.py)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from composer_gui.ml import chord_labels
from composer_gui.ml.chord_labels import continuation_symbols, label_stride
from composer_gui.ml.sampler import GenerationRequest, load_sampler
from composer_gui.music.chord_symbols import chord_tones
from composer_gui.music.score import TPQ, ChordSymbol, KeySignature, Note, Part, Score

BAR = 4 * TPQ
C_MAJOR = (KeySignature(0, 0, "major"),)


def lead_sheet(symbols: dict[int, str], bars: int = 4) -> Score:
    """A C major tune of ``bars`` bars in quarters with ``symbols`` {tick: text}."""
    tune = [72, 76, 79, 76, 77, 74, 71, 74, 72, 76, 79, 76, 74, 71, 72, 72][:4 * bars]
    return Score(parts=(Part(tuple(Note(i * TPQ, p, TPQ) for i, p in enumerate(tune)),
                             name="Melody"),),
                 key_signatures=C_MAJOR,
                 chord_symbols=tuple(ChordSymbol(t, x) for t, x in symbols.items()))


def with_new(score: Score, parts_notes: list[list[Note]]) -> Score:
    """``score`` with each part's notes plus ``parts_notes`` (one list a part, more parts
    added as voices)."""
    parts = list(score.parts)
    for i, notes in enumerate(parts_notes):
        if i < len(parts):
            parts[i] = replace(parts[i], notes=tuple(sorted((*parts[i].notes, *notes))))
        else:
            parts.append(Part(tuple(notes)))
    return replace(score, parts=tuple(parts))


def test_the_new_chords_change_at_the_sketchs_pace():
    """A symbol a bar in the sketch: one a bar; two a bar: half bars; none before the
    continuation, or one typed ahead of it: no labels (the composer's own)."""
    assert label_stride(lead_sheet({0: "C", BAR: "G", 2 * BAR: "F", 3 * BAR: "C"}),
                        4 * BAR) == BAR
    halves = {k * 2 * TPQ: x for k, x in enumerate(["C", "Am", "F", "G", "C", "F", "G", "C"])}
    assert label_stride(lead_sheet(halves), 4 * BAR) == 2 * TPQ
    assert label_stride(lead_sheet({}), 4 * BAR) is None
    ahead = lead_sheet({0: "C", 5 * BAR: "G"})
    assert label_stride(ahead, 4 * BAR) is None


def test_four_voices_are_labelled_with_the_chords_they_sound():
    """Continued in four voices, I - IV - V7 - I a bar each, over a lead sheet whose chords
    change a bar at a time: C, F/A, G7, C, each where it changes."""
    sketch = lead_sheet({0: "C", BAR: "G", 2 * BAR: "F", 3 * BAR: "C"})
    chords = [(60, 64, 67, 48), (60, 65, 69, 45), (62, 65, 71, 43), (60, 64, 67, 48)]
    start = 4 * BAR
    voices = [[Note(start + b * BAR, c[v] + (12 if v < 3 else 0), BAR)
               for b, c in enumerate(chords)] for v in range(4)]
    voices[0] = [replace(n, pitch=n.pitch + 12) for n in voices[0]]
    result = with_new(sketch, voices)
    got = continuation_symbols(sketch, result, start, None)
    assert [(c.tick, c.text) for c in got] == [
        (start + BAR, "F/A"), (start + 2 * BAR, "G7"), (start + 3 * BAR, "C")]
    assert continuation_symbols(sketch, result, start, start + 4 * BAR) == ()  # a region
    off = replace(sketch, chord_symbols=())
    assert continuation_symbols(off, with_new(off, voices), start, None) == ()


def test_a_tune_is_labelled_with_the_chords_it_outlines():
    """A melody alone, arpeggiating F, then G7, then C: those chords, in a bar each."""
    sketch = lead_sheet({0: "C", BAR: "G", 2 * BAR: "F", 3 * BAR: "C"})
    start = 4 * BAR
    figures = [(65, 69, 72, 69), (67, 71, 74, 77), (72, 67, 64, 60)]
    tune = [Note(start + b * BAR + k * TPQ, p, TPQ)
            for b, bar in enumerate(figures) for k, p in enumerate(bar)]
    got = continuation_symbols(sketch, with_new(sketch, [tune]), start, None)
    assert [(c.tick - start) // BAR for c in got] == [0, 1, 2]
    assert [chord_tones(c.text).root for c in got] == [5, 7, 0]
    assert got[1].text in ("G", "G7") and got[0].text == "F" and got[2].text == "C"


def test_a_cadences_dominant_on_the_beat_before_is_named():
    """Half-bar symbols, and the voices strike V7 on the beat before the final tonic's half
    bar, inside the half bar of Dm: "Dm G7 | C", not "Dm | C"."""
    halves = {k * 2 * TPQ: x for k, x in enumerate(["C", "Am", "F", "G", "C", "F", "G", "C"])}
    sketch = lead_sheet(halves)
    start = 4 * BAR
    beats = [(62, 65, 69, 50), (62, 65, 69, 50), (62, 65, 69, 50), (62, 65, 71, 43),
             (60, 64, 67, 48), (60, 64, 67, 48), (60, 64, 67, 48), (60, 64, 67, 48)]
    voices = [[Note(start + k * TPQ, c[v] + (24 if v == 0 else 12 if v < 3 else 0), TPQ)
               for k, c in enumerate(beats)] for v in range(4)]
    got = continuation_symbols(sketch, with_new(sketch, voices), start, None)
    texts = [(c.tick - start, c.text) for c in got]
    assert texts[:3] == [(0, "Dm"), (3 * TPQ, "G7"), (BAR, "C")]


@pytest.fixture(scope="module")
def sampler(tiny_voice_model):
    return load_sampler(tiny_voice_model)


def test_a_continued_lead_sheet_carries_chord_symbols(sampler, monkeypatch):
    """Continued by the model, a harmonized lead sheet's new bars get symbols that name what
    the voices sound where they sound a chord; with the labels off, none (the test can fail)."""
    sketch = lead_sheet({0: "C", BAR: "G", 2 * BAR: "F", 3 * BAR: "C"})
    (harmonized,) = sampler.generate(sketch, GenerationRequest(harmonize=True, seed=2))
    end = harmonized.end_tick
    for seed in (1, 2):
        (r,) = sampler.generate(harmonized, GenerationRequest(bars=2, seed=seed))
        new = [c for c in r.chord_symbols if c.tick >= end]
        assert new and all(chord_tones(c.text) is not None for c in new)
        assert all(c.tick % TPQ == 0 for c in new)
        for c in new:
            pcs = {n.pitch % 12 for p in r.parts for n in p.notes if n.start <= c.tick < n.end}
            assert pcs <= chord_tones(c.text).pcs or len(pcs) < 3, (c, pcs)
    monkeypatch.setattr(chord_labels, "LABEL_CONTINUATIONS", False)
    (r,) = sampler.generate(harmonized, GenerationRequest(bars=2, seed=1))
    assert not [c for c in r.chord_symbols if c.tick >= end]
