"""Harmonizing a melody under chord symbols: how closely the voices keep to them, at what cost
to the voice leading.

    python bench/chord_symbols.py                  # 40 held-out chorale melodies x 2 variations
    python bench/chord_symbols.py --split val --pieces 20

Each held-out chorale of the ``bach-chorales`` split becomes a lead sheet: its soprano, and a
chord symbol on each beat where Bach's four voices sound a chord a lead sheet names, where it
changes (:func:`lead_sheet_symbols`: root and quality, a slash bass for an inversion). The
melody is harmonized with the app's defaults twice: following the symbols
(``ml/given_chords.py``) and ignoring them (``--ignore-chords``). Rows, per harmonization, on
the beats a symbol stands over:

* the voices keep to the symbol: every lower voice sounds one of its notes;
* the bass is the symbol's bass (its root, or a slash chord's bass);
* the bass is Bach's own bass note (pitch class);
* no voice sounds the symbol's root; two neighbouring voices share a pitch;
* the bass leaps an octave (or two), the inner voices a tritone, a voice wider (an inner
  voice over a fifth, the bass a seventh or over an octave), per 8 bars;
* beat chords that are triads or sevenths; outer parallels and parallels between any two
  voices per 8 bars; voice crossings (the card's rows, ``music.analysis``).

Bach's own setting is the last column: what following his chords exactly would give.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from composer_gui.ml import musical_eval as me  # noqa: E402
from composer_gui.ml.evaluate import load_split  # noqa: E402
from composer_gui.ml.model_folder import load_model  # noqa: E402
from composer_gui.music import analysis as an  # noqa: E402
from composer_gui.music.chord_symbols import chord_tones  # noqa: E402
from composer_gui.music.score import TPQ, ChordSymbol, Score  # noqa: E402

_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
# interval sets over a root -> a lead sheet's quality (complete chords first; a seventh chord
# without its fifth too, as four voices write it)
_QUALITIES = {(0, 4, 7): "", (0, 3, 7): "m", (0, 3, 6): "dim", (0, 4, 7, 10): "7",
              (0, 3, 7, 10): "m7", (0, 4, 7, 11): "maj7", (0, 3, 6, 10): "m7b5",
              (0, 3, 6, 9): "dim7", (0, 4, 10): "7", (0, 3, 10): "m7", (0, 4, 11): "maj7"}


def lead_sheet_symbols(notes) -> list[ChordSymbol]:
    """A chord symbol on each beat where four voices (``notes``: (start, pitch, duration) or
    Notes) sound a chord a lead sheet names, where it changes: a chorale as a lead sheet."""
    notes = [(n.start, n.pitch, n.duration) if hasattr(n, "pitch") else n for n in notes]
    out, last = [], None
    first, end = min(s for s, _, _ in notes), max(s + d for s, _, d in notes)
    for t in range(first - first % TPQ, end, TPQ):
        sounding = [p for s, p, d in notes if s <= t < s + d]
        pcs, bass = {p % 12 for p in sounding}, min(sounding, default=0) % 12
        if len(pcs) < 3:
            continue
        text = next((_NAMES[r] + q + ("" if r == bass else "/" + _NAMES[bass])
                     for r in sorted(pcs, key=lambda p: p != bass)
                     if (q := _QUALITIES.get(tuple(sorted((p - r) % 12 for p in pcs))))
                     is not None), None)
        if text is not None and text != last:
            out.append(ChordSymbol(t, text))
            last = text
    return out


def measures(result: Score, symbols: list[ChordSymbol], bach: Score) -> dict[str, float]:
    voices = an.part_voices(result)
    end = result.end_tick
    beats = range(0, end, TPQ)
    kept = bass_ok = bach_bass = total = rootless = unisons = 0
    real = an.part_voices(bach)
    for t in beats:
        at = [s for s in symbols if s.tick <= t]
        tones = chord_tones(at[-1].text) if at else None
        if tones is None:
            continue
        lower = [an.sounding(v, t) for v in voices[1:]]
        if not all(lower):
            continue
        total += 1
        kept += all(x[0] % 12 in tones.pcs for x in lower)
        bass_ok += lower[-1][0] % 12 == tones.bass
        theirs = an.sounding(real[-1], t)
        bach_bass += bool(theirs) and theirs[0] % 12 == lower[-1][0] % 12
        every = [x[0] for x in [an.sounding(voices[0], t), *lower] if x]
        rootless += tones.root not in {p % 12 for p in every}
        unisons += any(a == b for a, b in itertools.pairwise(every))
    bars = max(1, result.bar_count())
    notes = result.notes
    leaps = [abs(b.pitch - a.pitch) for a, b in itertools.pairwise(voices[-1])]
    inner = [abs(b.pitch - a.pitch) for v in voices[1:-1] for a, b in itertools.pairwise(v)]
    tritones = sum(x == 6 for x in inner)
    wide = sum(x > 7 and x != 12 for x in inner) + sum(x > 12 or x in (10, 11) for x in leaps)
    return {"kept": kept / max(total, 1), "bass": bass_ok / max(total, 1),
            "bach_bass": bach_bass / max(total, 1), "rootless": rootless / max(total, 1),
            "unisons": unisons / max(total, 1),
            "octaves": sum(x in (12, 24) for x in leaps) * 8 / bars,
            "tritones": tritones * 8 / bars, "wide": wide * 8 / bars,
            "triads": _share(an.beat_chord_share(result, 0, end)),
            "outer": an.outer_voice_parallels(notes, 0, end) * 8 / bars,
            "any": an.voice_parallels(voices, 0, end) * 8 / bars,
            "crossings": _share(an.voice_crossings(voices, 0, end))}


def _share(pair: tuple[int, int]) -> float:
    return pair[0] / max(pair[1], 1)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="test")
    ap.add_argument("--pieces", type=int, default=40)
    ap.add_argument("--variations", type=int, default=2)
    args = ap.parse_args(argv)
    folder = load_model("bach-chorales").path
    split, vocab, _ = load_split(folder)
    cases = me.spread(me.cases_from_pieces(split[args.split], vocab), args.pieces)
    generate = me.sampler_adapter(folder)
    rows = {name: {} for name in ("follow", "ignore", "bach")}
    t0 = time.perf_counter()
    for i, case in enumerate(cases):
        symbols = lead_sheet_symbols(case.score.notes)
        sheet = me.melody_of(case.score)
        sheet = Score(parts=sheet.parts, tempos=sheet.tempos,
                      time_signatures=sheet.time_signatures, key_signatures=sheet.key_signatures,
                      fermatas=sheet.fermatas, pickup=sheet.pickup, chord_symbols=symbols)
        for name, follow in (("follow", True), ("ignore", False)):
            for r in generate(sheet, {"harmonize": True, "bars": sheet.bar_count(), "seed": i,
                                      "variations": args.variations, "key": None,
                                      "chord_symbols": follow}):
                for k, x in measures(r, symbols, case.score).items():
                    rows[name].setdefault(k, []).append(x)
        for k, x in measures(case.score, symbols, case.score).items():
            rows["bach"].setdefault(k, []).append(x)
    print(f"{len(cases)} {args.split} chorale melodies x {args.variations} variations, "
          f"{time.perf_counter() - t0:.0f} s\n")
    labels = {"kept": "beats whose lower voices keep to the symbol",
              "bass": "beats whose bass is the symbol's bass",
              "bach_bass": "beats whose bass is Bach's bass note",
              "rootless": "beats where no voice sounds the symbol's root",
              "unisons": "beats where two neighbouring voices share a pitch",
              "octaves": "bass leaps of an octave or two per 8 bars",
              "tritones": "inner voices' tritone leaps per 8 bars",
              "wide": "wide leaps per 8 bars (inner voices' over a fifth, the bass's sevenths "
                      "and over an octave; not octaves)",
              "triads": "beat chords that are triads or sevenths",
              "outer": "outer parallel fifths/octaves per 8 bars",
              "any": "parallels between any two voices per 8 bars",
              "crossings": "voice crossings (share of onsets)"}
    print("| measure | following the symbols | ignoring them | Bach |")
    print("| --- | ---: | ---: | ---: |")
    for k, label in labels.items():
        cells = " | ".join(f"{sum(rows[n][k]) / len(rows[n][k]):.3f}"
                           for n in ("follow", "ignore", "bach"))
        print(f"| {label} | {cells} |")


if __name__ == "__main__":
    main()
