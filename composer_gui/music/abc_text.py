"""ABC text as music21 should read it, and the marks music21 would lose or misread in it.

music21 reads ABC well enough for notes, but five things in real files went wrong:

* An accidental held for one note (music21 reads a file that names no version as ABC 1.3):
  ``K:G``, "_B2B2" sounded B-flat, B natural (a listening review heard Bb-B flips in an Essen
  song; 34 of O'Neill's first 300 tunes have such a note). ABC 2.1 holds it to the bar's end.
* ``H``, the fermata, dropped the note it stands before: ``e3d Hg2`` lost its g, leaving the bar
  a quarter short (227 such notes in O'Neill's tunes, 139 in Aird's Airs).
* ABC 2.0's ``+fermata+`` decorations were read as notes (f, e, a, a).
* An annotation ``">"`` (words printed beside a note) swallowed the note after it.
* A roll or trill before a fermata, ``~Hc``, was read as a note of its own (a C).

So the text is rewritten before music21 sees it, and a fermata (``H``, ``!fermata!``,
``+fermata+``) is handed over as a mark music21 does keep (``k``, its "strong accent", which ABC
itself does not define) and turned back into a fermata after parsing (:func:`parse_abc`).

music21 keeps few of ABC's decorations (staccato, bowings) and runs a slur around a triplet,
``((3DEF)``, to the tune's end; so the other marks and every slur are read from the text
(:func:`note_decorations`) and put on music21's notes by their letters
(:func:`read_decorations`; ``Note.marks``).
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from .chord_symbols import NO_CHORD, SHARP_NAMES, chord_tones, is_no_chord
from .marks import FROM_ABC, FROM_ABC_SHORTHAND, SLUR_START, SLUR_STOP
from .score import MODE_DEGREES, KeySignature

# ABC 2.1: an accidental holds for the notes of its letter and octave to the end of the bar (the
# standard's %%propagate-accidentals, "octave"). A file that names its version, or sets the
# directive, is read as it says.
_PROPAGATION = "%abc-2.1\n%%propagate-accidentals octave\n"

# ABC 2.1's decoration names (section 4.14), which ABC 2.0 also wrote between plus signs
DECORATIONS = frozenset({
    "trill", "trill(", "trill)", "lowermordent", "uppermordent", "mordent", "pralltriller",
    "roll", "turn", "turnx", "invertedturn", "invertedturnx", "arpeggio", ">", "accent",
    "emphasis", "fermata", "invertedfermata", "tenuto", "0", "1", "2", "3", "4", "5", "+", "plus",
    "snap", "slide", "wedge", "upbow", "downbow", "open", "thumb", "breath", "pppp", "ppp", "pp",
    "p", "mp", "mf", "f", "ff", "fff", "ffff", "sfz", "crescendo(", "<(", "crescendo)", "<)",
    "diminuendo(", ">(", "diminuendo)", ">)", "segno", "coda", "D.S.", "D.C.", "dacoda",
    "dacapo", "fine", "shortphrase", "mediumphrase", "longphrase", "trem1", "trem2", "trem3",
    "trem4", "xstem", "slur(", "slur)"})
FERMATAS = frozenset({"fermata", "invertedfermata"})
# The decorations music21 does not read (``!trill!``, ``+p+``, ``~``, ``T``), by the kind the
# score model drops (notation names them when a file is read); a fermata is kept, and music21
# reads !crescendo(! and the like itself
_DECORATION = re.compile(r"!([^!\s]+)!|\+([^+\s]+)\+|([~T])(?=[\^=_]*[A-Ga-g])")
DECORATION_KINDS = {
    "dynamics": {"pppp", "ppp", "pp", "p", "mp", "mf", "f", "ff", "fff", "ffff", "sfz", "sf",
                 "fp", "sfp", "rfz", "<(", "<)", ">(", ">)"},
    "articulations": {">", "accent", "emphasis", "tenuto", "wedge", "upbow", "downbow", "open",
                      "thumb", "snap", "0", "1", "2", "3", "4", "5", "+", "plus"},
    "D.C. and segno marks": {"segno", "coda", "d.s.", "d.c.", "dacoda", "dacapo", "fine"},
    "ornaments": {"trill", "trill(", "trill)", "lowermordent", "uppermordent", "mordent",
                  "pralltriller", "roll", "turn", "turnx", "invertedturn", "invertedturnx",
                  "arpeggio", "slide", "trem1", "trem2", "trem3", "trem4", "~", "t"}}
# the mark a fermata is handed to music21 as (it reads "k" as a strong accent on the next note)
_HANDOVER = "k"
_FIELD_LINE = re.compile(r"[A-Za-z+]:")
_ANNOTATION = frozenset("^_<>@")  # the first character of quoted text printed as words
# quoted text made of a chord's parts that no chord symbol reads: said, not dropped in silence
# (a review's Nottingham tune lost its "D/f+" twice, its beats set on the chord before)
_CHORD_LIKE = re.compile(r"[A-G][#b]?(?:maj|min|dim|aug|sus|add|m|M|[0-9+#b()\-])*"
                         r"(?:/[A-Ga-g][#b+\-]?)?$")
_READ_HERE = frozenset("~TMLP")  # ABC's decorations music21 skips or misreads


def readable_abc(text: str, chords: list[str] | None = None,
                 unread: list[str] | None = None) -> str:
    """``text`` (ABC) with accidentals held to the bar's end, ``+deco+`` written ``!deco!``,
    each fermata handed over as :data:`_HANDOVER`, and multi-bar rests written out. Each chord
    symbol is handed over as a plain name of its root and bass (:func:`_chord_handover`), its
    text appended to ``chords``; quoted text that says no chord is left out, as an annotation
    is (a fingering "4", "D.C.", "Segue": 3,900 of them in music21's ABC corpus, beside 84
    chords), and one that looks like a chord the app cannot read is put in ``unread``."""
    lines = []
    meter, unit = None, None  # the M: and L: fields in force (a multi-bar rest's bar)
    for line in text.split("\n"):
        if _FIELD_LINE.match(line) or line.startswith("%"):
            if line.startswith("X:"):
                meter, unit = None, None
            elif line.startswith("M:"):
                meter = _meter_length(line[2:])
            elif line.startswith("L:"):
                unit = _fraction(line[2:])
            lines.append(_locrian_as_major(line) if line.startswith("K:") else line)
        else:
            lines.append(_body_line(line, _bar_units(meter, unit), chords, unread))
            for found in _INLINE_LENGTHS.finditer(line.split("%")[0]):  # (for the lines after)
                if found.group(1) == "M":
                    meter = _meter_length(found.group(2)) or meter
                else:
                    unit = _fraction(found.group(2) or found.group(3)) or unit
    out = _explicit_accidentals("\n".join(lines))
    if re.search(r"(?m)^%abc-\d|propagate-accidentals", text):
        return out
    return _PROPAGATION + out


# ABC 2.1's key signature with accidentals of its own (3.1.14): "K:D =c" (D major with a C
# natural), "K:D exp ^f _b" (exp: those accidentals alone, F sharp and B flat). music21 reads
# only the key before them
_KEY_ACCIDENTAL = re.compile(r"(?<!\S)(\^\^|\^|__|_|=)([A-Ga-g])(?!\S)")
_ALTER = {"^^": 2, "^": 1, "=": 0, "_": -1, "__": -2}
_SIGN = {v: k for k, v in _ALTER.items() if k != "="}
_LETTER_FIFTHS = {letter: "FCGDAEB".index(letter) for letter in "FCGDAEB"}


@dataclass
class ExplicitKey:
    """A ``K:`` field that gives its signature's accidentals (:data:`_KEY_ACCIDENTAL`)."""

    alters: dict[str, int]  # letter (upper case) -> its alteration under the signature
    standard: str | None  # the key field of the standard signature it equals; None: none does
    rest: str = ""  # what the field says beside the key (clef=bass)


