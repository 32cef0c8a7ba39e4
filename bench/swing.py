"""Swung eighths in played MIDI files: written lengths against the known score, before and after
the swing rule (``quantize.SWING``).

    python bench/swing.py [--seeds 5] [--bpm 100] [--jitter 15]

A hornpipe of running eighths (16 bars, 113 notes, two triplets) played straight and swung
(each off-beat eighth at 0.6, 0.67, 0.72 of its beat), and a march of dotted figures and eighth
triplets (57 notes) played straight, which must not change (tests/music/played_tunes.py: a
gaussian jitter of ``--jitter`` ms, a drift of up to 15 ms around the beat, a tempo map
within about 6 % of ``--bpm``, notes legato, detached or staccato), each with ``--seeds``
seeds. Read with ``read_midi``, quantized with ``notation_view``; a note is right where its
written start and length are the score's. Then the same two tunes written on the grid (as
notation software writes them), which must not change at all.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "music")]  # this checkout, the test helpers

from played_tunes import HORNPIPE, MARCH, played_midi, written  # noqa: E402

from composer_gui.music import quantize  # noqa: E402
from composer_gui.music.midi import read_midi  # noqa: E402
from composer_gui.music.score import Note, Part, Score  # noqa: E402


def right(score: Score, tune, swing: bool) -> tuple[int, int, int]:
    """(notes, written lengths right, starts and lengths right) of the view of ``score``, with
    the swing rule or without it."""
    want = written(tune)
    got = view(score, swing)[0].parts[0].notes
    lengths = sum(g.duration == w[1] for g, w in zip(got, want, strict=False))
    both = sum((g.start, g.duration) == w[:2] for g, w in zip(got, want, strict=False))
    return len(want), lengths, both


def view(score: Score, swing: bool):
    """What notation writes (notes, triplets, tempo marks), with the swing rule or without."""
    quantize.SWING = swing
    try:
        v = quantize.notation_view(score)
    finally:
        quantize.SWING = True
    return v.score, v.triplet_units, v.tempo_marks


def share(right: int, notes: int) -> str:
    return f"{100 * right / notes:.1f}% ({right}/{notes})"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--bpm", type=float, default=100.0)
    ap.add_argument("--jitter", type=float, default=15.0)
    args = ap.parse_args(argv)
    rows = [("hornpipe", HORNPIPE, r) for r in (0.5, 0.6, 0.67, 0.72)] + [("march", MARCH, 0.5)]
    print("| tune | ratio | swing found | lengths right, before | after "
          "| starts and lengths right, before | after |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as folder:
        for name, tune, ratio in rows:
            found = 0
            totals = [0] * 5  # notes; lengths before, after; starts and lengths before, after
            for seed in range(1, args.seeds + 1):
                path = played_midi(Path(folder) / f"{name}.mid", tune, ratio, seed, args.bpm,
                                   args.jitter)
                score = read_midi(path)
                found += quantize.swing_ratio(score) is not None
                notes, before, both_before = right(score, tune, False)
                _, after, both_after = right(score, tune, True)
                for i, v in enumerate((notes, before, after, both_before, both_after)):
                    totals[i] += v
            n = totals[0]
            cells = [name, f"{ratio:.2f}", f"{found}/{args.seeds}",
                     *(share(v, n) for v in totals[1:])]
            print("| " + " | ".join(cells) + " |")
    changed = 0
    for tune in (HORNPIPE, MARCH):
        notes = tuple(Note(start, pitch, length) for start, length, pitch in written(tune))
        score = Score(parts=(Part(notes),))
        changed += view(score, True) != view(score, False)
    print(f"\non-grid files whose notation the rule changes: {changed}/2")


if __name__ == "__main__":
    main()
