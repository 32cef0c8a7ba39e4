"""The one home for how the app words counts and keys in its labels and undo texts.

"1 note", "3 notes"; "A major", not the file format's "A:major". Free of Qt.
"""

from __future__ import annotations

from composer_gui.music.score import TPQ, VALUE_NAMES, KeySignature


def plural(n: int, word: str, many: str | None = None) -> str:
    """``n`` and ``word``, with the plural form (``many``, default word + "s") unless n is 1."""
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def part_label(name: str, index: int) -> str:
    """A part as the window names it: its name, or "Part N" (from 1) for an unnamed one."""
    return name or f"Part {index + 1}"


def key_label(key: KeySignature | None) -> str:
    """A key as people write it: "A major", "F# minor", "D Dorian" ("No key" for None)."""
    if key is None:
        return "No key"
    return f"{key.tonic_name} {key.mode if key.mode in ('major', 'minor') else key.mode.title()}"


def length_label(ticks: int) -> str:
    """A short length in words: "a quarter", "a dotted quarter", "3 eighths"."""
    if ticks in (TPQ // 4, TPQ // 2, TPQ, 3 * TPQ // 2, 2 * TPQ, 3 * TPQ):
        name = VALUE_NAMES[ticks]
        return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"
    return plural(ticks * 2 // TPQ, "eighth") if ticks % (TPQ // 2) == 0 \
        else plural(ticks * 4 // TPQ, "sixteenth")

