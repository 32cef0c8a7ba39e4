"""Where a melody's phrases end, heard without fermatas (music/phrases.py), against the truth.

    python bench/melody_phrases.py               # found phrase ends: precision, recall, F1
    python bench/melody_phrases.py --fit         # fit END_WEIGHTS and PHRASE_BARS (prints them)
    python bench/melody_phrases.py --harmonize 40  # cadences at the true phrase ends when
                                                   # harmonized, the phrases heard on and off

Truth. Essen folk songs (music21's essenFolksong, the first 50 tunes of each of its 32 files,
tunes with ties or slurs left out): each line of a tune's ABC is one phrase, its last note the
phrase end. Bach chorale sopranos (the bach-chorales split): the notes under fermatas, the
fermatas then removed. The fit uses the even-numbered Essen tunes and the train chorales; the
report, the odd-numbered Essen tunes and the val and test chorales. The last note (the piece's
end) is not counted. "Two-bar rule": what the harmonizer used before, a note of two beats or
more ending a two-bar unit.

``--harmonize N``: N held-out melodies of each set, fermatas removed, harmonized with the app's
defaults (2 variations): at each true phrase end, whether the chord on its note closes (the
tonic triad or V in root position; "after its V" where the beat before holds the dominant of
that chord), with ``phrases.melody_phrase_ends`` used (now) and not (before); for the
chorales also Bach's own chords there, and the melodies harmonized with their fermatas. And
what the voices pay: the alto's, tenor's and bass's leaps of a sixth or more among their
moves, onsets with two voices crossed, consecutive fifths or octaves between any two voices
per 8 bars.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import re
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from composer_gui.ml.corpora import cache_dir, music21_corpus_root  # noqa: E402
from composer_gui.music import phrases  # noqa: E402
from composer_gui.music.score import Note, Score  # noqa: E402

CACHE_VERSION = 1
PER_FILE = 50
_TOKEN = re.compile(r"(\[[^\]]*\]|\"[^\"]*\"|![^!]*!|[=^_]*[A-Ga-g][,']*[\d/]*|[zx][\d/]*)")


def _essen() -> list[dict]:
    import music21

    from composer_gui.music.notation import score_from_music21

    out = []
    for f in sorted((music21_corpus_root() / "essenFolksong").glob("*.abc")):
        text = f.read_text(encoding="latin-1")
        for block in re.split(r"(?m)^(?=X:)", text)[1:][:PER_FILE]:
            body = [ln for ln in block.splitlines()
                    if ln.strip() and not re.match(r"^[A-Za-z]:", ln)]
            if len(body) < 2 or "-" in "".join(body) or "(" in "".join(body):
                continue  # one line, or ties and slurs (notes the line count cannot match)
            counts = [sum(t[0] not in '["!zx' for t in _TOKEN.findall(b)) for b in body]
            try:
                score = score_from_music21(music21.converter.parse(block, format="abc"))
            except Exception:
                continue
            notes = sorted(score.notes, key=lambda n: n.start)
            if len(notes) != sum(counts) or len(score.time_signatures) != 1:
                continue
            ends, k = [], 0
            for c in counts[:-1]:
                k += c
                if c:
                    ends.append(notes[k - 1].start)
            out.append({"id": f"{f.name}#{len(out)}", "score": score, "truth": ends})
    return out


def _chorales() -> dict[str, list[dict]]:
    import music21

    from composer_gui.ml.corpora import _convert_m21

    split = json.loads((ROOT / "models" / "bach-chorales" / "split.json").read_text("utf-8"))
    out: dict[str, list[dict]] = {}
    for name in ("train", "val", "test"):
        recs = []
        for pid in split[name]:
            try:
                score, _ = _convert_m21(music21.corpus.parse(pid), "chorale")
            except Exception:
                continue
            if score.parts and score.fermatas:
                recs.append({"id": pid, "score": score, "truth": sorted(score.fermatas)})
        out[name] = recs
    return out


def load() -> dict[str, list[dict]]:
    """{"fit": [...], "essen": [...], "chorales": [...]} (the report's sets held out), cached."""
    path = cache_dir() / "phrases" / f"truth-v{CACHE_VERSION}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    essen, chorales = _essen(), _chorales()
    data = {"fit": essen[::2] + chorales["train"], "essen": essen[1::2],
            "chorales": chorales["val"] + chorales["test"]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(data))
    return data


def melody(score: Score) -> list[Note]:
    return sorted(score.parts[0].notes, key=lambda n: n.start)


def two_bar_rule(score: Score) -> set[int]:
    """The rule before: a note of two beats or more that ends a two-bar unit."""
    ns = melody(score)
    bars = score.bar_starts()
    beat = score.time_signatures[0].beat_ticks
    upbeat = len(bars) > 1 and 0 < ns[0].start < bars[1]
    ends = set(bars[(3 if upbeat else 2)::2])
    return {n.start for n in ns[:-1] if n.duration >= 2 * beat and n.end in ends}


def scores(recs: list[dict], find) -> str:
    tp = fp = fn = 0
    for r in recs:
        last = melody(r["score"])[-1].start
        truth = {t for t in r["truth"] if t < last}
        found = {t for t in find(r["score"]) if t < last}
        tp, fp, fn = tp + len(found & truth), fp + len(found - truth), fn + len(truth - found)
    p, rc = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return f"{100 * p:.0f}% / {100 * rc:.0f}% / {2 * p * rc / max(1e-9, p + rc):.2f}"


def fit(recs: list[dict], l2: float = 1e-3, steps: int = 3000, lr: float = 0.5) -> None:
    xs, ys, lengths = [], [], Counter()
    for r in recs:
        score = r["score"]
        ns = melody(score)
        truth = set(r["truth"])
        xs += phrases._features(ns, score)
        ys += [n.start in truth for n in ns[:-1]]
        bar = score.time_signatures[0].bar_ticks
        cuts = [ns[0].start] + [ns[i + 1].start for i, n in enumerate(ns[:-1])
                                if n.start in truth] + [ns[-1].end]
        lengths.update(round(2 * (b - a) / bar) / 2 for a, b in itertools.pairwise(cuts))
    x, y = np.array(xs), np.array(ys, float)
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-x @ w))
        w -= lr * (x.T @ (p - y) / len(y) + l2 * w)
    total = sum(lengths.values())
    print("END_WEIGHTS =", tuple(round(float(v), 2) for v in w))
    print("PHRASE_BARS =", {k: round(v / total, 3) for k, v in sorted(lengths.items())
                            if v / total >= 0.002 and k > 0})


