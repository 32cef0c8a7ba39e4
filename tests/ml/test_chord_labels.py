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


def test_a_tune_that_leaves_the_chord_gets_a_symbol_and_closes_v_i():
    """Half-bar symbols in the sketch, in G; the new tune sings "E D C C" in its second bar
    and "D C A F#" before its last G: a symbol where it leaves the tonic (a re-review's jig
    had kept "G" under it), none repeated, and the dominant before the final tonic."""
    g = (KeySignature(0, 1, "major"),)
    halves = {k * 2 * TPQ: x for k, x in enumerate(["G", "C", "D", "G", "G", "C", "D7", "G"])}
    sketch = replace(lead_sheet({}), key_signatures=g,
                     chord_symbols=tuple(ChordSymbol(t, x) for t, x in halves.items()))
    sketch = replace(sketch, parts=(Part(tuple(replace(n, pitch=n.pitch + 7)
                                               for n in sketch.parts[0].notes)),))
    start = 4 * BAR
    line = [67, 71, 74, 71, 76, 74, 72, 72, 71, 67, 71, 74, 74, 72, 69, 66, 67, 67, 67, 67]
    tune = [Note(start + k * TPQ, p, TPQ) for k, p in enumerate(line)]
    got = continuation_symbols(sketch, with_new(sketch, [tune]), start, None)
    at = {c.tick - start: c.text for c in got}
    assert chord_tones(at[BAR]).root in (0, 9)  # bar 2: "E D C C" is C (or Am), not G
    assert at[2 * BAR] == "G"
    final = max(at)
    assert final == 4 * BAR and at[final] == "G"
    before = at[max(t for t in at if t < final)]
    assert chord_tones(before).root == 2  # D or D7 before it


def test_the_last_bars_final_chord_is_named_though_it_lacks_its_fifth():
    """Four voices end "F | G7 C" with C3 C4 E4 C5: the last bar is labelled beat by beat,
    the final chord "C" (not left under "F")."""
    sketch = lead_sheet({0: "C", BAR: "G", 2 * BAR: "F", 3 * BAR: "C"})
    start = 4 * BAR
    beats = [(72, 65, 57, 53), (72, 65, 57, 53), (74, 65, 59, 55), (72, 64, 60, 48)]
    voices = [[Note(start + k * TPQ, c[v], TPQ) for k, c in enumerate(beats)]
              for v in range(4)]
    got = continuation_symbols(sketch, with_new(sketch, voices), start, None)
    assert [(c.tick - start, c.text) for c in got] == [(0, "F"), (2 * TPQ, "G7"),
                                                       (3 * TPQ, "C")]


def test_a_jigs_half_bar_off_the_tonic_gets_its_chord():
    """A jig in G labelled a chord each half bar: the new bar "E D C | B G B" is C, then G,
    not left under the G in force (the re-review's jig, where the plan's cost of a change had
    kept the tonic over it); its close is D7 to G."""
    from composer_gui.music.score import TimeSignature
    e8 = TPQ // 2
    bar = 6 * e8
    sketch = Score(parts=(Part(tuple(Note(k * e8, p, e8) for k, p in enumerate(
        [67, 69, 71, 74, 71, 67] * 4))),), key_signatures=(KeySignature(0, 1, "major"),),
        time_signatures=(TimeSignature(0, 6, 8),), chord_symbols=tuple(
            ChordSymbol(k * 3 * e8, x)
            for k, x in enumerate(["G", "D", "G", "C", "G", "D7", "G", "G"])))
    start = 4 * bar
    line = [67, 71, 74, 71, 67, 71, 76, 74, 72, 71, 67, 71, 74, 72, 69, 66, 69, 72] + [67] * 6
    tune = [Note(start + k * e8, p, e8) for k, p in enumerate(line)]
    got = continuation_symbols(sketch, with_new(sketch, [tune]), start, None)
    assert [((c.tick - start) // e8, c.text) for c in got] == [
        (6, "C"), (9, "G"), (12, "D7"), (18, "G")]
