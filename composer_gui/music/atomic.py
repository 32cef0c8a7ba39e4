"""Atomic file writes: a crash or a full disk mid-save never destroys the last good file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import ScoreFileError


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it over ``path``.

    The temporary file lives in the same folder so the rename is atomic on every platform.
    Any failure leaves ``path`` exactly as it was and removes the temporary file.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ScoreFileError(path, "is a folder, not a file")
    if not folder.is_dir():
        raise ScoreFileError(path, f"the folder {folder} does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except PermissionError:
        raise ScoreFileError(path, "no permission to write in this folder") from None
    except OSError as exc:
        raise ScoreFileError(path, f"cannot write here ({exc.strerror or exc})") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except ScoreFileError:
        tmp.unlink(missing_ok=True)
        raise
    except PermissionError:
        tmp.unlink(missing_ok=True)
        raise ScoreFileError(path, "no permission to write this file") from None
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ScoreFileError(path, f"could not be written ({exc.strerror or exc})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def check_readable(path: str | Path) -> Path:
    """Raise a ScoreFileError for the usual reasons a file can't be opened; return it as a Path."""
    path = Path(path)
    if not path.exists():
        raise ScoreFileError(path, "no such file")
    if path.is_dir():
        raise ScoreFileError(path, "is a folder, not a file")
    if not os.access(path, os.R_OK):
        raise ScoreFileError(path, "no permission to read this file")
    if path.stat().st_size == 0:
        raise ScoreFileError(path, "the file is empty")
    return path
