"""The maximum score length, in one place: what every reader, command option and view accepts.

No piece needs more than 10,000 bars of 4/4 (40,000 quarter notes; about 5 h 33 min at 120 bpm).
Past it a file is refused with a clear message instead of loading a note a million bars away that
then makes generation, notation export or the piano roll's scroll bars run out of memory or range
(issue 14). Bar options (``--from-bar``, ``--region``, ``--end-bar``) are checked against the tick
their bar starts at, so the bound holds in any meter.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ScoreFileError
from .score import TPQ

MAX_QUARTERS = 40_000
MAX_TICKS = MAX_QUARTERS * TPQ  # 19,200,000
MAX_BARS = 10_000  # of 4/4: the same length, in the words the user reads
DESCRIPTION = f"{MAX_BARS:,} bars of 4/4, {MAX_QUARTERS:,} quarter notes"

# Values no music needs, refused before music21 sees them (music/prescan.py)
MAX_FIFTHS = 7  # key signatures: 7 flats .. 7 sharps
MAX_METER_NUMERATOR = 255  # what a MIDI time signature holds
MAX_METER_DENOMINATOR = 64


def check_tick(tick: int, what: str) -> int:
    """``tick`` itself, or a ValueError that names ``what`` (an option, e.g. "--from-bar 99")."""
    if tick > MAX_TICKS:
        raise ValueError(f"{what} lies beyond the maximum score length ({DESCRIPTION})")
    return tick


def check_score(score, path: str | Path) -> None:
    """Refuse a score that lasts past the maximum length (ScoreFileError naming the file)."""
    end = max((e.tick for e in (*score.tempos, *score.time_signatures, *score.key_signatures)),
              default=0)
    end = max(end, score.end_tick)
    if end > MAX_TICKS:
        quarters = end // TPQ
        raise ScoreFileError(path, f"holds a note or event {quarters:,} quarter notes in, beyond "
                             f"the maximum score length ({DESCRIPTION})")
