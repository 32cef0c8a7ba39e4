"""Help > Keyboard Shortcuts: every shortcut of the window's actions, read from the
ActionCollection (so the list cannot fall behind the actions), then the piano roll's own keys."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .actions import ActionCollection
from .parts_panel import PARTS_KEYS
from .piano_roll.editor import ROLL_KEYS


def shortcut_rows(actions: ActionCollection) -> list[tuple[str, str]]:
    """(what, keys) for each action with a shortcut, in the collection's order; then the roll's
    and the Parts list's own."""
    rows = []
    for name in actions:
        action = actions[name]
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
        keys = [k for k in keys if k]
        if keys:
            what = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
            what = what.rstrip("…").rstrip(".") or name
            if name.startswith("export_"):  # (File > Export's "MIDI" alone read as nothing)
                what = f"Export {what}"
            rows.append((what, ", ".join(keys)))
    return rows + [(what, keys) for what, keys in (*ROLL_KEYS, *PARTS_KEYS)]


class ShortcutsDialog(QDialog):
    def __init__(self, actions: ActionCollection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.setObjectName("shortcutsDialog")
        rows = shortcut_rows(actions)
        table = QTableWidget(len(rows), 2, self)
        table.setHorizontalHeaderLabels(["Action", "Keys"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for r, (what, keys) in enumerate(rows):
            table.setItem(r, 0, QTableWidgetItem(what))
            table.setItem(r, 1, QTableWidgetItem(keys))
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table = table
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(560, 600)
