"""One place that maps file extensions to readers and writers; the CLI and the app both use it."""

from __future__ import annotations

from pathlib import Path

from . import limits, prescan
from .abc_writer import write_abc
from .errors import ScoreFileError, one_line
from .midi import read_midi, write_midi
from .musicxml_writer import metronome_ticks
from .notation import read_notation, write_musicxml
from .project import SUFFIX as PROJECT_SUFFIX
from .project import read_project, write_project
from .score import TPQ, VALUE_NAMES, KeySignature, Score

MIDI_SUFFIXES = (".mid", ".midi")
MUSICXML_SUFFIXES = (".musicxml", ".xml", ".mxl")
ABC_SUFFIXES = (".abc",)
READABLE = (PROJECT_SUFFIX, *MIDI_SUFFIXES, *MUSICXML_SUFFIXES, *ABC_SUFFIXES)
WRITABLE = (PROJECT_SUFFIX, *MIDI_SUFFIXES, *MUSICXML_SUFFIXES, *ABC_SUFFIXES)
NOTATION = frozenset({"musicxml", "abc"})  # kinds that write a key signature (with_heard_key)


def kind_of(path: str | Path) -> str:
    """'project', 'midi', 'musicxml', 'abc' or '' for an unknown extension."""
    name = Path(path).name.lower()
    if name.endswith(PROJECT_SUFFIX):
        return "project"
    suffix = Path(name).suffix
    for kind, suffixes in (("midi", MIDI_SUFFIXES), ("musicxml", MUSICXML_SUFFIXES),
                           ("abc", ABC_SUFFIXES)):
        if suffix in suffixes:
            return kind
    return ""


def load_score(path: str | Path, warnings: list[str] | None = None,
               tune: int | None = None) -> Score:
    """Read any supported file; raises ScoreFileError with a message fit for the user.

    Notation files are pre-scanned for values no music needs (music/prescan.py), and every score
    must end within the maximum score length (music/limits.py). Whatever else a hostile file makes
    a reader raise (RecursionError, MemoryError, OverflowError, ...) becomes a ScoreFileError too.
    This runs in the calling process; music/safe_read.py adds a time and a memory limit.
    ``tune``: which tune of a multi-tune ABC file (from 0; default the first), checked alone.
    """
    kind = kind_of(path)
    if tune is not None and kind != "abc":
        raise ScoreFileError(path, "holds one piece: only an ABC file has tunes to choose from")
    try:
        if kind == "project":
            score = read_project(path)
        elif kind == "midi":
            score = read_midi(path, warnings)
        elif kind in ("musicxml", "abc"):
            prescan.check(path, kind, tune or 0)
            score = read_notation(path, warnings, tune)
        else:
            raise ScoreFileError(path, f"unknown file type (readable: {', '.join(READABLE)})")
        limits.check_score(score, path)
    except ScoreFileError:
        raise
    except Exception as exc:
        raise ScoreFileError(path, unreadable_reason(exc)) from None
    return score


def unreadable_reason(exc: BaseException) -> str:
    """The message for a reader that failed on something it did not expect (a hostile file)."""
    if isinstance(exc, RecursionError):
        return "could not be read (it is nested too deeply)"
    if isinstance(exc, MemoryError):
        return "could not be read (it needs more memory than there is)"
    text = one_line(exc)
    return f"could not be read ({type(exc).__name__}{': ' * bool(text)}{text})"


def save_score(score: Score, path: str | Path, warnings: list[str] | None = None) -> None:
    """Write by extension, atomically; an existing file is only replaced by a complete new one.
    What a format could not hold exactly (notation's grid) is described in ``warnings``."""
    kind = kind_of(path)
    if kind == "project":
        write_project(score, path)
    elif kind == "midi":
        write_midi(score, path)
    elif kind == "musicxml":
        write_musicxml(score, path, warnings)
    elif kind == "abc":
        write_abc(score, path, warnings)
    else:
        raise ScoreFileError(path, f"unknown file type (writable: {', '.join(WRITABLE)})")


def summary(score: Score, heard: KeySignature | None = None, at: int | None = None) -> str:
    """One line for the CLI and the status bar: notes, bars, tempo, meter, key. ``heard``, the
    key a generation wrote in from tick ``at``, is named where the signature's own name differs
    (BWV 40.8 in F minor, written with three flats: "F:minor, 3 flats", not "Eb:major"), with
    the signature written there where it is not the first (B-flat minor asked for after an
    E-flat major sketch: "Bb:minor, 5 flats from bar 9"; a trial read "3 flats")."""
    key = f", {score.key}" if score.key else ""
    written = score.key if at is None else score.key_at(at)
    if heard is not None and written is not None and (
            (heard.tonic_pc, heard.mode) != (written.tonic_pc, written.mode)
            or written != score.key):
        n = abs(written.sharps)
        marks = "no sharps or flats" if not n else \
            f"{n} {'sharp' if written.sharps > 0 else 'flat'}{'s' * (n != 1)}"
        where = "" if written == score.key or at is None else \
            f" from bar {score.bar_number(score.bar_at(at))}"
        key = f", {heard.tonic_name}:{heard.mode}, {marks}{where}"
    notes, bars = score.note_count, score.bar_count()
    # (the tempo as the score marks it: a 6/8 piece's dotted quarter = 60, not "90 bpm")
    tempo = score.tempo
    ticks, per = metronome_ticks(tempo.bpm, score.time_signature, tempo.unit)
    pace = f"{tempo.bpm:.0f} bpm" if ticks == TPQ else f"{VALUE_NAMES[ticks]} = {per:.0f}"
    return (f"{notes} note{'s' * (notes != 1)}, {bars} bar{'s' * (bars != 1)}, "
            f"{pace}, {score.time_signature}{key}")
