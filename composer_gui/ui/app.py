"""Start the app: ``main(argv) -> int``. ``argv`` may name a file to open.

Start-up stays light: Qt, the score model and mido. music21 (MusicXML/ABC) is imported in a worker
when such a file is opened; the sampler (ONNX Runtime) when Continue is first pressed; TensorFlow
never.

After the window shows, two background jobs run: unsaved work left by a crash is offered back
(``recovery.Recovery``: the "Recover Unsaved Work" dialog), and stale temporary files of ours are
removed beside the recent files. A file named on the command line opens once the recovery
dialog is answered.

``COMPOSER_GUI_FIRST_PAINT=1`` prints ``first-paint <unix time>`` when the roll is first painted
and quits (bench/ui_bench.py measures start-up with it).
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QIcon, QPalette
from PySide6.QtWidgets import QApplication

from composer_gui.resources import icon_path

from . import style, workers
from .main_window import MainWindow
from .recovery import Recovery
from .settings import APPLICATION, ORGANIZATION, Settings


def dark_palette() -> QPalette:
    p = QPalette()
    roles = QPalette.ColorRole
    for role, colour in (
        (roles.Window, style.WINDOW), (roles.WindowText, style.TEXT), (roles.Base, style.BASE),
        (roles.AlternateBase, style.WINDOW), (roles.ToolTipBase, style.TOOLTIP_BASE),
        (roles.ToolTipText, style.TOOLTIP_TEXT), (roles.Text, style.TEXT),
        (roles.Button, style.BUTTON), (roles.ButtonText, style.TEXT),
        (roles.BrightText, style.BRIGHT_TEXT), (roles.Highlight, style.HIGHLIGHT),
        (roles.HighlightedText, style.HIGHLIGHTED_TEXT), (roles.Link, style.LINK),
        (roles.Mid, style.MID), (roles.PlaceholderText, style.MID),
    ):
        p.setColor(role, colour)
    for role in (roles.Text, roles.ButtonText, roles.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, style.DISABLED_TEXT)
    return p


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(["composer-gui", *(argv or [])])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    app.setDesktopFileName("composer-gui")  # matches resources/composer-gui.desktop
    app.setWindowIcon(QIcon(str(icon_path(".png"))))
    app.setStyle("Fusion")
    app.setPalette(dark_palette())
    return app


class _FirstPaint(QObject):
    """Prints the time of the first paint of the roll, then quits (for the start-up benchmark)."""

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint and not getattr(self, "done", False):
            self.done = True
            QTimer.singleShot(0, self._report)
        return False

    def _report(self) -> None:
        print(f"first-paint {time.time():.6f}", flush=True)
        QApplication.instance().quit()


class Startup(QObject):
    """The app's windows after start-up: the first one, and those that recovered work opens."""

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings if settings is not None else Settings()
        self.windows: list[MainWindow] = []
        self.window = self.open_window()
        self.recovery = Recovery(self.settings, self.window, self.open_window, self)

    def open_window(self) -> MainWindow:
        window = MainWindow(self.settings)
        self.windows.append(window)
        window.show()
        return window

    def begin(self, files: list[str]) -> None:
        """Offer recovery, then open ``files[0]``; clean up temporary files meanwhile."""
        if files:
            self.recovery.finished.connect(lambda: self.window.files.open_path(files[0]))
        self.recovery.start()
        self.window.files.clean_temporaries()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    files = [a for a in argv if not a.startswith("-")]
    app = make_app([a for a in argv if a.startswith("-")])
    startup = Startup()
    if os.environ.get("COMPOSER_GUI_FIRST_PAINT"):
        startup.window.roll.canvas.installEventFilter(_FirstPaint(startup.window))
    QTimer.singleShot(0, lambda: startup.begin(files))
    try:
        return int(app.exec())
    finally:
        workers.shutdown()


if __name__ == "__main__":
    sys.exit(main())
