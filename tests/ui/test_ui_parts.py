"""The Parts panel and the roll's parts: the active part takes drawn notes and is the one drawn at
full colour; mute and solo change what playback renders; the instrument is the program in MIDI
export; add, delete and reorder are undo steps; drum parts are named on the keyboard; proposals
are drawn in their parts' colours over the struck-through notes they replace, and the view
follows them; the right-click menu, Help > Keyboard Shortcuts, short Undo/Redo labels."""

from __future__ import annotations

from dataclasses import replace

import mido
import numpy as np
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor
from ui_helpers import at, click, drag

from composer_gui.audio.playback import PlaybackEngine
from composer_gui.music import edits
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score
from composer_gui.ui import style, undo

RIGHT = Qt.MouseButton.RightButton


def two_parts() -> Score:
    low = tuple(Note(i * TPQ, 60 + i % 3, TPQ, 90) for i in range(8))
    high = tuple(Note(i * TPQ, 72 + i % 3, TPQ, 90) for i in range(8))
    return Score(parts=(Part(low, name="Low"), Part(high, name="High", program=40, channel=1)))


@pytest.fixture
def panel(window):
    return window.parts_dock.widget()


def pixel(widget, x: float, y: float) -> QColor:
    return widget.grab().toImage().pixelColor(int(x), int(y))


# ----- the active part ----------------------------------------------------------------------------
def test_the_panel_lists_the_parts_and_the_active_part_takes_drawn_notes(window, panel, qtbot):
    window.doc.load(two_parts())
    assert window.parts_dock.isVisible()
    assert [r.name.text() for r in panel.rows] == ["Low", "High"]
    assert panel.rows[1].instrument.currentText() == "Violin"
    assert panel.list.currentRow() == 0 and window.roll.corner.text() == "Low"
    qtbot.mouseClick(panel.rows[1], Qt.MouseButton.LeftButton)  # click the row: High is active
    assert window.roll.active_part == 1 and panel.list.currentRow() == 1
    assert window.roll.corner.text() == "High"
    # a long name ends in "…" in the corner, and its tooltip names it whole
    window.doc.load(replace(two_parts(), parts=(replace(two_parts().parts[0],
                                                        name="MusicXML Part of the Flutes"),
                                                two_parts().parts[1])))
    qtbot.mouseClick(panel.rows[0], Qt.MouseButton.LeftButton)
    assert window.roll.corner.text().startswith("Mus") and window.roll.corner.text()[-1] == "…"
    assert window.roll.corner.toolTip() == "New notes go to MusicXML Part of the Flutes"
    window.doc.load(two_parts())
    qtbot.mouseClick(panel.rows[1], Qt.MouseButton.LeftButton)
    roll = window.roll
    click(roll.canvas, at(roll, 10 * TPQ, 65))
    assert Note(10 * TPQ, 65, TPQ, 80) in window.doc.score.parts[1].notes
    assert len(window.doc.score.parts[0].notes) == 8
    # the roll draws the active part at full colour and the other dimmed
    x, y = roll.point_of(TPQ * 1.5, 72 + 1)
    assert pixel(roll.canvas, x, y) == style.part_colour(1)
    x, y = roll.point_of(TPQ * 1.5, 60 + 1)
    assert pixel(roll.canvas, x, y) == style.part_colour(0, dim=True)


def test_hidden_parts_leave_the_roll_and_come_back(window, panel, qtbot):
    window.doc.load(two_parts())
    roll = window.roll
    assert not panel.rows[0].shown.isEnabled()  # the active part stays in view
    qtbot.mouseClick(panel.rows[1].shown, Qt.MouseButton.LeftButton)
    assert roll.hidden_parts == {1}
    assert len(roll.index) == 8 and set(roll.index.parts.tolist()) == {0}
    window.edits.select_all()
    assert {p for p, _n in window.doc.selection} == {0}  # what is hidden is not selected
    roll.active_part = 1  # choosing a hidden part shows it again
    assert roll.hidden_parts == frozenset() and len(roll.index) == 16
    assert not window.doc.modified  # showing and hiding is a view, not an edit


def test_selection_and_proposal_colours_are_distinct_from_every_part_colour():
    def distance(a: QColor, b: QColor) -> float:
        return float(np.linalg.norm(np.subtract(a.getRgb()[:3], b.getRgb()[:3])))

    for colour in style.PART_COLOURS:
        assert distance(colour, style.SELECTED_FILL) > 120
        assert distance(colour, style.PROPOSAL_EDGE) > 60
        assert distance(style.mix(colour, style.BACKGROUND, style.DIM_AMOUNT),
                        style.SELECTED_FILL) > 120


