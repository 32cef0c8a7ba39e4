"""The musical rows' plumbing on tiny hand-made music: baselines keep rhythm and key, every row
reaches the table, "n/a" where a row cannot apply, bits per note on a known distribution."""

from __future__ import annotations

import math

import numpy as np
import pytest

from composer_gui.ml.baselines import UnigramModel, score_sequences
from composer_gui.ml.evaluate import music_table
from composer_gui.ml.musical_eval import (
    COLUMNS,
    ROWS,
    Case,
    Pool,
    Unsupported,
    attacked_notes,
    bits_per_note,
    measure,
    musical_rows,
    random_harmony,
    random_in_key,
    repeat_last_bars,
    scale_pitches,
)
from composer_gui.ml.tokens import Vocabulary
from composer_gui.ml.voices import VoiceVocabulary
from composer_gui.music.score import KeySignature, Note, Part, Score

BAR = 1920
Q = 480
C_MAJOR = KeySignature(0, 0, "major")
# I V7 I IV | V I ... as (soprano, alto, tenor, bass), one chord a beat
ONE, V7, IV, V = (72, 67, 64, 48), (71, 65, 62, 43), (72, 69, 65, 53), (74, 67, 62, 43)


def chorale(chords: list[tuple[int, ...]]) -> Score:
    """Four parts, one chord a quarter note."""
    parts = []
    for v, name in enumerate(("Soprano", "Alto", "Tenor", "Bass")):
        parts.append(Part(tuple(Note(i * Q, c[v], Q) for i, c in enumerate(chords)), name=name))
    return Score(parts=tuple(parts), key_signatures=(C_MAJOR,))


def test_repeat_baseline_repeats_the_last_two_bars_in_each_part():
    s = chorale([ONE, V7, ONE, IV] * 2 + [V, V7, ONE, ONE, IV, V, ONE, ONE])  # four bars
    start, end = 4 * BAR, 8 * BAR
    out = repeat_last_bars(s.slice(0, start, shift=False), start, end)
    for p, src in zip(out.parts, s.parts, strict=True):
        tail = [n for n in src.notes if 2 * BAR <= n.start < start]
        new = [n for n in p.notes if n.start >= start]
        assert [(n.start, n.pitch, n.duration) for n in new] == [
            (n.start + k * 2 * BAR, n.pitch, n.duration) for k in (1, 2) for n in tail]
    pool = Pool()
    measure(pool, out, start, end, C_MAJOR)
    assert pool.value("bars_restated") == 1.0


def test_random_in_key_keeps_each_voices_rhythm_range_and_key():
    s = chorale([ONE, V7, ONE, IV, V, V7, ONE, ONE])  # two bars
    start, end = 2 * BAR, 6 * BAR
    opening = s.slice(0, start, shift=False)
    a = random_in_key(opening, start, end, C_MAJOR, np.random.default_rng(3))
    b = random_in_key(opening, start, end, C_MAJOR, np.random.default_rng(3))
    assert a == b  # seeded
    for p, src in zip(a.parts, s.parts, strict=True):
        new = [n for n in p.notes if n.start >= start]
        assert [(n.start, n.duration) for n in new] == [
            (n.start + k * start, n.duration) for k in (1, 2) for n in src.notes]
        lo, hi = min(n.pitch for n in src.notes), max(n.pitch for n in src.notes)
        widened = scale_pitches(C_MAJOR, lo, hi)
        assert all(n.pitch in widened and n.pitch % 12 in C_MAJOR.scale_pcs() for n in new)
    assert len({n.pitch for n in a.notes if n.start >= start}) > 4  # not one repeated pitch


