"""Pure music data and file formats. Never imports Qt or TensorFlow."""

from .errors import ScoreFileError
from .formats import load_score, save_score, summary
from .score import TPQ, KeySignature, Note, Part, Score, TempoChange, TimeSignature

__all__ = [
    "TPQ",
    "KeySignature",
    "Note",
    "Part",
    "Score",
    "ScoreFileError",
    "TempoChange",
    "TimeSignature",
    "load_score",
    "save_score",
    "summary",
]
