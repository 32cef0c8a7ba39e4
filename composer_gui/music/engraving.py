"""Notation as pictures: the score's MusicXML export engraved to SVG pages by verovio. No Qt.

The score view (``ui/score_view.py``) calls :func:`engrave_in_process` in a worker process. What
it shows is what File > Export MusicXML writes: the MusicXML comes from
``notation.write_musicxml``, never from a copy of it.

Speed: music21's export costs about a second per 1,500 notes, verovio a tenth of that. So the
score is exported in chunks of ``CHUNK_BARS`` bars, cut only at bar lines that no note crosses
(ties stay whole), each chunk's MusicXML cached by its content, and the chunks are joined into one
document: after an edit only the chunk it touched is exported again. Each chunk is exported with
a bar of context on either side (dropped again when joining), so what the export decides from
neighbouring bars (courtesy accidentals, the key and tempo in force) comes out as in the whole
export. Where the chunks disagree about something the export decides for the whole piece (the
parts, the key, the meter, the number of staves), or a chunk does not have the bars it should,
the whole score is exported instead. Clefs are the exception: the export chooses them by the
range of the notes it is given, which for a chunk is not the part's; chunks that disagree only
there are joined under the clef in force as a *preview* (``how == "preview"``), and the view
follows it with an exact engraving of the whole score from a second, low-priority worker.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import re
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .notation import write_musicxml
from .score import TPQ, Score

CHUNK_BARS = 8
# verovio's layout units: at scale 100 one unit is one pixel of the SVG
BASE_SCALE = 40  # verovio's "scale" at zoom 1: a 4-voice chorale gives about 14 bars a page
PAGE_RATIO = 1.414  # page height / width (A4)
_CACHE_LIMIT = 256  # chunks kept; a 100-bar piece needs 13


def unavailable_reason() -> str:
    """Why scores cannot be engraved here ('' when they can): verovio missing or broken."""
    try:
        import verovio  # noqa: F401
    except Exception as exc:  # ImportError, or a broken native library (OSError)
        return f"verovio is not installed or does not load ({exc.__class__.__name__}: {exc})"
    return ""


@dataclass(frozen=True)
class Engraving:
    """One engraved score: SVG pages ready for QtSvg, and what it took to make them."""

    pages: tuple[str, ...]
    notes: int  # note heads engraved (a tied note counts once per head)
    bars: int
    how: str  # "chunks" (joined from cached chunks), "preview" (joined; see above) or "whole"
    exported_chunks: int  # chunks exported this time (the rest came from the cache)
    tick_offset: int = 0  # add to the ticks in note ids (see note_id) to get the score's ticks
    seconds: dict[str, float] = field(default_factory=dict)  # export, join, layout, svg


class Cancelled(Exception):
    """A newer request made this one pointless."""


def musicxml_text(score: Score) -> str:
    """The MusicXML that File > Export writes for ``score``, as text (through a temporary file)."""
    with tempfile.TemporaryDirectory(prefix="composer-engrave-") as folder:
        path = Path(folder) / "score.musicxml"
        write_musicxml(score, path)
        return path.read_text(encoding="utf-8")


def chunk_ranges(score: Score, bars: int = CHUNK_BARS) -> list[tuple[int, int]]:
    """(start tick, first bar) of each chunk: every ``bars`` bars, skipping bar lines that a note
    sounds across, so that no chunk cuts a note (its tie would be lost)."""
    total = score.bar_count()
    spanned: set[int] = set()  # bar lines some note sounds across
    for p in score.parts:
        for n in p.notes:
            first, last = score.bar_at(n.start), score.bar_at(max(n.start, n.end - 1))
            spanned.update(range(first + 1, last + 1))
    starts = [(0, 0)]
    for bar in range(bars, total, bars):
        if bar not in spanned:
            starts.append((score.bar_start(bar), bar))
    return starts


# ----- joining chunks -----------------------------------------------------------------------------
_REPEATED = ("divisions", "key", "time", "staves", "clef")


def _key_of(el: ET.Element) -> str:
    return el.tag + ":" + (el.get("number") or "") if el.tag == "clef" else el.tag


def _text(el: ET.Element) -> str:
    return ET.tostring(el, encoding="unicode").strip()


def _attributes(measures: list[ET.Element], into: dict[str, str] | None = None) -> dict[str, str]:
    """The clef (per staff), key, meter, staves and divisions the measures set, last one wins."""
    into = {} if into is None else into
    for measure in measures:
        for attributes in measure.findall("attributes"):
            for el in attributes:
                if el.tag in _REPEATED:
                    into[_key_of(el)] = _text(el)
    return into


class _Mismatch(Exception):
    """The chunks disagree about something only the whole export may decide."""


@dataclass(frozen=True)
class Chunk:
    """One chunk's MusicXML taken apart once (the engraver caches it beside the text)."""

    head: str  # the document without its parts, up to its closing tag
    part_ids: tuple[str, ...]
    part_list: str
    measures: tuple[tuple[str, ...], ...]  # per part: each measure as text
    sets: tuple[tuple[dict[str, str], ...], ...]  # per part, per measure: the attributes it sets
    # per part, per measure: (onset in ticks from the bar line, MIDI pitch or None for a rest) of
    # each <note> in document order, and the measure's length in ticks
    notes: tuple[tuple[tuple[tuple[int, int | None], ...], ...], ...] = ()
    lengths: tuple[tuple[int, ...], ...] = ()


