"""Model folders: finding, listing and loading them, and clear errors for broken ones."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from composer_gui.ml import model_folder as models
from composer_gui.ml.model_folder import ModelError, list_models, load_model, resolve_model


@pytest.fixture
def broken(tmp_path, tiny_model) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(tiny_model, folder)
    return folder


def test_models_dirs_bundled_first_then_user(monkeypatch, tmp_path):
    monkeypatch.setenv("COMPOSER_GUI_MODELS", str(tmp_path))
    dirs = models.models_dirs()
    assert dirs[0] == Path(models.__file__).resolve().parents[2] / "models"
    assert dirs[-1] == tmp_path


def test_models_dirs_frozen_bundle(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert models.models_dirs()[0] == tmp_path / "models"


def test_list_and_resolve_installed(installed_tiny):
    infos = list_models()
    assert [m.name for m in infos] == ["tiny"]
    assert infos[0].summary == "A tiny random model for tests."
    assert infos[0].path == installed_tiny / "tiny"
    assert resolve_model("tiny") == installed_tiny / "tiny"
    assert resolve_model(installed_tiny / "tiny") == installed_tiny / "tiny"
    assert resolve_model(str(installed_tiny / "tiny")) == installed_tiny / "tiny"


def test_list_models_without_card_and_none_installed(installed_tiny):
    (installed_tiny / "tiny" / "card.json").unlink()
    assert list_models()[0].summary == "(no model card)"
    shutil.rmtree(installed_tiny / "tiny")
    assert list_models() == []


def test_load_model(tiny_model):
    m = load_model(tiny_model)
    assert (m.layers, m.hidden) == (2, 32)
    assert m.vocab.size == 296
    assert m.name == "tiny"
    assert [i.name for i in m.session.get_inputs()] == ["token", "h0", "h1", "c0", "c1"]
    assert m.input_names == tuple(i.name for i in m.session.get_inputs())
    assert m.output_names == tuple(o.name for o in m.session.get_outputs())



def test_a_graph_fixed_at_one_token_per_call_still_loads(broken):
    """Model folders exported before the free time axis (token [batch, 1]) load and step; the
    sampler then prefills a token per call (sampler tests check it gives the same notes)."""
    import numpy as np
    import onnx

    assert load_model(broken).sequence_input
    graph = onnx.load(str(broken / models.ONNX))
    token = next(i for i in graph.graph.input if i.name == models.TOKEN)
    token.type.tensor_type.shape.dim[1].dim_value = 1
    onnx.save(graph, str(broken / models.ONNX))
    m = load_model(broken)
    assert not m.sequence_input
    feeds = {n: np.zeros((1, m.hidden), np.float32) for n in m.input_names[1:]}
    feeds[models.TOKEN] = np.zeros((1, 3), np.int32)
    with pytest.raises(Exception, match=r"(?i)dimension|shape"):
        m.session.run(None, feeds)

def test_onnx_names_and_the_files_a_bundle_ships():
    assert models.onnx_input_names(2) == ("token", "h0", "h1", "c0", "c1")
    assert models.onnx_output_names(2) == ("logits", "h0_out", "h1_out", "c0_out", "c1_out")
    assert set(models.REQUIRED) <= set(models.APP_FILES)
    assert models.CARD in models.APP_FILES
    assert not {models.WEIGHTS, models.SPLIT, models.LOG} & set(models.APP_FILES)


def test_unknown_name_lists_what_is_installed(installed_tiny):
    with pytest.raises(ModelError, match=r"no model named 'bach' \(installed: tiny"):
        load_model("bach")


def test_missing_folder(tmp_path):
    with pytest.raises(ModelError, match="no such model folder"):
        load_model(tmp_path / "nope")


@pytest.mark.parametrize("name", ["config.json", "model.onnx"])
def test_missing_file(broken, name):
    (broken / name).unlink()
    with pytest.raises(ModelError) as err:
        load_model(broken)
    assert str(broken) in str(err.value) and f"{name} is missing" in str(err.value)


def _edit_config(folder: Path, fn) -> None:
    path = folder / "config.json"
    cfg = json.loads(path.read_text())
    fn(cfg)
    path.write_text(json.dumps(cfg))


def test_vocabulary_size_mismatch(broken):
    _edit_config(broken, lambda c: c["vocabulary"].update(max_pitch=96, size=284))
    with pytest.raises(ModelError, match=r"logits .* vocabulary size in config.json is 284"):
        load_model(broken)


def test_layer_count_mismatch(broken):
    _edit_config(broken, lambda c: c["model"].update(layers=3))
    with pytest.raises(ModelError, match="missing h2"):
        load_model(broken)


def test_hidden_size_mismatch(broken):
    _edit_config(broken, lambda c: c["model"].update(hidden=64))
    with pytest.raises(ModelError, match="hidden size"):
        load_model(broken)


def test_corrupt_onnx(broken):
    (broken / "model.onnx").write_bytes(b"\x08\x07not really a protobuf" * 10)
    with pytest.raises(ModelError, match=r"broken: model.onnx cannot be loaded"):
        load_model(broken)


@pytest.mark.parametrize("text, match", [
    ("{not json", "not valid JSON"),
    ('{"format": "something-else", "version": 1}', "not a Composer model"),
    ('{"format": "composer-gui-model", "version": 9}',
     r"broken: model format version 9 is not supported .*retrain it with: composer-gui train"),
    ('{"format": "composer-gui-model", "version": 1, "model": {}}', "no 'vocabulary' section"),
])
def test_bad_config(broken, text, match):
    (broken / "config.json").write_text(text)
    with pytest.raises(ModelError, match=match):
        load_model(broken)


def test_bad_vocabulary(broken):
    _edit_config(broken, lambda c: c["vocabulary"].update(size=5))
    with pytest.raises(ModelError, match="vocabulary is not valid"):
        load_model(broken)
