"""Written tuplets other than triplets (session 78, a trial's item 6): quintuplets, sextuplets
and septuplets of sixteenths and five eighths over a half, read from MusicXML, kept in the
notation view (not moved to a 16th/32nd grid as a "performance"), written to MusicXML with
their time modification and bracket and to ABC as (p:q:r, and read back as they were; a played
part is never written in them. And the ABC export's voice names (the trial's item 12)."""

from __future__ import annotations

import itertools
import random
import re
from fractions import Fraction

import pytest

from composer_gui.music.abc_writer import abc_text
from composer_gui.music.midi import read_midi, write_midi
from composer_gui.music.musicxml_writer import musicxml_text
from composer_gui.music.notation import read_notation, write_musicxml
from composer_gui.music.quantize import is_human, notation_view
from composer_gui.music.score import TPQ, Note, Part, Score

pytest.importorskip("music21")

DIVISIONS = 420  # (divides by 3, 4, 5 and 7: every tuplet's duration whole in the file)


def _places(n: int, length: int = TPQ) -> list[int]:
    """Where an n-tuplet's notes fall over ``length`` ticks, as the reader rounds them."""
    return [round(Fraction(k * length, n)) for k in range(n + 1)]


def _note(step: str, octave: int, duration: int, kind: str, ratio: tuple[int, int] | None = None,
          bracket: str | None = None) -> str:
    modification = (f"<time-modification><actual-notes>{ratio[0]}</actual-notes><normal-notes>"
                    f"{ratio[1]}</normal-notes></time-modification>") if ratio else ""
    tuplet = f'<notations><tuplet type="{bracket}" bracket="yes"/></notations>' \
        if bracket else ""
    return (f"<note><pitch><step>{step}</step><octave>{octave}</octave></pitch>"
            f"<duration>{duration}</duration><type>{kind}</type>{modification}{tuplet}</note>")


def _group(n: int, kind: str, steps: str, total: int) -> str:
    return "".join(_note(step, 5, total // n, kind, (n, 4),
                         "start" if i == 0 else "stop" if i == n - 1 else None)
                   for i, step in enumerate(steps))


def _tuplets_file(tmp_path, name: str = "Flute"):
    """Bar 1: a quintuplet, a sextuplet and a septuplet of sixteenths, a quarter; bar 2: a
    quarter, five eighths over a half, a quarter; bar 3: two septuplets, a quintuplet, a
    quarter; bar 4: a whole note. One part, in a resolution every tuplet divides."""
    q = DIVISIONS
    bars = [
        _group(5, "16th", "CDEFG", q) + _group(6, "16th", "AGFEDC", q)
        + _group(7, "16th", "BCDEFGA", q) + _note("B", 5, q, "quarter"),
        _note("C", 6, q, "quarter") + _group(5, "eighth", "BAGFE", 2 * q)
        + _note("D", 5, q, "quarter"),
        _group(7, "16th", "CDEFGAB", q) + _group(7, "16th", "CBAGFED", q)
        + _group(5, "16th", "CEGEC", q) + _note("C", 5, q, "quarter"),
        _note("C", 5, 4 * q, "whole"),
    ]
    measures = "".join(
        f'<measure number="{i}">'
        + (f"<attributes><divisions>{q}</divisions><key><fifths>0</fifths></key><time><beats>4"
           "</beats><beat-type>4</beat-type></time><clef><sign>G</sign><line>2</line></clef>"
           "</attributes>" if i == 1 else "") + bar + "</measure>"
        for i, bar in enumerate(bars, 1))
    path = tmp_path / "tuplets.musicxml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<score-partwise version="3.1">'
                    "<work><work-title>Tuplets</work-title></work><part-list>"
                    f'<score-part id="P1"><part-name>{name}</part-name></score-part>'
                    f'</part-list><part id="P1">{measures}</part></score-partwise>\n',
                    encoding="utf-8")
    return path


def _starts(score: Score) -> list[tuple[int, int]]:
    return [(n.start, n.pitch) for n in score.notes]


def _timing(score: Score) -> list[tuple[int, int, int]]:
    return [(n.start, n.duration, n.pitch) for n in score.notes]


