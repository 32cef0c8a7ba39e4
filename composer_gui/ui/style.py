"""Every colour of the app, in one place: the window palette and the piano roll's dark theme
(like the DAWs users know). Widgets that style themselves (a style sheet, a painter) take their
colours from here, so a colour is changed once.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

# ----- the window palette (ui/app.py turns these into a QPalette) ---------------------------------
WINDOW = QColor("#2b2e33")
BASE = QColor("#1f2226")  # text fields, lists
TEXT = QColor("#dcdfe4")
DISABLED_TEXT = QColor("#6d737b")
BUTTON = QColor("#363a40")
BRIGHT_TEXT = QColor("#ff6b6b")
HIGHLIGHT = QColor("#3d7fd6")
HIGHLIGHTED_TEXT = QColor("#ffffff")
LINK = QColor("#6cb0ff")
MID = QColor("#8a9099")  # also the placeholder text
TOOLTIP_BASE = QColor("#3a3e44")
TOOLTIP_TEXT = QColor("#e6e6e6")

# ----- the piano roll ----------------------------------------------------------------------------
BACKGROUND = BASE  # the roll sits on the same dark as text fields
ROW_IN_KEY = QColor("#30353c")
ROW_OUT_OF_KEY = QColor("#24272b")
ROW_WHITE = QColor("#2d3137")  # no key set: white-key rows
ROW_BLACK = QColor("#25282c")
OCTAVE_LINE = QColor("#454a52")
BAR_LINE = QColor("#6b717a")
BEAT_LINE = QColor("#3f444b")
GRID_LINE = QColor("#32363c")
CURSOR = QColor("#ff9f1c")
PLAYHEAD = QColor("#4fe08a")  # green: what sounds now (the orange cursor is where edits go)
LOOP_RULER = QColor(79, 224, 138, 90)
LOOP_EDGE = QColor(79, 224, 138, 150)
TAKE_FILL = QColor(255, 70, 70, 150)  # a MIDI take being recorded
TAKE_EDGE = QColor("#ff5a5a")
RUBBER_BAND = QColor(120, 180, 255, 60)
RUBBER_BAND_EDGE = QColor(150, 200, 255, 200)

# Saturated, mid-bright part colours; none is near white, so the selection (white) stands out
# from every one of them (tests/ui check the distance), and none is the proposal's pink.
PART_COLOURS = [QColor(c) for c in (
    "#4f9ee8", "#e8a04f", "#62c27a", "#b47fe0", "#4fc4c9", "#e06f6f", "#c9b458", "#8b93e6",
)]
ACTIVE_ROW = QColor("#474e58")  # the Parts panel's row of the active part (not a part's blue)
PART_TEXT = QColor("#111418")  # text on a part's colour (the roll's corner, the parts panel)
DIM_AMOUNT = 0.62  # how far the parts other than the active one fade into the background
SELECTED_FILL = QColor("#f4f7fb")
SELECTED_EDGE = QColor("#ffffff")
NOTE_EDGE = QColor("#15181c")  # opaque: a translucent pen costs ~10x in software painting
GHOST = QColor(255, 255, 255, 60)
EMPTY_HINT = QColor("#8a9099")  # the empty roll's hint

PROPOSAL_FILL = QColor(255, 80, 170, 110)
PROPOSAL_EDGE = QColor("#ff63b8")  # the outline of proposed notes; a chosen variation's button
PROPOSAL_TEXT = QColor("#111111")  # text on PROPOSAL_EDGE
PROPOSAL_REGION = QColor(255, 80, 170, 28)
PROPOSAL_RULER = QColor(255, 80, 170, 90)
REPLACED_SHADE = QColor(20, 20, 20, 150)
REPLACED_STRIKE = QColor("#ff63b8")  # the line through a note the proposal would replace

RULER_BG = QColor("#2a2e33")
RULER_TEXT = QColor("#c9ced6")
RULER_TICK = QColor("#6b717a")
RULER_CHORD = QColor("#f0c674")  # the chord symbols' lane of the ruler (a lead sheet's chords)
KEY_WHITE = QColor("#eceff2")
KEY_BLACK = QColor("#1a1c1f")
KEY_LINE = QColor("#9aa1aa")
KEY_TEXT = QColor("#50565e")
KEY_PRESSED = QColor("#ffb347")
KEY_UNUSED = QColor("#c4c9cf")  # a drum row with no General MIDI drum
VELOCITY_BG = QColor("#23262a")

BLACK_PCS = frozenset({1, 3, 6, 8, 10})  # pitch classes of the black keys: the darker rows


def mix(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` (0..1) of the way to ``b``; opaque (cheap to paint)."""
    return QColor(round(a.red() + (b.red() - a.red()) * amount),
                  round(a.green() + (b.green() - a.green()) * amount),
                  round(a.blue() + (b.blue() - a.blue()) * amount))


_DIMMED = [mix(c, BACKGROUND, DIM_AMOUNT) for c in PART_COLOURS]


def part_colour(part: int, *, dim: bool = False) -> QColor:
    """The colour of part ``part``; ``dim``: faded (a part other than the active one)."""
    return (_DIMMED if dim else PART_COLOURS)[part % len(PART_COLOURS)]
