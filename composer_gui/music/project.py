"""The app's own project file (.composer.json): versioned, human-readable JSON, saved atomically."""

from __future__ import annotations

import json
from pathlib import Path

from .atomic import atomic_write, check_readable
from .errors import ScoreFileError
from .score import TPQ, KeySignature, Note, Part, Score, TempoChange, TimeSignature

FORMAT = "composer-gui-project"
VERSION = 1
SUFFIX = ".composer.json"


def score_to_dict(score: Score) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "ticks_per_quarter": TPQ,
        "title": score.title,
        "tempos": [[t.tick, t.us_per_quarter] for t in score.tempos],
        "time_signatures": [[t.tick, t.numerator, t.denominator] for t in score.time_signatures],
        "key_signatures": [[k.tick, k.sharps, k.mode] for k in score.key_signatures],
        "parts": [
            {
                "name": p.name,
                "program": p.program,
                "channel": p.channel,
                "is_drum": p.is_drum,
                # [start, pitch, duration, velocity]: compact, still readable and diffable
                "notes": [[n.start, n.pitch, n.duration, n.velocity] for n in p.notes],
            }
            for p in score.parts
        ],
    }


def score_from_dict(data: dict) -> Score:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a Composer project (no 'format' marker)")
    version = data.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise ValueError(f"written by a newer Composer (project version {version}); please update")
    tpq = data.get("ticks_per_quarter", TPQ)

    def t(x: int) -> int:
        return int(x) * TPQ // int(tpq)

    return Score(
        title=str(data.get("title", "")),
        tempos=tuple(TempoChange(t(a), int(b)) for a, b in data.get("tempos", [])),
        time_signatures=tuple(TimeSignature(t(a), int(b), int(c))
                              for a, b, c in data.get("time_signatures", [])),
        key_signatures=tuple(KeySignature(t(a), int(b), str(c))
                             for a, b, c in data.get("key_signatures", [])),
        parts=tuple(
            Part(
                notes=tuple(sorted(Note(t(s), int(p), t(d), int(v)) for s, p, d, v in part["notes"])),
                name=str(part.get("name", "")),
                program=int(part.get("program", 0)),
                channel=int(part.get("channel", 0)),
                is_drum=bool(part.get("is_drum", False)),
            )
            for part in data.get("parts", [])
        ),
    )


def read_project(path: str | Path) -> Score:
    path = check_readable(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return score_from_dict(data)
    except UnicodeDecodeError:
        raise ScoreFileError(path, "is not a text file") from None
    except json.JSONDecodeError as exc:
        raise ScoreFileError(path, f"is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise ScoreFileError(path, f"is not a valid project ({exc})") from None


def write_project(score: Score, path: str | Path) -> None:
    text = json.dumps(score_to_dict(score), indent=1)
    atomic_write(path, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))
