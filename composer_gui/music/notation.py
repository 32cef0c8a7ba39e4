"""MusicXML (.musicxml/.xml/.mxl) and ABC through music21.

music21 does the notation-making (measures, ties across bar lines, rests, voices); we only move notes
between its streams and our integer-tick score. It is imported lazily: it costs ~1 s at start-up.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from .atomic import atomic_write, check_readable
from .errors import ScoreFileError
from .score import TPQ, KeySignature, Note, Part, Score, TempoChange, TimeSignature


def _m21():
    import music21

    return music21


def read_notation(path: str | Path, warnings: list[str] | None = None) -> Score:
    """Read MusicXML, compressed MusicXML or ABC. A multi-tune ABC file gives its first tune."""
    path = check_readable(path)
    warnings = warnings if warnings is not None else []
    m21 = _m21()
    fmt = {".abc": "abc", ".mxl": "musicxml", ".xml": "musicxml", ".musicxml": "musicxml"}.get(
        path.suffix.lower()
    )
    try:
        parsed = m21.converter.parse(str(path), format=fmt, forceSource=True)
    except Exception as exc:  # music21 raises many unrelated types for broken input
        raise ScoreFileError(path, f"could not be read as {fmt or 'notation'} ({_reason(exc)})") from None
    if isinstance(parsed, m21.stream.Opus):
        scores = list(parsed.scores)
        if not scores:
            raise ScoreFileError(path, "holds no tunes")
        if len(scores) > 1:
            warnings.append(f"the file holds {len(scores)} tunes; read the first")
        parsed = scores[0]
    score = score_from_music21(parsed, title=path.stem)
    if score.note_count == 0:
        raise ScoreFileError(path, "holds no notes")
    return score


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if len(text) > 160:
        text = text[:157] + "..."
    return text or type(exc).__name__


def _ticks(offset) -> int:
    return round(Fraction(offset) * TPQ)


def score_from_music21(stream, title: str = "") -> Score:
    """Convert a music21 Score (or Part/Stream) to a Score; tied notes become one note."""
    m21 = _m21()
    parts_in = list(stream.parts) if hasattr(stream, "parts") and stream.parts else [stream]
    parts: list[Part] = []
    for i, p in enumerate(parts_in):
        flat = p.stripTies().flatten()
        notes = []
        for el in flat.notes:
            start, dur = _ticks(el.offset), _ticks(el.quarterLength)
            if dur <= 0:  # grace notes have no time of their own
                continue
            velocity = el.volume.velocity if el.volume.velocity is not None else 80
            pitches = el.pitches if isinstance(el, m21.chord.Chord) else (el.pitch,)
            for pitch in pitches:
                if 0 <= pitch.midi <= 127:
                    notes.append(Note(start, pitch.midi, dur, max(1, min(127, int(velocity)))))
        instrument = p.getInstrument(returnDefault=False)
        program = 0
        if instrument is not None and instrument.midiProgram is not None:
            program = instrument.midiProgram
        name = (p.partName or (instrument.partName if instrument else None) or "").strip()
        parts.append(Part(tuple(sorted(notes)), name=name or f"Part {i + 1}", program=program,
                          channel=i if i < 9 else i + 1 if i < 15 else 0))

    flat = parts_in[0].flatten() if parts_in else stream.flatten()
    time_sigs = [
        TimeSignature(_ticks(ts.offset), ts.numerator, ts.denominator)
        for ts in flat.getElementsByClass(m21.meter.TimeSignature)
    ]
    keys = []
    for ks in flat.getElementsByClass(m21.key.KeySignature):
        mode = getattr(ks, "mode", "major")
        keys.append(KeySignature(_ticks(ks.offset), max(-7, min(7, ks.sharps)),
                                 "minor" if mode == "minor" else "major"))
    tempos = []
    for start, _end, mark in stream.flatten().metronomeMarkBoundaries():
        bpm = mark.getQuarterBPM()
        if bpm:
            tempos.append(TempoChange.from_bpm(_ticks(start), bpm))
    md_title = stream.metadata.title if getattr(stream, "metadata", None) else None
    return Score(
        parts=tuple(parts) or (Part(),),
        tempos=tuple(tempos) or (TempoChange(0),),
        time_signatures=tuple(time_sigs) or (TimeSignature(0),),
        key_signatures=tuple(keys),
        title=(md_title or title or "").strip(),
    )


def music21_from_score(score: Score):
    """Build a music21 Score; overlapping notes in a part go to separate voices."""
    m21 = _m21()
    out = m21.stream.Score()
    out.insert(0, m21.metadata.Metadata(title=score.title or "Untitled"))
    for part in score.parts:
        p = m21.stream.Part()
        p.partName = part.name or None
        if part.is_drum:
            inst = m21.instrument.UnpitchedPercussion()
        else:
            inst = m21.instrument.instrumentFromMidiProgram(part.program)
        inst.midiProgram = part.program
        p.insert(0, inst)
        for ts in score.time_signatures:
            p.insert(Fraction(ts.tick, TPQ), m21.meter.TimeSignature(f"{ts.numerator}/{ts.denominator}"))
        for ks in score.key_signatures:
            k = m21.key.KeySignature(ks.sharps)
            p.insert(Fraction(ks.tick, TPQ), k.asKey(ks.mode))
        voices = _split_voices(part.notes)
        if len(voices) <= 1:
            for el in _elements(m21, voices[0] if voices else []):
                p.insert(el[0], el[1])
        else:
            for v in voices:
                voice = m21.stream.Voice()
                for offset, el in _elements(m21, v):
                    voice.insert(offset, el)
                p.insert(0, voice)
        out.insert(0, p)
    if out.parts:
        first = out.parts[0]
        for tc in score.tempos:
            first.insert(Fraction(tc.tick, TPQ), m21.tempo.MetronomeMark(number=round(tc.bpm, 2)))
    end = Fraction(max(score.end_tick, 1), TPQ)
    for p in out.parts:  # every part runs to the same final bar line
        p.insert(end, m21.note.Rest(quarterLength=0))
    return out.makeNotation()


def _split_voices(notes) -> list[list[list[Note]]]:
    """Greedy interval colouring: each voice is a list of chords (notes sharing start and length)."""
    chords: dict[tuple[int, int], list[Note]] = {}
    for n in sorted(notes):
        chords.setdefault((n.start, n.duration), []).append(n)
    voices: list[list[list[Note]]] = []
    ends: list[int] = []
    for (start, dur), group in sorted(chords.items()):
        for i, end in enumerate(ends):
            if end <= start:
                voices[i].append(group)
                ends[i] = start + dur
                break
        else:
            voices.append([group])
            ends.append(start + dur)
    return voices


def _elements(m21, chords):
    for group in chords:
        dur = Fraction(group[0].duration, TPQ)
        if len(group) == 1:
            el = m21.note.Note(group[0].pitch, quarterLength=dur)
        else:
            el = m21.chord.Chord([n.pitch for n in group], quarterLength=dur)
        el.volume.velocity = round(sum(n.velocity for n in group) / len(group))
        yield Fraction(group[0].start, TPQ), el


def write_musicxml(score: Score, path: str | Path) -> None:
    path = Path(path)
    try:
        stream = music21_from_score(score)
    except Exception as exc:
        raise ScoreFileError(path, f"could not be turned into notation ({_reason(exc)})") from None
    compressed = path.suffix.lower() == ".mxl"

    def write(tmp: Path) -> None:
        if compressed:
            target = tmp.with_suffix(".mxl")
            stream.write("mxl", fp=str(target))
        else:
            target = tmp.with_suffix(".musicxml")
            stream.write("musicxml", fp=str(target))
        target.replace(tmp)

    atomic_write(path, write)
