"""MusicXML (.musicxml/.xml/.mxl) and ABC: reading through music21, writing through our own
``musicxml_writer`` (music21's makeNotation was slow and wrote tuplets notation programs refused).

``read_notation`` is the one entry point for reading: it keeps each note's spelling, the clefs,
part abbreviations, the pickup and fermatas, joins a piano's two staves into one part, and turns
music21's Python warnings into the app's own. music21 is imported lazily: it costs about a second
at start-up.
"""

from __future__ import annotations

import bisect
import contextlib
import io
import itertools
import re
import sys
import warnings as _py_warnings
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from .abc_text import CHORD_TEXT, decoration_counts, explicit_key, parse_abc, unheld_keys
from .atomic import atomic_write, check_readable
from .chord_symbols import NO_CHORD, chord_tones, kind_text
from .clefs import CLEF_SIGNS, clef_by_range, staff_split_of
from .errors import ScoreFileError, one_line
from .gm import program_for_name, programs_for_names
from .marks import (
    ACCENT_DYNAMICS,
    CRESCENDO,
    DIMINUENDO,
    DYNAMICS,
    EDITORIAL,
    FINGER_MARKS,
    PEDAL_MARKS,
    SLUR_START,
    SLUR_STOP,
    dynamic,
    mark_of,
    of_music21,
    pedal_anchors,
)
from .musicxml_writer import musicxml_text
from .prescan import abc_blocks, musicxml_documents
from .score import (
    DEFAULT_VELOCITY,
    DRUM_CHANNEL,
    MODE_ALIASES,
    MODE_DEGREES,
    TPQ,
    UNSTATED_TEMPO,
    ChordSymbol,
    KeySignature,
    Note,
    Part,
    Score,
    TempoChange,
    TimeSignature,
    meter_symbol,
    sorted_notes,
    syllabic_lyric,
)
from .spelling import key_spelling

_FORMATS = {".abc": "abc", ".mxl": "musicxml", ".xml": "musicxml", ".musicxml": "musicxml"}


def _m21():
    if "music21" not in sys.modules:
        # music21 tells stderr on import that matplotlib (its graphs) is missing: not ours to say
        with contextlib.redirect_stderr(io.StringIO()):
            import music21
    import music21

    return music21


def read_notation(path: str | Path, warnings: list[str] | None = None,
                  tune: int | None = None) -> Score:
    """Read MusicXML, compressed MusicXML or ABC. A multi-tune ABC file gives its first tune,
    or tune number ``tune`` (from 0: :func:`abc_tune_titles`), read alone after the file's
    header."""
    path = check_readable(path)
    warnings = warnings if warnings is not None else []
    m21 = _m21()
    fmt = _FORMATS.get(path.suffix.lower())
    what = {"abc": "ABC", "musicxml": "MusicXML"}.get(fmt or "", "notation")
    if path.suffix.lower() == ".mxl" and not zipfile.is_zipfile(path):
        raise ScoreFileError(path, "is not compressed MusicXML (.mxl files are zip archives)")
    with _py_warnings.catch_warnings(record=True) as caught:
        _py_warnings.simplefilter("always")
        try:
            drums = _pitched_drums(path) if fmt == "musicxml" else None
            voiced = None
            index, tune, chosen = tune, None, None
            if fmt == "abc":
                found = _abc_tune(path, index or 0)
                if index is not None and (found is None or not 0 <= index < max(found[1], 1)):
                    raise ScoreFileError(path, _no_tune(index, max(found[1], 1) if found else 0))
                if found is not None:  # the tune alone: music21 would read every tune
                    chosen = found[2] + found[0]  # (200 tunes: 5.4 s, where one takes 0.03 s)
                    if index is None and found[1] > 1:
                        warnings.append(f"the file holds {found[1]} tunes; read the first")
                tune = found[:2] if found is not None else None
            if tune is not None:
                try:
                    voiced = _abc_voices(tune[0], tune[1], warnings)
                except ValueError:  # left to music21 as the file is
                    voiced = None
            if drums is not None:
                parsed = m21.converter.parseData(drums, format="musicxml")
            elif voiced is not None:
                parsed = parse_abc(m21, voiced[0])
            elif chosen is not None:
                parsed = parse_abc(m21, chosen)
            else:
                parsed = m21.converter.parse(str(path), format=fmt, forceSource=True)
        except ScoreFileError:
            raise
        except Exception as exc:  # music21 raises many unrelated types for broken input
            raise ScoreFileError(path, f"could not be read as {what} ({_reason(exc)})") from None
    _own_warnings(caught, warnings)
    if isinstance(parsed, m21.stream.Opus):
        scores = list(parsed.scores)
        if not scores:
            raise ScoreFileError(path, "holds no tunes")
        if len(scores) > 1:
            warnings.append(f"the file holds {len(scores)} tunes; read the first")
        parsed = scores[0]
    _to_sounding_pitch(parsed)  # (before the repeats are written out)
    words = 0 if _has_repeats(m21, parsed) else _more_verses(parsed)  # (else counted below)
    if words:
        warnings.append(f"the words after the first verse (on {words} note"
                        f"{'s' if words > 1 else ''}) are not kept: the score holds one verse")
    elif tune is not None and not getattr(parsed, "words_read", False) and \
            re.search(r"(?m)^[wW]:[ \t]*\S", tune[0]):  # (abc_text could not place them)
        warnings.append("the words (w: lines) are not kept: the score holds the notes only")
    marks = _markings(m21, parsed, tune[0] if tune is not None else "",
                      getattr(parsed, "decorations_read", False))
    unread = list(getattr(parsed, "chords_left_out", ()))  # (an ABC tune's: abc_text)
    pedals = _pedal_times(_musicxml_bytes(Path(path))) if fmt == "musicxml" else None
    _mark_notes(m21, parsed, pedals)  # (before the repeats are written out: copies keep them)
    if marks:
        warnings.append(f"the {marks} are not kept: the score holds the notes only")
    written = _bar_count(parsed)  # (the words and marks above counted as written, once)
    expanded = _as_played(m21, parsed, warnings) if _has_repeats(m21, parsed) else None
    if _has_repeats(m21, parsed):
        words = _more_verses(parsed) if expanded is None else _sung_by_pass(m21, expanded)
        if words:
            warnings.append(f"the words of verses that no time through the repeats sings (on "
                            f"{words} note{'s' if words > 1 else ''}) are not kept: the score "
                            "keeps the verse sung each time through")
    parsed = parsed if expanded is None else expanded
    with _py_warnings.catch_warnings(record=True) as caught:
        _py_warnings.simplefilter("always")
        try:
            programs, unnamed = _score_parts(path) if fmt == "musicxml" else ({}, frozenset())
            score = score_from_music21(parsed, title=path.stem, warnings=warnings,
                                       programs=programs, unnamed=unnamed, marks_put=True,
                                       unread_chords=unread)
        except Exception as exc:
            raise ScoreFileError(path, f"could not be read as {what} ({_reason(exc)})") from None
    _own_warnings(caught, warnings)
    if score.note_count == 0:
        raise ScoreFileError(path, "holds no notes")
    if unread:
        shown = ", ".join(f'"{t}"' for t in dict.fromkeys(unread[:3]))
        warnings.append(f"{len(unread)} chord symbol{'s' if len(unread) > 1 else ''} not "
                        f"kept ({shown}{', ...' if len(unread) > 3 else ''}): not a chord "
                        "the score can hold, or not on a note")
    if expanded is not None:
        warnings.append(f"repeat signs and endings are written out as played: {written} bars "
                        f"as written, {score.bar_count()} as played"
                        if score.bar_count() != written else _READ_ONCE)
    if score.title in (path.name, MUSIC21_PLACEHOLDER):
        # music21 names an untitled MusicXML score after its file, and writes its own
        # placeholder title into every untitled score it saves (files from other tools)
        score = replace(score, title=path.stem)
    elif FILE_TITLE.fullmatch(score.title):
        # ... and a copy saved under another name keeps that file's name as its title (a
        # copyist's review read "bwv40.8.mxl" over a chorale): the name, not the extension
        score = replace(score, title=FILE_TITLE.fullmatch(score.title).group(1))
    if tune is not None and score.key_signatures and _abc_without_key(tune[0]):
        score = replace(score, key_signatures=())  # music21 reads "K:none" as C major
    for field in unheld_keys(tune[0]) if tune is not None else ():
        warnings.append(f'the key signature "K:{field}" is no standard one: its accidentals '
                        "are read on the notes, and the score holds no key signature for it")
    if fmt == "abc":  # K:D says D major as K:Bm says B minor (KeySignature.mode_stated)
        score = replace(score, key_signatures=tuple(
            replace(k, mode_stated=True) for k in score.key_signatures))
    if voiced is not None and len(voiced[1]) == len(score.parts):
        # the voices' own names and clefs; a voice without a clef gets one by its range (music21
        # gives every ABC part a treble clef). An ABC voice is one staff: a voice left without
        # a clef was engraved as a piano's grand staff (a listening review's tenor)
        named = [replace(p, name=name) if name and not p.name else p
                 for p, name in zip(score.parts, voiced[1], strict=True)]
        # (ABC states no program: the voices' names say what they sound as)
        named = _named_programs(named, {i: "" for i, p in enumerate(score.parts) if not p.name})
        score = score.with_parts([
            replace(p, clef=clef or clef_by_range(p.notes, p.name)) if p.clef != "grand" else p
            for p, clef in zip(named, voiced[2], strict=True)])
    elif fmt == "abc" and tune is not None and not re.search(r"\bclef\s*=", tune[0]):
        # a tune that names no clef is on the clef its range asks for: music21 chose it from
        # the chord symbols' notes too, low in the bass, and a tune in A minor with "Am" and
        # "Dm" came out in the bass clef (a review)
        score = score.with_parts([replace(p, clef=clef_by_range(p.notes, p.name))
                                  if p.clef not in ("grand", "treble", "") and not p.is_drum
                                  else p for p in score.parts])
    if fmt == "abc" and voiced is None and tune is not None and len(score.parts) == 1 and \
            not score.parts[0].name:
        # (a tune of one voice named in its V: field, as the ABC export names a part)
        named = re.search(r'(?m)^V:\s*\S+.*?\b(?:nm|name)\s*=\s*"([^"]*)"', tune[0])
        if named and named.group(1).strip():
            score = score.with_parts([replace(score.parts[0], name=named.group(1).strip())])
    if fmt == "abc" and any(not p.notes for p in score.parts):
        empty = [i + 1 for i, p in enumerate(score.parts) if not p.notes]
        score = score.with_parts([p for p in score.parts if p.notes])
        warnings.append(f"dropped {len(empty)} voice(s) without notes (voice "
                        f"{', '.join(map(str, empty))})")
    return score


