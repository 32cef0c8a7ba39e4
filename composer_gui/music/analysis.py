"""Measures a musician would apply to a passage: chords on the beat, cadences, parallel fifths and
octaves, voice crossings, the final chord, restated bars and the step across a seam.

They judge generated music beside real music (``composer-gui evaluate``), so each is defined to
work on any texture: a four-part chorale in four parts, four voices merged in one part, or a single
melody. Where voices matter, the *outer voices* are the highest and the lowest sounding pitch at a
moment (in a chorale, soprano and bass); where parts are given one voice each, ``part_voices``
orders them from high to low.

Chord names are pitch-class sets: a *triad or seventh chord* is a set of at least three pitch
classes that fits one of the templates below, root and third present (a seventh chord may drop its
fifth, as Bach's V7 often does; a triad may double any note).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from .clefs import needs_grand_staff, paired_hands, split_hands
from .score import KeySignature, Note, Part, Score

# intervals above the root
TRIADS = {"maj": (0, 4, 7), "min": (0, 3, 7), "dim": (0, 3, 6), "aug": (0, 4, 8)}
SEVENTHS = {"dom7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11), "min7": (0, 3, 7, 10),
            "hdim7": (0, 3, 6, 10), "dim7": (0, 3, 6, 9)}
PERFECT = (0, 7)  # unison/octave and fifth, as interval classes


@dataclass(frozen=True)
class Sonority:
    """What sounds at one moment: the pitches, low to high."""

    tick: int
    pitches: tuple[int, ...]

    @property
    def pcs(self) -> frozenset[int]:
        return frozenset(p % 12 for p in self.pitches)

    @property
    def bass(self) -> int:
        return self.pitches[0]

    @property
    def top(self) -> int:
        return self.pitches[-1]


def closes_in_root_position(s: Sonority) -> bool:
    """Whether ``s`` is a major or minor triad in root position, its fifth there or not (root and
    third alone): the chord a chorale's phrase end closes on."""
    if len(s.pcs) == 2:
        return any((s.bass + t) % 12 in s.pcs for t in (3, 4))
    found = chord_root(s.pcs)
    return found is not None and found[1] in ("maj", "min") and found[0] == s.bass % 12


def sounding(notes: Sequence[Note], tick: int) -> tuple[int, ...]:
    """Pitches sounding at ``tick`` (started at or before it, not yet ended), low to high."""
    return tuple(sorted({n.pitch for n in notes if n.start <= tick < n.end}))


def not_one_line(score: Score, part: int, start: int = 0, end: int | None = None,
                 into: Collection[int] = ()) -> str | None:
    """Why part ``part`` of ``score`` cannot be harmonized as a melody (two of its notes
    sound at once: where), or None; only its notes sounding in [``start``, ``end``) count, the
    span harmonized (a review selected a piano's right hand in bars 1-2 and was refused for a
    chord in bar 12). The sampler refuses such a melody with this message, and the Continue
    panel says it before starting. A piano's tune over its left hand (one part on two staves,
    or the upper of two hands' parts, where the harmonization does not write ``into`` the
    left hand's part) is refused with what to do instead."""
    notes = sorted(n for n in score.parts[part].notes
                   if n.end > start and (end is None or n.start < end))
    for a, b in itertools.pairwise(notes):
        if b.start < a.end:
            bar = score.bar_number(score.bar_at(b.start))
            if _tune_over_left_hand(score.parts[part], start, end):
                # (a trial's piano sketches were refused for "two notes at once", the chords
                # their left hands' under a tune of one note at a time)
                return (f"part {part + 1} is a piano whose left hand already plays under its "
                        "tune; Harmonize writes voices under a melody alone. To write a new "
                        "left hand under the tune, regenerate the left hand: select its notes "
                        f"and use Regenerate Selection (generate: --region A:B --parts "
                        f"{part + 1} --hand left)")
            return (f"the melody (part {part + 1}) plays two notes at once in bar {bar}; "
                    "harmonizing needs one note at a time")
    left = part + 1 if paired_hands(score.parts).get(part) == 0 else None
    if left is not None and left not in into and any(
            n.end > start and (end is None or n.start < end) for n in score.parts[left].notes):
        # (a two-track piano's right hand had been harmonized, a choir put between its hands:
        # a re-trial)
        return (f"parts {part + 1} and {left + 1} are a piano's two hands, and its left hand "
                "already plays under the tune; Harmonize writes voices under a melody alone. "
                "To write a new left hand under the tune, regenerate the left hand: select its "
                f"notes and use Regenerate Selection (generate: --region A:B --parts {left + 1})")
    return None


