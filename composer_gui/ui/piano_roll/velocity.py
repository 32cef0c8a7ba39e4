"""The velocity lane under the roll: one stem per note. Drag a stem to change its velocity (all
selected notes move together when the stem belongs to the selection); one undo step per drag."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from .. import style, undo
from .state import Preview

if TYPE_CHECKING:
    from .editor import PianoRoll

HEIGHT = 72
PAD = 4
GRAB_PX = 5
CLIP_MARGIN = 6  # px around the repainted area whose stems are still drawn


class VelocityLane(QWidget):
    def __init__(self, roll: PianoRoll) -> None:
        super().__init__(roll)
        self.roll = roll
        self.setObjectName("velocityLane")
        self.setFixedHeight(HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._drag: dict[int, int] | None = None  # index position -> velocity at press
        self._y0 = 0.0

    def y_of(self, velocity: float) -> float:
        return self.height() - PAD - velocity / 127 * (self.height() - 2 * PAD)

    def velocity_at(self, y: float) -> int:
        v = (self.height() - PAD - y) / (self.height() - 2 * PAD) * 127
        return int(max(1, min(127, round(v))))

    def paintEvent(self, event) -> None:
        roll, geo, idx = self.roll, self.roll.geo, self.roll.index
        w, h = self.width(), self.height()
        p = QPainter(self)
        p.fillRect(0, 0, w, h, style.VELOCITY_BG)
        p.setPen(QPen(style.BEAT_LINE, 1))
        p.drawLine(QLineF(0, 0.5, w, 0.5))
        area = event.rect()  # a moving playhead repaints a thin strip: only its stems
        t0 = geo.tick_at(max(0, area.left() - CLIP_MARGIN))
        t1 = geo.tick_at(min(w, area.right() + 1 + CLIP_MARGIN))
        pv = roll.preview
        vis = idx.visible(t0, t1)
        if len(vis):
            sel = roll.sel_mask[vis] if len(roll.sel_mask) else np.zeros(len(vis), bool)
            dt = np.where(sel, pv.dt, 0) if pv is not None else 0
            xs = ((idx.starts[vis] + dt) * geo.px_per_tick - geo.x_off).tolist()
            vels = idx.velocities[vis].tolist()
            if pv is not None and pv.velocities:
                vels = [pv.velocities.get(i, v) for i, v in zip(vis.tolist(), vels, strict=True)]
            groups: dict[int, list] = {}  # part (or -1: selected) -> [(x, velocity)]
            parts = idx.parts[vis].tolist()
            for x, v, s, part in zip(xs, vels, sel.tolist(), parts, strict=True):
                groups.setdefault(-1 if s else part, []).append((x, v))
            # parts first, the selection last so that it stays on top
            for key in [k for k in sorted(groups) if k >= 0] + ([-1] if -1 in groups else []):
                colour = style.SELECTED_FILL if key < 0 else style.part_colour(key)
                self._stems(p, groups[key], colour)
        prop = roll.proposal
        if prop.active:
            stems = [(geo.x_of(n.start), n.velocity) for n in prop.notes()
                     if t0 <= n.start <= t1]
            self._stems(p, stems, style.PROPOSAL_EDGE)
        if roll.playhead is not None:
            x = geo.x_of(roll.playhead)
            p.setPen(QPen(style.PLAYHEAD, 2))
            p.drawLine(QLineF(x, 0, x, h))
        p.end()

    def _stems(self, p: QPainter, stems: list[tuple[float, int]], colour) -> None:
        h = self.height()
        lines, heads = [], []
        for x, v in stems:
            y = self.y_of(v)
            lines.append(QLineF(x + 1, h - PAD, x + 1, y))
            heads.append(QRectF(x - 1, y - 2, 5, 5))
        p.setPen(QPen(colour, 2))
        p.drawLines(lines)
        p.setBrush(colour)
        p.drawRects(heads)

    def _hit(self, x: float) -> int:
        roll, geo, idx = self.roll, self.roll.geo, self.roll.index
        t0, t1 = geo.tick_at(x - GRAB_PX), geo.tick_at(x + GRAB_PX)
        near = np.flatnonzero((idx.starts >= t0) & (idx.starts <= t1))
        if not len(near):
            return -1
        if len(roll.sel_mask) and roll.sel_mask[near].any():
            near = near[roll.sel_mask[near]]
        xs = np.abs(idx.starts[near] * geo.px_per_tick - geo.x_off - x)
        return int(near[int(np.argmin(xs))])

    def mousePressEvent(self, ev: QMouseEvent) -> None:
        roll = self.roll
        pos = self._hit(ev.position().x())
        if pos < 0 or ev.button() != Qt.MouseButton.LeftButton:
            return
        key = roll.index.keys[pos]
        if key not in roll.doc.selection:
            roll.doc.set_selection({key})
        positions = np.flatnonzero(roll.sel_mask).tolist()
        self._drag = {i: int(roll.index.velocities[i]) for i in positions}
        self._single = len(positions) == 1
        self._y0 = ev.position().y()
        self._apply(ev.position().y())

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:
        if self._drag is not None:
            self._apply(ev.position().y())

    def _apply(self, y: float) -> None:
        assert self._drag is not None
        if self._single:
            new = {i: self.velocity_at(y) for i in self._drag}
        else:
            dv = self.velocity_at(y) - self.velocity_at(self._y0)
            new = {i: max(1, min(127, v + dv)) for i, v in self._drag.items()}
        self.roll.set_preview(Preview(velocities=new))

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:
        if self._drag is None:
            return
        roll = self.roll
        self._apply(ev.position().y())
        new = roll.preview.velocities if roll.preview else {}
        self._drag = None
        roll.set_preview(None)
        keys = {roll.index.keys[i]: v for i, v in new.items()}
        roll.doc.push(undo.velocity_command(roll.doc, keys))
