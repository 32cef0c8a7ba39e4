"""The note canvas: rows, grid, notes, the proposal and the tool's overlay, painted directly.

Only what is visible is painted: the visible notes come from the numpy index in one vectorised
query, and their rectangles are drawn in a few ``drawRects`` calls, one per colour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QLineF, QRectF, Qt
from PySide6.QtGui import QBrush, QFont, QKeyEvent, QMouseEvent, QPainter, QPen

from composer_gui.music.marks import glyphs

from .. import style
from .gestures import Gesture, RollEvent
from .strip import Strip

if TYPE_CHECKING:
    from .editor import PianoRoll

EMPTY_HINT = ("Draw a few notes, or open a MIDI/MusicXML file, then press Continue "
              "(on an empty score, Continue lets the model begin)")
MIN_LINE_GAP = 5.0  # px: finer grid lines than this are not drawn
CLIP_MARGIN = 6  # px around the repainted area whose notes are still drawn


class NoteCanvas(Strip):
    shows = frozenset({"score", "selection", "proposal", "cursor_tick", "playhead", "loop_range",
                       "snap", "take", "preview", "active_part"})

    def __init__(self, roll: PianoRoll) -> None:
        super().__init__(roll, "noteCanvas")
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(120, 120)
        self._height = self.height()  # the height the view was last centred for

    # ----- painting -------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        geo, view = self.roll.geo, self.roll.view
        w, h = self.width(), self.height()
        p = QPainter(self)
        # only the notes in the area to repaint (a moving playhead repaints a thin strip)
        area = event.rect()
        t0 = geo.tick_at(max(0, area.left() - CLIP_MARGIN))
        t1 = geo.tick_at(min(w, area.right() + 1 + CLIP_MARGIN))
        high, low = geo.pitch_at(0), geo.pitch_at(h - 1)
        p.fillRect(0, 0, w, h, style.BACKGROUND)
        self._paint_rows(p, low, high, w)
        self._paint_grid(p, t0, t1, h)
        self._paint_region(p, h)
        self._paint_notes(p, t0, t1, low, high)
        self._paint_proposal(p, t0, t1, low, high)
        self._paint_take(p, t0, t1, low, high)
        self._paint_hint(p, w, h)
        if view.loop_range is not None:
            p.setPen(QPen(style.LOOP_EDGE, 1, Qt.PenStyle.DashLine))
            for t in view.loop_range:
                x = geo.x_of(t)
                if 0 <= x <= w:
                    p.drawLine(QLineF(x, 0, x, h))
        x = geo.x_of(view.cursor_tick)
        if 0 <= x <= w:
            p.setPen(QPen(style.CURSOR, 1))
            p.drawLine(QLineF(x, 0, x, h))
        if view.playhead is not None:
            x = geo.x_of(view.playhead)
            if -2 <= x <= w + 2:
                p.setPen(QPen(style.PLAYHEAD, 2))
                p.drawLine(QLineF(x, 0, x, h))
        self.paint_gesture(p)
        p.end()

    def _paint_rows(self, p: QPainter, low: int, high: int, w: int) -> None:
        geo = self.roll.geo
        key = self.roll.doc.score.key
        scale = key.scale_pcs() if key else None
        rh = geo.row_h
        octave_lines = []
        for pitch in range(low, high + 1):
            y = geo.y_of(pitch)
            pc = pitch % 12
            if scale is not None:
                colour = style.ROW_IN_KEY if pc in scale else style.ROW_OUT_OF_KEY
            else:
                colour = style.ROW_BLACK if pc in style.BLACK_PCS else style.ROW_WHITE
            p.fillRect(QRectF(0, y, w, rh - 1), colour)
            if pc == 0:
                octave_lines.append(QLineF(0, y + rh - 0.5, w, y + rh - 0.5))
        p.setPen(QPen(style.OCTAVE_LINE, 1))
        p.drawLines(octave_lines)

    def _paint_grid(self, p: QPainter, t0: float, t1: float, h: int) -> None:
        roll, geo = self.roll, self.roll.geo
        score = roll.doc.score
        ppt = geo.px_per_tick
        step = roll.grid_step()
        bars = score.bar_starts(int(t1) + 1)
        bar_lines, beat_lines, grid_lines = [], [], []
        every = 1
        if bars and len(bars) > 1:
            bar_px = (bars[1] - bars[0]) * ppt
            while bar_px * every < MIN_LINE_GAP * 2:
                every *= 2
        for i, start in enumerate(bars):
            ts = score.time_signature_at(start)
            end = bars[i + 1] if i + 1 < len(bars) else start + ts.bar_ticks
            if end < t0:
                continue
            if i % every == 0:
                x = geo.x_of(start)
                bar_lines.append(QLineF(x, 0, x, h))
            beat = ts.beat_ticks
            if beat * ppt >= MIN_LINE_GAP:
                for t in range(start + beat, end, beat):
                    x = geo.x_of(t)
                    beat_lines.append(QLineF(x, 0, x, h))
            if step * ppt >= MIN_LINE_GAP and step < beat:
                for t in range(start + step, end, step):
                    if (t - start) % beat:
                        x = geo.x_of(t)
                        grid_lines.append(QLineF(x, 0, x, h))
        for lines, colour in ((grid_lines, style.GRID_LINE), (beat_lines, style.BEAT_LINE),
                              (bar_lines, style.BAR_LINE)):
            if lines:
                p.setPen(QPen(colour, 1))
                p.drawLines(lines)

    def _paint_region(self, p: QPainter, h: int) -> None:
        prop, geo = self.roll.proposal, self.roll.geo
        if not prop.active:
            return
        if prop.region:
            a, b = prop.region
        else:
            a, b = prop.start_tick, max(prop.end_tick(), prop.start_tick)
        if b > a:
            p.fillRect(QRectF(geo.x_of(a), 0, (b - a) * geo.px_per_tick, h), style.PROPOSAL_REGION)

    def _rects(self, ix: np.ndarray, dt: int = 0, dp: int = 0, dlen: int = 0,
               min_len: int = 0) -> list[QRectF]:
        idx, geo = self.roll.index, self.roll.geo
        dur = idx.durations[ix]
        if dlen:
            dur = np.maximum(np.minimum(min_len, dur), dur + dlen)
        xs = (idx.starts[ix] + dt) * geo.px_per_tick - geo.x_off
        ws = np.maximum(dur * geo.px_per_tick - 1, 2.0)
        ys = (127 - (idx.pitches[ix] + dp)) * geo.row_h - geo.y_off
        rh = geo.row_h - 1
        return [QRectF(x, y, wd, rh) for x, y, wd in zip(xs.tolist(), ys.tolist(), ws.tolist(),
                                                          strict=True)]

    def _paint_notes(self, p: QPainter, t0: float, t1: float, low: int, high: int) -> None:
        """Each part in its colour, the parts other than the active one dimmed; the notes a
        proposal would replace faded and struck through; the selection in its own colour."""
        roll = self.roll
        idx = roll.index
        if not len(idx):
            return
        sel = roll.sel_mask
        pv = roll.view.preview
        visible = idx.visible(t0, t1, low, high)
        if pv is not None and pv.hidden:
            visible = visible[~np.isin(visible, list(pv.hidden))]
        reshaping = pv is not None and pv.reshapes
        doomed = roll.doomed_mask
        if len(doomed) == len(idx) and doomed.any():  # drawn replaced, selected or not
            replaced = visible[doomed[visible]]
            visible = visible[~doomed[visible]]
        else:
            replaced = visible[:0]
        plain = visible[~sel[visible]] if len(sel) else visible
        active = roll.view.active_part
        several = len(roll.doc.score.parts) > 1
        p.setPen(QPen(style.NOTE_EDGE, 1))
        parts = idx.parts[plain]
        score = roll.doc.score
        for part in np.unique(parts).tolist():
            p.setBrush(style.part_colour(score.colour_of(part), dim=several and part != active))
            p.drawRects(self._rects(plain[parts == part]))
        if len(replaced):
            self._paint_replaced(p, replaced)
        if len(idx.sung):
            self._paint_words(p, np.intersect1d(visible, idx.sung, assume_unique=True))
        if not len(sel) or not sel.any():
            return
        if reshaping:
            ghosts = visible[sel[visible]]
            p.setPen(QPen(style.GHOST, 1, Qt.PenStyle.DashLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRects(self._rects(ghosts))
            extra = max(0, -pv.dlen)
            chosen = idx.visible(t0 - pv.dt - extra, t1 - pv.dt, low - pv.dp, high - pv.dp,
                                 extra=sel)
            rects = self._rects(chosen, pv.dt, pv.dp, pv.dlen, pv.min_len)
        else:
            rects = self._rects(visible[sel[visible]])
        p.setPen(QPen(style.SELECTED_EDGE, 1))
        p.setBrush(style.SELECTED_FILL)
        p.drawRects(rects)

    def _paint_words(self, p: QPainter, positions: np.ndarray) -> None:
        """A sung note's syllable written in it, where the note is tall and long enough (a
        chorale opened from a file reads as its text too), after its marks' signs (a
        staccato's dot, "tr", a slur's bracket: :data:`.marks.GLYPHS`)."""
        if not len(positions) or self.roll.geo.row_h < 9:
            return
        font = p.font()
        font.setPixelSize(max(8, min(11, int(self.roll.geo.row_h) - 2)))
        p.setFont(font)
        p.setPen(style.PROPOSAL_TEXT)
        metrics = p.fontMetrics()
        keys = self.roll.index.keys
        for rect, i in zip(self._rects(positions), positions.tolist(), strict=True):
            note = keys[i][1]
            text = " ".join(x for x in ("\u266a" * bool(note.graces) + glyphs(note.marks),
                                        note.lyric) if x)
            if metrics.horizontalAdvance(text) + 4 <= rect.width():
                p.drawText(rect.adjusted(2, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_replaced(self, p: QPainter, positions: np.ndarray) -> None:
        """Notes the proposal on show would replace: faded, with a line through each."""
        idx = self.roll.index
        parts = idx.parts[positions]
        p.setPen(QPen(style.NOTE_EDGE, 1))
        for part in np.unique(parts).tolist():
            p.setBrush(style.part_colour(self.roll.doc.score.colour_of(part), dim=True))
            p.drawRects(self._rects(positions[parts == part]))
        rects = self._rects(positions)
        p.setPen(QPen(style.REPLACED_STRIKE, 1.5))
        p.drawLines([QLineF(r.left(), r.center().y(), r.right(), r.center().y()) for r in rects])

    def _paint_proposal(self, p: QPainter, t0: float, t1: float, low: int, high: int) -> None:
        """The proposed notes in the colours of the parts they go to, in a dashed outline."""
        roll, geo = self.roll, self.roll.geo
        if not roll.proposal.active:
            return
        rh = geo.row_h - 1
        ppt = geo.px_per_tick
        by_part: dict[int, list[QRectF]] = {}
        hidden = roll.view.hidden_parts
        for part, n in roll.proposal_keys:
            if n.start < t1 and n.end > t0 and low <= n.pitch <= high and part not in hidden:
                by_part.setdefault(part, []).append(QRectF(
                    geo.x_of(n.start), geo.y_of(n.pitch), max(2.0, n.duration * ppt - 1), rh))
        p.setPen(QPen(style.PROPOSAL_EDGE, 2, Qt.PenStyle.DashLine))
        for part, rects in by_part.items():
            p.setBrush(QBrush(style.part_colour(roll.doc.score.colour_of(part))))
            p.drawRects(rects)

    def _paint_hint(self, p: QPainter, w: int, h: int) -> None:
        """An empty score says how to begin."""
        roll = self.roll
        if roll.doc.score.note_count or roll.proposal.active or roll.view.take:
            return
        font = QFont(self.font())
        font.setPixelSize(15)
        p.setFont(font)
        p.setPen(style.EMPTY_HINT)
        p.drawText(QRectF(20, 0, w - 40, h), Qt.AlignmentFlag.AlignCenter
                   | Qt.TextFlag.TextWordWrap, EMPTY_HINT)

    def _paint_take(self, p: QPainter, t0: float, t1: float, low: int, high: int) -> None:
        take, geo = self.roll.view.take, self.roll.geo
        if not take:
            return
        rh = geo.row_h - 1
        ppt = geo.px_per_tick
        rects = [QRectF(geo.x_of(n.start), geo.y_of(n.pitch), max(2.0, n.duration * ppt - 1), rh)
                 for n in take if n.start < t1 and n.end > t0 and low <= n.pitch <= high]
        if rects:
            p.setPen(QPen(style.TAKE_EDGE, 1))
            p.setBrush(QBrush(style.TAKE_FILL))
            p.drawRects(rects)

    # ----- input ----------------------------------------------------------------------------------
    def start_gesture(self, ev: RollEvent) -> Gesture | None:
        return self.roll.tool.start_gesture(ev)

    def hover(self, ev: RollEvent) -> None:
        self.setCursor(self.roll.tool.hover_cursor(ev))

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:
        super().mouseMoveEvent(ev)
        self.roll.hoverChanged.emit(int(self.geo.tick_at(ev.position().x())))

    def leaveEvent(self, ev: QEvent) -> None:
        self.roll.hoverChanged.emit(-1)

    def event(self, ev: QEvent) -> bool:
        # Tab flips variations while a proposal shows, instead of moving the focus.
        if (ev.type() == QEvent.Type.KeyPress and isinstance(ev, QKeyEvent)
                and ev.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and self.roll.proposal.active):
            self.roll.handle_key(ev)
            return True
        return super().event(ev)

    def contextMenuEvent(self, ev) -> None:
        # the mouse's right-clicks are gestures (erase, or the menu); the Menu key opens it here
        if ev.reason() == ev.Reason.Keyboard:
            self.roll.contextMenuRequested.emit(ev.globalPos())

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        old, self._height = self._height, self.height()
        if old > 0 and old != self.height():  # the pitch in the middle stays in the middle
            self.geo.set_offsets(y_off=self.geo.y_off + (old - self.height()) / 2)
        self.roll._sync_scrollbars()
