"""The chords under a quick melody: one a beat, chosen for the whole tune before a note is sampled.

Harmonizing a reel or a jig (voice_sampler.QUICK_MELODY_CHORDS), the voices below strike only
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

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from composer_gui.ml.melody_plan import DIATONIC, Melody, melody_sounding

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
# (voice_sampler._tune_chord_cost)
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


def _prior(chord: TuneChord, minor: bool) -> float:
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
    prior = np.array([_prior(c, minor) for c in chords])
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
    emit += prior
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
