"""A cheap look at a notation file's raw text before music21 parses it.

music21 believes what a file says: ``<fifths>4294967296</fifths>`` runs for minutes and
``<beats>1000000</beats>`` or an ABC note 99,999,999 sixteenths long fills gigabytes (issue 14).
Values that no music needs are refused here, by a regular-expression pass over the text that
takes milliseconds, with a message that names the value: key signatures beyond 7 sharps or flats,
meters beyond what MIDI holds, note lengths and positions beyond the maximum score length
(music/limits.py), absurd tuplets, octaves and staff counts, and compressed files that unpack to
more than :data:`MAX_UNPACKED_BYTES`. What passes may still be slow or broken: safe_read.py
parses it in a worker process with a time and a memory limit.
"""

from __future__ import annotations

import re
import zipfile
from fractions import Fraction
from pathlib import Path

from . import limits
from .errors import ScoreFileError

MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # a compressed MusicXML file that unpacks to more: refused
MAX_TUPLET = 64  # notes in the time of ...
MAX_STAVES = 64  # staves in one MusicXML part
# A length, tuplet or repeat number in an ABC tune's body. music21 splits a long note bar by bar
# slowly: one note 255 eighths long (32 bars of 6/8) takes 6 s to read here.
MAX_ABC_NUMBER = 128
MAX_UNIT_DENOMINATOR = 512  # ABC's L:1/N


def check(path: str | Path, kind: str, tune: int = 0) -> None:
    """Raise ScoreFileError if a MusicXML (``kind`` "musicxml") or ABC ("abc") file holds a value
    no music needs. Other kinds pass. Of an ABC file, tune ``tune`` (from 0) and the header
    before its first tune are read, and so checked: one tune with such a value does not bar the
    file's others."""
    path = Path(path)
    where = ""
    if kind == "musicxml":
        reason = musicxml_problem("\n".join(_decode(d) for d in musicxml_documents(path)))
    elif kind == "abc":
        header, tunes = abc_blocks(_decode(_read(path)))
        reason = abc_problem(header + (tunes[tune] if 0 <= tune < len(tunes) else ""))
        where = f"tune {tune + 1} " if len(tunes) > 1 else ""
    else:
        return
    if reason:
        raise ScoreFileError(path, f"{where}was not read: {reason}")


def abc_blocks(text: str) -> tuple[str, list[str]]:
    """An ABC file's header (what comes before its first ``X:`` field; all of it without one)
    and its tunes, each from its ``X:`` line on."""
    blocks = re.split(r"(?m)^(?=X:)", text)
    return ("" if blocks[0].startswith("X:") else blocks[0]), \
        [t for t in blocks if t.startswith("X:")]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ScoreFileError(path, f"could not be read ({exc.strerror or exc})") from None


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")


def musicxml_documents(path: Path) -> list[bytes]:
    """The MusicXML document(s) of a file: a .musicxml/.xml file's bytes, or each score document
    in a .mxl archive (META-INF left out). A broken archive, or one that unpacks to more than
    :data:`MAX_UNPACKED_BYTES`, raises ScoreFileError."""
    path = Path(path)
    if path.suffix.lower() != ".mxl":
        return [_read(path)]
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
                raise ScoreFileError(path, f"was not read: it unpacks to more than "
                                     f"{MAX_UNPACKED_BYTES // 2**20} MB")
            names = [i.filename for i in infos if not i.filename.startswith("META-INF")
                     and i.filename.lower().endswith((".xml", ".musicxml"))]
            return [archive.read(n) for n in names]
    except ScoreFileError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError) as exc:  # zipfile's own range for a broken archive
        raise ScoreFileError(path, f"is not a readable compressed MusicXML file ({exc})") from None


_HUGE = 10**18  # stands in for a number too long to convert (int() refuses 4,300+ digits)


def _int(digits: str) -> int:
    return int(digits) if len(digits) <= 18 else _HUGE


def _ints(text: str) -> list[int]:
    return [_int(x) for x in re.findall(r"\d+", text)]


def _number(text: str) -> Fraction | None:
    if len(text) > 40:
        return Fraction(-_HUGE if text.lstrip().startswith("-") else _HUGE)
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        return None


def _meter_problem(numerators: list[int], denominators: list[int], text: str) -> str:
    if sum(numerators) > limits.MAX_METER_NUMERATOR:
        return (f"the meter {text} has more than {limits.MAX_METER_NUMERATOR} beats "
                "in a bar")
    if any(not 1 <= d <= limits.MAX_METER_DENOMINATOR for d in denominators):
        return f"the meter {text} has an impossible beat unit"
    return ""


