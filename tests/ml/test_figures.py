"""A piano's left-hand figure heard in a sketch and played on in a continuation (ml/figures.py)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from composer_gui.ml import figures
from composer_gui.ml.figures import Chord, find_figure, voicing
from composer_gui.ml.sampler import GenerationRequest, load_sampler
from composer_gui.music.clefs import split_hands
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score, TimeSignature

WALTZ_BAR = 3 * TPQ
BAR = 4 * TPQ
E8 = TPQ // 2


def bars(n: int, length: int) -> list[tuple[int, int]]:
    return [(b * length, (b + 1) * length) for b in range(n)]


def oom_pah_pah(roots: list[int]) -> list[Note]:
    chords = {41: (53, 57), 43: (55, 58), 36: (52, 58), 38: (53, 57)}
    return [Note(b * WALTZ_BAR, r, TPQ) for b, r in enumerate(roots)] + [
        Note(b * WALTZ_BAR + k * TPQ, p, TPQ) for b, r in enumerate(roots) for k in (1, 2)
        for p in chords[r]]


def alberti(triads: list[tuple[int, int, int]]) -> list[Note]:
    """An Alberti bass, a triad (low, middle, top) each half bar: low, top, middle, top."""
    return [Note(h * 2 * TPQ + k * E8, (lo, top, mid, top)[k], E8)
            for h, (lo, mid, top) in enumerate(triads) for k in range(4)]


def waltz(bars_: int = 4) -> Score:
    bar = WALTZ_BAR
    tune = [Note(b * bar, p, 2 * TPQ) for b, p in enumerate([72, 77, 76, 74, 72, 77][:bars_])] + [
        Note(b * bar + 2 * TPQ, p, TPQ) for b, p in enumerate([74, 76, 74, 72, 70, 76][:bars_])]
    left = oom_pah_pah([41, 41, 43, 36, 41, 41][:bars_])
    return Score(parts=(Part(tuple(sorted(tune + left)), name="Piano", clef="grand"),),
                 time_signatures=(TimeSignature(0, 3, 4),),
                 key_signatures=(KeySignature(0, -1),))


def sonatina() -> Score:
    tune = [Note(b * BAR + k * TPQ, p, TPQ)
            for b, line in enumerate([(72, 76, 79, 76), (77, 76, 74, 72), (71, 74, 77, 74),
                                      (72, 76, 79, 72)]) for k, p in enumerate(line)]
    left = alberti([(48, 52, 55), (48, 52, 55), (48, 53, 57), (48, 52, 55), (47, 50, 55),
                    (47, 50, 53), (48, 52, 55), (48, 52, 55)])
    return Score(parts=(Part(tuple(sorted(tune + left)), name="Piano", clef="grand"),),
                 time_signatures=(TimeSignature(0, 4, 4),))


def test_an_oom_pah_pah_is_a_bars_figure_of_a_bass_and_two_chords():
    fig = find_figure(oom_pah_pah([41, 41, 43, 36]), bars(4, WALTZ_BAR), TPQ, 4 * WALTZ_BAR)
    assert fig is not None and fig.period == WALTZ_BAR and fig.unit == "a bar"
    assert [(s.offset, s.ranks) for s in fig.slots] == [(0, (0,)), (TPQ, (1, 2)),
                                                        (2 * TPQ, (1, 2))]
    assert fig.anchor == (36, 52, 58)  # (the last bar's)


def test_an_alberti_bass_is_a_half_bars_figure_not_a_beats():
    """Low, top, middle, top: read a beat at a time, C-G and E-G would both be a two-note
    figure; a bar under two chords repeats no bar; so it is the half bar's."""
    fig = find_figure(alberti([(48, 52, 55), (48, 53, 57), (47, 50, 55), (48, 52, 55)]),
                      bars(2, BAR), TPQ, 2 * BAR)
    assert fig is not None and fig.period == 2 * TPQ
    assert [s.ranks for s in fig.slots] == [(0,), (2,), (1,), (2,)]


def test_moving_lines_and_held_chords_are_no_figure():
    # a hymn's tenor and bass: a chord a beat, the voices moving
    lines = [Note(t * TPQ, b, TPQ) for t, b in enumerate([43, 48, 50, 52, 43, 50, 45, 43])] + \
        [Note(t * TPQ, p, TPQ) for t, p in enumerate([55, 55, 57, 59, 59, 54, 57, 55])]
    assert find_figure(lines, bars(2, BAR), TPQ, 2 * BAR) is None
    held = [Note(b * BAR, p, BAR) for b in range(4) for p in (48, 52, 55)]
    assert find_figure(held, bars(4, BAR), TPQ, 4 * BAR) is None


def test_a_figure_is_heard_though_its_last_bar_misses_a_note():
    """A nocturne's arpeggio whose last bar lost a note to the right hand (a note struck by
    both hands) is still the figure of the bars before it."""
    up = (40, 47, 55, 59, 64, 59, 55, 47)
    notes = [Note(b * BAR + k * E8, p, E8) for b in range(4) for k, p in enumerate(up)
             if not (b == 3 and k == 4)]
    fig = find_figure(notes, bars(4, BAR), TPQ, 4 * BAR)
    assert fig is not None and [s.ranks for s in fig.slots] == [(r,) for r in
                                                                (0, 1, 2, 3, 4, 3, 2, 1)]


def played(notes: list[Note], seed: int = 3) -> list[Note]:
    """The notes as a keyboard records them: each struck up to 28 ticks early or late (some
    a little before the bar line) and let go after 70 to 100% of its value."""
    import random
    rng = random.Random(seed)
    return [Note(max(0, n.start + rng.randint(-28, 28)), n.pitch,
                 round(n.duration * rng.uniform(0.7, 1.0))) for n in notes]


