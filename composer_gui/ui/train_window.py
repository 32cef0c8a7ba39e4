"""Model > Train on My Music: choose a folder, a name, a size and a time budget; watch it train.

The window runs ``composer-gui train`` in a child process (ui/training_process.py) and draws what
it reports: the files read and skipped with the reason (a table), whether that is enough music
(ml/data_check.py), a progress bar for reading the files and for each epoch, the training and
validation loss and accuracy as live pyqtgraph curves, and the time left. Stop kills the process;
the run keeps its checkpoint (one per finished epoch) in the user's models folder, so Resume, now
or another day, goes on from there. When the run ends the model is installed under its name with
its card, and ``modelInstalled`` tells the window to list it in the Continue panel.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from composer_gui.ml import model_folder
from composer_gui.ml.data_check import NGRAM_NOTES
from composer_gui.ml.model_folder import ModelError

from .screens import resize_within_screen
from .training_process import TrainingProcess, training_unavailable

PRESETS = (("tiny", "Tiny: 1 x 32 LSTM (a test; seconds)"),
           ("small", "Small: 2 x 256 LSTM (the usual choice)"),
           ("medium", "Medium: 2 x 384 LSTM (lots of music, hours)"))
MAX_EPOCHS = 60
WARN_STYLE = "background: #fff3cd; color: #664d03; padding: 6px; border-radius: 3px;"
ERROR_STYLE = "background: #f8d7da; color: #58151c; padding: 6px; border-radius: 3px;"
OK_STYLE = "background: #d1e7dd; color: #0a3622; padding: 6px; border-radius: 3px;"
COLORS = {"train": (52, 101, 164), "val": (204, 0, 0), "batch": (150, 170, 200)}


def pyqtgraph():
    """pyqtgraph, imported on first use (it costs start-up time), or None where it is missing:
    the PyInstaller bundle leaves it out (build/composer_gui.spec), and this module must still
    load there to say what to install."""
    try:
        import pyqtgraph as pg
    except ImportError:
        return None
    pg.setConfigOptions(antialias=True, background="w", foreground="k")
    return pg


def checkpoint_epochs(name: str) -> int | None:
    """Epochs an interrupted run of this name has finished, or None (no resumable run)."""
    try:
        return model_folder.checkpoint_epochs(model_folder.run_dir(name))
    except ModelError:
        return None


class Curves(QWidget):
    """Loss and accuracy, training and validation, per epoch; the running training loss of the
    epoch under way as a thin line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        pg = pyqtgraph()
        self.loss_plot = pg.PlotWidget(title="Loss (cross-entropy per token)")
        self.acc_plot = pg.PlotWidget(title="Next-token accuracy")
        self.curves: dict = {}  # name -> pyqtgraph PlotDataItem
        for plot, what in ((self.loss_plot, "loss"), (self.acc_plot, "acc")):
            # the loss falls to the right and the accuracy rises there: the legend in the
            # corner each curve leaves free (the accuracy's had covered its curve: a trial)
            plot.addLegend(offset=(-10, 10) if what == "loss" else (-10, -10))
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setLabel("bottom", "epoch")
            self.curves[f"batch_{what}"] = plot.plot(
                [], [], pen=pg.mkPen(COLORS["batch"], width=1), name="training (this epoch)")
            for kind, label in (("train", "training"), ("val", "validation")):
                self.curves[f"{kind}_{what}"] = plot.plot(
                    [], [], pen=pg.mkPen(COLORS[kind], width=2), symbol="o", symbolSize=6,
                    symbolBrush=COLORS[kind], name=label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.acc_plot)
        self.clear()

    def clear(self) -> None:
        self.data: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in self.curves}
        self._redraw()

    def add_epoch(self, row: dict) -> None:
        epoch = float(row["epoch"])
        for key in ("train_loss", "val_loss", "train_acc", "val_acc"):
            xs, ys = self.data[key]
            if epoch in xs:  # a resumed run repeats the rows it already showed
                continue
            xs.append(epoch)
            ys.append(float(row[key]))
        for key in ("batch_loss", "batch_acc"):
            self.data[key] = ([], [])
        self._redraw()

    def add_batch(self, epoch: int, fraction: float, loss: float, acc: float) -> None:
        x = epoch - 1 + fraction
        for key, value in (("batch_loss", loss), ("batch_acc", acc)):
            xs, ys = self.data[key]
            if not xs:  # the line starts where the last epoch's point is
                last = self.data[key.replace("batch", "train")]
                if last[0]:
                    xs.append(last[0][-1])
                    ys.append(last[1][-1])
            xs.append(x)
            ys.append(value)
        self._redraw()

    def points(self, key: str) -> int:
        return len(self.data[key][0])

    def _redraw(self) -> None:
        for key, item in self.curves.items():
            item.setData(*self.data[key])


