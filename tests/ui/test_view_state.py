"""The roll's view state without Qt: it imports with PySide6 blocked, cleans what it is given and
calls its listeners once per real change."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from composer_gui.music.score import TPQ, Note
from composer_gui.ui.view_state import Preview, Snap, ViewState

ROOT = Path(__file__).resolve().parents[2]


def test_view_state_imports_with_qt_blocked():
    code = (
        "import sys\n"
        "sys.modules['PySide6'] = None  # any import of Qt now raises ImportError\n"
        "import composer_gui.ui.view_state as v\n"
        "v.ViewState(cursor_tick=3)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6.', 'shiboken'))))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_listeners_hear_each_real_change_once_with_old_and_new_values():
    view = ViewState()
    heard = []
    stop = view.listen(lambda name, old, new: heard.append((name, old, new)))
    view.cursor_tick = 480
    view.cursor_tick = 480  # the same again: nothing to tell
    view.playhead = 960
    view.playhead = None
    view.loop_range = (0, 1920)
    view.snap = Snap(8)
    view.snap = Snap(8)
    assert heard == [("cursor_tick", 0, 480), ("playhead", None, 960), ("playhead", 960, None),
                     ("loop_range", None, (0, 1920)), ("snap", Snap(16), Snap(8))]
    stop()
    view.cursor_tick = 0
    assert len(heard) == 5


def test_values_are_cleaned_in_one_place():
    view = ViewState(cursor_tick=-5, take=None)
    assert view.cursor_tick == 0 and view.take == []
    view.cursor_tick = 12.7
    view.playhead = -3
    view.loop_range = (1.0, 2.9)
    view.active_part = -1
    view.take = (Note(0, 60, TPQ),)
    assert (view.cursor_tick, view.playhead, view.active_part) == (12, 0, 0)
    assert view.loop_range == (1, 2)
    assert view.take == [Note(0, 60, TPQ)]
    with pytest.raises(AttributeError):
        view.cursor = 3  # a typo does not quietly add a field


def test_a_preview_is_state_too():
    view = ViewState()
    heard = []
    view.listen(lambda name, old, new: heard.append(name))
    view.preview = Preview(dt=TPQ)
    view.preview = Preview(dt=TPQ)  # an equal preview: nothing to repaint
    view.preview = Preview(velocities={0: 90})
    view.preview = None
    assert heard == ["preview"] * 3
    assert Preview(dt=1).reshapes and not Preview(velocities={0: 1}).reshapes


def test_snap_grid_steps_and_lengths():
    sixteenth = TPQ // 4
    snap = Snap(16)
    assert snap.step == sixteenth
    assert snap.snap(sixteenth * 2 + 70) == sixteenth * 3  # nearest line
    assert snap.snap(sixteenth * 2 + 70, floor=True) == sixteenth * 2  # the cell it is in
    assert snap.snap(sixteenth * 2 + 70, free=True) == sixteenth * 2 + 70  # Alt: anywhere
    assert snap.snap(-40) == 0
    assert snap.min_length() == sixteenth and snap.min_length(free=True) == TPQ // 32
    off = Snap(0)
    assert not off.enabled and off.step == sixteenth  # arrows still move by a 1/16
    assert off.snap(123.4) == 123 and off.min_length() == TPQ // 32
    assert Snap(8, triplet=True).step == TPQ // 3
