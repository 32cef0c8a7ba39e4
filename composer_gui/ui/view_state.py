"""What the piano roll's view shows besides the score, kept free of Qt (like napari's ViewerModel).

The edit cursor, the playhead, the loop range, the snap grid, the part that new notes go to, the
parts hidden from view, a MIDI take being recorded and the preview of a drag in progress are
state, not widgets: the roll's strips (canvas, ruler, velocity lane) all read them from one
:class:`ViewState`, and the roll turns its change callbacks into repaints and Qt signals. Free
of Qt, it is tested without a display, and a future view (or a script) can drive it the same way.
Zoom and scroll are geometry, not state: they live in ``piano_roll/geometry.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from composer_gui.music.score import TPQ, Note, grid_ticks

SNAP_CHOICES: list[tuple[str, int, bool]] = [
    ("1/4", 4, False), ("1/8", 8, False), ("1/16", 16, False), ("1/32", 32, False),
    ("1/4 triplet", 4, True), ("1/8 triplet", 8, True), ("1/16 triplet", 16, True),
    ("1/32 triplet", 32, True), ("Off", 0, False),
]


@dataclass(frozen=True)
class Snap:
    denominator: int = 16  # 0: off
    triplet: bool = False

    @property
    def enabled(self) -> bool:
        return self.denominator > 0

    @property
    def step(self) -> int:
        """Ticks of one grid step (the arrow keys' step too; 1/16 when snapping is off)."""
        return grid_ticks(self.denominator or 16, triplet=self.triplet)

    def min_length(self, *, free: bool = False) -> int:
        """The shortest length a drag gives a note: one grid step (free: a 128th note)."""
        return TPQ // 32 if free or not self.enabled else self.step

    def snap(self, tick: float, *, free: bool = False, floor: bool = False) -> int:
        """``tick`` on the grid (``free``, e.g. Alt held, or snapping off: to the nearest tick)."""
        if not self.enabled or free:
            return max(0, round(tick))
        g = self.step
        snapped = int(tick // g) * g if floor else round(tick / g) * g
        return max(0, snapped)


@dataclass(frozen=True)
class Preview:
    """What a gesture in progress shows before it becomes an undo command."""

    dt: int = 0
    dp: int = 0
    dlen: int = 0
    min_len: int = 0
    hidden: frozenset[int] = frozenset()  # index positions being erased
    velocities: dict[int, int] = field(default_factory=dict)  # index position -> velocity

    @property
    def reshapes(self) -> bool:
        return bool(self.dt or self.dp or self.dlen)


Listener = Callable[[str, Any, Any], None]  # (field name, old value, new value)


def _tick(value) -> int:
    return max(0, int(value))


# How each field is cleaned before it is stored: one place decides what a valid value is.
_CLEAN: dict[str, Callable[[Any], Any]] = {
    "cursor_tick": _tick,
    "playhead": lambda v: None if v is None else _tick(v),
    "loop_range": lambda v: None if v is None else (int(v[0]), int(v[1])),
    "active_part": lambda v: max(0, int(v)),
    "hidden_parts": lambda v: frozenset(int(i) for i in v),
    "take": lambda v: list(v or []),
}


@dataclass(eq=False)
class ViewState:
    """The roll's view state. Assigning a field cleans the value and, when it really changes,
    calls every listener with ``(name, old, new)``; setting the same value again calls none."""

    cursor_tick: int = 0  # where edits and pastes go, and where playback starts
    playhead: int | None = None  # what sounds now (None: not shown)
    loop_range: tuple[int, int] | None = None  # [start, end) ticks
    snap: Snap = field(default_factory=Snap)
    active_part: int = 0  # the part new notes are drawn into; the others are drawn dimmed
    hidden_parts: frozenset[int] = frozenset()  # parts the roll does not show
    take: list[Note] = field(default_factory=list)  # a MIDI take while it is recorded
    preview: Preview | None = None  # a drag in progress, before it is an undo command
    last_length: int = TPQ  # the length the next drawn note gets
    last_velocity: int = 80  # the velocity the next drawn note gets

    def __post_init__(self) -> None:
        # __init__ assigned (and so cleaned) every field before there was anyone to tell
        object.__setattr__(self, "_listeners", [])

    def __setattr__(self, name: str, value: Any) -> None:
        clean = _CLEAN.get(name)
        if clean is not None:
            value = clean(value)
        listeners = self.__dict__.get("_listeners")
        if listeners is None:  # still in __init__
            object.__setattr__(self, name, value)
            return
        if name not in self.__dataclass_fields__:
            raise AttributeError(f"ViewState has no field {name!r}")
        old = getattr(self, name)
        if old == value:
            return
        object.__setattr__(self, name, value)
        for listener in list(listeners):
            listener(name, old, value)

    def listen(self, callback: Listener) -> Callable[[], None]:
        """Call ``callback(name, old, new)`` after each change; returns a function that stops it."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback)
