"""Open, save and export: the one controller of the document's files.

Every read and every write runs in a background :class:`~composer_gui.ui.workers.Task`, so a slow
music21 import or a large MusicXML never freezes the window. Saving keeps a synchronous answer
(``save_to`` returns whether it worked, which "save before closing?" needs): it waits for its task
in a local event loop that repaints and keeps playback going but ignores mouse and keys, so nothing
can change the document while it is written.

Save and Save As write the project file (``.composer.json``) only, and it becomes the document's
Save target. MIDI, MusicXML and WAV are *exports*: copies that never change the Save target, the
document's modified state or its name; each export reads its file back
(``music.fidelity``) and the status bar says what the copy lost.

The controller never imports the window. It is handed the document, the settings and a small
:class:`Dialogs` interface (the window implements it; tests replace its methods), and it reports by
signals: ``status`` for the status bar, ``aboutToReplace`` before a new or opened score replaces
the document (the window stops generation and playback then), ``replaced`` after.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QMenu

from composer_gui.ml.keyfinding import with_heard_key
from composer_gui.music.atomic import remove_stale_temporaries
from composer_gui.music.fidelity import export as export_checked
from composer_gui.music.formats import NOTATION, READABLE, WRITABLE, kind_of, save_score
from composer_gui.music.notation import abc_tune_titles
from composer_gui.music.project import SUFFIX as PROJECT_SUFFIX
from composer_gui.music.safe_read import read_score
from composer_gui.music.score import Score

from .document import Document
from .labels import part_label, plural
from .settings import Settings
from .workers import Task

OPEN_FILTER = ";;".join([
    "Scores (" + " ".join(f"*{s}" for s in READABLE) + ")",
    f"Composer projects (*{PROJECT_SUFFIX})",
    "MIDI files (*.mid *.midi)",
    "MusicXML (*.musicxml *.xml *.mxl)",
    "ABC (*.abc)",
    "All files (*)",
])
PROJECT_FILTER = f"Composer projects (*{PROJECT_SUFFIX})"
MIDI_FILTER = "MIDI files (*.mid *.midi)"
MUSICXML_FILTER = "MusicXML (*.musicxml *.xml *.mxl)"
WAV_FILTER = "WAV audio (*.wav)"
ABC_FILTER = "ABC (*.abc)"
EXPORTS = {"midi": (".mid", MIDI_FILTER, "MIDI"), "musicxml": (".musicxml", MUSICXML_FILTER,
                                                               "MusicXML"),
           "abc": (".abc", ABC_FILTER, "ABC")}
OUR_SUFFIXES = (*WRITABLE, ".wav")
"""What the app writes: stale temporary files for these are ours to remove."""


# An ABC file up to this size is scanned for its tunes' titles before it is read (a text scan in
# the window's thread: a 200-tune book of 67 KB takes about a millisecond); a larger one opens
# its first tune, as the worker reads it
TUNE_LIST_MAX_BYTES = 4 * 1024 * 1024


def _collection_titles(path: Path) -> list[str]:
    """The titles of the tunes of an ABC collection (small enough to scan), else []."""
    try:
        small = kind_of(path) == "abc" and path.stat().st_size <= TUNE_LIST_MAX_BYTES
    except OSError:
        return []  # (the read says why)
    return abc_tune_titles(path) if small else []


class Dialogs(Protocol):
    """The blocking questions the controller asks (the window shows them; tests answer them)."""

    def ask_unsaved_changes(self) -> str:
        """'save', 'discard' or 'cancel'."""

    def show_error(self, title: str, text: str) -> None: ...

    def ask_open_path(self) -> Path | None: ...

    def ask_tune(self, name: str, titles: list[str]) -> int | None:
        """Which tune (0-based) of the ABC collection ``name`` to open; None: open none."""

    def ask_save_path(self, title: str, filters: str, suggested: str) -> Path | None: ...


class FileController(QObject):
    fileOpened = Signal(str)  # after a file was read and became the document
    openFailed = Signal(str)  # the message shown
    saved = Signal(str)
    exported = Signal(str)
    exportFailed = Signal(str)
    status = Signal(str, int)  # status-bar text ('' clears it) and milliseconds (0: until replaced)
    aboutToAsk = Signal()  # before asking whether to keep unsaved changes (a take joins first)
    aboutToReplace = Signal()  # a new or opened score is about to become the document
    replaced = Signal(bool)  # it has: True when it came from a file (fit it in view)
    opening = Signal(object, object)  # (Task, Path): a file began to load (ui/open_progress.py)

    def __init__(self, doc: Document, settings: Settings, dialogs: Dialogs,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.settings = settings
        self.dialogs = dialogs
        self._loading: Task | None = None
        self._audio_export: Task | None = None
        # work not yet in the document (a proposal on show): the window settles it, kept or
        # discarded, before the document is replaced; False: the composer stays
        # (its argument: what is about to happen, for the question: "opening a file")
        self.settle_pending: Callable[[str], bool] = lambda _what: True

    # ----- replacing the document -----------------------------------------------------------------
    def maybe_discard(self, what: str = "") -> bool:
        """True when the current document may be replaced (saved, discarded or unmodified);
        ``what`` replaces it, for the question about a proposal on show ("opening a file")."""
        self.aboutToAsk.emit()
        if not self.settle_pending(what):
            return False
        if not self.doc.modified:
            return True
        choice = self.dialogs.ask_unsaved_changes()
        if choice == "save":
            return self.save()
        return choice == "discard"

    def new_document(self) -> bool:
        if not self.maybe_discard("starting a new score"):
            return False
        self.aboutToReplace.emit()
        self.doc.load(Score())
        self.replaced.emit(False)
        return True

    def open_dialog(self) -> None:
        path = self.dialogs.ask_open_path()
        if path is not None:
            self.open_path(path)

    def open_path(self, path: str | Path, tune: int | None = None) -> Task | None:
        """Read a file in the background; on success it becomes the document (after asking about
        unsaved changes), on failure a message shows and the document is untouched. An ABC file
        of several tunes asks which one (``tune``: already chosen, 0-based)."""
        path = Path(path)
        # (the tune first: a review discarded its variations, then cancelled the tune list)
        titles = _collection_titles(path) if tune is None else []
        if len(titles) > 1:
            tune = self.dialogs.ask_tune(path.name, titles)
            if tune is None:
                return None
        if not self.maybe_discard(f"opening {path.name}"):
            return None
        self.settings.set_last_folder("open", path)
        warnings: list[str] = []
        task = Task(lambda ctx: read_score(path, warnings, tune=tune,
                                           cancelled=ctx.cancel.is_set))
        edits_before = self.doc.undo_stack.index()
        task.finished.connect(lambda score: self._opened(task, path, score, warnings, edits_before))
        task.failed.connect(lambda message: self._open_failed(task, path, message))
        self.status.emit(f"Opening {path.name}…", 0)
        self._loading = task.start()
        self.opening.emit(task, path)
        return task

    def _opened(self, task: Task, path: Path, score: Score, warnings: list[str],
                edits_before: int) -> None:
        if task is not self._loading:
            return  # a later Open superseded this one
        self._loading = None
        # the window stays editable while a slow file loads: edits made meanwhile need asking again
        if self.doc.undo_stack.index() != edits_before and \
                not self.maybe_discard(f"opening {path.name}"):
            self.status.emit(f"Did not open {path.name}: kept your edits", 8000)
            return
        self.aboutToReplace.emit()
        if not score.title:
            score = replace(score, title=stem(path))
        self.doc.load(score, path)
        self.settings.add_recent(path)
        self.replaced.emit(True)
        note = f" ({'; '.join(warnings)})" if warnings else ""
        self.status.emit(f"Opened {path.name}: {plural(score.note_count, 'note')}{note}", 8000)
        self.fileOpened.emit(str(path))

    def _open_failed(self, task: Task, path: Path, message: str) -> None:
        if task is not self._loading:
            return
        self._loading = None
        self.status.emit("", 0)
        text = f"Could not open {path.name}.\n\n{message}"
        if not path.exists():
            self.settings.remove_recent(path)
        self.dialogs.show_error("Open failed", text)
        self.openFailed.emit(text)

    # ----- saving ---------------------------------------------------------------------------------
    def offered_stem(self) -> str:
        """The name Save As and the exports offer: a tune's own title (one tune of an ABC
        collection), else the file's; a new score's title (File > Title and Composer), else
        "Untitled" (a review titled a new score and was offered "Untitled")."""
        file = self.doc.path or self.doc.source
        title = self.doc.tune_title or ("" if file else self.doc.score.title)
        named = " ".join(re.sub(r'[\\/:*?"<>|]+', " ", title).split())[:80].strip()
        return named or stem(file)

    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as()
        return self.save_to(self.doc.path)

    def save_as(self) -> bool:
        suggested = self.offered_stem()
        path = self.dialogs.ask_save_path("Save As", PROJECT_FILTER, suggested + PROJECT_SUFFIX)
        if path is None:
            return False
        return self.save_to(project_path(path))

    def save_to(self, path: str | Path) -> bool:
        """Write the document as a project (in a worker; see the module docstring); it becomes
        the Save target. A failure is reported and the document stays modified."""
        path = Path(path)
        if kind_of(path) != "project":
            raise ValueError(f"Save writes Composer projects ({PROJECT_SUFFIX}), not {path.name}; "
                             "other formats are exports")
        score = self.doc.score
        self.status.emit(f"Saving {path.name}…", 0)
        notes: list[str] = []  # what notation had to change (Save As .musicxml)
        outcome = run_waiting(Task(lambda _ctx: save_score(score, path, notes)))
        if outcome[0] != "finished":
            self.status.emit("", 0)
            self.dialogs.show_error("Save failed", f"Could not save.\n\n{outcome[1]}\n\nYour "
                                    "changes are still here; try another folder.")
            return False
        self.doc.mark_saved(path)
        self.settings.add_recent(path)
        self.settings.set_last_folder("save", path)
        changed = f" ({'; '.join(notes)})" if notes else ""
        self.status.emit(f"Saved {path.name}{changed}", 8000 if notes else 5000)
        self.saved.emit(str(path))
        return True

    # ----- exporting a copy -----------------------------------------------------------------------
    def export(self, kind: str) -> Task | None:
        suffix, filters, label = EXPORTS[kind]
        if not self.doc.score.note_count:  # (as Export Audio says: a review exported empty
            self.status.emit("Nothing to export: the score is empty.", 6000)  # files)
            return None
        offered = self.offered_stem()
        source = self.doc.source
        if source is not None and kind_of(source) == kind_of(Path(offered + suffix)) and \
                not self.doc.tune_title:
            # (not the opened file's own name: a review's Enter would have replaced the
            # original, only Qt's "replace?" between)
            offered += " (edited)"
        path = self.dialogs.ask_save_path(f"Export {label}", filters, offered + suffix)
        if path is None:
            return None
        if not path.suffix:
            path = path.with_suffix(suffix)
        return self.export_to(path)

    def export_to(self, path: str | Path) -> Task:
        """Write a copy in the background; the document keeps its own file and modified state.
        Ends in ``exported`` or a message."""
        path = Path(path)
        notes: list[str] = []  # what notation had to change (the writer says), for the status bar
        score = self.doc.score
        if kind_of(path) in NOTATION:  # notation needs a key signature; MIDI keeps the score
            score = with_heard_key(score, notes)
        task = Task(lambda _ctx: export_checked(score, path, notes))
        task.finished.connect(lambda lost: self._exported(path, notes, lost))
        task.failed.connect(lambda message: self._export_failed(path, message))
        self.status.emit(f"Exporting {path.name}…", 0)
        return task.start()

    def export_audio(self) -> Task | None:
        if not self.doc.score.note_count:
            self.status.emit("Nothing to export: the score is empty.", 6000)
            return None
        if not self.doc.score.audible().note_count:
            self.status.emit("Nothing to export: every part with notes is muted or left out by "
                             "Solo.", 6000)
            return None
        path = self.dialogs.ask_save_path("Export Audio", WAV_FILTER,
                                          self.offered_stem() + ".wav")
        if path is None:
            return None
        if not path.suffix:
            path = path.with_suffix(".wav")
        return self.export_audio_to(path)

    def export_audio_to(self, path: str | Path) -> Task | None:
        """Render what playback hears (muted parts left out, only the soloed ones when any is,
        as a DAW's bounce) with the built-in synth and write a WAV, in the background, with
        progress in the status bar. Ends in ``exported`` or a message (and no file)."""
        from composer_gui.audio.render import render_wav

        path = Path(path)
        if self._audio_export is not None:
            self.status.emit("An audio export is already running.", 5000)
            return None
        score = self.doc.score.audible()
        silent = [f"{part_label(p.name, i)} ({'muted' if p.muted else 'not soloed'})"
                  for i, (p, heard) in enumerate(zip(self.doc.score.parts, score.parts,
                                                     strict=True)) if p.notes and not heard.notes]
        warnings = [f"left out {', '.join(silent)}"] if silent else []
        task = Task(lambda ctx: render_wav(score, path, report=ctx.report,
                                           cancelled=lambda: ctx.cancelled, warnings=warnings))
        task.progress.connect(lambda done: self.status.emit(
            f"Exporting {path.name}… {round(100 * done[-1])}%", 0))
        task.finished.connect(lambda seconds: self._audio_exported(path, seconds, warnings))
        task.failed.connect(lambda message: self._audio_export_failed(path, message))
        task.cancelled.connect(lambda: self._audio_export_cancelled(path))
        self.status.emit(f"Exporting {path.name}…", 0)
        self._audio_export = task.start()
        return task

    def cancel_exports(self) -> None:
        """The window is closing: an audio export in flight writes nothing."""
        if self._audio_export is not None:
            self._audio_export.cancel()

    def _exported(self, path: Path, notes: list[str] | None = None,
                  lost: list[str] | None = None) -> None:
        """The status bar says what notation had to change (``notes``, from the writer) and
        what the written copy lost when read back (``lost``, music/fidelity.py)."""
        self.settings.set_last_folder("save", path)
        said = ([f"notation: {'; '.join(notes)}"] if notes else []) + (
            [f"the copy {'; '.join(lost)}"] if lost else [])
        if said:
            self.status.emit(f"Exported {path.name} ({'; '.join(said)})", 15_000)
        else:
            self.status.emit(f"Exported {path.name}", 5000)
        self.exported.emit(str(path))

    def _export_failed(self, path: Path, message: str) -> None:
        self.status.emit("", 0)
        self.dialogs.show_error("Export failed", f"Could not export {path.name}.\n\n{message}")
        self.exportFailed.emit(message)

    def _audio_exported(self, path: Path, seconds: float, warnings: list[str]) -> None:
        self._audio_export = None
        self.settings.set_last_folder("save", path)
        minutes, secs = divmod(round(seconds), 60)
        note = "".join(f"; {w}" for w in warnings)
        self.status.emit(f"Exported {path.name} ({minutes}:{secs:02d} of audio){note}",
                         15_000 if warnings else 8000)
        self.exported.emit(str(path))

    def _audio_export_failed(self, path: Path, message: str) -> None:
        self._audio_export = None
        self._export_failed(path, message)

    def _audio_export_cancelled(self, path: Path) -> None:
        self._audio_export = None
        self.status.emit(f"Export of {path.name} cancelled", 5000)

    # ----- recovery and clean-up --------------------------------------------------------------
    def load_recovered(self, name: str, score: Score, source: Path | None) -> None:
        """Make recovered work the document: modified, tied to the file it belongs to."""
        self.aboutToReplace.emit()
        self.doc.load(score, source, modified=True)
        self.replaced.emit(True)
        self.status.emit(f"Recovered {name}: {score.note_count} notes, not saved yet", 10_000)

    def clean_temporaries(self) -> Task:
        """At start-up: remove stale temporary files of ours beside the recent files."""
        folders = {Path(f).parent for f in self.settings.recent_files()}
        return Task(lambda _ctx: remove_our_temporaries(sorted(folders))).start()

    # ----- recent files ---------------------------------------------------------------------------
    def fill_recent_menu(self, menu: QMenu) -> None:
        menu.clear()
        files = self.settings.recent_files()
        for i, f in enumerate(files):
            act = menu.addAction(f"&{i + 1} {Path(f).name}")
            act.setToolTip(f)
            act.triggered.connect(lambda _c=False, f=f: self.open_path(f))
        if not files:
            menu.addAction("No recent files").setEnabled(False)
        menu.addSeparator()
        menu.addAction("Clear Menu", self.settings.clear_recent).setEnabled(bool(files))


def run_waiting(task: Task) -> tuple[str, object]:
    """Run ``task`` and wait for it without freezing: a local event loop paints and plays but
    ignores user input. Returns ('finished', result), ('failed', message) or ('cancelled', None)."""
    outcome: list[tuple[str, object]] = []
    loop = QEventLoop()

    def done(kind: str, value: object = None) -> None:
        outcome.append((kind, value))
        loop.quit()

    task.finished.connect(lambda result: done("finished", result))
    task.failed.connect(lambda message: done("failed", message))
    task.cancelled.connect(lambda: done("cancelled"))
    QGuiApplication.setOverrideCursor(QCursor(Qt.CursorShape.WaitCursor))
    try:
        task.start()
        if not outcome:
            loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    finally:
        QGuiApplication.restoreOverrideCursor()
    return outcome[0]


def project_path(path: Path) -> Path:
    """The project file Save As writes for a chosen name: "song" and "song.mid" both give
    "song.composer.json" (other formats are exports)."""
    if path.name.lower().endswith(PROJECT_SUFFIX):
        return path
    if kind_of(path):
        path = path.with_suffix("")
    return path.with_name(path.name + PROJECT_SUFFIX)


def remove_our_temporaries(folders) -> int:
    """Remove the stale temporary files our saves left in ``folders`` (a save killed midway);
    returns how many. For a worker: it lists folders."""
    def ours(name: str) -> bool:
        return name.lower().endswith(OUR_SUFFIXES)

    return sum(len(remove_stale_temporaries(folder, ours)) for folder in folders)


def stem(path: Path | None) -> str:
    """The name a file's copies are offered under ("Untitled" for a new score)."""
    if path is None:
        return "Untitled"
    name = path.name
    if name.lower().endswith(PROJECT_SUFFIX):
        return name[: -len(PROJECT_SUFFIX)]
    return path.stem
