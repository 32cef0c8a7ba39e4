"""The final chord of minor-key chorales: the major third (a Picardy third), the minor third, none.

    python bench/minor_endings.py                 # as the app writes now
    python bench/minor_endings.py --no-picardy    # either third (cadence_rules.PICARDY off)

Every minor piece of the bach-chorales model's test and val splits (musical_eval's home key
over the whole piece) with 5 bars or more: its first 4 bars continued 8 bars with the cadence
option, and its melody harmonized, 2 variations each (the app's defaults, no key lock). Beside
them, Bach's own final chords in the same pieces and in the train split.
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
from composer_gui.music.score import KeySignature, Score  # noqa: E402

KINDS = ("major third", "minor third", "no third", "bass off the tonic")


def final_third(score: Score, key: KeySignature) -> str:
    chord = an.final_sonority(score.notes)
    if chord is None or chord.bass % 12 != key.tonic_pc:
        return "bass off the tonic"
    if (key.tonic_pc + 4) % 12 in chord.pcs:
        return "major third"
    return "minor third" if (key.tonic_pc + 3) % 12 in chord.pcs else "no third"


def row(label: str, counts: Counter) -> str:
    return f"| {label} | {sum(counts.values())} | " + " | ".join(
        str(counts[k]) for k in KINDS) + " |"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-picardy", action="store_true")
    args = ap.parse_args(argv)
    if args.no_picardy:
        cadence_rules.PICARDY = False
    folder = load_model("bach-chorales").path
    split, vocab, _ = load_split(folder)
    generate = me.sampler_adapter(folder)
    tables = {k: Counter() for k in ("continued", "harmonized", "Bach", "Bach (train)")}
    for name in ("test", "val", "train"):
        for i, case in enumerate(me.cases_from_pieces(split[name], vocab)):
            s = me.as_voices(case.score, 4)
            end = s.bar_start(s.bar_count())
            key = me.home_key(s, end)
            if key is None or key.quality != "minor":
                continue
            if name == "train":
                tables["Bach (train)"][final_third(s, key)] += 1
                continue
            tables["Bach"][final_third(s, key)] += 1
            if s.bar_count() < 5:
                continue
            start = s.bar_start(4)
            request = {**me.APP_DEFAULTS, "key": None, "variations": 2, "seed": i}
            for g in generate(s.slice(0, start, shift=False),
                              {**request, "bars": 8, "start_tick": start}):
                tables["continued"][final_third(g, key)] += 1
            for g in generate(me.melody_of(s),
                              {**request, "bars": s.bar_count(), "harmonize": True}):
                tables["harmonized"][final_third(g, key)] += 1
    print("| final chord | pieces | " + " | ".join(KINDS) + " |")
    print("| --- " * (len(KINDS) + 2) + "|")
    for label, counts in tables.items():
        print(row(label, counts))


if __name__ == "__main__":
    main()
