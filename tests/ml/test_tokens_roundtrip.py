"""The vocabulary: encoding then decoding a quantized score gives its notes back exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from composer_gui.ml.tokens import EOS, GrammarState, Vocabulary
from composer_gui.music.score import Note, Part, Score, TimeSignature

VOCAB = Vocabulary()
STEP = VOCAB.step_ticks


@st.composite
def scores(draw, min_pitch=0, max_pitch=127):
    ts = draw(st.sampled_from(VOCAB.time_signatures))
    n, d = (int(x) for x in ts.split("/"))
    notes = draw(st.lists(
        st.builds(lambda s, p, k, v: Note(s * STEP, p, k * STEP, v),
                  st.integers(0, 400), st.integers(min_pitch, max_pitch),
                  st.integers(1, 120), st.integers(1, 127)),
        max_size=40))
    parts = draw(st.integers(1, 3))
    return Score(parts=tuple(Part(tuple(sorted(notes[i::parts]))) for i in range(parts)),
                 time_signatures=(TimeSignature(0, n, d),))


def _key(notes):
    return [(n.start, n.pitch, n.duration) for n in notes]


@settings(max_examples=150, deadline=None)
@given(scores())
def test_encode_decode_gives_the_prepared_notes_back(score):
    warnings: list[str] = []
    prepared = VOCAB.prepare_notes(score, warnings)
    tokens = VOCAB.encode(score)
    decoded = VOCAB.decode(tokens)
    assert _key(sorted(decoded.notes)) == _key(sorted(prepared))
    assert str(decoded.time_signature) == str(score.time_signature)
    assert tokens[-1] == EOS


@settings(max_examples=150, deadline=None)
@given(scores())
def test_grammar_accepts_every_encoded_sequence(score):
    tokens = VOCAB.encode(score)
    state = GrammarState(VOCAB)
    for t in tokens:
        assert state.allowed()[t], VOCAB.name(t)
        state.advance(t)
    assert state.finished


@settings(max_examples=60, deadline=None)
@given(scores(min_pitch=VOCAB.min_pitch, max_pitch=VOCAB.max_pitch))
def test_in_range_scores_need_no_repair_but_long_notes_and_unisons(score):
    warnings: list[str] = []
    VOCAB.prepare_notes(score, warnings)
    assert not any("moved" in w for w in warnings)


def test_repairs_are_reported_never_silent():
    score = Score(parts=(Part((Note(7, 10, 480), Note(0, 60, 480 * 30))),))
    warnings: list[str] = []
    notes = VOCAB.prepare_notes(score, warnings)
    assert [n.pitch for n in notes] == [60, 22]
    text = " ".join(warnings)
    assert "moved by octaves" in text and "grid" in text and "shortened" in text


def test_no_chord_note_is_added_before_earliest_tick():
    """Continuing from a time: the sketch's last onset is closed, its chord can't grow."""
    from composer_gui.ml.tokens import GrammarState, Vocabulary
    from composer_gui.music.score import Note, Part, Score

    vocab = Vocabulary()
    score = Score(parts=(Part((Note(0, 72, 480),)),))
    tokens = vocab.encode(score, until_tick=960, add_eos=False)
    state = GrammarState.from_tokens(vocab, tokens)
    state.earliest_tick = 960
    allowed = state.allowed()
    assert not allowed[vocab.pitch_offset:vocab.dur_offset].any()
    assert allowed[vocab.pos_id(960 // vocab.step_ticks)]
    state.earliest_tick = 0  # continuing right after the onset: a lower chord note is fine
    assert state.allowed()[vocab.pitch_id(60)]
