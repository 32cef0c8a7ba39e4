"""The chords a score's chord symbols name, under the voices the sampler writes.

A lead sheet's "Am7 | D7 | G" is the composer's harmony. Harmonizing its melody, or rewriting
the voices of a passage the symbols stand over, the voices below the top keep to each symbol's
chord on every beat it stands over (and where it changes off the beat), and the bass to its root,
or to a slash chord's bass: the voice sampler charges them for leaving it, as it charges a quick
tune's planned chords (:func:`tune_chords.tune_chord_cost`, which this module's plan feeds). Where
a symbol stands, the sampler's own plans give way: its phrase closes, the final cadence and the
opening tonic are the symbols' to decide ("F | C" closes plagally, "D7" ends on the dominant).
Everything is in the normalized key (C major / A minor), as the sampler's pitches are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import numpy as np

from composer_gui.ml.part_writing import IN_KEY_BITS
from composer_gui.ml.tune_chords import TuneChord
from composer_gui.music.chord_symbols import ChordTones, chord_tones
from composer_gui.music.score import ChordSymbol

# the score's chord symbols are followed (GenerationRequest.chord_symbols turns it off per request)
FOLLOW = True
# nats charged to a voice below the melody for a pitch class off the symbol's chord: more than
# a quick tune's own plan (tune_chords.OFF_CHORD_COST, 3), since the composer asked for it, and
# still a cost, not a bar, so that a passing note or a suspension over the beat stays possible
OFF_CHORD_COST = 5.0
# ... and to the bass, by its place in the chord: a plain symbol's root (a lead sheet's "C" is
# C in the bass unless it says "C/E"), its third and fifth as inversions; a slash chord's bass,
# and then its root
BASS_COSTS = {"bass": 0.0, "third": 1.5, "fifth": 3.0, "root": 3.0, "other": 3.5, "off": 6.0}
# nats for the bass leaping an octave (or two) where a symbol stands (:func:`voice_cost`)
OCTAVE_LEAP_COST = 3.0
# ... an inner voice for leaping a tritone, and a voice for the pitch of the voice above it
TRITONE_LEAP_COST = 3.0
UNISON_COST = 2.0
# ... and a voice for a wide leap: an inner voice's over a fifth (not an octave), the bass's over
# an octave or a seventh (a review heard an alto leap A4-B3 under a hymn, its bass D4-G2)
WIDE_LEAP_COST = 3.0


# The voice sampler narrows each voice below the melody to the symbol's notes (:func:`masks`)
# where the voice order, style and parallels rules have narrowed it, and before the others
# (leaps, doublings, clashes), which then yield to the symbol; the bass to the symbol's bass
# before any rule (BASS_FIRST). Measured on 40 held-out chorale melodies under Bach's own
# chords as symbols, x 2 (bench/chord_symbols.py; the voices keep to the symbol / the bass is
# its bass / parallels between any two voices per 8 bars): every voice before any rule 0.978 /
# 0.877 / 0.18; after every rule 0.669 / 0.556 / 0.006; after the parallels rules 0.874 /
# 0.738 / 0.011; as kept (the bass first, the inner voices kept from fifths and octaves with
# it) 0.962 / 0.985 / 0.016. Bach's own setting: 0.909 / 0.894 / 0.058 (docs/voices.md)
BASS_FIRST = True
# ... and an inner voice sounds the third or seventh of a seventh chord that the voices above
# it have not, where the voices left are no more than those notes (GivenMask.must_sound). A
# review's ten lead sheets harmonized x 3 (/work/s84/lead/h, its analyze2.py): seventh chords
# with the seventh in no voice 22 of 138 -> 8 of 147 (the MusicXML kinds read: more sevenths).
# bench/chord_symbols.py, following the symbols: wide leaps per 8 bars 0.957 -> 1.004 (Bach
# 0.598; 1.047 with a fifth's reach), inner tritone leaps 0.290 -> 0.249, the rest within 0.003
SEVENTHS_SOUNDED = True
# ... but not where the melody harmonized sings the seventh itself, for a beat or as the note
# it leaves the chord on: there the voices below leave it to the tune (GivenChord.sung). Sounded
# below it too, the doubled seventh could not fall in both voices (octaves): a review's "C7"
# had its tenor's B-flat3 held under the tune's B-flat4 and rise to C, "A7" its alto's G3 under
# the tune's G4 rise to A. The review's ten lead sheets harmonized x 3 (/work/s85/sev/sev.py):
# lower-voice sevenths at a change of symbol that neither fall nor hold 38 -> 10 (doubled 32
# -> 4), falling 60 -> 58; bench/chord_symbols.py: wide leaps 1.026 -> 0.973 per 8 bars,
# inner tritone leaps 0.225 -> 0.261 (Bach 0.598, 0.213)
SUNG_SEVENTH_UNDOUBLED = True
# ... and where the bass on a plain chord's root would move in consecutive octaves or fifths
# with a voice above (the tune singing the roots: "Am B7 Em" under A B E), it may take the
# chord's third instead (GivenMask.bass_allowed): forced to the root, the bass had moved in
# octaves with the tune in 7 of the 10 parallels a review counted in 375 bars of lead sheets.
# Not a leading tone a voice above sounds, nor in unison with one: a re-review heard 27 such
# basses double a dominant's third, D#3 with the tenor's under "B7". The review's ten lead
# sheets x 3: outer octaves 11 -> 7 (2 where any third was taken)
INVERTED_FOR_PARALLELS = True
# Between a symbol's beats a voice below the melody sounds the symbol's chord or the key's
# notes, not a chromatic passing or neighbour note (passing): a review of ten lead sheets
# heard C#4 passing under "Bb", F#4 over "C" and "Cmaj7", D# in "Em": 53 notes in 30
# harmonizations off both the symbol and the key
DIATONIC_PASSING = True
# A tune the model writes under symbols (typed into the bars ahead of a melody, or standing
# over bars rewritten) pays this many nats for a note off the symbol's chord on a beat: a cost,
# so that an appoggiatura stays possible. A review typed "Am Dm7 | G7 | Em7 A7 | Dm7 G7" over
# four empty bars and continued: 20 of 45 beat notes were in the chord, about chance, and the
# "cadence" closed on C over "G7"
TUNE_ON_SYMBOLS = True
TUNE_OFF_CHORD_COST = 2.0


@dataclass(frozen=True)
class GivenChord:
    """A symbol's chord at a step (normalized pitch classes): every note it names, the ones a
    four-voice texture must sound (:func:`essential`) and its bass."""
    root: int
    pcs: frozenset[int]
    essential: frozenset[int]
    bass: int
    onset: bool = False  # the symbol's own step (it changes here)
    # its sevenths (or sixths) that a melody harmonized under it sings in its span for a beat
    # or as the note it leaves on (:data:`SUNG_SEVENTH_UNDOUBLED`)
    sung: frozenset[int] = frozenset()


def essential(tones: ChordTones) -> frozenset[int]:
    """The notes of a chord that four voices sound: the root, its third (or the suspended
    note), its seventh or sixth, and its fifth where it has no seventh or the fifth is altered;
    a ninth, eleventh or thirteenth is allowed, not required."""
    steps = {(pc - tones.root) % 12 for pc in tones.pcs}
    keep = {0}
    third = next((s for s in (4, 3, 5, 2) if s in steps), None)
    if third is not None:
        keep.add(third)
    seventh = next((s for s in (10, 11, 9) if s in steps), None)
    if seventh is not None:
        keep.add(seventh)
    fifth = next((s for s in (7, 6, 8) if s in steps), None)
    if fifth is not None and (seventh is None or fifth != 7 or third is None):
        keep.add(fifth)
    return frozenset((tones.root + s) % 12 for s in keep)


def _normalized(tones: ChordTones, shift: int) -> GivenChord:
    def move(pc: int) -> int:
        return (pc + shift) % 12

    return GivenChord(move(tones.root), frozenset(move(pc) for pc in tones.pcs),
                      frozenset(move(pc) for pc in essential(tones)), move(tones.bass))


def plan(symbols: Iterable[ChordSymbol], start_step: int, stop_step: int, step: int, shift: int,
         beat: int, where: Callable[[int], tuple[int, int]],
         sung: Callable[[int, int], frozenset[int]] | None = None) -> dict[int, GivenChord]:
    """{step: the chord a symbol names there}, for each beat from ``start_step`` to
    ``stop_step`` that a readable symbol stands over (from its tick to the next symbol's; "N.C."
    and text no chord reads as stand over nothing), and each step where a symbol changes off
    the beat. ``step``: ticks per grid step; ``shift``: the key's normalizing shift; ``sung``:
    the pitch classes a harmonized melody holds in a span of steps (melody_plan.Melody.sung)."""
    marks = sorted((round(s.tick / step), s.text) for s in symbols)
    if not marks:
        return {}
    out: dict[int, GivenChord] = {}
    for j, (at, text) in enumerate(marks):
        tones = chord_tones(text)
        if tones is None:
            continue
        chord = _normalized(tones, shift)
        until = marks[j + 1][0] if j + 1 < len(marks) else stop_step
        if sung is not None and SUNG_SEVENTH_UNDOUBLED:
            chord = replace(chord, sung=_sevenths(chord) & sung(at, until))
        for s in range(max(at, start_step), min(until, stop_step)):
            if s == at or where(s)[1] % max(1, beat) == 0:
                out[s] = replace(chord, onset=True) if s == at else chord
    return out


def passing(symbols: Iterable[ChordSymbol], start_step: int, stop_step: int, step: int,
            shift: int, minor: bool, on_beat: Callable[[int], bool]) -> dict[int, np.ndarray]:
    """{step: [12] the notes a voice below the melody may sound} at each step between the
    beats that a readable symbol stands over (:data:`DIATONIC_PASSING`): the symbol's chord
    and the key's notes (a minor key's raised sixth and seventh too), so that its passing
    and neighbour notes are the key's or the chord's. ``on_beat``: whether a step is a beat
    (:func:`plan` has those)."""
    if not DIATONIC_PASSING:
        return {}
    marks = sorted((round(s.tick / step), s.text) for s in symbols)
    key = (IN_KEY_BITS[minor] >> np.arange(12)) & 1 == 1
    out: dict[int, np.ndarray] = {}
    for j, (at, text) in enumerate(marks):
        tones = chord_tones(text)
        if tones is None:
            continue
        chord = _normalized(tones, shift)
        allowed = key | np.isin(np.arange(12), sorted(chord.pcs))
        until = marks[j + 1][0] if j + 1 < len(marks) else stop_step
        for s in range(max(at + 1, start_step), min(until, stop_step)):
            if not on_beat(s):
                out[s] = allowed
    return out


def top_costs(chords: dict[int, GivenChord]) -> dict[int, np.ndarray]:
    """{step: [12] nats} for a top voice the model writes under symbols (typed ahead of a
    tune, or over bars rewritten): :data:`TUNE_OFF_CHORD_COST` for each pitch class off the
    symbol's chord, on the beats it stands over (:data:`TUNE_ON_SYMBOLS`)."""
    if not TUNE_ON_SYMBOLS:
        return {}
    return {s: np.where(np.isin(np.arange(12), sorted(c.pcs)), 0.0, TUNE_OFF_CHORD_COST)
            for s, c in chords.items()}


