"""Outer voices' leading tones at V(7)-I: does the soprano's or the bass's leading tone rise?

    python bench/leading_tones.py                    # as the app writes now (the test pieces)
    python bench/leading_tones.py --split val        # the tuning pieces
    python bench/leading_tones.py --no-harmonized    # continuations only (about half the time)
    python bench/leading_tones.py --no-rise-rule     # part_writing.LEADING_TONE_RISES off
    python bench/leading_tones.py --split val --pieces 48 --variations 4  # more, to tune on

Every beat-to-beat V(7)-I: a beat chord that is a major triad or a dominant seventh chord
(analysis.chord_root: its fifth may be left out), and on the next beat a major or minor triad
rooted a fifth below it, in whatever key it is heard (V/V-V counts). Where the soprano (the
highest part) or the bass (the lowest) sounds the V's third, its leading tone, on the first
beat, the voice should sound the I's root a semitone up on the next beat: the columns count
those leading tones and those of them that do not rise so (a note between the two beats is
free: Bach's bass often goes B2-G2-C3 in eighths). The inner voices (which may drop to the
fifth, as Bach's often do) are not counted. Beside them: the V beats whose leading
tone two or more voices sound.

Continued: 20 pieces of the split (musical_eval.spread) cut after bar 4 and continued 8 bars
(the app's defaults, the cadence ending) x 2 variations, beside Bach's own continuation of the
same pieces (bench/cadence_approach.py's set). Harmonized: the top voice of 40 pieces
harmonized (the app's defaults) x 2, beside Bach's harmonization of the same melodies (where
the melody is given, only the bass can change).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from composer_gui.ml import musical_eval as me  # noqa: E402
from composer_gui.ml import part_writing  # noqa: E402
from composer_gui.ml.evaluate import load_split  # noqa: E402
from composer_gui.ml.model_folder import load_model  # noqa: E402
from composer_gui.music import analysis as an  # noqa: E402
from composer_gui.music.score import Score  # noqa: E402

OUTER = ("soprano", "bass")


def leading_tones(score: Score, start: int, stop: int, into: Counter) -> None:
    """Count the V(7)-I progressions between beats in [start, stop) and their outer voices'
    leading tones (the module docstring)."""
    voices = an.part_voices(score)
    if len(voices) < 3:
        return
    beats = an.beat_ticks(score, start, stop)
    chords = {c.tick: c for c in an.sonorities(score.notes, beats)}
    for t, u in itertools.pairwise(beats):
        if t not in chords or u not in chords:
            continue
        v, i = an.chord_root(chords[t].pcs), an.chord_root(chords[u].pcs)
        if v is None or i is None or v[1] not in ("maj", "dom7") or \
                i[1] not in ("maj", "min") or (v[0] - i[0]) % 12 != 7:
            continue
        into["V-I"] += 1
        lead = (v[0] + 4) % 12
        now = [max(an.sounding(x, t), default=None) for x in voices]
        into["doubled"] += sum(p is not None and p % 12 == lead for p in now) >= 2
        for name, j in zip(OUTER, (0, -1), strict=True):
            if now[j] is None or now[j] % 12 != lead:
                continue
            into[name] += 1
            into[name + " not rising"] += max(an.sounding(voices[j], u), default=None) \
                != now[j] + 1


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="test", help="test, or val (the tuning pieces)")
    ap.add_argument("--no-harmonized", action="store_true")
    ap.add_argument("--pieces", type=int, default=20, help="continued pieces (harmonized: 2x)")
    ap.add_argument("--variations", type=int, default=2)
    ap.add_argument("--no-rise-rule", action="store_true")
    args = ap.parse_args(argv)
    if args.no_rise_rule:
        part_writing.LEADING_TONE_RISES = False
    folder = load_model("bach-chorales").path
    split, vocab, _ = load_split(folder)
    generate = me.sampler_adapter(folder)
    pieces = list(me.cases_from_pieces(split[args.split], vocab))
    counts = {w: Counter() for w in ("continued", "Bach (continued pieces)", "harmonized",
                                     "Bach (harmonized pieces)")}
    long = [c for c in pieces if c.score.bar_count() >= 4]
    for i, case in enumerate(me.spread(long, args.pieces)):
        s = case.score
        start = s.bar_start(4)
        leading_tones(s, start, s.end_tick, counts["Bach (continued pieces)"])
        for g in generate(s.slice(0, start, shift=False),
                          {**me.APP_REQUEST, "bars": 8, "start_tick": start, "seed": i,
                           "variations": args.variations}):
            leading_tones(g, start, g.end_tick, counts["continued"])
    for i, case in enumerate([] if args.no_harmonized else me.spread(pieces, 2 * args.pieces)):
        s = me.as_voices(case.score, 4)
        end = s.bar_start(s.bar_count())
        leading_tones(case.score, 0, end, counts["Bach (harmonized pieces)"])
        for g in generate(me.melody_of(s), {**me.APP_REQUEST, "bars": s.bar_count(),
                                            "harmonize": True, "seed": i,
                                            "variations": args.variations}):
            leading_tones(g, 0, end, counts["harmonized"])
    print("| | V-I | soprano on the leading tone | not rising | bass on the leading tone | "
          "not rising | leading tone doubled on the V |")
    print("| --- " + "| ---: " * 6 + "|")
    for who, c in counts.items():
        if args.no_harmonized and who.startswith(("harmonized", "Bach (harm")):
            continue
        print(f"| {who} | {c['V-I']} | " + " | ".join(
            f"{c[k]} | {c[k + ' not rising']} ({c[k + ' not rising'] / max(c[k], 1):.0%})"
            for k in OUTER) + f" | {c['doubled']} |")


if __name__ == "__main__":
    main()
