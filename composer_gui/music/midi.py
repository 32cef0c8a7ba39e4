"""Standard MIDI files through mido: type 0, 1 and 2 in; type 1 out, which every DAW reads.

Reading is forgiving where a DAW would be (running status, note-on with velocity 0, overlapping
notes of one pitch, notes never switched off, zero-length notes, foreign chunks, a malformed meta
event) and strict where the file is simply broken (not MIDI, cut short): those raise
``ScoreFileError``.
Everything repaired is reported in ``warnings``.
"""

from __future__ import annotations

import contextlib
import io
import struct
from collections import Counter, defaultdict, deque
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import mido
import mido.midifiles.midifiles as _mido_files

from .atomic import atomic_write, check_readable
from .clefs import pedal_parts
from .errors import ScoreFileError
from .gm import program_name, programs_for_names
from .marks import pedal_anchors, pedal_events
from .quantize import HUMAN_PLAIN, is_human, swing_ratio, swing_words
from .score import (
    DRUM_CHANNEL,
    FERMATA_HOLD,
    TPQ,
    KeySignature,
    Note,
    Part,
    Score,
    TempoChange,
    TimeSignature,
    assign_channels,
    held,
    lyric_syllabic,
    sorted_notes,
)

# A fermata is written as a marker of this text at its onset, beside the tempo that holds it
# (``Score.performed_tempos``: a DAW plays the hold, and MIDI has no fermata of its own); read
# back, the marker is the fermata again and the hold leaves the tempo map.
FERMATA_MARKER = "fermata"
SUSTAIN_PEDAL = 64  # MIDI's controller number for the sustain pedal
# a pedal lifted and put down again within a sixteenth is one pedal with a change; a press up
# to a beat after a chord is struck catches that chord (marks.pedal_anchors)
PEDAL_GAP = TPQ // 4
PEDAL_CATCH = TPQ

# Zero-length notes become a 64th note, so that they can be seen and heard.
MIN_IMPORTED_DURATION = TPQ // 16

# Meta events this module reads; when mido cannot decode one of them it is skipped with a warning.
_KNOWN_META = {0x51: "tempo", 0x58: "time signature", 0x59: "key signature"}

_mido_build_meta_message = _mido_files.build_meta_message


def _lenient_build_meta_message(meta_type, data, delta=0):
    """mido's meta decoder, fixed in two ways that matter for real files.

    mido 1.3 gives an unknown meta event (e.g. a sequencer-specific one) the time 0 instead of its
    delta, which moves every later event of the track earlier; and a single undecodable meta event
    (a key signature with 8 sharps, a truncated time signature) aborts the whole file. Here both
    become an ``UnknownMetaMessage`` that keeps its delta time.
    """
    try:
        msg = _mido_build_meta_message(meta_type, data, delta)
    except Exception:
        return mido.UnknownMetaMessage(meta_type, data, time=delta)
    msg.time = delta
    return msg


# read_meta_message() looks the name up in its module at call time: the one place to fix it.
_mido_files.build_meta_message = _lenient_build_meta_message


def read_midi(path: str | Path, warnings: list[str] | None = None) -> Score:
    """Read a MIDI file. Oddities that are repaired (not fatal) are appended to ``warnings``."""
    path = check_readable(path)
    warnings = warnings if warnings is not None else []
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScoreFileError(path, f"could not be read ({exc.strerror or exc})") from None
    try:
        data = _known_chunks(data, warnings)
        mid = mido.MidiFile(file=io.BytesIO(data), clip=True, charset="latin1")
    except _NotMidi as exc:
        raise ScoreFileError(path, f"is not a MIDI file ({exc})") from None
    except Exception as exc:  # mido raises OSError, EOFError, ValueError, ... for broken bytes
        raise ScoreFileError(path, f"is not a readable MIDI file ({_reason(exc)})") from None
    if mid.ticks_per_beat <= 0:
        raise ScoreFileError(path, "is not a readable MIDI file (SMPTE time is not supported)")
    return score_from_midi(mid, warnings, title=path.stem)


