"""The notes of a score as numpy arrays, for fast "what is visible / under the mouse" questions."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from composer_gui.music.edits import NoteKey
from composer_gui.music.score import Score


class NoteIndex:
    """The notes of every part the roll shows (all but ``hidden``; drum parts too), in score
    order. ``drums`` marks the notes of drum parts."""

    def __init__(self, score: Score, hidden: Collection[int] = ()) -> None:
        keys: list[NoteKey] = []
        drum_parts = [i for i, p in enumerate(score.parts) if p.is_drum]
        for i, part in enumerate(score.parts):
            if i not in hidden:
                keys.extend((i, n) for n in part.notes)
        keys.sort(key=lambda k: (k[1].start, k[1].pitch))
        self.keys = keys
        n = len(keys)
        self.starts = np.fromiter((k[1].start for k in keys), np.int64, n)
        self.durations = np.fromiter((k[1].duration for k in keys), np.int64, n)
        self.ends = self.starts + self.durations
        self.pitches = np.fromiter((k[1].pitch for k in keys), np.int64, n)
        self.velocities = np.fromiter((k[1].velocity for k in keys), np.int64, n)
        self.parts = np.fromiter((k[0] for k in keys), np.int64, n)
        self.drums = np.isin(self.parts, drum_parts)
        # positions of the notes that carry words or marks (the roll writes them in the note)
        self.sung = np.fromiter((i for i, k in enumerate(keys)
                                 if k[1].lyric or k[1].marks or k[1].graces), np.int64)
        self._positions: dict[NoteKey, int] | None = None

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def positions(self) -> dict[NoteKey, int]:
        if self._positions is None:
            self._positions = {k: i for i, k in enumerate(self.keys)}
        return self._positions

    def mask_of(self, keys) -> np.ndarray:
        mask = np.zeros(len(self.keys), bool)
        pos = self.positions
        idx = [pos[k] for k in keys if k in pos]
        if idx:
            mask[idx] = True
        return mask

    def visible(self, t0: float, t1: float, low: int = 0, high: int = 127,
                extra: np.ndarray | None = None) -> np.ndarray:
        """Indices of notes overlapping ticks [t0, t1) and pitches low..high (and ``extra``)."""
        m = (self.starts < t1) & (np.maximum(self.ends, self.starts + 1) > t0)
        m &= (self.pitches >= low) & (self.pitches <= high)
        if extra is not None:
            m &= extra
        return np.flatnonzero(m)

    def at(self, tick: float, pitch: int, slack: float = 0.0) -> int:
        """The note under (tick, pitch), the latest-starting one if several; -1 if none.

        ``slack`` (ticks) widens each note's right end, so a thin note's edge can still be grabbed.
        """
        m = ((self.pitches == pitch) & (self.starts <= tick)
             & (np.maximum(self.ends, self.starts + 1) + slack > tick))
        hits = np.flatnonzero(m)
        return int(hits[-1]) if len(hits) else -1

    def in_box(self, t0: float, t1: float, p_low: float, p_high: float) -> np.ndarray:
        """Notes touching ticks [t0, t1] x pitch rows [p_low, p_high] (floats: row edges)."""
        m = (self.starts <= t1) & (self.ends >= t0)
        m &= (self.pitches + 1 > p_low) & (self.pitches < p_high)
        return np.flatnonzero(m)
