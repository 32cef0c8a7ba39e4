"""Rendering scores to PCM: pitch, length, silence, loudness, timbre, tempo, drums, chunking."""

from __future__ import annotations

import numpy as np
import pytest
from audio_helpers import SR, fundamental, harmonic_profile, rms

from composer_gui.audio.render import ScoreStream, render_score, schedule, to_int16
from composer_gui.audio.timing import TempoMap
from composer_gui.music.score import FERMATA_HOLD, TPQ, Note, Part, Score, TempoChange

MIDDLE_C = 261.6256


def one_note(pitch=60, velocity=100, program=0, beats=2, start=0, drum=False,
             bpm=120) -> Score:
    return Score(parts=(Part((Note(start, pitch, beats * TPQ, velocity),), program=program,
                             is_drum=drum, channel=9 if drum else 0),),
                 tempos=(TempoChange.from_bpm(0, bpm),))


@pytest.mark.parametrize("program", [0, 40, 56, 71, 73])  # piano violin trumpet clarinet flute
def test_middle_c_sounds_at_261_6_hz(gm_synth, program):
    pcm = render_score(one_note(program=program), gm_synth)
    steady = pcm[int(0.1 * SR):int(0.6 * SR)].mean(axis=1)
    assert fundamental(steady) == pytest.approx(MIDDLE_C, rel=0.01)


@pytest.mark.parametrize("pitch", [36, 48, 69, 84])
def test_other_pitches_of_the_piano(gm_synth, pitch):
    pcm = render_score(one_note(pitch=pitch), gm_synth)
    steady = pcm[int(0.1 * SR):int(0.6 * SR)].mean(axis=1)
    assert fundamental(steady) == pytest.approx(440 * 2 ** ((pitch - 69) / 12), rel=0.01)


def test_generated_sine_is_exact(sine_synth):
    pcm = render_score(one_note(pitch=69), sine_synth)
    assert fundamental(pcm[4410:26460, 0]) == pytest.approx(440.0, rel=0.001)
    pcm = render_score(one_note(pitch=60), sine_synth)
    assert fundamental(pcm[4410:26460, 0]) == pytest.approx(MIDDLE_C, rel=0.001)


