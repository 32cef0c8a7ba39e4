"""Take docs/screenshot.png: the app with a Bach chorale, a proposal after it, the Parts panel and
the Score dock on show.

    python docs/make_screenshot.py [--out docs/screenshot.png] [--model NAME_OR_FOLDER]

Renders offscreen with QWidget.grab(). The proposal comes from the real sampler with the first
installed model (or --model); with none installed it uses bench/ui_model.py's stand-in (random
weights), so re-run this once the bundled models are trained.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from PySide6.QtCore import QSettings  # noqa: E402

from composer_gui.music import load_score  # noqa: E402
from composer_gui.ui.app import make_app  # noqa: E402
from composer_gui.ui.main_window import MainWindow  # noqa: E402
from composer_gui.ui.settings import Settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshot.png"))
    parser.add_argument("--model", default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import music21
    from ui_model import bench_model

    if args.model:
        model, label = args.model, args.model
    else:
        found = bench_model()
        if found is None:
            print("no model available", file=sys.stderr)
            return 1
        model, label = found
    print(f"model: {label}")

    app = make_app()
    ini = Path(tempfile.mkdtemp()) / "screenshot.ini"
    settings = Settings(QSettings(str(ini), QSettings.Format.IniFormat))
    settings.set("autosave/folder", str(ini.parent / "autosave"))
    w = MainWindow(settings)
    w.resize(1440, 860)
    w.show()

    def pump(seconds: float = 0.05) -> None:
        end = time.time() + seconds
        while time.time() < end:
            app.processEvents()
            time.sleep(0.005)

    sketch = load_score(music21.corpus.getWork("bwv66.6"))
    w.doc.load(sketch, Path("bwv66.6.mxl"))
    w.score_dock.show()  # View > Score View: engraved in a worker process
    w.doc.undo_stack.setClean()
    pump(0.3)
    panel = w.panel
    i = panel.model.findData(str(model))
    if i < 0:
        i = panel.model.findText(str(model))  # an installed model by name
    if i < 0:
        panel.model.addItem(Path(str(model)).name, str(model))
        i = panel.model.count() - 1
    panel.model.setCurrentIndex(i)
    panel.bars.setValue(4)
    panel.variations.setValue(3)
    panel.seed.setValue(args.seed)
    done: list[str] = []
    w.controller.finished.connect(lambda: done.append("ok"))
    w.controller.failed.connect(done.append)
    panel.start_continue()
    deadline = time.time() + 120
    while not done and time.time() < deadline:
        pump(0.02)
    if done != ["ok"]:
        print(f"generation did not finish: {done}", file=sys.stderr)
        return 1
    w.proposal.select(0)
    w.roll.zoom_to_fit()
    w.doc.set_selection(())
    w.roll.set_cursor_tick(sketch.end_tick)
    w.roll.hoverChanged.emit(sketch.bar_start(2) + 480)
    status = w.score_dock.widget().status
    deadline = time.time() + 60
    while "updated" not in status.text() and time.time() < deadline:
        pump(0.05)
    pump(0.3)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    w.grab().save(str(out))
    print(f"wrote {out} ({w.proposal.counts()} notes per variation)")
    w.controller.discard()
    w.doc.undo_stack.setClean()
    w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
