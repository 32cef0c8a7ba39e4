"""The one error type that reaches the user: a file and a readable reason, never a traceback."""

from __future__ import annotations

from pathlib import Path


class ScoreFileError(Exception):
    """A file could not be read or written. ``str()`` is the whole message for the user."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
