"""Small editing state shared by the roll's strips and tools: the snap grid and a drag's preview."""

from __future__ import annotations

from dataclasses import dataclass, field

from composer_gui.music.score import grid_ticks

SNAP_CHOICES: list[tuple[str, int, bool]] = [
    ("1/4", 4, False), ("1/8", 8, False), ("1/16", 16, False), ("1/32", 32, False),
    ("1/4 triplet", 4, True), ("1/8 triplet", 8, True), ("1/16 triplet", 16, True),
    ("1/32 triplet", 32, True), ("Off", 0, False),
]


@dataclass
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


@dataclass
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
