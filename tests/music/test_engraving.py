"""The score view's engraver (music.engraving): what it engraves is the whole MusicXML export with
only note ids added, the ids lead back to the score's notes, an edit is engraved at once, and
verovio's SVG comes out in the subset QtSvg draws."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from composer_gui.music import engraving, musicxml_writer
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score, TimeSignature


def _chorale(bars: int, voices: int = 4) -> Score:
    """A 4-part piece of ``bars`` bars in 4/4 with a key, tied-over notes and accidentals (each bar
    is transposed a little)."""
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


_ID = re.compile(r'<note id="([^"]+)"')


def _unnamed(xml: str) -> str:
    return _ID.sub("<note", xml)


def _pitched(xml: str) -> int:
    return sum(1 for n in ET.fromstring(xml).iter("note") if n.find("pitch") is not None)


def test_what_is_engraved_is_the_whole_export_with_named_notes():
    score = _chorale(18)
    xml = engraving.Engraver().musicxml(score)
    export = engraving.musicxml_text(score)
    assert export == musicxml_writer.musicxml_text(score)  # the function File > Export calls
    assert xml != export and _unnamed(xml) == export  # the ids are all that was added
    assert len(_ID.findall(xml)) == _pitched(export) > score.note_count  # tied heads too


def test_every_note_is_named_by_its_part_tick_and_pitch():
    score = _chorale(10)
    xml = engraving.Engraver().musicxml(score)
    names = _ID.findall(xml)
    ids = [engraving.parse_note_id(i) for i in names]
    assert None not in ids and len(set(names)) == len(ids)
    starts = {(i, n.start, n.pitch) for i, p in enumerate(score.parts) for n in p.notes}
    assert starts <= set(ids)  # every note's head is named where it starts
    for part, tick, pitch in ids:  # a tied head: inside a note of that pitch
        assert any(n.pitch == pitch and n.start <= tick < n.end for n in score.parts[part].notes)
    assert engraving.parse_note_id("c1x2") is None


def test_a_pickup_is_named_from_the_first_bar_line_and_offset_back():
    beat = TPQ
    notes = [Note(3 * beat, 67, beat, 80)] + [Note(4 * beat + i * beat, 60 + i, beat, 80)
                                             for i in range(4)]
    score = Score(parts=(Part(tuple(notes)),), time_signatures=(TimeSignature(0, 4, 4),),
                  pickup=beat)
    xml = engraving.Engraver().musicxml(score)
    assert 'implicit="yes"' in xml  # the export writes the short bar
    offset = engraving._tick_offset(score, xml)
    assert offset == 3 * beat
    ticks = sorted(engraving.parse_note_id(i)[1] + offset for i in _ID.findall(xml))
    assert ticks == [n.start for n in notes]


def test_an_edit_is_engraved_from_a_fresh_export_and_a_new_width_is_not_exported_again():
    score = _chorale(12, voices=2)
    engraver = engraving.Engraver()
    first = engraver.musicxml(score)
    part = score.parts[1]
    i = next(i for i, n in enumerate(part.notes) if score.bar_at(n.start) == 10)
    notes = list(part.notes)
    notes[i] = replace(notes[i], pitch=notes[i].pitch + 1)
    edited = score.with_parts([score.parts[0], part.with_notes(notes), *score.parts[2:]])
    seconds: dict = {}
    again = engraver.musicxml(edited, seconds)
    assert again != first and _unnamed(again) == engraving.musicxml_text(edited)
    assert "export" in seconds
    seconds = {}
    assert engraver.musicxml(edited, seconds) is again and seconds == {}


def test_unavailable_reason_names_a_missing_verovio(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "verovio", None)  # import fails as if not installed
    reason = engraving.unavailable_reason()
    assert "verovio" in reason and "not installed" in reason


def test_engraved_pages_hold_every_note_in_qtsvg_form():
    pytest.importorskip("verovio")
    score = _chorale(6)
    result = engraving.Engraver().engrave(score, width_px=900)
    # bar 3 holds a 6-beat note: written as two tied heads
    assert result.notes == score.note_count + 4
    assert result.bars == score.bar_count()
    svg = "".join(result.pages)
    assert svg.count("<svg") == len(result.pages)  # no nested <svg> (QtSvg skips those)
    assert not re.search(r"<tspan[^>]*>\s*<tspan", svg)  # no nested <tspan>
    assert "Soprano" in svg and 'font-size="0px"' not in svg
    heads = re.findall(r'class="note"', result.pages[0])
    assert len(heads) == engraving.count_notes(result.pages[0]) > 0
    # the SVG's notes carry the MusicXML's ids (click to select, the playhead)
    named = re.findall(r'<g id="(n\d+-\d+-\d+-\d+)" class="note"', svg)
    assert sorted(named) == sorted(_ID.findall(engraving.Engraver().musicxml(score)))
    assert set(result.seconds) >= {"export", "layout", "svg"}


def test_a_pickup_bar_engraves_to_well_formed_svg():
    """verovio writes a pickup bar's (measure 0's) number as an empty, self-closed <text/>;
    for_qt once read it as an opening tag, and the page was not XML (a blank score view)."""
    pytest.importorskip("verovio")
    score = _chorale(6)
    shifted = tuple(replace(p, notes=tuple(replace(n, start=n.start + 3 * TPQ) for n in p.notes))
                    for p in score.parts)
    score = replace(score, parts=shifted, pickup=TPQ)
    assert 'number="0"' in engraving.musicxml_text(score)
    result = engraving.Engraver().engrave(score, width_px=900)
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
    dotted = engraving.for_qt(svg.replace("\ueca5", "\ueca5 \uecb7"))  # (a jig's beat)
    assert "♩. = 96</text>" in dotted


def test_for_qt_drops_an_empty_text_and_nothing_after_it():
    svg = ('<svg width="100px" height="50px"><g><text x="1" y="2" font-size="0px" />'
           '<g id="n0-0-60-0" class="note"><use/></g><text x="3" y="4"><tspan>12</tspan></text>'
           '</g></svg>')
    out = engraving.for_qt(svg)
    assert engraving.count_notes(out) == 1 and "<text x=\"3\" y=\"4\">12</text>" in out
    assert "/>\n" not in out and 'font-size="0px"' not in out


def test_every_note_of_the_export_is_engraved_pickup_and_all():
    pytest.importorskip("verovio")
    beat = TPQ
    notes = [Note(3 * beat, 67, beat // 2, 80), Note(3 * beat + beat // 2, 65, beat // 2, 80)]
    # (a figure of 7 notes: no bars played twice, which the export would write once)
    notes += [Note(4 * beat + i * beat, 60 + i % 7, beat, 80) for i in range(4 * 12)]
    score = Score(parts=(Part(tuple(notes), name="Soprano"),),
                  time_signatures=(TimeSignature(0, 4, 4),), pickup=beat, title="Pickup")
    result = engraving.Engraver().engrave(score, width_px=700)
    export = engraving.musicxml_text(score)
    assert len(result.pages) >= 1 and result.notes == export.count("<pitch>") == len(notes)
