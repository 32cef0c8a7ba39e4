"""Every drag in the roll is a gesture object (Orange-canvas style): started on press, moved on each
mouse move, then finished (one undo command, or one signal) or canceled (Esc). Nothing here changes
the score before the mouse is released; a drag in progress shows as the view's ``Preview``.

Note canvas: move, resize, draw, erase, rubber band (``tools.py`` picks one per press). Ruler: place
the cursor, Shift+drag a loop. Velocity lane: drag stems. Keyboard: glide over keys.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPen

from composer_gui.ml.voices import is_line_part

from .. import style, undo
from ..labels import plural
from ..view_state import Preview

if TYPE_CHECKING:
    from .editor import PianoRoll

DRAG_PX = 3  # the mouse must move this far before a press becomes a drag

Mod = Qt.KeyboardModifier


@dataclass(frozen=True)
class RollEvent:
    """A mouse event in the roll's terms: x, y in the strip that got it, and the tick and pitch
    under the mouse (every strip shares the geometry, so these mean the same on each)."""

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


class Gesture:
    """One drag, from press to release. Constructed on press (started), ``move`` on each mouse
    move (moved), ``finish`` on release (finished: at most one undo command) or ``cancel``
    (canceled: Esc, another tool, a score change), which leaves the score as it was. The strip that
    got the press holds it (``Strip.gesture``) and paints it last (``paint``)."""

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
        if ev.alt or not self.roll.view.snap.enabled:
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
        self.min_len = self.roll.view.snap.min_length(free=ev.alt)
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
            self.roll.view.last_length = max(self.min_len, new_end - self.anchor_start)


class DrawGesture(Gesture):
    """Press places a note on the grid cell; dragging right sets its length."""

    def __init__(self, roll: PianoRoll, ev: RollEvent) -> None:
        super().__init__(roll, ev)
        self.start = roll.snap_tick(ev.tick, ev.modifiers, floor=True)
        self.pitch = ev.pitch
        self.length = roll.view.last_length
        roll.noteAuditioned.emit(self.pitch)
        roll.canvas.update()

    def move(self, ev: RollEvent) -> None:
        if not self._dragging(ev):
            return
        step = self.roll.view.snap.min_length(free=ev.alt)
        end = self.roll.snap_tick(ev.tick, ev.modifiers)
        self.length = max(step, end - self.start)
        self.roll.canvas.update()

    def finish(self, ev: RollEvent) -> None:
        roll = self.roll
        note = roll.new_note(self.start, self.pitch, self.length)
        roll.view.last_length = self.length
        part = roll.view.active_part
        removed, added = _drawn_in_line(roll.doc.score, part, note, clicked=not self.dragged)
        roll.doc.push(undo.EditNotes(roll.doc, removed, added, "Add 1 note"))
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


def _drawn_in_line(score, part: int, note, clicked: bool) -> tuple[list, list]:
    """(removed, added) for ``note`` drawn into ``part``. In a part that is one line of notes
    and chords (``voices.is_line_part`` of each chord's top note, a chord: notes struck and
    ended together), the note or chord it starts
    inside ends where it starts, and a clicked note (its length the last one drawn) ends where
    the line's next onset is: a melody clicked in note by note stays a melody (a review's half
    notes clicked a beat apart had made it chords, and the chorale model wrote four voices
    into it; a second review's chord drawn note by note had turned the check off). A drag's
    length is the composer's own; a part of several voices (a held bass under moving notes)
    is left as it is."""
    notes = score.parts[part].notes if 0 <= part < len(score.parts) else ()
    chords: dict[tuple[int, int], object] = {}  # (start, end) -> its top note
    for n in notes:
        if (n.start, n.end) not in chords or n.pitch > chords[n.start, n.end].pitch:
            chords[n.start, n.end] = n
    if not notes or score.parts[part].is_drum or not is_line_part(list(chords.values())):
        return [], [(part, note)]
    tops = {start for start, _end in chords}
    if note.start in tops:  # (a chord drawn note by note)
        return [], [(part, note)]
    under = [n for n in notes if n.start < note.start < n.end]
    removed = [(part, n) for n in under] if len({n.start for n in under}) == 1 else []
    added = [(part, replace(n, duration=note.start - n.start)) for _p, n in removed]
    later = [t for t in tops if note.start < t < note.end]
    if clicked and later:
        note = replace(note, duration=min(later) - note.start)
    return removed, [*added, (part, note)]


class EraseGesture(Gesture):
    """Every note the mouse passes over while pressed goes, as one undo step on release.
    A right-click that erases nothing (no note there, no drag) opens the roll's menu instead."""

    def __init__(self, roll: PianoRoll, ev: RollEvent) -> None:
        super().__init__(roll, ev)
        self.positions: set[int] = set()
        self.button = ev.button
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
            roll.doc.push(undo.delete_command(roll.doc, keys, f"Erase {plural(len(keys), 'note')}"))
        elif self.button == Qt.MouseButton.RightButton and not self._dragging(ev):
            roll.request_context_menu(ev.x, ev.y)


class MenuClick(Gesture):
    """A right-click with the Select tool: the note under it joins the selection (unless it is
    selected already), then the roll's menu opens on release."""

    def __init__(self, roll: PianoRoll, ev: RollEvent, pos: int) -> None:
        super().__init__(roll, ev)
        if pos >= 0:
            key = roll.index.keys[pos]
            if key not in roll.doc.selection:
                roll.doc.set_selection({key})

    def finish(self, ev: RollEvent) -> None:
        self.roll.request_context_menu(ev.x, ev.y)


