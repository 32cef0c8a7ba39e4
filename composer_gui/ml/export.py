"""Writing a model folder: config, Keras weights, the one-step ONNX graph and the split.

::

    models/<name>/
      config.json          format, version, name, vocabulary, model sizes, the full training config
      model.onnx           token [b,1], h0.., c0.. [b,H] -> logits [b,V], h0_out.., c0_out..
      weights.weights.h5   the trained Keras weights (model.load_keras_model rebuilds the model)
      split.json           the piece-level train / val / test split
      card.json, card.md   written by ``composer-gui evaluate --write-card``

The vocabulary travels inside config.json, so weights never meet a vocabulary they were not
trained with (the prior art kept them apart, and crashed with a shape mismatch when the data
changed).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from composer_gui.ml.keras_model import ModelConfig, build_step_model
from composer_gui.ml.tokens import Vocabulary

FORMAT = "composer-gui-model"
VERSION = 1


def step_names(layers: int) -> tuple[list[str], list[str]]:
    inputs = ["token", *(f"h{i}" for i in range(layers)), *(f"c{i}" for i in range(layers))]
    outputs = ["logits", *(f"h{i}_out" for i in range(layers)),
               *(f"c{i}_out" for i in range(layers))]
    return inputs, outputs


def export_onnx(seq_model, model_cfg: ModelConfig, vocab_size: int, path: str | Path) -> Path:
    """Build the step model from ``seq_model``'s weights and write it as ONNX with fixed names."""
    import onnx

    path = Path(path)
    step = build_step_model(model_cfg, vocab_size, source=seq_model)
    zeros = [np.zeros((1, model_cfg.hidden), np.float32)] * (2 * model_cfg.layers)
    step([np.zeros((1, 1), np.int32), *zeros])  # Keras wants one call before export
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.onnx"
        step.export(str(raw), format="onnx", verbose=False)
        graph_model = onnx.load(str(raw))
    _rename(graph_model, *step_names(model_cfg.layers))
    onnx.checker.check_model(graph_model)
    tmp_path = path.with_suffix(".onnx.tmp")
    onnx.save(graph_model, str(tmp_path))
    os.replace(tmp_path, path)
    return path


def _rename(model, inputs: list[str], outputs: list[str]) -> None:
    """Give the graph's inputs and outputs the names the sampler reads, in this order."""
    g = model.graph
    if len(g.input) != len(inputs) or len(g.output) != len(outputs):
        raise RuntimeError(f"exported graph has {len(g.input)} inputs / {len(g.output)} outputs, "
                           f"expected {len(inputs)} / {len(outputs)}")
    mapping = {}
    for vi, new in zip(g.input, inputs, strict=True):
        mapping[vi.name] = new
    for vi, new in zip(g.output, outputs, strict=True):
        mapping[vi.name] = new
    for vi in [*g.input, *g.output]:
        vi.name = mapping[vi.name]
        vi.type.tensor_type.shape.dim[0].dim_param = "batch"
    for node in g.node:
        node.input[:] = [mapping.get(n, n) for n in node.input]
        node.output[:] = [mapping.get(n, n) for n in node.output]


def write_model_folder(
    folder: str | Path,
    seq_model,
    model_cfg: ModelConfig,
    vocab: Vocabulary,
    training: dict,
    split: dict,
    name: str | None = None,
) -> Path:
    """Write (or replace) every file of a model folder but the card."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    config = {
        "format": FORMAT,
        "version": VERSION,
        "name": name or folder.name,
        "vocabulary": vocab.to_dict(),
        "model": model_cfg.to_dict(),
        "training": training,
    }
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        tmp = Path(tmp)
        seq_model.save_weights(str(tmp / "weights.weights.h5"))
        export_onnx(seq_model, model_cfg, vocab.size, tmp / "model.onnx")
        (tmp / "config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
        (tmp / "split.json").write_text(json.dumps(split, indent=0) + "\n", encoding="utf-8")
        for f in ("weights.weights.h5", "model.onnx", "config.json", "split.json"):
            shutil.move(str(tmp / f), str(folder / f))
    return folder
