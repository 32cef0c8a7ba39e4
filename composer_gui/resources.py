"""Where the app's files are: one helper for a source checkout and for the frozen (PyInstaller) app.

::

    <root>/models/<name>/       bundled models (config.json, model.onnx, card.*)
    <root>/resources/soundfonts GMbank.sf2
    <root>/resources/icons      composer-gui.svg / .png / .ico / .icns

``<root>`` is the repository (a checkout or an editable install: the folder above the package) or,
in the frozen app, PyInstaller's data folder ``sys._MEIPASS`` (``dist/composer-gui/_internal`` for
the one-folder build; ``Contents/Frameworks`` inside a macOS .app, where PyInstaller links the
resources into ``Contents/Resources``). The spec file (build/composer_gui.spec) puts the folders
there under the same relative paths, so the rest of the code never asks whether it is frozen.

No Qt here: the pure layers (music, ml, audio) use it too.
"""

from __future__ import annotations

import sys
from pathlib import Path

MODELS = "models"
SOUNDFONTS = ("resources", "soundfonts")
ICONS = ("resources", "icons")
ICON_NAME = "composer-gui"


def is_frozen() -> bool:
    """True inside a PyInstaller bundle (it sets ``sys.frozen``, and ``sys._MEIPASS`` to its data
    folder)."""
    return bool(getattr(sys, "frozen", False))


def root() -> Path:
    """The folder the data folders are relative to (see the module's docstring):
    ``sys._MEIPASS`` when PyInstaller set it, else the folder above the package."""
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:
        return Path(meipass)
    return Path(__file__).resolve().parent.parent


def models_dir() -> Path:
    """The bundled models: ``<root>/models`` (it need not exist: then no model is bundled)."""
    return root() / MODELS


def soundfonts_dir() -> Path:
    """The bundled SoundFont's folder: ``<root>/resources/soundfonts``."""
    return root().joinpath(*SOUNDFONTS)


def icons_dir() -> Path:
    """The app icon's folder: ``<root>/resources/icons``."""
    return root().joinpath(*ICONS)


def icon_path(suffix: str = ".png") -> Path:
    """The app icon as ``.png`` (256 px, for the window), ``.svg``, ``.ico`` or ``.icns``."""
    return icons_dir() / f"{ICON_NAME}{suffix}"
