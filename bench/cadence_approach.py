"""How continued and harmonized chorales approach a cadence: the chord before the dominant.

    python bench/cadence_approach.py                   # as the app writes now
    python bench/cadence_approach.py --split val       # the tuning pieces
    python bench/cadence_approach.py --no-predominant  # PREDOMINANT_PULL and its bass's pull 0

Every phrase end (a fermata, the closing chord's included) whose chord a beat earlier is its
dominant (a chord rooted a fifth above it, or the leading-tone chord a semitone below): the
chord two beats before the phrase end, named by its root against the phrase end's root. "ii or
IV" (a root a step or a fourth above the close: ii6, IV, ii65 before V-I, V/V as a II) is how
Bach prepares most of his cadences; "I" is the close's own chord (I-V-I), "vi" its sixth degree,
"V" the dominant struck twice; "none" no triad or seventh chord (a suspension, a passing note).

Continued: 20 test pieces of the split (musical_eval.spread) cut after bar 4 and continued 8
bars (the app's defaults, the cadence ending) x 2 variations, beside Bach's own continuation of
the same pieces. Harmonized: the top voice of 40 pieces harmonized (the app's defaults) x 2,
beside Bach's harmonization of the same melodies.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from composer_gui.ml import cadence_rules  # noqa: E402
from composer_gui.ml import musical_eval as me  # noqa: E402
from composer_gui.ml.evaluate import load_split  # noqa: E402
from composer_gui.ml.model_folder import load_model  # noqa: E402
from composer_gui.music import analysis as an  # noqa: E402
from composer_gui.music.score import Score  # noqa: E402

# a root, in semitones above the phrase end's root -> its name
NAMES = {0: "I", 2: "ii or IV", 5: "ii or IV", 7: "V", 9: "vi", 11: "vii"}
COLUMNS = ("ii or IV", "I", "vi", "V", "vii", "other", "none")


def root_at(score: Score, tick: int) -> int | None:
    found = an.sonorities(score.notes, [tick])
    named = an.chord_root(found[0].pcs) if found else None
    return None if named is None else named[0]


def approaches(score: Score, start: int, stop: int, into: Counter) -> None:
    """Count the chord two beats before each phrase end in [start, stop) that its dominant
    precedes by a beat (the module docstring)."""
    beat = score.time_signature_at(start).beat_ticks
    for t in sorted(score.fermatas):
        if not start <= t < stop:
            continue
        end = root_at(score, t)
        if end is None:
            continue
        into["phrase ends"] += 1
        before = root_at(score, t - beat)
        if before is None or (before - end) % 12 not in (7, 11):
            continue
        into["after their dominant"] += 1
        two = root_at(score, t - 2 * beat)
        into["none" if two is None else NAMES.get((two - end) % 12, "other")] += 1


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="test")
    ap.add_argument("--no-predominant", action="store_true")
    args = ap.parse_args(argv)
    if args.no_predominant:
        cadence_rules.PREDOMINANT_PULL = cadence_rules.PREDOMINANT_BASS_PULL = 0.0
    folder = load_model("bach-chorales").path
    split, vocab, _ = load_split(folder)
    generate = me.sampler_adapter(folder)
    pieces = list(me.cases_from_pieces(split[args.split], vocab))
    counts = {w: Counter() for w in ("continued", "Bach (continued pieces)", "harmonized",
                                     "Bach (harmonized pieces)")}
    for i, case in enumerate(me.spread([c for c in pieces if c.score.bar_count() >= 4], 20)):
        s = case.score
        start = s.bar_start(4)
        approaches(s, start, s.end_tick, counts["Bach (continued pieces)"])
        for g in generate(s.slice(0, start, shift=False),
                          {**me.APP_REQUEST, "bars": 8, "start_tick": start, "seed": i,
                           "variations": 2}):
            approaches(g, start, g.end_tick, counts["continued"])
    for i, case in enumerate(me.spread(pieces, 40)):
        s = me.as_voices(case.score, 4)
        end = s.bar_start(s.bar_count())
        approaches(case.score, 0, end, counts["Bach (harmonized pieces)"])
        for g in generate(me.melody_of(s), {**me.APP_REQUEST, "bars": s.bar_count(),
                                            "harmonize": True, "seed": i, "variations": 2}):
            approaches(g, 0, end, counts["harmonized"])
    print("| | phrase ends | after their dominant | two beats before: "
          + " | ".join(COLUMNS) + " |")
    print("| --- | ---: | ---: | " + " | ".join("---" for _ in COLUMNS) + " |")
    for who, c in counts.items():
        n = c["after their dominant"]
        cells = " | ".join(f"{c[k]} ({c[k] / max(n, 1):.0%})" for k in COLUMNS)
        print(f"| {who} | {c['phrase ends']} | {n} | {cells} |")


if __name__ == "__main__":
    main()
