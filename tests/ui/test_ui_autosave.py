"""Autosave in the window: where it goes, when it goes away, locks between windows and apps, and
the recovery dialog's three answers."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from PySide6.QtCore import Qt
from ui_helpers import at, click

from composer_gui.music.formats import load_score, save_score
from composer_gui.music.project import read_project
from composer_gui.music.score import TPQ, Note, Part, Score
from composer_gui.ui.autosave import claim_orphans, new_lock, write_slot
from composer_gui.ui.recovery import TITLE, Recovery


@pytest.fixture
def fast(settings):
    """Autosave 0.2 s after an edit (the default is 30 s)."""
    settings.set("autosave/intervalSeconds", 0.2)
    return settings


@pytest.fixture
def win(window, fast):
    window.autosave._timer.setInterval(fast.autosave_interval_ms())
    return window


def draw(window, qtbot, tick: int = 0, pitch: int = 60) -> None:
    roll = window.roll
    with qtbot.waitSignal(window.autosave.saved, timeout=10000):
        click(roll.canvas, at(roll, tick, pitch))


def slot_files(window) -> list[str]:
    folder = window.autosave.folder
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def a_project(path) -> Score:
    score = Score(parts=(Part((Note(0, 64, TPQ), Note(TPQ, 65, TPQ)), name="Piano"),))
    save_score(score, path)
    return score


def test_an_edit_is_autosaved_to_the_data_folder_never_over_the_users_file(win, qtbot, tmp_path,
                                                                            fast):
    path = tmp_path / "mine.composer.json"
    original = a_project(path)
    before = path.read_bytes()
    with qtbot.waitSignal(win.files.fileOpened, timeout=10000):
        win.files.open_path(path)
    assert slot_files(win) == []  # nothing unsaved, nothing written
    draw(win, qtbot, 2 * TPQ, 67)
    assert win.autosave.folder == fast.autosave_folder() == tmp_path / "autosave"
    assert read_project(win.autosave.path) == win.doc.score != original
    assert path.read_bytes() == before
    key = win.autosave.key
    assert slot_files(win) == [f"{key}.composer.json", f"{key}.lock", f"{key}.meta"]
    # saving makes the document unmodified: the autosave goes
    with qtbot.waitSignal(win.autosave.removed, timeout=10000):
        assert win.files.save()
    assert slot_files(win) == []
    assert load_score(path) == win.doc.score


def test_editing_goes_on_while_an_autosave_is_written(win, qtbot, monkeypatch):
    """A slow disk: the write is in a worker, so the window takes more edits meanwhile, and the
    next round writes them."""
    import threading

    from composer_gui.ui import autosave

    gate = threading.Event()
    real = autosave.write_slot

    def slow(*args):
        gate.wait(10)
        return real(*args)

    monkeypatch.setattr(autosave, "write_slot", slow)
    roll = win.roll
    click(roll.canvas, at(roll, 0, 60))
    qtbot.waitUntil(lambda: win.autosave._busy is not None, timeout=5000)
    click(roll.canvas, at(roll, TPQ, 62))  # while the first autosave is stuck
    assert len(win.doc.score.notes) == 2
    gate.set()
    qtbot.waitUntil(lambda: win.autosave.path.exists()
                    and read_project(win.autosave.path) == win.doc.score, timeout=10000)


def test_discarding_the_edits_removes_the_autosave(win, qtbot):
    draw(win, qtbot)
    assert slot_files(win)
    win.answer = "discard"
    with qtbot.waitSignal(win.autosave.removed, timeout=10000):
        assert win.files.new_document()
    assert slot_files(win) == []
    # undoing back to the saved state also leaves nothing to recover
    draw(win, qtbot, TPQ, 62)
    with qtbot.waitSignal(win.autosave.removed, timeout=10000):
        win.doc.undo_stack.undo()
    assert slot_files(win) == []


def test_a_clean_exit_removes_the_autosave(win, qtbot):
    draw(win, qtbot)
    folder = win.autosave.folder
    assert len(list(folder.iterdir())) == 3
    win.answer = "discard"
    win.close()
    assert not win.isVisible()
    assert list(folder.iterdir()) == []
    assert claim_orphans(folder) == []


def test_two_windows_keep_their_own_autosaves_and_claim_neither(win, qtbot, fast, backend):
    from composer_gui.ui.main_window import MainWindow

    other = MainWindow(settings=fast, backend=backend)
    qtbot.addWidget(other)
    other.answer = "discard"
    other.ask_unsaved_changes = lambda: "discard"
    other.show()
    other.roll.geo.set_px_per_quarter(48)
    other.roll.center_on_pitch(64)
    draw(win, qtbot, 0, 60)
    draw(other, qtbot, TPQ, 72)
    assert win.autosave.key != other.autosave.key
    assert read_project(win.autosave.path).notes == win.doc.score.notes
    assert read_project(other.autosave.path).notes == other.doc.score.notes
    assert win.doc.score.notes != other.doc.score.notes
    assert claim_orphans(win.autosave.folder) == []  # both owners are alive
    other.close()
    assert not other.autosave.path.exists() and win.autosave.path.exists()


HOLD = """
import sys, time
from PySide6.QtCore import QLockFile
lock = QLockFile(sys.argv[1]); lock.setStaleLockTime(0)
print(lock.tryLock(0), flush=True)
time.sleep(60)
"""


def test_a_live_app_keeps_its_slot_a_dead_ones_slot_is_an_orphan(tmp_path):
    """Two app instances: the lock names a running process, so its slot is not offered; once
    that process is gone the same slot is an orphan (the crash test covers a real window)."""
    folder = tmp_path / "autosave"
    score = Score(parts=(Part((Note(0, 60, TPQ),)),))
    lock = new_lock(folder / "k.lock")
    write_slot(folder, "k", score, None, "Untitled", lock)
    lock.unlock()  # hand the slot to another process, as if that one had written it
    other = subprocess.Popen([sys.executable, "-c", HOLD, str(folder / "k.lock")],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "True"
        assert claim_orphans(folder) == []
    finally:
        other.kill()
        other.wait(10)
    claimed = claim_orphans(folder)
    assert [e.key for e, _l in claimed] == ["k"]
    assert claim_orphans(folder) == []  # claimed by us now: not offered twice
    claimed[0][1].unlock()
    assert [e.key for e, _l in claim_orphans(folder)] == ["k"]


def orphan(folder, score: Score, source=None, name="Untitled", key="orphan1") -> None:
    """A slot whose owner is gone (written, then its lock released)."""
    lock = new_lock(folder / f"{key}.lock")
    write_slot(folder, key, score, source, name, lock)
    lock.unlock()


def start_recovery(win, qtbot, fast) -> Recovery:
    opened = []
    recovery = Recovery(fast, win, lambda: opened.append(1) or win)
    recovery.opened = opened
    with qtbot.waitSignal(recovery.found, timeout=10000):
        recovery.start()
    qtbot.waitUntil(lambda: recovery.dialog is not None and recovery.dialog.isVisible(),
                    timeout=5000)
    return recovery


def test_recover_opens_a_modified_document_tied_to_its_file(win, qtbot, fast, tmp_path):
    path = tmp_path / "song.composer.json"
    a_project(path)
    lost = Score(parts=(Part((Note(0, 60, TPQ), Note(TPQ, 67, 2 * TPQ, 99))),))
    orphan(fast.autosave_folder(), lost, path, path.name)
    recovery = start_recovery(win, qtbot, fast)
    dialog = recovery.dialog
    assert dialog.windowTitle() == TITLE == "Recover Unsaved Work"
    row = dialog.list.topLevelItem(0)
    assert row.text(0) == "song.composer.json" and row.text(1) == str(tmp_path)
    assert row.text(2).startswith(("today ", time.strftime("%Y")))
    with qtbot.waitSignal(recovery.recovered, timeout=10000):
        qtbot.mouseClick(dialog.recover_button, Qt.MouseButton.LeftButton)
    assert win.doc.score == lost and win.doc.modified
    assert win.doc.path == path  # Save writes the user's project again
    assert win.windowTitle() == "song.composer.json* — Composer"
    assert recovery.opened == []  # the empty start-up window took it
    # the window adopted the slot: saving removes it
    with qtbot.waitSignal(win.autosave.removed, timeout=10000):
        assert win.files.save()
    assert load_score(path) == lost
    assert list(fast.autosave_folder().iterdir()) == []


def test_discard_deletes_the_autosave_and_later_keeps_it(win, qtbot, fast):
    folder = fast.autosave_folder()
    score = Score(parts=(Part((Note(0, 60, TPQ),)),))
    orphan(folder, score, key="a")
    orphan(folder, score, key="b")
    recovery = start_recovery(win, qtbot, fast)
    dialog = recovery.dialog
    assert dialog.list.topLevelItemCount() == 2
    dialog.list.clearSelection()
    dialog.list.topLevelItem(0).setSelected(True)
    gone = dialog.list.topLevelItem(0).data(0, Qt.ItemDataRole.UserRole).key
    qtbot.mouseClick(dialog.discard_button, Qt.MouseButton.LeftButton)
    kept = "b" if gone == "a" else "a"
    qtbot.waitUntil(lambda: not (folder / f"{gone}.meta").exists(), timeout=5000)
    with qtbot.waitSignal(recovery.finished, timeout=5000):
        qtbot.mouseClick(dialog.later_button, Qt.MouseButton.LeftButton)
    assert not win.doc.modified and win.doc.score.notes == []
    # the discarded slot is gone; the other stays, unlocked, to be offered at the next start
    expected = [f"{kept}.composer.json", f"{kept}.meta"]
    qtbot.waitUntil(lambda: sorted(p.name for p in folder.iterdir()) == expected, timeout=5000)
    assert [e.key for e, _lock in claim_orphans(folder)] == [kept]


def test_a_broken_autosave_is_reported_and_kept(win, qtbot, fast):
    folder = fast.autosave_folder()
    orphan(folder, Score(), key="bad")
    (folder / "bad.composer.json").write_text("{not json")
    recovery = start_recovery(win, qtbot, fast)
    qtbot.mouseClick(recovery.dialog.recover_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(win.errors), timeout=5000)
    title, text = win.errors[0]
    assert title == TITLE and "Untitled" in text and str(folder) in text
    assert "Traceback" not in text
    assert (folder / "bad.composer.json").exists()


@pytest.fixture
def unwritable(settings, tmp_path):
    """The autosave folder setting names a file, so no autosave can be written."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.set("autosave/folder", str(blocker))
    settings.set("autosave/intervalSeconds", 0.2)
    return blocker


