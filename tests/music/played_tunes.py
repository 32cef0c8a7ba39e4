"""Three tunes of known notation, played: a hornpipe of running eighths (swung or straight), a
march of dotted figures and real triplets that must stay as written, and a slow air with
runs of 32nds and sixteenth-triplet turns. A performance places each
off-beat eighth at ``ratio`` of its beat (0.5: straight, 0.67: swung about 2:1), jitters every
onset (gaussian, in milliseconds), lets the player drift around the beat and the tempo map
around its bpm, and plays each note legato, detached or staccato. Written with mido."""

from __future__ import annotations

import math
import random
from fractions import Fraction
from pathlib import Path

import mido
from human_piano import write_one_track

TPQ = 480
E, Q, H = Fraction(1, 2), Fraction(1), Fraction(2)  # eighth, quarter, half (in quarters)
T, D, S = Fraction(1, 3), Fraction(3, 4), Fraction(1, 4)  # triplet eighth, dotted eighth, 16th
R, X = Fraction(1, 8), Fraction(1, 6)  # 32nd, sixteenth triplet
_STEPS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def _pitch(name: str) -> int | None:
    """"F#4" -> 66; "z" is a rest."""
    if name == "z":
        return None
    return 12 * (int(name[-1]) + 1) + _STEPS[name[0]] + name[1:-1].count("#")


def _tune(bars: list[str], lengths: dict[str, Fraction]) -> list[tuple[int, int, int | None]]:
    """(start tick, written length in ticks, pitch or None for a rest) from bars of
    "pitch/length" tokens (length letters: E Q H T D S R X)."""
    out, now = [], Fraction(0)
    for bar in bars:
        for token in bar.split():
            name, length = token.split("/")
            out.append((int(now * TPQ), int(lengths[length] * TPQ), _pitch(name)))
            now += lengths[length]
    return out


_LENGTHS = {"E": E, "Q": Q, "H": H, "T": T, "D": D, "S": S, "R": R, "X": X}

# A hornpipe in G, two strains of running eighths, a triplet in bars 4 and 11, quarters at the
# cadences (an original tune in the style).
HORNPIPE = _tune([
    "B4/E A4/E G4/E A4/E B4/E G4/E D4/E G4/E", "B4/E D5/E G5/E D5/E E5/E D5/E B4/E G4/E",
    "A4/E B4/E C5/E A4/E B4/Q G4/Q", "A4/T B4/T A4/T G4/E F#4/E G4/E A4/E B4/Q",
    "B4/E A4/E G4/E A4/E B4/E G4/E D4/E G4/E", "B4/E D5/E G5/E F#5/E G5/E D5/E B4/E G4/E",
    "C5/E E5/E D5/E C5/E B4/E A4/E G4/E F#4/E", "G4/Q D4/Q G4/Q z/Q",
    "D5/E C5/E B4/E C5/E D5/E G5/E F#5/E G5/E", "E5/E G5/E D5/E G5/E C5/E E5/E B4/E D5/E",
    "C5/E B4/E A4/E G4/E F#4/T G4/T A4/T D4/Q", "A4/E B4/E C5/E A4/E D5/H",
    "D5/E C5/E B4/E C5/E D5/E G5/E F#5/E G5/E", "E5/E G5/E D5/E G5/E C5/E E5/E B4/E D5/E",
    "C5/E E5/E D5/E C5/E B4/E A4/E G4/E F#4/E", "G4/Q D4/Q G4/Q z/Q",
], _LENGTHS)

# A march in G: dotted eighth and sixteenth, eighth triplets, plain eighths; played straight,
# every figure must come back as written.
MARCH = _tune([
    "G4/D A4/S B4/D C5/S D5/Q B4/Q", "C5/T B4/T A4/T B4/T A4/T G4/T A4/E B4/E A4/Q",
    "G4/D A4/S B4/E C5/E D5/D E5/S D5/Q", "D5/T E5/T D5/T C5/E A4/E B4/D A4/S G4/Q",
    "B4/E G4/E D5/D B4/S C5/T B4/T A4/T G4/Q", "A4/D B4/S C5/D A4/S B4/E G4/E D4/Q",
    "G4/D A4/S B4/T C5/T D5/T E5/D D5/S C5/E A4/E", "B4/Q A4/Q G4/H",
], _LENGTHS)


