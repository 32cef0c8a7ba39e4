"""Background work, Picard's way: run one function in a thread, post its results back by signals.

``Task(fn)`` runs ``fn(ctx)`` in its own QThread. ``ctx.report(item)`` hands partial results to the
GUI thread; they arrive batched (at most one ``progress`` signal per ``batch_ms``), so a fast
producer never floods the event loop. ``ctx.cancel`` is a ``threading.Event`` that
``Task.cancel()`` sets. Exactly one of ``finished(result)``, ``failed(message)`` or
``cancelled()`` follows the last ``progress``.

A running task keeps itself alive (a module-level registry) until its thread has finished, so a
QThread is never destroyed while it runs; ``shutdown()`` cancels and waits for all of them at exit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal

log = logging.getLogger(__name__)

# Exceptions whose str() is written for the user; anything else is a bug and says its type.
_USER_FACING = ("ScoreFileError", "ModelError", "ValueError", "OSError", "FileNotFoundError",
                "PermissionError", "SoundFontError", "MidiUnavailable", "AudioUnavailable")

# ... and those that are the user's input, not a bug: logged in a line, without a traceback
_EXPECTED = ("ScoreFileError", "ModelError", "FileNotFoundError", "PermissionError",
             "SoundFontError", "MidiUnavailable", "AudioUnavailable")

_RUNNING: set[Task] = set()


def user_message(exc: BaseException) -> str:
    text = str(exc).strip()
    names = {c.__name__ for c in type(exc).__mro__}
    if names & set(_USER_FACING) and text:
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class TaskContext:
    """What the background function sees: a cancel flag and ``report`` for partial results."""

    def __init__(self, notify: Callable[[], None]) -> None:
        self.cancel = threading.Event()
        self._notify = notify
        self._lock = threading.Lock()
        self._buffer: list[Any] = []

    @property
    def cancelled(self) -> bool:
        return self.cancel.is_set()

    def report(self, item: Any) -> None:
        with self._lock:
            wake = not self._buffer
            self._buffer.append(item)
        if wake:
            self._notify()

    def take(self) -> list[Any]:
        with self._lock:
            items, self._buffer = self._buffer, []
        return items


class _Thread(QThread):
    wake = Signal()

    def __init__(self, fn: Callable[[TaskContext], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.ctx = TaskContext(self.wake.emit)
        self.outcome: tuple[str, Any] = ("cancelled", None)

    def run(self) -> None:
        try:
            result = self.fn(self.ctx)
        except BaseException as exc:  # the worker must never take the app down
            # a file the composer chose that is not music, a missing model: the message says
            # it all (a review read a traceback on the console for each bad file opened); a
            # bug keeps its traceback for the log
            expected = {c.__name__ for c in type(exc).__mro__} & set(_EXPECTED)
            log.warning("background task failed: %s", exc, exc_info=not expected)
            self.outcome = ("failed", user_message(exc))
        else:
            self.outcome = ("cancelled", None) if self.ctx.cancelled else ("finished", result)


class Task(QObject):
    """One function running off the GUI thread. Connect the signals, then call ``start()``."""

    progress = Signal(list)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, fn: Callable[[TaskContext], Any], *, batch_ms: int = 30,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = _Thread(fn)
        self._thread.wake.connect(self._on_wake)
        self._thread.finished.connect(self._on_thread_finished)
        self._batch_ms = batch_ms
        self._last_flush = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._flush)
        self._done = False

    # ----- control ----------------------------------------------------------------------------
    def start(self) -> Task:
        _RUNNING.add(self)
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._thread.ctx.cancel.set()

    @property
    def running(self) -> bool:
        return self in _RUNNING

    def wait(self, ms: int = 5000) -> bool:
        """Block until the thread ends (shutdown, tests); its signals still need the event loop."""
        return self._thread.wait(ms)

    # ----- GUI-thread side ----------------------------------------------------------------------
    def _on_wake(self) -> None:
        if not self._timer.isActive():
            since = (time.perf_counter() - self._last_flush) * 1000
            self._timer.start(max(0, int(self._batch_ms - since)))

    def _flush(self) -> None:
        self._last_flush = time.perf_counter()
        items = self._thread.ctx.take()
        if items:
            self.progress.emit(items)

    def _on_thread_finished(self) -> None:
        if self._done:
            return
        self._done = True
        self._timer.stop()
        self._flush()
        _RUNNING.discard(self)
        kind, value = self._thread.outcome
        if kind == "finished":
            self.finished.emit(value)
        elif kind == "failed":
            self.failed.emit(value)
        else:
            self.cancelled.emit()


def shutdown(timeout_ms: int = 30_000) -> None:
    """Cancel every running task and wait for its thread (called when the app quits).

    Loading a model or the SoundFont can't be cancelled midway and takes seconds on a busy
    machine; Qt aborts the process if a QThread is destroyed while running, so wait generously."""
    for task in list(_RUNNING):
        task.cancel()
    deadline = time.monotonic() + timeout_ms / 1000
    for task in list(_RUNNING):
        task.wait(max(1, int((deadline - time.monotonic()) * 1000)))
