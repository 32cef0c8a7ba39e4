"""The phrase-close rules of the voice sampler (docs/voices.md): which chord a phrase end the
model marks may close on, the cadence option's V(7)-I, the tonal plan of interior closes (which
key each long phrase cadences in), the pulls toward a cadence's predominant and dominant, and
the voicings a phrase-end chord can still reach.

Masks narrow ``mask`` in place and yield where they would leave a row no pitch, as in
:mod:`part_writing`; the switches and weights are read at call time from this module.
"""

from __future__ import annotations

import functools

import numpy as np

from composer_gui.ml import close_voicing, part_writing
from composer_gui.ml.harmony_tables import (
    BARE_ROOT,
    CADENCE_ROOT,
    DIATONIC_TRIADS,
    DOMINANT_ROOT,
    FINAL_THIRD,
    I_TRIAD,
    IN_TRIAD,
    LEADING_TONE,
    TONIC_CHORD,
    TRIAD_ROOT,
    V7_NOTES,
    V7_SEVENTH,
    V_TRIAD,
    cadence_root,
    pitch_class_bits,
    rooted_below,
)
from composer_gui.ml.part_writing import (
    _KEY_BITS,
    _NATURAL,
    _SAME_LETTER,
    _avoid_mask,
    _chromatic_step_mask,
    _false_relation_mask,
    _leap_allowed,
    _leap_mask,
    _narrow,
    _narrow_held,
    _resolution_mask,
    _still_owed,
)
from composer_gui.ml.voices import HOLD, VoiceVocabulary
from composer_gui.music.score import KeySignature

# nats added to the notes of the triad a marked phrase end's chord would resolve the chord
# before it to, where that chord can be its dominant, else to the key's dominant (_cadence_pull)
CADENCE_PULL = 2.0
# ... and in a minor key: a fourteenth listening review heard 1 of 5 minor-key phrase ends close
# as a cadence (ii-i, i7-III). Continued minor openings of the val and test splits (a scratch
# count): interior phrase ends after the dominant of their chord, or on V, 25 of 97 (26%) at 2
# nats, 36 of 102 (35%) at 4 (Bach's same bars 30 of 67). In every key, 4 nats put test phrase
# ends on V 32 -> 41 of about 125 (Bach 24 of 101), so major keys keep 2.
CADENCE_PULL_MINOR = 4.0
HALF_CLOSES = True  # a phrase end after no dominant is drawn to V (a half cadence)
# ... but not where the phrase end before closed on V: two listening reviews heard phrase ends
# V, V, V, I (BWV 154.3 continued) and counted the chord of the phrase end before repeated in
# 25% of the continued test phrase ends (Bach 15%; bench/phrase_ends.py)
NO_REPEATED_HALF_CLOSE = True


def _cadence_pull(before: np.ndarray, cand: np.ndarray, minor: bool = False,
                  last: np.ndarray | None = None) -> np.ndarray:
    """[rows, pitches]: the pull (nats) toward the notes of the triad a phrase end the model
    marks should close on, given the chord ``before`` it ([rows, voices], the last beat's).

    A V(7) before it makes the close a cadence in the key of the triad it resolves to (G -> C,
    E7 -> A minor, A -> D minor). Any other chord (the tonic, ii, IV, vi, a chord of no key)
    is drawn to the key's dominant, a half cadence (:data:`HALF_CLOSES`): Bach's interior
    phrase ends are on I or V about half the time, and the tonic before a close, read as the
    dominant of IV, drew continuations to I-IV closes (bench/phrase_ends.py). The tonic
    triad itself counts as no dominant. No pull where the chord before is a dominant whose
    resolution is no triad of the key (B-flat -> E-flat in C), nor to V where the row's last
    phrase end closed on V (``last``: its root per row, -1: none; NO_REPEATED_HALF_CLOSE)."""
    out = np.zeros((before.shape[0], len(cand)))
    roots = DOMINANT_ROOT[pitch_class_bits(before)]
    tonic_root = 9 if minor else 0
    dominant = CADENCE_ROOT[(minor, 1)]
    for r in range(before.shape[0]):
        if roots[r] >= 0 and roots[r] != tonic_root and not (
                minor and III_NO_DOMINANT and roots[r] == _MINOR_III):
            triad = DIATONIC_TRIADS.get(int(roots[r] + 5) % 12)
        elif NO_REPEATED_HALF_CLOSE and last is not None and last[r] == dominant:
            triad = None
        else:
            triad = V_TRIAD[minor] if HALF_CLOSES else None
        if triad:
            out[r] = np.where(np.isin(cand % 12, list(triad)),
                              CADENCE_PULL_MINOR if minor else CADENCE_PULL, 0.0)
            if minor and triad is V_TRIAD[minor]:
                out[r] -= _subtonic_cost(cand)
    return out


# A phrase end the model marks does not close on the tonic, or on a minor triad, that the chord
# before it does not lead to: no leading tone of that chord before it, and no plagal (IV-I) or
# deceptive (V-vi) close. A listening review of ten continued val chorales found 8 of 23 interior
# phrase ends so (ii-I, iv-i, VI-i, bVII-i); Bach's closes 2.4% of his fermatas so in the 407
# chorales of music21's corpus (plagal closes 1.9% more), the reviewer's count. Half closes on
# major triads stay free. Continued val / test openings x 2 (a scratch count, the chord at the
# fermata against the beat before it): such closes 15 of 95 / 19 of 116 -> 2 of 88 / 3 of 113
# (Bach's same bars 3 of 56 / 6 of 71); bench/phrase_ends.py: closes after their dominant or on
# V 48 -> 52 / 71 -> 78; a close the voices cannot make is dropped (DROP_FAILED_CLOSES), so
# phrases of 12 beats or more 16.5% -> 24.6% / 10.1% -> 14.1% (Bach 14.1% / 5.0%). A rule
# that allowed only the cadences (the dominant's resolution, V, IV-I, V-vi) failed the voices
# in 29% of the marked closes and dropped them: phrases of 12 beats or more 41% (val).
WEAK_CLOSES_BARRED = True
# ... nor, in a major key, on IV but after I or I7 (its dominant): a fifth listening review
# (/work/s52/rev/report.md) heard continuations' phrase ends on IV after ii or after a V-I on the
# weak beat before, "no cadence"; continued test / val openings x 2 closed 10 of 119 / 6 of 97
# interior phrase ends on IV after another chord, Bach's same bars 2 of 101 / 0 of 67
# (bench/phrase_ends.py; docs/voices.md). After I7 only, the phrase ends a plain I had led to IV
# became half closes after half closes (test 17 of 119, Bach 6 of 101; with I too 10)
IV_CLOSE_PREPARED = True
_IV_TRIAD = {False: ((1 << 5) | (1 << 9) | 1, 5), True: ((1 << 2) | (1 << 5) | (1 << 9), 2)}
_DECEPTIVE = {False: 9, True: 5}  # vi after V in C major, VI after V in A minor
_MINOR_TRIADS = {False: (2, 4, 9), True: (9, 2, 4)}  # ii iii vi in C major; i iv v in A minor


def _weak_close_roots(before: np.ndarray, last: np.ndarray, minor: bool) -> np.ndarray:
    """[rows]: the roots (12-bit sets) a phrase end the model marks may not close on after the
    chord on the beat before it (``before``) and the one sounding just before it (``last``),
    both [rows, voices], -1 silent (:data:`WEAK_CLOSES_BARRED`)."""
    tonic, dominant = CADENCE_ROOT[(minor, 2)], CADENCE_ROOT[(minor, 1)]
    iv, iv_root = _IV_TRIAD[minor]
    before_bits = pitch_class_bits(before)
    bits = before_bits | pitch_class_bits(last)
    roots = [tonic] + [r for r in _MINOR_TRIADS[minor] if r not in (tonic, dominant)]
    out = np.zeros(len(bits), np.int64)
    for r in roots:
        led = (bits >> ((r + 11) % 12)) & 1 == 1
        if r == tonic:  # IV-I, iv-i
            led |= ((before_bits & ~iv) == 0) & ((before_bits >> iv_root) & 1 == 1)
        out |= np.where(led, 0, 1 << r)
    # V-vi, V-VI
    deceptive = DOMINANT_ROOT[before_bits] == dominant
    out &= ~np.where(deceptive, 1 << _DECEPTIVE[minor], 0)
    if IV_CLOSE_PREPARED and not minor:  # IV after its own dominant, I or I7, only
        out |= np.where(DOMINANT_ROOT[before_bits] == tonic, 0, 1 << iv_root)
    return out


def _unweak_groups(groups: list[tuple[np.ndarray, int | None, int]], weak: np.ndarray,
                   roots: int) -> list[tuple[np.ndarray, int | None, int]]:
    """``groups`` (:func:`_plan_groups`' kind) with each group that may close on any of
    ``roots`` split by the roots its rows may not close on (``weak``, per row as
    :func:`_weak_close_roots`)."""
    out = []
    for rows, group_roots, barred in groups:
        if group_roots is not None:
            out.append((rows, group_roots, barred))
            continue
        for value in np.unique(weak[rows]):
            out.append((rows[weak[rows] == value], int(roots & ~value) if value else None,
                        barred))
    return out


# In a minor key the relative major's tonic (III, C in A minor) before a phrase end counts as no
# dominant: the close is drawn to V (a half close), not to VI as III's resolution. Bach's minor
# train chorales close 27 of their 735 interior phrases on VI and 177 on V; the continued minor
# val and test openings x 2 closed 15 of 98 on VI (after III 9 times) and 9 on V, now 8 and 14
# (a scratch count beside bench/phrase_ends.py; docs/voices.md)
III_NO_DOMINANT = True
_MINOR_III = 0  # normalized A minor: C

