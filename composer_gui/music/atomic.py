"""Atomic file writes: a crash or a full disk mid-save never destroys the last good file.

A write goes to ``.NAME.XXXXXXXX.tmp`` beside ``NAME`` (8 hex digits) and is renamed over it. A
process killed mid-write leaves that temporary file behind; :func:`remove_stale_temporaries`
removes ours (that exact pattern) once they are older than ``STALE_SECONDS``, so a save running
in another window or app at the same moment keeps its own.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import time
from collections.abc import Callable
from pathlib import Path

from .errors import ScoreFileError

STALE_SECONDS = 120.0
"""A temporary file untouched this long belongs to no save in progress: a save makes it just
before writing, and no writer of ours takes that long."""

# ".tmp.musicxml" / ".tmp.mxl": left by older versions, whose MusicXML export (music21) wrote
# beside the temporary file; still cleaned up
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.[0-9a-f]{8}\.tmp(\.musicxml|\.mxl)?$")


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it over ``path``.

    The temporary file lives in the same folder so the rename is atomic on every platform.
    Any failure leaves ``path`` exactly as it was, removes the temporary file and raises
    ``ScoreFileError`` (KeyboardInterrupt and the like are re-raised after the clean-up).
    The new file keeps the permissions of the one it replaces (a new file gets the usual ones);
    saving through a symbolic link replaces the file it points to, not the link.
    """
    path = Path(path)
    real = path.resolve() if path.is_symlink() else path  # errors still name the user's path
    folder = real.parent
    if real.is_dir():
        raise ScoreFileError(path, "is a folder, not a file")
    if not folder.is_dir():
        raise ScoreFileError(path, f"the folder {folder} does not exist")
    if real.exists() and not os.access(real, os.W_OK):
        raise ScoreFileError(path, "is read-only")
    remove_stale_temporaries(folder, lambda name: name == real.name)
    tmp = _create_temporary(real, path)
    try:
        mode = stat.S_IMODE(os.stat(real).st_mode)
    except OSError:
        mode = stat.S_IMODE(os.stat(tmp).st_mode)  # created with 0o666 less the umask
    try:
        write(tmp)
        os.chmod(tmp, mode)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, real)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, ScoreFileError):
            raise
        if isinstance(exc, PermissionError):
            raise ScoreFileError(path, "no permission to write this file") from None
        if isinstance(exc, OSError):
            raise ScoreFileError(path, f"could not be written ({exc.strerror or exc})") from None
        if isinstance(exc, Exception):
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise ScoreFileError(path, f"could not be written ({reason})") from exc
        raise
    _sync_folder(folder)


def _create_temporary(real: Path, path: Path) -> Path:
    for _ in range(100):
        tmp = real.with_name(f".{real.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except PermissionError:
            raise ScoreFileError(path, "no permission to write in this folder") from None
        except OSError as exc:
            raise ScoreFileError(path, f"cannot write here ({exc.strerror or exc})") from None
        os.close(fd)
        return tmp
    raise ScoreFileError(path, "cannot create a temporary file beside it")


def temporary_target(name: str) -> str | None:
    """The file name a temporary file of ours was written for, or None when it is not one."""
    match = _TEMPORARY.match(name)
    return match["name"] if match else None


def remove_stale_temporaries(folder: str | Path, accept: Callable[[str], bool] | None = None, *,
                             older_than: float = STALE_SECONDS) -> list[Path]:
    """Remove our temporary files in ``folder`` (only those for a target name that ``accept`` takes)
    that were last written more than ``older_than`` seconds ago; returns the ones removed.
    Never raises: a folder that is gone or unreadable is simply left alone."""
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        name = temporary_target(entry.name)
        if name is None or (accept is not None and not accept(name)):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if now - entry.stat(follow_symlinks=False).st_mtime < older_than:
                continue
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where folders cannot be opened."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def check_readable(path: str | Path) -> Path:
    """Raise a ScoreFileError for the usual reasons a file can't be opened; return it as a Path."""
    path = Path(path)
    if not path.exists():
        raise ScoreFileError(path, "no such file")
    if path.is_dir():
        raise ScoreFileError(path, "is a folder, not a file")
    if not path.is_file():
        raise ScoreFileError(path, "is not a regular file")
    if not os.access(path, os.R_OK):
        raise ScoreFileError(path, "no permission to read this file")
    if path.stat().st_size == 0:
        raise ScoreFileError(path, "the file is empty")
    return path