class _NotMidi(ValueError):
    pass


def _known_chunks(data: bytes, warnings: list[str]) -> bytes:
    """Check the chunk structure and keep only the header and the track chunks.

    The standard says readers skip chunk types they don't know (some sequencers add their own);
    mido stops at them instead. A file cut short raises EOFError with a precise reason.
    """
    if len(data) < 14:
        if data[:4] == b"MThd"[: len(data)]:
            raise EOFError("the file ends inside its header")
        raise _NotMidi("it does not start with a MIDI header")
    if data[:4] != b"MThd":
        if data[:4] == b"RIFF" and data[8:12] == b"RMID":
            raise _NotMidi("it is a RIFF MIDI (.rmi) file; extract the MIDI data first")
        raise _NotMidi("it does not start with a MIDI header")
    (header_size,) = struct.unpack(">I", data[4:8])
    if header_size < 6:
        raise _NotMidi("its header is too short")
    _, declared, _ = struct.unpack(">hhh", data[8:14])
    offset = 8 + header_size
    kept = [data[:offset]]
    tracks = foreign = 0
    while tracks < declared and offset < len(data):
        if offset + 8 > len(data):
            raise EOFError(f"the file ends inside the header of track {tracks + 1}")
        name = data[offset:offset + 4]
        (size,) = struct.unpack(">I", data[offset + 4:offset + 8])
        end = offset + 8 + size
        if name == b"MTrk":
            if end > len(data):
                raise EOFError(f"the file ends inside track {tracks + 1} of {declared}")
            kept.append(data[offset:end])
            tracks += 1
        elif name.isascii() and name.isalnum():
            foreign += 1
        else:
            raise ValueError(f"track {tracks + 1} of {declared} is not where the file says")
        offset = end
    if tracks < declared:
        raise EOFError(f"the file holds {tracks} of the {declared} tracks it announces")
    if foreign:
        warnings.append(f"skipped {foreign} chunk(s) that are not MIDI tracks")
    return b"".join(kept)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, EOFError):
        return text or "the file ends too early"
    return text or type(exc).__name__


def _text(name: str) -> str:
    """Meta text is read as Latin-1 (never fails); most programs today write UTF-8, so try that."""
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        name = name.encode("latin-1").decode("utf-8")
    return name.replace("\x00", "").strip()


def _words_onto_notes(notes: dict[tuple[int, int], list[Note]],
                      sung: dict[int, list[tuple[int, str]]]) -> None:
    """Each lyric event of a track onto the highest note its track strikes at that tick
    (``Note.lyric``; a syllable ending in "-" goes on into the next one's word)."""
    for ti, events in sung.items():
        struck: dict[int, tuple[int, int, tuple[int, int]]] = {}  # tick -> (pitch, index, key)
        for key in (k for k in notes if k[0] == ti):
            for i, n in enumerate(notes[key]):
                if n.start not in struck or n.pitch > struck[n.start][0]:
                    struck[n.start] = (n.pitch, i, key)
        going_on = False
        for tick, text in sorted(events, key=lambda e: e[0]):
            lyric = ("-" if going_on else "") + text
            going_on = text.endswith("-") and len(text) > 1
            if tick in struck:
                _p, i, key = struck[tick]
                notes[key][i] = replace(notes[key][i], lyric=lyric)


