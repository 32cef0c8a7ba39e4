"""The training command as a child process: the app follows ``composer-gui train --progress-json``
line by line and never imports TensorFlow itself.

One :class:`TrainingProcess` runs one command (``--check`` of a folder, a training run, a resume)
on a QProcess; each JSON line on stdout becomes an ``event`` signal (ml/train.py and
ml/corpora.py say what the events hold), anything else is kept as the log's tail. ``stop`` kills
the process: training keeps its last checkpoint by atomic renames, so a killed run resumes from
its last finished epoch.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import deque

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

from composer_gui.resources import is_frozen

INSTALL_TEXT = (
    "Training needs TensorFlow, which this copy of Composer does not include.\n\n"
    "Install Composer with its training extra from the source code:\n"
    "    pip install \"composer-gui[train]\"   (or, in a checkout: pip install -e \".[train]\")\n"
    "then start it with `composer-gui` and choose Model > Train on My Music again, or train from "
    "a terminal:\n"
    "    composer-gui train --data-dir FOLDER --name NAME\n\n"
    "The models you train there appear in this app too (your models folder is shared)."
)


def training_unavailable() -> str | None:
    """Why this installation cannot train (the bundled app has no TensorFlow), else None.
    Looks the package up without importing it (the import alone costs seconds)."""
    if is_frozen():
        return INSTALL_TEXT
    try:
        found = importlib.util.find_spec("tensorflow") is not None
    except (ImportError, ValueError):
        found = False
    return None if found else INSTALL_TEXT


def default_program() -> list[str]:
    """How to run ``composer-gui``: this Python with the package's ``__main__``."""
    return [sys.executable, "-m", "composer_gui"]


class TrainingProcess(QObject):
    """One run of the training command; ``event`` for each progress line."""

    event = Signal(dict)
    ended = Signal(int, bool)  # exit code, stopped by the user

    def __init__(self, args: list[str], program: list[str] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.command = [*(program or default_program()), *args]
        self.log: deque[str] = deque(maxlen=40)
        self.stopped = False
        self.error: str | None = None  # the last "error" event's message
        self._buffer = b""
        self._proc = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()  # read now: tests redirect the folders
        env.insert("PYTHONUNBUFFERED", "1")
        env.insert("TF_CPP_MIN_LOG_LEVEL", "2")
        self._proc.setProcessEnvironment(env)
        self._proc.readyReadStandardOutput.connect(self._read_stdout)
        self._proc.readyReadStandardError.connect(self._read_stderr)
        self._proc.finished.connect(self._finished)
        self._proc.errorOccurred.connect(self._failed_to_start)

    @property
    def running(self) -> bool:
        return self._proc.state() != QProcess.ProcessState.NotRunning

    def start(self) -> TrainingProcess:
        self._proc.start(self.command[0], self.command[1:])
        return self

    def stop(self) -> None:
        """Kill the run (its checkpoint holds every finished epoch)."""
        if self.running:
            self.stopped = True
            self._proc.kill()

    def wait(self, ms: int) -> bool:
        return self._proc.waitForFinished(ms)

    def pid(self) -> int:
        return int(self._proc.processId())

    # ----- output ----------------------------------------------------------------------------
    def _read_stdout(self) -> None:
        self._buffer += bytes(self._proc.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        for raw in lines:
            line = raw.decode("utf-8", "replace").strip()
            if not line:
                continue
            try:
                event = json.loads(line)
            except ValueError:
                self.log.append(line)
                continue
            if isinstance(event, dict) and "event" in event:
                if event["event"] == "error":
                    self.error = str(event.get("message", ""))
                self.event.emit(event)
            else:
                self.log.append(line)

    def _read_stderr(self) -> None:
        text = bytes(self._proc.readAllStandardError()).decode("utf-8", "replace")
        for line in text.replace("\r", "\n").splitlines():
            if line.strip():
                self.log.append(line.rstrip())

    def _finished(self, code: int, _status) -> None:
        self._read_stdout()
        self.ended.emit(-1 if self.stopped else int(code), self.stopped)

    def _failed_to_start(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.error = f"could not start {self.command[0]} ({self._proc.errorString()})"
            self.ended.emit(127, False)

    def last_words(self) -> str:
        """The error event's message, else the end of the log (for a run that failed)."""
        if self.error:
            return self.error
        tail = [line for line in self.log if "%|" not in line][-6:]
        return "\n".join(tail) or "the training command ended with an error"
