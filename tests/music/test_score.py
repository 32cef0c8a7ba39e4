"""The score model: bar/beat arithmetic, transpose, quantize, slice, merge, tempo, keys."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from music_strategies import midi_scores

from composer_gui.music.score import (
    FERMATA_HOLD,
    MODE_DEGREES,
    TPQ,
    UNSTATED_TEMPO,
    KeySignature,
    Note,
    Part,
    Score,
    TempoChange,
    TimeSignature,
    assign_channels,
    grid_ticks,
    held,
    quantize_note,
    round_to,
)

BAR_44 = 4 * TPQ


def meter(num: int, den: int, *changes: tuple[int, int, int]) -> Score:
    return Score(time_signatures=(TimeSignature(0, num, den),
                                  *(TimeSignature(t, n, d) for t, n, d in changes)))


def one_part(*notes: Note, **kw) -> Score:
    return Score(parts=(Part(tuple(sorted(notes))),), **kw)


# ----- bars and beats ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("num", "den", "bar", "beat"),
    [(4, 4, 1920, 480), (3, 4, 1440, 480), (6, 8, 1440, 720), (5, 4, 2400, 480),
     (2, 2, 1920, 960), (12, 8, 2880, 720), (3, 8, 720, 240), (7, 8, 1680, 240)],
)
def test_bar_and_beat_lengths(num, den, bar, beat):
    ts = TimeSignature(0, num, den)
    assert (ts.bar_ticks, ts.beat_ticks) == (bar, beat)
    assert str(ts) == f"{num}/{den}"


@pytest.mark.parametrize(("num", "den"), [(4, 4), (3, 4), (6, 8), (5, 4)])
def test_bar_arithmetic_in_one_meter(num, den):
    s = meter(num, den)
    bar = s.time_signature.bar_ticks
    beat = s.time_signature.beat_ticks
    for b in range(6):
        assert s.bar_start(b) == b * bar
        assert s.bar_at(b * bar) == b
        assert s.bar_at(b * bar + bar - 1) == b
        assert s.position(b * bar) == (b + 1, 1, 0)
        assert s.position(b * bar + beat + 7) == (b + 1, 2, 7)
    assert s.bar_starts(5 * bar) == [b * bar for b in range(6)]
    assert s.bar_starts(5 * bar - 1) == [b * bar for b in range(5)]


def test_position_in_six_eight_counts_dotted_quarters():
    s = meter(6, 8)
    assert s.position(0) == (1, 1, 0)
    assert s.position(719) == (1, 1, 719)
    assert s.position(720) == (1, 2, 0)
    assert s.position(1440 + 240) == (2, 1, 240)


def test_meter_change_on_a_bar_line():
    # two bars of 4/4, then 3/4, then 6/8 after two bars of 3/4
    s = meter(4, 4, (2 * BAR_44, 3, 4), (2 * BAR_44 + 2 * 1440, 6, 8))
    starts = [0, 1920, 3840, 5280, 6720, 8160, 9600]
    assert s.bar_starts(9600) == starts
    for i, t in enumerate(starts):
        assert s.bar_start(i) == t
        assert s.bar_at(t) == i
        if i:
            assert s.bar_at(t - 1) == i - 1
    assert s.time_signature_at(3839) == TimeSignature(0, 4, 4)
    assert s.time_signature_at(3840) == TimeSignature(3840, 3, 4)
    assert s.position(3840 + 480) == (3, 2, 0)
    assert s.position(6720 + 720) == (5, 2, 0)


def test_meter_change_in_the_middle_of_a_bar_cuts_that_bar_short():
    s = meter(4, 4, (BAR_44 + 2 * TPQ, 3, 4))
    assert s.bar_starts(BAR_44 + 2 * TPQ + 1440) == [0, 1920, 2880, 4320]
    assert s.bar_at(2879) == 1
    assert s.bar_at(2880) == 2
    assert s.bar_start(2) == 2880
    assert s.bar_end(1) == 2880


def test_bar_count_and_end():
    assert Score().bar_count() == 1
    s = one_part(Note(0, 60, BAR_44))
    assert s.bar_count() == 1  # a note ending exactly on the bar line needs no second bar
    s = one_part(Note(0, 60, BAR_44 + 1))
    assert s.bar_count() == 2
    assert s.end_tick == BAR_44 + 1


def test_negative_positions_are_refused():
    with pytest.raises(ValueError):
        Score().bar_at(-1)
    with pytest.raises(ValueError):
        Score().bar_start(-1)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 12), st.sampled_from([2, 4, 8, 16]), st.integers(1, 4)),
             min_size=1, max_size=4),
    st.integers(0, 40_000),
)
def test_bar_functions_agree(segments, tick):
    """bar_at, bar_start and bar_starts describe the same bar lines for any meter changes."""
    tss, t = [], 0
    for num, den, bars in segments:
        tss.append(TimeSignature(t, num, den))
        t += bars * tss[-1].bar_ticks
    s = Score(time_signatures=tuple(tss))
    bar = s.bar_at(tick)
    assert s.bar_start(bar) <= tick < s.bar_start(bar + 1)
    starts = s.bar_starts(tick)
    assert len(starts) == bar + 1
    assert starts == [s.bar_start(b) for b in range(bar + 1)]
    bar_no, beat, rest = s.position(tick)
    assert bar_no == bar + 1
    assert s.bar_start(bar) + (beat - 1) * s.time_signature_at(tick).beat_ticks + rest == tick


# ----- fermatas, as played -------------------------------------------------------------------
def _chorale_bar() -> Score:
    """Two voices: a fermata chord on beat 2 (a half note over a quarter that moves on), then
    the next phrase's upbeat on beat 4."""
    upper = Part((Note(0, 67, TPQ), Note(TPQ, 69, 2 * TPQ), Note(3 * TPQ, 71, TPQ)))
    lower = Part((Note(0, 48, TPQ), Note(TPQ, 53, TPQ), Note(2 * TPQ, 55, TPQ),
                  Note(3 * TPQ, 55, TPQ)))
    return Score(parts=(upper, lower), fermatas=(TPQ, 3 * TPQ))