# ----- mute, solo, instrument ----------------------------------------------------------------
def rendered(score: Score, synth) -> np.ndarray:
    """What the playback engine renders for ``score`` (its first 2 s)."""
    engine = PlaybackEngine(synth)
    engine.start(score)
    return engine.read(88200)


def test_mute_and_solo_change_what_playback_renders(window, panel, qtbot, sine_synth):
    score = two_parts()
    window.doc.load(score)
    only_low = score.with_parts([score.parts[0], Part(name="High")])
    only_high = score.with_parts([Part(name="Low"), score.parts[1]])
    both = rendered(score, sine_synth)
    assert np.abs(rendered(window.playback.playback_score(), sine_synth) - both).max() == 0

    qtbot.mouseClick(panel.rows[1].mute, Qt.MouseButton.LeftButton)
    assert window.doc.score.parts[1].muted
    heard = rendered(window.transport.score, sine_synth)
    assert np.abs(heard - rendered(only_low, sine_synth)).max() == 0
    assert np.abs(heard - both).max() > 0.01

    qtbot.mouseClick(panel.rows[1].solo, Qt.MouseButton.LeftButton)
    assert window.doc.score.parts[1].solo  # soloed but still muted: nothing is heard
    assert not np.abs(rendered(window.transport.score, sine_synth)).any()
    qtbot.mouseClick(panel.rows[1].mute, Qt.MouseButton.LeftButton)  # unmute: only High
    heard = rendered(window.transport.score, sine_synth)
    assert np.abs(heard - rendered(only_high, sine_synth)).max() == 0
    assert window.doc.undo_stack.undoText() == "Unmute High"
    for _ in range(3):
        window.act.undo.trigger()
    assert window.doc.score == score and not panel.rows[1].mute.isChecked()
    assert window.transport.score == score  # the files keep every part; so does playback again


def test_the_instrument_is_the_program_in_midi_export(window, panel, qtbot, tmp_path,
                                                      monkeypatch):
    window.doc.load(two_parts())
    combo = panel.rows[0].instrument
    combo.setCurrentIndex(73)  # what picking "74. Flute" in the list does
    combo.activated.emit(73)
    assert window.doc.score.parts[0].program == 73
    assert window.doc.undo_stack.undoText() == "Set Low to Flute"
    target = tmp_path / "out.mid"
    monkeypatch.setattr(window, "ask_save_path", lambda *_a: target)
    with qtbot.waitSignal(window.files.exported, timeout=10000):
        window.act.export_midi.trigger()
    programs = {(m.channel, m.program) for track in mido.MidiFile(target).tracks for m in track
                if m.type == "program_change"}
    assert programs == {(0, 73), (1, 40)}
    window.act.undo.trigger()
    assert window.doc.score.parts[0].program == 0 and combo.currentIndex() == 0


# ----- add, delete, reorder -------------------------------------------------------------------
def test_add_delete_and_reorder_are_each_one_undo_step(window, panel, qtbot):
    score = two_parts()
    window.doc.load(score)
    roll, stack = window.roll, window.doc.undo_stack
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert [p.name for p in window.doc.score.parts] == ["Low", "High", "Part 3"]
    assert roll.active_part == 2 and len(panel.rows) == 3 and stack.count() == 1
    assert window.doc.score.parts[2].channel not in (0, 1)
    click(roll.canvas, at(roll, 9 * TPQ, 64))  # drawn into the new part
    assert len(window.doc.score.parts[2].notes) == 1
    stack.undo()
    stack.undo()
    assert window.doc.score == score and len(panel.rows) == 2 and roll.active_part <= 1

    roll.active_part = 0
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    assert [p.name for p in window.doc.score.parts] == ["High"]
    assert stack.undoText() == "Delete part Low (8 notes)"
    assert not panel.delete_button.isEnabled()  # a score keeps one part at least
    stack.undo()
    assert window.doc.score == score

    # drag "High" above "Low" (the list's own move, as a drop makes it)
    roll.active_part = 1
    window.edits.select_all()
    panel.list.model().moveRow(QModelIndex(), 1, QModelIndex(), 0)
    qtbot.waitUntil(lambda: window.doc.score.parts[0].name == "High", timeout=2000)
    assert [p.name for p in window.doc.score.parts] == ["High", "Low"]
    assert [r.name.text() for r in panel.rows] == ["High", "Low"]
    assert roll.active_part == 0  # the active part moved with its row
    assert len(window.doc.selection) == 16  # the selection follows its notes
    assert {p for p, n in window.doc.selection if n.pitch >= 72} == {0}
    assert stack.undoText() == "Move part High"
    stack.undo()
    assert window.doc.score == score and roll.active_part == 1


