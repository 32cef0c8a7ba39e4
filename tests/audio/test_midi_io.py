"""MIDI in and out without a MIDI system: a fake message stream in, a fake port out."""

from __future__ import annotations

import builtins
import sys

import mido
import pytest

from composer_gui.audio import midi_io
from composer_gui.audio.midi_io import MidiPlayer, MidiRecorder, port_status, score_messages
from composer_gui.audio.timing import TempoMap
from composer_gui.music.score import TPQ, Note, Part, Score, TempoChange

SIXTEENTH = TPQ // 4
SCORE_120 = Score(tempos=(TempoChange.from_bpm(0, 120),))  # a quarter = 0.5 s


def on(pitch, velocity=90, channel=0):
    return mido.Message("note_on", note=pitch, velocity=velocity, channel=channel)


def off(pitch, channel=0, as_zero_velocity=False):
    if as_zero_velocity:
        return mido.Message("note_on", note=pitch, velocity=0, channel=channel)
    return mido.Message("note_off", note=pitch, channel=channel)


def recorder(start_tick=4 * TPQ, grid=SIXTEENTH, t0=100.0, score=SCORE_120, **kw):
    return MidiRecorder(TempoMap(score), start_tick, grid, t0, **kw)


def test_played_notes_are_quantized_and_placed_at_the_cursor():
    rec = recorder()
    stream = [  # (seconds after t0, message): slightly off the 16th grid, as people play
        (0.01, on(60, 100)), (0.24, off(60)),  # a quarter's first half -> one 8th at the cursor
        (0.49, on(64, 80)), (1.02, off(64, as_zero_velocity=True)),  # beat 2, a quarter
        (1.13, on(67)), (1.14, off(67)),  # very short: at least one grid step
        (1.5, mido.Message("control_change", control=7, value=100)),  # ignored
        (1.51, mido.Message("pitchwheel", pitch=100)),
    ]
    for t, m in stream:
        rec.feed(m, 100.0 + t)
    notes = rec.finish(110.0)
    cursor = 4 * TPQ
    assert notes == [
        Note(cursor, 60, TPQ // 2, 100),
        Note(cursor + TPQ, 64, TPQ, 80),
        Note(cursor + 2 * TPQ + SIXTEENTH, 67, SIXTEENTH, 90),
    ]


def test_tempo_changes_are_followed():
    score = Score(tempos=(TempoChange.from_bpm(0, 120), TempoChange.from_bpm(2 * TPQ, 60)))
    rec = recorder(start_tick=0, score=score, t0=0.0)
    rec.feed(on(60), 1.0)  # tick 960: where 60 bpm begins
    rec.feed(off(60), 2.0)  # one second at 60 bpm: a quarter
    assert rec.finish(3.0) == [Note(2 * TPQ, 60, TPQ, 90)]


def test_early_notes_snap_onto_the_start_and_earlier_ones_are_dropped():
    rec = recorder(t0=100.0)
    rec.feed(on(60), 100.0 - 0.03)  # 30 ms early (a 16th is 125 ms): snaps to the cursor
    rec.feed(on(62), 100.0 - 0.5)  # a beat early (during the count-in): dropped
    rec.feed(off(60), 100.25)
    rec.feed(off(62), 100.25)
    assert rec.finish(101.0) == [Note(4 * TPQ, 60, TPQ // 2, 90)]


def test_no_grid_keeps_exact_ticks():
    rec = recorder(grid=0, start_tick=0, t0=0.0)
    rec.feed(on(70), 0.1)
    rec.feed(off(70), 0.3)
    assert rec.finish(1.0) == [Note(96, 70, 192, 90)]


def test_keys_still_down_end_when_the_take_ends_and_live_preview():
    rec = recorder(start_tick=0, t0=0.0)
    rec.feed(on(60), 0.0)
    assert rec.notes(0.5) == [Note(0, 60, TPQ, 90)]  # what the roll shows while recording
    assert rec.notes(1.0) == [Note(0, 60, 2 * TPQ, 90)]
    assert rec.finish(1.0) == [Note(0, 60, 2 * TPQ, 90)]
    assert rec.finish(2.0) == []  # a take is handed over once


def test_repeated_key_and_sustain_pedal():
    rec = recorder(start_tick=0, t0=0.0)
    pedal = lambda v: mido.Message("control_change", control=64, value=v)  # noqa: E731
    rec.feed(on(60), 0.0)
    rec.feed(on(60), 0.5)  # the same key again without a note-off: the first note ends here
    rec.feed(off(60), 0.75)
    rec.feed(pedal(127), 1.0)
    rec.feed(on(64), 1.0)
    rec.feed(off(64), 1.25)  # held by the pedal...
    rec.feed(pedal(0), 2.0)  # ...until here
    take = rec.finish(3.0)  # the key as held, and the pedal as its marks (a MIDI file's too)
    assert take == [Note(0, 60, TPQ, 90), Note(TPQ, 60, TPQ // 2, 90),
                    Note(2 * TPQ, 64, TPQ // 2, 90)]
    assert [n.marks for n in take] == [(), (), ("pedal-start", "pedal-stop")]


def test_channel_filter():
    rec = recorder(start_tick=0, t0=0.0, channel=1)
    rec.feed(on(60, channel=0), 0.0)
    rec.feed(on(62, channel=1), 0.0)
    assert [n.pitch for n in rec.finish(1.0)] == [62]


SCORE = Score(
    parts=(Part((Note(0, 60, TPQ), Note(TPQ, 62, TPQ)), program=40),
           Part((Note(0, 36, 2 * TPQ),), program=32, channel=1),
           Part((Note(TPQ, 38, 60),), is_drum=True, channel=9)),
    tempos=(TempoChange.from_bpm(0, 120),),
)


def test_score_messages_are_timed_and_ordered():
    events = score_messages(SCORE)
    summary = [(round(t, 3), m.type, m.channel, getattr(m, "note", getattr(m, "program", None)))
               for t, m in events]
    assert summary == [
        (0.0, "program_change", 0, 40), (0.0, "program_change", 1, 32),
        (0.0, "note_on", 0, 60), (0.0, "note_on", 1, 36),
        (0.5, "note_off", 0, 60), (0.5, "note_on", 0, 62), (0.5, "note_on", 9, 38),
        (0.562, "note_off", 9, 38),
        (1.0, "note_off", 0, 62), (1.0, "note_off", 1, 36),
    ]
    # a range: times from its start, notes cut at its end
    ranged = score_messages(SCORE, TPQ, TPQ + TPQ // 2)
    assert [(round(t, 3), m.type, getattr(m, "note", None)) for t, m in ranged
            if m.type != "program_change"] == [
        (0.0, "note_on", 62), (0.0, "note_on", 38), (0.062, "note_off", 38),
        (0.25, "note_off", 62)]


class FakeTime:
    """A clock that moves only when the player sleeps."""

    def __init__(self):
        self.now = 0.0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class FakePort:
    def __init__(self, clock):
        self.sent = []
        self.clock = clock

    def send(self, message):
        self.sent.append((round(self.clock(), 3), message))


def test_midi_player_sends_at_the_right_times_and_loops():
    ft = FakeTime()
    port = FakePort(ft.clock)
    passes = [(0.0, 0, 2 * TPQ), (1.0, TPQ, 2 * TPQ), (1.5, TPQ, 2 * TPQ)]
    player = MidiPlayer(port, SCORE, passes, clock=ft.clock, sleep=ft.sleep)
    player.run_blocking()
    ons = [(t, m.note) for t, m in port.sent if m.type == "note_on"]
    assert ons == [(0.0, 60), (0.0, 36), (0.5, 62), (0.5, 38),
                   (1.0, 62), (1.0, 38), (1.5, 62), (1.5, 38)]
    player.stop()
    tail = port.sent[-4:]
    assert [(m.control, m.value) for _, m in tail] == [(64, 0), (123, 0)] * 2


def test_stopping_silences_sounding_notes():
    ft = FakeTime()
    port = FakePort(ft.clock)
    player = MidiPlayer(port, SCORE, [(0.0, 0, 2 * TPQ)], clock=ft.clock, sleep=ft.sleep)
    player.run_blocking(until=0.2)  # 60 and 36 are sounding
    player.stop()
    offs = sorted((m.channel, m.note) for _, m in port.sent if m.type == "note_off")
    assert offs == [(0, 60), (1, 36)]
    assert sum(1 for _, m in port.sent if getattr(m, "control", None) == 123) == 2


def test_a_vanished_port_stops_with_a_message():
    class Broken:
        def send(self, message):
            raise OSError("device unplugged")

    player = MidiPlayer(Broken(), SCORE, [(0.0, 0, TPQ)], sleep=lambda s: None)
    player.run_blocking()
    assert player.error == "MIDI output stopped (device unplugged)"
    player.stop()  # no exception


def test_no_backend_is_a_clear_message(monkeypatch):
    real_import = builtins.__import__

    def no_rtmidi(name, *args, **kwargs):
        if name == "rtmidi":
            raise ImportError("No module named 'rtmidi'")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "rtmidi", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_rtmidi)
    names, message = port_status("input")
    assert names == [] and "python-rtmidi" in message
    with pytest.raises(midi_io.MidiUnavailable, match="pip install python-rtmidi"):
        midi_io.output_names()


def test_no_ports_is_a_clear_message(monkeypatch):
    monkeypatch.setattr(midi_io, "_names", lambda kind: [])
    assert port_status("input") == ([], "no MIDI input ports found: connect a keyboard and "
                                         "refresh")
    assert port_status("output")[1].startswith("no MIDI output ports found")


def test_a_broken_midi_system_is_a_clear_message(monkeypatch):
    class FakeMido:
        @staticmethod
        def get_output_names():
            raise RuntimeError("ALSA lib seq_hw.c: cannot open\n/dev/snd/seq")

    monkeypatch.setattr(midi_io, "_mido", lambda: FakeMido)
    names, message = port_status("output")
    assert names == [] and message == (
        "the MIDI system cannot be opened (ALSA lib seq_hw.c: cannot open /dev/snd/seq)")