# nats added to the notes of the key's dominant triad on the beat before a place in the bar where
# a phrase of LONG_PHRASE_BEATS or more may end (PHRASE_PLACES): the cadence pull then draws
# the close to the tonic (an authentic cadence), or the model goes elsewhere. With the places
# alone the continuations' interior phrase ends came after a root-position V on I or i 6 times
# in 126 on the test pieces (Bach 15 of 101); bench/phrase_ends.py --split val, 0 / 1 / 2 / 4
# nats: after V(7) on I or i 6 / 18 / 29 / 33 of about 100 (Bach 11 of 67), on I or i 24 / 36 /
# 46 / 53, on V 23 / 13 / 8 / 7 (Bach 14, 17).
PRE_CLOSE_PULL = 1.0
# nats taken from the subtonic (G natural in A minor) where a minor key's phrase end is drawn to
# its V: on the beat before a planned one (_pre_close_pull) and at a half close (_cadence_pull).
# A thirteenth listening review heard minor-key phrase ends on, or after, a minor v with no
# leading tone in 3 of 3 minor continuations. Continued minor-key openings of the val and test
# splits (a scratch count beside bench/phrase_ends.py), interior phrase ends at or after a minor
# v / a major V: 0 nats 34 / 19 of 105, 2 nats 20 / 28 of 96, 4 nats 18 / 32 of 99; Bach 3 /
# 23 of 67.
SUBTONIC_COST = 2.0
_SUBTONIC = 7  # normalized A minor: G natural


# A major-key continuation plans which chord each long phrase closes on: the tonic (I), the
# dominant (V, a cadence in its key: V/V-V, D F# A to G in C major) or the sixth degree (vi:
# V/vi-vi, E G# B to A minor), with these weights, drawn per row for each place where a phrase
# may end. A sixteenth listening review heard no cadence away from the home key in 11 of 11
# chorales, where Bach's bars cadence on V, vi or iii; Bach's major-key train chorales close
# 14% of their 909 inner phrases V/V-V and 3% V/vi-vi (a scratch count), the continued test
# openings 2% on any chord but I after its dominant (docs/voices.md).
TONAL_PLAN = {False: ((0, 0.5), (7, 0.3), (9, 0.2)), True: ((9, 5 / 6), (0, 1 / 6))}
# ... in a minor key (III: G7-C in A minor) only where this switch or MINOR_TONAL_PLAN says so.
# A harmonized melody's closes are drawn from BACH_CLOSES instead, in either mode
PLANNED_CONTINUATIONS = {False: True, True: False}
PLAN_KEY_PULL = 2.0
# ... and on the beat before the place the voices are drawn to the planned close's dominant
# triad (PRE_CLOSE_PULL), its leading tone PLAN_LEADING_PULL nats more, and where the top voice
# holds one of its notes the voices below make it, in root position (_plan_groups)
PLAN_LEADING_PULL = 4.0
REPEATED_PLAN_WEIGHT = 0.2
# A minor-key continuation plans its closes too: the tonic (i after V, or a half close on V
# where no dominant comes before: HALF_CLOSES) five times in six, the relative major (III,
# VII-III: G B D to C E G in A minor) once in six (TONAL_PLAN[True]); and on the beat before a
# place planned for the tonic the voices make no VII, the relative major's dominant
# (_plan_groups; the top voice's lookahead too). A teacher's review of 40 continuations heard
# 40% of the minor-key interior closes in the relative major (Bach 17%): the model drifts
# there and writes VII before the place whatever PRE_CLOSE_PULL draws (20 nats: III still 27%
# of the val closes), and the cadence pull resolves it to III. bench/phrase_ends.py --minor
# --variations 4 [--split val], minor-key interior phrase ends on III test 42 of 163 (26%) ->
# 21 of 165 (13%), val 86 of 279 (31%) -> 55 of 281 (20%); Bach 8 of 53, 20 of 88, train 116
# of 573 (20%). On V 22% -> 33%, 23% -> 32% (Bach 19%, 26%); closing as cadences 63% -> 59%,
# 61% -> 53% (Bach 45%, 67%): half closes after i replace VII-III (docs/voices.md)
MINOR_TONAL_PLAN = True
# ... and two beats before a place planned for the tonic, its leading tone gains PLAN_KEY_PULL
# and the subtonic loses as much (G# over G: _key_pull_table's lean), as a planned key away's
# does: without it val closes on III 21%, VII 19% (now 20%, 16%), after a minor v 8 (now 5 of
# about 280; the G sounding before the place left G# out of reach); test on i 20% (now 26%)
MINOR_PLAN_LEANS = True
_MINOR_VII = 7  # normalized A minor: G, the relative major's dominant


def planned_continuations(minor: bool) -> bool:
    """Whether a continuation in the mode of ``minor`` plans its phrase closes (TONAL_PLAN)."""
    return PLANNED_CONTINUATIONS[minor] or (minor and MINOR_TONAL_PLAN)


def _plan_targets(rng: np.random.Generator, rows: int, minor: bool,
                  last: np.ndarray | None = None) -> np.ndarray:
    """[rows]: the root (normalized pitch class) each row's next phrase end is to close on
    (:data:`TONAL_PLAN`); not the root its last phrase end closed on, ``last`` ([rows], -1:
    none; NO_REPEATED_PLAN)."""
    if not planned_continuations(minor):
        return np.full(rows, CADENCE_ROOT[(minor, 2)], np.int64)
    roots, weights = (np.asarray(x) for x in zip(*TONAL_PLAN[minor], strict=True))
    p = np.tile(weights / weights.sum(), (rows, 1))
    if last is not None:
        p[roots[None, :] == np.asarray(last)[:, None]] *= REPEATED_PLAN_WEIGHT
    cum = np.cumsum(p, axis=1)
    pick = (rng.random(rows)[:, None] * cum[:, -1:] >= cum).sum(axis=1)
    return roots[np.minimum(pick, len(roots) - 1)].astype(np.int64)


@functools.cache
def _key_pull_table(minor: bool, lean: bool = False) -> np.ndarray:
    """[12 targets, 12 pitch classes]: :data:`PLAN_KEY_PULL` on the leading tone of the key on
    each target root where it lies outside the home key, minus as much on the note a semitone
    below it (0 for the tonic; in minor, with ``lean``, the tonic's too: G# over G,
    MINOR_TONAL_PLAN)."""
    out = np.zeros((12, 12))
    for t in range(12):
        leading = (t + 11) % 12
        tonic = t == CADENCE_ROOT[(minor, 2)]
        if (not tonic and not (_KEY_BITS[minor] >> leading) & 1) or (tonic and minor and lean):
            out[t, leading] += PLAN_KEY_PULL
            out[t, (leading - 1) % 12] -= PLAN_KEY_PULL
    return out


def _plan_third(targets: np.ndarray, minor: bool) -> np.ndarray:
    """The third (semitones over its root) of the triad on each planned root that the key's
    scale gives it: 4 on V (G B D), 3 on vi (A C E)."""
    scale = sum(1 << pc for pc in _NATURAL[minor])
    return np.where((scale >> ((targets + 4) % 12)) & 1 == 1, 4, 3)


def _plan_groups(rows: np.ndarray, targets: np.ndarray, top: np.ndarray, minor: bool,
                 closing: bool = False, drawn: np.ndarray | None = None
                 ) -> list[tuple[np.ndarray, int | None, int]]:
    """``rows`` split by the chord a planned phrase end's voices under the top voice (``top``:
    its pitch) make: on the beat before it the major triad on the dominant of a planned close
    away from the tonic, at it (``closing``) the planned triad itself, where the top voice's
    note is in it; else what any phrase end's chord may be (at the close, with the planned
    triad's third; in minor, on the beat before a place whose plan was drawn, ``drawn`` per
    row, for the tonic: no VII, MINOR_TONAL_PLAN). Per group: its rows, the root (a 12-bit
    set; None: :func:`_close_roots`) and the third it may not have (-1: none)."""
    root = targets if closing else (targets + 7) % 12
    # the triad's third (semitones over its root): the dominant's major, the close's the key's
    third = _plan_third(targets, minor) if closing else np.full(len(targets), 4)
    away = targets != CADENCE_ROOT[(minor, 2)]
    fits = away & (top >= 0) & \
        (np.isin((top - root) % 12, (0, 7)) | ((top - root) % 12 == third))
    barred = (root + 7 - third) % 12
    # (a close keeps its third where the top voice's note is not in its triad: no E-A major
    # for a planned vi)
    plain = ~away | (~fits & (not closing))
    out: list[tuple[np.ndarray, int | None, int]] = [(rows[plain], None, -1)]
    if minor and MINOR_TONAL_PLAN and not closing and drawn is not None:
        home = plain & ~away & drawn
        if home.any():
            out = [(rows[plain & ~home], None, -1),
                   (rows[home], _close_roots(True) & ~(1 << _MINOR_VII), -1)]
    for r in np.unique(root[~plain]):
        for fit in (True, False):
            here = ~plain & (root == r) & (fits == fit)
            if here.any():
                out.append((rows[here], 1 << int(r) if fit else None, int(barred[here][0])))
    return out


def _planned_top_mask(mask: np.ndarray, rows: np.ndarray, targets: np.ndarray,
                      cand: np.ndarray, pitch_offset: int, minor: bool) -> None:
    """At a planned close away from the tonic (``targets`` of ``rows``; the tonic: none) the
    top voice takes a note of the planned triad (the voices below then make it: _plan_groups);
    from its dominant's notes it is a step or a common tone away. A row left without a note
    keeps its mask."""
    away = targets != CADENCE_ROOT[(minor, 2)]
    if not away.any():
        return
    t = targets[away][:, None]
    third = _plan_third(t, minor)
    interval = (cand[None, :] - t) % 12
    sub = mask[rows[away]]
    _narrow(sub, (interval == 0) | (interval == 7) | (interval == third), pitch_offset)
    mask[rows[away]] = sub


