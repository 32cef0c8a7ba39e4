"""Continue a score with a model: prefill once, then step all variations together.

1. The sketch is tokenized up to the point to continue from (``Vocabulary.encode``), and those
   tokens run through the ONNX step graph once, at batch 1, a bar per call, carrying the LSTM
   state (*prefill*). A very long sketch is cut to its last bars first, at a bar line.
2. The state is copied to K rows and the K variations are stepped together as one batch. Each step
   samples one token per row from the model's logits (temperature, top-k, top-p, a seeded numpy
   Generator) after masking what may not come next: the token grammar
   (:meth:`GrammarState.allowed`, so the sequence is always valid) and the constraints (key, pitch
   range, maximum polyphony, no meter change, the region's end).
3. A note is yielded the moment its DUR token is sampled, so the piano roll fills in live.

Nothing re-runs a window of tokens: each new token costs one step of the graph (the prior art
re-predicted its whole 100-step window for every token; see bench/generate.py for the figures).

A row (variation) ends when it would open a bar past the requested length, start a note at or past
the region's end, or when no token is allowed; with ``allow_eos`` the model may also end it early.
The same request with the same seed gives the same notes.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from composer_gui.ml import limits
from composer_gui.ml.keyfinding import key_heard
from composer_gui.ml.limits import MAX_BARS, MAX_TEMPERATURE, MAX_VARIATIONS, MIN_TEMPERATURE
from composer_gui.ml.model_folder import TOKEN, LoadedModel, load_model, state_names
from composer_gui.ml.tokens import BAR, BOS, EOS, GrammarState
from composer_gui.music.edits import apply_generated
from composer_gui.music.score import KeySignature, Note, Score

# token kinds, as small ints for the hot loop
_SPECIAL, _TS, _POS, _PITCH, _DUR = range(5)


@dataclass
class GenerationRequest:
    """What to generate. Ticks are the score's (``TPQ`` per quarter note).

    The continuation fills the bar in which it starts, then ``bars`` whole bars. A region
    (``start_tick`` and ``end_tick``) ignores ``bars``: it is rewritten up to ``end_tick``
    (rounded down to the model's grid, so the seam lands on it), conditioned on everything before
    it; the notes after it are kept as they are. ``key``, ``pitch_range`` and ``max_polyphony``
    constrain the generated notes only (the polyphony count includes the sketch's notes that
    still sound)."""

    bars: int = limits.BARS
    temperature: float = limits.TEMPERATURE
    top_k: int = limits.TOP_K  # 0: no top-k cut
    top_p: float = limits.TOP_P  # 1.0: no nucleus cut
    variations: int = 1
    seed: int | None = None  # None: a fresh random result each time
    start_tick: int | None = None  # continue from here (default: the end of the sketch)
    end_tick: int | None = None  # with start_tick: regenerate only [start_tick, end_tick)
    key: str | None = limits.KEY  # "auto" (estimated from the sketch), None, or e.g. "C:major"
    pitch_range: tuple[int, int] | None = None  # lowest and highest MIDI pitch, inclusive
    max_polyphony: int | None = None  # notes sounding at once, the sketch's included
    allow_eos: bool = False  # let the model end the piece before the requested length
    # voice-grid models (ml/voice_sampler.py); the REMI sampler refuses harmonize and parts
    end: str | None = None  # "cadence", "free"; None: cadence when the span ends the score
    # ... a cadence in a minor key ends on the major tonic, the Picardy third, as Bach ends;
    # False: on the minor tonic
    picardy: bool = True
    parts: tuple[int, ...] | None = None  # score parts to rewrite (None: all)
    # a region of one keyboard part (``parts``) that rewrites one of its hands: 0 the upper
    # staff's notes, 1 the lower's (music.edits.hand_notes); None: the whole part
    hand: int | None = None
    harmonize: bool = False  # keep the melody as the top voice, write the others
    melody: int | None = None  # harmonize: the melody's part (None: the one pitched part)
    style_rules: bool = limits.STYLE_RULES  # voice models of 3+ voices: chorale voice leading
    # harmonize: the score parts the voices under the melody go to, top down (-1: a new part);
    # None: new parts (or, under a four-part score's soprano, its own lower parts)
    harmony_parts: tuple[int, ...] | None = None
    # ... of them, the parts kept as they are: heard as their voice, not rewritten (the
    # composer's own bass line under the melody)
    harmony_kept: tuple[int, ...] = ()
    density: float = limits.DENSITY  # voice models: > 0 more notes, < 0 fewer (logit nats)
    # voice models of 3+ voices: the voices under the top keep to the score's chord symbols
    # where they stand (ml/given_chords.py)
    chord_symbols: bool = True
    # voice models: the span opens a section in a new key (the voice sampler writes a span that
    # crosses key signature changes section by section): a melody harmonized opens it on I
    key_section: bool = False

    def validate(self) -> None:
        """Raise ValueError with a message for the user if any field is out of bounds."""
        if not _is_int(self.bars) or not 1 <= self.bars <= MAX_BARS:
            raise ValueError(f"bars must be a whole number from 1 to {MAX_BARS}, "
                             f"not {self.bars!r}")
        if not _is_real(self.temperature) or not (0 < self.temperature < math.inf):
            raise ValueError(f"temperature must be greater than 0, not {self.temperature!r}")
        if not MIN_TEMPERATURE <= self.temperature <= MAX_TEMPERATURE:
            raise ValueError(f"temperature must be between {MIN_TEMPERATURE} and "
                             f"{MAX_TEMPERATURE:g}, not {self.temperature!r}")
        if not _is_int(self.top_k) or self.top_k < 0:
            raise ValueError(f"top-k must be 0 (off) or a positive whole number, "
                             f"not {self.top_k!r}")
        if not _is_real(self.top_p) or not 0 < self.top_p <= 1:
            raise ValueError(f"top-p must be in (0, 1], not {self.top_p!r}")
        if not _is_int(self.variations) or not 1 <= self.variations <= MAX_VARIATIONS:
            raise ValueError(f"variations must be from 1 to {MAX_VARIATIONS}, "
                             f"not {self.variations!r}")
        if self.seed is not None and (not _is_int(self.seed) or self.seed < 0):
            raise ValueError(f"the random seed must be a whole number >= 0, not {self.seed!r}")
        if self.start_tick is not None and (not _is_int(self.start_tick) or self.start_tick < 0):
            raise ValueError(f"start tick must be a whole number >= 0, not {self.start_tick!r}")
        if self.end_tick is not None:
            if self.start_tick is None:
                raise ValueError("a region needs a start as well as an end")
            if not _is_int(self.end_tick) or self.end_tick <= self.start_tick:
                raise ValueError(f"the region's end ({self.end_tick!r}) must come after its "
                                 f"start ({self.start_tick})")
        self.key_signature()  # raises on an unknown key
        if self.end not in (None, "cadence", "free"):
            raise ValueError(f"end must be 'cadence' or 'free', not {self.end!r}")
        if not isinstance(self.picardy, bool):
            raise ValueError(f"picardy must be True or False, not {self.picardy!r}")
        if self.parts is not None and (not isinstance(self.parts, tuple | list) or not self.parts
                                       or not all(_is_int(p) and p >= 0 for p in self.parts)):
            raise ValueError(f"parts must be part numbers (0-based), not {self.parts!r}")
        if self.hand is not None and (self.hand not in (0, 1) or not self.is_region
                                      or self.parts is None or len(self.parts) != 1):
            raise ValueError("one hand (0 the upper staff, 1 the lower) is rewritten in a "
                             f"region of one part, not hand {self.hand!r} of parts "
                             f"{self.parts!r}")
        if not isinstance(self.harmonize, bool):
            raise ValueError(f"harmonize must be True or False, not {self.harmonize!r}")
        if self.melody is not None and (not _is_int(self.melody) or self.melody < 0):
            raise ValueError(f"the melody's part must be a part number, not {self.melody!r}")
        if self.harmony_parts is not None and (
                not isinstance(self.harmony_parts, tuple | list)
                or not all(_is_int(p) and p >= -1 for p in self.harmony_parts)):
            raise ValueError(f"harmony parts must be part numbers (0-based) or -1 for a new "
                             f"part, not {self.harmony_parts!r}")
        if not isinstance(self.harmony_kept, tuple | list) or any(
                not _is_int(p) or p < 0 or p not in (self.harmony_parts or ())
                for p in self.harmony_kept):
            raise ValueError(f"the parts kept under the melody must be among the harmony "
                             f"parts, not {self.harmony_kept!r}")
        if not _is_real(self.density) or not limits.MIN_DENSITY <= self.density <= \
                limits.MAX_DENSITY:
            raise ValueError(f"density must be from {limits.MIN_DENSITY:g} to "
                             f"{limits.MAX_DENSITY:g}, not {self.density!r}")
        if self.pitch_range is not None:
            r = self.pitch_range
            if (not isinstance(r, tuple | list) or len(r) != 2 or not all(_is_int(p) for p in r)
                    or not 0 <= r[0] <= r[1] <= 127):
                raise ValueError(f"pitch range must be two MIDI pitches, low <= high, in "
                                 f"0..127, not {r!r}")
        if self.max_polyphony is not None and (not _is_int(self.max_polyphony)
                                               or self.max_polyphony < 1):
            raise ValueError(f"maximum polyphony must be at least 1, not {self.max_polyphony!r}")

    @property
    def is_region(self) -> bool:
        return self.end_tick is not None

    def key_signature(self) -> KeySignature | str | None:
        """The fixed key asked for, None for no key constraint, or "auto"."""
        if self.key is None:
            return None
        if not isinstance(self.key, str):
            raise ValueError(f"key must be 'auto', None or a key like C:major, not {self.key!r}")
        text = self.key.strip()
        if text.lower() == "auto":
            return "auto"
        if text.lower() in ("", "none"):
            return None
        return KeySignature.parse(text)


@dataclass(frozen=True)
class GeneratedNote:
    variation: int  # 0-based
    note: Note  # absolute ticks in the user's score
    part: int | None = None  # the score part it belongs to; None: music.edits.target_part's rule
    part_name: str | None = None  # the name of a new part (``part`` past the score's parts)
    part_under: int | None = None  # a new part: the part (maybe new) it stands just below
    voice: int | None = None  # the model voice that wrote it (a voice model's; None: none)


@dataclass(frozen=True)
class Plan:
    """What a request means for one score; exposed for the GUI's status line and for tests."""

    start_tick: int  # first onset allowed (score ticks)
    stop_tick: int  # no onset at or after this (score ticks): the region's end (on the grid)
    #                 or the bar line after the requested bars
    end_tick: int | None  # the region's end as asked (None: no region)
    key: KeySignature | None
    velocity: int
    prefix_tokens: int
    prefix_bars: int  # bars run through the model (after cutting a long sketch)
    warnings: tuple[str, ...]
    parts: tuple[int, ...] | None = None  # parts rewritten (None: every pitched part)
    hand: int | None = None  # ... of them (one), the hand rewritten (GenerationRequest.hand)
    end: str = "free"  # voice-grid models: "cadence" (bars counted down to the end) or "free"
    chords: int = 0  # voice-grid models: the score's chord symbols the voices below follow


class Sampler:
    """Continues scores with one loaded model.

    One generation at a time per instance (``plan`` and ``warnings`` describe the last call);
    the prefill cache is shared under a lock, and the ONNX session may be shared by samplers in
    several threads."""

    max_prefill_bars = 64
    max_prefill_tokens = 1024  # ~0.2 s of prefill for the bundled 2x256 LSTMs, one CPU thread
    verify_grammar = False  # tests: follow every row with a GrammarState that checks each token

    def __init__(self, model: LoadedModel) -> None:
        self.model = model
        self.vocab = v = model.vocab
        self.session = model.session
        self.output_names = list(model.output_names)
        self._state_names = state_names(model.layers)
        kinds = np.empty(v.size, np.int8)
        kinds[:v.ts_offset] = _SPECIAL
        kinds[v.ts_offset:v.pos_offset] = _TS
        kinds[v.pos_offset:v.pitch_offset] = _POS
        kinds[v.pitch_offset:v.dur_offset] = _PITCH
        kinds[v.dur_offset:] = _DUR
        self._kind = kinds.tolist()
        self._pos_ticks = np.arange(v.max_bar_steps) * v.step_ticks
        self._cache = _PrefillCache()
        self._layout = (v.pos_offset, v.pitch_offset, v.dur_offset, v.min_pitch, v.step_ticks)
        self.warnings: list[str] = []  # from the last call of stream()/generate()
        self.plan: Plan | None = None  # of the last call

    @classmethod
    def load(cls, name_or_dir: str | os.PathLike):
        """The sampler for the model's representation (:func:`load_sampler`): a
        :class:`~composer_gui.ml.voice_sampler.VoiceSampler` for a voice-grid model."""
        if cls is Sampler:
            return load_sampler(name_or_dir)
        return cls(load_model(name_or_dir))

    # ----- public API ------------------------------------------------------------------------
    def stream(self, score: Score, request: GenerationRequest,
               cancel: threading.Event | None = None) -> Iterator[GeneratedNote]:
        """Yield each generated note as soon as it is complete. Bad requests raise ValueError
        here, before anything runs; ``cancel`` is checked at every step and before every note."""
        request.validate()
        job = self._prepare(score, request)
        self.plan = job.plan
        self.warnings = list(job.plan.warnings)
        return self._run(job, request, cancel)

    def generate(self, score: Score, request: GenerationRequest,
                 cancel: threading.Event | None = None) -> list[Score]:
        """One Score per variation: ``score`` followed by its continuation (or, for a region,
        with the region rewritten), kept by the window's rule (``music.edits.apply_generated``:
        the notes from the start on, or inside the region, are replaced). Cancelled: what was
        generated until then."""
        notes: list[list[Note]] = [[] for _ in range(request.variations)]
        for g in self.stream(score, request, cancel):
            notes[g.variation].append(g.note)
        plan = self.plan
        assert plan is not None
        return [apply_generated(score, ns, plan.start_tick, plan.end_tick) for ns in notes]

    # ----- preparation -----------------------------------------------------------------------
    def _prepare(self, score: Score, request: GenerationRequest) -> _Job:
        if request.harmonize:
            raise ValueError(f"{self.model.name} writes one stream of notes, not voices: "
                             "harmonizing needs a voice model")
        if request.parts is not None:
            raise ValueError(f"{self.model.name} writes one stream of notes: it cannot rewrite "
                             "chosen parts only")
        v = self.vocab
        step = v.step_ticks
        warnings: list[str] = []
        if request.density:
            warnings.append(f"{self.model.name} has no density control: it was sampled as it is")
        region = request.is_region
        start = score.continue_tick if request.start_tick is None else request.start_tick
        before = score.map_notes(lambda n: n if n.start < start else None)
        tokens = v.encode(before, warnings, until_tick=start, add_eos=False)
        bars = v.bar_layout(before, start)

        # Cut a long sketch at a bar line; the state's ticks are then ``offset`` early.
        bar_at = [i for i, t in enumerate(tokens) if t == BAR]
        first = 0
        while first < len(bar_at) - 1 and (
                len(bar_at) - first > self.max_prefill_bars
                or len(tokens) - bar_at[first] + 2 > self.max_prefill_tokens):
            first += 1
        offset = bars[first][0]
        if first:
            tokens = [BOS, v.ts_id(bars[first][1]), *tokens[bar_at[first]:]]
            warnings.append(f"the model hears only the last {len(bar_at) - first} bars of "
                            "the sketch")
        state = GrammarState.from_tokens(v, tokens)
        state.earliest_tick = start - offset
        if state.bar_start + offset != bars[-1][0]:  # encode and the grammar disagree
            raise AssertionError("bar layout mismatch while cutting the sketch")

        # Where generation stops (state ticks).
        if region:
            stop = request.end_tick // step * step - offset  # the seam lands on the grid
        else:
            first_line = state.bar_start if start - offset <= state.bar_start else \
                state.next_bar_tick
            stop = first_line + request.bars * v.bar_steps(state.ts) * step

        # Key
        wanted = request.key_signature()
        if wanted == "auto":
            context = [n for n in score.notes
                       if n.start < start or (region and n.start >= request.end_tick)]
            key = key_heard(score, start, context)
        else:
            key = wanted

        # Static pitch mask: range and key.
        pitches = np.arange(v.min_pitch, v.max_pitch + 1)
        ok = np.ones(len(pitches), bool)
        if request.pitch_range is not None:
            lo, hi = request.pitch_range
            ok &= (pitches >= lo) & (pitches <= hi)
        if key is not None:
            ok &= np.isin(pitches % 12, sorted(key.scale_pcs()))
        if not ok.any():
            what = []
            if request.pitch_range is not None:
                what.append(f"in {request.pitch_range[0]}..{request.pitch_range[1]}")
            if key is not None:
                what.append(f"in {key}")
            raise ValueError(f"no pitch the model knows ({v.min_pitch}..{v.max_pitch}) is "
                             + " and ".join(what))

        # Notes of the sketch still sounding where generation starts (for polyphony and for
        # not striking a pitch that is already held), in state ticks.
        sounding = [(n.end - offset, n.pitch) for n in score.notes
                    if n.start < start and n.end > start]
        vels = sorted(n.velocity for n in score.notes)
        velocity = vels[len(vels) // 2] if vels else v.default_velocity

        plan = Plan(
            start_tick=start, stop_tick=stop + offset, end_tick=request.end_tick, key=key,
            velocity=velocity, prefix_tokens=len(tokens), prefix_bars=len(bar_at) - first,
            warnings=tuple(warnings))
        return _Job(plan, tokens, state, offset, stop, ok, sounding, request.max_polyphony,
                    request.allow_eos, step)

    # ----- prefill ---------------------------------------------------------------------------
    def _prefill(self, tokens: list[int], cancelled) -> tuple[np.ndarray, list] | None:
        return prefill(self, tokens, cancelled, lambda tok: tok == BAR)

    # ----- the loop --------------------------------------------------------------------------
    def _run(self, job: _Job, request: GenerationRequest,
             cancel: threading.Event | None) -> Iterator[GeneratedNote]:
        v = self.vocab
        session, out_names, names = self.session, self.output_names, self._state_names
        cancelled = cancel.is_set if cancel is not None else (lambda: False)
        k = request.variations
        rng = np.random.default_rng(request.seed)
        velocity, offset, stop = job.plan.velocity, job.offset, job.stop

        prefilled = self._prefill(job.tokens, cancelled)
        if prefilled is None:
            return
        logits = np.repeat(prefilled[0], k, axis=0)
        states = [np.repeat(s, k, axis=0) for s in prefilled[1]]

        g = job.state
        rows = [_Row(i, g, job.sounding, self.verify_grammar) for i in range(k)]
        masks = np.zeros((k, v.size), bool)
        kinds = self._kind
        temperature, top_k, top_p = request.temperature, request.top_k, request.top_p
        step, bar_ticks = v.step_ticks, job.bar_ticks
        pos_offset, pitch_offset, dur_offset = v.pos_offset, v.pitch_offset, v.dur_offset
        min_pitch = v.min_pitch
        fill = self._fill_mask

        while True:
            if cancelled():
                return
            n = len(rows)
            m = masks[:n]
            m[:] = False
            for i, row in enumerate(rows):
                fill(m[i], row, job)
            alive = m.any(axis=1)
            if not alive.all():  # a row with nothing allowed ends
                keep = np.flatnonzero(alive)
                rows = [rows[i] for i in keep]
                if not rows:
                    return
                logits, m = logits[keep], m[keep]
                states = [s[keep] for s in states]
            chosen = sample_tokens(logits, m, temperature, top_k, top_p, rng.random(len(rows)))
            keep_rows: list[int] = []
            for i, (row, t) in enumerate(zip(rows, chosen.tolist(), strict=True)):
                kind = kinds[t]
                if kind == _DUR:
                    onset = row.bar_start + row.pos * step
                    note = Note(onset + offset, row.pitch, (t - dur_offset + 1) * step, velocity)
                    row.sounding.append((onset + note.duration, note.pitch))
                    row.kind = _DUR
                    keep_rows.append(i)
                    if row.g is not None:
                        row.check(t, note, offset)
                    if cancelled():
                        return
                    yield GeneratedNote(row.variation, note)
                    continue
                if kind == _PITCH:
                    row.pitch = t - pitch_offset + min_pitch
                elif kind == _POS:
                    row.pos = t - pos_offset
                    if row.bar_start + row.pos * step >= stop:
                        continue  # an onset past the region: this variation is complete
                    row.pitch = None
                elif t == BAR:
                    if row.bar_start + bar_ticks >= stop:
                        continue  # a bar past the requested length: complete
                    row.bar_start += bar_ticks
                    row.pos = -1
                    row.pitch = None
                else:  # EOS (only when allowed)
                    continue
                row.kind = kind
                keep_rows.append(i)
                if row.g is not None:
                    row.check(t, None, offset)
            if len(keep_rows) < len(rows):
                rows = [rows[i] for i in keep_rows]
                if not rows:
                    return
                states = [s[keep_rows] for s in states]
                chosen = chosen[keep_rows]
            if cancelled():
                return
            feeds = dict(zip(names, states, strict=True))
            feeds[TOKEN] = chosen.astype(np.int32).reshape(-1, 1)
            outs = session.run(out_names, feeds)
            logits, states = outs[0], outs[1:]

    def _fill_mask(self, m: np.ndarray, row: _Row, job: _Job) -> None:
        """Set in ``m`` (all False) the tokens row may take next: the grammar of
        :class:`GrammarState` plus the constraints. Tokens that end the row (a bar past the
        length, an onset past the region) stay allowed: choosing one ends the row."""
        pos_offset, pitch_offset, dur_offset, min_pitch, step = self._layout
        kind = row.kind
        if kind == _PITCH:  # a duration: only one that ends by the span's end
            m[dur_offset:dur_offset + job.room(row.bar_start + row.pos * step)] = True
            return
        poly = job.max_polyphony
        if kind != _SPECIAL:  # after POS or DUR: a pitch (for DUR, lower than the last one)
            onset = row.bar_start + row.pos * step
            row.sounding = sounding = [s for s in row.sounding if s[0] > onset]
            # no chord note added to an onset of the sketch; no more than max_polyphony
            if onset >= job.earliest and (poly is None or len(sounding) < poly):
                top = job.pitch_ok.size if kind == _POS else row.pitch - min_pitch
                m[pitch_offset:pitch_offset + top] = job.pitch_ok[:top]
                for _, p in sounding:  # never strike a pitch that still sounds
                    if min_pitch <= p < min_pitch + top:
                        m[pitch_offset + p - min_pitch] = False
            if kind == _POS:
                return
        # after BAR or DUR: a new bar, a later onset in this bar, or the end
        m[BAR] = True
        m[EOS] = job.allow_eos
        lo = max(row.pos + 1, -(-(job.earliest - row.bar_start) // step))
        hi = job.bar_steps
        if lo < hi:
            m[pos_offset + lo:pos_offset + hi] = True
            if poly is not None and len(row.sounding) >= poly:
                ends = np.fromiter((e for e, _ in row.sounding), np.int64, len(row.sounding))
                ticks = row.bar_start + self._pos_ticks[lo:hi]
                full = (ends[:, None] > ticks[None, :]).sum(axis=0) >= poly
                m[pos_offset + lo:pos_offset + hi][full] = False


def sampler_for(model: LoadedModel):
    """The sampler for a loaded model: :class:`Sampler` for the REMI event stream,
    :class:`~composer_gui.ml.voice_sampler.VoiceSampler` for the voice grid. Both have the same
    public shape (``stream``, ``generate``, ``plan``, ``warnings``)."""
    from composer_gui.ml.model_folder import representation

    if representation(model.vocab) == "voice-grid":
        from composer_gui.ml.voice_sampler import VoiceSampler

        return VoiceSampler(model)
    return Sampler(model)


def load_sampler(name_or_dir: str | os.PathLike, *, threads: int = 1):
    """Load a model folder and return its sampler (:func:`sampler_for`): the one factory the
    command line, the window's backend and evaluation use."""
    return sampler_for(load_model(name_or_dir, threads=threads))


def prefill(sampler, tokens: list[int], cancelled, is_bar_line
            ) -> tuple[np.ndarray, list] | None:
    """Logits after ``tokens`` and the LSTM state, at batch 1; None if cancelled. Shared by the
    REMI and the voice-grid samplers (``sampler`` has ``model``, ``session``, ``output_names``,
    ``_state_names`` and ``_cache``).

    Runs from the longest bar-line checkpoint (``is_bar_line(token)``) that an earlier call
    shares with ``tokens`` (pressing Continue again, or editing the last bars, only runs what
    changed). The arithmetic is the same either way, so results do not depend on the cache."""
    done, checkpoints = sampler._cache.lookup(tokens)
    if done:
        logits, states = checkpoints[done]
    else:
        logits = None
        states = [np.zeros((1, sampler.model.hidden), np.float32) for _ in sampler._state_names]
    names, session, out_names = sampler._state_names, sampler.session, sampler.output_names
    feeds = dict(zip(names, states, strict=True))
    # One call per bar where the graph takes several tokens (ONNX's LSTM runs the bar in one
    # kernel: a 4-bar chorale sketch in ~10 ms instead of ~95 ms); else one call per token.
    # The cuts fall at the bar lines either way, so the cache's checkpoints are the same, and
    # the LSTM's arithmetic gives the same numbers in both.
    if sampler.model.sequence_input:
        cuts = [i + 1 for i in range(done, len(tokens)) if is_bar_line(tokens[i])]
        every = 1
    else:
        cuts, every = list(range(done + 1, len(tokens) + 1)), 32
    start = done
    for n, end in enumerate([*cuts, len(tokens)]):
        if end <= start:
            continue
        if n % every == 0 and cancelled():
            return None
        feeds[TOKEN] = np.asarray(tokens[start:end], np.int32)[None, :]
        outs = session.run(out_names, feeds)
        logits, states = outs[0], outs[1:]
        feeds.update(zip(names, states, strict=True))
        if is_bar_line(tokens[end - 1]):
            checkpoints[end] = (logits, states)
        start = end
    checkpoints[len(tokens)] = (logits, states)
    sampler._cache.store(tokens, checkpoints)
    return logits, states


class _PrefillCache:
    """LSTM states after recent prefixes, at each bar line: {tokens consumed: (logits, states)}."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.entries: list[tuple[np.ndarray, dict[int, tuple]]] = []

    def lookup(self, tokens: list[int]) -> tuple[int, dict[int, tuple]]:
        """(tokens already consumed, the checkpoints valid for ``tokens``)."""
        arr = np.asarray(tokens)
        best: tuple[int, dict[int, tuple]] = (0, {})
        with self.lock:
            for toks, checkpoints in self.entries:
                n = min(len(toks), len(arr))
                diff = np.flatnonzero(toks[:n] != arr[:n])
                common = int(diff[0]) if diff.size else n
                valid = {i: c for i, c in checkpoints.items() if i <= common}
                if valid and max(valid) > best[0]:
                    best = (max(valid), valid)
        return best[0], dict(best[1])

    def store(self, tokens: list[int], checkpoints: dict[int, tuple]) -> None:
        arr = np.asarray(tokens)
        with self.lock:
            self.entries = [e for e in self.entries if not np.array_equal(e[0], arr)]
            self.entries.append((arr, checkpoints))
            del self.entries[:-self.size]


@dataclass
class _Job:
    plan: Plan
    tokens: list[int]
    state: GrammarState  # after the prefix
    offset: int  # score tick of the state's tick 0
    stop: int  # state ticks
    pitch_ok: np.ndarray  # per model pitch: allowed by key and range
    sounding: list[tuple[int, int]]  # (end, pitch) of the sketch's notes sounding at the start
    max_polyphony: int | None
    allow_eos: bool
    step_ticks: int

    def __post_init__(self) -> None:
        self.earliest = self.state.earliest_tick
        self.bar_ticks = self.state.bar_ticks
        self.bar_steps = self.bar_ticks // self.step_ticks
        self.max_steps = self.state.vocab.max_duration_steps

    def room(self, onset: int) -> int:
        """Longest duration (steps) a note starting at ``onset`` may have: to the region's end,
        or the continuation's last bar line (a note held past it had made a continuation of 4
        bars 5, its last bar empty but for the note: a trial's own model)."""
        return min(self.max_steps, max(1, (self.stop - onset) // self.step_ticks))


class _Row:
    """Where one variation stands (the state of :class:`GrammarState`, kept lean for speed).
    With ``verify``, a real GrammarState follows along and checks every token."""

    __slots__ = ("bar_start", "g", "kind", "pitch", "pos", "sounding", "variation")

    def __init__(self, variation: int, g: GrammarState, sounding: list[tuple[int, int]],
                 verify: bool) -> None:
        if g.last != BAR and g.vocab.kind(g.last) != "dur":
            raise AssertionError("a prefix ends with BAR or DUR")
        self.variation = variation
        self.kind = _SPECIAL if g.last == BAR else _DUR
        self.bar_start = g.bar_start
        self.pos = -1 if g.pos is None else g.pos
        self.pitch = g.pitch
        self.sounding = list(sounding)
        self.g = g.copy() if verify else None

    def check(self, token: int, note: Note | None, offset: int) -> None:
        assert self.g is not None
        expect = self.g.advance(token)  # raises ValueError on a token the grammar forbids
        if (expect is None) != (note is None) or (note is not None and (
                expect.start + offset, expect.pitch, expect.duration)
                != (note.start, note.pitch, note.duration)):
            raise AssertionError(f"sampler and grammar disagree: {note} != {expect}")


def sample_tokens(logits: np.ndarray, mask: np.ndarray, temperature: float, top_k: int,
                  top_p: float, u: np.ndarray) -> np.ndarray:
    """One token per row from ``logits`` [n, V] restricted to ``mask`` [n, V] (each row with at
    least one True), with temperature, top-k and nucleus (top-p) sampling; ``u`` [n] holds
    uniform draws in [0, 1). Only allowed tokens are ever returned.

    Computed over the columns some row allows (a voice step allows some 30 of its 142 tokens, a
    position step 2): the masked ones add exact zeros to every sum, so the draw is the same."""
    cols = np.flatnonzero(mask.any(axis=0))
    z = np.where(mask[:, cols], logits[:, cols], -np.inf)
    if temperature != 1.0:
        z *= 1.0 / temperature
    n, size = z.shape
    if 0 < top_k < size:
        kth = np.partition(z, size - top_k, axis=1)[:, size - top_k, None]
        z[z < kth] = -np.inf
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)  # unnormalised; masked tokens are exactly 0
    if top_p < 1.0:
        # keep the most likely tokens until they hold top_p of the mass (the first always)
        sp = np.sort(p, axis=1)[:, ::-1]
        total = np.cumsum(sp, axis=1)
        before = total - sp
        kept = (before < top_p * total[:, -1:]).sum(axis=1)
        p[p < sp[np.arange(n), kept - 1][:, None]] = 0.0
    c = np.cumsum(p, axis=1)
    return cols[(c <= u[:, None] * c[:, -1:]).sum(axis=1)]


def _is_int(x) -> bool:
    return isinstance(x, int | np.integer) and not isinstance(x, bool)


def _is_real(x) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool) \
        and math.isfinite(x)
