"""Quick melodies (reels, jigs) harmonized by the chorale model: the chords' rhythm below them.

    python bench/quick_harmony.py              # 24 tunes of the folk test split
    python bench/quick_harmony.py --tunes 40
    python bench/quick_harmony.py --gaps 1,3   # chord spans of 1 and 3 median gaps

The folk-melodies model's test tunes whose first 8 bars move mostly in notes shorter than
their beat (the median gap between onsets: reels' and jigs' eighths), each harmonized by the
bach-chorales model with the app's defaults, seeds 1 and 2, with voice_sampler's
QUICK_MELODY_CHORDS off, then on with each QUICK_CHORD_GAPS asked for, in the same run.
Counted in the three voices written: notes a bar, the share struck off the melody's beats
(the last bar left out: the final chord comes with the melody's last note), and over the
four voices the issue's measures: beat chords that are triads or sevenths, outer-voice
parallels per 8 bars. docs/voices.md quotes the output.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def quick_openings(limit: int, bars: int = 8):
    """(id, score) of the first ``limit`` test tunes whose opening is quick, cut to ``bars``."""
    from composer_gui.ml.corpora import music21_corpus_root
    from composer_gui.music.safe_read import read_score

    root = music21_corpus_root()
    split = json.loads((ROOT / "models" / "folk-melodies" / "split.json").read_text("utf-8"))
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tune.abc"
        for pid in split["test"]:
            file, _, index = pid.partition("#")
            text = (root / file).read_text(encoding="utf-8", errors="replace")
            blocks = re.split(r"(?m)^(?=X:)", text)[1:]
            path.write_text(blocks[int(index)] if index else text, encoding="utf-8")
            try:
                score = read_score(path, [])
            except Exception:  # a tune the app refuses is no case
                continue
            cut = score.bar_start(min(bars + (1 if score.pickup else 0), score.bar_count()))
            opening = score.slice(0, cut, shift=False)
            onsets = sorted({n.start for n in opening.notes})
            gaps = sorted(b - a for a, b in itertools.pairwise(onsets))
            beat = opening.time_signature.beat_ticks
            if len(gaps) > 8 and gaps[len(gaps) // 2] < beat:
                out.append((pid, opening))
            if len(out) >= limit:
                break
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tunes", type=int, default=24)
    ap.add_argument("--gaps", default=str(1),
                    help="QUICK_CHORD_GAPS values to compare, e.g. 1,3 (the rule off first)")
    args = ap.parse_args(argv)

    from composer_gui.ml import musical_eval as me
    from composer_gui.ml import voice_sampler
    from composer_gui.ml.sampler import GenerationRequest, load_sampler
    from composer_gui.music import analysis as an

    sampler = load_sampler("bach-chorales")
    cases = quick_openings(args.tunes)
    rows = {}
    settings = [(False, 1)] + [(True, int(g)) for g in args.gaps.split(",")]
    for rule, gaps in settings:
        voice_sampler.QUICK_MELODY_CHORDS = rule
        voice_sampler.QUICK_CHORD_GAPS = gaps
        pool = me.Pool()
        per_bar = []
        for _pid, opening in cases:
            beat = opening.time_signature.beat_ticks
            for seed in (1, 2):
                r = sampler.generate(opening, GenerationRequest(harmonize=True, seed=seed))[0]
                end = r.end_tick
                last_bar = r.bar_start(r.bar_at(max(end - 1, 0)))
                lower = [n for p in r.parts[1:] for n in p.notes]
                bars = end / r.time_signature.bar_ticks
                per_bar.append(len(lower) / bars)
                start_bar = [n for n in lower if n.start < last_bar]
                pool.add("off_beat", sum((n.start - r.bar_start(r.bar_at(n.start))) % beat != 0
                                         for n in start_bar), len(start_bar))
                good, total = an.beat_chord_share(r, 0, end, r.notes)
                pool.add("beat_chords", good, total)
                pool.add("parallels", an.outer_voice_parallels(r.notes, 0, end), bars / 8)
        rows[rule, gaps] = (statistics.mean(per_bar), pool.value("off_beat"),
                            pool.value("beat_chords"), pool.value("parallels"))
    print(f"{len(cases)} quick test tunes (first 8 bars), harmonized x 2 seeds\n")
    print("| QUICK_MELODY_CHORDS (QUICK_CHORD_GAPS) | lower-voice notes a bar | struck off the "
          "beat | beat chords triads/sevenths | outer parallels per 8 bars |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for (rule, gaps), (nb, off, chords, par) in rows.items():
        name = f"on ({gaps})" if rule else "off"
        print(f"| {name} | {nb:.1f} | {off:.1%} | {chords:.3f} | {par:.2f} |")


if __name__ == "__main__":
    main()
