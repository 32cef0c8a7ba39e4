"""The score dock: renders the whole export after an edit (a real SVG from the real worker
process), drops stale renders, never blocks the GUI thread, says why when verovio is missing, and
is a View toggle whose visibility the saved layout keeps."""

from __future__ import annotations

import re
import threading
from concurrent.futures import Future

import pytest
from PySide6.QtCore import QPointF, QRectF, QTimer

from composer_gui.music import engraving
from composer_gui.music.score import Note, Part, Score
from composer_gui.ui import score_view
from composer_gui.ui.document import Document
from composer_gui.ui.undo import add_command


def _score(n: int = 4) -> Score:
    return Score(parts=(Part(tuple(Note(i * 480, 60 + i, 480) for i in range(n))),))


class ManualBackend(score_view.Backend):
    """Futures the test completes by hand, in the order it likes."""

    def __init__(self) -> None:
        self.requests: list[score_view.Request] = []
        self.futures: list[Future] = []

    def submit(self, request):
        self.requests.append(request)
        self.futures.append(Future())
        return self.futures[-1]

    def finish(self, index: int) -> None:
        r = self.requests[index]
        self.futures[index].set_result(engraving.Engraving(
            pages=(f'<svg width="100px" height="80px">{r.score.note_count}</svg>',),
            notes=r.score.note_count, bars=r.score.bar_count()))


@pytest.fixture
def make_doc():
    """Documents whose undo stacks end clean (a dirty one emits from its destructor at exit)."""
    docs = []

    def make(score: Score) -> Document:
        docs.append(Document(score))
        return docs[-1]

    yield make
    for doc in docs:
        doc.undo_stack.setClean()


def _view(qtbot, doc, backend, proposal=None, size=(600, 400)) -> score_view.ScoreView:
    view = score_view.ScoreView(doc, backend=backend, debounce_ms=0, proposal=proposal)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_the_dock_engraves_the_score_after_an_edit(make_doc, qtbot):
    pytest.importorskip("verovio")
    doc = make_doc(_score(4))
    view = _view(qtbot, doc, score_view.ProcessBackend())  # the app's own worker process
    try:
        with qtbot.waitSignal(view.rendered, timeout=60_000) as first:
            pass
        assert first.args[0].notes == 4
        with qtbot.waitSignal(view.rendered, timeout=60_000) as second:
            doc.push(add_command(doc, [(0, Note(4 * 480, 72, 960))]))
        result = second.args[0]
        assert result.notes == doc.score.note_count == 5
        svg = result.pages[0]
        assert svg.startswith("<svg") and engraving.count_notes(svg) == 5
        # what is shown is the export's content: its notes, named as the engraver names them
        export = engraving.musicxml_text(doc.score)
        shown = sorted(name for page in view.pages for *_rest, name in page.heads)
        assert len(shown) == export.count("<pitch>") == 5
        assert shown == sorted(re.findall(r'<note id="([^"]+)"', engraving.name_notes(export)))
        assert view.shown is result and view.view.isVisible()
        assert len(view.scene.items()) >= 1 and "5 note heads" in view.status.text()
        # clicking the fifth note's head in the score selects it in the document (and the roll)
        page = view.pages[0]
        tick, part, pitch, name = page.heads[-1]
        assert (part, tick, pitch) == (0, 4 * 480, 72)
        where = page.mapToScene(page.box(name).center())
        with qtbot.waitSignal(view.noteClicked) as clicked:
            assert view.click(where)
        assert clicked.args == [4 * 480]
        assert doc.selection == {(0, Note(4 * 480, 72, 960))}
        qtbot.waitUntil(lambda: len(view._marks) == 1)  # the selected head is tinted
        assert not view.click(page.mapToScene(QPointF(2, 2)))  # the page's corner: no note
        view.follow(2 * 480)  # playback at the third note: it is the one kept in sight
        assert view._followed == page.heads[2][3]
    finally:
        view.close_backend()


