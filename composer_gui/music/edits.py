"""Note edits as diffs, and the one rule for where generated notes go.

A note edit is a multiset diff over ``(part index, Note)`` pairs: what is removed, what is added.
The GUI's undo commands store such diffs; ``composer-gui generate`` applies one to write its
output. Both ask :func:`generated_diff` what keeping generated notes means, so the window's Keep
and the command line give the same score for the same notes.

The rule (the command line's replacement and the window's choice of part):

* The generated notes replace the sketch's pitched notes that start at or after ``start`` and,
  for a region, before ``end``. The model heard only what comes before ``start`` (and, for a
  region, nothing inside it), so a note there would clash with what it wrote. Continuing at the
  sketch's end (the window's Continue) finds nothing to replace; ``--from-bar`` replaces the rest,
  and the fermatas, meters, keys, tempos and chord symbols of what it replaces go with it
  (:func:`apply_generated`, :func:`continuation_frame`). A note of a rewritten part held
  across ``start`` (or a region's ``end``) is cut there: its head before ``start`` stays, and
  a region keeps its tail after ``end``, struck again (:func:`split_across`).
  Drum parts are never touched: the model writes no drums.
* They go to :func:`target_part`: the only pitched part; else a part named "Continuation", the
  same one each time (continuing twice does not pile up parts); else the first pitched part when
  no pitched part has notes yet; else a new "Continuation" part.
* Models that write in voices (ml/voice_sampler.py) name each note's part (:class:`PlacedNote`):
  a chorale continues in its own S/A/T/B. Then only the ``parts`` that were rewritten lose their
  notes in the span (a reharmonized region keeps its soprano), and a part index past the score's
  parts makes a new part with the name the note gives (harmonizing a melody adds "Alto", ...),
  standing just below the part the note names, the voice above's (:func:`new_part_order`:
  Alto and Tenor written between a melody and its own bass line stand between their staves),
  else last.
  When the new parts are a choir's lower voices ("Alto", "Tenor", "Bass") under an unnamed part
  (no name, or the "Part N" a file reader gives), that part is the melody they harmonize and is
  named "Soprano": the score reads as the SATB it is (a listening review found the melody's
  staff labelled "Part 1" above Alto, Tenor and Bass). A blank score's one empty, unnamed part
  takes the first new part's notes and name (a chorale from nothing: Soprano, then Alto, Tenor
  and Bass below it), so no empty staff is left above them.

* A key the composer chose for them (the panel's Key box, ``--key``) brings its signature to
  the bars they fill, from the first bar line in the span; a region gives the old signature
  back after it (:func:`keys_for`).
* They play at the level their part played at before them (:class:`PartLevels`: the median
  velocity of its last notes, from its last written dynamic on); a new part at the level of
  the part it stands below.
* The composer's slurs, hairpins and pedal stay whole (:func:`_marked`): an end of one whose
  other end is kept goes from a replaced note to the new note struck nearest it; in a part
  the composer pedals, the new notes are pedalled, changed where their bass moves.

No Qt and no ml here: notes in, notes out.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from composer_gui.music.analysis import beat_ticks
from composer_gui.music.clefs import needs_grand_staff, split_hands
from composer_gui.music.marks import (
    DYNAMICS,
    PEDAL_MARKS,
    SPANS,
    dynamic,
    pedal_events,
    pedal_for,
    span_pairs,
)
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score

NoteKey = tuple[int, Note]  # (part index, note): a note as the editor names it
NEW_PART_NAME = "Continuation"  # the part generated notes get when no existing part is theirs


@dataclass(frozen=True)
class PlacedNote:
    """A generated note that names its part (the sampler's ``GeneratedNote`` has the same
    fields, so either is accepted where placed notes are)."""

    note: Note
    part: int | None = None  # None: target_part's rule
    part_name: str | None = None  # the name of a new part (an index past the score's parts)
    part_under: int | None = None  # a new part: the part (maybe new) it stands just below


def apply_note_diff(score: Score, removed: Iterable[NoteKey], added: Iterable[NoteKey],
                    names: Mapping[int, str] | None = None) -> Score:
    """Remove one occurrence of each removed note and add the added ones (a multiset diff).

    A part index past the last part adds empty parts up to it, named by ``names`` (default
    "Continuation") with the program of the score's first pitched part; ``names`` of existing
    parts rename them. Raises LookupError when a note to
    remove is not in the score (the diff was made for another score)."""
    remove: dict[int, Counter] = defaultdict(Counter)
    add: dict[int, list] = defaultdict(list)
    for part, note in removed:
        remove[part][note] += 1
    for part, note in added:
        add[part].append(note)
    parts = list(score.parts)
    touched = set(remove) | set(add)
    # a new part sounds as the score's first pitched part, its melody, does (a choir's hymn
    # harmonized: its alto, tenor and bass sing as its soprano; a listening review, session
    # 55, heard them on the piano, General MIDI's program 0)
    program = next((p.program for p in score.parts if not p.is_drum), 0)
    while touched and max(touched) >= len(parts):
        parts.append(Part(name=(names or {}).get(len(parts), NEW_PART_NAME), program=program))
    for i in touched:
        left = remove.get(i)
        if left:
            kept = []
            for n in parts[i].notes:
                if left.get(n):
                    left[n] -= 1
                else:
                    kept.append(n)
            if any(v > 0 for v in left.values()):
                raise LookupError("a note to change is no longer in the score")
        else:
            kept = list(parts[i].notes)
        parts[i] = parts[i].with_notes(kept + add.get(i, []))
    for i, name in (names or {}).items():
        if i < len(score.parts) and parts[i].name != name:
            parts[i] = replace(parts[i], name=name)
    return score.with_parts(parts)


def region_notes(score: Score, start: int, end: int | None,
                 parts: Collection[int] | None = None, hand: int | None = None
                 ) -> list[NoteKey]:
    """Pitched notes starting in [start, end) (no end: from start on), of ``parts`` only when
    given, and of their ``hand`` only when given (:func:`hand_notes`): what generated notes
    for that span replace."""
    return [(i, n) for i, p in enumerate(score.parts)
            if not p.is_drum and (parts is None or i in parts) for n in hand_notes(p, hand)
            if n.start >= start and (end is None or n.start < end)]


def hand_notes(part: Part, hand: int | None) -> Sequence[Note]:
    """The notes of one hand of a keyboard ``part`` (0 its upper staff, 1 its lower, as
    notation divides them: clefs.split_hands); None: all of them. A region that rewrites one
    hand of a piano (Regenerate of the tune's notes) replaces that hand's notes only: the
    other hand's had been rewritten too (a trial's piano sketches)."""
    return part.notes if hand is None else split_hands(part.notes, part.staff_split)[hand]


def continuation_frame(score: Score, start: int,
                       parts: Collection[int] | None = None) -> Score:
    """The score a continuation from ``start`` (of ``parts``, None for all) is laid out in and
    kept into. Where it replaces all the music from ``start`` on (``--from-bar``), the meter,
    key and tempo changes inside that music go with it: a reel's malformed bar 11, which a
    reader writes as a 1/4 bar 12, had made the last bar of a continuation from bar 5 a 1/4
    bar. Changes where kept music plays on (one part continued under the others), and changes
    at or after the music's end (a next section set up ahead), stay."""
    replaced = set(region_notes(score, start, None, parts))
    if any(n.start >= start and (i, n) not in replaced
           for i, p in enumerate(score.parts) for n in p.notes):
        return score
    end = score.end_tick

    def kept(changes):
        return tuple(c for c in changes if c.tick <= start or c.tick >= end)

    return replace(score, time_signatures=kept(score.time_signatures),
                   key_signatures=kept(score.key_signatures), tempos=kept(score.tempos))


