"""``composer-gui --self-test``: check, headless, that an installation (or the frozen app) works.

    composer-gui --self-test
    self-test passed: 2 models (bach-chorales, folk-melodies), continue 38 notes, midi ok,
    musicxml ok, audio ok, window ok (1.9 s)                                 [one line, exit 0]

Each part is run even when an earlier one failed, and the one line names every part that failed
(exit 1), e.g. ``self-test FAILED: model bach-chorales: ...config.json is not valid JSON...``:

models    every installed model (``ml.model_folder.list_models``: the bundled ``models/``,
          then $COMPOSER_GUI_MODELS or the user's model folder) loads and runs one ONNX step
continue  each model continues a built-in two-bar sketch in C major by one bar (fixed seed) and
          writes at least one note
midi      the sketch plus the first continuation is written as MIDI to a temporary folder and read
          back: the same notes (start, pitch, length); mido's rtmidi port backend loads (when
          python-rtmidi is installed; named in the line only if it fails)
musicxml  the same through MusicXML (music21): the same number of notes and the same pitches
audio     one second of the sketch rendered through the bundled SoundFont is finite and not silent
window    QApplication + MainWindow are built on Qt's offscreen platform, shown and closed;
          Help > About opens and reads the libraries' versions; QtMultimedia (playback) imports
          (on Linux without libpulse that is a note: the app runs with playback off)
score     the score view's path: the sketch plus its continuation is engraved by verovio in the
          view's worker process (a spawned process, as in the app) from its MusicXML export, with
          a note head for every note, and QtSvg parses the page
bundle    frozen app only: TensorFlow, Keras and onnx (the Python package) are not in it

Qt runs on the offscreen platform and audio output stays off, so nothing appears or sounds; what
Qt and ALSA print meanwhile is kept out of the way ($COMPOSER_GUI_SELFTEST_VERBOSE=1 shows it,
with the traceback of each failure).

``--startup-probe`` (hidden; bench/bundle.py uses it) starts the real window, presses Continue as
soon as the model list arrives, and prints ``<event> <unix time>`` lines: first-paint,
models-listed, continue-first-note, continue-done; then quits.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score

SEED = 20240601
CONTINUE_BARS = 1
SAMPLE_RATE = 44100
VERBOSE_ENV = "COMPOSER_GUI_SELFTEST_VERBOSE"  # tracebacks and Qt's messages to stderr


@dataclass
class Part_:
    """One checked part: its name, whether it passed, and its report text."""

    name: str
    ok: bool
    text: str


@dataclass
class Report:
    parts: list[Part_] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return bool(self.parts) and all(p.ok for p in self.parts)

    def add(self, name: str, ok: bool, text: str) -> None:
        self.parts.append(Part_(name, ok, text))

    def line(self) -> str:
        elapsed = f"({self.seconds:.1f} s)"
        passed = ", ".join(p.text for p in self.parts if p.ok and p.text)
        if self.ok:
            return f"self-test passed: {passed} {elapsed}"
        failed = "; ".join(p.text for p in self.parts if not p.ok)
        rest = f"; passed: {passed}" if passed else ""
        return f"self-test FAILED: {failed}{rest} {elapsed}"


def sketch() -> Score:
    """Two bars of C major in 4/4: a melody in quarters over a bass in half notes."""
    melody = [60, 62, 64, 65, 67, 65, 64, 62]
    bass = [48, 43, 45, 43]
    notes = [Note(i * TPQ, p, TPQ, 90) for i, p in enumerate(melody)]
    notes += [Note(i * 2 * TPQ, p, 2 * TPQ, 70) for i, p in enumerate(bass)]
    return Score(parts=(Part(tuple(sorted(notes)), name="Piano"),),
                 key_signatures=(KeySignature(0, 0, "major"),))


def _verbose() -> bool:
    return bool(os.environ.get(VERBOSE_ENV))


def _one_line(exc: BaseException) -> str:
    """The exception as one line for the report (with $COMPOSER_GUI_SELFTEST_VERBOSE set, its
    traceback goes to stderr as well)."""
    if _verbose():
        traceback.print_exception(exc, file=sys.stderr)
    text = " ".join(str(exc).split()) or type(exc).__name__
    ours = type(exc).__module__.startswith("composer_gui")  # their messages are for users
    if not ours and not isinstance(exc, ValueError | OSError) and type(exc).__name__ not in text:
        text = f"{type(exc).__name__}: {text}"
    return text if len(text) <= 300 else text[:297] + "..."


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# ----- the parts --------------------------------------------------------------------------------
def check_models(report: Report, folders: Sequence[Path] | None) -> list:
    """Load every model; returns the loaded Samplers."""
    try:
        from composer_gui.ml.model_folder import list_models, models_dirs
        from composer_gui.ml.sampler import Sampler
    except Exception as exc:
        report.add("models", False, f"models: the sampler cannot be imported ({_one_line(exc)})")
        return []
    if folders is None:
        try:
            folders = [m.path for m in list_models()]
        except Exception as exc:
            report.add("models", False, f"models: cannot list them ({_one_line(exc)})")
            return []
    if not folders:
        looked = ", ".join(str(d) for d in models_dirs())
        report.add("models", False, f"models: none installed (looked in {looked})")
        return []
    samplers = []
    for folder in folders:
        try:
            samplers.append(Sampler.load(Path(folder)))
        except Exception as exc:
            report.add("models", False, f"model {Path(folder).name}: {_one_line(exc)}")
    if samplers:
        names = ", ".join(s.model.name for s in samplers)
        report.add("models", True, f"{_plural(len(samplers), 'model')} ({names})")
    return samplers


def check_continue(report: Report, samplers: list, seed_score: Score) -> Score | None:
    """Continue the sketch with each model; returns the first result."""
    from composer_gui.ml.sampler import GenerationRequest

    first: Score | None = None
    total = 0
    ok = bool(samplers)
    for sampler in samplers:
        name = sampler.model.name
        try:
            request = GenerationRequest(bars=CONTINUE_BARS, seed=SEED, variations=1,
                                        key="C:major")
            result = sampler.generate(seed_score, request)[0]
        except Exception as exc:
            report.add("continue", False, f"continue with {name}: {_one_line(exc)}")
            ok = False
            continue
        added = result.note_count - seed_score.note_count
        if added <= 0:
            report.add("continue", False, f"continue with {name}: no notes were written")
            ok = False
            continue
        total += added
        first = first or result
    if ok:
        report.add("continue", True, f"continue {_plural(total, 'note')}")
    return first


def _roundtrip(report: Report, name: str, score: Score, path: Path, same_notes: bool) -> None:
    from composer_gui.music import save_score
    from composer_gui.music.safe_read import read_score

    try:
        save_score(score, path)
        back = read_score(path)  # as the app opens files: notation in a reader process
    except Exception as exc:
        report.add(name, False, f"{name}: {_one_line(exc)}")
        return
    want, got = score.note_count, back.note_count
    if want != got:
        report.add(name, False, f"{name}: wrote {want} notes, read back {got}")
        return

    def notes(s: Score, full: bool) -> list:
        items = [n for p in s.parts for n in p.notes]
        return sorted((n.start, n.pitch, n.duration) if full else (n.pitch,) for n in items)

    if notes(score, same_notes) != notes(back, same_notes):
        what = "notes" if same_notes else "pitches"
        report.add(name, False, f"{name}: the {what} read back differ from those written")
        return
    report.add(name, True, f"{name} ok")


def check_files(report: Report, score: Score, folder: Path) -> None:
    _roundtrip(report, "midi", score, folder / "self-test.mid", same_notes=True)
    # music21 tells stderr on import that matplotlib (for its graphs) is missing: not needed here
    with contextlib.redirect_stderr(sys.stderr if _verbose() else io.StringIO()):
        _roundtrip(report, "musicxml", score, folder / "self-test.musicxml", same_notes=False)


def check_midi_ports(report: Report) -> None:
    """mido loads its port backend by name (a hidden import for PyInstaller): it must be there
    when python-rtmidi is. Nothing is opened. Silent when it passes."""
    if importlib.util.find_spec("rtmidi") is None:
        return  # no python-rtmidi (Python 3.13+): the app says MIDI ports are off
    try:
        import mido

        mido.Backend("mido.backends.rtmidi", load=True)
    except Exception as exc:
        report.add("midi ports", False, f"midi ports: the rtmidi backend cannot be loaded "
                   f"({_one_line(exc)})")
        return
    report.add("midi ports", True, "")


def check_audio(report: Report, score: Score) -> None:
    try:
        import numpy as np

        from composer_gui.audio.render import ScoreStream
        from composer_gui.audio.soundfont import load_default
        from composer_gui.audio.synth import Synth

        synth = Synth(load_default(), SAMPLE_RATE)  # the SoundFont configured now
        pcm = ScoreStream.for_score(score, synth).read(SAMPLE_RATE)
    except Exception as exc:
        report.add("audio", False, f"audio: {_one_line(exc)}")
        return
    if pcm.shape != (SAMPLE_RATE, 2):
        report.add("audio", False, f"audio: one second rendered {pcm.shape[0]} frames, "
                   f"not {SAMPLE_RATE}")
    elif not np.isfinite(pcm).all():
        report.add("audio", False, "audio: the rendered samples are not all finite")
    elif float(np.abs(pcm).max()) < 1e-3:
        report.add("audio", False, "audio: one second of the sketch rendered silent")
    else:
        report.add("audio", True, "audio ok")


def _temp_settings(folder: Path):
    from PySide6.QtCore import QSettings

    from composer_gui.ui.settings import Settings

    settings = Settings(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    settings.set("autosave/folder", str(folder / "autosave"))  # never the user's real autosaves
    return settings


@contextlib.contextmanager
def _captured_stderr(folder: Path):
    """Qt's and ALSA's chatter (written to file descriptor 2 by C code) goes to a file, so that
    the report stays one line; yields a list that receives the captured text. Off with
    $COMPOSER_GUI_SELFTEST_VERBOSE."""
    captured: list[str] = []
    if _verbose():
        yield captured
        return
    path = folder / "stderr.txt"
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(path, "wb") as sink:
            os.dup2(sink.fileno(), 2)
            try:
                yield captured
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
    finally:
        os.close(saved)
        with contextlib.suppress(OSError):
            captured.append(path.read_text(encoding="utf-8", errors="replace"))


def check_window(report: Report, folder: Path) -> None:
    with _captured_stderr(folder) as chatter:
        _check_window(report, folder)
    failed = report.parts and report.parts[-1].name == "window" and not report.parts[-1].ok
    lines = [ln for ln in "".join(chatter).splitlines() if ln.strip()]
    if failed and lines:
        report.parts[-1].text += f" (stderr: {lines[-1].strip()[:200]})"


def _check_window(report: Report, folder: Path) -> None:
    note = ""
    try:
        from PySide6.QtMultimedia import QAudioFormat

        QAudioFormat().setSampleRate(SAMPLE_RATE)
    except ImportError as exc:
        # The Linux bundle takes libpulse from the system (build/composer_gui.spec); without it
        # the app runs with playback off, so that is a note, not a failure.
        if "libpulse" not in str(exc):
            report.add("window", False, f"window: QtMultimedia (playback) cannot be imported "
                       f"({_one_line(exc)})")
            return
        note = " (playback off: libpulse.so.0 is not installed)"
    try:
        from PySide6.QtWidgets import QApplication

        from composer_gui.ui import workers
        from composer_gui.ui.about import AboutDialog, installed_version
        from composer_gui.ui.app import make_app
        from composer_gui.ui.main_window import MainWindow

        app = make_app([])
        window = MainWindow(settings=_temp_settings(folder))
        window.resize(900, 600)
        window.show()
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            app.processEvents()
        visible = window.isVisible()
        about = AboutDialog(window)
        about.show()
        app.processEvents()
        about.close()
        versions = installed_version("onnxruntime") and installed_version("PySide6-Essentials")
        closed = window.close()  # an unmodified document: no "save changes?" question
        QApplication.processEvents()
        workers.shutdown()
    except Exception as exc:
        report.add("window", False, f"window: {_one_line(exc)}")
        return
    if not visible:
        report.add("window", False, "window: the main window did not become visible")
    elif not closed:
        report.add("window", False, "window: the main window refused to close")
    elif not versions:
        report.add("window", False, "window: Help > About cannot read the libraries' versions "
                   "(their package metadata is missing)")
    else:
        report.add("window", True, f"window ok{note}")


def check_score_view(report: Report, score: Score) -> None:
    """Engrave through the app's own worker process: proves that verovio, its fonts and
    multiprocessing's spawn (freeze_support in the frozen app) are all there."""
    try:
        from PySide6.QtCore import QByteArray
        from PySide6.QtSvg import QSvgRenderer

        from composer_gui.music.engraving import unavailable_reason
        from composer_gui.ui.score_view import ProcessBackend, Request

        reason = unavailable_reason()
        if reason:
            report.add("score", False, f"score view: {reason}")
            return
        backend = ProcessBackend()
        try:
            result = backend.submit(Request(1, score, 800, 1.0)).result(timeout=120)
        finally:
            backend.close()
        valid = QSvgRenderer(QByteArray(result.pages[0].encode("utf-8"))).isValid()
    except Exception as exc:
        report.add("score", False, f"score view: {_one_line(exc)}")
        return
    if result.notes < score.note_count:
        report.add("score", False, f"score view: engraved {result.notes} of "
                   f"{score.note_count} notes")
    elif not valid:
        report.add("score", False, "score view: QtSvg cannot read the engraved page")
    else:
        report.add("score", True, "score view ok")