# a title that is a file's name: the name, then a music file's extension
FILE_TITLE = re.compile(r"(.+)\.(?:mxl|musicxml|xml|midi?|abc|krn)", re.IGNORECASE)
# the title music21 writes into an untitled score it saves: not the piece's name
MUSIC21_PLACEHOLDER = "Music21 Fragment"
# ABC voice names that say which choir voice they are
_VOICE_NAMES = {"s": "Soprano", "a": "Alto", "t": "Tenor", "b": "Bass"}
# ABC's clef names (``V:T clef=treble-8``) as the score model names them
_ABC_CLEFS = {"treble": "treble", "treble-8": "treble-8vb", "treble+8": "treble-8va",
              "bass": "bass", "bass-8": "bass-8vb", "alto": "alto", "tenor": "tenor",
              "perc": "percussion"}


def _no_tune(index: int, count: int) -> str:
    """Why an ABC file has no tune ``index`` (from 0), with how many it holds: a trial's
    ``--tune 5`` of a file of four was told only "holds no tune 5"."""
    if count == 0:
        return f"holds no tune {index + 1}: no tune could be read from it"
    if count == 1:
        return f"holds no tune {index + 1}: it holds one tune"
    return f"holds no tune {index + 1}: its {count} tunes are numbered 1 to {count}"


def _abc_tune(path: Path, index: int = 0) -> tuple[str, int, str] | None:
    """Tune ``index`` of an ABC file (from its ``X:`` line; the whole text if it has none), how
    many tunes the file holds, and the file's header (what comes before its first tune);
    None if the file cannot be read (music21 then says why)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    header, tunes = abc_blocks(text)
    if not tunes:
        return text, 0, ""
    return tunes[min(index, len(tunes) - 1)], len(tunes), header


def abc_tune_titles(path: str | Path) -> list[str]:
    """The title (first ``T:`` field, "" without one) of each tune of an ABC file, in order: one
    per ``X:`` field, none for a file without one or that cannot be read. A text scan (no
    music21): the window asks which tune of a collection to open before the worker parses it."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [(re.search(r"(?m)^T:[ \t]*(.*?)[ \t]*$", t) or [None, ""])[1]
            for t in abc_blocks(text)[1]]


def _abc_voices(tune: str, tunes: int, warnings: list[str]
                ) -> tuple[str, list[str], list[str]] | None:
    """``tune`` (an ABC file's first, of ``tunes``) when it has two or more voices (``V:``),
    rewritten the one way
    music21 reads every voice as its own part: each voice's music gathered after one ``V:n``
    line in the body. Voices declared in the header, named (``V:S``) or switched inline
    (``[V:A] ...``) otherwise came out as one long part, or as empty extra parts (a listening
    review's SATB chorales). With the voices' names (``nm=``/``name=``, else the id; S, A, T,
    B as Soprano, Alto, Tenor, Bass) and clefs (``clef=``, as the score model names them; ""
    where the voice gives none or one the model lacks: music21 reads ``clef=treble-8`` as a
    plain treble clef, and a tenor part was engraved an octave high). None when the tune has
    fewer than two voices."""
    if not tunes:
        return None
    lines = tune.splitlines()
    k = next((i for i, line in enumerate(lines) if line.startswith("K:")), None)
    if k is None:
        return None
    order: list[str] = []
    attrs: dict[str, str] = {}
    music: dict[str, list[str]] = {}

    def declare(vid: str, rest: str) -> None:
        if vid not in attrs:
            order.append(vid)
            attrs[vid], music[vid] = rest.strip(), []
        elif rest.strip() and not attrs[vid]:
            attrs[vid] = rest.strip()

    header = []
    for line in lines[:k + 1]:
        m = re.match(r"V:\s*(\S+)(.*)$", line)
        if m:
            declare(m.group(1), m.group(2))
        else:
            header.append(line)
    current: str | None = None
    before: list[str] = []  # music before any voice is named: the first voice's
    for line in lines[k + 1:]:
        m = re.match(r"V:\s*(\S+)(.*)$", line)
        if m:
            declare(m.group(1), m.group(2))
            current = m.group(1)
            continue
        pieces = re.split(r"\[V:\s*([^\]\s]+)[^\]]*\]", line)
        if len(pieces) > 1:
            if pieces[0].strip():
                (music[current] if current else before).append(pieces[0])
            for vid, segment in zip(pieces[1::2], pieces[2::2], strict=True):
                declare(vid, "")
                current = vid
                if segment.strip():
                    music[vid].append(segment)
            continue
        (music[current] if current else before).append(line)
    if len(order) < 2:
        return None
    music[order[0]][:0] = [line for line in before if line.strip()]
    out = list(header)
    names, clefs = [], []
    for i, vid in enumerate(order):
        named = re.search(r"\b(?:nm|name)\s*=\s*\"([^\"]*)\"", attrs[vid])
        names.append(named.group(1) if named else _VOICE_NAMES.get(
            vid.lower(), "" if vid.isdigit() else vid))
        clef = re.search(r"\bclef\s*=\s*([A-Za-z]+[+-]?8?)", attrs[vid])
        clefs.append(_ABC_CLEFS.get(clef.group(1).lower(), "") if clef else "")
        out.append(f"V:{i + 1} {attrs[vid]}".rstrip())
        out.extend(music[vid])
    if tunes > 1:
        warnings.append(f"the file holds {tunes} tunes; read the first")
    return "\n".join(out) + "\n", names, clefs


def _has_repeats(m21, parsed) -> bool:
    """Whether the file has repeat barlines, first/second endings or a D.C. or D.S. (the score
    model has none: a listening review found an ABC tune's |: :| dropped without a word)."""
    try:
        return any(True for _ in parsed.recurse().getElementsByClass(
            (m21.bar.Repeat, m21.spanner.RepeatBracket, m21.repeat.RepeatExpressionCommand)))
    except Exception:  # a stream music21 cannot walk: nothing to say
        return False


_READ_ONCE = "repeat signs and endings are not kept: the music is read once, as written"