@functools.cache
def _plan_pulls(minor: bool) -> np.ndarray:
    """[12 targets, 12 pitch classes]: the pull (nats) toward the dominant triad of each
    target root (:func:`_pre_close_pull`)."""
    out = np.zeros((12, 12))
    for t in range(12):
        leading = (t + 11) % 12
        out[t, [(t + 7) % 12, leading, (t + 2) % 12]] = PRE_CLOSE_PULL
        if not (_KEY_BITS[minor] >> leading) & 1:
            out[t, leading] += PLAN_LEADING_PULL
    if minor:
        out[9, _SUBTONIC] -= SUBTONIC_COST
    return out


def _pre_close_pull(rows: int, cand: np.ndarray, minor: bool,
                    targets: np.ndarray | None = None) -> np.ndarray:
    """[rows, pitches]: the pull (nats) toward the dominant triad of each row's planned close
    (``targets``, normalized roots; None: the tonic's, the key's dominant)."""
    if targets is None:
        targets = np.full(rows, CADENCE_ROOT[(minor, 2)], np.int64)
    return _plan_pulls(minor)[targets][:, cand % 12]


# nats added to the notes of the predominant triad (ii: D F A before G-C in C major; B D F
# before E-A in A minor) a beat before a cadence's dominant, and to the bass's fourth degree (F,
# D) PREDOMINANT_BASS_PULL more: ii6, IV, ii65 before V, as Bach prepares his cadences. Two beats
# before a phrase end after its dominant Bach's chord is ii or IV 63% / 48% of the time (test /
# val chorales continued; harmonized 58% / 53%), the model's was 23% / 19% (29% / 27%): it came
# to V from I, vi or V itself. bench/cadence_approach.py --split val, with the guards
# (_predominant_fits, the top voice's minor sixth), 2 / 3 / 4 nats: continued 32% / 38% / 50%,
# harmonized 36% / 43% / 45%; at 4 ii comes before V 38 times to IV's 8 in the test
# continuations (Bach 26 to 8)
PREDOMINANT_PULL = 4.0
PREDOMINANT_BASS_PULL = 2.0
# nats more on the tonic for the alto and tenor on that beat: held into the dominant as a 4-3
# or falling to its leading tone, as Bach comes to his V. Before V-I closes of the val and test
# openings continued (x 2, bars 5-12; a scratch count, /work/s76/cad43.py), the inner voices
# came to the leading tone from the sixth below 51 times in 177 closes, from the tonic held a
# beat 7 times, as a 4-3 5 times; Bach's same bars, in 72 closes, 12 / 27 / 12. At 4: 41 / 28 /
# 14 in 181; at 6: 35 / 36 / 25 in 184. A blind listening review of eight test chorales
# continued at 0 and 4 (the same seed) preferred 4 in six of the seven that differed, heard 15
# of 27 closes at 4 as Bach-like against 11, and 8 rule-breaking faults against 19
PREDOMINANT_TONIC_PULL = 4.0


def _subtonic_mask(mask: np.ndarray, rows: np.ndarray, subtonics: np.ndarray,
                   sounding: np.ndarray, cand: np.ndarray, pitch_offset: int) -> None:
    """:func:`_avoid_mask` in ``rows``, each row's own pitch class ``subtonics``
    ([len(rows)]): none struck, a note held on it moved (where a row has another pitch)."""
    for pc in np.unique(subtonics):
        rs = rows[subtonics == pc]
        sub = mask[rs]
        _avoid_mask(sub, sounding[rs], cand, pitch_offset, frozenset({int(pc)}))
        mask[rs] = sub


@functools.cache
def _predominant_notes(minor: bool | None, which: str) -> np.ndarray:
    """[12 tonics, 12 pitch classes], bool: in the key on each tonic, its ii triad ("ii": D F A
    in C major, B D F in A minor; "top": the same but in minor the sixth degree, F, from which
    the top voice cannot step into the dominant's triad), its fourth degree ("bass") or the
    notes of its ii and IV ("fits": D F A C, in minor B D F A, ii and iv). The mode:
    ``minor``, or (None) the one the home key's scale gives the triad on that tonic
    (:func:`_plan_third`, a planned close's)."""
    out = np.zeros((12, 12), bool)
    for t in range(12):
        m = minor if minor is not None else _plan_third(np.array([t]), False)[0] == 3
        if which == "bass":
            out[t, (t + 5) % 12] = True
        else:
            out[t, [(t + 2) % 12, (t + 5) % 12, (t + (8 if m else 9)) % 12]] = True
            out[t, t] = which == "fits"
            if which == "top" and m:  # (from F the top voice reaches no note of E major's
                out[t, (t + 8) % 12] = False  # triad but its root: an augmented second to G#)
    return out


def _predominant_pulls(minor: bool | None, top: bool = False) -> np.ndarray:
    """[12 tonics, 12 pitch classes]: PREDOMINANT_PULL on the ii triad of the key on each (for
    the ``top`` voice: its notes but a minor key's sixth degree)."""
    return np.where(_predominant_notes(minor, "top" if top else "ii"), PREDOMINANT_PULL, 0.0)


def _predominant_bass(minor: bool | None) -> np.ndarray:
    """[12 tonics, 12 pitch classes]: PREDOMINANT_BASS_PULL on the fourth degree of each."""
    return np.where(_predominant_notes(minor, "bass"), PREDOMINANT_BASS_PULL, 0.0)


def _predominant_fits(minor: bool | None) -> np.ndarray:
    """The notes a predominant chord can harmonize (ii and IV; in minor ii and iv): the voices
    below a top voice on one of them are drawn to the predominant, below any other not."""
    return _predominant_notes(minor, "fits")


def _cadence_key(close_key: tuple[bool, int] | None, key: KeySignature | None) -> tuple[bool, int]:
    """(minor, normalized tonic) of a cadence in ``close_key`` (None: the piece's ``key``)."""
    minor, shift = close_key or (key is not None and key.quality == "minor", 0)
    return minor, cadence_root(minor, 2, shift)


def _subtonic_cost(cand: np.ndarray) -> np.ndarray:
    """[pitches]: SUBTONIC_COST on the minor key's subtonic, 0 elsewhere."""
    return np.where(cand % 12 == _SUBTONIC, SUBTONIC_COST, 0.0)


def _cadence_ready(before: np.ndarray, minor: bool) -> np.ndarray:
    """[rows]: whether the chord ``before`` ([rows, voices], every voice sounding) is a V(7) of
    one of the key's triads other than the tonic triad itself (:func:`_cadence_pull`'s reading):
    a phrase ending on the next beat would close as a cadence."""
    roots = DOMINANT_ROOT[pitch_class_bits(before)]
    tonic_root = 9 if minor else 0
    return (before >= 0).all(axis=1) & (roots >= 0) & (roots != tonic_root) & \
        _RESOLVES_IN_KEY[np.maximum(roots, 0)]


# per root: whether the major triad or dominant seventh on it resolves to a triad of the key
_RESOLVES_IN_KEY = np.array([((r + 5) % 12) in DIATONIC_TRIADS for r in range(12)])


def _closes(cur: np.ndarray) -> np.ndarray:
    """[rows]: whether the chord ``cur`` ([rows, voices], lowest voice last) is a major or
    minor triad in root position, its fifth there or not (every voice sounding)."""
    return (cur >= 0).all(axis=1) & (_chord_roots(cur) == cur[:, -1] % 12)


def _chord_roots(cur: np.ndarray) -> np.ndarray:
    """[rows]: the root (pitch class) of the major or minor triad ``cur`` ([rows, voices], -1:
    silent) sounds, its fifth there or not; -1 for any other chord."""
    bits = pitch_class_bits(cur)
    return np.where(TRIAD_ROOT[bits] >= 0, TRIAD_ROOT[bits], BARE_ROOT[bits])


# A phrase end closes on a triad whose root is a degree of the key (C D E F G A B in C major,
# A B C D E F G in A minor; its quality free: V/V and V/vi half closes stay), not on a chromatic
# one: a twelfth listening review heard fermatas on bII and bVII in 2 of 8 continuations (Bach's
# same bars: none)
DIATONIC_CLOSES = True


# ... and in a major key not on the third degree (E in C): iii closes 15 of the 909 interior
# fermatas of Bach's major-key train chorales (III, V/vi, 30); the harmonized val melodies had
# iii under 15 of 208 (Bach's own under the same melodies 0 of 104), and a twelfth listening
# review heard iii under 4 of the 8 inner fermatas of one hymn
NO_MEDIANT_CLOSES = True

# ... nor on a chord rooted on the normalized B: in a major key the leading tone's degree (B
# major or minor in C: chromatic chords, V/iii and iii of V), in a minor key the second (B in A
# minor: V/V, ii with F#). Bach's train, val and test chorales close 2 of 1,176 major-key and 3
# of 883 minor-key interior phrases there (a scratch count). The model's attempts failed the
# phrase-end rules (B D F# with B doubled above: 6 of 29 dropped closes of the continued test
# openings) and their phrases ran on. bench/phrase_ends.py [--split val]: interior phrase ends
# 126 -> 131 (Bach 101), 109 -> 110 (67); phrases of 12 beats or more 19.3% -> 17.0% (5.0%),
# 17.7% -> 14.9% (14.1%)
NO_B_CLOSES = True


# A minor key's phrase end (and the beat before a planned one, whose rows the phrase-end rules
# take too) is no minor v: E G B in A minor, the dominant without its leading tone. A
# thirteenth listening review heard 6 of 20 interior phrase ends on or after one ("the pull
# toward the dominant lands on the right degree but not the chord quality"); Bach's same bars
# had none. Measured below (bench/phrase_ends.py's minor v column).
MAJOR_DOMINANT_CLOSES = True
_MINOR_V = (1 << 4) | (1 << 7)  # E and G: with B, or alone, they make the minor v
_MINOR_V_TRIAD = _MINOR_V | (1 << 11)


def _close_roots(minor: bool) -> int:
    """The roots (12-bit set) a phrase end's triad may have in the normalized key."""
    roots = sum(1 << pc for pc in _NATURAL[minor]) if DIATONIC_CLOSES else 0xFFF
    if NO_B_CLOSES:
        roots &= ~(1 << 11)
    return roots & ~(1 << 4) if NO_MEDIANT_CLOSES and not minor else roots