def explicit_key(value: str) -> ExplicitKey | None:
    """What a ``K:`` field's value with accidentals after its key means (None for a field
    without any): each letter's alteration, and the plain key field music21 reads with the
    same signature, where a standard one is the same ("C ^f" is G major's; the tonic kept
    where a mode on it has that signature: "C Lydian")."""
    value = value.split("%")[0]
    head = re.match(r"\s*([A-G][#b]?)\s*([A-Za-z]*)", value)
    given = _KEY_ACCIDENTAL.findall(value[head.end():]) if head else []
    if not given:
        return None
    alters = dict.fromkeys("CDEFGAB", 0)
    if not re.search(r"\bexp\b", value, re.IGNORECASE):
        try:
            alters = _signature_alters(
                KeySignature.parse(f"{head.group(1)} {head.group(2) or 'major'}").sharps)
        except ValueError:
            return None
    for sign, letter in given:
        alters[letter.upper()] = _ALTER[sign]
    sharps = next((s for s in range(-7, 8) if _signature_alters(s) == alters), None)
    rest = " ".join(w for w in value[head.end():].split()
                    if "=" in w and not _KEY_ACCIDENTAL.fullmatch(w))
    if sharps is None:
        return ExplicitKey(alters, None, rest)
    mode = next((m for m in MODE_DEGREES if KeySignature(0, sharps, m).tonic_name ==
                 head.group(1)), "major")
    key = KeySignature(0, sharps, mode)
    return ExplicitKey(alters, f"{key.tonic_name}{_ABC_MODES[key.mode]}", rest)


