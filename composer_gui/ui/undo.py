"""Undo commands over the document's Score (Orange-canvas style: small, each stores old and new).

* ``EditNotes`` stores a note diff (removed, added). Every note edit is one: draw, erase, move,
  resize, velocity, paste, transpose, quantize, keeping a generated variation.
* ``ChangeScore`` stores the old and the new Score, for tempo, meter and key; consecutive changes of
  the same field merge into one undo step (like typing in a field).
* ``ChangeParts`` stores the old and the new Score for the parts panel: add, delete and reorder
  parts (with which old part went where, so the selection and the views follow their parts),
  rename, instrument, mute and solo.
* ``SetKeySignatures`` and ``SetChordSymbols`` replace the key signatures or the chord symbols
  alone: the steps of a whole-score transposition besides its notes, and Set Chord Symbol.

The ``*_command`` helpers build a command or return None when the edit would change nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace

from PySide6.QtGui import QUndoCommand

from composer_gui.music.chord_symbols import at_tick, transposed, with_symbol
from composer_gui.music.edits import (
    NoteKey,
    PlacedNote,
    apply_note_diff,
    kept_diff,
    phrase_end_tick,
    reordered,
    toggle_fermata,
    with_fermatas,
    with_upbeat,
)
from composer_gui.music.gm import program_name
from composer_gui.music.score import (
    DRUM_CHANNEL,
    ChordSymbol,
    KeySignature,
    Note,
    Part,
    Score,
    TempoChange,
    TimeSignature,
    quantize_note,
)

from .document import Document
from .labels import key_label, length_label, part_label, plural

MERGE_TEMPO, MERGE_METER, MERGE_KEY = 101, 102, 103


class EditNotes(QUndoCommand):
    def __init__(self, doc: Document, removed: Iterable[NoteKey], added: Iterable[NoteKey],
                 text: str, parent: QUndoCommand | None = None,
                 names: Mapping[int, str] | None = None, fermatas: Iterable[int] = (),
                 order: list[int] | None = None, chords: Iterable[ChordSymbol] = ()) -> None:
        super().__init__(text, parent)
        self.doc = doc
        self.removed = tuple(removed)
        self.added = tuple(added)
        # chord symbols this edit puts in (those over pasted notes), each in place of the one
        # at its tick; undo gives back what stood there. Deleting or moving notes leaves the
        # chords where they are: a chord holds over a rest too, and moving a melody note
        # under it changes no harmony.
        self.chords = tuple(chords)
        self._chords_before = doc.score.chord_symbols
        # fermatas this edit adds (a kept chorale continuation's phrase ends); undo removes them
        self.fermatas = tuple(sorted(set(fermatas) - set(doc.score.fermatas)))
        # ... and those it leaves over no onset (their notes deleted or moved): a review deleted
        # a chorale's bars and its fermatas stayed, and Continue closed phrases on them
        onsets = Counter(n.start for part in doc.score.parts for n in part.notes)
        onsets.subtract(n.start for _p, n in self.removed)
        onsets.update(n.start for _p, n in self.added)
        self.stranded = tuple(t for t in doc.score.fermatas
                              if onsets[t] <= 0 and t not in self.fermatas)
        self.names = dict(names or {})  # names of the parts this edit adds (or renames)
        self._selection_before = doc.selection
        self._parts_before = len(doc.score.parts)
        self._names_before = {i: doc.score.parts[i].name for i in self.names
                              if i < len(doc.score.parts)}
        # the parts' order once new ones are added (music.edits.new_part_order), where it
        # changes: the diff's indices are those before it, so redo applies it last and undo
        # takes it back first; each part's place after it (``moved`` for the views)
        self.order = list(order) if order else None
        self._place = {old: new for new, old in enumerate(self.order or ())}

    def redo(self) -> None:
        score = apply_note_diff(self.doc.score, self.removed, self.added, self.names)
        score = with_fermatas(reordered(score, self.order), self.fermatas)
        if self.chords:
            ticks = {c.tick for c in self.chords}
            score = replace(score, chord_symbols=(
                *(c for c in score.chord_symbols if c.tick not in ticks), *self.chords))
        if self.stranded:
            gone = set(self.stranded)
            score = replace(score, fermatas=tuple(t for t in score.fermatas if t not in gone))
        if self.order is None:
            self.doc.replace_score(score, frozenset(self.added))
            return
        self.doc.replace_score(score, frozenset((self._place[p], n) for p, n in self.added),
                               [self._place[i] for i in range(self._parts_before)])

    def undo(self) -> None:
        score = self.doc.score
        if self.order is not None:  # (each part back from its place: the order's inverse)
            score = reordered(score, [self._place[i] for i in range(len(self.order))])
        score = apply_note_diff(score, self.added, self.removed, self._names_before)
        if self.fermatas:
            gone = set(self.fermatas)
            score = replace(score, fermatas=tuple(t for t in score.fermatas if t not in gone))
        score = with_fermatas(score, self.stranded)
        if self.chords:
            ticks = {c.tick for c in self.chords}
            score = replace(score, chord_symbols=(
                *(c for c in score.chord_symbols if c.tick not in ticks),
                *(c for c in self._chords_before if c.tick in ticks)))
        extra = score.parts[self._parts_before:]
        if extra and not any(p.notes for p in extra):  # a part this command added: drop it
            score = score.with_parts(score.parts[:self._parts_before])
        if self.order is None:
            self.doc.replace_score(score, self._selection_before)
            return
        self.doc.replace_score(score, self._selection_before,
                               [o if o < self._parts_before else -1 for o in self.order])


class ChangeScore(QUndoCommand):
    def __init__(self, doc: Document, new: Score, text: str, merge_id: int = -1,
                 parent: QUndoCommand | None = None) -> None:
        super().__init__(text, parent)
        self.doc = doc
        self.old = doc.score
        self.new = new
        self._id = merge_id

    def id(self) -> int:
        return self._id

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, ChangeScore) or other.id() != self._id or self._id < 0:
            return False
        self.new = other.new
        # (the label says where the merged changes ended: a review read "Set key to D Dorian"
        # over a key set on to F major; a run of changes back to the start is no step at all)
        self.setText(other.text())
        self.setObsolete(self.new == self.old)
        return True

    def redo(self) -> None:
        self.doc.replace_score(self.new)

    def undo(self) -> None:
        self.doc.replace_score(self.old)


class ChangeParts(QUndoCommand):
    """A change to the parts. ``moved``: each old part's new index (-1: deleted), None when the
    parts stay where they are (a rename, an instrument, mute or solo)."""

    def __init__(self, doc: Document, new: Score, text: str, moved: list[int] | None = None,
                 parent: QUndoCommand | None = None) -> None:
        super().__init__(text, parent)
        self.doc = doc
        self.old = doc.score
        self.new = new
        self.moved = None if moved is None else list(moved)
        self.back: list[int] | None = None
        if moved is not None:
            self.back = [-1] * len(new.parts)
            for old, to in enumerate(moved):
                if to >= 0:
                    self.back[to] = old

    def _apply(self, score: Score, moved: list[int] | None) -> None:
        selection = None
        if moved is not None:
            selection = frozenset((moved[p], n) for p, n in self.doc.selection
                                  if p < len(moved) and moved[p] >= 0)
        self.doc.replace_score(score, selection, moved)

    def redo(self) -> None:
        self._apply(self.new, self.moved)

    def undo(self) -> None:
        self._apply(self.old, self.back)


# ----- builders ----------------------------------------------------------------------------------
def add_command(doc: Document, keys: Iterable[NoteKey], text: str | None = None
                ) -> EditNotes | None:
    keys = list(keys)
    if not keys:
        return None
    return EditNotes(doc, (), keys, text or f"Add {plural(len(keys), 'note')}")


def delete_command(doc: Document, keys: Iterable[NoteKey], text: str | None = None
                   ) -> EditNotes | None:
    keys = list(keys)
    if not keys:
        return None
    return EditNotes(doc, keys, (), text or f"Delete {plural(len(keys), 'note')}")


def move_limits(keys: Iterable[NoteKey]) -> tuple[int, int, int]:
    """(earliest start, lowest pitch, highest pitch) of the notes, for clamping a move."""
    keys = list(keys)
    return (min(n.start for _, n in keys), min(n.pitch for _, n in keys),
            max(n.pitch for _, n in keys))


def clamp_move(keys: Iterable[NoteKey], dt: int, dp: int) -> tuple[int, int]:
    """Limit a move so that no note starts before 0 or leaves MIDI's 0..127."""
    keys = list(keys)
    if not keys:
        return 0, 0
    first, low, high = move_limits(keys)
    return max(dt, -first), min(max(dp, -low), 127 - high)


