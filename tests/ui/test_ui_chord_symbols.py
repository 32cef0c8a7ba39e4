"""Chord symbols in the window: Edit > Chord Symbol (Ctrl+K, the right-click menu) types one at
the selection's first note, the beat right-clicked or the cursor's beat, refusing what no chord
can be read from; one undo step. A whole-score transposition moves them, a selection's does
not; copy and paste carry them; the ruler draws them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from ui_helpers import at, click

from composer_gui.music.score import TPQ, ChordSymbol, KeySignature, Note, Part, Score

RIGHT = Qt.MouseButton.RightButton


def lead_sheet(*chords: ChordSymbol, key: KeySignature | None = None) -> Score:
    notes = tuple(Note(i * TPQ, 67 + i % 3, TPQ) for i in range(8))
    return Score(parts=(Part(notes, name="Melody"),), chord_symbols=chords,
                 key_signatures=(key,) if key else ())


def answers(monkeypatch, window, *typed: str | None) -> list[tuple[str, str, str]]:
    """The chord box answers ``typed`` in turn; returns what it was asked with."""
    asked: list[tuple[str, str, str]] = []
    queue = list(typed)
    monkeypatch.setattr(window, "ask_chord", lambda now, where, problem="": asked.append(
        (now, where, problem)) or queue.pop(0))
    return asked


def test_a_chord_typed_at_the_selections_first_note_is_one_undo_step(window, monkeypatch):
    window.doc.load(lead_sheet())
    action = window.act.chord
    assert action.shortcut().toString() == "Ctrl+K" and action.isEnabled()
    window.doc.set_selection(k for k in window.roll.index.keys if k[1].start >= 5 * TPQ)
    asked = answers(monkeypatch, window, "H7", "F#m7b5")
    action.trigger()
    # the text no chord can be read from is refused and the box asks again, saying why
    assert asked[0] == ("", "bar 2, beat 2", "")
    assert asked[1][0] == "H7" and 'cannot read "H7" as a chord' in asked[1][2]
    assert window.doc.score.chord_symbols == (ChordSymbol(5 * TPQ, "F#m7b5"),)
    stack = window.doc.undo_stack
    assert stack.count() == 1 and stack.undoText() == "Set Chord Symbol"
    assert "Chord symbol F#m7b5 at bar 2, beat 2" in window.statusBar().currentMessage()
    stack.undo()
    assert window.doc.score.chord_symbols == ()
    stack.redo()
    assert window.doc.score.chord_symbols == (ChordSymbol(5 * TPQ, "F#m7b5"),)
    # the box opens with the chord there; empty text clears it; N.C. is a chord symbol
    asked = answers(monkeypatch, window, "", "N.C.")
    action.trigger()
    assert asked == [("F#m7b5", "bar 2, beat 2", "")]
    assert window.doc.score.chord_symbols == () and stack.undoText() == "Clear Chord Symbol"
    action.trigger()
    assert window.doc.score.chord_symbols == (ChordSymbol(5 * TPQ, "N.C."),)
    stack.undo()
    stack.undo()
    assert window.doc.score.chord_symbols == (ChordSymbol(5 * TPQ, "F#m7b5"),)
    # cancelled: nothing changes
    answers(monkeypatch, window, None)
    action.trigger()
    assert stack.count() == 3 and stack.index() == 1


def test_without_a_selection_the_chord_goes_on_the_cursors_beat(window, monkeypatch):
    window.doc.load(lead_sheet())
    window.roll.set_cursor_tick(2 * TPQ + 100)
    answers(monkeypatch, window, "Am7")
    window.act.chord.trigger()
    assert window.doc.score.chord_symbols == (ChordSymbol(2 * TPQ, "Am7"),)


def test_the_right_click_menu_puts_the_chord_on_the_beat_clicked(window, qtbot, monkeypatch):
    """Right-click on empty space (Draw tool), Chord Symbol in the menu: the chord stands on
    the beat under the click, not at the cursor; once the menu is gone the Edit menu's action
    is back at the cursor."""
    window.doc.load(lead_sheet())
    roll = window.roll
    with qtbot.waitSignal(roll.contextMenuRequested, timeout=1000):
        click(roll.canvas, at(roll, 10 * TPQ + 200, 50), RIGHT)
    menu = window.roll_menu.menu
    assert "action_chord" in [a.objectName() for a in menu.actions()]
    answers(monkeypatch, window, "G7")
    with qtbot.waitSignal(window.roll_menu.closed, timeout=1000):
        menu.close()
        window.act.chord.trigger()  # (as the menu does: Qt hides it, then runs the action)
    assert window.doc.score.chord_symbols == (ChordSymbol(10 * TPQ, "G7"),)
    assert roll.menu_tick is None
    answers(monkeypatch, window, "C")
    window.act.chord.trigger()
    assert window.doc.score.chord_symbols == (ChordSymbol(0, "C"), ChordSymbol(10 * TPQ, "G7"))


def test_transposing_the_whole_score_moves_the_chord_symbols_a_selection_does_not(window):
    """F major up a semitone is G-flat major (six flats): its chords in flats; one undo step
    takes notes, key and chords back. Transposing some of the notes leaves the chords."""
    chords = (ChordSymbol(0, "F"), ChordSymbol(2 * TPQ, "Gm7/C"), ChordSymbol(4 * TPQ, "N.C."))
    window.doc.load(lead_sheet(*chords, key=KeySignature(0, -1)))
    window.edits.transpose(1)
    score = window.doc.score
    assert score.key == KeySignature(0, -6)
    assert [c.text for c in score.chord_symbols] == ["Gb", "Abm7/Db", "N.C."]
    stack = window.doc.undo_stack
    assert stack.count() == 1
    stack.undo()
    assert window.doc.score.chord_symbols == chords
    window.edits.transpose(2)  # G major: sharps
    assert [c.text for c in window.doc.score.chord_symbols] == ["G", "Am7/D", "N.C."]
    stack.undo()
    window.doc.set_selection({window.roll.index.keys[0]})
    window.edits.transpose(2)
    assert window.doc.score.chord_symbols == chords


def test_a_score_without_a_key_transposes_its_chords_in_sharps(window):
    window.doc.load(lead_sheet(ChordSymbol(0, "Bb")))
    window.edits.transpose(1)
    assert window.doc.score.chord_symbols == (ChordSymbol(0, "B"),)
    window.edits.transpose(1)
    assert window.doc.score.chord_symbols == (ChordSymbol(0, "C"),)
    window.doc.undo_stack.undo()
    window.doc.undo_stack.undo()
    assert window.doc.score.chord_symbols == (ChordSymbol(0, "Bb"),)


def test_copy_paste_and_duplicate_carry_the_chords_over_the_notes(window):
    chords = (ChordSymbol(0, "C"), ChordSymbol(TPQ, "G7"), ChordSymbol(3 * TPQ, "Am"))
    window.doc.load(lead_sheet(*chords))
    window.doc.set_selection(k for k in window.roll.index.keys if k[1].start < 2 * TPQ)
    window.edits.copy()
    window.roll.set_cursor_tick(8 * TPQ)
    window.edits.paste()
    assert window.doc.score.chord_symbols == (*chords, ChordSymbol(8 * TPQ, "C"),
                                              ChordSymbol(9 * TPQ, "G7"))
    window.doc.undo_stack.undo()
    assert window.doc.score.chord_symbols == chords
    # duplicated: the chords over the notes go with them (six beats on)
    window.doc.set_selection(k for k in window.roll.index.keys if k[1].start >= 2 * TPQ)
    window.edits.duplicate()
    assert window.doc.score.chord_symbols == (*chords, ChordSymbol(9 * TPQ, "Am"))
    window.doc.undo_stack.undo()
    # over a chord already there (two beats on: the G7 over the Am at beat 4), it takes its
    # place, and undo gives it back
    window.doc.set_selection(k for k in window.roll.index.keys if k[1].start < 2 * TPQ)
    window.edits.duplicate()
    assert window.doc.score.chord_symbols == (ChordSymbol(0, "C"), ChordSymbol(TPQ, "G7"),
                                              ChordSymbol(2 * TPQ, "C"),
                                              ChordSymbol(3 * TPQ, "G7"))
    window.doc.undo_stack.undo()
    assert window.doc.score.chord_symbols == chords
    # deleting notes leaves the chords (a chord holds over a rest too)
    window.edits.select_all()
    window.edits.delete_selection()
    assert window.doc.score.chord_symbols == chords


def test_the_ruler_draws_each_chord_cut_short_where_crowded(window):
    window.doc.load(lead_sheet(ChordSymbol(0, "C"), ChordSymbol(4 * TPQ, "F#m7b5/C"),
                               ChordSymbol(4 * TPQ + 120, "B7alt")))
    ruler = window.roll.ruler
    texts = [text for _x, _room, text in ruler.chord_layout()]
    assert texts[0] == "C" and texts[2] == "B7alt"
    assert texts[1] in ("", "…") or (texts[1].endswith("…") and len(texts[1]) < 8)
    window.roll.geo.set_px_per_quarter(400)  # zoomed in: room for all of it
    assert [text for _x, _room, text in ruler.chord_layout()][1] == "F#m7b5/C"
    ruler.grab()  # (paints without error)
