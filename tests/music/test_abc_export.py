"""ABC export: a folk tune, a chorale and a two-hand piece written as ABC and read back play
the same notes; repeats and endings, triplets, ties, accidentals, beams, pickups, fermatas and
words come out as an ABC reader expects; the convert command writes .abc."""

from __future__ import annotations

import pytest

from composer_gui.cli import main
from composer_gui.music.abc_writer import abc_text
from composer_gui.music.formats import save_score
from composer_gui.music.notation import read_notation
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score, TimeSignature

music21 = pytest.importorskip("music21")


def _notes(score: Score) -> list[tuple[int, int, int]]:
    return sorted((n.start, n.pitch, n.duration) for n in score.notes)


def _back(text: str, tmp_path) -> Score:
    path = tmp_path / "back.abc"
    path.write_text(text, encoding="utf-8")
    return read_notation(path)


@pytest.mark.parametrize("work", ["ryansMammoth/PoloReel", "bach/bwv269"])
def test_a_tune_and_a_chorale_come_back_as_they_were(work, tmp_path):
    book, name = work.split("/")
    path = next(p for p in music21.corpus.getWork(book if book != "bach" else "bach/" + name)
                if name in str(p)) if book != "bach" else music21.corpus.getWork(work)
    score = read_notation(path)
    text = abc_text(score)
    back = _back(text, tmp_path)
    assert _notes(back) == _notes(score)
    assert back.pickup == score.pickup
    if book == "bach":  # four voices, their names, the fermatas and the words
        assert text.count('\nV:') == 8 and 'name="Bass" clef=bass' in text  # (head, body)
        assert 'name="Tenor" clef=treble-8' in text or 'name="Tenor" clef=bass' in text
        # (written out: music21, beside other readers, drops the note after an "H")
        assert text.count("!fermata!") >= len(score.fermatas) // 4
        def m21_notes(abc):
            parsed = music21.converter.parse(abc, format="abc")
            return sum(len(p.recurse().notes) for p in parsed.parts)

        assert m21_notes(text) == m21_notes(text.replace("!fermata!", ""))
        assert "w:Aus mei-nes Her-* zens Grun-" in text  # (* a note the words skip)
    else:  # the reel's two strains between repeat signs, each with its endings
        assert text.count("|:") == 2 and text.count(":|") == 2 and text.count("[2") == 2


def test_what_an_abc_reader_expects(tmp_path):
    e, t = TPQ // 2, TPQ // 3
    notes = [Note(0, 62, e), Note(e, 66, e), Note(2 * e, 69, e), Note(3 * e, 73, e),
             Note(4 * e, 72, e), Note(5 * e, 72, e),  # C natural, again in the bar
             Note(6 * e, 74, 4 * e),  # held over the bar line
             Note(5 * TPQ, 76, t), Note(5 * TPQ + t, 74, t), Note(5 * TPQ + 2 * t, 72, t)]
    score = Score(parts=(Part(tuple(notes)),), key_signatures=(KeySignature(0, 2),),
                  time_signatures=(TimeSignature(0, 2, 4),))
    text = abc_text(score)
    # four eighths filling a 2/4 bar beamed as one (two and a quarter by the beat), the key's C#
    # plain, the natural once a bar, a tie, a triplet
    assert text.endswith("K:D\nDFAc|=cc d2-|d2 (3ed=c|]\n")
    assert _notes(_back(text, tmp_path)) == _notes(score)


