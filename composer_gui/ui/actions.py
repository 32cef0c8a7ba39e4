"""Every named action of the window in one collection (Frescobaldi's ActionCollection).

The window hands in a table of :class:`ActionSpec` rows (name, text, slot, shortcut, tip, ...);
the collection builds one QAction per row, adds it to the window so its shortcut works anywhere,
and lets code and tests reach it by name: ``window.act.play``. Menus and toolbars are then lists of
names, so an action is defined once, with one shortcut and one tooltip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QWidget

Shortcut = QKeySequence | QKeySequence.StandardKey | str | Qt.Key
"""What a shortcut may be given as: a key sequence, a standard key, text ("Ctrl+E") or a key."""


@dataclass(frozen=True)
class ActionSpec:
    """One row of the table: ``slot`` runs on trigger (None: a plain toggle that others read).

    ``state`` makes a checkable action show a state instead of toggling on its own (Play shows
    whether the transport plays): after the slot runs, the check mark is set to ``state()``, so a
    Play that could not start is not left checked. The owner of the state also sets it when the
    state changes by other means."""

    name: str
    text: str
    slot: Callable[[], object] | None = None
    shortcut: Shortcut | tuple[Shortcut, ...] | None = None
    tip: str = ""
    checkable: bool = False
    checked: bool = False
    enabled: bool = True
    state: Callable[[], bool] | None = None


def key_sequence(shortcut: Shortcut) -> QKeySequence:
    if isinstance(shortcut, QKeySequence):
        return shortcut
    if isinstance(shortcut, Qt.Key):
        return QKeySequence(shortcut)
    return QKeySequence(shortcut)


class ActionCollection:
    """Named QActions owned by ``widget``; attribute access by name (``act.play``)."""

    def __init__(self, widget: QWidget) -> None:
        self._widget = widget
        self._actions: dict[str, QAction] = {}

    def build(self, table: Iterable[ActionSpec]) -> None:
        for spec in table:
            self.add(spec)

    def add(self, spec: ActionSpec) -> QAction:
        if spec.name in self._actions:
            raise ValueError(f"two actions are named {spec.name!r}")
        action = QAction(spec.text, self._widget)
        action.setObjectName(f"action_{spec.name}")
        if spec.shortcut is not None:
            keys = spec.shortcut if isinstance(spec.shortcut, tuple) else (spec.shortcut,)
            action.setShortcuts([key_sequence(k) for k in keys])
        if spec.tip:
            action.setStatusTip(spec.tip)
            action.setToolTip(spec.tip)
        if spec.checkable:
            action.setCheckable(True)
            action.setChecked(spec.checked)
        action.setEnabled(spec.enabled)
        if spec.slot is not None:
            slot, state = spec.slot, spec.state

            def run(_checked: bool = False) -> None:
                slot()
                if state is not None:
                    action.setChecked(bool(state()))

            action.triggered.connect(run)
        self._widget.addAction(action)
        self._actions[spec.name] = action
        return action

    def put(self, name: str, action: QAction) -> QAction:
        """Adopt an action made elsewhere (the undo stack's Undo and Redo)."""
        if name in self._actions:
            raise ValueError(f"two actions are named {name!r}")
        self._widget.addAction(action)
        self._actions[name] = action
        return action

    def __getattr__(self, name: str) -> QAction:
        try:
            return self.__dict__["_actions"][name]
        except KeyError:
            raise AttributeError(f"no action named {name!r}") from None

    def __getitem__(self, name: str) -> QAction:
        return self._actions[name]

    def __contains__(self, name: str) -> bool:
        return name in self._actions

    def __iter__(self) -> Iterator[str]:
        return iter(self._actions)

    def all(self, *names: str) -> list[QAction]:
        """The actions ``names``, in order (for menus and toolbars)."""
        return [self._actions[n] for n in names]


def adopt_undo_stack(collection: ActionCollection, stack: QUndoStack) -> None:
    """Undo and Redo for ``stack`` as ``undo`` / ``redo``, with short fixed labels (so toolbar
    buttons do not move as the text changes) and what they would undo or redo in the tooltip."""
    for name, text, run, can, changed, keys in (
        ("undo", "&Undo", stack.undo, stack.canUndo, stack.undoTextChanged,
         [key_sequence(QKeySequence.StandardKey.Undo)]),
        ("redo", "&Redo", stack.redo, stack.canRedo, stack.redoTextChanged,
         [QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")]),
    ):
        action = collection.add(ActionSpec(name, text, run))
        action.setShortcuts(keys)
        word = text.replace("&", "")

        def describe(what: str, action: QAction = action, word: str = word) -> None:
            tip = f"{word} {what}" if what else f"Nothing to {word.lower()}"
            action.setToolTip(tip)
            action.setStatusTip(tip)

        describe(stack.undoText() if name == "undo" else stack.redoText())
        changed.connect(describe)
        action.setEnabled(can())
        (stack.canUndoChanged if name == "undo" else stack.canRedoChanged).connect(
            action.setEnabled)
