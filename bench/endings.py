"""How continuations end and whether they fall silent: held-out openings of a bundled model.

    python bench/endings.py bach-chorales 12     # model name, number of test pieces

Each test piece's first 4 bars are continued for 8 bars with the cadence option (2 variations).
Printed: continuations with every voice silent for more than a beat / a bar, ending on the tonic,
with an authentic cadence in the last two bars, whose final chord starts on a strong beat (the
downbeat, or the middle of a bar of four or more beats), and the final chord's length in beats.
Then, per voice beside the real continuations: the entry step (semitones from each part's last
note of the opening to its first note of the continuation) and the register drift (the
continuation's mean pitch minus the opening's, per part).
"""

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from composer_gui.ml.evaluate import load_split  # noqa: E402
from composer_gui.ml.musical_eval import (  # noqa: E402
    APP_DEFAULTS,
    cases_from_pieces,
    home_key,
    sampler_adapter,
    spread,
)
from composer_gui.music import analysis as an  # noqa: E402


def longest_silence(notes, start: int, end: int) -> int:
    """Ticks of the longest stretch in [start, end) where no note sounds."""
    t, gap = start, 0
    for a, b in sorted((n.start, n.end) for n in notes if n.end > start and n.start < end):
        gap, t = max(gap, a - t), max(t, b)
    return max(gap, end - t)


def entry_and_drift(score, start: int) -> tuple[list[float], list[float]]:
    """Per part with notes on both sides of ``start``: |first after - last before|, and the mean
    pitch after minus the mean pitch before."""
    steps, drifts = [], []
    for p in score.parts:
        before = [n for n in p.notes if n.start < start]
        after = [n for n in p.notes if n.start >= start]
        if before and after:
            last = max(before, key=lambda n: (n.start, n.pitch))
            first = min(after, key=lambda n: (n.start, -n.pitch))
            steps.append(abs(first.pitch - last.pitch))
            drifts.append(np.mean([n.pitch for n in after]) - np.mean([n.pitch for n in before]))
    return steps, drifts


def main() -> None:
    model = sys.argv[1]
    n_pieces = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    folder = ROOT / "models" / model
    split, vocab, _ = load_split(folder)
    cases = cases_from_pieces(split["test"], vocab)
    gen = sampler_adapter(folder)
    cont = spread([c for c in cases if len(c.score.time_signatures) == 1
                   and c.score.bar_count() >= 12], n_pieces)
    stats = {"runs": 0, "gap_gt_1beat": 0, "gap_gt_1bar": 0, "tonic": 0, "authentic_end": 0,
             "final_on_strong": 0}
    final_beats = []
    voice = {"model": ([], []), "real": ([], [])}
    t0 = time.time()
    for i, c in enumerate(cont):
        s = c.score
        start, end = s.bar_start(4), s.bar_start(12)
        key = home_key(s, start)
        ts = s.time_signature_at(start)
        beat, beats = ts.beat_ticks, ts.bar_ticks // ts.beat_ticks
        request = {**APP_DEFAULTS, "key": None, "variations": 2, "bars": 8, "start_tick": start,
                   "seed": i, "end": "cadence"}
        real = entry_and_drift(s.slice(0, end, shift=False), start)
        voice["real"][0].extend(real[0])
        voice["real"][1].extend(real[1])
        for g in gen(s.slice(0, start, shift=False), request):
            got = entry_and_drift(g, start)
            voice["model"][0].extend(got[0])
            voice["model"][1].extend(got[1])
            notes = [n for n in g.notes if n.start >= start]
            stats["runs"] += 1
            gap = longest_silence(g.notes, start, end)
            stats["gap_gt_1beat"] += gap > beat
            stats["gap_gt_1bar"] += gap > ts.bar_ticks
            fin = max(n.start for n in notes) if notes else start
            final_beats.append((max(n.end for n in notes if n.start == fin) - fin) / beat
                               if notes else 0)
            pos = (fin - s.bar_start(s.bar_at(fin))) // beat
            stats["final_on_strong"] += pos == 0 or (beats >= 4 and beats % 2 == 0
                                                     and pos == beats // 2)
            if key is not None:
                stats["tonic"] += an.ends_on_tonic(g.notes, key, end)
                stats["authentic_end"] += an.authentic_cadences(
                    g, key, end - 2 * ts.bar_ticks, end) > 0
    print(model, stats, f"final chord beats mean {np.mean(final_beats):.2f} "
          f"min {np.min(final_beats):.2f}", f"{time.time() - t0:.0f} s")
    for who, (steps, drifts) in voice.items():
        print(f"  {who}: entry step mean {np.mean(steps):.2f}, over 7 semitones "
              f"{np.mean(np.array(steps) > 7):.3f}; register drift mean {np.mean(drifts):+.2f}, "
              f"mean |drift| {np.mean(np.abs(drifts)):.2f} semitones ({len(steps)} voices)")


if __name__ == "__main__":
    main()