def test_convert_writes_abc(tmp_path):
    source = tmp_path / "in.mid"
    from composer_gui.music.midi import write_midi

    write_midi(Score(parts=(Part(tuple(Note(i * TPQ, 60 + i, TPQ) for i in range(8))),)),
               source)
    out = tmp_path / "out.abc"
    assert main(["convert", str(source), str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("X:1\n") and "\nK:" in text
    save_score(read_notation(out), tmp_path / "again.abc")  # and what it wrote reads again


def test_key_meter_and_tempo_changes_are_field_lines(tmp_path):
    """A second strain in another key and meter, slower: K:, M: and Q: lines where they change
    (music21 skips inline [K:] fields: a review read a strain in E back in A)."""
    from composer_gui.music.score import TempoChange

    first = [Note(i * TPQ, 69 + (i % 3) * 2, TPQ) for i in range(8)]  # 4/4, A major
    second = [Note(8 * TPQ + i * TPQ, 76 + (i % 3) * 2 - (i % 2), TPQ) for i in range(6)]
    score = Score(parts=(Part(tuple(first + second)),),
                  key_signatures=(KeySignature(0, 3), KeySignature(8 * TPQ, 4)),
                  time_signatures=(TimeSignature(0, 4, 4), TimeSignature(8 * TPQ, 3, 4)),
                  tempos=(TempoChange(0, 500_000, stated=True),
                          TempoChange(8 * TPQ, 750_000, stated=True)))
    text = abc_text(score)
    assert "\nK:E\nM:3/4\n" in text.replace("\nM:3/4\nK:E\n", "\nK:E\nM:3/4\n")
    assert "\nQ:1/4=80\n" in text and "[K:" not in text
    back = _back(text, tmp_path)
    assert _notes(back) == _notes(score)
    assert [(k.tick, k.sharps) for k in back.key_signatures] == [(0, 3), (8 * TPQ, 4)]
    assert [(t.tick, t.numerator) for t in back.time_signatures] == [(0, 4), (8 * TPQ, 3)]


def test_a_dotted_pair_is_written_as_broken_rhythm(tmp_path):
    """A dotted eighth and its sixteenth beamed: "B>A", as folk musicians write it."""
    e = TPQ // 2
    pair = [Note(0, 71, 3 * e // 2), Note(3 * e // 2, 69, e // 2), Note(TPQ, 67, e // 2),
            Note(TPQ + e // 2, 69, 3 * e // 2)]
    score = Score(parts=(Part(tuple(pair)),), time_signatures=(TimeSignature(0, 2, 4),))
    text = abc_text(score)
    assert "B>A G<A" in text
    assert _notes(_back(text, tmp_path)) == _notes(score)


@pytest.mark.parametrize(("num", "den", "unit", "body"), [(4, 1, "L:1/2", "G4 A4"),
                                                          (4, 2, "L:1/4", "G8"),
                                                          (3, 4, "L:1/8", "G6")])
def test_long_meters_write_a_longer_unit(tmp_path, num, den, unit, body):
    """An Essen song in 4/1 was written with L:1/8, every whole note "A8": in x/2 the unit is
    a quarter, in x/1 a half (a breve "G4"), and the notes come back as they were."""
    bar = num * 4 * TPQ // den
    notes = (Note(0, 67, bar // 2), Note(bar // 2, 69, bar // 2)) if den == 1 else \
        (Note(0, 67, bar),)
    score = Score(parts=(Part(notes),), time_signatures=(TimeSignature(0, num, den),))
    text = abc_text(score)
    assert f"\n{unit}\n" in text and text.endswith(f"\n{body}|]\n"), text
    assert _notes(_back(text, tmp_path)) == _notes(score)


def test_an_accidental_tied_over_the_bar_line_is_written_again(tmp_path):
    """A C sharp held over the bar line: ABC holds an accidental to the bar's end only, so the
    tied note in the new bar carries its sign ("^c2-|^c2", or as spelled "_d2-|_d2"), and the
    tune reads back as it was (it read back C sharp tied to C natural)."""
    notes = (Note(0, 69, TPQ), Note(TPQ, 71, TPQ), Note(2 * TPQ, 72, TPQ),
             Note(3 * TPQ, 73, 2 * TPQ), Note(5 * TPQ, 73, TPQ), Note(6 * TPQ, 72, 2 * TPQ))
    score = Score(parts=(Part(notes, name="Flute"),), key_signatures=(KeySignature(0, 0),))
    text = abc_text(score)
    flat = text.replace(" ", "")
    assert "^c2-|^c2" in flat or "_d2-|_d2" in flat
    path = tmp_path / "tie.abc"
    path.write_text(text, encoding="utf-8")
    back = read_notation(path, [])
    assert [(n.start, n.pitch, n.duration) for n in back.notes] == \
        [(n.start, n.pitch, n.duration) for n in notes]
    assert back.parts[0].name == "Flute"  # (its V: field's name, read back)
