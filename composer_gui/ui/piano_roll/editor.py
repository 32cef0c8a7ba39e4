"""PianoRoll: the editor widget. Puts the strips together, owns the state they share (the Qt-free
``view``, a :class:`ViewState`; the geometry; the note index and the selection mask) and is the
strips' Qt-facing API: its methods and signals are what the window uses.

Layout (one QGridLayout)::

    corner    | ruler
    keyboard  | canvas          | vertical scroll bar
    "Vel"     | velocity lane
              | horizontal scroll bar
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QScrollBar, QSizePolicy, QWidget

from composer_gui.music import edits, limits
from composer_gui.music.edits import NoteKey
from composer_gui.music.score import TPQ, Note

from .. import style, undo
from ..document import Document
from ..labels import part_label
from ..proposal import KEYED_VARIATIONS, Proposal
from ..view_state import Preview, Snap, ViewState
from .canvas import NoteCanvas
from .geometry import MIN_ROW, RollGeometry
from .keyboard import DRUM_WIDTH as KEYBOARD_DRUM_WIDTH
from .keyboard import WIDTH as KEYBOARD_WIDTH
from .keyboard import Keyboard
from .note_index import NoteIndex
from .ruler import Ruler
from .strip import Strip
from .tools import DrawTool, EraseTool, SelectTool, Tool
from .velocity import VelocityLane

MIN_BARS = 16
CORNER_FONT_PX = 11  # the active part's name in the corner
SCROLL_MAX = 2**31 - 1  # QScrollBar holds a C int

# The keys handle_key knows (the window's actions have the rest): Help > Keyboard Shortcuts.
ROLL_KEYS: tuple[tuple[str, str], ...] = (
    ("Move the selection by a grid step / a semitone", "Arrows"),
    ("Move the selection by an octave", "Shift+Up, Shift+Down"),
    ("Clear the selection, cancel a drag", "Esc"),
    ("Cursor to the start / the end", "Home, End"),
    ("Keep the variation on show", "Enter"),
    ("Discard the proposal (after a drag or a selection is ended)", "Esc"),
    ("Show variation 1..8 / the next one / the one before", "1..8, Tab, Shift+Tab"),
    ("Place freely (no snapping) while dragging", "Alt"),
    ("Zoom time / rows", "Ctrl+Wheel, Ctrl+Shift+Wheel"),
)


class PianoRoll(QWidget):
    hoverChanged = Signal(int)  # tick under the mouse, -1 when it leaves
    noteAuditioned = Signal(int)  # a pitch to sound (keyboard click, drawing, moving)
    toolChanged = Signal(str)
    cursorChanged = Signal(int)
    keepRequested = Signal()  # Enter while a proposal shows
    discardRequested = Signal()  # Esc while a proposal shows
    playRequested = Signal()  # Space
    loopRequested = Signal(int, int)  # Shift+drag on the ruler: loop [start, end)
    activePartChanged = Signal(int)  # the part new notes go to
    hiddenPartsChanged = Signal(object)  # frozenset of the parts not shown
    contextMenuRequested = Signal(QPoint)  # a right-click that edits nothing (global position)

    def __init__(self, doc: Document, proposal: Proposal | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.proposal = proposal if proposal is not None else Proposal(self)
        self.geo = RollGeometry(parent=self)
        self.view = ViewState()
        self.index = NoteIndex(doc.score)
        self.sel_mask = np.zeros(0, bool)
        self.doomed_mask = np.zeros(0, bool)  # notes the proposal on show would replace
        self.proposal_keys: list[NoteKey] = []  # its notes, each in the part it goes to
        self._doomed_for: tuple | None = None
        # while the right-click menu shows: the note's start or the beat it was opened on
        # (where Set Chord Symbol puts its chord); None otherwise
        self.menu_tick: int | None = None

        self.canvas = NoteCanvas(self)
        self.keyboard = Keyboard(self)
        self.ruler = Ruler(self)
        self.velocity = VelocityLane(self)
        self.strips: tuple[Strip, ...] = (self.canvas, self.keyboard, self.ruler, self.velocity)
        self.hbar = QScrollBar(Qt.Orientation.Horizontal)
        self.vbar = QScrollBar(Qt.Orientation.Vertical)
        vel_label = QLabel("Vel")
        vel_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        vel_label.setFixedWidth(self.keyboard.width())
        vel_label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        corner = QLabel()  # names the active part, in its colour
        corner.setObjectName("activePartLabel")
        corner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        corner.setFixedSize(self.keyboard.width(), self.ruler.height())
        self.corner, self.vel_label = corner, vel_label

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(0)
        grid.addWidget(corner, 0, 0)
        grid.addWidget(self.ruler, 0, 1)
        grid.addWidget(self.keyboard, 1, 0)
        grid.addWidget(self.canvas, 1, 1)
        grid.addWidget(self.vbar, 1, 2)
        grid.addWidget(vel_label, 2, 0)
        grid.addWidget(self.velocity, 2, 1)
        grid.addWidget(self.hbar, 3, 1)
        grid.setRowStretch(1, 1)
        grid.setColumnStretch(1, 1)

        self.tools: dict[str, Tool] = {
            "select": SelectTool(self), "draw": DrawTool(self), "erase": EraseTool(self),
        }
        self.tool: Tool = self.tools["draw"]
        self.canvas.setCursor(self.tool.cursor)

        self.hbar.valueChanged.connect(lambda v: self.geo.set_offsets(x_off=v))
        self.vbar.valueChanged.connect(lambda v: self.geo.set_offsets(y_off=v))
        self.geo.changed.connect(self._on_geometry)
        self.view.listen(self._on_view)
        doc.scoreChanged.connect(self._on_score)
        doc.partsMoved.connect(self._on_parts_moved)
        doc.selectionChanged.connect(self._on_selection)
        self.proposal.changed.connect(self._on_proposal)
        self.keyboard.pressed.connect(self.noteAuditioned)
        self._on_score()
        self.center_on_pitch(64)

    # ----- view state (the state lives in self.view; these are its Qt-facing setters) -----------
    @property
    def cursor_tick(self) -> int:
        return self.view.cursor_tick

    @property
    def playhead(self) -> int | None:
        return self.view.playhead

    @property
    def loop_range(self) -> tuple[int, int] | None:
        return self.view.loop_range

    @property
    def take(self) -> list[Note]:
        return self.view.take

    @property
    def snap(self) -> Snap:
        return self.view.snap

    @property
    def active_part(self) -> int:
        return self.view.active_part

    @active_part.setter
    def active_part(self, part: int) -> None:
        part = max(0, min(int(part), len(self.doc.score.parts) - 1))
        if part in self.view.hidden_parts:  # drawing into a hidden part would show nothing
            self.view.hidden_parts = self.view.hidden_parts - {part}
        self.view.active_part = part

    @property
    def hidden_parts(self) -> frozenset[int]:
        return self.view.hidden_parts

    def set_part_hidden(self, part: int, hidden: bool) -> None:
        """Hide or show a part's notes (the active part is never hidden)."""
        if hidden and part != self.view.active_part:
            self.view.hidden_parts = self.view.hidden_parts | {part}
        elif not hidden:
            self.view.hidden_parts = self.view.hidden_parts - {part}

    def active_is_drum(self) -> bool:
        parts = self.doc.score.parts
        return 0 <= self.active_part < len(parts) and parts[self.active_part].is_drum

    def grid_step(self) -> int:
        return self.view.snap.step

    def snap_tick(self, tick: float, modifiers=Qt.KeyboardModifier.NoModifier, *,
                  floor: bool = False) -> int:
        """Snap to the grid unless snapping is off or Alt is held."""
        free = bool(modifiers & Qt.KeyboardModifier.AltModifier)
        return self.view.snap.snap(tick, free=free, floor=floor)

    def set_tool(self, name: str) -> None:
        if self.tools.get(name) is None or self.tool is self.tools[name]:
            return
        self.canvas.cancel_gesture()
        self.tool = self.tools[name]
        self.canvas.setCursor(self.tool.cursor)
        self.toolChanged.emit(name)

    def set_snap(self, denominator: int, triplet: bool = False) -> None:
        self.view.snap = Snap(denominator, triplet)

    def set_preview(self, preview: Preview | None) -> None:
        self.view.preview = preview

    def set_cursor_tick(self, tick: int, *, force: bool = False) -> None:
        """Move the edit cursor. ``force``: emit ``cursorChanged`` even when it does not move (a
        click on the ruler or Home also moves the playhead there)."""
        tick = max(0, int(tick))
        if tick != self.view.cursor_tick:
            self.view.cursor_tick = tick  # _on_view emits cursorChanged
        elif force:
            self.cursorChanged.emit(tick)

    def set_playhead(self, tick: int | None) -> None:
        """Show the playhead at ``tick`` (None hides it)."""
        self.view.playhead = tick

    def follow(self, tick: int) -> None:
        """Page-follow the playhead: when it leaves the view, the next page comes into view."""
        t0, t1 = self.visible_ticks()
        if not t0 <= tick <= t1 - 2 / self.geo.px_per_tick:
            self.geo.set_offsets(x_off=max(0.0, tick * self.geo.px_per_tick - 10))

    def set_loop_range(self, loop: tuple[int, int] | None) -> None:
        self.view.loop_range = loop

    def set_take(self, notes: list[Note] | None) -> None:
        self.view.take = notes

    def _on_view(self, name: str, old, new) -> None:
        """A view-state change: repaint the strips that show it; announce the cursor."""
        if name == "playhead":  # only the columns it leaves and enters: following costs little
            for strip in self.strips:
                if name in strip.shows:
                    strip.update_ticks(old, new)
            return
        if name == "hidden_parts":
            self._reindex()
            self.hiddenPartsChanged.emit(new)
        self.repaint_showing(name)
        if name == "cursor_tick":
            self.cursorChanged.emit(new)
        elif name == "active_part":
            self._show_active_part()
            self.activePartChanged.emit(new)

    def repaint_showing(self, what: str) -> None:
        """Schedule a repaint of the strips that show ``what`` (see ``Strip.shows``)."""
        for strip in self.strips:
            if what in strip.shows:
                strip.update()

    @property
    def busy(self) -> bool:
        """A drag is in progress on one of the strips."""
        return any(strip.busy for strip in self.strips)

    def cancel_gestures(self) -> None:
        for strip in self.strips:
            strip.cancel_gesture()

    def key_at(self, position: int) -> NoteKey:
        return self.index.keys[position]

    def content_ticks(self) -> int:
        score = self.doc.score
        notes_end = int(self.index.ends.max()) if len(self.index) else 0
        end = max(notes_end, self.proposal.end_tick(), self.view.cursor_tick)
        bar = score.time_signatures[-1].bar_ticks
        return max(score.bar_start(MIN_BARS), end + 8 * bar)

    def visible_ticks(self) -> tuple[float, float]:
        return self.geo.tick_at(0), self.geo.tick_at(self.canvas.width())

    # ----- view -----------------------------------------------------------------------------------
    def zoom_x(self, factor: float, anchor_x: float | None = None) -> None:
        self.geo.zoom_x(factor, self.canvas.width() / 2 if anchor_x is None else anchor_x)

    def zoom_y(self, factor: float, anchor_y: float | None = None) -> None:
        self.geo.zoom_y(factor, self.canvas.height() / 2 if anchor_y is None else anchor_y)

    def zoom_to_fit(self) -> None:
        """Fit the whole score (and a proposal) in view: time, and pitch where it fits."""
        score = self.doc.score
        end = max(score.end_tick, self.proposal.end_tick(), score.bar_start(4))
        width = max(100, self.canvas.width() - 20)
        self.geo.set_px_per_quarter(width / (end / TPQ))
        self.geo.set_offsets(x_off=0)
        pitches = [*self.index.pitches.tolist(), *(n.pitch for _p, n in self.proposal_keys)]
        if pitches:
            self.fit_pitches(min(pitches), max(pitches))

    def fit_pitches(self, low: int, high: int) -> None:
        """Show rows ``low..high``: centre on them, with shorter rows if they do not fit."""
        rows = high - low + 3  # a row of air above and below
        if rows * self.geo.row_h > self.canvas.height() > 0:
            self.geo.zoom_y(max(self.canvas.height() / rows, MIN_ROW) / self.geo.row_h)
        self.center_on_pitch((low + high) // 2)

    def show_span(self, t0: int, t1: int, low: int, high: int, *, context: int = 0) -> None:
        """Bring ticks [t0, t1) and pitches low..high into view, moving as little as needed:
        nothing if they show, else scroll, zooming out (time, rows) only if they do not fit.
        ``context``: ticks before ``t0`` to show too (the bar the music comes from)."""
        geo = self.geo
        v0, v1 = self.visible_ticks()
        room = self.canvas.width() - 20
        if room > 0 and not (v0 <= t0 and t1 <= v1):
            left = max(0, t0 - context)
            if (t1 - left) * geo.px_per_tick > room:
                geo.set_px_per_quarter(room / max(1, t1 - left) * TPQ)
            geo.set_offsets(x_off=max(0.0, left * geo.px_per_tick - 10))
        top, bottom = geo.pitch_at(0), geo.pitch_at(self.canvas.height() - 1)
        if self.canvas.height() > 0 and not (bottom <= low and high <= top):
            self.fit_pitches(low, high)

    def show_notes(self, notes, *, context: int = 0) -> None:
        """Bring ``notes`` (Notes) into view (see ``show_span``)."""
        notes = list(notes)
        if notes:
            self.show_span(min(n.start for n in notes), max(n.end for n in notes),
                           min(n.pitch for n in notes), max(n.pitch for n in notes),
                           context=context)

    def center_on_pitch(self, pitch: int) -> None:
        y = (127 - pitch) * self.geo.row_h - self.canvas.height() / 2
        self.geo.set_offsets(y_off=min(max(0, y), self._max_y()))

    def scroll_to_tick(self, tick: int) -> None:
        self.geo.set_offsets(x_off=max(0.0, tick * self.geo.px_per_tick - 10))

    def ensure_visible(self, tick: int) -> None:
        t0, t1 = self.visible_ticks()
        if not t0 <= tick <= t1:
            self.scroll_to_tick(tick)

    def _max_y(self) -> int:
        return max(0, self.geo.content_height - self.canvas.height())

    def _sync_scrollbars(self) -> None:
        # A score ends within music.limits.MAX_TICKS (files past it are refused), which at the
        # widest zoom fits a scroll bar's int; the clamp keeps Qt's int range safe regardless.
        ticks = min(self.content_ticks(), limits.MAX_TICKS + 8 * 4 * TPQ)
        content_w = int(ticks * self.geo.px_per_tick)
        for bar, maximum, page, value in (
            (self.hbar, max(0, content_w - self.canvas.width()), self.canvas.width(),
             self.geo.x_off),
            (self.vbar, self._max_y(), self.canvas.height(), self.geo.y_off),
        ):
            value = min(int(value), SCROLL_MAX)
            bar.blockSignals(True)
            bar.setRange(0, min(max(maximum, value), SCROLL_MAX))
            bar.setPageStep(max(1, min(page, SCROLL_MAX)))
            bar.setSingleStep(max(1, self.geo.row_h if bar is self.vbar else page // 20))
            bar.setValue(value)
            bar.blockSignals(False)

    def _on_geometry(self) -> None:
        if self.geo.y_off > self._max_y() and self.canvas.height() > 0:
            self.geo.y_off = float(self._max_y())
        self._sync_scrollbars()  # the strips repaint themselves (Strip connects geo.changed)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._sync_scrollbars()

    # ----- model changes --------------------------------------------------------------------------
    def _on_score(self) -> None:
        n = len(self.doc.score.parts)
        self.view.hidden_parts = {p for p in self.view.hidden_parts if p < n}
        self.view.active_part = min(self.view.active_part, n - 1)
        self._reindex()
        self._show_active_part()  # its name or drum-ness may have changed

    def _reindex(self) -> None:
        self.cancel_gestures()  # they hold index positions of the old score
        self.view.preview = None
        self.index = NoteIndex(self.doc.score, self.view.hidden_parts)
        self._doomed_for = None
        self._on_selection()
        self._update_proposal_keys()
        self._sync_scrollbars()
        self.repaint_showing("score")

    def _on_parts_moved(self, moved: list[int]) -> None:
        """Parts were added, deleted or reordered: the active and hidden parts follow theirs."""
        view = self.view
        view.hidden_parts = {moved[p] for p in view.hidden_parts
                             if p < len(moved) and moved[p] >= 0}
        a = view.active_part
        if a < len(moved) and moved[a] >= 0:
            view.active_part = moved[a]
        else:  # its part was deleted: the one that took its place, or the one before
            later = [m for m in moved[a + 1:] if m >= 0]
            view.active_part = later[0] if later else max(0, a - 1)

    def _on_selection(self) -> None:
        self.sel_mask = self.index.mask_of(self.doc.selection)
        self.repaint_showing("selection")

    def _on_proposal(self) -> None:
        self._update_proposal_keys()
        self._sync_scrollbars()
        self.repaint_showing("proposal")
        if self.proposal.active:
            self.follow_proposal()  # the view follows the work

    def _update_proposal_keys(self) -> None:
        """Where the proposal's notes go (music.edits' rule) and which notes they replace."""
        prop, score = self.proposal, self.doc.score
        if not prop.active:
            self.proposal_keys = []
            self.doomed_mask = np.zeros(len(self.index), bool)
            self._doomed_for = None
            return
        self.proposal_keys = edits.placed(score, prop.placed())[0]
        end = prop.region[1] if prop.region else None
        what = (prop.start_tick, end, prop.parts, prop.hand)
        if what != self._doomed_for:
            self._doomed_for = what
            self.doomed_mask = self.index.mask_of(
                edits.region_notes(score, prop.start_tick, end, prop.parts, prop.hand))

    def follow_proposal(self) -> None:
        """Show the proposal on show, with the bar before it: scroll, and zoom if needed."""
        notes = [n for _p, n in self.proposal_keys]
        if notes:
            score = self.doc.score
            start = self.proposal.start_tick
            bar = score.bar_at(max(0, start))
            context = start - score.bar_start(max(0, bar - 1))
            self.show_notes(notes, context=context)

    def _show_active_part(self) -> None:
        """The corner names the active part in its colour; a drum part widens the keyboard to
        name its drums."""
        parts = self.doc.score.parts
        i = self.view.active_part
        part = parts[i] if i < len(parts) else None
        name = part_label(part.name if part is not None else "", i)
        colour = style.part_colour(self.doc.score.colour_of(i))
        width = KEYBOARD_DRUM_WIDTH if part is not None and part.is_drum else KEYBOARD_WIDTH
        # a long name ends in "…" (a review read "usicXML Pa", centred and cut both sides);
        # the tooltip names it whole
        font = QFont(self.corner.font())
        font.setPixelSize(CORNER_FONT_PX)
        font.setBold(True)
        self.corner.setText(QFontMetrics(font).elidedText(name, Qt.TextElideMode.ElideRight,
                                                          width - 6))
        self.corner.setToolTip(f"New notes go to {name}")
        self.corner.setStyleSheet(
            f"QLabel {{ background: {colour.name()}; color: {style.PART_TEXT.name()};"
            f" font-weight: bold; font-size: {CORNER_FONT_PX}px; }}")
        if self.keyboard.width() != width:
            for w in (self.keyboard, self.corner, self.vel_label):
                w.setFixedWidth(width)
        self.keyboard.update()

    # ----- keys -----------------------------------------------------------------------------------
    def handle_key(self, event: QKeyEvent) -> bool:
        """Keys of the roll (the window's menus have the rest). True when handled."""
        key, mods = event.key(), event.modifiers()
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        k = Qt.Key
        if self.proposal.active:
            plain = not mods & ~Qt.KeyboardModifier.KeypadModifier
            if 0 <= key - k.Key_1 < KEYED_VARIATIONS and plain:
                self.proposal.select(key - k.Key_1)
                return True
            if key in (k.Key_Tab, k.Key_Backtab):
                self.proposal.step(-1 if key == k.Key_Backtab or shift else 1)
                return True
            if key in (k.Key_Return, k.Key_Enter):
                self.keepRequested.emit()
                return True
        if key == k.Key_Escape:
            # one thing at a time: a drag, then a selection, then the proposal on show (a
            # review pressed Esc to end a rubber band and lost every variation; discarding is
            # no undo step)
            if self.busy:
                self.cancel_gestures()
            elif self.doc.selection:
                self.doc.set_selection(())
            elif self.proposal.active:
                self.discardRequested.emit()
            return True
        arrows = {k.Key_Left: (-1, 0), k.Key_Right: (1, 0), k.Key_Up: (0, 1), k.Key_Down: (0, -1)}
        if key in arrows and not mods & Qt.KeyboardModifier.ControlModifier:
            if self.busy or not self.doc.selection:
                return False
            dx, dy = arrows[key]
            dt = dx * self.grid_step()
            dp = dy * (12 if shift else 1)
            keys = list(self.doc.selection)
            if dp and undo.clamp_move(keys, 0, dp)[1] != dp:
                return True  # an octave past the range: refuse rather than squash
            self.doc.push(undo.move_command(self.doc, keys, dt, dp))
            self.show_notes(n for _, n in self.doc.selection)  # the moved notes stay in view
            if dp:
                top = max(n.pitch for _, n in self.doc.selection)
                self.noteAuditioned.emit(top)
            return True
        if key == k.Key_Home:
            self.set_cursor_tick(0, force=True)
            self.scroll_to_tick(0)
            return True
        if key == k.Key_End:
            end = self.doc.score.end_tick
            self.set_cursor_tick(end, force=True)
            self.ensure_visible(end)
            return True
        if key == k.Key_Space:
            self.playRequested.emit()
            return True
        return False

    def request_context_menu(self, x: float, y: float) -> None:
        """Ask for the roll's menu at canvas point (x, y) (the window shows it); the place
        clicked is kept while it shows (:attr:`menu_tick`)."""
        tick = max(0, int(self.geo.tick_at(x)))
        pos = self.index.at(tick, self.geo.pitch_at(y))
        self.menu_tick = self.index.keys[pos][1].start if pos >= 0 else self.beat_at(tick)
        self.contextMenuRequested.emit(self.canvas.mapToGlobal(QPoint(int(x), int(y))))

    def beat_at(self, tick: int) -> int:
        """The start of the beat that holds ``tick`` (an upbeat's beats are its full bar's)."""
        score = self.doc.score
        start = score.bar_start(score.bar_at(tick))
        beat = score.time_signature_at(tick).beat_ticks
        return start + (tick - start) // beat * beat

    # ----- helpers for tests and the window -------------------------------------------------------
    def point_of(self, tick: float, pitch: int) -> tuple[float, float]:
        """Canvas coordinates of a tick at the vertical middle of a pitch's row."""
        return self.geo.x_of(tick), self.geo.y_of(pitch) + self.geo.row_h / 2

    def new_note(self, start: int, pitch: int, duration: int) -> Note:
        return Note(start, pitch, duration, self.view.last_velocity)