def _tune_over_left_hand(part: Part, start: int, end: int | None) -> bool:
    """A keyboard part on two staves whose upper staff is one note at a time in the span and
    whose lower staff plays there too."""
    if not needs_grand_staff(part):
        return False
    upper, lower = (sorted(n for n in hand if n.end > start and (end is None or n.start < end))
                    for hand in split_hands(part.notes, part.staff_split))
    return bool(upper and lower) and all(b.start >= a.end
                                         for a, b in itertools.pairwise(upper))


def sonorities(notes: Sequence[Note], ticks: Iterable[int]) -> list[Sonority]:
    """The sonority at each tick that has at least one sounding note."""
    notes = list(notes)  # walked once per tick (no sort: `sounding` orders the pitches)
    out = []
    for t in ticks:
        pitches = sounding(notes, t)
        if pitches:
            out.append(Sonority(t, pitches))
    return out


def onset_ticks(notes: Iterable[Note], start: int = 0, end: int | None = None) -> list[int]:
    return sorted({n.start for n in notes if n.start >= start and (end is None or n.start < end)})


def beat_ticks(score: Score, start: int, end: int) -> list[int]:
    """Every beat from ``start`` to ``end`` (beats counted from each bar line)."""
    out = []
    bar = score.bar_at(start)
    while score.bar_start(bar) < end:
        b0, b1 = score.bar_start(bar), score.bar_end(bar)
        step = score.time_signature_at(b0).beat_ticks
        out += [t for t in range(b0, b1, step) if start <= t < end]
        bar += 1
    return out


def chord_root(pcs: frozenset[int]) -> tuple[int, str] | None:
    """(root pitch class, quality) when ``pcs`` is a triad or seventh chord, else None."""
    if len(pcs) < 3:
        return None
    for root in sorted(pcs):
        for quality, steps in TRIADS.items():
            if pcs == {(root + s) % 12 for s in steps}:
                return root, quality
    for root in sorted(pcs):
        for quality, steps in SEVENTHS.items():
            third, seventh = (root + steps[1]) % 12, (root + steps[3]) % 12
            if pcs <= {(root + s) % 12 for s in steps} and third in pcs and seventh in pcs:
                return root, quality
    return None


def leaping_bass_sevenths(bass: Sequence[Note], notes: Sequence[Note], beats: Iterable[int],
                          beat: int) -> tuple[int, int]:
    """(left by a leap, all): the notes of ``bass`` struck at one of ``beats``, ``beat`` ticks
    long or more, that are the seventh of the chord ``notes`` sound there (not a diminished
    seventh chord's), and are left other than by holding or a fall of a semitone or a tone (a
    fifth listening review of session 47 heard all its 8 seventh faults there: V4/2 - I)."""
    beats = set(beats)
    line = sorted(bass, key=lambda n: n.start)
    left = total = 0
    for a, b in itertools.pairwise(line):
        if a.start not in beats or a.duration < beat:
            continue
        named = chord_root(frozenset(p % 12 for p in sounding(notes, a.start)))
        if named is None or named[1] not in SEVENTHS or named[1] == "dim7" or \
                (a.pitch - named[0]) % 12 != SEVENTHS[named[1]][3]:
            continue
        total += 1
        left += not 0 <= a.pitch - b.pitch <= 2
    return left, total


def beat_chord_share(score: Score, start: int, end: int, notes: Sequence[Note] | None = None
                     ) -> tuple[int, int]:
    """(beats whose sonority is one triad or seventh chord, beats with 3+ pitch classes)."""
    notes = score.notes if notes is None else notes
    good = total = 0
    for s in sonorities(notes, beat_ticks(score, start, end)):
        if len(s.pcs) >= 3:
            total += 1
            good += chord_root(s.pcs) is not None
    return good, total


def is_dominant(s: Sonority, key: KeySignature) -> bool:
    """V or V7 of ``key`` in root position (minor keys: with the raised leading tone)."""
    dom = (key.tonic_pc + 7) % 12
    leading = (key.tonic_pc + 11) % 12
    found = chord_root(s.pcs)
    return (s.bass % 12 == dom and found is not None and found[0] == dom
            and found[1] in ("maj", "dom7") and leading in s.pcs)


