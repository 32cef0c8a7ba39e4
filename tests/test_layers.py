"""The layering rules: the pure music (and ml) layers never import Qt, TensorFlow or the UI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports() -> str | None:
    beside_python = Path(sys.executable).parent / "lint-imports"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("lint-imports")


def test_import_linter_contracts_hold():
    exe = _lint_imports()
    if exe is None:
        pytest.skip("import-linter is not installed (it comes with the 'test' extra)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower() or "0 broken" in result.stdout.lower()
    assert "music, ml and audio never import Qt KEPT" in result.stdout
    assert "layers: cli above selftest above ui above ml and audio, above music KEPT" \
        in result.stdout
    assert "the app (ui) never imports TensorFlow KEPT" in result.stdout


_LIGHT_LAYERS = {
    # music: music21 is loaded only when a notation file is read or written
    "music": ("composer_gui.music, composer_gui.music.formats, composer_gui.music.midi, "
              "composer_gui.music.notation, composer_gui.music.project",
              ("PySide6", "tensorflow", "keras", "onnxruntime", "pyqtgraph", "music21",
               "composer_gui.ui", "composer_gui.ml")),
    # audio: the engine stays below the UI (rtmidi only when a port is opened)
    "audio": ("composer_gui.audio, composer_gui.audio.playback, composer_gui.audio.midi_io, "
              "composer_gui.cli.render",
              ("PySide6", "tensorflow", "keras", "onnxruntime", "music21", "rtmidi",
               "composer_gui.ui", "composer_gui.ml")),
}


@pytest.mark.parametrize("layer", sorted(_LIGHT_LAYERS))
def test_layer_imports_stay_light(layer):
    """Importing a layer pulls in none of the heavy or higher-level packages named for it."""
    modules, heavy = _LIGHT_LAYERS[layer]
    code = (
        "import sys\n"
        f"import {modules}\n"
        f"heavy = {heavy!r}\n"
        "print(sorted(m for m in sys.modules if any(m == h or m.startswith(h + '.')"
        " for h in heavy)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