def parse_chunk(text: str) -> Chunk:
    root = ET.fromstring(text)
    parts = root.findall("part")
    measures = tuple(tuple(_text(m) for m in p.findall("measure")) for p in parts)
    sets = tuple(tuple(_attributes([m]) for m in p.findall("measure")) for p in parts)
    part_list = root.find("part-list")
    notes, lengths = [], []
    for p in parts:
        divisions = 1
        part_notes, part_lengths = [], []
        for m in p.findall("measure"):
            found, length, divisions = _measure_notes(m, divisions)
            part_notes.append(found)
            part_lengths.append(length)
        notes.append(tuple(part_notes))
        lengths.append(tuple(part_lengths))
    for p in parts:
        root.remove(p)
    head = ET.tostring(root, encoding="unicode")
    return Chunk(head=head[:head.rindex("</")], part_ids=tuple(p.get("id") or "" for p in parts),
                 part_list=_text(part_list) if part_list is not None else "",
                 measures=measures, sets=sets, notes=tuple(notes), lengths=tuple(lengths))


_STEPS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def _measure_notes(measure: ET.Element, divisions: int
                   ) -> tuple[tuple[tuple[int, int | None], ...], int, int]:
    """((onset ticks, MIDI pitch or None), ...) of the measure's <note>s, its length in ticks,
    and the divisions in force after it."""
    pos = onset = end = 0
    out = []
    for el in measure:
        if el.tag == "attributes":
            divisions = _int(el.findtext("divisions"), divisions) or divisions
        elif el.tag in ("backup", "forward"):
            pos += _int(el.findtext("duration"), 0) * (-1 if el.tag == "backup" else 1)
            end = max(end, pos)
        elif el.tag == "note":
            chord = el.find("chord") is not None
            onset = onset if chord else pos
            pitch = el.find("pitch")
            midi = None
            if pitch is not None:
                alter = float(pitch.findtext("alter") or 0)
                midi = (12 * (_int(pitch.findtext("octave"), 4) + 1)
                        + _STEPS.get(pitch.findtext("step") or "C", 0) + round(alter))
            out.append((round(onset * TPQ / divisions), midi))
            if not chord and el.find("grace") is None:
                pos += _int(el.findtext("duration"), 0)
                end = max(end, pos)
    return tuple(out), round(end * TPQ / divisions), divisions


_NOTE_TAG = re.compile(r"<note\b")


def note_id(part: int, tick: int, pitch: int, serial: int) -> str:
    """The id a note gets in the engraved MusicXML and so in verovio's SVG: where it sounds."""
    return f"n{part}-{tick}-{pitch}-{serial}"


def parse_note_id(text: str) -> tuple[int, int, int] | None:
    """(part index, tick, MIDI pitch) from :func:`note_id`'s text, or None."""
    parts = text.split("-")
    if len(parts) != 4 or not parts[0].startswith("n"):
        return None
    try:
        return int(parts[0][1:]), int(parts[1]), int(parts[2])
    except ValueError:
        return None


_NUMBER = re.compile(r'(<measure\b[^>]*?\bnumber=")([^"]*)(")')


def _number(measure: str) -> int:
    found = _NUMBER.search(measure)
    return _int(found[2] if found else None, 1)


