"""The score view: a dock that shows the document as notation, engraved by verovio from the same
MusicXML that File > Export MusicXML writes (``music.engraving``: the whole export, every time),
and kept up to date after edits.

It never blocks editing. Engraving runs in a worker *process* (verovio holds Python's GIL while it
lays out, so a thread would freeze the window for a fifth of a second per update). Edits are
coalesced: a render starts ``DEBOUNCE_MS`` after the last change, at most one runs at a time, a
newer request waits for it, and a result that is no longer the newest is dropped. Only a visible
view renders. The pages are drawn with QtSvg, parsed when they first come into sight.
"""

from __future__ import annotations

import bisect
import functools
import multiprocessing
import re
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QPainter, QPen
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QDockWidget,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from composer_gui.ml.keyfinding import with_heard_key
from composer_gui.music import engraving
from composer_gui.music.score import Score

from . import style
from .document import Document
from .labels import plural
from .proposal import Proposal

DEBOUNCE_MS = 150
ZOOMS = (0.5, 0.63, 0.8, 1.0, 1.25, 1.6, 2.0, 2.5)
PAGE_GAP = 12
SHORTCUT = "Ctrl+Shift+N"


@dataclass(frozen=True)
class Request:
    number: int
    score: Score
    width: int
    zoom: float
    # a proposal engraved with the score: where the document's parts stand in ``score``, and
    # (part, start, pitch, end) of the variation's notes there
    moved: tuple[tuple[int, int], ...] = ()
    proposed: frozenset[tuple[int, int, int, int]] = frozenset()
    # sections played twice written once, as the export does; not while a proposal is on show
    # (a restated section would hide its notes)
    fold_repeats: bool = True

    def proposes(self, part: int, tick: int, pitch: int) -> bool:
        """A head at ``tick`` is a proposed note's: struck there, or tied on from it."""
        return any(start <= tick < end for start, end in self._spans.get((part, pitch), ()))

    @functools.cached_property
    def _spans(self) -> dict[tuple[int, int], list[tuple[int, int]]]:
        """(part, pitch) -> (start, end) of the proposed notes: every head of every page is
        asked about, so not a scan of the whole proposal each time."""
        spans: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for part, start, pitch, end in self.proposed:
            spans.setdefault((part, pitch), []).append((start, end))
        return spans


class Backend:
    """Where engraving runs: ``submit`` returns a Future of an ``engraving.Engraving``."""

    def submit(self, request: Request) -> Future:
        raise NotImplementedError

    def close(self) -> None:
        pass


