"""Pitch spelling: which letter names a MIDI pitch (G# or Ab?) when no file told us.

The algorithm is Meredith's PS13 (first stage, "ps13s1"; Meredith 2006, *The ps13 pitch spelling
algorithm*, JNMR 35(2)), made key-aware. For each note it counts the pitch classes of the
``K_PRE`` notes before it and the ``K_POST`` after it; every pitch class ``t`` votes, with its
count, for the letter the note has in the chromatic scale on ``t`` (1 b2 2 b3 3 4 #4 5 b6 6 b7 7).
The key signature in force adds ``KEY_WEIGHT`` votes for its tonic, and the relative major or minor
half as many, so a short or chromatic passage still leans towards the written key. The letter with
the most votes wins; a tie goes to the spelling with the fewer sharps or flats.

Why this and not a library: partitura implements PS13 too but needs scipy (tens of MB in the
bundle) and its own note arrays; music21 only offers per-pitch helpers (``simplifyEnharmonic``,
key-relative defaults) with no context. This file is a hundred lines, pure Python, and is measured
on the Bach chorales in ``bench/notation.py`` (see docs/notation.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from .clefs import STAVES_END
from .score import KeySignature, Note, Score

K_PRE = 10
K_POST = 42
KEY_WEIGHT = 4

_LETTERS = "CDEFGAB"
_NATURAL_PC = (0, 2, 4, 5, 7, 9, 11)
# The letter (0=C .. 6=B) of each chromatic pitch class as a tonic, and each chromatic step above a
# tonic as a number of letters: the chromatic harmonic scale 1 b2 2 b3 3 4 #4 5 b6 6 b7 7.
_TONIC_LETTER = (0, 1, 1, 2, 2, 3, 3, 4, 5, 5, 6, 6)
_STEP_LETTERS = (0, 1, 1, 2, 2, 3, 3, 4, 5, 5, 6, 6)
_ACCIDENTAL = {-2: "bb", -1: "b", 0: "", 1: "#", 2: "##"}


def spelling_for(letter: int, pc: int) -> str | None:
    """The spelling of pitch class ``pc`` with letter ``letter`` (0=C), or None beyond doubles."""
    alter = (pc - _NATURAL_PC[letter] + 6) % 12 - 6
    accidental = _ACCIDENTAL.get(alter)
    return None if accidental is None else _LETTERS[letter] + accidental


def key_spelling(pc: int, key: KeySignature | None) -> str:
    """The plain spelling of a pitch class in a key: its letter from the key's scale where it is
    in it, else sharps in sharp keys and flats in flat keys."""
    sharps = key.sharps if key is not None else 0
    # line of fifths: F=-1, C=0, G=1 ...; a key with s sharps holds positions s-1 .. s+5
    fifths = (pc * 7) % 12  # 0..11 on the sharp side
    lo = sharps - 1 if sharps >= 0 else sharps - 5
    while fifths < lo:
        fifths += 12
    while fifths - 12 >= lo:
        fifths -= 12
    return _from_fifths(fifths)


def _from_fifths(q: int) -> str:
    letter = "FCGDAEB"[(q + 1) % 7]
    return letter + _ACCIDENTAL[(q + 1) // 7]


def _fifths(spelling: str) -> int:
    """Position on the line of fifths: C=0, G=1, F=-1, F#=6, Bb=-2."""
    return "FCGDAEB".index(spelling[0]) - 1 + 7 * (spelling.count("#") - spelling.count("b"))


def _tonic_letters(key: KeySignature | None) -> tuple[int, ...]:
    """The letter of each pitch class as a voting tonic: named as the key signature names it
    (C#, not Db, under four sharps), else :data:`_TONIC_LETTER`. With fixed flat names a passage
    in E major that leans on C# minor voted for Fb and Cb (a listening review's E major chorale
    ended in Db, Eb, Fb under four sharps)."""
    if key is None:
        return _TONIC_LETTER
    return _KEY_TONIC_LETTERS.setdefault(key.sharps, tuple(
        _LETTERS.index(key_spelling(t, key)[0]) for t in range(12)))


