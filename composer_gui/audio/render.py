"""Scores -> PCM: a schedule of voices, a chunked stream of them, whole renders and WAV files.

Time zero of a render is ``start_tick``; notes that start in ``[start_tick, end_tick)`` sound (cut
at ``end_tick``), as ``Score.slice`` keeps them. A render is ``duration + tail`` long, where the
duration runs from ``start_tick`` to ``end_tick`` (default: the score's last note-off) through the
score's tempo changes and the tail (``Synth.release_tail``) lets the last notes ring out.

The same ``ScoreStream`` feeds live playback (a chunk at a time) and offline export (all at once),
so what the user hears is what the WAV holds.
"""

from __future__ import annotations

import bisect
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from composer_gui.music.atomic import atomic_write
from composer_gui.music.clefs import pedal_parts
from composer_gui.music.marks import (
    hairpin_gains,
    neighbour,
    ornament_figure,
    pedal_holds,
    performed,
)
from composer_gui.music.score import TPQ, Score

from .soundfont import Preset, load_default
from .synth import Synth
from .timing import TempoMap

GRACE_SECONDS = 1 / 16  # how long a grace note sounds, taken from its note's start
ORNAMENT_QUICK = TPQ // 8  # a trill's or mordent's quick notes: 32nds (at 120 bpm 1/16 s)
ARPEGGIO_SECONDS = 0.03  # an arpeggiated chord's notes, one after another from the lowest


@dataclass(frozen=True)
class Voice:
    """One note to sound: where (frames from the render's start), how long, what."""

    start: int
    on_frames: int
    key: int
    velocity: int
    preset: Preset


