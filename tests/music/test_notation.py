"""MusicXML / .mxl / ABC through music21: round trips, notation details, real corpus files."""

from __future__ import annotations

import zipfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from music_strategies import notation_scores

from composer_gui.music.errors import ScoreFileError
from composer_gui.music.midi import read_midi, write_midi
from composer_gui.music.notation import read_notation, write_musicxml
from composer_gui.music.score import (
    TPQ,
    KeySignature,
    Note,
    Part,
    Score,
    TempoChange,
    TimeSignature,
)

music21 = pytest.importorskip("music21")
CORPUS = Path(music21.__file__).parent / "corpus"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("notation")


def timing(score: Score) -> list[list[tuple[int, int, int]]]:
    """What notation must keep: (onset, pitch, duration) of every note, part by part."""
    return [sorted((n.start, n.pitch, n.duration) for n in p.notes) for p in score.parts]


# ----- round trips ---------------------------------------------------------------------------
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(notation_scores())
def test_score_to_musicxml_to_score_keeps_the_music(folder, score):
    path = folder / "round.musicxml"
    write_musicxml(score, path)
    back = read_notation(path)
    assert timing(back) == timing(score)
    assert back.time_signatures == score.time_signatures
    assert back.key_signatures == score.key_signatures
    assert [p.name for p in back.parts] == [p.name for p in score.parts]
    assert back.title == score.title


def example() -> Score:
    return Score(
        parts=(
            Part((Note(0, 60, 480), Note(480, 62, 160), Note(640, 64, 160), Note(800, 65, 160),
                  Note(1440, 67, 960),  # crosses the first bar line: must be tied
                  Note(2400, 60, 480), Note(2400, 64, 480), Note(2400, 67, 480),  # a chord
                  Note(3840, 72, 1920), Note(4320, 76, 480)),  # two voices
                 name="Flute", program=73),
            Part((Note(0, 36, 1920), Note(1920, 43, 1920)), name="Cello", program=42, channel=1),
        ),
        tempos=(TempoChange.from_bpm(0, 90),),
        time_signatures=(TimeSignature(0, 4, 4), TimeSignature(3840, 3, 4)),
        key_signatures=(KeySignature(0, -1), KeySignature(3840, 2, "minor")),
        title="Example",
    )


@pytest.mark.parametrize("suffix", [".musicxml", ".xml", ".mxl"])
def test_example_round_trips_in_every_musicxml_form(folder, suffix):
    score = example()
    path = folder / f"example{suffix}"
    write_musicxml(score, path)
    if suffix == ".mxl":
        assert zipfile.is_zipfile(path)
    else:
        assert path.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    back = read_notation(path)
    assert timing(back) == timing(score)
    assert back.key_signatures == score.key_signatures
    assert back.time_signatures == score.time_signatures
    assert back.tempo.bpm == pytest.approx(90)
    assert [(p.name, p.program) for p in back.parts] == [("Flute", 73), ("Cello", 42)]


def test_notation_details_in_the_xml(folder):
    path = folder / "details.musicxml"
    write_musicxml(example(), path)
    xml = path.read_text(encoding="utf-8")
    assert '<tie type="start"' in xml and '<tie type="stop"' in xml  # across the bar line
    assert "<rest" in xml
    assert "<fifths>-1</fifths>" in xml and "<fifths>2</fifths>" in xml
    assert "<beats>3</beats>" in xml
    assert "<time-modification>" in xml  # the triplet
    assert "<voice>1</voice>" in xml and "<voice>2</voice>" in xml
    assert "<voice>0</voice>" not in xml
    assert ">Music21<" not in xml  # no made-up composer on the title page
    assert xml.count("<measure ") == 2 * 4  # both parts run to the same final bar line
    assert 'print-object="no"' not in xml.split("<backup>")[0]  # first voice: visible rests


def test_drum_parts_stay_drums(folder):
    score = Score(parts=(Part((Note(0, 60, 480),), name="Piano"),
                         Part((Note(0, 36, 480), Note(480, 38, 480)), name="Kit", is_drum=True,
                              channel=9)))
    write_musicxml(score, folder / "drums.musicxml")
    back = read_notation(folder / "drums.musicxml")
    assert [(p.is_drum, p.channel) for p in back.parts] == [(False, 0), (True, 9)]
    assert timing(back) == timing(score)


def test_no_made_up_title_or_composer(folder):
    path = folder / "untitled.musicxml"
    write_musicxml(Score(parts=(Part((Note(0, 60, 480),)),)), path)
    xml = path.read_text(encoding="utf-8")
    assert "Music21" not in xml.replace("music21 v.", "")
    assert read_notation(path).title == "untitled"  # the file's name, as for any untitled file


def test_zero_length_notes_are_left_out_of_notation(folder):
    score = Score(parts=(Part((Note(0, 60, 0), Note(0, 62, 480)),),))
    write_musicxml(score, folder / "zero.musicxml")
    assert timing(read_notation(folder / "zero.musicxml")) == [[(0, 62, 480)]]


# ----- real files ----------------------------------------------------------------------------
def test_a_bach_chorale_from_the_corpus():
    path = music21.corpus.getWork("bwv66.6")
    warnings: list[str] = []
    score = read_notation(path, warnings)
    assert [p.name for p in score.parts] == ["Soprano", "Alto", "Tenor", "Bass"]
    counts = [len(p.notes) for p in score.parts]
    assert all(30 <= c <= 60 for c in counts), counts
    assert score.key == KeySignature(0, 3, "minor")  # F# minor
    assert score.time_signature == TimeSignature(0, 4, 4)
    # the chorale opens with a one-beat pickup: its first note sits on the last beat of the
    # first bar, which notation numbers 0
    first = min(n.start for n in score.notes)
    assert score.position(first) == (0, 4, 0)
    assert score.bar_count() == 10
    soprano = [n.pitch for n in score.parts[0].notes]
    assert min(soprano) >= 60 and max(soprano) <= 81
    bass = [n.pitch for n in score.parts[3].notes]
    assert max(bass) < min(soprano) + 12


def test_a_chorale_survives_musicxml_and_midi(folder):
    from composer_gui.music.midi import read_midi, write_midi

    original = read_notation(music21.corpus.getWork("bwv66.6"))
    write_musicxml(original, folder / "chorale.musicxml")
    again = read_notation(folder / "chorale.musicxml")
    assert timing(again) == timing(original)
    write_midi(again, folder / "chorale.mid")
    assert timing(read_midi(folder / "chorale.mid")) == timing(original)


