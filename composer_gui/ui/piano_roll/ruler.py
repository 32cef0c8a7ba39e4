"""The bar/beat ruler on top. Click or drag to place the cursor (where Paste puts notes, and where
playback starts); Shift+drag marks a range to loop. Shows the playhead, the loop range, the
fermatas (the score's phrase ends, and those of the proposal on show) and, in a lane under the
bar numbers, the chord symbols (each cut short with "…" where the next comes too soon)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPen, QPolygonF

from composer_gui.music.score import TPQ

from .. import style
from .gestures import CursorDrag, Gesture, LoopDrag, RollEvent
from .strip import Strip

if TYPE_CHECKING:
    from .editor import PianoRoll

HEIGHT = 40
CHORD_TOP = 20  # the chord symbols' lane: under the bar numbers, above the beat ticks
CHORD_HEIGHT = 13


class Ruler(Strip):
    shows = frozenset({"score", "proposal", "cursor_tick", "playhead", "loop_range"})
    playhead_pad = None  # its playhead has a head wider than a thin column: repaint it all

    def __init__(self, roll: PianoRoll) -> None:
        super().__init__(roll, "ruler", height=HEIGHT)

    def paintEvent(self, event) -> None:
        roll, geo, view = self.roll, self.roll.geo, self.roll.view
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
                # below the fermata marks' band (y 1-6), above the chord symbols' lane
                p.drawText(QRectF(x + 3, 6, 60, CHORD_TOP - 6), Qt.AlignmentFlag.AlignLeft
                           | Qt.AlignmentFlag.AlignVCenter, str(score.bar_number(i)))
            if ts.beat_ticks * geo.px_per_tick >= 8:
                for t in range(start + ts.beat_ticks, end, ts.beat_ticks):
                    bx = geo.x_of(t)
                    ticks.append(QLineF(bx, h - 6, bx, h))
        loop = self.gesture.range if isinstance(self.gesture, LoopDrag) else view.loop_range
        if loop is not None and loop[1] > loop[0]:
            a, b = geo.x_of(loop[0]), geo.x_of(loop[1])
            p.fillRect(QRectF(a, 0, b - a, 6), style.LOOP_RULER)
            p.setPen(QPen(style.LOOP_EDGE, 1))
            p.drawLine(QLineF(a, 0, a, h))
            p.drawLine(QLineF(b, 0, b, h))
        p.setPen(QPen(style.RULER_TICK, 1))
        p.drawLines(ticks)
        p.setPen(QPen(style.RULER_TEXT, 1.2))
        for t in self.fermata_ticks():
            if t0 - TPQ <= t <= t1:  # an arc over a dot, as a fermata is printed
                x = geo.x_of(t)
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawArc(QRectF(x - 4, 1, 8, 8), 0, 180 * 16)  # above the bar numbers
                p.setBrush(style.RULER_TEXT)
                p.drawEllipse(QPointF(x, 4.5), 1, 1)
        self._paint_chords(p, t0, t1)
        p.drawLine(QLineF(0, h - 0.5, w, h - 0.5))
        x = geo.x_of(view.cursor_tick)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(style.CURSOR)
        p.drawPolygon(QPolygonF([QPointF(x - 6, h - 10), QPointF(x + 6, h - 10), QPointF(x, h)]))
        if view.playhead is not None:
            x = geo.x_of(view.playhead)
            p.setBrush(style.PLAYHEAD)
            p.drawPolygon(QPolygonF([QPointF(x - 5, 0), QPointF(x + 5, 0), QPointF(x, 8)]))
            p.setPen(QPen(style.PLAYHEAD, 2))
            p.drawLine(QLineF(x, 0, x, h))
        p.end()

    def _paint_chords(self, p: QPainter, t0: float, t1: float) -> None:
        """Each chord symbol's text from its tick (:meth:`chord_layout`); a short stroke
        marks where it stands."""
        p.setFont(self._chord_font())
        proposed = {self.geo.x_of(c.tick) for c in self.proposed_chords()}
        for x, room, text in self.chord_layout(t0, t1):
            # (those Keep would write over the proposal's bars in its colour)
            p.setPen(QPen(style.PROPOSAL_EDGE if x in proposed else style.RULER_CHORD, 1))
            p.drawLine(QLineF(x, CHORD_TOP + 2, x, CHORD_TOP + CHORD_HEIGHT - 2))
            if text:
                p.drawText(QRectF(x + 2, CHORD_TOP, room, CHORD_HEIGHT),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)

    def chord_layout(self, t0: float = 0, t1: float | None = None
                     ) -> list[tuple[float, float, str]]:
        """(x, room, text as drawn) of each chord symbol that shows between ticks ``t0`` and
        ``t1``: its text as far as the next one (less a gap), cut short with "…" (or left
        out) where it does not fit."""
        chords = sorted((*self.roll.doc.score.chord_symbols, *self.proposed_chords()),
                        key=lambda c: c.tick)
        metrics = QFontMetricsF(self._chord_font())
        out = []
        for i, c in enumerate(chords):
            after = chords[i + 1].tick if i + 1 < len(chords) else None
            if (t1 is not None and c.tick > t1) or (after is not None and after < t0):
                continue
            x = self.geo.x_of(c.tick)
            room = max(self.geo.x_of(after) - x - 6, 0) if after is not None else \
                metrics.horizontalAdvance(c.text) + 4
            out.append((x, room, metrics.elidedText(c.text, Qt.TextElideMode.ElideRight, room)))
        return out

    def proposed_chords(self) -> tuple:
        """The chord symbols the proposal on show writes over a lead sheet's new bars
        (Proposal.chords: what Keep writes)."""
        prop = self.roll.proposal
        return prop.chords(self.roll.doc.score) if prop.active else ()

    def _chord_font(self) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(10)
        font.setBold(True)
        return font

    def fermata_ticks(self) -> list[int]:
        """The onsets under a fermata: the score's, and those the proposal on show marked
        (Keep writes them into the score)."""
        roll = self.roll
        prop = roll.proposal
        marked = prop.fermatas() if prop.active else ()
        return sorted(set(roll.doc.score.fermatas) | set(marked))

    def start_gesture(self, ev: RollEvent) -> Gesture | None:
        if ev.button != Qt.MouseButton.LeftButton:
            return None
        if ev.modifiers & Qt.KeyboardModifier.ShiftModifier:
            return LoopDrag(self.roll, ev)
        return CursorDrag(self.roll, ev)
