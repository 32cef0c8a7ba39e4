"""Fuzz the readers: N mutated MIDI, MusicXML, ABC and project files, each judged in a worker.

    python bench/fuzz.py                                    # 10,000 MIDI, 2,000 of each other
    nice python bench/fuzz.py --midi 1000 --musicxml 200 --abc 200 --project 200 --jobs 2

Every file is tried as the app opens it (``music.safe_read.read_score``: MusicXML and ABC in a
reader process with the app's time and memory limits) and, when accepted, put through the steps
far-away ticks used to break (tests/fuzz_cases.py). Each worker is a separate Python process with
its own address-space limit; a worker that gives no answer within the reader's time limit plus
a margin is a hang (killed and replaced), one that dies is a crash. The table:

    tried     files made and tried
    accepted  read, and every later step worked
    clean     refused with one message naming the file (limit: of those, the reader's time or
              memory limit was hit)
    crash     any other exception (a traceback for the user), or the worker died
    hang      no answer in time

The goal is 0 crashes and 0 hangs. ``--keep DIR`` saves each crash and hang file there.
The cases are the same for the same --seed (tests/test_fuzz.py runs a few hundred of them).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import fuzz_cases as fc  # noqa: E402  (tests/ is put on the path first)

HANG_MARGIN_S = 30.0  # beyond the reader's own limit: start-up, the later steps, a busy machine


def worker_main(time_limit: float, memory_limit: int) -> None:
    """One worker: a path per line on stdin, a JSON outcome per line on stdout."""
    from composer_gui.music.safe_read import limit_memory

    limit_memory(memory_limit + 2**30)  # the worker itself: the reader has its own limit
    for line in sys.stdin:
        path = Path(line.strip())
        outcome, detail = fc.try_file(path, time_limit=time_limit, memory_limit=memory_limit)
        print(json.dumps({"outcome": outcome, "detail": detail}), flush=True)


class Worker:
    def __init__(self, args) -> None:
        self.args = args
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker",
             "--time-limit", str(self.args.time_limit),
             "--memory-limit-gb", str(self.args.memory_limit_gb)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, start_new_session=True, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(
                [str(ROOT), os.environ.get("PYTHONPATH", "")])})

    def kill(self) -> None:
        if self.proc is None:
            return
        try:  # the worker and its reader processes: one session of their own
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, AttributeError):
            self.proc.kill()
        self.proc.wait()
        self.proc = None

    def judge(self, path: Path, timeout: float) -> tuple[str, str]:
        if self.proc is None:
            self.start()
        assert self.proc is not None and self.proc.stdin and self.proc.stdout
        answer: list[str] = []
        reader = threading.Thread(target=lambda: answer.append(self.proc.stdout.readline()),
                                  daemon=True)
        try:
            self.proc.stdin.write(f"{path}\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.kill()
            return "crash", "the worker died before the file"
        reader.start()
        reader.join(timeout)
        if reader.is_alive():
            self.kill()
            return "hang", f"no answer in {timeout:g} s"
        if not answer or not answer[0]:
            code = self.proc.poll()
            self.kill()
            return "crash", f"the worker died (exit code {code})"
        result = json.loads(answer[0])
        return result["outcome"], result["detail"]


def run(args) -> int:
    counts = {"midi": args.midi, "musicxml": args.musicxml, "abc": args.abc,
              "project": args.project}
    keep = Path(args.keep) if args.keep else None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
    table: dict[str, Counter] = {}
    details: list[str] = []
    lock = threading.Lock()
    timeout = args.time_limit + HANG_MARGIN_S
    with tempfile.TemporaryDirectory(prefix="composer-fuzz-") as tmp:
        for kind in fc.KINDS:
            if counts[kind] <= 0:
                continue
            table[kind] = tally = Counter()
            started = time.monotonic()
            cases = iter(fc.cases(kind, counts[kind], seed=args.seed))

            def work(slot: int, kind=kind, tally=tally, cases=cases) -> None:
                worker = Worker(args)
                try:
                    while True:
                        with lock:
                            item = next(cases, None)
                        if item is None:
                            return
                        i, data = item
                        path = Path(tmp) / f"{slot}-{i}{fc.SUFFIX[kind]}"
                        path.write_bytes(data)
                        outcome, detail = worker.judge(path, timeout)
                        with lock:
                            tally["tried"] += 1
                            tally[outcome] += 1
                            if outcome == "limit":
                                tally["clean"] += 1
                            if outcome in ("crash", "hang"):
                                details.append(f"{kind} case {i}: {outcome}: {detail}")
                                if keep:
                                    shutil.copy(path, keep / f"{kind}-{i}{fc.SUFFIX[kind]}")
                        path.unlink(missing_ok=True)
                finally:
                    worker.kill()

            threads = [threading.Thread(target=work, args=(s,)) for s in range(args.jobs)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            tally["seconds"] = round(time.monotonic() - started)
            print(f"{kind}: {dict(tally)}", file=sys.stderr, flush=True)

    print(f"fuzz: seed {args.seed}, reader limits {args.time_limit:g} s and "
          f"{args.memory_limit_gb:g} GB per file, hang after {timeout:g} s, {args.jobs} job(s)")
    print()
    print("| kind | tried | accepted | clean | (of which limit) | crash | hang | seconds |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    total = Counter()
    for kind, tally in table.items():
        total.update(tally)
        print(f"| {kind} | {tally['tried']:,} | {tally['accepted']:,} | {tally['clean']:,} | "
              f"{tally['limit']:,} | {tally['crash']:,} | {tally['hang']:,} | "
              f"{tally['seconds']:,} |")
    print(f"| all | {total['tried']:,} | {total['accepted']:,} | {total['clean']:,} | "
          f"{total['limit']:,} | {total['crash']:,} | {total['hang']:,} | {total['seconds']:,} |")
    for line in details[:50]:
        print(line)
    return 1 if total["crash"] or total["hang"] else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--midi", type=int, default=10_000)
    p.add_argument("--musicxml", type=int, default=2_000)
    p.add_argument("--abc", type=int, default=2_000)
    p.add_argument("--project", type=int, default=2_000)
    p.add_argument("--seed", type=int, default=14, help="the cases (default 14, as the tests)")
    p.add_argument("--time-limit", type=float, default=20.0,
                   help="the reader's time limit per file, s (default 20; the app uses 60)")
    p.add_argument("--memory-limit-gb", type=float, default=2.0,
                   help="the reader's memory limit per file (default 2, as the app)")
    p.add_argument("--jobs", type=int, default=1, help="workers at once (default 1)")
    p.add_argument("--keep", default=None, metavar="DIR", help="save crash and hang files here")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        worker_main(args.time_limit, int(args.memory_limit_gb * 2**30))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
