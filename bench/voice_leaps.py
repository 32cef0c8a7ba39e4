"""How the voices of harmonized chorale melodies move, beside Bach's: steps, leaps, repeats.

    python bench/voice_leaps.py                    # as the app harmonizes now
    python bench/voice_leaps.py --no-leap-cost     # without _leap_cost (LEAP_COST = 0)
    python bench/voice_leaps.py --split val        # the tuning pieces (the costs were chosen there)

The bach-chorales model's held-out melodies (its split.json), 2 variations each, the evaluation's
settings (musical_eval: temperature, top-p, no key lock), as bench/phrase_closes.py. Each cell is
the share of a voice's moves (note to next note) of that size; "6ths" counts minor and major
sixths. The first line is the card's harmony measures for the same harmonizations. The
"before" rows in docs/voices.md are this script run on commit 5f3a369 (tritones barred in the
bass only, no cost).
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
from composer_gui.ml import voice_sampler  # noqa: E402
from composer_gui.ml.evaluate import load_split  # noqa: E402
from composer_gui.ml.model_folder import load_model  # noqa: E402
from composer_gui.music import analysis as an  # noqa: E402

SIZES = {"repeat": (0,), "step": (1, 2), "3rd": (3, 4), "4th": (5,), "tritone": (6,),
         "5th": (7,), "6ths": (8, 9), "7ths": (10, 11), "octave": (12,)}


def moves(voices, end: int) -> list[Counter]:
    """Per voice, a count of its moves by size in semitones (and "n", all moves)."""
    out = []
    for v in voices:
        line = sorted((n for n in v if n.start < end), key=lambda n: n.start)
        c = Counter(abs(b.pitch - a.pitch) for a, b in itertools.pairwise(line))
        c["n"] = max(0, len(line) - 1)
        out.append(c)
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-leap-cost", action="store_true")
    ap.add_argument("--split", default="test")
    ap.add_argument("--pieces", type=int, default=40)
    args = ap.parse_args(argv)
    if args.no_leap_cost:
        voice_sampler.LEAP_COST = 0
    folder = load_model("bach-chorales").path
    split, vocab, _ = load_split(folder)
    cases = me.cases_from_pieces(split[args.split], vocab)[:args.pieces]
    generate = me.sampler_adapter(folder)
    made, bach = [Counter() for _ in range(4)], [Counter() for _ in range(4)]
    good = chords = cadences = outer = pairs = eighths = 0.0
    for i, case in enumerate(cases):
        s = me.as_voices(case.score, 4)
        end = s.bar_start(s.bar_count())
        key = me.home_key(s, end)
        for acc, c in zip(bach, moves(an.part_voices(s), end), strict=True):
            acc.update(c)
        request = {**me.APP_DEFAULTS, "key": None, "variations": 2, "bars": s.bar_count(),
                   "harmonize": True, "seed": i}
        for g in generate(me.melody_of(s), request):
            for acc, c in zip(made, moves(an.part_voices(g), end), strict=True):
                acc.update(c)
            g_good, g_chords = an.beat_chord_share(g, 0, end)
            good, chords = good + g_good, chords + g_chords
            cadences += an.authentic_cadences(g, key, 0, end)
            outer += an.outer_voice_parallels(g.notes, 0, end)
            pairs += an.voice_parallels(an.part_voices(g), 0, end)
            eighths += s.bar_count() / 8
    print(f"{len(cases)} {args.split} melodies x 2: beat chords {good / chords:.3f}, authentic "
          f"cadences / 8 bars {cadences / eighths:.2f}, outer parallels / 8 bars "
          f"{outer / eighths:.3f}, any two voices / 8 bars {pairs / eighths:.3f}\n")
    print("| voice | moves | " + " | ".join(SIZES) + " |")
    print("| --- " * (len(SIZES) + 2) + "|")
    for who, table in (("harmonized", made), ("Bach", bach)):
        for name, c in zip(("soprano", "alto", "tenor", "bass"), table, strict=True):
            cells = [f"{100 * sum(c[k] for k in ks) / max(1, c['n']):.1f}%"
                     for ks in SIZES.values()]
            print(f"| {who} {name} | {c['n']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
