"""The sample player: one note of one SoundFont preset -> a stereo float32 waveform.

A note is rendered whole, from its onset to the end of its release, and mixed into the output by
the caller (``render.ScoreStream``). Voices never interact, so a score is the sum of its notes;
that keeps rendering exact across chunk boundaries and lets a repeated note be cached.

Per region (sample) of the preset that answers the key and velocity:
- pitch: ``(key - root key) * scale tuning + coarse/fine tune + the sample's correction``,
  resampled with linear interpolation; looped samples wrap between their loop points;
- loudness: the region's attenuation and the General MIDI velocity curve ``(velocity / 127) ** 2``
  (what the SF2 default velocity-to-attenuation modulator gives, as FluidSynth plays it);
- the volume envelope: delay, attack (linear), hold, decay to the sustain level and release
  (linear in dB, 100 dB per decay / release time, as the spec defines them); key scaling of hold
  and decay;
- pan, equal power.
Not played: filters, LFOs, the modulation envelope, modulators, reverb and chorus, exclusive
classes (an open hi-hat is not choked by a closed one).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from .soundfont import Preset, Region, SoundFont

SAMPLE_RATE = 44100
RELEASE_TAIL = 1.0  # seconds kept after the last note ends; longer releases fade out within it
MIN_RELEASE = 0.01  # seconds: shorter releases click
MASTER_GAIN = 1.0
_SILENCE_DB = -96.0
_CACHE_BYTES = 48 * 1024 * 1024


class Synth:
    """Renders notes of a SoundFont's presets at ``sample_rate``.

    ``note(preset, key, velocity, on_frames)`` returns an array of shape (frames, 2), float32, at
    most ``on_frames + tail_frames`` long (shorter when an unlooped sample runs out first).
    Thread-safe; results are cached (the same note at the same length costs nothing twice).
    """

    def __init__(self, soundfont: SoundFont, sample_rate: int = SAMPLE_RATE, *,
                 release_tail: float = RELEASE_TAIL, gain: float = MASTER_GAIN) -> None:
        if not 8000 <= sample_rate <= 192000:
            raise ValueError(f"sample rate {sample_rate} is outside 8000..192000 Hz")
        self.soundfont = soundfont
        self.sample_rate = int(sample_rate)
        self.release_tail = float(release_tail)
        self.tail_frames = round(release_tail * sample_rate)
        self.gain = float(gain)
        self._cache: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._cache_bytes = 0
        self._lock = threading.Lock()

    def preset_for(self, program: int, drum: bool = False) -> Preset | None:
        return self.soundfont.instrument(program, drum)

    def note(self, preset: Preset, key: int, velocity: int, on_frames: int) -> np.ndarray:
        """The whole note, from onset to the end of its release (cached)."""
        on_frames = max(int(on_frames), 1)
        cache_key = (id(preset), key, velocity, on_frames)
        with self._lock:
            hit = self._cache.get(cache_key)
            if hit is not None:
                self._cache.move_to_end(cache_key)
                return hit
        plans = self._plans(preset, key, velocity, on_frames)
        wave = self._render(plans, 0, max((p.frames for p in plans), default=0))
        wave.flags.writeable = False
        with self._lock:
            if cache_key not in self._cache:
                self._cache[cache_key] = wave
                self._cache_bytes += wave.nbytes
                while self._cache_bytes > _CACHE_BYTES and self._cache:
                    _, old = self._cache.popitem(last=False)
                    self._cache_bytes -= old.nbytes
        return wave

    def note_length(self, preset: Preset, key: int, velocity: int, on_frames: int) -> int:
        """Frames the whole note lasts (what ``note`` would return the length of)."""
        plans = self._plans(preset, key, velocity, max(int(on_frames), 1))
        return max((p.frames for p in plans), default=0)

    def note_segment(self, preset: Preset, key: int, velocity: int, on_frames: int, a: int,
                     b: int) -> np.ndarray:
        """Frames ``a..b`` of the note, exactly as ``note(...)[a:b]`` (for long notes, so that
        live playback renders them a block at a time instead of all at once). Not cached."""
        plans = self._plans(preset, key, velocity, max(int(on_frames), 1))
        return self._render(plans, a, b)

    def _plans(self, preset: Preset, key: int, velocity: int, on_frames: int) -> list[_Plan]:
        plans = (self._plan(r, key, velocity, on_frames)
                 for r in preset.regions_for(key, velocity))
        return [p for p in plans if p.frames > 0]

    def _plan(self, r: Region, key: int, velocity: int, on_frames: int) -> _Plan:
        sr = self.sample_rate
        if r.fixed_key >= 0:
            key = r.fixed_key
        if r.fixed_velocity > 0:
            velocity = r.fixed_velocity
        delay, attack, hold, decay, sustain_db, release = r.envelope(key)
        release = max(release, MIN_RELEASE)
        # the envelope's level (dB) at note-off decides how long the release lasts
        level_off = _level_db(on_frames / sr, delay, attack, hold, decay, sustain_db)
        natural = math.ceil(release * max(0.0, level_off - _SILENCE_DB) / 100.0 * sr)
        rel_frames = min(natural, self.tail_frames)
        n = on_frames + max(rel_frames, 1)
        cents = (key - r.root_key) * r.scale_tuning + r.tune_cents
        step = 2.0 ** (cents / 1200.0) * r.sample_rate / sr
        if not r.looped:
            n = min(n, max(math.ceil((r.end - 1 - r.start) / step), 0))
        # cut short by the tail: the last 20 ms fade out
        fade = min(n - on_frames, round(0.02 * sr)) if rel_frames < natural else 0
        amp = self.gain * 10.0 ** (-r.attenuation_cb / 200.0) * (velocity / 127.0) ** 2
        angle = (r.pan + 0.5) * (math.pi / 2)
        return _Plan(r, n, step, on_frames, (delay, attack, hold, decay, sustain_db, release),
                     level_off, max(fade, 0),
                     amp * math.cos(angle) * math.sqrt(2), amp * math.sin(angle) * math.sqrt(2))

    def _render(self, plans: list[_Plan], a: int, b: int) -> np.ndarray:
        out = np.zeros((max(b - a, 0), 2), np.float32)
        for p in plans:
            hi = min(b, p.frames)
            if hi > a:
                sig = self._region_frames(p, a, hi)
                out[:hi - a, 0] += sig * np.float32(p.left)
                out[:hi - a, 1] += sig * np.float32(p.right)
        return out

    def _region_frames(self, p: _Plan, a: int, b: int) -> np.ndarray:
        r = p.region
        frames = np.arange(a, b, dtype=np.float64)
        pos = r.start + p.step * frames
        if r.looped:
            length = r.loop_end - r.loop_start
            over = pos >= r.loop_end
            pos[over] = r.loop_start + np.mod(pos[over] - r.loop_start, length)
            idx = pos.astype(np.int64)
            nxt = idx + 1
            nxt[nxt >= r.loop_end] -= length
        else:
            idx = pos.astype(np.int64)
            nxt = idx + 1
        frac = (pos - idx).astype(np.float32)
        data = self.soundfont.data
        first = data[idx]
        sig = first + (data[nxt] - first) * frac
        sig *= _envelope(a, b, self.sample_rate, p.on_frames, *p.env, p.level_off)
        if p.fade:
            fade_from = p.frames - p.fade
            if b > fade_from:
                k = np.arange(max(a, fade_from), b) - fade_from
                sig[max(a, fade_from) - a:] *= (1.0 - k / p.fade).astype(np.float32)
        return sig


@dataclass(frozen=True)
class _Plan:
    """How one region sounds for one note: length, resampling step, envelope, gains."""

    region: Region
    frames: int
    step: float
    on_frames: int
    env: tuple[float, float, float, float, float, float]
    level_off: float
    fade: int
    left: float
    right: float


def _level_db(t: float, delay, attack, hold, decay, sustain_db) -> float:
    """The envelope (dB, 0 = full) at ``t`` seconds while the key is held."""
    if t <= delay:
        return _SILENCE_DB
    if t < delay + attack:
        return 20.0 * math.log10(max((t - delay) / attack, 1e-5))
    t_decay = t - delay - attack - hold
    if t_decay <= 0:
        return 0.0
    if decay <= 0:
        return -sustain_db
    return -min(sustain_db, t_decay * 100.0 / decay)


def _envelope(a, b, sr, on_frames, delay, attack, hold, decay, sustain_db, release,
              level_off) -> np.ndarray:
    """Envelope gains for frames ``a..b`` of a note held for ``on_frames``."""
    t = np.arange(a, b, dtype=np.float64) / sr
    env = np.empty(b - a, np.float32)
    split = min(max(on_frames - a, 0), b - a)  # frames before note-off
    if split:
        held = t[:split]
        t_decay = held - (delay + attack + hold)
        if decay > 0:
            db = -np.minimum(sustain_db, np.maximum(t_decay, 0.0) * (100.0 / decay))
        else:
            db = np.where(t_decay > 0, -sustain_db, 0.0)
        gain = np.power(10.0, db / 20.0)
        if attack > 0:
            gain *= np.clip((held - delay) / attack, 0.0, 1.0)
        elif delay > 0:
            gain *= held >= delay
        env[:split] = gain
    if split < b - a:
        after = t[split:] - on_frames / sr
        rel_db = level_off - after * (100.0 / release)
        env[split:] = np.where(rel_db > _SILENCE_DB, np.power(10.0, rel_db / 20.0), 0.0)
    return env