# nats taken from the alto's notes more than an octave below the top voice sounding then: the
# harmonized test melodies had the two voices an octave apart or more on 1.3% of their beats,
# Bach's settings of them 0.35% (a scratch count), and an eighteenth listening review heard an
# eleventh between soprano G5 and alto D4. At 2 nats a fiddle tune harmonized still left them so
# on 5.2% of its beats (quick val tunes; Bach's chorales 0.3%): the alto stays in a chorale
# alto's register while a reel climbs to G5-B5, and a listening review heard S-A gaps of 15 to
# 20 semitones in 5 of 8 harmonized folk openings. 4 / 6 / 8 / 12 nats: 3.9 / 2.2 / 1.9 / 1.8%,
# alto and tenor wider 0.5% -> 0.8% at 6 (Bach 1.3%), the other measures unmoved
# (bench/quick_harmony.py --split val --alto-spacing 2,4,6,8,12; docs/voices.md)
ALTO_SPACING_COST = 6.0
# ... and from the tenor's more than an octave below the alto (session 44): on the beats of the
# harmonized val melodies (x 2) 15.6 in 1,000 beats, Bach's 7.6; at 1 / 2 nats 13.0 / 7.8, beat
# chords 0.966 -> 0.970 at 2 (a scratch count beside bench/voice_leaps.py --split val;
# docs/voices.md has the test split)
TENOR_SPACING_COST = 2.0
# ... and to holding a note that lies so under the voice above's new note (SPACING_HOLDS)
SPACING_HOLDS = True


def _spacing_cost(biased: np.ndarray, top: np.ndarray, cand: np.ndarray,
                  pitch_offset: int, cost: float | None = None,
                  held: np.ndarray | None = None) -> None:
    """Charge ``cost`` (default :data:`ALTO_SPACING_COST`) to the candidates more than an octave
    below ``top`` ([rows], -1: silent, no charge), and to holding a ``held`` pitch ([rows], -1:
    none) that lies so (SPACING_HOLDS)."""
    wide = (top[:, None] >= 0) & (top[:, None] - cand[None, :] > 12)
    cost = ALTO_SPACING_COST if cost is None else cost
    biased[:, pitch_offset:pitch_offset + len(cand)] -= cost * wide
    if held is not None and SPACING_HOLDS:
        biased[:, HOLD] -= cost * ((top >= 0) & (held >= 0) & (top - held > 12))


# nats added at a phrase end to the alto's notes that sound another note of a major or minor
# triad than the top voice's: the tenor then completes the triad (_root_reach_mask), which it
# cannot where the alto doubles the top voice's note. An eighteenth listening review heard thin
# fermata chords, unisons and tripled thirds, in 14 of 81
FULL_CLOSE_PULL = 2.0


