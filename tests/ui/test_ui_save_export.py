"""Save writes the project; MIDI, MusicXML and WAV are exports that never move the Save target;
every write runs in a worker; stale temporary files of ours are cleaned up."""

from __future__ import annotations

import os
import threading
import time

from ui_helpers import at, click

from composer_gui.music.formats import load_score, save_score
from composer_gui.music.score import TPQ, Note, Part, Score, TempoChange
from composer_gui.ui import files


def off_grid_project(path) -> Score:
    """A note 7 ticks late (notation moves it to its grid) and a tempo change after the last
    note (notation drops it): a MusicXML copy must say so."""
    score = Score(parts=(Part((Note(0, 60, TPQ), Note(TPQ + 7, 64, TPQ - 7, 100))),),
                  tempos=(TempoChange(0, 500_000), TempoChange(8 * TPQ, 400_000)))
    save_score(score, path)
    return score


def test_exports_never_change_the_save_target_and_show_what_they_lost(window, qtbot, tmp_path):
    project = tmp_path / "piece.composer.json"
    off_grid_project(project)
    with qtbot.waitSignal(window.files.fileOpened, timeout=10000):
        window.files.open_path(project)
    roll = window.roll
    click(roll.canvas, at(roll, 4 * TPQ, 67))
    title = window.windowTitle()
    assert title == "piece.composer.json* — Composer"
    with qtbot.waitSignal(window.files.exported, timeout=20000):
        window.files.export_to(tmp_path / "piece.mid")
    assert window.statusBar().currentMessage() == "Exported piece.mid"  # MIDI keeps it all
    with qtbot.waitSignal(window.files.exported, timeout=60000):
        window.files.export_to(tmp_path / "piece.musicxml")
    message = window.statusBar().currentMessage()
    assert message.startswith("Exported piece.musicxml (notation: ")  # what the writer changed
    assert "the copy moved 1 note to the notation grid" in message and "tempo" in message
    assert "renamed" not in message  # an unnamed part named by the copy is no loss
    # neither export touched the document's file, name or modified state
    assert window.doc.path == project and window.doc.modified
    assert window.windowTitle() == title
    assert load_score(tmp_path / "piece.mid") == window.doc.score
    assert window.files.save()
    assert load_score(project) == window.doc.score
    assert load_score(tmp_path / "piece.mid") == window.doc.score


def test_a_musicxml_export_without_a_signature_writes_the_key_heard(window, qtbot, tmp_path):
    # a G minor tune drawn with no key signature: notation gets G minor's two flats
    pitches = [67, 70, 74, 72, 70, 69, 67, 66, 67, 62, 63, 62, 67]
    window.doc.load(Score(parts=(Part(tuple(Note(i * TPQ, p, TPQ) for i, p in
                                            enumerate(pitches))),),))
    with qtbot.waitSignal(window.files.exported, timeout=60000):
        window.files.export_to(tmp_path / "tune.musicxml")
    assert "key signature G minor (heard in the notes" in window.statusBar().currentMessage()
    written = load_score(tmp_path / "tune.musicxml")
    assert [(k.sharps, k.mode) for k in written.key_signatures] == [(-2, "minor")]
    assert not window.doc.score.key_signatures  # the document itself is unchanged
    with qtbot.waitSignal(window.files.exported, timeout=20000):
        window.files.export_to(tmp_path / "tune.mid")
    assert not load_score(tmp_path / "tune.mid").key_signatures  # MIDI: the score as it is
    with qtbot.waitSignal(window.files.exported, timeout=20000):  # ABC: a K: field, as heard
        window.files.export_to(tmp_path / "tune.abc")
    assert "\nK:Gm\n" in (tmp_path / "tune.abc").read_text(encoding="utf-8")
    assert [n.pitch for n in load_score(tmp_path / "tune.abc").notes] == pitches


def test_save_as_writes_a_project_even_when_given_a_midi_name(window, qtbot, tmp_path,
                                                              monkeypatch):
    asked = []

    def ask(title, filters, suggested):
        asked.append((title, filters))
        return tmp_path / "song.mid"

    monkeypatch.setattr(window, "ask_save_path", ask)
    click(window.roll.canvas, at(window.roll, 0, 60))
    assert window.files.save_as()
    assert asked == [("Save As", files.PROJECT_FILTER)]
    assert window.doc.path == tmp_path / "song.composer.json"
    assert not (tmp_path / "song.mid").exists()
    assert load_score(tmp_path / "song.composer.json") == window.doc.score


def test_export_actions_sit_in_the_file_export_submenu(window):
    file_menu = window.menuBar().actions()[0].menu()
    export = next(a.menu() for a in file_menu.actions() if a.text() == "&Export")
    assert export.actions() == window.act.all("export_midi", "export_xml", "export_abc",
                                              "export_audio")
    assert all(a.menu() is None or a.text() == "&Export" for a in file_menu.actions()
               if a.text() != "Open &Recent")


def test_save_and_export_write_in_a_worker_thread(window, qtbot, tmp_path, monkeypatch):
    threads = []
    real_save, real_export = files.save_score, files.export_checked

    def save(score, path, *rest):
        threads.append(threading.current_thread())
        return real_save(score, path, *rest)

    def export(score, path, *rest):
        threads.append(threading.current_thread())
        return real_export(score, path, *rest)

    monkeypatch.setattr(files, "save_score", save)
    monkeypatch.setattr(files, "export_checked", export)
    click(window.roll.canvas, at(window.roll, 0, 60))
    assert window.files.save_to(tmp_path / "a.composer.json")
    with qtbot.waitSignal(window.files.exported, timeout=20000):
        window.files.export_to(tmp_path / "a.mid")
    assert len(threads) == 2
    assert threading.main_thread() not in threads


