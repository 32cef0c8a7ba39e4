"""Temporary files a killed save leaves behind are recognised as ours and removed once stale."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from composer_gui.music import atomic
from composer_gui.music.atomic import remove_stale_temporaries, temporary_target
from composer_gui.music.formats import load_score

ROOT = Path(__file__).resolve().parents[2]


def test_the_names_atomic_write_makes_are_recognised(tmp_path):
    target = tmp_path / "my song.v2.composer.json"
    tmp = atomic._create_temporary(target, target)  # the name a real save uses
    assert temporary_target(tmp.name) == target.name
    assert temporary_target(tmp.name + ".mxl") == target.name  # music21's file beside it
    for other in ("my song.composer.json", ".my song.composer.json.tmp", ".x.mid.0123abc.tmp",
                  ".x.mid.0123ABCD.tmp", "x.mid.0123abcd.tmp", ".x.mid.0123abcd.tmp.txt"):
        assert temporary_target(other) is None, other


def test_only_stale_ones_and_only_accepted_targets_are_removed(tmp_path):
    old, young, foreign = (tmp_path / ".a.mid.0123abcd.tmp", tmp_path / ".a.mid.89abcdef.tmp",
                           tmp_path / ".b.txt.0123abcd.tmp")
    for path in (old, young, foreign):
        path.write_text("x")
    then = time.time() - 3600
    os.utime(old, (then, then))
    os.utime(foreign, (then, then))
    assert remove_stale_temporaries(tmp_path, lambda name: name.endswith(".mid")) == [old]
    assert young.exists() and foreign.exists()
    assert remove_stale_temporaries(tmp_path / "gone") == []


SAVER = """
import sys
from composer_gui.music.midi import write_midi
from composer_gui.music.score import TPQ, Note, Part, Score
score = Score(parts=(Part(tuple(Note(i * TPQ, 40 + i % 40, TPQ) for i in range(20000))),))
print("ready", flush=True)
while True:
    write_midi(score, sys.argv[1])  # about a third of each write has the temporary file open
"""


def test_a_save_killed_midway_leaves_the_file_whole_and_its_leftover_is_cleaned(tmp_path):
    """kill -9 while saving in a loop (the issue's reproducer): the file is whole, and whatever
    temporary file the kill left is removed by the clean-up."""
    from composer_gui.music.midi import write_midi
    from composer_gui.music.score import Score

    target = tmp_path / "big.mid"
    write_midi(Score(), target)  # the old file: a kill leaves it or the new one
    left_one = False
    for attempt in range(12):
        saver = subprocess.Popen([sys.executable, "-c", SAVER, str(target)], cwd=ROOT,
                                 stdout=subprocess.PIPE, text=True)
        assert saver.stdout.readline().strip() == "ready"
        time.sleep(0.5 + 0.07 * attempt)  # land at different points of a write
        saver.send_signal(signal.SIGKILL)
        saver.wait(10)
        leftovers = [p for p in tmp_path.iterdir() if temporary_target(p.name)]
        assert load_score(target).note_count in (0, 20000)
        if leftovers:
            left_one = True
            assert sorted(remove_stale_temporaries(tmp_path, older_than=0)) == sorted(leftovers)
            assert [p.name for p in tmp_path.iterdir()] == [target.name]
            break
    if not left_one:
        pytest.skip("no kill landed mid-write in 12 tries")
