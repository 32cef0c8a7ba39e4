"""Repeat signs in exported notation (music/repeats.py): tunes whose ABC writes repeats, read as
played (the app's reader expands them) and exported as MusicXML.

    python bench/repeats.py                 # 120 tunes with repeat signs, 60 without
    python bench/repeats.py --tunes 300 --off   # REPEATS off, as before the rule

For each tune with repeat signs in its file: the bars written (the export's <measure>s) beside
the bars the file writes (its bar lines, a pickup not counted) and the bars played; the tunes
whose export writes as many repeat signs as the file (":|"), and as many bars (within one). For
tunes without repeat signs: how many the export folds anyway (a strain written out twice), and
for every tune whether the export read back plays the same notes (music21 expands the repeats).
Tunes from O'Neill's, Ryan's and Aird's books in music21's corpus, spread over the files.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import music21  # noqa: E402

from composer_gui.music import repeats  # noqa: E402
from composer_gui.music.musicxml_writer import musicxml_text  # noqa: E402
from composer_gui.music.notation import abc_tune_titles, read_notation  # noqa: E402

BOOKS = ("oneills1850", "ryansMammoth", "airdsAirs")
_BODY_BAR = re.compile(r"\|")


def _tunes(path: Path) -> list[str]:
    """Each tune's text (from its X: line)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return [t for t in re.split(r"(?m)^(?=X:)", text) if t.startswith("X:")]


def _body(tune: str) -> str:
    lines = [ln for ln in tune.splitlines() if not re.match(r"^[A-Za-z]:", ln) and "%" not in ln]
    return "\n".join(lines)


def _written_bars(body: str) -> int:
    """Bar lines of the tune's body (|, ||, |:, :|, ::, |] count once each)."""
    marks = re.findall(r"\|\]|\[\||::|:\||\|:|\|\||\|", re.sub(r'"[^"]*"', "", body))
    return len(marks)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tunes", type=int, default=120, help="tunes with repeat signs")
    ap.add_argument("--plain", type=int, default=60, help="tunes without repeat signs")
    ap.add_argument("--verbose", action="store_true", help="the tunes folded otherwise")
    ap.add_argument("--off", action="store_true", help="repeats.REPEATS off")
    args = ap.parse_args()
    repeats.REPEATS = not args.off
    paths = [p for book in BOOKS for p in sorted(music21.corpus.getWork(book))
             if str(p).endswith(".abc")]
    with_signs, plain = [], []
    for path in paths:
        for index, tune in enumerate(_tunes(path)):
            body = _body(tune)
            if re.search(r"^K:.*$", tune, re.M) is None:
                continue
            (with_signs if ":|" in body or "::" in body else plain).append((path, index, body))
    step_a = max(1, len(with_signs) // args.tunes)
    step_b = max(1, len(plain) // max(1, args.plain))
    chosen = with_signs[::step_a][:args.tunes] + plain[::step_b][:args.plain]
    rows = {"signs": [], "plain": []}
    failed = 0
    for path, index, body in chosen:
        kind = "signs" if (path, index, body) in with_signs[::step_a] else "plain"
        try:
            if len(abc_tune_titles(path)) <= index:
                continue
            score = read_notation(path, [], index)
            xml = musicxml_text(score)
        except Exception:
            failed += 1
            continue
        with tempfile.NamedTemporaryFile("w", suffix=".musicxml", delete=False) as f:
            f.write(xml)
        try:
            back = read_notation(f.name, [])
        finally:
            Path(f.name).unlink()
        same = sorted((n.start, n.pitch, n.duration) for n in back.notes) == \
            sorted((n.start, n.pitch, n.duration) for n in score.notes)
        file_repeats = body.count(":|") + body.count("::")
        rows[kind].append(dict(
            measures=xml.count("<measure "), played=score.bar_count(),
            file_bars=_written_bars(body), file_repeats=file_repeats,
            ours=xml.count('<repeat direction="backward"/>'),
            endings=xml.count('type="start">2.'), file_endings=len(re.findall(r"\[2|\|2", body)),
            same=same, where=f"{Path(path).parent.name}/{Path(path).name}#{index}"))
    if args.verbose:
        for x in rows["signs"]:
            if x["ours"] != x["file_repeats"]:
                print(x)
    print(f"REPEATS {'off' if args.off else 'on'}; tunes unreadable or not exported: {failed}")
    print("| tunes | count | bars played | bars in the file | bars written | repeat signs "
          "(file / export) | second endings (file / export) | as many repeats as the file | "
          "bars within 1 of the file's | read back plays the same |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for kind, label in (("signs", "with repeat signs"), ("plain", "without")):
        r = rows[kind]
        if not r:
            continue
        n = len(r)
        total = {k: sum(x[k] for x in r) for k in ("played", "file_bars", "measures",
                                                    "file_repeats", "ours", "file_endings",
                                                    "endings")}
        match = sum(x["ours"] == x["file_repeats"] for x in r)
        close = sum(abs(x["measures"] - x["file_bars"]) <= 1 for x in r)
        same = sum(x["same"] for x in r)
        print(f"| {label} | {n} | {total['played']} | {total['file_bars']} | "
              f"{total['measures']} | {total['file_repeats']} / {total['ours']} | "
              f"{total['file_endings']} / {total['endings']} | {match} ({match / n:.0%}) | "
              f"{close} ({close / n:.0%}) | {same} ({same / n:.0%}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
