"""Is a folder enough music to train on? The warning shown before training starts.

The threshold is measured, not guessed: ``bench/train_data_amount.py`` trained the small preset
(REMI, the folder default, early stopping, at most 60 s) on the first 5 / 20 / 80 pieces of two
real corpora exported to MIDI and scored each model and the best n-gram fitted on the same
pieces on 20 further pieces (docs/training.md quotes the table). Below ``NGRAM_NOTES`` notes the
LSTM lost to the n-gram on both corpora.
"""

from __future__ import annotations

from collections.abc import Sequence

# measured (bench/train_data_amount.py): see the module docstring
NGRAM_NOTES = 20_000
MEASURED = ("measured on Bach chorales and fiddle tunes: with 80 pieces (about 16,000 notes) the "
            "small model was still behind a 4-gram on new pieces")


def assess(files: Sequence[dict]) -> dict:
    """Files (corpora's ``file`` events) -> counts, whether anything is usable, whether it is
    enough music, and one message for the user."""
    used = [f for f in files if f.get("pieces")]
    notes = sum(int(f.get("notes") or 0) for f in used)
    pieces = sum(int(f.get("pieces") or 0) for f in used)
    skipped = len(files) - len(used)
    enough = notes >= NGRAM_NOTES
    if not used:
        message = (f"None of the {len(files)} file(s) holds music to learn from; the table "
                   "says why for each.")
    elif enough:
        message = (f"{len(used)} file(s), {pieces} piece(s), {notes:,} notes"
                   + (f" ({skipped} skipped)" if skipped else "") + ": enough to start.")
    else:
        message = (f"Only {notes:,} notes in {len(used)} file(s)"
                   + (f" ({skipped} skipped)" if skipped else "")
                   + f". A model needs roughly {NGRAM_NOTES:,} notes or more before it predicts "
                   f"new music better than a simple n-gram count ({MEASURED}). With less it "
                   "mostly memorises these pieces. You can still train it.")
    return {"usable": bool(used), "enough": enough, "files": len(files), "used": len(used),
            "skipped": skipped, "pieces": pieces, "notes": notes, "needed_notes": NGRAM_NOTES,
            "message": message}
