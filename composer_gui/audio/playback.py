"""What the transport plays, without Qt: a score from a tick, looping or not, plus auditioned notes.

``Timeline`` lays out the passes of one playback (the first from the start tick, then the loop
range again and again) and maps played time back to the tick sounding: the playhead.
``PlaybackEngine`` turns a timeline into PCM blocks (``read(n)``) and mixes auditioned notes
(a clicked key, a drawn note) on top. The audio device pulls blocks; whatever clock says how much
has been heard (the device's, or a fake one in tests) drives ``Timeline.position``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from composer_gui.music.score import Score

from .render import ScoreStream
from .synth import Synth
from .timing import TempoMap


@dataclass(frozen=True)
class Pass:
    """One run through ``[start_tick, end_tick)``, beginning ``offset`` frames into playback."""

    offset: int
    start_tick: int
    end_tick: int
    frames: int  # the pass's length without the release tail


class Timeline:
    """The passes of one playback of ``score`` from ``from_tick``.

    With ``loop=(a, b)`` and ``from_tick < b``, playback runs to ``b`` and then repeats ``a..b``
    forever; otherwise it runs once to the score's end (its last note-off) and is then finished,
    after the release tail has sounded.
    """

    def __init__(self, score: Score, from_tick: int, loop: tuple[int, int] | None,
                 sample_rate: int, tail_frames: int = 0) -> None:
        self.score = score
        self.tempo = TempoMap(score)
        self.sample_rate = sample_rate
        self.tail_frames = tail_frames
        self.from_tick = max(0, int(from_tick))
        if loop is not None:
            a, b = int(loop[0]), int(loop[1])
            loop = (a, b) if 0 <= a < b and self.from_tick < b else None
        self.loop = loop
        self.end_tick = loop[1] if loop else max(score.end_tick, self.from_tick)
        self.first_frames = self._frames(self.from_tick, self.end_tick)
        self.loop_frames = self._frames(*loop) if loop else 0

    def _frames(self, a: int, b: int) -> int:
        return round((self.tempo.seconds(b) - self.tempo.seconds(a)) * self.sample_rate)

    @property
    def total_frames(self) -> int | None:
        """Frames until playback is finished (None: loops forever)."""
        return None if self.loop else self.first_frames + self.tail_frames

    def passes(self) -> Iterator[Pass]:
        yield Pass(0, self.from_tick, self.end_tick, self.first_frames)
        if not self.loop or self.loop_frames <= 0:
            return
        offset = self.first_frames
        while True:
            yield Pass(offset, self.loop[0], self.loop[1], self.loop_frames)
            offset += self.loop_frames

    def position(self, seconds: float) -> tuple[int, bool]:
        """(the tick sounding ``seconds`` after playback began, whether playback is finished)."""
        frame = max(0.0, seconds * self.sample_rate)
        if frame < self.first_frames or not self.loop or self.loop_frames <= 0:
            if self.loop is None and frame >= self.first_frames:
                done = self.total_frames is not None and frame >= self.total_frames
                return self.end_tick, done
            tick = self.tempo.tick(self.tempo.seconds(self.from_tick) + frame / self.sample_rate)
            return min(max(tick, self.from_tick), self.end_tick), False
        within = (frame - self.first_frames) % self.loop_frames
        tick = self.tempo.tick(self.tempo.seconds(self.loop[0]) + within / self.sample_rate)
        return min(max(tick, self.loop[0]), self.loop[1] - 1), False


class _HeldVoice:
    """A note whose end is not known yet: rendered a block at a time as if held for
    ``MAX_HOLD`` frames, until ``release()`` fixes its length at the frames played so far (the
    frames before are the same whatever the length, so the release follows seamlessly)."""

    MAX_HOLD = 44100 * 600

    def __init__(self, preset, key: int, velocity: int) -> None:
        self.preset, self.key, self.velocity = preset, key, velocity
        self.done = 0
        self.on_frames: int | None = None

    def release(self) -> None:
        if self.on_frames is None:
            self.on_frames = max(self.done, 1)

    def mix(self, synth: Synth, out: np.ndarray) -> bool:
        """Add the next ``len(out)`` frames; False once the note has ended."""
        on = self.on_frames if self.on_frames is not None else self.MAX_HOLD
        total = synth.note_length(self.preset, self.key, self.velocity, on)
        b = min(total, self.done + len(out))
        if b > self.done:
            out[:b - self.done] += synth.note_segment(self.preset, self.key, self.velocity, on,
                                                      self.done, b)
        self.done = b
        return self.done < total


class PlaybackEngine:
    """Blocks of stereo float32 PCM for the audio device. Thread-safe.

    ``start(score, from_tick, loop)`` begins a playback (and returns its ``Timeline``);
    ``stop()`` ends it at once; ``audition(...)`` sounds one note whether or not a score plays;
    ``read(n)`` always returns exactly ``n`` frames (silence when nothing sounds).
    """

    def __init__(self, synth: Synth) -> None:
        self.synth = synth
        self._lock = threading.Lock()
        self._timeline: Timeline | None = None
        self._pass_iter: Iterator[Pass] | None = None
        self._next_pass: Pass | None = None
        self._streams: list[tuple[int, ScoreStream]] = []  # (offset, stream)
        self._frame = 0
        self._live: list[list] = []  # [waveform, frames already played]
        self._held: list[_HeldVoice] = []  # notes sounding until note_off (a MIDI keyboard)
        self.warnings: list[str] = []

    @property
    def sample_rate(self) -> int:
        return self.synth.sample_rate

    @property
    def timeline(self) -> Timeline | None:
        return self._timeline

    @property
    def playing(self) -> bool:
        with self._lock:
            return self._timeline is not None

    @property
    def busy(self) -> bool:
        """Anything (score or auditioned note) still to sound."""
        with self._lock:
            return self._timeline is not None or bool(self._live) or bool(self._held)

    def start(self, score: Score, from_tick: int = 0,
              loop: tuple[int, int] | None = None) -> Timeline:
        timeline = Timeline(score, from_tick, loop, self.sample_rate, self.synth.tail_frames)
        warnings: list[str] = []
        passes = timeline.passes()
        first = next(passes)  # scheduled here, so that the first read() only renders
        stream = ScoreStream.for_score(score, self.synth, first.start_tick, first.end_tick,
                                       warnings=warnings)
        with self._lock:
            self._timeline = timeline
            self._pass_iter = passes
            self._next_pass = next(passes, None)
            self._streams = [(0, stream)]
            self._frame = 0
            self.warnings = warnings
        return timeline

    def stop(self) -> None:
        with self._lock:
            self._timeline = None
            self._pass_iter = None
            self._next_pass = None
            self._streams = []

    def audition(self, key: int, velocity: int = 100, program: int = 0, *, drum: bool = False,
                 seconds: float = 0.5) -> bool:
        """Sound one note now (mixed into the next block read). False if nothing plays it."""
        preset = self.synth.preset_for(program, drum)
        if preset is None:
            return False
        wave_ = self.synth.note(preset, int(key), int(velocity),
                                round(seconds * self.sample_rate))
        with self._lock:
            self._live.append([wave_, 0])
        return True

    def note_on(self, key: int, velocity: int = 100, program: int = 0, *,
                drum: bool = False) -> bool:
        """Start a note that sounds until ``note_off(key)`` (a key held on a MIDI keyboard)."""
        preset = self.synth.preset_for(program, drum)
        if preset is None:
            return False
        with self._lock:
            self._release(int(key))
            self._held.append(_HeldVoice(preset, int(key), int(velocity)))
        return True

    def note_off(self, key: int) -> None:
        with self._lock:
            self._release(int(key))

    def all_notes_off(self) -> None:
        with self._lock:
            for v in self._held:
                v.release()

    def _release(self, key: int) -> None:
        for v in self._held:
            if v.key == key:
                v.release()

    def read(self, n: int) -> np.ndarray:
        out = np.zeros((n, 2), np.float32)
        with self._lock:
            if self._timeline is not None:
                self._read_score(out, n)
            self._held = [v for v in self._held if v.mix(self.synth, out)]
            keep = []
            for item in self._live:
                wave_, done = item
                chunk = wave_[done:done + n]
                out[:len(chunk)] += chunk
                item[1] = done + len(chunk)
                if item[1] < len(wave_):
                    keep.append(item)
            self._live = keep
        return out

    def _read_score(self, out: np.ndarray, n: int) -> None:
        timeline = self._timeline
        end = self._frame + n
        while self._next_pass is not None and self._next_pass.offset < end:
            p = self._next_pass
            stream = ScoreStream.for_score(timeline.score, self.synth, p.start_tick, p.end_tick)
            self._streams.append((p.offset, stream))
            self._next_pass = next(self._pass_iter, None)
        alive = []
        for offset, stream in self._streams:
            skip = max(0, offset - self._frame)  # a pass that begins inside this block
            chunk = stream.read(n - skip)
            out[skip:skip + len(chunk)] += chunk
            if stream.remaining > 0:
                alive.append((offset, stream))
        self._streams = alive
        self._frame = end
        total = timeline.total_frames
        if total is not None and self._frame >= total and not alive:
            self._timeline = None
