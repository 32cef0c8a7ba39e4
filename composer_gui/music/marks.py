"""The marks a note carries beside its pitch and time: articulations, ornaments, bowings and
slurs (``Note.marks``).

A review found an air's trills and slurs, a reel's bowings and a sketch's staccatos gone from
every export: the score held the notes only. Each mark is named here once, with what it is
in each format the app reads and writes; the readers and writers look it up rather than keep
their own lists. No Qt.

A slur is two marks: ``slur-start`` on the note it begins on and ``slur-stop`` on the note it
ends on (a note may end one slur and begin the next, as a fiddler's bowing does). Marks take
no part in a note's equality, as its spelling and words do not, and travel with it through
every edit; a slur whose other end was deleted is left out when the part is written
(:func:`span_pairs`). A hairpin (crescendo, diminuendo) is two marks the same way.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Collection, Hashable, Iterable, Sequence

SLUR_START = "slur-start"
SLUR_STOP = "slur-stop"
# hairpins: a crescendo or diminuendo from the note it starts on to the note it stops on
CRESCENDO = ("crescendo-start", "crescendo-stop")
DIMINUENDO = ("diminuendo-start", "diminuendo-stop")
# the sustain pedal: down as its first note is struck, up at its last note's end; a change
# (up and down again) as a note between is struck, where the harmony changes under it
PEDAL = ("pedal-start", "pedal-stop")
PEDAL_CHANGE = "pedal-change"
PEDAL_MARKS = frozenset((*PEDAL, PEDAL_CHANGE))
# the marks that come in pairs, each kind's start and stop (paired by span_pairs)
SPANS = {"slur": (SLUR_START, SLUR_STOP), "crescendo": CRESCENDO, "diminuendo": DIMINUENDO,
         "pedal": PEDAL}
# the music21 editorial entry the readers put a note's slur ends and dynamic in (copies of a
# note, as repeats written out make, keep it; music21's slurs point at the notes before they
# were copied, and its dynamics at no note)
EDITORIAL = "composerMarks"

# a dynamic written at a note: the velocity it sets from there on in its part (as MuseScore 3
# plays them; mf is the velocity of a note nobody gave one, score.DEFAULT_VELOCITY)
DYNAMICS = {"ppp": 16, "pp": 33, "p": 49, "mp": 64, "mf": 80, "f": 96, "ff": 112, "fff": 126}

# the dynamics that mark one note and set no level (a sforzando, a forte-piano): written and
# read as dynamics are, the loudness left as it is
ACCENT_DYNAMICS = ("sf", "sfz", "fz", "fp", "sfp")
FINGERS = tuple(f"fingering-{k}" for k in range(1, 6))
FINGER_MARKS = frozenset(FINGERS)

# name -> (MusicXML <notations> group, "" for none, and the element): the names are MusicXML's
# own where it has one
MUSICXML = {
    "accent": ("articulations", "<accent/>"),
    "strong-accent": ("articulations", "<strong-accent/>"),
    "staccato": ("articulations", "<staccato/>"),
    "staccatissimo": ("articulations", "<staccatissimo/>"),
    "tenuto": ("articulations", "<tenuto/>"),
    "breath-mark": ("articulations", "<breath-mark/>"),
    "trill": ("ornaments", "<trill-mark/>"),
    "mordent": ("ornaments", "<mordent/>"),
    "inverted-mordent": ("ornaments", "<inverted-mordent/>"),
    "turn": ("ornaments", "<turn/>"),
    "inverted-turn": ("ornaments", "<inverted-turn/>"),
    # an Irish roll (ABC's "~"): MusicXML has none; notation prints it as a turn, as fiddlers'
    # books do (read back, it is a turn)
    "roll": ("ornaments", "<turn/>"),
    "up-bow": ("technical", "<up-bow/>"),
    "down-bow": ("technical", "<down-bow/>"),
    **{f: ("technical", f"<fingering>{f[-1]}</fingering>") for f in FINGERS},
    "arpeggio": ("", "<arpeggiate/>"),
}
# the order <notations> groups are written in ("": elements of their own, first)
_GROUPS = ("", "articulations", "ornaments", "technical")

# name -> how ABC 2.1 writes it (a one-character shorthand where the standard defines one)
ABC = {
    "accent": "L", "strong-accent": "!marcato!", "staccato": ".", "staccatissimo": "!wedge!",
    "tenuto": "!tenuto!", "trill": "T", "mordent": "M", "inverted-mordent": "P",
    "turn": "!turn!", "inverted-turn": "!invertedturn!", "roll": "~", "up-bow": "u",
    "down-bow": "v", **{d: f"!{d}!" for d in (*DYNAMICS, *ACCENT_DYNAMICS)},
    "breath-mark": "!breath!", "arpeggio": "!arpeggio!", **{f: f"!{f[-1]}!" for f in FINGERS},
    CRESCENDO[0]: "!<(!",
    CRESCENDO[1]: "!<)!", DIMINUENDO[0]: "!>(!", DIMINUENDO[1]: "!>)!",
}
# ABC's one-character decorations (ABC 2.1's defaults) -> the mark they read as
FROM_ABC_SHORTHAND = {
    ".": "staccato", "~": "roll", "T": "trill", "M": "mordent", "P": "inverted-mordent",
    "L": "accent", "u": "up-bow", "v": "down-bow"}
# ABC's decorations by name (between "!" or, in ABC 2.0, "+") -> the mark they read as
FROM_ABC = {
    "staccato": "staccato", "roll": "roll", "trill": "trill", "lowermordent": "mordent",
    "mordent": "mordent", "uppermordent": "inverted-mordent", "pralltriller": "inverted-mordent",
    "turn": "turn", "invertedturn": "inverted-turn", "accent": "accent", ">": "accent",
    "emphasis": "accent", "marcato": "strong-accent", "^": "strong-accent",
    "tenuto": "tenuto", "wedge": "staccatissimo", "upbow": "up-bow", "downbow": "down-bow",
    **{d: d for d in (*DYNAMICS, *ACCENT_DYNAMICS)}, "breath": "breath-mark",
    "arpeggio": "arpeggio", **{f[-1]: f for f in FINGERS}, "<(": CRESCENDO[0],
    "crescendo(": CRESCENDO[0],
    "<)": CRESCENDO[1], "crescendo)": CRESCENDO[1], ">(": DIMINUENDO[0],
    "diminuendo(": DIMINUENDO[0], ">)": DIMINUENDO[1], "diminuendo)": DIMINUENDO[1],
}

# music21's class names -> the mark (articulations and expressions: a trill's subclasses, a
# half- or whole-step mordent, are named by the class they derive from)
FROM_MUSIC21 = {
    "Accent": "accent", "StrongAccent": "strong-accent", "Staccato": "staccato",
    "Staccatissimo": "staccatissimo", "Tenuto": "tenuto", "UpBow": "up-bow",
    "DownBow": "down-bow", "Trill": "trill", "Mordent": "mordent",
    "InvertedMordent": "inverted-mordent", "Turn": "turn", "InvertedTurn": "inverted-turn",
    "Roll": "roll",  # (abc_text's own class: music21 has no roll)
    "BreathMark": "breath-mark", "ArpeggioMark": "arpeggio",
}

NAMES = frozenset((*MUSICXML, *CRESCENDO, *DIMINUENDO, SLUR_START, SLUR_STOP, *DYNAMICS,
                   *ACCENT_DYNAMICS, *PEDAL, PEDAL_CHANGE))
ENDS = frozenset((SLUR_START, SLUR_STOP, *CRESCENDO, *DIMINUENDO))  # a span's ends (ABC's)
# what Edit > Marks offers, each by its name (a slur is drawn over a selection instead)
EDITABLE = ("staccato", "accent", "tenuto", "trill")


# the sign the piano roll writes in a note for each mark (as notation prints them, near enough)
GLYPHS = {
    SLUR_STOP: ")", SLUR_START: "(", "staccato": "\u00b7", "staccatissimo": "\u25be",
    "accent": ">", "strong-accent": "^", "tenuto": "\u2013", "trill": "tr", "mordent": "\u223f|",
    "inverted-mordent": "\u223f", "turn": "~", "inverted-turn": "~", "roll": "~",
    "up-bow": "V", "down-bow": "\u2293", **{d: d for d in (*DYNAMICS, *ACCENT_DYNAMICS)},
    CRESCENDO[0]: "cresc", DIMINUENDO[0]: "dim", "breath-mark": "'", "arpeggio": "arp",
    PEDAL_CHANGE: "*Ped", PEDAL[0]: "Ped", PEDAL[1]: "*",  # (down as struck, up at the end)
    **{f: f[-1] for f in FINGERS},
}


def glyphs(marks: Iterable[str]) -> str:
    """The piano roll's signs for a note's marks: a slur's end first, its start last."""
    marks = set(marks)
    return "".join(g for name, g in GLYPHS.items() if name in marks)


