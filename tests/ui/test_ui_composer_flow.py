"""A composer's flow with the bundled models, through the real window: open a melody, harmonize
it, continue 8 bars ending with a cadence, keep, export MusicXML; and Harmonize on a selection of
BWV 66.6. ONNX Runtime on CPU: a few seconds in all (the MusicXML export is music21's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from composer_gui.music import load_score, save_score
from composer_gui.music.analysis import ends_on_tonic
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score
from composer_gui.ui.generation import SamplerBackend

BUNDLED = ("bach-chorales", "folk-melodies")
# "Ah vous dirai-je" in G: four bars of quarters and halves
TUNE = [(67, 1), (67, 1), (74, 1), (74, 1), (76, 1), (76, 1), (74, 2),
        (72, 1), (72, 1), (71, 1), (71, 1), (69, 1), (69, 1), (67, 2)]


def bwv66_6() -> Path:
    from music21 import corpus

    found = [p for p in corpus.getComposer("bach") if Path(p).name == "bwv66.6.mxl"]
    if not found:
        pytest.skip("music21's corpus has no BWV 66.6")
    return Path(found[0])


@pytest.fixture
def backend(tmp_path, monkeypatch):
    """The real backend with the bundled models only."""
    from composer_gui.ml.model_folder import list_models

    monkeypatch.setenv("COMPOSER_GUI_MODELS", str(tmp_path / "no-user-models"))
    if not {m.name for m in list_models()} >= set(BUNDLED):
        pytest.skip("the bundled models are not installed")
    return SamplerBackend()


def mean(part: Part) -> float:
    return sum(n.pitch for n in part.notes) / len(part.notes)


def wait_for(qtbot, signal, start, timeout: int = 60000) -> None:
    with qtbot.waitSignal(signal, timeout=timeout):
        start()


def test_open_a_melody_harmonize_continue_8_bars_with_a_cadence_keep_export_musicxml(
        window, qtbot, tmp_path, monkeypatch):
    notes, t = [], 0
    for pitch, beats in TUNE:
        notes.append(Note(t, pitch, beats * TPQ, 80))
        t += beats * TPQ
    melody_file = tmp_path / "twinkle.mid"
    save_score(Score(parts=(Part(tuple(notes), name="Melody"),),
                     key_signatures=(KeySignature(0, 1),)), melody_file)
    panel, files = window.panel, window.files

    # open the melody: the panel suggests the melody model for one line, and shows the key
    wait_for(qtbot, files.replaced, lambda: files.open_path(melody_file))
    melody = window.doc.score.parts[0]
    assert panel.model.currentText() == "folk-melodies"
    assert panel.key.itemText(0) == "G major (key signature)"

    # harmonize: three new voices under the melody, the melody unchanged
    panel.variations.setValue(2)
    panel.seed.setValue(1)
    wait_for(qtbot, window.controller.finished,
             lambda: qtbot.mouseClick(panel.harmonize_button, Qt.MouseButton.LeftButton))
    assert window.controller.keep()
    score = window.doc.score
    assert [p.name for p in score.parts][1:] == ["Alto", "Tenor", "Bass"]
    assert score.parts[0] == melody
    assert mean(score.parts[0]) > mean(score.parts[1]) > mean(score.parts[2]) \
        > mean(score.parts[3])
    assert all(p.notes[-1].end <= melody.notes[-1].end for p in score.parts[1:])

    # four voices now: the chorale model is suggested; continue 8 bars ending with a cadence
    assert panel.model.currentText() == "bach-chorales"
    panel.bars.setValue(8)
    assert panel.cadence.isChecked()
    wait_for(qtbot, window.controller.finished, panel.start_continue)
    assert {p.part for p in window.proposal.placed()} == {0, 1, 2, 3}
    assert window.controller.keep()
    score = window.doc.score
    assert len(score.parts) == 4
    end = score.bar_start(score.bar_at(melody.notes[-1].end - 1) + 9)
    assert max(n.end for n in score.notes) == end  # 8 bars after the melody's last bar
    assert ends_on_tonic(score.notes, KeySignature(0, 1), end)

    # export MusicXML: what the notation program opens is the kept score
    out = tmp_path / "chorale.musicxml"
    monkeypatch.setattr(window, "ask_save_path", lambda *_args: out)
    wait_for(qtbot, files.exported, window.act.export_xml.trigger, timeout=120000)
    back = load_score(out)
    assert [sorted(n.pitch for n in p.notes) for p in back.parts] == \
        [sorted(n.pitch for n in p.notes) for p in score.parts]


def test_harmonize_a_selection_of_bwv_66_6_rewrites_its_lower_parts_there(window, qtbot):
    files, panel = window.files, window.panel
    wait_for(qtbot, files.replaced, lambda: files.open_path(bwv66_6()))
    score = window.doc.score
    assert len(score.parts) == 4 and panel.model.currentText() == "bach-chorales"
    lo, hi = score.bar_start(1), score.bar_start(3)  # bars 2 and 3 (after the pickup)
    window.doc.set_selection({(0, n) for n in score.parts[0].notes if lo <= n.start < hi})
    assert [c.currentData() for c in panel.harmony_parts] == [1, 2, 3]  # its own A, T, B
    panel.variations.setValue(1)
    panel.seed.setValue(4)
    wait_for(qtbot, window.controller.finished, panel.start_harmonize)
    assert window.proposal.parts == (1, 2, 3)
    placed = window.proposal.placed()
    assert placed and all(p.part in (1, 2, 3) and lo <= p.note.start < hi for p in placed)
    assert window.controller.keep()
    kept = window.doc.score
    assert kept.parts[0] == score.parts[0]
    for old, new in zip(score.parts, kept.parts, strict=True):
        assert [n for n in new.notes if not lo <= n.start < hi] == \
            [n for n in old.notes if not lo <= n.start < hi]
