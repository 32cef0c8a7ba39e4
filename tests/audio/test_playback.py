"""The playback engine without Qt: passes, loops, the playhead mapping, auditioned notes."""

from __future__ import annotations

import numpy as np
import pytest
from audio_helpers import SR, rms

from composer_gui.audio.playback import PlaybackEngine, Timeline
from composer_gui.audio.render import render_score
from composer_gui.music.score import TPQ, Note, Part, Score, TempoChange

SCORE = Score(parts=(Part(tuple(Note(i * TPQ, 60 + i, TPQ) for i in range(8))),),
              tempos=(TempoChange.from_bpm(0, 120),))  # a quarter = 0.5 s; 8 quarters = 4 s


def test_timeline_without_loop():
    tl = Timeline(SCORE, 0, None, SR, tail_frames=SR)
    assert [p.frames for p in tl.passes()] == [4 * SR]
    assert tl.position(0.0) == (0, False)
    assert tl.position(1.25) == (1200, False)
    assert tl.position(4.5) == (8 * TPQ, False)  # the tail rings at the end tick
    assert tl.position(5.0) == (8 * TPQ, True)


def test_timeline_with_loop_and_tempo_change():
    score = Score(parts=SCORE.parts, tempos=(TempoChange.from_bpm(0, 120),
                                             TempoChange.from_bpm(4 * TPQ, 60)))
    tl = Timeline(score, TPQ, (2 * TPQ, 6 * TPQ), SR)
    passes = [p for p, _ in zip(tl.passes(), range(3), strict=False)]
    # from beat 1 to 6: 3 beats at 0.5 s + 2 at 1 s; then 2..6 = 2 * 0.5 + 2 * 1 s
    assert [(p.offset, p.start_tick, p.end_tick) for p in passes] == [
        (0, TPQ, 6 * TPQ), (int(3.5 * SR), 2 * TPQ, 6 * TPQ), (int(6.5 * SR), 2 * TPQ, 6 * TPQ)]
    assert tl.position(3.0) == (5 * TPQ + TPQ // 2, False)
    assert tl.position(3.5) == (2 * TPQ, False)  # wrapped to the loop start
    assert tl.position(3.5 + 1.25) == (4 * TPQ + TPQ // 4, False)  # slower past the change
    assert tl.position(3.5 + 3.0 * 100) == (2 * TPQ, False)  # loops forever
    assert tl.total_frames is None


def test_loop_is_ignored_when_starting_after_it():
    tl = Timeline(SCORE, 6 * TPQ, (0, 2 * TPQ), SR)
    assert tl.loop is None and tl.end_tick == 8 * TPQ


def test_engine_plays_what_render_gives(gm_synth):
    engine = PlaybackEngine(gm_synth)
    engine.start(SCORE, 2 * TPQ)
    blocks = [engine.read(1000) for _ in range(5 * SR // 1000 + 1)]
    played = np.concatenate(blocks)
    expected = render_score(SCORE, gm_synth, 2 * TPQ)
    np.testing.assert_allclose(played[:len(expected)], expected, atol=1e-6)
    assert not played[len(expected):].any()
    assert not engine.playing  # finished by itself


def test_engine_loops_seamlessly(gm_synth):
    engine = PlaybackEngine(gm_synth)
    engine.start(SCORE, 0, loop=(2 * TPQ, 4 * TPQ))  # 2 s, then 1 s loops
    out = np.concatenate([engine.read(4410) for _ in range(50)])  # 5 s
    first, loop = 2 * SR, SR
    second_pass = out[first + loop:first + 2 * loop]
    third_pass = out[first + 2 * loop:first + 3 * loop]
    np.testing.assert_allclose(second_pass, third_pass, atol=1e-5)  # tails overlap alike
    assert rms(out[first:first + loop]) > 0.01


def test_audition_sounds_with_or_without_a_score(gm_synth):
    engine = PlaybackEngine(gm_synth)
    assert not engine.busy and not engine.read(512).any()
    assert engine.audition(64, 100, program=0, seconds=0.2)
    assert engine.busy
    first = engine.read(4410)
    assert rms(first) > 0.01
    while engine.busy:
        engine.read(4410)
    assert not engine.read(512).any()
    assert engine.audition(38, drum=True)


def test_stop_is_immediate(gm_synth):
    engine = PlaybackEngine(gm_synth)
    engine.start(SCORE)
    assert rms(engine.read(4410)) > 0
    engine.stop()
    assert not engine.playing and not engine.read(4410).any()


@pytest.mark.parametrize("bad", [(5, 5), (-1, 3), (7, 2)])
def test_impossible_loops_are_ignored(bad):
    assert Timeline(SCORE, 0, bad, SR).loop is None
