"""Training: one readable loop, a run reproducible from its recorded config and seed.

``train(cfg)`` loads and splits the pieces (by piece, recorded in split.json), then for each epoch
cuts fresh windows from the training pieces (shuffled, each transposed by a random -5..+6 semitones,
random start offset), fits one pass with a progress bar, measures the validation loss and accuracy,
appends a row to ``log.csv``, saves a full checkpoint (weights + optimizer) and keeps the best
weights. The learning rate halves after every ``lr_patience`` epochs without a new best; training
stops early after ``patience`` such epochs. An interrupted run resumes from its last
checkpoint with the recorded config. At the end the best weights are exported as a model folder
(see export.py).

Run files in the output folder::

    train_config.json  the full TrainConfig of the run (what --resume reuses)
    log.csv            epoch, train_loss, train_acc, val_loss, val_acc, lr, seconds
    checkpoint/last.keras, checkpoint/best.weights.h5, checkpoint/state.json
                       (or in --checkpoint-dir: it holds the optimizer state, ~3x the weights)
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from composer_gui.ml import model_folder as layout
from composer_gui.ml.corpora import (
    dedupe,
    load_pieces,
    make_windows,
    split_pieces,
    split_record,
)
from composer_gui.ml.musical_eval import attacked_notes
from composer_gui.ml.tokens import Vocabulary
from composer_gui.ml.voices import CHORALE_VOICES, VoiceVocabulary


@dataclass
class TrainConfig:
    out: str
    corpus: str | None = None
    data_dir: str | None = None
    preset: str = "small"
    model: dict = field(default_factory=dict)  # filled from the preset when empty
    epochs: int = 60
    batch_size: int = 32
    seq_len: int = 256
    learning_rate: float = 2e-3
    clipnorm: float = 1.0
    lr_decay: float = 0.5  # multiply the rate by this after lr_patience epochs without a new best
    lr_patience: int = 2
    min_learning_rate: float = 5e-5
    patience: int = 6
    augment: bool = True
    augment_prob: float = 0.5  # share of pieces transposed each epoch (the rest keep their key)
    # "remi": the event stream of tokens.py; "voice-grid": every voice on a 16th grid (voices.py),
    # key normalized, so it is never transposed
    representation: str = "remi"
    voices: list = field(default_factory=list)  # voice-grid: the voices, high to low
    dedupe: bool = False  # drop copies and near-copies before splitting (recorded in split.json)
    # changes made when resuming, e.g. [{"from_epoch": 16, "augment_prob": 0.5}], so the record
    # says exactly what each epoch did
    overrides: list = field(default_factory=list)
    seed: int = 0
    split_seed: int = 0
    limit: int | None = None  # read only the first N source files
    threads: int = 0  # TensorFlow intra-op threads (0: all cores)
    name: str | None = None  # model name in config.json (default: the folder name)
    checkpoint_dir: str | None = None  # default OUT/checkpoint (keep it out of a committed folder)

    def to_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict) -> TrainConfig:
        known = TrainConfig.__dataclass_fields__
        # runs recorded before these settings existed transposed every piece and halved the
        # learning rate after every epoch without a new best
        d = {"augment_prob": 1.0, "lr_patience": 1, **d}
        return TrainConfig(**{k: v for k, v in d.items() if k in known})

    def at_epoch(self, epoch: int, name: str):
        """The value of setting ``name`` in force at ``epoch`` (after any overrides)."""
        value = getattr(self, name)
        for o in sorted(self.overrides, key=lambda o: o["from_epoch"]):
            if epoch >= o["from_epoch"] and name in o:
                value = o[name]
        return value


def make_vocabulary(cfg: TrainConfig) -> Vocabulary | VoiceVocabulary:
    if cfg.representation == "voice-grid":
        voices = tuple(cfg.voices) or (CHORALE_VOICES if cfg.corpus == "bach-chorales"
                                       else ("Melody",))
        return VoiceVocabulary(voices=voices)
    if cfg.representation != "remi":
        raise ValueError(f"unknown representation {cfg.representation!r} (remi, voice-grid)")
    return Vocabulary()


CSV_FIELDS = ("epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "seconds")
# inside the checkpoint folder (model_folder.CHECKPOINT, or --checkpoint-dir)
STATE, LAST, BEST = layout.CKPT_STATE, layout.CKPT_LAST, layout.CKPT_BEST
has_checkpoint = layout.has_checkpoint


def checkpoint_path(out: str | Path, checkpoint_dir: str | Path | None = None) -> Path:
    """Where a run keeps its checkpoint: ``checkpoint_dir``, else OUT/checkpoint."""
    return Path(checkpoint_dir) if checkpoint_dir else Path(out) / layout.CHECKPOINT


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


Report = Callable[[dict], None]


def train(cfg: TrainConfig, *, resume: bool | None = None, progress: bool = True,
          epochs: int | None = None, augment_prob: float | None = None,
          learning_rate: float | None = None, budget_seconds: float | None = None,
          report: Report | None = None) -> Path:
    """Train (or resume) a run in ``cfg.out``; returns the exported model folder (``cfg.out``).

    Resuming uses the recorded config; ``epochs`` (if given) replaces its epoch limit, so
    ``epochs`` at or below the epochs done just exports the best checkpoint; ``augment_prob``
    and ``learning_rate`` given when resuming are recorded as overrides from the next epoch on
    (a new learning rate restarts the schedule from that value).

    ``budget_seconds`` bounds this call's epochs: no epoch starts that the mean epoch so far
    says would end past it (at least one runs); the best weights are exported as usual.
    ``report`` receives the events of :mod:`composer_gui.ml.progress` (files, parsing, batches,
    epochs) as dicts, for a window that follows the run."""
    emit = report or (lambda _event: None)
    out = Path(cfg.out)
    ckpt = checkpoint_path(out, cfg.checkpoint_dir)
    state_path = ckpt / STATE
    has_ckpt = has_checkpoint(ckpt)
    if resume is None:
        resume = has_ckpt
    if resume and has_ckpt:
        recorded = json.loads((out / layout.TRAIN_CONFIG).read_text(encoding="utf-8"))
        cfg = TrainConfig.from_dict(recorded)
        if epochs:
            cfg.epochs = epochs
        done = json.loads(state_path.read_text(encoding="utf-8"))["epoch"]
        change = {}
        if augment_prob is not None and augment_prob != cfg.at_epoch(done + 1, "augment_prob"):
            change["augment_prob"] = augment_prob
        if learning_rate is not None:
            change["learning_rate"] = learning_rate
        if change:
            cfg.overrides.append({"from_epoch": done + 1, **change})
            recorded["overrides"] = cfg.overrides
            (out / layout.TRAIN_CONFIG).write_text(json.dumps(recorded, indent=1) + "\n",
                                                   encoding="utf-8")
        _log(f"resuming {out} from its checkpoint (recorded config, {cfg.epochs} epochs)")
    else:
        resume = False
        if epochs:
            cfg.epochs = epochs
        if augment_prob is not None:
            cfg.augment_prob = augment_prob
        if learning_rate is not None:
            cfg.learning_rate = learning_rate

    import tensorflow as tf

    if cfg.threads:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(cfg.threads)
            tf.config.threading.set_inter_op_parallelism_threads(min(2, cfg.threads))
        except RuntimeError:  # TensorFlow already ran in this process (tests, notebooks)
            _log(f"note: TensorFlow is already running; threads={cfg.threads} not applied")
    import keras

    from composer_gui.ml.export import write_model_folder, write_split
    from composer_gui.ml.keras_model import (
        PRESETS,
        ModelConfig,
        build_sequence_model,
        compile_model,
    )

    model_cfg = ModelConfig.from_dict(cfg.model) if cfg.model else PRESETS[cfg.preset]
    cfg.model = model_cfg.to_dict()
    vocab = make_vocabulary(cfg)
    keras.utils.set_random_seed(cfg.seed)

    pieces = load_pieces(cfg.corpus, cfg.data_dir, vocab, progress=progress, limit=cfg.limit,
                         log=_log, report=report)
    dropped: list[dict] = []
    if cfg.dedupe:
        pieces, dropped = dedupe(pieces, vocab)
        _log(f"dropped {len(dropped)} copies before splitting")
    split = split_pieces(pieces, cfg.split_seed)
    if not split["train"]:
        raise ValueError("the split left no training pieces")
    if not split["val"]:  # tiny folders: borrow one training piece so validation still runs
        split["val"] = split["train"][-1:]
    if cfg.corpus:
        source = {"corpus": cfg.corpus}
    else:
        source = {"data_dir": str(Path(cfg.data_dir).resolve())}
    record = split_record(split, cfg.split_seed, source)
    if cfg.dedupe:
        record["dropped"] = dropped
    sizes = {k: len(v) for k, v in split.items()}
    tokens = {k: int(sum(len(p.tokens) for p in v)) for k, v in split.items()}
    _log(f"pieces: {sizes}, tokens: {tokens}")
    emit({"event": "data", "pieces": sizes, "tokens": tokens,
          "notes": attacked_notes([p.tokens for p in pieces], vocab)})

    ckpt.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    if resume:
        model = keras.models.load_model(ckpt / LAST, compile=True)
        state = json.loads(state_path.read_text(encoding="utf-8"))
    else:
        (out / layout.TRAIN_CONFIG).write_text(json.dumps(cfg.to_dict(), indent=1) + "\n",
                                               encoding="utf-8")
        model = build_sequence_model(model_cfg, vocab.size)
        compile_model(model, cfg.learning_rate, cfg.clipnorm)
        state = {"epoch": 0, "best_val_loss": None, "best_epoch": 0, "bad_epochs": 0,
                 "lr": cfg.learning_rate, "seconds": 0.0, "stopped": False}
        with open(out / layout.LOG, "w", newline="") as f:
            csv.writer(f).writerow(CSV_FIELDS)
    write_split(out, record)
    _log(f"model: {model_cfg} ({model.count_params():,} parameters)")
    with open(out / layout.LOG, newline="") as f:
        history = list(csv.DictReader(f))
    emit({"event": "model", "parameters": int(model.count_params()), "epochs": cfg.epochs,
          "done": state["epoch"], "history": history, "resumed": bool(resume)})
    started = time.perf_counter()
    spent = 0.0
    out_of_time = False

    val = make_windows(split["val"], vocab, cfg.seq_len, None)
    while state["epoch"] < cfg.epochs and not state["stopped"]:
        epoch = state["epoch"] + 1
        ran = epoch - 1 - (int(history[-1]["epoch"]) if history else 0)
        if budget_seconds is not None and ran > 0 and spent + spent / ran > budget_seconds:
            out_of_time = True
            break
        restart_lr = [o["learning_rate"] for o in cfg.overrides
                      if o["from_epoch"] == epoch and "learning_rate" in o]
        if restart_lr and state.get("lr_restarted_at") != epoch:
            state.update(lr=restart_lr[-1], lr_restarted_at=epoch, bad_epochs=0)
        model.optimizer.learning_rate.assign(state["lr"])
        rng = np.random.default_rng([cfg.seed, epoch])  # a resumed run sees the same data
        transpose = cfg.augment and isinstance(vocab, Vocabulary)  # the voice grid is in C/Am
        windows = make_windows(split["train"], vocab, cfg.seq_len, rng, augment=transpose,
                               augment_prob=cfg.at_epoch(epoch, "augment_prob"))
        t0 = time.perf_counter()
        if progress:
            _log(f"epoch {epoch}/{cfg.epochs}: {len(windows)} windows of {cfg.seq_len}, "
                 f"lr {state['lr']:.2e}")
        callbacks = [batch_report(emit, epoch, cfg.epochs, -(-len(windows) // cfg.batch_size))] \
            if report else []
        hist = model.fit(windows[:, :-1], windows[:, 1:], batch_size=cfg.batch_size, epochs=1,
                         shuffle=True, verbose=1 if progress else 0, callbacks=callbacks)
        val_loss, val_acc = model.evaluate(val[:, :-1], val[:, 1:], batch_size=cfg.batch_size,
                                           verbose=0)
        seconds = time.perf_counter() - t0
        state["seconds"] += seconds
        row = (epoch, hist.history["loss"][-1], hist.history["acc"][-1], val_loss, val_acc,
               state["lr"], seconds)
        with open(out / layout.LOG, "a", newline="") as f:
            csv.writer(f).writerow([row[0], *(f"{x:.5g}" for x in row[1:])])
        best = state["best_val_loss"]
        if best is None or val_loss < best - 1e-4:
            state.update(best_val_loss=float(val_loss), best_epoch=epoch, bad_epochs=0)
            model.save_weights(ckpt / BEST)
            mark = " (best)"
        else:
            state["bad_epochs"] += 1
            if state["bad_epochs"] % max(1, cfg.at_epoch(epoch, "lr_patience")) == 0:
                state["lr"] = max(cfg.min_learning_rate, state["lr"] * cfg.lr_decay)
            state["stopped"] = state["bad_epochs"] >= cfg.patience
            mark = ""
        _log(f"epoch {epoch}: train {row[1]:.4f}, val {val_loss:.4f}, val acc {val_acc:.4f}, "
             f"{seconds:.0f} s{mark}")
        spent = time.perf_counter() - started
        state["epoch"] = epoch
        model.save(ckpt / f"{LAST}.tmp.keras")
        os.replace(ckpt / f"{LAST}.tmp.keras", ckpt / LAST)
        tmp = state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, state_path)
        emit({"event": "epoch", "epoch": epoch, "epochs": cfg.epochs,
              **dict(zip(CSV_FIELDS[1:], (float(x) for x in row[1:]), strict=True)),
              "best": bool(mark), "elapsed": round(spent, 2)})
    if state["stopped"]:
        _log(f"early stop: no new best for {cfg.patience} epochs")
    if out_of_time:
        _log(f"time budget of {budget_seconds:.0f} s reached after epoch {state['epoch']}")
    emit({"event": "stage", "stage": "export", "epochs_run": state["epoch"],
          "why": "early stop" if state["stopped"] else "time budget" if out_of_time
          else "epoch limit"})

    model.load_weights(ckpt / BEST)
    training = {**cfg.to_dict(), "split_sizes": sizes, "split_tokens": tokens,
                "epochs_run": state["epoch"], "best_epoch": state["best_epoch"],
                "best_val_loss": state["best_val_loss"],
                "training_seconds": round(state["seconds"], 1),
                "parameters": int(model.count_params()),
                "tensorflow": tf.__version__, "keras": keras.__version__}
    write_model_folder(out, model, model_cfg, vocab, training, record, name=cfg.name)
    _log(f"model folder written: {out}")
    return out


def batch_report(emit: Report, epoch: int, epochs: int, steps: int):
    """A Keras callback that reports the running loss and accuracy every few batches (built on
    demand: keras is imported only here, inside training)."""
    import keras

    class _BatchReport(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            step = batch + 1
            if step == steps or step % max(1, steps // 20) == 0:
                logs = logs or {}
                emit({"event": "batch", "epoch": epoch, "epochs": epochs, "step": step,
                      "steps": steps, "loss": float(logs.get("loss", "nan")),
                      "acc": float(logs.get("acc", "nan"))})

    return _BatchReport()