def _as_played(m21, parsed, warnings: list[str]):
    """The music with its repeats and first/second endings written out as they are played (the
    score is a timeline, as a piano roll and a MIDI file are): read once, a tune's first and
    second endings had followed each other, a bar too many in every strain. None where music21
    cannot expand them, with a warning that the music is read as written (else the caller
    says how many bars the music now has)."""
    if any(True for _ in parsed.recurse().getElementsByClass(
            m21.repeat.RepeatExpressionCommand)):
        order = _jump_order(m21, _parts(parsed))
        if order is None:
            warnings.append(f"{_READ_ONCE} (its D.C. or D.S. could not be followed)")
            return None
        played = _in_order(m21, parsed, order)
        _drop_restated_marks(m21, played)
        return played
    with _py_warnings.catch_warnings():
        _py_warnings.simplefilter("ignore")
        try:
            for part in _parts(parsed):
                _open_repeats(m21, part)
            played = parsed.expandRepeats()
        except Exception as exc:  # music21 raises its own types for repeats it cannot follow
            unclosed = _unclosed_repeat(m21, parsed)
            why = _reason(exc) if unclosed is None else \
                f"the start repeat |: of bar {unclosed} has no end repeat :|"
            warnings.append(f"{_READ_ONCE} ({why})")
            return None
    _drop_restated_marks(m21, played)
    return played


# the D.C. and D.S. kinds: (where they go back to, whether they end at Fine, at a coda)
_JUMPS = {"DaCapo": ("start", False, False), "DaCapoAlFine": ("start", True, False),
          "DaCapoAlCoda": ("start", False, True), "DalSegno": ("segno", False, False),
          "DalSegnoAlFine": ("segno", True, False), "DalSegnoAlCoda": ("segno", False, True)}


def _jump_order(m21, parts) -> list[int] | None:
    """The bars (indices) in the order they are played, for music with a D.C. or D.S.: repeats
    and first and second endings as written until the jump; after it, as MuseScore plays
    them, no repeat taken and of each set of endings the last, to the Fine, into the coda at
    "To Coda" (the first coda sign; the coda is the last), or to the end. music21's
    expandRepeats played a trial's D.C. al Fine with first and second endings 25 bars long,
    both endings the second time through and the repeat again after the D.C., where MuseScore
    plays 23. None where the parts' bars differ or a jump's target is not found."""
    bars = [list(p.getElementsByClass(m21.stream.Measure)) for p in parts]
    if not bars or not bars[0] or len({len(b) for b in bars}) > 1:
        return None
    measures = bars[0]
    n = len(measures)
    index = {id(m): i for i, m in enumerate(measures)}
    endings: dict[int, tuple[set[int], int]] = {}  # bar -> (its numbers, its set's last)
    groups: list[list[tuple[list[int], set[int]]]] = []
    found = [([index[id(x)] for x in b.getSpannedElements() if id(x) in index],
              set(b.numberRange)) for b in parts[0].recurse().getElementsByClass(
                  m21.spanner.RepeatBracket)]
    for spanned, numbers in sorted((f for f in found if f[0]), key=lambda f: f[0][0]):
        if groups and groups[-1][-1][0][-1] + 1 == spanned[0]:
            groups[-1].append((spanned, numbers))
        else:
            groups.append([(spanned, numbers)])
    for group in groups:
        last = max(max(numbers, default=0) for _, numbers in group)
        endings.update((b, (numbers, last)) for spanned, numbers in group for b in spanned)
    marks = [{type(x).__name__ for x in m.recurse().getElementsByClass(
        m21.repeat.RepeatExpression)} | ({"ToCoda"} if any(re.search(
            r"(?i)\bto\s+coda\b", str(getattr(x, "content", "")))
            for x in m.recurse().getElementsByClass(m21.expressions.TextExpression)) else set())
        for m in measures]
    segno = next((i for i, names in enumerate(marks) if "Segno" in names), None)
    codas = [i for i, names in enumerate(marks) if names & {"Coda", "ToCoda"}]
    order: list[int] = []
    i, start, time, back, jump = 0, 0, 1, False, None
    while i < n:
        if len(order) > 8 * n:
            return None
        m = measures[i]
        if isinstance(m.leftBarline, m21.bar.Repeat) and m.leftBarline.direction == "start" \
                and not back and jump is None:
            start, time = i, 1
        back = False
        if i in endings:
            numbers, last = endings[i]
            if (last if jump is not None else time) not in numbers:
                i += 1
                continue
        elif i - 1 in endings and jump is None:  # (past the endings: a new section)
            start, time = i, 1
        order.append(i)
        if jump is not None and jump[1] and "Fine" in marks[i]:
            break
        if jump is not None and jump[2] and i == codas[0] and len(codas) > 1:
            i = codas[-1]
            continue
        right = m.rightBarline
        if isinstance(right, m21.bar.Repeat) and right.direction == "end" and jump is None:
            if time < (right.times or 2):
                i, time, back = start, time + 1, True
                continue
            start, time = i + 1, 1
        kind = next((_JUMPS[k] for k in marks[i] if k in _JUMPS), None) if jump is None \
            else None
        if kind is not None:
            if (kind[0] == "segno" and segno is None) or (kind[2] and len(codas) < 2):
                return None
            jump, i = kind, 0 if kind[0] == "start" else segno
            continue
        i += 1
    return order


def _in_order(m21, parsed, order: list[int]):
    """``parsed`` with each part's bars copied in ``order`` (:func:`_jump_order`), each copy
    derived from its bar as music21's expandRepeats makes them."""
    import copy

    played = parsed.cloneEmpty(derivationMethod="expandRepeats") \
        if hasattr(parsed, "parts") and parsed.parts else None
    if played is not None and parsed.metadata is not None:
        played.metadata = copy.deepcopy(parsed.metadata)
    out = []
    for part in _parts(parsed):
        measures = list(part.getElementsByClass(m21.stream.Measure))
        lengths = [b.offset - a.offset for a, b in itertools.pairwise(measures)] + [
            max(measures[-1].highestTime, measures[-1].barDuration.quarterLength)]
        new = part.cloneEmpty(derivationMethod="expandRepeats")
        for el in part.getElementsNotOfClass((m21.stream.Measure, m21.spanner.Spanner)):
            new.insert(part.elementOffset(el), copy.deepcopy(el))
        offset = 0.0
        first = measures[0].number if measures[0].number is not None else 1
        for number, i in enumerate(order, first):
            bar = copy.deepcopy(measures[i])
            bar.derivation.origin, bar.derivation.method = measures[i], "expandRepeats"
            bar.number = number
            new.insert(offset, bar)
            offset += lengths[i]
        out.append(new)
    if played is None:
        return out[0]
    for new in out:
        played.insert(0, new)
    return played


def _sung_by_pass(m21, played) -> int:
    """Each note of music whose repeats are written out sings the verse of its time through
    (a chorale's repeated first part: verse 1, then verse 2, not verse 1 twice, as a review
    heard); returns how many notes carry a verse no time through sings."""
    used: dict[int, set[int]] = {}
    numbers: dict[int, set[int]] = {}
    for part in _parts(played):
        passes: Counter = Counter()
        for m in part.getElementsByClass(m21.stream.Measure):
            origin = m.derivation.origin if m.derivation is not None else None
            passes[id(origin if origin is not None else m)] += 1
            k = passes[id(origin if origin is not None else m)]
            for n in m.recurse().notes:
                if not n.lyrics:
                    continue
                key = id(n.derivation.origin or n)
                have = {ly.number or 1 for ly in n.lyrics}
                chosen = k if k in have else min(have)
                numbers.setdefault(key, set()).update(have)
                used.setdefault(key, set()).add(chosen)
                n.lyrics = [ly for ly in n.lyrics if (ly.number or 1) == chosen][:1]
    return sum(1 for key, have in numbers.items() if have - used[key])


def _parts(stream) -> list:
    return list(stream.parts) if hasattr(stream, "parts") and stream.parts else [stream]


def _bar_count(stream) -> int:
    return len(_parts(stream)[0].getElementsByClass("Measure"))


def _unclosed_repeat(m21, parsed) -> int | None:
    """The number of the first bar that opens a repeat no later bar closes (``|:`` with no
    ``:|`` after it), None if every one is closed: music21 names it only "badly formed
    repeats", which a musician cannot act on (a listening review)."""
    for part in _parts(parsed):
        opened = None
        for m in part.getElementsByClass("Measure"):
            if isinstance(m.leftBarline, m21.bar.Repeat) and m.leftBarline.direction == "start" \
                    and opened is None:
                opened = m
            if isinstance(m.rightBarline, m21.bar.Repeat) and m.rightBarline.direction == "end":
                opened = None
        if opened is not None:
            return opened.number
    return None


