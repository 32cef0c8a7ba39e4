"""Rewritten chorale regions and continuations: how long a chord stands with no voice striking.

    python bench/region_gaps.py                        # as the app rewrites regions now
    python bench/region_gaps.py --static-beats 2       # another voice_sampler.MAX_STATIC_BEATS
    python bench/region_gaps.py --static-beats 99      # no limit
    python bench/region_gaps.py --sampled-fermatas     # the model adds fermatas of its own
    python bench/region_gaps.py --continuations [--fermata-beats N]  # 8 bars continued

Continuations: 20 test pieces (musical_eval.spread) cut after bar 4, continued 8 bars (the app's
cadence ending) x 2 variations; the longest span between onsets before the last bar, fermatas
included (the model's are not in the score), beside Bach's own bars 5-11.

The evaluation's infill cases (musical_eval: the bach-chorales test pieces in 4/4 with 6 bars
or more, bars 3-4 of the first 6 rewritten, all four voices), 2 variations each, the app's
defaults; beside Bach's own bars 3-4. The longest span between two onsets of the texture inside
the region, in beats; a span that holds one of the score's fermatas is not counted (Bach holds a
fermata's chord 1 to 4 beats). docs/voices.md quotes the output.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from composer_gui.ml import musical_eval as me  # noqa: E402
from composer_gui.ml import voice_sampler  # noqa: E402
from composer_gui.ml.evaluate import load_split  # noqa: E402
from composer_gui.ml.model_folder import load_model  # noqa: E402
from composer_gui.music import analysis as an  # noqa: E402
from composer_gui.music.score import TPQ, Score  # noqa: E402


def longest_static(score: Score, r0: int, r1: int, fermatas) -> float:
    """Beats of the longest span between onsets in [r0, r1) (its ends count as onsets)."""
    ticks = sorted({n.start for n in score.notes if r0 <= n.start < r1} | {r0, r1})
    spans = [b - a for a, b in itertools.pairwise(ticks)
             if not any(a <= f < b for f in fermatas)]
    return max(spans, default=0) / TPQ


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--static-beats", type=int, default=None)
    ap.add_argument("--sampled-fermatas", action="store_true")
    ap.add_argument("--pieces", type=int, default=40)
    ap.add_argument("--continuations", action="store_true")
    ap.add_argument("--fermata-beats", type=int, default=None)
    ap.add_argument("--split", default="test", help="with --continuations: the pieces continued "
                    "(val: the tuning pieces)")
    args = ap.parse_args(argv)
    if args.fermata_beats is not None:
        voice_sampler.MAX_FERMATA_BEATS = args.fermata_beats
    if args.static_beats is not None:
        voice_sampler.MAX_STATIC_BEATS = args.static_beats
    if args.sampled_fermatas:
        voice_sampler.PHRASES_FROM_SCORE = False
    folder = load_model("bach-chorales").path
    split, vocab, _ = load_split(folder)
    cases = me.spread([c for c in me.cases_from_pieces(split["test"], vocab)
                       if c.score.bar_count() >= 6], args.pieces)
    generate = me.sampler_adapter(folder)
    if args.continuations:
        continuations(split[args.split], vocab, generate)
        return
    real, model = [], []
    for i, case in enumerate(cases):
        s = case.score
        if s.time_signatures[0].numerator != 4:
            continue
        r0, r1 = s.bar_start(2), s.bar_start(4)
        window = s.slice(0, s.bar_start(6), shift=False)
        real.append(longest_static(window, r0, r1, s.fermatas))
        for g in generate(window, {**me.APP_REQUEST, "bars": 2, "start_tick": r0,
                                   "end_tick": r1, "seed": i, "variations": 2}):
            model.append(longest_static(g, r0, r1, s.fermatas))
    print("| | regions | mean longest static span (beats) | 2 beats or more | over 2 beats |")
    print("| --- | ---: | --- | --- | --- |")
    for name, xs in (("rewritten", model), ("Bach", real)):
        print(f"| {name} | {len(xs)} | {sum(xs) / len(xs):.2f} | {sum(x >= 2 for x in xs)} | "
              f"{sum(x > 2 for x in xs)} |")


def continuations(pieces, vocab, generate) -> None:
    cases = me.spread([c for c in me.cases_from_pieces(pieces, vocab)
                       if c.score.bar_count() >= 4], 20)
    real, model = [], []
    # fermatas, of them on strong beats, bars, fermata chords that are root-position triads,
    # of them approached by their own dominant on the beat before (V(7)-I in some key), six-fours;
    # fermatas with an onset after them, of them left by every voice at once (no voice holds
    # its fermata note into the next onset)
    marks = {"continued": [0, 0, 0.0, 0, 0, 0, 0, 0], "Bach": [0, 0, 0.0, 0, 0, 0, 0, 0]}

    def count(who: str, g: Score, start: int, stop: int) -> None:
        ts = g.time_signature_at(start)
        onsets = sorted({n.start for n in g.notes})
        for t in g.fermatas:
            later = [o for o in onsets if t < o < stop]
            if start <= t < stop and later:
                marks[who][6] += 1
                marks[who][7] += not any(n.start <= t < later[0] < n.end for n in g.notes)
            if start <= t < stop:
                marks[who][0] += 1
                marks[who][1] += (t - g.bar_start(g.bar_at(t))) % (ts.bar_ticks // 2) == 0
                chord = an.sonorities(g.notes, [t])[0]
                found = an.chord_root(chord.pcs)
                triad = (found is not None and found[1] in ("maj", "min")
                         and found[0] == chord.bass % 12)
                marks[who][3] += triad
                marks[who][5] += (found is not None and found[1] in ("maj", "min")
                                  and (found[0] + 7) % 12 == chord.bass % 12)
                before = an.sonorities(g.notes, [t - ts.beat_ticks])
                prior = an.chord_root(before[0].pcs) if before else None
                marks[who][4] += (triad and prior is not None and prior[1] in ("maj", "dom7")
                                  and prior[0] == (found[0] + 7) % 12)
        marks[who][2] += (stop - start) / ts.bar_ticks

    for i, case in enumerate(cases):
        s = case.score
        start = s.bar_start(4)
        end = s.bar_start(min(s.bar_count(), 12) - 1)
        if end > start:
            real.append(longest_static(s, start, end, ()))
        if s.bar_count() >= 12:
            count("Bach", s, start, s.bar_start(12))
        opening = s.slice(0, start, shift=False)
        for g in generate(opening, {**me.APP_REQUEST, "bars": 8, "start_tick": start, "seed": i,
                                    "variations": 2}):
            model.append(longest_static(g, start, g.bar_start(g.bar_count() - 1), ()))
            count("continued", g, start, g.bar_start(g.bar_count()))
    print("| | continuations | mean longest static span (beats) | 3 beats or more | 4 or more |"
          " fermatas per 8 bars | of them on the downbeat or the middle of the bar |"
          " of them on a major or minor triad in root position |"
          " of those, after their own dominant (V(7)-I) | six-four chords |"
          " left by every voice at once |")
    print("| --- | ---: | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, xs in (("continued", model), ("Bach", real)):
        f, strong, bars, triads, authentic, six_four, followed, together = marks[name]
        print(f"| {name} | {len(xs)} | {sum(xs) / len(xs):.2f} | {sum(x >= 3 for x in xs)} | "
              f"{sum(x >= 4 for x in xs)} | {8 * f / max(bars, 1):.2f} | {strong} of {f} | "
              f"{triads} of {f} | {authentic} of {triads} | {six_four} of {f} | "
              f"{together} of {followed} |")


if __name__ == "__main__":
    main()