def test_a_failed_autosave_says_so_once_and_editing_goes_on(unwritable, window, qtbot):
    roll = window.roll
    assert window.autosave.folder == unwritable
    click(roll.canvas, at(roll, 0, 60))
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Autosave failed"),
                    timeout=5000)
    assert f"cannot make the folder {unwritable}" in window.statusBar().currentMessage()
    assert not window.errors  # a status message, not a dialog in the middle of editing
    click(roll.canvas, at(roll, TPQ, 62))
    assert len(window.doc.score.notes) == 2 and window.doc.modified


def test_a_second_recovered_score_opens_its_own_window(win, qtbot, fast, backend):
    from composer_gui.ui.main_window import MainWindow

    folder = fast.autosave_folder()
    first = Score(parts=(Part((Note(0, 60, TPQ),)),))
    second = Score(parts=(Part((Note(0, 72, TPQ),)),))
    orphan(folder, first, key="one")
    orphan(folder, second, key="two")
    windows = []

    def open_window():
        w = MainWindow(settings=fast, backend=backend)
        qtbot.addWidget(w)
        w.ask_unsaved_changes = lambda: "discard"
        windows.append(w)
        return w

    recovery = Recovery(fast, win, open_window)
    recovered = []
    recovery.recovered.connect(recovered.append)
    with qtbot.waitSignal(recovery.found, timeout=10000):
        recovery.start()
    qtbot.waitUntil(lambda: recovery.dialog is not None, timeout=5000)
    qtbot.mouseClick(recovery.dialog.recover_button, Qt.MouseButton.LeftButton)  # both rows
    qtbot.waitUntil(lambda: len(recovered) == 2, timeout=10000)
    assert recovered[0] is win and recovered[1] is windows[0]
    assert {win.doc.score, windows[0].doc.score} == {first, second}
    assert win.autosave.key != windows[0].autosave.key
    assert {win.autosave.key, windows[0].autosave.key} == {"one", "two"}
    windows[0].close()  # discarding: only its own slot goes
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{win.autosave.key}{s}" for s in (".composer.json", ".lock", ".meta"))
