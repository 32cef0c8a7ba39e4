"""Sound in the window: Space plays, the playhead follows the audio clock and the view follows it,
keys and drawn notes sound, a proposal plays in context, loops, WAV export, MIDI in and out, and
a window without an audio device. A fake audio device (no sound card) whose clock the test moves."""

from __future__ import annotations

import wave
from dataclasses import replace

import mido
import numpy as np
import pytest
from PySide6.QtCore import Qt
from ui_helpers import FakeBackend, click, drag, press, release

from composer_gui.audio import midi_io
from composer_gui.audio.midi_io import MidiUnavailable
from composer_gui.audio.render import default_synth, render_score, to_int16
from composer_gui.music.score import TPQ, Note, Part, Score, TempoChange
from composer_gui.ui import undo, workers
from composer_gui.ui.transport import Transport

SR = 44100
SHIFT = Qt.KeyboardModifier.ShiftModifier


class FakeSink:
    """An audio device that pulls like QAudioSink (a timer keeps ``capacity`` frames read
    ahead) and plays only when the test says so (``advance``)."""

    sample_rate = SR
    buffer_seconds = 0.1

    def __init__(self, capacity: int = 4410) -> None:
        from PySide6.QtCore import QTimer

        self.capacity = capacity
        self.pulled = self.consumed = 0
        self.is_open = False
        self._source = None
        self._timer = QTimer()
        self._timer.setInterval(2)
        self._timer.timeout.connect(self.fill)

    def probe(self) -> str:
        return ""

    def open(self, sample_rate: int, source) -> int:
        self.is_open, self._source = True, source
        self._timer.start()
        return sample_rate

    def fill(self) -> None:
        while self.is_open and self.pulled - self.consumed < self.capacity:
            self._source(1024)
            self.pulled += 1024

    def played_seconds(self) -> float:
        return self.consumed / SR

    def advance(self, seconds: float) -> None:
        self.fill()
        for _ in range(round(seconds * 100)):
            self.consumed += min(SR // 100, self.pulled - self.consumed)
            self.fill()

    def suspend(self) -> None:
        self._timer.stop()

    def resume(self) -> None:
        self._timer.start()

    def close(self) -> None:
        self.is_open = False
        self._timer.stop()


class FakeOut:
    """A MIDI output port: keeps what it is sent."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list = []
        self.closed = False

    def send(self, message) -> None:
        self.sent.append(message)

    def close(self) -> None:
        self.closed = True


class FakeIn:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


SCALE = Score(parts=(Part(tuple(Note(i * TPQ, 60 + i, TPQ, 90) for i in range(16))),),
              tempos=(TempoChange.from_bpm(0, 120),))  # 8 s: a quarter is 0.5 s


@pytest.fixture(scope="module")
def synth():
    return default_synth()


@pytest.fixture
def sink():
    return FakeSink()


@pytest.fixture
def player(qtbot, settings, monkeypatch, sink, synth):
    """A window whose transport plays to the fake device."""
    from composer_gui.ui.main_window import MainWindow

    transport = Transport(backend=sink, synth=synth, interval_ms=5)
    w = MainWindow(settings=settings, backend=FakeBackend(), transport=transport)
    w.errors = []
    monkeypatch.setattr(w, "ask_unsaved_changes", lambda: "discard")
    monkeypatch.setattr(w, "show_error", lambda title, text: w.errors.append((title, text)))
    w.resize(1200, 800)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.controller.modelsListed, timeout=5000):
        w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: not w.playback.listing_ports, timeout=5000)
    w.roll.geo.set_px_per_quarter(48)
    w.roll.geo.set_offsets(x_off=0)
    w.roll.center_on_pitch(66)
    w.doc.load(SCALE)
    yield w
    w.controller.discard()
    transport.shutdown()
    workers.shutdown()
    w.doc.undo_stack.setClean()


def follow(qtbot, window, sink, seconds: float, tick: int) -> None:
    sink.advance(seconds)
    qtbot.waitUntil(lambda: window.transport.position == tick, timeout=2000)


# ----- transport --------------------------------------------------------------------------------
def test_space_plays_and_stops(qtbot, player):
    canvas = player.roll.canvas
    canvas.setFocus()
    with qtbot.waitSignal(player.transport.playingChanged) as started:
        qtbot.keyClick(canvas, Qt.Key.Key_Space)
    assert started.args == [True] and player.act.play.isChecked()
    assert player.transport.score is player.doc.score
    with qtbot.waitSignal(player.transport.playingChanged) as stopped:
        qtbot.keyClick(canvas, Qt.Key.Key_Space)
    assert stopped.args == [False] and not player.act.play.isChecked()
    player.act.play.trigger()  # the toolbar's Play does the same
    assert player.transport.playing and player.act.play.isChecked()
    player.roll.playRequested.emit()  # Space when the roll handles it itself
    assert not player.transport.playing


def test_playhead_follows_the_audio_clock_and_the_view_follows_it(qtbot, player, sink):
    roll = player.roll
    roll.geo.set_px_per_quarter(160)
    width_ticks = roll.canvas.width() / roll.geo.px_per_tick
    assert width_ticks < 8 * TPQ  # the 8 s scale is wider than the view
    roll.set_cursor_tick(TPQ)
    assert player.transport.position == TPQ  # the cursor places the playhead
    assert roll.playhead is None  # stopped on the cursor: only the cursor shows
    player.playback.toggle_play()
    assert roll.playhead == TPQ
    follow(qtbot, player, sink, 0.5, 2 * TPQ)
    assert roll.playhead == 2 * TPQ
    assert roll.geo.x_off == 0
    follow(qtbot, player, sink, 3.0, 8 * TPQ)  # past the right edge: the next page shows
    t0, t1 = roll.visible_ticks()
    assert t0 <= roll.playhead <= t1 and roll.geo.x_off > 0
    assert roll.cursor_tick == TPQ  # the cursor stays where edits go
    player.playback.toggle_play()
    assert not player.transport.playing and roll.playhead == 8 * TPQ  # resumes from here
    roll.set_cursor_tick(0, force=True)  # Home
    assert player.transport.position == 0 and roll.playhead is None


def test_a_ruler_click_moves_the_playhead_while_playing(qtbot, player, sink):
    roll = player.roll
    player.playback.play(0)
    follow(qtbot, player, sink, 0.5, TPQ)
    x = roll.geo.x_of(4 * TPQ) + 1
    click(roll.ruler, (x, 10))
    assert roll.cursor_tick == 4 * TPQ
    qtbot.waitUntil(lambda: player.transport.position == 4 * TPQ, timeout=2000)
    assert player.transport.playing
    sink.advance(0.6)  # what the device held of the old position (<= 0.12 s) plays out first
    qtbot.waitUntil(lambda: 4 * TPQ < player.transport.position <= 5 * TPQ, timeout=2000)


def test_keys_and_drawn_notes_sound_in_the_parts_instrument(qtbot, player, monkeypatch):
    violin = Score(parts=(Part((Note(0, 67, TPQ),), program=40),))
    player.doc.load(violin)
    heard = []
    monkeypatch.setattr(player.transport, "audition",
                        lambda pitch, velocity=100, program=0, **kw: heard.append(
                            (pitch, velocity, program, kw.get("drum", False))) or True)
    roll = player.roll
    y = roll.geo.y_of(60) + roll.geo.row_h / 2
    click(roll.keyboard, (10, y))
    assert heard == [(60, 100, 40, False)]
    heard.clear()
    roll.set_tool("draw")
    press(roll.canvas, roll.point_of(2 * TPQ + 5, 64))
    assert heard == [(64, 100, 40, False)]
    release(roll.canvas, roll.point_of(2 * TPQ + 5, 64))
    heard.clear()
    roll.doc.set_selection({(0, Note(0, 67, TPQ))})
    roll.canvas.setFocus()
    qtbot.keyClick(roll.canvas, Qt.Key.Key_Up)  # moving a note sounds its new pitch
    assert heard == [(68, 100, 40, False)]


def test_audition_reaches_the_synth(qtbot, player, sink):
    assert player.playback.audition(60)
    assert player.transport.engine.busy
    sink.advance(4.0)  # the half-second note and its release
    qtbot.waitUntil(lambda: not player.transport.engine.busy, timeout=2000)


def test_loop_the_selection_or_a_ruler_range(qtbot, player, sink):
    score = player.doc.score
    player.doc.set_selection({(0, n) for n in score.parts[0].notes[5:7]})  # beats 6-7: bar 2
    player.act.loop.trigger()
    assert player.transport.loop == (4 * TPQ, 8 * TPQ)
    assert player.roll.loop_range == (4 * TPQ, 8 * TPQ) and player.act.loop.isChecked()
    player.playback.play(4 * TPQ)
    follow(qtbot, player, sink, 2.25, 4 * TPQ + TPQ // 2)  # round the loop once
    assert player.transport.playing
    player.act.loop.trigger()
    assert player.transport.loop is None and player.roll.loop_range is None
    assert not player.act.loop.isChecked()
    roll = player.roll
    drag(roll.ruler, (roll.geo.x_of(TPQ) + 1, 10), (roll.geo.x_of(3 * TPQ) + 1, 10),
         modifiers=SHIFT)
    assert player.transport.loop == (TPQ, 3 * TPQ) and player.act.loop.isChecked()
    assert roll.cursor_tick == 0  # Shift+drag marks a loop; it does not move the cursor


def test_a_proposal_plays_in_context_and_flipping_switches_it(qtbot, player):
    backend = player.controller.backend
    backend.per_variation = 4
    score = player.doc.score
    with qtbot.waitSignal(player.controller.finished, timeout=5000):
        assert player.panel.start_continue()
    prop = player.proposal
    assert prop.start_tick == score.end_tick == 16 * TPQ  # bar 5
    assert player.panel.audition_button.isEnabled() and player.act.audition.isEnabled()
    player.panel.audition_button.click()
    t = player.transport
    assert t.playing and t.position == 12 * TPQ  # from the bar before the proposal
    heard = {n for p in t.score.parts for n in p.notes}
    assert set(prop.notes(0)) <= heard and set(score.parts[0].notes) <= heard
    qtbot.keyClick(player.roll.canvas, Qt.Key.Key_2)
    heard = {n for p in t.score.parts for n in p.notes}
    assert set(prop.notes(1)) <= heard and not set(prop.notes(0)) & (heard - set(prop.notes(1)))
    assert t.playing
    player.act.audition.trigger()  # P again: stop
    assert not t.playing
    player.controller.discard()
    assert t.score == player.doc.score


# ----- export -------------------------------------------------------------------------------------
def test_export_audio_writes_the_rendered_wav(qtbot, player, tmp_path, synth, monkeypatch):
    path = tmp_path / "scale"
    monkeypatch.setattr(player, "ask_save_path", lambda *a: path)
    with qtbot.waitSignal(player.files.exported, timeout=20000) as done:
        assert player.files.export_audio() is not None
    out = tmp_path / "scale.wav"
    assert done.args == [str(out)] and not player.errors
    with wave.open(str(out), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, SR)
        frames = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2)
    expected = to_int16(render_score(SCALE, synth))
    assert frames.shape == expected.shape and np.array_equal(frames, expected)
    assert "Exported scale.wav" in player.statusBar().currentMessage()


def test_export_audio_leaves_muted_parts_out_as_playback_does(qtbot, player, tmp_path, synth):
    low = Part(tuple(Note(i * TPQ, 48, TPQ, 90) for i in range(16)), name="Bass", muted=True)
    player.doc.load(replace(SCALE, parts=(*SCALE.parts, low)))
    with qtbot.waitSignal(player.files.exported, timeout=20000):
        player.files.export_audio_to(tmp_path / "mix.wav")
    with wave.open(str(tmp_path / "mix.wav"), "rb") as w:
        frames = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2)
    assert np.array_equal(frames, to_int16(render_score(SCALE, synth)))  # the bass unheard
    assert "left out Bass (muted)" in player.statusBar().currentMessage()
    # soloing the melody leaves an unmuted bass out too, and says why
    solo = replace(SCALE.parts[0], solo=True)
    player.doc.load(replace(SCALE, parts=(solo, replace(low, muted=False))))
    with qtbot.waitSignal(player.files.exported, timeout=20000):
        player.files.export_audio_to(tmp_path / "solo.wav")
    assert "left out Bass (not soloed)" in player.statusBar().currentMessage()
    # every part with notes muted: nothing to render, no dialog
    player.doc.load(Score(parts=(low,)))
    assert player.files.export_audio() is None
    assert "muted" in player.statusBar().currentMessage()


def test_export_audio_to_a_bad_place_says_why_and_leaves_no_file(qtbot, player, tmp_path):
    with qtbot.waitSignal(player.files.exportFailed, timeout=20000):
        player.files.export_audio_to(tmp_path / "missing-folder" / "x.wav")
    assert player.errors and player.errors[0][0] == "Export failed"
    assert "x.wav" in player.errors[0][1] and "Traceback" not in player.errors[0][1]
    assert not (tmp_path / "missing-folder").exists()
    folder = tmp_path / "taken.wav"
    folder.mkdir()
    before = sorted(tmp_path.iterdir())
    with qtbot.waitSignal(player.files.exportFailed, timeout=20000):
        player.files.export_audio_to(folder)
    assert sorted(tmp_path.iterdir()) == before  # no partial or temporary file


def test_closing_the_window_cancels_an_export_without_a_file(qtbot, player, tmp_path):
    long = Score(parts=(Part(tuple(Note(i * TPQ, 60 + i % 12, TPQ) for i in range(1200))),))
    player.doc.load(long)  # ten minutes: many blocks to render
    folder = tmp_path / "out"
    folder.mkdir()
    task = player.files.export_audio_to(folder / "long.wav")
    with qtbot.waitSignal(task.cancelled, timeout=20000):
        player.close()
    assert not player.errors and not list(folder.iterdir())


def test_export_audio_of_an_empty_score_says_so(player, monkeypatch):
    player.doc.load(Score())
    monkeypatch.setattr(player, "ask_save_path", lambda *a: pytest.fail("asked for a path"))
    assert player.files.export_audio() is None
    assert "empty" in player.statusBar().currentMessage()


# ----- MIDI ---------------------------------------------------------------------------------------
@pytest.fixture
def ports(monkeypatch):
    names = {"input": ["Keystation 49"], "output": ["Synth A", "Broken"]}
    monkeypatch.setattr(midi_io, "_names", lambda kind: list(names[kind]))
    return names


def refresh(qtbot, window) -> None:
    window.playback.refresh_midi_ports()
    qtbot.waitUntil(lambda: not window.playback.listing_ports, timeout=5000)


def test_a_recorded_take_is_one_undo_step(qtbot, player, ports):
    refresh(qtbot, player)
    assert player.act.record.isEnabled()
    port = FakeIn()
    session = player.playback.record_session
    session._open_input = lambda name, callback, clock: port
    clock = Clock()
    session._clock = clock
    player.act.count_in.setChecked(False)
    player.act.play_along.setChecked(False)
    player.roll.set_cursor_tick(16 * TPQ)  # after the scale, on a 1/16 grid
    undo_steps = player.doc.undo_stack.count()
    before = player.doc.score.note_count
    player.act.record.trigger()
    assert session.recording and player.act.record.isChecked()
    assert player.playback.midi_panel.input_name == "Keystation 49"  # the only keyboard: chosen
    t0 = clock.now
    session.feed(mido.Message("note_on", note=72, velocity=100), t0 + 0.01)
    session.feed(mido.Message("note_off", note=72), t0 + 0.49)
    session.feed(mido.Message("note_on", note=74, velocity=80), t0 + 0.52)
    clock.now = t0 + 0.6
    qtbot.waitUntil(lambda: len(player.roll.take) == 2, timeout=2000)  # shown while recording
    session.feed(mido.Message("note_off", note=74), t0 + 0.74)
    clock.now = t0 + 1.0
    qtbot.keyClick(player.roll.canvas, Qt.Key.Key_Space)  # Space stops recording
    assert not session.recording and port.closed and not player.act.record.isChecked()
    take = [Note(16 * TPQ, 72, TPQ, 100), Note(17 * TPQ, 74, TPQ // 2, 80)]
    assert player.roll.take == []
    assert player.doc.undo_stack.count() == undo_steps + 1
    assert player.doc.undo_stack.undoText() == "Record 2 notes"
    assert set(take) <= set(player.doc.score.parts[0].notes)
    assert player.doc.score.note_count == before + 2
    player.doc.undo_stack.undo()
    assert player.doc.score.note_count == before


def test_recording_needs_a_keyboard(qtbot, player, monkeypatch):
    def unavailable(kind):
        raise MidiUnavailable("MIDI ports are off: install the python-rtmidi package")

    monkeypatch.setattr(midi_io, "_names", unavailable)
    refresh(qtbot, player)
    assert not player.act.record.isEnabled()
    assert "python-rtmidi" in player.act.record.toolTip()
    assert player.act.midi_info.isVisible() and "python-rtmidi" in player.act.midi_info.text()
    assert not player.playback.start_recording()
    assert "Cannot record" in player.statusBar().currentMessage()


def test_playback_goes_to_the_midi_output(qtbot, player, ports, sink):
    opened = {}

    def open_output(name):
        if name == "Broken":
            raise MidiUnavailable("the MIDI output 'Broken' cannot be opened (busy)")
        opened[name] = FakeOut(name)
        return opened[name]

    player.playback.open_midi_output = open_output
    refresh(qtbot, player)
    outputs = player.playback.midi_panel.outputs
    outputs.setCurrentText("Synth A")
    out = opened["Synth A"]
    assert player.transport.midi_output is out
    player.playback.play(0)
    qtbot.waitUntil(lambda: any(m.type == "note_on" for m in out.sent), timeout=3000)
    player.transport.stop()
    outputs.setCurrentText("Broken")
    assert "cannot be opened" in player.statusBar().currentMessage()
    assert outputs.currentText() == "(none)" and player.transport.midi_output is None and out.closed


# ----- no audio device ----------------------------------------------------------------------------
def test_without_an_audio_device_the_status_bar_says_why(qtbot, window):
    qtbot.waitUntil(lambda: window.audio_label.isVisible(), timeout=3000)
    assert "COMPOSER_GUI_NO_AUDIO" in window.audio_label.toolTip()
    assert not window.act.play.isEnabled()
    window.doc.push(undo.add_command(window.doc, [(0, Note(0, 60, TPQ))]))
    window.roll.canvas.setFocus()
    qtbot.keyClick(window.roll.canvas, Qt.Key.Key_Space)
    message = window.statusBar().currentMessage()
    assert message.startswith("Cannot play:") and "MIDI output" in message
    assert not window.transport.playing
    assert not window.playback.audition(60)  # a clicked key is silent, not an error
    window.roll.set_tool("draw")  # editing works as ever
    click(window.roll.canvas, window.roll.point_of(2 * TPQ + 5, 64))
    assert window.doc.score.note_count == 2


def test_a_midi_output_enables_play_without_audio(qtbot, window, ports):
    window.playback.open_midi_output = FakeOut
    window.playback.refresh_midi_ports()
    qtbot.waitUntil(lambda: not window.playback.listing_ports, timeout=5000)
    qtbot.waitUntil(lambda: window.audio_label.isVisible(), timeout=3000)
    assert not window.act.play.isEnabled()
    window.playback.midi_panel.outputs.setCurrentText("Synth A")
    assert window.act.play.isEnabled()


# ----- about --------------------------------------------------------------------------------------
def test_about_names_the_version_and_the_licences(qtbot, window):
    import composer_gui

    dialog = window.show_about()
    qtbot.waitExposed(dialog)
    text = dialog.text.text()
    assert composer_gui.__version__ in text
    for needle in ("public domain", "GMbank.sf2", "LGPL-3.0", "BSD-3-Clause", "MIT", "Bach"):
        assert needle in text
    dialog.close()


def test_the_about_licences_match_the_installed_packages():
    from importlib import metadata

    from composer_gui.ui.about import LIBRARIES

    for dist, _role, licence in LIBRARIES:
        try:
            meta = metadata.metadata(dist)
        except metadata.PackageNotFoundError:
            continue
        declared = " ".join([meta.get("License-Expression") or "",
                             (meta.get("License") or "")[:200],
                             *(meta.get_all("Classifier") or [])])
        first = licence.split()[0].split("-")[0]  # LGPL, BSD, MIT
        assert first in declared, (dist, licence, declared[:200])
