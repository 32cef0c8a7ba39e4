"""The SF2 reader: zones merged as the spec says, General MIDI fallbacks, clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from audio_helpers import build_sf2, simple_font, sine_sample

from composer_gui.audio import soundfont as sfmod
from composer_gui.audio.soundfont import SoundFont, SoundFontError, find_soundfont, parse


def test_generated_font_reads_back(sine_font):
    assert sine_font.name == "Test Font"
    assert set(sine_font.presets) == {(0, 0), (0, 1)}
    (region,) = sine_font.presets[(0, 0)].regions
    assert (region.key_lo, region.key_hi, region.vel_lo, region.vel_hi) == (0, 127, 0, 127)
    assert region.root_key == 69 and region.sample_rate == 44000 and region.looped
    assert region.end - region.start == 20000
    assert region.envelope(60)[5] == pytest.approx(0.1, rel=1e-3)  # release 0.1 s
    assert not sine_font.has_drum_kit
    assert np.abs(sine_font.data).max() <= 1.0


def test_global_zones_ranges_and_additive_preset_values():
    sine = sine_sample()
    samples = [(sine, 44000, 69, None), (sine, 44000, 57, None)]
    instruments = [[
        [(52, 10), (48, 100)],  # global zone: fine tune +10 cents, 10 dB attenuation
        [(43, (0, 59)), (53, 1)],  # low keys: sample 1
        [(43, (60, 127)), (44, (0, 63)), (52, -5), (53, 0)],  # soft high keys: own fine tune
        [(43, (60, 127)), (44, (64, 127)), (53, 0)],
    ]]
    presets = [("Layered", 0, 5, [
        [(51, 1)],  # preset global zone: +1 semitone, added to every instrument zone
        [(43, (50, 100)), (48, 20), (41, 0)],  # key range intersects, attenuation adds
    ])]
    sf = parse(build_sf2(samples, instruments, presets))
    regions = sf.presets[(0, 5)].regions
    assert [(r.key_lo, r.key_hi, r.vel_lo, r.vel_hi) for r in regions] == [
        (50, 59, 0, 127), (60, 100, 0, 63), (60, 100, 64, 127)]
    assert [r.tune_cents for r in regions] == [110, 95, 110]
    assert [r.attenuation_cb for r in regions] == [120, 120, 120]
    assert [r.root_key for r in regions] == [57, 69, 69]
    assert not regions[0].looped  # sample modes default to "no loop"
    assert [len(sf.presets[(0, 5)].regions_for(70, v)) for v in (10, 100)] == [1, 1]
    assert sf.presets[(0, 5)].regions_for(40, 100) == []


def test_general_midi_fallbacks(sine_font):
    assert sine_font.instrument(1).name == "Square"
    assert sine_font.instrument(40).name == "Square"  # nearest lower program
    assert sine_font.instrument(0, drum=True) is None  # no kit in this font


def test_bundled_font_is_general_midi(gm_synth):
    sf = gm_synth.soundfont
    assert sf.copyright == "Public Domain"
    assert all((0, p) in sf.presets for p in range(128))
    assert sf.has_drum_kit and sf.instrument(0, drum=True).bank == 128
    assert sf.instrument(25, drum=True).program == 25  # TR-808 kit
    assert sf.instrument(99, drum=True).program == 0  # unknown kit: the standard one


@pytest.mark.parametrize("content, why", [
    (b"", "RIFF"),
    (b"RIFF\x04\x00\x00\x00WAVE", "RIFF"),
    (b"RIFF\x10\x00\x00\x00sfbkLIST\x04\x00\x00\x00INFO", "sdta"),
    (simple_font()[:3000], "usable"),
])
def test_bad_files_fail_in_one_clear_line(tmp_path, content, why):
    path = tmp_path / "bad.sf2"
    path.write_bytes(content)
    with pytest.raises(SoundFontError) as info:
        SoundFont.load(path)
    text = str(info.value)
    assert text.startswith(f"{path}: ") and why in text and "\n" not in text


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(SoundFontError, match="no such SoundFont"):
        SoundFont.load(tmp_path / "none.sf2")
    with pytest.raises(SoundFontError, match="folder"):
        SoundFont.load(tmp_path)


def test_finding_the_soundfont(tmp_path, monkeypatch):
    monkeypatch.delenv(sfmod.ENV_VAR, raising=False)
    assert find_soundfont().name == sfmod.BUNDLED_NAME
    monkeypatch.setenv(sfmod.ENV_VAR, str(tmp_path / "mine.sf2"))
    assert find_soundfont() == tmp_path / "mine.sf2"
    assert find_soundfont(tmp_path / "x.sf2") == tmp_path / "x.sf2"
    monkeypatch.delenv(sfmod.ENV_VAR)
    monkeypatch.setattr(sfmod, "bundled_soundfont_dirs", lambda: [tmp_path])
    with pytest.raises(SoundFontError, match=sfmod.ENV_VAR):
        find_soundfont()
