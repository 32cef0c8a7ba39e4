"""The piano keyboard on the left: one row per semitone, following the roll's vertical scroll.
Pressing a key emits ``pressed(pitch)`` (the audio side sounds it); dragging glides over keys.
While a drum part is the active part it names each row's General MIDI drum instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QPainter, QPen

from composer_gui.music.gm import drum_name
from composer_gui.music.score import pitch_name

from .. import style
from .gestures import Gesture, KeyGlide, RollEvent
from .strip import Strip

if TYPE_CHECKING:
    from .editor import PianoRoll

WIDTH = 64
DRUM_WIDTH = 150  # room for "Acoustic Bass Drum"
BLACK_FRACTION = 0.62


class Keyboard(Strip):
    pressed = Signal(int)
    shows = frozenset({"active_part", "score"})

    def __init__(self, roll: PianoRoll) -> None:
        super().__init__(roll, "keyboard", width=WIDTH)

    @property
    def down(self) -> int | None:
        """The key held down (a glide in progress), or None."""
        return self.gesture.pitch if isinstance(self.gesture, KeyGlide) else None

    def row_label(self, pitch: int) -> str:
        """What the row of ``pitch`` is called here: a drum of the active drum part, else C4..."""
        if self.roll.active_is_drum():
            return drum_name(pitch)
        return pitch_name(pitch) if pitch % 12 == 0 else ""

    def paintEvent(self, event) -> None:
        if self.roll.active_is_drum():
            self._paint_drums()
            return
        geo = self.roll.geo
        down = self.down
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
            if pitch == down:
                p.fillRect(QRectF(0, y, w, rh), style.KEY_PRESSED)
            if pc in style.BLACK_PCS:
                p.fillRect(QRectF(0, y, black_w, rh),
                           style.KEY_PRESSED if pitch == down else style.KEY_BLACK)
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

    def _paint_drums(self) -> None:
        geo, down = self.roll.geo, self.down
        w, h = self.width(), self.height()
        p = QPainter(self)
        p.fillRect(0, 0, w, h, style.KEY_WHITE)
        rh = geo.row_h
        font = QFont(self.font())
        font.setPixelSize(max(7, min(11, rh - 1)))
        p.setFont(font)
        lines = []
        for pitch in range(geo.pitch_at(h - 1), geo.pitch_at(0) + 1):
            y = geo.y_of(pitch)
            name = drum_name(pitch)
            if pitch == down:
                p.fillRect(QRectF(0, y, w, rh), style.KEY_PRESSED)
            elif not name:
                p.fillRect(QRectF(0, y, w, rh), style.KEY_UNUSED)
            lines.append(QLineF(0, y + rh - 0.5, w, y + rh - 0.5))
            if name and rh >= 7:
                p.setPen(style.KEY_BLACK)
                p.drawText(QRectF(4, y, w - 8, rh), Qt.AlignmentFlag.AlignLeft
                           | Qt.AlignmentFlag.AlignVCenter, name)
        p.setPen(QPen(style.KEY_LINE, 1))
        p.drawLines(lines)
        p.drawLine(QLineF(w - 0.5, 0, w - 0.5, h))
        p.end()

    def start_gesture(self, ev: RollEvent) -> Gesture | None:
        return KeyGlide(self.roll, ev) if ev.button == Qt.MouseButton.LeftButton else None
