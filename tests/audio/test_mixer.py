"""Mixing ahead on a thread: the ring, re-reading the engine from a frame, the mixer's clock,
flushes on a change, underruns, and the thread's end. Nothing here measures time."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from audio_helpers import SR, rms

from composer_gui.audio.mixer import Mixer
from composer_gui.audio.playback import PlaybackEngine
from composer_gui.audio.render import ScoreStream, render_score
from composer_gui.audio.ring import RingBuffer
from composer_gui.music.score import TPQ, Note, Part, Score, TempoChange

SCORE = Score(parts=(Part(tuple(Note(i * TPQ, 60 + i, TPQ) for i in range(8))),),
              tempos=(TempoChange.from_bpm(0, 120),))  # a quarter = 0.5 s; 8 quarters = 4 s
HELD = Score(parts=(Part((Note(0, 48, 16 * TPQ), Note(TPQ, 64, TPQ))),),
             tempos=(TempoChange.from_bpm(0, 120),))  # an 8 s note: rendered a block at a time


def frames(n: int, first: float = 0.0) -> np.ndarray:
    ramp = first + np.arange(n, dtype=np.float32)
    return np.stack([ramp, -ramp], axis=1)


def until(condition, seconds: float = 5.0) -> None:
    """Wait for another thread (not a measure of time: fails only if it never happens)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


# ----- the ring ----------------------------------------------------------------------------------
def test_ring_wraps_round():
    ring = RingBuffer(10)
    assert ring.write(frames(7)) == 7
    np.testing.assert_array_equal(ring.read(5), frames(5))
    assert ring.write(frames(8, 7)) == 8  # 3 at the end of the buffer, 5 at its start
    assert ring.count == 10 and ring.free == 0
    assert ring.write(frames(1)) == 0  # full: nothing more goes in
    np.testing.assert_array_equal(ring.read(10), frames(10, 5))
    assert (ring.read_pos, ring.write_pos) == (15, 15)


def test_ring_runs_dry_into_silence():
    ring = RingBuffer(8)
    ring.write(frames(3, 1))
    out = ring.read(6)
    np.testing.assert_array_equal(out[:3], frames(3, 1))
    assert not out[3:].any() and ring.count == 0 and ring.read_pos == 3


def test_ring_flush_drops_only_what_was_not_read():
    ring = RingBuffer(8)
    ring.write(frames(6))
    ring.read(2)
    assert ring.flush() == 4
    assert ring.count == 0 and ring.read_pos == ring.write_pos == 2
    ring.write(frames(3, 100))
    np.testing.assert_array_equal(ring.read(3), frames(3, 100))