def _open_repeats(m21, part) -> None:
    """Give a start repeat to each repeated section that has only its end: after an earlier
    section's end repeat (or its last ending), an end repeat goes back there, not to the start
    of the piece. "A:|B:|", the usual way an ABC tune writes its strains, is played AABB
    (music21 alone played it AABAAB)."""
    measures = list(part.getElementsByClass("Measure"))
    in_ending = {id(m) for b in part.recurse().getElementsByClass(m21.spanner.RepeatBracket)
                 for m in b.getSpannedElements()}
    opened_at = None  # the bar after the last end repeat, while no start repeat has followed
    for i, m in enumerate(measures):
        if isinstance(m.leftBarline, m21.bar.Repeat) and m.leftBarline.direction == "start":
            opened_at = None
        if isinstance(m.rightBarline, m21.bar.Repeat) and m.rightBarline.direction == "end":
            if opened_at is not None and opened_at <= i:
                measures[opened_at].leftBarline = m21.bar.Repeat(direction="start")
            opened_at = i + 1
        elif opened_at == i and id(m) in in_ending:  # (past a second ending)
            opened_at = i + 1


def _drop_restated_marks(m21, stream) -> None:
    """Remove the time and key signatures and tempo marks that a repeated bar carries again (a
    strain's first bar played twice): a time signature would start the bars afresh where a
    pickup bar comes round again (the bar lines after it moved by the pickup), and a tempo
    mark would be written again at each repeat."""
    same = {m21.meter.TimeSignature: lambda x: x.ratioString,
            m21.key.KeySignature: lambda x: (x.sharps, getattr(x, "mode", None)),
            m21.tempo.MetronomeMark: lambda x: (x.getQuarterBPM(), x.text)}
    for part in _parts(stream):
        now: dict = {}
        for m in part.getElementsByClass("Measure"):
            for cls, key in same.items():
                for mark in list(m.getElementsByClass(cls)):
                    if m.offset > 0 and cls in now and key(mark) == now[cls]:
                        m.remove(mark)
                    else:
                        now[cls] = key(mark)


def _more_verses(parsed) -> int:
    """How many notes carry words of a second verse or more (the score keeps the first:
    ``Note.lyric``; a tenth listening review had found a chorale's text gone without a word)."""
    try:
        return sum(1 for n in parsed.recurse().notes if len(getattr(n, "lyrics", None) or ()) > 1)
    except Exception:  # a stream music21 cannot walk: nothing to say
        return 0


def _markings(m21, parsed, abc: str, decorations_read: bool = False) -> str:
    """What the file marks beside its notes that the score model cannot hold, in words
    ("ornaments (2) and dynamics (1)"), or "": a listening review found an air's trills and
    slurs gone without a word. Slurs, dynamics and the articulations and ornaments of
    :mod:`.marks` are kept (``Note.marks``), and grace notes (``Note.graces``); an ABC tune's
    decorations are counted from its text, but for those :func:`.abc_text.read_decorations`
    put on its notes."""
    counts = {"slurs": 0, "ornaments": 0, "articulations": 0, "dynamics": 0,
              "D.C. and segno marks": 0}
    try:
        for sp in parsed.recurse().getElementsByClass(m21.spanner.Spanner):
            if isinstance(sp, m21.spanner.Slur) and sp.getFirst() is sp.getLast():
                counts["slurs"] += 1  # (one that begins and ends on one note: kept none)
            elif isinstance(sp, m21.dynamics.DynamicWedge) and sp.getFirst() is sp.getLast():
                counts["dynamics"] += 1  # (a hairpin over one note: kept none)
        counts["slurs"] += getattr(parsed, "slurs_dropped", 0)  # (an ABC tune's: abc_text)
        counts["dynamics"] += sum(1 for d in parsed.recurse().getElementsByClass(
            m21.dynamics.Dynamic) if d.value not in (*DYNAMICS, *ACCENT_DYNAMICS))  # (kept)
        for n in parsed.recurse().notes:
            for x in n.articulations:  # (a grace note's marks are not kept; it is)
                counts["articulations"] += n.duration.isGrace or mark_of(x) is None
            for x in n.expressions:
                if isinstance(x, m21.expressions.Ornament):
                    counts["ornaments"] += n.duration.isGrace or mark_of(x) is None
    except Exception:  # a stream music21 cannot walk: nothing to say
        return ""
    for kind, n in decoration_counts(abc, kept=decorations_read).items():
        counts[kind] += n
    said = [f"{kind} ({n})" for kind, n in counts.items() if n]
    return ", ".join(said[:-1]) + (" and " if len(said) > 1 else "") + said[-1] if said else ""


def _abc_without_key(tune: str) -> bool:
    """Whether the tune says ``K:none`` (ABC 2.1: no key signature; the key is left to the
    notes) in every K: field, or gives a signature no standard one equals ("K:D exp ^f _b":
    :func:`.abc_text.explicit_key`, read as ``K:none`` with its accidentals on the notes)."""
    fields = re.findall(r"(?m)^K:[ \t]*([^%\n]*)", tune)
    return bool(fields) and all(f.strip().lower().startswith("none") or (
        (found := explicit_key(f)) is not None and found.standard is None) for f in fields)


def _own_warnings(caught, warnings: list[str]) -> None:
    """music21's Python warnings become the app's own lines (said once each), never the
    terminal's."""
    for w in caught:
        text = one_line(w.message)
        line = f"the file has something notation reading did not expect: {text}"
        if text and line not in warnings:
            warnings.append(line)


def _musicxml_bytes(path: Path) -> bytes | None:
    """The MusicXML document of a .musicxml/.xml file or a .mxl archive (None: none inside)."""
    documents = musicxml_documents(path)
    return documents[0] if documents else None


def _score_parts(path: Path) -> tuple[dict[str, int], frozenset[str]]:
    """From the file's ``<score-part>`` list, read once: each part's ``<midi-program>``
    (0-based) by part id, and the ids of the parts it leaves unnamed.

    music21 lets a recognised instrument or part name override a piano-family program ("Alto"
    with program 0 reads as its Alto, program 53), so the file's own number is taken from here.
    And it names an unnamed part (an empty ``<part-name>`` and ``<instrument-name>``, or the
    part id as its instrument's name, as this app wrote them until now) after its program
    ("Piano"): a melody came back from its own export labelled so. A part name the file hides
    (``print-object="no"``, without an abbreviation to print) is no name either: Finale's Dolet
    writes "MusicXML Part" so, and the app had printed it before each part of a song."""
    data = _musicxml_bytes(path)
    programs: dict[str, int] = {}
    unnamed = set()
    if data is None:
        return programs, frozenset()
    for m in re.finditer(rb'<score-part\s[^>]*id="([^"]+)".*?</score-part>', data, re.S):
        pid, body = m.group(1), m.group(0)
        key = pid.decode("utf-8", "replace")
        found = re.search(rb"<midi-program>\s*(\d+)\s*</midi-program>", body)
        if found and 1 <= int(found.group(1)) <= 128:
            programs[key] = int(found.group(1)) - 1
        texts = [t.strip() for t in re.findall(rb"<(?:part|instrument)-name(?:\s[^>]*)?>([^<]*)<",
                                               body)]
        hidden = re.search(rb'<part-name\s[^>]*print-object="no"', body) is not None and \
            re.search(rb"<part-abbreviation(?![^>]*print-object=\"no\")", body) is None
        if hidden or all(not t or t == pid for t in texts):
            unnamed.add(key)
    return programs, frozenset(unnamed)


def _pitched_drums(path: Path) -> bytes | None:
    """MusicXML whose drum notes name their MIDI key only through ``<instrument id>`` (ours and
    MuseScore's): the same document with each such note given that key as its pitch, since
    music21 reads only a drum's staff position (and key 37 and 36 share one). None if the file
    has no such notes."""
    import xml.etree.ElementTree as ET

    data = _musicxml_bytes(path)
    if data is None or b"<unpitched" not in data or b"midi-unpitched" not in data:
        return None
    root = ET.fromstring(data)
    keys = {}
    for inst in root.iter("midi-instrument"):
        unpitched = inst.findtext("midi-unpitched")
        if unpitched and unpitched.strip().isdigit():
            keys[inst.get("id")] = int(unpitched) - 1
    changed = False
    for note in root.iter("note"):
        unpitched = note.find("unpitched")
        inst = note.find("instrument")
        key = keys.get(inst.get("id")) if inst is not None else None
        if unpitched is None or key is None or not 0 <= key <= 127:
            continue
        index = list(note).index(unpitched)
        note.remove(unpitched)
        pitch = ET.Element("pitch")
        name = key_spelling(key % 12, None)  # C major's names: sharps
        ET.SubElement(pitch, "step").text = name[0]
        if len(name) > 1:
            ET.SubElement(pitch, "alter").text = "1"
        ET.SubElement(pitch, "octave").text = str(key // 12 - 1)
        note.insert(index, pitch)
        changed = True
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) if changed else None


