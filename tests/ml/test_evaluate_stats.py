"""Continuation statistics, checked on real-vs-real data (identical -> overlap 1)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from composer_gui.ml.corpora import Piece
from composer_gui.ml.evaluate import (
    ContinuationStats,
    bar_runs,
    card_markdown,
    continuations,
    overlap,
)
from composer_gui.ml.tokens import Vocabulary
from composer_gui.music.score import Note, Part, Score

VOCAB = Vocabulary()
BAR = 1920


def _piece(i: int, bars: int = 14) -> Piece:
    rng = np.random.default_rng(i)
    scale = [60, 62, 64, 65, 67, 69, 71, 72]
    notes = []
    for b in range(bars):
        for q in range(4):
            notes.append(Note(b * BAR + q * 480, int(rng.choice(scale)), 480))
            notes.append(Note(b * BAR + q * 480, 48, 960) if q % 2 == 0 else None)
    notes = tuple(n for n in notes if n is not None)
    return Piece(f"p{i}", np.asarray(VOCAB.encode(Score(parts=(Part(notes),))), np.int16))


def test_overlap_and_bar_runs():
    assert overlap(Counter({1: 2, 2: 2}), Counter({1: 5, 2: 5})) == pytest.approx(1)
    assert overlap(Counter({1: 1}), Counter({2: 1})) == 0
    assert overlap(Counter(), Counter({1: 1})) is None
    same = [Note(b * BAR, 60, 480) for b in range(6)]
    assert bar_runs(same, 0, BAR, 6) == 6
    assert bar_runs([*same[:2], Note(2 * BAR, 62, 480), *same[3:]], 0, BAR, 6) == 3
    assert bar_runs([], 0, BAR, 4) == 0


def test_real_against_real_gives_perfect_overlap():
    pieces = [_piece(i) for i in range(6)]
    by_start = {}

    def real(opening, start, bars, seed):  # the "generator" returns the true continuation
        score = by_start[tuple(opening.notes)]
        return [n for n in score.notes if n.start >= start]

    for p in pieces:
        s = VOCAB.decode(p.tokens)
        by_start[tuple(s.slice(0, s.bar_start(4), shift=False).notes)] = s
    result = continuations(None, pieces, VOCAB, opening_bars=4, bars=8, generate=real)
    assert result["pieces"] == 6
    for name, value in result["overlap"].items():
        assert value == pytest.approx(1), name
    assert result["generated"] == result["real"]
    assert result["real"]["in_key"] > 0.9
    assert result["real"]["mean_polyphony"] == pytest.approx(2)  # a tune over a held bass
    assert result["real"]["mean_notes_per_bar"] == pytest.approx(6)


def test_stats_see_a_different_rhythm():
    a, b = ContinuationStats(40), ContinuationStats(40)
    a.add([Note(i * 480, 60, 480) for i in range(8)], None, 0, BAR, 2)
    b.add([Note(i * 240, 60, 240) for i in range(16)], None, 0, BAR, 2)
    assert overlap(a.length, b.length) == 0
    assert a.summary()["mean_notes_per_bar"] == 4 and b.summary()["mean_notes_per_bar"] == 8


def test_card_markdown_renders():
    stats = ContinuationStats(40)
    stats.add([Note(0, 60, 480)], None, 0, BAR, 1)
    metrics = {"cross_entropy": 1.0, "perplexity": 2.7, "accuracy": 0.5, "tokens": 10}
    card = {
        "name": "m", "data": {"corpus": "bach-chorales", "data_dir": None, "split_seed": 0,
                              "split_pieces": {}, "split_tokens": {}, "augmentation": "x"},
        "model": {"embedding": 8, "hidden": 8, "layers": 1, "dropout": 0, "parameters": 100,
                  "vocabulary_size": 296},
        "training": {"preset": "tiny", "epochs_run": 1, "best_epoch": 1, "best_val_loss": 1.0,
                     "training_seconds": 3.0, "batch_size": 2, "seq_len": 8,
                     "learning_rate": 0.1, "seed": 0},
        "evaluation": {"model_metrics": metrics, "test_pieces": 1, "test_tokens": 10,
                       "baselines": {"unigram": metrics, "best_ngram": {"n": 3, **metrics}},
                       "perplexity_reduction_vs_best_ngram": 0.3,
                       "continuations": {"pieces": 1, "opening_bars": 4, "bars": 8,
                                         "temperature": 1.0, "overlap": {"pitch_class": 0.9},
                                         "generated": stats.summary(), "real": stats.summary()},
                       "targets": {"in_key": True}},
    }
    text = card_markdown(card)
    assert "# Model card: m" in text and "30.0% below" in text


def test_the_card_says_a_perplexity_above_the_ngrams_as_above():
    """A small model of the user's own can lose to the n-gram: "201.1% above", not "-201.1%
    below" (a trial's card)."""
    from composer_gui.ml.evaluate import _versus_ngram

    assert _versus_ngram(0.458) == \
        "Perplexity 45.8% below the best n-gram (target: at least 25%)."  # (as the cards say)
    assert _versus_ngram(-2.011).startswith("Perplexity 201.1% above the best n-gram: worse")
