"""Help > About: the app's name and version, and the licences of what it bundles.

The licences were checked against each installed package's metadata (``pip show -v``: its
License / License-Expression field and classifiers) and, for the music data, against the licence
files music21 ships with its corpus. Versions are read at run time when the package metadata is
there (a PyInstaller bundle may leave it out; then the version is simply not shown).
"""

from __future__ import annotations

import html
from importlib import metadata

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

import composer_gui

APP_NAME = "Composer"

# (distribution, what it does here, licence as its metadata states it)
LIBRARIES: list[tuple[str, str, str]] = [
    ("PySide6-Essentials", "Qt for Python: the window", "LGPL-3.0-only (or GPL-2.0 / GPL-3.0)"),
    ("PySide6-Addons", "Qt Multimedia: audio output (its FFmpeg: LGPL-2.1+)",
     "LGPL-3.0-only (or GPL-2.0 / GPL-3.0)"),
    ("shiboken6", "Qt for Python's bindings", "LGPL-3.0-only (or GPL-2.0 / GPL-3.0)"),
    ("numpy", "arrays; the synthesizer", "BSD-3-Clause (bundled parts: 0BSD, MIT, Zlib, CC0)"),
    ("mido", "MIDI files and messages", "MIT"),
    ("python-rtmidi", "MIDI ports", "MIT"),
    ("music21", "MusicXML and ABC files", "BSD-3-Clause"),
    ("onnxruntime", "runs the bundled models", "MIT"),
    ("verovio", "engraves the score view", "LGPL-3.0-only"),
]

SOUNDFONT = ("GM GS Bank (<code>resources/soundfonts/GMbank.sf2</code>), from Csound's "
             "<code>sf_GMbank.sf2</code>: <b>public domain</b> (its own copyright field says "
             "so, as does Debian's record of it).")

MODELS = ("The bundled models (<code>models/</code>) were trained by this project on music in "
          "music21's corpus: the four-voice chorales of J. S. Bach, and the melodies of Ryan's "
          "Mammoth Collection (1883) and O'Neill's Music of Ireland (1903). The music itself is "
          "in the public domain. The encodings are distributed with music21 (BSD-3-Clause "
          "software) under the terms in its <code>corpus/license.txt</code>: used with the "
          "encoders' permission, with possible restrictions on commercial use.")


def installed_version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return ""


def about_html() -> str:
    rows = []
    for dist, role, licence in LIBRARIES:
        version = installed_version(dist)
        name = html.escape(dist) + (f" {html.escape(version)}" if version else "")
        rows.append(f"<tr><td>{name}</td><td>{html.escape(role)}</td>"
                    f"<td>{html.escape(licence)}</td></tr>")
    return (
        f"<h2>{APP_NAME} {html.escape(composer_gui.__version__)}</h2>"
        "<p>Sketch music in a piano roll; a bundled LSTM continues it. Runs offline.</p>"
        f"<h4>Sound</h4><p>{SOUNDFONT}</p>"
        f"<h4>Models</h4><p>{MODELS}</p>"
        "<h4>Libraries</h4>"
        "<table cellspacing='0' cellpadding='2'>"
        "<tr><th align='left'>package</th><th align='left'>used for</th>"
        "<th align='left'>licence</th></tr>" + "".join(rows) + "</table>"
    )


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_NAME}")
        self.setObjectName("aboutDialog")
        self.text = QLabel(about_html())
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setMinimumWidth(520)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