def _reason(exc: BaseException) -> str:
    return one_line(exc) or type(exc).__name__


def _ticks(offset) -> int:
    return round(Fraction(offset) * TPQ)


def _pickup_ticks(part) -> int:
    """How far a pickup (anacrusis) bar falls short of a full bar: notes move right by this much,
    so that bar lines stay where the score's time signature puts them."""
    measures = part.getElementsByClass("Measure")
    if not measures:
        return 0
    first = measures[0]
    padding = getattr(first, "paddingLeft", 0) or 0
    return max(0, _ticks(padding))


def score_from_music21(stream, title: str = "", warnings: list[str] | None = None,
                       programs: dict[str, int] | None = None,
                       unnamed: frozenset[str] = frozenset(),
                       marks_put: bool = False, unread_chords: list[str] | None = None
                       ) -> Score:
    """Convert a music21 Score (or Part/Stream) to a Score; tied notes become one note.
    ``programs``: the file's own MIDI program by part id, over music21's instrument guess;
    ``unnamed``: the ids of parts the file leaves unnamed, over music21's name from the program;
    ``marks_put``: :func:`_mark_notes` was called (before the repeats were written out). A
    note after a dynamic (``p``, ``f``) plays at its level (:data:`.marks.DYNAMICS`) where the
    file gives it no velocity of its own, in every staff of the part. The chord symbols of
    every part are the score's (:func:`_chord_symbols`); the texts of those it cannot read go
    to ``unread_chords``."""
    m21 = _m21()
    warnings = warnings if warnings is not None else []
    _to_sounding_pitch(stream)
    if not marks_put:
        _mark_notes(m21, stream)
    parts_in = _parts(stream)
    shift = _pickup_ticks(parts_in[0])

    def at(offset) -> int:  # events at the very start stay there; later ones move with the notes
        t = _ticks(offset)
        return t + shift if t > 0 else 0

    parts: list[Part] = []
    unstated: dict[int, str] = {}  # parts the file gives no program: their instrument's name
    programs = programs or {}
    out_of_range = [0]
    used_channels: list[int] = []
    fermatas: dict[int, int] = {}  # onset -> end of the notes under a fermata
    for i, group in enumerate(_staff_groups(parts_in)):
        p = group[0]
        levels = _levels(m21, group, shift)
        staves = [_part_notes(m21, staff, shift, out_of_range, fermatas, levels)
                  for staff in group]
        notes = [n for staff in staves for n in staff]
        _check_bars(m21, group, p.partName or f"Part {i + 1}", warnings)
        instrument = p.getInstrument(returnDefault=False)
        program = 0
        if instrument is not None and instrument.midiProgram is not None:
            program = max(0, min(127, instrument.midiProgram))
        if programs and instrument is not None:  # music21 keeps the score-part id here
            program = programs.get(str(getattr(instrument, "partId", "")), program)
        if instrument is None or (instrument.midiProgram is None and str(
                getattr(instrument, "partId", "")) not in programs):
            # the file gives no program: its name says the instrument (_named_programs)
            unstated[i] = (instrument.instrumentName or "") if instrument is not None else ""
        is_drum = instrument is not None and (
            isinstance(instrument, m21.instrument.UnpitchedPercussion)
            or instrument.midiChannel == DRUM_CHANNEL
        )
        if is_drum:
            channel = DRUM_CHANNEL
        else:
            channel = next((c for c in range(16) if c != DRUM_CHANNEL and c not in used_channels),
                           0)
            used_channels.append(channel)
        name = (p.partName or (instrument.partName if instrument else None) or "").strip()
        short = (getattr(p, "partAbbreviation", None) or "").strip()
        if instrument is not None and str(getattr(instrument, "partId", "")) in unnamed:
            # ... and so does its label: music21 gives an unnamed part its guessed piano's
            # "Pno", which a harmonized melody (named Soprano) kept on its later systems
            name = short = ""
        clef = "grand" if len(group) == 2 and not is_drum else _clef_name(m21, p)
        # an unnamed part stays unnamed, as a MIDI track does: the window labels it "Part N",
        # and an export writes no staff label (a one-voice tune had been engraved "Part 1")
        # (where the file's two staves divided the notes: export divides them there again)
        split = staff_split_of(*staves) if len(staves) == 2 and not is_drum else ()
        parts.append(Part(sorted_notes(notes), name=name, program=program,
                          channel=channel, is_drum=is_drum, clef=clef, abbreviation=short,
                          staff_split=split,
                          transposition=_transposition(m21, p, name or f"part {i + 1}",
                                                       warnings)))
    parts = _named_programs(parts, unstated)
    if out_of_range[0]:
        warnings.append(f"left out {out_of_range[0]} note(s) outside MIDI's pitch range")

    time_sigs = []
    for offset, ts in _marks(parts_in[0], m21.meter.TimeSignature):
        try:
            time_sigs.append(TimeSignature(at(offset), ts.numerator, ts.denominator,
                                           meter_symbol(ts.symbol, ts.numerator, ts.denominator)))
        except (ValueError, TypeError):
            warnings.append(f"ignored the time signature {ts.ratioString}, which MIDI cannot hold")
    keys = _shared_keys(m21, parts_in, at, warnings)
    tempos = []
    flat_stream = stream.flatten()
    # music21 answers a stream without a tempo with its own default 120 bpm mark: keep none, so
    # the score's tempo is unstated (played at 120, written with no tempo mark)
    stated = flat_stream.getElementsByClass(m21.tempo.MetronomeMark)
    marks = {id(x) for x in stated}
    for start, end, mark in flat_stream.metronomeMarkBoundaries() if stated else ():
        bpm = mark.getQuarterBPM()
        if not bpm or end <= start:  # (a mark another replaces at once: a "playback only" one)
            continue
        if id(mark) not in marks:
            # (music21's own 120 before a file's first mark: none where the mark comes within
            # a beat, over a pickup's second note, and stands from the start; a rag's "Tempo
            # di Marcia, quarter = 100" had been read as 120 for a sixteenth, summed up as
            # "120 bpm" and written with both marks: a review. Later, an unstated tempo)
            if _ticks(end - start) >= TPQ:
                tempos.append(replace(UNSTATED_TEMPO, tick=at(start)))
            continue
        # (the first mark, a little into the music, over a pickup's second note: from the start)
        tick = 0 if not tempos and 0 < at(start) < TPQ else at(start)
        # the mark's words as written ("Slow"; not music21's own name for a bare number); a
        # MusicXML direction's <words> beside its <metronome> come as a text at the same offset
        words = "" if getattr(mark, "textImplicit", True) else (mark.text or "").strip()
        if not words:
            words = next((str(x.content).strip() for x in flat_stream.getElementsByOffset(
                start, classList=[m21.expressions.TextExpression]) if x.content), "")
        # the note value the mark counts, where the source chose one other than the quarter
        # (music21 gives a bare ABC "Q:120" a quarter too, so a quarter says nothing)
        unit = round(float(mark.referent.quarterLength) * TPQ) if mark.referent else 0
        try:
            tempos.append(TempoChange.from_bpm(tick, bpm, words,
                                               unit if unit != TPQ else 0))
        except ValueError:
            warnings.append(f"ignored a tempo of {bpm:g} bpm")
    pickup = 0
    if shift and time_sigs and time_sigs[0].tick == 0:
        pickup = time_sigs[0].bar_ticks - shift
    md = getattr(stream, "metadata", None)
    md_title = next((t for t in (getattr(md, "title", None), getattr(md, "movementName", None))
                     if t), None)
    # (music21 credits "Music21" in every score it saves without a composer)
    composer = str(getattr(md, "composer", None) or "").strip()
    chords = _chord_symbols(m21, parts_in, shift,
                            unread_chords if unread_chords is not None else [])
    return Score(
        parts=tuple(parts) or (Part(),),
        tempos=tuple(tempos),
        time_signatures=tuple(time_sigs) or (TimeSignature(0),),
        key_signatures=tuple(keys),
        title=(md_title or title or "").strip(),
        composer="" if composer == "Music21" else composer,
        pickup=pickup,
        fermatas=fermata_onsets(fermatas),
        chord_symbols=chords,
    )


