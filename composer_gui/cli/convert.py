"""``composer-gui convert INPUT OUTPUT``: any readable format to any writable one, by extension."""

from __future__ import annotations

import sys
from pathlib import Path

from composer_gui.ml.keyfinding import with_heard_key
from composer_gui.music import ScoreFileError, save_score, summary
from composer_gui.music.formats import NOTATION, READABLE, WRITABLE, kind_of
from composer_gui.music.midi import modes_unkept
from composer_gui.music.safe_read import read_score

from .tunes import tune_number


def add_parser(sub) -> None:
    p = sub.add_parser(
        "convert",
        help="convert between MIDI, MusicXML, ABC (input only) and project files",
        description=f"Readable: {', '.join(READABLE)}. Writable: {', '.join(WRITABLE)}. "
        "The output is replaced only by a complete new file; on any error it is left as it was.",
    )
    p.add_argument("input", type=Path, help="the file to read")
    p.add_argument("output", type=Path, help="the file to write (its extension picks the format)")
    p.add_argument("--tune", type=tune_number, default=None, metavar="N",
                   help="which tune of an ABC file that holds several (from 1; default 1)")


def run(args) -> int:
    """Print one summary line on success; one error line (no traceback) and exit 1 on failure."""
    warnings: list[str] = []
    written: list[str] = []  # what the output format could not hold exactly (notation's grid)
    try:
        score = read_score(args.input, warnings, tune=args.tune)
        if kind_of(args.output) in NOTATION:  # notation needs a key signature
            score = with_heard_key(score, written)
        save_score(score, args.output, written)
        if kind_of(args.output) == "midi":
            written += modes_unkept(score)
    except ScoreFileError as exc:
        print(f"composer-gui convert: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug, not bad input: still one line, and the output is untouched
        detail = " ".join(str(exc).split()) or "no details"
        print(f"composer-gui convert: {args.input}: unexpected error ({type(exc).__name__}: "
              f"{detail}); please report it", file=sys.stderr)
        return 1
    for w in warnings:
        print(f"note: {args.input}: {w}", file=sys.stderr)
    for w in written:
        print(f"note: {args.output}: {w}", file=sys.stderr)
    print(f"{args.output}: {summary(score)}")
    return 0
