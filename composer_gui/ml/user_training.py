"""Training by name: a folder of the user's music becomes an installed model with its card.

``train --data-dir DIR --name NAME`` (and the window's Train on My Music, which runs that command)
trains in ``<user models>/.training/NAME`` (model_folder.run_dir), so a run that is stopped or
killed leaves a folder that resumes and that ``models`` lists as unfinished, never a half-written
model. When the run ends, the card is written there (the evaluation the bundled models get, on the
run's own held-out test pieces: ml/evaluate.py) and the folder is moved to
``<user models>/NAME`` in one rename (model_folder.install).

No TensorFlow here: :func:`plan` runs before the CLI imports it.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from composer_gui.ml import model_folder as layout
from composer_gui.ml.model_folder import ModelError


@dataclass(frozen=True)
class Plan:
    """Where a named run trains, and whether it resumes an interrupted one."""

    name: str
    run: Path
    resume: bool
    replace: bool  # --force: an installed model of this name is replaced when the run ends


def recorded_data_dir(run: Path) -> str | None:
    try:
        return json.loads((run / layout.TRAIN_CONFIG).read_text(encoding="utf-8")).get("data_dir")
    except (OSError, ValueError, AttributeError):
        return None


def plan(name: str, data_dir: str | Path | None, *, force: bool = False, resume: bool | None = None,
         corpus: str | None = None) -> Plan:
    """Check the name and what is already there; one ModelError per problem, saying what to do.

    ``resume``: True (--resume), False (--restart) or None (resume an interrupted run of this
    name when it trained on the same folder)."""
    name = layout.check_name(name)
    installed = layout.find_installed(name)
    if installed is not None and layout.is_bundled(installed):
        raise ModelError(f"{name!r} is the name of a model that comes with the app; choose "
                         "another name")
    if installed is not None and not force:
        raise ModelError(f"a model named {name!r} is already installed ({installed}); choose "
                         "another name, or replace it with --force")
    run = layout.run_dir(name)
    ckpt = layout.checkpoint_epochs(run) is not None
    if resume and not ckpt:
        raise ModelError(f"no interrupted run named {name!r} to resume ({run} holds no "
                         "checkpoint); start it with --data-dir DIR")
    if resume is None and ckpt:
        recorded = recorded_data_dir(run)
        same = (data_dir is None and corpus is None) or (
            recorded is not None and data_dir is not None
            and Path(recorded) == Path(data_dir).resolve())
        if not same:
            raise ModelError(f"an interrupted run named {name!r} (on {recorded}) exists: "
                             "--resume continues it, --restart starts again on the new folder")
        resume = True
    if not resume and data_dir is None and corpus is None:
        raise ModelError("give --data-dir DIR: the folder of music to train on")
    return Plan(name, run, bool(resume), force)


def clear_stale(p: Plan) -> None:
    """A fresh run starts in an empty folder (after --restart, or a run killed before its first
    checkpoint)."""
    if not p.resume and p.run.exists():
        shutil.rmtree(p.run)


def write_card(run: Path, *, progress: bool = False) -> dict:
    """Evaluate the finished run on its test pieces and write card.json / card.md. With too
    little music for a test piece, a short card says so. Returns the card."""
    from composer_gui.ml.evaluate import evaluate
    from composer_gui.ml.evaluate import write_card as write_full_card

    try:
        result = evaluate(run, progress=progress)
    except ValueError as exc:  # no test pieces: the folder was too small to hold any out
        return write_short_card(run, str(exc))
    write_full_card(run, result)
    return json.loads((run / layout.CARD).read_text(encoding="utf-8"))


def write_short_card(run: Path, why: str) -> dict:
    config = layout.read_config(run)
    tr, m = config.get("training", {}), config.get("model", {})
    card = {
        "name": config.get("name", run.name),
        "summary": f"folder {tr.get('data_dir')}: {m.get('layers')} x LSTM {m.get('hidden')}, "
                   f"{tr.get('epochs_run')} epochs; not evaluated (no test piece)",
        "data": {"data_dir": tr.get("data_dir"), "split_pieces": tr.get("split_sizes"),
                 "split_tokens": tr.get("split_tokens")},
        "model": m,
        "training": {k: tr.get(k) for k in ("preset", "epochs_run", "best_epoch",
                                            "best_val_loss", "training_seconds")},
        "evaluation": None,
        "not_evaluated": why,
    }
    (run / layout.CARD).write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    (run / layout.CARD_MD).write_text(
        f"# Model card: {card['name']}\n\n{card['summary']}.\n\nNot evaluated: {why}. Every "
        "piece went to training and validation; add more music for a held-out test split.\n",
        encoding="utf-8")
    return card


def finish(p: Plan, *, progress: bool = False,
           report: Callable[[dict], None] | None = None) -> Path:
    """Card, then install: the model appears under its name in one step."""
    emit = report or (lambda _e: None)
    emit({"event": "stage", "stage": "evaluate"})
    card = write_card(p.run, progress=progress)
    shutil.rmtree(p.run / layout.CHECKPOINT, ignore_errors=True)  # the optimizer state: done
    target = layout.install(p.run, p.name, replace=p.replace)
    with contextlib.suppress(OSError):
        p.run.parent.rmdir()  # .training, when no other run is under way
    emit({"event": "done", "name": p.name, "folder": str(target), "summary": card["summary"]})
    return target
