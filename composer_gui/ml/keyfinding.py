"""Which key a passage is in: the Krumhansl–Schmuckler algorithm.

A duration-weighted pitch-class histogram is correlated with the Krumhansl–Kessler probe-tone
profile of each of the 24 major and minor keys; the best correlation wins. When the score declares
a key signature and that key scores (almost) as well as the winner, the declared key is kept: the
composer's own spelling breaks the ties that the histogram cannot (C major against A minor on a
few notes, for instance).

Used by the sampler (``key="auto"``) and by evaluation (does a continuation stay in key?).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from composer_gui.music.score import KeySignature, Note

# Krumhansl & Kessler (1982), tonic first.
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
MODES = ("major", "minor")
# How much worse than the best correlation the declared key may score and still be kept. 0.1 keeps
# the signature of Bach chorales whose first bars lean to the dominant or the relative major
# (BWV 66.6, 7.7) and still overrides a signature that the notes contradict (a Dorian signature
# such as BWV 40.3's one flat for G minor).
TIE_TOLERANCE = 0.1


def pitch_class_histogram(notes: Iterable[Note]) -> np.ndarray:
    """Total duration (ticks; at least 1 per note) of each pitch class."""
    hist = np.zeros(12)
    for n in notes:
        hist[n.pitch % 12] += max(n.duration, 1)
    return hist


def key_correlations(hist: np.ndarray) -> np.ndarray:
    """Correlation with each key: shape (2, 12), [mode index, tonic pitch class]; NaN if flat."""
    hist = np.asarray(hist, dtype=float)
    out = np.full((2, 12), np.nan)
    if hist.std() == 0:
        return out
    h = (hist - hist.mean()) / hist.std()
    for m, profile in enumerate((MAJOR_PROFILE, MINOR_PROFILE)):
        p = (profile - profile.mean()) / profile.std()
        for tonic in range(12):
            out[m, tonic] = float(np.dot(h, np.roll(p, tonic))) / 12
    return out


def estimate_key(notes: Iterable[Note], declared: KeySignature | None = None,
                 tick: int = 0) -> KeySignature | None:
    """The most likely key of ``notes``; ``declared`` wins near-ties. None without evidence
    (no notes, or every pitch class equally present): then ``declared`` is returned as is."""
    corr = key_correlations(pitch_class_histogram(notes))
    if np.isnan(corr).all():
        return declared
    m, tonic = np.unravel_index(int(np.nanargmax(corr)), corr.shape)
    best = corr[m, tonic]
    if declared is not None:
        d = corr[MODES.index(declared.mode), declared.tonic_pc]
        if d >= best - TIE_TOLERANCE:
            return KeySignature(tick, declared.sharps, declared.mode)
    key = KeySignature.from_tonic(int(tonic), MODES[int(m)], tick)
    if declared is not None and abs(key.sharps) == 6 and declared.sharps * key.sharps < 0:
        key = KeySignature(tick, -key.sharps, key.mode)  # F# rather than Gb beside sharps
    return key


def in_key_fraction(notes: Iterable[Note], key: KeySignature) -> float:
    """Share of notes whose pitch class lies in ``key``'s scale (1.0 for no notes)."""
    pcs = key.scale_pcs()
    notes = list(notes)
    if not notes:
        return 1.0
    return sum(n.pitch % 12 in pcs for n in notes) / len(notes)
