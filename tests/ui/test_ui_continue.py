"""Continue: generation runs in a worker, notes arrive live as a proposal, the event loop keeps
running, Keep is one undo step, Stop cancels, errors never touch the user's notes."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer

from composer_gui.music.score import TPQ, Note, Part, Score


def sketch(window, n: int = 4) -> list[Note]:
    ns = [Note(i * TPQ, 60 + 2 * i, TPQ) for i in range(n)]
    window.doc.load(Score(parts=(Part(tuple(ns)),)))
    return ns


def test_models_are_listed_with_their_card_summary(window):
    panel = window.panel
    assert panel.model.count() == 1
    assert panel.model.currentText() == "fake-lstm"
    assert "fake model" in panel.summary.text()
    assert panel.continue_button.isEnabled()


def at_level(notes, velocity: int = 80) -> list:
    """Generated notes as Keep writes them: at the level their part plays at (the sketch's
    80; the fake backend writes 90)."""
    return [replace(n, velocity=velocity) for n in notes]


def test_continue_streams_a_proposal_without_blocking_and_keep_is_one_undo_step(
        window, qtbot, backend):
    backend.delay = 0.01
    ns = sketch(window)
    panel = window.panel
    panel.variations.setValue(3)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(10)
    progress = []
    window.controller.progressed.connect(progress.append)
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        qtbot.mouseClick(panel.continue_button, Qt.MouseButton.LeftButton)
        assert window.controller.running
        assert panel.stop_button.isEnabled() and not panel.continue_button.isEnabled()
    timer.stop()
    # the generator ran in another thread, and the GUI thread kept ticking meanwhile
    assert threading.get_ident() not in backend.threads
    assert len(ticks) >= 10
    assert max(b - a for a, b in itertools.pairwise(ticks)) < 0.2
    assert len(progress) >= 2  # notes arrived in several batches, not all at the end
    prop = window.proposal
    assert prop.active and prop.counts() == [8, 8, 8]
    assert prop.start_tick == 4 * TPQ
    assert window.doc.score.notes == ns  # nothing added before Keep
    # flip variations with the keys, then keep variation 2 with Enter
    canvas = window.roll.canvas
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_3)
    assert prop.current == 2
    qtbot.keyClick(canvas, Qt.Key.Key_Tab)
    assert prop.current == 0
    qtbot.keyClick(canvas, Qt.Key.Key_2)
    chosen = list(prop.notes())
    assert chosen and all(n.start >= 4 * TPQ for n in chosen)
    stack = window.doc.undo_stack
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert not prop.active
    assert window.doc.score.notes == sorted(ns + at_level(chosen))
    assert not any(b.isChecked() for b in panel.variation_buttons.buttons())  # (none lit)
    assert stack.count() == 1 and stack.undoText().startswith("Keep variation 2")
    assert window.statusBar().currentMessage() == "Kept variation 2."
    assert window.statusBar().toolTip() == "Kept variation 2."  # (a long one is read whole)
    stack.undo()
    assert window.doc.score.notes == ns
    assert window.statusBar().currentMessage() == ""  # (not "Kept" over the undone notes)
    stack.redo()
    assert window.doc.score.notes == sorted(ns + at_level(chosen))
    # the request carried the panel's settings
    _, score, options = backend.calls[0]
    assert options.variations == 3 and options.bars == 4 and options.key == "auto"
    assert score.notes == ns


def test_escape_discards_the_proposal(window, qtbot):
    ns = sketch(window)
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.panel.start_continue()
    window.roll.canvas.setFocus()
    qtbot.keyClick(window.roll.canvas, Qt.Key.Key_Escape)
    assert not window.proposal.active
    assert window.doc.score.notes == ns and window.doc.undo_stack.count() == 0


def test_escape_ends_a_selection_before_it_discards_the_proposal(window, qtbot):
    """Esc pressed to clear a selection clears it and keeps the variations on show (a review
    lost every variation so, and Undo undid a note of the composer's instead); the next Esc
    discards them."""
    sketch(window)
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.panel.start_continue()
    window.roll.canvas.setFocus()
    window.doc.set_selection([(0, window.doc.score.parts[0].notes[0])])
    qtbot.keyClick(window.roll.canvas, Qt.Key.Key_Escape)
    assert window.proposal.active and not window.doc.selection
    qtbot.keyClick(window.roll.canvas, Qt.Key.Key_Escape)
    assert not window.proposal.active


def test_new_asks_before_it_drops_a_proposal(window, qtbot):
    """A proposal on show is work the composer may want: New asks (a review lost one to
    Ctrl+N without a word). Cancel stays; Keep keeps it, and the score's own question
    follows; Discard goes on."""
    ns = sketch(window)
    window.doc.undo_stack.setClean()
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.panel.start_continue()
    window.proposal_answer = "cancel"
    assert not window.files.new_document()
    assert window.prompts == ["proposal"] and window.proposal.active
    assert window.proposal_asked == "starting a new score"  # (the question says what asked)
    window.proposal_answer, window.answer = "keep", "cancel"
    assert not window.files.new_document()
    assert window.prompts == ["proposal", "proposal", window.doc.display_name]
    assert not window.proposal.active and len(window.doc.score.notes) > len(ns)
    window.doc.undo_stack.undo()
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.panel.start_continue()
    window.proposal_answer = "discard"
    assert window.files.new_document()
    assert not window.proposal.active and not window.doc.score.notes


def test_adding_a_part_asks_before_it_drops_a_proposal(window, qtbot):
    """Add, Delete and a moved part settle a proposal as New does (a second review lost one
    to a click on Add): Cancel changes nothing, Discard goes on."""
    sketch(window)
    panel = window.parts_dock.widget()
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.panel.start_continue()
    window.proposal_answer = "cancel"
    panel.add_part()
    assert window.prompts == ["proposal"] and window.proposal.active
    assert len(window.doc.score.parts) == 1
    window.proposal_answer = "discard"
    panel.add_part()
    assert not window.proposal.active and len(window.doc.score.parts) == 2


def test_play_in_context_is_off_where_nothing_can_play(window, qtbot):
    """With no audio device (and no MIDI output) Play in Context is greyed and says why, as
    Audition in the Transport menu is (a review clicked it and heard nothing)."""
    sketch(window)
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.panel.start_continue()
    button = window.panel.audition_button
    window.playback.playEnabledChanged.emit(False, "Playback is off: no audio device")
    assert not button.isEnabled() and not window.act.audition.isEnabled()
    assert button.toolTip() == "Playback is off: no audio device"
    window.playback.playEnabledChanged.emit(True, "Play")
    assert button.isEnabled() and window.act.audition.isEnabled()


def test_the_time_box_asks_before_the_bars_change_under_a_proposal(window, qtbot):
    """A new meter typed into the header asks as New does (a second review lost the
    variations to a stray click on the Time box): Cancel puts the box back and keeps them;
    Keep keeps them, then the meter changes with the kept notes in the score."""
    ns = sketch(window)
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.panel.start_continue()
    window.proposal_answer = "cancel"
    window.header.numerator.setValue(3)
    assert window.prompts == ["proposal"] and window.proposal.active
    assert window.doc.score.time_signature.numerator == 4
    assert window.header.numerator.value() == 4
    window.proposal_answer = "keep"
    window.header.numerator.setValue(3)
    assert not window.proposal.active
    assert window.doc.score.time_signature.numerator == 3
    assert len(window.doc.score.notes) > len(ns)  # the kept notes stayed


def test_a_meter_changed_under_a_proposal_discards_it(window, qtbot):
    """Its notes were written in the old bars (a review kept a 3/4 continuation over 4/4 bar
    lines): where the bars change another way (an undo, a command), the proposal goes, and
    the panel says why."""
    from composer_gui.ui import undo

    ns = sketch(window)
    said = []
    window.controller.refused.connect(said.append)
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.panel.start_continue()
    window.doc.push(undo.tempo_command(window.doc, 90))  # (the bars stay: it stays)
    assert window.proposal.active and not said
    window.doc.push(undo.meter_command(window.doc, 3, 4))
    assert not window.proposal.active
    assert said and "bars changed" in said[0]
    assert window.doc.score.notes == ns


def test_what_the_sampler_says_while_its_notes_come_reaches_the_panel(window, qtbot, backend,
                                                                      monkeypatch):
    """A search's note ("the model found nothing else here") is known only once the notes are
    in; read when the stream began, it never reached the panel (a second review)."""
    from composer_gui.ui.generation import GenerationStream

    said: list[str] = []
    plain = backend.stream

    def stream(model, score, options, cancel):
        return GenerationStream(plain(model, score, options, cancel), ("heard first",),
                                later=lambda: tuple(said))

    monkeypatch.setattr(backend, "stream", stream)
    sketch(window)
    said.append("found nothing else here")
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.panel.start_continue()
    assert window.controller.warnings == ["heard first", "found nothing else here"]
    assert "Note: found nothing else here." in window.panel.status.text()


def test_stop_cancels_a_running_generation(window, qtbot, backend):
    backend.endless = True
    backend.delay = 0.005
    ns = sketch(window)
    window.panel.start_continue()
    qtbot.waitUntil(lambda: window.controller.received >= 3, timeout=5000)
    with qtbot.waitSignal(window.controller.cancelled, timeout=5000):
        qtbot.mouseClick(window.panel.stop_button, Qt.MouseButton.LeftButton)
    assert not window.controller.running
    assert window.panel.continue_button.isEnabled()
    got = window.controller.received
    assert got >= 3 and window.proposal.active  # what came so far stays on show
    qtbot.wait(50)
    assert window.controller.received == got  # and nothing more arrives
    assert window.doc.score.notes == ns
    shown = list(window.proposal.notes())
    window.controller.keep()
    assert window.doc.score.notes == sorted(ns + at_level(shown))
    assert window.doc.undo_stack.count() == 1


def test_a_generation_error_shows_a_message_and_keeps_the_notes(window, qtbot, backend):
    backend.error = ValueError("the sketch is too short for this model")
    backend.fail_after = 0
    ns = sketch(window)
    with qtbot.waitSignal(window.controller.failed, timeout=5000):
        window.panel.start_continue()
    assert window.errors and "too short" in window.errors[0][1]
    assert window.doc.score.notes == ns
    assert not window.proposal.active
    assert window.panel.continue_button.isEnabled()  # still usable
    backend.error = None
    with qtbot.waitSignal(window.controller.finished, timeout=5000):
        window.panel.start_continue()
    assert window.proposal.active


def test_regenerate_selection_replaces_only_the_region(window, qtbot):
    ns = [Note(i * TPQ, 60 + i, TPQ) for i in range(8)]
    window.doc.load(Score(parts=(Part(tuple(ns)),)))
    region_notes = {(0, n) for n in ns[2:4]}
    window.doc.set_selection(region_notes)
    assert window.panel.regenerate_button.isEnabled()
    window.panel.variations.setValue(1)
    with qtbot.waitSignal(window.controller.finished, timeout=5000):
        qtbot.mouseClick(window.panel.regenerate_button, Qt.MouseButton.LeftButton)
    assert window.proposal.region == (2 * TPQ, 4 * TPQ)
    new = list(window.proposal.notes())
    assert new and all(2 * TPQ <= n.start < 4 * TPQ for n in new)
    window.controller.keep()
    assert window.doc.score.notes == sorted(ns[:2] + at_level(new) + ns[4:])
    window.doc.undo_stack.undo()
    assert window.doc.score.notes == ns


def test_keep_into_a_many_part_score_adds_a_continuation_part_and_undo_removes_it(
        window, qtbot):
    parts = (Part((Note(0, 72, TPQ),), name="Soprano"), Part((Note(0, 48, TPQ),), name="Bass"))
    window.doc.load(Score(parts=parts))
    window.panel.variations.setValue(1)
    with qtbot.waitSignal(window.controller.finished, timeout=5000):
        window.panel.start_continue()
    window.controller.keep()
    score = window.doc.score
    assert [p.name for p in score.parts] == ["Soprano", "Bass", "Continuation"]
    assert score.parts[0].notes == parts[0].notes
    window.doc.undo_stack.undo()
    assert window.doc.score.parts == parts


def test_end_with_a_cadence_is_on_by_default_and_sets_the_request(window):
    panel = window.panel
    # (the fake model writes one stream of notes: the box is greyed out, without its tick)
    assert not panel.cadence.isEnabled() and not panel.cadence.isChecked()
    assert panel.cadence.text() == "End with a cadence"
    assert panel.options().end == "cadence"
    panel.cadence.setEnabled(True)  # (as for a model of voices)
    panel.cadence.setChecked(True)
    assert panel.options().end == "cadence"
    # a minor key's cadence on the major tonic (the Picardy third) unless the composer says
    # otherwise; with no cadence the box has nothing to say
    assert panel.picardy.isChecked() and panel.options().picardy
    panel.picardy.setChecked(False)
    assert panel.options().picardy is False
    panel.picardy.setChecked(True)
    panel.cadence.setChecked(False)
    assert panel.options().end == "free" and not panel.picardy.isEnabled()
    panel.cadence.setChecked(True)
    assert panel.picardy.isEnabled()
    panel.cadence.setChecked(False)
    from composer_gui.ml.sampler import GenerationRequest

    GenerationRequest(**panel.options().request_fields()).validate()  # fields the request knows


def test_notes_that_name_their_parts_are_kept_in_those_parts(window, qtbot, backend):
    """A voice model's notes carry their part (and a new part's name): Keep follows them."""
    from composer_gui.ml.sampler import GeneratedNote

    score = Score(parts=(Part((Note(0, 72, 480),), name="Soprano"),
                         Part((Note(0, 60, 480),), name="Tenor")))
    window.doc.load(score)
    window.proposal.begin(1, 480, None, 2)
    window.proposal.add([GeneratedNote(0, Note(480, 74, 480), 0),
                         GeneratedNote(0, Note(480, 67, 480), 2, "Alto"),
                         GeneratedNote(0, Note(480, 59, 480), 1)])
    assert window.proposal.notes() == [Note(480, 74, 480), Note(480, 67, 480), Note(480, 59, 480)]
    assert window.controller.keep()
    parts = window.doc.score.parts
    assert [p.name for p in parts] == ["Soprano", "Tenor", "Alto"]
    assert parts[0].notes[-1] == Note(480, 74, 480) and parts[2].notes == (Note(480, 67, 480),)
    window.doc.undo_stack.undo()
    assert window.doc.score.parts == score.parts


def test_a_regeneration_that_writes_nothing_leaves_nothing_to_keep(window, qtbot, backend):
    """A review regenerated a bass where the model wrote no notes, pressed Enter, and lost the
    bass notes of the region: now no proposal stays on show, and the panel says why."""
    backend.per_variation = 0
    ns = [Note(i * TPQ, 60 + i, TPQ) for i in range(8)]
    window.doc.load(Score(parts=(Part(tuple(ns)),)))
    window.doc.set_selection({(0, n) for n in ns[2:4]})
    with qtbot.waitSignal(window.controller.empty, timeout=5000):
        window.panel.start_regenerate()
    assert not window.proposal.active
    assert not window.act.keep.isEnabled()
    assert "no notes" in window.panel.status.text()
    window.roll.canvas.setFocus()
    qtbot.keyClick(window.roll.canvas, Qt.Key.Key_Return)
    assert window.doc.score.notes == ns and window.doc.undo_stack.count() == 0


def test_an_empty_variation_cannot_be_kept(window, qtbot, backend):
    backend.silent = (1,)
    ns = [Note(i * TPQ, 60 + i, TPQ) for i in range(8)]
    window.doc.load(Score(parts=(Part(tuple(ns)),)))
    window.doc.set_selection({(0, n) for n in ns[2:4]})
    window.panel.variations.setValue(2)
    with qtbot.waitSignal(window.controller.finished, timeout=5000):
        window.panel.start_regenerate()
    prop = window.proposal
    assert prop.counts() == [2, 0]
    prop.select(1)
    assert not window.panel.keep_button.isEnabled() and not window.act.keep.isEnabled()
    window.roll.canvas.setFocus()
    qtbot.keyClick(window.roll.canvas, Qt.Key.Key_Return)
    assert window.doc.score.notes == ns and window.doc.undo_stack.count() == 0
    assert "nothing to keep" in window.panel.status.text()
    prop.select(0)
    assert window.panel.keep_button.isEnabled() and window.act.keep.isEnabled()
    assert window.controller.keep()
    assert window.doc.undo_stack.count() == 1


def test_a_melody_with_two_notes_at_once_is_refused_before_any_work(window, backend):
    """Said once, in the panel (and the status bar), before a job starts: no dialog titled
    "Generation failed" after the fact, as a review saw."""
    chord = (Note(0, 72, TPQ), Note(0, 76, TPQ), Note(TPQ, 74, TPQ))
    window.doc.load(Score(parts=(Part(chord),)))
    assert not window.panel.start_harmonize()
    assert not window.controller.running and not backend.calls and not window.errors
    assert "two notes at once in bar 1" in window.panel.status.text()
    assert window.doc.score.parts[0].notes == chord


def test_a_selected_span_of_a_melody_is_harmonized_though_it_has_chords_elsewhere(
        window, qtbot, backend):
    """A piano's right hand with a chord in bar 3: its first bar selected is harmonized (a
    review was refused for a chord outside the selection); the chord's own bar is refused."""
    line = tuple(Note(i * TPQ, 72 + i % 3, TPQ) for i in range(8))
    chord = (Note(8 * TPQ, 72, TPQ), Note(8 * TPQ, 76, TPQ))
    window.doc.load(Score(parts=(Part(line + chord),)))
    window.doc.set_selection({(0, n) for n in line[:4]})
    with qtbot.waitSignal(window.controller.finished, timeout=5000):
        assert window.panel.start_harmonize()
    window.controller.discard()
    window.doc.set_selection({(0, n) for n in chord})
    assert not window.panel.start_harmonize()
    assert "two notes at once in bar 3" in window.panel.status.text()