def join_chunks(chunks: list[Chunk], lead: list[int], bars: list[int]) -> tuple[str, bool]:
    """One MusicXML document from the chunks' documents, in order.

    Chunk i was exported with ``lead[i]`` bars of context before it and, unless it is the last,
    one bar after it, so that what the export decides from the neighbouring bars (courtesy
    accidentals, spelling, the tempo and key in force) comes out as in the whole export; the
    context bars are dropped here. ``bars[i]`` is how many bars chunk i holds (ignored for the
    last). Raises ``_Mismatch`` where the chunks disagree about the parts, or a context bar
    opens with another key, meter or number of staves than is in force there.

    Returns (document, exact). A chunk that opens with another clef (the export chooses clefs
    by the range of the notes it is given, and a chunk's range is not the part's) is joined
    under the clef in force: the notes are the same, only the clef differs from the whole
    export's, and ``exact`` is False."""
    base = chunks[0]
    for chunk in chunks[1:]:
        if chunk.part_ids != base.part_ids or chunk.part_list != base.part_list:
            raise _Mismatch("parts")
    last = len(chunks) - 1
    exact = True
    out = [base.head]
    for index, part_id in enumerate(base.part_ids):
        state: dict[str, str] = {}
        number = 0
        at = 0  # ticks from the first bar line to this measure's
        serial = 0
        out.append(f'<part id="{part_id}">')
        for k, chunk in enumerate(chunks):
            measures, sets = chunk.measures[index], chunk.sets[index]
            want = lead[k] + bars[k] + 1
            if (k < last and len(measures) != want) or len(measures) <= lead[k]:
                raise _Mismatch(f"chunk {k} of part {part_id} has {len(measures)} bars")
            divisions = ""
            if lead[k]:  # the context bar opens with all that is in force: it must agree
                found: dict[str, str] = {}
                for done in sets[:lead[k]]:
                    found.update(done)
                if _firm(found) != _firm(state):
                    raise _Mismatch(f"chunk {k} of part {part_id} opens differently")
                if _clefs(found) != _clefs(state):
                    exact = False
                if found.get("divisions") != state.get("divisions"):
                    divisions = found.get("divisions", "")
            for i in range(lead[k], want - 1 if k < last else len(measures)):
                state.update(sets[i])
                number = _number(measures[i]) if k == 0 and i == 0 else number + 1
                text = _NUMBER.sub(rf"\g<1>{number}\g<3>", measures[i], count=1)
                if divisions and i == lead[k]:
                    opening = text.index(">") + 1
                    text = f"{text[:opening]}<attributes>{divisions}</attributes>{text[opening:]}"
                    state["divisions"] = divisions
                if chunk.notes:  # each note is named by where it sounds (ui: click to select)
                    ids = []
                    for onset, pitch in chunk.notes[index][i]:
                        ids.append(note_id(index, at + onset, pitch, serial)
                                   if pitch is not None else "")
                        serial += 1
                    named = iter(ids)
                    text = _NOTE_TAG.sub(lambda m, named=named: _named(m, named), text)
                    at += chunk.lengths[index][i]
                out.append(text)
        out.append("</part>")
    out.append("</score-partwise>")
    return "".join(out), exact


def _named(match: re.Match, ids) -> str:
    name = next(ids, "")
    return f'<note id="{name}"' if name else match[0]


def _firm(attributes: dict[str, str]) -> dict[str, str]:
    """What chunks must agree on: key, meter, number of staves."""
    return {k: v for k, v in attributes.items() if k in ("key", "time", "staves")}


def _clefs(attributes: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in attributes.items() if k.startswith("clef")}


def _int(text: str | None, default: int) -> int:
    try:
        return int(text or "")
    except ValueError:
        return default


# ----- SVG for QtSvg -----------------------------------------------------------------------------
_ROOT = re.compile(r'<svg width="([\d.]+)px" height="([\d.]+)px"')
_INNER = re.compile(r'<svg class="definition-scale"([^>]*?)viewBox="0 0 ([\d.]+) ([\d.]+)"([^>]*)>')
_TEXT = re.compile(r"<text([^>]*)>(.*?)</text>", re.S)
_EMPTY_TEXT = re.compile(r"<text[^>]*/>")  # e.g. the hidden number of a pickup bar (measure 0)
_LEAF = re.compile(r"<tspan([^>]*)>([^<]*)</tspan>")
_NOTE = re.compile(r'class="note"')
# SMuFL metronome-mark notes (in verovio's music font, which Qt lacks) as ordinary characters
_METRONOME = {"\ueca2": "𝅝", "\ueca3": "𝅗𝅥", "\ueca5": "♩", "\ueca7": "♪", "\uecb7": ".",
              "\ue1d2": "𝅝", "\ue1d3": "𝅗𝅥", "\ue1d5": "♩", "\ue1d7": "♪", "\ue1e7": "."}


