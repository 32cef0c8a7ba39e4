"""Helpers for the UI tests: a fake generation backend and mouse helpers that send real
QMouseEvents to the widgets (QTest's mouseMove cannot hold a button down in Qt 6)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from composer_gui.music.score import TPQ, Note

LEFT = Qt.MouseButton.LeftButton
NO_MOD = Qt.KeyboardModifier.NoModifier


# ----- a stand-in for composer_gui.ml (same shapes as ModelInfo / GeneratedNote) ------------------
@dataclass(frozen=True)
class FakeModelInfo:
    name: str
    path: Path
    summary: str


@dataclass(frozen=True)
class FakeGenerated:
    variation: int
    note: Note


@dataclass
class FakeBackend:
    """Yields ``per_variation`` quarter notes per variation after the start, ``delay`` s apart
    (none for the variations in ``silent``). ``endless``: keep going until cancelled.
    ``error``: raise it after ``fail_after`` notes."""

    delay: float = 0.002
    per_variation: int = 8
    endless: bool = False
    error: Exception | None = None
    fail_after: int = 0
    silent: tuple[int, ...] = ()
    calls: list = field(default_factory=list)
    threads: set = field(default_factory=set)

    def list_models(self):
        return [FakeModelInfo("fake-lstm", Path("/nonexistent/fake-lstm"), "A fake model: "
                              "quarter notes up a scale (tests only)")]

    def stream(self, model, score, options, cancel: threading.Event):
        self.calls.append((model, score, options))
        self.threads.add(threading.get_ident())
        if options.end_tick is not None:
            start, end = options.start_tick, options.end_tick
        else:
            start = score.end_tick if options.start_tick is None else options.start_tick
            end = None
        i = 0
        while self.endless or i < self.per_variation:
            for v in range(options.variations):
                if cancel.is_set():
                    return
                if self.error is not None and i * options.variations + v >= self.fail_after:
                    raise self.error
                t = start + i * TPQ
                if end is not None and t >= end:
                    return
                if v not in self.silent:
                    yield FakeGenerated(v, Note(t, 60 + v + (i % 7), TPQ, 90))
                time.sleep(self.delay)
            i += 1


# ----- mouse helpers ------------------------------------------------------------------------------
def send_mouse(widget: QWidget, kind: QEvent.Type, pos, button=LEFT, buttons=None,
               modifiers=NO_MOD) -> None:
    local = QPointF(*pos) if isinstance(pos, tuple) else QPointF(pos)
    if buttons is None:
        buttons = button if kind != QEvent.Type.MouseButtonRelease else Qt.MouseButton.NoButton
    event = QMouseEvent(kind, local, widget.mapToGlobal(local), button, buttons, modifiers)
    QApplication.sendEvent(widget, event)


def press(widget, pos, button=LEFT, modifiers=NO_MOD) -> None:
    send_mouse(widget, QEvent.Type.MouseButtonPress, pos, button, button, modifiers)


def move(widget, pos, buttons=LEFT, modifiers=NO_MOD) -> None:
    send_mouse(widget, QEvent.Type.MouseMove, pos, Qt.MouseButton.NoButton, buttons, modifiers)


def release(widget, pos, button=LEFT, modifiers=NO_MOD) -> None:
    send_mouse(widget, QEvent.Type.MouseButtonRelease, pos, button, Qt.MouseButton.NoButton,
               modifiers)


def drag(widget, start, end, button=LEFT, modifiers=NO_MOD, steps: int = 6) -> None:
    press(widget, start, button, modifiers)
    for i in range(1, steps + 1):
        f = i / steps
        move(widget, (start[0] + (end[0] - start[0]) * f, start[1] + (end[1] - start[1]) * f),
             button, modifiers)
    release(widget, end, button, modifiers)


def click(widget, pos, button=LEFT, modifiers=NO_MOD) -> None:
    press(widget, pos, button, modifiers)
    release(widget, pos, button, modifiers)


def at(roll, tick: float, pitch: int) -> tuple[float, float]:
    """Canvas point inside the note cell at (tick, pitch), 2 px to the right of ``tick``."""
    x, y = roll.point_of(tick, pitch)
    return x + 2, y


@dataclass(frozen=True)
class ModelInfo:
    """A stand-in for generation.ModelInfo: what the Continue panel reads of a model."""

    name: str
    path: Path
    summary: str
    voices: tuple[str, ...] = ()
    about: str = ""
