"""Continue with the real sampler (composer_gui.ml) and a tiny random model, end to end.

The model folder is tests/conftest.py's ``tiny_model`` (built with TensorFlow, the ``train``
extra, once a session and shared with the ml tests); without TensorFlow these tests are skipped.
"""

from __future__ import annotations

from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score
from composer_gui.ui.generation import SamplerBackend


def run(window, qtbot) -> list[list[Note]]:
    with qtbot.waitSignal(window.controller.finished, timeout=60000):
        assert window.panel.start_continue()
    return [list(v) for v in window.proposal.variations]


def test_continue_with_the_real_sampler(window, qtbot, tiny_model):
    window.controller.backend = SamplerBackend()
    panel = window.panel
    panel.model.addItem("tiny", str(tiny_model))
    panel.model.setCurrentIndex(panel.model.count() - 1)
    melody = tuple(Note(i * TPQ, p, TPQ) for i, p in enumerate((60, 62, 64, 65, 67, 65, 64, 62)))
    window.doc.load(Score(parts=(Part(melody),), key_signatures=(KeySignature(0, 0, "major"),)))
    panel.bars.setValue(2)
    panel.variations.setValue(2)
    panel.seed.setValue(11)
    first = run(window, qtbot)
    assert len(first) == 2 and all(first)
    c_major = {0, 2, 4, 5, 7, 9, 11}
    for notes in first:
        assert all(n.start >= 8 * TPQ for n in notes)
        assert all(n.pitch % 12 in c_major for n in notes)  # "Stay in the key" with C major
    window.controller.discard()
    assert run(window, qtbot) == first  # the same seed gives the same notes
    window.proposal.select(1)
    window.controller.keep()
    assert window.doc.score.notes == sorted([*melody, *first[1]])
    assert window.doc.undo_stack.count() == 1


