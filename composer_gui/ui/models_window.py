"""Model > Models: the installed models, each with its card and its training curves.

The list holds every model ``list_models`` finds (the bundled ones marked, read-only) and the
user's interrupted training runs (ml/model_folder.skipped_folders, with the reason). The card is
the folder's card.md rendered (data, size, the test-split table beside the n-gram baselines, the
musical measures beside the real music and the two baselines); the curves are its log.csv. The
user's models can be renamed, deleted (after a confirmation) and shown in the file manager;
``modelsChanged`` tells the window to list them again in the Continue panel.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from composer_gui.ml import model_folder
from composer_gui.ml.model_folder import ModelError

from .screens import resize_within_screen
from .train_window import COLORS, pyqtgraph
from .workers import Task

PATH_ROLE = Qt.ItemDataRole.UserRole
KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # "bundled" | "user" | "unfinished"


@dataclass(frozen=True)
class Entry:
    name: str
    path: Path
    kind: str
    note: str = ""


@dataclass(frozen=True)
class Details:
    card_md: str | None
    log: list[dict]


def scan() -> list[Entry]:
    """Every model and unfinished run (runs in a worker: it lists folders)."""
    out = [Entry(m.name, m.path, "bundled" if model_folder.is_bundled(m.path) else "user",
                 m.summary) for m in model_folder.list_models()]
    out += [Entry(s.name, s.path, "unfinished", s.reason) for s in model_folder.skipped_folders()]
    return out


def read_details(folder: Path) -> Details:
    """card.md and log.csv of one model folder (either may be missing)."""
    try:
        card = (folder / model_folder.CARD_MD).read_text(encoding="utf-8")
    except OSError:
        card = None
    rows: list[dict] = []
    try:
        with open(folder / model_folder.LOG, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                try:
                    rows.append({k: float(v) for k, v in row.items() if k and v})
                except ValueError:
                    continue
    except OSError:
        pass
    return Details(card, rows)


class _NoCurve:
    """Stands in for a plot's curve where pyqtgraph is missing."""

    def setData(self, *_args) -> None:
        pass

    def getData(self):
        return [], []