_XML_TAG = re.compile(
    r"<(fifths|beats|beat-type|divisions|duration|octave|actual-notes|normal-notes|staves)>"
    r"([^<]*)</\1>")


def musicxml_problem(text: str) -> str:
    """'' if nothing in the MusicXML text is out of bounds, else the reason (for the user)."""
    divisions = 1
    measures = len(re.findall(r"<measure[\s>]", text))
    parts = max(1, len(re.findall(r"<part[\s>]", text)))
    if re.search(r"<score-(?:partwise|timewise)[\s>]", text) and \
            not re.search(r"<(?:score-)?part[\s>]", text):
        return "it holds no parts"  # (music21 said "'Score' object has no attribute ...")
    if measures / parts > limits.MAX_QUARTERS:
        return f"it has {measures // parts:,} bars, beyond the maximum score length " \
               f"({limits.DESCRIPTION})"
    for match in _XML_TAG.finditer(text):
        tag, value = match.group(1), match.group(2).strip()
        if tag == "beats":
            problem = _meter_problem(_ints(value), [], value)
            if problem:
                return problem
            continue
        number = _number(value)
        if number is None:
            continue  # music21 reports what it cannot read
        if tag == "fifths" and abs(number) > limits.MAX_FIFTHS:
            return (f"a key signature of {value} fifths (at most {limits.MAX_FIFTHS} sharps "
                    "or flats)")
        if tag == "beat-type" and not 1 <= number <= limits.MAX_METER_DENOMINATOR:
            return f"a meter with the beat unit {value}"
        if tag == "divisions":
            if number <= 0 or number > limits.MAX_TICKS:
                return f"{value} divisions per quarter note"
            divisions = number
        if tag == "duration" and abs(number) / divisions > limits.MAX_QUARTERS:
            return (f"a note or rest {float(abs(number) / divisions):,.0f} quarter notes long, "
                    f"beyond the maximum score length ({limits.DESCRIPTION})")
        if tag == "octave" and not -1 <= number <= 10:
            return f"a note in octave {value}"
        if tag in ("actual-notes", "normal-notes") and not 0 < number <= MAX_TUPLET:
            return f"a tuplet of {value} notes"
        if tag == "staves" and not 0 < number <= MAX_STAVES:
            return f"a part with {value} staves"
    return ""


_ABC_FIELD = re.compile(r"^\s*([A-Za-z+]):(.*)$")
_ABC_INLINE = re.compile(r"\[([A-Za-z]):([^\]]*)\]")
# what in a tune body is not notes: comments, chord symbols and annotations, decorations
_ABC_NOT_NOTES = re.compile(r'%.*$|"[^"]*"|![^!\n]*!|\+[^+\n]*\+')


def _abc_field_problem(field: str, value: str) -> str:
    value = value.split("%", 1)[0].strip()
    if field == "M":
        if not value or value.lower() in ("c", "c|", "none"):
            return ""
        top, _, bottom = value.partition("/")
        return _meter_problem(_ints(top), _ints(bottom), value)
    if field == "L":
        numbers = _ints(value)
        if len(numbers) == 2 and (numbers[1] == 0 or numbers[1] > MAX_UNIT_DENOMINATOR
                                  or numbers[0] > MAX_ABC_NUMBER):
            return f"a unit note length of {value}"
        if len(numbers) == 1 and numbers[0] > MAX_ABC_NUMBER:
            return f"a unit note length of {value}"
    return ""


def abc_problem(text: str) -> str:
    """'' if nothing in the ABC text is out of bounds, else the reason (for the user)."""
    for line in text.splitlines():
        field = _ABC_FIELD.match(line)
        if field:
            problem = _abc_field_problem(field.group(1).upper(), field.group(2))
            if problem:
                return problem
            continue
        body = _ABC_NOT_NOTES.sub(" ", line)
        for inline in _ABC_INLINE.finditer(body):
            problem = _abc_field_problem(inline.group(1).upper(), inline.group(2))
            if problem:
                return problem
        body = _ABC_INLINE.sub(" ", body)
        for number in re.findall(r"\d+", body):
            if _int(number) > MAX_ABC_NUMBER:
                return (f"the number {number[:12]}{'...' * (len(number) > 12)} in a tune "
                        f"(a note length, tuplet or repeat: at most {MAX_ABC_NUMBER})")
    return ""