def _signature_alters(sharps: int) -> dict[str, int]:
    """Each letter's alteration under a standard key signature (F the first sharp, B the
    first flat)."""
    return {letter: int(sharps > 0 and q < sharps) - int(sharps < 0 and q >= 7 + sharps)
            for letter, q in sorted(_LETTER_FIFTHS.items(), key=lambda x: "CDEFGAB".index(
                x[0]))}


_ABC_MODES = {"major": "", "minor": "m", "dorian": "dor", "phrygian": "phr", "lydian": "lyd",
              "mixolydian": "mix", "locrian": "loc"}


def _explicit_accidentals(text: str) -> str:
    """``text`` (a tune as :func:`readable_abc` writes it, every key field on a line of its
    own) with each ``K:`` field that gives accidentals of its own (:func:`explicit_key`) read
    right: one a standard signature equals as that key, any other as ``K:none``, its
    accidentals then written on each note of those letters that no accidental of its bar
    (letter and octave, as ABC 2.1 holds them) already alters. music21 read "K:D exp ^f _b"
    as D major, and a B meant as B-flat sounded B natural (a trial)."""
    lines = text.split("\n")
    alters: dict[str, int] | None = None
    body = False
    for i, line in enumerate(lines):
        if line.startswith("K:"):
            found = explicit_key(line[2:])
            alters = found.alters if found is not None and found.standard is None else None
            if found is not None:
                lines[i] = f"K:{found.standard or 'none'} {found.rest}".rstrip()
            body = True
        elif body and alters is not None and not _FIELD_LINE.match(line) and \
                not line.startswith("%"):
            lines[i] = _altered_notes(line, alters)
    return "\n".join(lines)


def unheld_keys(tune: str) -> list[str]:
    """The ``K:`` fields of a tune (on their own lines or inline) whose own accidentals make
    a signature no standard one equals ("D exp ^f _b"): the score holds no such signature."""
    fields = re.findall(r"(?m)^K:([^%\n]*)|\[K:([^\]]*)\]", tune)
    return [(a or b).strip() for a, b in fields
            if (found := explicit_key(a or b)) is not None and found.standard is None]


def _altered_notes(line: str, alters: dict[str, int]) -> str:
    """One line of music with the accidentals ``alters`` gives its notes' letters written on
    the notes (quoted text, decorations, inline fields and comments left as they are)."""
    out: list[str] = []
    held: set[tuple[str, int]] = set()  # (letter, octave) given an accidental in this bar
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c == "%":
            out.append(line[i:])
            break
        if c in '"!' or (c == "[" and line[i + 1:i + 3][1:2] == ":"):
            end = line.find('"' if c == '"' else "!" if c == "!" else "]", i + 1)
            end = n - 1 if end < 0 else end
            out.append(line[i:end + 1])
            i = end + 1
            continue
        m = re.match(r"(\^\^|\^|__|_|=)?([A-Ga-g])([',]*)", line[i:])
        if m:
            letter = m.group(2).upper()
            octave = (5 if m.group(2).islower() else 4) + m.group(3).count("'") - \
                m.group(3).count(",")
            if m.group(1):
                held.add((letter, octave))
            elif (letter, octave) not in held and alters[letter]:
                out.append(_SIGN[alters[letter]])
            out.append(m.group(0))
            i += m.end()
            continue
        if c == "|":
            held.clear()
        out.append(c)
        i += 1
    return "".join(out)


# a unit length or meter changed inside a line, and a unit length written there bare
_INLINE_LENGTHS = re.compile(r"\[([LM]):([^\]]*)\]|(?<![^\s|])L:(\s*\d+\s*/\s*\d+)")
_LOCRIAN = re.compile(r"\s*([A-Ga-g][#b]?)\s*loc[a-z]*", re.IGNORECASE)


def locrian_key(value: str) -> tuple[str, int] | None:
    """(tonic, sharps) of a ``K:`` field's value that names a Locrian key ("Eloc", "B
    locrian"), None for any other. music21 knows no Locrian and read ``K:Eloc`` as E major,
    its notes F# G# C# D# where E Locrian (F major's signature) has F G C D (a fuzz run)."""
    m = _LOCRIAN.match(value)
    if m is None:
        return None
    tonic = m.group(1)[0].upper() + m.group(1)[1:]
    try:
        return tonic, KeySignature.parse(f"{tonic}:locrian").sharps
    except ValueError:  # (a Locrian key beyond seven sharps or flats: Fb, B#)
        return None


def _locrian_as_major(line: str) -> str:
    """A ``K:`` line as music21 reads it right: a Locrian key as the major key of its
    signature ("K:Eloc clef=bass" -> "K:F clef=bass"); the mode is put back after parsing."""
    m = _LOCRIAN.match(line[2:])
    found = locrian_key(line[2:])
    if m is None or found is None:
        return line
    return f"K:{KeySignature(0, found[1]).tonic_name}{line[2 + m.end():]}"