def target_part(score: Score) -> int:
    """The index of the part generated notes go to (see the module's rule); it may be
    ``len(score.parts)``, a new part that :func:`apply_note_diff` makes."""
    pitched = [i for i, p in enumerate(score.parts) if not p.is_drum]
    if len(pitched) == 1:
        return pitched[0]
    for i in pitched:
        if score.parts[i].name == NEW_PART_NAME:
            return i
    if pitched and not any(score.parts[i].notes for i in pitched):
        return pitched[0]
    return len(score.parts)


def placed(score: Score, notes: Iterable[Note | PlacedNote]
           ) -> tuple[list[NoteKey], dict[int, str], dict[int, int]]:
    """(part, note) for each generated note, the names of the new parts they make, and the part
    each new part stands just below: a plain Note (or one with ``part`` None) goes to
    :func:`target_part`."""
    target: int | None = None
    out: list[NoteKey] = []
    names: dict[int, str] = {}
    under: dict[int, int] = {}
    items = [(item, None, None, None) if isinstance(item, Note) else
             (item.note, item.part, getattr(item, "part_name", None),
              getattr(item, "part_under", None)) for item in notes]
    count = len(score.parts)
    blank = _blank_part(score)
    first_new = min((p for _, p, _, _ in items if p is not None and p >= count), default=None)

    def moved(p: int | None) -> int | None:  # a new part's index once the blank part is used
        if blank is None or first_new is None or p is None or p < count:
            return p
        return blank if p == first_new else p - 1

    levels = PartLevels(score)
    for note, part, name, below in items:
        part, below = moved(part), moved(below)
        if part is None:
            if target is None:
                target = target_part(score)
            part = target
        if part >= count or (part == blank and name):
            if name and part not in names:
                names[part] = name
            if below is not None and below >= 0 and part >= count:
                under.setdefault(part, below)
        level = levels.at(part if part < count else under.get(part, -1), note.start)
        if level is not None and level != note.velocity:
            note = replace(note, velocity=level)
        out.append((part, note))
    return out, names, under


