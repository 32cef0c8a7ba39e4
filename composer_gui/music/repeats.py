"""Repeat signs for notation: where a score plays the same bars twice in a row, MusicXML export
writes them once between repeat signs, with first and second endings where only the last bars
differ. No Qt.

A score is a timeline (a piano roll, a MIDI file): a tune read from ABC or MusicXML with repeat
signs is expanded as played (``notation._as_played``), and a continuation may restate a section.
A copyist writes such music once: a review of exported folk tunes read every reel's two strains
written out twice. MIDI export and playback keep the timeline; only the notation folds it, and
reading the notation back (music21 expands repeats) gives the same timeline.

What folds: a section of at least ``MIN_BARS`` whole bars (at most ``MAX_BARS``) whose next bars
repeat it note for note in every part (pitch, place, length, velocity, marks, fermatas, chord
symbols, the bar's length, meter and key; the words may differ: a chorale's repeated first
part sung to its second verse is written once with both verses under it,
:func:`second_verse`), or repeat all but its last one or two bars (the first and second
endings: a reel's second ending is often its short last bar) after at least ``MIN_BARS`` - 1
bars the same (a 4-bar strain whose last bar leads back or on; not 2 bars and 2 endings).
Nothing is tied across the section's edges or its endings', and no tempo mark falls inside it.
Sections are found from the start, the longest first, and do not overlap.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from .score import Score

REPEATS = True  # fold repeated sections in notation (MusicXML export, the score view)
MIN_BARS = 4  # a shorter figure played twice is written out, as copyists do
MAX_BARS = 32  # the longest section looked for (a strain of a tune is 8 or 16 bars)
MAX_ENDING = 2  # bars of a first (and second) ending


@dataclass(frozen=True)
class Repeat:
    """Bars ``start`` .. ``end - 1`` (indices into the bars given to :func:`find_repeats`) are
    played twice; the last ``ending`` of them are the first ending, replaced the second time by
    the ``ending`` bars after the repeat (bars ``2 * end - start - ending`` on): the second
    ending. Bars ``end`` .. ``2 * end - start - ending - 1`` are not written."""

    start: int
    end: int
    ending: int = 0

    @property
    def length(self) -> int:
        return self.end - self.start

    @property
    def after(self) -> int:
        """The first bar after the repeat and its second ending, in the timeline."""
        return self.end + self.length


@dataclass(frozen=True)
class WrittenBar:
    """One bar as notation writes it: its index in the timeline's bars, and its bar lines."""

    index: int
    forward: bool = False  # a forward repeat sign at its left
    backward: bool = False  # a backward repeat sign at its right
    ending: int = 0  # the bar is in ending 1 or 2 (0: none)
    ending_start: bool = False  # the ending begins with this bar
    ending_stop: bool = False  # ... and ends with it


def find_repeats(score: Score, bars: Sequence[tuple[int, int]],
                 marks: Sequence[int] = ()) -> list[Repeat]:
    """The sections of ``score`` to write once between repeat signs; ``bars`` are (start, end)
    ticks of each bar as notation writes it (a pickup bar short), ``marks`` the ticks of tempo
    marks."""
    if not REPEATS or len(bars) < 2 * MIN_BARS:
        return []
    keys = _bar_keys(score, bars)
    clean = _clean_edges(score, bars)
    marks = sorted(marks)
    found: list[Repeat] = []
    i = 0
    while i + 2 * MIN_BARS <= len(bars):
        repeat = _longest_at(i, keys, clean, bars, marks)
        if repeat is None:
            i += 1
        else:
            found.append(repeat)
            i = repeat.after
    return found


def second_verse(score: Score, bars: Sequence[tuple[int, int]], repeats: Sequence[Repeat]
                 ) -> dict[tuple[int, int, int], str]:
    """The words the second time through a repeat sings, to write as a second verse under the
    bars written once: (part, start, pitch) of the note written -> its syllable, where the
    note played the second time has one other than the first time's."""
    out: dict[tuple[int, int, int], str] = {}
    for r in repeats:
        first, second = bars[r.start][0], bars[r.end][0]
        common_end = bars[r.end - r.ending][0]
        shift = second - first
        for p, part in enumerate(score.parts):
            sung = {(n.start, n.pitch): n.lyric for n in part.notes
                    if first <= n.start < common_end}
            for n in part.notes:
                if second <= n.start < second + common_end - first and n.lyric and \
                        sung.get((n.start - shift, n.pitch)) != n.lyric:
                    out[p, n.start - shift, n.pitch] = n.lyric
    return out


