"""The chords under a quick melody: one a beat, chosen for the whole tune before a note is sampled.

Harmonizing a reel or a jig (:data:`QUICK_MELODY_CHORDS`), the voices below strike only
on its beats and hold while the melody's eighths pass over them. Which chord they strike was
the chorale model's choice, made from the one melody note struck with it: a listening review
heard a jig's "G B G | G B G" set over E minor, its "F# A F#" over A major, and a reel's
bar-long D major arpeggio under four chords. A fiddler's accompanist plays the chord the
figure outlines, the tonic, subdominant and dominant above all, and changes it mostly at a bar
line or the half bar.

:func:`plan_tune_chords` chooses that chord for every beat by dynamic programming (a Viterbi
path): each beat's cost is the share of its melody that lies off the chord (the note sounding
on the beat counting ``ACCENT`` times), a chord other than I, IV or V costs ``PRIOR`` more, and
changing chord costs ``CHANGE`` (least at a bar line). The sampler then charges the voices
below for notes off the planned chord, and the bass for anything but its root
(:func:`chord_costs`); the phrase closes and the final cadence keep their own plans.
Everything is in the normalized key (C major / A minor), as the sampler's pitches are.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from composer_gui.ml.melody_plan import DIATONIC, Melody, melody_sounding
from composer_gui.ml.voices import VoiceVocabulary

# the note sounding at a beat's start weighs this many times a note passing in it
ACCENT = 2.0
# the cost of changing chord at a bar line, at the half bar, on any other beat, and on a beat
# inside a bar of three chords (a waltz's, a slip jig's: an accompanist plays one a bar) (in
# shares of a beat's melody off the chord)
CHANGE = {"bar": 0.15, "half": 0.35, "beat": 0.6, "triple": 0.9}
# the cost of a chord by its root's semitones above the tonic: the tonic nothing, IV and V
# little (an accompanist's default is the tonic where a figure fits it and V alike: a review
# heard an E Dorian reel's "B e e d" set over B minor); a major key's flat seventh (a
# Mixolydian tune's) and a minor key's III and VII a little more; any other (ii, iii, vi)
# more. V7 costs V's and ``SEVENTH`` more, so a beat that does not sing the seventh gets the
# triad
PRIOR = {"tonic": 0.0, "primary": 0.1, "modal": 0.2, "other": 0.35}
SEVENTH = 0.1
# nats the sampler charges a voice below for a pitch class off the planned chord, and the bass
# for the chord's third and fifth (a chord's root in the bass unless the voices insist)
OFF_CHORD_COST = 3.0
BASS_COSTS = {"root": 0.0, "third": 1.5, "fifth": 3.0, "off": 4.0}
# ... but an inner voice's seventh over a planned V, which makes it V7, only this much; and
# a voice above the tenor that leaves the voices below it too few to complete the chord
# (tune_chord_cost)
ADDED_SEVENTH_COST = 1.0
INCOMPLETE_COST = 2.0


@dataclass(frozen=True)
class TuneChord:
    """A chord of the plan: its root and pitch classes (normalized)."""
    root: int
    pcs: frozenset[int]
    seventh: bool = False


def chord_candidates(allowed: set[int], minor: bool) -> list[TuneChord]:
    """The major and minor triads whose notes all lie in ``allowed`` (normalized pitch
    classes), and the dominant seventh on the key's fifth where its notes do."""
    out = []
    for root in range(12):
        for third in (4, 3):
            pcs = frozenset({root, (root + third) % 12, (root + 7) % 12})
            if pcs <= allowed:
                out.append(TuneChord(root, pcs))
    dominant = (9 + 7) % 12 if minor else 7
    v7 = frozenset({dominant, (dominant + 4) % 12, (dominant + 7) % 12, (dominant + 10) % 12})
    if v7 <= allowed:
        out.append(TuneChord(dominant, v7, seventh=True))
    return out


def chord_pitch_classes(melody: Melody, minor: bool, lower_pcs: set[int]) -> set[int]:
    """The notes a tune's chords may use: the key's own (and a minor key's leading tone, for
    V, unless the tune sings the flat seventh and never the leading tone: a review heard a
    jig that sings D natural set over B major, D# against it), with the notes the melody
    sings, within what the voices below may write (``lower_pcs``: the lock, a church mode's
    notes)."""
    sung = set(melody.pcs.values())
    notes = set(DIATONIC) | sung
    if minor and (8 in sung or 7 not in sung):
        notes.add(8)  # (A minor's G#)
    return notes & lower_pcs


