"""Mouse tools of the roll (Orange-canvas style): each tool is a small object, and each drag is a
gesture object that is started on press, updated on move, and finished (one undo command) or
canceled. Nothing here changes the score before the mouse is released.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPen

from composer_gui.music.score import TPQ

from .. import style, undo
from .state import Preview

if TYPE_CHECKING:
    from .editor import PianoRoll

EDGE_PX = 6  # how close to a note's right end the resize handle is
DRAG_PX = 3  # the mouse must move this far before a press becomes a drag

Mod = Qt.KeyboardModifier


@dataclass(frozen=True)
class RollEvent:
    x: float
    y: float
    tick: float
    pitch: int
    button: Qt.MouseButton
    modifiers: Qt.KeyboardModifier

    @property
    def alt(self) -> bool:
        return bool(self.modifiers & Mod.AltModifier)

    @property
    def extend(self) -> bool:
        """Shift or Ctrl (Cmd on macOS): add to / toggle in the selection."""
        return bool(self.modifiers & (Mod.ShiftModifier | Mod.ControlModifier))


def hit_note(roll: PianoRoll, ev: RollEvent) -> tuple[int, bool]:
    """(index position of the note under the mouse or -1, whether the mouse is on its end)."""
    geo = roll.geo
    pos = roll.index.at(ev.tick, ev.pitch, slack=2 / geo.px_per_tick)
    if pos < 0:
        return -1, False
    x0 = geo.x_of(float(roll.index.starts[pos]))
    x1 = geo.x_of(float(roll.index.ends[pos]))
    edge = min(EDGE_PX, max(2.0, (x1 - x0) / 3))
    return pos, ev.x >= x1 - edge


class Gesture:
    def __init__(self, roll: PianoRoll, ev: RollEvent) -> None:
        self.roll = roll
        self.x0, self.y0 = ev.x, ev.y
        self.dragged = False

    def _dragging(self, ev: RollEvent) -> bool:
        if not self.dragged and abs(ev.x - self.x0) + abs(ev.y - self.y0) >= DRAG_PX:
            self.dragged = True
        return self.dragged

    def move(self, ev: RollEvent) -> None:
        pass

    def finish(self, ev: RollEvent) -> None:
        pass

    def cancel(self) -> None:
        self.roll.set_preview(None)

    def paint(self, painter: QPainter) -> None:
        pass


class MoveGesture(Gesture):
    """Drag the selection: time by whole grid steps (Alt: free), pitch by rows."""

    def __init__(self, roll: PianoRoll, ev: RollEvent, anchor: int, select_on_click=None) -> None:
        super().__init__(roll, ev)
        self.tick0, self.pitch0 = ev.tick, ev.pitch
        self.anchor_pitch = int(roll.index.pitches[anchor])
        self.select_on_click = select_on_click
        sel = roll.sel_mask
        self.first = int(roll.index.starts[sel].min())
        self.low = int(roll.index.pitches[sel].min())
        self.high = int(roll.index.pitches[sel].max())
        self.delta = (0, 0)

    def move(self, ev: RollEvent) -> None:
        if not self._dragging(ev):
            return
        raw = ev.tick - self.tick0
        if ev.alt or not self.roll.snap.enabled:
            dt = round(raw)
        else:
            g = self.roll.grid_step()
            dt = round(raw / g) * g
        dt = max(dt, -self.first)
        dp = min(max(ev.pitch - self.pitch0, -self.low), 127 - self.high)
        if (dt, dp) != self.delta:
            if dp != self.delta[1]:
                self.roll.noteAuditioned.emit(self.anchor_pitch + dp)
            self.delta = (dt, dp)
            self.roll.set_preview(Preview(dt=dt, dp=dp))

    def finish(self, ev: RollEvent) -> None:
        self.roll.set_preview(None)
        doc = self.roll.doc
        if self.delta != (0, 0):
            doc.push(undo.move_command(doc, doc.selection, *self.delta))
        elif not self.dragged and self.select_on_click is not None:
            doc.set_selection({self.select_on_click})


class ResizeGesture(Gesture):
    """Drag the right edge: every selected note's end moves by the same amount."""

    def __init__(self, roll: PianoRoll, ev: RollEvent, anchor: int) -> None:
        super().__init__(roll, ev)
        self.anchor_start = int(roll.index.starts[anchor])
        self.anchor_end = int(roll.index.ends[anchor])
        self.dlen = 0
        self.min_len = roll.grid_step()

    def move(self, ev: RollEvent) -> None:
        if not self._dragging(ev):
            return
        self.min_len = TPQ // 32 if ev.alt or not self.roll.snap.enabled else self.roll.grid_step()
        end = self.roll.snap_tick(ev.tick, ev.modifiers)
        end = max(end, self.anchor_start + self.min_len)
        dlen = end - self.anchor_end
        if dlen != self.dlen:
            self.dlen = dlen
            self.roll.set_preview(Preview(dlen=dlen, min_len=self.min_len))

    def finish(self, ev: RollEvent) -> None:
        self.roll.set_preview(None)
        doc = self.roll.doc
        if self.dlen:
            doc.push(undo.resize_command(doc, doc.selection, self.dlen, self.min_len))
            new_end = self.anchor_end + self.dlen
            self.roll.last_length = max(self.min_len, new_end - self.anchor_start)