def test_stale_renders_are_dropped(make_doc, qtbot):
    doc = make_doc(_score(3))
    backend = ManualBackend()
    view = _view(qtbot, doc, backend)
    qtbot.waitUntil(lambda: len(backend.requests) == 1)
    # two edits while the first render runs: they wait, coalesced into one request
    doc.push(add_command(doc, [(0, Note(3 * 480, 70, 480))]))
    doc.push(add_command(doc, [(0, Note(4 * 480, 71, 480))]))
    qtbot.wait(50)
    assert len(backend.requests) == 1
    backend.finish(0)  # arrives after the edits: stale
    qtbot.waitUntil(lambda: len(backend.requests) == 2)
    assert view.shown is None and view.stale_dropped == 1
    newest = backend.requests[1].score  # the document's newest notes...
    assert newest.parts == doc.score.parts and newest.note_count == 5
    # ...with the key heard as its signature (the document has none), as export writes it
    assert not doc.score.key_signatures and len(newest.key_signatures) == 1
    with qtbot.waitSignal(view.rendered) as shown:
        backend.finish(1)
    assert shown.args[0].notes == 5 and view.shown.notes == 5
    assert len(backend.requests) == 2


def test_rendering_never_blocks_the_gui_thread(make_doc, qtbot):
    """While the engraver works (here: until the test lets it go), the event loop runs and edits
    go on; the result that finally comes is the newest score's."""
    doc = make_doc(_score(4))
    release = threading.Event()
    rendered_scores = []

    class SlowBackend(score_view.Backend):
        def submit(self, request):
            future: Future = Future()

            def work():
                release.wait(30)
                rendered_scores.append(request.score)
                future.set_result(engraving.Engraving(
                    pages=('<svg width="10px" height="10px"></svg>',),
                    notes=request.score.note_count, bars=1))

            threading.Thread(target=work, daemon=True).start()
            return future

    view = _view(qtbot, doc, SlowBackend())
    qtbot.waitUntil(lambda: view.busy and view._running is not None)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(5)
    qtbot.waitUntil(lambda: len(ticks) >= 5)  # the event loop turns while the render is out
    doc.push(add_command(doc, [(0, Note(4 * 480, 72, 480))]))
    assert doc.score.note_count == 5 and view.shown is None
    timer.stop()
    with qtbot.waitSignal(view.rendered, timeout=10_000) as shown:
        release.set()
    assert shown.args[0].notes == 5 and [s.note_count for s in rendered_scores] == [4, 5]


def test_the_real_worker_leaves_the_event_loop_free(make_doc, qtbot):
    pytest.importorskip("verovio")
    doc = make_doc(Score(parts=(Part(tuple(Note(i * 240, 60 + i % 12, 240)
                                          for i in range(8 * 16))),)))
    view = _view(qtbot, doc, score_view.ProcessBackend())
    fired = []
    try:
        QTimer.singleShot(0, lambda: fired.append(view.shown))
        with qtbot.waitSignal(view.rendered, timeout=60_000):
            pass
        assert fired == [None]  # the timer ran before the render came back
    finally:
        view.close_backend()


def test_without_verovio_the_dock_says_why(make_doc, qtbot, monkeypatch):
    monkeypatch.setattr(engraving, "unavailable_reason",
                        lambda: "verovio is not installed (ImportError: no module)")
    backend = ManualBackend()
    view = _view(qtbot, make_doc(_score(3)), backend)
    qtbot.wait(30)
    assert view.message.isVisible() and not view.view.isVisible()
    assert view.message.text().startswith("Score view unavailable: verovio is not installed")
    assert "\n" not in view.message.text() and backend.requests == []


def test_an_empty_score_shows_a_hint_not_a_render(make_doc, qtbot):
    backend = ManualBackend()
    view = _view(qtbot, make_doc(Score()), backend)
    qtbot.waitUntil(lambda: view.message.isVisible())
    assert "No notes yet" in view.message.text() and backend.requests == []