class ModelsWindow(QDialog):
    """The models manager. ``ask``, ``ask_name`` and ``open_folder`` are the blocking or
    outside-world calls (tests replace them)."""

    modelsChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Models")
        self.setObjectName("modelsWindow")
        self.entries: list[Entry] = []
        self.details: Details | None = None
        self._pending: str | None = None
        self.list = QListWidget()
        self.list.setMinimumWidth(220)
        self.rename_button = QPushButton("Rename…")
        self.delete_button = QPushButton("Delete…")
        self.show_button = QPushButton("Show in Folder")
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setObjectName("modelInfo")
        self.card = QTextBrowser()
        self.card.setObjectName("modelCard")
        self.card.setOpenExternalLinks(False)
        pg = pyqtgraph()
        if pg is not None:
            self.plot = pg.PlotWidget(title="Training curves (log.csv)")
            self.plot.setLabel("bottom", "epoch")
            self.plot.setLabel("left", "loss (nats per token)")
            self.plot.showGrid(x=True, y=True, alpha=0.2)
            self.plot.addLegend(offset=(-10, 10))
            self.train_curve = self.plot.plot([], [], pen=pg.mkPen(COLORS["train"], width=2),
                                              name="training loss")
            self.val_curve = self.plot.plot([], [], pen=pg.mkPen(COLORS["val"], width=2),
                                            symbol="o", symbolSize=5,
                                            symbolBrush=COLORS["val"], name="validation loss")
            self.plot.setMinimumHeight(200)
        else:  # the bundle leaves pyqtgraph out: the card still shows, the curves do not
            self.plot = QLabel("The training curves need pyqtgraph (pip install pyqtgraph).")
            self.train_curve = self.val_curve = _NoCurve()

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.list, 1)
        for b in (self.rename_button, self.delete_button, self.show_button):
            ll.addWidget(b)
        right = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.info)
        tl.addWidget(self.card, 1)
        right.addWidget(top)
        right.addWidget(self.plot)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        resize_within_screen(self, 1100, 760)

        self.list.currentItemChanged.connect(lambda *_: self._selected())
        self.rename_button.clicked.connect(self.rename)
        self.delete_button.clicked.connect(self.delete)
        self.show_button.clicked.connect(self.show_in_folder)
        self._update_buttons()

    # ----- outside world (tests replace these) ------------------------------------------------
    def ask(self, title: str, text: str, yes: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=self)
        ok = box.addButton(yes, QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is ok

    def ask_name(self, current: str) -> str | None:
        text, ok = QInputDialog.getText(self, "Rename Model", "New name:", text=current)
        return text if ok else None

    def open_folder(self, path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def show_error(self, text: str) -> None:
        QMessageBox.warning(self, "Models", text)

    # ----- listing ------------------------------------------------------------------------------
    def refresh(self, select: str | None = None) -> Task:
        """List the models again (in a worker); ``select`` the named one when done."""
        self._pending = select or (self.current().name if self.current() else None)
        task = Task(lambda ctx: scan())
        task.finished.connect(self._listed)
        task.failed.connect(lambda msg: self.info.setText(f"Models cannot be listed: {msg}"))
        return task.start()

    def _listed(self, entries: list[Entry]) -> None:
        self.entries = list(entries)
        self.list.blockSignals(True)
        self.list.clear()
        row = 0
        for i, e in enumerate(self.entries):
            label = {"bundled": f"{e.name}  (comes with the app)", "user": e.name,
                     "unfinished": f"{e.name}  (unfinished)"}[e.kind]
            item = QListWidgetItem(label)
            item.setData(PATH_ROLE, str(e.path))
            item.setData(KIND_ROLE, e.kind)
            item.setToolTip(e.note)
            if e.kind == "unfinished":
                item.setForeground(Qt.GlobalColor.gray)
            self.list.addItem(item)
            if e.name == self._pending:
                row = i
        self.list.blockSignals(False)
        if self.entries:
            self.list.setCurrentRow(row)
        else:
            self.info.setText("No models are installed.")
        self._selected()

    def current(self) -> Entry | None:
        row = self.list.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def select(self, name: str) -> bool:
        for i, e in enumerate(self.entries):
            if e.name == name:
                self.list.setCurrentRow(i)
                return True
        return False

    # ----- details ------------------------------------------------------------------------------
    def _selected(self) -> None:
        self._update_buttons()
        entry = self.current()
        self.details = None
        self.card.clear()
        self.train_curve.setData([], [])
        self.val_curve.setData([], [])
        if entry is None:
            return
        where = {"bundled": "comes with the app (read-only)", "user": "your model",
                 "unfinished": entry.note}[entry.kind]
        self.info.setText(f"<b>{entry.name}</b> — {where}<br><small>{entry.path}</small>")
        task = Task(lambda ctx, p=entry.path: read_details(p))
        task.finished.connect(lambda d, e=entry: self._show(e, d))
        task.start()

    def _show(self, entry: Entry, details: Details) -> None:
        if entry is not self.current():
            return  # another model was picked meanwhile
        self.details = details
        if details.card_md:
            self.card.setMarkdown(details.card_md)
        elif entry.kind == "unfinished":
            self.card.setPlainText("This training run did not finish. " + entry.note)
        else:
            self.card.setPlainText("This model has no card. Write one with:\n"
                                   f"composer-gui evaluate --model {entry.name} --write-card")
        rows = [r for r in details.log if "epoch" in r]
        self.train_curve.setData([r["epoch"] for r in rows if "train_loss" in r],
                                 [r["train_loss"] for r in rows if "train_loss" in r])
        self.val_curve.setData([r["epoch"] for r in rows if "val_loss" in r],
                               [r["val_loss"] for r in rows if "val_loss" in r])
        if hasattr(self.plot, "setTitle"):
            self.plot.setTitle("Training curves (log.csv)" if rows else "No training log")

    def _update_buttons(self) -> None:
        entry = self.current()
        mine = entry is not None and entry.kind != "bundled"
        self.rename_button.setEnabled(mine and entry.kind == "user")
        self.delete_button.setEnabled(mine)
        self.show_button.setEnabled(entry is not None)
        tip = "Models that come with the app cannot be changed" if entry and not mine else ""
        self.rename_button.setToolTip(tip)
        self.delete_button.setToolTip(tip)

    # ----- actions ------------------------------------------------------------------------------
    def rename(self) -> bool:
        entry = self.current()
        if entry is None or entry.kind != "user":
            return False
        new = self.ask_name(entry.name)
        if new is None or new.strip() == entry.name:
            return False
        try:
            target = model_folder.rename_model(entry.path, new)
        except (ModelError, OSError) as exc:
            self.show_error(str(exc))
            return False
        self.refresh(select=target.name)
        self.modelsChanged.emit()
        return True

    def delete(self) -> bool:
        entry = self.current()
        if entry is None or entry.kind == "bundled":
            return False
        what = "the unfinished training run" if entry.kind == "unfinished" else "the model"
        if not self.ask("Delete Model", f"Delete {what} {entry.name!r}?\n\n{entry.path}\n\n"
                        "This cannot be undone.", "Delete"):
            return False
        try:
            model_folder.delete_model(entry.path)
        except (ModelError, OSError) as exc:
            self.show_error(str(exc))
            return False
        self.refresh()
        self.modelsChanged.emit()
        return True

    def show_in_folder(self) -> None:
        entry = self.current()
        if entry is not None:
            self.open_folder(entry.path)


def open_models_window(parent: QWidget, on_changed=None, select: str | None = None) -> ModelsWindow:
    """Model > Models: one manager per window, listed afresh each time it is shown."""
    window = parent.findChild(ModelsWindow)
    if window is None:
        window = ModelsWindow(parent)
        if on_changed is not None:
            window.modelsChanged.connect(on_changed)
    window.refresh(select=select)
    window.show()
    window.raise_()
    window.activateWindow()
    return window