def prior(chord: TuneChord, minor: bool) -> float:
    degree = (chord.root - (9 if minor else 0)) % 12
    if degree == 0:
        cost = PRIOR["tonic"]
    elif degree in (5, 7):
        cost = PRIOR["primary"]
    elif degree == 10 or (minor and degree == 3):
        cost = PRIOR["modal"]
    else:
        cost = PRIOR["other"]
    return cost + (SEVENTH if chord.seventh else 0.0)


def plan_tune_chords(melody: Melody | None, stride: int, start: int, stop: int,
                     where: Callable[[int], tuple[int, int]], bar_steps: int, minor: bool,
                     allowed: set[int]) -> dict[int, TuneChord]:
    """{step of each chord below a quick melody (every ``stride`` steps of a bar, from
    ``start`` to ``stop``): the chord planned there}; {} without a stride or chords."""
    if not stride or melody is None:
        return {}
    chords = chord_candidates(chord_pitch_classes(melody, minor, allowed), minor)
    if not chords:
        return {}
    sounding, struck_at = melody_sounding(melody, start, stop)
    steps = [s for s in range(start, stop) if where(s)[1] % stride == 0]
    if not steps:
        return {}
    member = np.array([[pc in c.pcs for pc in range(12)] for c in chords], float)  # [C, 12]
    priors = np.array([prior(c, minor) for c in chords])
    emit = np.zeros((len(steps), len(chords)))
    for j, s in enumerate(steps):
        lo = s - start
        span = sounding[lo:lo + stride]
        heard = span >= 0
        if not heard.any():
            continue
        weight = np.where(struck_at[lo:lo + stride] == struck_at[lo], ACCENT, 1.0)[heard]
        fit = member[:, span[heard]] @ weight / weight.sum()
        emit[j] = 1.0 - fit
    emit += priors
    # Viterbi over the beats
    best = emit[0].copy()
    back = np.zeros((len(steps), len(chords)), int)
    same = np.eye(len(chords), dtype=bool)
    for j in range(1, len(steps)):
        pos = where(steps[j])[1]
        change = CHANGE["bar"] if pos == 0 else CHANGE["half"] \
            if bar_steps % 2 == 0 and pos == bar_steps // 2 else CHANGE["triple"] \
            if bar_steps == 3 * stride else CHANGE["beat"]
        trans = best[:, None] + np.where(same, 0.0, change)  # [from, to]
        back[j] = trans.argmin(axis=0)
        best = trans.min(axis=0) + emit[j]
    path = [int(best.argmin())]
    for j in range(len(steps) - 1, 0, -1):
        path.append(int(back[j][path[-1]]))
    path.reverse()
    return {s: chords[c] for s, c in zip(steps, path, strict=True)}


def chord_costs(chord: TuneChord, bass: bool, minor: bool) -> np.ndarray:
    """[12] nats charged to each pitch class in a voice below the melody at ``chord``'s step:
    off the chord (OFF_CHORD_COST; a planned V's seventh ADDED_SEVENTH_COST), or in the bass
    by its place in it (BASS_COSTS)."""
    if not bass:
        out = np.array([0.0 if pc in chord.pcs else OFF_CHORD_COST for pc in range(12)])
        if chord.root == (4 if minor else 7) and (chord.root + 4) % 12 in chord.pcs:
            out[(chord.root + 10) % 12] = min(out[(chord.root + 10) % 12], ADDED_SEVENTH_COST)
        return out
    third = next(pc for pc in chord.pcs if (pc - chord.root) % 12 in (3, 4))
    out = np.full(12, BASS_COSTS["off"])
    for pc in chord.pcs:
        out[pc] = BASS_COSTS["root"] if pc == chord.root else BASS_COSTS["third"] \
            if pc == third else BASS_COSTS["fifth"]
    return out


# A melody harmonized that moves mostly in notes shorter than its beat (a reel's or a jig's
# eighths) keeps its chords a beat long: the voices below strike on its beats, and its notes
# between are passing notes over them. A listening review heard a reel harmonized with a new
# chord on every eighth and the lower voices running in eighths under it: the chorale model
# sets each melody note as Bach sets a hymn's quarters. No passing eighths are added below
# (VoiceSampler._passing) either: the melody's own notes pass. A chorale melody, whose notes
# are mostly a beat long (or a quarter, under a half-note beat), is left to the model's own
# rhythm (passing eighths below included)
QUICK_MELODY_CHORDS = True
QUICK_CHORD_GAPS = 1
# ... and so does a melody in three beats a bar (3/4, 9/8; not 3/2, a chorale's meter) that
# marks no phrase end with a fermata (a waltz, an air, a minuet, a hymn in 3/4; a chorale marks
# its phrase ends), at whatever pace it moves: its chords are planned (TUNE_CHORDS), and
# change mostly at the bar line (CHANGE["triple"]). A listening review heard a
# waltz in quarters harmonized as a chorale, a new chord on almost every beat (1.5-1.9
# changes a bar, E7 under a held D) where an accompanist plays one a bar: D D G A | A A7 A D
TRIPLE_DANCE_CHORDS = True
# nats charged to a pitch the voices below strike at such a chord, times the share of its span
# in which the melody sounds a second, a tritone or a seventh from it: the model sees the
# melody's note struck with the chord, not those it passes through while the chord is held
QUICK_CLASH_COST = 4.0
_CLASHES = np.isin(np.arange(12), (1, 2, 6, 10, 11))


