"""Helpers for the audio tests: a tiny SoundFont writer and pitch / loudness measures."""

from __future__ import annotations

import struct

import numpy as np

SR = 44100


# ----- a minimal SF2 writer (enough of the format to test the reader) ---------------------------
def _chunk(cid: bytes, body: bytes) -> bytes:
    pad = b"\0" if len(body) % 2 else b""
    return cid + struct.pack("<I", len(body)) + body + pad


def _list(kind: bytes, *chunks: bytes) -> bytes:
    return _chunk(b"LIST", kind + b"".join(chunks))


def _gen(oper: int, value) -> bytes:
    if isinstance(value, tuple):
        return struct.pack("<HBB", oper, value[0], value[1])
    return struct.pack("<Hh", oper, value)


def build_sf2(samples, instruments, presets, name: str = "Test Font") -> bytes:
    """samples: [(int16 array, rate, root key, loop (start, end) relative or None)];
    instruments: [[zone, ...]]; presets: [(name, bank, program, [zone, ...])];
    a zone is a list of (generator, value) in file order (ranges first, value a (lo, hi) tuple);
    an instrument zone without sampleID (53) first in its list is its global zone."""
    data = b""
    headers = []
    pos = 0
    for pcm, rate, root, loop in samples:
        pcm = np.asarray(pcm, dtype="<i2")
        start, end = pos, pos + len(pcm)
        ls, le = (start + loop[0], start + loop[1]) if loop else (start, end)
        headers.append((start, end, ls, le, rate, root))
        data += pcm.tobytes() + b"\0\0" * 46
        pos = end + 46
    shdr = b"".join(struct.pack("<20sIIIIIBbHH", f"s{i}".encode(), *h, 0, 0, 1)
                    for i, h in enumerate(headers))
    shdr += struct.pack("<20sIIIIIBbHH", b"EOS", 0, 0, 0, 0, 0, 0, 0, 0, 0)

    def tables(owners, terminal_fmt):
        bags, gens = b"", b""
        names = b""
        gen_i = bag_i = 0
        for owner_name, zones in owners:
            names += terminal_fmt(owner_name, bag_i)
            for zone in zones:
                bags += struct.pack("<HH", gen_i, 0)
                bag_i += 1
                for oper, value in zone:
                    gens += _gen(oper, value)
                    gen_i += 1
        bags += struct.pack("<HH", gen_i, 0)
        gens += struct.pack("<Hh", 0, 0)
        return names, bags, gens, bag_i

    inst_names, ibag, igen, ibags = tables(
        [(f"i{i}", z) for i, z in enumerate(instruments)],
        lambda n, b: struct.pack("<20sH", n.encode(), b))
    inst_names += struct.pack("<20sH", b"EOI", ibags)
    phdr_recs = b""
    pbag, pgen = b"", b""
    gen_i = bag_i = 0
    for pname, bank, program, zones in presets:
        phdr_recs += struct.pack("<20sHHHIII", pname.encode(), program, bank, bag_i, 0, 0, 0)
        for zone in zones:
            pbag += struct.pack("<HH", gen_i, 0)
            bag_i += 1
            for oper, value in zone:
                pgen += _gen(oper, value)
                gen_i += 1
    phdr_recs += struct.pack("<20sHHHIII", b"EOP", 0, 0, bag_i, 0, 0, 0)
    pbag += struct.pack("<HH", gen_i, 0)
    pgen += struct.pack("<Hh", 0, 0)
    mod_terminal = b"\0" * 10
    body = b"sfbk" + _list(
        b"INFO", _chunk(b"ifil", struct.pack("<HH", 2, 1)),
        _chunk(b"INAM", name.encode() + b"\0"), _chunk(b"ICOP", b"Test\0"),
    ) + _list(b"sdta", _chunk(b"smpl", data)) + _list(
        b"pdta", _chunk(b"phdr", phdr_recs), _chunk(b"pbag", pbag),
        _chunk(b"pmod", mod_terminal), _chunk(b"pgen", pgen), _chunk(b"inst", inst_names),
        _chunk(b"ibag", ibag), _chunk(b"imod", mod_terminal), _chunk(b"igen", igen),
        _chunk(b"shdr", shdr),
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def sine_sample(period: int = 100, periods: int = 200, amplitude: float = 0.5) -> np.ndarray:
    """Whole periods of a sine, so that looping the whole sample is seamless."""
    n = np.arange(period * periods)
    return (amplitude * 32767 * np.sin(2 * np.pi * n / period)).astype("<i2")


def simple_font(extra_presets=()) -> bytes:
    """One looped sine (440 Hz at 44 kHz with root key 69) as preset 0:0 "Sine", and a square
    wave as 0:1 "Square"; no drum kit."""
    sine = sine_sample()
    square = np.where(sine >= 0, 12000, -12000).astype("<i2")
    samples = [(sine, 44000, 69, (0, len(sine))), (square, 44000, 69, (0, len(square)))]
    instruments = [
        [[(54, 1), (38, -3986), (53, 0)]],  # loop, release 0.1 s
        [[(54, 1), (38, -3986), (53, 1)]],
    ]
    presets = [("Sine", 0, 0, [[(41, 0)]]), ("Square", 0, 1, [[(41, 1)]]), *extra_presets]
    return build_sf2(samples, instruments, presets)


# ----- a fake audio device ------------------------------------------------------------------------
class FakeDevice:
    """An audio device that pulls like QAudioSink: it keeps ``capacity`` frames read ahead (a
    timer tops it up, as Qt's event loop does) and plays only when the test says so."""

    sample_rate = SR
    buffer_seconds = 0.1

    def __init__(self, capacity: int = 4410, reason: str = "") -> None:
        self.capacity = capacity
        self.reason = reason
        self.pulled = 0
        self.consumed = 0
        self.blocks: list[np.ndarray] = []
        self.is_open = False
        self.suspended = False
        self.opens = 0
        self._source = None
        self._timer = None

    def probe(self) -> str:
        return self.reason

    def open(self, sample_rate: int, source) -> int:
        from PySide6.QtCore import QTimer

        if self.reason:
            raise _unavailable(self.reason)
        self.is_open, self._source = True, source
        self.pulled = self.consumed = 0
        self.opens += 1
        self._timer = QTimer()
        self._timer.setInterval(2)
        self._timer.timeout.connect(self.fill)
        self._timer.start()
        return sample_rate

    @property
    def queued(self) -> int:
        return self.pulled - self.consumed

    def fill(self) -> None:
        while self.is_open and self.queued < self.capacity:
            n = min(1024, self.capacity - self.queued)
            pcm = self._source(n)
            assert pcm.shape == (n, 2)
            self.blocks.append(pcm.copy())
            self.pulled += n

    def played_seconds(self) -> float:
        return self.consumed / SR

    def advance(self, seconds: float) -> None:
        """Play ``seconds`` of audio in 10 ms steps, pulling more after each step; without data
        the clock stalls, as a real device's does."""
        self.fill()
        for i in range(round(seconds * 100)):
            want = round(SR * (i + 1) / 100) - round(SR * i / 100)
            self.consumed += min(want, self.queued)
            self.fill()

    def suspend(self) -> None:
        self.suspended = True
        self._timer.stop()

    def resume(self) -> None:
        self.suspended = False
        self._timer.start()

    def close(self) -> None:
        self.is_open = False
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def audio(self) -> np.ndarray:
        return np.concatenate(self.blocks) if self.blocks else np.zeros((0, 2), np.float32)


def _unavailable(reason: str) -> Exception:
    from composer_gui.ui.transport import AudioUnavailable

    return AudioUnavailable(reason)


# ----- measures -----------------------------------------------------------------------------------
def fundamental(x: np.ndarray, sr: int = SR, fmin: float = 40.0, fmax: float = 2000.0) -> float:
    """Fundamental frequency by YIN (de Cheveigné & Kawahara 2002): the first dip of the
    cumulative-mean-normalised difference function below 0.1, refined by parabolic
    interpolation. It finds the period of the whole waveform, so strong harmonics or a weak
    fundamental do not fool it the way a spectrum's highest peak would."""
    x = np.asarray(x, np.float64)
    x = x - x.mean()
    n = len(x)
    max_lag = int(sr / fmin)
    w = n - max_lag
    # difference function d(lag) = sum_{j < w} (x[j] - x[j + lag])^2, from energies and a
    # cross-correlation
    sq = np.concatenate([[0.0], np.cumsum(x * x)])
    lags = np.arange(max_lag + 1)
    d = sq[w] + (sq[lags + w] - sq[lags]) - 2 * _windowed_cross(x, w, max_lag)
    d[0] = 0.0
    cmnd = np.ones_like(d)
    running = np.cumsum(d[1:])
    cmnd[1:] = d[1:] * np.arange(1, max_lag + 1) / np.where(running > 0, running, 1.0)
    lo = max(2, int(sr / fmax))
    below = np.nonzero(cmnd[lo:] < 0.1)[0]
    if len(below):
        lag = lo + int(below[0])
        while lag + 1 <= max_lag - 1 and cmnd[lag + 1] < cmnd[lag]:
            lag += 1
    else:
        lag = lo + int(np.argmin(cmnd[lo:max_lag]))
    a, b, c = cmnd[lag - 1], cmnd[lag], cmnd[lag + 1]
    shift = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) else 0.0
    return sr / (lag + shift)


def _windowed_cross(x: np.ndarray, w: int, max_lag: int) -> np.ndarray:
    """sum_{j < w} x[j] x[j + lag] for every lag, by one FFT correlation."""
    size = 1 << int(np.ceil(np.log2(len(x) + w)))
    fa = np.fft.rfft(x[:w], size)
    fb = np.fft.rfft(x, size)
    return np.fft.irfft(np.conj(fa) * fb, size)[:max_lag + 1]


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(np.asarray(x, np.float64)))))


def harmonic_profile(x: np.ndarray, f0: float, sr: int = SR, count: int = 8) -> np.ndarray:
    """Magnitudes of the first ``count`` harmonics, normalised to unit length."""
    x = np.asarray(x, np.float64)
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    freqs = np.fft.rfftfreq(len(x), 1 / sr)
    mags = []
    for h in range(1, count + 1):
        band = (freqs > h * f0 * 0.97) & (freqs < h * f0 * 1.03)
        mags.append(spec[band].max() if band.any() else 0.0)
    v = np.array(mags)
    return v / (np.linalg.norm(v) or 1.0)
