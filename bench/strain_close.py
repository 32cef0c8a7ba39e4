"""Folk continuations: does the tune's first strain close where it ends (its 8th full bar)?

    python bench/strain_close.py                  # the tuning tunes (val split), 40 openings
    python bench/strain_close.py --split test     # the reporting tunes
    python bench/strain_close.py --no-strain-close  # without the pull (tune_rules.STRAIN_CLOSE)
    python bench/strain_close.py --split essen    # German songs the model never saw (Essen)
    python bench/strain_close.py --no-home-final  # the final's octave by likelihood alone

Each tune's first 4 full bars (and its upbeat) are continued 8 bars (the app's defaults, the
cadence option) x 2 variations, so the continuation holds bars 5-8, the rest of the first
strain, and bars 9-12. A listening review of folk continuations heard the strain run on
through bar 8 in 7 of 9 tunes, where the real tunes close it (6 of 9 on a held tonic), and bar 8
copy bar 4, a turn-around, note for note in 5 of 9 (the real tunes 1).

Printed for bar 8, beside the real tunes' own bar 8: the close (the longest note starting in
the bar's second half, the later of equals) on the tonic and a quarter or longer, on the tonic's
triad, reached from the note before by 4 semitones or less, and bar 8 the same notes as bar 4
(positions and pitches); how far bars 9-12 lie above bars 1-4 (the median of the
difference of their mean pitches), the share of new notes above the sketch's highest, how
far the highest note of bars 9-12 lies above the sketch's highest (the median), and the
longest run of new notes struck on one pitch; the last note (the continuation's final, the
real tune's own) an octave or more above, and below, the real tune's final, and the share of
leaps of more than a fifth into it (phrase_grid.HOME_FINAL); for
bars 5-12: the share of
bars restated from earlier bars (the card's measure), the continuations ending on the tonic,
and the notes per bar. Each row is given for every tune and then apart for the tunes whose
sketch moves as a dance tune does (phrase_grid.running_tune: "fast", reels, jigs, hornpipes)
and the rest ("slow": songs, and airs in 3/4).
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

from composer_gui.ml import cadence_rules, phrase_grid, tune_rules  # noqa: E402
from composer_gui.ml.evaluate import load_split  # noqa: E402
from composer_gui.ml.model_folder import load_model  # noqa: E402
from composer_gui.ml.musical_eval import (  # noqa: E402
    APP_DEFAULTS,
    cases_from_pieces,
    home_key,
    sampler_adapter,
    spread,
)
from composer_gui.ml.phrase_grid import first_full_bar, running_tune  # noqa: E402
from composer_gui.music import analysis as an  # noqa: E402
from composer_gui.music.score import TPQ, Score  # noqa: E402


def bar_notes(score: Score, bar: int) -> list[tuple[int, int, int]]:
    """(onset in the bar, pitch, duration) of the notes starting in bar ``bar``."""
    a, b = score.bar_start(bar), score.bar_start(bar + 1)
    return sorted((n.start - a, n.pitch, n.duration) for n in score.notes if a <= n.start < b)


def close_of(score: Score, bar: int) -> tuple[int, int, int | None] | None:
    """(pitch class, duration, semitones from the note before) of the bar's close: the longest
    note starting in its second half, the later of equals; None if none starts there."""
    a = score.bar_start(bar)
    half = (score.bar_start(bar + 1) - a) // 2
    late = [(d, on, p) for on, p, d in bar_notes(score, bar) if on >= half]
    if not late:
        return None
    d, on, p = max(late)
    before = [n for n in score.notes if n.start < a + on]
    leap = abs(p - max(before, key=lambda n: n.start).pitch) if before else None
    return p % 12, d, leap


def tunes(split: str, pieces: int, model: str = "folk-melodies") -> tuple[Path, list[Score]]:
    """The folk-melodies model's folder and ``pieces`` tunes of its ``split`` (or "essen": the
    Essen songs of bench/melody_phrases.py, none in the splits) in one meter, long enough for
    4 bars continued 8 (musical_eval.spread)."""
    folder = load_model(model).path
    if split == "essen":
        import melody_phrases
        data = melody_phrases.load()
        scores = [r["score"] for r in data["fit"] + data["essen"] if ".abc#" in r["id"]]
    else:
        parts, vocab, _ = load_split(folder)
        scores = [c.score for c in cases_from_pieces(parts[split], vocab)]
    cases = [s for s in scores if len(s.time_signatures) == 1
             and s.bar_count() >= 12 + first_full_bar(s)]
    return folder, spread(cases, pieces)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="val")
    ap.add_argument("--pieces", type=int, default=40)
    ap.add_argument("--no-strain-close", action="store_true")
    ap.add_argument("--no-pace", action="store_true",
                    help="the close in every tune, whatever its pace (no STRAIN_PACE)")
    ap.add_argument("--any-octave", action="store_true",
                    help="the close drawn to the tonic in every octave (no STRAIN_CLOSE_NEAR)")
    ap.add_argument("--no-home-final", action="store_true",
                    help="no HOME_FINAL, HOME_APPROACH_PULL nor FINAL_IN_REACH")
    args = ap.parse_args(argv)
    if args.no_home_final:
        phrase_grid.HOME_FINAL = False
        tune_rules.HOME_APPROACH_PULL = 0.0
        cadence_rules.FINAL_IN_REACH = False
    if args.no_strain_close:
        tune_rules.STRAIN_CLOSE = False
    if args.no_pace:
        tune_rules.STRAIN_PACE = False
    if args.any_octave:
        tune_rules.STRAIN_CLOSE_NEAR = False
    folder, cases = tunes(args.split, args.pieces)
    generate = sampler_adapter(folder)
    tally = {(who, pace): {"runs": 0, "tonic held": 0, "triad": 0, "near": 0, "closes": 0,
                           "copies bar 4": 0, "restated": [], "ends on tonic": 0,
                           "notes per bar": [], "lift": [], "above": [], "peak": [],
                           "same": [], "above final": 0, "below final": 0, "leap in": 0}
             for pace in ("all", "slow", "fast") for who in ("continued", "real")}
    for i, s in enumerate(cases):
        first = first_full_bar(s)
        start, end = s.bar_start(first + 4), s.bar_start(first + 12)
        key = home_key(s, start)
        if key is None:
            continue
        triad = {key.tonic_pc, (key.tonic_pc + (3 if key.quality == "minor" else 4)) % 12,
                 (key.tonic_pc + 7) % 12}
        request = {**APP_DEFAULTS, "key": None, "variations": 2, "bars": 8, "start_tick": start,
                   "seed": i, "end": "cadence"}
        outs = [("real", s.slice(0, end, shift=False))]
        real_final = max(s.notes, key=lambda n: (n.start, n.pitch)).pitch
        outs += [("continued", g) for g in generate(s.slice(0, start, shift=False), request)]
        pace = "fast" if running_tune(s, start) else "slow"
        for (who, g), p in itertools.product(outs, ("all", pace)):
            t = tally[who, p]
            t["runs"] += 1
            close = close_of(g, first + 7)
            if close is not None:
                t["tonic held"] += close[0] == key.tonic_pc and close[1] >= TPQ
                t["triad"] += close[0] in triad
                if close[2] is not None:
                    t["closes"] += 1
                    t["near"] += close[2] <= 4
            t["copies bar 4"] += bar_notes(g, first + 7) == bar_notes(g, first + 3) != []
            done, bars = an.restated_bars(g, g.notes, start, end)
            t["restated"].append(done / max(1, bars))
            t["ends on tonic"] += an.ends_on_tonic(g.notes, key, end)
            t["notes per bar"].append(sum(start <= n.start < end for n in g.notes) / 8)
            sketch = [n.pitch for n in g.notes if s.bar_start(first) <= n.start < start]
            late = [n.pitch for n in g.notes if s.bar_start(first + 8) <= n.start < end]
            new = [n.pitch for n in g.notes if start <= n.start < end]
            if sketch and late:
                t["lift"].append(np.mean(late) - np.mean(sketch))
            if sketch and new:
                t["above"].append(np.mean(np.array(new) > max(sketch)))
            if sketch and late:
                t["peak"].append(max(late) - max(sketch))
            line = sorted(s.notes if who == "real" else g.notes, key=lambda n: (n.start, n.pitch))
            if len(line) > 1:
                t["above final"] += line[-1].pitch >= real_final + 12
                t["below final"] += line[-1].pitch <= real_final - 12
                t["leap in"] += abs(line[-1].pitch - line[-2].pitch) > 7
            t["same"].append(max((len(list(r)) for _, r in itertools.groupby(new)), default=0))
    print(f"{args.split} split, {len(cases)} tunes, bar 8 = the first strain's last bar"
          + (" (no STRAIN_CLOSE)" if args.no_strain_close else "")
          + (" (no STRAIN_PACE)" if args.no_pace else ""))
    print()
    print("| | runs | bar 8 closes on the held tonic | on the tonic's triad | reached within 4 "
          "semitones | bar 8 copies bar 4 | bars 5-12 restated | ending on the tonic "
          "| notes per bar | bars 9-12 above bars 1-4 (median semitones) | notes above the "
          "sketch's highest | bars 9-12's highest above the sketch's (median) | longest run of "
          "one pitch (mean) | final an octave or more above the tune's | below it | leaping "
          "more than a fifth into the final |")
    print("| --- | ---: | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- "
          "| --- | --- |")
    for (who, pace), t in tally.items():
        n = max(1, t["runs"])
        print(f"| {who}, {pace} | {t['runs']} | {t['tonic held'] / n:.1%} | {t['triad'] / n:.1%} | "
              f"{t['near'] / max(1, t['closes']):.1%} | "
              f"{t['copies bar 4'] / n:.1%} | {np.mean(t['restated']):.3f} | "
              f"{t['ends on tonic'] / n:.1%} | {np.mean(t['notes per bar']):.2f} | "
              f"{np.median(t['lift']):+.1f} | {np.mean(t['above']):.1%} | "
              f"{np.median(t['peak']):+.1f} | {np.mean(t['same']):.2f} | "
              f"{t['above final'] / n:.1%} | {t['below final'] / n:.1%} | {t['leap in'] / n:.1%} |")


if __name__ == "__main__":
    main()