def test_written_tuplets_are_read_and_kept_in_the_notation_view(tmp_path):
    """The trial's quintuplets had been moved to 16ths and 32nds (1.0, 1.25, 1.375, ...) and the
    file called a performance; the sextuplet alone survived (on the triplet grid)."""
    score = read_notation(_tuplets_file(tmp_path))
    starts = [n.start for n in score.notes]
    quintuplet = [k * 96 for k in range(5)]
    septuplet = [960 + p for p in _places(7)[:7]]
    assert starts[:5] == quintuplet and starts[11:18] == septuplet
    assert starts[19:26] == [1920, *(2400 + k * 192 for k in range(5)), 3360]
    assert not is_human(score.parts[0].notes)
    view = notation_view(score)
    assert not view.human and view.warnings == ()  # (nothing moved: nothing to say)
    assert _starts(view.score) == _starts(score)
    # a septuplet's ends land on its places (the reader rounds each length: 69 ticks)
    assert all(abs(a.duration - b.duration) <= 1
               for a, b in zip(view.score.notes, score.notes, strict=True))
    assert [view.unit_tuplet(0, t) for t in (0, 480, 960, 1440, 2400, 2880, 3840, 4800)] == \
        [5, 3, 7, 0, 5, 5, 7, 5]


def test_written_tuplets_go_back_to_musicxml_with_their_ratio_and_bracket(tmp_path):
    score = read_notation(_tuplets_file(tmp_path))
    xml = musicxml_text(score)
    ratios = re.findall(r"<actual-notes>(\d)</actual-notes><normal-notes>(\d)</normal-notes>"
                        r"(?:<normal-type>(\w+)</normal-type>)?", xml)
    assert ratios.count(("5", "4", "16th")) == 10  # two quintuplets of sixteenths
    assert ratios.count(("6", "4", "16th")) == 6  # a sextuplet, not triplets under a 3
    assert ratios.count(("7", "4", "16th")) == 21
    assert ratios.count(("5", "4", "eighth")) == 5  # five eighths over a half, as one
    assert xml.count('<tuplet type="start" bracket="yes"/>') == 7
    assert xml.count('<tuplet type="stop"/>') == 7
    # a septuplet's sixteenths are whole divisions: 3,360 a quarter, 480 each
    assert "<divisions>3360</divisions>" in xml and "<duration>480</duration>" in xml
    # the five eighths over a half beamed as one group
    bar2 = xml[xml.index('<measure number="2"'):xml.index('<measure number="3"')]
    assert bar2.count('<beam number="1">begin</beam>') == 1
    path = tmp_path / "back.musicxml"
    write_musicxml(score, path)
    assert _timing(read_notation(path)) == _timing(score)


def test_written_tuplets_go_to_abc_and_back(tmp_path):
    score = read_notation(_tuplets_file(tmp_path))
    text = abc_text(score)
    assert "(5:4:5c/d/e/f/g/ (6:4:6a/g/f/e/d/c/ (7:4:7b/c/d/e/f/g/a/" in text
    assert "(5:4:5bagfe" in text  # five eighths over a half
    path = tmp_path / "back.abc"
    path.write_text(text, encoding="utf-8")
    assert _timing(read_notation(path)) == _timing(score)


def test_tuplets_a_tick_or_two_off_are_written_ones_and_more_is_played(tmp_path):
    """A MIDI file of 96 ticks a quarter (480/5 = 96, 96/5 is not whole) puts a quintuplet's
    notes a tick or two off; it is still a quintuplet. A pianist's quintuplet, off by more, is
    a performance, written on sixteenths as before."""
    def quintuplets(offsets: list[int]) -> Score:
        notes = [Note(beat * TPQ + offsets[k], 60 + k, offsets[k + 1] - offsets[k])
                 for beat in range(8) for k in range(5)]
        return Score(parts=(Part(tuple(notes)),))

    midi96 = [round(round(Fraction(k, 5) * 96) * Fraction(480, 96)) for k in range(6)]
    assert midi96 == [0, 95, 190, 290, 385, 480]
    view = notation_view(quintuplets(midi96))
    assert not view.human and {view.unit_tuplet(0, b * TPQ) for b in range(8)} == {5}
    assert [n.start for n in view.score.notes[:5]] == [0, 96, 192, 288, 384]
    assert not any("moved" in w for w in view.warnings)
    rng = random.Random(3)
    played = [Note(max(0, beat * TPQ + k * 96 + rng.choice((-1, 1)) * rng.randint(4, 20)),
                   60 + k, 90) for beat in range(8) for k in range(5)]
    view = notation_view(Score(parts=(Part(tuple(sorted(played))),)))
    assert view.human and not view.tuplet_units
    assert any("performance" in w for w in view.warnings)


def test_a_performance_is_never_written_in_quintuplets(tmp_path):
    from human_piano import human_piano_midi

    score = read_midi(human_piano_midi(tmp_path / "played.mid", bars=16))
    view = notation_view(score)
    assert view.human and not view.tuplet_units
    assert "<actual-notes>5" not in musicxml_text(score)
    assert "<actual-notes>7" not in musicxml_text(score)


