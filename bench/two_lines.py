"""A melody over a bass line given to the chorale model: continued as two lines, beside Bach.

    python bench/two_lines.py                # the test split
    python bench/two_lines.py --split val

20 pieces of the split (musical_eval.spread, 12 bars or more) reduced to their soprano and
bass (renamed "Melody" and "Cello", so that nothing names them a voice) and cut after bar 4;
each opening continued 8 bars x 2 with the app's defaults. The model hears alto and tenor
(sampled, not written: voices.plan_voices gives each single line one voice). Counted in the
continuations and in Bach's own bars 5-12 of the same pieces: consecutive fifths or octaves
between the two parts from beat to beat (both parts moving), and the bass's moves by step (a
semitone or a tone) among its moves. Openings whose two parts hold no note are skipped (a
chorale that opens with rests in every voice: the model would write new parts).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from composer_gui.ml import musical_eval as me  # noqa: E402
from composer_gui.ml.evaluate import load_split  # noqa: E402
from composer_gui.ml.model_folder import load_model  # noqa: E402
from composer_gui.music import analysis as an  # noqa: E402
from composer_gui.music.score import Score  # noqa: E402


def count(score: Score, start: int, end: int) -> tuple[int, int, int, int]:
    """(consecutive fifths/octaves, beat-to-beat moves, bass steps, bass moves) in [start, end)
    between the first part (the melody) and the last (the bass)."""
    top, bass = score.parts[0], score.parts[-1]
    beat = score.time_signature_at(start).beat_ticks
    prev, parallels, moves = None, 0, 0
    for t in range(start, end, beat):
        a, b = (max(an.sounding(p.notes, t), default=None) for p in (top, bass))
        if a is None or b is None:
            prev = None
            continue
        if prev is not None and (a, b) != prev:
            moves += 1
            was, now = (prev[0] - prev[1]) % 12, (a - b) % 12
            parallels += was == now and now in (0, 7) and a != prev[0] and b != prev[1]
        prev = (a, b)
    line = [n.pitch for n in sorted(bass.notes) if start <= n.start < end]
    steps = sum(1 <= abs(x - y) <= 2 for x, y in itertools.pairwise(line))
    return parallels, moves, steps, max(0, len(line) - 1)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="test")
    args = ap.parse_args(argv)
    folder = load_model("bach-chorales").path
    split, vocab, _ = load_split(folder)
    generate = me.sampler_adapter(folder)
    cases = me.spread([c for c in me.cases_from_pieces(split[args.split], vocab)
                       if c.score.bar_count() >= 12], 20)
    totals = {"Bach": [0, 0, 0, 0], "continued": [0, 0, 0, 0]}
    used = 0
    for i, case in enumerate(cases):
        s = case.score
        start, end = s.bar_start(4), s.bar_start(12)
        two = replace(s, parts=(replace(s.parts[0], name="Melody"),
                                replace(s.parts[-1], name="Cello")))
        opening = two.slice(0, start, shift=False)
        if not all(p.notes for p in opening.parts):
            continue
        used += 1
        totals["Bach"] = [x + y for x, y in zip(totals["Bach"], count(s, start, end),
                                                strict=True)]
        for g in generate(opening, {**me.APP_REQUEST, "bars": 8, "start_tick": start,
                                    "seed": i, "variations": 2}):
            assert [p.name for p in g.parts] == ["Melody", "Cello"], "a part was added"
            totals["continued"] = [x + y for x, y in zip(
                totals["continued"], count(g, start, g.end_tick), strict=True)]
    print(f"{used} {args.split} openings (soprano and bass), 8 bars continued x 2\n")
    print("| | consecutive fifths/octaves between the two parts | the bass moving by step |")
    print("| --- | --- | --- |")
    for who in ("continued", "Bach"):
        par, moves, steps, bass = totals[who]
        print(f"| {who} | {par} of {moves} beat-to-beat moves | {steps} of {bass} "
              f"({steps / max(1, bass):.0%}) |")


if __name__ == "__main__":
    main()
