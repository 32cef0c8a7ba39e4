"""The main window: layout, menus, toolbars, the status bar, the dialogs, and settings.

The work is done by controllers that the window creates and wires up; none of them imports the
window:

* ``files`` (:mod:`.files`): open, save, export; every read and write in a worker;
* ``edits`` (:mod:`.editing`): clipboard, delete, transpose, quantize;
* ``playback`` (:mod:`.playback`): the transport, recording and the MIDI ports;
* ``controller`` (:mod:`.generation`): Continue and its proposal.

Every action is named once in the table of ``_action_table`` and reached as ``window.act.NAME``.
Everything that would block (modal dialogs) goes through one small method each (``ask_*``,
``show_error``): the controllers call them through the ``files.Dialogs`` interface, and tests
replace them.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QToolBar,
    QWidget,
)

from composer_gui.ml.limits import KEY_LOCK
from composer_gui.music.marks import EDITABLE
from composer_gui.music.score import TPQ

from .about import AboutDialog
from .actions import ActionCollection, ActionSpec, adopt_undo_stack
from .autosave import Autosaver
from .continue_panel import AUDITION_TIP, ContinuePanel, scrolling
from .document import Document
from .editing import EditController
from .files import OPEN_FILTER, FileController
from .generation import Backend, ContinueController
from .header import ScoreHeader
from .labels import length_label, plural
from .open_progress import OpenProgress
from .parts_panel import add_parts_dock
from .piano_roll import PianoRoll
from .playback import PlaybackController
from .proposal import Proposal
from .roll_menu import RollMenu
from .score_view import add_score_dock
from .settings import APPLICATION, Settings
from .shortcuts import ShortcutsDialog
from .transport import Transport

TOOLS = (("select", "Select", "V"), ("draw", "Draw", "B"), ("erase", "Erase", "E"))
# the keys of Edit > Marks' staccato, accent, tenuto and trill (marks.EDITABLE): MuseScore's
MARK_KEYS = ("Shift+S", "Shift+V", "Shift+N", None)
MENU_DYNAMICS = ("pp", "p", "mp", "mf", "f", "ff")  # Edit > Dynamics


class MainWindow(QMainWindow):
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
        self.transport = transport if transport is not None else Transport(self)
        self.files = FileController(self.doc, self.settings, self, self)
        self.files.settle_pending = self._settle_proposal
        self.header.before_bars_change = self._settle_proposal  # (a new meter)
        self.autosave = Autosaver(self.doc, self.settings, self)
        self.open_progress = OpenProgress(self.files, self)  # "Opening…" with Cancel
        self.edits = EditController(self.doc, self.roll, self)
        self.edits.before_bars_change = self._settle_proposal  # (Set Upbeat)
        self.playback = PlaybackController(self.doc, self.proposal, self.controller, self.roll,
                                           self.transport, self)
        self._audio_started = False
        self._can_play = True  # something can play (audio or a MIDI output): _play_enabled

        self.setObjectName("mainWindow")
        self.setCentralWidget(self.roll)
        self.setAcceptDrops(True)
        dock = QDockWidget("Continue", self)
        dock.setObjectName("continueDock")
        dock.setWidget(scrolling(self.panel))  # the panel fits the smallest window
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.continue_dock = dock
        # (a part added, deleted or moved: a proposal on show is kept or discarded first, the
        # composer asked, as for New; a second review lost one to a click on Add)
        self.parts_dock = add_parts_dock(self, self.doc, self.roll, self._settle_proposal)
        self.score_dock = add_score_dock(self, self.doc, self.roll, self.transport,
                                         proposal=self.proposal)

        self.act = ActionCollection(self)
        self.act.build(self._action_table())
        adopt_undo_stack(self.act, self.doc.undo_stack)
        for name in ("undo", "redo"):  # (after the stack has acted)
            self.act[name].triggered.connect(lambda: QTimer.singleShot(0, self._music_in_view))
        self.act.put("score_view", self.score_dock.toggleViewAction())
        self.roll_menu = RollMenu(self.act, self.roll)
        # one tool at a time: pressing the checked one again leaves it checked (a review saw
        # Select and Draw both pressed, then neither matching the roll)
        self._tools = QActionGroup(self)
        self._tools.setExclusive(True)
        for name, _t, _k in TOOLS:
            self._tools.addAction(self.act["tool_" + name])
        self.act["tool_" + self.roll.tool.name].setChecked(True)
        self._make_menus()
        self._make_toolbars()
        self._make_status_bar()
        self._connect()
        self._tab_order()

        self._restore_settings()
        self._update_title()
        self._update_selection()
        self._update_actions()
        if self.settings.window_state()[0] is None:
            self.resize(1280, 780)
        QTimer.singleShot(0, self.controller.list_models)

    # ----- construction ---------------------------------------------------------------------------
    def _music_in_view(self) -> None:
        """After Undo or Redo, a roll left over empty bars shows where the music now ends (a
        review undid a Keep and was left looking at nothing)."""
        roll, score = self.roll, self.doc.score
        t0, t1 = roll.visible_ticks()
        if not score.note_count or len(roll.index.visible(t0, t1, 0, 127)):
            return
        end = max(n.start for n in score.notes)
        roll.scroll_to_tick(max(0, int(end - 0.75 * (t1 - t0))))

    def _tab_order(self) -> None:
        """Tab walks the window as it reads: the header's boxes, the Parts panel, the roll, the
        Continue panel (a review found the Parts panel reached after the Continue panel, and
        the header last)."""
        parts = self.parts_dock.widget().tab_chain()  # (the panel keeps its own order after)
        QWidget.setTabOrder(self.header.snap, parts[0])
        parts = self.parts_dock.widget().tab_chain()
        QWidget.setTabOrder(parts[-1], self.roll.canvas)
        QWidget.setTabOrder(self.roll.canvas, self.panel.model)

    def _action_table(self) -> list[ActionSpec]:
        S = QKeySequence.StandardKey
        f, e, p, c, roll = self.files, self.edits, self.playback, self.controller, self.roll
        t = self.transport
        A = ActionSpec
        table = [
            A("new", "&New", f.new_document, S.New, "Start an empty score"),
            A("open", "&Open…", f.open_dialog, S.Open,
              "Open a project, MIDI, MusicXML or ABC file"),
            A("save", "&Save", f.save, S.Save, "Save the project"),
            A("save_as", "Save &As…", f.save_as, S.SaveAs),
            A("credits", "&Title and Composer…", self._credits_dialog, None,
              "The title and composer that exports write (a continued file keeps its "
              "source's until you change them)"),
            A("export_midi", "&MIDI…", lambda: f.export("midi"), "Ctrl+E",
              "Write a MIDI copy (Save still writes the project)"),
            A("export_xml", "Music&XML…", lambda: f.export("musicxml"), "Ctrl+Shift+E",
              "Write a MusicXML copy for notation software (Save still writes the project)"),
            A("export_abc", "A&BC…", lambda: f.export("abc"), None,
              "Write an ABC copy, the notation folk musicians trade (Save still writes the "
              "project)"),
            A("export_audio", "&Audio (WAV)…", f.export_audio, "Ctrl+Alt+E",
              "Render the score with the built-in synth to a WAV file"),
            A("quit", "&Quit", self.close, S.Quit),
            A("cut", "Cu&t", e.cut, S.Cut),
            A("copy", "&Copy", e.copy, S.Copy),
            A("paste", "&Paste", e.paste, S.Paste, "Paste at the cursor"),
            A("duplicate", "D&uplicate", e.duplicate, "Ctrl+D",
              "Copy the selection right after itself"),
            A("select_all", "Select &All", e.select_all, S.SelectAll),
            A("select_none", "Select &None", e.select_none, "Ctrl+Shift+A"),
            A("delete", "&Delete", e.delete_selection, (S.Delete, Qt.Key.Key_Backspace)),
            A("transpose", "&Transpose…", self._transpose_dialog, "Ctrl+T",
              "Transpose the selection (or everything) by semitones"),
            A("up", "Up a Semitone", lambda: e.transpose(1), "Ctrl+Up"),
            A("down", "Down a Semitone", lambda: e.transpose(-1), "Ctrl+Down"),
            A("up8", "Up an Octave", lambda: e.transpose(12), "Ctrl+Shift+Up"),
            A("down8", "Down an Octave", lambda: e.transpose(-12), "Ctrl+Shift+Down"),
            A("upbeat", "Set &Upbeat…", self._upbeat_dialog, None,
              "Make the first notes an upbeat (a pickup bar) and move the bar lines to match: "
              "for a MIDI file whose upbeat was written as a full first bar"),
            A("quantize", "&Quantize", e.quantize, "Q",
              "Snap starts and ends of the selection (or everything) to the grid"),
            A("words", "&Words…", self._words_dialog, "Ctrl+L",
              "Type the words sung on the selected notes: one syllable a note, a hyphen "
              "between a word's syllables, _ for a note without one"),
            # (Ctrl+K, as MuseScore adds a chord symbol)
            A("chord", "Ch&ord Symbol…", self._chord_dialog, "Ctrl+K",
              "Type the chord symbol (Am7, G/B, N.C.) at the selection's first note, the beat "
              "right-clicked or the cursor's beat; empty clears it"),
            A("slur", "&Slur", lambda: e.toggle_mark("slur"), "S",
              "A slur over the selected notes from the first to the last, or take it away"),
            *(A(mark, mark.capitalize(), partial(e.toggle_mark, mark), key,
                f"Put a {mark} on each selected note, or take it off them all")
              for mark, key in zip(EDITABLE, MARK_KEYS, strict=True)),
            *(A(f"dynamic_{level}", level, partial(e.set_dynamic, level), None,
                f"Mark the selection's first note {level} and play the part at that level "
                "up to its next dynamic") for level in MENU_DYNAMICS),
            A("dynamic_none", "No Dynamic", partial(e.set_dynamic, None), None,
              "Take away the dynamic at the selection's first note"),
            A("crescendo", "&Crescendo", partial(e.toggle_mark, "crescendo"), None,
              "A crescendo hairpin under the selected notes, or take it away"),
            A("diminuendo", "&Diminuendo", partial(e.toggle_mark, "diminuendo"), None,
              "A diminuendo hairpin under the selected notes, or take it away"),
            A("pedal", "&Pedal", partial(e.toggle_mark, "pedal"), None,
              "The sustain pedal down from the selection's first chord to the end of its "
              "last, or take it away"),
            A("phrase_end", "Mark P&hrase End", e.toggle_phrase_end, "F",
              "Put a fermata on the end of the selection, or take it away (F): the models end "
              "their phrases where the sketch's end in the bar, and Harmonize closes each with "
              "a cadence"),
            # (Ctrl+= too: Ctrl++ needs Shift on a US keyboard, and a review found Ctrl+= dead)
            A("zoom_in", "Zoom &In", lambda: roll.zoom_x(1.25), (S.ZoomIn, "Ctrl+=")),
            A("zoom_out", "Zoom &Out", lambda: roll.zoom_x(0.8), S.ZoomOut),
            A("zoom_fit", "Zoom to &Fit", roll.zoom_to_fit, "Ctrl+0"),
            A("taller", "Taller Rows", lambda: roll.zoom_y(1.25), ("Ctrl+Alt+=", "Ctrl+Alt++")),
            A("shorter", "Shorter Rows", lambda: roll.zoom_y(0.8), "Ctrl+Alt+-"),
            A("continue", "&Continue", self.panel.start_continue, "Ctrl+Return",
              "Let the model write the next bars"),
            A("regenerate", "&Regenerate Selection", self.panel.start_regenerate,
              "Ctrl+Shift+Return", "Select some notes first: their span is rewritten, "
              "listening to what comes before and after it"),
            A("harmonize", "&Harmonize", self.panel.start_harmonize, "Ctrl+H",
              "Keep the selected melody (or the active part) and write the voices under it"),
            A("stop", "&Stop", c.stop, "Ctrl+.", "Stop generating"),
            # (the keys the roll takes for them, shown in the menu after a tab: not bound
            # here, where Enter and Esc belong to text fields and dialogs)
            A("keep", "&Keep Variation\tEnter", c.keep, None,
              "Add the variation on show (Enter in the roll)"),
            A("discard", "&Discard Proposal\tEsc", c.discard, None,
              "Throw the proposal away (Esc in the roll)"),
            A("play", "&Play", p.toggle_play, Qt.Key.Key_Space, "Play / stop from the cursor "
              "(Space)", checkable=True, state=lambda: t.playing),
            A("play_start", "Play from the &Start", p.play_from_start, "Shift+Space",
              "Play from the beginning (Shift+Space)"),
            A("loop", "&Loop", p.toggle_loop, "L", "Loop the bars of the selection, or the whole "
              "score (L); Shift+drag on the ruler loops any range", checkable=True,
              state=lambda: t.loop is not None),
            A("audition", "&Audition Proposal", p.audition_proposal, "P",
              "Play the variation on show in context, from the bar before it (P)"),
            A("record", "&Record", p.toggle_record, "Ctrl+R", "Record from a MIDI keyboard at "
              "the cursor (Ctrl+R; Space stops)", checkable=True, enabled=False,
              state=lambda: p.record_session.recording),
            A("count_in", "&Count In (One Bar)", None, None,
              "Click one bar before recording starts", checkable=True, checked=True),
            A("play_along", "&Play the Score While Recording", None, None,
              "Hear the sketch from the cursor while you record", checkable=True, checked=True),
            A("synth", "Play Through the Built-in &Synth", None, None,
              "Off: play to the MIDI output only", checkable=True, checked=True),
            A("midi_refresh", "Refresh MIDI &Ports", p.refresh_midi_ports, None,
              "Look for MIDI keyboards, synths and DAWs again"),
            A("midi_info", "", enabled=False),
            A("train_music", "&Train on My Music…", self._open_training, None,
              "Train a model on a folder of your MIDI, MusicXML or ABC files"),
            A("models", "&Models…", self._open_models, None,
              "The installed models with their cards and training curves"),
            A("about", "&About Composer", self.show_about),
            A("shortcuts", "&Keyboard Shortcuts", self.show_shortcuts, "F1",
              "Every shortcut of the window and the piano roll"),
        ]
        table += [A(f"tool_{name}", text, lambda n=name: roll.set_tool(n), key,
                    f"{text} tool ({key})", checkable=True) for name, text, key in TOOLS]
        return table

    def _make_menus(self) -> None:
        a, bar = self.act.all, self.menuBar()
        m = bar.addMenu("&File")
        m.addActions(a("new", "open"))
        self.recent_menu = m.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(lambda: self.files.fill_recent_menu(self.recent_menu))
        m.addSeparator()
        m.addActions(a("save", "save_as"))
        m.addSeparator()
        m.addActions(a("credits"))
        m.addMenu("&Export").addActions(a("export_midi", "export_xml", "export_abc",
                                          "export_audio"))
        m.addSeparator()
        m.addActions(a("quit"))
        m = bar.addMenu("&Edit")
        m.addActions(a("undo", "redo"))
        m.addSeparator()
        m.addActions(a("cut", "copy", "paste", "duplicate", "delete"))
        m.addSeparator()
        m.addActions(a("select_all", "select_none"))
        m.addSeparator()
        m.addActions(a("transpose", "up", "down", "up8", "down8", "quantize", "upbeat"))
        m.addSeparator()
        m.addActions(a("phrase_end", "words", "chord"))
        marks = m.addMenu("&Marks")
        marks.addActions(a("slur", *EDITABLE))
        marks.addSeparator()
        marks.addActions(a("pedal"))
        dynamics = m.addMenu("D&ynamics")
        dynamics.addActions(a(*(f"dynamic_{d}" for d in MENU_DYNAMICS), "dynamic_none"))
        dynamics.addSeparator()
        dynamics.addActions(a("crescendo", "diminuendo"))
        m = bar.addMenu("&View")
        m.addActions(a("zoom_in", "zoom_out", "zoom_fit", "taller", "shorter"))
        m.addSeparator()
        # (the dock's toggle named as a panel: a review read View > "Continue" beside Generate >
        # Continue)
        panel = self.continue_dock.toggleViewAction()
        panel.setText("Continue Panel")
        m.addAction(panel)
        m.addAction(self.parts_dock.toggleViewAction())
        m.addAction(self.act.score_view)
        m = bar.addMenu("&Tools")
        m.addActions(a(*(f"tool_{name}" for name, _t, _k in TOOLS)))
        m = bar.addMenu("&Generate")
        m.addActions(a("continue", "regenerate", "harmonize", "stop"))
        m.addSeparator()
        m.addActions(a("keep", "discard"))
        m = bar.addMenu("Mo&del")
        m.addActions(a("train_music", "models"))
        m = bar.addMenu("T&ransport")
        m.addActions(a("play", "play_start", "loop", "audition"))
        m = bar.addMenu("&MIDI")
        m.addActions(a("record", "count_in", "play_along"))
        m.addSeparator()
        m.addActions(a("synth"))
        m.addSeparator()
        m.addActions(a("midi_refresh", "midi_info"))
        self.act.midi_info.setVisible(False)
        self.midi_menu = m
        m = bar.addMenu("&Help")
        m.addActions(a("shortcuts", "about"))

    def _make_toolbars(self) -> None:
        a = self.act.all
        tb = QToolBar("Main", self)
        tb.setObjectName("mainToolBar")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for group in (("new", "open", "save"), ("undo", "redo"),
                      tuple(f"tool_{name}" for name, _t, _k in TOOLS), ("zoom_in", "zoom_out"),
                      ("continue", "stop"), ("play", "loop")):
            if tb.actions():
                tb.addSeparator()
            tb.addActions(a(*group))
        self.addToolBar(tb)
        self.addToolBarBreak()
        hb = QToolBar("Score", self)
        hb.setObjectName("scoreToolBar")
        hb.addWidget(self.header)
        self.addToolBar(hb)
        mb = QToolBar("MIDI", self)
        mb.setObjectName("midiToolBar")
        panel = self.playback.midi_panel
        panel.status.setWordWrap(False)
        panel.status.setMaximumWidth(320)
        mb.addWidget(panel)
        mb.addAction(self.act.record)
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
        # a message too long for the bar is read whole in its tooltip (a review saw "... 24
        # bars as written, 29 as playe" cut off under "Audio off")
        sb.messageChanged.connect(self._status_tip)

    def _connect(self) -> None:
        doc, roll, act = self.doc, self.roll, self.act
        doc.pathChanged.connect(self._update_title)
        doc.modifiedChanged.connect(lambda _m: self._update_title())
        doc.selectionChanged.connect(self._update_selection)
        doc.scoreChanged.connect(self._update_selection)
        doc.undo_stack.indexChanged.connect(lambda _i: self._update_selection())
        roll.hoverChanged.connect(self._show_position)
        roll.cursorChanged.connect(lambda _t: self._show_position(-1))
        roll.toolChanged.connect(lambda name: act["tool_" + name].setChecked(True))
        roll.keepRequested.connect(self.controller.keep)
        roll.discardRequested.connect(self.controller.discard)
        roll.contextMenuRequested.connect(self.roll_menu.popup)
        self.roll_menu.closed.connect(self._forget_menu_place)
        self.controller.failed.connect(
            lambda msg: self.show_error("Generation failed", f"{msg}\n\nYour notes are unchanged."))
        self.controller.runningChanged.connect(self._update_actions)
        self.proposal.changed.connect(self._update_actions)
        self.panel.message.connect(self._panel_message)  # (a method: gone with the window)
        self.panel.auditionRequested.connect(self.playback.audition_proposal)
        for source in (self.files, self.edits, self.playback, self.autosave):
            source.status.connect(self._show_status)
        # files
        self.files.aboutToAsk.connect(self.playback.stop_recording)
        self.files.aboutToReplace.connect(self.controller.discard)
        self.files.aboutToReplace.connect(self.playback.reset)
        self.files.replaced.connect(self._document_replaced)
        self.files.replaced.connect(lambda _from_file: self.panel.document_replaced())
        # sound
        p, t = self.playback, self.transport
        t.playingChanged.connect(act.play.setChecked)
        t.loopChanged.connect(lambda loop: act.loop.setChecked(loop is not None))
        act.synth.toggled.connect(t.set_synth_enabled)
        act.count_in.toggled.connect(lambda on: setattr(p, "count_in", on))
        act.play_along.toggled.connect(lambda on: setattr(p, "play_along", on))
        p.playEnabledChanged.connect(self._play_enabled)
        p.recordStateChanged.connect(self._record_state)
        p.midiInfoChanged.connect(self._midi_info)
        p.audioChanged.connect(self._audio_changed)
        p.portsWanted.connect(self.midi_toolbar.show)

    # ----- dialogs (the controllers' Dialogs; tests replace them) ---------------------------------
    def ask_unsaved_changes(self) -> str:
        """'save', 'discard' or 'cancel'."""
        box = QMessageBox(QMessageBox.Icon.Warning, APPLICATION,
                          f"Save changes to {self.doc.display_name}?", parent=self)
        box.setInformativeText("Your changes will be lost if you don't save them.")
        box.setStandardButtons(QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                               | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(
            QMessageBox.StandardButton(answer), "cancel")

    def ask_keep_proposal(self, what: str = "") -> str:
        """'keep', 'discard' or 'cancel': the variation on show, before New, Open, Quit, a
        part added, deleted or moved, or a new meter or upbeat (``what``: "quitting"; a review
        could not tell which of its clicks had asked)."""
        before = f" before {what}" if what else ""
        box = QMessageBox(QMessageBox.Icon.Question, APPLICATION,
                          f"Keep the variation on show{before}?", parent=self)
        box.setInformativeText("Continue's variations are not in the score until you keep "
                               "one; going on would discard them.")
        keep = box.addButton("Keep", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.exec()
        return {keep: "keep", discard: "discard"}.get(box.clickedButton(), "cancel")

    def _settle_proposal(self, what: str = "") -> bool:
        """A proposal on show is work too: kept (then the score's own question follows),
        discarded, or the composer stays (a review lost one to Ctrl+N without a word)."""
        if not self.proposal.active:
            return True
        choice = self.ask_keep_proposal(what)
        if choice == "keep":
            if not self.controller.keep():
                self.controller.discard()  # (a variation without notes: nothing to keep)
            return True
        if choice == "discard":
            self.controller.discard()
            return True
        return False

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def ask_open_path(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self, "Open", self.settings.last_folder("open"),
                                              OPEN_FILTER)
        return Path(name) if name else None

    def ask_tune(self, name: str, titles: list[str]) -> int | None:
        """Which tune of an ABC collection to open: its titles, numbered as its X: fields are."""
        items = [f"{i}. {title or 'Untitled'}" for i, title in enumerate(titles, 1)]
        item, ok = QInputDialog.getItem(self, "Open", f"{name} holds {len(titles)} tunes. "
                                        "Open which one?", items, 0, False)
        return items.index(item) if ok and item in items else None

    def ask_save_path(self, title: str, filters: str, suggested: str) -> Path | None:
        """Asks where to write ``suggested`` (a file name), starting in the document's own
        folder when it came from a file (a copy beside its source, as notation programs offer),
        else in the folder last saved to."""
        source = self.doc.path or self.doc.source
        folder = source.parent if source is not None and source.parent.is_dir() else Path(
            self.settings.last_folder("save"))
        start = str(folder / suggested)
        name, _ = QFileDialog.getSaveFileName(self, title, start, filters)
        return Path(name) if name else None

    def ask_words(self, now: str) -> str | None:
        text, ok = QInputDialog.getText(
            self, "Words", "The words sung on the selected notes, one syllable a note "
            "(Lob-ge-sang: a hyphen between syllables; _ skips a note):", text=now)
        return text if ok else None

    def ask_chord(self, now: str, where: str, problem: str = "") -> str | None:
        """The chord symbol to put at ``where`` ("bar 3, beat 2"), ``now`` the one there;
        ``problem``: why the text typed before was refused (the box opens again with it)."""
        label = (f"{problem}\n\n" if problem else "") + \
            f"The chord symbol at {where} (Am7, G/B, F#m7b5, D7(b9), N.C.; empty clears it):"
        text, ok = QInputDialog.getText(self, "Chord Symbol", label, text=now)
        return text if ok else None

    def ask_credits(self, title: str, composer: str) -> tuple[str, str] | None:
        """The score's title and composer, edited in one small form."""
        dialog = QDialog(self)
        dialog.setWindowTitle("Title and Composer")
        form = QFormLayout(dialog)
        fields = [QLineEdit(text) for text in (title, composer)]
        for label, field in zip(("&Title:", "&Composer:"), fields, strict=True):
            field.setMinimumWidth(320)
            form.addRow(label, field)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return fields[0].text(), fields[1].text()

    def ask_semitones(self) -> int | None:
        value, ok = QInputDialog.getInt(self, "Transpose", "Semitones (negative: down):", 0,
                                        -48, 48)
        return value if ok else None

    def show_about(self) -> QDialog:
        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_shortcuts(self) -> QDialog:
        dialog = ShortcutsDialog(self.act, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _open_training(self):  # ui/train_window.py (pyqtgraph is imported on first use)
        from .train_window import open_train_window

        return open_train_window(self, self.panel.refresh_models)

    def _open_models(self):  # ui/models_window.py
        from .models_window import open_models_window

        return open_models_window(self, self.panel.refresh_models)

    def upbeat_choices(self) -> list[tuple[str, int]]:
        """(label, ticks) of the upbeats the first meter allows, in eighths (sixteenths in
        a meter of sixteenths), "None" first."""
        meter = self.doc.score.time_signatures[0]
        step = min(4 * TPQ // meter.denominator, TPQ // 2)
        return [("None", 0)] + [(length_label(t), t) for t in range(step, meter.bar_ticks, step)]

    def _upbeat_dialog(self) -> None:
        choices = self.upbeat_choices()
        now = next((i for i, (_l, t) in enumerate(choices) if t == self.doc.score.upbeat), 0)
        label, ok = QInputDialog.getItem(self, "Set Upbeat", "The first notes are an upbeat of:",
                                         [c[0] for c in choices], now, False)
        if ok:
            self.edits.set_upbeat(dict(choices)[label])

    def _credits_dialog(self) -> None:
        score = self.doc.score
        answer = self.ask_credits(score.title, score.composer)
        if answer is not None:
            self.edits.set_credits(*answer)

    def _words_dialog(self) -> None:
        text = self.ask_words(self.edits.words_now())
        if text is not None:
            self.edits.set_words(text)

    def _chord_dialog(self) -> None:
        tick, text = self.edits.chord_place()
        bar, beat, _ = self.doc.score.position(tick)
        problem = ""
        while True:  # (text no chord can be read from: asked again, with the reason)
            answer = self.ask_chord(text, f"bar {bar}, beat {beat}", problem)
            if answer is None:
                return
            problem = self.edits.set_chord(tick, answer)
            if not problem:
                return
            text = answer

    def _forget_menu_place(self) -> None:
        self.roll.menu_tick = None

    def _transpose_dialog(self) -> None:
        n = self.ask_semitones()
        if n:
            self.edits.transpose(n)

    # ----- display --------------------------------------------------------------------------------
    def _show_status(self, text: str, ms: int) -> None:
        if text:
            self.statusBar().showMessage(text, ms)
        else:
            self.statusBar().clearMessage()

    def _document_replaced(self, from_file: bool) -> None:
        self.roll.set_cursor_tick(0, force=True)
        if from_file:
            self.roll.zoom_to_fit()
        else:
            self.roll.scroll_to_tick(0)

    def _update_title(self) -> None:
        mark = "*" if self.doc.modified else ""
        self.setWindowTitle(f"{self.doc.display_name}{mark} — {APPLICATION}")

    def _update_selection(self) -> None:
        n = len(self.doc.selection)
        total = len(self.roll.index)
        self.selection_label.setText(f"{n} of {plural(total, 'note')} selected" if n
                                     else plural(total, "note"))
        for act in self.act.all("cut", "copy", "duplicate", "delete", "phrase_end", "words",
                                "slur", *EDITABLE, *(f"dynamic_{d}" for d in MENU_DYNAMICS),
                                "dynamic_none", "crescendo", "diminuendo", "pedal"):
            act.setEnabled(bool(n))
        self._update_regenerate()

    def _status_tip(self, text: str) -> None:
        self.statusBar().setToolTip(text)

    def _panel_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _update_regenerate(self) -> None:
        # (as the panel's button: nothing selected, nothing to regenerate; a review found the
        # menu's item on while the button was off)
        self.act.regenerate.setEnabled(bool(self.doc.selection) and not self.controller.running)
        # ... and Harmonize as its button: a melody to harmonize (a review found the menu's on
        # in an empty window)
        self.act.harmonize.setEnabled(not self.controller.running and any(
            p.notes for p in self.doc.score.parts if not p.is_drum))

    def _show_position(self, tick: int) -> None:
        score = self.doc.score
        cursor = score.position(self.roll.cursor_tick)
        text = f"Cursor {cursor[0]}.{cursor[1]}"
        if tick >= 0:
            bar, beat, _ = score.position(max(0, tick))
            text = f"Bar {bar}.{beat}   ·   {text}"
        self.position_label.setText(text)

    def _update_actions(self, *_args) -> None:
        self.act.stop.setEnabled(self.controller.running)
        active = self.proposal.active
        self.act.discard.setEnabled(active)
        # (heard only where something can play it: a review found Play in Context enabled
        # with no audio device, doing nothing)
        self.act.audition.setEnabled(active and self._can_play)
        self.act.keep.setEnabled(active and bool(self.proposal.notes()))  # (not an empty one)
        self._update_regenerate()
        self.panel.audition_button.setEnabled(active and self._can_play)

    def _play_enabled(self, can: bool, tip: str) -> None:
        self._can_play = can
        for act in self.act.all("play", "play_start"):
            act.setEnabled(can)
        self.act.play.setToolTip(tip)
        self.panel.audition_button.setToolTip(AUDITION_TIP if can else tip)
        self._update_actions()

    def _record_state(self, can: bool, recording: bool, tip: str) -> None:
        self.act.record.setEnabled(can)
        self.act.record.setChecked(recording)
        self.act.record.setToolTip(tip)

    def _midi_info(self, why: str) -> None:
        self.act.midi_info.setText(why)
        self.act.midi_info.setVisible(bool(why))

    def _audio_changed(self, ok: bool, reason: str) -> None:
        self.audio_label.setVisible(not ok)
        self.audio_label.setToolTip(f"Playback is off: {reason}. Choose a MIDI output to play "
                                    "to a synth or DAW; File > Export > Audio still works."
                                    if reason else "")

    # ----- settings and closing -------------------------------------------------------------------
    def _restore_settings(self) -> None:
        geometry, state = self.settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        get = self.settings.get
        self.header.set_snap_index(int(get("editor/snap", 2, int)))
        p = self.panel
        p.bars.setValue(int(get("continue/bars", p.bars.value(), int)))
        p.temperature.setValue(float(get("continue/temperature", p.temperature.value(), float)))
        p.variations.setValue(int(get("continue/variations", p.variations.value(), int)))
        p.set_key_locks({kind: bool(get(f"continue/keyLock/{kind}", default, bool))
                         for kind, default in KEY_LOCK.items()})
        self.act.count_in.setChecked(bool(get("midi/countIn", True, bool)))
        self.act.play_along.setChecked(bool(get("midi/playAlong", True, bool)))

    def save_settings(self) -> None:
        self.settings.set_window_state(self.saveGeometry(), self.saveState())
        self.settings.set("editor/snap", self.header.snap.currentIndex())
        p = self.panel
        self.settings.set("continue/bars", p.bars.value())
        self.settings.set("continue/temperature", p.temperature.value())
        self.settings.set("continue/variations", p.variations.value())
        for kind, locked in p.key_locks().items():
            self.settings.set(f"continue/keyLock/{kind}", locked)
        self.settings.set("midi/countIn", self.act.count_in.isChecked())
        self.settings.set("midi/playAlong", self.act.play_along.isChecked())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.maybe_discard("quitting"):  # a take in progress joins it first
            event.ignore()
            return
        self.controller.discard()
        self.files.cancel_exports()
        self.autosave.close()  # saved or discarded: the autosave goes
        self.playback.shutdown()
        self.score_dock.widget().close_backend()
        self.save_settings()
        event.accept()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._audio_started:
            self._audio_started = True
            QTimer.singleShot(0, self.playback.start_audio)

    # drag a file onto the window to open it
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.files.open_path(urls[0]))
