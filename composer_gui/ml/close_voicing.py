"""Lookahead for a phrase end's chord: the notes each voice may take so that the voices written
after it can still complete a root-position triad.

The voice sampler writes a chord's voices one at a time, top voice first, and a phrase end's
rules (``cadence_rules._fermata_chord_mask``, ``_root_reach_mask``) judge each note by the
voices already written. A tenor that moves in fifths with where the bass must go, or an alto that
leaves the tenor no note to complete the triad, is seen only when the bass finds no root: the
rules yield and the phrase end is dropped (``DROP_FAILED_CLOSES``), and the phrase runs on. Of
138 phrase ends the model marked in the continued test openings, 26 were dropped so: 11 for
parallels into the bass's root, 6 whose upper voices made no triad at all (a scratch count,
docs/voices.md). Here every voicing of every allowed triad in the voices' ranges is listed once
per job, and at each phrase end the voicings the voices can reach from the chord before
(without consecutive fifths or octaves, leaps the leap rule bars, crossings, a doubled leading
tone) say which notes keep a close possible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from composer_gui.ml.harmony_tables import pitch_class_bits

# the widest move into a phrase end's chord, in semitones: an upper voice a fifth, the bass an
# octave (Bach's upper voices move into his fermata chords by a fourth or less in nearly all
# cases; the sampler's leap rule bars the tritone, sevenths and wider)
MAX_UPPER_MOVE = 7
MAX_BASS_MOVE = 12
BARRED_LEAPS = (6, 10, 11)
# adjacent upper voices at most an octave apart (Bach's spacing): the voicings with it are
# preferred to those without, those with it and the third once to those with the third doubled
# (Bach doubles it in 1 of his 101 fermata chords of the continued test pieces, the
# continuations in 13 of 123 with the look-ahead blind to it, bench/phrase_ends.py), and a whole
# triad to its root and third alone
CLOSE_SPACING = 12
# ... and a voicing without two neighbouring voices on one pitch to one with them, as the third
# once to the third doubled: the continuations' interior fermata chords had two voices on one
# pitch in 15 of 112, Bach's in 4 of 101 (bench/phrase_ends.py; a unison thins the close)
CLOSE_NO_UNISON = True


@dataclass(frozen=True)
class VoicingTable:
    """Every voicing of the allowed close triads in the voices' ranges."""

    pitches: np.ndarray  # [voicings, voices] model pitches, the top voice first, the bass last
    root: np.ndarray  # [voicings] the triad's root (pitch class)
    tier: np.ndarray  # [voicings] 0: whole triad, spaced, third once; 1: ... third doubled
    # (or two neighbouring voices on one pitch: CLOSE_NO_UNISON);
    # 2: whole triad; 3: root and third


def voicing_table(pitch_ok: np.ndarray, low: int, triads: list[tuple[int, int]],
                  leading: int) -> VoicingTable:
    """``pitch_ok``: [voices, pitches] the pitches (``low`` + column) each voice may sound;
    ``triads``: (root, 12-bit set) of the triads a close may make; ``leading``: the pitch class
    no two voices sound (the key's leading tone)."""
    n, width = pitch_ok.shape
    rows: list[np.ndarray] = []
    roots: list[np.ndarray] = []
    tiers: list[np.ndarray] = []
    pcs = (low + np.arange(width)) % 12
    for root, bits in triads:
        third = next(pc for pc in range(12) if bits >> pc & 1 and (pc - root) % 12 in (3, 4))
        options = []
        for j in range(n):
            inside = (bits >> pcs) & 1 == 1 if j < n - 1 else pcs == root
            options.append(low + np.flatnonzero(pitch_ok[j] & inside))
        if any(len(o) == 0 for o in options):
            continue
        grid = np.stack([g.ravel() for g in np.meshgrid(*options, indexing="ij")], axis=1)
        ordered = (np.diff(grid, axis=1) <= 0).all(axis=1)
        grid = grid[ordered]
        have = pitch_class_bits(grid)
        whole = have == bits
        bare = have == (1 << root) | (1 << third)
        doubled = ((grid % 12) == leading).sum(axis=1) >= 2
        keep = (whole | bare) & ~doubled
        grid, whole = grid[keep], whole[keep]
        spaced = (np.diff(grid[:, :-1], axis=1) >= -CLOSE_SPACING).all(axis=1)
        thin = ((grid % 12) == third).sum(axis=1) >= 2  # the third doubled
        if CLOSE_NO_UNISON:
            thin |= (np.diff(grid, axis=1) == 0).any(axis=1)  # or two voices on one pitch
        rows.append(grid)
        roots.append(np.full(len(grid), root))
        tiers.append(np.where(whole, np.where(spaced, np.where(thin, 1, 0), 2), 3))
    if not rows:
        return VoicingTable(np.zeros((0, n), np.int64), np.zeros(0, np.int64),
                            np.zeros(0, np.int64))
    return VoicingTable(np.concatenate(rows), np.concatenate(roots), np.concatenate(tiers))


