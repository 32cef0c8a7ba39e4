"""The command line against issue 14's reproducers: one clean line and an exit code, never a
traceback, and nothing half-made."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from composer_gui.cli import main
from composer_gui.music import save_score
from composer_gui.music.score import TPQ, Note, Part, Score

ROOT = Path(__file__).resolve().parents[1]


def short_score(path: Path) -> Path:
    save_score(Score(parts=(Part(tuple(Note(i * TPQ, 60 + i, TPQ) for i in range(8))),)), path)
    return path


def one_line_error(capsys, *words) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and "please report it" not in err, err
    for word in words:
        assert word in err, err
    return err


def test_render_end_bar_far_beyond_the_maximum(tmp_path, capsys):
    src = short_score(tmp_path / "s.mid")
    out = tmp_path / "o.wav"
    assert main(["render", str(src), str(out), "--end-bar", "99999999999999999999"]) == 1
    one_line_error(capsys, "--end-bar 99999999999999999999", "maximum score length")
    assert not out.exists()


@pytest.mark.parametrize(("option", "message"), [
    (["--from-bar", "999999999"], "lies after the end of the score"),
    (["--region", "1:999999999"], "maximum score length")])
def test_generate_bars_beyond_the_maximum(tmp_path, capsys, option, message):
    src = short_score(tmp_path / "s.mid")
    out = tmp_path / "o.mid"
    assert main(["generate", "--seed", str(src), *option, "-o", str(out)]) == 1
    one_line_error(capsys, message)
    assert not out.exists()


def test_convert_and_generate_refuse_a_far_away_note(tmp_path, capsys):
    """A 37-byte MIDI file whose second event lies 268 million quarter notes in."""
    track = b"\xff\xff\xff\x7f\x90\x3c\x40\x01\x80\x3c\x00\x00\xff\x2f\x00"
    far = tmp_path / "far.mid"
    far.write_bytes(b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x01MTrk"
                    + len(track).to_bytes(4, "big") + track)
    assert main(["convert", str(far), str(tmp_path / "o.musicxml")]) == 1
    one_line_error(capsys, str(far), "maximum score length")
    assert main(["generate", "--seed", str(far), "-o", str(tmp_path / "g.mid")]) == 1
    one_line_error(capsys, str(far), "maximum score length")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["far.mid"]


def test_train_checks_its_options_and_output_before_starting(tmp_path, capsys):
    base = ["train", "--corpus", "bach-chorales"]
    assert main([*base, "--out", str(tmp_path / "run"), "--epochs", "-1"]) == 2
    one_line_error(capsys, "--epochs must be at least 1, not -1")
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    assert main([*base, "--out", str(a_file / "run")]) == 2
    one_line_error(capsys, "cannot be made", "is not a folder")
    assert main([*base, "--out", str(a_file)]) == 2
    one_line_error(capsys, "is a file, not a folder")
    assert main([*base, "--out", str(tmp_path / "run"), "--learning-rate", "nan"]) == 2
    one_line_error(capsys, "--learning-rate nan")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]  # nothing half-made


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc (Linux)")
def test_train_out_where_nothing_can_be_written(tmp_path, capsys):
    assert main(["train", "--corpus", "bach-chorales", "--out", "/proc/composer-run"]) == 2
    one_line_error(capsys, "--out /proc/composer-run cannot be made", "not writable")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="read-only folders do not stop root")
def test_train_out_in_a_read_only_folder(tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        assert main(["train", "--corpus", "bach-chorales", "--out", str(ro / "run")]) == 2
    finally:
        ro.chmod(0o755)
    one_line_error(capsys, "not writable")
    assert not (ro / "run").exists()


def test_unknown_option_prints_usage_and_exits_2_without_a_display(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "xcb"  # would abort, were the window started
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    for args in (["--nope"], ["--nope", "tune.mid"], ["tune.mid", "--open-later"]):
        done = subprocess.run([sys.executable, "-m", "composer_gui", *args], env=env,
                              capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.startswith("usage: composer-gui"), done.stderr
        assert "unrecognized arguments: --" in done.stderr


def test_qt_options_still_reach_the_app(monkeypatch):
    import composer_gui.cli as cli

    seen = []
    monkeypatch.setattr(cli, "_start_gui", lambda argv: seen.append(argv) or 0)
    assert main(["-reverse", "tune.mid"]) == 0  # Qt's own single-dash options pass through
    assert seen == [["-reverse", "tune.mid"]]
