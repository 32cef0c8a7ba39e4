"""The piano roll's right-click menu: the window's own actions (cut, copy, paste, delete,
quantize, transpose, mark a phrase end, words, chord symbol, regenerate, harmonize), reached
by name in its ActionCollection, so the menu does what the Edit and Generate menus do, with the
same shortcuts and the same enabled state.

An action the collection lacks (Harmonize in a build without it) is left out. The menu is built
at each right-click, so actions added later appear.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, QTimer, Signal
from PySide6.QtWidgets import QMenu, QWidget

from .actions import ActionCollection

# groups of action names, a separator between groups
ITEMS: tuple[tuple[str, ...], ...] = (
    ("cut", "copy", "paste", "delete"),
    ("quantize", "transpose", "phrase_end", "words", "chord"),
    ("regenerate", "harmonize"),
)


class RollMenu(QObject):
    # the menu went away, after the action chosen in it (if any) ran: what the right-click
    # pointed at (``PianoRoll.menu_tick``) is no longer the place of the next action
    closed = Signal()

    def __init__(self, actions: ActionCollection, parent: QWidget) -> None:
        super().__init__(parent)
        self.actions = actions
        self.menu: QMenu | None = None

    def build(self) -> QMenu:
        menu = QMenu(self.parent())
        menu.setObjectName("rollContextMenu")
        for group in ITEMS:
            present = [self.actions[n] for n in group if n in self.actions]
            if present and menu.actions():
                menu.addSeparator()
            menu.addActions(present)
        return menu

    def popup(self, at: QPoint) -> QMenu:
        """Show the menu at global position ``at`` (it does not block)."""
        if self.menu is not None:
            self.menu.deleteLater()
        self.menu = self.build()
        # (Qt hides the menu before it runs the action chosen: the loop's next turn is after)
        self.menu.aboutToHide.connect(lambda: QTimer.singleShot(0, self.closed.emit))
        self.menu.popup(at)
        return self.menu
