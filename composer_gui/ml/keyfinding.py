"""Which key a passage is in: a key profile matched to a recency-weighted histogram, plus cadence
evidence, inside the declared key signature when there is one.

Why not plain Krumhansl–Schmuckler (a duration histogram of every note against the
Krumhansl–Kessler profiles, the code before this one): on a short melody the histogram hardly
separates a key from its neighbours, and what a listener uses to decide, where the melody comes to
rest, is not in it. The first phrase of Ode to Joy in D came out as F# minor, and because that
estimate ran over every note it also overrode a plain E-flat major signature (read as A minor).
So, measured on held-out folk tunes and chorales (``bench/key_accuracy.py``, docs/keyfinding.md):

* Notes weigh their duration times a recency factor (a note ``half_life`` beats before the end of
  the passage weighs half): the sampler continues from the end, and a long sketch that modulates
  is in the new key there. The half-life is long (128 beats) because shorter ones cost accuracy
  on held-out tunes, which seldom modulate; the last and first notes are where short melodies
  gain: the first note counts for the keys it is the tonic of, the final note for the keys whose
  third or fifth it is (a bonus for the tonic itself measured worse on openings, which often end
  on a half close, so it is 0).
* The histogram is correlated with a profile of each of the 24 keys (``profile``, chosen by
  measurement among the published ones in :data:`PROFILES`: Albrecht–Shanahan), and the evidence
  of the ends is added in the same units: the pitch class of the final note (the lowest note of
  the last onset, i.e. the bass of a final chord) earns ``final`` for the keys it is the tonic of
  and ``final_triad`` for those whose third or fifth it is; the first note earns ``first``,
  and on a short passage of chords ``first_short`` more (Bach's chorales open on their tonic:
  a 4-bar opening that closes in the relative major is still heard in its minor key).
* A single melody (:func:`is_line`) is heard by the line model (:func:`line_scores`): a
  conditional logit over the 24 keys fitted on openings of 1 to 8 bars and whole tunes of the
  folk train split (``bench/key_accuracy.py --fit``, weights in :mod:`key_model`). It learns
  per mode how long and how often each scale degree sounds, which degree a line starts, ends,
  bottoms and peaks on, how the line steps between degrees (:data:`BIGRAM`: the leading tone
  rises to the tonic, the fourth falls to the third) and leading-tone resolutions. Held-out
  folk tunes without a signature, whole / 4 bars / 2 bars: 92.4 / 86.8 / 83.2% right (the
  hand-weighted cues before it 90.1 / 84.5 / 79.9%; the profile alone 89.4 / 74.9 / 71.0%);
  Aird's Airs, never used for anything else, 92.5 / 87.4 / 83.7%. Chords keep
  :data:`DEFAULT` (the chorales did not gain from melodic cues).
* A declared key signature is honoured: only its major and its relative minor (and, when the
  notes carry one more flat consistently, the minor key a flat further, the baroque "Dorian"
  signature of G minor written with one flat) are candidates, and a declared church mode (ABC's
  ``K:Ddor``: D Dorian, scored as D minor). The raised leading tone of the minor key counts for
  it (``leading``); the declared mode wins near-ties (``mode_prior``; for a line only a declared
  minor or mode, ``minor_prior``: major is what files say by default). A declared minor (or
  church mode) keeps its family (``family_prior``): a chorale file that says A minor is not
  continued in C major, and one that says D minor with one flat may still be in G minor.
* The signature is overridden only on overwhelming evidence: at least :data:`OVERRIDE_MIN_NOTES`
  notes, the best of the 24 keys has another signature (not the declared one, nor one flat
  further), its major scale holds at least :data:`OVERRIDE_FIT` of the sounding time, and at least
  :data:`OVERRIDE_MARGIN` more than the declared signature's scale does: a MIDI file whose
  signature is plainly wrong (C major by default over a piece in E). How often this leaves a
  real signature, and how often it catches a wrong one, is measured in docs/keyfinding.md.

Fast (numpy, no music21): 0.6 ms for 400 notes of a line (bench/key_accuracy.py). Used by the
sampler (``key="auto"``) and by evaluation (does a continuation stay in key?).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from composer_gui.ml.key_model import BIGRAM, LINE_WEIGHTS
from composer_gui.music.chord_symbols import chord_tones
from composer_gui.music.score import TPQ, KeySignature, Note, Score

# Published key profiles, tonic first, (major, minor). Krumhansl & Kessler (1982) probe-tone
# ratings; Temperley's Kostka–Payne corpus profile (2007); Aarden's Essen folk-song profile (2003);
# Bellman–Budge (2005, classical); Albrecht & Shanahan (2013, common-practice corpus). The first
# four as music21 tabulates them (analysis/discrete.py), the last as the paper prints it.
PROFILES: dict[str, tuple[np.ndarray, np.ndarray]] = {
    "krumhansl": (
        np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88]),
        np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])),
    "temperley": (
        np.array([0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057,
                  0.400]),
        np.array([0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133,
                  0.330])),
    "aarden": (
        np.array([17.7661, 0.145624, 14.9265, 0.160186, 19.8049, 11.3587, 0.291248, 22.062,
                  0.145624, 8.15494, 0.232998, 4.95122]),
        np.array([18.2648, 0.737619, 14.0499, 16.8599, 0.702494, 14.4362, 0.702494, 18.6161,
                  4.56621, 1.93186, 7.37619, 1.75623])),
    "bellman": (
        np.array([16.80, 0.86, 12.95, 1.41, 13.49, 11.93, 1.25, 20.28, 1.80, 8.04, 0.62, 10.57]),
        np.array([18.16, 0.69, 12.99, 13.34, 1.07, 11.15, 1.38, 21.07, 7.49, 1.53, 0.92, 10.21])),
    "albrecht": (
        np.array([0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008,
                  0.081]),
        np.array([0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061,
                  0.052])),
}
MODES = ("major", "minor")
@dataclass(frozen=True)
class KeyParams:
    """The weights of the profile method (chords and polyphony), in units of the profile
    correlation, chosen by ``bench/key_accuracy.py --tune`` on the tuning pieces only (the val
    split of both models); see docs/keyfinding.md. ``first``, ``final`` and ``final_triad``
    multiply :func:`key_evidence`'s entries of the same name. With a declared signature,
    ``leading`` and ``mode_prior`` decide between its major and its relative minor, for a
    single line too (:data:`LINE`)."""

    profile: str = "albrecht"
    half_life: float | None = 128.0  # beats; None: every note counts alike
    final: float = 0.0  # added to the correlation of the keys whose tonic the final note is
    final_triad: float = 0.05  # ... whose third or fifth it is
    first: float = 0.1  # ... whose tonic the first note is
    # ... and this much more on a short passage of chords (a sketch of a few bars): full up to
    # ``short_beats`` beats from the first onset to the last note's end, fading to none at
    # twice that. A chorale opening is heard from its first chord's bass (Bach's open on the
    # tonic), a whole chorale from all of it (an upbeat on V, a first chord on vi); a melody's
    # first note is no such cue (an upbeat on the fifth: 4-bar folk openings 74.9% -> 49.8%
    # right with it). Chosen on the tuning chorales (docs/keyfinding.md)
    first_short: float = 0.25
    short_beats: float = 24.0
    # The first chord is heard by its root where it is a major or minor triad: Bach opens some
    # chorales on the tonic triad's first inversion (BWV 62.6: G minor over a B-flat bass),
    # and a listening review heard that G minor opening continued and closed in B-flat major
    first_root: bool = True
    leading: float = 0.1  # for the relative minor, when its raised leading tone sounds
    mode_prior: float = 0.05  # for the declared mode, against its relative
    on_beat: float = 0.0  # extra weight (times its duration) of a note that starts on a beat
    major_bias: float = 0.0  # added to every major key
    minor_prior: float = 0.0  # for the declared key when it is minor or a church mode
    # For every candidate of the declared mode's family (minor or major) when a mode other than
    # major is declared: a file that says "minor" is heard in a minor key, the notes choosing
    # which (the relative minor, or the minor key a flat further).
    family_prior: float = 0.3
    # A line that closes on the tonic of the minor key a flat further as a whole melody does (a
    # chorale melody in G minor written with one flat: it starts in G minor's triad and ends
    # on a long G; _ends_on) has that key among its candidates, its sixth flat or not (such
    # melodies sing E natural, the voices below E-flat); and with a minor declared,
    # ``minor_prior`` goes to that key too (a file that says D minor with one flat may be in
    # G minor). Chorale melodies with their file's key, as --harmonize reads them: 319 -> 330
    # of 354 right (docs/keyfinding.md)
    dorian_final: bool = False
    # A short passage of chords that opens on the bass of the minor key a flat further has that
    # key among its candidates (_opens_on): chorale openings in G minor written with one flat
    # were heard in D minor (BWV 341 and 364 continued there, a listening review, session 41)
    dorian_first: bool = True
    # A signature a flat short (F major written without its B-flat, as a lead sheet in
    # music21's corpus is; a MIDI file's default C major over a piece in F): where the flat
    # sounds more than the natural, the major key a flat further is a candidate beside its
    # relative minor above. F major was heard as D minor or C major. The sharp side (G major
    # under C major's signature, its F# sounding and no F) was measured and left out: the
    # raised fourth is also the dominant's leading tone, and a declared signature leaning on
    # its dominant was then left for it (docs/keyfinding.md, bench/key_accuracy.py --one-off)
    flat_short: bool = True
    # The third decides the mode (session 50): a declared major whose minor third is struck at
    # least ``parallel_third`` times and its own third at most ``parallel_share`` times as
    # often (or a declared minor the other way) has the key of the other mode on the same
    # tonic among its candidates, and its own mode is no longer taken as said on purpose
    # (``minor_prior``). The Essen songs' ABC files write K:E over an E minor song and mark
    # each G natural: a listening review heard "Ich hab die Nacht getraeumet" harmonized in E
    # major, G sharp against the tune's G; 0: off
    parallel_third: int = 2
    parallel_share: float = 0.2


DEFAULT = KeyParams()
# A single line is scored by the line model (:func:`line_scores`, in log-odds); of these
# params only the signature weights apply, in log-odds. A declared major says little (it is what
# a MIDI file or a signature without a mode says by default): on the tuning pieces, whose
# signature the bench declares as major, any prior for it was bought on minor tunes (mode_prior
# 0 / 0.5 / 1: 0.921 / 0.923 / 0.932 right, minor tunes 0.762 / 0.714 / 0.683). A declared
# minor key or church mode is said on purpose (an ABC K:Em or K:Ddor, a composer's choice), so
# it is kept unless the notes overwhelmingly say otherwise: ``minor_prior`` 1 / 3 / 6 / 10 on
# the tuning pieces with the K: field's mode declared, 4 and 2 bars: minor tunes 0.908 / 0.987 /
# 1.000 / 1.000 right, modal ones 0.500 / 0.750 / 0.917 / 1.000 (``--tune-line``).
LINE = replace(DEFAULT, leading=0.0, mode_prior=0.0, minor_prior=10.0, dorian_final=True)
DORIAN_FINAL_HOLD = 1.5  # (_ends_on: a last note this many times the median duration)
LINE_SHARE = 0.9  # a passage is one line when this share of its onsets hold a single note
OVERRIDE_MIN_NOTES = 8
OVERRIDE_FIT = 0.9
OVERRIDE_MARGIN = 0.25


def _unit(profile: np.ndarray) -> np.ndarray:
    """The profile rolled to each tonic and z-scored: shape (12 tonics, 12 pitch classes)."""
    p = (profile - profile.mean()) / profile.std()
    return np.stack([np.roll(p, t) for t in range(12)]) / 12


_ROLLED = {name: np.stack([_unit(major), _unit(minor)]) for name, (major, minor)
           in PROFILES.items()}  # (mode, tonic, pc)
_TRIAD = {0: (4, 7), 1: (3, 7)}  # the third and fifth above the tonic, per mode


def pitch_class_histogram(notes: Iterable[Note], half_life: float | None = None,
                          on_beat: float = 0.0) -> np.ndarray:
    """Total duration (ticks; at least 1 per note) of each pitch class; with ``half_life``
    (beats), each note weighed by 0.5 ** (beats from its end to the passage's end / half_life)."""
    notes = list(notes)
    hist = np.zeros(12)
    if not notes:
        return hist
    pcs = np.fromiter((n.pitch % 12 for n in notes), int, len(notes))
    dur = np.fromiter((max(n.duration, 1) for n in notes), float, len(notes))
    if on_beat:
        starts = np.fromiter((n.start for n in notes), int, len(notes))
        dur = dur * np.where(starts % TPQ == 0, 1.0 + on_beat, 1.0)
    if half_life:
        ends = np.fromiter((n.start + n.duration for n in notes), float, len(notes))
        dur = dur * 0.5 ** ((ends.max() - ends) / (half_life * TPQ))
    np.add.at(hist, pcs, dur)
    return hist


def key_correlations(hist, profile: str = DEFAULT.profile) -> np.ndarray:
    """Correlation with each key: shape (2, 12), [mode index, tonic pitch class]; NaN if flat."""
    hist = np.asarray(hist, dtype=float)
    if hist.std() == 0:
        return np.full((2, 12), np.nan)
    h = (hist - hist.mean()) / hist.std()
    return _ROLLED[profile] @ h


def _onsets(notes: list[Note]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(onset ticks, lowest pitch, highest pitch) of each onset, in time order."""
    starts = np.fromiter((n.start for n in notes), int, len(notes))
    pitches = np.fromiter((n.pitch for n in notes), int, len(notes))
    order = np.lexsort((pitches, starts))
    starts, pitches = starts[order], pitches[order]
    first = np.flatnonzero(np.r_[True, starts[1:] != starts[:-1]])
    last = np.r_[first[1:], len(starts)] - 1
    return starts[first], pitches[first], pitches[last]


def _line(notes: list[Note]) -> np.ndarray:
    """The melody as one line: the highest pitch of each onset, in time order."""
    return _onsets(notes)[2]


def is_line(notes: list[Note]) -> bool:
    """A single melody (at least :data:`LINE_SHARE` of the onsets hold one note): the line model
    (:func:`line_scores`) was fitted on such lines, not on chords."""
    _, low, high = _onsets(notes)
    return np.count_nonzero(low == high) >= LINE_SHARE * len(low)


def key_evidence(notes: list[Note], first_root: bool = False) -> dict[str, np.ndarray]:
    """The ends of the passage, each (2, 12) like :func:`key_correlations` (1 where the cue
    points at that key), named as :class:`KeyParams`' weights: the first and the final note
    (the lowest of the first / last onset: the bass of a chord) as tonic, and the final note
    as third or fifth. With ``first_root``, a first chord that is a major or minor triad
    points at its root instead of its bass."""
    starts, bass, _ = _onsets(notes)
    first_pc, final_pc = int(bass[0]) % 12, int(bass[-1]) % 12
    if first_root:
        root = _triad_root({n.pitch % 12 for n in notes if n.start == starts[0]})
        first_pc = first_pc if root is None else root
    ev = {name: np.zeros((2, 12)) for name in _CUES}
    ev["first"][:, first_pc] = 1
    ev["final"][:, final_pc] = 1
    for m, (third, fifth) in _TRIAD.items():
        ev["final_triad"][m, [(final_pc - third) % 12, (final_pc - fifth) % 12]] = 1
    return ev


_CUES = ("first", "final", "final_triad")


def _triad_root(pcs: set[int]) -> int | None:
    """The root of three pitch classes that make a major or minor triad, else None."""
    if len(pcs) != 3:
        return None
    return next((r for r in pcs if {(p - r) % 12 for p in pcs} in ({0, 4, 7}, {0, 3, 7})),
                None)


def key_scores(notes: list[Note], params: KeyParams = DEFAULT) -> np.ndarray | None:
    """Score of each key by the profile method, (2, 12) like :func:`key_correlations`: the
    correlation of the weighted histogram plus the weighted cues of :func:`key_evidence`. None
    with fewer than two pitch classes."""
    hist = pitch_class_histogram(notes, params.half_life, params.on_beat)
    if np.count_nonzero(hist) < 2:
        return None
    scores = key_correlations(hist, params.profile)
    scores[0] += params.major_bias
    ev = key_evidence(notes, params.first_root)
    for name in _CUES:
        weight = getattr(params, name) + (_first_short(notes, params) if name == "first" else 0)
        if weight:
            scores += weight * ev[name]
    return scores


def _first_short(notes: list[Note], params: KeyParams) -> float:
    """The first chord's extra weight on a short passage of chords: ``first_short`` up to
    ``short_beats`` beats (first onset to last end), none from twice that, linear between; none
    for a single line."""
    if not params.first_short or is_line(notes):
        return 0.0
    span = (max(n.start + n.duration for n in notes) - min(n.start for n in notes)) / TPQ
    return params.first_short * float(np.clip(2.0 - span / params.short_beats, 0.0, 1.0))


# ----- the line model ------------------------------------------------------------------------
# What a listener hears in a single melody, for each of the 24 keys: the line model is a
# conditional logit (a softmax over the keys) whose score of a key is a weighted sum of the
# features below, read as scale degrees of that key. Its weights (key_model.LINE_WEIGHTS) are
# fitted by ``bench/key_accuracy.py --fit`` on the folk train split, on openings of 1 to 8 bars
# and whole tunes, so that what it learns is where short melodies come to rest.
LINE_GROUPS = (
    "duration",  # how long each degree sounds (a key profile, learned per mode)
    "onsets",  # how often each degree is struck
    "first",  # the degree of the first note
    "final",  # ... of the final note (a half close on the fifth is common in openings)
    "lowest",  # ... of the lowest note (tunes reach down to the fifth below the tonic)
    "highest",  # ... of the highest note
)
LINE_CUES = (
    "profile",  # the correlation with the Albrecht-Shanahan profile (recency-weighted)
    "steps",  # the mean log-probability of the line's steps between degrees (BIGRAM)
    "resolution",  # leading-tone resolutions (a semitone up onto a beat) onto the tonic
    "minor",  # 1 for the minor keys: the prior of the mode
)
LINE_FEATURES = len(LINE_GROUPS) * 24 + len(LINE_CUES)
_DEGREE = (np.arange(12)[:, None] + np.arange(12)[None, :]) % 12  # [tonic, degree] -> pc


def line_features(notes: list[Note], bigram: np.ndarray | None = None) -> np.ndarray:
    """The line model's design matrix, (24 keys: major then minor tonics, LINE_FEATURES): for
    each group of :data:`LINE_GROUPS` 24 columns (12 degrees of the major keys, then of the
    minor keys; a key fills its own mode's 12), then one column per cue of :data:`LINE_CUES`.
    ``bigram`` (default :data:`BIGRAM`) is the step table, given while fitting it."""
    starts, _, line = _onsets(notes)
    hist = pitch_class_histogram(notes)
    pcs = np.fromiter((n.pitch % 12 for n in notes), int, len(notes))
    vectors = {"duration": hist / hist.sum(), "onsets": np.bincount(pcs, minlength=12) / len(pcs)}
    for name, pc in (("first", line[0]), ("final", line[-1]), ("lowest", line.min()),
                     ("highest", line.max())):
        vectors[name] = np.eye(12)[int(pc) % 12]
    x = np.zeros((2, 12, LINE_FEATURES))
    for g, name in enumerate(LINE_GROUPS):
        by_degree = vectors[name][_DEGREE]  # [tonic, degree]
        for m in range(2):
            x[m, :, g * 24 + m * 12:g * 24 + m * 12 + 12] = by_degree
    cue = len(LINE_GROUPS) * 24
    x[:, :, cue] = key_correlations(pitch_class_histogram(notes, DEFAULT.half_life),
                                    DEFAULT.profile)
    if len(line) > 1:
        steps = bigram if bigram is not None else BIGRAM
        deg = (line[None, :] % 12 - np.arange(12)[:, None]) % 12  # (tonic, step) -> degree
        for m in range(2):
            x[m, :, cue + 1] = steps[m][deg[:, :-1], deg[:, 1:]].mean(axis=1)
        up = (np.diff(line) == 1) & (starts[1:] % TPQ == 0)
        resolved = np.bincount(line[1:][up] % 12, minlength=12) / np.sqrt(len(line) - 1)
        x[:, :, cue + 2] = resolved
    x[1, :, cue + 3] = 1.0
    return x.reshape(24, LINE_FEATURES)


def line_scores(notes: list[Note]) -> np.ndarray | None:
    """Log-odds of each key for a single line by the line model, (2, 12) like
    :func:`key_correlations`; None with fewer than two pitch classes."""
    if len({n.pitch % 12 for n in notes}) < 2:
        return None
    return (line_features(notes) @ LINE_WEIGHTS).reshape(2, 12)


def estimate_key(notes: Iterable[Note], declared: KeySignature | None = None,
                 tick: int = 0, *, params: KeyParams | None = None,
                 fermatas: Iterable[int] = ()) -> KeySignature | None:
    """The most likely key of ``notes``, at ``tick``.

    Without ``declared``: the best of the 24 keys. With it: its major or relative minor (or the
    minor key one flat further, see the module docstring), unless the notes overwhelmingly
    contradict the signature. With too little evidence (no notes, or one pitch class), ``declared``
    is returned as is (None if none). A single line (:func:`is_line`) is heard by the line
    model, chords by the profile method; ``params`` asks for the profile method with those
    weights; ``fermatas`` (ticks) weigh the notes a line holds under them
    (:data:`FERMATA_WEIGHT`)."""
    choices = key_choices(notes, declared, tick, params=params, fermatas=fermatas)
    return choices[0][0] if choices else declared


def key_choices(notes: Iterable[Note], declared: KeySignature | None = None, tick: int = 0, *,
                params: KeyParams | None = None, fermatas: Iterable[int] = ()
                ) -> list[tuple[KeySignature, float]]:
    """The keys :func:`estimate_key` chooses among, best first, each with its score: the 24
    keys, or the declared signature's major and minor keys while the notes do not overrule it.
    For a single line the scores are the line model's log-odds, with the notes it holds under
    ``fermatas`` (:data:`FERMATA_WEIGHT`); [] with too little evidence."""
    notes = list(notes)
    held = []
    if params is None and notes and is_line(notes):
        params, scores = LINE, line_scores(notes)
        held = fermata_pcs(notes, fermatas)
    else:
        params = params or DEFAULT
        scores = key_scores(notes, params)
    if scores is None:
        return []
    if declared is not None and (declared.mode_stated or declared.mode not in MODES):
        # a key said on purpose (an ABC K: field, the header's Key box, a church mode) is kept
        # in chords as in a line: a review harmonized a tune declared A Dorian, kept the four
        # parts, and the next Continue wrote E minor (the signature's relative minor)
        params = replace(params, minor_prior=max(params.minor_prior, LINE.minor_prior))
    if declared is not None:
        cands = _within_signature(notes, scores, declared, params)
        if cands is not None:
            return _under_fermatas([(KeySignature(tick, sharps, mode), float(v))
                                    for (sharps, mode), v in cands.items()], held)
    out = []
    for m, tonic in zip(*np.unravel_index(np.argsort(-scores, axis=None, kind="stable"),
                                         scores.shape), strict=True):
        key = KeySignature.from_tonic(int(tonic), MODES[int(m)], tick)
        if declared is not None and abs(key.sharps) == 6 and declared.sharps * key.sharps < 0:
            key = KeySignature(tick, -key.sharps, key.mode)  # F# rather than Gb beside sharps
        out.append((key, float(scores[m, tonic])))
    return _under_fermatas(out, held)


# The notes a chorale melody holds under its fermatas name its key: the cadences' degrees, 1, 5,
# 3 or 2 (a half close), and in minor the relative major's 3. log P(degree | mode) from the
# melody notes at the 1,966 fermatas of the bach-chorales model's train chorales, counted in
# each chorale's key (the final bass's, or the four voices' where it ends off the tonic), add-one
# smoothed (bench/fermata_keys.py prints them). A listening review heard BWV 127.5 (F major, its
# last phrase a half close on C) harmonized in D minor and BWV 270 (B minor) in D major: the
# line model hears a melody's last note, and these end off the tonic. Added to the line model's
# log-odds with FERMATA_WEIGHT, chosen by a two-fold split of the train chorales (their melodies
# harmonized in Bach's key 284 -> 289 of 311 at 0.25, 285 / 288 / 289 at 0.1 / 0.5 / 1.0); the
# val melodies 44 of 48 at every weight, the test melodies 37 -> 39 of 40
FERMATA_WEIGHT = 0.25
_FERMATA_COUNTS = ((370, 2, 134, 2, 153, 34, 4, 216, 1, 46, 3, 58),
                   (322, 1, 137, 119, 2, 74, 2, 231, 4, 1, 49, 25))
FERMATA_DEGREES = np.log(np.array(_FERMATA_COUNTS, float)
                         / np.sum(_FERMATA_COUNTS, axis=1, keepdims=True))


def fermata_pcs(notes: Iterable[Note], fermatas: Iterable[int]) -> list[int]:
    """The pitch class a line sounds at each of ``fermatas`` (ticks; struck there or held
    through), where it sounds one."""
    notes = list(notes)
    out = []
    for t in sorted(set(fermatas)):
        sounding = [n.pitch for n in notes if n.start <= t < n.start + max(n.duration, 1)]
        if sounding:
            out.append(max(sounding) % 12)
    return out


def _under_fermatas(choices: list[tuple[KeySignature, float]], held: list[int]
                    ) -> list[tuple[KeySignature, float]]:
    """``choices`` with :data:`FERMATA_WEIGHT` times the log-probability of the degrees ``held``
    under fermatas in each key added, best first."""
    if held and FERMATA_WEIGHT:
        choices = [(k, v + FERMATA_WEIGHT * float(sum(
            FERMATA_DEGREES[int(k.quality == "minor"), (pc - k.tonic_pc) % 12] for pc in held)))
            for k, v in choices]
    return sorted(choices, key=lambda c: -c[1])


# The runner-up key is offered beside the estimate of a line (the Continue panel, ``generate``)
# when the line model gives it at least this probability. On the folk val split without a
# signature that is 16% of 4-bar openings, and the runner-up is then right in 24% of them:
# 43% of the wrong estimates are one click from the right key (docs/keyfinding.md).
ALTERNATIVE_MIN = 0.2


def key_alternative(notes: Iterable[Note], declared: KeySignature | None = None,
                    tick: int = 0) -> tuple[KeySignature, float] | None:
    """For a single line: the second of :func:`key_choices` and its probability (the softmax of
    the line model's log-odds), when that is at least :data:`ALTERNATIVE_MIN`; else None."""
    notes = list(notes)
    if not notes or not is_line(notes):
        return None
    return runner_up(key_choices(notes, declared, tick))


def runner_up(choices: list[tuple[KeySignature, float]]) -> tuple[KeySignature, float] | None:
    """The second of a line's :func:`key_choices` and its probability (the softmax of the line
    model's log-odds), when that is at least :data:`ALTERNATIVE_MIN`; else None."""
    if len(choices) < 2:
        return None
    scores = np.array([v for _, v in choices])
    p = np.exp(scores - scores.max())
    p /= p.sum()
    return (choices[1][0], float(p[1])) if p[1] >= ALTERNATIVE_MIN else None


def _heard_notes(score: Score) -> list[Note]:
    return [n for p in score.parts if not p.is_drum for n in p.notes]


# a key signature changed inside the piece starts a section heard on its own, once it holds
# this many notes (SECTION_NOTES; 0: the whole piece is heard, as before)
SECTION_NOTES = 1


def _section(score: Score, notes: list[Note], tick: int) -> list[Note]:
    """The notes from the last key signature change at or before ``tick`` to the next one,
    where that section holds :data:`SECTION_NOTES` of them; else all. A trial heard a piece
    in G major that changes to E-flat major at bar 5 as C minor throughout, and continued its
    E-flat section with A and B naturals to a close on C."""
    changes = [k.tick for k in score.key_signatures[1:] if k.tick > 0 and (
        (before := score.key_at(k.tick - 1)) is None or (before.sharps, before.mode)
        != (k.sharps, k.mode))]
    since = max((t for t in changes if t <= tick), default=0)
    until = min((t for t in changes if t > tick), default=None)
    if not ((since or until is not None) and SECTION_NOTES):
        return notes
    inside = [n for n in notes if n.start >= since and (until is None or n.start < until)]
    return inside if len(inside) >= SECTION_NOTES else notes


# a lead sheet's chord symbols are heard as the chords they name (SYMBOLS_HEARD): a bass an
# octave under the middle and the other notes above it, each sounding until the next symbol
SYMBOLS_HEARD = True


def _with_symbols(score: Score, notes: Iterable[Note]) -> list[Note]:
    """``notes`` and, with :data:`SYMBOLS_HEARD`, the chords the score's symbols name, so that
    a melody with chords is heard as one in four voices is (the profile method and its first
    chord: docs/keyfinding.md). Foster's "Jeanie" sings B and B-flat equally under "F Bb F C F
    ... G7 C" and was heard in C major; its symbols say F."""
    notes = list(notes)
    if not (SYMBOLS_HEARD and score.chord_symbols and notes):
        return notes
    first, end = min(n.start for n in notes), max(n.end for n in notes)
    marks = [m for m in score.chord_symbols if m.tick < end]
    for j, m in enumerate(marks):
        tones = chord_tones(m.text)
        # (the first chord from the first note: an upbeat before it is heard in its key, not
        # as a chord of its own, which the first chord's rules would take for the tonic)
        at = min(m.tick, first) if j == 0 else m.tick
        until = marks[j + 1].tick if j + 1 < len(marks) else end
        if tones is None or until <= at:
            continue
        notes.append(Note(at, 48 + tones.bass, until - at))
        notes += [Note(at, 60 + pc, until - at) for pc in sorted(tones.pcs - {tones.bass})]
    return notes


def key_heard(score: Score, tick: int | None = None,
              notes: Iterable[Note] | None = None) -> KeySignature | None:
    """The key a generation starting at ``tick`` (default: the score's end) is written in when
    none is chosen: ``notes`` (default: every pitched note of the score) estimated inside the key
    signature in force there. The voice sampler normalizes to it, and the Continue panel shows
    it, so that what the panel says is what the model does."""
    tick = score.end_tick if tick is None else tick
    notes = _section(score, _with_symbols(score, _heard_notes(score) if notes is None else notes),
                     tick)
    return estimate_key(notes, score.key_at(tick), tick=tick, fermatas=score.fermatas)


def keys_heard(score: Score, tick: int | None = None
               ) -> tuple[KeySignature | None, tuple[KeySignature, float | None] | None]:
    """:func:`key_heard` and an alternative from one ranking of the notes, what the Continue
    panel shows on every edit: for a line without a signature, the church mode its notes keep
    to (:func:`modal_alternative`; its probability None), else its runner-up
    (:func:`runner_up`)."""
    tick = score.end_tick if tick is None else tick
    notes = _section(score, _with_symbols(score, _heard_notes(score)), tick)
    declared = score.key_at(tick)
    choices = key_choices(notes, declared, tick, fermatas=score.fermatas)
    key = choices[0][0] if choices else declared
    if not (notes and is_line(notes)):
        return key, None
    mode = modal_alternative(notes, key) if declared is None else None
    return key, (mode, None) if mode is not None else runner_up(choices)


def modal_alternative(notes: list[Note], key: KeySignature | None, least: int = 1
                      ) -> KeySignature | None:
    """The church mode on ``key``'s tonic whose scale a line keeps to, offered beside the key
    heard: Dorian for a minor key whose line sings its natural sixth and neither its flat
    sixth nor its leading tone; Mixolydian for a major key whose line sings its flat seventh
    and never its leading tone. Offered, never chosen: heard automatically, the same test
    took 31 of 1,959 major and minor folk tunes for modal (docs/keyfinding.md, "Limits"); a
    review drew a D Dorian tune without a signature and was offered nothing but D minor."""
    if key is None or key.mode not in MODES:
        return None
    sung = Counter(n.pitch % 12 for n in notes)  # (its notes struck at least ``least`` times)
    tonic = key.tonic_pc
    if key.mode == "minor":
        if sung[(tonic + 9) % 12] >= least and not sung[(tonic + 8) % 12] \
                and not sung[(tonic + 11) % 12]:
            return KeySignature.from_tonic(tonic, "dorian", key.tick)
    elif sung[(tonic + 10) % 12] >= least and not sung[(tonic + 11) % 12]:
        return KeySignature.from_tonic(tonic, "mixolydian", key.tick)
    return None


def with_heard_key(score: Score, notes: list[str] | None = None,
                   key: KeySignature | None = None) -> Score:
    """``score`` with the key heard in its notes (or ``key``, the key a generation wrote in) as
    its key signature, when it declares none.
    Notation needs one, and the default C major writes an accidental on every B-flat of a G minor
    tune. MusicXML exports and ``generate`` use it (MIDI exports keep the score as it is);
    ``notes`` gets a line saying so. A score with a signature, or with too few notes to
    hear a key, is returned as is; but a single signature declared major, what files say by
    default, takes the mode of a generation's ``key`` or, where its mode was not stated
    (KeySignature.mode_stated), the mode heard in the notes, where that is its minor (or church
    mode): BWV 103.6 continued in B minor had been written as D major."""
    if score.key_signatures:
        first = score.key_signatures[0]
        if len(score.key_signatures) == 1 and first.mode == "major" and (
                key is not None or not first.mode_stated):
            # (a MusicXML <key> without <mode>, a MIDI file's default major: the notes say
            # which; a re-trial's E minor nocturne was exported as G major)
            heard = key or key_heard(score, 0)
            if heard is not None and heard.sharps == first.sharps and heard.mode != "major":
                if notes is not None and key is None:
                    notes.append(f"mode {heard.tonic_name} {heard.mode} (heard in the notes; "
                                 "the signature named no mode)")
                return replace(score, key_signatures=(replace(first, mode=heard.mode),))
        return score
    key = key or key_heard(score, 0)
    if key is None:
        return score
    key = KeySignature(0, key.sharps, key.mode)
    if notes is not None:
        notes.append(f"key signature {key.tonic_name} {key.mode} (heard in the notes; the score "
                     "had none)")
    return replace(score, key_signatures=(key,))


def _within_signature(notes: list[Note], scores: np.ndarray, declared: KeySignature,
                      params: KeyParams) -> dict[tuple[int, str], float] | None:
    """The keys that share ``declared``'s signature, {(sharps, mode): score}; None if the notes
    overrule it."""
    if len(notes) >= OVERRIDE_MIN_NOTES:
        m, tonic = np.unravel_index(int(np.argmax(scores)), scores.shape)
        best = KeySignature.from_tonic(int(tonic), MODES[int(m)])
        if best.sharps not in (declared.sharps, declared.sharps - 1):
            hist = pitch_class_histogram(notes)

            def fit(sharps: int) -> float:  # share of the sounding time in that major scale
                return hist[sorted(KeySignature(0, sharps).scale_pcs())].sum() / hist.sum()

            if fit(best.sharps) >= OVERRIDE_FIT and \
                    fit(best.sharps) - fit(declared.sharps) >= OVERRIDE_MARGIN:
                return None

    major = (declared.sharps * 7) % 12
    minor = (major + 9) % 12
    weighted = pitch_class_histogram(notes, params.half_life, params.on_beat)
    share = weighted / weighted.sum()
    cands = {
        (declared.sharps, "major"): scores[0, major],
        (declared.sharps, "minor"): scores[1, minor]
        + params.leading * min(1.0, share[(minor + 11) % 12] * 20),
    }
    # The minor key a flat further (G minor written with F major's one flat), when its sixth
    # degree is flattened more often than not; and then its relative major too (flat_short)
    if declared.sharps > -7:
        dorian = (major + 2) % 12
        flat6, nat6 = share[(dorian + 8) % 12], share[(dorian + 9) % 12]
        if flat6 > nat6 or (params.dorian_final and _ends_on(notes, dorian)) or \
                (params.dorian_first and _opens_on(notes, dorian, params)):
            cands[(declared.sharps - 1, "minor")] = scores[1, dorian] + params.leading * min(
                1.0, share[(dorian + 11) % 12] * 20)
        if params.flat_short and flat6 > nat6:
            cands[(declared.sharps - 1, "major")] = scores[0, (major + 5) % 12]
    same = (declared.sharps, declared.mode)
    if same not in cands:  # a church mode (K:Ddor): its tonic, scored as its family's key
        cands[same] = scores[MODES.index(declared.quality), declared.tonic_pc]
    parallel = _parallel_by_third(notes, declared, params)
    if parallel is not None:
        cands[parallel] = scores[MODES.index(parallel[1]), declared.tonic_pc]
    cands[same] += params.mode_prior
    if parallel is None and (declared.mode != "major" or declared.mode_stated):  # said on purpose
        cands[same] += params.minor_prior
        dorian_key = (declared.sharps - 1, "minor")
        if params.dorian_final and declared.mode == "minor" and dorian_key in cands:
            cands[dorian_key] += params.minor_prior  # (a declared minor may be a flat off)
        for key in cands:
            if KeySignature(0, *key).quality == declared.quality:
                cands[key] += params.family_prior
    return {k: float(v) for k, v in cands.items()}


def _parallel_by_third(notes: list[Note], declared: KeySignature, params: KeyParams
                       ) -> tuple[int, str] | None:
    """(sharps, mode) of the key on ``declared``'s tonic in the other mode, where the notes
    strike the other mode's third at least ``params.parallel_third`` times and the declared
    one's at most ``params.parallel_share`` times as often (:attr:`KeyParams.parallel_third`);
    else None. A declared major or minor only (a church mode has its own notes)."""
    if not params.parallel_third or declared.mode not in MODES:
        return None
    tonic = declared.tonic_pc
    struck = Counter(n.pitch % 12 for n in notes)
    own, other = (4, 3) if declared.mode == "major" else (3, 4)
    theirs, ours = struck[(tonic + other) % 12], struck[(tonic + own) % 12]
    if theirs < params.parallel_third or ours > params.parallel_share * theirs:
        return None
    mode = MODES[1 - MODES.index(declared.mode)]
    return KeySignature.from_tonic(tonic, mode).sharps, mode


def _opens_on(notes: list[Note], tonic: int, params: KeyParams) -> bool:
    """Whether a short passage of chords (``first_short`` applies to it) opens on a bass of
    ``tonic``: a chorale opening in G minor written with one flat (its E natural in the
    melody, E-flat below) is then heard in that key too."""
    if _first_short(notes, params) <= 0:
        return False
    _, bass, _ = _onsets(notes)
    return int(bass[0]) % 12 == tonic


def _ends_on(notes: list[Note], tonic: int) -> bool:
    """Whether a line closes on ``tonic`` as a whole melody does: its last note held at least
    :data:`DORIAN_FINAL_HOLD` times the line's median duration (an opening cut after 4 bars
    seldom ends on a long note; 1.0 cost the folk test openings with a signature 0.6 points),
    its first note in the minor triad on ``tonic``."""
    if not notes:
        return False
    last = max(notes, key=lambda n: (n.start, -n.pitch))
    first = min(notes, key=lambda n: (n.start, n.pitch))
    long = last.duration >= DORIAN_FINAL_HOLD * float(np.median([n.duration for n in notes]))
    return last.pitch % 12 == tonic and long and \
        first.pitch % 12 in {tonic, (tonic + 3) % 12, (tonic + 7) % 12}


def in_key_fraction(notes: Iterable[Note], key: KeySignature) -> float:
    """Share of notes whose pitch class lies in ``key``'s scale (1.0 for no notes)."""
    pcs = key.scale_pcs()
    notes = list(notes)
    if not notes:
        return 1.0
    return sum(n.pitch % 12 in pcs for n in notes) / len(notes)
