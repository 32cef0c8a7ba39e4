"""A SoundFont 2 reader: RIFF chunks -> presets -> instruments -> sample regions.

Only what a sample player needs is kept. Each preset becomes a flat list of ``Region``s, one per
(preset zone x instrument zone) pair, with the generator values already merged the way the SF2 spec
says: instrument values (global zone, then local zone) are absolute, preset values (global, then
local) are added on top, key and velocity ranges intersect. Modulators, filters and LFOs are read
past and ignored (see ``composer_gui/audio/__init__.py`` for what that costs).

No Qt here, and nothing but the standard library and numpy.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Generator operators (SF2 2.04, section 8.1.2) that this player uses.
G_START_OFS, G_END_OFS, G_LOOP_START_OFS, G_LOOP_END_OFS = 0, 1, 2, 3
G_START_COARSE, G_END_COARSE = 4, 12
G_PAN = 17
G_DELAY_VOL, G_ATTACK_VOL, G_HOLD_VOL, G_DECAY_VOL, G_SUSTAIN_VOL, G_RELEASE_VOL = range(33, 39)
G_KEY_TO_HOLD, G_KEY_TO_DECAY = 39, 40
G_INSTRUMENT, G_KEY_RANGE, G_VEL_RANGE = 41, 43, 44
G_LOOP_START_COARSE, G_KEYNUM, G_VELOCITY, G_ATTENUATION = 45, 46, 47, 48
G_LOOP_END_COARSE, G_COARSE_TUNE, G_FINE_TUNE, G_SAMPLE_ID, G_SAMPLE_MODES = 50, 51, 52, 53, 54
G_SCALE_TUNING, G_EXCLUSIVE_CLASS, G_ROOT_KEY = 56, 57, 58

_RANGES = (G_KEY_RANGE, G_VEL_RANGE)
# Generators that only mean something at instrument level (a preset zone may not set them).
_INSTRUMENT_ONLY = frozenset({
    G_START_OFS, G_END_OFS, G_LOOP_START_OFS, G_LOOP_END_OFS, G_START_COARSE, G_END_COARSE,
    G_LOOP_START_COARSE, G_LOOP_END_COARSE, G_KEYNUM, G_VELOCITY, G_SAMPLE_MODES,
    G_EXCLUSIVE_CLASS, G_ROOT_KEY, G_SAMPLE_ID,
})
_DEFAULTS = {
    G_DELAY_VOL: -12000, G_ATTACK_VOL: -12000, G_HOLD_VOL: -12000, G_DECAY_VOL: -12000,
    G_RELEASE_VOL: -12000, G_SCALE_TUNING: 100, G_ROOT_KEY: -1, G_KEYNUM: -1, G_VELOCITY: -1,
}

DRUM_BANK = 128
_ROM_SAMPLE = 0x8000


class SoundFontError(Exception):
    """A SoundFont could not be found or read. ``str()`` is the whole message for the user."""


@dataclass(frozen=True)
class Region:
    """One sample, the keys and velocities it answers, and how to play it."""

    key_lo: int
    key_hi: int
    vel_lo: int
    vel_hi: int
    start: int  # indices into SoundFont.data (the whole sample pool)
    end: int
    loop_start: int
    loop_end: int
    loop_mode: int  # 0: none, 1: loop, 3: loop until released (played as 1)
    sample_rate: int
    root_key: int
    tune_cents: float  # coarse + fine tune + the sample's own pitch correction
    scale_tuning: int  # cents per key (100: normal keyboard, 0: every key the same pitch)
    attenuation_cb: float
    pan: float  # -0.5 (left) .. 0.5 (right)
    delay_tc: int
    attack_tc: int
    hold_tc: int
    decay_tc: int
    sustain_cb: float
    release_tc: int
    key_to_hold: int
    key_to_decay: int
    exclusive_class: int = 0
    fixed_key: int = -1
    fixed_velocity: int = -1

    def matches(self, key: int, velocity: int) -> bool:
        return self.key_lo <= key <= self.key_hi and self.vel_lo <= velocity <= self.vel_hi

    @property
    def looped(self) -> bool:
        return self.loop_mode in (1, 3) and self.loop_end - self.loop_start >= 2

    def envelope(self, key: int) -> tuple[float, float, float, float, float, float]:
        """(delay, attack, hold, decay, sustain level in dB below full, release) in seconds;
        decay and release are the times for a 100 dB change, as the spec defines them."""
        hold = self.hold_tc + self.key_to_hold * (60 - key)
        decay = self.decay_tc + self.key_to_decay * (60 - key)
        return (
            _seconds(self.delay_tc), _seconds(self.attack_tc), _seconds(hold), _seconds(decay),
            min(max(self.sustain_cb, 0.0), 1440.0) / 10.0, _seconds(self.release_tc),
        )


def _seconds(timecents: int) -> float:
    return 0.0 if timecents <= -12000 else 2.0 ** (min(timecents, 8000) / 1200.0)


@dataclass(frozen=True)
class Preset:
    name: str
    bank: int
    program: int
    regions: tuple[Region, ...]

    def regions_for(self, key: int, velocity: int) -> list[Region]:
        return [r for r in self.regions if r.matches(key, velocity)]


@dataclass
class SoundFont:
    """A loaded SoundFont: the sample pool as float32 in -1..1 and the presets by (bank, program).

    ``instrument(program, drum)`` picks what a part plays, with General MIDI's fallbacks.
    """

    name: str
    copyright: str
    data: np.ndarray
    presets: dict[tuple[int, int], Preset]
    path: Path | None = None

    @classmethod
    def load(cls, path: str | Path) -> SoundFont:
        path = Path(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise SoundFontError(f"{path}: no such SoundFont file") from None
        except IsADirectoryError:
            raise SoundFontError(f"{path}: is a folder, not a SoundFont file") from None
        except OSError as exc:
            raise SoundFontError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        try:
            sf = parse(raw)
        except SoundFontError as exc:
            raise SoundFontError(f"{path}: not a usable SoundFont ({exc})") from None
        except (struct.error, IndexError, ValueError, KeyError) as exc:
            raise SoundFontError(f"{path}: not a usable SoundFont (damaged: {exc})") from None
        sf.path = path
        return sf

    @property
    def has_drum_kit(self) -> bool:
        return any(bank == DRUM_BANK for bank, _ in self.presets)

    def instrument(self, program: int, drum: bool = False) -> Preset | None:
        """The preset a part plays: drums use bank 128 (kit ``program``, else the standard kit
        0); pitched parts use bank 0's ``program``, else the nearest lower program, else any.
        None only for drums when the SoundFont has no drum kit."""
        if drum:
            return self.presets.get((DRUM_BANK, program)) or self.presets.get((DRUM_BANK, 0)) or (
                next((p for (b, _), p in sorted(self.presets.items()) if b == DRUM_BANK), None))
        if (0, program) in self.presets:
            return self.presets[(0, program)]
        lower = [p for (b, n), p in self.presets.items() if b == 0 and n < program]
        if lower:
            return max(lower, key=lambda p: p.program)
        for bank in sorted(b for b, _ in self.presets if b != DRUM_BANK):
            candidates = [p for (b, n), p in self.presets.items() if b == bank]
            return min(candidates, key=lambda p: abs(p.program - program))
        return None


# ----- parsing ------------------------------------------------------------------------------------
def _chunks(raw: bytes, offset: int, end: int):
    while offset + 8 <= end:
        cid = raw[offset:offset + 4]
        size = struct.unpack_from("<I", raw, offset + 4)[0]
        body = offset + 8
        if body + size > end:
            name = cid.decode("latin-1")
            raise SoundFontError(f"the {name!r} chunk runs past the end of the file")
        yield cid, body, size
        offset = body + size + (size & 1)


def _text(b: bytes) -> str:
    return b.split(b"\0", 1)[0].decode("latin-1").strip()


def parse(raw: bytes) -> SoundFont:
    """Parse the bytes of an .sf2 file (SF3's compressed samples are not supported)."""
    if len(raw) < 12 or raw[:4] != b"RIFF" or raw[8:12] != b"sfbk":
        raise SoundFontError("it does not start with a RIFF 'sfbk' header")
    lists: dict[bytes, tuple[int, int]] = {}
    for cid, body, size in _chunks(raw, 12, min(len(raw), 8 + struct.unpack_from("<I", raw, 4)[0])):
        if cid == b"LIST" and size >= 4:
            lists[raw[body:body + 4]] = (body + 4, body + size)
    for need in (b"sdta", b"pdta"):
        if need not in lists:
            raise SoundFontError(f"the {need.decode()} list is missing")

    info: dict[bytes, str] = {}
    if b"INFO" in lists:
        for cid, body, size in _chunks(raw, *lists[b"INFO"]):
            info[cid] = _text(raw[body:body + size])
    smpl = None
    for cid, body, size in _chunks(raw, *lists[b"sdta"]):
        if cid == b"smpl":
            smpl = (body, size)
    if smpl is None:
        raise SoundFontError("it has no sample data (an SF3 file? only SF2 is supported)")
    pcm = np.frombuffer(raw, dtype="<i2", count=smpl[1] // 2, offset=smpl[0])
    data = pcm.astype(np.float32) * np.float32(1 / 32768)
    # a few guard samples so that interpolation at the very end never reads past the array
    data = np.concatenate([data, np.zeros(8, np.float32)])

    pd: dict[bytes, bytes] = {}
    for cid, body, size in _chunks(raw, *lists[b"pdta"]):
        pd[cid] = raw[body:body + size]
    for need in (b"phdr", b"pbag", b"pgen", b"inst", b"ibag", b"igen", b"shdr"):
        if need not in pd:
            raise SoundFontError(f"the {need.decode()} table is missing")

    phdr = _records(pd[b"phdr"], "<20sHHHIII")
    inst = _records(pd[b"inst"], "<20sH")
    pbag = [r[0] for r in _records(pd[b"pbag"], "<HH")]
    ibag = [r[0] for r in _records(pd[b"ibag"], "<HH")]
    pgen = _generators(pd[b"pgen"])
    igen = _generators(pd[b"igen"])
    shdr = _records(pd[b"shdr"], "<20sIIIIIBbHH")
    n_samples = len(data) - 8

    inst_zones: list[tuple[dict | None, list[dict]]] = []
    for i in range(len(inst) - 1):  # the last record is the terminal "EOI"
        inst_zones.append(_zones(inst[i][1], inst[i + 1][1], ibag, igen, G_SAMPLE_ID))

    presets: dict[tuple[int, int], Preset] = {}
    for i in range(len(phdr) - 1):  # the last record is the terminal "EOP"
        name, program, bank, bag = _text(phdr[i][0]), phdr[i][1], phdr[i][2], phdr[i][3]
        glob, zones = _zones(bag, phdr[i + 1][3], pbag, pgen, G_INSTRUMENT)
        regions: list[Region] = []
        for pz in zones:
            pmerged = {**(glob or {}), **pz}
            index = pz[G_INSTRUMENT]
            if not 0 <= index < len(inst_zones):
                continue
            iglob, izones = inst_zones[index]
            for iz in izones:
                imerged = {**(iglob or {}), **iz}
                region = _region(pmerged, imerged, shdr, n_samples)
                if region is not None:
                    regions.append(region)
        if regions and (bank, program) not in presets:
            presets[(bank, program)] = Preset(name, bank, program, tuple(regions))
    if not presets:
        raise SoundFontError("it holds no playable preset")
    return SoundFont(name=info.get(b"INAM", ""), copyright=info.get(b"ICOP", ""), data=data,
                     presets=presets)


def _records(table: bytes, fmt: str) -> list[tuple]:
    size = struct.calcsize(fmt)
    return [struct.unpack_from(fmt, table, i) for i in range(0, len(table) - size + 1, size)]


def _generators(table: bytes) -> list[tuple[int, int, bytes]]:
    out = []
    for i in range(0, len(table) - 3, 4):
        oper, amount = struct.unpack_from("<Hh", table, i)
        out.append((oper, amount, table[i + 2:i + 4]))
    return out


def _zones(bag_from: int, bag_to: int, bags: list[int], gens, terminal: int):
    """(global zone or None, local zones) of one preset or instrument; a local zone is a dict
    operator -> value, ranges as (lo, hi) tuples."""
    glob = None
    zones: list[dict] = []
    for z in range(bag_from, min(bag_to, len(bags) - 1)):
        zone: dict = {}
        for oper, amount, two in gens[bags[z]:bags[z + 1]]:
            zone[oper] = (two[0], two[1]) if oper in _RANGES else amount
        if terminal in zone:
            zones.append(zone)
        elif z == bag_from and glob is None:
            glob = zone
    return glob, zones


def _intersect(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int]:
    a = a or (0, 127)
    b = b or (0, 127)
    return max(a[0], b[0]), min(a[1], b[1], 127)


def _region(p: dict, i: dict, shdr, n_samples: int) -> Region | None:
    index = i[G_SAMPLE_ID]
    if not 0 <= index < len(shdr) - 1:
        return None
    _, s_start, s_end, s_loop_start, s_loop_end, rate, orig, corr, _, s_type = shdr[index]
    if s_type & _ROM_SAMPLE or rate <= 0:
        return None
    keys = _intersect(p.get(G_KEY_RANGE), i.get(G_KEY_RANGE))
    vels = _intersect(p.get(G_VEL_RANGE), i.get(G_VEL_RANGE))
    if keys[0] > keys[1] or vels[0] > vels[1]:
        return None

    def val(op: int) -> int:
        base = i.get(op, _DEFAULTS.get(op, 0))
        return base if op in _INSTRUMENT_ONLY else base + p.get(op, 0)

    start = s_start + val(G_START_OFS) + 32768 * val(G_START_COARSE)
    end = s_end + val(G_END_OFS) + 32768 * val(G_END_COARSE)
    loop_start = s_loop_start + val(G_LOOP_START_OFS) + 32768 * val(G_LOOP_START_COARSE)
    loop_end = s_loop_end + val(G_LOOP_END_OFS) + 32768 * val(G_LOOP_END_COARSE)
    start = min(max(start, 0), n_samples)
    end = min(max(end, start), n_samples)
    if end - start < 2:
        return None
    loop_start = min(max(loop_start, start), end)
    loop_end = min(max(loop_end, loop_start), end)
    root = val(G_ROOT_KEY)
    if root < 0:
        root = orig if orig <= 127 else 60
    return Region(
        key_lo=keys[0], key_hi=keys[1], vel_lo=vels[0], vel_hi=vels[1],
        start=start, end=end, loop_start=loop_start, loop_end=loop_end,
        loop_mode=val(G_SAMPLE_MODES) & 3, sample_rate=rate, root_key=root,
        tune_cents=val(G_COARSE_TUNE) * 100 + val(G_FINE_TUNE) + corr,
        scale_tuning=val(G_SCALE_TUNING),
        attenuation_cb=min(max(val(G_ATTENUATION), 0), 1440),
        pan=min(max(val(G_PAN), -500), 500) / 1000.0,
        delay_tc=val(G_DELAY_VOL), attack_tc=val(G_ATTACK_VOL), hold_tc=val(G_HOLD_VOL),
        decay_tc=val(G_DECAY_VOL), sustain_cb=val(G_SUSTAIN_VOL), release_tc=val(G_RELEASE_VOL),
        key_to_hold=val(G_KEY_TO_HOLD), key_to_decay=val(G_KEY_TO_DECAY),
        exclusive_class=val(G_EXCLUSIVE_CLASS), fixed_key=val(G_KEYNUM),
        fixed_velocity=val(G_VELOCITY),
    )


# ----- finding the SoundFont ----------------------------------------------------------------------
ENV_VAR = "COMPOSER_GUI_SOUNDFONT"
BUNDLED_NAME = "GMbank.sf2"


def bundled_soundfont_dirs() -> list[Path]:
    """Where the bundled SoundFont lies: ``resources/soundfonts`` of the repository (a checkout or
    an editable install) or of the PyInstaller bundle (``composer_gui.resources`` decides)."""
    from composer_gui.resources import soundfonts_dir

    return [soundfonts_dir()]


def find_soundfont(explicit: str | Path | None = None) -> Path:
    """The SoundFont to use: ``explicit``, else $COMPOSER_GUI_SOUNDFONT, else the bundled one."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    for folder in bundled_soundfont_dirs():
        if (folder / BUNDLED_NAME).is_file():
            return folder / BUNDLED_NAME
    looked = ", ".join(str(d) for d in bundled_soundfont_dirs())
    raise SoundFontError(f"no SoundFont found (looked in {looked}); set {ENV_VAR} to an .sf2 file")


_CACHE: dict[Path, SoundFont] = {}


def load_default(explicit: str | Path | None = None) -> SoundFont:
    """Load (once per process) the SoundFont ``find_soundfont`` picks."""
    path = find_soundfont(explicit).resolve()
    sf = _CACHE.get(path)
    if sf is None:
        sf = _CACHE[path] = SoundFont.load(path)
    return sf
