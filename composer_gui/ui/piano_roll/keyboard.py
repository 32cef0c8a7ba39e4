"""The piano keyboard on the left: one row per semitone, following the roll's vertical scroll.
Pressing a key emits ``pressed(pitch)`` (the audio side sounds it); dragging glides over keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QMouseEvent, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from .. import style

if TYPE_CHECKING:
    from .editor import PianoRoll

WIDTH = 64
BLACK_FRACTION = 0.62
NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def pitch_name(pitch: int) -> str:
    """Scientific pitch name of a MIDI pitch: 60 is C4."""
    return f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"


class Keyboard(QWidget):
    pressed = Signal(int)

    def __init__(self, roll: PianoRoll) -> None:
        super().__init__(roll)
        self.roll = roll
        self.setObjectName("keyboard")
        self.setFixedWidth(WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.down: int | None = None

    def pitch_at(self, y: float) -> int:
        return self.roll.geo.pitch_at(y)

    def paintEvent(self, event) -> None:
        geo = self.roll.geo
        w, h = self.width(), self.height()
        p = QPainter(self)
        p.fillRect(0, 0, w, h, style.KEY_WHITE)
        rh = geo.row_h
        black_w = w * BLACK_FRACTION
        font = QFont(self.font())
        font.setPixelSize(max(7, min(11, rh - 2)))
        p.setFont(font)
        lines = []
        for pitch in range(geo.pitch_at(h - 1), geo.pitch_at(0) + 1):
            y = geo.y_of(pitch)
            pc = pitch % 12
            if pitch == self.down:
                p.fillRect(QRectF(0, y, w, rh), style.KEY_PRESSED)
            if pc in style.BLACK_PCS:
                p.fillRect(QRectF(0, y, black_w, rh),
                           style.KEY_PRESSED if pitch == self.down else style.KEY_BLACK)
                lines.append(QLineF(black_w, y + rh / 2, w, y + rh / 2))
            elif pc in (4, 11):  # E|F and B|C: white keys meet
                lines.append(QLineF(0, y, w, y))
            if pc == 0 and rh >= 7:
                p.setPen(style.KEY_TEXT)
                p.drawText(QRectF(0, y, w - 4, rh), Qt.AlignmentFlag.AlignRight
                           | Qt.AlignmentFlag.AlignVCenter, pitch_name(pitch))
        p.setPen(QPen(style.KEY_LINE, 1))
        p.drawLines(lines)
        p.drawLine(QLineF(w - 0.5, 0, w - 0.5, h))
        p.end()

    def mousePressEvent(self, ev: QMouseEvent) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            self._press(self.pitch_at(ev.position().y()))

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:
        if self.down is not None:
            pitch = self.pitch_at(ev.position().y())
            if pitch != self.down:
                self._press(pitch)

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:
        self.down = None
        self.update()

    def _press(self, pitch: int) -> None:
        self.down = pitch
        self.update()
        self.pressed.emit(pitch)

    def wheelEvent(self, ev: QWheelEvent) -> None:
        self.roll.canvas.wheelEvent(ev)
