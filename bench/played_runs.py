"""Quick runs in played MIDI files: 32nds and sixteenth triplets written as such, beside the
sixteenth grid every played unit took before (``quantize.FINE_RUNS``).

    python bench/played_runs.py [--seeds 5] [--bpm 72] [--jitter 12]

A slow air (tests/music/played_tunes.py: 8 bars, 86 notes, runs of four and eight 32nds,
sixteenth-triplet turns, dotted figures) played as played_tunes plays it (a gaussian jitter of
``--jitter`` ms, a slow drift, a tempo map within about 6 % of ``--bpm``, legato, detached or
staccato notes), and the hornpipe and march of the same module, whose notation must not change.
Read with ``read_midi`` and quantized with ``notation_view``. Per tune, over the seeds: notes
whose written start is the score's, whose start and length both are, notes written struck
with another one of the line (a chord in a one-line tune), and pitches written twice at once.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "music")]  # this checkout, the test helpers

from played_tunes import AIR, HORNPIPE, MARCH, played_midi, written  # noqa: E402

from composer_gui.music import quantize  # noqa: E402
from composer_gui.music.midi import read_midi  # noqa: E402


def counts(score, tune, fine: bool) -> tuple[int, int, int, int, int]:
    """(notes, starts right, starts and lengths right, notes in chords, doubled pitches)."""
    quantize.FINE_RUNS = fine
    try:
        got = quantize.notation_view(score).score.parts[0].notes
    finally:
        quantize.FINE_RUNS = True
    want = written(tune)
    starts = Counter(n.start for n in got)
    wanted = {(s, p) for s, _, p in want}
    starts_right = sum((n.start, n.pitch) in wanted for n in got)
    both = len({(n.start, n.duration, n.pitch) for n in got} & {(s, ln, p) for s, ln, p in want})
    in_chords = sum(c for c in starts.values() if c > 1)
    doubled = len(got) - len({(n.start, n.pitch) for n in got})
    return len(want), starts_right, both, in_chords, doubled


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--bpm", type=float, default=72.0)
    ap.add_argument("--jitter", type=float, default=12.0)
    args = ap.parse_args(argv)
    print(f"{args.seeds} seeds, {args.bpm:g} bpm, jitter {args.jitter:g} ms; cells: the "
          "sixteenth grid (before) -> finer units for runs (now)\n")
    print("| tune | notes | starts right | starts and lengths right | notes struck in a chord "
          "| pitches doubled |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as folder:
        for name, tune in (("air", AIR), ("hornpipe", HORNPIPE), ("march", MARCH)):
            totals = {fine: [0] * 5 for fine in (False, True)}
            for seed in range(1, args.seeds + 1):
                path = played_midi(Path(folder) / f"{name}.mid", tune, 0.5, seed, args.bpm,
                                   args.jitter)
                score = read_midi(path)
                for fine in (False, True):
                    for i, v in enumerate(counts(score, tune, fine)):
                        totals[fine][i] += v
            n = totals[True][0]
            cells = [name, str(n)] + [f"{totals[False][i]} -> {totals[True][i]}"
                                      for i in range(1, 5)]
            print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
