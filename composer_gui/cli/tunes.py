"""``--tune N``: which tune of an ABC collection a command reads (convert, generate)."""

from __future__ import annotations

import argparse


def tune_number(text: str) -> int:
    """The 0-based index of ``--tune N`` (N counts from 1, as ABC's X: fields and the window's
    list do); argparse reports a bad value with the option's name."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a tune number from 1, not {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"a tune number from 1, not {n}")
    return n - 1