def test_a_quintuplet_over_another_voices_eighths_leaves_them_plain(tmp_path):
    """A piano's right hand in quintuplets and septuplets over the left hand's eighths: the
    unit is a quintuplet for the right hand's voice alone."""
    right = [Note(u + p, 72 + k, q - p) for u, n in ((0, 5), (480, 7))
             for k, (p, q) in enumerate(itertools.pairwise(_places(n)))]
    right += [Note(960 + k * 192, 76 + k, 192) for k in range(5)] + [Note(1920, 84, 1920)]
    left = [Note(240 * i, 43 + (i % 4), 240) for i in range(16)]
    score = Score(parts=(Part(tuple(sorted(right + left)), name="Piano"),))
    view = notation_view(score)
    assert _timing(view.score) == _timing(score) and not view.warnings
    xml = musicxml_text(score)
    lower = xml[xml.index("<staff>2</staff>"):]
    assert "<time-modification>" not in "".join(re.findall(r"<note>.*?</note>", lower))
    assert xml.count('<tuplet type="start"') == 3  # 5 and 7 sixteenths, 5 eighths over a half
    path = tmp_path / "piano.musicxml"
    write_musicxml(score, path)
    back = read_notation(path)  # (a septuplet's lengths as the reader rounds them: 69 ticks)
    assert _starts(back) == _starts(score)
    assert all(abs(a.duration - b.duration) <= 1
               for a, b in zip(back.notes, score.notes, strict=True))


def test_sixteenth_triplets_filling_a_beat_show_a_6(tmp_path):
    """Six sixteenths in a beat on the triplet grid are a sextuplet under a 6 (they were under
    a 3); a triplet of eighths, and three sixteenths after an eighth, keep their 3."""
    six = (*(Note(k * 80, 60 + k, 80) for k in range(6)), Note(480, 72, 1440))
    xml = musicxml_text(Score(parts=(Part(six),)))
    assert xml.count("<actual-notes>6</actual-notes><normal-notes>4</normal-notes>") == 6
    eighths = (*(Note(k * 160, 60 + k, 160) for k in range(3)), Note(480, 72, 1440))
    assert musicxml_text(Score(parts=(Part(eighths),))).count(
        "<actual-notes>3</actual-notes><normal-notes>2</normal-notes></time-modification>") == 3


def test_tuplets_survive_a_midi_file(tmp_path):
    """A MIDI file the app wrote from them (the places as ticks) reads back as written music
    in the same tuplets, not as a performance."""
    score = read_notation(_tuplets_file(tmp_path))
    write_midi(score, tmp_path / "t.mid")
    back = read_midi(tmp_path / "t.mid")
    assert _starts(back) == _starts(score)
    view = notation_view(back)
    assert not view.human
    assert view.unit_tuplet(0, 0) == 5 and view.unit_tuplet(0, 960) == 7


def test_abc_export_keeps_a_single_parts_name(tmp_path):
    """A one-part score named "Violin" lost its name in ABC (a trial's item 12)."""
    score = read_notation(_tuplets_file(tmp_path, "Violin"))
    head = abc_text(score).split("\nK:")[0]
    assert 'V:1 name="Violin"' in head
    unnamed = Score(parts=(Part((Note(0, 60, 480),)),))
    assert "V:" not in abc_text(unnamed)


def test_abc_voices_of_a_piano_are_named_by_hand_not_by_musicxml_voice_numbers():
    """The trial's two-voice waltz: "Piano 1", "Piano 2", "Piano 5" (MusicXML's voice 5, the
    lower staff's first); now the hands, and the voices of a hand numbered from 1."""
    upper = [Note(0, 76, 1440), *(Note(k * 480, 72, 480) for k in range(3))]
    lower = [Note(k * 480, 48, 480) for k in range(3)]
    score = Score(parts=(Part(tuple(sorted(upper + lower)), name="Piano"),))
    names = re.findall(r'V:\d name="([^"]*)"', abc_text(score))
    assert names == ["Piano RH 1", "Piano RH 2", "Piano LH"]
    hands = [Note(k * 480, 72 + k, 480) for k in range(4)] + \
        [Note(k * 480, 43 + k, 480) for k in range(4)]
    names = re.findall(r'V:\d name="([^"]*)"', abc_text(
        Score(parts=(Part(tuple(sorted(hands)), name="Harpsichord"),))))
    assert names == ["Harpsichord RH", "Harpsichord LH"]
