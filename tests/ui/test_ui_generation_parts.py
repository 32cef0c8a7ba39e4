"""Generation in parts through the real panel and a tiny random voice-grid model: Continue writes
into each part, Regenerate Selection rewrites only the selected parts in the selected span,
Harmonize goes into new parts or into the parts the user picks; and the panel's controls (key,
model by texture, density) and its status, which clears when its proposal is gone.

The tiny model is installed as the only model ($COMPOSER_GUI_MODELS), so the panel lists it with
its voices, as it lists the bundled ones; the backend is the real one (ONNX Runtime)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from ui_helpers import ModelInfo as Info

from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score
from composer_gui.ui.generation import SamplerBackend, suggest_model, texture

BAR = 4 * TPQ
S = [72, 71, 72, 74, 76, 74, 72, 71, 72, 74, 76, 77, 79, 77, 76, 74]
A = [67, 67, 69, 67, 67, 65, 64, 62, 64, 65, 67, 65, 64, 65, 67, 65]
T = [64, 62, 64, 59, 60, 62, 60, 55, 60, 62, 60, 62, 60, 59, 60, 62]
B = [48, 55, 53, 55, 48, 53, 55, 43, 48, 50, 48, 47, 48, 43, 48, 50]


def voice(pitches, name: str) -> Part:
    return Part(tuple(Note(i * TPQ, p, TPQ, 80) for i, p in enumerate(pitches)), name=name)


def chorale(quarters: int = 16) -> Score:
    return Score(parts=tuple(voice(ps[:quarters], n) for ps, n in
                             ((S, "Soprano"), (A, "Alto"), (T, "Tenor"), (B, "Bass"))),
                 key_signatures=(KeySignature(0, 0),))


@pytest.fixture
def backend(tmp_path, tiny_voice_model, monkeypatch):
    """The real backend, with the tiny voice model as the only installed model."""
    from composer_gui.ml import model_folder

    user = tmp_path / "user-models"
    shutil.copytree(tiny_voice_model, user / "tiny-voices")
    monkeypatch.setenv("COMPOSER_GUI_MODELS", str(user))
    monkeypatch.setattr(model_folder, "bundled_models_dir", lambda: tmp_path / "none")
    return SamplerBackend()


def finish(window, qtbot, start) -> None:
    with qtbot.waitSignal(window.controller.finished, timeout=60000):
        assert start()


def test_the_panel_lists_the_voice_model_with_its_voices(window):
    panel = window.panel
    assert panel.model.currentText() == "tiny-voices"
    assert panel.current_info().voices == ("Soprano", "Alto", "Tenor", "Bass")
    tip = panel.model.itemData(0, Qt.ItemDataRole.ToolTipRole)
    assert "Writes soprano, alto, tenor, bass." in tip  # from the card and the config
    assert panel.density.isEnabled()  # a voice model: the density control works
    assert panel.cadence.isEnabled() and panel.cadence.isChecked()  # ... ends with a cadence


def test_continue_on_a_four_part_score_keeps_every_generated_note_in_satb(window, qtbot):
    score = chorale(8)
    window.doc.load(score)
    panel = window.panel
    panel.bars.setValue(2)
    panel.variations.setValue(2)
    panel.seed.setValue(3)
    finish(window, qtbot, panel.start_continue)
    for v in range(2):
        placed = window.proposal.placed(v)
        assert placed and {p.part for p in placed} == {0, 1, 2, 3}  # each voice in its part
    assert window.controller.keep()
    kept = window.doc.score
    assert [p.name for p in kept.parts] == ["Soprano", "Alto", "Tenor", "Bass"]  # no new part
    for old, new in zip(score.parts, kept.parts, strict=True):
        assert new.notes[:len(old.notes)] == old.notes and len(new.notes) > len(old.notes)
    window.doc.undo_stack.undo()
    assert window.doc.score == score


def test_regenerate_selection_of_one_part_changes_only_that_part_in_that_range(window, qtbot):
    score = chorale(16)  # four bars
    window.doc.load(score)
    lo, hi = BAR, 2 * BAR
    alto = {(1, n) for n in score.parts[1].notes if lo <= n.start < hi}
    window.doc.set_selection(alto)
    panel = window.panel
    panel.variations.setValue(1)
    panel.seed.setValue(5)
    finish(window, qtbot, lambda: (qtbot.mouseClick(panel.regenerate_button,
                                                    Qt.MouseButton.LeftButton), True)[1])
    assert window.proposal.parts == (1,) and window.proposal.region == (lo, hi)
    sampler = window.controller.backend.load(panel.model.currentData())
    assert sampler.search.context_frames > 0  # the bars after the span were heard
    placed = window.proposal.placed()
    assert placed and all(p.part == 1 and lo <= p.note.start < hi for p in placed)
    assert window.controller.keep()
    kept = window.doc.score
    for i, (old, new) in enumerate(zip(score.parts, kept.parts, strict=True)):
        if i != 1:
            assert new == old
    outside = [n for n in kept.parts[1].notes if not lo <= n.start < hi]
    assert outside == [n for n in score.parts[1].notes if not lo <= n.start < hi]
    inside = [n for n in kept.parts[1].notes if lo <= n.start < hi]
    assert inside and all(n.end <= hi for n in inside)


def test_regenerate_of_a_pianos_tune_keeps_its_left_hand(window, qtbot):
    """A piano on two staves, its tune's notes of bar 2 selected: Regenerate says it rewrites
    the right hand, the proposal strikes through only the tune's notes, and Keep leaves the
    left hand as it was (a trial selected a waltz's tune, and its left hand was rewritten
    too, without a word)."""
    from composer_gui.music.edits import hand_notes

    tune = [Note(i * TPQ, p, TPQ) for i, p in enumerate(S)]
    left = [Note(i * 2 * TPQ, p, 2 * TPQ) for i, p in enumerate(B[::2])] + [
        Note(i * 2 * TPQ + TPQ, p - 12, TPQ) for i, p in enumerate(T[::2])]  # (under C4)
    score = Score(parts=(Part(tuple(sorted(tune + left)), name="Piano", clef="grand"),),
                  key_signatures=(KeySignature(0, 0),))
    window.doc.load(score)
    lo, hi = BAR, 2 * BAR
    window.doc.set_selection({(0, n) for n in tune if lo <= n.start < hi})
    panel = window.panel
    panel.variations.setValue(1)
    panel.seed.setValue(5)
    said = []
    with qtbot.waitSignal(window.controller.finished, timeout=60000):
        qtbot.mouseClick(panel.regenerate_button, Qt.MouseButton.LeftButton)
        said.append(panel.status.text())
    assert "Regenerating the right hand of Piano" in said[0]
    assert window.proposal.parts == (0,) and window.proposal.hand == 0
    assert window.roll.doomed_mask.sum() == 4  # (struck through: the tune's four notes only)
    assert window.controller.keep()
    kept = window.doc.score.parts[0]
    assert sorted(hand_notes(kept, 1)) == sorted(left)
    assert sorted(n for n in hand_notes(kept, 0) if not lo <= n.start < hi) == \
        sorted(n for n in tune if not lo <= n.start < hi)
    window.doc.undo_stack.undo()
    assert window.doc.score == score
    # a selection in both hands rewrites both, and says how to keep one
    window.doc.set_selection({(0, n) for n in score.parts[0].notes if lo <= n.start < hi})
    said.clear()
    with qtbot.waitSignal(window.controller.finished, timeout=60000):
        qtbot.mouseClick(panel.regenerate_button, Qt.MouseButton.LeftButton)
        said.append(panel.status.text())
    assert "Regenerating both hands of Piano" in said[0] and window.proposal.hand is None
    window.controller.discard()


def test_an_unnamed_melody_harmonized_becomes_the_soprano_and_undo_unnames_it(window, qtbot):
    melody = voice(S[:8], "")
    window.doc.load(Score(parts=(melody,), key_signatures=(KeySignature(0, 0),)))
    window.panel.variations.setValue(1)
    finish(window, qtbot, lambda: (window.act.harmonize.trigger(), True)[1])
    assert window.controller.keep()
    assert [p.name for p in window.doc.score.parts] == ["Soprano", "Alto", "Tenor", "Bass"]
    assert window.doc.score.parts[0].notes == melody.notes
    window.doc.undo_stack.undo()
    assert window.doc.score.parts == (melody,)
    window.doc.undo_stack.redo()
    assert window.doc.score.parts[0].name == "Soprano"


def test_the_harmonize_box_starts_afresh_with_each_file(window):
    """A chorale's Alto, Tenor and Bass are the box's choices; a piano piece opened after it
    gets its own (new parts), not the chorale's part numbers, two voices on one part."""
    box = window.panel.harmony_box
    satb = Score(parts=tuple(Part((Note(0, p, 4 * TPQ),), name=name) for p, name in
                             ((72, "Soprano"), (64, "Alto"), (57, "Tenor"), (48, "Bass"))))
    window.doc.load(satb)
    window.panel._refresh_harmony()
    assert [c.currentText() for c in box.combos] == ["Alto", "Tenor", "Bass"]
    piano = Score(parts=(Part((Note(0, 72, TPQ), Note(TPQ, 74, TPQ)), name="Right"),
                         Part((Note(0, 48, 4 * TPQ),), name="Left")))
    window.doc.load(piano)
    window.panel._refresh_harmony()
    chosen = [c.currentData() for c in box.combos]
    assert len({d for d in chosen if d != -1}) == len([d for d in chosen if d != -1])
    assert box.clash(piano) is None
    for combo in box.combos[:2]:  # two voices on the left hand: said, nothing started
        combo.setCurrentIndex(combo.findText("Left"))
    assert "Alto and Tenor both go to Left" in box.clash(piano)
    window.doc.set_selection({(0, n) for n in piano.parts[0].notes})
    assert not window.panel.start_harmonize()
    assert "both go to Left" in window.panel.status.text()
    assert not window.controller.running


