"""Model > Train on My Music: the window follows a training process it starts.

Most tests run ``fake_trainer.py`` (the same JSON events as ``composer-gui train
--progress-json``, no TensorFlow) so they take a few seconds; the last one trains a real tiny model
on generated files, stops it, resumes it and finds it in the Continue panel.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from composer_gui.ui import train_window as tw

FAKE = [sys.executable, str(Path(__file__).with_name("fake_trainer.py"))]


@pytest.fixture
def user_models(tmp_path, monkeypatch) -> Path:
    from composer_gui.ml import model_folder

    folder = tmp_path / "user-models"
    monkeypatch.setenv("COMPOSER_GUI_MODELS", str(folder))
    monkeypatch.setenv("COMPOSER_GUI_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(model_folder, "bundled_models_dir", lambda: tmp_path / "no-bundled")
    return folder


@pytest.fixture
def win(qtbot, user_models, tmp_path):
    w = tw.TrainWindow(program=FAKE, threads=1)
    w.answers = []
    w.asked = []

    def ask(title, text, yes, no="Cancel"):
        w.asked.append(title)
        return w.answers.pop(0) if w.answers else True

    w.ask = ask
    qtbot.addWidget(w)
    w.show()
    yield w
    w.stop()


def test_reading_a_folder_fills_the_table_and_warns_of_too_little_music(qtbot, win, tmp_path):
    # (before a folder: what is needed, and why Start is greyed)
    assert "100,000 notes or more" in win.status.text()
    assert not win.start_button.isEnabled()
    assert win.start_button.toolTip() == "Choose a folder of music first"
    win.set_folder(tmp_path / "my music")
    with qtbot.waitSignal(win.process.ended, timeout=10000):
        pass
    assert win.table.rowCount() == 3
    statuses = [win.table.item(r, 3).text() for r in range(3)]
    assert statuses[:2] == ["used", "used"]
    assert statuses[2].startswith("skipped: only drums")
    assert win.verdict_label.isVisible() and "Only 200 notes" in win.verdict_label.text()
    assert win.name.text() == "my music"  # the folder's name is offered
    assert win.start_button.isEnabled()
    assert win.start_button.toolTip() == "Train a model on the folder's music"


def test_curves_get_points_and_the_model_is_announced(qtbot, win, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_TRAINER_EPOCHS", "3")
    win.set_folder(tmp_path)
    with qtbot.waitSignal(win.process.ended, timeout=10000):
        pass
    win.name.setText("mine")
    with qtbot.waitSignal(win.modelInstalled, timeout=15000) as got:
        assert win.start()
    assert got.args == ["mine"]
    for key in ("train_loss", "val_loss", "train_acc", "val_acc"):
        assert win.curves.points(key) == 3
        xs, _ys = win.curves.curves[key].getData()
        assert list(xs) == [1.0, 2.0, 3.0]
    assert "Installed 'mine'" in win.status.text()
    assert not win.stop_button.isEnabled()


def test_stop_kills_the_process_and_resume_goes_on_from_the_checkpoint(qtbot, win, tmp_path,
                                                                       monkeypatch, user_models):
    monkeypatch.setenv("FAKE_TRAINER_EPOCHS", "40")
    monkeypatch.setenv("FAKE_TRAINER_DELAY", "0.05")
    win.set_folder(tmp_path)
    with qtbot.waitSignal(win.process.ended, timeout=10000):
        pass
    win.name.setText("later")
    assert win.start()
    qtbot.waitUntil(lambda: win.curves.points("val_loss") >= 2, timeout=15000)
    assert win.time_left.text().startswith("about")
    assert win.stop_button.isEnabled()
    proc = win.process
    with qtbot.waitSignal(proc.ended, timeout=5000) as ended:
        win.stop_button.click()
    assert ended.args[1] is True  # stopped by the user
    assert not proc.running
    assert "Resume goes on" in win.status.text()
    done = json.loads((user_models / ".training" / "later" / "checkpoint" / "state.json")
                      .read_text())["epoch"]
    assert done >= 2
    assert win.resume_button.isEnabled()
    again = tw.TrainWindow(program=FAKE, threads=1)  # another day: the run is offered by name
    qtbot.addWidget(again)
    assert again.name.text() == "later" and again.resume_button.isEnabled()
    assert f"has {done} epoch(s) done" in again.status.text()
    monkeypatch.setenv("FAKE_TRAINER_DELAY", "0.005")
    with qtbot.waitSignal(win.modelInstalled, timeout=20000):
        win.resume_button.click()
    assert "--resume" in win.process.command
    # the epochs before the stop came back from the log, then the rest: 40, each once
    xs, _ = win.curves.curves["val_loss"].getData()
    assert list(xs) == [float(e) for e in range(1, 41)]


def test_a_bad_name_is_refused_before_anything_starts(qtbot, win, tmp_path):
    win.set_folder(tmp_path)
    with qtbot.waitSignal(win.process.ended, timeout=10000):
        pass
    checker = win.process
    win.name.setText("my/model")
    assert not win.start()
    assert win.process is checker  # no training process
    assert "cannot be part of a folder name" in win.status.text()


def test_a_clash_asks_before_replacing(qtbot, win, tmp_path, user_models):
    (user_models / "taken").mkdir(parents=True)
    (user_models / "taken" / "config.json").write_text("{}")
    win.set_folder(tmp_path)
    with qtbot.waitSignal(win.process.ended, timeout=10000):
        pass
    win.name.setText("taken")
    win.answers = [False]
    assert not win.start()
    assert win.asked == ["Replace Model"]
    win.answers = [True]
    assert win.start()
    assert "--force" in win.process.command


def test_without_tensorflow_the_menu_says_what_to_install(qtbot, monkeypatch):
    from PySide6.QtWidgets import QWidget

    shown = []
    from composer_gui.ui.training_process import INSTALL_TEXT

    monkeypatch.setattr(tw, "training_unavailable", lambda: INSTALL_TEXT)
    monkeypatch.setattr(tw.QMessageBox, "information", lambda *a: shown.append(a[2]))
    parent = QWidget()
    qtbot.addWidget(parent)
    assert tw.open_train_window(parent) is None
    assert "composer-gui[train]" in shown[0]
    assert parent.findChild(tw.TrainWindow) is None


def test_frozen_app_cannot_train(monkeypatch):
    from composer_gui.ui import training_process

    monkeypatch.setattr(training_process, "is_frozen", lambda: True)
    assert "TensorFlow" in training_process.training_unavailable()


@pytest.mark.train
@pytest.mark.slow
def test_real_training_stops_resumes_and_appears_in_the_continue_panel(
        qtbot, user_models, tmp_path, settings):
    pytest.importorskip("tensorflow", reason="needs TensorFlow (the train extra)")
    from train_helpers import music_folder

    from composer_gui.ui.main_window import MainWindow

    folder = music_folder(tmp_path / "songs", count=6)
    main = MainWindow(settings=settings)  # the real backend: lists the user's models folder
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.controller.modelsListed, timeout=10000):
        main.show()
    w = main._open_training()
    w.threads = 1
    w.max_epochs = 4
    w.ask = lambda *a: True
    w.preset.setCurrentIndex(0)  # tiny
    w.set_folder(folder)
    with qtbot.waitSignal(w.process.ended, timeout=60000):
        pass
    assert w.verdict["used"] == 6
    w.name.setText("my songs")
    assert w.start()
    qtbot.waitUntil(lambda: w.curves.points("val_loss") >= 1, timeout=120000)
    with qtbot.waitSignal(w.process.ended, timeout=10000):
        w.stop()
    assert w.resume_button.isEnabled(), w.status.text()
    names = [main.panel.model.itemText(i) for i in range(main.panel.model.count())]
    assert "my songs" not in names  # an interrupted run is not a model
    with qtbot.waitSignal(main.controller.modelsListed, timeout=180000):
        w.resume()
    assert w.installed == "my songs", w.process.last_words()
    assert main.panel.model.currentText() == "my songs"
    assert "test perplexity" in main.panel.model.toolTip()  # the card's summary
    assert main.panel.summary.text().startswith(("Writes ", "Learned from "))  # in words
    assert (user_models / "my songs" / "card.md").is_file()
    assert not (user_models / ".training" / "my songs").exists()
    xs, _ = w.curves.curves["val_loss"].getData()
    assert list(xs) == [1.0, 2.0, 3.0, 4.0]
