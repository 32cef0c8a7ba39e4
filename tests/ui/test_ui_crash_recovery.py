"""The crash flow end to end: the real app in a child process is killed after an autosave, and
the next launch offers the work back ("Recover Unsaved Work") and recovers the same notes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QSettings

from composer_gui.ui.autosave import claim_orphans

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("crash_driver.py")


def configure(tmp_path: Path) -> tuple[Path, Path, dict]:
    """A settings folder whose Composer.ini autosaves after 1 s into tmp_path/autosave."""
    settings_dir, folder = tmp_path / "settings", tmp_path / "autosave"
    q = QSettings(str(settings_dir / "Composer" / "Composer.ini"), QSettings.Format.IniFormat)
    q.setValue("autosave/folder", str(folder))
    q.setValue("autosave/intervalSeconds", 1)
    q.sync()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "COMPOSER_GUI_NO_AUDIO": "1",
           "PYTHONPATH": str(ROOT), "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    return settings_dir, folder, env


def read_until(proc: subprocess.Popen, word: str, timeout: float = 60) -> str:
    """The rest of the first line starting with ``word``; the app is killed if none comes."""
    watchdog = threading.Timer(timeout, proc.kill)  # a silent, hung app can't block readline
    watchdog.start()
    try:
        for line in proc.stdout:
            if line.startswith(word + " "):
                return line[len(word) + 1:].strip()
    finally:
        watchdog.cancel()
    proc.kill()
    raise AssertionError(f"no {word!r} from the app (its stderr is in the test's tmp_path)")


def test_edit_autosave_kill_relaunch_recover_gives_the_same_notes(tmp_path):
    settings_dir, folder, env = configure(tmp_path)
    errors = (tmp_path / "stderr.txt").open("w")  # a file, so a chatty app never fills a pipe
    app = subprocess.Popen([sys.executable, str(DRIVER), "edit", str(settings_dir)], cwd=ROOT,
                           env=env, stdout=subprocess.PIPE, stderr=errors, text=True)
    try:
        edited = json.loads(read_until(app, "EDITED"))
        autosaved = json.loads(read_until(app, "AUTOSAVED"))
        assert len(edited) == 2 and autosaved == edited
        # while that app runs, its autosave is its own: nobody else may claim it
        assert claim_orphans(folder) == []
    finally:
        app.send_signal(signal.SIGKILL)  # the crash: no clean-up runs
        app.communicate(timeout=30)
        errors.close()
    assert app.returncode == -signal.SIGKILL
    assert sorted(p.suffix for p in folder.iterdir()) == [".json", ".lock", ".meta"]

    again = subprocess.run([sys.executable, str(DRIVER), "recover", str(settings_dir)],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    out = {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in again.stdout.splitlines()
           if " " in line}
    assert out["FOUND"] == "1"
    assert out["DIALOG"] == 'Recover Unsaved Work ["Untitled"]'
    recovered = json.loads(out["RECOVERED"])
    assert recovered["notes"] == edited
    assert recovered["modified"] and recovered["title"].startswith("Untitled*")
    # the recovered window then quit cleanly (discarding): the autosave went, and so did its lock
    assert list(folder.iterdir()) == []
    assert "Traceback" not in again.stderr and "RuntimeError" not in again.stderr, again.stderr


def test_quitting_after_discarding_edits_exits_cleanly(tmp_path):
    """No "RuntimeError: Signal source has been deleted" (the undo stack's last signal reached a
    deleted document) and no traceback of any kind at exit; nothing left to recover."""
    settings_dir, folder, env = configure(tmp_path)
    out = subprocess.run([sys.executable, str(DRIVER), "quit", str(settings_dir)], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "EDITED [[0, 60, 480, 80]]" in out.stdout
    assert "Traceback" not in out.stderr and "RuntimeError" not in out.stderr, out.stderr
    assert not folder.exists() or list(folder.iterdir()) == []