class RubberBandGesture(Gesture):
    """Drag on empty space: select the notes the box touches (Shift/Ctrl: add to the selection).
    A click without a drag clears the selection and puts the cursor there."""

    def __init__(self, roll: PianoRoll, ev: RollEvent) -> None:
        super().__init__(roll, ev)
        self.base = roll.doc.selection if ev.extend else frozenset()
        self.before = roll.doc.selection  # (a cancelled box leaves the selection as it was)
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
        # Esc during the drag: the notes it reached are not left selected (a review's)
        self.roll.doc.set_selection(self.before)
        self.roll.canvas.update()

    def paint(self, painter: QPainter) -> None:
        if not self.dragged:
            return
        rect = QRectF(min(self.x0, self.x1), min(self.y0, self.y1), abs(self.x1 - self.x0),
                      abs(self.y1 - self.y0))
        painter.setPen(QPen(style.RUBBER_BAND_EDGE, 1))
        painter.setBrush(style.RUBBER_BAND)
        painter.drawRect(rect)


# ----- ruler --------------------------------------------------------------------------------------
class CursorDrag(Gesture):
    """Click or drag on the ruler: the cursor follows the mouse on the grid (Alt: free). The press
    always announces the cursor (``cursorChanged``), so a click on the ruler also moves playback
    there. Canceled, the cursor goes back to where it was."""

    def __init__(self, roll: PianoRoll, ev: RollEvent) -> None:
        super().__init__(roll, ev)
        self.tick0 = roll.view.cursor_tick
        roll.set_cursor_tick(roll.snap_tick(ev.tick, ev.modifiers, floor=True), force=True)

    def move(self, ev: RollEvent) -> None:
        self.roll.set_cursor_tick(self.roll.snap_tick(ev.tick, ev.modifiers, floor=True))

    def cancel(self) -> None:
        if self.roll.view.cursor_tick != self.tick0:
            self.roll.set_cursor_tick(self.tick0, force=True)


class LoopDrag(Gesture):
    """Shift+drag on the ruler marks a range to loop; on release ``loopRequested(start, end)`` asks
    for it (the window owns the transport's loop). The cursor does not move."""

    def __init__(self, roll: PianoRoll, ev: RollEvent) -> None:
        super().__init__(roll, ev)
        self.start = self.end = roll.snap_tick(ev.tick, ev.modifiers, floor=True)
        roll.ruler.update()

    @property
    def range(self) -> tuple[int, int]:
        return min(self.start, self.end), max(self.start, self.end)

    def move(self, ev: RollEvent) -> None:
        self.end = self.roll.snap_tick(ev.tick, ev.modifiers)
        self.roll.ruler.update()

    def finish(self, ev: RollEvent) -> None:
        self.roll.ruler.update()
        a, b = self.range
        if b > a:
            self.roll.loopRequested.emit(a, b)

    def cancel(self) -> None:
        self.roll.ruler.update()


# ----- velocity lane ------------------------------------------------------------------------------
class VelocityDrag(Gesture):
    """Drag a stem: one note takes the velocity under the mouse; a stem of the selection moves every
    selected velocity by the same amount. One undo step on release."""

    def __init__(self, roll: PianoRoll, ev: RollEvent, pos: int) -> None:
        super().__init__(roll, ev)
        key = roll.index.keys[pos]
        if key not in roll.doc.selection:
            roll.doc.set_selection({key})
        positions = np.flatnonzero(roll.sel_mask).tolist()
        self.before = {i: int(roll.index.velocities[i]) for i in positions}
        self.single = len(positions) == 1
        self.move(ev)

    def move(self, ev: RollEvent) -> None:
        lane = self.roll.velocity
        if self.single:
            new = {i: lane.velocity_at(ev.y) for i in self.before}
        else:
            dv = lane.velocity_at(ev.y) - lane.velocity_at(self.y0)
            new = {i: max(1, min(127, v + dv)) for i, v in self.before.items()}
        self.roll.set_preview(Preview(velocities=new))

    def finish(self, ev: RollEvent) -> None:
        roll = self.roll
        preview = roll.view.preview
        new = preview.velocities if preview else {}
        roll.set_preview(None)
        keys = {roll.index.keys[i]: v for i, v in new.items()}
        roll.doc.push(undo.velocity_command(roll.doc, keys))


# ----- keyboard -----------------------------------------------------------------------------------
class KeyGlide(Gesture):
    """Press a key to sound it; dragging glides over the keys, sounding each one it reaches."""

    def __init__(self, roll: PianoRoll, ev: RollEvent) -> None:
        super().__init__(roll, ev)
        self.pitch = ev.pitch
        self._sound()

    def move(self, ev: RollEvent) -> None:
        if ev.pitch != self.pitch:
            self.pitch = ev.pitch
            self._sound()

    def _sound(self) -> None:
        self.roll.keyboard.update()
        self.roll.keyboard.pressed.emit(self.pitch)

    def finish(self, ev: RollEvent) -> None:
        self.roll.keyboard.update()

    def cancel(self) -> None:
        self.roll.keyboard.update()
