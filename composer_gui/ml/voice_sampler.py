"""Continue, infill and harmonize with a voice-grid model (ml/voices.py), on ONNX Runtime.

The same public shape as :class:`~composer_gui.ml.sampler.Sampler` (``load``, ``stream``,
``generate``, ``plan``, ``warnings``); :func:`~composer_gui.ml.sampler.load_sampler` picks this one
for a model folder whose vocabulary is the voice grid.

How a request runs:

1. The sketch is laid on the grid with its key normalized (C major / A minor), each model voice
   mapped to a score part (``voices.plan_voices``; one monophonic part is the top voice). The
   tokens before the span run through the step graph once at batch 1, a bar per call
   (*prefill*, cached per bar line, a long sketch cut to its last bars as in the REMI sampler).
2. The span is stepped frame by frame, K variations as one batch. ``BAR_k`` and the step of
   ``POS`` are forced (only the fermata flag is sampled, except where the score has a fermata:
   the sketch's and a harmonized melody's phrase ends are heard as marked); each voice token
   is either forced (a
   voice that is not rewritten, the melody being harmonized, a sketch note still sounding) or
   sampled under a mask: ``HOLD`` only while the voice sounds, pitches only in the voice's range
   (:data:`VOICE_RANGES` for choir voices, else the vocabulary's; widened to the sketch's own
   notes of that voice +- :data:`RANGE_MARGIN`), the request's pitch range, and with a key lock
   the key's scale (in minor the raised sixth and seventh too: a minor cadence needs its
   leading tone).
3. ``BAR_k`` counts the bars left: with ``end="cadence"`` down to 1 at the last bar of the piece
   (a continuation's last requested bar, or the score's own last bar around a region; the model
   has learned how pieces end), with ``"free"`` it stays at "8 or more". The default: cadence for
   a continuation that ends the piece (from the sketch's end, or from inside it, replacing the
   rest), a region and a harmonization; free for a continuation that kept parts go on after.
   When the span ends the piece with a cadence, its last beat holds: every voice sounds at the
   last beat and holds its note to the bar line.
4. Search (only where it helps): a region or a harmonization samples each variation as
   :data:`limits.VOICE_CANDIDATES` candidates from its start; a span that ends the piece with a
   cadence splits each row again at its last bar (up to :data:`limits.VOICE_ENDING_CANDIDATES`
   per variation in all; :data:`MAX_ROWS` rows at most). A continuation streams: a chorale's
   draws :data:`BAR_CANDIDATES` candidates of each bar and keeps one at the next bar line (its
   notes stream then, a bar behind; :func:`part_writing.bar_faults`), a melody's streams as it is
   drawn, and both fork again at the last bar; a region or a harmonization arrives when its
   search ends. Each variation keeps its best candidate, ranked first by ending on the tonic
   chord (when the span ends the piece; ``music.analysis.ends_on_tonic``), then by the model's
   log-likelihood of the candidate's span *and* of the kept bars right after it (teacher-forced,
   up to :data:`limits.VOICE_CONTEXT_BARS` bars): log p(span, right | left), the candidates
   ranked by how well they fit both sides. The right side is heard only where every voice has a
   part with notes after the span (a melody harmonized in a region has no lower voices after it).
   Cost: the candidates multiply the batch (the same number of steps, each dearer;
   bench/generate.py) plus one teacher-forced pass over the right context. ``search`` reports how
   often the first candidate would already have ended on the tonic.

5. Rules (docs/voices.md; the part-writing ones in :mod:`part_writing`, the phrase closes in
   :mod:`cadence_rules`, where phrases fall in :mod:`phrase_grid`; this module decides per
   frame which apply), each yielding where it would leave a voice no note: the chorale style
   rules for three or more voices (``style_rules``: no outer parallel fifths/octaves, chords on
   the beats, :func:`_style_mask`; no consecutive fifths/octaves between any two voices, nor into
   a region's kept chord, :func:`_parallels_mask`; no leap of a tritone, a seventh or wider
   than an octave in any voice, :func:`_leap_mask`, and a cost on each semitone a lower voice
   leaps beyond a step, :func:`_leap_cost`; a quarter note moving a third to the next beat
   split into two eighths with the passing note between, as often as Bach fills such a third,
   :meth:`VoiceSampler._passing`; a step down into a beat delayed an eighth where the note
   held is a fourth or a ninth over the bass, a suspension (:data:`SUSPENSIONS`,
   :func:`_suspends`); a half-beat note that stepped out of the chord moving on
   by step, :func:`_step_mask`; a phrase end the model marks closing on a root-position triad,
   drawn to the one the chord before resolves to, :func:`_fermata_chord_mask`,
   :func:`_cadence_pull`); the cadence option's
   V(7)-I, roots in the bass, closing
   with the top voice on the tonic and a full chord (:func:`_cadence_mask`; a harmonized melody
   opens on I and closes on the chord of its last note, :func:`opening_tonic`,
   :func:`melody_close`); a region's last beat moving within :data:`SEAM_REACH` of the kept
   notes (:func:`_near_mask`); a melody's pull towards restating its earlier bars
   (:data:`tune_rules.RESTATE_BONUS`, :func:`tune_rules.restate_bias`).

Notes are yielded as soon as they end (a note still open when a frame run ends closes at its
end). ``cancel`` is checked before every step. The same request with the same seed gives the
same notes.
"""

from __future__ import annotations

import bisect
import itertools
import math
import os
import statistics
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from composer_gui.ml import (
    cadence_rules,
    close_voicing,
    figures,
    given_chords,
    limits,
    part_writing,
    phrase_grid,
    tune_chords,
    tune_rules,
)
from composer_gui.ml import voices as vx
from composer_gui.ml.cadence_rules import (
    _bass_root_room,
    _cadence_key,
    _cadence_mask,
    _cadence_pull,
    _cadence_ready,
    _chord_before,
    _chord_roots,
    _close_hold_mask,
    _close_lookahead,
    _close_roots,
    _close_triads,
    _closes,
    _dominant_beat_mask,
    _fermata_chord_mask,
    _final_chord,
    _full_close_pull,
    _key_pull_table,
    _last_pitch,
    _leading_reach_mask,
    _own_lines,
    _plan_groups,
    _plan_targets,
    _planned_top_mask,
    _pre_close_pull,
    _predominant_bass,
    _predominant_fits,
    _predominant_pulls,
    _reach_root,
    _root_reach_mask,
    _soft_dominant_mask,
    _sounding_before,
    _spacing_cost,
    _subtonic_mask,
    _unweak_groups,
    _weak_close_roots,
)
from composer_gui.ml.chord_labels import labelled
from composer_gui.ml.harmony_tables import (
    BARE_ROOT,
    CADENCE_ROOT,
    DOMINANT_ROOT,
    LEADING_TONE,
    V7_SEVENTH,
    cadence_root,
    pitch_class_bits,
)
from composer_gui.ml.keyfinding import key_heard
from composer_gui.ml.melody_plan import (
    approach_dominants,
    bass_to_avoid,
    closing_key,
    dominant_freed,
    harmonized_melody,
    held_close_steps,
    key_fits,
    melody_close,
    melody_final_step,
    opening_tonic,
    pickup_arrival,
    plan_phrase_closes,
    real_key,
    tonic_arrival,
)
from composer_gui.ml.model_folder import TOKEN, LoadedModel, load_model, state_names
from composer_gui.ml.part_writing import (
    IN_KEY_BITS,
    _avoid_mask,
    _bad_seventh,
    _bass_hold_cost,
    _bass_room,
    _bass_step_room,
    _below_mask,
    _between_mask,
    _chromatic_chord_cost,
    _chromatic_clash_mask,
    _chromatic_step_mask,
    _clash_mask,
    _doubling_mask,
    _entry_mask,
    _false_relation_mask,
    _given_seventh_mask,
    _half_beat_doubling_mask,
    _in_chord,
    _leading_ahead_cost,
    _leading_cost,
    _leap_cost,
    _leap_mask,
    _led_nowhere_cost,
    _lowest_mask,
    _mode_degrees,
    _narrow,
    _narrow_held,
    _near_mask,
    _new_pitch_mask,
    _no_bass_seventh,
    _outer,
    _owed_resolutions,
    _owed_rises,
    _owed_sevenths,
    _parallels_mask,
    _passing_clear,
    _passing_pitch,
    _raised_doubling_mask,
    _recent_strikes,
    _resolution_cost,
    _resolution_mask,
    _room_cost,
    _root_parallels_mask,
    _seam_leading_mask,
    _seam_seventh_mask,
    _seventh_ahead_cost,
    _seventh_chord_cost,
    _seventh_mask,
    _step_mask,
    _stepped,
    _still_owed,
    _style_mask,
    _together_mask,
    _unison_cost,
    _unison_mask,
    _unresolved,
    _unrisen_leading_mask,
)
from composer_gui.ml.phrase_grid import (
    _cadence_ahead,
    _ending,
    _fermata_places,
    _final_chord_step,
    _leading_ahead,
    _line_final_step,
    _mark_dominant_beats,
    _strong_frames,
    _two_strong_beats,
    _upbeat_cut,
    _upbeat_kept,
)
from composer_gui.ml.sampler import (
    GeneratedNote,
    GenerationRequest,
    Plan,
    _PrefillCache,
    prefill,
    sample_tokens,
)
from composer_gui.ml.voices import BOS, HOLD, REST, VoiceVocabulary
from composer_gui.music import analysis
from composer_gui.music.clefs import MIDDLE_C, upper_staff_from
from composer_gui.music.edits import (
    apply_generated,
    apply_note_diff,
    continuation_frame,
    kept_diff,
    region_notes,
    split_across,
    split_parts,
)
from composer_gui.music.phrases import melody_phrase_ends
from composer_gui.music.score import TPQ, KeySignature, Note, Score, pitch_name

# Comfortable choir ranges (MIDI, sounding pitch), the usual textbook ones with a tone to spare,
# the alto and tenor no lower than Bach's lowest (F3, C3: the 351 four-part chorales of
# music21's corpus in their own keys; a listening review heard harmonized tenors on B2 and
# altos on F3)
VOICE_RANGES = {"sopr": (59, 81), "alto": (53, 74), "teno": (48, 69), "bass": (36, 62)}
# ... and a written voice pays CHOIR_FLOOR_COST nats a semitone below where Bach's seldom go
# (his alto under G3 in 5 of those chorales, 0.1% of its notes; his tenor under D3 in 6; his
# bass under D2 in 26: at C2). The same review heard basses leap to C2 on a first downbeat
CHOIR_FLOORS = {"alto": 55, "teno": 50, "bass": 38}
CHOIR_FLOOR_COST = 1.0
# semitones the ranges of the voices under a low melody (LOW_MELODY) reach lower: a melody
# written an octave low (C3 to A3) harmonized under the floors above found no close on the
# tonic in any of its 8 candidates (it did with the ranges as they were, a tone lower)
LOW_MELODY_ROOM = 2
RANGE_MARGIN = 2  # semitones beyond the sketch's own notes of a voice
# A melody to harmonize whose middle (median) note lies below this (D4) is said to lie low:
# Bach's sopranos' middle notes lie at G4 to C5, and a listening review heard two Essen songs,
# written at G3-F4, harmonized with the bass down to C2 and the alto under the tenor
LOW_MELODY = 62
# ... and one whose middle note lies below this (A-flat 3) leaves the voices no room under it:
# Bach's chorale melodies moved down until the alto, tenor and bass written under them rose
# above them (a fuzz run harmonized a melody at C1-C2 with all three voices over it, and said
# they lay "under it"). BWV 269, 66.6 and 40.8's melodies an octave down (middle notes A3-B3):
# 1 of their 174 notes had a voice over it; 17 semitones down (E3-F#3) 46, 19 down (D3-E3) 81,
# two octaves down 165 (seed 1, a scratch count)
TOO_LOW_MELODY = 56
# ... and a choir voice that keeps its sketch's register (limits.REGISTER_REACH) keeps its choir
# range too, where the sketch itself stays inside it: a listening review heard a continued
# soprano sink to B-flat 3 (all four voices within a fifth) and a harmonized bass to B1, each
# within 5 semitones of the sketch's lowest note
CHOIR_RANGES_KEPT = True
MAX_ROWS = 64  # candidates of all variations stepped at once (limits.py: timings by batch size)


# A harmonization's variations are drawn in this many groups, each with its own plan of
# phrase closes (melody_plan.plan_phrase_closes draws one plan a job): a listening review
# heard the variations of one melody differ in their inner voices and close alike, and the
# harmonized test melodies x 4 took one chord at 48 of their 66 interior fermatas in all four
# (/work/s59/scripts/var_closes.py). Each group is a job of its own, run after the one before
# (harmonizing 8 bars x 4: one job 505 ms, two about 1.5 times that: bench/generate.py)
CLOSE_PLAN_GROUPS = 2


# a harmonization or a region that crosses a change of key signature (the key not chosen) is
# written section by section, each in the key heard in it: a trial harmonized a tune in G
# major that moves to E-flat major at bar 5 in G major throughout (A and B naturals under its
# E-flat section), and regenerated bars 4-5 with A naturals in the E-flat bar
KEY_SECTIONS = True
_SECTIONS_SAID = "the key signature changes inside the span: each section is written in its own key"

# the start of what a continuation of a sketch thinner than the model says (the voices it
# samples and does not write)
THIN_SAID = "the sketch has no "

# A keyboard's tune rewritten by the chorale model (a continuation, or Regenerate of the right
# hand) keeps near the pace its sketch strikes notes at: each onset it owes against that pace
# (at most TUNE_RATE_SPAN) adds this to its onset tokens' logits, each it is ahead takes it
# away. A trial's piano tunes came back as a chorale soprano in half notes: a barcarolle's
# 29 onsets in 4 bars as 13 to 18, a sonatina's quarters and eighths as halves
TUNE_RATE_GAIN = 2.0
TUNE_RATE_SPAN = 2.0
TUNE_RATE_BARS = 4  # ... the pace of the sketch's last bars
# ... and its rhythm, as a melody's is (tune_rules.SKETCH_RHYTHM: places in the beat its
# notes never strike cost, each place is drawn toward striking as often as the sketch's beats
# do). The pace alone moves no note off the chorale's beats: a 2/4 march of eighths and a
# habanera came back at about half their pace in every review
TOP_VOICE_RHYTHM = True
# ... and so do the top voice's pace and rhythm of any four-part texture continued (a choir's
# soprano, a quartet's first violin), not a keyboard's alone. A listening review (session 81)
# heard a 6/8 carol turn into 3/4 half notes (the model knows no 6/8: it hears the bar as
# 3/4's), its soprano at 1.9 notes a bar against the sketch's 3.75, and a 2/4 quartet's first
# violin lose every eighth (1.2 notes a bar against 3.25)
TOP_VOICE_PACE = True
# ... and a four-part continuation that closes with a cadence brings its top voice home as a
# tune's does (phrase_grid.HOME_FINAL: the tonic nearest its sketch's mean pitch less
# HOME_BELOW_MEAN; the pull from the dominant's beat and the ending's search's preference):
# a listening review (session 81) heard 7 of 27 continuations of four-part sketches end with
# the soprano on the low tonic, a fifth under the sketch's lowest soprano note. Of 121 of
# Bach's chorales (train split) that end on their tonic, the soprano ends on the home final of
# its first 4 bars in 108, below it in 11 (a scratch count, /work/s81/homefinal.py)
TOP_VOICE_HOME = True
# ... and its register: where the running mean of the new notes falls under the mean of the
# sketch's last bars, a step up gains and a step down loses TOP_REGISTER_GAIN nats a semitone
# of each (and the other way round above it). The model's soprano sits near B4, and a
# review (session 81) heard a waltz's tune sink about a fifth, from around E-flat 5 to B-flat
# 4, and circle there on top of the left hand's chords
TOP_REGISTER_GAIN = 1.0
TOP_REGISTER_SPAN = 4.0
TOP_REGISTER_FREE = 1.5
TOP_REGISTER_STEP = 4.0
TOP_REGISTER_PRIOR = 4.0
# ... and in a meter whose beat is not a quarter (6/8, 9/8, 2/2, 3/2), the lower voices keep
# to the rhythm of the sketch's voices too: a note struck where none of them strikes, a beat
# figure none of them makes, a syncopation or a tie over the bar line none of them has costs
# as the top voice's do (tune_rules.SKETCH_RHYTHM, the costs alone: no voice is pulled to a
# pace). The model hears 6/8 as 3/4 and 2/2 as 4/4: a listening review (session 81) heard a
# 6/8 carol's alto, tenor and bass fall into half notes across the bar's second beat, and a
# 2/2 sketch of halves and quarters continued with 12 to 16 eighths a voice in its inner parts
LOWER_RHYTHM = True


def _tune_rate(vplan: vx.VoicePlan, rewritten: list[bool], score: Score, start: int,
               step: int) -> float:
    """The onsets per grid step of the top voice's line in the last bars before ``start``,
    where that voice is rewritten: a keyboard's tune (its hands, figures.keyboard_hands), or
    with TOP_VOICE_PACE any part's (a soprano, a first violin); 0 otherwise."""
    if not (TUNE_RATE_GAIN and rewritten[0] and vplan.parts[0] >= 0):
        return 0.0
    if not TOP_VOICE_PACE:
        hands = figures.keyboard_hands(score, vplan)
        if hands is None or 0 not in hands.upper:
            return 0.0
    since = _tune_window(score, start)
    onsets = {x.start for x in vplan.notes[0] if since <= x.start < start}
    if start - since < step or len(onsets) < 4:
        return 0.0
    return len(onsets) / ((start - since) / step)


def _hand_sides(vplan: vx.VoicePlan, hand: int, rewritten: Sequence[bool]
                ) -> tuple[int | None, ...]:
    """Each voice's hand (0 the upper staff, 1 the lower; None: no keyboard's) in a region
    that rewrites one ``hand`` of a keyboard part: that hand for the voices it rewrites (the
    voices sampled for a one-line left hand's chords among them), the plan's for those it
    keeps. Every voice had been put in the hand rewritten, so KEYBOARD_HAND_SPAN held the left
    hand's tenor and bass within an octave of the kept soprano and alto: a listening review
    heard a hymn's left hand rewritten as sixteenth-note trills around A3, its bass over its
    tenor, a unison of the two engraved in the right hand's staff (HAND_SIDES_PLANNED)."""
    planned = vplan.hands if HAND_SIDES_PLANNED and len(vplan.hands) == len(rewritten) \
        else [hand] * len(rewritten)
    return tuple(hand if r else planned[i] for i, r in enumerate(rewritten))


def _within_reach(mates: np.ndarray, cand: np.ndarray, span: int | None = None) -> np.ndarray:
    """[rows, pitches]: the pitches within ``span`` (KEYBOARD_HAND_SPAN) of every note the
    hand's other voices (``mates``, [rows, voices]; -1: silent) sound."""
    span = KEYBOARD_HAND_SPAN if span is None else span
    sounding = mates >= 0
    top = np.where(sounding, mates, -(10 ** 6)).max(axis=1)
    low = np.where(sounding, mates, 10 ** 6).min(axis=1)
    ok = (cand[None, :] >= top[:, None] - span) & (cand[None, :] <= low[:, None] + span)
    ok[~sounding.any(axis=1)] = True
    return ok


def _tune_window(score: Score, start: int) -> int:
    """Where the last TUNE_RATE_BARS bars before ``start`` begin: the window whose top voice
    sets the new tune's pace and register."""
    bar = score.bar_at(max(start - 1, 0))
    return score.bar_start(max(bar - TUNE_RATE_BARS + 1, 0))


def _tune_centre(vplan: vx.VoicePlan, score: Score, start: int) -> float:
    """The mean pitch of the top voice's notes in :func:`_tune_window` (where
    :func:`_tune_rate` found a pace, it has notes)."""
    since = _tune_window(score, start)
    return float(np.mean([x.pitch for x in vplan.notes[0] if since <= x.start < start]))