# how playback performs a mark, near what MuseScore 3 plays: the share of the written length
# that sounds, and how much louder the note is struck (a factor on its velocity)
PLAYED_LENGTH = {"staccato": 0.5, "staccatissimo": 0.3}
PLAYED_ACCENT = {"accent": 1.25, "strong-accent": 1.4, "sf": 1.4, "sfz": 1.4, "fz": 1.4,
                 "sfp": 1.4, "fp": 1.25}
# a hairpin with no dynamic after it in its direction swells or fades this much (about one
# dynamic level: p 49 -> mp 64, mf 80 -> f 96), and stays there until the next dynamic
HAIRPIN_STEP = 1.3
# how far past a hairpin's last note a dynamic still counts as where it leads: a bar of 4/4
# (score.TPQ is 480; score imports this module)
HAIRPIN_REACH = 4 * 480
# an ornament played: the notes struck quickly before the principal's rest (each a 32nd, or
# less on a short note), as scale steps from the principal (+1 the note above in the key, -1
# the one below); MuseScore 3 plays them so, on the beat
ORNAMENT_STEPS = {"mordent": (0, -1), "inverted-mordent": (0, 1), "turn": (1, 0, -1),
                  "inverted-turn": (-1, 0, 1)}
TRILL = "trill"  # the principal and the note above, alternating in 32nds, to the note's end
# a fiddler's roll: the note, a cut above it, the note again, a tap below, the note (the
# cut and the tap quick; the note's three strikes share the rest)
ROLL_STEPS = (0, 1, 0, -1, 0)


