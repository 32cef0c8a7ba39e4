"""MIDI ports (mido, with python-rtmidi as its backend), recording a take, sending a score.

The ports are behind two small interfaces so that the logic runs without any MIDI system:
- input: whoever owns a port calls ``MidiRecorder.feed(message, seconds)`` for each message, with
  timestamps from one clock (``MidiInput`` does that from rtmidi's thread with ``perf_counter``);
- output: anything with ``send(message)`` (a mido output port, or a list-like fake) takes what
  ``MidiPlayer`` sends at the right times.

No ports or no backend is an ordinary state, not a crash: ``MidiUnavailable`` carries a message for
the user. python-rtmidi is optional: on Python 3.13 and later it has no wheels (it would need a
compiler and the ALSA/JACK headers), so there the MIDI menus just say why they are empty.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from composer_gui.music.marks import pedal_events
from composer_gui.music.midi import SUSTAIN_PEDAL, pedal_marked
from composer_gui.music.score import DRUM_CHANNEL, Note, Score, assign_channels, round_to

from .timing import TempoMap

INSTALL_HINT = "install the python-rtmidi package (pip install python-rtmidi)"


class MidiUnavailable(Exception):
    """MIDI ports cannot be used; ``str()`` says why, for the user."""


# ----- ports --------------------------------------------------------------------------------------
def _mido():
    try:
        import mido
    except ImportError:  # pragma: no cover - mido is a core dependency
        raise MidiUnavailable("MIDI needs the mido package") from None
    try:
        import rtmidi  # noqa: F401  (mido's default backend)
    except ImportError:
        raise MidiUnavailable(f"MIDI ports are off: {INSTALL_HINT}") from None
    return mido


def _names(kind: str) -> list[str]:
    mido = _mido()
    try:
        names = mido.get_input_names() if kind == "input" else mido.get_output_names()
    except Exception as exc:  # rtmidi raises its own errors when ALSA/CoreMIDI is missing
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise MidiUnavailable(f"the MIDI system cannot be opened ({detail})") from None
    return list(dict.fromkeys(names))


def input_names() -> list[str]:
    """Names of the MIDI inputs (keyboards); raises ``MidiUnavailable`` without a backend."""
    return _names("input")


def output_names() -> list[str]:
    """Names of the MIDI outputs (synths, DAWs); raises ``MidiUnavailable`` without a backend."""
    return _names("output")


def port_status(kind: str) -> tuple[list[str], str]:
    """(names, message) for a port menu: the message says why the list is empty, else ''."""
    try:
        names = _names(kind)
    except MidiUnavailable as exc:
        return [], str(exc)
    if not names:
        what = "keyboard" if kind == "input" else "synth or DAW"
        return [], f"no MIDI {kind} ports found: connect a {what} and refresh"
    return names, ""


class MessageSink(Protocol):
    def send(self, message) -> None: ...


class MidiInput:
    """An open input port that calls ``on_message(message, seconds)`` from the backend's thread,
    timestamped with ``clock`` (``time.perf_counter``) as the message arrives."""

    def __init__(self, name: str, on_message: Callable[[object, float], None],
                 clock: Callable[[], float] = time.perf_counter) -> None:
        mido = _mido()
        self.name = name
        self._clock = clock
        self._on_message = on_message
        try:
            self._port = mido.open_input(name, callback=self._callback)
        except Exception as exc:
            detail = " ".join(str(exc).split()) or type(exc).__name__
            raise MidiUnavailable(f"the MIDI input {name!r} cannot be opened ({detail})") from None

    def _callback(self, message) -> None:
        self._on_message(message, self._clock())

    def close(self) -> None:
        self._port.close()


class MidiOutput:
    """An open output port: ``send(message)``, ``close()``."""

    def __init__(self, name: str) -> None:
        mido = _mido()
        self.name = name
        try:
            self._port = mido.open_output(name)
        except Exception as exc:
            detail = " ".join(str(exc).split()) or type(exc).__name__
            raise MidiUnavailable(f"the MIDI output {name!r} cannot be opened ({detail})") from None

    def send(self, message) -> None:
        self._port.send(message)

    def close(self) -> None:
        self._port.close()


def all_notes_off(channels: Iterable[int]) -> list:
    import mido

    out = []
    for ch in sorted(set(channels)):
        out.append(mido.Message("control_change", channel=ch, control=64, value=0))
        out.append(mido.Message("control_change", channel=ch, control=123, value=0))
    return out


# ----- recording ----------------------------------------------------------------------------------
@dataclass
class _Held:
    pitch: int
    velocity: int
    on: float
    off: float | None = None


@dataclass
class MidiRecorder:
    """Turns timestamped note_on/note_off messages into Notes placed from ``start_tick`` on.

    ``t0`` is the clock time (seconds) at which ``start_tick`` sounds (after any count-in); time
    is converted to ticks through ``tempo`` (the score's tempo map). Onsets and ends snap to
    ``grid`` ticks (0: no snapping) and a note lasts at least one grid step. A note played up to
    half a grid step early (before ``start_tick``) snaps onto it; earlier ones are dropped. The
    sustain pedal (CC 64) is kept as the notes' pedal marks, as a MIDI file's is
    (``music.midi.pedal_marked``): the notes last as their keys were held, and playback
    holds what the pedal caught. ``channel`` keeps only that channel.
    """

    tempo: TempoMap
    start_tick: int
    grid: int
    t0: float
    channel: int | None = None
    _held: dict[int, _Held] = field(default_factory=dict)
    _done: list[_Held] = field(default_factory=list)
    _pedal: bool = False
    _presses: list[tuple[float, bool]] = field(default_factory=list)  # (time, down)

    def feed(self, message, t: float) -> None:
        kind = getattr(message, "type", None)
        if kind not in ("note_on", "note_off", "control_change"):
            return
        if self.channel is not None and message.channel != self.channel:
            return
        if kind == "control_change":
            if message.control == SUSTAIN_PEDAL:
                down = message.value >= 64
                if down != self._pedal:
                    self._presses.append((t, down))
                self._pedal = down
            return
        pitch = message.note
        if kind == "note_on" and message.velocity > 0:
            self._release(pitch, t)  # a repeated key ends the note it repeats
            self._held[pitch] = _Held(pitch, message.velocity, t)
        else:
            held = self._held.pop(pitch, None)
            if held is None:
                return
            self._done.append(held)
            held.off = t

    def _release(self, pitch: int, t: float) -> None:
        held = self._held.pop(pitch, None)
        if held is not None:
            held.off = t
            self._done.append(held)

    def _tick(self, t: float) -> int:
        return round(self.tempo.tick_float(self.tempo.seconds(self.start_tick) + (t - self.t0)))

    def _snap(self, tick: int) -> int:
        return round_to(tick, self.grid) if self.grid > 0 else tick

    def notes(self, now: float) -> list[Note]:
        """The take so far; keys still down end at ``now`` (a pedal still down, there too)."""
        out = []
        for h in [*self._done, *self._held.values()]:
            off = h.off if h.off is not None else now
            start = self._snap(self._tick(h.on))
            if start < self.start_tick:
                continue
            end = self._snap(self._tick(max(off, h.on)))
            step = self.grid if self.grid > 0 else 1
            out.append(Note(start, h.pitch, max(end - start, step), h.velocity))
        if self._presses and out:
            presses = [(self._snap(self._tick(t)), down) for t, down in self._presses]
            if self._pedal:
                presses.append((self._snap(self._tick(now)), False))
            out = pedal_marked(out, presses)
        return sorted(out)

    def finish(self, now: float) -> list[Note]:
        """The whole take, every note ended by ``now`` at the latest."""
        notes = self.notes(now)
        self._held.clear()
        self._done.clear()
        self._presses.clear()
        return notes


# ----- sending ------------------------------------------------------------------------------------
def score_messages(score: Score, start_tick: int = 0, end_tick: int | None = None) -> list:
    """(seconds from ``start_tick``, mido message) for the notes starting in the range (cut at
    ``end_tick``), with each part's program change first; note-offs before note-ons at one time."""
    import mido

    if end_tick is None:
        end_tick = score.end_tick
    tempo = TempoMap(score)
    t0 = tempo.seconds(start_tick)
    events: list[tuple[float, int, object]] = []
    channels = assign_channels(score.parts)
    for part, ch in zip(score.parts, channels, strict=True):
        if not part.notes:
            continue
        if ch != DRUM_CHANNEL:
            events.append((0.0, 0, mido.Message("program_change", channel=ch,
                                                program=part.program)))
        for n in part.notes:
            if not start_tick <= n.start < end_tick:
                continue
            on = tempo.seconds(n.start) - t0
            off = tempo.seconds(min(n.end, end_tick)) - t0
            events.append((on, 2, mido.Message("note_on", channel=ch, note=n.pitch,
                                               velocity=n.velocity)))
            events.append((max(off, on), 1, mido.Message("note_off", channel=ch, note=n.pitch,
                                                         velocity=0)))
        for tick, down in pedal_events([(n.start, n.end, n.marks) for n in part.notes]):
            if start_tick <= tick <= end_tick:  # (up before what is struck there, down after)
                events.append((tempo.seconds(tick) - t0, 3 if down else 0, mido.Message(
                    "control_change", channel=ch, control=SUSTAIN_PEDAL,
                    value=127 if down else 0)))
    events.sort(key=lambda e: (e[0], e[1]))
    return [(t, m) for t, _, m in events]


class MidiPlayer:
    """Sends a playback's messages to ``port`` at their times, in a thread of its own
    (Frescobaldi's way: a precise loop, not the GUI's timers).

    ``passes`` are (offset seconds, start_tick, end_tick), as ``Timeline.passes`` gives them in
    frames; ``clock`` and ``sleep`` are injectable so tests run without waiting. ``stop()``
    silences every note it started.
    """

    def __init__(self, port: MessageSink, score: Score,
                 passes: Iterable[tuple[float, int, int]], *,
                 clock: Callable[[], float] = time.perf_counter,
                 sleep: Callable[[float], None] = time.sleep, delay: float = 0.0) -> None:
        self.port = port
        self.score = score
        self._passes = iter(passes)
        self._clock = clock
        self._sleep = sleep
        self._delay = delay
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sounding: set[tuple[int, int]] = set()
        self._channels: set[int] = set()
        self.error: str | None = None

    def _events(self) -> Iterator[tuple[float, object]]:
        for offset, a, b in self._passes:
            for t, m in score_messages(self.score, a, b):
                yield offset + t, m

    def start(self) -> None:
        self._t0 = self._clock() + self._delay
        self._thread = threading.Thread(target=self._run, name="midi-out", daemon=True)
        self._thread.start()

    def run_blocking(self, until: float | None = None) -> None:
        """Send everything (up to ``until`` seconds) in this thread (tests, the CLI)."""
        self._t0 = self._clock() + self._delay
        self._run(until)

    def _run(self, until: float | None = None) -> None:
        try:
            for t, m in self._events():
                if until is not None and t > until:
                    break
                while not self._stop.is_set():
                    wait = self._t0 + t - self._clock()
                    if wait <= 0:
                        break
                    self._sleep(min(wait, 0.005))
                if self._stop.is_set():
                    break
                self.port.send(m)
                self._channels.add(m.channel)
                if m.type == "note_on":
                    self._sounding.add((m.channel, m.note))
                elif m.type == "note_off":
                    self._sounding.discard((m.channel, m.note))
        except Exception as exc:  # the port went away (unplugged): stop, say why
            self.error = f"MIDI output stopped ({' '.join(str(exc).split()) or type(exc).__name__})"

    def stop(self) -> None:
        import mido

        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=1.0)
        try:
            for ch, note in sorted(self._sounding):
                self.port.send(mido.Message("note_off", channel=ch, note=note, velocity=0))
            for m in all_notes_off(self._channels):
                self.port.send(m)
        except Exception:  # the port is gone; nothing is left sounding on it
            pass
        self._sounding.clear()
