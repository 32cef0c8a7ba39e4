"""MIDI in the window: choosing ports, and recording a take from a MIDI keyboard.

``MidiPortsPanel`` is a small widget (input and output menus, a refresh button, a status line that
says why a menu is empty). ``MidiRecordSession`` records one take: it opens the input port, counts
in, monitors what is played through the transport's synth, shows the take live and hands it over
as a list of Notes when stopped, for the window to push as one undo command.

The port's thread only appends to a queue; everything else happens in the GUI thread.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QToolButton, QWidget

from composer_gui.audio import midi_io
from composer_gui.audio.midi_io import MidiRecorder, MidiUnavailable
from composer_gui.audio.timing import TempoMap
from composer_gui.music.score import Note, Score

NONE_ITEM = "(none)"
CLICK_HIGH, CLICK_LOW = 76, 77  # General MIDI hi / low wood block, for the count-in


PortList = tuple[list[str], str]  # (names, why the list is empty or '')


class MidiPortsPanel(QWidget):
    """Input and output menus; ``''`` means no port. The Refresh button asks for a new look
    (``refreshRequested``). Standing alone (``refresh=True``) the panel answers it itself with
    ``refresh()``; the window lists the ports in a worker instead (``list_ports()`` there,
    ``show_ports(...)`` here), because the first look opens the MIDI system, which takes a few
    hundred milliseconds."""

    inputChanged = Signal(str)
    outputChanged = Signal(str)
    portsShown = Signal()
    refreshRequested = Signal()

    def __init__(self, parent: QWidget | None = None, *, refresh: bool = True) -> None:
        super().__init__(parent)
        self.inputs = QComboBox(self)
        self.outputs = QComboBox(self)
        self.inputs.setToolTip("MIDI keyboard to record from")
        self.outputs.setToolTip("MIDI output: send playback to a synth or DAW")
        self.refresh_button = QToolButton(self)
        self.refresh_button.setText("Refresh")
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setObjectName("midiStatus")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (QLabel("MIDI in:"), self.inputs, QLabel("out:"), self.outputs,
                  self.refresh_button, self.status):
            layout.addWidget(w)
        layout.addStretch(1)
        self.refresh_button.clicked.connect(self.refreshRequested)
        self.inputs.currentTextChanged.connect(
            lambda t: self.inputChanged.emit("" if t == NONE_ITEM else t))
        self.outputs.currentTextChanged.connect(
            lambda t: self.outputChanged.emit("" if t == NONE_ITEM else t))
        if refresh:
            self.refreshRequested.connect(self.refresh)
            self.refresh()

    @staticmethod
    def list_ports() -> tuple[PortList, PortList]:
        """(inputs, outputs), each (names, message); safe to call from a worker thread."""
        return midi_io.port_status("input"), midi_io.port_status("output")

    def refresh(self) -> None:
        self.show_ports(*self.list_ports())

    def show_ports(self, inputs: PortList, outputs: PortList) -> None:
        messages = []
        for combo, (names, message) in ((self.inputs, inputs), (self.outputs, outputs)):
            current = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([NONE_ITEM, *names])
            combo.setCurrentText(current if current in names else NONE_ITEM)
            combo.setEnabled(bool(names))
            combo.blockSignals(False)
            if message and message not in messages:
                messages.append(message)
        self.status.setText("; ".join(messages))
        self.status.setToolTip(self.status.text())
        self.portsShown.emit()

    @property
    def empty_reason(self) -> str:
        """Why a menu is empty ('' when both list ports)."""
        return self.status.text()

    @property
    def input_name(self) -> str:
        t = self.inputs.currentText()
        return "" if t == NONE_ITEM else t

    @property
    def output_name(self) -> str:
        t = self.outputs.currentText()
        return "" if t == NONE_ITEM else t


class MidiRecordSession(QObject):
    """One take from a MIDI keyboard into the score at ``start_tick``.

    ``start(port, score, start_tick, grid, count_in_beats=4)`` opens the port (``None``: no port,
    for tests, which call ``feed`` themselves) and emits ``countIn(beats left)`` on each click;
    ``notesChanged(notes)`` shows the take while it grows; ``stop()`` returns the take and emits
    ``finished(notes)`` (the window pushes them as one undo step). Played notes are heard through
    ``transport`` (``note_on`` / ``note_off``), in ``program``.
    """

    notesChanged = Signal(list)
    finished = Signal(list)
    countIn = Signal(int)
    recordingChanged = Signal(bool)
    message = Signal(str)

    def __init__(self, parent: QObject | None = None, *, transport=None,
                 clock: Callable[[], float] = time.perf_counter,
                 open_input=midi_io.MidiInput) -> None:
        super().__init__(parent)
        self.transport = transport
        self._clock = clock
        self._open_input = open_input
        self._queue: collections.deque = collections.deque()
        self._port = None
        self._recorder: MidiRecorder | None = None
        self._beat = 0.5
        self._clicks_left = 0
        self._program = 0
        self._play_along = False
        self._shown: list[Note] = []
        self._last_show = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._drain)

    @property
    def recording(self) -> bool:
        return self._recorder is not None

    def start(self, port: str | None, score: Score, start_tick: int, grid: int, *,
              count_in_beats: int = 0, program: int = 0, play_along: bool = False) -> bool:
        if self.recording:
            self.stop()
        if port:
            try:
                self._port = self._open_input(port, self.feed, self._clock)
            except MidiUnavailable as exc:
                self.message.emit(str(exc))
                return False
        tempo = TempoMap(score)
        ts = score.time_signature_at(start_tick)
        beat_ticks = ts.beat_ticks
        self._beat = tempo.seconds(start_tick + beat_ticks) - tempo.seconds(start_tick)
        now = self._clock()
        self._t_start = now
        self._clicks_left = max(0, int(count_in_beats))
        self._clicks_total = self._clicks_left
        self._recorder = MidiRecorder(tempo, start_tick, grid,
                                      now + self._clicks_left * self._beat)
        self._program = program
        self._play_along = play_along
        self._score, self._start_tick = score, start_tick
        self._shown = []
        self._queue.clear()
        self._timer.start()
        self.recordingChanged.emit(True)
        self._drain()
        return True

    def feed(self, message, t: float) -> None:
        """Called from the port's thread (or a test): only queues."""
        self._queue.append((message, t))

    def _drain(self) -> None:
        rec = self._recorder
        if rec is None:
            return
        now = self._clock()
        self._count_in(now)
        while self._queue:
            message, t = self._queue.popleft()
            rec.feed(message, t)
            self._monitor(message)
        if now - self._last_show >= 0.05 or not self._queue:
            notes = rec.notes(now)
            if notes != self._shown:
                self._shown = notes
                self.notesChanged.emit(notes)
            self._last_show = now

    def _count_in(self, now: float) -> None:
        total = self._clicks_total
        while self._clicks_left > 0 and now >= self._t_start + (total - self._clicks_left) * \
                self._beat:
            first = self._clicks_left == total
            if self.transport is not None:
                self.transport.audition(CLICK_HIGH if first else CLICK_LOW, 100, drum=True,
                                        seconds=0.1)
            self._clicks_left -= 1
            self.countIn.emit(self._clicks_left + 1)
        if self._clicks_left == 0 and self._clicks_total >= 0 and now >= self._recorder.t0:
            self._clicks_total = -1  # counted in: recording proper begins
            self.countIn.emit(0)
            if self._play_along and self.transport is not None:
                self.transport.set_score(self._score)
                self.transport.play(self._start_tick)

    def _monitor(self, message) -> None:
        if self.transport is None:
            return
        kind = getattr(message, "type", "")
        if kind == "note_on" and message.velocity > 0:
            self.transport.note_on(message.note, message.velocity, self._program)
        elif kind in ("note_on", "note_off"):
            self.transport.note_off(message.note)

    def stop(self) -> list[Note]:
        """End the take; returns it (and emits ``finished``)."""
        if self._recorder is None:
            return []
        if self._port is not None:
            self._port.close()
            self._port = None
        now = self._clock()
        while self._queue:
            message, t = self._queue.popleft()
            self._recorder.feed(message, t)
        notes = self._recorder.finish(now)
        self._recorder = None
        self._timer.stop()
        if self.transport is not None:
            if self._play_along:
                self.transport.stop()
            self.transport.all_notes_off()
        self.recordingChanged.emit(False)
        self.finished.emit(notes)
        return notes
