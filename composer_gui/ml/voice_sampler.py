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
   per variation in all; :data:`MAX_ROWS` rows at most). A continuation forks only at its last
   bar, so everything before it streams live; a region or a harmonization arrives when its search
   ends. Each variation keeps its best candidate, ranked first by ending on the tonic chord (when
   the span ends the piece; ``music.analysis.ends_on_tonic``), then by the model's log-likelihood
   of the candidate's span *and* of the kept bars right after it (teacher-forced, up to
   :data:`limits.VOICE_CONTEXT_BARS` bars): log p(span, right | left), the candidates ranked by
   how well they fit both sides. The right side is heard only where every voice has a part with
   notes after the span (a melody harmonized in a region has no lower voices after it). Cost: the
   candidates multiply the batch (the same number of steps, each dearer; bench/generate.py) plus
   one teacher-forced pass over the right context. ``search`` reports how often the first
   candidate would already have ended on the tonic.

5. Rules (docs/voices.md), each yielding where it would leave a voice no note: the chorale style
   rules for three or more voices (``style_rules``: no outer parallel fifths/octaves, chords on
   the beats, :func:`_style_mask`; no consecutive fifths/octaves between any two voices, nor into
   a region's kept chord, :func:`_parallels_mask`; no leap of a tritone, a seventh or wider
   than an octave in any voice, :func:`_leap_mask`, and a cost on each semitone a lower voice
   leaps beyond a step, :func:`_leap_cost`; a quarter note moving a third to the next beat
   split into two eighths with the passing note between, as often as Bach fills such a third,
   :meth:`VoiceSampler._passing`; a half-beat note that stepped out of the chord moving on
   by step, :func:`_step_mask`; a phrase end the model marks closing on a root-position triad,
   drawn to the one the chord before resolves to, :func:`_fermata_chord_mask`,
   :func:`_cadence_pull`); the cadence option's
   V(7)-I, roots in the bass, closing
   with the top voice on the tonic and a full chord (:func:`_cadence_mask`; a harmonized melody
   opens on I and closes on the chord of its last note, :func:`opening_tonic`,
   :func:`melody_close`); a region's last beat moving within :data:`SEAM_REACH` of the kept
   notes (:func:`_near_mask`); a melody's pull towards restating its earlier bars
   (:data:`RESTATE_BONUS`, :func:`_restate_bias`).

Notes are yielded as soon as they end (a note still open when a frame run ends closes at its
end). ``cancel`` is checked before every step. The same request with the same seed gives the
same notes.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from composer_gui.ml import close_voicing, limits
from composer_gui.ml import voices as vx
from composer_gui.ml.harmony_tables import (
    BARE_ROOT,
    CADENCE_ROOT,
    CHORD_QUALITY,
    CHORD_ROOT,
    DIATONIC_TRIADS,
    DIMINISHED_ROOT,
    DOMINANT_ROOT,
    DOMINANT_SEVENTH_OF,
    EXTENDABLE,
    FINAL_THIRD,
    I_TRIAD,
    IN_TRIAD,
    IS_CHORD,
    LEADING_TONE,
    PC_BIT,
    QUALITIES,
    SEVENTH_OF,
    TONIC_CHORD,
    TRIAD_ROOT,
    V7_NOTES,
    V7_SEVENTH,
    V_TRIAD,
    cadence_root,
    pitch_class_bits,
    rooted_below,
    where_quality,
)
from composer_gui.ml.keyfinding import key_heard
from composer_gui.ml.melody_plan import (
    bass_to_avoid,
    closing_key,
    harmonized_melody,
    held_close_steps,
    melody_close,
    melody_final_step,
    opening_tonic,
    plan_phrase_closes,
    real_key,
)
from composer_gui.ml.model_folder import TOKEN, LoadedModel, load_model, state_names
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
from composer_gui.music.edits import apply_generated, region_notes
from composer_gui.music.score import MAJOR_SCALE, TPQ, KeySignature, Note, Score

# Comfortable choir ranges (MIDI, sounding pitch), the usual textbook ones with a tone to spare.
VOICE_RANGES = {"sopr": (59, 81), "alto": (52, 74), "teno": (47, 69), "bass": (36, 62)}
RANGE_MARGIN = 2  # semitones beyond the sketch's own notes of a voice
# ... and a choir voice that keeps its sketch's register (limits.REGISTER_REACH) keeps its choir
# range too, where the sketch itself stays inside it: a listening review heard a continued
# soprano sink to B-flat 3 (all four voices within a fifth) and a harmonized bass to B1, each
# within 5 semitones of the sketch's lowest note
CHOIR_RANGES_KEPT = True
MAX_ROWS = 64  # candidates of all variations stepped at once (limits.py: timings by batch size)


