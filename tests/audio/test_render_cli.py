"""`composer-gui render INPUT OUT.wav`: a WAV any player reads; bad input fails in one line."""

from __future__ import annotations

import wave

import numpy as np
import pytest
from audio_helpers import SR, fundamental

from composer_gui.cli import main
from composer_gui.music import save_score
from composer_gui.music.score import TPQ, Note, Part, Score, TempoChange, TimeSignature

SCORE = Score(
    parts=(Part(tuple(Note(i * TPQ, 60, TPQ) for i in range(12)), name="Piano"),
           Part((Note(0, 48, 12 * TPQ),), name="Strings", program=48, channel=1)),
    tempos=(TempoChange.from_bpm(0, 120),),
    time_signatures=(TimeSignature(0, 3, 4),),  # 4 bars of 3/4, 1.5 s each
)
OLD = b"an existing file that a failed render must not touch"


def render(capsys, *args):
    code = main(["render", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def read_wav(path):
    with wave.open(str(path), "rb") as w:
        params = w.getparams()
        frames = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, w.getnchannels())
    return params, frames


@pytest.fixture
def midi(tmp_path):
    path = tmp_path / "tune.mid"
    save_score(SCORE, path)
    return path


def test_writes_a_standard_wav(tmp_path, capsys, midi):
    out_path = tmp_path / "tune.wav"
    code, out, err = render(capsys, midi, out_path)
    assert (code, err) == (0, "")
    assert out == f"{out_path}: 7.0 s, 44100 Hz, 16-bit stereo\n"
    params, frames = read_wav(out_path)
    assert (params.nchannels, params.sampwidth, params.framerate, params.comptype) == (
        2, 2, SR, "NONE")
    assert params.nframes == 6 * SR + SR  # 6 s of music + the 1 s release tail
    assert out_path.read_bytes()[:4] == b"RIFF" and out_path.read_bytes()[8:12] == b"WAVE"
    assert 1000 < np.abs(frames).max() < 32767  # audible, not clipped
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tune.mid", "tune.wav"]  # no temp


def test_a_range_of_bars(tmp_path, capsys, midi):
    out_path = tmp_path / "bars.wav"
    code, _, err = render(capsys, midi, out_path, "--start-bar", "2", "--end-bar", "3")
    assert (code, err) == (0, "")
    params, frames = read_wav(out_path)
    assert params.nframes == 3 * SR + SR  # bars 2..3 of 3/4 at 120 bpm: 3 s, + tail
    assert fundamental(frames[SR // 10:SR // 2].mean(axis=1)) == pytest.approx(261.6, rel=0.01)


def test_other_sample_rate_and_soundfont_option(tmp_path, capsys, midi):
    from composer_gui.audio.soundfont import find_soundfont

    out_path = tmp_path / "low.wav"
    code, _, err = render(capsys, midi, out_path, "--sample-rate", "22050",
                          "--soundfont", find_soundfont())
    assert (code, err) == (0, "")
    assert read_wav(out_path)[0].framerate == 22050


@pytest.mark.parametrize("make_input, extra, message", [
    (lambda d: d / "missing.mid", [], "missing.mid: no such file"),
    (lambda d: _write(d / "junk.mid", b"not midi at all"), [], "junk.mid: "),
    (lambda d: _score_file(d, Score()), [], "it holds no notes"),
    (lambda d: _score_file(d, SCORE), ["--start-bar", "9"], "--start-bar 9 is past the end"),
    (lambda d: _score_file(d, SCORE), ["--start-bar", "3", "--end-bar", "2"], "is after"),
    (lambda d: _score_file(d, SCORE), ["--end-bar", "x"], "--end-bar must be a whole number"),
    (lambda d: _score_file(d, SCORE), ["--start-bar", "0"], "bars count from 1"),
    (lambda d: _score_file(d, SCORE), ["--soundfont", "nope.sf2"], "no such SoundFont file"),
    (lambda d: _score_file(d, SCORE), ["--sample-rate", "5"], "--sample-rate must be within"),
])
def test_bad_input_fails_in_one_line_and_writes_nothing(tmp_path, capsys, make_input, extra,
                                                        message):
    src = make_input(tmp_path)
    out_path = tmp_path / "out.wav"
    out_path.write_bytes(OLD)
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = render(capsys, src, out_path, *extra)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("composer-gui render: ") and message in err
    assert "Traceback" not in err
    assert out_path.read_bytes() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_refuses_a_non_wav_output_and_a_missing_folder(tmp_path, capsys, midi):
    code, _, err = render(capsys, midi, tmp_path / "tune.mp3")
    assert code == 1 and "must be a .wav file" in err
    code, _, err = render(capsys, midi, tmp_path / "no" / "such" / "tune.wav")
    assert code == 1 and err.count("\n") == 1 and "does not exist" in err


def test_listed_in_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "render" in capsys.readouterr().out


def _write(path, data):
    path.write_bytes(data)
    return path


def _score_file(folder, score):
    path = folder / "in.mid"
    save_score(score, path)
    return path
