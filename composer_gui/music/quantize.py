"""The quantized view of a score that notation needs; the score itself (and MIDI export) keeps
its exact timing.

Notation can only write lengths built from halves of halves (and thirds, inside a triplet). The
score is cut into quarter-note units from each bar line; each unit of each part is written either
plainly (a 1/64-note grid) or as a triplet (a 1/32-triplet grid), whichever its notes already fit,
or as a quintuplet or septuplet where every note starts and ends on that grid (:data:`TUPLETS`:
written music's; a performance is never written so).
A human-timed performance (most onsets off every simple grid) is moved to sixteenths instead, or to
eighth triplets in a unit whose onsets clearly are triplets; small legato overlaps are trimmed, and
a rubato tempo map is summarised bar by bar. Written music's notes let go a little early (a
sequencer's gate) are written at their value. A performance in swung eighths (each beat's off-beat
eighth played late) is written in even eighths. Whatever had to move is reported in words.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from statistics import median

from .clefs import needs_grand_staff, paired_hands, split_hands
from .score import TPQ, Note, Score

UNIT = TPQ  # tuplets never span more than a quarter note
PLAIN = TPQ // 16  # 1/64 note: the finest plain value written
TRIPLET = TPQ // 12  # 1/32-note triplet: the finest triplet value written
HUMAN_PLAIN = TPQ // 4  # sixteenths for a performance
HUMAN_TRIPLET = TPQ // 3  # eighth triplets for a performance
HUMAN_FINE = (TPQ // 8, TPQ // 6)  # 32nds or sixteenth triplets: a performance's quick runs
FINE_RUNS = True  # (off: every played unit on sixteenths or eighth triplets, as before)
CHORD_SPREAD = 0.035  # seconds: onsets this near the first are one chord, played a little
#                       spread (a 32nd at 120 bpm is 0.0625 s)
RUN_HELD = 2  # a run's note is let go within this many times the step to the next one
# Written tuplets other than triplets (a sextuplet lies on the triplet grid): n notes in a quarter
# (quintuplet and septuplet sixteenths; two quarters of quintuplets are 5 eighths over a half). A
# septuplet's places are not whole ticks (480/7): a file's are read rounded to the nearest tick,
# and notation writes them so (:func:`tuplet_offsets`). A unit is one where every note start and
# end in it lies within TUPLET_TOLERANCE of that grid, or of the plain grid (another voice's
# eighths under a quintuplet), and one off the plain and triplet grids: a file written in a
# resolution the tuplet does not divide (96 per quarter) is off by a tick or two, a performance
# by more (a trial read a file's quintuplets as a performance, on sixteenths and 32nds).
TUPLETS = (5, 7)
TUPLET_TOLERANCE = 2
METER_GRID = TPQ // 4  # meter changes land on sixteenths
TEMPO_TOLERANCE = 0.15  # rubato within this of the last mark is not a new tempo


@dataclass(frozen=True)
class NotationView:
    """What notation writes: the quantized score, the units written as triplets (and as other
    tuplets), tempo marks."""

    score: Score
    triplet_units: frozenset[tuple[int, int]]  # (part index, unit start tick)
    tempo_marks: tuple[tuple[int, float, str, int], ...]  # (tick, bpm, words, TempoChange.unit)
    human: bool
    warnings: tuple[str, ...]
    # (part index, unit start tick) -> n of the units on a grid of TUPLETS
    tuplet_units: Mapping[tuple[int, int], int] = field(default_factory=dict)

    def unit_is_triplet(self, part: int, tick: int) -> bool:
        return (part, unit_start(self.score, tick)) in self.triplet_units

    def unit_tuplet(self, part: int, tick: int) -> int:
        """The tuplet whose grid the unit holding ``tick`` lies on: 3 (triplets, and the
        sextuplets on their grid), 5 or 7 (:data:`TUPLETS`), else 0 (plain)."""
        key = (part, unit_start(self.score, tick))
        return 3 if key in self.triplet_units else self.tuplet_units.get(key, 0)


def tuplet_offsets(n: int, length: int = UNIT) -> list[int]:
    """The places of an ``n``-tuplet's notes over ``length`` ticks, from its start, its end
    included: a septuplet's rounded to the nearest tick (0, 69, 137, 206, ... 480)."""
    return [round(Fraction(k * length, n)) for k in range(n + 1)]


def _tuplet_place(rel: int, n: int) -> int | None:
    """The place of the ``n``-tuplet grid (over a quarter) within TUPLET_TOLERANCE of ``rel``
    (ticks from the unit's start), else None."""
    k = (2 * rel * n + UNIT) // (2 * UNIT)
    place = (2 * k * UNIT + n) // (2 * n)  # (as tuplet_offsets rounds: never a half tick)
    return place if abs(place - rel) <= TUPLET_TOLERANCE else None