def performed(duration: int, velocity: int, marks: Iterable[str]) -> tuple[int, int]:
    """(ticks sounding, velocity) of a note of ``duration`` and ``velocity`` with ``marks``,
    as playback and the audio export play it (MIDI export keeps the written note)."""
    marks = set(marks)
    length = min((PLAYED_LENGTH[m] for m in marks if m in PLAYED_LENGTH), default=1.0)
    accent = max((PLAYED_ACCENT[m] for m in marks if m in PLAYED_ACCENT), default=1.0)
    return max(1, round(duration * length)), max(1, min(127, round(velocity * accent)))


def hairpin_gains(events: Sequence[tuple[int, int, Iterable[str]]]) -> list[float]:
    """The factor on each note's velocity that a part's hairpins make: ``events`` are its
    notes' (start tick, velocity, marks). From a crescendo's first note to its last the level
    rises evenly to the dynamic that follows it (or :data:`HAIRPIN_STEP` more where none does,
    kept until the next dynamic); a diminuendo falls the same way. A note with a dynamic of its
    own plays at it."""
    gains = [1.0] * len(events)
    levels = sorted((tick, DYNAMICS[d]) for tick, _v, marks in events
                    if (d := dynamic(marks)) is not None)
    for kind, sign in (("crescendo", 1), ("diminuendo", -1)):
        pairs = span_pairs(((tick, i, marks) for i, (tick, _v, marks) in enumerate(events)),
                           kind=kind)
        for (t0, first), (t1, _last) in pairs:
            if t1 <= t0:
                continue
            level = events[first][1]
            after = next(((t, v) for t, v in levels if t1 <= t <= t1 + HAIRPIN_REACH), None)
            if after is not None and (after[1] - level) * sign > 0:
                ratio, hold = after[1] / level, after[0]
            else:  # (none, or one the other way: a crescendo to a subito piano)
                ratio = HAIRPIN_STEP ** sign
                hold = next((t for t, _v in levels if t > t1), None)
            for i, (tick, _v, marks) in enumerate(events):
                if dynamic(marks) is not None or tick <= t0:
                    continue
                if tick <= t1:
                    gains[i] *= 1 + (ratio - 1) * (tick - t0) / (t1 - t0)
                elif hold is None or tick < hold:
                    gains[i] *= ratio
    return gains


