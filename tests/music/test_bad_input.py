"""Bad input gets one clear error naming the file and the reason, and loses nothing."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from composer_gui.music import ScoreFileError, load_score, save_score
from composer_gui.music.formats import READABLE, WRITABLE, kind_of
from composer_gui.music.score import Note, Part, Score

RUNNING_AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
GOOD = Score(parts=(Part((Note(0, 60, 480), Note(480, 64, 480)), name="P"),), title="good")


def good_midi_bytes(folder: Path) -> bytes:
    save_score(GOOD, folder / "good.mid")
    return (folder / "good.mid").read_bytes()


def _empty_zip() -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "nothing here")
    return buf.getvalue()


# name -> (file name, its content from a good MIDI file's bytes (None: don't create it),
#          words the reason must contain)
CASES = {
    **{f"empty {s}": (f"empty{s}", lambda m: b"", "empty")
       for s in (".mid", ".musicxml", ".mxl", ".abc", ".composer.json")},
    "truncated midi": ("truncated.mid", lambda m: m[: len(m) // 2], "ends inside track"),
    "header only": ("header.mid", lambda m: m[:14], "holds 0 of the 2 tracks"),
    "text renamed .mid": ("notes.mid", lambda m: b"These are my notes, not MIDI.\n",
                          "not a MIDI file"),
    "text renamed .midi": ("notes.midi", lambda m: b"MThd? no.", "MIDI"),
    "broken xml": ("broken.musicxml", lambda m: b'<?xml version="1.0"?><score-partwise '
                   b'version="4.0"><part-list><score-part id="P1">',
                   "could not be read as MusicXML"),
    "html renamed .xml": ("page.xml", lambda m: b"<html><body>hello</body></html>",
                          "could not be read as MusicXML"),
    "not a zip .mxl": ("fake.mxl", lambda m: b"PK? no, just bytes", "zip"),
    "zip without a score": ("empty_zip.mxl", lambda m: _empty_zip(),
                            "could not be read as MusicXML"),
    "midi renamed .musicxml": ("midi.musicxml", lambda m: m, "could not be read as MusicXML"),
    "binary renamed .abc": ("binary.abc", lambda m: bytes(range(256)), ""),
    "broken project": ("broken.composer.json", lambda m: b'{"format": "composer-gui-project", ',
                       "not valid JSON"),
    "missing file": ("does-not-exist.mid", None, "no such file"),
    "missing folder": ("no/such/folder/x.musicxml", None, "no such file"),
    "a folder": ("a-folder.mid", "folder", "is a folder"),
    "unknown extension": ("song.docx", lambda m: b"whatever", "unknown file type"),
    "no extension": ("README", lambda m: b"whatever", "unknown file type"),
}


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("bad")
    midi = good_midi_bytes(folder)
    out = {}
    for name, (filename, content, reason) in CASES.items():
        path = folder / filename
        if content == "folder":
            path.mkdir()
        elif content is not None:
            path.write_bytes(content(midi))
        out[name] = (path, reason)
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_names_the_file_and_the_reason(cases, name):
    path, reason = cases[name]
    with pytest.raises(ScoreFileError) as info:
        load_score(path)
    err = info.value
    assert err.path == path
    message = str(err)
    assert message.startswith(f"{path}: ")
    assert reason.lower() in message.lower()
    assert "\n" not in message and "Traceback" not in message
    assert len(err.reason) > 5


def test_every_truncation_of_a_midi_file_fails_cleanly(tmp_path):
    data = good_midi_bytes(tmp_path)
    for n in (1, 4, 13, 14, 22, len(data) - 1):
        path = tmp_path / f"cut{n}.mid"
        path.write_bytes(data[:n])
        with pytest.raises(ScoreFileError):
            load_score(path)


# ----- writing -------------------------------------------------------------------------------
def test_saving_into_a_missing_folder(tmp_path):
    target = tmp_path / "nope" / "out.mid"
    with pytest.raises(ScoreFileError, match="does not exist") as info:
        save_score(GOOD, target)
    assert info.value.path == target
    assert not target.parent.exists()


@pytest.mark.parametrize("suffix", [".mid", ".musicxml", ".mxl", ".composer.json"])
def test_saving_over_a_folder(tmp_path, suffix):
    target = tmp_path / f"folder{suffix}"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(ScoreFileError, match="is a folder"):
        save_score(GOOD, target)
    assert (target / "keep.txt").read_text() == "mine"


def test_saving_with_an_unknown_extension(tmp_path):
    with pytest.raises(ScoreFileError, match="unknown file type"):
        save_score(GOOD, tmp_path / "song.docx")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(RUNNING_AS_ROOT, reason="running as root: file permissions do not stop root")
@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_saving_without_write_permission(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    existing = locked / "song.mid"
    existing.write_bytes(b"precious")
    os.chmod(locked, 0o555)
    try:
        for suffix in (".mid", ".musicxml", ".composer.json"):
            with pytest.raises(ScoreFileError, match="permission"):
                save_score(GOOD, locked / f"new{suffix}")
        with pytest.raises(ScoreFileError, match="permission"):
            save_score(GOOD, existing)
        assert existing.read_bytes() == b"precious"
        assert sorted(p.name for p in locked.iterdir()) == ["song.mid"]
    finally:
        os.chmod(locked, 0o755)


@pytest.mark.skipif(RUNNING_AS_ROOT, reason="running as root: file permissions do not stop root")
@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_read_only_file_and_unreadable_file(tmp_path):
    read_only = tmp_path / "ro.mid"
    read_only.write_bytes(b"precious")
    os.chmod(read_only, 0o444)
    with pytest.raises(ScoreFileError, match="read-only"):
        save_score(GOOD, read_only)
    assert read_only.read_bytes() == b"precious"
    unreadable = tmp_path / "secret.mid"
    save_score(GOOD, unreadable)
    os.chmod(unreadable, 0)
    try:
        with pytest.raises(ScoreFileError, match="permission"):
            load_score(unreadable)
    finally:
        os.chmod(unreadable, 0o644)


@pytest.mark.parametrize("suffix", [".mid", ".musicxml", ".mxl", ".composer.json"])
def test_a_failed_save_never_touches_the_existing_file(tmp_path, suffix, monkeypatch):
    """Whatever goes wrong inside a writer, the old file stays byte for byte."""
    target = tmp_path / f"song{suffix}"
    target.write_bytes(b"old bytes")
    import mido
    import music21

    def boom(*args, **kwargs):
        raise RuntimeError("writer exploded")

    monkeypatch.setattr(mido.MidiFile, "save", boom)
    monkeypatch.setattr(music21.stream.Score, "write", boom)
    monkeypatch.setattr(Path, "write_text", boom)
    monkeypatch.setattr(Path, "write_bytes", boom)  # MusicXML is written by our own writer
    monkeypatch.setattr(zipfile.ZipFile, "writestr", boom)
    with pytest.raises(ScoreFileError, match="writer exploded") as info:
        save_score(GOOD, target)
    assert info.value.path == target
    assert target.read_bytes() == b"old bytes"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_extension_tables():
    assert kind_of("a.MID") == kind_of("b.midi") == "midi"
    assert kind_of("x.composer.json") == "project"
    assert kind_of("x.json") == ""
    assert {kind_of(f"f{s}") for s in READABLE} == {"project", "midi", "musicxml", "abc"}
    assert {kind_of(f"f{s}") for s in WRITABLE} == {"project", "midi", "musicxml", "abc"}


@pytest.mark.parametrize("suffix", [".mid", ".musicxml", ".composer.json"])
def test_no_permission_is_reported_even_when_running_as_root(tmp_path, suffix, monkeypatch):
    """The permission paths, simulated, so that they are checked whoever runs the tests."""
    import composer_gui.music.atomic as atomic

    target = tmp_path / f"song{suffix}"
    target.write_bytes(b"precious")
    real_open, real_access = os.open, os.access

    def no_new_files(path, flags, *args, **kwargs):
        if flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(atomic.os, "open", no_new_files)
    with pytest.raises(ScoreFileError, match="no permission to write in this folder") as info:
        save_score(GOOD, target)
    assert info.value.path == target
    monkeypatch.setattr(atomic.os, "open", real_open)

    def read_only(path, mode, *args, **kwargs):
        return False if Path(path) == target and mode == os.W_OK else real_access(path, mode)

    monkeypatch.setattr(atomic.os, "access", read_only)
    with pytest.raises(ScoreFileError, match="is read-only"):
        save_score(GOOD, target)
    assert target.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
