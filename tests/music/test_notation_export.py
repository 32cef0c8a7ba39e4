"""Notation a composer can hand on: spelling, clefs and staves, pickups, fermatas, performances,
reading our own files back, bad input; MuseScore 3 opens the exports (skipped without it)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from human_piano import human_piano_midi
from hypothesis import HealthCheck, given, settings
from music_strategies import midi_scores

from composer_gui.music.errors import ScoreFileError
from composer_gui.music.midi import read_midi, write_midi
from composer_gui.music.musicxml_writer import musicxml_text
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
from composer_gui.music.spelling import spell_score

music21 = pytest.importorskip("music21")
CHORALES = ["bwv66.6", "bwv1.6", "bwv26.6", "bwv40.8", "bwv110.7"]


def original_xml(path: Path) -> str:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            name = next(n for n in z.namelist() if n.endswith(".xml") and "META" not in n)
            return z.read(name).decode("utf-8")
    return path.read_text(encoding="utf-8")


def spellings(score: Score) -> list[list[tuple[int, int, str | None]]]:
    return [sorted((n.start, n.pitch, n.spelling or "") for n in p.notes) for p in score.parts]


# ----- spelling --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", CHORALES)
def test_chorales_keep_spelling_clefs_and_pickup_through_the_app(tmp_path, name):
    path = Path(music21.corpus.getWork(name))
    original = read_notation(path)
    out = tmp_path / "back.musicxml"
    write_musicxml(original, out)
    back = read_notation(out)
    ours, theirs = spellings(back), spellings(original)
    total = sum(len(p) for p in theirs)
    same = sum(a == b for pa, pb in zip(ours, theirs, strict=True)
               for a, b in zip(pa, pb, strict=True))
    assert same / total >= 0.995
    xml, source = out.read_text(encoding="utf-8"), original_xml(path)
    assert xml.count("<accidental>") <= 1.25 * source.count("<accidental") + 1
    assert [p.clef for p in back.parts] == [p.clef for p in original.parts]
    assert back.pickup == original.pickup
    if original.pickup:
        assert '<measure number="0" implicit="yes">' in xml
        assert back.bar_starts() == original.bar_starts()
    assert back.fermatas == original.fermatas


def test_unspelled_chorales_are_spelled_like_bach():
    """The speller alone (file spellings removed) on chorales: at least 99% as written."""
    same = total = 0
    for name in CHORALES:
        original = read_notation(music21.corpus.getWork(name))
        guessed = spell_score(original.map_notes(lambda n: replace(n, spelling=None)))
        for a, b in zip(spellings(original), spellings(guessed), strict=True):
            total += len(a)
            same += sum(x == y for x, y in zip(a, b, strict=True))
    assert same / total >= 0.99


def test_key_and_context_decide_the_spelling():
    e_major = Score(parts=(Part((Note(0, 64, 480), Note(0, 68, 480), Note(0, 71, 480),
                                 Note(480, 63, 480), Note(480, 66, 480), Note(480, 70, 480))),),
                    key_signatures=(KeySignature(0, 4),))
    assert [n.spelling for n in spell_score(e_major).parts[0].notes] == [
        "E", "G#", "B", "D#", "F#", "A#"]
    f_minor = Score(parts=(Part((Note(0, 65, 480), Note(0, 68, 480), Note(0, 72, 480),
                                 Note(480, 61, 480), Note(480, 65, 480), Note(480, 68, 480))),),
                    key_signatures=(KeySignature(0, -4, "minor"),))
    assert [n.spelling for n in spell_score(f_minor).parts[0].notes] == [
        "F", "Ab", "C", "Db", "F", "Ab"]


def test_a_passage_leaning_on_the_relative_minor_keeps_the_sharps():
    """E major moving to C# minor: C#, D#, G# and B# (the leading tone), not Db, Eb, Ab and C.
    With the voting tonics' names fixed as flats, such a passage was spelled Db Eb Fb Cb (a
    listening review's E major chorale ending)."""
    line = [61, 64, 68, 61, 60, 61, 63, 64, 68, 66, 64, 63, 61, 60, 61, 68, 61]
    score = Score(parts=(Part(tuple(Note(i * 480, p, 480) for i, p in enumerate(line))),),
                  key_signatures=(KeySignature(0, 4),))
    names = [n.spelling for n in spell_score(score).parts[0].notes]
    assert names[:5] == ["C#", "E", "G#", "C#", "B#"]
    assert not any("b" in name[1:] for name in names)


def test_a_note_struck_again_keeps_its_spelling(monkeypatch):
    """A D minor continuation (a listening review's, bars 5-8): the soprano's G#4, struck
    again on beat 4 over B-flat and tied into the next bar before it rises to A4. Each note
    spelled alone, the second was A-flat (a diminished unison on the page); the repeated note
    is one run and takes one spelling (spelling._repeats)."""
    from composer_gui.music import spelling

    voices = [
        [(0, 69, 960), (960, 69, 960), (1920, 68, 1440), (3360, 68, 960), (4320, 69, 480),
         (4800, 69, 960), (5760, 69, 960), (6720, 72, 240), (6960, 70, 240), (7200, 69, 240),
         (7440, 70, 240)],
        [(0, 65, 480), (480, 64, 480), (960, 65, 960), (1920, 65, 1440), (3360, 62, 480),
         (3840, 62, 480), (4320, 61, 480), (4800, 62, 960), (5760, 60, 960), (6720, 67, 480),
         (7200, 65, 480)],
        [(0, 59, 480), (480, 61, 240), (720, 62, 240), (960, 62, 960), (1920, 62, 1440),
         (3360, 60, 480), (3840, 59, 480), (4320, 52, 480), (4800, 53, 960), (5760, 57, 1440),
         (7200, 60, 240), (7440, 62, 240)],
        [(0, 50, 480), (480, 45, 480), (960, 50, 960), (1920, 47, 480), (2400, 46, 480),
         (2880, 47, 480), (3360, 53, 960), (4320, 45, 480), (4800, 50, 960), (5760, 53, 480),
         (6240, 41, 960), (7200, 53, 480)]]
    score = Score(parts=tuple(Part(tuple(Note(*n) for n in v)) for v in voices),
                  key_signatures=(KeySignature(0, -1, "minor"),))

    def soprano() -> list[str]:
        return [n.spelling for n in spell_score(score).parts[0].notes][2:5]

    assert soprano() == ["G#", "G#", "A"]
    monkeypatch.setattr(spelling, "_repeats", lambda events: [[i] for i in range(len(events))])
    assert soprano() == ["G#", "Ab", "A"]


def test_a_g_major_jig_has_no_needless_naturals(tmp_path):
    scale = [67, 69, 71, 72, 74, 76, 78, 79]
    notes = tuple(Note(i * 240, scale[i % 8], 240) for i in range(48))
    score = Score(parts=(Part(notes, name="Fiddle"),), key_signatures=(KeySignature(0, 1),),
                  time_signatures=(TimeSignature(0, 6, 8),))
    xml = musicxml_text(score)
    assert "<accidental>" not in xml
    assert "<step>F</step><alter>1</alter>" in xml


def test_a_note_the_bar_before_altered_gets_a_courtesy_accidental():
    """F#4 in bar 1, then F4 in bar 2: the natural is written as a courtesy (MuseScore adds
    none, and the reader of the part sees F# a beat earlier); not for another octave's F, not
    two bars on, not where the bar itself alters it again."""
    bar = 1920

    def xml(*notes):
        return musicxml_text(Score(parts=(Part(tuple(Note(t, p, 480) for t, p in notes)),),
                                   key_signatures=(KeySignature(0, 0),)))

    courtesy = '<accidental cautionary="yes">natural</accidental>'
    assert xml((0, 66), (bar, 65)).count(courtesy) == 1
    assert xml((0, 66), (bar, 77)).count(courtesy) == 0  # F5: another octave
    assert xml((0, 66), (2 * bar, 65)).count(courtesy) == 0  # a bar between
    assert xml((0, 66), (bar, 65), (bar + 480, 65)).count(courtesy) == 1  # the first F only
    assert xml((0, 66), (bar, 66)).count("<accidental") == 2  # F# again: its sign, no courtesy
    flat = musicxml_text(Score(parts=(Part((Note(0, 71, 480), Note(bar, 70, 480))),),
                               key_signatures=(KeySignature(0, -1),)))  # B natural, then B-flat
    assert '<accidental cautionary="yes">flat</accidental>' in flat
    changed = musicxml_text(Score(parts=(Part((Note(0, 66, 480), Note(bar, 65, 480))),),
                                  key_signatures=(KeySignature(0, 0), KeySignature(bar, -1))))
    assert "cautionary" not in changed  # a new key signature says it


def test_a_note_carries_its_velocity_only_where_it_differs():
    """A fixed dynamics="88.89" on every note made MuseScore play every note at velocity 80,
    whatever dynamics the composer then wrote; a velocity the composer changed is kept."""
    plain = Score(parts=(Part((Note(0, 60, 480), Note(480, 62, 480))),))
    assert "dynamics=" not in musicxml_text(plain)
    accent = replace(plain, parts=(Part((Note(0, 60, 480), Note(480, 62, 480, velocity=110))),))
    assert musicxml_text(accent).count("dynamics=") == 1
    loud = replace(plain, parts=(Part((Note(0, 60, 480, 100), Note(480, 62, 480, 100))),))
    assert musicxml_text(loud).count("dynamics=") == 2  # (a level of its own)