def pedal_holds(events: Sequence[tuple[int, int, Iterable[str]]],
                pedal: Sequence[tuple[int, int, Iterable[str]]] | None = None) -> list[int]:
    """The tick to which the sustain pedal holds each of a part's notes, ``events`` their
    (start, end, marks): a note struck while the pedal is down sounds until it comes up (at
    the next change, or the end of the pedal's last note), or to its own end if later; a
    note the pedal does not catch, to its own end. The pedal is the one ``pedal``'s marks
    say (another part's notes: a keyboard's other hand, clefs.pedal_parts), else their own."""
    holds = [end for _start, end, _marks in events]
    spans = _pedal_spans(events if pedal is None else pedal)
    downs = [down for down, _up in spans]
    for i, (start, end, _marks) in enumerate(events):
        k = bisect.bisect_right(downs, start) - 1
        if k >= 0 and start < spans[k][1]:
            holds[i] = max(end, spans[k][1])
    return holds


def pedal_events(events: Sequence[tuple[int, int, Iterable[str]]]) -> list[tuple[int, bool]]:
    """The sustain pedal of a part's notes, ``events`` their (start, end, marks), as (tick,
    down) in time order: down as its first note is struck, up and down again at each change,
    up at its last note's end (a MIDI file's controller 64)."""
    out = [edge for down, up in _pedal_spans(events) for edge in ((down, True), (up, False))]
    return sorted(out, key=lambda e: (e[0], e[1]))


def _pedal_spans(events: Sequence[tuple[int, int, Iterable[str]]]) -> list[tuple[int, int]]:
    """(down, up) of each stretch the pedal is held without a change, in time order: a pedal
    from its first note's start to its last note's end, cut at each change between."""
    pairs = span_pairs(((start, i, marks) for i, (start, _e, marks) in enumerate(events)),
                       kind="pedal")
    changes = sorted({start for start, _e, marks in events if PEDAL_CHANGE in marks})
    out: list[tuple[int, int]] = []
    for (t0, _first), (_t1, last) in pairs:
        up = max(events[last][1], t0)
        cuts = [t0, *changes[bisect.bisect_right(changes, t0):bisect.bisect_left(changes, up)],
                up]
        out += list(itertools.pairwise(cuts))
    return sorted(out)


