"""The drags outside the note canvas (ruler, velocity lane, keyboard) are gesture objects too:
driven here by real mouse and key events. Each ends in one signal or one undo step, and Esc
cancels it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication
from ui_helpers import drag, move, press, release

from composer_gui.music.score import TPQ, Note, Part, Score
from composer_gui.ui.piano_roll.gestures import CursorDrag, LoopDrag, VelocityDrag

SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def ruler_point(roll, tick: int) -> tuple[float, float]:
    return roll.geo.x_of(tick) + 1, 10


def esc(qtbot, roll) -> None:
    qtbot.keyClick(roll.canvas, Qt.Key.Key_Escape)


def test_ruler_drag_moves_the_cursor_on_the_grid(window, qtbot):
    roll = window.roll
    moved = []
    roll.cursorChanged.connect(moved.append)
    press(roll.ruler, ruler_point(roll, TPQ))
    assert isinstance(roll.ruler.gesture, CursorDrag)
    assert roll.cursor_tick == TPQ and moved == [TPQ]  # the press announces it (playback follows)
    move(roll.ruler, ruler_point(roll, 2 * TPQ + 30))  # inside a 1/16 cell: its start
    release(roll.ruler, ruler_point(roll, 2 * TPQ + 30))
    assert roll.cursor_tick == 2 * TPQ
    assert roll.ruler.gesture is None and not roll.busy
    assert window.doc.undo_stack.count() == 0  # the cursor is view state, not an edit


def test_esc_cancels_a_ruler_drag_and_the_cursor_goes_back(window, qtbot):
    roll = window.roll
    roll.set_cursor_tick(4 * TPQ)
    press(roll.ruler, ruler_point(roll, TPQ))
    move(roll.ruler, ruler_point(roll, 2 * TPQ))
    assert roll.cursor_tick == 2 * TPQ
    esc(qtbot, roll)
    assert roll.cursor_tick == 4 * TPQ and not roll.busy
    release(roll.ruler, ruler_point(roll, 3 * TPQ))  # the release after Esc does nothing
    assert roll.cursor_tick == 4 * TPQ


def test_shift_drag_on_the_ruler_asks_for_a_loop_and_leaves_the_cursor(window, qtbot):
    roll = window.roll
    with qtbot.waitSignal(roll.loopRequested) as blocker:
        drag(roll.ruler, ruler_point(roll, 3 * TPQ), ruler_point(roll, TPQ), modifiers=SHIFT)
    assert blocker.args == [TPQ, 3 * TPQ]  # dragged leftwards: still [start, end)
    assert roll.cursor_tick == 0
    assert roll.loop_range == (TPQ, 3 * TPQ)  # the window set the transport's loop, shown here


def test_esc_cancels_a_loop_drag(window, qtbot):
    roll = window.roll
    asked = []
    roll.loopRequested.connect(lambda a, b: asked.append((a, b)))
    press(roll.ruler, ruler_point(roll, TPQ), modifiers=SHIFT)
    move(roll.ruler, ruler_point(roll, 3 * TPQ), modifiers=SHIFT)
    gesture = roll.ruler.gesture
    assert isinstance(gesture, LoopDrag) and gesture.range == (TPQ, 3 * TPQ)
    esc(qtbot, roll)
    release(roll.ruler, ruler_point(roll, 3 * TPQ), modifiers=SHIFT)
    assert asked == [] and roll.loop_range is None and roll.cursor_tick == 0


def load(window, *ns: Note) -> None:
    window.doc.load(Score(parts=(Part(tuple(ns)),)))


def velocities(window) -> list[int]:
    return [n.velocity for n in window.doc.score.notes]


def test_velocity_drag_of_a_selection_moves_all_of_it_in_one_undo_step(window):
    load(window, Note(0, 60, TPQ, 80), Note(TPQ, 62, TPQ, 60), Note(2 * TPQ, 64, TPQ, 100))
    window.edits.select_all()
    roll = window.roll
    lane = roll.velocity
    x = roll.geo.x_of(TPQ) + 1
    press(lane, (x, lane.y_of(60)))
    assert isinstance(lane.gesture, VelocityDrag)
    for v in (70, 80, 90):
        move(lane, (x, lane.y_of(v)))
    assert velocities(window) == [80, 60, 100]  # nothing changes before the release
    assert roll.view.preview is not None
    release(lane, (x, lane.y_of(90)))
    assert roll.view.preview is None
    new = velocities(window)
    assert abs(new[0] - 110) <= 2 and abs(new[1] - 90) <= 2 and new[2] == 127  # capped at 127
    stack = window.doc.undo_stack
    assert stack.count() == 1 and stack.undoText() == "Change velocity of 3 notes"
    stack.undo()
    assert velocities(window) == [80, 60, 100]


def test_esc_cancels_a_velocity_drag(window, qtbot):
    load(window, Note(0, 60, TPQ, 80))
    roll = window.roll
    lane = roll.velocity
    x = roll.geo.x_of(0) + 1
    press(lane, (x, lane.y_of(80)))
    move(lane, (x, lane.y_of(30)))
    assert roll.view.preview is not None
    esc(qtbot, roll)
    assert roll.view.preview is None and not roll.busy
    release(lane, (x, lane.y_of(30)))
    assert velocities(window) == [80]
    assert window.doc.undo_stack.count() == 0


def test_keyboard_glide_sounds_each_key_it_reaches(window):
    roll = window.roll
    heard = []
    roll.noteAuditioned.connect(heard.append)
    y = roll.point_of(0, 60)[1]
    press(roll.keyboard, (20, y))
    assert roll.keyboard.down == 60
    move(roll.keyboard, (20, y + 2))  # the same key: no second sound
    move(roll.keyboard, (20, roll.point_of(0, 62)[1]))
    assert roll.keyboard.down == 62
    release(roll.keyboard, (20, roll.point_of(0, 62)[1]))
    assert heard == [60, 62] and roll.keyboard.down is None


def test_every_strip_zooms_with_ctrl_wheel(window):
    roll = window.roll
    for strip in roll.strips:
        before = roll.geo.px_per_quarter
        ev = QWheelEvent(QPointF(30, 10), QPointF(30, 10), QPoint(0, 0), QPoint(0, 120),
                         Qt.MouseButton.NoButton, CTRL, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(strip, ev)
        assert roll.geo.px_per_quarter > before, strip.objectName()
