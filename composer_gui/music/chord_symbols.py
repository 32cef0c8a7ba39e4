"""Chord symbols as a lead sheet writes them ("Am7", "G/B", "F#m7b5", "N.C."): the tones a
symbol names, and its text moved by a transposition.

Read by hand, not by music21: music21's reader misread a lead sheet's "F#m7b5" as F#m7 and
"C-7" as Cb7, dropped "C°", "CΔ7" and "Am(maj7)", and costs a second to import. The rules are
a lead sheet's (docs/notation.md): a root A-G with # or b (or ♯ ♭), then the quality, then a
slash bass. "-" after the root is minor, "+" augmented; "maj" and "M" alone are the major triad,
"Δ" alone the major seventh; 9, 11 and 13 bring the seventh and the lower extensions with them,
but in parentheses a number only adds its tone ("C7(13)"); an altered ninth, eleventh or
thirteenth replaces the natural one. music21's own names for MusicXML's kinds ("C7+",
"Cpower", "Cdom7", "C7 add b9") read too. The score model holds the text as written
(``score.ChordSymbol``); what it means is asked here, every time.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .score import ChordSymbol, Score

NO_CHORD = "N.C."
# the ways a lead sheet (and music21, and MusicXML's kind "none") says that no chord sounds
_NO_CHORD_TEXTS = frozenset({"n.c.", "n.c", "nc", "n/c", "no chord", "none"})

_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
_UNICODE = str.maketrans({"\u266f": "#", "\u266d": "b", "\u2013": "-", "\u2212": "-",
                          "\u00ba": "\u00b0", "\u2206": "\u0394", "\u00d8": "\u00f8"})
_ROOT = re.compile(r"\s*([A-G])([#b]?)")
# a slash bass ends the text ("C/E", "D7/F#"; "/B-" as music21 spells B flat; "Am/c" as ABC
# tunes write it, the Nottingham set's among them); "6/9" is none
_BASS = re.compile(r"/\s*([A-Ga-g])([#b-]?)\s*$")
_ALTERED = {"b": -1, "-": -1, "#": 1, "+": 1}


@dataclass(frozen=True)
class ChordTones:
    root: int  # pitch class 0-11
    pcs: frozenset[int]  # every pitch class of the chord, root and bass included
    bass: int  # pitch class of the bass: the root, or the slash bass ("G/B" -> 11)


@dataclass(frozen=True)
class ChordParts:
    """A readable symbol taken apart: ``root`` and ``bass`` as spelled (ASCII: "F#", "Bb";
    ``bass`` "" without a slash), ``quality`` the text between them ("m7b5"), ``intervals``
    the semitones above the root the quality names (0 included, the slash bass not)."""

    root: str
    quality: str
    bass: str
    intervals: frozenset[int]

    @property
    def root_pc(self) -> int:
        return _pc(self.root)

    @property
    def bass_pc(self) -> int:
        return _pc(self.bass) if self.bass else self.root_pc


def is_no_chord(text: str) -> bool:
    """Whether ``text`` says that no chord sounds ("N.C.", "NC", "No Chord")."""
    return " ".join(text.split()).lower() in _NO_CHORD_TEXTS


def is_chord_text(text: str) -> bool:
    """Whether a chord symbol may say ``text``: a chord :func:`chord_tones` reads, or no chord.
    The one rule for what is kept from a file and what the composer may type."""
    return is_no_chord(text) or read_chord(text) is not None


def chord_tones(text: str) -> ChordTones | None:
    """The tones a chord symbol names; None for "N.C." or anything unreadable."""
    parts = read_chord(text)
    if parts is None:
        return None
    root = parts.root_pc
    pcs = frozenset((root + i) % 12 for i in parts.intervals) | {parts.bass_pc}
    return ChordTones(root, pcs, parts.bass_pc)


def read_chord(text: str) -> ChordParts | None:
    """``text`` taken apart (:class:`ChordParts`); None for "N.C." or anything unreadable."""
    text = text.translate(_UNICODE).strip()
    root = _ROOT.match(text)
    if root is None or is_no_chord(text):
        return None
    bass = _BASS.search(text, root.end())
    quality = text[root.end():bass.start() if bass else len(text)]
    intervals = _intervals(quality)
    if intervals is None:
        return None
    bass_name = bass.group(1).upper() + bass.group(2).replace("-", "b") if bass else ""
    return ChordParts(root.group(1) + root.group(2), quality.strip(), bass_name, intervals)


def transpose_text(text: str, semitones: int, flats: bool) -> str:
    """``text`` with its root and slash bass moved by ``semitones``, spelled with flats or
    sharps (the quality as written); unreadable text (and "N.C.") unchanged, and so is every
    text moved by whole octaves (its spelling is the composer's)."""
    if semitones % 12 == 0:
        return text
    clean = text.translate(_UNICODE)  # (one character for one: the places stay)
    root = _ROOT.match(clean)
    if root is None or read_chord(text) is None:
        return text
    unicode = any(c in text for c in "\u266f\u266d")
    bass = _BASS.search(clean, root.end())
    out = text[:root.start(1)] + _spelled(_pc(root.group(1) + root.group(2)) + semitones,
                                          flats, unicode)
    if bass is None:
        return out + text[root.end():]
    bass_pc = _pc(bass.group(1).upper() + bass.group(2).replace("-", "b"))
    moved = _spelled(bass_pc + semitones, flats, unicode)
    return out + text[root.end():bass.start(1)] + moved + text[bass.end(2):]


def transposed(score: Score, semitones: int) -> tuple[ChordSymbol, ...]:
    """The score's chord symbols moved by ``semitones``, in flats where the key signature in
    force at each (the score's, already moved) has flats, else in sharps."""
    out = []
    for s in score.chord_symbols:
        key = score.key_at(s.tick) or score.key
        out.append(ChordSymbol(s.tick, transpose_text(s.text, semitones,
                                                      key is not None and key.sharps < 0)))
    return tuple(out)


def symbols_in(score_or_symbols: Score | Sequence[ChordSymbol], start: int, end: int
               ) -> tuple[ChordSymbol, ...]:
    """The chord symbols that sound in [start, end): the one in force at ``start`` (it may
    stand earlier), then those that begin before ``end``."""
    symbols = score_or_symbols.chord_symbols if isinstance(score_or_symbols, Score) \
        else tuple(score_or_symbols)
    ticks = [s.tick for s in symbols]
    first = max(bisect.bisect_right(ticks, start) - 1, 0)
    last = bisect.bisect_left(ticks, end)
    return tuple(s for s in symbols[first:last] if s.tick < end)


def at_tick(symbols: Iterable[ChordSymbol], tick: int) -> ChordSymbol | None:
    """The symbol that stands at ``tick`` (not one in force from earlier), or None."""
    return next((s for s in symbols if s.tick == tick), None)


def with_symbol(symbols: Iterable[ChordSymbol], tick: int, text: str
                ) -> tuple[ChordSymbol, ...]:
    """``symbols`` with the one at ``tick`` set to ``text`` ("" takes it away)."""
    kept = [s for s in symbols if s.tick != tick]
    if text.strip():
        kept.append(ChordSymbol(tick, text.strip()))
    return tuple(sorted(kept, key=lambda s: s.tick))


def name_of(pc: int, flats: bool) -> str:
    """A pitch class as a chord root: "Bb" with ``flats``, else "A#"."""
    return (FLAT_NAMES if flats else SHARP_NAMES)[pc % 12]


# ----- the quality ---------------------------------------------------------------------------
def _pc(name: str) -> int:
    return (_LETTER_PC[name[0]] + name.count("#") - name.count("b")) % 12


def _spelled(pc: int, flats: bool, unicode: bool) -> str:
    name = name_of(pc, flats)
    return name.replace("#", "\u266f").replace("b", "\u266d") if unicode else name


# Each token of a quality, tried at each place in turn (longest first): (pattern, kind).
_TOKENS = [(re.compile(p), kind) for p, kind in (
    (r"(?:add|alter)\s*([#b+-]?)\s*(\d+)", "add"),
    (r"(?:subtract|omit|no)\s*(\d+)(?:st|nd|rd|th)?", "omit"),
    (r"sus\s*([24]?)", "sus"),
    (r"(?:maj|Maj|MAJ|ma(?!dd)|MA|M)", "maj"),
    (r"\u0394", "delta"),
    (r"dim5", "flat5"),  # (music21's "dom7dim5": the seventh with a flat fifth)
    (r"(?:dim|o|\u00b0)", "dim"),
    (r"\u00f8", "half"),
    (r"(?:aug)", "aug"),
    (r"alt", "alt"),
    (r"dom", "dom"),
    (r"power", "power"),
    (r"pedal", "pedal"),
    (r"(?:min|mi|m)", "minor"),
    (r"6\s*/\s*9|69", "six-nine"),
    (r"([#b+-])\s*(\d+)", "altered"),
    (r"\+", "aug"),
    (r"-", "minor"),
    (r"\d+", "number"),
    (r"[\s(),/]", "separator"),
)]
# the natural tone of each extension, and the extensions each number brings (13: the 11th is
# left out, as a dominant thirteenth is voiced; a minor one keeps it)
_DEGREE = {2: 2, 4: 5, 5: 7, 6: 9, 7: 11, 9: 2, 11: 5, 13: 9}
_CHAIN = {7: (), 9: (2,), 11: (2, 5), 13: (2, 9)}


def _intervals(quality: str) -> frozenset[int] | None:
    """The semitones above the root that ``quality`` names, or None where it is unreadable."""
    third: int | None = 4
    fifth: int | None = 7
    seventh = False  # a seventh is named (its size is settled at the end)
    major7 = delta = dim = half = minor = sixth = False
    chain: set[int] = set()  # the extensions a 9, 11 or 13 brings
    added: set[int] = set()  # tones named on their own ("add9", "(13)")
    altered: dict[int, set[int]] = {}  # degree (9, 11, 13) -> its altered tones
    omitted: set[int] = set()
    depth = 0  # inside parentheses: a number adds its tone alone
    extension = False  # a 7, 9, 11 or 13 read (a later bare number adds its tone alone)
    i, n = 0, len(quality)
    if quality[:1] == "-":  # ("C-7": minor; "-5" later on is a flat fifth)
        minor, third, i = True, 3, 1
    elif quality[:1] == "+":  # ("C+7": augmented)
        fifth, i = 8, 1
    while i < n:
        found = next(((m, kind) for pattern, kind in _TOKENS
                      if (m := pattern.match(quality, i)) is not None), None)
        if found is None:
            return None
        m, kind = found
        start, i = i, m.end()
        if kind == "separator":
            depth += {"(": 1, ")": -1}.get(m.group(0), 0)
        elif kind == "minor":
            if quality[start] == "-":  # (a "-" after the quality, and no number after it)
                return None
            minor, third = True, 3
        elif kind in ("maj", "delta"):
            major7, delta = True, delta or kind == "delta"
        elif kind == "dim":
            dim, third, fifth = True, 3, 6
        elif kind == "flat5":
            fifth = 6
        elif kind == "half":
            half, seventh, third, fifth = True, True, 3, 6
        elif kind == "aug":
            fifth = 8
        elif kind == "sus":
            third = 2 if m.group(1) == "2" else 5
        elif kind == "power":
            third = None
        elif kind == "pedal":
            third = fifth = None
        elif kind == "alt":
            seventh = True
            fifth = None
            added |= {1, 3, 6, 8}
        elif kind == "six-nine":
            sixth = True
            added.add(2)
        elif kind == "omit":
            degree = int(m.group(1))
            if degree not in (3, 5):
                return None
            omitted.add(degree)
        elif kind in ("add", "altered"):
            sign, degree = m.group(1), int(m.group(2))
            tone = _tone(degree, _ALTERED.get(sign, 0))
            if tone is None:
                return None
            if degree == 5:
                fifth = tone
            elif sign and degree in (9, 11, 13):
                altered.setdefault(degree, set()).add(tone)
            elif degree == 7 and kind == "add":
                seventh = True
            else:
                added.add(tone)
        elif kind == "number":
            degree = int(m.group(0))
            if degree == 5 and not extension and not depth:
                third = None  # a power chord
            elif degree == 6:
                sixth = True
            elif degree in (2, 4, 9, 11, 13) and (depth or extension or degree < 5):
                added.add(_DEGREE[degree])
            elif degree in _CHAIN and not (extension and degree != 7):
                seventh, extension = True, True
                chain.update(_CHAIN[degree])
                if degree == 13 and minor:
                    chain.add(5)
            else:
                return None
    if depth:
        return None
    if 3 in omitted:
        third = None
    if 5 in omitted:
        fifth = None
    for degree, tones in altered.items():
        chain.discard(_DEGREE[degree])
        added |= tones
    tones = {0, *chain, *added}
    if third is not None:
        tones.add(third)
    if fifth is not None:
        tones.add(fifth)
    if sixth:
        tones.add(9)
    if seventh or delta:  # ("maj" and "M" alone: the major triad)
        tones.add(11 if major7 else 9 if dim and not half else 10)
    return frozenset(t % 12 for t in tones)


def _tone(degree: int, alter: int) -> int | None:
    """The semitones above the root of a degree (9, "b9" -> 1), None for none. A lead
    sheet's 7 is the minor seventh ("m#7", music21's, the major)."""
    natural = {2: 2, 3: 4, 4: 5, 5: 7, 6: 9, 7: 10, 9: 2, 11: 5, 13: 9}.get(degree)
    return None if natural is None else (natural + alter) % 12


# ----- MusicXML's kinds ------------------------------------------------------------------------
# Each <kind> value, the tones above its root, and how a lead sheet writes it. The writer
# names a symbol by the nearest (:func:`musicxml_kind`); the reader writes a kind so where the
# file gives no text of its own (:func:`kind_text`, which reads music21's own kinds too).
MUSICXML_KINDS: dict[str, tuple[frozenset[int], str]] = {
    kind: (frozenset(tones), text) for kind, tones, text in (
        ("major", (0, 4, 7), ""),
        ("minor", (0, 3, 7), "m"),
        ("augmented", (0, 4, 8), "+"),
        ("diminished", (0, 3, 6), "dim"),
        ("dominant", (0, 4, 7, 10), "7"),
        ("major-seventh", (0, 4, 7, 11), "maj7"),
        ("minor-seventh", (0, 3, 7, 10), "m7"),
        ("diminished-seventh", (0, 3, 6, 9), "dim7"),
        ("augmented-seventh", (0, 4, 8, 10), "7#5"),
        ("half-diminished", (0, 3, 6, 10), "m7b5"),
        ("major-minor", (0, 3, 7, 11), "m(maj7)"),
        ("major-sixth", (0, 4, 7, 9), "6"),
        ("minor-sixth", (0, 3, 7, 9), "m6"),
        ("dominant-ninth", (0, 4, 7, 10, 2), "9"),
        ("major-ninth", (0, 4, 7, 11, 2), "maj9"),
        ("minor-ninth", (0, 3, 7, 10, 2), "m9"),
        ("dominant-11th", (0, 4, 7, 10, 2, 5), "11"),
        ("major-11th", (0, 4, 7, 11, 2, 5), "maj11"),
        ("minor-11th", (0, 3, 7, 10, 2, 5), "m11"),
        ("dominant-13th", (0, 4, 7, 10, 2, 9), "13"),
        ("major-13th", (0, 4, 7, 11, 2, 9), "maj13"),
        ("minor-13th", (0, 3, 7, 10, 2, 5, 9), "m13"),
        ("suspended-second", (0, 2, 7), "sus2"),
        ("suspended-fourth", (0, 5, 7), "sus4"),
        ("power", (0, 7), "5"),
        ("pedal", (0,), "pedal"),
    )}
# music21's names for the kinds MusicXML calls otherwise, and its kinds MusicXML lacks
_MUSIC21_KINDS = {
    "dominant-seventh": "dominant", "half-diminished-seventh": "half-diminished",
    "minor-major-seventh": "major-minor"}
_MUSIC21_TEXTS = {
    "augmented-major-seventh": "+maj7", "seventh-flat-five": "7b5",
    "minor-major-ninth": "m(maj9)", "augmented-major-ninth": "+maj9",
    "augmented-dominant-ninth": "9#5", "half-diminished-ninth": "m9b5",
    "half-diminished-minor-ninth": "m7b5b9", "diminished-ninth": "dim7(9)",
    "diminished-minor-ninth": "dim7(b9)", "minor-major-11th": "m(maj11)",
    "augmented-major-11th": "+maj11", "augmented-11th": "11#5",
    "half-diminished-11th": "m11b5", "diminished-11th": "dim7(9,11)",
    "minor-major-13th": "m(maj13)", "augmented-major-13th": "+maj13",
    "augmented-dominant-13th": "13#5", "half-diminished-13th": "m13b5",
    "suspended-fourth-seventh": "7sus4"}


def kind_text(kind: str) -> str | None:
    """How a lead sheet writes a MusicXML (or music21) chord kind ("minor-seventh" -> "m7");
    None for a kind no lead sheet writes (the augmented sixths, "Tristan", "other")."""
    kind = _MUSIC21_KINDS.get(kind, kind)
    if kind in MUSICXML_KINDS:
        return MUSICXML_KINDS[kind][1]
    return _MUSIC21_TEXTS.get(kind)


def musicxml_kind(intervals: frozenset[int]) -> tuple[str, list[tuple[str, int, int]]]:
    """The MusicXML kind nearest a chord's ``intervals`` and the degrees that make it the chord:
    (kind, [(degree-type "add"/"alter"/"subtract", degree-value, degree-alter)]), the fewest
    degrees (the kinds' order breaks ties). MuseScore 3 names a chord by its kind and degrees
    (a "7(b9)" written as kind "dominant" alone came back "7")."""
    best: tuple[tuple[int, bool], str, list] | None = None
    for kind, (tones, _text) in MUSICXML_KINDS.items():
        degrees = _degrees(tones, intervals)
        # (a third replaced by a 4th or 2nd counts once, and wins a tie: "7sus4" is the
        # dominant with 3 taken and 4 added, which MuseScore names "7sus4", not "sus4" with a
        # 7 added, which it names "sus4b7")
        swapped = ("subtract", 3, 0) in degrees and any(
            d[0] == "add" and d[1] in (2, 4) for d in degrees)
        cost = (len(degrees) - swapped, not swapped)
        if best is None or cost < best[0]:
            best = (cost, kind, degrees)
    assert best is not None
    return best[1], best[2]


def _degrees(kind: frozenset[int], chord: frozenset[int]) -> list[tuple[str, int, int]]:
    """The <degree> changes from ``kind``'s tones to ``chord``'s (a degree's alter counts from
    the major scale: the dominant's seventh is 7 altered by -1)."""
    missing, extra = set(kind - chord), set(chord - kind)
    out: list[tuple[str, int, int]] = []
    if 7 in missing and extra & {6, 8}:  # an altered fifth
        tone = 6 if 6 in extra else 8
        missing.discard(7)
        extra.discard(tone)
        out.append(("alter", 5, tone - 7))
    seventh = bool((kind | chord) & {10, 11})
    third = bool((kind | chord) & {3, 4})
    gone = bool(kind & {3, 4}) and not chord & {3, 4}  # (a sus chord's: its 4th or 2nd)
    sixth = 7 if {3, 6, 9} <= kind else 13 if seventh else 6  # (a diminished seventh's 7)
    for tone in sorted(missing):
        value = {1: 9, 2: 9, 3: 3, 4: 3, 5: 11, 6: 5, 7: 5, 8: 5, 9: sixth, 10: 7, 11: 7}[tone]
        out.append(("subtract", value, 0))
    for tone in sorted(extra):
        value, alter = {1: (9, -1), 2: (2, 0) if gone else (9, 0),
                        3: (9, 1) if third else (3, -1), 4: (3, 0),
                        5: (4, 0) if gone else (11, 0), 6: (11, 1), 7: (5, 0), 8: (13, -1),
                        9: (13, 0) if seventh else (6, 0), 10: (7, -1), 11: (7, 0)}[tone]
        out.append(("add", value, alter))
    return out


__all__ = [
    "MUSICXML_KINDS",
    "NO_CHORD",
    "ChordParts",
    "ChordTones",
    "at_tick",
    "chord_tones",
    "is_chord_text",
    "is_no_chord",
    "kind_text",
    "musicxml_kind",
    "name_of",
    "read_chord",
    "symbols_in",
    "transpose_text",
    "transposed",
    "with_symbol",
]
