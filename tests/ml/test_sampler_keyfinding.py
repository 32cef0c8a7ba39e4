"""Key estimation used by the sampler's key="auto" (more cases: test_keyfinding.py)."""

from __future__ import annotations

import pytest

from composer_gui.ml.keyfinding import estimate_key, in_key_fraction, key_correlations
from composer_gui.music.score import TPQ, KeySignature, Note


def notes_of(pitches, length=TPQ):
    return [Note(i * length, p, length) for i, p in enumerate(pitches)]


@pytest.mark.parametrize("pitches, key", [
    ([60, 62, 64, 65, 67, 69, 71, 72, 67, 64, 60], "C:major"),
    ([62, 64, 66, 67, 69, 71, 73, 74, 69, 66, 62], "D:major"),
    ([57, 59, 60, 62, 64, 65, 68, 69, 64, 60, 57], "A:minor"),
    ([65, 67, 69, 70, 72, 74, 76, 77, 72, 69, 65], "F:major"),
])
def test_scales_and_arpeggios(pitches, key):
    assert str(estimate_key(notes_of(pitches))) == key


def test_transposition_moves_the_key():
    base = [60, 64, 67, 72, 71, 67, 65, 62, 60]
    for shift in range(12):
        k = estimate_key(notes_of([p + shift for p in base]))
        assert k.mode == "major" and k.tonic_pc == shift % 12


def test_declared_key_breaks_near_ties():
    # C major and A minor share their notes: the declared mode decides (the white keys evenly,
    # with no step a semitone up, i.e. no leading tone resolving, E D F G B A C)
    ambiguous = notes_of([64, 62, 65, 67, 71, 69, 72])
    declared = KeySignature.parse("A:minor")
    assert str(estimate_key(ambiguous)) == "C:major"
    assert str(estimate_key(ambiguous, declared)) == "A:minor"
    assert str(estimate_key(ambiguous, KeySignature.parse("C:major"))) == "C:major"
    # ...but not against overwhelming evidence: D major over three flats (see test_keyfinding.py)
    d_major = notes_of([62, 66, 69, 74, 73, 71, 69, 66, 62])
    assert str(estimate_key(d_major, KeySignature.parse("Eb:major"))) == "D:major"


def test_no_evidence():
    assert estimate_key([]) is None
    declared = KeySignature.parse("G:major")
    assert estimate_key([], declared) == declared
    assert key_correlations([1.0] * 12).shape == (2, 12)


def test_in_key_fraction():
    c = KeySignature.parse("C:major")
    assert in_key_fraction(notes_of([60, 61, 62, 63]), c) == 0.5
    assert in_key_fraction([], c) == 1.0


def test_enharmonic_spelling_follows_the_declared_signature():
    f_sharp = notes_of([66, 68, 70, 71, 73, 75, 77, 78, 73, 70, 66])
    assert str(estimate_key(f_sharp, KeySignature.parse("E:major"))) == "F#:major"
    assert str(estimate_key(f_sharp, KeySignature.parse("Ab:major"))) == "Gb:major"
