"""The words sung: a chorale's text is read from MusicXML, kept by the project file and through
edits, exported under its notes (with its syllables' hyphens) and read back; a repeated section
sung to other words is written out, not folded under the first words."""

from __future__ import annotations

from dataclasses import replace

import pytest

from composer_gui.music.musicxml_writer import musicxml_text
from composer_gui.music.notation import read_notation
from composer_gui.music.project import read_project, write_project
from composer_gui.music.score import (
    TPQ,
    Note,
    Part,
    Score,
    lyric_syllabic,
    syllabic_lyric,
)

music21 = pytest.importorskip("music21")


@pytest.mark.parametrize("lyric, syllabic, text", [
    ("Herr", "single", "Herr"), ("Lob-", "begin", "Lob"), ("-ge-", "middle", "ge"),
    ("-sang", "end", "sang"), ("-", "single", "-")])
def test_a_syllable_and_its_hyphens(lyric, syllabic, text):
    assert lyric_syllabic(lyric) == (syllabic, text)
    assert syllabic_lyric(syllabic, text) == lyric


def test_a_chorale_keeps_its_words_from_file_to_project_to_export(tmp_path):
    warnings: list[str] = []
    score = read_notation(music21.corpus.getWork("bach/bwv10.7"), warnings)
    soprano = score.parts[0].notes
    assert [n.lyric for n in soprano[:6]] == ["Mei-", "-ne", "Seel’", "er-", "-hebt", "den"]
    assert not any("words" in w for w in warnings)  # (one verse: all of it kept)
    # the project file keeps them, and equality still ignores them (as spellings)
    write_project(score, tmp_path / "s.composer.json")
    kept = read_project(tmp_path / "s.composer.json")
    assert [n.lyric for n in kept.parts[0].notes] == [n.lyric for n in soprano]
    assert kept == score and Note(0, 60, TPQ, lyric="a") == Note(0, 60, TPQ)
    # export writes each syllable with its syllabic, and reading it back gives them again
    xml = musicxml_text(kept)
    assert '<lyric number="1"><syllabic>begin</syllabic><text>Mei</text></lyric>' in xml
    assert xml.count("<lyric ") == sum(1 for p in score.parts for n in p.notes if n.lyric)
    out = tmp_path / "s.musicxml"
    out.write_text(xml, encoding="utf-8")
    back = read_notation(out)
    assert [n.lyric for n in back.parts[0].notes] == [n.lyric for n in soprano]


def test_words_travel_with_their_notes_through_edits():
    n = Note(0, 60, TPQ, spelling="C", lyric="Lob-")
    moved = replace(n, start=TPQ, pitch=62)
    assert moved.lyric == "Lob-" and moved.spelling is None  # (a D is no C; the word stays)
    assert Note(0, 60, TPQ, lyric=" ").lyric is None  # blank words are none


def test_a_repeat_sung_to_other_words_is_written_once_with_both_verses(tmp_path):
    def strain(first: int, words: list[str]) -> list[Note]:
        return [Note(first + i * 2 * TPQ, 52 + i, 2 * TPQ, lyric=words[i % len(words)])
                for i in range(16)]

    same = Score(parts=(Part(tuple(strain(0, ["la"]) + strain(32 * TPQ, ["la"]))),))
    assert musicxml_text(same).count('<repeat direction="backward"/>') == 1
    assert '<lyric number="2">' not in musicxml_text(same)
    other = Score(parts=(Part(tuple(strain(0, ["la"]) + strain(32 * TPQ, ["lo"]))),))
    xml = musicxml_text(other)
    assert xml.count('<repeat direction="backward"/>') == 1 and xml.count("<measure ") == 8
    assert xml.count('<lyric number="2"><syllabic>single</syllabic><text>lo</text>') == 16
    out = tmp_path / "two.musicxml"
    out.write_text(xml, encoding="utf-8")  # read back: each time through sings its verse
    assert [n.lyric for n in read_notation(out).notes] == ["la"] * 16 + ["lo"] * 16


