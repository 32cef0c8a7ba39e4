"""Is a folder enough music to train on? The warning shown before training starts.

The threshold comes from measurements on this machine (README, "Train your own"):
``bench/train_data_amount.py`` trained the small preset (REMI, the folder default, early
stopping, 60 s of training each) on 5 / 20 / 80 pieces of two real corpora exported to MIDI (up to
22,070 notes) and scored each model and the best n-gram fitted on the same pieces on 20 further
pieces: the n-gram won every time, by 24% to 504% in perplexity. The 92-file piano folder of
Classical-Piano-Composer (81,215 notes, tiny preset, 169 s) also lost to a 3-gram (perplexity 33.6
against 27.1). The one REMI model of this project that beat the n-gram (folk-melodies before the
voice grid, commit 239251f: 21% below the 5-gram) saw about 2,400 tunes, 849,000 training tokens,
for 97 minutes. Hence the round figure below: under it, expect the n-gram to win.
"""

from __future__ import annotations

from collections.abc import Sequence

NGRAM_NOTES = 100_000
MEASURED = ("measured here: with up to 81,000 notes (5 to 92 pieces of chorales, fiddle tunes "
            "or piano music) the model still predicted new pieces worse than the n-gram; this "
            "project's fiddle-tune model beat it with about 2,400 tunes")


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
                   + f". Expect to need {NGRAM_NOTES:,} notes or more (a few hundred pieces) "
                   f"before a model predicts new music better than a simple n-gram count "
                   f"({MEASURED}). With less it mostly imitates these pieces. You can still "
                   "train it.")
    return {"usable": bool(used), "enough": enough, "files": len(files), "used": len(used),
            "skipped": skipped, "pieces": pieces, "notes": notes, "needed_notes": NGRAM_NOTES,
            "message": message}
