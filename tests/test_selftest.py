"""``composer-gui --self-test``: passes on a working installation, and names the broken part.

The model is the session's tiny random model (tests/conftest.py's ``tiny_model``, built with
TensorFlow); without TensorFlow an installed model is used instead, and with neither the tests
that need a model are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from composer_gui import selftest
from composer_gui.music.score import TPQ

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def model(request) -> Path:
    try:
        return request.getfixturevalue("tiny_model")
    except pytest.skip.Exception as skip:
        from composer_gui.ml.model_folder import list_models

        installed = [m.path for m in list_models() if (m.path / "model.onnx").is_file()]
        if installed:
            return installed[0]
        pytest.skip(f"no model to test with: none is installed and {skip.msg}")


@pytest.fixture
def broken(model, tmp_path) -> Path:
    """A copy of the model folder, for breaking."""
    folder = tmp_path / "broken-model"
    shutil.copytree(model, folder)
    return folder


def test_the_sketch_is_two_bars_of_c_major():
    score = selftest.sketch()
    assert score.end_tick == 2 * 4 * TPQ
    assert score.key is not None and str(score.key).lower().startswith("c")
    assert {n.pitch % 12 for p in score.parts for n in p.notes} <= {0, 2, 4, 5, 7, 9, 11}


def test_passes_with_a_working_model(model):
    report = selftest.run([model])
    line = report.line()
    assert report.ok, line
    assert line.startswith(f"self-test passed: 1 model ({model.name}), continue ")
    for part in ("midi ok", "musicxml ok", "audio ok", "window ok", "score view ok"):
        assert part in line
    assert "\n" not in line


def test_the_same_seed_continues_the_same_way(model):
    first, second = selftest.run([model], window=False), selftest.run([model], window=False)
    assert first.ok and second.ok
    assert first.parts[1].text == second.parts[1].text  # "continue N notes"


def test_a_corrupt_config_is_named(model, broken):
    (broken / "config.json").write_text("{not json", encoding="utf-8")
    report = selftest.run([model, broken], window=False)
    line = report.line()
    assert not report.ok
    assert line.startswith("self-test FAILED: model broken-model: ")
    assert "config.json is not valid JSON" in line
    # the rest still ran, with the good model
    assert f"passed: 1 model ({model.name}), continue" in line
    assert "midi ok" in line and "musicxml ok" in line and "audio ok" in line


def test_a_truncated_onnx_file_is_named(broken):
    data = (broken / "model.onnx").read_bytes()
    (broken / "model.onnx").write_bytes(data[: len(data) // 3])
    report = selftest.run([broken], window=False)
    assert not report.ok
    assert "model broken-model:" in report.line()
    assert "model.onnx" in report.line()


def test_no_models_is_a_failure():
    report = selftest.run([], window=False)
    assert not report.ok
    assert report.line().startswith("self-test FAILED: models: none installed")


def test_a_broken_soundfont_is_named(monkeypatch, tmp_path):
    bad = tmp_path / "bad.sf2"
    bad.write_bytes(b"RIFF not really a soundfont")
    monkeypatch.setenv("COMPOSER_GUI_SOUNDFONT", str(bad))
    report = selftest.run([], window=False)
    failed = [p for p in report.parts if not p.ok]
    assert [p.name for p in failed] == ["models", "audio"]
    assert failed[1].text.startswith("audio: ")
    assert "bad.sf2" in failed[1].text


def test_the_command_line_prints_one_line_and_fails_with_a_broken_model(broken):
    """The real entry point, in a fresh process: exit 1 and one line naming the model."""
    (broken / "model.onnx").write_bytes(b"not an onnx graph")
    models = broken.parent
    env = {**os.environ, "COMPOSER_GUI_MODELS": str(models), "PYTHONPATH": str(ROOT)}
    env.pop("COMPOSER_GUI_SELFTEST_VERBOSE", None)
    done = subprocess.run([sys.executable, "-m", "composer_gui", "--self-test"], env=env,
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout
    assert lines[0].startswith("self-test FAILED: ")
    assert "model broken-model: " in lines[0] and "model.onnx" in lines[0]


def test_self_test_is_in_the_help():
    from composer_gui.cli import build_parser

    text = build_parser().format_help()
    assert "--self-test" in text
    assert "--startup-probe" not in text  # a hidden flag for bench/bundle.py


def test_the_startup_probe_quits_after_its_continue(model, tmp_path):
    """bench/bundle.py's probe: the window, Continue, the times, and out (it had sat in the
    quit question about the variation on show until its timeout since that question came)."""
    env = {**os.environ, "COMPOSER_GUI_MODELS": str(model.parent), "PYTHONPATH": str(ROOT),
           "QT_QPA_PLATFORM": "offscreen", "COMPOSER_GUI_NO_AUDIO": "1", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "composer_gui", "--startup-probe"], env=env,
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    events = [line.split()[0] for line in done.stdout.splitlines()]
    assert events[-1] == "continue-done" and "timeout" not in events