def _closes(notes: list[Note], t: int, beat: int, key, c: Counter) -> None:
    """Count the chord at a true phrase end ``t``: on the home key's I or V in root position;
    on any major or minor triad in root position; that triad after its own dominant."""
    from composer_gui.music import analysis as an

    c["ends"] += 1
    at = an.sonorities(notes, [t])[0]
    if len(at.pcs) < 2:
        return
    if key is not None and (an.is_tonic(at, key) or (an.is_dominant(at, key)
                            and an.closes_in_root_position(at))):
        c["I or V"] += 1
    root = an.chord_root(at.pcs)
    if root is None or root[1] not in ("maj", "min") or at.bass % 12 != root[0]:
        return
    c["triad"] += 1
    if t >= beat:
        dom = an.chord_root(an.sonorities(notes, [t - beat])[0].pcs)
        if dom is not None and dom[1] in ("maj", "dom7") and dom[0] == (root[0] + 7) % 12:
            c["after its V"] += 1


def _voices(score: Score, c: Counter) -> None:
    """Count the voices' moves: leaps of a sixth or more in the lower voices, crossings,
    parallels between any two voices, bars."""
    from composer_gui.music import analysis as an

    voices = an.part_voices(score)
    for v in voices[1:]:
        line = sorted(v, key=lambda n: n.start)
        for a, b in itertools.pairwise(line):
            if a.pitch != b.pitch:
                c["moves"] += 1
                c["leaps"] += abs(a.pitch - b.pitch) >= 8
    crossed, onsets = an.voice_crossings(voices)
    c["crossed"] += crossed
    c["onsets"] += onsets
    c["parallels"] += an.voice_parallels(voices)
    c["bars"] += score.bar_count()


