"""Reading a score that cannot hang or exhaust the app: notation parsed in a worker process.

music21 can take minutes or gigabytes on a small hostile MusicXML or ABC file (issue 14), and a
thread cannot be stopped. So :func:`read_score` parses MusicXML, .mxl and ABC in a child process
with a time limit and (on POSIX) a memory limit, and kills it when the limit is hit or when the
caller cancels; a limit hit is one ScoreFileError that names the file. MIDI and project files are
read in the calling process (mido and json, bounded by the file's size). The child runs
:func:`composer_gui.music.formats.load_score`, so it pre-scans and checks the score's length
exactly as an in-process read does.

The child comes from multiprocessing's "forkserver" where there is one (Linux, macOS: a server
started once, with music21 imported, forks each reader in milliseconds) and from "spawn" on
Windows (a fresh interpreter per file, about a second more; only the time limit applies there).
As with any multiprocessing program, a script that calls this keeps its own work under
``if __name__ == "__main__":`` (the child imports the main script), and a frozen app calls
``multiprocessing.freeze_support()`` first (composer_gui/cli does).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .atomic import check_readable
from .errors import ScoreFileError
from .formats import kind_of, load_score, unreadable_reason
from .score import Score

TIME_LIMIT_S = 60.0  # a 625-bar, 5,000-note ABC tune takes about 32 s on a slow machine
MEMORY_LIMIT_BYTES = 2 * 1024**3  # more than the child's own start-up size
IN_WORKER = ("musicxml", "abc")
_POLL_S = 0.05


def read_score(path: str | Path, warnings: list[str] | None = None, *,
               tune: int | None = None,
               cancelled: Callable[[], bool] | None = None,
               time_limit: float = TIME_LIMIT_S,
               memory_limit: int | None = MEMORY_LIMIT_BYTES) -> Score | None:
    """Like formats.load_score, with notation parsed in a worker process under the limits.

    Returns None as soon as ``cancelled()`` is true (the worker is killed). Raises ScoreFileError
    for a bad file, a limit hit or a worker that died. ``tune``: which tune of an ABC collection
    (from 0; default the first).
    """
    warnings = warnings if warnings is not None else []
    if kind_of(path) not in IN_WORKER:
        return load_score(path, warnings, tune)
    path = check_readable(path)
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(str(path), memory_limit, send, tune),
                        name="composer-gui-read", daemon=True)
    try:
        child.start()
    except OSError as exc:
        raise ScoreFileError(path, f"could not start a reader ({exc.strerror or exc})") from None
    send.close()  # the child holds the only writing end: its death ends the pipe
    deadline = time.monotonic() + time_limit
    outcome = None
    try:
        while True:
            if receive.poll(_POLL_S):
                with contextlib.suppress(EOFError, OSError):
                    outcome = receive.recv()
                break
            if cancelled is not None and cancelled():
                return None
            if time.monotonic() > deadline:
                raise ScoreFileError(path, f"was not read: reading it took longer than "
                                     f"{time_limit:g} s (the limit for one file)")
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(5)
        code = child.exitcode
        with contextlib.suppress(ValueError):
            child.close()
    if outcome is None:
        limit = "" if memory_limit is None else (
            f" (the limit for one file is {memory_limit / 2**30:g} GB of memory)")
        raise ScoreFileError(path, f"was not read: the reader stopped (exit code {code}), "
                             f"most likely out of memory{limit}")
    status, *rest = outcome
    if status == "error":
        raise ScoreFileError(path, rest[0])
    score, more = rest
    warnings.extend(more)
    return score


def _context():
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods and sys.platform != "win32":
        ctx = multiprocessing.get_context("forkserver")
        # imported once by the server, so that each reader starts in milliseconds
        ctx.set_forkserver_preload([
            "composer_gui.music.formats", "composer_gui.music.quiet_music21"])
        return ctx
    return multiprocessing.get_context("spawn")


def _child(path: str, memory_limit: int | None, send, tune: int | None = None) -> None:
    """The worker: read the file and send ("ok", score, warnings) or ("error", reason)."""
    if memory_limit is not None:
        limit_memory(memory_limit)
    warnings: list[str] = []
    try:
        score = load_score(path, warnings, tune)
        outcome: tuple = ("ok", score, warnings)
    except ScoreFileError as exc:
        outcome = ("error", exc.reason)
    except MemoryError:
        outcome = ("error", f"was not read: it needs more than {memory_limit / 2**30:g} GB "
                   "of memory (the limit for one file)")
    except BaseException as exc:  # the parent shows it; the child just ends
        outcome = ("error", unreadable_reason(exc))
    try:
        send.send(outcome)
    except MemoryError:
        send.send(("error", "was not read: the score is too large to hand over"))
    send.close()


def limit_memory(budget: int) -> bool:
    """Cap this process's address space at its present size plus ``budget`` bytes (POSIX; a
    no-op elsewhere). True when a limit is in force."""
    try:
        import resource
    except ImportError:
        return False
    present = 0
    with contextlib.suppress(OSError, ValueError, IndexError), \
            open("/proc/self/statm") as fh:  # Linux: virtual size in pages
        present = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        want = present + budget
        if hard != resource.RLIM_INFINITY:
            want = min(want, hard)
        resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    except (ValueError, OSError, AttributeError):
        return False
    return True
