"""Open, save, export, the unsaved-changes prompt, bad files, recent files and the title."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from ui_helpers import at, click

from composer_gui.music.formats import load_score, save_score
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score, TimeSignature
from composer_gui.ui import undo


def a_score() -> Score:
    return Score(parts=(Part((Note(0, 60, TPQ), Note(TPQ, 64, TPQ, 100)), name="Piano"),),
                 time_signatures=(TimeSignature(0, 3, 4),),
                 key_signatures=(KeySignature(0, -1, "major"),))


def open_file(window, qtbot, path: Path) -> None:
    with qtbot.waitSignal(window.files.fileOpened, timeout=10000):
        assert window.files.open_path(path) is not None


def test_open_edit_save_reopen_gives_the_same_score(window, qtbot, tmp_path):
    path = tmp_path / "sketch.composer.json"
    save_score(a_score(), path)
    open_file(window, qtbot, path)
    assert window.doc.score.notes == a_score().notes
    assert window.windowTitle() == "sketch.composer.json — Composer"
    assert str(window.doc.score.time_signature) == "3/4"
    assert window.header.key.currentText() == "F major"
    roll = window.roll
    roll.geo.set_px_per_quarter(48)
    roll.geo.set_offsets(x_off=0)
    roll.center_on_pitch(64)
    click(roll.canvas, at(roll, 2 * TPQ, 67))  # draw one more note
    assert window.windowTitle() == "sketch.composer.json* — Composer"
    edited = window.doc.score
    qtbot.keyClick(roll.canvas, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not window.doc.modified
    assert window.windowTitle() == "sketch.composer.json — Composer"
    assert load_score(path) == edited
    window.files.new_document()
    assert window.doc.score.notes == []
    open_file(window, qtbot, path)
    assert window.doc.score == edited
    assert window.settings.recent_files()[0] == str(path.resolve())


def test_a_modal_abc_tune_shows_its_mode(window, qtbot, tmp_path):
    """K:Ddor opens as D Dorian in the header and the Continue panel, which will write in it."""
    path = tmp_path / "scarborough.abc"
    path.write_text("X:1\nT:Scarborough Fair\nM:3/4\nL:1/8\nK:Ddor\n"
                    "D2 D2 A2 | A3 B A2 | F2 G2 E2 | D6 |\nA2 c2 d2 | c4 A2 | B2 G2 A2 | A6 |]\n",
                    encoding="utf-8")
    open_file(window, qtbot, path)
    assert window.header.key.currentText() == "D Dorian"
    assert window.panel.key.itemText(0) == "D Dorian (key signature)"
    # a rarer mode joins the header's list; key changes in a row undo as one step
    window.doc.push(undo.key_command(window.doc, KeySignature(0, 0, "phrygian")))
    assert window.header.key.currentText() == "E Phrygian"
    window.header.key.setCurrentIndex(window.header.key.findText("G Mixolydian"))
    assert window.doc.score.key == KeySignature(0, 0, "mixolydian")
    window.doc.undo_stack.undo()
    assert window.doc.score.key == KeySignature(0, 0, "dorian")
    assert window.header.key.currentText() == "D Dorian"


def test_an_abc_collection_asks_which_tune_to_open(window, qtbot, tmp_path, monkeypatch):
    """A file of several tunes lists their titles; the one chosen is opened, and cancelling
    opens none (the document stays as it was)."""
    path = tmp_path / "book.abc"
    path.write_text("L:1/8\nX:1\nT:Reel\nM:4/4\nK:G\nGABc d2B2|c2A2 G4|\n\n"
                    "X:2\nT:Jig\nM:6/8\nK:D\nDFA dAF|G3 F3|E3 D3|\n\nX:3\nM:3/4\nK:F\nFAc|\n",
                    encoding="utf-8")
    asked = []

    def choose(name, titles):
        asked.append((name, titles))
        return answer

    monkeypatch.setattr(window, "ask_tune", choose)
    answer = None
    window.doc.load(Score(parts=(Part((Note(0, 60, 480),)),)))
    window.doc.undo_stack.setClean()
    window.proposal.begin(1, 480, None, 0)  # variations on show: kept unless a tune is chosen
    window.proposal.add([type("G", (), {"variation": 0, "note": Note(480, 62, 480)})()])
    assert window.files.open_path(path) is None
    assert window.prompts == [] and window.proposal.active  # (the tune list came first)
    window.proposal.clear()
    window.doc.load(Score())
    answer = 1
    open_file(window, qtbot, path)
    assert asked[-1] == ("book.abc", ["Reel", "Jig", ""])
    assert window.doc.score.title == "Jig" and window.doc.score.note_count == 10
    assert str(window.doc.score.time_signature) == "6/8"
    # the tune goes by its own name, not the collection's (a review saw every tune of an
    # O'Neill's book called "0001-0050.abc", and offered as "0001-0050.composer.json")
    assert window.windowTitle().startswith("Jig (book.abc)")
    offered = []
    monkeypatch.setattr(window, "ask_save_path",
                        lambda title, filters, suggested: offered.append(suggested))
    window.files.save_as()
    window.files.export("midi")
    assert offered == ["Jig.composer.json", "Jig.mid"]
    one = tmp_path / "one.abc"
    one.write_text("X:1\nT:Alone\nM:3/4\nL:1/4\nK:F\nFAc|f2c|A3|\n", encoding="utf-8")
    open_file(window, qtbot, one)  # a single tune: no question
    assert len(asked) == 2 and window.doc.score.title == "Alone"


def test_midi_opens_then_save_asks_for_a_project_name_and_exports_work(
        window, qtbot, tmp_path, monkeypatch):
    mid = tmp_path / "tune.mid"
    save_score(a_score(), mid)
    open_file(window, qtbot, mid)
    assert window.doc.score.notes == a_score().notes
    assert window.doc.path is None  # Save will not overwrite the MIDI file
    asked = []

    def ask(title, filters, suggested):
        asked.append(suggested)
        return tmp_path / "tune"

    monkeypatch.setattr(window, "ask_save_path", ask)
    window.edits.transpose(2)
    assert window.files.save()
    assert asked == ["tune.composer.json"]
    assert window.doc.path == tmp_path / "tune.composer.json"
    assert load_score(tmp_path / "tune.composer.json") == window.doc.score
    for name in ("out.mid", "out.musicxml"):
        with qtbot.waitSignal(window.files.exported, timeout=20000):
            window.files.export_to(tmp_path / name)
    assert load_score(tmp_path / "out.mid").notes == window.doc.score.notes
    assert not window.doc.modified


def test_unsaved_changes_prompt_on_new_open_and_close(window, qtbot, tmp_path, monkeypatch):
    roll = window.roll
    click(roll.canvas, at(roll, 0, 60))
    window.answer = "cancel"
    assert not window.files.new_document()
    assert window.prompts == ["Untitled"]
    assert len(window.doc.score.notes) == 1  # kept
    other = tmp_path / "other.composer.json"
    save_score(a_score(), other)
    assert window.files.open_path(other) is None  # cancelled: nothing is read
    assert len(window.doc.score.notes) == 1
    window.close()
    assert window.isVisible()  # cancelling keeps the window open
    # "save" saves first (here through Save As), then goes on
    monkeypatch.setattr(window, "ask_save_path", lambda *a: tmp_path / "kept.composer.json")
    window.answer = "save"
    assert window.files.new_document()
    assert load_score(tmp_path / "kept.composer.json").notes == [Note(0, 60, TPQ, 80)]
    assert window.doc.score.notes == []
    # "discard" throws the changes away; an unmodified document is never asked about
    click(roll.canvas, at(roll, 0, 62))
    window.answer = "discard"
    prompts = len(window.prompts)
    assert window.files.new_document()
    assert len(window.prompts) == prompts + 1
    assert window.files.new_document()
    assert len(window.prompts) == prompts + 1


@pytest.mark.parametrize("content", [b"MThd\x00\x00\x00\x06garbage", b"{not json",
                                     b"<score-partwise><part"])
def test_a_broken_file_shows_a_message_and_leaves_the_document_untouched(
        window, qtbot, tmp_path, content):
    roll = window.roll
    click(roll.canvas, at(roll, 0, 60))
    before = window.doc.score
    suffix = {b"M": ".mid", b"{": ".composer.json", b"<": ".musicxml"}[content[:1]]
    bad = tmp_path / f"broken{suffix}"
    bad.write_bytes(content)
    window.answer = "discard"
    with qtbot.waitSignal(window.files.openFailed, timeout=15000):
        window.files.open_path(bad)
    assert len(window.errors) == 1
    _title, text = window.errors[0]
    assert "broken" in text and "Traceback" not in text
    assert window.doc.score is before and window.doc.modified
    assert window.doc.undo_stack.count() == 1


def test_opening_a_missing_file_reports_it(window, qtbot, tmp_path):
    with qtbot.waitSignal(window.files.openFailed, timeout=5000):
        window.files.open_path(tmp_path / "nowhere.mid")
    assert "no such file" in window.errors[0][1]


def test_an_empty_score_is_not_exported(window, qtbot, tmp_path, monkeypatch):
    """MIDI and MusicXML refuse an empty score as Export Audio does (a review exported empty
    files, one "succeeding" with a note that it could not be read back)."""
    asked = []
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(window, "ask_save_path", lambda *a: asked.append(a) or out / "x")
    messages = []
    window.files.status.connect(lambda text, _ms: messages.append(text))
    for kind in ("midi", "musicxml"):
        assert window.files.export(kind) is None
    assert not asked and not list(out.iterdir())
    assert messages == ["Nothing to export: the score is empty."] * 2


def test_exporting_to_a_missing_folder_reports_it(window, qtbot, tmp_path):
    with qtbot.waitSignal(window.files.exportFailed, timeout=5000):
        window.files.export_to(tmp_path / "nope" / "x.mid")
    assert window.errors and "does not exist" in window.errors[0][1]


def test_saving_to_an_unwritable_place_reports_it_and_stays_modified(window, tmp_path):
    roll = window.roll
    click(roll.canvas, at(roll, 0, 60))
    assert not window.files.save_to(tmp_path / "missing-folder" / "x.composer.json")
    assert window.errors and "Save failed" in window.errors[0][0]
    assert window.doc.modified
    assert window.windowTitle().startswith("Untitled*")
    folder = tmp_path / "a-folder.composer.json"
    folder.mkdir()
    assert not window.files.save_to(folder)
    assert window.doc.modified and len(window.errors) == 2


def test_window_layout_and_folders_are_remembered(qtbot, settings, backend, tmp_path):
    from composer_gui.ui.main_window import MainWindow

    w = MainWindow(settings=settings, backend=backend)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.resize(760, 540)
    w.header.set_snap_index(1)
    w.panel.bars.setValue(9)
    w.settings.set_last_folder("open", tmp_path / "x.mid")
    w.close()
    w2 = MainWindow(settings=settings, backend=backend)
    qtbot.addWidget(w2)
    w2.show()
    qtbot.waitExposed(w2)
    assert (w2.width(), w2.height()) == (760, 540)
    assert w2.header.snap.currentText() == "1/8"
    assert w2.panel.bars.value() == 9
    assert w2.settings.last_folder("open") == str(tmp_path)


def test_edits_made_while_a_file_loads_are_asked_about(window, qtbot, tmp_path, monkeypatch):
    """The window stays editable while a (slow) file loads: the edit is not thrown away unasked."""
    import threading

    from composer_gui.ui import files

    path = tmp_path / "slow.composer.json"
    save_score(a_score(), path)
    gate = threading.Event()
    real_load = files.read_score

    def slow_load(p, warnings=None, **kwargs):
        gate.wait(10)
        return real_load(p, warnings, **kwargs)

    monkeypatch.setattr(files, "read_score", slow_load)
    task = window.files.open_path(path)  # unmodified: no prompt yet
    assert window.prompts == []
    roll = window.roll
    click(roll.canvas, at(roll, 0, 60))  # an edit while the file is loading
    window.answer = "cancel"
    with qtbot.waitSignal(task.finished, timeout=10000):
        gate.set()
    assert window.prompts == ["Untitled"]
    assert window.doc.score.notes == [Note(0, 60, TPQ, 80)]  # kept, the file was not opened


def test_a_musicxml_export_says_what_notation_changed(window, qtbot, tmp_path):
    """A note drawn with snap off can't be notated exactly: the file is written with the closest
    notation and the status bar says so."""
    path = tmp_path / "odd.composer.json"
    drawn = tuple(Note(i * TPQ, 60 + i, TPQ) for i in range(10))
    save_score(Score(parts=(Part((*drawn, Note(10 * TPQ + 7, 64, 301)), name="Piano"),)), path)
    open_file(window, qtbot, path)
    with qtbot.waitSignal(window.files.exported, timeout=20000):
        window.files.export_to(tmp_path / "odd.musicxml")
    assert "moved" in window.statusBar().currentMessage()
    assert load_score(tmp_path / "odd.musicxml").note_count == 11


def test_save_and_export_dialogs_start_beside_the_opened_file(window, qtbot, tmp_path,
                                                              monkeypatch):
    from composer_gui.ui import main_window

    starts = []
    monkeypatch.setattr(main_window.QFileDialog, "getSaveFileName",
                        lambda _parent, _title, start, _filters: (starts.append(start) or "", ""))
    elsewhere = tmp_path / "exports"
    elsewhere.mkdir()
    window.settings.set_last_folder("save", elsewhere)
    assert window.files.save_as() is False  # a new score: the folder last saved to
    assert starts[-1] == str(elsewhere / "Untitled.composer.json")
    music = tmp_path / "music"
    music.mkdir()
    save_score(a_score(), music / "tune.mid")
    open_file(window, qtbot, music / "tune.mid")
    window.files.save_as()
    window.files.export("musicxml")
    assert starts[-2:] == [str(music / "tune.composer.json"), str(music / "tune.musicxml")]
    # (exporting the opened file's own kind does not offer its own name: Enter would replace it)
    window.files.export("midi")
    assert starts[-1] == str(music / "tune (edited).mid")


def test_an_upbeat_is_bar_0_in_the_window_as_in_notation(window, qtbot, tmp_path):
    """A piece opened with an upbeat numbers it bar 0, as MuseScore prints it: the status bar
    reads the pickup note as bar 0, beat 4, and the first full bar as bar 1."""
    from dataclasses import replace

    upbeat = Score(parts=(Part((Note(3 * TPQ, 67, TPQ), Note(4 * TPQ, 72, 4 * TPQ)),
                               name="Flute"),))
    path = tmp_path / "upbeat.musicxml"
    save_score(replace(upbeat, pickup=TPQ), path)
    open_file(window, qtbot, path)
    assert window.doc.score.pickup == TPQ
    window.roll.hoverChanged.emit(3 * TPQ)
    assert window.position_label.text().startswith("Bar 0.4")
    window.roll.hoverChanged.emit(5 * TPQ)
    assert window.position_label.text().startswith("Bar 1.2")