def _fraction(value: str) -> Fraction | None:
    """``"1/8"`` as a fraction of a whole note; None where it is none."""
    m = re.match(r"\s*(\d+)\s*/\s*(\d+)", value)
    return Fraction(int(m.group(1)), int(m.group(2))) if m and int(m.group(2)) else None


def _meter_length(value: str) -> Fraction | None:
    """A bar's length in whole notes for an ``M:`` field (``C`` 4/4, ``C|`` 2/2); None for
    ``M:none`` or what is not a meter."""
    value = value.split("%")[0].strip()
    if value in ("C", "C|"):  # (4/4 and 2/2: a whole note either way)
        return Fraction(1)
    m = re.match(r"\(?\s*([\d+]+)\s*\)?\s*/\s*(\d+)", value)
    if not m or not int(m.group(2)):
        return None
    return Fraction(sum(int(x) for x in m.group(1).split("+") if x), int(m.group(2)))


def _bar_units(meter: Fraction | None, unit: Fraction | None) -> Fraction | None:
    """A bar's length in note lengths (L:), the default unit as ABC 2.1 sets it (1/16 under
    a meter shorter than 3/4, else 1/8); None without a meter."""
    if meter is None:
        return None
    if unit is None:
        unit = Fraction(1, 16) if meter < Fraction(3, 4) else Fraction(1, 8)
    return meter / unit


def _body_line(line: str, bar: Fraction | None = None, chords: list[str] | None = None,
               unread: list[str] | None = None) -> str:
    """One line of music, its decorations rewritten; an annotation (quoted text that begins
    with ^ _ < > or @: words to print, which the score does not keep) left out, since music21
    read the note after ``">"`` as nothing (O'Neill's "The Burnt Old Man" lost a note a
    bar); chord names handed over (``chords``: :func:`readable_abc`), inline fields and
    comments copied as they are. A multi-bar rest
    (``Z4``, ``X2``: so many whole bars) is written as a bar's rest that many times (``bar``:
    a bar's length in note lengths), since music21 dropped it and the music after it moved
    that many bars earlier (a fuzz run)."""
    out: list[str] = []
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c == "%":
            out.append(line[i:])
            break
        if c == '"':
            end = line.find('"', i + 1)
            end = n - 1 if end < 0 else end
            quoted = line[i + 1:end]
            if chords is not None and quoted.strip() and quoted[0] not in _ANNOTATION:
                handover = _chord_handover(quoted)
                if handover is not None:
                    chords.append(quoted.strip())
                    out.append(f'"{handover}"')
                elif unread is not None and _CHORD_LIKE.match(quoted.strip()):
                    unread.append(quoted.strip())
            elif line[i + 1:i + 2] not in _ANNOTATION or i + 1 >= end:
                out.append(line[i:end + 1])
            i = end + 1
            continue
        if c == "[" and i + 2 < n and line[i + 1].isalpha() and line[i + 2] == ":":
            end = line.find("]", i)
            end = n - 1 if end < 0 else end
            if line[i + 1] == "K" and end > i + 3:
                # a key change inside a line: music21 skips an inline [K:Eb] (the notes after
                # it kept the old key's sharps, a fuzz run) but reads a K: line's
                out.append(f"\n{_locrian_as_major('K:' + line[i + 3:end].strip())}\n")
            elif line[i + 1] == "L" and end > i + 3:
                # ... and so does a unit length's: music21 skipped [L:1/16], and every note
                # after it was twice as long (a trial's 4-bar tune read as 6 bars)
                out.append(f"\nL:{line[i + 3:end].strip()}\n")
            else:
                out.append(line[i:end + 1])
            i = end + 1
            continue
        bare = re.match(r"L:\s*(\d+\s*/\s*\d+)", line[i:]) if c == "L" else None
        if bare and (i == 0 or line[i - 1] in " \t|"):
            # a unit length written inside a line without brackets ("| L:1/16 c2B2 |"), as
            # some hand-written files do: read as the inline field it means
            out.append(f"\nL:{bare.group(1)}\n")
            i += bare.end()
            continue
        if c in "!+":
            end = line.find(c, i + 1)
            name = line[i + 1:end] if end > i else ""
            if end > i and name in DECORATIONS:  # others are left to music21 as before
                out.append(_HANDOVER if name in FERMATAS else f"!{name}!")
                i = end + 1
                continue
        if c in "ZX":
            digits = re.match(r"\d*", line[i + 1:]).group(0)
            after = line[i + 1 + len(digits):].lstrip()
            before = "".join(out).rstrip()
            alone = not before or before.endswith(("|", ":"))
            if bar is not None and alone and (not after or after[0] in "|:]"):
                out.append("|".join([f"z{bar.numerator}/{bar.denominator}"]
                                    * max(int(digits or 1), 1)))
            else:  # (inside a bar, as some transcribers write a rest: "G4 Z2 |")
                out.append("z" + digits)
            i += 1 + len(digits)
            continue
        if c == "H":
            out.append(_HANDOVER)
        elif c == "x" and (i == 0 or not line[i - 1].isalpha()):
            out.append("z")  # (an invisible rest: music21 dropped it, and a second voice's
            # notes after it came earlier; the score holds no rests, only their time)
        elif c == _HANDOVER or c in _READ_HERE:
            pass  # k: no ABC meaning, and it would become a fermata; the decorations
            # note_decorations reads: music21 reads M (the lower mordent) as a tenuto, and "~"
            # or "T" before a fermata ("~Hc") as a note, a C that is not in the tune
        else:
            out.append(c)
        i += 1
    return "".join(out)