def test_words_that_are_not_kept_are_named(tmp_path):
    """A song's first verse is kept under its notes (``Note.lyric``); later verses are dropped
    with one warning, not silently; ABC's w: lines (music21 skips them) are named too."""
    song = music21.stream.Stream()
    for i, (pitch, word) in enumerate(zip("CDEFG", ("Lo", "rem", "ip", "sum", "do"),
                                          strict=True)):
        note = music21.note.Note(pitch + "4")
        note.lyric = word
        if i < 2:
            note.addLyric("la")  # a second verse on two notes
        song.append(note)
    path = tmp_path / "song.musicxml"
    song.write("musicxml", fp=str(path))
    warnings: list[str] = []
    score = read_notation(path, warnings)
    assert score.note_count == 5
    assert [n.lyric for n in score.notes] == ["Lo", "rem", "ip", "sum", "do"]
    assert warnings == ["the words after the first verse (on 2 notes) are not kept: the score "
                        "holds one verse"]
    # ABC's w: lines (music21 skips them; abc_text reads them): the first verse kept, a tie
    # one note, "_" a held syllable, "|" on to the next bar, "\-" a hyphen in a word
    abc = tmp_path / "song.abc"
    abc.write_text("X:1\nT:Song\nM:4/4\nL:1/4\nK:C\nC D E F|G2 A2-|A2 B2|c4|]\n"
                   "w:Lo-rem ip-sum do _ | a\\-b\nw:la la\n", encoding="utf-8")
    warnings.clear()
    score = read_notation(abc, warnings)
    assert [n.lyric for n in score.notes] == ["Lo-", "-rem", "ip-", "-sum", "do", None, "a-b",
                                              None]
    assert warnings == ["the words after the first verse (on 2 notes) are not kept: the score "
                        "holds one verse"]
    # W: lines (words printed after the tune, under no notes) are named as not kept
    abc.write_text("X:1\nT:Song\nM:4/4\nL:1/4\nK:C\nC D E F|G4|]\nW:Lo-rem ip-sum do\n",
                   encoding="utf-8")
    warnings.clear()
    assert read_notation(abc, warnings).note_count == 5
    assert warnings == ["the words (w: lines) are not kept: the score holds the notes only"]


