"""``composer-gui generate`` and ``composer-gui models`` on a tiny random model."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from composer_gui.cli import main
from composer_gui.music import load_score, save_score
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score, TimeSignature


def sketch(ts=(4, 4)) -> Score:
    pitches = [67, 69, 71, 72, 74, 72, 71, 69, 67, 66, 67]
    notes = tuple(Note(i * TPQ, p, TPQ, 84) for i, p in enumerate(pitches))
    return Score(parts=(Part(notes, name="Flute"),), time_signatures=(TimeSignature(0, *ts),),
                 key_signatures=(KeySignature(0, 1),), title="Sketch")


@pytest.fixture(params=[".mid", ".musicxml"])
def seed_file(request, tmp_path) -> Path:
    path = tmp_path / f"seed{request.param}"
    save_score(sketch(), path)
    return path


def gen(*args) -> int:
    return main(["generate", *map(str, args)])


def test_generate_k_files_byte_identical_on_rerun(installed_tiny, seed_file, tmp_path, capsys):
    seed_notes = load_score(seed_file).notes
    outs = []
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        out = tmp_path / run / "out.mid"
        assert gen("--model", "tiny", "--seed", seed_file, "--bars", 2, "--variations", 3,
                   "--rng-seed", 42, "-o", out) == 0
        outs.append([tmp_path / run / f"out-{i}.mid" for i in (1, 2, 3)])
    assert not (tmp_path / "a" / "out.mid").exists()
    for a, b in zip(*outs, strict=True):
        assert a.read_bytes() == b.read_bytes()
    scores = [load_score(p) for p in outs[0]]
    for s in scores:
        assert s.notes[:len(seed_notes)] == seed_notes  # the seed comes first, unchanged
        assert s.note_count > len(seed_notes)
    assert len({tuple(s.notes) for s in scores}) == 3  # three different variations
    out = capsys.readouterr().out
    assert "tiny: 3 variation(s), key G:major" in out and "out-3.mid" in out


@pytest.mark.parametrize("suffix", [".musicxml", ".composer.json"])
def test_other_output_formats(installed_tiny, tmp_path, suffix):
    seed = tmp_path / "seed.mid"
    save_score(sketch(), seed)
    paths = []
    for run in ("a", "b"):
        out = tmp_path / f"{run}{suffix}"
        assert gen("--model", "tiny", "--seed", seed, "--bars", 2, "--variations", 2,
                   "--rng-seed", 5, "-o", out) == 0
        paths.append([tmp_path / f"{run}-{i}{suffix}" for i in (1, 2)])
    for a, b in zip(*paths, strict=True):
        assert load_score(a).notes == load_score(b).notes
        assert a.read_bytes() == b.read_bytes()  # MusicXML too: no random part ids


def test_generate_without_seed_and_with_options(installed_tiny, tmp_path):
    out = tmp_path / "new.mid"
    assert gen("--model", "tiny", "--bars", 3, "--rng-seed", 1, "--key", "D:major",
               "--temperature", 0.8, "--top-p", 0.9, "--top-k", 20, "--pitch-range", "50:80",
               "--max-polyphony", 2, "-o", out) == 0
    notes = load_score(out).notes
    scale = KeySignature.parse("D:major").scale_pcs()
    assert notes and all(n.pitch % 12 in scale and 50 <= n.pitch <= 80 for n in notes)
    assert all(n.start < 3 * 4 * TPQ for n in notes)


def test_region_and_from_bar(installed_tiny, tmp_path):
    seed = tmp_path / "seed.mid"
    save_score(sketch(), seed)  # 11 quarter notes: bars 1-3
    out = tmp_path / "region.mid"
    assert gen("--model", "tiny", "--seed", seed, "--region", "2:2", "--rng-seed", 3,
               "-o", out) == 0
    bar2 = (4 * TPQ, 8 * TPQ)
    before, after = load_score(seed).notes, load_score(out).notes
    outside = [n for n in before if not bar2[0] <= n.start < bar2[1]]
    assert [n for n in after if not bar2[0] <= n.start < bar2[1]] == outside
    assert all(n.end <= bar2[1] for n in after if bar2[0] <= n.start < bar2[1])

    out = tmp_path / "from.mid"
    assert gen("--model", "tiny", "--seed", seed, "--from-bar", 2, "--bars", 1,
               "--rng-seed", 3, "-o", out) == 0
    after = load_score(out).notes
    assert [n for n in after if n.start < bar2[0]] == [n for n in before if n.start < bar2[0]]
    assert all(n.start < bar2[1] for n in after)


@pytest.mark.parametrize("args, message", [
    (["--model", "no-such-model"], "no model named 'no-such-model'"),
    (["--bars", "0"], "bars must be"),
    (["--bars", "-3"], "bars must be"),
    (["--bars", "many"], "--bars must be a whole number"),
    (["--temperature", "0"], "temperature must be greater than 0"),
    (["--temperature", "-1"], "temperature must be greater than 0"),
    (["--top-p", "1.5"], "top-p must be in (0, 1]"),
    (["--top-p", "0"], "top-p must be in (0, 1]"),
    (["--variations", "99"], "variations must be from 1 to 16"),
    (["--key", "X:major"], "unknown key"),
    (["--region", "3:2"], "--region needs"),
    (["--seed", "MISSING.mid"], "MISSING.mid"),
    (["--seed", "BAD.mid"], "BAD.mid"),
    (["-o", "{tmp}/out.abc"], "cannot write"),
    (["-o", "{tmp}/out.txt"], "cannot write"),
])
def test_bad_inputs_one_line_exit_1_no_output(installed_tiny, tmp_path, capsys, args, message):
    (tmp_path / "BAD.mid").write_bytes(b"MThd garbage, not a MIDI file")
    args = [a.replace("{tmp}", str(tmp_path)).replace("BAD.mid", str(tmp_path / "BAD.mid"))
            .replace("MISSING.mid", str(tmp_path / "MISSING.mid")) for a in args]
    if "--model" not in args:
        args = ["--model", "tiny", *args]
    if "-o" not in args:
        args = [*args, "-o", str(tmp_path / "out.mid")]
    before = set(tmp_path.iterdir())
    assert gen(*args) == 1
    err = capsys.readouterr().err
    assert err.startswith("composer-gui generate: ") and err.count("\n") == 1, err
    assert message in err
    assert "Traceback" not in err
    assert set(tmp_path.iterdir()) == before


def test_model_folder_missing_a_file(installed_tiny, tmp_path, capsys):
    (installed_tiny / "tiny" / "model.onnx").unlink()
    assert gen("--model", "tiny", "-o", tmp_path / "out.mid") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "model.onnx is missing" in err
    assert not (tmp_path / "out.mid").exists()


def test_entry_point_error_has_no_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "composer_gui", "generate", "--model", str(tmp_path / "nope"),
         "--bars", "2", "-o", str(tmp_path / "x.mid")],
        capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "no such model folder" in proc.stderr


def test_models_lists_installed_with_summary(installed_tiny, capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "tiny  A tiny random model for tests." in out


def test_models_says_when_none_are_installed(installed_tiny, capsys):
    shutil.rmtree(installed_tiny / "tiny")
    assert main(["models"]) == 0
    assert "no models are installed" in capsys.readouterr().out