def score_from_midi(mid: mido.MidiFile, warnings: list[str], title: str = "") -> Score:
    tpb = mid.ticks_per_beat
    if tpb == TPQ:
        def scale(t: int) -> int:
            return t
    else:
        def scale(t: int) -> int:
            return (t * TPQ * 2 + tpb) // (2 * tpb)  # round half up, integers only

    tempos: list[TempoChange] = []
    time_sigs: list[TimeSignature] = []
    keys: list[KeySignature] = []
    fermatas: list[int] = []
    notes: dict[tuple[int, int], list[Note]] = defaultdict(list)
    programs: dict[tuple[int, int], int] = {}
    first_program: dict[int, int] = {}
    empty_parts: dict[tuple[int, int], None] = {}
    names: dict[int, str] = {}
    sung: dict[int, list[tuple[int, str]]] = defaultdict(list)  # track -> (tick, lyric event)
    pedals: dict[tuple[int, int], list[tuple[int, bool]]] = defaultdict(list)  # (tick, down)
    song_title = ""
    zero_length = unterminated = 0
    malformed: dict[str, int] = defaultdict(int)
    multi_track = len(mid.tracks) > 1

    for ti, track in enumerate(mid.tracks):
        now = 0
        open_notes: dict[tuple[int, int], deque[tuple[int, int]]] = defaultdict(deque)
        channels: set[int] = set()
        has_program = False
        track_notes = 0
        for msg in track:
            now += msg.time
            kind = msg.type
            if kind == "note_on" or kind == "note_off":
                channel, pitch = msg.channel, msg.note
                if kind == "note_on" and msg.velocity > 0:
                    open_notes[(channel, pitch)].append((now, msg.velocity))
                    continue
                queue = open_notes.get((channel, pitch))
                if not queue:
                    continue  # a note-off without a note-on: nothing to end
                # first on, first off: overlapping notes of one pitch stay apart
                start, velocity = queue.popleft()
                s, e = scale(start), scale(now)
                if e <= s:
                    zero_length += 1
                    e = s + MIN_IMPORTED_DURATION
                notes[(ti, channel)].append(Note(s, pitch, e - s, velocity))
                track_notes += 1
            elif kind == "control_change" and msg.control == SUSTAIN_PEDAL:
                pedals[(ti, msg.channel)].append((scale(now), msg.value >= 64))
                channels.add(msg.channel)
            elif kind == "program_change":
                programs.setdefault((ti, msg.channel), msg.program)
                first_program.setdefault(msg.channel, msg.program)
                channels.add(msg.channel)
                has_program = True
            elif not msg.is_meta:
                if hasattr(msg, "channel"):
                    channels.add(msg.channel)
            elif kind == "set_tempo":
                tempos.append(TempoChange(scale(now), max(1, msg.tempo)))
            elif kind == "time_signature":
                try:
                    time_sigs.append(TimeSignature(scale(now), msg.numerator, msg.denominator))
                except ValueError:
                    warnings.append(
                        f"ignored an impossible time signature {msg.numerator}/{msg.denominator}"
                    )
            elif kind == "key_signature":
                keys.append(KeySignature.parse(msg.key, scale(now)))
            elif kind == "lyrics" and _text(msg.text):
                sung[ti].append((scale(now), _text(msg.text)))
            elif kind == "marker" and _text(msg.text).lower() == FERMATA_MARKER:
                fermatas.append(scale(now))
            elif kind == "track_name":
                name = _text(msg.name)
                if name:
                    if ti == 0 and multi_track and not song_title:
                        song_title = name
                    names.setdefault(ti, name)
            elif kind == "unknown_meta" and msg.type_byte in _KNOWN_META:
                malformed[_KNOWN_META[msg.type_byte]] += 1
        for (channel, pitch), queue in open_notes.items():
            for start, velocity in queue:
                unterminated += 1
                s = scale(start)
                e = max(scale(now), s + MIN_IMPORTED_DURATION)
                notes[(ti, channel)].append(Note(s, pitch, e - s, velocity))
                track_notes += 1
        if not track_notes and has_program and len(channels) == 1 and (ti > 0 or not multi_track):
            empty_parts[(ti, channels.pop())] = None  # an instrument track with no notes yet

    if zero_length:
        warnings.append(f"{zero_length} zero-length note(s) were given the length of a 64th note")
    if unterminated:
        warnings.append(
            f"{unterminated} note(s) never switched off were ended at their track's end"
        )
    for what, count in malformed.items():
        warnings.append(f"ignored {count} malformed {what} event(s)")

    _words_onto_notes(notes, sung)
    for key, changes in pedals.items():
        if key in notes:
            notes[key] = pedal_marked(notes[key], changes)
    keys_in_order = sorted({*notes, *empty_parts})
    channels_of_track: dict[int, int] = defaultdict(int)
    for ti, _ in keys_in_order:
        channels_of_track[ti] += 1
    parts = []
    stated = {key: key in programs or key[1] in first_program for key in keys_in_order}
    own = _channel_names(keys_in_order, channels_of_track, names, programs, first_program)
    by_name = programs_for_names([names.get(ti, "") for ti, _ in keys_in_order])
    for k, (ti, channel) in enumerate(keys_in_order):
        is_drum = channel == DRUM_CHANNEL
        name = names.get(ti, "")
        if channels_of_track[ti] > 1:
            name = f"{name} ch{channel + 1}".strip() if name else own[(ti, channel)]
        if is_drum and not name:
            name = "Drums"
        program = programs.get((ti, channel), first_program.get(channel, 0))
        if not stated[(ti, channel)] and by_name[k] is not None and not is_drum:
            program = by_name[k]  # a track named "Violin" without a program change
        parts.append(
            Part(
                notes=sorted_notes(notes.get((ti, channel), ())),
                name=name,
                program=program,
                channel=channel,
                is_drum=is_drum,
            )
        )
    if not time_sigs and max((x.end for ns in notes.values() for x in ns), default=0) > \
            TimeSignature(0).bar_ticks:  # (where there are bar lines to misplace)
        # (a trial harmonized a 3/4 tune from such a file across 4/4 bar lines, unsaid)
        warnings.append("the file has no time signature: it is read in 4/4, MIDI's default "
                        "(the header's Time box sets another)")
    score = Score(
        parts=tuple(parts) or (Part(),),
        tempos=tuple(tempos),
        time_signatures=tuple(time_sigs) or (TimeSignature(0),),
        key_signatures=tuple(keys),
        # (the first track's name is the song's where that track is a conductor track; one
        # with notes names its part: a two-track piano file was titled "Right hand")
        title=(song_title if not any(n for (ti, _), n in notes.items() if ti == 0) else "")
        or title,
        fermatas=tuple(fermatas),
    )
    score = _fitting_signatures(score, warnings)
    score = _upbeat_read(_fermatas_unheld(score))
    score = _played_start(score, warnings) if PLAYED_START else score
    ratio = swing_ratio(score)  # (notation writes its eighths even: quantize.SWING)
    if ratio:
        warnings.append(swing_words(ratio))
    return score


