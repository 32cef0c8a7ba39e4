"""Marks (articulations, ornaments, bowings, slurs, dynamics, hairpins, grace notes) read from
real files and through the app's exports: how many each file marks, how many the score keeps,
and whether MusicXML and ABC written by the app give the same marks back.

    python bench/marks.py                 # O'Neill's and Ryan's tunes (music21's corpus)
    python bench/marks.py --tunes 300     # how many tunes of each book
    python bench/marks.py --xml           # and ten small MusicXML scores of the corpus

Per set: tunes read; decorations in the files' text (slurs counted by their "("); tunes whose
decorations the app could match to notes (abc_text.read_decorations); the marks the score
holds, by name; and, written as MusicXML and as ABC and read back, the share of those marks
that come back, and the pieces whose every note comes back with the same marks (a roll comes
back from MusicXML as a turn: counted the same; a slur whose end the file left open is left
out by the writers; ABC export of several voices does not give every note back the same).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from composer_gui.music.abc_text import decoration_counts  # noqa: E402
from composer_gui.music.formats import load_score, save_score  # noqa: E402
from composer_gui.music.prescan import abc_blocks  # noqa: E402

# small MusicXML scores of music21's corpus that mark slurs, articulations or ornaments
XML = ("handel/rinaldo/Lascia_chio_pianga", "haydn/opus1no1/movement2",
       "haydn/opus1no1/movement4", "mozart/k80/movement3", "mozart/k156/movement4",
       "schumann_clara/polonaise_op1n1", "schumann_clara/polonaise_op1n3",
       "schumann_clara/polonaise_op1n4", "schumann_robert/opus48no2", "schoenberg/opus19/movement2")


def corpus() -> Path:
    import music21

    return Path(music21.__file__).parent / "corpus"


def tunes(book: str, limit: int) -> list[tuple[Path, int]]:
    out = []
    for path in sorted((corpus() / book).glob("*.abc")):
        count = len(abc_blocks(path.read_text(encoding="latin-1"))[1])
        out.extend((path, i) for i in range(count))
        if len(out) >= limit:
            break
    return out[:limit]


def marks_of(score, turn_for_roll: bool = False) -> list[tuple]:
    def fix(ms):
        return tuple(sorted("turn" if turn_for_roll and m == "roll" else m for m in ms))
    # (by order, not tick: a triplet's notes move a tick)
    return [(n.pitch, fix(n.marks) + tuple(f"grace {g}" for g in n.graces)) for n in score.notes]


def run(label: str, items, workdir: Path) -> str:
    read = decorated = matched = 0
    same: Counter = Counter()
    kept_back: Counter = Counter()
    in_text: Counter = Counter()
    kept: Counter = Counter()
    for item in items:
        path, index = item if isinstance(item, tuple) else (item, None)
        warnings: list[str] = []
        try:
            score = load_score(path, warnings, tune=index) if index is not None \
                else load_score(path, warnings)
        except Exception:
            continue
        read += 1
        if path.suffix == ".abc":
            text = abc_blocks(path.read_text(encoding="latin-1"))[1][index]
            body = "\n".join(line for line in text.splitlines()
                             if not re.match(r"[A-Za-z+]:", line))
            counts = decoration_counts(text)
            counts["slurs"] = len(re.findall(r"\((?!\d)", re.sub(r'"[^"]*"', "", body)))
            counts["staccato and bowings"] = len(re.findall(r"[.uv](?=[\^=_]*[A-Ga-g\[])", body))
            counts["grace notes"] = sum(len(re.findall(r"[A-Ga-g]", g))
                                        for g in re.findall(r"\{([^}]*)\}", body))
            in_text.update(counts)
            if sum(counts.values()):
                decorated += 1
                matched += not any("are not kept" in w and ("ornament" in w or "articul" in w
                                                          or "slur" in w) for w in warnings)
        else:  # a MusicXML file: what it writes, read from its text
            from composer_gui.music.prescan import musicxml_documents

            xml = musicxml_documents(path)[0].decode("utf-8", "replace")
            in_text.update({"slurs": xml.count('<slur type="start"'),
                            "articulations": len(re.findall(r"<(?:staccato|accent|tenuto|"
                                                            r"staccatissimo|strong-accent)\b",
                                                            xml)),
                            "ornaments": len(re.findall(r"<(?:trill-mark|mordent|"
                                                        r"inverted-mordent|turn)\b", xml)),
                            "dynamics": len(re.findall(r"<dynamics[^>]*>\s*<(?:p|pp|ppp|mp|mf|f|ff|"
                                                       r"fff)/>", xml)),
                            "grace notes": xml.count("<grace"),
                            "hairpins": len(re.findall(r'<wedge[^>]*type="(?:crescendo|'
                                                       r'diminuendo)"', xml))})
            decorated += 1
            matched += 1
        here = Counter(m for n in score.notes for m in n.marks)
        here["grace notes"] += sum(len(n.graces) for n in score.notes)
        kept.update(here)
        for suffix in ("musicxml", "abc"):
            out = workdir / f"copy.{suffix}"
            save_score(score, out, [])
            back = load_score(out, [])
            roll = suffix == "musicxml"
            ok = marks_of(back, roll) == marks_of(score, roll)
            before = Counter(m for _p, ms in marks_of(score, roll) for m in ms)
            after = Counter(m for _p, ms in marks_of(back, roll) for m in ms)
            same[suffix] += ok
            kept_back[suffix] += sum((before & after).values())
    total = sum(kept.values())
    shown = ", ".join(f"{k} {v}" for k, v in sorted(in_text.items()) if v)
    held = ", ".join(f"{k} {v}" for k, v in kept.most_common())
    cells = [f"{kept_back[s] / max(total, 1):.1%} ({same[s]} of {read} all)"
             for s in ("musicxml", "abc")]
    return (f"| {label} | {read} | {shown or '-'} | {decorated} | {matched} | {held or '-'} "
            f"| {cells[0]} | {cells[1]} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tunes", type=int, default=150)
    ap.add_argument("--xml", action="store_true")
    args = ap.parse_args()
    print("| set | read | marked in the text | with any | decorations matched to notes "
          "| marks the score holds | back from MusicXML (pieces with every mark on its note) "
          "| back from ABC (the same) |")
    print("| --- | ---: | --- | ---: | ---: | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for book in ("oneills1850", "ryansMammoth"):
            print(run(book, tunes(book, args.tunes), Path(tmp)), flush=True)
        if args.xml:
            files = [corpus() / f"{name}.mxl" for name in XML]
            print(run("scores (MusicXML)", files, Path(tmp)), flush=True)


if __name__ == "__main__":
    main()