def test_harmonize_a_melody_into_new_parts_and_then_into_parts_the_user_picks(window, qtbot):
    melody = voice(S[:8], "Flute")
    window.doc.load(Score(parts=(melody,), key_signatures=(KeySignature(0, 0),)))
    panel = window.panel
    panel.variations.setValue(1)
    panel.seed.setValue(2)
    assert [c.currentText() for c in panel.harmony_parts] == ["New part"] * 3
    assert [lab.text() for lab in panel.harmony_labels] == ["Alto", "Tenor", "Bass"]
    assert window.act.harmonize.text() == "&Harmonize"
    finish(window, qtbot, lambda: (window.act.harmonize.trigger(), True)[1])
    placed = window.proposal.placed()
    assert {p.part for p in placed} == {1, 2, 3}
    assert {p.part_name for p in placed} == {"Alto", "Tenor", "Bass"}
    assert window.controller.keep()
    parts = window.doc.score.parts
    assert [p.name for p in parts] == ["Flute", "Alto", "Tenor", "Bass"]
    assert parts[0] == melody  # the melody unchanged
    # the kept voices are still selected: Harmonize still means the melody above them
    assert window.doc.selection and all(p != 0 for p, _ in window.doc.selection)
    assert panel.harmonize_target()[0] == 0
    # harmonize the melody again: the box now offers the new parts and picks them by name;
    # send the tenor's voice into the Bass part and the bass into a new part instead
    window.doc.set_selection({(0, n) for n in melody.notes})
    assert [c.currentText() for c in panel.harmony_parts] == ["Alto", "Tenor", "Bass"]
    panel.harmony_parts[1].setCurrentIndex(panel.harmony_parts[1].findText("Bass"))
    panel.harmony_parts[2].setCurrentIndex(panel.harmony_parts[2].findText("New part"))
    before = window.doc.score
    finish(window, qtbot, panel.start_harmonize)
    assert window.proposal.parts == (1, 3)  # alto and the part picked for the tenor
    assert window.controller.keep()
    after = window.doc.score
    assert [p.name for p in after.parts] == ["Flute", "Alto", "Tenor", "Bass", "Bass"]
    assert after.parts[0] == melody and after.parts[2] == before.parts[2]  # Tenor untouched
    assert after.parts[1] != before.parts[1] and after.parts[4].notes