# ----- the engine from any frame -----------------------------------------------------------------
def test_score_stream_seek_reads_as_straight_through(gm_synth):
    straight = ScoreStream.for_score(HELD, gm_synth)
    whole = straight.read(straight.length)
    for at in (0, 1000, SR // 2 + 7, 3 * SR, len(whole) - 10):
        stream = ScoreStream.for_score(HELD, gm_synth)
        stream.seek(at)
        np.testing.assert_allclose(stream.read(SR), whole[at:at + SR], atol=1e-6)


@pytest.mark.parametrize("loop", [None, (2 * TPQ, 4 * TPQ)])
def test_engine_reads_again_from_an_earlier_frame(gm_synth, loop):
    """What a flush needs: read ahead, go back, read again: the same frames."""
    straight = PlaybackEngine(gm_synth)
    straight.start(SCORE, TPQ, loop)
    expected = np.concatenate([straight.read(1024) for _ in range(300)])  # 7 s
    engine = PlaybackEngine(gm_synth, history=SR)
    engine.start(SCORE, TPQ, loop)
    got = [engine.read(1024) for _ in range(100)]
    engine.seek(90 * 1024)  # drop the last 10 blocks, as a flush does
    got = np.concatenate(got[:90] + [engine.read(1024) for _ in range(210)])
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_an_audition_at_an_earlier_frame_joins_the_score_there(gm_synth):
    engine = PlaybackEngine(gm_synth, history=SR)
    engine.start(SCORE)
    for _ in range(20):
        engine.read(1024)
    at = 12 * 1024
    assert engine.audition(72, 100, seconds=0.2, at=at)  # heard from frame ``at`` on
    again = engine.read(2 * SR, at=at)
    score = render_score(SCORE, gm_synth)[at:at + 2 * SR]
    note = gm_synth.note(gm_synth.preset_for(0), 72, 100, round(0.2 * SR))
    expected = score.copy()
    expected[:len(note)] += note
    np.testing.assert_allclose(again, expected, atol=1e-5)


def test_held_note_released_at_an_earlier_frame(gm_synth):
    engine = PlaybackEngine(gm_synth, history=SR)
    engine.note_on(60, 100)
    engine.read(SR)  # mixed a second ahead
    engine.note_off(60, at=SR // 2)  # the key came up half a second in
    tail = engine.read(2 * SR)
    preset = gm_synth.preset_for(0)
    expected = gm_synth.note(preset, 60, 100, SR // 2)[SR // 2:]
    np.testing.assert_allclose(tail[:len(expected)], expected, atol=1e-5)
    assert not tail[len(expected):].any() and not engine.busy


# ----- the mixer ---------------------------------------------------------------------------------
@pytest.fixture
def mixer(gm_synth):
    mixers = []

    def make(**kwargs) -> Mixer:
        m = Mixer(PlaybackEngine(gm_synth), **kwargs)
        mixers.append(m)
        return m

    yield make
    for m in mixers:
        m.close()


def test_nothing_stalls_nothing_changes(gm_synth, mixer):
    """Through the thread and the ring, the device gets exactly what the engine reads."""
    m = mixer(realtime=False)
    m.start()
    with m.change() as at:
        m.engine.start(SCORE, 2 * TPQ, at=at)
    got = np.concatenate([m.pull(n) for n in (1000, 4410, 333, 8192) * 15])
    straight = PlaybackEngine(gm_synth)
    straight.start(SCORE, 2 * TPQ)
    expected = np.concatenate([straight.read(1024) for _ in range(len(got) // 1024)])
    np.testing.assert_array_equal(got[:len(expected)], expected)
    assert rms(got) > 0.01
    assert m.underruns == 0 and m.heard_frame(len(got)) == len(got)


def test_a_change_drops_what_was_mixed_ahead(gm_synth, mixer):
    m = mixer(realtime=False)
    m.start()
    with m.change() as at:
        m.engine.start(SCORE, 0, at=at)
    before = m.pull(SR // 2)
    until(lambda: m.queued >= m.capacity - m.block)  # 0.4 s mixed ahead
    assert rms(before) > 0.01
    with m.change() as at:  # Stop
        assert at == SR // 2  # where the device is, not where the mixing was
        m.engine.stop(at=at)
    assert not m.pull(SR).any()  # silence at once, not 0.4 s of the score first
    with m.change() as at:  # Play from beat 6 (a seek)
        m.engine.start(SCORE, 6 * TPQ, at=at)
    np.testing.assert_allclose(m.pull(SR), render_score(SCORE, gm_synth, 6 * TPQ)[:SR],
                               atol=1e-6)
    assert m.heard_frame(2 * SR + SR // 2) == 2 * SR + SR // 2  # no gaps: the device's count


def test_a_realtime_device_gets_silence_when_the_ring_runs_dry(gm_synth, mixer):
    m = mixer(realtime=True)
    m.start()
    with m.change() as at:
        m.engine.start(SCORE, 0, at=at)
    until(lambda: m.queued >= m.capacity - m.block)
    have = m.queued
    m.close()  # the mixer stops: as if it could not keep up
    out = m.pull(have + 5000)
    np.testing.assert_allclose(out[:have], render_score(SCORE, gm_synth)[:have], atol=1e-6)
    assert not out[have:].any()
    assert m.underruns == 1 and m.underrun_frames == 5000
    # the playhead holds through the silence instead of running ahead of the sound
    assert m.heard_frame(have + 2000) == have
    assert m.heard_frame(have + 5000) == have
    assert m.heard_frame(have + 6000) == have + 1000


def test_the_thread_ends_on_close(gm_synth, mixer):
    m = mixer()
    m.start()
    assert m.running
    m.close()
    assert not m.running
    assert not [t for t in threading.enumerate() if t.name == "composer-audio-mixer"]
