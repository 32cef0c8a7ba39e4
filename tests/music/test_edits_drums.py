"""edits.drums_not_continued: the drum parts a continuation leaves silent in its new bars."""

from __future__ import annotations

from composer_gui.music.edits import apply_generated, drums_not_continued
from composer_gui.music.score import TPQ, Note, Part, Score

BAR = 4 * TPQ
BEATS = tuple(Note(i * TPQ, 36 if i % 2 == 0 else 38, TPQ // 2) for i in range(8))
BASS = tuple(Note(i * TPQ, 40, TPQ) for i in range(8))
NEW = [Note(2 * BAR + i * TPQ, 43, TPQ) for i in range(4)]


def test_a_drum_part_silent_after_a_continuation_is_found():
    score = Score(parts=(Part(BASS, name="Bass", program=33, channel=1),
                         Part(BEATS, name="Drums", channel=9, is_drum=True)))
    kept = apply_generated(score, NEW, 2 * BAR)
    assert drums_not_continued(kept, 2 * BAR) == [1]


def test_drums_that_play_on_or_stopped_long_before_are_not():
    playing_on = BEATS + tuple(Note(2 * BAR + i * TPQ, 42, TPQ // 2) for i in range(4))
    score = Score(parts=(Part(BASS, name="Bass"),
                         Part(playing_on, name="Drums", channel=9, is_drum=True)))
    assert drums_not_continued(apply_generated(score, NEW, 2 * BAR), 2 * BAR) == []
    intro = tuple(n for n in BEATS if n.start < TPQ)  # (drums in the first beat only)
    longer = tuple(Note(i * TPQ, 40, TPQ) for i in range(12))
    score = Score(parts=(Part(longer, name="Bass"),
                         Part(intro, name="Drums", channel=9, is_drum=True)))
    new = [Note(3 * BAR + i * TPQ, 43, TPQ) for i in range(4)]
    assert drums_not_continued(apply_generated(score, new, 3 * BAR), 3 * BAR) == []
    # (nothing new written: nothing to say)
    assert drums_not_continued(Score(parts=(Part(BASS), Part(BEATS, channel=9, is_drum=True))),
                               2 * BAR) == []
