"""The audio engine stays below the UI: no Qt, TensorFlow or music21 when it is imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_audio_engine_imports_no_qt():
    code = (
        "import sys\n"
        "import composer_gui.audio, composer_gui.audio.playback, composer_gui.audio.midi_io\n"
        "import composer_gui.commands.render\n"
        "heavy = ('PySide6', 'tensorflow', 'keras', 'onnxruntime', 'music21', 'rtmidi',"
        " 'composer_gui.ui', 'composer_gui.ml')\n"
        "print(sorted(m for m in sys.modules if any(m == h or m.startswith(h + '.')"
        " for h in heavy)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