def is_tonic(s: Sonority, key: KeySignature, *, root_position: bool = True) -> bool:
    """The tonic chord of ``key`` (either third: a Picardy third ends many minor chorales), or a
    bare tonic in a melody. A chord needs the tonic in the bass when ``root_position``."""
    tonic = key.tonic_pc
    allowed = {tonic, (tonic + 3) % 12, (tonic + 4) % 12, (tonic + 7) % 12}
    if not s.pcs <= allowed or tonic not in s.pcs:
        return False
    if len(s.pitches) == 1:
        return True
    return not root_position or s.bass % 12 == tonic


def authentic_cadences(score: Score, key: KeySignature, start: int, end: int,
                       notes: Sequence[Note] | None = None) -> int:
    """How many times a root-position V(7) on one beat moves to a root-position I on the next."""
    notes = score.notes if notes is None else notes
    chords = sonorities(notes, beat_ticks(score, start, end))
    return sum(is_dominant(a, key) and is_tonic(b, key) and len(b.pcs) >= 2
               for a, b in itertools.pairwise(chords))


def outer_voice_parallels(notes: Sequence[Note], start: int = 0, end: int | None = None) -> int:
    """Consecutive fifths or octaves between the outer voices: at two successive onsets the
    highest and the lowest sounding pitches form the same perfect interval (fifth, or
    octave/unison) and both move in the same direction."""
    chords = [s for s in sonorities(notes, onset_ticks(notes, start, end)) if len(s.pitches) >= 2]
    count = 0
    for a, b in itertools.pairwise(chords):
        ia, ib = (a.top - a.bass) % 12, (b.top - b.bass) % 12
        if ia == ib and ia in PERFECT:
            up, down = b.top - a.top, b.bass - a.bass
            if up and down and (up > 0) == (down > 0):
                count += 1
    return count


def hidden_perfects(notes: Sequence[Note], start: int = 0, end: int | None = None) -> int:
    """Hidden (direct) fifths or octaves between the outer voices with the top voice leaping: at
    two successive onsets both outer voices move the same way into a fifth or octave/unison that
    was not there before, and the top voice moves by more than a whole step. Chorale style allows
    them only with the top voice moving by step."""
    chords = [s for s in sonorities(notes, onset_ticks(notes, start, end)) if len(s.pitches) >= 2]
    count = 0
    for a, b in itertools.pairwise(chords):
        ia, ib = (a.top - a.bass) % 12, (b.top - b.bass) % 12
        if ib in PERFECT and ia != ib:
            up, down = b.top - a.top, b.bass - a.bass
            if abs(up) > 2 and down and (up > 0) == (down > 0):
                count += 1
    return count


def part_voices(score: Score) -> list[list[Note]]:
    """The pitched parts that hold notes, ordered from the highest mean pitch to the lowest."""
    parts = [list(p.notes) for p in score.parts if not p.is_drum and p.notes]
    return sorted(parts, key=lambda ns: -sum(n.pitch for n in ns) / len(ns))


def voice_parallels(voices: Sequence[Sequence[Note]], start: int = 0, end: int | None = None,
                    ticks: Sequence[int] | None = None) -> int:
    """Consecutive fifths or octaves between any two voices (each voice's highest sounding
    pitch): at two successive onsets of the texture, both voices sound, both move in the same
    direction, and they form the same perfect interval (fifth, or octave/unison, compound or
    not) before and after. Bach's chorales avoid them between every pair, not only the outer
    voices (:func:`outer_voice_parallels`). With ``ticks`` (the beats, say) the voices are
    compared at those instead: an eighth between two beats does not hide fifths from one
    beat to the next."""
    if ticks is None:
        ticks = onset_ticks([n for v in voices for n in v], start, end)
    lines = [[max(sounding(v, t), default=None) for v in voices] for t in ticks]
    count = 0
    for a, b in itertools.pairwise(lines):
        for i, j in itertools.combinations(range(len(voices)), 2):
            if None in (a[i], a[j], b[i], b[j]):
                continue
            before, after = abs(a[i] - a[j]) % 12, abs(b[i] - b[j]) % 12
            up_i, up_j = b[i] - a[i], b[j] - a[j]
            if before == after and before in PERFECT and up_i and up_j and \
                    (up_i > 0) == (up_j > 0):
                count += 1
    return count


