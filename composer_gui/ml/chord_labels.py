"""Chord symbols over the bars a continuation of a lead sheet writes.

A lead sheet's tune and its chords go on together. A review continued 28 lead sheets, about
180 new bars, and no new bar had a symbol: the chords stopped where the sketch stopped, half a
lead sheet. Where the sketch carries chord symbols and none is typed over the bars a
continuation writes, each variation's new bars are labelled at the sketch's own pace of chord
changes (:func:`label_stride`): where three voices or more sound a triad or seventh chord on a
span's first beat, that chord (over another bass, a slash chord); elsewhere the chord the new
notes outline, chosen along the whole span as a quick tune's chords are
(:func:`.tune_chords.best_path`: I, IV and V first, changes at the bar line). A symbol is
written where the chord changes, as a lead sheet writes them.
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import replace

import numpy as np

from composer_gui.ml import tune_chords
from composer_gui.ml.keyfinding import key_heard
from composer_gui.ml.voices import normalizing_shift
from composer_gui.music.analysis import chord_root
from composer_gui.music.chord_symbols import chord_tones, name_of
from composer_gui.music.score import ChordSymbol, KeySignature, Note, Score

LABEL_CONTINUATIONS = True
# a lead sheet's symbols, as written for music21's chord qualities (analysis.TRIADS, SEVENTHS)
QUALITY_TEXT = {"maj": "", "min": "m", "dim": "dim", "aug": "aug", "dom7": "7",
                "maj7": "maj7", "min7": "m7", "hdim7": "m7b5", "dim7": "dim7"}
SYMBOLS_HEARD = 8  # the sketch's last symbols whose spacing sets the new ones'


def label_stride(score: Score, start: int) -> int | None:
    """The span one chord of a continuation from ``start`` lasts: the sketch's usual distance
    between its last :data:`SYMBOLS_HEARD` symbols, as the longest of a beat, half a bar (of
    an even number of beats) or a bar that it reaches; None where the sketch has no chord
    symbol before ``start``, or has some from there on (typed ahead: the composer's own)."""
    ticks = [c.tick for c in score.chord_symbols if chord_tones(c.text) is not None]
    before = [t for t in ticks if t < start]
    if not before or any(c.tick >= start for c in score.chord_symbols):
        return None
    ts = score.time_signature_at(start)
    bar, beat = ts.bar_ticks, ts.beat_ticks
    gaps = [b - a for a, b in itertools.pairwise(before[-SYMBOLS_HEARD - 1:])]
    usual = statistics.median(gaps) if gaps else bar
    spans = [beat] + ([bar // 2] if (bar // beat) % 2 == 0 else []) + [bar]
    return max((d for d in spans if d <= usual), default=beat)


def continuation_symbols(before: Score, result: Score, start: int, end: int | None,
                         key: KeySignature | None = None) -> tuple[ChordSymbol, ...]:
    """The chord symbols for the bars ``result`` wrote from ``start`` (``before``: the
    sketch): none for a region (``end``), a sketch without symbols or with some typed ahead;
    ``key``: the key it was written in (default: the key heard in the sketch)."""
    stride = label_stride(before, start) if LABEL_CONTINUATIONS and end is None else None
    if stride is None:
        return ()
    new = [n for p in result.parts if not p.is_drum for n in p.notes if n.end > start]
    stop = max((n.end for n in new), default=start)
    first = result.bar_start(result.bar_at(start))
    slots = [t for t in range(first, stop, stride) if t >= start]
    if not slots:
        return ()
    key = key or key_heard(before, start)
    if key is None:
        return ()
    shift = normalizing_shift(key)
    minor = key.quality == "minor"
    chords = _candidates(new, shift, minor)
    if not chords:
        return ()
    emit = np.array([_off_chord(new, t, min(t + stride, stop), shift, chords) for t in slots])
    emit += np.array([tune_chords.prior(c, minor) for c in chords])[None, :]
    bar = result.time_signature_at(start).bar_ticks
    path = tune_chords.best_path(emit, [(t - first) % bar for t in slots], bar, stride)
    flats = key.sharps < 0
    out: list[ChordSymbol] = []
    said = next((c.text for c in reversed(before.chord_symbols) if c.tick < start), None)
    beat = result.time_signature_at(start).beat_ticks
    for k, (t, c) in enumerate(zip(slots, path, strict=True)):
        text = _sounding_chord(new, t, flats) or _text(chords[c], shift, flats)
        lead = t - beat
        if k and lead > slots[k - 1] and text != said:
            # (the dominant struck on the beat before a span's chord, within the span before
            # it: a cadence's "C7 | F", which the half bar's symbol alone had missed)
            leading = _sounding_chord(new, lead, flats, root_of=True)
            if leading is not None and not _same(leading[1], said) and \
                    (leading[0] - chord_tones(text).root) % 12 == 7:
                out.append(ChordSymbol(lead, leading[1]))
                said = leading[1]
        if text != said:
            out.append(ChordSymbol(t, text))
            said = text
    return tuple(out)


def _candidates(notes: list[Note], shift: int, minor: bool) -> list[tuple[int, frozenset[int]]]:
    """The chords a span may be labelled with (normalized): the key's triads and V7, and those
    of the notes sung outside it (a secondary dominant the voices wrote)."""
    sung = {(n.pitch + shift) % 12 for n in notes}
    allowed = set(tune_chords.DIATONIC) | sung | ({8} if minor else set())
    return tune_chords.chord_candidates(allowed, minor)


def _off_chord(notes: list[Note], a: int, b: int, shift: int, chords) -> np.ndarray:
    """[chords]: the share of the sounding time in ``[a, b)`` off each chord, a note struck
    at ``a`` weighing ACCENT times."""
    weights = np.zeros(12)
    for n in notes:
        lo, hi = max(n.start, a), min(n.end, b)
        if hi > lo:
            weights[(n.pitch + shift) % 12] += (hi - lo) * (
                tune_chords.ACCENT if n.start == a else 1.0)
    total = weights.sum()
    if not total:
        return np.zeros(len(chords))
    member = np.array([[pc in c.pcs for pc in range(12)] for c in chords], float)
    return 1.0 - member @ weights / total


def _sounding_chord(notes: list[Note], t: int, flats: bool, root_of: bool = False):
    """The symbol of the triad or seventh chord three voices or more sound at ``t``, over its
    lowest note (with ``root_of``: its root and the symbol); None where they sound none."""
    pitches = sorted(n.pitch for n in notes if n.start <= t < n.end)
    pcs = frozenset(p % 12 for p in pitches)
    found = chord_root(pcs) if len(pitches) >= 3 else None
    if found is None:
        return None
    root, quality = found
    bass = pitches[0] % 12
    text = name_of(root, flats) + QUALITY_TEXT[quality]
    text = text if bass == root else f"{text}/{name_of(bass, flats)}"
    return (root, text) if root_of else text


def _text(chord, shift: int, flats: bool) -> str:
    """A planned chord (normalized) as a symbol in the key it was written in."""
    root = (chord.root - shift) % 12
    third = (min(chord.pcs, key=lambda pc: (pc - chord.root) % 12 or 12) - chord.root) % 12
    quality = "7" if chord.seventh else "m" if third == 3 else ""
    return name_of(root, flats) + quality



def labelled(before: Score, result: Score, start: int, end: int | None,
             key: KeySignature | None = None) -> Score:
    """``result`` (``before`` continued from ``start``) with :func:`continuation_symbols`."""
    new = continuation_symbols(before, result, start, end, key)
    return replace(result, chord_symbols=(*result.chord_symbols, *new)) if new else result


def _same(text: str, other: str | None) -> bool:
    """Whether two symbols name one chord (its inversion aside: "C7" then "C7/E" is one)."""
    a, b = chord_tones(text), chord_tones(other) if other else None
    return b is not None and a is not None and (a.root, a.pcs) == (b.root, b.pcs)
