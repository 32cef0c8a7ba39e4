"""The app's own project file (.composer.json): versioned, human-readable JSON, saved atomically.

One note per line (``[start, pitch, duration, velocity]`` in ticks, plus the spelling such as
``"E#"`` where a notation file gave one), so the file stays readable and a version-control diff
shows exactly the notes that changed.

Version 2 added the notation details (spellings, clefs, part abbreviations, pickup, fermatas);
version 3 the words sung (a sixth entry of a note's row, after its spelling or null); version 4
the marks (a seventh entry, a list of names: ``["staccato", "slur-start"]``, after the words or
null); version 5 the grace notes (an eighth, semitones from the note: ``[10, 12]``). Files of
versions 1 to 4 still load. Entries added since are optional keys an older reader ignores (the
composer, a tempo mark's words, ``chord_symbols``: ``[tick, "Am7"]`` rows, a transposing
part's ``transposition``: ``[-1, -2]`` for a clarinet in B-flat).
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from .atomic import atomic_write, check_readable
from .errors import ScoreFileError
from .score import (
    TPQ,
    ChordSymbol,
    KeySignature,
    Note,
    Part,
    Score,
    TempoChange,
    TimeSignature,
    meter_symbol,
    sorted_notes,
)

FORMAT = "composer-gui-project"
VERSION = 5
READABLE_VERSIONS = (1, 2, 3, 4, 5)
SUFFIX = ".composer.json"


class NewerProjectError(ValueError):
    """The project was saved by a newer Composer whose format this one cannot read."""


def score_to_dict(score: Score) -> dict:
    # a tempo mark's words, [tick, words], written only when a mark has some: older readers
    # ignore the key
    words = [[t.tick, t.words] for t in score.tempos if t.stated and t.words]
    units = [[t.tick, t.unit] for t in score.tempos if t.stated and t.unit]  # the same way
    symbols = [[t.tick, t.symbol] for t in score.time_signatures if t.symbol]
    return {
        "format": FORMAT,
        "version": VERSION,
        "ticks_per_quarter": TPQ,
        "title": score.title,
        **({"composer": score.composer} if score.composer else {}),  # (older readers ignore it)
        "tempos": [[t.tick, t.us_per_quarter] for t in score.tempos if t.stated],
        **({"tempo_words": words} if words else {}),
        **({"tempo_units": units} if units else {}),
        "time_signatures": [[t.tick, t.numerator, t.denominator] for t in score.time_signatures],
        **({"time_symbols": symbols} if symbols else {}),  # (older readers ignore it)
        "key_signatures": [[k.tick, k.sharps, k.mode, *([True] if k.mode_stated else [])]
                           for k in score.key_signatures],
        "pickup": score.pickup,
        "fermatas": list(score.fermatas),
        # [tick, text] of each chord symbol, written only when there are some
        **({"chord_symbols": [[c.tick, c.text] for c in score.chord_symbols]}
           if score.chord_symbols else {}),
        "parts": [
            {
                "name": p.name,
                "abbreviation": p.abbreviation,
                "program": p.program,
                "channel": p.channel,
                "is_drum": p.is_drum,
                **({"muted": True} if p.muted else {}),  # written only when set: older
                **({"solo": True} if p.solo else {}),  # readers ignore them either way
                **({"colour": p.colour} if p.colour >= 0 else {}),  # (kept when parts move)
                "clef": p.clef,
                # [tick, lowest pitch of the upper staff]: where the file's staves divided it
                **({"staff_split": [list(x) for x in p.staff_split]} if p.staff_split else {}),
                # [diatonic steps, semitones] from written to sounding pitch (Part.transposition)
                **({"transposition": list(p.transposition)}
                   if p.transposition != (0, 0) else {}),
                # [start, pitch, duration, velocity(, spelling(, lyric(, marks(, graces))))]:
                # compact, readable and diffable
                "notes": [_note_row(n) for n in p.notes],
            }
            for p in score.parts
        ],
    }


def _note_row(n: Note) -> list:
    row: list = [n.start, n.pitch, n.duration, n.velocity]
    if n.spelling is not None or n.lyric is not None or n.marks or n.graces:
        row.append(n.spelling)
    if n.lyric is not None or n.marks or n.graces:
        row.append(n.lyric)
    if n.marks or n.graces:
        row.append(list(n.marks))
    if n.graces:
        row.append(list(n.graces))
    return row


def _int(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, found {value!r}")
    return value


def score_from_dict(data: dict) -> Score:
    """Build a Score from a project dict; raises ValueError (NewerProjectError) if it is not one."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a Composer project (no 'format' marker)")
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        raise NewerProjectError(
            f"was saved by a newer Composer (project format {version}; this version reads up to "
            f"{VERSION}); please update Composer to open it"
        )
    if version not in READABLE_VERSIONS:
        raise ValueError(f"unknown project format version {version!r}")
    tpq = _int(data.get("ticks_per_quarter", TPQ))
    if tpq <= 0:
        raise ValueError(f"ticks_per_quarter must be positive, found {tpq}")
    if tpq == TPQ:
        def t(x) -> int:
            return _int(x)
    else:
        def t(x) -> int:
            return (_int(x) * TPQ * 2 + tpq) // (2 * tpq)  # round half up, integers only

    parts = []
    for part in data.get("parts", []):
        if not isinstance(part, dict):
            raise ValueError(f"a part must be an object, found {part!r}")
        notes = []
        for entry in part.get("notes", []):
            if not isinstance(entry, list) or len(entry) not in (4, 5, 6, 7, 8):
                raise ValueError(
                    f"a note must be [start, pitch, duration, velocity], found {entry!r}"
                )
            s, p, d, v = entry[:4]
            spelling = entry[4] if len(entry) >= 5 else None
            lyric = entry[5] if len(entry) >= 6 else None
            marks = entry[6] if len(entry) >= 7 else []
            graces = entry[7] if len(entry) == 8 else []
            if spelling is not None and not isinstance(spelling, str):
                raise ValueError(f"a note's spelling must be text, found {spelling!r}")
            if lyric is not None and not isinstance(lyric, str):
                raise ValueError(f"a note's words must be text, found {lyric!r}")
            if not isinstance(marks, list) or not all(isinstance(m, str) for m in marks):
                raise ValueError(f"a note's marks must be a list of names, found {marks!r}")
            if not isinstance(graces, list):
                raise ValueError(f"a note's grace notes must be a list, found {graces!r}")
            notes.append(Note(t(s), _int(p), t(d), _int(v), spelling, lyric, tuple(marks),
                              tuple(_int(g) for g in graces)))
        parts.append(Part(
            notes=sorted_notes(notes),
            name=str(part.get("name", "")),
            program=_int(part.get("program", 0)),
            channel=_int(part.get("channel", 0)),
            is_drum=bool(part.get("is_drum", False)),
            muted=bool(part.get("muted", False)),
            solo=bool(part.get("solo", False)),
            clef=str(part.get("clef", "")),
            abbreviation=str(part.get("abbreviation", "")),
            staff_split=tuple((t(a), _int(b)) for a, b in part.get("staff_split", [])),
            colour=max(-1, _int(part.get("colour", -1))),
            transposition=tuple(_int(x) for x in part.get("transposition", (0, 0))),
        ))
    words = {t(a): str(w) for a, w in data.get("tempo_words", [])}
    units = {t(a): t(u) for a, u in data.get("tempo_units", [])}
    symbols = {t(a): str(m) for a, m in data.get("time_symbols", [])}
    return Score(
        title=str(data.get("title", "")),
        composer=str(data.get("composer", "")),
        tempos=tuple(TempoChange(t(a), _int(b), words=words.get(t(a), ""),
                                 unit=units.get(t(a), 0))
                     for a, b in data.get("tempos", [])),
        # (a symbol kept only where it stands for the meter: an edited file may say else)
        time_signatures=tuple(TimeSignature(t(a), _int(b), _int(c), meter_symbol(
                                  symbols.get(t(a), ""), _int(b), _int(c)))
                              for a, b, c in data.get("time_signatures", [])),
        key_signatures=tuple(KeySignature(t(a), _int(b), str(c), bool(stated and stated[0]))
                             for a, b, c, *stated in data.get("key_signatures", [])),
        parts=tuple(parts),
        pickup=t(data.get("pickup", 0)),
        fermatas=tuple(t(f) for f in data.get("fermatas", [])),
        chord_symbols=tuple(_chord(t(a), c) for a, c in data.get("chord_symbols", [])),
    )


