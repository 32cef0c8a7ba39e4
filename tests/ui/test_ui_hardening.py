"""The window against issue 14: a notation file that hangs music21 is opened in a reader process
that the "Opening…" dialog cancels; a hostile file is one message; the scroll bars hold a score
of the maximum length at the widest zoom."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QPushButton

from composer_gui.music import limits
from composer_gui.music.score import TPQ, Note, Part, Score
from composer_gui.ui.piano_roll.geometry import MAX_PX_PER_QUARTER

SLOW_ABC = "X:1\nT:slow\nM:2/4\nL:1/16\nK:G\n" + "A128 B128 c128 d128|\n" * 1000


def test_a_slow_notation_file_can_be_cancelled_from_the_dialog(window, qtbot, tmp_path):
    path = tmp_path / "slow.abc"
    path.write_text(SLOW_ABC)
    before = window.doc.score
    task = window.files.open_path(path)
    dialog = window.findChild(QProgressDialog, "openProgress")
    assert dialog is not None and dialog.labelText() == "Opening slow.abc…"
    qtbot.waitUntil(lambda: window.open_progress.dialog is None or dialog.isVisible(),
                    timeout=5000)  # shown once the read takes a while
    assert window.errors == []
    assert dialog.isVisible()
    messages = []
    window.files.status.connect(lambda text, _ms: messages.append(text))
    button = dialog.findChild(QPushButton)
    assert button.text() == "Cancel"
    with qtbot.waitSignal(task.cancelled, timeout=5000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert "Did not open slow.abc: cancelled" in messages
    assert window.doc.score is before and window.errors == []
    assert window.open_progress.dialog is None  # closed (and deleted)


def test_a_hostile_notation_file_is_one_message_naming_it(window, qtbot, tmp_path):
    path = tmp_path / "fifths.musicxml"
    path.write_text('<?xml version="1.0"?><score-partwise><part-list/><part id="P1"><measure>'
                    "<attributes><key><fifths>4294967296</fifths></key></attributes></measure>"
                    "</part></score-partwise>")
    with qtbot.waitSignal(window.files.openFailed, timeout=10000):
        window.files.open_path(path)
    (title, text), = window.errors
    assert title == "Open failed"
    assert "fifths.musicxml" in text and "4294967296 fifths" in text
    assert "Traceback" not in text


def test_scroll_bars_hold_the_longest_score_at_the_widest_zoom(window, qtbot):
    roll = window.roll
    far = Score(parts=(Part((Note(0, 60, TPQ), Note(limits.MAX_TICKS - TPQ, 62, TPQ))),))
    window.doc.load(far, None)
    roll.geo.set_px_per_quarter(MAX_PX_PER_QUARTER)
    roll.geo.set_offsets(x_off=limits.MAX_TICKS * roll.geo.px_per_tick)
    roll._sync_scrollbars()
    assert 0 < roll.hbar.maximum() <= 2**31 - 1
    assert 0 < roll.hbar.value() <= roll.hbar.maximum()


def test_a_second_open_cancels_the_first_read(window, qtbot, tmp_path):
    slow = tmp_path / "slow.abc"
    slow.write_text(SLOW_ABC)
    first = window.files.open_path(slow)
    quick = tmp_path / "quick.abc"
    quick.write_text("X:1\nT:quick\nM:2/4\nL:1/8\nK:G\nGABc|\n")
    with qtbot.waitSignals([first.cancelled, window.files.fileOpened], timeout=20000):
        window.files.open_path(quick)
    assert len(window.doc.score.notes) == 4
