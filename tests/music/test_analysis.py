"""The musical measures of music/analysis.py on small hand-made passages, and on real chorales."""

from __future__ import annotations

import pytest

from composer_gui.music import analysis as A
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score

C_MAJOR = KeySignature(0, 0, "major")
A_MINOR = KeySignature(0, 0, "minor")


def chords(*rows: tuple[int, ...], length: int = TPQ) -> Score:
    """One chord per quarter; each row lists the pitches low to high, one part per voice."""
    voices = max(len(r) for r in rows)
    parts = []
    for v in range(voices):
        notes = [Note(i * length, r[len(r) - 1 - v], length) for i, r in enumerate(rows)
                 if v < len(r)]
        parts.append(Part(tuple(notes), name=f"v{v}"))
    return Score(parts=tuple(parts))


@pytest.mark.parametrize(("pcs", "expected"), [
    ({0, 4, 7}, (0, "maj")), ({9, 0, 4}, (9, "min")), ({11, 2, 5}, (11, "dim")),
    ({7, 11, 2, 5}, (7, "dom7")), ({7, 11, 5}, (7, "dom7")),  # V7 without its fifth
    ({0, 2, 4}, None), ({0, 7}, None), ({0, 1, 2, 3}, None), ({0, 4, 7, 9}, (9, "min7")),
])
def test_chord_root_names_triads_and_sevenths(pcs, expected):
    assert A.chord_root(frozenset(pcs)) == expected


def test_beat_chords_count_only_sonorities_of_three_pitch_classes():
    score = chords((48, 64, 67, 72), (50, 65, 69, 74), (43, 62, 65, 71), (48, 62, 64, 65),
                   (48, 60))
    good, total = A.beat_chord_share(score, 0, score.end_tick)
    assert (good, total) == (3, 4)  # C, Dm, G7; C-D-E-F is no chord; the bare fifth is left out


def test_seventh_chords_on_beats_and_those_no_dominant_or_diminished_seventh():
    score = chords((48, 64, 67, 72), (50, 65, 69, 72), (43, 62, 65, 71), (45, 60, 64, 67),
                   (44, 62, 65, 71), (48, 64, 71, 72), (48, 60))
    # C, Dm7, G7, Am7, G#dim7, Cmaj7 without its fifth; the bare octave is left out
    assert A.seventh_chord_beats(score, 0, score.end_tick) == (5, 3, 6)


def test_an_authentic_cadence_is_root_position_v_to_i():
    v_i = chords((43, 62, 65, 71), (48, 60, 64, 72))
    assert A.authentic_cadences(v_i, C_MAJOR, 0, v_i.end_tick) == 1
    inverted = chords((47, 62, 67, 74), (48, 60, 64, 72))  # V6 - I: not authentic
    assert A.authentic_cadences(inverted, C_MAJOR, 0, inverted.end_tick) == 0
    minor = chords((40, 59, 62, 68), (45, 57, 64, 72))  # E7 (G#) - Am
    assert A.authentic_cadences(minor, A_MINOR, 0, minor.end_tick) == 1
    no_leading_tone = chords((40, 59, 62, 67), (45, 57, 64, 72))  # Em - Am
    assert A.authentic_cadences(no_leading_tone, A_MINOR, 0, no_leading_tone.end_tick) == 0


def test_parallel_fifths_and_octaves_between_the_outer_voices():
    fifths = chords((48, 64, 67), (50, 65, 69))  # C-G to D-A: both up a step
    assert A.outer_voice_parallels(fifths.notes) == 1
    octaves = chords((48, 60, 72), (47, 62, 71))
    assert A.outer_voice_parallels(octaves.notes) == 1
    contrary = chords((48, 64, 67, 72), (43, 62, 67, 74))  # octave to fifth... to an octave apart
    assert A.outer_voice_parallels(contrary.notes) == 0
    oblique = chords((48, 67), (48, 67))  # repeated: nothing moves
    assert A.outer_voice_parallels(oblique.notes) == 0


