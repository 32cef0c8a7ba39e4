"""Phrase ends heard in a melody without fermatas (music/phrases.py)."""

from __future__ import annotations

from composer_gui.music.phrases import end_likeness, melody_phrase_ends
from composer_gui.music.score import TPQ, Note, Part, Score, TimeSignature


def tune(bars: list[list[tuple[int, float]]], ts: TimeSignature | None = None,
         upbeat: list[tuple[int, float]] = ()) -> Score:
    """Bars of (pitch, quarters) notes (pitch 0: a rest) after an optional upbeat that ends
    bar 0, so bar 1 starts at ``ts.bar_ticks`` (4/4 unless given)."""
    ts = ts or TimeSignature(0)
    notes, t = [], ts.bar_ticks - sum(round(q * TPQ) for _, q in upbeat) if upbeat else 0
    for pitch, q in [*upbeat, *(n for bar in bars for n in bar)]:
        if pitch:
            notes.append(Note(t, pitch, round(q * TPQ)))
        t += round(q * TPQ)
    return Score(parts=(Part(tuple(notes), name="Melody"),), time_signatures=(ts,),
                 pickup=ts.bar_ticks // 2 if upbeat else 0)


def test_a_folk_songs_phrases_end_on_its_long_notes_before_rests_and_upbeats():
    """Four 2-bar phrases of quarters in 4/4, each after a half-bar upbeat, each ending on a
    half note (one of them followed by a rest): every end is heard, and no note inside a
    phrase. The rule before (a note of two beats ending a two-bar unit) heard none: these
    halves end mid-bar, where the next phrase's upbeat starts."""
    q = lambda *ps: [(p, 1.0) for p in ps]  # noqa: E731
    up = q(55, 57)
    bars = [q(60, 62, 64, 65), [(67, 2.0), *q(64, 62)],
            q(60, 62, 64, 60), [(62, 2.0), *q(67, 69)],
            q(71, 72, 74, 72), [(71, 2.0), *q(67, 69)],
            q(71, 69, 67, 65), [(64, 2.0), (0, 1.0), *q(67)],
            q(65, 64, 62, 59), [(60, 3.0), (0, 1.0)]]
    score = tune(bars, upbeat=up)
    bar = score.time_signatures[0].bar_ticks
    ends = melody_phrase_ends(score.parts[0].notes, score)
    assert ends == [b * bar for b in (2, 4, 6, 8)]
    # each end outscores every note inside its phrase
    notes = sorted(score.parts[0].notes, key=lambda n: n.start)
    odds = dict(zip((n.start for n in notes), end_likeness(notes, score), strict=False))
    inside = [odds[t] for t in odds if t not in ends]
    assert min(odds[t] for t in ends) > max(inside)


def test_a_melody_too_short_or_all_one_length_is_given_no_forced_ends():
    one = tune([[(60, 1.0)] * 2])
    assert melody_phrase_ends(one.parts[0].notes, one) == []
    # even quarters with no rest: the lengths alone mark nothing but the piece's own shape
    even = tune([[(60 + i % 5, 1.0) for i in range(4)] for _ in range(2)])
    assert melody_phrase_ends(even.parts[0].notes, even) == []


def test_a_three_four_air_is_phrased_in_its_own_bars():
    """A 3/4 air in 2-bar phrases ending on dotted halves, after a one-beat upbeat."""
    ts = TimeSignature(0, 3, 4)
    q = lambda *ps: [(p, 1.0) for p in ps]  # noqa: E731
    bars = [q(60, 64, 67), [(65, 2.0), *q(62)], q(64, 65, 67), [(60, 2.0), *q(67)],
            q(69, 67, 65), [(64, 2.0), *q(62)], q(64, 62, 59), [(60, 3.0)]]
    score = tune(bars, ts, upbeat=q(55))
    bar = ts.bar_ticks
    assert melody_phrase_ends(score.parts[0].notes, score) == [2 * bar, 4 * bar, 6 * bar]
