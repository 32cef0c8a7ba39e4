"""The main window: menus, toolbars, the roll, the Continue panel, file handling and settings,
and the sound: the transport (play, loop, audition), MIDI in and out, and WAV export.

Everything that would block (modal dialogs) goes through one small method each (``ask_*``,
``show_error``) so tests can replace them. Files are read and audio is exported in worker threads.

What plays is what the roll shows: the document, plus the variation on show while a Continue
proposal is up (``playback_score``). The playhead follows the transport's audio clock; the cursor is
where edits go and where playback starts, and moving it moves the playhead.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QToolBar,
    QWidget,
)

from composer_gui.audio.midi_io import MidiOutput, MidiUnavailable
from composer_gui.music.errors import ScoreFileError
from composer_gui.music.formats import READABLE, load_score, save_score
from composer_gui.music.project import SUFFIX as PROJECT_SUFFIX
from composer_gui.music.score import Note, Score

from . import undo
from .about import AboutDialog
from .clipboard import NoteClipboard
from .continue_panel import ContinuePanel
from .document import Document, NoteKey
from .generation import Backend, ContinueController
from .header import ScoreHeader
from .midi_io_panel import MidiPortsPanel, MidiRecordSession
from .piano_roll import PianoRoll
from .proposal import Proposal
from .settings import Settings
from .transport import Transport
from .workers import Task, TaskContext

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
WAV_FILTER = "WAV audio (*.wav)"
AUDITION_VELOCITY = 100


class MainWindow(QMainWindow):
    fileOpened = Signal(str)  # after a file was read and became the document
    openFailed = Signal(str)  # the message shown
    saved = Signal(str)
    exported = Signal(str)
    exportFailed = Signal(str)

    def __init__(self, settings: Settings | None = None, backend: Backend | None = None,
                 parent: QWidget | None = None, *, transport: Transport | None = None) -> None:
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
        # sound
        self.transport = transport if transport is not None else Transport(self)
        self.midi_panel = MidiPortsPanel(refresh=False)
        self.record_session = MidiRecordSession(self, transport=self.transport)
        self.midi_out = None  # the open MidiOutput, if one is chosen
        self.open_midi_output = MidiOutput  # tests replace it
        self._audio_ok: bool | None = None  # None: not probed yet
        self._audio_started = False
        self._auditioning = False  # "Audition Proposal" is playing
        self._score_stale = False  # the proposal changed while the transport was not told
        self._record_part = 0
        self._audio_export: Task | None = None
        self._ports_task: Task | None = None

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
        self._connect_sound()

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
        # sound
        self.act_export_audio = a("Export &Audio (WAV)…", self.export_audio, K("Ctrl+Alt+E"),
                                  "Render the score with the built-in synth to a WAV file")
        self.act_play = a("&Play", self.toggle_play, K(Qt.Key.Key_Space),
                          "Play / stop from the cursor (Space)")
        self.act_play.setCheckable(True)
        self.act_play_start = a("Play from the &Start", self.play_from_start, K("Shift+Space"),
                                "Play from the beginning (Shift+Space)")
        self.act_loop = a("&Loop", self.toggle_loop, K("L"),
                          "Loop the bars of the selection, or the whole score (L); "
                          "Shift+drag on the ruler loops any range")
        self.act_loop.setCheckable(True)
        self.act_audition = a("&Audition Proposal", self.audition_proposal, K("P"),
                              "Play the variation on show in context, from the bar before it (P)")
        self.act_record = a("&Record", self.toggle_record, K("Ctrl+R"),
                            "Record from a MIDI keyboard at the cursor (Ctrl+R; Space stops)")
        self.act_record.setCheckable(True)
        self.act_record.setEnabled(False)
        self.act_count_in = self._toggle("&Count In (One Bar)", True,
                                         "Click one bar before recording starts")
        self.act_play_along = self._toggle("&Play the Score While Recording", True,
                                           "Hear the sketch from the cursor while you record")
        self.act_synth = self._toggle("Play Through the Built-in &Synth", True,
                                      "Off: play to the MIDI output only")
        self.act_synth.toggled.connect(self.transport.set_synth_enabled)
        self.act_midi_refresh = a("Refresh MIDI &Ports", self.refresh_midi_ports, None,
                                  "Look for MIDI keyboards, synths and DAWs again")
        self.act_midi_info = QAction("", self)
        self.act_midi_info.setEnabled(False)
        self.act_midi_info.setVisible(False)
        self.act_about = a("&About Composer", self.show_about)

    def _toggle(self, text: str, checked: bool, tip: str) -> QAction:
        action = QAction(text, self)
        action.setCheckable(True)
        action.setChecked(checked)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        return action

    def _make_menus(self) -> None:
        bar = self.menuBar()
        m = bar.addMenu("&File")
        m.addActions([self.act_new, self.act_open])
        self.recent_menu = m.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        m.addSeparator()
        m.addActions([self.act_save, self.act_save_as])
        m.addSeparator()
        m.addActions([self.act_export_midi, self.act_export_xml, self.act_export_audio])
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
        m = bar.addMenu("T&ransport")
        m.addActions([self.act_play, self.act_play_start, self.act_loop, self.act_audition])
        m = bar.addMenu("&MIDI")
        m.addActions([self.act_record, self.act_count_in, self.act_play_along])
        m.addSeparator()
        m.addAction(self.act_synth)
        m.addSeparator()
        m.addActions([self.act_midi_refresh, self.act_midi_info])
        self.midi_menu = m
        m = bar.addMenu("&Help")
        m.addAction(self.act_about)

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
        tb.addSeparator()
        tb.addActions([self.act_play, self.act_loop])
        self.addToolBar(tb)
        self.addToolBarBreak()
        hb = QToolBar("Score", self)
        hb.setObjectName("scoreToolBar")
        hb.addWidget(self.header)
        self.addToolBar(hb)
        mb = QToolBar("MIDI", self)
        mb.setObjectName("midiToolBar")
        self.midi_panel.status.setWordWrap(False)
        self.midi_panel.status.setMaximumWidth(320)
        mb.addWidget(self.midi_panel)
        mb.addAction(self.act_record)
        self.addToolBar(Qt.ToolBarArea.BottomToolBarArea, mb)
        mb.hide()  # shown from the MIDI menu or by Record (the saved layout may show it)
        self.midi_toolbar = mb
        show = mb.toggleViewAction()
        show.setText("Show MIDI &Ports")
        show.setStatusTip("Choose the MIDI keyboard to record from and the MIDI output to play to")
        self.midi_menu.addAction(show)

    def _make_status_bar(self) -> None:
        sb = self.statusBar()
        self.position_label = QLabel()
        self.selection_label = QLabel()
        self.position_label.setMinimumWidth(130)
        self.audio_label = QLabel("Audio off")
        self.audio_label.setObjectName("audioOff")
        self.audio_label.setVisible(False)
        sb.addPermanentWidget(self.audio_label)
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

    def show_about(self) -> QDialog:
        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

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
        self.stop_recording()
        if not self.maybe_discard():
            return False
        self.controller.discard()
        self._reset_transport()
        self.doc.load(Score())
        self.roll.set_cursor_tick(0, force=True)
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
        self.stop_recording()
        if not self.maybe_discard():
            return None
        self.settings.set_last_folder("open", path)
        warnings: list[str] = []
        task = Task(lambda _ctx: load_score(path, warnings))
        edits_before = self.doc.undo_stack.index()
        task.finished.connect(lambda score: self._opened(task, path, score, warnings, edits_before))
        task.failed.connect(lambda message: self._open_failed(task, path, message))
        self.statusBar().showMessage(f"Opening {path.name}…")
        self._loading = task.start()
        return task

    def _opened(self, task: Task, path: Path, score: Score, warnings: list[str],
                edits_before: int) -> None:
        if task is not self._loading:
            return  # a later Open superseded this one
        self._loading = None
        # the window stays editable while a slow file loads: edits made meanwhile need asking again
        if self.doc.undo_stack.index() != edits_before and not self.maybe_discard():
            self.statusBar().showMessage(f"Did not open {path.name}: kept your edits", 8000)
            return
        self.controller.discard()
        self._reset_transport()
        if not score.title:
            score = replace(score, title=_stem(path))
        self.doc.load(score, path)
        self.settings.add_recent(path)
        self.roll.set_cursor_tick(0, force=True)
        self.roll.zoom_to_fit()
        note = f" ({'; '.join(warnings)})" if warnings else ""
        self.statusBar().showMessage(f"Opened {path.name}: {score.note_count} notes{note}", 8000)
        self.fileOpened.emit(str(path))

    def _open_failed(self, task: Task, path: Path, message: str) -> None:
        if task is not self._loading:
            return
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
            self.doc.push(undo.delete_command(self.doc, keys, f"Cut {len(keys)} notes"))

    def paste(self) -> None:
        notes = self.clipboard.notes()
        if not notes:
            return
        at = self.roll.cursor_tick
        parts = self.doc.score.parts

        def part_for(p: int) -> int:
            return p if p < len(parts) and not parts[p].is_drum else self.roll.active_part

        keys = [(part_for(p), replace(n, start=n.start + at)) for p, n in notes]
        self.doc.push(undo.add_command(self.doc, keys, f"Paste {len(keys)} notes"))
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
        self.doc.push(undo.add_command(self.doc, new, f"Duplicate {len(keys)} notes"))

    def select_all(self) -> None:
        self.doc.set_selection(self.roll.index.keys)

    def delete_selection(self) -> None:
        self.doc.push(undo.delete_command(self.doc, self.doc.selected_notes()))

    def transpose_dialog(self) -> None:
        n = self.ask_semitones()
        if n:
            self.transpose(n)

    def transpose(self, semitones: int) -> None:
        try:
            self.doc.push(undo.transpose_command(self.doc, self._targets(), semitones))
        except ValueError as exc:
            self.statusBar().showMessage(f"Cannot transpose: {exc}", 6000)

    def quantize(self) -> None:
        self.doc.push(undo.quantize_command(self.doc, self._targets(), self.roll.grid_step()))

    # ----- sound: wiring --------------------------------------------------------------------------
    def _connect_sound(self) -> None:
        t, roll = self.transport, self.roll
        t.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        t.availableChanged.connect(self._audio_available)
        t.playingChanged.connect(self._playing_changed)
        t.positionChanged.connect(self._playhead_moved)
        t.loopChanged.connect(self._loop_changed)
        roll.playRequested.connect(self.toggle_play)
        roll.cursorChanged.connect(t.set_position)
        roll.noteAuditioned.connect(self.audition)
        roll.loopRequested.connect(t.set_loop)
        self.doc.scoreChanged.connect(self._sync_playback_score)
        self.proposal.changed.connect(self._proposal_changed)
        self.proposal.activeChanged.connect(self._variation_changed)
        self.controller.runningChanged.connect(self._generation_running)
        self.panel.auditionRequested.connect(self.audition_proposal)
        self.midi_panel.outputChanged.connect(self._output_chosen)
        self.midi_panel.portsShown.connect(self._midi_ports_shown)
        rs = self.record_session
        rs.notesChanged.connect(self.roll.set_take)
        rs.finished.connect(self._take_finished)
        rs.countIn.connect(self._count_in)
        rs.recordingChanged.connect(self._recording_changed)
        rs.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        t.set_score(self.doc.score)

    def _start_audio(self) -> None:
        """Once the window shows: find out whether audio can play (the status bar says why not),
        load the SoundFont in a worker and open the device, and list the MIDI ports in a worker,
        so that neither delays the first paint."""
        t = self.transport
        if t.available and not t.has_synth:
            from composer_gui.audio.render import default_synth

            task = Task(lambda _ctx: default_synth())
            task.finished.connect(lambda _synth: self.transport.preload())
            task.failed.connect(lambda _msg: self.transport.preload())  # preload says why
            task.start()
        elif t.available:
            t.preload()
        self.refresh_midi_ports()

    def _audio_available(self, ok: bool) -> None:
        self._audio_ok = ok
        reason = "" if ok else self.transport.unavailable_reason
        self.audio_label.setVisible(not ok)
        self.audio_label.setToolTip(f"Playback is off: {reason}. Choose a MIDI output to play "
                                    "to a synth or DAW; File > Export Audio still works."
                                    if reason else "")
        self._update_play_enabled()

    def _update_play_enabled(self) -> None:
        can = self._audio_ok is not False or self.midi_out is not None
        for act in (self.act_play, self.act_play_start):
            act.setEnabled(can)
        if can:
            self.act_play.setToolTip("Play / stop from the cursor (Space)")
        else:
            self.act_play.setToolTip(f"Playback is off: {self.transport.unavailable_reason}")

    # ----- sound: what plays ----------------------------------------------------------------------
    def playback_score(self) -> Score:
        """What Play plays: the document, with the variation on show while a proposal is up (in
        place of the notes it would replace), so that what is heard is what the roll shows."""
        prop = self.proposal
        score = self.doc.score
        if not prop.active:
            return score
        added = [(prop.part, n) for n in prop.notes()]
        removed = undo.region_notes(score, *prop.region) if prop.region else []
        return undo.apply_note_diff(score, removed, added)

    def _sync_playback_score(self) -> None:
        self._score_stale = False
        score = self.playback_score()
        if score is not self.transport.score and score != self.transport.score:
            self.transport.set_score(score)  # while playing: heard from the playhead on

    def _proposal_changed(self) -> None:
        # notes arrive in batches while generating: a playing transport restarts on each new
        # score, so it hears them when the generation ends (or a variation is picked)
        if self.transport.playing and not self.controller.running:
            self._sync_playback_score()
        else:
            self._score_stale = True

    def _variation_changed(self, variation: int) -> None:
        if variation < 0:  # kept or discarded: what plays is the document again
            self._auditioning = False
        if not (self.controller.running and self.transport.playing):
            self._sync_playback_score()

    def _generation_running(self, running: bool) -> None:
        if not running and self.transport.playing:
            self._sync_playback_score()

    def _part_sound(self) -> tuple[int, int, bool]:
        """(part, program, is drum) of the part new notes go to."""
        parts = self.doc.score.parts
        i = self.roll.active_part
        if 0 <= i < len(parts):
            return i, parts[i].program, parts[i].is_drum
        return i, 0, False

    # ----- sound: transport -----------------------------------------------------------------------
    def play(self, from_tick: int | None = None) -> bool:
        """Play from ``from_tick`` (default: the transport's position: the cursor, or where
        playback stopped)."""
        if self._score_stale:
            self._sync_playback_score()
        return self.transport.play(from_tick)

    def toggle_play(self) -> None:
        if self.record_session.recording:
            self.stop_recording()
        elif self.transport.playing:
            self.transport.stop()
        else:
            self.play()
        self.act_play.setChecked(self.transport.playing)

    def play_from_start(self) -> None:
        self.play(0)
        self.act_play.setChecked(self.transport.playing)

    def audition(self, pitch: int) -> bool:
        """Sound a pitch in the current part's instrument (a clicked key, a drawn or moved
        note)."""
        _, program, drum = self._part_sound()
        return self.transport.audition(pitch, AUDITION_VELOCITY, program, drum=drum)

    def audition_proposal(self) -> bool:
        """Play the variation on show with the sketch, from the bar before it; again: stop.
        Flipping variations while it plays switches what is heard at the playhead."""
        prop = self.proposal
        if self._auditioning and self.transport.playing:
            self.transport.stop()
            return False
        if not prop.active:
            self.statusBar().showMessage("No proposal to hear: press Continue first.", 6000)
            return False
        score = self.doc.score
        start = prop.region[0] if prop.region else prop.start_tick
        bar = score.bar_at(max(0, start))
        from_tick = score.bar_start(max(0, bar - 1))
        self._sync_playback_score()
        ok = self.transport.play(from_tick)
        self._auditioning = ok
        if ok:
            self.statusBar().showMessage(
                f"Playing variation {prop.current + 1} in context (P stops; 1–8 or Tab switch)",
                6000)
        return ok

    def loop_region(self) -> tuple[int, int] | None:
        """Whole bars around the selection, else around the whole score; None when empty."""
        score = self.doc.score
        keys = self.doc.selection
        if keys:
            first = min(n.start for _, n in keys)
            last = max(n.end for _, n in keys)
        elif score.note_count:
            first, last = 0, score.end_tick
        else:
            return None
        start = score.bar_start(score.bar_at(first))
        end = score.bar_end(score.bar_at(max(first, last - 1)))
        return start, end

    def toggle_loop(self) -> None:
        if self.transport.loop is not None:
            self.transport.clear_loop()
        else:
            region = self.loop_region()
            if region is None:
                self.statusBar().showMessage("Nothing to loop: the score is empty.", 6000)
            else:
                self.transport.set_loop(*region)
                a, b = (self.doc.score.bar_at(t) + 1 for t in (region[0], region[1] - 1))
                bars = f"bar {a}" if a == b else f"bars {a}–{b}"
                self.statusBar().showMessage(f"Looping {bars}", 5000)
        self.act_loop.setChecked(self.transport.loop is not None)

    def _loop_changed(self, loop) -> None:
        self.roll.set_loop_range(loop)
        self.act_loop.setChecked(loop is not None)

    def _playing_changed(self, playing: bool) -> None:
        self.act_play.setChecked(playing)
        if not playing:
            self._auditioning = False
        self._playhead_moved(self.transport.position)

    def _playhead_moved(self, tick: int) -> None:
        playing = self.transport.playing
        # stopped on the cursor: the cursor says it all (the playhead would hide it)
        self.roll.set_playhead(tick if playing or tick != self.roll.cursor_tick else None)
        if playing:
            self.roll.follow(tick)

    def _reset_transport(self) -> None:
        """A new document: silence, no loop, the playhead back to the start."""
        self.transport.stop()
        self.transport.clear_loop()
        self.transport.set_position(0)

    # ----- sound: export audio --------------------------------------------------------------------
    def export_audio(self) -> Task | None:
        if not self.doc.score.note_count:
            self.statusBar().showMessage("Nothing to export: the score is empty.", 6000)
            return None
        suggested = (_stem(self.doc.source) if self.doc.source else "Untitled") + ".wav"
        path = self.ask_save_path("Export Audio", WAV_FILTER, suggested)
        if path is None:
            return None
        if not path.suffix:
            path = path.with_suffix(".wav")
        return self.export_audio_to(path)

    def export_audio_to(self, path: str | Path) -> Task | None:
        """Render the document with the built-in synth and write a WAV, in the background, with
        progress in the status bar. Ends in ``exported`` or a message (and no file)."""
        path = Path(path)
        if self._audio_export is not None:
            self.statusBar().showMessage("An audio export is already running.", 5000)
            return None
        score = self.doc.score
        task = Task(lambda ctx: render_wav(score, path, ctx))
        task.progress.connect(lambda done: self.statusBar().showMessage(
            f"Exporting {path.name}… {round(100 * done[-1])}%"))
        task.finished.connect(lambda seconds: self._audio_exported(path, seconds))
        task.failed.connect(lambda message: self._audio_export_failed(path, message))
        task.cancelled.connect(lambda: self._audio_export_cancelled(path))
        self.statusBar().showMessage(f"Exporting {path.name}…")
        self._audio_export = task.start()
        return task

    def _audio_exported(self, path: Path, seconds: float) -> None:
        self._audio_export = None
        self.settings.set_last_folder("save", path)
        minutes, secs = divmod(round(seconds), 60)
        self.statusBar().showMessage(f"Exported {path.name} ({minutes}:{secs:02d} of audio)", 8000)
        self.exported.emit(str(path))

    def _audio_export_failed(self, path: Path, message: str) -> None:
        self._audio_export = None
        self._export_failed(path, message)

    def _audio_export_cancelled(self, path: Path) -> None:
        self._audio_export = None  # the window is closing: nothing was written
        self.statusBar().showMessage(f"Export of {path.name} cancelled", 5000)

    # ----- sound: MIDI ports ----------------------------------------------------------------------
    def refresh_midi_ports(self) -> Task | None:
        """List the MIDI ports in a worker (the first look opens the MIDI system)."""
        if self._ports_task is not None:
            return None
        task = Task(lambda _ctx: MidiPortsPanel.list_ports())
        task.finished.connect(self._ports_listed)
        task.failed.connect(lambda message: self._ports_listed(
            (([], message), ([], message))))
        self._ports_task = task.start()
        return task

    def _ports_listed(self, ports) -> None:
        self._ports_task = None
        self.midi_panel.show_ports(*ports)

    def _midi_ports_shown(self) -> None:
        panel = self.midi_panel
        why = panel.message
        has_inputs = panel.inputs.count() > 1
        self.act_record.setEnabled(has_inputs or self.record_session.recording)
        self.act_record.setToolTip("Record from a MIDI keyboard at the cursor (Ctrl+R; Space "
                                   "stops)" if has_inputs else f"Recording needs a MIDI "
                                   f"keyboard: {why or 'none found'}")
        self.act_midi_info.setText(why)
        self.act_midi_info.setVisible(bool(why))
        current = getattr(self.midi_out, "name", "") if self.midi_out is not None else ""
        if panel.output_name != current:  # the chosen port went away
            self._output_chosen(panel.output_name)

    def _output_chosen(self, name: str) -> None:
        """Send playback (and auditioned notes) to the MIDI output ``name`` ('' : none)."""
        port = None
        if name:
            try:
                port = self.open_midi_output(name)
            except MidiUnavailable as exc:
                self.statusBar().showMessage(str(exc), 8000)
                combo = self.midi_panel.outputs
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)
        old, self.midi_out = self.midi_out, port
        self.transport.set_midi_output(port)  # stops the old player: its notes are silenced
        if old is not None:
            _close_port(old)
        self._update_play_enabled()
        if port is not None:
            self.statusBar().showMessage(f"Playing to the MIDI output {name}", 5000)

    def _close_midi_output(self) -> None:
        if self.midi_out is not None:
            old, self.midi_out = self.midi_out, None
            self.transport.set_midi_output(None)
            _close_port(old)

    # ----- sound: recording -----------------------------------------------------------------------
    def toggle_record(self) -> None:
        if self.record_session.recording:
            self.stop_recording()
        else:
            self.start_recording()
        self.act_record.setChecked(self.record_session.recording)

    def start_recording(self) -> bool:
        """Record a take from the chosen MIDI input at the cursor, quantized to the grid; the
        take becomes one undo step when recording stops."""
        panel = self.midi_panel
        name = panel.input_name
        if not name:
            inputs = [panel.inputs.itemText(i) for i in range(1, panel.inputs.count())]
            if len(inputs) != 1:
                why = panel.message or "choose the keyboard under MIDI in"
                self.statusBar().showMessage(f"Cannot record: {why}.", 8000)
                self.midi_toolbar.show()
                return False
            name = inputs[0]
            panel.inputs.setCurrentText(name)
        if self.transport.playing:
            self.transport.stop()
        score = self.doc.score
        cursor = self.roll.cursor_tick
        ts = score.time_signature_at(cursor)
        beats = ts.bar_ticks // ts.beat_ticks if self.act_count_in.isChecked() else 0
        part, program, _drum = self._part_sound()
        self._record_part = part
        return self.record_session.start(
            name, score, cursor, self.roll.grid_step(), count_in_beats=beats, program=program,
            play_along=self.act_play_along.isChecked() and cursor < score.end_tick)

    def stop_recording(self) -> None:
        if self.record_session.recording:
            self.record_session.stop()

    def _count_in(self, beats_left: int) -> None:
        if beats_left:
            self.statusBar().showMessage(f"Count-in… {beats_left}")
        else:
            self.statusBar().showMessage("Recording… (Space or Ctrl+R stops)")

    def _recording_changed(self, recording: bool) -> None:
        self.act_record.setChecked(recording)
        if recording:
            self.act_record.setEnabled(True)
        else:
            self._midi_ports_shown()

    def _take_finished(self, notes: list[Note]) -> None:
        self.roll.set_take(None)
        if not notes:
            self.statusBar().showMessage("Nothing was recorded.", 5000)
            return
        part = self._record_part
        n = len(notes)
        self.doc.push(undo.add_command(self.doc, [(part, note) for note in notes],
                                           f"Record {n} note{'s' if n != 1 else ''}"))
        self.statusBar().showMessage(f"Recorded {n} note{'s' if n != 1 else ''}", 6000)

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
        self.act_audition.setEnabled(active)
        self.panel.audition_button.setEnabled(active)

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
        self.act_count_in.setChecked(bool(self.settings.get("midi/countIn", True, bool)))
        self.act_play_along.setChecked(bool(self.settings.get("midi/playAlong", True, bool)))

    def save_settings(self) -> None:
        self.settings.set_window_state(self.saveGeometry(), self.saveState())
        self.settings.set("editor/snap", self.header.snap.currentIndex())
        p = self.panel
        self.settings.set("continue/bars", p.bars.value())
        self.settings.set("continue/temperature", p.temperature.value())
        self.settings.set("continue/variations", p.variations.value())
        self.settings.set("continue/keyLock", p.key_lock.isChecked())
        self.settings.set("midi/countIn", self.act_count_in.isChecked())
        self.settings.set("midi/playAlong", self.act_play_along.isChecked())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop_recording()  # the take joins the document before asking about saving
        if not self.maybe_discard():
            event.ignore()
            return
        self.controller.discard()
        if self._audio_export is not None:
            self._audio_export.cancel()
        self.transport.shutdown()
        self._close_midi_output()
        self.save_settings()
        event.accept()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._audio_started:
            self._audio_started = True
            QTimer.singleShot(0, self._start_audio)

    # drag a file onto the window to open it
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.open_path(urls[0]))


def render_wav(score: Score, path: Path, ctx: TaskContext | None = None,
               sample_rate: int = 44100) -> float:
    """Render ``score`` with the default SoundFont and write a WAV (atomically); returns its
    length in seconds. Runs in a worker: reports progress (0..1) and stops when cancelled, before
    anything is written. The same samples as ``render.render_score``, in blocks."""
    from composer_gui.audio.render import ScoreStream, default_synth, write_wav

    synth = default_synth(sample_rate)
    stream = ScoreStream.for_score(score, synth)
    blocks = []
    block = 10 * sample_rate
    while stream.remaining > 0:
        if ctx is not None and ctx.cancelled:
            return 0.0
        blocks.append(stream.read(block))
        if ctx is not None:
            ctx.report(stream.position / max(1, stream.length))
    pcm = np.concatenate(blocks) if blocks else np.zeros((0, 2), np.float32)
    write_wav(path, pcm, sample_rate)
    return len(pcm) / sample_rate


def _close_port(port) -> None:
    try:
        port.close()
    except Exception:  # a port that vanished (unplugged) cannot be closed twice
        log.warning("closing a MIDI port failed", exc_info=True)


def _stem(path: Path | None) -> str:
    if path is None:
        return "Untitled"
    name = path.name
    if name.lower().endswith(PROJECT_SUFFIX):
        return name[: -len(PROJECT_SUFFIX)]
    return path.stem
