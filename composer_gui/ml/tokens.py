"""The token vocabulary: a REMI-style event stream that carries rhythm, polyphony and meter.

A piece becomes::

    BOS TS_4/4 BAR POS_0 PITCH_72 DUR_12 PITCH_67 DUR_12 POS_12 PITCH_74 DUR_6 ... BAR ... EOS

* ``TS_n/d`` starts the piece and stands before the ``BAR`` at which the meter changes.
* ``BAR`` opens a bar; empty bars are ``BAR BAR``.
* ``POS_s`` is an onset ``s`` grid steps after the bar line (strictly increasing within a bar).
* Each onset holds one or more ``PITCH_p DUR_d`` pairs, pitches strictly descending (a canonical
  order: the model never has to guess how a chord was spelled, and unisons collapse to one note).
* ``DUR_d`` is the length in grid steps; it may reach past the bar line.

The grid has 12 steps per quarter note (40 ticks): sixteenths (3), eighth triplets (4) and sixteenth
triplets (2) are exact. Finer notes are moved to the nearest step; pitches outside the model's range
are moved by octaves; longer notes are shortened to the longest duration token. Each of these
repairs is counted in the ``warnings`` list, never done silently. The prior art had no rhythm at all
(every note 0.5 beats after the last); this is the fix.

:class:`GrammarState` is the same grammar as a state machine: it says which tokens may come next
(the sampler masks everything else, so generation never produces an invalid sequence) and turns
tokens back into notes as soon as each note is complete (for the live view).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from composer_gui.music.score import TPQ, Note, Part, Score, TimeSignature

DEFAULT_TIME_SIGNATURES = (
    "4/4", "3/4", "2/4", "5/4", "6/4", "2/2", "3/2", "3/8", "6/8", "9/8", "12/8", "7/8",
)
SPECIALS = ("PAD", "BOS", "EOS", "BAR")
PAD, BOS, EOS, BAR = range(4)


def meter_steps(meters: Sequence[str], steps_per_quarter: int, max_bar_steps: int
                ) -> dict[str, int]:
    """Grid steps in a bar of each meter ("3/4": 12 at 4 steps a quarter); a grid that does not
    divide a quarter's ticks, or a bar longer than ``max_bar_steps``, is a ValueError."""
    check_fields({"steps_per_quarter": steps_per_quarter, "max_bar_steps": max_bar_steps})
    if TPQ % steps_per_quarter:
        raise ValueError(f"{steps_per_quarter} steps per quarter do not divide {TPQ}")
    out = {}
    for ts in meters:
        if not isinstance(ts, str) or ts.count("/") != 1:
            raise ValueError(f"a meter must be text like \"3/4\", not {ts!r}")
        n, d = (int(x) for x in ts.split("/"))
        steps = TimeSignature(0, n, d).bar_ticks // (TPQ // steps_per_quarter)
        if steps > max_bar_steps:
            raise ValueError(f"time signature {ts} is longer than {max_bar_steps} steps")
        out[ts] = steps
    return out


def check_fields(fields: dict, low: int = 1, high: int | None = None) -> None:
    """Each value must be a whole number in low..high: a model's config.json is a file that may
    have been edited by hand, and a 0 here would divide by zero much later (issue 14)."""
    for name, value in fields.items():
        if type(value) is not int:
            raise ValueError(f"{name} must be a whole number, not {value!r}")
        if value < low or (high is not None and value > high):
            bound = f"{low}..{high}" if high is not None else f"at least {low}"
            raise ValueError(f"{name} must be {bound}, not {value}")


