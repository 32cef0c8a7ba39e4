"""Lookup tables of chords over pitch-class sets (12-bit masks), shared by the voice sampler's
rules (ml/voice_sampler.py) and its tests: is a set a triad or seventh chord, its root and
quality, the triad it fits in. Built once at import with numpy; a lookup replaces a call to
``analysis.chord_root`` per candidate row (the sampler asks several times per token).
"""

from __future__ import annotations

import functools

import numpy as np

from composer_gui.music import analysis

# Whether a beat chord may be an augmented triad (_chord_tables, the beat-chord rule). A
# listening review found 6 on beats in 16 pieces, a D-flat in the bass among them; Bach's
# held-out chorales have none in the same bars.
AUGMENTED_ON_BEATS = False


def _chord_tables() -> tuple[np.ndarray, np.ndarray]:
    """For each set of pitch classes (a 12-bit mask): is it one triad or seventh chord
    (``analysis.chord_root``'s definition: a whole triad, or three or four notes of a seventh
    chord with its third and seventh), and can notes be added to make one."""
    def bits(root: int, steps) -> int:
        return sum(1 << ((root + x) % 12) for x in steps)

    masks = np.arange(4096)
    size = np.array([bin(m).count("1") for m in masks])
    triads = np.array([bits(r, st) for name, st in analysis.TRIADS.items() for r in range(12)
                       if AUGMENTED_ON_BEATS or name != "aug"])
    sevenths = np.array([bits(r, st) for st in analysis.SEVENTHS.values() for r in range(12)])
    needed = np.array([bits(r, (st[1], st[3])) for st in analysis.SEVENTHS.values()
                       for r in range(12)])
    m = masks[:, None]
    is_triad = (m == triads[None, :]).any(axis=1)
    is_seventh = (((m & ~sevenths[None, :]) == 0) & ((m & needed[None, :]) == needed[None, :])
                  ).any(axis=1) & (size >= 3)
    templates = np.concatenate([triads, sevenths])
    extendable = ((m & templates[None, :]) == m).any(axis=1)
    return is_triad | is_seventh, extendable


IS_CHORD, EXTENDABLE = _chord_tables()


def _spelled_chords() -> tuple[np.ndarray, np.ndarray]:
    """For each set of pitch classes (a 12-bit mask): the root analysis.chord_root names (-1:
    not a triad or seventh chord) and the index of its quality in :data:`QUALITIES`."""
    root = np.full(1 << 12, -1, np.int64)
    quality = np.full(1 << 12, -1, np.int64)
    for bits in range(1, 1 << 12):
        if not 3 <= bits.bit_count() <= 4:  # a triad or seventh chord has 3 or 4
            continue
        found = analysis.chord_root(frozenset(p for p in range(12) if bits >> p & 1))
        if found is not None:
            root[bits], quality[bits] = found[0], QUALITIES.index(found[1])
    return root, quality


def _in_triad() -> np.ndarray:
    """For each set of pitch classes (a 12-bit mask): does it lie within one major or minor
    triad."""
    within = np.zeros(1 << 12, bool)
    for r in range(12):
        for third in (3, 4):
            bits = (1 << r) | (1 << (r + third) % 12) | (1 << (r + 7) % 12)
            sub = bits
            while sub:  # every non-empty subset
                within[sub] = True
                sub = (sub - 1) & bits
    return within


QUALITIES = (*analysis.TRIADS, *analysis.SEVENTHS)
CHORD_ROOT, CHORD_QUALITY = _spelled_chords()


def where_quality(names, value: np.ndarray) -> np.ndarray:
    """``value`` where the set of pitch classes is a chord of one of the qualities ``names``,
    else -1."""
    return np.where(np.isin(CHORD_QUALITY, [QUALITIES.index(q) for q in names]), value, -1)


TRIAD_ROOT = where_quality(("maj", "min"), CHORD_ROOT)  # a major or minor triad's root
IN_TRIAD = _in_triad()
DIMINISHED_ROOT = where_quality(("dim",), CHORD_ROOT)
DOMINANT_ROOT = where_quality(("maj", "dom7"), CHORD_ROOT)  # a chord that can be a V(7)