def closing_symbol(symbols: Iterable[ChordSymbol], start: int, stop: int,
                   tonic: int) -> str | None:
    """The symbol typed over the last of the bars a continuation writes (from ``start`` to
    ``stop``; typed ahead: at or after ``start``) where its chord has no ``tonic`` (pitch
    class): the symbols decide the close, as a harmonization's do ("... | Dm7 G7" ends on the
    dominant), and the cadence option gives way. None where none stands there, or its chord
    holds the tonic."""
    ahead = [x for x in symbols if start <= x.tick < stop and chord_tones(x.text) is not None]
    if not ahead or not TUNE_ON_SYMBOLS:
        return None
    last = max(ahead, key=lambda x: x.tick)
    return last.text if tonic not in chord_tones(last.text).pcs else None


def standing(symbols: Iterable[ChordSymbol], start: int, stop: int) -> int:
    """How many readable symbols stand over the ticks from ``start`` to ``stop`` (the one in
    force at ``start`` included): what a summary says the voices followed."""
    marks = sorted(symbols, key=lambda x: x.tick)
    return sum(1 for j, x in enumerate(marks) if x.tick < stop and chord_tones(x.text) is not None
               and (j + 1 == len(marks) or marks[j + 1].tick > start))


def costs(chord: GivenChord) -> tuple[np.ndarray, np.ndarray, TuneChord]:
    """(inner voices', bass's nats for each pitch class, the chord as the tune plan's cost reads
    it: its bass as the root the voices between avoid fifths and octaves against, its
    essential notes as those the voices must complete) at a step the chord stands over."""
    inner = np.array([0.0 if pc in chord.pcs else OFF_CHORD_COST for pc in range(12)])
    bass = np.full(12, BASS_COSTS["off"])
    for pc in chord.pcs:
        gap = (pc - chord.root) % 12
        bass[pc] = BASS_COSTS["third"] if gap in (3, 4) else BASS_COSTS["fifth"] \
            if gap == 7 else BASS_COSTS["other"]
    bass[chord.root] = BASS_COSTS["root"] if chord.bass != chord.root else BASS_COSTS["bass"]
    bass[chord.bass] = BASS_COSTS["bass"]
    seventh = len(chord.essential) > 3
    return inner, bass, TuneChord(chord.bass, chord.essential | {chord.bass}, seventh=seventh)