def check_bundle(report: Report) -> None:
    """In the frozen app, the training-only packages must have been left out."""
    present = [m for m in ("tensorflow", "keras", "onnx", "tf2onnx", "torch", "matplotlib")
               if importlib.util.find_spec(m) is not None]
    if present:
        report.add("bundle", False, f"bundle: holds {', '.join(present)} (excluded by the spec)")
    else:
        report.add("bundle", True, "bundle slim")


# ----- running it --------------------------------------------------------------------------------
def run(models: Sequence[Path] | None = None, *, window: bool = True,
        frozen: bool | None = None) -> Report:
    """Run every part. ``models``: model folders to check instead of the installed ones."""
    from composer_gui.resources import is_frozen

    t0 = time.perf_counter()
    report = Report()
    seed_score = sketch()
    with tempfile.TemporaryDirectory(prefix="composer-gui-self-test-") as tmp:
        folder = Path(tmp)
        samplers = check_models(report, models)
        result = check_continue(report, samplers, seed_score) if samplers else None
        check_files(report, result or seed_score, folder)
        check_midi_ports(report)
        check_audio(report, seed_score)
        if window:
            check_window(report, folder)
            check_score_view(report, result or seed_score)
        if is_frozen() if frozen is None else frozen:
            check_bundle(report)
    report.seconds = time.perf_counter() - t0
    return report