def pedal_anchors(events: Sequence[tuple[int, int, int]], presses: Iterable[tuple[int, bool]],
                  gap: int, catch: int) -> dict[int, set[str]]:
    """The pedal marks to put on a part's notes (by index; ``events`` their (start, end,
    pitch)) for a sustain pedal played as ``presses``, (tick, down) in time order (a MIDI
    file's controller 64). A pedal lifted and put down again within ``gap`` ticks is one with
    a change. Each press is put on the lowest note of the chord it catches (its notes struck
    within ``gap`` of each other): the last struck up to ``catch`` ticks before it (a pianist
    pedals just after the chord), else the first struck after; the release on the note,
    struck since, whose end is nearest it."""
    intervals: list[tuple[int, int]] = []
    down_at = None
    for tick, down in presses:
        if down and down_at is None:
            down_at = tick
        elif not down and down_at is not None:
            intervals.append((down_at, tick))
            down_at = None
    if down_at is not None and events:  # never lifted: held to the end
        intervals.append((down_at, max(end for _s, end, _p in events)))
    chains: list[list[tuple[int, int]]] = []
    for d, u in intervals:
        if chains and d - chains[-1][-1][1] <= gap:
            chains[-1].append((d, u))
        else:
            chains.append([(d, u)])
    order = sorted(range(len(events)), key=lambda i: events[i][0])
    at = [events[i][0] for i in order]  # the notes' starts, in time order
    starts = sorted(set(at))

    def between(a: int, b: int) -> list[int]:
        """The notes struck from ``a`` up to ``b`` (both in)."""
        return order[bisect.bisect_left(at, a):bisect.bisect_right(at, b)]

    def lowest(onset: int, after: int) -> int:
        """The lowest note of the chord struck at ``onset``: its notes struck up to ``gap``
        before it (a played chord is spread), none at or before ``after``."""
        return min(between(max(onset - gap, after + 1), onset),
                   key=lambda i: (events[i][2], events[i][0]))

    out: dict[int, set[str]] = {}
    for chain in chains:
        anchors: list[int] = []
        for d, u in chain:
            k = bisect.bisect_right(starts, d)
            before = starts[k - 1] if k and starts[k - 1] >= d - catch else None
            onset = before if before is not None else (
                starts[k] if k < len(starts) and starts[k] < u else None)
            if onset is not None and (not anchors or onset > anchors[-1]):
                anchors.append(onset)
        up = chain[-1][1]
        held = between(anchors[-1], max(up, anchors[-1] + 1) - 1) if anchors else []
        if not held:
            continue
        stop = min(held, key=lambda i: (abs(events[i][1] - up), -events[i][0], events[i][2]))
        before = -1
        for k, onset in enumerate(anchors):
            i = lowest(onset, before)
            out.setdefault(i, set()).add(PEDAL_CHANGE if k else PEDAL[0])
            before = onset
        out.setdefault(stop, set()).add(PEDAL[1])
    return out


# Under the pedal a new lowest note changes it only where it lies under the bass the pedal
# holds, or the notes struck over that bass since (those within PEDAL_HAND semitones of it: the
# left hand's) no longer make one chord on it: a broken chord's upper notes, struck on the
# beats after its bass (F2, then A3 and C3), are that chord. A review's continuation of a
# pedalled recording in broken chords had "Ped." changed on 12 to 15 of its 16 beats
PEDAL_HOLDS_CHORD = True
PEDAL_HAND = 19


def _on_bass(root: int, pcs: set[int]) -> bool:
    """Whether pitch classes ``pcs`` lie in one triad or seventh chord on ``root``."""
    from .analysis import SEVENTHS, TRIADS  # (analysis reads the clefs, which read marks)
    return any(pcs <= {(root + s) % 12 for s in steps}
               for steps in (*TRIADS.values(), *SEVENTHS.values()))


