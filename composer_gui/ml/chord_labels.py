"""Chord symbols over the bars a continuation of a lead sheet writes.

A lead sheet's tune and its chords go on together. A review continued 28 lead sheets, about
180 new bars, and no new bar had a symbol: the chords stopped where the sketch stopped, half a
lead sheet. Where the sketch carries chord symbols and none is typed over the bars a
continuation writes, each variation's new bars are labelled at the sketch's own pace of chord
changes (:func:`label_stride`): each span with the chord that covers most of what sounds in it
(I, IV and V first: :func:`.tune_chords.prior`), or the one three voices or more strike on
its first beat where that covers it as well; the chord before kept where it fits about as
well; at the close the tonic under a final note of its triad, the dominant before it; in the
last bar each beat's chord the voices strike. A symbol is written where the chord changes, as
a lead sheet writes them.
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
LABEL_HOLD = 0.1  # a span keeps the chord before where it fits almost as well (in shares)
CADENCE_LABELS = True
CADENCE_SLACK = 0.25  # V before the final tonic where the tune fits it nearly as well
SOUNDING_SLACK = 0.1  # the chord struck on a span's beat names it where it covers it as well


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
    weights = [_weights(new, t, min(t + stride, stop), shift) for t in slots]
    off = np.array([[_off(w, c.pcs) for c in chords] for w in weights])
    costs = off + np.array([tune_chords.prior(c, minor) for c in chords])[None, :]
    path = _held_path(costs)
    tonic, fifth = (9, 4) if minor else (0, 7)
    last = max(new, key=lambda n: (n.start, n.pitch))  # (the top of the final onset)
    if CADENCE_LABELS and last.end >= stop and len(slots) > 1:
        # the close: the tonic under a final note of its triad, the dominant before it where
        # the tune there fits it as well as its own chord (a re-review found V before the
        # final note in 1 of 18 continued tunes, and a tune ending under "Bb" in F)
        home = [k for k, c in enumerate(chords) if c.root == tonic and not c.seventh]
        if home and (last.pitch + shift) % 12 in chords[home[0]].pcs:
            path[-1] = home[0]
            fits = [k for k, c in enumerate(chords) if c.root == fifth]
            if fits:
                v = min(fits, key=lambda k: off[-2][k])
                if off[-2][v] <= off[-2][path[-2]] + CADENCE_SLACK:
                    path[-2] = v
    flats = key.sharps < 0
    out: list[ChordSymbol] = []
    said = next((c.text for c in reversed(before.chord_symbols) if c.tick < start), None)

    def put(t: int, text: str | None) -> None:
        nonlocal said
        if text is not None and not _same(text, said):
            out.append(ChordSymbol(t, text))
            said = text

    beat = result.time_signature_at(start).beat_ticks
    last_bar = result.bar_start(result.bar_at(stop - 1))
    for k, (t, c) in enumerate(zip(slots, path, strict=True)):
        # (the chord the voices sound on the span's first beat, where it is about as much of
        # the span as the best chord: a re-review read a bar's "Am" over E7 and G#o7 on its
        # beats 3 and 4)
        text = _sounding_chord(new, t, flats)
        if text is None or _off(weights[k], {(pc + shift) % 12 for pc in chord_tones(
                text).pcs}) > off[k][c] + SOUNDING_SLACK:
            text = _text(chords[c], shift, flats)
        lead = t - beat
        if k and lead > slots[k - 1] and not _same(text, said):
            # (the dominant struck on the beat before a span's chord, within the span before
            # it: a cadence's "C7 | F", which the half bar's symbol alone had missed)
            leading = _sounding_chord(new, lead, flats, root_of=True)
            if leading is not None and (leading[0] - chord_tones(text).root) % 12 == 7:
                put(lead, leading[1])
        put(t, text)
        if t >= last_bar:  # (the last bar's chords beat by beat where voices sound them:
            # "F G7 | C", not "F" over the final tonic)
            for b in range(t + beat, min(t + stride, stop), beat):
                put(b, _sounding_chord(new, b, flats))
    return tuple(out)


def _held_path(costs: np.ndarray) -> list[int]:
    """Each span's cheapest chord (``costs``: [spans, chords]), the one before kept where it
    costs no more than :data:`LABEL_HOLD` more: a symbol where the tune leaves its chord (a
    re-review heard a jig's "E D C | B G B" left under "G", where the accompaniment plan's
    cost of a change had kept the tonic)."""
    path: list[int] = []
    for row in costs:
        best = int(row.argmin())
        if path and row[path[-1]] <= row[best] + LABEL_HOLD:
            best = path[-1]
        path.append(best)
    return path


def _candidates(notes: list[Note], shift: int, minor: bool) -> list[tune_chords.TuneChord]:
    """The chords a span may be labelled with (normalized): the key's triads and V7, and those
    of the notes sung outside it (a secondary dominant the voices wrote)."""
    sung = {(n.pitch + shift) % 12 for n in notes}
    allowed = set(tune_chords.DIATONIC) | sung | ({8} if minor else set())
    return tune_chords.chord_candidates(allowed, minor)


def _weights(notes: list[Note], a: int, b: int, shift: int) -> np.ndarray:
    """[12] how long each pitch class (normalized) sounds in ``[a, b)``, a note struck at ``a``
    weighing ACCENT times."""
    weights = np.zeros(12)
    for n in notes:
        lo, hi = max(n.start, a), min(n.end, b)
        if hi > lo:
            weights[(n.pitch + shift) % 12] += (hi - lo) * (
                tune_chords.ACCENT if n.start == a else 1.0)
    return weights


def _off(weights: np.ndarray, pcs) -> float:
    """The share of ``weights`` off the pitch classes ``pcs``."""
    total = weights.sum()
    return 0.0 if not total else 1.0 - sum(weights[pc] for pc in pcs) / total


def _sounding_chord(notes: list[Note], t: int, flats: bool, root_of: bool = False):
    """The symbol of the triad or seventh chord three voices or more sound at ``t``, over its
    lowest note (with ``root_of``: its root and the symbol); None where they sound none."""
    pitches = sorted(n.pitch for n in notes if n.start <= t < n.end)
    pcs = frozenset(p % 12 for p in pitches)
    found = chord_root(pcs) if len(pitches) >= 3 else None
    third = (max(pcs, key=lambda pc: pc != pitches[0] % 12) - pitches[0]) % 12 \
        if len(pcs) == 2 and len(pitches) >= 3 else None
    if found is None and third in (3, 4):  # (a final chord without its fifth: C3 C4 E4 C5)
        found = pitches[0] % 12, "maj" if third == 4 else "min"
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
