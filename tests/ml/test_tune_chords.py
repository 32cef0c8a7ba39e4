"""The chords planned under a quick melody (ml/tune_chords.py): what its figures outline,
changed mostly at bar lines, I, IV and V before the others."""

from __future__ import annotations

import pytest

from composer_gui.ml import tune_chords as tc
from composer_gui.ml.melody_plan import DIATONIC, Melody
from composer_gui.ml.voices import HOLD


def line(pcs: list[int], step: int = 2) -> Melody:
    """Even notes ``step`` grid steps long (a pitch token, then held), normalized pitch
    classes."""
    lane = []
    for _ in pcs:
        lane += [60] + [HOLD] * (step - 1)
    attacks = [i * step for i in range(len(pcs))]
    return Melody(lane, attacks, dict(zip(attacks, pcs, strict=True)))


def plan(melody: Melody, stride: int, bar: int, minor: bool = False,
         allowed: set[int] | None = None) -> list[int]:
    """The planned roots, one per chord step."""
    stop = len(melody.lane)
    chords = tc.plan_tune_chords(melody, stride, 0, stop, lambda s: (s // bar, s % bar), bar,
                                 minor, set(range(12)) if allowed is None else allowed)
    return [chords[s].root for s in sorted(chords)]


def test_a_jigs_figures_get_the_chords_they_outline():
    """ "G B G | G B G" over I, not vi; "F# A F#" over V, not iii (normalized: C E C, B D B):
    each figure fits both chords alike, and I, IV and V come before the others."""
    jig = line([0, 4, 0] * 4 + [11, 2, 11] * 4)  # 6/8: a bar of 12 steps, a beat of 6
    assert plan(jig, 6, 12) == [0, 0, 0, 0, 7, 7, 7, 7]


def test_a_passing_figure_inside_a_bar_keeps_its_chord():
    """ "C E | G C | A C | G E" in one bar of 4/4: beat 3's A, a neighbour, is not worth two
    changes of chord (F and back); at no cost for changing, it gets one."""
    reel = line([0, 4, 7, 0, 9, 0, 7, 4])  # a beat of 4 steps, a bar of 16
    assert plan(reel, 4, 16) == [0, 0, 0, 0]
    free = dict.fromkeys(tc.CHANGE, 0.0)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tc, "CHANGE", free)
        assert plan(reel, 4, 16)[2] != 0


def test_a_waltz_holds_its_chord_through_the_bar():
    """ "C(half) D | C(dotted half)" in 3/4: the third beat's D is not worth two changes of
    chord (G and back) in a bar of three beats, where the same figure's last beat in a bar of
    four gets one."""
    waltz = line([0, 0, 2, 0, 0, 0], step=4)  # a beat of 4 steps, a bar of 12
    assert plan(waltz, 4, 12) == [0, 0, 0, 0, 0, 0]
    common = line([0, 0, 0, 2] * 2, step=4)
    assert plan(common, 4, 16)[3] == 7


def test_a_minor_tune_gets_its_dominant_with_the_leading_tone():
    """A minor (normalized): "A C E" over i, "G# B E" over V (E major), the leading tone
    being a note the melody sings."""
    tune = line([9, 0, 4] * 2 + [8, 11, 4] * 2)
    assert plan(tune, 6, 12, minor=True) == [9, 9, 4, 4]
    chords = tc.plan_tune_chords(tune, 6, 0, 24, lambda s: (s // 12, s % 12), 12, True,
                                 set(range(12)))
    assert chords[12].pcs == frozenset({4, 8, 11})


def test_the_chords_keep_to_the_key_and_the_tunes_own_notes():
    """C major's six triads and G7; a Mixolydian tune that sings B-flat may have B-flat major
    (its flat seventh's chord); a lock without G leaves no C, G or E minor."""
    diatonic = {(c.root, c.seventh) for c in tc.chord_candidates(set(DIATONIC), False)}
    assert diatonic == {(0, False), (2, False), (4, False), (5, False), (7, False),
                        (9, False), (7, True)}
    mixolydian = tc.chord_pitch_classes(line([0, 10, 7]), False, set(range(12)))
    assert 10 in {c.root for c in tc.chord_candidates(mixolydian, False)}
    roots = {c.root for c in tc.chord_candidates(set(DIATONIC) - {7}, False)}
    assert roots.isdisjoint({0, 4, 7})


def test_the_bass_is_charged_least_for_the_root_and_an_inner_seventh_little():
    g = tc.TuneChord(7, frozenset({7, 11, 2}))
    bass = tc.chord_costs(g, True, False)
    assert bass[7] == 0 < bass[11] < bass[2] <= bass[0]
    inner = tc.chord_costs(g, False, False)
    assert inner[[7, 11, 2]].tolist() == [0, 0, 0]
    assert 0 < inner[5] < inner[0]  # (F makes it G7; C is off it)


def test_a_quick_tunes_final_tonic_comes_where_it_arrives():
    """The last bar of a reel (a beat of 4 steps, normalized C major): "B D | E C | E G | C C",
    the last C on beat 4. The melody is in the tonic triad from beat 2, so its tonic comes
    there; with beat 2 "C D" (half of it off the chord) only from beat 3; and never before
    the floor (its bar line) it is given."""
    from composer_gui.ml.melody_plan import tonic_arrival

    bar = line([11, 2, 4, 0, 4, 7, 0, 0])  # eighths: beat 1 B D, beat 2 E C, 3 E G, 4 C C
    assert tonic_arrival(bar, 12, 0, 4, False) == 4
    passing = line([11, 2, 0, 2, 4, 7, 0, 0])  # beat 2 C D: half of it off the chord
    assert tonic_arrival(passing, 12, 0, 4, False) == 8
    assert tonic_arrival(bar, 12, 8, 4, False) == 8  # (never before the floor, its bar line)


def test_a_minor_tune_that_sings_its_flat_seventh_gets_no_major_dominant():
    """A minor (normalized): a tune that sings G natural and never G# is given no E major
    chord (its G# would sound against the tune's G); one that sings neither keeps it."""
    natural = tc.chord_pitch_classes(line([9, 0, 4, 7, 9]), True, set(range(12)))
    assert 8 not in natural
    assert 4 not in {c.root for c in tc.chord_candidates(natural, True)
                     if frozenset({4, 8, 11}) == c.pcs}
    plain = tc.chord_pitch_classes(line([9, 0, 4, 2, 9]), True, set(range(12)))
    assert 8 in plain


def test_a_figure_that_fits_the_tonic_and_another_chord_alike_gets_the_tonic():
    """A minor (normalized): a bar of E's fits A minor, E minor and C alike; an accompanist
    plays the tonic (a review heard an E Dorian reel's "B e e d" set over B minor, v)."""
    assert plan(line([4] * 8), 4, 16, minor=True) == [9, 9, 9, 9]