class PartLevels:
    """How loud each part of a score plays at a tick: the median velocity of its last
    :data:`LEVEL_NOTES` notes struck before it, those since its last dynamic where one is
    written among them. Generated notes take it (the sampler's one
    velocity, the sketch's median, had a piano's melody and accompaniment play alike and a
    sketch that ends p continued mf); a part with none before keeps what they have."""

    def __init__(self, score: Score) -> None:
        self.parts = score.parts
        self._starts: dict[int, tuple[list[int], list[int]]] = {}

    def at(self, part: int, tick: int) -> int | None:
        if not 0 <= part < len(self.parts) or self.parts[part].is_drum:
            return None
        notes = self.parts[part].notes
        if part not in self._starts:
            self._starts[part] = ([n.start for n in notes],
                                  [i for i, n in enumerate(notes) if dynamic(n.marks)])
        starts, marked = self._starts[part]
        k = bisect.bisect_left(starts, tick)
        if not k:
            return None
        j = bisect.bisect_left(marked, k)  # (from the last dynamic written before it on)
        since = max(k - LEVEL_NOTES, marked[j - 1] if j else 0)
        vels = sorted(n.velocity for n in notes[since:k])
        return vels[len(vels) // 2]


LEVEL_NOTES = 8  # (a played accent does not set the level)


def _blank_part(score: Score) -> int | None:
    """The one part of a blank score (no notes, no name, not drums): the voices a generation
    from nothing writes begin in it, its first new part (a chorale from nothing had left an
    empty, unnamed staff above its Soprano, Alto, Tenor and Bass)."""
    if len(score.parts) != 1 or score.parts[0].notes or score.parts[0].is_drum:
        return None
    return 0 if _unnamed(score.parts[0].name, 0) else None


def new_part_order(count: int, new: Iterable[int], under: Mapping[int, int]) -> list[int] | None:
    """Where the parts stand once new ones are kept: ``order[i]`` is the index, in the score
    :func:`apply_note_diff` gives (new parts appended after its ``count`` parts), of the part
    that stands i-th. A new part stands just below the part ``under`` names, an old one or a
    new one placed before it (the sampler names the voice above's: a melody's own bass line
    harmonized reads Melody, Alto, Tenor, Bass, not Melody, Bass, Alto, Tenor, which a
    composer had to drag into order before exporting), else last; None when every part stays
    where apply_note_diff puts it."""
    order = list(range(count))
    for part in sorted(new):
        while len(order) < part:  # an unnamed gap: apply_note_diff made it too
            order.append(len(order))
        at = under.get(part)
        order.insert(order.index(at) + 1 if at in order else len(order), part)
    return None if order == sorted(order) else order


def reordered(score: Score, order: Sequence[int] | None) -> Score:
    """``score`` with its parts in ``order`` (:func:`new_part_order`)."""
    return score if order is None else score.with_parts([score.parts[i] for i in order])


def generated_diff(score: Score, notes: Iterable[Note | PlacedNote], start: int,
                   end: int | None = None, parts: Collection[int] | None = None
                   ) -> tuple[list[NoteKey], list[NoteKey]]:
    """(removed, added): keeping ``notes`` generated from ``start`` on (``end``: a region,
    rewritten up to there) in ``score``, by the module's rule. ``parts``: the parts that were
    rewritten (None: every pitched part)."""
    removed, added, _, _ = kept_diff(score, notes, start, end, parts)
    return removed, added


def split_across(notes: Iterable[Note], ticks: Sequence[int]) -> list[Note]:
    """``notes`` with each one that sounds across one of ``ticks`` cut there into pieces: the
    first keeps its marks, words and grace notes, the rest are the pitch held on (struck
    again). A rewrite from ``start`` (``--from-bar``, a region) replaces what sounds from
    there: a note held into it from before had kept the voice busy, and nothing new was
    written (a fuzz run: an E held over four bars, then ``--from-bar 3``)."""
    out: list[Note] = []
    for n in notes:
        cuts = [t for t in sorted(set(ticks)) if n.start < t < n.end]
        if not cuts:
            out.append(n)
            continue
        edges = [n.start, *cuts, n.end]
        for k, (a, b) in enumerate(itertools.pairwise(edges)):
            out.append(replace(n, duration=b - a) if not k else
                       replace(n, start=a, duration=b - a, lyric=None, marks=(),
                               graces=()))
    return out


def _cut(score: Score, parts: Collection[int] | None) -> list[int]:
    """The parts a rewrite of ``parts`` (None: every pitched part) cuts at its edges."""
    return [i for i, p in enumerate(score.parts)
            if not p.is_drum and (parts is None or i in parts)]


def selected_hand(score: Score, selection: Iterable[NoteKey], start: int, end: int
                  ) -> int | None:
    """The hand a selection of one keyboard part's notes lies in, where the other hand has
    notes in the span [start, end) too (0 the upper staff, 1 the lower: :func:`hand_notes`):
    Regenerate rewrites that hand only (a trial selected a waltz's tune, and its left hand was
    rewritten with it). None: a selection in several parts, both hands, or a one-staff part."""
    keys = list(selection)
    parts = {i for i, _ in keys}
    if len(parts) != 1:
        return None
    part = score.parts[parts.pop()]
    if part.is_drum or not needs_grand_staff(part):
        return None
    chosen = Counter(n for _, n in keys)
    hands = split_hands(part.notes, part.staff_split)
    for hand in (0, 1):
        if not chosen - Counter(hands[hand]) and any(start <= n.start < end
                                                     for n in hands[1 - hand]):
            return hand
    return None


def split_parts(score: Score, ticks: Sequence[int], parts: Collection[int] | None,
                hand: int | None = None) -> Score:
    """``score`` with the notes of the rewritten ``parts`` (of their ``hand``: :func:`hand_notes`)
    cut at ``ticks`` (a rewrite's edges, :func:`split_across`): what the model hears, as
    :func:`kept_diff` keeps it."""
    cut = set(_cut(score, parts))

    def split(p: Part) -> Part:
        if hand is None:
            return p.with_notes(split_across(p.notes, ticks))
        mine = set(hand_notes(p, hand))
        return p.with_notes([x for n in p.notes
                             for x in (split_across((n,), ticks) if n in mine else (n,))])

    return score.with_parts([split(p) if i in cut else p for i, p in enumerate(score.parts)])


def _cut_across(score: Score, start: int, end: int | None, parts: Collection[int] | None,
                hand: int | None = None) -> tuple[list[NoteKey], list[NoteKey]]:
    """(removed, added): the rewritten ``parts``' notes (of their ``hand``) that sound across
    ``start`` (or, for a region, across ``end``) replaced by their pieces outside the span
    (:func:`split_across`)."""
    ticks = (start,) if end is None else (start, end)
    removed: list[NoteKey] = []
    added: list[NoteKey] = []
    for i in _cut(score, parts):
        for n in hand_notes(score.parts[i], hand):
            pieces = split_across((n,), ticks)
            if len(pieces) == 1:
                continue
            removed.append((i, n))
            added.extend((i, x) for x in pieces
                         if (x.start < start and x.duration >= PLAYED_EARLY)
                         or (end is not None and x.start >= end))
    return removed, added


# A note struck less than a 32nd before a rewrite's start and sounding on into it was played a
# little early, on the downbeat the rewrite replaces: none of it is kept. Its head had been
# kept, a review's keyboard take sounding a 12 ms C3 under the region's new A2 and engraved as a
# chord A2 C3 on the bar's downbeat (2 of 3 runs)
PLAYED_EARLY = TPQ // 8


def kept_diff(score: Score, notes: Iterable[Note | PlacedNote], start: int,
              end: int | None = None, parts: Collection[int] | None = None,
              hand: int | None = None
              ) -> tuple[list[NoteKey], list[NoteKey], dict[int, str], list[int] | None]:
    """:func:`generated_diff`, the part names keeping ``notes`` gives (the new parts', and
    "Soprano" for an unnamed melody the new parts harmonize: see the module docstring) and
    the parts' order after it (:func:`new_part_order`). ``hand``: a region that rewrote one
    hand of its one part (:func:`hand_notes`)."""
    added, names, under = placed(score, notes)
    new = {i for i, _ in added if i >= len(score.parts)}
    order = new_part_order(len(score.parts), new, under)
    lower = [names[i] for i in sorted(names)]
    if lower == list(CHOIR_BELOW):
        melodies = [i for i, p in enumerate(score.parts) if p.notes and not p.is_drum]
        if len(melodies) == 1 and _unnamed(score.parts[melodies[0]].name, melodies[0]):
            names[melodies[0]] = "Soprano"
    removed = region_notes(score, start, end, parts, hand)
    cut, pieces = _cut_across(score, start, end, parts, hand)
    gone = set(removed)
    kept = [key for key in cut if key not in gone]
    return removed + kept, _seam_ties(_marked(score, removed, added, end is None), pieces,
                                      start, end), names, order


# A note the score held across a region's edge stays one note where the region meets it on
# its pitch: the new note that ends on the pitch a kept note held on from there, or that
# starts on the pitch a kept note held into the region, is tied to it, as the score had it.
# A listening review (session 83) heard a chorale's alto E4, tied over the bar after the
# region, struck again there in 10 of 10 rewrites, and a bass A3 tied into the region cut
REGION_TIES_KEPT = True


def _seam_ties(new: list[NoteKey], pieces: list[NoteKey], start: int, end: int | None
               ) -> list[NoteKey]:
    """``new`` (a region's notes kept) and ``pieces`` (the kept pieces of the notes its edges
    cut: :func:`_cut_across`), the pieces that meet a new note of their part and pitch at an
    edge joined to it (:data:`REGION_TIES_KEPT`)."""
    if not REGION_TIES_KEPT or end is None:
        return new + pieces
    out_new: list[NoteKey | None] = list(new)
    out_pieces: list[NoteKey | None] = list(pieces)
    for k, (i, piece) in enumerate(pieces):
        if piece.start != end and piece.end != start:
            continue
        j = next((j for j, key in enumerate(out_new) if key is not None
                  and key[0] == i and key[1].pitch == piece.pitch
                  and (key[1].end == end if piece.start == end else key[1].start == start)),
                 None)
        if j is None:
            continue
        note = out_new[j][1]  # type: ignore[index]
        if piece.start == end:  # (the new note held on into the kept music)
            out_new[j] = (i, replace(note, duration=piece.end - note.start))
            out_pieces[k] = None
        else:  # (the kept note held on into the region)
            out_pieces[k] = (i, replace(piece, duration=note.end - piece.start))
            out_new[j] = None
    return [key for key in out_new if key is not None] + \
        [key for key in out_pieces if key is not None]


def _marked(score: Score, removed: list[NoteKey], added: list[NoteKey], continuing: bool
            ) -> list[NoteKey]:
    """The generated notes with the marks that keep the composer's slurs, hairpins and pedal
    whole: an end of one that crosses into the notes they replace goes to the new note
    struck nearest it (its other end is kept: a slur into a regenerated bar had been left
    out), and in a part the composer pedals the new notes are pedalled, changed where their
    bass moves (:func:`.marks.pedal_for`; a continuation lets the pedal up at its end)."""
    by_part: dict[int, list[int]] = defaultdict(list)
    for k, (p, _n) in enumerate(added):
        by_part[p].append(k)
    extra: dict[int, set[str]] = defaultdict(set)
    for p, ks in by_part.items():
        if p >= len(score.parts) or not any(n.marks for n in score.parts[p].notes):
            continue
        notes = score.parts[p].notes
        gone = Counter(n for q, n in removed if q == p)
        out = [False] * len(notes)
        for i, n in enumerate(notes):
            if gone[n]:
                gone[n] -= 1
                out[i] = True

        for kind, (first, last) in SPANS.items():
            for (_t0, a), (_t1, b) in span_pairs(
                    ((n.start, i, n.marks) for i, n in enumerate(notes)), kind=kind):
                if out[a] != out[b]:
                    gone_end, mark = (a, first) if out[a] else (b, last)
                    extra[_nearest(added, ks, notes[gone_end].start, kind == "pedal")].add(mark)
        kept = [(n.start, n.end, n.marks) for i, n in enumerate(notes) if not out[i]]
        first_new = min(added[k][1].start for k in ks)
        recent = [m for at, _e, m in kept if at < first_new][-LEVEL_NOTES:]
        if not any(PEDAL_MARKS.intersection(m) for m in recent):
            continue  # (not a part the composer pedals here)
        state = [d for t, d in pedal_events(kept) if t <= first_new]
        down = bool(state and state[-1]) or any(SPANS["pedal"][0] in extra[k] for k in ks)
        new = [(added[k][1].start, added[k][1].end, added[k][1].pitch) for k in ks]
        beats = set(beat_ticks(score, min(t for t, _e, _p in new), max(e for _s, e, _p in new)))
        for j, marks in pedal_for(new, down, continuing, beats).items():
            extra[ks[j]] |= marks
    if not extra:
        return added
    return [(p, replace(n, marks=(*n.marks, *extra[k]))) if k in extra else (p, n)
            for k, (p, n) in enumerate(added)]


def _nearest(added: list[NoteKey], ks: list[int], tick: int, low: bool) -> int:
    """The one of ``added[k]`` for k in ``ks`` struck nearest ``tick``: of a chord, the
    lowest note (``low``: a pedal's) or the highest (a slur's, a hairpin's)."""
    return min(ks, key=lambda k: (abs(added[k][1].start - tick),
                                  added[k][1].pitch * (1 if low else -1)))


CHOIR_BELOW = ("Alto", "Tenor", "Bass")


def kept_layout(score: Score, notes: Iterable[Note | PlacedNote], start: int,
                end: int | None = None, parts: Collection[int] | None = None,
                hand: int | None = None
                ) -> tuple[dict[int, int], set[tuple[int, int, int, int]]]:
    """Where :func:`apply_generated` puts things: each of ``score``'s parts' index after it (new
    parts may stand between old ones) and (part, start, pitch, end) of each generated note
    there. The score view marks a variation's notes in the score it would make, and finds the
    composer's own notes in it."""
    _removed, added, _names, order = kept_diff(score, notes, start, end, parts, hand)
    moved = {old: new for new, old in enumerate(order)} if order else {}
    return ({i: moved.get(i, i) for i in range(len(score.parts))},
            {(moved.get(i, i), n.start, n.pitch, n.end) for i, n in added
             if n.start >= start and (end is None or n.start < end)})  # (not a cut note's)


def _unnamed(name: str, index: int) -> bool:
    return not name or name == f"Part {index + 1}"


def keys_for(score: Score, key: KeySignature, start: int, end: int | None = None
             ) -> tuple[KeySignature, ...] | None:
    """The score's key signatures with ``key``'s in force where a generation wrote in it on
    purpose (the composer chose the key) from ``start`` (to ``end``, a region: the old one is
    back there), from the first bar line at or after ``start``; None where nothing changes
    (the same signature, or a score with none: notation then writes the key heard, or the
    generation's, from the start). A fuzz run asked for A-sharp minor after a D major sketch
    and got it under D major's two sharps, every note an accidental."""
    if not score.key_signatures:
        return None
    bar = score.bar_at(start)
    at = start if score.bar_start(bar) == start else score.bar_start(bar + 1)
    stop = None
    if end is not None:
        stop = end if score.bar_start(score.bar_at(end)) == end else \
            score.bar_start(score.bar_at(end))
        if stop <= at:
            return None
    before = score.key_at(at) or score.key_signatures[0]
    if before.sharps == key.sharps:
        return None
    new = KeySignature(at, key.sharps, key.mode, mode_stated=True)
    back = [] if stop is None or stop >= score.end_tick else \
        [replace(score.key_at(stop) or before, tick=stop)]
    kept = [k for k in score.key_signatures
            if k.tick < at or (stop is not None and k.tick > stop)]
    return tuple(sorted((*kept, new, *back), key=lambda k: k.tick))


def with_fermatas(score: Score, ticks: Iterable[int]) -> Score:
    """``score`` with fermatas added at ``ticks`` (the onsets that carry one): the phrase ends
    a chorale continuation marks. The score's own fermatas stay (a region keeps the score's
    phrase ends; a continuation from inside the sketch takes away those of the notes it
    replaces, :func:`apply_generated`)."""
    new = set(ticks) - set(score.fermatas)
    return replace(score, fermatas=score.fermatas + tuple(new)) if new else score


def with_upbeat(score: Score, ticks: int) -> Score:
    """``score`` with an upbeat of ``ticks`` (0: none): the music moved so that its first note
    starts that long before the first full bar (bar 1), or, without one, on the first beat. A
    MIDI file from another program writes a chorale's one-beat upbeat as the first beat of a
    full bar, and every bar line came a beat early (a review). Raises ValueError (a message
    for the user) where the meter allows no such upbeat or changes in the score."""
    meter = score.time_signatures[0]
    if not 0 <= ticks < meter.bar_ticks:
        raise ValueError(f"an upbeat is shorter than a bar of {meter}")
    if any((ts.numerator, ts.denominator) != (meter.numerator, meter.denominator)
           for ts in score.time_signatures):
        # (whether a later meter's mark was written a beat early too, no one can tell)
        raise ValueError("the meter changes in the score; set the upbeat where it has one meter")
    notes = score.notes
    first = min(n.start for n in notes) if notes else 0
    shift = (meter.bar_ticks - ticks if ticks else 0) - first if notes else 0

    def marks(events):  # (the marks at the start stay there; later ones move with the music)
        kept = [e for e in events if e.tick == 0]
        moved = [replace(e, tick=e.tick + shift) for e in events if e.tick > 0
                 and e.tick + shift > 0]
        return (*kept, *moved)

    moved = score.map_notes(lambda n: replace(n, start=n.start + shift), drums=True) \
        if shift else score
    # the chords move with the music; one moved before the start stands at it (the last such
    # wins: it is the one in force when the music begins)
    chords = tuple(replace(c, tick=max(c.tick + shift, 0)) for c in score.chord_symbols)
    return replace(moved, pickup=ticks, fermatas=tuple(t + shift for t in score.fermatas),
                   tempos=marks(score.tempos), time_signatures=marks(score.time_signatures),
                   key_signatures=marks(score.key_signatures), chord_symbols=chords)


def phrase_end_tick(notes: Iterable[Note]) -> int | None:
    """Where a selection's phrase ends: the latest onset among ``notes`` (a phrase selected
    whole, or the note or chord that ends it), or None for no notes."""
    return max((n.start for n in notes), default=None)


def stopped_end(score: Score, variations: Sequence[Sequence[Note | PlacedNote]],
                start: int) -> int | None:
    """Where the variations of a generation stopped midway end together: the last bar line
    after ``start`` that every voice (each variation's notes of one part) has reached, or,
    inside the first bar, the earliest voice's end. A voice's note still sounding when it
    stopped is never written, so each voice breaks off at its last finished note: a review
    kept a stopped chorale whose bass fell silent a beat before its soprano, and eight
    variations that ended at eight ticks, mid-bar. None: no notes (nothing to cut)."""
    ends: dict[tuple[int, int | None], int] = {}
    for v, notes in enumerate(variations):
        for x in notes:
            note = x.note if isinstance(x, PlacedNote) else x
            voice = (v, getattr(x, "part", None))
            ends[voice] = max(ends.get(voice, start), note.end)
    if not ends:
        return None
    reached = min(ends.values())
    bar_line = score.bar_start(score.bar_at(reached))
    return bar_line if bar_line > start else reached


def cut_at(notes: Iterable[Note | PlacedNote], tick: int) -> list[Note | PlacedNote]:
    """``notes`` that start before ``tick``, those sounding past it ending there (a placed note
    keeps its part)."""
    out: list[Note | PlacedNote] = []
    for x in notes:
        note = x.note if isinstance(x, PlacedNote) else x
        if note.start >= tick:
            continue
        if note.end > tick:
            note = replace(note, duration=tick - note.start)
        out.append(replace(x, note=note) if isinstance(x, PlacedNote) else note)
    return out


def syllables(text: str) -> list[str | None]:
    """The words a composer types for notes, one syllable per note (``Note.lyric``): words
    apart by spaces, a word's syllables by hyphens ("Lob-ge-sang" gives "Lob-", "-ge-",
    "-sang"), "_" a note that sings none (a melisma), as ABC's ``w:`` lines write them."""
    out: list[str | None] = []
    for word in text.split():
        if word == "_":
            out.append(None)
            continue
        pieces = [p for p in word.split("-") if p]
        # (a word broken by a note without a syllable: "Her- _ -zens", as words_text writes)
        before, after = word.startswith("-"), word.endswith("-")
        for i, piece in enumerate(pieces):
            out.append(("-" if i or before else "") + piece
                       + ("-" if i < len(pieces) - 1 or after else ""))
    return out


def words_text(lyrics: Sequence[str | None]) -> str:
    """:func:`syllables` back into text (the words already on notes, to edit)."""
    while lyrics and lyrics[-1] is None:
        lyrics = lyrics[:-1]
    text = ""
    for lyric in lyrics:
        if lyric is None:
            text += " _"
        elif lyric.startswith("-") and len(lyric) > 1 and text.endswith("-"):
            text += lyric[1:]
        else:  # (after a skipped note a word's next syllable keeps its hyphen: " -zens")
            text += " " + lyric
    return text.strip()


def sung_notes(keys: Iterable[NoteKey]) -> dict[int, list[NoteKey]]:
    """Per part, the notes of ``keys`` that carry its words: one per onset, the highest of a
    chord, in time order."""
    top: dict[tuple[int, int], NoteKey] = {}
    for p, n in keys:
        if (p, n.start) not in top or n.pitch > top[p, n.start][1].pitch:
            top[p, n.start] = (p, n)
    out: dict[int, list[NoteKey]] = {}
    for (p, _t), key in sorted(top.items()):
        out.setdefault(p, []).append(key)
    return out


def with_words(keys: Iterable[NoteKey], text: str) -> tuple[list[NoteKey], list[NoteKey], int]:
    """(removed, added, syllables left over): ``text``'s syllables put on the sung notes of
    ``keys`` in each part (a chorale's four voices selected together each get the words), the
    notes past them cleared; the syllables beyond the last note are counted, not placed."""
    sung = syllables(text)
    removed: list[NoteKey] = []
    added: list[NoteKey] = []
    left = 0
    for notes in sung_notes(keys).values():
        words = sung + [None] * (len(notes) - len(sung))
        left = max(left, len(sung) - len(notes))
        for (p, n), lyric in zip(notes, words, strict=False):
            if n.lyric != lyric:
                removed.append((p, n))
                added.append((p, replace(n, lyric=lyric)))
    return removed, added, left


def with_mark(keys: Iterable[NoteKey], mark: str) -> tuple[list[NoteKey], list[NoteKey], bool]:
    """(removed, added, put on): ``mark`` (a staccato, a trill: :mod:`.marks`) put on every
    note of ``keys``, or taken off them all where each already has it (the menu item toggles,
    as a notation program's does)."""
    keys = list(keys)
    on = not all(mark in n.marks for _p, n in keys)
    removed: list[NoteKey] = []
    added: list[NoteKey] = []
    for p, n in keys:
        marks = set(n.marks) | {mark} if on else set(n.marks) - {mark}
        if tuple(sorted(marks)) != n.marks:
            removed.append((p, n))
            added.append((p, replace(n, marks=tuple(marks))))
    return removed, added, on


def with_span(keys: Iterable[NoteKey], kind: str = "slur"
              ) -> tuple[list[NoteKey], list[NoteKey], bool]:
    """(removed, added, put on): a slur (or a hairpin, the sustain pedal: ``kind``,
    :data:`.marks.SPANS`) over the selection in each part it touches, from its first onset to
    its last (a pedal on the lowest notes there); or, where the
    selection is already so slurred in every part, that slur taken away. The slur ends inside
    it are cleared (one slur over the passage); a slur that ends on its first note or begins
    on its last stays (a note two slurs share)."""
    start, stop = SPANS[kind]
    by_part: dict[int, list[Note]] = defaultdict(list)
    for p, n in keys:
        by_part[p].append(n)
    parts = {p: sorted(ns) for p, ns in by_part.items()  # (a pedal may hold one chord)
             if len({n.start for n in ns}) > 1 or kind == "pedal"}

    def ends(notes: list[Note]) -> tuple[list[Note], list[Note]]:
        """The notes a span starts and stops on: those of its first and last onsets; a
        pedal's, the lowest of the first and the one that ends last (it comes up there)."""
        first = [n for n in notes if n.start == notes[0].start]
        if kind == "pedal":
            return [min(first, key=lambda n: n.pitch)], [
                max(notes, key=lambda n: (n.end, -n.pitch))]
        last = max(n.start for n in notes)
        return first, [n for n in notes if n.start == last]

    on = not all(any(start in n.marks for n in ends(ns)[0])
                 and any(stop in n.marks for n in ends(ns)[1]) for ns in parts.values())
    removed: list[NoteKey] = []
    added: list[NoteKey] = []
    for p, notes in parts.items():
        firsts, lasts = ends(notes)
        for n in notes:
            marks = set(n.marks)
            if any(n is x for x in firsts):  # (an end of a slur before or after stays: a
                marks = marks | {start} if on else marks - {start}  # shared note)
                if any(n is x for x in lasts):  # (a pedal caught by one long note)
                    marks = marks | {stop} if on else marks - {stop}
            elif any(n is x for x in lasts):
                marks = marks | {stop} if on else marks - {stop}
            elif on:
                marks -= {start, stop}
            if tuple(sorted(marks)) != n.marks:
                removed.append((p, n))
                added.append((p, replace(n, marks=tuple(marks))))
    return removed, added, on


def with_dynamic(parts: Sequence[Part], keys: Iterable[NoteKey], level: str | None
                 ) -> tuple[list[NoteKey], list[NoteKey]]:
    """(removed, added): in each part of ``keys``, the dynamic ``level`` (``"p"``, ``"f"``:
    :data:`.marks.DYNAMICS`) written at the selection's first onset (on its highest note) and
    the part's notes from there to its next dynamic played at that level; ``None`` takes the
    dynamic there away (the notes keep their loudness)."""
    first: dict[int, Note] = {}
    for p, n in keys:
        if p not in first or (n.start, -n.pitch) < (first[p].start, -first[p].pitch):
            first[p] = n
    removed: list[NoteKey] = []
    added: list[NoteKey] = []
    for p, top in first.items():
        later = [n.start for n in parts[p].notes if n.start > top.start and dynamic(n.marks)]
        until = min(later, default=None)
        for n in parts[p].notes:
            marks = set(n.marks) - set(DYNAMICS) if n.start == top.start else set(n.marks)
            velocity = n.velocity
            if n == top and level is not None:
                marks.add(level)
            if level is not None and n.start >= top.start and (until is None or n.start < until):
                velocity = DYNAMICS[level]
            if tuple(sorted(marks)) != n.marks or velocity != n.velocity:
                removed.append((p, n))
                added.append((p, replace(n, marks=tuple(marks), velocity=velocity)))
    return removed, added


def toggle_fermata(score: Score, tick: int) -> Score:
    """``score`` with a fermata at ``tick`` added, or taken away where it has one: a composer
    marks where the sketch's phrases end (the models end theirs at those places in the bar,
    and Harmonize closes each with a cadence)."""
    if tick in score.fermatas:
        return replace(score, fermatas=tuple(t for t in score.fermatas if t != tick))
    return replace(score, fermatas=tuple(sorted((*score.fermatas, tick))))


def apply_generated(score: Score, notes: Iterable[Note | PlacedNote], start: int,
                    end: int | None = None, parts: Collection[int] | None = None,
                    fermatas: Iterable[int] = (), hand: int | None = None) -> Score:
    """``score`` with generated ``notes`` kept (:func:`generated_diff` applied) and the
    ``fermatas`` the generation marked (:func:`with_fermatas`). A continuation (no ``end``)
    takes the score's fermatas after ``start`` away with the notes it replaces: one stays only
    where a kept note starts (``--from-bar`` had left Bach's phrase ends over the new music)."""
    if end is None:
        score = continuation_frame(score, start, parts)
    removed, added, names, order = kept_diff(score, notes, start, end, parts, hand)
    result = apply_note_diff(score, removed, added, names=names)
    if end is None:
        gone = Counter(removed)
        kept = set()
        for i, p in enumerate(score.parts):
            for n in p.notes:
                if gone[(i, n)]:
                    gone[(i, n)] -= 1
                else:
                    kept.add(n.start)
        result = replace(result, fermatas=tuple(t for t in result.fermatas
                                                if t < start or t in kept))
        # ... and the meter, key and tempo changes of what it replaced that now lie past the
        # music's end: an aria continued from bar 5 kept its 3/4 section's signatures, and the
        # notation writer wrote empty bars up to them
        last = result.end_tick

        def before_end(changes):
            return tuple(c for c in changes if c.tick < max(last, start + 1))

        result = replace(result, time_signatures=before_end(result.time_signatures),
                         key_signatures=before_end(result.key_signatures),
                         tempos=before_end(result.tempos),
                         chord_symbols=before_end(result.chord_symbols))
    return with_fermatas(reordered(result, order), fermatas)


def drums_not_continued(score: Score, start: int) -> list[int]:
    """The drum parts of ``score`` (a continuation kept from ``start``) that play into the bar
    before ``start`` and have no note from there on, while a pitched part does: the models
    write pitched voices only, and a trial's drum track fell silent in the new bars with no
    note saying so. Their indices, for the caller to name (:func:`drums_note`)."""
    if not any(n.start >= start for p in score.parts if not p.is_drum for n in p.notes):
        return []
    return [i for i in drums_playing_into(score, start)
            if not any(n.start >= start for n in score.parts[i].notes)]


def drums_playing_into(score: Score, start: int) -> list[int]:
    """The drum parts that play in the bar before ``start`` (where a continuation begins)."""
    before = score.bar_start(max(score.bar_at(start) - 1, 0))
    return [i for i, p in enumerate(score.parts) if p.is_drum and p.notes
            and any(n.end > before and n.start < start for n in p.notes)]


def drums_note(score: Score, parts: Sequence[int]) -> str:
    """What a continuation says of the drum ``parts`` it leaves silent."""
    names = ", ".join(score.parts[i].name or f"part {i + 1}" for i in parts)
    one = len(parts) == 1
    return (f"the drum part{'' if one else 's'} ({names}) {'is' if one else 'are'} not "
            "continued: the model writes pitched voices only, so the new bars have no drums")
