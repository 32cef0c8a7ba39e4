"""Baselines the LSTM must beat, fitted on the same training pieces: unigram and smoothed n-grams.

The n-gram model is interpolated absolute discounting (Ney et al.), recursive down to an add-one
unigram, so every token of the vocabulary keeps a probability above zero::

    P(w | h) = max(c(h, w) - D, 0) / c(h)  +  D * N1+(h, .) / c(h) * P(w | h')

where ``h'`` drops the oldest token of ``h``; an unseen history falls back to ``P(w | h')``.
Each piece is scored from its BOS on (shorter histories at the start), exactly the tokens the
neural model is scored on.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence


class UnigramModel:
    def __init__(self, vocab_size: int) -> None:
        self.vocab_size = vocab_size
        self.counts: Counter = Counter()
        self.total = 0

    def fit(self, sequences: Iterable[Sequence[int]]) -> UnigramModel:
        for seq in sequences:
            self.counts.update(int(t) for t in seq[1:])
            self.total += max(len(seq) - 1, 0)
        return self

    def prob(self, token: int, history: tuple[int, ...] = ()) -> float:
        return (self.counts[token] + 1) / (self.total + self.vocab_size)

    def argmax(self, history: tuple[int, ...] = ()) -> int:
        return self.counts.most_common(1)[0][0] if self.counts else 0


class NGramModel:
    """Order ``n`` (n - 1 tokens of history), interpolated absolute discounting."""

    def __init__(self, n: int, vocab_size: int, discount: float = 0.75) -> None:
        if n < 1:
            raise ValueError("n must be at least 1")
        self.n = n
        self.discount = discount
        self.unigram = UnigramModel(vocab_size)
        # history tuple -> Counter of next tokens, for history lengths 1..n-1
        self.next: dict[tuple[int, ...], Counter] = defaultdict(Counter)

    def fit(self, sequences: Iterable[Sequence[int]]) -> NGramModel:
        seqs = [[int(t) for t in s] for s in sequences]
        self.unigram.fit(seqs)
        for seq in seqs:
            for i in range(1, len(seq)):
                for k in range(1, min(self.n - 1, i) + 1):
                    self.next[tuple(seq[i - k:i])][seq[i]] += 1
        self._totals = {h: sum(c.values()) for h, c in self.next.items()}
        return self

    def prob(self, token: int, history: tuple[int, ...]) -> float:
        p = self.unigram.prob(token)
        history = history[-(self.n - 1):] if self.n > 1 else ()
        for k in range(1, len(history) + 1):  # from the shortest history up
            h = history[-k:]
            counts = self.next.get(h)
            if counts is None:
                break  # a longer history containing an unseen one is unseen too
            total = self._totals[h]
            d = self.discount
            p = max(counts.get(token, 0) - d, 0) / total + d * len(counts) / total * p
        return p

    def argmax(self, history: tuple[int, ...]) -> int:
        history = history[-(self.n - 1):] if self.n > 1 else ()
        for k in range(len(history), 0, -1):
            counts = self.next.get(history[-k:])
            if counts:
                return counts.most_common(1)[0][0]
        return self.unigram.argmax()


def score_sequences(model, sequences: Iterable[Sequence[int]], n_history: int) -> dict:
    """Cross-entropy (nats per token), perplexity and next-token accuracy over every token after
    each BOS."""
    nll = 0.0
    correct = count = 0
    for seq in sequences:
        seq = [int(t) for t in seq]
        for i in range(1, len(seq)):
            h = tuple(seq[max(0, i - n_history):i])
            nll -= math.log(model.prob(seq[i], h))
            correct += model.argmax(h) == seq[i]
            count += 1
    ce = nll / max(count, 1)
    return {"cross_entropy": ce, "perplexity": math.exp(ce), "accuracy": correct / max(count, 1),
            "tokens": count}


def evaluate_baselines(train: list[Sequence[int]], test: list[Sequence[int]], vocab_size: int,
                       orders: Iterable[int] = (3, 4, 5)) -> dict:
    """Unigram and each n-gram order on ``test``; ``best_ngram`` is the lowest cross-entropy."""
    out = {"unigram": score_sequences(UnigramModel(vocab_size).fit(train), test, 0)}
    ngrams = {}
    for n in orders:
        ngrams[n] = score_sequences(NGramModel(n, vocab_size).fit(train), test, n - 1)
    best = min(ngrams, key=lambda n: ngrams[n]["cross_entropy"])
    out["ngram"] = {str(n): r for n, r in ngrams.items()}
    out["best_ngram"] = {"n": best, **ngrams[best]}
    return out