def test_length_is_duration_plus_release_tail(gm_synth):
    score = Score(
        parts=(Part((Note(0, 60, 960), Note(960, 64, 960), Note(2400, 67, 1440))),),
        tempos=(TempoChange.from_bpm(0, 90), TempoChange.from_bpm(1920, 150)),
    )
    pcm = render_score(score, gm_synth)
    expected = round(score.seconds_at(score.end_tick) * SR) + gm_synth.tail_frames
    assert pcm.shape == (expected, 2) and pcm.dtype == np.float32
    assert gm_synth.tail_frames == round(gm_synth.release_tail * SR) > 0
    assert rms(pcm[-gm_synth.tail_frames:-gm_synth.tail_frames // 2]) > 0  # the release rings
    # a range: its own duration plus the tail
    part = render_score(score, gm_synth, 960, 1920)
    assert len(part) == round((score.seconds_at(1920) - score.seconds_at(960)) * SR) + \
        gm_synth.tail_frames


def test_silence_where_there_are_no_notes(gm_synth):
    score = Score(parts=(Part((Note(TPQ * 2, 60, TPQ), Note(TPQ * 12, 64, TPQ))),))  # 120 bpm
    pcm = render_score(score, gm_synth)
    first_on, first_off = SR, int(1.5 * SR)
    second_on = 6 * SR
    assert not pcm[:first_on].any()  # nothing before the first note
    assert rms(pcm[first_on:first_off]) > 0.01
    assert not pcm[first_off + gm_synth.tail_frames:second_on].any()  # the gap, after its tail
    assert rms(pcm[second_on:second_on + SR // 2]) > 0.01


def test_velocity_changes_loudness(gm_synth):
    loud = render_score(one_note(velocity=110), gm_synth)
    soft = render_score(one_note(velocity=40), gm_synth)
    assert rms(loud) > 4 * rms(soft)  # about (110/40)^2 = 7.6 by the GM velocity curve
    assert rms(soft) > 0


def test_program_changes_timbre(gm_synth):
    window = slice(int(0.2 * SR), int(0.7 * SR))
    profiles = {}
    for program in (0, 40, 73):  # piano, violin, flute
        pcm = render_score(one_note(program=program), gm_synth)[window].mean(axis=1)
        profiles[program] = harmonic_profile(pcm, MIDDLE_C)
    for a, b in ((0, 40), (0, 73), (40, 73)):
        assert float(profiles[a] @ profiles[b]) < 0.95, (a, b)
    same = harmonic_profile(render_score(one_note(program=0, velocity=99), gm_synth)[window]
                            .mean(axis=1), MIDDLE_C)
    assert float(profiles[0] @ same) > 0.99


def test_tempo_is_honoured(gm_synth):
    def onset_of_second_note(bpm):
        score = Score(parts=(Part((Note(0, 72, 240), Note(TPQ * 2, 72, 240))),),
                      tempos=(TempoChange.from_bpm(0, bpm),))
        voices, _ = schedule(score, gm_synth)
        return voices[1].start

    assert onset_of_second_note(120) == SR
    assert onset_of_second_note(60) == 2 * SR
    score = Score(parts=(Part((Note(0, 72, 240), Note(TPQ * 4, 72, 240))),),
                  tempos=(TempoChange.from_bpm(0, 120), TempoChange.from_bpm(TPQ * 2, 60)))
    assert schedule(score, gm_synth)[0][1].start == SR + 2 * SR


def test_drums_come_from_the_drum_kit(gm_synth, sine_synth):
    score = one_note(pitch=38, drum=True, beats=1)  # acoustic snare
    warnings: list[str] = []
    pcm = render_score(score, gm_synth, warnings=warnings)
    assert rms(pcm) > 0.005 and warnings == []
    assert schedule(score, gm_synth)[0][0].preset.bank == 128
    warnings = []
    silent = render_score(score, sine_synth, warnings=warnings)
    assert not silent.any() and warnings == ["the SoundFont has no drum kit: drum parts are silent"]


def test_chunked_stream_equals_whole_render(gm_synth):
    score = Score(parts=(
        Part(tuple(Note(i * 240, 60 + i % 7, 480, 70 + i) for i in range(16))),
        Part(tuple(Note(i * 960, 43 + i % 3, 960) for i in range(4)), program=32, channel=1),
        Part((Note(100, 67, 8 * TPQ),), program=48, channel=2),  # 4 s: rendered block-wise
    ))
    whole = render_score(score, gm_synth)
    long_note = gm_synth.note(gm_synth.preset_for(48), 67, 80, round(4 * SR))
    assert len(long_note) > ScoreStream.LONG_NOTE * SR
    np.testing.assert_allclose(gm_synth.note_segment(gm_synth.preset_for(48), 67, 80,
                                                     round(4 * SR), 1000, 90000),
                               long_note[1000:90000], atol=1e-7)
    stream = ScoreStream.for_score(score, gm_synth)
    blocks, sizes = [], [1, 777, 1024, 5000, 33]
    i = 0
    while stream.remaining:
        blocks.append(stream.read(sizes[i % len(sizes)]))
        i += 1
    assert len(stream.read(100)) == 0
    np.testing.assert_allclose(np.concatenate(blocks), whole, atol=1e-6)


def test_empty_score_is_just_the_tail(gm_synth):
    pcm = render_score(Score(), gm_synth)
    assert pcm.shape == (gm_synth.tail_frames, 2) and not pcm.any()


def test_int16_conversion_clips():
    x = np.array([[0.0, 1.0], [-1.0, 2.0], [-3.0, 0.5]], np.float32)
    assert to_int16(x).tolist() == [[0, 32767], [-32767, 32767], [-32767, 16384]]


def test_tempo_map_inverts_seconds_at():
    score = Score(tempos=(TempoChange.from_bpm(0, 100), TempoChange.from_bpm(1000, 40),
                          TempoChange.from_bpm(5000, 200)))
    tm = TempoMap(score)
    for tick in (0, 1, 999, 1000, 1001, 4321, 5000, 9999):
        assert tm.seconds(tick) == pytest.approx(score.seconds_at(tick))
        assert tm.tick(tm.seconds(tick)) == tick


def test_the_tempo_map_holds_fermatas_as_seconds_at_does():
    notes = (Note(0, 60, TPQ), Note(TPQ, 62, TPQ), Note(2 * TPQ, 64, TPQ))
    score = Score(parts=(Part(notes),), fermatas=(TPQ,))
    tm = TempoMap(score)
    assert tm.seconds(2 * TPQ) == pytest.approx(0.5 + 0.5 * FERMATA_HOLD)
    for tick in (0, TPQ, TPQ + 1, 2 * TPQ, 3 * TPQ):
        assert tm.seconds(tick) == pytest.approx(score.seconds_at(tick))
        assert tm.tick(tm.seconds(tick)) == tick


def test_render_wav_reports_progress_and_writes_what_render_gives(gm_synth, tmp_path):
    import wave

    from composer_gui.audio.render import render_wav

    score = one_note(beats=30, bpm=60)  # 30 s + the tail: four 10 s blocks
    done = []
    seconds = render_wav(score, tmp_path / "a.wav", report=done.append, synth=gm_synth)
    assert done == sorted(done) and len(done) == 4 and done[-1] == 1.0
    with wave.open(str(tmp_path / "a.wav")) as w:
        assert (w.getnchannels(), w.getframerate()) == (2, SR)
        assert w.getnframes() == round(seconds * SR)
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2)
    np.testing.assert_array_equal(data, to_int16(render_score(score, gm_synth)))


def test_render_wav_cancelled_writes_nothing(gm_synth, tmp_path):
    from composer_gui.audio.render import render_wav

    done = []
    assert render_wav(one_note(beats=30, bpm=60), tmp_path / "a.wav", report=done.append,
                      cancelled=lambda: len(done) == 2, synth=gm_synth) == 0.0
    assert len(done) == 2 and not (tmp_path / "a.wav").exists()


def test_a_staccato_sounds_short_and_an_accent_louder(gm_synth):
    """Playback performs the marks (a staccato half its length, an accent and a sforzando
    struck harder); the score keeps the written notes, and MIDI export them."""
    plain, staccato, accent, sfz = (Note(i * TPQ, 60, TPQ, 80, marks=m) for i, m in enumerate(
        [(), ("staccato",), ("accent",), ("sfz", "staccatissimo")]))
    voices, _ = schedule(Score(parts=(Part((plain, staccato, accent, sfz)),)), gm_synth)
    assert abs(voices[1].on_frames - voices[0].on_frames / 2) <= 1
    assert (voices[0].velocity, voices[1].velocity, voices[2].velocity) == (80, 80, 100)
    assert voices[3].velocity == 112 and voices[3].on_frames < voices[1].on_frames


def test_grace_notes_sound_on_the_beat_before_their_note(gm_synth):
    """A cut (one grace) and a double (two) sound from the note's start, a sixteenth of a
    second each, and the note after them: what a fiddler plays."""
    from composer_gui.audio.render import GRACE_SECONDS

    notes = (Note(0, 69, TPQ, graces=(10,)), Note(TPQ, 66, TPQ, graces=(15, 13)))
    voices, _ = schedule(Score(parts=(Part(notes),)), gm_synth)
    cut = round(GRACE_SECONDS * gm_synth.sample_rate)
    assert [(v.key, v.start) for v in voices] == [
        (79, 0), (69, cut), (81, SR // 2), (79, SR // 2 + cut), (66, SR // 2 + 2 * cut)]
    assert voices[0].on_frames == cut and voices[1].on_frames == SR // 2 - cut


def test_a_crescendo_swells_to_the_dynamic_after_it_and_a_diminuendo_fades(gm_synth):
    """A hairpin is played, not only notated: the notes under a crescendo from p rise evenly
    to the f after it; a diminuendo with no dynamic after it fades about a level and stays
    there until the next dynamic."""
    p, f = 49, 96
    cresc = [Note(0, 60, TPQ, p, marks=("p", "crescendo-start")), Note(TPQ, 62, TPQ, p),
             Note(2 * TPQ, 64, TPQ, p), Note(3 * TPQ, 65, TPQ, p, marks=("crescendo-stop",)),
             Note(4 * TPQ, 67, TPQ, f, marks=("f",))]
    voices, _ = schedule(Score(parts=(Part(tuple(cresc)),)), gm_synth)
    levels = [v.velocity for v in voices]
    assert levels[0] == p and levels[-1] == f
    assert levels == sorted(levels) and len(set(levels[:4])) == 4
    assert abs(levels[3] - f) <= 1  # the last note under the hairpin reaches the f
    dim = [Note(i * TPQ, 60, TPQ, 80, marks=m) for i, m in enumerate(
        [("diminuendo-start",), (), ("diminuendo-stop",), (), ("mf",), ()])]
    levels = [v.velocity for v in schedule(Score(parts=(Part(tuple(dim)),)), gm_synth)[0]]
    assert levels[0] == 80 and levels[1] < 80 and levels[2] == levels[3] < levels[1]
    assert levels[4:] == [80, 80]  # the mf after it sets the level again
    plain = [Note(n.start, n.pitch, n.duration, n.velocity) for n in cresc]
    assert [v.velocity for v in schedule(Score(parts=(Part(tuple(plain)),)), gm_synth)[0]] == [
        p, p, p, p, f]


def test_a_trill_alternates_with_the_note_above_in_the_key_and_ends_on_its_note(gm_synth):
    """A trill on E in C major alternates E and F (a semitone: F is in the key), on G# in A
    minor G# and A; a mordent strikes the note below; each plays the note's whole length."""
    from composer_gui.music.score import KeySignature

    trill = Note(0, 64, TPQ, marks=("trill",))
    voices, _ = schedule(Score(parts=(Part((trill,)),),
                               key_signatures=(KeySignature(0, 0),)), gm_synth)
    keys = [v.key for v in voices]
    assert len(keys) >= 5 and keys[0] == keys[-1] == 64
    assert keys == [64 if k % 2 == 0 else 65 for k in range(len(keys))]
    assert voices[0].start == 0
    assert abs(voices[-1].start + voices[-1].on_frames - SR // 2) <= 1
    d = Note(0, 62, TPQ, marks=("trill",))  # D trills to E in C major: a whole tone
    assert {v.key for v in schedule(Score(parts=(Part((d,)),),
                                          key_signatures=(KeySignature(0, 0),)), gm_synth)[0]
            } == {62, 64}
    sharp = Note(0, 68, TPQ, marks=("mordent",))  # G# in A minor: the mordent's lower note G
    voices, _ = schedule(Score(parts=(Part((sharp,)),),
                               key_signatures=(KeySignature(0, 0, "minor"),)), gm_synth)
    assert [v.key for v in voices] == [68, 67, 68]
    assert voices[2].on_frames > voices[0].on_frames * 4  # two quick notes, then the note


def test_a_roll_is_the_note_a_cut_above_the_note_a_tap_below_the_note(gm_synth):
    """A fiddler's roll on a dotted quarter of a D major jig: D E D C# D, the cut and the tap
    short, the three strikes of the note sharing the rest."""
    from composer_gui.music.score import KeySignature

    roll = Note(0, 62, 3 * TPQ // 2, marks=("roll",))
    voices, _ = schedule(Score(parts=(Part((roll,)),),
                               key_signatures=(KeySignature(0, 2),)), gm_synth)
    assert [v.key for v in voices] == [62, 64, 62, 61, 62]
    frames = [v.on_frames for v in voices]
    assert frames[1] < frames[0] / 3 and frames[3] < frames[2] / 3
    assert abs(sum(frames) - 3 * SR // 4) <= 3


def test_a_chord_trills_on_its_top_note_and_an_arpeggio_rolls_up(gm_synth):
    """A chord marked with a trill (the mark is the chord's, on each note) trills its top note
    only; an arpeggiated chord strikes its notes from the lowest up, each ending with the
    chord."""
    from composer_gui.audio.render import ARPEGGIO_SECONDS

    chord = tuple(Note(0, p, TPQ, marks=("trill",)) for p in (60, 64, 67))
    voices, _ = schedule(Score(parts=(Part(chord),)), gm_synth)
    keys = [v.key for v in voices]
    assert keys.count(60) == 1 and keys.count(64) == 1 and keys.count(67) > 2
    rolled = tuple(Note(0, p, TPQ, marks=("arpeggio",)) for p in (67, 60, 64))
    voices, _ = schedule(Score(parts=(Part(tuple(sorted(rolled))),)), gm_synth)
    step = round(ARPEGGIO_SECONDS * SR)
    assert [(v.key, v.start) for v in voices] == [(60, 0), (64, step), (67, 2 * step)]
    assert len({v.start + v.on_frames for v in voices}) == 1


def test_the_pedal_holds_what_it_catches_until_it_comes_up(gm_synth):
    """Broken chords under the pedal ring on to its change, then to its end (the end of its
    last note); the same notes
    without the pedal stop where their keys are let go."""
    bar = 4 * TPQ
    notes = [Note(0, 48, TPQ, marks=("pedal-start",)), Note(TPQ, 64, TPQ // 2),
             Note(bar, 53, TPQ, marks=("pedal-change",)), Note(bar + TPQ, 65, TPQ // 2),
             Note(2 * bar, 36, bar, marks=("pedal-stop",))]
    voices, _ = schedule(Score(parts=(Part(tuple(notes)),)), gm_synth)
    ends = {v.key: v.start + v.on_frames for v in voices}
    assert ends[48] == ends[64] == 2 * SR and ends[53] == ends[65] == ends[36] == 6 * SR
    plain = [Note(n.start, n.pitch, n.duration) for n in notes]
    voices, _ = schedule(Score(parts=(Part(tuple(plain)),)), gm_synth)
    assert voices[1].on_frames == SR // 4
