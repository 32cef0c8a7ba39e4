"""Standard MIDI files through mido: type 0, 1 and 2 in; type 1 out, which every DAW reads."""

from __future__ import annotations

from collections import defaultdict, deque
from pathlib import Path

import mido

from .atomic import atomic_write, check_readable
from .errors import ScoreFileError
from .score import (
    DRUM_CHANNEL,
    TPQ,
    KeySignature,
    Note,
    Part,
    Score,
    TempoChange,
    TimeSignature,
)

MIN_IMPORTED_DURATION = TPQ // 16  # zero-length notes become a 64th note, so they can be seen and heard


def read_midi(path: str | Path, warnings: list[str] | None = None) -> Score:
    """Read a MIDI file. Oddities that are repaired (not fatal) are appended to ``warnings``."""
    path = check_readable(path)
    try:
        mid = mido.MidiFile(path, clip=True)
    except (OSError, EOFError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise ScoreFileError(path, f"is not a readable MIDI file ({_reason(exc)})") from None
    if mid.ticks_per_beat <= 0:
        raise ScoreFileError(path, "is not a readable MIDI file (SMPTE time is not supported)")
    return score_from_midi(mid, warnings if warnings is not None else [], title=path.stem)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    if isinstance(exc, EOFError) or not text:
        return "the file ends too early" if isinstance(exc, EOFError) else type(exc).__name__
    return text


def score_from_midi(mid: mido.MidiFile, warnings: list[str], title: str = "") -> Score:
    tpb = mid.ticks_per_beat

    def scale(t: int) -> int:
        return (t * TPQ * 2 + tpb) // (2 * tpb)  # round half up, integers only

    tempos: list[TempoChange] = []
    time_sigs: list[TimeSignature] = []
    keys: list[KeySignature] = []
    notes: dict[tuple[int, int], list[Note]] = defaultdict(list)
    programs: dict[tuple[int, int], int] = {}
    names: dict[int, str] = {}
    song_title = ""
    zero_length = unterminated = 0

    for ti, track in enumerate(mid.tracks):
        now = 0
        open_notes: dict[tuple[int, int], deque[tuple[int, int]]] = defaultdict(deque)
        for msg in track:
            now += msg.time
            if msg.is_meta:
                if msg.type == "set_tempo":
                    tempos.append(TempoChange(scale(now), max(1, msg.tempo)))
                elif msg.type == "time_signature":
                    try:
                        time_sigs.append(TimeSignature(scale(now), msg.numerator, msg.denominator))
                    except ValueError:
                        warnings.append(
                            f"ignored an impossible time signature {msg.numerator}/{msg.denominator}"
                        )
                elif msg.type == "key_signature":
                    try:
                        keys.append(KeySignature.parse(msg.key, scale(now)))
                    except ValueError:
                        warnings.append(f"ignored an unknown key signature {msg.key!r}")
                elif msg.type == "track_name" and msg.name.strip():
                    if ti == 0 and len(mid.tracks) > 1 and not song_title:
                        song_title = msg.name.strip()
                    names.setdefault(ti, msg.name.strip())
                continue
            if msg.type == "program_change":
                programs.setdefault((ti, msg.channel), msg.program)
            elif msg.type == "note_on" and msg.velocity > 0:
                open_notes[(msg.channel, msg.note)].append((now, msg.velocity))
            elif msg.type in ("note_off", "note_on"):
                queue = open_notes.get((msg.channel, msg.note))
                if not queue:
                    continue  # a note-off without a note-on: nothing to end
                start, velocity = queue.popleft()  # first on, first off: overlapping notes stay apart
                s, e = scale(start), scale(now)
                if e <= s:
                    zero_length += 1
                    e = s + MIN_IMPORTED_DURATION
                notes[(ti, msg.channel)].append(Note(s, msg.note, e - s, velocity))
        for (channel, pitch), queue in open_notes.items():
            for start, velocity in queue:
                unterminated += 1
                s = scale(start)
                e = max(scale(now), s + MIN_IMPORTED_DURATION)
                notes[(ti, channel)].append(Note(s, pitch, e - s, velocity))

    if zero_length:
        warnings.append(f"{zero_length} zero-length note(s) were given the length of a 64th note")
    if unterminated:
        warnings.append(f"{unterminated} note(s) never switched off were ended at their track's end")

    parts = []
    for ti, channel in sorted(notes):
        is_drum = channel == DRUM_CHANNEL
        name = names.get(ti, "")
        if sum(1 for k in notes if k[0] == ti) > 1:
            name = f"{name} ch{channel + 1}".strip()
        if is_drum and not name:
            name = "Drums"
        parts.append(
            Part(
                notes=tuple(sorted(notes[(ti, channel)])),
                name=name,
                program=programs.get((ti, channel), 0),
                channel=channel,
                is_drum=is_drum,
            )
        )
    return Score(
        parts=tuple(parts) or (Part(),),
        tempos=tuple(tempos) or (TempoChange(0),),
        time_signatures=tuple(time_sigs) or (TimeSignature(0),),
        key_signatures=tuple(keys),
        title=song_title or title,
    )


def midi_from_score(score: Score) -> mido.MidiFile:
    mid = mido.MidiFile(type=1, ticks_per_beat=TPQ)
    conductor: list[tuple[int, int, mido.MetaMessage]] = []
    if score.title:
        conductor.append((0, 0, mido.MetaMessage("track_name", name=score.title)))
    for ts in score.time_signatures:
        conductor.append(
            (ts.tick, 1, mido.MetaMessage("time_signature", numerator=ts.numerator,
                                          denominator=ts.denominator))
        )
    for ks in score.key_signatures:
        name = ks.tonic_name + ("m" if ks.mode == "minor" else "")
        conductor.append((ks.tick, 2, mido.MetaMessage("key_signature", key=name)))
    for tc in score.tempos:
        conductor.append((tc.tick, 3, mido.MetaMessage("set_tempo", tempo=tc.us_per_quarter)))
    mid.tracks.append(_to_track(conductor))

    channels = _assign_channels(score.parts)
    for part, channel in zip(score.parts, channels, strict=True):
        events: list[tuple[int, int, mido.Message | mido.MetaMessage]] = []
        if part.name:
            events.append((0, -2, mido.MetaMessage("track_name", name=part.name)))
        events.append((0, -1, mido.Message("program_change", channel=channel, program=part.program)))
        for n in part.notes:
            vel = max(1, n.velocity)
            events.append((n.start, 1, mido.Message("note_on", channel=channel, note=n.pitch,
                                                    velocity=vel)))
            # Offs sort before ons at the same tick (repeated notes), except a zero-length note's own.
            events.append((n.end, 0 if n.duration else 2,
                           mido.Message("note_off", channel=channel, note=n.pitch, velocity=0)))
        mid.tracks.append(_to_track(events))
    return mid


def _assign_channels(parts) -> list[int]:
    used: list[int] = []
    pitched = [c for c in range(16) if c != DRUM_CHANNEL]
    for i, p in enumerate(parts):
        if p.is_drum:
            used.append(DRUM_CHANNEL)
        elif p.channel != DRUM_CHANNEL and p.channel not in used:
            used.append(p.channel)
        else:
            free = [c for c in pitched if c not in used]
            used.append(free[0] if free else pitched[i % len(pitched)])
    return used


def _to_track(events) -> mido.MidiTrack:
    track = mido.MidiTrack()
    last = 0
    for tick, _, msg in sorted(events, key=lambda e: (e[0], e[1])):
        track.append(msg.copy(time=tick - last))
        last = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def write_midi(score: Score, path: str | Path) -> None:
    mid = midi_from_score(score)
    atomic_write(path, lambda tmp: mid.save(tmp))