def _to_sounding_pitch(stream) -> None:
    """Move the parts a file writes transposed (a MusicXML ``<transpose>``: a clarinet in
    B-flat, a horn in F) to sounding pitch, in place: their notes, key signatures and chord
    symbols (music21's ``toSoundingPitch``). The score holds what sounds (playback, MIDI
    export, the models); read as written, a trio of flute, clarinet and horn in concert C major
    played the clarinet a tone high and the horn a fifth high, in three keys at once (a
    trial). Each part's transposition is kept (:func:`_transposition`) for MusicXML export."""
    if any(getattr(p, "atSoundingPitch", True) is False for p in _parts(stream)):
        stream.toSoundingPitch(inPlace=True)


def _named_programs(parts: list[Part], unstated: dict[int, str]) -> list[Part]:
    """The parts, each the file gives no MIDI program (``unstated``: by index, the name of its
    music21 instrument, "" for none) sounding as its name says (:func:`.gm.programs_for_names`:
    "Flute", "Clarinet in B-flat", "Vln. 2", "Soprano"), else as its instrument's name does;
    the piano, program 0, where neither names one. A trial heard a trio of flute, clarinet and
    horn, none with a ``<midi-instrument>``, all on the piano."""
    by_name = programs_for_names([p.name for p in parts])
    out = list(parts)
    for i, instrument in unstated.items():
        program = by_name[i] if parts[i].name else None
        if program is None and instrument and instrument != parts[i].name:
            program = program_for_name(instrument)
        if program is not None and not parts[i].is_drum:
            out[i] = replace(parts[i], program=program)
    return out


def _transposition(m21, part, name: str, warnings: list[str]) -> tuple[int, int]:
    """``Part.transposition`` of a part read from a file: its instrument's written-to-sounding
    interval, (diatonic steps, semitones); (0, 0) for a part at concert pitch, and for one
    whose instruments change transposition within it (a clarinettist changing to the A
    clarinet: written at concert pitch, and said)."""
    found = set()
    for instrument in part.recurse().getElementsByClass(m21.instrument.Instrument):
        interval = instrument.transposition
        if interval is None:
            found.add((0, 0))
            continue
        steps = interval.generic.directed
        found.add((steps - 1 if steps > 0 else steps + 1, round(interval.semitones)))
    if len(found) > 1:
        warnings.append(f"{name} changes its transposition within the part: written at "
                        "concert pitch")
        return 0, 0
    return found.pop() if found else (0, 0)


def _chord_symbols(m21, parts_in, shift: int, unread: list[str]) -> tuple[ChordSymbol, ...]:
    """The chord symbols of the parts, at their ticks (moved by the pickup's ``shift``, as the
    notes are); where two parts have one at a tick, the upper part's. The text is the one an
    ABC tune wrote (``CHORD_TEXT``), else made from MusicXML's (:func:`_chord_text`); what
    no chord symbol may say is left out, its text (music21's name) put in ``unread``."""
    found: dict[int, str] = {}
    for part in parts_in:
        for h in part.recurse().getElementsByClass(m21.harmony.Harmony):
            text = h.editorial.get(CHORD_TEXT) or _chord_text(m21, h)
            if text is None:
                unread.append(str(getattr(h, "figure", None) or type(h).__name__))
                continue
            found.setdefault(_ticks(h.getOffsetInHierarchy(part)) + shift, text)
    return tuple(ChordSymbol(t, text) for t, text in sorted(found.items()))


def _chord_text(m21, h) -> str | None:
    """A MusicXML <harmony> as a lead sheet writes it: its root, its kind as the file's text
    shows it (``<kind text="m7">``; without one, as :func:`.chord_symbols.kind_text` writes
    the kind), the <degree> changes the kind's text does not already say, in parentheses, and
    a slash bass. None where it names no chord :func:`.chord_symbols.chord_tones` reads (a
    Roman numeral, an augmented sixth)."""
    if isinstance(h, m21.harmony.NoChord):
        return NO_CHORD
    root = h.root() if isinstance(h, m21.harmony.ChordSymbol) else None
    name = _spelling(root) if root is not None else None
    if name is None:
        return None
    bass = h.bass()
    slash = f"/{_spelling(bass)}" if bass is not None and _spelling(bass) and \
        bass.pitchClass != root.pitchClass else ""
    base = None
    for quality in (h.chordKindStr, kind_text(h.chordKind)):
        # (an empty text is no text where the kind has one: music21 writes <kind>minor</kind>
        # with none, and a review's Am, Dm7, G7 and Cmaj7 had been read as major triads)
        if quality is not None and (quality or not kind_text(h.chordKind)) and \
                chord_tones(name + quality + slash) is not None:
            base = name + quality
            break
    if base is None:
        return None
    changes = []
    for m in h.getChordStepModifications():
        alter = round(m.interval.semitones) if m.interval is not None else 0
        sign = {-1: "b", 0: "", 1: "#"}.get(alter)
        if sign is None or m.degree is None:
            continue
        if m.modType == "subtract":
            changes.append(f"no{m.degree}")
        elif m.degree == 7:
            changes.append("7" if alter < 0 else "maj7")
        elif m.modType == "add" and not sign:
            changes.append(f"add{m.degree}")
        else:
            changes.append(f"{sign}{m.degree}")
    said = f"{base}({','.join(changes)}){slash}"
    plain = chord_tones(base + slash)
    changed = chord_tones(said) if changes else None
    return said if changed is not None and changed != plain else base + slash


def fermata_onsets(spans: dict[int, int]) -> tuple[int, ...]:
    """The phrase ends of the notes under fermatas ({onset: end}): one a fermata chord. A
    fermata over a note struck while another voice's fermata note sounds is the same chord's:
    Bach's alto moves to F#4 on beat 2 under the fermata of BWV 378's bar 10, and its fermata
    stands over that F#4 (the app read two phrase ends, and a region rewritten there wrote
    two fermata chords in a row)."""
    out: list[int] = []
    end = -1
    for start in sorted(spans):
        if start >= end:
            out.append(start)
        end = max(end, spans[start]) if start < end else spans[start]
    return tuple(out)


def _marks(part, cls) -> list[tuple[Fraction, object]]:
    """(offset in ``part``, mark) for each time or key signature (``cls``) of ``part``, in
    order. music21's ABC reader puts one object in two bars (a reel's 2/2 restored after a
    stray 1/4 bar), and a flattened part then gives it the later offset only: London Lasses
    was read as 4/4 where its file says ``M:C|``. Each bar's own offset is used."""
    measures = list(part.getElementsByClass("Measure"))
    if not measures:
        return [(Fraction(x.offset), x) for x in part.flatten().getElementsByClass(cls)]
    found = [(Fraction(part.elementOffset(x)), x) for x in part.getElementsByClass(cls)]
    for m in measures:
        base = Fraction(part.elementOffset(m))
        found += [(base + Fraction(m.elementOffset(x)), x) for x in m.getElementsByClass(cls)]
    return sorted(found, key=lambda f: f[0])


def _shared_keys(m21, parts_in, at, warnings: list[str]) -> list[KeySignature]:
    """The score's key signatures. The model holds one set for all parts; where a file gives its
    parts different ones (a few corpus chorales do), the set most parts share wins, and we say so.
    Parts that share the signature but not the mode (BWV 270: the soprano in B minor, the rest in
    D major; BWV 288: the soprano in A minor, the rest without a mode) differ in no accidental:
    the mode most parts name is kept, and a tie leaves it to the notes (major: the key finder
    then weighs the signature's major against its relative minor), without a warning."""
    per_part = []
    for p in parts_in:
        if isinstance(p.getInstrument(returnDefault=False), m21.instrument.UnpitchedPercussion):
            continue  # a drum staff's signature says nothing about the key
        keys = []
        for offset, ks in _marks(p, m21.key.KeySignature):
            mode = getattr(ks, "mode", None)
            mode = str(mode).lower() if mode else None
            mode = MODE_ALIASES.get(mode, mode)  # K:Ddor stays D Dorian, not C major
            keys.append((at(offset), max(-7, min(7, ks.sharps)),
                         mode if mode in MODE_DEGREES else None))
        per_part.append(tuple(keys))
    pitched = [k for k in per_part if k] or [()]
    bare = [tuple(k[:2] for k in ks) for ks in pitched]
    if len(set(bare)) == 1:
        return [KeySignature(tick, sharps, _agreed_mode([ks[j][2] for ks in pitched]))
                for j, (tick, sharps) in enumerate(bare[0])]
    best = max(pitched, key=pitched.count)  # ties: the first part's
    found = [[KeySignature(t, s, m or "major") for t, s, m in ks] for ks in pitched]
    shown = ", ".join(sorted({str(k[0]) for k in found if k}))
    chosen = found[pitched.index(best)]
    warnings.append(f"the parts have different key signatures ({shown}); read as "
                    f"{chosen[0] if chosen else 'none'}, which most parts have")
    return chosen


