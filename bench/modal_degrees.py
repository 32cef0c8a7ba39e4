"""Church-mode tunes continued: how often the mode's own degree is written.

    python bench/modal_degrees.py                  # as the app continues now
    python bench/modal_degrees.py --no-redirect    # without part_writing._mode_degrees
    python bench/modal_degrees.py --model DIR      # another model folder
    python bench/modal_degrees.py --harmonize      # the Dorian tunes harmonized (bach-chorales)

The Mixolydian and Dorian tunes (one ``K:`` field naming the mode) of the folk-melodies model's
test split and of Aird's Airs (files no model was trained on), the first 40: their first 4 bars
(a pickup not counted), the ``K:`` field declared as the app opens an ABC file, continued 8 bars
with the app's defaults, seeds 1 and 2. The mode's own degree is the flat seventh in
Mixolydian, the natural sixth in Dorian: the notes that make the mode, which a model that knows
major and minor seldom writes. "Real" is the rest of the same tunes. The last table counts the
leading tone below the tonic (D# in E Dorian) in the Dorian tunes whose opening never sings it:
a fiddler's Dorian keeps its flat seventh. With --harmonize, those Dorian tunes' first 8 bars
are harmonized by the chorale model (seeds 1 and 2): the leading tone in the voices written,
cross-relations within a beat, and beat chords that are triads or sevenths. docs/keyfinding.md
quotes the output.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHARACTERISTIC = {"mixolydian": 10, "dorian": 9}  # semitones above the tonic


def tunes(limit: int) -> list[tuple[str, str]]:
    """(id, ABC text) of the modal tunes: the folk test split first, then Aird's Airs."""
    from composer_gui.ml.corpora import music21_corpus_root

    root = music21_corpus_root()
    split = json.loads((ROOT / "models" / "folk-melodies" / "split.json").read_text("utf-8"))
    blocks: list[tuple[str, str]] = []
    for pid in split["test"]:
        file, _, index = pid.partition("#")
        text = (root / file).read_text(encoding="utf-8", errors="replace")
        parts = re.split(r"(?m)^(?=X:)", text)[1:]
        blocks.append((pid, parts[int(index)] if index else text))
    for file in sorted((root / "airdsAirs").glob("*.abc")):
        text = file.read_text(encoding="utf-8", errors="replace")
        for i, block in enumerate(re.split(r"(?m)^(?=X:)", text)[1:]):
            blocks.append((f"airdsAirs/{file.name}#{i}", block))
    modal = [(pid, b) for pid, b in blocks
             if len(re.findall(r"(?m)^K:", b)) == 1
             and re.search(r"(?m)^K:\s*[A-G][#b]?\s*(mix|dor)", b, re.I)]
    return modal[:limit]


