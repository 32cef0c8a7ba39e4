"""What every strip of the roll (canvas, ruler, velocity lane, keyboard) does the same way.

A strip is a custom-painted widget on the roll's shared geometry and view state. The base class:

- sizes it (a fixed width or height, stretching the other way) and paints it opaque;
- repaints it when the geometry changes, and when the roll reports a change that the strip
  ``shows`` (see ``PianoRoll.repaint_showing``), so each strip says once what it depends on;
- maps mouse events to :class:`RollEvent` (tick and pitch under the mouse) and runs one gesture
  per drag: ``start_gesture`` on press, ``move`` / ``finish`` on move / release, ``cancel_gesture``
  on Esc; between drags, ``hover`` sees the mouse;
- turns the wheel into scrolling and zooming, the same on every strip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from .gestures import Gesture, RollEvent

if TYPE_CHECKING:
    from ..view_state import ViewState
    from .editor import PianoRoll
    from .geometry import RollGeometry

Policy = QSizePolicy.Policy
Mod = Qt.KeyboardModifier


class Strip(QWidget):
    #: what the strip paints, besides the geometry: view-state field names (``cursor_tick``,
    #: ``playhead``, ``preview``...) and the document's ``score``, ``selection`` and ``proposal``
    shows: ClassVar[frozenset[str]] = frozenset()
    #: px either side of the playhead repainted when it moves (None: the whole strip)
    playhead_pad: ClassVar[int | None] = 3

    def __init__(self, roll: PianoRoll, name: str, *, width: int | None = None,
                 height: int | None = None) -> None:
        super().__init__(roll)
        self.roll = roll
        self.gesture: Gesture | None = None
        self.setObjectName(name)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        if width is not None:
            self.setFixedWidth(width)
        if height is not None:
            self.setFixedHeight(height)
        self.setSizePolicy(Policy.Fixed if width is not None else Policy.Expanding,
                           Policy.Fixed if height is not None else Policy.Expanding)
        roll.geo.changed.connect(self.update)

    @property
    def geo(self) -> RollGeometry:
        return self.roll.geo

    @property
    def view(self) -> ViewState:
        return self.roll.view

    # ----- repainting -----------------------------------------------------------------------------
    def update_ticks(self, *ticks: int | None) -> None:
        """Repaint thin columns at ``ticks`` (a moving playhead), or everything (``playhead_pad``
        None)."""
        if self.playhead_pad is None:
            self.update()
            return
        pad = self.playhead_pad
        for t in ticks:
            if t is not None:
                x = int(self.geo.x_of(t))
                self.update(x - pad, 0, 2 * pad + 1, self.height())

    def paint_gesture(self, painter: QPainter) -> None:
        if self.gesture is not None:
            self.gesture.paint(painter)

    # ----- gestures -------------------------------------------------------------------------------
    def roll_event(self, ev: QMouseEvent) -> RollEvent:
        pos = ev.position()
        geo = self.geo
        return RollEvent(pos.x(), pos.y(), geo.tick_at(pos.x()), geo.pitch_at(pos.y()),
                         ev.button(), ev.modifiers())

    def start_gesture(self, ev: RollEvent) -> Gesture | None:
        """The gesture a press starts here (None: the press does nothing)."""
        return None

    def hover(self, ev: RollEvent) -> None:
        """The mouse moves with no drag in progress."""

    @property
    def busy(self) -> bool:
        return self.gesture is not None

    def cancel_gesture(self) -> None:
        gesture, self.gesture = self.gesture, None
        if gesture is not None:
            gesture.cancel()

    def mousePressEvent(self, ev: QMouseEvent) -> None:
        # the roll's keys (Esc cancels this drag, Space plays...) go to the canvas
        self.roll.canvas.setFocus(Qt.FocusReason.MouseFocusReason)
        self.cancel_gesture()
        self.gesture = self.start_gesture(self.roll_event(ev))

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:
        e = self.roll_event(ev)
        if self.gesture is not None:
            self.gesture.move(e)
        else:
            self.hover(e)

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:
        gesture, self.gesture = self.gesture, None  # finishing may change the score: not busy
        if gesture is not None:
            e = self.roll_event(ev)
            gesture.move(e)
            gesture.finish(e)

    # ----- keys and wheel -------------------------------------------------------------------------
    def keyPressEvent(self, ev: QKeyEvent) -> None:
        if not self.roll.handle_key(ev):
            super().keyPressEvent(ev)

    def wheelEvent(self, ev: QWheelEvent) -> None:
        """Ctrl: zoom time; Ctrl+Shift: zoom rows; Shift (or a sideways wheel): scroll time;
        otherwise scroll rows. Zooming keeps the point under the mouse in place."""
        roll = self.roll
        mods = ev.modifiers()
        delta = ev.angleDelta().y() or ev.angleDelta().x()
        if not delta:
            return
        factor = 1.15 ** (delta / 120)
        pos = ev.position()
        if mods & Mod.ControlModifier and mods & Mod.ShiftModifier:
            roll.zoom_y(factor, pos.y())
        elif mods & Mod.ControlModifier:
            roll.zoom_x(factor, pos.x())
        elif mods & Mod.ShiftModifier or ev.angleDelta().x():
            roll.hbar.setValue(roll.hbar.value() - int(delta))
        else:
            roll.vbar.setValue(roll.vbar.value() - int(delta / 120 * 3 * roll.geo.row_h))
        ev.accept()