def _channel_names(keys: list[tuple[int, int]], channels_of_track: dict[int, int],
                   names: dict[int, str], programs: dict[tuple[int, int], int],
                   first_program: dict[int, int]) -> dict[tuple[int, int], str]:
    """The name of each (track, channel) part of an unnamed track that holds several channels
    (a type 0 file's one track): its General MIDI instrument where the file gives its program,
    "Drums" on channel 10, else "chN"; a name two channels of the track share gets their
    channel numbers ("Violin ch2", "Violin ch3"). A trial read a type 0 file's flute, strings,
    bass and drums as ch1, ch2, ch3 and ch10."""
    out: dict[tuple[int, int], str] = {}
    for ti, channel in keys:
        if channels_of_track[ti] < 2 or names.get(ti):
            continue
        program = programs.get((ti, channel), first_program.get(channel))
        out[(ti, channel)] = "Drums" if channel == DRUM_CHANNEL else \
            program_name(program) if program is not None else ""
    shared = Counter(out.values())
    return {(ti, channel): f"{name} ch{channel + 1}".strip() if shared[name] > 1 or not name
            else name for (ti, channel), name in out.items()}


# A MIDI file's key signature is a sequencer's setting, often left at its default, not an
# engraver's choice: a trial's E major tune said E-flat major, and notation spelled it F-flat,
# C-flat, B-double-flat; a Finale export in music21's tests says C major over F-sharp minor.
# Where the notes of a signature's section (at least SIGNATURE_NOTES) lie outside its scale for
# SIGNATURE_MISFIT of their length or more, and inside another signature's for all but
# SIGNATURE_FIT, that signature replaces it, and the reader says so. A correct signature is not
# that far off: of the 834 signature sections of music21's MusicXML corpus and a sixth of its
# ABC tunes, the most outside their own signature (Beethoven, Webern, a theory exercise) lie
# 0.32-0.45 outside it with no other signature within 0.1; the two wrong files, 0.62 and 0.68
# outside, fit another within 0.09 (docs/notation.md).
SIGNATURE_NOTES = 12
SIGNATURE_MISFIT = 0.4
SIGNATURE_FIT = 0.1


