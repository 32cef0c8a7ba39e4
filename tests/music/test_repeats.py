"""Repeat signs in notation: a section played twice is written once between repeat signs (with
first and second endings where only its last bars differ), read back as the same notes; short
figures, ties over the edges and a tempo change inside are written out; the score view's note ids
keep the ticks where the notes sound."""

from __future__ import annotations

import re

import pytest

from composer_gui.music import engraving, repeats
from composer_gui.music.musicxml_writer import musicxml_text
from composer_gui.music.notation import read_notation
from composer_gui.music.score import TPQ, Note, Part, Score, TempoChange

BAR = 4 * TPQ
STRAIN = [60, 62, 64, 65, 67, 65, 64, 62]  # one bar: two notes from here each


def _bars(count: int, first: int = 0, *, last: int | None = None) -> list[Note]:
    """``count`` bars of half notes, bar b sounding STRAIN[b % 8] then a step above; ``last``:
    the final bar's first pitch instead."""
    notes = []
    for b in range(count):
        pitch = STRAIN[b % len(STRAIN)] if last is None or b < count - 1 else last
        notes += [Note(first + b * BAR, pitch, 2 * TPQ), Note(first + b * BAR + 2 * TPQ,
                                                           pitch + 2, 2 * TPQ)]
    return notes


def _score(*runs: list[Note], tempos=()) -> Score:
    return Score(parts=(Part(tuple(n for run in runs for n in run)),), tempos=tempos)


def _back(xml: str, tmp_path) -> list[tuple[int, int, int]]:
    out = tmp_path / "back.musicxml"
    out.write_text(xml)
    return sorted((n.start, n.pitch, n.duration) for n in read_notation(out).notes)


def _plain(score: Score) -> list[tuple[int, int, int]]:
    return sorted((n.start, n.pitch, n.duration) for n in score.notes)


def test_a_strain_played_twice_is_written_once_between_repeat_signs(tmp_path):
    score = _score(_bars(8), _bars(8, 8 * BAR), _bars(4, 16 * BAR))
    warnings: list[str] = []
    xml = musicxml_text(score, warnings)
    assert xml.count("<measure ") == 12  # 8 + 4, not 20
    assert xml.count('<repeat direction="forward"/>') == 1
    assert xml.count('<repeat direction="backward"/>') == 1
    assert "<ending" not in xml
    assert any("written once between repeat signs: bars 1-8" in w for w in warnings)
    assert _back(xml, tmp_path) == _plain(score)  # read back, it plays as before
    # the bar after the repeat is numbered as written, and the piece still ends with its bar line
    numbers = re.findall(r'<measure number="(\d+)"', xml)
    assert numbers == [str(n) for n in range(1, 13)]
    assert xml.rstrip().count("light-heavy") == 2  # the repeat's and the final bar line
    # not folded when asked (and the switch)
    assert musicxml_text(score, fold_repeats=False).count("<measure ") == 20


def test_only_the_last_bar_differs_first_and_second_endings(tmp_path):
    score = _score(_bars(8, last=72), _bars(8, 8 * BAR, last=60))
    xml = musicxml_text(score)
    assert xml.count("<measure ") == 9  # 7 bars, the first ending, the second
    assert '<ending number="1" type="start">1.</ending>' in xml
    assert '<ending number="2" type="start">2.</ending>' in xml
    assert '<ending number="1" type="stop"/><repeat direction="backward"/>' in xml
    assert _back(xml, tmp_path) == _plain(score)


@pytest.mark.parametrize("case", ["short figure", "tie over the repeat", "tempo inside",
                                  "two bars differ early"])
