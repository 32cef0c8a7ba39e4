"""A part's name says its instrument where the file gives no program (gm.program_for_name), and
the channels of a type 0 MIDI file's one track are named by their instruments."""

from __future__ import annotations

import mido
import pytest

from composer_gui.music import load_score
from composer_gui.music.gm import program_name

CHOIR = 52  # General MIDI's "Choir Aahs", as a harmonized hymn's new parts sing (test_edits)

# (part name, the General MIDI program it sounds as, 0-based)
NAMES = [
    ("Flute", 73), ("Fl.", 73), ("Piccolo", 72), ("Oboe", 68), ("English Horn", 69),
    ("Clarinet in Bb", 71), ("Clarinet in B\u266d", 71), ("Clarinet in B-flat", 71),
    ("Bass Clarinet", 71), ("Bassoon", 70), ("Horn in F", 60), ("Horn", 60), ("Hn. 2", 60),
    ("Trumpet in C", 56), ("Tpt.", 56), ("Trombone", 57), ("Tuba", 58), ("Violin", 40),
    ("Vln.", 40), ("Violin II", 40), ("Viola", 41), ("Cello", 42), ("Vc.", 42),
    ("Double Bass", 43), ("Contrabass", 43), ("Bass Guitar", 33), ("Harp", 46),
    ("Strings", 48), ("Guitar", 24), ("Alto Sax", 65), ("Alto Flute", 73), ("Piano", 0),
    ("Pno.", 0), ("Harpsichord", 6), ("Organ", 19), ("Timpani", 47), ("Fiddle", 110),
    ("Voice", CHOIR), ("Soprano", CHOIR), ("Alto", CHOIR), ("Tenor", CHOIR),
    ("Baritone", CHOIR), ("Choir", CHOIR),
]


@pytest.mark.parametrize(("name", "program"), NAMES)
def test_a_name_says_its_program(name, program):
    from composer_gui.music.gm import program_for_name

    assert program_for_name(name) == program, program_name(program)


@pytest.mark.parametrize("name", ["", "Melody", "Right Hand", "Part 1", "ch1", "Drums",
                                  "Drumset", "Bass Drum", "Bass", "Treble", "S."])
def test_a_name_that_says_no_instrument(name):
    from composer_gui.music.gm import program_for_name

    assert program_for_name(name) is None


def test_a_bare_bass_among_singers_is_the_choirs():
    from composer_gui.music import gm
    from composer_gui.music.gm import programs_for_names

    assert gm.CHOIR == CHOIR

    assert programs_for_names(["Soprano", "Alto", "Tenor", "Bass"]) == [CHOIR] * 4
    assert programs_for_names(["S.", "A.", "T.", "B."]) == [CHOIR] * 4
    assert programs_for_names(["Treble", "Bass"]) == [None, None]  # a keyboard's staves
    assert programs_for_names(["Bass", "Drums"]) == [None, None]


NOTE = ("<note><pitch><step>C</step><octave>5</octave></pitch><duration>4</duration>"
        "<type>whole</type></note>")


def _musicxml(tmp_path, parts: list[tuple[str, str]]):
    """A MusicXML file of one bar per part: (part name, what else its <score-part> holds)."""
    listed = "".join(f'<score-part id="P{i}"><part-name>{name}</part-name>{extra}</score-part>'
                     for i, (name, extra) in enumerate(parts, start=1))
    bars = "".join(f'<part id="P{i}"><measure number="1"><attributes><divisions>1</divisions>'
                   f"</attributes>{NOTE}</measure></part>" for i in range(1, len(parts) + 1))
    path = tmp_path / "parts.musicxml"
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?><score-partwise version="3.1">'
                    f"<part-list>{listed}</part-list>{bars}</score-partwise>", encoding="utf-8")
    return path


def test_musicxml_parts_without_a_program_sound_as_named(tmp_path):
    """The trial's trio: Flute, Clarinet in B-flat and Horn in F, no <midi-instrument>, had all
    played on the piano."""
    path = _musicxml(tmp_path, [("Flute", ""), ("Clarinet in B\u266d", ""), ("Horn in F", ""),
                                ("Melody", "")])
    assert [p.program for p in load_score(path).parts] == [73, 71, 60, 0]


