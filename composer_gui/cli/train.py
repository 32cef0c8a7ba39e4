"""``composer-gui train``: train an LSTM on a named corpus or a folder and write a model folder.

``--name NAME`` without ``--out`` trains into the user's models folder, writes the model card and
installs the model under that name (ml/user_training.py). ``--progress-json`` prints one JSON
object per line on stdout (the events of ml/train.py and ml/corpora.py), which the window's
Train on My Music follows; ``--check`` only reads the folder and reports its files and the
amount of music (no TensorFlow needed).
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from pathlib import Path

INSTALL_HINT = (
    "composer-gui train: training needs TensorFlow, which the app itself does not install.\n"
    "Install the training extra:  pip install -e \".[train]\"\n"
    "(or, from a package index: pip install \"composer-gui[train]\")"
)


def add_parser(sub) -> None:
    p = sub.add_parser(
        "train",
        help="train a model on a music21 corpus or a folder of MIDI/MusicXML/ABC files",
        description="Validation after each epoch, best checkpoint kept, early stopping, CSV log "
        "(OUT/log.csv); an interrupted run resumes from OUT/checkpoint. Ends by writing the "
        "model folder (config.json, model.onnx, weights.weights.h5, split.json) in OUT.",
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument("--corpus", choices=("bach-chorales", "folk-melodies"))
    src.add_argument("--data-dir", type=Path, help="a folder of MIDI / MusicXML / ABC files")
    p.add_argument("--out", type=Path, default=None,
                   help="run and model folder (default with --name: the user's models folder, "
                   "where the app, `models` and `generate --model NAME` find it)")
    p.add_argument("--epochs", type=int, default=None,
                   help="maximum epochs (default 60); with a checkpoint, the new limit (at "
                   "or below the epochs done: just export the best checkpoint)")
    p.add_argument("--preset", choices=("tiny", "small", "medium"), default=None,
                   help="model size (default small: 2 x 256 LSTM)")
    p.add_argument("--seed", type=int, default=None, help="training seed (default 0)")
    p.add_argument("--split-seed", type=int, default=None, help="train/val/test split seed")
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--seq-len", type=int, default=None, help="window length in tokens")
    p.add_argument("--learning-rate", type=float, default=None)
    p.add_argument("--dropout", type=float, default=None, help="override the preset's dropout")
    p.add_argument("--patience", type=int, default=None, help="early stopping patience")
    p.add_argument("--augment-prob", type=float, default=None,
                   help="share of pieces transposed by -5..+6 semitones each epoch (default "
                   "0.5); when resuming, recorded as a change from the next epoch on")
    p.add_argument("--representation", choices=("remi", "voice-grid"), default=None,
                   help="remi: an event stream of onsets and durations (the first models); "
                   "voice-grid: every voice on a sixteenth grid with held notes, key "
                   "normalized (docs/voices.md)")
    p.add_argument("--voices", default=None,
                   help="voice-grid: the voices high to low, comma-separated (default: "
                   "Soprano,Alto,Tenor,Bass for bach-chorales, else Melody)")
    p.add_argument("--dedupe", action="store_true", default=None,
                   help="drop identical pieces and near-copies before splitting")
    p.add_argument("--threads", type=int, default=None, help="TensorFlow threads (0: all)")
    p.add_argument("--limit", type=int, default=None, help="read only the first N source files")
    p.add_argument("--name", default=None,
                   help="model name; without --out the model is trained into the user's models "
                   "folder, gets its card and is installed under this name")
    p.add_argument("--force", action="store_true",
                   help="with --name: replace an installed model of the same name when done")
    p.add_argument("--time-budget", type=float, default=None, metavar="MINUTES",
                   help="stop starting epochs that would end after this many minutes of "
                   "training; the best epoch so far is kept")
    p.add_argument("--check", action="store_true",
                   help="only read --data-dir: list the files used and skipped (with the "
                   "reason) and say whether it is enough music; trains nothing")
    p.add_argument("--progress-json", action="store_true",
                   help="machine-readable progress: one JSON object per line on stdout")
    p.add_argument("--checkpoint-dir", type=Path, default=None,
                   help="where checkpoints go (default OUT/checkpoint)")
    res = p.add_mutually_exclusive_group()
    res.add_argument("--resume", action="store_true", default=None,
                     help="continue from OUT's checkpoint (default when one exists)")
    res.add_argument("--restart", action="store_true", help="ignore an existing checkpoint")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def tensorflow_available() -> bool:
    try:
        import tensorflow  # noqa: F401  (training imports it next anyway)
    except ImportError:
        return False
    return True


class Reporter:
    """Where progress goes: JSON lines on stdout (--progress-json), else nowhere (the bars and
    the log on stderr say it to a person)."""

    def __init__(self, json_lines: bool) -> None:
        self.json_lines = json_lines

    def __call__(self, event: dict) -> None:
        if self.json_lines:
            sys.stdout.write(json.dumps(event) + "\n")
            sys.stdout.flush()

    def fail(self, message: str, code: int = 1) -> int:
        self({"event": "error", "message": message})
        print(f"composer-gui train: {message}", file=sys.stderr)
        return code


def folder_problem(folder: Path, what: str) -> str:
    """'' if ``folder`` exists and takes files, or can be made (its nearest existing parent is a
    folder that takes files); else the reason. Checked by writing and removing a probe file, which
    is what counts (permissions, read-only disks, /proc): training makes nothing until then."""
    folder = Path(folder).expanduser()
    existing = folder.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing == folder.absolute() and not existing.is_dir():
        return f"{what} {folder} is a file, not a folder"
    if not existing.is_dir():
        return f"{what} {folder} cannot be made: {existing} is not a folder"
    try:
        with tempfile.TemporaryFile(dir=existing, prefix=".composer-gui-probe-"):
            pass
    except OSError as exc:
        made = "is not writable" if existing == folder.absolute() else \
            f"cannot be made: {existing} is not writable"
        return f"{what} {folder} {made} ({exc.strerror or exc})"
    return ""


def options_problem(args) -> str:
    """'' or the first option out of range, checked before TensorFlow loads."""
    wholes = {"epochs": 1, "batch_size": 1, "seq_len": 2, "patience": 0, "threads": 0,
              "limit": 1}
    for name, low in wholes.items():
        value = getattr(args, name, None)
        if value is not None and value < low:
            return f"--{name.replace('_', '-')} must be at least {low}, not {value}"
    for name, low, high in (("learning_rate", 0.0, 10.0), ("dropout", 0.0, 1.0),
                            ("augment_prob", 0.0, 1.0)):
        value = getattr(args, name, None)
        if value is None:
            continue
        inside = math.isfinite(value) and low <= value <= high
        if not inside or (name in ("learning_rate",) and value == 0) or (
                name == "dropout" and value == 1):
            return f"--{name.replace('_', '-')} {value} is outside {low:g}..{high:g}"
    problem = folder_problem(args.out, "--out") if args.out is not None else ""
    if not problem and getattr(args, "checkpoint_dir", None) is not None:
        problem = folder_problem(args.checkpoint_dir, "--checkpoint-dir")
    return problem


def run(args) -> int:
    report = Reporter(args.progress_json)
    if args.check:
        return check(args, report)
    if args.out is None and args.name is None:
        return report.fail("give --out FOLDER, or --name NAME to install the model in your "
                           "models folder", 2)
    problem = options_problem(args)  # before anything is made (--out is checked here if given)
    if problem:
        return report.fail(problem, 2)
    plan = None
    if args.out is None:
        from composer_gui.ml.model_folder import ModelError
        from composer_gui.ml.user_training import plan as plan_run

        try:
            plan = plan_run(args.name, args.data_dir, corpus=args.corpus,
                            force=args.force, resume=False if args.restart else args.resume)
        except ModelError as exc:
            return report.fail(str(exc))
        args.out = plan.run
        args.resume = plan.resume or None
        if args.data_dir is not None and args.corpus is None and not plan.resume:
            from composer_gui.ml.corpora import CorpusError, folder_sources

            try:
                folder_sources(args.data_dir)
            except CorpusError as exc:
                return report.fail(str(exc))
        problem = folder_problem(args.out, "the models folder")
        if problem:
            return report.fail(problem, 2)
    if not tensorflow_available():
        report({"event": "error", "message": INSTALL_HINT, "install": True})
        print(INSTALL_HINT, file=sys.stderr)
        return 1
    if plan is not None:
        from composer_gui.ml.user_training import clear_stale

        clear_stale(plan)
    from composer_gui.ml.corpora import CorpusError
    from composer_gui.ml.train import TrainConfig, checkpoint_path, has_checkpoint, train

    has_ckpt = has_checkpoint(checkpoint_path(args.out, args.checkpoint_dir))
    if args.corpus is None and args.data_dir is None and not has_ckpt:
        print("composer-gui train: give --corpus NAME or --data-dir DIR", file=sys.stderr)
        return 2

    cfg = TrainConfig(out=str(args.out), corpus=args.corpus,
                      data_dir=str(args.data_dir) if args.data_dir else None,
                      checkpoint_dir=str(args.checkpoint_dir) if args.checkpoint_dir else None)
    for name in ("preset", "seed", "split_seed", "batch_size", "seq_len",
                 "learning_rate", "patience", "threads", "limit", "name", "representation",
                 "dedupe"):
        value = getattr(args, name)
        if value is not None:
            setattr(cfg, name, value)
    if args.voices:
        cfg.voices = [v.strip() for v in args.voices.split(",") if v.strip()]
    if args.dropout is not None:
        from composer_gui.ml.keras_model import PRESETS

        cfg.model = {**PRESETS[cfg.preset].to_dict(), "dropout": args.dropout}
    resume = False if args.restart else (True if args.resume else None)
    if args.resume and not has_ckpt:
        print(f"composer-gui train: {args.out} holds no checkpoint to resume", file=sys.stderr)
        return 1
    quiet = args.quiet or args.progress_json
    report({"event": "start", "name": args.name or Path(args.out).name, "out": str(args.out),
            "resume": bool(has_ckpt and resume is not False)})
    try:
        train(cfg, resume=resume, progress=not quiet, epochs=args.epochs,
              augment_prob=args.augment_prob,
              learning_rate=args.learning_rate if has_ckpt and resume is not False else None,
              budget_seconds=args.time_budget * 60 if args.time_budget else None,
              report=report)
    except (CorpusError, ValueError) as exc:
        if plan is not None and not has_checkpoint(checkpoint_path(args.out)):
            import shutil

            shutil.rmtree(args.out, ignore_errors=True)  # nothing worth resuming was written
        return report.fail(str(exc))
    except OSError as exc:  # the disk filled up, a folder vanished: one line, no traceback
        where = f" ({exc.filename})" if exc.filename else ""
        return report.fail(f"could not write the run: {exc.strerror or exc}{where}")
    if plan is not None:
        from composer_gui.ml.model_folder import ModelError
        from composer_gui.ml.user_training import finish

        try:
            folder = finish(plan, progress=not quiet, report=report)
        except (ModelError, CorpusError, ValueError, OSError) as exc:
            return report.fail(f"the model is trained ({args.out}) but could not be installed: "
                               f"{exc}")
        print(f"installed {plan.name}: {folder}", file=sys.stderr)
    else:
        report({"event": "done", "name": args.name or Path(args.out).name,
                "folder": str(args.out), "summary": None})
    return 0


def check(args, report: Reporter) -> int:
    """--check: read the folder (parsed files are cached for the training that follows), report
    every file and the amount of music; exit 0 when something is usable."""
    from composer_gui.ml.corpora import CorpusError, load_pieces
    from composer_gui.ml.data_check import assess
    from composer_gui.ml.train import TrainConfig, make_vocabulary

    if args.data_dir is None:
        return report.fail("--check needs --data-dir DIR", 2)
    cfg = TrainConfig(out="", data_dir=str(args.data_dir))
    if args.representation:
        cfg.representation = args.representation
    if args.voices:
        cfg.voices = [v.strip() for v in args.voices.split(",") if v.strip()]
    files: list[dict] = []

    def collect(event: dict) -> None:
        if event["event"] == "file":
            files.append(event)
        report(event)

    try:
        vocab = make_vocabulary(cfg)
        load_pieces(None, args.data_dir, vocab, progress=not (args.quiet or args.progress_json),
                    limit=args.limit, log=lambda _m: None, report=collect)
    except (CorpusError, ValueError) as exc:
        if not files:
            return report.fail(str(exc))
    verdict = assess(files)
    report({"event": "check", **verdict})
    if not args.progress_json:
        for f in files:
            status = f"{f['pieces']} piece(s), {f['notes']} notes" if f["pieces"] else \
                f"skipped: {f['reason']}"
            print(f"{f['path']}: {status}")
        print(verdict["message"])
    return 0 if verdict["usable"] else 1
