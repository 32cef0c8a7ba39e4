"""What the transport plays, without Qt: a score from a tick, looping or not, plus auditioned notes.

``Timeline`` lays out the passes of one playback (the first from the start tick, then the loop
range again and again) and maps played time back to the tick sounding: the playhead.
``PlaybackEngine`` turns a timeline into PCM blocks (``read(n)``) and mixes auditioned notes
(a clicked key, a drawn note) on top. ``mixer.Mixer`` reads it ahead on its own thread; whatever
clock says how much has been heard (the device's, or a fake one in tests) drives
``Timeline.position``.

The engine keeps one frame count, ``now``: where the next ``read`` begins. Every change can say
``at=`` which frame it takes effect at, and ``seek(frame)`` goes back (or on) to any frame: the
mixer reads ahead of what is heard, and on a change drops what it read ahead and re-reads from
the frame the device has reached, so the engine must be able to produce those frames again.
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
    ``MAX_HOLD`` frames, until ``release(at)`` fixes its length at ``at - start`` frames (the
    frames before are the same whatever the length, so the release follows seamlessly)."""

    MAX_HOLD = 44100 * 600

    def __init__(self, preset, key: int, velocity: int, start: int) -> None:
        self.preset, self.key, self.velocity, self.start = preset, key, velocity, start
        self.on_frames: int | None = None

    def release(self, at: int) -> None:
        if self.on_frames is None:
            self.on_frames = max(at - self.start, 1)

    def end(self, synth: Synth) -> int | None:
        """The frame after its last (None: still held)."""
        if self.on_frames is None:
            return None
        return self.start + synth.note_length(self.preset, self.key, self.velocity,
                                              self.on_frames)

    def mix(self, synth: Synth, out: np.ndarray, frame: int) -> None:
        """Add its frames ``frame .. frame + len(out)`` (engine frames) to ``out``."""
        on = self.on_frames if self.on_frames is not None else self.MAX_HOLD
        total = synth.note_length(self.preset, self.key, self.velocity, on)
        a = max(0, frame - self.start)
        b = min(total, frame + len(out) - self.start)
        if b > a:
            at = self.start + a - frame
            out[at:at + b - a] += synth.note_segment(self.preset, self.key, self.velocity, on,
                                                     a, b)


