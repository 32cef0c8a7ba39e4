"""Folk continuations: which bars restate earlier ones, and how alike one request's variations are.

    python bench/restatement.py                     # the tuning tunes (val split), 40 openings
    python bench/restatement.py --split test        # the reporting tunes
    python bench/restatement.py --split essen --pieces 60   # German songs the model never saw
    python bench/restatement.py --restate-chance 1 --echo-chance 0   # every variation pulled

Each tune's first 4 full bars (and its upbeat) are continued 8 bars (the app's defaults, the
cadence option) x 4 variations. Printed beside the real tunes: the share of bars 5-8 that
repeat bars 1-4 at the same place, the card's restated share (bars 5-12 repeating any earlier
bar), that share bar by bar, and, for each of bars 5-12, the share of pairs of variations of
one request whose bar is the same (a listening review found seeds 31 and 32 identical through
bars 5-6 of 8 of 8 folk continuations: asking for another variation gave nothing new there).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from strain_close import bar_notes, tunes  # noqa: E402

from composer_gui.ml import tune_rules  # noqa: E402
from composer_gui.ml.musical_eval import APP_DEFAULTS, home_key, sampler_adapter  # noqa: E402
from composer_gui.ml.phrase_grid import first_full_bar  # noqa: E402
from composer_gui.music import analysis as an  # noqa: E402

VARIATIONS = 4


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="val")
    ap.add_argument("--model", default="folk-melodies", help="a model's name or folder")
    ap.add_argument("--pieces", type=int, default=40)
    ap.add_argument("--restate-chance", type=float, default=tune_rules.RESTATE_CHANCE)
    ap.add_argument("--echo-chance", type=float, default=tune_rules.ECHO_CHANCE)
    ap.add_argument("--bonus", type=float, default=tune_rules.RESTATE_BONUS,
                    help="nats toward the earlier bar's token (RESTATE_BONUS)")
    args = ap.parse_args(argv)
    tune_rules.RESTATE_CHANCE = args.restate_chance
    tune_rules.ECHO_CHANCE = args.echo_chance
    tune_rules.RESTATE_BONUS = args.bonus
    folder, cases = tunes(args.split, args.pieces, args.model)
    generate = sampler_adapter(folder)
    same_place = {"real": np.zeros(4), "continued": np.zeros(4)}
    any_earlier = {"real": np.zeros(8), "continued": np.zeros(8)}
    share = {"real": [0, 0], "continued": [0, 0]}
    runs = {"real": 0, "continued": 0}
    alike, pairs = np.zeros(8), 0
    for i, s in enumerate(cases):
        first = first_full_bar(s)
        start, end = s.bar_start(first + 4), s.bar_start(first + 12)
        if home_key(s, start) is None:
            continue
        request = {**APP_DEFAULTS, "key": None, "variations": VARIATIONS, "bars": 8,
                   "start_tick": start, "seed": i, "end": "cadence"}
        outs = generate(s.slice(0, start, shift=False), request)
        for who, g in [("real", s.slice(0, end, shift=False)), *(("continued", o) for o in outs)]:
            bars = [tuple(bar_notes(g, first + j)) for j in range(12)]
            same_place[who] += [bars[4 + j] == bars[j] for j in range(4)]
            any_earlier[who] += [bool(bars[j]) and bars[j] in bars[:j] for j in range(4, 12)]
            a, b = an.restated_bars(g, g.notes, start, end)
            share[who][0] += a
            share[who][1] += b
            runs[who] += 1
        for a, b in itertools.combinations(outs, 2):
            alike += [bar_notes(a, first + j) == bar_notes(b, first + j) for j in range(4, 12)]
            pairs += 1
    print(f"{args.split} split, {runs['real']} tunes x {VARIATIONS} variations, "
          f"RESTATE_CHANCE {args.restate_chance}, ECHO_CHANCE {args.echo_chance}, "
          f"RESTATE_BONUS {args.bonus}\n")
    print("| | runs | restated share | bars 5-8 = bars 1-4 | bars 5..12 restating an earlier bar |")
    print("| --- | ---: | ---: | --- | --- |")
    for who in ("continued", "real"):
        n = runs[who]
        print(f"| {who} | {n} | {share[who][0] / max(share[who][1], 1):.3f} | "
              f"{' '.join(f'{x:.2f}' for x in same_place[who] / n)} | "
              f"{' '.join(f'{x:.2f}' for x in any_earlier[who] / n)} |")
    print(f"\npairs of variations with the same bar, bars 5..12 ({pairs} pairs): "
          f"{' '.join(f'{x:.2f}' for x in alike / max(pairs, 1))}; "
          f"mean {alike.sum() / max(pairs, 1) / 8:.3f}")


if __name__ == "__main__":
    main()
