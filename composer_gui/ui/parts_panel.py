"""The Parts panel (a dock): one row per part of the score, in score order.

Each row: the part's colour (as the roll draws it), its name (edit in place), its General MIDI
instrument (what playback, WAV and MIDI export use), Mute, Solo, and whether the roll shows it.
Drag a row, or press the arrows below (Alt+Up / Alt+Down in the list), to reorder; Add and
Delete below. Every change to the document is one undo step
(``undo.ChangeParts``); showing and hiding is view state (the roll's ``hidden_parts``), not an
edit. The current row is the active part: where drawn, pasted and recorded notes go; the roll draws
the other parts dimmed.

The panel reads the document and the roll and pushes commands; it keeps no state of its own, so
undo, redo and opening a file simply refresh it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from composer_gui.music.gm import PROGRAMS
from composer_gui.music.score import DRUM_CHANNEL, Part

from . import style, undo
from .document import Document
from .labels import plural
from .piano_roll import PianoRoll

DRUM_KIT = "Drum kit (GM channel 10)"
DOCK_WIDTH = 270  # px: the names of most GM instruments show whole
# the list's own keys, for Help > Keyboard Shortcuts
PARTS_KEYS: tuple[tuple[str, str], ...] = (
    ("Move the highlighted part up / down (in the Parts list)", "Alt+Up, Alt+Down"),
)


class PartRow(QWidget):
    """One part's controls. Emits what the user asked for; the panel turns it into commands."""

    activated = Signal(int)
    renamed = Signal(int, str)
    programChosen = Signal(int, int)
    muteToggled = Signal(int, bool)
    soloToggled = Signal(int, bool)
    shownToggled = Signal(int, bool)

    def __init__(self, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.setObjectName(f"partRow{index}")
        self.swatch = QLabel()
        self.swatch.setFixedSize(14, 14)
        self.name = QLineEdit()
        self.name.setPlaceholderText(f"Part {index + 1}")
        self.name.setToolTip("The part's name (press Enter to rename)")
        self.name.setMinimumWidth(40)
        self.count = QLabel()
        self.count.setStyleSheet(f"color: {style.MID.name()}; font-size: 11px;")
        self.instrument = QComboBox()
        self._fill_instruments(drum=False)
        self.instrument.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.instrument.setMinimumContentsLength(6)
        self.instrument.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.instrument.setToolTip("The General MIDI instrument that plays this part "
                                   "(playback, WAV and MIDI export)")
        self.mute = self._toggle("M", "Mute: playback leaves this part out", MUTE_ON)
        self.solo = self._toggle("S", "Solo: playback plays only the soloed parts", SOLO_ON)
        self.shown = QCheckBox()
        self.shown.setToolTip("Show this part in the piano roll")

        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.swatch, 0, 0)
        grid.addWidget(self.name, 0, 1)
        buttons = QHBoxLayout()
        buttons.setSpacing(2)
        for w in (self.mute, self.solo, self.shown):
            buttons.addWidget(w)
        grid.addLayout(buttons, 0, 2)
        grid.addWidget(self.instrument, 1, 1)
        grid.addWidget(self.count, 1, 2, Qt.AlignmentFlag.AlignRight)
        grid.setColumnStretch(1, 1)

        self.name.editingFinished.connect(self._name_done)
        self.instrument.activated.connect(lambda p: self.programChosen.emit(self.index, p))
        self.mute.toggled.connect(lambda on: self.muteToggled.emit(self.index, on))
        self.solo.toggled.connect(lambda on: self.soloToggled.emit(self.index, on))
        self.shown.toggled.connect(lambda on: self.shownToggled.emit(self.index, on))
        for w in (self.name, self.instrument):  # M, S and Show leave the active part be
            w.installEventFilter(self)

    def _fill_instruments(self, *, drum: bool) -> None:
        """The 128 GM instruments, or for a drum part one fixed entry (channel 10's kit)."""
        combo = self.instrument
        combo.clear()
        if drum:
            combo.addItem(DRUM_KIT)
        else:
            for i, name in enumerate(PROGRAMS):
                combo.addItem(name)
                combo.setItemData(i, f"General MIDI program {i + 1}",
                                  Qt.ItemDataRole.ToolTipRole)
        combo.setEnabled(not drum)

    def _toggle(self, text: str, tip: str, on: str) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        b.setCheckable(True)
        b.setToolTip(tip)
        b.setFixedSize(22, 22)
        # lit when on, as a mixer's buttons are (a review measured on and off 10/255 apart)
        b.setStyleSheet(f"QToolButton:checked {{ background: {on}; color: #1f2226; "
                        "font-weight: bold; border-radius: 3px; }")
        return b

    def _name_done(self) -> None:
        self.name.setModified(False)  # typed and done: the document's name shows from now on
        self.renamed.emit(self.index, self.name.text().strip())

    def eventFilter(self, obj, event) -> bool:
        # using any control of a row makes its part the active one
        if event.type() in (event.Type.FocusIn, event.Type.MouseButtonPress):
            self.activated.emit(self.index)
        return False

    def mousePressEvent(self, event) -> None:
        self.activated.emit(self.index)
        super().mousePressEvent(event)

    def tab_chain(self) -> list[QWidget]:
        """The row's controls in reading order: the name and its buttons, then the instrument."""
        return [self.name, self.mute, self.solo, self.shown, self.instrument]

    def show_part(self, part: Part, shown: bool, active: bool, colour: int | None = None) -> None:
        """Show ``part`` without emitting anything (the document is already so)."""
        widgets = (self.name, self.instrument, self.mute, self.solo, self.shown)
        for w in widgets:
            w.blockSignals(True)
        try:
            colour = style.part_colour(self.index if colour is None else colour)
            edge = "#ffffff" if active else style.NOTE_EDGE.name()
            self.swatch.setStyleSheet(
                f"background: {colour.name()}; border: 2px solid {edge}; border-radius: 3px;")
            typing = self.name.hasFocus() and self.name.isModified()
            if not typing and self.name.text() != part.name:
                self.name.setText(part.name)
            font = self.name.font()
            font.setBold(active)
            self.name.setFont(font)
            if (self.instrument.count() == 1) != part.is_drum:
                self._fill_instruments(drum=part.is_drum)
            if not part.is_drum:
                self.instrument.setCurrentIndex(part.program)
            self.mute.setChecked(part.muted)
            self.solo.setChecked(part.solo)
            self.shown.setChecked(shown)
            self.shown.setEnabled(not active)  # the part being drawn into stays in view
            self.count.setText(plural(len(part.notes), "note"))
        finally:
            for w in widgets:
                w.blockSignals(False)


