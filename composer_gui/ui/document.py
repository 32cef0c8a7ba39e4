"""The open document: one immutable Score, where it lives on disk, the selection and the undo stack.

Only undo commands (``undo.py``) change the score; they call ``replace_score``. The modified
flag is the undo stack's clean state, so undoing back to the saved state clears the mark.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QUndoCommand, QUndoStack

from composer_gui.music.edits import NoteKey
from composer_gui.music.formats import kind_of
from composer_gui.music.score import Score


class Document(QObject):
    scoreChanged = Signal()
    loaded = Signal()  # New / Open replaced everything: before scoreChanged
    partsMoved = Signal(list)  # before scoreChanged: each old part's new index (-1: deleted)
    selectionChanged = Signal()
    pathChanged = Signal()
    modifiedChanged = Signal(bool)

    def __init__(self, score: Score | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._score = score if score is not None else Score()
        self._path: Path | None = None
        self._source: Path | None = None
        self._selection: frozenset[NoteKey] = frozenset()
        self.undo_stack = QUndoStack(self)
        # a bound method, not a lambda: Qt drops the connection when the document is destroyed,
        # so the stack's last cleanChanged (emitted as it dies at exit) reaches nothing
        self.undo_stack.cleanChanged.connect(self._clean_changed)

    # ----- state -------------------------------------------------------------------------------
    @property
    def score(self) -> Score:
        return self._score

    @property
    def path(self) -> Path | None:
        """Where Save writes (always a project file); None until saved once."""
        return self._path

    @property
    def source(self) -> Path | None:
        """The file this document was opened from or last saved to (may be MIDI, MusicXML, ABC)."""
        return self._source

    @property
    def display_name(self) -> str:
        src = self._path or self._source
        tune = self.tune_title
        return f"{tune} ({src.name})" if tune else src.name if src else "Untitled"

    @property
    def tune_title(self) -> str:
        """The tune's own title where the document is one tune of an ABC file not yet saved as
        a project (a collection's tunes would all be called by the collection's file name: a
        review saw "0001-0050.abc" for each); "" otherwise."""
        src = self._source
        if self._path is not None or src is None or src.suffix.lower() != ".abc":
            return ""
        return self.score.title.strip()

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def selection(self) -> frozenset[NoteKey]:
        return self._selection

    def selected_notes(self) -> list[NoteKey]:
        return sorted(self._selection, key=lambda k: (k[1], k[0]))

    @Slot(bool)
    def _clean_changed(self, clean: bool) -> None:
        self.modifiedChanged.emit(not clean)

    # ----- changes -------------------------------------------------------------------------------
    def load(self, score: Score, source: Path | None = None, *, modified: bool = False) -> None:
        """Replace everything (New / Open): the undo history goes, the document is unmodified
        (``modified``: it is not, as for recovered work that was never saved; no undo step can
        make it clean again, only a save)."""
        self.undo_stack.clear()
        self._selection = frozenset()
        self._score = score
        self._source = Path(source) if source else None
        self._path = self._source if self._source and kind_of(self._source) == "project" else None
        self.undo_stack.setClean()
        if modified:
            self.undo_stack.resetClean()
        self.loaded.emit()
        self.scoreChanged.emit()
        self.selectionChanged.emit()
        self.pathChanged.emit()
        self.modifiedChanged.emit(modified)

    def mark_saved(self, path: Path) -> None:
        self._path = Path(path)
        self._source = self._path
        self.undo_stack.setClean()
        self.pathChanged.emit()

    def push(self, command: QUndoCommand | None) -> None:
        if command is not None:
            self.undo_stack.push(command)

    def replace_score(self, score: Score, selection: frozenset[NoteKey] | None = None,
                      moved: list[int] | None = None) -> None:
        """For undo commands only. ``moved``: the parts were added, deleted or reordered; each
        old part's new index (-1: deleted), so that views can follow their parts."""
        self._score = score
        if selection is not None:
            self._selection = frozenset(selection)
        if moved is not None:
            self.partsMoved.emit(list(moved))
        self.scoreChanged.emit()
        self.selectionChanged.emit()

    def set_selection(self, keys) -> None:
        keys = frozenset(keys)
        if keys != self._selection:
            self._selection = keys
            self.selectionChanged.emit()