class ProcessBackend(Backend):
    """One spawned worker process, started on the first render and kept (with verovio loaded)."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, request: Request) -> Future:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=engraving.worker_init)
        try:
            return self._pool.submit(engraving.engrave_in_process, request.score, request.width,
                                     request.zoom, request.fold_repeats)
        except RuntimeError:  # the process died (BrokenProcessPool): start a new one next time
            self._pool = None
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


class _Relay(QObject):
    """Carries a finished Future from whichever thread completes it to the GUI thread."""

    done = Signal(int, object)  # request number, Future


_NOTE_IDS = re.compile(r'<g id="(n\d+-\d+-\d+-\d+)" class="note"')


class _Page(QGraphicsItem):
    """One engraved page: white paper, the SVG parsed the first time it is needed."""

    def __init__(self, svg: str, width: float, height: float, tick_offset: int) -> None:
        super().__init__()
        self._svg = svg
        self._renderer: QSvgRenderer | None = None
        self._rect = QRectF(0, 0, width, height)
        self._boxes: list[tuple[QRectF, str]] | None = None
        # (tick, part, pitch, id) of every note head on the page, by tick (no parsing needed)
        self.heads: list[tuple[int, int, int, str]] = []
        for name in _NOTE_IDS.findall(svg):
            found = engraving.parse_note_id(name)
            if found:
                self.heads.append((found[1] + tick_offset, found[0], found[2], name))
        self.heads.sort()
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def boundingRect(self) -> QRectF:
        return self._rect

    def renderer(self) -> QSvgRenderer:
        if self._renderer is None:
            self._renderer = QSvgRenderer(QByteArray(self._svg.encode("utf-8")))
        return self._renderer

    def paint(self, painter: QPainter, _option, _widget=None) -> None:
        painter.fillRect(self._rect, Qt.GlobalColor.white)
        self.renderer().render(painter, self._rect)

    def box(self, name: str) -> QRectF:
        """Where a note (its head and stem) is drawn, in page coordinates."""
        r = self.renderer()
        return r.transformForElement(name).mapRect(r.boundsOnElement(name))

    def note_at(self, pos: QPointF) -> str | None:
        """The note drawn at ``pos`` (page coordinates), or the nearest within 8 px."""
        if self._boxes is None:
            self._boxes = [(self.box(name), name) for _t, _p, _q, name in self.heads]
        best, distance = None, 8.0
        for rect, name in self._boxes:
            if rect.adjusted(-2, -2, 2, 2).contains(pos):
                return name
            gap = (rect.center() - pos).manhattanLength() - (rect.width() + rect.height()) / 2
            if gap < distance:
                best, distance = name, gap
        return best


class ScoreView(QWidget):
    """The dock's contents: zoom buttons and a status line above the pages."""

    rendered = Signal(object)  # the Engraving now on show
    failed = Signal(str)
    noteClicked = Signal(int)  # the tick of a note clicked in the score (its notes are selected)

    def __init__(self, doc: Document, parent: QWidget | None = None, *,
                 backend: Backend | None = None, debounce_ms: int = DEBOUNCE_MS,
                 proposal: Proposal | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.proposal = proposal  # a variation on show is engraved in place, its notes marked
        self.reason: str | None = None  # why verovio cannot engrave; asked when first shown
        self.backend = backend if backend is not None else ProcessBackend()
        self.zoom = 1.0
        self.shown: engraving.Engraving | None = None
        self.shown_request: Request | None = None  # what ``shown`` was engraved from
        self.stale_dropped = 0  # results that arrived after a newer request (tests, bench)
        self._requested = 0  # number of the newest request
        self._running: Request | None = None
        self._started = 0.0
        self._layout_key: tuple[int, float] | None = None  # width and zoom of what is shown
        self._dirty = True

        self._relay = _Relay(self)
        self._relay.done.connect(self._arrived, Qt.ConnectionType.QueuedConnection)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._submit)

        self.scene = QGraphicsScene(self)
        self.view = QGraphicsView(self.scene)
        self.view.setObjectName("scoreGraphics")
        self.view.setRenderHints(QPainter.RenderHint.Antialiasing
                                 | QPainter.RenderHint.SmoothPixmapTransform)
        self.view.setBackgroundBrush(QBrush(QColor(0xE4, 0xE4, 0xE8)))
        self.view.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        # always on: a scroll bar that comes and goes would change the width and re-flow again
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.view.viewport().installEventFilter(self)
        self.message = QLabel()
        self.message.setObjectName("scoreMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.status = QLabel()
        self.status.setObjectName("scoreStatus")
        # a long status line must never widen the dock (that would re-flow the score again)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.zoom_out = QToolButton(text="−", toolTip="Smaller notation (Ctrl+wheel)")
        self.zoom_in = QToolButton(text="+", toolTip="Larger notation (Ctrl+wheel)")
        self.zoom_label = QLabel("100%")
        self.zoom_out.clicked.connect(lambda: self.step_zoom(-1))
        self.zoom_in.clicked.connect(lambda: self.step_zoom(1))
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        for w in (self.zoom_out, self.zoom_label, self.zoom_in):
            bar.addWidget(w)
        bar.addSpacing(12)
        bar.addWidget(self.status, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addLayout(bar)
        box.addWidget(self.view, 1)
        box.addWidget(self.message, 1)

        doc.scoreChanged.connect(self.schedule)
        if proposal is not None:
            proposal.changed.connect(self.schedule)
            proposal.activeChanged.connect(self.schedule)
        self._mark_timer = QTimer(self)  # a rubber band changes the selection at every move
        self._mark_timer.setSingleShot(True)
        self._mark_timer.setInterval(60)
        self._mark_timer.timeout.connect(self._mark_selection)
        doc.selectionChanged.connect(self._mark_timer.start)
        self.pages: list[_Page] = []
        self._marks: list = []
        self._proposal_marks: list = []
        self._followed: str | None = None
        self._say("")

    # ----- requests ------------------------------------------------------------------------------
    def schedule(self) -> None:
        """The score changed (or the layout did): render after a short pause, if visible."""
        self._dirty = True
        if not self.isVisible():
            return
        if self.reason is None:  # loading verovio takes 0.1 s: not at the app's start-up
            self.reason = engraving.unavailable_reason()
            if self.reason:
                self._say(f"Score view unavailable: {self.reason}")
        if not self.reason:
            self._timer.start()

    @property
    def busy(self) -> bool:
        return self._running is not None or self._timer.isActive()

    def _page_width(self) -> int:
        return max(200, self.view.viewport().width() - 2 * PAGE_GAP)

    def _submit(self) -> None:
        if self._running is not None or not self._dirty:
            return  # the running render's result will call back here
        score, moved, proposed = self.doc.score, (), frozenset()
        prop = self.proposal
        if prop is not None and prop.active and prop.notes():
            # (as Keep would leave it: a composer auditioning variations reads them as notes)
            where, heads = prop.layout(score)
            score, moved, proposed = prop.applied(score), tuple(where.items()), frozenset(heads)
        if score.note_count == 0:
            self._dirty = False
            self._show_pages(None)
            self._say("No notes yet: the score shows here as notation as you write.")
            return
        self._dirty = False
        self._requested += 1
        score = with_heard_key(score)  # as MusicXML export writes it: a key signature
        request = Request(self._requested, score, self._page_width(), self.zoom, moved,
                          proposed, fold_repeats=not proposed)
        self._started = time.perf_counter()
        try:
            future = self.backend.submit(request)
        except Exception as exc:
            self._report_failure(f"could not start the engraver ({exc})")
            return
        self._running = request
        number = request.number
        future.add_done_callback(lambda f: self._relay.done.emit(number, f))

    def _arrived(self, number: int, future: Future) -> None:
        request, self._running = self._running, None
        newest = number == self._requested and not self._dirty
        if not newest:
            self.stale_dropped += 1
        else:
            try:
                result = future.result()
            except Exception as exc:
                self._report_failure(engraving_message(exc))
            else:
                self._show_result(result, request)
        if self._dirty:
            self.schedule()

    def _show_result(self, result: engraving.Engraving, request: Request | None) -> None:
        before = self.shown_request.proposed if self.shown_request is not None else frozenset()
        self.shown_request = request
        if request is not None:
            self._layout_key = (request.width, request.zoom)
            if request.width != self._page_width():  # resized meanwhile: re-flow
                self._dirty = True
        self._show_pages(result)
        if request is not None and request.proposed and request.proposed != before:
            self._show_proposed()
        seconds = time.perf_counter() - self._started
        prop = self.proposal
        # (a review read "33 bars" over 18 written between repeat signs)
        folded = f" ({result.written_bars} written)" \
            if 0 < result.written_bars < result.bars else ""
        shows = ""
        if request is not None and request.proposed and prop is not None and prop.active:
            shows = (f"Variation {prop.current + 1} of {len(prop.variations)}, not kept yet "
                     "(pink) · ")
        self.status.setText(
            # (heads on the page: a note tied over a bar line is two; a review read "164
            # notes" here beside the status bar's 161)
            f"{shows}{plural(result.bars, 'bar')}{folded} · "
            f"{plural(result.notes, 'note head')} · "
            f"{plural(len(result.pages), 'page')} · "
            f"updated in {seconds:.2f} s")
        parts = ", ".join(f"{k} {v:.2f} s" for k, v in result.seconds.items())
        self.status.setToolTip("Engraved by verovio from the whole MusicXML export"
                               + (f" ({parts})" if parts else ""))
        self.rendered.emit(result)

    def _report_failure(self, text: str) -> None:
        self.status.setText(f"Could not engrave the score: {text}")
        self.failed.emit(text)

    # ----- display -------------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.view.setVisible(not text)
        if text:
            self.status.setText("")

    def _show_pages(self, result: engraving.Engraving | None) -> None:
        bar = self.view.verticalScrollBar()
        fraction = bar.value() / bar.maximum() if bar.maximum() else 0.0
        self.scene.clear()  # pages and marks with it
        self.pages, self._marks, self._proposal_marks, self._followed = [], [], [], None
        self.view.resetTransform()
        self.shown = result
        if result is None:
            return
        self._say("")
        y = PAGE_GAP
        width = 0.0
        for svg in result.pages:
            w, h = _svg_size(svg)
            page = _Page(svg, w, h, result.tick_offset)
            self.pages.append(page)
            page.setPos(PAGE_GAP, y)
            self.scene.addItem(page)
            shadow = self.scene.addRect(QRectF(PAGE_GAP + 2, y + 2, w, h), QPen(Qt.PenStyle.NoPen),
                                        QBrush(QColor(0, 0, 0, 40)))
            shadow.setZValue(-1)
            y += h + PAGE_GAP
            width = max(width, w)
        self.scene.setSceneRect(0, 0, width + 2 * PAGE_GAP, y)
        bar.setValue(round(fraction * bar.maximum()))
        self._mark_proposal()
        self._mark_selection()

    # ----- zoom and size -------------------------------------------------------------------------
    def set_zoom(self, zoom: float) -> None:
        zoom = max(ZOOMS[0], min(ZOOMS[-1], zoom))
        if zoom == self.zoom:
            return
        old, self.zoom = self.zoom, zoom
        self.zoom_label.setText(f"{round(zoom * 100)}%")
        self.view.scale(zoom / old, zoom / old)  # at once; the re-layout follows
        self.schedule()

    def step_zoom(self, step: int) -> None:
        nearest = min(range(len(ZOOMS)), key=lambda i: abs(ZOOMS[i] - self.zoom))
        self.set_zoom(ZOOMS[max(0, min(len(ZOOMS) - 1, nearest + step))])

    # ----- selection and playhead --------------------------------------------------------------
    def click(self, scene_pos: QPointF) -> bool:
        """Select, in the document, the note drawn at ``scene_pos``; False if none is there."""
        for page in self.pages:
            local = page.mapFromScene(scene_pos)
            if not page.boundingRect().contains(local):
                continue
            name = page.note_at(local)
            found = engraving.parse_note_id(name) if name else None
            if found is None or self.shown is None:
                return False
            part, tick, pitch = found
            tick += self.shown.tick_offset
            request = self.shown_request
            if request is not None and request.proposes(part, tick, pitch):
                return False  # a proposed note is no note of the score's yet
            if request is not None and request.moved:
                part = {new: old for old, new in request.moved}.get(part, len(self.doc.score.parts))
            keys = self._notes_at(part, tick, pitch)
            if not keys:
                return False
            self.doc.set_selection(keys)
            self.noteClicked.emit(min(n.start for _p, n in keys))
            return True
        return False

    def _notes_at(self, part: int, tick: int, pitch: int) -> list:
        """The score's notes sounding ``pitch`` at ``tick``: in ``part`` if it has one, else in
        any part (the export may have split or merged parts)."""
        parts = self.doc.score.parts
        order = [part] + [i for i in range(len(parts)) if i != part] if part < len(parts) \
            else list(range(len(parts)))
        for i in order:
            keys = [(i, n) for n in parts[i].notes if n.pitch == pitch and n.start <= tick < n.end]
            if keys:
                return keys[:1]
        return []

    def _mark_selection(self) -> None:
        """Tint the selected notes' heads in the score (the pages parse once, when needed)."""
        for mark in self._marks:
            self.scene.removeItem(mark)
        self._marks = []
        moved = dict(self.shown_request.moved) if self.shown_request else {}
        wanted = {(moved.get(i, i), n.start, n.pitch) for i, n in self.doc.selection}
        if not wanted or self.shown is None or not self.isVisible():
            return
        request = self.shown_request
        for page in self.pages:
            for tick, part, pitch, name in page.heads:
                # (a proposed note where a selected one was, being regenerated, stays pink)
                if (part, tick, pitch) in wanted and not (
                        request is not None and request.proposes(part, tick, pitch)):
                    rect = page.mapRectToScene(page.box(name)).adjusted(-2, -2, 2, 2)
                    mark = self.scene.addRect(rect, QPen(Qt.PenStyle.NoPen),
                                              QBrush(QColor(255, 120, 40, 90)))
                    mark.setZValue(2)
                    self._marks.append(mark)

    def _show_proposed(self) -> None:
        """A new variation on show: its first notes scrolled into sight (a review read "Variation
        1 of 3" over bars with nothing pink in them)."""
        request = self.shown_request
        heads = [(tick, page, name) for page in self.pages for tick, part, pitch, name
                 in page.heads if request.proposes(part, tick, pitch)]
        if heads:
            _tick, page, name = min(heads, key=lambda h: h[0])
            self.view.ensureVisible(page.mapRectToScene(page.box(name)), 40, 60)

    def _mark_proposal(self) -> None:
        """Tint the heads of the variation's notes in the proposal's pink, as the roll does."""
        request = self.shown_request
        if request is None or not request.proposed:
            return
        fill = QColor(style.PROPOSAL_FILL)
        for page in self.pages:
            for tick, part, pitch, name in page.heads:
                if request.proposes(part, tick, pitch):
                    rect = page.mapRectToScene(page.box(name)).adjusted(-2, -2, 2, 2)
                    mark = self.scene.addRect(rect, QPen(Qt.PenStyle.NoPen), QBrush(fill))
                    mark.setZValue(1)
                    self._proposal_marks.append(mark)

    def follow(self, tick: int) -> None:
        """Playback is at ``tick``: keep the note sounding there in sight."""
        if self.shown is None or not self.isVisible():
            return
        for start, end, shift in self.shown.folds:  # played again: the bars written once
            if start <= tick < end:
                tick += shift
                break
        best = None
        for page in self.pages:
            at = bisect.bisect_right(page.heads, (tick, 1 << 30)) - 1
            if at >= 0:
                best = (page, page.heads[at][3])
        if best is None or best[1] == self._followed:
            return
        self._followed = best[1]
        page, name = best
        self.view.ensureVisible(page.mapRectToScene(page.box(name)), 40, 60)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.view.viewport():
            kind = event.type()
            if kind == event.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
                self.click(self.view.mapToScene(event.position().toPoint()))
            if kind == event.Type.Wheel and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.step_zoom(1 if event.angleDelta().y() > 0 else -1)
                return True
            if kind == event.Type.Resize and self.shown is not None and \
                    self._layout_key and self._layout_key[0] != self._page_width():
                self.schedule()  # re-flow the systems to the new width
        return super().eventFilter(obj, event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self.schedule()

    def close_backend(self) -> None:
        self._timer.stop()
        self.backend.close()


def engraving_message(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if text else type(exc).__name__


def _svg_size(svg: str) -> tuple[float, float]:
    match = engraving._ROOT.search(svg)
    return (float(match[1]), float(match[2])) if match else (800.0, 1000.0)


def add_score_dock(window: QMainWindow, doc: Document, roll=None, transport=None,
                   backend: Backend | None = None, proposal: Proposal | None = None
                   ) -> QDockWidget:
    """Create the Score dock (hidden until View > Score View, or as the saved layout says) and its
    toggle action, named "Score View" with its shortcut. A note clicked in the score is selected
    and shown in the ``roll``; during playback the score follows the ``transport``; a
    ``proposal`` on show is engraved as Keep would leave it. Returns the dock;
    ``dock.widget()`` is the ScoreView."""
    view = ScoreView(doc, backend=backend, proposal=proposal)
    if roll is not None:
        view.noteClicked.connect(roll.ensure_visible)
    if transport is not None:
        transport.positionChanged.connect(
            lambda tick: view.follow(tick) if transport.playing else None)
    dock = QDockWidget("Score", window)
    dock.setObjectName("scoreDock")
    dock.setWidget(view)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                     | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                     | QDockWidget.DockWidgetFeature.DockWidgetClosable)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)  # wide: long systems
    dock.hide()

    def roomy(visible: bool) -> None:  # a dock first shown squeezed gets room for a system
        # (a third of the window: at 45% a review's roll kept under two octaves in sight)
        if visible and dock.height() < 240 and not dock.isFloating():
            window.resizeDocks([dock], [max(240, int(window.height() * 0.33))],
                               Qt.Orientation.Vertical)

    dock.visibilityChanged.connect(roomy)
    toggle = dock.toggleViewAction()
    toggle.setText("&Score View")
    toggle.setShortcut(QKeySequence(SHORTCUT))
    toggle.setStatusTip("Show the score as notation, as MusicXML export writes it "
                        f"({SHORTCUT})")
    return dock