def stale(path, age: float = 3600) -> None:
    path.write_text("half a file")
    then = time.time() - age
    os.utime(path, (then, then))


def test_stale_temporaries_beside_recent_files_go_at_start_up(window, qtbot, tmp_path):
    song = tmp_path / "song.composer.json"
    save_score(Score(), song)
    window.settings.add_recent(song)
    ours = [tmp_path / ".song.composer.json.0123abcd.tmp", tmp_path / ".x.mid.89abcdef.tmp",
            tmp_path / ".x.musicxml.01234567.tmp.musicxml"]
    for path in ours:
        stale(path)
    fresh = tmp_path / ".song.composer.json.feedbeef.tmp"  # maybe a save running right now
    fresh.write_text("")
    others = [tmp_path / ".notes.txt.0123abcd.tmp", tmp_path / ".song.composer.json.tmp",
              tmp_path / "song.composer.json.0123abcd.tmp"]
    for path in others:
        stale(path)
    task = window.files.clean_temporaries()
    with qtbot.waitSignal(task.finished, timeout=10000) as done:
        pass
    assert done.args == [len(ours)]
    assert not any(p.exists() for p in ours)
    assert fresh.exists() and all(p.exists() for p in others) and song.exists()


def test_a_save_first_removes_its_targets_stale_temporaries(window, tmp_path):
    target = tmp_path / "kept.composer.json"
    left = tmp_path / ".kept.composer.json.deadbeef.tmp"
    stale(left)
    neighbour = tmp_path / ".other.mid.deadbeef.tmp"
    stale(neighbour)
    click(window.roll.canvas, at(window.roll, 0, 60))
    assert window.files.save_to(target)
    assert not left.exists()
    assert neighbour.exists()  # another file's leftovers wait for the start-up clean-up
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [
        neighbour.name]


def test_file_title_and_composer_sets_the_credits_the_exports_write(window, qtbot, tmp_path,
                                                                     monkeypatch):
    # a chorale continued by the model: the composer credits the new bars as they choose
    source = tmp_path / "chorale.musicxml"
    save_score(Score(parts=(Part((Note(0, 67, TPQ), Note(TPQ, 69, TPQ))),),
                     title="Chorale", composer="J.S. Bach"), source)
    with qtbot.waitSignal(window.files.fileOpened, timeout=20000):
        window.files.open_path(source)
    assert (window.doc.score.title, window.doc.score.composer) == ("Chorale", "J.S. Bach")
    asked = []
    monkeypatch.setattr(window, "ask_credits", lambda title, composer: asked.append(
        (title, composer)) or ("Chorale,  continued ", "J.S. Bach and Composer"))
    assert window.act.credits in window.menuBar().actions()[0].menu().actions()
    window.act.credits.trigger()
    assert asked == [("Chorale", "J.S. Bach")]  # the form opens on the credits as they are
    assert (window.doc.score.title, window.doc.score.composer) == (
        "Chorale, continued", "J.S. Bach and Composer")
    assert window.doc.undo_stack.undoText() == "Set title and composer"
    with qtbot.waitSignal(window.files.exported, timeout=60000):
        window.files.export_to(tmp_path / "out.musicxml")
    written = load_score(tmp_path / "out.musicxml")
    assert (written.title, written.composer) == ("Chorale, continued", "J.S. Bach and Composer")
    with qtbot.waitSignal(window.files.exported, timeout=20000):
        window.files.export_to(tmp_path / "out.abc")
    text = (tmp_path / "out.abc").read_text(encoding="utf-8")
    assert "\nT:Chorale, continued\n" in text and "\nC:J.S. Bach and Composer\n" in text
    window.doc.undo_stack.undo()
    assert (window.doc.score.title, window.doc.score.composer) == ("Chorale", "J.S. Bach")
    steps = window.doc.undo_stack.count()
    monkeypatch.setattr(window, "ask_credits", lambda title, composer: None)  # Cancel
    window.act.credits.trigger()
    assert window.doc.score.composer == "J.S. Bach" and window.doc.undo_stack.count() == steps


def test_a_new_scores_title_is_the_name_save_as_offers(window, monkeypatch):
    """A new score titled by File > Title and Composer is offered under its title (a review
    was offered "Untitled"); an opened file keeps its own name."""
    offered = []
    monkeypatch.setattr(window, "ask_save_path", lambda caption, filters, name: offered.append(
        name))
    window.files.save_as()
    monkeypatch.setattr(window, "ask_credits", lambda title, composer: ("Evening: Hymn", ""))
    window.act.credits.trigger()
    window.files.save_as()
    assert offered == ["Untitled.composer.json", "Evening Hymn.composer.json"]


def test_the_title_and_composer_form_edits_both_fields(window, qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialog, QLineEdit

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QDialog)
        title, composer = dialog.findChildren(QLineEdit)
        assert (title.text(), composer.text()) == ("Old", "")
        title.setText("New tune")
        composer.setText("A. Composer")
        dialog.accept()

    QTimer.singleShot(0, fill)
    assert window.ask_credits("Old", "") == ("New tune", "A. Composer")