def test_the_done_text_names_the_keys_there_are_and_a_discard_is_said(window, qtbot):
    """Two variations: "Keys 1–2" (a review read "Keys 1–8" over two); one: no keys to flip;
    Esc then says the proposal went (the "Done" text had stayed in the status bar)."""
    sketch(window)
    said = []
    window.panel.message.connect(said.append)
    for count, keys in ((2, "Keys 1–2 or Tab to flip"), (1, None)):
        window.panel.variations.setValue(count)
        with qtbot.waitSignal(window.controller.finished, timeout=5000):
            window.panel.start_continue()
        done = window.panel.status.text()
        assert done.startswith("Done") and "Enter to keep" in done
        assert (keys in done) if keys else "Tab" not in done
        window.controller.discard()
        assert said[-1] == "Discarded the proposal. Your notes are unchanged."
    window.controller.discard()  # (nothing on show: nothing said)
    assert said.count("Discarded the proposal. Your notes are unchanged.") == 2


def test_a_stop_before_any_note_says_there_is_nothing_to_keep(window, qtbot, backend):
    """A long Harmonize searches its whole span before a note arrives: stopped then, the
    panel says nothing was written (a trial read "1 variation (0 notes). Enter to keep"
    over a disabled Keep)."""
    backend.endless = True
    backend.silent = (0,)
    backend.delay = 0.005
    ns = sketch(window)
    window.panel.variations.setValue(1)
    window.panel.start_continue()
    qtbot.wait(50)
    with qtbot.waitSignal(window.controller.cancelled, timeout=5000):
        qtbot.mouseClick(window.panel.stop_button, Qt.MouseButton.LeftButton)
    said = window.panel.status.text()
    assert said.startswith("Stopped before a note was written: nothing to keep")
    assert "Enter to keep" not in said
    assert window.doc.score.notes == ns


