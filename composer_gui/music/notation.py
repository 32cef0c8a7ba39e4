"""MusicXML (.musicxml/.xml/.mxl) and ABC through music21.

music21 does the notation-making (measures, ties across bar lines, rests, voices, tuplets); we only
move notes between its streams and our integer-tick score. It is imported lazily: it costs about a
second at start-up.
"""

from __future__ import annotations

import contextlib
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

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
    assign_channels,
    quantize_note,
    sorted_notes,
)

_FORMATS = {".abc": "abc", ".mxl": "musicxml", ".xml": "musicxml", ".musicxml": "musicxml"}


def _m21():
    import music21

    return music21


def read_notation(path: str | Path, warnings: list[str] | None = None) -> Score:
    """Read MusicXML, compressed MusicXML or ABC. A multi-tune ABC file gives its first tune."""
    path = check_readable(path)
    warnings = warnings if warnings is not None else []
    m21 = _m21()
    fmt = _FORMATS.get(path.suffix.lower())
    what = {"abc": "ABC", "musicxml": "MusicXML"}.get(fmt or "", "notation")
    if path.suffix.lower() == ".mxl" and not zipfile.is_zipfile(path):
        raise ScoreFileError(path, "is not compressed MusicXML (.mxl files are zip archives)")
    try:
        parsed = m21.converter.parse(str(path), format=fmt, forceSource=True)
    except Exception as exc:  # music21 raises many unrelated types for broken input
        raise ScoreFileError(path, f"could not be read as {what} ({_reason(exc)})") from None
    if isinstance(parsed, m21.stream.Opus):
        scores = list(parsed.scores)
        if not scores:
            raise ScoreFileError(path, "holds no tunes")
        if len(scores) > 1:
            warnings.append(f"the file holds {len(scores)} tunes; read the first")
        parsed = scores[0]
    try:
        score = score_from_music21(parsed, title=path.stem, warnings=warnings)
    except Exception as exc:
        raise ScoreFileError(path, f"could not be read as {what} ({_reason(exc)})") from None
    if score.note_count == 0:
        raise ScoreFileError(path, "holds no notes")
    if score.title == path.name:  # music21 names an untitled MusicXML score after its file
        score = replace(score, title=path.stem)
    return score


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if len(text) > 160:
        text = text[:157] + "..."
    return text or type(exc).__name__


def _ticks(offset) -> int:
    return round(Fraction(offset) * TPQ)


def _pickup_ticks(part) -> int:
    """How far a pickup (anacrusis) bar falls short of a full bar: notes move right by this much,
    so that bar lines stay where the score's time signature puts them."""
    measures = part.getElementsByClass("Measure")
    if not measures:
        return 0
    first = measures[0]
    padding = getattr(first, "paddingLeft", 0) or 0
    return max(0, _ticks(padding))


