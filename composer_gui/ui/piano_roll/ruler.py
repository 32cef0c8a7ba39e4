"""The bar/beat ruler on top. Click or drag to place the cursor (where Paste puts notes, and where
playback starts); Shift+drag marks a range to loop. Shows the playhead and the loop range."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QMouseEvent, QPainter, QPen, QPolygonF, QWheelEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from .. import style

if TYPE_CHECKING:
    from .editor import PianoRoll

HEIGHT = 26


class Ruler(QWidget):
    def __init__(self, roll: PianoRoll) -> None:
        super().__init__(roll)
        self.roll = roll
        self.setObjectName("ruler")
        self.setFixedHeight(HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._loop_from: int | None = None  # Shift+drag in progress: where it began
        self._loop_to = 0

    def paintEvent(self, event) -> None:
        roll, geo = self.roll, self.roll.geo
        score = roll.doc.score
        w, h = self.width(), self.height()
        p = QPainter(self)
        p.fillRect(0, 0, w, h, style.RULER_BG)
        prop = roll.proposal
        if prop.active:
            a, b = prop.region or (prop.start_tick, max(prop.end_tick(), prop.start_tick))
            p.fillRect(QRectF(geo.x_of(a), 0, (b - a) * geo.px_per_tick, h), style.PROPOSAL_RULER)
        t0, t1 = geo.tick_at(0), geo.tick_at(w)
        font = QFont(self.font())
        font.setPixelSize(11)
        p.setFont(font)
        bars = score.bar_starts(int(t1) + 1)
        label_every = 1
        if len(bars) > 1:
            while (bars[1] - bars[0]) * geo.px_per_tick * label_every < 28:
                label_every *= 2
        ticks = []
        for i, start in enumerate(bars):
            ts = score.time_signature_at(start)
            end = bars[i + 1] if i + 1 < len(bars) else start + ts.bar_ticks
            if end < t0:
                continue
            x = geo.x_of(start)
            if i % label_every == 0:
                ticks.append(QLineF(x, 0, x, h))
                p.setPen(style.RULER_TEXT)
                p.drawText(QRectF(x + 3, 0, 60, h - 8), Qt.AlignmentFlag.AlignLeft
                           | Qt.AlignmentFlag.AlignVCenter, str(i + 1))
            if ts.beat_ticks * geo.px_per_tick >= 8:
                for t in range(start + ts.beat_ticks, end, ts.beat_ticks):
                    bx = geo.x_of(t)
                    ticks.append(QLineF(bx, h - 6, bx, h))
        loop = roll.loop_range
        if self._loop_from is not None:
            loop = (min(self._loop_from, self._loop_to), max(self._loop_from, self._loop_to))
        if loop is not None and loop[1] > loop[0]:
            a, b = geo.x_of(loop[0]), geo.x_of(loop[1])
            p.fillRect(QRectF(a, 0, b - a, 6), style.LOOP_RULER)
            p.setPen(QPen(style.LOOP_EDGE, 1))
            p.drawLine(QLineF(a, 0, a, h))
            p.drawLine(QLineF(b, 0, b, h))
        p.setPen(QPen(style.RULER_TICK, 1))
        p.drawLines(ticks)
        p.drawLine(QLineF(0, h - 0.5, w, h - 0.5))
        x = geo.x_of(roll.cursor_tick)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(style.CURSOR)
        p.drawPolygon(QPolygonF([QPointF(x - 6, h - 10), QPointF(x + 6, h - 10), QPointF(x, h)]))
        if roll.playhead is not None:
            x = geo.x_of(roll.playhead)
            p.setBrush(style.PLAYHEAD)
            p.drawPolygon(QPolygonF([QPointF(x - 5, 0), QPointF(x + 5, 0), QPointF(x, 8)]))
            p.setPen(QPen(style.PLAYHEAD, 2))
            p.drawLine(QLineF(x, 0, x, h))
        p.end()

    def mousePressEvent(self, ev: QMouseEvent) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._loop_from = self._loop_to = self._tick(ev)
            self.update()
            return
        self._place(ev, force=True)

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:
        if not ev.buttons() & Qt.MouseButton.LeftButton:
            return
        if self._loop_from is not None:
            self._loop_to = self._tick(ev, floor=False)
            self.update()
        else:
            self._place(ev)

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:
        if self._loop_from is None:
            return
        a, b = sorted((self._loop_from, self._tick(ev, floor=False)))
        self._loop_from = None
        self.update()
        if b > a:
            self.roll.loopRequested.emit(a, b)

    def _tick(self, ev: QMouseEvent, floor: bool = True) -> int:
        tick = self.roll.geo.tick_at(ev.position().x())
        return self.roll.snap_tick(tick, ev.modifiers(), floor=floor)

    def _place(self, ev: QMouseEvent, force: bool = False) -> None:
        self.roll.set_cursor_tick(self._tick(ev), force=force)

    def wheelEvent(self, ev: QWheelEvent) -> None:
        self.roll.canvas.wheelEvent(ev)