class PlaybackEngine:
    """Blocks of stereo float32 PCM for the audio device. Thread-safe.

    ``start(score, from_tick, loop)`` begins a playback (and returns its ``Timeline``);
    ``stop()`` ends it at once; ``audition(...)`` sounds one note whether or not a score plays;
    ``read(n)`` always returns exactly ``n`` frames (silence when nothing sounds) and moves
    ``now`` on by ``n``. Changes take effect at ``now`` unless ``at=`` says which frame;
    ``seek(frame)`` re-reads from there. What was sounding is kept for ``history`` frames after
    it ends, so that a seek back that far finds it.
    """

    def __init__(self, synth: Synth, *, history: int = 0) -> None:
        self.synth = synth
        self.history = int(history)
        self._lock = threading.Lock()
        self._now = 0
        self._timeline: Timeline | None = None
        self._origin = 0  # the engine frame of the playback's first frame
        self._pass_iter: Iterator[Pass] | None = None
        self._next_pass: Pass | None = None
        self._streams: list[tuple[int, ScoreStream]] = []  # (offset in the playback, stream)
        self._live: list[tuple[int, np.ndarray]] = []  # (start frame, waveform)
        self._held: list[_HeldVoice] = []  # notes sounding until note_off (a MIDI keyboard)
        self.warnings: list[str] = []

    @property
    def sample_rate(self) -> int:
        return self.synth.sample_rate

    @property
    def now(self) -> int:
        """The engine frame the next ``read`` begins at."""
        return self._now

    @property
    def timeline(self) -> Timeline | None:
        return self._timeline

    @property
    def playing(self) -> bool:
        """A playback is on and not played to its end (at ``now``)."""
        with self._lock:
            return self._score_sounds()

    @property
    def busy(self) -> bool:
        """Anything (score or auditioned note) still to sound at ``now``."""
        with self._lock:
            now, synth = self._now, self.synth
            return (self._score_sounds() or any(s + len(w) > now for s, w in self._live)
                    or any(v.on_frames is None or v.end(synth) > now for v in self._held))

    def _score_sounds(self) -> bool:
        if self._timeline is None:
            return False
        total = self._timeline.total_frames
        return total is None or self._now - self._origin < total

    # ----- changes ------------------------------------------------------------------------------
    def start(self, score: Score, from_tick: int = 0, loop: tuple[int, int] | None = None, *,
              at: int | None = None) -> Timeline:
        """Play ``score`` from ``from_tick``; its first frame is engine frame ``at``."""
        timeline = Timeline(score, from_tick, loop, self.sample_rate, self.synth.tail_frames)
        warnings: list[str] = []
        passes = timeline.passes()
        first = next(passes)  # scheduled here, so that the first read() only renders
        stream = ScoreStream.for_score(score, self.synth, first.start_tick, first.end_tick,
                                       warnings=warnings)
        with self._lock:
            self._seek(self._now if at is None else at, score=False)
            self._timeline = timeline
            self._origin = self._now
            self._pass_iter = passes
            self._next_pass = next(passes, None)
            self._streams = [(0, stream)]
            self.warnings = warnings
        return timeline

    def stop(self, *, at: int | None = None) -> None:
        with self._lock:
            self._seek(self._now if at is None else at, score=False)
            self._timeline = None
            self._pass_iter = None
            self._next_pass = None
            self._streams = []

    def audition(self, key: int, velocity: int = 100, program: int = 0, *, drum: bool = False,
                 seconds: float = 0.5, at: int | None = None) -> bool:
        """Sound one note from ``at`` (default: the next block read). False if nothing plays
        it."""
        preset = self.synth.preset_for(program, drum)
        if preset is None:
            return False
        wave_ = self.synth.note(preset, int(key), int(velocity),
                                round(seconds * self.sample_rate))
        with self._lock:
            if at is not None:
                self._seek(at)
            self._live.append((self._now, wave_))
        return True

    def note_on(self, key: int, velocity: int = 100, program: int = 0, *,
                drum: bool = False, at: int | None = None) -> bool:
        """Start a note that sounds until ``note_off(key)`` (a key held on a MIDI keyboard)."""
        preset = self.synth.preset_for(program, drum)
        if preset is None:
            return False
        with self._lock:
            if at is not None:
                self._seek(at)
            self._release(int(key))
            self._held.append(_HeldVoice(preset, int(key), int(velocity), self._now))
        return True

    def note_off(self, key: int, *, at: int | None = None) -> None:
        with self._lock:
            if at is not None:
                self._seek(at)
            self._release(int(key))

    def all_notes_off(self, *, at: int | None = None) -> None:
        with self._lock:
            if at is not None:
                self._seek(at)
            for v in self._held:
                v.release(self._now)

    def _release(self, key: int) -> None:
        for v in self._held:
            if v.key == key:
                v.release(self._now)

    def seek(self, frame: int) -> None:
        """Read on from engine frame ``frame`` (back or ahead), as if reading had reached it."""
        with self._lock:
            self._seek(frame)

    def _seek(self, frame: int, *, score: bool = True) -> None:
        frame = int(frame)
        if frame == self._now:
            return
        self._now = frame
        if score and self._timeline is not None:
            self._seek_score(frame - self._origin)

    def _seek_score(self, f: int) -> None:
        """Rebuild the passes sounding at playback frame ``f`` (which may be before 0)."""
        timeline = self._timeline
        passes = timeline.passes()
        streams = []
        nxt = next(passes, None)
        while nxt is not None and nxt.offset <= f:
            p, nxt = nxt, next(passes, None)
            if f < p.offset + p.frames + self.synth.tail_frames:
                stream = ScoreStream.for_score(timeline.score, self.synth, p.start_tick,
                                               p.end_tick)
                stream.seek(f - p.offset)
                streams.append((p.offset, stream))
        self._streams = streams
        self._next_pass = nxt
        self._pass_iter = passes

    # ----- reading ------------------------------------------------------------------------------
    def read(self, n: int, *, at: int | None = None) -> np.ndarray:
        """The ``n`` frames from ``at`` (default: ``now``); ``now`` moves on past them."""
        out = np.zeros((n, 2), np.float32)
        with self._lock:
            if at is not None:
                self._seek(at)
            now, synth = self._now, self.synth
            if self._timeline is not None:
                self._read_score(out, n)
            for v in self._held:
                v.mix(synth, out, now)
            for start, wave_ in self._live:
                a, b = max(0, now - start), min(len(wave_), now + n - start)
                if b > a:
                    at_ = start + a - now
                    out[at_:at_ + b - a] += wave_[a:b]
            self._now = end = now + n
            keep_after = end - self.history
            self._live = [(s, w) for s, w in self._live if s + len(w) > keep_after]
            self._held = [v for v in self._held
                          if v.on_frames is None or v.end(synth) > keep_after]
        return out

    def _read_score(self, out: np.ndarray, n: int) -> None:
        timeline = self._timeline
        frame = self._now - self._origin
        end = frame + n
        while self._next_pass is not None and self._next_pass.offset < end:
            p = self._next_pass
            stream = ScoreStream.for_score(timeline.score, self.synth, p.start_tick, p.end_tick)
            self._streams.append((p.offset, stream))
            self._next_pass = next(self._pass_iter, None)
        alive = []
        for offset, stream in self._streams:
            skip = min(n, max(0, offset - frame))  # a pass that begins inside this block
            chunk = stream.read(n - skip)
            out[skip:skip + len(chunk)] += chunk
            if stream.remaining > 0:
                alive.append((offset, stream))
        self._streams = alive
