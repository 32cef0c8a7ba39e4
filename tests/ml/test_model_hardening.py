"""Broken user models (issue 14): each is listed as unavailable with its reason, never hides the
good ones, and is refused with a ModelError naming its folder, never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from composer_gui.cli import main
from composer_gui.ml.model_folder import ModelError, check_folder, list_models, load_model


def _copy(tiny_model: Path, folder: Path, edit=None) -> Path:
    shutil.copytree(tiny_model, folder)
    if edit is not None:
        path = folder / "config.json"
        cfg = json.loads(path.read_text())
        edit(cfg)
        path.write_text(json.dumps(cfg))
    return folder


BAD_CONFIGS = {
    "steps0": (lambda c: c["vocabulary"].update(steps_per_quarter=0), "steps_per_quarter"),
    "meter": (lambda c: c["vocabulary"].update(time_signatures=[44, "3/4"]), "a meter must"),
    "velocity0": (lambda c: c["vocabulary"].update(default_velocity=0), "default_velocity"),
    "pitch": (lambda c: c["vocabulary"].update(min_pitch="low"), "min_pitch"),
    "string-steps": (lambda c: c["vocabulary"].update(steps_per_quarter="4"), "steps_per_quarter"),
}


@pytest.mark.parametrize("name", BAD_CONFIGS)
def test_bad_vocabulary_values_are_model_errors_naming_the_folder(tiny_model, tmp_path, name):
    edit, words = BAD_CONFIGS[name]
    folder = _copy(tiny_model, tmp_path / name, edit)
    with pytest.raises(ModelError) as err:
        load_model(folder)
    assert str(err.value).startswith(f"{folder}: config.json: the vocabulary is not valid")
    assert words in str(err.value)
    assert check_folder(folder) == str(err.value)


def test_voice_vocabulary_values(tiny_voice_model, tmp_path):
    folder = _copy(tiny_voice_model, tmp_path / "v",
                   lambda c: c["vocabulary"].update(meters=[3], max_bars_left=0))
    with pytest.raises(ModelError, match="vocabulary is not valid"):
        load_model(folder)


def test_nan_weights_are_refused_by_the_one_step_check(tiny_model, tmp_path):
    onnx = pytest.importorskip("onnx")
    import numpy as np
    from onnx import numpy_helper

    folder = _copy(tiny_model, tmp_path / "nan")
    model = onnx.load(folder / "model.onnx")
    for init in model.graph.initializer:
        array = numpy_helper.to_array(init)
        if array.dtype in (np.float32, np.float16):  # (large weights are stored as halves)
            init.CopyFrom(numpy_helper.from_array(np.full_like(array, np.nan), init.name))
    onnx.save(model, folder / "model.onnx")
    with pytest.raises(ModelError, match="non-finite values"):
        load_model(folder)


@pytest.fixture
def user_models(tmp_path, tiny_model, monkeypatch) -> Path:
    """A user models folder with a good model and three broken ones; no bundled models."""
    from composer_gui.ml import model_folder

    user = tmp_path / "user-models"
    _copy(tiny_model, user / "good")
    _copy(tiny_model, user / "a-deep-config")
    (user / "a-deep-config" / "config.json").write_text("[" * 100_000)
    _copy(tiny_model, user / "b-zero-steps", BAD_CONFIGS["steps0"][0])
    _copy(tiny_model, user / "c-deep-card")
    (user / "c-deep-card" / "card.json").write_text("[" * 100_000)
    monkeypatch.setenv("COMPOSER_GUI_MODELS", str(user))
    monkeypatch.setattr(model_folder, "bundled_models_dir", lambda: tmp_path / "none")
    return user


def test_a_bad_user_model_never_hides_the_good_ones(user_models):
    infos = {m.name: m for m in list_models()}
    assert set(infos) == {"good", "a-deep-config", "b-zero-steps", "c-deep-card"}
    assert infos["good"].available and infos["good"].summary == "A tiny random model for tests."
    assert "nested too deeply" in infos["a-deep-config"].problem
    assert "steps_per_quarter must be at least 1" in infos["b-zero-steps"].problem
    assert infos["c-deep-card"].available  # a broken card only loses its summary
    assert infos["c-deep-card"].summary == "(no model card)"


def test_models_command_lists_them_without_a_traceback(user_models, capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    lines = {line.split()[0]: line for line in out.out.splitlines() if line.strip()}
    assert "unavailable: " in lines["a-deep-config"] and "nested too deeply" in lines[
        "a-deep-config"]
    assert "unavailable: " in lines["b-zero-steps"]
    assert lines["good"].endswith("A tiny random model for tests.")


def test_the_continue_panel_lists_unavailable_models_disabled(user_models, qtbot):
    """The window's model list reads the same ModelInfo (ui/generation.py SamplerBackend)."""
    pytest.importorskip("PySide6")
    from composer_gui.ui.continue_panel import SUMMARY_ROLE, ContinuePanel
    from composer_gui.ui.document import Document
    from composer_gui.ui.generation import ContinueController, SamplerBackend
    from composer_gui.ui.piano_roll import PianoRoll
    from composer_gui.ui.proposal import Proposal

    doc, proposal = Document(), Proposal()
    controller = ContinueController(doc, proposal, SamplerBackend())
    panel = ContinuePanel(controller, PianoRoll(doc, proposal))
    qtbot.addWidget(panel)
    with qtbot.waitSignal(controller.modelsListed, timeout=10000):
        controller.list_models()
    box = panel.model
    texts = [box.itemText(i) for i in range(box.count())]
    assert texts == ["a-deep-config (unavailable)", "b-zero-steps (unavailable)", "c-deep-card",
                     "good"]
    enabled = [box.model().item(i).isEnabled() for i in range(box.count())]
    assert enabled == [False, False, True, True]
    assert box.currentText() == "c-deep-card"  # the first usable one
    assert "steps_per_quarter" in box.itemData(1, SUMMARY_ROLE)
    assert panel.continue_button.isEnabled()