def move_command(doc: Document, keys: Iterable[NoteKey], dt: int, dp: int,
                 text: str | None = None) -> EditNotes | None:
    keys = list(keys)
    dt, dp = clamp_move(keys, dt, dp)
    if not keys or (dt == 0 and dp == 0):
        return None
    moved = [(p, replace(n, start=n.start + dt, pitch=n.pitch + dp)) for p, n in keys]
    # a note moved onto another of its part's at the same start and pitch takes its place, as
    # a DAW's does (a review dropped a note on its twin: two notes drawn as one, and the panel
    # then read the melody as chords)
    landing = {(p, n.start, n.pitch) for p, n in moved}
    leaving = set(keys)
    covered = [(i, n) for i, part in enumerate(doc.score.parts) for n in part.notes
               if (i, n.start, n.pitch) in landing and (i, n) not in leaving]
    # a fermata goes with the chord it is over, where the whole chord moves
    moving = Counter(n.start for _p, n in keys)
    struck = Counter(n.start for part in doc.score.parts for n in part.notes)
    carried = [t + dt for t in doc.score.fermatas if dt and moving[t] and moving[t] == struck[t]]
    return EditNotes(doc, keys + covered, moved, text or f"Move {plural(len(keys), 'note')}",
                     fermatas=carried)


