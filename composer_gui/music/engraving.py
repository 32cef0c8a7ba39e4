"""Notation as pictures: the score's MusicXML export engraved to SVG pages by verovio. No Qt.

The score view (``ui/score_view.py``) calls :func:`engrave_in_process` in a worker process. What
it shows is what File > Export MusicXML writes: every render engraves the whole text of
``musicxml_writer.musicxml_text``, the function the export calls, with only an ``id`` added to
each pitched ``<note>`` (where it sounds: the view selects the note clicked and follows the
playhead by them), and no chord symbol's <degree>s (verovio prints them after the text that
already says them). Nothing is cut up, cached per bar or joined, so no context is lost.

Speed (``bench/score_view.py``, 100 bars, on a shared 2-core machine at load average 1.2): one
note changed costs 0.34 s wall / 0.34 s CPU for a 4-part chorale of 1,630 notes (its last edit:
export 0.08, names 0.01, layout 0.13, svg 0.10) and 0.27 s / 0.27 s for a 2,000-note piano
piece; in the app, from the edit to the new pages, 0.52 s and 0.45 s (the 150 ms pause included).
"""

from __future__ import annotations

import os
import re
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from .musicxml_writer import musicxml_text
from .score import TPQ, Score

# verovio's layout units: at scale 100 one unit is one pixel of the SVG
BASE_SCALE = 40  # verovio's "scale" at zoom 1: a 4-voice chorale gives about 14 bars a page
PAGE_RATIO = 1.414  # page height / width (A4)


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
    tick_offset: int = 0  # add to the ticks in note ids (see note_id) to get the score's ticks
    # the score's ticks played again after a repeat sign, and how far back they are written
    folds: tuple[tuple[int, int, int], ...] = ()
    written_bars: int = 0  # bars on the pages (fewer than ``bars`` where repeats fold them)
    seconds: dict[str, float] = field(default_factory=dict)  # export, names, layout, svg


# ----- naming the notes --------------------------------------------------------------------------
_STEPS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
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


def name_notes(xml: str) -> str:
    """``xml`` with an id (:func:`note_id`) on every pitched ``<note>``, and nothing else changed.
    Ticks count from the first bar line (see :func:`_tick_offset` for a pickup), as played: a
    bar after a repeat sign is where it sounds the second time through (``repeats``)."""
    ids, _folds = _walk(xml)
    if len(_NOTE_TAG.findall(xml)) != len(ids):  # a "<note" outside the parts: leave it unnamed
        return xml
    named = iter(ids)

    def name(match: re.Match) -> str:
        text = next(named)
        return f'<note id="{text}"' if text else match[0]

    return _NOTE_TAG.sub(name, xml)


def repeat_folds(xml: str) -> tuple[tuple[int, int, int], ...]:
    """(start, end, shift): the ticks played a second time (from the first bar line), not
    written again, and how far back the bars written for them lie (the playhead follows the
    written bars there)."""
    return _walk(xml)[1]


def _walk(xml: str) -> tuple[list[str], tuple[tuple[int, int, int], ...]]:
    """The note ids of :func:`name_notes` (an empty one for a rest) and :func:`repeat_folds`."""
    ids: list[str] = []
    folds: list[tuple[int, int, int]] = []
    for index, part in enumerate(ET.fromstring(xml).findall("part")):
        divisions, at, serial, sounding = 1, 0, 0, 0
        forward = ending = 0  # where the repeated section and its first ending begin
        for measure in part.findall("measure"):
            found, length, divisions, sounding = _measure_notes(measure, divisions, sounding)
            for barline in measure.iter("barline"):
                if barline.find("repeat[@direction='forward']") is not None:
                    forward, ending = at, 0
                if barline.find("ending[@number='1'][@type='start']") is not None:
                    ending = at
            for onset, pitch in found:
                ids.append(note_id(index, at + onset, pitch, serial) if pitch is not None else "")
                serial += 1
            at += length
            if measure.find("barline/repeat[@direction='backward']") is not None:
                # (the bars played again are not written: the next bar plays after them)
                again = (ending or at) - forward
                if index == 0:
                    folds.append((at, at + again, forward - at))
                at += again
                forward, ending = at, 0
    return ids, tuple(folds)


