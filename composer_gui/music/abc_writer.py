"""ABC export: the score as an ABC tune, the notation folk musicians trade (and the app reads).

What notation writes is decided once, in :mod:`.musicxml_writer`: the same quantized, spelled
view, bars, pickup, repeat signs and endings (``repeats``), the same notes cut at bar lines with
their ties, triplets, accidentals (as the bar before left them), beams (a beamed group is
written without spaces), fermatas (``!fermata!``, where music21 drops the note after an
``H``), slurs, the notes' marks (``.``, ``T``, ``~``...: :data:`.marks.ABC`) and grace notes
(``{g}``), and the chord symbols (``"Am7"`` before the note or rest at their tick in the first
voice, which is cut there with a tie where a note holds across one). Each staff voice of each
part is an ABC voice
(``V:``; one line of melody is a plain tune); the words sung are ``w:`` lines under their bars.
Reading the file back gives the same notes (tests). No Qt.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from .atomic import atomic_write
from .errors import ScoreFileError
from .marks import abc_decorations
from .musicxml_writer import (
    _VALUES,
    TUPLET_NORMAL,
    _beams,
    _Element,
    _spelled,
    _Writer,
    metronome_ticks,
)
from .quantize import notation_view
from .score import TPQ, ChordSymbol, KeySignature, Score, TimeSignature, lyric_syllabic
from .spelling import spell_score

UNIT = TPQ // 2  # L:1/8, the unit of most folk tunes
BARS_PER_LINE = 4
_ACCIDENTALS = {"sharp": "^", "flat": "_", "natural": "=", "double-sharp": "^^",
                "flat-flat": "__"}


def unit_length(score: Score) -> int:
    """The note length L: stands for (ticks): an eighth, but a quarter in x/2 and a half in x/1
    (a trial read an Essen song in 4/1 written with L:1/8, every whole note "A8")."""
    denominator = score.time_signature_at(0).denominator
    return UNIT * 4 // denominator if denominator < 4 else UNIT
_NOMINAL = {(name, dots): ticks for ticks, name, dots in _VALUES}
_CLEFS = {"bass": "bass", "bass-8vb": "bass-8", "treble-8vb": "treble-8", "treble-8va": "treble+8",
          "alto": "alto",
          "tenor": "tenor"}
_MODES = {"major": "", "minor": "m", "dorian": "Dor", "phrygian": "Phr", "lydian": "Lyd",
          "mixolydian": "Mix", "locrian": "Loc", "aeolian": "m", "ionian": ""}


def abc_text(score: Score, warnings: list[str] | None = None) -> str:
    """The score as the text of one ABC tune; what notation had to change is appended to
    ``warnings`` (as MusicXML export says it)."""
    view = notation_view(spell_score(score))
    writer = _Writer(view)
    # (a sharp tied over the bar line: "^c2-|^c2", not "^c2-|c2", which ABC reads as C
    # natural in the new bar, and the tie broken)
    writer.tied_accidentals = True
    if warnings is not None:
        warnings.extend(view.warnings)
        moved = [p.name or f"part {i}" for i, p in enumerate(score.parts, 1)
                 if p.transposition != (0, 0) and p.notes]
        if moved:
            warnings.append(f"{', '.join(moved)} written at concert pitch (ABC has no "
                            "transposing instruments; MusicXML export writes them transposed)")
        drums = sum(len(p.notes) for p in score.parts if p.is_drum)
        if drums:
            warnings.append(f"the drum parts ({drums} notes) are not written: ABC has no "
                            "drum kit (MIDI and MusicXML export keep them)")
    abc = _Abc(writer)
    text = abc.text()
    if warnings is not None and abc.graces_left:
        warnings.append(f"{abc.graces_left} grace note{'s' if abc.graces_left > 1 else ''} "
                        "outside the key left out (ABC would hold the accidental over the "
                        "bar's later notes; MusicXML keeps them)")
    if warnings is not None:
        moved = len(abc.chords_moved)
        if moved:
            warnings.append(f"{moved} chord symbol{'s' if moved > 1 else ''} written at the "
                            "next note or rest (ABC puts a chord symbol on one)")
        warnings.extend(writer.chord_warnings(abc.chords_written + abc.chords_moved))
    return text


def write_abc(score: Score, path: str | Path, warnings: list[str] | None = None) -> None:
    """Write ``score`` as an ABC file, atomically."""
    path = Path(path)
    try:
        data = abc_text(score, warnings).encode("utf-8")
    except Exception as exc:  # a bug here must not lose the user's work: report, don't crash
        raise ScoreFileError(path, f"could not be turned into ABC ({type(exc).__name__}: "
                             f"{exc})") from None
    atomic_write(path, lambda tmp: tmp.write_bytes(data))


class _Abc:
    def __init__(self, writer: _Writer) -> None:
        self.w = writer
        self.score = writer.score
        # each part's staves and their voices, as the MusicXML export lays them out
        self.staves = writer.layouts
        self.graces_left = 0  # grace notes outside the key, not written
        self.unit = unit_length(self.score)
        self.chords_written: list[ChordSymbol] = []  # at their own tick
        self.chords_moved: list[ChordSymbol] = []  # at the next note or rest

    def text(self) -> str:
        score = self.score
        head = ["X:1", f"T:{score.title or 'Untitled'}"]
        if score.composer:
            head.append(f"C:{score.composer}")
        head.append(f"M:{_meter(score.time_signature_at(0))}")
        head.append(f"L:1/{4 * TPQ // self.unit}")
        marks = self.w.view.tempo_marks
        if marks and marks[0][0] <= self.w.bars[0][1]:
            head.append(f"Q:{_tempo(marks[0], score)}")
        voices = self._voices()
        named = len(voices) > 1
        for number, (name, clef, _s, _v, _p) in enumerate(voices, 1):
            if named:
                head.append(f'V:{number} name="{name}"' + (f" clef={clef}" if clef else ""))
        if not named and voices and self.score.parts[voices[0][4]].name:
            # one voice keeps its part's name, declared in the header alone (a trial's one-part
            # "Violin" lost it; a V:1 line in the body too is read as a second, empty voice)
            head.append(f'V:1 name="{voices[0][0]}"')
        head.append(f"K:{_key(score.key_at(0))}")
        body = []
        for number, (_name, _clef, s, v, part_index) in enumerate(voices, 1):
            if named:  # (on a line of its own: music21 read "[V:1]" as one long part)
                body.append(f"V:{number}")
            body.extend(self._voice_lines(part_index, s, v, number == 1))
        return "\n".join(head + body) + "\n"

    def _voices(self) -> list[tuple[str, str, int, int, int]]:
        """(name, ABC clef ("" for treble), staff, voice, part) of each ABC voice: each voice
        of each staff of each pitched part that has notes. Named after the part (an unnamed
        one "Part 2" where the score has several), a grand staff's as its hands ("Piano RH",
        "Piano LH"), several voices of a staff numbered from 1 ("Piano RH 1", "Piano RH 2",
        "Voice 1" in an unnamed score's one part): a trial read "Piano 1", "Piano 2" and
        "Piano 5", MusicXML's voice numbers."""
        out = []
        several = sum(1 for p in self.score.parts if not p.is_drum and p.notes) > 1
        for i, (part, staves) in enumerate(zip(self.score.parts, self.staves, strict=True)):
            if part.is_drum or not part.notes:
                continue
            base = part.name or (f"Part {i + 1}" if several else "")
            for s, staff in enumerate(staves):
                voices = [v for v, chords in enumerate(staff.voices) if chords]
                for number, v in enumerate(voices, 1):
                    words = [base] if base else []
                    if len(staves) == 2:
                        words.append(("RH", "LH")[s])
                    if len(voices) > 1:
                        words.append(str(number) if words else f"Voice {number}")
                    name = " ".join(words) or f"Part {i + 1}"
                    out.append((name, _CLEFS.get(staff.clef, ""), s, v, i))
        return out

    def _voice_lines(self, part_index: int, s: int, v: int, first: bool) -> list[str]:
        """The voice's bars, four a line, each line's words under it; the key, meter and tempo
        where they change (field lines; the tempo in the first voice only)."""
        w, score = self.w, self.score
        marks = [m for m in w.view.tempo_marks if m[0] > w.bars[0][1]] if first else []
        # the chord symbols go in the first voice, each on the note or rest struck at its
        # tick (one there is cut, tied, where the notation grid allows), else the next
        chords = list(score.chord_symbols) if first else []
        part = score.parts[part_index]
        staff = self.staves[part_index][s]
        w.altered = {}
        lines, line, words, again, prev = [], "", [], [], None
        for count, bar in enumerate(w.written):
            m0, m1 = w.bars[bar.index]
            key = score.key_at(m0)
            same = prev is None or key == score.key_at(w.bars[prev][0])
            # (a repeat's second time is not written: its chords are the first time's)
            chords[:] = [c for c in chords if c.tick >= m0 or w.in_written_bar(c.tick)]
            cuts = [c.tick for c in chords if m0 < c.tick < m1 and c.tick % 30 == 0
                    and not w.view.unit_tuplet(part_index, c.tick)]
            voices = dict(w.bar_elements(part_index, part, s, staff, m0, m1, same, cuts))
            # (a voice silent in this bar: a whole bar's rest)
            elements = voices.get(v, [_Element(m0, m1 - m0, "", 0, False, None)])
            fields = []  # (each on a line of its own: music21 skips inline [K:] fields)
            if prev is not None:
                meter = _meter(score.time_signature_at(m0))
                if meter != _meter(score.time_signature_at(w.bars[prev][0])) \
                        and not (w.short_last and bar.index == len(w.bars) - 1):
                    fields.append(f"M:{meter}")
                if not same and _key(key) != _key(score.key_at(w.bars[prev][0])):
                    fields.append(f"K:{_key(key)}")
            while marks and marks[0][0] < m1:
                fields.append(f"Q:{_tempo(marks.pop(0), score)}")
            if fields:
                if line:
                    lines.append(line)
                    lines.extend(_verses(words, again))
                    line, words, again = "", [], []
                lines.extend(fields)
            if bar.forward:
                line += "|:" if not line.endswith("|") else ":"
            if bar.ending_start:
                line += f"[{bar.ending} "
            ts = score.time_signature_at(m1 - 1)
            origin = m1 - ts.bar_ticks if w.pickup and bar.index == 0 else m0
            line += self._bar(elements, _beams(elements, origin, ts), words, again, part_index,
                              chords)
            last = count == len(w.written) - 1
            line += ":|" if bar.backward else ("|]" if last else "|")
            prev = bar.index
            if (count + 1) % BARS_PER_LINE == 0 or last:
                lines.append(line)
                lines.extend(_verses(words, again))
                line, words, again = "", [], []
        return lines

    def _graces(self, e: _Element) -> str:
        """``{ag}``: the grace notes before ``e``; one the key does not give is left out
        (and counted): ABC would hold its accidental to the bar's end, over the notes after
        it."""
        graces = self.w.graces(e)
        kept = [g for g in graces if g.accidental is None]
        self.graces_left += len(graces) - len(kept)
        return "{" + "".join(_letter(g.step, g.octave) for g in kept) + "}" if kept else ""

    def _bar(self, elements: list[_Element], beams: dict[int, str], words: list[str],
             again: list[str], part_index: int, chords: list[ChordSymbol]) -> str:
        """One bar of one voice; the syllables sung on its notes go to ``words`` (and those of
        the second time through a repeat, written once, to ``again``); the ``chords`` not yet
        written that fall before a note or rest ends are written before it (and taken off)."""
        out = ""
        lengths = [_length(e, self.unit) for e in elements]
        broken = _broken_rhythm(elements, lengths, beams)
        for i, e in enumerate(elements):
            joined = i - 1 in beams and i in beams and '<beam number="1">begin' not in beams[i]
            if i in broken:  # (the > or < that stands for both lengths)
                out += broken[i]
            elif i and not joined:  # (a beamed group is written without spaces)
                out += " "
            if "start" in e.tuplet:
                count = next((k for k in range(i, len(elements))
                              if "stop" in elements[k].tuplet), i + 2) - i + 1
                n = e.span[2] if e.span is not None else 3
                out += "(3" if (n, count) == (3, 3) else \
                    f"(3:2:{count}" if n == 3 else f"({n}:{TUPLET_NORMAL}:{count}"
            length = "" if i in broken or i + 1 in broken else lengths[i]
            out += self._chord(e, chords)
            if e.notes is None:
                out += ("x" if e.hidden else "z") + length
                continue
            struck = e.first_piece and not e.tie_in
            stops, starts = self.w.span_ends(part_index, e) if struck else ([], [])
            if stops and starts:  # (ABC cannot end a slur on the note that begins the next:
                out = _closed_before(out, len(stops))  # the one before ends it)
                stops = []
            out += "(" * len(starts)
            if struck:
                out += self._graces(e)
            if self.w._fermata(e):  # (not "H": music21 drops the note after it)
                out += "!fermata!"
            if struck:
                out += abc_decorations(m for n in e.notes for m in n.marks)
            pitches = []
            for k, n in enumerate(e.notes):
                step, _alter, octave = _spelled(n)
                sign = _ACCIDENTALS.get(e.accidentals[k] or "", "") \
                    if k < len(e.accidentals) else ""
                pitches.append(sign + _letter(step, octave))
            out += (pitches[0] if len(pitches) == 1 else "[" + "".join(pitches) + "]") + length
            if e.tie_out:
                out += "-"
            out += ")" * len(stops)
            if not e.tie_in:
                sung = next((n.lyric for n in e.notes if n.lyric), None)
                words.append(sung or "*")
                verse2 = self.w.verse2
                again.append(next((verse2[k] for n in e.notes
                                   if (k := (part_index, n.start, n.pitch)) in verse2), "*"))
        return out.strip()


    def _chord(self, e: _Element, chords: list[ChordSymbol]) -> str:
        """The chord symbol written before ``e``: the last of ``chords`` (taken off) that
        falls before it ends. One inside it, or one an earlier chord at the same place
        overrides (music21 reads one a note), goes to the next note or rest; so that one is
        not written here (:attr:`chords_moved`)."""
        here = []
        while chords and chords[0].tick <= e.start:
            here.append(chords.pop(0))
        if not here:
            return ""
        chord = here[-1]
        if chord.tick == e.start:
            self.chords_written.append(chord)
        else:
            self.chords_moved.append(chord)
        return '"' + chord.text.replace('"', "'") + '"'


def _closed_before(out: str, count: int) -> str:
    """``out`` with ``count`` slurs closed after its last note (before a broken rhythm's sign
    that stands between it and the next)."""
    text = out.rstrip()
    sign = text[-1] if text and text[-1] in "<>" else ""
    return text[:len(text) - len(sign)] + ")" * count + (sign or " ")


def _broken_rhythm(elements: list[_Element], lengths: list[str], beams: dict[int, str]
                   ) -> dict[int, str]:
    """{index of the second note: ">" or "<"}: a dotted note and the note of a third its length
    beamed after it, as folk musicians write them ("B>A", not "B3/2A/"); not in triplets, not
    across a tie."""
    out: dict[int, str] = {}
    i = 0
    while i + 1 < len(elements):
        a, b = elements[i], elements[i + 1]
        pair = (lengths[i], lengths[i + 1])
        if a.notes and b.notes and not a.tuplet and not b.tuplet and not a.tie_out \
                and i in beams and i + 1 in beams and pair in (("3/2", "/"), ("/", "3/2")):
            out[i + 1] = ">" if pair[0] == "3/2" else "<"
            i += 2
        else:
            i += 1
    return out


def _length(e: _Element, unit: int = UNIT) -> str:
    """The ABC length of an element in units of L (``unit`` ticks; its written value: a
    triplet's notes written as the value the (3 shortens)."""
    ticks = _NOMINAL.get((e.type, e.dots), e.duration) if e.type else e.duration
    ratio = Fraction(ticks, unit)
    if ratio == 1:
        return ""
    if ratio.denominator == 1:
        return str(ratio.numerator)
    top = "" if ratio.numerator == 1 else str(ratio.numerator)
    return f"{top}/{ratio.denominator}" if ratio.denominator != 2 or top else "/"


def _letter(step: str, octave: int) -> str:
    """ABC's note name: C4..B4 "C".."B", C5.."c", C6 "c'", C3 "C,"."""
    if octave >= 5:
        return step.lower() + "'" * (octave - 5)
    return step + "," * (4 - octave)


def _meter(ts: TimeSignature) -> str:
    if ts.symbol == "common":
        return "C"
    if ts.symbol == "cut":
        return "C|"
    return f"{ts.numerator}/{ts.denominator}"


def _tempo(mark: tuple[int, float, str, int], score: Score) -> str:
    """A ``Q:`` field: the beat the source counted, or the meter's own (a jig's dotted quarter),
    as MusicXML export writes it, with the mark's words."""
    tick, bpm, words, unit = mark
    ticks, per = metronome_ticks(bpm, score.time_signature_at(tick), unit)
    value = Fraction(ticks, 4 * TPQ)
    text = f'"{words}" ' if words else ""
    return f"{text}{value.numerator}/{value.denominator}={per:g}"


def _key(key: KeySignature | None) -> str:
    if key is None:
        return "none"
    return key.tonic_name + _MODES.get(key.mode, "")


def _verses(words: list[str], again: list[str]) -> list[str]:
    """The ``w:`` lines under a line of music: its words, and a second verse where a repeat
    written once sings other words the second time."""
    return ["w:" + _words(sung) for sung in (words, again) if any(x != "*" for x in sung)]


def _words(words: list[str]) -> str:
    """A ``w:`` line: syllables of one word joined by hyphens, "*" for a note without one."""
    out = ""
    for sung in words:
        if sung == "*":
            out += "* "
            continue
        syllabic, text = lyric_syllabic(sung)
        text = text.replace(" ", "~").replace("-", "\\-")
        out += text + ("-" if syllabic in ("begin", "middle") else " ")
    return out.strip()


__all__ = ["abc_text", "write_abc"]
