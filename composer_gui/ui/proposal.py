"""The proposal shown over the sketch: notes per variation, the one on show, its region.

Each note keeps the part it was written for (a voice model writes a chorale's S/A/T/B into their
own parts): ``placed()`` gives them for Keep and playback, ``notes()`` the plain notes the piano
roll draws."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from composer_gui.ml.chord_labels import continuation_symbols
from composer_gui.music.edits import PlacedNote, apply_generated, cut_at, kept_layout
from composer_gui.music.score import ChordSymbol, KeySignature, Note, Score

KEYED_VARIATIONS = 8  # keys 1..8 in the roll pick these; Tab reaches the rest


class Proposal(QObject):
    """Empty until ``begin``; ``add`` appends generated notes as they arrive from the worker."""

    changed = Signal()
    activeChanged = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.variations: list[list[Note]] = []
        self.placed_variations: list[list[PlacedNote]] = []  # the same notes, with their parts
        self.fermata_variations: list[tuple[int, ...]] = []  # the fermatas each one marked
        self.parts: tuple[int, ...] | None = None  # the parts rewritten (None: every one)
        self.hand: int | None = None  # ... of them (one), the hand rewritten (None: all)
        self.current = 0
        self.start_tick = 0
        self.region: tuple[int, int] | None = None  # regenerate [start, end) instead of continuing
        self.part = 0
        self.key: KeySignature | None = None  # the key chosen for it (None: the key heard)
        self._labels_memo: tuple | None = None  # (score, state, symbols): _labels

    @property
    def active(self) -> bool:
        return bool(self.variations)

    def begin(self, count: int, start_tick: int, region: tuple[int, int] | None, part: int,
              parts: tuple[int, ...] | None = None) -> None:
        self.variations = [[] for _ in range(max(1, count))]
        self.placed_variations = [[] for _ in self.variations]
        self.fermata_variations = [() for _ in self.variations]
        self.parts = parts
        self.hand = None
        self.current = 0
        self.start_tick = start_tick
        self.region = region
        self.part = part
        self.changed.emit()
        self.activeChanged.emit(0)

    def plan(self, parts: tuple[int, ...] | None, start_tick: int | None = None,
             end_tick: int | None = None, hand: int | None = None) -> None:
        """What the sampler planned, known before its first note: the parts it rewrites (and,
        for one keyboard part, the ``hand``) and, where it says, the span (a harmonization's
        span is the melody's, found by the sampler). Keep replaces the notes of ``parts`` in
        that span, as ``composer-gui generate`` does."""
        self.parts = parts
        self.hand = hand
        if start_tick is not None:
            self.start_tick = start_tick
            if end_tick is not None:
                self.region = (start_tick, end_tick)
        self.changed.emit()

    def add(self, generated: Iterable) -> int:
        """Add GeneratedNote-like items (``.variation``, ``.note``); returns how many were added."""
        added = 0
        for g in generated:
            v = int(g.variation)
            if 0 <= v < len(self.variations):
                self.variations[v].append(g.note)
                self.placed_variations[v].append(PlacedNote(
                    g.note, getattr(g, "part", None), getattr(g, "part_name", None),
                    getattr(g, "part_under", None)))
                added += 1
        if added:
            self.changed.emit()
        return added

    def cut(self, tick: int) -> None:
        """Every variation ends at ``tick`` (a stopped generation: edits.stopped_end). A region
        is cut there too, so Keep replaces the composer's notes only up to it."""
        self.placed_variations = [cut_at(v, tick) for v in self.placed_variations]
        self.variations = [[p.note for p in v] for v in self.placed_variations]
        if self.region is not None and self.region[0] < tick < self.region[1]:
            self.region = (self.region[0], tick)
        self.changed.emit()

    def mark_fermatas(self, ticks) -> None:
        """The fermatas each variation marked (known when the notes are in)."""
        for v, marks in enumerate(list(ticks)[:len(self.variations)]):
            self.fermata_variations[v] = tuple(marks)
        self.changed.emit()

    def fermatas(self, variation: int | None = None) -> tuple[int, ...]:
        if not self.fermata_variations:
            return ()
        return self.fermata_variations[self.current if variation is None else variation]

    def notes(self, variation: int | None = None) -> list[Note]:
        if not self.variations:
            return []
        return self.variations[self.current if variation is None else variation]

    def placed(self, variation: int | None = None) -> list[PlacedNote]:
        """The notes with the parts they were written for (music.edits places them)."""
        if not self.placed_variations:
            return []
        return self.placed_variations[self.current if variation is None else variation]

    def applied(self, score: Score) -> Score:
        """``score`` as Keep would leave it with the variation on show (its fermatas too): what
        Play plays and the score view engraves while a proposal is up."""
        if not self.active:
            return score
        end = self.region[1] if self.region else None
        result = apply_generated(score, self.placed(), self.start_tick, end, self.parts,
                                 self.fermatas(), self.hand)
        new = self._labels(score, lambda: result) if end is None else ()
        return replace(result, chord_symbols=(*result.chord_symbols, *new)) if new else result

    def chords(self, score: Score) -> tuple[ChordSymbol, ...]:
        """The chord symbols Keep writes over the bars the variation on show continues a lead
        sheet with (ml.chord_labels), as ``composer-gui generate`` writes them."""
        if not self.active or self.region is not None:
            return ()
        return self._labels(score, lambda: apply_generated(
            score, self.placed(), self.start_tick, None, self.parts, self.fermatas(), self.hand))

    def _labels(self, score: Score, result: Callable[[], Score]) -> tuple[ChordSymbol, ...]:
        """:meth:`chords`, worked out once for a score and the variation's notes as they are:
        the ruler asks on every paint, Play and the Score dock on each change."""
        state = (self.current, self.start_tick, self.parts, self.hand, self.key,
                 list(self.placed()))
        memo = self._labels_memo
        if memo is not None and memo[0] is score and memo[1] == state:
            return memo[2]
        new = continuation_symbols(score, result(), self.start_tick, None, self.key)
        self._labels_memo = (score, state, new)
        return new

    def layout(self, score: Score) -> tuple[dict[int, int], set[tuple[int, int, int, int]]]:
        """Where :meth:`applied` puts ``score``'s parts, and its notes (``edits.kept_layout``)."""
        end = self.region[1] if self.region else None
        return kept_layout(score, self.placed(), self.start_tick, end, self.parts, self.hand)

    def select(self, variation: int) -> None:
        if 0 <= variation < len(self.variations) and variation != self.current:
            self.current = variation
            self.changed.emit()
            self.activeChanged.emit(variation)

    def step(self, delta: int = 1) -> None:
        if self.variations:
            self.select((self.current + delta) % len(self.variations))

    def end_tick(self) -> int:
        return max((n.end for v in self.variations for n in v), default=0)

    def counts(self) -> list[int]:
        return [len(v) for v in self.variations]

    def clear(self) -> None:
        if self.variations:
            self.variations = []
            self.placed_variations = []
            self.fermata_variations = []
            self.parts = None
            self.hand = None
            self.current = 0
            self.region = None
            self.changed.emit()
            self.activeChanged.emit(-1)