# A slow air in D (an original tune in the style of a baroque violin adagio): quarters and
# eighths ornamented with runs of 32nds, sixteenth-triplet turns and dotted sixteenths.
AIR = _tune([
    "D5/Q A4/E B4/R C#5/R D5/R E5/R F#5/Q E5/E D5/E",
    "C#5/X D5/X E5/X D5/X C#5/X B4/X A4/Q G4/E F#4/E E4/Q",
    "F#4/E G4/R A4/R B4/R C#5/R D5/D E5/S F#5/E E5/R D5/R C#5/R B4/R C#5/Q",
    "A4/Q B4/X A4/X G#4/X A4/X B4/X C#5/X A4/H",
    "A4/E B4/E C#5/E D5/E E5/R F#5/R G5/R F#5/R E5/R D5/R C#5/R B4/R A4/Q",
    "B4/D C#5/S D5/E E5/E F#5/X G5/X F#5/X E5/X D5/X C#5/X D5/Q",
    "G5/E F#5/E E5/E D5/E C#5/R D5/R E5/R C#5/R A4/E B4/E C#5/E",
    "D5/X C#5/X B4/X C#5/X B4/X A4/X G4/E E4/E D4/H",
], _LENGTHS)

def written(tune: list[tuple[int, int, int | None]]) -> list[tuple[int, int, int]]:
    """The tune's notes as a copyist writes them: (start, length, pitch), rests left out."""
    return [(start, length, pitch) for start, length, pitch in tune if pitch is not None]


def played_midi(path: str | Path, tune: list[tuple[int, int, int | None]], ratio: float = 0.5,
                seed: int = 1, bpm: float = 100.0, jitter_ms: float = 15.0) -> Path:
    """``tune`` played with its off-beat eighths at ``ratio`` of the beat, in a MIDI file of
    one 4/4 track whose tempo map follows the player (a tempo event a beat, within about 6 % of
    ``bpm``). Each onset is late or early by a gaussian ``jitter_ms`` plus a slow drift of up
    to 15 ms around the beat; each note is held legato into the next (40 %), detached (40 %) or
    staccato (20 %). The first note is never before tick 0."""
    rng = random.Random(seed)
    beats = max(start + length for start, length, _ in tune) // TPQ + 1
    tempos = [bpm * (1 + 0.05 * math.sin(b / 5 + seed) + rng.uniform(-0.015, 0.015))
              for b in range(beats + 1)]

    def ticks_of_ms(ms: float, tick: int) -> int:
        return round(ms / 60000 * tempos[tick // TPQ] * TPQ)

    def swung(tick: int) -> int:  # a written off-beat eighth placed at ``ratio`` of its beat
        beat, pos = divmod(tick, TPQ)
        return beat * TPQ + (round(ratio * TPQ) if pos == TPQ // 2 else pos)

    events: list[tuple[int, mido.Message]] = []
    for start, length, pitch in tune:
        if pitch is None:
            continue
        on, off = swung(start), swung(start + length)
        drift = 15 * math.sin(start / (3 * TPQ) + seed)
        on = max(0, on + ticks_of_ms(rng.gauss(0, jitter_ms) + drift, start))
        style = rng.random()
        if style < 0.4:  # legato: into the next note
            off += ticks_of_ms(rng.uniform(10, 40), start)
        else:  # detached or staccato: a share of the written length
            off = on + round((off - on) * (rng.uniform(0.75, 0.95) if style < 0.8
                                           else rng.uniform(0.5, 0.6)))
        velocity = rng.randint(60, 100)
        events.append((on, mido.Message("note_on", note=pitch, velocity=velocity)))
        events.append((max(on + 10, off), mido.Message("note_off", note=pitch, velocity=0)))
    events += [(b * TPQ, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(t)))
               for b, t in enumerate(tempos)]
    return write_one_track(path, events, "Fiddle", 40)