def test_harmonize_a_melody_over_the_composers_bass_line_keeps_it(window, qtbot):
    """A melody and a bass line (a cello's: named for no voice): the box offers "Keep Cello"
    for the bass and picks it (voices.kept_lines, as generate --harmonize reads the sketch), so
    Harmonize writes alto and tenor into new parts around the composer's bass, which is heard
    and left as it was, and their staves stand above its staff. Choosing the part itself
    rewrites it, as on a four-part score."""
    melody, bass = voice(S[:8], "Melody"), voice(B[:8], "Cello")  # (named for no voice)
    window.doc.load(Score(parts=(melody, bass), key_signatures=(KeySignature(0, 0),)))
    window.doc.set_selection({(0, n) for n in melody.notes})
    panel = window.panel
    panel.variations.setValue(1)
    panel.seed.setValue(2)
    assert [c.currentText() for c in panel.harmony_parts] == ["New part", "New part",
                                                              "Keep Cello"]
    finish(window, qtbot, panel.start_harmonize)
    assert {p.part_name for p in window.proposal.placed()} == {"Alto", "Tenor"}
    moves = []
    window.doc.partsMoved.connect(moves.append)
    assert window.controller.keep()
    parts = window.doc.score.parts
    # the new staves stand between the melody's and the bass's, as the voices sound
    assert [p.name for p in parts] == ["Melody", "Alto", "Tenor", "Cello"]
    assert parts[0] == melody and parts[3] == bass
    assert moves == [[0, 3]]  # the views follow the bass to its new place
    assert {p for p, _ in window.doc.selection} == {1, 2}  # the kept notes, selected
    window.doc.undo_stack.undo()
    assert window.doc.score.parts == (melody, bass) and moves[-1] == [0, -1, -1, 1]
    window.doc.undo_stack.redo()
    assert [p.name for p in window.doc.score.parts] == ["Melody", "Alto", "Tenor", "Cello"]
    window.doc.undo_stack.undo()
    window.doc.set_selection({(0, n) for n in melody.notes})
    panel.harmony_parts[2].setCurrentIndex(panel.harmony_parts[2].findText("Cello"))
    finish(window, qtbot, panel.start_harmonize)
    assert 1 in window.proposal.parts  # rewritten this time