def test_a_figure_played_on_a_keyboard_is_heard_and_written_in_whole_values():
    """A recording's broken chords, struck unevenly and let go early, are the figure a
    score of them is (a review's one-track recordings had shown none, and were continued as
    chorale voices), each note held to the next."""
    up = (41, 48, 57, 48)
    notes = [Note(h * 2 * TPQ + k * E8, p, E8) for h in range(8) for k, p in enumerate(up)]
    fig = find_figure(played(notes), bars(4, BAR), TPQ, 4 * BAR)
    assert fig is not None and [(s.offset % (2 * TPQ), s.ranks) for s in fig.slots] == [
        (k * E8 % (2 * TPQ), (r,)) for k, r in enumerate((0, 1, 2, 1) * (fig.period // TPQ // 2))]
    assert {s.duration for s in fig.slots} == {E8}
    # an oom-pah-pah whose "oom" comes a little early, before the bar line
    waltz_notes = played(oom_pah_pah([41, 41, 43, 36]), seed=5)
    assert any(n.start % WALTZ_BAR > WALTZ_BAR - 30 for n in waltz_notes)
    fig = find_figure(waltz_notes, bars(4, WALTZ_BAR), TPQ, 4 * WALTZ_BAR)
    assert fig is not None and [(s.offset, s.ranks, s.duration) for s in fig.slots] == [
        (0, (0,), TPQ), (TPQ, (1, 2), TPQ), (2 * TPQ, (1, 2), TPQ)]


def test_a_figure_written_short_keeps_its_written_values():
    """A "pah" written as an eighth and an eighth's rest is held as written."""
    notes = [replace(n, duration=E8) if n.start % WALTZ_BAR else n
             for n in oom_pah_pah([41, 41, 43, 36])]
    fig = find_figure(notes, bars(4, WALTZ_BAR), TPQ, 4 * WALTZ_BAR)
    assert fig is not None and [s.duration for s in fig.slots] == [TPQ, E8, E8]


def test_a_voicing_rises_from_the_bass_under_the_ceiling_and_keeps_its_place():
    anchor = (48, 52, 55)  # C3 E3 G3
    got = voicing(Chord(53, frozenset({5, 9, 0}), 59), anchor, anchor)  # F major, bass F3
    assert got[0] % 12 == 5 and got == sorted(set(got)) and max(got) <= 59
    assert len(got) == 3 and all(p % 12 in {5, 9, 0} for p in got)
    assert got[0] == 41  # (F2: under the hand, where F3 left no room for two notes above)
    # the model's bass walking up an octave: the figure's bass keeps under the hand
    assert voicing(Chord(60, frozenset({0, 4, 7}), 59), anchor, anchor)[0] == 48


@pytest.fixture(scope="module")
def sampler(tiny_voice_model):
    return load_sampler(tiny_voice_model)


def left_hand(score: Score) -> list[Note]:
    return split_hands(score.parts[0].notes, score.parts[0].staff_split)[1]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_waltz_continued_keeps_its_oom_pah_pah(sampler, seed):
    """Every new bar of the left hand: one bass note on the downbeat under two-note chords on
    beats 2 and 3, below middle C, in the piano's own part (the model's chorale voices had
    made it held chords: a trial's piano sketches)."""
    score = waltz()
    (r,) = sampler.generate(score, GenerationRequest(bars=4, seed=seed, end="free"))
    assert any("keeps its figure" in w for w in sampler.warnings)
    assert len(r.parts) == 1
    new = [x for x in left_hand(r) if x.start >= score.end_tick]
    assert new and all(x.pitch < 60 for x in new)
    for b in range(4, 8):
        here = [x for x in new if b * WALTZ_BAR <= x.start < (b + 1) * WALTZ_BAR]
        onsets = sorted({x.start - b * WALTZ_BAR for x in here})
        assert onsets == [0, TPQ, 2 * TPQ], (b, here)
        oom = [x for x in here if x.start == b * WALTZ_BAR]
        pahs = [x for x in here if x.start > b * WALTZ_BAR]
        assert len(oom) == 1 and all(p.pitch > oom[0].pitch for p in pahs)
        assert all(x.duration == TPQ for x in here)


def test_a_waltz_played_on_a_keyboard_continues_on_the_bar_line_in_its_figure(sampler):
    """A recording, struck unevenly, its last notes let go a little after the last bar
    line: the continuation starts on that line, its bars whole, in the waltz's figure (a
    review's recordings were continued from a sixteenth into the next bar, in chorale
    voices, their phrases a beat late)."""
    score = waltz()
    part = score.parts[0]
    notes = played(list(part.notes), seed=7)
    end = 4 * WALTZ_BAR
    notes = [replace(n, duration=end + 20 - n.start) if n.end > end - TPQ else n for n in notes]
    score = replace(score, parts=(replace(part, notes=tuple(sorted(notes))),))
    assert end < score.end_tick < end + TPQ // 4
    (r,) = sampler.generate(score, GenerationRequest(bars=4, seed=2, end="free"))
    assert any("keeps its figure" in w for w in sampler.warnings)
    new = [x for x in left_hand(r) if x.start >= end]
    assert min(x.start for x in new) == end
    assert max(x.end for x in r.notes) == 8 * WALTZ_BAR
    for b in range(4, 8):
        assert sorted({x.start - b * WALTZ_BAR for x in new
                       if b * WALTZ_BAR <= x.start < (b + 1) * WALTZ_BAR}) == [0, TPQ, 2 * TPQ]


@pytest.mark.parametrize("seed", [1, 2])
def test_a_one_track_waltz_whose_pah_reaches_over_middle_c_keeps_its_register(sampler, seed):
    """A waltz on one track whose "pah" is A3 C4 F4 under a tune on C5 to F5: its hands are
    divided as a pianist's (music.hands), the chord in the left hand, and the continued left
    hand plays it where it lay. (Heard over the hand's ceiling at middle C, the figure was
    played an octave down, a review's waltz continued with its bass on D1 and F1.)"""
    chords = {41: (57, 60, 65), 36: (55, 60, 64), 43: (58, 62, 67)}
    roots = [41, 36, 43, 41]
    left = [Note(b * WALTZ_BAR, r, TPQ) for b, r in enumerate(roots)] + [
        Note(b * WALTZ_BAR + k * TPQ, p, TPQ) for b, r in enumerate(roots) for k in (1, 2)
        for p in chords[r]]
    tune = [Note(b * WALTZ_BAR, p, 2 * TPQ) for b, p in enumerate([72, 76, 74, 77])] + [
        Note(b * WALTZ_BAR + 2 * TPQ, p, TPQ) for b, p in enumerate([74, 72, 79, 76])]
    score = Score(parts=(Part(tuple(sorted(tune + left)), name="Piano", clef="grand"),),
                  time_signatures=(TimeSignature(0, 3, 4),),
                  key_signatures=(KeySignature(0, -1),))
    assert sorted(left_hand(score)) == sorted(left)
    (r,) = sampler.generate(score, GenerationRequest(bars=4, seed=seed, end="free"))
    assert any("keeps its figure" in w for w in sampler.warnings)
    new = [x for x in left_hand(r) if x.start >= score.end_tick]
    basses = [x.pitch for x in new if x.start % WALTZ_BAR == 0]
    assert len(basses) == 4 and min(basses) >= 36 - 5, basses
    assert any(x.pitch >= 60 for x in new if x.start % WALTZ_BAR)


def test_without_the_rule_a_waltz_continued_is_chorale_voices(sampler, monkeypatch):
    """(The test above can fail: with the figure off, the left hand is the model's voices.)"""
    monkeypatch.setattr(figures, "PIANO_FIGURES", False)
    score = waltz()
    (r,) = sampler.generate(score, GenerationRequest(bars=4, seed=1, end="free"))
    assert not any("keeps its figure" in w for w in sampler.warnings)
    new = [x for x in left_hand(r) if x.start >= score.end_tick]
    shapes = {tuple(sorted({x.start % WALTZ_BAR for x in new
                            if b * WALTZ_BAR <= x.start < (b + 1) * WALTZ_BAR}))
              for b in range(4, 8)}
    assert shapes != {(0, TPQ, 2 * TPQ)}


def test_an_alberti_bass_continued_in_eighths_on_the_models_chords(sampler):
    """A one-line left hand (the bass voice alone; the alto and tenor sampled, not written):
    every new half bar is low, top, middle, top in eighths, on three pitch classes."""
    score = sonatina()
    (r,) = sampler.generate(score, GenerationRequest(bars=2, seed=4, end="free"))
    new = sorted(x for x in left_hand(r) if x.start >= score.end_tick)
    assert len(new) == 16 and [x.start - score.end_tick for x in new] == \
        [k * E8 for k in range(16)]
    for h in range(4):
        lo, top, mid, top2 = (x.pitch for x in new[4 * h:4 * h + 4])
        assert lo < mid < top == top2


@pytest.mark.parametrize("seed", [1, 2])
def test_a_waltz_that_closes_ends_its_figure_on_the_final_chord_held(sampler, seed):
    """With the cadence, the last bar's left hand is the final chord struck on the downbeat,
    its bass the lowest, held to the end (an alternating bass had put a march's final tonic
    over its fifth: a review); the bars before keep the figure."""
    score = waltz()
    (r,) = sampler.generate(score, GenerationRequest(bars=4, seed=seed))
    last = 7 * WALTZ_BAR
    final = [x for x in left_hand(r) if x.start >= last]
    assert len(final) >= 2 and {x.start for x in final} == {last}
    assert all(x.end == 8 * WALTZ_BAR for x in final)
    before = [x for x in left_hand(r) if 6 * WALTZ_BAR <= x.start < last]
    assert sorted({x.start - 6 * WALTZ_BAR for x in before}) == [0, TPQ, 2 * TPQ]
    # (the final sonority, both hands, has its chord's third: FINAL_THIRD_FILLED)
    bass = min(final, key=lambda x: x.pitch).pitch % 12
    sounding = {x.pitch % 12 for x in r.parts[0].notes if x.start <= last < x.end}
    assert sounding & {(bass + 3) % 12, (bass + 4) % 12}, sorted(sounding)


def test_the_right_hand_fills_a_bare_final_chord_under_its_last_note():
    """FINAL_THIRD_FILLED: a waltz's final E2 B2 E3 under the tune's E5: the right hand adds
    G#4 under it; over a left hand of the octave alone, the fifth B4 too; a left hand that has
    the third, or a tune too low for a note under it above its staff's floor, adds none."""
    e_major = Chord(40, frozenset({4, 8, 11}), 59, frozenset({4}))
    assert figures.final_fill(76, e_major, [40, 47, 52], 60) == [68]
    assert figures.final_fill(76, e_major, [40, 52], 60) == [68, 71]
    assert figures.final_fill(76, e_major, [40, 44, 47], 60) == []
    f_major = Chord(41, frozenset({5, 9, 0}), 59, frozenset({5}))
    assert figures.final_fill(65, f_major, [41, 48, 53], 60) == []  # (A3: the left staff's)


def test_the_left_hand_takes_the_third_a_tenth_up_where_the_right_hand_cannot():
    """FINAL_TENTH: a march's tune comes home to F4, too near middle C for the third under it
    on its staff, over F2 C3 F3: the left hand's octave F3 moves to A3, a tenth over the bass
    (root, fifth, tenth). Where the right hand has the third, where the tenth lies over the
    hand's ceiling, or where the hand doubles nothing, the chord stays as it is."""
    f_major = Chord(41, frozenset({5, 9, 0}), 59, frozenset({5}))
    assert figures.final_tenth([41, 48, 53], f_major, {5}) == [41, 48, 57]
    assert figures.final_tenth([41, 48, 53], f_major, {5, 9}) == [41, 48, 53]
    assert figures.final_tenth([41, 48, 53], replace(f_major, ceiling=56), {5}) == [41, 48, 53]
    assert figures.final_tenth([41, 48], f_major, {5}) == [41, 48]
    e_minor = Chord(40, frozenset({4, 7, 11}), 59, frozenset({4}))
    assert figures.final_tenth([40, 47, 52], e_minor, {4}) == [40, 47, 55]


@pytest.mark.parametrize("on", [True, False])
def test_a_waltz_that_comes_home_near_middle_c_ends_on_a_chord_with_its_third(
        sampler, monkeypatch, on):
    """The waltz's tune a fourth lower closes on F4, with no room for A3 on its staff: the
    final chord is F2 C3 A3 under it (FINAL_TENTH), not the bare F2 C3 F3 it was."""
    monkeypatch.setattr(figures, "FINAL_TENTH", on)
    score = waltz()
    part = score.parts[0]
    low = tuple(replace(x, pitch=x.pitch - 7) if x.pitch >= 60 else x for x in part.notes)
    score = replace(score, parts=(replace(part, notes=low),))
    (r,) = sampler.generate(score, GenerationRequest(bars=4, seed=1))
    last = 7 * WALTZ_BAR
    final = sorted(x.pitch for x in r.parts[0].notes if x.start <= last < x.end)
    assert final[-1] == 65 and final[0] == 41, final  # (F4 over F2)
    assert (57 in final) == on and (53 in final) != on, final


def test_a_march_keeps_its_bass_on_the_downbeat_over_its_fifth_below():
    """Root on the downbeat, the fifth below on the next: the model's bass goes to the
    downbeat's slot, and the note below it is a chord tone under it."""
    march = [Note(b * BAR, r, TPQ) for b, r in enumerate([41, 41])] + \
        [Note(b * BAR + 2 * TPQ, r - 5, TPQ) for b, r in enumerate([41, 41])] + \
        [Note(b * BAR + k * TPQ, p, TPQ) for b in range(2) for k in (1, 3) for p in (45, 48)]
    fig = find_figure(march, bars(2, BAR), TPQ, 2 * BAR)
    assert fig is not None and fig.anchor == (36, 41, 45, 48) and fig.bass_rank == 1
    got = voicing(Chord(43, frozenset({7, 11, 2}), 59), fig.anchor, fig.anchor, fig.low,
                  fig.bass_rank)  # G major, the model's bass on G
    assert got[1] % 12 == 7 and got[0] < got[1] < got[2] < got[3]
    assert got[0] % 12 == 2  # (its fifth below, a bass note: not its third)
    # C7 without its third, the model's bass on C: the fifth below, G1, lies under the hand's
    # floor (LOWEST_BASS), and the seventh B-flat1 is no bass: C3 over G2 (LOW_BASS_COST)
    got = voicing(Chord(48, frozenset({0, 7, 10}), 59), fig.anchor, fig.anchor, fig.low,
                  fig.bass_rank)
    assert got[1] % 12 == 0 and got[0] % 12 in (0, 7) and got[0] < got[1], got


def test_two_candidates_the_figure_plays_alike_are_alike():
    """FIGURE_CHORDS_DISTINCT: a region's candidates are compared as the left hand plays them.
    Two whose voices differ only where the figure does not show it (the inner voice struck
    again on the same pitch) are alike; one on another chord is not. Compared as voices, a
    march's Regenerate of its left hand had offered two variations alike in 15 of 24 runs."""
    from composer_gui.ml import voice_sampler as vs
    from composer_gui.ml.sampler import GeneratedNote

    march = [Note(b * BAR, r, TPQ) for b, r in enumerate([41, 41])] + \
        [Note(b * BAR + 2 * TPQ, r - 5, TPQ) for b, r in enumerate([41, 41])] + \
        [Note(b * BAR + k * TPQ, p, TPQ) for b in range(2) for k in (1, 3) for p in (45, 48)]
    fig = find_figure(march, bars(2, BAR), TPQ, 2 * BAR)
    plan = figures.FigurePlan(fig, 2 * BAR, 3 * BAR, hand=(1, 2, 3), heard=(), upper=(0,),
                              kept_upper=(), beat=TPQ, unit=2 * TPQ, ceiling=59)

    def cand(chord, restruck=False):
        lo, mid, top = chord
        inner = [Note(2 * BAR, mid, 2 * TPQ), Note(2 * BAR + 2 * TPQ, mid, 2 * TPQ)] \
            if restruck else [Note(2 * BAR, mid, BAR)]
        return [GeneratedNote(0, Note(2 * BAR, top, BAR), 0, voice=1)] + \
            [GeneratedNote(0, x, 0, voice=2) for x in inner] + \
            [GeneratedNote(0, Note(2 * BAR, lo, BAR), 0, voice=3)]

    f_major, again, b_flat = cand((41, 45, 48)), cand((41, 45, 48), True), cand((46, 50, 53))
    assert vs._written(f_major, []) != vs._written(again, [])
    assert vs._written(f_major, [], plan) == vs._written(again, [], plan)
    assert vs._written(f_major, [], plan) != vs._written(b_flat, [], plan)
    assert figures.figure_heard(plan, f_major)


def test_a_walking_bass_is_a_line_not_a_figure():
    walk = [Note(b * BAR + k * TPQ, p, TPQ) for b in range(4)
            for k, p in enumerate((48, 50, 52, 53))]
    assert find_figure(walk, bars(4, BAR), TPQ, 4 * BAR) is None


def test_a_figure_taken_up_in_the_last_two_bars_is_the_figure():
    held = [Note(b * WALTZ_BAR, p, WALTZ_BAR) for b in range(2) for p in (41, 53, 57)]
    later = [replace(x, start=x.start + 2 * WALTZ_BAR) for x in oom_pah_pah([41, 43])]
    fig = find_figure(held + later, bars(4, WALTZ_BAR), TPQ, 4 * WALTZ_BAR)
    assert fig is not None and len(fig.slots) == 3


def test_a_chord_with_a_passing_note_keeps_its_chord_tones():
    assert figures.chord_tones(7, frozenset({7, 10, 2, 4, 9})) == {7, 10, 2, 4}
    assert figures.chord_tones(0, frozenset({0, 4, 7})) == {0, 4, 7}
    assert figures.chord_tones(7, frozenset({7, 10, 9, 4})) == {7, 9, 4}


def test_a_region_of_the_left_hand_is_played_in_its_figure(sampler):
    """Regenerate of a waltz's left hand in bars 5-6 (its tune kept): the new bars are
    oom-pah-pah too, and nothing outside them moves."""
    score = waltz(6)
    lo, hi = 4 * WALTZ_BAR, 6 * WALTZ_BAR
    (r,) = sampler.generate(score, GenerationRequest(start_tick=lo, end_tick=hi, seed=2,
                                                     parts=(0,), hand=1))
    outside = [x for x in r.parts[0].notes if not lo <= x.start < hi]
    assert outside == [x for x in score.parts[0].notes if not lo <= x.start < hi]
    new = [x for x in left_hand(r) if lo <= x.start < hi]
    for b in (4, 5):
        assert sorted({x.start - b * WALTZ_BAR for x in new
                       if b * WALTZ_BAR <= x.start < (b + 1) * WALTZ_BAR}) == [0, TPQ, 2 * TPQ]


def test_a_bass_and_one_note_are_heard_as_their_triad():
    assert figures.whole_triad(7, frozenset({7, 11})) == {7, 11, 2}  # G-B: G major
    assert figures.whole_triad(7, frozenset({7, 10})) == {7, 10, 2}  # G-Bb: G minor
    assert figures.whole_triad(7, frozenset({7, 4})) == {7, 4, 11}  # G-E: E minor over G
    assert figures.whole_triad(7, frozenset({7, 3})) == {7, 3, 10}  # G-Eb: E-flat over G
    assert figures.whole_triad(7, frozenset({7, 2})) == {7, 2}  # an open fifth stays
    assert figures.whole_triad(7, frozenset({7, 11, 2})) == {7, 11, 2}


@pytest.mark.parametrize("seed", [1, 2])
def test_a_region_of_an_alberti_bass_strikes_every_eighth_on_a_chord(sampler, seed):
    """Regenerate of a one-line left hand (the alto and tenor sampled for its chords, as in a
    continuation): every eighth of the region struck, low-top-middle-top, the tune kept (the
    region's Alberti bass had struck one note four times, or rested: a review). A top note
    that would rub a semitone against the tune struck over it is left for its beat's own
    chord there (realize, _rubs)."""
    score = sonatina()
    lo, hi = BAR, 3 * BAR
    (r,) = sampler.generate(score, GenerationRequest(start_tick=lo, end_tick=hi, seed=seed,
                                                     parts=(0,), hand=1))
    tune = split_hands(r.parts[0].notes, ())[0]
    assert tune == split_hands(score.parts[0].notes, ())[0]
    new = sorted(x for x in left_hand(r) if lo <= x.start < hi)
    assert [x.start for x in new] == list(range(lo, hi, E8))
    for h in range(4):
        low, top, mid, last = new[4 * h:4 * h + 4]
        assert low.pitch < mid.pitch < top.pitch
        over = {x.pitch % 12 for x in tune if x.start <= last.start < x.end}
        rubs = any((top.pitch - p) % 12 in (1, 11) for p in over)
        assert last.pitch == top.pitch or rubs, (h, [x.pitch for x in new])


def test_a_bare_bass_fifth_or_seventh_is_heard_as_the_keys_triad_on_it():
    c_major = frozenset({0, 2, 4, 5, 7, 9, 11})
    assert figures.key_triad(7, frozenset({7}), c_major) == {7, 11, 2}  # G: G major
    assert figures.key_triad(2, frozenset({2, 9}), c_major) == {2, 5, 9}  # D-A: D minor
    assert figures.key_triad(11, frozenset({11}), c_major) == {11, 2, 5}  # B: diminished
    assert figures.key_triad(7, frozenset({7, 11}), c_major) == {7, 11}  # (a third says)
    a_minor = frozenset({9, 11, 0, 2, 4, 5, 7, 8})  # (with its leading tone)
    assert figures.key_triad(4, frozenset({4}), a_minor) == {4, 8, 11}  # E: E major, V
    assert figures.key_triad(1, frozenset({1}), c_major) == {1}  # (out of the key: as it is)
    assert figures.key_triad(8, frozenset({8}), a_minor) == {8, 11, 2}  # G#: diminished
    assert figures.key_triad(7, frozenset({7, 5}), c_major) == {7, 11, 2, 5}  # G-F: G7
    assert figures.key_triad(0, frozenset({0, 11}), c_major) == {0, 4, 7, 11}  # C-B: Cmaj7
    assert figures.key_triad(7, frozenset({7, 8}), c_major) == {7, 8}  # (a second: as it is)
    assert figures.key_triad(7, frozenset({7, 1}), c_major) == {7, 1}  # (a tritone: as it is)


def test_a_figures_ranks_sound_the_chords_third(monkeypatch):
    """THIRD_IN_RANKS: an Alberti bass (ranks C3 E3 G3 in its sketch) on G7 without its fifth,
    last voiced G2 E3 G3: near where they were, its ranks would be G2 F3 G3, no B; the
    doubled G moves to B3. Where the other hand sounds the B, the ranks stay."""
    g7 = Chord(55, frozenset({7, 11, 5}), 59)
    assert figures.voicing(g7, [43, 52, 55], [48, 52, 55]) == [43, 53, 59]
    b_above = Chord(55, frozenset({7, 11, 5}), 59, frozenset({11}))
    assert figures.voicing(b_above, [43, 52, 55], [48, 52, 55]) == [43, 53, 55]
    monkeypatch.setattr(figures, "THIRD_IN_RANKS", False)
    assert figures.voicing(g7, [43, 52, 55], [48, 52, 55]) == [43, 53, 55]


def test_the_final_chord_is_a_hands_span_without_low_thirds():
    e_flat = Chord(32, frozenset({8, 0, 3}), 59)  # A-flat major over A-flat 1
    assert figures.final_chord(32, e_flat) == [32, 39, 44]  # Ab1 Eb2 Ab2: fifth and octave
    c = Chord(48, frozenset({0, 4, 7}), 59)
    assert figures.final_chord(48, c) == [48, 52, 55]  # C3 E3 G3 (C4 is the right hand's)
    assert all(max(f) - min(f) <= 12 for f in (figures.final_chord(32, e_flat),
                                               figures.final_chord(48, c)))


def test_broken_octaves_stay_octaves_as_the_bass_moves():
    octaves = [Note(b * BAR + k * E8, (43, 55)[k % 2], E8) for b in range(2) for k in range(8)]
    fig = find_figure(octaves, bars(2, BAR), TPQ, 2 * BAR)
    assert fig is not None and fig.anchor == (43, 55)
    for bass, classes in ((47, {11, 2, 7}), (45, {9, 0, 4}), (38, {2, 6, 9, 0})):
        got = voicing(Chord(bass, frozenset(classes), 59), (43, 55), fig.anchor, fig.low)
        assert got[1] - got[0] == 12, (bass, got)


def test_an_alberti_bass_through_a_dominant_seventh_is_a_figure():
    """V6/5 in C: B-F-D-F... and G#2 E3 D3 E3 in A major step to the top note and back; it is
    struck again, so it is a broken chord, not a line."""
    notes = alberti([(48, 52, 55), (48, 52, 55), (47, 50, 53), (47, 50, 53),
                     (48, 52, 55), (48, 52, 55), (44, 50, 52), (45, 49, 52)])
    fig = find_figure(notes, bars(4, BAR), TPQ, 4 * BAR)
    assert fig is not None and [s.ranks for s in fig.slots][:4] == [(0,), (2,), (1,), (2,)]


def test_a_region_of_a_sketch_without_fermatas_writes_none(sampler):
    """A piano's left hand rewritten in the last bars of a sketch that marks no phrase end:
    the close is planned as ever, but no fermata is written over the kept right hand (a review
    found one there, mid-bar)."""
    score = waltz(6)
    for seed in (1, 2, 3):
        (r,) = sampler.generate(score, GenerationRequest(start_tick=4 * WALTZ_BAR,
                                                         end_tick=6 * WALTZ_BAR, seed=seed,
                                                         parts=(0,), hand=1))
        assert r.fermatas == () and sampler.fermatas == [[]]


def test_a_figure_is_named_as_a_pianist_names_it():
    def named(notes, n, length):
        return find_figure(notes, bars(n, length), TPQ, n * length).describe()

    assert named(oom_pah_pah([41, 41, 43, 36]), 4, WALTZ_BAR) == "oom-pah-pah, 3 notes a bar"
    assert named(alberti([(48, 52, 55)] * 2 + [(47, 50, 53)] * 2), 2, BAR) == \
        "an Alberti bass, 8 notes a bar"
    octaves = [Note(k * E8, (43, 55)[k % 2], E8) for k in range(16)]
    assert named(octaves, 2, BAR) == "broken octaves, 8 notes a bar"
    up = [Note(b * BAR + k * E8, p, E8) for b in range(2)
          for k, p in enumerate((40, 47, 55, 59, 64, 59, 55, 47))]
    assert named(up, 2, BAR) == "an arpeggio, 8 notes a bar"
    chords = [Note(k * E8, p, E8) for k in range(16) for p in (48, 52, 55)]
    assert named(chords, 2, BAR) == "repeated chords, 8 notes a bar"


def quarter_waltz(bars_: int = 4) -> Score:
    tune = [Note(b * WALTZ_BAR + k * TPQ, p, TPQ) for b in range(bars_)
            for k, p in enumerate(((72, 74, 76), (77, 76, 74), (72, 71, 72), (74, 76, 77))[b])]
    return Score(parts=(Part(tuple(sorted(tune + oom_pah_pah([41, 41, 43, 36]))),
                             name="Piano", clef="grand"),),
                 time_signatures=(TimeSignature(0, 3, 4),), key_signatures=(KeySignature(0, -1),))


def test_a_pianos_tune_keeps_near_its_sketchs_pace(sampler, monkeypatch):
    """A tune of quarters continued: its pace is the sketch's last bars' (3 onsets a bar over
    12 sixteenths), and the rule keeps the new tune nearer it than the model left alone (the
    bundled model's piano tunes came back as a chorale soprano in half notes; the tiny random
    model's runs in sixteenths)."""
    import composer_gui.ml.voice_sampler as vs
    from composer_gui.ml.voices import plan_voices

    score = quarter_waltz()
    plan = plan_voices(score, ("Soprano", "Alto", "Tenor", "Bass"))
    assert vs._tune_rate(plan, [True] * 4, score, score.end_tick, TPQ // 4) == 3 / 12
    assert vs._tune_rate(plan, [False, True, True, True], score, score.end_tick, TPQ // 4) == 0

    def onsets(gain: float) -> int:
        monkeypatch.setattr(vs, "TUNE_RATE_GAIN", gain)
        total = 0
        for seed in range(1, 5):
            (r,) = sampler.generate(score, GenerationRequest(bars=4, seed=seed, end="free"))
            total += len({x.start for x in split_hands(r.parts[0].notes, ())[0]
                          if x.start >= score.end_tick})
        return total

    per_bar = {gain: onsets(gain) / 16 for gain in (0.0, 2.0)}
    assert abs(per_bar[2.0] - 3) < abs(per_bar[0.0] - 3) and abs(per_bar[2.0] - 3) < 1


def test_a_pianos_tune_keeps_its_sketchs_rhythm(sampler, monkeypatch):
    """TOP_VOICE_RHYTHM: a tune of quarters continued 4 bars (8 seeds) strikes off its beats
    less often with the rule than without it (the tiny random model runs in sixteenths): the
    places in the beat the sketch never strikes cost, as a melody's do."""
    import composer_gui.ml.voice_sampler as vs

    score = quarter_waltz()

    def off_beat_share(on: bool) -> float:
        monkeypatch.setattr(vs, "TOP_VOICE_RHYTHM", on)
        starts = []
        for seed in range(1, 9):
            (r,) = sampler.generate(score, GenerationRequest(bars=4, seed=seed, end="free"))
            starts += sorted({x.start for x in split_hands(r.parts[0].notes, ())[0]
                              if x.start >= score.end_tick})
        return sum(t % TPQ != 0 for t in starts) / len(starts)

    with_rule, without = off_beat_share(True), off_beat_share(False)
    assert with_rule < without / 2, (with_rule, without)


def test_an_onset_that_rubs_against_the_tune_takes_its_beats_chord():
    """The unit's chord (C major, chosen for the bar) under a tune note F on the second beat,
    where the model's own chord there is G7 without its third: the "pah" plays G's notes, not
    C's E against the F; a rub no chord avoids leaves the rubbing note out where others
    remain."""
    fig = find_figure(oom_pah_pah([41, 41, 43, 36]), bars(4, WALTZ_BAR), TPQ, 4 * WALTZ_BAR)
    c_major = Chord(48, frozenset({0, 4, 7}), 59)
    on_f = Chord(48, frozenset({0, 4, 7}), 59, frozenset({5}))
    g_major = Chord(43, frozenset({7, 2, 5}), 59, frozenset({5}))

    def chord_at(t, exact=False):
        if t < TPQ:
            return c_major
        return g_major if exact else on_f

    notes = figures.realize(fig, 0, WALTZ_BAR, chord_at, 80)
    pahs = [x for x in notes if x.start == TPQ]
    assert len(pahs) == 2 and all(x.pitch % 12 in {7, 2, 5} for x in pahs)
    assert not any((x.pitch - 65) % 12 in (1, 11) for x in notes if x.start >= TPQ)
    rub = Chord(48, frozenset({0, 4, 7}), 59, frozenset({1}))
    assert figures._unrubbed({48, 52}, rub) == {52} and figures._unrubbed({48}, rub) == {48}


def test_a_variation_that_would_repeat_anothers_figure_plays_each_beats_chord():
    """Two variations whose voices give the same chord a bar (their inner voices differ only
    within it): the second plays each beat's own chord, so Regenerate offers two left hands,
    not one twice (a review's three variations of one left hand)."""
    from composer_gui.ml.sampler import GeneratedNote

    fig = find_figure(oom_pah_pah([41, 41, 43, 36]), bars(4, WALTZ_BAR), TPQ, 4 * WALTZ_BAR)
    plan = figures.FigurePlan(fig, 4 * WALTZ_BAR, 5 * WALTZ_BAR, (1, 2, 3), (), (0,), (),
                              TPQ, WALTZ_BAR, 59)
    t0 = 4 * WALTZ_BAR
    voices = {0: [Note(t0, 76, WALTZ_BAR)], 3: [Note(t0, 48, WALTZ_BAR)],
              2: [Note(t0, 52, TPQ), Note(t0 + TPQ, 53, 2 * TPQ)],
              1: [Note(t0, 55, TPQ), Note(t0 + TPQ, 57, 2 * TPQ)]}
    stream = [GeneratedNote(var, x, 0, None, None, v) for var in (0, 1)
              for v, xs in voices.items() for x in xs]
    out = list(figures.played(iter(stream), plan))
    hands = [sorted(g.note for g in out if g.variation == var and g.voice != 0)
             for var in (0, 1)]
    assert hands[0] and hands[1] and hands[0] != hands[1]
    assert {x.pitch % 12 for x in hands[1] if x.start > t0} <= {5, 9, 0}  # (F over C)


def test_the_bar_before_a_downbeat_close_plays_its_dominant():
    """DOMINANT_BAR_EXACT: a waltz closing on bar 6's downbeat, the model's bar 5 ii (D minor
    over F) on beats 1-2 and V7 (G B F over G) on beat 3: the "pah" on beat 3 plays the
    dominant's notes (the leading tone B among them), not the bar's one chord, ii; the final
    chord is struck whole on the downbeat."""
    from composer_gui.ml.sampler import GeneratedNote

    fig = find_figure(oom_pah_pah([41, 41, 43, 36]), bars(4, WALTZ_BAR), TPQ, 4 * WALTZ_BAR)
    t0 = 4 * WALTZ_BAR
    plan = figures.FigurePlan(fig, t0, t0 + 2 * WALTZ_BAR, (1, 2, 3), (), (0,), (),
                              TPQ, WALTZ_BAR, 59, t0 + WALTZ_BAR, t0)
    voices = {0: [Note(t0, 74, 2 * TPQ), Note(t0 + 2 * TPQ, 77, TPQ),
                  Note(t0 + WALTZ_BAR, 72, WALTZ_BAR)],
              3: [Note(t0, 41, 2 * TPQ), Note(t0 + 2 * TPQ, 43, TPQ),
                  Note(t0 + WALTZ_BAR, 36, WALTZ_BAR)],
              2: [Note(t0, 50, 2 * TPQ), Note(t0 + 2 * TPQ, 47, TPQ),
                  Note(t0 + WALTZ_BAR, 48, WALTZ_BAR)],
              1: [Note(t0, 57, 2 * TPQ), Note(t0 + 2 * TPQ, 53, TPQ),
                  Note(t0 + WALTZ_BAR, 52, WALTZ_BAR)]}
    stream = [GeneratedNote(0, x, 0, None, None, v) for v, xs in voices.items() for x in xs]
    hand = [g.note for g in figures.played(iter(stream), plan) if g.voice != 0]
    third_beat = {x.pitch % 12 for x in hand if x.start == t0 + 2 * TPQ}
    assert third_beat and 11 in third_beat, sorted(hand)
    assert {x.start for x in hand if x.start >= t0 + WALTZ_BAR} == {t0 + WALTZ_BAR}


def test_an_onset_keeps_its_chords_third():
    """THIRD_KEPT: a "pah" of E-flat3 and E-flat4 on E-flat major, the tune's B-flat over it:
    the doubled E-flat moves to the third, G; an onset that has the third, or a tune that
    sounds it, is left as it is."""
    e_flat = Chord(39, frozenset({3, 7, 10}), 70, frozenset({10}))
    assert figures._with_third({51, 63}, e_flat) == {51, 67}
    assert figures._with_third({51, 55}, e_flat) == {51, 55}
    sung = Chord(39, frozenset({3, 7, 10}), 70, frozenset({7}))
    assert figures._with_third({51, 63}, sung) == {51, 63}


def test_each_closing_beat_sounds_its_chords_third():
    """THIRD_IN_BEAT: an Alberti bass's closing beat on A major, E3 then A3 under the tune's E5
    (the leading tone C# in no hand): its last note above the beat's lowest moves to C#; a beat
    that sounds the third, or whose tune does, is left as it is."""
    a_major = Chord(45, frozenset({9, 1, 4}), 64, frozenset({4}))
    notes = [Note(0, 52, E8), Note(E8, 57, E8)]
    moved = figures._thirds_in_beats(notes, 0, TPQ, lambda t: t // TPQ, lambda t, exact: a_major)
    assert [x.pitch for x in moved] == [52, 61]
    has = [Note(0, 52, E8), Note(E8, 61, E8)]
    assert figures._thirds_in_beats(has, 0, TPQ, lambda t: t // TPQ,
                                    lambda t, exact: a_major) == has
    sung = Chord(45, frozenset({9, 1, 4}), 64, frozenset({1}))
    assert figures._thirds_in_beats(notes, 0, TPQ, lambda t: t // TPQ,
                                    lambda t, exact: sung) == notes


def test_an_onset_is_checked_against_the_tune_it_is_struck_under():
    """A 2/4 march's "pah" on the second eighth of beat 2, the tune moving C5 -> B-flat4 there
    and the model's chord C G A: the A3 that rubs against the B-flat4 struck with it is left
    out, though the beat's own chord (retried for the rub) was read at the beat's C5 (a
    region's march had struck A3 under B-flat4 in 66 of 864 left-hand notes)."""
    from composer_gui.ml.sampler import GeneratedNote

    bar = 2 * TPQ
    march = [Note(b * bar + k * E8, p, E8) for b in range(2)
             for k, ps in enumerate(((41,), (53, 57), (36,), (53, 57))) for p in ps]
    fig = find_figure(march, bars(2, bar), TPQ, 2 * bar)
    assert fig is not None and fig.bass_rank == 1
    t0 = 2 * bar
    plan = figures.FigurePlan(fig, t0, t0 + bar, (1, 2, 3), (), (0,), (), TPQ, TPQ, 59)
    voices = {0: [Note(t0 + k * E8, p, E8) for k, p in enumerate((76, 74, 72, 70))],
              3: [Note(t0, 48, bar)], 2: [Note(t0, 55, bar)], 1: [Note(t0, 57, bar)]}
    stream = [GeneratedNote(0, x, 0, None, None, v) for v, xs in voices.items() for x in xs]
    hand = [g.note for g in figures.played(iter(stream), plan) if g.voice != 0]
    last = [x.pitch for x in hand if x.start == t0 + 3 * E8]
    assert last and not any((p - 70) % 12 in (1, 11) for p in last), hand


def test_a_two_track_pianos_left_hand_keeps_its_figure(sampler):
    """A MIDI file's Right hand and Left hand tracks are one keyboard: the left hand's track
    plays its oom-pah-pah on, in its own part (it had come back as chorale voices)."""
    one = waltz()
    up, low = split_hands(one.parts[0].notes, ())
    score = Score(parts=(Part(tuple(up), name="Right hand"), Part(tuple(low), name="Left hand")),
                  time_signatures=one.time_signatures, key_signatures=one.key_signatures)
    (r,) = sampler.generate(score, GenerationRequest(bars=4, seed=1, end="free"))
    assert any("keeps its figure (oom-pah-pah" in w for w in sampler.warnings)
    assert len(r.parts) == 2
    new = [x for x in r.parts[1].notes if x.start >= score.end_tick]
    for b in range(4, 8):
        assert sorted({x.start - b * WALTZ_BAR for x in new
                       if b * WALTZ_BAR <= x.start < (b + 1) * WALTZ_BAR}) == [0, TPQ, 2 * TPQ]
