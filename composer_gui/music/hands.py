"""Which hand plays each note of a keyboard part recorded on one track.

A MIDI keyboard gives one track: the file does not say which notes the left hand played. Split
at middle C, a waltz's "pah" chord B-flat3 D4 G4 was torn between the staves (the right hand
then held D4 G4 under its tune's G5, an eleventh), a rag's left-hand chords above C4 went to the
treble staff, and the continuation heard the accompaniment's top notes as the tune's inner
voices (a listening review of played MIDI files). A pianist's hands are bound by what a hand
can reach, so the division is chosen as a player would: at each onset the notes struck there,
low to high, go to the left hand up to some point and to the right hand above it, and the
points are chosen together for the whole part (a Viterbi search) to keep the cost low:

* a hand holding and striking notes that span more than a minor seventh (``Reach.span_ok``)
  pays for each semitone beyond it (an octave a little, a twelfth a lot), and more than five
  notes in a hand pay a lot;
* hands that cross (the left hand's highest note at or above the right hand's lowest) pay;
* a division between two notes struck together a few semitones apart pays (a chord's cluster
  stays in one hand; the largest gap is where hands part);
* a note on the "wrong" side of middle C pays a little for each semitone (the tie-breaker,
  and what keeps a lone line where notation would put it);
* a hand that moves far from where it last played pays a little, and one that strikes while
  it still holds a note struck before pays (a tune's held note and an accompaniment's chord
  struck under it are two hands' more often than one's);
* a pitch played by the other hand within the last few bars pays (an accompaniment's chord
  struck again goes to the same hand).

Measured against the staves of the keyboard parts of music21's corpus, each merged into one
track (``python bench/hands.py``): the notes on their copyist's staff rise from 78% split at
middle C to 95% on the pieces that chose the costs and from 82% to 89% on the others.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from .score import TPQ, Note

# notes whose onsets lie this close are struck together (a played chord is spread a little)
TOGETHER = 60


@dataclass(frozen=True)
class Reach:
    """The costs of the search (chosen on half of the corpus' keyboard parts, bench/hands.py)."""

    span_ok: int = 10  # a hand's notes may span a minor seventh for nothing ...
    span: float = 3.0  # ... and pay this per semitone beyond it
    crowd: float = 20.0  # per note beyond five in a hand
    cross: float = 4.0  # per semitone the hands overlap (and one for touching)
    gap_ok: int = 6  # a division between notes struck together this far apart is free ...
    gap: float = 0.375  # ... and below it costs this per semitone
    side: float = 0.166  # per semitone a note lies on the other side of the pivot
    move_ok: int = 7  # a hand may move this far (semitones, its notes' mean) for nothing ...
    move: float = 0.1  # ... and pays this per semitone beyond
    hold: float = 2.0  # a hand striking notes while it holds one struck before
    again: float = 3.0  # a pitch the other hand played within ``memory`` ticks
    memory: int = 16 * TPQ


REACH = Reach()


def hands(notes: Sequence[Note], pivot: int, reach: Reach = REACH) -> list[bool]:
    """For each of ``notes``, whether the right hand plays it (``pivot``: middle C)."""
    return list(_hands(tuple(notes), pivot, reach))


@functools.lru_cache(maxsize=16)
def _hands(notes: tuple[Note, ...], pivot: int, reach: Reach) -> tuple[bool, ...]:
    order = sorted(range(len(notes)), key=lambda i: (notes[i].start, notes[i].pitch))
    groups: list[list[int]] = []
    for i in order:
        if groups and notes[i].start <= notes[groups[-1][0]].start + TOGETHER:
            groups[-1].append(i)
        else:
            groups.append([i])
    # a state per division of the last onset: (cost, its best predecessor, the left hand's
    # and the right hand's last positions, the notes still held (end, pitch, right hand),
    # each pitch's last onset and hand)
    State = tuple[float, int, float, float, tuple, dict]
    states: list[State] = [(0.0, -1, pivot - 12.0, pivot + 7.0, (), {})]
    history: list[tuple[list[int], list[State]]] = []
    for group in groups:
        group.sort(key=lambda i: notes[i].pitch)
        ps = [notes[i].pitch for i in group]
        t = notes[group[0]].start
        m = len(ps)
        # what each division costs in itself (the side of the pivot, the gap it parts)
        own = []
        for k in range(m + 1):
            c = reach.side * (sum(max(0, pivot - p) for p in ps[k:])
                              + sum(max(0, p - pivot + 1) for p in ps[:k]))
            if 0 < k < m and ps[k] - ps[k - 1] < reach.gap_ok:
                c += reach.gap * (reach.gap_ok - (ps[k] - ps[k - 1]))
            own.append(c)
        held_by = []
        for _c, _b, _l, _r, held, _m in states:
            still = tuple(x for x in held if x[0] > t + TOGETHER)
            held_by.append((still, [p for _e, p, up in still if not up],
                            [p for _e, p, up in still if up]))
        new: list[State] = []
        for k in range(m + 1):
            left, right = ps[:k], ps[k:]
            best: tuple[float, int, float, float] | None = None
            for si, (c0, _b, lpos, rpos, _h, memo) in enumerate(states):
                _still, hl, hr = held_by[si]
                c = c0 + own[k]
                lo, hi = left + hl, right + hr
                if left and hl:
                    c += reach.hold
                if right and hr:
                    c += reach.hold
                for hand in (lo, hi):
                    if hand:
                        span = max(hand) - min(hand)
                        if span > reach.span_ok:
                            c += reach.span * (span - reach.span_ok)
                        if len(hand) > 5:
                            c += reach.crowd * (len(hand) - 5)
                if lo and hi and max(lo) >= min(hi):
                    c += reach.cross * (max(lo) - min(hi) + 1)
                nl, nr = lpos, rpos
                if left:
                    nl = sum(left) / len(left)
                    c += reach.move * max(0.0, abs(nl - lpos) - reach.move_ok)
                if right:
                    nr = sum(right) / len(right)
                    c += reach.move * max(0.0, abs(nr - rpos) - reach.move_ok)
                for j, p in enumerate(ps):
                    last = memo.get(p)
                    if last is not None and t - last[0] <= reach.memory and last[1] != (j >= k):
                        c += reach.again
                if best is None or c < best[0]:
                    best = (c, si, nl, nr)
            assert best is not None
            c, si, nl, nr = best
            memo = dict(states[si][5])
            for j, p in enumerate(ps):
                memo[p] = (t, j >= k)
            held = held_by[si][0] + tuple((notes[i].start + notes[i].duration, notes[i].pitch,
                                           j >= k) for j, i in enumerate(group))
            new.append((c, si, nl, nr, held, memo))
        history.append((group, new))
        states = new
    ups = [False] * len(notes)
    k = min(range(len(states)), key=lambda j: states[j][0]) if history else 0
    for group, chosen in reversed(history):
        for j, i in enumerate(group):
            ups[i] = j >= k
        k = chosen[k][1]
    return tuple(ups)


__all__ = ["REACH", "TOGETHER", "Reach", "hands"]