def test_harmonize_a_tune_on_a_pianos_staves_writes_its_left_hand(window, qtbot):
    """A tune alone on a piano's two staves: the box offers "Piano's staves" for every voice
    and picks it, so Harmonize writes alto, tenor and bass into the piano part (the tune kept,
    the lower voices in the left hand), no new part; one voice sent elsewhere is refused with
    what to do; "New part" for every voice still writes three choir parts."""
    from dataclasses import replace

    tune = replace(voice(S[:8], "Piano"), clef="grand")
    window.doc.load(Score(parts=(tune,), key_signatures=(KeySignature(0, 0),)))
    panel = window.panel
    panel.variations.setValue(1)
    panel.seed.setValue(2)
    assert [c.currentText() for c in panel.harmony_parts] == ["Piano's staves"] * 3
    finish(window, qtbot, panel.start_harmonize)
    assert window.proposal.parts == (0,) and window.proposal.hand == 1
    assert {p.part for p in window.proposal.placed()} == {0}
    assert window.controller.keep()
    (piano,) = window.doc.score.parts
    assert set(tune.notes) < set(piano.notes) and len(piano.notes) >= 4 * len(tune.notes) - 4
    assert min(x.pitch for x in piano.notes) < 60  # (the bass, in the left hand)
    window.doc.undo_stack.undo()
    assert window.doc.score.parts == (tune,)
    panel.harmony_parts[2].setCurrentIndex(panel.harmony_parts[2].findText("New part"))
    assert not panel.start_harmonize()
    assert "own staves" in panel.status.text() and window.doc.score.parts == (tune,)
    for combo in panel.harmony_parts:
        combo.setCurrentIndex(combo.findText("New part"))
    finish(window, qtbot, panel.start_harmonize)
    assert window.controller.keep()
    assert [p.name for p in window.doc.score.parts] == ["Piano", "Alto", "Tenor", "Bass"]