def _agreed_mode(modes: list[str | None]) -> str:
    """The mode most parts name at one signature (a part without a mode does not vote); none
    named, or a tie: major, which leaves the mode to the notes."""
    named = Counter(m for m in modes if m)
    if not named:
        return "major"
    (top, n), *rest = named.most_common()
    return "major" if rest and rest[0][1] == n else top


def _staff_groups(parts_in) -> list[list]:
    """The parts of the file: a piano's two staves (music21's PartStaffs "P1-Staff1",
    "P1-Staff2") are one part again."""
    groups: list[list] = []
    last = None
    for p in parts_in:
        match = re.fullmatch(r"(.+)-Staff\d+", str(p.id))
        key = match.group(1) if match else None
        if key is not None and key == last:
            groups[-1].append(p)
        else:
            groups.append([p])
        last = key
    return groups


_CLEF_NAMES = {(sign, line, octave): name for name, (sign, line, octave) in CLEF_SIGNS.items()}


def _clef_name(m21, part) -> str:
    """The part's first clef as the score model names it; "" when absent or unusual."""
    clefs = part.flatten().getElementsByClass(m21.clef.Clef)
    if not clefs:
        return ""
    c = clefs[0]
    if isinstance(c, m21.clef.PercussionClef):
        return "percussion"
    return _CLEF_NAMES.get((c.sign, c.line, c.octaveChange or 0), "")


def _check_bars(m21, group, name: str, warnings: list[str]) -> None:
    """A bar holding more than its time signature allows is read as its notes run; say so."""
    for staff in group:
        for m in staff.getElementsByClass(m21.stream.Measure):
            ts = m.timeSignature or m.getContextByClass(m21.meter.TimeSignature)
            if ts is None:
                continue
            if m.highestTime > ts.barDuration.quarterLength + 1e-9:
                warnings.append(f"measure {m.number} of {name} is overfull "
                                f"({float(m.highestTime):g} beats in {ts.ratioString}); "
                                "read as its notes run")
                return


def _part_notes(m21, part, shift: int, out_of_range: list[int],
                fermatas: dict[int, int] | None = None,
                levels: list[tuple[int, int]] | None = None) -> list[Note]:
    """A part's notes with tied notes joined into one.

    Ties are matched by pitch, note by note, across chords: a tie continues a held note of the
    same pitch that ends exactly where the tied note starts, the one in the same voice first, so
    that two voices holding one pitch at once stay two notes. A chord's marks go on each of its
    notes (its pedal on its lowest); a tied note carries the marks of all its pieces. Grace
    notes go with the next note struck in their voice (its highest, where a chord:
    ``Note.graces``).
    """
    done: list[tuple] = []
    # pitch -> [start, end, velocity, spelling, voice, lyric, marks, graces] held on
    held: dict[int, list[list]] = {}
    graces: dict[object, list[int]] = {}  # voice -> the grace notes waiting for their note
    for offset, voice, el in _voiced_notes(m21, part):
        start, dur = _ticks(offset) + shift, _ticks(el.quarterLength)
        if dur <= 0:  # grace notes have no time of their own: they go with the next note
            if el.duration.isGrace:  # (a grace chord: its highest note)
                graces.setdefault(voice, []).append(max(m for m, _t, _s in _members(m21, el)))
            continue
        if fermatas is not None and any(type(x).__name__ == "Fermata" for x in el.expressions):
            fermatas[start] = max(fermatas.get(start, 0), start + dur)
        velocity = el.volume.velocity if el.volume.velocity is not None else next(
            (v for t, v in reversed(levels or ()) if t <= start), DEFAULT_VELOCITY)
        velocity = max(1, min(127, round(velocity)))
        lyric = _lyric(el)  # (a chord's words go with its first note)
        chord_marks = of_music21(el) | el.editorial.get(EDITORIAL, set())
        fingers = _chord_fingers(m21, el)  # (one each: each note its own)
        pedal = chord_marks & PEDAL_MARKS  # (a chord's pedal goes on its lowest note)
        low = min((m for m, _t, _s in _members(m21, el)), default=None) if pedal else None
        cut = graces.pop(voice, [])
        top = max((m for m, _t, _s in _members(m21, el)), default=None) if cut else None
        for j, (midi, tie, spelling) in enumerate(_members(m21, el)):
            marks = chord_marks - pedal if pedal and midi != low else chord_marks
            if fingers:
                marks = (marks - FINGER_MARKS) | {fingers[j]}
            before = tuple(g - midi for g in cut) if midi == top else ()
            if not 0 <= midi <= 127:
                out_of_range[0] += 1
                continue
            waiting = held.get(midi, [])
            note = None
            if tie in ("stop", "continue"):
                candidates = [h for h in waiting if h[1] == start]
                note = next((h for h in candidates if h[4] == voice),
                            candidates[0] if candidates else None)
            if note is not None:
                note[1] = start + dur
                note[6] = note[6] | marks
                if tie == "stop":
                    waiting.remove(note)
                    done.append((note[0], midi, note[1] - note[0], note[2], note[3], note[5],
                                 tuple(note[6]), note[7]))
                continue
            # ties that led nowhere (one ending where this note starts may still be continued
            # there by another voice: a hypothesis run's held C0, tied over a bar line into
            # voice 2 under voice 1's new C0, came back as two notes)
            for h in [h for h in waiting if h[1] < start]:
                waiting.remove(h)
                done.append((h[0], midi, h[1] - h[0], h[2], h[3], h[5], tuple(h[6]), h[7]))
            if tie in ("start", "continue"):
                held.setdefault(midi, []).append([start, start + dur, velocity, spelling, voice,
                                                  lyric, marks, before])
            else:
                done.append((start, midi, dur, velocity, spelling, lyric, tuple(marks), before))
            lyric = None
    done.extend((h[0], midi, h[1] - h[0], h[2], h[3], h[5], tuple(h[6]), h[7])
                for midi, hs in held.items() for h in hs)
    return [Note(*n) for n in done]


def _mark_notes(m21, stream, pedals: dict[str, list[tuple[float, bool]]] | None = None
                ) -> None:
    """Mark the slur and hairpin ends and dynamics on the stream's notes and chords
    (``Note.marks``): ``slur-start`` on the first a slur covers, ``slur-stop`` on its last
    (``crescendo-start``...); a dynamic on the first note or chord struck at or after it in
    its staff; the sustain pedal, ``pedals`` (:func:`_pedal_times`), as its notes' marks."""
    try:
        slurs = list(stream.recurse().getElementsByClass(m21.spanner.Slur))
    except Exception:  # a stream music21 cannot walk: no slurs
        return
    wedges = [(sp, CRESCENDO if isinstance(sp, m21.dynamics.Crescendo) else DIMINUENDO)
              for sp in stream.recurse().getElementsByClass(m21.dynamics.DynamicWedge)]
    for sp, (start, stop) in [*((sp, (SLUR_START, SLUR_STOP)) for sp in slurs), *wedges]:
        first, last = sp.getFirst(), sp.getLast()
        if first is not None and last is not None and first is not last:
            for el, mark in ((first, start), (last, stop)):
                el.editorial[EDITORIAL] = el.editorial.get(EDITORIAL, set()) | {mark}
    for el, mark in _pedal_marks(m21, stream, pedals or {}):
        el.editorial[EDITORIAL] = el.editorial.get(EDITORIAL, set()) | {mark}
    for part in _parts(stream):
        found = [(d.getOffsetInHierarchy(part), d.value)
                 for d in part.recurse().getElementsByClass(m21.dynamics.Dynamic)
                 if d.value in DYNAMICS or d.value in ACCENT_DYNAMICS]
        if not found:
            continue
        struck = sorted(((offset, el) for offset, _v, el in _voiced_notes(m21, part)
                         if not el.duration.isGrace), key=lambda x: x[0])
        offsets = [o for o, _ in struck]
        for offset, value in found:
            i = bisect.bisect_left(offsets, offset - 1e-6)
            if i < len(struck):
                el = struck[i][1]
                marks = el.editorial.get(EDITORIAL, set())
                if value in ACCENT_DYNAMICS or dynamic(marks) is None:
                    el.editorial[EDITORIAL] = marks | {value}