def decoration_counts(tune: str, kept: bool = False) -> Counter[str]:
    """How many decorations of each :data:`DECORATION_KINDS` kind the tune's music lines carry
    (fields, quoted text and comments left out); with ``kept`` (:func:`read_decorations` put
    them on the notes), those the score keeps as marks are not counted."""
    body = "\n".join(re.sub(r'"[^"]*"', "", line.split("%")[0]) for line in tune.splitlines()
                     if not _FIELD_LINE.match(line))
    counts: Counter[str] = Counter()
    for m in _DECORATION.finditer(body):
        name = (m.group(1) or m.group(2) or m.group(3)).lower()
        if kept and (name in FROM_ABC or name in ("~", "t")):
            continue
        kind = next((k for k, names in DECORATION_KINDS.items() if name in names), None)
        if kind is not None:
            counts[kind] += 1
    return counts


def parse_abc(m21, text: str):
    """music21's reading of ``text`` (a tune, or a file of them) as :func:`readable_abc` makes
    it, with its fermatas restored, and its meter symbols; its chord symbols' own texts (each
    music21 chord symbol's ``editorial[CHORD_TEXT]``; ``parsed.chords_left_out``, the texts
    not kept: :func:`_chord_texts`); and the decorations music21 skips (trills, rolls,
    mordents, accents: :func:`read_decorations`), where it can tell which note each is on
    (``parsed.decorations_read``)."""
    chords: list[str] = []
    unread: list[str] = []
    parsed = m21.converter.parseData(readable_abc(text, chords, unread), format="abc")
    parsed.chords_left_out = _chord_texts(m21, parsed, chords) + unread
    _meter_symbols(m21, parsed, text)
    _locrian_header(m21, parsed, text)
    for n in parsed.recurse().notes:
        marks = [a for a in getattr(n, "articulations", ())
                 if isinstance(a, m21.articulations.StrongAccent)]
        if marks:
            n.articulations = [a for a in n.articulations if a not in marks]
            n.expressions.append(m21.expressions.Fermata())
    parsed.decorations_read = read_decorations(m21, parsed, text)
    return parsed


# where a music21 chord symbol read from ABC keeps the text the tune wrote
CHORD_TEXT = "chord-text"


def _chord_handover(text: str) -> str | None:
    """The name a chord symbol is handed to music21 as: its root and slash bass alone
    ("F#/A#" for "F#m7b5/A#"), which music21 always reads (it dropped "C°", "CΔ7" and
    "Am(maj7)", and read "C-7" as Cb7); "N.C." for no chord; None where the text is no chord
    symbol the score may hold (:func:`.chord_symbols.is_chord_text`)."""
    if is_no_chord(text):
        return NO_CHORD
    tones = chord_tones(text)
    if tones is None:
        return None
    root, bass = SHARP_NAMES[tones.root], SHARP_NAMES[tones.bass]
    return root if bass == root else f"{root}/{bass}"


def _chord_key(text: str | None) -> tuple[int, int] | None:
    """What music21 keeps of a handed-over chord symbol: its root and bass (None: no chord)."""
    tones = None if text is None else chord_tones(text)
    return None if tones is None else (tones.root, tones.bass)


def _chord_texts(m21, parsed, texts: list[str]) -> list[str]:
    """Give each chord symbol music21 read the text the tune wrote (``texts``, in the order
    written: :func:`readable_abc`), matched in order by root and bass; returns the texts not
    kept (music21 keeps one symbol a note, and none before a bar line or an "x")."""
    found = list(parsed.recurse().getElementsByClass(m21.harmony.Harmony))
    read = [None if isinstance(h, m21.harmony.NoChord) else
            (h.root().pitchClass, h.bass().pitchClass) if h.root() is not None else ()
            for h in found]
    wanted = [_chord_key(t) for t in texts]
    placed = set()
    blocks = difflib.SequenceMatcher(None, wanted, read, autojunk=False)
    for a, b, size in blocks.get_matching_blocks():
        for j in range(size):
            found[b + j].editorial[CHORD_TEXT] = texts[a + j]
            placed.add(a + j)
    return [t for k, t in enumerate(texts) if k not in placed]


