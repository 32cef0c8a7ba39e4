"""The fuzz harness in the test suite: a few hundred mutated files, each accepted or refused with
one clean message naming the file (issue 14). Fixed seed, so a failure reproduces; bench/fuzz.py
runs the same cases by the ten thousand, with per-file time and memory limits."""

from __future__ import annotations

import fuzz_cases as fc
import pytest

# files per kind: MIDI and project files are read in this process (milliseconds each), MusicXML
# and ABC in a reader process each (music/safe_read.py), as the app reads them
COUNTS = {"midi": 200, "project": 100, "musicxml": 80, "abc": 40}
TIME_LIMIT_S = 5.0  # a file that takes longer is refused (a clean outcome), as the app would


@pytest.mark.parametrize("kind", fc.KINDS)
def test_mutated_files_are_read_or_cleanly_refused(kind, tmp_path):
    outcomes: dict[str, int] = {}
    crashes = []
    for i, data in fc.cases(kind, COUNTS[kind], seed=14):
        path = tmp_path / f"case-{i}{fc.SUFFIX[kind]}"
        path.write_bytes(data)
        outcome, detail = fc.try_file(path, time_limit=TIME_LIMIT_S, memory_limit=2 * 2**30)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcome == "crash":
            crashes.append(f"case {i}: {detail}")
    assert not crashes, "\n".join(crashes)
    # the mutations reach past the first check: some files are read, some refused
    assert outcomes.get("accepted", 0) > 0 and outcomes.get("clean", 0) > 0, outcomes


@pytest.mark.parametrize("kind", fc.KINDS)
def test_the_seed_files_are_accepted(kind, tmp_path):
    path = tmp_path / f"seed{fc.SUFFIX[kind]}"
    path.write_bytes(fc.seeds()[kind])
    assert fc.try_file(path, time_limit=30, memory_limit=None) == ("accepted", "")