def test_what_is_written_out(case):
    if case == "short figure":  # a 3-bar figure twice: copyists write it out
        score = _score(_bars(3), _bars(3, 3 * BAR))
    elif case == "tie over the repeat":  # the section's last note held into its copy
        def strain(first_bar: int, held: int) -> list[Note]:
            notes = _bars(8, first_bar * BAR)
            notes[0] = Note(notes[0].start + TPQ, notes[0].pitch, TPQ)  # (a rest on beat 1)
            notes[-1] = Note(notes[-1].start, notes[-1].pitch, held)
            return notes

        after = [Note(16 * BAR + TPQ, 60, TPQ)]
        assert musicxml_text(_score(strain(0, 2 * TPQ), strain(8, 2 * TPQ), after)).count(
            '<repeat direction="backward"/>') == 1  # the same bars, not held over: folded
        score = _score(strain(0, 3 * TPQ), strain(8, 3 * TPQ), after)
    elif case == "tempo inside":  # slower the second time
        score = _score(_bars(8), _bars(8, 8 * BAR), tempos=(TempoChange(0, 120),
                                                            TempoChange(10 * BAR, 90)))
    else:  # bars 3 and 8 differ: no repeat with endings
        second = _bars(8, 8 * BAR, last=72)
        second[4] = Note(second[4].start, 71, second[4].duration)
        score = _score(_bars(8), second)
    assert musicxml_text(score).count("<repeat ") == 0


def test_the_score_view_names_notes_where_they_sound():
    """Note ids carry ticks; after a repeat sign (and in a second ending) they are the ticks of
    the second time through, so a click or the playhead finds the right notes."""
    score = _score(_bars(8, last=72), _bars(8, 8 * BAR, last=60), _bars(2, 16 * BAR))
    named = engraving.name_notes(musicxml_text(score))
    ticks = {int(t) for t in re.findall(r'<note id="n0-(\d+)-', named)}
    starts = {n.start for n in score.notes}
    assert ticks <= starts
    assert 15 * BAR in ticks and 16 * BAR in ticks  # the second ending, the bars after
    assert 8 * BAR not in ticks  # played again, not written


def test_sections_are_found_longest_first_and_do_not_overlap():
    # A A B B with 4-bar sections (A and B differ): two repeats, bars 0-3 and 8-11
    a, b = _bars(4), [Note(n.start, n.pitch + 7, n.duration) for n in _bars(4)]

    def at(notes, bar):
        return [Note(n.start + bar * BAR, n.pitch, n.duration) for n in notes]

    score = _score(a, at(a, 4), at(b, 8), at(b, 12))
    bars = [(i * BAR, (i + 1) * BAR) for i in range(16)]
    assert repeats.find_repeats(score, bars) == [repeats.Repeat(0, 4), repeats.Repeat(8, 12)]
    written = repeats.written_bars(16, repeats.find_repeats(score, bars))
    assert [w.index for w in written] == [0, 1, 2, 3, 8, 9, 10, 11]


def test_the_playhead_follows_the_bars_written_once():
    """The ticks played the second time through map back to the bars written for them."""
    score = _score(_bars(8, last=72), _bars(8, 8 * BAR, last=60), _bars(2, 16 * BAR))
    # 7 bars in common played again from bar 8; the first ending (bar 7) not
    assert engraving.repeat_folds(musicxml_text(score)) == ((8 * BAR, 15 * BAR, -8 * BAR),)
    assert engraving.repeat_folds(musicxml_text(score, fold_repeats=False)) == ()


def test_empty_bars_and_a_restated_meter_are_not_folded():
    """Bars without a note are no section played twice (a hypothesis case: eight empty bars
    had been folded, and the meter restated in the second time's first bar lost)."""
    from composer_gui.music.musicxml_writer import musicxml_text
    from composer_gui.music.score import TPQ, Note, Part, Score, TimeSignature

    empty = Score(parts=(Part((Note(16 * 2 * TPQ, 36, 120),)),),
                  time_signatures=(TimeSignature(0, 2, 4), TimeSignature(2 * TPQ, 2, 4)))
    xml = musicxml_text(empty)
    assert "<repeat " not in xml and xml.count("<time>") == 2
    tune = [Note(i * TPQ, 60 + i % 4, TPQ) for i in range(16)]
    again = [Note(n.start + 16 * TPQ, n.pitch, TPQ) for n in tune]
    restated = Score(parts=(Part((*tune, *again)),),
                     time_signatures=(TimeSignature(0, 4, 4), TimeSignature(16 * TPQ, 4, 4)))
    assert "<repeat " not in musicxml_text(restated)
    plain = Score(parts=(Part((*tune, *again)),), time_signatures=(TimeSignature(0, 4, 4),))
    assert "<repeat " in musicxml_text(plain)
