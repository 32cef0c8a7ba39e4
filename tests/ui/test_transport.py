"""The transport with a fake audio device and clock: the playhead follows the audio clock."""

from __future__ import annotations

import threading

import mido
import numpy as np
import pytest
from audio_helpers import SR, FakeDevice, rms

from composer_gui.music.score import TPQ, Note, Part, Score, TempoChange
from composer_gui.ui.transport import NO_AUDIO_ENV, QtAudioBackend, Transport

SCORE = Score(parts=(Part(tuple(Note(i * TPQ, 60 + i, TPQ) for i in range(8))),),
              tempos=(TempoChange.from_bpm(0, 120),))  # 4 s: a quarter is 0.5 s


@pytest.fixture
def device():
    return FakeDevice()


@pytest.fixture
def transport(qtbot, device, gm_synth):
    t = Transport(backend=device, synth=gm_synth, interval_ms=5)
    t.set_score(SCORE)
    yield t
    t.shutdown()


def follow(qtbot, transport, device, seconds, tick):
    device.advance(seconds)
    qtbot.waitUntil(lambda: transport.position == tick, timeout=2000)


def test_playhead_follows_the_audio_clock(qtbot, transport, device):
    positions = []
    transport.positionChanged.connect(positions.append)
    with qtbot.waitSignal(transport.playingChanged) as playing:
        assert transport.play(0)
    assert playing.args == [True] and transport.playing
    qtbot.waitUntil(lambda: transport.first_write_at is not None, timeout=2000)  # pulled
    qtbot.wait(50)
    assert transport.position == 0  # the clock has not moved: neither has the playhead
    follow(qtbot, transport, device, 1.0, 2 * TPQ)
    follow(qtbot, transport, device, 0.25, 2 * TPQ + TPQ // 2)
    follow(qtbot, transport, device, 1.5, 5 * TPQ + TPQ // 2)
    assert positions[0] == 0 and positions == sorted(positions)
    assert rms(device.audio()) > 0.01


def test_play_from_a_tick_and_stop(qtbot, transport, device):
    transport.set_position(3 * TPQ)
    assert transport.play()
    assert transport.position == 3 * TPQ
    follow(qtbot, transport, device, 0.5, 4 * TPQ)
    with qtbot.waitSignal(transport.playingChanged) as stopped:
        transport.stop()
    assert stopped.args == [False] and not transport.playing
    assert transport.position == 4 * TPQ  # the playhead stays where playback stopped
    pulled = device.pulled
    device.advance(0.5)
    assert device.pulled > pulled
    assert not device.audio()[pulled:].any()  # after Stop: silence (what was queued plays out)


def test_idle_device_is_suspended_and_resumed(qtbot, transport, device, monkeypatch):
    from composer_gui.ui import transport as transport_module

    monkeypatch.setattr(transport_module, "IDLE_SECONDS", 0.05)
    transport.play(6 * TPQ)
    transport.stop()
    qtbot.waitUntil(lambda: device.suspended, timeout=2000)
    assert device.opens == 1
    lag = device.queued / SR  # the silence it held when suspended plays first
    assert transport.play(0)  # resumed at once, not re-opened
    assert not device.suspended and device.opens == 1
    follow(qtbot, transport, device, lag + 0.5, TPQ)


def test_plays_to_the_end_then_stops(qtbot, transport, device):
    transport.play(6 * TPQ)  # 1 s of notes, then the 1 s release tail
    follow(qtbot, transport, device, 1.0, 8 * TPQ)
    assert transport.playing  # the tail still rings
    with qtbot.waitSignal(transport.playingChanged, timeout=2000):
        device.advance(1.05)
    assert not transport.playing and transport.position == 8 * TPQ


def test_loop_wraps_the_playhead(qtbot, transport, device):
    loops = []
    transport.loopChanged.connect(loops.append)
    transport.set_loop(TPQ, 3 * TPQ)  # 1 s loop
    transport.play(0)
    follow(qtbot, transport, device, 1.25, 2 * TPQ + TPQ // 2)
    follow(qtbot, transport, device, 0.5, TPQ + TPQ // 2)  # wrapped
    follow(qtbot, transport, device, 10.0, TPQ + TPQ // 2)  # ten loops later, same place
    lag = device.queued / SR
    transport.clear_loop()
    assert loops == [(TPQ, 3 * TPQ), None]
    assert transport.playing and transport.position == TPQ + TPQ // 2  # plays on, unlooped
    follow(qtbot, transport, device, lag + 1.0, 3 * TPQ + TPQ // 2)


def test_editing_while_playing_is_heard_from_the_playhead(qtbot, transport, device):
    transport.play(0)
    follow(qtbot, transport, device, 1.0, 2 * TPQ)
    opens = device.opens
    lag = device.queued / SR  # what the device still holds plays first (<= 0.1 s)
    transport.set_score(SCORE.transpose(12))
    assert transport.playing and transport.position == 2 * TPQ and device.opens == opens
    follow(qtbot, transport, device, lag + 0.5, 3 * TPQ)


def test_home_and_seeking(qtbot, transport, device):
    transport.set_position(5 * TPQ)
    transport.set_position(0)
    assert transport.position == 0
    transport.play()
    follow(qtbot, transport, device, 0.5, TPQ)
    lag = device.queued / SR
    transport.set_position(6 * TPQ)  # a click on the ruler while playing
    assert transport.playing and transport.position == 6 * TPQ
    follow(qtbot, transport, device, lag + 0.5, 7 * TPQ)


def test_audition_while_stopped(qtbot, transport, device):
    assert transport.audition(67, 100, program=0)
    assert device.is_open and not transport.playing
    qtbot.waitUntil(lambda: device.queued == device.capacity, timeout=2000)
    assert rms(device.audio()) > 0.01


def test_empty_score_says_so(qtbot, transport):
    transport.set_score(Score())
    with qtbot.waitSignal(transport.message) as msg:
        assert not transport.play()
    assert msg.args == ["Nothing to play: the score is empty."]


def test_without_an_audio_device_everything_else_works(qtbot, gm_synth):
    device = FakeDevice(reason="no audio output device found")
    t = Transport(backend=device, synth=gm_synth)
    messages, available = [], []
    t.message.connect(messages.append)
    t.availableChanged.connect(available.append)
    t.set_score(SCORE)
    assert not t.available and t.unavailable_reason == "no audio output device found"
    assert available == [False]
    assert messages == ["Playback is off: no audio output device found."]
    assert not t.play() and not t.playing
    assert messages[-1].startswith("Cannot play: no audio output device found.")
    assert not t.audition(60)
    t.set_position(TPQ)  # the cursor still moves
    assert t.position == TPQ
    t.shutdown()


class FakePort:
    def __init__(self):
        self.sent = []

    def send(self, message):
        self.sent.append(message)


def test_midi_output_plays_without_audio_on_the_wall_clock(qtbot, gm_synth):
    now = [0.0]
    t = Transport(backend=FakeDevice(reason="no audio output device found"), synth=gm_synth,
                  clock=lambda: now[0], interval_ms=5)
    port = FakePort()
    t.set_score(SCORE)
    t.set_midi_output(port)
    assert t.play(0) and t.playing
    qtbot.waitUntil(lambda: any(m.type == "note_on" for m in port.sent), timeout=2000)
    now[0] = 1.5
    qtbot.waitUntil(lambda: t.position == 3 * TPQ, timeout=2000)
    assert t.audition(72)  # a clicked key goes to the MIDI output too
    assert mido.Message("note_on", channel=0, note=72, velocity=100) in port.sent
    t.stop()
    assert port.sent[-1].type == "control_change" and port.sent[-1].control == 123
    t.shutdown()


def test_qt_backend_reports_why_it_is_unavailable(monkeypatch):
    monkeypatch.setenv(NO_AUDIO_ENV, "1")
    assert NO_AUDIO_ENV in QtAudioBackend.probe()
    monkeypatch.delenv(NO_AUDIO_ENV)
    reason = QtAudioBackend.probe()  # '' with a sound card; here: why not, in words
    assert isinstance(reason, str) and "\n" not in reason


def test_default_transport_in_tests_is_silent_but_alive(qtbot, monkeypatch):
    monkeypatch.setenv(NO_AUDIO_ENV, "1")
    t = Transport()
    assert not t.available and NO_AUDIO_ENV in t.unavailable_reason
    t.set_score(SCORE)
    assert not t.play()
    t.shutdown()


def test_a_missing_soundfont_disables_playback_with_its_reason(qtbot, monkeypatch, tmp_path):
    from composer_gui.audio import render, soundfont

    monkeypatch.setenv(soundfont.ENV_VAR, str(tmp_path / "gone.sf2"))
    monkeypatch.setattr(render, "_DEFAULT", {})
    t = Transport(backend=FakeDevice())
    t.set_score(SCORE)
    messages = []
    t.message.connect(messages.append)
    assert not t.play() and not t.available
    assert "gone.sf2: no such SoundFont file" in messages[0]
    t.shutdown()


def test_preload_opens_and_rests_the_device(qtbot, gm_synth):
    device = FakeDevice()
    t = Transport(backend=device, synth=gm_synth)
    t.preload()
    assert device.opens == 1 and device.suspended
    t.shutdown()
    assert not device.is_open


def test_a_seek_while_playing_is_heard_at_once(qtbot, transport, device, gm_synth):
    """What was mixed ahead of the device is dropped: after the seek the device gets the
    new place's frames, not the rest of the old ones."""
    from composer_gui.audio.render import render_score

    transport.play(0)
    follow(qtbot, transport, device, 0.5, TPQ)
    pulled = device.pulled
    transport.set_position(6 * TPQ)
    device.advance(0.5)
    heard = device.audio()[pulled:pulled + 4410]
    np.testing.assert_allclose(heard, render_score(SCORE, gm_synth, 6 * TPQ)[:4410], atol=1e-6)


def test_shutdown_leaves_no_mixer_thread(qtbot, gm_synth):
    t = Transport(backend=FakeDevice(), synth=gm_synth)
    t.set_score(SCORE)
    assert t.play(0)
    assert any(th.name == "composer-audio-mixer" for th in threading.enumerate())
    t.shutdown()
    assert not any(th.name == "composer-audio-mixer" for th in threading.enumerate())


def test_midi_output_is_kept_by_the_transport(qtbot, transport):
    assert transport.midi_output is None
    port = FakePort()
    transport.set_midi_output(port)
    assert transport.midi_output is port
    transport.set_midi_output(None)
    assert transport.midi_output is None


def test_a_key_clicked_before_the_soundfont_loads_sounds_when_it_has(qtbot, monkeypatch,
                                                                     sine_font):
    """The load runs on a thread: the click returns at once (the load waits here for the test
    to let it go, so a load on the GUI thread would never return) and sounds once loaded."""
    from composer_gui.audio import render

    go = threading.Event()

    def slow_load():
        assert go.wait(10)
        return sine_font

    monkeypatch.setattr(render, "_DEFAULT", {})
    monkeypatch.setattr(render, "load_default", slow_load)
    device = FakeDevice()
    t = Transport(backend=device, interval_ms=5)
    assert t.audition(69, 100)  # queued
    assert not device.is_open and not t.has_synth
    go.set()
    qtbot.waitUntil(lambda: device.is_open and device.pulled > 0, timeout=5000)
    qtbot.waitUntil(lambda: rms(device.audio()) > 0.01, timeout=5000)
    t.shutdown()


def test_a_missing_soundfont_found_on_a_click_disables_playback(qtbot, monkeypatch, tmp_path):
    from composer_gui.audio import render, soundfont

    monkeypatch.setenv(soundfont.ENV_VAR, str(tmp_path / "gone.sf2"))
    monkeypatch.setattr(render, "_DEFAULT", {})
    t = Transport(backend=FakeDevice())
    assert t.available  # probed: a device is there
    with qtbot.waitSignal(t.availableChanged, timeout=5000) as off:
        assert t.audition(60)
    assert off.args == [False] and "gone.sf2" in t.unavailable_reason
    t.shutdown()


def test_the_qt_sink_pulls_on_its_own_thread_while_the_gui_thread_is_busy(qtbot):
    """QtAudioBackend's thread, with a stand-in for QAudioSink (no sound card in CI): a timer
    on the audio thread reads the pull source, as the sink does. The test's thread never
    returns to its event loop, as a stalled GUI thread would not, and the pulls go on."""
    import time

    from PySide6.QtCore import QIODevice, QTimer

    from composer_gui.ui.transport import _AudioThread, _PullSource

    pulls: list[int] = []
    main = threading.get_ident()

    def source(frames):
        pulls.append(threading.get_ident())
        return np.zeros((frames, 2), np.float32)

    class Sink:
        def __init__(self, io):
            self.timer = QTimer()
            self.timer.setInterval(2)
            self.timer.timeout.connect(lambda: io.read(4096))
            self.timer.start()
            self.stopped = False

        def suspend(self):
            self.timer.stop()

        def resume(self):
            self.timer.start()

        def stop(self):
            self.timer.stop()
            self.stopped = True

    def make():
        io = _PullSource(source)
        io.open(QIODevice.OpenModeFlag.ReadOnly)
        return Sink(io), io

    thread = _AudioThread(make)
    sink = thread.open()

    def pulled_more(than: int) -> bool:  # waits without running the test thread's events
        deadline = time.monotonic() + 5
        while len(pulls) <= than:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.001)
        return True

    assert pulled_more(0) and main not in pulls
    thread.suspend()  # done on the audio thread, and done when suspend() returns
    assert not sink.timer.isActive()
    thread.resume()
    assert pulled_more(len(pulls))
    thread.close()
    assert sink.stopped and not thread.isRunning()


def test_a_qt_sink_that_cannot_start_says_why(qtbot):
    from composer_gui.ui.transport import AudioUnavailable, _AudioThread

    def make():
        raise AudioUnavailable("the audio output 'x' cannot be opened (OpenError)")

    with pytest.raises(AudioUnavailable, match="OpenError"):
        _AudioThread(make).open()
