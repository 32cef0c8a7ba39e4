"""Where a melody's phrases end, heard in its notes alone (no fermatas, no slurs).

A chorale melody marks its phrase ends with fermatas; a composer's own melody, a folk song or
a hymn tune read from MIDI or ABC marks none. The harmonizer cadences at phrase ends
(``ml/melody_plan.py``), so it needs them: a listening review of ten such melodies harmonized
heard no cadence at 23 of their 32 phrase ends, where the only rule was a note of two beats or
more ending a two-bar unit (it finds 5% of the Essen songs' phrase ends).

How: each note but the last gets an *end-likeness*, a logistic score of what a listener hears
at a phrase end (the note longer than the melody's usual note and than the one before, a rest
after it, the next note starting where the tune's first note does in its bar, i.e. the next
phrase's upbeat), and the ends are chosen together, as a segmentation: the sum of the chosen
notes' log-odds plus :data:`END_BONUS` each, plus :data:`LENGTH_WEIGHT` times the log
probability of each phrase's length in bars (:data:`PHRASE_BARS`: folk-song and chorale
phrases are mostly two bars, then four), maximised by dynamic programming. The weights were
fitted on half of the Essen songs (whose ABC lines are their phrases) and the bach-chorales
train split's sopranos (phrases at their fermatas); ``python bench/melody_phrases.py`` measures
them on the other half and the held-out chorales, fermatas removed (docs/voices.md).
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence

from .score import Note, Score

# The end-likeness's weights (log-odds), in the order of :func:`_features`; fitted by
# ``python bench/melody_phrases.py --fit``
END_WEIGHTS = (-3.84, 2.12, 2.05, 0.21, -0.11, 0.33, -0.58, 2.22, -0.72)
# The share of phrases of each length, in bars rounded to a half (the same fit's pieces)
PHRASE_BARS = {1.0: 0.047, 1.5: 0.035, 2.0: 0.666, 2.5: 0.041, 3.0: 0.068, 3.5: 0.019,
               4.0: 0.1, 4.5: 0.006, 5.0: 0.011, 6.0: 0.004}
LENGTH_FLOOR = 1e-4  # the probability of a length not in the table
LENGTH_WEIGHT = 1.0
MAX_PHRASE_BARS = 8  # longer phrases are not searched (the table has none)
END_BONUS = 1.0  # nats each end adds: more ends are heard where the notes and lengths agree


def _features(notes: Sequence[Note], score: Score) -> list[tuple[float, ...]]:
    """Per note but the last: (1, log of its span to the next attack over the median span, a
    rest after it, longer than the span before, at least the span after, on a beat, on the
    downbeat, the next attack where the first note falls in its bar, log of the next span over
    the median)."""
    spans = [max(1, b.start - a.start) for a, b in itertools.pairwise(notes)]
    median = statistics.median(spans)
    first = notes[0].start
    out = []
    for i, n in enumerate(notes[:-1]):
        ts = score.time_signature_at(n.start)
        span = spans[i]
        before = spans[i - 1] if i else span
        after = spans[i + 1] if i + 1 < len(spans) else span
        pos = n.start - score.bar_start(score.bar_at(n.start))
        out.append((1.0, math.log(span / median), float(notes[i + 1].start > n.end),
                    float(span > before), float(span >= after), float(pos % ts.beat_ticks == 0),
                    float(pos == 0), float((notes[i + 1].start - first) % ts.bar_ticks == 0),
                    math.log(after / median)))
    return out


def end_likeness(notes: Sequence[Note], score: Score) -> list[float]:
    """Log-odds, per note but the last, that a phrase ends on it (``notes``: one line, sorted)."""
    return [sum(w * x for w, x in zip(END_WEIGHTS, f, strict=True))
            for f in _features(notes, score)]


def melody_phrase_ends(notes: Sequence[Note], score: Score) -> list[int]:
    """The start ticks of the notes a melody's inner phrases end on (its last note is the
    piece's end, not counted), chosen together by their end-likeness and the lengths of the
    phrases they make. ``notes``: one line (a chord's notes are read by its top note)."""
    line: dict[int, Note] = {}
    for n in notes:
        if n.start not in line or n.pitch > line[n.start].pitch:
            line[n.start] = n
    ns = [line[t] for t in sorted(line)]
    if len(ns) < 3:
        return []
    logit = end_likeness(ns, score)
    m = len(ns) - 1
    # bounds[j]: where the phrase after an end on note j - 1 starts (bounds[0]: the first note)
    bounds = [n.start for n in ns]

    def length_score(a: int, z: int) -> float:
        bar = score.time_signature_at(a).bar_ticks
        bars = round(2 * (z - a) / bar) / 2
        return LENGTH_WEIGHT * math.log(PHRASE_BARS.get(bars, 0.0) + LENGTH_FLOOR)

    best = [-math.inf] * (m + 1)
    back = [-1] * (m + 1)
    best[0] = 0.0
    for j in range(1, m + 1):
        gain = logit[j - 1] + END_BONUS
        for k in range(j - 1, -1, -1):
            v = best[k] + length_score(bounds[k], bounds[j]) + gain
            if v > best[j]:
                best[j], back[j] = v, k
            bar = score.time_signature_at(bounds[k]).bar_ticks
            if bounds[j] - bounds[k] > MAX_PHRASE_BARS * bar:
                break
    end = max(n.end for n in ns)
    j = max(range(m + 1), key=lambda j: best[j] + length_score(bounds[j], end))
    out = []
    while j > 0:
        out.append(ns[j - 1].start)
        j = back[j]
    return sorted(out)