def pedal_for(notes: Sequence[tuple[int, int, int]], down: bool, up: bool,
              beats: Collection[int] | None = None) -> dict[int, set[str]]:
    """Pedal marks for new notes in a part the composer pedals, ``notes`` their (start, end,
    pitch): changed where a new bass note moves (a pianist changes with the harmony) on one of
    the ``beats`` (ticks; None: anywhere: a bass moving in eighths passes between the beats'
    chords, and a trial's continuation had "Ped." under nearly every eighth), put down at the
    first where it is not ``down`` already, let up at the end of the one ending last when
    ``up``. By index; {} for no notes."""
    if not notes:
        return {}
    out: dict[int, set[str]] = {}
    bass = None  # the bass the pedal holds: the lowest note at the last change
    held: set[int] = set()  # ... and the pitch classes struck over it since
    for k, tick in enumerate(sorted({start for start, _e, _p in notes})):
        # the bass: the lowest note sounding, where it is struck here (a broken chord's upper
        # notes, struck over a held bass, change nothing)
        i = min((i for i, (start, end, _p) in enumerate(notes) if start <= tick < end
                 or start == tick), key=lambda i: (notes[i][2], -notes[i][0]))
        struck = {p % 12 for start, _e, p in notes if start == tick
                  and (bass is None or p <= bass + PEDAL_HAND)}
        if notes[i][0] != tick:
            held |= struck
            continue
        if k == 0:
            out[i] = {PEDAL_CHANGE if down else PEDAL[0]}
        elif beats is not None and tick not in beats:
            held |= struck
            continue  # (the bass passes: its pitch class counts from the beat's)
        elif notes[i][2] % 12 != bass % 12 and (
                not PEDAL_HOLDS_CHORD or notes[i][2] < bass
                or not _on_bass(bass % 12, held | struck)):
            out.setdefault(i, set()).add(PEDAL_CHANGE)
        else:
            held |= struck
            continue
        bass, held = notes[i][2], struck
    if up:
        last = max(range(len(notes)), key=lambda i: (notes[i][1], -notes[i][2]))
        out.setdefault(last, set()).add(PEDAL[1])
    return out


