"""The project file: exact round trips, readable JSON, atomic saves, versions."""

from __future__ import annotations

import json
import os
import re
import stat

import pytest
from hypothesis import HealthCheck, given, settings
from music_strategies import midi_scores

from composer_gui.music import project as project_module
from composer_gui.music.atomic import atomic_write
from composer_gui.music.errors import ScoreFileError
from composer_gui.music.project import (
    FORMAT,
    SUFFIX,
    VERSION,
    read_project,
    score_from_dict,
    score_to_dict,
    write_project,
)
from composer_gui.music.score import KeySignature, Note, Part, Score


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("project")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(midi_scores())
def test_round_trip_is_exact(folder, score):
    path = folder / f"song{SUFFIX}"
    write_project(score, path)
    assert read_project(path) == score
    assert score_from_dict(score_to_dict(score)) == score


def test_round_trip_keeps_what_midi_cannot(folder):
    """Zero-length notes, overlapping notes of one pitch, empty parts, unicode: all kept."""
    score = Score(parts=(Part((Note(0, 60, 0), Note(0, 60, 960), Note(240, 60, 120)),
                              name="Stimme ♯1"),
                         Part(name="", program=5, channel=3)), title="Ünïcode")
    write_project(score, folder / f"odd{SUFFIX}")
    assert read_project(folder / f"odd{SUFFIX}") == score


def test_a_stated_mode_is_saved_and_older_files_read_it_as_unstated(folder):
    """KeySignature.mode_stated is no part of equality, so the round trip checks it by name."""
    score = Score(key_signatures=(KeySignature(0, 2, mode_stated=True), KeySignature(960, -1)))
    write_project(score, folder / f"stated{SUFFIX}")
    keys = read_project(folder / f"stated{SUFFIX}").key_signatures
    assert [(k.sharps, k.mode_stated) for k in keys] == [(2, True), (-1, False)]
    data = score_to_dict(score)
    assert data["key_signatures"] == [[0, 2, "major", True], [960, -1, "major"]]
    data["key_signatures"] = [[0, 2, "major"]]  # a file of an earlier version
    assert score_from_dict(data).key_signatures[0].mode_stated is False


def test_mute_and_solo_are_saved_and_files_without_them_still_read(folder):
    score = Score(parts=(Part((Note(0, 60, 480),), name="A", muted=True),
                         Part(name="B", solo=True), Part(name="C")))
    write_project(score, folder / f"mix{SUFFIX}")
    assert read_project(folder / f"mix{SUFFIX}") == score
    parts = score_to_dict(score)["parts"]
    assert [("muted" in p, "solo" in p) for p in parts] == [(True, False), (False, True),
                                                             (False, False)]
    assert score_from_dict(score_to_dict(Score())).parts[0].muted is False


def test_file_is_readable_json_with_one_note_per_line(folder):
    score = Score(parts=(Part((Note(0, 60, 480, 90), Note(480, 62, 480, 91)), name="Oboe"),),
                  title="Lied")
    path = folder / f"readable{SUFFIX}"
    write_project(score, path)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert (data["format"], data["version"], data["ticks_per_quarter"]) == (FORMAT, VERSION, 480)
    assert data["parts"][0]["notes"] == [[0, 60, 480, 90], [480, 62, 480, 91]]
    lines = text.splitlines()
    assert any(line.strip() == "[0,60,480,90]," for line in lines)
    assert any(line.strip() == "[480,62,480,91]" for line in lines)
    assert '"title": "Lied"' in text
    assert len(lines) < 40


def test_other_resolutions_are_rescaled():
    data = score_to_dict(Score())
    data["ticks_per_quarter"] = 960
    data["parts"][0]["notes"] = [[960, 60, 480, 80], [1, 61, 3, 80]]
    score = score_from_dict(data)
    assert score.parts[0].notes == (Note(1, 61, 2, 80), Note(480, 60, 240, 80))


