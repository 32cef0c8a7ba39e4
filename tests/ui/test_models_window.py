"""Model > Models: the installed models with their cards and curves; rename, delete, show."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from composer_gui.ui.models_window import ModelsWindow, open_models_window

LOG = "epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds\n1,3.1,0.3,3.0,0.31,0.002,1\n" \
      "2,2.5,0.4,2.7,0.38,0.002,1\n3,2.2,0.45,2.6,0.4,0.002,1\n"


@pytest.fixture
def folders(tmp_path, tiny_model, monkeypatch):
    """A bundled folder with one model and a user folder with one model (card and log) and one
    interrupted run."""
    from composer_gui.ml import model_folder

    bundled, user = tmp_path / "bundled", tmp_path / "user"
    shutil.copytree(tiny_model, bundled / "shipped")
    (bundled / "shipped" / "card.md").unlink(missing_ok=True)
    mine = user / "mine"
    shutil.copytree(tiny_model, mine)
    (mine / "log.csv").write_text(LOG)
    (mine / "card.md").write_text("# Model card: mine\n\n## Musical measures\n\n"
                                  "| measure | model | real |\n| --- | --- | --- |\n"
                                  "| in key | 0.91 | 0.97 |\n")
    (mine / "card.json").write_text(json.dumps({"name": "mine", "summary": "my summary"}))
    run = user / ".training" / "halfway"
    (run / "checkpoint").mkdir(parents=True)
    (run / "checkpoint" / "state.json").write_text('{"epoch": 2}')
    (run / "checkpoint" / "last.keras").write_text("weights")
    monkeypatch.setenv("COMPOSER_GUI_MODELS", str(user))
    monkeypatch.setattr(model_folder, "bundled_models_dir", lambda: bundled)
    return bundled, user


@pytest.fixture
def mw(qtbot, folders):
    w = ModelsWindow()
    w.answers, w.errors, w.opened = [], [], []
    w.ask = lambda title, text, yes: w.answers.pop(0)
    w.ask_name = lambda current: w.answers.pop(0)
    w.show_error = w.errors.append
    w.open_folder = w.opened.append
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.refresh().finished, timeout=5000):
        pass
    return w


def names(w) -> list[str]:
    return [w.list.item(i).text() for i in range(w.list.count())]


def pick(qtbot, w, name: str) -> None:
    assert w.select(name)
    qtbot.waitUntil(lambda: w.details is not None, timeout=5000)


def test_lists_models_and_unfinished_runs_with_card_and_curves(qtbot, mw):
    assert names(mw) == ["mine", "shipped  (comes with the app)", "halfway  (unfinished)"]
    pick(qtbot, mw, "mine")
    text = mw.card.toPlainText()
    assert "Musical measures" in text and "0.91" in text  # the card's table, rendered
    assert "#" not in text.splitlines()[0]  # Markdown rendered, not shown raw
    xs, ys = mw.val_curve.getData()
    assert list(xs) == [1.0, 2.0, 3.0] and list(ys) == [3.0, 2.7, 2.6]
    assert mw.rename_button.isEnabled() and mw.delete_button.isEnabled()
    pick(qtbot, mw, "shipped")
    assert not mw.rename_button.isEnabled() and not mw.delete_button.isEnabled()
    assert "no card" in mw.card.toPlainText()
    pick(qtbot, mw, "halfway")
    assert "2 epoch(s) done" in mw.card.toPlainText()


def test_rename_moves_the_folder_and_the_name_inside(qtbot, mw, folders):
    _bundled, user = folders
    pick(qtbot, mw, "mine")
    mw.answers = ["bad/name"]
    assert not mw.rename()
    assert "cannot be part of a folder name" in mw.errors[-1]
    mw.answers = ["shipped"]
    assert not mw.rename()
    assert "already installed" in mw.errors[-1]
    mw.answers = ["renamed"]
    with qtbot.waitSignal(mw.modelsChanged):
        assert mw.rename()
    assert not (user / "mine").exists()
    assert json.loads((user / "renamed" / "config.json").read_text())["name"] == "renamed"
    assert json.loads((user / "renamed" / "card.json").read_text())["name"] == "renamed"
    qtbot.waitUntil(lambda: "renamed" in names(mw), timeout=5000)
    assert mw.current().name == "renamed"


def test_delete_asks_first_and_never_touches_a_bundled_model(qtbot, mw, folders):
    bundled, user = folders
    pick(qtbot, mw, "mine")
    mw.answers = [False]
    assert not mw.delete()
    assert (user / "mine").is_dir()
    mw.answers = [True]
    assert mw.delete()
    assert not (user / "mine").exists()
    qtbot.waitUntil(lambda: "mine" not in names(mw), timeout=5000)
    pick(qtbot, mw, "shipped")
    assert not mw.delete()
    assert (bundled / "shipped").is_dir()


def test_show_in_folder_opens_the_models_folder(qtbot, mw, folders):
    pick(qtbot, mw, "mine")
    mw.show_button.click()
    assert mw.opened == [folders[1] / "mine"]


def test_the_menu_opens_the_manager_and_a_rename_reaches_the_continue_panel(
        qtbot, folders, settings):
    from composer_gui.ui.main_window import MainWindow

    main = MainWindow(settings=settings)
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.controller.modelsListed, timeout=10000):
        main.show()
    assert "mine" in [main.panel.model.itemText(i) for i in range(main.panel.model.count())]
    main.act.models.trigger()
    w = main.findChild(ModelsWindow)
    assert w is not None and w.isVisible()
    qtbot.waitUntil(lambda: w.list.count() == 3, timeout=5000)
    assert open_models_window(main) is w  # one manager per window
    pick(qtbot, w, "mine")
    w.ask_name = lambda current: "ours"
    with qtbot.waitSignal(main.controller.modelsListed, timeout=10000):
        w.rename()
    panel = [main.panel.model.itemText(i) for i in range(main.panel.model.count())]
    assert "ours" in panel and "mine" not in panel
    assert Path(main.panel.model.itemData(panel.index("ours"))).name == "ours"


def test_without_pyqtgraph_the_card_still_shows(qtbot, folders, monkeypatch):
    """The PyInstaller bundle leaves pyqtgraph out (build/composer_gui.spec)."""
    import sys

    monkeypatch.setitem(sys.modules, "pyqtgraph", None)  # makes `import pyqtgraph` fail
    w = ModelsWindow()
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.refresh().finished, timeout=5000):
        pass
    pick(qtbot, w, "mine")
    assert "0.91" in w.card.toPlainText()
    assert "pyqtgraph" in w.plot.text()