def score_from_music21(stream, title: str = "", warnings: list[str] | None = None) -> Score:
    """Convert a music21 Score (or Part/Stream) to a Score; tied notes become one note."""
    m21 = _m21()
    warnings = warnings if warnings is not None else []
    parts_in = list(stream.parts) if hasattr(stream, "parts") and stream.parts else [stream]
    shift = _pickup_ticks(parts_in[0])

    def at(offset) -> int:  # events at the very start stay there; later ones move with the notes
        t = _ticks(offset)
        return t + shift if t > 0 else 0

    parts: list[Part] = []
    out_of_range = [0]
    used_channels: list[int] = []
    for i, p in enumerate(parts_in):
        notes = _part_notes(m21, p, shift, out_of_range)
        instrument = p.getInstrument(returnDefault=False)
        program = 0
        if instrument is not None and instrument.midiProgram is not None:
            program = max(0, min(127, instrument.midiProgram))
        is_drum = instrument is not None and (
            isinstance(instrument, m21.instrument.UnpitchedPercussion)
            or instrument.midiChannel == DRUM_CHANNEL
        )
        if is_drum:
            channel = DRUM_CHANNEL
        else:
            channel = next((c for c in range(16) if c != DRUM_CHANNEL and c not in used_channels),
                           0)
            used_channels.append(channel)
        name = (p.partName or (instrument.partName if instrument else None) or "").strip()
        parts.append(Part(sorted_notes(notes), name=name or f"Part {i + 1}", program=program,
                          channel=channel, is_drum=is_drum))
    if out_of_range[0]:
        warnings.append(f"left out {out_of_range[0]} note(s) outside MIDI's pitch range")

    flat = parts_in[0].flatten()
    time_sigs = []
    for ts in flat.getElementsByClass(m21.meter.TimeSignature):
        try:
            time_sigs.append(TimeSignature(at(ts.offset), ts.numerator, ts.denominator))
        except (ValueError, TypeError):
            warnings.append(f"ignored the time signature {ts.ratioString}, which MIDI cannot hold")
    keys = []
    for ks in flat.getElementsByClass(m21.key.KeySignature):
        mode = getattr(ks, "mode", "major")
        keys.append(KeySignature(at(ks.offset), max(-7, min(7, ks.sharps)),
                                 "minor" if mode == "minor" else "major"))
    tempos = []
    for start, _end, mark in stream.flatten().metronomeMarkBoundaries():
        bpm = mark.getQuarterBPM()
        if not bpm:
            continue
        try:
            tempos.append(TempoChange.from_bpm(at(start), bpm))
        except ValueError:
            warnings.append(f"ignored a tempo of {bpm:g} bpm")
    md = getattr(stream, "metadata", None)
    md_title = next((t for t in (getattr(md, "title", None), getattr(md, "movementName", None))
                     if t), None)
    return Score(
        parts=tuple(parts) or (Part(),),
        tempos=tuple(tempos) or (TempoChange(0),),
        time_signatures=tuple(time_sigs) or (TimeSignature(0),),
        key_signatures=tuple(keys),
        title=(md_title or title or "").strip(),
    )


def _part_notes(m21, part, shift: int, out_of_range: list[int]) -> list[Note]:
    """A part's notes with tied notes joined into one.

    Ties are matched by pitch, note by note, across voices and chords (music21's stripTies only
    joins ties within one voice, and its voices are renumbered bar by bar): a tie continues a held
    note of the same pitch that ends exactly where the tied note starts.
    """
    done: list[tuple[int, int, int, int]] = []
    held: dict[int, list[int]] = {}  # pitch -> [start, end, velocity] of a note whose tie goes on
    for el in part.flatten().notes:
        start, dur = _ticks(el.offset) + shift, _ticks(el.quarterLength)
        if dur <= 0:  # grace notes have no time of their own
            continue
        velocity = el.volume.velocity if el.volume.velocity is not None else 80
        velocity = max(1, min(127, round(velocity)))
        for midi, tie, spelling in _members(m21, el):
            if not 0 <= midi <= 127:
                out_of_range[0] += 1
                continue
            note = held.get(midi)
            if note is not None and tie in ("stop", "continue") and note[1] == start:
                note[1] = start + dur
                if tie == "stop":
                    del held[midi]
                    done.append((note[0], midi, note[1] - note[0], note[2], note[3]))
                continue
            if note is not None:  # a tie that leads nowhere: the held note ends where it got to
                del held[midi]
                done.append((note[0], midi, note[1] - note[0], note[2], note[3]))
            if tie in ("start", "continue"):
                held[midi] = [start, start + dur, velocity, spelling]
            else:
                done.append((start, midi, dur, velocity, spelling))
    done.extend((n[0], midi, n[1] - n[0], n[2], n[3]) for midi, n in held.items())
    return [Note(*n) for n in done]


