"""The final chord of continued and harmonized chorales, and how each voice moves into it.

    python bench/final_chords.py                   # as the app writes now
    python bench/final_chords.py --no-full-final   # voice_sampler.FULL_FINAL off
    python bench/final_chords.py --split val       # one split (default: val and test)

Per split, 20 pieces of 12 bars or more (musical_eval.spread): their first 4 bars continued 8
bars with the cadence option, and 20 of its melodies harmonized, 2 variations each (the app's
defaults, no key lock). Beside the harmonizations, Bach's own final chords of the same pieces.
The final chord is the texture at the last onset, read against the piece's home key; counted:
four-voice finals, those without the fifth, without the fifth where the root is not tripled
either, with the third doubled, without the third, with two adjacent voices in unison; of
the voices' last steps into it, those that leap more than a fifth (per voice, top first); and
in the last 4 beats, the notes struck outside the home key before the final chord (a minor
key's raised sixth and seventh are in it; the final's Picardy third is counted below) and the
moves between notes struck there, into the final chord too, that are augmented or diminished
as export spells them (C#3 to G2, a chromatic slide G#3 to G3: analysis.altered_moves), with
the finals that have any; and in minor keys, the finals with the major third (a Picardy third,
as Bach ends nearly every minor chorale).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from composer_gui.ml import musical_eval as me  # noqa: E402
from composer_gui.ml import voice_sampler  # noqa: E402
from composer_gui.ml.evaluate import load_split  # noqa: E402
from composer_gui.ml.model_folder import load_model  # noqa: E402
from composer_gui.music import analysis as an  # noqa: E402
from composer_gui.music.score import KeySignature, Score  # noqa: E402
from composer_gui.music.spelling import spell_score  # noqa: E402

ROWS = ("four-voice finals", "no fifth", "no fifth, root not tripled", "third doubled",
        "no third", "adjacent voices in unison", "leaps over a fifth into it",
        "... voice 1", "... voice 2", "... voice 3", "... voice 4",
        "last 4 beats: notes outside the key", "... finals with some",
        "last 4 beats: altered moves", "... of moves", "... finals with one or more",
        "minor keys: finals", "... with the major third")


def judge(score: Score, key: KeySignature, into: Counter) -> None:
    """Count what the module docstring lists for ``score``'s final chord (4 voices only)."""
    voices = an.part_voices(score)
    if len(voices) != 4:
        return
    last = max(n.start for v in voices for n in v)
    final = [max((n.pitch for n in v if n.start <= last < n.end), default=None) for v in voices]
    if None in final:
        return
    tonic = key.tonic_pc
    pcs = [p % 12 for p in final]
    thirds = sum(pc in ((tonic + 3) % 12, (tonic + 4) % 12) for pc in pcs)
    no_fifth = (tonic + 7) % 12 not in pcs
    into["four-voice finals"] += 1
    if key.quality == "minor":
        into["minor keys: finals"] += 1
        into["... with the major third"] += (tonic + 4) % 12 in pcs
    into["no fifth"] += no_fifth
    into["no fifth, root not tripled"] += no_fifth and pcs.count(tonic) < 3
    into["third doubled"] += thirds >= 2
    into["no third"] += thirds == 0
    into["adjacent voices in unison"] += any(a == b for a, b in itertools.pairwise(final))
    for j, v in enumerate(voices):
        ns = [n for n in v if n.start <= last]
        if len(ns) >= 2 and abs(ns[-1].pitch - ns[-2].pitch) > 7:
            into["leaps over a fifth into it"] += 1
            into[f"... voice {j + 1}"] += 1
    since = last - 4 * score.time_signature_at(last).beat_ticks
    scale = set(key.scale_pcs())  # and a minor key's raised sixth and seventh, as the key lock's
    if key.quality == "minor":
        scale |= {(tonic + 9) % 12, (tonic + 11) % 12}
    outside = sum(n.pitch % 12 not in scale for v in voices for n in v if since <= n.start < last)
    altered, moves = an.altered_moves(an.part_voices(spell_score(score)), since, last + 1)
    into["last 4 beats: notes outside the key"] += outside
    into["last 4 beats: altered moves"] += altered
    into["... of moves"] += moves
    into["... finals with some"] += outside > 0
    into["... finals with one or more"] += altered > 0


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", action="append")
    ap.add_argument("--no-full-final", action="store_true")
    args = ap.parse_args(argv)
    if args.no_full_final:
        voice_sampler.FULL_FINAL = False
    folder = load_model("bach-chorales").path
    split, vocab, _ = load_split(folder)
    generate = me.sampler_adapter(folder)
    cols = {"continued": Counter(), "harmonized": Counter(), "Bach (harmonized pieces)": Counter()}
    for name in args.split or ("val", "test"):
        cases = me.cases_from_pieces(split[name], vocab)
        for i, case in enumerate(me.spread([c for c in cases if c.score.bar_count() >= 12], 20)):
            s = case.score
            key = me.home_key(s, s.end_tick)
            if key is None:
                continue
            start = s.bar_start(4)
            for g in generate(s.slice(0, start, shift=False),
                              {**me.APP_REQUEST, "bars": 8, "start_tick": start, "seed": i,
                               "variations": 2}):
                judge(g, key, cols["continued"])
        for i, case in enumerate(me.spread(cases, 20)):
            s = me.as_voices(case.score, 4)
            key = me.home_key(s, s.bar_start(s.bar_count()))
            if key is None:
                continue
            judge(s, key, cols["Bach (harmonized pieces)"])
            for g in generate(me.melody_of(s), {**me.APP_REQUEST, "bars": min(s.bar_count(), 32),
                                                "harmonize": True, "seed": i, "variations": 2}):
                judge(g, key, cols["harmonized"])
    print("| | " + " | ".join(cols) + " |")
    print("| --- |" + " ---: |" * len(cols))
    for row in ROWS:
        print(f"| {row} | " + " | ".join(str(c[row]) for c in cols.values()) + " |")


if __name__ == "__main__":
    main()