def test_harmonize_needs_a_melody(window):
    assert not window.panel.start_harmonize()
    assert "melody" in window.panel.status.text()


# ----- the controls -------------------------------------------------------------------------------
def test_the_key_is_shown_from_the_signature_or_the_estimate_and_can_be_changed(window, qtbot,
                                                                               monkeypatch):
    panel = window.panel
    d_major = Score(parts=(voice([62, 64, 66, 67, 69, 71, 73, 74], "Tune"),),
                    key_signatures=(KeySignature(0, 2),))
    window.doc.load(d_major)
    assert panel.key.itemText(0) == "D major (key signature)"
    assert panel.options().key is None  # a voice model writes in it without the lock
    panel.key_lock.setChecked(True)
    assert panel.options().key == "auto"
    panel.key_lock.setChecked(False)
    a_minor = Score(parts=(voice([69, 71, 72, 74, 76, 72, 68, 69], "Tune"),))
    window.doc.load(a_minor)
    assert panel.key.itemText(0) == "A minor (heard in the sketch)"
    panel.key.setCurrentIndex(panel.key.findText("E major"))
    assert panel.options().key == "E:major"
    seen = []
    real = window.controller.backend.stream
    monkeypatch.setattr(window.controller.backend, "stream",
                        lambda m, s, o, c: (seen.append(o), real(m, s, o, c))[1])
    panel.bars.setValue(1)
    panel.variations.setValue(1)
    finish(window, qtbot, panel.start_continue)
    assert seen[0].key == "E:major"
    e_major = {4, 6, 8, 9, 11, 1, 3}
    assert all(n.pitch % 12 in e_major for n in window.proposal.notes())


def test_an_ambiguous_sketch_offers_the_runner_up_key_in_one_click(window):
    panel = window.panel
    window.doc.load(Score(parts=(voice([67, 71, 74, 71, 67, 64, 66, 67], "Tune"),)))
    assert panel.key.itemText(0) == "G major (heard in the sketch)"
    assert panel.key_alternative.isVisibleTo(panel)
    assert "E minor" in panel.key_alternative.text()
    panel.key_alternative.linkActivated.emit("key")
    assert panel.key.currentText() == "E minor" and panel.options().key == "E:minor"
    assert not panel.key_alternative.isVisibleTo(panel)  # a key chosen: nothing to offer
    panel.key.setCurrentIndex(0)
    assert panel.key_alternative.isVisibleTo(panel)
    window.doc.load(Score(parts=(voice([60, 62, 64, 65, 67, 69, 71, 72, 67, 64, 62, 60],
                                       "Tune"),)))
    assert not panel.key_alternative.isVisibleTo(panel)
    window.controller.discard()
    window.files.new_document()  # another document: the choice was about the last one
    assert panel.key.currentIndex() == 0 and panel.options().key is None