def _full_close_pull(above: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """[rows, candidates]: FULL_CLOSE_PULL where the candidate's pitch class is another than
    those of ``above`` (the voices above it, [rows, voices], -1 silent) and lies with them in
    one major or minor triad."""
    bits = pitch_class_bits(above)[:, None]
    own = (1 << (cand % 12))[None, :]
    return np.where(((bits & own) == 0) & IN_TRIAD[bits | own], FULL_CLOSE_PULL, 0.0)


def _close_triads(minor: bool) -> list[tuple[int, int]]:
    """(root, 12-bit set) of every major and minor triad a phrase end's chord may be in the
    normalized key, before its roots are narrowed (:func:`_close_roots`, a plan's): in minor
    no minor v (MAJOR_DOMINANT_CLOSES), no major tonic's third (INNER_MINOR_TONIC) and no minor
    bIII, bVI or bVII (NO_MINOR_MIXTURE_CLOSES), in major no minor i, iv or v
    (NO_MIXTURE_CLOSES), as :func:`_fermata_chord_mask` bars them."""
    out = []
    for root in range(12):
        for third in (3, 4):
            bits = (1 << root) | (1 << (root + third) % 12) | (1 << (root + 7) % 12)
            if minor and MAJOR_DOMINANT_CLOSES and bits == _MINOR_V_TRIAD:
                continue
            if minor and INNER_MINOR_TONIC and bits >> 1 & 1:
                continue
            if _mixture_barred(minor) and any(bits == t for t, _ in _MIXTURE_TRIADS):
                continue
            out.append((root, bits))
    return out


def _own_lines(rows: np.ndarray, n: int, cur: np.ndarray, chord: np.ndarray, owed: np.ndarray,
               strikes: np.ndarray, recent: np.ndarray | None, given_ahead: int | None,
               forced: list, cand: np.ndarray, pitch_ok: np.ndarray, pitch_offset: int,
               minor: bool, fall: tuple[int, int] | None = None) -> np.ndarray:
    """[rows, voices, pitches]: the notes each voice's own line allows it next (the rules that
    read its last note: a seventh it owes falls, its leaps, false relations with the notes just
    struck, a note off the key left by step; an inner voice's ``fall`` from a leading tone, as
    :func:`part_writing._chromatic_step_mask` takes it), for :func:`close_voicing.reachable`. A
    forced voice is left free."""
    out = np.ones((len(rows), n, len(cand)), bool)
    for j in range(n):
        if forced[j] is not None:
            continue
        m = np.repeat(pitch_ok[j][None, :], len(rows), axis=0)
        _leap_mask(m, chord[rows, j], cand, pitch_offset, minor, j < n - 1)
        _resolution_mask(m, _still_owed(owed, cur, j)[rows], cand, pitch_offset,
                         strikes[rows, j])
        if given_ahead is not None and recent is not None:
            _false_relation_mask(m, j, recent[rows], given_ahead, cand, pitch_offset, minor)
        if part_writing.CHROMATIC_STEPS:
            _chromatic_step_mask(m, j, chord[rows, j], cur[rows], cand, pitch_offset, minor,
                                 fall if 0 < j < n - 1 else None)
        out[:, j] = m[:, pitch_offset:pitch_offset + len(cand)]
    return out


def _close_lookahead(mask: np.ndarray, table: close_voicing.VoicingTable, reach: np.ndarray,
                     close_rows: np.ndarray, rs: np.ndarray, roots: int, barred: int,
                     cur: np.ndarray, i: int, cand: np.ndarray, pitch_offset: int,
                     loose: np.ndarray | None = None) -> None:
    """Voice ``i`` of the phrase-end rows ``rs`` (among ``close_rows``, whose reachable voicings
    ``reach`` holds) takes a note of a voicing still in reach (:data:`CLOSE_LOOKAHEAD`);
    ``loose`` (the same from the last onset alone) serves the rows ``reach`` leaves none
    (CLOSE_LOOKAHEAD_ONSET). A row with no voicing left, or left without a note, keeps its
    mask."""
    at = np.searchsorted(close_rows, rs)
    allowed, found = close_voicing.allowed_notes(
        table, reach[at], cur[rs, :i], i, int(cand[0]), len(cand), roots, barred)
    if loose is not None and not found.all():
        more, more_found = close_voicing.allowed_notes(
            table, loose[at], cur[rs, :i], i, int(cand[0]), len(cand), roots, barred)
        allowed = np.where(found[:, None], allowed, more)
        found = found | more_found
    if not found.any():
        return
    rows = rs[found]
    sub = mask[rows]
    _narrow_held(sub, allowed[found], cur[rows, i], cand, pitch_offset)
    mask[rows] = sub


def _fermata_chord_mask(mask: np.ndarray, i: int, n: int, cur: np.ndarray, cand: np.ndarray,
                        pitch_offset: int, minor: bool = False, roots: int | None = None
                        ) -> None:
    """A phrase end (a fermata the model samples, or the score's own: GIVEN_CLOSES) closes on a
    major or minor triad in root position whose root is a degree of the key
    (:func:`_close_roots`): a voice below the top keeps the chord within one such triad, and the
    bass takes its root; the voice above the bass leaves it one (the third sounds above: over an
    open fifth C-G the bass could only fill in E, an inversion, and 26 of 124 phrase ends of
    bench/region_gaps.py --continuations came so). A sixth listening review found 1 of 15
    interior fermatas on a cadence, the rest on seventh chords (i7, vi7, iii7), inversions
    (ii6/4, vi6, VII6) and the like. In minor the chord is no minor v (MAJOR_DOMINANT_CLOSES).
    ``roots`` (a 12-bit set) replaces :func:`_close_roots` where given. A row left without a
    note keeps its mask."""
    merged = pitch_class_bits(cur[:, :i])[:, None] | (1 << (cand % 12))[None, :]
    roots = _close_roots(minor) if roots is None else roots
    if i == n - 1:
        root = TRIAD_ROOT[merged]
        if BARE_CLOSES:  # or over its root, a third without the fifth (_closes reads both)
            root = np.where(root >= 0, root, BARE_ROOT[merged])
        allowed = (root == (cand % 12)[None, :]) & ((roots >> (cand % 12))[None, :] & 1 == 1)
        # where root position yields to an earlier rule, at least no six-four chord (the bass
        # on the triad's fifth: an eighth listening review found fermatas on vi6/4 and III6/4)
        _narrow(mask, (root < 0) | ((root + 7) % 12 != (cand % 12)[None, :]), pitch_offset)
    elif i == n - 2:  # the voices above the bass leave it a root: they hold the third
        allowed = rooted_below(roots)[merged]
        if BARE_CLOSES:
            allowed = allowed | rooted_below(roots, bare=True)[merged]
    elif WITHIN_CLOSE_TRIAD:
        allowed = _within_close_triad(minor, roots)[merged]
    else:
        allowed = IN_TRIAD[merged]
    if minor and MAJOR_DOMINANT_CLOSES:
        allowed &= ~(((merged & ~_MINOR_V_TRIAD) == 0) & ((merged & _MINOR_V) == _MINOR_V))
    if minor and INNER_MINOR_TONIC:  # no Picardy third inside the piece
        allowed &= (cand % 12 != 1)[None, :]
    if _mixture_barred(minor):  # no minor C, F or G triad: i, iv, v in C major, bIII... in A minor
        for triad, pair in _MIXTURE_TRIADS:
            allowed &= ~(((merged & ~triad) == 0) & ((merged & pair) == pair))
    # a note held from before stays only where it fits the triad
    _narrow_held(mask, allowed, cur[:, i], cand, pitch_offset)


# A voice above the two lowest keeps the chord so far within one triad the close may take
# (:func:`_close_triads` on the close's roots), not merely within some triad: over G# in the top
# voice of a close in A minor the alto took C, which only F minor (barred) holds, and the bass's
# rule then yielded to F-G#-C under the fermata (a continued test opening)
WITHIN_CLOSE_TRIAD = True


def _within_close_triad(minor: bool, roots: int) -> np.ndarray:
    """For each 12-bit set of pitch classes: whether it lies within one major or minor triad
    on ``roots`` that a phrase end may close on in the normalized key of ``minor``."""
    sets = np.arange(1 << 12)
    within = np.zeros(1 << 12, bool)
    for root, bits in _close_triads(minor):
        if roots >> root & 1:
            within |= (sets & ~bits) == 0
    return within


# ... nor, in a minor key, on the major tonic (the Picardy third, C# in A minor): the model
# learned it from the chorales' final chords, and harmonized minor test melodies closed 41 of
# 144 inner phrases on A major after E, Bach 2 of 72 (a scratch count); the final chord keeps
# it (PICARDY)
INNER_MINOR_TONIC = True
# ... nor, in a major key, on the parallel minor's i, iv or v (C, F or G minor in C): a listening
# review (session 39) heard a continuation in F major close a phrase on F minor after B-flat 7
# over F. The major-key test and val openings continued x 2 (a scratch count): phrase ends on
# minor iv 5 of 125, Bach's same bars none of 101 (on a triad the voices so far lie within and
# whose root and third they hold: E-flat alone may still be a passing note's)
NO_MIXTURE_CLOSES = True
# ... nor, in a minor key, on a minor triad where the key has a major one: bIII, bVI, bVII (C, F
# or G minor in A minor, the same roots and triads as above in the normalized keys). Bach's
# interior fermatas in the minor train chorales: none of 735 on C or F minor, 1 on G minor; the
# continued minor val and test openings x 2 closed 6 of their 99 interior phrases there (C minor
# 3, F minor 3, a scratch count beside bench/phrase_ends.py), a mixture a listener hears at the
# close
NO_MINOR_MIXTURE_CLOSES = True
_MIXTURE_TRIADS = tuple(((1 << r) | (1 << (r + 3) % 12) | (1 << (r + 7) % 12),
                         (1 << r) | (1 << (r + 3) % 12)) for r in (0, 5, 7))


def _mixture_barred(minor: bool) -> bool:
    """Whether a phrase end in the normalized key of ``minor`` bars the minor triads on C, F
    and G (:data:`NO_MIXTURE_CLOSES`, :data:`NO_MINOR_MIXTURE_CLOSES`)."""
    return NO_MINOR_MIXTURE_CLOSES if minor else NO_MIXTURE_CLOSES


# A marked phrase end may close on a root-position triad without its fifth (C-E over C, as
# _closes reads it, and as Bach writes 9 of his 52 fermata chords in the continued val bars)
# where its voices can reach no whole triad: the tenor, moving from a fifth over the bass,
# could complete V-I only in parallel fifths (D/G -> G/C) and its rule yielded, where the
# root doubled (D -> C) closes. Alone: dropped phrase ends test 41 of 155 -> 41 of 156, val
# 35 of 134 -> 32 of 131 (with CLOSE_BASS_ROOM: see there). The bass's style rule
# (_style_mask: on a beat it completes a triad or seventh chord) takes root and third over the
# root as a chord at a phrase end too: it had barred the root under G-B-G and left the close no
# note, 8 of the 9 planned closes away dropped in a scratch count (TONAL_PLAN); with it,
# bench/phrase_ends.py phrases of 12 beats or more test 16.6% -> 14.4%, val 17.2% -> 13.2%
# (with TONAL_PLAN too: 17.8%, 17.2%)
BARE_CLOSES = True


def _root_reach_mask(mask: np.ndarray, i: int, n: int, cur: np.ndarray, chord: np.ndarray,
                     cand: np.ndarray, pitch_offset: int, minor: bool = False,
                     roots: int | None = None) -> None:
    """On a phrase end the model marks, an inner voice takes a note that leaves the bass, written
    after it, a root it may move to: one that makes the chord a major or minor triad in root
    position (with the tenor: completes it, or where no whole triad can be had, its root and
    third: BARE_CLOSES), lies no tritone from the bass's last note (the bass
    leaps none), and moves into no consecutive fifth or octave with a voice above (the pair
    rule, ``_parallels_mask``, which the bass meets first). Where the voices above had barred
    every root, the bass's phrase-end rule yielded: 22 of 110 marked phrase ends of the
    continued test openings (docs/voices.md). ``roots`` as in :func:`_fermata_chord_mask`. A
    row left without a note keeps its mask."""
    rows = mask.shape[0]
    above = pitch_class_bits(cur[:, :i])
    pcs = cand % 12
    bass0 = chord[:, n - 1]
    before_i = chord[:, i]
    allowed = np.zeros((rows, len(cand)), bool)
    bare = np.zeros((rows, len(cand)), bool)  # the tenor's: root and third alone
    roots = _close_roots(minor) if roots is None else roots
    for b in range(12):
        if not roots >> b & 1:
            continue
        bits = above[:, None] | (1 << pcs)[None, :] | (1 << b)
        fits = np.zeros(bits.shape, bool)
        thin = np.zeros(bits.shape, bool)
        for third in (3, 4):
            triad = (1 << b) | (1 << (b + third) % 12) | (1 << (b + 7) % 12)
            fits |= (bits == triad) if i == n - 2 else (bits & ~triad) == 0
            if i == n - 2 and BARE_CLOSES:
                thin |= bits == (1 << b) | (1 << (b + third) % 12)
        moves = (bass0 >= 0) & (bass0 % 12 != b)
        ok = ~((bass0 >= 0) & ((b - bass0) % 12 == 6))[:, None]
        for j in range(i):  # a voice above that moves, from a fifth or octave over the bass
            now_j, before_j = cur[:, j], chord[:, j]
            interval = np.abs(before_j - bass0) % 12
            into = moves & (now_j >= 0) & (before_j >= 0) & (now_j != before_j) & \
                ((interval == 0) | (interval == 7)) & ((now_j - b) % 12 == interval)
            ok = ok & ~into[:, None]
        interval = np.abs(before_i - bass0) % 12  # this voice, moving to the candidate
        into = (moves & (before_i >= 0) & ((interval == 0) | (interval == 7)))[:, None] & \
            (cand[None, :] != before_i[:, None]) & (((cand[None, :] - b) % 12)
                                                    == interval[:, None])
        ok = ok & ~into
        allowed |= ok & fits
        bare |= ok & thin
    if bare.any():  # the fifth left out only where no whole triad can be had
        whole = (mask[:, pitch_offset:pitch_offset + len(cand)] & allowed).any(axis=1)
        allowed = np.where(whole[:, None], allowed, allowed | bare)
    _narrow_held(mask, allowed, cur[:, i], cand, pitch_offset)


def _sounding_before(lane: list[int], s: int, v: VoiceVocabulary) -> int:
    """The pitch (normalized MIDI) a voice's grid lane sounds just before step ``s``, or -1."""
    t = min(s, len(lane)) - 1
    while t >= 0 and lane[t] == HOLD:
        t -= 1
    if t < 0 or lane[t] < v.pitch_offset:
        return -1
    return lane[t] - v.pitch_offset + v.min_pitch


def _chord_before(grid: list[list[int]], last: int | None, v: VoiceVocabulary) -> int:
    """The root (normalized pitch class) of the triad sounding at the sketch's last phrase end
    (step ``last``; -1: none, or no triad)."""
    if last is None:
        return -1
    pitches = np.asarray([[_last_pitch(lane, last + 1, v) for lane in grid]], np.int64)
    return int(_chord_roots(pitches)[0]) if (pitches >= 0).all() else -1


def _last_pitch(lane: list[int], s: int, v: VoiceVocabulary) -> int:
    """The last pitch (normalized MIDI) a voice's lane attacked before step ``s``, or -1."""
    for t in range(min(s, len(lane)) - 1, -1, -1):
        if lane[t] >= v.pitch_offset:
            return lane[t] - v.pitch_offset + v.min_pitch
    return -1


TOP_OFF_DOMINANT_ROOT = True  # _cadence_mask: the dominant's top voice is not on its root




def _cadence_mask(mask: np.ndarray, i: int, n: int, cand: np.ndarray, pitch_offset: int,
                  minor: bool, which: int, cur: np.ndarray,
                  before: np.ndarray | None = None, shift: int = 0,
                  final: bool = True, picardy: bool = True, top_free: bool = False) -> None:
    """The cadence option's last two beats: the dominant (V or V7, root in the lowest voice) and
    the tonic (root in the lowest voice; a melody's last note is the tonic). The model still
    chooses every voice's note among the chord's; a note held from before stays only if it
    belongs to the chord, and the root goes under the voices above it (root position). A voice
    the mask would leave without a note keeps its mask.

    The final tonic of several voices is a full close, as Bach ends: the dominant's top voice
    takes no seventh, and ends on the tonic; a seventh in an inner voice (``before``: each
    voice's pitch at the last onset) falls by step to the tonic's third; the third is present
    (the second-lowest voice takes it when the voices above lack it: no bare fifth).
    ``shift``: the cadence is in the key ``shift`` semitones above the normalized one of
    ``minor`` (a harmonized melody that ends in another key, :func:`closing_key`, or a phrase
    close planned in one). In minor the ``final`` tonic takes the Picardy third (PICARDY); a
    tonic inside the piece does not (INNER_MINOR_TONIC); with ``picardy`` False (the
    composer's choice) the final tonic keeps the minor third too. With ``top_free`` (a tonic
    that opens a piece) the top voice takes any note of the triad."""
    if shift:  # the chords' pitch classes are read in the cadence's own key
        cand = cand - shift
        cur = np.where(cur >= 0, cur - shift, -1)
        if before is not None:
            before = np.where(before >= 0, before - shift, -1)
    pcs = TONIC_CHORD[minor] if which == 2 else V7_NOTES[minor]
    if n == 1 and which == 2:
        # A melody ends on the tonic itself: a last note on the third of a minor key is the
        # relative major's tonic, and the model, which learned tunes whose minor mode the key
        # finder of its training data often missed, chose it (a G minor sketch: 14 of 16
        # continuations ended on B-flat or D, none of the candidates on G)
        pcs = {CADENCE_ROOT[(minor, which)]}
    allowed = np.isin(cand % 12, list(pcs))[None, :]
    if n == 1 and which == 2 and FINAL_IN_REACH:
        # ... the tonic within a fifth of the note before it, where that note sounds
        prev = cur[:, 0]
        allowed = allowed & ((prev < 0)[:, None] | (np.abs(cand[None, :] - prev[:, None]) <= 7))
    if i == n - 1 and n > 1:
        pcs = {CADENCE_ROOT[(minor, which)]}
        upper = np.where(cur[:, :i] >= 0, cur[:, :i], 10_000).min(axis=1)
        allowed = np.isin(cand % 12, list(pcs))[None, :] & (cand[None, :] < upper[:, None])
    elif which == 1 and n > 1 and i == 0:
        # the top voice of the dominant takes no seventh: it leads to the tonic (2-1 or 7-1);
        # nor the root, which the bass holds: from the root the top voice and the bass both
        # move to the tonic, in octaves, parallel or contrary (a tenth listening review heard
        # them in 3 of 12 continuations)
        barred = {V7_SEVENTH[minor]} | ({CADENCE_ROOT[(minor, 1)]} if TOP_OFF_DOMINANT_ROOT
                                        else set())
        allowed = np.isin(cand % 12, list(pcs - barred))[None, :]
    elif which == 1 and n > 1 and i == n - 2:
        # the dominant holds its leading tone (its third): the tenor takes it if none above has
        leading = [LEADING_TONE[minor]]
        above = cur[:, :i]
        lacking = ~np.isin(np.where(above >= 0, above % 12, -1), leading).any(axis=1)
        allowed = np.where(lacking[:, None], np.isin(cand % 12, leading)[None, :], allowed)
    elif which == 2 and n > 1:
        third = list(FINAL_THIRD[minor])
        if i == 0 and not top_free:
            allowed = (cand % 12 == CADENCE_ROOT[(minor, 2)])[None, :]
        elif i == n - 2:
            above = cur[:, :i]
            lacking = ~np.isin(np.where(above >= 0, above % 12, -1), third).any(axis=1)
            allowed = np.where(lacking[:, None], np.isin(cand % 12, third)[None, :], allowed)
        if before is not None:
            prev = before[:, i]
            seventh = (prev >= 0) & (prev % 12 == V7_SEVENTH[minor])
            if seventh.any():
                fall = prev[:, None] - cand[None, :]
                resolve = (fall >= 1) & (fall <= 2) & np.isin(cand % 12, third)[None, :]
                # the seventh's resolution comes first: a top voice on it ends on the third
                allowed = np.where(seventh[:, None], resolve, allowed)
        # (the Picardy third ends the piece in its own key: a melody that ends in another key,
        # an E minor tune on A, closes on that key's own minor triad, iv, not on IV)
        home_final = final and not (shift and NO_PICARDY_AWAY)
        if minor and PICARDY and picardy and i and (home_final or not INNER_MINOR_TONIC):
            allowed = allowed & _picardy(mask, cur[:, :i], cand, pitch_offset)
        elif minor and ((INNER_MINOR_TONIC and not home_final) or (home_final and not picardy)):
            allowed = allowed & (cand % 12 != 1)[None, :]
    once = [pc for pc, rule in ((V7_SEVENTH[minor], DOMINANT_SEVENTH_ONCE),
                                (LEADING_TONE[minor], DOMINANT_LEADING_ONCE)) if rule]
    if which == 1 and n > 2 and 0 < i < n - 1 and once:
        # an inner voice does not double the dominant's seventh, nor its leading tone (both
        # would move to the tonic's note in octaves), where a voice above sounds it
        above = np.where(cur[:, :i] >= 0, cur[:, :i] % 12, -1)
        for pc in once:
            has = (above == pc).any(axis=1)
            allowed = allowed & ~(has[:, None] & (cand % 12 == pc)[None, :])
    if n > 2 and 0 < i < n - 2 and before is not None and CADENCE_NOTE_REACH:
        # the note the tenor is to take (the dominant's leading tone, the tonic's third), where
        # the tenor cannot reach it: a voice above it takes it
        need = [LEADING_TONE[minor]] if which == 1 else list(FINAL_THIRD[minor])
        stuck = _out_of_reach(cur[:, :i], before[:, n - 2], before[:, i], need, cand, minor)
        allowed = np.where(stuck[:, None], np.isin(cand % 12, need)[None, :] & allowed, allowed)
    if n > 1 and 0 < i < n - 1:  # the cadence's voices keep their order (no crossing)
        above = cur[:, i - 1]
        allowed = allowed & ((above < 0)[:, None] | (cand[None, :] <= above[:, None]))
    allowed = np.broadcast_to(allowed, (mask.shape[0], len(cand)))
    sounding = cur[:, i]
    keep = _narrow(mask, allowed, pitch_offset)
    # a note held from before stays only where the mask allows its pitch
    index = np.clip(sounding - cand[0], 0, len(cand) - 1)
    fits = (sounding >= 0) & allowed[np.arange(len(sounding)), index] & \
        (sounding >= cand[0]) & (sounding <= cand[-1])
    mask[keep & ~fits, HOLD] = False


# A melody's final tonic lies within a fifth of the note before it (a seventh or an octave
# into the final is no close): the tonic an octave off where the note before lies between
# them. Real tunes leap more than a fifth into their final 3.3% of the time (folk test), 1.7%
# (Essen), mostly octaves from the tonic above (bench/strain_close.py); continued tunes
# whose ending comes home (phrase_grid.HOME_FINAL) leapt there from above
FINAL_IN_REACH = True


# A planned dominant's seventh sounds in one voice: a melody on it (F5 over G7) is not doubled
# below (F4), where both must fall to the tonic's third and the closing chord loses its fifth
# (G7 with F5 and F4 closing E5 C5 E4 C3, as a harmonized test melody closed; figures at
# SEVENTH_KEEPS_THIRD). _seventh_mask bars a doubled seventh on a beat but yields where the
# bass must take the planned root.
DOMINANT_SEVENTH_ONCE = True
# ... and its leading tone sounds in one voice too: a listening review (session 81) heard a D
# minor continuation's dominant E4 C#4 C#4 A3, the alto and tenor in unison on the leading
# tone; the chord before the final held it twice in 3 of 86 continued openings (the review's
# nine sketches and the 34 four-part test openings, x 2: /work/s81/dbl_lt.py)
DOMINANT_LEADING_ONCE = True

# A cadence chord's note the tenor is to take (the dominant's leading tone, the final tonic's
# third) goes to a voice above it where the tenor cannot reach it (_out_of_reach). A fifteenth
# listening review heard a tenor leap a tritone, F4 to B3, into the final dominant, and the
# harmonized val and test melodies' tenors leapt a diminished fourth, G#3 to C4, into the final
# tonic 13 times in 80 (bench/final_chords.py, with the key lock)
CADENCE_NOTE_REACH = True


def _out_of_reach(above: np.ndarray, tenor: np.ndarray, own: np.ndarray, need: list[int],
                  cand: np.ndarray, minor: bool) -> np.ndarray:
    """[rows]: where no voice ``above`` the tenor has a pitch class in ``need``, the tenor, from
    its last pitch (``tenor``, -1: none), cannot reach each of them by a move of a fifth at most
    that :func:`_leap_mask` allows (no tritone, no diminished fourth from the leading tone), and
    this voice from its own (``own``) can. Each: a minor key's final third is the Picardy third
    where the voice may take it and the minor third where not (the key lock), and G#3 reaches
    C#4 but not C4."""
    lacking = ~np.isin(np.where(above >= 0, above % 12, -1), need).any(axis=1)
    return lacking & (tenor >= 0) & ~_reaches(tenor, need, cand, minor) & \
        ((own < 0) | _reaches(own, need, cand, minor))


# On the beat before a planned cadence's dominant, where no voice above the tenor can reach the
# dominant's leading tone by a move _leap_mask allows, the tenor takes a note from which it can
# (_leading_reach_mask). A listening review (session 41) heard tenors leap an augmented second
# into the final dominant's leading tone (F3 to G#3 in A minor) in 4 of 13 continuations: the
# predominant had put alto and tenor both on the sixth degree, from which none could step to it
LEADING_TONE_REACH = True
# ... and so on every frame within the beat before a planned dominant, not only on the beat
# (LEADING_REACH_IN_BEAT): a tenor's eighth struck after the beat had left it on F or D in A
# minor (normalized), from which G# is an augmented second or a tritone. Over 20 harmonized test
# melodies x 2 the tenor's leap rule yielded at planned cadence chords in 44 rows, now 27; the
# 40 test melodies harmonized x 2, seeds 0 and 100, the tenor's tritones 32 -> 19, the inner
# voices' augmented fourths and seconds 19 / 15 -> 14 / 14 (scratch counts); bench/voice_leaps.py,
# the tenor's tritones 0.3% -> 0.1% of its moves (Bach 0.5%)
LEADING_REACH_IN_BEAT = True


def _leading_reach_mask(mask: np.ndarray, i: int, cur: np.ndarray, cand: np.ndarray,
                        pitch_offset: int, leading: int, minor: bool) -> None:
    """Voice ``i`` (the last above the bass), a beat before a planned dominant whose leading
    tone is pitch class ``leading``: where none of the inner voices above it (``cur[:, 1:i]``)
    can reach that pitch class by a move of a fifth at most that :func:`_leap_mask` allows (not
    a chromatic slide), and the top voice does not sound it already, it takes a note from which
    it can. (The top voice closes 2-1 or 7-1, or is a given melody: it is not counted on to
    move to the leading tone.) A row left without a note keeps its mask."""
    reached = (cur[:, 0] >= 0) & (cur[:, 0] % 12 == leading)
    for j in range(1, i):
        sounding = cur[:, j] >= 0
        reached |= sounding & _reaches(np.maximum(cur[:, j], 0), [leading], cand, minor)
    ok = _reaches(cand, [leading], cand, minor)  # from each candidate
    _narrow_held(mask, reached[:, None] | ok[None, :], cur[:, i], cand, pitch_offset)


@functools.lru_cache(maxsize=32)
def _reach_root(root: int, lo: int, hi: int, top_before: int = -1, top_at: int = -1
                ) -> np.ndarray:
    """[pitches lo..hi]: whether from each pitch a pitch of class ``root`` in lo..hi is an
    octave or less away by a move :func:`_leap_mask` allows (no tritone, no seventh). Where a
    top voice moves from ``top_before`` to ``top_at`` (both >= 0) into the root's chord, the
    move makes with it no consecutive fifth or octave (:func:`part_writing._parallels_mask`)
    and no hidden one under its leap (:func:`part_writing._style_mask`)."""
    pitches = np.arange(lo, hi + 1)
    moves = _leap_allowed(False, False)[pitches][:, pitches] & \
        (np.abs(pitches[None, :] - pitches[:, None]) <= 12) & (pitches % 12 == root)[None, :]
    if top_before >= 0 and top_at >= 0 and top_before != top_at:
        moves &= ~_outer_barred(pitches, pitches, np.full(len(pitches), top_before),
                                np.full(len(pitches), top_at))
    return moves.any(axis=1)


def _outer_barred(bass: np.ndarray, to: np.ndarray, top_before: np.ndarray, top_at: np.ndarray,
                  hidden: bool = True) -> np.ndarray:
    """[rows, targets]: the bass's moves from ``bass`` ([rows]) to each of ``to`` that make
    with a top voice moving from ``top_before`` to ``top_at`` ([rows], -1: not known) a
    consecutive fifth or octave (:func:`part_writing._parallels_mask`) or, with ``hidden``, a
    hidden one under its leap (:func:`part_writing._style_mask`)."""
    known = (top_before >= 0) & (top_at >= 0) & (top_before != top_at)
    before = np.abs(top_before - bass) % 12
    into = np.abs(top_at[:, None] - to[None, :]) % 12
    barred = (known & np.isin(before, (0, 7)))[:, None] & (into == before[:, None]) & \
        (to[None, :] != bass[:, None])
    if hidden and part_writing.NO_HIDDEN_PERFECTS:
        leaps = known & (np.abs(top_at - top_before) > 2)
        same_way = np.sign(to[None, :] - bass[:, None]) == np.sign(top_at - top_before)[:, None]
        barred |= leaps[:, None] & np.isin(into, (0, 7)) & same_way
    return barred


# At a planned cadence chord, the voices above the bass leave it room for the root: each takes
# a note above a pitch of the root that the bass reaches from its note by a move _leap_mask
# allows (an octave at most), without consecutive fifths or octaves against the top voice
# (_bass_root_room), unless that leaves the voice only leaps _leap_mask bars. The bass is
# written last and goes under them: a tenor that took G3 over a bass on F3 left it only G2, a
# seventh down, and the leap rule yielded. Over 20 harmonized test melodies x 2 the bass's leap
# rule yielded at planned cadence chords in 59 rows of 88,125, now 20 (the tenor's 45 -> 44);
# the 40 test melodies harmonized x 2, seeds 0 and 100: the bass's sevenths and leaps wider than
# an octave 62 -> 29, the tenor's tritones, augmented seconds and fourths 30 / 14 / 18 -> 32 /
# 15 / 19 (scratch counts); bench/voice_leaps.py, the bass's sevenths 0.4% -> 0.2% (Bach 0.2%)
CADENCE_BASS_ROOM = True


def _bass_root_room(mask: np.ndarray, i: int, cur: np.ndarray, before: np.ndarray, root: int,
                    bass_ok: np.ndarray, cand: np.ndarray, pitch_offset: int,
                    minor: bool) -> None:
    """Voice ``i`` above the bass at a cadence chord of ``root`` (a pitch class): where the
    bass (its pitch at the last onset the last column of ``before``, [rows, voices]) can reach
    a pitch of the root among the candidates ``bass_ok`` allows it, not in consecutive fifths
    or octaves with the top voice (its new pitch ``cur[:, 0]``), this voice takes a note above
    the lowest such pitch. It yields where it would leave this voice only moves from its
    own last note that :func:`_leap_mask` bars (in ``minor`` too): a tenor's augmented second
    is no better than the bass's seventh. A row left without a note keeps its mask."""
    bass = before[:, -1]
    roots = cand[(cand % 12 == root) & bass_ok]
    if not len(roots):
        return
    b = np.maximum(bass, 0)
    ok = _leap_allowed(False, False)[b][:, roots] & (np.abs(roots[None, :] - b[:, None]) <= 12)
    ok &= ~_outer_barred(b, roots, before[:, 0], cur[:, 0], hidden=False)
    rows = (bass >= 0) & ok.any(axis=1)
    if not rows.any():
        return
    floor = np.where(ok, roots[None, :], 10_000).min(axis=1)
    room = cand[None, :] > floor[:, None]
    own = before[:, i]
    moves = _leap_allowed(minor, part_writing.MINOR_UPPER_LEAPS)[own][:, cand]
    left = mask[:, pitch_offset:pitch_offset + len(cand)] & room & moves
    rows &= left.any(axis=1) | ((own >= 0) & (cur[:, i] == own) & (own > floor)
                                & mask[:, HOLD])
    _narrow_held(mask, ~rows[:, None] | room, cur[:, i], cand, pitch_offset)


def _reaches(before: np.ndarray, need: list[int], cand: np.ndarray, minor: bool) -> np.ndarray:
    """[rows]: whether a voice from ``before`` reaches each pitch class of ``need`` by a move of
    a fifth at most that :func:`_leap_mask` allows, and not by a chromatic slide (G to G#)."""
    moves = _leap_allowed(minor, part_writing.MINOR_UPPER_LEAPS)[before][:, cand] & \
        (np.abs(cand[None, :] - before[:, None]) <= 7) & \
        ~(_SAME_LETTER[minor][before % 12][:, cand % 12] & (cand[None, :] != before[:, None]))
    reach = np.ones(len(before), bool)
    for pc in need:
        reach &= (moves & (cand % 12 == pc)[None, :]).any(axis=1)
    return reach


# The final chord (voice_sampler.FULL_FINAL): an inner voice leaves the third to a voice below
# it whose seventh falls to it (G7's F in the tenor: an alto on B4 that took E4 over the
# tenor's F4-E4 doubled the third). With
# DOMINANT_SEVENTH_ONCE, interior fermata chords of two pitch classes with a doubled third, the
# harmonized test / val melodies x 2: 25 / 17 -> 18 / 12 (a scratch count; each rule alone
# about half of it, LEADING_FALLS's comment has the totals)
SEVENTH_KEEPS_THIRD = True
# ... and takes the fifth there where the voices above lack it (G7 to C with the seventh F3 in
# the tenor and G4 in the alto: C5 G4 E3 C3, not C5 C4 E3 C3). Interior fermata chords of two
# pitch classes, harmonized test / val melodies x 2: 63 / 55 -> 62 / 50 (a scratch count)
OWED_THIRD_FIFTH = True
# A half close's dominant at a phrase end is reached as the tonic of a close is: no voice below
# the top leaps into it more than a fifth. A listening review of harmonized melodies heard
# leaps into the new closes (a tenor's diminished seventh E-flat4 to F#3, a bass's twelfth);
# Bach's alto, tenor and bass leap a sixth or more onto a fermata's chord 3 times in 5,605
# moves (all bass), the harmonized melodies 72 in 9,254 (Essen) and 48 in 10,524 (chorales
# without their fermatas; /work/s51/leapclose.py, docs/voices.md)
HALF_CLOSE_STEPS_IN = True


def _final_chord(mask: np.ndarray, i: int, cur: np.ndarray, before: np.ndarray,
                 cand: np.ndarray, pitch_offset: int, minor: bool, shift: int = 0,
                 which: int = 2, phrase_end: bool = False) -> None:
    """The final tonic's voice ``i`` below the top (:data:`FULL_FINAL`), last in the chain of
    rules, so that each step yields to them all (a consecutive fifth, a crossing), and each
    step yields on its own: an inner voice doubles no third of the voices above and sounds in
    no unison with the voice above it; a voice leaps no more than a fifth from its last pitch
    (``before``); then the second-lowest voice takes the fifth where the voices above have the
    third but no fifth, unless the bass, moving to the root from a fifth below this voice's
    last pitch, would move in fifths with it. A row the step would leave without a note keeps
    its mask. ``shift`` as :func:`_cadence_mask`'s. On the dominant before it (``which`` 1)
    only the unisons go: from a soprano and alto in unison on the dominant no rule is left to
    close on a full chord (a listening review: B4 B4 over E3, then A4 C#4 C#4 over A2); where
    the dominant is a phrase's close (``phrase_end``: a half close), no voice leaps into it more
    than a fifth either (HALF_CLOSE_STEPS_IN)."""
    n = cur.shape[1]
    held, pitches = cur[:, i], cand
    if which == 1:
        if i < n - 1:
            over = cur[:, i - 1]
            _narrow_held(mask, (over < 0)[:, None] | (cand[None, :] != over[:, None]), held,
                         pitches, pitch_offset)
        if phrase_end and HALF_CLOSE_STEPS_IN:
            prev = before[:, i]
            allowed = (prev < 0)[:, None] | (np.abs(cand[None, :] - prev[:, None]) <= 7)
            _narrow_held(mask, np.broadcast_to(allowed, (len(held), len(cand))), held,
                         pitches, pitch_offset)
        return
    if shift:
        cand = cand - shift
        cur = np.where(cur >= 0, cur - shift, -1)
        before = np.where(before >= 0, before - shift, -1)
    pcs = np.where(cur[:, :i] >= 0, cur[:, :i] % 12, -1)
    pc = cand % 12
    has_third = np.isin(pcs, list(FINAL_THIRD[minor])).any(axis=1)
    owed = np.zeros(len(cur), bool)  # an inner voice below owes its seventh the third
    if SEVENTH_KEEPS_THIRD and i < n - 2:
        lower = before[:, i + 1:n - 1]
        owed = ((lower >= 0) & (lower % 12 == V7_SEVENTH[minor])).any(axis=1)
        has_third = has_third | owed
    over, prev = cur[:, i - 1], before[:, i]
    if i < n - 1:  # the chord first, then the step into it: each yields on its own
        allowed = ~(np.isin(pc, list(FINAL_THIRD[minor]))[None, :] & has_third[:, None])
        allowed = allowed & ((over < 0)[:, None] | (cand[None, :] != over[:, None]))
        _narrow_held(mask, allowed, held, pitches, pitch_offset)
    allowed = (prev < 0)[:, None] | (np.abs(cand[None, :] - prev[:, None]) <= 7)
    _narrow_held(mask, np.broadcast_to(allowed, (len(held), len(cand))), held, pitches,
                 pitch_offset)
    if i != n - 2 and not (OWED_THIRD_FIFTH and owed.any()):
        return
    root = CADENCE_ROOT[(minor, 2)]
    fifth = (root + 7) % 12
    bass = before[:, n - 1]
    fifths = (prev >= 0) & (bass >= 0) & ((prev - bass) % 12 == 7) & (bass % 12 != root)
    want = has_third & ~(pcs == fifth).any(axis=1) & ~fifths
    if i != n - 2:  # (a voice above the tenor: where the third is owed below it)
        want &= owed
    if want.any():
        sub = mask[want]
        allowed = np.broadcast_to((pc == fifth)[None, :], (len(sub), len(cand)))
        _narrow_held(sub, allowed, held[want], pitches, pitch_offset)
        mask[want] = sub


# A minor key's final tonic takes the major third (C# in A minor), as Bach closes: of his minor
# chorales that end on the tonic, 98 of 109 (train), 22 of 22 (val) and 10 of 10 (test) with it.
# A second listening review heard 4 of 6 minor continuations end on the minor third.
PICARDY = True
# ... in the piece's own key only: a harmonized melody that ends in another key (closing_key)
# closes on that key's minor triad (a review heard an E minor tune ending on A close on A
# major, IV, its C# and the G# before it against the tune's C and G naturals)
NO_PICARDY_AWAY = True


def _picardy(mask: np.ndarray, above: np.ndarray, cand: np.ndarray,
             pitch_offset: int) -> np.ndarray:
    """[rows, pitches]: False on the minor third (normalized C) of the final A minor tonic,
    except where a voice above already has it (a harmonized melody ending on it) or this voice
    may not take the major third (the key lock, its range): the minor third stays there."""
    pc = cand % 12
    has_minor = (np.where(above >= 0, above % 12, -1) == 0).any(axis=1)
    can_major = (mask[:, pitch_offset:] & (pc == 1)[None, :]).any(axis=1)
    keep = has_minor | ~can_major
    return (pc != 0)[None, :] | keep[:, None]


# Inside the beat of a planned cadence's dominant (voice_sampler.DOMINANT_BEAT_BASS) a voice on
# its leading tone holds it there
DOMINANT_BEAT_LEADING = True


def _dominant_beat_mask(mask: np.ndarray, i: int, n: int, cand: np.ndarray, pitch_offset: int,
                        key: tuple[bool, int], held: np.ndarray) -> None:
    """A voice below the top inside a planned dominant's beat: the bass its root, the others a
    note of its V7; a voice holds its note or strikes another, the seventh and the leading tone
    hold (the rule yields in a row with neither); a note held from before that does not fit is
    left."""
    minor, shift = key
    pcs = [(p + shift) % 12 for p in ({CADENCE_ROOT[(minor, 1)]} if i == n - 1
                                      else V7_NOTES[minor])]
    fits = (held >= 0) & np.isin(held % 12, pcs) & mask[:, HOLD]
    # (a voice holds its note or takes another of the chord's: no note struck again)
    allowed = np.isin(cand % 12, pcs)[None, :] & (cand[None, :] != held[:, None])
    # (the seventh and the leading tone are held into their resolution, not left for another
    # of the chord's notes: a review heard the leading tone leave the dominant on its half beat
    # in 6 of 18 authentic cadences, Bach in none of 36)
    tendency = [(V7_SEVENTH[minor] + shift) % 12] + \
        ([(LEADING_TONE[minor] + shift) % 12] if DOMINANT_BEAT_LEADING else [])
    allowed &= ~((held >= 0) & np.isin(held % 12, tendency))[:, None]
    block = mask[:, pitch_offset:pitch_offset + len(cand)]
    narrowed = block & allowed
    keep = narrowed.any(axis=1) | fits
    block[keep] = narrowed[keep]
    mask[keep & ~fits, HOLD] = False


def _soft_dominant_mask(mask: np.ndarray, i: int, n: int, cand: np.ndarray, pitch_offset: int,
                        key: tuple[bool, int], cur: np.ndarray,
                        avoid: frozenset[int] = frozenset()) -> None:
    """The beat before a tonic close that no root-position V prepares
    (melody_plan.approach_dominants): a voice below the top takes a note of the close key's
    V7, the bass not its seventh (V, V6, V4/3, vii°6: no V4/2, which leads to I6), and the
    voice above the bass the leading tone where no voice above it sounds it. The bass takes
    none of ``avoid`` (the frame's bass_avoid: a fifth or octave with the melody that the
    close's root would repeat) where it has another of the chord's notes (the bass_avoid mask,
    applied after, would find none). A note held from before stays only where it fits; a row
    the rule would leave without a note keeps its mask."""
    minor, shift = key
    pcs = {(p + shift) % 12 for p in V7_NOTES[minor]}
    leading = (LEADING_TONE[minor] + shift) % 12
    if i == n - 1:
        pcs.discard((V7_SEVENTH[minor] + shift) % 12)
    allowed = np.broadcast_to(np.isin(cand % 12, sorted(pcs))[None, :], (len(cur), len(cand)))
    if i == n - 1 and avoid:
        spared = allowed & ~np.isin(cand % 12, sorted(avoid))[None, :]
        block = mask[:, pitch_offset:pitch_offset + len(cand)]
        allowed = np.where((block & spared).any(axis=1)[:, None], spared, allowed)
    if i == n - 2 and n > 2:
        above = cur[:, :i]
        lacking = ~((above >= 0) & (above % 12 == leading)).any(axis=1)
        allowed = np.where(lacking[:, None], (cand % 12 == leading)[None, :], allowed)
    _narrow_held(mask, allowed, cur[:, i], cand, pitch_offset)


def _close_hold_mask(mask: np.ndarray, i: int, n: int, cand: np.ndarray, pitch_offset: int,
                     minor: bool, which: int, sounding: np.ndarray | None = None,
                     shift: int = 0) -> None:
    """While the melody holds a phrase close's note, a lower voice that strikes takes a note of
    the close's triad (the dominant's or the tonic's), and the bass its root or third: the chord
    is re-voiced, not changed. Striking on every beat (``MAX_STATIC_BEATS``) had the voices
    move on under a held half close: a fifth listening review heard a hymn's half cadence in
    bar 4 turn V7 into ii, or V into V4/2, in 3 of 3 harmonizations. On the val melodies
    without their fermatas the close's chord held on 0.50 of the beats after it (Bach 0.74 at
    the same notes; ``bench/phrase_closes.py``). A voice does not strike again the note it
    sounds (``sounding``): it holds it or moves to another of the chord's (a sixth review
    heard a bass strike the half close's root on each beat of the bar). ``shift``: the close is
    in the key that many semitones above (:func:`_cadence_mask`). A row left without a note
    keeps its mask."""
    triad = V_TRIAD[minor] if which == 1 else I_TRIAD[minor]
    pcs = set(triad)
    if i == n - 1:
        root = CADENCE_ROOT[(minor, which)]
        third = (root + (4 if which == 1 or not minor else 3)) % 12
        pcs = {root, third}
    pcs = {(p + shift) % 12 for p in pcs}
    allowed = np.isin(cand % 12, list(pcs))[None, :].repeat(mask.shape[0], axis=0)
    if sounding is not None:
        allowed &= cand[None, :] != sounding[:, None]
    if CLOSE_HOLD_KEPT:  # a row whose other rules leave no note of the chord holds instead
        pitches = mask[:, pitch_offset:pitch_offset + len(cand)]
        stuck = ~(pitches & allowed).any(axis=1) & mask[:, HOLD] & (sounding >= 0 if sounding
                                                                     is not None else True)
        pitches[stuck] = False
    _narrow(mask, allowed, pitch_offset)


# ... and where the voice's other rules leave it no note of that chord (the bass's leap and
# parallels rules), it holds rather than strike another chord: a listening review heard New
# Britain's held half close (C under "like me", four beats) turn into iii under the fermata,
# the bass striking A3 where the rule had yielded
CLOSE_HOLD_KEPT = True
