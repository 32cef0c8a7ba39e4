"""The Continue panel: model (suggested by the sketch's texture), bars, temperature, variations,
seed, the key the model will use, density, key lock and cadence; Continue, Regenerate Selection,
Harmonize and Stop; then the variations to flip through and Keep / Discard.

Its status line speaks about the proposal: it clears when the proposal is gone (discarded, or
kept and then undone, or another file opened)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from composer_gui.ml.keyfinding import keys_heard
from composer_gui.ml.limits import KEY_LOCK, MAX_DENSITY, MAX_VARIATIONS
from composer_gui.music.analysis import not_one_line
from composer_gui.music.clefs import needs_grand_staff
from composer_gui.music.edits import (
    drums_note,
    drums_playing_into,
    hand_notes,
    selected_hand,
)
from composer_gui.music.score import KeySignature

from . import style
from .generation import (
    ContinueController,
    GenerationOptions,
    harmony_model,
    suggest_model,
)
from .harmony_box import HarmonyBox
from .header import KEYS, key_label
from .labels import part_label, plural
from .piano_roll import PianoRoll
from .proposal import KEYED_VARIATIONS

SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1
DENSITY_STEPS = 2  # the slider's notches each side of the middle (MAX_DENSITY at the ends)


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
        self.suggestion = QLabel()
        self.suggestion.setObjectName("modelSuggestion")
        self.suggestion.setWordWrap(True)
        self.suggestion.setStyleSheet("font-size: 11px;")
        self.suggestion.setToolTip("The model that suits the sketch: one line: a melody model; "
                                   "several voices: the chorale model")
        self.key = QComboBox()
        self.key.addItem("", None)  # "auto": the key heard in the sketch (filled in _refresh)
        for k in KEYS[1:]:
            self.key.addItem(key_label(k), k)
        # the runner-up key when the sketch is ambiguous (a short melody): one click to choose it
        self.key_alternative = QLabel()
        self.key_alternative.setObjectName("keyAlternative")
        self.key_alternative.setStyleSheet("font-size: 11px;")
        self.key_alternative.setToolTip("Another key the sketch's notes fit nearly as well: "
                                        "click it to write in that key")
        self.key_alternative.linkActivated.connect(lambda _link: self.use_key_alternative())
        self.key_alternative.hide()
        self._alternative: KeySignature | None = None
        self.key.setToolTip("The key the model writes in: the sketch's key signature, or the "
                            "key heard in its notes; choose another to change it (the score's "
                            "key signature is the header's Key)")
        self.density = QSlider(Qt.Orientation.Horizontal)
        self.density.setRange(-DENSITY_STEPS, DENSITY_STEPS)
        self.density.setValue(0)
        self.density.setPageStep(1)
        self.density.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.density.setToolTip("Fewer, longer notes ... more, shorter notes (a bias on new "
                                "notes against held ones; the middle samples the model as it is)")
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
        # remembered per kind of model (limits.KEY_LOCK): a voice model writes in the key
        # without it, an event-stream model needs it
        self._key_locks = dict(KEY_LOCK)
        self.key_lock.setChecked(self._key_locks["voice-grid"])
        self.key_lock.toggled.connect(self._key_lock_toggled)
        self.key_lock.setToolTip("Only notes of the score's key (or of the key heard in the "
                                 "sketch when none is set). Off, a voice model still writes in "
                                 "that key, with the accidentals it chooses (a chorale's "
                                 "secondary dominants); a model trained on your own files "
                                 "needs it. On, a harmonized hymn closes every phrase on the "
                                 "key's own chords (I, V, IV, vi), none in another key")
        self.cadence = QCheckBox("End with a cadence")
        self.cadence.setChecked(True)
        self.cadence.setToolTip("Voice models: count the bars down so that the music comes to "
                                "an end, on the tonic chord, at the last bar; off: it runs on")
        # the composer's choice, shown again when a model that can end with a cadence is back
        # (greyed out for an event-stream model, the box had still shown its tick: a re-trial)
        self._cadence_wanted = True
        self.cadence.toggled.connect(self._cadence_toggled)
        # ... and in a minor key, on which tonic: the major one (the Picardy third, as Bach
        # ends his minor chorales, 98 of 109) or the minor one (a review: "a composer who wants
        # a minor ending never gets one")
        self.picardy = QCheckBox("Picardy third")
        self.picardy.setChecked(True)
        self.picardy.setToolTip("Voice models, a cadence in a minor key: end on the major tonic "
                                "chord (A major closing A minor), as Bach ends his minor "
                                "chorales; off: on the minor tonic")
        # a voice model and a score with chord symbols: whether the voices keep to them
        self.follow_chords = QCheckBox("Follow the chord symbols")
        self.follow_chords.setChecked(True)
        self.follow_chords.setToolTip("Harmonize, Regenerate Selection and a chorale's "
                                      "Continue: the voices under the melody keep to each "
                                      "chord symbol where it stands (symbols typed into the "
                                      "bars ahead too), the bass to its root (or a slash "
                                      "chord's bass), and the symbols decide the cadences; "
                                      "off: the model chooses the harmony")
        self.follow_chords.hide()
        # a chorale model and a sketch with no phrase end marked: how to mark them
        self.phrase_hint = QLabel("No phrase ends marked: Harmonize hears them in the melody. "
                                  "To set them, select the last chord of a phrase and press F.")
        self.phrase_hint.setToolTip("Harmonize closes each phrase with a cadence: where none is "
                                    "marked, at the melody's long notes, rests and upbeats. A "
                                    "continuation ends its phrases where the marked ones fall "
                                    "in the bar.")
        self.phrase_hint.setObjectName("phraseHint")
        self.phrase_hint.setWordWrap(True)
        self.phrase_hint.setStyleSheet("font-size: 11px;")
        self.phrase_hint.hide()
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
        self.harmony_box = HarmonyBox()
        self.harmonize_button = self.harmony_box.button
        self.harmony_parts = self.harmony_box.combos  # where alto, tenor, bass go
        self.harmony_labels = self.harmony_box.labels

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
        self.audition_button.setToolTip(AUDITION_TIP)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setObjectName("continueStatus")

        form = QFormLayout()
        form.addRow("Model", self.model)
        form.addRow("", self.summary)
        form.addRow("", self.suggestion)
        # ("Write in", not "Key": the header's Key box is the score's key signature, this one
        # only the key a generation writes in; a review found the two boxes of one name
        # confusing, one undoable and exported, the other not)
        form.addRow("Write in", self.key)
        form.addRow("", self.key_alternative)
        form.addRow("Length", self.bars)
        form.addRow("Temperature", self.temperature)
        density_row = QHBoxLayout()
        fewer, more = QLabel("fewer"), QLabel("more notes")
        for label in (fewer, more):
            label.setStyleSheet("font-size: 11px;")
        density_row.addWidget(fewer)
        density_row.addWidget(self.density, 1)
        density_row.addWidget(more)
        form.addRow("Density", density_row)
        form.addRow("Variations", self.variations)
        form.addRow("Seed", self.seed)
        checks = QHBoxLayout()  # one row: the panel fits the smallest window
        checks.addWidget(self.key_lock)
        checks.addWidget(self.cadence)
        checks.addStretch(1)
        form.addRow("", checks)
        form.addRow("", self.picardy)
        form.addRow("", self.follow_chords)
        form.addRow("", self.phrase_hint)
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
        layout.addWidget(self.harmony_box)
        layout.addWidget(self.proposal_box)
        layout.addWidget(self.status)
        layout.addStretch(1)

        self.model.currentIndexChanged.connect(self._on_model)
        self.model.activated.connect(self._model_chosen)
        self.suggestion.linkActivated.connect(lambda _link: self.use_suggestion())
        self.key.currentIndexChanged.connect(
            lambda i: self.key_alternative.setVisible(i == 0 and self._alternative is not None))
        self.continue_button.clicked.connect(self.start_continue)
        self.regenerate_button.clicked.connect(self.start_regenerate)
        self.harmonize_button.clicked.connect(self.start_harmonize)
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
        controller.kept.connect(self._on_kept)
        controller.empty.connect(lambda: self._say(
            "Done: the model wrote no notes here, so there is nothing to keep. Your notes are "
            "unchanged; try another seed, or select more of the music."))
        controller.refused.connect(self._say)
        controller.discarded.connect(self._on_discarded)
        controller.started.connect(self._forget_kept)
        self.proposal.changed.connect(self._update)
        self.proposal.activeChanged.connect(self._on_active)
        self.doc.selectionChanged.connect(self._update)
        self.doc.selectionChanged.connect(self._refresh_harmony)
        self.doc.partsMoved.connect(self.harmony_box.follow)
        self.doc.loaded.connect(self.harmony_box.forget)
        self.doc.scoreChanged.connect(self._refresh)
        self.doc.undo_stack.indexChanged.connect(self._on_undo_index)
        self._models_known = False
        self._models: list = []  # ModelInfo-like, in the combo's order
        self._by_hand = False  # the user chose the model: no suggestion overrides it
        self._kept_at: int | None = None  # the undo index right after a Keep (its status)
        self._drums: str | None = None  # a continuation's note on drum parts it leaves
        self._refresh()
        self._select: str | None = None  # refresh_models: the model to choose next
        self._update()

    # ----- models --------------------------------------------------------------------------------
    def refresh_models(self, select: str | None = None) -> None:
        """List the models again (one was trained, renamed or deleted); ``select`` it by name."""
        self._select = select
        self.controller.list_models()

    def set_models(self, models: list) -> None:
        self._models_known = True
        self._models = list(models)
        self.model.blockSignals(True)
        self.model.clear()
        first = -1
        for info in models:
            problem = getattr(info, "problem", "")  # a broken model: listed, not choosable
            self.model.addItem(f"{info.name} (unavailable)" if problem else info.name,
                               str(getattr(info, "path", "") or info.name))
            i = self.model.count() - 1
            text = f"Unavailable: {problem}" if problem else info.summary
            about = getattr(info, "about", "")
            self.model.setItemData(i, text if problem else about or text,
                                   Qt.ItemDataRole.ToolTipRole)
            self.model.setItemData(i, text if problem else _plain(about, text), SUMMARY_ROLE)
            if problem:
                self.model.model().item(i).setEnabled(False)
            elif first < 0:
                first = i
        self.model.blockSignals(False)
        if first >= 0:
            chosen = self.model.findText(self._select) if self._select else -1
            self._select = None
            if chosen >= 0 and not getattr(self._models[chosen], "problem", ""):
                self._by_hand = True  # just trained or renamed: chosen as if by hand
                self.model.setCurrentIndex(chosen)
            else:
                suggested = suggest_model(self.doc.score, self._models)
                self.model.setCurrentIndex(self._models.index(suggested[0]) if suggested
                                           else first)
            self._on_model(self.model.currentIndex())
        elif models:
            self.model.setPlaceholderText("No usable models")
            self._say("No installed model can be used (hover over them for the reasons), so "
                      "Continue is not available.")
        else:
            self.model.setPlaceholderText("No models installed")
            self._say("No models are installed, so Continue is not available.")
        self._refresh()
        self._update()

    def _on_models_failed(self, message: str) -> None:
        self._models_known = True
        self.model.setPlaceholderText("Models unavailable")
        self._say(f"Models unavailable: {message}")
        self._update()

    def _on_model(self, index: int) -> None:
        text = self.model.itemData(index, SUMMARY_ROLE) if index >= 0 else ""
        self.summary.setText(text or "")
        self.model.setToolTip(self.model.itemData(index, Qt.ItemDataRole.ToolTipRole) or ""
                              if index >= 0 else "")
        if index >= 0:
            self.controller.preload(self.model.itemData(index) or self.model.itemText(index))
        info = self.current_info()
        voices = bool(getattr(info, "voices", ()))
        self.density.setEnabled(voices)
        # (an event-stream model ends where its bars do: a trial's own model kept the box on)
        self.cadence.setEnabled(voices)
        self.cadence.blockSignals(True)
        self.cadence.setChecked(voices and self._cadence_wanted)
        self.cadence.blockSignals(False)
        self.picardy.setEnabled(voices and self._cadence_wanted)
        self.key_lock.blockSignals(True)
        self.key_lock.setChecked(self._key_locks[self._model_kind()])
        self.key_lock.blockSignals(False)
        self._refresh(follow=False)  # a choice being made is not overridden

    def _cadence_toggled(self, checked: bool) -> None:
        if self.cadence.isEnabled():
            self._cadence_wanted = checked
            self.picardy.setEnabled(checked)

    def _model_kind(self) -> str:
        return "voice-grid" if getattr(self.current_info(), "voices", ()) else "remi"

    def _key_lock_toggled(self, checked: bool) -> None:
        self._key_locks[self._model_kind()] = checked

    def key_locks(self) -> dict[str, bool]:
        """"Stay in the key" per kind of model, as the composer last left it."""
        return dict(self._key_locks)

    def set_key_locks(self, locks: dict[str, bool]) -> None:
        self._key_locks.update({k: bool(v) for k, v in locks.items() if k in KEY_LOCK})
        self.key_lock.blockSignals(True)
        self.key_lock.setChecked(self._key_locks[self._model_kind()])
        self.key_lock.blockSignals(False)

    def _model_chosen(self, _index: int) -> None:
        self._by_hand = True

    def current_info(self):
        """The ModelInfo of the chosen model (None for one added by hand, e.g. in tests)."""
        i = self.model.currentIndex()
        return self._models[i] if 0 <= i < len(self._models) else None

    def use_key_alternative(self) -> bool:
        """Write in the runner-up key (the link under the Key box): chosen in the Key box."""
        alt = self._alternative
        if alt is None or self.controller.running:
            return False
        for i in range(1, self.key.count()):
            k = self.key.itemData(i)
            if k is not None and (k.sharps, k.mode) == (alt.sharps, alt.mode):
                self.key.setCurrentIndex(i)
                return True
        return False

    def use_suggestion(self) -> bool:
        """Choose the model that suits the sketch's texture (the suggestion's link)."""
        suggested = suggest_model(self.doc.score, self._models)
        if suggested is None or self.controller.running:
            return False
        self.model.setCurrentIndex(self._models.index(suggested[0]))
        return True

    def document_replaced(self) -> None:
        """Another file (or New): the status, the key chosen and the model chosen by hand were
        about the last one."""
        self._by_hand = False
        self._kept_at = None
        self.key.setCurrentIndex(0)
        self.status.setText("")
        self._refresh()

    # ----- actions -------------------------------------------------------------------------------
    def options(self) -> GenerationOptions:
        # "auto": the sampler estimates the key where the continuation starts, preferring the
        # declared key there when the notes agree (a file's default C major signature doesn't win);
        # a key chosen in the Key box is used as it is
        chosen = self.key.currentData()
        key: str | None = str(chosen) if chosen is not None else (
            "auto" if self.key_lock.isChecked() else None)
        seed = self.seed.value()
        return GenerationOptions(
            model=self.model.currentData() or self.model.currentText(),
            bars=self.bars.value(), temperature=round(self.temperature.value(), 3),
            variations=self.variations.value(), seed=None if seed < 0 else seed, key=key,
            end="cadence" if self._cadence_wanted else "free",
            picardy=self.picardy.isChecked(),
            density=self.density_value(), chord_symbols=self.follow_chords.isChecked())

    def density_value(self) -> float:
        """The density bias the slider stands for (0 where the model has no density control)."""
        if not self.density.isEnabled():
            return 0.0
        return round(self.density.value() * MAX_DENSITY / DENSITY_STEPS, 3)

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
        score = self.doc.score
        # (the drum parts playing into the continuation: no model writes drums)
        drums = drums_playing_into(score, score.end_tick) if ok else []
        self._drums = drums_note(score, drums) if drums else None
        if ok:
            # (where it writes, and how to write elsewhere: a review clicked in bar 4 and
            # expected Continue to start there)
            score = self.doc.score
            end = score.continue_tick
            cursor = getattr(self.roll, "cursor_tick", end)
            hint = " To rewrite from the cursor, select those bars and use Regenerate " \
                "Selection." if score.notes and cursor < score.bar_start(score.bar_at(end)) \
                else ""
            where = f" after the last note, from bar {score.bar_number(score.bar_at(end))}" \
                if score.notes else ""
            self._say(f"Generating{where}…{hint}")
            self.roll.ensure_visible(self.proposal.start_tick)
            self.roll.canvas.setFocus()
        return ok

    def start_regenerate(self) -> bool:
        """Rewrite the selected parts in the selected span; the model hears both sides."""
        self._drums = None
        region = self.selection_region()
        if region is None:
            self._say("Select the notes to regenerate first.")
            return False
        if not self.can_generate():
            return False
        options = self.options()
        options.parts = tuple(sorted({part for part, _ in self.doc.selection}))
        # (one hand: a voice model's; an event-stream model rewrites the span in every part,
        # and says so: a re-trial read "right hand" over both hands rewritten)
        options.hand = selected_hand(self.doc.score, self.doc.selection, *region) \
            if self._model_kind() == "voice-grid" else None
        ok = self.controller.start(options, region)
        if ok:
            part = self.doc.score.parts[options.parts[0]]
            name = part_label(part.name, options.parts[0])
            if options.hand is not None:
                said = (f"Regenerating the {('right', 'left')[options.hand]} hand of {name} "
                        "in the selection…")
            elif len(options.parts) == 1 and self._model_kind() == "voice-grid" and \
                    needs_grand_staff(part) and all(
                        any(region[0] <= n.start < region[1] for n in hand_notes(part, h))
                        for h in (0, 1)):
                # (a selection in both hands rewrites both: said, with how to keep one; a
                # re-trial's marquee dipped below middle C into the left hand's chords)
                said = (f"Regenerating both hands of {name} in the selection… (select one "
                        "hand's notes to rewrite that hand alone)")
            else:
                said = "Regenerating the selection…"
            self._say(said)
            self.roll.canvas.setFocus()
        return ok

    def harmonize_target(self) -> tuple[int, tuple[int, int] | None] | str:
        """(the melody's part, the span or None for all of it), or why there is none.

        The melody: the selected notes' part; where they lie in several parts, the highest part
        sounding in their span, selected or not (so that the voices just kept under a melody, still
        selected, point back to it). Without a selection the active part, else the only part with
        notes. A selection that holds the whole part harmonizes all of it; a smaller one only its
        bars."""
        score = self.doc.score
        pitched = [i for i, p in enumerate(score.parts) if not p.is_drum and p.notes]
        if not pitched:
            return "Draw or open a melody to harmonize first."
        selected = self.doc.selection
        if selected:
            parts = {p for p, _ in selected if p in pitched}
            if not parts:
                return "Select notes of a melody to harmonize."
            if len(parts) > 1:
                lo = min(n.start for _, n in selected)
                hi = max(n.end for _, n in selected)
                parts |= {i for i in pitched
                          if any(n.start < hi and n.end > lo for n in score.parts[i].notes)}
            melody = max(parts, key=lambda i: sum(n.pitch for n in score.parts[i].notes)
                         / len(score.parts[i].notes))
            above = _part_above(score, melody, pitched, [n for _, n in selected]) \
                if len(parts) == 1 else None  # (several: the highest sounding is the melody)
            if above is not None:
                # (a review selected a bass and got three voices proposed under it, down to
                # C2: the voices go under a melody, which this is not)
                return (f"The selected notes are in "
                        f"{part_label(score.parts[melody].name, melody)}, under "
                        f"{part_label(score.parts[above].name, above)}: Harmonize writes voices "
                        "under a melody. Select the melody's notes, or use Regenerate Selection "
                        "to rewrite these.")
            whole = {n for p, n in selected if p == melody} >= set(score.parts[melody].notes)
            return melody, None if whole else self.selection_region()
        active = getattr(self.roll, "active_part", -1)
        if active in pitched:
            return active, None
        if len(pitched) == 1:
            return pitched[0], None
        return "Select the melody to harmonize (or make its part the active one)."

    def start_harmonize(self) -> bool:
        """Keep the melody and propose the voices under it, into the parts the Harmonize box
        names (new parts by default; a four-part score's own parts under its soprano)."""
        self._drums = None
        if not self.can_generate():
            return False
        target = self.harmonize_target()
        if isinstance(target, str):
            self._say(target)
            return False
        melody, region = target
        into = self.harmony_box.chosen_parts(getattr(self.current_info(), "voices", ())) or ()
        why = not_one_line(self.doc.score, melody, *(region or (0, None)), into)
        if why is not None:  # (said once, here, before any work starts)
            self._say(f"Cannot harmonize: {why}. Your notes are unchanged.")
            return False
        options = self.options()
        info = harmony_model(self.current_info(), self._models)
        if info is not None and info is not self.current_info():
            options.model = str(getattr(info, "path", "") or info.name)
        options.harmonize = True
        options.melody = melody
        options.harmony_parts = self.harmony_box.chosen_parts(getattr(info, "voices", ()))
        if options.harmony_parts is not None:
            options.harmony_kept = self.harmony_box.chosen_kept()
            clash = self.harmony_box.clash(self.doc.score)
            if clash is not None:
                self._say(f"Cannot harmonize: {clash} Your notes are unchanged.")
                return False
        if region is None:  # where the proposal starts until the sampler says (its bar)
            first = min(n.start for n in self.doc.score.parts[melody].notes)
            options.start_tick = self.doc.score.bar_start(self.doc.score.bar_at(first))
        ok = self.controller.start(options, region)
        if ok:
            name = f" with {info.name}" if info is not None and info is not self.current_info() \
                else ""
            self._say(f"Harmonizing{name}…")
            self.roll.ensure_visible(self.proposal.start_tick)
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
        if not any(counts):  # (a trial stopped a long Harmonize before its search wrote any)
            return f"{what} before a note was written: nothing to keep. Your notes are unchanged."
        per = ", ".join(str(c) for c in counts)
        said = list(self.controller.warnings)
        if self._drums is not None and what == "Done":
            said.append(self._drums)
        notes = "".join(f"\nNote: {w}." for w in said)
        noun = "note" if counts == [1] else "notes"
        keys = min(len(counts), KEYED_VARIATIONS)  # (a review read "Keys 1–8" over two)
        flip = f"Keys 1–{keys} or Tab to flip, " if keys > 1 else ""
        cut = self.controller.cut_tick
        together = ""
        if what == "Stopped" and cut is not None:
            score = self.doc.score
            bar = score.bar_at(cut)
            where = (f"the end of bar {score.bar_number(bar - 1)}" if bar
                     and score.bar_start(bar) == cut else f"bar {score.bar_number(bar)}")
            ones = "they end" if len(counts) > 1 else "it ends"
            together = f"Cut where every voice had got to: {ones} at {where}. "
        return (f"{what}: {plural(len(counts), 'variation')} ({per} {noun}). "
                f"{together}{flip}Enter to keep, Esc to discard.{notes}")

    def _on_progress(self, total: int) -> None:
        # (how far it has got, in the score's bars: a review watched a 64-bar Continue count
        # notes only)
        reach = max((n.start for v in self.proposal.variations for n in v), default=None)
        score = self.doc.score
        where = f", up to bar {score.bar_number(score.bar_at(reach))}" if reach is not None \
            else ""
        self.status.setText(f"Generating… {plural(total, 'note')}{where}")

    def _on_kept(self, variation: int) -> None:
        self._say(f"Kept variation {variation + 1}.")
        self._kept_at = self.doc.undo_stack.index()

    def _on_discarded(self) -> None:
        # (the panel's line goes with its proposal; the status bar's "Done: ... Esc to
        # discard" is replaced, where a review saw it stay 8 s over an empty panel)
        self.status.setText("")
        self.message.emit("Discarded the proposal. Your notes are unchanged.")

    def _forget_kept(self) -> None:
        self._kept_at = None

    def _on_undo_index(self, index: int) -> None:
        if self._kept_at is not None and index != self._kept_at:
            self._kept_at = None  # the kept notes were undone (or edited on): old news
            self._say("")  # (the status bar's copy too: a review read it 8 s after Undo)

    def _on_active(self, variation: int) -> None:
        if variation < 0 and self._kept_at is None and not self.controller.running:
            self.status.setText("")  # discarded, or gone with its document
        if variation >= 0:  # (once laid out: the box was greyed until now)
            QTimer.singleShot(0, self._show_proposal_box)

    def _show_proposal_box(self) -> None:
        """Variations on show: Keep, Discard and the variation buttons scrolled into sight (a
        review's were below the panel's fold while its proposal waited)."""
        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is not None and self.proposal.active:
            area.ensureWidgetVisible(self.proposal_box, 0, 8)

    def _refresh(self, follow: bool = True) -> None:
        """What depends on the sketch: the key heard, the model suggested (and, with ``follow``
        and no model chosen by hand, chosen), the harmony parts."""
        if not hasattr(self, "_models"):
            return
        score = self.doc.score
        end = score.end_tick  # (walks every note: once)
        key, alt = keys_heard(score, end)  # one ranking of the notes for both
        declared = score.key_at(end)
        if key is None:
            text = "Auto (no notes to hear yet)"
        elif declared is not None and (key.sharps, key.mode) == (declared.sharps, declared.mode):
            text = f"{key_label(key)} (key signature)"
        else:
            text = f"{key_label(key)} (heard in the sketch)"
        self.key.setItemText(0, text)
        self._alternative = alt[0] if alt else None
        why = "" if not alt else "The notes keep to its scale." if alt[1] is None else \
            f"It fits the notes too ({round(100 * alt[1])}% likely)."
        self.key_alternative.setText(
            f"Or <a href='key'>{key_label(alt[0])}</a>? {why}" if alt else "")
        self.key_alternative.setVisible(alt is not None and self.key.currentIndex() == 0)
        suggested = suggest_model(score, self._models)
        if suggested is None:
            self.suggestion.setText("")
        else:
            info, why = suggested
            if follow and info is not self.current_info() and not self._by_hand \
                    and not self.controller.running:
                self.model.setCurrentIndex(self._models.index(info))  # follows the texture
            if info is self.current_info():
                self.suggestion.setText(f"Suits this sketch ({why}).")
            else:
                self.suggestion.setText(f"For {why}: <a href='use'>{info.name}</a> suits "
                                        "better.")
        voiced = len(getattr(self.current_info(), "voices", ())) >= 3
        self.phrase_hint.setVisible(voiced and not score.fermatas and score.note_count > 0)
        self.follow_chords.setVisible(voiced and bool(score.chord_symbols))
        self._refresh_harmony()

    def _refresh_harmony(self) -> None:
        if not hasattr(self, "_models"):
            return
        target = self.harmonize_target()
        info = harmony_model(self.current_info(), self._models)
        self.harmony_box.refresh(self.doc.score, target[0] if not isinstance(target, str) else -1,
                                 getattr(info, "voices", ()))

    def _update(self) -> None:
        running = self.controller.running
        has_model = self.model.currentIndex() >= 0
        self.continue_button.setEnabled(has_model and not running)
        self.regenerate_button.setEnabled(has_model and not running and bool(self.doc.selection))
        self.harmonize_button.setEnabled(has_model and not running
                                         and any(p.notes for p in self.doc.score.parts
                                                 if not p.is_drum))
        self.stop_button.setEnabled(running)
        active = self.proposal.active
        self.proposal_box.setEnabled(active)
        self.keep_button.setEnabled(active and bool(self.proposal.notes()))
        count = len(self.proposal.variations)
        # (an exclusive group keeps one button checked: a review saw "1" lit after Keep)
        self.variation_buttons.setExclusive(False)
        for i, b in enumerate(self.variation_buttons.buttons()):
            b.setVisible(i < max(count, 1))
            b.setChecked(active and i == self.proposal.current)
            if i < count:
                n = len(self.proposal.variations[i])
                b.setToolTip(f"Variation {i + 1}: {plural(n, 'note')} "
                             f"({_how_to_pick(i)})")
        self.variation_buttons.setExclusive(active)


def _part_above(score, part: int, pitched: list[int], notes: list) -> int | None:
    """Another pitched part that sounds above ``part``'s ``notes`` in their span (its mean
    pitch there higher), or None."""
    lo, hi = min(n.start for n in notes), max(n.end for n in notes)
    mine = sum(n.pitch for n in notes) / len(notes)
    for i in pitched:
        there = [n.pitch for n in score.parts[i].notes if n.start < hi and n.end > lo]
        if i != part and there and sum(there) / len(there) > mine:
            return i
    return None


def scrolling(panel: QWidget) -> QScrollArea:
    """The panel in a vertical scroll area, so that its dock fits a small window."""
    area = QScrollArea()
    area.setObjectName("continueScroll")
    area.setWidget(panel)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # (no invisible Tab stop: a review's)
    # ... with room for the vertical scroll bar beside it (a review read the spin boxes' arrows
    # and the Stop button cut off under it in a 1024 x 700 window)
    area.setMinimumWidth(panel.minimumSizeHint().width()
                         + area.verticalScrollBar().sizeHint().width())
    return area


AUDITION_TIP = "Play the variation from the bar before it, with the sketch (P); flip " \
    "variations while it plays"


def _plain(about: str, summary: str) -> str:
    """What the model writes and learned from, in words, for the line under its name (a
    review read "2 x LSTM 256, test perplexity 1.64 (5-gram 3.02)" there; the tooltip keeps
    the figures); else what its summary names before the figures."""
    plain = " ".join(line for line in about.splitlines()
                     if line.startswith(("Writes ", "Learned from ")))
    source = summary.split(": ", 1)[0] if ": " in summary else ""
    return plain or (f"Learned from {source}." if source else summary)


def _how_to_pick(i: int) -> str:
    return f"key {i + 1}; Tab flips" if i < KEYED_VARIATIONS else "Tab flips"
