"""Does the folk model's own LSTM hear the key of a short melody? (Measured, left out.)

    python bench/key_lm.py        # val (tuning) and test openings of 4 and 2 bars, no signature

For each opening and each of the 24 keys, the opening is encoded as the folk-melodies model
would continue it in that key (voices.encode: normalized to C major / A minor, the key's MODE
token, 8 bars left) and scored by the model's log-likelihood (ONNX, a token per call, the 24
keys as one batch). The key with the highest likelihood is the LSTM's guess; the table also
adds lambda x the log-likelihood to the line model's log-odds (keyfinding.line_scores), lambda
chosen on val. Same pieces and truth as bench/key_accuracy.py (its cache).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import key_accuracy as ka  # noqa: E402

from composer_gui.ml import keyfinding as kf  # noqa: E402
from composer_gui.ml import voices  # noqa: E402
from composer_gui.ml.evaluate import load_split  # noqa: E402
from composer_gui.ml.model_folder import load_model  # noqa: E402
from composer_gui.music.score import KeySignature, Note, Part, Score, TimeSignature  # noqa: E402

LAMBDAS = (0.0, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0)


def log_likelihoods(model, seqs: list[list[int]]) -> np.ndarray:
    """The summed log-probability of each sequence's tokens after the first."""
    ins, outs = list(model.input_names), list(model.output_names)
    lengths = np.array([len(s) for s in seqs])
    x = np.zeros((len(seqs), lengths.max()), np.int32)
    for i, s in enumerate(seqs):
        x[i, :len(s)] = s
    state = {k: np.zeros((len(seqs), model.hidden), np.float32) for k in ins[1:]}
    total = np.zeros(len(seqs))
    for t in range(lengths.max() - 1):
        out = model.session.run(outs, {ins[0]: x[:, t:t + 1], **state})
        state = dict(zip(ins[1:], out[1:], strict=True))
        logits = out[0].astype(np.float64)
        top = logits.max(axis=1, keepdims=True)
        logz = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
        total += np.where(lengths > t + 1, logits[np.arange(len(seqs)), x[:, t + 1]] - logz, 0)
    return total


def score_openings(model, vocab, recs, meters, bars):
    """[(true key index, LSTM log-likelihoods (24,), line log-odds (24,))] of the openings."""
    out = []
    for rec in recs:
        meter = meters.get(rec["id"])
        if meter is None:
            continue
        num, den = map(int, meter.removeprefix("TS_").split("/"))
        cut = rec["cut"][bars]
        notes = [Note(s, p, d) for s, p, d in rec["notes"] if s < cut]
        line = kf.line_scores(notes) if notes else None
        if line is None:
            continue
        score = Score(parts=(Part(tuple(notes), name="Melody"),),
                      time_signatures=(TimeSignature(0, num, den),))
        seqs = [voices.encode(score, vocab, key=KeySignature.from_tonic(t, mode, 0),
                              end_tick=cut, bars_left_from=8, eos=False).tokens
                for mode in ka.MODES for t in range(12)]
        tonic, mode, _ = rec["truth"]
        out.append((ka.MODES.index(mode) * 12 + tonic, log_likelihoods(model, seqs),
                    line.reshape(-1)))
    return out


def main() -> None:
    folder = load_model("folk-melodies").path
    model = load_model(folder)
    split, vocab, _ = load_split(folder)
    meters = {p.id: vocab.name(int(p.tokens[2])) for pieces in split.values() for p in pieces}
    data = ka.load("folk")
    print("| split | bars | openings | LSTM alone | line model (now) | "
          + " | ".join(f"line + {lam} x LSTM" for lam in LAMBDAS[1:]) + " |")
    print("| --- " * (5 + len(LAMBDAS) - 1) + "|")
    for name in ("val", "test"):
        for bars in (4, 2):
            rows = score_openings(model, vocab, data[name], meters, bars)
            lstm = np.mean([ll.argmax() == y for y, ll, _ in rows])
            cells = [np.mean([(line + lam * ll).argmax() == y for y, ll, line in rows])
                     for lam in LAMBDAS]
            print(f"| {name} | {bars} | {len(rows)} | {lstm:.1%} | "
                  + " | ".join(f"{c:.1%}" for c in cells) + " |")


if __name__ == "__main__":
    main()
