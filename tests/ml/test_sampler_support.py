"""A tiny random model folder for the sampler, model-folder and CLI tests (built once a session).

Imported by tests/ml/test_sampler.py, tests/ml/test_models_folder.py and tests/test_cli_generate.py
through :func:`tiny_model_dir`. Building needs TensorFlow (the ``train`` extra): about 4 s to import
and 1 s to export; without it those tests are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path

import pytest

TINY = {"embedding": 16, "hidden": 32, "layers": 2, "dropout": 0.0}


def build_model_folder(folder: Path, model: dict | None = None, *, seed: int = 1234,
                       logit_scale: float = 6.0, name: str = "tiny",
                       summary: str = "A tiny random model for tests.") -> Path:
    """A complete model folder with random weights (the Dense layer scaled up so that the
    distributions are peaked like a trained model's rather than flat)."""
    pytest.importorskip("tensorflow", reason="building a test model needs TensorFlow (train extra)")
    pytest.importorskip("onnx", reason="building a test model needs onnx (train extra)")
    import keras

    from composer_gui.ml.export import write_model_folder
    from composer_gui.ml.keras_model import ModelConfig, build_sequence_model
    from composer_gui.ml.tokens import Vocabulary

    keras.utils.set_random_seed(seed)
    cfg = ModelConfig.from_dict(model or TINY)
    vocab = Vocabulary()
    seq = build_sequence_model(cfg, vocab.size)
    dense = seq.get_layer("logits")
    kernel, bias = dense.get_weights()
    dense.set_weights([kernel * logit_scale, bias])
    with warnings.catch_warnings():  # keras' ONNX export trips numpy's np.object notice
        warnings.simplefilter("ignore", FutureWarning)
        write_model_folder(folder, seq, cfg, vocab, {"note": "random weights for tests"},
                           {"train": [], "val": [], "test": []}, name=name)
    (folder / "card.json").write_text(json.dumps({"summary": summary}), encoding="utf-8")
    (folder / "card.md").write_text(f"# {name}\n\n{summary}\n", encoding="utf-8")
    return folder


def tiny_model_dir(tmp_path_factory) -> Path:
    """The session's tiny model folder (built on first use)."""
    folder = tmp_path_factory.getbasetemp() / "models" / "tiny"
    if not (folder / "model.onnx").is_file():
        tmp = folder.with_name("tiny.building")
        shutil.rmtree(tmp, ignore_errors=True)
        build_model_folder(tmp)
        os.replace(tmp, folder)
    return folder


def install_as_user_model(tiny: Path, tmp_path: Path, monkeypatch) -> Path:
    """A user models folder holding a copy of the tiny model, and no bundled models."""
    from composer_gui.ml import model_folder as models

    user = tmp_path / "user-models"
    shutil.copytree(tiny, user / "tiny")
    monkeypatch.setenv("COMPOSER_GUI_MODELS", str(user))
    monkeypatch.setattr(models, "bundled_models_dir", lambda: tmp_path / "no-bundled-models")
    return user
