"""The voice-grid representation: layout, voice mapping, key normalization and round trips."""

from __future__ import annotations

from dataclasses import replace

import pytest

from composer_gui.ml import voices as V
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score, TimeSignature

VOCAB = V.VoiceVocabulary()
S16 = TPQ // 4


def frames_of(tokens: list[int], vocab: V.VoiceVocabulary, bar_starts: list[int]):
    """(tick, voice tokens) of every grid step of an encoded piece."""
    frames, bar, i, n = [], -1, 3, len(vocab.voices)
    while i < len(tokens):
        kind = vocab.kind(tokens[i])
        if kind == "BAR":
            bar += 1
        elif kind == "POS":
            step = (tokens[i] - vocab.pos_offset) // 2
            frames.append((bar_starts[bar] + step * vocab.step_ticks, tokens[i + 1:i + 1 + n]))
            i += n
        i += 1
    return frames


def satb(key: KeySignature | None = None, bars: int = 2) -> Score:
    """A little four-part passage, one part per voice, named as in the chorales."""
    rows = [(72, 67, 64, 48), (74, 67, 65, 47), (72, 67, 64, 48), (71, 67, 62, 43)] * bars
    parts = []
    for v, name in enumerate(V.CHORALE_VOICES):
        parts.append(Part(tuple(Note(i * TPQ, r[v], TPQ) for i, r in enumerate(rows)), name=name))
    return Score(parts=tuple(parts), key_signatures=(key,) if key else ())


def test_every_token_has_one_name_and_kind():
    names = [VOCAB.name(t) for t in range(VOCAB.size)]
    assert len(set(names)) == VOCAB.size
    assert VOCAB.name(VOCAB.pos_id(3, fermata=True)) == "POS_3_F"
    assert VOCAB.name(VOCAB.bar_id(99)) == f"BAR_{VOCAB.max_bars_left}"  # "this many or more"
    assert VOCAB.kind(VOCAB.pitch_id(60)) == "PITCH"
    assert V.VoiceVocabulary.from_dict(VOCAB.to_dict()) == VOCAB


def test_a_chorale_round_trips_through_the_grid():
    score = satb(KeySignature(0, 0, "major"))
    enc = V.encode(score, VOCAB)
    assert enc.shift == 0 and enc.plan.parts == [0, 1, 2, 3] and enc.warnings == []
    assert [VOCAB.name(t) for t in enc.tokens[:9]] == [
        "BOS", "MODE_major", "TS_4/4", "BAR_2", "POS_0", "P_72", "P_67", "P_64", "P_48"]
    assert [VOCAB.name(t) for t in enc.tokens[9:14]] == ["POS_1", "HOLD", "HOLD", "HOLD", "HOLD"]
    assert enc.tokens[-1] == V.EOS
    frames = frames_of(enc.tokens, VOCAB, score.bar_starts(score.end_tick))
    assert len(frames) == 32  # two bars of sixteenths, every voice at every step
    decoded = V.decode_frames(frames, VOCAB, 0, enc.shift)
    assert decoded == [list(p.notes) for p in score.parts]


def test_keys_are_normalized_to_c_major_or_a_minor_and_back():
    d_major = satb(KeySignature(0, 2, "major")).transpose(2)
    enc = V.encode(d_major, VOCAB)
    assert enc.shift == -2 and VOCAB.name(enc.tokens[1]) == "MODE_major"
    assert VOCAB.name(enc.tokens[5]) == "P_72"  # D5 is written as C5
    frames = frames_of(enc.tokens, VOCAB, d_major.bar_starts(d_major.end_tick))
    assert V.decode_frames(frames, VOCAB, 0, enc.shift)[0] == list(d_major.parts[0].notes)
    assert V.normalizing_shift(KeySignature(0, 3, "minor")) == 3  # F# minor up to A minor
    assert V.normalizing_shift(KeySignature(0, -1, "major")) == -5  # F major down to C


def test_fermatas_and_bars_left_are_marked():
    score = satb(KeySignature(0, 0, "major"), bars=3)
    enc = V.encode(score, VOCAB, fermatas=[3 * TPQ])
    names = [VOCAB.name(t) for t in enc.tokens]
    assert [n for n in names if n.startswith("BAR")] == ["BAR_3", "BAR_2", "BAR_1"]
    assert "POS_12_F" in names and sum(n.endswith("_F") for n in names) == 1
    open_ended = V.encode(score, VOCAB, end_tick=score.bar_start(1), bars_left_from=20)
    assert [VOCAB.name(t) for t in open_ended.tokens if VOCAB.kind(t) == "BAR"] == ["BAR_8"]
    assert open_ended.tokens[-1] != V.EOS


