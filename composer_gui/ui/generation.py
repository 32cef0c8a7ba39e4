"""Continue: runs the sampler off the GUI thread and feeds the proposal as notes arrive.

The real backend imports the sampler (ONNX Runtime, never TensorFlow) lazily, inside the worker
thread, and keeps one loaded Sampler per model; only ``ml.limits`` (no imports) is read up front.
Tests pass a fake backend with the same two methods.

What the sampler repaired or assumed (its warnings) is known once ``stream`` has returned; it rides
on the stream it returns, travels back with the task's ``finished`` signal, and is held by the
controller alone (``ContinueController.warnings``), so no object is written from two threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from composer_gui.ml import limits
from composer_gui.ml.voices import is_line_part
from composer_gui.music import edits
from composer_gui.music.score import KeySignature, Score

from . import undo
from .document import Document
from .labels import key_label, plural
from .proposal import Proposal
from .workers import Task


@dataclass
class GenerationOptions:
    """The panel's settings: GenerationRequest's fields (defaults from ml/limits.py, as the
    request's) plus the model to use."""

    model: str = ""  # a model name or folder
    bars: int = limits.BARS
    temperature: float = limits.TEMPERATURE
    top_k: int = limits.TOP_K
    top_p: float = limits.TOP_P
    variations: int = 1
    seed: int | None = None
    start_tick: int | None = None
    end_tick: int | None = None
    key: str | None = limits.KEY
    pitch_range: tuple[int, int] | None = None
    max_polyphony: int | None = None
    end: str | None = None  # voice models: "cadence", "free" (None: the sampler's default)
    picardy: bool = True  # ... a minor key's cadence on the major tonic (the Picardy third)
    parts: tuple[int, ...] | None = None  # voice models: the parts to rewrite (None: all)
    hand: int | None = None  # ... a region of one keyboard part: its hand (0 upper, 1 lower)
    harmonize: bool = False  # voice models: keep the melody, write the voices under it
    melody: int | None = None
    harmony_parts: tuple[int, ...] | None = None  # harmonize: the voices' parts (-1: new)
    harmony_kept: tuple[int, ...] = ()  # ... of them, those kept as they are (heard, not written)
    density: float = limits.DENSITY  # voice models: fewer (< 0) or more (> 0) notes
    chord_symbols: bool = True  # voice models: the voices below keep to the chord symbols

    def request_fields(self) -> dict[str, Any]:
        fields = asdict(self)
        del fields["model"]
        return fields


class Backend(Protocol):
    def list_models(self) -> list[Any]: ...  # ModelInfo-like: .name, .path, .summary

    def stream(self, model: str, score: Score, options: GenerationOptions,
               cancel: threading.Event) -> Iterable[Any]: ...
    # GeneratedNote-like items (.variation, .note); the iterable may carry ``warnings``


@dataclass(frozen=True)
class GenerationStream:
    """One generation's notes as they come, with what the sampler repaired or assumed."""

    notes: Iterator[Any]  # GeneratedNote
    warnings: tuple[str, ...] = ()
    parts: tuple[int, ...] | None = None  # the parts the notes replace (None: every one)
    hand: int | None = None  # ... of them (one), the hand whose notes they replace
    start_tick: int | None = None  # the span the sampler planned (None: as the window asked)
    end_tick: int | None = None  # its end, for a region or a harmonization
    # per variation, the onsets the model marked with a fermata: read once the notes are in
    fermatas: Callable[[], list[list[int]]] | None = None
    # what the sampler says while its notes come (a search's "found nothing else"): read once
    # the notes are in, after ``warnings``
    later: Callable[[], Sequence[str]] | None = None

    def __iter__(self) -> Iterator[Any]:
        return self.notes


@dataclass(frozen=True)
class Fermatas:
    """Sent after the notes: per variation, the onsets the model marked with a fermata (a
    chorale's phrase ends and its closing chord); Keep writes them into the score."""

    ticks: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Rewrites:
    """Sent ahead of the notes: which parts the generation rewrites (known once the sampler has
    planned; harmonizing a melody rewrites none of the score's parts, only adds new ones)."""

    parts: tuple[int, ...] | None
    start_tick: int | None = None  # where the rewritten span starts (None: as asked)
    end_tick: int | None = None  # where it ends (a region or a harmonization; None: continue)
    hand: int | None = None  # the one hand of the one part rewritten (None: whole parts)


class SamplerBackend:
    """composer_gui.ml.sampler, loaded on first use and cached per model."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, Any] = {}

    def list_models(self) -> list[Any]:
        from composer_gui.ml.model_folder import list_models

        return list_models()

    def load(self, model: str) -> Any:
        """The model's sampler (ml.sampler.load_sampler: the event or the voice sampler), loaded
        on first use (ONNX Runtime is imported then)."""
        from composer_gui.ml.sampler import load_sampler

        with self._lock:
            sampler = self._cache.get(model)
            if sampler is None:
                sampler = self._cache[model] = load_sampler(model)
        return sampler

    def stream(self, model: str, score: Score, options: GenerationOptions,
               cancel: threading.Event) -> GenerationStream:
        from composer_gui.ml.sampler import GenerationRequest
        from composer_gui.ml.voice_sampler import VoiceSampler

        sampler = self.load(model)
        fields = options.request_fields()
        dropped = []
        if not isinstance(sampler, VoiceSampler) and fields["parts"] is not None:
            fields["parts"] = fields["hand"] = None  # one stream of notes: every part
            dropped.append(f"{sampler.model.name} writes one stream of notes: the span is "
                           "rewritten in every part")
        notes = sampler.stream(score, GenerationRequest(**fields), cancel)
        # known once stream() returns (repairs, meter, cuts): read here, in this call's thread
        plan = sampler.plan
        return GenerationStream(notes, tuple(sampler.warnings) + tuple(dropped),
                                plan.parts, getattr(plan, "hand", None), plan.start_tick,
                                plan.end_tick, lambda: getattr(sampler, "fermatas", []),
                                lambda: tuple(sampler.warnings))


class ContinueController(QObject):
    """Starts, stops, keeps and discards generations; the proposal shows what arrived so far."""

    started = Signal()
    progressed = Signal(int)  # notes received so far, all variations
    finished = Signal()
    failed = Signal(str)
    cancelled = Signal()
    runningChanged = Signal(bool)
    modelsListed = Signal(list)
    modelsFailed = Signal(str)
    kept = Signal(int)  # variation kept (0-based)
    # a generation that wrote no note in any variation (its proposal is dropped), and a Keep
    # refused (the variation on show is empty): the panel says so
    empty = Signal()
    refused = Signal(str)
    # a proposal on show was discarded (the status said "Done: ... Esc to discard" until then)
    discarded = Signal()

    def __init__(self, doc: Document, proposal: Proposal, backend: Backend | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.proposal = proposal
        self.backend: Backend = backend if backend is not None else SamplerBackend()
        self._task: Task | None = None
        self._preloaded: set[str] = set()
        self.received = 0
        self.warnings: list[str] = []  # what the sampler repaired or assumed, shown when done
        self.cut_tick: int | None = None  # where a stopped generation's variations end together
        # the bars the proposal was written in (meters and upbeat): changed under it, its notes
        # no longer fall where they were written, and it goes (a review kept a 3/4
        # continuation over 4/4 bar lines after changing the meter while it ran)
        self._bars: tuple | None = None
        self._key: KeySignature | None = None  # the key chosen in the panel (None: heard)
        doc.scoreChanged.connect(self._on_score_changed)

    @property
    def running(self) -> bool:
        return self._task is not None

    # ----- models --------------------------------------------------------------------------------
    def list_models(self) -> Task:
        """List installed models in the background (nothing is loaded)."""
        task = Task(lambda ctx: self.backend.list_models())
        task.finished.connect(lambda models: self.modelsListed.emit(list(models)))
        task.failed.connect(self.modelsFailed)
        return task.start()

    def preload(self, model: str) -> Task | None:
        """Load a model in the background once the window is up, so that the first Continue
        does not pay for importing ONNX Runtime (its import holds the GIL for ~50 ms)."""
        load = getattr(self.backend, "load", None)
        if load is None or not model or model in self._preloaded:
            return None
        self._preloaded.add(model)
        task = Task(lambda ctx: load(model))
        task.failed.connect(lambda _msg: self._preloaded.discard(model))  # reported on Continue
        return task.start()

    # ----- generation ----------------------------------------------------------------------------
    def start(self, options: GenerationOptions, region: tuple[int, int] | None = None) -> bool:
        if self.running:
            return False
        score = self.doc.score
        if region is not None:
            options.start_tick, options.end_tick = region
        start = score.continue_tick if options.start_tick is None else options.start_tick
        self.proposal.begin(options.variations, start, region, edits.target_part(score))
        self._key = KeySignature.parse(options.key) if limits.key_chosen(options.key) else None
        self.proposal.key = self._key
        self._bars = _bars_of(score)
        self.received = 0
        self.warnings = []
        self.cut_tick = None
        backend, model = self.backend, options.model

        def produce(ctx) -> list[str]:
            stream = backend.stream(model, score, options, ctx.cancel)
            ctx.report(Rewrites(getattr(stream, "parts", None),
                                getattr(stream, "start_tick", None),
                                getattr(stream, "end_tick", None),
                                getattr(stream, "hand", None)))
            for generated in stream:
                ctx.report(generated)
                if ctx.cancelled:
                    break
            fermatas = getattr(stream, "fermatas", None)
            if fermatas is not None and not ctx.cancelled:
                ctx.report(Fermatas(tuple(tuple(f) for f in fermatas())))
            said = list(getattr(stream, "warnings", ()))  # a fake backend's stream has none
            later = getattr(stream, "later", None)
            # (a review never read "found nothing else here": it came after the stream began)
            return said + [w for w in (later() if later else ()) if w not in said]

        task = Task(produce)
        task.progress.connect(lambda items, t=task: self._on_notes(t, items))
        task.finished.connect(lambda warnings, t=task: self._on_end(t, "finished", "", warnings))
        task.failed.connect(lambda msg, t=task: self._on_end(t, "failed", msg))
        task.cancelled.connect(lambda t=task: self._on_end(t, "cancelled", ""))
        self._task = task.start()
        self.started.emit()
        self.runningChanged.emit(True)
        return True

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def keep(self) -> bool:
        """Keep the variation on show: one undo step. A running generation stops first."""
        prop = self.proposal
        if not prop.active:
            return False
        if self.running:  # (Enter while it runs: what is kept ends where every voice does)
            self._end_together()
        variation = prop.current
        count = len(prop.notes())
        if not count:
            # (kept, it would only take away what it was to replace: a review lost a bass)
            self.refused.emit(f"Variation {variation + 1} has no notes: nothing to keep. "
                              "Your notes are unchanged.")
            return False
        self._detach()
        end = prop.region[1] if prop.region else None
        cmd = undo.keep_command(
            self.doc, prop.placed(), prop.start_tick, end,
            f"Keep variation {variation + 1} ({plural(count, 'note')})",
            parts=prop.parts, fermatas=prop.fermatas(), hand=prop.hand,
            chords=prop.chords(self.doc.score))
        keys = None if self._key is None or cmd is None else \
            edits.keys_for(self.doc.score, self._key, prop.start_tick, end)
        if keys is not None:  # (a key chosen in the panel: its signature where it was written)
            text = f"{cmd.text()}, in {key_label(self._key)}"
            cmd = undo.Steps(text, [cmd, undo.SetKeySignatures(self.doc, keys, text)])
        prop.clear()
        self.doc.push(cmd)
        self.kept.emit(variation)
        return True

    def discard(self) -> None:
        shown = self.proposal.active
        self._detach()
        self.proposal.clear()
        if shown:
            self.discarded.emit()

    def _on_score_changed(self) -> None:
        if self._bars is None or not (self.proposal.active or self.running):
            return
        if _bars_of(self.doc.score) != self._bars:
            self.discard()
            self.refused.emit("The bars changed under the variations (they were written in "
                              "the old meter), so they were discarded. Continue again to "
                              "write in the new one.")

    def _end_together(self) -> None:
        """A generation stopped midway: its variations, and the voices of each, end together
        at a bar line (edits.stopped_end), not each where its last finished note did."""
        prop = self.proposal
        tick = edits.stopped_end(self.doc.score, prop.placed_variations, prop.start_tick) \
            if prop.active else None
        if tick is not None:
            self.cut_tick = tick
            prop.cut(tick)

    def _detach(self) -> None:
        """Stop listening to the running task (it is cancelled and winds down on its own)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            self.cancelled.emit()
            self.runningChanged.emit(False)

    def _on_notes(self, task: Task, items: list) -> None:
        if task is self._task:
            for item in items:
                if isinstance(item, Rewrites):
                    self.proposal.plan(item.parts, item.start_tick, item.end_tick, item.hand)
                elif isinstance(item, Fermatas):
                    self.proposal.mark_fermatas(item.ticks)
            self.received += self.proposal.add([g for g in items
                                                if not isinstance(g, Rewrites | Fermatas)])
            self.progressed.emit(self.received)

    def _on_end(self, task: Task, how: str, message: str,
                warnings: list[str] | None = None) -> None:
        if task is not self._task:
            return
        self._task = None
        self.warnings = list(warnings or [])
        self.runningChanged.emit(False)
        if how == "finished":
            if self.proposal.active and not any(self.proposal.counts()):
                self.proposal.clear()
                self.empty.emit()
                return
            self.finished.emit()
        elif how == "failed":
            if not self.received:
                self.proposal.clear()
            self.failed.emit(message)
        else:
            self._end_together()
            self.cancelled.emit()


# ----- which model suits the sketch ---------------------------------------------------------------
def texture(score: Score) -> int:
    """How many voices the sketch has: its pitched parts with notes, or, for one part, 1 where
    the sampler reads it as one line (``voices.is_line_part``: a melody played legato, each note
    held a little into the next, is one: a review's was offered the chorale model as "chords of
    up to 2 notes"), else the most notes it sounds at once (a piano part with chords)."""
    parts = [p for p in score.parts if not p.is_drum and p.notes]
    if len(parts) != 1:
        return len(parts)
    if is_line_part(parts[0].notes):
        return 1
    events = sorted([(n.start, 1) for n in parts[0].notes] + [(n.end, -1) for n in parts[0].notes])
    most = now = 0
    for _, d in events:
        now += d
        most = max(most, now)
    return most


def suggest_model(score: Score, models: list[Any]) -> tuple[Any, str] | None:
    """(model, why) for the sketch's texture: a one-voice model for one line (the chorale model
    pulls a melody into its sopranos' register and thinks in four voices), the model with the
    most voices for two or more. None for an empty sketch or when no model's voices are known
    (``.voices`` of ModelInfo: () for a model that writes one stream of events)."""
    voiced = [m for m in models if getattr(m, "voices", ()) and not getattr(m, "problem", "")]
    lines = texture(score)
    if not voiced or lines == 0:
        return None
    if lines == 1:
        one = [m for m in voiced if len(m.voices) == 1]
        return (one[0], "one line") if one else None
    most = max(voiced, key=lambda m: len(m.voices))
    # (a review read "4 voices" for one piano part of chords, "2 voices" for two hands)
    parts = sum(1 for p in score.parts if not p.is_drum and p.notes)
    why = f"{lines} parts" if parts > 1 else f"chords of up to {lines} notes"
    return (most, why) if len(most.voices) > 1 else None


def harmony_model(current: Any, models: list[Any]) -> Any:
    """The model Harmonize uses: the chosen one unless it writes a single voice (then the
    installed model with the most voices)."""
    if current is None or len(getattr(current, "voices", ())) != 1:
        return current
    best = max(models, key=lambda m: len(getattr(m, "voices", ())), default=None)
    return best if best is not None and len(best.voices) > 1 else current


def _bars_of(score: Score) -> tuple:
    """What places a proposal's notes in their bars: the meters and the upbeat."""
    return tuple((t.tick, t.numerator, t.denominator) for t in score.time_signatures), \
        score.pickup