def test_a_hidden_dock_does_not_render(make_doc, qtbot):
    backend = ManualBackend()
    doc = make_doc(_score(3))
    view = score_view.ScoreView(doc, backend=backend, debounce_ms=0)
    qtbot.addWidget(view)
    doc.push(add_command(doc, [(0, Note(3 * 480, 70, 480))]))
    qtbot.wait(30)
    assert backend.requests == []
    view.show()
    qtbot.waitUntil(lambda: len(backend.requests) == 1)
    assert backend.requests[0].score.note_count == 4


def test_zoom_relays_out_at_the_new_size(make_doc, qtbot):
    backend = ManualBackend()
    view = _view(qtbot, make_doc(_score(3)), backend)
    qtbot.waitUntil(lambda: len(backend.requests) == 1)
    backend.finish(0)
    qtbot.waitUntil(lambda: view.shown is not None)
    view.step_zoom(1)
    qtbot.waitUntil(lambda: len(backend.requests) == 2)
    assert backend.requests[1].zoom > backend.requests[0].zoom
    assert view.zoom_label.text() == f"{round(view.zoom * 100)}%"


def test_the_view_menu_toggles_the_dock_and_the_layout_remembers_it(window, settings, qtbot):
    from composer_gui.ui.main_window import MainWindow

    act = window.act.score_view
    assert act.text().replace("&", "") == "Score View"
    assert act.shortcut().toString() == score_view.SHORTCUT
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert act in view_menu.actions()
    assert not window.score_dock.isVisible()
    act.trigger()
    assert window.score_dock.isVisible()
    window.score_dock.widget().close_backend()
    window.save_settings()
    again = MainWindow(settings=settings, backend=window.controller.backend)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    try:
        assert again.score_dock.isVisible() and again.act.score_view.isChecked()
    finally:
        again.score_dock.widget().close_backend()
        again.controller.discard()


def test_a_variation_on_show_is_engraved_in_place_and_marked(make_doc, qtbot):
    """A proposal is read as notation too: the score view engraves the score as Keep would leave
    it, tints the variation's heads, keeps the composer's own notes clickable where new parts
    moved them, and goes back to the document when the proposal goes."""
    pytest.importorskip("verovio")
    from composer_gui.music.edits import PlacedNote
    from composer_gui.ui.proposal import Proposal

    melody = Part(tuple(Note(i * 480, p, 480) for i, p in enumerate((72, 71, 69, 67))),
                  name="Melody")
    cello = Part((Note(0, 48, 1920),), name="Cello")
    doc = make_doc(Score(parts=(melody, cello)))
    proposal = Proposal()
    view = _view(qtbot, doc, score_view.ProcessBackend(), proposal)
    try:
        qtbot.waitUntil(lambda: view.shown is not None, timeout=60_000)
        assert view.shown.notes == 5 and not view._proposal_marks
        # a bass written under the melody: a new part, standing between Melody and Cello
        # (its last note tied over the bar line: both its heads are the proposal's)
        bass = [PlacedNote(Note(i * 480, 48 + i, 960 if i == 3 else 480), 2, "Bass", 0)
                for i in range(4)]
        proposal.begin(2, 0, (0, 1920), 0, parts=(2,))
        proposal.add(type("G", (), {"variation": 0, "note": p.note, "part": p.part,
                                    "part_name": p.part_name, "part_under": p.part_under})
                     for p in bass)
        qtbot.waitUntil(lambda: view.shown.notes == 10 and not view.busy, timeout=60_000)
        request = view.shown_request
        assert request.score.parts == proposal.applied(doc.score).parts  # (its key heard)
        assert [p.name for p in request.score.parts] == ["Melody", "Bass", "Cello"]
        assert request.proposed == {(1, i * 480, 48 + i, (i + 1) * 480 + 480 * (i == 3))
                                    for i in range(4)}
        assert request.proposes(1, 480, 49) and not request.proposes(1, 960, 49)
        assert not request.fold_repeats  # (every proposed note in sight, none behind a repeat)
        qtbot.waitUntil(lambda: len(view._proposal_marks) == 5)
        assert "Variation 1 of 2, not kept yet" in view.status.text()
        heads = {(part, tick, pitch): (page, name) for page in view.pages
                 for tick, part, pitch, name in page.heads}
        # a proposed head is no note of the score's: a click on it selects nothing
        page, name = heads[(1, 480, 49)]
        assert not view.click(page.mapToScene(page.box(name).center()))
        assert not doc.selection
        # the cello's note, third in the engraving, is the document's second part's
        page, name = heads[(2, 0, 48)]
        assert view.click(page.mapToScene(page.box(name).center()))
        assert doc.selection == {(1, Note(0, 48, 1920))}
        qtbot.waitUntil(lambda: len(view._marks) == 1)
        # the proposal discarded: the document alone again, nothing marked
        with qtbot.waitSignal(view.rendered, timeout=60_000) as back:
            proposal.clear()
        assert back.args[0].notes == 5 and not view._proposal_marks
        assert view.shown_request.score.parts == doc.score.parts
        assert view.shown_request.fold_repeats
        assert "not kept" not in view.status.text()
    finally:
        view.close_backend()


