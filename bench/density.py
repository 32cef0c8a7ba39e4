"""Notes per bar the bundled voice models write at each notch of the panel's density control.

    python bench/density.py

folk-melodies continues a 4-bar tune (16 quarters, G major), bach-chorales the first 4 bars of
BWV 66.6 (music21's corpus); 4 bars each, 8 variations x seeds 0 and 1, ``end="free"``. Notes per
bar count every part's new notes. The density is a bias in nats on new notes (pitch tokens)
against HOLD and REST wherever a voice is sampled (ml/voice_sampler.py).
"""

from __future__ import annotations

from pathlib import Path

from composer_gui.ml.limits import MAX_DENSITY
from composer_gui.ml.sampler import GenerationRequest, load_sampler
from composer_gui.music import load_score
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score

NOTCHES = (-MAX_DENSITY, -MAX_DENSITY / 2, 0.0, MAX_DENSITY / 2, MAX_DENSITY)
TUNE = (67, 67, 69, 71, 72, 71, 69, 67, 69, 71, 72, 74, 71, 69, 67, 67)


def sketches() -> list[tuple[str, Score]]:
    from music21 import corpus

    bwv = next(Path(p) for p in corpus.getComposer("bach") if Path(p).name == "bwv66.6.mxl")
    chorale = load_score(bwv)
    opening = chorale.map_notes(lambda n: n if n.start < chorale.bar_start(4) else None)
    tune = Score(parts=(Part(tuple(Note(i * TPQ, p, TPQ) for i, p in enumerate(TUNE)),
                             name="Melody"),), key_signatures=(KeySignature(0, 1, "major"),))
    return [("folk-melodies", tune), ("bach-chorales", opening)]


def main() -> None:
    print("| model (sketch) | " + " | ".join(f"density {d:+.1f}" for d in NOTCHES) + " |")
    print("| --- |" + " --- |" * len(NOTCHES))
    for model, score in sketches():
        sampler = load_sampler(model)
        cells = []
        for d in NOTCHES:
            added = 0
            for seed in (0, 1):
                out = sampler.generate(score, GenerationRequest(
                    bars=4, variations=8, seed=seed, end="free", density=d))
                added += sum(r.note_count - score.note_count for r in out)
            cells.append(f"{added / (16 * 4):.2f}")
        print(f"| {model} ({len(score.parts)} part(s)) | " + " | ".join(cells) + " |",
              flush=True)


if __name__ == "__main__":
    main()
