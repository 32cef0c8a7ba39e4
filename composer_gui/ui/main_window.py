"""The main window: menus, toolbars, the roll, the Continue panel, file handling and settings.

Everything that would block (modal dialogs) goes through one small method each (``ask_*``,
``show_error``) so tests can replace them. Files are read in a worker thread.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QToolBar,
    QWidget,
)

from composer_gui.music.errors import ScoreFileError
from composer_gui.music.formats import READABLE, load_score, save_score
from composer_gui.music.score import Score

from . import commands
from .clipboard import NoteClipboard
from .continue_panel import ContinuePanel
from .document import PROJECT_SUFFIX, Document, NoteKey
from .generation import Backend, ContinueController
from .header import ScoreHeader
from .piano_roll import PianoRoll
from .proposal import Proposal
from .settings import Settings
from .workers import Task

log = logging.getLogger(__name__)

APP_NAME = "Composer"
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
SAVE_FILTER = ";;".join([PROJECT_FILTER, MIDI_FILTER, MUSICXML_FILTER])
SAVABLE_SUFFIXES = (".mid", ".midi", ".musicxml", ".xml", ".mxl")


class MainWindow(QMainWindow):
    fileOpened = Signal(str)  # after a file was read and became the document
    openFailed = Signal(str)  # the message shown
    saved = Signal(str)
    exported = Signal(str)
    exportFailed = Signal(str)

    def __init__(self, settings: Settings | None = None, backend: Backend | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings if settings is not None else Settings()
        self.doc = Document(parent=self)
        self.proposal = Proposal(self)
        self.roll = PianoRoll(self.doc, self.proposal)
        self.controller = ContinueController(self.doc, self.proposal, backend, self)
        self.panel = ContinuePanel(self.controller, self.roll)
        self.header = ScoreHeader(self.doc, self.roll)
        self.clipboard = NoteClipboard()
        self._loading: Task | None = None

        self.setObjectName("mainWindow")
        self.setCentralWidget(self.roll)
        self.setAcceptDrops(True)
        dock = QDockWidget("Continue", self)
        dock.setObjectName("continueDock")
        dock.setWidget(self.panel)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.continue_dock = dock

        self._make_actions()
        self._make_menus()
        self._make_toolbars()
        self._make_status_bar()

        self.doc.pathChanged.connect(self._update_title)
        self.doc.modifiedChanged.connect(lambda _m: self._update_title())
        self.doc.selectionChanged.connect(self._update_selection)
        self.doc.scoreChanged.connect(self._update_selection)
        self.doc.undo_stack.indexChanged.connect(lambda _i: self._update_selection())
        self.roll.hoverChanged.connect(self._show_position)
        self.roll.cursorChanged.connect(lambda _t: self._show_position(-1))
        self.roll.toolChanged.connect(self._tool_changed)
        self.roll.keepRequested.connect(self.controller.keep)
        self.roll.discardRequested.connect(self.controller.discard)
        self.controller.failed.connect(
            lambda msg: self.show_error("Generation failed", f"{msg}\n\nYour notes are unchanged."))
        self.controller.runningChanged.connect(self._update_actions)
        self.proposal.changed.connect(self._update_actions)
        self.panel.message.connect(lambda text: self.statusBar().showMessage(text, 8000))

        self._restore_settings()
        self._update_title()
        self._update_selection()
        self._update_actions()
        if self.settings.window_state()[0] is None:
            self.resize(1280, 780)
        QTimer.singleShot(0, self.controller.list_models)

    # ----- construction ---------------------------------------------------------------------------
    def _action(self, text: str, slot, shortcut=None, tip: str = "",
                context=Qt.ShortcutContext.WindowShortcut) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, list):
                action.setShortcuts(shortcut)
            else:
                action.setShortcut(shortcut)
        action.setShortcutContext(context)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        K = QKeySequence
        S = K.StandardKey
        a = self._action
        self.act_new = a("&New", self.new_document, S.New, "Start an empty score")
        self.act_open = a("&Open…", self.open_dialog, S.Open,
                          "Open a project, MIDI, MusicXML or ABC file")
        self.act_save = a("&Save", self.save, S.Save, "Save the project")
        self.act_save_as = a("Save &As…", self.save_as, S.SaveAs)
        self.act_export_midi = a("Export &MIDI…", lambda: self.export("midi"), K("Ctrl+E"))
        self.act_export_xml = a("Export Music&XML…", lambda: self.export("musicxml"),
                                K("Ctrl+Shift+E"))
        self.act_quit = a("&Quit", self.close, S.Quit)
        stack = self.doc.undo_stack
        self.act_undo = stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcut(S.Undo)
        self.act_redo = stack.createRedoAction(self, "&Redo")
        self.act_redo.setShortcuts([K("Ctrl+Shift+Z"), K("Ctrl+Y")])
        self.addActions([self.act_undo, self.act_redo])
        self.act_cut = a("Cu&t", self.cut, S.Cut)
        self.act_copy = a("&Copy", self.copy, S.Copy)
        self.act_paste = a("&Paste", self.paste, S.Paste, "Paste at the cursor")
        self.act_duplicate = a("D&uplicate", self.duplicate, K("Ctrl+D"),
                               "Copy the selection right after itself")
        self.act_select_all = a("Select &All", self.select_all, S.SelectAll)
        self.act_select_none = a("Select &None", lambda: self.doc.set_selection(()),
                                 K("Ctrl+Shift+A"))
        self.act_delete = a("&Delete", self.delete_selection, [K(K.StandardKey.Delete),
                                                               K(Qt.Key.Key_Backspace)])
        self.act_transpose = a("&Transpose…", self.transpose_dialog, K("Ctrl+T"),
                               "Transpose the selection (or everything) by semitones")
        self.act_up = a("Up a Semitone", lambda: self.transpose(1), K("Ctrl+Up"))
        self.act_down = a("Down a Semitone", lambda: self.transpose(-1), K("Ctrl+Down"))
        self.act_up8 = a("Up an Octave", lambda: self.transpose(12), K("Ctrl+Shift+Up"))
        self.act_down8 = a("Down an Octave", lambda: self.transpose(-12), K("Ctrl+Shift+Down"))
        self.act_quantize = a("&Quantize", self.quantize, K("Q"),
                              "Snap starts and ends of the selection (or everything) to the grid")
        self.act_zoom_in = a("Zoom &In", lambda: self.roll.zoom_x(1.25), S.ZoomIn)
        self.act_zoom_out = a("Zoom &Out", lambda: self.roll.zoom_x(0.8), S.ZoomOut)
        self.act_zoom_fit = a("Zoom to &Fit", self.roll.zoom_to_fit, K("Ctrl+0"))
        self.act_taller = a("Taller Rows", lambda: self.roll.zoom_y(1.25), K("Ctrl+Alt+="))
        self.act_shorter = a("Shorter Rows", lambda: self.roll.zoom_y(0.8), K("Ctrl+Alt+-"))
        self.tool_group = QActionGroup(self)
        self.tool_actions: dict[str, QAction] = {}
        for name, text, key in (("select", "Select", "V"), ("draw", "Draw", "B"),
                                ("erase", "Erase", "E")):
            act = a(text, lambda n=name: self.roll.set_tool(n), K(key),
                    f"{text} tool ({key})")
            act.setCheckable(True)
            self.tool_group.addAction(act)
            self.tool_actions[name] = act
        self.tool_actions[self.roll.tool.name].setChecked(True)
        self.act_continue = a("&Continue", self.panel.start_continue, K("Ctrl+Return"),
                              "Let the model write the next bars")
        self.act_regenerate = a("&Regenerate Selection", self.panel.start_regenerate,
                                K("Ctrl+Shift+Return"))
        self.act_stop = a("&Stop", self.controller.stop, K("Ctrl+."), "Stop generating")
        self.act_keep = a("&Keep Variation", self.controller.keep, None,
                          "Add the variation on show (Enter in the roll)")
        self.act_discard = a("&Discard Proposal", self.controller.discard, None,
                             "Throw the proposal away (Esc in the roll)")

    def _make_menus(self) -> None:
        bar = self.menuBar()
        m = bar.addMenu("&File")
        m.addActions([self.act_new, self.act_open])
        self.recent_menu = m.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        m.addSeparator()
        m.addActions([self.act_save, self.act_save_as])
        m.addSeparator()
        m.addActions([self.act_export_midi, self.act_export_xml])
        m.addSeparator()
        m.addAction(self.act_quit)
        m = bar.addMenu("&Edit")
        m.addActions([self.act_undo, self.act_redo])
        m.addSeparator()
        m.addActions([self.act_cut, self.act_copy, self.act_paste, self.act_duplicate,
                      self.act_delete])
        m.addSeparator()
        m.addActions([self.act_select_all, self.act_select_none])
        m.addSeparator()
        m.addActions([self.act_transpose, self.act_up, self.act_down, self.act_up8,
                      self.act_down8, self.act_quantize])
        m = bar.addMenu("&View")
        m.addActions([self.act_zoom_in, self.act_zoom_out, self.act_zoom_fit, self.act_taller,
                      self.act_shorter])
        m.addSeparator()
        m.addAction(self.continue_dock.toggleViewAction())
        m = bar.addMenu("&Tools")
        m.addActions(list(self.tool_actions.values()))
        m = bar.addMenu("&Generate")
        m.addActions([self.act_continue, self.act_regenerate, self.act_stop])
        m.addSeparator()
        m.addActions([self.act_keep, self.act_discard])

    def _make_toolbars(self) -> None:
        tb = QToolBar("Main", self)
        tb.setObjectName("mainToolBar")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        tb.addActions([self.act_new, self.act_open, self.act_save])
        tb.addSeparator()
        tb.addActions([self.act_undo, self.act_redo])
        tb.addSeparator()
        tb.addActions(list(self.tool_actions.values()))
        tb.addSeparator()
        tb.addActions([self.act_zoom_in, self.act_zoom_out])
        tb.addSeparator()
        tb.addActions([self.act_continue, self.act_stop])
        self.addToolBar(tb)
        self.addToolBarBreak()
        hb = QToolBar("Score", self)
        hb.setObjectName("scoreToolBar")
        hb.addWidget(self.header)
        self.addToolBar(hb)

    def _make_status_bar(self) -> None:
        sb = self.statusBar()
        self.position_label = QLabel()
        self.selection_label = QLabel()
        self.position_label.setMinimumWidth(130)
        sb.addPermanentWidget(self.position_label)
        sb.addPermanentWidget(self.selection_label)

    # ----- things tests replace -------------------------------------------------------------------
    def ask_unsaved_changes(self) -> str:
        """'save', 'discard' or 'cancel'."""
        box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME,
                          f"Save changes to {self.doc.display_name}?", parent=self)
        box.setInformativeText("Your changes will be lost if you don't save them.")
        box.setStandardButtons(QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                               | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(
            QMessageBox.StandardButton(answer), "cancel")

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def ask_open_path(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self, "Open", self.settings.last_folder("open"),
                                              OPEN_FILTER)
        return Path(name) if name else None

    def ask_save_path(self, title: str, filters: str, suggested: str) -> Path | None:
        start = str(Path(self.settings.last_folder("save")) / suggested)
        name, _ = QFileDialog.getSaveFileName(self, title, start, filters)
        return Path(name) if name else None

    def ask_semitones(self) -> int | None:
        value, ok = QInputDialog.getInt(self, "Transpose", "Semitones (negative: down):", 0,
                                        -48, 48)
        return value if ok else None

    # ----- files --------------------------------------------------------------------------------
    def maybe_discard(self) -> bool:
        """True when the current document may be replaced (saved, discarded or unmodified)."""
        if not self.doc.modified:
            return True
        choice = self.ask_unsaved_changes()
        if choice == "save":
            return self.save()
        return choice == "discard"

    def new_document(self) -> bool:
        if not self.maybe_discard():
            return False
        self.controller.discard()
        self.doc.load(Score())
        self.roll.set_cursor_tick(0)
        self.roll.scroll_to_tick(0)
        return True

    def open_dialog(self) -> None:
        path = self.ask_open_path()
        if path is not None:
            self.open_path(path)

    def open_path(self, path: str | Path) -> Task | None:
        """Read a file in the background; on success it becomes the document (after asking about
        unsaved changes), on failure a message shows and the document is untouched."""
        path = Path(path)
        if not self.maybe_discard():
            return None
        self.settings.set_last_folder("open", path)
        warnings: list[str] = []
        task = Task(lambda _ctx: load_score(path, warnings))
        task.finished.connect(lambda score: self._opened(path, score, warnings))
        task.failed.connect(lambda message: self._open_failed(path, message))
        self.statusBar().showMessage(f"Opening {path.name}…")
        self._loading = task.start()
        return task

    def _opened(self, path: Path, score: Score, warnings: list[str]) -> None:
        self._loading = None
        self.controller.discard()
        if not score.title:
            score = replace(score, title=_stem(path))
        self.doc.load(score, path)
        self.settings.add_recent(path)
        self.roll.set_cursor_tick(0)
        self.roll.zoom_to_fit()
        note = f" ({'; '.join(warnings)})" if warnings else ""
        self.statusBar().showMessage(f"Opened {path.name}: {score.note_count} notes{note}", 8000)
        self.fileOpened.emit(str(path))

    def _open_failed(self, path: Path, message: str) -> None:
        self._loading = None
        self.statusBar().clearMessage()
        text = f"Could not open {path.name}.\n\n{message}"
        if not path.exists():
            self.settings.remove_recent(path)
        self.show_error("Open failed", text)
        self.openFailed.emit(text)

    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as()
        return self.save_to(self.doc.path)

    def save_as(self) -> bool:
        suggested = _stem(self.doc.source) if self.doc.source else "Untitled"
        path = self.ask_save_path("Save As", SAVE_FILTER, suggested + PROJECT_SUFFIX)
        if path is None:
            return False
        if not (path.name.lower().endswith(PROJECT_SUFFIX)
                or path.suffix.lower() in SAVABLE_SUFFIXES):
            path = path.with_name(path.name + PROJECT_SUFFIX)
        return self.save_to(path)

    def save_to(self, path: str | Path) -> bool:
        """Write the document; a failure is reported and the document stays modified."""
        path = Path(path)
        try:
            save_score(self.doc.score, path)
        except ScoreFileError as exc:
            self.show_error("Save failed", f"Could not save.\n\n{exc}\n\nYour changes are still "
                            "here; try another folder.")
            return False
        self.doc.mark_saved(path)
        self.settings.add_recent(path)
        self.settings.set_last_folder("save", path)
        self.statusBar().showMessage(f"Saved {path.name}", 5000)
        self.saved.emit(str(path))
        return True

    def export(self, kind: str) -> Task | None:
        suffix, filters = {"midi": (".mid", MIDI_FILTER),
                           "musicxml": (".musicxml", MUSICXML_FILTER)}[kind]
        suggested = (_stem(self.doc.source) if self.doc.source else "Untitled") + suffix
        path = self.ask_save_path(f"Export {'MIDI' if kind == 'midi' else 'MusicXML'}", filters,
                                  suggested)
        if path is None:
            return None
        if not path.suffix:
            path = path.with_suffix(suffix)
        return self.export_to(path)

    def export_to(self, path: str | Path) -> Task:
        """Write a copy in the background (MusicXML goes through music21, slow to import); the
        document keeps its own file and modified state. Ends in ``exported`` or a message."""
        path = Path(path)
        score = self.doc.score
        task = Task(lambda _ctx: save_score(score, path))
        task.finished.connect(lambda _r: self._exported(path))
        task.failed.connect(lambda message: self._export_failed(path, message))
        self.statusBar().showMessage(f"Exporting {path.name}…")
        return task.start()

    def _exported(self, path: Path) -> None:
        self.settings.set_last_folder("save", path)
        self.statusBar().showMessage(f"Exported {path.name}", 5000)
        self.exported.emit(str(path))

    def _export_failed(self, path: Path, message: str) -> None:
        self.statusBar().clearMessage()
        self.show_error("Export failed", f"Could not export {path.name}.\n\n{message}")
        self.exportFailed.emit(message)

    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
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

    # ----- edits --------------------------------------------------------------------------------
    def _targets(self) -> list[NoteKey]:
        """The selection, or every pitched note when nothing is selected."""
        if self.doc.selection:
            return list(self.doc.selection)
        return list(self.roll.index.keys)

    def copy(self) -> None:
        self.clipboard.copy(self.doc.selected_notes())

    def cut(self) -> None:
        keys = self.doc.selected_notes()
        if keys:
            self.clipboard.copy(keys)
            self.doc.push(commands.delete_command(self.doc, keys, f"Cut {len(keys)} notes"))

    def paste(self) -> None:
        notes = self.clipboard.notes()
        if not notes:
            return
        at = self.roll.cursor_tick
        parts = self.doc.score.parts

        def part_for(p: int) -> int:
            return p if p < len(parts) and not parts[p].is_drum else self.roll.active_part

        keys = [(part_for(p), replace(n, start=n.start + at)) for p, n in notes]
        self.doc.push(commands.add_command(self.doc, keys, f"Paste {len(keys)} notes"))
        self.roll.set_cursor_tick(max(n.end for _, n in keys))
        self.roll.ensure_visible(at)

    def duplicate(self) -> None:
        keys = self.doc.selected_notes()
        if not keys:
            return
        first = min(n.start for _, n in keys)
        last = max(n.end for _, n in keys)
        step = self.roll.grid_step()
        offset = max(step, -(-(last - first) // step) * step)
        new = [(p, replace(n, start=n.start + offset)) for p, n in keys]
        self.doc.push(commands.add_command(self.doc, new, f"Duplicate {len(keys)} notes"))

    def select_all(self) -> None:
        self.doc.set_selection(self.roll.index.keys)

    def delete_selection(self) -> None:
        self.doc.push(commands.delete_command(self.doc, self.doc.selected_notes()))

    def transpose_dialog(self) -> None:
        n = self.ask_semitones()
        if n:
            self.transpose(n)

    def transpose(self, semitones: int) -> None:
        try:
            self.doc.push(commands.transpose_command(self.doc, self._targets(), semitones))
        except ValueError as exc:
            self.statusBar().showMessage(f"Cannot transpose: {exc}", 6000)

    def quantize(self) -> None:
        self.doc.push(commands.quantize_command(self.doc, self._targets(), self.roll.grid_step()))

    # ----- display --------------------------------------------------------------------------------
    def _update_title(self) -> None:
        mark = "*" if self.doc.modified else ""
        self.setWindowTitle(f"{self.doc.display_name}{mark} — {APP_NAME}")

    def _update_selection(self) -> None:
        n = len(self.doc.selection)
        total = len(self.roll.index)
        self.selection_label.setText(f"{n} of {total} notes selected" if n
                                     else f"{total} notes")
        has = bool(n)
        for act in (self.act_cut, self.act_copy, self.act_duplicate, self.act_delete):
            act.setEnabled(has)

    def _show_position(self, tick: int) -> None:
        score = self.doc.score
        cursor = score.position(self.roll.cursor_tick)
        text = f"Cursor {cursor[0]}.{cursor[1]}"
        if tick >= 0:
            bar, beat, _ = score.position(max(0, tick))
            text = f"Bar {bar}.{beat}   ·   {text}"
        self.position_label.setText(text)

    def _tool_changed(self, name: str) -> None:
        self.tool_actions[name].setChecked(True)

    def _update_actions(self, *_args) -> None:
        running = self.controller.running
        self.act_stop.setEnabled(running)
        active = self.proposal.active
        self.act_keep.setEnabled(active)
        self.act_discard.setEnabled(active)

    # ----- settings and closing -------------------------------------------------------------------
    def _restore_settings(self) -> None:
        geometry, state = self.settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        self.header.set_snap_index(int(self.settings.get("editor/snap", 2, int)))
        p = self.panel
        p.bars.setValue(int(self.settings.get("continue/bars", p.bars.value(), int)))
        p.temperature.setValue(float(self.settings.get("continue/temperature",
                                                       p.temperature.value(), float)))
        p.variations.setValue(int(self.settings.get("continue/variations", p.variations.value(),
                                                    int)))
        p.key_lock.setChecked(bool(self.settings.get("continue/keyLock", True, bool)))

    def save_settings(self) -> None:
        self.settings.set_window_state(self.saveGeometry(), self.saveState())
        self.settings.set("editor/snap", self.header.snap.currentIndex())
        p = self.panel
        self.settings.set("continue/bars", p.bars.value())
        self.settings.set("continue/temperature", p.temperature.value())
        self.settings.set("continue/variations", p.variations.value())
        self.settings.set("continue/keyLock", p.key_lock.isChecked())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_discard():
            event.ignore()
            return
        self.controller.discard()
        self.save_settings()
        event.accept()

    # drag a file onto the window to open it
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.open_path(urls[0]))


def _stem(path: Path | None) -> str:
    if path is None:
        return "Untitled"
    name = path.name
    if name.lower().endswith(PROJECT_SUFFIX):
        return name[: -len(PROJECT_SUFFIX)]
    return path.stem
