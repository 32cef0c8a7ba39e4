"""Clefs, staves and part labels for notation: what a copyist would choose for a part.

A clef read from a file is kept; otherwise the part's range decides (treble, treble-8vb for a tenor,
bass), and a piano, or any part that reaches well below and above middle C, gets a grand staff.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Sequence
from statistics import median, median_high

from .hands import TOGETHER, hands
from .marks import PEDAL_MARKS
from .score import TPQ, Note, Part

MIDDLE_C = 60
# MusicXML (sign, line, octave change) of each clef name the score model knows.
CLEF_SIGNS = {
    "treble": ("G", 2, 0),
    "treble-8vb": ("G", 2, -1),
    "treble-8va": ("G", 2, 1),
    "bass": ("F", 4, 0),
    "bass-8vb": ("F", 4, -1),
    "alto": ("C", 3, 0),
    "tenor": ("C", 4, 0),
    "percussion": ("percussion", 2, 0),
}
_KEYBOARD_PROGRAMS = range(0, 8)  # General MIDI pianos (also what a part without one gets)
_VOICES = {"soprano", "alto", "tenor", "bass", "voice", "melody", "s", "a", "t", "b"}
_ABBREVIATIONS = {
    "soprano": "S.", "alto": "A.", "tenor": "T.", "bass": "B.", "piano": "Pno.",
    "pianoforte": "Pno.", "violin": "Vln.", "viola": "Vla.", "violoncello": "Vc.", "cello": "Vc.",
    "contrabass": "Cb.", "double bass": "Cb.", "flute": "Fl.", "oboe": "Ob.", "clarinet": "Cl.",
    "bassoon": "Bsn.", "horn": "Hn.", "trumpet": "Tpt.", "trombone": "Tbn.", "tuba": "Tba.",
    "guitar": "Gtr.", "harp": "Hp.", "organ": "Org.", "voice": "V.", "drums": "Dr.",
    "drum kit": "Dr.", "percussion": "Perc.", "harpsichord": "Hpd.", "recorder": "Rec.",
    "melody": "Mel.",
}


def abbreviation(part: Part) -> str:
    """The short name printed before later systems: the part's own, a customary one for a known
    instrument ("Violin 2" -> "Vln. 2"), else the name's first three letters and a dot."""
    if part.abbreviation:
        return part.abbreviation
    name = " ".join(part.name.split())
    if not name:
        return ""
    match = re.fullmatch(r"(.*?)\s*(\d+|[IVX]+)?", name)
    base, number = (match.group(1), match.group(2)) if match else (name, None)
    short = _ABBREVIATIONS.get(base.lower())
    if short is None:
        short = base if len(base) <= 4 else base[:3].rstrip() + "."
    return f"{short} {number}" if number else short


# Each single-staff clef's bottom line, as a diatonic step (C4 = 28: octave * 7 + letter); its
# top line is 8 steps above
_BOTTOM_LINE = {"treble": 30, "treble-8vb": 23, "treble-8va": 37, "bass": 18, "bass-8vb": 11,
                "alto": 24, "tenor": 22}
# how many ledger lines a note on a staff may need, above or below, and still fit its clef
LEDGER_LINES = 3
_STEP = (0, 0, 1, 1, 2, 3, 3, 4, 4, 5, 5, 6)  # each pitch class's letter (a sharp: the one below)


