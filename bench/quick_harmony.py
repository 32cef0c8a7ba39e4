"""Quick melodies (reels, jigs) harmonized by the chorale model: the chords' rhythm below them.

    python bench/quick_harmony.py              # 24 tunes of the folk test split
    python bench/quick_harmony.py --tunes 40
    python bench/quick_harmony.py --split val  # the tuning tunes
    python bench/quick_harmony.py --gaps 1,3   # chord spans of 1 and 3 median gaps
    python bench/quick_harmony.py --nottingham # against the chord symbols of music21's
                                               # two Nottingham reels
    python bench/quick_harmony.py --triple     # tunes in three beats a bar, at any pace:
                                               # TRIPLE_DANCE_CHORDS off -> on
    python bench/quick_harmony.py --alto-spacing 2,8  # the app's settings, with each
                                               # cadence_rules.ALTO_SPACING_COST
    python bench/quick_harmony.py --endings    # how openings that stop on quick notes end:
                                               # PICKUP_AFTER_ARRIVAL off -> on

The folk-melodies model's test tunes whose first 8 bars move mostly in notes shorter than
their beat (the median gap between onsets: reels' and jigs' eighths), each harmonized by the
bach-chorales model with the app's defaults, seeds 1 and 2, with tune_chords'
QUICK_MELODY_CHORDS off, then on with each QUICK_CHORD_GAPS asked for, each without and
with the tune's chord plan (TUNE_CHORDS), in the same run. Counted in the three voices
written: notes a bar, the share struck off the melody's beats (the last bar left out: the
final chord comes with the melody's last note); over the four voices the issue's measures:
beat chords that are triads or sevenths, outer-voice parallels per 8 bars; and how the
chords fit the tune: the share of the melody's duration on a pitch class of the chord struck
on its beat (all four voices), the share of the beat chords on I, IV or V of the tune's key,
how often that chord changes a bar, and the share of the lower voices' notes on a pitch class
neither in the key's scale (a minor key's natural one) nor sung by the tune. With
``--nottingham``, the tunes are those of the two reels of music21's Nottingham set that are
quick (one: "Cuckoo's Nest"), and a last column counts the beats whose chord has the root of
the chord symbol written over them. With ``--triple``, the test tunes in three beats a bar
(3/4, 9/8, quick or not: waltzes, airs, slip jigs), harmonized with tune_chords'
TRIPLE_DANCE_CHORDS and tune_chords.CHANGE["triple"] as before them (off, 0.6) and as now,
and a last column counts the chord changes inside a bar (not at its bar line) per bar.
Two more columns count the beats (all four voices sounding) where the soprano and alto, and
the alto and tenor, sound more than an octave apart (analysis.wide_spacings), beside the
bach-chorales model's test chorales' own share (Bach's), printed above the table. With
``--alto-spacing``, the rows are the app's settings with each alto spacing cost asked for.
With ``--endings``, the first ``--tunes`` tunes of the split (any pace), cut after 4 and after
8 full bars, each harmonized x 2 seeds with melody_plan.PICKUP_AFTER_ARRIVAL off, then on;
for the openings whose last note is shorter than a beat, the chord the lower voices strike
last (with the melody's note there): on the tonic, on the dominant or on another root, bare
where the four voices sound fewer than three pitch classes there, and the share whose closing
fermata every voice strikes.
docs/voices.md quotes the output.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import re
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _quick(opening) -> bool:
    """Whether an opening moves mostly in notes shorter than its beat."""
    onsets = sorted({n.start for n in opening.notes})
    gaps = sorted(b - a for a, b in itertools.pairwise(onsets))
    return len(gaps) > 8 and gaps[len(gaps) // 2] < opening.time_signature.beat_ticks


def _triple(opening) -> bool:
    """Whether an opening goes in three beats a bar (3/4, 9/8)."""
    ts = opening.time_signature
    return len(opening.notes) > 8 and ts.bar_ticks == 3 * ts.beat_ticks


def quick_openings(limit: int, bars: int = 8, wanted=_quick, split_name: str = "test"):
    """(id, score) of the first ``limit`` tunes of the split whose opening is quick (or
    ``wanted``), cut to ``bars``."""
    from composer_gui.ml.corpora import music21_corpus_root
    from composer_gui.music.safe_read import read_score

    root = music21_corpus_root()
    split = json.loads((ROOT / "models" / "folk-melodies" / "split.json").read_text("utf-8"))
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tune.abc"
        for pid in split[split_name]:
            file, _, index = pid.partition("#")
            text = (root / file).read_text(encoding="utf-8", errors="replace")
            blocks = re.split(r"(?m)^(?=X:)", text)[1:]
            path.write_text(blocks[int(index)] if index else text, encoding="utf-8")
            try:
                score = read_score(path, [])
            except Exception:  # a tune the app refuses is no case
                continue
            cut = score.bar_start(min(bars + (1 if score.pickup else 0), score.bar_count()))
            opening = score.slice(0, cut, shift=False)
            if wanted(opening):
                out.append((pid, opening))
            if len(out) >= limit:
                break
    return out


def nottingham_openings(bars: int = 8):
    """(id, score, {tick: root pitch class of the chord symbol in force}) of the Nottingham
    reels, cut to ``bars``, their chord symbols stripped from the tune the app reads."""
    from music21 import converter, harmony

    from composer_gui.ml.corpora import music21_corpus_root
    from composer_gui.music.safe_read import read_score
    from composer_gui.music.score import TPQ

    text = (music21_corpus_root() / "nottingham-dataset" / "reelsa-c.abc").read_text("utf-8")
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tune.abc"
        for i, block in enumerate(re.split(r"(?m)^(?=X:)", text)[1:]):
            tune = converter.parse(block, format="abc")
            path.write_text(re.sub(r'"[^"]*"', "", block), encoding="utf-8")
            score = read_score(path, [])
            # (music21's offsets count from the upbeat; the app's, from a full first bar)
            first = min(float(n.getOffsetInHierarchy(tune)) for n in tune.recurse().notes
                        if not isinstance(n, harmony.ChordSymbol))
            lag = min(n.start for n in score.notes) - round(first * TPQ)
            symbols = {round(float(c.getOffsetInHierarchy(tune)) * TPQ) + lag:
                       c.root().pitchClass
                       for c in tune.recurse().getElementsByClass(harmony.ChordSymbol)}
            cut = score.bar_start(min(bars + (1 if score.pickup else 0), score.bar_count()))
            opening = score.slice(0, cut, shift=False)
            if _quick(opening):
                out.append((f"nottingham#{i}", opening, symbols))
    return out


def _beat_roots(notes, lower, beats):
    """[(tick, root or None)] of the chord at each beat: of all the voices, else of the voices
    below the melody (the melody on a passing note)."""
    from composer_gui.music import analysis as an

    out = []
    for t in beats:
        found = None
        for voices in (notes, lower):
            pcs = frozenset(p % 12 for p in an.sounding(voices, t))
            found = found or (an.chord_root(pcs) if len(pcs) >= 3 else None)
        out.append((t, found[0] if found else None))
    return out


def _symbol_at(symbols: dict[int, int], tick: int) -> int | None:
    before = [t for t in symbols if t <= tick]
    return symbols[max(before)] if before else None


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tunes", type=int, default=24)
    ap.add_argument("--split", default="test")
    ap.add_argument("--gaps", default=str(1),
                    help="QUICK_CHORD_GAPS values to compare, e.g. 1,3 (the rule off first)")
    ap.add_argument("--nottingham", action="store_true",
                    help="the two Nottingham reels, against their chord symbols")
    ap.add_argument("--triple", action="store_true",
                    help="tunes in three beats a bar: TRIPLE_DANCE_CHORDS off -> on")
    ap.add_argument("--endings", action="store_true",
                    help="openings that stop on quick notes: PICKUP_AFTER_ARRIVAL off -> on")
    ap.add_argument("--alto-spacing", default=None,
                    help="cadence_rules.ALTO_SPACING_COST values to compare, e.g. 2,8 (the app's "
                    "other settings)")
    args = ap.parse_args(argv)

    if args.endings:
        endings(args.tunes, args.split)
        return
    from composer_gui.ml import cadence_rules, tune_chords
    from composer_gui.ml import musical_eval as me
    from composer_gui.ml.sampler import GenerationRequest, load_sampler
    from composer_gui.music import analysis as an

    sampler = load_sampler("bach-chorales")
    cases = nottingham_openings() if args.nottingham else \
        [(pid, opening, {}) for pid, opening in quick_openings(
            args.tunes, wanted=_triple if args.triple else _quick, split_name=args.split)]
    rows = {}
    settings = [(False, 1, False)] + [(True, int(g), tune) for g in args.gaps.split(",")
                                      for tune in (False, True)]
    triple = tune_chords.CHANGE["triple"]
    if args.triple:  # (as before the rule: no plan for a tune in beats, 0.6 inside the bar)
        settings = [(True, 1, "before"), (True, 1, "now")]
    spacing = cadence_rules.ALTO_SPACING_COST
    costs = [float(c) for c in args.alto_spacing.split(",")] if args.alto_spacing else []
    if costs:  # (the app's settings: the rule on, one gap, the tune's chords)
        settings = [(True, tune_chords.QUICK_CHORD_GAPS, True)] * len(costs)
    for k, (rule, gaps, tune) in enumerate(settings):
        cadence_rules.ALTO_SPACING_COST = costs[k] if costs else spacing
        tune_chords.QUICK_MELODY_CHORDS = rule
        tune_chords.QUICK_CHORD_GAPS = gaps
        tune_chords.TUNE_CHORDS = bool(tune)
        tune_chords.TRIPLE_DANCE_CHORDS = tune != "before"
        tune_chords.CHANGE["triple"] = tune_chords.CHANGE["beat"] if tune == "before" \
            else triple
        pool = me.Pool()
        per_bar = []
        for _pid, opening, symbols in cases:
            beat = opening.time_signature.beat_ticks
            key = opening.key_at(0)
            for seed in (1, 2):
                # (key=None: no key lock, the app's default for the bundled voice models)
                r = sampler.generate(opening, GenerationRequest(harmonize=True, seed=seed,
                                                                key=None))[0]
                end = r.end_tick
                last_bar = r.bar_start(r.bar_at(max(end - 1, 0)))
                lower = [n for p in r.parts[1:] for n in p.notes]
                bars = end / r.time_signature.bar_ticks
                per_bar.append(len(lower) / bars)
                start_bar = [n for n in lower if n.start < last_bar]
                pool.add("off_beat", sum((n.start - r.bar_start(r.bar_at(n.start))) % beat != 0
                                         for n in start_bar), len(start_bar))
                good, total = an.beat_chord_share(r, 0, end, r.notes)
                pool.add("beat_chords", good, total)
                pool.add("parallels", an.outer_voice_parallels(r.notes, 0, end), bars / 8)
                (sa, at), full = an.wide_spacings(an.part_voices(r), an.beat_ticks(r, 0, end))
                pool.add("soprano-alto", sa, full)
                pool.add("alto-tenor", at, full)
                melody = r.parts[0].notes
                beats = an.beat_ticks(r, 0, end)
                fits = sum(n.duration for n in melody if n.pitch % 12 in {
                    x % 12 for x in an.sounding(r.notes, beats[bisect.bisect_right(
                        beats, n.start) - 1])})
                pool.add("fit", fits, sum(n.duration for n in melody))
                chords = _beat_roots(r.notes, lower, beats)
                tonic = key.tonic_pc if key is not None else 0
                named = [(t, root) for t, root in chords if root is not None]
                pool.add("primary", sum((root - tonic) % 12 in (0, 5, 7) for _t, root in named),
                         len(named))
                pool.add("changes", sum(a[1] != b[1] for a, b in itertools.pairwise(named)),
                         bars)
                pool.add("inside", sum(a[1] != b[1] and r.bar_start(r.bar_at(b[0])) != b[0]
                                       for a, b in itertools.pairwise(named)), bars)
                own = set(key.scale_pcs()) if key is not None else set(range(12))
                own |= {n.pitch % 12 for n in melody}
                pool.add("foreign", sum(n.pitch % 12 not in own for n in lower), len(lower))
                if symbols:
                    pool.add("symbols", sum(root == _symbol_at(symbols, t) for t, root in chords),
                             sum(_symbol_at(symbols, t) is not None for t, _ in chords))
        rows[k] = (name_of(rule, gaps, tune, costs[k] if costs else None, triple),
                   statistics.mean(per_bar), pool.value("off_beat"), pool.value("beat_chords"),
                   pool.value("parallels"), pool.value("fit"), pool.value("primary"),
                   pool.value("changes"), pool.value("foreign"),
                   pool.value("inside") if args.triple else pool.value("symbols"),
                   pool.value("soprano-alto"), pool.value("alto-tenor"))
    cadence_rules.ALTO_SPACING_COST = spacing
    what = "Nottingham reels" if args.nottingham else \
        f"{args.split} tunes in three beats a bar" if args.triple else f"quick {args.split} tunes"
    last = " | roots as the symbols |" if args.nottingham else \
        " | changes inside the bar, a bar |" if args.triple else " |"
    print(f"{len(cases)} {what} (first 8 bars), harmonized x 2 seeds")
    (sa, at), full = bach_spacings()
    print(f"Bach's test chorales: soprano and alto more than an octave apart on {sa / full:.1%} "
          f"of {full} beats, alto and tenor {at / full:.1%}\n")
    print("| QUICK_MELODY_CHORDS (QUICK_CHORD_GAPS), TUNE_CHORDS | lower-voice notes a bar | "
          "struck off the beat | beat chords triads/sevenths | outer parallels per 8 bars | "
          "melody on the chord | beat chords on I/IV/V | chord changes a bar | "
          "lower notes off the key and the tune | beats S-A over an octave | A-T over an "
          "octave" + last)
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---:"
          + (" |" if last == " |" else " | ---: |"))
    for (name, nb, off, chords, par, fit, primary, changes, foreign, sym, wide_sa,
         wide_at) in rows.values():
        print(f"| {name} | {nb:.1f} | {off:.1%} | {chords:.3f} | {par:.2f} | {fit:.1%} | "
              f"{primary:.1%} | {changes:.2f} | {foreign:.1%} | {wide_sa:.1%} | {wide_at:.1%}"
              + (f" | {sym:.2f} |" if args.triple else f" | {sym:.1%} |" if args.nottingham
                 else " |"))


def endings(tunes: int, split: str) -> None:
    """The final chords of openings that stop on notes shorter than a beat (``--endings``)."""
    from composer_gui.ml import melody_plan
    from composer_gui.ml.sampler import GenerationRequest, load_sampler
    from composer_gui.music import analysis as an

    sampler = load_sampler("bach-chorales")
    cases = [(bars, opening) for bars in (4, 8) for _pid, opening in quick_openings(
        tunes, bars=bars, wanted=lambda o: len(o.notes) > 8, split_name=split)
        if opening.key_at(0) is not None]
    short = [(bars, o) for bars, o in cases
             if max(o.notes, key=lambda n: n.start).duration < o.time_signature.beat_ticks]
    print(f"{split} tunes, the first {tunes} cut after 4 and 8 full bars: {len(short)} of "
          f"{len(cases)} openings stop on a note shorter than a beat; harmonized x 2 seeds\n")
    print("| PICKUP_AFTER_ARRIVAL | bars | harmonizations | last chord on I | on V | on another "
          "root | bare | closing fermata struck by every voice |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    rule = melody_plan.PICKUP_AFTER_ARRIVAL
    for on in (False, True):
        melody_plan.PICKUP_AFTER_ARRIVAL = on
        for bars in (4, 8):
            tally = Counter()
            for _bars, opening in (c for c in short if c[0] == bars):
                key = opening.key_at(0)
                for seed in (1, 2):
                    r = sampler.generate(opening, GenerationRequest(harmonize=True, seed=seed,
                                                                    key=None))[0]
                    lower = [n for p in r.parts[1:] for n in p.notes]
                    t = max(n.start for n in lower)
                    below = frozenset(p % 12 for p in an.sounding(lower, t))
                    top = {p % 12 for p in an.sounding(r.parts[0].notes, t)}
                    root = an.chord_root(below | top) or an.chord_root(below)
                    degree = (root[0] if root else min(an.sounding(lower, t)) % 12) \
                        - key.tonic_pc
                    tally[{0: "I", 7: "V"}.get(degree % 12, "other")] += 1
                    tally["bare"] += len(below | top) < 3
                    last = r.fermatas[-1:]
                    tally["struck"] += bool(last) and all(
                        any(n.start == last[0] for n in p.notes) for p in r.parts)
                    tally["n"] += 1
            n = max(1, tally["n"])
            print(f"| {'on' if on else 'off'} | {bars} | {tally['n']} | {tally['I'] / n:.0%} | "
                  f"{tally['V'] / n:.0%} | {tally['other'] / n:.0%} | {tally['bare'] / n:.0%} | "
                  f"{tally['struck'] / n:.0%} |")
    melody_plan.PICKUP_AFTER_ARRIVAL = rule


def name_of(rule: bool, gaps: int, tune, cost: float | None, triple: float) -> str:
    """A row's settings, as the table names them."""
    if tune in ("before", "now"):
        return "TRIPLE_DANCE_CHORDS off, CHANGE triple 0.6" if tune == "before" else \
            f"TRIPLE_DANCE_CHORDS on, CHANGE triple {triple}"
    name = f"on ({gaps}), {'on' if tune else 'off'}" if rule else "off, off"
    return name if cost is None else f"{name}, ALTO_SPACING_COST {cost:g}"


def bach_spacings() -> tuple[list[int], int]:
    """analysis.wide_spacings over the beats of the bach-chorales model's test chorales."""
    from composer_gui.ml import musical_eval as me
    from composer_gui.ml.evaluate import load_split
    from composer_gui.ml.model_folder import load_model
    from composer_gui.music import analysis as an

    split, vocab, _ = load_split(load_model("bach-chorales").path)
    wide, full = [0, 0], 0
    for case in me.cases_from_pieces(split["test"], vocab):
        s = me.as_voices(case.score, 4)
        (sa, at), n = an.wide_spacings(an.part_voices(s), an.beat_ticks(s, 0, s.end_tick))
        wide, full = [wide[0] + sa, wide[1] + at], full + n
    return wide, full

if __name__ == "__main__":
    main()