@dataclass(frozen=True)
class GivenMask:
    """What the voices below the melody may sound at a step a symbol stands over (normalized
    pitch classes): :func:`masks`."""
    inner: np.ndarray  # [12] an inner voice's notes: the chord's
    bass: int  # the bass's note: the symbol's root, or a slash chord's bass
    # ... or this one (the chord's third, -1: none) where a voice above sounds the root
    bass_third: int
    root: int
    # the note the voice just above the bass sounds where no voice above it has (-1: none): the
    # third (or suspended note), or a slash chord's root (a review heard "D/F#" set F#-A-A-F#)
    third: int
    onset: bool = False  # the symbol is written here (not one standing on from before)
    # a seventh chord's third and seventh (or sixth): the voices above the bass sound both
    # (:meth:`must_sound`); empty for a triad
    colour: frozenset[int] = frozenset()
    # a plain chord's third (-1: none, a slash chord or the final chord), which the bass may
    # take where its root would move in fifths or octaves with a voice above (``free``)
    inversion: int = -1

    def bass_allowed(self, above: np.ndarray, cand: np.ndarray,
                     free: np.ndarray | None = None, leading: int = -1) -> np.ndarray:
        """[rows, candidates]: the bass's candidate pitches (model pitches ``cand``) allowed
        under the voices ``above`` ([rows, voices], -1: silent); with ``free`` ([rows,
        candidates]: those that make no consecutive fifths or octaves), the chord's third
        too where no root is free, unless it is the key's ``leading`` tone (a pitch class) or
        a dominant seventh's third and a voice above sounds it, and not in unison with one
        (:data:`INVERTED_FOR_PARALLELS`)."""
        ok = np.broadcast_to(cand % 12 == self.bass, (len(above), len(cand)))
        if self.bass_third >= 0:
            rooted = (_pcs(above) == self.root).any(axis=1)
            ok = ok | (rooted[:, None] & (cand % 12 == self.bass_third)[None, :])
        if free is not None and INVERTED_FOR_PARALLELS and self.inversion >= 0:
            # (a re-review heard the bass double a dominant's leading tone, in unison with the
            # tenor's, in 27 such thirds)
            stuck = ~(ok & free).any(axis=1)
            dominant = (self.inversion - self.root) % 12 == 4 and \
                (self.root + 10) % 12 in self.colour  # (its third leads: V7/V's too)
            if self.inversion == leading or dominant:
                stuck &= ~(_pcs(above) == self.inversion).any(axis=1)
            apart = ~(cand[None, None, :] == above[:, :, None]).any(axis=1)
            ok = ok | (stuck[:, None] & (cand % 12 == self.inversion)[None, :] & free & apart)
        return ok

    def no_parallels(self, mine: np.ndarray, bass: np.ndarray, cand: np.ndarray) -> np.ndarray:
        """[rows, candidates]: an inner voice's candidates (``cand``) that make no fifth or
        octave with the bass (its note ``bass``, [rows]) moving to the symbol's bass, where
        this voice (its note ``mine``) already makes one with it: with the bass's note known
        before it is written (the inner voices are written first), they keep out of its way
        (a first version, the bass narrowed to the root, made parallels between two voices
        0.33 per 8 bars, Bach's 0.06)."""
        ok = np.ones((len(mine), len(cand)), bool)
        if self.bass_third >= 0:  # (the bass may take another note: the rules decide)
            return ok
        moving = (bass >= 0) & (mine >= 0) & (bass % 12 != self.bass)
        gap = (mine - bass) % 12
        rows = np.flatnonzero(moving & np.isin(gap, (0, 7)))
        if len(rows):
            ok[rows] = ~(((cand[None, :] - self.bass) % 12 == gap[rows, None])
                         & (cand[None, :] != mine[rows, None]))
        return ok

    def must_sound(self, above: np.ndarray, slots: int, mine: np.ndarray, cand: np.ndarray
                   ) -> np.ndarray:
        """[rows, candidates]: a voice's candidates (``cand``) where the voices ``above``
        ([rows, voices]) leave as many of :attr:`colour` unsounded as there are voices left
        to sound them (``slots``: this one and those between it and the bass), those notes
        within a fourth of its own (``mine``, [rows], -1: none); elsewhere, or where none is
        in reach, any. A review's lead sheets lacked the seventh of 22 of 138 seventh chords
        in every voice: a final "A7" set A2 A3 E4 under the tune, "D7" as three Ds and an F
        sharp (:data:`SEVENTHS_SOUNDED`; reached by any leap, bench/chord_symbols.py's wide
        leaps rose 0.957 -> 1.166 per 8 bars)."""
        ok = np.ones((len(above), len(cand)), bool)
        if not SEVENTHS_SOUNDED or not self.colour:
            return ok
        heard = _pcs(above)
        lacking = np.stack([~(heard == pc).any(axis=1) for pc in sorted(self.colour)], axis=1)
        takes = np.zeros((len(above), len(cand)), bool)
        for k, pc in enumerate(sorted(self.colour)):
            takes |= lacking[:, k:k + 1] & (cand % 12 == pc)[None, :]
        takes &= (mine[:, None] < 0) | (np.abs(cand[None, :] - mine[:, None]) <= 5)
        short = (lacking.sum(axis=1) >= slots) & takes.any(axis=1)
        ok[short] = takes[short]
        return ok

    def third_lacking(self, above: np.ndarray) -> np.ndarray:
        """[rows]: the voices ``above`` have not sounded the chord's third."""
        if self.third < 0:
            return np.zeros(len(above), bool)
        return ~(_pcs(above) == self.third).any(axis=1)