def for_qt(svg: str) -> str:
    """verovio's SVG in the subset QtSvg draws (SVG Tiny 1.2): the nested <svg> that scales the
    page becomes a scaled group, and nested <tspan>s flatten to one level. Text in the music
    font (the note of a tempo mark) becomes the nearest ordinary character, or goes: Qt does not
    have verovio's font."""
    root, inner = _ROOT.search(svg), _INNER.search(svg)
    if root and inner:
        sx = float(root[1]) / float(inner[2])
        sy = float(root[2]) / float(inner[3])
        group = f'<g class="definition-scale"{inner[1]}{inner[4]} transform="scale({sx},{sy})">'
        svg = svg[:inner.start()] + group + svg[inner.end():]
        last = svg.rfind("</svg>")
        closing = svg.rfind("</svg>", 0, last)
        if closing > 0:
            svg = svg[:closing] + "</g>" + svg[closing + len("</svg>"):]

    def flat(match: re.Match) -> str:
        attrs = match[1].replace(' font-size="0px"', "")
        leaves = [(a, _METRONOME.get(t, "") if "font-family" in a else t)
                  for a, t in _LEAF.findall(match[2])]
        leaves = [(a, t) for a, t in leaves if t]
        if not leaves:
            return ""
        size = re.search(r'font-size="([^"]+)"', leaves[0][0])
        if size:
            attrs += f' font-size="{size[1]}"'
        return f"<text{attrs}>" + "".join(t for _a, t in leaves) + "</text>"

    return _TEXT.sub(flat, _EMPTY_TEXT.sub("", svg))


_ID_TICK = re.compile(r'<note id="n\d+-(\d+)-')


def _tick_offset(score: Score, xml: str) -> int:
    """Where the notation's first bar line falls in the score's ticks (not 0 where the export
    writes a short pickup bar): the first note's tick in the score less the one in the ids."""
    named = [int(t) for t in _ID_TICK.findall(xml)]
    starts = [n.start for p in score.parts for n in p.notes]
    return min(starts) - min(named) if named and starts else 0


def count_notes(svg: str) -> int:
    return len(_NOTE.findall(svg))


