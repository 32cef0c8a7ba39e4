"""The sampler on a tiny random model: constraints hold, results reproduce, regions, streaming,
cancellation, meters, empty and odd sketches, bad requests."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composer_gui.ml.sampler import (
    GeneratedNote,
    GenerationRequest,
    Sampler,
    sample_tokens,
)
from composer_gui.ml.tokens import Vocabulary
from composer_gui.music.edits import split_across
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score, TimeSignature

C_MAJOR = [60, 62, 64, 65, 67, 69, 71, 72]


@pytest.fixture(scope="module")
def sampler(tiny_model) -> Sampler:
    s = Sampler.load(tiny_model)
    s.verify_grammar = True  # a GrammarState checks every sampled token
    return s


def melody(bars: int = 2, ts: tuple[int, int] = (4, 4), pitches=C_MAJOR, **kw) -> Score:
    meter = TimeSignature(0, *ts)
    beat = TPQ * 4 // ts[1]
    count = bars * meter.bar_ticks // beat
    notes = tuple(Note(i * beat, pitches[i % len(pitches)], beat, 90) for i in range(count))
    return Score(parts=(Part(notes, name="Melody"),), time_signatures=(meter,), **kw)


def generated(score: Score, result: Score) -> list[Note]:
    """Notes of ``result`` that ``score`` does not have."""
    old = set(score.notes)
    return [n for n in result.notes if n not in old]


class Counting:
    """Wraps an InferenceSession and counts steps."""

    def __init__(self, session) -> None:
        self.session = session
        self.calls = 0

    def run(self, *args, **kw):
        self.calls += 1
        return self.session.run(*args, **kw)


# ----- reproducibility ---------------------------------------------------------------------------
def test_same_seed_same_notes_different_seed_differs(sampler):
    sketch = melody()
    req = GenerationRequest(bars=4, variations=3, seed=11)
    a = list(sampler.stream(sketch, req))
    b = list(sampler.stream(sketch, req))
    assert a == b and len(a) > 0
    assert all(isinstance(g, GeneratedNote) for g in a)
    assert {g.variation for g in a} == {0, 1, 2}
    c = list(sampler.stream(sketch, GenerationRequest(bars=4, variations=3, seed=12)))
    assert c != a
    # the variations differ from one another
    per = [[g.note for g in a if g.variation == v] for v in range(3)]
    assert per[0] != per[1] != per[2]


def test_prefill_cache_does_not_change_results(sampler):
    sketch = melody(bars=4)
    longer = sketch.merge(Score(parts=(Part((Note(8 * TPQ, 64, TPQ, 90),)),)))
    req = GenerationRequest(bars=2, variations=2, seed=8)
    warm = Sampler(sampler.model)
    warm.generate(sketch, req)  # fills the cache; `longer` then reuses its first bars
    for score in (sketch, longer):
        cold = Sampler(sampler.model)
        cold.session = counting = Counting(sampler.session)
        expect = cold.generate(score, req)
        warm.session = counting_warm = Counting(sampler.session)
        assert warm.generate(score, req) == expect
        assert counting_warm.calls < counting.calls



def test_prefill_runs_a_bar_per_call_and_gives_what_a_token_per_call_gives(sampler):
    """The graph takes several tokens per call: the sketch's bars run one call each. A graph
    fixed at one token per call (exported before) still works, with the same notes."""
    assert sampler.model.sequence_input
    sketch = melody(bars=4)
    req = GenerationRequest(bars=2, variations=2, seed=8)
    by_bar, by_token = Sampler(sampler.model), Sampler(
        dataclasses.replace(sampler.model, sequence_input=False))
    by_bar.session, by_token.session = bars, tokens = (Counting(sampler.session),
                                                       Counting(sampler.session))
    assert by_bar.generate(sketch, req) == by_token.generate(sketch, req)
    # the prefill: a call per token against at most one per bar and one for the tail
    prefix, saved = by_bar.plan.prefix_tokens, tokens.calls - bars.calls
    assert prefix - (by_bar.plan.prefix_bars + 1) <= saved < prefix
    assert saved > 20

def test_generate_is_the_sketch_followed_by_the_stream(sampler):
    sketch = melody()
    req = GenerationRequest(bars=3, variations=2, seed=3)
    notes = list(sampler.stream(sketch, req))
    results = sampler.generate(sketch, req)
    assert len(results) == 2
    for v, result in enumerate(results):
        assert sorted(result.notes) == sorted([*sketch.notes,
                                               *(g.note for g in notes if g.variation == v)])
        assert result.time_signatures == sketch.time_signatures
        assert len(result.parts) == 1 and result.parts[0].name == "Melody"
    assert sampler.generate(sketch, req) == results


def test_continuation_stays_after_the_sketch_and_within_the_bars(sampler):
    sketch = melody(bars=2)
    sampler.generate(sketch, GenerationRequest(bars=3, seed=1))
    plan = sampler.plan
    assert plan.start_tick == 2 * 4 * TPQ
    assert plan.stop_tick == plan.start_tick + 3 * 4 * TPQ
    for result in sampler.generate(sketch, GenerationRequest(bars=3, seed=1, variations=4)):
        new = generated(sketch, result)
        assert all(plan.start_tick <= n.start < plan.stop_tick for n in new)
        # (and ends by the last bar line: a held note had added a bar, a trial's own model)
        assert all(n.end <= plan.stop_tick for n in new) and result.bar_count() == 5
        assert all(n.velocity == 90 for n in new)  # the sketch's median velocity


def test_continue_from_a_chosen_time_drops_later_sketch_notes(sampler):
    sketch = melody(bars=4)
    start = 4 * TPQ + 2 * TPQ  # bar 2, beat 3
    result = sampler.generate(sketch, GenerationRequest(bars=1, seed=2, start_tick=start))[0]
    assert [n for n in result.notes if n.start < start] == \
        [n for n in sketch.notes if n.start < start]
    new = [n for n in result.notes if n.start >= start]
    assert all(n not in sketch.notes or n.start < start for n in new) or not new
    # partial bar 2 plus one whole bar
    assert sampler.plan.stop_tick == 3 * 4 * TPQ


# ----- constraints ---------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["D:major", "F#:minor", "Bb"])
def test_key_constraint(sampler, key):
    scale = KeySignature.parse(key).scale_pcs()
    results = sampler.generate(melody(), GenerationRequest(bars=4, seed=5, variations=4, key=key))
    new = [n for r in results for n in generated(melody(), r)]
    assert len(new) > 10
    assert all(n.pitch % 12 in scale for n in new)


def test_key_auto_is_estimated_from_the_sketch(sampler):
    sketch = melody(pitches=[62, 64, 66, 67, 69, 71, 73, 74])  # D major scale
    results = sampler.generate(sketch, GenerationRequest(bars=4, seed=5, variations=4))
    assert str(sampler.plan.key) == "D:major"
    scale = sampler.plan.key.scale_pcs()
    assert all(n.pitch % 12 in scale for r in results for n in generated(sketch, r))


def test_no_key_allows_every_pitch(sampler):
    sketch = melody()
    results = sampler.generate(sketch, GenerationRequest(bars=8, seed=5, variations=4, key=None))
    assert sampler.plan.key is None
    scale = KeySignature.parse("C:major").scale_pcs()
    assert any(n.pitch % 12 not in scale for r in results for n in generated(sketch, r))


def test_empty_sketch_with_auto_key_has_no_key_constraint(sampler):
    sampler.generate(Score(), GenerationRequest(bars=1, seed=1))
    assert sampler.plan.key is None


def sounding(notes, tick) -> list[Note]:
    return [n for n in notes if n.start <= tick < n.end]


@pytest.mark.parametrize("poly", [1, 2, 3])
def test_pitch_range_and_polyphony(sampler, poly):
    # a sketch whose last chord still sounds when the continuation starts
    sketch = melody(bars=1).merge(Score(parts=(Part((
        Note(3 * TPQ, 48, 3 * TPQ), Note(3 * TPQ, 55, 3 * TPQ)),),)))
    req = GenerationRequest(bars=4, seed=9, variations=4, pitch_range=(55, 79),
                            max_polyphony=poly, key=None)
    results = sampler.generate(sketch, req)
    total = 0
    for result in results:
        new = generated(sketch, result)
        total += len(new)
        assert all(55 <= n.pitch <= 79 for n in new)
        for n in new:
            assert len(sounding(result.notes, n.start)) <= max(poly, 1), n
            # never a pitch struck again while it still sounds
            assert [m for m in sounding(result.notes, n.start) if m.pitch == n.pitch] == [n]
    assert total > 4


def test_impossible_pitch_constraints_are_a_value_error(sampler):
    with pytest.raises(ValueError, match="no pitch the model knows"):
        sampler.stream(melody(), GenerationRequest(key="C:major", pitch_range=(61, 61)))


# ----- regions -----------------------------------------------------------------------------
@pytest.mark.parametrize("start, end", [
    (4 * TPQ, 12 * TPQ),  # bars 2-3 of 4
    (6 * TPQ, 9 * TPQ + 150),  # mid-bar to off the grid
    (0, 4 * TPQ),  # the very first bar
])
def test_region_keeps_everything_outside(sampler, start, end):
    sketch = melody(bars=4)
    req = GenerationRequest(seed=4, variations=4, start_tick=start, end_tick=end)
    results = sampler.generate(sketch, req)
    # (a note held across an edge is cut there: music.edits.split_across)
    outside = [n for n in split_across(sketch.notes, (start, end))
               if not start <= n.start < end]
    changed = 0
    for result in results:
        assert [n for n in result.notes if not start <= n.start < end] == outside
        inside = [n for n in result.notes if start <= n.start < end]
        assert all(n.end <= end for n in inside)
        assert all(n.start % 40 == 0 and n.end % 40 == 0 for n in inside)  # seam on the grid
        changed += inside != [n for n in sketch.notes if start <= n.start < end]
    assert changed


# ----- streaming and cancellation ------------------------------------------------------------
def test_stream_yields_notes_before_the_end(sampler):
    counting = Counting(sampler.session)
    s = Sampler(sampler.model)
    s.session = counting
    it = s.stream(melody(), GenerationRequest(bars=8, seed=1, variations=2))
    assert counting.calls == 0  # nothing runs before the first note is asked for
    next(it)
    at_first = counting.calls
    rest = list(it)
    assert rest and counting.calls > at_first + 10


def test_cancel_stops_within_one_step(sampler):
    s = Sampler(sampler.model)
    s.session = counting = Counting(sampler.session)
    cancel = threading.Event()
    seen = []
    for g in s.stream(melody(), GenerationRequest(bars=16, seed=1, variations=4), cancel):
        seen.append(g)
        if len(seen) == 3:
            calls = counting.calls
            cancel.set()
    assert len(seen) == 3  # nothing after the cancel
    assert counting.calls == calls  # not even one more step


def test_cancel_before_start_runs_nothing(sampler):
    s = Sampler(sampler.model)
    s.session = counting = Counting(sampler.session)
    cancel = threading.Event()
    cancel.set()
    assert s.generate(melody(), GenerationRequest(seed=1, variations=2), cancel) == \
        [melody(), melody()]
    assert counting.calls == 0


def test_cancel_in_a_worker_thread(sampler):
    cancel = threading.Event()
    seen = []

    def consume():
        for g in sampler.stream(melody(), GenerationRequest(bars=64, seed=1), cancel):
            seen.append(g)
            if len(seen) == 2:
                cancel.set()

    t = threading.Thread(target=consume)
    t.start()
    t.join(10)
    assert not t.is_alive() and len(seen) == 2


# ----- meters, empty and odd sketches ------------------------------------------------------------
@pytest.mark.parametrize("ts", [(3, 4), (6, 8)])
def test_continues_in_the_sketch_meter(sampler, ts):
    sketch = melody(bars=2, ts=ts)
    bar = TimeSignature(0, *ts).bar_ticks
    results = sampler.generate(sketch, GenerationRequest(bars=3, seed=2, variations=3))
    plan = sampler.plan
    assert (plan.start_tick, plan.stop_tick) == (2 * bar, 5 * bar)
    vocab = sampler.vocab
    for result in results:
        assert result.time_signatures == sketch.time_signatures
        new = generated(sketch, result)
        assert all(2 * bar <= n.start < 5 * bar for n in new)
        tokens = vocab.encode(result)
        ts_tokens = {t for t in tokens if vocab.kind(t) == "ts"}
        assert ts_tokens == {vocab.ts_id(f"{ts[0]}/{ts[1]}")}


def test_empty_score_starts_from_the_models_opening(sampler):
    results = sampler.generate(Score(), GenerationRequest(bars=2, seed=3, variations=4))
    assert (sampler.plan.start_tick, sampler.plan.stop_tick) == (0, 2 * 4 * TPQ)
    notes = [n for r in results for n in r.notes]
    assert notes and all(0 <= n.start < 2 * 4 * TPQ for n in notes)
    assert all(n.velocity == Vocabulary().default_velocity for n in notes)


def test_pitches_outside_the_model_range(sampler):
    sketch = Score(parts=(Part((Note(0, 12, TPQ), Note(TPQ, 120, TPQ), Note(2 * TPQ, 60, TPQ))),))
    result = sampler.generate(sketch, GenerationRequest(bars=2, seed=1))[0]
    assert any("moved by octaves" in w for w in sampler.warnings)
    assert set(sketch.notes) <= set(result.notes)  # the sketch itself is left alone
    assert all(21 <= n.pitch <= 108 for n in generated(sketch, result))


def test_long_sketch_is_cut_at_a_bar_line(sampler):
    sketch = melody(bars=300, ts=(3, 4))
    bar = 3 * TPQ
    results = sampler.generate(sketch, GenerationRequest(bars=2, seed=1, variations=2))
    plan = sampler.plan
    assert plan.prefix_bars <= Sampler.max_prefill_bars
    assert plan.prefix_tokens <= Sampler.max_prefill_tokens
    assert any("last" in w for w in sampler.warnings)
    assert (plan.start_tick, plan.stop_tick) == (300 * bar, 302 * bar)
    for result in results:
        assert all(300 * bar <= n.start < 302 * bar for n in generated(sketch, result))


def test_multi_part_sketch_gets_a_continuation_part(sampler):
    sketch = Score(parts=(Part((Note(0, 72, 2 * TPQ),), name="S"),
                          Part((Note(0, 48, 2 * TPQ),), name="B")))
    result = sampler.generate(sketch, GenerationRequest(bars=1, seed=1))[0]
    assert [p.name for p in result.parts] == ["S", "B", "Continuation"]


# ----- bad requests ---------------------------------------------------------------------------
@pytest.mark.parametrize("kw, match", [
    ({"bars": 0}, "bars"),
    ({"bars": -2}, "bars"),
    ({"temperature": 0}, "temperature"),
    ({"temperature": -1.0}, "temperature"),
    ({"temperature": float("nan")}, "temperature"),
    ({"temperature": 1e-39}, "temperature"),
    ({"top_p": 0}, "top-p"),
    ({"top_p": 1.5}, "top-p"),
    ({"top_k": -1}, "top-k"),
    ({"variations": 0}, "variations"),
    ({"variations": 17}, "variations"),
    ({"seed": -1}, "seed"),
    ({"key": "H:major"}, "unknown key"),
    ({"pitch_range": (80, 60)}, "pitch range"),
    ({"max_polyphony": 0}, "polyphony"),
    ({"end_tick": 100}, "start"),
    ({"start_tick": 100, "end_tick": 100}, "after its start"),
])
def test_bad_requests_raise_before_anything_runs(sampler, kw, match):
    req = GenerationRequest(**kw)
    with pytest.raises(ValueError, match=match):
        req.validate()
    with pytest.raises(ValueError, match=match):
        sampler.stream(melody(), req)  # eagerly, not at the first next()


# ----- the sampling step itself ---------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.integers(2, 40), st.integers(0, 2**32 - 1),
       st.floats(0.05, 5), st.integers(0, 50), st.floats(0.01, 1.0))
def test_sample_tokens_only_picks_allowed(n, v, seed, temperature, top_k, top_p):
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 3, (n, v)).astype(np.float32)
    mask = rng.random((n, v)) < 0.3
    mask[np.arange(n), rng.integers(0, v, n)] = True
    u = rng.random(n)
    chosen = sample_tokens(logits, mask, temperature, top_k, top_p, u)
    assert mask[np.arange(n), chosen].all()
    if top_k == 1 or top_p <= 0.01:
        best = np.where(mask, logits, -np.inf).argmax(axis=1)
        # ties aside, the single most likely allowed token
        assert (logits[np.arange(n), chosen] == logits[np.arange(n), best]).all()


def test_sample_tokens_follows_the_distribution():
    logits = np.log(np.array([[0.5, 0.3, 0.2, 1e-9]], np.float32))
    mask = np.array([[True, True, True, True]])
    u = np.random.default_rng(0).random(10000)
    picks = np.array([sample_tokens(logits, mask, 1.0, 0, 1.0, u[i:i + 1])[0]
                      for i in range(0, 10000)])
    freq = np.bincount(picks, minlength=4) / len(picks)
    assert np.allclose(freq[:3], [0.5, 0.3, 0.2], atol=0.02)
    # top-p 0.7 keeps the two most likely: 0.5 / 0.8 and 0.3 / 0.8
    picks = np.array([sample_tokens(logits, mask, 1.0, 0, 0.7, u[i:i + 1])[0]
                      for i in range(0, 5000)])
    freq = np.bincount(picks, minlength=4) / len(picks)
    assert np.allclose(freq, [0.625, 0.375, 0, 0], atol=0.03)


def test_the_sampler_never_imports_tensorflow_or_qt():
    code = ("import sys, composer_gui.ml.sampler, composer_gui.cli.generate; "
            "bad = [m for m in ('tensorflow', 'keras', 'PySide6') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