def harmonized(limit: int) -> None:
    """The Dorian tunes without the leading tone in their first 8 bars, harmonized."""
    sys.path.insert(0, str(ROOT / "bench"))
    from voice_leaps import cross_relations

    from composer_gui.ml.sampler import GenerationRequest, load_sampler
    from composer_gui.music import analysis as an
    from composer_gui.music.safe_read import read_score

    sampler = load_sampler("bach-chorales")
    tunes_n = leading = lower = crossed = good = total = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tune.abc"
        for _pid, text in tunes(limit):
            path.write_text(text, encoding="utf-8")
            score = read_score(path, [])
            key = score.key_at(0)
            if key is None or key.mode != "dorian":
                continue
            cut = score.bar_start(min(score.bar_count(), 9 if score.pickup else 8))
            melody = score.slice(0, cut, shift=False)
            lt = (key.tonic_pc + 11) % 12
            if any(n.pitch % 12 == lt for n in melody.notes):
                continue
            tunes_n += 1
            for seed in (1, 2):
                # (key=None: no key lock, the app's default for the bundled voice models)
                r = sampler.generate(melody, GenerationRequest(harmonize=True, seed=seed,
                                                               key=None))[0]
                written = [n for p in r.parts[1:] for n in p.notes]
                leading += sum(n.pitch % 12 == lt for n in written)
                lower += len(written)
                crossed += cross_relations(r, 0, r.end_tick)
                g, t = an.beat_chord_share(r, 0, r.end_tick)
                good, total = good + g, total + t
    print("| Dorian tunes (no leading tone) | written: on the leading tone | cross-relations "
          "within a beat | beat chords triads/sevenths |")
    print("| ---: | --- | ---: | ---: |")
    print(f"| {tunes_n} | {leading}/{lower} ({leading / max(1, lower):.1%}) | {crossed} | "
          f"{good / max(1, total):.3f} |")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="folk-melodies")
    ap.add_argument("--no-redirect", action="store_true")
    ap.add_argument("--tunes", type=int, default=40)
    ap.add_argument("--harmonize", action="store_true")
    args = ap.parse_args(argv)
    if args.harmonize:
        harmonized(args.tunes)
        return

    from composer_gui.ml import voice_sampler
    from composer_gui.ml.sampler import GenerationRequest, load_sampler
    from composer_gui.music.safe_read import read_score

    if args.no_redirect:
        voice_sampler._mode_degrees = lambda *a, **k: (None, None)
    sampler = load_sampler(args.model)
    counts = {m: {"written": [0, 0], "real": [0, 0], "tunes": 0} for m in CHARACTERISTIC}
    endings = [0, 0]
    leading = {"written": [0, 0], "real": [0, 0], "tunes": 0, "variations": [0, 0]}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tune.abc"
        for _pid, text in tunes(args.tunes):
            path.write_text(text, encoding="utf-8")
            score = read_score(path, [])
            key = score.key_at(0)
            if key is None or key.mode not in CHARACTERISTIC:
                continue
            c = counts[key.mode]
            c["tunes"] += 1
            cut = score.bar_start(5 if score.pickup else 4)
            degree = (key.tonic_pc + CHARACTERISTIC[key.mode]) % 12
            real = [n for n in score.notes if n.start >= cut]
            c["real"][0] += sum(n.pitch % 12 == degree for n in real)
            c["real"][1] += len(real)
            opening = score.slice(0, cut, shift=False)
            lt = (key.tonic_pc + 11) % 12
            counts_lt = key.mode == "dorian" and not any(n.pitch % 12 == lt
                                                         for n in opening.notes)
            if counts_lt:
                leading["tunes"] += 1
                leading["real"][0] += sum(n.pitch % 12 == lt for n in real)
                leading["real"][1] += len(real)
            for seed in (1, 2):
                result = sampler.generate(opening, GenerationRequest(bars=8, seed=seed,
                                                                     key=None))[0]
                new = [n for n in result.notes if n.start >= cut]
                c["written"][0] += sum(n.pitch % 12 == degree for n in new)
                c["written"][1] += len(new)
                if counts_lt:
                    on_lt = sum(n.pitch % 12 == lt for n in new)
                    leading["written"][0] += on_lt
                    leading["written"][1] += len(new)
                    leading["variations"][0] += on_lt > 0
                    leading["variations"][1] += 1
                if new:
                    endings[0] += max(new, key=lambda n: n.start).pitch % 12 == key.tonic_pc
                    endings[1] += 1
    print("| mode | tunes | degree | written: notes on it | real: notes on it |")
    print("| --- | ---: | --- | --- | --- |")
    for mode, c in counts.items():
        (w, wn), (r, rn) = c["written"], c["real"]
        name = {"mixolydian": "flat 7th", "dorian": "natural 6th"}[mode]
        print(f"| {mode} | {c['tunes']} | {name} | {w}/{wn} ({w / max(1, wn):.1%}) | "
              f"{r}/{rn} ({r / max(1, rn):.1%}) |")
    print(f"\ncontinuations ending on the tonic: {endings[0]}/{endings[1]}")
    (w, wn), (r, rn), (vl, vn) = leading["written"], leading["real"], leading["variations"]
    print("\n| Dorian tunes whose opening has no leading tone | written: notes on it | "
          "variations with one | real: notes on it |")
    print("| ---: | --- | --- | --- |")
    print(f"| {leading['tunes']} | {w}/{wn} ({w / max(1, wn):.1%}) | {vl}/{vn} | "
          f"{r}/{rn} ({r / max(1, rn):.1%}) |")


if __name__ == "__main__":
    main()