def _fitting_signatures(score: Score, warnings: list[str]) -> Score:
    """The score with each key signature its notes contradict replaced by the one they fit
    (:data:`SIGNATURE_MISFIT`), its mode kept (the key finder still weighs the mode against
    the notes, as for any MIDI file's major); said in ``warnings``."""
    keys = list(score.key_signatures)
    pitched = [n for p in score.parts if not p.is_drum for n in p.notes]
    for i, key in enumerate(keys):
        end = keys[i + 1].tick if i + 1 < len(keys) else None
        notes = [n for n in pitched if key.tick <= n.start and (end is None or n.start < end)]
        if len(notes) < SIGNATURE_NOTES:
            continue
        weight = [0] * 12
        for n in notes:
            weight[n.pitch % 12] += max(n.duration, 1)
        outside = {s: _outside(weight, s) for s in range(-7, 8)}
        best = min(outside, key=lambda s: (outside[s], abs(s)))
        if outside[key.sharps] >= SIGNATURE_MISFIT and outside[best] <= SIGNATURE_FIT:
            keys[i] = replace(key, sharps=best)
            where = f" from bar {score.bar_number(score.bar_at(key.tick))}" if key.tick else ""
            warnings.append(
                f"the file's key signature{where}, {key.tonic_name} {key.mode}, does not fit "
                f"its notes ({round(100 * outside[key.sharps])}% of their length lies outside "
                f"it): read as {keys[i].tonic_name} {keys[i].mode} ({_accidentals(best)}), "
                "which they fit")
    return score if keys == list(score.key_signatures) else replace(
        score, key_signatures=tuple(keys))


def _outside(weight: list[int], sharps: int) -> float:
    """The share of ``weight`` (per pitch class) outside the seven notes of a signature."""
    inside = {q * 7 % 12 for q in range(sharps - 1, sharps + 6)}
    return sum(w for pc, w in enumerate(weight) if pc not in inside) / sum(weight)


def _accidentals(sharps: int) -> str:
    n = abs(sharps)
    return "no sharps or flats" if not n else \
        f"{n} {'sharp' if sharps > 0 else 'flat'}{'s' * (n != 1)}"


# A recording (quantize.is_human: its onsets off every notation grid) starts where its first
# note is: whole bars of silence before it (a count-in) are left out, and a first bar whose
# notes begin in its second half is an upbeat (its length from the first note, to the nearest
# sixteenth; a first note played up to half a sixteenth early starts on it, its end kept). A
# review of played MIDI files read six recordings on a DAW's bar grid with an empty bar, then
# a bar of rests before the upbeat, both to be deleted by hand. Drawn and notated files keep
# their bars (a sketch may open with rests) and round-trip exactly.
PLAYED_START = True


