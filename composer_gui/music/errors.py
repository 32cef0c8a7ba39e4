"""The one error type that reaches the user: a file and a readable reason, never a traceback."""

from __future__ import annotations

from pathlib import Path


class ScoreFileError(Exception):
    """A file could not be read or written. ``str()`` is the whole message for the user."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


def one_line(text: object, limit: int = 160) -> str:
    """``text`` on one line and at most ``limit`` characters (a library's message, for a user)."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[:limit - 3] + "..."