def test_a_line_in_a_church_modes_scale_is_offered_that_mode(window):
    """A D Dorian line drawn without a signature is heard as D minor, and D Dorian is offered
    under the box; one click writes in it (a review was offered nothing but D minor)."""
    panel = window.panel
    window.doc.load(Score(parts=(voice([62, 64, 65, 67, 69, 71, 69, 67, 65, 64, 62, 60, 62],
                                       "Tune"),)))
    assert panel.key.itemText(0) == "D minor (heard in the sketch)"
    assert panel.key_alternative.isVisibleTo(panel)
    assert "D Dorian" in panel.key_alternative.text()
    assert "keep to its scale" in panel.key_alternative.text()
    panel.key_alternative.linkActivated.emit("key")
    assert panel.key.currentText() == "D Dorian" and panel.options().key == "D:dorian"


def test_density_slider_spans_the_request_bounds(window):
    from composer_gui.ml.limits import MAX_DENSITY, MIN_DENSITY

    panel = window.panel
    panel.density.setValue(panel.density.minimum())
    assert panel.options().density == MIN_DENSITY
    panel.density.setValue(panel.density.maximum())
    assert panel.options().density == MAX_DENSITY
    panel.density.setValue(0)
    assert panel.options().density == 0.0


def test_fewer_notes_and_more_notes(window, qtbot):
    """The slider's ends change how many notes the model writes (the same seed)."""
    window.doc.load(chorale(8))
    panel = window.panel
    panel.bars.setValue(2)
    panel.variations.setValue(2)
    panel.seed.setValue(7)
    panel.cadence.setChecked(False)
    counts = []
    for value in (panel.density.minimum(), panel.density.maximum()):
        panel.density.setValue(value)
        finish(window, qtbot, panel.start_continue)
        counts.append(sum(window.proposal.counts()))
        window.controller.discard()
    assert counts[0] < counts[1]


CHORALE = Info("chorales", Path("/x/chorales"), "four voices", ("Soprano", "Alto", "Tenor", "Bass"),
               "Writes soprano, alto, tenor, bass.\nLearned from bach-chorales.")
FOLK = Info("melodies", Path("/x/melodies"), "one line", ("Melody",),
            "Writes one line (melody).\nLearned from folk-melodies.")


def test_the_model_suggested_by_texture():
    one = Score(parts=(voice(S[:8], "Tune"),))
    assert texture(one) == 1 and texture(chorale(4)) == 4 and texture(Score()) == 0
    chords = Score(parts=(Part((Note(0, 60, TPQ), Note(0, 64, TPQ), Note(0, 67, TPQ))),))
    assert texture(chords) == 3
    models = [CHORALE, FOLK]
    assert suggest_model(one, models) == (FOLK, "one line")
    assert suggest_model(chorale(4), models) == (CHORALE, "4 parts")
    chords = Score(parts=(Part(tuple(Note(t, p, TPQ) for t in (0, TPQ) for p in (48, 60, 64))),))
    assert suggest_model(chords, models) == (CHORALE, "chords of up to 3 notes")
    assert suggest_model(Score(), models) is None
    assert suggest_model(one, [CHORALE]) is None  # nothing suits better than what there is


def test_the_panel_follows_the_texture_until_the_user_chooses(window, qtbot):
    panel = window.panel
    panel.set_models([CHORALE, FOLK])
    assert panel.model.itemData(1, Qt.ItemDataRole.ToolTipRole).startswith("Writes one line")
    window.doc.load(Score(parts=(voice(S[:8], "Tune"),)))  # a melody: the melody model
    assert panel.model.currentText() == "melodies"
    assert panel.suggestion.text() == "Suits this sketch (one line)."
    window.doc.load(chorale(8))
    assert panel.model.currentText() == "chorales"
    # the user picks the melody model by hand: the suggestion stays a link, not a switch
    panel.model.setCurrentIndex(1)
    panel.model.activated.emit(1)
    window.doc.load(chorale(4))
    assert panel.model.currentText() == "melodies"
    assert "chorales" in panel.suggestion.text() and "suits better" in panel.suggestion.text()
    assert panel.use_suggestion() and panel.model.currentText() == "chorales"