def _played_start(score: Score, warnings: list[str]) -> Score:
    """A recording that opens with silence, from its first note (:data:`PLAYED_START`)."""
    if score.pickup or not any(is_human(p.notes) for p in score.parts if not p.is_drum):
        return score
    first = min((n.start for p in score.parts for n in p.notes), default=0)
    empty = score.bar_at(first)
    if empty:
        cut = score.bar_start(empty)
        score = score.slice(cut, score.end_tick + 1)
        first -= cut
        warnings.append(f"left out {_bars(empty)} of silence before the first note (a count-in)")
    if score.bar_count() < 2:
        return score
    length = score.bar_start(1)
    onset = (first + HUMAN_PLAIN // 2) // HUMAN_PLAIN * HUMAN_PLAIN
    if not length <= 2 * onset < 2 * length:
        return score
    # (a first note played a little early starts the upbeat, its end kept)
    return replace(score.map_notes(
        lambda n: replace(n, start=onset, duration=max(1, n.end - onset))
        if n.start < onset else n, drums=True), pickup=length - onset)


def _bars(count: int) -> str:
    return f"{count} bar{'s' if count > 1 else ''}"


def _upbeat_read(score: Score) -> Score:
    """A first bar shorter than the meter that follows it, written in that meter's denominator
    (or the first finer one that holds it), with notes in it, is an upbeat, as MuseScore and
    ``midi_from_score`` write one: its notes move to the end of a full first bar in the
    following meter, and the score's ``pickup`` says how long it is. (A piece that opens with
    one bar of 2/4 before its 4/4 looks the same in a MIDI file, and reads as an upbeat.)"""
    meters = score.time_signatures
    if len(meters) < 2 or meters[1].tick != meters[0].bar_ticks or \
            meters[0].bar_ticks >= meters[1].bar_ticks or \
            _upbeat_meter(meters[0].bar_ticks, meters[1]) != meters[0] or \
            not any(n.start < meters[1].tick for p in score.parts for n in p.notes):
        return score
    shift = meters[1].bar_ticks - meters[0].bar_ticks

    def later(events):
        return tuple(e if not e.tick else replace(e, tick=e.tick + shift) for e in events)

    return replace(
        score,
        parts=tuple(p.with_notes([replace(n, start=n.start + shift) for n in p.notes])
                    for p in score.parts),
        tempos=later(score.tempos),
        time_signatures=(replace(meters[1], tick=0), *later(meters[2:])),
        key_signatures=later(score.key_signatures),
        fermatas=tuple(t + shift for t in score.fermatas),
        pickup=meters[0].bar_ticks,
    )


def _fermatas_unheld(score: Score) -> Score:
    """The tempo map without the holds that ``midi_from_score`` wrote for the fermatas: only
    where the file's map is exactly the one those holds make, a tempo change at each (a file
    whose markers say "fermata" over a tempo map of its own keeps its tempos)."""
    spans = score.fermata_spans
    if not spans:
        return score
    tempos = held(score.tempos, spans, Fraction(1, FERMATA_HOLD))
    as_written = [(t.tick, t.us_per_quarter) for t in score.tempos]
    changes = {t.tick for t in score.tempos}
    if [(t.tick, t.us_per_quarter) for t in held(tempos, spans)] != as_written or any(
            start not in changes for start, _ in spans):
        return score
    return replace(score, tempos=tempos)


def pedal_marked(notes: list[Note], presses: list[tuple[int, bool]]) -> list[Note]:
    """A part's notes with the pedal marks of its sustain pedal, ``presses`` (tick, down) in
    time order: the pedal's first chord, its changes and its last note (``marks.PEDAL``)."""
    anchors = pedal_anchors([(n.start, n.end, n.pitch) for n in notes], presses, PEDAL_GAP,
                            PEDAL_CATCH)
    return [replace(n, marks=(*n.marks, *anchors[i])) if i in anchors else n
            for i, n in enumerate(notes)]


def _tick_and_order(event: tuple[int, int, int, int]) -> tuple[int, int]:
    return event[0], event[1]


def _pickup_meter(score: Score) -> TimeSignature | None:
    """The meter a file writes the upbeat bar in, its length over the score's denominator or
    a finer one (an eighth's upbeat in 4/4 is a bar of 1/8); None where there is no upbeat,
    the meter changes within the first bar, or no meter holds the upbeat's length (a triplet's
    upbeat keeps the full first bar of rests)."""
    first = score.time_signatures[0]
    if not score.upbeat or (len(score.time_signatures) > 1
                            and score.time_signatures[1].tick < first.bar_ticks):
        return None
    return _upbeat_meter(score.upbeat, first)


def _upbeat_meter(length: int, meter: TimeSignature) -> TimeSignature | None:
    """The meter of an upbeat bar of ``length`` ticks before ``meter``: in its denominator, or
    the first finer one that holds the length."""
    denominator, whole = meter.denominator, TPQ * 4
    while denominator <= 64:
        if length * denominator % whole == 0:
            return TimeSignature(0, length * denominator // whole, denominator)
        denominator *= 2
    return None


def midi_from_score(score: Score) -> mido.MidiFile:
    """A type 1 file at ``TPQ`` ticks per beat: a conductor track, then one track per part.

    An upbeat is written as MuseScore writes one: a first bar of its own length and meter
    (1/8 before a jig's 6/8), the music starting at once; MuseScore's MIDI import reads that
    as a pickup, and ``read_midi`` does too. The key signature is in every part's track as
    well as the conductor's: MuseScore 3 reads it only there. Chord symbols are not written:
    MIDI has none, and no program reads one back from a marker (``fidelity`` says so)."""
    mid = mido.MidiFile(type=1, ticks_per_beat=TPQ, charset="utf-8")
    pickup = _pickup_meter(score)
    offset = score.time_signatures[0].bar_ticks - score.upbeat if pickup else 0

    def at(tick: int) -> int:
        return max(tick - offset, 0)

    conductor: list[tuple[int, int, mido.MetaMessage]] = []
    if score.title:
        conductor.append((0, 0, mido.MetaMessage("track_name", name=score.title)))
    meters = list(score.time_signatures)
    if pickup:
        meters = [pickup, replace(meters[0], tick=offset + pickup.bar_ticks), *meters[1:]]
    for ts in meters:
        conductor.append(
            (at(ts.tick), 1, mido.MetaMessage("time_signature", numerator=ts.numerator,
                                              denominator=ts.denominator))
        )
    keys = []
    for ks in score.key_signatures:
        # a MIDI key signature says major or minor only: a church mode keeps its signature
        # and its family (D Dorian is written as A minor's signature)
        as_midi = KeySignature(ks.tick, ks.sharps, ks.quality)
        name = as_midi.tonic_name + ("m" if as_midi.mode == "minor" else "")
        keys.append((at(ks.tick), mido.MetaMessage("key_signature", key=name)))
    conductor.extend((tick, 2, msg) for tick, msg in keys)
    for tc in score.performed_tempos:  # the fermatas held
        if not tc.stated:
            continue  # MIDI's default tempo is the same 120 bpm; reading it back, unstated again
        conductor.append((at(tc.tick), 3, mido.MetaMessage("set_tempo",
                                                           tempo=tc.us_per_quarter)))
    for tick in score.fermatas:
        conductor.append((at(tick), 4, mido.MetaMessage("marker", text=FERMATA_MARKER)))
    conductor.sort(key=lambda e: (e[0], e[1]))
    mid.tracks.append(_to_track([(t, m) for t, _, m in conductor]))

    channels = assign_channels(score.parts)
    pedals = pedal_parts(score.parts)
    for index, (part, channel) in enumerate(zip(score.parts, channels, strict=True)):
        head: list[tuple[int, mido.Message | mido.MetaMessage]] = []
        if part.name:
            head.append((0, mido.MetaMessage("track_name", name=part.name)))
        head.extend((tick, msg) for tick, msg in keys if not tick)
        head.append((0, mido.Message("program_change", channel=channel, program=part.program)))
        # (tick, order, pitch, velocity): offs sort before ons at the same tick (repeated notes),
        # except a zero-length note's own off, which must follow its on. The sort is stable and
        # by (tick, order) only: ons of one pitch at one tick stay in score order (shortest first),
        # so that a reader pairing ons and offs first-in first-out gets each note back exactly.
        events = []
        words: list[mido.MetaMessage] = []  # (a chord's words once, before its notes)
        said: set[int] = set()
        for n in part.notes:
            if n.lyric and n.start not in said:
                said.add(n.start)
                syllabic, text = lyric_syllabic(n.lyric)
                words.append(mido.MetaMessage("lyrics", text=text + (
                    "-" if syllabic in ("begin", "middle") else " ")))
                events.append((n.start - offset, -2, len(words) - 1, 0))
            events.append((n.start - offset, 1, n.pitch, n.velocity))
            events.append((n.start - offset + n.duration, 0 if n.duration else 2, n.pitch, 0))
        # key changes after the start, before the notes at their tick (order -1)
        events.extend((tick, -1, i, 0) for i, (tick, _) in enumerate(keys) if tick)
        # the sustain pedal: up (order -4) before what is struck at its tick, down (4) after
        # the notes that end there, so that a change holds the new chord and not the old
        events.extend((tick - offset, 4 if down else -4, SUSTAIN_PEDAL, 127 if down else 0)
                      for tick, down in pedal_events([(n.start, n.end, n.marks) for n in
                                                      score.parts[pedals[index]].notes]))
        events.sort(key=_tick_and_order)
        track = _to_track(head, close=False)
        last = 0
        message = mido.Message
        for tick, order, pitch, velocity in events:
            if order == -2:
                track.append(words[pitch].copy(time=tick - last))
                last = tick
                continue
            if order in (-4, 4):
                track.append(message("control_change", channel=channel,
                                     control=SUSTAIN_PEDAL, value=velocity, time=tick - last))
                last = tick
                continue
            if order < 0:
                track.append(keys[pitch][1].copy(time=tick - last))
                last = tick
                continue
            # Values come from validated Notes, so mido's per-message checks (most of the time
            # spent on a big file) can be skipped.
            kind = "note_off" if order != 1 else "note_on"
            track.append(message(kind, skip_checks=True, channel=channel, note=pitch,
                                 velocity=velocity, time=tick - last))
            last = tick
        track.append(mido.MetaMessage("end_of_track", time=0))
        mid.tracks.append(track)
    return mid


def modes_unkept(score: Score) -> list[str]:
    """What a MIDI file writes for each church-mode key of ``score`` ("A dorian is written as
    E minor's key signature (1 sharp)"): a MIDI key signature says major or minor only
    (:func:`midi_from_score`), and a copy read back names another key. A trial's export of a
    Dorian tune was told only that "the copy changed the key signatures"."""
    out: list[str] = []
    for ks in score.key_signatures:
        if ks.mode in ("major", "minor"):
            continue
        as_midi = KeySignature(ks.tick, ks.sharps, ks.quality)
        said = (f"{ks.tonic_name} {ks.mode} is written as {as_midi.tonic_name} {as_midi.mode}'s "
                f"key signature ({_accidentals(ks.sharps)}): a MIDI key signature says major or "
                "minor only")
        if said not in out:
            out.append(said)
    return out


def _to_track(events, close: bool = True) -> mido.MidiTrack:
    track = mido.MidiTrack()
    last = 0
    for tick, msg in events:
        track.append(msg.copy(time=tick - last))
        last = tick
    if close:
        track.append(mido.MetaMessage("end_of_track", time=0))
    return track


# A delta time is a variable-length number of at most 4 bytes (the standard's limit).
MAX_DELTA = 0x0FFFFFFF


def write_midi(score: Score, path: str | Path) -> None:
    """Write a type 1 file, atomically. A gap longer than a delta time holds (about 155 hours at
    120 bpm; a score within the maximum length never has one) is refused, never written wrong."""
    mid = midi_from_score(score)
    for track in mid.tracks:
        if any(msg.time > MAX_DELTA for msg in track):
            raise ScoreFileError(path, "could not be written: a gap between two events is longer "
                                 "than a MIDI file can hold")
    atomic_write(path, lambda tmp: mid.save(tmp))
