"""Write a Score as MusicXML 3.1 text, directly (no music21): fast, and every choice is ours.

music21's makeNotation took 10 s for 1,500 notes and wrote tuplets MuseScore could not divide; this
writer takes the quantized view (``quantize.notation_view``), the spelled pitches
(``spelling.spell_score``) and the staves and clefs (``clefs``), and writes measures, voices,
ties, tuplets (triplets, sextuplets, quintuplets and septuplets inside one quarter note, five
eighths over a half; only where the music has them), accidentals where the
key and the bar need them, pickups, fermatas, tempo marks, chord symbols (``<harmony>`` over
the first pitched part) and grand staves.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from . import marks as _marks
from . import repeats
from .chord_symbols import is_no_chord, musicxml_kind, read_chord, transpose_text
from .clefs import (
    CLEF_SIGNS,
    MIDDLE_C,
    abbreviation,
    choir_runs,
    clef_by_range,
    needs_grand_staff,
    paired_hands,
    split_hands,
)
from .quantize import UNIT, NotationView, notation_view, tuplet_offsets
from .score import (
    DEFAULT_VELOCITY,
    DRUM_CHANNEL,
    TPQ,
    ChordSymbol,
    KeySignature,
    Note,
    Part,
    Score,
    TimeSignature,
    assign_channels,
    lyric_syllabic,
)
from .spelling import at_written_pitch, key_spelling, spell_score, written_key

_TYPES = ((3840, "breve"), (1920, "whole"), (960, "half"), (480, "quarter"), (240, "eighth"),
          (120, "16th"), (60, "32nd"), (30, "64th"), (15, "128th"))
# every writable length: (ticks, type, dots), longest first
_VALUES = sorted(((base * (2 ** (d + 1) - 1) // 2 ** d, name, d)
                  for base, name in _TYPES for d in range(3)
                  if base * (2 ** (d + 1) - 1) % 2 ** d == 0 and base * (2 ** (d + 1) - 1)
                  // 2 ** d >= 30), reverse=True)
VOICES_PER_STAFF = 4


@dataclass
class _Chord:
    start: int
    duration: int
    notes: list[Note]

    @property
    def end(self) -> int:
        return self.start + self.duration


@dataclass
class _Staff:
    clef: str
    voices: list[list[_Chord]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ends = [[c.end for c in v] for v in self.voices]


@dataclass
class _Element:
    """One written note, chord or rest: a piece of a chord cut at bar lines and unit edges."""

    start: int
    duration: int
    type: str
    dots: int
    triplet: bool
    notes: list[Note] | None  # None: a rest
    tie_in: bool = False
    tie_out: bool = False
    first_piece: bool = False  # where the chord begins (fermatas go there, and on a tie_in)
    hidden: bool = False  # a rest that only fills a second voice
    tuplet: tuple[str, ...] = ()
    bracket: bool = True  # a tuplet starting here is bracketed (not where its notes are beamed)
    span: tuple[int, int, int] | None = None  # the tuplet it is in: (start, ticks, n); a
    #                                           triplet's n is 3 (written 3:2), others n:4
    accidentals: list[str | None] = field(default_factory=list)
    cautionary: list[bool] = field(default_factory=list)  # a courtesy sign (after the bar line)


@dataclass
class _Grace:
    """A grace note as notation writes it."""

    step: str
    alter: int
    octave: int
    type: str
    slash: bool
    beam: str
    accidental: str | None  # (shown where the key does not give it)


def musicxml_text(score: Score, warnings: list[str] | None = None, *,
                  fold_repeats: bool = True, chord_degrees: bool = True) -> str:
    """The score as MusicXML text; what notation had to change is appended to ``warnings``.
    ``fold_repeats``: bars played twice are written once between repeat signs (``repeats``).
    ``chord_degrees``: a chord symbol's <degree>s are written (verovio, the score view,
    prints them again after the kind's text, hidden or not)."""
    view = notation_view(spell_score(score))
    writer = _Writer(view, fold_repeats, written_pitch=True)
    writer.chord_degrees = chord_degrees
    if warnings is not None:
        warnings.extend(view.warnings)
        rolls = sum(1 for p in score.parts for n in p.notes if "roll" in n.marks)
        if rolls:
            warnings.append(f"{rolls} roll{'s are' if rolls > 1 else ' is'} written as "
                            f"turn{'s' if rolls > 1 else ''} (MusicXML has no roll)")
        if writer.repeats:
            warnings.append(repeats.describe(writer.repeats, writer.bar_number))
    text = writer.text()
    if warnings is not None:
        warnings.extend(writer.chord_warnings())
    return text


def _spelled(note: Note) -> tuple[str, int, int]:
    """(step, alter, octave) of a spelled note."""
    spelling = note.spelling or key_spelling(note.pitch % 12, None)
    alter = spelling.count("#") - spelling.count("b")
    octave = (note.pitch - alter) // 12 - 1
    if not 0 <= octave <= 9:  # B#/Cb at the ends of the range: the plain name fits
        spelling = key_spelling(note.pitch % 12, None)
        alter = spelling.count("#") - spelling.count("b")
        octave = (note.pitch - alter) // 12 - 1
    return spelling[0], alter, octave


def _voices(notes: list[Note]) -> list[list[_Chord]]:
    """Greedy interval colouring; a chord is the notes sharing a start and a length. A note
    doubling one already in its chord (same pitch, start and length) makes a chord of its own in
    another voice: notation programs refuse one pitch twice in a chord."""
    groups: dict[tuple[int, int, int], list[Note]] = {}
    for n in notes:
        if n.duration <= 0:  # a zero-length note cannot be written
            continue
        copy = 0
        while any(m.pitch == n.pitch for m in groups.get((n.start, n.duration, copy), ())):
            copy += 1
        groups.setdefault((n.start, n.duration, copy), []).append(n)
    voices: list[list[_Chord]] = []
    ends: list[int] = []
    # chords starting together: the highest first, into the lowest-numbered free voice
    for (start, dur, _copy), group in sorted(groups.items(),
                                             key=lambda kv: (kv[0][0], -max(n.pitch for n in
                                                                            kv[1]), kv[0][1])):
        chord = _Chord(start, dur, sorted(group, key=lambda n: n.pitch))
        free = [i for i, end in enumerate(ends) if end <= start]
        if not free:
            voices.append([chord])
            ends.append(start + dur)
            continue
        i = min(free, key=lambda v: (_crosses(v, chord, voices, ends), v))
        voices[i].append(chord)
        ends[i] = start + dur
    return voices


def _crosses(v: int, chord: _Chord, voices: list[list[_Chord]], ends: list[int]) -> int:
    """How many voices still sounding at ``chord``'s start it would stand on the wrong side of
    in voice ``v`` (voice 1 the upper, stems up): a keyboard's top line had moved into voice 2,
    stems down, above the inner parts in voice 1 (a notation review)."""
    low, high = chord.notes[0].pitch, chord.notes[-1].pitch
    wrong = 0
    for j, end in enumerate(ends):
        if j == v or end <= chord.start:
            continue
        other = voices[j][-1].notes
        wrong += (j > v and high < other[-1].pitch) or (j < v and low > other[0].pitch)
    return wrong


def _staves(part: Part, hand: int | None = None) -> list[_Staff]:
    """The staves of ``part``; one of a braced pair of hands (``hand`` 0 the upper, 1 the
    lower) is one staff, whatever its range."""
    if part.is_drum:
        return [_Staff("percussion", _voices(list(part.notes)))]
    if hand is not None:
        return [_Staff("bass" if hand else "treble", _voices(list(part.notes)))]
    if needs_grand_staff(part):
        upper, lower = split_hands(part.notes, part.staff_split)
        return [_Staff("treble", _voices(upper)), _Staff("bass", _voices(lower))]
    clef = part.clef if part.clef in CLEF_SIGNS else clef_by_range(part.notes, part.name)
    return [_Staff(clef, _voices(list(part.notes)))]


def _key_alters(key: KeySignature | None) -> dict[str, int]:
    sharps = key.sharps if key is not None else 0
    order = "FCGDAEB"
    alters = dict.fromkeys(order, 0)
    for i in range(abs(sharps)):
        alters[order[i] if sharps > 0 else order[6 - i]] = 1 if sharps > 0 else -1
    return alters


