"""How often ``estimate_key`` names the right key: folk tunes (ABC ``K:``) and Bach chorales.

    python bench/key_accuracy.py            # the table in docs/keyfinding.md
    python bench/key_accuracy.py --tune     # the grid search that chose the weights (tuning set)
    python bench/key_accuracy.py --by-mode  # folk accuracy of major and minor tunes apart
    python bench/key_accuracy.py --file-keys  # with the K: field's mode declared, as the app
    python bench/key_accuracy.py --chorale-melodies  # chorale sopranos, as --harmonize reads
    python bench/key_accuracy.py --symbols  # chorales as lead sheets: soprano + chord symbols
    python bench/key_accuracy.py --one-off  # signatures one fifth off, flat_short off -> on
    python bench/key_accuracy.py --fit      # fit the line model (folk train); writes key_model.py
    python bench/key_accuracy.py --modes    # Dorian / Mixolydian heard in the notes (left out)
    python bench/key_accuracy.py --tune-line  # its L2 and signature weights (tuning set)

Data: music21's offline corpus. Folk tunes are O'Neill's 1850 and Ryan's Mammoth (the pieces of
the ``folk-melodies`` model's split.json); chorales are the ``bach-chorales`` pieces; "airs" are
Aird's Airs and the miscFolk books, used for nothing but this report (files never seen). The split's
**val** pieces are the *tuning* set (the weights in keyfinding.py were chosen on them); the
**test** pieces are the *reporting* set; the **train** pieces are reported too (never tuned on,
so a second, larger held-out check of the key finder, though the LSTM trained on them).

Truth. Folk: the tune's first ``K:`` field; tunes whose ``K:`` changes later are dropped. Modes
map to the major/minor key on the same tonic: Ionian, Mixolydian, Lydian count as major; Aeolian,
Dorian, Phrygian as minor (a Dorian tune on D is right as D minor, a Mixolydian tune on G as G
major). Chorales: the file's key signature decides the pitch set and the bass of the final chord
the tonic: the signature's major or its relative minor, or the minor key one flat further (the
baroque "Dorian" signature, e.g. G minor written with one flat); a chorale ending elsewhere (a
Phrygian close on the dominant) is dropped. The file's ``<mode>`` and music21's ``analyze`` are not
used.

Parsing is slow, so the converted notes are cached (pickle) under
``$COMPOSER_GUI_CACHE/keyfinding`` (default ``~/.cache/composer-gui/keyfinding``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import re
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from composer_gui.ml import keyfinding  # noqa: E402
from composer_gui.ml.corpora import cache_dir, music21_corpus_root  # noqa: E402
from composer_gui.music.score import TPQ, KeySignature, Note, Score  # noqa: E402

CACHE_VERSION = 6  # 5: ABC meters read from each tune's first bar (notation._marks); 6: ABC
# annotations no longer swallow a note, "~H" is no note (abc_text, session 63)
NAMES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
MODE_OF = {"": "major", "maj": "major", "ion": "major", "mix": "major", "lyd": "major",
           "m": "minor", "min": "minor", "aeo": "minor", "dor": "minor", "phr": "minor"}
# Sharps of the major key on each tonic pc (for the chorales' Dorian-signature rule).
MODES = ("major", "minor")
MAJOR_SHARPS = {(s * 7) % 12: s for s in range(-5, 7)}


# ----- data ---------------------------------------------------------------------------------
def parse_k(field: str) -> tuple[int, str, str] | None:
    """(tonic pc, major/minor, mode word) of an ABC K: field; None if not a key (e.g. K:none)."""
    m = re.match(r"\s*([A-Ga-g])([#b]?)\s*([A-Za-z]*)", field)
    if not m:
        return None
    pc = (NAMES[m.group(1).upper()] + {"#": 1, "b": -1, "": 0}[m.group(2)]) % 12
    word = m.group(3).lower()[:3]
    if word not in MODE_OF:
        return None
    return pc, MODE_OF[word], word or "maj"


def _record(score, truth, sig, piece_id, mode=None):
    notes = [(n.start, n.pitch, n.duration) for n in score.notes]
    if not notes:
        return None
    bar = score.time_signatures[0].bar_ticks
    first = min(s for s, _, _ in notes)
    pickup = first % bar != 0 or first >= bar  # the pickup sits at the end of bar 0
    cut = {n: score.bar_start(n + (1 if pickup else 0)) for n in (2, 4)}
    return {"id": piece_id, "notes": notes, "cut": cut, "truth": truth, "sig": sig, "bar": bar,
            "mode": mode}  # the file's declared mode (chorales; a folk tune's is its K: field)


def _folk_tune(job):
    import music21

    from composer_gui.ml.corpora import _convert_m21

    piece_id, text = job
    ks = re.findall(r"(?m)^K:(.*)$", text)
    keys = {parse_k(k) for k in ks}
    if not ks or None in keys or len({(k[0], k[1]) for k in keys}) > 1:
        return None  # no key, or the key changes inside the tune
    truth = parse_k(ks[0])
    try:
        s = music21.converter.parse(text, format="abc", forceSource=True)
        score, _ = _convert_m21(s, "melody")
    except Exception:
        return None
    sig = score.key_signatures[0].sharps if score.key_signatures else None
    return _record(score, truth, sig, piece_id)


def _chorale(piece_id):
    import music21

    from composer_gui.ml.corpora import _convert_m21

    try:
        s = music21.corpus.parse(piece_id, forceSource=True)
        score, _ = _convert_m21(s, "chorale")
    except Exception:
        return None
    if not score.key_signatures or not score.notes:
        return None
    sig = score.key_signatures[0].sharps
    last = max(n.start for n in score.notes)
    bass = min(n.pitch for n in score.notes if n.start == last) % 12
    major = (sig * 7) % 12
    if bass == major:
        truth = (bass, "major", "maj")
    elif bass == (major + 9) % 12:
        truth = (bass, "minor", "min")
    elif bass == (major + 2) % 12:  # one flat further: the baroque Dorian signature
        truth = (bass, "minor", "dor-sig")
    else:
        return None  # a Phrygian or half close: the tonic is not certain
    rec = _record(score, truth, sig, piece_id, score.key_signatures[0].mode)
    if rec is not None and len(score.parts) >= 4:  # the soprano alone, as --harmonize reads it
        rec["melody"] = [(n.start, n.pitch, n.duration) for n in score.parts[0].notes]
    return rec


def load(corpus: str) -> dict[str, list[dict]]:
    """{split: [record]} for "folk" or "chorales", cached."""
    path = cache_dir() / "keyfinding" / f"{corpus}-v{CACHE_VERSION}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    if corpus == "airs":
        out = {"test": _airs(), "train": [], "val": []}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(out))
        return out
    model = {"folk": "folk-melodies", "chorales": "bach-chorales"}[corpus]
    split = json.loads((ROOT / "models" / model / "split.json").read_text(encoding="utf-8"))
    root = music21_corpus_root()
    t0 = time.perf_counter()
    out: dict[str, list[dict]] = {}
    blocks: dict[str, str] = {}
    for name in ("val", "test", "train"):
        recs = []
        for pid in split[name]:
            if corpus == "folk":
                file, _, index = pid.partition("#")
                if file not in blocks:
                    text = (root / file).read_text(encoding="utf-8", errors="replace")
                    for i, b in enumerate(re.split(r"(?m)^(?=X:)", text)[1:]):
                        blocks[f"{file}#{i}"] = b
                    if not index:
                        blocks[file] = text
                r = _folk_tune((pid, blocks[pid])) if pid in blocks else None
            else:
                r = _chorale(pid)
            if r is not None:
                recs.append(r)
        out[name] = recs
        print(f"  parsed {corpus} {name}: {len(recs)} of {len(split[name])} "
              f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(out))
    return out


def _airs() -> list[dict]:
    """Aird's Airs (six books) and the two miscFolk books: tunes no model or weight was fitted
    or tuned on, a check on files never seen (their K: fields name the mode, like O'Neill's)."""
    root = music21_corpus_root()
    recs = []
    for folder in ("airdsAirs", "miscFolk"):
        for file in sorted((root / folder).glob("*.abc")):
            text = file.read_text(encoding="utf-8", errors="replace")
            for i, block in enumerate(re.split(r"(?m)^(?=X:)", text)[1:]):
                r = _folk_tune((f"{folder}/{file.name}#{i}", block))
                if r is not None:
                    recs.append(r)
    print(f"  parsed airs: {len(recs)} tunes", file=sys.stderr)
    return recs


# ----- the old algorithm, frozen for comparison --------------------------------------------
_KK = (np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88]),
       np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17]))


def old_estimate_key(notes, declared=None, tick=0):
    """keyfinding.estimate_key before this change: K-S over a duration histogram; the declared
    key kept only when within 0.1 correlation of the best."""
    hist = np.zeros(12)
    for n in notes:
        hist[n.pitch % 12] += max(n.duration, 1)
    if hist.std() == 0:
        return declared
    h = (hist - hist.mean()) / hist.std()
    corr = np.zeros((2, 12))
    for m, prof in enumerate(_KK):
        p = (prof - prof.mean()) / prof.std()
        for t in range(12):
            corr[m, t] = float(h @ np.roll(p, t)) / 12
    m, t = np.unravel_index(int(np.argmax(corr)), corr.shape)
    if declared is not None:
        d = corr[("major", "minor").index(declared.mode), declared.tonic_pc]
        if d >= corr[m, t] - 0.1:
            return declared
    return KeySignature.from_tonic(int(t), ("major", "minor")[int(m)], tick)


# ----- measuring ----------------------------------------------------------------------------
def views(rec):
    notes = [Note(s, p, d) for s, p, d in rec["notes"]]
    yield "whole", notes
    for n in (4, 2):
        yield f"{n} bars", [x for x in notes if x.start < rec["cut"][n]]


def relation(est, tonic, mode):
    """How ``est`` relates to the true key (tonic pc, "major"/"minor"): a church mode counts
    as its family (D Dorian is right for a Dorian tune on D, whose truth is D minor)."""
    if est is None:
        return "none"
    d = (est.tonic_pc - tonic) % 12
    if est.quality == mode:
        return {0: "right", 7: "dominant", 5: "subdominant"}.get(d, "other")
    if est.quality == "major" and mode == "minor" and d == 3:
        return "relative"
    if est.quality == "minor" and mode == "major" and d == 9:
        return "relative"
    if d == 0:
        return "parallel"
    return "other"


def accuracy(recs, fn, with_sig=False):
    """{view: (share right, Counter of relations)}."""
    out = {}
    for rec in recs:
        tonic, mode, _ = rec["truth"]
        declared = None
        if with_sig:
            if rec["sig"] is None:
                continue
            declared = KeySignature(0, rec["sig"], "major")  # the signature, not the mode
        for view, notes in views(rec):
            c = out.setdefault(view, Counter())
            c[relation(fn(notes, declared), tonic, mode)] += 1
    return {v: (c["right"] / max(1, sum(c.values())), c) for v, c in out.items()}


def previous_estimate_key(notes, declared=None, tick=0):
    """The method before the melodic model: the profile and the ends (``KeyParams()``) for every
    passage, melody or chords."""
    return keyfinding.estimate_key(notes, declared, tick, params=keyfinding.DEFAULT)


# (column name, function): the frozen K-S code, the profile method, the current estimate_key.
METHODS = (("K-S", old_estimate_key), ("profile", previous_estimate_key),
           ("now", lambda notes, declared=None: keyfinding.estimate_key(notes, declared)))
VIEWS = ("whole", "4 bars", "2 bars")


def table(data, with_sig):
    rows = []
    for corpus, splits in data.items():
        for split in ("test", "train", "val"):
            recs = splits[split]
            if not recs:
                continue
            label = {"test": "report", "train": "report (train split)",
                     "val": "tuning"}[split] if corpus != "airs" else "never used"
            res = [accuracy(recs, fn, with_sig) for _, fn in METHODS]
            cells = [" -> ".join(f"{r[v][0]:.1%}" for r in res) for v in VIEWS]
            rows.append((f"{corpus} {split} ({label})", len(recs), *cells))
            if split == "test":
                for (name, _), r in zip(METHODS[1:], res[1:], strict=True):
                    rows.append((f"  confusions {name}", "",
                                 *(str(dict(r[v][1].most_common())) for v in VIEWS)))
    return rows


def print_table(rows, title):
    print(f"\n{title}\n")
    names = " -> ".join(n for n, _ in METHODS)
    print(f"| set | tunes | whole: {names} | first 4 bars | first 2 bars |")
    print("| --- | --- | --- | --- | --- |")
    for r in rows:
        print("| " + " | ".join(str(x) for x in r) + " |")


def override_rates(data):
    """How often a signature is left: the file's own (should be never) and a wrong one, the
    file's shifted by 2 to 5 fifths either way (should be often: the notes contradict it)."""
    print("\nSignature overrides (report and train pieces, whole / 4 bars / 2 bars)\n")
    print("| set | signature | " + " | ".join(f"left: {n}" for n, _ in METHODS) + " |")
    print("| --- | --- |" + " --- |" * len(METHODS))
    for corpus, splits in data.items():
        recs = [r for s in ("test", "train") for r in splits[s] if r["sig"] is not None]
        for label, shifts in (("the file's own", (0,)), ("shifted 2-5 fifths", (-5, -4, -3, -2,
                                                                            2, 3, 4, 5))):
            left = {n: 0 for n, _ in METHODS}
            total = 0
            for rec in recs:
                for shift in shifts:
                    sig = rec["sig"] + shift
                    if not -7 <= sig <= 7:
                        continue
                    declared = KeySignature(0, sig, "major")
                    for _, notes in views(rec):
                        total += 1
                        for name, fn in METHODS:
                            k = fn(notes, declared)
                            left[name] += k is not None and k.sharps not in (sig, sig - 1)
            print(f"| {corpus} | {label} | " + " | ".join(f"{left[n] / total:.1%}"
                                                        for n, _ in METHODS) + " |")


