"""``composer-gui train --data-dir DIR --name NAME``: into the user's models folder, with a card;
clear refusals for bad names, clashes and folders without music; a killed run resumes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from train_helpers import drums_only, music_folder, unreadable

from composer_gui import cli
from composer_gui.ml import model_folder

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def user(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "user-models"
    monkeypatch.setenv("COMPOSER_GUI_MODELS", str(folder))
    monkeypatch.setenv("COMPOSER_GUI_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(model_folder, "bundled_models_dir", lambda: tmp_path / "bundled")
    return folder


def left_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


@pytest.mark.parametrize("name", ["a/b", "..\\x", ".hidden", "con", "", "x" * 65])
def test_a_bad_name_is_one_clear_message_and_nothing_is_written(user, tmp_path, capsys, name):
    music = music_folder(tmp_path / "music", count=1)
    code = cli.main(["train", "--data-dir", str(music), "--name", name])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and ("model name" in err or "needs a name" in err)
    assert left_in(user) == []


def test_a_clash_is_refused_unless_forced(user, tmp_path, capsys):
    (user / "taken").mkdir(parents=True)
    (user / "taken" / "config.json").write_text("{}")
    (tmp_path / "bundled" / "shipped").mkdir(parents=True)
    music = music_folder(tmp_path / "music", count=1)
    assert cli.main(["train", "--data-dir", str(music), "--name", "taken"]) == 1
    assert "already installed" in capsys.readouterr().err
    assert cli.main(["train", "--data-dir", str(music), "--name", "shipped", "--force"]) == 1
    assert "comes with the app" in capsys.readouterr().err
    assert left_in(user) == ["taken", "taken/config.json"]


def test_a_folder_without_music_is_refused_before_training(user, tmp_path, capsys):
    empty = tmp_path / "notes"
    empty.mkdir()
    (empty / "readme.txt").write_text("no music here")
    assert cli.main(["train", "--data-dir", str(empty), "--name", "x"]) == 1
    err = capsys.readouterr().err
    assert "no score files" in err and str(empty) in err
    assert left_in(user) == []


def test_check_lists_each_file_with_the_reason_and_warns_of_too_little_music(user, tmp_path,
                                                                            capsys):
    music = music_folder(tmp_path / "music", count=3)
    drums_only(music / "drums.mid")
    unreadable(music / "broken.mid")
    code = cli.main(["train", "--data-dir", str(music), "--check", "--progress-json"])
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    files = {e["path"]: e for e in events if e["event"] == "file"}
    assert files["drums.mid"]["reason"].startswith("only drums")
    assert "not a readable MIDI file" in files["broken.mid"]["reason"]
    assert all(files[f"tune{i:02d}.mid"]["pieces"] == 1 for i in range(3))
    verdict = next(e for e in events if e["event"] == "check")
    assert verdict["usable"] and not verdict["enough"]
    assert verdict["used"] == 3 and verdict["skipped"] == 2
    assert "notes" in verdict["message"] and "n-gram" in verdict["message"]
    assert [e["done"] for e in events if e["event"] == "parse"][-1] == 5


def test_check_of_a_folder_with_only_bad_files_says_so(user, tmp_path, capsys):
    bad = tmp_path / "bad"
    bad.mkdir()
    drums_only(bad / "drums.mid")
    unreadable(bad / "broken.mid")
    assert cli.main(["train", "--data-dir", str(bad), "--check"]) == 1
    out = capsys.readouterr().out
    assert "drums.mid: skipped: only drums" in out
    assert "None of the 2 file(s) holds music" in out


def test_an_unfinished_run_is_listed_apart_and_a_fresh_start_clears_it(user, capsys):
    run = user / ".training" / "half"
    run.mkdir(parents=True)
    (run / "log.csv").write_text("epoch\n")
    assert [m.name for m in model_folder.list_models()] == []
    assert cli.main(["models"]) == 0
    out = capsys.readouterr().out
    assert "unfinished training run without a checkpoint" in out and "half" in out
    from composer_gui.ml.user_training import clear_stale, plan

    with pytest.raises(model_folder.ModelError, match="no interrupted run"):
        plan("half", None, resume=True)
    p = plan("half", user)
    assert not p.resume
    clear_stale(p)
    assert not run.exists()


def _train(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "composer_gui", "train", *args,
                             "--progress-json", "--threads", "1"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


@pytest.mark.train
@pytest.mark.slow
def test_killed_run_is_skipped_by_models_then_resumes_and_installs_with_its_card(
        user, tmp_path):
    pytest.importorskip("tensorflow", reason="needs TensorFlow (the train extra)")
    music = music_folder(tmp_path / "music", count=6)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = _train(["--data-dir", str(music), "--name", "mine", "--preset", "tiny",
                   "--epochs", "3", "--seq-len", "64", "--batch-size", "8"], env)
    for line in proc.stdout:
        if json.loads(line)["event"] == "epoch":
            break
    os.kill(proc.pid, signal.SIGKILL)  # kill -9 in the middle of epoch 2
    proc.wait(30)
    models = subprocess.run([sys.executable, "-m", "composer_gui", "models"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert "skipped" in models.stdout and "unfinished training run" in models.stdout
    assert "resume: composer-gui train --name mine --resume" in models.stdout
    assert "mine" not in [m.name for m in model_folder.list_models()]

    proc = _train(["--name", "mine"], env)  # resumes: the run of this name has a checkpoint
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-2000:]
    events = [json.loads(line) for line in out.splitlines()]
    assert events[0] == {"event": "start", "name": "mine", "out": str(user / ".training" / "mine"),
                         "resume": True}
    model = next(e for e in events if e["event"] == "model")
    assert model["resumed"] and model["done"] >= 1 and len(model["history"]) == model["done"]
    done = events[-1]
    assert done["event"] == "done" and Path(done["folder"]) == user / "mine"
    assert (user / "mine" / "card.md").is_file()
    assert not (user / ".training").exists()
    info = {m.name: m for m in model_folder.list_models()}["mine"]
    assert "test perplexity" in info.summary or "not evaluated" in info.summary
    assert model_folder.resolve_model("mine") == user / "mine"
    with open(user / "mine" / "log.csv") as f:
        assert [row.split(",")[0] for row in f.read().split()[1:]] == ["1", "2", "3"]