def written_bars(count: int, repeats: Sequence[Repeat]) -> list[WrittenBar]:
    """The bars notation writes, in order, with their repeat signs and endings."""
    out: list[WrittenBar] = []
    by_start = {r.start: r for r in repeats}
    i = 0
    while i < count:
        r = by_start.get(i)
        if r is None:
            out.append(WrittenBar(i))
            i += 1
            continue
        common = r.end - r.ending
        for b in range(r.start, r.end):
            first_ending = b >= common and r.ending > 0
            out.append(WrittenBar(
                b, forward=b == r.start, backward=b == r.end - 1,
                ending=1 if first_ending else 0,
                ending_start=first_ending and b == common,
                ending_stop=first_ending and b == r.end - 1))
        for b in range(r.after - r.ending, r.after):
            out.append(WrittenBar(b, ending=2, ending_start=b == r.after - r.ending,
                                  ending_stop=b == r.after - 1))
        i = r.after
    return out


def describe(repeats: Sequence[Repeat], number) -> str:
    """The export's note: "bars 1-8 and 9-16 repeated: written once between repeat signs"
    (``number``: a bar index -> its number as written)."""
    spans = []
    for r in repeats:
        span = f"bars {number(r.start)}-{number(r.end - 1)}"
        if r.ending:
            span += f" (with {'endings' if r.ending > 1 else 'an ending'} of {r.ending} bar"
            span += "s)" if r.ending > 1 else ")"
        spans.append(span)
    return ("played twice, written once between repeat signs: " + ", ".join(spans)
            + " (MIDI export plays them out)")


# ----- the comparison ----------------------------------------------------------------------------
def _bar_keys(score: Score, bars: Sequence[tuple[int, int]]) -> list[tuple]:
    """What must be equal for two bars to be one written bar played twice."""
    starts = [m0 for m0, _ in bars]
    per_bar: list[list] = [[] for _ in bars]
    for p, part in enumerate(score.parts):
        for n in part.notes:
            b = bisect.bisect_right(starts, n.start) - 1
            if b >= 0 and n.start < bars[b][1]:
                per_bar[b].append((p, n.start - bars[b][0], n.duration, n.pitch, n.velocity,
                                   n.marks, n.graces))
    fermatas = [[] for _ in bars]
    for t in score.fermatas:
        b = bisect.bisect_right(starts, t) - 1
        if b >= 0:
            fermatas[b].append(t - bars[b][0])
    for c in score.chord_symbols:  # (a second strain's other chords: written out)
        b = bisect.bisect_right(starts, c.tick) - 1
        if b >= 0:
            fermatas[b].append((c.tick - bars[b][0], c.text))
    # a meter or key written at the bar (restated or not: it is written there, and a bar
    # written once would lose it)
    marked = {e.tick for e in (*score.time_signatures, *score.key_signatures) if e.tick > 0}
    keys = []
    for b, (m0, m1) in enumerate(bars):
        ts, key = score.time_signature_at(m0), score.key_at(m0)
        keys.append((m1 - m0, ts.numerator, ts.denominator, key, tuple(sorted(per_bar[b])),
                     tuple(fermatas[b]), m0 in marked))
    return keys


def _clean_edges(score: Score, bars: Sequence[tuple[int, int]]) -> list[bool]:
    """Per bar: no note is held across its bar line at the left (a tie into it)."""
    held = bytearray(len(bars) + 1)
    starts = [m0 for m0, _ in bars]
    for part in score.parts:
        for n in part.notes:
            first = bisect.bisect_right(starts, n.start)
            last = bisect.bisect_left(starts, n.end)
            for b in range(first, min(last, len(bars))):
                held[b] = 1
    return [not h for h in held[:len(bars)]] + [True]


def _longest_at(i: int, keys: list, clean: list[bool], bars: Sequence[tuple[int, int]],
                marks: list[int]) -> Repeat | None:
    n = len(bars)
    for length in range(min(MAX_BARS, (n - i) // 2), MIN_BARS - 1, -1):
        if keys[i] != keys[i + length] or not any(keys[b][4] for b in range(i, i + length)):
            continue  # (bars without a note are not a section played twice)
        same = 0
        while same < length and keys[i + same] == keys[i + length + same]:
            same += 1
        ending = length - same
        if ending > MAX_ENDING or (ending and same < MIN_BARS - 1):
            continue
        repeat = Repeat(i, i + length, ending)
        edges = {i, i + length, repeat.after, i + length - ending, repeat.after - ending}
        if not all(clean[e] for e in edges if e < len(clean)):
            continue
        inside = bisect.bisect_right(marks, bars[i][0])
        if inside < len(marks) and marks[inside] < bars[repeat.after - 1][1]:
            continue  # a tempo mark inside: the second time would not be the first's
        return repeat
    return None
