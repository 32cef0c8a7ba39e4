"""composer_gui.resources finds models, the SoundFont and the icons from source and frozen; the
bundle's own files (icons, .desktop, spec) are in order."""

from __future__ import annotations

import configparser
import struct
import sys
import tomllib
from pathlib import Path

import pytest

import composer_gui
from composer_gui import resources

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def frozen(monkeypatch, tmp_path) -> Path:
    """Pretend to be a PyInstaller bundle whose data folder is tmp_path."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    return tmp_path


def test_from_source_the_root_is_the_repository():
    assert not resources.is_frozen()
    assert resources.root() == ROOT
    assert resources.models_dir() == ROOT / "models"
    assert resources.soundfonts_dir() == ROOT / "resources" / "soundfonts"
    assert (resources.soundfonts_dir() / "GMbank.sf2").is_file()
    assert resources.icons_dir() == ROOT / "resources" / "icons"


def test_frozen_the_root_is_the_bundles_data_folder(frozen):
    assert resources.is_frozen()
    assert resources.root() == frozen
    assert resources.models_dir() == frozen / "models"
    assert resources.soundfonts_dir() == frozen / "resources" / "soundfonts"
    assert resources.icon_path(".png") == frozen / "resources" / "icons" / "composer-gui.png"


def test_the_model_finder_agrees_with_the_helper(frozen, monkeypatch):
    from composer_gui.ml import model_folder as models

    assert models.bundled_models_dir() == resources.models_dir()
    monkeypatch.delattr(sys, "_MEIPASS")
    monkeypatch.delattr(sys, "frozen")
    assert models.bundled_models_dir() == resources.models_dir()


def test_the_soundfont_is_found_in_the_bundle(frozen, monkeypatch):
    from composer_gui.audio import soundfont

    monkeypatch.delenv(soundfont.ENV_VAR, raising=False)
    folder = frozen / "resources" / "soundfonts"
    folder.mkdir(parents=True)
    (folder / "GMbank.sf2").write_bytes(b"stand-in")
    assert soundfont.find_soundfont() == folder / "GMbank.sf2"


def test_a_missing_soundfont_says_where_it_looked(frozen, monkeypatch):
    from composer_gui.audio import soundfont

    monkeypatch.delenv(soundfont.ENV_VAR, raising=False)
    with pytest.raises(soundfont.SoundFontError, match=str(frozen)):
        soundfont.find_soundfont()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_icons_are_there_and_well_formed():
    png = resources.icon_path(".png").read_bytes()
    assert _png_size(png) == (256, 256)
    assert b"<svg" in resources.icon_path(".svg").read_bytes()
    ico = resources.icon_path(".ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1) and count >= 4
    sizes = {ico[6 + 16 * i] or 256 for i in range(count)}
    assert {16, 32, 48, 256} <= sizes
    icns = resources.icon_path(".icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)


def test_the_desktop_file():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(ROOT / "resources" / "composer-gui.desktop", encoding="utf-8")
    d = entry["Desktop Entry"]
    assert d["Type"] == "Application" and d["Name"] == "Composer"
    assert d["Exec"].split()[0] == "composer-gui"
    assert d["Icon"] == "composer-gui"
    assert d["Categories"].endswith(";")


def test_the_version_has_one_source():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" in meta["project"]["dynamic"]
    assert meta["tool"]["setuptools"]["dynamic"]["version"]["attr"] == "composer_gui.__version__"
    assert composer_gui.__version__.count(".") >= 2


def test_the_spec_compiles_and_leaves_training_out():
    """ruff skips build/*.spec, so at least check that it is valid Python and keeps its promises."""
    text = (ROOT / "build" / "composer_gui.spec").read_text(encoding="utf-8")
    compile(text, "build/composer_gui.spec", "exec")
    for name in ('"tensorflow"', '"keras"', '"onnx"', '"tf2onnx"', '"torch"', '"matplotlib"',
                 '"PyQt5"', '"PyQt6"', '"PySide2"', '"QtWebEngineCore"', '"music21/corpus/"'):
        assert name in text, name
    assert "weights.weights.h5" not in text.split("MODEL_FILES = ", 1)[1].split("\n", 1)[0]
