"""Autosave: unsaved work is copied to the app's own data folder, so a crash never loses it.

Each document that has unsaved edits owns one *slot* in the autosave folder
(``Settings.autosave_folder``), named by a random key:

* ``KEY.composer.json``: the score, as a project file (written atomically);
* ``KEY.meta``: JSON naming the file the work belongs to, its display name and the time;
* ``KEY.lock``: a QLockFile holding the owner's PID for as long as the owner runs.

The user's own file is never written. A slot whose lock is free (its owner exited without
removing it, i.e. crashed or was killed) is an *orphan*: :func:`claim_orphans` takes the lock of
each and returns it, and ``ui.recovery`` offers it back. Two windows or two running apps never
share a key, and a live owner's lock can't be taken, so nobody overwrites or offers another's
autosave.

:class:`Autosaver` watches one document: the first unsaved edit starts a timer (30 s by default,
``autosave/intervalSeconds``); when it fires the current Score (immutable, so safe to hand over)
is written by a background :class:`~.workers.Task`, one task at a time, and editing goes on.
When the document becomes unmodified (saved, or undone to its saved state, or replaced by New or
Open after a discard) the slot is removed; a clean close removes it too.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QTimer, Signal

from composer_gui.music.atomic import atomic_write, remove_stale_temporaries
from composer_gui.music.project import SUFFIX as PROJECT_SUFFIX
from composer_gui.music.project import read_project, write_project
from composer_gui.music.score import Score

from .document import Document
from .settings import Settings
from .workers import Task

META_FORMAT = "composer-gui-autosave"
META_SUFFIX = ".meta"
LOCK_SUFFIX = ".lock"


@dataclass(frozen=True)
class AutosaveEntry:
    """One autosave slot as found on disk."""

    folder: Path
    key: str
    source: Path | None  # the file the work belongs to (None: never saved)
    name: str  # what the window called the document ("Untitled", "song.composer.json")
    saved_at: float  # unix time of the last autosave

    @property
    def score_path(self) -> Path:
        return self.folder / (self.key + PROJECT_SUFFIX)

    @property
    def meta_path(self) -> Path:
        return self.folder / (self.key + META_SUFFIX)

    @property
    def lock_path(self) -> Path:
        return self.folder / (self.key + LOCK_SUFFIX)


def new_lock(path: Path) -> QLockFile:
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
    return lock


# ----- the file work (runs in workers) ------------------------------------------------------------
def write_slot(folder: Path, key: str, score: Score, source: Path | None, name: str,
               lock: QLockFile) -> None:
    """Write one autosave (score first, then its meta: a slot is listed only once complete).
    Takes the slot's lock on the first write."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(f"cannot make the folder {folder} ({exc.strerror or exc})") from None
    if not lock.isLocked() and not lock.tryLock(0):
        raise OSError(f"cannot lock {lock.fileName()} (error {lock.error().name})")
    write_project(score, folder / (key + PROJECT_SUFFIX))
    meta = {"format": META_FORMAT, "version": 1, "source": str(source) if source else None,
            "name": name, "saved_at": time.time(), "pid": os.getpid()}
    text = json.dumps(meta, indent=1, ensure_ascii=False) + "\n"
    atomic_write(folder / (key + META_SUFFIX), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def remove_slot(folder: Path, key: str, lock: QLockFile | None) -> None:
    """Delete a slot's files, then release (and so delete) its lock."""
    for suffix in (META_SUFFIX, PROJECT_SUFFIX):
        (folder / (key + suffix)).unlink(missing_ok=True)
    if lock is not None and lock.isLocked():
        lock.unlock()


def read_entry(meta_path: Path) -> AutosaveEntry | None:
    """The slot a meta file describes; None when it is not one of ours or is unreadable."""
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != META_FORMAT:
            return None
        source = meta.get("source")
        return AutosaveEntry(meta_path.parent, meta_path.name[: -len(META_SUFFIX)],
                             Path(source) if isinstance(source, str) and source else None,
                             str(meta.get("name") or "Untitled"), float(meta.get("saved_at", 0)))
    except (OSError, ValueError, TypeError, RecursionError):
        return None


def claim_orphans(folder: Path) -> list[tuple[AutosaveEntry, QLockFile]]:
    """Every complete slot in ``folder`` whose owner is gone, newest first, each with its lock
    now held by this process (release it to leave the slot for a later launch). Also removes
    our stale temporary files there."""
    if not folder.is_dir():
        return []
    remove_stale_temporaries(folder)
    found = []
    for meta_path in sorted(folder.glob("*" + META_SUFFIX)):
        entry = read_entry(meta_path)
        if entry is None or not entry.score_path.is_file():
            continue
        lock = new_lock(entry.lock_path)
        if lock.tryLock(0):  # free, or left by a process that no longer runs
            found.append((entry, lock))
    found.sort(key=lambda pair: -pair[0].saved_at)
    return found


def read_slot(entry: AutosaveEntry) -> Score:
    return read_project(entry.score_path)


# ----- one document's autosaver -------------------------------------------------------------------
class Autosaver(QObject):
    """Keeps one document's slot in step with its unsaved edits (see the module docstring)."""

    saved = Signal(str)  # the autosave file, after each write
    removed = Signal()  # the slot is gone (the document is unmodified, or closed)
    status = Signal(str, int)  # for the status bar (a failed autosave)

    def __init__(self, doc: Document, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.folder = settings.autosave_folder()
        self.key = secrets.token_hex(8)
        self._lock = new_lock(self.folder / (self.key + LOCK_SUFFIX))  # taken on the first write
        self._on_disk: tuple[Score, Path | None] | None = None  # what the slot holds
        self._busy: Task | None = None
        self._closed = False
        self._failed = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(settings.autosave_interval_ms())
        self._timer.timeout.connect(self._sync)
        # the document's own signals, not its undo stack's: the stack still signals while it is
        # destroyed with the window, after the document has gone
        doc.scoreChanged.connect(self._changed)
        doc.modifiedChanged.connect(self._changed)
        doc.pathChanged.connect(self._changed)
        doc.destroyed.connect(self._doc_destroyed)

    def _doc_destroyed(self, *_args) -> None:
        """The window went without closing (a test, a crash in Qt): stop; the slot stays."""
        self._closed = True
        self._timer.stop()

    @property
    def path(self) -> Path:
        """The autosave's project file (it exists only while there is unsaved work)."""
        return self.folder / (self.key + PROJECT_SUFFIX)

    def adopt(self, entry: AutosaveEntry, lock: QLockFile, score: Score) -> None:
        """Take over a recovered slot: its files and lock are now this document's (call before
        loading ``score`` into the document)."""
        self._finish_busy()
        self._remove_now()
        self.folder, self.key, self._lock = entry.folder, entry.key, lock
        self._on_disk = (score, entry.source)

    def close(self) -> None:
        """The window closes cleanly: the slot goes (after a write in flight)."""
        self._closed = True
        self._timer.stop()
        self._finish_busy()
        self._remove_now()

    # ----- internals ------------------------------------------------------------------------------
    def _finish_busy(self) -> None:
        if self._busy is not None:
            self._busy.wait(10_000)
            self._busy = None  # its result is no longer wanted (_done ignores it)

    def _remove_now(self) -> None:
        """Remove this slot and wait for it (closing, or adopting another slot)."""
        folder, key, lock = self.folder, self.key, self._lock
        self._on_disk = None
        if lock.isLocked() or (folder / (key + META_SUFFIX)).exists():
            Task(lambda _ctx: remove_slot(folder, key, lock)).start().wait(10_000)

    def _changed(self, *_args) -> None:
        if self._closed:
            return
        if self.doc.modified:
            if not self._timer.isActive():  # the first unsaved edit sets the deadline
                self._timer.start()
        else:
            self._timer.stop()
            self._sync()

    def _sync(self) -> None:
        """Make the slot match the document: write it, remove it, or nothing."""
        if self._busy is not None or self._closed:
            return  # _done looks again
        folder, key, lock = self.folder, self.key, self._lock
        if not self.doc.modified:
            if self._on_disk is not None or lock.isLocked():
                self._start(Task(lambda _ctx: remove_slot(folder, key, lock)), None)
            return
        score, source = self.doc.score, self.doc.source
        if self._on_disk is not None and self._on_disk[0] is score and self._on_disk[1] == source:
            return
        name = self.doc.display_name
        self._start(Task(lambda _ctx: write_slot(folder, key, score, source, name, lock)),
                    (score, source))

    def _start(self, task: Task, writes: tuple[Score, Path | None] | None) -> None:
        self._busy = task
        task.finished.connect(lambda _r: self._done(task, writes))
        task.failed.connect(lambda message: self._done(task, writes, message))
        task.cancelled.connect(lambda: self._done(task, writes, ""))
        task.start()

    def _done(self, task: Task, writes, message: str | None = None) -> None:
        if task is not self._busy:
            return
        self._busy = None
        if message is not None:
            if message and not self._failed:
                self.status.emit(f"Autosave failed: {message}. Save to keep your work.", 15_000)
            self._failed = True
            self._on_disk = None  # unknown: the next round writes again
        elif writes is None:
            self._on_disk = None
            self.removed.emit()
        else:
            self._on_disk, self._failed = writes, False
            self.saved.emit(str(self.path))
        if self._closed:
            return
        if not self.doc.modified:
            self._sync()
        elif not self._timer.isActive() and (self._on_disk is None
                                             or self._on_disk[0] is not self.doc.score
                                             or self._on_disk[1] != self.doc.source):
            self._timer.start()  # edits made while writing: next round
