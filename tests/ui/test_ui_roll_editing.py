"""The piano roll driven by mouse and keys: every edit lands in the score and is one undo step."""

from __future__ import annotations

from PySide6.QtCore import Qt
from ui_helpers import at, click, drag, move, press, release

from composer_gui.music.musicxml_writer import musicxml_text
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score, TempoChange

SIXTEENTH = TPQ // 4
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def notes(window) -> list[Note]:
    return window.doc.score.notes


def load(window, *ns: Note) -> None:
    window.doc.load(Score(parts=(Part(tuple(ns)),)))


def test_draw_a_note_by_click_and_drag_reads_back_from_the_score(window):
    roll = window.roll
    roll.set_tool("draw")
    # press inside the cell of beat 2 (tick 480) at E4, drag to the end of beat 3
    drag(roll.canvas, at(roll, TPQ + 30, 64), roll.point_of(3 * TPQ, 64))
    assert notes(window) == [Note(TPQ, 64, 2 * TPQ, 80)]
    assert window.doc.modified
    assert window.windowTitle() == "Untitled* — Composer"
    window.doc.undo_stack.undo()
    assert notes(window) == []
    window.doc.undo_stack.redo()
    assert notes(window) == [Note(TPQ, 64, 2 * TPQ, 80)]


def test_a_click_draws_a_note_of_the_last_length_and_alt_bypasses_the_snap(window):
    roll = window.roll
    click(roll.canvas, at(roll, 2 * TPQ + 80, 60))  # snaps down to the 1/16 cell start
    assert notes(window) == [Note(2 * TPQ, 60, TPQ, 80)]
    x, y = roll.point_of(5 * TPQ + 37, 67)
    click(roll.canvas, (x, y), modifiers=ALT)
    starts = sorted(n.start for n in notes(window))
    assert starts[0] % SIXTEENTH == 0
    assert abs(starts[1] - (5 * TPQ + 37)) <= 10  # placed where clicked (1 px = 10 ticks)
    assert starts[1] % SIXTEENTH != 0
    assert window.doc.undo_stack.count() == 2


def test_esc_during_a_rubber_band_leaves_the_selection_as_it_was(window, qtbot):
    """The notes the box reached are not left selected (a review's): Esc ends the box and
    puts back the selection from before it."""
    ns = [Note(0, 60, TPQ), Note(TPQ, 62, TPQ), Note(2 * TPQ, 64, TPQ)]
    load(window, *ns)
    roll = window.roll
    roll.set_tool("select")
    window.doc.set_selection({(0, ns[2])})
    a = roll.point_of(0, 65)
    press(roll.canvas, (a[0] + 1, a[1]))
    move(roll.canvas, roll.point_of(TPQ + 100, 59))
    assert len(window.doc.selection) == 2  # the box's notes, the old selection dropped
    qtbot.keyClick(roll.canvas, Qt.Key.Key_Escape)
    assert window.doc.selection == frozenset({(0, ns[2])})
    assert not roll.busy


def test_a_click_just_after_a_note_draws_the_same_pitch_again(window):
    """Repeated notes by clicks: a click a few ticks into the next cell, on the hit slack past
    the note's end, draws a new note (a review drew 14 and got 8, each second note of a pair
    lengthening the first); the end is still grabbed from inside the note."""
    roll = window.roll
    roll.set_tool("draw")
    click(roll.canvas, at(roll, 10, 67))
    x, y = roll.point_of(TPQ + 8, 67)  # 0.8 px into the next beat, as the review clicked
    click(roll.canvas, (x, y))
    assert [(n.start, n.duration) for n in notes(window)] == [(0, TPQ), (TPQ, TPQ)]
    inside = roll.point_of(2 * TPQ - 20, 67)  # inside the second note, by its end: resize
    drag(roll.canvas, (inside[0], inside[1]), roll.point_of(3 * TPQ - 20, 67))
    assert [(n.start, n.duration) for n in notes(window)] == [(0, TPQ), (TPQ, 2 * TPQ)]