def _chord_fingers(m21, el) -> list[str]:
    """The finger of each note of a chord, in its notes' order, where the file gives one to
    each (music21 keeps a chord's fingerings in one list, in that order); [] otherwise."""
    if not isinstance(el, m21.chord.Chord) or len(el.notes) < 2:
        return []
    found = [f"fingering-{a.fingerNumber}" for a in el.articulations
             if type(a).__name__ == "Fingering"]
    ok = len(found) == len(el.notes) and all(f in FINGER_MARKS for f in found)
    return found if ok else []


def _pedal_marks(m21, stream, pedals: dict[str, list[tuple[float, bool]]]
                 ) -> list[tuple[object, str]]:
    """(note or chord, mark) for each part's sustain pedal, ``pedals`` its (offset, down) by
    part id as :func:`_pedal_times` reads them: put on the notes as a MIDI file's pedal is
    (:func:`.marks.pedal_anchors`), the press on the lowest note struck there, the release on
    the note, struck since, whose end is nearest it, in any staff of the part."""
    out: list[tuple[object, str]] = []
    for pid, presses in pedals.items():
        staves = [p for p in _parts(stream) if pid in (
            str(p.id), str(p.id).split("-Staff")[0],  # (music21 may name a part's id after
            str(getattr(p.getInstrument(returnDefault=False), "partId", "")))]  # it)
        struck = [(_ticks(offset), el) for staff in staves
                  for offset, _v, el in _voiced_notes(m21, staff)
                  if not el.duration.isGrace and getattr(el, "pitches", ())]
        if not struck:
            continue
        events = [(t, t + _ticks(el.quarterLength), min(p.midi for p in el.pitches))
                  for t, el in struck]
        ticks = [(_ticks(offset), down) for offset, down in presses]
        for i, found in pedal_anchors(events, ticks, 0, 0).items():
            out += [(struck[i][1], mark) for mark in sorted(found)]
    return out


def _pedal_times(data: bytes | None) -> dict[str, list[tuple[float, bool]]]:
    """Each part's sustain pedal in a MusicXML document, by part id: (offset in quarters,
    down) in time order, a change as up and down again. Read from the document itself:
    music21 ends a pedal on the note read last before its stop, which in a piano's upper
    staff, written before the lower one, may lie a bar later than the stop."""
    import xml.etree.ElementTree as ET

    if data is None or b"<pedal" not in data:
        return {}
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return {}
    out: dict[str, list[tuple[float, bool]]] = {}
    for part in root.iter("part"):
        divisions, start, found = 1.0, Fraction(0), []
        for measure in part.iter("measure"):
            at = longest = Fraction(0)
            for el in measure:
                if el.tag == "attributes":
                    divisions = float(el.findtext("divisions") or divisions) or 1.0
                elif el.tag in ("note", "backup", "forward"):
                    if el.tag == "note" and (el.find("chord") is not None
                                             or el.find("grace") is not None):
                        continue
                    step = Fraction(el.findtext("duration") or 0) / Fraction(divisions)
                    at = at - step if el.tag == "backup" else at + step
                    longest = max(longest, at)
                elif el.tag == "direction":
                    when = float(start + at) + float(el.findtext("offset") or 0) / divisions
                    for pedal in el.iter("pedal"):
                        kind = pedal.get("type")
                        if kind in ("stop", "change", "discontinue"):
                            found.append((when, False))
                        if kind in ("start", "change", "resume"):
                            found.append((when, True))
            start += longest
        if found:
            out[part.get("id", "")] = sorted(found, key=lambda x: x[0])
    return out


def _levels(m21, staves, shift: int) -> list[tuple[int, int]]:
    """(tick, velocity) where the notes of a part's ``staves`` are marked with a dynamic, in
    time order."""
    out = []
    for staff in staves:
        for offset, _v, el in _voiced_notes(m21, staff):
            level = dynamic(el.editorial.get(EDITORIAL, ()))
            if level is not None and not el.duration.isGrace:
                out.append((_ticks(offset) + shift, DYNAMICS[level]))
    return sorted(out)


def _lyric(el) -> str | None:
    """The words sung on a note or chord, its first verse (``Note.lyric``)."""
    lyrics = getattr(el, "lyrics", None)
    if not lyrics:
        return None
    first = min(lyrics, key=lambda ly: ly.number or 1)
    text = (first.text or "").strip()
    return syllabic_lyric(first.syllabic, text) if text else None


def _voiced_notes(m21, part):
    """(offset, voice id, note or chord) in time order, measure by measure and voice by voice
    (music21's flatten() forgets which voice a note was in)."""
    measures = part.getElementsByClass(m21.stream.Measure)
    if not measures:
        return [(el.offset, None, el) for el in part.flatten().notes]
    out = []
    for m in measures:
        voices = list(m.voices)
        out.extend((m.offset + el.offset, None, el) for el in m.notes)
        for v in voices:
            out.extend((m.offset + v.offset + el.offset, str(v.id), el) for el in v.notes)
    out.sort(key=lambda t: t[0])
    return out


def _members(m21, el) -> Iterator[tuple[int, str | None, str | None]]:
    """(MIDI pitch, tie type, spelling) of a note, a chord, an unpitched (percussion) note or
    chord."""
    chord_tie = el.tie.type if isinstance(el, m21.chord.ChordBase) and el.tie else None
    members = el.notes if isinstance(el, m21.chord.ChordBase) else (el,)
    for m in members:
        tie = m.tie.type if m.tie is not None else chord_tie
        pitch = getattr(m, "pitch", None)
        if pitch is not None:
            yield round(pitch.ps), tie, _spelling(pitch)
            continue
        instrument = getattr(m, "storedInstrument", None)  # unpitched: its drum sound, if known
        perc = getattr(instrument, "percMapPitch", None)
        yield (perc if perc is not None else round(m.displayPitch().ps)), tie, None


_M21_ALTERS = {0: "", 1: "#", 2: "##", -1: "b", -2: "bb"}


def _spelling(pitch) -> str | None:
    """music21's pitch as our spelling ("E#", "Bb"); None for microtones or triple accidentals."""
    alter = pitch.alter
    if alter != int(alter) or int(alter) not in _M21_ALTERS:
        return None
    return pitch.step + _M21_ALTERS[int(alter)]


def music21_from_score(score: Score):
    """The score as a music21 stream, parsed from the MusicXML that export writes (slow; for
    callers that want music21 objects)."""
    m21 = _m21()
    text = musicxml_text(score)
    with _py_warnings.catch_warnings():
        _py_warnings.simplefilter("ignore")  # music21's remarks on drum keys it has no name for
        return m21.converter.parseData(text, format="musicxml")


def write_musicxml(score: Score, path: str | Path, warnings: list[str] | None = None) -> None:
    """Write MusicXML (``.musicxml``/``.xml``) or compressed MusicXML (``.mxl``), atomically.

    What notation could not hold exactly (off-grid timing, a meter change on an odd tick) is
    written as the closest notation and described in ``warnings``."""
    path = Path(path)
    try:
        text = musicxml_text(score, warnings)
    except Exception as exc:  # a bug here must not lose the user's work: report, don't crash
        raise ScoreFileError(path, f"could not be turned into notation ({_reason(exc)})") from None
    data = text.encode("utf-8")
    if path.suffix.lower() == ".mxl":
        inner = (path.stem or "score") + ".musicxml"

        def write(tmp: Path) -> None:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.recordare.musicxml")
                z.writestr("META-INF/container.xml", _CONTAINER.format(inner))
                z.writestr(inner, data)
    else:
        def write(tmp: Path) -> None:
            tmp.write_bytes(data)

    atomic_write(path, write)


_CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container><rootfiles><rootfile full-path="{}" media-type="application/vnd.recordare.musicxml+xml"/>
</rootfiles></container>
"""