def by_mode(data):
    """Folk accuracy split by the tune's mode (major: Ionian, Mixolydian, Lydian; minor:
    Aeolian, Dorian, Phrygian), profile -> now, on the report and train splits."""
    print("\nFolk by mode (cells: profile -> now, whole / 4 bars / 2 bars)\n")
    print("| split | signature | mode | tunes | whole | first 4 bars | first 2 bars |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for split in ("test", "train"):
        for with_sig in (False, True):
            for mode in MODES:
                recs = [r for r in data["folk"][split] if r["truth"][1] == mode]
                res = [accuracy(recs, fn, with_sig) for _, fn in METHODS[1:]]
                cells = [" -> ".join(f"{r[v][0]:.1%}" for r in res) for v in VIEWS]
                print(f"| {split} | {'file' if with_sig else 'none'} | {mode} | {len(recs)} | "
                      + " | ".join(cells) + " |")


def failure_cases():
    d = [66, 66, 67, 69, 69, 67, 66, 64, 62, 62, 64, 66, 66, 64, 64]  # Ode to Joy in D
    beats = [1] * 12 + [1.5, 0.5, 2]

    def line(pitches, lengths):  # notes one after another, lengths in quarters
        t = np.cumsum([0, *lengths])[:-1]
        return [Note(int(a * TPQ), p, int(b * TPQ))
                for a, p, b in zip(t, pitches, lengths, strict=True)]

    ode = line(d, beats)
    ode_d = line([*d[:-2], 64, 62], beats)
    ode_long = line(d[:-1], [1] * 13 + [4])  # the half close held four beats
    eb = line([70, 72, 74, 70, 65, 67, 69, 70, 63, 67, 70, 63], [1] * 11 + [2])  # leans on Bb
    cm = line([60, 63, 67, 72, 71, 72, 68, 67, 65, 63, 62, 59, 60], [1] * 13)
    three_flats = KeySignature(0, -3, "major")
    cases = [("Ode to Joy in D, first phrase (ends on E)", ode, None, "D:major"),
             ("Ode to Joy in D, its first 8 notes", ode[:8], None, "D:major"),
             ("Ode to Joy in D, second phrase (ends on D)", ode_d, None, "D:major"),
             ("Ode to Joy in D, first phrase, its last E held 4 beats", ode_long, None,
              "D:major"),
             ("E-flat major tune leaning on B-flat, 3 flats", eb, three_flats, "Eb:major"),
             ("C minor tune (B natural), 3 flats", cm, three_flats, "C:minor")]
    print("\nThe failure cases of the issue\n")
    print("| case | " + " | ".join(n for n, _ in METHODS) + " | right |")
    print("| --- |" + " --- |" * len(METHODS) + " --- |")
    for name, notes, declared, right in cases:
        print(f"| {name} | " + " | ".join(str(fn(notes, declared)) for _, fn in METHODS)
              + f" | {right} |")


def speed():
    rng = np.random.default_rng(0)
    line = [Note(i * 240, int(p), 240) for i, p in enumerate(rng.integers(55, 80, 400))]
    chords = [Note(i // 4 * 480, int(p), 480) for i, p in enumerate(rng.integers(40, 80, 400))]
    for label, notes in (("a line", line), ("chords (4 a beat)", chords)):
        keyfinding.estimate_key(notes)
        t = time.perf_counter()
        for _ in range(200):
            keyfinding.estimate_key(notes)
        print(f"\nestimate_key on 400 notes, {label}: "
              f"{(time.perf_counter() - t) / 200 * 1e3:.3f} ms per call")


# ----- tuning -------------------------------------------------------------------------------
def pooled_accuracy(recs, params, with_sig: bool = False) -> float:
    """Share of the views of ``recs`` ([*views, truth, signature]) whose key ``params`` name
    right; ``with_sig``: the file's sharps given as a major key, pieces without one left out."""
    right = total = 0
    for *vs, (tonic, mode, _), sig in recs:
        if with_sig and sig is None:
            continue
        declared = KeySignature(0, sig, "major") if with_sig else None
        for _, notes in vs:
            k = keyfinding.estimate_key(notes, declared, params=params)
            right += k is not None and k.tonic_pc == tonic and k.mode == mode
            total += 1
    return right / total


def tune(data):
    """Grid search on the tuning (val) pieces only; prints the best settings. First the weights
    of the estimate without a signature, then (with those) the two that only matter with one."""
    sets = {c: [[*views(r), r["truth"], r["sig"]] for r in data[c]["val"]]
            for c in ("folk", "chorales")}

    def score(p, with_sig=False):
        out = {c: pooled_accuracy(recs, p, with_sig) for c, recs in sets.items()}
        return out["folk"] + 0.5 * out["chorales"], out

    grid = {
        "profile": list(keyfinding.PROFILES),
        "half_life": [None, 8.0, 16.0, 32.0],
        "final": [0.0, 0.1, 0.2, 0.3],
        "final_triad": [0.0, 0.05, 0.1],
        "first": [0.0, 0.05, 0.1],
    }
    results = []
    for values in itertools.product(*grid.values()):
        p = keyfinding.KeyParams(**dict(zip(grid, values, strict=True)))
        results.append((*score(p), p))
    results.sort(key=lambda r: -r[0])
    print("no signature: folk and chorales, mean of whole / 4 bars / 2 bars")
    for r in results[:10]:
        print(f"  {r[0]:.4f} {r[1]['folk']:.3f} {r[1]['chorales']:.3f} {r[2]}")
    for prof in keyfinding.PROFILES:
        best = next(r for r in results if r[2].profile == prof)
        print(f"  best with {prof}: folk {best[1]['folk']:.3f} "
              f"chorales {best[1]['chorales']:.3f}")
    base = results[0][2]
    print("with the signature (mode unknown): leading, mode_prior")
    for lead, prior in itertools.product([0.0, 0.1, 0.2, 0.3], [0.0, 0.05, 0.1]):
        p = replace(base, leading=lead, mode_prior=prior)
        s, parts = score(p, with_sig=True)
        print(f"  {lead} {prior}: {s:.4f} folk {parts['folk']:.3f} "
              f"chorales {parts['chorales']:.3f}")


# ----- fitting the line model (train split only) --------------------------------------------
def fit_bigram(recs) -> np.ndarray:
    """log P(degree, next degree) of the melody line per mode, add-one smoothed: (2, 12, 12)."""
    counts = np.ones((2, 12, 12))
    for rec in recs:
        tonic, mode, _ = rec["truth"]
        line = keyfinding._line([Note(s, p, d) for s, p, d in rec["notes"]]) % 12
        deg = (line - tonic) % 12
        np.add.at(counts[MODES.index(mode)], (deg[:-1], deg[1:]), 1)
    return np.log(counts / counts.sum(axis=(1, 2), keepdims=True))


FIT_BARS = (1, 2, 3, 4, 6, 8, None)  # the openings the line model learns from (None: whole)


def openings(rec, bars=FIT_BARS):
    """The first ``n`` full bars of a tune (a pickup kept, not counted) for each n of ``bars``."""
    notes = [Note(s, p, d) for s, p, d in rec["notes"]]
    bar = rec["bar"]
    first = min(n.start for n in notes)
    start = first if first % bar == 0 else (first // bar + 1) * bar
    for n in bars:
        yield notes if n is None else [x for x in notes if x.start < start + n * bar]


def line_design(recs, bigram=None, bars=FIT_BARS):
    """(features (N, 24, F), true key index (N,)) of the openings of ``recs`` that are lines."""
    xs, ys = [], []
    for rec in recs:
        tonic, mode, _ = rec["truth"]
        for notes in openings(rec, bars):
            if len({n.pitch % 12 for n in notes}) < 2 or not keyfinding.is_line(notes):
                continue
            xs.append(keyfinding.line_features(notes, bigram))
            ys.append(MODES.index(mode) * 12 + tonic)
    return np.array(xs), np.array(ys)


# Minor openings weigh this much more in the fit: 15% of the train tunes are minor, and fitted
# evenly the model read minor openings as the relative major (test split, whole / 4 / 2 bars:
# minor 61 / 56 / 50% right, major 96 / 93 / 90%). On the tuning pieces, the mean of the share
# right and of the two modes' mean share right: weight 1 0.864, 2 0.872, 3 0.882, 5 0.879
# (--tune-line).
MINOR_WEIGHT = 3.0


def fit_line(x, y, l2=1e-4, steps=1000, lr=0.1, minor_weight=MINOR_WEIGHT) -> np.ndarray:
    """The weights of the conditional logit (softmax over the 24 keys of x @ w), by Adam on the
    weighted mean cross-entropy plus ``l2`` times half the squared weights."""
    n, k, f = x.shape
    flat = x.reshape(n * k, f)
    weight = np.where(y >= 12, minor_weight, 1.0)
    weight /= weight.mean()
    w = np.zeros(f)
    m1, m2 = np.zeros(f), np.zeros(f)
    for i in range(1, steps + 1):
        s = (flat @ w).reshape(n, k)
        p = np.exp(s - s.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        p[np.arange(n), y] -= 1
        g = flat.T @ (p * weight[:, None]).reshape(-1) / n + l2 * w
        m1, m2 = 0.9 * m1 + 0.1 * g, 0.999 * m2 + 0.001 * g * g
        w -= lr * (m1 / (1 - 0.9 ** i)) / (np.sqrt(m2 / (1 - 0.999 ** i)) + 1e-8)
    return w


def write_model(bigram: np.ndarray, weights: np.ndarray, l2: float) -> Path:
    """composer_gui/ml/key_model.py: the fitted tables, as Python (no data file to bundle)."""
    lines = ['"""The line model\'s fitted numbers, written by',
             "``python bench/key_accuracy.py --fit`` (the folk-melodies train split; see",
             "docs/keyfinding.md). Do not edit by hand.\"\"\"",
             "", "import numpy as np", "",
             "# log P(degree, next degree) of a melody line per mode (row = degree), add-one "
             "smoothed.", "BIGRAM = np.array(["]
    for m, mode in enumerate(MODES):
        lines.append(f"    [  # {mode}")
        lines += ["        [" + ", ".join(f"{v:.1f}" for v in row) + "]," for row in bigram[m]]
        lines.append("    ],")
    lines += ["])", "",
              "# keyfinding.line_features' columns, in log-odds (a conditional logit,",
              f"# L2 {l2:g}, minor openings weighing {MINOR_WEIGHT:g}).",
              "LINE_WEIGHTS = np.array(["]
    for g, name in enumerate(keyfinding.LINE_GROUPS):
        for m, mode in enumerate(MODES):
            row = weights[g * 24 + m * 12:g * 24 + m * 12 + 12]
            lines += [f"    # {name}, {mode} (degrees 0-11)",
                      "    " + ", ".join(f"{v:.3f}" for v in row) + ","]
    cue = len(keyfinding.LINE_GROUPS) * 24
    for j, name in enumerate(keyfinding.LINE_CUES):
        lines.append(f"    {weights[cue + j]:.3f},  # {name}")
    lines += ["])", ""]
    path = ROOT / "composer_gui" / "ml" / "key_model.py"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def fit(data, l2=1e-4):
    """Fit BIGRAM, then the line model with it, on the folk train split; write key_model.py."""
    train = data["folk"]["train"]
    bigram = fit_bigram(train)
    x, y = line_design(train, bigram)
    w = fit_line(x, y, l2)
    print(f"fitted on {len(y)} openings of {len(train)} tunes; "
          f"right on {np.mean((x @ w).argmax(1) == y):.1%} of them")
    print(f"wrote {write_model(bigram, w, l2)}")


def tune_line(data):
    """On the tuning pieces (no signature: whole / 4 / 2 bars), the line model fitted on train
    with each L2 (minor openings weighted evenly), then with each weight of the minor openings
    (the criterion: the mean of the share right and of the two modes' mean share right); then,
    with the model as written, the signature weights."""
    train, val = data["folk"]["train"], data["folk"]["val"]
    x, y = line_design(train)
    views_val = {n: line_design(val, bars=(n,)) for n in (None, 4, 2)}

    def right(w):  # (share right, its mean per mode), each a list over the three views
        hits = [((xv @ w).argmax(1) == yv, yv >= 12) for xv, yv in views_val.values()]
        return ([h.mean() for h, _ in hits],
                [(h[~minor].mean() + h[minor].mean()) / 2 for h, minor in hits])

    print("line model, no signature: L2, minor openings weighted 1 (whole / 4 bars / 2 bars)")
    for l2 in (1e-5, 1e-4, 1e-3, 1e-2):
        acc, _ = right(fit_line(x, y, l2, minor_weight=1.0))
        print(f"  {l2:g}: mean {np.mean(acc):.3f} (" + " / ".join(f"{a:.3f}" for a in acc) + ")")
    print("line model, no signature: the weight of minor openings (L2 1e-4)")
    for weight in (1.0, 2.0, 3.0, 5.0):
        acc, balanced = right(fit_line(x, y, minor_weight=weight))
        print(f"  {weight:g}: criterion {(np.mean(acc) + np.mean(balanced)) / 2:.3f}, right "
              f"{np.mean(acc):.3f}, mean of the modes {np.mean(balanced):.3f}")
    recs = [[*views(r), r["truth"], r["sig"]] for r in val]
    minor = [r for r in recs if r[-2][1] == "minor"]
    line = keyfinding.LINE
    print("line model with the signature (mode unknown): leading, mode_prior; all / minor tunes")
    for lead, prior in itertools.product([0.0, 0.5, 1.0], [0.0, 0.5, 1.0, 2.0]):
        keyfinding.LINE = replace(keyfinding.LINE, leading=lead, mode_prior=prior)
        print(f"  {lead} {prior}: folk {pooled_accuracy(recs, None, with_sig=True):.3f}, "
              f"minor {pooled_accuracy(minor, None, with_sig=True):.3f}")
    keyfinding.LINE = line
    print("line model with the K: field's mode declared (a minor key or a church mode said on "
          "purpose): minor_prior; 4 and 2 bars, all / minor / modal tunes")
    stated = [r for r in val if r["sig"] is not None]
    for prior in (1.0, 2.0, 3.0, 4.0, 6.0, 10.0):
        keyfinding.LINE = replace(line, minor_prior=prior)
        right = Counter()
        total = Counter()
        for rec in stated:
            tonic, mode, word = rec["truth"]
            declared = KeySignature(0, rec["sig"], FILE_MODE[word])
            kind = {"major": "major", "minor": "minor"}.get(declared.mode, "modal")
            for view, notes in views(rec):
                if view == "whole":
                    continue
                ok = relation(keyfinding.estimate_key(notes, declared), tonic, mode) == "right"
                for k in ("all", kind):
                    right[k] += ok
                    total[k] += 1
        print(f"  {prior:g}: " + ", ".join(f"{k} {right[k] / total[k]:.3f} ({total[k]})"
                                          for k in ("all", "minor", "modal")))
    keyfinding.LINE = line


def alternatives(data):
    """The runner-up key offered beside the estimate of a line (``keyfinding.runner_up``):
    how often it is offered, how often it is then the right key, and the share of wrong
    estimates it puts one click from the right key; the top-2 share beside top-1."""
    rows = []
    for name, split in (("folk", "val"), ("folk", "test"), ("airs", "test")):
        for with_sig in (False, True):
            for view in VIEWS[1:]:
                n = right = offered = offered_right = top2 = 0
                for rec in data[name][split]:
                    if with_sig and rec["sig"] is None:
                        continue
                    declared = KeySignature(0, rec["sig"], "major") if with_sig else None
                    notes = dict(views(rec))[view]
                    if not keyfinding.is_line(notes):
                        continue
                    tonic, mode, _ = rec["truth"]
                    choices = keyfinding.key_choices(notes, declared)
                    if not choices:
                        continue
                    n += 1
                    ok = relation(choices[0][0], tonic, mode) == "right"
                    second = len(choices) > 1 and relation(choices[1][0], tonic, mode) == "right"
                    right += ok
                    top2 += ok or second
                    alt = keyfinding.runner_up(choices)  # notes is a line (checked above)
                    if alt is not None:
                        offered += 1
                        offered_right += relation(alt[0], tonic, mode) == "right"
                wrong = n - right
                rows.append((f"{name} {split}", "file" if with_sig else "none", view, str(n),
                             f"{right / n:.1%}", f"{top2 / n:.1%}", f"{offered / n:.1%}",
                             f"{offered_right / max(1, offered):.1%}",
                             f"{offered_right / max(1, wrong):.1%}"))
    print(f"\nThe runner-up key (offered at p >= {keyfinding.ALTERNATIVE_MIN})\n")
    print("| set | signature | opening | lines | right | right in top 2 | runner-up offered "
          "| offered and right | wrong estimates fixed by one click |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print("| " + " | ".join(r) + " |")


# The K: field's mode word (parse_k's third value) as a KeySignature mode; "before": as the app
# read it until church modes were kept (anything but minor read as major).
FILE_MODE = {"maj": "major", "ion": "major", "m": "minor", "min": "minor", "aeo": "minor",
             "dor": "dorian", "mix": "mixolydian", "phr": "phrygian", "lyd": "lydian"}


def file_keys(data, stated: bool = True):
    """The key heard with the file's K: field declared as the app opens an ABC file (signature
    and mode), before and after church modes were kept: K:Ddor was read as C major, so a Dorian
    tune could only be heard as C major, A minor or D minor written with one flat. ``stated``:
    the kept K: field's mode stated, a major too, as the app reads ABC (--unstated: not)."""
    print("\nWith the file's K: field as the app reads it (cells: modes read as major -> "
          "modes kept, whole / 4 bars / 2 bars)\n")
    print("| set | tunes | of them modal | whole | first 4 bars | first 2 bars |")
    print("| --- | ---: | ---: | --- | --- | --- |")
    for name, split in (("folk", "test"), ("folk", "train"), ("airs", "test")):
        recs = [r for r in data[name][split] if r["sig"] is not None]
        for label, subset in (("all", recs), ("modal", [r for r in recs if r["truth"][2] in (
                "dor", "mix", "phr", "lyd")])):
            right = {(v, kept): 0 for v in VIEWS for kept in (False, True)}
            for rec in subset:
                tonic, mode, word = rec["truth"]
                for kept in (False, True):
                    m = FILE_MODE[word] if kept else ("minor" if FILE_MODE[word] == "minor"
                                                      else "major")
                    # kept: as the app reads ABC now, the K: field's mode stated (a major
                    # too: KeySignature.mode_stated)
                    declared = KeySignature(0, rec["sig"], m, mode_stated=kept and stated)
                    for view, notes in views(rec):
                        est = keyfinding.estimate_key(notes, declared)
                        right[view, kept] += relation(est, tonic, mode) == "right"
            n = max(1, len(subset))
            cells = [f"{right[v, False] / n:.1%} -> {right[v, True] / n:.1%}" for v in VIEWS]
            modal = sum(r["truth"][2] in ("dor", "mix", "phr", "lyd") for r in subset)
            print(f"| {name} {split} ({label}) | {len(subset)} | {modal} | " + " | ".join(cells)
                  + " |")
    chorale_file_keys(data)


def chorale_file_keys(data):
    """The chorales with the file's signature and mode declared, as the app opens them: 60 of
    the 354 files say minor (<mode>minor</mode>), the rest say major or nothing. Before
    ``family_prior`` a declared minor only broke near-ties (``mode_prior``), and BWV 256, which
    says A minor, was continued in C major."""
    print("\nChorales with the file's signature and mode (cells: family_prior 0 -> now, whole / "
          "4 bars / 2 bars)\n")
    print("| set | chorales | of them declared minor | whole | first 4 bars | first 2 bars |")
    print("| --- | ---: | ---: | --- | --- | --- |")
    before = replace(keyfinding.DEFAULT, family_prior=0.0)
    for split in ("test", "val", "train"):
        recs = data["chorales"][split]
        for label, subset in (("all", recs), ("declared minor", [
                r for r in recs if r["mode"] == "minor"])):
            right = {(v, now): 0 for v in VIEWS for now in (False, True)}
            for rec in subset:
                tonic, mode, _ = rec["truth"]
                declared = KeySignature(0, rec["sig"], rec["mode"])
                for now in (False, True):
                    for view, notes in views(rec):
                        est = keyfinding.estimate_key(notes, declared,
                                                      params=None if now else before)
                        right[view, now] += relation(est, tonic, mode) == "right"
            n = max(1, len(subset))
            cells = [f"{right[v, False] / n:.1%} -> {right[v, True] / n:.1%}" for v in VIEWS]
            minor = sum(r["mode"] == "minor" for r in subset)
            print(f"| chorales {split} ({label}) | {len(subset)} | {minor} | "
                  + " | ".join(cells) + " |")


def first_chord(data, change: str = "first_short"):
    """The chorales with and without ``first_short`` (a short passage of chords heard from its
    first chord's bass) or ``first_root`` (that chord's root where it is a triad), whole / 8 /
    4 / 2 bars, with the file's signature and mode (as the app opens them) and without a
    signature; and how many whole chorales change key."""
    before = replace(keyfinding.DEFAULT, **{change: type(getattr(keyfinding.DEFAULT, change))()})
    print(f"\nChorales, {change} off -> now (whole / 8 bars / 4 bars / 2 bars)\n")
    print("| set | the file's signature and mode | no signature |")
    print("| --- | --- | --- |")
    changed = total = 0
    for split in ("val", "test", "train"):
        cells = []
        for with_sig in (True, False):
            right = {(v, now): 0 for v in ("whole", "8 bars", *VIEWS[1:]) for now in (0, 1)}
            for rec in data["chorales"][split]:
                tonic, mode, _ = rec["truth"]
                declared = KeySignature(0, rec["sig"], rec["mode"]) if with_sig else None
                seen = list(views(rec))
                eight = rec["cut"][4] + 2 * (rec["cut"][4] - rec["cut"][2])
                seen.insert(1, ("8 bars", [n for n in seen[0][1] if n.start < eight]))
                for now in (0, 1):
                    for view, notes in seen:
                        est = keyfinding.estimate_key(notes, declared,
                                                      params=None if now else before)
                        right[view, now] += relation(est, tonic, mode) == "right"
                if with_sig:
                    total += 1
                    changed += keyfinding.estimate_key(seen[0][1], declared) != \
                        keyfinding.estimate_key(seen[0][1], declared, params=before)
            n = max(1, len(data["chorales"][split]))
            views_ = ("whole", "8 bars", *VIEWS[1:])
            cells.append(" -> ".join(" / ".join(f"{100 * right[v, now] / n:.1f}" for v in views_)
                                     + "%" for now in (0, 1)))
        print(f"| chorales {split} ({len(data['chorales'][split])}) | " + " | ".join(cells) + " |")
    print(f"\nwhole chorales heard in another key with the file's signature and mode: {changed} "
          f"of {total}")


def one_off_table(data):
    """Signatures one fifth off: the file's sharps, one fewer (a sharp short: G major under C
    major's signature) and one more (a flat short: F major under none), declared as major,
    ``KeyParams.flat_short`` off -> on; 4 bars / 2 bars (and whole tunes for the file's own)."""
    off = {name: replace(getattr(keyfinding, name), flat_short=False)
           for name in ("DEFAULT", "LINE")}
    on = {name: getattr(keyfinding, name) for name in off}
    print("\nSignatures one fifth off, flat_short off -> on (whole / 4 bars / 2 bars; shifted: 4 / "
          "2 bars)\n")
    print("| set | tunes | the file's own | a sharp short | a flat short |")
    print("| --- | ---: | --- | --- | --- |")
    for corpus, split in (("folk", "test"), ("folk", "val"), ("folk", "train"),
                          ("chorales", "test"), ("chorales", "val"), ("chorales", "train"),
                          ("airs", "test")):
        recs = [r for r in data[corpus][split] if r["sig"] is not None]
        cells = []
        for shift in (0, -1, 1):
            shares = []
            for params in (off, on):
                for name, value in params.items():
                    setattr(keyfinding, name, value)
                right, total = Counter(), Counter()
                for rec in recs:
                    sig = rec["sig"] + shift
                    if not -7 <= sig <= 7:
                        continue
                    for view, notes in views(rec):
                        if shift and view == "whole":
                            continue
                        est = keyfinding.estimate_key(notes, KeySignature(0, sig, "major"))
                        total[view] += 1
                        right[view] += relation(est, *rec["truth"][:2]) == "right"
                shares.append(" / ".join(f"{100 * right[v] / max(1, total[v]):.1f}"
                                         for v in VIEWS if total[v]) + "%")
            cells.append(" -> ".join(shares))
        print(f"| {corpus} {split} | {len(recs)} | " + " | ".join(cells) + " |")
    for name, value in on.items():
        setattr(keyfinding, name, value)


def chorale_melodies(data):
    """The chorales' soprano alone, whole, with the file's signature and mode declared, as
    ``generate --harmonize`` and the Harmonize action read a chorale melody. "Dorian
    signature": the chorales whose tonic is the minor key a flat further (G minor written
    with one flat). Cells: ``dorian_final`` off -> on."""
    print("\nChorale melodies alone, with the file's signature and mode (dorian_final off -> "
          "on)\n")
    print("| set | melodies | right | Dorian signature | of them right |")
    print("| --- | ---: | --- | ---: | --- |")
    off = replace(keyfinding.LINE, dorian_final=False)
    on = keyfinding.LINE
    for split in ("test", "val", "train"):
        recs = [r for r in data["chorales"][split] if r.get("melody")]
        right = Counter()
        for rec in recs:
            tonic, mode, word = rec["truth"]
            notes = [Note(s, p, d) for s, p, d in rec["melody"]]
            declared = KeySignature(0, rec["sig"], rec["mode"] or "major")
            for label, params in (("off", off), ("on", on)):
                keyfinding.LINE = params
                ok = relation(keyfinding.estimate_key(notes, declared), tonic, mode) == "right"
                right[label] += ok
                right[label, word] += ok and word == "dor-sig"
            keyfinding.LINE = on
        n, dorian = len(recs), sum(r["truth"][2] == "dor-sig" for r in recs)
        print(f"| chorales {split} | {n} | {right['off'] / max(n, 1):.1%} -> "
              f"{right['on'] / max(n, 1):.1%} | {dorian} | {right['off', 'dor-sig']} -> "
              f"{right['on', 'dor-sig']} |")


def symbol_keys(data):
    """A melody with chord symbols: the chorales as lead sheets (the soprano, and a symbol
    where Bach's chord changes on a beat: ``bench/chord_symbols.py``), heard from the soprano
    alone and with its symbols (``keyfinding.SYMBOLS_HEARD``), without a signature and with
    the file's (declared major)."""
    from chord_symbols import lead_sheet_symbols  # (bench/chord_symbols.py)

    print("\nChorales as lead sheets: the soprano alone -> with its chord symbols\n")
    print("| set | lead sheets | signature | whole | first 4 bars | first 2 bars |")
    print("| --- | ---: | --- | --- | --- | --- |")
    for split in ("test", "val", "train"):
        recs = [r for r in data["chorales"][split] if r.get("melody")]
        right, n = Counter(), Counter()
        for rec in recs:
            tonic, mode, _ = rec["truth"]
            symbols = lead_sheet_symbols(rec["notes"])
            melody = [Note(s, p, d) for s, p, d in rec["melody"]]
            for view, cut in (("whole", None), ("4 bars", rec["cut"][4]),
                              ("2 bars", rec["cut"][2])):
                line = [x for x in melody if cut is None or x.start < cut]
                sheet = Score(chord_symbols=[x for x in symbols if cut is None or x.tick < cut])
                for sig in ("none", "file"):
                    declared = None if sig == "none" else KeySignature(0, rec["sig"], "major")
                    for heard in (False, True):
                        notes = keyfinding._with_symbols(sheet, line) if heard else line
                        est = keyfinding.estimate_key(notes, declared)
                        right[view, sig, heard] += relation(est, tonic, mode) == "right"
                    n[view, sig] += 1
        for sig in ("none", "file"):
            cells = " | ".join(f"{right[v, sig, False] / max(n[v, sig], 1):.1%} -> "
                               f"{right[v, sig, True] / max(n[v, sig], 1):.1%}"
                               for v in VIEWS)
            print(f"| chorales {split} | {len(recs)} | {sig} | {cells} |")


def modal_reading(key, notes, least: int) -> str | None:
    """keyfinding.modal_alternative's rule, the church mode offered beside a line's key (a
    minor line is Dorian when its natural sixth sounds at least ``least`` times and neither
    its flat sixth nor its leading tone does; a major line Mixolydian when its flat seventh
    sounds ``least`` times and its leading tone never): "dor", "mix" or None."""
    mode = keyfinding.modal_alternative(notes, key, least)
    return None if mode is None else mode.mode[:3]


def modes_heard(data):
    """Without a signature: would the notes of an opening say Dorian or Mixolydian? For the
    openings whose key (tonic and family) the estimate gets right: the modal tunes found, and
    the tunes the K: field calls major or minor that the rule would hear as modal."""
    print("\nChurch modes heard in the notes (no signature; openings whose key is right)\n")
    print("| set | opening | least | Dorian found | Mixolydian found | major/minor heard modal |")
    print("| --- | --- | ---: | --- | --- | --- |")
    sets = [("folk val", data["folk"]["val"]), ("folk test", data["folk"]["test"]),
            ("folk train", data["folk"]["train"]), ("airs", data["airs"]["test"])]
    for least in (1, 2):
        for name, recs in sets:
            for view in ("4 bars", "2 bars"):
                tally = Counter()
                for rec in recs:
                    tonic, mode, word = rec["truth"]
                    notes = dict(views(rec))[view]
                    est = keyfinding.estimate_key(notes)
                    if est is None or relation(est, tonic, mode) != "right":
                        continue
                    kind = word if word in ("dor", "mix") else "plain"
                    tally[kind] += 1
                    tally[kind, modal_reading(est, notes, least) or "plain"] += 1
                print(f"| {name} | {view} | {least} | {tally['dor', 'dor']} of {tally['dor']} | "
                      f"{tally['mix', 'mix']} of {tally['mix']} | "
                      f"{tally['plain'] - tally['plain', 'plain']} of {tally['plain']} |")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tune", action="store_true", help="grid search on the tuning pieces")
    ap.add_argument("--tune-line", action="store_true",
                    help="the line model's L2 and signature weights, on the tuning pieces")
    ap.add_argument("--by-mode", action="store_true", help="folk accuracy by the tune's mode")
    ap.add_argument("--alternatives", action="store_true",
                    help="the runner-up key offered beside the estimate: how often, how often "
                    "right")
    ap.add_argument("--file-keys", action="store_true",
                    help="the key heard with the file's K: field (mode included) declared")
    ap.add_argument("--unstated", action="store_true",
                    help="--file-keys with a K: field's major not stated (before session 48)")
    ap.add_argument("--modes", action="store_true",
                    help="a rule that hears Dorian and Mixolydian in the notes (left out)")
    ap.add_argument("--first-chord", action="store_true",
                    help="chorales with and without first_short")
    ap.add_argument("--first-root", action="store_true",
                    help="chorales with and without first_root")
    ap.add_argument("--chorale-melodies", action="store_true",
                    help="chorale sopranos alone with the file's key, as --harmonize reads them")
    ap.add_argument("--one-off", action="store_true",
                    help="signatures one fifth off, KeyParams.flat_short off and on")
    ap.add_argument("--symbols", action="store_true",
                    help="chorales as lead sheets: the soprano alone and with chord symbols")
    ap.add_argument("--fit", action="store_true",
                    help="fit the line model on the folk train split; writes key_model.py")
    args = ap.parse_args(argv)
    data = {"folk": load("folk"), "chorales": load("chorales")}
    if args.fit:
        fit(data)
        return
    if args.by_mode:
        by_mode(data)
        return
    if args.tune:
        tune(data)
        return
    if args.tune_line:
        tune_line(data)
        return
    if args.chorale_melodies:
        chorale_melodies(data)
        return
    if args.symbols:
        symbol_keys(data)
        return
    if args.first_chord or args.first_root:
        first_chord(data, "first_root" if args.first_root else "first_short")
        return
    if args.one_off:
        data["airs"] = load("airs")
        one_off_table(data)
        return
    if args.file_keys:
        data["airs"] = load("airs")
        file_keys(data, stated=not args.unstated)
        return
    if args.alternatives:
        data["airs"] = load("airs")
        alternatives(data)
        return
    if args.modes:
        data["airs"] = load("airs")
        modes_heard(data)
        return
    data["airs"] = load("airs")
    print_table(table(data, with_sig=False), "No signature (the declared key dropped)")
    print_table(table(data, with_sig=True),
                "With the file's key signature (its sharps only; the mode left to the notes)")
    override_rates(data)
    failure_cases()
    speed()


if __name__ == "__main__":
    main()
