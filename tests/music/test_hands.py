"""A one-track keyboard part's notes divided into hands as a pianist reaches them
(music/hands.py)."""

from __future__ import annotations

import random

from composer_gui.music.clefs import MIDDLE_C, split_hands
from composer_gui.music.hands import TOGETHER, hands
from composer_gui.music.score import TPQ, Note


def stride(bars: int = 4) -> tuple[list[Note], list[Note]]:
    """A rag's left hand (a bass octave, then a chord B-flat3 D4 F4 above middle C) under a
    tune in octaves and single notes on B-flat4 to F5."""
    left, right = [], []
    for bar in range(bars):
        t = bar * 4 * TPQ
        for beat in range(4):
            if beat % 2 == 0:
                left += [Note(t + beat * TPQ, 34 + (bar % 2) * 5, TPQ // 2),
                         Note(t + beat * TPQ, 46 + (bar % 2) * 5, TPQ // 2)]
            else:
                left += [Note(t + beat * TPQ, p, TPQ // 2) for p in (58, 62, 65)]
        right += [Note(t, 70, TPQ), Note(t, 82, TPQ), Note(t + TPQ, 74, TPQ // 2),
                  Note(t + 3 * TPQ // 2, 77, TPQ // 2), Note(t + 2 * TPQ, 72, 2 * TPQ)]
    return left, right


def test_a_rags_left_hand_chords_above_middle_c_stay_in_the_left_hand():
    left, right = stride()
    upper, lower = split_hands(sorted(left + right))
    assert sorted(lower) == sorted(left) and sorted(upper) == sorted(right)
    # (split at middle C, the chords' D4 and F4 went up: the right hand held a thirteenth)
    assert sum(n.pitch >= MIDDLE_C for n in left) == 16


def test_a_played_chord_spread_a_little_is_divided_as_one_struck_together():
    left, right = stride()
    rng = random.Random(5)
    played = [Note(max(0, n.start + rng.randint(-TOGETHER // 3, TOGETHER // 3)), n.pitch,
                   round(n.duration * rng.uniform(0.7, 1.05))) for n in left + right]
    ups = hands(played, MIDDLE_C)
    assert ups == [n.pitch >= 70 for n in played]


def test_the_division_does_not_depend_on_the_notes_order():
    left, right = stride(2)
    notes = left + right
    ups = dict(zip(notes, hands(notes, MIDDLE_C), strict=True))
    shuffled = notes[:]
    random.Random(1).shuffle(shuffled)
    assert dict(zip(shuffled, hands(shuffled, MIDDLE_C), strict=True)) == ups
