"""Model folders: the one owner of their layout, where installed ones live, and loading one.

A model is a folder (the names are the constants below; nothing else spells them)::

    models/<name>/
      config.json        {"format": "composer-gui-model", "version": 1, "name", "vocabulary",
                         "model": {"embedding", "hidden", "layers", "dropout"}, "training"}
      model.onnx         steps: token int32 [batch, T], h0.., c0.. float32 [batch, hidden]
                         -> logits after the last token [batch, V], h0_out.., c0_out..
                         (:func:`onnx_input_names`, :func:`onnx_output_names`). Older graphs
                         fix T at 1; they load, and run a token per call
                         (:attr:`LoadedModel.sequence_input`)
      card.json, card.md the model card ({"summary": "one line", ...}), optional here
      weights.weights.h5 the Keras weights           } training only: the app and the bundle do
      split.json         the piece-level split       } not need them
      train_config.json, log.csv, checkpoint/        } (a training run's own files)

The vocabulary travels inside config.json, so weights never meet the wrong vocabulary (the prior
art kept them apart and crashed with a shape mismatch when the data changed). Loading checks that
every piece fits before the sampler sees it; any fault is a :class:`ModelError` whose text names
the folder and the reason.

Folders searched, first match wins: the bundled ``models/`` (beside the package, or inside a
PyInstaller bundle), then each folder in ``$COMPOSER_GUI_MODELS`` (``os.pathsep``-separated), else
the user's data folder (``~/.local/share/composer-gui/models`` on Linux,
``~/Library/Application Support/composer-gui/models`` on macOS, ``%APPDATA%\\composer-gui\\models``
on Windows).

``train --name NAME`` (and the window's Train on My Music) trains in
``<user models>/.training/NAME`` (:func:`run_dir`: invisible to :func:`list_models`, so a run
killed half-way is never listed as a model) and moves the finished folder, card included, to
``<user models>/NAME`` in one rename (:func:`install`).

No TensorFlow here: only onnxruntime (imported when a model is loaded).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from composer_gui.ml.tokens import Vocabulary
from composer_gui.ml.voices import VoiceVocabulary

FORMAT = "composer-gui-model"
VERSION = 1

# ----- the folder's files ------------------------------------------------------------------------
CONFIG = "config.json"
ONNX = "model.onnx"
CARD = "card.json"
CARD_MD = "card.md"
WEIGHTS = "weights.weights.h5"
SPLIT = "split.json"
TRAIN_CONFIG = "train_config.json"
LOG = "log.csv"
CHECKPOINT = "checkpoint"  # a folder (or train --checkpoint-dir) holding:
CKPT_STATE = "state.json"  # epochs done, best so far, learning rate
CKPT_LAST = "last.keras"  # the whole model with its optimizer, after the last epoch
CKPT_BEST = "best.weights.h5"  # the best epoch's weights
RUNS = ".training"  # in the user models folder: runs in progress or interrupted, one per name
REQUIRED = (CONFIG, ONNX)  # what loading needs
APP_FILES = (CONFIG, ONNX, CARD, CARD_MD)  # what the app reads: what a bundle ships

# ----- the ONNX step graph's names ---------------------------------------------------------------
TOKEN = "token"
LOGITS = "logits"


def state_names(layers: int) -> tuple[str, ...]:
    """The LSTM state inputs, in graph order: h0.., then c0.."""
    return (*(f"h{i}" for i in range(layers)), *(f"c{i}" for i in range(layers)))


def onnx_input_names(layers: int) -> tuple[str, ...]:
    """token, h0.., c0.. (the order of the graph's inputs)."""
    return (TOKEN, *state_names(layers))


def onnx_output_names(layers: int) -> tuple[str, ...]:
    """logits, h0_out.., c0_out.. (each state output is its input's name + "_out")."""
    return (LOGITS, *(f"{n}_out" for n in state_names(layers)))


class ModelError(Exception):
    """A model cannot be found or used. ``str()`` is the whole message for the user."""


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: Path
    summary: str
    voices: tuple[str, ...] = ()  # a voice-grid model's voices, top down; (): one event stream
    about: str = ""  # a few lines from the model card: what it learned from, what it writes
    problem: str = ""  # why the model cannot be used ('' when its config.json checks out)

    @property
    def available(self) -> bool:
        return not self.problem


def model_voices(folder: Path) -> tuple[str, ...]:
    """The voices a model folder's vocabulary writes (() for the REMI event stream, or when the
    config cannot be read: listing models never fails on one bad folder)."""
    try:
        vocab = json.loads((folder / CONFIG).read_text(encoding="utf-8")).get("vocabulary", {})
        voices = vocab.get("voices") if vocab.get("kind") == "voice-grid" else None
    except (OSError, ValueError, AttributeError, RecursionError, MemoryError):
        return ()
    return tuple(str(v) for v in voices) if isinstance(voices, list) else ()


def describe_card(folder: Path, voices: tuple[str, ...] = ()) -> str:
    """A few plain lines from the model card (card.json) for a tooltip: what the model was
    trained on, what it writes, and the musical targets it met."""
    try:
        card = json.loads((folder / CARD).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError, MemoryError):  # a hostile card: no lines
        card = None
    lines = [read_summary(folder)]
    if voices:
        lines.append("Writes " + (f"one line ({voices[0].lower()})" if len(voices) == 1
                                  else ", ".join(v.lower() for v in voices)) + ".")
    if isinstance(card, dict):
        data = card.get("data") if isinstance(card.get("data"), dict) else {}
        pieces = data.get("split_pieces") if isinstance(data.get("split_pieces"), dict) else {}
        if data.get("corpus"):
            count = sum(v for v in pieces.values() if isinstance(v, int))
            lines.append(f"Learned from {data['corpus']}" + (f" ({count:,} pieces)." if count
                                                              else "."))
        music = (card.get("evaluation") or {}).get("music") if isinstance(
            card.get("evaluation"), dict) else None
        rows = music.get("rows") if isinstance(music, dict) else None
        if isinstance(rows, dict):
            met = [r for r in rows.values() if isinstance(r, dict) and r.get("met") is True
                   and isinstance(r.get("model"), int | float)]
            for r in met[:4]:
                lines.append(f"{r.get('label')}: {r['model']:.2f} (target {r.get('target')})")
    return "\n".join(lines)


@dataclass
class LoadedModel:
    path: Path
    config: dict
    vocab: AnyVocabulary
    session: Any  # onnxruntime.InferenceSession
    layers: int
    hidden: int
    # the graph takes several tokens per call (a free time axis): the prefill runs a bar per call.
    # False for graphs exported with the time axis fixed at 1, which still work a token per call.
    sequence_input: bool = False

    @property
    def input_names(self) -> tuple[str, ...]:
        return onnx_input_names(self.layers)

    @property
    def output_names(self) -> tuple[str, ...]:
        return onnx_output_names(self.layers)

    @property
    def name(self) -> str:
        return str(self.config.get("name") or self.path.name)

    def summary(self) -> str:
        return read_summary(self.path)


# ----- where models live -----------------------------------------------------------------------
def bundled_models_dir() -> Path:
    """``models/`` of the source tree, or of the PyInstaller bundle when frozen
    (``composer_gui.resources`` decides)."""
    from composer_gui.resources import models_dir

    return models_dir()


def user_models_dirs() -> list[Path]:
    env = os.environ.get("COMPOSER_GUI_MODELS")
    if env:
        return [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
    if sys.platform.startswith("win"):
        root = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        root = Path.home() / "Library" / "Application Support"
    else:
        root = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return [root / "composer-gui" / "models"]


def user_models_dir() -> Path:
    """Where new models are installed (trained by name, renamed): the first user folder."""
    return user_models_dirs()[0]


def models_dirs() -> list[Path]:
    """Every folder searched for models, in order of precedence (they need not exist)."""
    out: list[Path] = []
    for d in [bundled_models_dir(), *user_models_dirs()]:
        if d not in out:
            out.append(d)
    return out


def read_summary(folder: Path) -> str:
    """The model card's one-line summary, or a plain stand-in."""
    try:
        card = json.loads((folder / CARD).read_text(encoding="utf-8"))
        summary = card.get("summary") if isinstance(card, dict) else None
        if isinstance(summary, str) and summary.strip():
            return " ".join(summary.split())
    except (OSError, ValueError, RecursionError, MemoryError):  # a hostile card: no summary
        pass
    return "(no model card)"


def list_models() -> list[ModelInfo]:
    """Installed models (folders holding a config.json), sorted by name; a name found in an
    earlier folder hides the same name later on. Only config.json is read and checked (no ONNX
    Runtime), so this is fast; a model that fails the check is listed with its ``problem``, and
    never hides the others."""
    found: dict[str, ModelInfo] = {}
    for d in models_dirs():
        try:
            subs = sorted(d.iterdir()) if d.is_dir() else []
        except OSError:
            continue
        for sub in subs:
            if sub.is_dir() and (sub / CONFIG).is_file() and sub.name not in found:
                voices = model_voices(sub)
                found[sub.name] = ModelInfo(sub.name, sub, read_summary(sub), voices,
                                            describe_card(sub, voices), check_folder(sub))
    return sorted(found.values(), key=lambda m: m.name)


def check_folder(folder: Path) -> str:
    """'' if the folder's files are there and its config.json (vocabulary included) is valid,
    else the reason, as ModelError words it."""
    try:
        checked_config(folder)
    except ModelError as exc:
        return str(exc)
    return ""


def checked_config(folder: Path) -> tuple[dict, object]:
    """(config, vocabulary) of a model folder whose files are all there; else ModelError."""
    for name in REQUIRED:
        if not (folder / name).is_file():
            raise ModelError(f"{folder}: {name} is missing (is this a model folder?)")
    config = read_config(folder)
    return config, read_vocabulary(folder, config)


@dataclass(frozen=True)
class Skipped:
    """A folder in a models folder that is not (yet) a model, and why."""

    name: str
    path: Path
    reason: str


def skipped_folders() -> list[Skipped]:
    """Folders of the user models folders that :func:`list_models` leaves out, with the reason:
    interrupted training runs (resumable or not) and folders without a config.json."""
    out: list[Skipped] = []
    for d in user_models_dirs():
        if not d.is_dir():
            continue
        for sub in sorted(d.iterdir()):
            if sub.name == RUNS and sub.is_dir():
                out += [Skipped(r.name, r, run_state(r)) for r in sorted(sub.iterdir())
                        if r.is_dir()]
            elif sub.is_dir() and not sub.name.startswith(".") and not (sub / CONFIG).is_file():
                out.append(Skipped(sub.name, sub, f"no {CONFIG}: not a model folder"))
    return out


def has_checkpoint(ckpt: Path) -> bool:
    """Whether the checkpoint folder ``ckpt`` holds a checkpoint a run can resume from."""
    return (ckpt / CKPT_STATE).is_file() and (ckpt / CKPT_LAST).is_file()


def checkpoint_epochs(run: Path) -> int | None:
    """Epochs done by the run in folder ``run`` (its checkpoint/), or None: nothing to resume."""
    ckpt = run / CHECKPOINT
    if not has_checkpoint(ckpt):
        return None
    try:
        return int(json.loads((ckpt / CKPT_STATE).read_text(encoding="utf-8"))["epoch"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def run_state(run: Path) -> str:
    """One line on an unfinished training run: how far it got and the command that goes on."""
    done = checkpoint_epochs(run)
    if done is None:
        return (f"unfinished training run without a checkpoint (stopped before its first epoch "
                f"ended); start again: composer-gui train --data-dir DIR --name {run.name} "
                f"--restart")
    return (f"unfinished training run ({done} epoch(s) done); resume: composer-gui train "
            f"--name {run.name} --resume")


# ----- names -------------------------------------------------------------------------------------
MAX_NAME = 64
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
             *(f"lpt{i}" for i in range(1, 10))}


def check_name(name: str) -> str:
    """``name`` stripped, if it can be a model's folder name on every system; else ModelError
    saying why (one message the CLI and the window both show)."""
    text = name.strip()
    if not text:
        raise ModelError("a model needs a name")
    bad = sorted({c for c in text if c in '/\\:*?"<>|' or ord(c) < 32})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        raise ModelError(f"model name {text!r}: {shown} cannot be part of a folder name; "
                         "use letters, digits, spaces, '-' or '_'")
    if text.startswith(".") or text.endswith("."):
        raise ModelError(f"model name {text!r} may not start or end with '.'")
    if text.lower().split(".")[0] in _RESERVED:
        raise ModelError(f"model name {text!r} is reserved on Windows")
    if len(text) > MAX_NAME:
        raise ModelError(f"model name is {len(text)} characters long; at most {MAX_NAME}")
    return text


def find_installed(name: str) -> Path | None:
    """The folder of the installed model called ``name`` (bundled or the user's), if any."""
    for d in models_dirs():
        if (d / name).is_dir():
            return d / name
    return None


def is_bundled(folder: Path) -> bool:
    """Whether ``folder`` is one of the bundled models (read-only: never renamed or deleted)."""
    try:
        return Path(folder).resolve().parent == bundled_models_dir().resolve()
    except OSError:
        return False


def run_dir(name: str) -> Path:
    """Where ``train --name NAME`` trains until the model is finished."""
    return user_models_dir() / RUNS / check_name(name)


def install(run: Path, name: str, *, replace: bool = False) -> Path:
    """Move a finished run folder to ``<user models>/name`` in one rename; an existing model of
    that name is only replaced with ``replace`` (the old one is removed after the move)."""
    import shutil

    name = check_name(name)
    target = user_models_dir() / name
    old = None
    if target.exists():
        if not replace:
            raise ModelError(f"a model named {name!r} is already installed ({target})")
        old = target.with_name(f".{name}.replaced-{os.getpid()}")
        os.replace(target, old)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(run, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target


def rename_model(folder: Path, new_name: str) -> Path:
    """Rename a user's model: its folder and the name in its config.json and card.json."""
    new_name = check_name(new_name)
    folder = Path(folder)
    if is_bundled(folder):
        raise ModelError(f"{folder.name} comes with the app and cannot be renamed")
    if find_installed(new_name) is not None:
        raise ModelError(f"a model named {new_name!r} is already installed")
    target = folder.with_name(new_name)
    os.replace(folder, target)
    for file in (CONFIG, CARD):
        path = target / file
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and "name" in data:
            data["name"] = new_name
            from composer_gui.music.atomic import atomic_write

            text = json.dumps(data, indent=1) + "\n"
            atomic_write(path, lambda tmp, text=text: tmp.write_text(text, encoding="utf-8"))
    return target


def delete_model(folder: Path) -> None:
    """Delete a user's model folder (never a bundled one)."""
    import shutil

    folder = Path(folder)
    if is_bundled(folder):
        raise ModelError(f"{folder.name} comes with the app and cannot be deleted")
    if not (folder / CONFIG).is_file() and folder.parent.name != RUNS:
        raise ModelError(f"{folder}: not a model folder")
    shutil.rmtree(folder)


def resolve_model(name_or_dir: str | os.PathLike) -> Path:
    """The folder of an installed model given its name, or the folder given itself.

    A Path, or text with a path separator (or starting with '.' or '~'), is a folder; any other
    text is a name looked up in :func:`models_dirs` (then, failing that, a folder of that name in
    the current directory)."""
    text = os.fspath(name_or_dir)
    path = Path(text).expanduser()
    is_path = isinstance(name_or_dir, os.PathLike) or text.startswith((".", "~")) or any(
        s in text for s in "/\\")
    if not is_path and text:
        for d in models_dirs():
            if (d / text / CONFIG).is_file() or (d / text).is_dir():
                return d / text
    if path.is_dir() and text:
        return path
    if is_path:
        raise ModelError(f"{path}: no such model folder")
    names = [m.name for m in list_models()]
    installed = f"installed: {', '.join(names)}" if names else "no models are installed"
    raise ModelError(f"no model named {text!r} ({installed}; searched "
                     f"{', '.join(str(d) for d in models_dirs())})")


# ----- loading -----------------------------------------------------------------------------------
def session_options(threads: int = 1):
    """ONNX Runtime options for the sampler. One intra-op thread: a step at batch 1..16 is too
    small to split, and the GUI thread keeps the other core (bench/generate.py measures this)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.log_severity_level = 3
    return opts


AnyVocabulary = Vocabulary | VoiceVocabulary


def vocabulary_from_dict(d: dict) -> AnyVocabulary:
    """The vocabulary a model folder records: the voice grid (``"kind": "voice-grid"``, see
    voices.py) or the REMI-style event stream of the first models (tokens.py)."""
    if d.get("kind") == "voice-grid":
        return VoiceVocabulary.from_dict(d)
    return Vocabulary.from_dict(d)


def representation(vocab: AnyVocabulary) -> str:
    return "voice-grid" if isinstance(vocab, VoiceVocabulary) else "remi"


RETRAIN_HINT = ("composer-gui train --corpus NAME | --data-dir DIR --representation voice-grid "
                "--out FOLDER")


def read_config(folder: Path) -> dict:
    """config.json parsed and checked (format, version, vocabulary, layers, hidden)."""
    path = folder / CONFIG
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ModelError(f"{folder}: {CONFIG} cannot be read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise ModelError(f"{folder}: {CONFIG} is not valid JSON ({exc})") from None
    except (RecursionError, MemoryError):
        raise ModelError(f"{folder}: {CONFIG} is not a model configuration (it is nested too "
                         "deeply or too large)") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ModelError(f"{folder}: {CONFIG} is not a Composer model (format should be "
                         f"{FORMAT!r})")
    if config.get("version") != VERSION:
        raise ModelError(f"{folder}: model format version {config.get('version')!r} is not "
                         f"supported (this version of Composer reads version {VERSION}); "
                         f"retrain it with: {RETRAIN_HINT}")
    for key in ("vocabulary", "model"):
        if not isinstance(config.get(key), dict):
            raise ModelError(f"{folder}: {CONFIG} has no {key!r} section")
    for key in ("layers", "hidden"):
        value = config["model"].get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ModelError(f"{folder}: {CONFIG}: model.{key} should be a positive whole "
                             f"number, not {value!r}")
    return config


def read_vocabulary(folder: Path, config: dict) -> AnyVocabulary:
    """The vocabulary of a checked config.json; any fault is a ModelError naming the folder."""
    try:
        return vocabulary_from_dict(config["vocabulary"])
    except Exception as exc:  # a hand-edited or hostile config: whatever the fields made fail
        text = " ".join(str(exc).split()) or type(exc).__name__
        raise ModelError(f"{folder}: {CONFIG}: the vocabulary is not valid ({text})") from None


def load_model(name_or_dir: str | os.PathLike, *, threads: int = 1) -> LoadedModel:
    """Find, check and open a model. Raises ModelError naming the folder and the reason."""
    folder = resolve_model(name_or_dir)
    config, vocab = checked_config(folder)
    layers, hidden = config["model"]["layers"], config["model"]["hidden"]

    import numpy as np
    import onnxruntime as ort

    try:
        session = ort.InferenceSession(str(folder / ONNX), sess_options=session_options(threads),
                                       providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own types for a broken file
        raise ModelError(f"{folder}: {ONNX} cannot be loaded ({_first_line(exc)})") from None

    want_in, want_out = onnx_input_names(layers), onnx_output_names(layers)
    have_in = {i.name: i for i in session.get_inputs()}
    have_out = {o.name: o for o in session.get_outputs()}
    missing = [n for n in want_in if n not in have_in] + [n for n in want_out if n not in have_out]
    if missing:
        raise ModelError(f"{folder}: {ONNX} does not match {CONFIG} ({layers} layers): "
                         f"missing {', '.join(missing)}; it has inputs "
                         f"{', '.join(have_in)} and outputs {', '.join(have_out)}")
    dims = {LOGITS: vocab.size, **{n: hidden for n in want_out[1:]}}
    for n, size in dims.items():
        shape = have_out[n].shape
        if len(shape) != 2 or (isinstance(shape[1], int) and shape[1] != size):
            what = "vocabulary size" if n == LOGITS else "hidden size"
            raise ModelError(f"{folder}: {ONNX} output {n} has shape {shape}, but the {what} "
                             f"in {CONFIG} is {size}")
    # One real step: catches what static shapes cannot (and warms the session up).
    feeds = {TOKEN: np.zeros((1, 1), np.int32)}
    feeds.update({n: np.zeros((1, hidden), np.float32) for n in want_in[1:]})
    try:
        outs = session.run(list(want_out), feeds)
    except Exception as exc:
        raise ModelError(f"{folder}: {ONNX} fails on one step ({_first_line(exc)})") from None
    if outs[0].shape != (1, vocab.size):
        raise ModelError(f"{folder}: {ONNX} gives {outs[0].shape[-1]} logits, but the vocabulary "
                         f"in {CONFIG} has {vocab.size} tokens")
    if not all(np.isfinite(o).all() for o in outs):
        raise ModelError(f"{folder}: {ONNX} gives non-finite values (NaN or infinity) on one "
                         "step: its weights are broken; retrain or reinstall the model")
    token_shape = have_in[TOKEN].shape
    sequence_input = len(token_shape) == 2 and not isinstance(token_shape[1], int)
    return LoadedModel(folder, config, vocab, session, layers, hidden, sequence_input)


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