def _headless() -> None:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("COMPOSER_GUI_NO_AUDIO", "1")
    os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false;qt.multimedia.*=false")


def main(argv: Sequence[str] = ()) -> int:
    """``composer-gui --self-test``: one line on stdout; 0 when every part passed, else 1."""
    _headless()
    report = run()
    print(report.line(), flush=True)
    return 0 if report.ok else 1


# ----- start-up probe (bench/bundle.py) -----------------------------------------------------------
def startup_probe(timeout_s: float = 60.0) -> int:
    """Start the window, press Continue once the models are listed, print event times, quit."""
    os.environ.setdefault("COMPOSER_GUI_NO_AUDIO", "1")
    from PySide6.QtCore import QEvent, QObject, QTimer

    from composer_gui.ui import workers
    from composer_gui.ui.app import make_app
    from composer_gui.ui.main_window import MainWindow

    def say(event: str) -> None:
        print(f"{event} {time.time():.6f}", flush=True)

    status = {"code": 0}
    app = make_app([])
    tmp = tempfile.TemporaryDirectory(prefix="composer-gui-probe-")
    window = MainWindow(settings=_temp_settings(Path(tmp.name)))

    class FirstPaint(QObject):
        done = False

        def eventFilter(self, obj, event) -> bool:
            if event.type() == QEvent.Type.Paint and not self.done:
                self.done = True
                say("first-paint")
            return False

    spy = FirstPaint(window)
    window.roll.canvas.installEventFilter(spy)
    window.doc.load(sketch())
    controller, panel = window.controller, window.panel

    def finish(code: int) -> None:
        status["code"] = code
        # (Qt's quit closes the window first, and the window asks about a variation on show
        # and unsaved work: since session 61 the probe sat in that question until its timeout)
        controller.discard()
        window.doc.undo_stack.setClean()
        app.quit()

    def on_models(models: list) -> None:
        say("models-listed")
        if not models or not panel.start_continue():
            print("continue-failed no model to continue with", flush=True)
            QTimer.singleShot(0, lambda: finish(2))

    first = {"seen": False}

    def on_progress(_n: int) -> None:
        if not first["seen"]:
            first["seen"] = True
            say("continue-first-note")

    def on_failed(message: str) -> None:
        print(f"continue-failed {' '.join(message.split())}", flush=True)
        finish(1)

    def on_finished() -> None:
        say("continue-done")
        finish(0)

    controller.modelsListed.connect(on_models)
    controller.progressed.connect(on_progress)
    controller.failed.connect(on_failed)
    controller.finished.connect(on_finished)
    controller.modelsFailed.connect(on_failed)
    QTimer.singleShot(int(timeout_s * 1000), lambda: (print("timeout", flush=True), finish(3)))
    window.show()
    try:
        app.exec()
    finally:
        controller.discard()  # never ask "keep the variation?"
        window.doc.undo_stack.setClean()  # ... nor "save changes?"
        window.close()
        workers.shutdown()
        with contextlib.suppress(OSError):
            tmp.cleanup()
    return status["code"]

