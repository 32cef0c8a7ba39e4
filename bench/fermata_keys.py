"""The key a chorale melody is harmonized in, with and without the notes under its fermatas.

    python bench/fermata_keys.py

The soprano of every chorale of the bach-chorales model's split, read with its file's key
signature and mode as `generate --harmonize` reads it, is heard by the line model
(keyfinding.key_choices), its fermatas' notes weighed by FERMATA_WEIGHT 0 (none) to 1. Right:
Bach's key, the bass of the final chord where it is a tonic of the signature's keys (its major,
relative minor, or the minor key a flat further), else the key the profile method hears in his
four voices (a chorale ending on a half close: BWV 127.5 ends on C in F major). Printed: the
table of log P(degree | mode) fitted on the train chorales (keyfinding.FERMATA_DEGREES), and
how many melodies are heard in Bach's key: train (a two-fold split, each half's table fitted on
the other), val (tuning), test.

Parsing is cached under ``$COMPOSER_GUI_CACHE/keyfinding`` (about a minute the first time).
"""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from composer_gui.ml import keyfinding as kf  # noqa: E402
from composer_gui.ml.corpora import cache_dir  # noqa: E402
from composer_gui.music.score import KeySignature, Note  # noqa: E402

WEIGHTS = (0.0, 0.1, 0.25, 0.5, 1.0)


def _record(piece_id: str) -> dict | None:
    import music21

    from composer_gui.music.formats import load_score

    found = music21.corpus.getWork(piece_id, fileExtensions=(".mxl",))
    s = load_score(str(found[0] if isinstance(found, list) else found))
    if len(s.parts) < 4 or not s.key_signatures:
        return None
    declared = s.key_at(0)
    voices = [n for p in s.parts[:4] for n in p.notes]
    last = max(n.start for n in voices)
    bass = min(n.pitch for n in voices if n.start == last) % 12
    major = (declared.sharps * 7) % 12
    if bass == major:
        truth = (bass, "major")
    elif bass in ((major + 9) % 12, (major + 2) % 12):
        truth = (bass, "minor")
    else:  # ends off the tonic: the key of the four voices
        heard = kf.estimate_key(voices, declared)
        truth = (heard.tonic_pc, heard.quality)
    return {"id": piece_id, "notes": [(n.start, n.pitch, n.duration) for n in s.parts[0].notes],
            "sig": declared.sharps, "mode": declared.mode, "truth": truth,
            "fermatas": list(s.fermatas)}


def load() -> dict[str, list[dict]]:
    path = cache_dir() / "keyfinding" / "chorale-sopranos-v1.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    split = json.loads((ROOT / "models" / "bach-chorales" / "split.json").read_text())
    data = {name: [r for r in map(_record, split[name]) if r] for name in ("train", "val", "test")}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(data))
    return data


def fitted(recs: list[dict]) -> np.ndarray:
    """Add-one counts of the degree under each fermata, per mode, in each melody's key."""
    counts = np.ones((2, 12))
    for r in recs:
        tonic, mode = r["truth"]
        notes = [Note(*n) for n in r["notes"]]
        for pc in kf.fermata_pcs(notes, r["fermatas"]):
            counts[int(mode == "minor"), (pc - tonic) % 12] += 1
    return counts


def right(recs: list[dict], counts: np.ndarray, weight: float) -> int:
    kf.FERMATA_DEGREES = np.log(counts / counts.sum(axis=1, keepdims=True))
    kf.FERMATA_WEIGHT = weight
    out = 0
    for r in recs:
        notes = [Note(*n) for n in r["notes"]]
        best = kf.estimate_key(notes, KeySignature(0, r["sig"], r["mode"] or "major"),
                               fermatas=r["fermatas"])
        out += best is not None and (best.tonic_pc, best.quality) == tuple(r["truth"])
    return out


def main() -> None:
    data = load()
    counts = fitted(data["train"])
    print("Counts of the melody's degree under a fermata (train chorales, add-one):")
    print("  major", counts[0].astype(int).tolist())
    print("  minor", counts[1].astype(int).tolist())
    print()
    print("| weight | train (two-fold) | val (tuning) | test |")
    print("| ---: | --- | --- | --- |")
    train = data["train"]
    halves = train[0::2], train[1::2]
    for w in WEIGHTS:
        folded = right(halves[1], fitted(halves[0]), w) + right(halves[0], fitted(halves[1]), w)
        cells = [f"{folded} of {len(train)}"] + [
            f"{right(data[s], counts, w)} of {len(data[s])}" for s in ("val", "test")]
        print(f"| {w:g} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
