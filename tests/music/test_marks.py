"""A note's marks (articulations, ornaments, bowings, slurs): kept by every edit and by the
files that can hold them, written where they were read, and said where a file cannot."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from composer_gui.music import marks
from composer_gui.music.edits import with_dynamic, with_mark, with_span
from composer_gui.music.fidelity import export
from composer_gui.music.formats import load_score, save_score
from composer_gui.music.musicxml_writer import musicxml_text
from composer_gui.music.score import (
    TPQ,
    KeySignature,
    Note,
    Part,
    Score,
    TimeSignature,
    quantize_note,
)
from composer_gui.music.spelling import spell_score

START, STOP = marks.SLUR_START, marks.SLUR_STOP


def every_mark() -> Score:
    """A line with each mark once, then two slurs that share a note."""
    names = [m for m in marks.MUSICXML if m != "roll"]
    notes = [Note(i * TPQ, 60 + i % 12, TPQ, marks=(m,)) for i, m in enumerate(names)]
    t = len(names) * TPQ
    notes += [Note(t + i * TPQ, 67, TPQ, marks=m)
              for i, m in enumerate([(START,), (), (STOP, START), (STOP,)])]
    return Score(parts=(Part(notes=tuple(notes)),))


def test_a_notes_marks_are_known_names_in_one_order_and_not_part_of_equality():
    n = Note(0, 60, TPQ, marks=("trill", "staccato", "staccato", "sneeze"))
    assert n.marks == ("staccato", "trill")
    assert n == Note(0, 60, TPQ)
    assert replace(n, pitch=62).marks == ("staccato", "trill")  # an edit keeps them
    assert quantize_note(replace(n, start=7), TPQ // 4).marks == ("staccato", "trill")
    full = Note(0, 60, TPQ, 90, "C", "la", ("trill",), (2,))
    moved = full.retimed(TPQ, 2 * TPQ)  # (notation's view retimes every note: every field kept)
    assert (moved.start, moved.duration) == (TPQ, 2 * TPQ)
    assert [getattr(moved, f) for f in ("pitch", "velocity", "spelling", "lyric", "marks",
                                        "graces")] == [60, 90, "C", "la", ("trill",), (2,)]
    with pytest.raises(ValueError):
        full.retimed(-1, TPQ)


def test_slurs_pair_each_stop_with_the_latest_start_and_drop_lone_ends():
    def ticks(pairs):
        return [(a[0], b[0]) for a, b in pairs]

    events = [(0, "a", (STOP,)), (1, "b", (START,)), (2, "c", ()), (3, "d", (STOP, START)),
              (4, "e", (STOP,)), (5, "f", (START,))]
    assert ticks(marks.span_pairs(events)) == [(1, 3), (3, 4)]  # (0: no start; 5: no stop)
    leftover: list = []
    marks.span_pairs(events, leftover)
    assert leftover == [(0, "a", (STOP,)), (5, "f", (START,))]
    nested = [(0, "a", (START,)), (1, "b", (START,)), (2, "c", (STOP,)), (3, "d", (STOP,))]
    assert ticks(marks.span_pairs(nested)) == [(0, 3), (1, 2)]
    numbered = marks.numbered([((0, "a"), (3, "d")), ((1, "b"), (2, "c")), ((3, "d"), (5, "f"))])
    assert [k for _a, _b, k in numbered] == [1, 2, 1]


def test_two_hands_slurred_at_once_keep_both_slurs(tmp_path):
    """Slurs are paired voice by voice (a piano's hands, two voices on a staff): slurred at
    the same ticks, each hand keeps its own (grouped by tick, one had been lost)."""
    right = [Note(i * TPQ, 72 + i, TPQ, marks=(START,) if i == 0 else (STOP,) if i == 3 else ())
             for i in range(4)]
    left = [Note(i * TPQ, 48 - i, TPQ, marks=(START,) if i == 0 else (STOP,) if i == 2 else ())
            for i in range(4)]
    score = Score(parts=(Part((*right, *left)),))
    xml = musicxml_text(score)
    assert xml.count('type="start"') - xml.count("<tie") - xml.count("<tied") >= 2
    assert xml.count("<slur ") == 4
    save_score(score, tmp_path / "hands.musicxml", [])
    back = load_score(tmp_path / "hands.musicxml", [])
    assert [(n.pitch, n.marks) for n in back.notes if n.marks] == [
        (48, (START,)), (72, (START,)), (46, (STOP,)), (75, (STOP,))]


@pytest.mark.parametrize("suffix", ["musicxml", "abc", "composer.json"])
def test_every_mark_comes_back_from_the_files_that_hold_them(tmp_path, suffix):
    score = every_mark()
    path = tmp_path / f"marks.{suffix}"
    notes: list[str] = []
    save_score(score, path, notes)
    back = load_score(path, [])
    want = [(n.start, n.pitch, n.marks) for n in score.notes]
    got = [(n.start, n.pitch, n.marks) for n in back.notes]
    if suffix == "abc":  # ABC cannot end a slur on the note the next begins on: the one
        want[-3:-1] = [(want[-3][0], 67, (STOP,)), (want[-2][0], 67, (START,))]  # before does
    assert got == want
    assert export(score, path) == ([] if suffix != "abc" else [
        # (counted by pitch and marks)
        "changed the marks (slurs, articulations, ornaments, dynamics) of 1 note"])


def test_midi_says_it_leaves_the_marks_out_and_a_roll_is_written_as_a_turn(tmp_path):
    score = Score(parts=(Part((Note(0, 67, TPQ, marks=("roll",)), Note(TPQ, 69, TPQ))),))
    assert export(score, tmp_path / "x.mid") == [
        "left out the marks (slurs, articulations, ornaments, dynamics) of 1 note"]
    notes: list[str] = []
    save_score(score, tmp_path / "x.musicxml", notes)
    assert notes == ["1 roll is written as turn (MusicXML has no roll)"]
    assert load_score(tmp_path / "x.musicxml", []).notes[0].marks == ("turn",)
    save_score(score, tmp_path / "x.abc", [])
    assert "~G" in (tmp_path / "x.abc").read_text()
    assert load_score(tmp_path / "x.abc", []).notes[0].marks == ("roll",)


def test_musicxml_numbers_overlapping_slurs_and_leaves_out_one_whose_end_is_gone():
    line = [Note(i * TPQ, 60 + i, TPQ) for i in range(6)]
    slurred = [replace(line[0], marks=(START,)), replace(line[1], marks=(START,)), line[2],
               replace(line[3], marks=(STOP,)), replace(line[4], marks=(STOP,)),
               replace(line[5], marks=(START,))]  # (the last: its stop deleted)
    xml = musicxml_text(Score(parts=(Part(tuple(slurred)),)))
    assert xml.count('<slur type="start" number="1"/>') == 1
    assert xml.count('<slur type="start" number="2"/>') == 1
    assert xml.count('<slur type="stop" number="2"/>') == 1  # (the inner one closes first)
    assert xml.count('<slur type="stop" number="1"/>') == 1
    assert xml.count("<slur ") == 4


def test_a_chords_marks_are_written_once_on_its_first_note():
    chord = (Note(0, 60, TPQ, marks=("accent",)), Note(0, 64, TPQ, marks=("accent",)))
    xml = musicxml_text(Score(parts=(Part(chord),)))
    assert xml.count("<accent/>") == 1


def test_a_tied_note_carries_its_marks_on_its_first_piece(tmp_path):
    note = Note(3 * TPQ, 67, 2 * TPQ, marks=("tenuto",))  # across the bar line
    xml = musicxml_text(Score(parts=(Part((note,)),)))
    assert xml.count("<tenuto/>") == 1
    assert xml.index("<tenuto/>") < xml.index('<tie type="stop"/>')
    save_score(Score(parts=(Part((note,)),)), tmp_path / "t.musicxml", [])
    assert load_score(tmp_path / "t.musicxml", []).notes[0].marks == ("tenuto",)


def test_bars_repeated_with_other_marks_are_written_out():
    """Repeat signs say the bars are played again as written: bowed otherwise the second
    time, they are not the same bars."""
    strain = [Note(i * TPQ, 60 + i % 5, TPQ) for i in range(16)]
    ts = (TimeSignature(0, 4, 4),)
    same = Score(parts=(Part((*strain, *(replace(n, start=n.start + 16 * TPQ)
                                        for n in strain))),), time_signatures=ts)
    assert "<repeat " in musicxml_text(same)
    bowed = [replace(n, start=n.start + 16 * TPQ, marks=("down-bow",)) for n in strain]
    other = Score(parts=(Part((*strain, *bowed)),), time_signatures=ts)
    xml = musicxml_text(other)
    assert "<repeat " not in xml and xml.count("<down-bow/>") == 16


def test_the_spelling_step_keeps_the_marks():
    score = Score(parts=(Part((Note(0, 61, TPQ, marks=("trill",)),)),))
    assert spell_score(score).notes[0].marks == ("trill",)


def test_a_mark_toggles_on_every_selected_note_and_off_where_all_have_it():
    keys = [(0, Note(0, 60, TPQ, marks=("staccato",))), (0, Note(TPQ, 62, TPQ))]
    removed, added, on = with_mark(keys, "staccato")
    assert on and removed == keys[1:] and added[0][1].marks == ("staccato",)
    both = [(0, replace(n, marks=("staccato",))) for _p, n in keys]
    removed, added, on = with_mark(both, "staccato")
    assert not on and [n.marks for _p, n in added] == [(), ()]


def test_a_slur_goes_over_each_parts_selection_and_comes_off_again():
    soprano = [(0, Note(i * TPQ, 72 + i, TPQ)) for i in range(3)]
    alto = [(1, Note(i * TPQ, 64, TPQ, marks=(STOP,) if i == 1 else ())) for i in range(3)]
    _removed, added, on = with_span([*soprano, *alto])
    assert on
    got = {(p, n.start): n.marks for p, n in added}
    assert got[0, 0] == (START,) and got[0, 2 * TPQ] == (STOP,) and (0, TPQ) not in got
    assert got[1, TPQ] == ()  # (a slur end inside it is cleared: one slur over the passage)
    slurred = [(p, next((m for q, m in added if q == p and m.start == n.start), n))
               for p, n in [*soprano, *alto]]
    _removed, added, on = with_span(slurred)
    assert not on and all(not n.marks for _p, n in added)
    # a chord alone has nothing to slur (the menu says to select two places in time)
    assert with_span([(0, Note(0, 60, TPQ)), (0, Note(0, 64, TPQ))]) == ([], [], False)


def test_dynamics_are_written_where_they_stand_and_set_the_loudness_read_back(tmp_path):
    """A dynamic is a mark on the note it stands at; read back, the notes from it on play at
    its level (p 49, f 96), in MusicXML (a direction) and ABC (``!p!``) alike; MIDI keeps the
    loudness and says it leaves the marks out."""
    notes = (Note(0, 60, TPQ, marks=("p",)), Note(TPQ, 62, TPQ),
             Note(2 * TPQ, 64, TPQ, marks=("f", "staccato")), Note(3 * TPQ, 65, TPQ))
    score = Score(parts=(Part(notes),))
    xml = musicxml_text(score)
    assert xml.count("<dynamics><p/></dynamics>") == 1 and xml.count("<dynamics><f/>") == 1
    assert xml.index("<dynamics><f/>") < xml.index("<step>E</step>")  # (before its note)
    for suffix in ("musicxml", "abc", "composer.json"):
        save_score(score, tmp_path / f"d.{suffix}", [])
        back = load_score(tmp_path / f"d.{suffix}", [])
        assert [n.marks for n in back.notes] == [n.marks for n in notes]
        if suffix != "composer.json":
            assert [n.velocity for n in back.notes] == [49, 49, 96, 96]
    assert Note(0, 60, TPQ, marks=("p", "ff", "mf")).marks == ("ff",)  # (the louder kept)


def test_a_dynamic_from_the_menu_marks_the_first_note_and_sets_the_part_up_to_the_next():
    part = Part(tuple(Note(i * TPQ, 60 + i, TPQ) for i in range(6)))
    marked = part.with_notes([*part.notes[:4], replace(part.notes[4], marks=("pp",)),
                              part.notes[5]])
    keys = [(0, marked.notes[1]), (0, marked.notes[2])]
    removed, added = with_dynamic([marked], keys, "f")
    new = {n.start: n for _p, n in added}
    assert new[TPQ].marks == ("f",) and new[TPQ].velocity == 96
    assert new[3 * TPQ].velocity == 96 and 4 * TPQ not in new  # (up to the next dynamic)
    assert 0 not in new and len(removed) == 3
    _removed, added = with_dynamic([marked], [(0, marked.notes[4])], None)
    assert [(n.marks, n.velocity) for _p, n in added] == [((), 80)]  # (the loudness stays)


def test_grace_notes_go_with_their_note_through_edits_and_files(tmp_path):
    """A cut before a note (``{g}A``), two before another: kept as semitones from the note
    (a transposition moves them with it), written as an acciaccatura and as beamed sixteenths,
    read back from MusicXML, ABC and the project file; MIDI says it leaves them out."""
    notes = (Note(0, 69, TPQ, graces=(10,)), Note(TPQ, 66, TPQ, graces=(15, 13)),
             Note(2 * TPQ, 71, TPQ))
    score = Score(parts=(Part(notes),), key_signatures=(KeySignature(0, 2),))
    xml = musicxml_text(score)
    assert xml.count('<grace slash="yes"/>') == 1 and xml.count("<grace/>") == 2
    assert xml.index("<grace") < xml.index("<step>A</step><octave>4</octave>")
    for suffix in ("musicxml", "abc", "composer.json"):
        save_score(score, tmp_path / f"g.{suffix}", [])
        back = load_score(tmp_path / f"g.{suffix}", [])
        assert [(n.pitch, n.graces) for n in back.notes] == [(n.pitch, n.graces) for n in notes]
    assert "{g}A2 {ag}F2" in (tmp_path / "g.abc").read_text()
    assert score.transpose(2).notes[0].graces == (10,)  # (an A's G becomes a B's A)
    assert export(score, tmp_path / "g.mid") == ["left out the grace notes of 2 notes"]
    outside = Score(parts=(Part((Note(0, 69, TPQ, graces=(-1,)),)),),
                    key_signatures=(KeySignature(0, 2),))  # G# before the A, in D major
    notes_said: list[str] = []
    save_score(outside, tmp_path / "o.abc", notes_said)
    assert notes_said == ["1 grace note outside the key left out (ABC would hold the "
                          "accidental over the bar's later notes; MusicXML keeps them)"]
    assert "<accidental>sharp</accidental>" in musicxml_text(outside)


def test_hairpins_come_back_from_musicxml_and_abc(tmp_path):
    """A crescendo from the first note to the third, a diminuendo after it: written as wedges
    (MusicXML, sharing its numbers) and ``!<(!``...``!<)!`` (ABC), read back on the same notes;
    music21's own hairpins are read too."""
    cresc, dim = marks.CRESCENDO, marks.DIMINUENDO
    notes = (Note(0, 60, TPQ, marks=(cresc[0], "p")), Note(TPQ, 62, TPQ),
             Note(2 * TPQ, 64, TPQ, marks=(cresc[1],)), Note(3 * TPQ, 65, TPQ, marks=(dim[0],)),
             Note(4 * TPQ, 64, TPQ), Note(5 * TPQ, 62, 3 * TPQ, marks=(dim[1],)))
    score = Score(parts=(Part(notes),))
    xml = musicxml_text(score)
    assert xml.count('<wedge type="crescendo" number="1"/>') == 1
    assert xml.count('<wedge type="diminuendo" number="1"/>') == 1
    assert xml.count('<wedge type="stop"') == 2
    for suffix in ("musicxml", "abc"):
        save_score(score, tmp_path / f"h.{suffix}", [])
        back = load_score(tmp_path / f"h.{suffix}", (said := []))
        assert [n.marks for n in back.notes] == [n.marks for n in notes] and not said
    assert "!<(!" in (tmp_path / "h.abc").read_text()
    import music21

    line = music21.stream.Part()
    for name in ("C4", "D4", "E4"):
        line.append(music21.note.Note(name))
    line.insert(0, music21.dynamics.Diminuendo(*line.notes))
    line.write("musicxml", fp=str(tmp_path / "m.musicxml"))
    assert [n.marks for n in load_score(tmp_path / "m.musicxml", []).notes] == [
        (dim[0],), (), (dim[1],)]


def test_fingerings_breath_marks_arpeggios_and_sforzandos_come_back(tmp_path):
    """Fingers 1 to 5, a breath mark, an arpeggiated chord, sfz and fp (marks of one note:
    the loudness is left as it is) through MusicXML, ABC and the project file."""
    notes = (Note(0, 60, TPQ, marks=("fingering-1", "sfz")),
             Note(TPQ, 62, TPQ, marks=("breath-mark",)),
             Note(2 * TPQ, 64, TPQ, marks=("fingering-3",)),
             Note(3 * TPQ, 65, TPQ, marks=("arpeggio", "fp")),
             Note(3 * TPQ, 69, TPQ, marks=("arpeggio", "fp")))
    score = Score(parts=(Part(notes),))
    xml = musicxml_text(score)
    assert "<fingering>1</fingering>" in xml and xml.count("<arpeggiate/>") == 1
    assert "<dynamics><sfz/></dynamics>" in xml and "<breath-mark/>" in xml
    for suffix in ("musicxml", "abc", "composer.json"):
        save_score(score, tmp_path / f"x.{suffix}", [])
        back = load_score(tmp_path / f"x.{suffix}", (said := []))
        assert [(n.marks, n.velocity) for n in back.notes] == \
            [(n.marks, n.velocity) for n in notes] and not said
    assert "!1!!sfz!C2 !breath!D2 !3!E2 !arpeggio!!fp![FA]2" in (tmp_path / "x.abc").read_text()


def pedalled() -> Score:
    """Two bars of a piano's broken chords over held basses: the pedal down at the first
    bass, changed at the second, up at the end of the last."""
    notes = []
    for bar, (bass, chord) in enumerate([(48, (60, 64, 67)), (53, (60, 65, 69))]):
        t = bar * 4 * TPQ
        pedal = ("pedal-start",) if bar == 0 else ("pedal-change", "pedal-stop")
        notes.append(Note(t, bass, 4 * TPQ, marks=pedal))
        notes += [Note(t + (k + 1) * TPQ, p, TPQ // 2) for k, p in enumerate(chord)]
    return Score(parts=(Part(tuple(sorted(notes)), name="Piano", clef="grand"),))


def test_a_midi_files_sustain_pedal_is_kept_as_pedal_marks_and_written_back(tmp_path):
    """Controller 64 of a played file: the pedal caught each bar's bass a little after it
    was struck, lifted and put down again for the second (a change), and up late in the last
    bar: read as marks on the basses, written back as the pedal, read again the same."""
    import mido

    from composer_gui.music.midi import read_midi

    mid = mido.MidiFile(ticks_per_beat=TPQ)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    events = []
    for n in pedalled().notes:
        events += [(n.start, mido.Message("note_on", note=n.pitch, velocity=70)),
                   (n.end - 60, mido.Message("note_off", note=n.pitch))]  # (keys let go early)
    events += [(tick, mido.Message("control_change", control=64, value=v)) for tick, v in
               [(50, 127), (4 * TPQ + 20, 0), (4 * TPQ + 70, 127), (8 * TPQ - 20, 0)]]
    last = 0
    for tick, msg in sorted(events, key=lambda e: e[0]):
        track.append(msg.copy(time=tick - last))
        last = tick
    mid.save(tmp_path / "played.mid")
    score = read_midi(tmp_path / "played.mid", [])
    assert [(n.start, n.pitch, n.marks) for n in score.notes if n.marks] == [
        (0, 48, ("pedal-start",)), (4 * TPQ, 53, ("pedal-change", "pedal-stop"))]
    assert export(score, tmp_path / "back.mid") == []
    cc = [(m.value) for m in mido.MidiFile(tmp_path / "back.mid").tracks[1]
          if m.type == "control_change" and m.control == 64]
    assert cc == [127, 0, 127, 0]
    plain = read_midi(tmp_path / "played.mid", [])
    assert [n.marks for n in load_score(tmp_path / "back.mid", []).notes] == [
        n.marks for n in plain.notes]


def test_a_keyboards_right_hand_sounds_with_the_left_hands_pedal(tmp_path):
    """Two hands on two tracks, the pedal on the left hand's (one channel pedals both in the
    file): the right hand is held by it in playback, MIDI export pedals both hands' channels,
    and the score shows one "Ped." under the lower staff (a trial's nocturne: the right hand
    had lost the pedal outside the app)."""
    import mido

    from composer_gui.music.clefs import pedal_parts

    left = pedalled().parts[0]
    right = Part(tuple(Note(t * TPQ, 76 - t % 3, TPQ // 2) for t in range(8)), name="Right hand")
    left = replace(left, name="Left hand", clef="", channel=1)
    score = Score(parts=(right, left))
    assert pedal_parts(score.parts) == [1, 1]
    assert pedal_parts((right, replace(left, name="Cello", program=42))) == [0, 1]
    holds = marks.pedal_holds([(n.start, n.end, n.marks) for n in right.notes],
                              [(n.start, n.end, n.marks) for n in left.notes])
    assert holds[:4] == [4 * TPQ] * 4 and holds[4:] == [8 * TPQ] * 4
    save_score(score, tmp_path / "hands.mid")
    tracks = mido.MidiFile(tmp_path / "hands.mid").tracks[1:]
    cc = [[m.value for m in t if m.type == "control_change" and m.control == 64]
          for t in tracks]
    assert cc == [[127, 0, 127, 0]] * 2
    xml = musicxml_text(score)
    assert xml.count("<group-symbol>brace") == 1
    upper, lower = (p.count('<pedal type="start"') for p in xml.split("<part id=")[1:])
    assert upper == 0 and lower


def test_an_export_compares_the_pedal_as_pedalled():
    """The pedal is compared as it goes down and up, not as marks on notes: up 10 ticks
    earlier with its note is the same pedal (an export had said it "changed the marks (slurs,
    articulations, ornaments, dynamics) of 2 notes" for a pedal read back with its marks on
    other notes); a pedal without its change, or left out, is said as the pedal."""
    from composer_gui.music.fidelity import losses

    score = pedalled()

    def edited(change):
        return Score(parts=(replace(score.parts[0], notes=tuple(
            change(n) for n in score.parts[0].notes)),))

    early = edited(lambda n: replace(n, duration=n.duration - 10) if n.pitch == 53 else n)
    assert losses(score, early) == ["moved 1 note to the notation grid"]
    unchanged = edited(lambda n: replace(n, marks=("pedal-stop",)) if n.pitch == 53 else n)
    assert losses(score, unchanged) == ["changed the sustain pedal"]
    bare = edited(lambda n: replace(n, marks=()))
    assert losses(score, bare) == ["left out the sustain pedal"]


def test_a_pedal_is_written_to_musicxml_as_ped_and_star_and_read_back(tmp_path):
    """MusicXML gets "Ped." at the first bass, "* Ped." at the change and "*" after the last
    bass (MuseScore 3 prints them so); read back, the same marks on the same notes."""
    score = pedalled()
    xml = musicxml_text(score)
    kinds = [k for k in ("start", "stop") for _ in range(xml.count(f'<pedal type="{k}"'))]
    assert sorted(kinds) == ["start", "start", "stop", "stop"]
    assert export(score, tmp_path / "p.musicxml") == []
    back = load_score(tmp_path / "p.musicxml", [])
    assert [(n.start, n.pitch, n.marks) for n in back.notes if n.marks] == [
        (n.start, n.pitch, n.marks) for n in score.notes if n.marks]


def test_a_musicxml_pedal_change_written_as_a_notch_is_a_change(tmp_path):
    """Another program's pedal line with a change (``<pedal type="change"/>``) reads as
    the pedal down at the first note, changed at the third, up after the last."""
    def note(step: str, pedal: str = "") -> str:
        direction = (f'<direction><direction-type><pedal type="{pedal}" line="yes"/>'
                     "</direction-type></direction>") if pedal else ""
        return (f"{direction}<note><pitch><step>{step}</step><octave>4</octave></pitch>"
                "<duration>1</duration><type>quarter</type></note>")

    (tmp_path / "line.musicxml").write_text(
        '<?xml version="1.0"?><score-partwise version="3.1"><part-list><score-part id="P1">'
        '<part-name>Piano</part-name></score-part></part-list><part id="P1"><measure '
        'number="1"><attributes><divisions>1</divisions><time><beats>4</beats><beat-type>4'
        "</beat-type></time></attributes>" + note("C", "start") + note("D") + note("E", "change")
        + note("F") + '<direction><direction-type><pedal type="stop" line="yes"/>'
        "</direction-type></direction></measure></part></score-partwise>")
    back = load_score(tmp_path / "line.musicxml", [])
    assert [n.marks for n in back.notes] == [("pedal-start",), (), ("pedal-change",),
                                             ("pedal-stop",)]


def test_a_pedal_from_the_menu_goes_on_the_lowest_notes_and_comes_off_again():
    score = pedalled()
    keys = [(0, replace(n, marks=())) for n in score.notes]
    removed, added, on = with_span(keys, "pedal")
    assert on and [(n.start, n.pitch, n.marks) for _p, n in added] == [
        (0, 48, ("pedal-start",)), (4 * TPQ, 53, ("pedal-stop",))]
    again = [dict(zip(removed, added, strict=True)).get(k, k) for k in keys]
    _removed, back, on = with_span(again, "pedal")
    assert not on and all(not n.marks for _p, n in back)


def test_pedal_holds_and_events_follow_the_marks():
    """What the pedal holds (playback) and the controller it is (MIDI): down at the start,
    up and down at the change, up at the last note's end; a chord pedalled alone too."""
    events = [(n.start, n.end, n.marks) for n in pedalled().notes]
    assert marks.pedal_events(events) == [(0, True), (4 * TPQ, False), (4 * TPQ, True),
                                          (8 * TPQ, False)]
    holds = marks.pedal_holds(events)
    assert holds[:4] == [4 * TPQ] * 4 and holds[4:] == [8 * TPQ] * 4
    alone = [(0, TPQ, ("pedal-start", "pedal-stop")), (0, TPQ // 2, ()), (TPQ, 2 * TPQ, ())]
    assert marks.pedal_holds(alone) == [TPQ, TPQ, 2 * TPQ]
    assert marks.pedal_events(alone) == [(0, True), (TPQ, False)]


def test_a_pedal_ending_on_the_upper_staff_keeps_its_last_change(tmp_path):
    """A piano's pedal changed in its last bar and let up at the end of a long note of the
    right hand: written under the lower staff where each comes in time (at its notes, the
    upper staff's end came before the lower staff's change in the file, and MuseScore 3 and
    music21 read the pedal one change short); read back, the same marks."""
    notes = [Note(0, 48, 4 * TPQ, marks=("pedal-start",)), Note(0, 72, TPQ),
             Note(4 * TPQ, 43, TPQ, marks=("pedal-change",)),
             Note(4 * TPQ, 71, 4 * TPQ, marks=("pedal-stop",))]
    score = Score(parts=(Part(tuple(sorted(notes)), name="Piano", clef="grand"),))
    xml = musicxml_text(score)
    pedals = [m.group(0) for m in re.finditer(r"<direction[^>]*><direction-type><pedal.*?"
                                               r"</direction>", xml)]
    assert [re.search(r'type="(\w+)"', d).group(1) for d in pedals] == [
        "start", "stop", "start", "stop"]  # (in the file's order: a reader's)
    assert all("<staff>2</staff>" in d for d in pedals)
    assert export(score, tmp_path / "p.musicxml") == []
    back = load_score(tmp_path / "p.musicxml", [])
    assert [(n.start, n.pitch, n.marks) for n in back.notes if n.marks] == [
        (n.start, n.pitch, n.marks) for n in sorted(notes) if n.marks]


def test_the_pedal_of_a_song_in_music21s_corpus_is_read_where_it_stands():
    """Schumann's "Aus meinen Tränen sprießen" (Dichterliebe 2) pedals bars 7-8: down under
    the left hand's A at beat 24.25, up where the chord at 26.5 is struck: the A struck at
    25.75, which ends there, carries the end; each on the left hand's A, not the chord's
    every note."""
    from composer_gui.ml.corpora import music21_corpus_root

    score = load_score(music21_corpus_root() / "schumann_robert" / "dichterliebe_no2.xml", [])
    pedalled = [n for n in score.notes if {"pedal-start", "pedal-stop"} & set(n.marks)]
    assert [(n.pitch, n.marks) for n in pedalled] == [
        (57, ("pedal-start", "staccato")), (57, ("pedal-stop",))]
    assert pedalled[1].start - pedalled[0].start == int(1.5 * TPQ)


def test_a_chords_fingers_are_each_on_their_own_note(tmp_path):
    """A pianist's 1-3-5 on a C major chord: each note's finger on that note in MusicXML
    (one <fingering> per <note>), read back the same; the chord's accent once, on the first."""
    chord = tuple(Note(0, p, 4 * TPQ, marks=("accent", f"fingering-{f}"))
                  for p, f in ((60, 1), (64, 3), (67, 5)))
    score = Score(parts=(Part(chord),))
    xml = musicxml_text(score)
    assert xml.count("<fingering>") == 3 and xml.count("<accent/>") == 1
    assert export(score, tmp_path / "c.musicxml") == []
    back = load_score(tmp_path / "c.musicxml", [])
    assert [(n.pitch, n.marks) for n in back.notes] == [(n.pitch, n.marks) for n in chord]


def test_a_pedal_from_the_menu_may_hold_one_chord():
    """One chord selected: the pedal goes down on its lowest note and up at its end (a slur
    needs two places in time; a pedal does not)."""
    chord = [(0, Note(0, p, 2 * TPQ)) for p in (48, 55, 64)]
    _removed, added, on = with_span(chord, "pedal")
    assert on and [(n.pitch, n.marks) for _p, n in added] == [
        (48, ("pedal-start", "pedal-stop"))]
    assert with_span(chord, "slur") == ([], [], False)  # (nothing: the window says why)
    events = [(n.start, n.end, n.marks) for _p, n in added]
    assert marks.pedal_events(events) == [(0, True), (2 * TPQ, False)]
