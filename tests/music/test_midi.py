"""MIDI files: exact round trips, and the oddities real files from DAWs and the web contain.

Every file is built here with mido (or byte by byte); no binary fixtures are committed.
"""

from __future__ import annotations

import struct
from dataclasses import replace
from pathlib import Path

import mido
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from music_strategies import EIGHTH_TRIPLET, midi_scores

from composer_gui.music.errors import ScoreFileError
from composer_gui.music.midi import MIN_IMPORTED_DURATION, read_midi, write_midi
from composer_gui.music.musicxml_writer import musicxml_text
from composer_gui.music.score import (
    TPQ,
    KeySignature,
    Note,
    Part,
    Score,
    TempoChange,
    TimeSignature,
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("midi")


def save(mid: mido.MidiFile, path):
    mid.save(path)
    return path


def track(*msgs) -> mido.MidiTrack:
    t = mido.MidiTrack(msgs)
    t.append(mido.MetaMessage("end_of_track", time=0))
    return t


def on(note, time=0, velocity=90, channel=0):
    return mido.Message("note_on", note=note, velocity=velocity, time=time, channel=channel)


def off(note, time=0, channel=0):
    return mido.Message("note_off", note=note, velocity=0, time=time, channel=channel)


def smf(*tracks: bytes, kind: int = 0, division: int = TPQ) -> bytes:
    """A Standard MIDI File from raw track bodies (each without its chunk header)."""
    data = b"MThd" + struct.pack(">IHHH", 6, kind, len(tracks), division)
    for body in tracks:
        data += b"MTrk" + struct.pack(">I", len(body)) + body
    return data


END = b"\x00\xff\x2f\x00"


def opens_like_an_upbeat(score: Score) -> bool:
    """A first bar shorter than the one after it, with notes in it: in a MIDI file that may be
    how an upbeat is written (1/8 before 6/8), and it may read back as one."""
    meters = score.time_signatures
    return len(meters) > 1 and meters[1].tick == meters[0].bar_ticks < meters[1].bar_ticks \
        and any(n.start < meters[1].tick for p in score.parts for n in p.notes)


# ----- round trips ---------------------------------------------------------------------------
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(midi_scores())
def test_score_to_midi_to_score_is_exact(folder, score):
    assume(not opens_like_an_upbeat(score))
    path = folder / "round.mid"
    write_midi(score, path)
    warnings: list[str] = []
    back = read_midi(path, warnings)
    assert back == score
    assert warnings == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(midi_scores(), st.data())
def test_fermatas_are_held_in_the_file_and_read_back_as_fermatas(folder, score, data):
    assume(not opens_like_an_upbeat(score))
    onsets = sorted({n.start for n in score.notes})
    if not onsets:
        return
    marked = data.draw(st.lists(st.sampled_from(onsets), min_size=1, max_size=4))
    # a tempo "change" to the tempo already in force says nothing, and a map read back through
    # the holds merges it
    tempos = [t for i, t in enumerate(score.tempos)
              if not i or t.us_per_quarter != score.tempos[i - 1].us_per_quarter]
    score = replace(score, fermatas=tuple(marked), tempos=tuple(tempos))
    path = folder / "fermatas.mid"
    write_midi(score, path)
    conductor = mido.MidiFile(path).tracks[0]
    markers = [m for m in conductor if m.type == "marker"]
    assert len(markers) == len(score.fermatas)
    tempos = [m for m in conductor if m.type == "set_tempo"]
    assert len(tempos) >= len([t for t in score.performed_tempos if t.stated])
    back = read_midi(path)
    assert back == score and back.fermatas == score.fermatas


def test_a_held_fermata_plays_longer_in_the_file(folder):
    notes = (Note(0, 60, TPQ), Note(TPQ, 62, TPQ), Note(2 * TPQ, 64, TPQ))
    score = Score(parts=(Part(notes),), fermatas=(TPQ,))
    write_midi(score, folder / "held.mid")
    plain = Score(parts=(Part(notes),))
    write_midi(plain, folder / "plain.mid")
    # mido's length is the file's playing time: the fermata's beat is played twice as long
    held_length = mido.MidiFile(folder / "held.mid").length
    assert held_length == pytest.approx(mido.MidiFile(folder / "plain.mid").length + 0.5)


def test_markers_named_fermata_over_a_tempo_map_of_their_own_keep_the_tempos(folder):
    conductor = track(mido.MetaMessage("set_tempo", tempo=600_000, time=0),
                      mido.MetaMessage("marker", text="Fermata", time=TPQ),
                      mido.MetaMessage("set_tempo", tempo=400_000, time=TPQ))
    notes = track(on(60), off(60, TPQ), on(62), off(62, TPQ), on(64), off(64, TPQ))
    mid = mido.MidiFile(type=1, ticks_per_beat=TPQ)
    mid.tracks.extend([conductor, notes])
    back = read_midi(save(mid, folder / "their_markers.mid"))
    assert back.fermatas == (TPQ,)
    assert [(t.tick, t.us_per_quarter) for t in back.tempos] == [(0, 600_000),
                                                                 (2 * TPQ, 400_000)]


@pytest.mark.parametrize(("meter", "upbeat", "written"), [
    ((6, 8), TPQ // 2, (1, 8)),  # a jig's eighth
    ((4, 4), TPQ, (1, 4)),
    ((3, 4), TPQ // 2, (1, 8)),  # an eighth before a waltz: a finer denominator
    ((4, 4), 3 * TPQ // 2, (3, 8)),
])
def test_an_upbeat_is_a_short_first_bar_and_reads_back_as_the_pickup(folder, meter, upbeat,
                                                                     written):
    bar = meter[0] * TPQ * 4 // meter[1]
    notes = (Note(bar - upbeat, 62, upbeat), Note(bar, 67, TPQ), Note(bar + TPQ, 69, TPQ))
    score = Score(parts=(Part(notes, name="Tune"),), time_signatures=(TimeSignature(0, *meter),),
                  key_signatures=(KeySignature(0, 1),), tempos=(TempoChange(0, 600_000),),
                  pickup=upbeat, fermatas=(bar + TPQ,), title="Jig")
    write_midi(score, folder / "upbeat.mid")
    mid = mido.MidiFile(folder / "upbeat.mid")
    meters = [(m.time, m.numerator, m.denominator) for m in mid.tracks[0]
              if m.type == "time_signature"]
    assert meters == [(0, *written), (upbeat, *meter)]
    first = next(m for m in mid.tracks[1] if m.type == "note_on")
    assert first.time == 0  # the upbeat sounds at once, as MuseScore writes it
    back = read_midi(folder / "upbeat.mid")
    assert back == score and back.pickup == upbeat


def test_an_upbeat_no_meter_can_hold_keeps_its_full_first_bar(folder):
    triplet = TPQ // 3
    notes = (Note(4 * TPQ - triplet, 62, triplet), Note(4 * TPQ, 67, TPQ))
    score = Score(parts=(Part(notes),), pickup=triplet, title="Triplet")
    write_midi(score, folder / "triplet_upbeat.mid")
    back = read_midi(folder / "triplet_upbeat.mid")
    assert back.parts[0].notes == notes and back.time_signatures == score.time_signatures


def test_a_musescore_upbeat_is_read_as_a_pickup(folder):
    conductor = track(mido.MetaMessage("time_signature", numerator=1, denominator=4, time=0),
                      mido.MetaMessage("time_signature", numerator=3, denominator=4, time=TPQ))
    tune = track(on(67), off(67, TPQ), on(72), off(72, 3 * TPQ), on(71), off(71, TPQ))
    mid = mido.MidiFile(type=1, ticks_per_beat=TPQ)
    mid.tracks.extend([conductor, tune])
    back = read_midi(save(mid, folder / "musescore_upbeat.mid"))
    assert back.pickup == TPQ and back.time_signatures == (TimeSignature(0, 3, 4),)
    assert [(n.start, n.pitch) for n in back.notes] == [(2 * TPQ, 67), (3 * TPQ, 72),
                                                        (6 * TPQ, 71)]


def _played(starts, length=TPQ // 2) -> mido.MidiTrack:
    """A line played with its onsets off the grid: ``starts`` in ticks, each note a little
    detached."""
    msgs, now = [], 0
    for i, t in enumerate(starts):
        msgs += [on(60 + i % 5, t - now), off(60 + i % 5, length - 80)]
        now = t + length - 80
    return track(mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0), *msgs)


def test_a_recording_starts_from_its_first_note(folder):
    """Recorded on a DAW's bar grid: a bar of count-in left empty, and an upbeat of a quarter
    played at the end of the next bar. The empty bar is left out (and said), the upbeat read
    as the pickup, its first note played a little early starting it (a review of played MIDI
    files read an empty bar and a bar of rests before every such tune)."""
    jitter = [-25, 17, -9, 22, -14, 8, -20, 11, 19, -6]
    starts = [2 * 4 * TPQ - TPQ + j for j in jitter[:1]]
    starts += [2 * 4 * TPQ + i * TPQ // 2 + j for i, j in enumerate(jitter[1:] * 2)]
    mid = mido.MidiFile(type=1, ticks_per_beat=TPQ)
    mid.tracks.append(_played(starts))
    warnings: list[str] = []
    back = read_midi(save(mid, folder / "played_upbeat.mid"), warnings)
    assert back.pickup == TPQ and back.upbeat == TPQ
    assert any("left out 1 bar of silence" in w for w in warnings)
    assert back.notes[0].start == 3 * TPQ and back.notes[0].end == starts[0] - 4 * TPQ + TPQ \
        // 2 - 80
    assert [n.start for n in back.notes[1:]] == [t - 4 * TPQ for t in starts[1:]]
    # notes written on the grid (a sketch that opens with rests) keep their bars
    drawn = mido.MidiFile(type=1, ticks_per_beat=TPQ)
    drawn.tracks.append(_played([2 * 4 * TPQ - TPQ + i * TPQ for i in range(8)]))
    kept = read_midi(save(drawn, folder / "drawn_rests.mid"))
    assert kept.pickup == 0 and kept.notes[0].start == 7 * TPQ


def test_every_part_track_carries_the_key_signature_for_musescore(folder):
    score = Score(parts=(Part((Note(0, 65, TPQ),), name="S"), Part((Note(0, 53, TPQ),), name="B")),
                  key_signatures=(KeySignature(0, -1), KeySignature(2 * TPQ, -3)), title="K")
    write_midi(score, folder / "keys.mid")
    mid = mido.MidiFile(folder / "keys.mid")
    for t in mid.tracks:
        now, keys = 0, []
        for m in t:
            now += m.time
            if m.type == "key_signature":
                keys.append((now, m.key))
        assert keys == [(0, "F"), (2 * TPQ, "Eb")]
    back = read_midi(folder / "keys.mid")
    assert back.key_signatures == score.key_signatures and back.notes == score.notes


# a trial's E major tune whose key-signature meta says E-flat major
E_MAJOR_TUNE = [64, 68, 71, 68, 69, 68, 66, 63, 64, 66, 68, 69, 71, 73, 71, 69, 68, 66, 64, 63,
                64, 68, 66, 63, 64]


def _tune_file(folder, name: str, pitches: list[int], key: str | None):
    mid = mido.MidiFile(type=0, ticks_per_beat=TPQ)
    head = [mido.MetaMessage("key_signature", key=key)] if key else []
    mid.tracks.append(track(*head, *(m for p in pitches for m in (on(p), off(p, TPQ)))))
    return save(mid, folder / name)


def test_a_key_signature_the_notes_contradict_is_replaced_and_said(folder):
    warnings: list[str] = []
    score = read_midi(_tune_file(folder, "wrongkey.mid", E_MAJOR_TUNE, "Eb"), warnings)
    assert [(k.sharps, k.mode) for k in score.key_signatures] == [(4, "major")]
    said = [w for w in warnings if "key signature" in w]
    assert len(said) == 1 and "Eb major" in said[0] and "E major" in said[0]
    text = musicxml_text(score)  # spelled with sharps: no F-flat, C-flat or B-double-flat
    assert "<alter>-" not in text and "<fifths>4</fifths>" in text


def test_a_key_signature_the_notes_fit_is_kept(folder):
    # the same tune under its own signature, and in C major under a signature one sharp off
    for key, pitches in (("E", E_MAJOR_TUNE), ("G", [p - 4 for p in E_MAJOR_TUNE])):
        warnings: list[str] = []
        score = read_midi(_tune_file(folder, f"right_{key}.mid", pitches, key), warnings)
        assert score.key_signatures[0].tonic_name == key
        assert not any("key signature" in w for w in warnings)
    # too few notes to say, and a chromatic line no signature fits, keep theirs
    for name, pitches in (("short", E_MAJOR_TUNE[:8]), ("chromatic", list(range(60, 84)))):
        score = read_midi(_tune_file(folder, f"{name}.mid", pitches, "Eb"))
        assert score.key_signatures[0].sharps == -3


@pytest.mark.parametrize("name, sharps", [("test02.mid", 3), ("test03.mid", -4), ("test04.mid", 0),
                                          ("test06.mid", 1), ("test07.mid", 2),
                                          ("test09.mid", -1), ("test14.mid", 0),
                                          ("test17.mid", 3)])
def test_the_signatures_of_music21s_midi_files(name, sharps):
    """Their own, but a Finale export's default C major over F-sharp minor (test17)."""
    music21 = pytest.importorskip("music21")
    warnings: list[str] = []
    score = read_midi(Path(music21.__file__).parent / "midi" / "testPrimitive" / name, warnings)
    assert score.key_signatures[0].sharps == sharps
    assert any("C major" in w for w in warnings) == (name == "test17.mid")


@settings(max_examples=20, deadline=None)
@given(midi_scores(grid=EIGHTH_TRIPLET))
def test_triplet_grid_round_trips_too(folder, score):
    path = folder / "triplets.mid"
    write_midi(score, path)
    assert read_midi(path) == score


@st.composite
def unquantized_scores(draw):
    """Notes at any tick and of any length (zero too), as played in; one pitch never overlaps
    itself within a part (a MIDI channel cannot tell such notes apart)."""
    parts = []
    for i in range(draw(st.integers(1, 3))):
        notes, ends = [], {}
        for _ in range(draw(st.integers(0, 30))):
            pitch = draw(st.integers(0, 127))
            start = draw(st.integers(ends.get(pitch, 0), ends.get(pitch, 0) + 2000))
            note = Note(start, pitch, draw(st.integers(0, 1500)), draw(st.integers(1, 127)))
            ends[pitch] = note.end
            notes.append(note)
        parts.append(Part(tuple(sorted(notes)), name=f"P{i}", channel=i))
    return Score(parts=tuple(parts), title="played")


@settings(max_examples=60, deadline=None)
@given(unquantized_scores(),
       st.sampled_from([60, 80, 120, 160, 240, 480]))  # 1/32, 1/16 triplet .. 1/4
def test_any_score_after_quantization_round_trips_exactly(folder, score, grid):
    q = score.quantize(grid)
    write_midi(q, folder / "quantized.mid")
    assert read_midi(folder / "quantized.mid") == q


def test_quantized_score_round_trips(folder):
    """What the issue asks literally: any score, quantized, survives MIDI exactly."""
    raw = Score(parts=(Part((Note(3, 60, 117), Note(250, 64, 7), Note(479, 67, 962)), name="P"),),
                title="q")
    q = raw.quantize(120)
    write_midi(q, folder / "q.mid")
    assert read_midi(folder / "q.mid") == q


def test_unicode_names_survive(folder):
    score = Score(parts=(Part((Note(0, 60, 480),), name="Flöte 笛 ♯"),), title="Étude №1")
    write_midi(score, folder / "names.mid")
    assert read_midi(folder / "names.mid") == score


def test_latin1_names_from_older_programs_are_read(folder):
    mid = mido.MidiFile(type=1)  # mido writes Latin-1 by default, as many older programs do
    mid.tracks.append(track(mido.MetaMessage("track_name", name="Chanson à boire")))
    mid.tracks.append(track(mido.MetaMessage("track_name", name="Flûte"), on(60), off(60, 480)))
    score = read_midi(save(mid, folder / "latin1.mid"))
    assert score.title == "Chanson à boire"
    assert score.parts[0].name == "Flûte"


def test_export_is_type_1_at_our_resolution_with_a_conductor_track(folder):
    score = Score(parts=(Part((Note(0, 60, 480),), name="A", program=40),
                         Part((Note(0, 36, 120),), is_drum=True, name="Kit")),
                  tempos=(TempoChange(0, 600_000),), title="T",
                  key_signatures=(KeySignature(0, -3, "minor"),))
    write_midi(score, folder / "out.mid")
    mid = mido.MidiFile(folder / "out.mid")
    assert (mid.type, mid.ticks_per_beat, len(mid.tracks)) == (1, TPQ, 3)
    conductor = {m.type: m for m in mid.tracks[0]}
    assert conductor["set_tempo"].tempo == 600_000
    assert conductor["key_signature"].key == "Cm"
    assert not any(m.type.startswith("note") for m in mid.tracks[0])
    drum_channels = {m.channel for m in mid.tracks[2] if not m.is_meta}
    assert drum_channels == {9}


def test_repeated_notes_of_one_pitch_stay_apart(folder):
    """A note ending where the next of the same pitch starts: the off must come before the on."""
    notes = tuple(Note(i * 240, 60, 240) for i in range(8))
    score = Score(parts=(Part(notes, name="R"),), title="r")
    write_midi(score, folder / "rep.mid")
    assert read_midi(folder / "rep.mid").parts[0].notes == notes


def test_empty_score_round_trips(folder):
    write_midi(Score(), folder / "empty.mid")
    assert read_midi(folder / "empty.mid").parts == (Part(),)


# ----- files as DAWs and the web write them ----------------------------------------------------
def test_type_0_with_several_channels_gives_a_part_per_channel(folder):
    mid = mido.MidiFile(type=0)
    mid.tracks.append(track(
        mido.MetaMessage("track_name", name="Song"),
        mido.MetaMessage("set_tempo", tempo=400_000),
        mido.Message("program_change", channel=0, program=0),
        mido.Message("program_change", channel=1, program=33),
        on(60, channel=0), on(40, channel=1), on(36, channel=9),
        off(36, 120, channel=9), off(60, 360, channel=0), off(40, 0, channel=1),
    ))
    warnings: list[str] = []
    score = read_midi(save(mid, folder / "type0.mid"), warnings)
    assert warnings == []
    assert [(p.name, p.channel, p.program, p.is_drum) for p in score.parts] == [
        ("Song ch1", 0, 0, False), ("Song ch2", 1, 33, False), ("Song ch10", 9, 0, True)]
    assert [p.notes for p in score.parts] == [
        (Note(0, 60, 480, 90),), (Note(0, 40, 480, 90),), (Note(0, 36, 120, 90),)]
    assert score.tempo.us_per_quarter == 400_000
    assert score.title == "type0"  # a single track's name names the part, not the song


def test_type_1_with_several_tracks(folder):
    mid = mido.MidiFile(type=1, ticks_per_beat=TPQ)
    mid.tracks.append(track(
        mido.MetaMessage("track_name", name="My Song"),
        mido.MetaMessage("time_signature", numerator=3, denominator=4),
        mido.MetaMessage("key_signature", key="Bb"),
        mido.MetaMessage("set_tempo", tempo=500_000),
        mido.MetaMessage("set_tempo", tempo=750_000, time=1440),
        mido.MetaMessage("time_signature", numerator=6, denominator=8, time=1440),
        mido.MetaMessage("key_signature", key="Gm"),
    ))
    mid.tracks.append(track(mido.MetaMessage("track_name", name="Melody"),
                            mido.Message("program_change", program=73),
                            on(70), off(70, 480), on(72, 0, 100), off(72, 960)))
    mid.tracks.append(track(mido.MetaMessage("track_name", name="Bass"),
                            mido.Message("program_change", channel=1, program=32),
                            on(34, 1440, channel=1), off(34, 1440, channel=1)))
    score = read_midi(save(mid, folder / "type1.mid"))
    assert score.title == "My Song"
    assert [(p.name, p.program, p.channel) for p in score.parts] == [
        ("Melody", 73, 0), ("Bass", 32, 1)]
    assert score.parts[0].notes == (Note(0, 70, 480, 90), Note(480, 72, 960, 100))
    assert score.parts[1].notes == (Note(1440, 34, 1440, 90),)
    assert score.tempos == (TempoChange(0, 500_000), TempoChange(1440, 750_000))
    assert score.time_signatures == (TimeSignature(0, 3, 4), TimeSignature(2880, 6, 8))
    assert score.key_signatures == (KeySignature(0, -2), KeySignature(2880, -2, "minor"))
    assert score.bar_count() == 2


def test_running_status_and_note_on_velocity_zero(folder):
    # mido itself writes running status; check that it did, so the file really exercises it
    mid = mido.MidiFile(type=0)
    mid.tracks.append(track(on(60), on(64), mido.Message("note_on", note=60, velocity=0,
                                                         time=480),
                            mido.Message("note_on", note=64, velocity=0, time=0)))
    path = save(mid, folder / "running_mido.mid")
    assert b"\x00\x90\x3c\x5a\x00\x40\x5a" in path.read_bytes()  # second note_on: no status byte
    assert read_midi(path).parts[0].notes == (Note(0, 60, 480, 90), Note(0, 64, 480, 90))

    # and a file written byte by byte: one status byte, then data pairs only
    body = (b"\x00\x90\x3c\x40"  # note on C4 velocity 64
            b"\x00\x3e\x40"  # running status: note on D4
            b"\x83\x60\x3c\x00"  # 480 ticks later: note on C4 velocity 0 (= off)
            b"\x00\x3e\x00"  # D4 off
            b"\x00\xc0\x05"  # program change (another status)
            b"\x00\x90\x40\x50"  # note on E4
            b"\x81\x70\x80\x40\x00"  # 240 later: a real note-off
            ) + END
    path = folder / "running_raw.mid"
    path.write_bytes(smf(body))
    score = read_midi(path)
    assert score.parts[0].notes == (Note(0, 60, 480, 64), Note(0, 62, 480, 64),
                                    Note(480, 64, 240, 80))


def test_overlapping_notes_of_one_pitch_end_first_in_first_out(folder):
    mid = mido.MidiFile(type=0)
    mid.tracks.append(track(on(60, velocity=50), on(60, 240, velocity=70), off(60, 240),
                            off(60, 240)))
    score = read_midi(save(mid, folder / "overlap.mid"))
    assert score.parts[0].notes == (Note(0, 60, 480, 50), Note(240, 60, 480, 70))


def test_notes_never_switched_off_end_at_the_track_end(folder):
    mid = mido.MidiFile(type=1)
    mid.tracks.append(track(mido.MetaMessage("set_tempo", tempo=500_000)))
    t = mido.MidiTrack([on(60), on(64, 480), off(64, 480)])
    t.append(mido.MetaMessage("end_of_track", time=960))
    mid.tracks.append(t)
    warnings: list[str] = []
    score = read_midi(save(mid, folder / "hanging.mid"), warnings)
    assert score.parts[0].notes == (Note(0, 60, 1920, 90), Note(480, 64, 480, 90))
    assert any("never switched off" in w for w in warnings)


def test_zero_length_notes_become_64ths(folder):
    mid = mido.MidiFile(type=0)
    mid.tracks.append(track(on(60, 480), off(60, 0), on(62, 0), off(62, 480)))
    warnings: list[str] = []
    score = read_midi(save(mid, folder / "zero.mid"), warnings)
    assert MIN_IMPORTED_DURATION == TPQ // 16
    assert score.parts[0].notes == (Note(480, 60, MIN_IMPORTED_DURATION, 90),
                                    Note(480, 62, 480, 90))
    assert any("zero-length" in w for w in warnings)


def test_note_offs_without_note_ons_are_ignored(folder):
    mid = mido.MidiFile(type=0)
    mid.tracks.append(track(off(50), on(60), off(60, 480), off(60, 10)))
    assert read_midi(save(mid, folder / "stray.mid")).parts[0].notes == (Note(0, 60, 480, 90),)


def test_drums_on_channel_10_are_kept_apart(folder):
    mid = mido.MidiFile(type=1)
    mid.tracks.append(track(mido.MetaMessage("track_name", name="Band"),
                            on(60), on(36, 0, channel=9), off(36, 120, channel=9),
                            on(42, 0, channel=9), off(42, 120, channel=9), off(60, 240)))
    score = read_midi(save(mid, folder / "drums.mid"))
    pitched, drums = score.parts
    assert not pitched.is_drum and drums.is_drum and drums.channel == 9
    assert [n.pitch for n in drums.notes] == [36, 42]
    assert [n.pitch for n in pitched.notes] == [60]
    assert score.notes == list(pitched.notes)  # the drum part is not "pitched notes"
    # drums stay drums through our own export
    write_midi(score, folder / "drums2.mid")
    assert read_midi(folder / "drums2.mid").parts == score.parts


@pytest.mark.parametrize("tpb", [96, 960, 1000, 24])
def test_other_resolutions_are_rescaled(folder, tpb):
    mid = mido.MidiFile(type=1, ticks_per_beat=tpb)
    mid.tracks.append(track(mido.MetaMessage("time_signature", numerator=3, denominator=4),
                            mido.MetaMessage("set_tempo", tempo=600_000, time=tpb * 3)))
    mid.tracks.append(track(on(60, tpb), off(60, tpb // 2), on(62, tpb * 5 // 2),
                            off(62, tpb * 3)))
    score = read_midi(save(mid, folder / f"tpb{tpb}.mid"))
    assert score.parts[0].notes == (Note(480, 60, 240, 90), Note(1920, 62, 1440, 90))
    assert score.tempos == (TempoChange(0), TempoChange(1440, 600_000))


def test_rescaling_rounds_to_the_nearest_tick(folder):
    mid = mido.MidiFile(type=0, ticks_per_beat=960)
    # 1 tick at 960 is half of ours: rounds half up; 3 ticks -> 1.5 -> 2
    mid.tracks.append(track(on(60, 1), off(60, 2), on(61, 0), off(61, 960)))
    score = read_midi(save(mid, folder / "round960.mid"))
    assert score.parts[0].notes == (Note(1, 60, 1, 90), Note(2, 61, 480, 90))


def test_program_set_in_the_conductor_track_applies_to_its_channel(folder):
    mid = mido.MidiFile(type=1)
    mid.tracks.append(track(mido.Message("program_change", channel=2, program=41)))
    mid.tracks.append(track(on(60, channel=2), off(60, 480, channel=2)))
    score = read_midi(save(mid, folder / "progs.mid"))
    assert [(p.channel, p.program) for p in score.parts] == [(2, 41)]


def test_general_midi_setup_tracks_do_not_become_empty_parts(folder):
    mid = mido.MidiFile(type=1)
    mid.tracks.append(track(mido.MetaMessage("set_tempo", tempo=500_000)))
    mid.tracks.append(track(*(mido.Message("program_change", channel=c, program=0)
                              for c in range(16))))
    mid.tracks.append(track(on(60), off(60, 480)))
    assert len(read_midi(save(mid, folder / "gm.mid")).parts) == 1


def test_unknown_meta_events_keep_their_time(folder):
    """mido 1.3 loses the delta time of unknown meta events; we must not shift later notes."""
    mid = mido.MidiFile(type=0)
    mid.tracks.append(track(mido.UnknownMetaMessage(0x60, [0, 0, 0x41], time=480), on(60),
                            off(60, 480)))
    score = read_midi(save(mid, folder / "seqspec.mid"))
    assert score.parts[0].notes == (Note(480, 60, 480, 90),)


def test_a_malformed_key_signature_is_skipped_not_fatal(folder):
    body = (b"\x00\xff\x59\x02\x09\x00"  # key signature with 9 sharps: impossible
            b"\x00\xff\x58\x02\x03\x02"  # time signature cut short (2 bytes instead of 4)
            b"\x00\x90\x3c\x40\x83\x60\x3c\x00") + END
    path = folder / "badmeta.mid"
    path.write_bytes(smf(body))
    warnings: list[str] = []
    score = read_midi(path, warnings)
    assert score.parts[0].notes == (Note(0, 60, 480, 64),)
    assert score.key_signatures == ()
    assert any("key signature" in w for w in warnings)
    assert any("time signature" in w for w in warnings)


def test_foreign_chunks_are_skipped(folder):
    body = b"\x00\x90\x3c\x40\x83\x60\x3c\x00" + END
    data = smf(body)
    head, rest = data[:14], data[14:]
    path = folder / "foreign.mid"
    path.write_bytes(head + b"XFIH" + struct.pack(">I", 3) + b"abc" + rest)
    warnings: list[str] = []
    assert read_midi(path, warnings).parts[0].notes == (Note(0, 60, 480, 64),)
    assert any("not MIDI tracks" in w for w in warnings)


def test_smpte_time_is_refused_clearly(folder):
    path = folder / "smpte.mid"
    path.write_bytes(smf(END, division=0xE728))  # -25 fps, 40 ticks per frame
    with pytest.raises(ScoreFileError, match="SMPTE"):
        read_midi(path)


# ----- broken bytes never crash --------------------------------------------------------------
def _small_file(folder) -> bytes:
    score = Score(parts=(Part((Note(0, 60, 480), Note(480, 64, 240)), name="A"),
                         Part((Note(0, 36, 120),), is_drum=True, name="D")),
                  key_signatures=(KeySignature(0, 2),), title="small")
    write_midi(score, folder / "small.mid")
    return (folder / "small.mid").read_bytes()


def test_every_truncation_is_a_clear_error(folder):
    data = _small_file(folder)
    path = folder / "cut.mid"
    for n in range(1, len(data)):
        path.write_bytes(data[:n])
        with pytest.raises(ScoreFileError) as info:
            read_midi(path)
        assert str(info.value).startswith(str(path))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_corrupted_bytes_give_a_score_or_a_clear_error(folder, data):
    original = bytearray(_small_file(folder))
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(original) - 1))
        original[i] = data.draw(st.integers(0, 255))
    path = folder / "fuzz.mid"
    path.write_bytes(bytes(original))
    try:
        score = read_midi(path)
    except ScoreFileError as exc:
        assert str(exc).startswith(str(path)) and "\n" not in str(exc)
    else:
        assert isinstance(score, Score)


def test_a_file_without_a_time_signature_says_it_is_read_in_four_four(folder):
    """MIDI's default meter is 4/4; a 3/4 tune saved without a signature was harmonized across
    4/4 bar lines without a word (a trial). Past one bar of notes the reading says so."""
    waltz = [msg for p in (60, 64, 67, 65, 62, 59) for msg in (on(p), off(p, 3 * TPQ))]
    mid = mido.MidiFile(type=0, ticks_per_beat=TPQ)
    mid.tracks.append(track(*waltz))
    warnings: list[str] = []
    score = read_midi(save(mid, folder / "waltz.mid"), warnings)
    assert score.time_signature == TimeSignature(0, 4, 4)
    assert warnings == ["the file has no time signature: it is read in 4/4, MIDI's default "
                        "(the header's Time box sets another)"]
    mid = mido.MidiFile(type=0, ticks_per_beat=TPQ)
    mid.tracks.append(track(mido.MetaMessage("time_signature", numerator=3, denominator=4),
                            *waltz))
    warnings = []
    assert read_midi(save(mid, folder / "waltz34.mid"), warnings).time_signature == \
        TimeSignature(0, 3, 4)
    assert warnings == []


def test_a_first_track_with_notes_names_its_part_not_the_song(tmp_path):
    """A two-track file whose first track holds the right hand's notes and is named "Right
    hand": that is the part's name, and the song keeps the file's name (a trial's nocturne
    was titled "Right hand"); a first track without notes still names the song."""
    def track(name, notes):
        t = mido.MidiTrack([mido.MetaMessage("track_name", name=name)])
        for pitch in notes:
            t += [mido.Message("note_on", note=pitch, velocity=80, time=0),
                  mido.Message("note_off", note=pitch, velocity=0, time=480)]
        return t

    hands = mido.MidiFile(type=1, ticks_per_beat=480)
    hands.tracks += [track("Right hand", [76, 74, 72]), track("Left hand", [48, 43, 48])]
    hands.save(tmp_path / "nocturne.mid")
    score = read_midi(tmp_path / "nocturne.mid")
    assert score.title == "nocturne"
    assert [p.name for p in score.parts] == ["Right hand", "Left hand"]
    song = mido.MidiFile(type=1, ticks_per_beat=480)
    song.tracks += [track("Evening Song", []), track("Right hand", [76, 74, 72])]
    song.save(tmp_path / "song.mid")
    assert read_midi(tmp_path / "song.mid").title == "Evening Song"