def struck_clashes(voices: Sequence[Sequence[Note]], ticks: Iterable[int]) -> tuple[int, int]:
    """(pairs of voices a semitone, major seventh or minor ninth apart with both notes struck at
    one of ``ticks``, ticks where 3+ voices sound): unprepared dissonances on the beat, which
    Bach's chorales have at 1.7% of their beats (bench/phrase_closes.py)."""
    clashes = total = 0
    for t in ticks:
        now = [max((n for n in v if n.start <= t < n.start + n.duration),
                   key=lambda n: n.pitch, default=None) for v in voices]
        if sum(n is not None for n in now) < 3:
            continue
        total += 1
        for a, b in itertools.combinations([n for n in now if n is not None], 2):
            clashes += a.start == t == b.start and abs(a.pitch - b.pitch) % 12 in (1, 11)
    return clashes, total


def cross_relations(voices: Sequence[Sequence[Note]], within: int, start: int = 0,
                    end: int | None = None) -> int:
    """Pairs of notes in two voices struck less than or exactly ``within`` ticks apart (not at
    once) that spell one letter two ways, F in one voice and F# in another: a false relation.
    The notes need spellings (``spelling.spell_score``); unspelled ones are skipped. An
    eleventh listening review counted 27 within a beat in 11 generated passages, 14 in Bach's
    same bars."""
    events = sorted((n.start, vi, n.spelling) for vi, v in enumerate(voices) for n in v
                    if n.spelling and n.start >= start and (end is None or n.start < end))
    count = 0
    for k, (t, vi, name) in enumerate(events):
        for t2, vj, name2 in events[k + 1:]:
            if t2 - t > within:
                break
            count += t2 > t and vj != vi and name2[0] == name[0] and name2 != name
    return count


def false_relations_at_once(voices: Sequence[Sequence[Note]], start: int = 0,
                            end: int | None = None) -> int:
    """Notes struck from ``start`` to ``end`` while a note of another voice sounds (struck with
    it or held) that spells the same letter another way: F in the tenor against F# in the bass.
    Bach's chorales let the two forms follow each other, not sound together (1 in the 3,615
    onsets of the held-out test melodies' settings, an eighteenth listening review found 7 in
    18 generated pieces). The notes need spellings (``spelling.spell_score``)."""
    notes = [(n, vi) for vi, v in enumerate(voices) for n in v if n.spelling]
    count = 0
    for n, vi in notes:
        if n.start < start or (end is not None and n.start >= end):
            continue
        count += any(vj != vi and m.start <= n.start < m.end and m.spelling[0] == n.spelling[0]
                     and m.spelling != n.spelling and not (m.start == n.start and vj < vi)
                     for m, vj in notes)
    return count


# The semitones each generic interval (0 a unison, 1 a second .. 6 a seventh) spans when it is
# perfect, major or minor: any other span is augmented or diminished
_PLAIN_SPANS = ({0}, {1, 2}, {3, 4}, {5}, {7}, {8, 9}, {10, 11})


