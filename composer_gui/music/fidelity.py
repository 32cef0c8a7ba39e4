"""What an export lost: write a copy, read it back, and say in words how it differs.

MIDI keeps a Score exactly; notation (MusicXML) moves notes to its grid, maps instruments to its
own list and drops tempo changes after the last note. Rather than predict this, :func:`export`
reads the written file back with the same readers Open uses and :func:`losses` compares, so the
status bar reports what really happened to this score.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from .formats import kind_of, load_score, save_score
from .marks import PEDAL_MARKS, pedal_events
from .midi import modes_unkept
from .score import TPQ, Score


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _count_change(old: int, new: int, name: str) -> str:
    if new < old:
        return f"kept {new} of {_plural(old, name)}"
    if new > old:
        return f"has {_plural(new, name)} instead of {old}"
    return f"changed the {name}s"


def _unpedalled(marks: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(m for m in marks if m not in PEDAL_MARKS)


def _pedal(score: Score) -> set[tuple[int, bool]]:
    """When the sustain pedal goes down and up, in any part (the hands may share one)."""
    return {e for p in score.parts if any(n.marks for n in p.notes)
            for e in pedal_events([(n.start, n.end, n.marks) for n in p.notes])}


def _near(events: set[tuple[int, bool]], others: set[tuple[int, bool]]) -> bool:
    """Each of ``events`` is among ``others`` within a 32nd note (a pedal let up as its note
    ends, a note lengthened to its written value)."""
    return all(any(down == d and abs(tick - t) <= PEDAL_SLACK for t, d in others)
               for tick, down in events)


# (ticks: a 32nd note)
PEDAL_SLACK = TPQ // 8


def losses(original: Score, copy: Score, midi: bool = False) -> list[str]:
    """Short phrases for what ``copy`` (read back from an export) lacks or changed; each reads
    after "the copy" ("the copy moved 3 notes to the notation grid"). ``midi``: the copy is a
    MIDI file (which has no chord symbols: that is said, not found)."""
    out: list[str] = []
    before, after = original.notes, copy.notes
    timing = Counter((n.start, n.pitch, n.duration) for n in before)
    timing_after = Counter((n.start, n.pitch, n.duration) for n in after)
    if len(after) < len(before):
        out.append(f"left out {_plural(len(before) - len(after), 'note')}")
    elif len(after) > len(before):
        out.append(f"split notes into {_plural(len(after) - len(before), 'more note')}")
    moved = sum((timing - timing_after).values())
    if moved and len(after) >= len(before):
        out.append(f"moved {_plural(moved, 'note')} to the notation grid")
    full = Counter((n.start, n.pitch, n.duration, n.velocity) for n in before)
    full_after = Counter((n.start, n.pitch, n.duration, n.velocity) for n in after)
    loudness = sum((full - full_after).values()) - moved
    if loudness > 0 and len(after) == len(before):
        out.append(f"changed the velocity of {_plural(loudness, 'note')}")
    graced = Counter((n.pitch, n.graces) for n in before if n.graces)
    left = sum((graced - Counter((n.pitch, n.graces) for n in after if n.graces)).values())
    if left:
        out.append(f"{'left out' if not any(n.graces for n in after) else 'changed'} the "
                   f"grace notes of {_plural(left, 'note')}")
    # the pedal is compared as pedalled (its marks may move between the notes of one pedal:
    # a change and a press at one tick read back as two changes; a trial's export was said to
    # have changed the "slurs, articulations, ornaments, dynamics" of two notes)
    marked = Counter((n.pitch, _unpedalled(n.marks)) for n in before if _unpedalled(n.marks))
    lost = sum((marked - Counter((n.pitch, _unpedalled(n.marks)) for n in after
                                 if _unpedalled(n.marks))).values())
    if lost:
        out.append(f"{'left out' if not any(n.marks for n in after) else 'changed'} the "
                   f"marks (slurs, articulations, ornaments, dynamics) of "
                   f"{_plural(lost, 'note')}")
    pedalled, pedalled_after = _pedal(original), _pedal(copy)
    if pedalled and not (_near(pedalled, pedalled_after) and _near(pedalled_after, pedalled)):
        out.append(f"{'left out' if not pedalled_after else 'changed'} the sustain pedal")
    for name, old, new in (("tempo mark", original.tempos, copy.tempos),
                           ("time signature", original.time_signatures, copy.time_signatures),
                           ("key signature", original.key_signatures, copy.key_signatures)):
        if old != new and name == "key signature" and midi and modes_unkept(original):
            # (a church mode: what MIDI writes for it, said; "the copy wrote D dorian as ...")
            out += [f"wrote {said.replace(' is written as ', ' as ', 1)}"
                    for said in modes_unkept(original)]
        elif old != new:
            out.append(_count_change(len(old), len(new), name))
    chords, chords_after = original.chord_symbols, copy.chord_symbols
    if chords and midi:
        out.append(f"left out the {_plural(len(chords), 'chord symbol')} (MIDI has none)")
    elif chords != chords_after:
        kept = len(set(chords) & set(chords_after))
        out.append(f"kept {kept} of {_plural(len(chords), 'chord symbol')} as they were"
                   if kept < len(chords) else _count_change(len(chords), len(chords_after),
                                                            "chord symbol"))
    if len(copy.parts) != len(original.parts):
        out.append(_count_change(len(original.parts), len(copy.parts), "part"))
    else:
        for number, (a, b) in enumerate(zip(original.parts, copy.parts, strict=True), start=1):
            label = repr(a.name) if a.name else f"part {number}"
            if a.program != b.program and not a.is_drum:
                out.append(f"gave {label} MIDI program {b.program} instead of {a.program}")
            if a.name and a.name != b.name:  # an unnamed part may be named by the copy
                out.append(f"renamed {label} to {b.name!r}")
            if midi and a.transposition != (0, 0):  # (said, as the chord symbols are)
                out.append(f"left out the transposition of {label}: MIDI has none, and "
                           "another program reads the part at concert pitch")
    if original.title and original.title != copy.title:
        # (an untitled score's copy is named after its file by the reader: no change made)
        out.append("changed the title")
    return out


def export(score: Score, path: str | Path, notes: list[str] | None = None) -> list[str]:
    """Write ``score`` to ``path`` (by its extension, atomically), read it back and return what
    it lost (empty: nothing). A copy that can't be read back is reported, not raised. What the
    writer itself had to change (notation's grid) goes to ``notes``."""
    save_score(score, path, notes)
    try:
        copy = load_score(path, [])
    except Exception as exc:  # the export itself worked; only the check failed
        return [f"could not read the file back to check it ({exc})"]
    return losses(score, copy, midi=kind_of(path) == "midi")
