"""A stand-in for ``composer-gui train --progress-json`` (the training window's tests run it
instead of TensorFlow): the same events, at a pace the tests choose, and a checkpoint record in
the run folder so that Resume is offered.

Usage: python fake_trainer.py train [--check] [--name NAME] [--resume] ... ; the pace comes from
$FAKE_TRAINER_DELAY (seconds per batch, default 0.02) and $FAKE_TRAINER_EPOCHS (default 3).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def say(**event) -> None:
    print(json.dumps(event), flush=True)


def arg(name: str) -> str | None:
    argv = sys.argv
    return argv[argv.index(name) + 1] if name in argv else None


def main() -> int:
    delay = float(os.environ.get("FAKE_TRAINER_DELAY", "0.02"))
    epochs = int(os.environ.get("FAKE_TRAINER_EPOCHS", "3"))
    if "--check" in sys.argv:
        say(event="parse", done=0, total=3)
        for i in range(3):
            say(event="parse", done=i + 1, total=3)
        say(event="file", path="a.mid", pieces=1, notes=120, reason=None)
        say(event="file", path="b.mid", pieces=1, notes=80, reason=None)
        say(event="file", path="drums.mid", pieces=0, notes=0,
            reason="only drums (MIDI channel 10): no pitched notes to learn from")
        say(event="check", usable=True, enough=False, files=3, used=2, skipped=1, pieces=2,
            notes=200, needed_notes=20000, message="Only 200 notes in 2 file(s) (1 skipped).")
        return 0
    print("some TensorFlow chatter that is not JSON", flush=True)
    name = arg("--name") or "fake"
    run = Path(os.environ["COMPOSER_GUI_MODELS"]) / ".training" / name
    state = run / "checkpoint" / "state.json"
    done = json.loads(state.read_text())["epoch"] if "--resume" in sys.argv else 0
    history = [{"epoch": str(e), "train_loss": str(5 - e), "train_acc": str(0.1 * e),
                "val_loss": str(5.2 - e), "val_acc": str(0.1 * e)} for e in range(1, done + 1)]
    say(event="start", name=name, out=str(run), resume=bool(done))
    say(event="data", pieces={"train": 2, "val": 1, "test": 0}, tokens={}, notes=200)
    say(event="model", parameters=1234, epochs=epochs, done=done, history=history,
        resumed=bool(done))
    for epoch in range(done + 1, epochs + 1):
        for step in range(1, 5):
            time.sleep(delay)
            say(event="batch", epoch=epoch, epochs=epochs, step=step, steps=4,
                loss=5.0 - epoch + 1 - step / 8, acc=0.1 * epoch)
        say(event="epoch", epoch=epoch, epochs=epochs, train_loss=5.0 - epoch,
            train_acc=0.1 * epoch, val_loss=5.2 - epoch, val_acc=0.1 * epoch, lr=0.002,
            seconds=4 * delay, best=True, elapsed=epoch * 4 * delay)
        (run / "checkpoint").mkdir(parents=True, exist_ok=True)
        (run / "checkpoint" / "last.keras").write_text("x")
        state.write_text(json.dumps({"epoch": epoch}))
    say(event="stage", stage="export", epochs_run=epochs, why="epoch limit")
    say(event="stage", stage="evaluate")
    say(event="done", name=name, folder=str(run.parent.parent / name), summary="fake")
    return 0


if __name__ == "__main__":
    sys.exit(main())
