"""The score model: notes, parts, tempo, meter and key in exact integer ticks.

Time is counted in integer ticks at a fixed resolution (``TPQ`` ticks per quarter note) so that
editing, quantizing and round trips through files never drift the way float beats do.
480 divides by 2, 3, 4, 5, 8, 16 and 32, so every grid the editor offers (1/4 .. 1/32 and triplets)
lands on whole ticks.

Every operation returns a new object; nothing here mutates a score in place. The editor relies on
that for undo (it keeps the old value and the new one).
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cached_property

from .marks import normalized

TPQ = 480
RELEASE_SLACK = TPQ // 4  # a note let go this little past a beat line ends there for Continue
# note values in words, by length in ticks (a tempo's beat: "dotted quarter = 60"; a length)
VALUE_NAMES = {6 * TPQ: "dotted whole", 4 * TPQ: "whole", 3 * TPQ: "dotted half",
               2 * TPQ: "half", 3 * TPQ // 2: "dotted quarter", TPQ: "quarter",
               3 * TPQ // 4: "dotted eighth", TPQ // 2: "eighth",
               3 * TPQ // 8: "dotted sixteenth", TPQ // 4: "sixteenth"}
DEFAULT_US_PER_QUARTER = 500_000  # 120 bpm
MAX_US_PER_QUARTER = 0xFFFFFF  # the largest tempo a MIDI file can hold (about 3.6 bpm)
DRUM_CHANNEL = 9

# Major keys by number of sharps (negative: flats), as MIDI and MusicXML count them.
_MAJOR_NAMES = {
    -7: "Cb", -6: "Gb", -5: "Db", -4: "Ab", -3: "Eb", -2: "Bb", -1: "F", 0: "C",
    1: "G", 2: "D", 3: "A", 4: "E", 5: "B", 6: "F#", 7: "C#",
}
_MINOR_NAMES = {
    -7: "Ab", -6: "Eb", -5: "Bb", -4: "F", -3: "C", -2: "G", -1: "D", 0: "A",
    1: "E", 2: "B", 3: "F#", 4: "C#", 5: "G#", 6: "D#", 7: "A#",
}
_PC_OF_NAME = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def pitch_name(pitch: int) -> str:
    """Scientific pitch name of a MIDI pitch: 60 is C4."""
    return f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"
# Natural minor plus the raised 6th and 7th, so that harmonic and melodic minor stay "in key".
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 9, 10, 11)
# The church modes a key signature can be read in (ABC's K:Ddor, MusicXML's <mode>): the scale
# degree of the signature's major scale each one starts on. Folk tunes are often Dorian or
# Mixolydian; their tonic is neither the signature's major nor its relative minor.
MODE_DEGREES = {"major": 0, "dorian": 1, "phrygian": 2, "lydian": 3, "mixolydian": 4,
                "minor": 5, "locrian": 6}
MODE_ALIASES = {"ionian": "major", "aeolian": "minor"}
# Each mode's family, which is what the models know (their mode token) and what the harmony
# rules ask (is the third minor?).
MODE_QUALITY = {"major": "major", "lydian": "major", "mixolydian": "major", "minor": "minor",
                "dorian": "minor", "phrygian": "minor", "locrian": "minor"}
# A key as typed (KeySignature.parse): a letter, an accidental (a sign or a word), a mode
_KEY_TEXT = re.compile(r"^\s*([A-Ga-g])\s*(#|b|\u266f|\u266d|-?\s*sharp|-?\s*flat)?\s*(?::|\s|-)?"
                       r"\s*([A-Za-z]*)\s*$", re.IGNORECASE)
_ACCIDENTAL_TEXT = {"\u266f": "#", "\u266d": "b", "sharp": "#", "flat": "b", "b": "b", "#": "#"}


def _key_mode(word: str) -> str | None:
    """A mode from how it is typed (``m``, ``min``, ``maj``, ``Dorian``, ``mix``), or None."""
    word = word.strip().lower()
    if word in ("", "maj", "major"):
        return "major"
    if word in ("m", "min", "minor"):
        return "minor"
    names = [*MODE_DEGREES, *MODE_ALIASES]
    hits = [m for m in names if len(word) >= 3 and m.startswith(word)]
    return MODE_ALIASES.get(hits[0], hits[0]) if len(hits) == 1 else None


# the velocity a note has where nobody gave it one (drawn, generated, read from notation
# without dynamics)
DEFAULT_VELOCITY = 80


def lyric_syllabic(lyric: str) -> tuple[str, str]:
    """(MusicXML's syllabic: single, begin, middle or end; the text) of a :class:`Note` lyric."""
    before, after = lyric.startswith("-") and len(lyric) > 1, lyric.endswith("-") and \
        len(lyric) > 1
    text = lyric[1 if before else 0:len(lyric) - 1 if after else len(lyric)]
    return {(False, False): "single", (False, True): "begin", (True, True): "middle",
            (True, False): "end"}[before, after], text


def syllabic_lyric(syllabic: str | None, text: str) -> str:
    """The :class:`Note` lyric of a syllable and its MusicXML syllabic (the inverse of
    :func:`lyric_syllabic`)."""
    before = "-" if syllabic in ("middle", "end") else ""
    after = "-" if syllabic in ("begin", "middle") else ""
    return f"{before}{text}{after}"


@dataclass(frozen=True, order=True)
class Note:
    """One pitched (or drum) note. Ordered by start, then pitch: ``sorted()`` gives score order.

    ``spelling`` is how notation names the pitch (``"E#"``, ``"Fb"``, ``"C"``; the octave follows
    from ``pitch``), kept from a MusicXML or ABC file; None where nobody spelled it (MIDI, drawn,
    generated), and then export spells it from the key and context. It takes no part in equality
    or order, and a spelling that no longer names the pitch (after a transposition by other than
    octaves, say) is dropped, so every ``replace(note, pitch=...)`` stays correct.

    ``lyric`` is the syllable sung on the note (a file's first verse), with a "-" after it where
    its word goes on and before it where the word began earlier (``"Lob-"``, ``"-ge-"``,
    ``"-sang"``, ``"Herr"``: :func:`lyric_syllabic`); None for no words. Like the spelling it
    takes no part in equality and travels with the note through every edit.

    ``marks`` are its articulations, ornaments, bowings and slur ends (``"staccato"``,
    ``"trill"``, ``"slur-start"``: :mod:`.marks`), kept the same way; unknown names are dropped.
    ``graces`` are the grace notes written before it (a fiddler's cut, an acciaccatura), as
    semitones from its pitch, so that they move with it (playback strikes them on the beat).
    """

    start: int
    pitch: int
    duration: int
    velocity: int = DEFAULT_VELOCITY
    spelling: str | None = field(default=None, compare=False)
    lyric: str | None = field(default=None, compare=False)
    marks: tuple[str, ...] = field(default=(), compare=False)
    graces: tuple[int, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if (type(self.start) is not int or type(self.pitch) is not int
                or type(self.duration) is not int or type(self.velocity) is not int):
            _whole_numbers(self, ("start", "pitch", "duration", "velocity"))
        if not 0 <= self.pitch <= 127:
            raise ValueError(f"pitch {self.pitch} is outside MIDI's 0..127")
        if self.start < 0:
            raise ValueError(f"note start {self.start} is before the beginning")
        if self.duration < 0:
            raise ValueError(f"note duration {self.duration} is negative")
        if not 1 <= self.velocity <= 127:
            raise ValueError(f"velocity {self.velocity} is outside 1..127")
        if self.spelling is not None and spelling_pc(self.spelling) != self.pitch % 12:
            object.__setattr__(self, "spelling", None)
        if self.lyric is not None and (not isinstance(self.lyric, str) or not self.lyric.strip()):
            object.__setattr__(self, "lyric", None)
        if self.marks and (type(self.marks) is not tuple
                           or self.marks != normalized(self.marks)):
            object.__setattr__(self, "marks", normalized(self.marks))
        if self.graces and type(self.graces) is not tuple:
            object.__setattr__(self, "graces", tuple(int(g) for g in self.graces))

    @property
    def end(self) -> int:
        return self.start + self.duration

    def retimed(self, start: int, duration: int) -> Note:
        """The same note, every field kept, at ``start`` for ``duration``: what
        ``dataclasses.replace`` gives, four times as fast (notation's view retimes every
        note of every export)."""
        new = object.__new__(Note)
        new.__dict__.update(self.__dict__, start=start, duration=duration)
        if start < 0 or duration < 0:
            raise ValueError(f"a note cannot start at {start} or last {duration}")
        return new


_ALTERS = {"": 0, "#": 1, "##": 2, "b": -1, "bb": -2}


def spelling_pc(spelling: str) -> int:
    """The pitch class a spelling names (``"E#"`` -> 5); ValueError for anything else."""
    if (not isinstance(spelling, str) or not spelling or spelling[0] not in _PC_OF_NAME
            or spelling[1:] not in _ALTERS):
        raise ValueError(f"unknown spelling {spelling!r} (expected e.g. C, F#, Bb, E##)")
    return (_PC_OF_NAME[spelling[0]] + _ALTERS[spelling[1:]]) % 12


def _whole_numbers(obj, names: Sequence[str]) -> None:
    """Accept any integer type (numpy's too) and store a plain int; refuse floats, which drift."""
    for name in names:
        value = getattr(obj, name)
        if type(value) is int:
            continue
        if isinstance(value, bool):
            raise TypeError(f"{type(obj).__name__}.{name} must be a whole number, got {value!r}")
        try:
            object.__setattr__(obj, name, operator.index(value))
        except TypeError:
            raise TypeError(
                f"{type(obj).__name__}.{name} must be a whole number of ticks, got {value!r}"
            ) from None


@dataclass(frozen=True)
class TempoChange:
    """A tempo from ``tick`` on, in microseconds per quarter note as MIDI stores it (exact).

    ``stated`` is False for the 120 bpm that stands in where the source gave no tempo (an ABC
    tune without ``Q:``, a MIDI file without a tempo event, a new sketch): it plays at that
    tempo, but notation writes no tempo mark for it, and a MIDI file or a project leaves it out
    (MIDI's own default is the same 120). Not part of equality: it says where the tempo came
    from, not what it is. ``words``: the mark's text as the source wrote it ("Slow",
    "Andantino"), written beside the metronome mark in notation (MIDI has no place for it);
    not part of equality either. ``unit``: the note value (ticks) the source's mark counts,
    where it is not the quarter (an air's dotted half = 42 in 3/4); 0 leaves notation to count
    the meter's beat. Not part of equality: the tempo is the same."""

    tick: int
    us_per_quarter: int = DEFAULT_US_PER_QUARTER
    stated: bool = field(default=True, compare=False)
    words: str = field(default="", compare=False)
    unit: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        _whole_numbers(self, ("tick", "us_per_quarter"))
        if self.tick < 0:
            raise ValueError(f"tempo change at tick {self.tick}, before the beginning")
        if not 1 <= self.us_per_quarter <= MAX_US_PER_QUARTER:
            raise ValueError(
                f"tempo of {self.us_per_quarter} µs per quarter is outside what MIDI holds"
            )

    @property
    def bpm(self) -> float:
        return 60_000_000 / self.us_per_quarter

    @staticmethod
    def from_bpm(tick: int, bpm: float, words: str = "", unit: int = 0) -> TempoChange:
        if not 1 <= bpm <= 1000:
            raise ValueError(f"tempo {bpm} bpm is outside 1..1000")
        return TempoChange(tick, round(60_000_000 / bpm), words=words, unit=unit)


UNSTATED_TEMPO = TempoChange(0, stated=False)  # no tempo given: 120 bpm, no tempo mark

# the meters a symbol may stand for: common time and cut time
METER_SYMBOLS = {"common": (4, 4), "cut": (2, 2)}


def meter_symbol(symbol: str, numerator: int, denominator: int) -> str:
    """``symbol`` where it stands for that meter (:data:`METER_SYMBOLS`), else ''."""
    return symbol if METER_SYMBOLS.get(symbol) == (numerator, denominator) else ""


@dataclass(frozen=True)
class TimeSignature:
    """A meter from ``tick`` on. ``symbol``: how the source wrote it, "common" (C, 4/4) or "cut"
    (C with a stroke, 2/2), so that an export writes it so (a copyist's review read 2/2 over a
    reel the file wrote in cut time); not part of the meter, so it takes no part in equality."""

    tick: int
    numerator: int = 4
    denominator: int = 4
    symbol: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        _whole_numbers(self, ("tick", "numerator", "denominator"))
        if self.tick < 0:
            raise ValueError(f"time signature at tick {self.tick}, before the beginning")
        if not 1 <= self.numerator <= 255 or self.denominator not in (1, 2, 4, 8, 16, 32, 64):
            raise ValueError(f"impossible time signature {self.numerator}/{self.denominator}")
        if self.symbol and not meter_symbol(self.symbol, self.numerator, self.denominator):
            raise ValueError(f"no {self.symbol!r} symbol for {self.numerator}/{self.denominator}")

    @property
    def bar_ticks(self) -> int:
        return self.numerator * TPQ * 4 // self.denominator

    @property
    def beat_ticks(self) -> int:
        """The felt beat: a dotted quarter in compound meters (6/8, 9/8, 12/8), else 1/den."""
        unit = TPQ * 4 // self.denominator
        if self.denominator >= 8 and self.numerator % 3 == 0 and self.numerator > 3:
            return unit * 3
        return unit

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"


@dataclass(frozen=True)
class KeySignature:
    """A key as sharps (-7..7, negative for flats) and mode (major, minor or a church mode, see
    :data:`MODE_DEGREES`); the tonic follows from both. ``mode_stated``: the source names the
    mode on purpose (an ABC K: field, where D major is K:D and B minor K:Bm; the composer's
    choice in the header), so the key finder keeps a major as it keeps a minor; a MIDI file's or
    a MusicXML signature's major is what they write by default and leaves the mode to the
    notes."""

    tick: int
    sharps: int = 0
    mode: str = "major"
    mode_stated: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        _whole_numbers(self, ("tick", "sharps"))
        if self.tick < 0:
            raise ValueError(f"key signature at tick {self.tick}, before the beginning")
        if not -7 <= self.sharps <= 7 or self.mode not in MODE_DEGREES:
            raise ValueError(f"impossible key signature ({self.sharps} sharps, {self.mode})")

    @property
    def quality(self) -> str:
        """"major" or "minor": the mode's family (Dorian is minor, Mixolydian major)."""
        return MODE_QUALITY[self.mode]

    @property
    def tonic_pc(self) -> int:
        major = (self.sharps * 7) % 12
        return (major + MAJOR_SCALE[MODE_DEGREES[self.mode]]) % 12

    @property
    def tonic_name(self) -> str:
        if self.mode == "major":
            return _MAJOR_NAMES[self.sharps]
        if self.mode == "minor":
            return _MINOR_NAMES[self.sharps]
        major = _MAJOR_NAMES[self.sharps]  # the letter a mode's tonic is on, then its accidental
        letter = "CDEFGAB"["CDEFGAB".index(major[0]) + MODE_DEGREES[self.mode] - 7]
        alter = (self.tonic_pc - _PC_OF_NAME[letter] + 6) % 12 - 6
        return letter + ("#" * alter if alter > 0 else "b" * -alter)

    def scale_pcs(self) -> frozenset[int]:
        """The pitch classes that are in key. A church mode: its signature's seven, and in the
        minor modes (Dorian, Phrygian) the leading tone below the tonic, which they borrow at
        cadences; Mixolydian keeps its flat seventh, the note that makes it Mixolydian."""
        if self.mode in ("major", "minor"):
            steps = MAJOR_SCALE if self.mode == "major" else MINOR_SCALE
            return frozenset((self.tonic_pc + s) % 12 for s in steps)
        major = (self.sharps * 7) % 12
        pcs = {(major + s) % 12 for s in MAJOR_SCALE}
        if self.quality == "minor":
            pcs.add((self.tonic_pc + 11) % 12)
        return frozenset(pcs)

    def __str__(self) -> str:
        return f"{self.tonic_name}:{self.mode}"

    @staticmethod
    def parse(text: str, tick: int = 0) -> KeySignature:
        """Parse ``C:major``, ``F#:minor``, ``D:dorian``, ``Bb`` or ``Am`` (MIDI's spelling), and
        the ways a composer types them: ``Eb major``, ``Ebmaj``, ``e-flat minor``, ``F# min``,
        ``G mix`` (a trial's ``--key Ebmaj`` and ``e-flat`` were unknown keys)."""
        hint = "expected e.g. C:major, F#:minor, D:dorian, Bb, Am"
        found = _KEY_TEXT.match(text)
        mode = _key_mode(found.group(3)) if found else None
        if found is None or mode is None:
            raise ValueError(f"unknown key {text!r} ({hint})")
        accidental = (found.group(2) or "").replace(" ", "").replace("-", "").lower()
        name = found.group(1).upper() + _ACCIDENTAL_TEXT.get(accidental, accidental)
        for sharps in range(-7, 8):
            if KeySignature(tick, sharps, mode).tonic_name == name:
                return KeySignature(tick, sharps, mode)
        pc = _PC_OF_NAME[name[0]] + name.count("#") - name.count("b")
        other = KeySignature.from_tonic(pc, mode, tick)
        raise ValueError(f"unknown key {text!r}: no key signature spells {name} {mode} "
                         f"(try {other}, its enharmonic)")

    def transposed(self, semitones: int) -> KeySignature:
        """The same mode on the tonic ``semitones`` away, spelled with the fewest accidentals
        (F# minor up a whole tone: G# minor, five sharps), the mode still stated as it was."""
        moved = KeySignature.from_tonic(self.tonic_pc + semitones, self.mode, self.tick)
        return replace(moved, mode_stated=self.mode_stated)

    @staticmethod
    def from_tonic(tonic_pc: int, mode: str, tick: int = 0) -> KeySignature:
        """The key signature with the fewest accidentals for a tonic pitch class."""
        best = None
        for sharps in range(-7, 8):
            ks = KeySignature(tick, sharps, mode)
            if ks.tonic_pc == tonic_pc % 12 and (best is None or abs(sharps) < abs(best.sharps)):
                best = ks
        assert best is not None
        return best


def note_key(note: Note) -> tuple[int, int, int, int]:
    """Score order (start, pitch, duration, velocity), the same as ``Note``'s own ordering."""
    return (note.start, note.pitch, note.duration, note.velocity)


_note_key = operator.attrgetter("start", "pitch", "duration", "velocity")  # fast note_key


def sorted_notes(notes: Iterable[Note]) -> tuple[Note, ...]:
    return tuple(sorted(notes, key=_note_key))


# Clefs a part can keep: "" = none given (export chooses by range); "grand" = a piano's two staves.
CLEFS = ("", "treble", "treble-8vb", "treble-8va", "bass", "bass-8vb", "alto", "tenor",
         "percussion", "grand")


@dataclass(frozen=True)
class Part:
    """One instrument's notes, in score order. Drums (MIDI channel 10) get parts of their own.

    ``program`` is the General MIDI instrument that playback, WAV and MIDI export use.
    ``muted`` and ``solo`` say what playback hears (:meth:`Score.audible`); files keep every part.
    ``clef`` is the clef a notation file gave the part (one of ``CLEFS``); "" lets export choose
    one by range. ``abbreviation`` is the short name notation prints before later systems.
    ``staff_split``: for a part a notation file wrote on two staves, where its staves divided
    the notes: (tick, the lowest pitch of the upper staff from that tick on) at each change
    (clefs.staff_split_of); empty lets export split at middle C. It takes no part in equality.
    ``colour``: the part's colour in the app, an index into its palette, kept when parts move
    (:meth:`Score.colour_of`); -1: the colour of its place. No part in equality either.
    ``transposition``: a transposing instrument's (diatonic steps, chromatic semitones) from
    its written pitch to its sounding pitch, octaves included, as MusicXML's ``<transpose>``
    (a clarinet in B-flat (-1, -2), a horn in F (-4, -7), a piccolo (7, 12)). The notes are
    always sounding pitch (playback, MIDI and the models hear them); only MusicXML export
    writes the part at its written pitch, in its written key.
    """

    notes: tuple[Note, ...] = ()
    name: str = ""
    program: int = 0
    channel: int = 0
    is_drum: bool = False
    muted: bool = False
    solo: bool = False
    clef: str = ""
    abbreviation: str = ""
    staff_split: tuple[tuple[int, int], ...] = field(default=(), compare=False)
    colour: int = field(default=-1, compare=False)
    transposition: tuple[int, int] = (0, 0)

    def __post_init__(self) -> None:
        if not isinstance(self.notes, tuple):
            object.__setattr__(self, "notes", tuple(self.notes))
        if not isinstance(self.transposition, tuple):
            object.__setattr__(self, "transposition", tuple(self.transposition))
        if len(self.transposition) != 2 or not all(isinstance(x, int) and not isinstance(
                x, bool) for x in self.transposition):
            raise ValueError(f"a transposition is (diatonic steps, semitones), found "
                             f"{self.transposition!r}")
        if not isinstance(self.staff_split, tuple):
            object.__setattr__(self, "staff_split", tuple(tuple(x) for x in self.staff_split))
        if not 0 <= self.program <= 127:
            raise ValueError(f"program {self.program} is outside MIDI's 0..127")
        if not 0 <= self.channel <= 15:
            raise ValueError(f"channel {self.channel} is outside MIDI's 0..15")
        if self.clef not in CLEFS:
            raise ValueError(f"unknown clef {self.clef!r} (known: {', '.join(CLEFS[1:])})")

    def with_notes(self, notes: Iterable[Note]) -> Part:
        """The same part holding ``notes`` (sorted into score order)."""
        return replace(self, notes=sorted_notes(notes))


@dataclass(frozen=True)
class ChordSymbol:
    """A chord symbol over the music from ``tick`` until the next one (a lead sheet's "Am7",
    "G/B", "N.C."). The text is kept as written and shown; what it means (its tones, its
    MusicXML kind) is read from it when asked (:mod:`.chord_symbols`)."""

    tick: int
    text: str  # as written and shown: "Am7", "G/B", "Bb", "F#m7b5", "Csus4", "D7(b9)", "N.C."


@dataclass(frozen=True)
class Score:
    """A whole piece. Tempo and meter changes are sorted lists that start at tick 0.

    Where the first given tempo or time signature comes later, MIDI's defaults (120 bpm, 4/4) hold
    until it, as in a MIDI file. Key signatures may be empty (key unknown).

    Notation only: ``pickup`` is the length in ticks of an upbeat (anacrusis) bar, 0 for none; its
    notes sit at the end of the first full bar, so bar lines stay where the meter puts them, and
    notation writes that bar short. ``fermatas`` are the ticks of onsets that carry a fermata.
    ``chord_symbols`` are a lead sheet's chords, sorted by tick, one at a tick (the later given
    wins, as for tempos); like fermatas they belong to the score, not to a part.
    """

    parts: tuple[Part, ...] = (Part(),)
    tempos: tuple[TempoChange, ...] = (UNSTATED_TEMPO,)
    time_signatures: tuple[TimeSignature, ...] = (TimeSignature(0),)
    key_signatures: tuple[KeySignature, ...] = ()
    title: str = ""
    pickup: int = 0
    fermatas: tuple[int, ...] = ()
    composer: str = ""  # as the file credits it (ABC C:, a MusicXML creator)
    chord_symbols: tuple[ChordSymbol, ...] = ()

    def __post_init__(self) -> None:
        for name in ("parts", "tempos", "time_signatures", "key_signatures", "fermatas",
                     "chord_symbols"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        object.__setattr__(self, "tempos", _from_zero(self.tempos, UNSTATED_TEMPO))
        object.__setattr__(
            self, "time_signatures", _from_zero(self.time_signatures, TimeSignature(0))
        )
        object.__setattr__(self, "key_signatures", _dedupe(self.key_signatures))
        if self.fermatas:
            object.__setattr__(self, "fermatas", tuple(sorted({operator.index(t)
                                                              for t in self.fermatas})))
        if self.chord_symbols:
            object.__setattr__(self, "chord_symbols", _dedupe(
                ChordSymbol(operator.index(c.tick), c.text) for c in self.chord_symbols))
        _whole_numbers(self, ("pickup",))
        if not 0 <= self.pickup < self.time_signatures[0].bar_ticks:
            object.__setattr__(self, "pickup", 0)  # no upbeat, or one the meter no longer allows
        if not self.parts:
            object.__setattr__(self, "parts", (Part(),))

    # ----- queries -------------------------------------------------------------------------
    @property
    def notes(self) -> list[Note]:
        """All pitched notes of all parts, in score order (drum parts left out)."""
        return sorted((n for p in self.parts if not p.is_drum for n in p.notes), key=_note_key)

    @property
    def note_count(self) -> int:
        return sum(len(p.notes) for p in self.parts)

    @property
    def end_tick(self) -> int:
        return max((n.start + n.duration for p in self.parts for n in p.notes), default=0)

    @property
    def continue_tick(self) -> int:
        """Where Continue writes from: the end of the last note, or the beat line before it
        where the notes still sounding there only overhang it by less than
        :data:`RELEASE_SLACK` and none starts on or after it (a player's late release: a
        review's keyboard recording, its last chord let go 10-30 ms after the bar line, was
        continued from a sixteenth into the next bar, its phrases a beat late, in 9 bars)."""
        end = self.end_tick
        if not end:
            return end
        bar = self.bar_start(self.bar_at(end - 1))
        beat = self.time_signature_at(bar).beat_ticks
        line = bar + (end - bar) // beat * beat
        last_onset = max(n.start for p in self.parts for n in p.notes)
        return line if last_onset < line < end < line + RELEASE_SLACK else end

    @property
    def tempo(self) -> TempoChange:
        return self.tempos[0]

    @property
    def time_signature(self) -> TimeSignature:
        return self.time_signatures[0]

    @property
    def key(self) -> KeySignature | None:
        return self.key_signatures[0] if self.key_signatures else None

    def time_signature_at(self, tick: int) -> TimeSignature:
        return _at(self.time_signatures, tick)

    def key_at(self, tick: int) -> KeySignature | None:
        """The key in force at ``tick``; None before the first key signature (or if none)."""
        if not self.key_signatures or tick < self.key_signatures[0].tick:
            return None
        return _at(self.key_signatures, tick)

    def tempo_at(self, tick: int) -> TempoChange:
        return _at(self.tempos, tick)

    # Bars: each time signature starts a new bar; if it comes in the middle of a bar, that bar is
    # cut short there (as in a MIDI file whose meter changes mid-bar).
    def _first_bars(self) -> list[int]:
        """For each time signature, the index of the bar it starts."""
        firsts = [0]
        tss = self.time_signatures
        for a, b in itertools.pairwise(tss):
            firsts.append(firsts[-1] + -(-(b.tick - a.tick) // a.bar_ticks))
        return firsts

    def bar_starts(self, until: int | None = None) -> list[int]:
        """Ticks at which bars begin, up to and including the bar holding ``until`` (default:
        the end)."""
        until = self.end_tick if until is None else max(until, 0)
        starts: list[int] = []
        tss = self.time_signatures
        for i, ts in enumerate(tss):
            seg_end = tss[i + 1].tick if i + 1 < len(tss) else until + 1
            starts.extend(range(ts.tick, min(seg_end, until + 1), ts.bar_ticks))
            if seg_end > until:
                break
        return starts

    def bar_at(self, tick: int) -> int:
        """The 0-based bar that holds ``tick``."""
        if tick < 0:
            raise ValueError(f"tick {tick} is before the beginning")
        i = _index_at(self.time_signatures, tick)
        ts = self.time_signatures[i]
        return self._first_bars()[i] + (tick - ts.tick) // ts.bar_ticks

    def bar_start(self, bar: int) -> int:
        """Tick at which 0-based ``bar`` begins (bars past the end continue the last meter)."""
        if bar < 0:
            raise ValueError("bar numbers start at 0")
        firsts = self._first_bars()
        i = bisect.bisect_right(firsts, bar) - 1
        ts = self.time_signatures[i]
        return ts.tick + (bar - firsts[i]) * ts.bar_ticks

    def bar_end(self, bar: int) -> int:
        """Tick at which 0-based ``bar`` ends (a bar cut short by a meter change ends there)."""
        return self.bar_start(bar + 1)

    @cached_property
    def upbeat(self) -> int:
        """The upbeat notation writes, in ticks: ``pickup``, unless notes were added before it
        (the first bar is a full bar then) or it is a length no notation writes (not a multiple of
        30 ticks, a hand-edited project file); 0 for none."""
        pickup = self.pickup
        if pickup % 30:
            return 0
        if pickup:
            first_end = self.bar_start(1)
            if any(n.start < first_end - pickup and n.duration
                   for p in self.parts for n in p.notes):
                return 0
        return pickup

    @property
    def first_bar_number(self) -> int:
        """The number printed on the first bar: 0 for an upbeat, as MuseScore, Sibelius and Dorico
        count, else 1. The ruler, the status bar, messages and the command line's bar options
        all count this way, so bar 5 in the window is bar 5 in the exported score."""
        return 0 if self.upbeat else 1

    def bar_number(self, bar: int) -> int:
        """The printed number of 0-based ``bar``."""
        return bar + self.first_bar_number

    def bar_index(self, number: int) -> int:
        """The 0-based bar of printed bar ``number``; ValueError before the first bar, with a
        message for the user."""
        first = self.first_bar_number
        if number < first:
            upbeat = " (bar 0 is the upbeat)" if first == 0 else ""
            raise ValueError(f"bars count from {first}{upbeat}, not {number}")
        return number - first

    def bar_count(self) -> int:
        """Bars needed to hold every note (at least one)."""
        end = self.end_tick
        return max(1, self.bar_at(max(end - 1, 0)) + 1)

    def position(self, tick: int) -> tuple[int, int, int]:
        """(bar, beat, tick within beat) as the ruler shows them: the bar's printed number
        (:meth:`bar_number`), the beat from 1 (an upbeat's notes keep the beats of the full bar
        they end)."""
        bar = self.bar_at(tick)
        start = self.bar_start(bar)
        beat = self.time_signature_at(tick).beat_ticks
        return self.bar_number(bar), (tick - start) // beat + 1, (tick - start) % beat

    def seconds_at(self, tick: int) -> float:
        """Wall-clock seconds from the start to ``tick``, following tempo changes and holding
        fermatas (``performed_tempos``)."""
        micro = 0  # exact integer sum of tick * µs-per-quarter, divided once at the end
        tempos = self.performed_tempos
        for i, tc in enumerate(tempos):
            seg_end = tempos[i + 1].tick if i + 1 < len(tempos) else None
            if seg_end is None or tick <= seg_end:
                micro += (tick - tc.tick) * tc.us_per_quarter
                break
            micro += (seg_end - tc.tick) * tc.us_per_quarter
        return micro / (1e6 * TPQ)

    @cached_property
    def fermata_spans(self) -> tuple[tuple[int, int], ...]:
        """The (start, end) ticks each fermata holds: from its onset to the end of the longest
        note struck there, or to the next onset in any part if that comes first (a chord's
        fermata holds the chord, not the next phrase's upbeat). A fermata with nothing struck
        on it holds nothing."""
        if not self.fermatas:
            return ()
        ends: dict[int, int] = {}
        onsets: set[int] = set()
        for part in self.parts:
            for n in part.notes:
                onsets.add(n.start)
                if n.start in self.fermatas:
                    ends[n.start] = max(ends.get(n.start, n.start), n.start + n.duration)
        starts = sorted(onsets)
        spans = []
        for tick in self.fermatas:
            end = ends.get(tick, tick)
            later = bisect.bisect_right(starts, tick)
            if later < len(starts):
                end = min(end, starts[later])
            if end > tick:
                spans.append((tick, end))
        return tuple(spans)

    @cached_property
    def performed_tempos(self) -> tuple[TempoChange, ...]:
        """The tempo map as played: ``tempos``, with each fermata's span at 1 / FERMATA_HOLD of
        the tempo there, so that it sounds FERMATA_HOLD times as long. Playback, audio export
        and a MIDI file follow it; the score's own tempos (its marks) stay as they are."""
        return held(self.tempos, self.fermata_spans)

    def colour_of(self, index: int) -> int:
        """The palette index of part ``index``'s colour: its own (``Part.colour``), else its
        place's (a part added by a generation, or past the parts: a proposal's new part)."""
        if 0 <= index < len(self.parts) and self.parts[index].colour >= 0:
            return self.parts[index].colour
        return index

    def with_colours(self) -> Score:
        """Each part given the colour it shows now, so that it keeps it when parts move."""
        return self.with_parts([p if p.colour >= 0 else replace(p, colour=i)
                                for i, p in enumerate(self.parts)])

    # ----- transformations (each returns a new Score) ---------------------------------------
    def with_parts(self, parts: Sequence[Part]) -> Score:
        return replace(self, parts=tuple(parts))

    def sorted(self) -> Score:
        return self.with_parts([p.with_notes(p.notes) for p in self.parts])

    def map_notes(self, fn: Callable[[Note], Note | None], *, drums: bool = False) -> Score:
        """Apply ``fn(note) -> Note | None`` to every note (None drops it).

        Drum parts are left alone unless ``drums``."""
        parts = []
        for p in self.parts:
            if p.is_drum and not drums:
                parts.append(p)
                continue
            parts.append(p.with_notes(m for m in (fn(n) for n in p.notes) if m is not None))
        return self.with_parts(parts)

    def audible(self) -> Score:
        """What playback hears: muted parts silenced, and only the soloed parts when any is.

        The parts stay in place (emptied), so part indices and MIDI channels do not shift."""
        soloed = any(p.solo for p in self.parts)
        silent = [p.muted or (soloed and not p.solo) for p in self.parts]
        if not any(silent):
            return self
        return self.with_parts([replace(p, notes=()) if s else p
                                for p, s in zip(self.parts, silent, strict=True)])

    def transpose(self, semitones: int) -> Score:
        """Transpose pitched parts; raises if a note would leave 0..127 (nothing is clipped)."""
        pitches = [n.pitch for p in self.parts if not p.is_drum for n in p.notes]
        if pitches and not (min(pitches) + semitones >= 0 and max(pitches) + semitones <= 127):
            raise ValueError(
                f"transposing by {semitones:+d} would move notes outside MIDI's 0..127 "
                f"(the score spans {min(pitches)}..{max(pitches)})"
            )
        if semitones == 0:
            return self
        return self.map_notes(lambda n: replace(n, pitch=n.pitch + semitones))

    def quantize(self, grid: int, *, durations: bool = True) -> Score:
        """Snap onsets (and, by default, ends) to multiples of ``grid`` ticks, drums included.

        No note shrinks to nothing: each keeps at least one grid step."""
        return self.map_notes(lambda n: quantize_note(n, grid, durations=durations), drums=True)

    def slice(self, start: int, end: int, *, shift: bool = True) -> Score:
        """Notes starting in [start, end), cut at ``end``; moved to begin at 0 when ``shift``.

        Notes that began before ``start`` are left out. With ``shift`` the tempo, meter and key
        in force at ``start`` move to tick 0, and later changes before ``end`` move with the notes.
        The chord symbol in force at ``start`` opens the slice, shift or not.
        """
        if start < 0 or end < start:
            raise ValueError(f"impossible range {start}..{end}")
        offset = start if shift else 0

        def cut(n: Note) -> Note | None:
            if not start <= n.start < end:
                return None
            return replace(n, start=n.start - offset, duration=min(n.end, end) - n.start)

        sliced = self.map_notes(cut, drums=True)
        # the fermatas of the notes kept (an opening cut from a chorale must not carry the
        # phrase ends of the bars after it: the evaluation's openings did, and the sampler
        # heard where Bach's next phrases end)
        fermatas = tuple(t - offset for t in self.fermatas if start <= t < end)
        # and the chords over them: a chord holds until the next, so the one in force at
        # ``start`` opens the slice (as the key in force does)
        chords = tuple(replace(c, tick=max(c.tick, start) - offset)
                       for i, c in enumerate(self.chord_symbols) if c.tick < end and (
                           c.tick >= start or i + 1 == len(self.chord_symbols)
                           or self.chord_symbols[i + 1].tick > start))
        if not shift:
            return replace(sliced, fermatas=fermatas, chord_symbols=chords)
        sliced = replace(sliced, pickup=self.pickup if start == 0 else 0, fermatas=fermatas,
                         chord_symbols=chords)
        key = self.key_at(start)
        keys = tuple(k for k in self.key_signatures if start < k.tick < end)
        return replace(
            sliced,
            tempos=_shift_events(self.tempos, start, end),
            time_signatures=_shift_events(self.time_signatures, start, end),
            key_signatures=_shift_events((key, *keys), start, end) if key else
            tuple(replace(k, tick=k.tick - start) for k in keys),
        )

    def merge(self, other: Score, *, at: int = 0) -> Score:
        """Add ``other``'s notes, shifted by ``at`` ticks, into the parts with the same index.

        Parts ``self`` lacks are added; tempo, meter and key stay ``self``'s.
        """
        parts = list(self.parts)
        for i, p in enumerate(other.parts):
            moved = [replace(n, start=n.start + at) for n in p.notes] if at else p.notes
            if i < len(parts):
                parts[i] = parts[i].with_notes([*parts[i].notes, *moved])
            else:
                parts.append(p.with_notes(moved))
        return self.with_parts(parts)


def assign_channels(parts: Sequence[Part]) -> list[int]:
    """A MIDI channel for each part: its own where it can keep it, drums always on channel 10,
    the first free pitched channel otherwise (reused round-robin past 15 pitched parts)."""
    used: list[int] = []
    pitched = [c for c in range(16) if c != DRUM_CHANNEL]
    for i, p in enumerate(parts):
        if p.is_drum:
            used.append(DRUM_CHANNEL)
        elif p.channel != DRUM_CHANNEL and p.channel not in used:
            used.append(p.channel)
        else:
            free = [c for c in pitched if c not in used]
            used.append(free[0] if free else pitched[i % len(pitched)])
    return used


def quantize_note(note: Note, grid: int, *, durations: bool = True) -> Note:
    """Snap the onset (and the end) to ``grid``; a note never shrinks below one grid step."""
    if grid <= 0:
        raise ValueError(f"grid must be positive, got {grid}")
    start = round_to(note.start, grid)
    if not durations:
        return replace(note, start=start)
    end = max(round_to(note.end, grid), start + grid)
    return replace(note, start=start, duration=end - start)


def round_to(tick: int, grid: int) -> int:
    """Round half up to the nearest multiple of ``grid`` (integers only, no float error)."""
    return (tick + grid // 2) // grid * grid


def grid_ticks(denominator: int, *, triplet: bool = False) -> int:
    """Ticks of one grid step: 16 -> a sixteenth note; triplet -> two thirds of that."""
    if denominator not in (1, 2, 4, 8, 16, 32, 64):
        raise ValueError(f"no grid of 1/{denominator} notes")
    step = TPQ * 4 // denominator
    return step * 2 // 3 if triplet else step


# How much longer a fermata sounds than written: twice, as a chorale's phrase end is commonly
# sung (MuseScore's time stretch for a fermata is a factor of the same kind). An integer keeps
# a held tempo exact, so a MIDI file's holds read back to the tempos they came from.
FERMATA_HOLD = 2


def held(tempos: Sequence[TempoChange], spans: Sequence[tuple[int, int]],
         factor: int | Fraction = FERMATA_HOLD) -> tuple[TempoChange, ...]:
    """``tempos`` (sorted, from tick 0) with the ``spans`` played ``factor`` times slower (a
    fraction undoes it: ``Fraction(1, 2)`` reads a held map back). Consecutive equal tempos
    merge, the first of them kept, except where a hold starts: every hold has its own tempo
    change, which says where the holds are to a reader of the map."""
    if not spans:
        return tuple(tempos)
    starts = {a for a, _ in spans} if factor > 1 else set()
    cuts = sorted({t.tick for t in tempos} | {t for span in spans for t in span})
    out: list[TempoChange] = []
    for tick in cuts:
        base = _at(tempos, tick)
        inside = any(a <= tick < b for a, b in spans)
        us = base.us_per_quarter * factor if inside else base.us_per_quarter
        us = min(max(round(us), 1), MAX_US_PER_QUARTER)
        if out and out[-1].us_per_quarter == us and tick not in starts:
            continue
        if base.tick == tick and not (inside and factor != 1):
            out.append(base)
        else:
            out.append(TempoChange(tick, us))
    return tuple(out)


def _from_zero(events, default):
    """Sorted, one event per tick (the later one given wins), with ``default`` at 0 if none is."""
    events = _dedupe(events)
    if not events or events[0].tick > 0:
        events = (default, *events)
    return events


def _dedupe(events):
    out = []
    for e in sorted(events, key=lambda e: e.tick):  # stable: a later event at the same tick wins
        if out and out[-1].tick == e.tick:
            out[-1] = e
        else:
            out.append(e)
    return tuple(out)


def _index_at(events, tick) -> int:
    lo, hi = 0, len(events)
    while lo < hi:  # bisect_right on .tick without building a list of ticks
        mid = (lo + hi) // 2
        if tick < events[mid].tick:
            hi = mid
        else:
            lo = mid + 1
    return max(lo - 1, 0)


def _at(events, tick):
    return events[_index_at(events, tick)]


def _shift_events(events, start, end):
    current = _at(events, start)
    later = [replace(e, tick=e.tick - start) for e in events if start < e.tick < end]
    return (replace(current, tick=0), *later)


__all__ = [
    "CLEFS",
    "DEFAULT_US_PER_QUARTER",
    "DRUM_CHANNEL",
    "MAX_US_PER_QUARTER",
    "METER_SYMBOLS",
    "TPQ",
    "UNSTATED_TEMPO",
    "ChordSymbol",
    "KeySignature",
    "Note",
    "Part",
    "Score",
    "TempoChange",
    "TimeSignature",
    "assign_channels",
    "grid_ticks",
    "lyric_syllabic",
    "meter_symbol",
    "note_key",
    "quantize_note",
    "round_to",
    "sorted_notes",
    "spelling_pc",
    "syllabic_lyric",
]
