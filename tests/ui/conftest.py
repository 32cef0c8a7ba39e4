"""Fixtures for the UI tests: a real MainWindow (offscreen), settings in tmp_path, a fake
generation backend, and the blocking dialogs replaced by recorders."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from ui_helpers import FakeBackend

from composer_gui.ui import workers
from composer_gui.ui.settings import Settings


# ----- fixtures -----------------------------------------------------------------------------------
@pytest.fixture
def settings(tmp_path) -> Settings:
    """Settings in tmp_path; autosaves go to tmp_path/autosave, never the real data folder."""
    s = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    s.set("autosave/folder", str(tmp_path / "autosave"))
    return s


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def window(qtbot, settings, backend, monkeypatch):
    from composer_gui.ui.main_window import MainWindow

    w = MainWindow(settings=settings, backend=backend)
    w.errors = []
    w.prompts = []
    w.answer = "discard"

    def ask():
        w.prompts.append(w.doc.display_name)
        return w.answer

    monkeypatch.setattr(w, "ask_unsaved_changes", ask)
    w.proposal_answer = "discard"

    def ask_proposal(what=""):
        w.prompts.append("proposal")
        w.proposal_asked = what
        return w.proposal_answer

    monkeypatch.setattr(w, "ask_keep_proposal", ask_proposal)
    monkeypatch.setattr(w, "show_error", lambda title, text: w.errors.append((title, text)))
    w.resize(1200, 800)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.controller.modelsListed, timeout=5000):
        w.show()
    qtbot.waitExposed(w)
    # a fixed view: 48 px per quarter, 12 px rows, C4 region visible, grid 1/16
    roll = w.roll
    roll.geo.set_px_per_quarter(48)
    roll.geo.set_offsets(x_off=0)
    roll.center_on_pitch(64)
    yield w
    w.controller.discard()
    workers.shutdown()
    w.doc.undo_stack.setClean()


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory):
    """Default QSettings go to a temporary folder; no worker thread outlives its test."""
    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    # a window made with default settings autosaves here, not in the real data folder
    QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Composer", "Composer"
              ).setValue("autosave/folder", str(folder / "autosave"))
    yield
    workers.shutdown()