def test_hidden_fifths_and_octaves_under_a_leaping_top_voice():
    leap = chords((48, 64), (53, 72))  # C3-E4 to F3-C5: both up into a fifth, the top leaping
    assert A.hidden_perfects(leap.notes) == 1
    octave = chords((48, 64), (60, 72))  # ... into an octave
    assert A.hidden_perfects(octave.notes) == 1
    step = chords((48, 64), (53, 65))  # the top steps E4-F4 into an octave: allowed
    assert A.hidden_perfects(step.notes) == 0
    contrary = chords((48, 64), (41, 72))  # the bass falls into the fifth
    assert A.hidden_perfects(contrary.notes) == 0
    parallel = chords((48, 67), (53, 72))  # fifth to fifth: parallels, counted elsewhere
    assert A.hidden_perfects(parallel.notes) == 0


def test_parallels_between_any_two_voices():
    """Soprano C#-D over alto A-B-flat (thirds: nothing), alto A-B-flat over tenor D-E-flat (a
    fifth, both up: one), bass C-D under the soprano (not perfect: nothing)."""
    def part(*pitches):
        return Part(tuple(Note(i * TPQ, p, TPQ) for i, p in enumerate(pitches)))

    score = Score(parts=(part(73, 74), part(69, 70), part(62, 63), part(48, 50)))
    voices = A.part_voices(score)
    assert A.voice_parallels(voices) == 1
    assert A.outer_voice_parallels(score.notes) == 0  # the outer voices: no fifth
    octaves = Score(parts=(part(72, 74), part(67, 67), part(60, 62)))  # S and T an octave, up
    assert A.voice_parallels(A.part_voices(octaves)) == 1
    contrary = Score(parts=(part(72, 74), part(60, 50)))  # octave to octave, contrary motion
    assert A.voice_parallels(A.part_voices(contrary)) == 0


