"""ABC text as music21 should read it, and the marks music21 would lose or misread in it.

music21 reads ABC well enough for notes, but three things in real files went wrong:

* An accidental held for one note (music21 reads a file that names no version as ABC 1.3):
  ``K:G``, "_B2B2" sounded B-flat, B natural (a listening review heard Bb-B flips in an Essen
  song; 34 of O'Neill's first 300 tunes have such a note). ABC 2.1 holds it to the bar's end.
* ``H``, the fermata, dropped the note it stands before: ``e3d Hg2`` lost its g, leaving the bar
  a quarter short (227 such notes in O'Neill's tunes, 139 in Aird's Airs).
* ABC 2.0's ``+fermata+`` decorations were read as notes (f, e, a, a).

So the text is rewritten before music21 sees it, and a fermata (``H``, ``!fermata!``,
``+fermata+``) is handed over as a mark music21 does keep (``k``, its "strong accent", which ABC
itself does not define) and turned back into a fermata after parsing (:func:`parse_abc`).
"""

from __future__ import annotations

import re
from collections import Counter

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


def readable_abc(text: str) -> str:
    """``text`` (ABC) with accidentals held to the bar's end, ``+deco+`` written ``!deco!``, and
    each fermata handed over as :data:`_HANDOVER`."""
    lines = [line if _FIELD_LINE.match(line) or line.startswith("%") else _body_line(line)
             for line in text.split("\n")]
    out = "\n".join(lines)
    if re.search(r"(?m)^%abc-\d|propagate-accidentals", text):
        return out
    return _PROPAGATION + out


def _body_line(line: str) -> str:
    """One line of music, its decorations rewritten; quoted text, inline fields and comments
    are copied as they are."""
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
            out.append(line[i:end + 1])
            i = end + 1
            continue
        if c == "[" and i + 2 < n and line[i + 1].isalpha() and line[i + 2] == ":":
            end = line.find("]", i)
            end = n - 1 if end < 0 else end
            out.append(line[i:end + 1])
            i = end + 1
            continue
        if c in "!+":
            end = line.find(c, i + 1)
            name = line[i + 1:end] if end > i else ""
            if end > i and name in DECORATIONS:  # others are left to music21 as before
                out.append(_HANDOVER if name in FERMATAS else f"!{name}!")
                i = end + 1
                continue
        if c == "H":
            out.append(_HANDOVER)
        elif c == _HANDOVER:
            pass  # no ABC meaning, and it would become a fermata
        else:
            out.append(c)
        i += 1
    return "".join(out)


def decoration_counts(tune: str) -> Counter[str]:
    """How many decorations of each :data:`DECORATION_KINDS` kind the tune's music lines carry
    (fields, quoted text and comments left out)."""
    body = "\n".join(re.sub(r'"[^"]*"', "", line.split("%")[0]) for line in tune.splitlines()
                     if not _FIELD_LINE.match(line))
    counts: Counter[str] = Counter()
    for m in _DECORATION.finditer(body):
        name = (m.group(1) or m.group(2) or m.group(3)).lower()
        kind = next((k for k, names in DECORATION_KINDS.items() if name in names), None)
        if kind is not None:
            counts[kind] += 1
    return counts


def parse_abc(m21, text: str):
    """music21's reading of ``text`` (a tune, or a file of them) as :func:`readable_abc` makes
    it, with its fermatas restored, and its meter symbols."""
    parsed = m21.converter.parseData(readable_abc(text), format="abc")
    _meter_symbols(m21, parsed, text)
    for n in parsed.recurse().notes:
        marks = [a for a in getattr(n, "articulations", ())
                 if isinstance(a, m21.articulations.StrongAccent)]
        if marks:
            n.articulations = [a for a in n.articulations if a not in marks]
            n.expressions.append(m21.expressions.Fermata())
    return parsed


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