def test_harmonize_with_a_melody_model_chosen_uses_the_voice_model(window, qtbot, monkeypatch):
    """The melody model is suggested for one line; Harmonize needs voices and takes the model
    that has them (the panel says so)."""
    panel = window.panel
    voices = window.controller.backend.list_models()[0]
    folk = Info("melodies", Path("/x/melodies"), "one line", ("Melody",))
    panel.set_models([voices, folk])
    window.doc.load(Score(parts=(voice(S[:8], "Tune"),), key_signatures=(KeySignature(0, 0),)))
    assert panel.model.currentText() == "melodies"
    panel.variations.setValue(1)
    said = []
    panel.message.connect(said.append)
    finish(window, qtbot, panel.start_harmonize)
    assert said[0] == "Harmonizing with tiny-voices…"
    assert {p.part for p in window.proposal.placed()} == {1, 2, 3}
    assert panel.model.currentText() == "melodies"  # the choice stays


# ----- the status ---------------------------------------------------------------------------------
def test_the_status_clears_when_its_proposal_is_gone(window, qtbot):
    panel = window.panel
    window.doc.load(chorale(8))
    panel.bars.setValue(1)
    panel.variations.setValue(1)
    finish(window, qtbot, panel.start_continue)
    assert panel.status.text().startswith("Done")
    window.controller.discard()
    assert panel.status.text() == ""  # discarded
    finish(window, qtbot, panel.start_continue)
    window.controller.keep()
    assert panel.status.text() == "Kept variation 1."
    window.doc.undo_stack.undo()
    assert panel.status.text() == ""  # the kept notes are gone
    finish(window, qtbot, panel.start_continue)
    window.controller.keep()
    assert panel.status.text() == "Kept variation 1."
    window.doc.undo_stack.setClean()
    window.files.new_document()  # another document
    assert panel.status.text() == ""


def test_the_cadence_box_shows_the_composers_choice_only_where_it_applies(window, tiny_model):
    """Greyed out for an event-stream model, the box shows no tick; back on a voice model it
    shows what the composer chose (on by default, or unticked by hand)."""
    panel = window.panel
    panel.model.addItem("tiny", str(tiny_model))
    for wanted in (True, False):
        panel.model.setCurrentIndex(0)
        panel.cadence.setChecked(wanted)
        panel.model.setCurrentIndex(panel.model.count() - 1)
        assert not panel.cadence.isEnabled() and not panel.cadence.isChecked()
        panel.model.setCurrentIndex(0)
        assert panel.cadence.isEnabled() and panel.cadence.isChecked() == wanted
        assert panel.options().end == ("cadence" if wanted else "free")


def test_an_event_model_regenerates_the_whole_span_and_says_so(window, qtbot, tiny_model):
    """A model that writes one stream of notes cannot rewrite one part only: it rewrites the
    span (as before) and the panel says why, instead of failing."""
    panel = window.panel
    panel.model.addItem("tiny", str(tiny_model))
    panel.model.setCurrentIndex(panel.model.count() - 1)
    assert not panel.cadence.isEnabled()  # (it ends where its bars do: no cadence to ask for)
    assert not panel.cadence.isChecked()  # ... and the greyed box shows no tick (a re-trial)
    score = Score(parts=(voice(S[:8], "Tune"),), key_signatures=(KeySignature(0, 0),))
    window.doc.load(score)
    window.doc.set_selection({(0, n) for n in score.parts[0].notes[2:4]})
    panel.variations.setValue(1)
    panel.seed.setValue(1)  # (a random model: some seeds take a minute to fill the span)
    finish(window, qtbot, panel.start_regenerate)
    assert any("one stream of notes" in w for w in window.controller.warnings)
    assert "one stream of notes" in panel.status.text()


def test_a_legato_melody_is_one_line():
    """A melody whose notes are each held a little into the next (a review's MIDI file) is one
    line, as the sampler reads it, not "chords of up to 2 notes"."""
    legato = Score(parts=(Part(tuple(Note(i * TPQ, 60 + i % 5, TPQ + TPQ // 16)
                                     for i in range(16))),))
    assert texture(legato) == 1
