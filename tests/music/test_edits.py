"""music/edits.py: note diffs and the one rule for where generated notes go."""

from __future__ import annotations

from dataclasses import replace

import pytest

from composer_gui.music.edits import (
    NEW_PART_NAME,
    PlacedNote,
    apply_generated,
    apply_note_diff,
    cut_at,
    generated_diff,
    kept_layout,
    keys_for,
    new_part_order,
    placed,
    region_notes,
    split_across,
    stopped_end,
    target_part,
)
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score

A, B, C = Note(0, 60, TPQ), Note(TPQ, 62, TPQ), Note(2 * TPQ, 64, TPQ)
KICK = Note(TPQ, 36, TPQ // 2)


def score(*parts: Part) -> Score:
    return Score(parts=parts)


@pytest.mark.parametrize("parts, expected", [
    ((), 0),  # nothing yet: a new part
    ((Part((A,)),), 0),  # the only pitched part
    ((Part((KICK,), is_drum=True), Part((A,))), 1),  # drums do not count
    ((Part((A,)), Part((B,))), 2),  # two voices: a new part after them
    ((Part((A,)), Part((B,)), Part((C,), name=NEW_PART_NAME)), 2),  # the earlier continuation
    ((Part(name="Violin"), Part(name="Cello")), 0),  # all empty: the first pitched part
    ((Part((KICK,), is_drum=True),), 1),  # drums only: a new part
])
def test_target_part(parts, expected):
    assert target_part(score(*parts)) == expected


def test_region_notes_are_pitched_notes_starting_in_the_span():
    s = score(Part((A, B, C)), Part((KICK,), is_drum=True))
    assert region_notes(s, TPQ, 2 * TPQ) == [(0, B)]
    assert region_notes(s, TPQ, None) == [(0, B), (0, C)]


def test_generated_notes_replace_from_the_start_or_inside_the_region():
    s = score(Part((A, B, C), name="Flute"), Part((KICK,), is_drum=True))
    new = [Note(TPQ, 67, TPQ // 2), Note(TPQ + TPQ // 2, 65, TPQ // 2)]
    removed, added = generated_diff(s, new, TPQ, 2 * TPQ)
    assert removed == [(0, B)] and added == [(0, n) for n in new]
    region = apply_generated(s, new, TPQ, 2 * TPQ)
    assert region.parts[0].notes == (A, *new, C)
    assert region.parts[1] == s.parts[1]  # drums untouched
    rest = apply_generated(s, new, TPQ)
    assert rest.parts[0].notes == (A, *new)  # B and C started at/after the start: replaced


def test_a_note_held_across_the_spans_edges_is_cut_there():
    """A note sounding across a rewrite's start is cut there (its head kept, with its marks
    and words); across a region's end, its tail after the region is kept too, struck again.
    A fuzz run had a held note keep the voice busy: nothing new, and the bars after deleted."""
    long = Note(0, 64, 6 * TPQ, lyric="Lob", marks=("tenuto",))
    assert split_across([long, A], [TPQ, 3 * TPQ]) == [
        Note(0, 64, TPQ), Note(TPQ, 64, 2 * TPQ), Note(3 * TPQ, 64, 3 * TPQ), A]
    head, middle = split_across([long], [TPQ])
    assert head.lyric == "Lob" and head.marks == ("tenuto",)
    assert middle.lyric is None and middle.marks == ()
    assert split_across([A], [0, TPQ]) == [A]  # (edges that it does not cross)

    s = score(Part((long, Note(6 * TPQ, 67, TPQ)), name="Flute"))
    new = [Note(2 * TPQ, 60, TPQ), Note(3 * TPQ, 62, TPQ)]
    rest = apply_generated(s, new, 2 * TPQ)
    assert rest.parts[0].notes == (Note(0, 64, 2 * TPQ), *new)
    region = apply_generated(s, new, 2 * TPQ, 4 * TPQ)
    assert region.parts[0].notes == (Note(0, 64, 2 * TPQ), *new, Note(4 * TPQ, 64, 2 * TPQ),
                                     Note(6 * TPQ, 67, TPQ))
    removed, added = generated_diff(s, new, 2 * TPQ, 4 * TPQ)
    assert removed == [(0, long)]  # (one diff: undo gives the held note back whole)
    assert apply_note_diff(region, added, removed) == s
    # the score view marks the new notes as the proposal's, not the held note's cut pieces
    assert kept_layout(s, new, 2 * TPQ, 4 * TPQ)[1] == {(0, n.start, n.pitch, n.end)
                                                        for n in new}
    other = score(Part((long,)), Part((long,)))  # a part not rewritten keeps its note whole
    assert apply_generated(other, [PlacedNote(new[0], 1)], 2 * TPQ, 4 * TPQ,
                           parts=(1,)).parts[0] == other.parts[0]


@pytest.mark.parametrize("rule", [True, False])
def test_a_region_that_meets_a_held_note_on_its_pitch_keeps_it_tied(monkeypatch, rule):
    """REGION_TIES_KEPT: the score holds E4 across the region's end and C4 into its start; a
    region whose last note is E4 and whose first note is C4 keeps both held through the edges,
    one note each, as the score had them (a review heard a chorale's alto E4, tied over the bar
    after a region, struck again in 10 of 10 rewrites). A new note on another pitch meets the
    kept piece struck again."""
    from composer_gui.music import edits

    monkeypatch.setattr(edits, "REGION_TIES_KEPT", rule)
    held_in, held_out = Note(0, 60, 3 * TPQ), Note(5 * TPQ, 64, 2 * TPQ)
    s = score(Part((held_in, Note(3 * TPQ, 62, 2 * TPQ), held_out), name="Alto"))
    new = [Note(2 * TPQ, 60, TPQ), Note(3 * TPQ, 62, TPQ), Note(4 * TPQ, 64, 2 * TPQ)]
    got = apply_generated(s, new, 2 * TPQ, 6 * TPQ).parts[0].notes
    if rule:
        assert got == (Note(0, 60, 3 * TPQ), new[1], Note(4 * TPQ, 64, 3 * TPQ))
    else:
        assert got == (Note(0, 60, 2 * TPQ), *new, Note(6 * TPQ, 64, TPQ))
    other = [Note(2 * TPQ, 59, TPQ), new[1], Note(4 * TPQ, 65, 2 * TPQ)]
    assert apply_generated(s, other, 2 * TPQ, 6 * TPQ).parts[0].notes == (
        Note(0, 60, 2 * TPQ), *other, Note(6 * TPQ, 64, TPQ))


def test_a_note_played_a_hair_before_a_region_is_replaced_with_it():
    """A take's downbeat C3 struck 6 ticks (12 ms) early and held into a region: the region's
    new bass replaces all of it (its head had been kept, a click beside the new A2 and a chord
    A2 C3 in the score: a review). A note struck a 32nd or more before the region keeps its
    part before it, as any held note does."""
    early, kept = Note(2 * TPQ - 6, 48, TPQ), Note(TPQ, 55, 2 * TPQ)
    s = score(Part((early, kept, Note(4 * TPQ, 50, TPQ)), name="Piano"))
    new = [Note(2 * TPQ, 45, TPQ), Note(3 * TPQ, 47, TPQ)]
    got = apply_generated(s, new, 2 * TPQ, 4 * TPQ).parts[0].notes
    assert not any(n.pitch == 48 for n in got)
    assert Note(TPQ, 55, TPQ) in got  # (held from a beat before: its part before the region)


def test_a_continuation_takes_away_the_signatures_of_what_it_replaced():
    """Continued from bar 2 of a piece whose later section changes meter, key and tempo: the
    continuation replaces that section, so its changes go, even where the new music runs past
    them (a reel's stray 1/4 bar had become the continuation's last bar); a region, a
    continuation of one part under another that plays on, and changes set up after the
    music's end keep theirs."""
    from composer_gui.music.score import KeySignature, TempoChange, TimeSignature

    meters = (TimeSignature(0, 4, 4), TimeSignature(4 * TPQ, 3, 4), TimeSignature(16 * TPQ, 3, 4))
    s = Score(parts=(Part((A, B, C, Note(20 * TPQ, 67, TPQ))),), time_signatures=meters,
              key_signatures=(KeySignature(0, 0), KeySignature(16 * TPQ, 2)),
              tempos=(TempoChange(0, 500000), TempoChange(16 * TPQ, 1000000)))
    out = apply_generated(s, [Note(4 * TPQ, 62, 4 * TPQ)], 4 * TPQ)
    assert [t.tick for t in out.time_signatures] == [0, 4 * TPQ]
    assert [k.tick for k in out.key_signatures] == [0]
    assert [t.tick for t in out.tempos] == [0]
    long = Note(0, 60, 24 * TPQ)
    assert apply_generated(s, [long], 0).time_signatures == (meters[0],)
    region = apply_generated(s, [Note(4 * TPQ, 62, TPQ)], 4 * TPQ, 5 * TPQ)
    assert region.time_signatures == s.time_signatures and region.tempos == s.tempos
    # a second part plays on past the start: its bars keep their meters
    duet = replace(s, parts=(*s.parts, Part((Note(8 * TPQ, 48, 8 * TPQ),))))
    kept = apply_generated(duet, [long], 0, parts=(0,))
    assert kept.time_signatures == meters and kept.key_signatures == s.key_signatures
    # a section set up after the music's end (its meter ahead of the notes) stays
    ahead = replace(s, parts=(Part((A, B)),))
    assert apply_generated(ahead, [long], TPQ).time_signatures == meters


def test_a_new_part_is_made_when_no_part_is_theirs():
    s = score(Part((A,), name="Soprano"), Part((B,), name="Bass"))
    out = apply_generated(s, [C], 2 * TPQ)
    assert [p.name for p in out.parts] == ["Soprano", "Bass", NEW_PART_NAME]
    assert out.parts[2].notes == (C,)
    again = apply_generated(out, [Note(3 * TPQ, 65, TPQ)], 3 * TPQ)
    assert [p.name for p in again.parts] == ["Soprano", "Bass", NEW_PART_NAME]
    assert len(again.parts[2].notes) == 2


@pytest.mark.parametrize(("name", "named"), [("", "Soprano"), ("Part 1", "Soprano"),
                                            ("Flute", "Flute"), ("Part 2", "Part 2")])
def test_a_melody_harmonized_into_alto_tenor_bass_is_the_soprano(name, named):
    """An unnamed melody (or "Part 1", as a file reader names it) under which the new parts are
    Alto, Tenor and Bass is named Soprano; a name the composer gave stays."""
    s = score(Part((A, B, C), name=name))
    lower = [PlacedNote(Note(0, p, TPQ), i + 1, v)
             for i, (p, v) in enumerate(((55, "Alto"), (52, "Tenor"), (48, "Bass")))]
    out = apply_generated(s, lower, 0, 3 * TPQ, parts=())
    assert [p.name for p in out.parts] == [named, "Alto", "Tenor", "Bass"]
    assert out.parts[0].notes == (A, B, C)
    # a continuation into a new part names nothing else
    out = apply_generated(s, [PlacedNote(Note(3 * TPQ, 67, TPQ), 1, "Continuation")], 3 * TPQ)
    assert out.parts[0].name == name


def test_new_parts_stand_above_the_part_they_are_placed_over():
    """Alto and tenor written over a melody's own bass line (each placed under the voice
    above) stand between the melody's staff and the bass's; a new part placed under nothing
    goes last."""
    mel, bass = Part((A, B, C), name="Melody"), Part((Note(0, 48, 3 * TPQ),), name="Cello")
    s = score(mel, bass)
    alto, tenor = Note(0, 64, TPQ), Note(0, 55, TPQ)
    out = apply_generated(s, [PlacedNote(tenor, 3, "Tenor", 2),
                              PlacedNote(alto, 2, "Alto", 0)], 0, 3 * TPQ, parts=())
    assert [p.name for p in out.parts] == ["Melody", "Alto", "Tenor", "Cello"]
    assert out.parts[1].notes == (alto,) and out.parts[3] == bass
    out = apply_generated(s, [PlacedNote(alto, 2, "Alto")], 0, 3 * TPQ, parts=())
    assert [p.name for p in out.parts] == ["Melody", "Cello", "Alto"]
    assert new_part_order(2, {2, 3}, {2: 0, 3: 2}) == [0, 2, 3, 1]
    assert new_part_order(2, {2, 3}, {3: 0}) == [0, 3, 1, 2]
    assert new_part_order(2, {2}, {2: 1}) is None and new_part_order(2, {2}, {}) is None
    assert new_part_order(2, {2}, {2: 5}) is None  # a part that is not there: last


def test_apply_note_diff_is_a_multiset_diff():
    s = score(Part((A, A, B)))
    assert apply_note_diff(s, [(0, A)], [(0, C)]).parts[0].notes == (A, B, C)
    with pytest.raises(LookupError):
        apply_note_diff(s, [(0, C)], [])


def test_new_parts_sound_as_the_melody():
    """A hymn sung by a choir (General MIDI 52, Choir Aahs) harmonized: its new alto and tenor
    sing too, not on the piano (program 0); a drum part lends no program."""
    s = score(Part((A,), name="Drums", is_drum=True, program=0), Part((B,), program=52))
    out = apply_note_diff(s, [], [(2, C), (3, C)], names={2: "Alto", 3: "Tenor"})
    assert [p.program for p in out.parts] == [0, 52, 52, 52]
    assert apply_note_diff(score(), [], [(0, C)]).parts[0].program == 0


def test_placed_notes_go_to_their_parts_and_new_parts_get_their_names():
    sop = Part((Note(0, 72, 480), Note(480, 74, 480)), name="Soprano")
    alto = Part((Note(0, 67, 480), Note(480, 65, 480)), name="Alto")
    score = Score(parts=(sop, alto))
    new_alto = Note(480, 64, 480)
    # a region of the alto only: the soprano's note in it stays
    removed, added = generated_diff(score, [PlacedNote(new_alto, 1)], 480, 960, parts=(1,))
    assert removed == [(1, Note(480, 65, 480))] and added == [(1, new_alto)]
    kept = apply_generated(score, [PlacedNote(new_alto, 1)], 480, 960, parts=(1,))
    assert kept.parts[0] == sop and Note(480, 64, 480) in kept.parts[1].notes
    # harmonizing: nothing replaced, new parts named by the notes
    tenor, bass = Note(0, 60, 960), Note(0, 48, 960)
    out = apply_generated(Score(parts=(sop,)), [PlacedNote(tenor, 2, "Tenor"),
                                                PlacedNote(bass, 3, "Bass"),
                                                PlacedNote(Note(0, 67, 960), 1, "Alto")],
                          0, 960, parts=())
    assert [p.name for p in out.parts] == ["Soprano", "Alto", "Tenor", "Bass"]
    assert out.parts[0] == sop and out.parts[3].notes == (bass,)
    # a plain note still follows target_part's rule
    assert generated_diff(Score(parts=(sop,)), [Note(960, 76, 480)], 960)[1] == \
        [(0, Note(960, 76, 480))]


@pytest.mark.parametrize("blank, reused", [
    (Part(), True),  # a blank document's part
    (Part(name="Part 1"), True),  # (as a file reader names it)
    (Part(name="Flute"), False),  # a part the composer named stays theirs
    (Part((A,)), False),  # a part with music
])
def test_a_blank_scores_part_takes_the_first_new_voice(blank, reused):
    """A chorale from nothing writes Soprano, Alto, Tenor and Bass as new parts (1-4); a
    blank document's empty, unnamed part had stayed above them as an empty staff. It takes
    the first new part's notes and name, and the others stand below it."""
    notes = [PlacedNote(Note(960, p, 480), i, name, i - 1) for i, (p, name) in
             enumerate(((72, "Soprano"), (67, "Alto"), (60, "Tenor"), (48, "Bass")), 1)]
    out = apply_generated(Score(parts=(blank,)), notes, 960)
    names = ["Soprano", "Alto", "Tenor", "Bass"]
    if reused:
        assert [p.name for p in out.parts] == names
        assert [[n.pitch for n in p.notes] for p in out.parts] == [[72], [67], [60], [48]]
    else:
        assert [p.name for p in out.parts] == [blank.name, *names]
        assert out.parts[0] == blank


def test_kept_music_adds_the_fermatas_it_marked_and_keeps_the_scores_own():
    from composer_gui.music.edits import apply_generated, with_fermatas

    score = Score(parts=(Part((Note(0, 60, TPQ),), name="Soprano"),), fermatas=(0,))
    kept = apply_generated(score, [Note(TPQ, 62, TPQ), Note(2 * TPQ, 64, TPQ)], TPQ,
                           fermatas=[2 * TPQ, 0])
    assert kept.fermatas == (0, 2 * TPQ)
    assert with_fermatas(score, []) is score
    assert apply_generated(score, [Note(TPQ, 62, TPQ)], TPQ).fermatas == (0,)


def test_a_continuation_from_inside_takes_away_the_fermatas_of_what_it_replaces():
    """``--from-bar`` replaces the rest of the piece, its phrase ends too; a fermata stays
    where a kept note still starts (a part that is not rewritten), and a region keeps all."""
    sop = Part((Note(0, 72, TPQ), Note(TPQ, 71, TPQ), Note(2 * TPQ, 72, TPQ)), name="Soprano")
    bass = Part((Note(0, 48, 3 * TPQ),), name="Bass")
    s = Score(parts=(sop, bass), fermatas=(0, TPQ, 2 * TPQ))
    new = [PlacedNote(Note(TPQ, 74, 2 * TPQ), 0)]
    assert apply_generated(s, new, TPQ).fermatas == (0,)
    # the new note starts where a replaced one had its fermata: the model did not mark it
    assert apply_generated(s, [PlacedNote(Note(2 * TPQ, 74, TPQ), 0)], TPQ).fermatas == (0,)
    assert apply_generated(s, new, TPQ, fermatas=[TPQ]).fermatas == (0, TPQ)
    assert apply_generated(s, new, TPQ, 2 * TPQ).fermatas == (0, TPQ, 2 * TPQ)  # a region
    kept_bass = Score(parts=(sop, Part((Note(0, 48, TPQ), Note(2 * TPQ, 43, TPQ)), name="Bass")),
                      fermatas=(2 * TPQ,))
    assert apply_generated(kept_bass, new, TPQ, parts=(0,)).fermatas == (2 * TPQ,)


def test_an_upbeat_set_moves_the_music_against_the_new_bar_lines():
    """A chorale's quarter upbeat written as a full first bar (a MIDI file from another
    program): set as a quarter's upbeat, the notes move so that the second note starts bar 1
    and the upbeat is bar 0; taking it away again gives the score back. A fermata and a later
    mark of the same meter move with the music; an upbeat of a bar, or in a score that changes
    meter, is refused."""
    import pytest

    from composer_gui.music.edits import with_upbeat
    from composer_gui.music.score import TimeSignature

    notes = (Note(0, 67, TPQ), Note(TPQ, 72, 2 * TPQ), Note(3 * TPQ, 71, TPQ))
    score = Score(parts=(Part(notes, name="Soprano"),), fermatas=(TPQ,),
                  time_signatures=(TimeSignature(0, 4, 4), TimeSignature(4 * TPQ, 4, 4)))
    up = with_upbeat(score, TPQ)
    assert up.upbeat == TPQ and up.first_bar_number == 0
    assert [n.start for n in up.notes] == [3 * TPQ, 4 * TPQ, 6 * TPQ]
    assert up.bar_at(4 * TPQ) == 1 and up.bar_start(1) == 4 * TPQ
    assert up.fermatas == (4 * TPQ,) and up.time_signatures[1].tick == 7 * TPQ
    assert with_upbeat(up, 0) == score
    with pytest.raises(ValueError, match="shorter than a bar"):
        with_upbeat(score, 4 * TPQ)
    with pytest.raises(ValueError, match="meter changes"):
        with_upbeat(replace(score, time_signatures=(TimeSignature(0, 4, 4),
                                                    TimeSignature(4 * TPQ, 3, 4))), TPQ)
    late = with_upbeat(score, 2 * TPQ)  # (the first note now a half's upbeat)
    assert [n.start for n in late.notes][:1] == [2 * TPQ]
    # a file that put its upbeat at the end of a full first bar, rests before it: marked as
    # an upbeat where it is
    rests = Score(parts=(Part((Note(3 * TPQ, 67, TPQ), Note(4 * TPQ, 72, TPQ))),))
    assert [n.start for n in with_upbeat(rests, TPQ).notes] == [3 * TPQ, 4 * TPQ]
    assert with_upbeat(rests, TPQ).upbeat == TPQ



def test_a_stopped_generation_ends_together_at_the_last_bar_line_every_voice_reached():
    """Each voice breaks off at its last finished note when a generation is stopped: they end
    together at the last bar line all of them reached (4/4: bars of 4 quarters)."""
    score = Score(parts=(Part((Note(0, 72, 4 * TPQ),)), Part((Note(0, 48, 4 * TPQ),))))
    start = 4 * TPQ

    def line(part, beats, length):  # quarter or half notes from the start
        return [PlacedNote(Note(start + b * TPQ, 60, length * TPQ), part)
                for b in range(0, beats, length)]
    first = line(0, 7, 1) + line(1, 6, 2)  # soprano to 11 beats, bass to 10
    second = line(0, 6, 1) + line(1, 5, 1)  # bass to 9 beats: bar 3 (beats 8-11) begun
    assert stopped_end(score, [first, second], start) == 8 * TPQ
    # every voice past bar 3's line: cut there, not at the earliest voice's end
    assert stopped_end(score, [first], start) == 8 * TPQ
    # none has reached a bar line after the start: the earliest voice's end
    assert stopped_end(score, [line(0, 3, 1) + line(1, 2, 2)], start) == 6 * TPQ
    assert stopped_end(score, [[], []], start) is None
    # an empty variation does not hold the others back
    assert stopped_end(score, [first, []], start) == 8 * TPQ
    # plain notes (one stream) are one voice
    assert stopped_end(score, [[p.note for p in first]], start) == 8 * TPQ


def test_cut_at_drops_what_starts_after_and_shortens_what_sounds_across():
    a, b, c = Note(0, 60, 480), Note(480, 62, 960), Note(1440, 64, 480)
    assert cut_at([a, b, c], 960) == [a, Note(480, 62, 480)]
    placed = cut_at([PlacedNote(b, 2, "Alto", 1)], 960)
    assert placed == [PlacedNote(Note(480, 62, 480), 2, "Alto", 1)]


def test_generated_notes_play_at_their_parts_level_where_they_go():
    """A piano's melody (f) over its accompaniment (p), continued: each part's new notes at
    the level that part played at before them, not the sketch's one median; a sketch that
    ends pp (written) continues pp; a harmonized melody's new voices play at its level;
    a played accent among the last notes does not set it."""
    melody = tuple(Note(i * TPQ, 72 + i % 3, TPQ, 96) for i in range(8))
    accomp = tuple(Note(i * TPQ, 48, TPQ, 49 if i != 6 else 100) for i in range(8))
    score = Score(parts=(Part(melody, name="Melody"), Part(accomp, name="Left hand")))
    new = [PlacedNote(Note(8 * TPQ, 74, TPQ, 70), 0), PlacedNote(Note(8 * TPQ, 50, TPQ, 70), 1),
           PlacedNote(Note(8 * TPQ, 60, TPQ, 70), 2, "Alto", 0),
           PlacedNote(Note(9 * TPQ, 62, TPQ, 70), 3, "Tenor")]
    out, _names, _under = placed(score, new)
    assert [(p, n.velocity) for p, n in out] == [(0, 96), (1, 49), (2, 96), (3, 70)]
    fading = Score(parts=(Part(tuple(replace(n, velocity=80) if n.start < 6 * TPQ else
                                     replace(n, velocity=33, marks=("pp",) * (n.start == 6 * TPQ))
                                     for n in melody)),))
    result = apply_generated(fading, [Note(8 * TPQ, 72, TPQ, 70)], 8 * TPQ)
    assert result.notes[-1].velocity == 33 and result.notes[0].velocity == 80


def test_a_slur_into_a_regenerated_bar_ends_on_a_new_note_and_one_inside_it_goes():
    """Bar 2 rewritten: the slur from bar 1 that ended in it ends on the new note struck
    nearest its old end; a slur wholly inside bar 2 goes with the notes it was over."""
    old = [Note(0, 60, TPQ, marks=("slur-start",)), Note(TPQ, 62, TPQ),
           Note(4 * TPQ, 64, TPQ, marks=("slur-stop", "slur-start")),
           Note(5 * TPQ, 65, TPQ, marks=("slur-stop",)), Note(8 * TPQ, 67, TPQ)]
    score = Score(parts=(Part(tuple(old)),))
    new = [Note(4 * TPQ, 69, 2 * TPQ), Note(6 * TPQ, 67, 2 * TPQ)]
    result = apply_generated(score, new, 4 * TPQ, 8 * TPQ)
    assert [(n.pitch, n.marks) for n in result.notes] == [
        (60, ("slur-start",)), (62, ()), (69, ("slur-stop",)), (67, ()), (67, ())]


def test_a_pedalled_piano_sketch_continues_pedalled_changing_with_its_bass():
    """The composer pedals each bar; the continuation is pedalled too: down at its first
    bass, changed where the bass moves (not where it repeats), up at its end."""
    sketch = [Note(0, 48, 4 * TPQ, marks=("pedal-start",)), Note(TPQ, 64, TPQ),
              Note(4 * TPQ, 53, 4 * TPQ, marks=("pedal-change", "pedal-stop")),
              Note(5 * TPQ, 65, TPQ)]
    score = Score(parts=(Part(tuple(sketch)),))
    new = [Note(8 * TPQ, 43, 2 * TPQ), Note(8 * TPQ, 67, TPQ), Note(10 * TPQ, 55, 2 * TPQ),
           Note(12 * TPQ, 48, 4 * TPQ), Note(13 * TPQ, 64, TPQ)]
    result = apply_generated(score, new, 8 * TPQ)
    assert [(n.start, n.pitch, n.marks) for n in result.notes if n.start >= 8 * TPQ] == [
        (8 * TPQ, 43, ("pedal-start",)), (8 * TPQ, 67, ()), (10 * TPQ, 55, ()),
        (12 * TPQ, 48, ("pedal-change", "pedal-stop")), (13 * TPQ, 64, ())]
    plain = Score(parts=(Part(tuple(replace(n, marks=()) for n in sketch)),))
    assert not any(n.marks for n in apply_generated(plain, new, 8 * TPQ).notes)


def test_a_continued_bass_in_eighths_changes_the_pedal_on_the_beats_only():
    """A bass that moves in eighths passes between the beats' chords: the pedal changes where
    the bass of a beat differs from the last beat's, not under each passing eighth (a trial's
    continuation had "Ped." under nearly every note)."""
    sketch = [Note(0, 48, 4 * TPQ, marks=("pedal-start", "pedal-stop")), Note(TPQ, 64, TPQ)]
    score = Score(parts=(Part(tuple(sketch)),))
    eighths = [43, 45, 47, 48, 48, 50, 52, 53]  # beats on 43, 47, 48, 52
    new = [Note(4 * TPQ + k * TPQ // 2, p, TPQ // 2) for k, p in enumerate(eighths)]
    result = apply_generated(score, new, 4 * TPQ)
    changes = [n.start for n in result.notes if n.start >= 4 * TPQ
               and {"pedal-start", "pedal-change"} & set(n.marks)]
    assert changes == [4 * TPQ, 5 * TPQ, 6 * TPQ, 7 * TPQ]


def test_a_continued_broken_chord_changes_the_pedal_with_its_chord_only():
    """Broken chords under the pedal (F2 C3 A3 C3, then B-flat's): the upper notes struck on
    the beats after the bass are its chord, and the pedal changes where the chord does, not
    on each beat (a review's pedalled recording had a change on 12 to 15 of 16 beats)."""
    sketch = [Note(0, 41, TPQ // 2, marks=("pedal-start", "pedal-stop")), Note(TPQ, 65, TPQ)]
    score = Score(parts=(Part(tuple(sketch)),))
    figures = [(41, 48, 57, 48)] * 4 + [(46, 50, 58, 50)] * 4  # F F | Bb Bb (half bars)
    new = [Note(4 * TPQ + h * 2 * TPQ + k * TPQ // 2, p, TPQ // 2)
           for h, fig in enumerate(figures) for k, p in enumerate(fig)]
    result = apply_generated(score, new, 4 * TPQ)
    changes = [n.start for n in result.notes if n.start >= 4 * TPQ
               and {"pedal-start", "pedal-change"} & set(n.marks)]
    assert changes == [4 * TPQ, 12 * TPQ]


def test_a_chosen_key_signs_the_bars_written_in_it_and_no_others():
    """From the first bar line of the span (a region gives the old signature back at its end);
    nothing where the signature is the same (E minor after G major) or the score has none."""
    bar = 4 * TPQ
    score = Score(parts=(Part(tuple(Note(i * TPQ, 62, TPQ) for i in range(24))),),
                  key_signatures=(KeySignature(0, 2), KeySignature(3 * bar, 3)))
    g = KeySignature(0, 1)
    assert [(k.tick, k.sharps) for k in keys_for(score, g, bar, 2 * bar)] == [
        (0, 2), (bar, 1), (2 * bar, 2), (3 * bar, 3)]
    assert [(k.tick, k.sharps) for k in keys_for(score, g, bar + TPQ)] == [(0, 2), (2 * bar, 1)]
    assert [(k.tick, k.sharps) for k in keys_for(score, g, 3 * bar, 4 * bar)] == [
        (0, 2), (3 * bar, 1), (4 * bar, 3)]
    assert keys_for(score, KeySignature(0, 2, "minor"), bar) is None  # B minor: the same
    assert keys_for(score, g, bar + TPQ, 2 * bar) is None  # no whole bar in it
    assert keys_for(replace(score, key_signatures=()), g, bar) is None


def test_a_selection_in_one_hand_of_a_piano_names_that_hand():
    """Regenerate rewrites the hand the selected notes lie in, where the other hand plays in
    the span; a selection in both hands, or of a one-staff part, rewrites the whole part."""
    from composer_gui.music.edits import hand_notes, region_notes, selected_hand

    tune = [Note(b * TPQ, 72 + b % 3, TPQ) for b in range(8)]
    left = [Note(b * TPQ, 48 + b % 2, TPQ) for b in range(8)]
    piano = Part(tuple(sorted(tune + left)), name="Piano", clef="grand")
    score = Score(parts=(piano,))
    span = (2 * TPQ, 4 * TPQ)
    assert selected_hand(score, [(0, n) for n in tune[2:4]], *span) == 0
    assert selected_hand(score, [(0, n) for n in left[2:4]], *span) == 1
    assert selected_hand(score, [(0, tune[2]), (0, left[3])], *span) is None
    assert selected_hand(score, [(0, n) for n in tune[2:4]], 8 * TPQ, 9 * TPQ) is None
    flute = Score(parts=(Part(tuple(tune), name="Flute"),))
    assert selected_hand(flute, [(0, n) for n in tune[2:4]], *span) is None
    assert list(hand_notes(piano, 0)) == tune and list(hand_notes(piano, 1)) == left
    assert [n for _, n in region_notes(score, *span, (0,), 1)] == left[2:4]