def _pcs(pitches: np.ndarray) -> np.ndarray:
    return np.where(pitches >= 0, pitches % 12, -1)


def masks(chord: GivenChord, final: bool = False) -> GivenMask:
    """The voices' notes at a step the chord stands over: an inner voice the chord's notes; the
    bass the symbol's bass (a lead sheet's "C" is C in the bass, "C/E" E), and on a beat after
    the symbol's own (not its first, nor the ``final`` chord) a plain chord's third too where
    a voice above sounds the root; the voice just above the bass the third where no voice
    above has sounded it. The sampler narrows each voice to them (where the rules before have
    left any: BASS_FIRST), and the costs choose among them. A blind review of the first
    version (the bass on any of the chord's notes) heard "D7" set rootless over A at a final
    cadence, octaves with the soprano into the tonic, and "E" under a C major tune as E-B-E-E
    (no G sharp, neither E major nor minor)."""
    third = next(((chord.root + s) % 12 for s in (4, 3, 5, 2)
                  if (chord.root + s) % 12 in chord.essential), -1)
    plain = chord.bass == chord.root and (third - chord.root) % 12 in (3, 4)
    return GivenMask(inner=np.isin(np.arange(12), sorted(chord.pcs - chord.sung)),
                     bass=chord.bass,
                     bass_third=third if plain and not (final or chord.onset) else -1,
                     root=chord.root, third=third if chord.bass == chord.root else chord.root,
                     onset=chord.onset, colour=_colour(chord, third) - chord.sung,
                     inversion=third if plain and not final else -1)