def test_the_playhead_is_followed_into_bars_written_once(make_doc, qtbot):
    """Playing the second time through a section written between repeat signs, the score keeps
    the written bar in sight (the engraving's folds), not the last bar before it."""
    doc = make_doc(_score(4))
    view = _view(qtbot, doc, ManualBackend())
    heads = [(i * 480, 0, 60, f"n0-{i * 480}-60-{i}") for i in range(3)]

    class FakePage:
        def __init__(self):
            self.heads = heads

        def box(self, name):
            return QRectF(0, 0, 1, 1)

        def mapRectToScene(self, rect):
            return rect

    view.shown = engraving.Engraving(pages=(), notes=3, bars=1,
                                     folds=((1440, 2400, -1440),))
    view.pages = [FakePage()]
    view.follow(1450)  # the second time through the head written at 0 (and 480, 960)
    assert view._followed == "n0-0-60-0"
    view.follow(960)
    assert view._followed == "n0-960-60-2"


def test_a_new_variation_is_scrolled_into_sight(make_doc, qtbot):
    """A variation on show far down the pages: its first notes come into view."""
    pytest.importorskip("verovio")
    from composer_gui.ui.proposal import Proposal

    doc = make_doc(Score(parts=(Part(tuple(Note(i * 480, 60 + i % 7, 480)
                                           for i in range(160))),)))
    proposal = Proposal()
    view = _view(qtbot, doc, score_view.ProcessBackend(), proposal, size=(500, 200))
    try:
        qtbot.waitUntil(lambda: view.shown is not None and not view.busy, timeout=60_000)
        view.view.verticalScrollBar().setValue(0)
        proposal.begin(1, 160 * 480, None, 0, parts=(0,))
        proposal.add([type("G", (), {"variation": 0, "note": Note(160 * 480 + i * 480, 72, 480),
                                     "part": 0, "part_name": None, "part_under": None})()
                      for i in range(4)])
        qtbot.waitUntil(lambda: bool(view._proposal_marks) and not view.busy, timeout=60_000)
        seen = view.view.mapToScene(view.view.viewport().rect()).boundingRect()
        assert seen.intersects(view._proposal_marks[0].rect())
        assert view.view.verticalScrollBar().value() > 0
    finally:
        view.close_backend()


def test_the_status_counts_the_bars_written_between_repeat_signs(make_doc, qtbot):
    pytest.importorskip("verovio")
    strain = [Note(i * 480, 60 + i % 7, 480) for i in range(32)]  # 8 bars, played twice
    doc = make_doc(Score(parts=(Part(tuple(strain + [Note(n.start + 32 * 480, n.pitch, 480)
                                                    for n in strain])),)))
    view = _view(qtbot, doc, score_view.ProcessBackend())
    try:
        qtbot.waitUntil(lambda: view.shown is not None, timeout=60_000)
        assert view.status.text().startswith("16 bars (8 written) · ")
    finally:
        view.close_backend()