def test_rename_is_one_undo_step(window, panel, qtbot):
    window.doc.load(two_parts())
    name = panel.rows[0].name
    name.setFocus()
    name.selectAll()
    qtbot.keyClicks(name, "Bass")
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert window.doc.score.parts[0].name == "Bass"
    assert window.doc.undo_stack.undoText() == "Rename Low to Bass"
    window.act.undo.trigger()
    assert panel.rows[0].name.text() == "Low"


def test_a_drum_part_shows_its_notes_and_names_the_drums(window, panel, qtbot):
    window.doc.load(two_parts())
    roll = window.roll
    panel.add_button.menu().actions()[1].trigger()  # Add > Drum Part
    drums = window.doc.score.parts[2]
    assert drums.is_drum and drums.channel == 9 and roll.active_part == 2
    assert not panel.rows[2].instrument.isEnabled()
    assert roll.keyboard.row_label(38) == "Acoustic Snare"
    assert roll.keyboard.row_label(42) == "Closed Hi-Hat"
    assert roll.keyboard.width() > 64  # room for the names
    roll.center_on_pitch(40)
    click(roll.canvas, at(roll, 0, 38))
    assert Note(0, 38, TPQ, 80) in window.doc.score.parts[2].notes
    assert roll.index.drums.sum() == 1  # drum notes are in the roll
    window.edits.select_none()
    window.edits.transpose(2)  # transposing everything leaves the drums alone
    assert Note(0, 38, TPQ, 80) in window.doc.score.parts[2].notes
    roll.active_part = 0
    assert roll.keyboard.row_label(60) == "C4" and roll.keyboard.width() == 64
    # the drum part moves up: the rows that showed pitched parts now show it, and back
    panel.move_part(2, 0)
    assert [r.instrument.isEnabled() for r in panel.rows] == [False, True, True]
    assert panel.rows[1].instrument.currentText() == "Acoustic Grand Piano"
    assert panel.rows[2].instrument.currentText() == "Violin"
    window.doc.undo_stack.undo()
    assert [r.instrument.isEnabled() for r in panel.rows] == [True, True, False]


# ----- the proposal -------------------------------------------------------------------------------
def test_a_proposal_is_drawn_in_its_parts_colours_over_the_notes_it_replaces(window, qtbot):
    window.doc.load(two_parts())
    roll = window.roll
    roll.center_on_pitch(66)
    roll.doc.set_selection(k for k in roll.index.keys if 2 * TPQ <= k[1].start < 4 * TPQ)
    with qtbot.waitSignal(window.controller.finished, timeout=5000):
        assert window.panel.start_regenerate()
    prop = window.proposal
    assert prop.active and prop.region == (2 * TPQ, 4 * TPQ)
    doomed = {roll.index.keys[i] for i in np.flatnonzero(roll.doomed_mask)}
    assert doomed == set(edits.region_notes(window.doc.score, 2 * TPQ, 4 * TPQ, prop.parts))
    assert doomed  # the notes in the region, faded and struck through
    part, note = roll.proposal_keys[0]
    x, y = roll.point_of(note.start + note.duration / 2, note.pitch)
    assert pixel(roll.canvas, x, y + 2) == style.part_colour(part)  # inside: the part's colour
    old = next(n for p, n in doomed if p == 1 and all(
        m.pitch != n.pitch or not (m.start < n.end and n.start < m.end) for m in prop.notes()))
    x, y = roll.point_of(old.start + old.duration / 2, old.pitch)
    assert pixel(roll.canvas, x, roll.geo.y_of(old.pitch) + 2) == style.part_colour(1, dim=True)
    strike = pixel(roll.canvas, x, roll.geo.y_of(old.pitch) + (roll.geo.row_h - 1) / 2)
    assert strike == style.REPLACED_STRIKE


