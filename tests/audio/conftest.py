"""Fixtures for the audio tests: the bundled General MIDI synth and a tiny generated SoundFont."""

from __future__ import annotations

import pytest
from audio_helpers import simple_font

from composer_gui.audio.render import default_synth
from composer_gui.audio.soundfont import SoundFont, parse
from composer_gui.audio.synth import Synth


@pytest.fixture(scope="session")
def gm_synth() -> Synth:
    """A synth on the bundled SoundFont (loaded once for the whole run)."""
    return default_synth()


@pytest.fixture(scope="session")
def sine_font() -> SoundFont:
    return parse(simple_font())


@pytest.fixture
def sine_synth(sine_font) -> Synth:
    return Synth(sine_font, 44100)
