"""Copy and paste of notes: the system clipboard (a JSON MIME type, so another Composer window
can paste) with an in-process copy as fallback for platforms without a clipboard. The fermatas
and chord symbols over the notes copied go with them."""

from __future__ import annotations

import atexit
import json
from collections.abc import Iterable

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

from composer_gui.music.edits import NoteKey
from composer_gui.music.score import ChordSymbol, Note

from .labels import plural

MIME = "application/x-composer-notes+json"


def to_mime(keys: list[NoteKey], fermatas: Iterable[int] = (),
            chords: Iterable[ChordSymbol] = ()) -> QMimeData:
    first = min(n.start for _, n in keys)
    # (the spelling, the words, the marks and grace notes go with a note: a chorale's soprano
    # pasted keeps its text, a reel's bars their bowings; and the fermatas and chord symbols
    # over the notes copied, a phrase end or a lead sheet's bar duplicated)
    data = {"notes": [[p, n.start - first, n.pitch, n.duration, n.velocity, n.spelling, n.lyric,
                       list(n.marks), list(n.graces)]
                      for p, n in keys],
            "fermatas": [t - first for t in fermatas],
            "chords": [[c.tick - first, c.text] for c in chords]}
    mime = QMimeData()
    mime.setData(MIME, json.dumps(data).encode())
    mime.setText(plural(len(keys), "note"))
    return mime


def from_mime(mime: QMimeData | None) -> list[NoteKey] | None:
    if mime is None or not mime.hasFormat(MIME):
        return None
    try:
        data = json.loads(bytes(mime.data(MIME)).decode())
        return [(int(row[0]), Note(int(row[1]), int(row[2]), int(row[3]), int(row[4]),
                                   *(x if isinstance(x, str) else None for x in row[5:7]),
                                   marks=_marks(row[7:8]),
                                   graces=tuple(int(g) for g in (row[8] if len(row) > 8 else ()))))
                for row in data["notes"] if 5 <= len(row) <= 9]
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def fermatas_from_mime(mime: QMimeData | None) -> list[int] | None:
    """The copied fermatas, relative to the first note copied (None: not our notes)."""
    if mime is None or not mime.hasFormat(MIME):
        return None
    try:
        return [int(t) for t in json.loads(bytes(mime.data(MIME)).decode()).get("fermatas", [])]
    except (ValueError, TypeError, AttributeError):
        return []


def chords_from_mime(mime: QMimeData | None) -> list[ChordSymbol] | None:
    """The copied chord symbols, relative to the first note copied (None: not our notes)."""
    if mime is None or not mime.hasFormat(MIME):
        return None
    try:
        rows = json.loads(bytes(mime.data(MIME)).decode()).get("chords", [])
        return [ChordSymbol(int(t), text) for t, text in rows if isinstance(text, str)]
    except (ValueError, TypeError, AttributeError):
        return []


class NoteClipboard:
    """Notes relative to the earliest one (it starts at 0), and the fermatas and chord
    symbols over them."""

    def __init__(self) -> None:
        self._local: list[NoteKey] = []
        self._local_fermatas: list[int] = []
        self._local_chords: list[ChordSymbol] = []

    def copy(self, keys: list[NoteKey], fermatas: Iterable[int] = (),
             chords: Iterable[ChordSymbol] = ()) -> None:
        if not keys:
            return
        mime = to_mime(keys, fermatas, chords)
        self._local = from_mime(mime) or []
        self._local_fermatas = fermatas_from_mime(mime) or []
        self._local_chords = chords_from_mime(mime) or []
        QGuiApplication.clipboard().setMimeData(mime)
        _clear_at_exit_where_needed()

    def notes(self) -> list[NoteKey]:
        found = from_mime(QGuiApplication.clipboard().mimeData())
        return found if found is not None else list(self._local)

    def fermatas(self) -> list[int]:
        found = fermatas_from_mime(QGuiApplication.clipboard().mimeData())
        return found if found is not None else list(self._local_fermatas)

    def chords(self) -> list[ChordSymbol]:
        found = chords_from_mime(QGuiApplication.clipboard().mimeData())
        return found if found is not None else list(self._local_chords)


_exit_hook_registered = False


def _clear_at_exit_where_needed() -> None:
    """Qt's offscreen platform (tests, CI, the self-test) segfaults at interpreter exit when its
    in-process clipboard still holds mime data; clear it first there. Real platforms (xcb tried)
    don't, and there the clipboard must outlive us for clipboard managers."""
    global _exit_hook_registered
    if _exit_hook_registered or QGuiApplication.platformName() not in ("offscreen", "minimal"):
        return
    _exit_hook_registered = True

    def clear() -> None:
        app = QGuiApplication.instance()
        if app is not None:
            QGuiApplication.clipboard().clear()

    atexit.register(clear)


def _marks(cell: list) -> tuple[str, ...]:
    """A row's marks (its eighth entry: a list of names), or none."""
    names = cell[0] if cell and isinstance(cell[0], list) else []
    return tuple(x for x in names if isinstance(x, str))