def _chord_steps(start: int, stop: int, stride: int, where) -> Iterator[int]:
    """The steps in [start, stop) where a chord below a quick melody may change: every
    ``stride`` steps from each bar line (``where(step)``: (bar, position in the bar))."""
    return (s for s in range(start, stop) if where(s)[1] % stride == 0)


def span_clash(melody, stride: int, start: int, stop: int, where) -> dict[int, np.ndarray]:
    """{step of a chord below a quick melody: [12] the share of the chord's span (``stride``
    steps) in which the melody's sounding note clashes with each pitch class}; {} without a
    stride. ``where(step)`` gives (bar, position in the bar)."""
    if not stride or melody is None:
        return {}
    sounding = melody_sounding(melody, start, stop)[0]
    out = {}
    for s in _chord_steps(start, stop, stride, where):
        span = sounding[s - start:s - start + stride]
        span = span[span >= 0]
        if len(span):
            # (pitch class x: clashes with the melody's pc m where (m - x) % 12 is one)
            out[s] = _CLASHES[(span[None, :] - np.arange(12)[:, None]) % 12].sum(axis=1) / stride
    return out


# A voice below a quick melody holds its note through the chord's span (QUICK_MELODY_CHORDS),
# so it is struck, or held on, under the lowest note the melody sounds in that span, not only
# under the note struck with it (UNDER_GIVEN_TOP): a listening review heard the alto above
# the tune where it dipped in 10 of 18 harmonized reels, jigs and airs (an E held over a D),
# 1.1 such onsets per 8 bars (/work/s60/dbg/cross.py, a scratch count)
UNDER_QUICK_SPAN = True


def span_floor(melody, stride: int, start: int, stop: int, where, v: VoiceVocabulary
                ) -> dict[int, int]:
    """{step of a chord below a quick melody: the lowest pitch (the model's) the melody sounds
    in the chord's span (``stride`` steps)}; {} without a stride (UNDER_QUICK_SPAN)."""
    if not stride or melody is None or not UNDER_QUICK_SPAN:
        return {}
    struck = melody_sounding(melody, start, stop)[1]
    out = {}
    for s in _chord_steps(start, stop, stride, where):
        span = {int(a) for a in struck[s - start:s - start + stride] if a >= 0}
        if span:
            out[s] = min(melody.lane[a] for a in span) - v.pitch_offset + v.min_pitch
    return out


# The chord below a quick melody is the one its figure outlines, planned for the whole tune
# (ml/py): a listening review heard a jig's "G B G" set over E minor and "F# A F#"
# over A major, each beat's chord chosen from the one melody note struck with it
TUNE_CHORDS = True
# ... and it goes as a dance tune does: its bass struck on each downbeat, the final tonic from
# the beat where the melody arrives on it (melody_plan.tonic_arrival), the closing fermata
# over the last note, and a minor tune's last chord minor (no Picardy third, the chorale's
# close): a listening review heard basses tied over bar lines, V under the tonic's notes at
# the end, and 8 of 12 minor tunes end on the major tonic
QUICK_FINAL_ARRIVAL = True


def lower_pcs(lower_ok: np.ndarray, model_pitches: np.ndarray) -> set[int]:
    """The pitch classes (normalized) every voice below may write: a lock's, a church
    mode's."""
    allowed = set(range(12))
    for ok in lower_ok:
        allowed &= {int(p) % 12 for p in model_pitches[ok]}
    return allowed


