"""Ticks <-> seconds through a score's tempo changes, both ways, in O(log n)."""

from __future__ import annotations

import bisect
import math

from composer_gui.music.score import TPQ, Score


class TempoMap:
    """``seconds(tick)`` agrees with ``Score.seconds_at``; ``tick(seconds)`` is its inverse.

    Both extrapolate: before 0 with the first tempo, past the last change with the last one.
    The map is the one played (``Score.performed_tempos``): fermatas held.
    """

    def __init__(self, score: Score) -> None:
        tempos = score.performed_tempos
        self.ticks = [t.tick for t in tempos]
        self.sec_per_tick = [t.us_per_quarter / (1e6 * TPQ) for t in tempos]
        self.starts = [0.0]
        for i in range(1, len(self.ticks)):
            span = self.ticks[i] - self.ticks[i - 1]
            self.starts.append(self.starts[-1] + span * self.sec_per_tick[i - 1])

    def seconds(self, tick: float) -> float:
        i = max(bisect.bisect_right(self.ticks, tick) - 1, 0)
        return self.starts[i] + (tick - self.ticks[i]) * self.sec_per_tick[i]

    def tick_float(self, seconds: float) -> float:
        i = max(bisect.bisect_right(self.starts, seconds) - 1, 0)
        return self.ticks[i] + (seconds - self.starts[i]) / self.sec_per_tick[i]

    def tick(self, seconds: float) -> int:
        """The tick sounding at ``seconds`` (rounded down)."""
        return math.floor(self.tick_float(seconds) + 1e-6)