def written_tuplet(rel_ticks: Iterable[int]) -> int:
    """The tuplet of :data:`TUPLETS` a unit is written in, from its notes' starts and ends
    (ticks from the unit's start): each on that grid or the plain one, one on neither the plain
    nor the triplet grid; else 0. The one decision: the view's units, and :func:`is_human`."""
    rels = [r for r in rel_ticks if _off(r, PLAIN)]
    if not rels or all(not _off(r, TRIPLET) for r in rels):
        return 0
    for n in TUPLETS:
        places = []
        for r in rels:
            place = _tuplet_place(r, n)
            if place is None:
                break
            places.append(place)
        else:
            if any(_off(p, PLAIN) and _off(p, TRIPLET) for p in places):
                return n
    return 0


def _tuplet_units(score: Score | None, notes: Iterable[Note]) -> dict[int, int]:
    """Unit start -> n of the units of ``notes`` written as tuplets (:func:`written_tuplet`):
    whole quarters (not the eighth a bar of 5/8 ends in). Without a score, units are quarters
    from tick 0."""
    ticks = [t for n in notes for t in (n.start, n.end) if _off(t, PLAIN)]
    if not ticks:  # (most written music: no unit to find)
        return {}
    bars = score.bar_starts(max(ticks)) if score is not None else [0]
    bounds: dict[int, list[int]] = {}
    for t in ticks:
        bar = bars[bisect.bisect_right(bars, t) - 1]
        u = bar + (t - bar) // UNIT * UNIT
        bounds.setdefault(u, []).append(t - u)
    return {u: n for u, rels in bounds.items() if (n := written_tuplet(rels))
            and (score is None or u + UNIT <= bar_of(score, u)[1])}


def bar_of(score: Score, tick: int) -> tuple[int, int]:
    """(start, end) of the bar holding ``tick``."""
    bar = score.bar_at(tick)
    return score.bar_start(bar), score.bar_end(bar)


def unit_start(score: Score, tick: int) -> int:
    bar_start, _ = bar_of(score, tick)
    return bar_start + (tick - bar_start) // UNIT * UNIT


