"""Time importing and exporting a 100,000-note MIDI file (and the same score as a project file).

    python bench/midi_io.py [--notes 100000] [--repeat 3]

The input is built the way a DAW writes it: a type 1 file, a conductor track with tempo and meter
changes, eight instrument tracks (one of them drums on channel 10), note-on with velocity 0 as
note-off and running status, at 960 ticks per beat so that import also rescales. Density is that of
a busy ensemble: about 12 notes per beat across all tracks. Each row is the best of ``--repeat``
runs.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import mido

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from composer_gui.music.midi import read_midi, write_midi
from composer_gui.music.project import read_project, write_project

TPB = 960
# (name, channel, program, lowest pitch, highest pitch, notes per beat, note lengths in beats)
TRACKS = [
    ("Piano RH", 0, 0, 60, 96, 2.5, (0.25, 0.5, 1)),
    ("Piano LH", 1, 0, 36, 60, 2.0, (0.5, 1, 2)),
    ("Violins", 2, 48, 55, 91, 1.5, (0.5, 1, 2)),
    ("Violas", 3, 48, 48, 79, 1.0, (1, 2)),
    ("Cellos", 4, 48, 36, 67, 1.0, (1, 2)),
    ("Bass", 5, 33, 28, 55, 1.0, (0.5, 1)),
    ("Lead", 6, 81, 60, 96, 1.0, (0.25, 0.5)),
    ("Drums", 9, 0, 35, 59, 2.0, (0.125,)),
]


def build_midi(total_notes: int, seed: int = 1) -> mido.MidiFile:
    rng = random.Random(seed)
    density = sum(t[5] for t in TRACKS)
    beats = int(total_notes / density) + 1
    mid = mido.MidiFile(type=1, ticks_per_beat=TPB)
    conductor = mido.MidiTrack()
    conductor.append(mido.MetaMessage("track_name", name="Benchmark", time=0))
    conductor.append(mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0))
    conductor.append(mido.MetaMessage("key_signature", key="Eb", time=0))
    conductor.append(mido.MetaMessage("set_tempo", tempo=500_000, time=0))
    for _ in range(beats // 64):  # a tempo change every 16 bars
        conductor.append(mido.MetaMessage("set_tempo", tempo=rng.randint(400_000, 700_000),
                                          time=64 * TPB))
    mid.tracks.append(conductor)

    shares = [t[5] / density for t in TRACKS]
    counts = [int(total_notes * s) for s in shares]
    counts[0] += total_notes - sum(counts)
    for (name, channel, program, low, high, _, lengths), count in zip(TRACKS, counts, strict=True):
        events = []
        for _ in range(count):
            start = rng.randrange(beats * 4) * TPB // 4 + rng.choice((0, 0, 0, 7, -5)) % TPB
            length = int(rng.choice(lengths) * TPB) - rng.randrange(0, 30)
            pitch = rng.randint(low, high)
            events.append((start, 1, pitch, rng.randint(40, 120)))
            events.append((start + max(length, 1), 0, pitch, 0))
        events.sort()
        track = mido.MidiTrack()
        track.append(mido.MetaMessage("track_name", name=name, time=0))
        track.append(mido.Message("program_change", channel=channel, program=program, time=0))
        last = 0
        for tick, _, pitch, velocity in events:  # velocity 0 is the note-off, as most DAWs write
            track.append(mido.Message("note_on", channel=channel, note=pitch, velocity=velocity,
                                      time=tick - last))
            last = tick
        mid.tracks.append(track)
    return mid


def best_of(repeat: int, fn):
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notes", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "daw.mid"
        build_midi(args.notes).save(source)
        rows = []

        seconds, score = best_of(args.repeat, lambda: read_midi(source))
        assert score.note_count == args.notes, (score.note_count, args.notes)
        rows.append(("read_midi (DAW file, 960 tpb)", seconds))

        out = folder / "ours.mid"
        seconds, _ = best_of(args.repeat, lambda: write_midi(score, out))
        rows.append(("write_midi", seconds))

        seconds, again = best_of(args.repeat, lambda: read_midi(out))
        assert again.note_count == args.notes
        rows.append(("read_midi (our own file)", seconds))

        project = folder / "song.composer.json"
        seconds, _ = best_of(args.repeat, lambda: write_project(score, project))
        rows.append(("write_project (JSON)", seconds))

        seconds, loaded = best_of(args.repeat, lambda: read_project(project))
        assert loaded == score
        rows.append(("read_project (JSON)", seconds))

        sizes = {"daw.mid": source.stat().st_size, "ours.mid": out.stat().st_size,
                 "song.composer.json": project.stat().st_size}

    print(f"{args.notes:,} notes in {len(score.parts)} parts, {score.bar_count():,} bars; "
          f"best of {args.repeat} runs")
    print(f"| {'operation':<30} | {'seconds':>8} | {'notes/s':>10} |")
    print(f"| {'-' * 30} | {'-' * 8}:| {'-' * 10}:|")
    for name, seconds in rows:
        print(f"| {name:<30} | {seconds:8.3f} | {args.notes / seconds:10,.0f} |")
    print("file sizes: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sizes.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
