"""``composer-gui evaluate --model NAME_OR_DIR``: held-out metrics of a model folder, as JSON.

Runs on ONNX Runtime (no TensorFlow needed); the musical rows are described in
ml/musical_eval.py. ``--write-card`` also writes card.json and card.md into the model folder from
the printed result.
"""

from __future__ import annotations

import json
import sys


def add_parser(sub) -> None:
    p = sub.add_parser(
        "evaluate",
        help="measure a model on its held-out test pieces (JSON): perplexity and bits per "
        "note vs n-gram baselines; musical measures of continuations, infill and harmonization "
        "beside the real music and two trivial baselines",
    )
    p.add_argument("--model", required=True, help="an installed model's name or a model folder")
    p.add_argument("--max-pieces", "--pieces", dest="pieces", type=int, default=40,
                   help="at most this many test pieces per musical task: continuation, infill, "
                   "harmonization (default 40)")
    p.add_argument("--variations", type=int, default=2,
                   help="model samples per piece, stepped as one batch (default 2)")
    p.add_argument("--opening-bars", type=int, default=4)
    p.add_argument("--bars", type=int, default=8, help="bars to generate after each opening")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--write-card", action="store_true",
                   help="write card.json and card.md into the model folder from the result")
    p.add_argument("--no-style-rules", action="store_true",
                   help="voice models: measure the model without the sampler's chorale rules")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def run(args) -> int:
    from composer_gui.ml.corpora import CorpusError
    from composer_gui.ml.evaluate import evaluate, write_card
    from composer_gui.ml.model_folder import ModelError

    try:
        result = evaluate(args.model, max_pieces=args.pieces, opening_bars=args.opening_bars,
                          bars=args.bars, seed=args.seed, variations=args.variations,
                          progress=not args.quiet, style_rules=not args.no_style_rules)
    except (ModelError, CorpusError, ValueError, OSError) as exc:
        print(f"composer-gui evaluate: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=1))
    if args.write_card:
        for path in write_card(result["folder"], result):
            print(f"wrote {path}", file=sys.stderr)
    return 0
