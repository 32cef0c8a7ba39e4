"""How the voices of harmonized chorale melodies move, beside Bach's: steps, leaps, repeats.

    python bench/voice_leaps.py                    # as the app harmonizes now
    python bench/voice_leaps.py --no-leap-cost     # without _leap_cost (LEAP_COST = 0)
    python bench/voice_leaps.py --no-passing       # without passing eighths (PASSING_SHARE 0)
    python bench/voice_leaps.py --no-step-rule     # half-beat notes may leave by leap
    python bench/voice_leaps.py --six-fours        # six-four chords allowed on beats
    python bench/voice_leaps.py --no-run-cost      # the alto may strike one pitch on and on
    python bench/voice_leaps.py --bass-may-cross   # without _lowest_mask (BASS_LOWEST False)
    python bench/voice_leaps.py --split val        # the tuning pieces (the costs were chosen there)
    python bench/voice_leaps.py --continuations    # chorale openings continued, not melodies
    python bench/voice_leaps.py --hidden-perfects off  # hidden outer fifths/octaves allowed
    python bench/voice_leaps.py --no-chromatic-steps  # notes outside the key may be left by leap
    python bench/voice_leaps.py --no-bass-hold-cost  # the bass may hold under a changing chord
    python bench/voice_leaps.py --no-bass-fall-room  # the voices above a bass seventh may leave
                                                     # it no step down (BASS_FALL_ROOM False)
    python bench/voice_leaps.py --no-chromatic-chord-cost  # chords outside the key need no
                                                           # function (CHROMATIC_CHORD_COST 0)
    python bench/voice_leaps.py --no-bass-seventh-cost  # the bass takes sevenths freely
    python bench/voice_leaps.py --no-half-close-steps   # leaps into a half close's chord
    python bench/voice_leaps.py --no-leading-ahead  # the bass takes a leading tone the melody's
                                                    # next note strands (LEADING_AHEAD_COST 0)
    python bench/voice_leaps.py --no-seventh-ahead  # the bass takes sevenths the melody's
                                                    # next note strands (SEVENTH_AHEAD_COST 0)
    python bench/voice_leaps.py --no-seventh-fall-undoubled  # the voices above may leave a
                                     # bass seventh's fall only a doubled leading tone
    python bench/voice_leaps.py --no-bass-over-the-bar  # the bass holds notes struck on a
                                                        # beat over the bar line
    python bench/voice_leaps.py --no-leading-unfilled  # a dominant's leading tone falling
                                                       # a third into a close gets its
                                                       # passing eighth (LEADING_UNFILLED)
    python bench/voice_leaps.py --no-leading-rise  # V-I under an outer voice's leading tone
                                                   # that does not rise (LEADING_TONE_RISES)
    python bench/voice_leaps.py --no-sixteenth-short  # a note struck off the eighths may be
                                                      # held on (SIXTEENTH_SHORT False)
    python bench/voice_leaps.py --no-seventh-from-dominant  # a close's or planned dominant's
                                                           # root gets no passing seventh
    python bench/voice_leaps.py --no-search-bass-sevenths  # the search does not count the
                                                   # bass's sevenths left by leap
    python bench/voice_leaps.py --no-search-unfunctional  # ... nor chords outside the key
                                                          # with no function
    python bench/voice_leaps.py --no-search-given  # the search among a harmonization's
                                                   # candidates counts no parallels with the
                                                   # melody (SEARCH_GIVEN)
    python bench/voice_leaps.py --no-bass-chord-room  # the tenor may leave the bass only
                                                      # a seventh (BASS_CHORD_ROOM_COST 0)
    python bench/voice_leaps.py --no-spacing-holds  # the alto and tenor may hold a note an
                                                    # octave or more below the voice above
    python bench/voice_leaps.py --no-tenor-tie-cost  # the tenor holds a note struck between
                                                     # beats over the next, or one struck
                                                     # after a downbeat over the bar, free
    python bench/voice_leaps.py --no-tonic-bass-room  # the bass may take a seventh inside a
                                                      # planned dominant's beat (TONIC_BASS_ROOM)
    python bench/voice_leaps.py --no-suspensions  # no note held over a beat as a suspension
                                                  # (SUSPENSIONS)
    python bench/voice_leaps.py --no-given-chromatic  # a melody's note outside the key bars
                                  # its letter's other form only within a beat after it
                                  # (GIVEN_CHROMATIC_BEATS 0)
    python bench/voice_leaps.py --no-chromatic-pull  # notes outside the key as likely as
                                                     # the model makes them (CHROMATIC_PULL 0)
    python bench/voice_leaps.py --no-predominant-tonic  # the alto and tenor not drawn to the
                                  # tonic before a planned V (PREDOMINANT_TONIC_PULL 0)

The bach-chorales model's held-out melodies (its split.json), 2 variations each, the evaluation's
settings (musical_eval: temperature, top-p, no key lock), as bench/phrase_closes.py. Each cell is
the share of a voice's moves (note to next note) of that size; "6ths" counts minor and major
sixths; "thirds filled" is the share of the voice's quarter notes on a beat that move a third to
the next beat where Bach's way of filling them sounds: two eighths, the second a step between;
"half-beat steps left by leap" counts its eighths on a half beat reached by step and left by a
leap; the next three columns, its notes struck in runs of three or more on one pitch, struck
off the eighth-note grid (on a sixteenth between eighths; in brackets, those held past the next
eighth: a sixteenth, then a dotted eighth), and its notes shorter than a quarter per quarter of
the span (how much it moves in eighths); then its notes struck between beats and held across
the next beat (syncopations), and those struck on a later beat of a bar and held over the bar
line.
With ``--continuations``: 20 test chorales (spread as bench/region_gaps.py's) cut after bar 4 and
continued 8 bars x 2, beside Bach's own bars 5-12 (the soprano written too).
The first line is the card's harmony measures for the same harmonizations, and more counts
beside Bach's own (among them the beats where the soprano and alto, or the alto and tenor,
sound more than an octave apart, and the suspensions per 8 bars: a note held over a beat a
fourth, a second or ninth, or a seventh over the bass, falling a step within the beat,
analysis.suspensions). The "before" rows in
docs/voices.md are this script run on commit 5f3a369 (tritones barred in the bass only, no
cost).
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from composer_gui.ml import cadence_rules, part_writing, voice_sampler  # noqa: E402
from composer_gui.ml import musical_eval as me  # noqa: E402
from composer_gui.ml.evaluate import load_split  # noqa: E402
from composer_gui.ml.model_folder import load_model  # noqa: E402
from composer_gui.music import analysis as an  # noqa: E402
from composer_gui.music.score import TPQ  # noqa: E402
from composer_gui.music.spelling import spell_score  # noqa: E402

SIZES = {"repeat": (0,), "step": (1, 2), "3rd": (3, 4), "4th": (5,), "tritone": (6,),
         "5th": (7,), "6ths": (8, 9), "7ths": (10, 11), "octave": (12,)}


def moves(voices, end: int, start: int = 0) -> list[Counter]:
    """Per voice, a count of its moves by size in semitones (and "n", all moves)."""
    out = []
    for v in voices:
        line = sorted((n for n in v if start <= n.start < end), key=lambda n: n.start)
        c = Counter(abs(b.pitch - a.pitch) for a, b in itertools.pairwise(line))
        c["n"] = max(0, len(line) - 1)
        out.append(c)
    return out


def six_fours(score, start: int, end: int) -> tuple[int, int]:
    """(complete major or minor triads on beats with the bass on their fifth, all of them)."""
    found = total = 0
    for t in an.beat_ticks(score, start, end):
        chord = an.sonorities(score.notes, [t])
        if not chord or len(chord[0].pcs) != 3:
            continue
        named = an.chord_root(chord[0].pcs)
        if named is None or named[1] not in ("maj", "min"):
            continue
        total += 1
        found += (chord[0].bass - named[0]) % 12 == 7
    return found, total


def diminished_fifth_bass(score, start: int, end: int) -> int:
    """Beat chords that are a diminished triad with its fifth in the bass (B D F over F: a
    dominant seventh without its root, the seventh in the bass; NO_DIMINISHED_FIFTH_BASS)."""
    found = 0
    for chord in an.sonorities(score.notes, an.beat_ticks(score, start, end)):
        named = an.chord_root(chord.pcs) if len(chord.pcs) == 3 else None
        found += named is not None and named[1] == "dim" and (chord.bass - named[0]) % 12 == 6
    return found


def false_at_once(score, start: int, end: int) -> int:
    """Notes sounding one letter two ways with another voice's at once, spelled as export
    spells them (analysis.false_relations_at_once)."""
    spelled = spell_score(score)
    return an.false_relations_at_once(an.part_voices(spelled), start, end)


def augmented(score, start: int, end: int) -> tuple[int, int]:
    """(beat chords that are augmented triads, beat chords of 3 or more pitch classes)."""
    found = total = 0
    for chord in an.sonorities(score.notes, an.beat_ticks(score, start, end)):
        if len(chord.pcs) >= 3:
            total += 1
            named = an.chord_root(chord.pcs)
            found += named is not None and named[1] == "aug"
    return found, total


def rising_sevenths(score, start: int, end: int) -> list[int]:
    """[sevenths of seventh chords at onsets from ``start`` that rise in their voice's next
    note, such sevenths, of them the bass's: rising, all]: every quality, the melody's own
    included."""
    voices = [[n for n in v if n.start >= start] for v in an.part_voices(score)]
    return [*an.rising_sevenths(voices, end, tuple(an.SEVENTHS)),
            *an.rising_sevenths(voices, end, tuple(an.SEVENTHS), counted=(-1,))]


def leaping_bass_sevenths(score, start: int, end: int) -> list[int]:
    """[left by a leap, all]: analysis.leaping_bass_sevenths of the bass's notes from
    ``start`` to ``end`` on the score's beats."""
    bass = [n for n in an.part_voices(score)[-1] if start <= n.start < end]
    beats = an.beat_ticks(score, start, end)
    beat = score.time_signature_at(start).beat_ticks
    return list(an.leaping_bass_sevenths(bass, score.notes, beats, beat))


def chromatic_leaps(score, key, start: int, end: int) -> list[int]:
    """[left by a leap, left by a step the way the note leads, all]: the alto's, tenor's and
    bass's notes from ``start`` outside the home key (a minor key's raised sixth and seventh
    are in it); the way, up for a raised note (C# in C major), down for a lowered one
    (B-flat), as the sampler spells them (part_writing.CHROMATIC_WAYS)."""
    minor = key.quality == "minor"
    shift = (9 if minor else 0) - key.tonic_pc  # to the normalized C major / A minor
    ways = part_writing.CHROMATIC_WAYS[minor]
    out = [0, 0, 0]
    for v in an.part_voices(score)[1:]:
        line = sorted((n for n in v if n.start >= start), key=lambda n: n.start)
        for a, b in itertools.pairwise(line):
            way = ways[(a.pitch + shift) % 12]
            if a.start < end and way:
                out[0] += abs(b.pitch - a.pitch) > 2
                out[1] += (b.pitch - a.pitch) * way in (1, 2)
                out[2] += 1
    return out


def unfunctional(score, key, start: int, end: int) -> list[int]:
    """[beat chords outside the home key with no function in it, beat chords of 3+ pitch
    classes outside it] (part_writing.unfunctional_chords)."""
    return list(part_writing.unfunctional_chords(score.notes, an.beat_ticks(score, start, end),
                                                 key))


def bass_under_changes(score, start: int, end: int) -> list[int]:
    """[beat pairs where the bass sounds one pitch (held or struck again) while the pitch
    classes above it change, beat pairs]: a bass standing under moving harmony."""
    sons = an.sonorities(score.notes, an.beat_ticks(score, start, end))
    out = [0, 0]
    for a, b in itertools.pairwise(sons):
        out[1] += 1
        if a.bass == b.bass:
            out[0] += {p % 12 for p in a.pitches if p != a.bass} != \
                {p % 12 for p in b.pitches if p != b.bass}
    return out


def dominant_left(score, start: int, end: int) -> list[int]:
    """[closes after a root-position V(7) on the beat before them whose bass leaves the
    dominant's root inside that beat, those with a chord on another root there, closes after
    such a V(7), those where a voice leaves the leading tone inside that beat]: V - vi - I under
    a melody's early tonic (DOMINANT_BEAT_BASS). Closes: the fermatas and the last onset in
    [start, end)."""
    notes = score.notes
    voices = an.part_voices(score)
    last = max((n.start for n in notes if start <= n.start < end), default=None)
    closes = sorted({t for t in score.fermatas if start <= t < end} | ({last} - {None}))
    out = [0, 0, 0, 0]
    for t in closes:
        b = t - score.time_signature_at(t).beat_ticks
        found = an.sonorities(notes, [b, t]) if b >= start else []
        if len(found) < 2 or found[0].tick != b:
            continue
        v, i = an.chord_root(found[0].pcs), an.chord_root(found[1].pcs)
        if v is None or i is None or (v[0] - i[0]) % 12 != 7 or v[1] not in ("maj", "dom7") \
                or found[0].bass % 12 != v[0]:
            continue
        inside = an.sonorities(notes, sorted({n.start for n in notes if b < n.start < t}))
        out[0] += any(x.bass % 12 != v[0] for x in inside)
        out[1] += any((r := an.chord_root(x.pcs)) is not None and r[0] != v[0] for x in inside)
        out[2] += 1
        leading = (v[0] + 4) % 12
        out[3] += any(a.start <= b < a.end and a.pitch % 12 == leading
                      and any(b < x.start < t and x.pitch != a.pitch for x in line)
                      for line in voices for a in line)
    return out


def bass_leading_tones(score, key, start: int, end: int) -> list[int]:
    """[rising a semitone, all]: the bass's notes struck on a beat from ``start`` that are a
    leading tone (the third of a dominant seventh chord, of the key's V, or of a major triad
    whose third is outside the key's natural scale; the root of a diminished triad or seventh
    chord), where the next beat sounds another chord (not the same pitch classes, nor the same
    root): does the bass stand a semitone higher there?"""
    minor = key.quality == "minor"
    natural = {(key.tonic_pc + x) % 12 for x in part_writing._NATURAL[minor]}
    dominant = (key.tonic_pc + 7) % 12
    bass = an.part_voices(score)[-1]
    out = [0, 0]
    for a, b in itertools.pairwise(an.sonorities(score.notes, an.beat_ticks(score, start, end))):
        named = an.chord_root(a.pcs)
        if named is None or not any(n.start == a.tick and n.pitch == a.bass for n in bass):
            continue
        root, quality = named
        third = (root + 4) % 12
        lead = (a.bass % 12 == third and (quality == "dom7" or (quality == "maj" and (
            third not in natural or (not minor and root == dominant))))) or \
            (quality in ("dim", "dim7", "hdim7") and a.bass % 12 == root)
        after = an.chord_root(b.pcs)
        if not lead or a.pcs == b.pcs or (after is not None and after[0] == root):
            continue
        out[0] += b.bass - a.bass == 1
        out[1] += 1
    return out


def cross_relations(score, start: int, end: int) -> int:
    """Cross-relations within a beat from ``start``, the notes spelled as export spells them."""
    spelled = spell_score(score)
    return an.cross_relations(an.part_voices(spelled), spelled.time_signature_at(start).beat_ticks,
                              start, end)


def runs(voices, end: int, start: int = 0) -> list[Counter]:
    """Per voice, its notes ("notes") and those in a run of three or more struck one after
    another on the same pitch ("in runs of 3+": a static line, G4 G4 G4 ...), and those struck
    off the eighth-note grid ("off eighths": a sixteenth's onset), and of them those held past
    the next eighth ("held on": a sixteenth, then a dotted eighth)."""
    out = []
    for v in voices:
        notes = sorted((n for n in v if start <= n.start < end), key=lambda n: n.start)
        line = [n.pitch for n in notes]
        lengths = [len(list(g)) for _, g in itertools.groupby(line)]
        out.append(Counter({"notes": len(line), "in runs": sum(k for k in lengths if k >= 3),
                            "off eighths": sum(n.start % (TPQ // 2) != 0 for n in notes),
                            "held on": sum(n.start % (TPQ // 2) != 0
                                           and n.duration > TPQ // 4 for n in notes),
                            "short": sum(n.duration < TPQ for n in notes),
                            "quarters": (end - start) / TPQ}))
    return out


def ties(score, end: int, start: int = 0) -> list[Counter]:
    """Per voice, its notes struck between the beats and held across the next beat
    ("syncopated"), and those struck on a later beat of a bar and held over the next bar line
    ("over the bar"), counting the beats and bar lines before ``end``."""
    beats = an.beat_ticks(score, start, end)
    bars = [t for t in beats if t == score.bar_start(score.bar_at(t))]
    out = []
    for v in an.part_voices(score):
        c = Counter()
        for n in v:
            if not start <= n.start < end:
                continue
            after = beats[bisect.bisect_right(beats, n.start):]
            if n.start not in beats and after and n.end > after[0]:
                c["syncopated"] += 1
            line = bars[bisect.bisect_right(bars, n.start):]
            if n.start in beats and n.start not in bars and line and n.end > line[0]:
                c["over the bar"] += 1
        out.append(c)
    return out


def thirds(voices, end: int, start: int = 0) -> list[Counter]:
    """Per voice, its beats that move a third to the next beat: "filled" with a passing eighth
    (two eighths by step) or "plain" (a quarter note); and its eighths on a half beat reached
    by step from the beat ("stepped"), of them "left by leap" to the next beat."""
    out = []
    for v in voices:
        line = sorted((n for n in v if start <= n.start < end), key=lambda n: n.start)
        c = Counter()
        for k, a in enumerate(line[:-1]):
            b = line[k + 1]
            if a.start % TPQ or b.start != a.end:
                continue
            if a.duration == TPQ and abs(b.pitch - a.pitch) in (3, 4):
                c["plain"] += 1
            elif a.duration == b.duration == TPQ // 2 and k + 2 < len(line):
                after = line[k + 2]
                c["filled"] += (after.start == b.end and abs(after.pitch - a.pitch) in (3, 4)
                                and 1 <= abs(b.pitch - a.pitch) <= 2
                                and 1 <= abs(after.pitch - b.pitch) <= 2)
                if after.start == b.end and 1 <= abs(b.pitch - a.pitch) <= 2:
                    c["stepped"] += 1
                    c["left by leap"] += abs(after.pitch - b.pitch) > 2
        out.append(c)
    return out


# each switch of the command line: the voice_sampler constant it sets, and to what
SWITCHES = {  # flag: (the module that reads the switch, its name, the value the flag sets)
    "no_leap_cost": (part_writing, "LEAP_COST", 0),
    "no_passing": (voice_sampler, "PASSING_SHARE", (0, 0, 0, 0)),
    "no_step_rule": (voice_sampler, "RESOLVE_STEPS", False),
    "six_fours": (part_writing, "NO_SIX_FOUR", False),
    "no_run_cost": (part_writing, "RUN_COST", 0),
    "bass_may_cross": (voice_sampler, "BASS_LOWEST", False),
    "no_chromatic_steps": (part_writing, "CHROMATIC_STEPS", False),
    "no_bass_hold_cost": (part_writing, "BASS_HOLD_COST", 0),
    "no_bass_fall_room": (voice_sampler, "BASS_FALL_ROOM", False),
    "no_chromatic_chord_cost": (part_writing, "CHROMATIC_CHORD_COST", 0),
    "no_tonic_bass_room": (voice_sampler, "TONIC_BASS_ROOM", False),
    "no_bass_seventh_cost": (part_writing, "BASS_SEVENTH_COST", 0),
    "no_half_close_steps": (cadence_rules, "HALF_CLOSE_STEPS_IN", False),
    "no_leading_ahead": (part_writing, "LEADING_AHEAD_COST", 0),
    "no_seventh_ahead": (part_writing, "SEVENTH_AHEAD_COST", 0),
    "no_seventh_fall_undoubled": (part_writing, "SEVENTH_FALL_UNDOUBLED", False),
    "no_bass_over_the_bar": (voice_sampler, "BASS_OVER_THE_BAR", False),
    "no_leading_unfilled": (voice_sampler, "LEADING_UNFILLED", False),
    "no_leading_rise": (part_writing, "LEADING_TONE_RISES", False),
    "no_sixteenth_short": (voice_sampler, "SIXTEENTH_SHORT", False),
    "no_seventh_from_dominant": (voice_sampler, "SEVENTH_FROM_DOMINANT", False),
    "no_search_given": (voice_sampler, "SEARCH_GIVEN", False),
    "no_search_bass_sevenths": (voice_sampler, "SEARCH_BASS_SEVENTHS", False),
    "no_search_unfunctional": (voice_sampler, "SEARCH_UNFUNCTIONAL", False),
    "no_bass_chord_room": (part_writing, "BASS_CHORD_ROOM_COST", 0),
    "no_spacing_holds": (cadence_rules, "SPACING_HOLDS", False),
    "no_tenor_tie_cost": (voice_sampler, "TENOR_TIE_COST", 0),
    "no_suspensions": (voice_sampler, "SUSPENSIONS", False),
    "no_given_chromatic": (voice_sampler, "GIVEN_CHROMATIC_BEATS", 0),
    "no_chromatic_pull": (voice_sampler, "CHROMATIC_PULL", 0.0),
    "no_predominant_tonic": (cadence_rules, "PREDOMINANT_TONIC_PULL", 0.0),
}


def spacings(score, start: int, end: int) -> list[int]:
    """[beats where the soprano and alto sound more than an octave apart, the alto and tenor,
    beats where all four sound] (analysis.wide_spacings)."""
    (sa, at), full = an.wide_spacings(an.part_voices(score), an.beat_ticks(score, start, end))
    return [sa, at, full]


def suspensions(score, start: int, end: int) -> list[int]:
    """[held fourths, seconds or ninths, sevenths falling a step within the beat: 4-3, 9-8,
    7-6] (analysis.suspensions)."""
    beat = score.time_signature_at(start).beat_ticks
    return list(an.suspensions(an.part_voices(score), an.beat_ticks(score, start, end), beat))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag in SWITCHES:
        ap.add_argument("--" + flag.replace("_", "-"), action="store_true")
    ap.add_argument("--continuations", action="store_true")
    ap.add_argument("--hidden-perfects", default=None, choices=("on", "off"),
                    help="NO_HIDDEN_PERFECTS on or off (default: as the app)")
    ap.add_argument("--split", default="test")
    ap.add_argument("--pieces", type=int, default=40)
    args = ap.parse_args(argv)
    for flag, (module, name, value) in SWITCHES.items():
        if getattr(args, flag):
            assert hasattr(module, name), name
            setattr(module, name, value)
    if args.hidden_perfects:
        part_writing.NO_HIDDEN_PERFECTS = args.hidden_perfects == "on"
    folder = load_model("bach-chorales").path
    split, vocab, _ = load_split(folder)
    cases = me.cases_from_pieces(split[args.split], vocab)[:args.pieces]
    generate = me.sampler_adapter(folder)
    made, bach = [Counter() for _ in range(4)], [Counter() for _ in range(4)]
    good = chords = cadences = outer = pairs = eighths = beats = bach_beats = bach_8 = 0.0
    hidden = bach_hidden = 0
    fours, bach_fours = [0, 0], [0, 0]
    augs, bach_augs = [0, 0], [0, 0]
    rising, bach_rising = [0, 0, 0, 0], [0, 0, 0, 0]
    bass7, bach_bass7 = [0, 0], [0, 0]
    false, bach_false = 0, 0
    dims, bach_dims, together, bach_together = 0, 0, 0, 0
    chromatic, bach_chromatic = [0, 0, 0], [0, 0, 0]
    standing, bach_standing = [0, 0], [0, 0]
    odd, bach_odd = [0, 0], [0, 0]
    sevenths, bach_sevenths = [0, 0, 0], [0, 0, 0]
    left, bach_left = [0, 0, 0, 0], [0, 0, 0, 0]
    leads, bach_leads = [0, 0], [0, 0]
    wide, bach_wide = [0, 0, 0], [0, 0, 0]  # beats S-A, A-T over an octave, of beats (all sound)
    susp, bach_susp = [0, 0, 0], [0, 0, 0]  # held fourths, seconds or ninths, sevenths
    if args.continuations:
        cases = me.spread([c for c in me.cases_from_pieces(split[args.split], vocab)
                           if c.score.bar_count() >= 4], 20)
    for i, case in enumerate(cases):
        s = me.as_voices(case.score, 4)
        start = s.bar_start(4) if args.continuations else 0
        end = s.bar_start(min(s.bar_count(), 12) if args.continuations else s.bar_count())
        key = me.home_key(s, end)
        for acc, c in zip(bach, moves(an.part_voices(s), end, start), strict=True):
            acc.update(c)
        for acc, c in zip(bach, thirds(an.part_voices(s), end, start), strict=True):
            acc.update(c)
        for acc, c in zip(bach, runs(an.part_voices(s), end, start), strict=True):
            acc.update(c)
        for acc, c in zip(bach, ties(s, end, start), strict=True):
            acc.update(c)
        bach_beats += an.voice_parallels(an.part_voices(s), start, end,
                                         an.beat_ticks(s, start, end))
        bach_8 += (end - start) / s.time_signature_at(start).bar_ticks / 8
        bach_hidden += an.hidden_perfects(s.notes, start, end)
        bach_fours = [a + b for a, b in zip(bach_fours, six_fours(s, start, end), strict=True)]
        bach_augs = [a + b for a, b in zip(bach_augs, augmented(s, start, end), strict=True)]
        bach_rising = [a + b for a, b in zip(bach_rising, rising_sevenths(s, start, end),
                                             strict=True)]
        bach_bass7 = [a + b for a, b in zip(bach_bass7, leaping_bass_sevenths(s, start, end),
                                            strict=True)]
        bach_false += cross_relations(s, start, end)
        bach_dims += diminished_fifth_bass(s, start, end)
        bach_together += false_at_once(s, start, end)
        bach_chromatic = [a + b for a, b in zip(bach_chromatic, chromatic_leaps(s, key, start, end),
                                                strict=True)]
        bach_standing = [a + b for a, b in zip(bach_standing, bass_under_changes(s, start, end),
                                               strict=True)]
        bach_odd = [a + b for a, b in zip(bach_odd, unfunctional(s, key, start, end), strict=True)]
        bach_left = [a + b for a, b in zip(bach_left, dominant_left(s, start, end), strict=True)]
        bach_leads = [a + b for a, b in zip(bach_leads, bass_leading_tones(s, key, start, end),
                                            strict=True)]
        bach_sevenths = [a + b for a, b in zip(bach_sevenths,
                                               an.seventh_chord_beats(s, start, end), strict=True)]
        bach_wide = [a + b for a, b in zip(bach_wide, spacings(s, start, end), strict=True)]
        bach_susp = [a + b for a, b in zip(bach_susp, suspensions(s, start, end), strict=True)]
        if args.continuations:
            seed = s.slice(0, start, shift=False)
            request = {**me.APP_REQUEST, "bars": 8, "start_tick": start, "seed": i,
                       "variations": 2}
        else:
            seed = me.melody_of(s)
            request = {**me.APP_REQUEST, "variations": 2, "bars": s.bar_count(),
                       "harmonize": True, "seed": i}
        for g in generate(seed, request):
            stop = g.bar_start(g.bar_count()) if args.continuations else end
            for acc, c in zip(made, moves(an.part_voices(g), stop, start), strict=True):
                acc.update(c)
            for acc, c in zip(made, thirds(an.part_voices(g), stop, start), strict=True):
                acc.update(c)
            for acc, c in zip(made, runs(an.part_voices(g), stop, start), strict=True):
                acc.update(c)
            for acc, c in zip(made, ties(g, stop, start), strict=True):
                acc.update(c)
            g_good, g_chords = an.beat_chord_share(g, start, stop)
            good, chords = good + g_good, chords + g_chords
            cadences += an.authentic_cadences(g, key, start, stop)
            outer += an.outer_voice_parallels(g.notes, start, stop)
            hidden += an.hidden_perfects(g.notes, start, stop)
            pairs += an.voice_parallels(an.part_voices(g), start, stop)
            beats += an.voice_parallels(an.part_voices(g), start, stop,
                                        an.beat_ticks(g, start, stop))
            eighths += (stop - start) / g.time_signature_at(start).bar_ticks / 8
            fours = [a + b for a, b in zip(fours, six_fours(g, start, stop), strict=True)]
            augs = [a + b for a, b in zip(augs, augmented(g, start, stop), strict=True)]
            rising = [a + b for a, b in zip(rising, rising_sevenths(g, start, stop), strict=True)]
            bass7 = [a + b for a, b in zip(bass7, leaping_bass_sevenths(g, start, stop),
                                           strict=True)]
            false += cross_relations(g, start, stop)
            dims += diminished_fifth_bass(g, start, stop)
            together += false_at_once(g, start, stop)
            chromatic = [a + b for a, b in zip(chromatic, chromatic_leaps(g, key, start, stop),
                                               strict=True)]
            standing = [a + b for a, b in zip(standing, bass_under_changes(g, start, stop),
                                              strict=True)]
            odd = [a + b for a, b in zip(odd, unfunctional(g, key, start, stop), strict=True)]
            sevenths = [a + b for a, b in zip(sevenths, an.seventh_chord_beats(g, start, stop),
                                              strict=True)]
            left = [a + b for a, b in zip(left, dominant_left(g, start, stop), strict=True)]
            leads = [a + b for a, b in zip(leads, bass_leading_tones(g, key, start, stop),
                                           strict=True)]
            wide = [a + b for a, b in zip(wide, spacings(g, start, stop), strict=True)]
            susp = [a + b for a, b in zip(susp, suspensions(g, start, stop), strict=True)]
    what = "openings continued" if args.continuations else "melodies"
    print(f"{len(cases)} {args.split} {what} x 2: beat chords {good / chords:.3f}, authentic "
          f"cadences / 8 bars {cadences / eighths:.2f}, outer parallels / 8 bars "
          f"{outer / eighths:.3f}, any two voices / 8 bars {pairs / eighths:.3f} (beat to beat "
          f"{beats / eighths:.3f}, Bach's {bach_beats / bach_8:.3f}), six-four beat triads "
          f"{fours[0]} of {fours[1]} (Bach's {bach_fours[0]} of {bach_fours[1]}), hidden "
          f"outer fifths/octaves with the top voice leaping / 8 bars {hidden / eighths:.2f} "
          f"(Bach's {bach_hidden / bach_8:.2f}), augmented beat triads {augs[0]} of {augs[1]} "
          f"(Bach's {bach_augs[0]} of {bach_augs[1]}), sevenths rising {rising[0]} of "
          f"{rising[1]} (Bach's {bach_rising[0]} of {bach_rising[1]}; the bass's {rising[2]} of "
          f"{rising[3]}, Bach's {bach_rising[2]} of {bach_rising[3]}), the bass's sevenths on "
          f"a beat left by leap {bass7[0]} of {bass7[1]} (Bach's {bach_bass7[0]} of "
          f"{bach_bass7[1]}), cross-relations within "
          f"a beat / 8 bars {false / eighths:.2f} (Bach's {bach_false / bach_8:.2f}), seventh "
          f"beat chords {sevenths[0] / sevenths[2]:.3f}, not V7 or vii°7 "
          f"{sevenths[1] / sevenths[2]:.3f} (Bach's {bach_sevenths[0] / bach_sevenths[2]:.3f}, "
          f"{bach_sevenths[1] / bach_sevenths[2]:.3f}), lower voices' notes outside the key "
          f"left by leap {chromatic[0]}, by a step the way they lead {chromatic[1]}, of "
          f"{chromatic[2]} (Bach's {bach_chromatic[0]}, {bach_chromatic[1]}, of "
          f"{bach_chromatic[2]}), the bass on one pitch while the chord above changes "
          f"{standing[0]} of {standing[1]} beat pairs (Bach's {bach_standing[0]} of "
          f"{bach_standing[1]}), beat chords outside the key with no function {odd[0]} of "
          f"{odd[1]} outside it (Bach's {bach_odd[0]} of {bach_odd[1]}), diminished beat "
          f"triads with the fifth in the bass {dims} "
          f"(Bach's {bach_dims}), one letter sounding two ways at once {together} (Bach's "
          f"{bach_together}), closes after V(7) whose bass leaves its root inside its beat "
          f"{left[0]} of {left[2]}, a chord on another root there {left[1]}, a voice leaving "
          f"its leading tone there {left[3]} (Bach's {bach_left[0]}, {bach_left[1]}, "
          f"{bach_left[3]}, of {bach_left[2]}), the bass's leading tones on a beat rising a "
          f"semitone into the next chord {leads[0]} of {leads[1]} (Bach's {bach_leads[0]} of "
          f"{bach_leads[1]}), beats with soprano and alto more than an octave apart {wide[0]}, "
          f"alto and tenor {wide[1]}, of {wide[2]} (Bach's {bach_wide[0]}, {bach_wide[1]}, of "
          f"{bach_wide[2]}), suspensions per 8 bars: fourths {susp[0] / eighths:.2f}, seconds "
          f"or ninths {susp[1] / eighths:.2f}, sevenths {susp[2] / eighths:.2f} (Bach's "
          f"{bach_susp[0] / bach_8:.2f}, {bach_susp[1] / bach_8:.2f}, "
          f"{bach_susp[2] / bach_8:.2f})\n")
    print("| voice | moves | " + " | ".join(SIZES) + " | thirds filled |"
          " half-beat steps left by leap | notes struck 3+ times in a row |"
          " notes struck off the eighths (held past the next eighth) |"
          " notes shorter than a quarter, per quarter |"
          " struck between beats and held over the next | struck after a downbeat, held over"
          " the bar |")
    print("| --- " * (len(SIZES) + 9) + "|")
    for who, table in (("continued" if args.continuations else "harmonized", made), ("Bach", bach)):
        for name, c in zip(("soprano", "alto", "tenor", "bass"), table, strict=True):
            cells = [f"{100 * sum(c[k] for k in ks) / max(1, c['n']):.1f}%"
                     for ks in SIZES.values()]
            filled = f"{c['filled']} of {c['filled'] + c['plain']}"
            left = f"{c['left by leap']} of {c['stepped']}"
            static = f"{100 * c['in runs'] / max(1, c['notes']):.1f}%"
            off = f"{100 * c['off eighths'] / max(1, c['notes']):.1f}% ({c['held on']})"
            short = f"{c['short'] / max(1, c['quarters']):.2f}"
            print(f"| {who} {name} | {c['n']} | " + " | ".join(cells)
                  + f" | {filled} | {left} | {static} | {off} | {short} |"
                  f" {c['syncopated']} | {c['over the bar']} |")


if __name__ == "__main__":
    main()