def resize_command(doc: Document, keys: Iterable[NoteKey], dlen: int, min_len: int
                   ) -> EditNotes | None:
    keys = list(keys)
    if not keys or dlen == 0:
        return None
    new = [(p, replace(n, duration=max(min(min_len, n.duration), n.duration + dlen)))
           for p, n in keys]
    if new == keys:
        return None
    return EditNotes(doc, keys, new, f"Resize {plural(len(keys), 'note')}")


def velocity_command(doc: Document, velocities: Mapping[NoteKey, int]) -> EditNotes | None:
    old = [k for k, v in velocities.items() if k[1].velocity != v]
    if not old:
        return None
    new = [(p, replace(n, velocity=max(1, min(127, velocities[(p, n)])))) for p, n in old]
    return EditNotes(doc, old, new, f"Change velocity of {plural(len(old), 'note')}")


class Steps(QUndoCommand):
    """Commands done as one undo step, in order, and undone in reverse. (Python holds them:
    a Python command parented to a Qt one can lose its wrapper and crash the undo stack.)"""

    def __init__(self, text: str, steps: Iterable[QUndoCommand]) -> None:
        super().__init__(text)
        self.steps = list(steps)

    def redo(self) -> None:
        for step in self.steps:
            step.redo()

    def undo(self) -> None:
        for step in reversed(self.steps):
            step.undo()


class _SetScoreField(QUndoCommand):
    """One of the score's own fields (``field``) replaced, its notes left as they are."""

    field = ""

    def __init__(self, doc: Document, values: Iterable, text: str = "",
                 parent: QUndoCommand | None = None) -> None:
        super().__init__(text, parent)
        self.doc = doc
        self.old = getattr(doc.score, self.field)
        self.new = tuple(values)

    def redo(self) -> None:
        self.doc.replace_score(replace(self.doc.score, **{self.field: self.new}))

    def undo(self) -> None:
        self.doc.replace_score(replace(self.doc.score, **{self.field: self.old}))


class SetKeySignatures(_SetScoreField):
    """The score's key signatures replaced, its notes left as they are (the part of a
    whole-score transposition that moves the key with the notes)."""

    field = "key_signatures"


class SetChordSymbols(_SetScoreField):
    """The score's chord symbols replaced, its notes left as they are: a chord typed or
    cleared (:func:`chord_symbol_command`), or the symbols a whole-score transposition moves."""

    field = "chord_symbols"


def chord_symbol_command(doc: Document, tick: int, text: str) -> SetChordSymbols | None:
    """Set Chord Symbol: the chord at ``tick`` added, changed to ``text``, or cleared ("");
    None where it is so already. The text is the caller's to check (``is_chord_text``)."""
    text = text.strip()
    now = at_tick(doc.score.chord_symbols, tick)
    if (now.text if now else "") == text:
        return None
    label = "Clear Chord Symbol" if not text else "Set Chord Symbol"
    return SetChordSymbols(doc, with_symbol(doc.score.chord_symbols, tick, text), label)


