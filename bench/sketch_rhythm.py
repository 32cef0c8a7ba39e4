"""Folk continuations: do they keep the sketch's rhythm (tune_rules.SKETCH_RHYTHM)?

    python bench/sketch_rhythm.py                      # the tuning tunes (val split), 40
    python bench/sketch_rhythm.py --split test --pieces 60
    python bench/sketch_rhythm.py --split essen --pieces 80   # German songs no model saw
    python bench/sketch_rhythm.py --no-sketch-rhythm   # the model's rhythm as it is
    python bench/sketch_rhythm.py --no-figures         # without FIGURE_COST alone

Each tune's first 4 full bars (and its upbeat) are continued 8 bars (the app's defaults, the
cadence option) x 2 variations, beside the real tune's bars 5-12. A listening check of hymn,
air and march sketches heard quarters continued in tied eighths. Printed for the new bars:
the share of notes struck at a place in the beat where the sketch strikes none (an eighth's
off-beat after a sketch in quarters), the share struck off the beat and held over the next
beat, and the continuations that hold an off-beat note over the beat, or a note struck after
the downbeat over the bar line, where their sketch does neither; and each beat's figure (the
places in it where notes are struck): the share of beats whose figure the sketch's beats (from
its first full bar) never have, and how far the figures' shares lie from the sketch's (total
variation distance, the mean over the runs).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from strain_close import tunes  # noqa: E402  (the same tunes as bench/strain_close.py)

from composer_gui.ml import tune_rules  # noqa: E402
from composer_gui.ml.musical_eval import APP_DEFAULTS, home_key, sampler_adapter  # noqa: E402
from composer_gui.ml.phrase_grid import first_full_bar  # noqa: E402
from composer_gui.music.score import Score  # noqa: E402


def rhythm(score: Score, start: int, end: int) -> tuple[int, set[int], int, int]:
    """Of the notes starting in [start, end): how many, their places in the beat (ticks),
    how many are struck off the beat and held over the next, and how many are struck after
    the downbeat and held over the bar line."""
    beat = score.time_signatures[0].beat_ticks
    n, places, syncopated, tied = 0, set(), 0, 0
    origin = score.bar_start(0)
    for x in score.notes:
        if not start <= x.start < end:
            continue
        n += 1
        pos = (x.start - origin) % beat
        places.add(pos)
        syncopated += pos != 0 and x.end > x.start - pos + beat
        bar = score.bar_at(x.start)
        tied += x.start != score.bar_start(bar) and x.end > score.bar_start(bar + 1)
    return n, places, syncopated, tied


def figures(score: Score, start: int, end: int) -> Counter:
    """How many beats of [start, end) strike each figure (the tuple of struck places)."""
    beat = score.time_signatures[0].beat_ticks
    origin = score.bar_start(0)
    by: dict[int, list[int]] = {}
    for t in sorted({x.start for x in score.notes if start <= x.start < end}):
        by.setdefault((t - origin) // beat, []).append((t - origin) % beat)
    return Counter(tuple(by.get(k, ())) for k in range((start - origin) // beat,
                                                        (end - origin) // beat))


def distance(p: Counter, q: Counter) -> float:
    """Total variation distance between two counts' shares."""
    a, b = sum(p.values()), sum(q.values())
    return 0.5 * sum(abs(p[k] / a - q[k] / b) for k in set(p) | set(q))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="val")
    ap.add_argument("--pieces", type=int, default=40)
    ap.add_argument("--no-sketch-rhythm", action="store_true")
    ap.add_argument("--no-figures", action="store_true")
    args = ap.parse_args(argv)
    if args.no_sketch_rhythm:
        tune_rules.SKETCH_RHYTHM = False
    if args.no_figures:
        tune_rules.FIGURE_COST = 0.0
    folder, cases = tunes(args.split, args.pieces)
    generate = sampler_adapter(folder)
    tally = {who: {"runs": 0, "notes": 0, "new place": 0, "syncopated": 0,
                   "syncopates anew": 0, "ties anew": 0, "beats": 0, "new figures": 0,
                   "distance": []} for who in ("continued", "real")}
    for i, s in enumerate(cases):
        first = first_full_bar(s)
        start, end = s.bar_start(first + 4), s.bar_start(first + 12)
        if home_key(s, start) is None:
            continue
        request = {**APP_DEFAULTS, "key": None, "variations": 2, "bars": 8, "start_tick": start,
                   "seed": i, "end": "cadence"}
        outs = [("real", s)]
        outs += [("continued", g) for g in generate(s.slice(0, start, shift=False), request)]
        _, sketch_places, sketch_sync, sketch_tied = rhythm(s, 0, start)
        sketch_figures = figures(s, s.bar_start(first), start)
        for who, g in outs:
            n, _, syncopated, tied = rhythm(g, start, end)
            beat = g.time_signatures[0].beat_ticks
            t = tally[who]
            t["runs"] += 1
            t["notes"] += n
            t["new place"] += sum((x.start - g.bar_start(0)) % beat not in sketch_places
                                  for x in g.notes if start <= x.start < end)
            t["syncopated"] += syncopated
            t["syncopates anew"] += syncopated > 0 and sketch_sync == 0
            t["ties anew"] += tied > 0 and sketch_tied == 0
            made = figures(g, start, end)
            t["beats"] += sum(made.values())
            t["new figures"] += sum(k for f, k in made.items() if f not in sketch_figures)
            t["distance"].append(distance(sketch_figures, made))
    print(f"{args.split} split, {len(cases)} tunes, bars 5-12"
          + (" (no SKETCH_RHYTHM)" if args.no_sketch_rhythm else "")
          + (" (no FIGURE_COST)" if args.no_figures else ""))
    print()
    print("| | runs | notes | struck where the sketch strikes none | struck off the beat and "
          "held over it | holding an off-beat note over the beat, the sketch never | holding a "
          "weak beat over the bar line, the sketch never | beats in figures the sketch never "
          "strikes | figures' distance from the sketch's |")
    print("| --- | ---: | ---: | --- | --- | --- | --- | --- | --- |")
    for who, t in tally.items():
        n = max(1, t["notes"])
        print(f"| {who} | {t['runs']} | {t['notes']} | {t['new place'] / n:.1%} | "
              f"{t['syncopated'] / n:.1%} | {t['syncopates anew']} of {t['runs']} | "
              f"{t['ties anew']} of {t['runs']} | {t['new figures'] / max(1, t['beats']):.1%} | "
              f"{np.mean(t['distance']):.3f} |")


if __name__ == "__main__":
    main()