def test_a_fermata_holds_until_the_next_onset_or_the_end_of_its_notes():
    s = _chorale_bar()
    # beat 2 holds to the lower voice's next onset on beat 3, not to the half note's end;
    # beat 4 holds its quarter (nothing follows)
    assert s.fermata_spans == ((TPQ, 2 * TPQ), (3 * TPQ, 4 * TPQ))
    assert Score(parts=s.parts, fermatas=(TPQ // 2,)).fermata_spans == ()  # nothing struck


def test_fermatas_sound_longer_and_the_tempo_marks_stay():
    s = _chorale_bar()
    assert s.tempos == (UNSTATED_TEMPO,)
    assert s.seconds_at(TPQ) == pytest.approx(0.5)
    assert s.seconds_at(2 * TPQ) == pytest.approx(0.5 + 0.5 * FERMATA_HOLD)
    assert s.seconds_at(4 * TPQ) == pytest.approx(1.0 + FERMATA_HOLD)  # two beats held
    plain = Score(parts=s.parts)
    assert plain.seconds_at(4 * TPQ) == pytest.approx(2.0)
    assert plain.performed_tempos == plain.tempos


def test_a_tempo_change_inside_a_fermata_is_held_too_and_the_hold_undoes_exactly():
    s = replace(_chorale_bar(), tempos=(TempoChange(0, 600_000),
                                        TempoChange(TPQ + TPQ // 2, 400_000)))
    played = s.performed_tempos
    assert [(t.tick, t.us_per_quarter) for t in played] == [
        (0, 600_000), (TPQ, 1_200_000), (TPQ + TPQ // 2, 800_000), (2 * TPQ, 400_000),
        (3 * TPQ, 800_000), (4 * TPQ, 400_000)]
    assert held(played, s.fermata_spans, Fraction(1, 2)) == s.tempos


# ----- tempo and time ------------------------------------------------------------------------
def test_seconds_at_follows_tempo_changes():
    s = Score(tempos=(TempoChange(0, 500_000), TempoChange(4 * TPQ, 1_000_000),
                      TempoChange.from_bpm(8 * TPQ, 240)))
    assert s.seconds_at(0) == 0
    assert s.seconds_at(TPQ) == pytest.approx(0.5)
    assert s.seconds_at(4 * TPQ) == pytest.approx(2.0)
    assert s.seconds_at(6 * TPQ) == pytest.approx(4.0)
    assert s.seconds_at(8 * TPQ) == pytest.approx(6.0)
    assert s.seconds_at(10 * TPQ) == pytest.approx(6.5)
    assert s.tempo_at(5 * TPQ).bpm == pytest.approx(60)
    assert s.tempo_at(9 * TPQ).bpm == pytest.approx(240)


def test_tempo_validation():
    assert TempoChange.from_bpm(0, 120) == TempoChange(0, 500_000)
    for bpm in (0, -5, 1001):
        with pytest.raises(ValueError):
            TempoChange.from_bpm(0, bpm)
    for us in (0, -1, 0x1000000):
        with pytest.raises(ValueError):
            TempoChange(0, us)


def test_missing_start_events_get_midi_defaults():
    s = Score(tempos=(TempoChange(960, 400_000),), time_signatures=(TimeSignature(1920, 3, 4),))
    assert s.tempos == (TempoChange(0), TempoChange(960, 400_000))
    assert s.time_signatures == (TimeSignature(0, 4, 4), TimeSignature(1920, 3, 4))
    assert s.tempo.bpm == 120
    # one event per tick: the later one given wins; events come out sorted
    s = Score(tempos=(TempoChange(480, 1), TempoChange(0, 2), TempoChange(480, 3)))
    assert s.tempos == (TempoChange(0, 2), TempoChange(480, 3))


# ----- keys ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "sharps", "mode", "name"),
    [("C:major", 0, "major", "C:major"), ("F#:minor", 3, "minor", "F#:minor"),
     ("Bb", -2, "major", "Bb:major"), ("Am", 0, "minor", "A:minor"), ("ebm", -6, "minor",
     "Eb:minor"), ("Cb", -7, "major", "Cb:major"), ("A#m", 7, "minor", "A#:minor"),
     (" d : Minor ", -1, "minor", "D:minor"),
     # as a composer types them (a trial's Ebmaj and e-flat were unknown keys)
     ("Eb major", -3, "major", "Eb:major"), ("Ebmaj", -3, "major", "Eb:major"),
     ("e-flat", -3, "major", "Eb:major"), ("E flat minor", -6, "minor", "Eb:minor"),
     ("F# min", 3, "minor", "F#:minor"), ("G mix", 0, "mixolydian", "G:mixolydian"),
     ("A-minor", 0, "minor", "A:minor"), ("c aeolian", -3, "minor", "C:minor"),
     ("B\u266d", -2, "major", "Bb:major")],
)
def test_key_parse_and_str(text, sharps, mode, name):
    k = KeySignature.parse(text, tick=96)
    assert (k.tick, k.sharps, k.mode) == (96, sharps, mode)
    assert str(k) == name


@pytest.mark.parametrize("text", ["", "H", "X:major", "C:blues", "E#", "m", "Fbm", "E#:lydian"])
def test_key_parse_refuses_nonsense(text):
    with pytest.raises(ValueError, match="unknown key"):
        KeySignature.parse(text)


def test_a_key_no_signature_spells_names_its_enharmonic():
    with pytest.raises(ValueError, match=r"no key signature spells G# major \(try Ab:major"):
        KeySignature.parse("G#:major")
    with pytest.raises(ValueError, match=r"try E:minor"):
        KeySignature.parse("Fb:minor")


@given(st.integers(-7, 7), st.sampled_from(["major", "minor"]))
def test_key_round_trips_through_its_name(sharps, mode):
    k = KeySignature(0, sharps, mode)
    assert KeySignature.parse(str(k)) == k
    midi_name = k.tonic_name + ("m" if mode == "minor" else "")
    assert KeySignature.parse(midi_name) == k


@given(st.integers(-7, 7), st.sampled_from(sorted(MODE_DEGREES)))
def test_every_mode_round_trips_through_its_name(sharps, mode):
    k = KeySignature(0, sharps, mode)
    assert KeySignature.parse(str(k)) == k
    assert KeySignature.from_tonic(k.tonic_pc, mode).tonic_pc == k.tonic_pc


@pytest.mark.parametrize(
    ("text", "sharps", "tonic", "quality"),
    [("D:dorian", 0, 2, "minor"), ("G:mixolydian", 0, 7, "major"), ("E:phrygian", 0, 4, "minor"),
     ("F:lydian", 0, 5, "major"), ("B:locrian", 0, 11, "minor"), ("A:dorian", 1, 9, "minor"),
     ("F#:dorian", 4, 6, "minor"), ("Bb:mixolydian", -3, 10, "major"),
     ("E:aeolian", 1, 4, "minor"), ("G:ionian", 1, 7, "major")])
def test_church_modes_keep_their_signature_and_tonic(text, sharps, tonic, quality):
    """ABC's K:Ddor is D Dorian: C major's signature, tonic D, a minor-family key."""
    k = KeySignature.parse(text)
    assert (k.sharps, k.tonic_pc, k.quality) == (sharps, tonic, quality)


def test_a_mode_is_in_key_on_its_signature_and_a_minor_mode_on_its_leading_tone():
    assert KeySignature(0, 0, "dorian").scale_pcs() == {0, 2, 4, 5, 7, 9, 11, 1}  # C# below D
    assert KeySignature(0, 0, "mixolydian").scale_pcs() == {0, 2, 4, 5, 7, 9, 11}  # no F#


def test_key_scales():
    assert KeySignature(0, 0, "major").scale_pcs() == {0, 2, 4, 5, 7, 9, 11}
    assert KeySignature(0, 1, "major").scale_pcs() == {7, 9, 11, 0, 2, 4, 6}
    assert KeySignature(0, -3, "major").scale_pcs() == {3, 5, 7, 8, 10, 0, 2}
    # A minor: natural minor plus raised 6th and 7th (F#, G#)
    assert KeySignature(0, 0, "minor").scale_pcs() == {9, 11, 0, 2, 4, 5, 7, 6, 8}
    assert KeySignature(0, 0, "minor").tonic_pc == 9
    assert KeySignature.from_tonic(2, "minor") == KeySignature(0, -1, "minor")
    assert KeySignature.from_tonic(6, "major").sharps in (6, -6)


def test_key_at_is_none_before_the_first_key():
    s = Score(key_signatures=(KeySignature(960, 2),))
    assert s.key_at(0) is None
    assert s.key_at(960) == KeySignature(960, 2)
    assert Score().key_at(0) is None


# ----- notes and parts -----------------------------------------------------------------------
def test_note_validation():
    for bad in (dict(pitch=128), dict(pitch=-1), dict(start=-1), dict(duration=-1),
                dict(velocity=0), dict(velocity=128)):
        args = dict(start=0, pitch=60, duration=10, velocity=80) | bad
        with pytest.raises(ValueError):
            Note(**args)
    with pytest.raises(TypeError):
        Note(0.5, 60, 10)
    with pytest.raises(ValueError):
        Part(program=128)
    with pytest.raises(ValueError):
        Part(channel=16)


def test_numpy_integers_become_plain_ints():
    np = pytest.importorskip("numpy")
    n = Note(np.int64(480), np.int32(60), np.int64(240), np.uint8(90))
    assert n == Note(480, 60, 240, 90)
    assert all(type(v) is int for v in (n.start, n.pitch, n.duration, n.velocity))


def test_notes_sort_in_score_order():
    a, b, c = Note(0, 64, 10), Note(0, 60, 20), Note(5, 10, 1)
    assert Part((a, c, b)).with_notes([c, a, b]).notes == (b, a, c)
    drums = Part((Note(0, 36, 10),), is_drum=True)
    s = Score(parts=(Part((c, a)), drums, Part((b,))))
    assert s.notes == [b, a, c]  # drums left out
    assert s.note_count == 4


# ----- transpose -----------------------------------------------------------------------------
def test_transpose_moves_pitched_parts_only():
    drums = Part((Note(0, 36, 10),), is_drum=True, channel=9)
    s = Score(parts=(Part((Note(0, 60, 10), Note(10, 72, 10))), drums))
    t = s.transpose(5)
    assert [n.pitch for n in t.parts[0].notes] == [65, 77]
    assert t.parts[1] == drums
    assert t.transpose(-5) == s
    assert s.transpose(0) == s


@pytest.mark.parametrize("semitones", [56, -61])
def test_transpose_out_of_range_raises_and_names_the_range(semitones):
    s = one_part(Note(0, 60, 10), Note(10, 72, 10))
    with pytest.raises(ValueError, match=r"0\.\.127"):
        s.transpose(semitones)
    assert s.transpose(55).parts[0].notes[-1].pitch == 127
    assert s.transpose(-60).parts[0].notes[0].pitch == 0


@given(midi_scores(), st.integers(-12, 12))
@settings(max_examples=30, deadline=None)
def test_transpose_round_trip(score, k):
    pitches = [n.pitch for n in score.notes]
    if pitches and (min(pitches) + k < 0 or max(pitches) + k > 127):
        with pytest.raises(ValueError):
            score.transpose(k)
    else:
        assert score.transpose(k).transpose(-k) == score


# ----- quantize ------------------------------------------------------------------------------
def test_grid_ticks():
    assert grid_ticks(4) == 480
    assert grid_ticks(16) == 120
    assert grid_ticks(32) == 60
    assert grid_ticks(8, triplet=True) == 160
    assert grid_ticks(16, triplet=True) == 80
    with pytest.raises(ValueError):
        grid_ticks(12)


def test_round_to_rounds_half_up():
    assert [round_to(t, 120) for t in (0, 59, 60, 61, 119, 120, 179, 180)] == [
        0, 0, 120, 120, 120, 120, 120, 240]


def test_quantize_to_sixteenths():
    g = grid_ticks(16)
    s = one_part(Note(5, 60, 110), Note(130, 62, 50), Note(470, 64, 3), Note(1000, 65, 0),
                 Note(61, 67, 59))
    q = s.quantize(g)
    assert sorted((n.start, n.duration) for n in q.parts[0].notes) == [
        (0, 120), (120, 120), (120, 120), (480, 120), (960, 120)]


def test_quantize_to_triplets():
    g = grid_ticks(8, triplet=True)  # 160
    s = one_part(Note(150, 60, 170), Note(330, 62, 140), Note(479, 64, 481))
    q = s.quantize(g)
    assert [(n.start, n.duration) for n in q.parts[0].notes] == [(160, 160), (320, 160),
                                                                 (480, 480)]


def test_quantize_onsets_only_keeps_lengths():
    n = quantize_note(Note(50, 60, 77), 120, durations=False)
    assert (n.start, n.duration) == (0, 77)
    with pytest.raises(ValueError):
        quantize_note(n, 0)


def test_quantize_includes_drums():
    s = Score(parts=(Part((Note(7, 36, 3),), is_drum=True, channel=9),))
    assert s.quantize(120).parts[0].notes == (Note(0, 36, 120),)


@given(st.integers(0, 100_000), st.integers(0, 5000), st.integers(1, 127),
       st.sampled_from([grid_ticks(d, triplet=t) for d in (4, 8, 16, 32) for t in (False, True)]))
def test_quantize_properties(start, duration, velocity, grid):
    n = Note(start, 60, duration, velocity)
    q = quantize_note(n, grid)
    assert q.start % grid == 0 and q.duration % grid == 0
    assert q.duration >= grid  # no note shrinks to nothing
    assert abs(q.start - start) <= grid // 2
    assert quantize_note(q, grid) == q  # idempotent
    assert (q.pitch, q.velocity) == (60, velocity)


# ----- slice and merge -----------------------------------------------------------------------
def test_slice_keeps_notes_starting_inside_and_cuts_them_at_the_end():
    s = Score(
        parts=(Part((Note(0, 60, 960), Note(1920, 62, 480), Note(3000, 64, 2000),
                     Note(3840, 65, 10))),),
        tempos=(TempoChange(0, 500_000), TempoChange(2400, 600_000), TempoChange(5000, 1)),
        time_signatures=(TimeSignature(0, 4, 4), TimeSignature(3840, 3, 4)),
        key_signatures=(KeySignature(0, 0), KeySignature(2000, 2)),
    )
    cut = s.slice(1920, 3840)
    assert cut.parts[0].notes == (Note(0, 62, 480), Note(1080, 64, 840))
    assert cut.tempos == (TempoChange(0, 500_000), TempoChange(480, 600_000))
    assert cut.time_signatures == (TimeSignature(0, 4, 4),)
    assert cut.key_signatures == (KeySignature(0, 0), KeySignature(80, 2))
    in_place = s.slice(1920, 3840, shift=False)
    assert in_place.parts[0].notes == (Note(1920, 62, 480), Note(3000, 64, 840))
    assert in_place.tempos == s.tempos
    # the key in force at the start moves to 0; none before the first key
    assert s.slice(2500, 2600).key_signatures == (KeySignature(0, 2),)
    late_key = Score(key_signatures=(KeySignature(500, 3),))
    assert late_key.slice(0, 1000).key_signatures == (KeySignature(500, 3),)
    with pytest.raises(ValueError):
        s.slice(10, 5)


def test_merge_adds_notes_into_matching_parts():
    a = Score(parts=(Part((Note(0, 60, 10),), name="A"),))
    b = Score(parts=(Part((Note(0, 64, 10),), name="X"), Part((Note(5, 40, 5),), name="B")))
    m = a.merge(b, at=1920)
    assert [p.name for p in m.parts] == ["A", "B"]
    assert m.parts[0].notes == (Note(0, 60, 10), Note(1920, 64, 10))
    assert m.parts[1].notes == (Note(1925, 40, 5),)


@given(midi_scores(), st.integers(0, 30).map(lambda b: b * 120))
@settings(max_examples=30, deadline=None)
def test_slice_then_merge_rebuilds_the_score(score, cut):
    """Cutting a score in two at a point where no note sounds, then merging, gives it back."""
    sounding = any(n.start < cut < n.end for p in score.parts for n in p.notes)
    if sounding:
        return
    end = max(score.end_tick, cut) + 1
    head = score.slice(0, cut, shift=False)
    tail = score.slice(cut, end)
    merged = head.merge(tail, at=cut)
    assert [p.notes for p in merged.parts] == [p.notes for p in score.parts]


def test_operations_return_new_scores_and_keep_the_old_one():
    s = one_part(Note(0, 60, 10))
    before = repr(s)
    s.transpose(2), s.quantize(120), s.slice(0, 5), s.merge(s)
    assert repr(s) == before


def test_assign_channels():
    parts = [Part(channel=0), Part(channel=0), Part(is_drum=True), Part(channel=9), Part(channel=3)]
    assert assign_channels(parts) == [0, 1, 9, 2, 3]
    many = [Part(channel=0) for _ in range(20)]
    chans = assign_channels(many)
    assert 9 not in chans and len(set(chans[:15])) == 15


def test_audible_silences_muted_parts_and_all_but_the_soloed_ones():
    a, b, c = (Part((Note(0, p, 480),), name=n) for p, n in ((60, "A"), (64, "B"), (67, "C")))
    score = Score(parts=(a, b, c))
    assert score.audible() is score  # nothing muted or soloed: the same score
    muted = Score(parts=(a, replace(b, muted=True), c)).audible()
    assert [len(p.notes) for p in muted.parts] == [1, 0, 1]
    assert [p.name for p in muted.parts] == ["A", "B", "C"]  # parts keep their places
    soloed = Score(parts=(replace(a, solo=True), b, replace(c, solo=True, muted=True)))
    assert [len(p.notes) for p in soloed.audible().parts] == [1, 0, 0]


def test_bar_numbers_follow_notation_zero_for_an_upbeat():
    """An upbeat is bar 0, as notation programs print it; without one, bars count from 1."""
    plain = one_part(Note(0, 60, TPQ))
    assert (plain.first_bar_number, plain.bar_number(0), plain.bar_index(3)) == (1, 1, 2)
    assert plain.position(BAR_44 + TPQ) == (2, 2, 0)
    with pytest.raises(ValueError, match="bars count from 1, not 0"):
        plain.bar_index(0)
    # a one-beat upbeat: its note sits on beat 4 of the first (full-length) bar
    upbeat = replace(one_part(Note(3 * TPQ, 67, TPQ), Note(BAR_44, 72, BAR_44)), pickup=TPQ)
    assert (upbeat.upbeat, upbeat.first_bar_number) == (TPQ, 0)
    assert upbeat.position(3 * TPQ) == (0, 4, 0)
    assert upbeat.position(BAR_44) == (1, 1, 0)
    assert (upbeat.bar_index(0), upbeat.bar_index(1)) == (0, 1)
    with pytest.raises(ValueError, match=r"bars count from 0 \(bar 0 is the upbeat\), not -1"):
        upbeat.bar_index(-1)
    # a note drawn before the upbeat makes the first bar a full bar: numbers from 1 again
    filled = upbeat.with_parts([Part((Note(0, 60, TPQ), *upbeat.parts[0].notes))])
    assert (filled.pickup, filled.upbeat, filled.first_bar_number) == (TPQ, 0, 1)
    assert filled.position(BAR_44) == (2, 1, 0)


def test_a_slice_keeps_only_the_fermatas_of_its_notes():
    """An opening cut from a chorale does not carry the phrase ends of the bars after it."""
    score = Score(parts=(Part(tuple(Note(i * TPQ, 60 + i, TPQ) for i in range(8))),),
                  fermatas=(2 * TPQ, 6 * TPQ))
    assert score.slice(0, 4 * TPQ, shift=False).fermatas == (2 * TPQ,)
    assert score.slice(4 * TPQ, 8 * TPQ).fermatas == (2 * TPQ,)  # moved with the notes
    assert score.slice(4 * TPQ, 8 * TPQ, shift=False).fermatas == (6 * TPQ,)


def test_continue_writes_from_the_beat_line_a_played_release_overhangs():
    """Continue writes from the end of the last note, or from the beat line that a
    player's release overshoots by less than a sixteenth with nothing struck after it."""
    def score(*notes):
        return Score(parts=(Part(tuple(Note(s, 60, d) for s, d in notes)),))
    bar = 4 * TPQ
    assert score((0, bar + 20)).continue_tick == bar  # let go 20 ticks late
    assert score((0, bar), (TPQ, bar + 20 - TPQ)).continue_tick == bar
    assert score((0, 3 * TPQ + 30)).continue_tick == 3 * TPQ  # a beat line
    assert score((0, bar)).continue_tick == bar
    assert score((0, bar + TPQ // 4)).continue_tick == bar + TPQ // 4  # held a sixteenth on
    assert score((bar + 10, 30)).continue_tick == bar + 40  # struck after the line
    assert Score().continue_tick == 0
