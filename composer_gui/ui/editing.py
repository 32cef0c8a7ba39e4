"""The Edit menu's note commands: clipboard, duplicate, delete, select, transpose, quantize,
marking a phrase end, the words sung and the chord symbols.

Each pushes one undo command on the document; the roll gives the cursor (where pastes go), the
grid and the active part. Messages for the status bar go out through ``status``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from composer_gui.music.chord_symbols import at_tick, is_chord_text
from composer_gui.music.edits import (
    NoteKey,
    phrase_end_tick,
    sung_notes,
    with_dynamic,
    with_mark,
    with_span,
    with_words,
    words_text,
)
from composer_gui.music.marks import SPANS
from composer_gui.music.score import ChordSymbol

from . import undo
from .clipboard import NoteClipboard
from .document import Document
from .labels import plural
from .piano_roll import PianoRoll


class EditController(QObject):
    status = Signal(str, int)

    def __init__(self, doc: Document, roll: PianoRoll, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.roll = roll
        self.clipboard = NoteClipboard()
        # before the bars change (Set Upbeat) under a proposal on show: the window settles it;
        # False: the composer stays, and nothing changes
        self.before_bars_change: Callable[[str], bool] = lambda _what: True

    def targets(self, *, drums: bool = True, whole: bool = False) -> list[NoteKey]:
        """The selection, or every note the roll shows when nothing is selected (or ``whole``);
        ``drums`` False leaves drum parts' notes out (transposing a drum changes the
        instrument)."""
        keys = list(self.doc.selection) if self.doc.selection and not whole \
            else list(self.roll.index.keys)
        if not drums:
            parts = self.doc.score.parts
            keys = [(p, n) for p, n in keys if not (p < len(parts) and parts[p].is_drum)]
        return keys

    def _fermatas_over(self, keys: list[NoteKey]) -> list[int]:
        """The score's fermatas over the onsets of ``keys`` (they go where the notes go)."""
        starts = {n.start for _p, n in keys}
        return [t for t in self.doc.score.fermatas if t in starts]

    def _chords_over(self, keys: list[NoteKey]) -> list[ChordSymbol]:
        """The score's chord symbols from the first onset of ``keys`` to their last end (they
        go where the notes go; one in force from before the first note stays)."""
        if not keys:
            return []
        first, last = min(n.start for _p, n in keys), max(n.end for _p, n in keys)
        return [c for c in self.doc.score.chord_symbols if first <= c.tick < last]

    def copy(self) -> None:
        keys = self.doc.selected_notes()
        self.clipboard.copy(keys, self._fermatas_over(keys), self._chords_over(keys))

    def cut(self) -> None:
        keys = self.doc.selected_notes()
        if keys:
            self.clipboard.copy(keys, self._fermatas_over(keys), self._chords_over(keys))
            self.doc.push(undo.delete_command(self.doc, keys, f"Cut {plural(len(keys), 'note')}"))

    def paste(self) -> None:
        notes = self.clipboard.notes()
        if not notes:
            return
        at = self.roll.cursor_tick
        parts = self.doc.score.parts

        def part_for(p: int) -> int:
            return p if p < len(parts) and not parts[p].is_drum else self.roll.active_part

        keys = [(part_for(p), replace(n, start=n.start + at)) for p, n in notes]
        self.doc.push(undo.EditNotes(
            self.doc, (), keys, f"Paste {plural(len(keys), 'note')}",
            fermatas=[t + at for t in self.clipboard.fermatas()],
            chords=[replace(c, tick=c.tick + at) for c in self.clipboard.chords()]))
        self.roll.set_cursor_tick(max(n.end for _, n in keys))
        self.roll.ensure_visible(at)

    def duplicate(self) -> None:
        keys = self.doc.selected_notes()
        if not keys:
            return
        first = min(n.start for _, n in keys)
        last = max(n.end for _, n in keys)
        step = self.roll.grid_step()
        offset = max(step, -(-(last - first) // step) * step)
        new = [(p, replace(n, start=n.start + offset)) for p, n in keys]
        self.doc.push(undo.EditNotes(
            self.doc, (), new, f"Duplicate {plural(len(keys), 'note')}",
            fermatas=[t + offset for t in self._fermatas_over(keys)],
            chords=[replace(c, tick=c.tick + offset) for c in self._chords_over(keys)]))

    def select_all(self) -> None:
        self.doc.set_selection(self.roll.index.keys)

    def select_none(self) -> None:
        self.doc.set_selection(())

    def delete_selection(self) -> None:
        self.doc.push(undo.delete_command(self.doc, self.doc.selected_notes()))

    def transpose(self, semitones: int) -> None:
        chosen = bool(self.doc.selection)
        # the whole score, its key with it: variations on show are settled first (a review
        # kept a continuation still in the old key after transposing the chorale under it)
        if not chosen and semitones and self.doc.score.note_count and \
                not self.before_bars_change("transposing the whole score"):
            return
        try:
            # (the whole score as asked, not the notes a Keep just selected: a review's kept
            # bars went up a semitone alone, under the old key)
            command = undo.transpose_command(self.doc, self.targets(drums=False,
                                                                    whole=not chosen),
                                             semitones)
        except ValueError as exc:
            self.status.emit(f"Cannot transpose: {exc}", 6000)
            return
        if command is None:
            return
        self.doc.push(command)
        if chosen:  # the moved notes stay in view (all of them: the view stays as it is)
            self.roll.show_notes(n for _p, n in self.doc.selection)
        else:  # (said over a settled proposal's "Your notes are unchanged")
            self.status.emit(f"{command.text()}.", 4000)

    def set_upbeat(self, ticks: int) -> None:
        """The score's first bar an upbeat of ``ticks`` (0: none), the music kept in place
        against the bar lines that move."""
        try:
            command = undo.upbeat_command(self.doc, ticks)
        except ValueError as exc:
            self.status.emit(f"Cannot set the upbeat: {exc}", 6000)
            return
        if command is not None and self.before_bars_change("setting the upbeat"):
            command = undo.upbeat_command(self.doc, ticks)  # (a kept proposal: the score now)
            self.doc.push(command)
            self.status.emit(f"{command.text()}: bar 1 now starts where the first full bar "
                             "of the music does", 5000)

    def quantize(self) -> None:
        keys = self.targets()
        command = undo.quantize_command(self.doc, keys, self.roll.grid_step())
        if command is None:  # (a review pressed Q and saw nothing happen)
            what = "the selected notes" if self.doc.selection else "the notes in view"
            self.status.emit(f"Nothing to quantize: {what} already sit on the grid" if keys
                             else "No notes to quantize", 4000)
            return
        self.doc.push(command)

    def words_now(self) -> str:
        """The words on the selection's sung notes, as text to edit (its first part's)."""
        sung = sung_notes(self.doc.selected_notes())
        return words_text([n.lyric for _p, n in next(iter(sung.values()), [])])

    def set_credits(self, title: str, composer: str) -> None:
        """The score's title and composer (one undo step)."""
        self.doc.push(undo.credits_command(self.doc, title, composer))

    def set_words(self, text: str) -> None:
        """The words sung on the selection: one syllable per note, in each part selected."""
        keys = self.doc.selected_notes()
        if not keys:
            self.status.emit("Select the notes to put the words under", 6000)
            return
        removed, added, left = with_words(keys, text)
        if removed:
            self.doc.push(undo.EditNotes(self.doc, removed, added,
                                         f"Words on {plural(len(added), 'note')}"))
        over = f"; {plural(left, 'syllable')} more than the notes selected, not placed" \
            if left else ""
        self.status.emit((f"Words on {plural(len(added), 'note')}" if removed
                          else "The words were already so") + over, 6000)

    def toggle_mark(self, mark: str) -> None:
        """A staccato, accent, tenuto or trill on each selected note, or off them all where
        each has it (``"slur"``, ``"crescendo"``, ``"diminuendo"``: one over the selection,
        each part's, or off it)."""
        keys = self.doc.selected_notes()
        span = mark in SPANS
        if not keys:
            self.status.emit(f"Select the notes to put a {mark} on", 6000)
            return
        removed, added, on = with_span(keys, mark) if span else with_mark(keys, mark)
        if span and not removed and not on:
            self.status.emit(f"Select notes at two or more places in time for a {mark}", 6000)
            return
        what = f"{mark.capitalize()} {'on' if on else 'off'}" + (
            "" if span else f" {plural(len(keys), 'note')}")
        if removed:  # (every selected note in the step: the selection stays whole)
            new = dict(zip(removed, added, strict=True))
            self.doc.push(undo.EditNotes(self.doc, keys, [new.get(k, k) for k in keys], what))
        self.status.emit(what if removed else f"The {mark} was already so", 4000)

    def set_dynamic(self, level: str | None) -> None:
        """A dynamic at the selection's first note in each part selected, the notes from there
        to the part's next dynamic played at its level (None: the dynamic there taken away)."""
        keys = self.doc.selected_notes()
        if not keys:
            self.status.emit("Select the note to put the dynamic on", 6000)
            return
        removed, added = with_dynamic(self.doc.score.parts, keys, level)
        what = f"Dynamic {level}" if level else "No dynamic"
        if removed:
            self.doc.push(undo.EditNotes(self.doc, removed, added, what))
        self.status.emit(f"{what} at bar {self.doc.score.position(keys[0][1].start)[0]}"
                         if removed else "The dynamic was already so", 4000)

    def toggle_phrase_end(self) -> None:
        """A fermata at the end of the selection (its last onset), or none where it has one."""
        keys = self.doc.selected_notes()
        if not keys:
            self.status.emit("Select the notes of a phrase (or the note or chord that ends it) "
                             "to mark its end", 6000)
            return
        command = undo.phrase_end_command(self.doc, keys)
        self.doc.push(command)
        tick = phrase_end_tick(n for _p, n in keys)
        self.status.emit(f"{command.text()} (a fermata) at bar "
                         f"{self.doc.score.position(tick)[0]}", 4000)

    def chord_place(self) -> tuple[int, str]:
        """(tick, the chord symbol's text there, "" for none) of Set Chord Symbol: the note or
        beat the roll's right-click menu was opened on, else the selection's first note, else
        the beat at the cursor."""
        tick = self.roll.menu_tick
        if tick is None:
            keys = self.doc.selected_notes()
            tick = min(n.start for _p, n in keys) if keys else \
                self.roll.beat_at(self.roll.cursor_tick)
        now = at_tick(self.doc.score.chord_symbols, tick)
        return tick, now.text if now else ""

    def set_chord(self, tick: int, text: str) -> str:
        """The chord symbol at ``tick`` set to ``text`` ("" clears it), one undo step; returns
        "" or, where no chord can be read from the text, why (nothing changes then)."""
        text = " ".join(text.split())
        if text and not is_chord_text(text):
            return (f'Composer cannot read "{text}" as a chord. Type a root A-G (with # or b), '
                    "then the chord (m, 7, maj7, m7b5, dim, aug, sus4, 6, 9, add9, 7(b9) ...), "
                    "a slash bass if any (G/B), or N.C. for no chord.")
        command = undo.chord_symbol_command(self.doc, tick, text)
        bar, beat, _ = self.doc.score.position(tick)
        where = f"bar {bar}, beat {beat}"
        if command is None:
            self.status.emit(f"The chord symbol at {where} was already so", 4000)
            return ""
        self.doc.push(command)
        self.status.emit(f"Chord symbol {text} at {where}" if text
                         else f"Chord symbol at {where} cleared", 4000)
        return ""