def _members(m21, el) -> Iterator[tuple[int, str | None, str | None]]:
    """(MIDI pitch, tie type, spelling) of a note, a chord, an unpitched (percussion) note or
    chord."""
    chord_tie = el.tie.type if isinstance(el, m21.chord.ChordBase) and el.tie else None
    members = el.notes if isinstance(el, m21.chord.ChordBase) else (el,)
    for m in members:
        tie = m.tie.type if m.tie is not None else chord_tie
        pitch = getattr(m, "pitch", None)
        if pitch is not None:
            yield round(pitch.ps), tie, _spelling(pitch)
            continue
        instrument = getattr(m, "storedInstrument", None)  # unpitched: its drum sound, if known
        perc = getattr(instrument, "percMapPitch", None)
        yield (perc if perc is not None else round(m.displayPitch().ps)), tie, None


_M21_ALTERS = {0: "", 1: "#", 2: "##", -1: "b", -2: "bb"}


def _spelling(pitch) -> str | None:
    """music21's pitch as our spelling ("E#", "Bb"); None for microtones or triple accidentals."""
    alter = pitch.alter
    if alter != int(alter) or int(alter) not in _M21_ALTERS:
        return None
    return pitch.step + _M21_ALTERS[int(alter)]


NOTATION_GRID = TPQ // 12


def music21_from_score(score: Score):
    """Build a music21 Score with measures; overlapping notes in a part go to separate voices.

    Every voice is filled with rests from the start to the end of the last bar, so that each part
    runs to the same final bar line and notation programs show real (not hidden) rests.
    """
    m21 = _m21()
    # Notation can't write arbitrary tick lengths (a human-timed MIDI file, a note drawn with snap
    # off): notes go to the 1/48-note grid first, which holds 16ths, 32nds-of-triplets and triplets.
    score = score.map_notes(
        lambda n: quantize_note(n, NOTATION_GRID) if n.duration else n, drums=True)
    out = m21.stream.Score()
    md = m21.metadata.Metadata()
    if score.title:
        md.title = score.title
        md.movementName = score.title
    out.insert(0, md)
    # up to the last bar line after the notes, or after the last meter or key change if later
    changes = [e.tick for e in (*score.time_signatures, *score.key_signatures)]
    end = score.bar_start(max(score.bar_count(), *(score.bar_at(t) + 1 for t in changes)))
    channels = assign_channels(score.parts)
    for number, (part, channel) in enumerate(zip(score.parts, channels, strict=True), start=1):
        p = m21.stream.Part()
        p.partName = part.name or None
        if part.is_drum:
            inst = m21.instrument.UnpitchedPercussion()
        else:
            try:
                inst = m21.instrument.instrumentFromMidiProgram(part.program)
            except Exception:
                inst = m21.instrument.Instrument()
        inst.midiProgram = part.program
        inst.midiChannel = channel
        # fixed ids (music21's are random): the same score gives the same bytes
        inst.partId, inst.instrumentId = f"P{number}", f"P{number}-I1"
        if part.name:
            inst.partName = part.name
        p.insert(0, inst)
        for tick, num, den in _notation_meters(score):
            p.insert(Fraction(tick, TPQ), m21.meter.TimeSignature(f"{num}/{den}"))
        for ks in score.key_signatures:
            p.insert(Fraction(ks.tick, TPQ), m21.key.KeySignature(ks.sharps).asKey(ks.mode))
        voices = _split_voices(part.notes) or [[]]
        if len(voices) == 1:
            for offset, el in _elements(m21, voices[0], end, hide_rests=False):
                p.insert(offset, el)
        else:
            for number, v in enumerate(voices, start=1):
                voice = m21.stream.Voice(id=str(number))
                for offset, el in _elements(m21, v, end, hide_rests=number > 1):
                    voice.insert(offset, el)
                p.insert(0, voice)
        out.insert(0, p)
    first = out.parts[0]
    for tc in score.tempos:
        first.insert(Fraction(tc.tick, TPQ), m21.tempo.MetronomeMark(number=round(tc.bpm, 2)))
    out = out.makeNotation()
    for p in out.parts:  # MusicXML counts voices from 1 (music21 numbers the ones it makes from 0)
        for m in p.getElementsByClass(m21.stream.Measure):
            for number, voice in enumerate(m.voices, start=1):
                voice.id = number
    return out


