"""Harmonizing a melody over a given bass line: alto and tenor written around the kept bass.

    python bench/kept_bass.py                  # as the app harmonizes now
    python bench/kept_bass.py --split val      # the tuning pieces
    python bench/kept_bass.py --no-given-below # the voices above not checked against it

20 chorales of the split (musical_eval.spread) reduced to their soprano and bass (renamed
"Melody" and "Cello", so that nothing names them a voice), harmonized whole x 2 with the app's
defaults: the model keeps both and writes alto and tenor (voice_sampler.GIVEN_LINES_KEPT).
Beside Bach's own alto and tenor over the same two parts: consecutive fifths or octaves between
any two voices per 8 bars (at the onsets, and beat to beat), onsets where a voice sounds below
the one under it (a tenor under the bass), beats whose chord is a triad or seventh chord, beats
where soprano and alto or alto and tenor sound more than an octave apart, and the kept parts
unchanged note for note (the new staves stand between the melody's and the bass's).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from composer_gui.ml import musical_eval as me  # noqa: E402
from composer_gui.ml import voice_sampler  # noqa: E402
from composer_gui.ml.evaluate import load_split  # noqa: E402
from composer_gui.ml.model_folder import load_model  # noqa: E402
from composer_gui.music import analysis as an  # noqa: E402
from composer_gui.music.score import Score  # noqa: E402


def measure(score: Score, voices: list, into: dict) -> None:
    """Add one four-voice texture's counts to ``into`` (voices high to low)."""
    end = score.end_tick
    beats = an.beat_ticks(score, 0, end)
    into["bars"] += score.bar_count()
    into["parallels"] += an.voice_parallels(voices)
    into["beat parallels"] += an.voice_parallels(voices, ticks=beats)
    crossed, onsets = an.voice_crossings(voices)
    into["crossed"] += crossed
    into["onsets"] += onsets
    good, total = an.beat_chord_share(score, 0, end, [n for v in voices for n in v])
    into["chords"] += good
    into["beats"] += total
    (sa, at), full = an.wide_spacings(voices, beats)
    into["wide S-A"] += sa
    into["wide A-T"] += at
    into["full beats"] += full


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="test")
    ap.add_argument("--no-given-below", action="store_true")
    args = ap.parse_args(argv)
    if args.no_given_below:
        voice_sampler.GIVEN_BELOW = False
    folder = load_model("bach-chorales").path
    split, vocab, _ = load_split(folder)
    generate = me.sampler_adapter(folder)
    cases = me.spread([c for c in me.cases_from_pieces(split[args.split], vocab)
                       if len(c.score.parts) == 4 and all(p.notes for p in c.score.parts)], 20)
    keys = ("bars", "parallels", "beat parallels", "crossed", "onsets", "chords", "beats",
            "wide S-A", "wide A-T", "full beats")
    made, bach = dict.fromkeys(keys, 0), dict.fromkeys(keys, 0)
    changed = 0
    for i, case in enumerate(cases):
        s = case.score
        two = replace(s, parts=(replace(s.parts[0], name="Melody"),
                                replace(s.parts[3], name="Cello")))
        measure(s, [list(p.notes) for p in s.parts], bach)
        for g in generate(two, {**me.APP_REQUEST, "harmonize": True, "melody": 0, "seed": i,
                                "variations": 2}):
            names = [p.name for p in g.parts]
            assert names == ["Melody", "Alto", "Tenor", "Cello"], names
            changed += g.parts[0] != two.parts[0] or g.parts[3] != two.parts[1]
            voices = [list(p.notes) for p in g.parts]
            measure(g, voices, made)
    print(f"{len(cases)} {args.split} chorales' soprano and bass, alto and tenor written x 2 "
          f"(kept parts changed: {changed})\n")
    print("| | any two voices / 8 bars | beat to beat / 8 bars | onsets crossed | "
          "beat chords triads or sevenths | beats S-A over an octave | A-T over an octave |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for who, c in (("written around the kept bass", made), ("Bach", bach)):
        per8 = 8 / max(1, c["bars"])
        print(f"| {who} | {c['parallels'] * per8:.3f} | {c['beat parallels'] * per8:.3f} | "
              f"{c['crossed']} of {c['onsets']} | {c['chords'] / max(1, c['beats']):.3f} | "
              f"{c['wide S-A']} of {c['full beats']} | {c['wide A-T']} of {c['full beats']} |")


if __name__ == "__main__":
    main()
