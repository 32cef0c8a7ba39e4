"""``composer-gui train`` without TensorFlow says how to install it; clear CLI errors."""

from __future__ import annotations

import sys

from composer_gui import cli


def test_train_without_tensorflow_prints_the_install_hint(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # makes `import tensorflow` fail
    code = cli.main(["train", "--corpus", "bach-chorales", "--out", str(tmp_path / "m")])
    err = capsys.readouterr().err
    assert code == 1
    assert 'pip install -e ".[train]"' in err
    assert not (tmp_path / "m").exists()


def test_train_and_evaluate_are_listed(capsys):
    parser = cli.build_parser()
    text = parser.format_help()
    assert "train" in text and "evaluate" in text


def test_evaluate_unknown_model_is_a_clear_error(capsys, tmp_path):
    code = cli.main(["evaluate", "--model", str(tmp_path / "nothing-here"), "--quiet"])
    assert code == 1
    assert "nothing-here" in capsys.readouterr().err


def test_resume_without_checkpoint_is_refused(capsys, tmp_path):
    code = cli.main(["train", "--out", str(tmp_path / "m"), "--resume"])
    assert code in (1, 2)