def test_a_continuation_says_the_drum_part_playing_into_it_is_not_continued(window, qtbot):
    """A sketch with a drum part: the models write pitched voices only, and the Done text
    says the drums fall silent in the new bars (a trial's drum track did, unsaid)."""
    ns = [Note(i * TPQ, 60 + 2 * i, TPQ) for i in range(4)]
    kick = tuple(Note(i * TPQ, 36, TPQ // 2) for i in range(4))
    window.doc.load(Score(parts=(Part(tuple(ns), name="Piano"),
                                 Part(kick, name="Kit", is_drum=True, channel=9))))
    with qtbot.waitSignal(window.controller.finished, timeout=5000):
        window.panel.start_continue()
    assert "Note: the drum part (Kit) is not continued" in window.panel.status.text()
    window.controller.discard()
    sketch(window)
    with qtbot.waitSignal(window.controller.finished, timeout=5000):
        window.panel.start_continue()
    assert "drum" not in window.panel.status.text()


def test_harmonize_in_the_menu_is_on_when_its_button_is(window):
    """An empty window has no melody: Generate > Harmonize is off, as the panel's button is
    (a review found it on); a drawn note turns both on."""
    window.doc.load(Score())
    assert not window.act.harmonize.isEnabled()
    assert not window.panel.harmonize_button.isEnabled()
    window.doc.load(Score(parts=(Part((Note(0, 72, TPQ),)),)))
    assert window.act.harmonize.isEnabled() == window.panel.harmonize_button.isEnabled()
    assert window.act.harmonize.isEnabled()


def test_continue_says_where_it_writes_and_how_to_write_elsewhere(window, qtbot):
    """Continue writes after the last note; with the cursor back in the sketch it says how to
    rewrite from there (a review clicked in bar 4 and expected Continue to start there)."""
    ns = sketch(window, 16)  # four bars of 4/4
    said = []
    window.panel.message.connect(said.append)
    window.roll.set_cursor_tick(TPQ)
    with qtbot.waitSignal(window.controller.finished, timeout=5000):
        window.panel.start_continue()
    assert said and "after the last note, from bar 5" in said[0]
    assert "Regenerate Selection" in said[0]
    assert window.doc.score.notes == ns


def test_progress_says_how_far_it_has_got_in_bars(window, qtbot, backend):
    backend.delay = 0.01
    sketch(window)  # one bar; the backend writes quarters from bar 2
    seen = []
    window.controller.progressed.connect(lambda _n: seen.append(window.panel.status.text()))
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.panel.start_continue()
    assert any("up to bar 2" in t for t in seen) and any("up to bar 3" in t for t in seen)


def test_harmonize_refuses_a_part_under_another_and_says_what_to_do(window, backend):
    """A review selected the bass of a melody-and-bass score and got three voices proposed
    under it: the voices go under a melody, so a part with another above it is refused."""
    melody = Part(tuple(Note(i * TPQ, 72 + i, TPQ) for i in range(4)), name="Melody")
    bass = Part(tuple(Note(i * TPQ, 48 - i, TPQ) for i in range(4)), name="Bass")
    window.doc.load(Score(parts=(melody, bass)))
    window.doc.set_selection({(1, n) for n in bass.notes})
    assert not window.panel.start_harmonize()
    assert not backend.calls
    text = window.panel.status.text()
    assert "in Bass, under Melody" in text and "Regenerate Selection" in text
    window.doc.set_selection({(0, n) for n in melody.notes})
    assert window.panel.harmonize_target() == (0, None)


def _ragged_stream(lines, blocked: threading.Event):
    """A stand-in for a voice model stopped midway: per variation, per part, notes of
    ``length`` beats from the start (each voice breaking off at its own place), then it waits
    for Stop."""
    from composer_gui.ml.sampler import GeneratedNote

    def stream(model, score, options, cancel):
        start = score.end_tick if options.start_tick is None else options.start_tick
        for v, voices in enumerate(lines[:options.variations]):
            for part, beats, length in voices:
                for b in range(0, beats, length):
                    yield GeneratedNote(v, Note(start + b * TPQ, 60 + part, length * TPQ), part)
        blocked.set()
        while not cancel.is_set():
            time.sleep(0.005)
    return stream


def test_stopped_variations_end_together_at_a_bar_line(window, qtbot, backend):
    """A review stopped a 64-bar Continue of 8 variations and kept one that broke off mid-bar,
    its voices at different beats: now every variation, and every voice, ends at the last bar
    line all of them reached, and the panel says where."""
    ns = (Note(0, 72, 4 * TPQ), Note(0, 48, 4 * TPQ))
    window.doc.load(Score(parts=(Part(ns[:1], name="Soprano"), Part(ns[1:], name="Bass"))))
    blocked = threading.Event()
    # soprano and bass: 11 and 10 beats after the sketch's bar, then 10 and 9
    backend.stream = _ragged_stream([[(0, 11, 1), (1, 10, 2)], [(0, 10, 1), (1, 9, 1)]],
                                    blocked)
    window.panel.variations.setValue(2)
    window.panel.start_continue()
    qtbot.waitUntil(blocked.is_set, timeout=5000)
    qtbot.waitUntil(lambda: window.controller.received == 16 + 19, timeout=5000)
    with qtbot.waitSignal(window.controller.cancelled, timeout=5000):
        qtbot.mouseClick(window.panel.stop_button, Qt.MouseButton.LeftButton)
    cut = 12 * TPQ  # bar 4's line: the bass of variation 2 got 1 beat into bar 4
    for v in range(2):
        placed = window.proposal.placed(v)
        assert max(p.note.end for p in placed) == cut
        for part in (0, 1):
            assert max(p.note.end for p in placed if p.part == part) == cut
    assert "they end at the end of bar 3" in window.panel.status.text()
    window.proposal.select(1)
    shown = list(window.proposal.notes())
    assert window.controller.keep()
    assert window.doc.score.end_tick == cut
    assert sorted(n for p in window.doc.score.parts for n in p.notes) == sorted([*ns, *shown])


def test_a_stopped_regeneration_keeps_the_composers_notes_after_the_cut(window, qtbot,
                                                                        backend):
    ns = [Note(i * TPQ, 60 + i % 5, TPQ) for i in range(16)]
    window.doc.load(Score(parts=(Part(tuple(ns)),)))
    window.doc.set_selection({(0, n) for n in ns[4:14]})
    blocked = threading.Event()
    backend.stream = _ragged_stream([[(0, 5, 1)]], blocked)  # 5 of the region's 10 beats
    window.panel.variations.setValue(1)
    window.panel.start_regenerate()
    qtbot.waitUntil(blocked.is_set, timeout=5000)
    qtbot.waitUntil(lambda: window.controller.received == 5, timeout=5000)
    # Enter while it runs: it stops, and what is kept ends at bar 3's line (beat 8)
    assert window.controller.keep()
    kept = window.doc.score.notes
    assert [n for n in kept if n.start >= 8 * TPQ] == ns[8:]  # the composer's notes after it
    assert [n.start for n in kept if 4 * TPQ <= n.start < 8 * TPQ] == [4 * TPQ + b * TPQ
                                                                     for b in range(4)]
    assert all(n.pitch == 60 for n in kept if 4 * TPQ <= n.start < 8 * TPQ)


def test_the_keep_question_names_what_asked_it(window, qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from composer_gui.ui.main_window import MainWindow

    seen = []

    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        box.button(QMessageBox.StandardButton.Cancel).click()

    QTimer.singleShot(20, answer)
    assert MainWindow.ask_keep_proposal(window, "moving the part") == "cancel"
    assert seen == ["Keep the variation on show before moving the part?"]


def test_undoing_a_keep_brings_the_music_back_into_view(window, qtbot):
    """A Keep undone leaves no empty bars on show: the roll goes back to where the music ends."""
    sketch(window)
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.panel.start_continue()
    window.controller.keep()
    roll = window.roll
    roll.scroll_to_tick(window.doc.score.end_tick - TPQ)  # at the end of what was kept
    window.act.undo.trigger()
    qtbot.waitUntil(lambda: len(roll.index.visible(*roll.visible_ticks(), 0, 127)) > 0)


def test_transposing_the_whole_score_settles_the_variations_first(window, qtbot):
    """Variations written in the old key are not kept into a transposed score unasked."""
    ns = sketch(window)
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.panel.start_continue()
    window.proposal_answer = "cancel"
    window.edits.transpose(2)
    assert window.proposal.active and window.doc.score.notes == sorted(ns)  # nothing moved
    assert window.proposal_asked == "transposing the whole score"
    window.proposal_answer = "discard"
    window.edits.transpose(2)
    assert not window.proposal.active
    assert [n.pitch for n in window.doc.score.notes] == [n.pitch + 2 for n in sorted(ns)]


def test_transposing_the_whole_score_after_a_keep_moves_every_note(window, qtbot):
    """Kept, the variation's notes are selected; the transpose asked for the whole score still
    moves all of it (a review's kept bars went up a semitone alone, under the old key)."""
    sketch(window)
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.panel.start_continue()
    window.doc.set_selection(())
    window.proposal_answer = "keep"
    window.edits.transpose(1)
    assert not window.proposal.active
    # (said, where "Your notes are unchanged" of the settled proposal had stayed)
    assert window.statusBar().currentMessage().startswith("Transpose ")
    window.act.undo.trigger()  # (the transpose; the Keep stays)
    kept = window.doc.score.notes
    window.act.redo.trigger()
    assert [n.pitch for n in window.doc.score.notes] == [n.pitch + 1 for n in kept]