def altered_moves(voices: Sequence[Sequence[Note]], start: int = 0, end: int | None = None
                  ) -> tuple[int, int]:
    """(moves from a note to the next other pitch in its voice, both struck from ``start`` to
    ``end``, whose interval is augmented or diminished as spelled: an augmented second or
    fourth, a diminished fourth or fifth, a chromatic slide C# to C (an augmented unison); such
    moves). The notes need spellings (``spelling.spell_score``); unspelled ones are skipped.
    A fifteenth listening review heard final cadences reached by them (C#3 to G2, F3 to B2)."""
    altered = total = 0
    for v in voices:
        line = sorted((n for n in v if n.spelling and n.start >= start
                       and (end is None or n.start < end)), key=lambda n: n.start)
        for a, b in itertools.pairwise(line):
            if a.pitch == b.pitch:
                continue
            total += 1
            steps = abs(_staff_step(b) - _staff_step(a))
            span = abs(b.pitch - a.pitch) - 12 * (steps // 7)
            altered += span not in _PLAIN_SPANS[steps % 7]
    return altered, total


def _staff_step(note: Note) -> int:
    """The note's line or space on the staff: its letter plus 7 per octave (B#3 is a B)."""
    name = note.spelling or ""
    alter = name.count("#") - name.count("b")
    return "CDEFGAB".index(name[0]) + 7 * ((note.pitch - alter) // 12)


def doubled_leading_tones(voices: Sequence[Sequence[Note]], ticks: Iterable[int],
                          key: KeySignature) -> tuple[int, int]:
    """(ticks where two or more voices sound ``key``'s leading tone, ticks where 3+ voices
    sound): Bach's chorales double the home key's leading tone at 1.6% of their beats, mostly
    where the music has moved to another key (bench/phrase_closes.py)."""
    leading = (key.tonic_pc + 11) % 12
    doubled = total = 0
    for t in ticks:
        now = [max(sounding(v, t), default=None) for v in voices]
        now = [p for p in now if p is not None]
        if len(now) < 3:
            continue
        total += 1
        doubled += sum(p % 12 == leading for p in now) >= 2
    return doubled, total


def wide_spacings(voices: Sequence[Sequence[Note]], ticks: Iterable[int]
                  ) -> tuple[list[int], int]:
    """(per pair of adjacent upper voices, the ticks where they sound more than an octave
    apart; ticks where every voice sounds): in a chorale the soprano and alto, and the alto
    and tenor, stay within an octave (the bass may lie further below). Voices high to low."""
    wide = [0] * max(0, len(voices) - 2)
    total = 0
    for t in ticks:
        now = [max(sounding(v, t), default=None) for v in voices]
        if any(p is None for p in now):
            continue
        total += 1
        for k in range(len(wide)):
            wide[k] += now[k] - now[k + 1] > 12
    return wide, total


def suspensions(voices: Sequence[Sequence[Note]], ticks: Iterable[int], beat: int
                ) -> tuple[int, int, int]:
    """(fourths, seconds or ninths, sevenths): at each tick of ``ticks`` (the beats, ``beat``
    ticks apart) where every voice sounds, the upper voices' notes held over it (struck half a
    beat or more before) that sound that interval over the bass (the lowest voice) and whose
    voice next steps down a semitone or a tone within the beat: suspensions, 4-3, 9-8 (2-1),
    7-6. Bach's 4/4 train chorales of the bach-chorales split hold 367, 258 and 216 in 3,960
    bars. Voices high to low."""
    kinds = {5: 0, 1: 1, 2: 1, 10: 2, 11: 2}
    out = [0, 0, 0]
    for t in ticks:
        now = [next((n for n in v if n.start <= t < n.end), None) for v in voices]
        if len(now) < 3 or any(n is None for n in now):
            continue
        bass = now[-1].pitch
        for v, n in zip(voices[:-1], now[:-1], strict=True):
            kind = kinds.get((n.pitch - bass) % 12)
            if kind is None or n.pitch <= bass or n.start > t - beat // 2:
                continue
            after = next((x for x in v if x.start >= n.end), None)
            if after is not None and 1 <= n.pitch - after.pitch <= 2 and after.start <= t + beat:
                out[kind] += 1
    return out[0], out[1], out[2]


def seventh_chord_beats(score: Score, start: int, end: int, notes: Sequence[Note] | None = None
                        ) -> tuple[int, int, int]:
    """(beats whose sonority is a seventh chord, of them those that are no dominant or
    diminished seventh (ii7, IV7, vi7, I7, iii7, half-diminished), beats with 3+ pitch
    classes): Bach's test chorales 15.4% and 8.4% (bench/phrase_closes.py)."""
    notes = score.notes if notes is None else notes
    sevenths = soft = total = 0
    for s in sonorities(notes, beat_ticks(score, start, end)):
        if len(s.pcs) >= 3:
            total += 1
            found = chord_root(s.pcs)
            if found is not None and found[1] in SEVENTHS:
                sevenths += 1
                soft += found[1] not in ("dom7", "dim7")
    return sevenths, soft, total


def doubled_sevenths(voices: Sequence[Sequence[Note]], ticks: Iterable[int]) -> tuple[int, int]:
    """(ticks where every voice sounds a seventh chord with its seventh in two voices, ticks
    where every voice sounds a seventh chord): Bach's test chorales double the seventh once in
    344 such beats (bench/phrase_closes.py)."""
    doubled = total = 0
    for t in ticks:
        now = [max(sounding(v, t), default=None) for v in voices]
        if len(now) < 4 or None in now:
            continue
        found = chord_root(frozenset(p % 12 for p in now))
        if found is None or found[1] not in SEVENTHS:
            continue
        total += 1
        seventh = (found[0] + SEVENTHS[found[1]][3]) % 12
        doubled += sum(p % 12 == seventh for p in now) >= 2
    return doubled, total


def root_position_diminished(notes: Sequence[Note], ticks: Iterable[int]) -> tuple[int, int]:
    """(sonorities at ``ticks`` that are diminished triads with the root in the bass, those
    that are triads or seventh chords): Bach's test chorales, 9 of 2,050 beat chords
    (bench/phrase_closes.py)."""
    bad = total = 0
    for s in sonorities(notes, ticks):
        found = chord_root(s.pcs)
        if found is None:
            continue
        total += 1
        bad += found[1] == "dim" and s.bass % 12 == found[0]
    return bad, total


def rising_sevenths(voices: Sequence[Sequence[Note]], end: int | None = None,
                    qualities: Sequence[str] = ("dom7",), counted: Sequence[int] | None = None
                    ) -> tuple[int, int]:
    """(seventh chords of ``qualities`` (dominant sevenths by default), struck or sounding at an
    onset of every voice, whose seventh moves up in its voice's next note; such sevenths), in
    every voice or those ``counted`` (indices: the bass's, -1):
    Bach's test chorales let 18 of 381 dominant sevenths rise (bench/phrase_closes.py)."""
    counted = None if counted is None else {k % len(voices) for k in counted}
    rising = total = 0
    onsets = sorted({n.start for v in voices for n in v if end is None or n.start < end})
    for t in onsets:
        now = [max((n for n in v if n.start <= t < n.start + n.duration),
                   key=lambda n: n.pitch, default=None) for v in voices]
        if len(now) < 4 or None in now:
            continue
        found = chord_root(frozenset(n.pitch % 12 for n in now))
        if found is None or found[1] not in qualities:
            continue
        seventh = (found[0] + SEVENTHS[found[1]][3]) % 12
        for k, (v, n) in enumerate(zip(voices, now, strict=True)):
            if n.pitch % 12 != seventh or (counted is not None and k not in counted):
                continue
            after = [m for m in v if m.start >= n.start + n.duration]
            if after:
                total += 1
                rising += min(after, key=lambda m: m.start).pitch > n.pitch
    return rising, total


def voice_crossings(voices: Sequence[Sequence[Note]], start: int = 0, end: int | None = None
                    ) -> tuple[int, int]:
    """(onsets where a voice sounds below the voice under it, onsets with 2+ voices sounding)."""
    ticks = onset_ticks([n for v in voices for n in v], start, end)
    crossed = total = 0
    for t in ticks:
        pitches = [sounding(v, t) for v in voices]
        lines = [(min(p), max(p)) for p in pitches if p]
        if len(lines) < 2:
            continue
        total += 1
        crossed += any(upper[0] < lower[1] for upper, lower in itertools.pairwise(lines))
    return crossed, total


def final_sonority(notes: Sequence[Note], end: int | None = None) -> Sonority | None:
    """What sounds at the last onset before ``end``."""
    ticks = onset_ticks(notes, 0, end)
    if not ticks:
        return None
    s = sonorities(notes, [ticks[-1]])
    return s[0] if s else None


def ends_on_tonic(notes: Sequence[Note], key: KeySignature, end: int | None = None) -> bool:
    s = final_sonority(notes, end)
    return s is not None and is_tonic(s, key)


def bar_contents(notes: Sequence[Note], bar_starts: Sequence[int]) -> list[tuple]:
    """Each bar as a comparable value: (onset in bar, pitch, duration clipped to the bar)."""
    out = []
    for b0, b1 in itertools.pairwise(bar_starts):
        out.append(tuple(sorted((n.start - b0, n.pitch, min(n.end, b1) - n.start)
                                for n in notes if b0 <= n.start < b1)))
    return out


def restated_bars(score: Score, notes: Sequence[Note], start: int, end: int) -> tuple[int, int]:
    """(bars from ``start`` to ``end`` that repeat an earlier bar note for note, bars). Empty bars
    do not count as restatements."""
    starts = score.bar_starts(end + 1)
    starts = [b for b in starts if b <= end]
    if not starts or starts[-1] != end:
        starts.append(end)
    contents = bar_contents(notes, starts)
    first = next((i for i, b in enumerate(starts) if b >= start), len(contents))
    seen = set(contents[:first])
    restated = 0
    for c in contents[first:]:
        restated += bool(c) and c in seen
        seen.add(c)
    return restated, len(contents) - first


def seam_steps(notes: Sequence[Note], seam: int) -> list[int]:
    """Semitone steps of the outer voices into ``seam``: from what sounds just before it to what
    sounds at the first onset at or after it. [] when either side is silent."""
    before = [n for n in notes if n.start < seam]
    after = onset_ticks(notes, seam)
    if not before or not after:
        return []
    last = max(n.start for n in before)
    a = sonorities(before, [last])
    b = sonorities(notes, [after[0]])
    if not a or not b:
        return []
    a_s, b_s = a[0], b[0]
    return [abs(b_s.top - a_s.top), abs(b_s.bass - a_s.bass)]