def test_move_by_drag_is_one_undo_step(window):
    load(window, Note(0, 60, TPQ), Note(TPQ, 62, TPQ))
    roll = window.roll
    roll.set_tool("select")
    # drag the first note one beat right and two semitones up, in many small moves
    start = at(roll, 100, 60)
    end = (start[0] + 48, roll.point_of(0, 62)[1])
    drag(roll.canvas, start, end, steps=20)
    # dropped on its twin, it takes its place: not two notes drawn as one (a review's)
    assert notes(window) == [Note(TPQ, 62, TPQ)]
    assert window.doc.undo_stack.count() == 1
    assert window.doc.undo_stack.undoText() == "Move 1 note"
    window.doc.undo_stack.undo()
    assert notes(window) == [Note(0, 60, TPQ), Note(TPQ, 62, TPQ)]
    window.doc.undo_stack.redo()
    assert notes(window) == [Note(TPQ, 62, TPQ)]


def test_move_with_draw_tool_on_a_note_moves_it_instead_of_drawing(window):
    load(window, Note(0, 60, TPQ))
    roll = window.roll
    roll.set_tool("draw")
    s = at(roll, 60, 60)
    drag(roll.canvas, s, (s[0] + 96, s[1]))
    assert notes(window) == [Note(2 * TPQ, 60, TPQ)]


