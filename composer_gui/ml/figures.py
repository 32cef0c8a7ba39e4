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

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from composer_gui.ml.sampler import GeneratedNote
from composer_gui.ml.voices import VoicePlan
from composer_gui.music.clefs import split_hands, upper_staff_from
from composer_gui.music.score import TPQ, Note, Score

GRID = TPQ // 8  # onsets and lengths compared to a 32nd (a played sketch's small unevenness)
BARS_HEARD = 4  # the figure is looked for in the last bars of the sketch before the span
MIN_ONSETS = 2  # a period of one onset (a held chord, block chords a beat) is no figure
REPEAT_SHARE = 0.6  # ... and it fills this share of those bars' periods (twice at least)
# the figure's bass lies at most this far below the sketch's lowest note of it, and its moves
# weigh this many times a note above it's (a nocturne's arpeggio from B1 had gone down to E1)
BASS_BELOW = 7
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

    @property
    def size(self) -> int:
        return len(self.anchor)

    def describe(self) -> str:
        """The figure in words, for the panel: "3 onsets a bar on a 3-note chord"."""
        return f"{len(self.slots)} onsets {self.unit} on a {self.size}-note chord"


def _pattern(notes: Sequence[Note], start: int, period: int
             ) -> tuple[tuple[Slot, ...], tuple[int, ...]] | None:
    """The slots and the pitches by rank of the notes starting in ``[start, start+period)``."""
    inside = [n for n in notes if start <= n.start < start + period]
    if not inside:
        return None
    pitches = tuple(sorted({n.pitch for n in inside}))
    rank = {p: r for r, p in enumerate(pitches)}
    by_onset: dict[int, list[Note]] = {}
    for n in inside:
        by_onset.setdefault(round((n.start - start) / GRID) * GRID, []).append(n)
    slots = tuple(Slot(off, max(GRID, round(max(n.duration for n in group) / GRID) * GRID),
                       tuple(sorted({rank[n.pitch] for n in group})))
                  for off, group in sorted(by_onset.items()))
    return slots, pitches


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
    if not heard:
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
        for got in reversed(found):  # the latest pattern that repeats
            if got is None or len(got[0]) < MIN_ONSETS or len(got[1]) < 2:
                continue
            same = sum(other is not None and other[0] == got[0] for other in found)
            if same >= max(2, REPEAT_SHARE * len(periods)):
                return Figure(period=periods[0][1], origin=heard[0][0], slots=got[0],
                              anchor=got[1], unit=UNITS[per_bar])
    return None


@dataclass(frozen=True)
class Chord:
    """What the figure plays on at an onset: the bass the model wrote, the chord's pitch
    classes, and the highest pitch the hand may take there (below the other hand)."""

    bass: int
    classes: frozenset[int]
    ceiling: int


def realize(figure: Figure, start: int, stop: int, chord_at: Callable[[int], Chord | None],
            velocity: int) -> list[Note]:
    """The figure played from ``start`` to ``stop`` (no onset at or after it, no note past
    it) on the chords ``chord_at`` gives per onset tick (None: the hand rests there). The
    ranks above the bass take chord tones (:func:`voicing`); where the hand's room holds fewer,
    the top ranks' onsets rest."""
    out: list[Note] = []
    last = list(figure.anchor)
    first = start - (start - figure.origin) % figure.period
    for t0 in range(first, stop, figure.period):
        for slot in figure.slots:
            t = t0 + slot.offset
            if t < start or t >= stop:
                continue
            chord = chord_at(t)
            if chord is None or not chord.classes:
                continue
            voiced = voicing(chord, last, figure.anchor)
            last[:len(voiced)] = voiced
            out += [Note(t, voiced[r], max(1, min(slot.duration, stop - t)), velocity)
                    for r in slot.ranks if r < len(voiced)]
    return sorted(out)


def voicing(chord: Chord, last: Sequence[int], anchor: Sequence[int]) -> list[int]:
    """The chord's pitches by rank, as many as ``anchor`` has (or as fit under its ceiling):
    the bass's pitch class in the octave under the hand, then rising chord tones, each as near
    where its rank last was (``last``), and near the sketch's own (``anchor``), as the whole
    can be: a pianist's hand moving as little as it can and keeping its place (an Alberti
    bass stays under the hand as the model's bass line walks up an octave)."""
    def cost(p: int, r: int) -> float:
        return abs(p - last[r]) + 0.5 * abs(p - anchor[r])

    best_all: tuple[int, float, list[int]] | None = None
    for bass in range(chord.bass % 12, chord.ceiling + 1, 12):
        if bass < min(max(anchor[0] - BASS_BELOW, LOWEST_BASS), anchor[0]):
            continue
        ranks, total, pitches = _above(chord, bass, len(anchor), cost)
        key = (-ranks, total + BASS_WEIGHT * cost(bass, 0), [bass, *pitches])
        if best_all is None or key[:2] < best_all[:2]:
            best_all = key
    return best_all[2] if best_all is not None else [chord.bass]