def schedule(score: Score, synth: Synth, start_tick: int = 0, end_tick: int | None = None,
             warnings: list[str] | None = None) -> tuple[list[Voice], int]:
    """The voices of ``score`` between the ticks, sorted by start, and the range's length in
    frames (without the release tail)."""
    if end_tick is None:
        end_tick = score.end_tick
    if start_tick < 0 or end_tick < start_tick:
        raise ValueError(f"impossible range {start_tick}..{end_tick}")
    tempo = TempoMap(score)
    sr = synth.sample_rate
    t0 = tempo.seconds(start_tick)

    def frame(tick: int) -> int:
        return round((tempo.seconds(tick) - t0) * sr)

    voices: list[Voice] = []
    silent_drums = False
    pedals = pedal_parts(score.parts)
    for index, part in enumerate(score.parts):
        preset = synth.preset_for(part.program, part.is_drum)
        if preset is None:
            silent_drums = silent_drums or (part.is_drum and bool(part.notes))
            continue
        marked = any(n.marks for n in part.notes)
        gains = hairpin_gains([(n.start, n.velocity, n.marks) for n in part.notes]) if (
            marked) else None  # (a crescendo swells: from its first note to its last)
        used = {n.pitch % 12 for n in part.notes} if marked else set()  # (ornaments, no key)
        ranks = _chord_ranks(part.notes) if marked else None
        pedal = score.parts[pedals[index]].notes  # (a keyboard's one pedal: both hands')
        holds = pedal_holds([(n.start, n.end, n.marks) for n in part.notes],
                            [(n.start, n.end, n.marks) for n in pedal]) if (
            marked or pedal is not part.notes) else None  # (it holds what it catches until up)
        for i, n in enumerate(part.notes):
            if not start_tick <= n.start < end_tick:
                continue
            a = frame(n.start)
            length, velocity = performed(n.duration, n.velocity, n.marks) if n.marks else (
                n.duration, n.velocity)  # (a staccato short, an accent louder)
            if gains is not None and gains[i] != 1.0:
                velocity = max(1, min(127, round(velocity * gains[i])))
            if holds is not None and holds[i] > n.end:
                length = holds[i] - n.start
            b = frame(min(n.start + length, end_tick))
            rank, top = ranks[i] if ranks is not None else (0, True)
            if rank and "arpeggio" in n.marks:  # a rolled chord: struck from its lowest up
                a += min(rank * round(ARPEGGIO_SECONDS * sr), (b - a) // 2)
            if n.graces and not part.is_drum:  # on the beat, each a sixteenth of a second or
                cut = min(round(GRACE_SECONDS * sr), (b - a) // (2 * len(n.graces)))  # less
                for g in n.graces:
                    if 0 <= n.pitch + g <= 127 and cut > 0:
                        voices.append(Voice(a, cut, n.pitch + g, velocity, preset))
                        a += cut
            figure = ornament_figure(n.marks, length, ORNAMENT_QUICK) if (
                n.marks and top and not part.is_drum) else None  # (a chord's top note)
            if figure is not None:  # a trill, a mordent, a turn, a roll: its notes in turn
                key = score.key_at(n.start)
                scale = key.scale_pcs() if key is not None else used
                struck = len(voices)
                for offset, ticks, step in figure:
                    pitch = neighbour(n.pitch, step, scale)
                    x, y = max(a, frame(n.start + offset)), frame(
                        min(n.start + offset + ticks, n.start + length, end_tick))
                    if y > x and 0 <= pitch <= 127:
                        voices.append(Voice(x, y - x, pitch, velocity, preset))
                if len(voices) > struck:
                    continue
            voices.append(Voice(a, max(b - a, round(0.01 * sr)), n.pitch, velocity, preset))
    if silent_drums and warnings is not None:
        warnings.append("the SoundFont has no drum kit: drum parts are silent")
    voices.sort(key=lambda v: v.start)
    return voices, frame(end_tick)


def _chord_ranks(notes) -> list[tuple[int, bool]]:
    """For each of a part's notes, (how many of the notes struck with it lie below it, whether
    it is the highest): a chord's trill is played on its top note, an arpeggio from its
    lowest."""
    by_start: dict[int, list[int]] = {}
    for n in notes:
        by_start.setdefault(n.start, []).append(n.pitch)
    out = []
    for n in notes:
        pitches = by_start[n.start]
        out.append((sum(p < n.pitch for p in pitches), n.pitch == max(pitches)))
    return out


class ScoreStream:
    """Reads a schedule as consecutive blocks of stereo float32 PCM.

    ``read(n)`` returns the next ``n`` frames (fewer at the end, then an empty array). A note is
    rendered when the stream reaches its onset: a short one whole (cached by the synth) and added
    to the frames still to come; a long one (over ``LONG_NOTE`` seconds, a held chord, a pedal
    note) a block at a time, so that no block costs much more than another. Block boundaries
    never change the result.
    """

    LONG_NOTE = 2.0

    def __init__(self, synth: Synth, voices: list[Voice], length: int) -> None:
        self.synth = synth
        self.voices = voices
        self.length = int(length)
        self.position = 0
        self._next = 0
        self._starts = [v.start for v in voices]
        self._acc = np.zeros((0, 2), np.float32)  # frames from self.position on
        self._long: list[list] = []  # [voice, total frames]
        self._long_frames = round(self.LONG_NOTE * synth.sample_rate)

    @classmethod
    def for_score(cls, score: Score, synth: Synth, start_tick: int = 0,
                  end_tick: int | None = None, *, tail: bool = True,
                  warnings: list[str] | None = None) -> ScoreStream:
        voices, frames = schedule(score, synth, start_tick, end_tick, warnings)
        return cls(synth, voices, frames + (synth.tail_frames if tail else 0))

    @property
    def remaining(self) -> int:
        return self.length - self.position

    def read(self, n: int) -> np.ndarray:
        n = max(0, min(int(n), self.remaining))
        start, end = self.position, self.position + n
        synth = self.synth
        while self._next < len(self.voices) and self.voices[self._next].start < end:
            v = self.voices[self._next]
            self._next += 1
            total = synth.note_length(v.preset, v.key, v.velocity, v.on_frames)
            if total > self._long_frames:
                self._long.append([v, total])
                continue
            wave_ = synth.note(v.preset, v.key, v.velocity, v.on_frames)
            offset = v.start - start
            if offset < 0:  # started before the stream's position: keep what remains
                wave_ = wave_[-offset:]
                offset = 0
            self._mix(offset, wave_)
        out = np.zeros((n, 2), np.float32)
        have = min(n, len(self._acc))
        out[:have] = self._acc[:have]
        self._acc = self._acc[have:]
        keep = []
        for item in self._long:
            v, total = item
            a = max(0, start - v.start)
            b = min(total, end - v.start)
            if b > a:
                at = v.start + a - start
                out[at:at + b - a] += synth.note_segment(v.preset, v.key, v.velocity,
                                                         v.on_frames, a, b)
            if v.start + total > end:
                keep.append(item)
        self._long = keep
        self.position = end
        return out

    def seek(self, position: int) -> None:
        """Go on from ``position`` as if everything before it had been read: the notes still
        ringing there are picked up part-way, so the frames read next are the same (to float
        rounding) as reading straight through. Playback uses it to re-mix after a flush."""
        position = max(0, min(int(position), self.length))
        synth = self.synth
        nxt = bisect.bisect_left(self._starts, position)
        self._acc = np.zeros((0, 2), np.float32)
        self._long = []
        for v in self.voices[:nxt]:
            if v.start + v.on_frames + synth.tail_frames + 1 <= position:
                continue  # ended before ``position`` whatever its release
            total = synth.note_length(v.preset, v.key, v.velocity, v.on_frames)
            if v.start + total <= position:
                continue
            if total > self._long_frames:
                self._long.append([v, total])
            else:
                self._mix(0, synth.note(v.preset, v.key, v.velocity, v.on_frames)
                          [position - v.start:])
        self._next = nxt
        self.position = position

    def _mix(self, offset: int, wave_: np.ndarray) -> None:
        need = offset + len(wave_)
        if need > len(self._acc):
            grown = np.zeros((max(need, 2 * len(self._acc)), 2), np.float32)
            grown[:len(self._acc)] = self._acc
            self._acc = grown
        self._acc[offset:need] += wave_


def render_score(score: Score, synth: Synth | None = None, start_tick: int = 0,
                 end_tick: int | None = None, warnings: list[str] | None = None) -> np.ndarray:
    """The whole range as float32 PCM, shape (frames, 2), 44.1 kHz unless ``synth`` says
    otherwise; frames = the range's duration + the release tail."""
    synth = synth or default_synth()
    stream = ScoreStream.for_score(score, synth, start_tick, end_tick, warnings=warnings)
    return stream.read(stream.length)


_DEFAULT: dict[int, Synth] = {}
_DEFAULT_LOCK = threading.Lock()  # two threads asking at once share one load


def default_synth(sample_rate: int = 44100) -> Synth:
    """A synth on the default SoundFont (``soundfont.find_soundfont``), one per sample rate.
    Thread-safe: a caller that comes while another thread loads it waits for that load."""
    synth = _DEFAULT.get(sample_rate)
    if synth is not None:
        return synth
    with _DEFAULT_LOCK:
        synth = _DEFAULT.get(sample_rate)
        if synth is None:
            synth = _DEFAULT[sample_rate] = Synth(load_default(), sample_rate)
    return synth


def loaded_synth(sample_rate: int = 44100) -> Synth | None:
    """The default synth if it is loaded already, else None (never loads, never waits)."""
    return _DEFAULT.get(sample_rate)


def load_synth_in_background(sample_rate: int,
                             done: Callable[[Synth | None, Exception | None], None]
                             ) -> threading.Thread:
    """Load the default synth in a daemon thread, then call ``done(synth, None)`` or
    ``done(None, error)`` from that thread. For a clicked key before the SoundFont is loaded:
    the 0.15 s load must not freeze the window."""

    def run() -> None:
        try:
            synth = default_synth(sample_rate)
        except Exception as exc:  # SoundFontError, or anything reading the file raised
            done(None, exc)
        else:
            done(synth, None)

    thread = threading.Thread(target=run, name="composer-soundfont-load", daemon=True)
    thread.start()
    return thread


def to_int16(pcm: np.ndarray) -> np.ndarray:
    """Float PCM in -1..1 -> int16, clipped (never wrapped round)."""
    return (np.clip(pcm, -1.0, 1.0) * 32767.0).round().astype("<i2")


def write_wav(path: str | Path, pcm: np.ndarray, sample_rate: int = 44100) -> None:
    """A 16-bit PCM WAV (stereo or mono by ``pcm``'s shape) that every player reads. Written
    atomically: on any error the old file is left as it was and ``ScoreFileError`` is raised."""
    frames = to_int16(pcm)
    channels = 1 if frames.ndim == 1 else frames.shape[1]

    def write(tmp: Path) -> None:
        with wave.open(str(tmp), "wb") as w:
            w.setnchannels(channels)
            w.setsampwidth(2)
            w.setframerate(int(sample_rate))
            w.writeframes(np.ascontiguousarray(frames).tobytes())

    atomic_write(path, write)


def render_wav(score: Score, path: str | Path, *, report: Callable[[float], None] | None = None,
               cancelled: Callable[[], bool] | None = None, sample_rate: int = 44100,
               synth: Synth | None = None, warnings: list[str] | None = None) -> float:
    """Render ``score`` (the default SoundFont unless ``synth`` is given) and write a WAV
    atomically; returns its length in seconds (what it left out goes to ``warnings``). Meant
    for a worker: renders in 10-second blocks, calls ``report(fraction done)`` after each and
    stops before the next when ``cancelled()`` says so, writing nothing and returning 0.0.
    The same samples as ``render_score``."""
    synth = synth or default_synth(sample_rate)
    stream = ScoreStream.for_score(score, synth, warnings=warnings)
    blocks = []
    block = 10 * synth.sample_rate
    while stream.remaining > 0:
        if cancelled is not None and cancelled():
            return 0.0
        blocks.append(stream.read(block))
        if report is not None:
            report(stream.position / max(1, stream.length))
    if cancelled is not None and cancelled():
        return 0.0
    pcm = np.concatenate(blocks) if blocks else np.zeros((0, 2), np.float32)
    write_wav(path, pcm, synth.sample_rate)
    return len(pcm) / synth.sample_rate
