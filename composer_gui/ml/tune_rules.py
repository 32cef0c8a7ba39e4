"""How a continued melody keeps the form and the rhythm of a tune: it restates its earlier bars
within a strain, closes each strain on a held tonic, lifts its second strain, does not circle
between two notes, keeps its sketch's rhythmic figures and its triplets, and does not run on in
notes of one length. :mod:`voice_sampler` asks these per frame of a melody it writes (and the
circle rule of a chorale's soprano); each constant's comment says what it answered and how it
was measured (docs/voices.md).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from composer_gui.ml import phrase_grid
from composer_gui.ml.harmony_tables import cadence_root
from composer_gui.ml.sampler import GeneratedNote
from composer_gui.ml.voices import HOLD, REST, VoiceVocabulary
from composer_gui.music.score import TPQ, KeySignature, Note, Score

# A melody restates and varies its earlier bars (real tunes restate about 30% of their bars; an
# LSTM sampled token by token almost never does). A neural-cache-style prior: the token the tune
# had one phrase (4 bars) and one strain (8 bars) earlier at the same place gets this many nats
# added to its logit, so a restatement the model finds plausible becomes likely, and one it
# finds implausible stays rare.
# Chosen on the folk model's validation tunes: 2.0 / 3.0 / 4.0 restate 0.06 / 0.24 / 0.49 of the
# bars (real tunes there: 0.29). Session 42, the card's measure on 40 val openings (real 0.272):
# 3.0 / 3.25 / 3.5 restate 0.231 / 0.264 / 0.295; 3.25 is nearest the real tunes (on Aird's
# Airs, never used for a choice: 0.212 / 0.267 / 0.303, real 0.181), and 3.0 left the target's
# 0.2 little room on openings not seen. Session 43, the pull within a strain only
# (RESTATE_IN_STRAIN: bars 9-12 had restated bars 1-8 at 0.36, real 0.06), the val openings'
# restated share / bars 5-8 restating bars 1-4 at 3.25 / 4.0 / 4.5 / 5.0: 0.095 / 0.186 / 0.220
# / 0.237 and 0.19 / 0.37 / 0.44 / 0.47 (real 0.244 and 0.40); 5.0, the share nearest the real
# one (Aird's Airs, never used for a choice: 0.197 at 4.5, 0.222 at 5.0, real 0.181).
# Session 56, the medium folk model (2 x 384) with the chances above: the card's measure on the
# val openings at 5.0 / 5.5 / 6.0 nats 0.214 / 0.225 / 0.242 (real 0.272);
# bench/restatement.py's share 0.245 at 5.0 and 0.287 at 6.0 (real 0.275), bars 5 and 6 as
# bars 1 and 2 0.72 / 0.68 at 6.0 (real 0.62 / 0.50). 5.5 between.
RESTATE_BONUS = 5.5
# After this many bars in a row that restate an earlier bar note for note, the pull pauses for a
# bar: a tune restates a phrase and then varies it (a a'), it does not replay the sketch bar for
# bar. A listening review found continuations of 4-bar openings copying 7 of 7 bars.
MAX_RESTATED_RUN = 2
# The pull stops for good once this share of the span's bars restate earlier ones: a tune
# restates a phrase (a a') and then moves on (b), it does not keep replaying two bars on, one
# off (a third listening review found a jig continuation copying 5 of its 8 new bars; real tunes
# restate 0.25-0.31 of their bars).
RESTATE_SHARE = 0.375
# Each variation draws at each phrase's start whether it is pulled to restate there: a tune
# restates a phrase (a a') or answers it anew (a b), and variations that all restate sound
# alike. A listening review found seeds 31 and 32 identical through bars 5-6 in 8 of 8 folk
# continuations; of the folk val tunes' bars 5 and 6, 0.625 and 0.50 restate bars 1 and 2 (the
# continuations 0.79 and 0.66 with a pull in every variation).
# ... and whether it echoes the phrase's first bar in its third (bar 11 = bar 9): of 400
# folk train tunes' bars 7 and 11, 0.10 and 0.17 restate the bar two before (bars 3 and 9 of
# a new strain's phrase: no bar of a continuation did). Chosen on the val openings
# (bench/restatement.py, and the card's own measure on them; docs/voices.md): 0.8 / 0.5 made
# the variations differ most but the card's restated share fell 0.220 -> 0.189 (target 0.2);
# 0.9 / 0.7 keeps it (0.217), pairs of variations alike at bar 5 0.74 -> 0.57.
RESTATE_CHANCE = 0.9
ECHO_CHANCE = 0.7


def echo_bar(step: int, origin: int, bar: int) -> bool:
    """Whether ``step`` lies in the third bar of a phrase (4 bars of ``bar`` steps from
    ``origin``, the tune's first full bar), the bar that may echo the phrase's first."""
    return step >= origin and bar > 0 and (step - origin) // bar % 4 == 2


# A tune's strain closes where it ends: a continuation of a 4-bar sketch writes bars 5-8, the
# rest of the first 8-bar strain (phrase_grid.STRAIN_BARS), and real tunes close it on a held
# tonic in the last bar's second half (Cherish the Ladies F#5 D5 D5 D5:2). A listening review of
# folk continuations heard the strain run on through bar 8 in 7 of 9 tunes (the real ones 3 of
# 9), bar 8 a copy of bar 4's turn-around in 5 of 9. Where each strain's last bar closes
# (phrase_grid.strain_close_steps) the tonic gets STRAIN_CLOSE_PULL nats, and for a quarter
# after it holding gets STRAIN_HOLD_PULL; the restatement pull rests there. Chosen on the folk
# val openings (bench/strain_close.py; docs/voices.md)
STRAIN_CLOSE = True
# ... in a tune that runs as a dance does (phrase_grid.running_tune): a song or an air in 3/4
# makes its own close at bar 8, often a half close, and is not drawn there to restate bar 4;
# nor does it lift its bars 9-16 (STRAIN_LIFT). A listening review of continued German songs,
# Twinkle Twinkle and Amazing Grace heard a full close at bar 8 where the song makes a half
# close, in 5 of 10, and bars 9-12 too high in 3. On 60 Essen songs (bench/strain_close.py
# --split essen), the slow ones' bar 8 closed on the held tonic 33.0% -> 11.4% of the time
# (the songs 9.1%), their bars 9-12 lay +3.7 -> +1.5 semitones above bars 1-4 (+0.3); the folk
# test tunes that run moved not at all (docs/voices.md)
STRAIN_PACE = True
STRAIN_CLOSE_PULL = 3.0
STRAIN_HOLD_PULL = 2.0
# ... toward the tonic nearest the note before it (within a tritone), not every octave's: a
# second listening review heard closes leapt into by a sixth or a seventh (Soldier's Joy G4 E4
# D5, a seventh up, with D4 a step below), where real tunes reach the close from within 4
# semitones 93% of the time
STRAIN_CLOSE_NEAR = True
# A continued tune's notes in the dominant's beat before its final lie within this many
# semitones of the tune's home final (phrase_grid.HOME_FINAL); each semitone further costs
# HOME_APPROACH_PULL nats: the ending's search can keep a candidate that comes home only
# where one of them does, and a tune that circles an octave above its sketch's tonic (a
# listening review: Scarborough Fair D5-E5) drew none
HOME_APPROACH_REACH = 7
HOME_APPROACH_PULL = 0.5


def strain_close_bias(logits: np.ndarray, which: int, cand: np.ndarray, pitch_offset: int,
                       minor: bool, last: np.ndarray | None = None) -> np.ndarray:
    """``logits`` with a strain close's pull: toward the normalized key's tonic (``which`` 1),
    the one nearest each row's ``last`` struck pitch where it has one (STRAIN_CLOSE_NEAR), or
    toward holding the note (2)."""
    out = logits.copy()
    if which == 1:
        tonic = cand % 12 == cadence_root(minor, 2, 0)
        pull = np.broadcast_to(tonic, (len(logits), len(cand)))
        if STRAIN_CLOSE_NEAR and last is not None:
            near = np.abs(cand[None, :] - last[:, None]) <= 6
            pull = pull & (near | (last < 0)[:, None])
        out[:, pitch_offset:] += STRAIN_CLOSE_PULL * pull
    else:
        out[:, HOLD] += STRAIN_HOLD_PULL
    return out


# nats: a melody that has struck x y x striking y again (circling between two notes, A B A B). A
# second listening review of folk continuations heard tunes circle (Dairy Maid C4 B3 C4 B3); the
# folk val openings' continuations did so 1.65 times per 8 bars, the real tunes 1.0 (a scratch
# count; docs/voices.md)
CIRCLE_COST = 1.0
# ... and the soprano of a four-part continuation, the new tune (session 70): a listening
# review heard it rock between two notes in 10 of 12 continued chorale openings. The continued
# val openings (20 x 2, bars 5-12; /work/s70/sop.py) struck x y x y 1.60 times per 8 bars,
# Bach's own bars 0.42; at 1 / 2 / 3 nats 0.78 / 0.42 / 0.38 (beat chords 0.991 -> 0.987,
# authentic cadences 1.50 and outer parallels 0.025 per 8 bars either way at 2)
TOP_CIRCLE_COST = 2.0
# ... and its lower voices (session 82): continued test openings (34 x 2, bars 5-12) rocked
# x y x y in the alto, tenor and bass 1.41 / 1.46 / 0.96 times per 8 bars by a tone or more
# and the bass 0.47 by a semitone, Bach's own 0.21 / 0.49 / 0.18 and 0.15; a listening review
# heard harmony stall over a bass rocking a semitone for two bars, and an alto trill G4 F#4 G4
# F#4 for seven eighths
LOWER_CIRCLE_COST = 2.0
# ... the alto's and tenor's by a tone or more: their semitone rocks are Bach's (0.77 / 0.38
# per 8 bars against his 0.76 / 0.43), among them the leading tone's under a cadence, and
# charged too the harmonized test melodies' authentic cadences fell 1.25 -> 1.11 per 8 bars
# (1.19 as now; Bach's 1.11; bench/phrase_closes.py)
INNER_CIRCLE_NARROWEST = 2


def circle_cost(logits: np.ndarray, last: np.ndarray, before: np.ndarray, cand: np.ndarray,
                 pitch_offset: int, cost: float, narrowest: int = 1) -> np.ndarray:
    """``logits`` less ``cost`` for the pitch struck two notes ago where the one before it was
    the ``last`` ([rows]; ``before``: [rows, 2], the two struck before it, latest first; -1:
    none), the two at least ``narrowest`` semitones apart."""
    circling = (before[:, 1] >= 0) & (before[:, 1] == last) & (before[:, 0] != last) & \
        (np.abs(before[:, 0] - last) >= narrowest)
    if not circling.any():
        return logits
    out = logits.copy()
    hit = circling[:, None] & (cand[None, :] == before[:, 0][:, None])
    out[:, pitch_offset:] -= cost * hit
    return out


# nats per semitone above the sketch's first strain (its mean pitch), up to LIFT_SPAN semitones
# either way: a tune's second strain (its B part, bars 9-16 from the first full bar) lies higher
# than its first. A second listening review of folk continuations heard B parts sink (Dairy Maid
# A3-C4 where the tune leaps to G5); the folk val openings' bars 9-12 lay a median 3.6 semitones
# above bars 1-4 in the real tunes (higher in 85%), 0.0 in the continuations (50%; a scratch
# count, docs/voices.md)
STRAIN_LIFT = 0.1
LIFT_SPAN = 12


# nats off a melody's attack that would make one more span of the same length than
# :func:`even_limit` allows. A listening review of folk continuations of ten tunes the model
# never saw (German songs, Scottish airs, hymns) heard the rhythm flattened into runs of 13 to
# 22 equal notes in 4 of 10, where the real tunes have 10 at most. The folk val openings' 8
# continued bars passed the limit below in 14 of 80 continuations before and 2 now (test 13 ->
# 1), the real tunes' in 5 of 40 (10 test; a scratch count, docs/voices.md). Lower costs moved
# little: the model runs on in eighths with a margin of several nats (2 / 4 / 8 nats left 24 /
# 20 / 12 of the 80 val continuations past the tighter limit first tried)
EVEN_RUN_COST = 8.0


# ... where more than twice the sketch's own longest run (EVEN_RUN_FACTOR), and never fewer
# than EVEN_RUN_FLOOR. The real tunes' bars 5-12 pass max(10, twice the sketch's run) in 5 of
# 40 val and 10 of 40 test tunes (Irish B parts run on in eighths), max(sketch + 2, 1.5 x
# sketch) in 7 and 16
EVEN_RUN_FACTOR = 2
EVEN_RUN_FLOOR = 10


def even_limit(score: Score, start: int) -> int:
    """The most spans of one length in a row a melody continued from ``start`` may strike:
    twice its sketch's own longest such run (a reel that runs in eighths keeps running), and
    at least :data:`EVEN_RUN_FLOOR`; 0 (no limit) for a sketch of fewer than 8 notes."""
    starts = sorted({x.start for x in score.notes if x.start < start})
    if len(starts) < 8:
        return 0
    gaps = np.diff(starts)
    best = run = 1
    for a, b in itertools.pairwise(gaps):
        run = run + 1 if a == b else 1
        best = max(best, run)
    return max(EVEN_RUN_FLOOR, EVEN_RUN_FACTOR * best)


# A continued melody keeps its sketch's rhythm: a note struck (or a rest begun) at a place in the
# beat where the sketch strikes and ends none (an eighth's off-beat after a sketch in quarters, a
# sixteenth's) costs NEW_PLACE_COST nats; an off-beat note held over the next beat, and a note
# struck after the downbeat held over the bar line, each where the sketch ties none so,
# SYNCOPATION_COST (the rule needs 8 notes of sketch). A listening check of hymn, air and march
# sketches heard quarters continued in tied eighths; among Essen songs the continuations struck
# 6.9% of their notes at places their sketch never used (the real songs 2.2%), tied off-beat notes
# over the beat in 34 of 160 where the sketch never did (real 1 of 80) and weak beats over the bar
# line in 22 of 160 (real 1 of 80; docs/voices.md)
SKETCH_RHYTHM = True
# ... less so where the composer asked for another density (the panel's fewer / more notes):
# the costs and pulls above are scaled by 1 - 2 |density| / MAX_DENSITY, none from the
# slider's first notch either side. With them whole, a tune sketched in quarters was continued
# in quarters at every notch (bench/density.py: 3.91 / 3.98 / 4.00 / 4.00 / 4.00 notes a bar
# from the fewest to the most); scaled to none at the slider's ends only, 2.27 / 3.78 / 4.00 /
# 4.02 / 6.67, its first notches all but dead; now 2.27 / 2.83 / 4.00 / 5.14 / 6.67
DENSITY_OVER_RHYTHM = True
NEW_PLACE_COST = 2.0
SYNCOPATION_COST = 3.0
FIGURE_COST = 1.5


# ... and each place of a beat is drawn toward striking as often as the sketch's beats that
# strike as this one has so far strike there: FIGURE_PULL times the log of twice that share
# (smoothed by FIGURE_PRIOR beats each way) is added to striking, and of twice the rest to
# holding. A second review heard a dotted tune go on in plain quarters, which the figures
# allow: the figures are allowed, this keeps their mix. Beats in figures the sketch never
# strikes, val / test / Essen continuations: 12.3 / 7.9 / 5.1% -> 7.8 / 6.3 / 3.4% (the tunes
# 8.7 / 8.9 / 6.9%; bench/sketch_rhythm.py, docs/voices.md)
FIGURE_PULL = 1.0
FIGURE_PRIOR = 0.5
# ... from the model's own chance of striking there, not from even odds: inside the bar, the
# sampled chance of striking is moved to the sketch's share (each way by FIGURE_MOVE nats at
# most), the pitches struck keeping their odds. Even odds had pushed every beat toward a note
# on it held to the next (a sketch's beats mostly strike on the beat and seldom on its
# eighths), and a fiddler's review heard 3/4 airs continued in plain quarters: 16 of 20, 52%
# of their bars. A bar being restated keeps the even odds (moved, its copies broke: the
# card's restated bars 0.237 -> 0.202), and so does the bar's downbeat (moved there too, weak
# beats held over the bar line where the sketch never does so rose, Essen 5 -> 10 of 160).
# Aird's 3/4 tunes continued from bar 5 (/work/s61/airs/airs.py): bars of three quarters 74%
# -> 33% (the tunes 13%), notes a bar 3.11 -> 3.87 (4.20). bench/sketch_rhythm.py, val /
# test / Essen: the figures' distance from the sketch's 0.198 / 0.189 / 0.171 -> 0.161 /
# 0.163 / 0.145 (the tunes 0.183 / 0.201 / 0.191), beats in figures the sketch never strikes
# 7.2 / 6.7 / 3.0% -> 7.8 / 7.1 / 3.1% (8.7 / 8.9 / 6.9%); bench/restatement.py test,
# restated 0.280 -> 0.280
FIGURE_FROM_MODEL = True
FIGURE_MOVE = 2.0


def figure_pull(biased: np.ndarray, rows: np.ndarray, share: float, pull: float,
                 pitch_offset: int) -> None:
    """Move the chance ``biased`` ([rows, tokens] logits) gives striking, in ``rows``, toward
    ``share`` (``pull`` 1: all the way), at most FIGURE_MOVE nats each way; holding and resting
    take the rest."""
    logits = biased[rows]
    mass = np.exp(logits - logits.max(axis=1, keepdims=True))
    strike = np.clip(mass[:, pitch_offset:].sum(axis=1) / mass.sum(axis=1), 1e-6, 1 - 1e-6)
    up = np.clip(pull * np.log(share / strike), -FIGURE_MOVE, FIGURE_MOVE)
    down = np.clip(pull * np.log((1 - share) / (1 - strike)), -FIGURE_MOVE, FIGURE_MOVE)
    biased[rows, pitch_offset:] += up[:, None]
    biased[rows, HOLD] += down
    biased[rows, REST] += down


def figure_share(counts: dict[int, int], struck: int, here: int) -> float:
    """The share of the sketch's beats that strike at place ``here`` among those whose earlier
    places strike as ``struck`` (bits), smoothed by FIGURE_PRIOR."""
    before = (1 << here) - 1
    strike = wait = 0
    for f, c in counts.items():
        if f & before == struck:
            if f >> here & 1:
                strike += c
            else:
                wait += c
    return (strike + FIGURE_PRIOR) / (strike + wait + 2 * FIGURE_PRIOR)


def figure_ok(figures: frozenset[int], struck: int, here: int) -> tuple[bool, bool]:
    """Whether striking at place ``here`` of a beat whose earlier places ``struck`` (bits), and
    whether not striking there, still leads to a figure of ``figures``."""
    low = (1 << (here + 1)) - 1
    return (any(f & low == struck | 1 << here for f in figures),
            any(f & low == struck for f in figures))


def sketch_rhythm(lane: list[int], start_step: int, beat: int, where, v: VoiceVocabulary
                   ) -> dict:
    """The job's ``rhythm_places`` and ``sketch_syncopates`` from the melody's grid tokens
    before ``start_step`` (``where``: step -> (bar, step in the bar)); nothing for a sketch
    of fewer than 8 notes."""
    end = min(start_step, len(lane))
    struck = [s for s in range(end) if lane[s] >= v.pitch_offset]
    if len(struck) < 8:
        return {}
    # (where a rest ends a note, the rhythm has an event too)
    places = {where(s)[1] % beat for s in range(1, end)
              if lane[s] == REST and lane[s - 1] != REST}
    ties = bar_ties = False
    for s in struck:
        in_bar = where(s)[1]
        pos = in_bar % beat
        places.add(pos)
        after = s + beat - pos  # the next beat
        ties |= bool(pos) and after < start_step and all(
            lane[t] == HOLD for t in range(s + 1, after + 1))
        t = s + 1  # the next bar line
        while t < start_step and where(t)[1] and lane[t] == HOLD:
            t += 1
        bar_ties |= bool(in_bar) and t < start_step and where(t)[1] == 0 and lane[t] == HOLD
    figures, figure, first = Counter(), 0, struck[0] - where(struck[0])[1] % beat
    for s in range(first, end):
        if s > first and where(s)[1] % beat == 0:
            figures[figure] += 1
            figure = 0
        if lane[s] >= v.pitch_offset:
            figure |= 1 << (where(s)[1] % beat)
    return {"rhythm_places": frozenset(places), "sketch_syncopates": ties,
            "sketch_ties_bars": bar_ties, "beat_figures": frozenset(figures),
            "figure_counts": dict(figures)}


def texture_rhythm(lanes: list[list[int]], start_step: int, beat: int, where,
                   v: VoiceVocabulary) -> dict:
    """:func:`sketch_rhythm` pooled over several voices' ``lanes``: the places any of them
    strikes, the figures any of them makes (counts summed), a syncopation or a tie over the
    bar line where any of them has one; nothing where no lane has 8 notes."""
    found = [r for r in (sketch_rhythm(lane, start_step, beat, where, v) for lane in lanes) if r]
    if not found:
        return {}
    counts: Counter = Counter()
    for r in found:
        counts.update(r["figure_counts"])
    return {"rhythm_places": frozenset().union(*(r["rhythm_places"] for r in found)),
            "sketch_syncopates": any(r["sketch_syncopates"] for r in found),
            "sketch_ties_bars": any(r["sketch_ties_bars"] for r in found),
            "beat_figures": frozenset(counts), "figure_counts": dict(counts)}


def home_final(notes: list[Note], start: int, key: KeySignature | None) -> int:
    """A melody's home final (:func:`phrase_grid.home_final`) from its notes before tick
    ``start``; -1 where there is none."""
    if key is None:
        return -1
    found = phrase_grid.home_final([x.pitch for x in notes if x.start < start], key.tonic_pc)
    return -1 if found is None else found


def first_strain_pitch(score: Score, start: int, first: int) -> float | None:
    """The mean pitch of ``score``'s notes before ``start`` in the tune's first strain
    (:data:`phrase_grid.STRAIN_BARS` bars from its first full bar, ``first``); None without
    any."""
    lo, hi = score.bar_start(first), score.bar_start(first + phrase_grid.STRAIN_BARS)
    pitches = [x.pitch for x in score.notes if lo <= x.start < min(hi, start)]
    return float(np.mean(pitches)) if pitches else None


def second_strain(step: int, origin: int, bar: int) -> bool:
    """Whether ``step`` lies in an odd-numbered strain (the second, fourth...) of bars of
    ``bar`` steps counted from ``origin``, the tune's first full bar."""
    strain = bar * phrase_grid.STRAIN_BARS
    return step >= origin and strain > 0 and (step - origin) // strain % 2 == 1


def restate_lags(bar_steps: int) -> tuple[int, ...]:
    return (4 * bar_steps, 8 * bar_steps)


# A tune restates within its strain, and its next strain contrasts: the pull toward an earlier
# bar (restate_bias) reaches back only to a bar of the same 8-bar strain
# (phrase_grid.STRAIN_BARS), counted from the tune's first full bar (bars 5-8 echo bars 1-4;
# bars 9-12 are pulled toward none).
# Of the folk test tunes' bars 5-8, 65 of 160 restate one of bars 1-4, and of their bars 9-12,
# 13 of 160 restate one of bars 1-8; the folk model's continuations from bar 5 had 73 of 320
# and 111 of 320 (a listening review heard a hornpipe's opening phrase three times and no
# answering phrase; a scratch count, docs/voices.md)
RESTATE_IN_STRAIN = True


def strain_lags(lags: tuple[int, ...], step: int, origin: int) -> tuple[int, ...]:
    """The restatement ``lags`` (steps, whole bars of ``lags[0] // 4`` steps) whose bar lies in
    the same strain as ``step``'s (RESTATE_IN_STRAIN); all of them without the rule."""
    if not RESTATE_IN_STRAIN or not lags:
        return lags
    bar = lags[0] // 4
    here = (step - origin) // bar
    return tuple(lag for lag in lags
                 if here - lag // bar >= 0 and (here - lag // bar) // phrase_grid.STRAIN_BARS
                 == here // phrase_grid.STRAIN_BARS)


def restated_run(run: np.ndarray, hist: np.ndarray, step: int, lags: tuple[int, ...]
                  ) -> np.ndarray:
    """At a bar line ``step``: each row's run of bars in a row that restate the bar a phrase or
    a strain earlier note for note, the bar just ended included (``run``: the count before it)."""
    bar = lags[0] // 4
    lo = step - bar
    if lo < 0 or step > hist.shape[1]:
        return run
    done = hist[:, lo:step]
    same = np.zeros(len(run), bool)
    for lag in lags:
        if lo - lag >= 0:
            same |= (done == hist[:, lo - lag:step - lag]).all(axis=1) & (done >= 0).all(axis=1)
    return np.where(same, run + 1, 0)


# A melody whose sketch plays triplet eighths gets them back where the model wrote one: the
# sixteenth grid holds no triplet, so a triplet is read (as the training tunes' were) as a
# sixteenth, an eighth and a sixteenth, the onsets on 0, 1/4 and 3/4 of the beat, and the
# model writes it so. A notation review found a hornpipe's triplets continued as that
# figure in 5 of 5 places. In a meter of quarter beats, where the sketch strikes a triplet
# eighth, a beat the continuation fills with exactly that figure is written as the triplet
# it stands for (its notes streamed a beat late, once the beat is known to hold no more).
SKETCH_TRIPLETS = True
_TRIPLET_FIGURE = (0, TPQ // 4, 3 * TPQ // 4)  # (the figure a triplet is read as)


def plays_triplets(score: Score, notes: list[Note], start: int) -> bool:
    """Whether the sketch's melody (``notes`` before ``start``) strikes a triplet eighth in a
    meter whose beat is a quarter."""
    if score.time_signature_at(start).beat_ticks != TPQ:
        return False
    return any(x.start < start and x.start % TPQ in (TPQ // 3, 2 * TPQ // 3) for x in notes)


def triplets_restored(notes: Iterator[GeneratedNote]) -> Iterator[GeneratedNote]:
    """``notes`` (a melody's, each variation's in time order) with each beat that holds just the
    figure a triplet is read as written as the triplet (SKETCH_TRIPLETS)."""
    pending: dict[int, list[GeneratedNote]] = {}
    for g in notes:
        beat = pending.setdefault(g.variation, [])
        if beat and g.note.start // TPQ != beat[0].note.start // TPQ:
            yield from _as_triplet(beat)
            beat.clear()
        beat.append(g)
    for beat in pending.values():
        yield from _as_triplet(beat)


def _as_triplet(beat: list[GeneratedNote]) -> list[GeneratedNote]:
    b = beat[0].note.start // TPQ * TPQ
    notes = [g.note for g in beat]
    if tuple(x.start - b for x in notes) != _TRIPLET_FIGURE or \
            any(x.end != y.start for x, y in itertools.pairwise(notes)) or \
            notes[-1].end < b + TPQ:
        return list(beat)
    third = TPQ // 3
    ends = [b + third, b + 2 * third, notes[-1].end]
    return [replace(g, note=replace(g.note, start=b + i * third, duration=ends[i] - b - i * third))
            for i, g in enumerate(beat)]


def restate_bias(logits: np.ndarray, hist: np.ndarray, step: int, lags: tuple[int, ...],
                  pulled: np.ndarray | None = None, first_onset: int = 0) -> np.ndarray:
    """``logits`` with the restatement pull, for the rows in ``pulled`` (default: all); toward a
    rest only where the tune rested after its first note (``first_onset``, a step)."""
    out = logits.copy()
    rows = np.arange(len(logits))
    for lag in lags:
        if step - lag < 0:
            continue
        ref = hist[:, step - lag]
        # (not toward the rests before the first note: a sketch's pickup bar, read as a bar of
        # rests before its upbeat, had pulled the bar a phrase later into a rest)
        ok = (ref >= 0) & ((ref != REST) | (step - lag >= first_onset))
        ok = ok if pulled is None else ok & pulled
        out[rows[ok], ref[ok]] += RESTATE_BONUS
    return out