def _chord(tick: int, text) -> ChordSymbol:
    if not isinstance(text, str):
        raise ValueError(f"a chord symbol's text must be text, found {text!r}")
    return ChordSymbol(tick, text)


def dumps(score: Score) -> str:
    """The project file's text: indented JSON, with one tempo, meter, key or note per line."""
    data = score_to_dict(score)
    token = secrets.token_hex(8)  # placeholders no title or name can contain by chance
    blocks: dict[str, str] = {}

    def rows(rows: list, depth: int) -> str:
        key = f"@rows-{token}-{len(blocks)}@"
        if rows:
            inner = ",\n".join(" " * (depth + 1) + json.dumps(r, separators=(",", ":"),
                                                              ensure_ascii=False) for r in rows)
            blocks[key] = "[\n" + inner + "\n" + " " * depth + "]"
        else:
            blocks[key] = "[]"
        return key

    for name in ("tempos", "time_signatures", "key_signatures", "chord_symbols"):
        if name in data:
            data[name] = rows(data[name], 1)
    key = f"@rows-{token}-{len(blocks)}@"  # the fermata ticks on one line
    blocks[key] = json.dumps(data["fermatas"])
    data["fermatas"] = key
    for part in data["parts"]:
        part["notes"] = rows(part["notes"], 3)
        if "transposition" in part:  # (on one line, as the fermatas)
            key = f"@rows-{token}-{len(blocks)}@"
            blocks[key] = json.dumps(part["transposition"])
            part["transposition"] = key
    text = json.dumps(data, indent=1, ensure_ascii=False)
    for key, block in blocks.items():
        text = text.replace(f'"{key}"', block, 1)
    return text + "\n"


def read_project(path: str | Path) -> Score:
    path = check_readable(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return score_from_dict(data)
    except OSError as exc:
        raise ScoreFileError(path, f"could not be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ScoreFileError(path, "is not a text file") from None
    except json.JSONDecodeError as exc:
        raise ScoreFileError(path, f"is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except NewerProjectError as exc:
        raise ScoreFileError(path, str(exc)) from None
    except RecursionError:
        raise ScoreFileError(path, "is not a valid project (it is nested too deeply)") from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ScoreFileError(path, f"is not a valid project ({exc})") from None


def write_project(score: Score, path: str | Path) -> None:
    text = dumps(score)
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
