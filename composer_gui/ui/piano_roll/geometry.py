"""Where ticks and pitches are on screen: the zoom and scroll shared by every strip of the roll."""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, Signal

from composer_gui.music.score import TPQ

MIN_PX_PER_QUARTER, MAX_PX_PER_QUARTER = 4.0, 640.0
MIN_ROW, MAX_ROW = 4, 40


class RollGeometry(QObject):
    """x = tick * px_per_tick - x_off; rows are one semitone, pitch 127 at the top."""

    changed = Signal()

    def __init__(self, px_per_quarter: float = 48.0, row_h: int = 12,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.px_per_tick = px_per_quarter / TPQ
        self.row_h = row_h
        self.x_off = 0.0
        self.y_off = 0.0

    # ----- mapping -----------------------------------------------------------------------------
    def x_of(self, tick: float) -> float:
        return tick * self.px_per_tick - self.x_off

    def tick_at(self, x: float) -> float:
        return (x + self.x_off) / self.px_per_tick

    def y_of(self, pitch: int) -> float:
        """Top edge of the pitch's row."""
        return (127 - pitch) * self.row_h - self.y_off

    def pitch_at(self, y: float) -> int:
        return max(0, min(127, 127 - math.floor((y + self.y_off) / self.row_h)))

    def pitch_f(self, y: float) -> float:
        """Pitch as a float, for rubber bands (128 is the top edge of row 127)."""
        return 128 - (y + self.y_off) / self.row_h

    @property
    def content_height(self) -> int:
        return 128 * self.row_h

    @property
    def px_per_quarter(self) -> float:
        return self.px_per_tick * TPQ

    # ----- changes -----------------------------------------------------------------------------
    def set_offsets(self, x_off: float | None = None, y_off: float | None = None) -> None:
        x = self.x_off if x_off is None else max(0.0, float(round(x_off)))
        y = self.y_off if y_off is None else max(0.0, float(round(y_off)))
        if (x, y) != (self.x_off, self.y_off):
            self.x_off, self.y_off = x, y
            self.changed.emit()

    def zoom_x(self, factor: float, anchor_x: float = 0.0) -> None:
        """Zoom time by ``factor`` keeping the tick under ``anchor_x`` in place."""
        tick = self.tick_at(anchor_x)
        ppq = min(MAX_PX_PER_QUARTER, max(MIN_PX_PER_QUARTER, self.px_per_quarter * factor))
        self.px_per_tick = ppq / TPQ
        self.x_off = max(0.0, float(round(tick * self.px_per_tick - anchor_x)))
        self.changed.emit()

    def zoom_y(self, factor: float, anchor_y: float = 0.0) -> None:
        row = (anchor_y + self.y_off) / self.row_h
        self.row_h = int(min(MAX_ROW, max(MIN_ROW, round(self.row_h * factor))))
        self.y_off = max(0.0, float(round(row * self.row_h - anchor_y)))
        self.changed.emit()

    def set_px_per_quarter(self, ppq: float) -> None:
        self.px_per_tick = min(MAX_PX_PER_QUARTER, max(MIN_PX_PER_QUARTER, ppq)) / TPQ
        self.changed.emit()
