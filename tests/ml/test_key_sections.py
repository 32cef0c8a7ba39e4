"""A span that crosses a change of key signature: heard and written section by section."""

from __future__ import annotations

import pytest

from composer_gui.ml import keyfinding, voice_sampler
from composer_gui.ml.sampler import GenerationRequest, load_sampler
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score

BAR = 4 * TPQ
G_MAJOR = {7, 9, 11, 0, 2, 4, 6}
E_FLAT_MAJOR = {3, 5, 7, 8, 10, 0, 2}
# four bars in G major, four in E-flat major (its signature from bar 5)
TUNE = [67, 71, 74, 71, 72, 69, 66, 67, 67, 69, 71, 72, 74, 71, 67, 67,
        75, 74, 72, 70, 67, 68, 70, 72, 70, 67, 65, 63, 67, 65, 63, 63]


def two_keys() -> Score:
    notes = tuple(Note(i * TPQ, p, TPQ) for i, p in enumerate(TUNE))
    return Score(parts=(Part(notes, name="Violin"),),
                 key_signatures=(KeySignature(0, 1), KeySignature(4 * BAR, -3)))


def test_a_section_after_a_key_change_is_heard_on_its_own():
    score = two_keys()
    assert str(keyfinding.key_heard(score, 2 * BAR)) == "G:major"
    assert str(keyfinding.key_heard(score, 6 * BAR)) == "Eb:major"
    assert str(keyfinding.key_heard(score)) == "Eb:major"  # (a continuation at the end)


@pytest.fixture(scope="module")
def sampler(tiny_voice_model):
    return load_sampler(tiny_voice_model)


@pytest.mark.parametrize("region", [False, True])
def test_a_harmonization_across_a_key_change_writes_each_section_in_its_key(sampler,
                                                                             monkeypatch, region):
    """Under the key lock each section's voices keep to its own key's notes, and the summary
    says so; with one key for the whole span (KEY_SECTIONS off) the E-flat bars were set in G."""
    score = two_keys()
    span = dict(start_tick=2 * BAR, end_tick=7 * BAR) if region else {}
    for sections in (True, False):
        monkeypatch.setattr(voice_sampler, "KEY_SECTIONS", sections)
        results = sampler.generate(score, GenerationRequest(harmonize=True, variations=2, seed=3,
                                                            **span))
        assert any("each section is written in its own key (G:major, then Eb:major)" in w
                   for w in sampler.warnings) == sections
        for r in results:
            assert r.parts[0] == score.parts[0] and len(r.parts) == 4
            below = [n for p in r.parts[1:] for n in p.notes]
            first = {n.pitch % 12 for n in below if n.start < 4 * BAR}
            second = {n.pitch % 12 for n in below if n.start >= 4 * BAR}
            assert first and second and first <= G_MAJOR
            assert (second <= E_FLAT_MAJOR) == sections
            if region:
                assert not any(n.start < 2 * BAR or n.start >= 7 * BAR for n in below)