def _row(label: str, c: Counter) -> str:
    n = max(1, c["ends"])
    return (f"| {label} | {c['ends']} | {100 * c['I or V'] / n:.0f}% | "
            f"{100 * c['triad'] / n:.0f}% | {100 * c['after its V'] / n:.0f}% | "
            f"{100 * c['leaps'] / max(1, c['moves']):.1f}% | "
            f"{100 * c['crossed'] / max(1, c['onsets']):.1f}% | "
            f"{8 * c['parallels'] / max(1, c['bars']):.2f} |")


def harmonized(recs: list[dict], n: int) -> None:
    """Cadences at the true phrase ends of ``n`` melodies harmonized, heard phrases on / off,
    and (chorales) Bach's own chords there."""
    from composer_gui.ml import musical_eval as me
    from composer_gui.ml import voice_sampler
    from composer_gui.ml.keyfinding import estimate_key
    from composer_gui.ml.model_folder import load_model

    generate = me.sampler_adapter(load_model("bach-chorales").path)
    cases = recs[:: max(1, len(recs) // n)][:n]
    rows = []
    if len(cases[0]["score"].parts) >= 4:
        c = Counter()
        for r in cases:
            s = r["score"]
            last = max(x.start for x in s.notes)
            key = estimate_key(s.notes, s.key_signatures[0] if s.key_signatures else None)
            for t in r["truth"]:
                if t < last:
                    _closes(list(s.notes), t, s.time_signature_at(t).beat_ticks, key, c)
            _voices(s, c)
        rows.append(_row("Bach", c))
    runs = [("before (two-bar rule)", False, False), ("now (phrases heard)", True, False)]
    if rows:  # a chorale melody with its own fermatas, as the card harmonizes it
        runs.append(("with Bach's fermatas", True, True))
    for label, on, kept in runs:
        voice_sampler.MELODY_PHRASES = on
        c = Counter()
        for i, r in enumerate(cases):
            line = me.melody_of(r["score"])
            if not kept:
                line = replace(line, fermatas=())
            req = {**me.APP_DEFAULTS, "key": None, "variations": 2, "seed": i,
                   "bars": line.bar_count(), "harmonize": True}
            key = estimate_key(line.notes, line.key_signatures[0]
                               if line.key_signatures else None)
            last = max(x.start for x in line.notes)
            for g in generate(line, req):
                for t in r["truth"]:
                    if t < last:
                        _closes(list(g.notes), t, g.time_signature_at(t).beat_ticks, key, c)
                _voices(g, c)
        rows.append(_row(label, c))
    voice_sampler.MELODY_PHRASES = True
    print("\n".join(rows))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fit", action="store_true")
    ap.add_argument("--harmonize", type=int, default=0, metavar="N")
    args = ap.parse_args(argv)
    data = load()
    if args.fit:
        fit(data["fit"])
        return
    if args.harmonize:
        for name in ("essen", "chorales"):
            print(f"\n{name}, {args.harmonize} melodies x 2, fermatas removed\n")
            print("| | true inner phrase ends | on I or V in root position | on a triad in root "
                  "position | that triad after its V | lower voices' leaps of a sixth or more "
                  "| onsets crossed | parallels / 8 bars |")
            print("| --- | ---: | --- | --- | --- | --- | --- | --- |")
            harmonized(data[name], args.harmonize)
        return
    find = {"two-bar rule": two_bar_rule,
            "phrases heard": lambda s: set(phrases.melody_phrase_ends(melody(s), s))}
    print("| set | melodies | phrase ends | " + " | ".join(
        f"{k}: precision / recall / F1" for k in find) + " |")
    print("| --- | ---: | ---: |" + " --- |" * len(find))
    for name in ("essen", "chorales", "fit"):
        recs = data[name]
        ends = sum(sum(t < melody(r["score"])[-1].start for t in r["truth"]) for r in recs)
        print(f"| {name} | {len(recs)} | {ends} | " + " | ".join(
            scores(recs, f) for f in find.values()) + " |")


if __name__ == "__main__":
    main()
