"""A keyboard left hand's figure: heard in a sketch, and played again on the model's chords.

A waltz's oom-pah-pah, an Alberti bass, a nocturne's arpeggio or a barcarolle's bass and chord
are one pattern repeated bar after bar: the same onsets, each striking the same places of the
bar's chord (its lowest note, its top, ...). The voice models write chorale voices, so a
continuation had turned every such figure into held four-part chords (a trial's piano
sketches: "no seed keeps its figure"). Here the pattern is heard in the sketch's last bars
(:func:`find_figure`) and the continuation's left hand is played in it (:func:`realize`): each
onset strikes the ranks of the model's chord on its beat that the sketch's struck, voiced near
where the sketch's notes lay and moving by the smallest steps, the bass the model's own.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from composer_gui.ml.sampler import GeneratedNote
from composer_gui.ml.voices import VoicePlan
from composer_gui.music.analysis import SEVENTHS, TRIADS
from composer_gui.music.clefs import MIDDLE_C, paired_hands, split_hands, upper_staff_from
from composer_gui.music.score import TPQ, Note, Score

GRID = TPQ // 8  # onsets and lengths compared to a 32nd (a played sketch's small unevenness)
BARS_HEARD = 4  # the figure is looked for in the last bars of the sketch before the span
MIN_ONSETS = 2  # a period of one onset (a held chord, block chords a beat) is no figure
REPEAT_SHARE = 0.6  # ... and it fills this share of those bars' periods (twice at least)
LINE_STEPS = 0.25  # a hand whose single notes move by step more often than this is a line
# the figure's bass lies at most this far below the sketch's lowest note of it, and its moves
# weigh this many times a note above it's (a nocturne's arpeggio from B1 had gone down to E1)
BASS_BELOW = 12
BELOW_COST = 1.0  # ... costing this much a semitone below it: a lower bass where it leaves
# the ranks above room (an Alberti bass on F3 under middle C had struck its A3 three times)
BASS_WEIGHT = 2.0
LOWEST_BASS = 33  # ... and not below A1 unless the sketch's is (a continuation on E1)


UNITS = {1: "a bar", 2: "every half bar", 0: "a beat"}


@dataclass(frozen=True)
class Slot:
    """One onset of the figure: where in its period, how long, and which ranks of the
    chord (0 its lowest note) it strikes."""

    offset: int
    duration: int
    ranks: tuple[int, ...]


@dataclass(frozen=True)
class Figure:
    period: int  # ticks: a bar, half a bar or a beat
    origin: int  # a tick a period starts at (a bar line)
    slots: tuple[Slot, ...]
    anchor: tuple[int, ...]  # the pitch of each rank in the sketch's last period of it
    unit: str  # the period in words: "a bar", "every half bar", "a beat"
    low: int = 0  # the lowest note of the hand in the bars it was heard in
    bass_rank: int = 0  # the rank its first onset strikes lowest: where the model's bass goes

    @property
    def size(self) -> int:
        return len(self.anchor)

    def describe(self) -> str:
        """The figure in words, for the panel: "oom-pah-pah, 3 notes a bar" (a review found
        "3 onsets a bar on a 3-note chord" a programmer's words)."""
        return f"{self.kind()}, {len(self.slots)} notes {self.unit}"

    def kind(self) -> str:
        """What a pianist calls the figure, by the ranks its onsets strike."""
        ranks = [s.ranks for s in self.slots]
        singles = [r[0] for r in ranks if len(r) == 1]
        if all(len(r) == self.size for r in ranks):
            return "repeated chords"
        if self.size == 2 and len(singles) == len(ranks) and \
                (self.anchor[1] - self.anchor[0]) % 12 == 0:
            return "broken octaves"
        fours = [singles[k:k + 4] for k in range(0, len(singles), 4)]
        if len(singles) == len(ranks) and len(singles) % 4 == 0 and all(
                c[0] < c[2] < c[1] == c[3] for c in fours):
            return "an Alberti bass"
        if len(singles) == len(ranks):
            return "an arpeggio" if len(set(singles)) >= 3 else "a broken chord"
        if len(ranks[0]) == 1 and all(len(r) > 1 for r in ranks[1:]):
            return "oom-pah-pah" if len(ranks) == 3 else "oom-pah"
        if self.bass_rank > 0 or sum(len(r) == 1 for r in ranks) >= 2:
            return "bass and chords"
        return "a figure"


def _pattern(notes: Sequence[Note], start: int, period: int
             ) -> tuple[tuple[Slot, ...], tuple[int, ...]] | None:
    """The slots (each as long as its longest note) and the pitches by rank of the notes
    starting in ``[start, start+period)``, each onset taken to the nearest :data:`GRID`
    first (a played bass struck a little before its bar line is the bar's first note, not
    the last of the bar before: a review's waltz recording had been heard with no "oom")."""
    inside = [n for n in notes if start <= _on_grid(n.start) < start + period]
    if not inside:
        return None
    pitches = tuple(sorted({n.pitch for n in inside}))
    rank = {p: r for r, p in enumerate(pitches)}
    by_onset: dict[int, list[Note]] = {}
    for n in inside:
        by_onset.setdefault(_on_grid(n.start) - start, []).append(n)
    slots = tuple(Slot(off, max(n.duration for n in group),
                       tuple(sorted({rank[n.pitch] for n in group})))
                  for off, group in sorted(by_onset.items()))
    return slots, pitches


def _on_grid(tick: int) -> int:
    return round(tick / GRID) * GRID


def _shape(slots: Sequence[Slot]) -> tuple[tuple[int, tuple[int, ...]], ...]:
    """Where a pattern's onsets fall and which ranks they strike: two periods of a figure
    played from a keyboard hold their notes for different lengths (a review's recordings,
    each release 70 to 105% of the written value, had shown no figure at all)."""
    return tuple((x.offset, x.ranks) for x in slots)


def find_figure(notes: Sequence[Note], bars: Sequence[tuple[int, int]], beat: int,
                before: int) -> Figure | None:
    """The figure the left hand's ``notes`` repeat in the last :data:`BARS_HEARD` whole bars
    (``bars``: the score's, start and end ticks) before ``before`` (``beat``: the beat in
    ticks), or None. Of a bar, half a bar and a beat, the longest period whose pattern
    repeats is it: an Alberti bass C-G-E-G is a half bar's, since a bar of it under two chords
    repeats no bar before it; read a beat at a time, C-G and E-G would be one two-note figure.
    A pattern repeats where it fills :data:`REPEAT_SHARE` of the periods: a nocturne's last
    bar, one arpeggio note struck by the right hand, is still the figure of the bars before."""
    heard = [(a, b) for a, b in bars if b <= before][-BARS_HEARD:]
    if not heard or _walks([x for x in notes if heard[0][0] <= x.start < before]):
        return None
    for per_bar in (1, 2, 0):  # a bar, half a bar, a beat
        periods: list[tuple[int, int]] = []
        for a, b in heard:
            length = b - a
            period = length // per_bar if per_bar else beat
            if period <= 0 or length % period or period % GRID:
                periods = []
                break
            periods += [(t, period) for t in range(a, b, period)]
        if len(periods) < 2 or len({p for _, p in periods}) != 1:
            continue
        found = [_pattern(notes, t, p) for t, p in periods]
        # (the periods of the last two bars: a figure the sketch took up there is its figure)
        recent = [k for k, (t, _) in enumerate(periods) if t >= heard[-min(2, len(heard))][0]]
        for got in reversed(found):  # the latest pattern that repeats
            if got is None or len(got[0]) < MIN_ONSETS or len(got[1]) < 2 or \
                    not fits_chord(frozenset(p % 12 for p in got[1])) or _steps(got):
                continue
            same = [k for k, other in enumerate(found) if other is not None
                    and _shape(other[0]) == _shape(got[0])
                    and fits_chord(frozenset(p % 12 for p in other[1]))]
            if len(same) >= max(2, REPEAT_SHARE * len(periods)) or (
                    len(recent) >= 2 and set(recent) <= set(same)):
                low = min(x.pitch for x in notes if heard[0][0] <= x.start < before)
                slots = _held([found[k][0] for k in same], periods[0][1])
                return Figure(period=periods[0][1], origin=heard[0][0], slots=slots,
                              anchor=got[1], unit=UNITS[per_bar], low=low,
                              bass_rank=min(got[0][0].ranks))
    return None


def _held(patterns: Sequence[tuple[Slot, ...]], period: int) -> tuple[Slot, ...]:
    """The slots of a figure's periods (one shape) with the length each note is held in most
    of them; one held for more than half the time to the next onset is held up to it (a
    played eighth let go at 70 to 105% of its value is an eighth: continued at 180 ticks of
    240, a review's broken chords would have been written as dotted sixteenths and rests)."""
    first = patterns[-1]
    onsets = [x.offset for x in first] + [period + first[0].offset]
    out = []
    for k, slot in enumerate(first):
        held = sorted(p[k].duration for p in patterns)[len(patterns) // 2]
        gap = onsets[k + 1] - slot.offset
        out.append(replace(slot, duration=gap if gap / 2 < held < gap else
                           max(GRID, round(held / GRID) * GRID)))
    return tuple(out)


def _walks(notes: Sequence[Note]) -> bool:
    """Whether the hand is a line: its single notes move by step more than
    :data:`LINE_STEPS` of the time from one to the next, and seldom strike again a pitch of the
    three before (a walking bass, C-D-E-G F-G-A-C, though a half bar of it may look like a
    broken chord: a review; an Alberti bass on V6/5, G#-E-D-E, steps to and from its top note
    and strikes it again)."""
    by_onset: dict[int, list[int]] = {}
    for x in notes:
        by_onset.setdefault(x.start, []).append(x.pitch)
    singles = [ps[0] if len(ps) == 1 else None for _, ps in sorted(by_onset.items())]
    moves = [(a, b) for a, b in itertools.pairwise(singles) if a is not None and b is not None]
    again = sum(p is not None and p in singles[max(0, k - 3):k] for k, p in enumerate(singles))
    return bool(moves) and sum(1 <= abs(a - b) <= 2 for a, b in moves) > LINE_STEPS * len(moves) \
        and again <= LINE_STEPS * len(singles)


def _steps(pattern: tuple[tuple[Slot, ...], tuple[int, ...]]) -> bool:
    """Whether single notes of the pattern move to the next by a step, each struck once: a
    line (a walking bass), not a chord broken (a review found one continued as leaping
    arpeggios; an Alberti bass on V6/5 steps to its top note and back)."""
    slots, pitches = pattern
    singles = [pitches[s.ranks[0]] if len(s.ranks) == 1 else None for s in slots]
    struck = [p for p in singles if p is not None]
    return len(set(struck)) == len(struck) and any(
        a is not None and b is not None and 1 <= abs(a - b) <= 2
        for a, b in itertools.pairwise(singles))


def fits_chord(classes: frozenset[int]) -> bool:
    """Pitch classes that one triad or seventh chord holds (a figure plays a chord: a walking
    bass's scale, C-D-E-F, is a line, which a review found continued as leaping arpeggios)."""
    if len(classes) > 4:
        return False
    return any(classes <= {(root + s) % 12 for s in steps}
               for root in range(12) for steps in (*TRIADS.values(), *SEVENTHS.values()))


def chord_tones(bass: int, classes: frozenset[int]) -> frozenset[int]:
    """The chord over ``bass`` (a pitch class) in ``classes``: all of them where they make one
    triad or seventh chord, else the most of them that do with the bass (the model's voices
    on a beat hold a passing note or a suspension: a habanera's left hand struck B-flat
    against A)."""
    if fits_chord(classes) or bass not in classes:
        return classes
    rest = sorted(classes - {bass})
    for k in range(len(rest) - 1, 0, -1):
        for kept in itertools.combinations(rest, k):
            chord = frozenset((bass, *kept))
            if fits_chord(chord):
                return chord
    return frozenset({bass})


@dataclass(frozen=True)
class Chord:
    """What the figure plays on at an onset: the bass the model wrote, the chord's pitch
    classes, and the highest pitch the hand may take there (below the other hand)."""

    bass: int
    classes: frozenset[int]
    ceiling: int
    over: frozenset[int] = frozenset()  # the other hand's pitch classes sounding there


def realize(figure: Figure, start: int, stop: int,
            chord_at: Callable[[int, bool], Chord | None], velocity: int,
            final: int | None = None, close_from: int = 0,
            per_beat: bool = False, beat: int = TPQ) -> list[Note]:
    """The figure played from ``start`` to ``stop`` (no onset at or after it, no note past
    it) on the chords ``chord_at`` gives per onset tick (None: the hand rests there), each
    onset voiced by :func:`voicing` (``chord_at(t, True)``: the chord of the beat ``t`` lies
    in, with the other hand's notes at ``t``). At ``final`` (where the bass strikes the final
    chord of a piece that closes with a cadence) the figure stops and the chord is struck
    whole, from its bass up, and held to the end; before it, from ``close_from`` (its bar),
    each onset plays its beat's own chord: a march's alternating bass had put the final tonic
    over its fifth, and a figure running on past it had ended a stride piece on a six-four.
    An onset whose notes rub a semitone against the other hand's takes its beat's own chord
    instead, or leaves the rubbing notes out where others remain (:func:`_unrubbed`);
    ``per_beat``: every onset its beat's chord (another variation where the unit's chords
    gave one already written)."""
    out: list[Note] = []
    last = list(figure.anchor)
    first = start - (start - figure.origin) % figure.period
    end = stop if final is None else final

    def struck(t: int, ranks: Sequence[int], exact: bool) -> tuple[set[int], Chord] | None:
        chord = chord_at(t, exact)
        if chord is None or not chord.classes:
            return None
        voiced = voicing(chord, last, figure.anchor, figure.low, figure.bass_rank)
        for r, p in enumerate(voiced):
            if p is not None:
                last[r] = p
        return _with_third({_nearest_voiced(voiced, r) for r in ranks}, chord), chord

    for t0 in range(first, end, figure.period):
        for slot in figure.slots:
            t = t0 + slot.offset
            if t < start or t >= end:
                continue
            # (the bar that closes: each beat's own chord, where one a unit had played its
            # dominant's beats on the chord before, and the cadence was gone)
            exact = per_beat or (final is not None and t >= close_from)
            got = struck(t, slot.ranks, exact)
            if got is not None and _rubs(*got) and not exact:
                other = struck(t, slot.ranks, True)
                if other is not None and not _rubs(*other):
                    got = other
            if got is not None:
                pitches = _unrubbed(*got)
                out += [Note(t, p, max(1, min(slot.duration, end - t)), velocity)
                        for p in sorted(pitches)]
    if final is not None and THIRD_IN_BEAT:
        out = _thirds_in_beats(out, max(start, close_from), final,
                               lambda t: (t - first) // beat, chord_at)
    if final is not None and start <= final < stop:
        chord = chord_at(final, True)
        if chord is not None and chord.classes:
            bass = voicing(chord, last, figure.anchor, figure.low, figure.bass_rank)
            out += [Note(final, p, stop - final, velocity)
                    for p in final_chord(bass[figure.bass_rank] or chord.bass, chord)]
    return sorted(out)


# An onset of two notes or more keeps its chord's third where neither it nor the other hand
# sounds it: a note that doubles another's pitch class (or the bass's) moves to the nearest
# third under the ceiling. A waltz's "pah" on its dominant's beat had struck E-flat3 B-flat3
# over B-flat2, the leading tone G nowhere, and the close sounded ii-I (a re-review)
THIRD_KEPT = True


def _third(chord: Chord) -> int | None:
    """The pitch class of ``chord``'s third over its bass; None where it has none, or both."""
    bass = chord.bass % 12
    thirds = [pc for pc in ((bass + 3) % 12, (bass + 4) % 12) if pc in chord.classes]
    return thirds[0] if len(thirds) == 1 else None


def _with_third(pitches: set[int], chord: Chord) -> set[int]:
    """``pitches`` (an onset's) with a doubled note moved to the chord's third where the
    onset and the other hand lack it (:data:`THIRD_KEPT`)."""
    bass, third = chord.bass % 12, _third(chord)
    if not THIRD_KEPT or len(pitches) < 2 or third is None:
        return pitches
    have = [p % 12 for p in pitches]
    if third in have or third in chord.over:
        return pitches
    doubled = [p for p in sorted(pitches) if have.count(p % 12) > 1 or p % 12 == bass]
    for p in reversed(doubled):  # (the highest first: the bass's own note stays)
        options = [q for q in range(p - 4, p + 5) if q % 12 == third and q <= chord.ceiling
                   and q not in pitches]
        if options and not (p == min(pitches) and p % 12 == bass):
            return (pitches - {p}) | {min(options, key=lambda q: abs(q - p))}
    return pitches


# ... and in the bars that close (where each beat plays its own chord), each beat's notes
# together sound its chord's third where the other hand does not: an Alberti bass strikes two
# of its chord's three notes in a beat, and the cadence's dominant had lost its leading tone
# (a sonatina's V before the final: E3 A3 under E5, its C# in no hand; a re-review heard 7 of
# 12 piano cadences without a dominant)
THIRD_IN_BEAT = True


def _thirds_in_beats(notes: list[Note], since: int, until: int, beat_of: Callable[[int], int],
                     chord_at: Callable[[int, bool], Chord | None]) -> list[Note]:
    """``notes`` (a realized hand) with, in each beat from ``since`` to ``until``, its last
    note above the beat's lowest moved to the beat chord's nearest third where neither that
    beat's notes nor the other hand's sound it (:data:`THIRD_IN_BEAT`)."""
    out = list(notes)
    beats = sorted({beat_of(x.start) for x in out if since <= x.start < until})
    for b in beats:
        inside = [k for k, x in enumerate(out) if beat_of(x.start) == b and x.start < until]
        chord = chord_at(out[inside[0]].start, True) if inside else None
        if chord is None or len(inside) < 2:
            continue
        third = _third(chord)
        over = {pc for k in inside for pc in (chord_at(out[k].start, True) or chord).over}
        if third is None or third in over or any(out[k].pitch % 12 == third for k in inside):
            continue
        low = min(out[k].pitch for k in inside)
        movable = [k for k in inside if out[k].pitch > low]
        for k in reversed(movable):
            p = out[k].pitch
            here = chord_at(out[k].start, True) or chord
            options = [q for q in range(p - 4, p + 5) if q % 12 == third and low < q
                       and q <= here.ceiling and not _rubs({q}, here)]
            if options:
                out[k] = replace(out[k], pitch=min(options, key=lambda q: abs(q - p)))
                break
    return out


def _rubs(pitches: set[int], chord: Chord) -> bool:
    """Whether a note of ``pitches`` lies a semitone (or a major seventh, a minor ninth) from
    a note the other hand sounds (``chord.over``)."""
    return any((p - q) % 12 in (1, 11) for p in pitches for q in chord.over)


def _unrubbed(pitches: set[int], chord: Chord) -> set[int]:
    """``pitches`` without the ones that rub against the other hand, where others remain (a
    regenerated left hand had struck C#2 under the kept tune's F4... and A3 under B-flat4: a
    review)."""
    kept = {p for p in pitches if not _rubs({p}, chord)}
    return kept or pitches


LOW_FIFTH = 48  # below C3, the notes over a chord's lowest lie a fifth apart at least


def final_chord(bass: int, chord: Chord) -> list[int]:
    """The left hand's final chord over ``bass``: its chord tones within an octave of it, no
    closer than a fifth to the note below under C3 (a held final chord a twelfth to two
    octaves wide had been no hand's, and a low close third is mud: a review), so a low bass
    takes its fifth and octave, and the right hand the third."""
    out = [bass]
    for p in range(bass + 1, min(bass + 12, chord.ceiling) + 1):
        room = 7 if out[-1] < LOW_FIFTH else 3
        if p % 12 in chord.classes and (p - out[-1] >= room or p == bass + 12):
            out.append(p)
    return out


# Where the final chord falls on the last bar's downbeat (a waltz's, a march's), the bar before
# it plays each beat's own chord as the closing bar does: its dominant is on its last beats,
# and the bar's one chord (the one the tune sounds longest in) had been ii or IV, the waltz
# closing ii-I with no leading tone in 3 of 3 seeds (a re-review, session 81)
DOMINANT_BAR_EXACT = True


# A piece that closes with a cadence ends on a chord with its third: where neither the left
# hand's final chord (its fifth and octave over a low bass, FINAL_CHORD's hand span) nor the
# tune's last note has it, the right hand takes it (and the fifth, where neither has that)
# under its last note, as a pianist's last chord is played. 51 of 78 continued piano sketches
# had ended on a bare fifth or octave (a waltz on E2 B2 E3 under E5)
FINAL_THIRD_FILLED = True


def final_fill(top: int, chord: Chord, lh: Sequence[int], floor: int) -> list[int]:
    """The pitches the right hand adds under its last note ``top`` to the final ``chord``: its
    third, and then its fifth, over its bass where neither hand sounds them (``lh``: the left
    hand's final pitches; ``chord.over`` the right hand's pitch classes), within an octave
    under ``top``, above the left hand's highest note and the right hand's staff (``floor``).
    Where the tune lies too low for it, nothing (the right hand keeps its staff)."""
    if not FINAL_THIRD_FILLED or not lh:
        return []
    bass = chord.bass % 12
    lh_top = max(lh)
    sounding = {top % 12, *chord.over, *(p % 12 for p in lh)}
    out: list[int] = []
    for steps in ((3, 4), (7,)):  # the third, then the fifth
        pcs = [(bass + s) % 12 for s in steps if (bass + s) % 12 in chord.classes]
        if not pcs or any(pc in sounding for pc in pcs):
            continue
        below = [p for p in range(top - 1, top - 12, -1)
                 if p % 12 in pcs and p > lh_top and p >= floor]
        if below and (steps != (7,) or out):  # (the fifth only beside a third added)
            out.append(below[0])
            sounding.add(below[0] % 12)
    return sorted(out)


def figure_heard(plan: FigurePlan, notes: Sequence[GeneratedNote]) -> frozenset:
    """What the hand plays on a candidate's voices (``notes``): the figure realized on their
    chords (:func:`realize`, without the final chord's), as ("figure", start, pitch). Two
    candidates whose voices differ only where the figure does not show it (a march's walking
    bass under the fifth below its root on the second beat) play alike."""
    voices: dict[int, list[Note]] = {}
    for g in notes:
        if g.voice is not None:
            voices.setdefault(g.voice, []).append(g.note)
    if not voices.get(plan.hand[-1]):
        return frozenset()
    played_notes = realize(plan.figure, plan.start, plan.stop, _chords(plan, voices), 1,
                           beat=plan.beat)
    return frozenset(("figure", x.start, x.pitch) for x in played_notes)


def _nearest_voiced(voiced: Sequence[int | None], rank: int) -> int:
    """The pitch of ``rank``, or where the hand's room left it none, of the nearest rank that
    has one (an Alberti bass short of room repeats a note rather than rest: a review)."""
    return next(voiced[r] for r in sorted(range(len(voiced)), key=lambda r: (abs(r - rank), -r))
                if voiced[r] is not None)


# a rank whose interval above the bass is not the sketch's (a broken octave turned into a
# sixth) costs this many semitones of movement more
INTERVAL_COST = 2.0
OCTAVE_COST = 8.0  # ... and a rank the sketch doubled the bass in (broken octaves stay octaves)
# ... and a rank under the figure's bass that the sketch struck a fifth, a fourth or an octave
# below it (a march's alternating bass) this many: it is a bass note too, the chord's root or
# fifth, and the bass an octave higher is better than a seventh there. A march's C7 bar had
# struck C2 then B-flat1, its fifth G1 lying under the hand's floor (LOWEST_BASS)
LOW_BASS_COST = 50.0


def voicing(chord: Chord, last: Sequence[int], anchor: Sequence[int], low: int | None = None,
            bass_rank: int = 0) -> list[int | None]:
    """The chord's pitches by rank (None: no room for that rank), as many as ``anchor`` has.
    The figure's bass (``bass_rank``: the note its first onset strikes lowest, a march's root
    on the downbeat over its fifth below on the next beat) takes the model's bass's pitch
    class, in the octave that leaves the most ranks room; the ranks above it rise in chord
    tones under the ceiling, those below fall, each as near where it last was (``last``) and
    near the sketch's own (``anchor``), keeping the sketch's interval over the bass where it
    can: a pianist's hand moving as little as it can and keeping its place (an Alberti bass
    stays under the hand as the model's bass line walks up an octave)."""
    size = len(anchor)
    low = anchor[0] if low is None else low
    floor = min(max(low - BASS_BELOW, LOWEST_BASS), low)

    def cost(p: int, r: int, bass: int) -> float:
        shape = (p - bass) % 12 != (anchor[r] - anchor[bass_rank]) % 12
        octave = (anchor[r] - anchor[bass_rank]) % 12 == 0
        low_bass = r < bass_rank and (anchor[bass_rank] - anchor[r]) % 12 in (0, 5, 7)
        return abs(p - last[r]) + 0.5 * abs(p - anchor[r]) + \
            (LOW_BASS_COST if low_bass else OCTAVE_COST if octave else INTERVAL_COST) * shape

    tones = [p for p in range(floor, chord.ceiling + 1) if p % 12 in chord.classes]
    best: tuple[tuple[int, float], list[int | None]] | None = None
    for bass in range(chord.bass % 12, chord.ceiling + 1, 12):
        if bass < floor:
            continue
        up = _chain([p for p in tones if p > bass], list(range(bass_rank + 1, size)),
                    lambda p, r, b=bass: cost(p, r, b))
        down = _chain([p for p in reversed(tones) if p < bass], list(range(bass_rank - 1, -1, -1)),
                      lambda p, r, b=bass: cost(p, r, b))
        voiced: list[int | None] = [None] * size
        voiced[bass_rank] = bass
        for ranks, (_, pitches) in ((range(bass_rank + 1, size), up),
                                    (range(bass_rank - 1, -1, -1), down)):
            for r, p in zip(ranks, pitches, strict=False):
                voiced[r] = p
        filled = sum(p is not None for p in voiced)
        key = (-filled, up[0] + down[0] + BASS_WEIGHT * abs(bass - last[bass_rank])
               + BASS_WEIGHT * 0.5 * abs(bass - anchor[bass_rank])
               + BELOW_COST * max(0, low - bass))
        if best is None or key < best[0]:
            best = (key, voiced)
    if best is None:
        return [chord.bass if r == bass_rank else None for r in range(size)]
    return _third_in_ranks(best[1], chord, bass_rank)


# A figure's ranks sound their chord's third where the other hand does not: the highest rank
# that doubles another's pitch class takes the nearest third that keeps the ranks in order. An
# Alberti bass on G7 (G, B, F) had voiced G2 F3 G3, near where its ranks last were, and
# struck G2 G3 F3 G3 with no B in either hand
THIRD_IN_RANKS = True


def _third_in_ranks(voiced: list[int | None], chord: Chord, bass_rank: int
                    ) -> list[int | None]:
    """``voiced`` (ranks low to high) with a doubled rank moved to ``chord``'s third where
    no rank nor the other hand sounds it (:data:`THIRD_IN_RANKS`)."""
    third = _third(chord)
    pcs = [p % 12 for p in voiced if p is not None]
    if not THIRD_IN_RANKS or third is None or third in chord.over or third in pcs \
            or len(pcs) < 3:
        return voiced
    for r in range(len(voiced) - 1, -1, -1):
        p = voiced[r]
        if r == bass_rank or p is None or pcs.count(p % 12) < 2:
            continue
        below = max((q for q in voiced[:r] if q is not None), default=-1)
        above = min((q for q in voiced[r + 1:] if q is not None), default=chord.ceiling + 1)
        options = [q for q in range(p - 4, p + 5) if q % 12 == third and below < q < above
                   and q <= chord.ceiling]
        if options:
            out = list(voiced)
            out[r] = min(options, key=lambda q: abs(q - p))
            return out
    return voiced


def _chain(options: Sequence[int], ranks: Sequence[int], cost: Callable[[int, int], float]
           ) -> tuple[float, list[int]]:
    """The cheapest pitches for ``ranks`` in order, each further along ``options`` than the
    one before (rising above the bass, or falling below it); where fewer fit, the first
    ranks only. Their cost and pitches."""
    for k in range(len(ranks), 0, -1):
        if len(options) < k:
            continue
        # best[j]: the cheapest ranks[0..i] with ranks[i] on options[j], and their pitches
        best: list[tuple[float, tuple[int, ...]]] = [(cost(p, ranks[0]), (p,)) for p in options]
        for r in ranks[1:k]:
            running: tuple[float, tuple[int, ...]] = (float("inf"), ())
            nxt = []
            for j, p in enumerate(options):
                nxt.append((running[0] + cost(p, r), (*running[1], p)) if running[1]
                           else (float("inf"), ()))
                running = min(running, best[j])
            best = nxt
        total, pitches = min(best)
        if pitches:
            return total, list(pitches)
    return 0.0, []


@dataclass(frozen=True)
class FigurePlan:
    """A continuation's left hand played in its sketch's figure (the voice sampler's job)."""

    figure: Figure
    start: int
    stop: int
    hand: tuple[int, ...]  # the model voices of the hand (the bass last); their notes are replaced
    heard: tuple[int, ...]  # ... and the voices sampled and not written (their chord tones)
    upper: tuple[int, ...]  # the other hand's voices: the figure keeps below them
    kept_upper: tuple[Note, ...]  # ... and the other hand's notes the span keeps
    beat: int
    unit: int  # the span one chord lasts: half a bar of an even number of beats, else a bar
    ceiling: int  # the hand's highest pitch: under its staff's division from the other's
    close_from: int | None = None  # the final bar of a piece closed with a cadence
    # ... and the bar before it: where the final chord is struck on the last bar's downbeat,
    # its dominant lies there, and that bar too plays each beat's chord (DOMINANT_BAR_EXACT)
    close_before: int | None = None
    # the key's pitch classes (a minor key's with its leading tone), for a bare octave's or
    # fifth's chord
    scale: frozenset[int] = frozenset()
    velocity: int = 80  # (the sampler's, set once it has chosen it)


def played(notes: Iterator[GeneratedNote], plan: FigurePlan) -> Iterator[GeneratedNote]:
    """The stream of a continuation with the hand's voices (and the voices only heard) taken
    out and, once each variation is written, its hand played in the figure on the chords those
    voices sounded. The other hand's notes pass at once, as they come."""
    chord_voices = set(plan.hand) | set(plan.heard)
    by_variation: dict[int, dict[int, list[Note]]] = {}
    template: dict[int, GeneratedNote] = {}
    tune: dict[int, GeneratedNote] = {}  # each variation's last note of the other hand's top
    for g in notes:
        if g.voice is not None and g.voice in chord_voices:
            by_variation.setdefault(g.variation, {}).setdefault(g.voice, []).append(g.note)
            if g.voice in plan.hand:
                template.setdefault(g.variation, g)
            continue
        if g.voice is not None and g.voice in plan.upper:
            by_variation.setdefault(g.variation, {}).setdefault(g.voice, []).append(g.note)
            if g.voice == min(plan.upper) and (g.variation not in tune or
                                               g.note.start >= tune[g.variation].note.start):
                tune[g.variation] = g
        yield g
    played_already: set[tuple[Note, ...]] = set()
    for variation in sorted(by_variation):
        voices = by_variation[variation]
        if variation not in template:
            continue
        written = [x for vv in plan.hand for x in voices.get(vv, [])]
        stop = min(plan.stop, max(x.end for x in written))
        chords = _chords(plan, voices)
        # the final chord struck where the bass strikes it in the last bar (on its downbeat,
        # or later where V comes first)
        basses = [x.start for x in voices.get(plan.hand[-1], [])
                  if plan.close_from is not None and x.start >= plan.close_from]
        final = max(basses) if basses and stop == plan.stop else None
        g0 = template[variation]
        # (a variation whose figure another has played already, the model's voices differing
        # only where the unit's chord hides it, plays each beat's chord: a review's Regenerate
        # offered three variations of one left hand)
        close = plan.close_before if (DOMINANT_BAR_EXACT and final is not None
                                      and final == plan.close_from
                                      and plan.close_before is not None) else plan.close_from
        args = (plan.figure, plan.start, stop, chords, plan.velocity, final, close or 0)
        hand = realize(*args, beat=plan.beat)
        if tuple(hand) in played_already:
            hand = realize(*args, per_beat=True, beat=plan.beat)
        played_already.add(tuple(hand))
        top = tune.get(variation)
        fill: list[int] = []
        if final is not None and top is not None and top.note.start <= final < top.note.end:
            chord = chords(final, True)
            lh = [x.pitch for x in hand if x.start == final]
            if chord is not None and lh:
                fill = final_fill(top.note.pitch, chord, lh, plan.ceiling + 1)
                sounding = {top.note.pitch % 12, *chord.over, *(p % 12 for p in fill)}
                hand = _moved(hand, final, lh, final_tenth(lh, chord, sounding))
        for x in hand:
            yield GeneratedNote(variation, x, g0.part, g0.part_name, g0.part_under, g0.voice)
        for p in fill:
            yield GeneratedNote(variation, Note(final, p, top.note.end - final,
                                                top.note.velocity),
                                top.part, top.part_name, top.part_under, top.voice)


# Where neither hand has the final chord's third otherwise (a tune that comes home too near
# middle C for a note under it on its own staff, FINAL_THIRD_FILLED: a march's F4 over F2 C3
# F3), the left hand's final chord takes it a tenth over its bass, in place of its highest
# doubled note: F2 C3 A3, root, fifth and tenth, a pianist's open close (rolled by a small
# hand), no low close third. 12 of 30 continued piano sketches (/work/s81/pianoset.txt x 3
# seeds) had ended on a bare fifth and octave, four sketches in every seed
FINAL_TENTH = True


def final_tenth(lh: Sequence[int], chord: Chord, sounding: set[int]) -> list[int]:
    """The left hand's final pitches ``lh`` (its bass lowest) with its highest note that
    doubles another's pitch class moved to the chord's third a tenth over the bass, where no
    note sounding (``sounding``: the right hand's pitch classes) has the third and the tenth
    lies under ``chord.ceiling`` (:data:`FINAL_TENTH`); else as they are."""
    out = sorted(lh)
    if not FINAL_TENTH or len(out) < 2:
        return out
    bass = out[0]
    third = _third(replace(chord, bass=bass))
    if third is None or third in sounding or third in {p % 12 for p in out}:
        return out
    tenth = bass + 12 + (third - bass) % 12
    classes = [p % 12 for p in out]
    doubled = [p for p in reversed(out[1:]) if classes.count(p % 12) > 1]
    if not doubled or tenth > chord.ceiling:
        return out
    return sorted((set(out) - {doubled[0]}) | {tenth})


def _moved(hand: list[Note], at: int, old: Sequence[int], new: Sequence[int]) -> list[Note]:
    """``hand`` with its notes struck ``at`` on the pitches ``old`` moved to ``new``."""
    if sorted(old) == sorted(new):
        return hand
    gone, added = set(old) - set(new), sorted(set(new) - set(old))
    out = []
    for x in hand:
        if x.start == at and x.pitch in gone:
            gone.discard(x.pitch)
            out.append(replace(x, pitch=added.pop(0)))
        else:
            out.append(x)
    return sorted(out)


# a bass and one note above it: the triad they are part of (the interval above the bass ->
# the note that completes it): a third over a root, a major or minor triad's sixth over its
# third. A barcarolle's "pah" over a bare G-B had been B2 and G3, where its sketch struck close
# triads; an open fifth or a tritone stays as it is
TRIAD_OF = {3: 7, 4: 7, 8: 3, 9: 4}


def whole_triad(bass: int, classes: frozenset[int]) -> frozenset[int]:
    """``classes`` with the note that makes a triad of a bass and one other pitch class."""
    if len(classes) != 2 or bass not in classes:
        return classes
    (other,) = classes - {bass}
    fill = TRIAD_OF.get((other - bass) % 12)
    return classes if fill is None else classes | {(bass + fill) % 12}


def key_triad(bass: int, classes: frozenset[int], scale: frozenset[int]) -> frozenset[int]:
    """A bare bass (its octaves, and the other hand's notes on it), or a bare fifth or
    seventh over it: the key's triad on it, its third and fifth from ``scale``, with the
    seventh (an Alberti bass on a chord of G alone had struck G2 G3 G3 G3, and on G under
    the other hand's F the same: G7 without its third)."""
    if not scale or bass not in scale or not classes <= {bass, *(
            (bass + i) % 12 for i in BARE_OVER_BASS)} or len(classes) > 2:
        return classes
    perfect = (bass + 7) % 12 in scale
    third = (bass + 4) % 12 if perfect and (bass + 4) % 12 in scale else (bass + 3) % 12
    return classes | {bass, third, (bass + 7 if perfect else bass + 6) % 12}


# ... the intervals over the bass a bare two-note chord is heard as its triad's (a fifth; a
# minor or major seventh, the triad's seventh chord)
BARE_OVER_BASS = (7, 10, 11)


def _chords(plan: FigurePlan, voices: dict[int, list[Note]]
            ) -> Callable[[int, bool], Chord | None]:
    """The chord at an onset: one for each harmonic unit (:attr:`FigurePlan.unit`), of the
    chords the hand's and the heard voices sound at its beats the one whose notes the other
    hand's sound longest in (the first of equals), its bass the lowest voice's; the ceiling
    below the other hand's lowest note at the onset. The model's chorale voices change chord
    on every beat; a nocturne's arpeggio on a chord a beat lost its shape, and a waltz's "pah"
    is the downbeat's chord."""
    lanes = {vv: sorted(voices.get(vv, [])) for vv in (*plan.heard, *plan.hand)}
    upper = sorted([x for vv in plan.upper for x in voices.get(vv, [])] + list(plan.kept_upper))
    origin = plan.figure.origin

    def at(notes: Sequence[Note], t: int) -> Note | None:
        return next((x for x in reversed(notes) if x.start <= t < x.end), None)

    def beat_chord(t: int) -> tuple[int, frozenset[int]] | None:
        # (the bass resting on the beat: the last it struck in the span; a region's Alberti
        # bass had rested wherever the model's bass did, five eighths of a bar: a review)
        bass = at(lanes[plan.hand[-1]], t) or next(
            (x for x in reversed(lanes[plan.hand[-1]]) if x.start <= t), None)
        if bass is None:
            return None
        classes = frozenset(x.pitch % 12 for x in (at(lane, t) for lane in lanes.values())
                            if x is not None)
        if len(classes) < 3:  # (a bare fifth, an octave: the other hand's notes name the chord)
            classes |= {x.pitch % 12 for x in upper if x.start <= t < x.end}
        tones = whole_triad(bass.pitch % 12, chord_tones(bass.pitch % 12, classes))
        return bass.pitch, key_triad(bass.pitch % 12, tones, plan.scale)

    def heard(classes: frozenset[int], a: int, b: int) -> int:
        return sum(min(x.end, b) - max(x.start, a) for x in upper
                   if x.start < b and x.end > a and x.pitch % 12 in classes)

    units: dict[int, tuple[int, frozenset[int]] | None] = {}

    def chord_at(t: int, exact: bool = False) -> Chord | None:
        if exact:  # (a cadence's chords: the one sounding at the beat of ``t``; the other
            # hand's notes at ``t``, as a unit's are: a march's A3 had been checked against the
            # beat's C5 and struck under the B-flat4 struck with it)
            found = beat_chord(origin + (t - origin) // plan.beat * plan.beat)
            if found is None:
                return None
            over = [x.pitch for x in upper if x.start <= t < x.end]
            return Chord(found[0], found[1], min([plan.ceiling, *(p - 1 for p in over)]),
                         frozenset(p % 12 for p in over))
        u0 = origin + (t - origin) // plan.unit * plan.unit
        if u0 not in units:
            found = [c for c in (beat_chord(b) for b in range(max(u0, plan.start), u0 + plan.unit,
                                                               plan.beat)) if c is not None]
            units[u0] = max(found, key=lambda c: heard(c[1], u0, u0 + plan.unit), default=None)
        chosen = units[u0]
        if chosen is None:
            return None
        over = [x.pitch for x in upper if x.start <= t < x.end]
        return Chord(chosen[0], chosen[1], min([plan.ceiling, *(p - 1 for p in over)]),
                     frozenset(p % 12 for p in over))

    return chord_at


# A left hand that repeats a figure in the sketch's last bars plays it on in a continuation
# or a region of it (off: the model's voices as written, chorale style)
PIANO_FIGURES = True


@dataclass(frozen=True)
class Hands:
    """A keyboard's two hands in a voice plan: the voices of each, and each hand's notes."""

    lower: tuple[int, ...]  # the left hand's voices (the bass last)
    upper: tuple[int, ...]
    lower_notes: list[Note]
    upper_notes: list[Note]
    ceiling: Callable[[int], int]  # the left hand's highest pitch from a tick on


def keyboard_hands(score: Score, plan: VoicePlan) -> Hands | None:
    """The hands of the keyboard the plan's voices come from: one part on two staves planned
    by its hands (voices.VoicePlan.hands), or two parts a file wrote as one keyboard's hands
    (clefs.paired_hands: a MIDI file's Right hand and Left hand tracks, whose waltz had
    come back as chorale voices); else None."""
    n = len(plan.parts)
    if plan.hands and any(h == 1 for h in plan.hands):
        part = score.parts[plan.parts[plan.hands.index(1)]]
        upper_notes, lower_notes = split_hands(part.notes, part.staff_split)
        # (a part without a file's staves is divided as hands reach, music.hands, and its left
        # hand may reach over middle C as two tracks' may: a waltz's "pah" on B-flat3 D4 G4
        # had been taken for a figure above its ceiling and played an octave down, its bass
        # on D1 and F1)
        return Hands(tuple(i for i in range(n) if plan.hands[i] == 1),
                     tuple(i for i in range(n) if plan.hands[i] == 0), lower_notes, upper_notes,
                     (lambda t: upper_staff_from(part, t) - 1) if part.staff_split
                     else _reached(lower_notes))
    pairs = paired_hands(score.parts)
    for upper, hand in pairs.items():
        lower = upper + 1
        if hand == 0 and lower in plan.parts and upper in plan.parts:
            notes = score.parts[lower].notes
            return Hands(tuple(i for i in range(n) if plan.parts[i] == lower),
                         tuple(i for i in range(n) if plan.parts[i] == upper), list(notes),
                         list(score.parts[upper].notes), _reached(notes))
    return None


def _reached(lower: Sequence[Note]) -> Callable[[int], int]:
    """A left hand's ceiling where no file's staves divide the hands: the highest note it
    played, B3 at least."""
    top = max((x.pitch for x in lower), default=MIDDLE_C - 1)
    return lambda t: max(MIDDLE_C - 1, top)


def left_hand_figure(score: Score, plan: VoicePlan, rewritten: Sequence[bool], start: int,
                     beat: int | None = None, hands: Hands | None = None) -> Figure | None:
    """The figure of a keyboard's left hand (``hands``, else :func:`keyboard_hands`), where
    that hand is rewritten from ``start``; else None."""
    n = len(plan.parts)
    if hands is None and PIANO_FIGURES and n >= 3:
        hands = keyboard_hands(score, plan)
    if not PIANO_FIGURES or n < 3 or hands is None or not hands.lower or \
            not all(rewritten[i] for i in hands.lower) or max(hands.lower) != n - 1:
        return None
    lower_notes = hands.lower_notes
    bars = [(a, score.bar_end(score.bar_at(a))) for a in score.bar_starts(start)]
    beat = score.time_signature_at(start).beat_ticks if beat is None else beat
    return find_figure([x for x in lower_notes if x.start < start], bars, beat, start)


def inner_voices_heard(score: Score, plan: VoicePlan, rewritten: Sequence[bool],
                       start: int) -> bool:
    """Whether a region from ``start`` rewrites a left hand that plays a figure, and the plan
    has voices with no part (a left hand of one line: the alto and tenor): they are to be
    sampled and not written, so that the figure has the chords a continuation gives it."""
    return -1 in plan.parts and left_hand_figure(score, plan, rewritten, start) is not None


def plan_figure(score: Score, plan: VoicePlan, rewritten: Sequence[bool],
                hidden: Sequence[bool], start: int, stop: int, beat: int,
                closes: bool = False) -> FigurePlan | None:
    """The figure plan of a span where a keyboard part planned by its hands
    (voices.VoicePlan.hands) has its left hand rewritten and that hand repeats a figure in the
    bars before ``start``; else None. ``closes``: the span ends the piece with a cadence. (The
    sampler sets the velocity and the key's notes, ``scale``, once it has chosen them.)"""
    n = len(plan.parts)
    hands = keyboard_hands(score, plan) if PIANO_FIGURES and n >= 3 else None
    figure = left_hand_figure(score, plan, rewritten, start, beat, hands)
    if figure is None or hands is None:
        return None
    hand, upper = hands.lower, hands.upper
    ceiling = hands.ceiling(start)
    figure = under(figure, ceiling)
    kept = tuple(x for x in hands.upper_notes if x.end > start and x.start < stop) \
        if not any(rewritten[i] for i in upper) else ()
    bar = score.time_signature_at(start).bar_ticks
    unit = bar // 2 if (bar // beat) % 2 == 0 else bar
    last = score.bar_at(stop - 1)
    last_bar = score.bar_start(last)
    before = score.bar_start(max(last - 1, 0))
    return FigurePlan(figure, start, stop, hand,
                      tuple(i for i in range(n) if hidden[i]), upper, kept, beat, unit,
                      ceiling,
                      last_bar if closes and last_bar > start else None,
                      before if closes and before >= start else None)


def under(figure: Figure, ceiling: int) -> Figure:
    """``figure`` an octave lower, or two, where its notes in the sketch rose above the hand's
    ``ceiling`` from the span on (a sketch's left hand high in the treble, its staves ending
    where the span starts, now under middle C): played where it lay, its upper ranks found no
    room under the ceiling and its bass no octave below the sketch's, and a review's Alberti
    bass on C4 to A4 struck A3 A3 A3 A3 in 7 of 24 half bars (:data:`FIGURE_UNDER`)."""
    shift = 0
    while FIGURE_UNDER and max(figure.anchor) - shift > ceiling and shift < 24:
        shift += 12
    if not shift:
        return figure
    return replace(figure, anchor=tuple(p - shift for p in figure.anchor),
                   low=figure.low - shift)


FIGURE_UNDER = True


def held_chords(lanes: Sequence[Sequence[Note]], plan: FigurePlan) -> list[list[Note]]:
    """The voices' notes as the model hears them where the left hand plays a figure: each
    period of the hand's notes one chord held from its first onset to the period's end, its
    lowest note in the bass and its highest in the hand's top voice. The model, which knows
    chorales, hears the harmony it then continues; heard as voices, a waltz's alto and tenor
    rested on every downbeat, and so did they in the continuation, leaving the downbeat's
    "pah" no chord to strike."""
    out = [list(lane) for lane in lanes]
    k = len(plan.hand)
    lower = sorted(x for i in plan.hand for x in lanes[i])
    if not lower:
        return out
    period, origin = plan.figure.period, plan.figure.origin
    by_period: dict[int, list[Note]] = {}
    for x in lower:
        by_period.setdefault(origin + (x.start - origin) // period * period, []).append(x)
    new: list[list[Note]] = [[] for _ in range(k)]
    for t0, group in sorted(by_period.items()):
        first = min(x.start for x in group)
        end = t0 + period
        pitches = sorted({x.pitch for x in group}, reverse=True)
        chosen = pitches[:k - 1] + pitches[-1:] if len(pitches) >= k else pitches
        # (fewer pitches than voices: the top ones take them, the bass the lowest)
        for j, p in enumerate(chosen[:-1]):
            new[j].append(Note(first, p, end - first, group[0].velocity))
        new[k - 1].append(Note(first, chosen[-1], end - first, group[0].velocity))
    for j, i in enumerate(plan.hand):
        out[i] = new[j]
    return out