def _bare_roots() -> np.ndarray:
    """For each set of pitch classes (a 12-bit mask): r where it is a root and its third alone
    (C-E, A-C), else -1: over its root, a triad in root position with its fifth left out, as
    Bach writes 9 of his 52 fermata chords in the continued val bars."""
    out = np.full(1 << 12, -1, np.int64)
    for r in range(12):
        for third in (3, 4):
            out[(1 << r) | (1 << (r + third) % 12)] = r
    return out


BARE_ROOT = _bare_roots()


@functools.cache
def rooted_below(roots: int = 0xFFF, bare: bool = False) -> np.ndarray:
    """The sets of pitch classes a bass on one of ``roots`` (a 12-bit set) can complete as a
    major or minor triad in root position (the voices above hold its third: not C-G alone,
    which only a bass on E or E-flat would fill, as an inversion); ``bare``: as its root and
    third alone (C-E over C)."""
    table = BARE_ROOT if bare else TRIAD_ROOT
    return np.logical_or.reduce([table[np.arange(1 << 12) | (1 << b)] == b
                                 for b in range(12) if roots >> b & 1])

# the seventh of each seventh chord, and of each dominant seventh chord
_SEVENTH_STEP = np.array([analysis.SEVENTHS.get(q, (0, 0, 0, 0))[3] for q in QUALITIES])
SEVENTH_OF = where_quality(tuple(analysis.SEVENTHS),
                            (CHORD_ROOT + _SEVENTH_STEP[CHORD_QUALITY]) % 12)
DOMINANT_SEVENTH_OF = where_quality(("dom7",), SEVENTH_OF)


# Each MIDI pitch's pitch class as a bit (0-255), and 0 at the negative indices -1..-128 (a
# silent voice): a lookup is a tenth of the time of a loop over the voices (the sampler asks
# some 4 times per token)
PC_BIT = np.append(1 << (np.arange(256) % 12), np.zeros(128)).astype(np.int64)


def pitch_class_bits(pitches: np.ndarray) -> np.ndarray:
    """Per row of ``pitches`` ([rows, voices], -1: silent): its pitch classes as a 12-bit
    mask."""
    return np.bitwise_or.reduce(PC_BIT[pitches], axis=1)


# The normalized keys (C major / A minor), as pitch classes: the chords and degrees the cadence
# and phrase-close rules name. 1 is the dominant, 2 the tonic (CADENCE_ROOT's ``which``).
TONIC_CHORD = {False: {0, 4, 7}, True: {9, 0, 4, 1}}  # the final tonic (minor: its Picardy third)
I_TRIAD = {False: {0, 4, 7}, True: {9, 0, 4}}  # the tonic triad: C major, A minor
V_TRIAD = {False: frozenset({7, 11, 2}), True: frozenset({4, 8, 11})}  # V: G, E major
V7_NOTES = {False: {7, 11, 2, 5}, True: {4, 8, 11, 2}}  # V7, with the raised leading tone
CADENCE_ROOT = {(False, 2): 0, (True, 2): 9, (False, 1): 7, (True, 1): 4}
FINAL_THIRD = {False: {4}, True: {0, 1}}  # the final tonic's third (minor: or the Picardy third)
V7_SEVENTH = {False: 5, True: 2}  # V7's seventh, which falls by step to the tonic's third
LEADING_TONE = {False: 11, True: 8}  # the dominant's third: the leading tone
# the key's major and minor triads by root (I ii iii IV V vi of C major)
DIATONIC_TRIADS = {0: frozenset({0, 4, 7}), 2: frozenset({2, 5, 9}), 4: frozenset({4, 7, 11}),
                   5: frozenset({5, 9, 0}), 7: frozenset({7, 11, 2}), 9: frozenset({9, 0, 4})}


def cadence_root(minor: bool, which: int, shift: int = 0) -> int:
    """The normalized pitch class of the cadence chord's root (``which`` 1: the dominant, 2:
    the tonic) in the key ``shift`` semitones above the normalized one (a close away from the
    home key)."""
    return (CADENCE_ROOT[(minor, which)] + shift) % 12