def test_random_harmony_keeps_the_melody_and_adds_three_voices_in_key():
    melody = Score(parts=(Part(tuple(Note(i * Q, 72 + (i % 3), Q) for i in range(8)),
                               name="Soprano"),))
    out = random_harmony(melody, C_MAJOR, np.random.default_rng(0))
    assert out.parts[0] == melody.parts[0]
    assert [p.name for p in out.parts] == ["Soprano", "Alto", "Tenor", "Bass"]
    for p in out.parts[1:]:
        assert [(n.start, n.duration) for n in p.notes] == [
            (n.start, n.duration) for n in melody.parts[0].notes]
        assert all(n.pitch % 12 in C_MAJOR.scale_pcs() for n in p.notes)


def test_measures_count_chords_cadences_and_parallels():
    good = chorale([ONE, IV, V7, ONE] * 2)
    pool = Pool()
    measure(pool, good, 0, 2 * BAR, C_MAJOR, tonic_row="tonic")
    assert pool.value("beat_chords") == 1.0
    assert pool.value("cadences_per_8_bars", 8) == 8.0  # V7-ONE once a bar, per 8 bars
    assert pool.value("parallels_per_8_bars", 8) == 0.0
    assert pool.value("voice_crossings") == 0.0
    assert pool.value("tonic") == 1.0
    assert pool.value("in_key") == 1.0
    fifths = chorale([(67, 64, 60, 48), (69, 65, 62, 50)] * 2)  # C-G then D-A: outer fifths
    pool = Pool()
    measure(pool, fifths, 0, BAR, C_MAJOR)
    assert pool.value("parallels_per_8_bars", 8) > 0


def _cases() -> list[Case]:
    prog = [ONE, V7, ONE, IV, V, V7, ONE, ONE, IV, ONE, V7, ONE, ONE, IV, V, ONE]
    return [Case(f"c{i}", chorale(prog[i:] + prog[:i] + prog * 3)) for i in range(3)]


def real_continuation(cases: list[Case]):
    """A stand-in sampler that answers with the real music (continuation and infill) or the
    real chorale (harmonization): the model column must then equal the real one."""
    by_opening, by_melody = {}, {}
    for c in cases:
        by_melody[c.score.parts[0].notes] = c.score
        for n in range(1, c.score.bar_count() + 1):
            by_opening.setdefault(tuple(c.score.parts[0].notes[:n * 4]), c.score)

    def generate(score: Score, request: dict) -> list[Score]:
        assert request["key"] is None and request["top_p"] == 0.95  # app defaults, no lock
        if request.get("harmonize"):
            real = by_melody[score.parts[0].notes]
            assert "start_tick" not in request  # the whole melody
            return [real] * request["variations"]
        real = by_opening[tuple(n for n in score.parts[0].notes
                                if n.start < request["start_tick"])]
        end = request.get("end_tick") or request["start_tick"] + request["bars"] * BAR
        cut = real.slice(0, end, shift=False)
        kept = score.map_notes(lambda n: n if n.start >= end else None)
        return [cut.merge(kept)] * request["variations"]

    return generate


def test_every_row_runs_and_a_real_stand_in_matches_the_real_column():
    cases = _cases()
    out = musical_rows(cases, 4, separable=True, generate=real_continuation(cases),
                       max_pieces=5, variations=2)
    assert out["pieces"] == {"continuation": 3, "infill": 3, "harmonization": 3}
    rows = out["rows"]
    assert list(rows) == [name for name, _ in ROWS]
    for name, row in rows.items():
        if name == "ends_on_tonic_cadence":
            continue  # real: the piece's own ending; the stand-in stops after 8 bars
        assert row["model"] == pytest.approx(row["real"]), name
    assert rows["beat_chords"]["real"] == 1.0 and rows["in_key"]["real"] == 1.0
    assert rows["bars_restated"]["repeat_2_bars"] == 1.0
    assert rows["harmonized_beat_chords"]["repeat_2_bars"] is None
    assert rows["harmonized_beat_chords"]["random_in_key"] < 1.0
    assert rows["infill_seam"]["real"] is not None
    assert rows["beat_chords"]["met"] is True and rows["beat_chords"]["target"] == ">= 0.85"
    assert out["model_not_run"] == {}