@dataclass
class Struck:
    """A note or chord of an ABC tune's body, as :func:`note_decorations` reads it."""

    letter: str  # its letter (a chord's first), upper case
    marks: set[str]  # the decorations before it (.marks.FROM_ABC) and its slur ends
    tied: bool = False  # a tie from the note before leads into it (words skip it)
    bar: int = 0  # the bar it is in (counted by bar lines)
    words: dict[int, tuple[str, str]] = field(default_factory=dict)  # verse -> (syllabic, text)
    key: str | None = None  # a key change (a K: field in the body) just before it: "Eb", "Ador"
    meter: str | None = None  # ... and a meter change (an M: field): "3/4", "C|"


def note_decorations(text: str) -> list[Struck]:
    """Each note or chord of the tune's body, in the order music21 reads them (grace notes and
    rests not counted), with the marks written before it and its slur ends, and the syllables
    its ``w:`` lines sing on it (:func:`_words_under`). Of two slurs that share an end, one
    inside the other ("(D (G2 G2))"), the outer is kept: a note holds one mark of each kind."""
    lines = text.split("\n")
    k = next((i for i, line in enumerate(lines) if line.startswith("K:")), len(lines))
    out: list[Struck] = []
    pending: set[str] = set()
    chord: Struck | None = None
    grace = False
    starts = 0  # slurs opened before the next note
    opened: list[int] = []  # the note each open slur begins on
    closed: tuple[int, int] | None = None  # the last slur closed: (first note, last note)
    closing = 0  # slurs closed inside a chord (on the chord)
    tie = False  # the note before ends with a tie
    bar = 0
    unsung = 0  # the first note no w: line has reached
    verse = 0  # the w: lines under the music so far
    going_on: dict[int, bool] = {}  # per verse: its last line ended inside a word ("Hei-")
    key: str | None = None  # a K: field read since the last note
    meter: str | None = None  # an M: field read since the last note

    def struck(note: Struck) -> None:
        nonlocal starts, closing, tie, key, meter
        note.tied, note.bar, tie = tie, bar, False
        note.key, key = key, None
        note.meter, meter = meter, None
        out.append(note)
        if starts:
            note.marks.add(SLUR_START)
            opened.extend([len(out) - 1] * starts)
            starts = 0
        for _ in range(closing):
            close()
        closing = 0

    def close() -> None:
        nonlocal closed
        if not opened or not out:
            return
        first, last = opened.pop(), len(out) - 1
        if first in opened:  # a slur around it begins on the same note: that one is kept
            return
        if first == last:  # a slur on one note: none
            out[first].marks.discard(SLUR_START)
            return
        if SLUR_STOP in out[last].marks and closed is not None and closed[1] == last \
                and closed[0] not in opened:  # the slur inside it ended here too: the outer
            out[closed[0]].marks.discard(SLUR_START)  # one is kept
        out[last].marks.add(SLUR_STOP)
        closed = (first, last)

    for line in lines[k + 1:]:
        if line.startswith("w:"):
            verse += 1
            going_on[verse] = _words_under(out[unsung:], line[2:].split("%")[0], verse,
                                           going_on.get(verse, False))
            continue
        if _FIELD_LINE.match(line):
            key = _key_change(line[2:]) if line.startswith("K:") else key
            meter = _meter_change(line[2:]) if line.startswith("M:") else meter
            continue
        if verse:  # music after words: the next w: lines sing from here
            unsung, verse = len(out), 0
        body = re.sub(r'"[^"]*"', "", line.split("%")[0])
        i, n = 0, len(body)
        while i < n:
            c = body[i]
            i += 1
            if c == "{":
                grace = True
            elif c == "}":
                grace = False
            elif grace:
                continue
            elif c in "!+" and (end := body.find(c, i)) >= i:
                if body[i:end] in FROM_ABC:
                    pending.add(FROM_ABC[body[i:end]])
                i = end + 1
            elif c == "[":
                if i + 1 < n and body[i].isalpha() and body[i + 1] == ":":  # an inline field
                    end = body.find("]", i)
                    if body[i] == "K":
                        key = _key_change(body[i + 2:end if end >= 0 else n])
                    elif body[i] == "M":
                        meter = _meter_change(body[i + 2:end if end >= 0 else n])
                    i = end + 1 or n
                elif i < n and body[i] not in "|0123456789":
                    chord, pending = Struck("", pending), set()
            elif c == "]" and chord is not None:
                chord.marks |= pending
                struck(chord)
                chord, pending = None, set()
            elif c in FROM_ABC_SHORTHAND:
                pending.add(FROM_ABC_SHORTHAND[c])
            elif c in "ABCDEFGabcdefg":
                if chord is None:
                    struck(Struck(c.upper(), pending))
                else:
                    chord.letter = chord.letter or c.upper()
                    chord.marks |= pending
                pending = set()
            elif c in "zxZX":
                pending -= set(FROM_ABC.values())  # (a rest's marks are not kept; a slur
                tie = False  # goes on)
            elif c == "-" and chord is None and out:
                tie = True
            elif c == "|":
                bar += 1
            elif c == "(" and not body[i:i + 1].isdigit():  # (a digit: a tuplet)
                starts += 1
            elif c == ")":
                if chord is not None:
                    closing += 1
                else:
                    close()
    return out


