"""The score model: notes, parts, tempo, meter and key in exact integer ticks.

Time is counted in integer ticks at a fixed resolution (``TPQ`` ticks per quarter note) so that
editing, quantizing and round trips through files never drift the way float beats do.
480 divides by 2, 3, 4, 5, 8, 16 and 32, so every grid the editor offers (1/4 .. 1/32 and triplets)
lands on whole ticks.

Every operation returns a new object; nothing here mutates a score in place. The editor relies on
that for undo (it keeps the old value and the new one).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

TPQ = 480
DEFAULT_US_PER_QUARTER = 500_000  # 120 bpm
DRUM_CHANNEL = 9

# Major keys by number of sharps (negative: flats), as MIDI and MusicXML count them.
_MAJOR_NAMES = {
    -7: "Cb", -6: "Gb", -5: "Db", -4: "Ab", -3: "Eb", -2: "Bb", -1: "F", 0: "C",
    1: "G", 2: "D", 3: "A", 4: "E", 5: "B", 6: "F#", 7: "C#",
}
_MINOR_NAMES = {
    -7: "Ab", -6: "Eb", -5: "Bb", -4: "F", -3: "C", -2: "G", -1: "D", 0: "A",
    1: "E", 2: "B", 3: "F#", 4: "C#", 5: "G#", 6: "D#", 7: "A#",
}
_PC_OF_NAME = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
# Natural minor plus the raised 6th and 7th, so that harmonic and melodic minor stay "in key".
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 9, 10, 11)


@dataclass(frozen=True, order=True)
class Note:
    """One pitched (or drum) note. Ordered by start, then pitch, so ``sorted()`` gives score order."""

    start: int
    pitch: int
    duration: int
    velocity: int = 80

    def __post_init__(self) -> None:
        if not 0 <= self.pitch <= 127:
            raise ValueError(f"pitch {self.pitch} is outside MIDI's 0..127")
        if self.start < 0:
            raise ValueError(f"note start {self.start} is before the beginning")
        if self.duration < 0:
            raise ValueError(f"note duration {self.duration} is negative")
        if not 1 <= self.velocity <= 127:
            raise ValueError(f"velocity {self.velocity} is outside 1..127")

    @property
    def end(self) -> int:
        return self.start + self.duration


@dataclass(frozen=True)
class TempoChange:
    tick: int
    us_per_quarter: int = DEFAULT_US_PER_QUARTER

    @property
    def bpm(self) -> float:
        return 60_000_000 / self.us_per_quarter

    @staticmethod
    def from_bpm(tick: int, bpm: float) -> TempoChange:
        if not 1 <= bpm <= 1000:
            raise ValueError(f"tempo {bpm} bpm is outside 1..1000")
        return TempoChange(tick, round(60_000_000 / bpm))


@dataclass(frozen=True)
class TimeSignature:
    tick: int
    numerator: int = 4
    denominator: int = 4

    def __post_init__(self) -> None:
        if self.numerator < 1 or self.denominator not in (1, 2, 4, 8, 16, 32, 64):
            raise ValueError(f"impossible time signature {self.numerator}/{self.denominator}")

    @property
    def bar_ticks(self) -> int:
        return self.numerator * TPQ * 4 // self.denominator

    @property
    def beat_ticks(self) -> int:
        """The felt beat: a dotted quarter in compound meters (6/8, 9/8, 12/8), else the denominator."""
        unit = TPQ * 4 // self.denominator
        if self.denominator >= 8 and self.numerator % 3 == 0 and self.numerator > 3:
            return unit * 3
        return unit

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"


@dataclass(frozen=True)
class KeySignature:
    """A key as sharps (-7..7, negative for flats) and mode; the tonic follows from both."""

    tick: int
    sharps: int = 0
    mode: str = "major"

    def __post_init__(self) -> None:
        if not -7 <= self.sharps <= 7 or self.mode not in ("major", "minor"):
            raise ValueError(f"impossible key signature ({self.sharps} sharps, {self.mode})")

    @property
    def tonic_pc(self) -> int:
        major = (self.sharps * 7) % 12
        return major if self.mode == "major" else (major + 9) % 12

    @property
    def tonic_name(self) -> str:
        return (_MAJOR_NAMES if self.mode == "major" else _MINOR_NAMES)[self.sharps]

    def scale_pcs(self) -> frozenset[int]:
        steps = MAJOR_SCALE if self.mode == "major" else MINOR_SCALE
        return frozenset((self.tonic_pc + s) % 12 for s in steps)

    def __str__(self) -> str:
        return f"{self.tonic_name}:{self.mode}"

    @staticmethod
    def parse(text: str, tick: int = 0) -> KeySignature:
        """Parse ``C:major``, ``F#:minor``, ``Bb`` or ``Am`` (MIDI's spelling)."""
        t = text.strip()
        mode = "major"
        if ":" in t:
            t, mode = t.split(":", 1)
            mode = mode.strip().lower()
        elif t.endswith("m") and len(t) >= 2:
            t, mode = t[:-1], "minor"
        t = t.strip()
        if not t or t[0].upper() not in _PC_OF_NAME or mode not in ("major", "minor"):
            raise ValueError(f"unknown key {text!r} (expected e.g. C:major, F#:minor, Bb, Am)")
        name = t[0].upper() + t[1:]
        table = _MAJOR_NAMES if mode == "major" else _MINOR_NAMES
        for sharps, n in table.items():
            if n == name:
                return KeySignature(tick, sharps, mode)
        raise ValueError(f"unknown key {text!r}")

    @staticmethod
    def from_tonic(tonic_pc: int, mode: str, tick: int = 0) -> KeySignature:
        """The key signature with the fewest accidentals for a tonic pitch class."""
        best = None
        table = _MAJOR_NAMES if mode == "major" else _MINOR_NAMES
        for sharps in table:
            ks = KeySignature(tick, sharps, mode)
            if ks.tonic_pc == tonic_pc % 12 and (best is None or abs(sharps) < abs(best.sharps)):
                best = ks
        assert best is not None
        return best