def _colour(chord: GivenChord, third: int) -> frozenset[int]:
    """A seventh (or sixth) chord's third and seventh, those of its essential notes that are
    not its bass; empty for a chord without a seventh or sixth."""
    sevenths = _sevenths(chord)
    if not sevenths or third < 0:
        return frozenset()
    return frozenset(sevenths | {third}) - {chord.bass}


def _sevenths(chord: GivenChord) -> frozenset[int]:
    """The chord's seventh (or sixth), where it has one among the notes it must sound."""
    return frozenset({(chord.root + s) % 12 for s in (9, 10, 11)} & chord.essential)


def voice_cost(i: int, n: int, cur: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """[rows, candidates] nats for voice ``i``'s candidate pitches (``cand``) where a symbol
    stands, given the voices' notes ``cur`` ([rows, voices], -1: none): the bass leaping an
    octave or two (OCTAVE_LEAP_COST), an inner voice leaping a tritone (TRITONE_LEAP_COST),
    a voice on the pitch of the voice above it (UNISON_COST), a wide leap (WIDE_LEAP_COST).
    With the voices kept to a symbol's notes, the part-writing rules had fewer notes to choose
    from and yielded more: per 8 bars, the bass's octave leaps 2.2 (Bach's 1.1), inner tritone
    leaps 0.34 (0.21), and neighbouring voices in unison on 14% of the beats (9%):
    bench/chord_symbols.py."""
    mine = cur[:, i]
    gap = np.abs(cand[None, :] - mine[:, None])
    sounding = (mine >= 0)[:, None]
    cost = np.zeros((len(cur), len(cand)))
    if i == n - 1:
        cost += np.where(sounding & np.isin(gap, (12, 24)), OCTAVE_LEAP_COST, 0.0)
        cost += np.where(sounding & ((gap > 12) | np.isin(gap, (10, 11))), WIDE_LEAP_COST, 0.0)
    elif i:
        cost += np.where(sounding & (gap == 6), TRITONE_LEAP_COST, 0.0)
        cost += np.where(sounding & (gap > 7) & (gap != 12), WIDE_LEAP_COST, 0.0)
    if i:
        cost += np.where(cand[None, :] == cur[:, i - 1:i], UNISON_COST, 0.0)
    return cost


def pitch_classes(chords: dict[int, GivenChord]) -> set[int]:
    """Every pitch class the symbols name (normalized): what a quick tune's chords, kept to the
    key's notes and the tune's, may use besides."""
    return {pc for c in chords.values() for pc in c.pcs}