def test_resize_by_dragging_the_right_edge_snaps_to_the_grid(window):
    load(window, Note(0, 60, TPQ))
    roll = window.roll
    roll.set_tool("select")
    x, y = roll.point_of(TPQ, 60)
    drag(roll.canvas, (x - 2, y), (x + 48 * 1.5 + 3, y))  # to 2.5 beats
    assert notes(window) == [Note(0, 60, 5 * TPQ // 2)]
    window.doc.undo_stack.undo()
    assert notes(window) == [Note(0, 60, TPQ)]
    window.doc.undo_stack.redo()
    assert notes(window) == [Note(0, 60, 5 * TPQ // 2)]


def test_delete_key_and_erase_tool_each_one_undo_step(window, qtbot):
    load(window, Note(0, 60, TPQ), Note(TPQ, 62, TPQ), Note(2 * TPQ, 64, TPQ))
    roll = window.roll
    roll.set_tool("select")
    click(roll.canvas, at(roll, 10, 60))
    assert window.doc.selection == {(0, Note(0, 60, TPQ))}
    qtbot.keyClick(roll.canvas, Qt.Key.Key_Delete)
    assert notes(window) == [Note(TPQ, 62, TPQ), Note(2 * TPQ, 64, TPQ)]
    roll.set_tool("erase")
    # one sweep over both remaining notes: one command
    a, b = at(roll, TPQ + 10, 62), at(roll, 2 * TPQ + 10, 64)
    press(roll.canvas, a)
    move(roll.canvas, b)
    release(roll.canvas, b)
    assert notes(window) == []
    stack = window.doc.undo_stack
    assert stack.count() == 2
    stack.undo()
    assert len(notes(window)) == 2
    stack.undo()
    assert len(notes(window)) == 3
    stack.redo()
    stack.redo()
    assert notes(window) == []


def test_right_click_in_draw_tool_erases(window):
    load(window, Note(0, 60, TPQ))
    roll = window.roll
    roll.set_tool("draw")
    click(roll.canvas, at(roll, 10, 60), button=Qt.MouseButton.RightButton)
    assert notes(window) == []


def test_rubber_band_selects_the_notes_it_touches_and_shift_ctrl_click_extend(window):
    ns = [Note(0, 60, TPQ), Note(TPQ, 62, TPQ), Note(2 * TPQ, 64, TPQ), Note(6 * TPQ, 72, TPQ)]
    load(window, *ns)
    roll = window.roll
    roll.set_tool("select")
    # box from before the first note (above E4) to inside the third one (below C4)
    a = roll.point_of(0, 65)
    b = roll.point_of(2 * TPQ + 100, 59)
    drag(roll.canvas, (a[0] + 1, a[1]), b)
    assert {n for _, n in window.doc.selection} == set(ns[:3])
    assert "3 of 4 notes selected" in window.selection_label.text()
    click(roll.canvas, at(roll, 6 * TPQ + 10, 72), modifiers=SHIFT)
    assert len(window.doc.selection) == 4
    click(roll.canvas, at(roll, 10, 60), modifiers=CTRL)  # Ctrl-click toggles it off
    assert {n for _, n in window.doc.selection} == set(ns[1:])
    # a plain click on empty space clears the selection and puts the cursor there
    click(roll.canvas, at(roll, 4 * TPQ + 5, 50))
    assert window.doc.selection == frozenset()
    assert roll.cursor_tick == 4 * TPQ
    window.act.select_all.trigger()
    assert len(window.doc.selection) == 4


def test_arrow_keys_move_by_grid_step_and_octave(window, qtbot):
    load(window, Note(TPQ, 60, TPQ))
    roll = window.roll
    window.edits.select_all()
    roll.canvas.setFocus()
    qtbot.keyClick(roll.canvas, Qt.Key.Key_Right)
    assert notes(window) == [Note(TPQ + SIXTEENTH, 60, TPQ)]
    qtbot.keyClick(roll.canvas, Qt.Key.Key_Left)
    qtbot.keyClick(roll.canvas, Qt.Key.Key_Left)
    assert notes(window) == [Note(TPQ - SIXTEENTH, 60, TPQ)]
    qtbot.keyClick(roll.canvas, Qt.Key.Key_Up)
    assert notes(window)[0].pitch == 61
    qtbot.keyClick(roll.canvas, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)
    assert notes(window)[0].pitch == 73
    qtbot.keyClick(roll.canvas, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(roll.canvas, Qt.Key.Key_Down)
    assert notes(window) == [Note(TPQ - SIXTEENTH, 60, TPQ)]
    assert window.doc.undo_stack.count() == 7
    assert len(window.doc.selection) == 1  # the moved note stays selected


def test_undo_redo_shortcuts(window, qtbot):
    roll = window.roll
    click(roll.canvas, at(roll, 10, 60))
    assert len(notes(window)) == 1
    window.activateWindow()
    qtbot.keyClick(roll.canvas, Qt.Key.Key_Z, CTRL)
    assert notes(window) == []
    qtbot.keyClick(roll.canvas, Qt.Key.Key_Z, CTRL | SHIFT)
    assert len(notes(window)) == 1
    qtbot.keyClick(roll.canvas, Qt.Key.Key_Z, CTRL)
    qtbot.keyClick(roll.canvas, Qt.Key.Key_Y, CTRL)
    assert len(notes(window)) == 1


def test_velocity_lane_drag_sets_velocity_in_one_step(window):
    load(window, Note(0, 60, TPQ, 80), Note(TPQ, 62, TPQ, 80))
    roll = window.roll
    lane = roll.velocity
    x = roll.geo.x_of(TPQ) + 1
    drag(lane, (x, lane.y_of(80)), (x, lane.y_of(120)))
    vels = [n.velocity for n in notes(window)]
    assert vels[0] == 80 and abs(vels[1] - 120) <= 3
    assert window.doc.undo_stack.count() == 1
    window.doc.undo_stack.undo()
    assert [n.velocity for n in notes(window)] == [80, 80]


def test_keyboard_click_auditions_the_pitch(window, qtbot):
    roll = window.roll
    y = roll.point_of(0, 67)[1]
    with qtbot.waitSignal(roll.noteAuditioned) as blocker:
        click(roll.keyboard, (20, y))
    assert blocker.args == [67]


def test_ctrl_wheel_zooms_and_scroll_bars_scroll(window, qtbot):
    roll = window.roll
    before = roll.geo.px_per_quarter
    qtbot.wait(1)
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    ev = QWheelEvent(QPointF(100, 100), QPointF(100, 100), QPoint(0, 0), QPoint(0, 120),
                     Qt.MouseButton.NoButton, CTRL, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(roll.canvas, ev)
    assert roll.geo.px_per_quarter > before
    roll.hbar.setValue(200)
    assert roll.geo.x_off == 200
    y0 = roll.geo.y_off
    roll.vbar.setValue(int(y0) + 60)
    assert roll.geo.y_off == y0 + 60


def test_key_signature_highlights_rows_and_header_edits_are_undoable(window):
    header = window.header
    header.key.setCurrentIndex(header.key.findText("D major"))
    assert window.doc.score.key == KeySignature(0, 2, "major")
    header.tempo.setValue(90)
    header.tempo.setValue(96)  # merges with the previous tempo change
    header.numerator.setValue(3)
    assert window.doc.score.tempo.bpm == 96
    assert str(window.doc.score.time_signature) == "3/4"
    stack = window.doc.undo_stack
    assert stack.count() == 3
    stack.undo()
    assert str(window.doc.score.time_signature) == "4/4"
    assert header.numerator.value() == 4
    stack.undo()
    assert window.doc.score.tempo.bpm == 120
    stack.undo()
    assert window.doc.score.key is None


def test_a_tempo_set_in_the_header_keeps_the_marks_words_and_note_value(window):
    """An air's "Slow" dotted half = 42 set to 132 quarters in the toolbar is "Slow" dotted
    half = 44: the words and the note value the mark counts stay with the new pace."""
    slow = TempoChange.from_bpm(0, 126, "Slow", unit=3 * TPQ)
    window.doc.load(Score(parts=(Part((Note(0, 67, TPQ),)),), tempos=(slow,)))
    window.header.tempo.setValue(132)
    tempo = window.doc.score.tempo
    assert round(tempo.bpm) == 132 and tempo.words == "Slow" and tempo.unit == 3 * TPQ


def test_transpose_and_quantize_actions(window):
    load(window, Note(10, 60, TPQ - 10), Note(TPQ + 5, 64, TPQ))
    window.edits.transpose(12)
    assert [n.pitch for n in notes(window)] == [72, 76]
    window.edits.quantize()
    assert [(n.start, n.duration) for n in notes(window)] == [(0, TPQ), (TPQ, TPQ)]
    said = []
    window.edits.status.connect(lambda text, _ms: said.append(text))
    window.edits.quantize()  # on the grid already: said, no undo step
    assert said == ["Nothing to quantize: the selected notes already sit on the grid"]
    window.edits.transpose(100)  # out of range: refused, nothing changes
    assert [n.pitch for n in notes(window)] == [72, 76]
    assert window.doc.undo_stack.count() == 2


def test_transposing_every_note_moves_the_key_signature_with_them(window):
    """F# minor up a whole tone is G# minor (the header and an export say so); one undo step
    takes notes and key back. Transposing some of the notes leaves the key alone."""
    fsharp = KeySignature(0, 3, "minor")
    window.doc.load(Score(parts=(Part((Note(0, 66, TPQ), Note(TPQ, 69, TPQ))),
                                 Part((Note(0, 54, 2 * TPQ),))), key_signatures=(fsharp,)))
    window.edits.transpose(2)
    assert window.doc.score.key == KeySignature(0, 5, "minor")
    assert window.header.key.currentText() == "G# minor"
    assert [n.pitch for n in window.doc.score.notes] == [56, 68, 71]
    stack = window.doc.undo_stack
    assert stack.count() == 1 and "G# minor" in stack.undoText()
    stack.undo()
    assert window.doc.score.key == fsharp and [n.pitch for n in window.doc.score.notes] == [
        54, 66, 69]
    window.doc.set_selection({(0, Note(0, 66, TPQ))})
    window.edits.transpose(2)
    assert window.doc.score.key == fsharp


def test_an_upbeat_set_from_the_edit_menu_moves_the_bar_lines(window):
    """Edit > Set Upbeat: the choices run in eighths below a bar; a quarter's upbeat makes the
    first note bar 0 and the next one bar 1, one undo step named for it, and undo puts the
    notes back."""
    ns = (Note(0, 67, TPQ), Note(TPQ, 72, TPQ))
    window.doc.load(Score(parts=(Part(ns),)))
    choices = window.upbeat_choices()
    assert choices[:3] == [("None", 0), ("an eighth", TPQ // 2), ("a quarter", TPQ)]
    assert choices[-1] == ("7 eighths", 7 * TPQ // 2)
    window.edits.set_upbeat(TPQ)
    score = window.doc.score
    assert score.upbeat == TPQ and [n.start for n in score.notes] == [3 * TPQ, 4 * TPQ]
    assert score.position(4 * TPQ)[0] == 1 and score.position(3 * TPQ)[0] == 0
    stack = window.doc.undo_stack
    assert stack.count() == 1 and stack.undoText() == "Set upbeat to a quarter"
    stack.undo()
    assert window.doc.score.notes == list(ns) and window.doc.score.upbeat == 0


def test_key_changes_in_a_row_are_one_step_named_for_the_last(window):
    """Keys picked one after another merge into one undo step; its label names the last key
    (a review read "Set key to D Dorian" over F major), and picking the first key back makes
    no step at all."""
    header, stack = window.header, window.doc.undo_stack
    for name in ("D major", "D minor", "F major"):
        header.key.setCurrentIndex(header.key.findText(name))
    assert stack.count() == 1 and stack.undoText() == "Set key to F major"
    stack.undo()
    assert window.doc.score.key is None
    stack.redo()
    assert window.doc.score.key == KeySignature(0, -1, "major")
    header.numerator.setValue(3)  # (another kind of step between)
    header.key.setCurrentIndex(header.key.findText("G major"))
    header.key.setCurrentIndex(header.key.findText("F major"))
    assert stack.count() == 2 and stack.undoText() == "Set time signature to 3/4"


def test_a_sung_note_shows_its_syllable(window, qtbot):
    """A chorale opened from a file reads as its text in the roll: each note's syllable is
    written in it (where it fits), and only there."""
    def shot(lyric):
        window.doc.load(Score(parts=(Part((Note(0, 64, 4 * TPQ, lyric=lyric),)),)))
        window.roll.canvas.repaint()
        return window.roll.canvas.grab().toImage()

    plain, sung = shot(None), shot("Lob-")
    assert window.roll.index.sung.tolist() == [0]
    x0, y0 = (int(v) for v in at(window.roll, 0, 64))
    box = [(x, y) for x in range(x0, x0 + 40) for y in range(y0 - 5, y0 + 6)]
    assert sum(plain.pixel(x, y) != sung.pixel(x, y) for x, y in box) > 10
    assert shot(None).pixel(x0 + 10, y0) == plain.pixel(x0 + 10, y0)


def test_a_melody_clicked_in_note_by_note_stays_one_line(window):
    """With the last length a half note, clicks a beat apart make a line of quarters, not
    overlapping halves (a review's melody became chords, and the chorale model wrote four
    voices into it); each click one undo step; a chord drawn note by note stays a chord."""
    roll = window.roll
    drag(roll.canvas, at(roll, 0, 60), at(roll, 2 * TPQ - 10, 60))  # a half note
    for beat, pitch in ((1, 62), (2, 64)):
        click(roll.canvas, at(roll, beat * TPQ, pitch))
    assert notes(window) == [Note(0, 60, TPQ), Note(TPQ, 62, TPQ), Note(2 * TPQ, 64, 2 * TPQ)]
    click(roll.canvas, at(roll, 2 * TPQ, 67))  # a third above, struck with it: a chord
    assert Note(2 * TPQ, 67, 2 * TPQ) in notes(window)
    stack = window.doc.undo_stack
    stack.undo()
    stack.undo()
    assert notes(window) == [Note(0, 60, TPQ), Note(TPQ, 62, 2 * TPQ)]
    # ... clicked before a later note of the line, the new note ends where that one starts
    click(roll.canvas, at(roll, 4 * TPQ, 65))
    click(roll.canvas, at(roll, 3 * TPQ, 64))
    assert Note(3 * TPQ, 64, TPQ) in notes(window)


def test_a_chord_in_the_line_leaves_it_a_line(window):
    """A chord drawn note by note in a melody: the notes clicked after it still end where the
    next begins, and the chord they start inside ends there (a second review's clicks after a
    chord overlapped again)."""
    roll = window.roll
    drag(roll.canvas, at(roll, 0, 60), at(roll, 2 * TPQ - 10, 60))  # a half note...
    click(roll.canvas, at(roll, 0, 64))  # ... and a third over it: a chord
    click(roll.canvas, at(roll, TPQ, 67))  # a beat later: the chord ends there
    click(roll.canvas, at(roll, 3 * TPQ, 69))
    click(roll.canvas, at(roll, 2 * TPQ, 65))  # before the A: ends where it starts
    assert notes(window) == [Note(0, 60, TPQ), Note(0, 64, TPQ), Note(TPQ, 67, TPQ),
                             Note(2 * TPQ, 65, TPQ), Note(3 * TPQ, 69, 2 * TPQ)]


def test_a_held_bass_under_a_melody_is_left_as_it_is(window):
    """Two voices in one part (a bass held under moving notes): a note clicked in leaves the
    held note whole."""
    window.doc.load(Score(parts=(Part((Note(0, 48, 4 * TPQ), Note(0, 67, TPQ),
                                       Note(TPQ, 69, TPQ))),),))
    roll = window.roll
    click(roll.canvas, at(roll, 2 * TPQ, 71))
    assert Note(0, 48, 4 * TPQ) in notes(window)


def test_marks_from_the_edit_menu_and_their_keys_each_one_undo_step(window, qtbot):
    """Edit > Marks: Shift+S puts a staccato on each selected note (again: off), S a slur over
    the selection; each is one undo step, the roll writes the signs in the notes, and the
    MusicXML export carries them."""
    load(window, Note(0, 60, TPQ), Note(TPQ, 62, TPQ), Note(2 * TPQ, 64, TPQ))
    canvas = window.roll.canvas
    canvas.setFocus()
    said = []
    window.edits.status.connect(lambda text, _ms: said.append(text))
    qtbot.keyClick(canvas, Qt.Key.Key_S, SHIFT)  # nothing selected: the item is off
    assert not window.act["staccato"].isEnabled() and not said
    window.edits.toggle_mark("staccato")
    assert said == ["Select the notes to put a staccato on"]
    qtbot.keyClick(canvas, Qt.Key.Key_A, CTRL)
    assert window.act["staccato"].isEnabled()
    qtbot.keyClick(canvas, Qt.Key.Key_S, SHIFT)
    assert [n.marks for n in notes(window)] == [("staccato",)] * 3
    assert said[-1] == "Staccato on 3 notes"
    qtbot.keyClick(canvas, Qt.Key.Key_S)
    assert [n.marks for n in notes(window)] == [
        ("slur-start", "staccato"), ("staccato",), ("slur-stop", "staccato")]
    assert window.doc.undo_stack.undoText() == "Slur on"
    assert window.roll.index.sung.tolist() == [0, 1, 2]  # (the signs written in the notes)
    xml = musicxml_text(window.doc.score)
    assert xml.count("<staccato/>") == 3 and xml.count("<slur ") == 2
    window.act["trill"].trigger()
    qtbot.keyClick(canvas, Qt.Key.Key_S, SHIFT)  # all have it: off
    assert [n.marks for n in notes(window)] == [
        ("slur-start", "trill"), ("trill",), ("slur-stop", "trill")]
    assert window.doc.undo_stack.count() == 4
    for _ in range(4):
        window.doc.undo_stack.undo()
    assert [n.marks for n in notes(window)] == [(), (), ()]
    assert window.roll.index.sung.tolist() == []


def test_a_dynamic_from_the_edit_menu_is_one_undo_step(window, qtbot):
    """Edit > Dynamics > p: the selection's first note marked p, the notes from there played
    at p (the velocity lane shows it), the roll writes "p" in the note; undo takes it back."""
    load(window, *(Note(i * TPQ, 60 + i, TPQ) for i in range(4)))
    window.roll.canvas.setFocus()
    qtbot.keyClick(window.roll.canvas, Qt.Key.Key_A, CTRL)
    window.act["dynamic_p"].trigger()
    assert [(n.marks, n.velocity) for n in notes(window)] == [(("p",), 49)] + [((), 49)] * 3
    assert window.doc.undo_stack.undoText() == "Dynamic p"
    assert window.roll.index.sung.tolist() == [0]
    window.act["dynamic_none"].trigger()
    assert [(n.marks, n.velocity) for n in notes(window)] == [((), 49)] * 4
    window.doc.undo_stack.undo()
    window.doc.undo_stack.undo()
    assert [(n.marks, n.velocity) for n in notes(window)] == [((), 80)] * 4


def test_a_crescendo_from_the_edit_menu_goes_under_the_selection(window, qtbot):
    load(window, *(Note(i * TPQ, 60 + i, TPQ) for i in range(4)))
    window.roll.canvas.setFocus()
    qtbot.keyClick(window.roll.canvas, Qt.Key.Key_A, CTRL)
    window.act["crescendo"].trigger()
    assert [n.marks for n in notes(window)] == [("crescendo-start",), (), (),
                                                ("crescendo-stop",)]
    assert window.doc.undo_stack.undoText() == "Crescendo on"
    window.act["crescendo"].trigger()  # again: off
    assert [n.marks for n in notes(window)] == [()] * 4


def test_the_pedal_from_the_edit_menu_goes_under_the_selection(window, qtbot):
    """Edit > Marks > Pedal: down at the selection's first (lowest) note, up at the end of
    the note that ends last; one undo step; again, off."""
    load(window, Note(0, 48, 4 * TPQ), *(Note(i * TPQ, 64 + i, TPQ) for i in range(4)))
    window.roll.canvas.setFocus()
    qtbot.keyClick(window.roll.canvas, Qt.Key.Key_A, CTRL)
    window.act["pedal"].trigger()
    assert [(n.pitch, n.marks) for n in notes(window) if n.marks] == [
        (48, ("pedal-start", "pedal-stop"))]
    assert window.doc.undo_stack.undoText() == "Pedal on"
    window.act["pedal"].trigger()
    assert not any(n.marks for n in notes(window))
    window.doc.undo_stack.undo()
    window.doc.undo_stack.undo()
    assert not any(n.marks for n in notes(window))