@dataclass(frozen=True)
class Vocabulary:
    """Token layout. Saved inside every model folder, so weights never meet the wrong vocabulary."""

    steps_per_quarter: int = 12
    min_pitch: int = 21
    max_pitch: int = 108
    max_duration_steps: int = 96
    max_bar_steps: int = 96
    time_signatures: tuple[str, ...] = DEFAULT_TIME_SIGNATURES
    default_velocity: int = 80
    _ts_bar_steps: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_fields({"min_pitch": self.min_pitch, "max_pitch": self.max_pitch}, 0, 127)
        check_fields({"default_velocity": self.default_velocity}, 1, 127)
        check_fields({"max_duration_steps": self.max_duration_steps})
        if self.min_pitch > self.max_pitch:
            raise ValueError(f"min_pitch {self.min_pitch} is above max_pitch {self.max_pitch}")
        if isinstance(self.time_signatures, str) or not self.time_signatures:
            raise ValueError("time_signatures must be a list of meters like \"4/4\"")
        object.__setattr__(self, "time_signatures", tuple(self.time_signatures))
        object.__setattr__(self, "_ts_bar_steps", meter_steps(
            self.time_signatures, self.steps_per_quarter, self.max_bar_steps))

    # ----- layout -----------------------------------------------------------------------------
    @property
    def step_ticks(self) -> int:
        return TPQ // self.steps_per_quarter

    @property
    def ts_offset(self) -> int:
        return len(SPECIALS)

    @property
    def pos_offset(self) -> int:
        return self.ts_offset + len(self.time_signatures)

    @property
    def pitch_offset(self) -> int:
        return self.pos_offset + self.max_bar_steps

    @property
    def dur_offset(self) -> int:
        return self.pitch_offset + (self.max_pitch - self.min_pitch + 1)

    @property
    def size(self) -> int:
        return self.dur_offset + self.max_duration_steps

    def __len__(self) -> int:
        return self.size

    def ts_id(self, ts: str) -> int:
        return self.ts_offset + self.time_signatures.index(ts)

    def pos_id(self, step: int) -> int:
        return self.pos_offset + step

    def pitch_id(self, pitch: int) -> int:
        return self.pitch_offset + pitch - self.min_pitch

    def dur_id(self, steps: int) -> int:
        return self.dur_offset + steps - 1

    def kind(self, token: int) -> str:
        """'special', 'ts', 'pos', 'pitch' or 'dur'."""
        if token < self.ts_offset:
            return "special"
        if token < self.pos_offset:
            return "ts"
        if token < self.pitch_offset:
            return "pos"
        if token < self.dur_offset:
            return "pitch"
        if token < self.size:
            return "dur"
        raise ValueError(f"token {token} is outside a vocabulary of {self.size}")

    def value(self, token: int) -> int | str:
        """The number or name a token stands for (step, pitch, duration steps, meter)."""
        kind = self.kind(token)
        if kind == "special":
            return SPECIALS[token]
        if kind == "ts":
            return self.time_signatures[token - self.ts_offset]
        if kind == "pos":
            return token - self.pos_offset
        if kind == "pitch":
            return token - self.pitch_offset + self.min_pitch
        return token - self.dur_offset + 1

    def name(self, token: int) -> str:
        kind = self.kind(token)
        return SPECIALS[token] if kind == "special" else f"{kind.upper()}_{self.value(token)}"

    def bar_steps(self, ts: str) -> int:
        return self._ts_bar_steps[ts]

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("_ts_bar_steps", None)
        d["time_signatures"] = list(self.time_signatures)
        d["size"] = self.size
        return d

    @staticmethod
    def from_dict(d: dict) -> Vocabulary:
        d = dict(d)
        size = d.pop("size", None)
        d.pop("_ts_bar_steps", None)
        vocab = Vocabulary(**d)
        if size is not None and size != vocab.size:
            raise ValueError(f"vocabulary says size {size} but its layout gives {vocab.size}")
        return vocab

    # ----- score -> tokens --------------------------------------------------------------------
    def nearest_time_signature(self, ts: TimeSignature) -> str:
        """The vocabulary's meter for ``ts``: itself if known, else the closest in bar length."""
        name = f"{ts.numerator}/{ts.denominator}"
        if name in self._ts_bar_steps:
            return name
        steps = ts.bar_ticks / self.step_ticks
        return min(self.time_signatures, key=lambda t: (abs(self._ts_bar_steps[t] - steps), t))

    def prepare_notes(self, score: Score, warnings: list[str] | None = None) -> list[Note]:
        """The pitched notes as the model sees them: on the grid, in range, one per pitch/onset."""
        step = self.step_ticks
        moved_pitch = off_grid = clipped = unisons = 0
        best: dict[tuple[int, int], Note] = {}
        for n in score.notes:
            pitch = n.pitch
            while pitch < self.min_pitch:
                pitch += 12
            while pitch > self.max_pitch:
                pitch -= 12
            moved_pitch += pitch != n.pitch
            start = (n.start + step // 2) // step
            steps = max(1, (n.end + step // 2) // step - start)
            off_grid += start * step != n.start or steps * step != n.duration
            if steps > self.max_duration_steps:
                clipped += 1
                steps = self.max_duration_steps
            note = Note(start * step, pitch, steps * step, n.velocity)
            key = (note.start, note.pitch)
            if key in best:
                unisons += 1
                if best[key].duration >= note.duration:
                    continue
            best[key] = note
        if warnings is not None:
            if moved_pitch:
                warnings.append(f"{moved_pitch} note(s) outside "
                                f"{self.min_pitch}..{self.max_pitch} moved by octaves")
            if off_grid:
                warnings.append(f"{off_grid} note(s) moved to the 1/{self.steps_per_quarter * 4} "
                                "grid")
            if clipped:
                warnings.append(f"{clipped} note(s) longer than {self.max_duration_steps} steps "
                                "shortened")
            if unisons:
                warnings.append(f"{unisons} unison duplicate(s) merged")
        return sorted(best.values(), key=lambda n: (n.start, -n.pitch))

    def bar_layout(self, score: Score, until: int) -> list[tuple[int, str]]:
        """(start tick, vocabulary meter) of each bar up to the one holding ``until``, included."""
        bars: list[tuple[int, str]] = []
        tick = 0
        while True:
            ts = self.nearest_time_signature(score.time_signature_at(tick))
            bars.append((tick, ts))
            tick += self.bar_steps(ts) * self.step_ticks
            if tick > until:
                return bars

    def encode(
        self,
        score: Score,
        warnings: list[str] | None = None,
        *,
        until_tick: int | None = None,
        add_eos: bool = True,
    ) -> list[int]:
        """Tokens for ``score``. With ``until_tick``, only notes starting before it, and bars run
        up to the one holding ``until_tick`` (the sampler continues from there)."""
        notes = self.prepare_notes(score, warnings)
        if until_tick is not None:
            notes = [n for n in notes if n.start < until_tick]
            last = until_tick
        else:
            last = max((n.start for n in notes), default=0)
        bars = self.bar_layout(score, last)
        for ts in {score.time_signature_at(t) for t, _ in bars}:
            known = f"{ts.numerator}/{ts.denominator}" in self._ts_bar_steps
            if warnings is not None and not known:
                warnings.append(f"time signature {ts} is not in the vocabulary; "
                                f"treated as {self.nearest_time_signature(ts)}")
        tokens = [BOS]
        i = 0
        current_ts = None
        for b, (bar_start, ts) in enumerate(bars):
            if ts != current_ts:
                tokens.append(self.ts_id(ts))
                current_ts = ts
            tokens.append(BAR)
            bar_end = bars[b + 1][0] if b + 1 < len(bars) else None
            onset = None
            while i < len(notes) and (bar_end is None or notes[i].start < bar_end):
                n = notes[i]
                if n.start != onset:
                    tokens.append(self.pos_id((n.start - bar_start) // self.step_ticks))
                    onset = n.start
                tokens.append(self.pitch_id(n.pitch))
                tokens.append(self.dur_id(n.duration // self.step_ticks))
                i += 1
        if add_eos:
            tokens.append(EOS)
        return tokens

    # ----- tokens -> score --------------------------------------------------------------------
    def decode(self, tokens: Iterable[int], *, base: Score | None = None, name: str = "") -> Score:
        """A one-part score from tokens. Tempo and key come from ``base`` when given; meters from
        the tokens. Raises ValueError on a sequence the grammar forbids."""
        state = GrammarState(self)
        notes: list[Note] = []
        for t in tokens:
            if t == PAD:
                continue
            note = state.advance(int(t))
            if note is not None:
                notes.append(note)
        base = base or Score()
        tss = [TimeSignature(tick, *(int(x) for x in ts.split("/"))) for tick, ts in state.meters]
        return Score(
            parts=(Part(tuple(sorted(notes)), name=name),),
            tempos=base.tempos,
            time_signatures=tuple(tss) or base.time_signatures,
            key_signatures=base.key_signatures,
            title=base.title,
        )


class GrammarState:
    """Where a token sequence stands: which tokens may follow, and the notes it has completed."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.last = PAD  # nothing yet: only BOS may come
        self.ts: str | None = None
        self.bar_start = 0  # tick of the current bar (valid once a BAR was seen)
        self.bar_count = 0
        self.pos: int | None = None  # current onset step within the bar
        self.pitch: int | None = None  # last pitch at this onset
        self.pending_ts: str | None = None
        self.meters: list[tuple[int, str]] = []  # (tick, meter) where each meter starts
        self.earliest_tick = 0  # onsets before this are masked (continue from a chosen time)
        self.finished = False

    @classmethod
    def from_tokens(cls, vocab: Vocabulary, tokens: Sequence[int]) -> GrammarState:
        state = cls(vocab)
        for t in tokens:
            state.advance(int(t))
        return state

    @property
    def bar_ticks(self) -> int:
        ts = self.pending_ts or self.ts
        return self.vocab.bar_steps(ts) * self.vocab.step_ticks if ts else 0

    @property
    def onset_tick(self) -> int | None:
        if self.pos is None:
            return None
        return self.bar_start + self.pos * self.vocab.step_ticks

    @property
    def next_bar_tick(self) -> int:
        """Where the next BAR would begin."""
        if self.bar_count == 0:
            return 0
        return self.bar_start + self.vocab.bar_steps(self.ts) * self.vocab.step_ticks

    def copy(self) -> GrammarState:
        other = GrammarState.__new__(GrammarState)
        other.__dict__.update(self.__dict__)
        other.meters = list(self.meters)
        return other

    def allowed(self) -> np.ndarray:
        """A boolean mask over the vocabulary of the tokens that may come next."""
        v = self.vocab
        mask = np.zeros(v.size, dtype=bool)
        if self.finished:
            mask[PAD] = True
            return mask
        last_kind = v.kind(self.last)
        if self.last == PAD:
            mask[BOS] = True
        elif self.last == BOS:
            mask[v.ts_offset:v.pos_offset] = True
        elif last_kind == "ts":
            mask[BAR] = True
        elif self.last == BAR or last_kind == "dur":
            mask[BAR] = True
            mask[EOS] = self.bar_count > 0
            mask[v.ts_offset:v.pos_offset] = True
            mask[v.ts_id(self.ts)] = False  # a TS token only where the meter changes
            first = 0 if self.pos is None else self.pos + 1
            lo = max(first, -(-(self.earliest_tick - self.bar_start) // v.step_ticks))
            hi = v.bar_steps(self.ts)
            if lo < hi:
                mask[v.pos_offset + lo:v.pos_offset + hi] = True
            if last_kind == "dur" and self.onset_tick >= self.earliest_tick:
                top = self.pitch - v.min_pitch  # strictly lower than the last pitch here
                mask[v.pitch_offset:v.pitch_offset + top] = True
        elif last_kind == "pos":
            mask[v.pitch_offset:v.dur_offset] = True
        elif last_kind == "pitch":
            mask[v.dur_offset:v.size] = True
        return mask

    def advance(self, token: int) -> Note | None:
        """Consume ``token``; returns the Note it completes (after a DUR), else None."""
        v = self.vocab
        if not self._is_allowed(token):
            raise ValueError(f"token {v.name(token)} may not follow {v.name(self.last)}")
        kind = v.kind(token)
        note = None
        if token == BOS:
            pass
        elif token == EOS:
            self.finished = True
        elif kind == "ts":
            if self.last == BOS:
                self.ts = v.value(token)
            else:
                self.pending_ts = v.value(token)
        elif token == BAR:
            if self.bar_count:
                self.bar_start = self.next_bar_tick
            if self.pending_ts:
                self.ts, self.pending_ts = self.pending_ts, None
            if not self.meters or self.meters[-1][1] != self.ts:
                self.meters.append((self.bar_start, self.ts))
            self.bar_count += 1
            self.pos = None
            self.pitch = None
        elif kind == "pos":
            self.pos = v.value(token)
            self.pitch = None
        elif kind == "pitch":
            self.pitch = v.value(token)
        elif kind == "dur":
            note = Note(self.onset_tick, self.pitch, v.value(token) * v.step_ticks,
                        v.default_velocity)
        self.last = token
        return note

    def _is_allowed(self, token: int) -> bool:
        # Checking one token without building the whole mask would be faster, but the mask is the
        # single statement of the grammar; decoding is not on a hot path.
        return 0 <= token < self.vocab.size and bool(self.allowed()[token])