def test_customary_abbreviations_follow_the_scores_own():
    """A hymn's Soprano read from a file abbreviated "S", with Alto, Tenor and Bass written
    under it: they are "A", "T", "B" (not "A.", "T.", "B." beside "S")."""
    def shorts(*parts):
        xml = musicxml_text(Score(parts=parts))
        return re.findall(r"<part-abbreviation>([^<]*)<", xml)

    sop, alto = Part((Note(0, 72, 480),), name="Soprano"), Part((Note(0, 67, 480),), name="Alto")
    assert shorts(sop, alto) == ["S.", "A."]
    assert shorts(replace(sop, abbreviation="S"), alto) == ["S", "A"]
    assert shorts(replace(sop, abbreviation="Sop."), alto) == ["Sop.", "A."]


def test_a_keyboards_upper_line_is_voice_one():
    """Notes that share a staff but not a rhythm: the chord starting with the upper notes goes
    in voice 1 (stems up), the lower line in voice 2, whichever is shorter (a notation
    review: a piano's top line in voice 2 above inner parts in voice 1, stems crossing)."""
    notes = (Note(0, 64, 240), Note(0, 69, 480), Note(0, 72, 480), Note(240, 62, 240))
    xml = musicxml_text(Score(parts=(Part(notes, name="Piano", clef="treble"),)))
    found = re.findall(r"<step>(\w)</step>(?:<alter>-?\d</alter>)?<octave>(\d)</octave>"
                       r".*?<voice>(\d+)</voice>", xml)
    voice_of = {step + octave: v for step, octave, v in found}
    assert voice_of["C5"] == voice_of["A4"] == "1" and voice_of["E4"] == voice_of["D4"] == "2"


def test_velocities_survive_the_round_trip(tmp_path):
    score = Score(parts=(Part((Note(0, 60, 480), Note(480, 62, 480, velocity=110),
                               Note(960, 64, 480))),))
    out = tmp_path / "v.musicxml"
    write_musicxml(score, out)
    assert [n.velocity for n in read_notation(out).notes] == [80, 110, 80]


# ----- clefs, staves, parts ----------------------------------------------------------------------
def test_clefs_by_range_and_a_grand_staff_for_the_piano():
    tenor = Part(tuple(Note(i * 480, p, 480) for i, p in enumerate([48, 52, 55, 57, 60, 62])),
                 name="Tenor")
    bass = Part(tuple(Note(i * 480, p, 480) for i, p in enumerate([36, 40, 43, 45, 48])),
                name="Cello", program=42)
    piano = Part(tuple(Note(i * 480, p, 480) for i, p in enumerate([36, 79, 43, 76])),
                 name="Piano")
    xml = musicxml_text(Score(parts=(tenor, bass, piano)))
    part1, part2, part3 = xml.split('<part id="P')[1:]
    assert "<sign>G</sign><line>2</line><clef-octave-change>-1" in part1
    assert "<sign>F</sign><line>4</line>" in part2
    assert "<staves>2</staves>" in part3 and '<clef number="2"><sign>F</sign>' in part3
    assert "<part-abbreviation>T.</part-abbreviation>" in xml
    assert "<part-abbreviation>Vc.</part-abbreviation>" in xml
    assert "<part-abbreviation>Pno.</part-abbreviation>" in xml


def test_a_grand_staff_reads_back_as_one_part(tmp_path):
    piano = Part(tuple(Note(i * 480, p, 480) for i, p in enumerate([36, 79, 43, 76, 60, 59])),
                 name="Piano")
    write_musicxml(Score(parts=(piano,)), tmp_path / "piano.musicxml")
    back = read_notation(tmp_path / "piano.musicxml")
    assert len(back.parts) == 1 and back.parts[0].clef == "grand"
    assert [(n.start, n.pitch) for n in back.parts[0].notes] == [
        (n.start, n.pitch) for n in piano.notes]


# ----- performances ------------------------------------------------------------------------------
def test_a_human_timed_piano_file_reads_as_a_copyist_would_write_it(tmp_path):
    score = read_midi(human_piano_midi(tmp_path / "human.mid", bars=16))
    assert len(score.tempos) > 100  # a rubato map
    warnings: list[str] = []
    path = tmp_path / "human.musicxml"
    write_musicxml(score, path, warnings)
    xml = path.read_text(encoding="utf-8")
    assert "<staves>2</staves>" in xml and '<clef number="2"><sign>F</sign>' in xml
    assert "<tuplet" not in xml and "<time-modification>" not in xml
    assert 1 <= xml.count("<metronome") <= 6
    assert any("MIDI export keeps the exact timing" in w for w in warnings)
    back = read_notation(path)
    assert back.note_count == score.note_count
    # MIDI export is untouched by the notation view
    write_midi(score, tmp_path / "again.mid")
    assert read_midi(tmp_path / "again.mid").parts[0].notes == score.parts[0].notes


