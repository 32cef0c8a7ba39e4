"""Generated training folders: a handful of short MIDI files (a melody over a bass, in C), plus
the bad inputs the training command must explain (drums only, unreadable, not music)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from composer_gui.music.midi import write_midi
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score

SCALE = (0, 2, 4, 5, 7, 9, 11)


def tune(seed: int, bars: int = 8) -> Score:
    """A melody of eighths and quarters on the C major scale over a whole-note bass."""
    rng = np.random.default_rng(seed)
    melody, bass = [], []
    degree = 0
    for b in range(bars):
        t = b * 4 * TPQ
        bass.append(Note(t, 36 + SCALE[(b * 3) % 7], 4 * TPQ, 70))
        while t < (b + 1) * 4 * TPQ:
            length = TPQ if rng.random() < 0.5 else TPQ // 2
            degree = int(np.clip(degree + rng.integers(-2, 3), -3, 9))
            pitch = 72 + 12 * (degree // 7) + SCALE[degree % 7]
            melody.append(Note(t, pitch, length, 90))
            t += length
    return Score(parts=(Part(tuple(melody), name="Melody"), Part(tuple(bass), name="Bass",
                                                                 channel=1)),
                 key_signatures=(KeySignature(0, 0, "major"),))


def music_folder(root: Path, count: int = 6, bars: int = 8) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        write_midi(tune(i, bars), root / f"tune{i:02d}.mid")
    return root


def drums_only(path: Path) -> Path:
    notes = tuple(Note(i * TPQ, 36 + (i % 2) * 2, TPQ // 2, 100) for i in range(16))
    write_midi(Score(parts=(Part(notes, name="Drums", channel=9, is_drum=True),)), path)
    return path


def unreadable(path: Path) -> Path:
    path.write_bytes(b"MThd this is not really a MIDI file")
    return path