def test_an_abc_tune_from_the_corpus():
    path = CORPUS / "ryansMammoth" / "AcaciaReel.abc"
    warnings: list[str] = []
    score = read_notation(path, warnings)
    assert warnings == ["repeat signs and endings are written out as played: 18 bars as "
                        "written, 33 as played"]  # its two strains repeat, with two endings
    # its slurs (one around a triplet: "u((3DEF)"), bowings and staccatos are kept, each
    # strain's twice
    marks = Counter(m for n in score.notes for m in n.marks)
    assert marks == {"slur-start": 6, "slur-stop": 6, "up-bow": 4, "down-bow": 8, "staccato": 2}
    # and its grace notes ({d}cBcd: a cut a tone above the C; {a}gfga), each strain's twice
    cuts = [(n.pitch, n.graces) for n in score.notes if n.graces]
    assert len(cuts) == 14 and cuts[0] == (72, (2,)) and (79, (2,)) in cuts
    assert score.title == "Acacia -- Reel"
    assert len(score.parts) == 1 and 200 <= score.note_count <= 400  # (each strain twice)
    assert score.key == KeySignature(0, 1)  # G major
    assert score.time_signature == TimeSignature(0, 2, 4)
    # the pickup is a triplet of sixteenths on the last eighth of bar 1
    first = score.parts[0].notes[:3]
    assert [n.start for n in first] == [720, 800, 880]
    assert all(n.duration == TPQ // 6 for n in first)


def test_a_multi_tune_abc_file_gives_the_first_tune_and_a_warning():
    path = CORPUS / "essenFolksong" / "testd.abc"
    warnings: list[str] = []
    score = read_notation(path, warnings)
    assert any("tunes" in w and "first" in w for w in warnings)
    assert score.note_count > 10


TWO_TUNES = ("% a collection\nL:1/8\n\nX:1\nT:First\nM:4/4\nK:G\nGABc d2B2|c2A2 G4|\n\n"
             "X:2\nT:Second\nM:6/8\nK:D\nDFA dAF|G3 F3|E3 D3|\n\n"
             "X:3\nT:Broken\nM:4/4\nK:C\nC142 D|\n")


def test_each_tune_of_an_abc_collection_is_read_alone(tmp_path):
    """A tune chosen by number is read alone after the file's header (its L: field), and one
    tune with a value no music needs bars only itself. Opening the file reads its first tune
    alone too: music21 would parse all of a 200-tune book (5.4 s) to give the first (0.03 s)."""
    from composer_gui.music.formats import load_score
    from composer_gui.music.notation import abc_tune_titles

    path = tmp_path / "book.abc"
    path.write_text(TWO_TUNES)
    assert abc_tune_titles(path) == ["First", "Second", "Broken"]
    warnings: list[str] = []
    first = load_score(path, warnings)
    assert first.title == "First" and first.note_count == 9
    assert "the file holds 3 tunes; read the first" in warnings
    second_warnings: list[str] = []
    second = load_score(path, second_warnings, tune=1)
    assert second.title == "Second" and second.time_signature == TimeSignature(0, 6, 8)
    assert second.key == KeySignature(0, 2) and second.note_count == 10
    assert second.parts[0].notes[0].duration == TPQ // 2  # the header's L:1/8
    assert not any("tunes" in w for w in second_warnings)
    assert load_score(path, [], tune=0) == first
    with pytest.raises(ScoreFileError, match="tune 3 was not read: the number 142"):
        load_score(path, [], tune=2)
    with pytest.raises(ScoreFileError, match="holds no tune 4"):
        load_score(path, [], tune=3)


def test_an_abc_accidental_holds_to_the_end_of_its_bar(tmp_path):
    """ABC 2.1: an accidental holds for the notes of its letter and octave to the bar line
    (music21 reads an unversioned file as ABC 1.3, where it held for one note: "_B2B2" under
    K:G sounded B-flat, B natural). Another octave, the next bar and a file that names an older
    version are read as they say."""
    from composer_gui.music.formats import load_score

    tune = "X:1\nT:Carried\nM:4/4\nL:1/4\nK:G\n_B B b B | B =F F ^f |\n"
    path = tmp_path / "carried.abc"
    path.write_text(tune)
    assert [n.pitch for n in sorted(load_score(path).notes)] == [70, 70, 83, 70, 71, 65, 65, 78]
    old = tmp_path / "old.abc"
    old.write_text("%abc-1.6\n" + tune)
    assert [n.pitch for n in sorted(load_score(old).notes)][:4] == [70, 71, 83, 71]


@pytest.mark.parametrize("change", ["[K:Eb] ", "\nK:Eb\n", "\nK:Eb clef=treble\n"])
def test_an_abc_key_change_sets_the_notes_and_the_signature_after_it(tmp_path, change):
    """A key change in a tune's body, inline (``[K:Eb]``) or a ``K:`` line: the notes after it
    take E-flat major's flats and the score changes its signature there (music21 skipped the
    inline field, a fuzz run heard E, F#, B after it; and it kept no signature for either, so
    the tune's second part was continued in G major). A clef alone changes no key."""
    from composer_gui.music.formats import load_score

    path = tmp_path / "change.abc"
    path.write_text(f"X:1\nT:Change\nM:4/4\nL:1/4\nK:G\nG A B F |{change}E F B A |\n"
                    "K:clef=bass\nG4 |\n")
    score = load_score(path)
    assert [n.pitch for n in sorted(score.notes)] == [67, 69, 71, 66, 63, 65, 70, 68, 67]
    assert [(k.tick, k.sharps) for k in score.key_signatures] == [(0, 1), (4 * TPQ, -3)]


@pytest.mark.parametrize("change", ["[L:1/16] ", "\nL:1/16\n", "L:1/16 "])
def test_an_abc_unit_length_change_inside_a_line_lengthens_the_notes_after_it(tmp_path,
                                                                            change):
    """``[L:1/16]`` inside a line (and a bare ``L:1/16`` written there) sets the unit for the
    notes after it, as an ``L:`` line does: music21 skipped the inline field, every later note
    twice as long (a trial's 4-bar tune read as 6 bars)."""
    path = tmp_path / "unit.abc"
    path.write_text("X:1\nT:Unit\nM:6/8\nL:1/8\nK:Ador\nA>B c<d e2 | e3 e2d | "
                    f"{change}c2B2A2 G2E2D2 | E6 A6 |]\n")
    score = read_notation(path)
    assert score.bar_count() == 4
    assert [n.duration for n in score.notes][8:] == [TPQ // 2] * 6 + [3 * TPQ // 2] * 2


@pytest.mark.parametrize("field, pitches, sharps, said", [
    ("K:D exp ^f _b", [74, 70, 69, 66, 71, 71, 72], None, True),  # no standard signature
    ("K:D =c", [74, 71, 69, 66, 71, 71, 72], 1, False),  # D Mixolydian: G major's
    ("K:Dm =b", [74, 71, 69, 65, 71, 71, 72], 0, False),  # D Dorian
])
def test_an_abc_key_with_its_own_accidentals_is_read_with_them(tmp_path, field, pitches,
                                                                sharps, said):
    """ABC 2.1's ``K:D exp ^f _b`` (F sharp and B flat alone) and ``K:D =c`` (D major's
    signature, its C natural): music21 read the key before the accidentals, a B meant flat
    sounding natural (a trial). A signature a standard one equals is that one (its mode); any
    other is written on the notes (an accidental in the bar still holds over them), the score
    holding no signature, and said."""
    path = tmp_path / "explicit.abc"
    path.write_text(f"X:1\nT:Explicit\nM:4/4\nL:1/4\n{field}\nd B A F | =B B c2 |\n")
    warnings: list[str] = []
    score = read_notation(path, warnings)
    assert [n.pitch for n in score.notes] == pitches
    assert [k.sharps for k in score.key_signatures] == ([] if sharps is None else [sharps])
    assert any(field in w for w in warnings) == said


def test_a_locrian_abc_key_has_its_own_notes_and_signature(tmp_path):
    """``K:Eloc`` is E Locrian, F major's signature (music21 knows no Locrian and read E
    major: F# G# C# D#, a fuzz run); a Locrian key change in the body too, written with the
    mode a word apart. Written back to ABC and MusicXML, the mode stays."""
    from composer_gui.music.formats import load_score, save_score

    path = tmp_path / "locrian.abc"
    path.write_text("X:1\nT:Locrian\nM:4/4\nL:1/4\nK:Eloc clef=treble\nE F G c |"
                    "[K:B locrian] B c d f |\n")
    score = load_score(path)
    assert [n.pitch for n in sorted(score.notes)] == [64, 65, 67, 72, 71, 72, 74, 77]
    assert [(k.tick, k.sharps, k.mode) for k in score.key_signatures] == [
        (0, -1, "locrian"), (4 * TPQ, 0, "locrian")]
    for suffix in ("abc", "musicxml"):
        save_score(score, tmp_path / f"again.{suffix}")
        back = load_score(tmp_path / f"again.{suffix}")
        assert [(k.sharps, k.mode) for k in back.key_signatures] == [
            (-1, "locrian"), (0, "locrian")]
        assert [n.pitch for n in sorted(back.notes)] == [n.pitch for n in sorted(score.notes)]


@pytest.mark.parametrize("change", ["[M:3/4] ", "\nM:3/4\n"])
def test_an_abc_meter_change_starts_its_bars(tmp_path, change):
    """An ``M:`` field in a tune's body, a line or inline: the score changes meter there and
    its bars run in it (music21 dropped it: a tune that changes to 3/4 was read in 4/4 with its
    bar lines astray, a fuzz run)."""
    from composer_gui.music.formats import load_score

    path = tmp_path / "meters.abc"
    path.write_text(f"X:1\nT:Meters\nM:4/4\nL:1/4\nK:C\nC D E F |{change}G A B | c3 |\n")
    score = load_score(path)
    assert [(t.tick, t.numerator, t.denominator) for t in score.time_signatures] == \
        [(0, 4, 4), (4 * TPQ, 3, 4)]
    assert score.bar_start(2) == 7 * TPQ and score.bar_count() == 3


@pytest.mark.parametrize("header, rests, bar", [
    ("M:4/4\nL:1/8", "Z2 |", 4 * TPQ),
    ("M:6/8", "Z2 |", 3 * TPQ),  # (L: by default 1/8)
    ("M:2/4", "X |z8|", 2 * TPQ),  # (L: by default 1/16; X: a bar's rest not printed)
])
def test_an_abc_multi_bar_rest_keeps_the_music_after_it_in_its_bars(tmp_path, header, rests,
                                                                   bar):
    """``Z2`` rests two whole bars (``X`` is one not printed): music21 dropped it, and the notes
    after it moved that many bars earlier (a fuzz run)."""
    from composer_gui.music.formats import load_score

    path = tmp_path / "rests.abc"
    path.write_text(f"X:1\nT:Rests\n{header}\nK:C\n{rests} C D E |\n")
    assert min(n.start for n in load_score(path).notes) == 2 * bar
    # ... and one written inside a bar, as some transcribers write a rest, is a rest that long
    path.write_text("X:1\nT:Rest\nM:3/4\nL:1/8\nK:C\nC4 Z2 | D6 |\n")
    assert [n.start for n in load_score(path).notes] == [0, 3 * TPQ]


def test_a_small_handwritten_abc_file(folder):
    path = folder / "tune.abc"
    path.write_text("X:1\nT:Scale\nM:3/4\nL:1/8\nK:D\nDEF GAB | c2 d4 |]\n", encoding="utf-8")
    score = read_notation(path)
    assert score.title == "Scale"
    assert score.key == KeySignature(0, 2)
    assert score.time_signature == TimeSignature(0, 3, 4)
    assert [n.pitch for n in score.notes] == [62, 64, 66, 67, 69, 71, 73, 74]
    assert [n.duration for n in score.notes] == [240] * 6 + [480, 960]


def test_an_abc_meter_restored_after_a_stray_bar_is_read_from_the_first_bar(folder):
    """A reel in cut time with one bar two eighths too long: music21 writes the overflow as a
    1/4 bar and hands the tune's own 2/2 object back to the bar after it, and a flattened
    part gave that object the later offset only, so O'Neill's London Lasses (``M:C|``) was
    read as 4/4 from bar 1. Each signature keeps its own bar."""
    path = folder / "cut.abc"
    path.write_text("X:1\nT:Stray\nM:C|\nL:1/8\nK:G\n"
                    "GABc dBGB|GABc dBGBAB|GABc dBGB|G8|]\n", encoding="utf-8")
    score = read_notation(path)
    assert [(t.tick, str(t)) for t in score.time_signatures] == [
        (0, "2/2"), (2 * 1920, "1/4"), (2 * 1920 + 480, "2/2")]


def test_an_abc_key_field_states_its_mode_and_musicxml_leaves_a_major_to_the_notes(folder):
    """K:D says D major as K:Bm says B minor (KeySignature.mode_stated: the key finder keeps
    it; a review heard a K:D reel whose opening leans on B continued in B minor to a close on
    B). A MusicXML signature's major, which notation programs write by default, is not
    stated."""
    path = folder / "stated.abc"
    for field, mode in (("D", "major"), ("Bm", "minor")):
        path.write_text(f"X:1\nT:Reel\nM:2/2\nL:1/8\nK:{field}\nBAAB AFED|\n",
                        encoding="utf-8")
        key = read_notation(path).key
        assert (key.sharps, key.mode, key.mode_stated) == (2, mode, True)
    out = folder / "stated.musicxml"
    write_musicxml(replace(read_notation(path), key_signatures=(KeySignature(0, 2),)), out)
    assert "<mode>major</mode>" in out.read_text(encoding="utf-8")
    assert read_notation(out).key.mode_stated is False


def test_a_one_voice_abc_tune_is_an_unnamed_part_and_exports_without_a_staff_label(folder):
    """The tune's part has no name in the file, so it gets none: the window labels it "Part 1",
    and MusicXML writes no label beside the staff (MuseScore engraved "Part 1" there). Read
    back, it has no short label either (music21's guessed "Pno" had stayed on a harmonized
    melody named Soprano)."""
    path = folder / "jig.abc"
    path.write_text("X:1\nT:Jig\nM:6/8\nL:1/8\nK:G\nGAB c2A|BAG E2D|\n", encoding="utf-8")
    score = read_notation(path)
    assert [p.name for p in score.parts] == [""]
    out = folder / "jig.musicxml"
    write_musicxml(score, out)
    xml = out.read_text(encoding="utf-8")
    assert "<part-name></part-name>" in xml and "Part 1" not in xml
    assert [(p.name, p.abbreviation) for p in read_notation(out).parts] == [("", "")]


def test_music21s_placeholder_title_is_no_title(folder):
    """A score saved by a music21-based tool without a title carries "Music21 Fragment" as its
    movement title: the file's name is the piece's name instead."""
    path = folder / "sketch.musicxml"
    write_musicxml(Score(parts=(Part((Note(0, 60, TPQ),)),), title="Music21 Fragment"), path)
    assert "Music21 Fragment" in path.read_text(encoding="utf-8")
    assert read_notation(path).title == "sketch"
    write_musicxml(Score(parts=(Part((Note(0, 60, TPQ),)),), title="Chorale"), path)
    assert read_notation(path).title == "Chorale"


def test_abc_k_none_means_no_key_signature(folder):
    """ABC 2.1's K:none leaves the key to the notes (music21 reads it as C major, and the app
    then honoured C major for an E minor tune); K:C is a C major signature."""
    body = "E2 B,2 E2 G2 | ^F2 ^D2 E4 |]\n"
    path = folder / "none.abc"
    path.write_text("X:1\nT:E minor tune\nM:4/4\nL:1/8\nK:none\n" + body, encoding="utf-8")
    assert read_notation(path).key_signatures == ()
    path.write_text("X:1\nT:E minor tune\nM:4/4\nL:1/8\nK:C\n" + body, encoding="utf-8")
    assert read_notation(path).key_signatures == (KeySignature(0, 0),)


SATB_BODY = ("B c B G|G A F E|", "G A F E|E F D B,|", "E E D B,|C C B, G,|",
             "E, A,, B,, E,|C, A,, B,, E,|")


@pytest.mark.parametrize("layout", ["header named", "inline", "header numbered", "body only"])
def test_abc_voices_are_read_as_parts_however_they_are_written(folder, layout):
    """Four voices declared in the header (named or numbered), switched inline ([V:A] ...) or
    only in the body: four parts of 8 notes each, in order (music21 alone strung named voices
    into one part, or added empty parts for voices declared in the header)."""
    head = "X:1\nT:Chorale\nM:4/4\nL:1/4\nK:E\n"
    ids = ["S", "A", "T", "B"] if layout in ("header named", "inline") else ["1", "2", "3", "4"]
    if layout == "inline":
        body = "".join(f"[V:{v}] {m}\n" for v, m in zip(ids, SATB_BODY, strict=True))
        decl = "".join(f"V:{v}\n" for v in ids)
    elif layout == "body only":
        body = "".join(f"V:{v}\n{m}\n" for v, m in zip(ids, SATB_BODY, strict=True))
        decl = ""
    else:
        body = "".join(f"V:{v}\n{m}\n" for v, m in zip(ids, SATB_BODY, strict=True))
        decl = "".join(f"V:{v} clef={c}\n" for v, c in zip(ids, ("treble", "treble",
                                                                  "treble-8", "bass"),
                                                          strict=True))
    path = folder / f"satb-{layout.replace(' ', '-')}.abc"
    path.write_text(head.replace("K:E\n", decl + "K:E\n") + body, encoding="utf-8")
    warnings: list[str] = []
    score = read_notation(path, warnings)
    assert [len(p.notes) for p in score.parts] == [8, 8, 8, 8]
    assert [p.notes[0].pitch for p in score.parts] == [71, 68, 64, 52]
    if layout in ("header named", "inline"):
        assert [p.name for p in score.parts] == ["Soprano", "Alto", "Tenor", "Bass"]
    else:  # numbered voices have no names: none is made up ("Part 1" was engraved as a label)
        assert [p.name for p in score.parts] == ["", "", "", ""]
    # an ABC voice is one staff: a voice without a clef gets one by its range, never a piano's
    # grand staff (a fifth listening review's unnamed tenor was split across two staves)
    assert all(p.clef and p.clef != "grand" for p in score.parts)
    out = folder / f"satb-{layout.replace(' ', '-')}-staves.musicxml"
    write_musicxml(score, out)
    assert "<staves>" not in out.read_text(encoding="utf-8")
    if layout.startswith("header"):
        # the voices' clefs, kept on export (music21 read clef=treble-8 as a plain treble
        # clef, and numbered tenor and bass voices were braced as a piano's hands)
        assert [p.clef for p in score.parts] == ["treble", "treble", "treble-8vb", "bass"]
        out = folder / f"satb-{layout.replace(' ', '-')}.musicxml"
        write_musicxml(score, out)
        xml = out.read_text(encoding="utf-8")
        assert xml.count("<clef-octave-change>-1</clef-octave-change>") == 1
        assert "<group-symbol>brace" not in xml  # a choir's bracket, not a piano's brace
        named = layout == "header named"  # named voices are a choir: one bracket
        assert xml.count("<group-symbol>bracket</group-symbol>") == named
        assert [p.clef for p in read_notation(out).parts] == ["treble", "treble", "treble-8vb",
                                                               "bass"]


def test_marks_the_score_cannot_hold_are_named(tmp_path):
    """Hairpins and the marks :mod:`marks` does not know are dropped with one warning that
    counts them, from ABC (where music21 skips most decorations) and MusicXML alike; slurs,
    articulations, ornaments and dynamics are kept (``Note.marks``), and grace notes."""
    path = tmp_path / "marks.abc"
    path.write_text("X:1\nT:Marks\nM:4/4\nL:1/8\nK:G\n"
                    "!p!(GA Bc) {c}d2 .B.A | ~G2 !f!AB !trill!c2 !>!d2 | !fermata!G4 \"^T\"TG4 "
                    "| !slide![GB]4 !open!A4 |]  % ~A\n",
                    encoding="utf-8")
    warnings: list[str] = []
    score = read_notation(path, warnings)
    assert score.note_count == 17 and score.fermatas  # the fermata is kept, so not named
    assert warnings == ["the ornaments (1) and articulations (1) are not kept: the score holds "
                        "the notes only"]
    assert [(n.pitch, n.graces) for n in score.notes if n.graces] == [(74, (-2,))]  # {c}d2
    assert [n.marks for n in score.notes if n.marks] == [
        ("p", "slur-start"), ("slur-stop",), ("staccato",), ("staccato",), ("roll",), ("f",),
        ("trill",), ("accent",), ("trill",)]
    # the dynamics set the notes' loudness from where they stand (p 49, f 96)
    assert [n.velocity for n in score.notes][:10] == [49] * 8 + [96] * 2
    tune = music21.stream.Part()
    for name in ("C4", "D4", "E4", "F4"):
        tune.append(music21.note.Note(name))
    notes = list(tune.notes)
    tune.insert(0, music21.spanner.Slur(notes[0], notes[1]))
    tune.insert(0, music21.dynamics.Dynamic("mf"))
    notes[2].expressions.append(music21.expressions.Trill())
    notes[3].articulations.append(music21.articulations.Doit())
    out = tmp_path / "marks.musicxml"
    tune.write("musicxml", fp=str(out))
    warnings.clear()
    read = read_notation(out, warnings)
    assert warnings == ["the articulations (1) are not kept: the score holds the notes only"]
    assert [n.marks for n in read.notes] == [("mf", "slur-start"), ("slur-stop",), ("trill",), ()]
    plain = tmp_path / "plain.abc"
    plain.write_text("X:1\nT:Plain\nM:4/4\nL:1/4\nK:C\nC D E F|G4|]\n", encoding="utf-8")
    warnings.clear()
    read_notation(plain, warnings)
    assert warnings == []


def test_an_abc_fermata_keeps_its_note_and_marks_a_phrase_end(tmp_path):
    """music21 dropped the note after ABC's ``H`` (O'Neill's ``e3d Hg2``: the bar a quarter
    short) and read ``+fermata+`` as the notes F# E A A; both now give the note, under a fermata
    (the score's phrase end), as ``!fermata!`` does."""
    path = tmp_path / "fermata.abc"
    for mark in ("H", "!fermata!", "+fermata+"):
        path.write_text(f"X:1\nT:Air\nM:4/4\nL:1/8\nK:G\ne3d {mark}g2 \"D.C.\"B2|\"^H\"d8|]\n",
                        encoding="utf-8")
        score = read_notation(path)
        assert [(n.start, n.pitch, n.duration) for n in score.notes] == [
            (0, 76, 720), (720, 74, 240), (960, 79, 480), (1440, 71, 480), (1920, 74, 1920)], mark
        assert score.fermatas == (960,), mark  # a quoted "^H" is text, not a fermata


def test_a_fermata_chord_is_one_phrase_end_though_a_voice_moves_under_it(tmp_path):
    """BWV 378's bar 10: the soprano holds A4 under a fermata for two beats while the alto
    moves to F#4 on the second and writes its fermata there: one phrase end, at the chord's
    onset. A fermata struck after the other's has ended is another."""
    import music21

    def part(name: str, notes: list[tuple[str, float, bool]]):
        p = music21.stream.Part()
        p.partName = name
        m = music21.stream.Measure(number=1)
        m.append(music21.meter.TimeSignature("4/4"))
        for pitch, length, fermata in notes:
            n = music21.note.Note(pitch, quarterLength=length)
            if fermata:
                n.expressions.append(music21.expressions.Fermata())
            m.append(n)
        p.append(m)
        return p

    score = music21.stream.Score([
        part("Soprano", [("A4", 2, True), ("B4", 1, False), ("C5", 1, True)]),
        part("Alto", [("E4", 1, False), ("F#4", 1, True), ("G4", 1, False), ("A4", 1, True)]),
    ])
    out = tmp_path / "fermata_chord.musicxml"
    score.write("musicxml", fp=str(out))
    assert read_notation(out).fermatas == (0, 3 * TPQ)


def test_repeat_signs_are_reported_not_lost_silently(folder):
    path = folder / "hornpipe.abc"
    path.write_text("X:2\nT:Hornpipe\nM:4/4\nL:1/8\nK:Ador\n"
                    "|:A2eA fAeA|G2dG BGdB|A2eA fage|dBGB A4:|\n", encoding="utf-8")
    warnings: list[str] = []
    score = read_notation(path, warnings)
    assert score.bar_count() == 8  # played twice
    assert all(_bar_pitches(score, i) == _bar_pitches(score, i + 4) for i in range(4))
    assert warnings == ["repeat signs and endings are written out as played: 4 bars as "
                        "written, 8 as played"]
    path.write_text("X:2\nT:Hornpipe\nM:4/4\nL:1/8\nK:Ador\nA2eA fAeA|G2dG BGdB|\n",
                    encoding="utf-8")
    warnings = []
    read_notation(path, warnings)
    assert not any("repeat signs" in w for w in warnings)


def test_a_repeat_that_is_never_closed_is_named(folder):
    """A tune's "|:" with no ":|" after it: the music is read once, and the warning says which
    bar opened it, not music21's "badly formed repeats" (a listening review)."""
    path = folder / "waltz.abc"
    path.write_text("X:1\nT:Waltz\nM:3/4\nL:1/4\nK:G\n"
                    "|:D|G2 B|d2 B|c A F|G3|B d g|f e d|c B A|D3|\n", encoding="utf-8")
    warnings: list[str] = []
    score = read_notation(path, warnings)
    assert score.bar_count() == 9  # the upbeat and eight bars, once
    assert warnings == ["repeat signs and endings are not kept: the music is read once, as "
                        "written (the start repeat |: of bar 0 has no end repeat :|)"]


def _bar_pitches(score, bar: int) -> list[int]:
    a, b = score.bar_start(bar), score.bar_start(bar + 1)
    return [n.pitch for n in score.notes if a <= n.start < b]


def test_repeats_and_endings_are_written_out_as_played(folder):
    """A reel with an upbeat, first and second endings and an "A:|B:|" strain: read as
    played, the first ending then the upbeat again make one bar, the second ending closes
    the strain, and the B part (its end repeat alone) goes back to its own start (read once,
    the endings had followed each other; music21 alone had played A A B A A B)."""
    path = folder / "reel.abc"
    path.write_text("X:1\nT:Reel\nM:4/4\nL:1/8\nK:D\n"
                    "A2|d2 fd ed cB|A2 FA d2 fe|d2 fd ed cB|1 AF GE D2:|2 AF GE D2 z2||\n"
                    "f2 af d2 fd|e2 ge c2 ec|f2 af d2 fd|e2 c2 d4:|\n", encoding="utf-8")
    warnings: list[str] = []
    score = read_notation(path, warnings)
    assert warnings == ["repeat signs and endings are written out as played: 10 bars as "
                        "written, 17 as played"]  # the upbeat and 16 bars
    assert score.pickup == 480 and len(score.time_signatures) == 1
    assert len(score.key_signatures) == 1
    d, e, fs, b, cs = 74, 76, 78, 71, 73
    assert _bar_pitches(score, 4) == [69, 66, 67, 64, 62, 69]  # AF GE D, the upbeat A again
    assert _bar_pitches(score, 8) == [69, 66, 67, 64, 62]  # AF GE D z: the second ending
    assert _bar_pitches(score, 1) == _bar_pitches(score, 5) == [d, fs, d, e, d, cs, b]
    assert _bar_pitches(score, 9) == _bar_pitches(score, 13) == [fs, 81, fs, d, fs, d]
    assert _bar_pitches(score, 12) == _bar_pitches(score, 16) == [e, cs, d]
    assert max(n.end for n in score.notes) == score.bar_start(17)


def test_repeats_are_written_out_in_every_part_of_a_musicxml_score(folder):
    import music21 as m21

    s = m21.stream.Score()
    for name, pitches in (("Soprano", "C5 D5 E5 F5"), ("Bass", "C3 B2 C3 F2")):
        part = m21.stream.Part()
        part.partName = name
        for i, p in enumerate(pitches.split()):
            m = m21.stream.Measure(number=i + 1)
            if i == 0:
                m.append(m21.meter.TimeSignature("4/4"))
                m.append(m21.key.KeySignature(0))
            m.append(m21.note.Note(p, quarterLength=4))
            part.append(m)
        part.getElementsByClass("Measure")[1].rightBarline = m21.bar.Repeat(direction="end")
        s.insert(0, part)
    path = folder / "repeat.musicxml"
    s.write("musicxml", fp=str(path))
    warnings: list[str] = []
    score = read_notation(path, warnings)
    assert warnings == ["repeat signs and endings are written out as played: 4 bars as "
                        "written, 6 as played"]
    assert [[n.pitch for n in p.notes] for p in score.parts] == [
        [72, 74, 72, 74, 76, 77], [48, 47, 48, 47, 48, 41]]
    assert len(score.time_signatures) == 1 and len(score.key_signatures) == 1


def _jumping(bars: list[str]) -> str:
    """A one-part MusicXML score of whole notes, one a bar, from "C5" or "C5 |: 1 :| Fine
    DC" (a start repeat, ending 1, an end repeat, words: Fine, DC, DCFine, DS, DSCoda, ToCoda,
    Segno, Coda)."""
    words = {"Fine": ("Fine", 'fine="yes"'), "DCFine": ("D.C. al Fine", 'dacapo="yes"'),
             "DC": ("D.C.", 'dacapo="yes"'), "DS": ("D.S.", 'dalsegno="s"'),
             "DSCoda": ("D.S. al Coda", 'dalsegno="s"'), "ToCoda": ("To Coda", 'tocoda="c"')}
    out = []
    for number, spec in enumerate(bars, 1):
        pitch, *marks = spec.split()
        left = right = direction = ""
        for mark in marks:
            if mark == "|:":
                left += '<repeat direction="forward"/>'
            elif mark == ":|":
                right += '<repeat direction="backward"/>'
            elif mark.isdigit():
                left = f'<ending number="{mark}" type="start">{mark}.</ending>' + left
                right = f'<ending number="{mark}" type="stop"/>' + right
            elif mark in ("Segno", "Coda"):
                direction += (f"<direction><direction-type><{mark.lower()}/></direction-type>"
                              f'<sound {mark.lower()}="{mark[0].lower()}"/></direction>')
            else:
                text, sound = words[mark]
                direction += (f"<direction><direction-type><words>{text}</words>"
                              f"</direction-type><sound {sound}/></direction>")
        attributes = ("<attributes><divisions>1</divisions><key><fifths>0</fifths></key><time>"
                      "<beats>4</beats><beat-type>4</beat-type></time></attributes>"
                      if number == 1 else "")
        out.append(
            f'<measure number="{number}">'
            + (f'<barline location="left">{left}</barline>' if left else "") + attributes
            + direction + f"<note><pitch><step>{pitch[0]}</step><octave>{pitch[1]}</octave>"
            "</pitch><duration>4</duration><type>whole</type></note>"
            + (f'<barline location="right">{right}</barline>' if right else "") + "</measure>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<score-partwise version="3.1"><part-list>'
            '<score-part id="P1"><part-name>Violin</part-name></score-part></part-list>'
            f'<part id="P1">{"".join(out)}</part></score-partwise>\n')


# twelve bars, each its own pitch (bar b: NAMES[b - 1])
NAMES = ["C4", "D4", "E4", "F4", "G4", "A4", "B4", "C5", "D5", "E5", "F5", "G5"]


def _played_bars(score: Score) -> list[int]:
    return [NAMES.index(f"{'CCDDEFFGGAAB'[n.pitch % 12]}{n.pitch // 12 - 1}") + 1
            for n in score.notes]


def test_a_da_capo_al_fine_with_first_and_second_endings_is_played_as_musescore_plays_it(
        tmp_path):
    """A trial's form: bars 5-8 repeated with 8 the first ending and 9 the second (Fine), a
    D.C. al Fine at 12. MuseScore plays 1-8, 5-7, 9, 10-12, then from the start without the
    repeat and into the last ending, to the Fine: 23 bars. music21's expandRepeats gave 25,
    both endings the second time and the repeat again after the D.C."""
    bars = list(NAMES)
    bars[4] += " |:"
    bars[7] += " 1 :|"
    bars[8] += " 2 Fine"
    bars[11] += " DCFine"
    path = tmp_path / "dacapo.musicxml"
    path.write_text(_jumping(bars), encoding="utf-8")
    warnings: list[str] = []
    score = read_notation(path, warnings)
    assert _played_bars(score) == [1, 2, 3, 4, 5, 6, 7, 8, 5, 6, 7, 9, 10, 11, 12,
                                   1, 2, 3, 4, 5, 6, 7, 9]
    assert warnings == ["repeat signs and endings are written out as played: 12 bars as "
                        "written, 23 as played"]


def test_a_dal_segno_al_coda_and_one_that_cannot_be_followed(tmp_path):
    """D.S. al Coda: back to the segno, on to "To Coda", then the coda. A D.S. with no segno
    to go back to is read once, as written, and said (never other bars in silence)."""
    bars = NAMES[:8]
    bars[1] += " Segno"
    bars[3] += " ToCoda"
    bars[5] += " DSCoda"
    bars[6] += " Coda"
    path = tmp_path / "segno.musicxml"
    path.write_text(_jumping(bars), encoding="utf-8")
    assert _played_bars(read_notation(path)) == [1, 2, 3, 4, 5, 6, 2, 3, 4, 7, 8]
    bars[1] = NAMES[1]
    path.write_text(_jumping(bars), encoding="utf-8")
    warnings: list[str] = []
    assert _played_bars(read_notation(path, warnings)) == list(range(1, 9))
    assert warnings == ["repeat signs and endings are not kept: the music is read once, as "
                        "written (its D.C. or D.S. could not be followed)"]


SCARBOROUGH = ("X:1\nT:Scarborough Fair\nM:3/4\nL:1/8\nK:Ddor\n"
               "D2 D2 A2 | A3 B A2 | F2 G2 E2 | D6 |\nA2 c2 d2 | c4 A2 | B2 G2 A2 | A6 |]\n")


def test_a_modal_abc_key_is_read_with_its_mode_and_written_back(folder):
    """K:Ddor is D Dorian (music21 says so; the app read it as C major, and a Dorian tune was
    continued in A minor). MusicXML keeps the mode (<mode>dorian</mode>); MIDI, which knows
    major and minor only, keeps the signature and the family (A minor's)."""
    path = folder / "scarborough.abc"
    path.write_text(SCARBOROUGH, encoding="utf-8")
    score = read_notation(path)
    assert score.key_signatures == (KeySignature(0, 0, "dorian"),)
    out = folder / "scarborough.musicxml"
    write_musicxml(score, out)
    assert "<mode>dorian</mode>" in out.read_text(encoding="utf-8")
    assert read_notation(out).key_signatures == (KeySignature(0, 0, "dorian"),)
    mid = folder / "scarborough.mid"
    write_midi(score, mid)
    assert read_midi(mid).key_signatures == (KeySignature(0, 0, "minor"),)

def test_unpitched_percussion_in_musicxml_is_read(folder):
    s = music21.stream.Score()
    p = music21.stream.Part()
    p.insert(0, music21.instrument.BassDrum())
    u = music21.note.Unpitched(displayName="F4", quarterLength=1)
    u.storedInstrument = music21.instrument.BassDrum()
    p.append(u)
    p.append(music21.note.Note("C5", quarterLength=1))
    s.insert(0, p)
    path = folder / "unpitched.musicxml"
    s.write("musicxml", fp=str(path))
    score = read_notation(path)
    assert score.note_count == 2
    assert score.parts[0].is_drum


def test_a_file_without_notes_is_an_error(folder):
    path = folder / "empty.musicxml"
    write_musicxml(Score(), path)
    with pytest.raises(ScoreFileError, match="no notes"):
        read_notation(path)


def test_a_meter_change_in_the_middle_of_a_bar_keeps_the_bar_lines(folder):
    """MIDI allows a new meter mid-bar; notation gets a short bar with its own time signature."""
    score = Score(parts=(Part(tuple(Note(i * 480, 60 + i % 12, 480) for i in range(16)),
                              name="P"),),
                  time_signatures=(TimeSignature(0, 4, 4), TimeSignature(2880, 3, 4)))
    write_musicxml(score, folder / "midbar.musicxml")
    back = read_notation(folder / "midbar.musicxml")
    assert back.time_signatures == (TimeSignature(0, 4, 4), TimeSignature(1920, 2, 4),
                                    TimeSignature(2880, 3, 4))
    assert back.bar_starts(8000) == score.bar_starts(8000)
    assert timing(back) == timing(score)


def test_off_grid_notes_export_on_a_sixteenth_grid(tmp_path):
    """Human-timed notes (or drawn with snap off) can't be notated as they are: notation shows
    them on the sixteenth grid instead of making the export fail, and says so."""
    notes = tuple(sorted(Note(max(0, i * 240 + (-13 if i % 2 else 17)), 60 + i, 233 + i, 90)
                         for i in range(12)))
    path = tmp_path / "human.musicxml"
    warnings: list[str] = []
    write_musicxml(Score(parts=(Part(notes),)), path, warnings)
    back = read_notation(path).notes
    assert len(back) == len(notes)
    assert all(n.start % 120 == 0 and n.duration % 120 == 0 for n in back)
    assert [n.pitch for n in back] == [n.pitch for n in notes]
    assert any("grid" in w for w in warnings)


@pytest.mark.parametrize("name", ["Alto", "Soprano", "Melody", ""])
@pytest.mark.parametrize("program", [0, 1, 5, 52, 73])
def test_the_midi_program_reads_back_whatever_the_part_is_called(tmp_path, name, program):
    """music21 lets a name it knows ("Alto") override a piano-family program; the file's own
    <midi-program> wins. An unnamed part comes back unnamed (music21 named it after its
    program, and the app's own export of a melody came back as "Piano")."""
    score = Score(parts=(Part((Note(0, 60, TPQ),), name=name, program=program),))
    path = tmp_path / "p.musicxml"
    write_musicxml(score, path)
    back = read_notation(path, []).parts[0]
    assert back.program == program
    assert back.name == name


def test_the_summary_names_the_key_a_generation_wrote_in_beside_its_signature():
    from composer_gui.music.formats import summary

    three_flats = Score(parts=(Part((Note(60, 0, 480),), name="S"),),
                        key_signatures=(KeySignature(0, -3),))
    assert summary(three_flats).endswith("4/4, Eb:major")
    # F minor written with three flats (the Dorian signature): not "Eb:major"
    assert summary(three_flats, KeySignature(0, -4, "minor")).endswith("4/4, F:minor, 3 flats")
    # the signature's own key, heard: said once, as before
    assert summary(three_flats, KeySignature(0, -3)).endswith("4/4, Eb:major")
    plain = Score(parts=(Part((Note(67, 0, 480),), name="S"),), key_signatures=(KeySignature(0),))
    assert summary(plain, KeySignature(0, 1)).endswith("G:major, no sharps or flats")
    # B-flat minor asked for after an E-flat major sketch: the signature written from there
    changed = replace(three_flats, key_signatures=(
        KeySignature(0, -3), KeySignature(2 * 1920, -5, "minor")))
    assert summary(changed, KeySignature(2 * 1920, -5, "minor"), 2 * 1920).endswith(
        "4/4, Bb:minor, 5 flats from bar 3")
    assert summary(changed, KeySignature(0, -3), 0).endswith("4/4, Eb:major")


def test_an_abc_annotation_leaves_the_note_after_it(tmp_path):
    """Quoted text printed beside a note (``">"``, ``"^Slow"``) is not a chord name: music21
    read the note after ``">"`` as nothing (O'Neill's "The Burnt Old Man" lost a note a bar);
    a chord name stays a chord name."""
    path = tmp_path / "burnt.abc"
    path.write_text('X:1\nT:Burnt\nM:6/8\nL:1/8\nK:D\n(">"DEF) ("^Slow"AFE) | "G"G3 G3 |]\n',
                    encoding="utf-8")
    score = read_notation(path, [])
    assert [n.pitch for n in score.notes] == [62, 64, 66, 69, 66, 64, 67, 67]
    assert [n.marks for n in score.notes][:3] == [("slur-start",), (), ("slur-stop",)]


def test_a_roll_before_a_fermata_is_no_note_of_its_own(tmp_path):
    """``~Hc`` (a roll and a fermata on one note): music21 had read "~" and the fermata's
    stand-in as a note, a C not in the tune."""
    path = tmp_path / "roll.abc"
    path.write_text("X:1\nT:Roll\nM:3/4\nL:1/4\nK:G\nG A ~Hc | TB2 d |]\n", encoding="utf-8")
    score = read_notation(path, [])
    assert [n.pitch for n in score.notes] == [67, 69, 72, 71, 74]
    assert [n.marks for n in score.notes] == [(), (), ("roll",), ("trill",), ()]
    assert score.fermatas == (2 * TPQ,)


def test_a_part_name_the_file_hides_is_no_name(tmp_path):
    """Finale's Dolet writes ``<part-name print-object="no">MusicXML Part</part-name>``: the
    app had shown and printed "MusicXML Part" before each part of a Schumann song."""
    xml = write_and_read_text(tmp_path, Score(parts=(Part((Note(0, 72, TPQ),), name="Voice"),
                                                     Part((Note(0, 48, TPQ),), name="Piano"))))
    hidden = xml.replace("<part-name>Voice</part-name>",
                         '<part-name print-object="no">MusicXML Part</part-name>') \
        .replace("<part-abbreviation>V.</part-abbreviation>", "", 1)
    path = tmp_path / "hidden.musicxml"
    path.write_text(hidden, encoding="utf-8")
    assert [(p.name, p.abbreviation) for p in read_notation(path).parts] == [
        ("", ""), ("Piano", "Pno.")]


def write_and_read_text(folder: Path, score: Score) -> str:
    write_musicxml(score, folder / "named.musicxml")
    return (folder / "named.musicxml").read_text(encoding="utf-8")


def test_an_invisible_rest_takes_its_time(tmp_path):
    """ABC's "x" is a rest not printed: music21 dropped it, and the notes after it came a half
    note early (a second voice's, in a trial's piano tune)."""
    path = tmp_path / "hidden.abc"
    path.write_text("X:1\nM:4/4\nL:1/4\nK:C\nx2 c d|e4|]\n", encoding="utf-8")
    score = read_notation(path, [])
    assert [(n.start, n.pitch) for n in score.notes] == [(960, 72), (1440, 74), (1920, 76)]
