"""Time one autosave (the worker's whole job: score file, meta, lock) and the start-up search
for orphaned autosaves, for scores of 1,000 to 100,000 notes.

    python bench/autosave.py [--repeat 3]

The autosave runs in a worker thread, so this is how long a copy of the work lags behind, not a
pause in editing. Each row is the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from composer_gui.music.score import TPQ, Note, Part, Score
from composer_gui.ui.autosave import claim_orphans, new_lock, remove_slot, write_slot


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp()) / "autosave"
    print(f"{'notes':>8} {'autosave (s)':>13} {'find orphans (s)':>17}")
    for n in (1_000, 10_000, 100_000):
        notes = tuple(Note(i * TPQ // 4, 40 + i % 40, TPQ // 4) for i in range(n))
        score = Score(parts=(Part(notes, name="Piano"),))
        lock = new_lock(folder / "bench.lock")
        write = best(lambda s=score, k=lock: write_slot(folder, "bench", s, None, "bench", k),
                     args.repeat)
        lock.unlock()  # as a crash would leave it

        def find() -> None:
            for _entry, claimed in claim_orphans(folder):
                claimed.unlock()

        search = best(find, args.repeat)
        remove_slot(folder, "bench", None)
        print(f"{n:>8} {write:>13.3f} {search:>17.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