def reachable(table: VoicingTable, before: np.ndarray, beat: np.ndarray | None,
              own: np.ndarray | None = None, low: int = 0) -> np.ndarray:
    """[rows, voicings]: the voicings the chord ``before`` ([rows, voices], -1: silent; the last
    onset's) moves into with no leap wider than :data:`MAX_UPPER_MOVE` (the bass
    :data:`MAX_BASS_MOVE`) nor of a tritone or seventh, no consecutive fifths or octaves
    between any two voices that both move, from it or from ``beat`` (the last beat's chord,
    where a half beat came between), and no hidden fifth or octave between the outer voices
    where the top voice leaps (``part_writing._style_mask``'s rules). ``own`` ([rows, voices,
    pitches from ``low``]): the notes each voice's own line allows (a seventh it owes falls, its
    leaps, false relations), where the caller knows them."""
    v = table.pitches[None, :, :]
    n = v.shape[2]
    out = np.ones((before.shape[0], v.shape[1]), bool)
    if own is not None:
        for j in range(n):
            out &= own[:, j, :][:, table.pitches[:, j] - low]
    top, bass, top0, bass0 = v[..., 0], v[..., -1], before[:, None, 0], before[:, None, -1]
    leaps = (top0 >= 0) & (bass0 >= 0) & (np.abs(top - top0) > 2)
    perfect = np.isin((top - bass) % 12, (0, 7))
    out &= ~(leaps & perfect & (np.sign(top - top0) == np.sign(bass - bass0)))
    limit = np.full(n, MAX_UPPER_MOVE)
    limit[-1] = MAX_BASS_MOVE
    b = before[:, None, :]
    move = np.abs(v - b)
    ok = (b < 0) | ((move <= limit) & ~np.isin(move, BARRED_LEAPS))
    out &= ok.all(axis=2)
    for prior in (before, beat):
        if prior is None:
            continue
        p = prior[:, None, :]
        moving = (p >= 0) & (v != p)
        for a in range(n):
            for c in range(a + 1, n):
                was = (p[..., a] - p[..., c]) % 12
                perfect = (p[..., a] >= 0) & (p[..., c] >= 0) & ((was == 0) | (was == 7))
                same = (v[..., a] - v[..., c]) % 12 == was
                out &= ~(perfect & same & moving[..., a] & moving[..., c])
    return out


def allowed_notes(table: VoicingTable, feasible: np.ndarray, written: np.ndarray, i: int,
                  low: int, width: int, roots: int | None = None, barred: int = -1
                  ) -> tuple[np.ndarray, np.ndarray]:
    """For voice ``i``: ([rows, pitches] the pitches (``low`` + column) found in a voicing of
    the best tier each row can still reach, [rows] whether the row has one). ``feasible``
    ([rows, voicings]) from :func:`reachable`; ``written`` ([rows, i]) the voices above, as
    written; ``roots`` (a 12-bit set, None: any in the table) and ``barred`` (a pitch class no
    voice may sound, -1: none) narrow the triads."""
    ok = feasible.copy()
    if not ok.shape[1]:  # no voicing in the voices' ranges at all (a melody below the bass's)
        return np.zeros((len(ok), width), bool), np.zeros(len(ok), bool)
    if i:
        ok &= (table.pitches[None, :, :i] == written[:, None, :]).all(axis=2)
    if roots is not None:
        ok &= ((roots >> table.root) & 1 == 1)[None, :]
    if barred >= 0:
        ok &= ~((table.pitches % 12) == barred).any(axis=1)[None, :]
    found = ok.any(axis=1)
    best = np.where(ok, table.tier[None, :], 99).min(axis=1)
    ok &= table.tier[None, :] == best[:, None]
    allowed = np.zeros((len(ok), width), bool)
    r, c = np.nonzero(ok)
    allowed[r, table.pitches[c, i] - low] = True
    return allowed, found
