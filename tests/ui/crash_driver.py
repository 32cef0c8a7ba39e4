"""Runs the real app start-up (ui.app.Startup) offscreen in a child process for the crash test.

    python crash_driver.py edit SETTINGS_DIR     draw two notes by mouse, wait for the autosave,
                                                 print "AUTOSAVED <notes as JSON>", keep running
    python crash_driver.py recover SETTINGS_DIR  wait for "Recover Unsaved Work", click Recover,
                                                 print "RECOVERED <json>", then quit discarding
    python crash_driver.py quit SETTINGS_DIR     draw a note, File > Quit, answer Discard

SETTINGS_DIR holds Composer/Composer.ini (QSettings' user scope is pointed there), which the test
fills with ``autosave/folder`` and ``autosave/intervalSeconds``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("COMPOSER_GUI_NO_AUDIO", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))  # ui_helpers

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from ui_helpers import at, click

from composer_gui.music.score import TPQ
from composer_gui.ui import workers
from composer_gui.ui.app import Startup, make_app
from composer_gui.ui.recovery import TITLE


def notes_json(window) -> str:
    return json.dumps([[n.start, n.pitch, n.duration, n.velocity] for n in window.doc.score.notes])


def say(*parts: str) -> None:
    print(*parts, flush=True)


def edit(startup: Startup) -> None:
    window = startup.window
    roll = window.roll
    roll.geo.set_px_per_quarter(48)
    roll.geo.set_offsets(x_off=0)
    roll.center_on_pitch(64)
    window.autosave.saved.connect(lambda path: say("AUTOSAVED", notes_json(window)))
    click(roll.canvas, at(roll, 0, 60))
    click(roll.canvas, at(roll, 2 * TPQ, 67))
    say("EDITED", notes_json(window))


def quit_discarding(startup: Startup) -> None:
    """Draw a note, then File > Quit and answer Discard (the app must exit without a traceback)."""
    window = startup.window
    window.ask_unsaved_changes = lambda: "discard"
    click(window.roll.canvas, at(window.roll, 0, 60))
    say("EDITED", notes_json(window))
    window.act.quit.trigger()


def recover(startup: Startup) -> None:
    window = startup.window
    window.ask_unsaved_changes = lambda: "discard"
    startup.recovery.found.connect(lambda entries: say("FOUND", str(len(entries))))

    def recovered(win) -> None:
        say("RECOVERED", json.dumps({"notes": json.loads(notes_json(win)),
                                     "modified": win.doc.modified,
                                     "source": str(win.doc.source), "title": win.windowTitle()}))
        QTimer.singleShot(0, win.close)  # a clean exit, discarding: the autosave goes

    startup.recovery.recovered.connect(recovered)

    def look() -> None:
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible() and widget.windowTitle() == TITLE:
                rows = [widget.list.topLevelItem(i).text(0)
                        for i in range(widget.list.topLevelItemCount())]
                say("DIALOG", widget.windowTitle(), json.dumps(rows))
                QTest.mouseClick(widget.recover_button, Qt.MouseButton.LeftButton)
                return
        QTimer.singleShot(50, look)

    look()


def main() -> int:
    phase, settings_dir = sys.argv[1], sys.argv[2]
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)
    app = make_app()
    startup = Startup()
    if phase == "recover":
        recover(startup)  # connected before the search for orphans starts
    else:
        QTimer.singleShot(0, lambda: (edit if phase == "edit" else quit_discarding)(startup))
    startup.begin([])
    try:
        return int(app.exec())
    finally:
        workers.shutdown()


if __name__ == "__main__":
    sys.exit(main())
