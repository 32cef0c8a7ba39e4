"""A human-timed two-hand piano piece as a keyboard recording gives it: onsets and lengths off
every grid, a rubato tempo map with a tempo event every eighth note. Written with mido."""

from __future__ import annotations

import math
import random
from pathlib import Path

import mido

TPQ = 480
# C - Am - F - G, one chord a bar: (bass root, its third in semitones, right-hand chord tones)
_PROGRESSION = [(36, 4, (60, 64, 67, 72)), (33, 3, (60, 64, 69, 72)), (41, 4, (60, 65, 69, 72)),
                (43, 4, (62, 67, 71, 74))]


def human_piano_midi(path: str | Path, bars: int = 16, seed: int = 1) -> Path:
    """Right hand: eighth-note melody over the chord; left hand: a bass note and a broken chord
    in quarters. Every onset jitters by up to 30 ticks, every length is 60-105% of the written
    one, and the tempo drifts between about 84 and 112 bpm."""
    rng = random.Random(seed)
    events: list[tuple[int, mido.Message]] = []

    def note(start: int, pitch: int, length: int, channel: int = 0) -> None:
        on = max(0, start + rng.randint(-30, 30))
        dur = max(20, int(length * rng.uniform(0.6, 1.05)))
        vel = rng.randint(50, 100)
        events.append((on, mido.Message("note_on", note=pitch, velocity=vel, channel=channel)))
        events.append((on + dur, mido.Message("note_off", note=pitch, velocity=0,
                                              channel=channel)))

    for bar in range(bars):
        root, third, tones = _PROGRESSION[bar % len(_PROGRESSION)]
        b0 = bar * 4 * TPQ
        for i in range(8):  # right hand
            pitch = tones[(i * 3 + bar) % len(tones)] + (12 if i % 4 == 3 else 0)
            note(b0 + i * TPQ // 2, pitch, TPQ // 2)
        note(b0, root, 2 * TPQ)  # left hand
        for i, offset in enumerate((7, 12, 12 + third)):
            note(b0 + (i + 1) * TPQ, root + offset, TPQ)
    tempo_events = []
    for k in range(bars * 8):
        bpm = 98 + 10 * math.sin(k / 9) + rng.uniform(-4, 4)
        tempo_events.append((k * TPQ // 2, mido.MetaMessage("set_tempo",
                                                            tempo=mido.bpm2tempo(bpm))))
    return write_one_track(path, tempo_events + events, "Piano", 0)


def write_one_track(path, events, name: str, program: int) -> Path:
    """A type-0 MIDI file in 4/4 of ``events`` ((tick, message), any order; offs first at a
    tick), named ``name``, on General MIDI ``program``."""
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0))
    track.append(mido.MetaMessage("track_name", name=name, time=0))
    track.append(mido.Message("program_change", program=program, time=0))
    now = 0
    for tick, msg in sorted(events, key=lambda e: (e[0], e[1].type != "note_off")):
        track.append(msg.copy(time=tick - now))
        now = tick
    mid = mido.MidiFile(ticks_per_beat=TPQ)
    mid.tracks.append(track)
    path = Path(path)
    mid.save(path)
    return path
