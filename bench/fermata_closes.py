"""Harmonized melodies: the chord each interior phrase end (fermata) closes on, by the melody's
degree there, beside Bach's harmonization of the same melodies.

    python bench/fermata_closes.py                  # as the app harmonizes now
    python bench/fermata_closes.py --split val      # the tuning pieces
    python bench/fermata_closes.py --no-bach-closes # the closes as planned before BACH_CLOSES
    python bench/fermata_closes.py --table          # count melody_plan.BACH_CLOSES (train)
    python bench/fermata_closes.py --table --position first   # ... BACH_FIRST_CLOSES
    python bench/fermata_closes.py --table --position middle  # ... the others (not used)
    python bench/fermata_closes.py --table --position last    # ... the last (not used)
    python bench/fermata_closes.py --no-first-closes  # the first close drawn as the others
    python bench/fermata_closes.py --key-lock       # "Stay in the key" on (request key "auto")

The top voice of 40 pieces of the split (musical_eval.spread) harmonized with the app's
defaults x 2 variations. At each fermata but the last, the melody's degree (semitones above the
home tonic) and the chord: its root as a degree (upper case a major triad, lower case minor),
"<-V" where the chord a beat before is its dominant (a major triad or dominant seventh a fifth
above), "/inv" not in root position, "7" a seventh chord, "thin" fewer than three pitch classes
(a fermata chord without its fifth), "?" no triad or seventh chord. A summary per mode: the
share closing on the tonic triad, on V (half closes, and V/V-V), on other triads in root
position, and on the rest; and the same for each piece's first fermata alone (a hymn's first
phrase closes in its key: a listening review heard Silent Night's "holy night" closed on G
major in B-flat).

``--table`` counts the same kinds on the train split's own fermatas (a major or minor triad in
root position; its root degree, whether minor, whether prepared) for BACH_CLOSES, leaving out
the major tonic inside a minor piece (INNER_MINOR_TONIC).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from composer_gui.ml import melody_plan  # noqa: E402
from composer_gui.ml import musical_eval as me  # noqa: E402
from composer_gui.ml.evaluate import load_split  # noqa: E402
from composer_gui.ml.model_folder import load_model  # noqa: E402
from composer_gui.music import analysis as an  # noqa: E402
from composer_gui.music.score import KeySignature, Score  # noqa: E402

DEGREES = ("I", "bII", "II", "bIII", "III", "IV", "#IV", "V", "bVI", "VI", "bVII", "VII")
# ... the kinds :data:`melody_plan.BACH_CLOSES` keeps: seen at least this often
TABLE_MIN = 4


def closes(score: Score, key: KeySignature, position: str = "all"):
    """(melody degree, (root degree, quality, bass is root, prepared) or None, pitch classes)
    for each fermata but the last; ``position`` "first", "last" or "middle": the first interior
    fermata, the last one (before the final's), or the others."""
    tonic = key.tonic_pc
    beat = score.time_signatures[0].beat_ticks
    last = max(score.fermatas, default=None)
    inner = sorted(t for t in score.fermatas if t != last)
    for t in inner:
        at = "first" if t == inner[0] else "last" if t == inner[-1] else "middle"
        if position != "all" and at != position:
            continue
        sounding = [n for n in score.notes if n.start <= t < n.end]
        if len(sounding) < 3:
            continue
        top = max(sounding, key=lambda n: n.pitch).pitch % 12
        found = an.sonorities(score.notes, [t])
        if not found:
            continue
        son = found[0]
        named = an.chord_root(son.pcs)
        if named is None:
            yield (top - tonic) % 12, None, len(son.pcs)
            continue
        before = an.sonorities(score.notes, [t - beat])
        prior = an.chord_root(before[0].pcs) if before else None
        prepared = prior is not None and (prior[0] - named[0]) % 12 == 7 and \
            prior[1] in ("maj", "dom7")
        kind = ((named[0] - tonic) % 12, named[1], son.bass % 12 == named[0], prepared)
        yield (top - tonic) % 12, kind, len(son.pcs)


def name(kind, pcs: int) -> str:
    if kind is None:
        return "thin" if pcs < 3 else "?"
    root, quality, rooted, prepared = kind
    label = DEGREES[root] if quality in ("maj", "dom7", "maj7") else DEGREES[root].lower()
    label += {"dim": "o", "aug": "+"}.get(quality, "") + ("7" if "7" in quality else "")
    return label + ("" if rooted else "/inv") + ("<-V" if prepared else "")


def summary_class(kind, minor: bool) -> str:
    if kind is None:
        return "rest"
    root, quality, rooted, _ = kind
    if not rooted or quality not in ("maj", "min"):
        return "rest"
    if root == 0 and quality == ("min" if minor else "maj"):
        return "tonic"
    if root == 7 and quality == "maj":
        return "V"
    return "other triad"


def home(case) -> tuple[Score, KeySignature | None]:
    s = me.as_voices(case.score, 4)
    return s, me.home_key(s, s.bar_start(s.bar_count()))


def table(pieces, position: str = "all") -> None:
    out: dict = defaultdict(Counter)
    for case in pieces:
        _, key = home(case)
        if key is None:
            continue
        minor = key.quality == "minor"
        for degree, kind, _ in closes(case.score, key, position):
            # (no major tonic inside a minor piece: cadence_rules.INNER_MINOR_TONIC)
            inner_picardy = minor and kind is not None and kind[0] == 0 and kind[1] == "maj"
            if kind is not None and kind[2] and kind[1] in ("maj", "min") and \
                    not inner_picardy:
                out[(minor, degree)][(kind[0], kind[1] == "min", kind[3])] += 1
    for minor in (False, True):
        print(f"    {minor}: {{")
        for (m, degree), c in sorted(out.items()):
            kept = [(k, n) for k, n in c.most_common() if n >= TABLE_MIN and m == minor]
            if kept:
                print(f"        {degree}: ({', '.join(f'({k}, {n})' for k, n in kept)},),")
        print("    },")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="test")
    ap.add_argument("--no-bach-closes", action="store_true")
    ap.add_argument("--table", action="store_true")
    ap.add_argument("--position", default="all", choices=("all", "first", "middle", "last"),
                    help="with --table: the first interior fermatas, the last, or the others")
    ap.add_argument("--no-first-closes", action="store_true")
    ap.add_argument("--key-lock", action="store_true",
                    help="harmonize with the key lock on, as the app's 'Stay in the key' box")
    args = ap.parse_args(argv)
    folder = load_model("bach-chorales").path
    split, vocab, _ = load_split(folder)
    if args.table:
        table(me.cases_from_pieces(split["train"], vocab), args.position)
        return
    if args.no_bach_closes:
        melody_plan.BACH_CLOSES = {}
    if args.no_first_closes:
        melody_plan.BACH_FIRST_CLOSES = {}
    generate = me.sampler_adapter(folder)
    pieces = list(me.cases_from_pieces(split[args.split], vocab))
    by_degree = {w: defaultdict(Counter) for w in ("harmonized", "Bach")}
    summary = {w: Counter() for w in by_degree}
    firsts = {w: Counter() for w in by_degree}
    for i, case in enumerate(me.spread(pieces, 40)):
        s, key = home(case)
        if key is None:
            continue
        minor = key.quality == "minor"
        made = generate(me.melody_of(s), {**me.APP_REQUEST, "bars": s.bar_count(),
                                          "harmonize": True, "seed": i, "variations": 2,
                                          "key": "auto" if args.key_lock else None})
        for who, scores in (("Bach", [case.score]), ("harmonized", made)):
            for score in scores:
                for degree, kind, pcs in closes(score, key):
                    by_degree[who][(minor, degree)][name(kind, pcs)] += 1
                    summary[who][(minor, summary_class(kind, minor))] += 1
                for _, kind, _ in closes(score, key, "first"):
                    firsts[who][(minor, summary_class(kind, minor))] += 1
    print("| mode | melody degree | harmonized | Bach |")
    print("| --- | --- | --- | --- |")
    for minor, degree in sorted(set(by_degree["harmonized"]) | set(by_degree["Bach"])):
        cells = []
        for who in ("harmonized", "Bach"):
            c = by_degree[who][(minor, degree)]
            cells.append(f"{sum(c.values())}: " + ", ".join(f"{k} {n}" for k, n in
                                                            c.most_common(6)))
        print(f"| {'minor' if minor else 'major'} | {DEGREES[degree]} | {' | '.join(cells)} |")
    print()
    classes = ("tonic", "V", "other triad", "rest")
    print("| | mode | fermatas | " + " | ".join(classes) + " |")
    print("| --- | --- | ---: | " + " | ".join("---:" for _ in classes) + " |")
    for label, table_ in (("", summary), (", first fermata", firsts)):
        for who, c in table_.items():
            for minor in (False, True):
                n = sum(c[(minor, k)] for k in classes)
                cells = " | ".join(f"{c[(minor, k)]} ({c[(minor, k)] / max(n, 1):.0%})"
                                   for k in classes)
                print(f"| {who}{label} | {'minor' if minor else 'major'} | {n} | {cells} |")


if __name__ == "__main__":
    main()
