"""Offer unsaved work back after a crash: the "Recover Unsaved Work" dialog and its controller.

At start-up :class:`Recovery` looks for orphaned autosaves (``autosave.claim_orphans``, in a
worker) and, when there are any, shows one dialog listing each with its file name and the time
of its last autosave. For the selected rows:

* **Recover** reads the autosave (in a worker) and opens it as a *modified* document tied to the
  file it belongs to, so Save writes there (a project) or asks where (a new score, or one opened
  from MIDI/MusicXML). The window adopts the autosave slot: it keeps being autosaved and goes on
  a clean exit. The first recovery goes into the start-up window when that is still empty; the
  next ones open windows of their own (``open_window``).
* **Discard** deletes the autosave.
* **Later** closes the dialog and leaves the rest for the next launch.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QLockFile, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .autosave import AutosaveEntry, claim_orphans, read_slot, remove_slot
from .settings import Settings
from .workers import Task

TITLE = "Recover Unsaved Work"


def when(saved_at: float, now: float | None = None) -> str:
    """The autosave's time as people say it: today's as "14:05", older ones with their date."""
    now = time.time() if now is None else now
    stamp = time.localtime(saved_at)
    if time.strftime("%Y-%m-%d", stamp) == time.strftime("%Y-%m-%d", time.localtime(now)):
        return time.strftime("today %H:%M", stamp)
    return time.strftime("%Y-%m-%d %H:%M", stamp)


def release(locks: list[QLockFile]) -> None:
    """Give claimed slots back (in a worker: unlocking deletes the lock files)."""
    if locks:
        Task(lambda _ctx: [lock.unlock() for lock in locks]).start()


class RecoveryDialog(QDialog):
    """The list of orphaned autosaves with Recover / Discard / Later (acting on the selection)."""

    recoverRequested = Signal(list)  # [AutosaveEntry]
    discardRequested = Signal(list)

    def __init__(self, entries: list[AutosaveEntry], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryDialog")
        self.setWindowTitle(TITLE)
        self.setMinimumWidth(560)
        what = "this score" if len(entries) == 1 else f"{len(entries)} scores"
        intro = QLabel(
            f"<b>Composer closed without saving your changes to {what}.</b>"
            "<br>They were autosaved. Recover opens them as unsaved documents; save them to "
            "keep them. Later asks again at the next start.")
        intro.setWordWrap(True)
        self.list = QTreeWidget()
        self.list.setRootIsDecorated(False)
        self.list.setHeaderLabels(["File", "Folder", "Autosaved"])
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.list.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        for entry in entries:
            folder = str(entry.source.parent) if entry.source else "(never saved)"
            item = QTreeWidgetItem([entry.name, folder, when(entry.saved_at)])
            item.setToolTip(0, str(entry.source) if entry.source else "A new score")
            item.setData(0, Qt.ItemDataRole.UserRole, entry)
            self.list.addTopLevelItem(item)
        self.list.selectAll()
        buttons = QDialogButtonBox()
        self.recover_button = QPushButton("&Recover")
        self.discard_button = QPushButton("&Discard")
        self.later_button = QPushButton("&Later")
        self.recover_button.setDefault(True)
        self.discard_button.setToolTip("Delete the selected autosaves for good")
        buttons.addButton(self.recover_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.discard_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton(self.later_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.recover_button.clicked.connect(lambda: self._act(self.recoverRequested))
        self.discard_button.clicked.connect(lambda: self._act(self.discardRequested))
        self.later_button.clicked.connect(self.reject)
        self.list.itemSelectionChanged.connect(self._selection_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list)
        layout.addWidget(buttons)

    def entries(self) -> list[AutosaveEntry]:
        """The rows still listed."""
        return [self.list.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
                for i in range(self.list.topLevelItemCount())]

    def _selection_changed(self) -> None:
        some = bool(self.list.selectedItems())
        self.recover_button.setEnabled(some)
        self.discard_button.setEnabled(some)

    def _act(self, signal) -> None:
        items = self.list.selectedItems()
        chosen = [item.data(0, Qt.ItemDataRole.UserRole) for item in items]
        for item in items:
            self.list.takeTopLevelItem(self.list.indexOfTopLevelItem(item))
        if chosen:
            signal.emit(chosen)
        if not self.list.topLevelItemCount():
            self.accept()
        else:
            self.list.selectAll()


class Recovery(QObject):
    """Finds orphaned autosaves and carries out the dialog's answers.

    ``open_window()`` returns a window (with ``doc``, ``autosave``, ``files`` and ``status``
    showing) to recover into; ``first`` is the start-up window, used when it is still empty."""

    found = Signal(list)  # [AutosaveEntry]: the orphans (empty: nothing to offer)
    recovered = Signal(object)  # the window a recovery went into
    finished = Signal()  # the dialog is gone (or there was nothing to offer)

    def __init__(self, settings: Settings, first, open_window: Callable[[], object],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.first = first
        self.open_window = open_window
        self.dialog: RecoveryDialog | None = None
        self._locks: dict[str, QLockFile] = {}

    def start(self) -> Task:
        folder = self.settings.autosave_folder()
        task = Task(lambda _ctx: claim_orphans(folder))
        task.finished.connect(self._found)
        task.failed.connect(lambda _message: self.finished.emit())
        return task.start()

    def _found(self, orphans: list) -> None:
        self._locks = {entry.key: lock for entry, lock in orphans}
        entries = [entry for entry, _lock in orphans]
        self.found.emit(entries)
        if not entries:
            self.finished.emit()
            return
        self.dialog = RecoveryDialog(entries, self.first)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.recoverRequested.connect(lambda chosen: [self.recover(e) for e in chosen])
        self.dialog.discardRequested.connect(lambda chosen: [self.discard(e) for e in chosen])
        self.dialog.finished.connect(self._closed)
        self.dialog.open()

    def recover(self, entry: AutosaveEntry) -> Task:
        lock = self._locks.pop(entry.key)
        task = Task(lambda _ctx: read_slot(entry))
        task.finished.connect(lambda score: self._recovered(entry, lock, score))
        task.failed.connect(lambda message: self._recover_failed(entry, lock, message))
        return task.start()

    def discard(self, entry: AutosaveEntry) -> Task:
        lock = self._locks.pop(entry.key)
        return Task(lambda _ctx: remove_slot(entry.folder, entry.key, lock)).start()

    def _recovered(self, entry: AutosaveEntry, lock: QLockFile, score) -> None:
        window = self.first
        doc = window.doc
        if doc.modified or doc.source is not None or doc.score.note_count:
            window = self.open_window()
        window.autosave.adopt(entry, lock, score)
        window.files.load_recovered(entry.name, score, entry.source)
        self.recovered.emit(window)

    def _recover_failed(self, entry: AutosaveEntry, lock: QLockFile, message: str) -> None:
        release([lock])  # left for a later launch (or for removing by hand)
        self.first.show_error(TITLE, f"Could not recover {entry.name}.\n\n{message}\n\nThe "
                              f"autosave is kept in {entry.folder}.")

    def _closed(self, _result: int) -> None:
        """Later (or all handled): the slots still claimed are released for the next launch."""
        release(list(self._locks.values()))
        self._locks.clear()
        self.dialog = None
        self.finished.emit()