_KEY_TONIC_LETTERS: dict[int, tuple[int, ...]] = {}


def spell_pitches(events: Sequence[tuple[int, int, int, int]],
                  keys: Sequence[KeySignature | None]) -> list[str]:
    """Spell ``(onset, pitch, end, voice)`` events given in score order, with the key in force at
    each. ``voice`` groups the notes of one line (a part), for the melodic rule of pass two."""
    n = len(events)
    pcs = [e[1] % 12 for e in events]
    # prefix[i][t]: how many of the first i notes have pitch class t
    prefix = [[0] * 12]
    for pc in pcs:
        row = prefix[-1][:]
        row[pc] += 1
        prefix.append(row)
    votes_of: list[list[float]] = []
    first: list[str] = []
    for i, pc in enumerate(pcs):
        lo, hi = max(0, i - K_PRE), min(n, i + K_POST)
        counts = [b - a for a, b in zip(prefix[lo], prefix[hi], strict=True)]
        key = keys[i]
        if key is not None:
            counts[key.tonic_pc] += KEY_WEIGHT
            relative = (key.tonic_pc + (9 if key.quality == "major" else 3)) % 12
            counts[relative] += KEY_WEIGHT / 2
        votes = [0.0] * 7
        tonic_letter = _tonic_letters(key)
        for t in range(12):
            if counts[t]:
                votes[(tonic_letter[t] + _STEP_LETTERS[(pc - t) % 12]) % 7] += counts[t]
        votes_of.append(votes)
        first.append(_best(pc, votes, key, {}))
    # pass two: the harmony sounding at each onset and the line's neighbours can overrule a close
    # vote (A# under F# and C#, not Bb; a leading tone a letter below the note it leads to)
    bonuses: list[dict[int, float]] = []
    sounding = _sounding(events)
    lines = _neighbours(events)
    passing = _chromatic_passing(events)
    for i, pc in enumerate(pcs):
        bonus: dict[int, float] = {}
        top = max(votes_of[i]) or 1.0
        key = keys[i]  # (a minor key's leading tone: the seventh degree's letter, -1 for none)
        leading = (_tonic_letters(key)[key.tonic_pc] + 6) % 7 if key is not None and \
            key.quality == "minor" and pc == (key.tonic_pc + 11) % 12 else -1
        for letter in range(7):
            name = spelling_for(letter, pc)
            if name is None:
                continue
            q = _fifths(name)
            b = 0.0
            for j in sounding[i]:
                if abs(q - _fifths(first[j])) > 6:
                    b -= HARMONY_WEIGHT
            for j in lines[i]:
                step = abs(events[j][1] - events[i][1])
                if step in (1, 2):
                    apart = abs(letter - _LETTERS.index(first[j][0]))
                    b += MELODY_WEIGHT if apart in (1, 6) else -MELODY_WEIGHT
            before = passing.get(i)
            if before is not None and letter == _LETTERS.index(first[before][0]):
                b += PASSING_WEIGHT
            if letter == leading:
                b += LEADING_WEIGHT
            bonus[letter] = b * top
        bonuses.append(bonus)
    # a note struck again in its line is one spelling: the run's votes together choose it
    out: list[str] = [""] * n
    for run in _repeats(events):
        votes = [sum(votes_of[i][letter] for i in run) for letter in range(7)]
        bonus = {letter: sum(bonuses[i].get(letter, 0.0) for i in run) for letter in range(7)}
        name = _best(pcs[run[0]], votes, keys[run[0]], bonus)
        for i in run:
            out[i] = name
    return out


def _repeats(events: Sequence[tuple[int, int, int, int]]) -> list[list[int]]:
    """The events grouped into runs of one pitch struck again and again in a voice that sounds
    one note at a time (every other event alone): a repeated G#4 spelled G# and then A-flat,
    tied into the next bar before rising to A, read as a diminished unison (a listening
    review's D minor continuation)."""
    runs: list[list[int]] = []
    for idx in _by_voice(events):
        onsets = [events[i][0] for i in idx]
        many = Counter(onsets)
        single = [many[t] == 1 for t in onsets]
        run: list[int] = []
        for k, i in enumerate(idx):
            if run and single[k] and single[k - 1] and events[i][1] == events[run[-1]][1] \
                    and events[run[-1]][2] >= events[i][0]:
                run.append(i)
                continue
            if run:
                runs.append(run)
            run = [i]
        if run:
            runs.append(run)
    return runs