def _snap(tick: int, origin: int, grid: int) -> int:
    return origin + (tick - origin + grid // 2) // grid * grid


def is_human(notes: Iterable[Note], score: Score | None = None) -> bool:
    """A performance rather than written music: many onsets lie off every notation grid (a
    written quintuplet's or septuplet's lie on theirs: :func:`written_tuplet`; ``score`` gives
    the units' bar lines, else they are quarters from tick 0)."""
    notes = list(notes)
    onsets = [n.start for n in notes]
    if not onsets:
        return False
    off = [t for t in onsets if _off(t, PLAIN) and _off(t, TRIPLET)]
    if len(off) <= 0.2 * len(onsets):
        return False
    tuplets = _tuplet_units(score, notes)
    if tuplets:
        off = [t for t in off if (unit_start(score, t) if score is not None
                                  else t - t % UNIT) not in tuplets]
    return len(off) > 0.2 * len(onsets)


def _off(tick: int, grid: int) -> bool:
    """Off the grid by more than rounding noise (a file whose triplets were written in a
    resolution that does not divide by three is off by a tick, not a performance)."""
    r = tick % grid
    return min(r, grid - r) > 3


def notation_view(score: Score) -> NotationView:
    """Quantize ``score`` for notation; the returned view says what moved."""
    warnings: list[str] = []
    score = _snap_meters(score, warnings)
    score = _lift_lowest(score, warnings)
    parts = []
    triplets: set[tuple[int, int]] = set()
    tuplets: dict[tuple[int, int], int] = {}
    moved = 0
    performed = []  # parts played in (a recording), as opposed to drawn or read from notation
    paired = paired_hands(score.parts)  # (a hand of a braced pair is one staff)
    ratio = swing_ratio(score)
    legato = released = 0
    for index, part in enumerate(score.parts):
        human = is_human(part.notes, score)
        performed.append(human)
        notes = _unswung(score, part.notes, ratio) if human and ratio else part.notes
        if not human:
            # (each hand's ends judged by its own next notes: an Alberti bass's eighth let go
            # a little early was taken for a legato into the right hand's sixteenth and
            # written as a sixteenth and a rest; a trial's one-track sonatina)
            ends = []
            for hand in split_hands(notes, part.staff_split) \
                    if needs_grand_staff(part) and index not in paired else (notes,):
                written, held, early, last = _written_ends(score, hand)
                ends += written
                legato += held
                released += early
                moved += last
            notes = sorted(ends)
        notes, units, others, count = _quantize_part(score, notes, human)
        moved += 0 if human else count
        if human:
            hands = split_hands(notes, part.staff_split) \
                if needs_grand_staff(part) and index not in paired else (notes,)
            notes = [n for hand in hands for n in _tidy_performance(list(hand), score)]
        parts.append(replace(part, notes=tuple(sorted(notes))))
        triplets.update((index, u) for u in units)
        tuplets.update(((index, u), n) for u, n in others.items())
    human = any(performed)
    if human:
        warnings.append("notation shows the performance on a sixteenth/triplet grid"
                        f"{', its swung eighths as even eighths' if ratio else ''}; "
                        "MIDI export keeps the exact timing")
    if legato:
        warnings.append(f"ended {legato} note(s) held a little into the next one where it "
                        "starts (legato); MIDI export keeps the exact lengths")
    if released:
        warnings.append(f"lengthened {released} note(s) let go a little before the next note "
                        "or beat to their written value; MIDI export keeps the exact lengths")
    if moved:
        warnings.append(f"moved {moved} note start(s) or end(s) to the nearest length notation "
                        "can write")
    out = replace(score, parts=tuple(parts))
    marks = _tempo_marks(out, human)
    if ratio and marks and not marks[0][2]:  # a copyist's "Swing" over the tune
        marks = ((marks[0][0], marks[0][1], "Swing", marks[0][3]), *marks[1:])
    return NotationView(out, frozenset(triplets), marks, human, tuple(warnings), tuplets)


LOWEST_WRITTEN = 12  # C0: MusicXML has no octave below 0


def _lift_lowest(score: Score, warnings: list[str]) -> Score:
    """MIDI reaches down to C-1, MusicXML only to C0: such notes are written an octave up."""
    low = sum(1 for p in score.parts if not p.is_drum for n in p.notes
              if n.pitch < LOWEST_WRITTEN)
    if not low:
        return score
    warnings.append(f"wrote {low} note(s) below C0 an octave higher (notation has no lower "
                    "octave)")
    lifted = score.map_notes(lambda n: replace(n, pitch=n.pitch + 12)
                             if n.pitch < LOWEST_WRITTEN else n)
    # a lifted note struck under the same pitch held an octave up is struck again there: the
    # held note ends where it starts (written over each other, the two read back as three:
    # a property test's score)
    parts = []
    for part in lifted.parts:
        if part.is_drum:
            parts.append(part)
            continue
        notes = sorted(part.notes, key=lambda n: (n.pitch, n.start, n.end))
        out = [replace(a, duration=b.start - a.start)
               if a.pitch == b.pitch and a.start < b.start < a.end
               and a.pitch < LOWEST_WRITTEN + 12 else a
               for a, b in zip(notes, [*notes[1:], notes[-1]], strict=True)] if notes else []
        parts.append(part.with_notes(out))
    return lifted.with_parts(parts)


def _snap_meters(score: Score, warnings: list[str]) -> Score:
    """Meter changes on odd ticks (a MIDI file may have one at tick 7) move to the nearest
    sixteenth; key changes move to the start of their bar."""
    tss = []
    for ts in score.time_signatures:
        tick = _snap(ts.tick, 0, METER_GRID)
        if tick != ts.tick:
            warnings.append(f"moved the {ts} time signature from tick {ts.tick} to {tick}, "
                            "where notation can put it")
        tss.append(replace(ts, tick=tick))
    score = replace(score, time_signatures=tuple(tss))
    keys = []
    for k in score.key_signatures:
        start, _ = bar_of(score, k.tick)
        keys.append(replace(k, tick=start))
    return replace(score, key_signatures=tuple(keys))


def _units(score: Score, start: int, end: int) -> Iterable[tuple[int, int]]:
    """(start, end) of the quarter-note units from ``start`` to ``end``, cut at bar lines."""
    t = unit_start(score, start)
    while t < end:
        _, bar_end = bar_of(score, t)
        u_end = min(t + UNIT, bar_end)
        yield t, u_end
        t = u_end


def _quantize_part(score: Score, notes: tuple[Note, ...], human: bool
                   ) -> tuple[list[Note], set[int], dict[int, int], int]:
    """Notes on each unit's grid, the units written as triplets, those written as other
    tuplets (start -> n: :func:`written_tuplet`, never in a performance), and how many ticks
    moved (not a septuplet's rounding to its places)."""
    if not notes:
        return [], set(), {}, 0
    end = max(n.end for n in notes) + 1
    onsets: dict[int, list[int]] = {}
    bounds: dict[int, list[int]] = {}
    for n in notes:
        onsets.setdefault(unit_start(score, n.start), []).append(n.start)
        for t in (n.start, n.end):
            bounds.setdefault(unit_start(score, t), []).append(t)
    tuplets = {} if human else _tuplet_units(score, notes)
    grid: dict[int, int] = {}
    triplets: set[int] = set()
    for u, _u_end in _units(score, 0, end):
        ticks = bounds.get(u, [])
        if human:
            starts = onsets.get(u, [])
            plain = sum(abs(_snap(t, u, HUMAN_PLAIN) - t) for t in starts)
            trip = sum(abs(_snap(t, u, HUMAN_TRIPLET) - t) for t in starts)
            off_beat = {(_snap(t, u, HUMAN_TRIPLET) - u) % UNIT for t in starts} & {160, 320}
            use_triplet = len(starts) >= 2 and trip < 0.5 * plain and len(off_beat) == 2
            grid[u] = HUMAN_TRIPLET if use_triplet else HUMAN_PLAIN
        else:
            plain = sum(abs(_snap(t, u, PLAIN) - t) for t in ticks)
            trip = sum(abs(_snap(t, u, TRIPLET) - t) for t in ticks)
            use_triplet = trip < plain and u not in tuplets
            grid[u] = TRIPLET if use_triplet else PLAIN
        if use_triplet:
            triplets.add(u)
    anchor: dict[int, int] = {}  # a performed note's onset -> its chord's (as played)
    if human and FINE_RUNS:
        anchor = _chord_onsets(score, notes)
        for u, fine in _finer_units(score, notes, anchor, grid).items():
            grid[u] = fine
            (triplets.add if fine % HUMAN_FINE[0] else triplets.discard)(u)

    def place(t: int, u: int, default: int) -> int:
        """Where ``t`` (in the unit from ``u``) is written: on the unit's grid."""
        n = tuplets.get(u)
        p = _tuplet_place(t - u, n) if n else None
        return u + p if p is not None else _snap(t, u, grid.get(u, default))

    def counted(old: int, new: int, u: int) -> bool:
        return new != old and not (u in tuplets and abs(new - old) <= TUPLET_TOLERANCE)

    out = []
    moved = 0
    for n in notes:
        u = unit_start(score, n.start)
        start = place(anchor.get(n.start, n.start), u, PLAIN)
        if start >= end - 1 and start > n.start:  # rounding can't push past the last bar line
            start = n.start - (n.start - u) % grid[u]
        ue = unit_start(score, max(n.end, start))
        stop = place(n.end, ue, HUMAN_PLAIN if human else PLAIN)
        if stop <= start:
            su = unit_start(score, start)
            stop = start + grid.get(su, PLAIN)
        if n.duration == 0:
            stop = start  # zero-length notes are left out of notation later
        moved += counted(n.start, start, u) + counted(n.end, stop, ue)
        out.append(n.retimed(start, stop - start))
    return out, triplets, tuplets, moved


def _chord_onsets(score: Score, notes: Iterable[Note]) -> dict[int, int]:
    """Each onset of a performance -> the first onset of its chord: notes struck within
    ``CHORD_SPREAD`` of it (a hand's chord is never struck quite together) are one chord, and
    are written so however finely the unit is written; a pitch struck again is not."""
    anchor: dict[int, int] = {}
    first, at, pitches = None, 0.0, set()
    for n in sorted(notes, key=lambda n: (n.start, n.pitch)):
        if n.start in anchor:
            pitches.add(n.pitch)
            continue
        now = score.seconds_at(n.start)
        if first is None or now - at >= CHORD_SPREAD or n.pitch in pitches:
            first, at, pitches = n.start, now, set()
        anchor[n.start] = first
        pitches.add(n.pitch)
    return anchor


def _finer_units(score: Score, notes: Iterable[Note], anchor: dict[int, int],
                 grid: dict[int, int]) -> dict[int, int]:
    """The units of a performance where sixteenths (or eighth triplets) would strike two of its
    chords at once, one let go before the next is struck (a run, a trill, a turn played in
    32nds), and the finer grid each takes: 32nds or sixteenth triplets, whichever keeps its
    chords apart nearer to where they were played. A played 32nd run had been written as
    two-note chords, its last note doubled by the next one's. Two hands a little apart on one
    beat (the first still held when the second strikes) stay one chord on the grid."""
    held: dict[int, int] = {}  # chord -> its longest note
    for n in notes:
        held[anchor[n.start]] = max(held.get(anchor[n.start], 0), n.duration)
    chords = sorted(held)
    units = [unit_start(score, t) for t in chords]
    crowded: set[int] = set()
    for i in range(1, len(chords)):
        gap = chords[i] - chords[i - 1]
        if held[chords[i - 1]] <= RUN_HELD * gap and \
                _snap(chords[i - 1], units[i - 1], grid[units[i - 1]]) >= \
                _snap(chords[i], units[i], grid[units[i]]):
            crowded.update((units[i - 1], units[i]))
    by_unit: dict[int, list[int]] = {}
    for t, u in zip(chords, units, strict=True):
        if u in crowded:
            by_unit.setdefault(u, []).append(t)

    def cost(g: int, inside: list[int], u: int) -> tuple[int, int]:
        snapped = [_snap(t, u, g) for t in inside]
        merged = len(snapped) - len(set(snapped))
        return merged, sum(abs(s - t) for s, t in zip(snapped, inside, strict=True))

    return {u: min(HUMAN_FINE, key=lambda g, i=inside, u=u: cost(g, i, u))
            for u, inside in by_unit.items()}


# Swung eighths (:func:`swing_ratio`). A copyist's review of played MIDI files read tunes
# played with swung eighths (a hornpipe, jazz: each beat's off-beat eighth late, at 0.58-0.72
# of the beat) written as dotted eighths and sixteenths or as triplets, where a copyist writes
# even eighths and "Swing" over the tune. Judged over a file's played parts together, in
# quarter beats of 2/4, 3/4, 4/4 or 2/2 (a compound meter's beat does not swing in eighths).
SWING = True
SWING_BEATS = 8  # beats played long-short before a file can be judged swung
SWING_RANGE = (0.56, 0.74)  # the off-beat's median place in its beat: later than straight
#                             (0.5), earlier than a dotted eighth and sixteenth (0.75)
SWING_SPREAD = 0.1  # 3/4 of the off-beats lie this near the median: swing is consistent, a
#                     mix of straight eighths and dotted figures is not
SWING_TRIPLETS = 0.25  # at most this many beats of three notes per long-short beat: a tune
#                        that plays triplets as such is not swung in triplets


def _beats(score: Score, notes: Iterable[Note]) -> dict[int, list[float]]:
    """The onsets of a part by quarter beat (in a meter that swings), as places in the beat
    from 0 to 1: an onset up to a 32nd early is its beat's downbeat; a chord is one onset.
    (The bar lines are found once: a file of many meters is read at import.)"""
    onsets = sorted({n.start for n in notes})
    bars = score.bar_starts(onsets[-1] + UNIT) if onsets else []
    beats: dict[int, list[float]] = {}
    last = None
    for t in onsets:
        if last is not None and t - last < HUMAN_PLAIN // 2:
            continue  # (the rest of a chord played a little spread)
        last = t
        early = t + HUMAN_PLAIN // 2
        bar = bars[bisect.bisect_right(bars, early) - 1]
        u = bar + (early - bar) // UNIT * UNIT
        if score.time_signature_at(u).denominator in (2, 4):
            beats.setdefault(u, []).append((t - u) / UNIT)
    return beats


def _off_beat(places: list[float]) -> float | None:
    """The place of a beat's one off-beat eighth (a downbeat before it or not), else None."""
    later = [p for p in places if p >= 0.125]
    return later[0] if len(later) == 1 and 0.35 <= later[0] <= 0.85 else None


def swing_ratio(score: Score) -> float | None:
    """Where a performance's off-beat eighths lie in their beats (0.67: swung 2:1), if it swings
    (:data:`SWING`): most beats of two or more notes are long-short, the off-beats cluster late
    (``SWING_RANGE``, ``SWING_SPREAD``), and few beats are triplets; else None."""
    if not SWING:
        return None
    pairs: list[float] = []
    busy = triplets = 0
    for part in score.parts:
        if part.is_drum or not is_human(part.notes, score):
            continue
        for places in _beats(score, part.notes).values():
            busy += len(places) > 1
            off = _off_beat(places) if places[0] < 0.125 else None
            if off is not None:
                pairs.append(off)
            triplets += len(places) == 3  # (a triplet, however unevenly played)
    if len(pairs) < SWING_BEATS or 2 * len(pairs) < busy or \
            triplets > SWING_TRIPLETS * len(pairs):
        return None
    middle = median(pairs)
    near = sum(abs(p - middle) <= SWING_SPREAD for p in pairs)
    low, high = SWING_RANGE
    return middle if low <= middle <= high and 4 * near >= 3 * len(pairs) else None


def swing_words(ratio: float) -> str:
    """An import note: "played with swung eighths (about 2:1): written as even eighths"."""
    long = Fraction(ratio / (1 - ratio)).limit_denominator(2)
    return (f"played with swung eighths (about {long.numerator}:{long.denominator}): written "
            "as even eighths")


def _unswung(score: Score, notes: Iterable[Note], ratio: float) -> list[Note]:
    """``notes`` with each beat whose one off-beat is swung (within ``SWING_SPREAD`` of
    ``ratio``) stretched back to straight time, that off-beat on the half beat; starts and ends
    in other beats (a straight eighth, a dotted figure, a triplet) stay."""
    offs = {u: off for u, places in _beats(score, notes).items()
            if (off := _off_beat(places)) is not None and abs(off - ratio) <= SWING_SPREAD}

    def straight(tick: int) -> int:
        u = unit_start(score, tick)
        off = offs.get(u)
        if off is None:
            return tick
        place = (tick - u) / UNIT
        place = place / off / 2 if place <= off else 0.5 + (place - off) / (1 - off) / 2
        return u + round(place * UNIT)

    return [replace(n, start=straight(n.start),
                    duration=max(1, straight(n.end) - straight(n.start))) for n in notes]


# Where a note of written music ends (a part drawn or read on the grid, not `is_human`) when its
# end lies off the grid: a sequencer's or a DAW's notes are held a little into the next one
# (legato) or let go a little before their written end ("gate", "legato 90%"). Held over: a
# review's legato melody of quarters had been written as quarters tied to 128ths over a second
# voice of rests. Let go early: a trial's scale of quarters held 80-96% of the beat had been
# written as double-dotted eighths tied to 64ths with 64th rests, or (at 90%) as triplet
# fragments, and a type-0 file's whole-note chords as tied chains ending in 64ths. MuseScore's
# MIDI import does the like: a note a rest follows is lengthened towards the next chord or beat
# where fewer notes and rests are written (lengthened by 30% or more, it is marked staccato
# there; here the rest stays).
LEGATO_ENDS = True
LEGATO_OVERLAP = TPQ // 4  # at most a sixteenth over, and less than half the note
RELEASE_ENDS = True
RELEASE_SHORT = 0.3  # let go less than this part of its written value early (MuseScore's
#                      STACCATO_TOL)
WRITTEN = tuple(TPQ * k // 8 for k in (1, 2, 3, 4, 6, 8, 12, 16))  # a 32nd to a whole note,
#                                                                    dotted or not
WRITTEN_TRIPLET = (TPQ // 6, TPQ // 3, 2 * TPQ // 3)  # (in a unit whose onsets are triplets)


def _written_ends(score: Score, notes: Iterable[Note]) -> tuple[list[Note], int, int, int]:
    """``notes`` (a part drawn or read on the grid) with each end off the grid put where it
    was written, and how many ends were held into the next note (legato), let go early, and
    otherwise moved. Each note is judged alone:

    - held a little into the next onset (:data:`LEGATO_OVERLAP`, less than half the note; only
      ends off the grids of sixteenths and their triplets: a note drawn a sixteenth over is
      meant; chords and a note held under moving ones stay): it ends there;
    - ending off every notation grid (:func:`_written_between`): in a part whose notes are let
      go a little before the next one more often than held into it (a sequencer's gate), at
      the written value it falls short of; else at whichever written value lies nearer (a
      staccato quarter held 55% is an eighth and a rest, a quarter held 10% over before a rest
      a quarter);
    - else the last note, held a little past a sixteenth (as into a next one) where the part
      is held into its next notes or it ends off every notation grid: on that sixteenth (a
      last note written a double-dotted eighth, or in a tuplet, stays)."""
    notes = list(notes)
    starts = sorted({n.start for n in notes})
    ragged = {unit_start(score, t) for t in starts if _off(t, PLAIN) and _off(t, TRIPLET)}
    tuplets = _tuplet_units(score, notes)  # (a septuplet's rounded ends are no legato)
    triplet = {unit_start(score, t) for t in starts if _off(t, PLAIN) and not _off(t, TRIPLET)}
    plans = []  # (note, legato end, written value's end below, above)
    for n in notes:
        i = bisect.bisect_right(starts, n.start)
        legato = None
        if LEGATO_ENDS and n.end % LEGATO_OVERLAP and n.end % (TPQ // 6) \
                and not (tuplets and unit_start(score, n.end) in tuplets):  # (nor a 16th
            #                                                          triplet's, nor a tuplet's)
            following = starts[i] if i < len(starts) else n.end - n.end % LEGATO_OVERLAP
            over = n.end - following
            if 0 < over <= LEGATO_OVERLAP and 2 * over < n.duration:
                legato = following
        below = above = None
        if RELEASE_ENDS and (legato is None or i == len(starts)):
            below, above = _written_between(score, n, starts, ragged, triplet)
        plans.append((n, legato, below, above))
    onsets = set(starts)
    held = sum(legato in onsets for _, legato, _, _ in plans)
    gated = sum(above in onsets for _, _, _, above in plans)  # (let go before the next note)
    out, counts = [], [0, 0, 0]  # legato, let go early, moved
    for n, legato, below, above in plans:
        end, kind = n.end, None
        if above is not None and (gated > held or below is None
                                  or above - n.end <= n.end - below):
            end, kind = above, 1
        elif below is not None:
            end, kind = below, 2
        elif legato in onsets:
            end, kind = legato, 0
        elif legato is not None and (held or (_off(n.end, PLAIN) and _off(n.end, TRIPLET))):
            end, kind = legato, 2  # (the last note: a part on the grid keeps its value)
        if kind is not None:
            counts[kind] += 1
            n = replace(n, duration=end - n.start)
        out.append(n)
    return out, *counts


def _written_between(score: Score, n: Note, starts: list[int], ragged: set[int],
                     triplet: set[int]) -> tuple[int | None, int | None]:
    """Where notation would end a note that starts on the grid and ends off every notation
    grid (in units whose onsets are on them: a quintuplet's note is left alone), else None:
    the points either side of its end where its value (:data:`WRITTEN`, or in a unit of
    triplets theirs), a beat or a bar line ends, on the sixteenth grid (or the sixteenth
    triplets') so that no 32nd rest follows, or (after it) the next onset in its part, so no
    note of its voice is overlapped. The point after, if that lengthens it by less than
    :data:`RELEASE_SHORT` of its written value (a quarter held 80-96% ends on the next beat, a
    dotted eighth before a sixteenth rest is a dotted eighth, an eighth held 45% an eighth and
    a rest); the point before, if that shortens it as a legato's would be
    (:data:`LEGATO_OVERLAP`, and less than half the note: an eighth held 60% is a sixteenth
    and a rest, a quarter held a 32nd over before a rest a quarter)."""
    if n.duration <= 0 or not (_off(n.end, PLAIN) and _off(n.end, TRIPLET)) \
            or (_off(n.start, PLAIN) and _off(n.start, TRIPLET)):
        return None, None
    unit, end_unit = unit_start(score, n.start), unit_start(score, n.end)
    if unit in ragged or end_unit in ragged:
        return None, None
    bar_start, bar_end = bar_of(score, n.end)
    values = WRITTEN + (WRITTEN_TRIPLET if unit in triplet else ())
    grid = TPQ // 6 if end_unit in triplet else TPQ // 4
    beats = [end_unit, min(end_unit + UNIT, bar_end), bar_start, bar_end]
    points = [t for t in [n.start + v for v in values] + beats
              if (t - unit_start(score, t)) % grid == 0]
    i = bisect.bisect_left(starts, n.end)
    if i < len(starts):
        points.append(starts[i])
    below = max((t for t in points if n.start < t < n.end), default=None)
    above = min((t for t in points if t > n.end), default=None)
    return (below if below is not None and n.end - below <= LEGATO_OVERLAP
            and 2 * (n.end - below) < n.duration else None,
            above if above is not None and above - n.end < RELEASE_SHORT * (above - n.start)
            else None)


def _tidy_performance(notes: list[Note], score: Score) -> list[Note]:
    """A performance, one staff, note by note: a note that overlaps the next onset by less than
    half its length (legato) ends there, and one that stops short of it by no more than its own
    length (detached playing) lasts until it, as a copyist would write; one that a rest follows
    ends on the next eighth (:func:`_released`).

    Each note is judged alone: a chord's notes had been made to end together, at the next
    onset of any of them, and a review of played MIDI files read a chorale played on one
    track with 14 of its soprano's quarters written as eighths where the alto moved in eighths
    under them (and 7 eighths as quarters); an inner voice's notes now keep their lengths."""
    starts = sorted({n.start for n in notes})
    # each note's next onset in the staff (None: the last)
    nexts = [starts[i] if i < len(starts) else None
             for i in (bisect.bisect_right(starts, n.start) for n in notes)]
    ends: list[int] = []
    halves: list[int] = []  # notes that overlap the next onset by exactly half their length
    for n, following in zip(notes, nexts, strict=True):
        end = n.end
        if following is not None:
            legato = n.start < following < end and following - n.start > (end - n.start) / 2
            detached = end < following and following - end <= end - n.start
            if legato or detached:
                end = following
            elif n.start < following < end and following - n.start == (end - n.start) / 2:
                halves.append(len(ends))
        ends.append(end)
    # held over a voice that moves on (an alto's eighth ends where the next one starts), or
    # played legato into the next note of its line (a swung pair's short note)
    handed_over = set(ends)
    for j in halves:
        if nexts[j] not in handed_over:
            ends[j] = nexts[j]
    out = []
    for n, end, following in zip(notes, ends, nexts, strict=True):
        if following is None or end < following:
            end = _released(end, score, following)
        out.append(replace(n, duration=end - n.start))
    return out


def _released(end: int, score: Score, following: int | None) -> int:
    """The end of a performed note a rest follows, on the next eighth of its unit (not past the
    next onset): a key let go a little early is no shorter value (the review read 14 notes
    before rests a sixteenth short, a quarter as a dotted eighth and a sixteenth rest, and a
    rag's detached eighths as sixteenths). Triplet ends stay."""
    origin = unit_start(score, end - 1) if end > 0 else 0
    if (end - origin) % HUMAN_PLAIN:
        return end
    rounded = origin + -(-(end - origin) // RELEASE_GRID) * RELEASE_GRID
    return rounded if following is None else min(rounded, following)


RELEASE_GRID = TPQ // 2  # where a performed note before a rest ends: an eighth


def _tempo_marks(score: Score, human: bool) -> tuple[tuple[int, float, str, int], ...]:
    """Tempo marks for notation. A few deliberate changes are written where they are; a dense
    (rubato) map is summarised: a new mark where the bars' average tempo leaves the last mark by
    more than ``TEMPO_TOLERANCE`` and stays away (the next bar, and the median of four bars)."""
    tempos = score.tempos
    if not any(t.stated for t in tempos):
        return ()  # no tempo given: none written (TempoChange.stated)
    bars = score.bar_count()
    if not human and len(tempos) <= max(4, bars // 4):
        return _merged_marks([(_snap(t.tick, 0, PLAIN), round(t.bpm, 2), t.words, t.unit)
                              for t in tempos if t.stated], score)
    starts = [score.bar_start(b) for b in range(bars + 1)]
    clock = _seconds_at_sorted(tempos, starts)  # one pass over a dense map, not one per bar
    averages = []
    for b in range(bars):
        seconds = clock[b + 1] - clock[b]
        beats = (starts[b + 1] - starts[b]) / TPQ
        averages.append(60 * beats / seconds if seconds > 0 else tempos[0].bpm)
    def settled(b: int) -> float:  # the tempo a passage settles on: the median of 4 bars
        return float(round(median(averages[b:b + 4])))

    marks = [(0, settled(0), tempos[0].words, tempos[0].unit)]
    for b in range(1, bars):
        current = marks[-1][1]
        here = averages[b]
        later = averages[b + 1] if b + 1 < bars else here
        if (abs(here - current) > TEMPO_TOLERANCE * current
                and abs(later - current) > TEMPO_TOLERANCE * current
                and abs(settled(b) - current) > TEMPO_TOLERANCE * current):
            marks.append((starts[b], settled(b), "", 0))
    return tuple(marks)


def _merged_marks(marks: list[tuple[int, float, str, int]], score: Score
                  ) -> tuple[tuple[int, float, str, int], ...]:
    """Tempo marks that say the same tempo again, once: one without words is left out, and
    one whose words come in the bar of a wordless mark of the same tempo, or the bar after,
    lends them to it (a copyist's review read a rag's "= 100" over its upbeat and "Tempo di
    Marcia = 100" in its first bar, printed over each other)."""
    out: list[tuple[int, float, str, int]] = []
    for tick, bpm, words, unit in marks:
        if out and out[-1][1] == bpm and out[-1][3] == unit:
            if not words:
                continue
            before = out[-1][0]
            if not out[-1][2] and score.bar_at(tick) - score.bar_at(before) <= 1:
                out[-1] = (before, bpm, words, unit)
                continue
        out.append((tick, bpm, words, unit))
    return tuple(out)


def _seconds_at_sorted(tempos, ticks: list[int]) -> list[float]:
    """Score.seconds_at for rising ``ticks``, in one walk along the tempo map."""
    out = []
    i = 0
    micro = 0  # µs * TPQ up to tempos[i].tick
    for tick in ticks:
        while i + 1 < len(tempos) and tempos[i + 1].tick <= tick:
            micro += (tempos[i + 1].tick - tempos[i].tick) * tempos[i].us_per_quarter
            i += 1
        out.append((micro + (tick - tempos[i].tick) * tempos[i].us_per_quarter) / (1e6 * TPQ))
    return out


__all__ = ["NotationView", "is_human", "notation_view", "swing_ratio", "swing_words",
           "tuplet_offsets", "written_tuplet"]
