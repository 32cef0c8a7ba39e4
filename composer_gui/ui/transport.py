"""The transport: Play/Stop, play from a tick, loop a range, audition a key, and the playhead.

``Transport`` is a QObject the main window owns and wires up (see its docstring). Sound goes to
QtMultimedia's ``QAudioSink`` (PySide6-Addons) and/or to a MIDI output port. The synth does not
run on the GUI thread: ``audio.mixer.Mixer`` mixes ahead on a thread of its own and the sink's
pull only copies what it mixed. The playhead follows the audio clock: the sink's processed
time, mapped through the mixer to the frame being heard, so it moves in step with what is
heard, not with a timer. Without an audio device (no sound server, CI,
``COMPOSER_GUI_NO_AUDIO=1``) the transport says so once (``availableChanged(False)`` +
``message``) and plays to the MIDI output if one is chosen; auditioning and everything else in
the app keep working.

The audio side is behind ``AudioBackend`` (open with a source to pull from / played_seconds /
close), so tests drive the transport with a fake device whose clock they set. A SoundFont that
is not loaded yet when a key is clicked is loaded on a thread; the click sounds when it is.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Protocol

import numpy as np
from PySide6.QtCore import QIODevice, QObject, Qt, QThread, QTimer, Signal, Slot

from composer_gui.audio.mixer import Mixer
from composer_gui.audio.playback import PlaybackEngine, Timeline
from composer_gui.music.score import Score

log = logging.getLogger(__name__)

NO_AUDIO_ENV = "COMPOSER_GUI_NO_AUDIO"
BUFFER_SECONDS = 0.1  # what the device holds ahead: the latency of Play and of a clicked key
IDLE_SECONDS = 3.0  # silence after which the device is suspended
PENDING_SECONDS = 1.0  # a key clicked while the SoundFont loads sounds if it loads within this


class AudioUnavailable(Exception):
    """No audio output can be used; ``str()`` is the status-bar message."""


class AudioBackend(Protocol):
    """An audio output that pulls PCM from ``source(frames) -> float32 (frames, 2)``.

    ``realtime`` (optional, default False): True for a device that plays on its own clock
    whether or not it gets data (QAudioSink): it gets silence when the mixer falls behind.
    Otherwise (a test's fake device) a pull waits for the mixer."""

    sample_rate: int

    def open(self, sample_rate: int, source: Callable[[int], np.ndarray]) -> int:
        """Start pulling from ``source``; returns the sample rate the device runs at (the
        transport renders at it). Raises AudioUnavailable."""

    def played_seconds(self) -> float:
        """Seconds of audio the device has played since ``open``."""

    def suspend(self) -> None:
        """Pause pulling and playing (the clock stops); ``resume()`` goes on."""

    def resume(self) -> None: ...

    def close(self) -> None: ...


class _PullSource(QIODevice):
    """What QAudioSink reads from (pull mode): each read renders the frames asked for."""

    def __init__(self, source: Callable[[int], np.ndarray]) -> None:
        super().__init__()
        self._source = source

    def readData(self, maxlen: int) -> bytes:
        frames = maxlen // 4
        if frames <= 0:
            return b""
        pcm = self._source(frames)
        return (np.clip(pcm, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()

    def writeData(self, data) -> int:
        return -1

    def bytesAvailable(self) -> int:
        return (1 << 20) + super().bytesAvailable()

    def isSequential(self) -> bool:
        return True


class _SinkControl(QObject):
    """Lives on the audio thread: runs the sink's suspend / resume there (a QAudioSink must be
    driven from the thread it was made on)."""

    def __init__(self, sink) -> None:
        super().__init__()
        self._sink = sink

    @Slot()
    def suspend(self) -> None:
        self._sink.suspend()

    @Slot()
    def resume(self) -> None:
        self._sink.resume()


class _AudioThread(QThread):
    """A thread with its own event loop for the audio device, so that its pulls go on while
    the GUI thread is busy. ``make()`` runs on it and returns ``(sink, io)``: anything with
    ``suspend()`` / ``resume()`` / ``stop()``, and the QIODevice it pulls from; both stay on
    this thread until ``close()`` stops them there."""

    _suspend = Signal()
    _resume = Signal()

    def __init__(self, make: Callable[[], tuple[object, QIODevice]]) -> None:
        super().__init__()
        self.setObjectName("composer-audio-device")
        self._make = make
        self._ready = threading.Event()
        self.sink = None
        self.error: Exception | None = None

    def open(self):
        """Start the thread and make the sink on it; returns the sink or raises what
        ``make`` raised."""
        self.start(QThread.Priority.TimeCriticalPriority)
        self._ready.wait()
        if self.error is not None:
            self.wait()
            raise self.error
        return self.sink

    def run(self) -> None:
        try:
            sink, io = self._make()
        except Exception as exc:
            self.error = exc
            self._ready.set()
            return
        control = _SinkControl(sink)
        blocking = Qt.ConnectionType.BlockingQueuedConnection
        self._suspend.connect(control.suspend, blocking)
        self._resume.connect(control.resume, blocking)
        self.sink = sink
        self._ready.set()
        self.exec()
        sink.stop()
        io.close()

    def suspend(self) -> None:
        self._suspend.emit()

    def resume(self) -> None:
        self._resume.emit()

    def close(self) -> None:
        self.quit()
        self.wait()
        self.sink = None


class QtAudioBackend:
    """QAudioSink in pull mode (the device asks for each block when it needs it), 16-bit stereo
    at 44.1 kHz or the device's preferred rate. Its clock is the sink's processed time: what the
    sound server has taken, which is within its own latency of what is heard.

    The sink lives on a thread of its own (``_AudioThread``): a sink pulls on the thread it was
    made on, and on the GUI thread any stall longer than its buffer (100 ms) was a dropout, mixed
    ahead or not. Its pull copies from the mixer's ring and nothing more."""

    realtime = True

    def __init__(self, buffer_seconds: float = BUFFER_SECONDS) -> None:
        self.buffer_seconds = buffer_seconds
        self.sample_rate = 44100
        self._thread: _AudioThread | None = None

    @staticmethod
    def probe() -> str:
        """'' if a default audio output exists, else the reason there is none."""
        if os.environ.get(NO_AUDIO_ENV):
            return f"audio output is turned off ({NO_AUDIO_ENV} is set)"
        try:
            from PySide6.QtMultimedia import QMediaDevices
        except ImportError as exc:
            return ("audio playback needs QtMultimedia (the PySide6-Addons package) and its "
                    f"system libraries ({exc})")
        if QMediaDevices.defaultAudioOutput().isNull():
            return "no audio output device found"
        return ""

    def open(self, sample_rate: int, source: Callable[[int], np.ndarray]) -> int:
        reason = self.probe()
        if reason:
            raise AudioUnavailable(reason)
        from PySide6.QtMultimedia import QAudioFormat, QMediaDevices

        device = QMediaDevices.defaultAudioOutput()
        fmt = QAudioFormat()
        fmt.setChannelCount(2)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        fmt.setSampleRate(sample_rate)
        if not device.isFormatSupported(fmt):
            fmt.setSampleRate(device.preferredFormat().sampleRate())

        def make():  # on the audio thread
            from PySide6.QtMultimedia import QAudioSink

            sink = QAudioSink(device, fmt)
            sink.setBufferSize(int(fmt.sampleRate() * self.buffer_seconds) * 4)
            io = _PullSource(source)
            io.open(QIODevice.OpenModeFlag.ReadOnly)
            sink.start(io)
            if sink.error().name != "NoError":  # QAudio / QtAudio enums differ between versions
                sink.stop()
                raise AudioUnavailable(f"the audio output {device.description()!r} cannot be "
                                       f"opened ({sink.error().name})")
            return sink, io

        thread = _AudioThread(make)
        thread.open()
        self._thread = thread
        self.sample_rate = fmt.sampleRate()
        return self.sample_rate

    def played_seconds(self) -> float:
        # read from the GUI thread while the sink runs on its own: a getter of the count of
        # bytes the sink has handed on (no sound card here to try it against one)
        sink = self._thread.sink if self._thread is not None else None
        return sink.processedUSecs() / 1e6 if sink is not None else 0.0

    def suspend(self) -> None:
        if self._thread is not None:
            self._thread.suspend()

    def resume(self) -> None:
        if self._thread is not None:
            self._thread.resume()

    def close(self) -> None:
        if self._thread is not None:
            self._thread.close()
        self._thread = None


class Transport(QObject):
    """Play/stop, position, loop and audition for one score; emits the playhead.

    Wiring in the main window:
    - ``set_score(doc.score)`` whenever the score changes (while playing, the new notes are heard
      from the playhead on);
    - Space -> ``stop()`` or ``play()``; Home -> ``set_position(0)``; the cursor / a ruler click
      -> ``set_position(tick)``; play from the cursor with ``play()`` or from a tick with
      ``play(tick)``; loop the selection or a ruler range with ``set_loop(a, b)`` /
      ``clear_loop()``;
    - ``positionChanged(tick)`` -> the roll's playhead (and scroll it into view);
      ``playingChanged(bool)`` -> the Play button's state;
    - ``message(str)`` -> the status bar; ``availableChanged(bool)`` -> enable Play (it is also
      enabled when a MIDI output is chosen);
    - a clicked key, a drawn or moved note -> ``audition(pitch, velocity, program)``;
    - a Continue proposal in context: ``set_score(merged)`` then ``play(first_bar_tick)``;
    - MIDI output: ``set_midi_output(port or None)`` (``midi_output`` is the one kept);
      ``set_synth_enabled(False)`` plays to it only;
    - a MIDI keyboard's notes (monitoring): ``note_on(pitch, velocity, program)`` / ``note_off``;
    - ``preload()`` once the window shows; ``shutdown()`` when it closes.
    """

    positionChanged = Signal(int)
    playingChanged = Signal(bool)
    availableChanged = Signal(bool)
    loopChanged = Signal(object)  # (start, end) or None
    message = Signal(str)
    _synthLoaded = Signal(object, object)  # (synth, error), emitted by the loading thread

    def __init__(self, parent: QObject | None = None, *, backend: AudioBackend | None = None,
                 synth=None, clock=None, interval_ms: int = 15) -> None:
        super().__init__(parent)
        self._backend = backend if backend is not None else QtAudioBackend()
        self._synth = synth
        self._engine: PlaybackEngine | None = None
        self._wall = clock or time.perf_counter
        self._available: bool | None = None
        self._reason = ""
        self._open = False
        self._score = Score()
        self._position = 0
        self._loop: tuple[int, int] | None = None
        self._timeline: Timeline | None = None
        self._mixer: Mixer | None = None
        self._origin = 0  # the engine frame of this playback's first frame
        self._early = 0  # frames the device pulled before the mixer was made
        self._pending: list[tuple[float, str, tuple, dict]] = []  # calls made while loading
        self._loading = False
        self._playing = False
        self._audio_clock = False
        self._synth_enabled = True
        self._midi_out = None
        self._midi_player = None
        self._wall_start = 0.0
        self._idle_since: float | None = None
        self._suspended = False
        self.first_write_at: float | None = None  # perf_counter of the first block pulled
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._pump)
        self._synthLoaded.connect(self._synth_loaded)

    # ----- state ------------------------------------------------------------------------------
    @property
    def available(self) -> bool:
        """Whether built-in audio can play (probed once, on first use)."""
        if self._available is None:
            self._probe()
        return bool(self._available)

    @property
    def unavailable_reason(self) -> str:
        self.available  # noqa: B018 - probes
        return self._reason

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def position(self) -> int:
        return self._position

    @property
    def loop(self) -> tuple[int, int] | None:
        return self._loop

    @property
    def score(self) -> Score:
        return self._score

    @property
    def has_synth(self) -> bool:
        """Whether the synth (the SoundFont) is loaded or was given."""
        return self._synth is not None

    @property
    def engine(self) -> PlaybackEngine:
        """The engine (loads the SoundFont here, on the calling thread, if it is not loaded)."""
        if self._engine is None:
            if self._synth is None:
                from composer_gui.audio.render import default_synth

                self._synth = default_synth(self._rate())
            self._engine = PlaybackEngine(self._synth)
        return self._engine

    @property
    def midi_output(self):
        """The MIDI output port playback also goes to (``set_midi_output``), or None."""
        return self._midi_out

    def _rate(self) -> int:
        return getattr(self._backend, "sample_rate", 44100)

    def _synth_ready(self) -> bool:
        """Whether the synth is here without loading it (given, or loaded by anyone)."""
        if self._synth is None:
            from composer_gui.audio.render import loaded_synth

            self._synth = loaded_synth(self._rate())
        return self._synth is not None

    def preload(self) -> None:
        """Load the SoundFont now (about 0.15 s) rather than on the first Play or clicked key;
        e.g. ``QTimer.singleShot(0, transport.preload)`` once the window shows."""
        if self.available:
            self._ensure_open()
            self._suspend()

    def _probe(self) -> None:
        probe = getattr(self._backend, "probe", None)
        reason = probe() if probe else ""
        self._set_available(not reason, reason)

    def _set_available(self, ok: bool, reason: str = "") -> None:
        changed = self._available is not ok
        self._available, self._reason = ok, reason
        if changed:
            self.availableChanged.emit(ok)
            if not ok:
                self.message.emit(f"Playback is off: {reason}.")

    # ----- score, position, loop -------------------------------------------------------------
    def set_score(self, score: Score) -> None:
        self._score = score
        if self._playing:
            self._restart(self._position)

    def set_position(self, tick: int) -> None:
        tick = max(0, int(tick))
        if self._playing:
            self._restart(tick)
        elif tick != self._position:
            self._position = tick
            self.positionChanged.emit(tick)

    def set_loop(self, start: int, end: int) -> None:
        if not 0 <= start < end:
            raise ValueError(f"a loop needs 0 <= start < end, not {start}..{end}")
        self._loop = (int(start), int(end))
        self.loopChanged.emit(self._loop)
        if self._playing:
            self._restart(self._position)

    def clear_loop(self) -> None:
        if self._loop is not None:
            self._loop = None
            self.loopChanged.emit(None)
            if self._playing:
                self._restart(self._position)

    # ----- MIDI output ------------------------------------------------------------------------
    def set_midi_output(self, port) -> None:
        """Also send playback to ``port`` (anything with ``send(message)``; None: stop)."""
        was = self._playing
        if was:
            self.stop()
        self._midi_out = port
        if was:
            self.play(self._position)

    def set_synth_enabled(self, enabled: bool) -> None:
        self._synth_enabled = bool(enabled)

    # ----- play / stop ------------------------------------------------------------------------
    def play(self, from_tick: int | None = None) -> bool:
        """Start at ``from_tick`` (default: the current position). False, with a ``message``,
        when there is nothing to play or nothing to play it on."""
        if self._playing:
            self.stop()
        start = self._position if from_tick is None else max(0, int(from_tick))
        if not self._score.note_count:
            self.message.emit("Nothing to play: the score is empty.")
            return False
        if start >= self._score.end_tick and not (self._loop and start < self._loop[1]):
            start = 0 if self._loop is None else self._loop[0]
        use_audio = self._synth_enabled and self._ensure_open()
        if not use_audio and self._midi_out is None:
            if self._synth_enabled:
                self.message.emit(f"Cannot play: {self._reason}. Choose a MIDI output to play "
                                  "to a synth or DAW, or export audio.")
            else:
                self.message.emit("Cannot play: the built-in synth is off and no MIDI output "
                                  "is chosen.")
            return False
        self._begin(start, use_audio)
        return True

    def _begin(self, start: int, use_audio: bool) -> None:
        self.first_write_at = None
        if use_audio:
            with self._mixer.change() as at:
                self._timeline = self.engine.start(self._score, start, self._loop, at=at)
            self._origin = at
            for w in self.engine.warnings:
                self.message.emit(f"Note: {w}.")
        else:
            self._timeline = Timeline(self._score, start, self._loop, 44100, 0)
        self._audio_clock = use_audio
        self._wall_start = self._wall()
        self._playing = True
        self._position = start
        if self._midi_out is not None:
            self._start_midi(use_audio)
        self._timer.start()
        self.positionChanged.emit(start)
        self.playingChanged.emit(True)

    def _restart(self, tick: int) -> None:
        """Replay from ``tick`` keeping the device open (an edit, a seek, a loop change)."""
        use_audio = self._audio_clock
        self._stop_sources()
        self._begin(tick, use_audio)

    def stop(self) -> None:
        if not self._playing:
            return
        self._stop_sources()
        self._playing = False
        self._timeline = None
        # the device stays open, playing silence (what it still holds, <= BUFFER_SECONDS, plays
        # out first), and is suspended when idle: re-opening a sink can take a second on some
        # sound servers (PulseAudio), resuming one is immediate
        self.playingChanged.emit(False)

    def _stop_sources(self) -> None:
        if self._mixer is not None:
            with self._mixer.change() as at:
                self._engine.stop(at=at)
        elif self._engine is not None:
            self._engine.stop()
        if self._midi_player is not None:
            self._midi_player.stop()
            if self._midi_player.error:
                self.message.emit(self._midi_player.error)
            self._midi_player = None

    def _start_midi(self, with_audio: bool) -> None:
        from composer_gui.audio.midi_io import MidiPlayer

        tl = self._timeline
        sr = tl.sample_rate

        def passes():
            for p in tl.passes():
                yield p.offset / sr, p.start_tick, p.end_tick

        delay = getattr(self._backend, "buffer_seconds", 0.0) if with_audio else 0.0
        self._midi_player = MidiPlayer(self._midi_out, self._score, passes(), delay=delay)
        self._midi_player.start()

    # ----- audition -----------------------------------------------------------------------------
    def audition(self, pitch: int, velocity: int = 100, program: int = 0, *, drum: bool = False,
                 seconds: float = 0.5) -> bool:
        """Sound one note now (a clicked key, a drawn note). False if it cannot sound."""
        if self._midi_out is not None and not (self._synth_enabled and self.available):
            self._midi_note(pitch, velocity, seconds, drum)
            return True
        if not self.available:
            return False
        if not self._synth_ready():  # clicked before the SoundFont is loaded: sounds once it is
            self._defer("audition", (pitch, velocity, program), drum=drum, seconds=seconds)
            return True
        if not self._ensure_open():
            return False
        with self._mixer.change() as at:
            self.engine.audition(pitch, velocity, program, drum=drum, seconds=seconds, at=at)
        self._idle_since = None
        if not self._timer.isActive():
            self._timer.start()
        return True

    def note_on(self, pitch: int, velocity: int = 100, program: int = 0, *,
                drum: bool = False) -> bool:
        """Start a note held until ``note_off`` (monitoring a MIDI keyboard while recording,
        or a key held down on the roll's keyboard)."""
        if self._midi_out is not None and not (self._synth_enabled and self.available):
            import mido

            self._midi_out.send(mido.Message("note_on", channel=9 if drum else 0, note=pitch,
                                             velocity=velocity))
            return True
        if not self.available:
            return False
        if not self._synth_ready():
            self._defer("note_on", (pitch, velocity, program), drum=drum)
            return True
        if not self._ensure_open():
            return False
        with self._mixer.change() as at:
            self.engine.note_on(pitch, velocity, program, drum=drum, at=at)
        self._idle_since = None
        if not self._timer.isActive():
            self._timer.start()
        return True

    def note_off(self, pitch: int, *, drum: bool = False) -> None:
        if self._midi_out is not None and not (self._synth_enabled and self.available):
            import mido

            self._midi_out.send(mido.Message("note_off", channel=9 if drum else 0, note=pitch,
                                             velocity=0))
            return
        if self._pending:
            self._pending.append((self._wall(), "note_off", (pitch,), {"drum": drum}))
        elif self._mixer is not None:
            with self._mixer.change() as at:
                self._engine.note_off(pitch, at=at)
        elif self._engine is not None:
            self._engine.note_off(pitch)

    def all_notes_off(self) -> None:
        """Release every held note (``note_on``), on the synth and the MIDI output."""
        self._pending = [p for p in self._pending if p[1] == "audition"]
        if self._mixer is not None:
            with self._mixer.change() as at:
                self._engine.all_notes_off(at=at)
        elif self._engine is not None:
            self._engine.all_notes_off()
        if self._midi_out is not None:
            from composer_gui.audio.midi_io import all_notes_off

            for message in all_notes_off(range(16)):
                self._midi_out.send(message)

    def _midi_note(self, pitch: int, velocity: int, seconds: float, drum: bool) -> None:
        import mido

        ch = 9 if drum else 0
        port = self._midi_out
        port.send(mido.Message("note_on", channel=ch, note=pitch, velocity=velocity))
        QTimer.singleShot(round(seconds * 1000), self, lambda: port.send(
            mido.Message("note_off", channel=ch, note=pitch, velocity=0)))

    # ----- the SoundFont, loaded off the GUI thread for an early click --------------------------
    def _defer(self, method: str, args: tuple, **kwargs) -> None:
        self._pending.append((self._wall(), method, args, kwargs))
        if self._loading:
            return
        from composer_gui.audio.render import load_synth_in_background

        def done(synth, error) -> None:  # on the loading thread: the signal queues it over
            with contextlib.suppress(RuntimeError):  # RuntimeError: the transport is gone
                self._synthLoaded.emit(synth, error)

        self._loading = True
        load_synth_in_background(self._rate(), done)

    def _synth_loaded(self, synth, error) -> None:
        self._loading = False
        pending, self._pending = self._pending, []
        if error is not None:
            self._set_available(False, str(error))
            return
        if self._synth is None:
            self._synth = synth
        now = self._wall()
        for when, method, args, kwargs in pending:
            if method == "audition" and now - when > PENDING_SECONDS:
                continue  # too late to be heard as the click's sound: dropped
            getattr(self, method)(*args, **kwargs)

    # ----- the device -------------------------------------------------------------------------
    def _ensure_open(self) -> bool:
        if self._open:
            if self._suspended:
                self._backend.resume()
                self._suspended = False
            if not self._timer.isActive():
                self._timer.start()
            return True
        if not self.available:
            return False
        from composer_gui.audio.soundfont import SoundFontError

        try:
            self.engine  # noqa: B018 - loads the SoundFont (once)
        except SoundFontError as exc:
            self._set_available(False, str(exc))
            return False
        self._early = 0
        try:
            rate = self._backend.open(self.engine.sample_rate, self._pull)
        except Exception as exc:  # AudioUnavailable, or the device vanished between probe and open
            self._set_available(False, str(exc))
            return False
        if rate != self.engine.sample_rate:  # the device wants another rate: render at it
            from composer_gui.audio.synth import Synth

            self._synth = Synth(self.engine.synth.soundfont, rate)
            self._engine = PlaybackEngine(self._synth)
        self._mixer = Mixer(self._engine, realtime=bool(getattr(self._backend, "realtime", False)),
                            silence_before=self._early)
        self._mixer.start()
        self._open = True
        return True

    def _close(self) -> None:
        if self._open:
            self._backend.close()
            self._open = False
        if self._mixer is not None:
            self._mixer.close()
            self._mixer = None
        self._suspended = False
        self._idle_since = None
        if not self._playing:
            self._timer.stop()

    def _suspend(self) -> None:
        if self._open and not self._suspended:
            suspend = getattr(self._backend, "suspend", None)
            if suspend is not None:
                suspend()
                self._suspended = True
        self._idle_since = None
        if not self._playing:
            self._timer.stop()

    def _pull(self, frames: int) -> np.ndarray:
        """The device asks for the next ``frames`` (from QAudioSink, on whichever thread it
        pulls): a copy out of the mixer's ring, never a render."""
        mixer = self._mixer
        if mixer is None:  # pulled while opening, before the mixer is made
            self._early += frames
            return np.zeros((frames, 2), np.float32)
        pcm = mixer.pull(frames)
        if self.first_write_at is None and mixer.delivered:
            self.first_write_at = time.perf_counter()
        return pcm

    def played_seconds(self) -> float:
        """Seconds of this playback heard so far (the audio clock, else the wall clock)."""
        if self._audio_clock and self._mixer is not None:
            sr = self.engine.sample_rate
            played = round(self._backend.played_seconds() * sr)
            return max(0.0, (self._mixer.heard_frame(played) - self._origin) / sr)
        return max(0.0, self._wall() - self._wall_start)

    def _pump(self) -> None:
        if self._playing and self._timeline is not None:
            tick, finished = self._timeline.position(self.played_seconds())
            if tick != self._position:
                self._position = tick
                self.positionChanged.emit(tick)
            if finished:
                self.stop()
                return
        elif self._open and not self.engine.busy:
            now = self._wall()
            if self._idle_since is None:
                self._idle_since = now
            elif now - self._idle_since > IDLE_SECONDS:  # nothing sounds: rest the device
                self._suspend()
        elif not self._open:
            self._timer.stop()

    def shutdown(self) -> None:
        """Stop everything and release the device and ports (call on window close)."""
        self.stop()
        self._close()
