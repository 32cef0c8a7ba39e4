"""Recording a take from a (fake) MIDI keyboard through the Qt session, and the ports panel."""

from __future__ import annotations

import mido
import pytest
from audio_helpers import FakeDevice, rms
from test_transport import SCORE

from composer_gui.audio import midi_io
from composer_gui.audio.midi_io import MidiUnavailable
from composer_gui.music.score import TPQ, Note
from composer_gui.ui.midi_io_panel import MidiPortsPanel, MidiRecordSession
from composer_gui.ui.transport import Transport


class Clock:
    def __init__(self):
        self.now = 10.0

    def __call__(self):
        return self.now


@pytest.fixture
def rig(qtbot, gm_synth):
    device = FakeDevice()
    transport = Transport(backend=device, synth=gm_synth, interval_ms=5)
    clock = Clock()
    session = MidiRecordSession(transport=transport, clock=clock)
    yield session, transport, device, clock
    session.stop()
    transport.shutdown()


def test_a_take_with_count_in_is_quantized_at_the_cursor(qtbot, rig):
    session, _, device, clock = rig
    counts, live = [], []
    session.countIn.connect(counts.append)
    session.notesChanged.connect(live.append)
    assert session.start(None, SCORE, 2 * TPQ, TPQ // 4, count_in_beats=2)
    assert counts == [2]  # the first click sounds at once
    clock.now += 0.5
    qtbot.waitUntil(lambda: counts == [2, 1], timeout=2000)
    clock.now += 0.5  # counted in: bar time starts at tick 960
    qtbot.waitUntil(lambda: counts == [2, 1, 0], timeout=2000)
    t0 = clock.now
    session.feed(mido.Message("note_on", note=64, velocity=90), t0 + 0.02)
    clock.now = t0 + 0.3
    qtbot.waitUntil(lambda: bool(live) and live[-1][0].pitch == 64, timeout=2000)
    assert device.audio().any()  # the played note is heard (monitoring)
    session.feed(mido.Message("note_off", note=64), t0 + 0.49)
    session.feed(mido.Message("note_on", note=67, velocity=70), t0 + 0.51)
    session.feed(mido.Message("note_on", note=67, velocity=0), t0 + 0.74)
    clock.now = t0 + 1.0
    with qtbot.waitSignal(session.finished) as done:
        notes = session.stop()
    assert notes == done.args[0] == [Note(2 * TPQ, 64, TPQ, 90),
                                    Note(3 * TPQ, 67, TPQ // 2, 70)]
    assert not session.recording


def test_monitoring_holds_until_note_off(qtbot, rig):
    session, transport, device, clock = rig
    session.start(None, SCORE, 0, TPQ // 4)
    session.feed(mido.Message("note_on", note=60, velocity=100), clock.now)
    qtbot.waitUntil(lambda: transport.engine.busy, timeout=2000)
    device.advance(1.0)
    held = device.audio()[-4410:]
    assert rms(held) > 0.001  # still sounding a second later: held, not a fixed-length blip
    session.feed(mido.Message("note_off", note=60), clock.now)
    qtbot.waitUntil(lambda: not session._queue, timeout=2000)
    device.advance(2.0)
    assert not transport.engine.busy
    assert session.stop() == [Note(0, 60, TPQ // 4, 100)]


def test_a_port_that_cannot_open_says_why(qtbot, gm_synth):
    def broken(name, callback, clock):
        raise MidiUnavailable(f"the MIDI input {name!r} cannot be opened (busy)")

    session = MidiRecordSession(open_input=broken)
    with qtbot.waitSignal(session.message) as msg:
        assert not session.start("Keys", SCORE, 0, 120)
    assert msg.args == ["the MIDI input 'Keys' cannot be opened (busy)"]
    assert not session.recording


def test_ports_panel_lists_ports_and_says_why_when_empty(qtbot, monkeypatch):
    ports = {"input": ["Keystation 49"], "output": ["Synth A", "DAW"]}
    monkeypatch.setattr(midi_io, "_names", lambda kind: ports[kind])
    panel = MidiPortsPanel()
    qtbot.addWidget(panel)
    assert [panel.outputs.itemText(i) for i in range(panel.outputs.count())] == [
        "(none)", "Synth A", "DAW"]
    with qtbot.waitSignal(panel.outputChanged) as chosen:
        panel.outputs.setCurrentText("DAW")
    assert chosen.args == ["DAW"] and panel.output_name == "DAW" and panel.input_name == ""
    assert panel.status.text() == ""

    def unavailable(kind):
        raise MidiUnavailable("MIDI ports are off: install the python-rtmidi package")

    monkeypatch.setattr(midi_io, "_names", unavailable)
    panel.refresh()
    assert not panel.inputs.isEnabled() and not panel.outputs.isEnabled()
    assert panel.status.text() == "MIDI ports are off: install the python-rtmidi package"
