"""The model the UI benchmark and the screenshot use: the first installed model, else a stand-in.

The stand-in has random weights but the bundled models' size (the "small" preset: 2 LSTM layers
of 256, embedding 96, as models/*/config.json record), so a step costs what a real step costs; it
is built once into ``runs/ui-standin-2x256`` (git-ignored) by a subprocess, so TensorFlow never
enters the caller. Building needs the ``train`` extra.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STANDIN = ROOT / "runs" / "ui-standin-2x256"
STANDIN_PRESET = "small"  # keras_model.PRESETS: what the bundled models were trained with

_BUILD = """
import sys
from dataclasses import replace
from composer_gui.ml.export import write_random_model_folder
from composer_gui.ml.keras_model import PRESETS
write_random_model_folder(sys.argv[1], replace(PRESETS[sys.argv[2]], dropout=0.0),
                          name="standin", summary="Random weights, the size of the bundled "
                          "models (UI bench only).")
"""


def installed_model() -> tuple[str, str] | None:
    """(folder, label) of the first installed model, or None."""
    try:
        from composer_gui.ml.model_folder import list_models
    except ImportError:
        return None
    models = list_models()
    if not models:
        return None
    m = models[0]
    return str(m.path), f"installed model {m.name!r}"


def standin_model() -> tuple[str, str] | None:
    from composer_gui.ml.model_folder import ONNX

    if not (STANDIN / ONNX).is_file():
        STANDIN.parent.mkdir(parents=True, exist_ok=True)
        out = subprocess.run([sys.executable, "-c", _BUILD, str(STANDIN), STANDIN_PRESET],
                             cwd=ROOT, capture_output=True, text=True, timeout=600)
        if out.returncode != 0 or not (STANDIN / ONNX).is_file():
            print(out.stderr[-2000:], file=sys.stderr)
            return None
    return str(STANDIN), "stand-in model (random weights, 2x256 LSTM like the bundled models)"


def bench_model() -> tuple[str, str] | None:
    return installed_model() or standin_model()