def test_an_eighth_between_the_beats_does_not_hide_fifths_from_beat_to_beat():
    """Alto F#4 -> D#4 over tenor B3 -> (A3) -> G#3: from onset to onset no fifths (the
    passing A3 comes between), from beat to beat a fifth moves to a fifth."""
    alto = Part((Note(0, 66, TPQ), Note(TPQ, 63, TPQ)))
    tenor = Part((Note(0, 59, TPQ // 2), Note(TPQ // 2, 57, TPQ // 2), Note(TPQ, 56, TPQ)))
    score = Score(parts=(alto, tenor))
    voices = A.part_voices(score)
    assert A.voice_parallels(voices) == 0
    assert A.voice_parallels(voices, 0, 2 * TPQ, A.beat_ticks(score, 0, 2 * TPQ)) == 1

def test_voice_crossings_compare_neighbouring_parts():
    crossed = Score(parts=(Part((Note(0, 60, TPQ), Note(TPQ, 55, TPQ))),
                           Part((Note(0, 52, TPQ), Note(TPQ, 57, TPQ))),
                           Part((Note(0, 40, TPQ), Note(TPQ, 41, TPQ)))))
    voices = A.part_voices(crossed)
    assert A.voice_crossings(voices) == (1, 2)


def test_ending_on_the_tonic_chord_or_note():
    assert A.ends_on_tonic(chords((43, 62, 71), (48, 64, 72)).notes, C_MAJOR)
    assert not A.ends_on_tonic(chords((48, 64, 72), (43, 62, 71)).notes, C_MAJOR)
    assert A.ends_on_tonic(chords((45, 61, 69)).notes, A_MINOR)  # a Picardy third
    assert not A.ends_on_tonic(chords((52, 60, 69)).notes, A_MINOR)  # I6/4
    melody = [Note(0, 64, TPQ), Note(TPQ, 62, TPQ), Note(2 * TPQ, 60, 2 * TPQ)]
    assert A.ends_on_tonic(melody, C_MAJOR) and not A.ends_on_tonic(melody[:2], C_MAJOR)


def test_restated_bars_count_exact_repeats_of_an_earlier_bar():
    bar = 4 * TPQ
    motif = [Note(0, 60, TPQ), Note(TPQ, 62, 3 * TPQ)]
    other = [Note(0, 64, 2 * TPQ), Note(2 * TPQ, 65, 2 * TPQ)]
    notes = [*motif, *(Note(n.start + bar, n.pitch, n.duration) for n in other),
             *(Note(n.start + 2 * bar, n.pitch, n.duration) for n in motif),
             *(Note(n.start + 3 * bar, n.pitch + 1, n.duration) for n in motif)]
    score = Score(parts=(Part(tuple(notes)),))
    assert A.restated_bars(score, notes, bar, 4 * bar) == (1, 3)  # bar 3 restates bar 1
    assert A.restated_bars(score, notes, 0, 4 * bar) == (1, 4)


def test_seam_steps_measure_the_outer_voices_into_the_kept_notes():
    score = chords((48, 64, 72), (50, 65, 71), (43, 62, 67))
    assert A.seam_steps(score.notes, 2 * TPQ) == [4, 7]
    assert A.seam_steps(score.notes, 0) == []


def test_real_chorales_meet_the_figures_the_guide_quotes():
    """Bach's own chorales: nearly every beat chord is a triad or seventh, there are cadences and
    (almost) no outer parallels. Guards the definitions against drifting."""
    music21 = pytest.importorskip("music21")
    from composer_gui.music.notation import score_from_music21

    good = total = cadences = parallels = bars = 0
    for name in ("bwv66.6", "bwv1.6", "bwv26.6", "bwv40.8"):
        score = score_from_music21(music21.corpus.parse(name))
        key = score.key_at(0)
        g, t = A.beat_chord_share(score, 0, score.end_tick)
        good, total = good + g, total + t
        cadences += A.authentic_cadences(score, key, 0, score.end_tick)
        parallels += A.outer_voice_parallels(score.notes)
        bars += score.bar_count()
    assert good / total > 0.85
    assert cadences / bars * 8 > 0.5
    assert parallels / bars * 8 < 0.2


def test_doubled_sevenths_count_four_voice_seventh_chords_with_two_sevenths():
    from composer_gui.music.analysis import doubled_sevenths

    def chord(*pitches):
        return [[Note(0, p, TPQ)] for p in pitches]

    assert doubled_sevenths(chord(77, 71, 65, 43), [0]) == (1, 1)  # G7, F twice
    assert doubled_sevenths(chord(77, 71, 62, 43), [0]) == (0, 1)  # G7, F once
    assert doubled_sevenths(chord(72, 67, 64, 48), [0]) == (0, 0)  # a triad
    assert doubled_sevenths(chord(77, 71, 65), [0]) == (0, 0)  # three voices


def test_rising_sevenths_follow_each_voice_of_a_dominant_seventh():
    from composer_gui.music.analysis import rising_sevenths

    g7 = (71, 65, 62, 43)
    up = [[Note(0, g7[0], TPQ), Note(TPQ, 72, TPQ)], [Note(0, 65, TPQ), Note(TPQ, 67, TPQ)],
          [Note(0, 62, TPQ), Note(TPQ, 60, TPQ)], [Note(0, 43, TPQ), Note(TPQ, 48, TPQ)]]
    assert rising_sevenths(up) == (1, 1)
    up[1][1] = Note(TPQ, 64, TPQ)  # F falls to E
    assert rising_sevenths(up) == (0, 1)
    assert rising_sevenths(up, counted=(-1,)) == (0, 0)  # the seventh is the alto's
    assert rising_sevenths(up, counted=(1,)) == (0, 1)
    g42 = [[Note(0, 71, TPQ), Note(TPQ, 72, TPQ)], [Note(0, 67, TPQ), Note(TPQ, 67, TPQ)],
           [Note(0, 62, TPQ), Note(TPQ, 64, TPQ)], [Note(0, 53, TPQ), Note(TPQ, 55, TPQ)]]
    assert rising_sevenths(g42, counted=(-1,)) == (1, 1)  # V4/2, its bass F rises to G


def test_cross_relations_pair_one_letter_spelled_two_ways_in_two_voices():
    """F in the alto, then F# in the soprano a beat later: one false relation; F# in the same
    voice, or two beats later, or G-flat (another letter), is none; unspelled notes are
    skipped."""
    def voices(top: Note) -> list[list[Note]]:
        return [[top], [Note(0, 65, TPQ, spelling="F")]]

    assert A.cross_relations(voices(Note(TPQ, 78, TPQ, spelling="F#")), TPQ) == 1
    assert A.cross_relations(voices(Note(2 * TPQ, 78, TPQ, spelling="F#")), TPQ) == 0
    assert A.cross_relations(voices(Note(TPQ, 78, TPQ, spelling="Gb")), TPQ) == 0
    assert A.cross_relations(voices(Note(TPQ, 78, TPQ)), TPQ) == 0
    same = [[Note(0, 65, TPQ, spelling="F"), Note(TPQ, 66, TPQ, spelling="F#")]]
    assert A.cross_relations(same, TPQ) == 0


def test_false_relations_at_once_count_a_letter_sounding_two_ways_together():
    """The bass's F#3 struck with the tenor's F4, or under it while it is held: one each; one
    after the other (the F ended), in the same voice, or as G-flat: none."""
    tenor = [Note(0, 65, 2 * TPQ, spelling="F")]

    def count(bass: Note) -> int:
        return A.false_relations_at_once([tenor, [bass]])

    assert count(Note(0, 54, TPQ, spelling="F#")) == 1
    assert count(Note(TPQ, 54, TPQ, spelling="F#")) == 1
    assert count(Note(2 * TPQ, 54, TPQ, spelling="F#")) == 0
    assert count(Note(TPQ, 54, TPQ, spelling="Gb")) == 0
    assert A.false_relations_at_once([[*tenor, Note(2 * TPQ, 66, TPQ, spelling="F#")]]) == 0
    assert A.false_relations_at_once([tenor, [Note(TPQ, 54, TPQ, spelling="F#")]],
                                     start=2 * TPQ) == 0


def test_closes_in_root_position_is_a_major_or_minor_triad_over_its_root():
    """C-E-G over C, and C-E alone, close; C major over E, a diminished triad and a seventh
    chord do not."""
    def s(*pitches):
        return A.Sonority(0, pitches)

    assert A.closes_in_root_position(s(48, 64, 67, 72))
    assert A.closes_in_root_position(s(45, 60, 64, 69))  # A minor
    assert A.closes_in_root_position(s(48, 64, 72))  # the fifth left out
    assert not A.closes_in_root_position(s(52, 60, 67, 72))  # first inversion
    assert not A.closes_in_root_position(s(47, 62, 65, 71))  # B diminished
    assert not A.closes_in_root_position(s(43, 59, 62, 65))  # G7


def test_altered_moves_are_augmented_or_diminished_as_spelled():
    from composer_gui.music.analysis import altered_moves

    line = [Note(0, 61, TPQ, 80, "C#"), Note(TPQ, 60, TPQ, 80, "C"),  # a chromatic slide
            Note(2 * TPQ, 65, TPQ, 80, "F"), Note(3 * TPQ, 68, TPQ, 80, "G#"),  # an augmented 2nd
            Note(4 * TPQ, 69, TPQ, 80, "A"), Note(5 * TPQ, 69, TPQ, 80, "A"),  # (no move)
            Note(6 * TPQ, 72, TPQ, 80, "C"), Note(7 * TPQ, 66, TPQ, 80, "F#"),  # a tritone
            Note(8 * TPQ, 67, TPQ, 80, "G"), Note(9 * TPQ, 79, TPQ, 80, "G")]  # an octave
    assert altered_moves([line]) == (3, 8)
    assert altered_moves([line], start=2 * TPQ) == (2, 6)
    flat = [Note(0, 68, TPQ, 80, "Ab"), Note(TPQ, 65, TPQ, 80, "F")]  # a minor third
    sharp = [Note(0, 68, TPQ, 80, "G#"), Note(TPQ, 65, TPQ, 80, "F")]  # an augmented second
    assert altered_moves([flat, sharp]) == (1, 2)
    assert altered_moves([[Note(0, 60, TPQ), Note(TPQ, 61, TPQ)]]) == (0, 0)  # unspelled


def test_wide_spacings_count_upper_voices_more_than_an_octave_apart():
    score = chords((48, 60, 64, 72),  # close: nothing wide
                   (36, 55, 64, 79),  # soprano G5 over alto E4: a 15th
                   (43, 50, 67, 74),  # alto G4 over tenor D3: a 17th (the bass may lie far)
                   (48, 60, 72))  # three voices: not every voice sounds
    voices = [list(p.notes) for p in score.parts]
    assert A.wide_spacings(voices, [0, TPQ, 2 * TPQ, 3 * TPQ]) == ([1, 1], 3)
    assert A.wide_spacings(voices, [0]) == ([0, 0], 1)


def test_suspensions_count_held_dissonances_that_fall_a_step():
    """A note held over a beat (struck half a beat or more before) a fourth, a second or
    ninth, or a seventh over the bass there, falling a step within the beat: 4-3, 9-8, 7-6.
    A held consonance, a dissonance left by leap, and one struck on the beat are none."""
    def line(*notes):  # (beat, pitch, beats)
        return [Note(int(b * TPQ), p, int(d * TPQ)) for b, p, d in notes]

    soprano = line((0, 76, 4))
    alto = line((0, 72, 1.5), (1.5, 71, 0.5), (2, 74, 1.5), (3.5, 72, 0.5))
    tenor = line((0, 67, 4))
    bass = line((0, 48, 1), (1, 43, 1), (2, 48, 1), (3, 48, 1))
    # beat 1: C5 held over G2, a fourth, to B4: 4-3; beat 3: D5 held over C3, a ninth, to C5
    assert A.suspensions([soprano, alto, tenor, bass], [0, TPQ, 2 * TPQ, 3 * TPQ], TPQ) == \
        (1, 1, 0)
    leapt = line((0, 72, 1.5), (1.5, 67, 0.5), (2, 74, 2))  # C5 to G4: no step
    consonant = line((0, 74, 1.5), (1.5, 72, 0.5), (2, 74, 2))  # D5 over G2: a fifth
    struck = line((0, 74, 1), (1, 72, 0.5), (1.5, 71, 0.5), (2, 74, 2))  # C5 struck on the beat
    for other in (leapt, consonant, struck):
        assert A.suspensions([soprano, other, tenor, bass], [TPQ], TPQ) == (0, 0, 0)


def test_a_piano_with_its_left_hand_is_no_melody_to_harmonize_and_says_what_to_do():
    """A tune over its left hand's chords on two staves: not "two notes at once" (a trial read
    that as blame on its tune, one note at a time), but that the left hand plays already, and
    how to write a new one; a one-staff part with a chord is refused as before."""
    tune = [Note(b * TPQ, 72 + b % 3, TPQ) for b in range(8)]
    left = [Note(b * 2 * TPQ, p, 2 * TPQ) for b in range(4) for p in (48, 55)]
    piano = Score(parts=(Part(tuple(sorted(tune + left)), name="Piano", clef="grand"),))
    said = A.not_one_line(piano, 0)
    assert "left hand already plays under its tune" in said and "--hand left" in said
    chord = Score(parts=(Part((Note(0, 72, TPQ), Note(0, 76, TPQ), Note(TPQ, 74, TPQ))),))
    assert "two notes at once in bar 1" in A.not_one_line(chord, 0)


def test_a_two_track_pianos_right_hand_is_no_melody_to_harmonize_over_its_left():
    """Two parts that are a piano's hands: harmonizing the right hand is refused with what to do
    (a re-trial got a choir between the hands), unless the harmonization writes into, or keeps,
    the left hand's part (a bass line of the composer's own)."""
    right = Part(tuple(Note(b * TPQ, 72 + b % 3, TPQ) for b in range(8)), name="Right hand")
    left = Part(tuple(Note(b * 2 * TPQ, 48, 2 * TPQ) for b in range(4)), name="Left hand")
    score = Score(parts=(right, left))
    said = A.not_one_line(score, 0)
    assert "a piano's two hands" in said and "--parts 2" in said
    assert A.not_one_line(score, 0, into=(-1, -1, 1)) is None
    assert A.not_one_line(score, 0, 5 * TPQ * 2, None) is None  # (no left hand there)