# the colours of a lit Mute and Solo button, as mixers light them
MUTE_ON = "#e0a030"
SOLO_ON = "#4fc0e0"


class PartsPanel(QWidget):
    """The dock's widget. ``before_restructure`` runs before a part is added, deleted or moved
    (the window settles a proposal then, kept or discarded: its notes name parts by their
    place); False: the composer chose to stay, and nothing changes."""

    def __init__(self, doc: Document, roll: PianoRoll,
                 before_restructure: Callable[[str], bool] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.roll = roll
        self.before_restructure = before_restructure or (lambda _what: True)
        self.setObjectName("partsPanel")
        self.list = QListWidget()
        self.list.setObjectName("partsList")
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setToolTip("Drag a part (or Alt+Up / Alt+Down) to reorder; the highlighted "
                             "part is where new notes go")
        self.list.setStyleSheet(f"QListWidget::item:selected {{ background: "
                                f"{style.ACTIVE_ROW.name()}; }}")
        self.rows: list[PartRow] = []

        self.add_button = QToolButton()
        self.add_button.setText("Add")
        self.add_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.add_button.setToolTip("Add a part after the last one (the arrow: a drum part)")
        menu = QMenu(self.add_button)
        menu.addAction("Pitched Part", lambda: self.add_part(drum=False))
        menu.addAction("Drum Part", lambda: self.add_part(drum=True))
        self.add_button.setMenu(menu)
        self.add_button.clicked.connect(lambda: self.add_part(drum=False))
        self.delete_button = QToolButton()
        self.delete_button.setText("Delete")
        self.delete_button.setToolTip("Delete the highlighted part and its notes (Ctrl+Z undoes)")
        self.delete_button.clicked.connect(self.delete_active)

        # (dragging was the only way: a review looked for a button, and a keyboard user had none)
        self.up_button = self._mover(Qt.ArrowType.UpArrow, "Up", -1)
        self.down_button = self._mover(Qt.ArrowType.DownArrow, "Down", 1)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.up_button)
        buttons.addWidget(self.down_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)

        self.list.model().rowsMoved.connect(self._rows_moved)
        self.list.currentRowChanged.connect(self._row_chosen)
        doc.scoreChanged.connect(self.refresh)
        roll.activePartChanged.connect(lambda _p: self.refresh())
        roll.hiddenPartsChanged.connect(lambda _h: self.refresh())
        self.refresh()

    def _mover(self, arrow: Qt.ArrowType, word: str, step: int) -> QToolButton:
        button = QToolButton()
        button.setArrowType(arrow)
        button.setFixedSize(20, 21)  # (the panel keeps its narrowest width: the window's too)
        button.setAccessibleName(f"Move Part {word}")
        button.setToolTip(f"Move the highlighted part {word.lower()} (Alt+{word} in the list)")
        button.clicked.connect(lambda: self.move_active(step))
        key = QShortcut(QKeySequence(f"Alt+{word}"), self.list)
        key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        key.activated.connect(lambda: self.move_active(step))
        return button

    def sizeHint(self) -> QSize:
        return QSize(DOCK_WIDTH, super().sizeHint().height())  # the dock's first width

    # ----- showing the document ----------------------------------------------------------------
    def refresh(self) -> None:
        parts = self.doc.score.parts
        if len(self.rows) != len(parts):
            self._rebuild(len(parts))
        active = self.roll.active_part
        hidden = self.roll.hidden_parts
        for i, (row, part) in enumerate(zip(self.rows, parts, strict=True)):
            row.show_part(part, i not in hidden, i == active, self.doc.score.colour_of(i))
        self.list.blockSignals(True)
        self.list.setCurrentRow(active)
        self.list.blockSignals(False)
        self.delete_button.setEnabled(len(parts) > 1)
        self.up_button.setEnabled(active > 0)
        self.down_button.setEnabled(0 <= active < len(parts) - 1)

    def _rebuild(self, count: int) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        self.rows = []
        for i in range(count):
            row = PartRow(i)
            item = QListWidgetItem()
            item.setSizeHint(QSize(200, row.sizeHint().height()))
            self.list.addItem(item)
            self.list.setItemWidget(item, row)
            row.activated.connect(self._activate)
            row.renamed.connect(self.rename)
            row.programChosen.connect(self.set_program)
            row.muteToggled.connect(self.set_muted)
            row.soloToggled.connect(self.set_solo)
            row.shownToggled.connect(lambda i, on: self.roll.set_part_hidden(i, not on))
            self.rows.append(row)
        self.list.blockSignals(False)
        self.tab_chain()

    def tab_chain(self) -> list[QWidget]:
        """Tab reads the panel top to bottom: the list, each row's controls, then the buttons
        (new rows' controls had joined the chain after the buttons). Returns the chain."""
        chain = [self.list, *(w for row in self.rows for w in row.tab_chain()),
                 self.add_button, self.delete_button, self.up_button, self.down_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        return chain

    # ----- what the user asks for ----------------------------------------------------------------
    def _activate(self, index: int) -> None:
        self.roll.active_part = index

    def _row_chosen(self, row: int) -> None:
        if row >= 0:
            self.roll.active_part = row

    def rename(self, index: int, name: str) -> None:
        self.doc.push(undo.part_command(self.doc, index, name=name))

    def set_program(self, index: int, program: int) -> None:
        self.doc.push(undo.part_command(self.doc, index, program=program))

    def set_muted(self, index: int, muted: bool) -> None:
        self.doc.push(undo.part_command(self.doc, index, muted=muted))

    def set_solo(self, index: int, solo: bool) -> None:
        self.doc.push(undo.part_command(self.doc, index, solo=solo))

    def add_part(self, *, drum: bool = False) -> None:
        """Add a part after the last one and make it the active part."""
        if not self.before_restructure("adding a part"):
            return
        parts = self.doc.score.parts
        if drum:
            part = Part(name=_unique("Drums", parts), channel=DRUM_CHANNEL, is_drum=True)
        else:
            part = Part(name=_unique(f"Part {len(parts) + 1}", parts))
        self.doc.push(undo.add_part_command(self.doc, part))
        self.roll.active_part = len(self.doc.score.parts) - 1

    def delete_active(self) -> None:
        if undo.delete_part_command(self.doc, self.roll.active_part) is not None and \
                self.before_restructure("deleting the part"):
            # (made again: a proposal kept in the meantime changed the score)
            self.doc.push(undo.delete_part_command(self.doc, self.roll.active_part))

    def move_part(self, source: int, target: int) -> None:
        if undo.move_part_command(self.doc, source, target) is not None and \
                self.before_restructure("moving the part"):
            self.doc.push(undo.move_part_command(self.doc, source, target))

    def move_active(self, step: int) -> None:
        """The active part one place up (-1) or down (1); it stays the active part."""
        source = self.roll.active_part
        self.move_part(source, source + step)

    def _rows_moved(self, _parent: QModelIndex, start: int, _end: int, _dest: QModelIndex,
                    row: int) -> None:
        """A row was dragged: ``row`` is where it was dropped, counted before it left."""
        target = row - 1 if row > start else row
        # the drop is still being handled: the rows are rebuilt from the document after it
        QTimer.singleShot(0, lambda: self._moved(start, target))

    def _moved(self, source: int, target: int) -> None:
        self._rebuild(0)  # the dragged row's widget is gone with the drop
        self.move_part(source, target)
        self.refresh()


def _unique(name: str, parts) -> str:
    names = {p.name for p in parts}
    if name not in names:
        return name
    n = 2
    while f"{name} {n}" in names:
        n += 1
    return f"{name} {n}"


def add_parts_dock(window: QMainWindow, doc: Document, roll: PianoRoll,
                   before_restructure: Callable[[str], bool] | None = None) -> QDockWidget:
    """The Parts dock on the window's left (View menu: its toggle action)."""
    dock = QDockWidget("Parts", window)
    dock.setObjectName("partsDock")
    dock.setWidget(PartsPanel(doc, roll, before_restructure))
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                     | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                     | QDockWidget.DockWidgetFeature.DockWidgetClosable)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    return dock