# ----- atomic save ---------------------------------------------------------------------------
def test_a_crash_mid_save_keeps_the_old_file_and_leaves_no_temporary(folder, monkeypatch):
    path = folder / f"precious{SUFFIX}"
    old = Score(parts=(Part((Note(0, 60, 480),), name="old"),))
    write_project(old, path)
    before = path.read_bytes()

    def crash_half_way(score):
        text = project_module.dumps(score)

        def writer(tmp):
            tmp.write_text(text[: len(text) // 2], encoding="utf-8")
            raise RuntimeError("power cut")

        return writer

    new = Score(parts=(Part(tuple(Note(i * 10, 60, 10) for i in range(500)), name="new"),))
    monkeypatch.setattr(project_module, "atomic_write",
                        lambda p, _w: atomic_write(p, crash_half_way(new)))
    with pytest.raises(ScoreFileError, match="power cut"):
        write_project(new, path)
    assert path.read_bytes() == before
    assert read_project(path) == old
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("error", [KeyboardInterrupt, OSError(28, "No space left on device")])
def test_interrupts_and_full_disks_leave_no_trace(folder, error):
    path = folder / "target.txt"
    path.write_bytes(b"old contents")

    def writer(tmp):
        tmp.write_bytes(b"new, partial")
        raise error

    expected = KeyboardInterrupt if error is KeyboardInterrupt else ScoreFileError
    with pytest.raises(expected) as info:
        atomic_write(path, writer)
    if expected is ScoreFileError:
        assert "No space left" in str(info.value)
    assert path.read_bytes() == b"old contents"
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".target")) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_save_keeps_the_permissions_of_the_file_it_replaces(folder):
    path = folder / f"shared{SUFFIX}"
    write_project(Score(), path)
    os.chmod(path, 0o640)
    write_project(Score(title="again"), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    fresh = folder / f"fresh{SUFFIX}"
    write_project(Score(), fresh)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask  # not mkstemp's private 0600


# ----- versions and damaged files ----------------------------------------------------------
def test_a_newer_version_is_refused_with_a_clear_message(folder):
    data = score_to_dict(Score())
    data["version"] = VERSION + 1
    path = folder / f"future{SUFFIX}"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ScoreFileError) as info:
        read_project(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert "newer Composer" in message and f"format {VERSION + 1}" in message
    assert "update" in message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{", "not valid JSON"),
        ("[1, 2]", "not a Composer project"),
        ('{"format": "something-else"}', "not a Composer project"),
        (json.dumps({"format": FORMAT, "version": "1"}), "version"),
        (json.dumps({"format": FORMAT, "version": 1, "parts": [{"notes": [[0, 60, 480]]}]}),
         "a note must be"),
        (json.dumps({"format": FORMAT, "version": 1, "parts": [{"notes": [[0, 200, 1, 80]]}]}),
         "pitch 200"),
        (json.dumps({"format": FORMAT, "version": 1, "parts": [{"notes": [[0.5, 60, 1, 80]]}]}),
         "whole number"),
        (json.dumps({"format": FORMAT, "version": 1, "parts": ["oops"]}), "part must be"),
        (json.dumps({"format": FORMAT, "version": 1, "ticks_per_quarter": 0}), "positive"),
        (json.dumps({"format": FORMAT, "version": 1, "tempos": [[0]]}), "not a valid project"),
    ],
)
def test_damaged_projects_give_a_reason(folder, text, reason):
    path = folder / f"damaged{SUFFIX}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScoreFileError, match=re.escape(reason)):
        read_project(path)


def test_binary_garbage_is_not_a_project(folder):
    path = folder / f"binary{SUFFIX}"
    path.write_bytes(b"\xff\xfe\x00garbage\x80")
    with pytest.raises(ScoreFileError, match=r"not a text file|not valid JSON"):
        read_project(path)


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_saving_through_a_symbolic_link_keeps_the_link(folder):
    real = folder / f"real{SUFFIX}"
    write_project(Score(), real)
    link = folder / f"link{SUFFIX}"
    link.symlink_to(real)
    write_project(Score(title="via link"), link)
    assert link.is_symlink()
    assert read_project(real).title == "via link"


def test_notation_details_are_saved(folder):
    """Spellings, clefs, abbreviations, the pickup and fermatas survive a save (format 2)."""
    from composer_gui.music.score import TimeSignature

    score = Score(parts=(Part((Note(0, 65, 480, 80, "E#"), Note(480, 63, 480, 80, "D#"),
                               Note(960, 60, 480)), name="Tenor", abbreviation="T.",
                              clef="treble-8vb"),),
                  time_signatures=(TimeSignature(0, 4, 4),), pickup=480, fermatas=(960, 480))
    path = folder / f"spelled{SUFFIX}"
    write_project(score, path)
    back = read_project(path)
    assert [n.spelling for n in back.parts[0].notes] == ["E#", "D#", None]
    assert (back.parts[0].clef, back.parts[0].abbreviation) == ("treble-8vb", "T.")
    assert (back.pickup, back.fermatas) == (480, (480, 960))
    assert '[0,65,480,80,"E#"]' in path.read_text(encoding="utf-8")


def test_a_version_1_project_still_loads():
    data = {"format": FORMAT, "version": 1, "ticks_per_quarter": 480, "title": "Old",
            "tempos": [[0, 500000]], "time_signatures": [[0, 3, 4]], "key_signatures": [],
            "parts": [{"name": "P", "program": 0, "channel": 0, "is_drum": False,
                       "notes": [[0, 60, 480, 80]]}]}
    score = score_from_dict(data)
    assert score.parts[0].notes == (Note(0, 60, 480, 80),)
    assert score.parts[0].notes[0].spelling is None and score.pickup == 0


def test_a_spelling_that_no_longer_names_the_pitch_is_dropped():
    from dataclasses import replace

    n = Note(0, 66, 480, 80, "Gb")
    assert replace(n, pitch=78).spelling == "Gb"  # an octave up: still G flat
    assert replace(n, pitch=67).spelling is None  # a semitone up: export spells it again
    with pytest.raises(ValueError, match="spelling"):
        Note(0, 60, 480, 80, "H")