def test_the_view_scrolls_and_fits_pitch_to_show_a_new_proposal(window, qtbot):
    bass = tuple(Note(i * TPQ, 36 + i % 5, TPQ) for i in range(48))  # 12 bars, low
    window.doc.load(Score(parts=(Part(bass),)))
    roll = window.roll
    roll.zoom_to_fit()
    t0, t1 = roll.visible_ticks()
    assert t1 < 48 * TPQ + 8 * TPQ  # the continuation's bars are out of view
    assert roll.geo.pitch_at(0) < 66  # and so are its pitches (60..68)
    with qtbot.waitSignal(window.controller.finished, timeout=5000):
        window.act["continue"].trigger()
    notes = window.proposal.notes()
    t0, t1 = roll.visible_ticks()
    assert t0 <= min(n.start for n in notes) and max(n.end for n in notes) <= t1
    top, bottom = roll.geo.pitch_at(0), roll.geo.pitch_at(roll.canvas.height() - 1)
    assert bottom <= min(n.pitch for n in notes) and max(n.pitch for n in notes) <= top
    assert t0 <= 47 * TPQ  # the bar it continues from shows too


def test_keyboard_moves_keep_the_moved_notes_in_view(window, qtbot):
    window.doc.load(Score(parts=(Part((Note(0, 64, TPQ),)),)))
    roll = window.roll
    roll.center_on_pitch(64)
    window.edits.select_all()
    canvas = roll.canvas
    canvas.setFocus()
    for _ in range(4):
        qtbot.keyClick(canvas, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)
    (_p, note), = window.doc.selection
    assert note.pitch == 64 + 48
    assert roll.geo.pitch_at(canvas.height() - 1) <= note.pitch <= roll.geo.pitch_at(0)
    for _ in range(5):  # Edit > Down an Octave: the same
        window.act.down8.trigger()
    (_p, note), = window.doc.selection
    assert note.pitch == 64 + 48 - 60
    assert roll.geo.pitch_at(canvas.height() - 1) <= note.pitch <= roll.geo.pitch_at(0)
    for _ in range(40):
        qtbot.keyClick(canvas, Qt.Key.Key_Right)
    (_p, note), = window.doc.selection
    t0, t1 = roll.visible_ticks()
    assert note.start == 40 * TPQ // 4 and t0 <= note.start and note.end <= t1


def test_opening_a_file_fits_the_score(window, qtbot, tmp_path):
    from composer_gui.music.formats import save_score

    path = tmp_path / "wide.mid"
    save_score(Score(parts=(Part(tuple(Note(i * TPQ, 30 + i, TPQ) for i in range(64))),)), path)
    window.roll.geo.set_px_per_quarter(200)
    with qtbot.waitSignal(window.files.replaced, timeout=10000):
        window.files.open_path(path)
    t0, t1 = window.roll.visible_ticks()
    assert t0 <= 0 and t1 >= 64 * TPQ
    roll = window.roll
    assert roll.geo.pitch_at(roll.canvas.height() - 1) <= 30 and roll.geo.pitch_at(0) >= 93


# ----- loose ends ---------------------------------------------------------------------------------
def test_the_right_click_menu_holds_the_windows_actions(window, qtbot):
    window.doc.load(two_parts())
    roll = window.roll
    names = [a.objectName().removeprefix("action_")
             for a in window.roll_menu.build().actions() if not a.isSeparator()]
    expected = ["cut", "copy", "paste", "delete", "quantize", "transpose", "phrase_end", "words",
                "chord", "regenerate"]
    assert names == expected + (["harmonize"] if "harmonize" in window.act else [])
    # a right-click on empty space with the Draw tool asks for it and erases nothing
    with qtbot.waitSignal(roll.contextMenuRequested, timeout=1000):
        click(roll.canvas, at(roll, 20 * TPQ, 50), RIGHT)
    assert window.doc.score == two_parts()
    assert window.roll_menu.menu is not None and window.roll_menu.menu.isVisible()
    window.roll_menu.menu.close()
    # on a note, the right button still erases it
    click(roll.canvas, at(roll, 0, 60), RIGHT)
    assert window.doc.score.note_count == 15
    # with the Select tool a right-click on a note selects it and opens the menu
    roll.set_tool("select")
    with qtbot.waitSignal(roll.contextMenuRequested, timeout=1000):
        click(roll.canvas, at(roll, TPQ, 61), RIGHT)
    assert {n for _p, n in window.doc.selection} == {Note(TPQ, 61, TPQ, 90)}
    window.roll_menu.menu.close()
    window.roll_menu.menu.actions()[0].trigger()  # Cut, as the menu's first item
    assert window.doc.score.note_count == 14


