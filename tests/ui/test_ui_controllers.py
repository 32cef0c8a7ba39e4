"""The window's split: named actions, file writes off the GUI thread, MIDI ports listed in a worker,
and the controllers' independence from the window."""

from __future__ import annotations

import ast
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from ui_helpers import click

from composer_gui.audio import midi_io
from composer_gui.music.formats import load_score
from composer_gui.music.score import TPQ, Note, Part, Score
from composer_gui.ui.actions import ActionCollection, ActionSpec

UI = Path(__file__).resolve().parents[2] / "composer_gui" / "ui"


def test_actions_are_named_once_and_reached_by_name(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    calls = []
    act = ActionCollection(widget)
    act.build([ActionSpec("go", "&Go", lambda: calls.append("go"), "Ctrl+G", "Go somewhere")])
    assert act.go is act["go"] and "go" in act and list(act) == ["go"]
    assert act.go.shortcut().toString() == "Ctrl+G" and act.go.toolTip() == "Go somewhere"
    assert act.go in widget.actions()  # its shortcut works anywhere in the window
    act.go.trigger()
    assert calls == ["go"]
    with pytest.raises(ValueError, match="two actions"):
        act.add(ActionSpec("go", "Again"))
    with pytest.raises(AttributeError, match="no action named 'gone'"):
        _ = act.gone


def test_a_stateful_action_shows_the_state_not_the_click(qtbot):
    """Play that cannot start must not stay checked: the check mark comes from ``state``."""
    widget = QWidget()
    qtbot.addWidget(widget)
    playing = {"now": False}
    act = ActionCollection(widget)
    act.add(ActionSpec("play", "Play", lambda: None, checkable=True,
                       state=lambda: playing["now"]))
    act.play.trigger()
    assert not act.play.isChecked()
    playing["now"] = True
    act.play.trigger()
    assert act.play.isChecked()


def test_the_window_actions_have_distinct_shortcuts(window):
    seen: dict[str, str] = {}
    for name in window.act:
        for key in window.act[name].shortcuts():
            text = key.toString()
            assert text not in seen, f"{text} is both {seen[text]} and {name}"
            seen[text] = name
    assert {"play", "continue", "undo", "redo", "tool_draw"} <= set(window.act)


def test_saving_writes_in_a_worker_thread(window, tmp_path, monkeypatch):
    from composer_gui.ui import files

    threads = []
    real = files.save_score

    def recording_save(score, path, *notes):  # notes: what notation changed (a list to fill)
        threads.append(threading.current_thread())
        return real(score, path, *notes)

    monkeypatch.setattr(files, "save_score", recording_save)
    roll = window.roll
    click(roll.canvas, roll.point_of(0, 60))
    target = tmp_path / "song.composer.json"  # Save writes projects; MusicXML is an export
    assert window.files.save_to(target)  # still a synchronous answer for "save before closing?"
    assert threads and threads[0] is not threading.main_thread()
    assert load_score(target).notes == [Note(0, 60, TPQ, 80)]
    assert not window.doc.modified


def test_the_refresh_button_lists_ports_in_a_worker(qtbot, window, monkeypatch):
    threads = []

    def names(kind):
        threads.append(threading.current_thread())
        return ["Keystation 49"] if kind == "input" else ["Synth A"]

    monkeypatch.setattr(midi_io, "_names", names)
    qtbot.waitUntil(lambda: not window.playback.listing_ports, timeout=5000)
    threads.clear()
    window.playback.midi_panel.refresh_button.click()
    qtbot.waitUntil(lambda: window.playback.midi_panel.inputs.count() == 2, timeout=5000)
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert window.act.record.isEnabled()


def test_the_midi_output_is_held_by_the_transport_alone(qtbot, window, monkeypatch):
    class Out:
        def __init__(self, name):
            self.name, self.closed = name, False

        def send(self, message):
            pass

        def close(self):
            self.closed = True

    monkeypatch.setattr(midi_io, "_names", lambda kind: ["Synth A"])
    window.playback.open_midi_output = Out
    window.playback.refresh_midi_ports()
    qtbot.waitUntil(lambda: not window.playback.listing_ports, timeout=5000)
    window.playback.midi_panel.outputs.setCurrentText("Synth A")
    port = window.transport.midi_output
    assert isinstance(port, Out) and port.name == "Synth A"
    assert not hasattr(window, "midi_out") and not hasattr(window.playback, "midi_out")
    window.playback.midi_panel.outputs.setCurrentText("(none)")
    assert window.transport.midi_output is None and port.closed


def test_new_document_resets_playback_and_the_view(qtbot, window):
    window.doc.load(Score(parts=(Part((Note(8 * TPQ, 60, TPQ),)),)))
    window.roll.set_cursor_tick(4 * TPQ)
    window.transport.set_loop(0, 4 * TPQ)
    assert window.act.loop.isChecked()
    assert window.files.new_document()
    assert window.transport.loop is None and not window.act.loop.isChecked()
    assert window.roll.cursor_tick == 0 and window.transport.position == 0


@pytest.mark.parametrize("module", ["files.py", "playback.py", "editing.py", "actions.py"])
def test_controllers_never_import_the_window(module):
    tree = ast.parse((UI / module).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
            imported.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
    assert not {m for m in imported if "main_window" in m}


def test_one_tool_is_checked_and_it_is_the_rolls(window, qtbot):
    """Pressing a tool's key or button checks it alone; pressing the checked one again leaves
    it checked (a review saw Select and Draw both pressed, then neither the roll's)."""
    from composer_gui.ui.main_window import TOOLS

    names = [name for name, _t, _k in TOOLS]

    def checked() -> list[str]:
        return [n for n in names if window.act["tool_" + n].isChecked()]

    for name in names:
        window.act["tool_" + name].trigger()
        assert checked() == [name] and window.roll.tool.name == name
    window.act["tool_" + names[-1]].trigger()
    assert checked() == [names[-1]] and window.roll.tool.name == names[-1]
    window.roll.set_tool(names[0])
    assert checked() == [names[0]]


def test_regenerate_selection_is_on_only_with_a_selection(window):
    from composer_gui.music.score import TPQ, Note, Part, Score

    ns = [Note(i * TPQ, 60 + i, TPQ) for i in range(4)]
    window.doc.load(Score(parts=(Part(tuple(ns)),)))
    assert not window.act.regenerate.isEnabled()
    window.doc.set_selection({(0, ns[1])})
    assert window.act.regenerate.isEnabled() and window.panel.regenerate_button.isEnabled()
    window.doc.set_selection(set())
    assert not window.act.regenerate.isEnabled()