def _measure_notes(measure: ET.Element, divisions: int, sounding: int = 0
                   ) -> tuple[tuple[tuple[int, int | None], ...], int, int, int]:
    """((onset ticks, MIDI pitch or None), ...) of the measure's <note>s, its length in ticks,
    and the divisions and the semitones from written to sounding pitch (a transposing part's
    ``<transpose>``: the ids name the note the score holds, which sounds) in force after it."""
    pos = onset = end = 0
    out = []
    for el in measure:
        if el.tag == "attributes":
            divisions = _int(el.findtext("divisions"), divisions) or divisions
            moved = el.find("transpose")
            if moved is not None:
                sounding = _int(moved.findtext("chromatic"), 0) + 12 * _int(
                    moved.findtext("octave-change"), 0)
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
                        + _STEPS.get(pitch.findtext("step") or "C", 0) + round(alter) + sounding)
            out.append((round(onset * TPQ / divisions), midi))
            if not chord and el.find("grace") is None:
                pos += _int(el.findtext("duration"), 0)
                end = max(end, pos)
    return tuple(out), round(end * TPQ / divisions), divisions, sounding


def _int(text: str | None, default: int) -> int:
    try:
        return int(text or "")
    except ValueError:
        return default


# ----- SVG for QtSvg -----------------------------------------------------------------------------
_ROOT = re.compile(r'<svg width="([\d.]+)px" height="([\d.]+)px"')
_INNER = re.compile(r'<svg class="definition-scale"([^>]*?)viewBox="0 0 ([\d.]+) ([\d.]+)"([^>]*)>')
# a <text> element, or an empty one (<text .../>: verovio writes those; group 2 is then None)
_TEXT = re.compile(r"<text\b([^>]*?)(?:/>|>(.*?)</text>)", re.S)
_LEAF = re.compile(r"<tspan([^>]*)>([^<]*)</tspan>")
_NOTE = re.compile(r'class="note"')
# SMuFL metronome-mark notes (in verovio's music font, which Qt lacks) as ordinary characters;
# and the accidentals of a chord symbol's root and bass (the "b" of "Bb7" had gone)
_METRONOME = {"\ueca2": "𝅝", "\ueca3": "𝅗𝅥", "\ueca5": "♩", "\ueca7": "♪", "\uecb7": ".",
              "\ue1d2": "𝅝", "\ue1d3": "𝅗𝅥", "\ue1d5": "♩", "\ue1d7": "♪", "\ue1e7": ".",
              "\uea63": "𝄫", "\uea64": "♭", "\uea65": "♮", "\uea66": "♯", "\uea67": "𝄪"}


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
        if match[2] is None:  # empty: nothing to draw
            return ""
        attrs = match[1].replace(' font-size="0px"', "")
        # (music font text is mapped glyph by glyph: a dotted quarter comes as "\ueca5 \uecb7",
        # and a review saw only "= 120" over a jig)
        leaves = [(a, "".join(_METRONOME.get(c, "") for c in t) if "font-family" in a else t)
                  for a, t in _LEAF.findall(match[2])]
        leaves = [(a, t) for a, t in leaves if t]
        if not leaves:
            return ""
        size = re.search(r'font-size="([^"]+)"', leaves[0][0])
        if size:
            attrs += f' font-size="{size[1]}"'
        return f"<text{attrs}>" + "".join(t for _a, t in leaves) + "</text>"

    return _TEXT.sub(flat, svg)


_ID_TICK = re.compile(r'<note id="n\d+-(\d+)-')


def _tick_offset(score: Score, xml: str) -> int:
    """Where the notation's first bar line falls in the score's ticks (not 0 where the export
    writes a short pickup bar): the first note's tick in the score less the one in the ids."""
    named = [int(t) for t in _ID_TICK.findall(xml)]
    starts = [n.start for p in score.parts for n in p.notes]
    return min(starts) - min(named) if named and starts else 0


def count_notes(svg: str) -> int:
    return len(_NOTE.findall(svg))