def transpose_command(doc: Document, keys: Iterable[NoteKey], semitones: int
                      ) -> QUndoCommand | None:
    """Raises ValueError (a message for the user) if a note would leave 0..127. Where every
    pitched note moves, the key signatures move with them (a review transposed a chorale in F#
    minor up a whole tone and exported G# minor music under three sharps), and so do the
    chord symbols, in flats under a key signature of flats (``chord_symbols.transposed``)."""
    keys = list(keys)
    if not keys or semitones == 0:
        return None
    _, low, high = move_limits(keys)
    if low + semitones < 0 or high + semitones > 127:
        raise ValueError("transposing would move notes outside the MIDI range 0..127")
    new = [(p, replace(n, pitch=n.pitch + semitones)) for p, n in keys]
    sign = "+" if semitones > 0 else ""
    text = f"Transpose {plural(len(keys), 'note')} {sign}{semitones}"
    score = doc.score
    pitched = {(i, n) for i, p in enumerate(score.parts) if not p.is_drum for n in p.notes}
    if not (score.key_signatures or score.chord_symbols) or not pitched <= set(keys):
        return EditNotes(doc, keys, new, text)
    moved = [k.transposed(semitones) for k in score.key_signatures]
    if score.key is not None:
        text += f" (key {key_label(score.key)} to {key_label(moved[0])})"
    steps: list[QUndoCommand] = [EditNotes(doc, keys, new, text)]
    if moved:
        steps.append(SetKeySignatures(doc, moved, text))
    if score.chord_symbols:
        after = replace(score, key_signatures=tuple(moved))
        steps.append(SetChordSymbols(doc, transposed(after, semitones), text))
    return Steps(text, steps)


def quantize_command(doc: Document, keys: Iterable[NoteKey], grid: int) -> EditNotes | None:
    keys = list(keys)
    new = [(p, quantize_note(n, grid)) for p, n in keys]
    if new == keys:
        return None
    return EditNotes(doc, keys, new, f"Quantize {plural(len(keys), 'note')}")


def phrase_end_command(doc: Document, keys: Iterable[NoteKey]) -> ChangeScore | None:
    """Mark the end of the selected notes as a phrase end (a fermata), or unmark it."""
    tick = phrase_end_tick(n for _p, n in keys)
    if tick is None:
        return None
    text = "Remove Phrase End" if tick in doc.score.fermatas else "Mark Phrase End"
    return ChangeScore(doc, toggle_fermata(doc.score, tick), text)


def upbeat_command(doc: Document, ticks: int) -> ChangeScore | None:
    """Raises ValueError (a message for the user) where the score cannot take that upbeat."""
    if ticks == doc.score.upbeat:
        return None
    new = with_upbeat(doc.score, ticks)
    return ChangeScore(doc, new, f"Set upbeat to {length_label(ticks)}" if ticks
                       else "Remove upbeat")


def tempo_command(doc: Document, bpm: float) -> ChangeScore | None:
    score = doc.score
    # ("Slow" and the note value it counts stay with its new pace)
    tempo = TempoChange.from_bpm(0, bpm, score.tempo.words, score.tempo.unit)
    if tempo.us_per_quarter == score.tempo.us_per_quarter:
        return None
    new = replace(score, tempos=(tempo, *score.tempos[1:]))
    return ChangeScore(doc, new, f"Set tempo to {bpm:g} bpm", MERGE_TEMPO)


def meter_command(doc: Document, numerator: int, denominator: int) -> ChangeScore | None:
    score = doc.score
    ts = TimeSignature(0, numerator, denominator)
    if ts == score.time_signature:
        return None
    new = replace(score, time_signatures=(ts, *score.time_signatures[1:]))
    return ChangeScore(doc, new, f"Set time signature to {ts}", MERGE_METER)


def key_command(doc: Document, key: KeySignature | None) -> ChangeScore | None:
    score = doc.score
    if key == score.key:
        return None
    rest = score.key_signatures[1:] if score.key_signatures else ()
    new = replace(score, key_signatures=((key, *rest) if key else rest))
    text = f"Set key to {key_label(key)}" if key else "Remove key"
    return ChangeScore(doc, new, text, MERGE_KEY)


def credits_command(doc: Document, title: str, composer: str) -> ChangeScore | None:
    """The score's title and composer, as exports write them (MusicXML's credit and creator,
    ABC's T: and C:, a MIDI file's name). A continued file keeps its source's credits until
    the composer changes them here (a review found generated bars credited "J.S. Bach")."""
    score = doc.score
    title, composer = " ".join(title.split()), " ".join(composer.split())
    if (title, composer) == (score.title, score.composer):
        return None
    return ChangeScore(doc, replace(score, title=title, composer=composer),
                       "Set title and composer")