def test_what_the_sampler_assumed_is_shown(window, qtbot, tiny_model):
    """A meter outside the model's vocabulary is treated as another: the user is told so."""
    from composer_gui.music.score import TimeSignature

    window.controller.backend = SamplerBackend()
    panel = window.panel
    panel.model.addItem("tiny", str(tiny_model))
    panel.model.setCurrentIndex(panel.model.count() - 1)
    melody = tuple(Note(i * TPQ // 2, 60 + i, TPQ // 2) for i in range(5))
    window.doc.load(Score(parts=(Part(melody),), time_signatures=(TimeSignature(0, 5, 8),)))
    panel.bars.setValue(1)
    run(window, qtbot)
    assert any("5/8" in w for w in window.controller.warnings)
    assert "Note: time signature 5/8" in panel.status.text()


def test_warnings_ride_on_the_stream_not_on_the_backend(tiny_model):
    """The backend is shared by worker threads: what one generation assumed travels with its
    stream (and then with the task's finished signal), never in the backend."""
    import threading

    from composer_gui.music.score import TimeSignature
    from composer_gui.ui.generation import GenerationOptions

    backend = SamplerBackend()
    melody = tuple(Note(i * TPQ // 2, 60 + i, TPQ // 2) for i in range(5))
    score = Score(parts=(Part(melody),), time_signatures=(TimeSignature(0, 5, 8),))
    stream = backend.stream(str(tiny_model), score, GenerationOptions(bars=1, seed=1),
                            threading.Event())
    assert any("5/8" in w for w in stream.warnings)
    assert all(g.note.start >= melody[-1].end for g in stream)
    assert not hasattr(backend, "warnings")


def test_keep_writes_the_fermatas_of_a_chorale_continuation(window, qtbot, tiny_voice_model):
    """A kept chorale continuation carries its phrase ends: the closing chord's fermata is in
    the score (the Score dock and MusicXML show it), and undo takes it away with the notes. (The
    sketch marks its own phrase end: one that marks none gets none written,
    voice_sampler.SKETCH_MARKS_ENDS.)"""
    from composer_gui.music.score import KeySignature

    window.controller.backend = SamplerBackend()
    panel = window.panel
    panel.model.addItem("tiny-voices", str(tiny_voice_model))
    panel.model.setCurrentIndex(panel.model.count() - 1)
    chord = ((72, 67, 64, 48), (71, 67, 62, 43), (72, 67, 64, 48), (74, 65, 59, 43))
    parts = tuple(Part(tuple(Note(i * TPQ, c[v], TPQ) for i, c in enumerate(chord)), name=name)
                  for v, name in enumerate(("Soprano", "Alto", "Tenor", "Bass")))
    window.doc.load(Score(parts=parts, key_signatures=(KeySignature(0, 0, "major"),),
                          fermatas=(2 * TPQ,)))
    panel.bars.setValue(2)
    panel.seed.setValue(3)
    run(window, qtbot)
    marked = window.proposal.fermatas()
    last = max(n.start for n in window.proposal.notes())
    assert last in marked and all(t >= 4 * TPQ for t in marked)
    window.controller.keep()
    assert window.doc.score.fermatas == (2 * TPQ, *sorted(marked))
    window.doc.undo_stack.undo()
    assert window.doc.score.fermatas == (2 * TPQ,) and window.doc.score.parts == parts
    window.doc.undo_stack.redo()
    assert window.doc.score.fermatas == (2 * TPQ, *sorted(marked))


def test_the_ruler_marks_the_fermatas_of_the_score_and_of_the_proposal(window, qtbot):
    from dataclasses import replace

    from composer_gui.music.score import Part

    roll = window.roll
    score = Score(parts=(Part(tuple(Note(i * TPQ, 60 + i, TPQ) for i in range(8))),),
                  fermatas=(3 * TPQ,))
    window.doc.load(score)
    assert roll.ruler.fermata_ticks() == [3 * TPQ]
    window.proposal.begin(1, 8 * TPQ, None, 0)
    window.proposal.mark_fermatas([[11 * TPQ]])
    assert roll.ruler.fermata_ticks() == [3 * TPQ, 11 * TPQ]
    image = roll.ruler.grab().toImage()  # the mark is drawn in the ruler's text colour
    x = round(roll.geo.x_of(3 * TPQ))
    assert any(image.pixelColor(x + dx, y).lightness() > 150
               for dx in (-4, 0, 4) for y in range(1, 6))
    window.proposal.clear()
    window.doc.load(replace(score, fermatas=()))
    assert roll.ruler.fermata_ticks() == []


def test_keep_writes_chord_symbols_over_a_lead_sheets_new_bars(window, qtbot, tiny_voice_model):
    """A four-part lead sheet continued: the proposal shows chord symbols over the new bars
    (what Play and the Score dock read), Keep writes them with the notes, as the command line
    does, and undo takes them away."""
    from composer_gui.music.chord_symbols import chord_tones
    from composer_gui.music.score import ChordSymbol

    window.controller.backend = SamplerBackend()
    panel = window.panel
    panel.model.addItem("tiny-voices", str(tiny_voice_model))
    panel.model.setCurrentIndex(panel.model.count() - 1)
    chord = ((72, 67, 64, 48), (72, 65, 57, 53), (71, 67, 62, 43), (72, 67, 64, 48))
    parts = tuple(Part(tuple(Note(i * 4 * TPQ, c[v], 4 * TPQ) for i, c in enumerate(chord)),
                       name=name)
                  for v, name in enumerate(("Soprano", "Alto", "Tenor", "Bass")))
    symbols = tuple(ChordSymbol(i * 4 * TPQ, x) for i, x in enumerate(("C", "F", "G", "C")))
    window.doc.load(Score(parts=parts, key_signatures=(KeySignature(0, 0, "major"),),
                          chord_symbols=symbols))
    panel.bars.setValue(2)
    panel.seed.setValue(3)
    run(window, qtbot)
    shown = window.proposal.applied(window.doc.score).chord_symbols
    new = [c for c in shown if c.tick >= 16 * TPQ]
    assert new and all(chord_tones(c.text) is not None for c in new)
    ruler = window.roll.ruler  # (the ruler's chord lane shows them, in the proposal's colour)
    assert len(ruler.chord_layout()) == len(symbols) + len(new)
    ruler.grab()
    window.controller.keep()
    assert window.doc.score.chord_symbols == (*symbols, *new)
    window.doc.undo_stack.undo()
    assert window.doc.score.chord_symbols == symbols and window.doc.score.parts == parts
