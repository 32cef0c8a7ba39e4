"""The note canvas's mouse tools (Orange-canvas style): each tool is a small object that decides
which gesture (``gestures.py``) a press starts and which mouse cursor shows while hovering. The
canvas, like every strip, holds the gesture while it runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt

from .gestures import (
    DrawGesture,
    EraseGesture,
    Gesture,
    MenuClick,
    MoveGesture,
    ResizeGesture,
    RollEvent,
    RubberBandGesture,
)

if TYPE_CHECKING:
    from .editor import PianoRoll

EDGE_PX = 6  # how close to a note's right end the resize handle is


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


class Tool:
    name = ""
    cursor = Qt.CursorShape.ArrowCursor

    def __init__(self, roll: PianoRoll) -> None:
        self.roll = roll

    def start_gesture(self, ev: RollEvent) -> Gesture | None:
        """The gesture a press on the canvas starts (None: the press does nothing)."""
        return None

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
    """Left: select, move, resize, rubber band. Right: the roll's menu."""

    name = "select"
    cursor = Qt.CursorShape.ArrowCursor

    def start_gesture(self, ev: RollEvent) -> Gesture | None:
        if ev.button == Qt.MouseButton.RightButton:
            return MenuClick(self.roll, ev, hit_note(self.roll, ev)[0])
        if ev.button != Qt.MouseButton.LeftButton:
            return None
        return self.grab_note(ev) or RubberBandGesture(self.roll, ev)


class DrawTool(Tool):
    """Left: draw on empty space, move/resize on a note. Right: erase (on empty space: the
    roll's menu)."""

    name = "draw"
    cursor = Qt.CursorShape.CrossCursor

    def start_gesture(self, ev: RollEvent) -> Gesture | None:
        if ev.button == Qt.MouseButton.RightButton:
            return EraseGesture(self.roll, ev)
        if ev.button != Qt.MouseButton.LeftButton:
            return None
        if self._past_end(ev):
            return DrawGesture(self.roll, ev)
        return self.grab_note(ev) or DrawGesture(self.roll, ev)

    def hover_cursor(self, ev: RollEvent) -> Qt.CursorShape:
        return self.cursor if self._past_end(ev) else super().hover_cursor(ev)

    def _past_end(self, ev: RollEvent) -> bool:
        """On the hit slack just after a note's end: a note of the same pitch is drawn there,
        not the one before grabbed (a review drew a melody of repeated notes and got 8 of 14:
        each second note of a pair lengthened the first). Its end is grabbed from inside."""
        pos, _edge = hit_note(self.roll, ev)
        return pos >= 0 and ev.tick >= int(self.roll.index.ends[pos])


class EraseTool(Tool):
    name = "erase"
    cursor = Qt.CursorShape.PointingHandCursor

    def start_gesture(self, ev: RollEvent) -> Gesture | None:
        if ev.button not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            return None
        return EraseGesture(self.roll, ev)

    def hover_cursor(self, ev: RollEvent) -> Qt.CursorShape:
        return self.cursor