def test_midi_keeps_the_words_as_lyric_events(tmp_path):
    from composer_gui.music.midi import read_midi, write_midi

    words = ["Lob-", "-ge-", "-sang", "Herr", None, "Seel’"]
    chord = [Note(i * TPQ, 60 + i, TPQ, lyric=w) for i, w in enumerate(words)]
    chord.append(Note(0, 48, TPQ, lyric="Lob-"))  # a chord's words are written once
    score = Score(parts=(Part(tuple(chord)),))
    write_midi(score, tmp_path / "s.mid")
    import mido

    texts = [m.text for m in mido.MidiFile(tmp_path / "s.mid").tracks[1] if m.type == "lyrics"]
    assert len(texts) == 5
    back = read_midi(tmp_path / "s.mid")
    assert [n.lyric for n in back.parts[0].notes if n.pitch >= 60] == words
    assert [n.lyric for n in back.parts[0].notes if n.pitch < 60] == [None]  # (the top note's)


def test_a_repeated_part_sings_its_second_verse_the_second_time():
    """BWV 269's first part is sung twice, to two verses: written out, the second time
    through sings the second verse (a review heard the first verse twice)."""
    warnings: list[str] = []
    score = read_notation(music21.corpus.getWork("bach/bwv269"), warnings)
    words = " ".join(n.lyric for n in score.parts[0].notes if n.lyric)
    assert words.startswith("Aus mei- -nes Her- -zens Grun- -de")
    assert "in die- -ser Mor- -gen- -stun- -de" in words
    assert not any("words" in w for w in warnings)  # (both verses sung: nothing dropped)
    # ... and the export writes the repeat once, the second verse under the first
    xml = musicxml_text(score)
    assert '<lyric number="2"><syllabic>begin</syllabic><text>die</text>' in xml


def test_typed_words_split_into_syllables_and_back():
    from composer_gui.music.edits import syllables, words_text

    typed = "Lob-ge-sang mei-ner _ See-le"
    sung = syllables(typed)
    assert sung == ["Lob-", "-ge-", "-sang", "mei-", "-ner", None, "See-", "-le"]
    assert words_text(sung) == typed and words_text([*sung, None, None]) == typed


def test_a_word_broken_by_a_note_without_a_syllable_comes_back_whole():
    """BWV 269's "Her- (a note) -zens": the Words box shows it so, and OK gives it back as it
    was (a review's OK had split the word in two)."""
    from composer_gui.music.edits import syllables, words_text

    sung = ["Her-", None, "-zens", "Grun-", None, None, "-de"]
    assert words_text(sung) == "Her- _ -zens Grun- _ _ -de"
    assert syllables(words_text(sung)) == sung


def test_the_score_view_engraves_words_typed_since(tmp_path):
    """Words and spellings take no part in a score's equality, but the engraver's cache of the
    last export must see them."""
    pytest.importorskip("verovio")
    from composer_gui.music.engraving import Engraver

    plain = Score(parts=(Part(tuple(Note(i * TPQ, 60 + i, TPQ) for i in range(4))),))
    sung = Score(parts=(Part(tuple(replace(n, lyric="la") for n in plain.parts[0].notes)),))
    assert sung == plain
    engraver = Engraver()
    assert "<lyric" not in engraver.musicxml(plain)
    assert engraver.musicxml(sung).count("<lyric") == 4


def test_abc_export_read_back_gives_the_words_again(tmp_path):
    """The app's own ABC (``w:`` lines, a word going on over a line's end, a second verse
    under a repeat written once) read back sings the same syllables on the same notes."""
    from composer_gui.music.abc_writer import write_abc

    chorale = read_notation(music21.corpus.getWork("bach/bwv10.7"))
    write_abc(chorale, tmp_path / "c.abc")
    back = read_notation(tmp_path / "c.abc")
    assert [(n.start, n.pitch, n.lyric) for n in back.notes if n.lyric] == \
        [(n.start, n.pitch, n.lyric) for n in chorale.notes if n.lyric]

    def strain(first: int, words: list[str]) -> list[Note]:
        return [Note(first + i * 2 * TPQ, 52 + i, 2 * TPQ, lyric=words[i % len(words)])
                for i in range(16)]

    twice = Score(parts=(Part(tuple(strain(0, ["la"]) + strain(32 * TPQ, ["lo"]))),))
    write_abc(twice, tmp_path / "t.abc")
    assert "|:" in (tmp_path / "t.abc").read_text()
    assert [n.lyric for n in read_notation(tmp_path / "t.abc").notes] == ["la"] * 16 + ["lo"] * 16
