""""Stay in the key" is remembered per kind of model: off for a voice model (it writes in the key
heard without the lock), on for an event-stream model (it needs it), as the composer left it."""

from __future__ import annotations

import shutil

import pytest

from composer_gui.ui.generation import SamplerBackend


@pytest.fixture
def backend(tmp_path, tiny_voice_model, tiny_model, monkeypatch):
    """The real backend, with a tiny voice model and a tiny event-stream model installed."""
    from composer_gui.ml import model_folder

    user = tmp_path / "user-models"
    shutil.copytree(tiny_voice_model, user / "tiny-voices")
    shutil.copytree(tiny_model, user / "tiny-events")
    monkeypatch.setenv("COMPOSER_GUI_MODELS", str(user))
    monkeypatch.setattr(model_folder, "bundled_models_dir", lambda: tmp_path / "none")
    return SamplerBackend()


def choose(panel, name: str) -> None:
    panel.model.setCurrentIndex(panel.model.findText(name))
    assert panel.model.currentText() == name


def test_the_key_lock_is_remembered_per_kind_of_model(window, settings, backend, qtbot):
    from composer_gui.ui.main_window import MainWindow

    panel = window.panel
    choose(panel, "tiny-voices")
    assert not panel.key_lock.isChecked() and panel.options().key is None
    choose(panel, "tiny-events")
    assert panel.key_lock.isChecked() and panel.options().key == "auto"
    panel.key_lock.setChecked(False)
    choose(panel, "tiny-voices")
    panel.key_lock.setChecked(True)
    choose(panel, "tiny-events")
    assert not panel.key_lock.isChecked()  # as left for this kind
    choose(panel, "tiny-voices")
    assert panel.key_lock.isChecked() and panel.options().key == "auto"
    # and across sessions
    window.save_settings()
    again = MainWindow(settings=settings, backend=backend)
    qtbot.addWidget(again)
    assert again.panel.key_locks() == {"voice-grid": True, "remi": False}
