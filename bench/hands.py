"""A keyboard part played on one track, divided into hands: the search (music/hands.py) beside a
split at middle C, against the staves its copyist wrote.

    python bench/hands.py [--jitter 20] [--seed 3]

The keyboard parts of music21's corpus (two staves braced: Joplin, Chopin, Mozart, Clara and
Robert Schumann, C. P. E. Bach, Schubert, Schoenberg, Beach, Handel, Liliuokalani), each merged
into one track as a MIDI keyboard gives it, and divided again without its staves. The pieces
marked "tuning" chose ``hands.Reach``'s costs; the others were not looked at while choosing.
With ``--jitter`` the onsets move by up to that many ticks (20: about 25 ms at 100 bpm) and
each note is held 70-105% of its value, as a player's are.

Per piece: the share of notes the division puts on their copyist's staff, and the onsets where
a hand would hold or strike notes spanning more than a tenth (16 semitones), which no hand can;
last, how long the search takes (it runs again whenever a part's notes change).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from composer_gui.music.clefs import MIDDLE_C  # noqa: E402
from composer_gui.music.hands import TOGETHER, hands  # noqa: E402
from composer_gui.music.score import TPQ, Note  # noqa: E402

PIECES = [  # (corpus path, chose the costs)
    ("joplin/maple_leaf_rag.mxl", True),
    ("chopin/mazurka06-2.krn", False),
    ("mozart/k545/movement1_exposition.mxl", True),
    ("schumann_clara/polonaise_op1n1.mxl", True),
    ("schumann_clara/polonaise_op1n2.mxl", False),
    ("schumann_clara/polonaise_op1n3.mxl", True),
    ("schumann_clara/polonaise_op1n4.mxl", False),
    ("schumann_clara/opus17/movement3.xml", False),
    ("schoenberg/opus19/movement2.mxl", False),
    ("schoenberg/opus19/movement6.mxl", False),
    ("cpebach/h186.mxl", True),
    ("beach/prayer_of_a_tired_child.musicxml", False),
    ("schubert/Lindenbaum.xml", True),
    ("schumann_robert/dichterliebe_no2.xml", False),
    ("liliuokalani/aloha_oe.mxl", True),
    ("handel/rinaldo/Lascia_chio_pianga.mxl", False),
]
TENTH = 16


def staves(path: str) -> tuple[list[Note], list[Note]] | None:
    """The first braced pair of staves of a corpus file (a two-part keyboard score without a
    brace, as the Humdrum mazurka reads, counts too): its upper and lower notes."""
    from music21 import corpus, layout

    score = corpus.parse(path)
    pairs = [tuple(g.getSpannedElements()) for g in
             score.recurse().getElementsByClass(layout.StaffGroup)
             if len(g.getSpannedElements()) == 2]
    if not pairs and len(score.parts) == 2:
        pairs = [tuple(score.parts)]
    if not pairs:
        return None

    def notes(staff) -> list[Note]:
        out = []
        for n in staff.stripTies().recurse().notes:
            length = float(n.duration.quarterLength)
            if length <= 0:
                continue
            start = round(float(n.getOffsetInHierarchy(staff)) * TPQ)
            out.extend(Note(start, p.midi, max(1, round(length * TPQ))) for p in n.pitches)
        return out

    return notes(pairs[0][0]), notes(pairs[0][1])


def played(notes: list[Note], jitter: int, rng: random.Random) -> list[Note]:
    if not jitter:
        return notes
    return [Note(max(0, n.start + rng.randint(-jitter, jitter)), n.pitch,
                 max(TOGETHER // 3, round(n.duration * rng.uniform(0.7, 1.05)))) for n in notes]


def out_of_reach(notes: list[Note], ups: list[bool]) -> int:
    """Onsets where one hand's struck and held notes span more than a tenth."""
    count = 0
    for t in sorted({n.start for n in notes}):
        for side in (True, False):
            held = [n.pitch for n, up in zip(notes, ups, strict=True) if up == side
                    and n.start <= t + TOGETHER and n.start + n.duration > t + TOGETHER]
            count += bool(held) and max(held) - min(held) > TENTH
    return count


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jitter", type=int, default=0)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    print("| piece | chose the costs | notes | on their staff: middle C | search "
          "| out of reach: middle C | search |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    totals = {True: [0, 0, 0, 0, 0], False: [0, 0, 0, 0, 0]}
    took: list[float] = []
    for path, tuning in PIECES:
        pair = staves(path)
        if pair is None:
            continue
        upper, lower = pair
        both = sorted(zip(played(upper + lower, args.jitter, rng),
                          [True] * len(upper) + [False] * len(lower), strict=True),
                      key=lambda x: (x[0].start, x[0].pitch))
        notes, truth = [n for n, _ in both], [up for _, up in both]
        at_c = [n.pitch >= MIDDLE_C for n in notes]
        began = time.perf_counter()
        searched = hands(notes, MIDDLE_C)
        took.append((time.perf_counter() - began) / len(notes) * 1000)
        right = [sum(a == b for a, b in zip(way, truth, strict=True)) for way in (at_c, searched)]
        reach = [out_of_reach(notes, way) for way in (at_c, searched)]
        t = totals[tuning]
        for j, v in enumerate((len(notes), *right, *reach)):
            t[j] += v
        print(f"| {path} | {'yes' if tuning else ''} | {len(notes)} | "
              f"{right[0] / len(notes):.1%} | {right[1] / len(notes):.1%} | "
              f"{reach[0]} | {reach[1]} |")
    for tuning, name in ((True, "the tuning pieces"), (False, "the others")):
        n, a, b, ra, rb = totals[tuning]
        print(f"| **{name}** | | {n} | {a / n:.1%} | {b / n:.1%} | {ra} | {rb} |")
    print(f"\nthe search: {sorted(took)[len(took) // 2] * 1000:.0f} ms per 1,000 notes "
          f"(median of {len(took)} pieces, slowest {max(took) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
