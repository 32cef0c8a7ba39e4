"""The Continue panel's Harmonize box: where each voice under the melody goes (a new part, or a
part of the score the user picks), and the Harmonize button. It shows choices and reports them;
the panel decides the melody and starts the generation."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QPushButton, QWidget

from composer_gui.ml.voices import in_own_staves, kept_lines
from composer_gui.music.score import Score

from .labels import part_label

DEFAULT_VOICES = ("Alto", "Tenor", "Bass")  # under the melody, when the model does not say
NEW_PART = -1  # GenerationRequest.harmony_parts: a new part for this voice


def kept(part: int) -> int:
    """A combo's data for "keep ``part`` as this voice" (heard, not rewritten): -2, -3, ..."""
    return -2 - part


class HarmonyBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Harmonize", parent)
        self.button = QPushButton("Harmonize")
        self.button.setObjectName("harmonizeButton")
        self.button.setToolTip("Keep the selected melody (or the active part) and write the "
                               "voices under it (Ctrl+H)")
        self.combos: list[QComboBox] = []
        self.labels: list[QLabel] = []
        form = QFormLayout(self)
        for name in DEFAULT_VOICES:
            combo = QComboBox()
            combo.setToolTip(f"Where the {name.lower()} goes: a new part, or a part of the score "
                             "(its notes in the span are replaced); or a part kept as it is, "
                             "which the harmony is written around (your own bass line); a "
                             "tune on a piano's two staves: those staves, under the tune and "
                             "in the left hand")
            label = QLabel(name)
            self.combos.append(combo)
            self.labels.append(label)
            form.addRow(label, combo)
        form.addRow(self.button)
        # the choices moved with their parts (follow); None in one: its default (forget)
        self._followed: list[int | None] | None = None
        # the melody's part where it is a keyboard's two staves (its own staves a choice: the
        # voices written into them, the sampler's rule, voice_sampler.KEYBOARD_HARMONY); -1
        self._own = -1

    def chosen_parts(self, voices: Sequence[str]) -> tuple[int, ...] | None:
        """The parts the voices under the melody go to (NEW_PART: a new one), for a model whose
        ``voices`` the box lists; None when it does not (the sampler's own rule then)."""
        if len(voices) != len(self.combos) + 1:
            return None
        if self._own >= 0 and all(p == self._own for p in self._data()):
            return None  # (the melody's own staves: the sampler's rule)
        return tuple(p if p >= NEW_PART else kept(p) for p in self._data())

    def chosen_kept(self) -> tuple[int, ...]:
        """The parts chosen to be kept as their voice (heard, not rewritten)."""
        return tuple(kept(p) for p in self._data() if p < NEW_PART)

    def _data(self) -> list[int]:
        return [int(c.currentData()) for c in self.combos]

    def follow(self, moved: list[int]) -> None:
        """Parts were added, deleted or reordered (``moved``: each old part's new index, -1:
        deleted), before the score's refresh: each choice follows its part, and a deleted
        part's voice takes its default again. (A choice had stayed by index: after keeping a
        harmony whose staves stand above the kept bass, "Keep Cello" became "Keep Alto".)"""
        def move(data: int) -> int:
            part = data if data >= 0 else kept(data)
            to = moved[part] if data != NEW_PART and part < len(moved) else -1
            return NEW_PART if to < 0 else to if data >= 0 else kept(to)

        self._followed = [NEW_PART if c.currentData() is None else move(int(c.currentData()))
                          for c in self.combos]

    def clash(self, score: Score) -> str | None:
        """Why the choices cannot stand (two voices in one part: which), or None; said before
        any work starts."""
        seen: dict[int, str] = {}
        own = [label.text() for label, data in zip(self.labels, self._data(), strict=True)
               if data == self._own >= 0]
        if own and len(own) < len(self.combos):
            name = part_label(score.parts[self._own].name, self._own) \
                if self._own < len(score.parts) else f"part {self._own + 1}"
            return (f"{' and '.join(own)} go{'es' if len(own) == 1 else ''} to {name}'s own "
                    "staves and the other voices elsewhere: put every voice in its staves, or "
                    "none, in the Harmonize box.")
        for label, data in zip(self.labels, self._data(), strict=True):
            part = data if data >= 0 else kept(data) if data < NEW_PART else None
            if part is None:
                continue
            if part in seen:
                name = part_label(score.parts[part].name, part) if part < len(score.parts) \
                    else f"part {part + 1}"
                return (f"{seen[part]} and {label.text()} both go to {name}: choose another "
                        "part (or New part) for one of them in the Harmonize box.")
            seen[part] = label.text()
        return None

    def forget(self) -> None:
        """Another score was opened (or a new one begun): the choices made for the last one
        go, and the next refresh offers this one's own. (A review opened a chorale, then a
        piano piece, and its Alto and Bass both pointed at the left hand: "each voice of the
        harmony needs a part of its own".)"""
        self._followed = [None] * len(self.combos)

    def refresh(self, score: Score, melody: int, voices: Sequence[str]) -> None:
        """Offer the score's pitched parts other than the melody. A choice the user made stays
        while its part exists; otherwise a part named like the voice is the default (a chorale's
        own Alto, Tenor, Bass), else a new part; where the melody's other parts are single lines
        the model hears as its voices (a melody over the composer's bass line, however named:
        ``voices.kept_lines``, as ``generate --harmonize`` reads it), they are kept as they are
        and the harmony fills the voices between."""
        names = list(voices[1:]) if len(voices) == len(self.combos) + 1 else list(DEFAULT_VOICES)
        others = [(part_label(p.name, i), i) for i, p in enumerate(score.parts)
                  if not p.is_drum and i != melody]
        self._own = melody if 0 <= melody < len(score.parts) and \
            in_own_staves(score, melody) else -1
        own = [(f"{part_label(score.parts[melody].name, melody)}'s staves", melody)] \
            if self._own >= 0 else []
        choices = own + [("New part", NEW_PART)] + others + [(f"Keep {label}", kept(i))
                                                             for label, i in others]
        given = kept_lines(score, voices, melody) if len(voices) == len(self.combos) + 1 \
            else None
        followed, self._followed = self._followed, None
        for k, (label, combo, name) in enumerate(zip(self.labels, self.combos, names,
                                                     strict=True)):
            label.setText(name)
            if followed is None and [(combo.itemText(i), combo.itemData(i))
                                     for i in range(combo.count())] == choices:
                continue
            was = combo.currentData() if followed is None else followed[k]
            combo.blockSignals(True)
            combo.clear()
            for text, data in choices:
                combo.addItem(text, data)
            same = next((i for text, i in others
                         if text.strip().lower()[:4] == name.lower()[:4]),
                        self._own if self._own >= 0 else NEW_PART)
            if given is not None:  # the composer's own line for this voice, kept
                same = kept(given.parts[k + 1]) if given.parts[k + 1] >= 0 else \
                    self._own if self._own >= 0 else NEW_PART
            keep = was is not None and was != NEW_PART and any(d == was for _, d in choices)
            combo.setCurrentIndex(max(0, combo.findData(was if keep else same)))
            combo.blockSignals(False)
