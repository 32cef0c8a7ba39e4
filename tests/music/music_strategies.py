"""Hypothesis strategies for random scores, shared by the music tests.

(Not a test module: pytest does not collect it. Imported by name, since tests/ has no __init__.py.)
"""

from __future__ import annotations

from hypothesis import assume
from hypothesis import strategies as st

from composer_gui.music.midi import _fitting_signatures, _upbeat_read
from composer_gui.music.score import (
    TPQ,
    KeySignature,
    Note,
    Part,
    Score,
    TempoChange,
    TimeSignature,
)

SIXTEENTH = TPQ // 4
EIGHTH_TRIPLET = TPQ // 3

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -éü",
                min_size=1, max_size=12).map(str.strip).filter(bool)


@st.composite
def voice_notes(draw, grid: int, *, max_notes: int = 24, pitches=None, max_len: int = 16,
                chords: bool = True):
    """Notes on ``grid`` where no two notes of one pitch overlap (a MIDI channel cannot hold that
    unambiguously). ``chords`` allows several pitches at once (and overlaps of different pitches).
    """
    pitches = st.integers(0, 127) if pitches is None else pitches
    notes: list[Note] = []
    busy: dict[int, list[tuple[int, int]]] = {}
    count = draw(st.integers(0, max_notes))
    for _ in range(count):
        start = draw(st.integers(0, 64)) * grid
        length = draw(st.integers(1, max_len)) * grid
        pitch = draw(pitches)
        if any(s < start + length and start < e for s, e in busy.get(pitch, [])):
            continue
        if not chords and any(s < start + length and start < e
                              for spans in busy.values() for s, e in spans):
            continue
        busy.setdefault(pitch, []).append((start, start + length))
        notes.append(Note(start, pitch, length, draw(st.integers(1, 127))))
    return notes


@st.composite
def midi_scores(draw, grid: int = SIXTEENTH):
    """Random scores that a MIDI file holds exactly: several parts (perhaps one drum part),
    tempo, meter and key changes anywhere on the grid."""
    n_parts = draw(st.integers(1, 4))
    drum_index = draw(st.one_of(st.none(), st.integers(0, n_parts - 1)))
    channels = draw(st.permutations([c for c in range(16) if c != 9]))
    parts = []
    for i in range(n_parts):
        is_drum = i == drum_index
        notes = draw(voice_notes(grid, pitches=st.integers(35, 81) if is_drum else
                                 st.integers(0, 127)))
        parts.append(Part(tuple(sorted(notes)), name=draw(names), program=draw(st.integers(0, 127)),
                          channel=9 if is_drum else channels[i], is_drum=is_drum))
    ticks = st.integers(0, 64).map(lambda k: k * grid)
    tempos = draw(st.lists(st.builds(TempoChange, ticks, st.integers(200_000, 2_000_000)),
                           max_size=3))
    meters = draw(st.lists(st.builds(TimeSignature, ticks, st.integers(1, 12),
                                     st.sampled_from([2, 4, 8, 16])), max_size=3))
    keys = draw(st.lists(st.builds(KeySignature, ticks, st.integers(-7, 7),
                                   st.sampled_from(["major", "minor"])), max_size=2))
    score = Score(parts=tuple(parts), tempos=tuple(tempos), time_signatures=tuple(meters),
                  key_signatures=tuple(keys), title=draw(names))
    # (one first bar shorter than the meter after it is how a MIDI file writes an upbeat, and
    # reads as one: music.midi._upbeat_read says so; such a score does not round-trip as is)
    assume(_upbeat_read(score) is score)
    # (nor does a key signature its notes contradict: music.midi._fitting_signatures)
    assume(_fitting_signatures(score, []) is score)
    return score


@st.composite
def notation_scores(draw):
    """Random scores music21 can notate: one grid per score (1/16 or 1/8 triplets), lengths up to
    two bars, meter and key changes only on bar lines, pitches a notation program can spell."""
    grid = draw(st.sampled_from([SIXTEENTH, EIGHTH_TRIPLET]))
    meter = draw(st.sampled_from([(4, 4), (3, 4), (2, 4), (6, 8)]))
    ts = TimeSignature(0, *meter)
    max_len = 2 * ts.bar_ticks // grid
    n_parts = draw(st.integers(1, 3))
    parts = []
    for i in range(n_parts):
        notes = draw(voice_notes(grid, max_notes=12, pitches=st.integers(36, 96),
                                 max_len=max_len, chords=draw(st.booleans())))
        parts.append(Part(tuple(sorted(notes)), name=f"Part {i + 1}", channel=i))
    meters = [ts]
    if draw(st.booleans()):
        other = TimeSignature(0, *draw(st.sampled_from([(4, 4), (3, 4), (2, 4)])))
        meters.append(TimeSignature(draw(st.integers(1, 4)) * ts.bar_ticks, other.numerator,
                                    other.denominator))
    if not any(p.notes for p in parts):  # a file without notes is refused on reading
        parts[0] = parts[0].with_notes([Note(0, 60, grid)])
    keys = [KeySignature(0, draw(st.integers(-6, 6)), draw(st.sampled_from(["major", "minor"])))]
    return Score(parts=tuple(parts), time_signatures=tuple(meters), key_signatures=tuple(keys),
                 title=draw(names))
