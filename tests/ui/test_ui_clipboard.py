"""Cut, copy, paste (at the cursor) and duplicate, each one undo step."""

from __future__ import annotations

from PySide6.QtCore import Qt
from ui_helpers import click

from composer_gui.music.score import TPQ, Note, Part, Score

CTRL = Qt.KeyboardModifier.ControlModifier


def load(window, *ns):
    window.doc.load(Score(parts=(Part(tuple(ns)),)))


def test_copy_and_paste_at_the_cursor(window, qtbot):
    ns = (Note(0, 60, TPQ, spelling="B#", lyric="Lob-", marks=("slur-start", "staccato")),
          Note(TPQ, 64, TPQ // 2, 99, marks=("slur-stop",), graces=(2,)))
    load(window, *ns)
    roll = window.roll
    canvas = roll.canvas
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_A, CTRL)
    qtbot.keyClick(canvas, Qt.Key.Key_C, CTRL)
    # click the ruler at bar 3 to put the cursor there
    x = roll.geo.x_of(8 * TPQ) + 1
    click(roll.ruler, (x, 10))
    assert roll.cursor_tick == 8 * TPQ
    qtbot.keyClick(canvas, Qt.Key.Key_V, CTRL)
    pasted = [Note(8 * TPQ, 60, TPQ), Note(9 * TPQ, 64, TPQ // 2, 99)]
    assert window.doc.score.notes == [*ns, *pasted]
    assert {n for _, n in window.doc.selection} == set(pasted)
    # the spelling, the words and the marks come along (they take no part in a note's
    # equality)
    assert [(n.spelling, n.lyric, n.marks, n.graces) for n in window.doc.score.notes] == [
        ("B#", "Lob-", ("slur-start", "staccato"), ()), (None, None, ("slur-stop",), (2,)),
        ("B#", "Lob-", ("slur-start", "staccato"), ()), (None, None, ("slur-stop",), (2,))]
    assert roll.cursor_tick == 9 * TPQ + TPQ // 2  # next paste follows on
    assert window.doc.undo_stack.count() == 1
    window.doc.undo_stack.undo()
    assert window.doc.score.notes == list(ns)


def test_cut_then_paste_and_duplicate(window, qtbot):
    ns = (Note(0, 60, TPQ), Note(TPQ, 62, TPQ))
    load(window, *ns)
    window.doc.set_selection({(0, ns[1])})
    window.edits.cut()
    assert window.doc.score.notes == [ns[0]]
    window.roll.set_cursor_tick(4 * TPQ)
    window.edits.paste()
    assert window.doc.score.notes == [ns[0], Note(4 * TPQ, 62, TPQ)]
    window.edits.select_all()
    canvas = window.roll.canvas
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_D, CTRL)
    # the selection spans 5 beats, so the copy starts right after it
    assert window.doc.score.notes == [ns[0], Note(4 * TPQ, 62, TPQ), Note(5 * TPQ, 60, TPQ),
                                      Note(9 * TPQ, 62, TPQ)]
    assert window.doc.undo_stack.count() == 3


def test_edit_actions_are_disabled_without_a_selection(window):
    load(window, Note(0, 60, TPQ))
    assert not window.act.copy.isEnabled() and not window.act.delete.isEnabled()
    window.edits.select_all()
    assert window.act.copy.isEnabled() and window.act.delete.isEnabled()
    window.edits.paste()  # empty clipboard in this process? nothing breaks either way


def test_a_phrase_end_goes_with_its_notes_when_pasted_or_duplicated(window, qtbot):
    from dataclasses import replace as with_

    ns = tuple(Note(i * TPQ, 60 + i, TPQ) for i in range(4))
    window.doc.load(with_(Score(parts=(Part(ns),)), fermatas=(3 * TPQ,)))
    window.edits.select_all()
    window.edits.duplicate()
    assert window.doc.score.fermatas == (3 * TPQ, 7 * TPQ)
    window.doc.undo_stack.undo()
    assert window.doc.score.fermatas == (3 * TPQ,)
    window.edits.select_all()
    window.edits.copy()
    window.roll.set_cursor_tick(8 * TPQ)
    window.edits.paste()
    assert window.doc.score.fermatas == (3 * TPQ, 11 * TPQ)
