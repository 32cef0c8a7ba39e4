"""The piano roll: keyboard, ruler, note canvas, velocity lane and the mouse tools.

One custom-painted widget per strip (no QGraphicsItem per note): each paints only what is visible,
looked up in a numpy index of the notes, so 10,000 notes repaint in a few milliseconds.

editor.py    PianoRoll: lays the strips out; the Qt-facing API (methods, signals) of the view state
strip.py     the strips' shared base: sizing, repaint routing, mouse -> gesture, wheel
canvas.py, ruler.py, velocity.py, keyboard.py    one strip each: what it paints, which gesture a
             press starts there
gestures.py  every drag as a started / moved / finished / canceled object
tools.py     the canvas's tools: which gesture a press starts, which mouse cursor shows
geometry.py  zoom and scroll; note_index.py the notes as numpy arrays
The state the strips share is ``composer_gui.ui.view_state.ViewState`` (no Qt); colours are in
``composer_gui.ui.style``.
"""

from .editor import PianoRoll

__all__ = ["PianoRoll"]