def _meter_change(value: str) -> str | None:
    """The meter an ``M:`` field in a tune's body changes to ("3/4", "2/2"), None for none."""
    length = _meter_length(value)
    if length is None:
        return None
    value = value.split("%")[0].strip()
    return {"C": "4/4", "C|": "2/2"}.get(value, value.strip("()"))


def _key_change(value: str) -> str | None:
    """The key a ``K:`` field in a tune's body changes to ("Eb", "Ador", "F#m"), None where it
    names none (a clef or a transposition alone)."""
    value = value.split("%")[0].strip()
    locrian = locrian_key(value)
    if locrian is not None:
        return f"{locrian[0]}loc"  # ("B loc": the mode is a word apart)
    explicit = explicit_key(value)
    if explicit is not None:  # (one no standard signature equals: none the score can hold)
        return explicit.standard
    return value.split()[0] if re.match(r"[A-G][#b]?", value) else None


def _words_under(notes: list[Struck], line: str, verse: int, begun: bool = False) -> bool:
    """Put a ``w:`` line's syllables on ``notes`` (ABC 2.1, 5.1: one a note, tied notes one
    note; "-" between a word's syllables, "_" holds the syllable before over a note, "*" a
    note without one, "|" on to the next bar, "~" a space within a syllable, "\\-" a hyphen).
    ``begun``: the verse's line before ended inside a word; returns whether this one does."""
    sung = [n for n in notes if not n.tied]
    at = 0  # the next note to sing on

    def put(text: str, going_on: bool) -> None:
        nonlocal at, begun
        if at < len(sung):
            kind = ("middle" if going_on else "end") if begun else \
                ("begin" if going_on else "single")
            sung[at].words[verse] = (kind, text.replace("~", " ").replace("\x00", "-"))
        at += 1
        begun = going_on

    text = line.replace("\\-", "\x00")
    for token in re.findall(r"[^\s\-_*|]+-?|-|_|\*|\|", text):
        if token == "|":
            if at and at < len(sung):
                last = sung[at - 1].bar
                while at < len(sung) and sung[at].bar == last:
                    at += 1
        elif token in ("_", "*"):
            at += 1  # (a held syllable's note, or a note without one)
        elif token == "-":
            at += 1 if begun else 0  # (a note on which the word's syllable is held)
        else:
            put(token.rstrip("-"), token.endswith("-"))
    return begun


def read_decorations(m21, parsed, text: str) -> bool:
    """Put the marks :func:`note_decorations` finds on music21's notes (as its own
    articulations and ornaments, a roll as :func:`_roll`, slur ends in the editorial entry
    ``notation`` reads), matched by their letters in order (music21 splits some notes in
    two: "B3/4" came as two tied notes); False where a marked note finds none and nothing was
    put (the caller then says the decorations were not kept). music21's own slurs are taken
    out either way: a slur around a triplet, "((3DEF)", ran to the tune's end
    (``parsed.slurs_dropped`` counts them where nothing was put)."""
    from .marks import ACCENT_DYNAMICS, DYNAMICS, EDITORIAL, ENDS, FINGERS, FROM_MUSIC21

    wanted = note_decorations(text)
    notes = [x for x in parsed.recurse().notes if not x.duration.isGrace]
    slurs = [*parsed.recurse().getElementsByClass(m21.spanner.Slur),
             *parsed.recurse().getElementsByClass(m21.dynamics.DynamicWedge)]
    for sp in slurs:
        for site in list(sp.sites.get()):
            if hasattr(site, "remove"):
                with contextlib.suppress(Exception):
                    site.remove(sp)
    steps = "".join(x.pitches[0].step if x.pitches else "?" for x in notes)
    letters = "".join(x.letter or "?" for x in wanted)
    found: dict[int, int] = {}  # token -> note
    if steps == letters:
        found = dict(enumerate(range(len(notes))))
    else:
        blocks = difflib.SequenceMatcher(None, letters, steps, autojunk=False)
        for a, b, size in blocks.get_matching_blocks():
            found.update((a + j, b + j) for j in range(size))
    matched = all(t in found for t, x in enumerate(wanted)
                  if x.marks or x.words or x.key or x.meter)
    parsed.slurs_dropped = 0 if matched else len(slurs)
    parsed.words_read = matched and any(x.words for x in wanted)
    if not matched:
        return False
    classes = {name: cls for cls_name, name in FROM_MUSIC21.items()
               for cls in (getattr(m21.articulations, cls_name, None)
                           or getattr(m21.expressions, cls_name, None),) if cls is not None}
    classes["roll"] = _roll(m21)
    for finger in FINGERS:
        classes[finger] = lambda k=int(finger[-1]): m21.articulations.Fingering(k)
    for t, note_index in found.items():
        marks = wanted[t].marks
        note = notes[note_index]
        if wanted[t].key:
            _key_at(m21, note, wanted[t].key)
        if wanted[t].meter:
            _meter_at(m21, note, wanted[t].meter)
        for verse, (syllabic, text) in sorted(wanted[t].words.items()):
            if text:
                note.lyrics.append(m21.note.Lyric(text, number=verse, syllabic=syllabic))
        ends = marks & (ENDS | set(DYNAMICS) | set(ACCENT_DYNAMICS))  # (notation reads these)
        if ends:
            note.editorial[EDITORIAL] = ends
        for name in marks - ends:
            made = classes[name]()
            where = note.articulations if isinstance(made, m21.articulations.Articulation) \
                else note.expressions
            if not any(type(x) is type(made) for x in where):
                where.append(made)
    return True


