"""The "Opening NAME…" dialog: shown when a file takes a while to read, with Cancel.

Notation files are read in a worker process (music/safe_read.py), so Cancel really stops the read
at once, however stuck music21 is. The dialog is modeless, as the window stays editable while a
slow file loads (ui/files.py asks again about edits made meanwhile). It listens to
``FileController.opening`` and follows the task to its end.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QProgressDialog, QWidget
from shiboken6 import isValid

from .files import FileController
from .workers import Task

SHOW_AFTER_MS = 400  # a quick open never flashes a dialog


class OpenProgress(QObject):
    """One dialog per open, closed when the read ends, fails or is cancelled."""

    def __init__(self, files: FileController, parent: QWidget) -> None:
        super().__init__(parent)
        self.files = files
        self.window = parent
        self.dialog: QProgressDialog | None = None
        self.task: Task | None = None
        files.opening.connect(self.track)

    def track(self, task: Task, path: Path) -> QProgressDialog:
        if self.task is not None and self.task.running:
            self.task.cancel()  # superseded (files.py ignores its result): free its reader now
        self.close()
        self.task = task
        dialog = QProgressDialog(f"Opening {Path(path).name}…", "Cancel", 0, 0, self.window)
        dialog.setObjectName("openProgress")
        dialog.setWindowTitle("Opening")
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.setMinimumDuration(SHOW_AFTER_MS)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(task.cancel)
        task.finished.connect(lambda _score, d=dialog: self._done(d))
        task.failed.connect(lambda _message, d=dialog: self._done(d))
        task.cancelled.connect(lambda d=dialog, t=task, p=Path(path): self._cancelled(d, t, p))
        self.dialog = dialog
        return dialog

    def _done(self, dialog: QProgressDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        if isValid(dialog):  # a superseded open's dialog is gone already
            dialog.hide()
            dialog.deleteLater()

    def _cancelled(self, dialog: QProgressDialog, task: Task, path: Path) -> None:
        self._done(dialog)
        if task is self.task:  # not when a later open superseded it
            self.files.status.emit(f"Did not open {path.name}: cancelled", 5000)

    def close(self) -> None:
        if self.dialog is not None:
            self._done(self.dialog)
