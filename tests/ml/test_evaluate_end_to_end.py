"""``composer-gui evaluate`` end to end on tiny random models (REMI and voice grid) over six
real chorales (three train, three test): every row reaches the JSON and the card."""

from __future__ import annotations

import json
import shutil

import pytest

from composer_gui import cli
from composer_gui.ml.musical_eval import ROWS

LIMIT = 6  # chorale files parsed (a few seconds, cached under the test's own cache folder)


def _with_split(folder, vocab, cache, monkeypatch):
    """Give a random model folder a split of the first chorales and the limit that finds them."""
    from composer_gui.ml.corpora import load_pieces

    monkeypatch.setenv("COMPOSER_GUI_CACHE", str(cache))
    pieces = load_pieces("bach-chorales", vocab=vocab, limit=LIMIT, progress=False,
                         log=lambda msg: None)
    ids = [p.id for p in pieces]
    split = {"seed": 0, "source": {"corpus": "bach-chorales"}, "train": ids[:3], "val": [],
             "test": ids[3:]}
    (folder / "split.json").write_text(json.dumps(split), encoding="utf-8")
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config["training"]["limit"] = LIMIT
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


@pytest.mark.train
def test_evaluate_a_tiny_remi_model(tiny_model, tmp_path, monkeypatch, capsys):
    from composer_gui.ml.tokens import Vocabulary

    folder = shutil.copytree(tiny_model, tmp_path / "tiny")
    _with_split(folder, Vocabulary(), tmp_path / "cache", monkeypatch)
    code = cli.main(["evaluate", "--model", str(folder), "--quiet", "--max-pieces", "2",
                     "--variations", "2", "--write-card"])
    out = capsys.readouterr().out
    assert code == 0
    result = json.loads(out)
    assert result["representation"] == "remi"
    assert result["model_metrics"]["bits_per_note"] > 0
    assert result["baselines"]["best_ngram"]["bits_per_note"] > 0
    music = result["music"]
    assert music["texture"] == "chorale" and list(music["rows"]) == [n for n, _ in ROWS]
    assert music["rows"]["in_key"]["model"] is not None  # the REMI sampler ran
    assert music["rows"]["infill_seam"]["model"] is not None
    assert music["rows"]["beat_chords"]["real"] > 0.5
    assert set(music["model_not_run"]) == {"cadence", "harmonization"}  # not in this sampler
    card = (folder / "card.md").read_text(encoding="utf-8")
    assert "| measure | model | real | repeat 2 bars | random in-key | target |" in card
    for _, label in ROWS:
        assert label in card
    assert json.loads((folder / "card.json").read_text())["evaluation"]["music"]["rows"]


@pytest.mark.train
def test_evaluate_a_tiny_voice_grid_model(tmp_path, monkeypatch):
    pytest.importorskip("tensorflow", reason="building a test model needs TensorFlow")
    from composer_gui.ml.evaluate import evaluate, write_card
    from composer_gui.ml.export import write_random_model_folder
    from composer_gui.ml.musical_eval import random_in_key, repeat_last_bars
    from composer_gui.ml.voices import VoiceVocabulary

    vocab = VoiceVocabulary()
    folder = write_random_model_folder(tmp_path / "tiny-voices", {
        "embedding": 16, "hidden": 32, "layers": 2, "dropout": 0.0}, vocab=vocab,
        name="tiny-voices")
    _with_split(folder, vocab, tmp_path / "cache", monkeypatch)

    # The voice sampler runs the (random) model through every row; the real column is measured.
    result = evaluate(folder, max_pieces=2, variations=1)
    rows = result["music"]["rows"]
    assert result["representation"] == "voice-grid"
    assert result["model_metrics"]["bits_per_note"] > 0
    assert rows["voice_crossings"]["real"] is not None  # the voice grid keeps the voices apart
    assert rows["harmonized_beat_chords"]["real"] > 0.5
    assert rows["harmonized_beat_chords"]["model"] is not None
    assert rows["ends_on_tonic_cadence"]["model"] is not None
    assert not result["music"].get("model_not_run")

    # A stand-in sampler fills the model column through the same paths (what it is asked for
    # and what it answers: scores in the input's parts, three new parts when harmonizing).
    import numpy as np

    asked = []

    def stand_in(score, request):
        asked.append(request)
        if request.get("harmonize"):
            assert len(score.parts) == 1
            from composer_gui.ml.musical_eval import random_harmony
            return [random_harmony(score, None, np.random.default_rng(0))]
        start = request["start_tick"]
        end = request.get("end_tick") or start + request["bars"] * score.time_signature.bar_ticks
        if request.get("end") == "cadence":
            return [random_in_key(score, start, end, None, np.random.default_rng(0))]
        return [repeat_last_bars(score, start, end, after=score)] * request["variations"]

    result = evaluate(folder, max_pieces=2, variations=2, generate=stand_in)
    rows = result["music"]["rows"]
    assert {r.get("end") for r in asked} >= {"free", "cadence"}
    assert any(r.get("harmonize") for r in asked) and any(r.get("end_tick") for r in asked)
    assert all("start_tick" not in r for r in asked if r.get("harmonize"))
    assert all(r["key"] is None and r["top_p"] == 0.95 for r in asked)
    assert rows["bars_restated"]["model"] == pytest.approx(rows["bars_restated"]["repeat_2_bars"])
    assert rows["ends_on_tonic_cadence"]["model"] is not None
    assert rows["harmonized_voice_crossings"]["model"] is not None
    assert result["music"]["model_not_run"] == {}
    _, md = write_card(folder, result)
    assert "voice-grid" in md.read_text(encoding="utf-8")