# <beat-unit> elements of the note values a tempo mark may count (ticks)
BEAT_UNITS = {4 * TPQ: "<beat-unit>whole</beat-unit>", 2 * TPQ: "<beat-unit>half</beat-unit>",
              TPQ: "<beat-unit>quarter</beat-unit>", TPQ // 2: "<beat-unit>eighth</beat-unit>",
              TPQ // 4: "<beat-unit>16th</beat-unit>"}
BEAT_UNITS.update({3 * t // 2: f"{u}<beat-unit-dot/>" for t, u in list(BEAT_UNITS.items())})


def metronome_unit(bpm: float, ts: TimeSignature, unit: int = 0) -> tuple[str, float]:
    """(the <beat-unit> elements, the marks per minute) of a tempo of ``bpm`` quarters: in the
    note value the source counted (``unit``, ticks: an air's dotted half = 42), else in the
    meter's own beat where it is a half (2/2, 3/2) or a dotted quarter (6/8, 9/8, 12/8), as a
    player reads it (a jig's quarter = 180 is dotted quarter = 120, a reel's quarter = 208 in
    2/2 is half = 104); else the quarter. A unit is used only where the mark comes out whole
    (a tempo is whole microseconds)."""
    ticks, per = metronome_ticks(bpm, ts, unit)
    return BEAT_UNITS[ticks], per


def metronome_ticks(bpm: float, ts: TimeSignature, unit: int = 0) -> tuple[int, float]:
    """:func:`metronome_unit`'s note value in ticks (ABC's ``Q:`` writes it as a fraction)."""
    meter = ts.beat_ticks if ts.beat_ticks in (2 * TPQ, 3 * TPQ // 2) else 0
    for ticks in (unit, meter):
        per = bpm * TPQ / ticks if ticks in BEAT_UNITS else 0.5
        if abs(per - round(per)) < 0.01:
            return ticks, float(round(per))
    return TPQ, bpm


_QUOTE = {'"': "&quot;"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _step_alter(name: str, what: str) -> str:
    """``<root-step>`` and ``<root-alter>`` (``what``: "root" or "bass") of "Bb", "F#"."""
    alter = name.count("#") - name.count("b")
    return f"<{what}-step>{name[0]}</{what}-step>" + (
        f"<{what}-alter>{alter}</{what}-alter>" if alter else "")


def _number(x: float) -> str:
    return f"{x:g}" if x != int(x) else str(int(x))


class _Writer:
    def __init__(self, view: NotationView, fold_repeats: bool = True,
                 written_pitch: bool = False) -> None:
        """``written_pitch``: transposing parts (``Part.transposition``) are written at their
        written pitch, in their written key, with a ``<transpose>`` (MusicXML); the ABC export
        writes every part as it sounds."""
        self.view = view
        # a note tied in from the bar before shows its accidental where the bar does not give
        # its pitch (ABC, where the sign is the pitch: the ABC writer sets it); MusicXML
        # engraves none there, as an engraver does
        self.tied_accidentals = False
        # divisions of a quarter: 7 times the ticks where a septuplet is written, so that its
        # notes' durations are whole (MuseScore said "Error ... assuming rounding error" at each
        # of 68 and 69 ticks)
        self.scale = 7 if 7 in view.tuplet_units.values() else 1
        self.score = at_written_pitch(view.score) if written_pitch else view.score
        self.transpositions = [p.transposition if written_pitch else (0, 0)
                               for p in self.score.parts]
        self.out: list[str] = []
        self.fermatas = frozenset(self.score.fermatas)
        # per fermata tick: the latest end of the notes sounding there (a note tied into the
        # tick carries the fermata only if it holds as long: :meth:`_fermata`)
        notes = self.score.notes if self.fermatas else []  # (a sorted copy: taken once)
        self.fermata_ends = {t: max((n.end for n in notes if n.start <= t < n.end), default=t)
                             for t in self.fermatas}
        self.part_ids = {id(p): i for i, p in enumerate(self.score.parts, 1)}
        # each part's usual velocity: only a note that differs carries its own (a fixed
        # velocity on every note made MuseScore play the composer's dynamics at one level)
        self.usual_velocity = {id(p): Counter(n.velocity for n in p.notes).most_common(1)[0][0]
                               for p in self.score.parts if p.notes}
        # the score's own abbreviations written without dots ("S" from a file): the customary
        # ones of the other parts follow them ("A", not "A.": a notation review found "S"
        # over "A.", "T.", "B." in every hymn harmonized from a file)
        own = [p.abbreviation for p in self.score.parts if p.abbreviation]
        self.dotless = bool(own) and not any("." in a for a in own)
        # (part, staff) -> the notes altered from the key in its last bar: (step, octave) ->
        # alter, for the next bar's courtesy accidentals
        self.altered: dict[tuple[int, int], dict[tuple[str, int], int]] = {}
        self._measures()
        self.repeats = repeats.find_repeats(
            self.score, self.bars, [m[0] for m in view.tempo_marks]) if fold_repeats else []
        self.written = repeats.written_bars(len(self.bars), self.repeats)
        self.written_indices = {wb.index for wb in self.written}
        self.bar_starts = [m0 for m0, _ in self.bars]
        # (part, start, pitch) -> the second verse under a note written once for a repeat
        self.verse2 = repeats.second_verse(self.score, self.bars, self.repeats)
        self.numbers = {wb.index: n
                        for n, wb in enumerate(self.written, 0 if self.pickup else 1)}
        # each part's staves and their voices (the ABC export lays them out the same)
        self.hands = paired_hands(self.score.parts)
        self.layouts = [_staves(p, self.hands.get(i)) for i, p in enumerate(self.score.parts)]
        self.spans = {**self._spans(("slur",)), **self._spans(("crescendo", "diminuendo"))}
        # each part's sustain pedal, (tick, down), as its notes' marks say (marks.PEDAL)
        self.pedals = [_marks.pedal_events([(n.start, n.end, n.marks) for n in p.notes])
                       if any(n.marks for n in p.notes) else [] for p in self.score.parts]
        for i, hand in self.hands.items():  # (one "Ped." for both hands: under the lower)
            if hand == 0 and self.pedals[i] == self.pedals[i + 1]:
                self.pedals[i] = []
        # the chord symbols stand over the first pitched part, as on a lead sheet (one at
        # concert pitch where there is one: a transposing part's are written transposed)
        pitched = [i for i, p in enumerate(self.score.parts) if not p.is_drum] or [0]
        self.chord_part = next((i for i in pitched if self.transpositions[i] == (0, 0)),
                               pitched[0])
        self.chords_written: list[ChordSymbol] = []  # (the ABC writer counts its own)
        self.chord_degrees = True  # (musicxml_text: not for the score view)

    def key_at(self, part_index: int, tick: int) -> KeySignature | None:
        """The key signature part ``part_index`` is written in at ``tick`` (a transposing
        part's written key: :func:`.spelling.written_key`); -1: the score's own."""
        key = self.score.key_at(tick)
        return key if part_index < 0 else written_key(key, self.transpositions[part_index])

    def in_written_bar(self, tick: int) -> bool:
        """Whether the bar holding ``tick`` is written (not a repeat's second time), or
        ``tick`` lies outside the bars."""
        i = bisect.bisect_right(self.bar_starts, tick) - 1
        return not 0 <= i < len(self.bars) or tick >= self.bars[i][1] or \
            i in self.written_indices

    def chord_warnings(self, written: list[ChordSymbol] | None = None) -> list[str]:
        """What became of the chord symbols that were not written (``written``: those that
        were, by default the MusicXML's)."""
        done = set(self.chords_written if written is None else written)
        last = self.bars[-1][1]
        past, unread, covered = [], [], []
        for c in self.score.chord_symbols:
            if c in done or not self.in_written_bar(c.tick):
                continue  # (a repeat's second time: written once, the first time's)
            if c.tick >= last:
                past.append(c)
            elif read_chord(c.text) is None and not is_no_chord(c.text):
                unread.append(f'"{c.text}"')
            else:
                covered.append(c)
        out = []
        if past:
            out.append(f"{_plural(len(past), 'chord symbol')} after the last bar not written "
                       "(notation ends with the notes)")
        if unread:
            out.append(f"chord symbols not written ({', '.join(unread)}): no chord could be "
                       "read from them")
        if covered:
            out.append(f"{_plural(len(covered), 'chord symbol')} not written: a later one "
                       "comes before the next note or rest")
        return out

    def _spans(self, kinds: tuple[str, ...]
               ) -> dict[str, dict[tuple[int, int, int], tuple[list[int], list[int]]]]:
        """Per kind (:data:`.marks.SPANS`; those given share MusicXML's numbers, as a
        crescendo's and a diminuendo's wedges do): (part index, tick, lowest pitch of the chord
        struck there) -> the numbers of the spans that stop and start on it: each part's among
        the notes written (a bar written once for a repeat, its slurs once), paired in each
        voice, then what is left across the part's voices, and numbered so that no two open at
        once share one."""
        spans = [self.bars[wb.index] for wb in self.written]
        starts = [a for a, _ in spans]

        def written(t: int) -> bool:
            i = bisect.bisect_right(starts, t) - 1
            return i >= 0 and t < spans[i][1]

        out: dict[str, dict[tuple[int, int, int], tuple[list[int], list[int]]]] = {
            kind: {} for kind in kinds}
        for p, staves in enumerate(self.layouts):
            wanted = {m for kind in kinds for m in _marks.SPANS[kind]}
            if not any(wanted.intersection(n.marks) for n in self.score.parts[p].notes
                       if n.marks):
                continue  # (most parts have none)
            pairs = []
            for kind in kinds:
                leftover: list = []
                for staff in staves:
                    for voice in staff.voices:
                        events = [(c.start, c.notes[0].pitch,
                                   {m for n in c.notes for m in n.marks})
                                  for c in voice if written(c.start)]
                        pairs += [(kind, pair) for pair in
                                  _marks.span_pairs(events, leftover, kind)]
                pairs += [(kind, pair) for pair in _marks.span_pairs(leftover, kind=kind)]
            kind_of = {pair: kind for kind, pair in pairs}
            for (a, low_a), (b, low_b), k in _marks.numbered([pair for _k, pair in pairs]):
                here = out[kind_of[(a, low_a), (b, low_b)]]
                here.setdefault((p, a, low_a), ([], []))[1].append(k)
                here.setdefault((p, b, low_b), ([], []))[0].append(k)
        return out

    def span_ends(self, part_index: int, e: _Element, kind: str = "slur"
                  ) -> tuple[list[int], list[int]]:
        """The numbers of the slurs (or hairpins: ``kind``) that stop and start on the chord
        ``e``, where it is struck."""
        if not e.first_piece or e.tie_in or not e.notes:
            return [], []
        return self.spans[kind].get((part_index, e.start, min(n.pitch for n in e.notes)),
                                    ([], []))

    def _slur_tags(self, part_index: int, e: _Element) -> str:
        stops, starts = self.span_ends(part_index, e)
        return "".join([*(f'<slur type="stop" number="{k}"/>' for k in stops),
                        *(f'<slur type="start" number="{k}"/>' for k in starts)])

    def bar_number(self, index: int) -> int:
        """The number bar ``index`` (of the timeline's bars) is written with."""
        return self.numbers[index]

    # ----- the bars --------------------------------------------------------------------------
    def _measures(self) -> None:
        score = self.score
        changes = [e.tick for e in (*score.time_signatures, *score.key_signatures)]
        last_bar = max(score.bar_count(), *(score.bar_at(t) + 1 for t in changes))
        starts = [score.bar_start(b) for b in range(last_bar + 1)]
        self.bars = list(itertools.pairwise(starts))
        first_end = self.bars[0][1]
        self.pickup = pickup = score.upbeat
        self.short_last = False
        if pickup:
            self.bars[0] = (first_end - pickup, first_end)
            # the last bar completes the upbeat (a 3-beat final bar after a 1-beat pickup) when
            # its music ends in time and nothing changes there
            m0, m1 = self.bars[-1]
            end = score.end_tick
            if (len(self.bars) > 1 and m0 < end <= m1 - pickup
                    and m1 - m0 == score.time_signature_at(m0).bar_ticks
                    and not any(m0 <= t for t in changes)):
                self.bars[-1] = (m0, m1 - pickup)
                self.short_last = True

    # ----- whole document --------------------------------------------------------------------
    def text(self) -> str:
        score = self.score
        w = self.out.append
        w('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
          '<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 3.1 Partwise//EN" '
          '"http://www.musicxml.org/dtds/partwise.dtd">\n<score-partwise version="3.1">\n')
        if score.title:
            title = escape(score.title)
            w(f"<work><work-title>{title}</work-title></work>\n"
              f"<movement-title>{title}</movement-title>\n")
        creator = (f'<creator type="composer">{escape(score.composer)}</creator>'
                   if score.composer else "")
        w(f"<identification>{creator}<encoding><software>Composer</software></encoding>"
          "</identification>\n<part-list>\n")
        channels = assign_channels(score.parts)
        hands, layouts = self.hands, self.layouts
        braced = {i for i, hand in hands.items() if hand == 0}  # each pair's first part
        choirs = choir_runs(score.parts)
        for number, (part, channel) in enumerate(zip(score.parts, channels, strict=True), 1):
            if any(first == number - 1 for first, _ in choirs):  # a choir: one bracket, each
                w('<part-group number="2" type="start"><group-symbol>bracket</group-symbol>'
                  "<group-barline>no</group-barline></part-group>\n")  # staff its own bars
            if number - 1 in braced and number - 2 not in braced:  # two hands: one brace
                w('<part-group number="1" type="start"><group-symbol>brace</group-symbol>'
                  "<group-barline>yes</group-barline></part-group>\n")
            self._score_part(number, part, channel)
            if number - 2 in braced:
                w('<part-group number="1" type="stop"/>\n')
            if any(last == number - 1 for _, last in choirs):
                w('<part-group number="2" type="stop"/>\n')
        w("</part-list>\n")
        for number, (part, staves) in enumerate(zip(score.parts, layouts, strict=True), 1):
            w(f'<part id="P{number}">\n')
            self.clefs = [self._bar_clefs(staff, s if len(staves) == 2 else
                                          hands.get(number - 1))
                          for s, staff in enumerate(staves)]
            prev = None
            for position, bar in enumerate(self.written):
                self._measure(number - 1, part, staves, bar, prev, position)
                prev = bar.index
            w("</part>\n")
        w("</score-partwise>\n")
        return "".join(self.out)

    def _score_part(self, number: int, part: Part, channel: int) -> None:
        w = self.out.append
        pid = f"P{number}"
        w(f'<score-part id="{pid}"><part-name>{escape(part.name)}</part-name>')
        short = abbreviation(part)
        if self.dotless and not part.abbreviation:
            short = short.replace(".", "")
        if short:
            w(f"<part-abbreviation>{escape(short)}</part-abbreviation>")
        if part.is_drum:
            keys = sorted({n.pitch for n in part.notes}) or [35]
            for k in keys:
                w(f'<score-instrument id="{pid}-I{k + 1}"><instrument-name>'
                  f"Drum {k}</instrument-name></score-instrument>")
            for k in keys:
                w(f'<midi-instrument id="{pid}-I{k + 1}"><midi-channel>{DRUM_CHANNEL + 1}'
                  f"</midi-channel><midi-unpitched>{k + 1}</midi-unpitched></midi-instrument>")
        else:
            w(f'<score-instrument id="{pid}-I1"><instrument-name>{escape(part.name)}'
              f'</instrument-name></score-instrument><midi-instrument id="{pid}-I1">'
              f"<midi-channel>{channel + 1}</midi-channel><midi-program>{part.program + 1}"
              "</midi-program></midi-instrument>")
        w("</score-part>\n")

    # ----- one bar of one part ---------------------------------------------------------------
    def _measure(self, part_index: int, part: Part, staves: list[_Staff], bar: repeats.WrittenBar,
                 prev: int | None, position: int) -> None:
        """One bar: ``bar.index`` of the timeline's bars, written after bar ``prev`` (None: the
        first), as the ``position``-th bar written."""
        score = self.score
        w = self.out.append
        index = bar.index
        m0, m1 = self.bars[index]
        number = position if self.pickup else position + 1
        implicit = ' implicit="yes"' if self.pickup and index == 0 else ""
        w(f'<measure number="{number}"{implicit}>\n')
        left = ""
        if bar.forward:
            left += "<bar-style>heavy-light</bar-style>"
        if bar.ending_start:
            left += f'<ending number="{bar.ending}" type="start">{bar.ending}.</ending>'
        if bar.forward:
            left += '<repeat direction="forward"/>'
        if left:
            w(f'<barline location="left">{left}</barline>\n')
        attributes = []
        if index == 0:
            attributes.append(f"<divisions>{TPQ * self.scale}</divisions>")
        key = self.key_at(part_index, m0)
        prev_key = self.key_at(part_index, self.bars[prev][0]) if prev is not None else None
        if key is not None and (prev is None or key != prev_key):
            mode = f"<mode>{key.mode}</mode>"
            attributes.append(f"<key><fifths>{key.sharps}</fifths>{mode}</key>")
        time = self._time(index, m0, m1, prev)
        if time:
            attributes.append(time)
        if index == 0 and len(staves) > 1:
            attributes.append(f"<staves>{len(staves)}</staves>")
        for s, clefs in enumerate(self.clefs, 1):
            if prev is not None and clefs[index] == clefs[prev]:
                continue
            sign, line, octave = CLEF_SIGNS[clefs[index]]
            shift = f"<clef-octave-change>{octave}</clef-octave-change>" if octave else ""
            number_attr = f' number="{s}"' if len(staves) > 1 else ""
            attributes.append(f"<clef{number_attr}><sign>{sign}</sign><line>{line}</line>"
                              f"{shift}</clef>")
        if prev is None and self.transpositions[part_index] != (0, 0):
            attributes.append(_transpose_element(*self.transpositions[part_index]))
        if attributes:
            w("<attributes>" + "".join(attributes) + "</attributes>\n")
        marks = [] if part_index else [m for m in self.view.tempo_marks
                                       if m0 <= m[0] < m1 or (index == 0 and m[0] < m0)]
        chords = [] if part_index != self.chord_part else [
            c for c in score.chord_symbols if m0 <= c.tick < m1 or (index == 0 and c.tick < m0)]
        written = 0
        for s, staff in enumerate(staves):
            voice_elements = self.bar_elements(part_index, part, s, staff, m0, m1,
                                               key == prev_key)
            several = len(voice_elements) > 1
            ts = score.time_signature_at(m1 - 1)
            origin = m1 - ts.bar_ticks if self.pickup and index == 0 else m0
            # the pedal under the lowest staff, in its first voice, each where it is in time
            # (put at its notes, an upper staff's stop came before the lower staff's change
            # in the file, and MuseScore 3 read the pedal one change short)
            pedals = [x for x in self.pedals[part_index] if m0 <= x[0] < m1 or (x[0] == m1
                      and position == len(self.written) - 1)] if s == len(staves) - 1 else []
            for v, elements in voice_elements:
                if written:
                    w(f"<backup><duration>{(m1 - m0) * self.scale}</duration></backup>\n")
                voice_number = s * VOICES_PER_STAFF + v + 1
                stem = ("up" if v % 2 == 0 else "down") if several else None
                beams = _beams(elements, origin, ts) if BEAMS else {}
                staff_number = s + 1 if len(staves) > 1 else 0
                for i, e in enumerate(elements):
                    if marks and written == 0:
                        while marks and marks[0][0] < e.start + e.duration:
                            t, bpm, words, unit = marks.pop(0)
                            self._tempo(max(t, m0) - e.start, bpm,
                                        self.score.time_signature_at(max(t, m0)), words, unit)
                    while chords and written == 0 and chords[0].tick < e.start + e.duration:
                        chord = chords.pop(0)
                        self._harmony(chord, max(chord.tick, m0) - e.start, staff_number)
                    while pedals and pedals[0][0] < e.start + e.duration:
                        t, down = pedals.pop(0)
                        self._pedal(max(t, e.start) - e.start, down, voice_number, staff_number)
                    self._note(part, e, voice_number, stem, staff_number, beams.get(i, ""))
                while pedals:  # (up at the bar's end: the piece's last note's)
                    t, down = pedals.pop(0)
                    self._pedal(0, down, voice_number, staff_number)
                written += 1
        last = position == len(self.written) - 1  # the end of the piece: a final bar line
        right = "<bar-style>light-heavy</bar-style>" if last or bar.backward else ""
        if bar.ending_stop:  # (an open second ending, as engravers end the piece's last)
            kind = "discontinue" if bar.ending == 2 and not last else "stop"
            right += f'<ending number="{bar.ending}" type="{kind}"/>'
        if bar.backward:
            right += '<repeat direction="backward"/>'
        if right:
            w(f'<barline location="right">{right}</barline>\n')
        w("</measure>\n")

    def bar_elements(self, part_index: int, part: Part, s: int, staff: _Staff, m0: int,
                     m1: int, same_key: bool, cuts: Sequence[int] = ()
                     ) -> list[tuple[int, list[_Element]]]:
        """(voice, its written elements) of staff ``s`` of a part in the bar [m0, m1), their
        accidentals set after the bar written before (``same_key``: in the key it was in);
        bars must be asked for in the order they are written (the ABC writer uses this too,
        its first voice's notes and rests ``cuts`` at its chord symbols)."""
        voice_elements = []
        for v, all_chords in enumerate(staff.voices):
            # a voice's chords never overlap, so their ends rise: find the bar's by bisection
            ends = staff.ends[v]
            chords = all_chords[bisect.bisect_right(ends, m0):bisect.bisect_left(ends, m1) + 1]
            chords = [c for c in chords if c.start < m1 and c.end > m0]
            if v > 0 and not chords:
                continue
            voice_elements.append((v, self._elements(part_index, chords, m0, m1, v > 0,
                                                     () if v else cuts)))
        if not voice_elements:
            voice_elements.append((0, self._elements(part_index, [], m0, m1, False)))
        self.altered[part_index, s] = self._accidentals(
            part.is_drum, [e for _, es in voice_elements for e in es], m0, part_index,
            self.altered.get((part_index, s), {}) if same_key else {})
        return voice_elements

    def _bar_clefs(self, staff: _Staff, hand: int | None) -> list[str]:
        """The clef of ``staff`` in each bar: its own, but in a grand staff (``hand`` 0 the
        upper staff, 1 the lower) the lower staff takes the treble clef for a bar whose notes
        all lie at or above middle C, and the upper the bass clef for one whose notes all lie
        below it, back where they leave (a copyist's review read a rag's left hand, treble clef
        in its file for four bars, on ledger lines above a bass clef)."""
        starts = [m0 for m0, _ in self.bars]
        low = [128] * len(starts)  # per bar: the lowest and highest pitch written in it
        high = [-1] * len(starts)
        if hand is not None and staff.clef in ("treble", "bass"):
            for c in (c for v in staff.voices for c in v if c.notes):
                lo, hi = min(n.pitch for n in c.notes), max(n.pitch for n in c.notes)
                first = max(0, bisect.bisect_right(starts, c.start) - 1)
                for b in range(first, bisect.bisect_left(starts, c.end)):
                    low[b], high[b] = min(low[b], lo), max(high[b], hi)
        out: list[str] = []
        for b in range(len(starts)):
            now = out[-1] if out else staff.clef
            if high[b] >= 0:
                if hand == 1:
                    now = "treble" if low[b] >= MIDDLE_C else "bass"
                else:
                    now = "bass" if high[b] < MIDDLE_C else "treble"
            out.append(now)
        return out

    def _time(self, index: int, m0: int, m1: int, prev: int | None) -> str:
        """A time signature where the meter changes, or where a bar is cut short (a meter change
        in the middle of a bar), and again after it."""
        if self.pickup and index == 0:
            ts = self.score.time_signature_at(self.bars[0][1])
            return _time_element(ts, (ts.numerator, ts.denominator))
        ts = self.score.time_signature_at(m0)
        length = m1 - m0
        shown = (ts.numerator, ts.denominator)
        if self.short_last and index == len(self.bars) - 1:
            return ""  # the bar that completes the pickup keeps the meter it is in
        if length != ts.bar_ticks:
            for den in sorted({ts.denominator, 4, 8, 16, 32, 64}):
                if length * den % (4 * TPQ) == 0:
                    shown = (length * den // (4 * TPQ), den)
                    break
        if prev is None or (self.pickup and prev == 0):
            previous = None if prev is None else shown
        else:
            p0, p1 = self.bars[prev]
            prev_ts = self.score.time_signature_at(p0)
            previous = (prev_ts.numerator, prev_ts.denominator)
            if p1 - p0 != prev_ts.bar_ticks:
                previous = None
        restated = any(t.tick == m0 for t in self.score.time_signatures)  # the file said it again
        if shown == previous and not restated:
            return ""
        return _time_element(ts, shown)

    def _harmony(self, chord: ChordSymbol, offset: int, staff: int) -> None:
        """A chord symbol: its root, its kind (:func:`.chord_symbols.musicxml_kind`) with the
        text as written, its slash bass, and the degrees that make the kind the chord (not
        printed: the text says them; MuseScore 3 names the chord from kind and degrees);
        "N.C." is kind "none" on a root shown as no text, as MuseScore writes it (MuseScore 3
        reading it back shows that root: "CN.C.")."""
        text = chord.text
        semitones = self.transpositions[self.chord_part][1]
        if semitones:  # (over a transposing part: at its written pitch, as its notes)
            key = self.key_at(self.chord_part, chord.tick)
            text = transpose_text(text, -semitones, key is not None and key.sharps < 0)
        parts = read_chord(text)
        if parts is None and not is_no_chord(text):
            return  # (said by chord_warnings)
        self.chords_written.append(chord)
        tail = (f"<offset>{offset * self.scale}</offset>" if offset > 0 else "") + (
            f"<staff>{staff}</staff>" if staff else "")
        if parts is None:
            self.out.append('<harmony print-frame="no"><root><root-step text="">C</root-step>'
                            f'</root><kind text="{escape(chord.text, _QUOTE)}">none</kind>'
                            f"{tail}</harmony>\n")
            return
        kind, degrees = musicxml_kind(parts.intervals)
        bass = f"<bass>{_step_alter(parts.bass, 'bass')}</bass>" if parts.bass else ""
        self.out.append(
            f'<harmony print-frame="no"><root>{_step_alter(parts.root, "root")}</root>'
            f'<kind text="{escape(parts.quality, _QUOTE)}">{kind}</kind>{bass}'
            + ("".join(f'<degree print-object="no"><degree-value>{value}</degree-value>'
                       f"<degree-alter>{alter}</degree-alter><degree-type>{what}"
                       "</degree-type></degree>" for what, value, alter in degrees)
               if self.chord_degrees else "")
            + f"{tail}</harmony>\n")

    def _pedal(self, offset: int, down: bool, voice: int, staff: int) -> None:
        off = f"<offset>{offset * self.scale}</offset>" if offset > 0 else ""
        tail = f"<voice>{voice}</voice>" + (f"<staff>{staff}</staff>" if staff else "")
        self.out.append(f'<direction placement="below"><direction-type><pedal type='
                        f'"{"start" if down else "stop"}" {_PEDAL_SIGN}/></direction-type>'
                        f"{off}{tail}</direction>\n")

    def _tempo(self, offset: int, bpm: float, ts: TimeSignature, words: str = "",
               counted: int = 0) -> None:
        unit, per = metronome_unit(bpm, ts, counted)
        shown, sound = _number(per), _number(bpm)
        off = f"<offset>{offset * self.scale}</offset>" if offset > 0 else ""
        said = (f"<direction-type><words font-weight=\"bold\">{escape(words)} </words>"
                "</direction-type>" if words else "")
        self.out.append(
            f'<direction placement="above">{said}<direction-type><metronome parentheses="no">'
            f"{unit}<per-minute>{shown}</per-minute></metronome>"
            f'</direction-type>{off}<sound tempo="{sound}"/></direction>\n')

    # ----- notes and rests of one voice in one bar -------------------------------------------
    def _elements(self, part_index: int, chords: list[_Chord], m0: int, m1: int,
                  hide_rests: bool, cuts: Sequence[int] = ()) -> list[_Element]:
        """The voice's notes and rests in the bar, cut at bar lines and units (a note tied
        over), and at ``cuts`` (ticks inside the bar)."""
        pieces: list[tuple[int, int, _Chord | None]] = []
        now = m0
        for c in chords:
            if c.end <= m0 or c.start >= m1:
                continue
            start, end = max(c.start, m0), min(c.end, m1)
            if start > now:
                pieces.append((now, start, None))
            pieces.append((start, end, c))
            now = end
        if now < m1:
            pieces.append((now, m1, None))
        for t in cuts:
            pieces = [p for a, b, c in pieces
                      for p in (((a, t, c), (t, b, c)) if a < t < b else ((a, b, c),))]
        full_bar = m1 - m0 == self.score.time_signature_at(m0).bar_ticks
        if len(pieces) == 1 and pieces[0][2] is None and full_bar:
            # a whole-bar rest; a short bar (a pickup) gets written rests, since notation
            # programs read a "measure" rest as a full bar of the time signature
            return [_Element(m0, m1 - m0, "", 0, False, None, hidden=hide_rests)]
        origin = self.score.bar_start(self.score.bar_at(m0))  # a pickup bar counts from 0
        spans = self._tuplet_spans(part_index, pieces, origin, m1)
        out: list[_Element] = []
        for start, end, chord in pieces:
            for a, b, span in _cut(start, end, spans):
                ts = self.score.time_signature_at(m0)
                if span is None or span[2] == 3:
                    values = _decompose(a, b, origin, ts.beat_ticks, span is not None,
                                        ts.bar_ticks, rest=chord is None)
                else:
                    values = _decompose_tuplet(a, b, span)
                for s, d, name, dots in values:
                    e = _Element(s, d, name, dots, span is not None,
                                 chord.notes if chord else None, span=span)
                    if chord is not None:
                        e.tie_in = s > chord.start
                        e.tie_out = s + d < chord.end
                        e.first_piece = s == chord.start
                    out.append(e)
        for u0, length, n in spans:
            inside = [e for e in out if u0 <= e.start < u0 + length and e.triplet]
            if inside:
                inside[0].tuplet += ("start",)
                inside[-1].tuplet += ("stop",)
                # beamed notes show the 3 alone (engravers bracket a triplet only where no beam
                # joins it: a rest or a quarter inside; MuseScore drew brackets under beams);
                # a 5, 6 or 7 is bracketed, as the trial's file and most editions print them
                inside[0].bracket = n != 3 or \
                    not all(e.notes and e.type in _BEAMED for e in inside)
        if hide_rests:
            for e in out:
                if e.notes is None:
                    e.hidden = True
        return out

    def _beat(self, m0: int) -> int:
        return self.score.time_signature_at(m0).beat_ticks

    def _tuplet_spans(self, part_index: int, pieces, m0: int, m1: int
                      ) -> list[tuple[int, int, int]]:
        """The tuplets this voice writes in this bar, (start, ticks, n), in order: its triplets
        (:meth:`_triplet_units`), a quarter's as a sextuplet where its notes are sixteenths
        (their places on the sixteenth-triplet grid, some between the eighth triplets': six
        sixteenths under a 6, where they had been under a 3); and the quarters the view writes
        as quintuplets or septuplets (``NotationView.unit_tuplet``) where this voice has an
        edge inside, two quarters of a bar as one quintuplet of eighths where every edge of
        the voice in them lies on that grid (five eighths over a half, not two quintuplets of
        sixteenths tied)."""
        edges = sorted({t for start, end, _ in pieces for t in (start, end)})
        out = []
        for u, length in self._triplet_units(part_index, pieces, m0).items():
            inner = [t - u for t in edges if u < t < u + length]
            n = 6 if length == UNIT and all(r % (UNIT // 6) == 0 for r in inner) \
                and any(r % (UNIT // 3) for r in inner) else 3
            out.append((u, length, n))
        view = self.view
        others: dict[int, int] = {}  # unit -> n, where this voice has an edge off the plain
        for t in edges:                 # grid inside (another voice's eighths stay eighths)
            rel = t - m0
            if rel % 30 and (n := view.unit_tuplet(part_index, t)) in (5, 7):
                others[m0 + rel // UNIT * UNIT] = n
        taken: set[int] = set()
        for u in sorted(others):
            if u in taken:
                continue
            n = others[u]
            half = tuplet_offsets(5, 2 * UNIT)
            inner = [t - u for t in edges if u < t < u + 2 * UNIT]
            crossed = any(r > UNIT for r in inner) or any(
                start < u + UNIT < end for start, end, _ in pieces)
            if n == 5 and crossed and u + 2 * UNIT <= m1 and others.get(u + UNIT, 5) == 5 \
                    and view.unit_tuplet(part_index, u + UNIT) in (0, 5) \
                    and all(r in half for r in inner):
                out.append((u, 2 * UNIT, 5))
                taken.add(u + UNIT)
            else:
                out.append((u, UNIT, n))
        return sorted(out)

    def _triplet_units(self, part_index: int, pieces, m0: int) -> dict[int, int]:
        """Units of this bar that this voice must write as triplets, start -> length: a
        quarter where some edge inside it lies off the plain grid; or only the half of it
        (an eighth: sixteenth triplets) whose edges do, where the other half's lie on the
        plain grid and no note crosses the middle (an eighth and a sixteenth triplet had been
        written as a dotted triplet eighth and three triplet sixteenths under one 3)."""
        units = set()
        for start, end, _ in pieces:
            for t in (start, end):
                rel = t - m0
                if rel % 30 and self.view.unit_is_triplet(part_index, t):
                    units.add(m0 + rel // UNIT * UNIT)
        if not units:
            return {}
        edges = sorted({t for start, end, _ in pieces for t in (start, end)})
        out = {}
        half = UNIT // 2
        for u in units:
            inner = [t for t in edges if u < t < u + UNIT]
            crossed = any(start < u + half < end for start, end, _ in pieces)
            for h, other in ((u, u + half), (u + half, u)):
                if not crossed and all((t - m0) % 30 == 0 for t in inner
                                       if other <= t <= other + half) \
                        and all((t - h) % (half // 3) == 0 for t in inner if h <= t <= h + half):
                    out[h] = half
                    break
            else:
                out[u] = UNIT
        return out

    def _accidentals(self, drum: bool, elements: list[_Element], m0: int, part_index: int,
                     before: dict[tuple[str, int], int]) -> dict[tuple[str, int], int]:
        """Show an accidental where the key and the notes before it in the bar (same staff)
        don't already give it; a note tied over the bar line shows none. The first note of a
        letter and octave that the bar ``before`` altered (and this bar does not) shows a
        courtesy sign (an F after the last bar's F#: an engraver writes the natural, and
        MuseScore adds none of its own). Returns this bar's altered notes, for the next."""
        alters = _key_alters(self.key_at(part_index, m0))
        state: dict[tuple[str, int], int] = {}
        for e in sorted((e for e in elements if e.notes), key=lambda e: e.start):
            e.accidentals, e.cautionary = [], []
            for n in e.notes or ():
                e.cautionary.append(False)
                if drum:
                    e.accidentals.append(None)
                    continue
                step, alter, octave = _spelled(n)
                current = state.get((step, octave), alters[step])
                if e.tie_in and not (self.tied_accidentals and alter != current
                                     and e.start == m0):
                    e.accidentals.append(None)
                    continue
                courtesy = (step, octave) not in state and \
                    before.get((step, octave), alter) != alter
                state[step, octave] = alter
                if alter == current and not courtesy:
                    e.accidentals.append(None)
                else:
                    e.accidentals.append(_ACCIDENTAL_NAMES[alter])
                    e.cautionary[-1] = alter == current
        return {k: a for k, a in state.items() if a != alters[k[0]]}

    def _note(self, part: Part, e: _Element, voice: int, stem: str | None, staff: int,
              beam: str = "") -> None:
        w = self.out.append
        tail_staff = f"<staff>{staff}</staff>" if staff else ""
        duration = _divisions(e, self.scale)
        if e.notes is None:
            hidden = ' print-object="no"' if e.hidden else ""
            if not e.type:
                w(f'<note{hidden}><rest measure="yes"/><duration>{duration}</duration>'
                  f"<voice>{voice}</voice>{tail_staff}</note>\n")
                return
            w(f"<note{hidden}><rest/><duration>{duration}</duration><voice>{voice}</voice>"
              f"<type>{e.type}</type>{'<dot/>' * e.dots}{_time_mod(e)}"
              f"{tail_staff}{_notations(e, False)}</note>\n")
            return
        # the words, on the chord's first note where it is struck (not on a tie's later pieces)
        sung = next((n.lyric for n in e.notes if n.lyric), None) \
            if e.first_piece and not e.tie_in else None
        part_index = self.part_ids[id(part)] - 1
        struck = e.first_piece and not e.tie_in
        marked = struck and any(n.marks for n in e.notes)  # (most notes have none)
        slurs = self._slur_tags(part_index, e) if marked else ""
        # a chord's marks on its first note, but each note's own finger on that note (a
        # pianist's 1-3-5; MusicXML writes a fingering per note)
        fingers = [_marks.FINGER_MARKS.intersection(n.marks) for n in e.notes] if marked else []
        own = len(e.notes) > 1 and all(len(f) <= 1 for f in fingers) and len(set(fingers)) > 1
        marks = _marks.musicxml_elements(
            [m for n in e.notes for m in n.marks if not (own and m in _marks.FINGER_MARKS)]
            + (list(fingers[0]) if own else [])) if marked else ""
        levels = _marks.written_dynamics(m for n in e.notes for m in n.marks) if marked else []
        for level in levels:  # (a direction where the chord is struck, below its staff)
            sound = f'<sound dynamics="{_marks.DYNAMICS[level] * 100 / 90:.2f}"/>' \
                if level in _marks.DYNAMICS else ""
            w(f'<direction placement="below"><direction-type><dynamics><{level}/></dynamics>'
              f"</direction-type><voice>{voice}</voice>{tail_staff}{sound}</direction>\n")
        wedges_after = []
        if marked:
            for kind in ("crescendo", "diminuendo"):
                stops, starts = self.span_ends(part_index, e, kind)
                w("".join(f'<direction placement="below"><direction-type><wedge type="{kind}" '
                          f'number="{k}"/></direction-type><voice>{voice}</voice>{tail_staff}'
                          "</direction>\n" for k in starts))
                wedges_after += stops
        if struck and not part.is_drum and any(n.graces for n in e.notes):
            for grace in self.graces(e, part_index):
                slash = ' slash="yes"' if grace.slash else ""
                alter = f"<alter>{grace.alter}</alter>" if grace.alter else ""
                sign = f"<accidental>{grace.accidental}</accidental>" if grace.accidental else ""
                beam_tag = f'<beam number="1">{grace.beam}</beam>' if grace.beam else ""
                w(f"<note><grace{slash}/><pitch><step>{grace.step}</step>{alter}"
                  f"<octave>{grace.octave}</octave></pitch><voice>{voice}</voice>"
                  f"<type>{grace.type}</type>{sign}<stem>up</stem>{tail_staff}{beam_tag}"
                  "</note>\n")
        again = next((self.verse2[k] for n in e.notes
                      if (k := (part_index, n.start, n.pitch)) in self.verse2), None) \
            if e.first_piece and not e.tie_in and self.verse2 else None
        fermata = self._fermata(e)
        for i, n in enumerate(e.notes):
            chord = "<chord/>" if i else ""
            mine = _marks.musicxml_elements(fingers[i]) if own and i else ""
            if part.is_drum:
                step, octave, head = _DRUM_STAFF.get(n.pitch, ("C", 5, ""))
                instrument_head = f"<notehead>{head}</notehead>" if head else ""
                pitch = (f"<unpitched><display-step>{step}</display-step><display-octave>"
                         f"{octave}</display-octave></unpitched>")
                instrument = f'<instrument id="P{self.part_ids[id(part)]}-I{n.pitch + 1}"/>'
            else:
                instrument_head = ""
                step, alter, octave = _spelled(n)
                alter_tag = f"<alter>{alter}</alter>" if alter else ""
                pitch = f"<pitch><step>{step}</step>{alter_tag}<octave>{octave}</octave></pitch>"
                instrument = ""
            ties = ('<tie type="stop"/>' if e.tie_in else "") + (
                '<tie type="start"/>' if e.tie_out else "")
            accidental = e.accidentals[i] if i < len(e.accidentals) else None
            courtesy = ' cautionary="yes"' if i < len(e.cautionary) and e.cautionary[i] else ""
            acc = f"<accidental{courtesy}>{accidental}</accidental>" if accidental else ""
            stem_tag = (f"<stem>{stem}</stem>" if stem else "") + instrument_head
            dynamics = f' dynamics="{n.velocity * 100 / 90:.2f}"' \
                if n.velocity != self.usual_velocity.get(id(part)) or \
                n.velocity != DEFAULT_VELOCITY else ""
            w(f"<note{dynamics}>{chord}{pitch}<duration>{duration}</duration>{ties}{instrument}"
              f"<voice>{voice}</voice><type>{e.type}</type>{'<dot/>' * e.dots}{acc}"
              f"{_time_mod(e)}{stem_tag}{tail_staff}{beam if i == 0 else ''}"
              f"{_notations(e, i == 0, fermata=fermata, marks=marks, slurs=slurs, own=mine)}"
              f"{_lyric_element(sung) if sung and i == 0 else ''}"
              f"{_lyric_element(again, 2) if again and i == 0 else ''}</note>\n")
        w("".join(f'<direction placement="below"><direction-type><wedge type="stop" number="{k}"/>'
                  f"</direction-type><voice>{voice}</voice>{tail_staff}</direction>\n"
                  for k in wedges_after))  # (a hairpin ends where its last note does)

    def graces(self, e: _Element, part_index: int = -1) -> list[_Grace]:
        """The grace notes written before the chord ``e`` (its highest note's) of part
        ``part_index``, spelled in its key: one alone an eighth with a slash (an acciaccatura),
        more beamed sixteenths."""
        top = max(e.notes or (), key=lambda n: n.pitch, default=None)
        if top is None or not top.graces:
            return []
        key = self.key_at(part_index, e.start)
        alters = _key_alters(key)
        pitches = [top.pitch + g for g in top.graces if 0 <= top.pitch + g <= 127]
        out = []
        for i, p in enumerate(pitches):
            step, alter, octave = _spelled(Note(0, p, 0, spelling=key_spelling(p % 12, key)))
            beam = "" if len(pitches) == 1 else \
                "begin" if i == 0 else "end" if i == len(pitches) - 1 else "continue"
            out.append(_Grace(step, alter, octave, "eighth" if len(pitches) == 1 else "16th",
                              len(pitches) == 1, beam,
                              _ACCIDENTAL_NAMES[alter] if alter != alters[step] else None))
        return out

    def _fermata(self, e: _Element) -> bool:
        """A fermata goes on the chord struck at its tick, and on a note tied into that tick
        that holds as long as any note there: a melody's last note held from bars before keeps
        the fermata its chord has (a listening review found it only on the voices that struck
        there), a voice tied in that moves on under the held chord gets none."""
        if e.start not in self.fermatas:
            return False
        if e.first_piece:
            return True
        return e.tie_in and bool(e.notes) and \
            max(n.end for n in e.notes) >= self.fermata_ends[e.start]



# Where General MIDI drums sit on a percussion staff (the usual drum-kit legend) and which get
# cross noteheads; others sit on the middle line. The key itself travels in <instrument>.
_DRUM_STAFF = {
    35: ("E", 4, ""), 36: ("F", 4, ""), 37: ("C", 5, "x"), 38: ("C", 5, ""), 39: ("C", 5, "x"),
    40: ("C", 5, ""), 41: ("G", 4, ""), 42: ("G", 5, "x"), 43: ("A", 4, ""), 44: ("D", 4, "x"),
    45: ("B", 4, ""), 46: ("G", 5, "circle-x"), 47: ("D", 5, ""), 48: ("E", 5, ""),
    49: ("A", 5, "x"), 50: ("F", 5, ""), 51: ("F", 5, "x"), 52: ("A", 5, "x"),
    53: ("F", 5, "diamond"), 55: ("B", 5, "x"), 56: ("E", 5, "triangle"), 57: ("A", 5, "x"),
    59: ("F", 5, "x"),
}


def _transpose_element(steps: int, semitones: int) -> str:
    """MusicXML's ``<transpose>`` for ``Part.transposition``: the octaves apart, in
    ``<octave-change>`` (a tenor saxophone: -1, -2 and -1), as MuseScore writes it."""
    octaves = int(semitones / 12)  # (towards zero: the rest keeps the interval's direction)
    change = f"<octave-change>{octaves}</octave-change>" if octaves else ""
    return (f"<transpose><diatonic>{steps - 7 * octaves}</diatonic><chromatic>"
            f"{semitones - 12 * octaves}</chromatic>{change}</transpose>")


def _lyric_element(lyric: str, verse: int = 1) -> str:
    syllabic, text = lyric_syllabic(lyric)
    return (f'<lyric number="{verse}"><syllabic>{syllabic}</syllabic>'
            f"<text>{escape(text)}</text></lyric>")


def _time_element(ts: TimeSignature, shown: tuple[int, int]) -> str:
    """The meter as shown; as the source's symbol (common or cut time) where it is that meter,
    not a bar cut short."""
    symbol = f' symbol="{ts.symbol}"' if ts.symbol and shown == (
        ts.numerator, ts.denominator) else ""
    return f"<time{symbol}><beats>{shown[0]}</beats><beat-type>{shown[1]}</beat-type></time>"


# the sustain pedal as "Ped." and a line to where it comes up, under the part's lowest staff
# (MuseScore 3 set the "Ped." and "*" signs alone over the bass staff's notes); a change as a
# stop and a start (MuseScore 3 draws no notch for a change)
_PEDAL_SIGN = 'line="yes" sign="yes"'
_TIME_MOD = "<time-modification><actual-notes>3</actual-notes><normal-notes>2</normal-notes>" \
            "</time-modification>"


def _time_mod(e: _Element) -> str:
    """A tuplet's note's ``<time-modification>``: a triplet's 3:2 (as always written), another
    n:4 of its sixteenths (or of eighths, five over a half), the normal type said (MuseScore
    reads the first note's type as the tuplet's unit otherwise)."""
    if not e.triplet:
        return ""
    if e.span is None or e.span[2] == 3:
        return _TIME_MOD
    _start, length, n = e.span
    return (f"<time-modification><actual-notes>{n}</actual-notes><normal-notes>"
            f"{TUPLET_NORMAL}</normal-notes><normal-type>{_TYPE_NAMES[length // TUPLET_NORMAL]}"
            "</normal-type></time-modification>")


TUPLET_NORMAL = 4  # a tuplet of 5, 6 or 7 is written in the time of 4 of its unit
_TYPE_NAMES = {ticks: name for ticks, name in _TYPES}
_ACCIDENTAL_NAMES = {-2: "flat-flat", -1: "flat", 0: "natural", 1: "sharp", 2: "double-sharp"}


# note values a beam joins, and how many beams each has
_BEAM_LEVELS = {"eighth": 1, "16th": 2, "32nd": 3, "64th": 4}
_BEAMED = frozenset(_BEAM_LEVELS)
# Beams written (<beam>): verovio draws none without them (the score view's eighths had flags
# everywhere: a review read it as amateur), and every reader keeps the grouping as written.
BEAMS = True


def _beam_group(ts: TimeSignature) -> int:
    """Ticks of one beamed group: a compound meter's dotted quarter, cut time's half, else a
    quarter (each beat beamed apart, as in most hymnals and folk books)."""
    if ts.denominator == 8 and ts.numerator % 3 == 0 and ts.numerator > 3:
        return 3 * TPQ // 2
    if ts.denominator == 8 and ts.numerator == 3:
        return 3 * TPQ // 2  # (3/8: the bar)
    if ts.denominator == 2:
        return 2 * TPQ
    return TPQ


# ... but four plain eighths that fill a half bar of 4/4 (beats 1-2 or 3-4), or a bar of 2/4,
# are one group, as MuseScore, Sibelius and Dorico beam them and folk books print a reel's
# "dAFA dAFA": a fiddler's review read a reel's eighths beamed in pairs as wrong
EIGHTHS_IN_FOURS = True


def _half_group(ts: TimeSignature) -> int:
    """Ticks of a span whose four plain eighths are beamed together (EIGHTHS_IN_FOURS): two
    quarter beats in 4/4 and 2/4; 0 where none (other meters keep :func:`_beam_group`)."""
    if EIGHTHS_IN_FOURS and ts.denominator == 4 and ts.numerator in (2, 4):
        return 2 * TPQ
    return 0


def _joined_halves(elements: list[_Element], origin: int, half: int) -> set[int]:
    """The spans (``half`` ticks from ``origin``, by index) that hold four plain eighths struck
    one after another and nothing else."""
    if not half:
        return set()
    eighth = TPQ // 2
    starts: dict[int, list[_Element]] = {}
    for e in elements:
        starts.setdefault((e.start - origin) // half, []).append(e)
    return {h for h, es in starts.items()
            if len(es) == 4 and all(
                e.notes is not None and not e.hidden and e.type == "eighth" and not e.dots
                and not e.triplet and e.start - origin == h * half + k * eighth
                for k, e in enumerate(es))}


def _beams(elements: list[_Element], origin: int, ts: TimeSignature) -> dict[int, str]:
    """The <beam> elements of each element (by index) of one voice in one bar of meter ``ts``:
    notes of an eighth or shorter in one group (:func:`_beam_group` ticks from ``origin``; four
    plain eighths filling a :func:`_half_group`) are joined, a rest or a longer note breaks the
    beam; each shorter value adds a beam (a lone sixteenth beside an eighth a hook)."""
    out: dict[int, str] = {}
    run: list[int] = []
    group, half = _beam_group(ts), _half_group(ts)
    joined = _joined_halves(elements, origin, half)

    def close() -> None:
        if len(run) >= 2:
            levels = [_BEAM_LEVELS[elements[i].type] for i in run]
            for k, i in enumerate(run):
                tags = []
                for level in range(1, levels[k] + 1):
                    before = k > 0 and levels[k - 1] >= level
                    after = k + 1 < len(run) and levels[k + 1] >= level
                    if before and after:
                        kind = "continue"
                    elif after:
                        kind = "begin"
                    elif before:
                        kind = "end"
                    else:
                        kind = "forward hook" if k == 0 else "backward hook"
                    tags.append(f'<beam number="{level}">{kind}</beam>')
                out[i] = "".join(tags)
        run.clear()

    last_group = None
    for i, e in enumerate(elements):
        beamable = e.notes is not None and e.type in _BEAM_LEVELS and not e.hidden
        at = (e.start - origin) // group
        if joined and (e.start - origin) // half in joined:
            at = ("half", (e.start - origin) // half)
        if e.span is not None and e.span[2] != 3:  # (a quintuplet of eighths over a half,
            at = ("tuplet", e.span[0])              # beamed as one)
        if not beamable or at != last_group:
            close()
        if beamable:
            run.append(i)
        last_group = at if beamable else None
    close()
    return out
# A note of one beat struck half a beat late is written as that beat's value (8 q q 8 in 3/4),
# not two tied halves: a copyist's review read 3/4 tenors "G8 A8-A8 F#8" where engravers write
# "G8 A4 F#8"; one that crosses the middle of a 4/4 bar stays tied, so that beat 3 shows
OFFBEAT_BEATS = True
# A note from beat 2 of a 4/4 bar that crosses its middle is tied there (a quarter and a half,
# not a dotted half), but for the half note of a q h q syncopation: a listening review of
# four-part continuations read dotted halves from beat 2 hiding beat 3
MIDDLE_SHOWN = True
# ... and a rest of more than a beat starts on a multiple of its own length and crosses no
# middle of the bar: quarter and half rests from beat 2 of 4/4, not the dotted half rest that
# hides beat 3 (the same review)
REST_GROUPS = True


def _notations(e: _Element, first: bool, *, fermata: bool = False, marks: str = "",
               slurs: str = "", own: str = "") -> str:
    """A note's ``<notations>``: ties, and on a chord's first note its slurs, tuplet, marks
    (:func:`.marks.musicxml_elements`) and fermata; on another, its ``own`` (a finger)."""
    parts = [own] if own else []
    if e.notes is not None:
        if e.tie_in:
            parts.append('<tied type="stop"/>')
        if e.tie_out:
            parts.append('<tied type="start"/>')
    if first or e.notes is None:
        if slurs:
            parts.append(slurs)
        for kind in e.tuplet:
            bracket = (' bracket="yes"' if e.bracket else ' bracket="no"') \
                if kind == "start" else ""
            parts.append(f'<tuplet type="{kind}"{bracket}/>')
        if marks:
            parts.append(marks)
        if fermata:
            parts.append('<fermata type="upright"/>')
    return f"<notations>{''.join(parts)}</notations>" if parts else ""


def _cut(start: int, end: int, spans: Sequence[tuple[int, int, int]]):
    """Cut [start, end) at the edges of the tuplets it touches ((start, ticks, n) each):
    (a, b, the tuplet [a, b) lies in, or None)."""
    edges = sorted({start, end, *(u for u, _, _ in spans if start < u < end),
                    *(u + n for u, n, _ in spans if start < u + n < end)})
    for a, b in itertools.pairwise(edges):
        yield a, b, next((span for span in spans if span[0] <= a < span[0] + span[1]), None)


def _divisions(e: _Element, scale: int) -> int:
    """``e``'s ``<duration>`` in divisions of ``scale`` times the ticks: a septuplet's notes
    counted from its places (480 divisions each at 3,360 a quarter), not their rounded ticks;
    each end where the element beside it begins, so that a voice's bar adds up."""
    if scale == 1 or e.span is None:
        return e.duration * scale
    return _division(e.start + e.duration, e.span, scale) - _division(e.start, e.span, scale)


def _division(tick: int, span: tuple[int, int, int], scale: int) -> int:
    """Where ``tick`` falls in divisions (``scale`` a tick) inside the tuplet ``span``: its
    place's exact division where it lies on one."""
    u, length, n = span
    places = tuplet_offsets(n, length)
    if tick - u in places and length * scale % n == 0:
        return u * scale + places.index(tick - u) * length * scale // n
    return tick * scale


def _decompose_tuplet(start: int, end: int, span: tuple[int, int, int]):
    """(start, ticks, type, dots) pieces of [start, end) inside the tuplet ``span`` (start,
    ticks, n; not a triplet): counted in its notes (a septuplet's places rounded to ticks, as
    the view puts them: :func:`.quantize.tuplet_offsets`), the longest value first."""
    u, length, n = span
    places = tuplet_offsets(n, length)
    unit = length // TUPLET_NORMAL  # the written value of one of its n notes
    a = min(range(n + 1), key=lambda k: abs(places[k] - (start - u)))
    b = min(range(n + 1), key=lambda k: abs(places[k] - (end - u)))
    if b <= a:  # (off its places: cannot happen for the view's notes)
        return [(start, end - start, _TYPE_NAMES[unit], 0)]
    out = []
    k = a
    while k < b:
        ticks, name, dots = next(v for v in _VALUES if v[0] % unit == 0
                                 and v[0] // unit <= b - k)
        step = ticks // unit
        s = start if k == a else u + places[k]
        e = end if k + step == b else u + places[k + step]
        out.append((s, e - s, name, dots))
        k += step
    return out


def _decompose(start: int, end: int, m0: int, beat: int, triplet: bool, bar: int = 0,
               rest: bool = False):
    """(start, ticks, type, dots) pieces of [start, end) that notation can write: within a beat
    when starting off the beat, the longest value first. On a beat a value is whole beats or at
    most one; with ``bar`` (a note) also a dotted value whose undotted part is whole beats, as
    engravers write a dotted quarter on beat 1 of 4/4 or 3/4 (not one from beat 2 of 4/4 across
    the middle of the bar, which is written tied so that beat 3 shows). A note of one simple
    beat struck half a beat late is that beat's value, syncopated (8 q q 8 in 3/4, 8 q 8 in
    2/4), where it crosses no middle of the bar (OFFBEAT_BEATS). A ``rest`` of more than a beat
    starts at a multiple of its length and crosses no middle: quarter and half from beat 2 of
    4/4, not a dotted half (REST_GROUPS)."""
    beats = bar // beat if bar else 0
    middle = bar // 2 if beats >= 4 and beats % 2 == 0 else None

    def crosses_middle(rel: int, ticks: int) -> bool:
        return middle is not None and rel % bar < middle < rel % bar + ticks

    def on_beat_fits(rel: int, ticks: int, dots: int, whole: bool) -> bool:
        if ticks <= beat:
            return True
        if rest and bar and REST_GROUPS:
            return ticks % beat == 0 and (rel % bar) % ticks == 0 and \
                not crosses_middle(rel, ticks)
        if ticks % beat == 0:
            # (across the middle of a 4/4 bar: from the downbeat, or the half note of a
            # q h q syncopation; else tied at the middle, so that beat 3 shows: MIDDLE_SHOWN)
            return not (MIDDLE_SHOWN and crosses_middle(rel, ticks) and rel % bar and
                        not (whole and ticks == 2 * beat))
        if not bar or dots != 1 or (ticks * 2 // 3) % beat:
            return False
        return not crosses_middle(rel, ticks)

    # the beat's own value where it is a plain one (a quarter in x/4, a half in 2/2; not a
    # compound meter's dotted beat)
    plain = next((name for ticks, name, dots in _VALUES if ticks == beat and not dots), None)
    out = []
    p = start
    scale = 3 if triplet else 2  # triplet values are written 3:2 (a triplet eighth is 160 ticks)
    while p < end:
        rel = p - m0
        if (OFFBEAT_BEATS and bar and not rest and not triplet and plain is not None
                and rel % beat == beat // 2 and end - p == beat and rel % bar + beat <= bar
                and not crosses_middle(rel, beat)):
            out.append((p, beat, plain, 0))
            p += beat
            continue
        limit = end if rel % beat == 0 else min(end, m0 + (rel // beat + 1) * beat)
        room = (limit - p) * scale // 2
        for ticks, name, dots in _VALUES:
            if ticks <= room and (rel % beat or triplet or on_beat_fits(
                    rel, ticks, dots, p + ticks * 2 // scale == end)):
                actual = ticks * 2 // scale
                out.append((p, actual, name, dots))
                p += actual
                break
        else:  # cannot happen for input on the notation grid; never loop forever
            out.append((p, end - p, "64th", 0))
            p = end
    return out


__all__ = ["musicxml_text"]
