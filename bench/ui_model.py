"""The model the UI benchmark and the screenshot use: the first installed model, else a stand-in.

The stand-in has random weights but the bundled bach-chorales model's size (2 LSTM layers of 384,
embedding 128), so a step costs what a real step costs; it is built once into
``runs/ui-standin-2x384`` (git-ignored) by a subprocess, so TensorFlow never enters the caller.
Building needs the ``train`` extra.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STANDIN = ROOT / "runs" / "ui-standin-2x384"
STANDIN_SIZE = {"embedding": 128, "hidden": 384, "layers": 2, "dropout": 0.0}

_BUILD = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from test_sampler_support import build_model_folder
build_model_folder(Path(sys.argv[1]), eval(sys.argv[3]), name="standin",
                   summary="Random weights, the size of the bach-chorales model (UI bench only).")
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
    if not (STANDIN / "model.onnx").is_file():
        STANDIN.parent.mkdir(parents=True, exist_ok=True)
        out = subprocess.run(
            [sys.executable, "-c", _BUILD, str(STANDIN), str(ROOT / "tests" / "ml"),
             repr(STANDIN_SIZE)], cwd=ROOT, capture_output=True, text=True, timeout=600)
        if out.returncode != 0 or not (STANDIN / "model.onnx").is_file():
            print(out.stderr[-2000:], file=sys.stderr)
            return None
    return str(STANDIN), "stand-in model (random weights, 2x384 LSTM like bach-chorales)"


def bench_model() -> tuple[str, str] | None:
    return installed_model() or standin_model()