def _export_key(score: Score) -> tuple:
    """What the export is made from: the score, and what its equality leaves out but notation
    writes (each note's words, spelling and marks, where a part's staves divide): words typed
    under a chorale had left the score view's last engraving standing, the score equal without
    them."""
    return (score, tuple((n.lyric, n.spelling, n.marks) for p in score.parts for n in p.notes),
            tuple(p.staff_split for p in score.parts))


# ----- the engraver ------------------------------------------------------------------------------
class Engraver:
    """Score -> SVG pages, one call at a time. Keeps verovio's toolkit, and the last score's
    MusicXML: a new width or zoom lays the same text out again without exporting it."""

    def __init__(self) -> None:
        self._toolkit = None
        self._last: tuple[tuple, bool, str] | None = None
        self._lock = threading.Lock()

    def musicxml(self, score: Score, seconds: dict | None = None, *,
                 fold_repeats: bool = True) -> str:
        """The export of ``score`` (``musicxml_text``) with its notes named (``name_notes``)."""
        key = _export_key(score)
        if self._last is not None and self._last[:2] == (key, fold_repeats):
            return self._last[2]
        seconds = seconds if seconds is not None else {}
        t0 = time.perf_counter()
        text = musicxml_text(score, fold_repeats=fold_repeats, chord_degrees=False)
        t1 = time.perf_counter()
        named = name_notes(text)
        seconds.update(export=t1 - t0, names=time.perf_counter() - t1)
        self._last = (key, fold_repeats, named)
        return named

    def engrave(self, score: Score, width_px: int, zoom: float = 1.0, *,
                fold_repeats: bool = True) -> Engraving:
        """Pages ``width_px`` wide at ``zoom`` (1: the default size); ``fold_repeats`` as the
        export does (``repeats``), or every bar written out."""
        with self._lock:
            seconds: dict[str, float] = {}
            xml = self.musicxml(score, seconds, fold_repeats=fold_repeats)
            pages, timing = self.layout(xml, width_px, zoom)
            seconds.update(timing)
            offset = _tick_offset(score, xml)
            first_part = xml.split("</part>", 1)[0]
            return Engraving(pages=pages, notes=sum(map(count_notes, pages)),
                             bars=score.bar_count(), seconds=seconds, tick_offset=offset,
                             written_bars=first_part.count("<measure "),
                             folds=tuple((a + offset, b + offset, shift)
                                         for a, b, shift in repeat_folds(xml)))

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
            # (Qt draws the words in a wider font than verovio measures them with: at the
            # default 1.2 a review read "zensGrun" and "Lobund" under a chorale)
            "lyricWordSpace": 3.0,
        })
        t0 = time.perf_counter()
        if not tk.loadData(xml):
            raise ValueError("the score's MusicXML could not be engraved")
        t1 = time.perf_counter()
        pages = tuple(for_qt(tk.renderToSVG(i)) for i in range(1, tk.getPageCount() + 1))
        return pages, {"layout": t1 - t0, "svg": time.perf_counter() - t1}


_PROCESS_ENGRAVER: Engraver | None = None


def worker_init() -> None:
    """Initializer of the score view's worker process: it ends itself when the app is gone (a
    killed or crashed app does not get to shut its workers down)."""
    import multiprocessing

    parent = multiprocessing.parent_process()

    def watch() -> None:
        while parent.is_alive():
            time.sleep(1.0)
        os._exit(0)

    if parent is not None:
        threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def engrave_in_process(score: Score, width_px: int, zoom: float,
                       fold_repeats: bool = True) -> Engraving:
    """Entry point for the score view's worker process: one Engraver per process, kept between
    calls. verovio holds Python's GIL while it lays out a score (a few tenths of a second for 100
    bars), so the app engraves in a process of its own, never a thread."""
    global _PROCESS_ENGRAVER
    if _PROCESS_ENGRAVER is None:
        _PROCESS_ENGRAVER = Engraver()
    return _PROCESS_ENGRAVER.engrave(score, width_px, zoom, fold_repeats=fold_repeats)