# ----- the engraver ------------------------------------------------------------------------------
class Engraver:
    """Score -> SVG pages. Keeps the chunks' MusicXML between calls; one thread at a time."""

    def __init__(self, chunk_bars: int = CHUNK_BARS,
                 export: Callable[[Score], str] = musicxml_text) -> None:
        self.chunk_bars = chunk_bars
        self._export = export
        self._cache: dict[Score, str] = {}
        self._parsed: dict[Score, Chunk] = {}
        self._toolkit = None
        self._lock = threading.Lock()

    def musicxml(self, score: Score, cancelled: Callable[[], bool] = lambda: False,
                 stats: dict | None = None, *, exact: bool = False) -> tuple[str, str]:
        """(MusicXML text, "chunks", "preview" or "whole"). ``exact``: never a preview (chunks
        whose clefs differ give the whole export instead). Raises ``Cancelled``."""
        stats = stats if stats is not None else {}
        ranges = chunk_ranges(score, self.chunk_bars)
        stats["exported"] = 0
        if len(ranges) > 1:
            horizon = max(score.end_tick, *(e.tick for e in (
                *score.tempos, *score.time_signatures, *score.key_signatures))) + 1
            lead = [0] + [1] * (len(ranges) - 1)
            bars = [b2 - b1 for (_s, b1), (_t, b2) in itertools.pairwise(ranges)]
            pieces = []
            for k, (_start, bar) in enumerate(ranges):
                begin = score.bar_start(bar - lead[k])
                end = score.bar_start(bar + bars[k] + 1) if k < len(bars) else horizon
                pieces.append(score.slice(begin, end))
            for piece in pieces:
                if cancelled():
                    raise Cancelled
                self._cached(piece, stats)
            t0 = time.perf_counter()
            try:
                chunks = [self._chunk(piece) for piece in pieces]
                text, same = join_chunks(chunks, lead, [*bars, -1])
            except _Mismatch:
                pass
            else:
                stats["join"] = time.perf_counter() - t0
                self._trim_cache(pieces)
                if same or not exact:
                    return text, "chunks" if same else "preview"
        if cancelled():
            raise Cancelled
        self._cached(score, stats)
        text, _same = join_chunks([self._chunk(score)], [0], [-1])  # to name the notes
        return text, "whole"

    def _cached(self, score: Score, stats: dict) -> str:
        text = self._cache.get(score)
        if text is None:
            t0 = time.perf_counter()
            text = self._export(score)
            stats["export"] = stats.get("export", 0.0) + time.perf_counter() - t0
            stats["exported"] = stats.get("exported", 0) + 1
            self._cache[score] = text
        return text

    def _chunk(self, piece: Score) -> Chunk:
        chunk = self._parsed.get(piece)
        if chunk is None:
            chunk = self._parsed[piece] = parse_chunk(self._cache[piece])
        return chunk

    def _trim_cache(self, keep: list[Score]) -> None:
        if len(self._cache) > _CACHE_LIMIT:
            wanted = set(keep)
            for key in [k for k in self._cache if k not in wanted][: len(self._cache) // 2]:
                del self._cache[key]
                self._parsed.pop(key, None)

    def engrave(self, score: Score, width_px: int, zoom: float = 1.0,
                cancelled: Callable[[], bool] = lambda: False, *,
                exact: bool = False) -> Engraving:
        """Pages ``width_px`` wide at ``zoom`` (1: the default size); ``exact``: no preview.
        Raises ``Cancelled``."""
        with self._lock:
            stats: dict = {}
            xml, how = self.musicxml(score, cancelled, stats, exact=exact)
            if cancelled():
                raise Cancelled
            pages, seconds = self.layout(xml, width_px, zoom)
            seconds.update({k: v for k, v in stats.items() if k in ("export", "join")})
            return Engraving(pages=pages, notes=sum(map(count_notes, pages)),
                             bars=score.bar_count(), how=how,
                             exported_chunks=stats.get("exported", 0), seconds=seconds,
                             tick_offset=_tick_offset(score, xml))

    def layout(self, xml: str, width_px: int, zoom: float = 1.0) -> tuple[tuple[str, ...], dict]:
        """Engrave MusicXML text into pages of SVG (for QtSvg)."""
        import verovio

        if self._toolkit is None:
            verovio.enableLog(verovio.LOG_OFF)
            # verovio keeps its default resource path per thread (set by its import): give the
            # fonts' folder to this toolkit, whichever thread builds it
            self._toolkit = verovio.toolkit(False)
            self._toolkit.setResourcePath(str(Path(verovio.__file__).parent / "data"))
        tk = self._toolkit
        scale = max(5, min(200, round(BASE_SCALE * zoom)))
        width = max(400, round(width_px * 100 / scale))
        tk.setOptions({
            "scale": scale, "pageWidth": width, "pageHeight": round(width * PAGE_RATIO),
            "pageMarginLeft": 40, "pageMarginRight": 40, "pageMarginTop": 40,
            "pageMarginBottom": 40, "breaks": "auto", "adjustPageHeight": True,
            "footer": "none", "header": "auto", "svgViewBox": False,
        })
        t0 = time.perf_counter()
        if not tk.loadData(xml):
            raise ValueError("the score's MusicXML could not be engraved")
        t1 = time.perf_counter()
        pages = tuple(for_qt(tk.renderToSVG(i)) for i in range(1, tk.getPageCount() + 1))
        return pages, {"layout": t1 - t0, "svg": time.perf_counter() - t1}


_PROCESS_ENGRAVER: Engraver | None = None


def worker_init(low_priority: bool = False) -> None:
    """Initializer of the score view's worker processes. Each ends itself when the app is gone
    (a killed or crashed app does not get to shut its workers down). ``low_priority``: the worker
    that makes exact engravings after a preview runs behind the app and the preview worker (no
    effect where the system has no ``nice``)."""
    import multiprocessing

    parent = multiprocessing.parent_process()

    def watch() -> None:
        while parent.is_alive():
            time.sleep(1.0)
        os._exit(0)

    if parent is not None:
        threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    if low_priority:
        with contextlib.suppress(AttributeError, OSError):
            os.nice(10)


def engrave_in_process(score: Score, width_px: int, zoom: float,
                       exact: bool = False) -> Engraving:
    """Entry point for the score view's worker process: one Engraver (with its chunk cache) per
    process, kept between calls. verovio holds Python's GIL while it lays out a score (0.2 s for
    100 bars), so the app engraves in a process of its own, never a thread."""
    global _PROCESS_ENGRAVER
    if _PROCESS_ENGRAVER is None:
        # music21 tells stderr on import that matplotlib (for its graphs) is missing
        with contextlib.redirect_stderr(io.StringIO()):
            import music21  # noqa: F401
        _PROCESS_ENGRAVER = Engraver()
    return _PROCESS_ENGRAVER.engrave(score, width_px, zoom, exact=exact)