def ornament_figure(marks: Iterable[str], length: int, quick: int
                    ) -> list[tuple[int, int, int]] | None:
    """How a note of ``length`` ticks with ``marks`` is played when one of them is an
    ornament: (offset, ticks, scale step) of each note struck, ``quick`` ticks the fast ones
    (a 32nd), shortened to fit; None for a note without an ornament."""
    marks = set(marks)
    if TRILL in marks:
        unit = min(quick, max(1, length // 3))
        count = max(3, length // unit)
        count -= count % 2 == 0  # ends on the principal
        unit = length // count
        out = [(k * unit, unit, k % 2) for k in range(count)]
        return [*out[:-1], (out[-1][0], length - out[-1][0], 0)]
    if "roll" in marks:
        cut = min(quick, max(1, length // 8))
        third = (length - 2 * cut) // 3
        if third < 1:
            return None
        times = (third, cut, third, cut, length - 2 * third - 2 * cut)
        starts = [sum(times[:k]) for k in range(5)]
        return list(zip(starts, times, ROLL_STEPS, strict=True))
    steps = next((ORNAMENT_STEPS[m] for m in ORNAMENT_STEPS if m in marks), None)
    if steps is None:
        return None
    unit = min(quick, max(1, length // (2 * len(steps))))
    out = [(k * unit, unit, step) for k, step in enumerate(steps)]
    rest = len(steps) * unit
    return [*out, (rest, length - rest, 0)]


def neighbour(pitch: int, step: int, scale: Iterable[int]) -> int:
    """The pitch ``step`` (+1, -1, 0) scale steps from ``pitch``: a semitone where the pitch
    class a semitone away is in ``scale``, else a whole tone."""
    if step == 0:
        return pitch
    near = pitch + step
    return near if near % 12 in set(scale) else pitch + 2 * step


def normalized(marks: Iterable[str]) -> tuple[str, ...]:
    """The known marks among ``marks``, each once, in one order (a note's ``marks``); of two
    dynamics, the louder."""
    known = set(marks) & NAMES
    levels = sorted(known & set(DYNAMICS), key=DYNAMICS.__getitem__)
    return tuple(sorted(known - set(levels[:-1])))


def dynamic(marks: Iterable[str]) -> str | None:
    """The dynamic among a note's marks that sets a level (None: none)."""
    return next((m for m in marks if m in DYNAMICS), None)


def written_dynamics(marks: Iterable[str]) -> list[str]:
    """The dynamics a note's marks write: its level's, and a sforzando or forte-piano."""
    marks = set(marks)
    return [d for d in (*DYNAMICS, *ACCENT_DYNAMICS) if d in marks]


def mark_of(x) -> str | None:
    """The mark a music21 articulation or expression is (None: one the score does not keep)."""
    if type(x).__name__ == "Fingering":  # (a finger, 1 to 5; a string's is no such mark)
        finger = f"fingering-{getattr(x, 'fingerNumber', None)}"
        return finger if finger in FINGERS else None
    return next((FROM_MUSIC21[c.__name__] for c in type(x).__mro__
                 if c.__name__ in FROM_MUSIC21), None)


def of_music21(element) -> set[str]:
    """The marks of a music21 note or chord: its articulations and ornaments."""
    found = (mark_of(x) for x in (*getattr(element, "articulations", ()),
                                  *getattr(element, "expressions", ())))
    return {name for name in found if name is not None}


def musicxml_elements(marks: Iterable[str]) -> str:
    """The ``<articulations>``, ``<ornaments>`` and ``<technical>`` elements of a note's marks,
    and an ``<arpeggiate/>`` (slurs are written by the caller, which numbers them)."""
    groups: dict[str, list[str]] = {g: [] for g in _GROUPS}
    for name in sorted(set(marks)):
        where = MUSICXML.get(name)
        if where is not None and where[1] not in groups[where[0]]:
            groups[where[0]].append(where[1])
    return "".join(f"<{g}>{''.join(items)}</{g}>" if g else "".join(items)
                   for g, items in groups.items() if items)


def abc_decorations(marks: Iterable[str]) -> str:
    """ABC's decorations for a note's marks (written before it; slurs are the caller's)."""
    return "".join(ABC[name] for name in sorted(set(marks)) if name in ABC)


def span_pairs(events: Iterable[tuple[int, Hashable, Iterable[str]]],
               leftover: list | None = None, kind: str = "slur"
               ) -> list[tuple[tuple[int, Hashable], tuple[int, Hashable]]]:
    """The slurs (or hairpins: ``kind``, :data:`SPANS`) among ``events``, (tick, what is struck
    there, its marks), as ((start tick, what), (stop tick, what)) pairs: in time order, each
    stop closes the latest one still open (a note that ends one slur and begins another closes
    first). A stop with none open, or a start never closed, goes to ``leftover`` as an event of
    its own (to pair among a wider set: a part's voices) or, without it, is left out (a slur
    whose other end was deleted). A pedal's start and stop on one note, none open, are a
    chord pedalled alone."""
    start, stop = SPANS[kind]
    by_tick: dict[int, list[tuple[Hashable, set[str]]]] = {}
    for tick, what, marks in events:
        ends = {m for m in marks if m in (start, stop)}
        if ends:
            by_tick.setdefault(tick, []).append((what, ends))
    open_: list[tuple[int, Hashable]] = []
    pairs = []
    for tick in sorted(by_tick):
        for what, ends in by_tick[tick]:
            if kind == "pedal" and ends == {start, stop} and not open_:
                pairs.append(((tick, what), (tick, what)))  # (a chord pedalled alone)
                ends.clear()
            if stop in ends:
                if open_:
                    pairs.append((open_.pop(), (tick, what)))
                elif leftover is not None:
                    leftover.append((tick, what, (stop,)))
        open_.extend((tick, what) for what, ends in by_tick[tick] if start in ends)
    if leftover is not None:
        leftover.extend((tick, what, (start,)) for tick, what in open_)
    return sorted(pairs, key=lambda pair: (pair[0][0], pair[1][0]))


def numbered(pairs: Sequence[tuple[tuple[int, Hashable], tuple[int, Hashable]]]
             ) -> list[tuple[tuple[int, Hashable], tuple[int, Hashable], int]]:
    """(start, stop, number) for each slur of :func:`span_pairs`: the lowest number (1-6, as
    MusicXML allows) not held by a slur still open when it starts."""
    out: list[tuple[tuple[int, Hashable], tuple[int, Hashable], int]] = []
    for start, stop in sorted(pairs, key=lambda pair: (pair[0][0], pair[1][0])):
        busy = {n for s, e, n in out if s[0] <= start[0] < e[0]}
        out.append((start, stop, next((n for n in range(1, 7) if n not in busy), 6)))
    return out
