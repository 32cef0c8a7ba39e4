"""The n-gram baselines are proper distributions and learn what repeats."""

from __future__ import annotations

import math

import pytest

from composer_gui.ml.baselines import NGramModel, UnigramModel, evaluate_baselines, score_sequences

V = 12


def test_probabilities_sum_to_one():
    seqs = [[1, 5, 6, 7, 5, 6, 7, 2], [1, 5, 6, 8, 2]]
    uni = UnigramModel(V).fit(seqs)
    assert sum(uni.prob(t) for t in range(V)) == pytest.approx(1)
    for n in (2, 3, 5):
        m = NGramModel(n, V).fit(seqs)
        for h in [(), (1,), (5, 6), (1, 5, 6, 7), (9, 9, 9)]:
            assert sum(m.prob(t, h) for t in range(V)) == pytest.approx(1)
            assert all(m.prob(t, h) > 0 for t in range(V))


def test_ngram_beats_unigram_on_a_pattern():
    train = [[1, *([3, 4, 5] * 30), 2] for _ in range(5)]
    test = [[1, *([3, 4, 5] * 10), 2]]
    uni = score_sequences(UnigramModel(V).fit(train), test, 0)
    tri = score_sequences(NGramModel(3, V).fit(train), test, 2)
    assert tri["cross_entropy"] < uni["cross_entropy"] / 3
    assert tri["accuracy"] > 0.9
    assert uni["perplexity"] == pytest.approx(math.exp(uni["cross_entropy"]))
    result = evaluate_baselines(train, test, V, orders=(3, 4))
    assert result["best_ngram"]["n"] in (3, 4) and set(result["ngram"]) == {"3", "4"}