@dataclass(frozen=True)
class Part:
    """One instrument's notes. Drums (MIDI channel 10) are kept in parts of their own."""

    notes: tuple[Note, ...] = ()
    name: str = ""
    program: int = 0
    channel: int = 0
    is_drum: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.notes, tuple):
            object.__setattr__(self, "notes", tuple(self.notes))

    def with_notes(self, notes: Iterable[Note]) -> Part:
        return replace(self, notes=tuple(sorted(notes)))


@dataclass(frozen=True)
class Score:
    """A whole piece. Tempo, meter and key changes are sorted lists, each starting at tick 0."""

    parts: tuple[Part, ...] = (Part(),)
    tempos: tuple[TempoChange, ...] = (TempoChange(0),)
    time_signatures: tuple[TimeSignature, ...] = (TimeSignature(0),)
    key_signatures: tuple[KeySignature, ...] = ()
    title: str = ""

    def __post_init__(self) -> None:
        for name in ("parts", "tempos", "time_signatures", "key_signatures"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        object.__setattr__(self, "tempos", _from_zero(self.tempos, TempoChange(0)))
        object.__setattr__(
            self, "time_signatures", _from_zero(self.time_signatures, TimeSignature(0))
        )
        object.__setattr__(
            self, "key_signatures", tuple(sorted(self.key_signatures, key=lambda k: k.tick))
        )
        if not self.parts:
            object.__setattr__(self, "parts", (Part(),))

    # ----- queries -------------------------------------------------------------------------
    @property
    def notes(self) -> list[Note]:
        """All pitched notes of all parts, in score order (drum parts left out)."""
        return sorted(n for p in self.parts if not p.is_drum for n in p.notes)

    @property
    def note_count(self) -> int:
        return sum(len(p.notes) for p in self.parts)

    @property
    def end_tick(self) -> int:
        return max((n.end for p in self.parts for n in p.notes), default=0)

    @property
    def tempo(self) -> TempoChange:
        return self.tempos[0]

    @property
    def time_signature(self) -> TimeSignature:
        return self.time_signatures[0]

    @property
    def key(self) -> KeySignature | None:
        return self.key_signatures[0] if self.key_signatures else None

    def time_signature_at(self, tick: int) -> TimeSignature:
        return _at(self.time_signatures, tick)

    def key_at(self, tick: int) -> KeySignature | None:
        return _at(self.key_signatures, tick) if self.key_signatures else None

    def tempo_at(self, tick: int) -> TempoChange:
        return _at(self.tempos, tick)

    def bar_starts(self, until: int | None = None) -> list[int]:
        """Ticks at which bars begin, up to and including the bar holding ``until`` (default: end)."""
        until = self.end_tick if until is None else until
        starts: list[int] = []
        tss = self.time_signatures
        for i, ts in enumerate(tss):
            seg_end = tss[i + 1].tick if i + 1 < len(tss) else None
            t = ts.tick
            while (seg_end is None or t < seg_end) and (t <= until or not starts):
                starts.append(t)
                t += ts.bar_ticks
            if seg_end is not None and seg_end > until:
                break
        return starts

    def bar_at(self, tick: int) -> int:
        """The 0-based bar that holds ``tick``."""
        starts = self.bar_starts(tick)
        return bisect.bisect_right(starts, tick) - 1

    def bar_start(self, bar: int) -> int:
        """Tick at which 0-based ``bar`` begins (bars past the end continue the last meter)."""
        if bar < 0:
            raise ValueError("bar numbers start at 0")
        tss = self.time_signatures
        count = 0
        for i, ts in enumerate(tss):
            if i + 1 < len(tss):
                n = -(-(tss[i + 1].tick - ts.tick) // ts.bar_ticks)
                if bar < count + n:
                    return ts.tick + (bar - count) * ts.bar_ticks
                count += n
            else:
                return ts.tick + (bar - count) * ts.bar_ticks
        raise AssertionError("unreachable")

    def bar_count(self) -> int:
        """Bars needed to hold every note (at least one)."""
        end = self.end_tick
        return max(1, self.bar_at(max(end - 1, 0)) + 1)

    def position(self, tick: int) -> tuple[int, int, int]:
        """(bar, beat, tick within beat), all 1-based but the ticks, as a ruler shows them."""
        bar = self.bar_at(tick)
        start = self.bar_start(bar)
        beat = self.time_signature_at(tick).beat_ticks
        return bar + 1, (tick - start) // beat + 1, (tick - start) % beat

    def seconds_at(self, tick: int) -> float:
        """Wall-clock seconds from the start to ``tick``, following tempo changes."""
        seconds = 0.0
        for i, tc in enumerate(self.tempos):
            seg_end = self.tempos[i + 1].tick if i + 1 < len(self.tempos) else None
            if seg_end is None or tick <= seg_end:
                return seconds + (tick - tc.tick) * tc.us_per_quarter / 1e6 / TPQ
            seconds += (seg_end - tc.tick) * tc.us_per_quarter / 1e6 / TPQ
        return seconds

    # ----- transformations (each returns a new Score) ---------------------------------------
    def with_parts(self, parts: Sequence[Part]) -> Score:
        return replace(self, parts=tuple(parts))

    def sorted(self) -> Score:
        return self.with_parts([p.with_notes(p.notes) for p in self.parts])

    def map_notes(self, fn, *, drums: bool = False) -> Score:
        """Apply ``fn(note) -> Note | None`` to every note (None drops it); drums untouched unless asked."""
        parts = []
        for p in self.parts:
            if p.is_drum and not drums:
                parts.append(p)
                continue
            parts.append(p.with_notes(m for m in (fn(n) for n in p.notes) if m is not None))
        return self.with_parts(parts)

    def transpose(self, semitones: int) -> Score:
        """Transpose pitched parts; raises if a note would leave 0..127 (nothing is clipped silently)."""
        return self.map_notes(lambda n: replace(n, pitch=n.pitch + semitones))

    def quantize(self, grid: int, *, durations: bool = True) -> Score:
        """Snap onsets (and, by default, ends) to multiples of ``grid`` ticks; no note shrinks to zero."""
        return self.map_notes(lambda n: quantize_note(n, grid, durations=durations), drums=True)

    def slice(self, start: int, end: int, *, shift: bool = True) -> Score:
        """Notes starting in [start, end), cut at ``end``; moved to begin at 0 when ``shift``."""
        if end < start:
            raise ValueError(f"empty range {start}..{end}")
        offset = start if shift else 0

        def cut(n: Note) -> Note | None:
            if not start <= n.start < end:
                return None
            return replace(n, start=n.start - offset, duration=min(n.end, end) - n.start)

        sliced = self.map_notes(cut, drums=True)
        if not shift:
            return sliced
        return replace(
            sliced,
            tempos=_shift_events(self.tempos, start),
            time_signatures=_shift_events(self.time_signatures, start),
            key_signatures=_shift_events(self.key_signatures, start) if self.key_signatures else (),
        )

    def merge(self, other: Score, *, at: int = 0) -> Score:
        """Add ``other``'s notes, shifted by ``at`` ticks, into the parts with the same index."""
        parts = list(self.parts)
        for i, p in enumerate(other.parts):
            moved = [replace(n, start=n.start + at) for n in p.notes]
            if i < len(parts):
                parts[i] = parts[i].with_notes([*parts[i].notes, *moved])
            else:
                parts.append(p.with_notes(moved))
        return self.with_parts(parts)


def quantize_note(note: Note, grid: int, *, durations: bool = True) -> Note:
    if grid <= 0:
        raise ValueError(f"grid must be positive, got {grid}")
    start = round_to(note.start, grid)
    if not durations:
        return replace(note, start=start)
    end = max(round_to(note.end, grid), start + grid)
    return replace(note, start=start, duration=end - start)


def round_to(tick: int, grid: int) -> int:
    """Round half up to the nearest multiple of ``grid`` (integers only, no float error)."""
    return (tick + grid // 2) // grid * grid


def grid_ticks(denominator: int, *, triplet: bool = False) -> int:
    """Ticks of one grid step: 16 -> a sixteenth note; triplet -> two thirds of that."""
    step = TPQ * 4 // denominator
    return step * 2 // 3 if triplet else step


def _from_zero(events, default):
    events = sorted(events, key=lambda e: e.tick)
    if not events or events[0].tick > 0:
        first = replace(events[0], tick=0) if events else default
        events = [first, *events]
    out = []
    for e in events:  # a later event at the same tick wins
        if out and out[-1].tick == e.tick:
            out[-1] = e
        else:
            out.append(e)
    return tuple(out)


def _at(events, tick):
    ticks = [e.tick for e in events]
    i = bisect.bisect_right(ticks, tick) - 1
    return events[max(i, 0)]


def _shift_events(events, start):
    current = _at(events, start)
    later = [replace(e, tick=e.tick - start) for e in events if e.tick > start]
    return (replace(current, tick=0), *later)


__all__ = [
    "DEFAULT_US_PER_QUARTER",
    "DRUM_CHANNEL",
    "KeySignature",
    "Note",
    "Part",
    "Score",
    "TPQ",
    "TempoChange",
    "TimeSignature",
    "grid_ticks",
    "quantize_note",
    "round_to",
]
