"""Writing a model folder: config, Keras weights, the ONNX step graph and the split.

The layout (file names, the ONNX graph's input and output names, the format and its version) is
model_folder.py's; this module writes it. The card (card.json, card.md) is written by
``composer-gui evaluate --write-card``, or by :func:`write_random_model_folder` for a stand-in.

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

from composer_gui.ml import model_folder as layout
from composer_gui.ml.keras_model import (
    LOGITS_LAYER,
    ModelConfig,
    build_sequence_model,
    build_step_model,
)
from composer_gui.ml.tokens import Vocabulary


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
    _rename(graph_model, layout.onnx_input_names(model_cfg.layers),
            layout.onnx_output_names(model_cfg.layers))
    half_weights(graph_model)
    onnx.checker.check_model(graph_model)
    tmp_path = path.with_suffix(".onnx.tmp")
    onnx.save(graph_model, str(tmp_path))
    os.replace(tmp_path, path)
    return path


HALF_MIN_SIZE = 1024  # weights of at least this many numbers are stored in half precision


def half_weights(model) -> int:
    """Store the graph's large float32 weights as float16, each read back through a Cast to
    float32, and return how many were. The file is half the size and the arithmetic stays
    float32 (ONNX Runtime folds the casts when it loads the graph); the weights are rounded to
    11 significant bits. The app bundle must stay under 100 MB packed, and the medium folk
    model's 8.2 MB of weights had taken it past (docs/bundle.md). A graph already stored so is
    left as it is."""
    from onnx import TensorProto, helper, numpy_helper

    g = model.graph
    done = 0
    for init in list(g.initializer):
        if init.data_type != TensorProto.FLOAT or np.prod(init.dims) < HALF_MIN_SIZE:
            continue
        half = numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16),
                                       init.name + "_half")
        g.initializer.remove(init)
        g.initializer.append(half)
        cast = helper.make_node("Cast", [half.name], [init.name], to=TensorProto.FLOAT,
                                name=init.name + "_to_float")
        g.node.insert(0, cast)
        done += 1
    return done


def _rename(model, inputs: tuple[str, ...], outputs: tuple[str, ...]) -> None:
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
        "format": layout.FORMAT,
        "version": layout.VERSION,
        "name": name or folder.name,
        "vocabulary": vocab.to_dict(),
        "model": model_cfg.to_dict(),
        "training": training,
    }
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        tmp = Path(tmp)
        seq_model.save_weights(str(tmp / layout.WEIGHTS))
        export_onnx(seq_model, model_cfg, vocab.size, tmp / layout.ONNX)
        (tmp / layout.CONFIG).write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
        write_split(tmp, split)
        for f in (layout.WEIGHTS, layout.ONNX, layout.CONFIG, layout.SPLIT):
            shutil.move(str(tmp / f), str(folder / f))
    return folder


def write_split(folder: Path, split: dict) -> Path:
    """split.json: the piece-level train / val / test split (training writes it first, so a
    resumed or evaluated run sees the same one)."""
    path = folder / layout.SPLIT
    path.write_text(json.dumps(split, indent=0) + "\n", encoding="utf-8")
    return path


def write_random_model_folder(folder: str | Path, model: ModelConfig | dict, *, seed: int = 1234,
                              logit_scale: float = 6.0, name: str = "random",
                              summary: str = "Random weights.", vocab=None) -> Path:
    """A complete model folder with random weights and a one-line card: the stand-in that tests
    and benchmarks run the real sampler on. The Dense layer is scaled by ``logit_scale`` so that
    the distributions are peaked like a trained model's rather than flat; ``seed`` makes the
    weights (and so every generation) reproducible. ``vocab``: the REMI vocabulary unless given
    (e.g. a ``VoiceVocabulary``)."""
    import warnings

    import keras

    folder = Path(folder)
    keras.utils.set_random_seed(seed)
    cfg = model if isinstance(model, ModelConfig) else ModelConfig.from_dict(model)
    vocab = vocab if vocab is not None else Vocabulary()
    seq = build_sequence_model(cfg, vocab.size)
    dense = seq.get_layer(LOGITS_LAYER)
    kernel, bias = dense.get_weights()
    dense.set_weights([kernel * logit_scale, bias])
    with warnings.catch_warnings():  # keras' ONNX export trips numpy's np.object notice
        warnings.simplefilter("ignore", FutureWarning)
        write_model_folder(folder, seq, cfg, vocab, {"note": f"random weights (seed {seed})"},
                           {"train": [], "val": [], "test": []}, name=name)
    (folder / layout.CARD).write_text(json.dumps({"summary": summary}), encoding="utf-8")
    (folder / layout.CARD_MD).write_text(f"# {name}\n\n{summary}\n", encoding="utf-8")
    return folder
