"""Mixing ahead on a thread of its own, so that the audio device never waits for the synth.

``Mixer`` reads a ``PlaybackEngine`` a block at a time, up to ``ahead`` seconds in front of what
the device has taken, into a ``RingBuffer``; the device's pull (``pull(frames)``) only copies out
of the ring. A stall of the GUI thread (a long repaint, a file dialog, a garbage collection) then
costs nothing as long as it is shorter than what the ring holds; before, the GUI thread rendered
each block when the device asked for it, and any stall was a dropout.

Changes (Play, Stop, a seek, a loop or score change, a clicked key) must still be heard at once,
not after what was mixed ahead. They go through ``with mixer.change() as at:``: the ring drops
what it holds (nothing of it has reached the device), the change is made to the engine at
engine frame ``at`` (the frame the device takes next), and mixing goes on from there. So the
device receives one unbroken run of engine frames, and a flush never moves the timeline.

The clock: the device counts the frames it has played; ``heard_frame(played)`` turns that count
into the engine frame being heard. They differ only by the silence the device was given instead
(an underrun, or a pull before the first block after a change), which the mixer records where it
went in; a dropout holds the playhead instead of running it ahead of the sound.

One lock (a ``threading.Condition``) guards the ring, the change counter and the clock records;
it is never held while the engine mixes. A block mixed while a change came in is thrown away (its
change counter is stale) and the engine re-reads from the ring's end (``read(n, at=...)`` seeks
when it is not there).

A device that plays in real time (``realtime=True``: QAudioSink) gets silence when the ring runs
dry, counted in ``underruns``; it waits only after a change, until the ring has been filled
again, at most ``PRIME_WAIT`` s a pull (the device asks for its whole buffer at once then).
A device that does not (a test's fake device, whose clock the test moves) waits for the
frames, so that it always receives the playback's frames, whatever the threads are scheduled
like.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from .playback import PlaybackEngine
from .ring import RingBuffer

log = logging.getLogger(__name__)

AHEAD_SECONDS = 0.4  # what the ring holds: rides out a 200 ms stall with room to spare
BLOCK = 1024  # frames mixed at a time (23 ms at 44.1 kHz)
PRIME_WAIT = 0.05  # seconds a real-time pull waits for frames while the ring refills
SLOW_WAIT = 2.0  # seconds a device that is not real time waits for frames


class Mixer:
    """Reads ``engine`` ahead into a ring on a daemon thread; ``pull`` feeds the device.

    ``start()`` starts the thread, ``close()`` stops it and waits for it. ``silence_before`` is
    the number of frames the device pulled (and got silence for) before the mixer existed.
    """

    def __init__(self, engine: PlaybackEngine, *, ahead: float = AHEAD_SECONDS,
                 block: int = BLOCK, realtime: bool = True, silence_before: int = 0) -> None:
        self.engine = engine
        self.block = int(block)
        self.realtime = realtime
        capacity = max(round(ahead * engine.sample_rate), self.block)
        self._ring = RingBuffer(capacity)
        engine.history = max(engine.history, capacity + 2 * self.block)  # what a flush rewinds
        self._base = engine.now  # the engine frame of the ring's frame 0
        self._cond = threading.Condition()
        self._running = False
        self._thread: threading.Thread | None = None
        self._hold = 0  # changes under way: no mixing until they are made
        self._gen = 0  # counts changes: a block mixed across one is stale
        self._primed = False  # the ring has been filled since the last change
        self._pulled = int(silence_before)  # device frames handed out, silence included
        # (device frame, ring frame, frames of silence) where the device got silence instead
        self._gaps: deque[tuple[int, int, int]] = deque(maxlen=256)
        if silence_before:
            self._gaps.append((0, 0, int(silence_before)))
        self.delivered = 0  # frames of the ring the device has taken since the last change
        self.underruns = 0  # pulls that came up short: the device got silence
        self.underrun_frames = 0

    # ----- the thread -------------------------------------------------------------------------
    def start(self) -> None:
        with self._cond:
            if self._running:
                return
            self._running = True
        self._thread = threading.Thread(target=self._run, name="composer-audio-mixer",
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop mixing and wait for the thread to end (a block at most)."""
        with self._cond:
            self._running = False
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._running and (self._hold or self._ring.free < self.block):
                    self._cond.wait(0.5)
                if not self._running:
                    return
                at = self._base + self._ring.write_pos
                gen = self._gen
            try:
                pcm = self.engine.read(self.block, at=at)
            except Exception:  # a bug in the synth must not kill the sound for good
                log.exception("mixing a block failed")
                pcm = np.zeros((self.block, 2), np.float32)
            with self._cond:
                if gen == self._gen and not self._hold \
                        and self._base + self._ring.write_pos == at:
                    self._ring.write(pcm)
                    self._primed = self._primed or self._ring.free < self.block
                    self._cond.notify_all()

    # ----- the device side ---------------------------------------------------------------------
    def pull(self, frames: int) -> np.ndarray:
        """The next ``frames`` for the device (any thread): copied from the ring, silence where
        it has run dry."""
        out = np.zeros((frames, 2), np.float32)
        with self._cond:
            ring = self._ring
            wait = SLOW_WAIT if not self.realtime else (0.0 if self._primed else PRIME_WAIT)
            got = ring.read_into(out)
            if got < frames and wait:
                deadline = time.monotonic() + wait
                while got < frames and self._running:
                    self._cond.notify_all()  # room to mix into
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                    got += ring.read_into(out[got:])
            if got < frames:
                self._gap(self._pulled + got, ring.read_pos, frames - got)
                self.underruns += 1
                self.underrun_frames += frames - got
            self._pulled += frames
            self.delivered += got
            self._cond.notify_all()  # room to mix into
        return out

    def _gap(self, device_frame: int, ring_frame: int, frames: int) -> None:
        if self._gaps:
            d, r, s = self._gaps[-1]
            if r == ring_frame and d + s == device_frame:  # the same gap goes on
                self._gaps[-1] = (d, r, s + frames)
                return
        self._gaps.append((device_frame, ring_frame, frames))

    def heard_frame(self, played: int) -> int:
        """The engine frame the device is at after playing ``played`` frames (since the mixer
        was made): the frames it got from the ring, not the silence it got instead."""
        with self._cond:
            ring = played
            for d, r, s in reversed(self._gaps):
                if d <= played:
                    ring = r + max(0, played - d - s)
                    break
        return self._base + ring

    @property
    def queued(self) -> int:
        """Frames mixed and not yet taken by the device."""
        with self._cond:
            return self._ring.count

    @property
    def capacity(self) -> int:
        return self._ring.capacity

    # ----- changes ---------------------------------------------------------------------------
    @contextmanager
    def change(self) -> Iterator[int]:
        """``with mixer.change() as at:`` make a change to the engine at frame ``at`` (pass
        ``at=at``); what was mixed ahead is dropped and mixed again with the change."""
        with self._cond:
            self._hold += 1
            self._gen += 1
            self._ring.flush()
            self._primed = False
            self.delivered = 0
            at = self._base + self._ring.read_pos
        try:
            yield at
        finally:
            with self._cond:
                self._hold -= 1
                self._cond.notify_all()
