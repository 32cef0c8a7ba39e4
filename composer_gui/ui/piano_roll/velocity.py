"""The velocity lane under the roll: one stem per note. Drag a stem to change its velocity (all
selected notes move together when the stem belongs to the selection); one undo step per drag."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QPainter, QPen

from .. import style
from .gestures import Gesture, RollEvent, VelocityDrag
from .strip import Strip

if TYPE_CHECKING:
    from .editor import PianoRoll

HEIGHT = 72
PAD = 4
GRAB_PX = 5
CLIP_MARGIN = 6  # px around the repainted area whose stems are still drawn


class VelocityLane(Strip):
    shows = frozenset({"score", "selection", "proposal", "playhead", "preview"})

    def __init__(self, roll: PianoRoll) -> None:
        super().__init__(roll, "velocityLane", height=HEIGHT)

    def y_of(self, velocity: float) -> float:
        return self.height() - PAD - velocity / 127 * (self.height() - 2 * PAD)

    def velocity_at(self, y: float) -> int:
        v = (self.height() - PAD - y) / (self.height() - 2 * PAD) * 127
        return int(max(1, min(127, round(v))))

    def paintEvent(self, event) -> None:
        roll, geo, idx, view = self.roll, self.roll.geo, self.roll.index, self.roll.view
        w, h = self.width(), self.height()
        p = QPainter(self)
        p.fillRect(0, 0, w, h, style.VELOCITY_BG)
        p.setPen(QPen(style.BEAT_LINE, 1))
        p.drawLine(QLineF(0, 0.5, w, 0.5))
        area = event.rect()  # a moving playhead repaints a thin strip: only its stems
        t0 = geo.tick_at(max(0, area.left() - CLIP_MARGIN))
        t1 = geo.tick_at(min(w, area.right() + 1 + CLIP_MARGIN))
        pv = view.preview
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
                colour = style.SELECTED_FILL if key < 0 else \
                    style.part_colour(roll.doc.score.colour_of(key))
                self._stems(p, groups[key], colour)
        prop = roll.proposal
        if prop.active:
            stems = [(geo.x_of(n.start), n.velocity) for n in prop.notes()
                     if t0 <= n.start <= t1]
            self._stems(p, stems, style.PROPOSAL_EDGE)
        if view.playhead is not None:
            x = geo.x_of(view.playhead)
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

    def stem_at(self, x: float) -> int:
        """Index position of the note whose stem is nearest ``x`` (within a few px; the selection's
        stems first), or -1."""
        roll, geo, idx = self.roll, self.roll.geo, self.roll.index
        t0, t1 = geo.tick_at(x - GRAB_PX), geo.tick_at(x + GRAB_PX)
        near = np.flatnonzero((idx.starts >= t0) & (idx.starts <= t1))
        if not len(near):
            return -1
        if len(roll.sel_mask) and roll.sel_mask[near].any():
            near = near[roll.sel_mask[near]]
        xs = np.abs(idx.starts[near] * geo.px_per_tick - geo.x_off - x)
        return int(near[int(np.argmin(xs))])

    def start_gesture(self, ev: RollEvent) -> Gesture | None:
        pos = self.stem_at(ev.x)
        if pos < 0 or ev.button != Qt.MouseButton.LeftButton:
            return None
        return VelocityDrag(self.roll, ev, pos)
