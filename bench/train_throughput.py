"""Training throughput of the LSTM presets on this machine (tokens/s), random tokens.

    python bench/train_throughput.py [--presets small,medium] [--seq 128] [--batch 64] [--threads N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--presets", default="small,medium")
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--steps", type=int, default=20)
    args = ap.parse_args()
    import tensorflow as tf

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    from composer_gui.ml.keras_model import PRESETS, build_sequence_model, compile_model

    rng = np.random.default_rng(0)
    for name in args.presets.split(","):
        model = build_sequence_model(PRESETS[name], 296)
        compile_model(model)
        x = rng.integers(1, 296, (args.batch * args.steps, args.seq + 1)).astype("int32")
        model.fit(x[: args.batch * 2, :-1], x[: args.batch * 2, 1:], batch_size=args.batch,
                  verbose=0)
        t = time.perf_counter()
        model.fit(x[:, :-1], x[:, 1:], batch_size=args.batch, verbose=0)
        dt = time.perf_counter() - t
        print(f"{name}: {model.count_params():,} params, "
              f"{args.batch * args.steps * args.seq / dt:,.0f} tokens/s "
              f"(seq {args.seq}, batch {args.batch}, threads {args.threads or 'default'})",
              flush=True)


if __name__ == "__main__":
    main()
