"""A fixed-size FIFO of stereo float32 frames: what the mixer has mixed and the device not yet
taken. Not locked: its one owner (``mixer.Mixer``) holds its lock around every call, so a read,
a write and a flush each see the ring whole.

Positions are counted in frames since the ring was made: ``read_pos`` is the frame the next read
returns, ``write_pos`` the frame the next write stores. A flush drops what lies between them
(``write_pos`` goes back to ``read_pos``), so the frames the reader gets stay one unbroken run.
"""

from __future__ import annotations

import numpy as np


class RingBuffer:
    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError(f"a ring needs room for at least one frame, not {capacity}")
        self._buf = np.zeros((int(capacity), 2), np.float32)
        self.read_pos = 0
        self.write_pos = 0

    @property
    def capacity(self) -> int:
        return len(self._buf)

    @property
    def count(self) -> int:
        """Frames written and not yet read."""
        return self.write_pos - self.read_pos

    @property
    def free(self) -> int:
        return self.capacity - self.count

    def write(self, pcm: np.ndarray) -> int:
        """Store as many of ``pcm``'s frames as there is room for; returns how many."""
        n = min(len(pcm), self.free)
        cap = self.capacity
        at = self.write_pos % cap
        first = min(n, cap - at)
        self._buf[at:at + first] = pcm[:first]
        self._buf[:n - first] = pcm[first:n]
        self.write_pos += n
        return n

    def read_into(self, out: np.ndarray) -> int:
        """Copy up to ``len(out)`` frames into the start of ``out``; returns how many (the rest
        of ``out`` is left as it was)."""
        n = min(len(out), self.count)
        cap = self.capacity
        at = self.read_pos % cap
        first = min(n, cap - at)
        out[:first] = self._buf[at:at + first]
        out[first:n] = self._buf[:n - first]
        self.read_pos += n
        return n

    def read(self, n: int) -> np.ndarray:
        """The next ``n`` frames, silence where the ring runs out."""
        out = np.zeros((n, 2), np.float32)
        self.read_into(out)
        return out

    def flush(self) -> int:
        """Drop every frame not yet read; returns how many."""
        dropped = self.count
        self.write_pos = self.read_pos
        return dropped