class DrawGesture(Gesture):
    """Press places a note on the grid cell; dragging right sets its length."""

    def __init__(self, roll: PianoRoll, ev: RollEvent) -> None:
        super().__init__(roll, ev)
        self.start = roll.snap_tick(ev.tick, ev.modifiers, floor=True)
        self.pitch = ev.pitch
        self.length = roll.last_length
        roll.noteAuditioned.emit(self.pitch)
        roll.canvas.update()

    def move(self, ev: RollEvent) -> None:
        if not self._dragging(ev):
            return
        step = TPQ // 32 if ev.alt or not self.roll.snap.enabled else self.roll.grid_step()
        end = self.roll.snap_tick(ev.tick, ev.modifiers)
        self.length = max(step, end - self.start)
        self.roll.canvas.update()

    def finish(self, ev: RollEvent) -> None:
        roll = self.roll
        note = roll.new_note(self.start, self.pitch, self.length)
        roll.last_length = self.length
        roll.doc.push(undo.add_command(roll.doc, [(roll.active_part, note)]))
        roll.canvas.update()

    def cancel(self) -> None:
        self.roll.canvas.update()

    def paint(self, painter: QPainter) -> None:
        geo = self.roll.geo
        rect = QRectF(geo.x_of(self.start), geo.y_of(self.pitch),
                      max(2.0, self.length * geo.px_per_tick - 1), geo.row_h - 1)
        painter.setPen(QPen(style.SELECTED_EDGE, 1))
        painter.setBrush(style.SELECTED_FILL)
        painter.drawRect(rect)


class EraseGesture(Gesture):
    """Every note the mouse passes over while pressed goes, as one undo step on release."""

    def __init__(self, roll: PianoRoll, ev: RollEvent) -> None:
        super().__init__(roll, ev)
        self.positions: set[int] = set()
        self.move(ev)

    def move(self, ev: RollEvent) -> None:
        pos = self.roll.index.at(ev.tick, ev.pitch)
        if pos >= 0 and pos not in self.positions:
            self.positions.add(pos)
            self.roll.set_preview(Preview(hidden=frozenset(self.positions)))

    def finish(self, ev: RollEvent) -> None:
        roll = self.roll
        roll.set_preview(None)
        keys = [roll.index.keys[i] for i in sorted(self.positions)]
        if keys:
            n = len(keys)
            roll.doc.push(undo.delete_command(
                roll.doc, keys, f"Erase {n} note" + ("" if n == 1 else "s")))


class RubberBandGesture(Gesture):
    """Drag on empty space: select the notes the box touches (Shift/Ctrl: add to the selection).
    A click without a drag clears the selection and puts the cursor there."""

    def __init__(self, roll: PianoRoll, ev: RollEvent) -> None:
        super().__init__(roll, ev)
        self.base = roll.doc.selection if ev.extend else frozenset()
        self.extend = ev.extend
        self.t0, self.pf0 = ev.tick, roll.geo.pitch_f(ev.y)
        self.x1, self.y1 = ev.x, ev.y

    def move(self, ev: RollEvent) -> None:
        if not self._dragging(ev):
            return
        self.x1, self.y1 = ev.x, ev.y
        roll = self.roll
        t1, pf1 = ev.tick, roll.geo.pitch_f(ev.y)
        hits = roll.index.in_box(min(self.t0, t1), max(self.t0, t1), min(self.pf0, pf1),
                                 max(self.pf0, pf1))
        roll.doc.set_selection(self.base | {roll.index.keys[i] for i in hits})
        roll.canvas.update()

    def finish(self, ev: RollEvent) -> None:
        roll = self.roll
        if not self.dragged:
            if not self.extend:
                roll.doc.set_selection(())
            roll.set_cursor_tick(roll.snap_tick(ev.tick, ev.modifiers, floor=True))
        roll.canvas.update()

    def cancel(self) -> None:
        self.roll.canvas.update()

    def paint(self, painter: QPainter) -> None:
        if not self.dragged:
            return
        rect = QRectF(min(self.x0, self.x1), min(self.y0, self.y1), abs(self.x1 - self.x0),
                      abs(self.y1 - self.y0))
        painter.setPen(QPen(style.RUBBER_BAND_EDGE, 1))
        painter.setBrush(style.RUBBER_BAND)
        painter.drawRect(rect)