def span_chords(melody, stride: int, start: int, stop: int, where, bar_steps: int,
                minor: bool, free: set[int], allowed: set[int]
                ) -> dict[int, tuple[np.ndarray, np.ndarray, TuneChord]]:
    """{chord step below a quick melody: (inner voices', bass's costs of each pitch class,
    the chord)} from the tune's chord plan, at the steps in ``free`` only (the caller leaves
    out where a close, the final cadence or the opening tonic is planned: their own masks
    decide)."""
    plan = plan_tune_chords(melody, stride, start, stop, where, bar_steps, minor,
                                        allowed)
    return {s: (chord_costs(c, False, minor), chord_costs(c, True, minor),
                c)
            for s, c in plan.items() if s in free}


def tune_chord_cost(planned: tuple[np.ndarray, np.ndarray, TuneChord], i: int,
                     n: int, cur: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """[rows, candidates] nats charged to voice ``i``'s candidate pitches (model pitches
    ``cand``) at a planned tune chord: off the chord, or in the bass off its root. A voice
    between is charged too (the bass's cost of losing the root) for a move that would make
    fifths or octaves with the bass moving to the root, and the voice just above the bass for
    leaving the chord without its third or fifth when the voices above have not sounded it
    (the chorale rules then bar the root from the bass): a listening check heard the bass
    barred from the planned root both ways, and the plan's chord lost. A voice higher up
    pays INCOMPLETE_COST for a note that leaves the voices below it too few to complete the
    chord (a soprano and an alto on its root: no third or no fifth)."""
    inner, bass, chord = planned
    cost = np.broadcast_to((bass if i == n - 1 else inner)[cand % 12],
                           (len(cur), len(cand))).copy()
    if not 0 < i < n - 1:
        return cost
    lost = BASS_COSTS["off"]
    if i > 1:  # (no voice above the one over it: a re-review heard the alto under the tenor)
        over = cur[:, i - 1]
        cost[over >= 0] += np.where(cand[None, :] > over[over >= 0, None], lost, 0.0)
    low, mine = cur[:, n - 1], cur[:, i]
    moving = (low >= 0) & (mine >= 0) & (low % 12 != chord.root)
    gap = (mine - low) % 12
    rows = np.flatnonzero(moving & np.isin(gap, (0, 7)))
    if len(rows):
        same = ((cand[None, :] - chord.root) % 12 == gap[rows, None]) & \
            (cand[None, :] != mine[rows, None])
        cost[rows] += np.where(same, lost, 0.0)
    # the chord's notes other than the root that no voice above has sounded, per row
    wanted = np.array(sorted(chord.pcs - {chord.root}))
    above = np.where(cur[:, :i] >= 0, cur[:, :i] % 12, -1)
    missing = ~(above[:, :, None] == wanted[None, None, :]).any(axis=1)  # [rows, wanted]
    if chord.seventh:  # (once any is sounded, only the third is still wanted)
        some = missing.sum(axis=1) < len(wanted)
        missing[some] &= np.isin((wanted - chord.root) % 12, (3, 4))[None, :]
    count = missing.sum(axis=1)
    helps = (wanted[None, None, :] == (cand % 12)[None, :, None]) & missing[:, None, :]
    helps = helps.any(axis=2)  # [rows, candidates]: a note still missing
    if i == n - 2:
        cost[(count == 1)[:, None] & ~helps] += lost
    else:
        # (too few voices left above the bass to complete it unless this one helps)
        cost[(count > n - 2 - i)[:, None] & ~helps] += INCOMPLETE_COST
    return cost


def chord_stride(melody, start: int, stop: int, beat: int, quick: int, bar: int,
                  dance: bool = False) -> int:
    """The steps a harmonized ``melody``'s chords last below it: 0 (the model's own rhythm)
    unless it strikes its notes mostly (the median gap, between ``start`` and ``stop``) less
    than ``quick`` steps apart (its beat, and no more than a quarter: a chorale in 3/2 moves
    in quarters, each of them harmonized), or it is a ``dance`` in three beats of a quarter or
    a dotted quarter (TRIPLE_DANCE_CHORDS); else the shortest span of whole beats that divides
    the ``bar`` and holds QUICK_CHORD_GAPS of those gaps (QUICK_MELODY_CHORDS)."""
    if melody is None:
        return 0
    steps = [s for s in melody.attacks if start <= s < stop]
    gaps = sorted(b - a for a, b in itertools.pairwise(steps))
    dance = dance and bar == 3 * beat and 2 * beat <= 3 * quick  # (not 3/2: a chorale's)
    if not gaps or (gaps[len(gaps) // 2] >= quick and not dance):
        return 0
    spans = [d for d in range(beat, bar + 1, beat) if bar % d == 0]
    return next((d for d in spans if d >= QUICK_CHORD_GAPS * gaps[len(gaps) // 2]),
                spans[-1] if spans else beat)