def test_a_played_voice_keeps_its_lengths_where_another_moves_under_it():
    """One track, played: a soprano's quarters over an alto moving in eighths keep their
    length (a review of played MIDI files read a one-track chorale's quarters as eighths, the
    alto's eighths cutting the chord), the alto keeps its eighths, and notes let go a little
    early before a rest (detached eighths, the last note) are not a sixteenth short."""
    from composer_gui.music.quantize import notation_view

    rng = __import__("random").Random(3)

    def played(start: int, pitch: int, length: int, held: float) -> Note:
        return Note(max(0, start + rng.randint(-25, 25)), pitch, int(length * held))

    soprano = [played(i * TPQ, 72 + i % 3, TPQ, 1.08) for i in range(8)]
    alto = [played(i * TPQ // 2, 64 + i % 4, TPQ // 2, 1.1) for i in range(16)]
    detached = [played(8 * TPQ + i * 2 * TPQ, 60 + i, TPQ // 2, 0.6) for i in range(2)]
    last = played(12 * TPQ, 65, TPQ, 0.8)
    view = notation_view(Score(parts=(Part(tuple(sorted(soprano + alto + detached + [last]))),)))
    assert view.human
    notes = view.score.parts[0].notes
    assert [n.duration for n in notes if n.pitch >= 72] == [TPQ] * 8
    assert [n.duration for n in notes if 64 <= n.pitch < 72 and n.start < 8 * TPQ] == \
        [TPQ // 2] * 16
    assert [n.duration for n in notes if n.start >= 8 * TPQ] == [TPQ // 2] * 2 + [TPQ]


def test_a_played_run_keeps_its_notes_apart_and_a_spread_chord_stays_one():
    """A run played in 32nds (or sixteenth triplets) amid a performance is written in 32nds
    (or as sixteenth triplets), one note after another: on the sixteenth grid a played 32nd
    run had become two-note chords, its last note doubled by the next beat's same pitch. A
    chord struck a little spread beside it stays one chord."""
    from composer_gui.music.quantize import notation_view

    for seed in range(6):
        rng = __import__("random").Random(seed)

        def played(start: int, pitch: int, length: int, jitter: int = 25,
                   rng=rng) -> Note:
            return Note(max(0, start + rng.randint(-jitter, jitter)), pitch, length)

        eighths = [played(i * TPQ // 2, 60 + i, 200) for i in range(4)]
        run = [played(2 * TPQ + i * TPQ // 8, (60, 62, 64, 65, 67, 69, 71, 72)[i], 50, 12)
               for i in range(8)]
        sextuplet = [played(3 * TPQ + i * TPQ // 6, 62 + i, 70, 10) for i in range(6)]
        chord = [Note(4 * TPQ + spread, p, TPQ) for spread, p in ((0, 72), (12, 76), (25, 79))]
        quarters = [played((5 + i) * TPQ, 72 - i, 400) for i in range(4)]
        view = notation_view(Score(parts=(Part(tuple(sorted(
            eighths + run + sextuplet + chord + quarters))),)))
        assert view.human
        notes = view.score.parts[0].notes
        assert [(n.start, n.pitch) for n in notes[4:12]] == \
            [(2 * TPQ + i * TPQ // 8, n.pitch) for i, n in enumerate(sorted(run))]
        assert [n.start for n in notes[12:18]] == [3 * TPQ + i * TPQ // 6 for i in range(6)]
        assert view.unit_is_triplet(0, 3 * TPQ) and not view.unit_is_triplet(0, 2 * TPQ)
        assert {n.start for n in notes[18:21]} == {4 * TPQ}
        assert len({(n.start, n.pitch) for n in notes}) == len(notes)  # no note doubled


def test_triplets_stay_triplets_where_the_music_has_them():
    notes = (*(Note(i * 160, 60 + i, 160) for i in range(6)), Note(960, 72, 960))
    xml = musicxml_text(Score(parts=(Part(notes),)))
    assert xml.count('<tuplet type="start"') == 2 and xml.count('<tuplet type="stop"') == 2
    assert xml.count("<time-modification>") == 6
    # beamed eighths show the 3 alone; a triplet with a rest in it (no beam across) keeps its
    # bracket (MuseScore had drawn brackets under the beams of a hornpipe's triplets)
    assert xml.count('<tuplet type="start" bracket="no"/>') == 2
    rest = (Note(0, 60, 160), Note(320, 62, 160), Note(480, 64, 480))
    assert '<tuplet type="start" bracket="yes"/>' in musicxml_text(Score(parts=(Part(rest),)))


def test_sixteenth_triplets_after_an_eighth_are_a_triplet_of_that_eighth(tmp_path):
    """An eighth and three sixteenth triplets: the eighth plain, the 3 over the sixteenths
    alone (the whole beat had been one triplet: a dotted triplet eighth under the 3)."""
    notes = (Note(0, 60, 240), Note(240, 62, 80), Note(320, 64, 80), Note(400, 65, 80),
             Note(480, 67, 480), Note(960, 69, 960), Note(1920, 71, 80), Note(2000, 72, 80),
             Note(2080, 74, 80), Note(2160, 76, 240), Note(2400, 77, 480))
    xml = musicxml_text(Score(parts=(Part(notes),)))
    written = re.findall(r"<type>(\w+)</type>(<dot/>)?(<time-modification>)?", xml)
    assert written[:4] == [("eighth", "", ""), *[("16th", "", "<time-modification>")] * 3]
    assert written[6:10] == [*[("16th", "", "<time-modification>")] * 3, ("eighth", "", "")]
    assert xml.count('<tuplet type="start"') == 2
    three = (Note(0, 60, 160), Note(160, 62, 160), Note(320, 64, 160))  # a beat's triplet
    assert musicxml_text(Score(parts=(Part(three),))).count("<time-modification>") == 3
    write_musicxml(Score(parts=(Part(notes),)), tmp_path / "t.musicxml")
    assert [(n.start, n.duration) for n in read_notation(tmp_path / "t.musicxml").notes] == \
        [(n.start, n.duration) for n in notes]


# ----- reading our own files -------------------------------------------------------------------
def test_same_pitch_overlaps_and_low_drums_read_back_note_for_note(tmp_path):
    voices = Part((Note(0, 60, 1920), Note(480, 60, 480), Note(960, 60, 1440),
                   Note(1920, 64, 480)), name="Organ", program=19)
    drums = Part(tuple(Note(i * 240, k, 240) for i, k in enumerate([27, 31, 34, 35, 37, 42,
                                                                   49, 81])),
                 name="Kit", is_drum=True, channel=9)
    score = Score(parts=(voices, drums))
    write_musicxml(score, tmp_path / "own.musicxml")
    back = read_notation(tmp_path / "own.musicxml")
    for a, b in zip(back.parts, score.parts, strict=True):
        assert sorted((n.start, n.pitch, n.duration) for n in a.notes) == sorted(
            (n.start, n.pitch, n.duration) for n in b.notes)
    assert back.parts[1].is_drum


def test_music21_warnings_become_the_apps_own(tmp_path, recwarn):
    path = tmp_path / "odd.musicxml"
    xml = musicxml_text(Score(parts=(Part((Note(0, 60, 480),), name="Flute"),)))
    # a midi-program out of range: music21 warns with a Python warning
    path.write_text(xml.replace("<midi-program>1</midi-program>",
                                "<midi-program>300</midi-program>"), encoding="utf-8")
    warnings: list[str] = []
    read_notation(path, warnings)
    assert not [w for w in recwarn.list if "music21" in str(w.filename)]
    assert any("did not expect" in w for w in warnings)


def test_an_overfull_bar_is_reported(tmp_path):
    xml = musicxml_text(Score(parts=(Part((Note(0, 60, 1920),), name="Flute"),)))
    xml = xml.replace("<duration>1920</duration>", "<duration>2400</duration>", 1)
    (tmp_path / "full.musicxml").write_text(xml, encoding="utf-8")
    warnings: list[str] = []
    read_notation(tmp_path / "full.musicxml", warnings)
    assert any("measure 1 of Flute is overfull" in w for w in warnings)


# ----- bad input -------------------------------------------------------------------------------
def test_what_notation_cannot_express_is_written_as_the_closest_and_reported(tmp_path):
    score = Score(parts=(Part((Note(0, 60, 480), Note(480, 62, 1), Note(960, 64, 487)),),),
                  time_signatures=(TimeSignature(0, 4, 4), TimeSignature(7, 3, 4)))
    warnings: list[str] = []
    write_musicxml(score, tmp_path / "odd.musicxml", warnings)
    back = read_notation(tmp_path / "odd.musicxml")
    assert back.note_count == 3
    assert any("tick 7" in w for w in warnings) and any("moved" in w for w in warnings)


def test_a_failed_export_leaves_nothing_behind(tmp_path, monkeypatch):
    from composer_gui.music import notation

    def broken(score, warnings=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(notation, "musicxml_text", broken)
    with pytest.raises(ScoreFileError, match="boom"):
        write_musicxml(Score(parts=(Part((Note(0, 60, 480),)),)), tmp_path / "x.musicxml")
    assert list(tmp_path.iterdir()) == []


# ----- MuseScore 3 -----------------------------------------------------------------------------
MSCORE = shutil.which("mscore3") or shutil.which("mscore")


@pytest.mark.skipif(MSCORE is None, reason="MuseScore 3 (mscore3) is not installed")
def test_musescore_opens_the_exports_without_tuplet_warnings(tmp_path):
    chorale = read_notation(music21.corpus.getWork("bwv66.6"))
    human = read_midi(human_piano_midi(tmp_path / "human.mid", bars=8))
    odd = Score(parts=(Part((Note(0, 5, 480), Note(7, 60, 301), Note(500, 127, 1)), name="Odd"),
                       Part((Note(0, 20, 240), Note(240, 36, 240)), name="Kit", is_drum=True,
                            channel=9)),
                time_signatures=(TimeSignature(0, 4, 4), TimeSignature(7, 5, 8)))
    for name, score in (("chorale", chorale), ("human", human), ("odd", odd)):
        xml = tmp_path / f"{name}.musicxml"
        write_musicxml(score, xml)
        pdf = tmp_path / f"{name}.pdf"
        run = subprocess.run([MSCORE, "-o", str(pdf), str(xml)], capture_output=True, text=True,
                             timeout=120, env={"QT_QPA_PLATFORM": "offscreen",
                                               "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
        assert pdf.exists() and pdf.stat().st_size > 1000, run.stderr[-500:]
        assert not re.findall(r"(?i)tuplet|cannot divide|error at line", run.stdout + run.stderr)


def test_a_dominant_in_f_sharp_minor_is_spelled_with_e_sharp():
    """Notes without spellings (a continuation the model wrote) in F# minor: i - V - i."""
    chords = [(54, 57, 61, 66), (49, 53, 56, 61), (54, 57, 61, 66)]
    notes = tuple(Note(i * 960, p, 960) for i, chord in enumerate(chords) for p in chord)
    score = spell_score(Score(parts=(Part(notes),), key_signatures=(KeySignature(0, 3, "minor"),)))
    names = [n.spelling for n in score.parts[0].notes]
    assert names == ["F#", "A", "C#", "F#", "C#", "E#", "G#", "C#", "F#", "A", "C#", "F#"]


def test_four_voices_in_one_part_get_a_grand_staff():
    chorale = read_notation(music21.corpus.getWork("bwv66.6"))
    merged = Part(tuple(sorted(n for p in chorale.parts for n in p.notes)), name="Choir")
    xml = musicxml_text(replace(chorale, parts=(merged,)))
    assert "<staves>2</staves>" in xml and '<clef number="2"><sign>F</sign>' in xml


def test_a_choirs_staves_are_bracketed_and_read_back_as_they_were(tmp_path):
    """Soprano, Alto, Tenor and Bass get one bracket (each staff barred on its own, as choral
    scores are); a piano beside them is not in it, and reading the file back gives the same
    parts."""
    voices = [Part((Note(0, p, TPQ),), name=n) for p, n in
              ((72, "Soprano"), (67, "Alto"), (60, "Tenor"), (48, "Bass"))]
    piano = Part((Note(0, 60, TPQ),), name="Piano")
    score = Score(parts=(*voices, piano))
    xml = musicxml_text(score)
    head = xml[:xml.index("</part-list>")]
    assert head.count("<group-symbol>bracket</group-symbol>") == 1
    assert head.index('type="start"') < head.index('id="P1"')
    assert head.index('id="P4"') < head.index('type="stop"') < head.index('id="P5"')
    out = tmp_path / "choir.musicxml"
    out.write_text(xml, encoding="utf-8")
    assert [p.name for p in read_notation(out).parts] == [p.name for p in score.parts]
    lone = musicxml_text(Score(parts=(voices[0], piano)))
    assert "<part-group" not in lone  # one voice is no choir


def test_two_piano_tracks_are_braced_into_one_grand_staff(tmp_path):
    """A recording with each hand on its own track: treble over bass, joined by a brace."""
    right = Part(tuple(Note(i * 240, 72 + i % 5, 240) for i in range(16)), name="Piano")
    left = Part(tuple(Note(i * 480, 36 + i % 7, 480) for i in range(8)), name="Piano",
                channel=1)
    xml = musicxml_text(Score(parts=(right, left)))
    head, p1, p2 = xml.split('<part id="P')
    assert head.count("<group-symbol>brace</group-symbol>") == 1
    assert head.count('type="stop"') == 1
    assert "<sign>G</sign>" in p1 and "<sign>F</sign>" in p2


@pytest.mark.parametrize("names, braced", [
    (("", ""), True),
    (("Piano RH", "Piano LH"), True),
    (("Right hand", "Left hand"), True),  # (a trial's nocturne had three staves)
    (("R.H.", "L.H."), True),
    (("Flute", "Cello"), False),  # two instruments, each its own grand staff
    (("Left hand", "Right hand"), False),
])
def test_two_hand_tracks_that_cross_middle_c_are_one_braced_pair(names, braced):
    """A left hand whose Alberti bass lies on C4-G4 and whose bass notes reach G2 (a review of
    played MIDI files: Mozart's K. 545 as two tracks came out as three staves, the left hand a
    grand staff of its own): one staff per hand, braced; the left hand's bars of Alberti bass
    in the treble clef."""
    right = Part(tuple(Note(i * 480, 72 + i % 5, 480) for i in range(16)), name=names[0])
    alberti = [60, 67, 64, 67]
    left = Part(tuple(Note(i * 240, alberti[i % 4], 240) for i in range(16))
                + tuple(Note(3840 + i * 480, 43 + i % 5, 480) for i in range(8)),
                name=names[1], channel=1)
    xml = musicxml_text(Score(parts=(right, left)))
    head, p1, p2 = xml.split('<part id="P')
    assert head.count("<group-symbol>brace</group-symbol>") == braced
    if braced:
        assert "<staves>" not in xml
        assert "<sign>G</sign>" in p1 and "<sign>F</sign>" not in p1
        assert p2.index("<sign>G</sign>") < p2.index("<sign>F</sign>")  # Alberti, then bass
    else:
        assert xml.count("<staves>2</staves>") == 1  # the lower: a grand staff alone


@pytest.mark.parametrize("names, braced", [
    (("Piano", ""), True),  # an ABC sketch's two voices, clef=treble and clef=bass
    (("Piano RH", "Piano LH"), True),
    (("", ""), False),  # numbered voices of a chorale (their clefs are a choir's)
    (("Tenor", "Bass"), False),
    (("Piano", "Violin"), False),
])
def test_a_files_two_hands_of_one_keyboard_are_braced(names, braced):
    """Parts with their own clefs are braced as hands only where they name one keyboard."""
    right = Part(tuple(Note(i * 240, 72 + i % 5, 240) for i in range(16)), name=names[0],
                 clef="treble")
    left = Part(tuple(Note(i * 480, 43 + i % 7, 480) for i in range(8)), name=names[1],
                clef="bass", channel=1)
    head = musicxml_text(Score(parts=(right, left))).split('<part id="P')[0]
    assert head.count("<group-symbol>brace</group-symbol>") == braced


def test_four_voices_on_one_track_split_two_and_two():
    """A chorale played on one track: soprano and alto up, tenor and bass down, wherever the
    tenor lies (a review of played MIDI files read 20 of 44 tenor notes on the treble staff,
    split at middle C); block chords struck together still split at middle C, as hands."""
    from composer_gui.music.clefs import split_hands

    satb = [(76, 67, 64, 48), (74, 67, 62, 43), (72, 69, 64, 45), (71, 67, 62, 43)] * 2
    notes = [Note(i * TPQ + (7 if v == 2 else 0), p, TPQ) for i, chord in enumerate(satb)
             for v, p in enumerate(chord) if v != 1 or i % 2]
    # the alto in passing eighths on every other beat, as a line moves under held voices
    notes += [Note(i * TPQ + h * TPQ // 2, satb[i][1] - 2 * h, TPQ // 2)
              for i in range(0, 8, 2) for h in (0, 1)]
    upper, lower = split_hands(notes)
    assert sorted(n.pitch for n in lower) == sorted([64, 48, 62, 43, 64, 45, 62, 43] * 2)
    assert all(n.pitch >= 65 for n in upper)
    # a keyboard's block chords, a bass under a triad struck together: hands at middle C
    block = [Note(i * TPQ, p, TPQ) for i in range(16) for p in (48, 64, 67, 72)]
    assert [n.pitch for n in split_hands(block)[1]] == [48] * 16
    # ... and a tune in quarters over a left hand's triad struck again in eighths (a pitch
    # struck again is no voice moving: a review saw the triads' tops in the right hand)
    triads = [(51, 55, 58), (48, 51, 56), (50, 53, 58), (51, 55, 58)]
    ballad = [Note(i * TPQ // 2, p, TPQ // 2) for i in range(16) for p in triads[i // 4]] + \
        [Note(i * TPQ, p, TPQ) for i, p in enumerate((67, 68, 70, 72, 70, 68, 67, 65))]
    assert all(n.pitch < 60 for n in split_hands(ballad)[1]) and \
        len(split_hands(ballad)[1]) == 48


def test_one_tracks_hands_are_divided_as_a_pianist_reaches():
    """A waltz played on one track: its "pah" chord B-flat3 D4 G4 is the left hand's, under a
    tune that strikes G5 with it (split at middle C, D4 and G4 went up, and the right hand held
    an eleventh: a review of played MIDI files). A tune dipping under middle C with no left
    hand near stays in the right hand."""
    from composer_gui.music.clefs import split_hands

    bass, pah = (43, 50), (58, 62, 67)
    left = [Note(bar * 1440 + beat * 480, p, 400) for bar in range(4)
            for beat in (0, 1, 2) for p in ((bass[bar % 2],) if beat == 0 else pah)]
    tune = [Note(bar * 1440, 74, 960) for bar in range(4)] + \
        [Note(bar * 1440 + 960, 79, 480) for bar in range(4)]
    upper, lower = split_hands(sorted(left + tune))
    assert sorted(upper) == sorted(tune) and sorted(lower) == sorted(left)
    line = [Note(i * 480, p, 480) for i, p in enumerate((67, 64, 62, 59, 60, 64))]
    assert split_hands(line) == (line, [])


def test_a_key_struck_by_both_hands_is_one_note_in_each_hand():
    """A nocturne's tune lands on E4 (a half note) where its left hand's arpeggio strikes E4
    (an eighth): one E4 a staff, the eighth with the arpeggio's eighths (the arpeggio had a
    rest there, and the tune's staff both notes: a re-trial). A unison with no other hand near
    stays where the division puts it."""
    from composer_gui.music.clefs import split_hands

    arpeggio = [Note(k * 240, p, 240) for k, p in enumerate([40, 47, 55, 59, 64, 59, 55, 47])]
    tune = [Note(0, 67, 960), Note(960, 64, 960)]
    upper, lower = split_hands(sorted(arpeggio + tune), ((0, 60),))
    assert sorted(upper) == tune and sorted(lower) == arpeggio
    doubled = [Note(0, 64, 960), Note(0, 64, 960), Note(960, 67, 960)]
    assert split_hands(doubled, ((0, 60),)) == (doubled, [])


def test_triplets_a_tick_off_are_a_written_score_not_a_performance():
    """Some files write triplets in a resolution that does not divide by three (159, 319)."""
    notes = tuple(Note(b * 480 + off, 60 + i, 160) for b in range(8)
                  for i, off in enumerate((0, 159, 319)))
    warnings: list[str] = []
    xml = musicxml_text(Score(parts=(Part(notes),)), warnings)
    assert xml.count('<tuplet type="start"') == 8
    assert not any("performance" in w for w in warnings)
    assert any("moved" in w for w in warnings)


def test_a_real_tempo_change_in_a_performance_gets_its_own_mark(tmp_path):
    """Rubato around 100 bpm, then around 66 bpm from bar 9: two marks, where the change is."""
    import random

    from composer_gui.music.score import TempoChange

    score = read_midi(human_piano_midi(tmp_path / "human.mid", bars=16))
    rng = random.Random(2)
    tempos = tuple(TempoChange.from_bpm(t, (100 if t < 8 * 1920 else 66) * rng.uniform(0.94, 1.06))
                   for t in range(0, 16 * 1920, 240))
    xml = musicxml_text(replace(score, tempos=tempos))
    marks = re.findall(r"<per-minute>(\d+)</per-minute>", xml)
    assert len(marks) == 2
    assert abs(int(marks[0]) - 100) <= 5 and abs(int(marks[1]) - 66) <= 5
    bar_of_second = xml[:xml.index(f"<per-minute>{marks[1]}<")].count("<measure ")
    assert bar_of_second in (9, 10)


def test_parts_with_different_key_signatures_read_as_most_of_them(tmp_path):
    """bwv244.15 in music21's corpus: soprano with four sharps, the others with two."""
    warnings: list[str] = []
    score = read_notation(music21.corpus.getWork("bwv244.15"), warnings)
    assert score.key == KeySignature(0, 2)
    assert any("different key signatures" in w for w in warnings)


@pytest.mark.parametrize("work, mode", [("bwv288", "minor"), ("bwv270", "major")])
def test_parts_that_differ_only_in_mode_share_the_signature_without_a_warning(work, mode):
    """BWV 288: the soprano says A minor, the other parts name no mode; BWV 270: the soprano
    says B minor, the other three D major. Same accidentals: no warning, and the mode most
    parts name (major where they disagree leaves it to the notes)."""
    warnings: list[str] = []
    score = read_notation(music21.corpus.getWork(work), warnings)
    assert score.key_signatures == (KeySignature(0, 2 if work == "bwv270" else 0, mode),)
    assert not any("key signatures" in w for w in warnings)


def test_abc_spellings_are_kept(tmp_path):
    path = tmp_path / "tune.abc"
    path.write_text("X:1\nT:Spelt\nM:4/4\nL:1/4\nK:F#m\n^E F =c _e | ^^F4 |]\n", encoding="utf-8")
    score = read_notation(path)
    assert [n.spelling for n in score.notes] == ["E#", "F#", "C", "Eb", "F##"]
    xml = musicxml_text(score)
    assert "<step>E</step><alter>1</alter>" in xml and "<step>F</step><alter>2</alter>" in xml


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(midi_scores(grid=7))
def test_any_score_exports_to_readable_notation_with_every_note(tmp_path_factory, score):
    """Whatever a MIDI file or a drawing holds (here: odd 7-tick timing, meters and keys
    anywhere), notation writes a file that reads back with every sounding note and pitch."""
    path = tmp_path_factory.mktemp("any") / "any.musicxml"
    write_musicxml(score, path)
    if not any(n.duration for p in score.parts for n in p.notes):
        return  # nothing notation can show; reading refuses a file without notes
    back = read_notation(path)
    # MusicXML stops at C0: MIDI's lowest octave is written an octave up
    expected = sorted(n.pitch + 12 * (n.pitch < 12 and not p.is_drum)
                      for p in score.parts for n in p.notes if n.duration)
    assert sorted(n.pitch for p in back.parts for n in p.notes) == expected


@pytest.mark.parametrize("notes, meter_at, expected", [
    # G-1 lifted to G0 where a G0 is held: the held one ends there
    ([(0, 0, 7), (0, 1, 7), (7, 0, 7), (154, 7, 7), (189, 19, 112), (203, 7, 7)], 182,
     [12, 12, 13, 19, 19, 19]),
    # a C0 tied over a bar line into voice 2 where voice 1 strikes a new C0: the reader had
    # closed the tie at the new note, and its continuation came back as a note of its own
    ([(0, 0, 7), (0, 1, 7), (7, 0, 7), (287, 0, 7), (301, 0, 91), (392, 0, 7)], 301,
     [12, 12, 12, 12, 12, 13]),
], ids=["a note below C0 lifted under the same pitch held is struck again",
        "a tie continued in another voice under a new note of its pitch is one note"])
def test_scores_the_property_test_found_read_back_with_every_note(tmp_path, notes, meter_at,
                                                                  expected):
    """Scores the property test above found (odd ticks, a meter change to 1/2 mid-bar): the
    file reads back with every note, not one more."""
    score = Score(parts=(Part(tuple(Note(*n) for n in notes)),),
                  time_signatures=(TimeSignature(0, 4, 4), TimeSignature(meter_at, 1, 2)))
    path = tmp_path / "found.musicxml"
    write_musicxml(score, path, [])
    assert sorted(n.pitch for n in read_notation(path).notes) == expected


def test_a_doubled_note_goes_to_a_voice_of_its_own(tmp_path):
    """Two identical notes (a MIDI file can hold them) are not one pitch twice in a chord."""
    score = Score(parts=(Part((Note(0, 60, 480), Note(0, 60, 480), Note(0, 64, 480)),),))
    xml = musicxml_text(score)
    assert "<voice>2</voice>" in xml
    write_musicxml(score, tmp_path / "double.musicxml")
    assert sorted(n.pitch for n in read_notation(tmp_path / "double.musicxml").notes) == [
        60, 60, 64]


def test_a_drawn_part_keeps_its_timing_beside_a_recorded_one(tmp_path):
    """Only the recorded part goes to the sixteenth grid; the drawn 32nds stay 32nds."""
    recorded = read_midi(human_piano_midi(tmp_path / "human.mid", bars=4)).parts[0]
    drawn = Part(tuple(Note(i * 60, 72 + i % 5, 60) for i in range(32)), name="Flute",
                 program=73, channel=1)
    score = Score(parts=(drawn, recorded))
    write_musicxml(score, tmp_path / "mixed.musicxml")
    back = read_notation(tmp_path / "mixed.musicxml")
    assert [(n.start, n.duration) for n in back.parts[0].notes] == [
        (n.start, n.duration) for n in drawn.notes]
    assert all(n.start % 120 == 0 for n in back.parts[1].notes)


def test_a_tenor_voice_around_middle_c_gets_treble_8vb():
    """A generated tenor (no clef read in) lying E3-A4 was written in plain treble clef."""
    from composer_gui.music.clefs import clef_by_range

    notes = [Note(i * TPQ, p, TPQ) for i, p in enumerate([52, 57, 60, 62, 64, 65, 67, 69, 60])]
    assert clef_by_range(notes, "Tenor") == "treble-8vb"
    assert clef_by_range(notes, "Flute") == "treble"
    assert clef_by_range([Note(0, 43, TPQ), Note(TPQ, 40, TPQ)], "Tenor") == "bass"


def test_a_bass_voice_gets_the_bass_clef_by_its_name():
    """A harmonized melody's bass lying C3-F3 was given the tenor's octave treble clef (a fifth
    listening review); a part named Bass is written in the bass clef, a flute there is not."""
    from composer_gui.music.clefs import clef_by_range

    notes = [Note(i * TPQ, p, TPQ) for i, p in enumerate([48, 53, 50, 52, 53, 55, 52, 53])]
    assert clef_by_range(notes, "Bass") == "bass"
    assert clef_by_range(notes, "Flute") == "treble-8vb"
    assert clef_by_range([Note(0, 72, TPQ)], "Bass") == "treble"  # a bass part up high


@pytest.mark.parametrize("meter, notes, written", [
    # a dotted quarter on beat 1 of 4/4 and of 3/4 is written dotted, as engravers do
    ((4, 4), [(0, 720), (720, 240), (960, 960)], [("quarter", 1), ("eighth", 0), ("half", 0)]),
    ((3, 4), [(0, 720), (720, 240), (960, 480)], [("quarter", 1), ("eighth", 0), ("quarter", 0)]),
    ((4, 4), [(960, 720), (1680, 240)], [("half", 0), ("quarter", 1), ("eighth", 0)]),
    # from beat 2 of 4/4 it would hide beat 3: a quarter tied to an eighth
    ((4, 4), [(480, 720), (1200, 240), (1440, 480)],
     [("quarter", 0), ("quarter", 0), ("eighth", 0), ("eighth", 0), ("quarter", 0)]),
    # a note of one beat struck half a beat late is that beat's value (8 q q 8 in 3/4, 8 q 8
    # in 2/4); across the middle of 4/4 it stays tied, so that beat 3 shows
    ((3, 4), [(0, 240), (240, 480), (720, 480), (1200, 240)],
     [("eighth", 0), ("quarter", 0), ("quarter", 0), ("eighth", 0)]),
    ((2, 4), [(0, 240), (240, 480), (720, 240)], [("eighth", 0), ("quarter", 0), ("eighth", 0)]),
    ((4, 4), [(0, 240), (240, 480), (720, 480), (1200, 480), (1680, 240)],
     [("eighth", 0), ("quarter", 0), ("eighth", 0), ("eighth", 0), ("quarter", 0),
      ("eighth", 0)]),
    # a note of three beats from beat 2 of 4/4 is a quarter tied to a half (MIDDLE_SHOWN); a
    # q h q syncopation's half and a whole bar's note from the downbeat are one value each
    ((4, 4), [(0, 480), (480, 1440)], [("quarter", 0), ("quarter", 0), ("half", 0)]),
    ((4, 4), [(0, 480), (480, 960), (1440, 480)], [("quarter", 0), ("half", 0), ("quarter", 0)]),
    ((4, 4), [(0, 1440), (1440, 480)], [("half", 1), ("quarter", 0)]),
    # rests: a quarter and a half from beat 2 of 4/4 (no dotted half hiding beat 3), a half
    # and a quarter from beat 1; in 3/4 two quarters from beat 2
    ((4, 4), [(0, 480)], [("quarter", 0), ("quarter", 0), ("half", 0)]),
    ((4, 4), [(1440, 480)], [("half", 0), ("quarter", 0), ("quarter", 0)]),
    ((3, 4), [(0, 480)], [("quarter", 0), ("quarter", 0), ("quarter", 0)]),
])
def test_dotted_values_on_the_beat_and_a_final_bar_line(meter, notes, written):
    score = Score(parts=(Part(tuple(Note(s, 64, d) for s, d in notes), name="Flute"),),
                  time_signatures=(TimeSignature(0, *meter),))
    xml = musicxml_text(score)
    found = [(name, len(dots)) for name, dots in
             re.findall(r"<type>(\w+)</type>((?:\s*<dot/>)*)", xml)]
    assert [(n, 1 if d else 0) for n, d in found] == written
    assert xml.count("<bar-style>light-heavy</bar-style>") == 1  # after the last bar only
    assert read_notation_text(xml).notes == score.notes


def read_notation_text(xml: str) -> Score:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.musicxml"
        path.write_text(xml, encoding="utf-8")
        return read_notation(path, [])


RAG_START = """<?xml version="1.0" encoding="UTF-8"?>
<score-partwise version="3.1"><part-list><score-part id="P1"><part-name>Piano</part-name>
</score-part></part-list><part id="P1"><measure number="1"><attributes><divisions>4</divisions>
<time><beats>2</beats><beat-type>4</beat-type></time><clef><sign>G</sign><line>2</line></clef>
</attributes>
<note><rest/><duration>1</duration><voice>1</voice><type>16th</type></note>
<direction placement="above"><direction-type><words>Tempo di Marcia</words></direction-type>
</direction>
<direction placement="above"><direction-type><words/></direction-type><sound tempo="120"/>
</direction>
<direction placement="above"><direction-type><metronome><beat-unit>quarter</beat-unit>
<per-minute>100</per-minute></metronome></direction-type><sound tempo="100"/></direction>
<note><pitch><step>A</step><alter>-1</alter><octave>4</octave></pitch><duration>1</duration>
<voice>1</voice><type>16th</type></note>
<note><pitch><step>C</step><octave>5</octave></pitch><duration>6</duration><voice>1</voice>
<type>quarter</type><dot/></note>
<backup><duration>8</duration></backup>
<note><pitch><step>A</step><alter>-1</alter><octave>3</octave></pitch><duration>8</duration>
<voice>2</voice><type>half</type></note>
</measure></part></score-partwise>
"""


def test_a_tempo_mark_over_a_pickups_second_note_stands_from_the_start():
    """A rag's "Tempo di Marcia, quarter = 100" after the right hand's sixteenth rest, with a
    wordless "playback only" 120 beside it (as music21 writes the corpus's Maple Leaf Rag):
    one mark, 100 from the start. It had been read as 120 for a sixteenth, then 100, summed
    up as "120 bpm" and written with both marks (a review of piano sketches)."""
    score = read_notation_text(RAG_START)
    assert [(t.tick, round(t.bpm), t.words) for t in score.tempos] == [
        (0, 100, "Tempo di Marcia")]
    assert re.findall(r"<per-minute>(\d+)</per-minute>", musicxml_text(score)) == ["100"]


TUNE = "X:1\nT:No tempo\nM:4/4\nL:1/8\n{q}K:G\n|:GABc d2 B2|c2 A2 B2 G2|GABc d2 B2|A2 F2 G4:|\n"


@pytest.mark.parametrize("q, marks", [("", []), ("Q:1/4=96\n", ["96"])])
def test_a_tempo_mark_is_written_only_where_the_source_gave_one(tmp_path, q, marks):
    """An ABC tune without Q: plays at 120 bpm but its MusicXML, MIDI file and project carry no
    tempo of their own (a 120 mark nobody wrote had to be deleted in MuseScore by hand); a
    stated tempo is kept through all three."""
    from composer_gui.music.project import read_project, write_project

    abc = tmp_path / "tune.abc"
    abc.write_text(TUNE.format(q=q), encoding="utf-8")
    score = read_notation(abc)
    assert score.tempo.bpm == pytest.approx(float(marks[0]) if marks else 120)
    assert score.tempo.stated == bool(marks)
    assert re.findall(r"<per-minute>(\d+)</per-minute>", musicxml_text(score)) == marks
    write_midi(score, tmp_path / "tune.mid")
    write_project(score, tmp_path / "tune.composer.json")
    for back in (read_midi(tmp_path / "tune.mid"), read_project(tmp_path / "tune.composer.json")):
        assert back.tempo == score.tempo and back.tempo.stated == bool(marks)
        assert re.findall(r"<per-minute>(\d+)</per-minute>", musicxml_text(back)) == marks


@pytest.mark.parametrize("meter, q, unit, mark, bpm", [
    ("6/8", "Q:3/8=120\n", "<beat-unit>quarter</beat-unit><beat-unit-dot/>", "120", 180),
    ("2/2", "Q:1/2=104\n", "<beat-unit>half</beat-unit>", "104", 208),
    ("4/4", "Q:1/4=96\n", "<beat-unit>quarter</beat-unit>", "96", 96),
    ("6/8", "Q:1/4=100\n", "<beat-unit>quarter</beat-unit>", "100", 100),  # not whole in 3/8
])
def test_a_tempo_mark_counts_the_meters_own_beat(tmp_path, meter, q, unit, mark, bpm):
    """A jig's tempo is written dotted quarter = 120, a reel's in 2/2 half = 104, as players
    read them (a review found every mark written per quarter, a jig's as quarter = 180); a
    tempo that is not a whole number of the meter's beats keeps the quarter. Read back, the
    tempo is the same."""
    abc = tmp_path / "tune.abc"
    abc.write_text(f"X:1\nT:Tempo\nM:{meter}\nL:1/8\n{q}K:G\nGAB cBA|GAB cBA|]\n"
                   if meter == "6/8" else
                   f"X:1\nT:Tempo\nM:{meter}\nL:1/8\n{q}K:G\nGABc dBAG|GABc d2B2|]\n",
                   encoding="utf-8")
    score = read_notation(abc)
    assert score.tempo.bpm == pytest.approx(bpm, rel=1e-5)
    xml = musicxml_text(score)
    assert f"<metronome parentheses=\"no\">{unit}<per-minute>{mark}</per-minute>" in xml
    out = tmp_path / "tune.musicxml"
    out.write_text(xml, encoding="utf-8")
    assert read_notation(out).tempo == score.tempo


def test_a_tempo_marks_words_are_kept_and_written(tmp_path):
    """ABC's Q:"Slow" 3/4=42 keeps its word: MusicXML writes it beside the metronome mark, and
    the project file keeps it (a review found the word of a slow air dropped); a mark the
    source gave as a bare number gets no word of music21's invention."""
    from composer_gui.music.project import read_project, write_project

    abc = tmp_path / "air.abc"
    abc.write_text('X:1\nT:Air\nM:3/4\nL:1/8\nQ:"Slow" 3/4=42\nK:G\nG2A2B2|c6|]\n',
                   encoding="utf-8")
    score = read_notation(abc)
    assert score.tempo.words == "Slow" and score.tempo.bpm == pytest.approx(126, rel=1e-5)
    xml = musicxml_text(score)
    assert '<words font-weight="bold">Slow </words>' in xml
    out = tmp_path / "air.musicxml"
    out.write_text(xml, encoding="utf-8")
    assert read_notation(out).tempo.words == "Slow"
    write_project(score, tmp_path / "air.composer.json")
    assert read_project(tmp_path / "air.composer.json").tempo.words == "Slow"
    abc.write_text("X:1\nT:Air\nM:3/4\nL:1/8\nQ:1/4=96\nK:G\nG2A2B2|c6|]\n", encoding="utf-8")
    bare = read_notation(abc)
    assert bare.tempo.words == "" and "<words" not in musicxml_text(bare)


def test_a_tempo_mark_counts_the_note_value_its_source_chose(tmp_path):
    """A slow air's Q:3/4=42 in 3/4 is written dotted half = 42, not quarter = 126, and the
    note value survives MusicXML and the project file; where the count would not come out
    whole it falls back to the meter's beat or the quarter."""
    from composer_gui.music.project import read_project, write_project

    abc = tmp_path / "air.abc"
    abc.write_text("X:1\nT:Air\nM:3/4\nL:1/8\nQ:3/4=42\nK:G\nG2A2B2|c6|]\n", encoding="utf-8")
    score = read_notation(abc)
    assert score.tempo.unit == 3 * TPQ and score.tempo.bpm == pytest.approx(126, rel=1e-5)
    dotted_half = ('<metronome parentheses="no"><beat-unit>half</beat-unit><beat-unit-dot/>'
                   "<per-minute>42</per-minute>")
    assert dotted_half in musicxml_text(score)
    out = tmp_path / "air.musicxml"
    out.write_text(musicxml_text(score), encoding="utf-8")
    again = read_notation(out)
    assert again.tempo.unit == 3 * TPQ and dotted_half in musicxml_text(again)
    write_project(score, tmp_path / "air.composer.json")
    assert read_project(tmp_path / "air.composer.json").tempo.unit == 3 * TPQ
    faster = replace(score, tempos=(TempoChange.from_bpm(0, 127, unit=3 * TPQ),))
    assert "<beat-unit>quarter</beat-unit><per-minute>127</per-minute>" in musicxml_text(faster)
    abc.write_text("X:1\nT:Air\nM:3/4\nL:1/8\nQ:1/4=96\nK:G\nG2A2B2|c6|]\n", encoding="utf-8")
    quarter = read_notation(abc)  # the quarter is no choice of the source's: music21 says it
    assert quarter.tempo.unit == 0                      # of a bare Q:96 too


def test_a_note_held_into_a_fermata_carries_it(tmp_path):
    """The soprano holds its last note from the bar before while the voices below strike the
    closing chord under a fermata (bwv10.7's last bars): the soprano's tied note there carries
    the fermata too, and it reads back at the same tick; a note struck before and tied over an
    ordinary bar line carries none, nor does an alto tied in that moves on a beat later."""
    bar = 4 * TPQ
    soprano = Part((Note(0, 67, 2 * bar),), "Soprano")
    bass = Part((Note(0, 48, bar), Note(bar, 43, bar)), "Bass")
    score = Score(parts=(soprano, bass), fermatas=(bar,))
    xml = musicxml_text(score)
    soprano_xml = xml.split('<part id="P2"')[0].split('<part id="P1"')[1]
    assert soprano_xml.count("<fermata") == 1
    assert re.search(r'<tie type="stop"/>[^\n]*<fermata', soprano_xml)
    out = tmp_path / "held.musicxml"
    write_musicxml(score, out)
    assert read_notation(out).fermatas == (bar,)
    plain = replace(score, fermatas=())
    assert "<fermata" not in musicxml_text(plain)
    # an alto tied into the tick that moves on under the held soprano gets none
    alto = Part((Note(0, 60, bar + TPQ), Note(bar + TPQ, 62, 3 * TPQ)), "Alto")
    xml = musicxml_text(replace(score, parts=(soprano, alto, bass)))
    alto_xml = xml.split('<part id="P3"')[0].split('<part id="P2"')[1]
    assert "<fermata" not in alto_xml
    assert xml.count("<fermata") == 2


def test_the_composer_is_kept_and_a_file_name_is_no_title(tmp_path):
    """ABC's C: field and a MusicXML creator are the score's composer, written back as the
    MusicXML creator and kept by the project file (a copyist's review found "Trad." gone); a
    title that is a file's name ("bwv40.8.mxl", as music21 names a copy) is the name alone."""
    from composer_gui.music.project import read_project, write_project

    abc = tmp_path / "tune.abc"
    abc.write_text("X:1\nT:The Tune\nC:Trad.\nM:4/4\nL:1/8\nK:G\nGABc d2B2|c2A2 G4|]\n",
                   encoding="utf-8")
    score = read_notation(abc)
    assert (score.title, score.composer) == ("The Tune", "Trad.")
    xml = musicxml_text(score)
    assert '<creator type="composer">Trad.</creator>' in xml
    out = tmp_path / "tune.musicxml"
    out.write_text(xml.replace("The Tune", "copy.mxl"), encoding="utf-8")
    back = read_notation(out)
    assert (back.title, back.composer) == ("copy", "Trad.")
    out.write_text(xml.replace(">Trad.<", ">Music21<"), encoding="utf-8")
    assert read_notation(out).composer == ""  # music21's own credit in a score it saved
    write_project(score, tmp_path / "tune.composer.json")
    assert read_project(tmp_path / "tune.composer.json").composer == "Trad."


def test_common_and_cut_time_are_written_as_the_source_wrote_them(tmp_path):
    """ABC's M:C| and M:C (music21 reads them as 2/2 and 4/4 and no symbol) and a MusicXML
    time symbol are exported as the symbol, and kept by the project file; a tune that also
    writes the meter in numbers, or a bar cut short, shows numbers."""
    from composer_gui.music.project import read_project, write_project

    abc = tmp_path / "reel.abc"
    abc.write_text("X:1\nT:Reel\nM:C|\nL:1/8\nK:D\nABcd efga|b8|]\n", encoding="utf-8")
    score = read_notation(abc)
    assert [(str(t), t.symbol) for t in score.time_signatures] == [("2/2", "cut")]
    xml = musicxml_text(score)
    assert '<time symbol="cut"><beats>2</beats><beat-type>2</beat-type></time>' in xml
    out = tmp_path / "reel.musicxml"
    out.write_text(xml, encoding="utf-8")
    assert read_notation(out).time_signatures[0].symbol == "cut"
    write_project(score, tmp_path / "reel.composer.json")
    assert read_project(tmp_path / "reel.composer.json").time_signatures[0].symbol == "cut"
    abc.write_text("X:1\nT:March\nM:C\nL:1/8\nK:G\nGABc d2B2|c2A2 G4|]\n", encoding="utf-8")
    assert '<time symbol="common">' in musicxml_text(read_notation(abc))
    abc.write_text("X:1\nT:Both\nM:C\nL:1/8\nK:G\nGABc d2B2|[M:4/4]c2A2 G4|]\n",
                   encoding="utf-8")
    assert "symbol=" not in musicxml_text(read_notation(abc))
    # a pickup is shown in the meter it is in, with its symbol
    up = replace(Score(parts=(Part((Note(0, 67, TPQ), Note(TPQ, 72, 4 * TPQ))),),
                       time_signatures=(TimeSignature(0, 4, 4, "common"),)), pickup=TPQ)
    assert musicxml_text(up).count('<time symbol="common">') == 1
    with pytest.raises(ValueError):
        TimeSignature(0, 3, 4, "common")


def test_a_chromatic_passing_note_takes_the_letter_it_leaves():
    """D-D#-E rising in G major, not D-Eb-E (a copyist's review read a generated bass so);
    E-Eb-D falling; a leading tone's G#-A in A minor stays."""
    from composer_gui.music.spelling import spell_pitches

    def spelled(line, key):
        events = [(i * TPQ, p, (i + 1) * TPQ, 0) for i, p in enumerate(line)]
        return spell_pitches(events, [key] * len(events))

    g = KeySignature(0, 1)
    assert spelled([47, 48, 50, 51, 52, 50, 48, 50], g)[3] == "D#"
    assert spelled([52, 51, 50, 48], g)[1] == "Eb"
    assert spelled([67, 68, 69], KeySignature(0, 0, "minor"))[1] == "G#"


def test_a_minor_keys_leading_tone_keeps_its_letter_among_flats(monkeypatch):
    """G minor, a generated chorale's bars 5-6: the bass's F#3 under A4, E-flat4 and a tenor
    C#4, after B-flat, E-flat and C, had been spelled G-flat (the context's flats outvoting
    it; a listening review read the chord as A, E-flat, D-flat, G-flat). The leading tone
    keeps the seventh degree's letter (LEADING_WEIGHT); without the rule it is G-flat."""
    from composer_gui.music import spelling

    voices = {0: [(0, 74, 2), (2, 72, 4), (4, 70, 12), (16, 69, 24), (24, 67, 32)],
              1: [(0, 67, 4), (4, 67, 6), (6, 66, 10), (10, 67, 12), (12, 65, 16),
                  (16, 63, 20), (20, 62, 24), (24, 62, 32)],
              2: [(0, 62, 4), (4, 63, 6), (6, 60, 10), (10, 63, 12), (12, 62, 14),
                  (14, 60, 16), (16, 61, 20), (20, 54, 24), (24, 59, 32)],
              3: [(0, 46, 2), (2, 45, 4), (4, 43, 6), (6, 45, 8), (8, 51, 12), (12, 46, 16),
                  (16, 54, 20), (20, 50, 24), (24, 43, 32)]}
    six = TPQ // 4
    events = sorted((a * six, p, b * six, v) for v, line in voices.items() for a, p, b in line)
    bass_f_sharp = events.index((16 * six, 54, 20 * six, 3))
    key = KeySignature(0, -2, "minor")
    assert spelling.spell_pitches(events, [key] * len(events))[bass_f_sharp] == "F#"
    monkeypatch.setattr(spelling, "LEADING_WEIGHT", 0.0)
    assert spelling.spell_pitches(events, [key] * len(events))[bass_f_sharp] == "Gb"


def _staff_of_each_note(xml: str) -> list[tuple[str, int]]:
    """(step+octave, staff) of each written note of the first part, in document order."""
    notes = re.findall(r"<note>(?:(?!</note>).)*?<step>(\w)</step>(?:<alter>-?\d</alter>)?"
                       r"<octave>(\d)</octave>(?:(?!</note>).)*?<staff>(\d)</staff>", xml, re.S)
    return [(step + octave, int(staff)) for step, octave, staff in notes]


def test_a_files_own_staves_divide_a_grand_staff_again(tmp_path):
    """A closed-score chorale on one grand staff, soprano and alto above, tenor and bass below:
    the tenor's D4 and E4, above middle C, stay on the lower staff, as the file wrote them (a
    copyist's review read its tenor pulled up among the soprano and alto); read back, the
    division is the same, and without one the part splits at middle C as before."""
    from composer_gui.music.clefs import STAVES_END, staff_split_of

    beat = [(0, 72, 67, 62, 43), (1, 71, 67, 64, 52), (2, 72, 64, 55, 48)]
    upper = [Note(b * TPQ, p, TPQ) for b, s, a, _t, _b in beat for p in (s, a)]
    lower = [Note(b * TPQ, p, TPQ) for b, _s, _a, t, bass in beat for p in (t, bass)]
    split = staff_split_of(upper, lower)
    # above the tenor, under the alto; the staves end with the last note
    assert split == ((0, 63), (TPQ, 65), (2 * TPQ, 64), (3 * TPQ, STAVES_END))
    part = Part(tuple(sorted(upper + lower)), name="Choir", clef="grand", staff_split=split)
    xml = musicxml_text(Score(parts=(part,)))
    staves = _staff_of_each_note(xml)
    assert ("D4", 2) in staves and ("E4", 2) in staves and ("G4", 1) in staves
    out = tmp_path / "closed.musicxml"
    out.write_text(xml, encoding="utf-8")
    back = read_notation(out)
    assert back.parts[0].staff_split == split
    from composer_gui.music.project import read_project, write_project

    write_project(back, tmp_path / "closed.composer.json")
    assert read_project(tmp_path / "closed.composer.json").parts[0].staff_split == split
    unsplit = musicxml_text(Score(parts=(replace(part, staff_split=()),)))
    assert ("D4", 1) in _staff_of_each_note(unsplit)


def test_a_files_staves_at_middle_c_are_kept_and_end_with_the_file(tmp_path):
    """A ballad's melody over whole-bar triads, its staves dividing at middle C throughout: the
    triads' top notes stay on the lower staff where the file wrote them (the division had been
    dropped as no division, and the melody over three held notes read as four voices, the
    triads' tops engraved in the right hand: a trial's own sketch). Four voices written after
    the file's last note (a continuation) are divided as four voices are, soprano and alto
    above, not at the file's last division (a nocturne's continuation had every voice in the
    left hand, the right hand resting)."""
    from composer_gui.music.clefs import STAVES_END, split_hands

    tune = [74, 73, 71, 69, 66, 69, 71, 73] * 2
    upper = [Note(b * TPQ, p, TPQ) for b, p in enumerate(tune)]
    lower = [Note(bar * 4 * TPQ, p, 4 * TPQ) for bar in range(4) for p in (50, 54, 57)]
    out = tmp_path / "ballad.musicxml"
    out.write_text(musicxml_text(Score(parts=(
        Part(tuple(sorted(upper + lower)), name="Piano", clef="grand",
             staff_split=((0, 60), (16 * TPQ, STAVES_END))),))), encoding="utf-8")
    back = read_notation(out).parts[0]
    assert back.staff_split == ((0, 60), (16 * TPQ, STAVES_END))
    staves = _staff_of_each_note(musicxml_text(Score(parts=(back,))))
    assert staves.count(("A3", 2)) == 4 and not [s for s in staves if s[0] == "A3" and s[1] == 1]
    chorale = [(72, 67, 62, 55), (71, 67, 62, 55), (72, 64, 60, 57), (74, 66, 62, 57)] * 4
    later = [Note((16 + b) * TPQ, p, TPQ) for b, ps in enumerate(chorale) for p in ps[:3]] + [
        Note((16 + b) * TPQ, ps[3], 2 * TPQ) for b, ps in enumerate(chorale) if b % 2 == 0]
    up, _down = split_hands(tuple(sorted(back.notes + tuple(later))), back.staff_split)
    assert sorted(n.pitch for n in up if n.start >= 16 * TPQ) == sorted(
        p for ps in chorale for p in ps[:2])
    assert not [n for n in up if n.start < 16 * TPQ and n.pitch < 60]


def test_a_tune_over_held_triads_on_one_track_splits_as_hands():
    """A ballad's tune moving over whole-bar triads, on one track: four notes sound at most
    onsets, but only the top one moves, so the hands divide at middle C (the triads' tops had
    been engraved in the right hand as a second voice: a re-trial)."""
    from composer_gui.music.clefs import split_hands

    tune = [Note(b * TPQ, p, TPQ) for b, p in enumerate([66, 69, 74, 73, 71, 69, 69, 67] * 2)]
    triads = [Note(bar * 4 * TPQ, p, 4 * TPQ) for bar in range(4) for p in (50, 54, 57)]
    up, down = split_hands(sorted(tune + triads))
    assert sorted(up) == sorted(tune) and sorted(down) == sorted(triads)


def test_a_left_hand_high_for_a_bar_takes_the_treble_clef():
    """A grand staff's lower staff whose notes all lie at or above middle C for a bar is
    written in the treble clef there, and in the bass clef again after (as a rag's file
    writes its left hand); a bar of rests keeps the clef in force."""
    left = [(0, 36), (1, 43), (4, 60), (5, 64), (6, 62), (7, 60), (12, 40)]
    notes = [Note(b * TPQ, p, TPQ) for b, p in left] + [Note(b * TPQ, 76, TPQ)
                                                         for b in range(16)]
    split = ((0, 67),)  # the file's upper staff starts at G4
    xml = musicxml_text(Score(parts=(Part(tuple(sorted(notes)), name="Piano", clef="grand",
                                          staff_split=split),)))
    bars = xml.split("<measure ")[1:]
    clefs = [re.findall(r'<clef number="2"><sign>(\w)</sign>', bar) for bar in bars]
    assert clefs == [["F"], ["G"], [], ["F"]]


def test_a_tempo_said_again_is_written_once():
    """A mark that repeats the tempo before it without words is left out; one whose words come
    in the bar of a wordless mark of the same tempo, or the next, lends them to it (a rag's "=
    100" over its upbeat and "Tempo di Marcia = 100" in its first bar had printed over each
    other); a new tempo, or words two bars on, keep their own mark."""
    notes = tuple(Note(i * TPQ, 72, TPQ) for i in range(16))

    def marks(*tempos):
        score = Score(parts=(Part(notes, name="Piano"),),
                      tempos=tuple(TempoChange.from_bpm(t, bpm, words)
                                   for t, bpm, words in tempos))
        xml = musicxml_text(score)
        return re.findall(r"(?:<words[^>]*>([^<]*)</words>.*?)?<per-minute>(\d+)</per-minute>",
                          xml)

    assert marks((0, 100, ""), (TPQ, 100, "Tempo di Marcia")) == [("Tempo di Marcia ", "100")]
    assert marks((0, 100, ""), (6 * TPQ, 100, "Tempo di Marcia")) == [("Tempo di Marcia ",
                                                                       "100")]
    assert marks((0, 100, ""), (8 * TPQ, 100, "")) == [("", "100")]
    assert marks((0, 100, ""), (8 * TPQ, 100, "a tempo")) == [("", "100"), ("a tempo ", "100")]
    assert marks((0, 100, ""), (8 * TPQ, 80, "")) == [("", "100"), ("", "80")]


def test_a_legato_line_on_the_grid_is_written_as_its_notes():
    """Quarters each held a 64th into the next (a sequencer's legato) are quarters, not
    quarters tied to 128ths over a second voice; a note held under moving ones stays."""
    line = [Note(i * TPQ, 60 + i % 5, TPQ + TPQ // 16) for i in range(16)]
    warnings: list[str] = []
    xml = musicxml_text(Score(parts=(Part(tuple(line)),)), warnings)
    assert xml.count("<type>quarter</type>") == 16 and "<tie " not in xml and "<rest" not in xml
    assert any("held a little into the next one" in w for w in warnings)
    held = [Note(0, 48, 4 * TPQ)] + [Note(i * TPQ, 60 + i, TPQ) for i in range(4)]
    xml = musicxml_text(Score(parts=(Part(tuple(held)),)))
    assert xml.count("<type>whole</type>") == 1  # (two voices: the held note is no legato)


def test_beams_join_the_short_notes_of_each_beat():
    """Eighths and shorter are beamed by beat (a compound meter's dotted quarter), but four
    plain eighths filling half a 4/4 bar (or a 2/4 bar) as one, never across the middle of the
    bar; a rest or a quarter breaks a beam; a sixteenth after a dotted eighth hangs on a
    hook."""
    def beams(score: Score) -> list[tuple[str, str]]:
        return list(re.findall(r'<beam number="(\d)">([^<]+)</beam>',
                               musicxml_text(score)))

    e = TPQ // 2
    four = Score(parts=(Part(tuple(Note(i * e, 60 + i, e) for i in range(8))),))
    assert beams(four) == [("1", "begin"), ("1", "continue"), ("1", "continue"),
                           ("1", "end")] * 2
    # beats 2 and 3 in eighths, 1 and 4 quarters: by the beat (not across the middle)
    middle = Score(parts=(Part((Note(0, 60, TPQ), *(Note(TPQ + i * e, 62 + i, e)
                                                    for i in range(4)),
                                Note(3 * TPQ, 67, TPQ))),))
    assert beams(middle) == [("1", "begin"), ("1", "end")] * 2
    # three eighths and a sixteenth pair in the first half: by the beat
    mixed = Score(parts=(Part((Note(0, 60, e), Note(e, 62, e), Note(TPQ, 64, e),
                               Note(TPQ + e, 65, e // 2), Note(TPQ + 3 * e // 2, 67, e // 2),
                               Note(2 * TPQ, 69, 2 * TPQ))),))
    assert beams(mixed)[:2] == [("1", "begin"), ("1", "end")]
    two_four = Score(parts=(Part(tuple(Note(i * e, 60 + i, e) for i in range(4))),),
                     time_signatures=(TimeSignature(0, 2, 4),))
    assert beams(two_four) == [("1", "begin"), ("1", "continue"), ("1", "continue"),
                               ("1", "end")]
    three = Score(parts=(Part(tuple(Note(i * e, 60 + i, e) for i in range(6))),),
                  time_signatures=(TimeSignature(0, 3, 4),))
    assert beams(three) == [("1", "begin"), ("1", "end")] * 3
    jig = Score(parts=(Part(tuple(Note(i * e, 60 + i, e) for i in range(6))),),
                time_signatures=(TimeSignature(0, 6, 8),))
    assert beams(jig) == [("1", "begin"), ("1", "continue"), ("1", "end")] * 2
    dotted = Score(parts=(Part((Note(0, 60, 3 * e // 2), Note(3 * e // 2, 62, e // 2),
                                Note(TPQ, 64, TPQ), Note(2 * TPQ + e, 65, e))),))
    assert beams(dotted) == [("1", "begin"), ("1", "end"), ("2", "backward hook")]


def test_a_note_of_two_whole_notes_is_a_breve(tmp_path):
    """4/2 and 4/1 (Palestrina's alla breve, the Essen songs in 4/1): a note of two whole notes
    is a breve, not a dotted whole tied to a half (a trial read a 4/1 bar's one note as four
    tied pieces); it reads back as it was written."""
    def one_bar(num, den):
        bar = num * 4 * TPQ // den
        return Score(parts=(Part((Note(0, 67, bar), Note(bar, 69, bar)), name="Cantus"),),
                     time_signatures=(TimeSignature(0, num, den),))

    xml = musicxml_text(one_bar(4, 2))
    assert re.findall(r"<type>(\w+)</type>", xml) == ["breve", "breve"]
    assert "<tie " not in xml
    xml = musicxml_text(one_bar(4, 1))
    assert re.findall(r"<type>(\w+)</type>", xml) == ["breve", "whole"] * 2
    path = tmp_path / "long.musicxml"
    write_musicxml(one_bar(4, 2), path)
    assert read_notation(path, []).parts[0].notes == one_bar(4, 2).parts[0].notes
