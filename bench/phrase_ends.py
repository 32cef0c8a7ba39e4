"""Continued chorales: the chord each interior phrase end (fermata) closes on, and the chord
before it, beside Bach's own phrase ends in the same pieces.

    python bench/phrase_ends.py                     # as the app continues now
    python bench/phrase_ends.py --split val         # the tuning pieces
    python bench/phrase_ends.py --no-half-closes    # no pull to V after a non-dominant chord
    python bench/phrase_ends.py --no-pull           # no cadence pull (CADENCE_PULL[_MINOR] 0)
    python bench/phrase_ends.py --min-last-phrase 4 # MIN_LAST_PHRASE_BEATS as it was
    python bench/phrase_ends.py --no-seed-fermatas  # the openings without their fermatas
    python bench/phrase_ends.py --no-tonal-plan     # every phrase planned to close in the key
    python bench/phrase_ends.py --files             # the pieces' files, upbeats as written
    python bench/phrase_ends.py --key-lock          # "Stay in the key" on (request key "auto")
    python bench/phrase_ends.py --minor [--split val] --variations 4  # every minor piece
    python bench/phrase_ends.py --no-minor-plan     # minor keys plan no close (MINOR_TONAL_PLAN)
    python bench/phrase_ends.py --major [--split val] --variations 2  # every major piece

20 pieces of the split (musical_eval.spread) cut after bar 4 and continued 8 bars (the app's
defaults, cadence ending) x 2 variations; every fermata after the cut and before the last bar
(the closing cadence is the cadence option's, not counted). Bach: his fermatas in the same
pieces from bar 5 to the bar before the last. Chords are named by their root against the
piece's home key (upper case major, lower case minor, "/inv" not in root position, "?" no
triad or seventh chord): on the beat before the fermata, and at it; and how many fermata chords
have a root outside the home key's scale (natural minor in minor: bII, bVII in major); and how
many close on the chord the phrase end before them closed on (the opening's last one for the
first), named the same way: a review heard one continuation close four phrases running on I;
and how many close as a cadence, on V (a half close) or after the dominant of their chord.
A root and its third alone over the root (a fermata chord without its fifth) is named as its
triad. A second table: per mode of the home key, the phrase ends that close as cadences away
from the tonic: on a root-position major or minor triad other than I or i, after the major
triad or dominant seventh a fifth above it (V/V-V, V/vi-vi; TONAL_PLAN in voice_sampler).

A third table: the phrases' lengths in beats, from each fermata to the next (from the
opening's last fermata, to the closing chord's included), and the last phrase's alone.

A fourth: how the phrase ends after the cut keep the opening's phrase grid: the share of
interior phrase ends on a position in the bar where the opening's fermatas fall; where the
opening has two, the share on its period (its last fermata plus whole multiples of the ticks
between its last two), and the share of those grid points before the last bar that have one.

A fifth: the interior fermata chords sounded by four voices, and how many lack a fifth, double
the third or put two voices on one pitch (fermata_texture).

A sixth: the minor-key pieces' interior phrase ends by the degree of the home key their chord
closes on (MINOR_DEGREES: i, III the relative major, v or V a half close or a cadence in the
dominant, iv, VII, VI; inversions and other chords "other"); a teacher's review counted 40% of
the continuations' minor-key phrase ends on III, Bach 17%. With ``--minor`` every minor-key
piece of the split is continued (in the order of the split, not spread), ``--variations`` each;
Bach's train chorales' minor-key phrase ends (the same bars) are counted beside them.

A seventh: the same for the major-key pieces (MAJOR_COLUMNS), V split into a cadence in the
dominant (after V/V) and a half close (after anything else): a blind review heard runs of half
closes on V. ``--major`` continues every major-key piece of the split, as ``--minor`` does.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from composer_gui.ml import (  # noqa: E402
    cadence_rules,
    harmony_tables,
    voice_sampler,
)
from composer_gui.ml import musical_eval as me  # noqa: E402
from composer_gui.ml.evaluate import load_split  # noqa: E402
from composer_gui.ml.model_folder import load_model  # noqa: E402
from composer_gui.music import analysis as an  # noqa: E402
from composer_gui.music.score import KeySignature, Score  # noqa: E402

DEGREES = ("I", "bII", "II", "bIII", "III", "IV", "#IV", "V", "bVI", "VI", "bVII", "VII")


def chord_name(score: Score, tick: int, key: KeySignature) -> str:
    """The chord sounding at ``tick`` as a degree of ``key`` (see the module docstring)."""
    found = an.sonorities(score.notes, [tick])
    named = an.chord_root(found[0].pcs) if found else None
    if named is None and found:  # a root and its third over it (the sampler's BARE_ROOT)
        root = int(harmony_tables.BARE_ROOT[sum(1 << p for p in found[0].pcs)])
        if root >= 0 and root == found[0].bass % 12:
            named = (root, "maj" if (root + 4) % 12 in found[0].pcs else "min")
    if named is None:
        return "?"
    root, quality = named
    name = DEGREES[(root - key.tonic_pc) % 12]
    if quality == "min":
        name = name.lower()
    elif quality != "maj":
        name += quality
    return name + ("/inv" if root != found[0].bass % 12 else "")


# the degrees of a major key and of a natural minor key, as semitones above the tonic
SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10)}


# a minor key's interior phrase ends by degree: the columns of the sixth table
# (chord_name's names: the major scale's degrees, so III is "bIII" in minor)
MINOR_DEGREES = {"i": "i", "bIII": "III", "v": "v or V", "V": "v or V", "iv": "iv",
                 "bVII": "VII", "bVI": "VI"}
MINOR_COLUMNS = ("i", "III", "v or V", "iv", "VII", "VI", "other")
# ... and a major key's (the seventh table); V split by the chord before it: after its own
# dominant (V/V-V, a cadence in the dominant) or after anything else (a half close)
MAJOR_DEGREES = {"I": "I", "ii": "ii", "iii": "iii", "IV": "IV", "vi": "vi"}
MAJOR_COLUMNS = ("I", "V after V/V", "V half close", "vi", "IV", "ii", "iii", "other")


def minor_degrees(score: Score, start: int, stop: int, key: KeySignature,
                  into: Counter) -> None:
    """Count the fermatas in [start, stop) of a minor-key piece by the degree of ``key`` their
    chord closes on, in root position (MINOR_DEGREES; anything else "other")."""
    if key.mode != "minor":
        return
    for t in sorted(score.fermatas):
        if start <= t < stop:
            name = chord_name(score, t, key).removesuffix("dom7")
            into[MINOR_DEGREES.get(name, "other")] += 1


def major_degrees(score: Score, start: int, stop: int, key: KeySignature,
                  into: Counter) -> None:
    """The same for a major-key piece (MAJOR_COLUMNS): a phrase end on V counts as a cadence
    in the dominant where the chord on the beat before is V/V (II or II7 in any inversion),
    else as a half close."""
    if key.mode == "minor":
        return
    beat = score.time_signature_at(start).beat_ticks
    for t in sorted(score.fermatas):
        if start <= t < stop:
            name = chord_name(score, t, key).removesuffix("dom7")
            if name == "V":
                before = chord_name(score, t - beat, key).split("/")[0].removesuffix("dom7")
                into["V after V/V" if before == "II" else "V half close"] += 1
            else:
                into[MAJOR_DEGREES.get(name, "other")] += 1


def cadence_away(before: str, end: str) -> bool:
    """Whether a phrase end closes as a cadence on a triad other than the tonic's: the chord
    before it (in any inversion) is a major triad or dominant seventh a fifth above its root,
    and it is a major or minor triad in root position (V/V-V, V/vi-vi, V/III-III)."""
    b = before.split("/")[0].removesuffix("dom7")
    if "/" in end or end in ("I", "i") or b not in DEGREES:
        return False
    e = next((i for i, d in enumerate(DEGREES) if d.upper() == end.upper()), None)
    return e is not None and (DEGREES.index(b) - e) % 12 == 7


def cadential(before: str, end: str) -> bool:
    """Whether a phrase end closes as a cadence: on V (a half close), or on a root-position
    triad after the major triad or dominant seventh a fifth above it, in any inversion (V-I,
    V/vi-vi: CADENTIAL_CLOSES in voice_sampler)."""
    if "/" in end or end == "?":
        return False
    if end == "V":
        return True
    b = before.split("/")[0].removesuffix("dom7")
    e = next((i for i, d in enumerate(DEGREES) if d.upper() == end.upper()), None)
    return e is not None and b in DEGREES and (DEGREES.index(b) - e) % 12 == 7


def phrase_ends(score: Score, start: int, stop: int, key: KeySignature, into: Counter,
                chromatic: Counter) -> None:
    """Count (chord before, fermata chord) for the fermatas in [start, stop), and in
    ``chromatic`` the fermata chords whose root is no degree of ``key`` (bII, bVII in major),
    and those on the same chord as the fermata before them ("repeated")."""
    beat = score.time_signature_at(start).beat_ticks
    before = [t for t in sorted(score.fermatas) if t < start][-1:]
    previous = chord_name(score, before[0], key) if before else None
    for t in sorted(score.fermatas):
        if start <= t < stop:
            name = chord_name(score, t, key)
            chromatic["repeated"] += name == previous
            if name == previous:
                chromatic["repeated on " + name] += 1
            previous = name
            before = chord_name(score, t - beat, key)
            into[(before, name)] += 1
            mode = "minor" if key.mode == "minor" else "major"
            chromatic["ends " + mode] += 1
            chromatic["away " + mode] += cadence_away(before, name)
            chromatic["cadential"] += cadential(before, name)
            found = an.sonorities(score.notes, [t])
            named = an.chord_root(found[0].pcs) if found else None
            if named is not None:
                scale = SCALES["minor" if key.mode == "minor" else "major"]
                chromatic["ends"] += (named[0] - key.tonic_pc) % 12 not in scale


def fermata_texture(score: Score, start: int, stop: int, into: Counter) -> None:
    """Count the fermata chords in [start, stop) sounded by four voices, and of them those
    without a fifth (a root and its third alone), with the third of a major or minor triad in
    two voices or more, and with two voices on one pitch: an eighteenth listening review
    heard thin fermata chords (FULL_CLOSE_PULL)."""
    parts = [p for p in score.parts if p.notes]
    for t in sorted(score.fermatas):
        if not start <= t < stop:
            continue
        top_of = [max((n.pitch for n in p.notes if n.start <= t < n.end), default=None)
                  for p in parts]
        pitches = [x for x in top_of if x is not None]
        if len(pitches) != 4:
            continue
        into["chords"] += 1
        pcs = frozenset(x % 12 for x in pitches)
        named = an.chord_root(pcs)
        into["no fifth"] += len(pcs) == 2
        if named is not None and named[1] in ("maj", "min"):
            third = (named[0] + (4 if named[1] == "maj" else 3)) % 12
            into["third doubled"] += sum(x % 12 == third for x in pitches) >= 2
        into["unison"] += len(set(pitches)) < 4


def phrase_lengths(score: Score, start: int, into: Counter, last: Counter) -> None:
    """Count the beats between consecutive fermatas from the last one before ``start``."""
    beat = score.time_signature_at(start).beat_ticks
    ends = sorted(score.fermatas)
    seq = [t for t in ends if t < start][-1:] + [t for t in ends if t >= start]
    lengths = [(b - a) // beat for a, b in itertools.pairwise(seq)]
    into.update(lengths)
    if lengths:
        last[lengths[-1]] += 1


def seed_grid(score: Score, start: int) -> tuple[int, int | None, frozenset[int]] | None:
    """The opening's phrase grid: (its last fermata tick, the ticks between its last two or
    None, the positions in the bar its fermatas fall on), or None (no fermata)."""
    ends = sorted(t for t in score.fermatas if t < start)
    if not ends:
        return None
    period = ends[-1] - ends[-2] if len(ends) > 1 else None
    return ends[-1], period, frozenset(t - score.bar_start(score.bar_at(t)) for t in ends)


def grid_fit(score: Score, start: int, stop: int, grid, into: Counter) -> None:
    """Count interior phrase ends in [start, stop): on a position in the bar where the
    opening's fall, and on its grid (the last fermata plus whole periods), and the grid points
    there with a phrase end."""
    if grid is None:
        return
    last, period, where = grid
    ends = {t for t in score.fermatas if start <= t < stop}
    into["ends"] += len(ends)
    into["placed"] += sum(t - score.bar_start(score.bar_at(t)) in where for t in ends)
    if period:
        points = {t for t in range(last + period, stop, period) if t >= start}
        into["periodic"] += len(ends)
        into["on"] += len(ends & points)
        into["points"] += len(points)
        into["hit"] += len(points & ends)


def from_file(piece_id: str) -> Score:
    """A piece of the split as the app opens its corpus file: the split's scores are decoded
    from the model's tokens, where an upbeat is a whole bar (rests first), so a continuation
    never gets the short last bar that completes it (phrase_grid._upbeat_cut)."""
    from music21 import corpus

    from composer_gui.music.formats import load_score
    found = corpus.getWork(piece_id, fileExtensions=(".mxl",))
    return load_score(str(found[0] if isinstance(found, list) else found))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="test")
    ap.add_argument("--no-half-closes", action="store_true")
    ap.add_argument("--no-pull", action="store_true")
    ap.add_argument("--min-last-phrase", type=int, default=None, metavar="BEATS")
    ap.add_argument("--no-seed-fermatas", action="store_true")
    ap.add_argument("--no-tonal-plan", action="store_true")
    ap.add_argument("--no-minor-plan", action="store_true")
    ap.add_argument("--files", action="store_true",
                    help="the pieces as the app opens their files (an upbeat bar kept short)")
    ap.add_argument("--key-lock", action="store_true",
                    help="continue with the key lock on, as the app's 'Stay in the key' box")
    ap.add_argument("--minor", action="store_true",
                    help="every minor-key piece of the split, not 20 spread over all keys")
    ap.add_argument("--major", action="store_true",
                    help="every major-key piece of the split, not 20 spread over all keys")
    ap.add_argument("--variations", type=int, default=2)
    args = ap.parse_args(argv)
    if args.min_last_phrase is not None:
        voice_sampler.MIN_LAST_PHRASE_BEATS = args.min_last_phrase
    if args.no_half_closes:
        cadence_rules.HALF_CLOSES = False
    if args.no_tonal_plan:
        cadence_rules.TONAL_PLAN = {minor: ((9 if minor else 0, 1.0),) for minor in (False, True)}
    if args.no_minor_plan:
        cadence_rules.MINOR_TONAL_PLAN = False
    if args.no_pull:
        cadence_rules.CADENCE_PULL = cadence_rules.CADENCE_PULL_MINOR = 0.0
    folder = load_model("bach-chorales").path
    split, vocab, _ = load_split(folder)
    generate = me.sampler_adapter(folder)
    cases = [c for c in me.cases_from_pieces(split[args.split], vocab)
             if c.score.bar_count() >= 4]
    degrees = {"continued": Counter(), "Bach": Counter()}
    majors = {"continued": Counter(), "Bach": Counter()}
    if args.minor or args.major:
        cases = [c for c in cases if _minor(c.score) == args.minor]
        table = degrees if args.minor else majors
        table["Bach (train)"] = Counter()
        for c in me.cases_from_pieces(split["train"], vocab):
            s = c.score
            if s.bar_count() >= 5 and _minor(s) == args.minor:
                count = minor_degrees if args.minor else major_degrees
                count(s, s.bar_start(4), s.bar_start(s.bar_count() - 1),
                      me.home_key(s, s.end_tick), table["Bach (train)"])
    else:
        cases = me.spread(cases, 20)
    if args.files:
        cases = [replace(c, score=from_file(c.id)) for c in cases]
    made, bach = Counter(), Counter()
    off_key = {"continued": Counter(), "Bach": Counter()}
    lengths = {"continued": (Counter(), Counter()), "Bach": (Counter(), Counter())}
    fits = {"continued": Counter(), "Bach": Counter()}
    texture = {"continued": Counter(), "Bach": Counter()}
    for i, case in enumerate(cases):
        s = case.score
        start = s.bar_start(4)
        key = me.home_key(s, s.end_tick)
        if key is None:
            continue
        phrase_ends(s, start, s.bar_start(s.bar_count() - 1), key, bach, off_key["Bach"])
        phrase_lengths(s, start, *lengths["Bach"])
        grid = seed_grid(s, start)
        grid_fit(s, start, s.bar_start(s.bar_count() - 1), grid, fits["Bach"])
        fermata_texture(s, start, s.bar_start(s.bar_count() - 1), texture["Bach"])
        minor_degrees(s, start, s.bar_start(s.bar_count() - 1), key, degrees["Bach"])
        major_degrees(s, start, s.bar_start(s.bar_count() - 1), key, majors["Bach"])
        opening = s.slice(0, start, shift=False)
        if args.no_seed_fermatas:  # (the grid measure still reads the opening's own)
            opening = replace(opening, fermatas=())
        for g in generate(opening, {**me.APP_REQUEST, "bars": 8, "start_tick": start, "seed": i,
                                    "key": "auto" if args.key_lock else None,
                                    "variations": args.variations}):
            phrase_ends(g, start, g.bar_start(g.bar_count() - 1), key, made,
                        off_key["continued"])
            phrase_lengths(g, start, *lengths["continued"])
            grid_fit(g, start, g.bar_start(g.bar_count() - 1), grid, fits["continued"])
            fermata_texture(g, start, g.bar_start(g.bar_count() - 1), texture["continued"])
            minor_degrees(g, start, g.bar_start(g.bar_count() - 1), key, degrees["continued"])
            major_degrees(g, start, g.bar_start(g.bar_count() - 1), key, majors["continued"])
    def repeats(c: Counter) -> str:
        named = Counter({k[len("repeated on "):]: v for k, v in c.items()
                         if k.startswith("repeated on ")})
        return " (" + ", ".join(f"{k} {v}" for k, v in named.most_common(3)) + ")" \
            if named else ""

    print("| | interior phrase ends | on I or i | on V | on another root-position triad |"
          " on anything else | after V(7) in root position, on I or i | on a root outside the key "
          "(bII, bVII...) | on the chord of the phrase end before | closing a cadence (after "
          "its V(7), or on V) | commonest (before, end) |")
    print("| --- | ---: | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for who, c in (("continued", made), ("Bach", bach)):
        n = sum(c.values())
        ends = Counter()
        for (_, end), k in c.items():
            ends[end] += k
        tonic = ends["I"] + ends["i"]
        dominant = ends["V"]
        plain = set(DEGREES) | {d.lower() for d in DEGREES}  # root-position triads
        triads = sum(k for e, k in ends.items() if e in plain and e not in ("I", "i", "V"))
        authentic = sum(k for (before, end), k in c.items()
                        if before in ("V", "Vdom7") and end in ("I", "i"))
        common = ", ".join(f"{b}-{e} {k}" for (b, e), k in c.most_common(4))
        print(f"| {who} | {n} | {tonic} | {dominant} | {triads} | {n - tonic - dominant - triads} "
              f"| {authentic} | {off_key[who]['ends']} | {off_key[who]['repeated']}"
              f"{repeats(off_key[who])} | {off_key[who]['cadential']} | {common} |")

    print()
    print("| | phrases | under 6 beats | 6 | 8 | 10 | 12 or more | last phrases | last under 6 "
          "beats | last: 8 | last: 12 or more |")
    print("| --- | ---: | --- | --- | --- | --- | --- | ---: | --- | --- | --- |")
    for who, (c, last) in lengths.items():
        def share(counts: Counter, test) -> str:
            n = sum(counts.values())
            return f"{sum(k for b, k in counts.items() if test(b)) / max(n, 1):.1%}"
        print(f"| {who} | {sum(c.values())} | {share(c, lambda b: b < 6)} "
              f"| {share(c, lambda b: b == 6)} | {share(c, lambda b: b == 8)} "
              f"| {share(c, lambda b: b == 10)} | {share(c, lambda b: b >= 12)} "
              f"| {sum(last.values())} | {share(last, lambda b: b < 6)} "
              f"| {share(last, lambda b: b == 8)} | {share(last, lambda b: b >= 12)} |")

    print()
    print("| | major-key phrase ends | cadences away from I (V/V-V, V/vi-vi...) | minor-key "
          "phrase ends | cadences away from i (V/III-III...) |")
    print("| --- | ---: | --- | ---: | --- |")
    for who, c in off_key.items():
        cells = []
        for mode in ("major", "minor"):
            n = c["ends " + mode]
            cells += [str(n), f"{c['away ' + mode]} ({c['away ' + mode] / max(n, 1):.0%})"]
        print(f"| {who} | {' | '.join(cells)} |")

    print()
    print("| | interior phrase ends | where the opening's fall in the bar | on its period "
          "| grid points | with a phrase end |")
    print("| --- | ---: | --- | --- | ---: | --- |")
    for who, c in fits.items():
        print(f"| {who} | {c['ends']} | {c['placed'] / max(c['ends'], 1):.1%} "
              f"| {c['on'] / max(c['periodic'], 1):.1%} | {c['points']} "
              f"| {c['hit'] / max(c['points'], 1):.1%} |")


    print()
    print("| | interior fermata chords in four voices | without a fifth | third doubled "
          "| two voices on one pitch |")
    print("| --- | ---: | --- | --- | --- |")
    for who, c in texture.items():
        n = max(c["chords"], 1)
        print(f"| {who} | {c['chords']} | {c['no fifth']} ({c['no fifth'] / n:.0%}) "
              f"| {c['third doubled']} ({c['third doubled'] / n:.0%}) "
              f"| {c['unison']} ({c['unison'] / n:.0%}) |")

    degree_table("minor", MINOR_COLUMNS, degrees)
    degree_table("major", MAJOR_COLUMNS, majors)


def degree_table(mode: str, columns: tuple[str, ...], counts: dict[str, Counter]) -> None:
    """Print the phrase ends of one mode's pieces by degree (the sixth and seventh tables)."""
    print()
    print(f"| | {mode}-key interior phrase ends | on " + " | ".join(columns) + " |")
    print("| --- | ---: | " + " | ".join("---" for _ in columns) + " |")
    for who, c in counts.items():
        n = max(sum(c.values()), 1)
        print(f"| {who} | {sum(c.values())} | "
              + " | ".join(f"{c[k]} ({c[k] / n:.0%})" for k in columns) + " |")


def _minor(score: Score) -> bool:
    key = me.home_key(score, score.end_tick)
    return key is not None and key.mode == "minor"


if __name__ == "__main__":
    main()
