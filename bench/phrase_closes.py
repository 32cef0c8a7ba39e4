"""Harmonized chorale melodies: cadences, consecutive fifths/octaves per 8 bars, clashes on beats.

    python bench/phrase_closes.py                 # as the app harmonizes now
    python bench/phrase_closes.py --no-fermatas   # the melodies without their fermatas
    python bench/phrase_closes.py --no-closes     # without the phrase closes (plan_phrase_closes)
    python bench/phrase_closes.py --no-clash-rule  # beat clashes allowed (_clash_mask)
    python bench/phrase_closes.py --no-doubling-rule  # leading tones doubled (_doubling_mask)
    python bench/phrase_closes.py --no-close-holds  # chords move under a held close (CLOSES_HELD)
    python bench/phrase_closes.py --no-seventh-rule  # sevenths doubled (_seventh_mask)
    python bench/phrase_closes.py --no-resolution-rule  # V7's seventh may rise (_resolution_mask)
    python bench/phrase_closes.py --dominant-sevenths-only  # only V7's seventh must fall
    python bench/phrase_closes.py --no-diminished-rule  # root-position diminished triads allowed
    python bench/phrase_closes.py --no-step-rule  # half-beat notes may leave by leap (_step_mask)
    python bench/phrase_closes.py --no-passing  # no passing eighths (PASSING_SHARE 0)
    python bench/phrase_closes.py --restrike-closes  # a voice strikes on each beat of a held close
    python bench/phrase_closes.py --no-given-closes  # the melody's other fermatas on any chord
    python bench/phrase_closes.py --no-leading-rise  # V-I under an outer voice's leading tone
                                                     # that does not rise (LEADING_TONE_RISES)
    python bench/phrase_closes.py --split val        # the tuning pieces

After the parallels, each column counts (found / of how many) on the harmonizations, and on
Bach's own harmonizations of the same melodies in brackets: major-seventh beat chords; pairs of
voices struck a semitone apart on a beat; doubled leading tones; four-voice beat chords that are
seventh chords with the seventh in two voices; sevenths of dominant-seventh chords that rise in
their voice's next note (the melody's own included), and of the other seventh chords (ii7, vi7,
half-diminished and diminished sevenths); beat chords that are diminished triads in
root position; the chords under the melody's fermatas before the last bar that are major or
minor triads in root position (the fifth may be left out); under each half close (V) whose
melody note is held past the next beat, the beats after it whose chord has the close's root;
the beats after a held close's onset (V or I) where a voice below the top strikes; beat chords
of 3+ pitch classes that are seventh chords (analysis.seventh_chord_beats: complete, or
without the fifth), those of them that are no dominant or diminished seventh, and beat chords
rooted on the key's third degree.

The bach-chorales model's 40 held-out test melodies (its split.json), 2 variations each, the
evaluation's settings (musical_eval: temperature, top-p, no key lock). The table in
docs/voices.md ("Phrase closes") was measured with this script, one option at a time; the
card's harmonization rows (``composer-gui evaluate``) are the same measures.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from composer_gui.ml import (  # noqa: E402
    harmony_tables,
    part_writing,
    voice_sampler,
)
from composer_gui.ml import musical_eval as me  # noqa: E402
from composer_gui.ml.evaluate import load_split  # noqa: E402
from composer_gui.ml.model_folder import load_model  # noqa: E402
from composer_gui.music import analysis as an  # noqa: E402
from composer_gui.music.score import Score  # noqa: E402


def major_sevenths(score: Score, end: int) -> tuple[int, int]:
    """(beat chords of 3+ pitch classes that are major-seventh chords, all such beat chords)."""
    chords = [c for c in an.sonorities(score.notes, an.beat_ticks(score, 0, end))
              if len(c.pcs) >= 3]
    shapes = [{(r + x) % 12 for x in steps} for r in range(12)
              for steps in ((0, 4, 7, 11), (0, 4, 11))]
    return sum(set(c.pcs) in shapes for c in chords), len(chords)


def beat_chord_kinds(score: Score, end: int, key) -> dict[str, tuple[int, int]]:
    """Beat chords of 3+ pitch classes: (seventh chords, all), (seventh chords other than
    dominant and diminished sevenths, all), (triads or sevenths on the key's third degree,
    all)."""
    sevenths, soft, total = an.seventh_chord_beats(score, 0, end)
    out = {"seventh": (sevenths, total), "other7": (soft, total)}
    if key is not None:
        third = (key.tonic_pc + (3 if key.quality == "minor" else 4)) % 12
        roots = [an.chord_root(c.pcs) for c in an.sonorities(score.notes,
                                                              an.beat_ticks(score, 0, end))
                 if len(c.pcs) >= 3]
        out["mediant"] = (sum(r is not None and r[0] == third for r in roots), total)
    return out


def fermata_chords(score: Score, fermatas: tuple[int, ...], end: int) -> tuple[int, int]:
    """(the melody's fermatas before the last bar whose chord is a major or minor triad in root
    position, its fifth there or not; such fermatas where every voice sounds)."""
    last = score.bar_start(max(0, score.bar_count() - 1))
    good = total = 0
    for c in an.sonorities(score.notes, [t for t in fermatas if t < min(end, last)]):
        if len(c.pitches) < 4:
            continue
        total += 1
        good += an.closes_in_root_position(c)
    return good, total


def close_held(score: Score, closes: dict[int, tuple[int, int]], step: int) -> tuple[int, int]:
    """(beats after a held half close whose chord has the close's root, such beats); ``step``:
    the voice grid's step in ticks."""
    beat = score.time_signature_at(0).beat_ticks
    same = total = 0
    for s, (which, e) in closes.items():
        if which != 1:
            continue
        chords = an.sonorities(score.notes, range(s * step, e * step, beat))
        if len(chords) < 2:
            continue
        first = an.chord_root(frozenset(chords[0].pcs))
        for c in chords[1:]:
            root = an.chord_root(frozenset(c.pcs))
            total += 1
            same += first is not None and root is not None and root[0] == first[0]
    return same, total


def struck_under_closes(score: Score, closes: dict[int, tuple[int, int]], step: int
                        ) -> tuple[int, int]:
    """(beats after the onset of a held close, V or I, where a voice below the top strikes,
    such beats)."""
    beat = score.time_signature_at(0).beat_ticks
    starts = {n.start for p in score.parts[1:] for n in p.notes}
    ticks = [t for s, (_, e) in closes.items() for t in range(s * step + beat, e * step, beat)]
    return sum(t in starts for t in ticks), len(ticks)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-fermatas", action="store_true")
    ap.add_argument("--no-closes", action="store_true")
    ap.add_argument("--no-clash-rule", action="store_true")
    ap.add_argument("--no-doubling-rule", action="store_true")
    ap.add_argument("--no-close-holds", action="store_true")
    ap.add_argument("--no-seventh-rule", action="store_true")
    ap.add_argument("--dominant-sevenths-only", action="store_true")
    ap.add_argument("--no-resolution-rule", action="store_true")
    ap.add_argument("--no-diminished-rule", action="store_true")
    ap.add_argument("--no-step-rule", action="store_true")
    ap.add_argument("--no-passing", action="store_true")
    ap.add_argument("--restrike-closes", action="store_true")
    ap.add_argument("--pieces", type=int, default=40)
    ap.add_argument("--split", default="test", help="test, or val (the tuning pieces)")
    ap.add_argument("--no-given-closes", action="store_true")
    ap.add_argument("--no-leading-rise", action="store_true")
    args = ap.parse_args(argv)
    if args.no_leading_rise:
        part_writing.LEADING_TONE_RISES = False
    if args.no_closes:
        voice_sampler.plan_phrase_closes = lambda *a, **k: {}
    if args.no_clash_rule:
        voice_sampler._clash_mask = lambda *a, **k: None
    if args.no_doubling_rule:
        voice_sampler._doubling_mask = lambda *a, **k: None
    if args.no_seventh_rule:
        voice_sampler._seventh_mask = lambda *a, **k: None
    if args.dominant_sevenths_only:
        part_writing.ALL_SEVENTHS_FALL = False
    if args.no_resolution_rule:
        voice_sampler._resolution_mask = lambda *a, **k: None
    if args.no_diminished_rule:
        harmony_tables.DIMINISHED_ROOT[:] = -1
    if args.no_step_rule:
        voice_sampler.RESOLVE_STEPS = False
    if args.no_passing:
        voice_sampler.PASSING_SHARE = (0, 0, 0, 0)
    if args.restrike_closes:
        voice_sampler.CLOSE_STANDS = False
    if args.no_given_closes:
        voice_sampler.GIVEN_CLOSES = False
    if args.no_close_holds:
        voice_sampler.CLOSES_HELD = False
    spans: list[dict[int, tuple[int, int]]] = []  # the closes of the last harmonization planned
    find_closes = voice_sampler.plan_phrase_closes

    def recorded(melody, *a, **k):
        closes = find_closes(melody, *a, **k)
        spans[:] = [{}]
        for s, which in closes.items():  # each close's step and the end of its melody note
            e = s + 1
            while e < len(melody.lane) and melody.lane[e] == voice_sampler.HOLD:
                e += 1
            spans[0][s] = (which, e)
        return closes
    voice_sampler.plan_phrase_closes = recorded
    folder = load_model("bach-chorales").path
    split, vocab, _ = load_split(folder)
    cases = me.cases_from_pieces(split[args.split], vocab)[:args.pieces]
    generate = me.sampler_adapter(folder)
    cadences = outer = pairs = eighths = 0.0
    made: dict[str, list[int]] = {name: [0, 0] for name in COLUMNS}
    bach: dict[str, list[int]] = {name: [0, 0] for name in COLUMNS}

    def add(into: dict[str, list[int]], counts: dict[str, tuple[int, int]]) -> None:
        for name, (a, b) in counts.items():
            into[name][0] += a
            into[name][1] += b

    for i, case in enumerate(cases):
        s = me.as_voices(case.score, 4)
        end = s.bar_start(s.bar_count())
        key = me.home_key(s, end)
        melody = me.melody_of(replace(s, fermatas=()) if args.no_fermatas else s)
        request = {**me.APP_DEFAULTS, "key": None, "variations": 2, "bars": s.bar_count(),
                   "harmonize": True, "seed": i}
        beats = an.beat_ticks(s, 0, end)
        outs = generate(melody, request)
        closes = spans[0] if spans else {}
        add(bach, pair_counts(s, key, end, beats, closes, vocab.step_ticks, s.fermatas))
        for g in outs:
            add(made, pair_counts(g, key, end, beats, closes, vocab.step_ticks, s.fermatas))
            cadences += an.authentic_cadences(g, key, 0, end)
            outer += an.outer_voice_parallels(g.notes, 0, end)
            pairs += an.voice_parallels(an.part_voices(g), 0, end)
            eighths += s.bar_count() / 8
    print("| melodies | authentic cadences / 8 bars | outer parallels / 8 bars | "
          "any two voices / 8 bars | " + " | ".join(f"{t} (Bach)" for t in COLUMNS.values())
          + " |\n" + "| --- " * (4 + len(COLUMNS)) + "|")
    print(f"| {len(cases)} | {cadences / eighths:.2f} | {outer / eighths:.3f} | "
          f"{pairs / eighths:.3f} | " + " | ".join(
              f"{made[c][0]}/{made[c][1]} ({bach[c][0]}/{bach[c][1]})" for c in COLUMNS) + " |")


# the columns counted on the harmonizations and on Bach's own: (found, of how many)
COLUMNS = {"maj7": "major-seventh beat chords", "clash": "semitone clashes struck on beats",
           "double": "doubled leading tones on beats", "sevenths": "doubled sevenths",
           "rising": "V7 sevenths rising", "others": "other sevenths rising",
           "dim": "root-position diminished triads",
           "fermata": "inner fermata chords that are root-position triads",
           "held": "beats under a held half close keeping its chord",
           "struck": "beats under a held close where a lower voice strikes",
           "seventh": "beat chords that are seventh chords",
           "other7": "of them not V7 or a diminished seventh",
           "mediant": "beat chords on the third degree (iii, III)"}


def pair_counts(score: Score, key, end: int, beats: list[int],
                closes: dict[int, tuple[int, int]], step: int, fermatas: tuple[int, ...] = ()
                ) -> dict[str, tuple[int, int]]:
    """Each of COLUMNS for one score (the doubled leading tones only where a key is heard)."""
    voices = an.part_voices(score)
    out = {"maj7": major_sevenths(score, end), "clash": an.struck_clashes(voices, beats),
           "sevenths": an.doubled_sevenths(voices, beats),
           "rising": an.rising_sevenths(voices, end),
           "others": an.rising_sevenths(voices, end, ("maj7", "min7", "hdim7", "dim7")),
           "dim": an.root_position_diminished(score.notes, beats),
           "fermata": fermata_chords(score, fermatas, end),
           "held": close_held(score, closes, step),
           "struck": struck_under_closes(score, closes, step)}
    if key is not None:
        out["double"] = an.doubled_leading_tones(voices, beats, key)
    out.update(beat_chord_kinds(score, end, key))
    return out


if __name__ == "__main__":
    main()
