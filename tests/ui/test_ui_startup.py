"""Start-up: no TensorFlow, the real sampler wiring, and main() showing a window."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from composer_gui.music.score import TPQ, Note, Part, Score
from composer_gui.ui.generation import GenerationOptions, SamplerBackend
from composer_gui.ui.undo import apply_note_diff

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import composer_gui.ui.app
from composer_gui.ui.app import make_app
from composer_gui.ui.main_window import MainWindow
from composer_gui.ui.settings import Settings
from PySide6.QtCore import QSettings
app = make_app()
w = MainWindow(Settings(QSettings(sys.argv[1], QSettings.Format.IniFormat)))
w.show()
w.controller.list_models().wait(10000)
app.processEvents()
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "music21"))
print("BAD", bad)
w.close()
from composer_gui.ui import workers
workers.shutdown()  # as main() does: no QThread may be destroyed while it runs
"""


def test_the_app_never_imports_tensorflow(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", CHECK, str(tmp_path / "s.ini")], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "BAD []" in out.stdout, out.stdout


def test_main_shows_the_window_and_paints(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "COMPOSER_GUI_FIRST_PAINT": "1",
           "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "composer_gui"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "first-paint" in out.stdout


def test_the_real_backend_reports_a_missing_model_as_a_message(window, qtbot):
    window.controller.backend = SamplerBackend()
    window.panel.model.addItem("no-such-model", str(Path("/nonexistent/no-such-model")))
    window.panel.model.setCurrentIndex(window.panel.model.count() - 1)
    with qtbot.waitSignal(window.controller.failed, timeout=20000) as blocker:
        window.panel.start_continue()
    assert "no-such-model" in blocker.args[0]
    assert "Traceback" not in blocker.args[0]
    assert window.errors


def test_options_match_the_samplers_request():
    sampler = pytest.importorskip("composer_gui.ml.sampler")
    request = sampler.GenerationRequest(**GenerationOptions(bars=2, seed=3).request_fields())
    assert request.bars == 2 and request.seed == 3


def test_note_diff_handles_identical_notes():
    n = Note(0, 60, TPQ)
    score = Score(parts=(Part((n, n, Note(TPQ, 62, TPQ))),))
    once = apply_note_diff(score, [(0, n)], [])
    assert once.parts[0].notes == (n, Note(TPQ, 62, TPQ))
    with pytest.raises(LookupError):
        apply_note_diff(once, [(0, n), (0, n)], [])


SPAM = """
import os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import composer_gui.ui
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QWidget

class O(QObject):
    ping = Signal()

app = QApplication([])
o, w = O(), QWidget()
for _ in range(300_000):
    w.setEnabled(True)  # a void method
    o.ping.emit()
print("survived")
"""


def test_many_qt_calls_never_exhaust_none_or_true():
    # PySide6 6.12.0's abi3 wheels on Python < 3.12 drop a reference to None per void call and to
    # True per emit(), and the app aborts ("Fatal Python error: none_dealloc") within seconds of
    # painting. pyproject.toml excludes that release; this guards against it coming back.
    out = subprocess.run([sys.executable, "-c", SPAM], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-500:]
    assert "survived" in out.stdout