HARMONY_WEIGHT = 0.3
MELODY_WEIGHT = 0.2
# A chromatic passing note takes the letter of the note it leaves: D-D#-E rising, E-Eb-D
# falling (a copyist's review read a generated bass D-Eb-E in G major)
PASSING_WEIGHT = 0.8
# A minor key's leading tone leans to the seventh degree's letter (F# in G minor): a listening
# review read a generated G minor chord spelled A, E-flat, D-flat, G-flat in the bass, the
# context's flats outvoting it. The speller alone on music21's 410 Bach chorales (bench/
# notation.py): 0.5 changes none of their notes, 1.0 one and 2.0 three, where Bach writes A-flat
# under A minor's signature in a passage in flats (bwv188.6, 244.62, 331); of 32 minor-key
# files the app generated in reviews, 0.5 respells 5 notes, each to the leading tone (E# in F#
# minor, D# in E minor twice, F# in G minor twice; /work/s66/spgen.py, a scratch script)
LEADING_WEIGHT = 0.5


def _chromatic_passing(events: Sequence[tuple[int, int, int, int]]) -> dict[int, int]:
    """{event: the event before it in its voice} where a voice that sounds one note at a time
    moves a semitone into it and on a semitone the same way."""
    out: dict[int, int] = {}
    for idx in _by_voice(events):
        many = Counter(events[i][0] for i in idx)
        line = [i for i in idx if many[events[i][0]] == 1]
        if len(line) != len(idx):
            continue  # chords in the voice: no line to read
        for a, b, c in zip(line, line[1:], line[2:], strict=False):
            up, on = events[b][1] - events[a][1], events[c][1] - events[b][1]
            if abs(up) == 1 and up == on:
                out[b] = a
    return out


def _best(pc: int, votes: list[float], key: KeySignature | None, bonus: dict[int, float]) -> str:
    best = None
    for letter in range(7):
        name = spelling_for(letter, pc)
        if name is None:
            continue
        rank = (votes[letter] + bonus.get(letter, 0.0), -len(name))
        if best is None or rank > best[0]:
            best = (rank, name)
    return best[1] if best is not None else key_spelling(pc, key)


def _sounding(events: Sequence[tuple[int, int, int, int]]) -> list[list[int]]:
    """For each event, the other events sounding at its onset (started, not yet ended)."""
    out: list[list[int]] = []
    active: list[int] = []
    for i, (start, _p, _end, _v) in enumerate(events):
        active = [j for j in active if events[j][2] > start]
        out.append(list(active))
        for j in active:
            if events[j][0] == start:
                out[j].append(i)
        active.append(i)
    return out


def _by_voice(events: Sequence[tuple[int, int, int, int]]) -> list[list[int]]:
    """The indices of ``events`` grouped by voice, each group in score order."""
    by_voice: dict[int, list[int]] = {}
    for i, e in enumerate(events):
        by_voice.setdefault(e[3], []).append(i)
    return list(by_voice.values())


def _neighbours(events: Sequence[tuple[int, int, int, int]]) -> list[list[int]]:
    """For each event, the nearest-in-pitch note before it and after it in the same voice."""
    out: list[list[int]] = [[] for _ in events]
    for idx in _by_voice(events):
        onsets = sorted({events[i][0] for i in idx})
        at: dict[int, list[int]] = {}
        for i in idx:
            at.setdefault(events[i][0], []).append(i)
        for k, t in enumerate(onsets):
            for i in at[t]:
                for other in (k - 1, k + 1):
                    if 0 <= other < len(onsets):
                        group = at[onsets[other]]
                        out[i].append(min(group, key=lambda j: abs(events[j][1] - events[i][1])))
    return out