def test_help_lists_the_keyboard_shortcuts_from_the_actions(window, qtbot):
    dialog = window.show_shortcuts()
    qtbot.addWidget(dialog)
    table = dialog.table
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert rows["Undo"] == window.act.undo.shortcut().toString(
        window.act.undo.shortcut().SequenceFormat.NativeText)
    assert rows["Continue"] == window.act["continue"].shortcut().toString(
        window.act["continue"].shortcut().SequenceFormat.NativeText)
    assert "Shift+Up, Shift+Down" in rows.values()  # the roll's own keys too
    assert "1..8, Tab, Shift+Tab" in rows.values()  # (a review found Shift+Tab unlisted)
    assert "Alt+Up, Alt+Down" in rows.values()  # the Parts list's
    assert rows["Zoom In"] == "Ctrl++, Ctrl+="  # both zoom in (Ctrl+= on a US keyboard)
    assert "Export MusicXML" in rows and "MusicXML" not in rows  # (File > Export's, named)
    assert window.act.keep.text().endswith("\tEnter")  # (the roll's keys, shown in the menu)
    assert window.act.discard.text().endswith("\tEsc")
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert "Continue Panel" in [a.text() for a in view.actions()]
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    assert window.act.shortcuts in help_menu.actions()
    assert window.act.shortcuts.shortcut().toString() == "F1"
    # (greyed until notes are selected: its tooltip says so)
    assert window.act.regenerate.toolTip().startswith("Select some notes first")


def test_undo_and_redo_keep_short_labels_and_say_what_in_the_tooltip(window, qtbot):
    roll = window.roll
    drag(roll.canvas, at(roll, 0, 60), at(roll, 2 * TPQ, 60))
    assert window.act.undo.text() == "&Undo" and window.act.undo.isEnabled()
    assert window.act.undo.toolTip() == "Undo Add 1 note"
    window.act.undo.trigger()
    assert window.act.undo.text() == "&Undo" and not window.act.undo.isEnabled()
    assert window.act.redo.text() == "&Redo" and window.act.redo.toolTip() == "Redo Add 1 note"
    window.act.redo.trigger()
    assert window.doc.score.note_count == 1
    assert window.selection_label.text() == "1 of 1 note selected"


def test_key_changes_read_as_people_write_keys(window):
    window.doc.push(undo.key_command(window.doc, KeySignature(0, 3, "major")))
    assert window.doc.undo_stack.undoText() == "Set key to A major"


def test_an_empty_roll_says_how_to_begin(window):
    from composer_gui.ui.piano_roll.canvas import EMPTY_HINT

    assert "then press Continue" in EMPTY_HINT
    canvas = window.roll.canvas

    def hint_pixels() -> int:
        image = canvas.grab().toImage()
        y = canvas.height() // 2
        return sum(image.pixelColor(x, yy) == style.EMPTY_HINT
                   for x in range(0, canvas.width(), 1) for yy in range(y - 8, y + 8, 2))

    assert hint_pixels() > 0
    window.doc.load(two_parts())
    assert hint_pixels() == 0


def test_mute_and_solo_are_lit_when_on(panel):
    """On and off must be told apart at a glance (a review measured them 10/255 apart)."""
    row = panel.rows[0]

    def mean_colour(button) -> float:
        image = button.grab().toImage()
        return sum(image.pixelColor(x, y).red() + image.pixelColor(x, y).green()
                   for x in range(image.width()) for y in range(image.height())) / (
            image.width() * image.height())

    for button in (row.mute, row.solo):
        off = mean_colour(button)
        button.setChecked(True)
        assert abs(mean_colour(button) - off) > 40
        button.setChecked(False)


def test_the_continue_panels_scroll_area_is_no_tab_stop(window):
    """Tab goes from the panel's last control on, not to an invisible scroll area (a review's
    Tab order had a stop there)."""
    from PySide6.QtWidgets import QScrollArea

    area = window.findChild(QScrollArea, "continueScroll")
    assert area is not None and area.focusPolicy() == Qt.FocusPolicy.NoFocus


