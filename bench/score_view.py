"""Time the score view: how long a 100-bar piece takes to appear as notation, and to update after
an edit, and how long the GUI thread stalls meanwhile.

    python bench/score_view.py [--bars 100] [--edits 5]

Two pieces of ``--bars`` bars: a chorale (BWV 66.6 from music21's corpus, repeated, each copy
transposed) and a two-hand piano piece (eighth notes over three-note chords; seeded random). Rows:

* engraver rows run ``music.engraving.Engraver`` in this process, the code the view's worker runs:
  the first render (verovio's toolkit started, the whole export, the layout), one note changed
  (median of ``--edits`` edits in different bars: the whole export again and the layout; its
  parts in seconds beside it), and a re-layout for a new width (the export reused);
* "in the app" rows drive a real ``ScoreView`` (offscreen) with its worker process, from the edit
  pushed to the undo stack to the new pages on screen, the 150 ms pause that gathers rapid edits
  included; beside them the longest time the GUI thread's event loop did not turn (a 5 ms timer),
  with the worker process and, for comparison, with the same engraver in a thread.

Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from composer_gui.music import engraving
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score


def chorale(bars: int) -> Score:
    import music21

    from composer_gui.music.notation import score_from_music21

    one = score_from_music21(music21.corpus.parse("bach/bwv66.6"))
    out, copy = one, 1
    while out.bar_count() < bars:
        shift = (copy * 5) % 7 - 3 or 2
        out = out.merge(one.transpose(shift), at=out.bar_start(out.bar_count()))
        copy += 1
    return out.slice(0, out.bar_start(bars))


def piano(bars: int) -> Score:
    rng = random.Random(7)
    right, left = [], []
    for bar in range(bars):
        t = bar * 4 * TPQ
        root = rng.choice((48, 50, 52, 53, 55, 57))
        for beat in range(4):
            left += [Note(t + beat * TPQ, root + i, TPQ, 70) for i in (0, 4, 7)]
        for eighth in range(8):
            right.append(Note(t + eighth * TPQ // 2, rng.randint(64, 84), TPQ // 2, 80))
    return Score(parts=(Part(tuple(right), name="Right hand"), Part(tuple(left), name="Left hand")),
                 key_signatures=(KeySignature(0, 0, "major"),), title="Piano")


def edited(score: Score, bar: int) -> Score:
    part = score.parts[0]
    notes = list(part.notes)
    i = next(i for i, n in enumerate(notes) if score.bar_at(n.start) == bar)
    notes[i] = replace(notes[i], pitch=notes[i].pitch + (1 if notes[i].pitch < 100 else -1))
    return score.with_parts([part.with_notes(notes), *score.parts[1:]])


def edit_bars(score: Score, count: int) -> list[int]:
    """Bars spread evenly over the piece."""
    bars = score.bar_count()
    return [int(bars * (k + 0.5) / count) for k in range(count)]


class Clock:
    """Wall-clock and CPU seconds of this process (CPU time hardly depends on the machine's load;
    the wall clock does, on a shared 2-core machine)."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def engraver_rows(name: str, score: Score, edits: int, width: int) -> list[tuple]:
    rows = []
    eng = engraving.Engraver()
    with Clock() as c:
        first = eng.engrave(score, width)
    rows.append((name, "first render (whole export + layout)", c.wall, c.cpu,
                 f"{first.notes} heads, {len(first.pages)} pages; "
                 + ", ".join(f"{k} {v:.2f}" for k, v in first.seconds.items())))
    walls, cpus, current = [], [], score
    for bar in edit_bars(score, edits):
        current = edited(current, bar)
        with Clock() as c:
            result = eng.engrave(current, width)
        walls.append(c.wall)
        cpus.append(c.cpu)
    rows.append((name, f"one note changed (median of {edits})", statistics.median(walls),
                 statistics.median(cpus),
                 "last: " + ", ".join(f"{k} {v:.2f}" for k, v in result.seconds.items())))
    with Clock() as c:
        eng.engrave(current, width + 200)
    rows.append((name, "re-layout for a new width", c.wall, c.cpu, "export reused"))
    return rows


class ThreadBackend:
    """The same engraver in a thread of this process (for comparison only)."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(1)
        self.eng = engraving.Engraver()

    def submit(self, request):
        return self.pool.submit(self.eng.engrave, request.score, request.width, request.zoom)

    def close(self) -> None:
        self.pool.shutdown(wait=True)


def app_rows(name: str, score: Score, edits: int) -> list[tuple]:

    return [*app_row(name, score, edits, "worker process", None),
            *app_row(name, score, edits, "thread (comparison)", ThreadBackend())]


def app_row(name: str, score: Score, edits: int, label: str, backend) -> list[tuple]:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from composer_gui.ui import score_view
    from composer_gui.ui.document import Document
    from composer_gui.ui.undo import ChangeScore

    app = QApplication.instance() or QApplication([])
    doc = Document(score)
    view = score_view.ScoreView(doc, backend=backend)  # None: the app's worker process
    view.resize(1000, 800)
    done: list = []
    view.rendered.connect(done.append)
    view.failed.connect(lambda m: print("failed:", m))
    view.show()

    def wait(count: int, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        while len(done) < count and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.001)

    def settle() -> None:
        while view.busy:
            app.processEvents()
            time.sleep(0.001)

    wait(1)  # the first render (starts the worker)
    settle()
    stalls: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        stalls.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(5)
    times, current = [], score
    for bar in edit_bars(score, edits):
        current = edited(current, bar)
        count = len(done)
        t0 = time.perf_counter()
        doc.push(ChangeScore(doc, current, "edit"))
        wait(count + 1)
        times.append(time.perf_counter() - t0)
        settle()
    timer.stop()
    view.close_backend()
    doc.undo_stack.setClean()
    return [(name, f"in the app, {label}: edit to new pages (median of {edits})",
             statistics.median(times), None,
             f"slowest {max(times):.2f} s; longest GUI-thread stall {max(stalls) * 1000:.0f} ms "
             "(5 ms timer)")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bars", type=int, default=100)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--width", type=int, default=1000, help="page width in pixels")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    reason = engraving.unavailable_reason()
    if reason:
        print(f"cannot run: {reason}")
        return 1
    import verovio

    print(f"verovio {verovio.toolkit().getVersion()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    rows = []
    for name, make in (("chorale", chorale), ("piano", piano)):
        score = make(args.bars)
        print(f"{name}: {score.bar_count()} bars, {score.note_count:,} notes, "
              f"{len(score.parts)} parts", flush=True)
        rows += engraver_rows(name, score, args.edits, args.width)
        rows += app_rows(name, score, args.edits)
    print()
    print(f"| {'piece':<8} | {'what':<70} | {'wall s':>7} | {'CPU s':>6} | notes |")
    print(f"| {'-' * 8} | {'-' * 70} | {'-' * 7}:| {'-' * 6}:| --- |")
    for piece, what, seconds, cpu, note in rows:
        cpu_text = f"{cpu:6.3f}" if cpu is not None else f"{'':6}"
        print(f"| {piece:<8} | {what:<70} | {seconds:7.3f} | {cpu_text} | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