def _register_lean(centre: float, pitch_sum: np.ndarray, struck: np.ndarray,
                   last: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """[rows, pitches] logits that lean each row's next note back toward ``centre``: the
    running mean of its notes (``pitch_sum`` over ``struck``, with TOP_REGISTER_PRIOR notes at
    the centre) below it favours a step up from its ``last`` note and taxes a step down, in
    proportion to both (TOP_REGISTER_GAIN a semitone each, up to TOP_REGISTER_SPAN and
    TOP_REGISTER_STEP semitones)."""
    mean = (TOP_REGISTER_PRIOR * centre + pitch_sum) / (TOP_REGISTER_PRIOR + struck)
    off = centre - mean
    below = np.sign(off) * np.clip(np.abs(off) - TOP_REGISTER_FREE, 0, TOP_REGISTER_SPAN)
    start = np.where(last >= 0, last, centre)
    move = np.clip(cand[None, :] - start[:, None], -TOP_REGISTER_STEP, TOP_REGISTER_STEP)
    return TOP_REGISTER_GAIN * below[:, None] * move


def _key_sections(score: Score, request: GenerationRequest, plan: Plan) -> list[int]:
    """[start, each key signature change inside the span, stop]; [] where the span keeps one
    signature, the key was chosen, or the request is no harmonization or region. A change
    with no note of the score starting after it in the span joins the section before."""
    if not (request.harmonize or request.is_region) or \
            isinstance(request.key_signature(), KeySignature):
        return []
    start, stop = plan.start_tick, plan.stop_tick
    changes = []
    for k in score.key_signatures:
        before = score.key_at(k.tick - 1) if k.tick > 0 else None
        if start < k.tick < stop and before is not None and \
                (before.sharps, before.mode) != (k.sharps, k.mode):
            changes.append(k.tick)
    if not changes:
        return []
    cuts = [t for t, after in zip(changes, [*changes[1:], stop], strict=True)
            if any(t <= n.start < after for n in score.notes)
            and any(start <= n.start < t for n in score.notes)]
    return [start, *cuts, stop] if cuts else []


def _close_plan_groups(request: GenerationRequest) -> list[GenerationRequest]:
    """``request`` as the requests of its groups of variations: a melody harmonized in two or
    more variations, with the style rules, splits into CLOSE_PLAN_GROUPS (the first keeps the
    request's seed, the others a seed of their own, so their closes are drawn apart); any
    other request is one group."""
    k = request.variations
    groups = min(k, CLOSE_PLAN_GROUPS)
    if not request.harmonize or not request.style_rules or groups < 2:
        return [request]
    sizes = [k // groups + (g < k % groups) for g in range(groups)]
    return [replace(request, variations=n,
                    seed=None if request.seed is None else int(request.seed) + 7919 * g)
            for g, n in enumerate(sizes)]


class _Rhythm(NamedTuple):
    """A voice's sketch rhythm (tune_rules.sketch_rhythm's keys) and whether its figures pull
    it (the top voice's) or only cost (the lower voices', LOWER_RHYTHM)."""

    rhythm_places: frozenset[int]
    sketch_syncopates: bool
    sketch_ties_bars: bool
    beat_figures: frozenset[int]
    figure_counts: dict
    pulls: bool


@dataclass
class SearchReport:
    """What the last request's candidate search did (tests and the bench read it)."""

    candidates: int = 1  # per variation
    groups: int = 0  # variations searched
    tonic_checked: bool = False
    first_on_tonic: int = 0  # variations whose first candidate already ended on the tonic
    found_tonic: int = 0  # variations where some candidate did
    found_authentic: int = 0  # ... and where some candidate ended V(7)-I in root position
    repeated: int = 0  # region variations alike another or the notes replaced (no new one)
    alike: int = 0  # continued variations alike another (said, not searched away)
    context_frames: int = 0  # teacher-forced frames after the span


@dataclass
class _Frame:
    step: int  # absolute grid step
    bar_token: int | None  # a BAR token before this frame (bar starts here)
    pos: int  # step within the bar
    forced: list[int | None]  # per voice: the token, or None to sample
    final: int = 0  # 1: the last beat's first frame (no REST), 2: after it (hold)
    context: bool = False  # teacher-forced after the span (scored, not generated)
    on_beat: bool = False
    # 1: the cadence option's dominant beat; 2: a tonic chord in root position (the cadence's
    # final tonic, or the first chord of a melody harmonized from its first note)
    cadence: int = 0
    approach: bool = False  # the last beat before kept music: new notes lead into it
    # steps to the kept music in a region's last bar (a tune's glide into it: SEAM_GLIDE)
    to_seam: int = 0
    # the tonic a region from the piece's first note opens on: its top voice on any of the
    # triad's notes (REGION_OPENS_ON_TONIC)
    opening: bool = False
    fermata: bool = False  # the score has a fermata here: the POS token says so (forced)
    # the score's phrase ends are known here (a region or a harmonized melody of a score with
    # fermatas): the fermata flag is forced plain where the score has none
    phrased: bool = False
    # pitch classes (normalized) the bass avoids here: with the harmonized melody they would
    # make a fifth or octave that the cadence chord's root coming next repeats
    bass_avoid: frozenset[int] = frozenset()
    # a harmonized melody's phrase close still sounding (its note held): the close's chord
    # stays (1: the dominant, 2: the tonic; _close_hold_mask)
    close_held: int = 0
    # the final cadence's key when a harmonized melody ends in another (minor, semitones from
    # the normalized tonic to its tonic); None: the piece's key
    close_key: tuple[bool, int] | None = None
    # inside the beat of a planned cadence's dominant that a planned tonic follows (after its
    # onset): that cadence's key (minor, semitones from the normalized tonic); None: not inside
    # (DOMINANT_BEAT_BASS)
    in_dominant: tuple[bool, int] | None = None
    # the beat before a harmonized melody's tonic close that no planned V prepares: the voices
    # below make that close's dominant in any inversion (melody_plan.approach_dominants), in
    # its key (minor, semitones from the normalized tonic)
    soft_dominant: tuple[bool, int] | None = None
    # a melody's strain close (STRAIN_CLOSE): 1 where it is drawn to the tonic, 2 where that
    # note is drawn to hold, 3 where a slow tune makes a close of its own (STRAIN_PACE)
    strain_close: int = 0


@dataclass
class _VoiceJob:
    plan: Plan
    prefix: list[int]
    frames: list[_Frame]
    n_context: int
    forks: dict[int, int]  # frame index -> candidates each row splits into there
    candidates: int  # per variation, all forks together
    pitch_ok: np.ndarray  # [voices, vocab size] allowed pitch tokens
    rewritten: list[bool]
    part_of: list[int]
    part_names: list[str | None]
    part_under: list[int | None]  # a new part: the part its staff stands just below
    shift: int
    step_ticks: int
    tonic_check: bool
    key: KeySignature | None
    kept_notes: list[Note] = field(default_factory=list)  # the score's notes kept (tonic check)
    start_pitch: list[int] = field(default_factory=list)  # per voice, sounding at the start
    beat_steps: int = 4
    seam_pitch: list[int] = field(default_factory=list)  # per voice: the kept note at the seam
    style_rules: bool = False
    # a chorale continued: the bar lines up to this frame (index; -1: none) each keep one of a
    # variation's candidates for the bar before (BAR_CANDIDATES)
    search_bars_to: int = -1
    history: list[list[int]] = field(default_factory=list)  # melody: its grid tokens so far
    restate_lags: tuple[int, ...] = ()  # melody: steps back to the bars a tune restates
    strain_from: int = 0  # melody: the step of the tune's first full bar (RESTATE_IN_STRAIN)
    first_onset: int = 0  # melody: the step of its first note (the rests before it are no music)
    triplets: bool = False  # melody: its sketch plays triplet eighths (SKETCH_TRIPLETS)
    # melody: the mean pitch of the sketch's notes in the tune's first strain (STRAIN_LIFT)
    first_strain_pitch: float | None = None
    # melody: the most notes of one length in a row it may strike (EVEN_RUN; 0: no limit)
    even_limit: int = 0
    # melody: the longest rest between the sketch's notes, in ticks (MELODY_REST_TICKS)
    sketch_rest: int = 0
    # melody: the places in the beat (steps from it) where the sketch strikes notes, whether
    # it ties an off-beat note over the next beat, and whether it ties a note struck after a
    # downbeat over the next bar line (SKETCH_RHYTHM; empty places: no rule)
    rhythm_places: frozenset[int] = frozenset()
    sketch_syncopates: bool = True
    sketch_ties_bars: bool = True
    # ... and the figures its beats strike: each beat's struck places as bits (FIGURE_COST)
    beat_figures: frozenset[int] = frozenset()
    figure_counts: dict = field(default_factory=dict)  # ... and how many beats strike each
    # the lower voices' rhythm: the same keys, pooled over the sketch's voices (LOWER_RHYTHM;
    # empty: no rule)
    lower_rhythm: dict = field(default_factory=dict)
    entry_pitch: list[int] = field(default_factory=list)  # continuation: each voice's last note
    pull: np.ndarray | None = None  # [voices, vocab size] register pull added to pitch logits
    # voices sampled but not written: a sketch thinner than the model (a melody continued by
    # the chorale model) is continued over the lower voices the model imagines under it
    hidden: list[bool] = field(default_factory=list)
    # the steps (from ``replaced_from``) where a note the span replaces sounded (a region's)
    replaced_sounding: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    # a region: the notes it replaces, (part, start, pitch) (DISTINCT_VARIATIONS)
    replaced_notes: frozenset = frozenset()
    replaced_from: int = 0
    # a church mode: pitch tokens of the family's degrees the mode alters, and of the mode's
    # own degrees that replace them (:func:`_mode_degrees`)
    mode_from: np.ndarray | None = None
    mode_to: np.ndarray | None = None
    last_fermata: int = -(10 ** 9)  # the step of the score's last fermata before the span
    # the positions in the bar (steps) where the score's fermatas before the span fall, in bars
    # as long as the span's (PHRASE_PLACES)
    fermata_places: frozenset[int] = frozenset()
    # the steps of a phrase on the grid the sketch's phrase ends keep (LAST_PHRASE_ON_GRID; 0
    # in bars without two strong beats, whose phrases are no whole number of long ones)
    phrase_unit: int = 0
    # the root (normalized pitch class) of the chord of the sketch's last phrase end (-1: none;
    # NO_REPEATED_PLAN)
    close_before: int = -1
    close_key: KeySignature | None = None  # the key the final cadence closes in (``key``)
    # the steps a chorale phrase's lengths count as a beat (PHRASE_BEAT_34; 0: ``beat_steps``)
    phrase_beat: int = 0
    # the steps of the sketch's own regular phrases shorter than a long one (SKETCH_PHRASES;
    # 0: none, Bach's lengths)
    sketch_phrase: int = 0
    # the phrase ends the model marks are written into the score as fermatas (a sketch that
    # marks none gets none: SKETCH_MARKS_ENDS)
    write_ends: bool = True
    # ... and those of a harmonized melody only where the melody marks its phrase ends with
    # fermatas (HARMONY_FERMATAS_FROM_MELODY)
    fermatas_written: bool = True
    # the closing chord's own fermata is not written: a harmonized melody marks one later under
    # its final note (struck again in its last bar, or held there; melody_final_step), and two
    # fermatas on one note are one too many (a listening review saw them on BWV 366's D5s);
    # where the melody strikes again there, the voices below do too
    final_unmarked: bool = False
    # the steps of a harmonized melody's phrase ends heard in its notes (MELODY_PHRASES), and
    # of its held notes that the score's fermatas lie over (HELD_FERMATAS): closed as fermatas
    # are, not written as fermatas
    heard_ends: frozenset[int] = frozenset()
    # melody: the pitch its last note returns to (phrase_grid.HOME_FINAL; -1: none), and the
    # step of the dominant's beat before it, from which its notes lie in reach of it
    home_final: int = -1
    home_from: int = 0
    # harmonizing a quick melody: the voices below strike only every this many steps, its beats
    # (QUICK_MELODY_CHORDS; 0: anywhere)
    lower_stride: int = 0
    # ... and, at each of those chords' steps, how much of its span the melody sounds a
    # second, a tritone or a seventh from each pitch class (normalized; QUICK_CLASH_COST)
    span_clash: dict[int, np.ndarray] = field(default_factory=dict)
    # per chord step below a quick melody, the lowest pitch (model) it sounds there
    # (tune_chords.span_floor)
    span_floor: dict[int, int] = field(default_factory=dict)
    # ... and the chord planned at each of those steps (TUNE_CHORDS): [12] nats charged to each
    # pitch class (normalized) in an inner voice, and in the bass, and the chord; not where a
    # close is planned
    span_chords: dict[int, tuple[np.ndarray, np.ndarray, tune_chords.TuneChord]] = field(
        default_factory=dict)
    # ... and [12] the pitch classes (normalized) the voices below may strike wherever no
    # cadence is planned: the key's and the tune's own (tune_chords.chord_pitch_classes),
    # which its planned closes keep to too; None: any
    tune_pcs: np.ndarray | None = None
    # per step a chord symbol stands over: the notes the voices below may strike or hold
    # there (given_chords.masks)
    given_masks: dict[int, given_chords.GivenMask] = field(default_factory=dict)
    # ... and between their beats, the notes the voices below may pass through
    # (given_chords.passing)
    given_passing: dict[int, np.ndarray] = field(default_factory=dict)
    # ... and on each beat a symbol stands over, what the top voice written pays for each
    # pitch class ([12] nats: those off the symbol's chord, given_chords.top_costs)
    top_symbols: dict[int, np.ndarray] = field(default_factory=dict)
    # a region of one hand of a keyboard part, or a keyboard's tune harmonized in its own
    # staves (KEYBOARD_HARMONY): each voice's hand (0 upper, 1 lower, None: either) and, per
    # step, the lowest model pitch of the upper staff there (clefs.upper_staff_from): a hand's
    # new notes keep to its side at each step (one constant for the region, the division at
    # its start, had let a nocturne's new tune take A4 where its file's left hand strikes A4,
    # and the note was engraved in the bass staff: a re-trial)
    hand_side: tuple[tuple[int | None, ...], dict[int, int]] | None = None
    # ... and elsewhere, a keyboard part planned by its hands: each voice's hand (VoicePlan.hands,
    # None: no hand), whose voices keep within a hand's reach (KEYBOARD_REACH)
    hand_reach: tuple[int | None, ...] | None = None
    # the highest pitch (model) the voices below a quick melody take at its final chord: its
    # lowest note from there on (-1: no bound; QUICK_FINAL_ARRIVAL)
    final_ceiling: int = -1
    # the voices the model hears and does not write (a harmonized melody), their notes sounding
    # in the span, one list each (the search's parallels: SEARCH_GIVEN)
    given_lines: list[list[Note]] = field(default_factory=list)
    # a keyboard's left hand played in its sketch's figure (figures.played; PIANO_FIGURES)
    figure: figures.FigurePlan | None = None
    # a keyboard's tune (its right hand, the top voice) rewritten: the onsets per step its
    # sketch strikes, which the new tune keeps near (TUNE_RATE_GAIN; 0: no rule)
    tune_rate: float = 0.0
    # ... and the mean pitch (the model's) its notes there sound, which the new tune's mean
    # keeps near (TOP_REGISTER_GAIN; 0: no rule)
    tune_centre: float = 0.0
    # a keyboard's given notes where its hands are written, (start, pitch) -> end: a new note
    # they cover, struck with one of them, is not written (KEYBOARD_UNISONS)
    given_keys: dict[tuple[int, int], int] = field(default_factory=dict)


class VoiceSampler:
    """Continues, infills and harmonizes scores with one voice-grid model."""

    max_prefill_bars = 64
    max_prefill_tokens = 1024

    def __init__(self, model: LoadedModel) -> None:
        if not isinstance(model.vocab, VoiceVocabulary):
            raise ValueError(f"{model.name} is not a voice-grid model")
        self.model = model
        self.vocab: VoiceVocabulary = model.vocab
        self.session = model.session
        self.output_names = list(model.output_names)
        self._state_names = state_names(model.layers)
        self._cache = _PrefillCache()
        self.warnings: list[str] = []
        self.plan: Plan | None = None
        self.search = SearchReport()
        # per variation, the onsets (score ticks) the model marked with a fermata in the span
        # it wrote: complete once the stream of the last call is exhausted
        self.fermatas: list[list[int]] = []
        # ... and where it marked its phrase ends, written as fermatas or not (SKETCH_MARKS_ENDS)
        self.phrase_ends: list[list[int]] = []

    @classmethod
    def load(cls, name_or_dir: str | os.PathLike) -> VoiceSampler:
        return cls(load_model(name_or_dir))

    # ----- public API ------------------------------------------------------------------------
    def stream(self, score: Score, request: GenerationRequest,
               cancel: threading.Event | None = None) -> Iterator[GeneratedNote]:
        """Yield each generated note (with its part) as soon as it is complete. Bad requests
        raise ValueError here, before anything runs."""
        request.validate()
        requests = _close_plan_groups(request)
        jobs = [self._prepare(score, r) for r in requests]  # (bad requests raise here)
        job = jobs[0]
        bounds = _key_sections(score, request, job.plan) if KEY_SECTIONS else []
        if bounds:
            self.plan = job.plan  # (the sections' keys said when they are written)
            self.warnings = list(self.plan.warnings)
            self.search = SearchReport(candidates=job.candidates, tonic_checked=job.tonic_check,
                                       context_frames=job.n_context)
            return self._sections(score, request, self.plan, bounds, cancel)
        self.plan = job.plan
        self.warnings = list(job.plan.warnings)
        self.search = SearchReport(candidates=job.candidates, tonic_checked=job.tonic_check,
                                   context_frames=job.n_context)
        self.fermatas = [[] for _ in range(request.variations)]
        self.phrase_ends = [[] for _ in range(request.variations)]
        if len(jobs) == 1:
            notes = self._run(job, request, cancel)
            notes = tune_rules.triplets_restored(notes) if job.triplets else notes
            return figures.played(notes, job.figure) if job.figure else notes
        return self._grouped(jobs, requests, cancel)

    def _grouped(self, jobs: list[_VoiceJob], requests: list[GenerationRequest],
                 cancel: threading.Event | None) -> Iterator[GeneratedNote]:
        """The variations of a request split into groups, each run as its own job, with its
        own plan of closes (:func:`_close_plan_groups`): their notes as one stream, numbered
        on, and their phrase ends where those variations' go."""
        fermatas, ends = self.fermatas, self.phrase_ends
        offset = 0
        for job, request in zip(jobs, requests, strict=True):
            self.fermatas = [[] for _ in range(request.variations)]
            self.phrase_ends = [[] for _ in range(request.variations)]
            notes = self._run(job, request, cancel)
            notes = tune_rules.triplets_restored(notes) if job.triplets else notes
            for g in figures.played(notes, job.figure) if job.figure else notes:
                yield replace(g, variation=g.variation + offset)
            fermatas[offset:offset + request.variations] = self.fermatas
            ends[offset:offset + request.variations] = self.phrase_ends
            offset += request.variations
            self.fermatas, self.phrase_ends = fermatas, ends
        self.search.groups = offset

    def _sections(self, score: Score, request: GenerationRequest, whole: Plan,
                  bounds: list[int], cancel: threading.Event | None
                  ) -> Iterator[GeneratedNote]:
        """A span that crosses key signature changes, written one section after another,
        each in its own key (:data:`KEY_SECTIONS`): each variation's first section as a region,
        then the next on what it wrote, heard as the music before it, into the same parts."""
        keys: list[KeySignature | None] = []
        fermatas = [[] for _ in range(request.variations)]
        ends = [[] for _ in range(request.variations)]
        first_parts: list[int] = []  # the parts the first section wrote, voice by voice
        for var in range(request.variations):
            current, made = score, []
            names: dict[int, tuple[str | None, int | None]] = {}  # new parts: name, under
            for i, (a, b) in enumerate(itertools.pairwise(bounds)):
                part_req = replace(
                    request, start_tick=a, end_tick=b, variations=1, key_section=i > 0,
                    seed=None if request.seed is None else int(request.seed) + 104729 * var)
                if i and request.harmonize:  # (into the parts the first section wrote)
                    part_req = replace(part_req, harmony_parts=tuple(first_parts[1:]),
                                       harmony_kept=request.harmony_kept)
                job = self._prepare(current, part_req)
                if i == 0:
                    first_parts = list(job.part_of)
                self.fermatas, self.phrase_ends = [[]], [[]]
                notes = list(self._run(job, part_req, cancel))
                if cancel is not None and cancel.is_set():
                    break
                for g in notes:
                    if g.part is not None and g.part_name is not None:
                        names.setdefault(g.part, (g.part_name, g.part_under))
                    name, under = names.get(g.part, (g.part_name, g.part_under)) \
                        if g.part is not None else (None, None)
                    made.append(replace(g, variation=var, part_name=name, part_under=under))
                    yield made[-1]
                fermatas[var] += self.fermatas[0]
                ends[var] += self.phrase_ends[0]
                if var == 0:
                    keys.append(job.plan.key)
                # (the next section hears this one's notes in their parts, new ones appended
                # in the stream's numbering)
                removed, added, new_names, _ = kept_diff(score, made, bounds[0], b, whole.parts,
                                                         whole.hand)
                current = apply_note_diff(score, removed, added, names=new_names)
        self.fermatas, self.phrase_ends = fermatas, ends
        said = _SECTIONS_SAID + " (" + ", then ".join(str(k) for k in keys if k) + ")"
        self.plan = replace(whole, warnings=(*whole.warnings, said))
        self.warnings = list(self.plan.warnings)

    def generate(self, score: Score, request: GenerationRequest,
                 cancel: threading.Event | None = None) -> list[Score]:
        """One Score per variation, kept by music.edits' rule (each note into its part), with
        the fermatas the model marked."""
        notes: list[list[GeneratedNote]] = [[] for _ in range(request.variations)]
        for g in self.stream(score, request, cancel):
            notes[g.variation].append(g)
        plan = self.plan
        assert plan is not None
        return [labelled(score, apply_generated(score, ns, plan.start_tick, plan.end_tick,
                                                plan.parts, fs, plan.hand),
                         plan.start_tick, plan.end_tick, plan.key)
                for ns, fs in zip(notes, self.fermatas, strict=True)]

    @staticmethod
    def _passing(g: GeneratedNote, r: int, i: int, job: _VoiceJob, at_beat: np.ndarray,
                 at_half: np.ndarray, cur: np.ndarray, skip: bool, minor: bool,
                 rng: np.random.Generator, v: VoiceVocabulary,
                 close: bool = False, seventh_only: bool = False,
                 sounded: np.ndarray | None = None) -> list[GeneratedNote]:
        """A quarter note of voice ``i`` that moves a third to the next beat: split into two
        eighths, the second the passing note between, as often as Bach fills such a third in
        that voice (:data:`PASSING_SHARE`) and where no rule forbids it (:func:`_passing_pitch`,
        :func:`_passing_clear`); ``at_half`` is updated with the note written. ``skip``: a
        voice struck between the beats, or the beat held a fermata. ``close``: the next beat
        ends a phrase, where a dominant's leading tone falling a third is not filled
        (LEADING_UNFILLED). ``seventh_only``: the beat's chord stands (a close's, a planned
        dominant's), and only a dominant's root falling a third through its seventh is filled
        (SEVENTH_FROM_DOMINANT). ``sounded``: what sounded on the beat where it differs from
        ``at_beat`` (a suspension's held note, SUSPENSIONS)."""
        n = len(job.rewritten)
        share = PASSING_SHARE[min(n - 1 - i, len(PASSING_SHARE) - 1)]
        a, c = g.note.pitch + job.shift, int(cur[r, i])
        if skip or rng.random() >= share:
            return [g]
        root = int(DOMINANT_ROOT[pitch_class_bits(at_beat[r:r + 1])[0]])  # the beat's V
        if close and LEADING_UNFILLED and c < a and root >= 0 and a % 12 == (root + 4) % 12:
            return [g]
        p = _passing_pitch(a, c, minor)
        # V-V7-I: where the chord stands, only its root passes through the seventh
        if seventh_only and (root < 0 or c > a or a % 12 != root or p is None
                             or p % 12 != (root + 10) % 12):
            return [g]

        def allowed(x: int) -> bool:  # the voice's pitch mask (its range; a mode's or lock's notes)
            t = v.pitch_offset + x - v.min_pitch
            return v.pitch_offset <= t < job.pitch_ok.shape[1] and bool(job.pitch_ok[i, t])

        if p is not None and not allowed(p):  # a church mode's own degree (D Dorian's B)
            alt = [q for q in (p - 1, p + 1) if allowed(q) and 1 <= abs(q - a) <= 2
                   and 1 <= abs(c - q) <= 2]
            p = alt[0] if PASSING_IN_MODE and len(alt) == 1 else None
        heard = at_beat if sounded is None else sounded
        if p is None or not _passing_clear(i, p, a, c, heard[r], at_half[r], cur[r],
                                           LEADING_TONE[minor], minor):
            return [g]
        at_half[r, i] = p
        half = g.note.duration // 2
        first = replace(g.note, duration=half)
        second = replace(g.note, start=g.note.start + half, pitch=p - job.shift,
                         duration=g.note.duration - half)
        return [replace(g, note=first), replace(g, note=second)]

    # ----- preparation -----------------------------------------------------------------------
    def _prepare(self, score: Score, request: GenerationRequest) -> _VoiceJob:
        v = self.vocab
        n = len(v.voices)
        step = v.step_ticks
        warnings: list[str] = []
        up = lambda t: -(-t // step) * step  # noqa: E731

        if request.max_polyphony is not None and request.max_polyphony < n:
            # (an event-stream model's limit: a fuzz run found it silently ignored)
            warnings.append(f"at most {request.max_polyphony} note(s) at once is not applied: "
                            f"{self.model.name} writes its {n} voices (--parts chooses which)")
        if any(p.is_drum and p.notes for p in score.parts) and \
                not any(p.notes for p in score.parts if not p.is_drum):
            # (a fuzz run: new parts appeared beside a drum track, and nothing said why)
            warnings.append(f"the sketch holds drums only, which {self.model.name} does not "
                            "hear: it writes its own part(s) from nothing, beside them")
        # which part is which voice, and which voices are written
        hidden = [False] * n
        hand = request.hand
        if request.harmonize:
            vplan, rewritten, start, stop = self._harmonize_plan(score, request, warnings)
            # (a keyboard's tune harmonized in its own part: only its lower staff's notes in
            # the span are replaced, by the tenor and bass; KEYBOARD_HARMONY)
            hand = 1 if vplan.hands and len(set(vplan.parts)) == 1 else None
            region_end = stop
        else:
            vplan = vx.plan_voices(score, v.voices)
            warnings += vplan.messages
            if request.parts is not None:
                bad = [p for p in request.parts if p >= len(score.parts)
                       or score.parts[p].is_drum]
                if bad:
                    raise ValueError(f"the score has no pitched part {bad[0] + 1} to rewrite")
                rewritten = [vplan.parts[i] in request.parts for i in range(n)]
                if not any(rewritten):
                    raise ValueError("none of the parts asked for is one of the model's voices")
                if hand is not None and any(vplan.hands[i] is not None and rewritten[i]
                                            for i in range(n)):
                    # (one hand of a keyboard planned by its hands: its voices only)
                    rewritten = [r and vplan.hands[i] == hand for i, r in enumerate(rewritten)]
                    if not any(rewritten):
                        raise ValueError(
                            f"{self.model.name} writes one line, the right hand's: it cannot "
                            "rewrite the left hand (a model of voices, bach-chorales, can)")
                else:
                    hand = None  # (the part is one line, or one hand: all of it)
                if figures.inner_voices_heard(score, vplan, rewritten, up(request.start_tick
                                                                          or 0)):
                    # (a left hand's figure: the voices between the hands sampled for its
                    # chords, as in a continuation; heard as rests, a region's Alberti bass
                    # had struck one note four times over a bare bass: a review)
                    hidden = [p < 0 for p in vplan.parts]
                    rewritten = [r or h for r, h in zip(rewritten, hidden, strict=True)]
            elif any(p >= 0 for p in vplan.parts) and any(p < 0 for p in vplan.parts):
                # a sketch thinner than the model (a melody given to the chorale model): the
                # model writes its parts, in their register, over the other voices sampled and
                # not written (with them silent it heard no chorale: a listening review found
                # a hymn tune continued in sixteenth-note stutters); Harmonize writes them
                rewritten = [True] * n
                hidden = [p < 0 for p in vplan.parts]
                missing = [v.voices[i].lower() for i in range(n) if hidden[i]]
                warnings.append(f"{THIN_SAID}{', '.join(missing)}: the model continues "
                                "its own part(s) only (Harmonize writes the other voices)")
            else:
                rewritten = [True] * n
            if request.is_region:
                start, stop = up(request.start_tick), _region_stop(score, request, step)
                if start >= score.end_tick:
                    raise ValueError("the region lies after the end of the score")
                if stop <= start:
                    raise ValueError("the region is shorter than one grid step")
                region_end = stop
            else:
                start = up(score.continue_tick if request.start_tick is None
                           else request.start_tick)
                region_end = None
                if n > 2 and not rewritten[0] and vplan.parts[0] >= 0 and \
                        not any(x.end > start for x in vplan.notes[0]):
                    # (the voices below follow the top one, which falls silent here: they
                    # rested, and nothing was written; a fuzz run)
                    raise ValueError(
                        f"the parts asked for are continued under the melody (part "
                        f"{vplan.parts[0] + 1}), which has no notes from there on: continue "
                        "it too, or rewrite those parts in a region of the score")
        thin = any(hidden)
        part_of = list(vplan.parts)
        new_index = len(score.parts)
        part_names: list[str | None] = [None] * n
        part_under: list[int | None] = [None] * n
        for i in range(n):
            if part_of[i] < 0:
                part_of[i], part_names[i] = new_index, v.voices[i]
                new_index += 1
                # its staff stands just below the voice above's (the melody's, or the alto's
                # new one): above a kept bass line, not after it
                part_under[i] = part_of[i - 1] if i else None
        # the parts whose notes are replaced: all of them (None) where the model writes every
        # voice; else its own voices' parts. Parts only heard in a voice (joined to it by range:
        # a folk model's one line over a chorale's four parts) keep their notes in a region,
        # and the parts asked for (``parts``) are the only ones replaced
        joined = {i for i, p in enumerate(score.parts) if not p.is_drum and p.notes} - \
            set(part_of)
        whole = all(rewritten) and not request.harmonize and not thin and \
            request.parts is None and not (request.is_region and joined)
        parts = None if whole else tuple(sorted(
            {part_of[i] for i in range(n) if rewritten[i] and part_of[i] < len(score.parts)}))
        if region_end is None:
            # laid out in the meters of what comes before (not those of the music it replaces)
            score = continuation_frame(score, start, parts)
            bar = score.bar_at(start)
            first_line = start if score.bar_start(bar) == start else score.bar_start(bar + 1)
            stop = score.bar_start(score.bar_at(first_line) + request.bars)
        # what sounds across the span's edges is cut there (Keep and the command line cut it
        # the same way, music.edits.kept_diff): the voice is free from ``start`` on
        edges = (start,) if region_end is None else (start, region_end)
        score = split_parts(score, edges, parts, hand)
        replaced = set(region_notes(score, start, region_end, parts, hand))
        base = [(i, x) for i, p in enumerate(score.parts) if not p.is_drum for x in p.notes
                if (i, x) not in replaced]
        base_notes = [x for _, x in base]
        # a continuation ends the piece unless kept music follows (it replaces the rest:
        # ``--from-bar`` too); a region leads into the bars after it
        runs_on = any(x.start >= start for x in base_notes)
        end = _ending(request, region_end is not None, runs_on)
        if region_end is None and end == "cadence" and not runs_on:
            # a piece that opens with an upbeat ends with a bar short by it, as it is
            # written (a 1-beat pickup in 3/4: a 2-beat last bar), when this span ends it
            cut = _upbeat_cut(score, stop, step)
            if FINAL_ON_PHRASE_GRID and request.style_rules and n > 2 and \
                    _upbeat_kept(score, start, stop, cut):
                cut = 0
            stop -= cut

        # key: the normalizing key, and the lock when asked for
        wanted = request.key_signature()
        if isinstance(wanted, KeySignature):
            key = wanted
        else:
            key = key_heard(score, start, base_notes)
        if key is None and not base_notes:
            # nothing to hear a key in (a blank document): the key the model writes in, C
            # major, so that the cadence option and the rules that need a key apply (without
            # one, a chorale from nothing closed on a passing bass eighth, no final chord)
            key = KeySignature(0, 0)
        # a church mode is kept by its notes (KeySignature.scale_pcs), locked or not: the model
        # knows major and minor only, and would write G Mixolydian with G major's F#
        lock = key is not None and (wanted is not None or key.quality != key.mode)
        shift = vx.normalizing_shift(key)
        # the pitch classes the lock (or a church mode) leaves the voices: a minor key's raised
        # sixth and seventh too
        pcs = None
        if lock:
            pcs = set(key.scale_pcs())
            if key.mode == "minor":
                pcs |= {(key.tonic_pc + 9) % 12, (key.tonic_pc + 11) % 12}
            elif key.quality == "minor" and (n == 1 or request.harmonize):
                # (a minor church mode; a melody harmonized: its own notes, wherever they lie)
                pcs -= _unborrowed_leading_tone(
                    key, base_notes, stop if request.harmonize else start)
        mode = key.quality if key is not None else "major"
        said = given_chords.closing_symbol(score.chord_symbols, start, stop, key.tonic_pc) \
            if region_end is None and end == "cadence" and not runs_on and key is not None \
            and given_chords.FOLLOW and request.chord_symbols and request.style_rules else None
        if said is not None:  # (the symbols typed ahead close off the tonic: they decide)
            end = "free"
            warnings.append(f"the last chord symbol over the new bars, {said}, is not on the "
                            "tonic: the continuation ends on it, with no cadence")

        # a left hand's figure played on (figures.py): the model hears its chords held
        figure = None if request.harmonize else figures.plan_figure(
            score, vplan, rewritten, hidden, start, stop, score.time_signature_at(start).beat_ticks,
            closes=end == "cadence" and region_end is None and not runs_on)
        heard = list(vplan.notes) if figure is None else figures.held_chords(
            vplan.notes, figure)
        # the lanes without what is replaced
        lanes = [[x for x in (split_across(heard[i], edges) if rewritten[i]
                              else heard[i])
                  if not (rewritten[i] and x.start >= start
                          and (region_end is None or x.start < region_end))] for i in range(n)]

        # how far the kept music after the span is heard (a region's right side)
        after = [x for x in base_notes if x.end > stop]
        n_ctx_end = stop
        if region_end is not None and after and all(p < len(score.parts) for p in part_of):
            ctx_bar = score.bar_at(stop) + limits.VOICE_CONTEXT_BARS
            n_ctx_end = min(score.bar_start(ctx_bar), up(max(x.end for x in base_notes)))
            n_ctx_end = max(n_ctx_end, stop)
        ends_piece = not any(x.start >= stop for x in base_notes)

        horizon = max(n_ctx_end, stop)
        grid = vx.voice_grid(lanes, shift, v, horizon, warnings)
        # the bar lines the model hears (a bar longer than its longest split in parts), the
        # first one at or after the horizon included
        lines = v.bar_lines(score, score.bar_end(score.bar_at(horizon)))
        bar_ticks = [t for t in lines if t < horizon]
        bar_ticks.append(next(t for t in lines if t >= horizon) if lines[-1] >= horizon
                         else score.bar_end(score.bar_at(horizon)))
        bar_steps = [b // step for b in bar_ticks]
        if end == "cadence":
            last = max(stop, score.end_tick if not ends_piece else stop) - 1
            total = len(v.bar_lines(score, last))
        else:
            total = None

        def bar_token(b: int) -> int:
            return v.bar_id(total - b if total is not None else v.max_bars_left)

        def where(s: int) -> tuple[int, int]:
            b = bisect.bisect_right(bar_steps, s) - 1
            pos = s - bar_steps[b]
            if pos >= v.max_bar_steps:
                bar = score.bar_number(score.bar_at(bar_steps[b] * step))
                raise ValueError(f"bar {bar} is longer than the model's longest "
                                 f"bar ({v.max_bar_steps} sixteenths)")
            return b, pos

        ts = score.time_signature_at(start)
        if v.nearest_meter(ts) != f"{ts.numerator}/{ts.denominator}":
            split = ts.bar_ticks // step // v.part_steps(ts.bar_ticks // step)
            warnings.append(f"the model knows no {ts.numerator}/{ts.denominator}; it hears "
                            + (f"each bar as {split} bars of " if split > 1 else "")
                            + v.nearest_meter(ts))

        # prefix: from a bar line early enough to fit the budget
        start_step, stop_step, ctx_step = start // step, stop // step, horizon // step
        b_start = where(start_step)[0] if start_step else 0
        per_bar = 1 + (score.time_signature_at(start).bar_ticks // step) * (1 + n)
        first_bar = max(0, b_start - self.max_prefill_bars + 1,
                        b_start - max(0, (self.max_prefill_tokens - 3) // per_bar - 1))
        if first_bar:
            warnings.append(f"the model hears only the last {b_start - first_bar + 1} bars of "
                            "the sketch")
        ts0 = v.nearest_meter(score.time_signature_at(bar_ticks[first_bar]))
        prefix = [BOS, v.mode_id(mode), v.ts_id(ts0)]
        # the score's fermatas (a chorale's phrase ends), as the model learned them; those of
        # the music a continuation replaces go with it (a review heard Bach's phrase ends forced
        # onto the model's chords after --from-bar, two fermatas in a bar). A tune model
        # learned none (corpora.MELODY_FERMATAS)
        fermata_steps = {round(t / step) for t in score.fermatas
                         if (t < start or region_end is not None or runs_on) and n > 1}
        # (a fermata over a held melody note: at the note, HELD_FERMATAS; the score keeps its
        # own, so the step it moves to is not marked again)
        moved = {round(_held_fermata(t * step, request, vplan, rewritten) / step)
                 for t in fermata_steps}
        held, fermata_steps = moved - fermata_steps, moved
        # a melody harmonized in a score that marks no phrase end is phrased by its notes
        # (music.phrases: long notes, rests, the next phrase's upbeat): the plan cadences there
        # as at a chorale's fermatas, which are not written (MELODY_PHRASES)
        heard_ends = _heard_phrase_ends(score, request, vplan, rewritten, step) \
            if MELODY_PHRASES and request.style_rules and n > 2 else frozenset()
        given_fermatas = set(fermata_steps)
        fermata_steps |= heard_ends
        for s in range(bar_steps[first_bar] if start_step else 0, start_step):
            b, pos = where(s)
            if pos == 0:
                prefix.append(bar_token(b))
            prefix.append(v.pos_id(pos, s in fermata_steps))
            prefix += [lane[s] for lane in grid]

        # the frames
        frames: list[_Frame] = []
        beat = max(1, ts.beat_ticks // step)
        last_bar_step = bar_steps[where(stop_step - 1)[0]]
        # the sketch's last phrase end (a chorale continued after it: the closing chord fits
        # the grid of its phrases)
        first_tick = min((nt.start for nt in score.notes), default=None)  # (None: no notes)
        sketch_end = max((f for f in given_fermatas if f < start_step), default=None)
        if sketch_end is None and SKETCH_END_HEARD and n > 2 and request.style_rules and \
                region_end is None and not request.harmonize and not score.fermatas:
            # a sketch that marks no phrase end but ends on a held note closes a phrase there
            sketch_end = phrase_grid.held_end(vplan.notes[0], start, ts.beat_ticks, step)
            if sketch_end is None and SKETCH_END_AT_BAR_LINE and first_tick is not None \
                    and first_tick < start and \
                    start == score.bar_start(score.bar_at(start)):
                sketch_end = start_step  # (the sketch's phrase closed at its last bar line)
        grid_from = sketch_end if FINAL_ON_PHRASE_GRID and request.style_rules and n > 2 \
            else None
        phrase_beat = beat * 3 // 2 if PHRASE_BEAT_34 and n > 2 and \
            ts.bar_ticks == 3 * ts.beat_ticks and beat % 2 == 0 else 0
        # a continuation keeps the sketch's own shorter phrases (SKETCH_PHRASES)
        own_phrase = phrase_grid.sketch_phrase(
            given_fermatas, (first_tick or 0) // step,
            start_step, ts.bar_ticks // step, MIN_LAST_PHRASE_BEATS * beat,
            phrase_grid.LONG_PHRASE_BEATS * (phrase_beat or beat)) \
            if SKETCH_PHRASES and grid_from is not None and region_end is None and \
            not request.harmonize else 0
        if n == 1:  # a tune: a figure, then the tonic on the last beat
            last_beat = _line_final_step(last_bar_step, stop_step, beat,
                                         ts.bar_ticks // ts.beat_ticks,
                                         ts.beat_ticks != 4 * TPQ // ts.denominator)
        elif own_phrase:
            last_beat = _final_chord_step(last_bar_step, stop_step, beat, grid_from, own_phrase,
                                          grid_from - bar_steps[where(grid_from)[0]])
        else:
            last_beat = _final_chord_step(last_bar_step, stop_step, beat, grid_from,
                                          phrase_grid.LONG_PHRASE_BEATS * beat)
        last_beat = max(start_step, last_beat)
        melody = harmonized_melody(request, grid, rewritten, key, v)
        minor = key is not None and key.quality == "minor"
        last_beat = melody_final_step(melody, last_bar_step, stop_step, last_beat)
        # ... or with its arrival, where quicker notes run on after it (PICKUP_AFTER_ARRIVAL)
        arrival = pickup_arrival(melody, last_bar_step, stop_step, beat, minor) \
            if end == "cadence" and ends_piece else None
        last_beat = last_beat if arrival is None else arrival
        # a quick melody's chords below it (QUICK_MELODY_CHORDS), its final chord on the beat
        # its last note sounds in, not on that note when it comes off the beat (a second
        # listening review heard V on a reel's last beat and I only on its last eighth)
        stride = tune_chords.chord_stride(
            melody, start_step, stop_step, beat, min(beat, TPQ // step), ts.bar_ticks // step,
            tune_chords.TRIPLE_DANCE_CHORDS and not score.fermatas and request.style_rules
        ) if tune_chords.QUICK_MELODY_CHORDS else 0
        final_note = last_beat  # (the close is the one the last note asks for)
        if stride:
            bar_at = bar_steps[where(last_beat)[0]]
            last_beat = max(start_step, bar_at + (last_beat - bar_at) // stride * stride)
        tonic_check = end == "cadence" and ends_piece and key is not None
        opening = opening_tonic(melody, start_step, stop_step, minor,
                                section=request.key_section)
        if REGION_OPENS_ON_TONIC and opening < 0 and melody is None and region_end is not None \
                and n > 2 and request.style_rules and key is not None and all(rewritten) \
                and first_tick is not None and start <= first_tick:
            # (a region from the piece's first note opens on the tonic, as Bach's chorales do)
            opening = round(first_tick / step)
        # (the keys some phrase closes are planned in, drawn per request: BACH_CLOSES)
        close_keys: dict[int, tuple[bool, int]] = {}
        plan_rng = np.random.default_rng(None if request.seed is None
                                         else (int(request.seed), 3))
        # (under the lock, only closes whose chords keep to its notes: CLOSES_IN_LOCK)
        lock_bits = None if pcs is None or not CLOSES_IN_LOCK else \
            sum(1 << ((pc + shift) % 12) for pc in pcs)
        if stride and melody is not None and tune_chords.TUNE_CHORDS and request.style_rules:
            # (a quick tune's closes too keep to its notes and the key's, as its chords do: no
            # V/V's sharp under a reel that never sings it)
            lock_bits = sum(1 << pc for pc in tune_chords.chord_pitch_classes(
                melody, minor, set(range(12)) if lock_bits is None else
                {pc for pc in range(12) if lock_bits >> pc & 1}))
        # (a region that kept music follows has no final cadence: its last bar's phrase ends
        # close as the others do, REGION_LAST_BAR_CLOSES)
        closes = plan_phrase_closes(melody, fermata_steps, start_step,
                                    stop_step if REGION_LAST_BAR_CLOSES and not ends_piece
                                    else last_bar_step, bar_steps,
                                    beat, minor, plan_rng if request.style_rules else None,
                                    close_keys, lock_bits)
        if REGION_CLOSES_KEPT and region_end is not None and melody is None and n > 2 and \
                request.style_rules:
            # a region rewritten in every voice keeps the V-I of the phrase ends in it
            notes_then = [x for p in score.parts if not p.is_drum for x in p.notes]
            for f in sorted(fermata_steps):
                # (a close whose tonic the kept music after the region strikes: its dominant
                # is the region's last beat, KEPT_CLOSE_PREPARED)
                after = KEPT_CLOSE_PREPARED and f == stop_step and f - beat >= start_step
                if not (start_step < f < stop_step or after) or f in closes:
                    continue
                kept = _kept_close(notes_then, f * step, beat * step, shift)
                if kept is not None and (lock_bits is None or key_fits(lock_bits, kept)):
                    if not after:
                        closes[f], close_keys[f] = 2, kept
                    if f - beat >= start_step:
                        closes[f - beat], close_keys[f - beat] = 1, kept
                elif kept is None and not after and REGION_HALF_CLOSES_KEPT and \
                        _kept_half_close(notes_then, f * step, shift, minor):
                    closes[f] = 1  # (the half close the music replaced came to: V)
        # the score's chord symbols, where they stand over the span, are the harmony: the
        # voices below keep to them, and the closes planned there give way (given_chords)
        symbols = score.chord_symbols if region_end is not None or runs_on or \
            not SYMBOLS_END_WITH_SKETCH else tuple(x for x in score.chord_symbols
                                                   if x.tick >= start)
        # (each symbol's chord on the steps it stands over: the voices below keep to them, and a
        # top voice written under them leans to them, given_chords.top_costs)
        symbol_chords = given_chords.plan(symbols, start_step, stop_step, step, shift, beat,
                                          where, None if melody is None else
                                          lambda a, b: melody.sung(a, b, beat)) \
            if given_chords.FOLLOW and request.chord_symbols and request.style_rules else {}
        given = symbol_chords if n > 2 else {}
        if given:
            # (the final chord is struck where the last symbol changes, if that comes later:
            # "C | G7 C" under a held tonic)
            last_beat = max([last_beat] + [round(x.tick / step) for x in symbols
                                           if start_step <= x.tick / step < stop_step])
            closes = {s: c for s, c in closes.items() if s not in given}
            close_keys = {s: c for s, c in close_keys.items() if s not in given}
            if opening in given:
                opening = -1
        # a melody being harmonized that ends off the tonic triad (a first phrase ending on the
        # second degree) closes on the dominant, not under a forced tonic: a half cadence
        close = melody_close(melody, final_note, minor) if tonic_check else 2
        # ... and one that ends off both (a chorale tune that ends in the key of its dominant)
        # closes V-I in the key of its last note
        close_key = None
        if tonic_check and close == 0 and CLOSE_IN_LAST_KEY:
            close_key = closing_key(melody, final_note, bar_steps, beat)
            if close_key is not None and lock_bits is not None and \
                    not key_fits(lock_bits, close_key):
                close_key = None
            close = 2 if close_key is not None else 0
        if last_beat in given:  # (the symbols end it: "F | C" plagally, "D7" on V)
            close, close_key = 0, None
        if stride and tune_chords.QUICK_FINAL_ARRIVAL and tonic_check and close == 2 \
                and close_key is None:
            last_beat = max(start_step, tonic_arrival(melody, last_beat,
                                                      bar_steps[where(last_beat)[0]], stride,
                                                      minor))
        # (a quick melody's closing fermata stands over its last note, not over the final
        # chord's beat that its eighths run on through: QUICK_FINAL_ARRIVAL)
        last_attack = max((a for a in melody.attacks if a < stop_step), default=last_beat) \
            if stride else last_beat
        fermata_step = last_attack if tune_chords.QUICK_FINAL_ARRIVAL and last_attack > last_beat \
            else last_beat
        if arrival is not None:  # (the fermata over the arrival, the pickup after it)
            fermata_step = arrival
        # ... and the final chord, struck before the melody's last notes, lies under all of
        # them (a review heard the alto hold F#4 over a polka's closing D4): the lowest
        # melody pitch from the final chord on (a model pitch; -1: no bound)
        final_ceiling = min((melody.lane[a] - v.pitch_offset + v.min_pitch
                             for a in melody.attacks if last_beat <= a < stop_step),
                            default=-1) if (stride and tune_chords.QUICK_FINAL_ARRIVAL) or \
            arrival is not None else -1
        ending = tonic_check  # the last beat is held
        final_unmarked = melody is not None and ending and any(
            last_beat < f < stop_step for f in given_fermatas)
        tonic_check = tonic_check and close == 2
        rules_on = bool(request.style_rules) and n >= 3
        avoid = bass_to_avoid(melody, closes, opening, close if ending else 0, last_beat, beat,
                            minor, close_key, close_keys) if rules_on else {}
        held_closes = held_close_steps(melody, closes) if rules_on and CLOSES_HELD else {}
        soft = approach_dominants(melody, closes, start_step, beat, minor, close_keys,
                                  lock_bits) if rules_on else {}
        # ... and the key of each close away while the melody holds its note (held_close_steps
        # maps each held step to the close's step, given the steps as their own values)
        held_keys = {t: close_keys[c] for t, c in held_close_steps(
            melody, {c: c for c in close_keys}).items()} if held_closes else {}
        first_full = phrase_grid.first_full_bar(score)  # where a tune's strains count from
        # a tune that runs as a dance does closes its strains and lifts the next (STRAIN_PACE)
        dance = n == 1 and (not tune_rules.STRAIN_PACE or phrase_grid.running_tune(score, start))
        strains = phrase_grid.strain_close_steps(
            bar_steps, first_full, start_step, last_bar_step, beat,
            ts.bar_ticks // ts.beat_ticks, max(1, TPQ // step), free=not dance) \
            if tune_rules.STRAIN_CLOSE and n == 1 and region_end is None else {}
        for s in range(start_step, ctx_step):
            b, pos = where(s)
            context = s >= stop_step
            forced: list[int | None] = []
            for i in range(n):
                tok = grid[i][s]
                if context or not rewritten[i] or tok == HOLD:
                    forced.append(tok)
                else:
                    forced.append(None)
            final = 0
            cadence = 0
            local = None
            opens = False
            if ending and not context and s >= last_beat:
                final = 1 if s == last_beat else 2
                cadence = close if s == last_beat else 0
                local = close_key if s == last_beat else None
            elif tonic_check and not context and s == last_beat - beat and s >= start_step \
                    and not (close_key is None and dominant_freed(melody, s, beat, minor)):
                cadence = 1
                local = close_key
            elif s == opening:
                cadence = 2
                opens = melody is None
            elif s in closes:
                cadence = closes[s]
                local = close_keys.get(s)
            if s in held_keys and not cadence:  # a close's chord held, in its key
                local = held_keys[s]
            approach = region_end is not None and not context and s >= stop_step - beat
            to_seam = stop_step - s if region_end is not None and not context and \
                stop_step - s <= max(ts.bar_ticks // step, beat) else 0
            # a chorale's closing chord is held under a fermata, as each of Bach's is
            fermata = s in fermata_steps or (
                rules_on and ending and not context and s == fermata_step)
            frames.append(_Frame(s, bar_token(b) if pos == 0 else None, pos, forced, final,
                                 context, on_beat=pos % max(1, beat) == 0, cadence=cadence,
                                 approach=approach, to_seam=to_seam, opening=opens,
                                 fermata=fermata,
                                 bass_avoid=avoid.get(s, frozenset()),
                                 close_held=held_closes.get(s, 0), close_key=local,
                                 strain_close=strains.get(s, 0),
                                 soft_dominant=None if cadence else soft.get(s)))
        # a region rewritten, or a melody harmonized under the phrase ends it marks: the
        # model adds no fermata of its own (PHRASES_FROM_SCORE)
        if PHRASES_FROM_SCORE and (region_end is not None
                                   or (request.harmonize and fermata_steps)):
            frames = [replace(f, phrased=True) for f in frames]
        if rules_on and DOMINANT_BEAT_BASS:
            frames = _mark_dominant_beats(frames, beat, minor)
        n_span = stop_step - start_step
        if n_span <= 0:
            raise ValueError("nothing to generate: the span is empty")

        # search: where and how wide
        # (a whole region or harmonization is searched from its start; when it ends the piece,
        # each of its candidates splits again at the last bar for the ending)
        k = request.variations
        forks: dict[int, int] = {}
        bar_search = False
        if n_ctx_end > stop or request.harmonize or region_end is not None:
            forks[0] = max(1, min(limits.VOICE_CANDIDATES, MAX_ROWS // k))
        elif rules_on and n > 2 and BAR_CANDIDATES > 1 and not any(hidden):
            # a chorale continued (not a melody over voices heard and not written): bar by bar
            forks[0] = max(1, min(BAR_CANDIDATES, MAX_ROWS // k))
            bar_search = True
        if tonic_check:
            # the fork sits at the bar line before the dominant, so every candidate gets its own
            last = max(0, bar_steps[where(max(start_step, last_beat - beat))[0]] - start_step)
            width = k * forks.get(0, 1)
            ending = max(1, min(limits.VOICE_ENDING_CANDIDATES // forks.get(0, 1),
                                MAX_ROWS // width))
            if last in forks:
                forks[last] *= ending
            elif ending > 1:
                forks[last] = ending
        forks = {f: c for f, c in forks.items() if c > 1}
        # the last bar line a continuation's bar search keeps a candidate at (frame index)
        search_bars_to = -1
        if bar_search and 0 in forks:
            search_bars_to = last if tonic_check else n_span
        m = int(np.prod(list(forks.values()))) if forks else 1

        if pcs is not None and given:  # (the lock keeps the symbols' notes too: "E" in C)
            pcs = pcs | {(pc - shift) % 12 for pc in given_chords.pitch_classes(given)}
        # pitch masks per voice
        pitch_ok = np.zeros((n, v.size), bool)
        pull = np.zeros((n, v.size), np.float32)
        model_pitches = np.arange(v.min_pitch, v.max_pitch + 1)
        score_pitches = model_pitches - shift
        # a given melody that lies low (LOW_MELODY) leaves the voices under it Bach's floors
        # no room: their ranges reach LOW_MELODY_ROOM lower and the floors cost nothing
        low_top = n > 1 and not rewritten[0] and _lies_low([x.pitch for x in vplan.notes[0]])
        for i, name in enumerate(v.voices):
            choir = VOICE_RANGES.get(name.lower()[:4])
            if choir is not None and low_top and i:
                choir = (choir[0] - LOW_MELODY_ROOM, choir[1])
            lo, hi = choir or (v.min_pitch - shift, v.max_pitch - shift)
            own = [x.pitch for x in vplan.notes[i]]
            if own and (thin or len(own) >= 4):  # a voice keeps its register
                reach = min(own) - limits.REGISTER_REACH, max(own) + limits.REGISTER_REACH
                if choir is not None and CHOIR_RANGES_KEPT:  # (within its choir range)
                    lo, hi = max(reach[0], min(lo, min(own))), min(reach[1], max(hi, max(own)))
                else:
                    lo, hi = reach
            elif own:
                lo, hi = min(lo, min(own) - RANGE_MARGIN), max(hi, max(own) + RANGE_MARGIN)
            ok = (score_pitches >= lo) & (score_pitches <= hi)
            if request.pitch_range is not None:
                ok &= (score_pitches >= request.pitch_range[0]) & (
                    score_pitches <= request.pitch_range[1])
            if pcs is not None:
                ok &= np.isin(score_pitches % 12, sorted(pcs))
            if rewritten[i] and not ok.any():
                raise ValueError(f"no pitch is left for the {name.lower()} (its range, the "
                                 "pitch range and the key exclude them all)")
            pitch_ok[i, v.pitch_offset:] = ok
            if n > 1 and len(own) >= 4 and rewritten[i]:  # drawn toward its own centre
                far = np.abs(score_pitches - float(np.mean(own))) - limits.REGISTER_FREE
                pull[i, v.pitch_offset:] = -limits.REGISTER_PULL * np.maximum(far, 0.0)
            floor = CHOIR_FLOORS.get(name.lower()[:4])
            if n > 1 and rewritten[i] and floor is not None and CHOIR_FLOOR_COST and not low_top:
                pull[i, v.pitch_offset:] -= CHOIR_FLOOR_COST * np.maximum(floor - score_pitches,
                                                                          0)

        mode_from, mode_to = _mode_degrees(key, score_pitches, v.pitch_offset)
        vels = sorted(x.velocity for x in score.notes)
        velocity = vels[len(vels) // 2] if vels else 80
        if figure is not None:
            figure = replace(figure, velocity=velocity, scale=frozenset() if key is None else (
                key.scale_pcs() | ({(key.tonic_pc + 11) % 12} if key.quality == "minor"
                                   else set())))
            # (the voices split from the hand, or sampled between the hands, are the figure's
            # chords now: what said they are not written would only puzzle)
            warnings = [w for w in warnings if not w.endswith(vx.FIGURES_LOST)
                        and not w.startswith(THIN_SAID)]
            warnings.append(f"the left hand keeps its figure ({figure.figure.describe()}), "
                            "played on the chords the model writes")
        plan = Plan(start_tick=start, stop_tick=stop, end_tick=region_end, key=key,
                    velocity=velocity, prefix_tokens=len(prefix),
                    prefix_bars=sum(v.bar_offset <= t < v.pos_offset for t in prefix),
                    warnings=tuple(warnings), parts=parts, hand=hand, end=end,
                    chords=given_chords.standing(symbols, start, stop) if given else 0)
        start_pitch = [_sounding_before(grid[i], start_step, v) for i in range(n)]
        # each voice's kept note right at a region's end: the region's last notes lead into it
        seam_pitch = [grid[i][stop_step] - v.pitch_offset + v.min_pitch
                      if region_end is not None and stop_step < len(grid[i])
                      and grid[i][stop_step] >= v.pitch_offset else -1 for i in range(n)]
        # (a quick melody's chords: planned, and kept to the tune's and the key's notes)
        tuned = bool(stride) and melody is not None and rules_on and tune_chords.TUNE_CHORDS
        # (the chord symbols decide where no cadence they left planned does)
        free = _given_steps(frames) if given else set()
        deciding = {s: c for s, c in given.items() if s in free}
        lower = tune_chords.lower_pcs(pitch_ok[1:, v.pitch_offset:], model_pitches) \
            if tuned else set()
        # (a top voice keeps its sketch's pace and rhythm: TUNE_RATE_GAIN, TOP_VOICE_RHYTHM,
        # TOP_VOICE_PACE)
        tune_rate = _tune_rate(vplan, rewritten, score, start, step) if rules_on and n > 2 \
            else 0.0
        tune_centre = _tune_centre(vplan, score, start) + shift \
            if tune_rate and TOP_REGISTER_GAIN else 0.0
        return _VoiceJob(plan, prefix, frames, len(frames) - n_span, forks, m,
                         pitch_ok, rewritten, part_of, part_names, part_under, shift, step,
                         tonic_check,
                         key, base_notes, start_pitch, beat, seam_pitch,
                         style_rules=rules_on, search_bars_to=search_bars_to,
                         history=[lane[:ctx_step] for lane in grid] if n == 1 else [],
                         restate_lags=(tune_rules.restate_lags(ts.bar_ticks // step)
                                       if n == 1 else ()),
                         strain_from=score.bar_start(first_full) // step,
                         first_onset=(first_tick or 0) // step
                         if n == 1 else 0,
                         triplets=(n == 1 and tune_rules.SKETCH_TRIPLETS
                                   and tune_rules.plays_triplets(score, vplan.notes[0], start)),
                         even_limit=tune_rules.even_limit(score, start) if n == 1 else 0,
                         **(tune_rules.sketch_rhythm(grid[0], start_step, beat, where, v)
                            if tune_rules.SKETCH_RHYTHM and (n == 1 or (
                                TOP_VOICE_RHYTHM and tune_rate)) else {}),
                         lower_rhythm=tune_rules.texture_rhythm(
                             grid, start_step, beat, where, v)
                         if tune_rules.SKETCH_RHYTHM and LOWER_RHYTHM and rules_on and n > 2
                         and beat * step != TPQ else {},
                         sketch_rest=_sketch_rest(score, start) if n == 1 else 0,
                         first_strain_pitch=tune_rules.first_strain_pitch(score, start, first_full)
                         if dance else None,
                         entry_pitch=[_last_pitch(grid[i], start_step, v) for i in range(n)]
                         if region_end is None else [],
                         pull=pull if pull.any() else None, hidden=hidden,
                         replaced_sounding=_sounding_steps(replaced, start_step, stop_step, step),
                         replaced_notes=frozenset((i, x.start, x.pitch) for i, x in replaced)
                         if region_end is not None else frozenset(),
                         replaced_from=start_step,
                         mode_from=mode_from, mode_to=mode_to,
                         # (a generation from nothing: its first phrase starts with it, so no
                         # phrase ends on its first chord)
                         last_fermata=sketch_end if sketch_end is not None else start_step
                         if first_tick is None or first_tick >= start else -(10 ** 9),
                         fermata_places=_fermata_places(fermata_steps, start_step, bar_steps,
                                                        ts.bar_ticks // step),
                         phrase_unit=own_phrase or (phrase_grid.LONG_PHRASE_BEATS * beat
                                                    if _two_strong_beats(ts.bar_ticks // step,
                                                                         beat) else 0),
                         sketch_phrase=own_phrase,
                         write_ends=not (SKETCH_MARKS_ENDS and first_tick is not None
                                         and not score.fermatas and not request.harmonize),
                         fermatas_written=not (HARMONY_FERMATAS_FROM_MELODY and request.harmonize
                                            and not score.fermatas),
                         close_before=_chord_before(grid, sketch_end, v),
                         close_key=real_key(close_key, shift) if close_key else key,
                         final_unmarked=final_unmarked, heard_ends=heard_ends | held,
                         home_final=tune_rules.home_final(vplan.notes[0], start, key)
                         if tonic_check and phrase_grid.HOME_FINAL and rewritten[0] and (
                             n == 1 or (TOP_VOICE_HOME and rules_on and n > 2)) else -1,
                         home_from=last_beat - beat, final_ceiling=final_ceiling,
                         phrase_beat=phrase_beat,
                         given_lines=[[x for q, x in base if q == vplan.parts[i]
                                       and x.end > start and x.start < stop]
                                      for i in range(n) if not rewritten[i] and not hidden[i]
                                      and vplan.parts[i] >= 0] if SEARCH_GIVEN else [],
                         lower_stride=stride, span_clash=tune_chords.span_clash(
                             melody, stride, start_step, stop_step, where),
                         span_floor=tune_chords.span_floor(
                             melody, stride, start_step, stop_step, where, v) if rules_on else {},
                         span_chords=(tune_chords.span_chords(
                             melody, stride, start_step, stop_step, where, ts.bar_ticks // step,
                             minor, _chord_free_steps(frames), lower)
                             if tuned else {}) | {s: given_chords.costs(c)
                                                  for s, c in deciding.items()},
                         tune_pcs=np.isin(np.arange(12), sorted(
                             tune_chords.chord_pitch_classes(melody, minor, lower)
                             | given_chords.pitch_classes(given)))
                         if tuned else None,
                         given_masks={s: given_chords.masks(c, s >= last_beat and ending)
                                      for s, c in deciding.items()},
                         top_symbols=given_chords.top_costs(symbol_chords)
                         if rewritten[0] and not request.harmonize else {},
                         given_passing={s: m for s, m in given_chords.passing(
                             symbols, start_step, stop_step, step, shift, minor,
                             lambda s: where(s)[1] % beat == 0).items() if s in free}
                         if given else {},
                         hand_reach=tuple(vplan.hands) if KEYBOARD_REACH and hand is None
                         and any(h is not None for h in vplan.hands) else None,
                         hand_side=None if hand is None else (
                             tuple(vplan.hands) if request.harmonize
                             else _hand_sides(vplan, hand, rewritten), {
                                 f.step: upper_staff_from(score.parts[parts[0]], f.step * step)
                                 + shift for f in frames if not f.context}),
                         figure=figure,
                         tune_rate=tune_rate, tune_centre=tune_centre,
                         given_keys={(x.start, x.pitch): x.end for i in range(n)
                                     if not rewritten[i] and vplan.parts[i] in parts
                                     for x in vplan.notes[i]}
                         if hand is not None and KEYBOARD_UNISONS else {})

    def _harmonize_plan(self, score: Score, request: GenerationRequest, warnings: list[str]):
        """(voice plan, voices rewritten, start, stop) for harmonizing: the melody as the top
        voice, the others written (new parts, or a four-part score's own lower parts)."""
        v = self.vocab
        n = len(v.voices)
        if n < 2:
            raise ValueError(f"{self.model.name} writes one voice: harmonizing needs a model "
                             "with several")
        pitched = [i for i, p in enumerate(score.parts) if not p.is_drum and p.notes]
        if not pitched:
            raise ValueError("nothing to harmonize: the sketch has no notes")
        full = vx.plan_voices(score, v.voices) if len(pitched) > 1 else None
        four = full is not None and len(set(full.parts)) == n and -1 not in full.parts
        if request.melody is not None:
            if request.melody not in pitched:
                raise ValueError(f"part {request.melody + 1} is not a pitched part with notes")
            melody = request.melody
        elif len(pitched) == 1:
            melody = pitched[0]
        elif four:
            melody = full.parts[0]  # a four-part score: reharmonize under its soprano
        else:
            raise ValueError(f"the sketch has {len(pitched)} pitched parts: say which one is the "
                             "melody")
        if four and melody != full.parts[0] and request.harmony_parts is None:
            # (its parts kept and three more written beside them, seven sounding at once: a
            # fuzz run)
            top = full.parts[0]
            raise ValueError(
                f"part {melody + 1} is the {v.voices[full.parts.index(melody)].lower()} of a "
                f"{len(pitched)}-part score: Harmonize writes the voices under its top part (part "
                f"{top + 1}), or under a melody of its own")
        notes = sorted(score.parts[melody].notes)
        why = analysis.not_one_line(score, melody, request.start_tick or 0,
                                    request.end_tick if request.is_region else None,
                                    request.harmony_parts or ())
        if why is not None:
            raise ValueError(why)
        # a melody written an octave low (the Essen songs' ABC lies at G3-F4): the voices go
        # under it, so the whole piece sounds low; said, not moved (the notes are the
        # composer's)
        middle = statistics.median(x.pitch for x in notes)
        if middle < TOO_LOW_MELODY and not four:
            up = math.ceil((LOW_MELODY - middle) / 12)
            raise ValueError(
                f"the melody lies too low to write voices under it (its middle note is "
                f"{pitch_name(round(middle))}): put it {up} octave{'s' if up > 1 else ''} up "
                "(Edit > Up an Octave) and harmonize again")
        if _lies_low([x.pitch for x in notes]) and not four:
            warnings.append(f"the melody lies low for a soprano (its middle note is "
                            f"{pitch_name(round(middle))}), so the voices under it lie low "
                            "too; an octave up (Edit > Up an Octave) puts it in a "
                            "soprano's register")
        given = [False] * n  # voices kept as the score has them, as the melody is
        if request.harmony_parts is not None:
            vplan = self._harmony_parts_plan(score, request.harmony_parts, melody, notes)
            given = [i > 0 and p in request.harmony_kept for i, p in enumerate(vplan.parts)]
        elif four and full.parts[0] == melody:
            vplan = full
            warnings += full.messages
        elif KEYBOARD_HARMONY and request.harmony_parts is None and \
                vx.in_own_staves(score, melody):
            # a tune on a keyboard's upper staff: the voices go into its own two staves, the
            # alto under the tune and the tenor and bass in the left hand, as a hymnal's
            # keyboard score writes them (not three new choir parts beside the piano)
            upper = (n + 1) // 2
            vplan = vx.VoicePlan(parts=[melody] * n, notes=[notes] + [[] for _ in range(n - 1)],
                                 hands=[0] * upper + [1] * (n - upper))
            lower = [v.voices[i].lower() for i in range(1, n)]
            warnings.append(f"part {score.parts[melody].name or melody + 1}: the "
                            + (", ".join(lower[:-1]) + " and " if len(lower) > 1 else "")
                            + f"{lower[-1]} are written on its own two staves, under the tune "
                            "and in the left hand")
        elif full is not None and GIVEN_LINES_KEPT and \
                (kept := vx.kept_lines(score, v.voices, melody, full)) is not None:
            # a melody over a bass line (or other single lines): they are voices the model
            # hears and keeps, and it writes the voices left (a bass part had been written
            # beside the composer's own bass line, which the model never heard)
            vplan = kept
            given = [p >= 0 for p in vplan.parts]
            named = [f"part {score.parts[p].name or p + 1} is the {v.voices[i].lower()} (kept)"
                     for i, p in enumerate(vplan.parts) if p >= 0 and i > 0]
            warnings.append(", ".join(named) + "; the model writes the "
                            + " and ".join(v.voices[i].lower() for i in range(n)
                                           if not given[i]))
        else:
            vplan = vx.VoicePlan(parts=[melody] + [-1] * (n - 1),
                                 notes=[notes] + [[] for _ in range(n - 1)])
        step = v.step_ticks
        if request.is_region:
            start = -(-request.start_tick // step) * step
            stop = _region_stop(score, request, step)
            if stop <= start or not any(x.start < stop and x.end > start for x in notes):
                raise ValueError("the region holds no melody notes to harmonize (it lies "
                                 "outside the melody)")
        else:
            # from the melody's first note: the voices under a pickup enter with it, not in
            # the empty part of its bar (which would also make notation write a full bar)
            start = notes[0].start // step * step
            stop = -(-max(x.end for x in notes) // step) * step
        return vplan, [False] + [not g for g in given[1:]], start, stop

    def _harmony_parts_plan(self, score: Score, chosen: tuple[int, ...], melody: int,
                            notes: list[Note]) -> vx.VoicePlan:
        """The melody as the top voice and the voices under it in the parts the user chose
        (-1: a new part); a chosen part's notes outside the span are heard as they are."""
        n = len(self.vocab.voices)
        if len(chosen) != n - 1:
            raise ValueError(f"{self.model.name} writes {n - 1} voice(s) under the melody: "
                             f"name {n - 1} part(s) for them, not {len(chosen)}")
        taken = [p for p in chosen if p >= 0]
        for p in taken:
            if p >= len(score.parts) or score.parts[p].is_drum:
                raise ValueError(f"the score has no pitched part {p + 1} to harmonize into")
            if p == melody:
                raise ValueError(f"part {p + 1} is the melody: the harmony goes into other parts")
        if len(set(taken)) != len(taken):
            raise ValueError("each voice of the harmony needs a part of its own")
        return vx.VoicePlan(parts=[melody, *chosen],
                            notes=[notes] + [vx.monophonic(score.parts[p].notes) if p >= 0
                                             else [] for p in chosen])

    # ----- prefill ---------------------------------------------------------------------------
    def _prefill(self, tokens: list[int], cancelled) -> tuple[np.ndarray, list] | None:
        lo, hi = self.vocab.bar_offset, self.vocab.pos_offset
        return prefill(self, tokens, cancelled, lambda tok: lo <= tok < hi)

    # ----- the loop --------------------------------------------------------------------------
    def _run(self, job: _VoiceJob, request: GenerationRequest,
             cancel: threading.Event | None) -> Iterator[GeneratedNote]:
        v = self.vocab
        n = len(v.voices)
        session, out_names, names = self.session, self.output_names, self._state_names
        cancelled = cancel.is_set if cancel is not None else (lambda: False)
        k = request.variations
        rng = np.random.default_rng(request.seed)
        temperature, top_k, top_p = request.temperature, request.top_k, request.top_p
        step, shift, velocity = job.step_ticks, job.shift, job.plan.velocity
        eighth = max(1, TPQ // 2 // step)  # steps per eighth note (BASS_ON_EIGHTHS)
        pitch_offset, min_pitch = v.pitch_offset, v.min_pitch
        pre = self._prefill(job.prefix, cancelled)
        if pre is None:
            return
        logits = np.repeat(pre[0], k, axis=0)
        states = [np.repeat(s, k, axis=0) for s in pre[1]]
        group = np.arange(k)
        rows = k
        opened = np.full((k, n), -1)  # start step of each voice's open generated note
        pitch = np.zeros((k, n), np.int64)
        # what each voice sounds now (normalized MIDI, -1: silent) and the outer voices at the
        # last onset: the style rules read them
        cur = np.tile(np.asarray(job.start_pitch or [-1] * n, np.int64), (k, 1))
        # the last step at which some voice sounded: a silence may not outlast MAX_SILENCE_BEATS
        # (the step before the span: what sounded up to it; MAX_SILENCE_BEATS counts from the
        # same step either way, as the chorales' is 0)
        last_sound = np.full(k, job.frames[0].step - 1 if job.frames else 0, np.int64)
        max_silence = MAX_SILENCE_BEATS[n == 1] * job.beat_steps
        # ... and a tune's rest lasts an eighth note at most (MELODY_REST_TICKS), or as long as
        # the sketch's own longest rest (a song that breathes a quarter between its phrases)
        melody_rest = max(MELODY_REST_TICKS, job.sketch_rest) // step \
            if n == 1 and MELODY_REST_TICKS else None
        # the last step at which some voice struck a note, and the last fermata or phrase close
        # (a chord there may stand longer): a chorale's chord stands MAX_STATIC_BEATS at most,
        # MAX_FERMATA_BEATS there
        last_onset = np.full(k, job.frames[0].step if job.frames else 0, np.int64)
        fermata_at = np.full(k, -1, np.int64)
        max_static = MAX_STATIC_BEATS * job.beat_steps
        max_fermata = MAX_FERMATA_BEATS * job.beat_steps
        # the last fermata marked (the score's or sampled), and the closing chord's, whose
        # fermata is forced: a phrase lasts MIN_PHRASE_BEATS at least, the last one
        # MIN_LAST_PHRASE_BEATS
        marked_at = np.full(k, job.last_fermata, np.int64)
        sc = _schedule(job, n, pitch_offset, min_pitch)
        close_table = None  # the phrase-end voicings in reach of the voices (CLOSE_LOOKAHEAD)
        closing, min_last, long_phrase = sc.closing, sc.min_last, sc.long_phrase
        before_place, before_close = sc.before_place, sc.before_close
        dominant_beats, half_close = sc.dominant_beats, sc.half_close
        place_ahead, dominant_ahead, cadence_ahead = (sc.place_ahead, sc.dominant_ahead,
                                                      sc.cadence_ahead)
        plan_place, unresolved, given_ahead = sc.plan_place, sc.unresolved, sc.given_ahead
        top_rest, top_enters = sc.top_rest, sc.top_enters
        # a continuation's voices enter near their last note (limits.ENTRY_REACH)
        entry = np.asarray(job.entry_pitch or [-1] * n, np.int64)
        entered = np.tile(entry < 0, (k, 1))
        pulled = job.pull.any(axis=1) if job.pull is not None else np.zeros(n, bool)
        outer = np.stack(_outer(cur), axis=1)
        chord = cur.copy()  # each voice's pitch at the last onset (the pairwise parallels rule)
        # each voice's seventh still to fall (its pitch; -1: none owed): a seventh chord's seventh
        # falls when its voice next moves, however the chord moves on meanwhile
        owed = np.full((k, n), -1, np.int64)
        # the bass's leading tone still to rise ([rows], its pitch, -1: none; _owed_rises)
        rising = np.full(k, -1, np.int64)
        # the degree each row's secondary dominant leads to, and its notes (_owed_resolutions)
        target, target_bits = np.full(k, -1, np.int64), np.zeros(k, np.int64)
        if job.style_rules and n > 2 and SKETCH_DEBTS and (cur >= 0).any():
            # the sketch's last chord: its seventh falls, its bass leading tone rises
            owed = _owed_sevenths(owed, cur, np.zeros((k, n), bool))
            if part_writing.LEADING_BASS_COST or LEADING_BASS_ROOM:
                rising = _owed_rises(rising, cur, np.zeros(k, bool),
                                     job.key is not None and job.key.quality == "minor")
        # each row's planned close (TONAL_PLAN) and the place (step) it was drawn for
        tonic_root = CADENCE_ROOT[(job.key is not None and job.key.quality == "minor", 2)]
        plan = np.full(k, tonic_root, np.int64)
        plan_for = np.full(k, -1, np.int64)
        last_away = np.full(k, -1, np.int64)  # the key away of the last planned close written
        # the root of the last phrase end's chord (the sketch's, then each row's own; -1: none)
        last_close = np.full(k, job.close_before, np.int64)
        # each voice's last struck pitch, and how many times in a row it struck it (RUN_COST)
        last_struck = cur.copy()
        # ... and the two it struck before that, latest first (CIRCLE_COST)
        struck_before = np.full((k, n, 2), -1, np.int64)
        strikes = (cur >= 0).astype(np.int64)
        struck_step = np.full((k, n), -(10 ** 9), np.int64)  # when (FALSE_RELATIONS)
        tune_struck = np.zeros(k)  # the top voice's onsets in the span (TUNE_RATE_GAIN)
        # ... and the sum of their pitches (TOP_REGISTER_GAIN)
        tune_pitch = np.zeros(k)
        span_from = job.frames[0].step if job.frames else 0
        # the steps of the last two downbeats the frames have passed (BASS_OVER_THE_BAR)
        downbeats: list[int] = []
        # a melody's last span between attacks (steps; -1: none) and how many spans in a row
        # have had that length (EVEN_RUN_COST)
        span = np.full(k, -1, np.int64)
        spans = np.zeros(k, np.int64)
        # where in its bar the melody's sounding note was struck (steps; SKETCH_RHYTHM)
        # (per voice: the top voice's own sketch rhythm, the lower voices' LOWER_RHYTHM)
        struck_pos = np.zeros((k, n), np.int64)
        figure = np.zeros((k, n), np.int64)  # the places struck so far in this beat, as bits
        # each voice's sketch rhythm: the top voice's own, which pulls its figures, and the
        # lower voices' pooled one, which only costs (None: no rule)
        rhythm_of: list[_Rhythm | None] = [None] * n
        if job.rhythm_places:
            rhythm_of[0] = _Rhythm(job.rhythm_places, job.sketch_syncopates,
                                   job.sketch_ties_bars, job.beat_figures, job.figure_counts,
                                   True)
        if job.lower_rhythm:
            for i in range(1, n):
                if job.rewritten[i] and not (job.hidden and job.hidden[i]):
                    rhythm_of[i] = _Rhythm(**job.lower_rhythm, pulls=False)
        # (pulls?, struck bits, place) -> may strike, may wait, the sketch's share striking there
        figure_rules: dict[tuple[bool, int, int], tuple[bool, bool, float]] = {}
        seam = (np.asarray(job.seam_pitch, np.int64)
                if job.seam_pitch and len(job.seam_pitch) == n else None)
        rules = job.style_rules
        # the top voice is given (a harmonized melody, a kept soprano): no voice goes above it
        under_top = rules and n > 2 and UNDER_GIVEN_TOP and not job.rewritten[0]
        lags = job.restate_lags
        density = float(request.density)
        # the sketch's rhythm yields to a density the composer asked for (DENSITY_OVER_RHYTHM)
        rhythm = 1.0 - min(1.0, 2 * abs(density) / limits.MAX_DENSITY) \
            if tune_rules.DENSITY_OVER_RHYTHM else 1.0
        hist = None
        if lags:
            hist = np.full((k, max(_steps_heard(job), 1)), -1, np.int64)
            known = np.asarray(job.history[0][:hist.shape[1]], np.int64)
            hist[:, :len(known)] = known
            hist[:, job.frames[0].step:] = -1  # the span is written now
        run = np.zeros(k, np.int64)  # bars in a row restated note for note (MAX_RESTATED_RUN)
        restated = np.zeros(k, np.int64)  # bars of the span restated so far (RESTATE_SHARE)
        # whether each row restates in its current phrase (RESTATE_CHANCE), drawn at its start
        restating = np.ones(k, bool)
        echoing = np.zeros(k, bool)  # ... and echoes its first bar in its third (ECHO_CHANCE)
        # (drawn from the seed and the tune: a fiddler's review continued 26 tunes with one
        # seed, and variation 1 restated in none of them, variation 2 in most)
        restate_rng = np.random.default_rng(None if request.seed is None else (
            int(request.seed), 3, zlib.crc32(np.asarray(
                job.history[0] if job.history else (), np.int64).tobytes())))
        # the other voices written into the same part (a piano part split into voices)
        # (... and a keyboard's given voices, where its hands are written: one key is struck
        # by one finger, KEYBOARD_UNISONS)
        shared = [[j for j in range(n) if j != i and job.part_of[j] == job.part_of[i]
                   and (job.rewritten[j] or (KEYBOARD_UNISONS and job.hand_side is not None))
                   and not (job.hidden and job.hidden[j])]
                  for i in range(n)]
        span_frames = job.frames[:len(job.frames) - job.n_context]
        budget = max(1, round(tune_rules.RESTATE_SHARE * sum(f.pos == 0 for f in span_frames)))
        mode_minor = job.key is not None and job.key.quality == "minor"
        cand = np.arange(v.min_pitch, v.max_pitch + 1)  # the pitch tokens' pitches
        # the pull to a minor key's leading tone (not Dorian's, Phrygian's: MINOR_LEADING_PULL)
        lead_pull = MINOR_LEADING_PULL * (cand % 12 == LEADING_TONE[True]) \
            if MINOR_LEADING_PULL and job.key is not None and job.key.mode == "minor" else None
        chroma_pull = CHROMATIC_PULL * ((~IN_KEY_BITS[mode_minor] >> (cand % 12)) & 1) \
            if CHROMATIC_PULL and job.key is not None and job.key.mode in ("major", "minor") \
            and not job.lower_stride \
            else None
        score = np.zeros(k)
        streaming = True
        held: list[list[GeneratedNote]] = [[] for _ in range(k)]  # collected per row (search)
        marked: list[list[int]] = [[] for _ in range(k)]  # per row: the fermatas it sampled
        emitted: list[list[Note]] = [[] for _ in range(k)]  # streamed per variation
        n_frames = len(job.frames)
        last_slot = None
        if job.n_context == 0:
            last_slot = (n_frames - 1, n - 1)
        stop_step = job.plan.stop_tick // step
        # passing eighths (PASSING_SHARE): a quarter beat split in two; what sounded on the last
        # beat and its half, and whether a voice struck anywhere else in between
        half = job.beat_steps // 2
        halves = rules and n > 2 and job.beat_steps % 2 == 0 and job.beat_steps * step == TPQ
        passing = halves and any(PASSING_SHARE)
        passing_rng = np.random.default_rng(None if request.seed is None
                                            else (int(request.seed), 1))
        # suspensions (SUSPENSIONS): per voice, the step its delayed note is struck at, through
        # which it holds (-1: none)
        suspend = halves and SUSPENSIONS and any(SUSPENSION_SHARE) and not any(job.hidden)
        suspended = np.full((k, n), -1, np.int64)
        suspended_from = np.full((k, n), -1, np.int64)  # ... and the pitch held till then
        # ... and a voice's suspensions lie this many steps apart at least (SUSPENSION_BEATS)
        susp_gap = SUSPENSION_BEATS * job.beat_steps
        suspend_rng = np.random.default_rng(None if request.seed is None
                                            else (int(request.seed), 4))
        plan_rng = np.random.default_rng(None if request.seed is None  # _plan_targets
                                         else (int(request.seed), 2))
        beat_at = -1
        at_beat = cur.copy()
        heard_beat = at_beat  # ... as it sounded: a suspension's held note (SUSPENSIONS)
        at_half = cur.copy()
        between = np.zeros(k, bool)

        def close(r: int, i: int, end_step: int) -> GeneratedNote | None:
            s0 = int(opened[r, i])
            opened[r, i] = -1
            if s0 < 0:
                return None
            if job.hidden and job.hidden[i] and job.figure is None:
                return None  # heard, not written (a figure plays its chord tones: figures.played)
            note = Note(s0 * step, int(pitch[r, i]) - shift, (end_step - s0) * step, velocity)
            if job.given_keys.get((note.start, note.pitch), -1) >= note.end:
                return None  # (a key the given tune strikes and holds: KEYBOARD_UNISONS)
            return GeneratedNote(int(group[r]), note, job.part_of[i], job.part_names[i],
                                 job.part_under[i], i)

        def out(r: int, g: GeneratedNote | None):
            if g is None:
                return None
            if streaming:
                emitted[g.variation].append(g.note)
                return g
            held[r].append(g)
            return None

        def close_all() -> list[GeneratedNote]:
            """Every voice's open note ends at the span's end (streamed ones are returned)."""
            found = [out(r, close(r, i, stop_step)) for r in range(rows) for i in range(n)]
            return [g for g in found if g is not None]

        def feed(chosen: np.ndarray) -> None:
            nonlocal logits, states
            feeds = dict(zip(names, states, strict=True))
            feeds[TOKEN] = chosen.astype(np.int32).reshape(-1, 1)
            outs = session.run(out_names, feeds)
            logits, states = outs[0], outs[1:]

        def loglik(chosen: np.ndarray) -> np.ndarray:
            z = logits.astype(np.float64)
            mx = z.max(axis=1)
            lse = mx + np.log(np.exp(z - mx[:, None]).sum(axis=1))
            return z[np.arange(rows), chosen] - lse

        faults = np.zeros(rows, np.int64)  # the bar search's, since the last bar line
        for fi, frame in enumerate(job.frames):
            idx = None
            if 0 < fi <= job.search_bars_to and frame.pos == 0 and rows > k:
                # a continuation's bar search: each variation keeps the first of its
                # candidates with the fewest faults in the bar before (the model's own draw
                # where none has one), and its notes stream
                winners = [min(np.flatnonzero(group == var).tolist(),
                               key=lambda r: (faults[r], r)) for var in range(k)]
                for var, w in enumerate(winners):
                    for g in sorted(held[w], key=lambda g: (g.note.end, g.note.start,
                                                            -g.note.pitch)):
                        if cancelled():
                            return
                        emitted[var].append(g.note)
                        yield g
                    held[w] = []
                idx = np.repeat(winners, rows // k)
            if fi in job.forks:  # each row splits into candidates (they share what came before)
                split = np.repeat(np.arange(rows), job.forks[fi])
                idx = split if idx is None else idx[split]
            if idx is not None:
                logits, states = logits[idx], [s[idx] for s in states]
                opened, pitch = opened[idx], pitch[idx]
                cur, outer, last_sound = cur[idx], outer[idx], last_sound[idx]
                last_onset, fermata_at = last_onset[idx], fermata_at[idx]
                marked_at = marked_at[idx]
                chord, owed, rising = chord[idx], owed[idx], rising[idx]
                target, target_bits = target[idx], target_bits[idx]
                plan, plan_for, last_away = plan[idx], plan_for[idx], last_away[idx]
                last_close = last_close[idx]
                last_struck, strikes = last_struck[idx], strikes[idx]
                struck_before = struck_before[idx]
                struck_step, tune_struck = struck_step[idx], tune_struck[idx]
                tune_pitch = tune_pitch[idx]
                span, spans, struck_pos = span[idx], spans[idx], struck_pos[idx]
                figure = figure[idx]
                entered = entered[idx]
                at_beat, at_half, between = at_beat[idx], at_half[idx], between[idx]
                heard_beat = heard_beat[idx]
                suspended, suspended_from = suspended[idx], suspended_from[idx]
                if hist is not None:
                    hist, run, restated = hist[idx], run[idx], restated[idx]
                    restating, echoing = restating[idx], echoing[idx]
                group, score = group[idx], score[idx] if not streaming else np.zeros(len(idx))
                held = [list(held[r]) for r in idx] if not streaming else [[] for _ in idx]
                marked = [list(marked[r]) for r in idx]
                rows = len(idx)
                faults = np.zeros(rows, np.int64)
                streaming = False
            if fi == n_frames - job.n_context:  # the span ends: close its notes
                for g in close_all():
                    if cancelled():
                        return
                    yield g
            scoring = not streaming
            # the chord on the beat before this frame (a phrase end's, BAR_SEARCH_HALF_CLOSES)
            beat_before = at_beat if halves else chord
            if frame.pos == 0 and (not downbeats or downbeats[-1] != frame.step):
                downbeats = [*downbeats[-1:], frame.step]
            if hist is not None and frame.pos == 0:
                before = run
                run = tune_rules.restated_run(run, hist, frame.step, lags)
                if fi:  # the bar just ended was written here
                    restated += run > before
                if (frame.step - job.strain_from) % lags[0] == 0:  # a phrase starts
                    restating = restate_rng.random(rows) < tune_rules.RESTATE_CHANCE
                    echoing = restate_rng.random(rows) < tune_rules.ECHO_CHANCE
            if frame.bar_token is not None:
                if cancelled():
                    return
                chosen = np.full(rows, frame.bar_token)
                if scoring:
                    score += loglik(chosen)
                feed(chosen)
            # POS: the step is forced, the fermata flag sampled (forced where the score has
            # a fermata, and plain elsewhere in the context)
            if cancelled():
                return
            p0 = v.pos_id(frame.pos)
            if frame.context or frame.fermata or frame.phrased:
                chosen = np.full(rows, p0 + frame.fermata)
            else:
                pos_logits, mask = _phrase_end_logits(
                    v, frame, fi, logits, marked_at, sc, rules, n, at_beat if halves else chord,
                    mode_minor, job.phrase_beat or job.beat_steps)
                chosen = sample_tokens(pos_logits, mask, temperature, top_k, top_p,
                                       rng.random(rows))
            if scoring:
                score += loglik(chosen)
            feed(chosen)
            was_fermata, was_marked = fermata_at.copy(), marked_at.copy()
            fermata_at[chosen == p0 + 1] = frame.step
            marked_at[chosen == p0 + 1] = frame.step
            # a fermata on a chord struck here is written into the score (the model's own, or
            # the closing chord's; the score's own are there already)
            sampled = (chosen == p0 + 1) if not frame.context else None
            # the rows whose model marks a phrase end here, inside the span: it closes on a
            # root-position triad (the cadence option's closing chord has its own rules)
            closes_marked = None
            if sampled is not None and not (frame.fermata or frame.phrased or frame.final) \
                    and sampled.any():
                closes_marked = np.flatnonzero(sampled)
            # ... and so does a phrase end the score marks (a harmonized melody's fermata, one
            # inside a rewritten region) where no cadence is planned (GIVEN_CLOSES)
            # a phrase end on the sketch's own grid is struck there, as the sketch's are: the
            # top voice does not hold into it (SKETCH_PHRASES)
            grid_strike = closes_marked if closes_marked is not None and sc.sketch_grid \
                and sc.sketch_grid[fi] else None
            close_rows = closes_marked
            if close_rows is None and GIVEN_CLOSES and rules and n > 2 and frame.fermata \
                    and not (frame.context or frame.final):
                close_rows = np.arange(rows)
            frame_attack = np.zeros(rows, bool)
            bare_close = None  # the rows whose phrase end may close bare (_style_mask)
            # ... and whose alto is drawn to another note of a triad than the top voice's (the
            # score's fermatas are among them: GIVEN_CLOSES; FULL_CLOSE_PULL)
            full_rows = close_rows if cadence_rules.FULL_CLOSE_PULL and rules and n > 3 \
                and not (frame.context or frame.final) else None
            if cadence_rules.BARE_CLOSES and close_rows is not None:
                bare_close = np.zeros(rows, bool)
                bare_close[close_rows] = True
            # a marked phrase end is drawn to close as a cadence on the chord before it (a
            # planned close has its chord already: _cadence_mask)
            pull_close = None
            # a beat before a place, and at it: the rows' planned closes (TONAL_PLAN; None: none)
            planning = None
            plan_drawn = None  # ... a beat before: whether each was drawn for that place
            # the rows' plans for the place ahead, and the pull toward the planned key
            key_pull = None
            # the rows' plans due here, read before this frame may draw the next place's
            due_here = plan_for == frame.step
            closing_plan = np.where(due_here, plan, tonic_root) if due_here.any() else None
            if rules and n > 2 and plan_place[fi] >= 0:
                key_pull = _draw_plans(plan, plan_for, plan_place[fi], marked_at, long_phrase,
                                       last_close, last_away, tonic_root, mode_minor,
                                       plan_rng, cand)
            # (rows, the roots their chord may have: None, _close_roots; a pitch class barred)
            close_groups = None
            if PLANNED_CLOSE_ROOTS and frame.cadence and close_rows is not None:
                # a planned close's chord is its cadence's: the lookahead and the phrase-end
                # chord rules look for its root alone
                planned_minor, planned_shift = frame.close_key or (mode_minor, 0)
                close_groups = [(close_rows, 1 << (cadence_root(planned_minor, frame.cadence,
                                                                planned_shift) % 12), -1)]
            close_reach = None  # the voicings the close rows can reach (CLOSE_LOOKAHEAD)
            loose = None  # ... from the last onset alone (CLOSE_LOOKAHEAD_ONSET)
            if rules and n > 2 and close_rows is not None and cadence_rules.CADENCE_PULL \
                    and not frame.cadence:
                pull_close = _cadence_pull((at_beat if halves else chord)[close_rows], cand,
                                            mode_minor, last_close[close_rows])
                # a planned close whose dominant sounds closes on its triad (TONAL_PLAN)
                if closing_plan is not None:
                    targets = closing_plan[close_rows]
                    before = DOMINANT_ROOT[pitch_class_bits((at_beat if halves else chord)[
                        close_rows])]
                    planned = (targets != tonic_root) & (before == (targets + 7) % 12)
                    if planned.any():
                        planning = np.where(planned, targets, tonic_root)
            # the roots each row's marked phrase end may not close on, after the chord before
            weak = None
            if rules and n > 2 and cadence_rules.WEAK_CLOSES_BARRED \
                    and closes_marked is not None and not frame.cadence:
                weak = _weak_close_roots(at_beat if halves else chord, chord, mode_minor)
            # on the beat before a place where a long phrase will end, the voices are drawn to
            # the key's dominant (PRE_CLOSE_PULL), and as these rows become close_rows, the
            # phrase-end chord rules below make the chord there a root-position triad of the key
            # too (_fermata_chord_mask, _root_reach_mask): the close after it is then a cadence
            # from a root-position chord (docs/voices.md: without them on this beat, interior
            # V-I closes val 16 -> 11, test 20 -> 11 of about 100 and 125; Bach 11 and 15)
            if rules and n > 2 and before_place[fi] and pull_close is None \
                    and not (frame.context or frame.final or frame.cadence):
                due = frame.step + job.beat_steps
                ahead = due - marked_at >= long_phrase
                if closing is not None and 0 < closing - due < min_last:
                    ahead[:] = False
                if ahead.any():
                    close_rows = np.flatnonzero(ahead)
                    pull_close = _pre_close_pull(len(close_rows), cand, mode_minor,
                                                 plan[close_rows])
                    planning = plan[close_rows]  # (the voices below the top make its dominant)
                    plan_drawn = plan_for[close_rows] == due
            # a beat before a cadence's dominant the voices are drawn to the predominant of its
            # key (ii, IV; the bass to the fourth degree): a planned cadence's, or a place's where
            # a long phrase may end two beats on (in the key of its planned close, TONAL_PLAN)
            pre = None  # the pull toward a cadence's predominant (_predominant_pull)
            # (under a quick melody, the chord its figure outlines instead: TUNE_CHORDS)
            if rules and n > 2 and frame.on_beat and pull_close is None \
                    and not (frame.context or frame.final or frame.cadence) \
                    and frame.step not in job.span_chords:
                pre = _predominant_pull(sc, frame, fi, job.beat_steps, rows, cand, marked_at,
                                        plan, plan_for)
            # the lowest voice written here strikes when the chord has stood too long
            static = None
            if rules and n > 2 and frame.on_beat and not frame.final and not frame.context \
                    and not (frame.close_held and CLOSE_STANDS):
                free = [i for i in range(n) if frame.forced[i] is None]
                if free:
                    under = fermata_at >= last_onset  # the chord standing has a fermata
                    static = (free[-1], frame.step - last_onset
                              >= np.where(under, max_fermata, max_static))
            # a phrase end's chord is left by every voice at once (PHRASE_STARTS_TOGETHER)
            together = limit = None
            if rules and n > 2 and PHRASE_STARTS_TOGETHER and not frame.final \
                    and not frame.context and not (frame.close_held and CLOSE_STANDS):
                together = (fermata_at >= 0) & (fermata_at >= last_onset)
                limit = together & (frame.step - last_onset >= max_fermata) & frame.on_beat
                if frame.pos == 0 and PHRASE_END_LEFT_AT_BAR_LINE:
                    limit = together
                if not together.any():
                    together = None
            # ... and stands to the next beat: no voice strikes inside its beat (FERMATA_STANDS),
            # nor, where phrase ends are not written as fermatas, on the beat after it
            # (UNWRITTEN_ENDS_HELD)
            standing = None
            held_for = job.beat_steps * (1 + (UNWRITTEN_ENDS_HELD and not job.write_ends))
            if rules and n > 2 and FERMATA_STANDS and not (frame.context or frame.final) \
                    and (not frame.on_beat or held_for > job.beat_steps):
                standing = (fermata_at >= 0) & (frame.step > fermata_at) & \
                    (frame.step - fermata_at < held_for)
                if not standing.any():
                    standing = None
            kept_on = np.zeros(rows, bool)  # rows where a sounding voice held in this frame
            struck = np.zeros(cur.shape, bool)  # the voices that strike a note in this frame
            # the notes that end here, a beat after the beat they began on, may be split
            next_beat = halves and frame.on_beat and not frame.context and \
                frame.step == beat_at + 2 * half
            split_here = passing and next_beat
            # a voice stepping down into this beat may hold its note over it (SUSPENSIONS; not
            # into a close's or the final chord, under a quick tune's chords, nor past the span)
            susp_here = suspend and frame.on_beat and not (
                frame.context or frame.final or frame.fermata or frame.close_held
                or frame.cadence == 2 or job.lower_stride) and frame.step + half < stop_step
            if susp_here and not all(job.rewritten):
                # (a given voice striking before the delayed note would sound against it)
                susp_here = not any(
                    f.forced[j] is not None and f.forced[j] >= pitch_offset
                    for f in job.frames[fi + 1:fi + 1 + half] for j in range(n)
                    if not job.rewritten[j])
            delayed: list[tuple[int, int, int, GeneratedNote]] = []
            # the delayed notes struck now: each moves from the note held over the beat, and the
            # other voices' moves are checked against that move (parallels)
            resolving = (suspended == frame.step) if suspend else None
            if resolving is not None and resolving.any():
                r_rows, r_voices = np.nonzero(resolving)
                chord[r_rows, r_voices] = suspended_from[r_rows, r_voices]
                tops = r_voices == 0
                outer[r_rows[tops], 0] = suspended_from[r_rows[tops], 0]
            # the voices whose half-beat note was a step outside the beat's chord: it moves on
            # by step now
            leaving = None
            if next_beat and RESOLVE_STEPS:
                leaving = _unresolved(at_beat, at_half) & ~between[:, None]
                if BASS_EIGHTHS_STEP and n > 2:  # (the bass's stepped eighth, chord note or not;
                    # struck on the eighths, BASS_ON_EIGHTHS, whatever the voices above did)
                    leaving[:, n - 1] = _stepped(at_beat[:, n - 1], at_half[:, n - 1]) & \
                        (~between | BASS_ON_EIGHTHS)
            # the bass's stepped eighth (its pitch per row, -1: none), which the inner voices
            # leave a step on to a chord (BASS_EIGHTH_ROOM)
            eighth_room = None
            if leaving is not None and BASS_EIGHTHS_STEP and BASS_EIGHTH_ROOM and n > 2 \
                    and leaving[:, n - 1].any() and not frame.cadence \
                    and frame.forced[n - 1] is None:
                eighth_room = np.where(leaving[:, n - 1], at_half[:, n - 1], -1)
                if close_rows is not None:
                    eighth_room[close_rows] = -1
            across = next_beat and bool((chord != at_beat).any())
            half_beat = halves and not frame.context and frame.step == beat_at + half
            ending: list[tuple[int, int, GeneratedNote]] = []
            # each voice's pitch class (a bit) struck in the beat before this frame (0: none)
            recent = (_recent_strikes(last_struck, struck_step, frame.step, job.beat_steps)
                      if given_ahead is not None else None)
            # every voice has been silent too long: they enter now (a beat frame)
            enter = ((cur < 0).all(axis=1) & (frame.step - last_sound >= max_silence)
                     if frame.on_beat and not frame.context else None)
            if melody_rest is not None and not frame.context:  # (at any step, not on a beat)
                enter = (cur[:, 0] < 0) & (frame.step - last_sound > melody_rest)
            if top_rest is not None and top_rest[fi]:
                enter = None  # (they rest with the melody)
            elif top_enters is not None and top_enters[fi]:
                enter = np.ones(rows, bool)
            for i in range(n):
                if cancelled():
                    return
                if i == 1 and pre is not None and pre.pull is not None:
                    pre.keep_under(cur[pre.rows, 0])
                if i == 1 and planning is not None:  # where the top voice's note is in it
                    close_groups = _plan_groups(close_rows, planning, cur[close_rows, 0],
                                                mode_minor, closing=closes_marked is not None,
                                                drawn=plan_drawn)
                if i == 1 and weak is not None:  # (the groups that may close on any root)
                    close_groups = _unweak_groups(close_groups or [(close_rows, None, -1)],
                                                  weak, _close_roots(mode_minor))
                # (the planned tune chord's costs for this voice, once for the sampling and
                # the search's score: TUNE_CHORDS)
                tune_cost = tune_chords.tune_chord_cost(
                    job.span_chords[frame.step], i, n, cur, cand) \
                    if i and frame.step in job.span_chords else None
                if tune_cost is not None and frame.step in job.given_masks:
                    tune_cost += given_chords.voice_cost(i, n, cur, cand)  # (under a symbol)
                if i == 0 and frame.step in job.top_symbols:  # (a tune under symbols typed
                    # ahead: given_chords.TUNE_ON_SYMBOLS)
                    tune_cost = np.broadcast_to(job.top_symbols[frame.step][cand % 12],
                                                (rows, len(cand)))
                forced = frame.forced[i]
                if forced is not None:
                    chosen = np.full(rows, forced)
                else:
                    # HOLD only while a note written here sounds (a sketch note that still
                    # sounds is forced; holding past its end would lengthen nothing)
                    holding = opened[:, i] >= 0
                    mask = np.zeros((rows, v.size), bool)
                    if frame.final == 2 and frame.fermata and job.final_unmarked and any(
                            f is not None and f >= pitch_offset for f in frame.forced):
                        # the melody strikes its last note again under the fermata: the
                        # voices below strike their notes again with it, as Bach's do, and
                        # the fermata stands over the whole chord
                        rows_h = np.flatnonzero(holding)
                        mask[rows_h, pitch[rows_h, i] - min_pitch + pitch_offset] = True
                        mask[:, REST] = ~holding
                    elif frame.final == 2:  # the last beat holds to the bar line
                        mask[:, HOLD] = holding
                        mask[:, REST] = ~holding
                    else:
                        mask[:] = job.pitch_ok[i]
                        if VOICE_ORDER_FIRST:  # (before the other rules, which yield to it)
                            if under_top and i:  # under the melody, and the voice above
                                for top in (cur[:, :1], cur[:, i - 1:i]):
                                    _narrow_held(mask, (top < 0) | (cand[None, :] <= top),
                                                 cur[:, i], cand, pitch_offset)
                                if i < n - 1 and BASS_ON_EIGHTHS and frame.pos % eighth:
                                    # (and over a bass that holds, struck on the eighths)
                                    low = cur[:, n - 1:]
                                    _narrow_held(mask, (low < 0) | (cand[None, :] >= low),
                                                 cur[:, i], cand, pitch_offset)
                            if rules and i == n - 1 and n > 2 and BASS_LOWEST:
                                _lowest_mask(mask, cur[:, :i], cur[:, i], cand, pitch_offset)
                        if i and frame.final == 1 and job.final_ceiling >= 0:
                            _narrow_held(mask, np.broadcast_to(cand <= job.final_ceiling,
                                                               (rows, len(cand))),
                                         cur[:, i], cand, pitch_offset)
                        if i and job.tune_pcs is not None and not (
                                frame.cadence or frame.close_held
                                or frame.in_dominant is not None):
                            # a quick tune's chords keep to its notes and the key's, before
                            # any other rule narrows them, wherever no cadence is planned: a
                            # review heard F natural basses under G major reels, D# under a
                            # jig's D naturals (the model's chorale chromaticism; TUNE_CHORDS)
                            _narrow_held(mask, np.broadcast_to(job.tune_pcs[cand % 12],
                                                               (rows, len(cand))),
                                         cur[:, i], cand, pitch_offset)
                        # a melody's final note is struck on its strong beat, not tied into
                        # it from an eighth before (a listening review: a hornpipe's tonic came
                        # early, across the bar line)
                        mask[:, HOLD] = holding & (frame.final != 1 or n > 1)
                        mask[:, REST] = frame.final != 1
                        if rules:  # a chorale voice sounds on to its end: no breaths
                            mask[cur[:, i] >= 0, REST] = False
                        if i == n - 1 and frame.step in job.given_masks and \
                                given_chords.BASS_FIRST:
                            # (a chord symbol's bass before any rule: given_chords.BASS_FIRST;
                            # its third where the root moves in fifths or octaves with a voice
                            # above: given_chords.INVERTED_FOR_PARALLELS)
                            free = None
                            if rules and given_chords.INVERTED_FOR_PARALLELS:
                                probe = np.ones_like(mask)
                                _parallels_mask(probe, i, cur, chord, cand, pitch_offset, None)
                                free = probe[:, pitch_offset:pitch_offset + len(cand)]
                            _narrow_held(mask, job.given_masks[frame.step].bass_allowed(
                                cur[:, :i], cand, free, 8 if mode_minor else 11),
                                cur[:, i], cand, pitch_offset)
                        if rules and n > 2 and MAX_NOTE_BEATS and frame.on_beat and \
                                not (frame.final or frame.close_held):
                            # (a note under a phrase end's chord may stand as that chord does)
                            worn = holding & (fermata_at < opened[:, i]) & \
                                (frame.step - opened[:, i] >= MAX_NOTE_BEATS * job.beat_steps)
                            mask[worn, HOLD] = False
                        if rules and n > 2 and SIXTEENTH_SHORT and eighth > 1 and \
                                frame.pos % eighth == 0 and not frame.final:
                            # (a note struck on the sixteenth before lasts that sixteenth,
                            # and moves on: SIXTEENTH_SHORT, RESTRIKE_IN_BEAT)
                            short = np.flatnonzero(holding & (opened[:, i] == frame.step - 1))
                            mask[short, HOLD] = False
                            mask[short, cur[short, i] - min_pitch + pitch_offset] = False
                        if i == 0 and grid_strike is not None:
                            mask[grid_strike, HOLD] = False  # (SKETCH_PHRASES)
                        if enter is not None and job.pitch_ok[i].any():
                            mask[enter, REST] = False
                        if rules and n > 2 and i and frame.on_beat and UNDER_MELODY_ENTERS \
                                and not job.rewritten[0] and job.pitch_ok[i].any():
                            # a voice silent under a sounding given melody enters on the beat
                            # (UNDER_MELODY_ENTERS)
                            mask[(cur[:, i] < 0) & (cur[:, 0] >= 0), REST] = False
                        if not entered[:, i].all():
                            _entry_mask(mask, ~entered[:, i], cand, pitch_offset, int(entry[i]))
                        cad_minor, cad_shift = frame.close_key or (mode_minor, 0)
                        if n == 1 and SEAM_GLIDE and frame.to_seam > job.beat_steps and \
                                job.seam_pitch and job.seam_pitch[0] >= 0:
                            # (a tune glides toward the kept note it meets: SEAM_GLIDE)
                            reach = part_writing.SEAM_REACH_TUNE + SEAM_GLIDE * (
                                frame.to_seam - job.beat_steps)
                            _narrow_held(mask, np.broadcast_to(
                                np.abs(cand - job.seam_pitch[0]) <= reach, (rows, len(cand))),
                                cur[:, 0], cand, pitch_offset)
                        if frame.approach and job.seam_pitch and job.seam_pitch[i] >= 0:
                            bass = rules and n > 2 and i == n - 1
                            lead = (LEADING_TONE[cad_minor] + cad_shift) % 12
                            _near_mask(mask, cand, pitch_offset, job.seam_pitch[i], cur[:, i],
                                       part_writing.SEAM_BASS_LEAPS if bass else (),
                                       lead if frame.cadence == 1 and 0 < i < n - 1 else -1,
                                       part_writing.SEAM_REACH_TUNE if n == 1
                                       else part_writing.SEAM_REACH)
                            if frame.cadence == 1 and rules and n > 3:
                                _seam_leading_mask(mask, i, n, cur, job.seam_pitch, lead, cand,
                                                   pitch_offset, mode_minor)
                        if frame.cadence:
                            _cadence_mask(mask, i, n, cand, pitch_offset, cad_minor,
                                          frame.cadence, cur, chord, cad_shift,
                                          final=frame.final > 0 and not (
                                              job.lower_stride and tune_chords.QUICK_FINAL_ARRIVAL),
                                          picardy=request.picardy, top_free=frame.opening)
                            if rules and n > 2 and i < n - 1 and \
                                    cadence_rules.CADENCE_BASS_ROOM:
                                _bass_root_room(mask, i, cur, chord,
                                                cadence_root(cad_minor, frame.cadence,
                                                             cad_shift),
                                                job.pitch_ok[n - 1, pitch_offset:pitch_offset
                                                             + len(cand)], cand, pitch_offset,
                                                mode_minor)
                            if half_close[fi] and HALF_CLOSE_TRIAD:
                                seventh = (V7_SEVENTH[cad_minor] + cad_shift) % 12
                                _narrow_held(mask, np.broadcast_to(cand % 12 != seventh,
                                                                   (rows, len(cand))),
                                             cur[:, i], cand, pitch_offset)
                        if rules and frame.soft_dominant is not None and i:
                            _soft_dominant_mask(mask, i, n, cand, pitch_offset,
                                                frame.soft_dominant, cur, frame.bass_avoid)
                        if rules and i == n - 1 and BASS_ON_EIGHTHS and \
                                frame.pos % eighth and holding.any():
                            # (the bass strikes on the eighths: BASS_ON_EIGHTHS)
                            mask[holding, v.pitch_offset:] = False
                        below = [j for j in range(i + 1, n) if frame.forced[j] is not None] \
                            if rules and n > 2 and GIVEN_BELOW else []
                        below_now = None
                        heard_below = None
                        if below:  # the given voices below: their pitches now, -1 silent
                            below_now = np.stack([_forced_pitch(frame.forced[j], cur[:, j], v)
                                                  for j in below], axis=1)
                            heard_below = below_now
                            if GIVEN_HEARD_IN_BAR and frame.on_beat:  # (heard in the bar:
                                # the beat-chord rule, the only one that reads it, is a beat's)
                                bar_step = frame.step - frame.pos
                                heard_below = np.where(below_now >= 0, below_now, np.stack(
                                    [np.where(struck_step[:, j] >= bar_step, last_struck[:, j],
                                              -1) for j in below], axis=1))
                        if rules and (i >= n - 2 or below):
                            _style_mask(mask, i, n, cur, outer, cand, pitch_offset,
                                        frame.on_beat, chord, bare_close,
                                        (pitch_class_bits(heard_below), len(below) == n - 1 - i)
                                        if below else None)
                        if rules and (i or below):
                            _parallels_mask(mask, i, cur, chord, cand, pitch_offset,
                                            seam if frame.approach else None,
                                            (below_now, chord[:, below]) if below else None)
                            if across:  # and from the last beat, across the half beat
                                _parallels_mask(mask, i, cur, heard_beat, cand, pitch_offset,
                                                None, (below_now, heard_beat[:, below])
                                                if below else None)
                        if i and frame.step in job.given_masks:
                            # a chord symbol's notes (a held one too), within what the voice
                            # order, style and parallels rules above left (where they leave none
                            # of them, the symbol yields), before the others, which yield to it
                            # (given_chords.BASS_FIRST: the bass's before them all)
                            given = job.given_masks[frame.step]
                            allowed = given.bass_allowed(cur[:, :i], cand) if i == n - 1 \
                                else np.broadcast_to(given.inner[cand % 12], (rows, len(cand)))
                            if i == n - 2:  # (its third, where none above has it)
                                lacking = given.third_lacking(cur[:, :i])
                                allowed = allowed & ~(lacking[:, None]
                                                      & (cand % 12 != given.third))
                            if 0 < i < n - 1:  # (no fifths or octaves with the bass to come)
                                allowed = allowed & given.no_parallels(cur[:, i], cur[:, n - 1],
                                                                       cand)
                            _narrow_held(mask, allowed, cur[:, i], cand, pitch_offset)
                            if 0 < i < n - 1:  # (a seventh chord's third and seventh, where
                                # the voices left are no more than those lacking; yielding alone)
                                _narrow_held(mask, given.must_sound(cur[:, :i], n - 1 - i,
                                                                    cur[:, i], cand),
                                             cur[:, i], cand, pitch_offset)
                        elif i and frame.step in job.given_passing:
                            # (between its beats, the symbol's chord or the key's notes:
                            # given_chords.DIATONIC_PASSING)
                            _narrow_held(mask, np.broadcast_to(
                                job.given_passing[frame.step][cand % 12], (rows, len(cand))),
                                cur[:, i], cand, pitch_offset)
                        if job.hand_side is not None and job.rewritten[i] and \
                                not frame.context:  # (on its own staff's side: hand_side)
                            sides, floors = job.hand_side
                            side = sides[i]
                            floor = floors.get(frame.step, MIDDLE_C + job.shift)
                            if side is not None:
                                _narrow_held(mask, np.broadcast_to(
                                    (cand >= floor) if side == 0 else (cand < floor),
                                    (rows, len(cand))), cur[:, i], cand, pitch_offset)
                                mates = [j for j in range(i) if sides[j] == side]
                                if mates and KEYBOARD_HAND_SPAN:  # (within a hand's reach)
                                    _narrow_held(mask, _within_reach(
                                        cur[:, mates], cand, BASS_HAND_SPAN if i == n - 1
                                        else KEYBOARD_HAND_SPAN), cur[:, i], cand, pitch_offset)
                        elif job.hand_reach is not None and job.rewritten[i] and \
                                not frame.context and KEYBOARD_HAND_SPAN:
                            side = job.hand_reach[i]  # (within a hand's reach: KEYBOARD_REACH)
                            mates = [j for j in range(i) if side is not None
                                     and job.hand_reach[j] == side]
                            if mates:
                                _narrow_held(mask, _within_reach(
                                    cur[:, mates], cand, BASS_HAND_SPAN if i == n - 1
                                    else KEYBOARD_HAND_SPAN), cur[:, i], cand, pitch_offset)
                        if below and BASS_LOWEST:  # (above the highest given voice below)
                            _between_mask(mask, cur[:, i - 1] if i else np.full(rows, -1),
                                          below_now.max(axis=1), cur[:, i], cand,
                                          pitch_offset)
                        if shared[i]:
                            _unison_mask(mask, i, shared[i], cur, cand, pitch_offset)
                        if rules and frame.in_dominant is not None and i:
                            _dominant_beat_mask(mask, i, n, cand, pitch_offset,
                                                frame.in_dominant, cur[:, i])
                        if rules and frame.close_held and i:
                            _close_hold_mask(mask, i, n, cand, pitch_offset, cad_minor,
                                             frame.close_held, cur[:, i], cad_shift)
                        if rules and frame.cadence and 0 < i < n - 1:
                            cad_root = cadence_root(cad_minor, frame.cadence, cad_shift)
                            _root_parallels_mask(mask, chord[:, i], chord[:, n - 1], cad_root,
                                                 cand, pitch_offset)
                            if across:  # and from the last beat
                                _root_parallels_mask(mask, at_beat[:, i], at_beat[:, n - 1],
                                                     cad_root, cand, pitch_offset)
                        if rules and n > 2:
                            _leap_mask(mask, chord[:, i], cand, pitch_offset, mode_minor,
                                       i < n - 1)
                        if rules and i and n > 2 and CHROMATIC_CLASHES:
                            _chromatic_clash_mask(mask, i, cur, struck, cand, pitch_offset,
                                                  mode_minor)
                        if rules and i and frame.on_beat:
                            _clash_mask(mask, i, cur, struck, cand, pitch_offset)
                            _doubling_mask(mask, i, cur, cand, pitch_offset,
                                           LEADING_TONE[mode_minor])
                            if RAISED_NOT_DOUBLED and n > 2:
                                _raised_doubling_mask(mask, i, cur, cand, pitch_offset,
                                                      mode_minor)
                            if key_pull is not None or planning is not None:  # the plan's too
                                _doubling_mask(mask, i, cur, cand, pitch_offset,
                                               (plan + 11) % 12)
                        elif half_beat:
                            _half_beat_doubling_mask(mask, i, cur, cand, pitch_offset,
                                                     LEADING_TONE[mode_minor])
                            if i:
                                _below_mask(mask, cur[:, i - 1], cand, pitch_offset)
                        if under_top and i:
                            _narrow_held(mask, (cur[:, :1] < 0) | (cand[None, :] <= cur[:, :1]),
                                         cur[:, i], cand, pitch_offset)
                            floor = job.span_floor.get(frame.step)
                            if floor is not None:  # (held through the span: UNDER_QUICK_SPAN)
                                _narrow_held(mask, np.broadcast_to(cand <= floor,
                                                                   (rows, len(cand))),
                                             cur[:, i], cand, pitch_offset)
                        if static is not None and static[0] == i:
                            moves = static[1] & ~frame_attack & \
                                mask[:, pitch_offset:].any(axis=1)
                            mask[moves, HOLD] = False
                            mask[moves, REST] = False
                            if STATIC_NEW_PITCH:
                                _new_pitch_mask(mask, moves, cur[:, i], pitch_offset, min_pitch)
                        if together is not None:
                            _together_mask(mask, together, limit, frame_attack, kept_on,
                                           pitch_offset)
                        if rules and i and n > 2 and frame.on_beat:
                            _seventh_mask(mask, np.delete(cur, i, axis=1), cand, pitch_offset)
                        if rules and n > 2:
                            _resolution_mask(mask, _still_owed(owed, cur, i), cand,
                                             pitch_offset, strikes[:, i], mode_minor)
                            if i and unresolved[fi]:
                                _given_seventh_mask(mask, np.delete(cur, i, axis=1), cur[:, i],
                                                    unresolved[fi], cand, pitch_offset)
                            if part_writing.SEAM_SEVENTHS and frame.approach and job.seam_pitch:
                                _seam_seventh_mask(mask, i, cur, job.seam_pitch, job.rewritten,
                                                   cand, pitch_offset)
                            if i < n - 1 and frame.on_beat and frame.forced[n - 1] is None:
                                if BASS_FALL_ROOM:
                                    _bass_step_room(mask, i, n, cur, owed[:, n - 1], cand,
                                                    pitch_offset,
                                                    leading=LEADING_TONE[mode_minor])
                                if LEADING_BASS_ROOM:
                                    _bass_step_room(mask, i, n, cur, rising, cand, pitch_offset,
                                                    (1,))
                        if given_ahead is not None:
                            now = (pitch_class_bits(cur[:, :i]) if i and FALSE_RELATIONS_NOW
                                   else 0)
                            _false_relation_mask(mask, i, recent, given_ahead[fi] | now, cand,
                                                 pitch_offset, mode_minor)
                        if i == 0 and planning is not None and closes_marked is not None:
                            _planned_top_mask(mask, close_rows, planning, cand, pitch_offset,
                                              mode_minor)
                        if rules and i and n > 2 and close_rows is not None:
                            for rs, roots, barred in close_groups or ((close_rows, None, -1),):
                                sub = mask[rs]
                                _fermata_chord_mask(sub, i, n, cur[rs], cand, pitch_offset,
                                                    mode_minor, roots)
                                if barred >= 0:  # the plan's triad has the other third
                                    _narrow(sub, np.broadcast_to(cand % 12 != barred,
                                                                 (len(rs), len(cand))),
                                            pitch_offset)
                                if ROOT_REACH and i < n - 1:
                                    _root_reach_mask(sub, i, n, cur[rs], chord[rs], cand,
                                                     pitch_offset, mode_minor, roots)
                                mask[rs] = sub
                        if rules and 2 < n < 5 and close_rows is not None and CLOSE_LOOKAHEAD \
                                and all(f is None for f in frame.forced[i + 1:]):
                            if close_table is None:
                                close_table = close_voicing.voicing_table(
                                    job.pitch_ok[:, pitch_offset:pitch_offset + len(cand)],
                                    int(cand[0]), _close_triads(mode_minor),
                                    LEADING_TONE[mode_minor])
                            if close_reach is None:
                                own = _own_lines(close_rows, n, cur, chord, owed, strikes,
                                                 recent, given_ahead[fi] if given_ahead
                                                 is not None else None, frame.forced, cand,
                                                 job.pitch_ok, pitch_offset, mode_minor,
                                                 _leading_fall(frame, *(frame.close_key or (
                                                     mode_minor, 0))) if LOOKAHEAD_FALLS
                                                 else None)
                                close_reach = close_voicing.reachable(
                                    close_table, chord[close_rows],
                                    at_beat[close_rows] if across else None, own,
                                    int(cand[0]))
                                # (where the beat's chord leaves no voicing: the onset's alone,
                                # CLOSE_LOOKAHEAD_ONSET)
                                loose = close_voicing.reachable(
                                    close_table, chord[close_rows], None, own, int(cand[0])) \
                                    if CLOSE_LOOKAHEAD_ONSET and across else None
                            top_groups = None  # the top voice: the roots not barred as weak
                            if not i and weak is not None and TOP_LOOKS_PAST_WEAK:
                                top_groups = _unweak_groups([(close_rows, None, -1)], weak,
                                                            _close_roots(mode_minor))
                            elif not i and plan_drawn is not None:  # (nor VII: _plan_groups)
                                top_groups = _plan_groups(close_rows, planning,
                                                          np.full(len(close_rows), -1),
                                                          mode_minor, drawn=plan_drawn)
                            for rs, roots, barred in (close_groups if i and close_groups
                                                      else top_groups if top_groups
                                                      else ((close_rows, None, -1),)):
                                _close_lookahead(mask, close_table, close_reach, close_rows, rs,
                                                 _close_roots(mode_minor) if roots is None
                                                 else roots, barred, cur, i, cand,
                                                 pitch_offset, loose)
                        if rules and i == n - 1 and n > 2 and place_ahead[fi] >= 0:
                            _no_bass_seventh(mask, place_ahead[fi] - marked_at >= long_phrase,
                                             cur[:, :i], cur[:, i], cand, pitch_offset)
                        if pre is not None and pre.leading is not None and i == n - 2 and i > 0:
                            _leading_reach_mask(mask, i, cur, cand, pitch_offset,
                                                pre.leading, mode_minor)
                        elif sc.leading_ahead and sc.leading_ahead[fi] >= 0 and i == n - 2 \
                                and i > 0:  # (and inside that beat: LEADING_REACH_IN_BEAT)
                            _leading_reach_mask(mask, i, cur, cand, pitch_offset,
                                                sc.leading_ahead[fi], mode_minor)
                        if rules and i == n - 1 and n > 2 and frame.bass_avoid:
                            _avoid_mask(mask, cur[:, i], cand, pitch_offset, frame.bass_avoid)
                        if rules and i == n - 1 and n > 2 and BASS_LOWEST:
                            _lowest_mask(mask, cur[:, :i], cur[:, i], cand, pitch_offset)
                        if pre is not None and pre.subtonic_rows is not None:
                            _subtonic_mask(mask, pre.subtonic_rows, pre.subtonics, cur[:, i], cand,
                                           pitch_offset)
                        # (after the subtonic's rule: it yields to that one)
                        if rules and i == n - 1 and n > 2 and dominant_ahead[fi] >= 0:
                            _no_bass_seventh(mask, np.ones(rows, bool), cur[:, :i], cur[:, i],
                                             cand, pitch_offset, dominant_ahead[fi])
                        if i == n - 1 and cadence_ahead[fi] >= 0:
                            reach = _reach_root(cadence_ahead[fi], v.min_pitch, v.max_pitch,
                                                *(sc.cadence_top[fi] if sc.cadence_top
                                                  else ()))
                            _narrow_held(mask, np.broadcast_to(reach, (rows, len(cand))),
                                         cur[:, i], cand, pitch_offset)
                            if BASS_STEPS_INTO_CADENCE and not frame.on_beat:
                                _narrow(mask, np.broadcast_to(
                                    _steps_to(cadence_ahead[fi], cand), (rows, len(cand))),
                                    pitch_offset)
                        # last: it yields to every rule above
                        if leaving is not None and leaving[:, i].any():
                            rows_i = leaving[:, i]
                            if i == n - 1 and not BASS_EIGHTHS_STEP:
                                # the bass may leap from a note of the new chord
                                rows_i = rows_i & ~_in_chord(cur[:, :i], at_half[:, i])
                            _step_mask(mask, rows_i, at_half[:, i], cand, pitch_offset,
                                       cur[:, i - 1] if i else None)
                        if rules and n > 2 and part_writing.CHROMATIC_STEPS:
                            fall = _leading_fall(frame, cad_minor, cad_shift) \
                                if 0 < i < n - 1 else None
                            _chromatic_step_mask(mask, i, chord[:, i], cur, cand, pitch_offset,
                                                 mode_minor, fall)
                        if rules and FULL_FINAL and frame.cadence and i and n > 2:
                            _final_chord(mask, i, cur, chord, cand, pitch_offset, cad_minor,
                                         cad_shift, frame.cadence, frame.fermata)
                        if rules and FINAL_BASS_LOW and frame.cadence == 2 and frame.final \
                                and i == n - 1 and n > 2:
                            _lowest_root(mask, cand, pitch_offset,
                                         cadence_root(cad_minor, 2, cad_shift),
                                         CHOIR_FLOORS["bass"] + job.shift
                                         if FINAL_BASS_FLOOR else None)
                        if rules and i == n - 1 and n > 2 and halves and frame.on_beat and \
                                frame.forced[i] is None:
                            # V-I under an outer voice's leading tone that does not rise (after
                            # every rule above: it yields to them; LEADING_TONE_RISES)
                            _unrisen_leading_mask(mask, cur, at_beat, cand, pitch_offset,
                                                  job.rewritten[0])
                        if rules and i == n - 1 and n > 2 and BASS_ON_THE_BEAT and \
                                frame.on_beat and frame.forced[i] is None:
                            # (a note struck inside the last beat is not held across this one,
                            # where it may move on by step)
                            sync = np.flatnonzero(
                                (cur[:, i] >= 0) & (struck_step[:, i] < frame.step)
                                & (struck_step[:, i] > frame.step - job.beat_steps))
                            if len(sync):
                                step_on = np.abs(cand[None, :] - cur[sync, i:i + 1])
                                sync = sync[(mask[sync, v.pitch_offset:v.pitch_offset
                                                  + len(cand)]
                                             & (step_on > 0) & (step_on <= 2)).any(axis=1)]
                                mask[sync, HOLD] = False
                        if rules and i == n - 1 and n > 2 and BASS_OVER_THE_BAR and \
                                frame.pos == 0 and len(downbeats) == 2 and \
                                frame.forced[i] is None and not (frame.close_held
                                                                 or frame.final):
                            _over_the_bar_mask(mask, cur[:, i], struck_step[:, i], downbeats[0],
                                               frame.step, job.beat_steps, v.pitch_offset,
                                               len(cand))
                        if halves and RESTRIKE_IN_BEAT and not frame.on_beat and i < n - 1:
                            # a note struck in this beat is held, not struck again (holding it
                            # keeps its pitch, whatever the rules above asked of this step)
                            again = np.flatnonzero((struck_step[:, i] >= beat_at)
                                                   & (cur[:, i] >= 0) & mask[:, HOLD])
                            mask[again, cur[again, i] - min_pitch + pitch_offset] = False
                        if top_rest is not None and top_rest[fi] and i:  # (over every rule)
                            mask[:] = False
                            mask[:, REST] = True
                        if standing is not None:  # (over every rule: the chord passed them)
                            hold = standing & mask[:, HOLD]
                            mask[hold, REST] = False
                            mask[hold, pitch_offset:] = False
                        if i and job.lower_stride and frame.pos % job.lower_stride and \
                                not frame.final and not (SYMBOLS_STRIKE_QUICK and frame.step
                                                         in job.given_masks and
                                                         job.given_masks[frame.step].onset):
                            # a quick melody's chords change on its beats: the voices below
                            # hold between, the melody's notes there passing over them (over
                            # every rule: QUICK_MELODY_CHORDS)
                            mask[holding] = False
                            mask[holding, HOLD] = True
                            # (and a silent voice enters on a beat: not with a jig's upbeat)
                            mask[~holding] = False
                            mask[~holding, REST] = True
                        elif i == n - 1 and job.lower_stride and frame.pos == 0 and \
                                not frame.final and tune_chords.QUICK_FINAL_ARRIVAL:
                            # ... and its bass strikes each downbeat, the dance's pulse (a
                            # review heard it tied over the bar line in 12 of 24 quick files)
                            mask[holding & mask[:, pitch_offset:].any(axis=1), HOLD] = False
                    biased = logits
                    copying = np.zeros(len(logits), bool)  # rows pulled to restate a bar
                    # at a strain's close the bar is not restated: the tonic, then held (1,
                    # 2), or a slow tune's own close (3)
                    if frame.strain_close in (1, 2):
                        biased = tune_rules.strain_close_bias(logits, frame.strain_close, cand,
                                                    pitch_offset, mode_minor,
                                                    last_struck[:, i])
                    elif not frame.strain_close and hist is not None and not frame.final:
                        room = (run < tune_rules.MAX_RESTATED_RUN) & (restated < budget)
                        in_strain = tune_rules.strain_lags(lags, frame.step, job.strain_from)
                        biased = tune_rules.restate_bias(logits, hist, frame.step, in_strain,
                                               room & restating, job.first_onset)
                        if tune_rules.echo_bar(frame.step, job.strain_from, lags[0] // 4):
                            biased = tune_rules.restate_bias(
                                biased, hist, frame.step, (lags[0] // 2,),
                                room & echoing & ~(restating & bool(in_strain)),
                                job.first_onset)
                        copying = (biased != logits).any(axis=1)
                    if i == 0 and job.home_final >= 0 and frame.step >= job.home_from and \
                            not frame.final and tune_rules.HOME_APPROACH_PULL:  # V's beat
                        biased = biased.copy() if biased is logits else biased
                        home = job.home_final + job.shift
                        home_reach = tune_rules.HOME_APPROACH_REACH
                        home_pull = tune_rules.HOME_APPROACH_PULL
                        far = np.abs(cand - home) - home_reach
                        biased[:, pitch_offset:pitch_offset + len(cand)] -= \
                            home_pull * np.maximum(far, 0)
                        held_far = np.abs(cur[:, i] - home) - home_reach  # (held on)
                        biased[:, HOLD] -= home_pull * np.maximum(held_far, 0) * (cur[:, i] >= 0)
                    circle = tune_rules.CIRCLE_COST if n == 1 else \
                        tune_rules.TOP_CIRCLE_COST if i == 0 and n > 2 else \
                        tune_rules.LOWER_CIRCLE_COST if n > 2 and rules else 0.0
                    if circle and not frame.final:
                        biased = tune_rules.circle_cost(
                            biased, last_struck[:, i], struck_before[:, i], cand, pitch_offset,
                            circle, tune_rules.INNER_CIRCLE_NARROWEST if 0 < i < n - 1
                            else 1)
                    if n == 1 and tune_rules.EVEN_RUN_COST and job.even_limit and not frame.final:
                        # a note struck now would make one more span of the same length: the
                        # note is held instead (a rest here would break the phrase)
                        even = (spans >= job.even_limit) & (frame.step - struck_step[:, i] == span)
                        if even.any():
                            biased = biased.copy() if biased is logits else biased
                            biased[even, pitch_offset:] -= tune_rules.EVEN_RUN_COST
                            biased[even, REST] -= tune_rules.EVEN_RUN_COST
                    if rhythm_of[i] is not None and not frame.final and rhythm > 0:
                        # the sketch's rhythm: a note struck where its notes never are, or tied
                        # where they never tie, costs (less where a density was asked for)
                        places, syncopates, ties_bars, figs, counts, pulls = rhythm_of[i]
                        biased = biased.copy() if biased is logits else biased
                        sounding = cur[:, i] >= 0
                        here = frame.pos % job.beat_steps
                        if here not in places:
                            biased[:, pitch_offset:] -= rhythm * tune_rules.NEW_PLACE_COST
                        # (a rest begun ends a note, and the next note enters within the
                        # longest rest allowed: both where the sketch's rhythm has events)
                        if here not in places or (melody_rest is not None and not any(
                                (here + d) % job.beat_steps in places
                                for d in range(1, melody_rest + 1))):
                            biased[sounding, REST] -= rhythm * tune_rules.NEW_PLACE_COST
                        if frame.on_beat and not syncopates:
                            biased[sounding & (struck_pos[:, i] % job.beat_steps != 0),
                                   HOLD] -= rhythm * tune_rules.SYNCOPATION_COST
                        if frame.pos == 0 and not ties_bars:
                            biased[sounding & (struck_pos[:, i] != 0),
                                   HOLD] -= rhythm * tune_rules.SYNCOPATION_COST
                        if here == 0:
                            figure[:, i] = 0
                        if figs and tune_rules.FIGURE_COST and not frame.strain_close:
                            # (a strain's close is held as the tune's closes are)
                            for f in np.unique(figure[:, i]):
                                key = (pulls, int(f), here)
                                if key not in figure_rules:
                                    figure_rules[key] = (
                                        *tune_rules.figure_ok(figs, *key[1:]),
                                        tune_rules.figure_share(counts, *key[1:]))
                                strike_ok, wait_ok, p = figure_rules[key]
                                rows_f = figure[:, i] == f
                                even = rows_f  # (the pull from even odds: FIGURE_FROM_MODEL)
                                if pulls and tune_rules.FIGURE_PULL and \
                                        tune_rules.FIGURE_FROM_MODEL and frame.pos:
                                    tune_rules.figure_pull(
                                        biased, np.flatnonzero(rows_f & ~copying), p,
                                        rhythm * tune_rules.FIGURE_PULL, pitch_offset)
                                    even = rows_f & copying
                                if pulls and tune_rules.FIGURE_PULL:
                                    pull = rhythm * tune_rules.FIGURE_PULL
                                    biased[even, pitch_offset:] += pull * np.log(2 * p)
                                    biased[even, HOLD] += pull * np.log(2 * (1 - p))
                                if not strike_ok:
                                    biased[rows_f, pitch_offset:] -= rhythm * tune_rules.FIGURE_COST
                                if not wait_ok:
                                    biased[rows_f, HOLD] -= rhythm * tune_rules.FIGURE_COST
                                    biased[rows_f, REST] -= rhythm * tune_rules.FIGURE_COST
                    if n == 1 and tune_rules.STRAIN_LIFT and job.first_strain_pitch is not None \
                            and not frame.final and lags and tune_rules.second_strain(
                                frame.step, job.strain_from, lags[0] // 4):
                        biased = biased.copy() if biased is logits else biased
                        lift_span = tune_rules.LIFT_SPAN
                        biased[:, pitch_offset:] += tune_rules.STRAIN_LIFT * np.clip(
                            cand - job.first_strain_pitch, -lift_span, lift_span)
                    if density and frame.final != 2:
                        biased = biased.copy() if biased is logits else biased
                        biased[:, pitch_offset:] += density
                    if i == 0 and job.tune_rate and not frame.context and not frame.final:
                        # (a piano's tune keeps its sketch's pace: TUNE_RATE_GAIN)
                        owed_onsets = job.tune_rate * (frame.step - span_from + 1) - tune_struck
                        biased = biased.copy() if biased is logits else biased
                        biased[:, pitch_offset:] += TUNE_RATE_GAIN * np.clip(
                            owed_onsets, -TUNE_RATE_SPAN, TUNE_RATE_SPAN)[:, None]
                    if i == 0 and job.tune_centre and not frame.context and not frame.final:
                        # (... and its register: TOP_REGISTER_GAIN)
                        biased = biased.copy() if biased is logits else biased
                        biased[:, pitch_offset:] += _register_lean(
                            job.tune_centre, tune_pitch, tune_struck, last_struck[:, 0], cand)
                    if rules and n > 2 and lead_pull is not None and not frame.final:
                        biased = biased.copy() if biased is logits else biased
                        biased[:, pitch_offset:] += lead_pull
                    if rules and n > 2 and EIGHTH_PULL and frame.pos % eighth == 0 and \
                            (i < n - 1 or EIGHTH_PULL_BASS) and \
                            not (frame.on_beat or frame.final or frame.close_held
                                 or frame.in_dominant is not None or before_close[fi]):
                        biased = biased.copy() if biased is logits else biased
                        biased[:, pitch_offset:] += EIGHTH_PULL
                    if rules and n > 2 and chroma_pull is not None and not frame.final:
                        biased = biased.copy() if biased is logits else biased
                        biased[:, pitch_offset:] += chroma_pull
                    if job.mode_from is not None:  # the mode's degree for the family's
                        biased = biased.copy() if biased is logits else biased
                        biased[:, job.mode_to] = np.logaddexp(biased[:, job.mode_to],
                                                              biased[:, job.mode_from])
                    if rules and n > 2 and i and part_writing.LEAP_COST:
                        biased = biased.copy() if biased is logits else biased
                        again = (np.where(strikes[:, i] >= RUN_STRIKES, last_struck[:, i], -1)
                                 if i in RUN_VOICES else None)
                        _leap_cost(biased, mask, chord[:, i], cand, pitch_offset, i == n - 1,
                                   again, mode_minor if i < n - 1 else None)
                    if rules and n > 3 and i in (1, 2) and part_writing.INNER_UNISON_COST:
                        biased = biased.copy() if biased is logits else biased
                        _unison_cost(biased, mask, cur[:, i - 1], cand, pitch_offset)
                        if below and below[0] == i + 1 < n - 1:  # a given tenor: the alto pays
                            _unison_cost(biased, mask, below_now[:, 0], cand, pitch_offset)
                    if rules and n > 3 and i == n - 2 and frame.on_beat and \
                            frame.forced[n - 1] is None and part_writing.BASS_CHORD_ROOM_COST:
                        biased = biased.copy() if biased is logits else biased
                        bass_at = chord[:, n - 1]
                        _room_cost(biased, mask, bass_at,
                                   _bass_room(i, n, cur, bass_at, cand, part_writing.BASS_MOVES,
                                              chord, no_seventh=True),
                                   pitch_offset, part_writing.BASS_CHORD_ROOM_COST)
                    if eighth_room is not None and 0 < i < n - 1 and \
                            part_writing.EIGHTH_ROOM_COST:
                        biased = biased.copy() if biased is logits else biased
                        _room_cost(biased, mask, eighth_room,
                                   _bass_room(i, n, cur, eighth_room, cand, (-2, -1, 1, 2),
                                              chord),
                                   pitch_offset, part_writing.EIGHTH_ROOM_COST)
                    if rules and n > 2 and i == n - 1 and part_writing.LEADING_BASS_COST and \
                            (rising >= 0).any():
                        biased = biased.copy() if biased is logits else biased
                        _leading_cost(biased, rising, cand, pitch_offset)
                    if rules and n > 2 and i == n - 1 and frame.on_beat and \
                            part_writing.BASS_HOLD_COST:
                        biased = biased.copy() if biased is logits else biased
                        _bass_hold_cost(biased, cur[:, :i], chord[:, :i],
                                        cur[:, i] if part_writing.BASS_RESTRIKE_COST else None,
                                        cand, pitch_offset)
                    if rules and n > 2 and i and frame.on_beat and part_writing.SEVENTH_CHORD_COST:
                        biased = biased.copy() if biased is logits else biased
                        _seventh_chord_cost(biased, cur[:, :i], cand, pitch_offset, i == n - 1,
                                            cur[:, i])
                    if rules and n > 2 and i == n - 1 and frame.on_beat and \
                            part_writing.APPLIED_RESOLUTION_COST and sc.given_next and \
                            sc.given_next[fi]:
                        biased = biased.copy() if biased is logits else biased
                        _led_nowhere_cost(biased, cur[:, :i], cand, pitch_offset, mode_minor,
                                          sc.given_next[fi])
                    if rules and n > 2 and i == n - 1 and frame.on_beat and \
                            part_writing.LEADING_AHEAD_COST and sc.top_next and \
                            sc.top_next[fi] >= 0:
                        biased = biased.copy() if biased is logits else biased
                        _leading_ahead_cost(biased, cur[:, :i], cand, pitch_offset, mode_minor,
                                            sc.top_next[fi])
                    if rules and n > 2 and i == n - 1 and frame.on_beat and \
                            part_writing.SEVENTH_AHEAD_COST and sc.top_next and \
                            sc.top_next[fi] >= 0:
                        biased = biased.copy() if biased is logits else biased
                        _seventh_ahead_cost(biased, cur[:, :i], cand, pitch_offset, mode_minor,
                                            sc.top_next[fi], cur[:, i])
                    if rules and n > 2 and i and frame.on_beat and \
                            part_writing.APPLIED_RESOLUTION_COST and (target >= 0).any():
                        biased = biased.copy() if biased is logits else biased
                        _resolution_cost(biased, target, target_bits, cur[:, :i], cand,
                                         pitch_offset, i == n - 1, cur[:, i])
                    if rules and n > 2 and i and frame.on_beat and \
                            part_writing.CHROMATIC_CHORD_COST:
                        biased = biased.copy() if biased is logits else biased
                        _chromatic_chord_cost(biased, cur[:, :i], cand, pitch_offset, mode_minor,
                                              i == n - 1, cur[:, i])
                    if pull_close is not None:
                        biased = biased.copy() if biased is logits else biased
                        biased[close_rows, pitch_offset:] += pull_close
                    if rules and n > 3 and i == 1 and cadence_rules.ALTO_SPACING_COST:
                        biased = biased.copy() if biased is logits else biased
                        _spacing_cost(biased, cur[:, 0], cand, pitch_offset, held=cur[:, 1])
                    if rules and n == 4 and i == 2 and frame.on_beat and TENOR_TIE_COST:
                        # (a note struck inside the last beat held across this one, or on a
                        # downbeat one struck after the last)
                        tied = (struck_step[:, i] < frame.step) & \
                            (struck_step[:, i] > frame.step - job.beat_steps)
                        if frame.pos == 0 and len(downbeats) == 2 and \
                                not (frame.close_held or frame.final):
                            tied |= (struck_step[:, i] > downbeats[0]) & \
                                (struck_step[:, i] < frame.step)
                        biased = biased.copy() if biased is logits else biased
                        biased[(cur[:, i] >= 0) & tied, HOLD] -= TENOR_TIE_COST
                    if rules and n > 3 and i == 2 and cadence_rules.TENOR_SPACING_COST:
                        biased = biased.copy() if biased is logits else biased
                        _spacing_cost(biased, cur[:, 1], cand, pitch_offset,
                                      cadence_rules.TENOR_SPACING_COST, held=cur[:, 2])
                    if i and tune_chords.QUICK_CLASH_COST and frame.step in job.span_clash:
                        # a chord held under a quick melody's notes fits them, not only the one
                        # struck with it (QUICK_CLASH_COST)
                        biased = biased.copy() if biased is logits else biased
                        clash = job.span_clash[frame.step]
                        biased[:, pitch_offset:pitch_offset + len(cand)] -= \
                            tune_chords.QUICK_CLASH_COST * clash[cand % 12]
                        on = cur[:, i] >= 0  # (a note held on into the span: its own clash)
                        biased[on, HOLD] -= tune_chords.QUICK_CLASH_COST * clash[cur[on, i] % 12]
                    if tune_cost is not None:
                        # ... and is the chord the tune's figure outlines (TUNE_CHORDS)
                        biased = biased.copy() if biased is logits else biased
                        biased[:, pitch_offset:pitch_offset + len(cand)] -= tune_cost
                        on = np.flatnonzero(cur[:, i] >= 0)  # (held: its own pitch's cost)
                        biased[on, HOLD] -= tune_cost[on, cur[on, i] - cand[0]]
                    if full_rows is not None and i == 1 and len(full_rows):
                        biased = biased.copy() if biased is logits else biased
                        biased[full_rows, pitch_offset:] += _full_close_pull(
                            cur[full_rows, :i], cand)
                    if key_pull is not None:
                        biased = biased.copy() if biased is logits else biased
                        biased[:, pitch_offset:] += key_pull
                    if pre is not None and pre.pull is not None:
                        biased = biased.copy() if biased is logits else biased
                        biased[pre.rows, pitch_offset:] += pre.pull if i else pre.top
                        if i == n - 1:
                            biased[pre.rows, pitch_offset:] += pre.bass
                        elif i and pre.inner is not None:
                            biased[pre.rows, pitch_offset:] += pre.inner
                    if pulled[i]:
                        if biased is logits:
                            biased = biased + job.pull[i]
                        else:  # already a copy (restatement or density)
                            biased += job.pull[i]
                    if suspend:  # (a suspension's note is struck an eighth late: it holds,
                        # and the other voices hold or rest with it, the chord it falls into
                        # standing)
                        busy = (suspended >= frame.step).any(axis=1)
                        late = np.flatnonzero(busy & holding)
                        mask[late] = False
                        mask[late, HOLD] = True
                        quiet = np.flatnonzero(busy & ~holding)
                        mask[quiet] = False
                        mask[quiet, REST] = True
                    empty = ~mask.any(axis=1)
                    if empty.any():
                        # every rule together left a row nothing to write (a melody cut off
                        # on a sixteenth where the final cadence was planned): the voice's own
                        # notes, as before any rule, rather than no note at all
                        mask[empty] = job.pitch_ok[i]
                        mask[empty, HOLD] = holding[empty]
                        mask[empty, REST] = ~holding[empty]
                    chosen = sample_tokens(biased, mask, temperature, top_k, top_p,
                                           rng.random(rows))
                if scoring:
                    score += loglik(chosen)
                    if i and tune_chords.QUICK_CLASH_COST and frame.step in job.span_clash:
                        # (the search weighs the clash as the sampling did)
                        hit = chosen >= pitch_offset
                        hit_pcs = (chosen[hit] - pitch_offset + min_pitch) % 12
                        clash = job.span_clash[frame.step]
                        score[hit] -= tune_chords.QUICK_CLASH_COST * clash[hit_pcs]
                        on = (chosen == HOLD) & (cur[:, i] >= 0)
                        score[on] -= tune_chords.QUICK_CLASH_COST * clash[cur[on, i] % 12]
                    if tune_cost is not None:  # (the search weighs the plan as sampling did)
                        hit = np.flatnonzero(chosen >= pitch_offset)
                        score[hit] -= tune_cost[hit, chosen[hit] - pitch_offset]
                        on = np.flatnonzero((chosen == HOLD) & (cur[:, i] >= 0))
                        score[on] -= tune_cost[on, cur[on, i] - cand[0]]
                if hist is not None and frame.step < hist.shape[1]:
                    hist[:, frame.step] = chosen
                attack_any = chosen >= pitch_offset
                if i == 0 and not frame.context:
                    tune_struck += attack_any
                    tune_pitch[attack_any] += chosen[attack_any] - pitch_offset + min_pitch
                kept_on |= (chosen == HOLD) & (cur[:, i] >= 0)
                entered[attack_any, i] = True
                cur[attack_any, i] = chosen[attack_any] - pitch_offset + min_pitch
                struck_now = cur[attack_any, i]
                strikes[attack_any, i] = np.where(struck_now == last_struck[attack_any, i],
                                                  strikes[attack_any, i] + 1, 1)
                if n == 1 or rhythm_of[i] is not None:  # (SKETCH_RHYTHM)
                    struck_pos[attack_any, i] = frame.pos
                    if rhythm_of[i] is not None and rhythm_of[i].beat_figures:
                        if frame.pos % job.beat_steps == 0:  # (a beat begins)
                            figure[:, i] = 0
                        figure[attack_any, i] |= 1 << (frame.pos % job.beat_steps)
                if n == 1:  # the melody's spans between attacks (EVEN_RUN_COST)
                    now = np.where(struck_step[:, i] > -(10 ** 9), frame.step - struck_step[:, i],
                                   -1)
                    same = attack_any & (now == span) & (now > 0)
                    spans[attack_any] = np.where(same[attack_any], spans[attack_any] + 1, 1)
                    span[attack_any] = now[attack_any]
                    spans[chosen == REST], span[chosen == REST] = 0, -1
                struck_before[attack_any, i, 1] = struck_before[attack_any, i, 0]
                struck_before[attack_any, i, 0] = last_struck[attack_any, i]
                last_struck[attack_any, i] = struck_now
                struck_step[attack_any, i] = frame.step
                cur[chosen == REST, i] = -1
                frame_attack |= attack_any
                struck[:, i] = attack_any
                if job.rewritten[i] and not frame.context:
                    for r in np.flatnonzero(chosen != HOLD):
                        if susp_here and i < n - 1 and chosen[r] >= pitch_offset and \
                                0 <= opened[r, i] <= frame.step - job.beat_steps and \
                                1 <= pitch[r, i] - cur[r, i] <= 2:
                            # (a step down from a note held a beat: a suspension, maybe, once
                            # the voices below are known)
                            prepared = int(pitch[r, i])
                            g0 = close(r, i, frame.step)
                            if g0 is not None:
                                delayed.append((int(r), i, prepared, g0))
                            continue
                        if split_here and chosen[r] >= pitch_offset and opened[r, i] == beat_at:
                            g0 = close(r, i, frame.step)
                            if g0 is not None:
                                ending.append((int(r), i, g0))
                            continue
                        g = out(r, close(r, i, frame.step))
                        if g is not None:
                            if cancelled():
                                return
                            yield g
                    attack = chosen >= pitch_offset
                    if attack.any():
                        opened[attack, i] = frame.step
                        pitch[attack, i] = chosen[attack] - pitch_offset + min_pitch
                if (fi, i) != last_slot:
                    if cancelled():
                        return
                    feed(chosen)
            for r, i, prepared, g in delayed:
                # (one a beat, and a voice's SUSPENSION_BEATS apart; not out of a phrase end's
                # chord: a fermata over the note held; the bass before it: the last beat's and
                # its half beat's)
                if _suspends(cur[r], i, prepared, int(at_beat[r, n - 1]),
                             int(at_half[r, n - 1])) and \
                        fermata_at[r] < g.note.start // step and \
                        not (suspended[r] > frame.step).any() and \
                        (suspended[r, i] < 0 or frame.step - suspended[r, i] > susp_gap) and \
                        suspend_rng.random() < SUSPENSION_SHARE[min(i, len(SUSPENSION_SHARE) - 1)]:
                    g = replace(g, note=replace(g.note, duration=g.note.duration + half * step))
                    opened[r, i] = suspended[r, i] = frame.step + half
                    suspended_from[r, i] = prepared
                g = out(r, g)
                if g is not None:
                    if cancelled():
                        return
                    yield g
            for r, i, g0 in sorted(ending, key=lambda e: e[1]):
                # a close's chord or a planned dominant stands through its beat: only a
                # dominant's passing seventh leaves it (SEVENTH_FROM_DOMINANT); a fermata's
                # chord, not even that
                standing = bool(was_fermata[r] == beat_at or beat_at in dominant_beats)
                for g in self._passing(g0, r, i, job, at_beat, at_half, cur,
                                       bool(between[r]) or was_marked[r] == beat_at
                                       or bool(suspend and (suspended[r] == beat_at + half).any())
                                       or (standing and not SEVENTH_FROM_DOMINANT)
                                       or job.lower_stride > 0, mode_minor,
                                       passing_rng, v,
                                       fermata_at[r] == frame.step or frame.cadence == 2,
                                       seventh_only=standing, sounded=heard_beat):
                    g = out(r, g)
                    if g is not None:
                        if cancelled():
                            return
                        yield g
            if halves:
                if frame.on_beat:
                    beat_at, at_beat, between = frame.step, cur.copy(), np.zeros(rows, bool)
                    heard_beat = at_beat if not suspend else np.where(
                        suspended == frame.step + half, suspended_from, at_beat)
                elif frame.step == beat_at + half:
                    at_half = cur.copy()
                else:
                    between |= frame_attack
            last_sound[(cur >= 0).any(axis=1)] = frame.step
            last_onset[frame_attack] = frame.step
            if job.search_bars_to >= fi:
                faults += BAR_CHORD_FAULT * part_writing.bar_faults(cur, struck, owed,
                                                                   frame.on_beat, mode_minor)
            if rules and n > 2:
                owed = _owed_sevenths(owed, cur, struck)
                if part_writing.LEADING_BASS_COST or LEADING_BASS_ROOM:
                    rising = _owed_rises(rising, cur, struck[:, n - 1], mode_minor)
                if part_writing.APPLIED_RESOLUTION_COST and frame.on_beat:
                    target, target_bits = _owed_resolutions(target, target_bits, cur, mode_minor)
            if closes_marked is not None and DROP_FAILED_CLOSES and rules and n > 2:
                # a phrase end whose chord the rules could not make a close is no phrase end
                failed = closes_marked[~_closes(cur[closes_marked])]
                sampled[failed] = False
                fermata_at[failed], marked_at[failed] = was_fermata[failed], was_marked[failed]
            if closes_marked is not None and UNSTRUCK_ENDS_DROPPED and rules and n > 2:
                # ... nor one marked where no voice strikes (none is written there)
                unstruck = closes_marked[~frame_attack[closes_marked]]
                sampled[unstruck] = False
                fermata_at[unstruck], marked_at[unstruck] = \
                    was_fermata[unstruck], was_marked[unstruck]
            if closes_marked is not None and planning is not None:  # the plans closed away
                away = sampled[closes_marked] & (planning != tonic_root)
                last_away[closes_marked[away]] = planning[away]
            if sampled is not None:
                ended = np.flatnonzero(sampled & frame_attack)
                unmarked = frame.final == 1 and job.final_unmarked
                for r in ended:
                    if not unmarked and frame.step not in job.heard_ends:
                        marked[r].append(frame.step * step)
                roots = _chord_roots(cur[ended])
                if job.search_bars_to >= fi and BAR_SEARCH_REPEATED_CLOSES:
                    faults[ended] += (roots >= 0) & (roots != tonic_root) & \
                        (roots == last_close[ended])
                if job.search_bars_to >= fi and BAR_SEARCH_HALF_CLOSES:
                    faults[ended] += _unplanned_half_closes(
                        roots, beat_before[ended],
                        closing_plan[ended] if closing_plan is not None else tonic_root,
                        mode_minor)
                last_close[ended] = roots
            if frame.cadence:  # a phrase close's chord may stand as a fermata's does
                fermata_at[frame_attack] = frame.step
            onset = frame_attack if resolving is None else frame_attack | resolving.any(axis=1)
            if onset.any():  # an onset: the outer voices the next onset is checked against
                top, bottom = _outer(cur)
                outer[onset, 0] = top[onset]
                outer[onset, 1] = bottom[onset]
                chord[onset] = cur[onset]
        if job.n_context == 0:
            for g in close_all():
                if cancelled():
                    return
                yield g
        if streaming:
            for r in range(rows):
                self.phrase_ends[int(group[r])] = marked[r]
                self.fermatas[int(group[r])] = marked[r] if job.write_ends and \
                    job.fermatas_written else []
            return
        # the search: each variation keeps its best candidate
        yield from self._best_candidates(job, k, group, held, emitted, score, marked, cancelled)

    def _best_candidates(self, job: _VoiceJob, k: int, group: np.ndarray,
                         held: list[list[GeneratedNote]], emitted: list[list[Note]],
                         score: np.ndarray, marked: list[list[int]],
                         cancelled: Callable[[], bool]) -> Iterator[GeneratedNote]:
        """The search's result: each variation keeps its best candidate (an authentic close
        on the tonic, no parallels at the end, a full final chord, fewer parallels with each
        other and the given voices, then the model's log-likelihood ``score``), whose notes
        (``held``; ``emitted``: what was streamed before the forks) and phrase ends
        (``marked``) are its own."""
        report = self.search
        report.groups = k
        m = job.candidates
        # what each candidate writes, (part, start, pitch): a variation that says again what
        # another says, or the notes it replaces, is passed over where another is as good
        heard: set[frozenset] = set()
        if DISTINCT_VARIATIONS and job.replaced_notes:
            heard.add(job.replaced_notes)
        taken: set[int] = set()
        chosen: set[frozenset] = set()
        for var in range(k):
            cands = np.flatnonzero(group == var).tolist()
            if DISTINCT_VARIATIONS and job.replaced_notes:  # the others' unchosen ones too
                cands += [r for r in range(len(group)) if group[r] != var and r not in taken]
            new_here = {r: _written(held[r], emitted[int(group[r])], job.figure) not in heard
                        for r in cands} if DISTINCT_VARIATIONS and job.replaced_notes else {}
            tonic: dict[int, bool] = {}
            authentic: dict[int, bool] = {}
            clean: dict[int, bool] = {}
            full: dict[int, bool] = {}
            if job.tonic_check:
                for r in cands:
                    notes = _ending_notes(job.kept_notes + emitted[var]
                                          + [g.note for g in held[r]], job)
                    tonic[r] = analysis.ends_on_tonic(notes, job.close_key, job.plan.stop_tick)
                    authentic[r] = tonic[r] and _ends_authentic(notes, job)
                    clean[r] = _ending_without_parallels(notes, job)
                    full[r] = not FULL_FINAL or _full_close(notes, job)
                report.first_on_tonic += tonic[cands[0]]
                report.found_tonic += any(tonic.values())
                report.found_authentic += any(authentic.values())
            home: dict[int, int] = {}  # a melody: minus its final's distance from home
            if job.tonic_check and job.home_final >= 0:
                for r in cands:
                    last = max((g.note for g in held[r] if g.voice in (None, 0)),
                               key=lambda x: x.start, default=None)
                    home[r] = 0 if last is None else -abs(last.pitch - job.home_final)
            fewer: dict[int, int] = {}  # minus the parallels of the written voices
            crossed: dict[int, int] = {}  # minus a written voice crossing a given one
            sevenths: dict[int, int] = {}  # minus the bass's sevenths left by leap
            unfunctional: dict[int, int] = {}  # minus the chords outside the key with no function
            if SEARCH_PARALLELS and job.style_rules and len(cands) > 1:
                beats: list[int] | None = None
                for r in cands:
                    parts: dict[int | None, list[Note]] = {}
                    for g in held[r]:
                        parts.setdefault(g.part, []).append(g.note)
                    lines = list(parts.values()) + [x for x in job.given_lines if x]
                    fewer[r] = -analysis.voice_parallels(lines) if len(lines) > 1 else 0
                    if SEARCH_CROSSINGS and len(job.given_lines) > 1:  # (a melody alone:
                        # the rules keep every written voice under it)
                        crossed[r] = -sum(analysis.voice_crossings(sorted(
                            (w, g), key=lambda x: -statistics.median(n.pitch for n in x)))[0]
                            for w in parts.values() for g in job.given_lines if w and g)
                    if SEARCH_BASS_SEVENTHS and len(lines) > 2:
                        if beats is None:
                            beats = [f.step * job.step_ticks for f in job.frames
                                     if f.on_beat and not f.context]
                        bass = min(lines, key=lambda x: statistics.median(n.pitch for n in x))
                        every = [n for x in lines for n in x]
                        sevenths[r] = -analysis.leaping_bass_sevenths(
                            bass, every, beats, job.beat_steps * job.step_ticks)[0]
                        if SEARCH_UNFUNCTIONAL and job.key is not None:
                            unfunctional[r] = -part_writing.unfunctional_chords(
                                every, beats, job.key)[0]
            best = max(cands, key=lambda r: (authentic.get(r, False), clean.get(r, True),
                                             full.get(r, True), tonic.get(r, False),
                                             bool(held[r]) or not new_here,
                                             new_here.get(r, True), group[r] == var,
                                             home.get(r, 0), fewer.get(r, 0),
                                             crossed.get(r, 0), sevenths.get(r, 0),
                                             unfunctional.get(r, 0),
                                             score[r], -r))
            taken.add(best)
            written = _written(held[best], emitted[int(group[best])], job.figure)
            if new_here:
                report.repeated += written in heard
                heard.add(written)
            else:  # (a continuation's: said, not searched for; a fuzz run got three alike)
                report.alike += written in chosen
            chosen.add(written)
            self.phrase_ends[var] = marked[best]
            self.fermatas[var] = marked[best] if job.write_ends and job.fermatas_written \
                else []
            for g in sorted(held[best], key=lambda g: (g.note.end, g.note.start, -g.note.pitch)):
                if cancelled():
                    return
                # (a candidate of another variation's, taken: its notes are this one's)
                yield g if g.variation == var else replace(g, variation=var)
        if job.tonic_check and report.found_tonic < k:
            self.warnings.append(f"{k - report.found_tonic} of {k} variation(s): none of "
                                 f"{m} candidates ended on the tonic chord")
        if report.repeated:
            self.warnings.append(
                f"{report.repeated} of {k} variation(s) repeat another or the notes they "
                "replace: the model found nothing else here (select more, or raise the "
                "temperature)")
        if report.alike:
            self.warnings.append(
                f"{report.alike} of {k} variation(s) are the same as another (a short span "
                "leaves the model few choices: add bars, or raise the temperature)")


# A region's variations: each prefers a candidate that writes something the others and the
# notes it replaces do not (the ranking's checks of the close first, then this, then the
# model's likelihood), from its own candidates or, failing them, the others' unchosen ones. A
# review regenerated one voice of one bar of a chorale and got three variations alike, each
# the notes it replaced, in 6 of 7 tries: the likeliest candidate of a narrow span is the same
# in every variation, and often Bach's own. A candidate that writes no note at all (its voice
# holding on, or resting) is new only as a last resort: a second review was offered such
# variations, 4 of 24
DISTINCT_VARIATIONS = True


def _written(held: list[GeneratedNote], emitted: list[Note],
             figure: figures.FigurePlan | None = None) -> frozenset:
    """What a candidate writes, as (part, start, pitch): notes alike in those are alike. A
    left hand played in its figure (``figure``) is what it plays (FIGURE_CHORDS_DISTINCT)."""
    if figure is not None and FIGURE_CHORDS_DISTINCT:
        hand = {*figure.hand, *figure.heard}
        return frozenset((g.part, g.note.start, g.note.pitch) for g in held
                         if g.voice not in hand) | figures.figure_heard(figure, held) | \
            frozenset((None, x.start, x.pitch) for x in emitted)
    return frozenset((g.part, g.note.start, g.note.pitch) for g in held) | frozenset(
        (None, x.start, x.pitch) for x in emitted)


# ... and where a left hand is played in its figure, two candidates that the figure plays alike
# are alike: a 2/4 march's Regenerate of its left hand offered two variations alike in 15 of 24
# runs of three, its voices differing only where the figure does not show them
FIGURE_CHORDS_DISTINCT = True


def _steps_to(root: int, cand: np.ndarray) -> np.ndarray:
    """[candidates]: the pitches a step or less from a pitch of class ``root``."""
    return np.isin((cand - root) % 12, (0, 1, 2, 10, 11))


def _crowded(last_place: int | None, long_phrase: int, step: int) -> bool:
    """A phrase end at ``step`` would leave less than a long phrase before the last phrase's
    place (LAST_PHRASE_ROOM): the phrase runs on to that place instead."""
    return LAST_PHRASE_ROOM and last_place is not None and 0 < last_place - step < long_phrase


def _draw_plans(plan: np.ndarray, plan_for: np.ndarray, due: int, marked_at: np.ndarray,
                long_phrase: int, last_close: np.ndarray, last_away: np.ndarray,
                tonic_root: int, minor: bool, rng: np.random.Generator, cand: np.ndarray
                ) -> np.ndarray | None:
    """A beat a few beats before the place ``due`` (a step) where a long phrase may end: the
    rows not yet planned for it draw the root their phrase is to close on (TONAL_PLAN, not
    the key away their last planned close was in: ``last_away``; seldom the root it closed
    on: ``last_close``), written into ``plan`` and ``plan_for`` in place; a row whose phrase
    will be too short by then plans the tonic. Returns the pull toward each row's planned key
    ([rows, candidates], PLAN_KEY_PULL), None where none pulls (every row plans the tonic of
    a major key, or its phrase will be too short)."""
    new = plan_for != due
    if new.any():
        drawn = _plan_targets(rng, int(new.sum()), minor,
                              last_close[new] if NO_REPEATED_PLAN else None)
        plan[new] = np.where(drawn == last_away[new], tonic_root, drawn)
        plan_for[new] = due
    short = due - marked_at < long_phrase
    plan[short] = tonic_root
    # (in minor a plan on the tonic leans to its leading tone too: MINOR_TONAL_PLAN)
    pulls = _key_pull_table(minor, minor and cadence_rules.MINOR_TONAL_PLAN
                            and cadence_rules.MINOR_PLAN_LEANS)[plan]
    pulls[short] = 0.0
    if pulls.any():
        return pulls[:, cand % 12]
    return None


@dataclass
class _PredominantPull:
    """On the beat before a cadence's dominant (a planned one, or a planned close's two beats
    ahead of a place where a long phrase may end), the rows drawn to its key's predominant
    (:data:`cadence_rules.PREDOMINANT_PULL`): the voices below the top to ii or IV, the bass to
    the fourth degree, the top voice where it is written. ``subtonic_rows`` and
    ``subtonics``: the rows whose subtonic no voice sounds there (SUBTONIC_BEFORE_V), and each
    one's; ``leading``: the leading tone's pitch class that the voice above the bass leaves in
    reach (LEADING_TONE_REACH; None: none)."""
    rows: np.ndarray
    pull: np.ndarray | None  # [rows, candidates] (None once no row is left: keep_under)
    bass: np.ndarray
    top: np.ndarray
    fits: np.ndarray  # [rows, 12]: the pitch classes of the predominant's chords
    subtonics: np.ndarray
    subtonic_rows: np.ndarray | None
    leading: int | None
    inner: np.ndarray | None = None  # [rows, candidates]: the alto's and tenor's tonic pull

    def keep_under(self, top: np.ndarray) -> None:
        """Only the rows whose top voice (``top``: its pitch per row, -1: silent) sounds a
        note of the predominant, given or drawn, pull the voices below it."""
        keep = (top < 0) | self.fits[np.arange(len(self.rows)), np.maximum(top, 0) % 12]
        if not keep.all():
            self.rows, self.pull, self.bass = self.rows[keep], self.pull[keep], self.bass[keep]
            if self.inner is not None:
                self.inner = self.inner[keep]
            if not len(self.rows):
                self.pull = None


def _predominant_pull(sc: _Schedule, frame: _Frame, fi: int, beat_steps: int, rows: int,
                      cand: np.ndarray, marked_at: np.ndarray, plan: np.ndarray,
                      plan_for: np.ndarray) -> _PredominantPull | None:
    """The pull toward a predominant on this beat's frame (:class:`_PredominantPull`): a beat
    before a planned cadence's dominant (the cadence option's, a harmonized melody's closes),
    or two beats before a place where a long phrase may end, in the key of its planned close
    (TONAL_PLAN: ``plan``, drawn for the step ``plan_for``); None where there is none."""
    cad_key = sc.dominant_keys.get(frame.step + beat_steps)
    if cad_key is not None:
        minor, tonic = cad_key
        return _PredominantPull(
            rows=np.arange(rows),
            pull=np.broadcast_to(_predominant_pulls(minor)[tonic][cand % 12], (rows, len(cand))),
            bass=np.broadcast_to(_predominant_bass(minor)[tonic][cand % 12], (rows, len(cand))),
            top=np.broadcast_to(_predominant_pulls(minor, top=True)[tonic][cand % 12],
                                (rows, len(cand))),
            fits=np.broadcast_to(_predominant_fits(minor)[tonic], (rows, 12)),
            subtonics=np.full(rows, (tonic + 10) % 12),
            subtonic_rows=np.arange(rows) if SUBTONIC_BEFORE_V else None,
            leading=(tonic + 11) % 12 if cadence_rules.LEADING_TONE_REACH else None,
            inner=np.broadcast_to(_tonic_pull(np.array([tonic]), cand), (rows, len(cand)))
            if cadence_rules.PREDOMINANT_TONIC_PULL else None)
    if not sc.before_dominant[fi]:
        return None
    due = frame.step + 2 * beat_steps
    ahead = due - marked_at >= sc.long_phrase
    if sc.closing is not None and 0 < sc.closing - due < sc.min_last:
        ahead[:] = False
    # (only where a plan is drawn for it: a minor continuation planned none, and with the pull
    # there its phrase ends failed more often, until MINOR_TONAL_PLAN: with the plan, phrases of
    # 12 beats or more val 11.2% -> 9.9%, test 6.4% -> 3.6%, bench/phrase_ends.py --minor)
    ahead &= plan_for == due
    if not ahead.any():
        return None
    pre_rows = np.flatnonzero(ahead)
    keys = plan[pre_rows]
    return _PredominantPull(
        rows=pre_rows, pull=_predominant_pulls(None)[keys][:, cand % 12],
        bass=_predominant_bass(None)[keys][:, cand % 12],
        top=_predominant_pulls(None, top=True)[keys][:, cand % 12],
        fits=_predominant_fits(None)[keys], subtonics=(keys + 10) % 12,
        subtonic_rows=pre_rows if SUBTONIC_BEFORE_V else None, leading=None,
        inner=_tonic_pull(keys, cand) if cadence_rules.PREDOMINANT_TONIC_PULL else None)


def _tonic_pull(tonics: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """[len(tonics), candidates]: PREDOMINANT_TONIC_PULL on each row's tonic."""
    return cadence_rules.PREDOMINANT_TONIC_PULL * (cand[None, :] % 12 == tonics[:, None])


@dataclass
class _Schedule:
    """What :meth:`VoiceSampler._run` reads frame by frame and can know before it samples:
    where phrases may end and the last one starts, and how each close is prepared (the beats
    before a place, a planned dominant's beat, the bass's reach to a cadence root), in steps
    of the grid; per-frame lists run parallel to ``job.frames``."""

    closing: int | None  # the closing chord's step (its fermata forced), None: no close
    min_phrase: int  # steps a phrase lasts at least (MIN_PHRASE_BEATS)
    min_last: int  # ... the last one (MIN_LAST_PHRASE_BEATS)
    strong: list[bool]  # per frame: a place where a phrase may end
    long_phrase: int
    overdue_phrase: int
    places: frozenset[int]  # the positions in the bar of the sketch's phrase ends
    placed_at: set[int]  # the steps where a long phrase may end
    last_place: int | None  # the step where the last phrase starts
    before_place: list[bool]  # a beat before a place (PRE_CLOSE_PULL)
    dominant_beats: set[int]  # the beats of planned dominants (no passing eighth into one)
    before_close: list[bool]  # inside the EIGHTH_CLEAR_BEATS beats before a close
    before_dominant: list[bool]  # two beats before a place (PREDOMINANT_PULL)
    dominant_keys: dict[int, tuple[bool, int]]  # a planned dominant's step: its cadence's key
    place_ahead: list[int]  # the place within CLOSE_BASS_ROOM beats (-1: none)
    # a planned dominant's root struck within it, or (TONIC_BASS_ROOM) a planned tonic's where
    # no dominant comes first (-1: none)
    dominant_ahead: list[int]
    half_close: list[bool]  # a planned dominant no planned tonic follows (HALF_CLOSE_TRIAD)
    cadence_ahead: list[int]  # a planned cadence chord's root within the next beat (-1: none)
    plan_place: list[int]  # the place within PLAN_BEATS where a long phrase may end (-1: none)
    unresolved: list[int] | None  # the given voices' pitch classes that cannot be sevenths
    given_ahead: list[int] | None  # the pitch classes given voices strike in the next beat
    given_next: list[int] | None  # ... and sound on the next beat (_given_next_beat)
    top_next: list[int] | None  # the given top voice's pitch on the next beat (-1: none)
    top_rest: list[bool] | None  # the given top voice rests here (MELODY_RESTS_ALL)
    top_enters: list[bool] | None  # ... and enters again here
    # per frame: a point of the sketch's own phrase grid (SKETCH_PHRASES); None: no such grid
    sketch_grid: list[bool] | None = None
    # per frame: the leading tone (normalized pitch class) of a planned dominant struck within
    # the next beat (-1: none; LEADING_REACH_IN_BEAT)
    leading_ahead: list[int] | None = None
    # per frame where cadence_ahead is set: the given top voice's pitch just before that
    # cadence chord and on it (-1: not given; CADENCE_REACH_OUTER)
    cadence_top: list[tuple[int, int]] | None = None

    def crowded(self, step: int) -> bool:
        return _crowded(self.last_place, self.long_phrase, step)


def _schedule(job: _VoiceJob, n: int, pitch_offset: int, min_pitch: int) -> _Schedule:
    """The job's :class:`_Schedule` (``n`` voices; the vocabulary's pitch tokens)."""
    closing = next((f.step for f in job.frames if f.final == 1 and f.fermata), None)
    pb = job.phrase_beat or job.beat_steps  # a phrase's lengths count these (PHRASE_BEAT_34)
    min_phrase = MIN_PHRASE_BEATS * pb
    min_last = max(MIN_LAST_PHRASE_BEATS, MIN_PHRASE_BEATS) * pb
    # the strong beats (the downbeat, and the middle of a bar of an even number of beats)
    # and how long a phrase runs before a prepared cadence is drawn to end it
    strong = _strong_frames(job.frames, job.beat_steps)
    long_phrase = phrase_grid.LONG_PHRASE_BEATS * pb
    overdue_phrase = OVERDUE_PHRASE_BEATS * pb
    last_phrase = tuple(b * pb for b in LAST_PHRASE_BEATS)
    if job.sketch_phrase:  # the sketch's own shorter phrases (SKETCH_PHRASES)
        long_phrase = job.sketch_phrase
        min_last = min(min_last, long_phrase)
        last_phrase = (long_phrase, long_phrase + long_phrase // 2)
    places = job.fermata_places if PHRASE_PLACES else frozenset()
    if places:  # the sketch's phrase ends show where in the bar the model's fall
        strong = [f.pos in places for f in job.frames]
        overdue_phrase = long_phrase  # (the next place after 8 beats is 12 beats on)
    sketch_grid = [(f.step - job.last_fermata) % job.sketch_phrase == 0
                   for f in job.frames] if job.sketch_phrase else None
    if places and sketch_grid:  # ... and on the grid of its own length
        strong = [on and g for on, g in zip(strong, sketch_grid, strict=True)]
    # per frame: on a beat, a beat before a place where a phrase may end (PRE_CLOSE_PULL)
    placed_at = {f.step for f, on in zip(job.frames, strong, strict=True)
                 if on and f.final == 0 and not f.context} if places else set()
    # the place where the last phrase starts: the one nearest LAST_PHRASE_BEATS before the
    # closing chord that leaves it MIN_LAST_PHRASE_BEATS (a later one when none is there)
    last_place = None
    if closing is not None:
        fits = [f.step for f, on in zip(job.frames, strong, strict=True)
                if on and f.on_beat and f.final == 0 and not f.context
                and min_last <= closing - f.step <= last_phrase[1]]
        if fits:  # (those that leave whole long phrases after the sketch's first)
            last_place = min(fits, key=lambda t: (
                LAST_PHRASE_ON_GRID and job.phrase_unit > 0 and bool(places)
                and (t - job.last_fermata) % job.phrase_unit != 0,
                abs(closing - t - last_phrase[0]), -t))

    def crowded(step: int) -> bool:
        return _crowded(last_place, long_phrase, step)

    placed_at = {p for p in placed_at if not crowded(p)}
    before_place = [f.on_beat and f.step + job.beat_steps in placed_at
                    and cadence_rules.PRE_CLOSE_PULL > 0 for f in job.frames]
    # the beats of planned dominants that stand through them (DOMINANT_BEAT_BASS): no
    # passing eighth is written into one
    dominant_beats = {f.step - f.pos % job.beat_steps for f in job.frames
                      if f.in_dominant is not None}
    # per frame: inside the EIGHTH_CLEAR_BEATS beats before a place where a phrase may end,
    # or before a planned cadence chord (no EIGHTH_PULL there: the chords that prepare the
    # close stand)
    clear_of = placed_at | {f.step for f in job.frames if f.cadence}
    before_close = [not f.on_beat and any(
        (f.step - f.pos % job.beat_steps + k * job.beat_steps) in clear_of
        for k in range(1, EIGHTH_CLEAR_BEATS + 1)) for f in job.frames]
    # ... two beats before one: the beat before its dominant (PREDOMINANT_PULL)
    before_dominant = [f.on_beat and f.step + 2 * job.beat_steps in placed_at
                       and cadence_rules.PREDOMINANT_PULL > 0 for f in job.frames]
    # the key (minor, normalized tonic) of each cadence whose dominant is planned (the
    # cadence option's, a harmonized melody's closes), by the dominant's step
    dominant_keys = {f.step: _cadence_key(f.close_key, job.key) for f in job.frames
                     if f.cadence == 1 and cadence_rules.PREDOMINANT_PULL > 0}
    # per frame: the place (step) within CLOSE_BASS_ROOM beats after it where a phrase may
    # end, before which the bass takes no seventh (-1: none)
    # (none where that place is too near the closing chord for a phrase end)
    room = CLOSE_BASS_ROOM * job.beat_steps
    place_ahead = [min((p for p in placed_at if 0 < p - f.step <= room), default=-1)
                   if job.style_rules and not (f.context or f.final or f.cadence or f.phrased)
                   else -1
                   for f in job.frames]
    if closing is not None:
        place_ahead = [-1 if 0 < closing - p < min_last else p for p in place_ahead]
    # ... and the root (normalized pitch class) of a planned cadence's dominant struck
    # within CLOSE_BASS_ROOM beats after it, or of its tonic where that comes first (inside
    # the dominant's beat; TONIC_BASS_ROOM) (-1: none; DOMINANT_BASS_ROOM)
    dominant_ahead = [-1] * len(job.frames)
    if job.style_rules and DOMINANT_BASS_ROOM:
        dominant_ahead = [-1 if f.context or f.final else r for f, r in zip(
            job.frames, _cadence_ahead(job.frames, room, job.key is not None
                                       and job.key.quality == "minor",
                                       which=None if TONIC_BASS_ROOM else 1),
            strict=True)]
    # per frame: a planned dominant that no planned tonic follows a beat later: a half close,
    # V without its seventh (HALF_CLOSE_TRIAD)
    tonic_at = {f.step for f in job.frames if f.cadence == 2}
    half_close = [f.cadence == 1 and f.step + job.beat_steps not in tonic_at
                  for f in job.frames]
    # per frame: the root (normalized pitch class) of a planned cadence chord struck within
    # the next beat, which the bass must reach from its note here (-1: none)
    cadence_ahead = (_cadence_ahead(job.frames, job.beat_steps,
                                    job.key is not None and job.key.quality == "minor")
                     if job.style_rules and n > 2 and BASS_TO_CADENCE
                     else [-1] * len(job.frames))
    tonic_root = CADENCE_ROOT[(job.key is not None and job.key.quality == "minor", 2)]
    # per frame: the place within PLAN_BEATS after it where a long phrase may end (-1: none)
    reach = PLAN_BEATS * job.beat_steps
    plan_place = [min((p for p in placed_at if 0 < p - f.step <= reach), default=-1)
                  if cadence_rules.planned_continuations(tonic_root == 9)
                  and f.step not in placed_at
                  and not (f.context or f.final or f.cadence or f.phrased) else -1
                  for f in job.frames]
    if closing is not None:
        plan_place = [-1 if 0 < closing - p < min_last else p for p in plan_place]
    # per frame: the pitch classes (bits) the given voices sound there as sevenths cannot be
    # (their next note rises or leaps): no chord written under them makes them one
    unresolved = (_unresolved_given(job, pitch_offset, min_pitch)
                  if job.style_rules and n > 2 else None)
    # per frame: the pitch classes given voices strike in the beat after it (12-bit sets)
    given_ahead = (_given_ahead(job, pitch_offset, min_pitch) if job.style_rules and n > 2
                   and part_writing.FALSE_RELATIONS else None)
    given_next = (_given_next_beat(job, pitch_offset, min_pitch) if job.style_rules and n > 2
                  and part_writing.APPLIED_RESOLUTION_COST else None)
    top_next = (_top_next_beat(job, pitch_offset, min_pitch) if job.style_rules and n > 2
                and (part_writing.LEADING_AHEAD_COST or part_writing.SEVENTH_AHEAD_COST)
                else None)
    stop_step = job.plan.stop_tick // job.step_ticks
    # per frame: the given top voice rests here, a beat or more (MELODY_RESTS_ALL: the
    # voices below rest with it), and the frame where it enters again (they enter with it)
    top_rest, top_enters = _given_top_rests(job, stop_step) \
        if job.style_rules and n > 2 and MELODY_RESTS_ALL else (None, None)
    return _Schedule(closing, min_phrase, min_last, strong, long_phrase, overdue_phrase, places,
                     placed_at, last_place, before_place, dominant_beats, before_close,
                     before_dominant, dominant_keys, place_ahead, dominant_ahead, half_close,
                     cadence_ahead, plan_place, unresolved, given_ahead, given_next, top_next,
                     top_rest, top_enters, sketch_grid,
                     _leading_ahead(job.frames, job.beat_steps, job.key is not None
                                    and job.key.quality == "minor")
                     if job.style_rules and n > 2 and cadence_rules.LEADING_REACH_IN_BEAT
                     else None,
                     _cadence_top(job, cadence_ahead, pitch_offset, min_pitch)
                     if CADENCE_REACH_OUTER and any(r >= 0 for r in cadence_ahead) else None)


def _phrase_end_logits(v: VoiceVocabulary, frame: _Frame, fi: int, logits: np.ndarray,
                       marked_at: np.ndarray, sc: _Schedule, rules: bool, n: int,
                       heard: np.ndarray, mode_minor: bool, phrase_beat: int
                       ) -> tuple[np.ndarray, np.ndarray]:
    """(logits, mask) for the POS token of a frame the model may mark a phrase end in: the
    step is forced, the fermata flag sampled where a phrase may end (its length, its place
    in the bar, a cadence ready in ``heard``, the chord at the last beat; the last phrase's
    place). ``marked_at``: each row's last marked phrase end; ``phrase_beat``: the steps a
    phrase's length counts as a beat (PHRASE_BEAT_34)."""
    closing, min_phrase, min_last = sc.closing, sc.min_phrase, sc.min_last
    strong, places, last_place = sc.strong, sc.places, sc.last_place
    long_phrase, overdue_phrase, crowded = sc.long_phrase, sc.overdue_phrase, sc.crowded
    rows = len(logits)
    p0 = v.pos_id(frame.pos)
    mask = np.zeros((rows, v.size), bool)
    mask[:, p0] = True
    mask[:, p0 + 1] = frame.step - marked_at >= min_phrase
    if closing is not None and 0 < closing - frame.step < min_last:
        mask[:, p0 + 1] = False
    if rules and n > 2 and FERMATAS_ON_BEATS and not frame.on_beat:
        mask[:, p0 + 1] = False
    pos_logits = logits
    # the rows whose last phrase did not start at its place (LAST_PHRASE_RETRY)
    late = None
    if rules and n > 2 and LAST_PHRASE_RETRY and last_place is not None and \
            frame.on_beat and frame.final == 0 and frame.step > last_place and \
            closing - frame.step >= min_last:
        late = frame.step - marked_at >= long_phrase
    if rules and n > 2 and places and not strong[fi]:
        pos_logits = logits.copy()
        pos_logits[:, p0 + 1] -= np.where(late, 0.0, OFF_PLACE_COST) \
            if late is not None else OFF_PLACE_COST
    if late is not None and late.any():
        pos_logits = pos_logits.copy()
        pos_logits[:, p0 + 1] += np.where(late, LAST_PHRASE_BONUS, 0.0)
    if rules and n > 2 and crowded(frame.step) and strong[fi]:
        pos_logits = pos_logits.copy()  # (LAST_PHRASE_ROOM)
        pos_logits[:, p0 + 1] -= OFF_PLACE_COST
    elif rules and n > 2 and frame.on_beat and strong[fi] and frame.final == 0:
        ready = _cadence_ready(heard, mode_minor) & (frame.step - marked_at >= long_phrase)
        overdue = frame.step - marked_at >= overdue_phrase
        bonus = np.where(ready, PHRASE_CADENCE_BONUS, 0.0) + \
            np.where(overdue, OVERDUE_PHRASE_BONUS, 0.0)
        if LAST_PHRASE_BONUS and frame.step == last_place:
            bonus = bonus + LAST_PHRASE_BONUS  # the last phrase starts here
        if bonus.any():
            pos_logits = pos_logits.copy()
            pos_logits[:, p0 + 1] += bonus
    # a phrase shorter than a long one, where the sketch's phrases show their places
    # (SHORT_PHRASE_COST; not where the last phrase starts)
    if rules and n > 2 and places and SHORT_PHRASE_COST and \
            frame.step != last_place and frame.final == 0:
        short = frame.step - marked_at < long_phrase
        if short.any():
            pos_logits = pos_logits.copy()
            pos_logits[:, p0 + 1] -= np.where(short, SHORT_PHRASE_COST, 0.0)
    # the last phrase starts at its place, or a retry, after a long phrase (LAST_PHRASE_FORCED)
    if rules and n > 2 and LAST_PHRASE_FORCED and last_place is not None and \
            frame.final == 0 and ((frame.step == last_place and strong[fi] and frame.on_beat)
                                  or late is not None):
        due = frame.step - marked_at >= long_phrase
        if late is not None:
            due &= late
        if due.any():
            mask = mask.copy()
            mask[due, p0] = ~mask[due, p0 + 1]
    # a phrase ends at each point of the sketch's own phrase grid (SKETCH_PHRASES)
    if rules and n > 2 and sc.sketch_grid and sc.sketch_grid[fi] and frame.on_beat and \
            frame.final == 0 and \
            not crowded(frame.step) and (closing is None or closing - frame.step >= min_last):
        due = frame.step - marked_at >= long_phrase
        if due.any():
            mask = mask.copy()
            mask[due, p0] = ~mask[due, p0 + 1]
    # a phrase that has run FORCED_PHRASE_BEATS ends at the next strong beat (its
    # close may still fail the rules: DROP_FAILED_CLOSES)
    if rules and n > 2 and FORCED_PHRASE_BEATS and frame.on_beat and strong[fi] \
            and frame.final == 0 and not crowded(frame.step) and \
            (closing is None or closing - frame.step >= min_last):
        due = frame.step - marked_at >= FORCED_PHRASE_BEATS * phrase_beat
        if due.any():
            mask = mask.copy()
            mask[due, p0] = ~mask[due, p0 + 1]
    return pos_logits, mask


def _lowest_root(mask: np.ndarray, cand: np.ndarray, pitch_offset: int, root: int,
                 floor: int | None = None) -> None:
    """The bass of the final tonic takes no pitch above the lowest pitch of ``root`` its mask
    allows (FINAL_BASS_LOW; the cadence's rules allow it the root alone), at or above
    ``floor`` where it allows one there (FINAL_BASS_FLOOR); a row that allows no pitch of
    ``root`` keeps its mask."""
    allowed = mask[:, pitch_offset:pitch_offset + len(cand)] & (cand % 12 == root)[None, :]
    low = np.zeros_like(allowed)  # the roots under the floor, where one is allowed above it
    if floor is not None:
        above = allowed & (cand >= floor)[None, :]
        low = above.any(axis=1)[:, None] & (cand < floor)[None, :]
        allowed = np.where(above.any(axis=1)[:, None], above, allowed)
    has = allowed.any(axis=1)
    lowest = np.where(has, cand[np.argmax(allowed, axis=1)], 10_000)
    keep = ~has[:, None] | ((cand[None, :] <= lowest[:, None]) & ~low)
    mask[:, pitch_offset:pitch_offset + len(cand)] &= keep


# The bass of the final tonic takes the root's lowest pitch it may reach: the continued test and
# val openings' final chords lay within an octave in 44 of 176 (Bach's 11 of 88), the bass on
# average 3 semitones higher than his and 8.6 below the tenor (his 12.4); a listening review
# heard a final chord inside one octave (a scratch count)
FINAL_BASS_LOW = True
# ... but not below D2 where it reaches a root at or above it (Bach's bass is under D2 in 0.7%
# of his notes; of his 365 four-part chorales 3 end on C2 and 21 on C3): a listening review
# heard every harmonization of a C major hymn end on C2, its lowest root (FINAL_BASS_FLOOR)
FINAL_BASS_FLOOR = True


def _sounding_steps(notes, start: int, stop: int, step: int) -> np.ndarray:
    """[stop - start] whether any of ``notes`` ((part, note) pairs) sounds at each grid step."""
    out = np.zeros(max(stop - start, 0), bool)
    for _, x in notes:
        lo, hi = max(x.start // step, start), min(-(-x.end // step), stop)
        if hi > lo:
            out[lo - start:hi - start] = True
    return out


def _given_top_rests(job: _VoiceJob, stop_step: int) -> tuple[list[bool], list[bool]]:
    """Per frame: inside a rest of a beat or more of the given top voice (a harmonized melody, a
    kept soprano), and where that voice enters after one (MELODY_RESTS_ALL). All False where
    the top voice is written."""
    frames = job.frames
    rest, enters = [False] * len(frames), [False] * len(frames)
    if job.rewritten[0]:
        return rest, enters
    fi = 0
    while fi < len(frames):
        if frames[fi].forced[0] != REST or frames[fi].context:
            fi += 1
            continue
        fj = fi
        while fj < len(frames) and frames[fj].forced[0] == REST and not frames[fj].context:
            fj += 1
        end = frames[fj].step if fj < len(frames) else stop_step
        # (where the music a region replaces sounded under the top voice's silence, the voices
        # rewritten write on, as it did: a review regenerated a bass under a melody that had
        # ended and got nothing to keep)
        replaced = any(job.replaced_sounding[frames[k].step - job.replaced_from]
                       for k in range(fi, fj)
                       if 0 <= frames[k].step - job.replaced_from < len(job.replaced_sounding))
        if end - frames[fi].step >= job.beat_steps and not replaced:
            rest[fi:fj] = [True] * (fj - fi)
            if fj < len(frames) and frames[fj].forced[0] is not None \
                    and frames[fj].forced[0] != HOLD:
                enters[fj] = True
        fi = fj
    return rest, enters


# A voice written under a given melody (harmonized, or a kept soprano over a region) that is
# silent while the melody sounds enters on the next beat: a review harmonized tunes that open
# with an eighth's upbeat and heard the alto, tenor and bass enter one beat to two and a half
# bars late (none of six variations of O'Neill's "Fare You Well" before its second bar). The
# upbeat's own note is off the beat, where a quick melody's voices may not enter, and the
# model, hearing the melody alone, went on resting; nothing made them enter while it sounded
UNDER_MELODY_ENTERS = True


# Where a given melody rests a beat or more, the voices written under it rest with it, and enter
# with it again: Bach's altos, tenors and basses rest with the soprano at 172 of the 173 rests
# of a beat or more in the sopranos of music21's four-part chorale files (a scratch count). A
# listening review (session 41) heard a harmonization sing on through the melody's rests.
MELODY_RESTS_ALL = True


# The longest silence of all voices inside generated music, in beats (voices, a melody). An LSTM
# trained on pieces that open with an empty pickup bar learns "after a closing chord, rest" and
# may fall silent for bars after a phrase end; real chorales never rest in every voice (0: a
# silence ends at the next beat, where every voice enters: a breath of at most a beat; a
# listening review found whole-beat rests in all four voices on downbeats in 4 of 18
# continuations at 1. Forcing the bass to sound through such a breath gave one-sixteenth bass
# notes out of the silence, which a second review heard as stray notes: left out), and a tune
# breathes for a beat or two at most. With the chorale rules a sounding voice does not rest at
# all (a third review still heard the one-beat breaths mid-chorale): this then only governs
# voices that have not entered yet.
MAX_SILENCE_BEATS = {False: 0, True: 2}
# A tune rests an eighth note at most, then strikes its next note (in 2/2 two beats had let a
# reel fall silent for a bar at its strain's end, which a listening review heard as a dead gap
# in a dance tune). The folk test tunes rest 196 times in 5,488 bars, 139 of them an eighth
# and 22 a quarter or longer (val 28 of 177 in 5,693 bars); continued 8 bars x 2 from 40 test
# openings, the folk model rested a quarter or longer 15 times in 640 bars (the tunes' rate
# gives 2), 9 of them longer, up to 3 quarters, and capped at a quarter it rested a quarter 15
# times; capped at an eighth its eighth rests are as frequent as the tunes' (docs/voices.md)
MELODY_REST_TICKS = TPQ // 2
# ... unless the sketch rests longer between its notes, up to a bar: a third listening review
# of folk continuations heard five German songs that breathe a quarter or more between their
# phrases continued with 4 rests in bars 5-12 where the songs have 12
SKETCH_REST_BARS = 1


def _sketch_rest(score: Score, start: int) -> int:
    """The longest rest between consecutive notes of a melody's sketch before ``start``, in
    ticks, at most :data:`SKETCH_REST_BARS` bars (0: none)."""
    notes = sorted((x for x in score.notes if x.start < start), key=lambda x: x.start)
    gaps = [b.start - a.end for a, b in itertools.pairwise(notes) if b.start > a.end]
    cap = SKETCH_REST_BARS * score.time_signature_at(start).bar_ticks
    return min(max(gaps, default=0), cap)


# A phrase of a chorale continuation lasts at least this many beats: the model may mark no
# fermata sooner after the last one (the score's or its own), nor this close before the closing
# chord's. Bach's fermatas in the model's 4/4 train and val chorales are 4 beats apart or more
# (1,656 phrases: 4 beats 4.7%, 6 beats 12.7%, 8 beats 50.8%); the model's continuations of the
# val openings had 14% of them 1 to 3 beats apart (bench/region_gaps.py --continuations).
MIN_PHRASE_BEATS = 4
# ... and the last phrase, into the closing chord's fermata, at least this many. Bach's last
# phrases in the train chorales are 6 beats or longer in 304 of 305 (4/4: 6 beats 16%, 8 beats
# 50%, 10 beats 19%; 3/4 mostly 9 to 12); the model's continuations of the test openings ended
# with a 4-beat phrase in 12 of 40 (a fermata the bar before the closing chord's).
MIN_LAST_PHRASE_BEATS = 6
# Harmonizing a melody that has a bass line (or other single lines) beside it keeps them as
# the voices they are and writes the voices left (_harmonize_plan)
GIVEN_LINES_KEPT = True
# ... and a tune on a keyboard part's two staves (its lower staff empty where it is harmonized)
# gets its voices in that part, the alto on the upper staff and the tenor and bass on the lower:
# a melody drawn on a piano's grand staff had come back with three choir parts beside the piano,
# its left hand still empty
KEYBOARD_HARMONY = True
# ... played by two hands: a voice strikes no key another voice of the part sounds, the given
# tune's included (one finger strikes a key once), and keeps within KEYBOARD_HAND_SPAN
# semitones of the voices of its hand sampled before it (the alto of the tune, the bass of the
# tenor). A listening review (session 82) found every piano harmonization's soprano-alto
# unisons written twice, one copy engraved in the bass staff (B4 with four ledger lines; the
# final chord's D4 in both hands), and the tenor and bass more than a tenth apart 9 times in
# 6 runs (D2 under B3)
KEYBOARD_UNISONS = True
KEYBOARD_HAND_SPAN = 12
# ... but the bass, a tenth under the voice above it in its hand (a pianist's open left hand, F2
# under A-flat3): held within an octave of the tenor sampled before it, a hymn's bass had been
# pushed up to F3 under A-flat3 and wandered F3 G-flat3 F3 in 5 of 5 regions of its left hand
# (a listening review, session 83)
BASS_HAND_SPAN = 16
# ... and so do the voices of a keyboard part continued or regenerated whole (both hands): a
# listening review counted hands stretched over a tenth in 11 of 18 continuations of piano
# pieces (a rag's final right hand C4 under A-flat 5, a polonaise's left hand over two octaves)
KEYBOARD_REACH = True
# ... and in a region that rewrites one hand, the voices it keeps are in their own hand
# (_hand_sides)
HAND_SIDES_PLANNED = True
# A harmonized melody that ends in another key closes V-I there (closing_key)
CLOSE_IN_LAST_KEY = True
# A continuation follows the chord symbols written over its bars (typed ahead of the music),
# not the one in force where the sketch ends: a review continued a harmonized lead sheet whose
# last symbol, "C" (V in F), then stood over all four new bars, a C pedal ending on A minor
# over C; the same with --ignore-chords moved through F, B-flat and C7 to F
SYMBOLS_END_WITH_SKETCH = True
# ... and where a symbol is written between a quick tune's chord changes, the voices below may
# strike its chord there (they hold between its beats otherwise: QUICK_MELODY_CHORDS): a
# review's waltz, "C7sus4" then "C7" on beat 3, held the alto's F4 against the tune's E5 and
# never sounded the C7, in 3 of 3 harmonizations, and a reel's "Asus4" then "A" likewise
SYMBOLS_STRIKE_QUICK = True
# At a phrase end whose close is planned (a harmonized melody's fermata, a region's), the
# phrase-end voicing lookahead (CLOSE_LOOKAHEAD) and chord rules look for the planned chord's
# root alone, as _cadence_mask then forces it: looking for any close root, the lookahead steered
# an alto under E5 to E4 for an A minor voicing (B4 E4 leapt) where the planned tonic was C, and
# the bass's forced C made C3 C4 E4 E5, thin
PLANNED_CLOSE_ROOTS = True
# Where no voicing of a phrase end's chord is in reach from both the last onset and the beat
# before it (an eighth between: consecutive fifths or octaves from beat to beat bar it), the
# lookahead looks from the last onset alone rather than yield: the harmonized val melodies'
# altos at their phrase ends found no voicing in 422 of 1,640 rows and wrote anything, and
# the chord came out thin (C3 C4 E4 E5 under G5 G4 at the beat before)
CLOSE_LOOKAHEAD_ONSET = True
# A region harmonized under a melody, with kept music after it, plans a close at a phrase end
# in its last bar as at the others (only a harmonization that ends the piece keeps its last bar
# for the final cadence). A listening review (session 55) heard St. Anne's second line rewritten
# (--harmonize --region 3:4): the fermata at bar 4 was no planned close, so its chord was not
# held with the melody's dotted half (CLOSES_HELD) but struck again on beat 3 under it
REGION_LAST_BAR_CLOSES = True
# A region rewritten in every voice keeps the authentic cadences of the phrase ends inside it
# (a fermata, or one heard in its top line): where the music it replaces came to a phrase end
# V(7)-I in root position (a 4-3 on the dominant's beat included), the rewrite plans that V-I
# in that key, as a harmonization plans its closes (_kept_close). A trial rewrote bars 3-4 of a
# hymn whose bar 4 closed V-I, and the rewrite closed I-I. Chorales with a fermata in bars 3-4,
# those bars rewritten x 2 (/work/s77/regclose.py), phrase ends closed V-I: val 8 -> 35 of 84
# (Bach 24 of 42), test 13 -> 31 of 62 (Bach 18 of 31), test with the fermatas left out (heard
# in the top line) 9 -> 26; beat chords in the region val 0.958 -> 0.931, test 0.957 -> 0.942
# (the cadences' 4-3s), parallels between any two voices val 1 -> 0, test 0 -> 0
REGION_CLOSES_KEPT = True
# ... and the half closes of the phrase ends in it: where the music a region replaces held a
# phrase end (a fermata) on the key's V in root position, the rewrite plans V there. A
# listening review (session 83) heard a region's inner fermatas on bVII6, an inverted V6/5 or a
# chromatic bass; the val and test chorales' two-bar regions around a fermata that Bach set
# without V-I (/work/s83/inner_fermata.py) put his chord's root under it in 49 of 328
REGION_HALF_CLOSES_KEPT = True
# ... and of the phrase end the kept music after it strikes at once: its last beat is that
# close's dominant. A listening review (session 83) heard BWV 269's bars 5-6 rewritten reach
# the fermata's tonic at bar 7 from ii6 in 4 of 5 variations; the val and test chorales'
# regions of two bars that end at a kept V-I (/work/s83/kept_close.py) ended on its V in 17 of
# 196 (Bach 150)
KEPT_CLOSE_PREPARED = True
# A region rewritten in every voice from the piece's first note opens on the tonic triad in
# root position, as Bach's chorales do and a harmonization does (opening_tonic). A listening
# review (session 83) regenerated BWV 40.8's bars 1-2 and heard none of 5 variations open on
# the tonic; the val and test chorales' first two bars rewritten x 2 (/work/s83/opening.py)
# opened on it in 22 of 176 (Bach 132)
REGION_OPENS_ON_TONIC = True
# A tune rewritten in a region glides toward the kept note it meets: in the region's last bar,
# before its last beat (where the seam rule holds it within SEAM_REACH), its notes lie within
# this many semitones more of that note per grid step still to go. A listening review (session
# 83) heard a reel's bars 3-4 rewritten run on around F#5 and leap 12 to 21 semitones down to a
# held A3 in the last beat, before the kept bar's A3, in 5 of 5 variations; Bach's and the
# fiddlers' lines come down to it
SEAM_GLIDE = 5
# Under the key lock ("Stay in the key") a harmonized melody's phrases close only on chords, and
# after dominants, whose notes the lock allows, and it ends in another key only where that key's
# tonic triad keeps to them (melody_plan.close_choice's ``allowed``, key_fits). The closes are
# drawn from Bach's, and his close in keys the lock leaves no leading tone for (V/vi-vi under the
# tonic, the major III under the third; 21 of 78 of his major-key phrase ends in the test pieces'
# bars 5-12 cadence away from I, bench/phrase_ends.py): with the lock on, their chords came out
# without it, hollow (G-G-D-D at Silent Night's "tender and mild"). Test melodies x 2, locked
# (bench/fermata_closes.py --key-lock): interior fermata chords on two pitch classes 80 -> 59 of
# 448 (Bach 20 of 224), major-key closes on the tonic triad 27% -> 34%; beat chords 0.960 -> 0.973,
# outer parallels 0.037 -> 0.031 per 8 bars (val 0.962 -> 0.971, 0.046 -> 0.020). A plain hymn
# harmonization: tick the box
CLOSES_IN_LOCK = True

# A chorale's chord stands at most this many beats with no voice striking (a fermata's, or a
# phrase close's, see below): the lowest voice written then strikes. A fourth listening review
# heard a rewritten region hold one chord for six beats. Regions rewritten in the held-out
# chorales' bars 3-4 (bench/region_gaps.py) had a chord standing 2 beats or more in 9 of 74,
# Bach's own bars in 1 of 37; with the limit at 1 beat, 0 of 74 (at 2 beats, 14: every chord
# may stand a half note).
MAX_STATIC_BEATS = 1
# ... and under a fermata (the score's or one the model marks) or on a phrase close's chord, at
# most this many: Bach's fermata chords in the test and val chorales stand 1 beat (246), 2
# (127), 3 (56) or 4 (10). A fifth listening review heard continuations hold a chord for a
# whole 4/4 bar under fermatas the model had marked (and the score does not show). 8 bars
# continued from 20 held-out chorales x 2 (the last bar aside): the longest standing chord
# averaged 2.84 beats with no limit, 4 beats or more in 9 of 40; at 3 beats 2.46 (3 or more in
# 23 of 40); at 2 beats 1.89 (none); Bach's own next bars 1.65 (3 or more in 4 of 20).
MAX_FERMATA_BEATS = 2
# ... and never over a bar line: a phrase end's chord struck after a downbeat is left by every
# voice at the next one. A listening review (session 81) heard a quartet's half close struck
# on a weak beat and tied into the next bar in all four instruments, a rhythm neither the
# sketch nor Bach has: downbeats where a chord sounds and no voice strikes, Bach's test
# chorales' bars 5-12 0 of 227, continuations of ten four-part sketches x 10 seeds 9 of 700
PHRASE_END_LEFT_AT_BAR_LINE = True
# After a phrase end's chord (a fermata, or a phrase close's chord) the next phrase starts in
# every voice at once: no voice holds its fermata note into the next chord, and none strikes
# alone under the others' held notes. Bach: at the first onset after a fermata chord, no voice
# holds in 425 of 451 (test and val chorales); the continuations of a listening review, 14 of
# 28 (three voices held while the bass walked on, the static rule's lowest voice).
PHRASE_STARTS_TOGETHER = True
# where a standing chord makes the lowest voice strike, it strikes another pitch where one is
# allowed (restruck, its note made 8.5% of the continued bass's moves, Bach's 1.7%)
STATIC_NEW_PITCH = True
# A rewritten region keeps the score's phrase ends, and so does a harmonized melody that marks
# its own (fermatas): the model adds no fermata there, and holds no chord under one. It sampled
# fermatas mid-phrase in rewritten regions (a region leads into the kept bars after it) and
# held its chord there for 3 or 4 beats, where MAX_STATIC_BEATS spares a fermata's chord.
PHRASES_FROM_SCORE = True
# A melody harmonized in a score without fermatas (a composer's tune, a folk song, a hymn from
# MIDI) is phrased by music.phrases.melody_phrase_ends, and those steps are planned, closed and
# given to the model as a chorale's fermatas would be. A listening review of ten such melodies
# heard no cadence at 23 of their 32 phrase ends: only a note of two beats or more ending a
# two-bar unit was a phrase end, 5% of the Essen songs' (bench/melody_phrases.py)
MELODY_PHRASES = True
# ... and so is a region rewritten in a score without fermatas, by its top line as the score has
# it (the region's notes included): the phrase ends it hears there are planned and closed as a
# chorale's fermatas are (in Bach's sopranos without their fermatas, quarters mostly, it hears
# most of his; docs/voices.md). A listening review (session 65) heard bars
# 3-4 of a six-bar chorale in 2-bar phrases rewritten (--region 3:4) run on in quarters and
# eighths through bar 4's half close in 7 of 8 variations, and join the kept bar 5 from I or
# ii6/5 with no dominant
REGION_PHRASES_HEARD = True
# ... on notes that last a beat or more
HELD_PHRASE_ENDS = True


# A fermata over the held end of a tied melody note (Amazing Grace's "like me", C5 tied over
# the bar line, the fermata on the second half as hymnals print it) ends the phrase at that
# note: the harmonization's close is struck where the note is. A listening review heard all
# four harmonizations of New Britain hold a chord that closes nothing under that fermata (F3
# G3 E4 C5, B-flat2 C4 E4 C5): the plan looks for phrase ends at the melody's attacks, and
# the fermata lay inside a note
HELD_FERMATAS = True


def _held_fermata(tick: int, request: GenerationRequest, vplan, rewritten: list[bool]) -> int:
    """The tick a fermata marks for the plan: where a harmonized melody's note holds through
    ``tick`` (struck before it), that note's start (:data:`HELD_FERMATAS`); else ``tick``."""
    kept = [i for i, r in enumerate(rewritten) if not r]
    if not HELD_FERMATAS or not request.harmonize or len(kept) != 1:
        return tick
    return next((x.start for x in vplan.notes[kept[0]] if x.start < tick < x.end), tick)


def _kept_half_close(notes: list[Note], tick: int, shift: int, minor: bool) -> bool:
    """Whether ``notes`` strike the key's dominant triad (or seventh) in root position at
    ``tick``, with the model's normalizing ``shift`` (REGION_HALF_CLOSES_KEPT)."""
    (at,) = analysis.sonorities(notes, [tick])
    found = analysis.chord_root(at.pcs) if at is not None else None
    return found is not None and at.bass % 12 == found[0] and found[1] in ("maj", "dom7") \
        and (found[0] + shift) % 12 == CADENCE_ROOT[(minor, 1)]


def _kept_close(notes: list[Note], tick: int, beat_ticks: int, shift: int
                ) -> tuple[bool, int] | None:
    """The key (minor, semitones above the normalized tonic of its mode: ``close_keys``) of
    the V(7)-I that ``notes`` make into ``tick`` from the beat before (its second half where
    a 4-3 delays the dominant's third), both in root position, with the model's normalizing
    ``shift``; None where they make none (REGION_CLOSES_KEPT)."""
    def named(chord) -> tuple[int, str] | None:  # (a root and its third alone: its triad)
        found = analysis.chord_root(chord.pcs)
        bare = int(BARE_ROOT[sum(1 << pc for pc in chord.pcs)])
        if found is None and bare >= 0:
            found = bare, "min" if (bare + 3) % 12 in chord.pcs else "maj"
        return found

    at, before, late = analysis.sonorities(notes, [tick, tick - beat_ticks,
                                                   tick - beat_ticks // 2])
    root = named(at)
    if root is None or at.bass % 12 != root[0] or root[1] not in ("maj", "min"):
        return None
    for chord in (before, late):
        dominant = named(chord)
        if dominant is not None and chord.bass % 12 == dominant[0] and \
                dominant[1] in ("maj", "dom7") and (dominant[0] - root[0]) % 12 == 7:
            minor = root[1] == "min"
            return minor, (root[0] + shift - CADENCE_ROOT[(minor, 2)]) % 12
    return None


def _heard_phrase_ends(score: Score, request: GenerationRequest, vplan, rewritten: list[bool],
                       step: int) -> frozenset[int]:
    """The steps a harmonized melody's phrases end on, heard in its notes where the score has
    no fermata (:data:`MELODY_PHRASES`), or a rewritten region's, heard in the top line as the
    score has it, the region's own notes included (:data:`REGION_PHRASES_HEARD`); empty for
    anything else."""
    kept = [i for i, r in enumerate(rewritten) if not r]
    if score.fermatas:
        return frozenset()
    if request.harmonize and len(kept) == 1:
        notes = vplan.notes[kept[0]]
    elif REGION_PHRASES_HEARD and request.is_region and not request.harmonize:
        notes = vplan.notes[0]
    else:
        return frozenset()
    length = {n.start: n.duration for n in notes}
    # (a phrase ends on a note of a beat or more: a jig's eighth in the middle of its second bar
    # is no place for a cadence, a listening review heard V-I forced under "d B G")
    return frozenset(round(t / step) for t in melody_phrase_ends(notes, score)
                     if length.get(t, 0) >= score.time_signature_at(t).beat_ticks
                     or not HELD_PHRASE_ENDS)
# A continuation's phrase ends fall where the sketch's fall in the bar (on beat 3 of 4/4 when
# its fermatas do): the phrase-end bonuses below go to those positions instead of every strong
# beat, and a phrase end elsewhere costs OFF_PLACE_COST nats. A twelfth listening review found
# the continuations' phrase ends off the sketch's grid in 7 of 8 (fermatas on beat 1 after a
# sketch whose phrases all end on beat 3); bench/phrase_ends.py, the share of interior phrase
# ends where the opening's fall in the bar: see the module's docs.
PHRASE_PLACES = True
OFF_PLACE_COST = 3.0
# A chorale's phrase ends only on a beat: all 2,445 of Bach's fermatas in the model's split
# chorales fall on one (4/4, 3/4, and the half note of 3/2). A listening review (session 41)
# heard a continuation of a 3/2 chorale (BWV 123.6) mark its phrase end on a sixteenth
# A chorale voice holds a note this many beats at most outside a phrase end's chord: on the
# beat after, it strikes (the same pitch or another). A listening review (session 41) heard an
# alto hold C#4 for 10 beats of 3/2 under changing chords and a tenor hold 5 beats; the upper
# voices of the continued test and val openings held 0.9 to 1.2% of their notes (not under a
# fermata) 3 beats or more, Bach's 0.15 to 0.28% (a scratch count)
MAX_NOTE_BEATS = 3
FERMATAS_ON_BEATS = True
# ... and its chord stands to the next beat: no voice strikes inside the beat of a phrase end's
# chord (the model's fermata, or a planned close). A listening review (session 41) heard a 3/2
# continuation leave its fermata chord after an eighth of its half-note beat, every voice
# moving on; Bach leaves 15 of 430 fermata chords inside their beat (test and val, an eighth's
# passing motion), the continuations of those openings 1 of 666 (a scratch count)
FERMATA_STANDS = True


BASS_LOWEST = True  # the bass sounds lowest (_lowest_mask; over a given bass, _between_mask)
# A voice sampled above a given one (a kept bass line, a part not rewritten) is checked against
# it for consecutive fifths and octaves: each pair was checked at its lower voice, and a given
# voice is written by no rule. A review heard alto and tenor in octaves and fifths with a kept
# bass line (bench/kept_bass.py)
GIVEN_BELOW = True
# ... and a given voice that rests on a beat counts there with its last note struck in the bar:
# a keyboard's bass struck on the downbeat ("oom") is heard under the "pah" chords (the pedal
# holds it). A regenerated waltz tune, the bass resting on beat 3, took F#5 over the left hand's
# E3 and B-flat3 (an F#7 to the rule) against the C7 the bar sounds, in 5 of 5 seeds: a re-trial
GIVEN_HEARD_IN_BAR = True


# nats added to the fermata flag on a strong beat where the chord before is a dominant of one of
# the key's triads (a cadence is prepared) and the phrase has run LONG_PHRASE_BEATS or more
PHRASE_CADENCE_BONUS = 4.0
# ... and, whatever the chord before, once it has run this long (the close is then drawn to V, a
# half close, by _cadence_pull; where the rules cannot close it, DROP_FAILED_CLOSES writes no
# fermata and the bonus goes on at the next strong beat). bench/phrase_ends.py, phrases of 12
# beats or more: test 28.8% -> 20.8% (Bach 5.0%), val 36.1% -> 21.3% (14.1%); without
# DROP_FAILED_CLOSES the phrase ends it added fell on "anything else" (val 12 -> 18).
OVERDUE_PHRASE_BONUS = 4.0
OVERDUE_PHRASE_BEATS = 10
# ... and on the strong beat 8 or 9 beats before the closing chord (two bars of 4/4, three of
# 3/4): the last phrase, into the closing cadence, starts there, as Bach's last phrases of 8
# beats (85% of them in the test chorales). bench/phrase_ends.py, last phrases of 8 beats / of
# 12 or more: test 30.0 / 47.5% -> 55.0 / 27.5% (Bach 85.0 / 5.0%), val 20.0 / 42.5% -> 55.0 /
# 17.5% (45.0 / 15.0%); phrases under 6 beats test 1.3 -> 4.9% (2.5%).
LAST_PHRASE_BONUS = 4.0
LAST_PHRASE_BEATS = (8, 10)
# (the place nearest that, among those leaving the last phrase MIN_LAST_PHRASE_BEATS). No phrase
# ends where it would leave less than a long phrase before that place: a sketch whose phrases
# end on beat 3 of odd bars, continued 8 bars, closes 28 beats after its last one, and the
# continuations wrote 8 + 8 + 4 + 8 or 8 + 8 + 12 beats; now 8 + 12 + 8 (docs/voices.md, "The
# last phrase into the closing cadence": test last phrases of 8 beats 50.0% -> 72.5%, of 12 or
# more 37.5% -> 10.0%, Bach 85.0% and 5.0%)
LAST_PHRASE_ROOM = True
# ... and where no phrase ended at that place (its close failed the phrase-end rules), one may
# end on a later beat that leaves the last phrase MIN_LAST_PHRASE_BEATS or more, on the
# sketch's places or not
LAST_PHRASE_RETRY = True
# ... and there, after a long phrase, the phrase end is no longer a choice (as FORCED_PHRASE_BEATS
# makes it after 12 beats, which the last phrase's room can leave no place for): a listening
# review heard an A major 3/4 continuation run its 8 bars with no phrase end, the model passing
# the one place and the retries (its close may still fail the rules: DROP_FAILED_CLOSES)
LAST_PHRASE_FORCED = True
# A phrase end the model marks where no voice strikes is none: it is not written (a fermata
# stands on a struck chord), and counting it had the phrase end there all the same, so that
# the forced and retried last phrase found none due after it (the same 3/4 continuation)
UNSTRUCK_ENDS_DROPPED = True
# A chorale continuation's phrase that has run this many beats ends at the next strong beat (a
# place where the sketch's end, or a downbeat): the bonuses above only drew it there, and a
# listening review heard a continuation run 24 beats without a fermata. bench/phrase_ends.py
# [--files], phrases of 12 beats or more 11.8% -> 11.1% (10.3% -> 9.6%; Bach's 5.0%, 4.6%), the
# longest 24 -> 18 beats: the rest are closes that failed the phrase-end rules
FORCED_PHRASE_BEATS = 12
# In a bar of three beats the phrase lengths above (MIN_PHRASE_BEATS to FORCED_PHRASE_BEATS,
# LONG_PHRASE_BEATS) count beats of one and a half: a long phrase is 12 beats, four bars of
# 3/4, as Bach's are (the bach-chorales pieces in 3/4: 107 of 178 phrases 12 beats, 24 of them
# 9, 4 of them 8; in 4/4 971 of 1,869 are 8 beats). With the 4/4 counts the 3/4 continuations
# closed their phrases after 9 beats, three bars (a listening review heard 5 + 3 bars where
# the sketch had 4 + 4)
PHRASE_BEAT_34 = True
# A continuation of a sketch that marks no phrase end (a MIDI sketch, a piano texture) counts
# its phrases from the sketch's last note where that note holds two beats or more to the
# sketch's end (phrase_grid.held_end): the sketch closed a phrase there. A listening review
# (session 55) heard a 2-part F major sketch that closed V-I on a held F continued with a
# fermata a bar later, a one-bar "phrase" (the count had started nowhere: MIN_PHRASE_BEATS
# could not hold it back)
SKETCH_END_HEARD = True
# ... and where its last note is short but it stops at a bar line, counts them from that bar
# line: a composer sketches whole phrases. Counted from nowhere, the first phrase of the
# continuation was overdue at once, and in a bar of two or three beats the model closed it on
# the continuation's first downbeat in every variation (a 2/4 march, a habanera, two waltzes,
# a 6/8 and a 9/8 sketch: 24 of 24), holding that chord two beats (UNWRITTEN_ENDS_HELD): a
# march of eighths went on with a half note, and its tune came back at half its pace
SKETCH_END_AT_BAR_LINE = True
# ... and its continuation's phrase ends are planned and closed as ever but not written as
# fermatas: the sketch's notation has none (a MIDI file, a piano piece, a choir score without
# them). Two listening reviews (session 55) found a piano sketch and an F major SATB sketch
# without fermatas given chorale fermatas at every phrase end of their continuations; and a
# region of a piano's left hand wrote one over its kept right hand, mid-bar (session 80). A
# continuation from nothing is a chorale of the model's own and keeps them
SKETCH_MARKS_ENDS = True
# ... and is heard where a hymnal writes it: its chord, a beat under the model's fermata, stands
# two beats in every voice, and the next phrase starts after it. A listening review (session 59)
# heard the continuations of eight sketches without fermatas run on as one phrase to the final
# cadence: their phrase ends were planned and closed, but a quarter-note chord with no fermata
# over it is no audible end. Bach's fermata chords stand two beats in 127 of 439 (MAX_FERMATA_BEATS)
UNWRITTEN_ENDS_HELD = True
# A melody harmonized that marks no phrase end with a fermata (a folk tune, a piano's tune, a
# lead sheet's) gets none at its end either: its phrases are closed as ever (MELODY_PHRASES),
# not marked. A listening review (session 82) found every harmonization of such a tune written
# with a final fermata the composer had not asked for
HARMONY_FERMATAS_FROM_MELODY = True
# nats added to the leading tone (A minor's G#, normalized) in every chorale voice written in a
# minor key (not a church mode, whose notes it is not): a listening review (session 59) heard
# minor chorales continued drift into the relative major, 7 of 10 files with 40% of their new
# beats or more on III, VI or VII, the final Picardy third "tacked on". 40 minor test and val
# openings continued 8 bars x 2 (a scratch count, /work/s59/scripts/minor_drift.py): beats on
# III, VI, VII 36.4% (Bach's same bars 25.7%), on i, iv, V 32.8% (34.3%), the leading tone
# sounding on 10.9% of the beats (12.2%). At 0.5: 34.9%, 35.2%, 12.6%; at 1.0: 33.2%, 37.5%,
# 14.9%, the leading tone past Bach's. (A lower temperature drifts more: 0.8, 42.1%.)
MINOR_LEADING_PULL = 0.5
# A continuation after a sketch whose phrase ends come at one regular length of whole bars,
# shorter than a long phrase (two bars of 3/4, one of 4/4), keeps that length: it is the long
# phrase the phrase-end rules wait for, the last phrase's and the closing chord's grid
# (phrase_grid.sketch_phrase). A listening review heard a G minor 3/4 sketch of 2-bar phrases
# continued in 4-bar ones. A length of 6 beats at least (MIN_LAST_PHRASE_BEATS, unscaled):
# Bach opens 9 of his 399 chorales with two or three 1-bar phrases of 4/4 (BWV 66.6, 110.7,
# 346...) and goes on in 8 and 12 beats in every one, so a 4-beat phrase is no length he keeps;
# of his openings only BWV 123.6 (val, 2-bar phrases of 3/2) has a regular shorter length.
# A phrase end at a point of that grid is forced there, and the top voice strikes on it (the
# model reached its 3/4 closes on the downbeat and held them through beat 2, where the
# sketch's phrases end: a close no voice strikes is none, UNSTRUCK_ENDS_DROPPED)
SKETCH_PHRASES = True
# The closing chord of a chorale continued after its phrase ends falls on the bar's downbeat
# where that fits their grid better than its middle beat (_final_chord_step), and the last
# phrase starts at the place that leaves whole long phrases from the sketch's last phrase end
# (LAST_PHRASE_ON_GRID; LAST_PHRASE_BEATS reaches 10 beats for it). 8 bars continued after a
# phrase end on beat 3 of bar 2 close 36 beats on at bar 11's middle beat: the continuations
# wrote 8 + 8 + 12 + 8 beats; on its downbeat, 34 beats: 8 + 8 + 8 + 10
FINAL_ON_PHRASE_GRID = True
LAST_PHRASE_ON_GRID = True
# nats taken from a phrase end that would close a phrase shorter than LONG_PHRASE_BEATS, where
# the sketch's phrase ends give the places (an eighteenth listening review heard phrases of one
# bar, 4 beats, after phrases of two)
SHORT_PHRASE_COST = 2.0
# ... in the PLAN_BEATS beats before the place the planned key's leading tone (F#, G#) gains
# PLAN_KEY_PULL nats and the note it replaces (F, G) loses as many: the model then turns to the
# new key before the last beat (with the pull on the beat before alone, and the other plan
# rules of the first try, closes away 7-9% of the major-key phrase ends, with this 20%). A
# seventeenth listening review heard a lean of 3 beats cancelled before the fermata 7 times in
# 16 continuations (a raised note, then its natural, the close in the home key). Scratch
# counts, continued major-key test / val openings: closes away 23% / 22% with 3 beats, 24% /
# 22% with 2, 22% / 15% with 1; raised notes whose natural follows before the next phrase end
# 69 / 41, 65 / 42, 58 / 40 (before the plan 56 / 29; Bach's bars, per piece about 1.25 and 0.2
# to the model's 1.6 and 1.0)
PLAN_BEATS = 2
# ... and the plan is seldom the chord the phrase end before closed on (the sketch's last, then
# the row's own): that target's weight is multiplied by REPEATED_PLAN_WEIGHT. A listening review
# heard three tonic closes running; bench/phrase_ends.py counted phrase ends on the chord of the
# one before 31 of 113 (I 13, V 8), Bach's 15 of 108
NO_REPEATED_PLAN = True
# On that beat no voice written sounds the close key's subtonic (B-flat before G-C in C major,
# G natural before E-A in A minor): the dominant raises it a beat later, and bVII-V or III-V
# (in minor) was a fifth of the harmonizations' cadence approaches (Bach: 1 in 119).
SUBTONIC_BEFORE_V = True




# A phrase end the model marks whose chord the rules yielded on (no major or minor triad in
# root position: they yield where every root is barred) is not written as one (_closes)
DROP_FAILED_CLOSES = True
# The top voice of a marked phrase end looks ahead only to the closes the weak-close rule leaves
# (cadence_rules.WEAK_CLOSES_BARRED), as the voices below it do. A fifteenth listening review
# ranked missing phrase ends first (BWV 70.11 continued 28 beats without one): there the top
# voice took A4, in reach of closes on D, which the rule then barred for the voices below; no
# voicing of A major was in reach (fifths from the beat before), so the rules yielded, the
# bass took a seventh (A7/G) and the phrase end was dropped (DROP_FAILED_CLOSES). The same
# command now ends phrases at bars 5, 7, 10 and 12. bench/phrase_ends.py: phrases of 12 beats
# or more test 15.6% -> 10.1%, val 22.7% -> 15.6% (Bach 5.0%, 14.1%; docs/voices.md)
TOP_LOOKS_PAST_WEAK = True
ROOT_REACH = True  # _root_reach_mask: the inner voices of a marked phrase end leave the bass a root
# ... and every voice of a phrase end's chord, the top one too, takes a note from which the voices
# after it can still reach a root-position triad of a root allowed there, from the chord before
# and without consecutive fifths or octaves (ml/close_voicing.py; _close_lookahead). Marked phrase
# ends of the continued test openings (x 2, a scratch count) dropped because the bass found no
# root: 26 of 138 -> 5 of 127. bench/phrase_ends.py, phrases of 12 beats or more: test 26.3% ->
# 21.6% (Bach 5.0%), val 21.2% -> 18.2% (14.1%); last phrases of 8 beats test 65.0% -> 80.0%
# (85.0%); docs/voices.md has the rest
CLOSE_LOOKAHEAD = True
# The score's own phrase ends (a harmonized melody's fermatas, those inside a rewritten region)
# close on a root-position triad too (_fermata_chord_mask, _root_reach_mask): where no cadence
# is planned (plan_phrase_closes plans V or V-I under the second, seventh and tonic degrees) drawn
# to a cadence on the chord before (_cadence_pull), and a planned half close is V, not V7. A
# twelfth listening review found 8 of 17 such fermatas of three harmonized chorales on
# dissonant chords (Bach 1), I or V under the melody's fifth degree in 0 of 8 (Bach 6), and
# half closes on V7
GIVEN_CLOSES = True


# In the beats before a place where a long phrase may end (this many), the bass neither takes
# nor holds the seventh of the chord (a V4/2, passing or on the beat): a seventh in the bass
# falls, to an inversion (V4/2-I6), and the phrase end's root-position rule then yields. Of
# the phrase ends the model marked in the continued test openings (bench/phrase_ends.py's
# pieces, a scratch count), 41 of 155 were dropped (DROP_FAILED_CLOSES), 20 of them with the
# bass owing a seventh's fall; with BARE_CLOSES and 1 beat 35 of 151, 2 beats 32 of 150, 2
# beats and no seventh held 24 of 149 (2 owing); val 35 of 134 -> 19 of 125 (0: no such rule)
CLOSE_BASS_ROOM = 2
# ... nor in the CLOSE_BASS_ROOM beats before a planned cadence's dominant (the cadence option's,
# a harmonized melody's planned closes), which the bass takes in root position: a seventh there
# cannot fall, unless a step above the dominant's root. A listening review (session 39) heard
# bass sevenths rise or leap in 7 of 9 files; a scratch count of the continued test openings
# (x 2: the frames where a bass owing a seventh's fall had none left, and the rule that took it)
# found the cadence's own rule there 70 times of 127 (then 8 of 38). bench/voice_leaps.py,
# harmonized test melodies x 2: sevenths rising 151 -> 141 of ~1,480 (Bach 88 of 926), the
# bass's 80 of 546 -> 61 of 449 (31 of 190); continued: the bass's 16 -> 14 of ~165 (11 of 51)
DOMINANT_BASS_ROOM = True
# ... nor, inside a planned dominant's beat (a passing V4/2: G F | C) or in the beats before a
# planned tonic with no dominant planned before it, a seventh that cannot fall into the tonic's
# root. A fifth listening review (session 47) heard all its 8 seventh faults in the bass, 4/2
# chords whose seventh leaped. bench/voice_leaps.py [--split val] [--no-tonic-bass-room], the
# bass's sevenths on a beat (a beat long or more) left by leap, harmonized val melodies x 2: 47
# of 148 -> 38 of 132 (Bach 0 of 9); test: 44 of 196 -> 44 of 193 (Bach 2 of 29); into a
# phrase end's chord (a scratch count): val 15 -> 5, test 12 -> 10. Continuations: unchanged
TONIC_BASS_ROOM = True


# A voice written under a given top voice (a harmonized melody, a kept soprano) neither strikes
# nor holds a note above it: the tune stays on top. A thirteenth listening review found the
# alto above the melody in 5 places of one harmonization, a fermata among them (the tune lost
# there); the harmonized val melodies had a written voice above the melody at 0.80% of onsets
# (Bach 0.13%; a scratch count, docs/voices.md).
UNDER_GIVEN_TOP = True
# ... and these rules, and the bass's (BASS_LOWEST), come before every other: where the rules
# together leave a voice no note, the others yield, not the voices' order. Under a given
# melody a voice also strikes and holds no note above the voice above it. A trial of unseen
# files harmonized a D Dorian tune at A3-A4 with the bass on D4 over the tune's A3: alto and
# tenor had taken A3 and F3, and under them every D was a fifth parallel with the tune and
# every A a six-four, so the bass's own rule yielded. The val melodies harmonized x 2, moved
# down 0 / 4 / 7 semitones (/work/s77/lowmel.py; onsets with a voice over the melody, the bass
# not lowest, two neighbouring voices crossed, of about 2,850 / 2,830 / 2,550): rules last 6,
# 14, 45 / 10, 19, 68 / 81, 23, 326; first, the melody and the bass alone, 4, 0, 27 / 4, 0,
# 52 / 18, 0, 256; and the voice above too, 4, 0, 9 / - / 17, 0, 34 (the 17: melody notes
# at D3, under the alto's range). Beat chords 0.950 -> 0.953 (down 0), 0.938 -> 0.930 (down
# 7). The neighbour's rule is a melody's only: continuations of the val openings lost beat
# chords with it (0.963 -> 0.954 in 40)
VOICE_ORDER_FIRST = True


# A continuation or region owes what the sketch's last chord leaves: its seventh falls when its
# voice first moves, its bass leading tone rises (the debts were read from the first generated
# chord on): a review heard a sketch's V7/V, its seventh F4 in the alto, go to I with the F
# rising to A4 at the join
SKETCH_DEBTS = True


# The voices above a bass that owes a seventh's fall leave it a note a step down: on a beat
# they sound a chord that the note below the seventh completes (_bass_step_room)
BASS_FALL_ROOM = True


def _given_pitches(job: _VoiceJob, i: int, pitch_offset: int, min_pitch: int) -> list[int]:
    """Per frame of ``job``: the pitch voice ``i`` is given there, struck or held (-1: none, a
    rest, or written here)."""
    sounding = []
    p = job.start_pitch[i] if len(job.start_pitch) > i else -1
    for f in job.frames:
        tok = f.forced[i]
        if tok is None or (tok < pitch_offset and tok != HOLD):
            p = -1
        elif tok >= pitch_offset:
            p = tok - pitch_offset + min_pitch
        sounding.append(p)
    return sounding


def _cadence_top(job: _VoiceJob, cadence_ahead: list[int], pitch_offset: int,
                 min_pitch: int) -> list[tuple[int, int]]:
    """Per frame of ``job`` where ``cadence_ahead`` is set: the pitch the given top voice
    sounds on the frame before the planned cadence chord ahead and on its first frame ((-1, -1)
    elsewhere; -1 where it is not given)."""
    top = _given_pitches(job, 0, pitch_offset, min_pitch)
    out = [(-1, -1)] * len(job.frames)
    start = -1  # the next cadence chord's first frame
    for fi in range(len(job.frames) - 1, -1, -1):
        f = job.frames[fi]
        if f.cadence and (fi == 0 or job.frames[fi - 1].cadence != f.cadence):
            start = fi
        if cadence_ahead[fi] >= 0 and start > 0:
            out[fi] = (top[start - 1], top[start])
    return out


def _on_next_beat(frames: list[_Frame], values: list[int], none: int) -> list[int]:
    """Per frame: ``values`` (one per frame) at the next frame on a beat (``none``: no beat
    follows)."""
    out = [none] * len(frames)
    nxt = none
    for fi in range(len(frames) - 1, -1, -1):
        out[fi] = nxt
        if frames[fi].on_beat:
            nxt = values[fi]
    return out


def _top_next_beat(job: _VoiceJob, pitch_offset: int, min_pitch: int) -> list[int]:
    """Per frame of ``job``: the pitch the given top voice (a harmonized melody) sounds on the
    next frame on a beat (-1: none, or the top voice is written)."""
    return _on_next_beat(job.frames, _given_pitches(job, 0, pitch_offset, min_pitch), -1)


def _given_next_beat(job: _VoiceJob, pitch_offset: int, min_pitch: int) -> list[int]:
    """Per frame of ``job``: the pitch classes (12-bit sets) the given voices sound on the next
    frame on a beat (0: none given)."""
    frames = job.frames
    now = [0] * len(frames)
    for i in range(len(frames[0].forced) if frames else 0):
        for fi, p in enumerate(_given_pitches(job, i, pitch_offset, min_pitch)):
            if p >= 0:
                now[fi] |= 1 << (p % 12)
    return _on_next_beat(frames, now, 0)


def _unresolved_given(job: _VoiceJob, pitch_offset: int, min_pitch: int) -> list[int]:
    """Per frame of ``job``: the pitch classes (12-bit sets) that given voices (a harmonized
    melody, kept notes) sound there and whose next other pitch rises or falls more than a
    whole step, so that they cannot be a chord's seventh. An eleventh listening review found
    melody notes made sevenths that then rose (the harmonized test melodies x 2: 35 V7 sevenths
    and 90 others in the melody)."""
    frames = job.frames
    out = [0] * len(frames)
    for i in range(len(frames[0].forced) if frames else 0):
        sounding = _given_pitches(job, i, pitch_offset, min_pitch)
        after = -1  # the next other given pitch after the frame's
        for fi in range(len(frames) - 1, -1, -1):
            nxt = sounding[fi + 1] if fi + 1 < len(frames) else -1
            if nxt != sounding[fi]:
                after = nxt
            if sounding[fi] >= 0:
                out[fi] |= _bad_seventh(sounding[fi], after)
    return out


# No chromatic note sounds a semitone from the key's own note it alters or meets (E# against E,
# F# against F or G in C major): without the key lock a second listening review found 7 notes
# against the one they alter in 16 pieces (locked: none; Bach: none). Stricter than Bach, who
# sets a leading tone against its tonic in passing (docs/voices.md: 8 of 693 onsets)
CHROMATIC_CLASHES = True
# ... nor one against the voices above as they sound in this frame (struck in it, or held): a
# listening review heard a tenor's passing F against the bass's passing F# struck with it
FALSE_RELATIONS_NOW = True


# A given voice's note outside the key (a melody's B-flat in C major) holds its letter for the
# voices written this many beats before and after it: none of them sings B natural there. A
# listening review heard BWV 284's melody, which sings B-flat seven times, harmonized with B
# natural in the tenor or alto within two beats of 7 of its 8 flats (Bach's setting: none).
# The held-out test melodies' notes outside the key, harmonized x 2 (a scratch count): notes
# of the written voices that spell such a note's letter another way within 1 / 2 / 4 beats
# of it, 8 / 76 / 178 for 80 melody notes; Bach's settings 0 / 14 / 44 for 40. 0 turns it off.
GIVEN_CHROMATIC_BEATS = 2


def _given_ahead(job: _VoiceJob, pitch_offset: int, min_pitch: int) -> list[int]:
    """Per frame of ``job``: the pitch classes (12-bit sets) the given voices strike after it
    and no more than a beat later, and those outside the key they strike within
    GIVEN_CHROMATIC_BEATS before or after it."""
    struck = [0] * len(job.frames)
    for fi, f in enumerate(job.frames):
        for tok in f.forced:
            if tok is not None and tok >= pitch_offset:
                struck[fi] |= 1 << ((tok - pitch_offset + min_pitch) % 12)
    minor = job.key is not None and job.key.quality == "minor"
    outside = [b & ~IN_KEY_BITS[minor] & 0xFFF for b in struck]
    steps = [f.step for f in job.frames]
    reach = GIVEN_CHROMATIC_BEATS * job.beat_steps
    out = [0] * len(job.frames)
    for fi, s in enumerate(steps):
        j = fi + 1
        while j < len(steps) and steps[j] - s <= job.beat_steps:
            out[fi] |= struck[j]
            j += 1
        if reach:  # (the frames' steps rise)
            for j in range(bisect.bisect_left(steps, s - reach),
                           bisect.bisect_right(steps, s + reach)):
                out[fi] |= outside[j]
    return out


# A chorale voice holds a note it struck in this beat rather than strike its pitch again on
# the beat's eighth or sixteenth: a listening review heard alto D4-D4 and B-flat3-B-flat3
# stutter in eighths; the continuations struck such a pair 3.5 times per 100 beats, Bach's
# chorales 0.11 (407 chorales, the reviewer's count). Continued val / test openings x 2, bars
# 5-12: 4.98 / 5.69 -> 0.09 / 0.17 per 100 beats, the few left the bass's (a scratch count).
# A note struck off the beat and struck again on the next (an anticipation) is free, and so is
# the bass, which strikes on the eighths (BASS_ON_EIGHTHS).
RESTRIKE_IN_BEAT = True


# part_writing.RUN_COST applies to these voices once they have struck one pitch this many times
# in a row
RUN_STRIKES = 2
RUN_VOICES = (1,)  # the alto
# the voices above leave the bass's leading tone the rise to a chord (_bass_step_room; the
# bass's cost for not rising is part_writing.LEADING_BASS_COST)
LEADING_BASS_ROOM = True


# Of a voice's quarter notes on the beat that move a third to the next beat, where a passing
# note would break no rule (:func:`_passing_pitch`, :func:`_passing_clear`), the share Bach
# fills with one (two eighths by step), from the lowest voice up: bass, tenor, alto, soprano
# (the bach-chorales train split, 311 chorales: 2,734 of 3,177, 1,726 of 2,220, 1,449 of
# 2,094, 985 of 1,674; his thirds over all, filled or not, 84.5 / 76.0 / 66.7 / 55.7%). The
# model writes a note per beat and seldom plans the step between: its harmonized test
# melodies filled 13% of the bass's thirds (bench/voice_leaps.py). Bach's shares where no rule
# forbids it (0.861, 0.777, 0.692, 0.588) filled fewer thirds over all than his (the rules bar
# a passing note more often than his music would): harmonized test melodies bass / tenor /
# alto 58 / 50 / 46% (Bach 85 / 77 / 66%), continued val openings 58 / 57 / 54%, soprano 40%
# (Bach 92 / 72 / 69 / 52%). A fifteenth listening review heard the continuations move more
# plainly than their openings (notes per beat 3.90, the openings 4.49, Bach 4.57). So the
# lower three fill every third they may, and the soprano three in four (docs/voices.md)
PASSING_SHARE = (1.0, 1.0, 1.0, 0.76)
# ... but not a dominant's leading tone falling a third into a phrase end (B-A-G under V-I):
# the leading tone then leaves its chord inside the beat before the close, which Bach's voices
# do at 1 of 96 closes after a root-position V(7) in the 40 test chorales, the harmonized
# melodies' at 20 of 263 (bench/voice_leaps.py); left a skipped third (the alto's B-G, Bach's
# own), it stays in the chord until the close
LEADING_UNFILLED = True
# A passing note keeps to the voice's pitch mask: in a church mode (or under the key lock) the
# key family's note between (D minor's B-flat between A and C) gives way to the mode's own a
# semitone away (D Dorian's B), where that still steps both ways; else no passing note. A fifth
# listening review heard Scarborough Fair's tenor A3 B-flat3 C4 B-flat3 A3 B3, the mode's B
# natural and the family's B-flat in two beats (the mask had barred B-flat everywhere else)
PASSING_IN_MODE = True
# ... and where a phrase close's chord or a planned dominant stands through its beat (no passing
# eighth), a voice on the dominant's root that falls a third into the next chord still passes
# through its seventh (V-V7-I, G-F-E): Bach's inner voices fill such thirds into a fermata
SEVENTH_FROM_DOMINANT = True
# A voice above the bass that steps down into a beat from a note it has held a beat or more
# keeps that note an eighth into the beat where it is then a fourth, a second or a ninth over
# the bass and the suspension is prepared and clean (_suspends: the bass has moved to the beat,
# not on the eighth before it, from a note the held one was a consonance over; the beat's chord
# a major or minor triad or V7 that the held note makes no chord of, a major one under a
# fourth; a ninth over the root; the note it falls to in no other upper voice and no upper
# voice a semitone from the held note; not out of a phrase end's fermata; one a beat). The
# other voices hold while it falls, and no passing eighth is written there. Bach's commonest
# dissonance and his cadential figure (4-3, 9-8): the style rules hold each beat chord to a
# triad or a seventh chord, so the lower voices made a chord of any dissonance the upper ones
# held; bench/voice_leaps.py's suspensions per 8 bars, fourths and seconds or ninths,
# continued test openings 0.05 and 0.10 (Bach's same bars 0.83 and 0.33), harmonized test
# melodies 0.03 and 0.03 (Bach's 0.79 and 0.37). Like the passing eighths (PASSING_SHARE) an
# ornament of the notes written: the model and the rules go on from the plain chord. A
# listening review of a first version (without the tests above; the other voices free to move
# on the resolving eighth) heard 16 of 46 faulty in 25 outputs; a second, before the bass's
# eighth, the fourth's major chord and SUSPENSION_BEATS were tested, none of 42 faulty and 19
# weak, 9 of them fourths falling into minor triads (docs/voices.md). The shares, per voice
# from the top (a chorale's tune seldom: Bach's
# suspensions are the alto's, the tenor's and the soprano's 980, 453 and 223 times in his
# train chorales, a scratch count that takes a tie written as a note struck again too),
# chosen on the val openings and melodies: continued 0.28 and 0.53 (Bach's
# 0.55 and 0.55), harmonized 0.39 and 0.37 (0.45 and 0.39). Sevenths (7-6) are left to the
# model, which writes them as seventh chords
SUSPENSIONS = True
SUSPENSION_SHARE = (0.05, 1.0, 1.0)  # from the top voice down; the last for any lower
# ... and each voice's suspensions at least this many beats apart: a review heard three 4-3s in
# five beats, and one figure in bar after bar
SUSPENSION_BEATS = 4
SUSPENSION_INTERVALS = frozenset({1, 2, 5})  # semitones over the bass (mod 12)


# A voice's note on a half beat that stepped there from outside the beat's chord moves on by
# step at the next beat (a passing or neighbour note resolves; _unresolved, _step_mask)
RESOLVE_STEPS = True


# The bass's eighth on a half beat reached by step, a note of the chord or not, moves on by step
# at the next beat (it held a leap from a note of the new chord): Bach's basses leave 30 of 491
# such eighths by a leap, the harmonized test melodies' 141 of 613 (bench/voice_leaps.py)
BASS_EIGHTHS_STEP = True
# A raised note a voice above sounds on a beat is not doubled below (_raised_doubling_mask)
RAISED_NOT_DOUBLED = True
# ... and the inner voices, written first, pay to leave it no step on to a chord without
# consecutive fifths or octaves (part_writing.EIGHTH_ROOM_COST, _bass_room): the bass is written
# last, and where the chord above left it no step the rule above yielded (at 468 of 1,980 such
# candidate rows of the harmonized val melodies x 2, a scratch count; the style mask took the
# steps in 114 of them, the pair rule in 93); not at a phrase close or a cadence chord, whose
# rules choose the chord and the bass's root
BASS_EIGHTH_ROOM = True
# Inside the beat before a planned cadence chord the bass strikes only a note a step (or none)
# from that chord's root, which it then reaches by step: its cadence root is forced (the
# cadence's rules), and an eighth struck there a step from the beat's note but a leap from the
# root had made the step rule above yield. The harmonized test melodies' basses left 122 of 666
# such eighths by a leap (Bach 30 of 491); where they did, the bass's masks had left it no step
# before the chord rules in 331 of 412 candidate rows (a scratch count). Now 92 of 628
# (bench/voice_leaps.py, docs/voices.md)
BASS_STEPS_INTO_CADENCE = True
# ... except that at a planned close's tonic an inner voice on the leading tone of the close's
# key may fall a third to its fifth (F#4-D4 under A4-G4 in a close in G), as Bach's inner voices
# do: made to rise, the alto met the soprano's tonic in unison and the chord lost its fifth. Of
# the harmonized test / val melodies' interior fermata chords (x 2: 450 / 384), those of two
# pitch classes: 77 / 80 before this rule and the two below (SEVENTH_KEEPS_THIRD,
# DOMINANT_SEVENTH_ONCE), 59 / - with this one, 56 / 65 with all three, - / 76 with the other
# two alone (Bach 20 of 224 / - ; a scratch count); soprano and alto in unison on the root
# over the third 25 / 18 -> 9 / 12
LEADING_FALLS = True
# The phrase-end lookahead (_own_lines) counts that fall among the notes the voice may take:
# without it the lookahead held the voice to its rise, found no whole triad in reach and yielded
# (the harmonized val melodies x 2, interior fermata chords of two pitch classes: 56 -> 44 of
# 382, with PLANNED_CLOSE_ROOTS and CLOSE_LOOKAHEAD_ONSET 64 -> 44; two voices on one pitch
# 44 -> 32)
LOOKAHEAD_FALLS = True


def _leading_fall(frame: _Frame, minor: bool, shift: int) -> tuple[int, int] | None:
    """(leading tone, fifth) as normalized pitch classes where an inner voice may fall a third
    from the first to the second at this frame (LEADING_FALLS: a planned close's tonic in the
    key ``minor``, ``shift``); None."""
    if LEADING_FALLS and frame.cadence == 2:
        return ((LEADING_TONE[minor] + shift) % 12, (CADENCE_ROOT[(minor, 2)] + 7 + shift) % 12)
    return None


ENDING_BEATS = 4  # the search's ending checks look this far back for outer parallels


def _ending_notes(notes: list[Note], job: _VoiceJob) -> list[Note]:
    """The notes the ending checks below can hear: those still sounding from the beat before the
    last onset, or from the bar before the span's end. Each check walks its notes once per onset;
    the whole piece, for every candidate, was a tenth of a continuation's time."""
    stop = job.plan.stop_tick
    final = max((n.start for n in notes if n.start < stop), default=0)
    beat = job.beat_steps * job.step_ticks
    since = min(final - beat, stop - ENDING_BEATS * beat - 1)
    return [n for n in notes if n.end > since]


def _ends_authentic(notes: list[Note], job: _VoiceJob) -> bool:
    """Whether ``notes`` end with a root-position V(7) on the beat before the final tonic."""
    step = job.step_ticks
    stop = job.plan.stop_tick
    final = max(n.start for n in notes if n.start < stop) if notes else 0
    beat = job.beat_steps * step
    chords = analysis.sonorities(notes, [final - beat, final])
    return (len(chords) == 2 and analysis.is_dominant(chords[0], job.close_key)
            and analysis.is_tonic(chords[1], job.close_key))


def _forced_pitch(token: int, sounding: np.ndarray, v: VoiceVocabulary) -> np.ndarray:
    """[rows] the pitch a given voice sounds at a frame whose token is forced: the token's
    pitch, the note it holds (``sounding``), or -1 for a rest."""
    if token >= v.pitch_offset:
        return np.full(len(sounding), token - v.pitch_offset + v.min_pitch, np.int64)
    return sounding.copy() if token == HOLD else np.full(len(sounding), -1, np.int64)


def _ending_without_parallels(notes: list[Note], job: _VoiceJob) -> bool:
    """No parallel fifths or octaves between the outer voices in the last ENDING_BEATS beats."""
    stop = job.plan.stop_tick
    span = ENDING_BEATS * job.beat_steps * job.step_ticks
    return analysis.outer_voice_parallels(notes, max(0, stop - span - 1), stop) == 0


def _full_close(notes: list[Note], job: _VoiceJob) -> bool:
    """Whether the final chord of ``notes`` doubles neither a pitch (two voices in unison) nor
    the tonic's third (FULL_FINAL: the candidates' search prefers such an ending where the
    rules of the last beats could not make one)."""
    stop = job.plan.stop_tick
    final = max((n.start for n in notes if n.start < stop), default=0)
    pitches = [n.pitch for n in notes if n.start <= final < n.end]  # unisons counted
    tonic = job.close_key.tonic_pc if job.close_key is not None else 0
    thirds = sum((p - tonic) % 12 in (3, 4) for p in pitches)
    return len(set(pitches)) == len(pitches) and thirds < 2


# The search among a variation's candidates (a harmonization, a region) prefers, after the
# ending's criteria, the candidate with the fewest consecutive fifths and octaves between the
# voices it writes: the pair rules yield where they would leave a voice no note (a listening
# review heard alto and bass in octaves, F-D, into a planned V/V in BWV 390 at two seeds; the
# rule against it gave way in 3 of the 69 candidate rows it checked there)
SEARCH_PARALLELS = True
# ... counting their parallels with the given voices too (a harmonized melody, the voices a
# region keeps), which the rules yield on as they do between written ones: consecutive fifths
# or octaves between any two voices, per 8 bars, of the harmonized val melodies x 2 0.062 ->
# 0.028, test 0.049 -> 0.018 (bench/voice_leaps.py [--no-search-given])
SEARCH_GIVEN = True
# ... then the onsets where a written voice crosses a given one (analysis.voice_crossings, the
# two by their middle pitch), which the rules keeping a voice between the kept ones yield on
# where they would leave it no note: ranked after the parallels, before the checks below, so
# that none of those keeps a candidate whose regenerated alto sinks under the kept tenor.
# (Counted between every pair of voices instead, it outranked the checks below in most
# harmonizations: test melodies x 2, bass sevenths left by leap 3 -> 8, chords with no
# function 52 -> 63, cadences 1.44 -> 1.39 per 8 bars)
SEARCH_CROSSINGS = True
# ... and the bass's sevenths on a beat left by a leap (analysis.leaping_bass_sevenths), which
# the seventh's rules yield on where the voices above leave the bass no step down: a listening
# review heard ii4/2 and V4/2 with the bass leaping away
SEARCH_BASS_SEVENTHS = True
# ... and then the beat chords outside the key with no function (part_writing.
# unfunctional_chords: the same review heard chromatic chords that lose the key). The
# harmonized test melodies x 2: 86 -> 52 such chords (Bach 36 for one run), val 64 -> 27
# (docs/voices.md)
SEARCH_UNFUNCTIONAL = True
# A chorale continuation streams and has no search before its ending, so its draws kept the
# faults its rules only charge or yield on (part_writing.bar_faults). Now each variation draws
# this many candidates of each bar, and at the next bar line keeps the first with the fewest
# such faults (a rejection of the others: the model's own draw where none has one); the kept
# bar's notes stream then, a bar behind the sampling. 1: off.
BAR_CANDIDATES = 2
# ... and counts as a fault, besides part_writing.bar_faults', a phrase end closing on the
# chord the phrase end before it closed on, the tonic's aside: a blind review heard runs of
# half closes on one V in both of its sides
BAR_SEARCH_REPEATED_CLOSES = True
# ... and a half close no plan asked for: a phrase end on V (v) after a chord other than V's
# own dominant, where the row had not planned V for it (TONAL_PLAN). A blind review heard runs
# of half closes; the major-key val / test continuations closed 33% / 35% of their interior
# phrase ends so, Bach's same bars 22% / 19% (his train chorales 19%; bench/phrase_ends.py
# --major). A plan for the tonic or vi whose dominant the model did not write became one
# (_cadence_pull's HALF_CLOSES)
BAR_SEARCH_HALF_CLOSES = True
# ... each of part_writing.bar_faults' (a chord with no function, a bass seventh left by leap)
# counting this many of those two phrase-end faults: the search keeps a half close before a
# chord that loses the key. Test continuations' beat chords with no function, half closes
# unplanned: 15, 35% of the major-key phrase ends without the half-close fault; 19, 22% with it
# at 1; 17, 25% at 2 (one run each, bench/voice_leaps.py --continuations, phrase_ends.py --major)
BAR_CHORD_FAULT = 2


def _unplanned_half_closes(roots: np.ndarray, before: np.ndarray, plan: np.ndarray | int,
                           minor: bool) -> np.ndarray:
    """[rows] whether each phrase end (its chord's root ``roots``; the chord on the beat
    before it ``before``, [rows, voices]) is a half close its row did not plan: on V after
    anything but V/V, where ``plan`` (each row's planned root for this place, the tonic's
    where none) is not V (:data:`BAR_SEARCH_HALF_CLOSES`)."""
    dominant = CADENCE_ROOT[(minor, 1)]
    after_own = DOMINANT_ROOT[pitch_class_bits(before)] == (dominant + 7) % 12
    return (roots == dominant) & ~after_own & (np.asarray(plan) != dominant)


# A half close the sampler plans (V under a harmonized melody's second or seventh degree at a
# phrase end, no planned tonic a beat later) is the dominant triad: no voice takes its seventh.
# A fourteenth listening review heard seventh chords held under a hymn's fermatas. The chords
# under the 40 harmonized test melodies' interior fermatas (x 2, a scratch count): seventh
# chords 41 -> 25 of about 450, root-position V7 14 -> 1 (Bach: 3 and 0 of 225);
# bench/phrase_closes.py, fermata chords that are root-position triads 370/427 -> 385/424
# (Bach 189/208).
HALF_CLOSE_TRIAD = True


# The bass's note a beat or less before a planned cadence chord is one from which that chord's
# root is a step, a third, a fourth, a fifth, a sixth or an octave away (_cadence_ahead,
# _reach_root): the cadence puts the root in the bass, and from the note before, chosen without
# looking ahead, a fifteenth listening review heard the bass leap C#3 to G2 into the final
# dominant (the harmonized val and test melodies x 2: 7 tritones into the last 4 beats' cadence
# chords, bench/final_chords.py)
BASS_TO_CADENCE = True
# ... and from which that root makes no consecutive fifth or octave with a given top voice (a
# harmonized melody) moving into the cadence chord, nor a hidden one under its leap
# (CADENCE_REACH_OUTER): a review's B minor hymn, whose melody fell B4-F#4 into a half close,
# had its bass on G2 a beat before, from which F#2 makes a hidden octave and F#3 is a seventh
# up: the bass leapt the seventh. The 40 test melodies harmonized x 2, seeds 0 and 100: the
# bass's sevenths and leaps wider than an octave 30 -> 27; the bass's leap rule yielded at
# planned cadence chords in 20 rows of 20 melodies x 2, now 18 (scratch counts)
CADENCE_REACH_OUTER = True


# The final tonic's voices make a full chord, as Bach's: the third is not doubled, no inner
# voice doubles the voice above it in unison, none below the top leaps more than a fifth into
# it, and the second-lowest voice takes the fifth where the voices above have the third but no
# fifth (:func:`_final_chord`, after every other rule: where they bar the fifth, the root is
# tripled, root, root, third, as in 5 of Bach's 40); on the dominant before it no inner voice
# doubles the voice above in unison. The same goes for every tonic and dominant the sampler plans (a
# harmonized melody's phrase closes and its opening tonic). Where the rules of the last beats
# cannot make it, the search among the ending's candidates prefers a final chord with no unison
# and no doubled third (_full_close). Continued and harmonized val and test chorales (a
# scratch count, 80 final chords each; Bach's 40 harmonizations): no fifth 23 and 27 (Bach 5),
# adjacent voices in unison 11 and 9 (0), inner or top voices leaping more than a fifth into
# the final 2 and 10 (0); a thirteenth listening review heard a final chord A2 C#4 C#4 A4.
FULL_FINAL = True




# Under a harmonized melody's phrase close, while its note is held, the lower voices keep the
# close's chord (_close_hold_mask).
CLOSES_HELD = True
# ... and that chord may stand as long as the note: no voice is made to strike (MAX_STATIC_BEATS
# had one restrike it on every beat: a sixth listening review heard a hymn's half-cadence V
# struck three times in a bar). The model still may: on the test melodies a lower voice strikes
# on 6 of 184 beats under a held close (before: 61; Bach 19 of 92; bench/phrase_closes.py).
CLOSE_STANDS = True


# nats added to every pitch of a chorale voice above the bass on an eighth between the beats
# (not under a held close, inside a planned dominant's beat, nor in the EIGHTH_CLEAR_BEATS beats
# before a place where a phrase may end or a planned cadence chord, where the chords that prepare
# the close stand): a listening review heard "static, stiff lines", the inner voices moving in
# eighths a third to half as often as Bach's in the same bars. bench/voice_leaps.py, notes
# shorter than a quarter per quarter, docs/voices.md. On the bass too it drew eighths that leap
# on (half-beat steps left by a leap 26% -> 31% of them, Bach's 5%): EIGHTH_PULL_BASS is off
EIGHTH_PULL = 0.75
EIGHTH_PULL_BASS = False
EIGHTH_CLEAR_BEATS = 2
# nats added to every pitch outside the key (the normalized C major, or A minor with its raised
# sixth and seventh) in a chorale voice (not the final chord): the model writes about half of
# Bach's chromatic notes. Continued openings x 2, bars 5-12, notes outside the key per
# continuation against Bach's per 8 bars (a scratch count, /work/s76/chrom.py): val 2.80
# (Bach's 3.55), test 3.50 (8.10), 60 train openings 2.80 (5.03). At 0.5 / 1.0 val 4.03 /
# 5.03, test 5.15 / 6.75. A blind listening review of six test chorales continued at 0, 0.5
# and 1.0 (the same seed) found 7, 4 and 10 chromatic notes faulty (a raised note falling, a
# clash with its natural in another voice) and ranked 0.5 best in 3 pieces, 0 in 1, 1.0 in 2.
# The part-writing rules for notes outside the key (part_writing.CHROMATIC_CLASHES,
# CHROMATIC_CHORD_COST, the steps they lead by) hold as before
CHROMATIC_PULL = 0.5
# A chorale's bass strikes on the eighth-note grid, not on a sixteenth between (a note it holds
# runs on there): a listening review heard the bass move on the second sixteenth after a beat
# (a sixteenth, then a dotted eighth) in 3 of 9 files; bench/voice_leaps.py, bass notes struck
# off the eighths: harmonized test melodies 0.9% (Bach 0.3%, mostly in pairs of sixteenths),
# continued openings 1.4% (Bach 0.3%)
BASS_ON_EIGHTHS = True
# ... and holds no note struck inside a beat across the next beat where it may move on by step
# (BASS_ON_THE_BEAT, after every other rule: where they leave it no step, it holds): a listening
# review heard a bass struck on the second eighth of beat 3 held 3.5 beats over the bar line.
# The 40 test melodies harmonized x 2, seeds 0 and 100: such bass syncopations 77 + 72 -> 47 +
# 45 (Bach's 11 in his 40; his altos 63, tenors 31; a scratch count, /work/s65/measure66.py);
# bench/voice_leaps.py, the bass's half-beat steps left by leap 60 of 616 -> 64 of 645 (a first
# version that barred every such hold: 80 of 688, and 77 -> 0 syncopations)
BASS_ON_THE_BEAT = True
# ... nor a note struck on a later beat of the bar before across the bar line, where it may
# strike (BASS_OVER_THE_BAR, after every other rule): Bach's bass ties over the bar 12 times in
# the 40 test chorales, the harmonized melodies' 76 times in 80 (/work/s65/measure66.py). Barring
# every note struck after the downbeat left the bass's passing eighths by leap more often
# (bench/voice_leaps.py: 64 of 645 -> 81 of 685, Bach's 30 of 491)
BASS_OVER_THE_BAR = True
# A tenor note held across a beat it was not struck on pays TENOR_TIE_COST nats there (session
# 69): struck between the beats and held across the next, or struck on a later beat of a bar
# and held over the bar line. A listening review heard inner voices' eighths struck off the beat
# and tied over it 25 times in 20 outputs; the tenor did so about twice as often as Bach's (the
# bass has its own rules, BASS_ON_THE_BEAT and BASS_OVER_THE_BAR, which bar it). A cost, not a
# bar: Bach's tenors do it too. Chosen on the val melodies x 2 (bench/voice_leaps.py's last two
# columns, the tenor; Bach's 24 and 11 in half as many): 0 nats 138 and 39, 1 73 and 28, 1.5 53
# and 18, 2 37 and 14
TENOR_TIE_COST = 1.5


# semitones over the bass (mod 12) that are no consonance: a suspension is prepared by none
_DISSONANT = frozenset({1, 2, 5, 6, 10, 11})


def _suspends(chord: np.ndarray, i: int, held: int, bass_before: int,
              bass_half: int = -1) -> bool:
    """Whether voice ``i``, stepping down into this beat's ``chord`` ([voices] pitches, -1:
    silent; the bass last) from ``held``, may hold that note over the beat as a suspension
    (SUSPENSIONS):

    * the note held is a second, fourth or ninth over the bass (:data:`SUSPENSION_INTERVALS`),
      prepared: the bass has moved to this beat from ``bass_before`` (the last beat's) and
      ``bass_half`` (its half beat's, -1: none), over which the note was a consonance (a bass
      that reached the beat's note an eighth early sounded the dissonance before the beat);
    * the beat's chord is a major or minor triad or a dominant seventh, and with the held note
      in it no chord at all (a fourth held over a third and a fifth is a six-four chord, not
      a suspension); a fourth falls into a major triad or V7 (Bach's 4-3s fall into a minor
      triad 4 times in 107 in his first 150 chorales, the second review's count); a ninth
      falls to the bass's octave over the chord's root only;
    * the note it falls to sounds in no other voice above the bass, no other voice above the
      bass is a semitone from the held note, and no voice next to it is crossed or reached.

    A listening review of the first version (46 suspensions in 25 outputs) heard 16 faulty:
    unprepared ones over a held bass, six-fours, ninths over a chord's third, minor seconds
    against the soprano, and resolutions against voices moving with them (which now hold); a
    second review of the rules above, none in 42, 9 of the 25 fourths weak over minor triads."""
    n = len(chord)
    bass = int(chord[n - 1])
    interval = (held - bass) % 12
    if i >= n - 1 or bass < 0 or held <= bass or interval not in SUSPENSION_INTERVALS:
        return False
    for before in (bass_before, bass_half):
        if before == bass or (before >= 0 and (held - before) % 12 in _DISSONANT):
            return False
    if bass_before < 0:
        return False
    to = int(chord[i]) % 12
    upper = [int(chord[j]) for j in range(n - 1) if j != i and chord[j] >= 0]
    if any(p % 12 == to or (held - p) % 12 in (1, 11) for p in upper):
        return False
    if (i > 0 and 0 <= chord[i - 1] <= held) or chord[i + 1] >= held:
        return False
    plain = analysis.chord_root(frozenset(int(p) % 12 for p in chord if p >= 0))
    if plain is None or plain[1] not in (("maj", "dom7") if interval == 5
                                         else ("maj", "min", "dom7")):
        return False
    if to == bass % 12 and plain[0] != bass % 12:
        return False
    sounding = frozenset(int(p) % 12 for j, p in enumerate(chord) if p >= 0 and j != i)
    return analysis.chord_root(sounding | {held % 12}) is None


def _over_the_bar_mask(mask: np.ndarray, sounding: np.ndarray, struck: np.ndarray,
                       bar_before: int, step: int, beat_steps: int, pitch_offset: int,
                       pitches: int) -> None:
    """On a downbeat (``step``), a voice sounding a note (``sounding``, -1: silent) struck
    (``struck``, its step) on a beat after the last downbeat (``bar_before``) does not hold
    it, in the rows whose mask lets it strike a pitch (the ``pitches`` after
    ``pitch_offset``). A note struck between the beats is BASS_ON_THE_BEAT's: it holds where
    it has no step on."""
    over = (sounding >= 0) & (struck > bar_before) & (struck < step) & \
        ((struck - bar_before) % beat_steps == 0) & \
        mask[:, pitch_offset:pitch_offset + pitches].any(axis=1)
    mask[over, HOLD] = False


# A chorale voice's note struck on a sixteenth between the eighths lasts that sixteenth: at the
# next eighth it strikes again (or rests). In Bach's 400 chorales every such note in every voice
# is one sixteenth long (1,216 of them: 8th-16th-16th, 16th-16th-8th, four sixteenths); a
# listening review heard "Scotch snaps" in the harmonizations' inner voices (a sixteenth on the
# beat, then a dotted eighth): bench/voice_leaps.py, notes struck off the eighths and held past
# the next, 19 on the 40 test melodies x 2 (Bach none). It moves on to another pitch
# (RESTRIKE_IN_BEAT)
SIXTEENTH_SHORT = True


def _given_steps(frames: list[_Frame]) -> set[int]:
    """The steps where the chord symbols decide: not after the span, nor where a cadence
    they left planned does."""
    return {f.step for f in frames if not (f.context or f.cadence or f.close_held
                                          or f.in_dominant is not None)}


def _chord_free_steps(frames: list[_Frame]) -> set[int]:
    """The steps where a quick melody's planned chord applies: not where a close, the final
    cadence or the opening tonic is planned (their own masks decide), nor after the span."""
    return {f.step for f in frames if not (f.cadence or f.final or f.close_held or f.context
                                           or f.in_dominant is not None)}


# Inside the beat of a planned cadence's dominant (V(7) a beat before its tonic) the bass strikes
# no note but the dominant's root, and the voices between it and the top none but its V7's: a
# listening review heard V - vi - I where a melody's tonic came an eighth early (the bass
# stepped G A C under the soprano's D C C, the inner voices falling with it, in the last bars
# of two of three harmonizations)
DOMINANT_BEAT_BASS = True


def _lies_low(pitches: list[int]) -> bool:
    """Whether a melody lies low for a soprano: its middle note under :data:`LOW_MELODY`."""
    return bool(pitches) and statistics.median(pitches) < LOW_MELODY


def _unborrowed_leading_tone(key: KeySignature, notes: list[Note], start: int) -> set[int]:
    """A tune in a minor church mode (Dorian, Phrygian) that never sings the leading tone below
    its tonic (in ``notes`` before ``start``) keeps its flat seventh: {that leading tone's
    pitch class}, else nothing. A listening review heard E Dorian reels sung with D natural
    throughout continued with D sharps (F# E D# E) in 7 of 15 variations, and a D Dorian
    tune harmonized with C# in the tenor against its own C natural (a false relation, and a
    cadence the tune does not sing): the borrowed leading tone (``KeySignature.scale_pcs``) is
    the chorale's cadence habit, not a modal tune's. A melody that borrows it itself may go
    on doing so."""
    leading = (key.tonic_pc + 11) % 12
    if any(x.pitch % 12 == leading for x in notes if x.start < start):
        return set()
    return {leading}


def _region_stop(score: Score, request: GenerationRequest, step: int) -> int:
    """Where a region's rewriting stops (a grid step): its end, or the music's end where the
    region runs past it. A piece's last bar short by its upbeat stays short (a region over
    a jig's last bar had held its lower voices a whole 6/8 bar, past the melody's close)."""
    if 0 < score.end_tick < request.end_tick:
        return -(-score.end_tick // step) * step
    return request.end_tick // step * step


def _steps_heard(job: _VoiceJob) -> int:
    return (job.frames[-1].step + 1) if job.frames else 0