def spell_score(score: Score) -> Score:
    """Every pitched note without a spelling gets one; spelled notes (from a file) are kept and
    count as context. Drum parts are left alone."""
    events = []
    for pi, part in enumerate(score.parts):
        if part.is_drum:
            continue
        for ni, note in enumerate(part.notes):
            events.append((note.start, note.pitch, note.end, pi, ni))
    if not events or all(score.parts[pi].notes[ni].spelling for *_, pi, ni in events):
        return score
    events.sort()
    names = spell_pitches([(s, p, e, pi) for s, p, e, pi, _ in events],
                          [score.key_at(s) for s, *_ in events])
    chosen: dict[tuple[int, int], str] = {}
    for (*_, pi, ni), name in zip(events, names, strict=True):
        chosen[pi, ni] = name
    parts = []
    for pi, part in enumerate(score.parts):
        if part.is_drum:
            parts.append(part)
            continue
        notes = tuple(n if n.spelling else _spelled(n, chosen[pi, ni])
                      for ni, n in enumerate(part.notes))
        parts.append(replace(part, notes=notes))
    return score.with_parts(parts)


def _spelled(note: Note, spelling: str) -> Note:
    return replace(note, spelling=spelling)


def interval_fifths(transposition: tuple[int, int]) -> int:
    """A transposition (diatonic steps, semitones: ``Part.transposition``) as a move along the
    line of fifths: a major second down -2 (C to B-flat), a perfect fifth down -1 (C to F)."""
    steps, semitones = transposition
    letter = steps % 7
    alter = semitones - _NATURAL_PC[letter] - 12 * (steps // 7)
    return _fifths(_LETTERS[letter]) + 7 * alter


def written_key(key: KeySignature | None, transposition: tuple[int, int]
                ) -> KeySignature | None:
    """The key signature a transposing part is written in where the music sounds in ``key``:
    concert C major is D major for a clarinet in B-flat, G major for a horn in F. One of more
    than six sharps or flats is written as its enharmonic (concert B major for the clarinet:
    D-flat major, not C-sharp major), as publishers write the parts."""
    if key is None or transposition == (0, 0):
        return key
    sharps = key.sharps - interval_fifths(transposition)
    return replace(key, sharps=min((sharps, sharps - 12, sharps + 12), key=abs))


def at_written_pitch(score: Score) -> Score:
    """The score with each transposing part's notes (``Part.transposition``) at written pitch,
    spelled as the sounding spellings moved by the transposition (and by the enharmonic
    :func:`written_key` chose), for MusicXML export: MuseScore, Sibelius and Dorico read a
    ``<transpose>`` part's pitches as written. A part whose written notes would leave MIDI's
    range is left at sounding pitch, its transposition dropped."""
    parts = []
    for part in score.parts:
        steps, semitones = part.transposition
        if (steps, semitones) == (0, 0) or part.is_drum:
            parts.append(part)
            continue
        if any(not 0 <= n.pitch - semitones <= 127 for n in part.notes):
            parts.append(replace(part, transposition=(0, 0)))
            continue
        q = interval_fifths(part.transposition)
        notes = []
        for n in part.notes:
            pitch = n.pitch - semitones
            key = score.key_at(n.start)
            written = written_key(key, part.transposition)
            name = None
            if n.spelling:  # (a spelling always names its note's pitch: Note)
                moved = _fifths(n.spelling) - q - (
                    key.sharps - q - written.sharps if key and written else 0)
                if -15 <= moved <= 20:  # (no further than double sharps and flats)
                    name = _from_fifths(moved)
            notes.append(replace(n, pitch=pitch, spelling=name or key_spelling(pitch % 12,
                                                                                 written)))
        split = tuple((t, low - semitones if low != STAVES_END else low)
                      for t, low in part.staff_split)
        parts.append(replace(part, notes=tuple(notes), staff_split=split))
    return score.with_parts(parts)


__all__ = ["at_written_pitch", "interval_fifths", "key_spelling", "spell_pitches",
           "spell_score", "spelling_for", "written_key"]
