"""The Continue panel: model, bars, temperature, variations, key lock, seed; Continue, Regenerate
Selection and Stop; then the variations to flip through and Keep / Discard."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from composer_gui.ml.limits import MAX_VARIATIONS

from . import style
from .generation import ContinueController, GenerationOptions
from .piano_roll import PianoRoll
from .proposal import KEYED_VARIATIONS

SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1


class ContinuePanel(QWidget):
    message = Signal(str)  # a line for the status bar
    auditionRequested = Signal()  # "Play in Context": hear the variation after the sketch

    def __init__(self, controller: ContinueController, roll: PianoRoll,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.roll = roll
        self.doc = controller.doc
        self.proposal = controller.proposal

        self.model = QComboBox()
        self.model.setPlaceholderText("Looking for models…")
        self.model.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.model.setMinimumContentsLength(12)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setObjectName("modelSummary")
        self.summary.setStyleSheet("color: palette(mid); font-size: 11px;")
        self.bars = QSpinBox()
        self.bars.setRange(1, 64)
        self.bars.setValue(4)
        self.bars.setSuffix(" bars")
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.1, 2.5)
        self.temperature.setSingleStep(0.05)
        self.temperature.setValue(1.0)
        self.temperature.setToolTip("Lower: safer, more repetitive. Higher: more surprising.")
        self.variations = QSpinBox()
        self.variations.setRange(1, MAX_VARIATIONS)
        self.variations.setValue(3)
        self.key_lock = QCheckBox("Stay in the key")
        self.key_lock.setChecked(True)
        self.key_lock.setToolTip("Only notes of the score's key (or of the key heard in the "
                                 "sketch when none is set)")
        self.cadence = QCheckBox("End with a cadence")
        self.cadence.setChecked(True)
        self.cadence.setToolTip("Voice models: count the bars down so that the music comes to "
                                "an end, on the tonic chord, at the last bar; off: it runs on")
        self.seed = QSpinBox()
        self.seed.setRange(-1, 2**31 - 1)
        self.seed.setValue(-1)
        self.seed.setSpecialValueText("Random")
        self.seed.setToolTip("The same seed and settings give the same notes")

        self.continue_button = QPushButton("Continue")
        self.continue_button.setDefault(True)
        self.continue_button.setToolTip("Write the next bars after the sketch (Ctrl+Return)")
        self.regenerate_button = QPushButton("Regenerate Selection")
        self.regenerate_button.setToolTip("Rewrite the selected span (Ctrl+Shift+Return)")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)

        self.variation_buttons = QButtonGroup(self)
        self.variation_buttons.setExclusive(True)
        var_row = QGridLayout()  # rows of KEYED_VARIATIONS buttons: the panel stays narrow
        var_row.setSpacing(2)
        for i in range(MAX_VARIATIONS):
            b = QPushButton(str(i + 1))
            b.setCheckable(True)
            b.setFixedWidth(28)
            b.setStyleSheet(f"QPushButton:checked {{ background: {style.PROPOSAL_EDGE.name()}; "
                            f"color: {style.PROPOSAL_TEXT.name()}; font-weight: bold; }}")
            b.setToolTip(f"Variation {i + 1} ({_how_to_pick(i)})")
            self.variation_buttons.addButton(b, i)
            var_row.addWidget(b, i // KEYED_VARIATIONS, i % KEYED_VARIATIONS)
        var_row.setColumnStretch(KEYED_VARIATIONS, 1)
        self.keep_button = QPushButton("Keep")
        self.keep_button.setToolTip("Add this variation to the score (Enter)")
        self.discard_button = QPushButton("Discard")
        self.discard_button.setToolTip("Throw the proposal away (Esc)")
        self.audition_button = QPushButton("Play in Context")
        self.audition_button.setToolTip("Play the variation from the bar before it, with the "
                                        "sketch (P); flip variations while it plays")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setObjectName("continueStatus")

        form = QFormLayout()
        form.addRow("Model", self.model)
        form.addRow("", self.summary)
        form.addRow("Length", self.bars)
        form.addRow("Temperature", self.temperature)
        form.addRow("Variations", self.variations)
        form.addRow("Seed", self.seed)
        checks = QHBoxLayout()  # one row: the panel fits the smallest window
        checks.addWidget(self.key_lock)
        checks.addWidget(self.cadence)
        checks.addStretch(1)
        form.addRow("", checks)
        buttons = QHBoxLayout()
        buttons.addWidget(self.continue_button, 1)
        buttons.addWidget(self.stop_button)
        self.proposal_box = QGroupBox("Proposal")
        pbox = QVBoxLayout(self.proposal_box)
        pbox.addLayout(var_row)
        pbox.addWidget(self.audition_button)
        keep_row = QHBoxLayout()
        keep_row.addWidget(self.keep_button, 1)
        keep_row.addWidget(self.discard_button, 1)
        pbox.addLayout(keep_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.regenerate_button)
        layout.addWidget(self.proposal_box)
        layout.addWidget(self.status)
        layout.addStretch(1)

        self.model.currentIndexChanged.connect(self._on_model)
        self.continue_button.clicked.connect(self.start_continue)
        self.regenerate_button.clicked.connect(self.start_regenerate)
        self.stop_button.clicked.connect(controller.stop)
        self.keep_button.clicked.connect(controller.keep)
        self.discard_button.clicked.connect(controller.discard)
        self.audition_button.clicked.connect(self.auditionRequested)
        self.variation_buttons.idClicked.connect(self.proposal.select)
        controller.modelsListed.connect(self.set_models)
        controller.modelsFailed.connect(self._on_models_failed)
        controller.runningChanged.connect(lambda _r: self._update())
        controller.progressed.connect(self._on_progress)
        controller.finished.connect(lambda: self._say(self._done_text("Done")))
        controller.cancelled.connect(lambda: self._say(self._done_text("Stopped")))
        controller.failed.connect(lambda msg: self._say(f"Generation failed: {msg}"))
        controller.kept.connect(lambda v: self._say(f"Kept variation {v + 1}."))
        self.proposal.changed.connect(self._update)
        self.doc.selectionChanged.connect(self._update)
        self._models_known = False
        self._update()

    # ----- models --------------------------------------------------------------------------------
    def set_models(self, models: list) -> None:
        self._models_known = True
        self.model.clear()
        first = -1
        for info in models:
            problem = getattr(info, "problem", "")  # a broken model: listed, not choosable
            self.model.addItem(f"{info.name} (unavailable)" if problem else info.name,
                               str(getattr(info, "path", "") or info.name))
            i = self.model.count() - 1
            text = f"Unavailable: {problem}" if problem else info.summary
            self.model.setItemData(i, text, Qt.ItemDataRole.ToolTipRole)
            self.model.setItemData(i, text, SUMMARY_ROLE)
            if problem:
                self.model.model().item(i).setEnabled(False)
            elif first < 0:
                first = i
        if first >= 0:
            self.model.setCurrentIndex(first)
        elif models:
            self.model.setPlaceholderText("No usable models")
            self._say("No installed model can be used (hover over them for the reasons), so "
                      "Continue is not available.")
        else:
            self.model.setPlaceholderText("No models installed")
            self._say("No models are installed, so Continue is not available.")
        self._update()

    def _on_models_failed(self, message: str) -> None:
        self._models_known = True
        self.model.setPlaceholderText("Models unavailable")
        self._say(f"Models unavailable: {message}")
        self._update()

    def _on_model(self, index: int) -> None:
        text = self.model.itemData(index, SUMMARY_ROLE) if index >= 0 else ""
        self.summary.setText(text or "")
        if index >= 0:
            self.controller.preload(self.model.itemData(index) or self.model.itemText(index))

    # ----- actions -------------------------------------------------------------------------------
    def options(self) -> GenerationOptions:
        # "auto": the sampler estimates the key where the continuation starts, preferring the
        # declared key there when the notes agree (a file's default C major signature doesn't win)
        key: str | None = "auto" if self.key_lock.isChecked() else None
        seed = self.seed.value()
        return GenerationOptions(
            model=self.model.currentData() or self.model.currentText(),
            bars=self.bars.value(), temperature=round(self.temperature.value(), 3),
            variations=self.variations.value(), seed=None if seed < 0 else seed, key=key,
            end="cadence" if self.cadence.isChecked() else "free")

    def can_generate(self) -> bool:
        return self.model.currentIndex() >= 0 and not self.controller.running

    def selection_region(self) -> tuple[int, int] | None:
        keys = self.doc.selection
        if not keys:
            return None
        step = self.roll.grid_step()
        start = min(n.start for _, n in keys) // step * step
        end = -(-max(n.end for _, n in keys) // step) * step
        return start, max(end, start + step)

    def start_continue(self) -> bool:
        if not self.can_generate():
            return False
        ok = self.controller.start(self.options())
        if ok:
            self._say("Generating…")
            self.roll.ensure_visible(self.proposal.start_tick)
            self.roll.canvas.setFocus()
        return ok

    def start_regenerate(self) -> bool:
        region = self.selection_region()
        if region is None:
            self._say("Select the notes to regenerate first.")
            return False
        if not self.can_generate():
            return False
        ok = self.controller.start(self.options(), region)
        if ok:
            self._say("Regenerating the selection…")
            self.roll.canvas.setFocus()
        return ok

    # ----- display -------------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.message.emit(text)

    def _done_text(self, what: str) -> str:
        counts = self.proposal.counts()
        if not counts:
            return f"{what}."
        per = ", ".join(str(c) for c in counts)
        notes = "".join(f"\nNote: {w}." for w in self.controller.warnings)
        return (f"{what}: {len(counts)} variation{'s' if len(counts) > 1 else ''} ({per} notes). "
                f"Keys 1–{KEYED_VARIATIONS} or Tab to flip, Enter to keep, Esc to discard.{notes}")

    def _on_progress(self, total: int) -> None:
        self.status.setText(f"Generating… {total} notes")

    def _update(self) -> None:
        running = self.controller.running
        has_model = self.model.currentIndex() >= 0
        self.continue_button.setEnabled(has_model and not running)
        self.regenerate_button.setEnabled(has_model and not running and bool(self.doc.selection))
        self.stop_button.setEnabled(running)
        active = self.proposal.active
        self.proposal_box.setEnabled(active)
        count = len(self.proposal.variations)
        for i, b in enumerate(self.variation_buttons.buttons()):
            b.setVisible(i < max(count, 1))
            b.setChecked(active and i == self.proposal.current)
            if i < count:
                b.setToolTip(f"Variation {i + 1}: {len(self.proposal.variations[i])} notes "
                             f"({_how_to_pick(i)})")


def _how_to_pick(i: int) -> str:
    return f"key {i + 1}; Tab flips" if i < KEYED_VARIATIONS else "Tab flips"