def fits_clef(notes: Sequence[Note], clef: str) -> bool:
    """Whether ``notes`` read on one staff of ``clef`` within :data:`LEDGER_LINES` ledger lines
    (a clef that is not one staff's, and no notes, fit)."""
    bottom = _BOTTOM_LINE.get(clef)
    if bottom is None or not notes:
        return True
    steps = [(n.pitch // 12 - 1) * 7 + _STEP[n.pitch % 12] for n in notes]
    return (bottom - min(steps)) // 2 <= LEDGER_LINES and \
        (max(steps) - bottom - 8) // 2 <= LEDGER_LINES


def needs_grand_staff(part: Part) -> bool:
    """A piano, or a part spanning well below and above middle C, reads best on two staves.
    A clef the part states (its file's) is kept while its notes fit it (:func:`fits_clef`);
    once they do not, the range decides as for a part without one: a one-staff piano sketch
    continued in four voices had its bass on six ledger lines below the treble staff (a
    trial)."""
    if part.is_drum or part.clef == "percussion":
        return False
    if part.clef == "grand":
        return True
    if part.clef and fits_clef(part.notes, part.clef):
        return False
    pitches = [n.pitch for n in part.notes]
    if not pitches:
        return False
    low, high = min(pitches), max(pitches)
    voice = part.name.split()[0].lower() in _VOICES if part.name.split() else False
    if (part.program in _KEYBOARD_PROGRAMS and not voice and low < MIDDLE_C - 5
            and high > MIDDLE_C + 5):
        return True
    return low < MIDDLE_C - 12 and high > MIDDLE_C + 12


def hands_pair(upper: Part, lower: Part) -> bool:
    """Two piano parts (a recording's right- and left-hand tracks) that notation should brace
    into one grand staff: both keyboard programs, single-staff, the first sitting higher, and
    neither with a clef of its own (a notation file's parts carry their clefs and staves: an
    ABC chorale's tenor and bass, numbered voices without instruments, were braced as a
    piano)."""
    if upper.is_drum or lower.is_drum or not upper.notes or not lower.notes:
        return False
    if (upper.clef or lower.clef) and not _named_hands(upper, lower):
        return False
    if upper.program not in _KEYBOARD_PROGRAMS or lower.program not in _KEYBOARD_PROGRAMS:
        return False
    if any(w in _VOICES for p in (upper, lower) for w in p.name.lower().split()[:1]):
        return False
    high, low = median(n.pitch for n in upper.notes), median(n.pitch for n in lower.notes)
    if needs_grand_staff(upper) or needs_grand_staff(lower):
        # hands that each cross middle C: a left hand's Alberti bass on C4-G4, a rag's chords
        # up to E-flat 4 over its bass octaves. Each had been given a grand staff of its own,
        # three staves for one piano and the left hand's chords on a treble staff (a review
        # of played MIDI files); paired where the tracks name a keyboard's hands or nothing
        unnamed = not upper.name.strip() and not lower.name.strip()
        return ((unnamed or _named_hands(upper, lower))
                and high >= MIDDLE_C + HANDS_APART and low <= MIDDLE_C + 2
                and high - low >= HANDS_APART)
    return (high > low and clef_by_range(lower.notes) == "bass"
            and clef_by_range(upper.notes) == "treble")


# how far apart (semitones, between their median pitches) two tracks that each cross middle C
# must lie to be one keyboard's hands
HANDS_APART = 7


def paired_hands(parts: Sequence[Part]) -> dict[int, int]:
    """The parts notation writes as one keyboard's two hands, by index: 0 the upper staff, 1
    the lower. Each is one staff of the braced pair; notation and its quantizing share this."""
    out: dict[int, int] = {}
    for i in range(len(parts) - 1):
        if i not in out and hands_pair(parts[i], parts[i + 1]):
            out[i], out[i + 1] = 0, 1
    return out


def pedal_parts(parts: Sequence[Part]) -> list[int]:
    """The part whose sustain pedal each part sounds with, by index: its own; for the upper
    of a keyboard's two hands (:func:`paired_hands`) that has no pedal of its own, the lower
    hand's, where that has one. One pedal holds both hands: a two-track piano file pedals its
    right hand from the left hand's track on their one channel, and the right hand had been
    played, and exported to MIDI, without it (a trial's nocturne)."""
    out = list(range(len(parts)))
    for i, hand in paired_hands(parts).items():
        if hand == 0 and not _pedalled(parts[i]) and _pedalled(parts[i + 1]):
            out[i] = i + 1
    return out


def _pedalled(part: Part) -> bool:
    return any(m in PEDAL_MARKS for n in part.notes for m in n.marks)


_KEYBOARDS = {"piano", "pno", "pno.", "pianoforte", "klavier", "keyboard", "harpsichord",
              "cembalo", "organ", "clavichord"}


def _named_hands(upper: Part, lower: Part) -> bool:
    """Two parts of a file that name one keyboard: the upper named as one ("Piano", "Piano
    RH"), the lower unnamed or named as the same one; or the two named as a right and a left
    hand ("Right hand", "Left hand": a trial's two-track MIDI nocturne, whose left hand reaches
    A4, was engraved as a lone staff and a grand staff of its own, three staves). Their clefs
    are the hands' own (a notation review found an ABC piano sketch's two voices, clef=treble
    and clef=bass, engraved as two instruments without a brace)."""
    first = [p.name.lower().split()[:1] for p in (upper, lower)]
    if bool(first[0]) and first[0][0] in _KEYBOARDS and first[1] in ([], first[0]):
        return True
    words = [set(re.findall(r"[a-z]+", p.name.lower().replace(".", ""))) for p in (upper, lower)]
    return bool(words[0] & _HAND_WORDS[0]) and bool(words[1] & _HAND_WORDS[1])


# words that name a keyboard's right and left hand in a part's or track's name
_HAND_WORDS = ({"right", "rh", "rechte", "droite", "destra"},
               {"left", "lh", "linke", "gauche", "sinistra"})


def choir_runs(parts: Sequence[Part]) -> list[tuple[int, int]]:
    """(first, last) index of each run of two or more neighbouring parts named as voices
    (Soprano, Alto, Tenor, Bass, Melody), which notation brackets as a choir: a review found
    the four staves of every harmonization and chorale continuation unbracketed."""
    voice = [bool(p.name.split()) and p.name.split()[0].lower() in _VOICES and not p.is_drum
             and p.clef != "grand" for p in parts]
    runs: list[tuple[int, int]] = []
    for i, v in enumerate(voice):
        if v and runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        elif v:
            runs.append((i, i))
    return [r for r in runs if r[1] > r[0]]


def clef_by_range(notes: Sequence[Note], name: str = "") -> str:
    """Treble, treble-8vb (a tenor's range) or bass, by where most of the notes lie. A part named
    as a tenor voice gets treble-8vb wherever its notes fit it (a tenor around middle C in plain
    treble sits on ledger lines below the staff), and one named as a bass voice the bass clef
    (a harmonized melody's bass around C3-F3 had been given the tenor's clef)."""
    if not notes:
        return "treble"
    middle = median(n.pitch for n in notes)
    if name.strip().lower().startswith(("bass", "b.")) and middle < MIDDLE_C + 3:
        return "bass"
    if (name.strip().lower().startswith(("tenor", "ten.", "t.")) and middle < MIDDLE_C + 7
            and min(n.pitch for n in notes) >= MIDDLE_C - 15):
        return "treble-8vb"
    if middle >= MIDDLE_C - 1:
        return "treble"
    if middle >= MIDDLE_C - 8 and min(n.pitch for n in notes) >= MIDDLE_C - 15:
        return "treble-8vb"
    return "bass"


def split_hands(notes: Sequence[Note], split: Sequence[tuple[int, int]] = ()
                ) -> tuple[list[Note], list[Note]]:
    """Right hand (upper staff) and left hand: with ``split`` (a part's ``staff_split``, read
    from its file's two staves) a note goes up from the lowest pitch of the upper staff in
    force where it starts; without one, four voices go two and two (:func:`_four_part_ranks`)
    and anything else as a pianist's hands would play it (:func:`.hands.hands`: what a hand
    can reach, middle C breaking ties).

    A file's own staves say more than any guess: a copyist's review read a closed-score
    chorale's tenor pulled up among the soprano and alto, and a rag's left hand, which its
    file writes in the treble clef for four bars, moved to the right hand's staff. (A first
    guess by each hand's last note near middle C was tried long ago and left: on a recording
    whose left hand reaches B3 under a right hand on C4 it misplaced more than it saved.)"""
    ends = next((t for t, low in split if low == STAVES_END), None)
    if ends is not None:  # (the file's staves, then as without them)
        kept = tuple(x for x in split if x[1] != STAVES_END)
        up, down = split_hands([n for n in notes if n.start < ends], kept)
        more_up, more_down = split_hands([n for n in notes if n.start >= ends])
        return up + more_up, down + more_down
    if split:
        ticks = [t for t, _ in split]
        ups = [n.pitch >= split[max(bisect.bisect_right(ticks, n.start) - 1, 0)][1]
               for n in notes]
    else:
        ranked = _four_part_ranks(notes)
        ups = ranked if ranked is not None else hands(notes, MIDDLE_C)
    _unisons_shared(notes, ups)
    return ([n for n, up in zip(notes, ups, strict=True) if up],
            [n for n, up in zip(notes, ups, strict=True) if not up])


# A key struck by both hands at once (a nocturne's tune and its arpeggio on E4 together) is two
# notes of one pitch and onset, which one division sends to one staff: the arpeggio lost a
# note and the tune's staff held both (a re-trial). One of them goes to the other hand where
# that hand plays within this many ticks of it: the one whose length is nearer its notes'
UNISON_REACH = 2 * TPQ


def _unisons_shared(notes: Sequence[Note], ups: list[bool]) -> None:
    """Deal the notes of a unison struck by both hands out to both (in place, ``ups``)."""
    by_key: dict[tuple[int, int], list[int]] = {}
    for i, n in enumerate(notes):
        by_key.setdefault((n.start, n.pitch), []).append(i)
    for (start, _), group in by_key.items():
        if len(group) < 2 or len({ups[i] for i in group}) > 1:
            continue
        side = ups[group[0]]
        near = [n.duration for n, up in zip(notes, ups, strict=True)
                if up != side and abs(n.start - start) <= UNISON_REACH]
        if not near:
            continue
        typical = median_high(near)
        moved = min(group, key=lambda i: (abs(math.log(max(notes[i].duration, 1) / typical)), i))
        ups[moved] = not side


def upper_staff_from(part: Part, tick: int) -> int:
    """The lowest pitch a keyboard ``part``'s upper staff takes at ``tick``: its file's
    division there (``staff_split``, up to the file's end), else middle C. A region that
    rewrites one hand keeps its notes on that hand's side of it."""
    split = [x for x in part.staff_split if x[1] != STAVES_END]
    ends = next((t for t, low in part.staff_split if low == STAVES_END), None)
    if not split or (ends is not None and tick >= ends):
        return MIDDLE_C
    i = bisect.bisect_right([t for t, _ in split], tick) - 1
    return split[max(i, 0)][1]


# A part that sounds four notes at once at most of its onsets is four voices (a chorale played
# on one track, a hymn's MIDI file): its two upper voices go up, its two lower down, wherever
# they lie, as a closed-score chorale is written. A review of played MIDI files read 20 of a
# chorale's 44 tenor notes on the treble staff, split at middle C. (A note counts as sounding
# at an onset where it sounds FOUR_PART_SLACK after it: a legato overlap is not a voice, and a
# chord's notes struck a little apart are one chord.)
FOUR_PART_SHARE = 0.8
FOUR_PART_SLACK = TOGETHER
# ... and whose voices move as lines: at this share of onsets or more, some voice below the top
# moves while another holds (a keyboard's block chords, a bass under a triad struck together,
# strike all four at once, and a tune over held triads moves only on top: they split at middle
# C as hands; a re-trial's one-track ballad had its triads' tops engraved in the right hand)
FOUR_PART_LINES = 0.1


def _four_part_ranks(notes: Sequence[Note]) -> list[bool] | None:
    """For a texture of four voices, whether each note goes up (among the two highest
    sounding where it starts, else above the last such onset's division); None for any other
    texture."""
    if len(notes) < 16:
        return None
    starts = sorted({n.start for n in notes})
    ordered = sorted(notes, key=lambda n: n.start)
    sounding: dict[int, list[int]] = {}  # onset: the pitches sounding there, high to low
    active: list[Note] = []
    i = moving = 0  # (onsets of four sounding where a voice below the top moves, one holding)
    before: list[int] = []
    for t in starts:
        while i < len(ordered) and ordered[i].start <= t + FOUR_PART_SLACK:
            active.append(ordered[i])
            i += 1
        active = [n for n in active if n.end > t + FOUR_PART_SLACK]
        sounding[t] = sorted((n.pitch for n in active), reverse=True)
        struck = [n.pitch for n in active if t <= n.start <= t + FOUR_PART_SLACK]
        # (a pitch struck again is no move: a ballad's left hand repeating its triad in
        # eighths under the tune's quarters had been taken for voices, its tops engraved in
        # the right hand: a review)
        moving += len(sounding[t]) == 4 and len(struck) < 4 and \
            any(p != sounding[t][0] and p not in before for p in struck)
        before = sounding[t]
    if sum(len(p) == 4 for p in sounding.values()) < FOUR_PART_SHARE * len(starts) or \
            moving < FOUR_PART_LINES * len(starts):
        return None
    division = MIDDLE_C  # the lowest pitch of the upper pair at the last onset of four
    divisions: dict[int, int] = {}
    for t in starts:
        if len(sounding[t]) == 4:
            division = sounding[t][1]
        divisions[t] = division
    return [n.pitch >= divisions[n.start] for n in notes]


# A ``staff_split`` entry of this pitch says that the file's staves end at its tick: notes from
# there on (a continuation, notes drawn after) are divided as a part without a file's staves
# is (split_hands). Without it, the file's last division held on: a nocturne whose left hand
# last reached E4 was continued (four voices) with every voice in the left hand, the right hand
# resting; and a file's staves that divide at middle C throughout were kept as no division at
# all, so a ballad's melody over left-hand triads was taken for four voices, the triads' top
# notes engraved in the right hand (a trial's own piano sketches).
STAVES_END = -1


def staff_split_of(upper: Sequence[Note], lower: Sequence[Note]) -> tuple[tuple[int, int], ...]:
    """The ``staff_split`` of a part a file wrote on two staves: at each onset the lowest pitch
    of the upper staff lies above the lower staff's notes struck there and at or below the
    upper staff's, kept where it was while it fits (middle C to start with); where the staves
    cross, the upper staff's lowest note; and where the staves' last note ends, STAVES_END."""
    ups: dict[int, int] = {}  # onset: the lowest pitch the upper staff strikes there
    downs: dict[int, int] = {}  # ... the highest the lower staff strikes
    for n in upper:
        ups[n.start] = min(ups.get(n.start, 128), n.pitch)
    for n in lower:
        downs[n.start] = max(downs.get(n.start, -1), n.pitch)
    out: list[tuple[int, int]] = []
    now = MIDDLE_C
    for tick in sorted(set(ups) | set(downs)):
        hi, lo = ups.get(tick, 128), downs.get(tick, -1) + 1
        b = min(hi, max(lo, now)) if lo <= hi else hi
        if b != now or not out:
            out.append((tick, b))
            now = b
    if not out:
        return ()
    end = max(n.start + n.duration for n in (*upper, *lower))
    return (*out, (end, STAVES_END))


__all__ = ["CLEF_SIGNS", "HANDS_APART", "LEDGER_LINES", "STAVES_END", "abbreviation",
           "choir_runs", "clef_by_range", "fits_clef", "hands_pair", "needs_grand_staff",
           "paired_hands", "pedal_parts", "split_hands", "staff_split_of",
           "upper_staff_from"]