def _notation_meters(score: Score) -> list[tuple[int, int, int]]:
    """The score's time signatures as notation needs them: where a meter changes in the middle of
    a bar (as MIDI files allow), the bar cut short gets a time signature of its own length."""
    out = []
    tss = score.time_signatures
    for ts, following in zip(tss, (*tss[1:], None), strict=True):
        out.append((ts.tick, ts.numerator, ts.denominator))
        if following is None:
            break
        rest = (following.tick - ts.tick) % ts.bar_ticks
        if not rest:
            continue
        for den in sorted({ts.denominator, 4, 8, 16, 32, 64}):
            if rest * den % (4 * TPQ) == 0:
                out.append((following.tick - rest, rest * den // (4 * TPQ), den))
                break
    return out


def _split_voices(notes) -> list[list[list[Note]]]:
    """Greedy interval colouring; a voice is a list of chords (notes sharing start and length)."""
    chords: dict[tuple[int, int], list[Note]] = {}
    for n in notes:
        chords.setdefault((n.start, n.duration), []).append(n)
    voices: list[list[list[Note]]] = []
    ends: list[int] = []
    for (start, dur), group in sorted(chords.items()):
        for i, end in enumerate(ends):
            if end <= start:
                voices[i].append(group)
                ends[i] = start + max(dur, 1)
                break
        else:
            voices.append([group])
            ends.append(start + max(dur, 1))
    return voices


def _elements(m21, chords, end: int, *, hide_rests: bool):
    """(offset, note/chord/rest) for one voice, with rests in every gap and up to ``end``."""
    now = 0

    def rest(length: int):
        r = m21.note.Rest(quarterLength=Fraction(length, TPQ))
        if hide_rests:
            r.style.hideObjectOnPrint = True
        return Fraction(now, TPQ), r

    for group in chords:
        start, duration = group[0].start, group[0].duration
        if duration <= 0:
            continue  # a zero-length note cannot be written as notation
        if start > now:
            yield rest(start - now)
        ql = Fraction(duration, TPQ)
        if len(group) == 1:
            el = m21.note.Note(group[0].pitch, quarterLength=ql)
        else:
            el = m21.chord.Chord([n.pitch for n in group], quarterLength=ql)
        el.volume.velocity = round(sum(n.velocity for n in group) / len(group))
        yield Fraction(start, TPQ), el
        now = start + duration
    if end > now:
        yield rest(end - now)


@contextlib.contextmanager
def _no_made_up_credits(m21):
    """music21 writes "Music21" as the composer and "Music21 Fragment" as the title of a score that
    names neither; notation programs would print them on the title page."""
    old = m21.defaults.author, m21.defaults.title
    m21.defaults.author = m21.defaults.title = ""
    try:
        yield
    finally:
        m21.defaults.author, m21.defaults.title = old


def write_musicxml(score: Score, path: str | Path) -> None:
    """Write MusicXML (``.musicxml``/``.xml``) or compressed MusicXML (``.mxl``), atomically."""
    path = Path(path)
    m21 = _m21()
    try:
        stream = music21_from_score(score)
    except Exception as exc:
        raise ScoreFileError(path, f"could not be turned into notation ({_reason(exc)})") from None
    compressed = path.suffix.lower() == ".mxl"

    def write(tmp: Path) -> None:
        # music21 picks the file's form from its extension, so it writes beside tmp, then renames.
        target = tmp.with_name(tmp.name + (".mxl" if compressed else ".musicxml"))
        try:
            with _no_made_up_credits(m21):
                stream.write("mxl" if compressed else "musicxml", fp=str(target))
            target.replace(tmp)
        except OSError:
            raise
        except Exception as exc:
            reason = _reason(exc)
            raise ScoreFileError(path, f"could not be written as MusicXML ({reason})") from None
        finally:
            target.unlink(missing_ok=True)

    atomic_write(path, write)