def test_unsupported_options_leave_the_model_column_na():
    cases = _cases()
    real = real_continuation(cases)

    def remi_like(score, request):
        if request.get("end") == "cadence" or request.get("harmonize"):
            raise Unsupported("no such option")
        return real(score, request)

    out = musical_rows(cases, 4, separable=False, generate=remi_like, max_pieces=2,
                       variations=1)
    rows = out["rows"]
    assert rows["ends_on_tonic_cadence"]["model"] is None
    assert rows["ends_on_tonic_cadence"]["real"] is not None
    assert rows["harmonized_beat_chords"]["model"] is None
    assert rows["harmonized_beat_chords"]["real"] is not None
    assert all(rows["voice_crossings"][c] is None for c in COLUMNS)  # merged voices
    assert set(out["model_not_run"]) == {"cadence", "harmonization"}
    assert rows["beat_chords"]["model"] is not None


def test_a_melody_texture_shows_na_for_the_rows_that_need_voices():
    tune = Score(parts=(Part(tuple(Note(i * Q, (60, 62, 64, 65, 67, 65, 64, 62)[i % 8], Q)
                                   for i in range(64))),), key_signatures=(C_MAJOR,))
    out = musical_rows([Case("t", tune)], 1, separable=False, generate=None)
    rows = out["rows"]
    assert out["texture"] == "melody" and out["pieces"]["harmonization"] == 0
    for name in ("beat_chords", "cadences_per_8_bars", "parallels_per_8_bars",
                 "voice_crossings", "harmonized_beat_chords", "harmonized_ends_on_tonic"):
        assert all(rows[name][c] is None for c in COLUMNS), name
    for name in ("in_key", "bars_restated", "ends_on_tonic_free", "infill_seam"):
        assert rows[name]["real"] is not None, name
    assert rows["bars_restated"]["real"] > 0.5  # the tune repeats every two bars
    assert rows["in_key"]["target"] == ">= 0.95" and rows["bars_restated"]["target"] == ">= 0.2"
    table = "\n".join(music_table(out))
    for _, label in ROWS:
        assert label in table
    assert table.count("n/a") >= 4 * 6
    assert "| measure | model | real | repeat 2 bars | random in-key | target |" in table


def test_bits_per_note_on_a_known_distribution():
    vocab = Vocabulary()
    # a uniform model (no training data): every token costs log2(V) bits
    seqs = [[1, vocab.pitch_id(60), vocab.dur_id(4), vocab.pitch_id(64), vocab.dur_id(4), 2]]
    result = score_sequences(UnigramModel(vocab.size), seqs, 0)
    notes = attacked_notes(seqs, vocab)
    assert notes == 2
    assert bits_per_note(result["cross_entropy"], result["tokens"], notes) == pytest.approx(
        5 * math.log2(vocab.size) / 2)
    assert bits_per_note(math.log(4), 10, 5) == pytest.approx(4.0)
    assert bits_per_note(1.0, 10, 0) is None
    voice = VoiceVocabulary()
    frame = [voice.pos_id(0), voice.pitch_id(60), 4, 3, voice.pitch_id(48)]
    assert attacked_notes([[1, *frame, *frame]], voice) == 4


def test_long_voice_grid_pieces_decode_from_their_int16_tokens():
    from composer_gui.ml.corpora import Piece
    from composer_gui.ml.musical_eval import cases_from_pieces

    vocab = VoiceVocabulary()
    score = chorale([ONE, IV, V7, ONE] * 24)  # 24 bars: ticks past int16
    piece = Piece("long", np.asarray(vocab.encode(score), np.int16))
    (case,) = cases_from_pieces([piece], vocab)
    assert case.score.bar_count() == 24
    assert len(case.score.parts) == 4 and case.score.end_tick == 24 * BAR