def keep_command(doc: Document, notes: Iterable[Note | PlacedNote], start: int,
                 end: int | None, text: str, parts: Collection[int] | None = None,
                 fermatas: Iterable[int] = (), hand: int | None = None,
                 chords: Iterable[ChordSymbol] = ()) -> EditNotes | None:
    """Keep generated notes (from ``start``; ``end``: a region; ``parts``: the parts rewritten,
    None for all; ``hand``: of the one part, the hand rewritten) by music.edits' one rule: each
    note into its part, new parts named; with the ``fermatas`` the generation marked and the
    ``chords`` over a lead sheet's new bars, as ``composer-gui generate`` writes them."""
    removed, added, names, order = kept_diff(doc.score, notes, start, end, parts, hand)
    if not added and not removed:
        return None
    return EditNotes(doc, removed, added, text, names=names, fermatas=fermatas, order=order,
                     chords=chords)


# ----- parts (the parts panel) --------------------------------------------------------------------
def _part_name(score: Score, index: int) -> str:
    return part_label(score.parts[index].name, index)


def add_part_command(doc: Document, part: Part, index: int | None = None) -> ChangeParts:
    """Insert ``part`` at ``index`` (default: after the last); its channel is made unique, and
    its colour the first that no other part shows (the others keep theirs)."""
    score = doc.score.with_colours()
    parts = list(score.parts)
    index = len(parts) if index is None else max(0, min(index, len(parts)))
    if part.colour < 0:
        shown = {p.colour for p in parts}
        part = replace(part, colour=next(c for c in range(len(parts) + 1) if c not in shown))
    if not part.is_drum:
        used = {p.channel for p in parts}
        free = [c for c in range(16) if c != DRUM_CHANNEL and c not in used]
        part = replace(part, channel=free[0] if free else 0)
    parts.insert(index, part)
    moved = [i if i < index else i + 1 for i in range(len(score.parts))]
    return ChangeParts(doc, score.with_parts(parts), f"Add part {part.name}".strip(), moved)


def delete_part_command(doc: Document, index: int) -> ChangeParts | None:
    """Delete a part and its notes; None for the last part left (a score has one at least).
    The parts after it keep their colours."""
    score = doc.score.with_colours()
    if len(score.parts) <= 1 or not 0 <= index < len(score.parts):
        return None
    parts = list(score.parts)
    gone = parts.pop(index)
    moved = [-1 if i == index else (i if i < index else i - 1) for i in range(len(score.parts))]
    text = f"Delete part {_part_name(score, index)}"
    if gone.notes:
        text += f" ({plural(len(gone.notes), 'note')})"
    return ChangeParts(doc, score.with_parts(parts), text, moved)


def move_part_command(doc: Document, source: int, target: int) -> ChangeParts | None:
    """Move the part at ``source`` to ``target`` (the others close up); each keeps its colour
    (a review's Tenor, moved up, had turned the Alto's orange)."""
    score = doc.score.with_colours()
    n = len(score.parts)
    if not (0 <= source < n and 0 <= target < n) or source == target:
        return None
    order = list(range(n))
    order.insert(target, order.pop(source))  # order[new] = old
    moved = [0] * n
    for new, old in enumerate(order):
        moved[old] = new
    return ChangeParts(doc, score.with_parts([score.parts[i] for i in order]),
                       f"Move part {_part_name(score, source)}", moved)


def part_command(doc: Document, index: int, **changes) -> ChangeParts | None:
    """Change one part's ``name``, ``program``, ``muted`` or ``solo``; None if nothing changes."""
    score = doc.score
    if not 0 <= index < len(score.parts):
        return None
    old = score.parts[index]
    new = replace(old, **changes)
    if new == old:
        return None
    name = _part_name(score, index)
    if "name" in changes:
        text = f"Rename {name} to {new.name}" if new.name else f"Clear the name of {name}"
    elif "program" in changes:
        text = f"Set {name} to {program_name(new.program)}"
    elif "muted" in changes:
        text = f"{'Mute' if new.muted else 'Unmute'} {name}"
    elif "solo" in changes:
        text = f"{'Solo' if new.solo else 'Unsolo'} {name}"
    else:
        text = f"Change {name}"
    parts = list(score.parts)
    parts[index] = new
    return ChangeParts(doc, score.with_parts(parts), text)