@pytest.mark.parametrize(("meter", "heard", "parts"), [
    ((4, 2), "2/2", 2), ((2, 1), "2/2", 2), ((4, 1), "4/4", 4), ((3, 1), "3/2", 2),
    ((6, 2), "3/2", 2), ((5, 2), "5/4" if "5/4" in VOCAB.meters else None, 2),
    ((4, 4), "4/4", 1), ((3, 2), "3/2", 1),
])
def test_a_bar_longer_than_the_models_longest_is_heard_in_parts(meter, heard, parts):
    """4/2 (285 of Essen's 8,514 songs), 4/1, 3/1: the model hears each bar as equal bars it
    knows, of the meter with that length (the same beat unit first), and the encoder splits
    such bars so instead of cutting them off at its longest."""
    ts = TimeSignature(0, *meter)
    steps = ts.bar_ticks // VOCAB.step_ticks
    assert steps // VOCAB.part_steps(steps) == parts
    assert VOCAB.part_steps(steps) <= VOCAB.max_bar_steps
    if heard is not None:
        assert VOCAB.nearest_meter(ts) == heard
    score = Score(parts=(Part(tuple(Note(i * TPQ, 60 + i % 5, TPQ) for i in range(
        2 * ts.bar_ticks // TPQ))),), time_signatures=(ts,))
    lines = VOCAB.bar_lines(score, score.end_tick - 1)
    assert lines == list(range(0, 2 * ts.bar_ticks, ts.bar_ticks // parts))
    enc = V.encode(score, V.VoiceVocabulary(voices=("melody",)))
    assert sum(VOCAB.kind(t) == "BAR" for t in enc.tokens) == 2 * parts
    assert sum(VOCAB.kind(t) == "POS" for t in enc.tokens) == score.end_tick // VOCAB.step_ticks


def test_a_piece_with_a_longer_bar_decodes_without_running_back():
    """A piece of a user's folder in 3/4 with a bar of 4/4: the evaluation reads it back in
    order (the decoder laid every bar out by the first meter, and a note of the longer bar
    ended before it began: "note duration -480 is negative", Aird's Airs as a folder)."""
    vocab = V.VoiceVocabulary(voices=("melody",))
    tss = (TimeSignature(0, 3, 4), TimeSignature(3 * TPQ, 4, 4), TimeSignature(7 * TPQ, 3, 4))
    notes = tuple(Note(i * TPQ, 60 + i, TPQ) for i in range(10))
    score = Score(parts=(Part(notes),), time_signatures=tss)
    piece = V.decode_piece(V.encode(score, vocab).tokens, vocab)
    back = piece.score.parts[0].notes
    assert [n.pitch - back[0].pitch for n in back] == list(range(10))  # (key normalized)
    assert all(n.duration == TPQ for n in back)
    assert [n.start for n in back] == sorted(n.start for n in back)


def test_one_part_with_chords_is_dealt_out_to_the_voices_by_height():
    chords = [(48, 64, 67, 72), (47, 65, 67, 74)]
    notes = [Note(i * TPQ, p, TPQ) for i, row in enumerate(chords) for p in row]
    score = Score(parts=(Part(tuple(notes), name="Piano"),))
    plan = V.plan_voices(score, V.CHORALE_VOICES)
    assert [[x.pitch for x in lane] for lane in plan.notes] == [[72, 74], [67, 67], [64, 65],
                                                                 [48, 47]]
    # (a keyboard's range: dealt out by its hands, the bass the left hand's)
    assert plan.parts == [0, 0, 0, 0] and plan.hands == [0, 0, 0, 1]
    assert "right hand split into 3 voices" in plan.messages[0]
    assert "not the part's own figures" in plan.messages[0]
    one_staff = V.plan_voices(Score(parts=(Part(tuple(n for n in notes if n.pitch > 60),
                                                name="Organ"),)), V.CHORALE_VOICES[:3])
    assert "split into 3 voices" in one_staff.messages[0] and one_staff.hands == [None] * 3


def test_a_piano_on_two_staves_is_dealt_out_to_the_voices_by_its_hands():
    """A waltz's tune over its left hand's oom-pah-pah, given to four voices: the tune is the
    soprano, the left hand's bass and chords the three below, each voice knowing its hand
    (dealt out by height over both hands, the "pah" chords struck where the tune holds had
    gone to the soprano and alto)."""
    tune = [Note(0, 72, 2 * TPQ), Note(2 * TPQ, 74, TPQ), Note(3 * TPQ, 76, 3 * TPQ)]
    left = [Note(b * TPQ, p, TPQ) for b in range(6)
            for p in ((41,) if b % 3 == 0 else (53, 57))]
    score = Score(parts=(Part(tuple(sorted(tune + left)), name="Piano", clef="grand"),))
    plan = V.plan_voices(score, V.CHORALE_VOICES)
    assert [x.pitch for x in plan.notes[0]] == [72, 74, 76]
    assert plan.parts == [0, 0, 0, 0] and plan.hands == [0, 1, 1, 1]
    assert {x.pitch for lane in plan.notes[1:] for x in lane} == {41, 53, 57}
    assert "Piano left hand split into 3 voices" in plan.messages[0]


def test_a_piano_given_to_a_one_line_model_is_heard_by_its_right_hand():
    """A waltz's tune over its left hand's oom-pah-pah, given to a model of one line: the line
    is the right hand's (its top notes had taken the left hand's chords, struck where the tune
    holds, for the tune), and the message says that the left hand is not continued (a
    trial's continuation stopped it without a word)."""
    tune = [Note(0, 72, 3 * TPQ), Note(3 * TPQ, 74, TPQ), Note(4 * TPQ, 76, 2 * TPQ)]
    left = [Note(b * TPQ, p, TPQ) for b in range(6)
            for p in ((41,) if b % 3 == 0 else (53, 57) if b < 3 else (55, 58))]
    score = Score(parts=(Part(tuple(sorted(tune + left)), name="Piano", clef="grand"),))
    plan = V.plan_voices(score, ("Melody",))
    assert [x.pitch for x in plan.notes[0]] == [72, 74, 76]
    assert plan.parts == [0] and "not the left hand" in plan.messages[0]


def test_single_lines_are_one_voice_each_and_chords_share_the_rest():
    """A melody over a bass line: the soprano and the bass, the alto and tenor left to be
    sampled (two voices a part had put an alto into the melody's staff). A line between them
    is the voice its pitch lies nearest, a line named for a voice is that voice, a singer's
    line with one doubled note is still a line, and a piano's chords share the voices left."""
    def line(pitches, name, start=0):
        return Part(tuple(Note(start + i * TPQ, p, TPQ) for i, p in enumerate(pitches)),
                    name=name)

    melody, bass = line([72, 74, 76, 77], "Melody"), line([48, 47, 45, 41], "Cello")
    plan = V.plan_voices(Score(parts=(bass, melody)), V.CHORALE_VOICES)
    assert plan.parts == [1, -1, -1, 0]
    assert plan.notes[1] == plan.notes[2] == []
    assert plan.messages == ["part Melody is the soprano, part Cello is the bass"]
    inner = line([55, 57, 59, 60], "Viola")
    plan = V.plan_voices(Score(parts=(melody, inner, bass)), V.CHORALE_VOICES)
    assert plan.parts == [0, -1, 1, 2]  # 55-60 lies nearer the bass: the tenor
    plan = V.plan_voices(Score(parts=(melody, line([60, 62, 64, 65], "Alto line"))),
                         V.CHORALE_VOICES)
    assert plan.parts == [0, 1, -1, -1]  # named
    doubled = Part((*melody.notes, Note(TPQ, 74, TPQ // 4)), name="Voice")
    chords = Part(tuple(Note(i * TPQ, p, TPQ) for i in range(4) for p in (45, 57, 61, 64)),
                  name="Piano")
    plan = V.plan_voices(Score(parts=(doubled, chords)), V.CHORALE_VOICES)
    assert plan.parts == [0, 1, 1, 1]
    assert [[x.pitch for x in lane][:1] for lane in plan.notes] == [[72], [64], [61], [45]]
    # a melody played legato (each note held 80 ticks, 83 ms, into the next) is still a line
    legato = Part(tuple(Note(i * TPQ, p, TPQ + 80) for i, p in enumerate([72, 74, 76, 77])),
                  name="Keys")
    plan = V.plan_voices(Score(parts=(legato, line([48, 47, 45, 41], "Cello"))),
                         V.CHORALE_VOICES)
    assert plan.parts == [0, -1, -1, 1]
    # a held bass under moving notes in one part is two voices, not a line; the bass that
    # starts alone is dealt to the lowest voice by its register
    held = Part((Note(0, 48, 4 * TPQ), *(Note(i * TPQ + TPQ // 2, 60 + i, TPQ // 2)
                                         for i in range(4))), name="Left hand")
    plan = V.plan_voices(Score(parts=(melody, held)), V.CHORALE_VOICES)
    assert plan.parts == [0, 1, 1, 1]
    assert [x.pitch for x in plan.notes[3]] == [48] and plan.notes[1][0].pitch == 60


def test_a_melody_model_takes_the_top_part_and_reports_the_rest():
    melody = V.VoiceVocabulary(voices=("Melody",))
    score = Score(parts=(Part((Note(0, 72, TPQ),), name="Flute"),
                         Part((Note(0, 48, TPQ),), name="Cello")))
    plan = V.plan_voices(score, melody.voices)
    assert plan.parts == [0] and plan.notes == [[Note(0, 72, TPQ)]]
    assert plan.messages == ["part Cello is kept as it is, not continued, and the model does "
                             "not hear it: it writes 1 voice, the melody in part Flute"]


def test_with_more_parts_than_voices_the_outer_parts_are_the_outer_voices():
    """A madrigal's five voices, a MIDI file's nine tracks: the bass is the lowest part and the
    soprano the highest, voices named by a part keep it, the other voices are spread over the
    parts between, and a part that sounds a note or two is none. The four highest parts had
    been the voices: the Basso and a file's bass tracks fell silent in the continuation, its
    bass line written into a tenor's part."""
    def line(pitch, name="", notes=8, length=TPQ):
        return Part(tuple(Note(i * length, pitch + (i % 2), length) for i in range(notes)),
                    name=name)

    madrigal = Score(parts=(line(72, "Canto"), line(71, "Quinto"), line(65, "Alto"),
                            line(64, "Tenor"), line(48, "Basso", notes=2, length=4 * TPQ)))
    plan = V.plan_voices(madrigal, V.CHORALE_VOICES)
    assert plan.parts == [0, 2, 3, 4]
    assert [lane[0].pitch for lane in plan.notes] == [72, 65, 64, 48]
    assert plan.messages == [
        "part Quinto is kept as it is, not continued, and the model does not hear it: it "
        "writes 4 voices, the soprano in part Canto, the alto in part Alto, the tenor in part "
        "Tenor, the bass in part Basso"]
    tracks = Score(parts=tuple(line(p) for p in (47, 59, 63, 66, 71, 75, 78, 83, 40)))
    plan = V.plan_voices(tracks, V.CHORALE_VOICES)
    assert plan.parts == [7, 4, 2, 8]  # ranks 0, 3, 5 and 8 of nine, high to low
    assert plan.messages[0].startswith("parts 1, 2, 4, 6, 7 are kept as they are")
    # a part entering for one note is no voice; of two tenors, the one that sings
    motet = Score(parts=(line(72, "Soprano"), line(67, "Alto"), line(62, "Tenor", notes=1),
                         line(59, "Tenor"), line(50, "Bass")))
    assert V.plan_voices(motet, V.CHORALE_VOICES).parts == [0, 1, 3, 4]
    unnamed = Score(parts=(line(72), line(67), line(63, notes=1), line(59), line(50)))
    assert V.plan_voices(unnamed, V.CHORALE_VOICES).parts == [0, 1, 3, 4]


def test_repairs_are_reported():
    score = Score(parts=(Part((Note(7, 110, TPQ), Note(TPQ, 60, TPQ // 3))),),
                  time_signatures=(TimeSignature(0, 4, 4),))
    enc = V.encode(score, V.VoiceVocabulary(voices=("Melody",)), key=KeySignature(0, 0))
    assert any("between sixteenths" in w for w in enc.warnings)
    assert any("octaves" in w for w in enc.warnings)


@pytest.mark.parametrize("name", ["bwv66.6", "bwv26.6"])
def test_real_chorales_round_trip(name):
    music21 = pytest.importorskip("music21")
    from composer_gui.music.notation import score_from_music21

    score = score_from_music21(music21.corpus.parse(name))
    enc = V.encode(score, VOCAB)
    frames = frames_of(enc.tokens, VOCAB, score.bar_starts(score.end_tick))
    decoded = V.decode_frames(frames, VOCAB, 0, enc.shift)
    assert decoded == [sorted(lane) for lane in enc.plan.notes]
    assert all(x.start % S16 == 0 for lane in decoded for x in lane)


def test_a_whole_piece_decodes_back_to_a_score():
    score = satb(KeySignature(0, 2, "major"), bars=3).transpose(2)
    enc = V.encode(score, VOCAB, fermatas=[3 * TPQ])
    piece = V.decode_piece(enc.tokens, VOCAB)
    assert piece.score.key_at(0) == KeySignature(0, 0, "major")  # normalized: D major -> C
    assert [p.name for p in piece.score.parts] == list(V.CHORALE_VOICES)
    assert [list(p.notes) for p in piece.score.parts] == [
        [replace(n, pitch=n.pitch - 2) for n in p.notes] for p in score.parts]
    assert piece.fermatas == [3 * TPQ] and piece.bars_left == [3, 2, 1]


def test_long_pieces_decode_from_stored_int16_tokens():
    import numpy as np

    score = satb(KeySignature(0, 0, "major"), bars=24)
    enc = V.encode(score, VOCAB)
    piece = V.decode_piece(np.asarray(enc.tokens, np.int16), VOCAB)
    assert piece.score.parts[0].notes[-1].start == score.parts[0].notes[-1].start > 2**15


def test_a_melody_is_one_voice_and_an_empty_voice_is_no_error():
    melody = Score(parts=(Part((Note(0, 72, TPQ), Note(TPQ, 74, TPQ)), name="Flute"),))
    plan = V.plan_voices(melody, V.CHORALE_VOICES)
    assert plan.parts == [0, -1, -1, -1] and [len(lane) for lane in plan.notes] == [2, 0, 0, 0]
    named = Score(parts=(Part((Note(0, 48, TPQ),), name="Bass"),))
    assert V.plan_voices(named, V.CHORALE_VOICES).parts == [-1, -1, -1, 0]
    two_note_chord = Score(parts=(Part((Note(0, 60, TPQ), Note(0, 64, TPQ)), name="Piano"),))
    plan = V.plan_voices(two_note_chord, V.CHORALE_VOICES)
    assert [len(lane) for lane in plan.notes] == [1, 1, 0, 0]


def test_named_voices_keep_their_parts_beside_an_extra_instrument():
    """A chorale with a violin descant above its four named voices (BWV 185.6): each voice is
    its own part (ranked by range, the violin had been the soprano and the bass part left
    silent), and the violin is reported as kept, not continued."""
    parts = (Part((Note(0, 84, TPQ),), name="Violin"), Part((Note(0, 72, TPQ),), name="Soprano"),
             Part((Note(0, 67, TPQ),), name="Alto"), Part((Note(0, 60, TPQ),), name="Tenor"),
             Part((Note(0, 48, TPQ),), name="Bass"))
    plan = V.plan_voices(Score(parts=parts), V.CHORALE_VOICES)
    assert plan.parts == [1, 2, 3, 4]
    assert [[x.pitch for x in lane] for lane in plan.notes] == [[72], [67], [60], [48]]
    assert len(plan.messages) == 1 and "Violin is none of the model's voices" in plan.messages[0]


def test_notes_off_the_grid_are_named_as_a_musician_would():
    """A hornpipe's triplet is named as triplets, not as notes "between sixteenths" (a review
    could not tell what the note meant); a thirty-second between sixteenths is named as that."""
    third = TPQ // 3
    triplet = [Note(i * third, 62 + 2 * i, third) for i in range(3)]
    quick = [Note(TPQ + S16 // 2, 67, S16 // 2)]
    warnings: list[str] = []
    V.voice_grid([triplet + quick], 0, VOCAB, 2 * TPQ, warnings)
    assert warnings == ["the model hears sixteenths only: it heard 2 note(s) of triplets and 1 "
                        "note(s) that start between sixteenths as starting on the nearest "
                        "sixteenth (your notes are unchanged)"]
    warnings = []
    V.voice_grid([triplet], 0, VOCAB, 2 * TPQ, warnings)
    assert warnings == ["the model hears sixteenths only: it heard 2 note(s) of triplets as "
                        "starting on the nearest sixteenth (your notes are unchanged)"]
