"""The score view's engraver (music.engraving): chunked export equals the whole export, the cache
exports only what an edit touched, and verovio's SVG comes out in the subset QtSvg draws."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from composer_gui.music import engraving
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score, TimeSignature


def _chorale(bars: int, voices: int = 4) -> Score:
    """A 4-part piece of ``bars`` bars in 4/4 with a key, tied-over notes and accidentals, whose
    chunks all differ (each bar is transposed a little)."""
    parts = []
    for voice, base in enumerate((72, 67, 60, 48)[:voices]):
        notes = []
        for bar in range(bars):
            t = bar * 4 * TPQ
            shift = (bar * 5) % 7 - 3
            if bar % 5 == 3:  # a note held across the bar line
                notes.append(Note(t, base + shift, 6 * TPQ, 80))
                continue
            if bar % 5 == 4:
                notes.append(Note(t + 2 * TPQ, base + shift + 1, 2 * TPQ, 80))
                continue
            for beat, step in enumerate((0, 2, 1, 4)):
                notes.append(Note(t + beat * TPQ, base + shift + step, TPQ, 80))
        parts.append(Part(tuple(notes), name=("Soprano", "Alto", "Tenor", "Bass")[voice]))
    return Score(parts=tuple(parts), key_signatures=(KeySignature(0, 2, "major"),),
                 time_signatures=(TimeSignature(0, 4, 4),), title="Test")


def _measures(xml: str) -> list[tuple[str, str, list[str]]]:
    """Every measure of every part, its children serialized (whitespace ignored)."""
    out = []
    for part in ET.fromstring(xml).findall("part"):
        for m in part.findall("measure"):
            items = []
            for el in m:
                el.tail = None
                text = re.sub(r">\s+<", "><", ET.tostring(el, encoding="unicode"))
                items.append(re.sub(r'<note id="[^"]*"', "<note", text))  # the view's names
            out.append((part.get("id"), m.get("number"), items))
    return out


def test_chunks_skip_bar_lines_a_note_crosses():
    score = _chorale(24)
    starts = engraving.chunk_ranges(score, bars=4)
    bars = [bar for _tick, bar in starts]
    assert bars[0] == 0
    # bar 3 of every 5 holds a note into the next bar: bar lines 4, 9, 14, 19 are crossed
    assert bars == [0] + [b for b in range(4, 24, 4) if b % 5 != 4] == [0, 8, 12, 16, 20]
    assert all(tick == score.bar_start(bar) for tick, bar in starts)


def test_joined_chunks_equal_the_whole_export():
    score = _chorale(18)
    engraver = engraving.Engraver(chunk_bars=4)
    joined, how = engraver.musicxml(score)
    assert how == "chunks"
    whole = engraving.musicxml_text(score)
    got, want = _measures(joined), _measures(whole)
    assert [(p, n) for p, n, _ in got] == [(p, n) for p, n, _ in want]
    different = [(p, n) for (p, n, a), (_q, _m, b) in zip(got, want, strict=True) if a != b]
    assert different == []
    assert ET.fromstring(joined).find("part-list") is not None


def test_every_note_is_named_by_its_part_tick_and_pitch():
    score = _chorale(10)
    engraver = engraving.Engraver(chunk_bars=4)
    xml, how = engraver.musicxml(score)
    assert how in ("chunks", "preview")
    ids = [engraving.parse_note_id(i) for i in re.findall(r'<note id="([^"]+)"', xml)]
    assert None not in ids and len(set(re.findall(r'<note id="([^"]+)"', xml))) == len(ids)
    starts = {(i, n.start, n.pitch) for i, p in enumerate(score.parts) for n in p.notes}
    assert starts <= set(ids)  # every note's head is named where it starts
    for part, tick, pitch in ids:  # a tied head: inside a note of that pitch
        assert any(n.pitch == pitch and n.start <= tick < n.end for n in score.parts[part].notes)
    assert engraving.parse_note_id("c1x2") is None


def test_an_edit_exports_only_its_chunk_again():
    score = _chorale(16, voices=2)
    engraver = engraving.Engraver(chunk_bars=4)
    stats: dict = {}
    engraver.musicxml(score, stats=stats)
    first = stats["exported"]
    assert first == len(engraving.chunk_ranges(score, bars=4))
    part = score.parts[1]
    # bar 10 lies inside the chunk of bars 8..11 and in no neighbour's context bar
    i = next(i for i, n in enumerate(part.notes) if score.bar_at(n.start) == 10)
    notes = list(part.notes)
    notes[i] = replace(notes[i], pitch=notes[i].pitch + 1)
    edited = score.with_parts([score.parts[0], part.with_notes(notes), *score.parts[2:]])
    stats = {}
    xml, how = engraver.musicxml(edited, stats=stats)
    assert how == "chunks" and stats["exported"] == 1
    assert _measures(xml) == _measures(engraving.musicxml_text(edited))


def _export_changing(score: Score, old: str, new: str):
    """An export under which every chunk after the first writes ``new`` for ``old``."""
    calls = []

    def export(s: Score) -> str:
        calls.append(s.note_count)
        text = engraving.musicxml_text(s)
        if len(calls) > 1 and s.note_count < score.note_count:
            text = text.replace(old, new)
        return text

    return export, calls


def test_chunks_that_disagree_on_the_key_fall_back_to_the_whole_export():
    score = _chorale(12, voices=2)
    export, calls = _export_changing(score, "<fifths>2</fifths>", "<fifths>3</fifths>")
    xml, how = engraving.Engraver(chunk_bars=4, export=export).musicxml(score)
    assert how == "whole" and calls[-1] == score.note_count
    assert _measures(xml) == _measures(engraving.musicxml_text(score))


def test_chunks_that_disagree_on_a_clef_give_a_preview_or_the_exact_whole():
    score = _chorale(12, voices=2)
    export, calls = _export_changing(score, "<sign>G</sign>", "<sign>C</sign>")
    engraver = engraving.Engraver(chunk_bars=4, export=export)
    preview, how = engraver.musicxml(score)
    assert how == "preview" and score.note_count not in calls  # no whole export
    assert "<sign>C</sign>" not in preview  # joined under the clef in force
    whole = engraving.musicxml_text(score)
    # the same notes as the exact export, bar by bar
    def notes(xml):
        return [[el for el in items if el.startswith("<note")] for _p, _n, items in _measures(xml)]
    assert notes(preview) == notes(whole)
    exact, how = engraver.musicxml(score, exact=True)
    assert how == "whole" and calls[-1] == score.note_count
    assert _measures(exact) == _measures(whole)


def test_cancelled_requests_stop_between_chunks():
    with pytest.raises(engraving.Cancelled):
        engraving.Engraver(chunk_bars=4).musicxml(_chorale(12), cancelled=lambda: True)


def test_unavailable_reason_names_a_missing_verovio(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "verovio", None)  # import fails as if not installed
    reason = engraving.unavailable_reason()
    assert "verovio" in reason and "not installed" in reason


def test_engraved_pages_hold_every_note_in_qtsvg_form():
    pytest.importorskip("verovio")
    score = _chorale(6)
    result = engraving.Engraver(chunk_bars=4).engrave(score, width_px=900)
    # bar 3 holds a 6-beat note: written as two tied heads
    assert result.notes == score.note_count + 4
    assert result.bars == score.bar_count()
    svg = "".join(result.pages)
    assert svg.count("<svg") == len(result.pages)  # no nested <svg> (QtSvg skips those)
    assert not re.search(r"<tspan[^>]*>\s*<tspan", svg)  # no nested <tspan>
    assert "Soprano" in svg and 'font-size="0px"' not in svg
    heads = re.findall(r'class="note"', result.pages[0])
    assert len(heads) == engraving.count_notes(result.pages[0]) > 0


def test_a_pickup_bar_engraves_to_well_formed_svg():
    """verovio writes a pickup bar's (measure 0's) number as an empty, self-closed <text/>;
    for_qt once read it as an opening tag, and the page was not XML (a blank score view)."""
    pytest.importorskip("verovio")
    score = _chorale(6)
    shifted = tuple(replace(p, notes=tuple(replace(n, start=n.start + 3 * TPQ) for n in p.notes))
                    for p in score.parts)
    score = replace(score, parts=shifted, pickup=TPQ)
    assert 'number="0"' in engraving.musicxml_text(score)
    result = engraving.Engraver(chunk_bars=4).engrave(score, width_px=900)
    for page in result.pages:
        ET.fromstring(page)  # raises where the page is not XML
    assert "Soprano</text>" in result.pages[0]


def test_for_qt_keeps_the_tempo_mark_readable():
    svg = ('<svg width="100px" height="50px"><svg class="definition-scale" viewBox="0 0 1000 500">'
           '<text x="1" y="2" font-size="0px"><tspan class="rend"><tspan font-family="Leipzig" '
           'font-size="720px">\ueca5</tspan></tspan><tspan><tspan font-size="405px"> = 96</tspan>'
           '</tspan></text></svg></svg>')
    out = engraving.for_qt(svg)
    assert '<g class="definition-scale"' in out and 'transform="scale(0.1,0.1)"' in out
    assert out.count("<svg") == 1 and out.endswith("</g></svg>")
    assert "♩ = 96</text>" in out and 'font-size="720px"' in out
