"""Notation export: spelling and accidentals on music21's Bach chorales, and export speed.

    python bench/notation.py            # every chorale in music21's corpus (~1-2 min)
    python bench/notation.py --limit 40

For each chorale: MusicXML -> app (read_notation) -> MusicXML (write_musicxml) -> app, and
  * notes spelled as the original (target >= 99.5 %),
  * accidental signs in our file vs the original's (target <= +25 %; the original's scaled by
    the notes written where the app writes out its repeats), the courtesy signs we
    write after a bar that altered the note (`cautionary="yes"`, none in the originals) counted
    apart;
the same with every file spelling removed (the key-aware PS13 speller alone); then the time to
export a 3,000-note human-timed two-hand piano piece (target < 3 s).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zipfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "music")]  # this checkout, the test helpers

import music21  # noqa: E402
from human_piano import human_piano_midi  # noqa: E402

from composer_gui.music.midi import read_midi  # noqa: E402
from composer_gui.music.musicxml_writer import musicxml_text  # noqa: E402
from composer_gui.music.notation import read_notation, write_musicxml  # noqa: E402


def _xml(path: Path) -> str:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.endswith((".xml", ".musicxml"))
                     and not n.startswith("META")]
            text = z.read(names[0]).decode("utf-8", "replace")
    else:
        text = path.read_text(encoding="utf-8", errors="replace")
    return text


def accidentals_in(path: Path, courtesy: bool = False) -> tuple[int, int]:
    """(the accidental signs in a MusicXML file, its written pitches). With ``courtesy``: the
    cautionary signs only; else every other one. The pitches scale the original's signs to
    ours where the app writes out a file's repeats (BWV 103.6's repeated first part: twice the
    notes, twice the signs)."""
    text = _xml(path)
    cautionary = text.count('<accidental cautionary="yes"')
    signs = cautionary if courtesy else text.count("<accidental") - cautionary
    return signs, text.count("<pitch>")


def spelled(score):
    return [sorted((n.start, n.pitch, n.spelling or "") for n in p.notes) for p in score.parts]


def agree(a, b) -> tuple[int, int]:
    same = total = 0
    for pa, pb in zip(spelled(a), spelled(b), strict=True):
        total += len(pa)
        same += sum(x == y for x, y in zip(pa, pb, strict=False))
    return same, total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    paths = [Path(p) for p in music21.corpus.getComposer("bach")
             if str(p).endswith((".mxl", ".xml", ".musicxml"))]
    if args.limit:
        paths = paths[: args.limit]
    kept = [0, 0]
    alone = [0, 0]
    acc_ours = acc_orig = courtesy = 0
    files = 0
    seconds = 0.0
    clefs_kept = pickups = pickups_kept = fermatas = fermatas_kept = over_quarter = 0
    worst = (0, "", 0, 0)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "back.musicxml"
        for path in paths:
            try:
                original = read_notation(path)
            except Exception as exc:  # a corpus file the app refuses: say so, go on
                print(f"skipped {path.name}: {exc}")
                continue
            t = time.perf_counter()
            write_musicxml(original, out)
            seconds += time.perf_counter() - t
            back = read_notation(out)
            s, n = agree(back, original)
            kept[0] += s
            kept[1] += n
            clefs_kept += [p.clef for p in back.parts] == [p.clef for p in original.parts]
            pickups += bool(original.pickup)
            pickups_kept += bool(original.pickup) and back.pickup == original.pickup
            fermatas += len(original.fermatas)
            fermatas_kept += len(set(original.fermatas) & set(back.fermatas))
            bare = original.map_notes(lambda n: replace(n, spelling=None))
            Path(tmp, "bare.musicxml").write_text(musicxml_text(bare), encoding="utf-8")
            guessed = read_notation(Path(tmp, "bare.musicxml"))
            s, n = agree(guessed, original)
            alone[0] += s
            alone[1] += n
            (ours, played), (theirs, written) = accidentals_in(out), accidentals_in(path)
            theirs = round(theirs * played / max(written, 1))  # (its repeats written out)
            courtesy += accidentals_in(out, courtesy=True)[0]
            acc_ours += ours
            acc_orig += theirs
            over_quarter += ours > 1.25 * theirs + 1  # the per-file target (one sign of slack)
            if ours - theirs > worst[0]:
                worst = (ours - theirs, path.name, ours, theirs)
            files += 1
        # 12 notes a bar: 250 bars are 3,000 notes
        piece = read_midi(human_piano_midi(Path(tmp) / "human.mid", bars=250))
        t = time.perf_counter()
        warnings: list[str] = []
        write_musicxml(piece, Path(tmp) / "human.musicxml", warnings)
        export = time.perf_counter() - t
    print(f"{'measure':<58} {'value':>14}  target")
    print(f"{'chorales (MusicXML files of music21 getComposer(bach))':<58} {files:>14}")
    print(f"{'notes spelled as the original, round trip':<58} "
          f"{kept[0] / kept[1]:>13.3%}  >= 99.5%   ({kept[0]}/{kept[1]})")
    print(f"{'notes spelled as the original, speller alone':<58} "
          f"{alone[0] / alone[1]:>13.3%}  (no file spelling)   ({alone[0]}/{alone[1]})")
    print(f"{'accidental signs ours / original':<58} "
          f"{acc_ours / max(acc_orig, 1):>13.3f}  <= 1.25   ({acc_ours}/{acc_orig})")
    print(f"{'chorales with more than 125% (+1) of the original signs':<58} {over_quarter:>14}  0")
    print(f"{'courtesy signs (after a bar that altered the note), apart':<58} {courtesy:>14}  "
          f"({courtesy / max(files, 1):.1f} a chorale)")
    print(f"{'most signs added in one chorale':<58} {worst[0]:>14}  ({worst[1]}: "
          f"{worst[2]} vs {worst[3]})")
    print(f"{'chorales whose clefs all come back':<58} {clefs_kept:>14}  all ({files})")
    print(f"{'pickup bars that stay pickups':<58} {pickups_kept:>14}  all ({pickups})")
    print(f"{'fermatas written back':<58} {fermatas_kept:>14}  all ({fermatas})")
    print(f"{'mean export time per chorale (s)':<58} {seconds / max(files, 1):>14.4f}")
    print(f"{'export of a ' + str(piece.note_count) + '-note human-timed piano piece (s)':<58} "
          f"{export:>14.3f}  < 3 s")


if __name__ == "__main__":
    main()
