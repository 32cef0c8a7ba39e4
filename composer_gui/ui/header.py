"""The score header: tempo, time signature and key (each change one undo step) and the snap grid.
It shows the document and pushes commands; it keeps no state itself. (The part new notes go to is
chosen in the Parts panel, ``parts_panel.py``.)"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QSpinBox, QWidget

from composer_gui.music.score import KeySignature

from . import undo
from .document import Document
from .labels import key_label
from .piano_roll import PianoRoll
from .view_state import SNAP_CHOICES

# Major and minor, then the two church modes folk tunes use most (a file's rarer mode, e.g.
# Phrygian, is added to the box when a score has it). A key picked here is the composer's: its
# mode is stated (the key finder keeps a major picked as it keeps a minor).
KEYS: list[KeySignature | None] = [None] + [
    KeySignature(0, s, m, mode_stated=True) for m in ("major", "minor", "dorian", "mixolydian")
    for s in range(-7, 8)]


class ScoreHeader(QWidget):
    def __init__(self, doc: Document, roll: PianoRoll, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.roll = roll
        # before the bars change under a proposal on show: the window settles it, kept or
        # discarded, the composer asked; False: they stay, and nothing changes
        self.before_bars_change: Callable[[str], bool] = lambda _what: True
        self.tempo = QDoubleSpinBox()
        self.tempo.setRange(10, 400)
        self.tempo.setDecimals(1)
        self.tempo.setSuffix(" bpm")
        self.tempo.setKeyboardTracking(False)
        self.tempo.setToolTip("Tempo")
        self.numerator = QSpinBox()
        self.numerator.setRange(1, 32)
        self.numerator.setKeyboardTracking(False)
        self.numerator.setToolTip("Beats per bar")
        self.denominator = QComboBox()
        for d in (2, 4, 8, 16):
            self.denominator.addItem(str(d), d)
        self.denominator.setToolTip("Beat unit")
        self.key = QComboBox()
        for k in KEYS:
            self.key.addItem(key_label(k), k)
        self.key.setToolTip("Key signature: written into exports, its scale's rows highlighted in "
                            "the roll (one undo step)")
        self.snap = QComboBox()
        for label, den, trip in SNAP_CHOICES:
            self.snap.addItem(label, (den, trip))
        self.snap.setCurrentIndex(2)
        self.snap.setToolTip("Snap to grid (hold Alt to place freely)")

        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        for label, widget in (("Tempo", self.tempo), ("Time", self.numerator)):
            row.addWidget(QLabel(label))
            row.addWidget(widget)
        row.addWidget(QLabel("/"))
        row.addWidget(self.denominator)
        for label, widget in (("Key", self.key), ("Snap", self.snap)):
            row.addSpacing(8)
            row.addWidget(QLabel(label))
            row.addWidget(widget)
        row.addStretch(1)

        self.tempo.valueChanged.connect(
            lambda bpm: doc.push(undo.tempo_command(doc, bpm)))
        self.numerator.valueChanged.connect(self._meter_edited)
        self.denominator.currentIndexChanged.connect(self._meter_edited)
        self.key.currentIndexChanged.connect(
            lambda i: doc.push(undo.key_command(doc, self.key.itemData(i))))
        self.snap.currentIndexChanged.connect(self._snap_chosen)
        doc.scoreChanged.connect(self.refresh)
        self.refresh()

    def _meter_edited(self, *_args) -> None:
        meter = (self.numerator.value(), int(self.denominator.currentData()))
        if undo.meter_command(self.doc, *meter) is None:
            return
        if not self.before_bars_change("changing the meter"):  # the composer stayed
            self.refresh()
            return
        # (made again: a proposal kept meanwhile changed the score, and the box with it)
        self.doc.push(undo.meter_command(self.doc, *meter))

    def _snap_chosen(self, index: int) -> None:
        den, trip = self.snap.itemData(index)
        self.roll.set_snap(den, trip)

    def set_snap_index(self, index: int) -> None:
        if 0 <= index < self.snap.count():
            self.snap.setCurrentIndex(index)

    def refresh(self) -> None:
        score = self.doc.score
        widgets = (self.tempo, self.numerator, self.denominator, self.key)
        for w in widgets:
            w.blockSignals(True)
        try:
            self.tempo.setValue(round(score.tempo.bpm, 1))
            ts = score.time_signature
            self.numerator.setValue(ts.numerator)
            i = self.denominator.findData(ts.denominator)
            if i < 0:
                self.denominator.addItem(str(ts.denominator), ts.denominator)
                i = self.denominator.count() - 1
            self.denominator.setCurrentIndex(i)
            key = score.key
            if key is not None and key.tick != 0:
                key = KeySignature(0, key.sharps, key.mode)
            i = self.key.findText(key_label(key))
            if i < 0:
                self.key.addItem(key_label(key), key)
                i = self.key.count() - 1
            self.key.setCurrentIndex(i)
        finally:
            for w in widgets:
                w.blockSignals(False)
