"""Marking a phrase end: F (Edit > Mark Phrase End, the right-click menu) puts a fermata on the
last onset of the selection, or takes it away; one undo step; the ruler draws it, the project and
MusicXML keep it, and the sampler reads it as the sketch's phrase grid."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from ui_helpers import ModelInfo

from composer_gui.music import edits, project
from composer_gui.music.musicxml_writer import musicxml_text
from composer_gui.music.score import TPQ, Note, Part, Score


def melody() -> Score:
    return Score(parts=(Part(tuple(Note(i * TPQ, 67 + i % 4, TPQ) for i in range(16))),))


def select_beats(window, first: int, last: int) -> None:
    window.doc.set_selection(k for k in window.roll.index.keys
                             if first * TPQ <= k[1].start <= last * TPQ)


def test_f_marks_the_end_of_the_selected_phrase_and_again_takes_it_away(window, qtbot, tmp_path):
    window.doc.load(melody())
    action = window.act.phrase_end
    assert action.shortcut().toString() == "F"
    assert not action.isEnabled()  # nothing selected
    select_beats(window, 4, 7)  # the second bar
    assert action.isEnabled()
    canvas = window.roll.canvas
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_F)
    assert window.doc.score.fermatas == (7 * TPQ,)
    assert window.doc.undo_stack.undoText() == "Mark Phrase End"
    assert 7 * TPQ in window.roll.ruler.fermata_ticks()
    assert "Mark Phrase End (a fermata) at bar 2" in window.statusBar().currentMessage()
    # the project and MusicXML keep it
    path = tmp_path / "tune.composer"
    project.write_project(window.doc.score, path)
    assert project.read_project(path).fermatas == (7 * TPQ,)
    assert musicxml_text(window.doc.score).count("<fermata") == 1
    # a second phrase, then the first taken away again; each one undo step
    select_beats(window, 15, 15)
    action.trigger()
    assert window.doc.score.fermatas == (7 * TPQ, 15 * TPQ)
    select_beats(window, 6, 7)
    action.trigger()
    assert window.doc.score.fermatas == (15 * TPQ,)
    assert window.doc.undo_stack.undoText() == "Remove Phrase End"
    window.doc.undo_stack.undo()
    window.doc.undo_stack.undo()
    assert window.doc.score.fermatas == (7 * TPQ,)


def test_the_phrase_end_is_the_last_onset_of_the_selection():
    ns = [Note(0, 60, TPQ), Note(2 * TPQ, 62, 2 * TPQ), Note(TPQ, 64, 3 * TPQ)]
    assert edits.phrase_end_tick(ns) == 2 * TPQ
    assert edits.phrase_end_tick([]) is None
    s = edits.toggle_fermata(melody(), 3 * TPQ)
    assert edits.toggle_fermata(s, TPQ).fermatas == (TPQ, 3 * TPQ)
    assert edits.toggle_fermata(s, 3 * TPQ).fermatas == ()


def test_the_sampler_reads_marked_phrase_ends_as_the_sketchs_grid(window):
    """The voice sampler's phrase places come from the score's fermatas: a sketch marked in the
    window gives the same places as one opened with them."""
    from composer_gui.ml.phrase_grid import _fermata_places

    window.doc.load(melody())
    for beat in (2, 6, 10):  # beat 3 of bars 1 to 3
        select_beats(window, beat, beat)
        window.act.phrase_end.trigger()
    score = window.doc.score
    step = TPQ // 4
    steps = {t // step for t in score.fermatas}
    bars = [score.bar_start(b) // step for b in range(score.bar_count() + 1)]
    assert _fermata_places(steps, 12 * TPQ // step, bars, 16) == frozenset({8})


def test_the_continue_panel_says_how_to_mark_phrase_ends(window):
    """Shown for a chorale model over a sketch with no fermata; gone once one is marked, and for
    a melody model."""
    panel = window.panel
    panel.set_models([ModelInfo("chorales", Path("/x/c"), "four voices", ("S", "A", "T", "B")),
                      ModelInfo("melodies", Path("/x/m"), "one line", ("Melody",))])
    four = Score(parts=tuple(Part(tuple(Note(i * TPQ, p - 7 * j, TPQ) for i in range(8)))
                             for j, p in enumerate((72, 67, 60, 48))))
    window.doc.load(four)
    assert panel.model.currentText() == "chorales"
    assert panel.phrase_hint.isVisibleTo(panel) and "press F" in panel.phrase_hint.text()
    select_beats(window, 3, 3)
    window.act.phrase_end.trigger()
    assert not panel.phrase_hint.isVisibleTo(panel)
    window.doc.undo_stack.undo()
    assert panel.phrase_hint.isVisibleTo(panel)
    panel.model.setCurrentIndex(1)
    assert not panel.phrase_hint.isVisibleTo(panel)


def test_a_fermata_goes_with_its_notes(window):
    """Deleted, its notes take their fermata with them (a review deleted a chorale's last bars
    and Continue closed phrases on the fermatas left over the empty bars); moved, it moves with
    the chord; undo puts it back."""
    from composer_gui.ui import undo

    window.doc.load(replace_fermatas(melody(), (3 * TPQ, 7 * TPQ, 15 * TPQ)))
    doc = window.doc
    last_bar = [k for k in window.roll.index.keys if k[1].start >= 12 * TPQ]
    doc.push(undo.delete_command(doc, last_bar))
    assert doc.score.fermatas == (3 * TPQ, 7 * TPQ)
    at_7 = [k for k in window.roll.index.keys if k[1].start == 7 * TPQ]
    doc.push(undo.move_command(doc, at_7, TPQ // 2, 0))
    assert doc.score.fermatas == (3 * TPQ, 7 * TPQ + TPQ // 2)
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.score.fermatas == (3 * TPQ, 7 * TPQ, 15 * TPQ)
    # a note added or moved elsewhere leaves them be
    doc.push(undo.add_command(doc, [(0, Note(16 * TPQ, 60, TPQ))]))
    assert doc.score.fermatas == (3 * TPQ, 7 * TPQ, 15 * TPQ)


def replace_fermatas(score: Score, ticks) -> Score:
    from dataclasses import replace

    return replace(score, fermatas=tuple(ticks))


def test_words_typed_for_the_selected_notes(window, monkeypatch):
    """Edit > Words (Ctrl+L): the syllables typed go under the selected notes, one a note, in
    each selected part; one undo step; the box opens with the words already there."""
    upper = tuple(Note(i * TPQ, 67 + i, TPQ) for i in range(4))
    lower = (Note(0, 48, 2 * TPQ), Note(0, 43, 2 * TPQ), Note(2 * TPQ, 50, 2 * TPQ))
    window.doc.load(Score(parts=(Part(upper, name="S"), Part(lower, name="B"))))
    window.edits.select_all()
    assert window.act.words.isEnabled() and window.act.words.shortcut().toString() == "Ctrl+L"
    asked = []
    monkeypatch.setattr(window, "ask_words", lambda now: asked.append(now) or "Lob-ge-sang _ Herr")
    window.act.words.trigger()
    assert [n.lyric for n in window.doc.score.parts[0].notes] == ["Lob-", "-ge-", "-sang", None]
    # the bass: its chord's top note sings, the third syllable has no note left
    assert [(n.pitch, n.lyric) for n in window.doc.score.parts[1].notes] == [
        (43, None), (48, "Lob-"), (50, "-ge-")]
    assert "3 syllables more than the notes selected" in window.statusBar().currentMessage()
    window.edits.select_all()
    window.act.words.trigger()
    assert asked == ["", "Lob-ge-sang"]  # (then the box showed the words there)
    window.doc.undo_stack.undo()
    assert not any(n.lyric for n in window.doc.score.notes)