def test_the_arrows_and_alt_keys_move_the_active_part(window, panel, qtbot):
    """Reordering without a drag: the arrows under the list, or Alt+Up / Alt+Down in it; the
    moved part stays the active one, each move one undo step, an arrow greyed at an end."""
    window.doc.load(two_parts())
    roll, stack = window.roll, window.doc.undo_stack
    roll.active_part = 0
    assert not panel.up_button.isEnabled() and panel.down_button.isEnabled()
    qtbot.mouseClick(panel.down_button, Qt.MouseButton.LeftButton)
    assert [p.name for p in window.doc.score.parts] == ["High", "Low"]
    assert roll.active_part == 1 and stack.undoText() == "Move part Low"
    assert panel.up_button.isEnabled() and not panel.down_button.isEnabled()
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert [p.name for p in window.doc.score.parts] == ["Low", "High"]
    assert roll.active_part == 0
    qtbot.keyClick(panel.list, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)  # at the top
    assert [p.name for p in window.doc.score.parts] == ["Low", "High"] and stack.count() == 2


def test_tab_walks_the_window_as_it_reads(window, qtbot):
    """Header, Parts panel (its rows top to bottom, then its buttons), roll, Continue panel: a
    review had Tab reach the Parts panel after the Continue panel, and a new part's row last."""
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.doc.load(two_parts())
    panel = window.parts_dock.widget()
    panel.add_part()  # a row made after the window was: still in its place
    window.roll.active_part = 1

    def stop(w):
        return bool(w.focusPolicy() & Qt.FocusPolicy.TabFocus) and w.isEnabled() \
            and w.isVisibleTo(window) and w.focusProxy() is None

    chain, w = [], window.header.snap
    while w is not window.panel.model and len(chain) < 200:
        w = w.nextInFocusChain()
        if stop(w):
            chain.append(w)
    expected = [panel.list, *(w for row in panel.rows for w in row.tab_chain() if stop(w)),
                panel.add_button, panel.delete_button, panel.up_button, panel.down_button,
                window.roll.canvas, window.panel.model]
    assert chain == expected and len(panel.rows) == 3
    # and the keys follow it, at the joins
    for before, after in ((window.header.snap, panel.list),
                          (panel.down_button, window.roll.canvas),
                          (window.roll.canvas, window.panel.model)):
        before.setFocus()
        qtbot.waitUntil(lambda b=before: window.focusWidget() is b)
        qtbot.keyClick(before, Qt.Key.Key_Tab)
        assert window.focusWidget() is after


def test_a_new_proposal_scrolls_keep_and_the_variations_into_sight(window, qtbot):
    """In a short window the Continue panel scrolls; variations on show bring its Proposal box
    (Keep, Discard, the variation buttons) into view (a review's were below the fold)."""
    from PySide6.QtWidgets import QScrollArea

    window.resize(900, 420)
    window.doc.load(Score(parts=(Part(tuple(Note(i * TPQ, 60 + i % 5, TPQ)
                                            for i in range(8))),)))
    area = window.findChild(QScrollArea, "continueScroll")
    qtbot.waitUntil(lambda: area.verticalScrollBar().maximum() > 0)
    area.verticalScrollBar().setValue(0)
    box = window.panel.proposal_box

    def in_sight() -> bool:
        top = box.mapTo(area.viewport(), box.rect().topLeft()).y()
        return top >= 0 and top + box.height() <= area.viewport().height()

    assert not in_sight()
    with qtbot.waitSignal(window.controller.finished, timeout=5000):
        window.act["continue"].trigger()
    qtbot.waitUntil(in_sight)


def test_a_part_keeps_its_colour_when_parts_move(window, panel, qtbot, tmp_path):
    """Colours belong to the parts, not their places: moved, deleted around or added to, each
    part keeps the colour it shows, and the project file keeps it (a review's Tenor, moved up,
    had turned the Alto's orange)."""
    from composer_gui.music import project
    from composer_gui.ui import style

    window.doc.load(two_parts())
    score = window.doc.score
    before = [score.colour_of(i) for i in range(2)]
    assert before == [0, 1]
    panel.move_part(1, 0)
    score = window.doc.score
    assert [score.colour_of(i) for i in range(2)] == [1, 0]
    assert panel.rows[0].swatch.styleSheet().count(style.part_colour(1).name()) == 1
    window.roll.active_part = 1
    panel.delete_active()
    panel.add_part()
    score = window.doc.score
    assert [score.colour_of(i) for i in range(2)] == [1, 0]  # (the new part: the free colour)
    path = tmp_path / "p.composer.json"
    project.write_project(score, path)
    back = project.read_project(path)
    assert [back.colour_of(i) for i in range(2)] == [1, 0]
