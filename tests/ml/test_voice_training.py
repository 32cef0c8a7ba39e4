"""Training a voice-grid model: fermatas from the chorales, copies dropped before the split, and
a model folder the app loads (needs TensorFlow: the 'train' extra)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from composer_gui.ml.corpora import Piece, dedupe
from composer_gui.ml.voices import VoiceVocabulary


def piece(pid: str, pitches: list[int], vocab: VoiceVocabulary, tail: int = 0) -> Piece:
    toks = [1, vocab.mode_id("major"), vocab.ts_id("4/4")]
    for p in pitches:
        toks += [vocab.pos_offset, vocab.pitch_id(p)]
    toks += [4] * tail  # HOLD tokens: the same notes, held longer
    return Piece(pid, np.asarray(toks, np.int16))


def test_dedupe_drops_identical_pieces_and_near_copies():
    vocab = VoiceVocabulary(voices=("Melody",))
    tune = [60 + (i * 5) % 12 for i in range(60)]
    other = [62 + (i * 7) % 12 for i in range(60)]
    pieces = [piece("b", tune, vocab), piece("a", tune, vocab), piece("c", other, vocab),
              piece("d", tune, vocab, tail=3), piece("e", tune[:10], vocab),
              # the same tune filed under another name of its signature (K:Bb and K:Fmix):
              # the voice grid normalizes the two a fifth apart
              piece("f", [p + 7 for p in tune], vocab),
              piece("g", [p - 5 for p in tune[:30]] + [p + 2 for p in tune[30:]], vocab)]
    kept, dropped = dedupe(pieces, vocab)
    assert [p.id for p in kept] == ["a", "c", "e", "g"]
    assert dropped == [{"id": "b", "copy_of": "a", "how": "identical"},
                       {"id": "d", "copy_of": "a", "how": "same opening and ending"},
                       {"id": "f", "copy_of": "a", "how": "identical"}]


@pytest.fixture(scope="module")
def voice_model(tmp_path_factory):
    pytest.importorskip("tensorflow", reason="needs TensorFlow (pip install -e '.[train]')")
    from composer_gui.ml.train import TrainConfig, train

    root = tmp_path_factory.mktemp("voices")
    mp = pytest.MonkeyPatch()
    mp.setenv("COMPOSER_GUI_CACHE", str(root / "cache"))
    cfg = TrainConfig(out=str(root / "model"), corpus="bach-chorales", limit=6,
                      representation="voice-grid", dedupe=True,
                      model={"embedding": 16, "hidden": 32, "layers": 1, "dropout": 0.0},
                      epochs=1, batch_size=8, seq_len=64, learning_rate=1e-2, threads=2)
    train(cfg, progress=False)
    yield root / "model"
    mp.undo()


@pytest.mark.train
def test_a_voice_grid_model_trains_and_loads(voice_model):
    from composer_gui.ml.model_folder import load_model, representation

    config = json.loads((voice_model / "config.json").read_text())
    assert config["vocabulary"]["kind"] == "voice-grid"
    assert config["vocabulary"]["voices"] == ["Soprano", "Alto", "Tenor", "Bass"]
    assert config["training"]["representation"] == "voice-grid"
    with open(voice_model / "log.csv") as f:
        val_loss = float(f.read().splitlines()[1].split(",")[3])
    vocab = VoiceVocabulary()
    assert val_loss < math.log(vocab.size) - 0.5  # learned something in one epoch
    assert "dropped" in json.loads((voice_model / "split.json").read_text())
    loaded = load_model(voice_model)
    assert representation(loaded.vocab) == "voice-grid" and loaded.vocab == vocab


def test_chorale_fermatas_become_phrase_marks():
    pytest.importorskip("music21")
    from composer_gui.ml.corpora import convert_source, music21_corpus_root

    vocab = VoiceVocabulary()
    root = music21_corpus_root()
    result = convert_source((str(root / "bach" / "bwv66.6.mxl"), "chorale", str(root),
                             vocab.to_dict()))
    assert result["error"] is None
    (_pid, tokens), = result["pieces"]
    names = [vocab.name(t) for t in tokens]
    marks = [n for n in names if n.startswith("POS") and n.endswith("_F")]
    assert len(marks) == 6  # BWV 66.6 has six phrases, each ending under a fermata
