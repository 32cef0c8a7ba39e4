"""A score's chord symbols as the harmony the voice sampler writes under a melody: the plan of
which chord stands over which step, its costs, and a tiny model's harmonization that follows
them (and gives its own closes up to them)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from composer_gui.ml import given_chords
from composer_gui.ml.sampler import GenerationRequest, load_sampler
from composer_gui.ml.voice_sampler import VoiceSampler
from composer_gui.music.chord_symbols import chord_tones
from composer_gui.music.score import (
    TPQ,
    ChordSymbol,
    KeySignature,
    Note,
    Part,
    Score,
    TimeSignature,
)

STEP = TPQ // 4  # the voice grid's sixteenth
BAR = 4 * TPQ


def where(s: int) -> tuple[int, int]:
    return s // 16, s % 16


def test_a_symbol_stands_over_each_beat_until_the_next_and_no_chord_over_none():
    symbols = [ChordSymbol(0, "C"), ChordSymbol(BAR + TPQ + TPQ // 2, "G7"),
               ChordSymbol(2 * BAR, "N.C."), ChordSymbol(2 * BAR + 2 * TPQ, "Am/E")]
    plan = given_chords.plan(symbols, 0, 48, STEP, 0, 4, where)
    c, g7, am = (plan[s] for s in (0, 22, 40))

    def steps(chord):
        return sorted(s for s in plan if plan[s].root == chord.root)

    assert steps(c) == [0, 4, 8, 12, 16, 20]
    assert steps(g7) == [22, 24, 28]  # (from its off-beat change)
    assert not any(32 <= s < 40 for s in plan)  # N.C.
    assert steps(am) == [40, 44]
    assert [s for s in sorted(plan) if plan[s].onset] == [0, 22, 40]
    assert (g7.root, g7.bass, sorted(g7.pcs)) == (7, 7, [2, 5, 7, 11])
    assert (am.root, am.bass) == (9, 4)
    # normalized as the sampler's pitches are: in D major (shift -2) "A7" is G7
    a7 = given_chords.plan([ChordSymbol(0, "A7")], 0, 4, STEP, -2, 4, where)[0]
    assert (a7.root, sorted(a7.pcs)) == (7, [2, 5, 7, 11])


def test_four_voices_must_sound_a_chords_root_third_and_seventh_not_its_ninth():
    def ess(text):
        tones = chord_tones(text)
        return sorted((pc - tones.root) % 12 for pc in given_chords.essential(tones))

    assert ess("C") == [0, 4, 7]
    assert ess("G7") == [0, 4, 10]
    assert ess("Dm9") == [0, 3, 10]
    assert ess("Bm7b5") == [0, 3, 6, 10]
    assert ess("Csus4") == [0, 5, 7]


def test_the_bass_costs_least_on_a_slash_chords_bass_and_a_plain_chords_root():
    plain = given_chords.plan([ChordSymbol(0, "F")], 0, 1, STEP, 0, 4, where)[0]
    slash = given_chords.plan([ChordSymbol(0, "F/A")], 0, 1, STEP, 0, 4, where)[0]
    inner, bass, chord = given_chords.costs(plain)
    assert bass[5] < bass[9] < bass[0] < bass[2]  # F, then A (6), then C (6/4), then off
    assert inner[5] == inner[9] == inner[0] == 0 < inner[2]
    _, bass, chord = given_chords.costs(slash)
    assert bass[9] < bass[5] < bass[2] and chord.root == 9


@pytest.fixture(scope="module")
def sampler(tiny_voice_model) -> VoiceSampler:
    return load_sampler(tiny_voice_model)


# a C major melody of two bars, and chords that are not the ones its notes suggest most
TUNE = [72, 71, 72, 74, 76, 74, 72, 71]
CHORDS = ["Am", "E", "Am", "Dm", "Am", "G", "F", "G"]


def lead_sheet(chords=CHORDS) -> Score:
    notes = tuple(Note(i * TPQ, p, TPQ, 80) for i, p in enumerate(TUNE))
    return Score(parts=(Part(notes, name="Flute"),), key_signatures=(KeySignature(0, 0),),
                 chord_symbols=tuple(ChordSymbol(i * TPQ, c) for i, c in enumerate(chords)))


def _kept(results, chords=CHORDS) -> tuple[float, float, float]:
    """(share of the lower voices' notes sounding on each beat that lie in its chord, share of
    beats whose bass is in the chord, share whose bass is the chord's bass)."""
    inside = total = basses = beats = roots = 0
    for r in results:
        for b, text in enumerate(chords):
            tones = chord_tones(text)
            sounding = [[n.pitch for n in p.notes if n.start <= b * TPQ < n.end]
                        for p in r.parts[1:]]
            pcs = [x % 12 for v in sounding for x in v]
            inside += sum(pc in tones.pcs for pc in pcs)
            total += len(pcs)
            beats += 1
            basses += bool(sounding[-1]) and sounding[-1][0] % 12 in tones.pcs
            roots += bool(sounding[-1]) and sounding[-1][0] % 12 == tones.bass
    return inside / total, basses / beats, roots / beats


def test_a_harmonized_melody_keeps_to_its_chord_symbols(sampler):
    """The tiny random model's voices below keep to the symbols' chords, and its bass to
    their roots, where without them they keep to no chord in particular; ``chord_symbols``
    off (``--ignore-chords``) leaves them out."""
    score = lead_sheet()
    on = sampler.generate(score, GenerationRequest(harmonize=True, variations=3, seed=4))
    assert sampler.plan.chords == len(CHORDS)
    off = sampler.generate(score, GenerationRequest(harmonize=True, variations=3, seed=4,
                                                    chord_symbols=False))
    assert sampler.plan.chords == 0
    (in_on, bass_on, root_on), (in_off, bass_off, root_off) = _kept(on), _kept(off)
    assert in_on >= 0.9 and bass_on >= 0.9 and root_on >= 0.5
    assert in_off < in_on - 0.15 and bass_off < bass_on and root_off < root_on
    for r in on:
        assert r.parts[0] == score.parts[0]


def test_a_last_symbol_off_the_tonic_ends_the_harmonization_there(sampler):
    """The cadence option closes a melody that ends on its tonic with V-I; a lead sheet that
    ends it on "Am" (a deceptive close) ends there: its symbols, not the planned cadence,
    decide."""
    score = lead_sheet(["C", "G", "C", "G", "C", "G", "F", "Am"])
    melody = score.parts[0]
    last = melody.notes[-1]
    score = score.with_parts([melody.with_notes(
        (*melody.notes[:-1], dataclasses.replace(last, pitch=72)))])
    for follow in (True, False):
        for r in sampler.generate(score, GenerationRequest(harmonize=True, variations=3, seed=2,
                                                           chord_symbols=follow)):
            final = [max(p.notes, key=lambda n: n.start).pitch % 12 for p in r.parts]
            assert final[-1] == (9 if follow else 0)
            assert set(final) <= ({9, 0, 4} if follow else {0, 4, 7})


def test_symbols_before_the_region_stand_over_it(sampler):
    """Harmonizing bar 2 of the lead sheet: the symbol struck before the region is still in
    force over it, as a bar of one chord after a symbol is."""
    score = dataclasses.replace(lead_sheet(), chord_symbols=(ChordSymbol(0, "F"),))
    results = sampler.generate(score, GenerationRequest(
        harmonize=True, variations=2, seed=1, start_tick=BAR, end_tick=2 * BAR))
    assert sampler.plan.chords == 1
    for r in results:
        assert r.parts[0] == score.parts[0]
        on_beats = [n.pitch % 12 for p in r.parts[1:] for n in p.notes
                    for t in range(BAR, 2 * BAR, TPQ) if n.start <= t < n.end]
        assert len(on_beats) == 12 and sum(pc in (5, 9, 0) for pc in on_beats) >= 11


def test_the_bass_takes_the_symbols_bass_where_it_changes_and_its_third_under_the_root():
    """On the symbol's own step the bass is its root (a slash chord's bass); on a later beat a
    plain chord's third too, where a voice above sounds the root (no rootless chord)."""
    c = given_chords.plan([ChordSymbol(0, "C")], 0, 8, STEP, 0, 4, where)
    cand = np.arange(36, 60)
    above = np.array([[72, 67, 64], [74, 67, 67]])  # (C above / no C above: the root)
    onset, later = (given_chords.masks(c[s]) for s in (0, 4))
    assert {int(p) % 12 for p in cand[onset.bass_allowed(above, cand)[0]]} == {0}
    assert {int(p) % 12 for p in cand[later.bass_allowed(above, cand)[0]]} == {0, 4}
    assert {int(p) % 12 for p in cand[later.bass_allowed(above, cand)[1]]} == {0}
    final = given_chords.masks(c[4], final=True)
    assert {int(p) % 12 for p in cand[final.bass_allowed(above, cand)[0]]} == {0}
    slash = given_chords.masks(given_chords.plan([ChordSymbol(0, "C/G")], 0, 8, STEP, 0, 4,
                                                 where)[4])
    assert {int(p) % 12 for p in cand[slash.bass_allowed(above, cand)[0]]} == {7}
    # (the voice above the bass: a plain chord's third, a slash chord's root, where no voice
    # above has it: a review heard "D/F#" set F#-A-A-F#)
    assert (later.third, slash.third) == (4, 0)
    d = given_chords.masks(given_chords.plan([ChordSymbol(0, "D/F#")], 0, 8, STEP, 0, 4,
                                             where)[0])
    assert d.third == 2 and list(d.third_lacking(np.array([[69, 57], [74, 57]]))) == [True, False]


def test_an_inner_voice_keeps_out_of_fifths_and_octaves_with_the_bass_to_come():
    """The bass on G2 goes to the symbol's C: a tenor on D4 (a fifth over it) does not take G
    (fifths D/G -> G/C), nor a tenor on G3 a C (octaves); other notes stay."""
    c = given_chords.masks(given_chords.plan([ChordSymbol(0, "C")], 0, 8, STEP, 0, 4,
                                             where)[0])
    cand = np.arange(48, 72)
    ok = c.no_parallels(np.array([62, 55]), np.array([43, 43]), cand)
    assert not ok[0, cand == 67].any() and not ok[0, cand == 55].any()
    assert ok[0, cand == 64].all() and ok[0, cand == 60].all()
    assert not ok[1, cand == 60].any() and ok[1, cand == 55].all()


def test_under_a_symbol_the_bass_pays_for_octave_leaps_and_a_voice_for_a_unison():
    cur = np.array([[72, 64, 55, 48]])
    cand = np.arange(36, 72)
    bass = given_chords.voice_cost(3, 4, cur, cand)[0]
    assert bass[cand == 36] > 0 and bass[cand == 60] > 0 and bass[cand == 43] == 0
    tenor = given_chords.voice_cost(2, 4, cur, cand)[0]
    assert tenor[cand == 49] > 0 and tenor[cand == 61] > 0  # (tritones from G3)
    assert tenor[cand == 64] > 0 and tenor[cand == 60] == 0  # (the alto's E4)


def test_a_continuation_follows_the_symbols_over_its_bars_not_the_last_one(sampler):
    """Continuing a harmonized lead sheet that ends on "G" (V): the G no longer stands over
    every new bar (a review heard four bars of a C pedal after a "C" in F, ending off the
    tonic); a symbol typed ahead over the new bars is followed."""
    (harmonized,) = sampler.generate(lead_sheet(), GenerationRequest(harmonize=True, seed=4))
    end = harmonized.end_tick
    assert harmonized.chord_symbols[-1].text == "G"
    for seed in (1, 2):
        (r,) = sampler.generate(harmonized, GenerationRequest(bars=2, seed=seed, end="free"))
        assert sampler.plan.chords == 0
        basses = [min(n.pitch for p in r.parts for n in p.notes if n.start <= t < n.end) % 12
                  for t in range(end, end + 2 * BAR, TPQ)]
        assert basses.count(7) < len(basses) - 2, basses
    ahead = dataclasses.replace(harmonized, chord_symbols=(
        *harmonized.chord_symbols, ChordSymbol(end + BAR, "F")))
    (r,) = sampler.generate(ahead, GenerationRequest(bars=2, seed=1, end="free"))
    assert sampler.plan.chords == 1
    bass = min((n for p in r.parts for n in p.notes if n.start <= end + BAR < n.end),
               key=lambda n: n.pitch)
    assert bass.pitch % 12 == 5


def test_a_symbol_between_a_quick_tunes_chord_changes_is_struck(sampler):
    """A waltz (one chord a bar below a tune in quarters) whose bar 2 says "Gsus4" then "G7"
    on beat 3: the voices below sound the G7 there, not the held sus (a review's "C7sus4
    C7" kept the alto's fourth under the tune's third, and no C7 sounded)."""
    tune = [(76, 79), (79, 77), (76, 72), (74, 71), (72, 72)]  # a half and a quarter a bar
    chords = {0: "C", 3: "Gsus4", 5: "G7", 6: "C", 9: "G7", 12: "C"}
    notes = tuple(Note(b * 3 * TPQ + k * 2 * TPQ, p, (2 - k) * TPQ)
                  for b, bar in enumerate(tune) for k, p in enumerate(bar))
    score = Score(parts=(Part(notes, name="Flute"),),
                  time_signatures=(TimeSignature(0, 3, 4),),
                  key_signatures=(KeySignature(0, 0),),
                  chord_symbols=tuple(ChordSymbol(b * TPQ, c) for b, c in chords.items()))
    at = 5 * TPQ
    for seed in (1, 2, 3):
        (r,) = sampler.generate(score, GenerationRequest(harmonize=True, seed=seed))
        lower = [n for p in r.parts[1:] for n in p.notes if n.start <= at < n.end]
        assert lower and all(n.pitch % 12 in (7, 11, 2, 5) for n in lower), lower
        assert any(n.start == at for n in lower)



def test_a_bass_forced_into_octaves_with_the_tune_may_take_the_chords_third():
    """On a plain symbol's onset the bass takes its root; where every root would move in
    fifths or octaves with a voice above (``free`` bars them: the tune singing the roots, "Am
    B7 Em" under A B E), the chord's third too, and only there; a slash chord's bass and the
    final chord's root stay (a review counted 10 such octaves in 375 bars of lead sheets, 7
    forced by the root); not a dominant's third a voice above sounds, nor in unison."""
    cand = np.arange(36, 60)
    above = np.array([[71, 66, 57]])  # B4 F#4 A3 over "B7"
    b7 = given_chords.masks(given_chords.plan([ChordSymbol(0, "B7")], 0, 1, STEP, 0, 4,
                                              where)[0])
    free = np.ones((1, len(cand)), bool)
    assert set(cand[b7.bass_allowed(above, cand, free)[0]] % 12) == {11}
    free[0, cand % 12 == 11] = False  # every B moves in octaves with the tune
    assert set(cand[b7.bass_allowed(above, cand, free)[0]] % 12) == {11, 3}
    slash = given_chords.masks(given_chords.plan([ChordSymbol(0, "B7/F#")], 0, 1, STEP, 0, 4,
                                                 where)[0])
    free = np.ones((1, len(cand)), bool)
    free[0, cand % 12 == 6] = False
    assert set(cand[slash.bass_allowed(above, cand, free)[0]] % 12) == {6}
    doubled = np.array([[71, 66, 51]])  # (the tenor has D#3: a dominant's leading tone)
    free = np.ones((1, len(cand)), bool)
    free[0, cand % 12 == 11] = False
    assert set(cand[b7.bass_allowed(doubled, cand, free)[0]] % 12) == {11}
    em = given_chords.masks(given_chords.plan([ChordSymbol(0, "Em")], 0, 1, STEP, 0, 4,
                                              where)[0])
    free = np.ones((1, len(cand)), bool)
    free[0, cand % 12 == 4] = False
    assert set(cand[em.bass_allowed(np.array([[76, 59, 55]]), cand, free)[0]]) == {
        40, 52, 43}  # (G doubled, not in unison with the tenor's G3; E major's leading: no)
    assert set(cand[em.bass_allowed(np.array([[76, 59, 55]]), cand, free, leading=7)[0]]
               % 12) == {4}
    final = given_chords.masks(given_chords.plan([ChordSymbol(0, "E")], 0, 1, STEP, 0, 4,
                                                 where)[0], final=True)
    free = np.ones((1, len(cand)), bool)
    free[0, cand % 12 == 4] = False
    assert set(cand[final.bass_allowed(above, cand, free)[0]] % 12) == {4}



def test_between_a_symbols_beats_the_voices_pass_through_the_key_or_the_chord():
    """Each step between the beats a symbol stands over allows the voices below the symbol's
    chord and the key's notes (a minor key's raised sixth and seventh among them), no other
    chromatic note: under "E" in C major its G#, not C# or E-flat; the beats are the symbols'
    own (given_chords.masks). Measured on a review's ten lead sheets x 3: lower-voice notes
    off both the symbol and the key 53 -> 24."""
    symbols = [ChordSymbol(0, "C"), ChordSymbol(TPQ, "E"), ChordSymbol(2 * TPQ, "Bb")]
    steps = given_chords.passing(symbols, 0, 16, STEP, 0, False, lambda s: s % 4 == 0)
    assert sorted(steps) == [s for s in range(16) if s % 4]
    major = [0, 2, 4, 5, 7, 9, 11]
    assert np.flatnonzero(steps[2]).tolist() == major
    assert np.flatnonzero(steps[5]).tolist() == sorted({*major, 8})  # E: G#
    assert np.flatnonzero(steps[9]).tolist() == sorted({*major, 10})  # Bb: its B-flat
    minor = given_chords.passing(symbols[:1], 0, 4, STEP, 0, True, lambda s: s % 4 == 0)
    assert np.flatnonzero(minor[1]).tolist() == sorted({*major, 6, 8})
    assert given_chords.passing(symbols, 4, 8, STEP, 0, False, lambda s: s % 4 == 0).keys() \
        == {5, 6, 7}


def test_a_tune_continued_under_symbols_typed_ahead_keeps_to_their_chords(sampler,
                                                                          monkeypatch):
    """Symbols typed over two empty bars after a tune: the tune written there sounds their
    chords on the beats far more often than without the rule (a review: 20 of 45, chance),
    and a last symbol off the tonic ("G7") ends it there, with no cadence to the tonic."""
    tune = [72, 74, 76, 72, 77, 76, 74, 71]
    score = Score(parts=(Part(tuple(Note(i * TPQ, p, TPQ) for i, p in enumerate(tune)),
                              name="Flute"),), key_signatures=(KeySignature(0, 0),),
                  chord_symbols=tuple(ChordSymbol(t * TPQ, c) for t, c in enumerate(
                      ["C", "F", "C", "G", "F", "C", "Dm", "G"])) + tuple(
                      ChordSymbol(2 * BAR + k * 2 * TPQ, c)
                      for k, c in enumerate(["Am", "Dm", "F", "G7"])))

    def in_chord(follow: bool) -> float:
        monkeypatch.setattr(given_chords, "TUNE_ON_SYMBOLS", follow)
        hit = total = 0
        for seed in range(1, 11):
            (r,) = sampler.generate(score, GenerationRequest(bars=2, seed=seed))
            top = r.parts[0].notes
            for t in range(2 * BAR, 4 * BAR, TPQ):
                sym = max((c for c in score.chord_symbols if c.tick <= t), key=lambda c: c.tick)
                here = [n for n in top if n.start <= t < n.end]
                if here:
                    total += 1
                    hit += here[0].pitch % 12 in chord_tones(sym.text).pcs
        return hit / total

    assert given_chords.closing_symbol(score.chord_symbols, 2 * BAR, 4 * BAR, 0) == "G7"
    assert given_chords.closing_symbol(score.chord_symbols, 0, 6 * TPQ, 0) is None  # (C)
    assert given_chords.closing_symbol(score.chord_symbols[:-1], 2 * BAR, 4 * BAR, 0) is None
    on, off = in_chord(True), in_chord(False)
    assert on >= 0.7 and on > off + 0.1, (on, off)
    monkeypatch.setattr(given_chords, "TUNE_ON_SYMBOLS", True)
    sampler.generate(score, GenerationRequest(bars=2, seed=1))
    assert any("G7, is not on the tonic" in w for w in sampler.warnings)


def test_a_seventh_the_tune_sings_is_left_to_it(sampler, monkeypatch):
    """ "F | C7 | F" under a tune that sings the seventh as it leaves the chord (G, then
    B-flat falling to A): the voices below do not sound B-flat there, since two B-flats could
    not both fall to A (octaves), and a review's tenor, holding it under the tune's, rose to
    C. Where the tune does not sing it (the seventh chord's first half), they do."""
    bar = 3 * TPQ
    tune = [(0, 65, 2), (2, 69, 1), (3, 67, 2), (5, 70, 1), (6, 69, 3)]
    notes = tuple(Note(b * TPQ, p, d * TPQ, 80) for b, p, d in tune)
    score = Score(parts=(Part(notes, name="Flute"),), key_signatures=(KeySignature(0, -1),),
                  time_signatures=(TimeSignature(0, 3, 4),),
                  chord_symbols=(ChordSymbol(0, "F"), ChordSymbol(bar, "C7"),
                                 ChordSymbol(2 * bar, "F")))

    def doubled(results) -> int:
        """Beats of the C7 bar where a voice below sounds B-flat with the tune."""
        return sum(any(n.pitch % 12 == 10 and n.start <= t < n.end for p in r.parts[1:]
                       for n in p.notes)
                   for r in results for t in (bar + 2 * TPQ,))

    def below(results) -> int:
        """Results where a voice below sounds the seventh in the C7 bar at all."""
        return sum(any(n.pitch % 12 == 10 and n.start < 2 * bar and n.end > bar
                       for p in r.parts[1:] for n in p.notes) for r in results)

    request = GenerationRequest(harmonize=True, variations=4, seed=3)
    on = sampler.generate(score, request)
    assert doubled(on) == 0 and below(on) == 0
    monkeypatch.setattr(given_chords, "SUNG_SEVENTH_UNDOUBLED", False)
    off = sampler.generate(score, request)
    assert below(off) >= 3


def test_the_notes_a_melody_sings_for_a_beat_or_leaves_on():
    from composer_gui.ml.melody_plan import Melody
    from composer_gui.ml.voices import HOLD

    # C4 held two steps, D4 one, E4 four (model tokens: pitch + 10 for the test's offset)
    lane = [70, HOLD, 72, 74, HOLD, HOLD, HOLD]
    melody = Melody(lane, [0, 2, 3], {0: 0, 2: 2, 3: 4})
    assert melody.sung(0, 3, 2) == {0, 2}  # (C for two steps; D the last)
    assert melody.sung(1, 3, 2) == {2}  # (C only one step of it)
    assert melody.sung(0, 7, 4) == {4}