def test_a_program_the_file_states_is_kept(tmp_path):
    stated = ('<score-instrument id="P{0}-I1"><instrument-name>{1}</instrument-name>'
              '</score-instrument><midi-instrument id="P{0}-I1"><midi-channel>{0}</midi-channel>'
              "<midi-program>{2}</midi-program></midi-instrument>")
    path = _musicxml(tmp_path, [("Flute", stated.format(1, "Flute", 1)),
                                ("Violin", stated.format(2, "Violin", 20)),
                                ("Cello", "")])
    assert [p.program for p in load_score(path).parts] == [0, 19, 42]


def test_the_instrument_name_speaks_for_a_part_named_otherwise(tmp_path):
    path = _musicxml(tmp_path, [("Solo", '<score-instrument id="P1-I1"><instrument-name>Oboe'
                                         "</instrument-name></score-instrument>")])
    assert load_score(path).parts[0].program == 68


def test_a_choir_in_musicxml_and_abc(tmp_path):
    path = _musicxml(tmp_path, [("Soprano", ""), ("Alto", ""), ("Tenor", ""), ("Bass", "")])
    assert [p.program for p in load_score(path).parts] == [CHOIR] * 4
    abc = tmp_path / "duet.abc"
    abc.write_text('X:1\nT:Duet\nM:4/4\nL:1/4\nV:1 name="Violin"\nV:2 name="Cello" clef=bass\n'
                   "K:C\nV:1\ncdef|\nV:2\nC,D,E,F,|\n")
    assert [(p.name, p.program) for p in load_score(abc).parts] == [("Violin", 40),
                                                                     ("Cello", 42)]


def _midi(tmp_path, tracks) -> str:
    mid = mido.MidiFile(type=0 if len(tracks) == 1 else 1, ticks_per_beat=480)
    for events in tracks:
        track = mido.MidiTrack()
        track.extend(events)
        mid.tracks.append(track)
    path = tmp_path / "file.mid"
    mid.save(path)
    return path


def _notes(channel: int, pitch: int) -> list[mido.Message]:
    return [mido.Message("note_on", channel=channel, note=pitch, velocity=80),
            mido.Message("note_off", channel=channel, note=pitch, velocity=0, time=480)]


def test_a_type_0_files_channels_are_named_by_their_instruments(tmp_path):
    """The trial's type 0 file: programs 73, 48 and 32 and drums, read as ch1, ch2, ch3, ch10."""
    events = [mido.Message("program_change", channel=0, program=73),
              mido.Message("program_change", channel=1, program=48),
              mido.Message("program_change", channel=2, program=32),
              *_notes(0, 72), *_notes(1, 60), *_notes(2, 40), *_notes(9, 36), *_notes(3, 64)]
    parts = load_score(_midi(tmp_path, [events])).parts
    assert [p.name for p in parts] == ["Flute", "String Ensemble 1", "Acoustic Bass", "ch4",
                                       "Drums"]


def test_two_channels_of_one_instrument_keep_their_numbers(tmp_path):
    events = [mido.Message("program_change", channel=0, program=40),
              mido.Message("program_change", channel=1, program=40), *_notes(0, 76),
              *_notes(1, 67)]
    assert [p.name for p in load_score(_midi(tmp_path, [events])).parts] == ["Violin ch1",
                                                                             "Violin ch2"]


def test_a_named_midi_track_without_a_program_sounds_as_named(tmp_path):
    conductor = [mido.MetaMessage("track_name", name="Song")]
    violin = [mido.MetaMessage("track_name", name="Violin"), *_notes(0, 76)]
    organ = [mido.MetaMessage("track_name", name="Cello"),
             mido.Message("program_change", channel=1, program=19), *_notes(1, 48)]
    parts = load_score(_midi(tmp_path, [conductor, violin, organ])).parts
    assert [(p.name, p.program) for p in parts] == [("Violin", 40), ("Cello", 19)]
