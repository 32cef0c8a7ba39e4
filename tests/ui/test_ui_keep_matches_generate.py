"""The window's Keep and ``composer-gui generate`` keep the same notes in the same parts.

Both run the real sampler on tests/conftest.py's tiny model with the same seed and settings, and
both ask music/edits.py where the notes go; this checks that nothing on either path decides it
differently (which part, what is replaced, drums untouched). Needs TensorFlow to build the model.
"""

from __future__ import annotations

import pytest

from composer_gui.cli import main
from composer_gui.ml.limits import default_key
from composer_gui.music import load_score, save_score
from composer_gui.music.edits import NEW_PART_NAME, split_across
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score
from composer_gui.ui.generation import GenerationOptions, SamplerBackend

SEED = 7
BAR = 4 * TPQ


def melody(pitches, start: int = 0, length: int = TPQ) -> tuple[Note, ...]:
    return tuple(Note(start + i * length, p, length, 80) for i, p in enumerate(pitches))


def one_part() -> Score:
    return Score(parts=(Part(melody([60, 62, 64, 65, 67, 65, 64, 62, 60, 64, 67, 72]),
                             name="Flute"),), key_signatures=(KeySignature(0, 0),))


def many_parts() -> Score:
    """Two voices and a drum part: the generated notes go to a new part, the drums stay."""
    drums = tuple(Note(i * TPQ, 36 + 2 * (i % 2), TPQ // 2, 100) for i in range(12))
    return Score(parts=(
        Part(melody([72, 71, 72, 74, 76, 74, 72, 71, 72, 76, 79, 84]), name="Soprano"),
        Part(melody([48, 55, 52, 53], length=3 * TPQ), name="Bass"),
        Part(drums, name="Drums", is_drum=True, channel=9),
    ), key_signatures=(KeySignature(0, 0),))


def with_continuation_part() -> Score:
    """A score continued before: the new notes join its "Continuation" part."""
    score = many_parts()
    earlier = Part(melody([67, 69, 71], start=8 * TPQ), name=NEW_PART_NAME)
    return score.with_parts([*score.parts[:2], earlier, score.parts[2]])


CASES = {
    "one part": (one_part, None),
    "many parts": (many_parts, None),
    "a continuation part": (with_continuation_part, None),
    "one part, a region": (one_part, (2, 2)),
    "many parts, a region": (many_parts, (2, 2)),
}


def parts(score: Score) -> list[tuple]:
    return [(p.name, p.is_drum, p.notes) for p in score.parts]


@pytest.mark.parametrize("case", sorted(CASES))
def test_keep_in_the_window_is_what_generate_writes(case, window, qtbot, tiny_model, tmp_path):
    make, bars = CASES[case]
    seed = tmp_path / "seed.composer.json"
    save_score(make(), seed)
    sketch = load_score(seed)  # what both read

    out = tmp_path / "out.composer.json"
    where = ["--region", f"{bars[0]}:{bars[1]}"] if bars else ["--bars", "2"]
    assert main(["generate", "--model", str(tiny_model), "--seed", str(seed), *where,
                 "--rng-seed", str(SEED), "-o", str(out)]) == 0
    by_cli = load_score(out)

    window.controller.backend = SamplerBackend()
    window.doc.load(sketch)
    region = (sketch.bar_start(bars[0] - 1), sketch.bar_start(bars[1])) if bars else None
    options = GenerationOptions(model=str(tiny_model), bars=2, seed=SEED)
    with qtbot.waitSignal(window.controller.finished, timeout=60000):
        assert window.controller.start(options, region)
    assert window.proposal.notes(), "the model wrote nothing: the comparison would be empty"
    assert window.controller.keep()
    by_window = window.doc.score

    assert parts(by_window) == parts(by_cli)
    assert parts(by_window) != parts(sketch)
    drums = [p for p in sketch.parts if p.is_drum]
    assert [p for p in by_window.parts if p.is_drum] == drums  # never touched
    if bars is None and len(sketch.parts) > 1:
        target = [p.name for p in by_window.parts].index(NEW_PART_NAME)
        assert len(by_window.parts[target].notes) > sum(
            len(p.notes) for p in sketch.parts if p.name == NEW_PART_NAME)
        assert [p.name for p in by_window.parts].count(NEW_PART_NAME) == 1
    if bars is not None:  # outside the region every part sounds as it did
        lo, hi = region

        def outside(p: Part) -> list[Note]:  # (a note held across an edge is cut there)
            return [n for n in split_across(p.notes, region) if not lo <= n.start < hi]

        for old, new in zip(sketch.parts, by_window.parts, strict=False):
            assert outside(new) == outside(old)
        assert all(lo <= n.start < hi for p in by_window.parts[len(sketch.parts):]
                   for n in p.notes)

def test_the_cli_continues_into_an_existing_continuation_part(installed_tiny, tmp_path):
    """Continuing a file twice adds to one "Continuation" part rather than a second one."""
    seed = tmp_path / "seed.composer.json"
    save_score(many_parts(), seed)
    first, second = tmp_path / "first.composer.json", tmp_path / "second.composer.json"
    for src, out in ((seed, first), (first, second)):
        assert main(["generate", "--model", "tiny", "--seed", str(src), "--bars", "1",
                     "--rng-seed", str(SEED), "-o", str(out)]) == 0
    names = [p.name for p in load_score(second).parts]
    assert names.count(NEW_PART_NAME) == 1
    assert len(names) == len(many_parts().parts) + 1


# ----- a voice-grid model: notes go into the score's own parts ---------------------------------
def chorale() -> Score:
    lines = (("Soprano", [72, 71, 72, 74, 76, 74, 72, 71]),
             ("Alto", [67, 67, 69, 67, 67, 65, 64, 62]),
             ("Tenor", [64, 62, 64, 59, 60, 62, 60, 55]),
             ("Bass", [48, 55, 53, 55, 48, 53, 55, 43]))
    return Score(parts=tuple(Part(melody(ps + ps), name=name) for name, ps in lines),
                 key_signatures=(KeySignature(0, 0),))


VOICE_CASES = {
    "continue a chorale": (chorale, None, {}, []),
    "a chorale region, inner voices": (chorale, (2, 2), {"parts": (1, 2)}, ["--parts", "2,3"]),
    "harmonize a melody": (one_part, None, {"harmonize": True}, ["--harmonize"]),
}


@pytest.mark.parametrize("case", sorted(VOICE_CASES))
def test_keep_of_a_voice_model_writes_into_the_parts(case, window, qtbot, tiny_voice_model,
                                                     tmp_path):
    make, bars, extra, flags = VOICE_CASES[case]
    seed = tmp_path / "seed.composer.json"
    save_score(make(), seed)
    sketch = load_score(seed)
    out = tmp_path / "out.composer.json"
    where = ["--region", f"{bars[0]}:{bars[1]}"] if bars else ["--bars", "2"]
    if extra.get("harmonize"):
        where = []
    assert main(["generate", "--model", str(tiny_voice_model), "--seed", str(seed), *where,
                 *flags, "--end", "cadence", "--rng-seed", str(SEED), "-o", str(out)]) == 0
    by_cli = load_score(out)

    window.controller.backend = SamplerBackend()
    window.doc.load(sketch)
    region = (sketch.bar_start(bars[0] - 1), sketch.bar_start(bars[1])) if bars else None
    # the panel's default for a voice model, as generate's: no key lock (limits.KEY_LOCK)
    options = GenerationOptions(model=str(tiny_voice_model), bars=2, seed=SEED, end="cadence",
                                key=default_key(voice_grid=True), **extra)
    with qtbot.waitSignal(window.controller.finished, timeout=60000):
        assert window.controller.start(options, region)
    assert window.proposal.notes()
    assert parts(window.playback.playback_score()) == parts(by_cli)  # heard as it will be kept
    assert window.controller.keep()
    by_window = window.doc.score
    assert parts(by_window) == parts(by_cli)
    names = [p.name for p in by_window.parts]
    if extra.get("harmonize"):
        assert names == ["Flute", "Alto", "Tenor", "Bass"]
        assert by_window.parts[0] == sketch.parts[0]
    else:
        assert names == ["Soprano", "Alto", "Tenor", "Bass"]  # no new part
        changed = [old != new for old, new in zip(sketch.parts, by_window.parts, strict=True)]
        assert changed == ([True] * 4 if bars is None else [False, True, True, False])
    window.doc.undo_stack.undo()
    assert parts(window.doc.score) == parts(sketch)  # one step, added parts gone


@pytest.mark.parametrize("bars", [None, (2, 2)])
def test_a_key_chosen_for_the_voices_brings_its_signature_where_they_wrote_in_it(
        bars, window, qtbot, tiny_voice_model, tmp_path):
    """A key chosen in the panel (``--key``) puts its signature where the generation wrote in
    it, and a region gives the old one back after it, in the window's Keep (one undo step) as
    in ``generate``. A fuzz run asked for A-sharp minor after a D major sketch and got it under
    D major's two sharps."""
    seed = tmp_path / "seed.composer.json"
    save_score(chorale(), seed)
    sketch = load_score(seed)
    out = tmp_path / "out.composer.json"
    where = ["--region", f"{bars[0]}:{bars[1]}"] if bars else ["--bars", "2"]
    assert main(["generate", "--model", str(tiny_voice_model), "--seed", str(seed), *where,
                 "--key", "G:major", "--rng-seed", str(SEED), "-o", str(out)]) == 0
    by_cli = load_score(out)
    start = sketch.bar_start(bars[0] - 1) if bars else sketch.end_tick
    want = [(0, 0), (start, 1)] + ([(sketch.bar_start(bars[1]), 0)] if bars else [])
    assert [(k.tick, k.sharps) for k in by_cli.key_signatures] == want

    window.controller.backend = SamplerBackend()
    window.doc.load(sketch)
    region = (sketch.bar_start(bars[0] - 1), sketch.bar_start(bars[1])) if bars else None
    options = GenerationOptions(model=str(tiny_voice_model), bars=2, seed=SEED, key="G:major")
    with qtbot.waitSignal(window.controller.finished, timeout=60000):
        assert window.controller.start(options, region)
    assert window.controller.keep()
    assert window.doc.score.key_signatures == by_cli.key_signatures
    assert parts(window.doc.score) == parts(by_cli)
    assert "in G major" in window.doc.undo_stack.undoText()
    window.doc.undo_stack.undo()
    assert window.doc.score.key_signatures == sketch.key_signatures
    assert parts(window.doc.score) == parts(sketch)
