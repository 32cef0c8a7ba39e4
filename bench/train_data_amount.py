"""How much music does a folder need before a trained model beats the n-gram baseline?

Exports pieces of two real corpora from music21's offline corpus (Bach chorales, Ryan's Mammoth
fiddle tunes) to MIDI files, trains a model with ``train --data-dir`` settings (REMI, the folder
default) on the first 5 / 20 / 80 of them, and scores each model and the best n-gram baseline
(fitted on the same training pieces) on one fixed held-out set of 20 further pieces of the same
corpus. Prints one table; the training window's "too little data" warning quotes it
(ml/data_check.py).

    nice python bench/train_data_amount.py [--sizes 5 20 80] [--budget 60] [--preset small]

Needs TensorFlow (the train extra). About 8 minutes on 2 cores with the defaults (6 models of
at most 60 s of training each).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEST = 20


def export(kind: str, count: int, dest: Path) -> list[Path]:
    """The first ``count`` pieces of a corpus as MIDI files (music21 writes them)."""
    import music21

    from composer_gui.ml.corpora import music21_corpus_root

    root = music21_corpus_root()
    if kind == "chorales":
        sources = sorted(p for p in (root / "bach").iterdir() if p.suffix in (".mxl", ".xml"))
    else:
        sources = sorted((root / "ryansMammoth").glob("*.abc"))
    dest.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    for src in sources:
        if len(out) >= count:
            break
        try:
            score = music21.converter.parse(str(src))
            if isinstance(score, music21.stream.Opus):
                score = score.scores[0]
            if kind == "chorales" and len(score.parts) != 4:
                continue
            path = dest / (src.stem + ".mid")
            score.write("midi", fp=str(path))
            out.append(path)
        except Exception as exc:  # a corpus file music21 cannot read: take the next one
            print(f"skipped {src.name}: {exc}", file=sys.stderr)
    return out


def notes_in(folder: Path) -> int:
    from composer_gui.music.formats import load_score

    return sum(len(load_score(p, []).notes) for p in folder.glob("*.mid"))


def measure(kind: str, sizes: list[int], epochs: int, preset: str, budget: float,
            work: Path) -> list[dict]:
    import numpy as np

    from composer_gui.ml.baselines import evaluate_baselines
    from composer_gui.ml.corpora import load_pieces
    from composer_gui.ml.evaluate import load_split, teacher_forced
    from composer_gui.ml.model_folder import load_model
    from composer_gui.ml.tokens import Vocabulary
    from composer_gui.ml.train import TrainConfig, train

    pool = export(kind, max(sizes) + TEST, work / f"{kind}-all")
    test_dir = work / f"{kind}-test"
    test_dir.mkdir(exist_ok=True)
    for p in pool[-TEST:]:
        os.link(p, test_dir / p.name)
    vocab = Vocabulary()
    test = [p.tokens.astype(np.int32) for p in load_pieces(data_dir=test_dir, vocab=vocab,
                                                           progress=False)]
    rows = []
    for n in sizes:
        data = work / f"{kind}-{n}"
        data.mkdir(exist_ok=True)
        for p in pool[:n]:
            os.link(p, data / p.name)
        out = work / f"model-{kind}-{n}"
        cfg = TrainConfig(out=str(out), data_dir=str(data), preset=preset, epochs=epochs,
                          seq_len=128, batch_size=16, threads=1)
        t0 = time.perf_counter()
        train(cfg, progress=False, budget_seconds=budget)
        seconds = time.perf_counter() - t0
        split, _vocab, _config = load_split(out)
        train_tokens = [p.tokens for p in split["train"]]
        model = teacher_forced(load_model(out), test)
        best = evaluate_baselines(train_tokens, test, vocab.size, (3, 4, 5))["best_ngram"]
        rows.append({"corpus": kind, "files": n, "train_pieces": len(split["train"]),
                     "notes": notes_in(data),
                     "train_tokens": int(sum(len(t) for t in train_tokens)),
                     "model_ppl": model["perplexity"], "ngram": best["n"],
                     "ngram_ppl": best["perplexity"],
                     "reduction": 1 - model["perplexity"] / best["perplexity"],
                     "seconds": seconds})
        print(_row(rows[-1]), flush=True)
    return rows


HEADER = ("| corpus | files | train pieces | notes in folder | train tokens | LSTM test ppl | "
          "best n-gram ppl | LSTM vs n-gram | train s |\n| --- | --- | --- | --- | --- | --- | "
          "--- | --- | --- |")


def _row(r: dict) -> str:
    return (f"| {r['corpus']} | {r['files']} | {r['train_pieces']} | {r['notes']:,} | "
            f"{r['train_tokens']:,} | {r['model_ppl']:.2f} | {r['ngram_ppl']:.2f} "
            f"(n={r['ngram']}) | {100 * r['reduction']:+.0f}% | {r['seconds']:.0f} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[5, 20, 80])
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--budget", type=float, default=60, help="training seconds per model")
    ap.add_argument("--preset", default="small")
    ap.add_argument("--corpora", nargs="+", default=["folk", "chorales"])
    args = ap.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["COMPOSER_GUI_CACHE"] = str(Path(tmp) / "cache")
        rows = []
        for kind in args.corpora:
            rows += measure(kind, args.sizes, args.epochs, args.preset, args.budget, Path(tmp))
    print(f"\npreset {args.preset}, at most {args.epochs} epochs or {args.budget:.0f} s of "
          f"training (early stopping on), batch 16 x 128 REMI tokens; test: {TEST} further "
          "pieces of the same corpus")
    print(HEADER)
    for r in rows:
        print(_row(r))
    if not math.isfinite(sum(r["model_ppl"] for r in rows)):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