class TrainWindow(QDialog):
    """The training window. ``program`` replaces ``python -m composer_gui`` (tests run a stand-in
    trainer script); ``ask`` and ``choose_folder`` are the blocking dialogs (tests replace them)."""

    modelInstalled = Signal(str)  # the model's name, once it is installed with its card

    def __init__(self, parent: QWidget | None = None, *, program: list[str] | None = None,
                 threads: int | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Train on My Music")
        self.setObjectName("trainWindow")
        self.program = program
        self.threads = threads if threads is not None else max(1, (os.cpu_count() or 2) - 1)
        self.process: TrainingProcess | None = None
        self.files: list[dict] = []
        self.verdict: dict | None = None
        self.mode = ""  # "check" | "train"
        self.max_epochs = MAX_EPOCHS  # early stopping or the time budget usually ends it first
        self.epochs = MAX_EPOCHS
        self.epoch_seconds: list[float] = []
        self.epoch_started = 0.0
        self.training_started = 0.0
        self.done_before = 0
        self.fraction = 0.0
        self.installed: str | None = None

        self.folder = QLineEdit()
        self.folder.setPlaceholderText("A folder of MIDI, MusicXML or ABC files")
        self.browse = QPushButton("Choose…")
        self.name = QLineEdit()
        self.name.setPlaceholderText("The model's name in the Continue panel")
        self.preset = QComboBox()
        for key, text in PRESETS:
            self.preset.addItem(text, key)
        self.preset.setCurrentIndex(1)
        self.budget = QSpinBox()
        self.budget.setRange(1, 24 * 60)
        self.budget.setValue(20)
        self.budget.setSuffix(" min")
        self.budget.setToolTip("Training stops before an epoch that would end after this; the "
                               "best epoch so far becomes the model. Resume trains on.")
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["File", "Pieces", "Notes", "Status"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.verdict_label = QLabel()
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setObjectName("dataVerdict")
        self.verdict_label.hide()
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        self.time_left = QLabel("")
        self.time_left.setObjectName("timeLeft")
        self.status = QLabel(
            f"Choose a folder of your music: MIDI, MusicXML or ABC files. They are read and "
            f"checked first (the table says what each holds); a model needs "
            f"{NGRAM_NOTES:,} notes or more (a few hundred pieces) to predict new music "
            f"better than a simple n-gram. Then pick a size and a time budget: the best epoch "
            f"within it becomes the model, and Resume trains on later.")
        self.status.setWordWrap(True)
        self.status.setObjectName("trainStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.curves = Curves()
        self.start_button = QPushButton("Start Training")
        self.start_button.setDefault(True)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop now; the epochs done are kept and Resume goes on "
                                    "from the last one")
        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip("Go on training an interrupted run of this name from its "
                                      "last finished epoch")
        self.close_button = QPushButton("Close")

        form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(self.browse)
        form.addRow("Music folder", row)
        form.addRow("Model name", self.name)
        sizes = QHBoxLayout()
        sizes.addWidget(self.preset, 1)
        sizes.addWidget(QLabel("Time budget"))
        sizes.addWidget(self.budget)
        form.addRow("Size", sizes)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addLayout(form)
        tl.addWidget(self.table, 1)
        tl.addWidget(self.verdict_label)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.curves)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([320, 420])  # the table shows a dozen files; the curves keep the rest
        bar = QHBoxLayout()
        bar.addWidget(self.progress, 1)
        bar.addWidget(self.time_left)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for b in (self.start_button, self.stop_button, self.resume_button, self.close_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(bar)
        layout.addLayout(buttons)
        resize_within_screen(self, 980, 760)

        self.browse.clicked.connect(self._browse)
        self.folder.editingFinished.connect(self._folder_edited)
        self.name.textChanged.connect(lambda _t: self._update())
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.resume_button.clicked.connect(self.resume)
        self.close_button.clicked.connect(self.close)
        self._checked_folder = ""
        self._offer_unfinished()
        self._update()

    def _offer_unfinished(self) -> None:
        """Resume later: a run stopped (or killed) another day is offered by its name."""
        runs = [(done, s) for s in model_folder.skipped_folders()
                if s.path.parent.name == model_folder.RUNS
                and (done := model_folder.checkpoint_epochs(s.path)) is not None]
        if runs:
            done, run = max(runs, key=lambda r: r[1].path.stat().st_mtime)
            self.name.setText(run.name)
            self._say(f"An interrupted run, {run.name!r}, has {done} epoch(s) done: Resume goes "
                      "on with it. Or choose a folder to train a new model.")

    # ----- blocking dialogs (tests replace these) -------------------------------------------
    def choose_folder(self) -> str | None:
        path = QFileDialog.getExistingDirectory(self, "Folder of Your Music", self.folder.text())
        return path or None

    def ask(self, title: str, text: str, yes: str, no: str = "Cancel") -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self)
        ok = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(no, QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is ok

    # ----- folder -----------------------------------------------------------------------------
    def _browse(self) -> None:
        path = self.choose_folder()
        if path:
            self.set_folder(path)

    def _folder_edited(self) -> None:
        if self.folder.text().strip() and self.folder.text().strip() != self._checked_folder:
            self.set_folder(self.folder.text().strip())

    def set_folder(self, path: str | Path) -> None:
        """Read the folder (a ``train --check`` process): the table and the verdict fill in."""
        path = str(path)
        self.folder.setText(path)
        self._checked_folder = path
        if not self.name.text().strip():
            self.name.setText(Path(path).name)
        self.files, self.verdict = [], None
        self.table.setRowCount(0)
        self.verdict_label.hide()
        self._run("check", ["train", "--data-dir", path, "--check", "--progress-json"])
        self._say("Reading the files…")

    # ----- runs -------------------------------------------------------------------------------
    def start(self) -> bool:
        """Start a new run (after the folder was read). Asks before replacing a model or
        throwing away an interrupted run of the same name."""
        if self.running or not self.verdict or not self.verdict.get("usable"):
            return False
        try:
            name = model_folder.check_name(self.name.text())
        except ModelError as exc:
            self._say(str(exc), ERROR_STYLE)
            return False
        args = ["train", "--data-dir", self.folder.text().strip(), "--name", name,
                "--preset", self.preset.currentData(), "--time-budget", str(self.budget.value()),
                "--epochs", str(self.max_epochs), "--threads", str(self.threads), "--progress-json"]
        installed = model_folder.find_installed(name)
        if installed is not None:
            if model_folder.is_bundled(installed):
                self._say(f"{name!r} is the name of a model that comes with the app; choose "
                          "another name.", ERROR_STYLE)
                return False
            if not self.ask("Replace Model", f"A model named {name!r} is installed. Replace it "
                            "when this one is trained?", "Replace"):
                return False
            args.append("--force")
        done = checkpoint_epochs(name)
        if done is not None:
            if not self.ask("Start Again", f"An interrupted run named {name!r} has {done} "
                            "epoch(s) done. Start again from nothing (Resume goes on with it)?",
                            "Start Again"):
                return False
            args.append("--restart")
        self._begin_training()
        self._run("train", args)
        self._say(f"Training {name}…")
        return True

    def resume(self) -> bool:
        name = self.name.text().strip()
        if self.running or checkpoint_epochs(name) is None:
            return False
        args = ["train", "--name", name, "--resume", "--time-budget", str(self.budget.value()),
                "--epochs", str(self.max_epochs), "--threads", str(self.threads), "--progress-json"]
        self._begin_training()
        self._run("train", args)
        self._say(f"Resuming {name}…")
        return True

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.running

    def _begin_training(self) -> None:
        self.curves.clear()
        self.epoch_seconds = []
        self.done_before = 0
        self.fraction = 0.0
        self.installed = None
        self.training_started = time.monotonic()

    def _run(self, mode: str, args: list[str]) -> None:
        if self.process is not None:
            self.process.stop()
            self.process.deleteLater()
        self.mode = mode
        self.process = TrainingProcess(args, self.program, self)
        self.process.event.connect(self._on_event)
        self.process.ended.connect(self._on_ended)
        self.progress.setRange(0, 0)  # busy until the first event
        self.progress.setFormat("Starting…")
        self.time_left.setText("")
        self.process.start()
        self._update()

    # ----- events -------------------------------------------------------------------------------
    def _on_event(self, e: dict) -> None:
        kind = e.get("event")
        if kind == "parse":
            total = max(1, int(e["total"]))
            self.progress.setRange(0, total)
            self.progress.setValue(int(e["done"]))
            self.progress.setFormat(f"Reading files: {e['done']} of {e['total']}")
        elif kind == "file":
            self._add_file(e)
        elif kind == "check":
            self._show_verdict(e)
        elif kind == "data":
            sizes = e.get("pieces", {})
            self._say(f"Pieces: {sizes.get('train', 0)} to learn from, {sizes.get('val', 0)} to "
                      f"validate each epoch, {sizes.get('test', 0)} held out for the card.")
        elif kind == "model":
            self.epochs = int(e.get("epochs") or MAX_EPOCHS)
            self.done_before = int(e.get("done") or 0)
            for row in e.get("history") or []:
                self.curves.add_epoch(row)
            self.epoch_started = time.monotonic()
            self._say(f"Training a model of {int(e.get('parameters', 0)):,} parameters"
                      + (f", resumed after epoch {self.done_before}." if e.get("resumed")
                         else "."))
        elif kind == "batch":
            self.fraction = int(e["step"]) / max(1, int(e["steps"]))
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * self.fraction))
            self.progress.setFormat(f"Epoch {e['epoch']} (at most {e['epochs']}): "
                                    f"{int(100 * self.fraction)}%")
            self.curves.add_batch(int(e["epoch"]), self.fraction, float(e["loss"]),
                                  float(e["acc"]))
            self._estimate(int(e["epoch"]))
        elif kind == "epoch":
            self.curves.add_epoch(e)
            self.epoch_seconds.append(float(e.get("seconds") or 0.0))
            self.epoch_started = time.monotonic()
            self.fraction = 0.0
            self.progress.setRange(0, 1000)
            self.progress.setValue(1000)
            self.progress.setFormat(f"Epoch {e['epoch']} done: validation "
                                    f"loss {float(e['val_loss']):.3f}"
                                    + (" (best so far)" if e.get("best") else ""))
            self._estimate(int(e["epoch"]) + 1)
        elif kind == "stage":
            self.progress.setRange(0, 0)
            if e.get("stage") == "export":
                self.progress.setFormat(f"Saving the best epoch ({e.get('why')})…")
            else:
                self.progress.setFormat("Writing the model card (testing on held-out pieces)…")
            self.time_left.setText("")
        elif kind == "done":
            self.installed = str(e.get("name"))
        elif kind == "error":
            self._say(str(e.get("message", "")), ERROR_STYLE)

    def _add_file(self, e: dict) -> None:
        self.files.append(e)
        r = self.table.rowCount()
        self.table.insertRow(r)
        used = bool(e.get("pieces"))
        status = "used" if used else f"skipped: {e.get('reason')}"
        for c, text in enumerate((e["path"], str(e["pieces"]), f"{int(e['notes']):,}", status)):
            item = QTableWidgetItem(text)
            if c in (1, 2):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if not used:
                item.setForeground(Qt.GlobalColor.darkRed)
            self.table.setItem(r, c, item)

    def _show_verdict(self, v: dict) -> None:
        self.verdict = v
        style = OK_STYLE if v.get("enough") else WARN_STYLE if v.get("usable") else ERROR_STYLE
        self.verdict_label.setStyleSheet(style)
        self.verdict_label.setText(v["message"])
        self.verdict_label.show()

    def _estimate(self, epoch: int) -> None:
        """Time left: the mean epoch so far (or the one under way, from its share done) times
        the epochs left, bounded by the time budget."""
        now = time.monotonic()
        if self.epoch_seconds:
            per_epoch = sum(self.epoch_seconds) / len(self.epoch_seconds)
        elif self.fraction > 0.02:
            per_epoch = (now - self.epoch_started) / self.fraction
        else:
            return
        left = per_epoch * max(0.0, self.epochs - (epoch - 1) - self.fraction)
        budget = self.budget.value() * 60 - (now - self.training_started)
        left = max(0.0, min(left, budget + per_epoch))
        self.time_left.setText(f"about {_duration(left)} left (then the card)")

    def _on_ended(self, code: int, stopped: bool) -> None:
        proc = self.process
        mode = self.mode
        self.progress.setRange(0, 1)
        self.progress.setValue(1 if code == 0 else 0)
        self.time_left.setText("")
        if mode == "check":
            if self.verdict is None and proc is not None and not stopped:
                self.progress.setFormat("")
                self._say(proc.last_words(), ERROR_STYLE)
            else:
                self.progress.setFormat("Files read")
                if self.verdict and self.verdict.get("usable"):
                    self._say("Ready: choose a size and a time budget, then Start Training.")
        elif stopped:
            name = self.name.text().strip()
            done = checkpoint_epochs(name)
            self.progress.setFormat("Stopped")
            self._say(f"Stopped. {done} epoch(s) are kept: Resume goes on from there, now or "
                      "later." if done else "Stopped before the first epoch ended; nothing is "
                      "kept.")
        elif code == 0 and self.installed:
            self.progress.setFormat("Done")
            self._say(f"Installed {self.installed!r}: it is now in the Continue panel, with its "
                      "card (Model > Models…).", OK_STYLE)
            self.modelInstalled.emit(self.installed)
        else:
            self.progress.setFormat("Failed")
            self._say(proc.last_words() if proc else "training failed", ERROR_STYLE)
        self._update()

    # ----- state --------------------------------------------------------------------------------
    def _say(self, text: str, style: str = "") -> None:
        self.status.setText(text)
        self.status.setStyleSheet(style)

    def _update(self) -> None:
        running = self.running
        name = self.name.text().strip()
        usable = bool(self.verdict and self.verdict.get("usable"))
        self.start_button.setEnabled(not running and usable and bool(name))
        # (a review found it greyed with no word why)
        self.start_button.setToolTip(
            "Training runs…" if running else "Train a model on the folder's music" if usable
            and name else "Choose a folder of music first" if not usable
            else "Name the model first")
        self.stop_button.setEnabled(running and self.mode == "train")
        self.resume_button.setEnabled(not running and bool(name)
                                      and checkpoint_epochs(name) is not None)
        for w in (self.folder, self.browse, self.name, self.preset, self.budget):
            w.setEnabled(not running)

    def closeEvent(self, event) -> None:
        if self.running and self.mode == "train" and not self.ask(
                "Stop Training", "Training is still running. Stop it? The epochs done are kept; "
                "Resume goes on from there.", "Stop Training", "Keep Training"):
            event.ignore()
            return
        self.stop()
        if self.process is not None:
            self.process.wait(3000)
        super().closeEvent(event)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def open_train_window(parent: QWidget, on_installed=None) -> QDialog | None:
    """Model > Train on My Music: the window, or (without TensorFlow, as in the bundled app) a
    message saying what to install. ``on_installed(name)`` runs when a model is installed."""
    why = training_unavailable()
    if why is not None:
        QMessageBox.information(parent, "Train on My Music", why)
        return None
    window = parent.findChild(TrainWindow)
    if window is None:
        window = TrainWindow(parent)
        if on_installed is not None:
            window.modelInstalled.connect(on_installed)
    window.show()
    window.raise_()
    window.activateWindow()
    return window
