"""The phrase-end lookahead (ml/close_voicing.py): which voicings of a close are listed, which
the chord before can reach, and which notes that leaves each voice."""

from __future__ import annotations

import numpy as np

from composer_gui.ml import close_voicing as cv

LOW = 36
RANGES = ((60, 81), (52, 74), (47, 69), (36, 62))  # soprano, alto, tenor, bass
C_MAJOR = (0, (1 << 0) | (1 << 4) | (1 << 7))
G_MAJOR = (7, (1 << 7) | (1 << 11) | (1 << 2))


def pitch_ok() -> np.ndarray:
    cand = np.arange(LOW, 82)
    return np.stack([(cand >= lo) & (cand <= hi) for lo, hi in RANGES])


def table(*triads) -> cv.VoicingTable:
    return cv.voicing_table(pitch_ok(), LOW, list(triads), leading=11)


def test_voicings_are_root_position_triads_in_range_without_crossing_or_a_doubled_leading_tone():
    t = table(C_MAJOR, G_MAJOR)
    p = t.pitches
    assert len(p) > 100
    assert (np.diff(p, axis=1) <= 0).all()  # top voice first, none crossing
    assert ((p[:, -1] % 12) == t.root).all()  # the bass on the root
    for j, (lo, hi) in enumerate(RANGES):
        assert ((p[:, j] >= lo) & (p[:, j] <= hi)).all()
    assert (((p % 12) == 11).sum(axis=1) <= 1).all()  # B, G major's third, never doubled
    # whole triads first (spaced with the third once, spaced, then not), root and third last
    for row, root, tier in zip(p, t.root, t.tier, strict=True):
        pcs = (row % 12).tolist()
        spaced = (np.diff(row[:-1]) >= -12).all()
        thirds = sum((pc - root) % 12 in (3, 4) for pc in pcs)
        unison = (np.diff(row) == 0).any()  # two neighbouring voices on one pitch
        assert len(set(pcs)) == (3 if tier < 3 else 2)
        assert (tier == 0) == (tier < 3 and spaced and thirds == 1 and not unison)
        assert (tier == 1) == (tier < 3 and spaced and (thirds > 1 or unison))
    assert all((t.tier == k).any() for k in range(4))


def test_a_unison_in_a_close_is_ranked_with_a_doubled_third(monkeypatch):
    # E5 G4 G4 C3 (alto and tenor on one G) is listed, below E5 G4 C4 C3; without
    # CLOSE_NO_UNISON beside it
    def tier_of(voicing) -> int:
        t = table(C_MAJOR)
        return int(t.tier[(t.pitches == voicing).all(axis=1)][0])

    assert tier_of([76, 67, 67, 48]) == 1 and tier_of([76, 67, 60, 48]) == 0
    monkeypatch.setattr(cv, "CLOSE_NO_UNISON", False)
    assert tier_of([76, 67, 67, 48]) == 0


def test_reach_bars_consecutive_fifths_into_the_bass_root_and_wide_leaps():
    t = table(C_MAJOR)
    before = np.array([[69, 65, 62, 50]])  # D minor, soprano A4 a fifth over the bass D3
    reach = cv.reachable(t, before, None)[0]
    p = t.pitches
    into_fifths = (p[:, 0] == 67) & (p[:, 3] % 12 == 0)  # G4 over C: fifths by step
    assert into_fifths.any() and not reach[into_fifths].any()
    fine = (p[:, 0] == 67) & (p[:, 1] == 64) & (p[:, 2] == 60) & (p[:, 3] == 48)
    assert fine.sum() == 1 and not reach[fine].any()  # still fifths: A4/D3 -> G4/C3
    octaves = (p[:, 0] == 72) & (p[:, 1] == 64) & (p[:, 2] == 60) & (p[:, 3] == 48)
    assert not reach[octaves].any()  # tenor and bass D-C in octaves
    ok = (p[:, 0] == 72) & (p[:, 1] == 64) & (p[:, 2] == 55) & (p[:, 3] == 48)
    assert ok.sum() == 1 and reach[ok].all()  # the tenor D4-G3 instead
    leap = (p[:, 0] == 79)  # a tenth up in the top voice
    assert leap.any() and not reach[leap].any()


def test_allowed_notes_follow_the_voices_written_and_prefer_whole_spaced_triads():
    t = table(C_MAJOR, G_MAJOR)
    before = np.array([[69, 65, 62, 50], [69, 65, 62, 50]])
    reach = cv.reachable(t, before, None)
    width = 82 - LOW
    top, found = cv.allowed_notes(t, reach, np.zeros((2, 0), np.int64), 0, LOW, width)
    assert found.all()
    tops = set((np.flatnonzero(top[0]) + LOW).tolist())
    assert tops and all(p % 12 in (0, 4, 7, 11, 2) for p in tops)  # C or G major
    assert 74 not in tops  # D5 over G: fifths with A4 over D3
    # with the soprano on C5 and the alto on E4, the tenor completes C major: G, or C doubled
    # only where no whole triad is left (a whole triad comes first)
    tenor, found = cv.allowed_notes(t, reach, np.array([[72, 64], [72, 64]]), 2, LOW, width)
    assert found.all() and set((np.flatnonzero(tenor[0]) + LOW).tolist()) <= {55, 67}
    # roots narrowed to G: the soprano keeps only notes of G major
    top, found = cv.allowed_notes(t, reach, np.zeros((2, 0), np.int64), 0, LOW, width,
                                  roots=1 << 7)
    assert found.all() and all(p % 12 in (7, 11, 2) for p in np.flatnonzero(top[0]) + LOW)
    # a voicing no row can reach leaves the row free (found is False), not empty-handed
    none, found = cv.allowed_notes(t, reach, np.array([[81, 80], [81, 80]]), 2, LOW, width)
    assert not found.any() and not none.any()


def test_voices_whose_ranges_hold_no_voicing_leave_every_row_free():
    """A melody below the bass's range (a fuzz run harmonized one around C2) leaves the table
    no voicing: the rows are free (found is False), not a numpy error on an empty table."""
    ok = pitch_ok()
    ok[0] = False  # the soprano's range holds nothing
    t = cv.voicing_table(ok, LOW, [C_MAJOR], leading=11)
    assert len(t.pitches) == 0
    reach = cv.reachable(t, np.array([[69, 65, 62, 50]]), None)
    allowed, found = cv.allowed_notes(t, reach, np.zeros((1, 0), np.int64), 0, LOW, 82 - LOW)
    assert not found.any() and not allowed.any()
