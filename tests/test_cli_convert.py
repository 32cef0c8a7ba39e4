"""`composer-gui convert INPUT OUTPUT`: the happy path, and bad input that fails in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from composer_gui.cli import main
from composer_gui.music import load_score, save_score
from composer_gui.music.score import KeySignature, Note, Part, Score, TempoChange, TimeSignature

RUNNING_AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
OLD = b"existing output: must survive a failed convert"

SCORE = Score(
    parts=(Part((Note(0, 60, 480), Note(480, 64, 480), Note(960, 67, 960), Note(1920, 72, 1440)),
                name="Melody"),
           Part((Note(0, 48, 1920), Note(1920, 43, 1440)), name="Bass", channel=1)),
    tempos=(TempoChange.from_bpm(0, 100),),
    time_signatures=(TimeSignature(0, 3, 4),),
    key_signatures=(KeySignature(0, 0),),
    title="Tune",
)


def convert(capsys, *args) -> tuple[int, str, str]:
    code = main(["convert", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_midi_to_musicxml_to_midi(tmp_path, capsys):
    src = tmp_path / "tune.mid"
    save_score(SCORE, src)
    code, out, err = convert(capsys, src, tmp_path / "tune.musicxml")
    assert (code, err) == (0, "")
    assert out == f"{tmp_path / 'tune.musicxml'}: 6 notes, 3 bars, 100 bpm, 3/4, C:major\n"
    code, out, err = convert(capsys, tmp_path / "tune.musicxml", tmp_path / "back.mid")
    assert (code, err) == (0, "")
    assert out.count("\n") == 1 and "6 notes, 3 bars, 100 bpm, 3/4" in out
    back = load_score(tmp_path / "back.mid")
    assert [[(n.start, n.pitch, n.duration) for n in p.notes] for p in back.parts] == [
        [(n.start, n.pitch, n.duration) for n in p.notes] for p in SCORE.parts]


@pytest.mark.parametrize("target", ["t.mxl", "t.xml", "t.composer.json", "t.midi"])
def test_every_writable_format(tmp_path, capsys, target):
    src = tmp_path / "tune.composer.json"
    save_score(SCORE, src)
    code, out, err = convert(capsys, src, tmp_path / target)
    assert code == 0 and err == "" and "6 notes" in out
    assert load_score(tmp_path / target).note_count == 6


def test_a_tune_of_an_abc_collection_by_number(tmp_path, capsys):
    """--tune N reads the Nth tune (from 1); a number past the last, or --tune on a file with
    one piece, is one line naming the file, and nothing is written."""
    book = tmp_path / "book.abc"
    book.write_text("X:1\nT:Reel\nM:4/4\nL:1/8\nK:G\nGABc d2B2|c2A2 G4|\n\n"
                    "X:2\nT:Jig\nM:6/8\nL:1/8\nK:D\nDFA dAF|G3 F3|E3 D3|\n")
    out = tmp_path / "jig.mid"
    code, stdout, _ = convert(capsys, str(book), str(out), "--tune", "2")
    assert code == 0 and "10 notes" in stdout and "6/8" in stdout
    assert load_score(out).note_count == 10
    for args, says in ((("--tune", "3"), "holds no tune 3"),
                       (("--tune", "2"), "only an ABC file has tunes")):
        src = book if "3" in args else out
        target = tmp_path / "not.mid"
        code, _, err = convert(capsys, str(src), str(target), *args)
        assert code == 1 and says in err and str(src) in err and not target.exists()


def test_repairs_are_reported_as_notes_but_succeed(tmp_path, capsys):
    import mido

    mid = mido.MidiFile(type=0)
    mid.tracks.append(mido.MidiTrack([mido.Message("note_on", note=60, velocity=80)]))
    mid.save(tmp_path / "hanging.mid")
    code, out, err = convert(capsys, tmp_path / "hanging.mid", tmp_path / "fixed.mid")
    assert code == 0 and "1 note, 1 bar," in out
    assert "never switched off" in err and "Traceback" not in err


def _bad_inputs(folder: Path) -> list[tuple[str, Path]]:
    good = folder / "good.mid"
    save_score(SCORE, good)
    data = good.read_bytes()
    files = {
        "empty.mid": b"",
        "truncated.mid": data[: len(data) // 2],
        "text.mid": b"just some text\n",
        "broken.musicxml": b"<?xml version='1.0'?><score-partwise><part-list>",
        "input.docx": b"whatever",
    }
    cases = []
    for name, content in files.items():
        (folder / name).write_bytes(content)
        cases.append((name, folder / name))
    (folder / "dir.mid").mkdir()
    cases += [("missing", folder / "missing.mid"), ("folder", folder / "dir.mid")]
    return cases


BAD_INPUT_NAMES = ["empty.mid", "truncated.mid", "text.mid", "broken.musicxml", "input.docx",
                   "missing", "folder"]


@pytest.mark.parametrize("name", BAD_INPUT_NAMES)
@pytest.mark.parametrize("out_suffix", [".mid", ".musicxml"])
def test_bad_input_fails_in_one_line_and_keeps_the_output(tmp_path, capsys, name, out_suffix):
    cases = dict(_bad_inputs(tmp_path))
    src = cases[name]
    dst = tmp_path / f"out{out_suffix}"
    dst.write_bytes(OLD)
    code, out, err = convert(capsys, src, dst)
    assert code != 0
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"composer-gui convert: {src}: ")
    assert "Traceback" not in err
    assert dst.read_bytes() == OLD
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


@pytest.mark.parametrize(
    ("target", "reason"),
    [("no/such/folder/out.mid", "does not exist"), ("no/such/folder/out.abc", "does not exist"),
     ("out.wav", "unknown file type"), ("a-folder.musicxml", "is a folder")],
)
def test_bad_output_fails_in_one_line(tmp_path, capsys, target, reason):
    src = tmp_path / "good.mid"
    save_score(SCORE, src)
    (tmp_path / "a-folder.musicxml").mkdir()
    code, out, err = convert(capsys, src, tmp_path / target)
    assert code != 0 and out == ""
    assert err.count("\n") == 1 and reason in err and str(tmp_path / target) in err


@pytest.mark.skipif(RUNNING_AS_ROOT, reason="running as root: file permissions do not stop root")
@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_output_without_write_permission(tmp_path, capsys):
    src = tmp_path / "good.mid"
    save_score(SCORE, src)
    locked = tmp_path / "locked"
    locked.mkdir()
    dst = locked / "out.mid"
    dst.write_bytes(OLD)
    os.chmod(locked, 0o555)
    try:
        code, _, err = convert(capsys, src, dst)
    finally:
        os.chmod(locked, 0o755)
    assert code != 0 and err.count("\n") == 1 and "permission" in err
    assert dst.read_bytes() == OLD


def test_python_dash_m_entry_point(tmp_path):
    """The real command line in a fresh interpreter: exit codes and streams as a shell sees them."""
    src = tmp_path / "in.mid"
    save_score(SCORE, src)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    ok = subprocess.run([sys.executable, "-m", "composer_gui", "convert", str(src),
                         str(tmp_path / "out.musicxml")], capture_output=True, text=True,
                        env=env, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip().endswith("6 notes, 3 bars, 100 bpm, 3/4, C:major")
    (tmp_path / "bad.mid").write_bytes(b"not midi")
    bad = subprocess.run([sys.executable, "-m", "composer_gui", "convert",
                          str(tmp_path / "bad.mid"), str(tmp_path / "x.mid")],
                         capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode != 0 and bad.stdout == ""
    assert len(bad.stderr.splitlines()) == 1 and "Traceback" not in bad.stderr
    assert not (tmp_path / "x.mid").exists()


def test_an_unexpected_error_is_still_one_line(tmp_path, capsys, monkeypatch):
    import composer_gui.cli.convert as convert_module

    def broken(*args, **kwargs):
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr(convert_module, "read_score", broken)
    (tmp_path / "out.mid").write_bytes(OLD)
    code, out, err = convert(capsys, tmp_path / "in.mid", tmp_path / "out.mid")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "RuntimeError: a bug over two lines" in err
    assert (tmp_path / "out.mid").read_bytes() == OLD


def test_help_lists_convert(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "convert" in capsys.readouterr().out
