"""Training, the model folder and ONNX export (needs TensorFlow: the 'train' extra).

One tiny model is trained once per session on a handful of Bach chorales and shared by the tests.
"""

from __future__ import annotations

import csv
import json
import math
import shutil

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow", reason="needs TensorFlow (pip install -e '.[train]')")
ort = pytest.importorskip("onnxruntime")

from composer_gui.ml.keras_model import (  # noqa: E402
    ModelConfig,
    build_sequence_model,
    load_keras_model,
)
from composer_gui.ml.model_folder import ModelError  # noqa: E402
from composer_gui.ml.train import TrainConfig, train  # noqa: E402

pytestmark = pytest.mark.train

FILES = ("config.json", "model.onnx", "weights.weights.h5", "split.json")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("train")
    mp = pytest.MonkeyPatch()
    mp.setenv("COMPOSER_GUI_CACHE", str(root / "cache"))
    cfg = TrainConfig(out=str(root / "model"), corpus="bach-chorales", limit=8, preset="tiny",
                      model={"embedding": 16, "hidden": 48, "layers": 2, "dropout": 0.1},
                      epochs=1, batch_size=8, seq_len=64, learning_rate=1e-2, threads=2)
    train(cfg, progress=False)
    yield root / "model"
    mp.undo()


def _rows(folder):
    with open(folder / "log.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_one_epoch_writes_a_complete_folder_and_the_loss_drops(trained):
    for name in FILES:
        assert (trained / name).is_file(), name
    rows = _rows(trained)
    assert len(rows) == 1
    chance = math.log(296)
    assert float(rows[0]["val_loss"]) < chance - 0.5  # learned something in one epoch
    config = json.loads((trained / "config.json").read_text())
    assert config["format"] == "composer-gui-model" and config["version"] == 1
    assert config["vocabulary"]["size"] == 296
    assert config["model"] == {"embedding": 16, "hidden": 48, "layers": 2, "dropout": 0.1}
    assert config["training"]["corpus"] == "bach-chorales"
    assert config["training"]["epochs_run"] == 1
    split = json.loads((trained / "split.json").read_text())
    ids = split["train"] + split["val"] + split["test"]
    assert split["train"] and all(i.startswith("bach/") for i in ids)


def test_onnx_step_graph_matches_keras(trained):
    from composer_gui.ml.export import HALF_MIN_SIZE

    model = load_keras_model(trained)
    # the graph stores its large weights in half precision (export.half_weights): the same
    # computation as Keras's with those weights rounded so
    model.set_weights([w.astype(np.float16).astype(np.float32) if w.size >= HALF_MIN_SIZE else w
                       for w in model.get_weights()])
    session = ort.InferenceSession(str(trained / "model.onnx"),
                                   providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["token", "h0", "h1", "c0", "c1"]
    assert [o.name for o in session.get_outputs()] == \
        ["logits", "h0_out", "h1_out", "c0_out", "c1_out"]
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 296, (3, 12)).astype(np.int32)
    expected = model.predict(tokens, verbose=0)
    state = {n: np.zeros((3, 48), np.float32) for n in ("h0", "h1", "c0", "c1")}
    for t in range(tokens.shape[1]):
        out = session.run(None, {"token": tokens[:, t:t + 1], **state})
        np.testing.assert_allclose(out[0], expected[:, t], atol=1e-4)
        state = dict(zip(("h0", "h1", "c0", "c1"), out[1:], strict=True))
    # a batch of one works too (dynamic batch)
    one = session.run(None, {"token": tokens[:1, :1],
                             **{n: np.zeros((1, 48), np.float32) for n in state}})
    np.testing.assert_allclose(one[0][0], expected[0, 0], atol=1e-4)


def test_onnx_teacher_forcing_matches_keras_loss(trained):
    from composer_gui.ml.evaluate import teacher_forced
    from composer_gui.ml.model_folder import load_model

    rng = np.random.default_rng(1)
    seqs = [rng.integers(1, 296, n).astype(np.int32) for n in (9, 14)]
    result = teacher_forced(load_model(trained), seqs, batch_size=2)
    model = load_keras_model(trained)
    nll = 0.0
    for s in seqs:
        logits = model.predict(s[None, :-1], verbose=0)[0].astype(np.float64)
        logz = np.log(np.exp(logits - logits.max(1, keepdims=True)).sum(1)) + logits.max(1)
        nll += float((logz - logits[np.arange(len(s) - 1), s[1:]]).sum())
    assert result["tokens"] == 21
    assert result["cross_entropy"] == pytest.approx(nll / 21, abs=1e-4)


def test_resume_continues_from_the_checkpoint(trained, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(trained, run)
    recorded = json.loads((run / "train_config.json").read_text())
    recorded["out"] = str(run)
    (run / "train_config.json").write_text(json.dumps(recorded))
    before = _rows(run)
    train(TrainConfig(out=str(run)), resume=True, progress=False, epochs=2)
    rows = _rows(run)
    assert len(rows) == 2 and rows[0] == before[0]
    state = json.loads((run / "checkpoint" / "state.json").read_text())
    assert state["epoch"] == 2
    assert json.loads((run / "config.json").read_text())["training"]["epochs_run"] == 2


@pytest.mark.parametrize("damage", ["missing weights", "missing config", "wrong vocabulary",
                                    "corrupt weights", "bad vocabulary size"])
def test_bad_model_folder_gives_a_clear_error(trained, tmp_path, damage):
    folder = tmp_path / "m"
    shutil.copytree(trained, folder, ignore=shutil.ignore_patterns("checkpoint"))
    config = json.loads((folder / "config.json").read_text())
    if damage == "missing weights":
        (folder / "weights.weights.h5").unlink()
        match = "weights.weights.h5 is missing"
    elif damage == "missing config":
        (folder / "config.json").unlink()
        match = "config.json is missing"
    elif damage == "wrong vocabulary":  # a valid vocabulary, but not the one trained with
        config["vocabulary"]["max_pitch"] = 100
        config["vocabulary"]["size"] -= 8
        (folder / "config.json").write_text(json.dumps(config))
        match = "do not fit this config"
    elif damage == "corrupt weights":
        (folder / "weights.weights.h5").write_bytes(b"\x89HDF\r\n" + b"garbage" * 100)
        match = "do not fit this config"
    else:
        config["vocabulary"]["size"] = 300
        (folder / "config.json").write_text(json.dumps(config))
        match = "not a valid model config"
    with pytest.raises(ModelError, match=match):
        load_keras_model(folder)


def test_sequence_and_step_models_share_weights():
    from composer_gui.ml.keras_model import build_step_model

    cfg = ModelConfig(embedding=4, hidden=6, layers=2, dropout=0.0)
    seq = build_sequence_model(cfg, 20)
    step = build_step_model(cfg, 20, source=seq)
    assert len(step.get_weights()) == len(seq.get_weights())
    for a, b in zip(step.get_weights(), seq.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_large_weights_are_stored_in_half_precision(trained):
    """export.half_weights: the bundle must stay under 100 MB packed; the weights travel as
    float16 (read back through casts: the arithmetic stays float32)."""
    import onnx
    from onnx import TensorProto

    from composer_gui.ml.export import HALF_MIN_SIZE, half_weights

    graph = onnx.load(trained / "model.onnx")
    big = [i for i in graph.graph.initializer if np.prod(i.dims) >= HALF_MIN_SIZE]
    assert big and all(i.data_type == TensorProto.FLOAT16 for i in big)
    assert half_weights(graph) == 0  # (a graph already stored so is left as it is)