def _locrian_header(m21, parsed, text: str) -> None:
    """The tune's opening signature as the Locrian key its ``K:`` field names, where it names
    one (read by music21 as the major key of that signature: :func:`_locrian_as_major`)."""
    header = next((line for line in text.split("\n") if line.startswith("K:")), None)
    found = locrian_key(header[2:]) if header else None
    if found is None:
        return
    for ks in list(parsed.recurse().getElementsByClass(m21.key.KeySignature)):
        site = ks.activeSite
        if site is not None and ks.getOffsetInHierarchy(parsed) == 0 and \
                ks.sharps == found[1]:
            site.replace(ks, m21.key.Key(found[0].replace("b", "-"), "locrian"))


def _key_at(m21, note, value: str) -> None:
    """A key change read from the text (music21 reads the notes after a ``K:`` field in the
    body in the new key but keeps no signature there) put before ``note`` in its measure, where
    the score's reader finds signatures (a fuzz run: a tune's second part in E-flat was read
    with G major's signature, and continued in G)."""
    with contextlib.suppress(Exception):
        locrian = locrian_key(value)
        if locrian is not None:
            made = m21.key.Key(locrian[0].replace("b", "-"), "locrian")
        else:
            meta = m21.abcFormat.ABCMetadata("K:" + value)
            meta.preParse()
            made = meta.getKeySignatureObject()
        where = note.activeSite
        if where is not None:
            where.insert(note.offset, made)


def _meter_at(m21, note, value: str) -> None:
    """A meter change read from the text (music21 drops an ``M:`` field in the body: a tune
    that changes to 3/4 was read, and continued, in 4/4 with its bar lines astray; a fuzz
    run) put at the start of ``note``'s bar, where the score's reader finds meters."""
    with contextlib.suppress(Exception):
        where = note.activeSite
        if isinstance(where, m21.stream.Measure) and \
                not where.getElementsByClass(m21.meter.TimeSignature):
            where.insert(0, m21.meter.TimeSignature(value))


_ROLL: list = []


def _roll(m21):
    """music21's turn, named as the Irish roll ABC's "~" writes (it has no roll of its own)."""
    if not _ROLL:
        _ROLL.append(type("Roll", (m21.expressions.Turn,), {}))
    return _ROLL[0]


# a meter field, on its own line or inline in the tune's body (``[M:C|]``)
_METER_FIELD = re.compile(r"^M:([^\n%]*)|\[M:([^\]]*)\]", re.MULTILINE)
# ABC's meter symbols, which music21 reads as the meter they stand for and no symbol
_ABC_SYMBOLS = {"C": ("common", "4/4"), "C|": ("cut", "2/2")}


def _meter_symbols(m21, parsed, text: str) -> None:
    """``M:C`` and ``M:C|`` as common and cut time: the meter music21 reads them as is marked
    with the symbol, unless the text also writes that meter in numbers."""
    fields = {(a or b).strip() for a, b in _METER_FIELD.findall(text)}
    marked = {ratio: symbol for field, (symbol, ratio) in _ABC_SYMBOLS.items()
              if field in fields and ratio not in fields}
    if marked:
        for ts in parsed.recurse().getElementsByClass(m21.meter.TimeSignature):
            if ts.ratioString in marked:
                ts.symbol = marked[ts.ratioString]
