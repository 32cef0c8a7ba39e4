"""``composer-gui train``: train an LSTM on a named corpus or a folder and write a model folder."""

from __future__ import annotations

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
    p.add_argument("--out", type=Path, required=True, help="run and model folder")
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
    p.add_argument("--name", default=None, help="model name (default: the folder name)")
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
    problem = folder_problem(args.out, "--out")
    if not problem and getattr(args, "checkpoint_dir", None) is not None:
        problem = folder_problem(args.checkpoint_dir, "--checkpoint-dir")
    return problem


def run(args) -> int:
    problem = options_problem(args)
    if problem:
        print(f"composer-gui train: {problem}", file=sys.stderr)
        return 2
    if not tensorflow_available():
        print(INSTALL_HINT, file=sys.stderr)
        return 1
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
    try:
        train(cfg, resume=resume, progress=not args.quiet, epochs=args.epochs,
              augment_prob=args.augment_prob,
              learning_rate=args.learning_rate if has_ckpt and resume is not False else None)
    except (CorpusError, ValueError) as exc:
        print(f"composer-gui train: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the disk filled up, a folder vanished: one line, no traceback
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"composer-gui train: could not write the run: {exc.strerror or exc}{where}",
              file=sys.stderr)
        return 1
    return 0
