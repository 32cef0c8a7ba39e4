"""Datasets: split by piece, deterministic; windows; augmentation; folder loading with a cache."""

from __future__ import annotations

import numpy as np
import pytest

from composer_gui.ml import corpora
from composer_gui.ml.corpora import (
    Piece,
    load_pieces,
    make_windows,
    shift_range,
    split_of,
    split_pieces,
    split_record,
    transpose_tokens,
)
from composer_gui.ml.tokens import BOS, EOS, Vocabulary
from composer_gui.music import save_score
from composer_gui.music.score import Note, Part, Score

VOCAB = Vocabulary()


def _pieces(n: int) -> list[Piece]:
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        notes = tuple(Note(int(s) * 120, int(p), 120) for s, p in
                      zip(range(20), rng.integers(50, 80, 20), strict=True))
        out.append(Piece(f"piece-{i:03d}", np.asarray(VOCAB.encode(Score(parts=(Part(notes),))),
                                                      np.int16)))
    return out


def test_split_is_by_piece_deterministic_and_stable():
    pieces = _pieces(300)
    a, b = split_pieces(pieces, seed=1), split_pieces(list(reversed(pieces)), seed=1)
    assert {k: sorted(p.id for p in v) for k, v in a.items()} == \
        {k: sorted(p.id for p in v) for k, v in b.items()}
    ids = [p.id for v in a.values() for p in v]
    assert len(ids) == len(set(ids)) == 300  # every piece in exactly one split
    assert 200 < len(a["train"]) < 280 and a["val"] and a["test"]
    # Adding pieces never moves the old ones; another seed gives another split.
    more = split_pieces([*pieces, *_pieces(310)[300:]], seed=1)
    assert {p.id for p in a["test"]} <= {p.id for p in more["test"]}
    assert {p.id for p in split_pieces(pieces, seed=2)["test"]} != {p.id for p in a["test"]}
    record = split_record(a, 1, {"corpus": "x"})
    assert record["test"] == [p.id for p in a["test"]] and record["seed"] == 1
    assert corpora.pieces_from_record(record, pieces)["test"] == a["test"]
    assert split_of("piece-001", 1) == split_of("piece-001", 1)


def test_windows_cover_the_stream_and_augmentation_stays_in_range():
    pieces = _pieces(12)
    fixed = make_windows(pieces, VOCAB, 32, None)
    assert fixed.shape[1] == 33
    stream = np.concatenate([p.tokens for p in pieces])
    assert (fixed[0] == stream[:33]).all() and (fixed[1, 0] == stream[32])
    rng = np.random.default_rng(0)
    aug = make_windows(pieces, VOCAB, 32, rng)
    assert aug.min() >= 0 and aug.max() < VOCAB.size
    lo, hi = shift_range(pieces[0].tokens, VOCAB)
    assert lo <= 0 <= hi
    up = transpose_tokens(pieces[0].tokens, 3, VOCAB)
    a, b = VOCAB.decode(pieces[0].tokens).notes, VOCAB.decode(up).notes
    assert [n.pitch + 3 for n in a] == [n.pitch for n in b]
    assert [n.start for n in a] == [n.start for n in b]


def test_folder_loading_skips_bad_files_and_uses_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPOSER_GUI_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    for i in range(3):
        notes = tuple(Note(k * 240, 60 + i + k % 5, 240) for k in range(16))
        save_score(Score(parts=(Part(notes),)), data / ("sub" if i else "") / f"song{i}.mid")
    (data / "broken.mid").write_bytes(b"not a midi file")
    (data / "readme.txt").write_text("ignored")
    messages: list[str] = []
    pieces = load_pieces(data_dir=data, workers=1, progress=False, log=messages.append)
    assert [p.id for p in pieces] == ["song0.mid", "sub/song1.mid", "sub/song2.mid"]
    assert any("broken.mid" in m for m in messages)
    assert all(p.tokens[0] == BOS and p.tokens[-1] == EOS for p in pieces)
    messages.clear()
    again = load_pieces(data_dir=data, workers=1, progress=False, log=messages.append)
    assert not messages  # nothing parsed twice
    assert all((a.tokens == b.tokens).all() for a, b in zip(pieces, again, strict=True))


def test_every_tune_of_an_abc_collection_in_a_folder_is_a_piece(tmp_path, monkeypatch):
    """Train on My Music with a folder of ABC books: each tune is a piece (until session 42 the
    first tune of each file only), a tune that cannot be read is skipped with a note, and a
    one-tune file stays one piece named after its file."""
    from composer_gui.ml.voices import VoiceVocabulary

    book = ("L:1/8\nX:1\nT:Reel\nM:4/4\nK:G\nGABc d2B2|c2A2 G4|\n\nX:2\nT:Jig\nM:6/8\nK:D\n"
            "DFA dAF|G3 F3|\n\nX:3\nT:Broken\nM:4/4\nK:C\nC142 D|\n")

    monkeypatch.setenv("COMPOSER_GUI_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "data"
    data.mkdir()
    (data / "book.abc").write_text(book)
    (data / "one.abc").write_text("X:1\nT:Alone\nM:3/4\nL:1/4\nK:F\nFAc|f2c|A3|\n")
    messages: list[str] = []
    pieces = load_pieces(data_dir=data, vocab=VoiceVocabulary(voices=("melody",)), workers=1,
                         progress=False, log=messages.append)
    assert [p.id for p in pieces] == ["book.abc#0", "book.abc#1", "one.abc"]
    assert any("book.abc: tune 3 skipped: the number 142" in m
               for m in messages)


def test_unknown_corpus_and_empty_folder_are_clear_errors(tmp_path):
    with pytest.raises(corpora.CorpusError, match="unknown corpus"):
        load_pieces("no-such-corpus", progress=False)
    with pytest.raises(corpora.CorpusError, match="no score files"):
        load_pieces(data_dir=tmp_path, progress=False)


def test_bach_chorales_are_four_voices_with_pickups_aligned(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPOSER_GUI_CACHE", str(tmp_path / "cache"))
    pieces = load_pieces("bach-chorales", workers=1, progress=False, limit=2)
    assert [p.id for p in pieces] == ["bach/bwv1.6", "bach/bwv10.7"]
    score = VOCAB.decode(pieces[0].tokens)
    bar = score.time_signature.bar_ticks
    assert max(len({n.pitch for n in score.notes if n.start == t}) for t in range(0, bar * 4)) == 4
    # bwv1.6 starts with a one-beat pickup: it ends on the first bar line, not at bar 1 beat 1
    first = min(n.start for n in score.notes)
    assert first == bar * 3 // 4


def test_augment_prob_keeps_a_share_of_pieces_in_their_key():
    pieces = _pieces(40)
    original = np.sort(np.concatenate([p.tokens for p in pieces]))

    def content(prob, seed=0):
        w = make_windows(pieces, VOCAB, 64, np.random.default_rng(seed), augment_prob=prob)
        return set(w.ravel().tolist())

    assert content(0.0) <= set(original.tolist())  # no transposed pitches at all
    assert not content(1.0) <= set(original.tolist())
