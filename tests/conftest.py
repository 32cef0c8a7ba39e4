"""Shared test set-up: Qt offscreen, no network, and the tiny random model.

``tiny_model`` is a complete model folder with random weights (2 LSTM layers of 32), built once a
session with TensorFlow (the ``train`` extra: about 4 s to import, 1 s to export) and shared by
the sampler, model-folder, CLI, self-test and UI tests; without TensorFlow the tests that need it
are skipped with the reason. Its Dense layer is scaled up so that the distributions are peaked
like a trained model's rather than flat.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("COMPOSER_GUI_NO_AUDIO", "1")

TINY = {"embedding": 16, "hidden": 32, "layers": 2, "dropout": 0.0}
TINY_SUMMARY = "A tiny random model for tests."


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """The session's tiny model folder, named "tiny"."""
    pytest.importorskip("tensorflow", reason="building a test model needs TensorFlow (train extra)")
    pytest.importorskip("onnx", reason="building a test model needs onnx (train extra)")
    from composer_gui.ml.export import write_random_model_folder

    folder = tmp_path_factory.mktemp("models") / "tiny"
    return write_random_model_folder(folder, TINY, seed=1234, logit_scale=6.0, name="tiny",
                                     summary=TINY_SUMMARY)


@pytest.fixture(scope="session")
def tiny_voice_model(tmp_path_factory) -> Path:
    """A tiny random voice-grid model (ml/voices.py) for the four chorale voices, "tiny-voices"."""
    pytest.importorskip("tensorflow", reason="building a test model needs TensorFlow (train extra)")
    pytest.importorskip("onnx", reason="building a test model needs onnx (train extra)")
    from composer_gui.ml.export import write_random_model_folder
    from composer_gui.ml.voices import VoiceVocabulary

    folder = tmp_path_factory.mktemp("models") / "tiny-voices"
    return write_random_model_folder(folder, TINY, seed=1234, logit_scale=6.0, name="tiny-voices",
                                     summary="A tiny random voice-grid model for tests.",
                                     vocab=VoiceVocabulary())


@pytest.fixture(scope="session")
def tiny_melody_model(tmp_path_factory) -> Path:
    """A tiny random voice-grid model with one voice ("Melody")."""
    pytest.importorskip("tensorflow", reason="building a test model needs TensorFlow (train extra)")
    pytest.importorskip("onnx", reason="building a test model needs onnx (train extra)")
    from composer_gui.ml.export import write_random_model_folder
    from composer_gui.ml.voices import VoiceVocabulary

    folder = tmp_path_factory.mktemp("models") / "tiny-melody"
    return write_random_model_folder(folder, TINY, seed=99, logit_scale=6.0, name="tiny-melody",
                                     summary="A tiny random one-voice model for tests.",
                                     vocab=VoiceVocabulary(voices=("Melody",)))


@pytest.fixture
def installed_tiny(tmp_path, tiny_model, monkeypatch) -> Path:
    """A user models folder ($COMPOSER_GUI_MODELS) holding a copy of the tiny model, and no
    bundled models; returns the user folder."""
    from composer_gui.ml import model_folder

    user = tmp_path / "user-models"
    shutil.copytree(tiny_model, user / "tiny")
    monkeypatch.setenv("COMPOSER_GUI_MODELS", str(user))
    monkeypatch.setattr(model_folder, "bundled_models_dir", lambda: tmp_path / "no-bundled-models")
    return user


@pytest.fixture(scope="session")
def gm_synth():
    """A synth on the bundled SoundFont (loaded once for the whole run; audio and UI tests)."""
    from composer_gui.audio.render import default_synth

    return default_synth()


@pytest.fixture(scope="session")
def sine_font():
    """A tiny generated SoundFont of sine waves (audio_helpers.simple_font)."""
    from audio_helpers import simple_font

    from composer_gui.audio.soundfont import parse

    return parse(simple_font())


@pytest.fixture
def sine_synth(sine_font):
    from composer_gui.audio.synth import Synth

    return Synth(sine_font, 44100)