def _above(chord: Chord, bass: int, size: int, cost: Callable[[int, int], float]
           ) -> tuple[int, float, list[int]]:
    """The cheapest rising chord tones for ranks 1.. over ``bass`` (as many as fit, at most
    ``size`` - 1): their count, cost and pitches."""
    options = [p for p in range(bass + 1, chord.ceiling + 1) if p % 12 in chord.classes]
    for k in range(size, 1, -1):
        if len(options) < k - 1:
            continue
        # best[j]: the cheapest ranks 1..r with rank r on options[j], and those pitches
        best: list[tuple[float, tuple[int, ...]]] = [(cost(p, 1), (p,)) for p in options]
        for r in range(2, k):
            running: tuple[float, tuple[int, ...]] = (float("inf"), ())
            nxt = []
            for j, p in enumerate(options):
                nxt.append((running[0] + cost(p, r), (*running[1], p)) if running[1]
                           else (float("inf"), ()))
                running = min(running, best[j])
            best = nxt
        total, pitches = min(best)
        if pitches:
            return k, total, list(pitches)
    return 1, 0.0, []


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
    velocity: int = 80  # (the sampler's, set once it has chosen it)


def played(notes: Iterator[GeneratedNote], plan: FigurePlan) -> Iterator[GeneratedNote]:
    """The stream of a continuation with the hand's voices (and the voices only heard) taken
    out and, once each variation is written, its hand played in the figure on the chords those
    voices sounded. The other hand's notes pass at once, as they come."""
    chord_voices = set(plan.hand) | set(plan.heard)
    by_variation: dict[int, dict[int, list[Note]]] = {}
    template: dict[int, GeneratedNote] = {}
    for g in notes:
        if g.voice is not None and g.voice in chord_voices:
            by_variation.setdefault(g.variation, {}).setdefault(g.voice, []).append(g.note)
            if g.voice in plan.hand:
                template.setdefault(g.variation, g)
            continue
        if g.voice is not None and g.voice in plan.upper:
            by_variation.setdefault(g.variation, {}).setdefault(g.voice, []).append(g.note)
        yield g
    for variation in sorted(by_variation):
        voices = by_variation[variation]
        if variation not in template:
            continue
        written = [x for vv in plan.hand for x in voices.get(vv, [])]
        stop = min(plan.stop, max(x.end for x in written))
        chords = _chords(plan, voices)
        g0 = template[variation]
        for x in realize(plan.figure, plan.start, stop, chords, plan.velocity):
            yield GeneratedNote(variation, x, g0.part, g0.part_name, g0.part_under, g0.voice)


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


def _chords(plan: FigurePlan, voices: dict[int, list[Note]]) -> Callable[[int], Chord | None]:
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
        bass = at(lanes[plan.hand[-1]], t)
        if bass is None:
            return None
        classes = frozenset(x.pitch % 12 for x in (at(lane, t) for lane in lanes.values())
                            if x is not None)
        if len(classes) < 3:  # (a bare fifth, an octave: the other hand's notes name the chord)
            classes |= {x.pitch % 12 for x in upper if x.start <= t < x.end}
        return bass.pitch, whole_triad(bass.pitch % 12, classes)

    def heard(classes: frozenset[int], a: int, b: int) -> int:
        return sum(min(x.end, b) - max(x.start, a) for x in upper
                   if x.start < b and x.end > a and x.pitch % 12 in classes)

    units: dict[int, tuple[int, frozenset[int]] | None] = {}

    def chord_at(t: int) -> Chord | None:
        u0 = origin + (t - origin) // plan.unit * plan.unit
        if u0 not in units:
            found = [c for c in (beat_chord(b) for b in range(max(u0, plan.start), u0 + plan.unit,
                                                               plan.beat)) if c is not None]
            units[u0] = max(found, key=lambda c: heard(c[1], u0, u0 + plan.unit), default=None)
        chosen = units[u0]
        if chosen is None:
            return None
        over = [x.pitch for x in upper if x.start <= t < x.end]
        return Chord(chosen[0], chosen[1], min([plan.ceiling, *(p - 1 for p in over)]))

    return chord_at


# A left hand that repeats a figure in the sketch's last bars plays it on in a continuation
# or a region of it (off: the model's voices as written, chorale style)
PIANO_FIGURES = True


def plan_figure(score: Score, plan: VoicePlan, rewritten: Sequence[bool],
                hidden: Sequence[bool], start: int, stop: int, beat: int
                ) -> FigurePlan | None:
    """The figure plan of a span where a keyboard part planned by its hands
    (voices.VoicePlan.hands) has its left hand rewritten and that hand repeats a figure in the
    bars before ``start``; else None."""
    n = len(plan.parts)
    hand = tuple(i for i in range(n) if plan.hands[i] == 1)
    if not PIANO_FIGURES or n < 3 or not hand or not all(rewritten[i] for i in hand) or \
            max(hand) != n - 1:
        return None
    part = score.parts[plan.parts[hand[0]]]
    upper_notes, lower_notes = split_hands(part.notes, part.staff_split)
    bars = [(a, score.bar_end(score.bar_at(a))) for a in score.bar_starts(start)]
    figure = find_figure([x for x in lower_notes if x.start < start], bars, beat, start)
    if figure is None:
        return None
    upper = tuple(i for i in range(n) if plan.hands[i] == 0)
    kept = tuple(x for x in upper_notes if x.end > start and x.start < stop) \
        if not any(rewritten[i] for i in upper) else ()
    bar = score.time_signature_at(start).bar_ticks
    unit = bar // 2 if (bar // beat) % 2 == 0 else bar
    return FigurePlan(figure, start, stop, hand,
                      tuple(i for i in range(n) if hidden[i]), upper, kept, beat, unit,
                      upper_staff_from(part, start) - 1)


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
