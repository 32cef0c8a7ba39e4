"""The piano roll: keyboard, ruler, note canvas, velocity lane and the mouse tools.

One custom-painted widget per strip (no QGraphicsItem per note): each paints only what is visible,
looked up in a numpy index of the notes, so 10,000 notes repaint in a few milliseconds.
"""

from .editor import PianoRoll

__all__ = ["PianoRoll"]