# ----- tools --------------------------------------------------------------------------------------
class Tool:
    name = ""
    cursor = Qt.CursorShape.ArrowCursor

    def __init__(self, roll: PianoRoll) -> None:
        self.roll = roll
        self.gesture: Gesture | None = None

    @property
    def busy(self) -> bool:
        return self.gesture is not None

    def press(self, ev: RollEvent) -> None:
        self.cancel()
        self.gesture = self.start_gesture(ev)

    def start_gesture(self, ev: RollEvent) -> Gesture | None:
        return None

    def move(self, ev: RollEvent) -> None:
        if self.gesture is not None:
            self.gesture.move(ev)
        else:
            self.roll.canvas.setCursor(self.hover_cursor(ev))

    def release(self, ev: RollEvent) -> None:
        gesture, self.gesture = self.gesture, None
        if gesture is not None:
            gesture.move(ev)
            gesture.finish(ev)

    def cancel(self) -> None:
        gesture, self.gesture = self.gesture, None
        if gesture is not None:
            gesture.cancel()

    def paint(self, painter: QPainter) -> None:
        if self.gesture is not None:
            self.gesture.paint(painter)

    def hover_cursor(self, ev: RollEvent) -> Qt.CursorShape:
        pos, edge = hit_note(self.roll, ev)
        if pos >= 0:
            return Qt.CursorShape.SizeHorCursor if edge else Qt.CursorShape.SizeAllCursor
        return self.cursor

    def grab_note(self, ev: RollEvent) -> Gesture | None:
        """Select / extend on a note and start moving or resizing it; None if no note is there."""
        roll = self.roll
        pos, edge = hit_note(roll, ev)
        if pos < 0:
            return None
        key = roll.index.keys[pos]
        sel = roll.doc.selection
        select_on_click = None
        if ev.extend:
            if key in sel:
                roll.doc.set_selection(sel - {key})
                return Gesture(roll, ev)  # a toggle, nothing to drag
            roll.doc.set_selection(sel | {key})
        elif key not in sel:
            roll.doc.set_selection({key})
        elif len(sel) > 1:
            select_on_click = key  # a click (no drag) on a selected note selects just it
        roll.noteAuditioned.emit(key[1].pitch)
        if np.count_nonzero(roll.sel_mask) == 0:
            return None
        if edge:
            return ResizeGesture(roll, ev, pos)
        return MoveGesture(roll, ev, pos, select_on_click)


class SelectTool(Tool):
    name = "select"
    cursor = Qt.CursorShape.ArrowCursor

    def start_gesture(self, ev: RollEvent) -> Gesture | None:
        if ev.button != Qt.MouseButton.LeftButton:
            return None
        return self.grab_note(ev) or RubberBandGesture(self.roll, ev)


class DrawTool(Tool):
    """Left: draw on empty space, move/resize on a note. Right: erase."""

    name = "draw"
    cursor = Qt.CursorShape.CrossCursor

    def start_gesture(self, ev: RollEvent) -> Gesture | None:
        if ev.button == Qt.MouseButton.RightButton:
            return EraseGesture(self.roll, ev)
        if ev.button != Qt.MouseButton.LeftButton:
            return None
        return self.grab_note(ev) or DrawGesture(self.roll, ev)


class EraseTool(Tool):
    name = "erase"
    cursor = Qt.CursorShape.PointingHandCursor

    def start_gesture(self, ev: RollEvent) -> Gesture | None:
        if ev.button not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            return None
        return EraseGesture(self.roll, ev)

    def hover_cursor(self, ev: RollEvent) -> Qt.CursorShape:
        return self.cursor