@dataclass
class SearchReport:
    """What the last request's candidate search did (tests and the bench read it)."""

    candidates: int = 1  # per variation
    groups: int = 0  # variations searched
    tonic_checked: bool = False
    first_on_tonic: int = 0  # variations whose first candidate already ended on the tonic
    found_tonic: int = 0  # variations where some candidate did
    found_authentic: int = 0  # ... and where some candidate ended V(7)-I in root position
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
    shift: int
    step_ticks: int
    tonic_check: bool
    key: KeySignature | None
    kept_notes: list[Note] = field(default_factory=list)  # the score's notes kept (tonic check)
    start_pitch: list[int] = field(default_factory=list)  # per voice, sounding at the start
    beat_steps: int = 4
    seam_pitch: list[int] = field(default_factory=list)  # per voice: the kept note at the seam
    style_rules: bool = False
    history: list[list[int]] = field(default_factory=list)  # melody: its grid tokens so far
    restate_lags: tuple[int, ...] = ()  # melody: steps back to the bars a tune restates
    entry_pitch: list[int] = field(default_factory=list)  # continuation: each voice's last note
    pull: np.ndarray | None = None  # [voices, vocab size] register pull added to pitch logits
    # voices sampled but not written: a sketch thinner than the model (a melody continued by
    # the chorale model) is continued over the lower voices the model imagines under it
    hidden: list[bool] = field(default_factory=list)
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

    @classmethod
    def load(cls, name_or_dir: str | os.PathLike) -> VoiceSampler:
        return cls(load_model(name_or_dir))

    # ----- public API ------------------------------------------------------------------------
    def stream(self, score: Score, request: GenerationRequest,
               cancel: threading.Event | None = None) -> Iterator[GeneratedNote]:
        """Yield each generated note (with its part) as soon as it is complete. Bad requests
        raise ValueError here, before anything runs."""
        request.validate()
        job = self._prepare(score, request)
        self.plan = job.plan
        self.warnings = list(job.plan.warnings)
        self.search = SearchReport(candidates=job.candidates, tonic_checked=job.tonic_check,
                                   context_frames=job.n_context)
        self.fermatas = [[] for _ in range(request.variations)]
        return self._run(job, request, cancel)

    def generate(self, score: Score, request: GenerationRequest,
                 cancel: threading.Event | None = None) -> list[Score]:
        """One Score per variation, kept by music.edits' rule (each note into its part), with
        the fermatas the model marked."""
        notes: list[list[GeneratedNote]] = [[] for _ in range(request.variations)]
        for g in self.stream(score, request, cancel):
            notes[g.variation].append(g)
        plan = self.plan
        assert plan is not None
        return [apply_generated(score, ns, plan.start_tick, plan.end_tick, plan.parts, fs)
                for ns, fs in zip(notes, self.fermatas, strict=True)]

    @staticmethod
    def _passing(g: GeneratedNote, r: int, i: int, job: _VoiceJob, at_beat: np.ndarray,
                 at_half: np.ndarray, cur: np.ndarray, skip: bool, minor: bool,
                 rng: np.random.Generator) -> list[GeneratedNote]:
        """A quarter note of voice ``i`` that moves a third to the next beat: split into two
        eighths, the second the passing note between, as often as Bach fills such a third in
        that voice (:data:`PASSING_SHARE`) and where no rule forbids it (:func:`_passing_pitch`,
        :func:`_passing_clear`); ``at_half`` is updated with the note written. ``skip``: a
        voice struck between the beats, or the beat held a fermata."""
        n = len(job.rewritten)
        share = PASSING_SHARE[min(n - 1 - i, len(PASSING_SHARE) - 1)]
        a, c = g.note.pitch + job.shift, int(cur[r, i])
        if skip or rng.random() >= share:
            return [g]
        p = _passing_pitch(a, c, minor)
        if p is None or not _passing_clear(i, p, a, c, at_beat[r], at_half[r], cur[r],
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

        # which part is which voice, and which voices are written
        hidden = [False] * n
        if request.harmonize:
            vplan, rewritten, start, stop = self._harmonize_plan(score, request, warnings)
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
            elif any(p >= 0 for p in vplan.parts) and any(p < 0 for p in vplan.parts):
                # a sketch thinner than the model (a melody given to the chorale model): the
                # model writes its parts, in their register, over the other voices sampled and
                # not written (with them silent it heard no chorale: a listening review found
                # a hymn tune continued in sixteenth-note stutters); Harmonize writes them
                rewritten = [True] * n
                hidden = [p < 0 for p in vplan.parts]
                missing = [v.voices[i].lower() for i in range(n) if hidden[i]]
                warnings.append(f"the sketch has no {', '.join(missing)}: the model continues "
                                "its own part(s) only (Harmonize writes the other voices)")
            else:
                rewritten = [True] * n
            if request.is_region:
                start, stop = up(request.start_tick), request.end_tick // step * step
                if stop <= start:
                    raise ValueError("the region is shorter than one grid step")
                if start >= score.end_tick:
                    raise ValueError("the region lies after the end of the score")
                region_end = stop
            else:
                start = up(score.end_tick if request.start_tick is None else request.start_tick)
                bar = score.bar_at(start)
                first_line = start if score.bar_start(bar) == start else score.bar_start(bar + 1)
                stop = score.bar_start(score.bar_at(first_line) + request.bars)
                region_end = None
        thin = any(hidden)
        part_of = list(vplan.parts)
        new_index = len(score.parts)
        part_names: list[str | None] = [None] * n
        for i in range(n):
            if part_of[i] < 0:
                part_of[i], part_names[i] = new_index, v.voices[i]
                new_index += 1
        whole = all(rewritten) and not request.harmonize and not thin
        parts = None if whole else tuple(sorted(
            {part_of[i] for i in range(n) if rewritten[i] and part_of[i] < len(score.parts)}))
        replaced = set(region_notes(score, start, region_end, parts))
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
        # a church mode is kept by its notes (KeySignature.scale_pcs), locked or not: the model
        # knows major and minor only, and would write G Mixolydian with G major's F#
        lock = key is not None and (wanted is not None or key.quality != key.mode)
        shift = vx.normalizing_shift(key)
        mode = key.quality if key is not None else "major"

        # the lanes without what is replaced
        lanes = [[x for x in vplan.notes[i]
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
        bar_ticks = score.bar_starts(horizon)
        if bar_ticks[-1] < horizon:
            bar_ticks.append(score.bar_start(len(bar_ticks)))
        bar_steps = [b // step for b in bar_ticks]
        if end == "cadence":
            total = score.bar_at(max(stop, score.end_tick if not ends_piece else stop) - 1) + 1
        else:
            total = None

        def bar_token(b: int) -> int:
            return v.bar_id(total - b if total is not None else v.max_bars_left)

        def where(s: int) -> tuple[int, int]:
            b = bisect.bisect_right(bar_steps, s) - 1
            pos = s - bar_steps[b]
            if pos >= v.max_bar_steps:
                raise ValueError(f"bar {score.bar_number(b)} is longer than the model's longest "
                                 f"bar ({v.max_bar_steps} sixteenths)")
            return b, pos

        ts = score.time_signature_at(start)
        if v.nearest_meter(ts) != f"{ts.numerator}/{ts.denominator}":
            warnings.append(f"the model knows no {ts.numerator}/{ts.denominator}; it hears "
                            f"{v.nearest_meter(ts)}")

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
        # onto the model's chords after --from-bar, two fermatas in a bar)
        fermata_steps = {round(t / step) for t in score.fermatas
                         if t < start or region_end is not None or runs_on}
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
        sketch_end = max((f for f in fermata_steps if f < start_step), default=None)
        grid_from = sketch_end if FINAL_ON_PHRASE_GRID and request.style_rules and n > 2 \
            else None
        last_beat = max(start_step, _final_chord_step(last_bar_step, stop_step, beat, grid_from,
                                                      LONG_PHRASE_BEATS * beat))
        melody = harmonized_melody(request, grid, rewritten, key, v)
        minor = key is not None and key.quality == "minor"
        last_beat = melody_final_step(melody, last_bar_step, stop_step, last_beat)
        tonic_check = end == "cadence" and ends_piece and key is not None
        opening = opening_tonic(melody, start_step, stop_step, minor)
        # (the keys some phrase closes are planned in, drawn per request: BACH_CLOSES)
        close_keys: dict[int, tuple[bool, int]] = {}
        plan_rng = np.random.default_rng(None if request.seed is None
                                         else (int(request.seed), 3))
        closes = plan_phrase_closes(melody, fermata_steps, start_step, last_bar_step, bar_steps,
                                beat, minor, plan_rng if request.style_rules else None,
                                close_keys)
        # a melody being harmonized that ends off the tonic triad (a first phrase ending on the
        # second degree) closes on the dominant, not under a forced tonic: a half cadence
        close = melody_close(melody, last_beat, minor) if tonic_check else 2
        # ... and one that ends off both (a chorale tune that ends in the key of its dominant)
        # closes V-I in the key of its last note
        close_key = None
        if tonic_check and close == 0 and CLOSE_IN_LAST_KEY:
            close_key = closing_key(melody, last_beat, bar_steps, beat)
            close = 2 if close_key is not None else 0
        ending = tonic_check  # the last beat is held
        tonic_check = tonic_check and close == 2
        rules_on = bool(request.style_rules) and n >= 3
        avoid = bass_to_avoid(melody, closes, opening, close if ending else 0, last_beat, beat,
                            minor, close_key, close_keys) if rules_on else {}
        held_closes = held_close_steps(melody, closes) if rules_on and CLOSES_HELD else {}
        # ... and the key of each close away while the melody holds its note (held_close_steps
        # maps each held step to the close's step, given the steps as their own values)
        held_keys = {t: close_keys[c] for t, c in held_close_steps(
            melody, {c: c for c in close_keys}).items()} if held_closes else {}
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
            if ending and not context and s >= last_beat:
                final = 1 if s == last_beat else 2
                cadence = close if s == last_beat else 0
                local = close_key if s == last_beat else None
            elif tonic_check and not context and s == last_beat - beat and s >= start_step:
                cadence = 1
                local = close_key
            elif s == opening:
                cadence = 2
            elif s in closes:
                cadence = closes[s]
                local = close_keys.get(s)
            if s in held_keys and not cadence:  # a close's chord held, in its key
                local = held_keys[s]
            approach = region_end is not None and not context and s >= stop_step - beat
            # a chorale's closing chord is held under a fermata, as each of Bach's is
            fermata = s in fermata_steps or (final == 1 and rules_on)
            frames.append(_Frame(s, bar_token(b) if pos == 0 else None, pos, forced, final,
                                 context, on_beat=pos % max(1, beat) == 0, cadence=cadence,
                                 approach=approach, fermata=fermata,
                                 bass_avoid=avoid.get(s, frozenset()),
                                 close_held=held_closes.get(s, 0), close_key=local))
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
        if n_ctx_end > stop or request.harmonize or region_end is not None:
            forks[0] = max(1, min(limits.VOICE_CANDIDATES, MAX_ROWS // k))
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
        m = int(np.prod(list(forks.values()))) if forks else 1

        # pitch masks per voice
        pitch_ok = np.zeros((n, v.size), bool)
        pull = np.zeros((n, v.size), np.float32)
        model_pitches = np.arange(v.min_pitch, v.max_pitch + 1)
        score_pitches = model_pitches - shift
        pcs = None
        if lock:
            pcs = set(key.scale_pcs())
            if key.mode == "minor":
                pcs |= {(key.tonic_pc + 9) % 12, (key.tonic_pc + 11) % 12}
        for i, name in enumerate(v.voices):
            choir = VOICE_RANGES.get(name.lower()[:4])
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

        mode_from, mode_to = _mode_degrees(key, score_pitches, v.pitch_offset)
        vels = sorted(x.velocity for x in score.notes)
        velocity = vels[len(vels) // 2] if vels else 80
        plan = Plan(start_tick=start, stop_tick=stop, end_tick=region_end, key=key,
                    velocity=velocity, prefix_tokens=len(prefix),
                    prefix_bars=sum(v.bar_offset <= t < v.pos_offset for t in prefix),
                    warnings=tuple(warnings), parts=parts, end=end)
        start_pitch = [_sounding_before(grid[i], start_step, v) for i in range(n)]
        # each voice's kept note right at a region's end: the region's last notes lead into it
        seam_pitch = [grid[i][stop_step] - v.pitch_offset + v.min_pitch
                      if region_end is not None and stop_step < len(grid[i])
                      and grid[i][stop_step] >= v.pitch_offset else -1 for i in range(n)]
        return _VoiceJob(plan, prefix, frames, len(frames) - n_span, forks, m,
                         pitch_ok, rewritten, part_of, part_names, shift, step, tonic_check,
                         key, base_notes, start_pitch, beat, seam_pitch,
                         style_rules=rules_on,
                         history=[lane[:ctx_step] for lane in grid] if n == 1 else [],
                         restate_lags=_restate_lags(ts.bar_ticks // step) if n == 1 else (),
                         entry_pitch=[_last_pitch(grid[i], start_step, v) for i in range(n)]
                         if region_end is None else [],
                         pull=pull if pull.any() else None, hidden=hidden,
                         mode_from=mode_from, mode_to=mode_to,
                         last_fermata=-(10 ** 9) if sketch_end is None else sketch_end,
                         fermata_places=_fermata_places(fermata_steps, start_step, bar_steps,
                                                        ts.bar_ticks // step),
                         phrase_unit=LONG_PHRASE_BEATS * beat
                         if _two_strong_beats(ts.bar_ticks // step, beat) else 0,
                         close_before=_chord_before(grid, sketch_end, v),
                         close_key=real_key(close_key, shift) if close_key else key)

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
        notes = sorted(score.parts[melody].notes)
        for a, b in itertools.pairwise(notes):
            if b.start < a.end:
                bar = score.bar_number(score.bar_at(b.start))
                raise ValueError(f"the melody (part {melody + 1}) plays two notes at once in bar "
                                 f"{bar}; harmonizing needs one note at a time")
        if request.harmony_parts is not None:
            vplan = self._harmony_parts_plan(score, request.harmony_parts, melody, notes)
        elif four and full.parts[0] == melody:
            vplan = full
            warnings += full.messages
        else:
            vplan = vx.VoicePlan(parts=[melody] + [-1] * (n - 1),
                                 notes=[notes] + [[] for _ in range(n - 1)])
        step = v.step_ticks
        if request.is_region:
            start = -(-request.start_tick // step) * step
            stop = request.end_tick // step * step
            if stop <= start or not any(start <= x.start < stop for x in notes):
                raise ValueError("the region holds no melody notes to harmonize (it lies "
                                 "outside the melody)")
        else:
            # from the melody's first note: the voices under a pickup enter with it, not in
            # the empty part of its bar (which would also make notation write a full bar)
            start = notes[0].start // step * step
            stop = -(-max(x.end for x in notes) // step) * step
        return vplan, [False] + [True] * (n - 1), start, stop

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
        last_sound = np.full(k, job.frames[0].step if job.frames else 0, np.int64)
        max_silence = MAX_SILENCE_BEATS[n == 1] * job.beat_steps
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
        closing = next((f.step for f in job.frames if f.final == 1 and f.fermata), None)
        close_table = None  # the phrase-end voicings in reach of the voices (CLOSE_LOOKAHEAD)
        min_phrase = MIN_PHRASE_BEATS * job.beat_steps
        min_last = max(MIN_LAST_PHRASE_BEATS, MIN_PHRASE_BEATS) * job.beat_steps
        # the strong beats (the downbeat, and the middle of a bar of an even number of beats)
        # and how long a phrase runs before a prepared cadence is drawn to end it
        strong = _strong_frames(job.frames, job.beat_steps)
        long_phrase = LONG_PHRASE_BEATS * job.beat_steps
        overdue_phrase = OVERDUE_PHRASE_BEATS * job.beat_steps
        places = job.fermata_places if PHRASE_PLACES else frozenset()
        if places:  # the sketch's phrase ends show where in the bar the model's fall
            strong = [f.pos in places for f in job.frames]
            overdue_phrase = long_phrase  # (the next place after 8 beats is 12 beats on)
        # per frame: on a beat, a beat before a place where a phrase may end (PRE_CLOSE_PULL)
        placed_at = {f.step for f, on in zip(job.frames, strong, strict=True)
                     if on and f.final == 0 and not f.context} if places else set()
        # the place where the last phrase starts: the one nearest LAST_PHRASE_BEATS before the
        # closing chord that leaves it MIN_LAST_PHRASE_BEATS (a later one when none is there)
        last_phrase = tuple(b * job.beat_steps for b in LAST_PHRASE_BEATS)
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
            """A phrase end here would leave less than a long phrase before the last phrase's
            place (LAST_PHRASE_ROOM): the phrase runs on to that place instead."""
            return LAST_PHRASE_ROOM and last_place is not None and \
                0 < last_place - step < long_phrase

        placed_at = {p for p in placed_at if not crowded(p)}
        before_place = [f.on_beat and f.step + job.beat_steps in placed_at and PRE_CLOSE_PULL > 0
                        for f in job.frames]
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
                           and PREDOMINANT_PULL > 0 for f in job.frames]
        # the key (minor, normalized tonic) of each cadence whose dominant is planned (the
        # cadence option's, a harmonized melody's closes), by the dominant's step
        dominant_keys = {f.step: _cadence_key(f.close_key, job.key) for f in job.frames
                         if f.cadence == 1 and PREDOMINANT_PULL > 0}
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
        # within CLOSE_BASS_ROOM beats after it (-1: none; DOMINANT_BASS_ROOM)
        dominant_ahead = [-1] * len(job.frames)
        if job.style_rules and DOMINANT_BASS_ROOM:
            dominant_ahead = [-1 if f.context or f.final else r for f, r in zip(
                job.frames, _cadence_ahead(job.frames, room, job.key is not None
                                           and job.key.quality == "minor", which=1),
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
        if job.style_rules and n > 2 and SKETCH_DEBTS and (cur >= 0).any():
            # the sketch's last chord: its seventh falls, its bass leading tone rises
            owed = _owed_sevenths(owed, cur, np.zeros((k, n), bool))
            if LEADING_BASS_COST or LEADING_BASS_ROOM:
                rising = _owed_rises(rising, cur, np.zeros(k, bool),
                                     job.key is not None and job.key.quality == "minor")
        # each row's planned close (TONAL_PLAN) and the place (step) it was drawn for
        tonic_root = CADENCE_ROOT[(job.key is not None and job.key.quality == "minor", 2)]
        plan = np.full(k, tonic_root, np.int64)
        plan_for = np.full(k, -1, np.int64)
        last_away = np.full(k, -1, np.int64)  # the key away of the last planned close written
        # the root of the last phrase end's chord (the sketch's, then each row's own; -1: none)
        last_close = np.full(k, job.close_before, np.int64)
        # per frame: the place within PLAN_BEATS after it where a long phrase may end (-1: none)
        reach = PLAN_BEATS * job.beat_steps
        plan_place = [min((p for p in placed_at if 0 < p - f.step <= reach), default=-1)
                      if PLANNED_CONTINUATIONS[tonic_root == 9] and f.step not in placed_at
                      and not (f.context or f.final or f.cadence or f.phrased) else -1
                      for f in job.frames]
        if closing is not None:
            plan_place = [-1 if 0 < closing - p < min_last else p for p in plan_place]
        # per frame: the pitch classes (bits) the given voices sound there as sevenths cannot be
        # (their next note rises or leaps): no chord written under them makes them one
        unresolved = (_unresolved_given(job, pitch_offset, min_pitch)
                      if job.style_rules and n > 2 else None)
        # each voice's last struck pitch, and how many times in a row it struck it (RUN_COST)
        last_struck = cur.copy()
        strikes = (cur >= 0).astype(np.int64)
        struck_step = np.full((k, n), -(10 ** 9), np.int64)  # when (FALSE_RELATIONS)
        # per frame: the pitch classes given voices strike in the beat after it (12-bit sets)
        given_ahead = (_given_ahead(job, pitch_offset, min_pitch) if job.style_rules and n > 2
                       and FALSE_RELATIONS else None)
        seam = (np.asarray(job.seam_pitch, np.int64)
                if job.seam_pitch and len(job.seam_pitch) == n else None)
        rules = job.style_rules
        # the top voice is given (a harmonized melody, a kept soprano): no voice goes above it
        under_top = rules and n > 2 and UNDER_GIVEN_TOP and not job.rewritten[0]
        lags = job.restate_lags
        density = float(request.density)
        hist = None
        if lags:
            hist = np.full((k, max(_steps_heard(job), 1)), -1, np.int64)
            known = np.asarray(job.history[0][:hist.shape[1]], np.int64)
            hist[:, :len(known)] = known
            hist[:, job.frames[0].step:] = -1  # the span is written now
        run = np.zeros(k, np.int64)  # bars in a row restated note for note (MAX_RESTATED_RUN)
        restated = np.zeros(k, np.int64)  # bars of the span restated so far (RESTATE_SHARE)
        # the other voices written into the same part (a piano part split into voices)
        shared = [[j for j in range(n) if j != i and job.part_of[j] == job.part_of[i]
                   and job.rewritten[j] and not (job.hidden and job.hidden[j])]
                  for i in range(n)]
        span_frames = job.frames[:len(job.frames) - job.n_context]
        budget = max(1, round(RESTATE_SHARE * sum(f.pos == 0 for f in span_frames)))
        mode_minor = job.key is not None and job.key.quality == "minor"
        cand = np.arange(v.min_pitch, v.max_pitch + 1)  # the pitch tokens' pitches
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
        plan_rng = np.random.default_rng(None if request.seed is None  # _plan_targets
                                         else (int(request.seed), 2))
        beat_at = -1
        at_beat = cur.copy()
        at_half = cur.copy()
        between = np.zeros(k, bool)

        def close(r: int, i: int, end_step: int) -> GeneratedNote | None:
            s0 = int(opened[r, i])
            opened[r, i] = -1
            if s0 < 0:
                return None
            if job.hidden and job.hidden[i]:
                return None  # heard, not written
            note = Note(s0 * step, int(pitch[r, i]) - shift, (end_step - s0) * step, velocity)
            return GeneratedNote(int(group[r]), note, job.part_of[i], job.part_names[i])

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

        for fi, frame in enumerate(job.frames):
            if fi in job.forks:  # each row splits into candidates (they share what came before)
                idx = np.repeat(np.arange(rows), job.forks[fi])
                logits, states = logits[idx], [s[idx] for s in states]
                opened, pitch = opened[idx], pitch[idx]
                cur, outer, last_sound = cur[idx], outer[idx], last_sound[idx]
                last_onset, fermata_at = last_onset[idx], fermata_at[idx]
                marked_at = marked_at[idx]
                chord, owed, rising = chord[idx], owed[idx], rising[idx]
                plan, plan_for, last_away = plan[idx], plan_for[idx], last_away[idx]
                last_close = last_close[idx]
                last_struck, strikes = last_struck[idx], strikes[idx]
                struck_step = struck_step[idx]
                entered = entered[idx]
                at_beat, at_half, between = at_beat[idx], at_half[idx], between[idx]
                if hist is not None:
                    hist, run, restated = hist[idx], run[idx], restated[idx]
                group, score = group[idx], score[idx] if not streaming else np.zeros(len(idx))
                held = [list(held[r]) for r in idx] if not streaming else [[] for _ in idx]
                marked = [list(marked[r]) for r in idx]
                rows = len(idx)
                streaming = False
            if fi == n_frames - job.n_context:  # the span ends: close its notes
                for g in close_all():
                    if cancelled():
                        return
                    yield g
            scoring = not streaming
            if hist is not None and frame.pos == 0:
                before = run
                run = _restated_run(run, hist, frame.step, lags)
                if fi:  # the bar just ended was written here
                    restated += run > before
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
                mask = np.zeros((rows, v.size), bool)
                mask[:, p0] = True
                mask[:, p0 + 1] = frame.step - marked_at >= min_phrase
                if closing is not None and 0 < closing - frame.step < min_last:
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
                    ready = _cadence_ready(at_beat if halves else chord, mode_minor) & \
                        (frame.step - marked_at >= long_phrase)
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
                # a phrase that has run FORCED_PHRASE_BEATS ends at the next strong beat (its
                # close may still fail the rules: DROP_FAILED_CLOSES)
                if rules and n > 2 and FORCED_PHRASE_BEATS and frame.on_beat and strong[fi] \
                        and frame.final == 0 and not crowded(frame.step) and \
                        (closing is None or closing - frame.step >= min_last):
                    due = frame.step - marked_at >= FORCED_PHRASE_BEATS * job.beat_steps
                    if due.any():
                        mask = mask.copy()
                        mask[due, p0] = ~mask[due, p0 + 1]
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
            close_rows = closes_marked
            if close_rows is None and GIVEN_CLOSES and rules and n > 2 and frame.fermata \
                    and not (frame.context or frame.final):
                close_rows = np.arange(rows)
            frame_attack = np.zeros(rows, bool)
            bare_close = None  # the rows whose phrase end may close bare (_style_mask)
            # ... and whose alto is drawn to another note of a triad than the top voice's (the
            # score's fermatas are among them: GIVEN_CLOSES; FULL_CLOSE_PULL)
            full_rows = close_rows if FULL_CLOSE_PULL and rules and n > 3 \
                and not (frame.context or frame.final) else None
            if BARE_CLOSES and close_rows is not None:
                bare_close = np.zeros(rows, bool)
                bare_close[close_rows] = True
            # a marked phrase end is drawn to close as a cadence on the chord before it (a
            # planned close has its chord already: _cadence_mask)
            pull_close = None
            # a beat before a place, and at it: the rows' planned closes (TONAL_PLAN; None: none)
            planning = None
            # the rows' plans for the place ahead, and the pull toward the planned key
            key_pull = None
            # the rows' plans due here, read before this frame may draw the next place's
            due_here = plan_for == frame.step
            closing_plan = np.where(due_here, plan, tonic_root) if due_here.any() else None
            if rules and n > 2 and plan_place[fi] >= 0:
                due = plan_place[fi]
                new = plan_for != due
                if new.any():  # (not in the key away the last planned close was in)
                    drawn = _plan_targets(plan_rng, int(new.sum()), mode_minor,
                                          last_close[new] if NO_REPEATED_PLAN else None)
                    plan[new] = np.where(drawn == last_away[new], tonic_root, drawn)
                    plan_for[new] = due
                plan[due - marked_at < long_phrase] = tonic_root
                if (plan != tonic_root).any():
                    key_pull = _key_pull_table(mode_minor)[plan][:, cand % 12]
            # (rows, the roots their chord may have: None, _close_roots; a pitch class barred)
            close_groups = None
            close_reach = None  # the voicings the close rows can reach (CLOSE_LOOKAHEAD)
            if rules and n > 2 and close_rows is not None and CADENCE_PULL and not frame.cadence:
                pull_close = _cadence_pull((at_beat if halves else chord)[close_rows], cand,
                                            mode_minor)
                # a planned close whose dominant sounds closes on its triad (TONAL_PLAN)
                if closing_plan is not None:
                    targets = closing_plan[close_rows]
                    before = DOMINANT_ROOT[pitch_class_bits((at_beat if halves else chord)[
                        close_rows])]
                    planned = (targets != tonic_root) & (before == (targets + 7) % 12)
                    if planned.any():
                        planning = np.where(planned, targets, tonic_root)
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
            # a beat before a cadence's dominant the voices are drawn to the predominant of its
            # key (ii, IV; the bass to the fourth degree): a planned cadence's, or a place's where
            # a long phrase may end two beats on (in the key of its planned close, TONAL_PLAN)
            pre_rows = pre_pull = pre_bass = pre_fits = pre_top = None
            sub_rows = sub_pcs = None  # the rows, and each one's subtonic (SUBTONIC_BEFORE_V)
            if rules and n > 2 and frame.on_beat and pull_close is None \
                    and not (frame.context or frame.final or frame.cadence):
                cad_key = dominant_keys.get(frame.step + job.beat_steps)
                if cad_key is not None:
                    pre_rows = np.arange(rows)
                    sub_pcs = np.full(rows, (cad_key[1] + 10) % 12)
                    pre_pull = np.broadcast_to(
                        _predominant_pulls(cad_key[0])[cad_key[1]][cand % 12], (rows, len(cand)))
                    pre_bass = np.broadcast_to(
                        _predominant_bass(cad_key[0])[cad_key[1]][cand % 12], (rows, len(cand)))
                    pre_top = np.broadcast_to(_predominant_pulls(cad_key[0], top=True)[
                        cad_key[1]][cand % 12], (rows, len(cand)))
                    pre_fits = np.broadcast_to(_predominant_fits(cad_key[0])[cad_key[1]],
                                               (rows, 12))
                elif before_dominant[fi]:
                    due = frame.step + 2 * job.beat_steps
                    ahead = due - marked_at >= long_phrase
                    if closing is not None and 0 < closing - due < min_last:
                        ahead[:] = False
                    # (only where a plan is drawn for it: a minor continuation plans none, and
                    # with the pull there its phrase ends failed more often)
                    ahead &= plan_for == due
                    if ahead.any():
                        pre_rows = np.flatnonzero(ahead)
                        pre_keys = plan[pre_rows]
                        sub_pcs = (pre_keys + 10) % 12
                        pre_pull = _predominant_pulls(None)[pre_keys][:, cand % 12]
                        pre_bass = _predominant_bass(None)[pre_keys][:, cand % 12]
                        pre_top = _predominant_pulls(None, top=True)[pre_keys][:, cand % 12]
                        pre_fits = _predominant_fits(None)[pre_keys]
                if SUBTONIC_BEFORE_V and sub_pcs is not None:
                    sub_rows = pre_rows
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
                if not together.any():
                    together = None
            kept_on = np.zeros(rows, bool)  # rows where a sounding voice held in this frame
            struck = np.zeros(cur.shape, bool)  # the voices that strike a note in this frame
            # the notes that end here, a beat after the beat they began on, may be split
            next_beat = halves and frame.on_beat and not frame.context and \
                frame.step == beat_at + 2 * half
            split_here = passing and next_beat
            # the voices whose half-beat note was a step outside the beat's chord: it moves on
            # by step now
            leaving = None
            if next_beat and RESOLVE_STEPS:
                leaving = _unresolved(at_beat, at_half) & ~between[:, None]
                if BASS_EIGHTHS_STEP and n > 2:  # (the bass's stepped eighth, chord note or not;
                    # struck on the eighths, BASS_ON_EIGHTHS, whatever the voices above did)
                    leaving[:, n - 1] = _stepped(at_beat[:, n - 1], at_half[:, n - 1]) & \
                        (~between | BASS_ON_EIGHTHS)
            across = next_beat and bool((chord != at_beat).any())
            half_beat = halves and not frame.context and frame.step == beat_at + half
            ending: list[tuple[int, int, GeneratedNote]] = []
            # each voice's pitch class (a bit) struck in the beat before this frame (0: none)
            recent = (_recent_strikes(last_struck, struck_step, frame.step, job.beat_steps)
                      if given_ahead is not None else None)
            # every voice has been silent too long: they enter now (a beat frame)
            enter = ((cur < 0).all(axis=1) & (frame.step - last_sound >= max_silence)
                     if frame.on_beat and not frame.context else None)
            for i in range(n):
                if cancelled():
                    return
                if i == 1 and pre_pull is not None:  # (the voices below: where the top voice's
                    top = cur[pre_rows, 0]  # note is in the predominant, given or drawn)
                    keep = (top < 0) | pre_fits[np.arange(len(pre_rows)), np.maximum(top, 0) % 12]
                    if not keep.all():
                        pre_rows, pre_pull, pre_bass = pre_rows[keep], pre_pull[keep], \
                            pre_bass[keep]
                        if not len(pre_rows):
                            pre_pull = None
                if i == 1 and planning is not None:  # where the top voice's note is in it
                    close_groups = _plan_groups(close_rows, planning, cur[close_rows, 0],
                                                mode_minor, closing=closes_marked is not None)
                forced = frame.forced[i]
                if forced is not None:
                    chosen = np.full(rows, forced)
                else:
                    # HOLD only while a note written here sounds (a sketch note that still
                    # sounds is forced; holding past its end would lengthen nothing)
                    holding = opened[:, i] >= 0
                    mask = np.zeros((rows, v.size), bool)
                    if frame.final == 2:  # the last beat holds to the bar line
                        mask[:, HOLD] = holding
                        mask[:, REST] = ~holding
                    else:
                        mask[:] = job.pitch_ok[i]
                        # a melody's final note is struck on its strong beat, not tied into
                        # it from an eighth before (a listening review: a hornpipe's tonic came
                        # early, across the bar line)
                        mask[:, HOLD] = holding & (frame.final != 1 or n > 1)
                        mask[:, REST] = frame.final != 1
                        if rules:  # a chorale voice sounds on to its end: no breaths
                            mask[cur[:, i] >= 0, REST] = False
                        if enter is not None and job.pitch_ok[i].any():
                            mask[enter, REST] = False
                        if not entered[:, i].all():
                            _entry_mask(mask, ~entered[:, i], cand, pitch_offset, int(entry[i]))
                        if frame.approach and job.seam_pitch and job.seam_pitch[i] >= 0:
                            _near_mask(mask, cand, pitch_offset, job.seam_pitch[i], cur[:, i])
                        cad_minor, cad_shift = frame.close_key or (mode_minor, 0)
                        if frame.cadence:
                            _cadence_mask(mask, i, n, cand, pitch_offset, cad_minor,
                                          frame.cadence, cur, chord, cad_shift,
                                          final=frame.final > 0)
                            if half_close[fi] and HALF_CLOSE_TRIAD:
                                seventh = (V7_SEVENTH[cad_minor] + cad_shift) % 12
                                _narrow_held(mask, np.broadcast_to(cand % 12 != seventh,
                                                                   (rows, len(cand))),
                                             cur[:, i], cand, pitch_offset)
                        if rules and i == n - 1 and BASS_ON_EIGHTHS and \
                                frame.pos % eighth and holding.any():
                            # (the bass strikes on the eighths: BASS_ON_EIGHTHS)
                            mask[holding, v.pitch_offset:] = False
                        if rules and i >= n - 2:
                            _style_mask(mask, i, n, cur, outer, cand, pitch_offset,
                                        frame.on_beat, chord, bare_close)
                        if rules and i:
                            _parallels_mask(mask, i, cur, chord, cand, pitch_offset,
                                            seam if frame.approach else None)
                            if across:  # and from the last beat, across the half beat
                                _parallels_mask(mask, i, cur, at_beat, cand, pitch_offset,
                                                None)
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
                                             pitch_offset, strikes[:, i])
                            if i and unresolved[fi]:
                                _given_seventh_mask(mask, np.delete(cur, i, axis=1), cur[:, i],
                                                    unresolved[fi], cand, pitch_offset)
                            if i < n - 1 and frame.on_beat and frame.forced[n - 1] is None:
                                if BASS_FALL_ROOM:
                                    _bass_step_room(mask, i, n, cur, owed[:, n - 1], cand,
                                                    pitch_offset)
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
                                close_reach = close_voicing.reachable(
                                    close_table, chord[close_rows],
                                    at_beat[close_rows] if across else None,
                                    _own_lines(close_rows, n, cur, chord, owed, strikes,
                                               recent, given_ahead[fi] if given_ahead
                                               is not None else None, frame.forced, cand,
                                               job.pitch_ok, pitch_offset, mode_minor),
                                    int(cand[0]))
                            for rs, roots, barred in (close_groups if i and close_groups
                                                      else ((close_rows, None, -1),)):
                                _close_lookahead(mask, close_table, close_reach, close_rows, rs,
                                                 _close_roots(mode_minor) if roots is None
                                                 else roots, barred, cur, i, cand,
                                                 pitch_offset)
                        if rules and i == n - 1 and n > 2 and place_ahead[fi] >= 0:
                            _no_bass_seventh(mask, place_ahead[fi] - marked_at >= long_phrase,
                                             cur[:, :i], cur[:, i], cand, pitch_offset)
                        if rules and i == n - 1 and n > 2 and frame.bass_avoid:
                            _avoid_mask(mask, cur[:, i], cand, pitch_offset, frame.bass_avoid)
                        if rules and i == n - 1 and n > 2 and BASS_LOWEST:
                            _lowest_mask(mask, cur[:, :i], cur[:, i], cand, pitch_offset)
                        if sub_rows is not None:
                            _subtonic_mask(mask, sub_rows, sub_pcs, cur[:, i], cand,
                                           pitch_offset)
                        # (after the subtonic's rule: it yields to that one)
                        if rules and i == n - 1 and n > 2 and dominant_ahead[fi] >= 0:
                            _no_bass_seventh(mask, np.ones(rows, bool), cur[:, :i], cur[:, i],
                                             cand, pitch_offset, dominant_ahead[fi])
                        if i == n - 1 and cadence_ahead[fi] >= 0:
                            reach = _reach_root(cadence_ahead[fi], v.min_pitch, v.max_pitch)
                            _narrow_held(mask, np.broadcast_to(reach, (rows, len(cand))),
                                         cur[:, i], cand, pitch_offset)
                        # last: it yields to every rule above
                        if leaving is not None and leaving[:, i].any():
                            rows_i = leaving[:, i]
                            if i == n - 1 and not BASS_EIGHTHS_STEP:
                                # the bass may leap from a note of the new chord
                                rows_i = rows_i & ~_in_chord(cur[:, :i], at_half[:, i])
                            _step_mask(mask, rows_i, at_half[:, i], cand, pitch_offset,
                                       cur[:, i - 1] if i else None)
                        if rules and n > 2 and CHROMATIC_STEPS:
                            fall = None
                            if LEADING_FALLS and frame.cadence == 2 and 0 < i < n - 1:
                                fall = ((LEADING_TONE[cad_minor] + cad_shift) % 12,
                                        (CADENCE_ROOT[(cad_minor, 2)] + 7 + cad_shift) % 12)
                            _chromatic_step_mask(mask, i, chord[:, i], cur, cand, pitch_offset,
                                                 mode_minor, fall)
                        if rules and FULL_FINAL and frame.cadence and i and n > 2:
                            _final_chord(mask, i, cur, chord, cand, pitch_offset, cad_minor,
                                         cad_shift, frame.cadence)
                    biased = logits
                    if hist is not None and not frame.final:
                        biased = _restate_bias(logits, hist, frame.step, lags,
                                               (run < MAX_RESTATED_RUN) & (restated < budget))
                    if density and frame.final != 2:
                        biased = biased.copy() if biased is logits else biased
                        biased[:, pitch_offset:] += density
                    if rules and n > 2 and EIGHTH_PULL and frame.pos % eighth == 0 and \
                            (i < n - 1 or EIGHTH_PULL_BASS) and \
                            not (frame.on_beat or frame.final or frame.close_held
                                 or frame.in_dominant is not None or before_close[fi]):
                        biased = biased.copy() if biased is logits else biased
                        biased[:, pitch_offset:] += EIGHTH_PULL
                    if job.mode_from is not None:  # the mode's degree for the family's
                        biased = biased.copy() if biased is logits else biased
                        biased[:, job.mode_to] = np.logaddexp(biased[:, job.mode_to],
                                                              biased[:, job.mode_from])
                    if rules and n > 2 and i and LEAP_COST:
                        biased = biased.copy() if biased is logits else biased
                        again = (np.where(strikes[:, i] >= RUN_STRIKES, last_struck[:, i], -1)
                                 if i in RUN_VOICES else None)
                        _leap_cost(biased, mask, chord[:, i], cand, pitch_offset, i == n - 1,
                                   again, mode_minor if i < n - 1 else None)
                    if rules and n > 2 and i == n - 1 and LEADING_BASS_COST and \
                            (rising >= 0).any():
                        biased = biased.copy() if biased is logits else biased
                        _leading_cost(biased, rising, cand, pitch_offset)
                    if rules and n > 2 and i == n - 1 and frame.on_beat and BASS_HOLD_COST:
                        biased = biased.copy() if biased is logits else biased
                        _bass_hold_cost(biased, cur[:, :i], chord[:, :i],
                                        cur[:, i] if BASS_RESTRIKE_COST else None, cand,
                                        pitch_offset)
                    if rules and n > 2 and i and frame.on_beat and SEVENTH_CHORD_COST:
                        biased = biased.copy() if biased is logits else biased
                        _seventh_chord_cost(biased, cur[:, :i], cand, pitch_offset, i == n - 1)
                    if pull_close is not None:
                        biased = biased.copy() if biased is logits else biased
                        biased[close_rows, pitch_offset:] += pull_close
                    if rules and n > 3 and i == 1 and ALTO_SPACING_COST:
                        biased = biased.copy() if biased is logits else biased
                        _spacing_cost(biased, cur[:, 0], cand, pitch_offset)
                    if full_rows is not None and i == 1 and len(full_rows):
                        biased = biased.copy() if biased is logits else biased
                        biased[full_rows, pitch_offset:] += _full_close_pull(
                            cur[full_rows, :i], cand)
                    if key_pull is not None:
                        biased = biased.copy() if biased is logits else biased
                        biased[:, pitch_offset:] += key_pull
                    if pre_pull is not None:
                        biased = biased.copy() if biased is logits else biased
                        biased[pre_rows, pitch_offset:] += pre_pull if i else pre_top
                        if i == n - 1:
                            biased[pre_rows, pitch_offset:] += pre_bass
                    if pulled[i]:
                        if biased is logits:
                            biased = biased + job.pull[i]
                        else:  # already a copy (restatement or density)
                            biased += job.pull[i]
                    chosen = sample_tokens(biased, mask, temperature, top_k, top_p,
                                           rng.random(rows))
                if scoring:
                    score += loglik(chosen)
                if hist is not None and frame.step < hist.shape[1]:
                    hist[:, frame.step] = chosen
                attack_any = chosen >= pitch_offset
                kept_on |= (chosen == HOLD) & (cur[:, i] >= 0)
                entered[attack_any, i] = True
                cur[attack_any, i] = chosen[attack_any] - pitch_offset + min_pitch
                struck_now = cur[attack_any, i]
                strikes[attack_any, i] = np.where(struck_now == last_struck[attack_any, i],
                                                  strikes[attack_any, i] + 1, 1)
                last_struck[attack_any, i] = struck_now
                struck_step[attack_any, i] = frame.step
                cur[chosen == REST, i] = -1
                frame_attack |= attack_any
                struck[:, i] = attack_any
                if job.rewritten[i] and not frame.context:
                    for r in np.flatnonzero(chosen != HOLD):
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
            for r, i, g0 in sorted(ending, key=lambda e: e[1]):
                for g in self._passing(g0, r, i, job, at_beat, at_half, cur,
                                       between[r] or fermata_at[r] == beat_at
                                       or beat_at in dominant_beats, mode_minor,
                                       passing_rng):
                    g = out(r, g)
                    if g is not None:
                        if cancelled():
                            return
                        yield g
            if halves:
                if frame.on_beat:
                    beat_at, at_beat, between = frame.step, cur.copy(), np.zeros(rows, bool)
                elif frame.step == beat_at + half:
                    at_half = cur.copy()
                else:
                    between |= frame_attack
            last_sound[(cur >= 0).any(axis=1)] = frame.step
            last_onset[frame_attack] = frame.step
            if rules and n > 2:
                owed = _owed_sevenths(owed, cur, struck)
                if LEADING_BASS_COST or LEADING_BASS_ROOM:
                    rising = _owed_rises(rising, cur, struck[:, n - 1], mode_minor)
            if closes_marked is not None and DROP_FAILED_CLOSES and rules and n > 2:
                # a phrase end whose chord the rules could not make a close is no phrase end
                failed = closes_marked[~_closes(cur[closes_marked])]
                sampled[failed] = False
                fermata_at[failed], marked_at[failed] = was_fermata[failed], was_marked[failed]
            if closes_marked is not None and planning is not None:  # the plans closed away
                away = sampled[closes_marked] & (planning != tonic_root)
                last_away[closes_marked[away]] = planning[away]
            if sampled is not None:
                ended = np.flatnonzero(sampled & frame_attack)
                for r in ended:
                    marked[r].append(frame.step * step)
                last_close[ended] = _chord_roots(cur[ended])
            if frame.cadence:  # a phrase close's chord may stand as a fermata's does
                fermata_at[frame_attack] = frame.step
            if frame_attack.any():  # an onset: the outer voices the next onset is checked against
                top, bottom = _outer(cur)
                outer[frame_attack, 0] = top[frame_attack]
                outer[frame_attack, 1] = bottom[frame_attack]
                chord[frame_attack] = cur[frame_attack]
        if job.n_context == 0:
            for g in close_all():
                if cancelled():
                    return
                yield g
        if streaming:
            for r in range(rows):
                self.fermatas[int(group[r])] = marked[r]
            return
        # the search: each variation keeps its best candidate
        report = self.search
        report.groups = k
        m = job.candidates
        for var in range(k):
            cands = np.flatnonzero(group == var).tolist()
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
            fewer: dict[int, int] = {}  # minus the parallels between the written voices
            if SEARCH_PARALLELS and job.style_rules and len(cands) > 1:
                for r in cands:
                    parts: dict[int | None, list[Note]] = {}
                    for g in held[r]:
                        parts.setdefault(g.part, []).append(g.note)
                    fewer[r] = -analysis.voice_parallels(list(parts.values())) \
                        if len(parts) > 1 else 0
            best = max(cands, key=lambda r: (authentic.get(r, False), clean.get(r, True),
                                             full.get(r, True), tonic.get(r, False),
                                             fewer.get(r, 0), score[r], -r))
            self.fermatas[var] = marked[best]
            for g in sorted(held[best], key=lambda g: (g.note.end, g.note.start, -g.note.pitch)):
                if cancelled():
                    return
                yield g
        if job.tonic_check and report.found_tonic < k:
            self.warnings.append(f"{k - report.found_tonic} of {k} variation(s): none of "
                                 f"{m} candidates ended on the tonic chord")


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
# A harmonized melody that ends in another key closes V-I there (closing_key)
CLOSE_IN_LAST_KEY = True

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
# A continuation's phrase ends fall where the sketch's fall in the bar (on beat 3 of 4/4 when
# its fermatas do): the phrase-end bonuses below go to those positions instead of every strong
# beat, and a phrase end elsewhere costs OFF_PLACE_COST nats. A twelfth listening review found
# the continuations' phrase ends off the sketch's grid in 7 of 8 (fermatas on beat 1 after a
# sketch whose phrases all end on beat 3); bench/phrase_ends.py, the share of interior phrase
# ends where the opening's fall in the bar: see the module's docs.
PHRASE_PLACES = True
OFF_PLACE_COST = 3.0


def _fermata_places(fermata_steps: set[int], start_step: int, bar_steps: list[int],
                    bar_len: int) -> frozenset[int]:
    """The positions in the bar (steps) of the score's fermatas before ``start_step``, in bars
    of ``bar_len`` steps (a pickup bar, or a bar in another meter, says nothing)."""
    out = set()
    for f in fermata_steps:
        b = bisect.bisect_right(bar_steps, f) - 1
        if f < start_step and 0 <= b < len(bar_steps) - 1 and \
                bar_steps[b + 1] - bar_steps[b] == bar_len:
            out.add(f - bar_steps[b])
    return frozenset(out)


# ----- style rules ---------------------------------------------------------------------------
NO_SIX_FOUR = True  # _style_mask: the bass is not the fifth of the triad on a beat
# ... nor the fifth of a diminished triad (B D F over F: a dominant seventh without its root, the
# seventh in the bass). Beat chords of the test pieces (a scratch count): Bach's continuations 0
# of 852, his harmonizations 4 of 2,141; the model's 50 of 1,195 and 112 of 4,390, and an
# eighteenth listening review heard one in every continuation
NO_DIMINISHED_FIFTH_BASS = True


BASS_LOWEST = True  # the bass sounds lowest (_lowest_mask)


def _lowest_mask(mask: np.ndarray, above: np.ndarray, held: np.ndarray, cand: np.ndarray,
                 pitch_offset: int) -> None:
    """The bass sounds lowest: it strikes no note above a voice written above it (``above``,
    [rows, voices], -1: silent) and holds no note above one. The voices above are written
    first, and a tenor that went below a held bass became the texture's bass: a hidden
    crossing that made the soprano and the tenor outer voices in fifths (a harmonized test
    melody, E4/A3 -> D4/G3 over a held A3). Bach's bass is the lowest voice at all but a few
    onsets. A row left without a note keeps its mask."""
    lowest = np.where(above >= 0, above, 10_000).min(axis=1)
    keep = _narrow(mask, cand[None, :] <= lowest[:, None], pitch_offset)
    mask[keep & (held > lowest), HOLD] = False


def _together_mask(mask: np.ndarray, together: np.ndarray, limit: np.ndarray,
                   attacked: np.ndarray, kept_on: np.ndarray, pitch_offset: int) -> None:
    """Rows where a phrase end's chord stands (``together``): once a voice above struck in this
    frame (``attacked``), or the chord has stood its time (``limit``), this voice strikes too;
    while a voice above holds (``kept_on``), it holds. Where the voice cannot (nothing to hold,
    or no pitch allowed) the rule yields."""
    strike = together & (attacked | limit) & mask[:, pitch_offset:].any(axis=1)
    mask[strike, HOLD] = False
    mask[strike, REST] = False
    hold = together & kept_on & ~attacked & ~limit & mask[:, HOLD]
    mask[hold] = False
    mask[hold, HOLD] = True


def _new_pitch_mask(mask: np.ndarray, rows: np.ndarray, sounding: np.ndarray, pitch_offset: int,
                    min_pitch: int) -> None:
    """In ``rows``, bar striking the pitch the voice sounds, where another pitch stays allowed."""
    r = np.flatnonzero(rows & (sounding >= 0))
    if not len(r):
        return
    col = sounding[r] - min_pitch + pitch_offset
    ok = (col >= pitch_offset) & (col < mask.shape[1])
    r, col = r[ok], col[ok]
    other = mask[r, pitch_offset:].sum(axis=1) > mask[r, col]
    mask[r[other], col[other]] = False


def _narrow(mask: np.ndarray, allowed: np.ndarray, pitch_offset: int) -> np.ndarray:
    """Keep only the ``allowed`` pitch tokens ([rows or 1, pitches]) in each row of ``mask``,
    except in a row it would leave with no pitch: there the rule yields. The rows narrowed."""
    block = mask[:, pitch_offset:pitch_offset + allowed.shape[1]]
    narrowed = block & allowed
    keep = narrowed.any(axis=1)
    block[keep] = narrowed[keep]
    return keep


def _narrow_held(mask: np.ndarray, allowed: np.ndarray, held: np.ndarray, cand: np.ndarray,
                 pitch_offset: int) -> None:
    """:func:`_narrow` to ``allowed``, and where it narrowed, a note ``held`` from before ([rows],
    -1: none) is held on only where its pitch is allowed too."""
    keep = _narrow(mask, allowed, pitch_offset)
    fits = np.zeros(len(held), bool)
    inside = (held >= cand[0]) & (held <= cand[-1])
    fits[inside] = allowed[np.flatnonzero(inside), held[inside] - cand[0]]
    mask[keep & (held >= 0) & ~fits, HOLD] = False




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


def _cadence_pull(before: np.ndarray, cand: np.ndarray, minor: bool = False) -> np.ndarray:
    """[rows, pitches]: the pull (nats) toward the notes of the triad a phrase end the model
    marks should close on, given the chord ``before`` it ([rows, voices], the last beat's).

    A V(7) before it makes the close a cadence in the key of the triad it resolves to (G -> C,
    E7 -> A minor, A -> D minor). Any other chord (the tonic, ii, IV, vi, a chord of no key)
    is drawn to the key's dominant, a half cadence (:data:`HALF_CLOSES`): Bach's interior
    phrase ends are on I or V about half the time, and the tonic before a close, read as the
    dominant of IV, drew continuations to I-IV closes (bench/phrase_ends.py). The tonic
    triad itself counts as no dominant. No pull where the chord before is a dominant whose
    resolution is no triad of the key (B-flat -> E-flat in C)."""
    out = np.zeros((before.shape[0], len(cand)))
    roots = DOMINANT_ROOT[pitch_class_bits(before)]
    tonic_root = 9 if minor else 0
    for r in range(before.shape[0]):
        if roots[r] >= 0 and roots[r] != tonic_root:
            triad = DIATONIC_TRIADS.get(int(roots[r] + 5) % 12)
        else:
            triad = V_TRIAD[minor] if HALF_CLOSES else None
        if triad:
            out[r] = np.where(np.isin(cand % 12, list(triad)),
                              CADENCE_PULL_MINOR if minor else CADENCE_PULL, 0.0)
            if minor and triad is V_TRIAD[minor]:
                out[r] -= _subtonic_cost(cand)
    return out


# nats added to the fermata flag on a strong beat where the chord before is a dominant of one of
# the key's triads (a cadence is prepared) and the phrase has run LONG_PHRASE_BEATS or more
PHRASE_CADENCE_BONUS = 4.0
LONG_PHRASE_BEATS = 8
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
# A chorale continuation's phrase that has run this many beats ends at the next strong beat (a
# place where the sketch's end, or a downbeat): the bonuses above only drew it there, and a
# listening review heard a continuation run 24 beats without a fermata. bench/phrase_ends.py
# [--files], phrases of 12 beats or more 11.8% -> 11.1% (10.3% -> 9.6%; Bach's 5.0%, 4.6%), the
# longest 24 -> 18 beats: the rest are closes that failed the phrase-end rules
FORCED_PHRASE_BEATS = 12
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
TONAL_PLAN = {False: ((0, 0.5), (7, 0.3), (9, 0.2)), True: ((9, 0.5), (0, 0.3), (4, 0.1))}
# ... in a minor key (III: G7-C in A minor, v: B7-E minor) only where this switch says so, and
# it is off: the continuations already close away in minor about as often as Bach's
# (bench/phrase_ends.py: test 13%, val 29%; Bach 4%, 32%). A harmonized melody's closes are
# drawn from BACH_CLOSES instead, in either mode
PLANNED_CONTINUATIONS = {False: True, True: False}
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
PLAN_KEY_PULL = 2.0
# ... and on the beat before the place the voices are drawn to the planned close's dominant
# triad (PRE_CLOSE_PULL), its leading tone PLAN_LEADING_PULL nats more, and where the top voice
# holds one of its notes the voices below make it, in root position (_plan_groups)
PLAN_LEADING_PULL = 4.0
# ... and the plan is seldom the chord the phrase end before closed on (the sketch's last, then
# the row's own): that target's weight is multiplied by REPEATED_PLAN_WEIGHT. A listening review
# heard three tonic closes running; bench/phrase_ends.py counted phrase ends on the chord of the
# one before 31 of 113 (I 13, V 8), Bach's 15 of 108
NO_REPEATED_PLAN = True
REPEATED_PLAN_WEIGHT = 0.2


def _plan_targets(rng: np.random.Generator, rows: int, minor: bool,
                  last: np.ndarray | None = None) -> np.ndarray:
    """[rows]: the root (normalized pitch class) each row's next phrase end is to close on
    (:data:`TONAL_PLAN`); not the root its last phrase end closed on, ``last`` ([rows], -1:
    none; NO_REPEATED_PLAN)."""
    if not PLANNED_CONTINUATIONS[minor]:
        return np.full(rows, CADENCE_ROOT[(minor, 2)], np.int64)
    roots, weights = (np.asarray(x) for x in zip(*TONAL_PLAN[minor], strict=True))
    p = np.tile(weights / weights.sum(), (rows, 1))
    if last is not None:
        p[roots[None, :] == np.asarray(last)[:, None]] *= REPEATED_PLAN_WEIGHT
    cum = np.cumsum(p, axis=1)
    pick = (rng.random(rows)[:, None] * cum[:, -1:] >= cum).sum(axis=1)
    return roots[np.minimum(pick, len(roots) - 1)].astype(np.int64)


@functools.cache
def _key_pull_table(minor: bool) -> np.ndarray:
    """[12 targets, 12 pitch classes]: :data:`PLAN_KEY_PULL` on the leading tone of the key on
    each target root where it lies outside the home key, minus as much on the note a semitone
    below it (0 for the tonic)."""
    out = np.zeros((12, 12))
    for t in range(12):
        leading = (t + 11) % 12
        if t != CADENCE_ROOT[(minor, 2)] and not (_KEY_BITS[minor] >> leading) & 1:
            out[t, leading] += PLAN_KEY_PULL
            out[t, (leading - 1) % 12] -= PLAN_KEY_PULL
    return out


def _plan_third(targets: np.ndarray, minor: bool) -> np.ndarray:
    """The third (semitones over its root) of the triad on each planned root that the key's
    scale gives it: 4 on V (G B D), 3 on vi (A C E)."""
    scale = sum(1 << pc for pc in _NATURAL[minor])
    return np.where((scale >> ((targets + 4) % 12)) & 1 == 1, 4, 3)


def _plan_groups(rows: np.ndarray, targets: np.ndarray, top: np.ndarray, minor: bool,
                 closing: bool = False) -> list[tuple[np.ndarray, int | None, int]]:
    """``rows`` split by the chord a planned phrase end's voices under the top voice (``top``:
    its pitch) make: on the beat before it the major triad on the dominant of a planned close
    away from the tonic, at it (``closing``) the planned triad itself, where the top voice's
    note is in it; else what any phrase end's chord may be (at the close, with the planned
    triad's third). Per group: its rows, the root (a 12-bit set; None: :func:`_close_roots`)
    and the third it may not have (-1: none)."""
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
# On that beat no voice written sounds the close key's subtonic (B-flat before G-C in C major,
# G natural before E-A in A minor): the dominant raises it a beat later, and bVII-V or III-V
# (in minor) was a fifth of the harmonizations' cadence approaches (Bach: 1 in 119).
SUBTONIC_BEFORE_V = True


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


def _strong_frames(frames: list[_Frame], beat_steps: int) -> list[bool]:
    """Per frame: on the downbeat, or on the middle beat of a bar of an even number of beats."""
    starts = [f.step - f.pos for f in frames]
    ends = sorted(set(starts))
    length = {a: b - a for a, b in itertools.pairwise(ends)}
    out = []
    for f, start in zip(frames, starts, strict=True):
        bar = length.get(start) or (length[ends[-2]] if len(ends) > 1 else 0)
        half = bar // 2
        out.append(f.pos == 0 or (bar % (2 * beat_steps) == 0 and f.pos == half))
    return out




# A phrase end the model marks whose chord the rules yielded on (no major or minor triad in
# root position: they yield where every root is barred) is not written as one (_closes)
DROP_FAILED_CLOSES = True


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
# eleventh between soprano G5 and alto D4
ALTO_SPACING_COST = 2.0


def _spacing_cost(biased: np.ndarray, top: np.ndarray, cand: np.ndarray,
                  pitch_offset: int) -> None:
    """Charge :data:`ALTO_SPACING_COST` to the candidates more than an octave below ``top``
    ([rows], -1: silent, no charge)."""
    wide = (top[:, None] >= 0) & (top[:, None] - cand[None, :] > 12)
    biased[:, pitch_offset:pitch_offset + len(cand)] -= ALTO_SPACING_COST * wide


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
    no minor v (MAJOR_DOMINANT_CLOSES) and no major tonic's third (INNER_MINOR_TONIC), in
    major no minor i, iv or v (NO_MIXTURE_CLOSES), as :func:`_fermata_chord_mask` bars them."""
    out = []
    for root in range(12):
        for third in (3, 4):
            bits = (1 << root) | (1 << (root + third) % 12) | (1 << (root + 7) % 12)
            if minor and MAJOR_DOMINANT_CLOSES and bits == _MINOR_V_TRIAD:
                continue
            if minor and INNER_MINOR_TONIC and bits >> 1 & 1:
                continue
            if not minor and NO_MIXTURE_CLOSES and any(bits == t for t, _ in _MIXTURE_TRIADS):
                continue
            out.append((root, bits))
    return out


def _own_lines(rows: np.ndarray, n: int, cur: np.ndarray, chord: np.ndarray, owed: np.ndarray,
               strikes: np.ndarray, recent: np.ndarray | None, given_ahead: int | None,
               forced: list, cand: np.ndarray, pitch_ok: np.ndarray, pitch_offset: int,
               minor: bool) -> np.ndarray:
    """[rows, voices, pitches]: the notes each voice's own line allows it next (the rules that
    read its last note: a seventh it owes falls, its leaps, false relations with the notes just
    struck, a note off the key left by step), for :func:`close_voicing.reachable`. A forced
    voice is left free."""
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
        if CHROMATIC_STEPS:
            _chromatic_step_mask(m, j, chord[rows, j], cur[rows], cand, pitch_offset, minor)
        out[:, j] = m[:, pitch_offset:pitch_offset + len(cand)]
    return out


def _close_lookahead(mask: np.ndarray, table: close_voicing.VoicingTable, reach: np.ndarray,
                     close_rows: np.ndarray, rs: np.ndarray, roots: int, barred: int,
                     cur: np.ndarray, i: int, cand: np.ndarray, pitch_offset: int) -> None:
    """Voice ``i`` of the phrase-end rows ``rs`` (among ``close_rows``, whose reachable voicings
    ``reach`` holds) takes a note of a voicing still in reach (:data:`CLOSE_LOOKAHEAD`). A row
    with no voicing left, or left without a note, keeps its mask."""
    allowed, found = close_voicing.allowed_notes(
        table, reach[np.searchsorted(close_rows, rs)], cur[rs, :i], i, int(cand[0]), len(cand),
        roots, barred)
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
    else:
        allowed = IN_TRIAD[merged]
    if minor and MAJOR_DOMINANT_CLOSES:
        allowed &= ~(((merged & ~_MINOR_V_TRIAD) == 0) & ((merged & _MINOR_V) == _MINOR_V))
    if minor and INNER_MINOR_TONIC:  # no Picardy third inside the piece
        allowed &= (cand % 12 != 1)[None, :]
    if not minor and NO_MIXTURE_CLOSES:  # no minor i, iv or v in a major key
        for triad, pair in _MIXTURE_TRIADS:
            allowed &= ~(((merged & ~triad) == 0) & ((merged & pair) == pair))
    # a note held from before stays only where it fits the triad
    _narrow_held(mask, allowed, cur[:, i], cand, pitch_offset)


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
_MIXTURE_TRIADS = tuple(((1 << r) | (1 << (r + 3) % 12) | (1 << (r + 7) % 12),
                         (1 << r) | (1 << (r + 3) % 12)) for r in (0, 5, 7))


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


def _no_bass_seventh(mask: np.ndarray, rows: np.ndarray, above: np.ndarray, held: np.ndarray,
                     cand: np.ndarray, pitch_offset: int, falls_to: int = -1) -> None:
    """In ``rows`` ([rows] bool), the bass takes no note that is the seventh of the chord it
    makes with the voices ``above`` ([rows, voices]), and holds none (``held``: its note, -1:
    none), but one a step above ``falls_to`` (a pitch class, -1: none). A row left without a
    note keeps its mask."""
    if not rows.any():
        return
    table = _seventh_table()
    pcs = cand % 12
    merged = pitch_class_bits(above)[:, None] | (1 << pcs)[None, :]
    into = np.isin((pcs - falls_to) % 12, (1, 2)) if falls_to >= 0 else np.zeros(len(pcs), bool)
    allowed = ~rows[:, None] | (table[merged] != pcs[None, :]) | into[None, :]
    _narrow_held(mask, allowed, held, cand, pitch_offset)


def _major_sevenths() -> np.ndarray:
    """For each set of pitch classes (a 12-bit mask): the pitch class of its major seventh when
    it is a major-seventh chord (root, third and seventh, with or without the fifth), else -1."""
    out = np.full(4096, -1)
    for root in range(12):
        for steps in ((0, 4, 7, 11), (0, 4, 11)):
            out[sum(1 << ((root + x) % 12) for x in steps)] = (root + 11) % 12
    return out


MAJOR_SEVENTH_OF = _major_sevenths()


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


def _outer(cur: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Highest and lowest sounding pitch per row (-1 where nothing sounds)."""
    sounding = cur >= 0
    top = np.where(sounding, cur, -1).max(axis=1)
    bottom = np.where(sounding, cur, 10_000).min(axis=1)
    return top, np.where(bottom == 10_000, -1, bottom)


# No hidden (direct) fifth or octave between the outer voices where the top voice leaps: both
# moving the same way into a perfect interval, the top by more than a step (_style_mask). A
# listening review counted 14 in the continuations and harmonizations it read (Bach about 4).
# bench/voice_leaps.py, per 8 bars, test: continued 0.78 -> 0.10, harmonized 0.48 -> 0.04 (Bach
# 0.28, 0.18); val 0.75 -> 0.15, 0.54 -> 0.08 (Bach 0.28, 0.20).
NO_HIDDEN_PERFECTS = True


def _bass_shape_ok(chord: np.ndarray, bass: np.ndarray) -> np.ndarray:
    """Whether the bass on pitch class ``bass`` under the pitch classes ``chord`` (12-bit sets,
    the bass's own included; broadcast together) makes no diminished triad in root position or
    with its fifth in the bass (:data:`NO_DIMINISHED_FIFTH_BASS`) nor a six-four chord, the bass
    on the fifth (:data:`NO_SIX_FOUR`): the beat-chord rule's shapes for the bass."""
    ok = DIMINISHED_ROOT[chord] != bass
    if NO_DIMINISHED_FIFTH_BASS:
        ok &= (DIMINISHED_ROOT[chord] < 0) | ((DIMINISHED_ROOT[chord] + 6) % 12 != bass)
    if NO_SIX_FOUR:
        root = TRIAD_ROOT[chord]
        ok &= (root < 0) | ((root + 7) % 12 != bass)
    return ok


def _style_mask(mask: np.ndarray, i: int, n: int, cur: np.ndarray, outer: np.ndarray,
                cand: np.ndarray, pitch_offset: int, on_beat: bool,
                before: np.ndarray | None = None, bare: np.ndarray | None = None) -> None:
    """The chorale style rules, applied to the last two voices' new notes (their tokens come
    last in a frame, so the voices above are known):

    * the lowest voice makes no parallel fifth or octave with the highest (both moving the same
      way from the last onset into the same perfect interval);
    * nor a hidden fifth or octave where the highest leaps (both moving the same way into a
      fifth or octave, the highest by more than a step: :data:`NO_HIDDEN_PERFECTS`);
    * on a beat, the second-lowest voice keeps the upper voices' pitch classes within one triad
      or seventh chord, and the lowest completes one;
    * the lowest makes no major-seventh chord (I7, IV7) unless its seventh is prepared: sounded
      by the same voice at the last onset (``before``). Bach's beat chords are such chords 1.25%
      of the time, mostly as suspensions; the held-out melodies harmonized 5.7%, and a fourth
      listening review heard the unprepared ones as clashes;
    * the lowest is not the root of a diminished triad (vii°, ii° in minor): Bach writes them in
      first inversion, root position on 9 of the 2,050 beat chords of the test chorales; the
      harmonized melodies had 69 of 4,364, and a sixth listening review heard root-position
      vii° twice in one hymn;
    * nor the fifth of a major or minor triad (a six-four chord, :data:`NO_SIX_FOUR`): 2.6% of
      Bach's complete beat triads in the test chorales (43 of 1,645), 9.5% of the harmonized
      melodies' (288 of 3,031), and an eighth listening review heard V6/4 on a downbeat and
      phrase ends on vi6/4.

    In the rows ``bare`` ([rows] bool; a phrase end's: BARE_CLOSES) a root and its third alone
    over the root count as a chord too.

    A row where the rules would leave no note keeps its mask as it was (the rules yield, the
    grammar never does). HOLD and REST are never barred: a suspension is a held dissonance."""
    rows = mask.shape[0]
    pcs_bits = 1 << (cand % 12)
    above = pitch_class_bits(cur[:, :i])
    allowed = np.ones((rows, len(cand)), bool)
    if on_beat:
        merged = above[:, None] | pcs_bits[None, :]
        table = IS_CHORD if i == n - 1 else EXTENDABLE
        ok = table[merged] | (merged == pcs_bits[None, :])
        if bare is not None and i == n - 1:
            ok |= bare[:, None] & (BARE_ROOT[merged] == (cand % 12)[None, :])
        allowed &= ok
        if i == n - 1 and before is not None:
            kept = np.zeros(rows, np.int64)  # pitch classes the voices above sounded before too
            for j in range(i):
                same = (cur[:, j] >= 0) & (cur[:, j] == before[:, j])
                kept[same] |= 1 << (cur[same, j] % 12)
            seventh = MAJOR_SEVENTH_OF[merged]
            prepared = (kept[:, None] >> np.maximum(seventh, 0)) & 1
            allowed &= (seventh < 0) | (prepared == 1)
        if i == n - 1:
            allowed &= _bass_shape_ok(merged, (cand % 12)[None, :])
    if i == n - 1:
        top_now = np.where(cur[:, :i] >= 0, cur[:, :i], -1).max(axis=1)
        prev_top, prev_bottom = outer[:, 0], outer[:, 1]
        known = (top_now >= 0) & (prev_top >= 0) & (prev_bottom >= 0) & (top_now != prev_top)
        interval_before = (prev_top - prev_bottom) % 12
        parallel = known & ((interval_before == 0) | (interval_before == 7))
        # a hidden fifth or octave: into one under a leaping top voice (NO_HIDDEN_PERFECTS)
        hidden = known & (np.abs(top_now - prev_top) > 2) & NO_HIDDEN_PERFECTS
        if (parallel | hidden).any():
            interval = (top_now[:, None] - cand[None, :]) % 12
            into = (parallel[:, None] & (interval == interval_before[:, None])) | \
                (hidden[:, None] & np.isin(interval, (0, 7)))
            # the same way as the top voice, which moved (a bass that stays moves no way)
            same_way = np.sign(cand[None, :] - prev_bottom[:, None]) == \
                np.sign(top_now - prev_top)[:, None]
            allowed &= ~(into & same_way)
    _narrow(mask, allowed, pitch_offset)


def _parallels_mask(mask: np.ndarray, i: int, cur: np.ndarray, chord: np.ndarray,
                    cand: np.ndarray, pitch_offset: int, seam: np.ndarray | None) -> None:
    """No consecutive fifths or octaves between any two voices (Bach's rule for every pair, not
    only the outer voices): voice ``i``'s new note may not move, while a voice above it moves
    now, from a perfect fifth or octave (compound or not) at the last onset (``chord``) into the
    same interval: in parallel, nor by contrary motion (a listening review found the octave-
    displaced fifths and octaves, with bass leaps of a seventh, where only parallel ones were
    barred). On a region's last beat (``seam``: each voice's kept
    note after the region, -1 for none) the step into the kept chord is checked the same way.
    Voices below ``i`` are checked when they are written (each pair once, at its lower voice).
    There a note held from before the last beat that would move in parallel into the kept chord
    is not held on: it moves now, to a note that does not. A row left without a note keeps its
    mask."""
    rows = mask.shape[0]
    # the voices above at once: [rows, i] (and [rows, i, pitches] where a pair is checked)
    now, before, before_i = cur[:, :i], chord[:, :i], chord[:, i]
    interval = np.abs(before_i[:, None] - before) % 12
    check = (now >= 0) & (before >= 0) & (before_i >= 0)[:, None] & (now != before) & \
        ((interval == 0) | (interval == 7))
    if check.any():
        same = (np.abs(cand[None, None, :] - now[:, :, None]) % 12) == interval[:, :, None]
        allowed = ~((check[:, :, None] & same).any(axis=1)
                    & (cand[None, :] != before_i[:, None]))
    elif seam is None:
        return  # nothing to bar
    else:
        allowed = np.ones((rows, len(cand)), bool)
    held_bad = np.zeros(rows, bool)  # the note voice i holds steps in parallel into the seam
    for j in range(i if seam is not None else 0):
        now_j = cur[:, j]
        if seam[i] >= 0 and seam[j] >= 0:
            into = abs(int(seam[i]) - int(seam[j])) % 12
            if into in (0, 7):
                # the kept chord after the region: voice j steps from now_j to seam[j]
                moving = (now_j >= 0) & (now_j != seam[j])
                same = (np.abs(cand[None, :] - now_j[:, None]) % 12) == into
                allowed &= ~(moving[:, None] & same & (cand != seam[i])[None, :])
                held = cur[:, i]
                held_bad |= (moving & (held >= 0) & (held != seam[i])
                             & (np.abs(held - now_j) % 12 == into))
    keep = _narrow(mask, allowed, pitch_offset)
    mask[held_bad & keep, HOLD] = False


def _root_parallels_mask(mask: np.ndarray, before_i: np.ndarray, before_bass: np.ndarray,
                         root: int, cand: np.ndarray, pitch_offset: int) -> None:
    """On a cadence chord, whose root the bass will take (``_cadence_mask``), an inner voice
    makes no consecutive fifth or octave with that bass: the bass is written after the voices
    above it, and where its root was the only note left the pair rule yielded (with the phrase
    closes of a harmonized melody, parallels between any two voices went from 0.16 to 0.38 per
    8 bars on the evaluation's chorale melodies). A row left without a note keeps its mask."""
    interval = (before_i - before_bass) % 12
    check = (before_i >= 0) & (before_bass >= 0) & (before_bass % 12 != root) & \
        ((interval == 0) | (interval == 7))
    if not check.any():
        return
    same = ((cand[None, :] - root) % 12) == interval[:, None]
    moved = cand[None, :] != before_i[:, None]
    _narrow(mask, ~(check[:, None] & same & moved), pitch_offset)


def _unison_mask(mask: np.ndarray, i: int, others: list[int], cur: np.ndarray,
                 cand: np.ndarray, pitch_offset: int) -> None:
    """Voices written into one part (a piano part split into voices) do not strike a pitch
    another of them sounds, nor hold one another has just struck: one part holds one note per
    pitch, and MIDI cannot keep the two apart (the file read back lost one; the self-test's
    piano sketch found it)."""
    sounding = cur[:, others]  # [rows, others]; -1: silent
    taken = (cand[None, :, None] == sounding[:, None, :]).any(axis=2)
    _narrow(mask, ~taken, pitch_offset)
    mine = cur[:, i]
    struck = (mine >= 0) & (sounding == mine[:, None]).any(axis=1)
    mask[struck, HOLD] = False


def _doubling_mask(mask: np.ndarray, i: int, cur: np.ndarray, cand: np.ndarray,
                   pitch_offset: int, leading: int | np.ndarray) -> None:
    """On a beat, voice ``i`` does not strike or hold the leading tone (``leading``, a pitch
    class of the normalized key) while a voice above sounds it: a doubled leading tone has
    nowhere to go but in octaves or away from its resolution (a fifth listening review heard
    V6 chords with it doubled, followed by consecutive octaves). Held below one struck above
    was the way most of those left came (the harmonized test melodies: 12 of 4,752 beats).
    ``leading`` may be one per row (a planned close's key: TONAL_PLAN). A row left without a
    note keeps its mask."""
    lead = np.broadcast_to(np.asarray(leading), (cur.shape[0],))
    above = ((cur[:, :i] >= 0) & (cur[:, :i] % 12 == lead[:, None])).any(axis=1)
    if not above.any():
        return
    keep = _narrow(mask, ~(above[:, None] & (cand[None, :] % 12 == lead[:, None])),
                   pitch_offset)
    # nor holds it
    mine = cur[:, i]
    mask[above & keep & (mine >= 0) & (mine % 12 == lead), HOLD] = False


def _half_beat_doubling_mask(mask: np.ndarray, i: int, cur: np.ndarray, cand: np.ndarray,
                             pitch_offset: int, leading: int) -> None:
    """On a half beat, voice ``i`` does not strike the leading tone while any other voice
    sounds it: the voices below, written after it, mostly hold there (a seventh listening
    review found the alto leaping onto D#4 over the bass's held D#3 in E major). A row left
    without a note keeps its mask."""
    others = np.delete(cur, i, axis=1)
    sounded = ((others >= 0) & (others % 12 == leading)).any(axis=1)
    if sounded.any():
        _narrow(mask, ~(sounded[:, None] & (cand[None, :] % 12 == leading)), pitch_offset)


# A voice written under a given top voice (a harmonized melody, a kept soprano) neither strikes
# nor holds a note above it: the tune stays on top. A thirteenth listening review found the
# alto above the melody in 5 places of one harmonization, a fermata among them (the tune lost
# there); the harmonized val melodies had a written voice above the melody at 0.80% of onsets
# (Bach 0.13%; a scratch count, docs/voices.md).
UNDER_GIVEN_TOP = True


def _below_mask(mask: np.ndarray, above: np.ndarray, cand: np.ndarray, pitch_offset: int
                ) -> None:
    """A note struck on a half beat lies no higher than the voice above sounds (``above``,
    -1: silent): an eighth review heard an alto step over the soprano between two beats,
    a cluster F4/G4 under nothing. A row left without a note keeps its mask."""
    _narrow(mask, (above[:, None] < 0) | (cand[None, :] <= above[:, None]), pitch_offset)


def _mode_degrees(key: KeySignature | None, score_pitches: np.ndarray, pitch_offset: int
                  ) -> tuple[np.ndarray | None, np.ndarray | None]:
    """For a church mode: (pitch tokens of the degrees its family's scale has and the mode
    alters, pitch tokens of the mode's degrees a semitone away that replace them), or (None,
    None). The models know major and minor; in G Mixolydian (normalized as a major key) the
    model's F# is the seventh degree, which the mode sounds as F, and in D Dorian its B-flat is
    the sixth, sounded as B. The mask removes F#; the sampler hands its probability to F, so the
    mode's seventh is written as often as the model wants a seventh. Continuations of held-out
    Mixolydian tunes put 1.2% of their notes on the flat seventh without this, 4.1% with it (the
    tunes themselves 13.9%); Dorian ones 1.0% -> 2.6% on the natural sixth (5.4%;
    ``bench/modal_degrees.py``)."""
    if key is None or key.quality == key.mode:
        return None, None
    # the family key's seven (its signature's: natural minor), not scale_pcs, which adds the
    # minor key's raised sixth and seventh
    home = KeySignature.from_tonic(key.tonic_pc, key.quality).sharps * 7
    family = {(home + x) % 12 for x in MAJOR_SCALE}
    mode = key.scale_pcs()
    # each altered degree's pitch class -> the semitone step to the mode's own
    step = {f: d for f in family - mode for d in (-1, 1)
            if (f + d) % 12 in mode and (f + d) % 12 not in family}
    src, dst = [], []
    for i, p in enumerate(score_pitches):  # consecutive pitches: index i + d is pitch p + d
        d = step.get(int(p) % 12)
        if d is not None and 0 <= i + d < len(score_pitches):
            src.append(pitch_offset + i)
            dst.append(pitch_offset + i + d)
    if not src:
        return None, None
    return np.array(src), np.array(dst)


# Every seventh chord's seventh falls, not only a dominant seventh's: a tenth listening review
# found 33 of 75 beat sevenths of continuations unresolved (Bach 2 of 22), ii7, vi7 and iii7 among
# them
ALL_SEVENTHS_FALL = True


def _seventh_table() -> np.ndarray:
    """[set of pitch classes]: the seventh that must fall (:data:`ALL_SEVENTHS_FALL`: of any
    seventh chord, else of a dominant seventh), -1 for none."""
    return SEVENTH_OF if ALL_SEVENTHS_FALL else DOMINANT_SEVENTH_OF


def _chord_sevenths(chord: np.ndarray) -> np.ndarray:
    """Per row of ``chord`` ([rows, voices], -1: silent): the seventh's pitch class when every
    voice sounds and the chord is a dominant seventh (any seventh chord with
    :data:`ALL_SEVENTHS_FALL`), else -1."""
    seventh = _seventh_table()[pitch_class_bits(chord)]
    return np.where((chord >= 0).all(axis=1), seventh, -1)


def _owed_sevenths(owed: np.ndarray, cur: np.ndarray, struck: np.ndarray) -> np.ndarray:
    """After a frame: each voice's seventh still to fall ([rows, voices], its pitch, -1: none).
    A voice that moved to another pitch has paid its debt; a voice that sounds the seventh of
    the chord sounding now owes one. Until session 28 only the chord of the last onset was
    read, so a seventh held while another voice moved (a passing eighth, the bass) was free to
    rise: in the harmonized test melodies (x 2) the written voices let 87 V7 sevenths and 169
    others rise."""
    owed = np.where(struck & (cur != owed), -1, owed)
    seventh = _chord_sevenths(cur)[:, None]
    return np.where((seventh >= 0) & (cur >= 0) & (cur % 12 == seventh), cur, owed)


# A continuation or region owes what the sketch's last chord leaves: its seventh falls when its
# voice first moves, its bass leading tone rises (the debts were read from the first generated
# chord on): a review heard a sketch's V7/V, its seventh F4 in the alto, go to I with the F
# rising to A4 at the join
SKETCH_DEBTS = True
# A voice that owes a seventh's fall strikes it this many times at most (then it falls or
# holds): striking it again and again, the continued test openings' alto struck 15.7% of its
# notes 3+ times in a row (10.4% before the seventh was carried; Bach 9.9%)
OWED_STRIKES = 2
# A seventh two voices owe in unison (D5 in soprano and alto) is resolved once a voice above
# falls from it in this frame: the other need not fall to the same note (a unison the rules
# bar), which had left a continuation's alto only D5 again under the soprano's C5 at a phrase
# end, no triad, and the phrase ran on 24 beats
SHARED_SEVENTH_RESOLVED = True


def _still_owed(owed: np.ndarray, cur: np.ndarray, i: int) -> np.ndarray:
    """[rows]: the seventh voice ``i`` still owes a fall (-1: none): its ``owed`` pitch, unless
    a voice above that owed the same pitch has fallen from it in this frame (``cur``, the
    voices above already written; SHARED_SEVENTH_RESOLVED)."""
    mine = owed[:, i]
    if not (SHARED_SEVENTH_RESOLVED and i):
        return mine
    done = (owed[:, :i] == mine[:, None]) & (mine[:, None] >= 0) & (cur[:, :i] >= 0) & \
        (cur[:, :i] < mine[:, None])
    return np.where(done.any(axis=1), -1, mine)


def _resolution_mask(mask: np.ndarray, owed: np.ndarray, cand: np.ndarray, pitch_offset: int,
                     strikes: np.ndarray | None = None) -> None:
    """A seventh falls: a voice that owes one (``owed``: its pitch per row, -1: none;
    :func:`_owed_sevenths`) moves down a step or strikes it again (not once it has struck it
    :data:`OWED_STRIKES` times in a row, ``strikes``), or holds. In the harmonized
    test melodies the sevenths of V7 chords (and of secondary dominants) rose in 117 of 436,
    Bach's in 18 of 381, and a sixth listening review heard V7 go to III with the seventh
    rising. A row left without a note keeps its mask."""
    check = owed >= 0
    if check.any():
        fall = owed[:, None] - cand[None, :]
        least = np.zeros((len(owed), 1), np.int64) if strikes is None else \
            (strikes >= OWED_STRIKES)[:, None].astype(np.int64)
        _narrow(mask, ~check[:, None] | ((fall >= least) & (fall <= 2)), pitch_offset)


# The voices above a bass that owes a seventh's fall leave it a note a step down: on a beat
# they sound a chord that the note below the seventh completes (_bass_step_room)
BASS_FALL_ROOM = True


def _bass_step_room(mask: np.ndarray, i: int, n: int, cur: np.ndarray, owed: np.ndarray,
                    cand: np.ndarray, pitch_offset: int, steps: tuple[int, ...] = (-1, -2)) -> None:
    """On a beat, voice ``i`` above the bass, where the bass owes a seventh's fall (``owed``:
    its pitch per row, -1: none; :func:`_owed_sevenths`), takes a note with which the voices
    above the bass and a bass a semitone or a tone below the seventh can still make a chord
    (the voice just above the bass: do make one). The bass is written last: where the chord
    above left no such note, :func:`_resolution_mask` yielded and the seventh rose (the
    harmonized val melodies x 2: at 277 of 560 such yields no step down made a chord). The
    same for a leading tone's rise (``steps`` (1,), ``owed`` from :func:`_owed_rises`). A row
    left without a note keeps its mask."""
    rows = owed >= 0
    if not rows.any():
        return
    above = pitch_class_bits(cur[:, :i])
    with_voice = above[:, None] | PC_BIT[cand][None, :]
    ok = np.zeros(with_voice.shape, bool)
    for step in steps:
        bass = (np.maximum(owed + step, 0) % 12)[:, None]
        chord = with_voice | (1 << bass)
        if i < n - 2:
            ok |= EXTENDABLE[chord]
            continue
        ok |= IS_CHORD[chord] & _bass_shape_ok(chord, bass)  # as _style_mask allows it
    _narrow_held(mask, ~rows[:, None] | ok, cur[:, i], cand, pitch_offset)


def _unresolved_given(job: _VoiceJob, pitch_offset: int, min_pitch: int) -> list[int]:
    """Per frame of ``job``: the pitch classes (12-bit sets) that given voices (a harmonized
    melody, kept notes) sound there and whose next other pitch rises or falls more than a
    whole step, so that they cannot be a chord's seventh. An eleventh listening review found
    melody notes made sevenths that then rose (the harmonized test melodies x 2: 35 V7 sevenths
    and 90 others in the melody)."""
    frames = job.frames
    out = [0] * len(frames)
    for i in range(len(frames[0].forced) if frames else 0):
        sounding = []  # per frame: the given pitch sounding (-1: none, or written here)
        p = job.start_pitch[i] if len(job.start_pitch) > i else -1
        for f in frames:
            tok = f.forced[i]
            if tok is None or (tok < pitch_offset and tok != HOLD):
                p = -1
            elif tok >= pitch_offset:
                p = tok - pitch_offset + min_pitch
            sounding.append(p)
        after = -1  # the next other given pitch after the frame's
        for fi in range(len(frames) - 1, -1, -1):
            nxt = sounding[fi + 1] if fi + 1 < len(frames) else -1
            if nxt != sounding[fi]:
                after = nxt
            if sounding[fi] >= 0:
                out[fi] |= _bad_seventh(sounding[fi], after)
    return out


def _bad_seventh(pitch: int, after: int) -> int:
    """``pitch``'s pitch class as a bit when moving on to ``after`` (-1: unknown) does not
    resolve it as a seventh, else 0."""
    if after < 0 or 0 <= pitch - after <= 2:
        return 0
    return 1 << (pitch % 12)


def _given_seventh_mask(mask: np.ndarray, others: np.ndarray, held: np.ndarray, bad: int,
                        cand: np.ndarray, pitch_offset: int) -> None:
    """A written voice makes no seventh chord whose seventh is a given voice's note that will
    not fall a step (``bad``, :func:`_unresolved_given`). ``others``: every other voice as it
    sounds now ([rows, voices - 1], -1: silent; the voices below are checked again when they
    are written); ``held``: this voice's sounding pitch, which it may hold only where allowed.
    A row left without a note keeps its mask."""
    bits = pitch_class_bits(others)[:, None] | (1 << (cand % 12))[None, :]
    seventh = SEVENTH_OF[bits]
    made = (seventh >= 0) & (((bad >> np.maximum(seventh, 0)) & 1) == 1)
    made &= (others >= 0).all(axis=1)[:, None]
    if made.any():
        _narrow_held(mask, ~made, held, cand, pitch_offset)


def _seventh_mask(mask: np.ndarray, others: np.ndarray, cand: np.ndarray, pitch_offset: int
                  ) -> None:
    """On a beat a voice below the top makes no seventh chord whose seventh two voices sound: a
    doubled seventh must resolve down in both voices, into octaves. Bach's four-voice beat
    chords that are seventh chords double the seventh once in 344 (the 40 test chorales); the
    harmonized melodies did 72 times in 1,115, and a fifth listening review heard V7 and i7
    with the seventh doubled. ``others``: every other voice as it sounds now (-1: silent; the
    voices below are checked again when they are written). A row left without a note keeps
    its mask."""
    sounding = others >= 0
    counts = np.zeros((others.shape[0], 12), np.int64)
    rows = np.nonzero(sounding)
    np.add.at(counts, (rows[0], others[rows] % 12), 1)
    bits = (counts > 0) @ (1 << np.arange(12))
    pcs = np.arange(12)
    chord = bits[:, None] | (1 << pcs)[None, :]  # [rows, bass pitch class]
    seventh = SEVENTH_OF[chord]
    doubled = (seventh >= 0) & (np.take_along_axis(counts, np.maximum(seventh, 0), axis=1)
                                + (seventh == pcs[None, :]) >= 2)
    doubled &= sounding.all(axis=1)[:, None]
    if doubled.any():
        _narrow(mask, ~doubled[:, cand % 12], pitch_offset)


def _clash_mask(mask: np.ndarray, i: int, cur: np.ndarray, struck: np.ndarray,
                cand: np.ndarray, pitch_offset: int) -> None:
    """On a beat, voice ``i`` strikes no note a semitone, major seventh or minor ninth from a
    note a voice above strikes at the same time, nor holds a note into one: a dissonance on the
    beat is prepared (a suspension: the note that clashes was sounding before). The tenor and
    bass keep to one chord anyway (:func:`_style_mask`), the alto did not: harmonized held-out
    melodies struck such clashes at 3.7% of their beats, Bach at 1.7% (a fourth listening review
    heard a soprano and alto a semitone apart). A row left without a note keeps its mask."""
    above = cur[:, :i]
    new_above = struck[:, :i] & (above >= 0)
    if not new_above.any():
        return
    apart = np.abs(cand[None, :, None] - above[:, None, :]) % 12
    clash = ((apart == 1) | (apart == 11)) & new_above[:, None, :]
    keep = _narrow(mask, ~clash.any(axis=2), pitch_offset)
    held = cur[:, i]
    apart = np.abs(above - held[:, None]) % 12
    into = (held >= 0) & (((apart == 1) | (apart == 11)) & new_above).any(axis=1)
    mask[into & keep, HOLD] = False


# No chromatic note sounds a semitone from the key's own note it alters or meets (E# against E,
# F# against F or G in C major): without the key lock a second listening review found 7 notes
# against the one they alter in 16 pieces (locked: none; Bach: none). Stricter than Bach, who
# sets a leading tone against its tonic in passing (docs/voices.md: 8 of 693 onsets)
CHROMATIC_CLASHES = True


def _chromatic_clash_mask(mask: np.ndarray, i: int, cur: np.ndarray, struck: np.ndarray,
                          cand: np.ndarray, pitch_offset: int, minor: bool) -> None:
    """Voice ``i`` strikes no note a semitone (or a major seventh, minor ninth) from a note a
    voice above sounds where one of the two is outside the key (normalized: C major; A minor
    with its raised sixth and seventh) and the other in it, nor holds such a note under one
    struck above now. A row left without a note keeps its mask."""
    above = pitch_class_bits(cur[:, :i])
    if not above.any():
        return
    clashing = _CLASHING[minor]
    keep = _narrow(mask, (clashing[above][:, None] & PC_BIT[cand][None, :]) == 0, pitch_offset)
    new = pitch_class_bits(np.where(struck[:, :i], cur[:, :i], -1))
    into = (clashing[new] & PC_BIT[cur[:, i]]) != 0  # (a silent voice's bit is 0)
    mask[into & keep, HOLD] = False


# No false relation: a voice strikes no note that spells a letter another voice struck within the
# last beat another way (F in the alto, then F# in the soprano), nor one a given voice strikes
# in the next beat. bench/voice_leaps.py, cross-relations within a beat per 8 bars, harmonized
# test melodies: 1.87 -> 0.88, Bach 1.02 (docs/voices.md); an eleventh listening review counted
# 27 in 11 passages, Bach 14 in the same bars. Stricter than Bach, whose minor-key lines set G
# against G# in passing
FALSE_RELATIONS = True
# ... nor one against the voices above as they sound in this frame (struck in it, or held): a
# listening review heard a tenor's passing F against the bass's passing F# struck with it
FALSE_RELATIONS_NOW = True
# the letter (C=0 .. B=6) of each pitch class in the normalized keys, chromatic ones as chorales
# spell them: in C major C# Eb F# G# Bb, in A minor Bb C# D# F# G#
_LETTER = {False: (0, 0, 1, 2, 2, 3, 3, 4, 4, 5, 6, 6), True: (0, 0, 1, 1, 2, 3, 3, 4, 4, 5, 6, 6)}


def _false_table(minor: bool) -> np.ndarray:
    """For each set of pitch classes (a 12-bit mask): the pitch classes that spell one of their
    letters another way."""
    letter = _LETTER[minor]
    other = [sum(1 << p for p in range(12) if p != q and letter[p] == letter[q])
             for q in range(12)]
    table = np.zeros(1 << 12, np.int64)
    for q in range(12):
        has = (np.arange(1 << 12) >> q) & 1 == 1
        table[has] |= other[q]
    return table


FALSE_OF = {minor: _false_table(minor) for minor in (False, True)}


def _given_ahead(job: _VoiceJob, pitch_offset: int, min_pitch: int) -> list[int]:
    """Per frame of ``job``: the pitch classes (12-bit sets) the given voices strike after it
    and no more than a beat later."""
    struck = [0] * len(job.frames)
    for fi, f in enumerate(job.frames):
        for tok in f.forced:
            if tok is not None and tok >= pitch_offset:
                struck[fi] |= 1 << ((tok - pitch_offset + min_pitch) % 12)
    steps = [f.step for f in job.frames]
    out = [0] * len(job.frames)
    for fi, s in enumerate(steps):
        j = fi + 1
        while j < len(steps) and steps[j] - s <= job.beat_steps:
            out[fi] |= struck[j]
            j += 1
    return out


def _recent_strikes(last_struck: np.ndarray, struck_step: np.ndarray, step: int,
                    beat_steps: int) -> np.ndarray:
    """[rows, voices]: the pitch class (a bit) each voice struck before ``step`` and at most a
    beat before, else 0."""
    recent = (struck_step >= step - beat_steps) & (struck_step < step) & (last_struck >= 0)
    return np.where(recent, 1 << (np.maximum(last_struck, 0) % 12), 0)


def _false_relation_mask(mask: np.ndarray, i: int, recent: np.ndarray,
                         ahead: int | np.ndarray, cand: np.ndarray, pitch_offset: int,
                         minor: bool) -> None:
    """Voice ``i`` strikes no pitch class that spells a letter another way than a note another
    voice struck before this step and at most a beat before (``recent``,
    :func:`_recent_strikes`), or than one a given voice strikes within the next beat or a
    voice above sounds in this frame (``ahead``: a 12-bit set, per row or for all rows).
    Called after :func:`_resolution_mask`, it only chooses among a seventh's resolutions (a
    row left without a note keeps its mask)."""
    others = (np.bitwise_or.reduce(recent[:, :i], axis=1)
              | np.bitwise_or.reduce(recent[:, i + 1:], axis=1) | ahead)
    if not others.any():
        return
    bad = FALSE_OF[minor][others]
    if bad.any():
        _narrow(mask, ((bad[:, None] >> (cand % 12)[None, :]) & 1) == 0, pitch_offset)


def _clashing(bits: np.ndarray, own: int) -> np.ndarray:
    """The pitch classes (12-bit sets) a semitone from those in ``bits`` on the other side of
    the key ``own``: beside a note of the key the ones outside it, and the reverse."""
    def beside(b):
        return ((b << 1) | (b >> 1) | (b << 11) | (b >> 11)) & 0xFFF
    return (beside(bits & own) & ~own | beside(bits & ~own & 0xFFF) & own) & 0xFFF


def _leap_mask(mask: np.ndarray, before: np.ndarray, cand: np.ndarray, pitch_offset: int,
               minor: bool = False, upper: bool = False) -> None:
    """A voice leaps no tritone, no seventh and nothing wider than an octave from its last note
    (``before``, -1: none): Bach's basses leap fourths, fifths and octaves (a tritone is 0.60%
    of their moves, sevenths 0.39%, in the bach-chorales train and val pieces; a third
    listening review heard A-D# leaps in 3 of 3 E major continuations), his upper voices a
    seventh in 0.03% of theirs (a fourth review heard a soprano leap E4-D#5) and a tritone in
    0.0% (soprano), 0.16% (alto), 0.45% (tenor) of the test chorales' moves, where the
    harmonizations' tenor leapt one in 1.8% (a fifth review heard B-flat3-E4-B-flat3-E4). A
    row left without a note keeps its mask.

    In minor (normalized: A minor) no voice moves between the natural sixth and the raised
    seventh, F and G#, an augmented second (a seventh listening review heard a tenor fall
    B3 -> A-flat3 in C minor, V4/2 to iv), nor between the raised seventh and the third, G#
    and C, a diminished fourth (an eighth review heard B3 -> E-flat4 in C minor twice). An
    ``upper`` voice (not the bass) leaps neither from the raised seventh to the third, G# and C
    8 semitones apart (an augmented fifth), nor to the sixth, G# and F 9 apart (a diminished
    seventh): Bach's sopranos, altos and tenors in minor, 0 and 3 times in 29,480 moves (the
    bach-chorales pieces), his basses 7 and 9 in 10,744; a tenth review heard harmonized tenors
    drop from the leading tone an augmented fifth 5 times in 4 minor-key files. In every key no
    voice leaps an augmented second or diminished fourth to or from a note outside the key
    (:data:`CHROMATIC_LEAPS`)."""
    _narrow(mask, _leap_allowed(minor, upper and MINOR_UPPER_LEAPS)[before][:, cand],
            pitch_offset)


@functools.lru_cache(maxsize=4)
def _leap_allowed(minor: bool, upper: bool) -> np.ndarray:
    """:func:`_leap_mask`'s rule as a table, looked up per voice: [from, to] whether a voice may
    move from one pitch to another (rows 0-255 the pitches; rows 256-383, indexed by negative
    pitches, none: every move allowed)."""
    pitches = np.arange(256)
    leap = np.abs(pitches[None, :] - pitches[:, None])
    barred = ((leap >= 10) & (leap != 12)) | (leap == 6)
    if CHROMATIC_LEAPS:  # an augmented second or diminished fourth to or from a note off the key
        low = np.minimum(pitches[None, :], pitches[:, None])
        high = np.maximum(pitches[None, :], pitches[:, None])
        letter = np.asarray(_LETTER[minor])
        letters = (letter[high % 12] - letter[low % 12]) % 7
        off = ((_KEY_BITS[minor] >> (pitches % 12)) & 1) == 0
        barred |= (off[None, :] | off[:, None]) & (
            ((leap == 3) & (letters == 1)) | ((leap == 4) & (letters == 3)))
    if minor:
        ends = (1 << (pitches[None, :] % 12)) | (1 << (pitches[:, None] % 12))
        barred |= (leap == 3) & (ends == (1 << 5) | (1 << 8))
        barred |= (leap == 4) & (ends == (1 << 8) | (1 << 0))
        if upper:
            barred |= (leap == 8) & (ends == (1 << 8) | (1 << 0))
            barred |= (leap == 9) & (ends == (1 << 8) | (1 << 5))
    return np.concatenate([~barred, np.ones((128, 256), bool)])


MINOR_UPPER_LEAPS = True  # _leap_mask: no augmented fifth or diminished seventh above the bass
# ... and in every key no voice leaps an augmented second or a diminished fourth to or from a
# note outside the key, as _LETTER spells it (C-G# down, F-G# in C major): a seventeenth
# listening review heard 9 such leaps onto a planned key's new leading tone in 7 of 16
# continuations, 3 of them in the soprano
CHROMATIC_LEAPS = True
LEAP_COST = 0.3  # nats per semitone of a lower voice's move beyond a whole step
# ... of the bass, and the bass striking its note again. A fourteenth listening review counted
# 19 repeated bass notes in three harmonized melodies (Bach 3). Chosen on the val pieces
# (bench/voice_leaps.py --split val [--continuations]): at 0.3 / 0.7 the harmonized bass restruck
# 9.5% of its notes and stepped in 46.9% of its moves (Bach 3.7% and 63.4%); at 0.3 / 2 6.0%
# and 49.0%; at 0.5 / 2 7.1% and 51.9%, its fifths and sixths 13.2% -> 10.1% (Bach 9.2%), beat
# chords 0.951 each time. docs/voices.md has the test split's figures.
BASS_LEAP_COST = 0.5
BASS_REPEAT_COST = 2.0
# nats: the alto striking the pitch it has struck RUN_STRIKES times in a row once more. A
# listening review heard an alto strike G4 eight times in a row; of the alto's notes in the
# continued test chorales 22% stood in such runs of 3 or more (Bach 10%), of the harmonized
# melodies' 16% (Bach 12%; bench/voice_leaps.py). On the tenor too it overshot (runs 12% ->
# 7%, Bach 10%) and cost cadences (docs/voices.md); the bass has BASS_REPEAT_COST.
RUN_COST = 1.0
RUN_STRIKES = 2
RUN_VOICES = (1,)  # the alto
# nats: an inner voice moving to the note of its own letter spelled another way (G to G#, a
# chromatic slide; _leap_cost). A fifteenth listening review heard final cadences dissolve in
# them; the harmonized val melodies' altos slid in 17.9 and tenors in 23.8 of 1,000 moves, Bach's
# 8.3 and 9.1 (his basses 57.5, which walk chromatically: the bass is spared)
SLIDE_COST = 1.0
# the letter of each pitch class (_LETTER) as a table: [minor][from, to] the same letter
_SAME_LETTER = {minor: np.equal.outer(_LETTER[minor], _LETTER[minor]) for minor in (False, True)}

# nats: on a beat where the voices above move to another chord, the bass holding its note under
# them (a fifteenth listening review heard A2 held under four chords). The bass sounded one pitch
# across 14.0% of the harmonized val melodies' beat pairs while the chord above changed (Bach
# 8.5%); at 1 nat 11.8%, at 2 nats 9.2%, beat chords 0.942 -> 0.956 -> 0.968, six-four beat
# chords 30 -> 23 -> 7 of ~2,930 (Bach 24 of 1,473; bench/voice_leaps.py --split val
# [--no-bass-hold-cost]; docs/voices.md).
BASS_HOLD_COST = 2.0
# ... and striking its note again there, on top of BASS_REPEAT_COST, which any restruck bass
# note pays (session 37): held or struck again, the bass stood
# under a changing chord at 12.8% of the harmonized test melodies' beat pairs (Bach 7.1%), and
# struck one pitch again in 8.5% of its moves (Bach 2.3%). bench/voice_leaps.py, harmonized test
# melodies x 2, at 0 / 1 / 2 / 4 nats: standing 600 / 532 / 468 / 420 of 4,672 beat pairs,
# repeats 8.5% / - / 5.1% / 2.9%, octave leaps 2.7% / - / 3.9% / 4.6% (Bach 3.4%), outer
# parallels 0.000 / 0.000 / 0.006 / 0.012 per 8 bars; val 435 -> 399 of 4,022 (Bach 8.5%),
# continued test openings 160 -> 135 of 1,240 (Bach 7.6%) at 2
BASS_RESTRIKE_COST = 2.0


# nats: on a beat, the lowest voice making the chord a seventh chord other than a dominant or
# diminished seventh (ii7, IV7, vi7, I7, iii7, the half-diminished vii7), its fifth there or
# not, and an inner voice leaving the voices so far in no triad and with no tritone (bound for
# such a chord: D-C, D-E). A twelfth listening review found seventh chords on 30% of the beats
# of harmonized melodies (Bach 16%). bench/phrase_closes.py, the test melodies: 28.4% -> 18.0%
# (Bach 15.4%), those not V7 or vii°7 18.0% -> 8.2% (8.4%); docs/voices.md has the rest.
# Chosen on the val pieces: the lowest voice alone at 1 / 2 nats, continuations' chords not V7
# or vii°7 18.5% -> 15.0% / 12.6% (the voices above had mostly fixed the chord); with the
# inner voices 14.7% / 10.4% (Bach 8.0%).
SEVENTH_CHORD_COST = 2.0
_SOFT_SEVENTHS = np.isin(CHORD_QUALITY, [QUALITIES.index(q) for q in ("maj7", "min7", "hdim7")])


def _within_hard_sevenths() -> np.ndarray:
    """For each set of pitch classes: does it lie within a major or minor triad, or hold a
    tritone (a dominant seventh's third and seventh, or a diminished chord's)."""
    masks = np.arange(1 << 12)
    rotated = ((masks << 6) | (masks >> 6)) & 0xFFF
    return IN_TRIAD | ((masks & rotated) != 0)


_WITHIN_HARD = _within_hard_sevenths()


def _seventh_chord_cost(biased: np.ndarray, above: np.ndarray, cand: np.ndarray,
                        pitch_offset: int, lowest: bool) -> None:
    """Charge :data:`SEVENTH_CHORD_COST` to the lowest voice's pitches that make, with the
    voices ``above`` ([rows, voices], -1: silent), a seventh chord other than V7 or vii°7;
    and an inner voice's that leave the voices so far outside every triad, V7 and vii°7."""
    merged = pitch_class_bits(above)[:, None] | (1 << (cand % 12))[None, :]
    barred = _SOFT_SEVENTHS[merged] if lowest else ~_WITHIN_HARD[merged]
    biased[:, pitch_offset:] -= SEVENTH_CHORD_COST * barred


def _bass_hold_cost(biased: np.ndarray, above: np.ndarray, above_before: np.ndarray,
                    sounding: np.ndarray | None = None, cand: np.ndarray | None = None,
                    pitch_offset: int = 0) -> None:
    """Charge :data:`BASS_HOLD_COST` to holding, in the rows where the voices above the bass
    (``above`` now, ``above_before`` at the last frame; [rows, voices], -1: silent) sound
    other pitch classes: the bass moves with the harmony. With ``sounding`` (the bass's pitch,
    -1: silent) striking that pitch again costs :data:`BASS_RESTRIKE_COST`."""
    moved = pitch_class_bits(above) != pitch_class_bits(above_before)
    biased[moved, HOLD] -= BASS_HOLD_COST
    if sounding is not None and cand is not None:
        rows = moved & (sounding >= cand[0]) & (sounding <= cand[-1])
        biased[rows, pitch_offset + sounding[rows] - cand[0]] -= BASS_RESTRIKE_COST


# nats: the bass on the leading tone of a dominant (the third of a dominant seventh chord, of
# the key's V, or of a major triad whose third is no note of the key's natural scale: V/V, V/vi)
# moving anywhere but up a semitone when it next moves (striking it again and holding are free).
# A sixteenth listening review heard the bass misresolve leading tones and sevenths in 6 of 8
# continuations and 3 of 3 harmonizations (V6/5-vi with B2-A2, D/F#-C/E). Harmonized test melodies
# x 2 (a scratch count of the bass note after each such onset), rising a semitone: under the
# key's V7 42% of the time (Bach 75%, his train chorales 78%), another dominant seventh 35%
# (85%, 73%), the key's V 30% (56%, 59%), a chromatic major triad 49% (80%, 70%). The cost
# alone moved nothing (2, 4 or 8 nats): the voices above, written first, had left the rise no
# chord (a six-four, no triad), so they now leave it one on a beat (LEADING_BASS_ROOM,
# _bass_step_room); with both, 2 nats: 56%, 61%, 49%, 68% (4 nats the same; without the
# key's V among the dominants: 59%, 57%, 29%, 59%)
LEADING_BASS_COST = 2.0
LEADING_BASS_ROOM = True  # ... and the voices above leave it the rise (_bass_step_room)


@functools.cache
def _leading_third(minor: bool) -> np.ndarray:
    """[set of pitch classes]: the pitch class of its leading tone where it is a dominant seventh
    chord, the normalized key's V, or a major triad whose third is outside the key's natural
    scale; else -1."""
    dom7 = where_quality(("dom7",), CHORD_ROOT)
    major = where_quality(("maj",), CHORD_ROOT)
    natural = np.zeros(12, bool)
    natural[list(_NATURAL[minor])] = True
    third = (major + 4) % 12
    # the key's own V in major (G-B-D in C; in minor, E-G#-B, its third is raised)
    dominant = (major == 7) & (not minor)
    return np.where(dom7 >= 0, (dom7 + 4) % 12,
                    np.where((major >= 0) & (~natural[third] | dominant), third, -1))


def _owed_rises(rising: np.ndarray, cur: np.ndarray, struck: np.ndarray,
                minor: bool) -> np.ndarray:
    """After a frame: the bass's leading tone still to rise ([rows], its pitch, -1: none). A bass
    that struck another pitch has moved on; a bass that sounds the leading tone of the chord
    sounding now (every voice) owes a rise."""
    bass = cur[:, -1]
    rising = np.where(struck & (bass != rising), -1, rising)
    lead = _leading_third(minor)[pitch_class_bits(cur)]
    owes = (cur >= 0).all(axis=1) & (lead >= 0) & (bass % 12 == lead)
    return np.where(owes, bass, rising)


def _leading_cost(biased: np.ndarray, rising: np.ndarray, cand: np.ndarray,
                  pitch_offset: int) -> None:
    """Charge :data:`LEADING_BASS_COST` to every bass note but the rise a semitone (and the
    leading tone itself) in the rows whose bass owes a rise (``rising``)."""
    rows = np.flatnonzero(rising >= 0)
    other = (cand[None, :] != rising[rows, None] + 1) & (cand[None, :] != rising[rows, None])
    biased[rows, pitch_offset:pitch_offset + len(cand)] -= LEADING_BASS_COST * other


@functools.lru_cache(maxsize=8)
def _leap_costs(slope: float, repeat: float | None) -> np.ndarray:
    """:func:`_leap_cost`'s cost of a move by each number of semitones (a table, looked up per
    voice; keyed on the constants, which the benches change): ``slope`` per semitone beyond a
    whole step, and for the bass (``repeat`` given) its octave as a fourth and ``repeat`` for
    striking its note again."""
    leap = np.arange(256)
    cost = slope * np.maximum(leap - 2, 0).astype(np.float64)
    if repeat is not None:
        cost[12] = 3 * slope
        cost[0] = repeat
    return cost


def _leap_cost(biased: np.ndarray, mask: np.ndarray, before: np.ndarray, cand: np.ndarray,
               pitch_offset: int, bass: bool, again: np.ndarray | None = None,
               slide: bool | None = None) -> None:
    """Lower voices move as Bach's do, mostly by step: each semitone a move spans beyond a
    whole step costs :data:`LEAP_COST` (the bass's :data:`BASS_LEAP_COST`, its octave leap as
    a fourth, and its restruck note :data:`BASS_REPEAT_COST`); ``again`` [rows], the pitch the
    voice would strike a third time in a row, -1 for none, costs :data:`RUN_COST`. Written
    one after another under the chord rules, the model's alto, tenor and bass leapt far more
    than Bach's: harmonizing the bach-chorales val melodies, bass sixths 6.6% of its moves
    (Bach 0.7%), tenor sixths 2.4% (0.7%), bass steps 33% (63%; docs/voices.md, "Lower voices
    move by step"). A cost, not a mask: a leap the harmony needs stays possible. Which pitch,
    not whether to strike: the pitches the mask allows keep their total probability against
    holding or resting (charged to the pitches alone, the cost made notes 3% fewer and their
    lengths further from Bach's). ``slide``, an inner voice's key mode (True: minor): a move to
    the voice's own letter spelled another way, G to G#, costs :data:`SLIDE_COST` more."""
    slope = BASS_LEAP_COST if bass else LEAP_COST
    cost = _leap_costs(slope, BASS_REPEAT_COST if bass else None)[
        np.abs(cand[None, :] - before[:, None])]
    if slide is not None and SLIDE_COST:  # (the key's mode: minor True)
        moved = cand[None, :] != before[:, None]
        cost += SLIDE_COST * (_SAME_LETTER[slide][before % 12][:, cand % 12] & moved)
    cost[before < 0] = 0.0
    if again is not None and RUN_COST:
        cost = cost + np.where(cand[None, :] == again[:, None], RUN_COST, 0.0)
    pitches = biased[:, pitch_offset:]
    allowed = mask[:, pitch_offset:]
    z = np.where(allowed, pitches, -np.inf)
    top = z.max(axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    mass = np.exp(z - top).sum(axis=1, keepdims=True)
    after = np.exp(z - cost - top).sum(axis=1, keepdims=True)
    shift = np.zeros_like(mass)  # 0 in a row with no pitch allowed
    ok = (mass > 0) & (after > 0)
    shift[ok] = np.log(mass[ok]) - np.log(after[ok])
    biased[:, pitch_offset:] = pitches - cost + shift


# Of a voice's quarter notes on the beat that move a third to the next beat, where a passing
# note would break no rule (:func:`_passing_pitch`, :func:`_passing_clear`), the share Bach
# fills with one (two eighths by step), from the lowest voice up: bass, tenor, alto, soprano
# (the bach-chorales train split, 311 chorales: 2,734 of 3,177, 1,726 of 2,220, 1,449 of
# 2,094, 985 of 1,674; his thirds over all, filled or not, 84.5 / 76.0 / 66.7 / 55.7%). The
# model writes a note per beat and seldom plans the step between: its harmonized test
# melodies filled 13% of the bass's thirds (bench/voice_leaps.py).
PASSING_SHARE = (0.861, 0.777, 0.692, 0.588)
_NATURAL = {False: frozenset(x % 12 for x in MAJOR_SCALE),  # normalized: C major, A minor
            True: frozenset((x + 9) % 12 for x in (0, 2, 3, 5, 7, 8, 10))}
_MELODIC = frozenset({9, 11, 0, 2, 4, 6, 8})  # A minor with its raised sixth and seventh
# the key's own pitch classes as 12-bit sets (_chromatic_clash_mask)
_KEY_BITS = {minor: sum(1 << pc for pc in _NATURAL[minor] | (_MELODIC if minor else frozenset()))
             for minor in (False, True)}
# _clashing of every 12-bit set, in major and in minor (the sampler looks it up per voice)
_CLASHING = tuple(_clashing(np.arange(4096, dtype=np.int64), _KEY_BITS[minor])
                  for minor in (False, True))


# A voice's note on a half beat that stepped there from outside the beat's chord moves on by
# step at the next beat (a passing or neighbour note resolves; _unresolved, _step_mask)
RESOLVE_STEPS = True


def _unresolved(at_beat: np.ndarray, at_half: np.ndarray) -> np.ndarray:
    """[rows, voices]: the voice struck a note on the half beat a step from its note on the
    beat, and that note is none of the beat chord's pitch classes (a passing or neighbour
    note, not a chord note arpeggiated)."""
    moved = (at_half >= 0) & (at_beat >= 0) & (at_half != at_beat) & \
        (np.abs(at_half - at_beat) <= 2)
    chord = pitch_class_bits(at_beat)[:, None]
    return moved & (((chord >> (np.maximum(at_half, 0) % 12)) & 1) == 0)


def _stepped(at_beat: np.ndarray, at_half: np.ndarray) -> np.ndarray:
    """[rows]: a voice struck a note on the half beat a step from its note on the beat."""
    return (at_half >= 0) & (at_beat >= 0) & (at_half != at_beat) & \
        (np.abs(at_half - at_beat) <= 2)


# The bass's eighth on a half beat reached by step, a note of the chord or not, moves on by step
# at the next beat (it held a leap from a note of the new chord): Bach's basses leave 30 of 491
# such eighths by a leap, the harmonized test melodies' 141 of 613 (bench/voice_leaps.py)
BASS_EIGHTHS_STEP = True


def _in_chord(chord: np.ndarray, pitch: np.ndarray) -> np.ndarray:
    """Per row: ``pitch``'s pitch class is one of ``chord``'s ([rows, voices], -1: silent)."""
    return ((pitch_class_bits(chord) >> (np.maximum(pitch, 0) % 12)) & 1) == 1


def _step_mask(mask: np.ndarray, rows: np.ndarray, sounding: np.ndarray, cand: np.ndarray,
               pitch_offset: int, above: np.ndarray | None = None,
               way: np.ndarray | None = None, also: np.ndarray | None = None) -> np.ndarray:
    """In ``rows`` the voice's next note lies a step or less from the note it sounds
    (``sounding``): an unaccented passing or neighbour note resolves by step. The model's own
    half-beat notes reached by step left by a leap in the harmonized test melodies: tenor 84
    of 350, bass 168 of 400 (Bach 10 of 355, 30 of 491; bench/voice_leaps.py --no-passing
    --no-step-rule). The step does
    not cross the voice above (``above``: its pitch now, -1: silent), and goes only up
    where ``way`` ([rows]) is 1, only down where it is -1. Holding stays allowed. A row left
    without a note keeps its mask. ``also`` ([rows, candidates]): moves allowed besides. The
    rows narrowed."""
    move = cand[None, :] - sounding[:, None]
    near = np.abs(move) <= 2
    if way is not None:
        near &= move * way[:, None] >= 0
    if also is not None:
        near |= also
    if above is not None:
        near &= (above[:, None] < 0) | (cand[None, :] <= above[:, None])
    return _narrow(mask, near | ~rows[:, None], pitch_offset)


# A voice that sounds a note outside the key (a secondary leading tone, the seventh of a
# secondary dominant, a borrowed flat) leaves it by step the way it leads: a raised note (C#,
# F#, G# in C major) up, a lowered one (B-flat, E-flat) down, as _LETTER spells them. A
# fourteenth listening review heard a tenor leap a diminished seventh from a doubled E-sharp.
# The harmonized val melodies' alto, tenor and bass left 102 of their 332 notes outside the
# key by a leap (Bach 38 of 276; bench/voice_leaps.py --split val [--no-chromatic-steps];
# docs/voices.md), and a fifteenth review found the steps left often went the wrong way.
CHROMATIC_STEPS = True
# ... except that at a planned close's tonic an inner voice on the leading tone of the close's
# key may fall a third to its fifth (F#4-D4 under A4-G4 in a close in G), as Bach's inner voices
# do: made to rise, the alto met the soprano's tonic in unison and the chord lost its fifth. Of
# the harmonized test / val melodies' interior fermata chords (x 2: 450 / 384), those of two
# pitch classes: 77 / 80 before this rule and the two below (SEVENTH_KEEPS_THIRD,
# DOMINANT_SEVENTH_ONCE), 59 / - with this one, 56 / 65 with all three, - / 76 with the other
# two alone (Bach 20 of 224 / - ; a scratch count); soprano and alto in unison on the root
# over the third 25 / 18 -> 9 / 12
LEADING_FALLS = True


def _chromatic_ways() -> dict[bool, np.ndarray]:
    """Per normalized key: for each pitch class, +1 where it is raised (its letter is the one
    below's: C#), -1 where lowered (B-flat), 0 in the key."""
    out = {}
    for minor in (False, True):
        letter = _LETTER[minor]
        way = np.zeros(12, np.int64)
        for pc in range(12):
            if not (_KEY_BITS[minor] >> pc) & 1:
                way[pc] = 1 if letter[pc] == letter[(pc - 1) % 12] else -1
        out[minor] = way
    return out


CHROMATIC_WAYS = _chromatic_ways()


def _chromatic_step_mask(mask: np.ndarray, i: int, before: np.ndarray, cur: np.ndarray,
                         cand: np.ndarray, pitch_offset: int, minor: bool,
                         fall: tuple[int, int] | None = None) -> None:
    """Voice ``i``'s next note after a note ``before`` ([rows], -1: none) outside the
    normalized key (A minor's raised sixth and seventh are in it) is that note again or a step
    the way the note leads (:data:`CHROMATIC_WAYS`), not above the voice above; where none is
    left, a step the other way. ``fall`` (leading tone, fifth: pitch classes): at a planned
    close's tonic, an inner voice on its key's leading tone may also fall a third to the
    fifth (:data:`LEADING_FALLS`). A row left without a note keeps its mask."""
    way = CHROMATIC_WAYS[minor][np.maximum(before, 0) % 12]
    out = (before >= 0) & (way != 0)
    if not out.any():
        return
    above = cur[:, i - 1] if i else None
    also = None
    if fall is not None:
        move = cand[None, :] - before[:, None]
        also = ((before % 12 == fall[0])[:, None] & (cand % 12 == fall[1])[None, :]
                & (move >= -4) & (move <= -3))
    led = _step_mask(mask, out, before, cand, pitch_offset, above, way, also)
    rest = out & ~led  # where no step the way it leads is left, a step the other way
    if rest.any():
        _step_mask(mask, rest, before, cand, pitch_offset, above)


def _passing_pitch(a: int, c: int, minor: bool) -> int | None:
    """The note of the key between ``a`` and ``c`` (normalized pitches a third apart), each
    step a tone or a semitone (C major: A G F#, F# G A); an altered end is left the way it
    leads (a sharp up, a flat down: G# G F is a chromatic step, and has none). In minor a line
    through the raised sixth or seventh takes both (E F# G#; F G# is an augmented second and
    has none). None if there is none."""
    if abs(c - a) not in (3, 4):
        return None
    melodic = minor and (a % 12 in (6, 8) or c % 12 in (6, 8))
    if melodic and (a % 12 in (5, 7) or c % 12 in (5, 7)):
        return None
    scale = _MELODIC if melodic else _NATURAL[minor]
    up = 1 if c > a else -1
    found = []
    for m in (a + up, a + 2 * up):
        if m % 12 not in scale or not 1 <= abs(c - m) <= 2:
            continue
        # a semitone to or from an altered note: C major's C#, F#, G# lead up, B-flat (and
        # E-flat) down; A minor's C#, D#, F#, G# up, B-flat down
        ok = True
        for x in (a, c):
            if x % 12 in scale or abs(x - m) != 1:
                continue
            sharp = x % 12 in ((1, 3, 6, 8) if minor else (1, 6, 8))
            ok &= m == (x + 1 if sharp else x - 1)
        if ok:
            found.append(m)
    return found[0] if len(found) == 1 else None


def _passing_clear(i: int, p: int, a: int, c: int, beat: np.ndarray, off: np.ndarray,
                   now: np.ndarray, leading: int = -1, minor: bool | None = None) -> bool:
    """Voice ``i`` may sound the passing note ``p`` on the half beat between ``a`` (on the
    beat, with the chord ``beat``) and ``c`` (the next beat, chord ``now``): the others sound
    ``off`` there (-1: silent). No consecutive fifth or octave with any of them into the half
    beat or out of it (parallel or contrary, as :func:`_parallels_mask`), nor from beat to
    beat (an eighth between does not hide them: a seventh listening review heard the fifths
    F#4/B3 -> D#4/G#3 around a passing A3); no crossing and no unison with a neighbour; not
    the ``leading`` tone (a pitch class) while another voice sounds it; with ``minor`` given
    (the normalized key's mode), no letter another voice spells another way on the beat, the
    half beat or the next beat (FALSE_RELATIONS: a listening review heard a tenor's passing F
    against the bass's passing F#)."""
    if p % 12 == leading and any(x >= 0 and x % 12 == leading for j, x in enumerate(off)
                                 if j != i):
        return False
    if minor is not None and FALSE_RELATIONS:
        others = 0
        for j in range(len(off)):
            for x in (beat[j], off[j], now[j]):
                if j != i and x >= 0:
                    others |= 1 << (x % 12)
        if (FALSE_OF[minor][others] >> (p % 12)) & 1:
            return False
    for j in range(len(off)):
        if j == i:
            continue
        if off[j] < 0:
            continue
        if (j < i and p >= off[j]) or (j > i and p <= off[j]):
            return False
        for (x0, y0), (x1, y1) in (((a, beat[j]), (p, off[j])), ((p, off[j]), (c, now[j])),
                                   ((a, beat[j]), (c, now[j]))):
            if y0 < 0 or y1 < 0 or y0 == y1:
                continue
            interval = abs(x0 - y0) % 12
            if interval in (0, 7) and abs(x1 - y1) % 12 == interval:
                return False
    return True


def _ending(request: GenerationRequest, region: bool, runs_on: bool) -> str:
    """"cadence" or "free": the request's, else a cadence for a region (or a harmonization)
    and for a continuation that ends the piece; free for one that kept music follows
    (``runs_on``: a part not rewritten goes on). A continuation from inside the sketch
    (``--from-bar``) replaces the rest and ends the piece: a listening review found all 8 such
    chorale continuations ending on no cadence when they were left free."""
    return request.end or ("cadence" if region or not runs_on else "free")


def _upbeat_cut(score: Score, stop: int, step: int) -> int:
    """Ticks to take off the last bar of a continuation that ends the piece with a cadence:
    the score's upbeat (on the grid); 0 without one, or where the short bar would hold less
    than a beat. The notation writer then writes the last bar short (musicxml_writer: the last
    bar completes the upbeat). A harmonization is a region and keeps its bars."""
    upbeat = score.upbeat // step * step
    if not upbeat:
        return 0
    last_bar = score.bar_start(score.bar_at(stop - 1))
    if stop - upbeat - last_bar < score.time_signature_at(last_bar).beat_ticks:
        return 0
    return upbeat


def _two_strong_beats(bar_steps: int, beat: int) -> bool:
    """Whether a bar has a strong middle beat beside its downbeat (4/4, 12/8: an even number of
    four beats or more)."""
    beats = bar_steps // beat
    return beats >= 4 and beats % 2 == 0


def _final_chord_step(bar_step: int, stop_step: int, beat: int, after: int | None = None,
                      unit: int = 0) -> int:
    """Where the cadence option's final tonic starts: on a strong beat, so that it is held as
    an ending is. A bar of four beats or more ends on its middle beat (a half note in 4/4, as
    chorale phrases close); shorter bars on the downbeat (a dotted half in 3/4, a whole bar in
    2/4 and 6/8), the dominant then on the last beat of the bar before.

    ``after`` (the sketch's last phrase end) and ``unit`` (a phrase's steps): a bar with both
    strong beats ends on the downbeat where that leaves the phrases from ``after`` nearer whole
    units (FINAL_ON_PHRASE_GRID: 36 beats from a fermata on beat 3 make 8 + 8 + 8 + 12, or a
    4-beat phrase; 34 make 8 + 8 + 8 + 10, Bach's second commonest last phrase)."""
    beats = (stop_step - bar_step) // beat
    if _two_strong_beats(stop_step - bar_step, beat):
        middle = bar_step + beats // 2 * beat
        if after is not None and unit > 0 and after < bar_step:
            return bar_step if _grid_off(bar_step - after, unit) < \
                _grid_off(middle - after, unit) else middle
        return middle
    return bar_step


def _grid_off(span: int, unit: int) -> int:
    """How far ``span`` lies from a whole number of ``unit``."""
    r = span % unit
    return min(r, unit - r)


def _upbeat_kept(score: Score, start: int, stop: int, cut: int) -> bool:
    """Whether a continuation after the sketch's phrase ends keeps its last bar whole instead
    of short by the upbeat (``cut`` ticks, _upbeat_cut): where the whole bar's closing chord
    keeps their grid and the short bar's does not (FINAL_ON_PHRASE_GRID). A chorale whose
    phrases end on beat 3 after a one-beat upbeat closes on beat 3 of a whole bar, 8 + 8 + 8
    + 8 beats on (Bach's own last bar: beat 3 of a short one, a one-beat chord), not on the
    short bar's downbeat, its last phrase 6 beats."""
    after = max((t for t in score.fermatas if t < start), default=None)
    if after is None or not cut:
        return False
    bar = score.bar_start(score.bar_at(stop - 1))
    beat = score.time_signature_at(bar).beat_ticks
    unit = LONG_PHRASE_BEATS * beat
    short = _final_chord_step(bar, stop - cut, beat, after, unit)
    whole = _final_chord_step(bar, stop, beat, after, unit)
    return _grid_off(whole - after, unit) < _grid_off(short - after, unit)


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


# A half close the sampler plans (V under a harmonized melody's second or seventh degree at a
# phrase end, no planned tonic a beat later) is the dominant triad: no voice takes its seventh.
# A fourteenth listening review heard seventh chords held under a hymn's fermatas. The chords
# under the 40 harmonized test melodies' interior fermatas (x 2, a scratch count): seventh
# chords 41 -> 25 of about 450, root-position V7 14 -> 1 (Bach: 3 and 0 of 225);
# bench/phrase_closes.py, fermata chords that are root-position triads 370/427 -> 385/424
# (Bach 189/208).
HALF_CLOSE_TRIAD = True


TOP_OFF_DOMINANT_ROOT = True  # _cadence_mask: the dominant's top voice is not on its root




def _cadence_mask(mask: np.ndarray, i: int, n: int, cand: np.ndarray, pitch_offset: int,
                  minor: bool, which: int, cur: np.ndarray,
                  before: np.ndarray | None = None, shift: int = 0,
                  final: bool = True) -> None:
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
    tonic inside the piece does not (INNER_MINOR_TONIC)."""
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
        if i == 0:
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
        if minor and PICARDY and i and (final or not INNER_MINOR_TONIC):
            allowed = allowed & _picardy(mask, cur[:, :i], cand, pitch_offset)
        elif minor and INNER_MINOR_TONIC and not final:
            allowed = allowed & (cand % 12 != 1)[None, :]
    if which == 1 and n > 2 and 0 < i < n - 1 and DOMINANT_SEVENTH_ONCE:
        # an inner voice does not double the dominant's seventh a voice above sounds
        above = np.where(cur[:, :i] >= 0, cur[:, :i] % 12, -1)
        has = (above == V7_SEVENTH[minor]).any(axis=1)
        allowed = allowed & ~(has[:, None] & (cand % 12 == V7_SEVENTH[minor])[None, :])
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


# A planned dominant's seventh sounds in one voice: a melody on it (F5 over G7) is not doubled
# below (F4), where both must fall to the tonic's third and the closing chord loses its fifth
# (G7 with F5 and F4 closing E5 C5 E4 C3, as a harmonized test melody closed; figures at
# SEVENTH_KEEPS_THIRD). _seventh_mask bars a doubled seventh on a beat but yields where the
# bass must take the planned root.
DOMINANT_SEVENTH_ONCE = True

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


# The bass's note a beat or less before a planned cadence chord is one from which that chord's
# root is a step, a third, a fourth, a fifth, a sixth or an octave away (_cadence_ahead,
# _reach_root): the cadence puts the root in the bass, and from the note before, chosen without
# looking ahead, a fifteenth listening review heard the bass leap C#3 to G2 into the final
# dominant (the harmonized val and test melodies x 2: 7 tritones into the last 4 beats' cadence
# chords, bench/final_chords.py)
BASS_TO_CADENCE = True


def _cadence_ahead(frames: list[_Frame], beat_steps: int, minor: bool,
                   which: int | None = None) -> list[int]:
    """Per frame: the root of the planned cadence chord (its normalized pitch class; ``which``:
    only the dominant, 1, or the tonic, 2) whose first frame comes after it and at most
    ``beat_steps`` later, -1 where none does or the frame is a cadence chord's own."""
    out = [-1] * len(frames)
    starts = []  # (step, root) of each cadence chord's first frame
    for k, f in enumerate(frames):
        if f.cadence and (k == 0 or frames[k - 1].cadence != f.cadence) and \
                which in (None, f.cadence):
            cad_minor, cad_shift = f.close_key or (minor, 0)
            starts.append((f.step, cadence_root(cad_minor, f.cadence, cad_shift)))
    for k, f in enumerate(frames):
        if f.cadence:
            continue
        for step, root in starts:
            if 0 < step - f.step <= beat_steps:
                out[k] = root
                break
    return out


@functools.lru_cache(maxsize=32)
def _reach_root(root: int, lo: int, hi: int) -> np.ndarray:
    """[pitches lo..hi]: whether from each pitch a pitch of class ``root`` in lo..hi is an
    octave or less away by a move :func:`_leap_mask` allows (no tritone, no seventh)."""
    pitches = np.arange(lo, hi + 1)
    moves = _leap_allowed(False, False)[pitches][:, pitches] & \
        (np.abs(pitches[None, :] - pitches[:, None]) <= 12) & (pitches % 12 == root)[None, :]
    return moves.any(axis=1)


def _reaches(before: np.ndarray, need: list[int], cand: np.ndarray, minor: bool) -> np.ndarray:
    """[rows]: whether a voice from ``before`` reaches each pitch class of ``need`` by a move of
    a fifth at most that :func:`_leap_mask` allows, and not by a chromatic slide (G to G#)."""
    moves = _leap_allowed(minor, MINOR_UPPER_LEAPS)[before][:, cand] & \
        (np.abs(cand[None, :] - before[:, None]) <= 7) & \
        ~(_SAME_LETTER[minor][before % 12][:, cand % 12] & (cand[None, :] != before[:, None]))
    reach = np.ones(len(before), bool)
    for pc in need:
        reach &= (moves & (cand % 12 == pc)[None, :]).any(axis=1)
    return reach


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
# ... and an inner voice leaves the third to a voice below it whose seventh falls to it (G7's
# F in the tenor: an alto on B4 that took E4 over the tenor's F4-E4 doubled the third). With
# DOMINANT_SEVENTH_ONCE, interior fermata chords of two pitch classes with a doubled third, the
# harmonized test / val melodies x 2: 25 / 17 -> 18 / 12 (a scratch count; each rule alone
# about half of it, LEADING_FALLS's comment has the totals)
SEVENTH_KEEPS_THIRD = True
# ... and takes the fifth there where the voices above lack it (G7 to C with the seventh F3 in
# the tenor and G4 in the alto: C5 G4 E3 C3, not C5 C4 E3 C3). Interior fermata chords of two
# pitch classes, harmonized test / val melodies x 2: 63 / 55 -> 62 / 50 (a scratch count)
OWED_THIRD_FIFTH = True


def _final_chord(mask: np.ndarray, i: int, cur: np.ndarray, before: np.ndarray,
                 cand: np.ndarray, pitch_offset: int, minor: bool, shift: int = 0,
                 which: int = 2) -> None:
    """The final tonic's voice ``i`` below the top (:data:`FULL_FINAL`), last in the chain of
    rules, so that each step yields to them all (a consecutive fifth, a crossing), and each
    step yields on its own: an inner voice doubles no third of the voices above and sounds in
    no unison with the voice above it; a voice leaps no more than a fifth from its last pitch
    (``before``); then the second-lowest voice takes the fifth where the voices above have the
    third but no fifth, unless the bass, moving to the root from a fifth below this voice's
    last pitch, would move in fifths with it. A row the step would leave without a note keeps
    its mask. ``shift`` as :func:`_cadence_mask`'s. On the dominant before it (``which`` 1)
    only the unisons go: from a soprano and alto in unison on the dominant no rule is left to
    close on a full chord (a listening review: B4 B4 over E3, then A4 C#4 C#4 over A2)."""
    n = cur.shape[1]
    held, pitches = cur[:, i], cand
    if which == 1:
        if i < n - 1:
            over = cur[:, i - 1]
            _narrow_held(mask, (over < 0)[:, None] | (cand[None, :] != over[:, None]), held,
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
# A chorale's bass strikes on the eighth-note grid, not on a sixteenth between (a note it holds
# runs on there): a listening review heard the bass move on the second sixteenth after a beat
# (a sixteenth, then a dotted eighth) in 3 of 9 files; bench/voice_leaps.py, bass notes struck
# off the eighths: harmonized test melodies 0.9% (Bach 0.3%, mostly in pairs of sixteenths),
# continued openings 1.4% (Bach 0.3%)
BASS_ON_EIGHTHS = True


def _mark_dominant_beats(frames: list[_Frame], beat: int, minor: bool) -> list[_Frame]:
    """The frames inside the beat of each planned cadence's dominant (after its onset) that a
    planned tonic follows a beat later, marked with the cadence's key (``in_dominant``)."""
    tonic_at = {f.step for f in frames if f.cadence == 2}
    keys = {f.step: f.close_key or (minor, 0) for f in frames
            if f.cadence == 1 and f.step + beat in tonic_at}
    out = []
    for f in frames:
        key = next((k for d, k in keys.items() if d < f.step < d + beat), None)
        out.append(replace(f, in_dominant=key) if key is not None and not f.context else f)
    return out


# Inside the beat of a planned cadence's dominant (V(7) a beat before its tonic) the bass strikes
# no note but the dominant's root, and the voices between it and the top none but its V7's: a
# listening review heard V - vi - I where a melody's tonic came an eighth early (the bass
# stepped G A C under the soprano's D C C, the inner voices falling with it, in the last bars
# of two of three harmonizations)
DOMINANT_BEAT_BASS = True
DOMINANT_BEAT_LEADING = True  # ... and a voice on its leading tone holds it there


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
    _narrow(mask, allowed, pitch_offset)


def _avoid_mask(mask: np.ndarray, sounding: np.ndarray, cand: np.ndarray, pitch_offset: int,
                avoid: frozenset[int]) -> None:
    """No pitch class of ``avoid``: none is struck, and a note held from before on one moves
    (where the rows have another pitch to move to; else the rule yields)."""
    keep = _narrow(mask, ~np.isin(cand % 12, list(avoid))[None, :], pitch_offset)
    held = keep & (sounding >= 0) & np.isin(sounding % 12, list(avoid))
    mask[held, HOLD] = False


def _entry_mask(mask: np.ndarray, rows: np.ndarray, cand: np.ndarray, pitch_offset: int,
                target: int) -> None:
    """A continuation's first note in a voice (``rows`` not yet entered) lies within
    ``limits.ENTRY_REACH`` of the voice's last note ``target``; a row left without a note keeps
    its mask."""
    allowed = np.abs(cand - target) <= limits.ENTRY_REACH
    block = mask[:, pitch_offset:pitch_offset + len(cand)]
    narrowed = block & allowed[None, :]
    keep = rows & narrowed.any(axis=1)
    block[keep] = narrowed[keep]


SEAM_REACH = 2  # semitones: how far a region's last new notes may lie from the kept note they meet


def _near_mask(mask: np.ndarray, cand: np.ndarray, pitch_offset: int, target: int,
               sounding: np.ndarray) -> None:
    """A region's last beat: a voice's new notes lie within :data:`SEAM_REACH` of the kept note
    it moves into, so the region leads into what follows (the real chorales' outer voices step
    2.76 semitones on average into the kept music: the card's infill seam row). A note held
    from earlier that lies farther away is not held on (it moves now). A row with no note left
    keeps its mask."""
    allowed = np.abs(cand - target) <= SEAM_REACH
    keep = _narrow(mask, allowed[None, :], pitch_offset)
    far = keep & (sounding >= 0) & (np.abs(sounding - target) > SEAM_REACH)
    mask[far, HOLD] = False
    mask[keep, REST] = False  # the voice sounds into its kept note


# A melody restates and varies its earlier bars (real tunes restate about 30% of their bars; an
# LSTM sampled token by token almost never does). A neural-cache-style prior: the token the tune
# had one phrase (4 bars) and one strain (8 bars) earlier at the same place gets this many nats
# added to its logit, so a restatement the model finds plausible becomes likely, and one it
# finds implausible stays rare.
# Chosen on the folk model's validation tunes: 2.0 / 3.0 / 4.0 restate 0.06 / 0.24 / 0.49 of the
# bars (real tunes there: 0.29).
RESTATE_BONUS = 3.0
# After this many bars in a row that restate an earlier bar note for note, the pull pauses for a
# bar: a tune restates a phrase and then varies it (a a'), it does not replay the sketch bar for
# bar. A listening review found continuations of 4-bar openings copying 7 of 7 bars.
MAX_RESTATED_RUN = 2
# The pull stops for good once this share of the span's bars restate earlier ones: a tune
# restates a phrase (a a') and then moves on (b), it does not keep replaying two bars on, one
# off (a third listening review found a jig continuation copying 5 of its 8 new bars; real tunes
# restate 0.25-0.31 of their bars).
RESTATE_SHARE = 0.375


def _restate_lags(bar_steps: int) -> tuple[int, ...]:
    return (4 * bar_steps, 8 * bar_steps)


def _restated_run(run: np.ndarray, hist: np.ndarray, step: int, lags: tuple[int, ...]
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


def _steps_heard(job: _VoiceJob) -> int:
    return (job.frames[-1].step + 1) if job.frames else 0


def _restate_bias(logits: np.ndarray, hist: np.ndarray, step: int, lags: tuple[int, ...],
                  pulled: np.ndarray | None = None) -> np.ndarray:
    """``logits`` with the restatement pull, for the rows in ``pulled`` (default: all)."""
    out = logits.copy()
    rows = np.arange(len(logits))
    for lag in lags:
        if step - lag < 0:
            continue
        ref = hist[:, step - lag]
        ok = ref >= 0 if pulled is None else (ref >= 0) & pulled
        out[rows[ok], ref[ok]] += RESTATE_BONUS
    return out
