"""UI benchmark: start-up, repaint with 10,000 notes, dragging 500 notes, Continue's event loop.

    python bench/ui_bench.py [--repeat 3]

1. Start-up: time from launching ``python -m composer_gui`` to the roll's first paint (the app
   prints the time of its first paint and quits when COMPOSER_GUI_FIRST_PAINT is set). Offscreen.
2. Full repaint of the roll (canvas, keyboard, ruler, velocity lane) with 10,000 notes at the
   default zoom (48 px per quarter, 12 px rows) in a 1400x850 window; also zoomed out so that all
   10,000 notes are on screen (the worst case).
3. Dragging 500 selected notes: time per mouse-move event, counting the handler and a synchronous
   repaint of the canvas and the velocity lane (what the user waits for).
4. Continue: the longest gap between the ticks of a 10 ms QTimer while a generation runs (4 bars,
   3 variations after the opening of a Bach chorale), with the first installed model, else a
   stand-in of the same size with random weights (see bench/ui_model.py).

Speed is measured here, never asserted in tests. Qt's offscreen platform paints in software,
like a desktop without GPU compositing.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtCore import QEvent, QEventLoop, QPointF, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score  # noqa: E402
from composer_gui.ui.app import make_app  # noqa: E402
from composer_gui.ui.main_window import MainWindow  # noqa: E402
from composer_gui.ui.settings import Settings  # noqa: E402

ROWS: list[tuple[str, str, str]] = []


def row(what: str, figure: str, target: str = "") -> None:
    ROWS.append((what, figure, target))
    print(f"  {what}: {figure}", flush=True)


# ----- 1. start-up --------------------------------------------------------------------------------
def bench_startup(repeat: int) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "COMPOSER_GUI_FIRST_PAINT": "1"}
    times = []
    for _ in range(repeat):
        t0 = time.time()
        out = subprocess.run([sys.executable, "-m", "composer_gui"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("first-paint")), None)
        if line is None:
            row("window visible (process start to first paint)", f"failed: {out.stderr[-300:]}")
            return
        times.append(float(line.split()[1]) - t0)
    row("window visible (process start to first paint)",
        f"{statistics.median(times) * 1000:.0f} ms median of {repeat} "
        f"(min {min(times) * 1000:.0f} ms)", "< 1500 ms")


# ----- helpers ------------------------------------------------------------------------------------
def ten_thousand_notes(seed: int = 0) -> Score:
    """A busy piano piece: 10,000 notes over 400 bars of 4/4 (about 6 notes per beat)."""
    rng = random.Random(seed)
    notes = []
    t = 0
    while len(notes) < 10_000:
        chord = rng.choice([(0, 4, 7), (2, 5, 9), (4, 7, 11), (5, 9, 12), (7, 11, 14)])
        for step in range(0, TPQ * 4, TPQ // 2):  # a melody in eighths
            notes.append(Note(t + step, 72 + rng.choice((0, 2, 4, 5, 7, 9, 11, 12)), TPQ // 2,
                              rng.randint(60, 110)))
        for p in chord:  # a chord on every beat
            for beat in range(4):
                notes.append(Note(t + beat * TPQ, 48 + p, TPQ, 70))
        t += TPQ * 4
    notes = notes[:10_000]
    return Score(parts=(Part(tuple(sorted(notes)), name="Piano"),),
                 key_signatures=(KeySignature(0, 0, "major"),))


def make_window(app) -> MainWindow:
    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    settings = Settings(QSettings(str(tmp / "ui_bench.ini"), QSettings.Format.IniFormat))
    settings.set("autosave/folder", str(tmp / "ui_bench-autosave"))
    w = MainWindow(settings=settings)
    w.resize(1400, 850)
    w.show()
    for _ in range(20):
        app.processEvents()
    return w


def ms_stats(samples: list[float]) -> str:
    samples = sorted(samples)
    mean = statistics.fmean(samples) * 1000
    p95 = samples[int(len(samples) * 0.95) - 1] * 1000
    return f"{mean:.2f} ms mean, {p95:.2f} ms p95, {samples[-1] * 1000:.2f} ms max"


# ----- 2. repaint ---------------------------------------------------------------------------------
def bench_repaint(app, w: MainWindow) -> None:
    roll = w.roll
    w.doc.load(ten_thousand_notes())
    roll.geo.set_px_per_quarter(48)
    roll.center_on_pitch(66)
    for _ in range(5):
        app.processEvents()
    samples = []
    bar = 4 * TPQ
    for i in range(60):
        roll.geo.set_offsets(x_off=(i * 7 % 380) * bar * roll.geo.px_per_tick)
        t0 = time.perf_counter()
        roll.repaint()
        samples.append(time.perf_counter() - t0)
    t0, t1 = roll.visible_ticks()
    visible = len(roll.index.visible(t0, t1))
    row(f"repaint of the roll, 10,000 notes, default zoom ({visible} notes on screen)",
        ms_stats(samples), "< 16 ms")
    # worst case: everything on screen
    roll.geo.set_px_per_quarter(4)
    roll.geo.set_offsets(x_off=0)
    roll.zoom_y(0.2)
    app.processEvents()
    t0, t1 = roll.visible_ticks()
    samples = []
    for _ in range(20):
        t = time.perf_counter()
        roll.repaint()
        samples.append(time.perf_counter() - t)
    visible = len(roll.index.visible(t0, t1, roll.geo.pitch_at(roll.canvas.height()),
                                     roll.geo.pitch_at(0)))
    row(f"repaint, zoomed out ({visible} notes on screen)", ms_stats(samples))
    roll.geo.set_px_per_quarter(48)
    roll.geo.row_h = 12
    roll.center_on_pitch(66)


# ----- 3. drag -----------------------------------------------------------------------------------
def send(widget, kind, pos, buttons) -> None:
    local = QPointF(*pos)
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    ev = QMouseEvent(kind, local, widget.mapToGlobal(local), button, buttons,
                     Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, ev)


def bench_drag(app, w: MainWindow) -> None:
    roll = w.roll
    roll.set_tool("select")
    roll.geo.set_offsets(x_off=20 * 4 * TPQ * roll.geo.px_per_tick)
    app.processEvents()
    first = roll.index.visible(*roll.visible_ticks())[0]
    chosen = roll.index.keys[first:first + 500]
    w.doc.set_selection(chosen)
    anchor = chosen[0][1]
    x, y = roll.point_of(anchor.start + 20, anchor.pitch)
    left = Qt.MouseButton.LeftButton
    send(roll.canvas, QEvent.Type.MouseButtonPress, (x, y), left)
    samples = []
    for i in range(1, 121):
        pos = (x + (i % 60) * 3, y + (i % 20) - 10)
        t0 = time.perf_counter()
        send(roll.canvas, QEvent.Type.MouseMove, pos, left)
        roll.canvas.repaint()
        roll.velocity.repaint()
        samples.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    send(roll.canvas, QEvent.Type.MouseButtonRelease, (x + 48, y - 24), Qt.MouseButton.NoButton)
    app.processEvents()
    release = time.perf_counter() - t0
    on_screen = int(roll.sel_mask[roll.index.visible(*roll.visible_ticks())].sum())
    row(f"drag of 500 selected notes ({on_screen} on screen), per move event incl. repaint",
        ms_stats(samples), "smooth: < 16 ms")
    row("drop of the 500 notes (one undo command, re-index 10,000 notes)",
        f"{release * 1000:.1f} ms", "")
    assert w.doc.undo_stack.count() == 1, "the drag should be one undo step"


# ----- 4. continue -------------------------------------------------------------------------------
def bench_continue(app, w: MainWindow) -> None:
    from ui_model import bench_model

    found = bench_model()
    if found is None:
        row("longest event-loop gap during Continue", "not available (no model, and no "
            "TensorFlow to build a stand-in)", "< 50 ms")
        return
    folder, label = found
    from composer_gui.music import load_score

    try:
        import music21

        chorale = load_score(music21.corpus.getWork("bwv66.6"))
        sketch = chorale.slice(0, chorale.bar_start(4))
    except Exception:  # no corpus: a plain melody
        sketch = ten_thousand_notes().slice(0, 4 * 4 * TPQ)
    w.doc.load(sketch)
    panel = w.panel
    while panel.model.placeholderText() == "Looking for models…" and panel.model.count() == 0:
        app.processEvents()
        time.sleep(0.005)
    i = panel.model.findData(folder)
    if i < 0:
        panel.model.addItem(Path(folder).name, folder)
        i = panel.model.count() - 1
    panel.model.setCurrentIndex(i)  # starts loading the model in the background
    deadline = time.time() + 30
    while w.controller._preloaded and w.controller.backend._cache.get(folder) is None \
            and time.time() < deadline:
        app.processEvents()
        time.sleep(0.002)
    panel.variations.setValue(3)
    panel.bars.setValue(4)
    for run in range(3):
        ticks: list[float] = []
        timer = QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.timeout.connect(lambda ticks=ticks: ticks.append(time.perf_counter()))
        done: list[str] = []
        w.controller.finished.connect(lambda done=done: done.append("ok"))
        w.controller.failed.connect(done.append)
        timer.start(10)
        t0 = time.perf_counter()
        QTimer.singleShot(30, panel.start_continue)
        while not done and time.perf_counter() - t0 < 60:
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 5)
        timer.stop()
        elapsed = time.perf_counter() - t0 - 0.03
        gaps = [b - a for a, b in itertools.pairwise(ticks)]
        notes = sum(w.proposal.counts())
        row(f"Continue #{run + 1} ({label}): {notes} notes in {elapsed:.2f} s, "
            f"longest gap between 10 ms ticks", f"{max(gaps) * 1000:.1f} ms", "< 50 ms")
        w.controller.finished.disconnect()
        w.controller.failed.disconnect()
        w.controller.discard()
        if done and done[0] != "ok":
            row("Continue failed", done[0])
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("start-up …", flush=True)
    bench_startup(args.repeat)
    app = make_app()
    w = make_window(app)
    print("repaint …", flush=True)
    bench_repaint(app, w)
    print("drag …", flush=True)
    bench_drag(app, w)
    print("continue …", flush=True)
    bench_continue(app, w)
    w.doc.undo_stack.setClean()
    w.close()
    print()
    print("| what | figure | target |")
    print("| --- | --- | --- |")
    for what, figure, target in ROWS:
        print(f"| {what} | {figure} | {target} |")


if __name__ == "__main__":
    main()
