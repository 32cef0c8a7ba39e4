"""The part-writing rules of the voice sampler (docs/voices.md): masks that bar the pitches a
voice may not take next (parallels, leaps, doublings, clashes, cross-relations, sevenths that
must fall, half-beat notes that must move on by step) and costs that bias its logits (leaps,
held basses, seventh chords), plus the passing eighths written after a beat.

Each mask function narrows ``mask`` ([rows, vocab] booleans of the allowed tokens) in place and
yields where it would leave a row no pitch: a rule never silences a voice. The switches and
weights here are read at call time, so a test or a bench sets them on this module.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence

import numpy as np

from composer_gui.ml import limits
from composer_gui.ml.harmony_tables import (
    BARE_ROOT,
    CHORD_QUALITY,
    CHORD_ROOT,
    DIMINISHED_ROOT,
    DOMINANT_ROOT,
    DOMINANT_SEVENTH_OF,
    EXTENDABLE,
    IN_TRIAD,
    IS_CHORD,
    LEADING_TONE,
    PC_BIT,
    QUALITIES,
    SEVENTH_OF,
    TRIAD_ROOT,
    pitch_class_bits,
    where_quality,
)
from composer_gui.ml.voices import HOLD, REST
from composer_gui.music import analysis
from composer_gui.music.score import MAJOR_SCALE, KeySignature, Note

# ----- style rules ---------------------------------------------------------------------------
NO_SIX_FOUR = True  # _style_mask: the bass is not the fifth of the triad on a beat
# ... nor the fifth of a diminished triad (B D F over F: a dominant seventh without its root, the
# seventh in the bass). Beat chords of the test pieces (a scratch count): Bach's continuations 0
# of 852, his harmonizations 4 of 2,141; the model's 50 of 1,195 and 112 of 4,390, and an
# eighteenth listening review heard one in every continuation
NO_DIMINISHED_FIFTH_BASS = True


def _lowest_mask(mask: np.ndarray, above: np.ndarray, held: np.ndarray, cand: np.ndarray,
                 pitch_offset: int) -> None:
    """The bass sounds lowest: it strikes no note above a voice written above it (``above``,
    [rows, voices], -1: silent) and holds no note above one. The voices above are written
    first, and a tenor that went below a held bass became the texture's bass: a hidden
    crossing that made the soprano and the tenor outer voices in fifths (a harmonized test
    melody, E4/A3 -> D4/G3 over a held A3). Bach's bass is the lowest voice at all but a few
    onsets. A row left without a note keeps its mask."""
    lowest = np.where(above >= 0, above, 10_000).min(axis=1)
    keep = _narrow(mask, cand[None, :] <= lowest[:, None], pitch_offset)
    mask[keep & (held > lowest), HOLD] = False


def _between_mask(mask: np.ndarray, ceiling: np.ndarray, floor: np.ndarray, held: np.ndarray,
                  cand: np.ndarray, pitch_offset: int) -> None:
    """A voice written over a given voice (a bass kept as the composer wrote it, a part not
    rewritten) stays between the voice above it (``ceiling``) and the highest given voice
    below (``floor``; their pitches now, -1: silent), struck or held. A review heard a tenor
    sing under a kept bass line for a bar; with the inner voices bound to complete the chord
    over it, the tenor crossed the alto at 102 of 3,871 onsets (bench/kept_bass.py). A row
    left without a note keeps its mask."""
    top = np.where(ceiling >= 0, ceiling, 10_000)
    low = np.where(floor >= 0, floor, -1)
    if not ((ceiling >= 0) | (floor >= 0)).any():
        return
    keep = _narrow(mask, (cand[None, :] >= low[:, None]) & (cand[None, :] <= top[:, None]),
                   pitch_offset)
    mask[keep & (held >= 0) & ((held < low) | (held > top)), HOLD] = False


def _together_mask(mask: np.ndarray, together: np.ndarray, limit: np.ndarray,
                   attacked: np.ndarray, kept_on: np.ndarray, pitch_offset: int) -> None:
    """Rows where a phrase end's chord stands (``together``): once a voice above struck in this
    frame (``attacked``), or the chord has stood its time (``limit``), this voice strikes too;
    while a voice above holds (``kept_on``), it holds. Where the voice cannot (nothing to hold,
    or no pitch allowed) the rule yields."""
    strike = together & (attacked | limit) & mask[:, pitch_offset:].any(axis=1)
    mask[strike, HOLD] = False
    mask[strike, REST] = False
    hold = together & kept_on & ~attacked & ~limit & mask[:, HOLD]
    mask[hold] = False
    mask[hold, HOLD] = True


def _new_pitch_mask(mask: np.ndarray, rows: np.ndarray, sounding: np.ndarray, pitch_offset: int,
                    min_pitch: int) -> None:
    """In ``rows``, bar striking the pitch the voice sounds, where another pitch stays allowed."""
    r = np.flatnonzero(rows & (sounding >= 0))
    if not len(r):
        return
    col = sounding[r] - min_pitch + pitch_offset
    ok = (col >= pitch_offset) & (col < mask.shape[1])
    r, col = r[ok], col[ok]
    other = mask[r, pitch_offset:].sum(axis=1) > mask[r, col]
    mask[r[other], col[other]] = False


def _narrow(mask: np.ndarray, allowed: np.ndarray, pitch_offset: int) -> np.ndarray:
    """Keep only the ``allowed`` pitch tokens ([rows or 1, pitches]) in each row of ``mask``,
    except in a row it would leave with no pitch: there the rule yields. The rows narrowed."""
    block = mask[:, pitch_offset:pitch_offset + allowed.shape[1]]
    narrowed = block & allowed
    keep = narrowed.any(axis=1)
    block[keep] = narrowed[keep]
    return keep


def _narrow_held(mask: np.ndarray, allowed: np.ndarray, held: np.ndarray, cand: np.ndarray,
                 pitch_offset: int) -> None:
    """:func:`_narrow` to ``allowed``, and where it narrowed, a note ``held`` from before ([rows],
    -1: none) is held on only where its pitch is allowed too."""
    keep = _narrow(mask, allowed, pitch_offset)
    fits = np.zeros(len(held), bool)
    inside = (held >= cand[0]) & (held <= cand[-1])
    fits[inside] = allowed[np.flatnonzero(inside), held[inside] - cand[0]]
    mask[keep & (held >= 0) & ~fits, HOLD] = False


def _no_bass_seventh(mask: np.ndarray, rows: np.ndarray, above: np.ndarray, held: np.ndarray,
                     cand: np.ndarray, pitch_offset: int, falls_to: int = -1) -> None:
    """In ``rows`` ([rows] bool), the bass takes no note that is the seventh of the chord it
    makes with the voices ``above`` ([rows, voices]), and holds none (``held``: its note, -1:
    none), but one a step above ``falls_to`` (a pitch class, -1: none). A row left without a
    note keeps its mask."""
    if not rows.any():
        return
    table = _seventh_table()
    pcs = cand % 12
    merged = pitch_class_bits(above)[:, None] | (1 << pcs)[None, :]
    into = np.isin((pcs - falls_to) % 12, (1, 2)) if falls_to >= 0 else np.zeros(len(pcs), bool)
    allowed = ~rows[:, None] | (table[merged] != pcs[None, :]) | into[None, :]
    _narrow_held(mask, allowed, held, cand, pitch_offset)


def _major_sevenths() -> np.ndarray:
    """For each set of pitch classes (a 12-bit mask): the pitch class of its major seventh when
    it is a major-seventh chord (root, third and seventh, with or without the fifth), else -1."""
    out = np.full(4096, -1)
    for root in range(12):
        for steps in ((0, 4, 7, 11), (0, 4, 11)):
            out[sum(1 << ((root + x) % 12) for x in steps)] = (root + 11) % 12
    return out


MAJOR_SEVENTH_OF = _major_sevenths()


def _outer(cur: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Highest and lowest sounding pitch per row (-1 where nothing sounds)."""
    sounding = cur >= 0
    top = np.where(sounding, cur, -1).max(axis=1)
    bottom = np.where(sounding, cur, 10_000).min(axis=1)
    return top, np.where(bottom == 10_000, -1, bottom)


# No hidden (direct) fifth or octave between the outer voices where the top voice leaps: both
# moving the same way into a perfect interval, the top by more than a step (_style_mask). A
# listening review counted 14 in the continuations and harmonizations it read (Bach about 4).
# bench/voice_leaps.py, per 8 bars, test: continued 0.78 -> 0.10, harmonized 0.48 -> 0.04 (Bach
# 0.28, 0.18); val 0.75 -> 0.15, 0.54 -> 0.08 (Bach 0.28, 0.20).
NO_HIDDEN_PERFECTS = True


def _bass_shape_ok(chord: np.ndarray, bass: np.ndarray) -> np.ndarray:
    """Whether the bass on pitch class ``bass`` under the pitch classes ``chord`` (12-bit sets,
    the bass's own included; broadcast together) makes no diminished triad in root position or
    with its fifth in the bass (:data:`NO_DIMINISHED_FIFTH_BASS`) nor a six-four chord, the bass
    on the fifth (:data:`NO_SIX_FOUR`): the beat-chord rule's shapes for the bass."""
    ok = DIMINISHED_ROOT[chord] != bass
    if NO_DIMINISHED_FIFTH_BASS:
        ok &= (DIMINISHED_ROOT[chord] < 0) | ((DIMINISHED_ROOT[chord] + 6) % 12 != bass)
    if NO_SIX_FOUR:
        root = TRIAD_ROOT[chord]
        ok &= (root < 0) | ((root + 7) % 12 != bass)
    return ok


def _style_mask(mask: np.ndarray, i: int, n: int, cur: np.ndarray, outer: np.ndarray,
                cand: np.ndarray, pitch_offset: int, on_beat: bool,
                before: np.ndarray | None = None, bare: np.ndarray | None = None,
                given: tuple[np.ndarray, bool] | None = None) -> None:
    """The chorale style rules, applied to the last two voices' new notes (their tokens come
    last in a frame, so the voices above are known):

    * the lowest voice makes no parallel fifth or octave with the highest (both moving the same
      way from the last onset into the same perfect interval);
    * nor a hidden fifth or octave where the highest leaps (both moving the same way into a
      fifth or octave, the highest by more than a step: :data:`NO_HIDDEN_PERFECTS`);
    * on a beat, the second-lowest voice keeps the upper voices' pitch classes within one triad
      or seventh chord, and the lowest completes one;
    * the lowest makes no major-seventh chord (I7, IV7) unless its seventh is prepared: sounded
      by the same voice at the last onset (``before``). Bach's beat chords are such chords 1.25%
      of the time, mostly as suspensions; the held-out melodies harmonized 5.7%, and a fourth
      listening review heard the unprepared ones as clashes;
    * the lowest is not the root of a diminished triad (vii°, ii° in minor): Bach writes them in
      first inversion, root position on 9 of the 2,050 beat chords of the test chorales; the
      harmonized melodies had 69 of 4,364, and a sixth listening review heard root-position
      vii° twice in one hymn;
    * nor the fifth of a major or minor triad (a six-four chord, :data:`NO_SIX_FOUR`): 2.6% of
      Bach's complete beat triads in the test chorales (43 of 1,645), 9.5% of the harmonized
      melodies' (288 of 3,031), and an eighth listening review heard V6/4 on a downbeat and
      phrase ends on vi6/4.

    In the rows ``bare`` ([rows] bool; a phrase end's: BARE_CLOSES) a root and its third alone
    over the root count as a chord too.

    ``given`` (the pitch-class bits [rows] of given voices below, a kept bass line; and
    whether every voice below ``i`` is given): they count among the chord's notes, and where
    no voice below is left to write, voice ``i`` completes the chord (the bass's rules about
    its own shape stay with a written bass).

    A row where the rules would leave no note keeps its mask as it was (the rules yield, the
    grammar never does). HOLD and REST are never barred: a suspension is a held dissonance."""
    rows = mask.shape[0]
    pcs_bits = 1 << (cand % 12)
    above = pitch_class_bits(cur[:, :i])
    if given is not None:
        above = above | given[0]
    allowed = np.ones((rows, len(cand)), bool)
    if on_beat:
        merged = above[:, None] | pcs_bits[None, :]
        table = IS_CHORD if i == n - 1 or (given is not None and given[1]) else EXTENDABLE
        ok = table[merged] | (merged == pcs_bits[None, :])
        if bare is not None and i == n - 1:
            ok |= bare[:, None] & (BARE_ROOT[merged] == (cand % 12)[None, :])
        allowed &= ok
        if i == n - 1 and before is not None:
            kept = np.zeros(rows, np.int64)  # pitch classes the voices above sounded before too
            for j in range(i):
                same = (cur[:, j] >= 0) & (cur[:, j] == before[:, j])
                kept[same] |= 1 << (cur[same, j] % 12)
            seventh = MAJOR_SEVENTH_OF[merged]
            prepared = (kept[:, None] >> np.maximum(seventh, 0)) & 1
            allowed &= (seventh < 0) | (prepared == 1)
        if i == n - 1:
            allowed &= _bass_shape_ok(merged, (cand % 12)[None, :])
    if i == n - 1:
        top_now = np.where(cur[:, :i] >= 0, cur[:, :i], -1).max(axis=1)
        prev_top, prev_bottom = outer[:, 0], outer[:, 1]
        known = (top_now >= 0) & (prev_top >= 0) & (prev_bottom >= 0) & (top_now != prev_top)
        interval_before = (prev_top - prev_bottom) % 12
        parallel = known & ((interval_before == 0) | (interval_before == 7))
        # a hidden fifth or octave: into one under a leaping top voice (NO_HIDDEN_PERFECTS)
        hidden = known & (np.abs(top_now - prev_top) > 2) & NO_HIDDEN_PERFECTS
        if (parallel | hidden).any():
            interval = (top_now[:, None] - cand[None, :]) % 12
            into = (parallel[:, None] & (interval == interval_before[:, None])) | \
                (hidden[:, None] & np.isin(interval, (0, 7)))
            # the same way as the top voice, which moved (a bass that stays moves no way)
            same_way = np.sign(cand[None, :] - prev_bottom[:, None]) == \
                np.sign(top_now - prev_top)[:, None]
            allowed &= ~(into & same_way)
    _narrow(mask, allowed, pitch_offset)


def _parallels_mask(mask: np.ndarray, i: int, cur: np.ndarray, chord: np.ndarray,
                    cand: np.ndarray, pitch_offset: int, seam: np.ndarray | None,
                    below: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """No consecutive fifths or octaves between any two voices (Bach's rule for every pair, not
    only the outer voices): voice ``i``'s new note may not move, while a voice above it moves
    now, from a perfect fifth or octave (compound or not) at the last onset (``chord``) into the
    same interval: in parallel, nor by contrary motion (a listening review found the octave-
    displaced fifths and octaves, with bass leaps of a seventh, where only parallel ones were
    barred). On a region's last beat (``seam``: each voice's kept
    note after the region, -1 for none) the step into the kept chord is checked the same way.
    Voices below ``i`` are checked when they are written (each pair once, at its lower voice);
    a given voice below (a kept bass, a part not rewritten) is written by no rule, so ``below``
    ([rows, k] its new pitches, [rows, k] those at the last onset) is checked here.
    There a note held from before the last beat that would move in parallel into the kept chord
    is not held on: it moves now, to a note that does not. A row left without a note keeps its
    mask."""
    rows = mask.shape[0]
    # the voices above at once: [rows, i] (and [rows, i, pitches] where a pair is checked)
    now, before, before_i = cur[:, :i], chord[:, :i], chord[:, i]
    if below is not None:
        now, before = np.concatenate([now, below[0]], axis=1), \
            np.concatenate([before, below[1]], axis=1)
    interval = np.abs(before_i[:, None] - before) % 12
    check = (now >= 0) & (before >= 0) & (before_i >= 0)[:, None] & (now != before) & \
        ((interval == 0) | (interval == 7))
    if check.any():
        same = (np.abs(cand[None, None, :] - now[:, :, None]) % 12) == interval[:, :, None]
        allowed = ~((check[:, :, None] & same).any(axis=1)
                    & (cand[None, :] != before_i[:, None]))
    elif seam is None:
        return  # nothing to bar
    else:
        allowed = np.ones((rows, len(cand)), bool)
    held_bad = np.zeros(rows, bool)  # the note voice i holds steps in parallel into the seam
    for j in range(i if seam is not None else 0):
        now_j = cur[:, j]
        if seam[i] >= 0 and seam[j] >= 0:
            into = abs(int(seam[i]) - int(seam[j])) % 12
            if into in (0, 7):
                # the kept chord after the region: voice j steps from now_j to seam[j]
                moving = (now_j >= 0) & (now_j != seam[j])
                same = (np.abs(cand[None, :] - now_j[:, None]) % 12) == into
                allowed &= ~(moving[:, None] & same & (cand != seam[i])[None, :])
                held = cur[:, i]
                held_bad |= (moving & (held >= 0) & (held != seam[i])
                             & (np.abs(held - now_j) % 12 == into))
    keep = _narrow(mask, allowed, pitch_offset)
    mask[held_bad & keep, HOLD] = False


def _root_parallels_mask(mask: np.ndarray, before_i: np.ndarray, before_bass: np.ndarray,
                         root: int, cand: np.ndarray, pitch_offset: int) -> None:
    """On a cadence chord, whose root the bass will take (``_cadence_mask``), an inner voice
    makes no consecutive fifth or octave with that bass: the bass is written after the voices
    above it, and where its root was the only note left the pair rule yielded (with the phrase
    closes of a harmonized melody, parallels between any two voices went from 0.16 to 0.38 per
    8 bars on the evaluation's chorale melodies). A row left without a note keeps its mask."""
    interval = (before_i - before_bass) % 12
    check = (before_i >= 0) & (before_bass >= 0) & (before_bass % 12 != root) & \
        ((interval == 0) | (interval == 7))
    if not check.any():
        return
    same = ((cand[None, :] - root) % 12) == interval[:, None]
    moved = cand[None, :] != before_i[:, None]
    _narrow(mask, ~(check[:, None] & same & moved), pitch_offset)


def _unison_mask(mask: np.ndarray, i: int, others: list[int], cur: np.ndarray,
                 cand: np.ndarray, pitch_offset: int) -> None:
    """Voices written into one part (a piano part split into voices) do not strike a pitch
    another of them sounds, nor hold one another has just struck: one part holds one note per
    pitch, and MIDI cannot keep the two apart (the file read back lost one; the self-test's
    piano sketch found it)."""
    sounding = cur[:, others]  # [rows, others]; -1: silent
    taken = (cand[None, :, None] == sounding[:, None, :]).any(axis=2)
    keep = _narrow(mask, ~taken, pitch_offset)
    mine = cur[:, i]
    struck = (mine >= 0) & (sounding == mine[:, None]).any(axis=1)
    mask[struck, HOLD] = False
    if UNISON_HELD_OR_RESTED:  # (where the rules above left the voice that key alone)
        stuck = ~keep & (mask[:, HOLD] | mask[:, REST])
        block = mask[:, pitch_offset:pitch_offset + len(cand)]
        block[stuck] &= ~taken[stuck]


# ... and where the other rules leave a voice no other note, it holds its note or rests rather
# than strike the key another voice of its part sounds: a re-review (session 83) found a
# piano's rewritten right hand strike G4 in its soprano and alto at once, one copy engraved in
# the left hand's staff, in 1 of 15 regions
UNISON_HELD_OR_RESTED = True


def _doubling_mask(mask: np.ndarray, i: int, cur: np.ndarray, cand: np.ndarray,
                   pitch_offset: int, leading: int | np.ndarray) -> None:
    """On a beat, voice ``i`` does not strike or hold the leading tone (``leading``, a pitch
    class of the normalized key) while a voice above sounds it: a doubled leading tone has
    nowhere to go but in octaves or away from its resolution (a fifth listening review heard
    V6 chords with it doubled, followed by consecutive octaves). Held below one struck above
    was the way most of those left came (the harmonized test melodies: 12 of 4,752 beats).
    ``leading`` may be one per row (a planned close's key: TONAL_PLAN). A row left without a
    note keeps its mask."""
    lead = np.broadcast_to(np.asarray(leading), (cur.shape[0],))
    above = ((cur[:, :i] >= 0) & (cur[:, :i] % 12 == lead[:, None])).any(axis=1)
    _bar_doubling(mask, i, cur, cand, pitch_offset, np.where(above, 1 << lead, 0))


def _bar_doubling(mask: np.ndarray, i: int, cur: np.ndarray, cand: np.ndarray,
                  pitch_offset: int, bits: np.ndarray) -> None:
    """Voice ``i`` neither strikes nor holds the pitch classes ``bits`` ([rows], 12-bit sets)
    that a voice above sounds (:func:`_doubling_mask`, :func:`_raised_doubling_mask`). A row
    left without a note keeps its mask."""
    if not bits.any():
        return
    keep = _narrow(mask, ((bits[:, None] >> (cand[None, :] % 12)) & 1) == 0, pitch_offset)
    mine = cur[:, i]
    mask[keep & (mine >= 0) & (((bits >> (np.maximum(mine, 0) % 12)) & 1) == 1), HOLD] = False


def _raised_doubling_mask(mask: np.ndarray, i: int, cur: np.ndarray, cand: np.ndarray,
                          pitch_offset: int, minor: bool) -> None:
    """On a beat, voice ``i`` does not strike or hold a raised note (:data:`CHROMATIC_WAYS`
    +1: F# or C# in C major, a secondary leading tone) that a voice above sounds: it leads up
    by step, and doubled it goes in octaves or one voice leaves it the wrong way (a listening
    review heard A#4 and A#3 together in E major). The harmonized test melodies x 2 doubled one
    on 24 of 5,004 beats, Bach on 2 of 2,502 (the key's own leading tone: :func:`_doubling_mask`).
    A row left without a note keeps its mask."""
    raised = CHROMATIC_WAYS[minor] == 1
    above = cur[:, :i]
    pcs = np.maximum(above, 0) % 12
    _bar_doubling(mask, i, cur, cand, pitch_offset,
                  np.bitwise_or.reduce(np.where((above >= 0) & raised[pcs], 1 << pcs, 0), axis=1))


def _half_beat_doubling_mask(mask: np.ndarray, i: int, cur: np.ndarray, cand: np.ndarray,
                             pitch_offset: int, leading: int) -> None:
    """On a half beat, voice ``i`` does not strike the leading tone while any other voice
    sounds it: the voices below, written after it, mostly hold there (a seventh listening
    review found the alto leaping onto D#4 over the bass's held D#3 in E major). A row left
    without a note keeps its mask."""
    others = np.delete(cur, i, axis=1)
    sounded = ((others >= 0) & (others % 12 == leading)).any(axis=1)
    if sounded.any():
        _narrow(mask, ~(sounded[:, None] & (cand[None, :] % 12 == leading)), pitch_offset)


def _below_mask(mask: np.ndarray, above: np.ndarray, cand: np.ndarray, pitch_offset: int
                ) -> None:
    """A note struck on a half beat lies no higher than the voice above sounds (``above``,
    -1: silent): an eighth review heard an alto step over the soprano between two beats,
    a cluster F4/G4 under nothing. A row left without a note keeps its mask."""
    _narrow(mask, (above[:, None] < 0) | (cand[None, :] <= above[:, None]), pitch_offset)


def _mode_degrees(key: KeySignature | None, score_pitches: np.ndarray, pitch_offset: int
                  ) -> tuple[np.ndarray | None, np.ndarray | None]:
    """For a church mode: (pitch tokens of the degrees its family's scale has and the mode
    alters, pitch tokens of the mode's degrees a semitone away that replace them), or (None,
    None). The models know major and minor; in G Mixolydian (normalized as a major key) the
    model's F# is the seventh degree, which the mode sounds as F, and in D Dorian its B-flat is
    the sixth, sounded as B. The mask removes F#; the sampler hands its probability to F, so the
    mode's seventh is written as often as the model wants a seventh. Continuations of held-out
    Mixolydian tunes put 1.2% of their notes on the flat seventh without this, 4.1% with it (the
    tunes themselves 13.9%); Dorian ones 1.0% -> 2.6% on the natural sixth (5.4%;
    ``bench/modal_degrees.py``)."""
    if key is None or key.quality == key.mode:
        return None, None
    # the family key's seven (its signature's: natural minor), not scale_pcs, which adds the
    # minor key's raised sixth and seventh
    home = KeySignature.from_tonic(key.tonic_pc, key.quality).sharps * 7
    family = {(home + x) % 12 for x in MAJOR_SCALE}
    mode = key.scale_pcs()
    # each altered degree's pitch class -> the semitone step to the mode's own
    step = {f: d for f in family - mode for d in (-1, 1)
            if (f + d) % 12 in mode and (f + d) % 12 not in family}
    src, dst = [], []
    for i, p in enumerate(score_pitches):  # consecutive pitches: index i + d is pitch p + d
        d = step.get(int(p) % 12)
        if d is not None and 0 <= i + d < len(score_pitches):
            src.append(pitch_offset + i)
            dst.append(pitch_offset + i + d)
    if not src:
        return None, None
    return np.array(src), np.array(dst)


# Every seventh chord's seventh falls, not only a dominant seventh's: a tenth listening review
# found 33 of 75 beat sevenths of continuations unresolved (Bach 2 of 22), ii7, vi7 and iii7 among
# them
ALL_SEVENTHS_FALL = True


def _seventh_table() -> np.ndarray:
    """[set of pitch classes]: the seventh that must fall (:data:`ALL_SEVENTHS_FALL`: of any
    seventh chord, else of a dominant seventh), -1 for none."""
    return SEVENTH_OF if ALL_SEVENTHS_FALL else DOMINANT_SEVENTH_OF


def _chord_sevenths(chord: np.ndarray) -> np.ndarray:
    """Per row of ``chord`` ([rows, voices], -1: silent): the seventh's pitch class when every
    voice sounds and the chord is a dominant seventh (any seventh chord with
    :data:`ALL_SEVENTHS_FALL`), else -1."""
    seventh = _seventh_table()[pitch_class_bits(chord)]
    return np.where((chord >= 0).all(axis=1), seventh, -1)


def _owed_sevenths(owed: np.ndarray, cur: np.ndarray, struck: np.ndarray) -> np.ndarray:
    """After a frame: each voice's seventh still to fall ([rows, voices], its pitch, -1: none).
    A voice that moved to another pitch has paid its debt; a voice that sounds the seventh of
    the chord sounding now owes one. Until session 28 only the chord of the last onset was
    read, so a seventh held while another voice moved (a passing eighth, the bass) was free to
    rise: in the harmonized test melodies (x 2) the written voices let 87 V7 sevenths and 169
    others rise."""
    owed = np.where(struck & (cur != owed), -1, owed)
    seventh = _chord_sevenths(cur)[:, None]
    return np.where((seventh >= 0) & (cur >= 0) & (cur % 12 == seventh), cur, owed)


# A voice that owes a seventh's fall strikes it this many times at most (then it falls or
# holds): striking it again and again, the continued test openings' alto struck 15.7% of its
# notes 3+ times in a row (10.4% before the seventh was carried; Bach 9.9%)
OWED_STRIKES = 2
# A seventh two voices owe in unison (D5 in soprano and alto) is resolved once a voice above
# falls from it in this frame: the other need not fall to the same note (a unison the rules
# bar), which had left a continuation's alto only D5 again under the soprano's C5 at a phrase
# end, no triad, and the phrase ran on 24 beats
SHARED_SEVENTH_RESOLVED = True


def _still_owed(owed: np.ndarray, cur: np.ndarray, i: int) -> np.ndarray:
    """[rows]: the seventh voice ``i`` still owes a fall (-1: none): its ``owed`` pitch, unless
    a voice above that owed the same pitch has fallen from it in this frame (``cur``, the
    voices above already written; SHARED_SEVENTH_RESOLVED)."""
    mine = owed[:, i]
    if not (SHARED_SEVENTH_RESOLVED and i):
        return mine
    done = (owed[:, :i] == mine[:, None]) & (mine[:, None] >= 0) & (cur[:, :i] >= 0) & \
        (cur[:, :i] < mine[:, None])
    return np.where(done.any(axis=1), -1, mine)


def _resolution_mask(mask: np.ndarray, owed: np.ndarray, cand: np.ndarray, pitch_offset: int,
                     strikes: np.ndarray | None = None, minor: bool | None = None) -> None:
    """A seventh falls: a voice that owes one (``owed``: its pitch per row, -1: none;
    :func:`_owed_sevenths`) moves down a step or strikes it again (not once it has struck it
    :data:`OWED_STRIKES` times in a row, ``strikes``), or holds. In the harmonized
    test melodies the sevenths of V7 chords (and of secondary dominants) rose in 117 of 436,
    Bach's in 18 of 381, and a sixth listening review heard V7 go to III with the seventh
    rising. With ``minor`` (the normalized key's mode) it falls to another letter where one is
    left (:data:`SEVENTH_FALLS_A_STEP`). A row left without a note keeps its mask."""
    check = owed >= 0
    if check.any():
        fall = owed[:, None] - cand[None, :]
        least = np.zeros((len(owed), 1), np.int64) if strikes is None else \
            (strikes >= OWED_STRIKES)[:, None].astype(np.int64)
        ok = (fall >= least) & (fall <= 2)
        if minor is not None and SEVENTH_FALLS_A_STEP:
            slide = _SAME_LETTER[minor][np.maximum(owed, 0)[:, None] % 12, cand[None, :] % 12]
            _narrow(mask, ~check[:, None] | (ok & ~(slide & (fall > 0))), pitch_offset)
        _narrow(mask, ~check[:, None] | ok, pitch_offset)


# ... to a note of another letter where one is left (B to A under C E G B in C major, not to
# B-flat, _LETTER's spelling: a chromatic slide makes a new seventh chord, C7 over its B-flat in
# G major, which a second listening review heard in BWV 269). The harmonized val melodies x 2:
# the lower voices' sevenths sliding down a semitone to their own letter 8 -> 1 (Bach 0), such
# slides over all 49 -> 36 (Bach 12 in one run; a scratch count). Falling to a note of the key
# instead did less (5, 44)
SEVENTH_FALLS_A_STEP = True


# The voices above a bass that owes a seventh's fall leave it no fall onto the key's leading
# tone that one of them sounds (_bass_step_room): the fall would double it, which the doubling
# rule bars, and the seventh leapt (ii4/2 under an alto's B: C3 leapt to G2). The bass's beat
# sevenths left by leap (bench/voice_leaps.py's measure; SEVENTH_AHEAD_COST on): the harmonized
# val melodies x 2 24 of 99 -> 19 of 98 (a scratch count), the test melodies 27 of 141 -> 24
# of 144
SEVENTH_FALL_UNDOUBLED = True


def _bass_step_room(mask: np.ndarray, i: int, n: int, cur: np.ndarray, owed: np.ndarray,
                    cand: np.ndarray, pitch_offset: int, steps: tuple[int, ...] = (-1, -2),
                    leading: int = -1) -> None:
    """On a beat, voice ``i`` above the bass, where the bass owes a seventh's fall (``owed``:
    its pitch per row, -1: none; :func:`_owed_sevenths`), takes a note with which the voices
    above the bass and a bass a semitone or a tone below the seventh can still make a chord
    (the voice just above the bass: do make one). The bass is written last: where the chord
    above left no such note, :func:`_resolution_mask` yielded and the seventh rose (the
    harmonized val melodies x 2: at 277 of 560 such yields no step down made a chord). The
    same for a leading tone's rise (``steps`` (1,), ``owed`` from :func:`_owed_rises`). A step
    onto the key's ``leading`` tone (a pitch class, -1: none) that a voice above sounds would
    double it, and is no room (SEVENTH_FALL_UNDOUBLED). A row left without a note keeps its
    mask."""
    rows = owed >= 0
    if not rows.any():
        return
    ok = _bass_room(i, n, cur, owed, cand, steps, leading=leading)
    _narrow_held(mask, ~rows[:, None] | ok, cur[:, i], cand, pitch_offset)


def _bass_room(i: int, n: int, cur: np.ndarray, owed: np.ndarray, cand: np.ndarray,
               steps: tuple[int, ...], before: np.ndarray | None = None,
               leading: int = -1, no_seventh: bool = False) -> np.ndarray:
    """[rows, candidates]: voice ``i`` on the candidate leaves the bass, on ``owed`` ([rows]),
    one of ``steps`` to a chord (:func:`_bass_step_room`). ``before`` ([rows, voices]: the
    pitches at the last onset, the bass's among them): a step that would move in consecutive
    fifths or octaves with a voice above, as :func:`_parallels_mask` would bar it at the bass,
    is no room; nor is a step onto the ``leading`` tone (-1: none) that a voice above sounds,
    nor, with ``no_seventh``, a bass on the seventh of the chord it makes."""
    above = pitch_class_bits(cur[:, :i])
    with_voice = above[:, None] | PC_BIT[cand][None, :]
    ok = np.zeros(with_voice.shape, bool)
    by_class: dict[int, np.ndarray] = {}  # the chord's fit depends on the bass's pitch class
    for step in steps:
        fits = by_class.get(step % 12)
        if fits is None:
            bass = (np.maximum(owed + step, 0) % 12)[:, None]
            chord = with_voice | (1 << bass)
            if i < n - 2:
                fits = EXTENDABLE[chord]
            else:
                fits = IS_CHORD[chord] & _bass_shape_ok(chord, bass)  # as _style_mask has it
                if no_seventh:
                    fits &= _seventh_table()[chord] != bass
            if leading >= 0 and SEVENTH_FALL_UNDOUBLED:
                fits &= ~((bass == leading) & (((with_voice >> leading) & 1) == 1))
            by_class[step % 12] = fits
        new = fits & ~ok
        if before is not None and new.any():
            new &= ~_bass_parallels(i, cur, before, owed + step, cand)
        ok |= new
    return ok


# nats: on a beat, the voice just above the bass taking a note with which no note the bass may
# reach (held, or moved by a step, a third, a fourth, a fifth, a sixth or an octave without
# consecutive fifths or octaves) makes a chord the beat rules allow with the bass off its
# seventh. The bass is written last, and where the chord above leaves it no such note the
# masks leave it the seventh alone: of the bass's sevenths on a beat in 24 harmonized val
# melodies x 2 (every candidate row, /work/s68/b7why.py), 551 of 586 had no other pitch left,
# and 22% of them then leapt (bench/voice_leaps.py)
BASS_CHORD_ROOM_COST = 4.0
BASS_MOVES = (0, -1, 1, -2, 2, -3, 3, -4, 4, -5, 5, -7, 7, -8, 8, -9, 9, -12, 12)


# nats: an inner voice taking a note that leaves the bass's stepped eighth no step on to a
# chord (voice_sampler.BASS_EIGHTH_ROOM, :func:`_room_cost`). A cost, not a mask: as a mask it
# overruled the softer rules of the inner voices (their unison cost). The harmonized val
# melodies x 2 (a scratch count beside bench/voice_leaps.py): the bass's eighths reached by
# step and left by leap 97 of 584 without, 88 of 573 / 76 of 547 / 73 of 555 at 2 / 4 / 8
# nats, 67 of 553 as a mask (Bach 15 of 455); the test melodies 110 of 617 -> 87 of 613 / 77 of
# 604 at 4 / 8 nats (Bach 30 of 491; docs/voices.md)
EIGHTH_ROOM_COST = 8.0


def _room_cost(biased: np.ndarray, mask: np.ndarray, owed: np.ndarray, ok: np.ndarray,
               pitch_offset: int, cost: float) -> None:
    """Charge ``cost`` to the candidates that are no room (``ok`` False, :func:`_bass_room`) in
    the rows whose bass owes a step (``owed`` >= 0)."""
    _charge(biased, mask, np.where((owed >= 0)[:, None] & ~ok, cost, 0.0), pitch_offset)


def _bass_parallels(i: int, cur: np.ndarray, before: np.ndarray, bass: np.ndarray,
                    cand: np.ndarray) -> np.ndarray:
    """[rows, candidates]: a bass moving from its note at the last onset (``before[:, -1]``) to
    ``bass`` ([rows]) would make consecutive fifths or octaves with a voice above that moves:
    the voices above ``i`` as written (``cur``), or voice ``i`` on each candidate."""
    b0 = before[:, -1]
    moves = (b0 >= 0) & (bass != b0)
    bad = np.zeros(len(cur), bool)
    for j in range(i):
        interval = np.abs(before[:, j] - b0) % 12
        bad |= ((before[:, j] >= 0) & (cur[:, j] >= 0) & (cur[:, j] != before[:, j])
                & ((interval == 0) | (interval == 7)) & (np.abs(cur[:, j] - bass) % 12 == interval))
    interval = np.abs(before[:, i] - b0) % 12
    perfect = (before[:, i] >= 0) & ((interval == 0) | (interval == 7))
    cand_bad = (perfect[:, None] & (cand[None, :] != before[:, i][:, None])
                & (np.abs(cand[None, :] - bass[:, None]) % 12 == interval[:, None]))
    return moves[:, None] & (bad[:, None] | cand_bad)


def _bad_seventh(pitch: int, after: int) -> int:
    """``pitch``'s pitch class as a bit when moving on to ``after`` (-1: unknown) does not
    resolve it as a seventh, else 0."""
    if after < 0 or 0 <= pitch - after <= 2:
        return 0
    return 1 << (pitch % 12)


def _given_seventh_mask(mask: np.ndarray, others: np.ndarray, held: np.ndarray,
                        bad: int | np.ndarray, cand: np.ndarray, pitch_offset: int) -> None:
    """A written voice makes no seventh chord whose seventh is a given voice's note that will
    not fall a step (``bad``, :func:`_unresolved_given`; or per row, [rows, 1]). ``others``:
    every other voice as it sounds now ([rows, voices - 1], -1: silent; the voices below are
    checked again when they are written); ``held``: this voice's sounding pitch, which it may
    hold only where allowed.
    A row left without a note keeps its mask."""
    bits = pitch_class_bits(others)[:, None] | (1 << (cand % 12))[None, :]
    seventh = SEVENTH_OF[bits]
    made = (seventh >= 0) & (((bad >> np.maximum(seventh, 0)) & 1) == 1)
    made &= (others >= 0).all(axis=1)[:, None]
    if made.any():
        _narrow_held(mask, ~made, held, cand, pitch_offset)


# In a rewritten region's last beat the chord that sounds into the kept music leaves no seventh
# the kept notes do not resolve: a written voice takes a seventh only where its kept next note
# lies a step below, and makes no other written voice's note one unless that voice's kept note
# does (_seam_seventh_mask). The card's infills (test pieces, bars 3-4 rewritten x 2) ended on
# a seventh chord whose seventh the kept music held or left by leap 18 times in 32 (Bach's own
# bars 2 in 11; val 24 in 38, Bach 3 in 9), and a listening review heard A7's seventh in the
# bass held into the kept bar's G (/work/s54/seamdebt.py, a scratch count)
SEAM_SEVENTHS = True


def _seam_seventh_mask(mask: np.ndarray, i: int, cur: np.ndarray, seam: list[int],
                       written: list[bool], cand: np.ndarray, pitch_offset: int) -> None:
    """:data:`SEAM_SEVENTHS` for voice ``i``: ``cur`` the voices as they sound ([rows, voices],
    -1 silent), ``seam`` each voice's kept pitch at the region's end (-1: none struck there),
    ``written`` which voices the region rewrites. A row left without a note keeps its mask."""
    others = np.delete(cur, i, axis=1)
    bad = np.zeros(len(cur), np.int64)
    for j in range(cur.shape[1]):
        if j == i or not written[j] or seam[j] < 0:
            continue
        fall = cur[:, j] - seam[j]
        bad |= np.where((cur[:, j] >= 0) & ((fall < 1) | (fall > 2)),
                        1 << (np.maximum(cur[:, j], 0) % 12), 0)
    if bad.any():
        _given_seventh_mask(mask, others, cur[:, i], bad[:, None], cand, pitch_offset)
    if seam[i] >= 0:
        _no_bass_seventh(mask, np.ones(len(cur), bool), others, cur[:, i], cand, pitch_offset,
                         seam[i] % 12)


def _seventh_mask(mask: np.ndarray, others: np.ndarray, cand: np.ndarray, pitch_offset: int
                  ) -> None:
    """On a beat a voice below the top makes no seventh chord whose seventh two voices sound: a
    doubled seventh must resolve down in both voices, into octaves. Bach's four-voice beat
    chords that are seventh chords double the seventh once in 344 (the 40 test chorales); the
    harmonized melodies did 72 times in 1,115, and a fifth listening review heard V7 and i7
    with the seventh doubled. ``others``: every other voice as it sounds now (-1: silent; the
    voices below are checked again when they are written). A row left without a note keeps
    its mask."""
    sounding = others >= 0
    counts = np.zeros((others.shape[0], 12), np.int64)
    rows = np.nonzero(sounding)
    np.add.at(counts, (rows[0], others[rows] % 12), 1)
    bits = (counts > 0) @ (1 << np.arange(12))
    pcs = np.arange(12)
    chord = bits[:, None] | (1 << pcs)[None, :]  # [rows, bass pitch class]
    seventh = SEVENTH_OF[chord]
    doubled = (seventh >= 0) & (np.take_along_axis(counts, np.maximum(seventh, 0), axis=1)
                                + (seventh == pcs[None, :]) >= 2)
    doubled &= sounding.all(axis=1)[:, None]
    if doubled.any():
        _narrow(mask, ~doubled[:, cand % 12], pitch_offset)


def _clash_mask(mask: np.ndarray, i: int, cur: np.ndarray, struck: np.ndarray,
                cand: np.ndarray, pitch_offset: int) -> None:
    """On a beat, voice ``i`` strikes no note a semitone, major seventh or minor ninth from a
    note a voice above strikes at the same time, nor holds a note into one: a dissonance on the
    beat is prepared (a suspension: the note that clashes was sounding before). The tenor and
    bass keep to one chord anyway (:func:`_style_mask`), the alto did not: harmonized held-out
    melodies struck such clashes at 3.7% of their beats, Bach at 1.7% (a fourth listening review
    heard a soprano and alto a semitone apart). A row left without a note keeps its mask."""
    above = cur[:, :i]
    new_above = struck[:, :i] & (above >= 0)
    if not new_above.any():
        return
    apart = np.abs(cand[None, :, None] - above[:, None, :]) % 12
    clash = ((apart == 1) | (apart == 11)) & new_above[:, None, :]
    keep = _narrow(mask, ~clash.any(axis=2), pitch_offset)
    held = cur[:, i]
    apart = np.abs(above - held[:, None]) % 12
    into = (held >= 0) & (((apart == 1) | (apart == 11)) & new_above).any(axis=1)
    mask[into & keep, HOLD] = False


def _chromatic_clash_mask(mask: np.ndarray, i: int, cur: np.ndarray, struck: np.ndarray,
                          cand: np.ndarray, pitch_offset: int, minor: bool) -> None:
    """Voice ``i`` strikes no note a semitone (or a major seventh, minor ninth) from a note a
    voice above sounds where one of the two is outside the key (normalized: C major; A minor
    with its raised sixth and seventh) and the other in it, nor holds such a note under one
    struck above now. A row left without a note keeps its mask."""
    above = pitch_class_bits(cur[:, :i])
    if not above.any():
        return
    clashing = _CLASHING[minor]
    keep = _narrow(mask, (clashing[above][:, None] & PC_BIT[cand][None, :]) == 0, pitch_offset)
    new = pitch_class_bits(np.where(struck[:, :i], cur[:, :i], -1))
    into = (clashing[new] & PC_BIT[cur[:, i]]) != 0  # (a silent voice's bit is 0)
    mask[into & keep, HOLD] = False


# No false relation: a voice strikes no note that spells a letter another voice struck within the
# last beat another way (F in the alto, then F# in the soprano), nor one a given voice strikes
# in the next beat. bench/voice_leaps.py, cross-relations within a beat per 8 bars, harmonized
# test melodies: 1.87 -> 0.88, Bach 1.02 (docs/voices.md); an eleventh listening review counted
# 27 in 11 passages, Bach 14 in the same bars. Stricter than Bach, whose minor-key lines set G
# against G# in passing
FALSE_RELATIONS = True
# the letter (C=0 .. B=6) of each pitch class in the normalized keys, chromatic ones as chorales
# spell them: in C major C# Eb F# G# Bb, in A minor Bb C# D# F# G#
_LETTER = {False: (0, 0, 1, 2, 2, 3, 3, 4, 4, 5, 6, 6), True: (0, 0, 1, 1, 2, 3, 3, 4, 4, 5, 6, 6)}


def _false_table(minor: bool) -> np.ndarray:
    """For each set of pitch classes (a 12-bit mask): the pitch classes that spell one of their
    letters another way."""
    letter = _LETTER[minor]
    other = [sum(1 << p for p in range(12) if p != q and letter[p] == letter[q])
             for q in range(12)]
    table = np.zeros(1 << 12, np.int64)
    for q in range(12):
        has = (np.arange(1 << 12) >> q) & 1 == 1
        table[has] |= other[q]
    return table


FALSE_OF = {minor: _false_table(minor) for minor in (False, True)}
# the pitch classes (12-bit sets) in the normalized keys, C major and A minor with its raised
# sixth and seventh: a note outside them is a melody's accidental (voice_sampler's
# GIVEN_CHROMATIC_BEATS, melody_plan's CLOSE_ACCIDENTAL_BEATS) or drawn by CHROMATIC_PULL
IN_KEY_BITS = {False: sum(1 << p for p in (0, 2, 4, 5, 7, 9, 11)),
               True: sum(1 << p for p in (0, 2, 4, 5, 6, 7, 8, 9, 11))}


def _recent_strikes(last_struck: np.ndarray, struck_step: np.ndarray, step: int,
                    beat_steps: int) -> np.ndarray:
    """[rows, voices]: the pitch class (a bit) each voice struck before ``step`` and at most a
    beat before, else 0."""
    recent = (struck_step >= step - beat_steps) & (struck_step < step) & (last_struck >= 0)
    return np.where(recent, 1 << (np.maximum(last_struck, 0) % 12), 0)


def _false_relation_mask(mask: np.ndarray, i: int, recent: np.ndarray,
                         ahead: int | np.ndarray, cand: np.ndarray, pitch_offset: int,
                         minor: bool) -> None:
    """Voice ``i`` strikes no pitch class that spells a letter another way than a note another
    voice struck before this step and at most a beat before (``recent``,
    :func:`_recent_strikes`), or than one a given voice strikes within the next beat or a
    voice above sounds in this frame (``ahead``: a 12-bit set, per row or for all rows).
    Called after :func:`_resolution_mask`, it only chooses among a seventh's resolutions (a
    row left without a note keeps its mask)."""
    others = (np.bitwise_or.reduce(recent[:, :i], axis=1)
              | np.bitwise_or.reduce(recent[:, i + 1:], axis=1) | ahead)
    if not others.any():
        return
    bad = FALSE_OF[minor][others]
    if bad.any():
        _narrow(mask, ((bad[:, None] >> (cand % 12)[None, :]) & 1) == 0, pitch_offset)


def _clashing(bits: np.ndarray, own: int) -> np.ndarray:
    """The pitch classes (12-bit sets) a semitone from those in ``bits`` on the other side of
    the key ``own``: beside a note of the key the ones outside it, and the reverse."""
    def beside(b):
        return ((b << 1) | (b >> 1) | (b << 11) | (b >> 11)) & 0xFFF
    return (beside(bits & own) & ~own | beside(bits & ~own & 0xFFF) & own) & 0xFFF


def _leap_mask(mask: np.ndarray, before: np.ndarray, cand: np.ndarray, pitch_offset: int,
               minor: bool = False, upper: bool = False) -> None:
    """A voice leaps no tritone, no seventh and nothing wider than an octave from its last note
    (``before``, -1: none): Bach's basses leap fourths, fifths and octaves (a tritone is 0.60%
    of their moves, sevenths 0.39%, in the bach-chorales train and val pieces; a third
    listening review heard A-D# leaps in 3 of 3 E major continuations), his upper voices a
    seventh in 0.03% of theirs (a fourth review heard a soprano leap E4-D#5) and a tritone in
    0.0% (soprano), 0.16% (alto), 0.45% (tenor) of the test chorales' moves, where the
    harmonizations' tenor leapt one in 1.8% (a fifth review heard B-flat3-E4-B-flat3-E4). A
    row left without a note keeps its mask.

    In minor (normalized: A minor) no voice moves between the natural sixth and the raised
    seventh, F and G#, an augmented second (a seventh listening review heard a tenor fall
    B3 -> A-flat3 in C minor, V4/2 to iv), nor between the raised seventh and the third, G#
    and C, a diminished fourth (an eighth review heard B3 -> E-flat4 in C minor twice). An
    ``upper`` voice (not the bass) leaps neither from the raised seventh to the third, G# and C
    8 semitones apart (an augmented fifth), nor to the sixth, G# and F 9 apart (a diminished
    seventh): Bach's sopranos, altos and tenors in minor, 0 and 3 times in 29,480 moves (the
    bach-chorales pieces), his basses 7 and 9 in 10,744; a tenth review heard harmonized tenors
    drop from the leading tone an augmented fifth 5 times in 4 minor-key files. In every key no
    voice leaps an augmented second or diminished fourth to or from a note outside the key
    (:data:`CHROMATIC_LEAPS`)."""
    _narrow(mask, _leap_allowed(minor, upper and MINOR_UPPER_LEAPS)[before][:, cand],
            pitch_offset)


@functools.lru_cache(maxsize=4)
def _leap_allowed(minor: bool, upper: bool) -> np.ndarray:
    """:func:`_leap_mask`'s rule as a table, looked up per voice: [from, to] whether a voice may
    move from one pitch to another (rows 0-255 the pitches; rows 256-383, indexed by negative
    pitches, none: every move allowed)."""
    pitches = np.arange(256)
    leap = np.abs(pitches[None, :] - pitches[:, None])
    barred = ((leap >= 10) & (leap != 12)) | (leap == 6)
    if CHROMATIC_LEAPS:  # an augmented second or diminished fourth to or from a note off the key
        low = np.minimum(pitches[None, :], pitches[:, None])
        high = np.maximum(pitches[None, :], pitches[:, None])
        letter = np.asarray(_LETTER[minor])
        letters = (letter[high % 12] - letter[low % 12]) % 7
        off = ((_KEY_BITS[minor] >> (pitches % 12)) & 1) == 0
        barred |= (off[None, :] | off[:, None]) & (
            ((leap == 3) & (letters == 1)) | ((leap == 4) & (letters == 3)))
        if IMPROPER_LEAPS:  # ... nor an augmented or diminished third, fifth, sixth, seventh
            semis = leap % 12
            improper = np.zeros_like(barred)
            for d, allowed in ((2, (3, 4)), (4, (7,)), (5, (8, 9)), (6, (10, 11))):
                improper |= (letters == d) & ~np.isin(semis, allowed)
            barred |= (off[None, :] | off[:, None]) & improper & (semis != 6) & (leap > 2)
    if minor:
        ends = (1 << (pitches[None, :] % 12)) | (1 << (pitches[:, None] % 12))
        barred |= (leap == 3) & (ends == (1 << 5) | (1 << 8))
        barred |= (leap == 4) & (ends == (1 << 8) | (1 << 0))
        if upper:
            barred |= (leap == 8) & (ends == (1 << 8) | (1 << 0))
            barred |= (leap == 9) & (ends == (1 << 8) | (1 << 5))
    return np.concatenate([~barred, np.ones((128, 256), bool)])


MINOR_UPPER_LEAPS = True  # _leap_mask: no augmented fifth or diminished seventh above the bass
# ... and to or from a note off the key no voice leaps an augmented or diminished third,
# fifth, sixth or seventh either (the tritone has its own rule, the diminished fourth the one
# above): the harmonized val melodies x 2 leapt 10 such (basses a diminished seventh 6 times, an
# augmented fifth 3), Bach's same 40 melodies none (his leaps to and from such notes: diminished
# fourths and fifths, 13 of 73; /work/s55/augdim.py, session 55)
IMPROPER_LEAPS = True
# ... and in every key no voice leaps an augmented second or a diminished fourth to or from a
# note outside the key, as _LETTER spells it (C-G# down, F-G# in C major): a seventeenth
# listening review heard 9 such leaps onto a planned key's new leading tone in 7 of 16
# continuations, 3 of them in the soprano
CHROMATIC_LEAPS = True
LEAP_COST = 0.3  # nats per semitone of a lower voice's move beyond a whole step
# ... of the bass, and the bass striking its note again. A fourteenth listening review counted
# 19 repeated bass notes in three harmonized melodies (Bach 3). Chosen on the val pieces
# (bench/voice_leaps.py --split val [--continuations]): at 0.3 / 0.7 the harmonized bass restruck
# 9.5% of its notes and stepped in 46.9% of its moves (Bach 3.7% and 63.4%); at 0.3 / 2 6.0%
# and 49.0%; at 0.5 / 2 7.1% and 51.9%, its fifths and sixths 13.2% -> 10.1% (Bach 9.2%), beat
# chords 0.951 each time. docs/voices.md has the test split's figures.
BASS_LEAP_COST = 0.5
BASS_REPEAT_COST = 2.0
# nats: the alto striking the pitch it has struck RUN_STRIKES times in a row once more (the
# sampler's RUN_STRIKES and RUN_VOICES say when and which voices). A
# listening review heard an alto strike G4 eight times in a row; of the alto's notes in the
# continued test chorales 22% stood in such runs of 3 or more (Bach 10%), of the harmonized
# melodies' 16% (Bach 12%; bench/voice_leaps.py). On the tenor too it overshot (runs 12% ->
# 7%, Bach 10%) and cost cadences (docs/voices.md); the bass has BASS_REPEAT_COST.
RUN_COST = 1.0
# nats: an inner voice moving to the note of its own letter spelled another way (G to G#, a
# chromatic slide; _leap_cost). A fifteenth listening review heard final cadences dissolve in
# them; the harmonized val melodies' altos slid in 17.9 and tenors in 23.8 of 1,000 moves, Bach's
# 8.3 and 9.1 (his basses 57.5, which walk chromatically: the bass is spared)
SLIDE_COST = 1.0
# the letter of each pitch class (_LETTER) as a table: [minor][from, to] the same letter
_SAME_LETTER = {minor: np.equal.outer(_LETTER[minor], _LETTER[minor]) for minor in (False, True)}

# nats: on a beat where the voices above move to another chord, the bass holding its note under
# them (a fifteenth listening review heard A2 held under four chords). The bass sounded one pitch
# across 14.0% of the harmonized val melodies' beat pairs while the chord above changed (Bach
# 8.5%); at 1 nat 11.8%, at 2 nats 9.2%, beat chords 0.942 -> 0.956 -> 0.968, six-four beat
# chords 30 -> 23 -> 7 of ~2,930 (Bach 24 of 1,473; bench/voice_leaps.py --split val
# [--no-bass-hold-cost]; docs/voices.md). 3 nats since session 46, with BASS_RESTRIKE_COST: the
# costs of chords outside the key had left the bass fewer notes to move to (standing 9.4% ->
# 9.8% of the val melodies' beat pairs); at 3 / 3 nats 8.4% (Bach 8.5%), beat chords 0.965 ->
# 0.972, six-four beat chords 39 -> 24 of ~2,935, cadences and parallels the same.
BASS_HOLD_COST = 3.0
# ... and striking its note again there, on top of BASS_REPEAT_COST, which any restruck bass
# note pays (session 37): held or struck again, the bass stood
# under a changing chord at 12.8% of the harmonized test melodies' beat pairs (Bach 7.1%), and
# struck one pitch again in 8.5% of its moves (Bach 2.3%). bench/voice_leaps.py, harmonized test
# melodies x 2, at 0 / 1 / 2 / 4 nats: standing 600 / 532 / 468 / 420 of 4,672 beat pairs,
# repeats 8.5% / - / 5.1% / 2.9%, octave leaps 2.7% / - / 3.9% / 4.6% (Bach 3.4%), outer
# parallels 0.000 / 0.000 / 0.006 / 0.012 per 8 bars; val 435 -> 399 of 4,022 (Bach 8.5%),
# continued test openings 160 -> 135 of 1,240 (Bach 7.6%) at 2 (3 since session 46: see above)
BASS_RESTRIKE_COST = 3.0


# nats: on a beat, the lowest voice making the chord a seventh chord other than a dominant or
# diminished seventh (ii7, IV7, vi7, I7, iii7, the half-diminished vii7), its fifth there or
# not, and an inner voice leaving the voices so far in no triad and with no tritone (bound for
# such a chord: D-C, D-E). A twelfth listening review found seventh chords on 30% of the beats
# of harmonized melodies (Bach 16%). bench/phrase_closes.py, the test melodies: 28.4% -> 18.0%
# (Bach 15.4%), those not V7 or vii°7 18.0% -> 8.2% (8.4%); docs/voices.md has the rest.
# Chosen on the val pieces: the lowest voice alone at 1 / 2 nats, continuations' chords not V7
# or vii°7 18.5% -> 15.0% / 12.6% (the voices above had mostly fixed the chord); with the
# inner voices 14.7% / 10.4% (Bach 8.0%).
SEVENTH_CHORD_COST = 2.0
# nats: on a beat, the bass taking or holding the seventh of the chord it makes with the voices
# above (V4/2, any seventh chord's third inversion). A listening review of ten continued test
# chorales heard V4/2 go to IV with the seventh held (BWV 128.5, 402) and bass sevenths rise
# or leap (BWV 185.6, 402, 248.42-4); its counter had 46% of the bass's sevenths not falling,
# Bach's 10%. bench/voice_leaps.py --continuations: the bass's sevenths on a beat, val 79 ->
# 40 / 35 at 1.5 / 3 nats (Bach 1 in half the bars), authentic cadences / 8 bars 1.40 -> 1.30;
# test 60 -> 42 (Bach 5), harmonized test melodies 178 -> 107 (Bach 29 x 2; docs/voices.md)
BASS_SEVENTH_COST = 3.0
_SOFT_SEVENTHS = np.isin(CHORD_QUALITY, [QUALITIES.index(q) for q in ("maj7", "min7", "hdim7")])


def _within_hard_sevenths() -> np.ndarray:
    """For each set of pitch classes: does it lie within a major or minor triad, or hold a
    tritone (a dominant seventh's third and seventh, or a diminished chord's)."""
    masks = np.arange(1 << 12)
    rotated = ((masks << 6) | (masks >> 6)) & 0xFFF
    return IN_TRIAD | ((masks & rotated) != 0)


_WITHIN_HARD = _within_hard_sevenths()


def _seventh_chord_cost(biased: np.ndarray, above: np.ndarray, cand: np.ndarray,
                        pitch_offset: int, lowest: bool, held: np.ndarray | None = None) -> None:
    """Charge :data:`SEVENTH_CHORD_COST` to the lowest voice's pitches that make, with the
    voices ``above`` ([rows, voices], -1: silent), a seventh chord other than V7 or vii°7;
    and an inner voice's that leave the voices so far outside every triad, V7 and vii°7. The
    lowest voice also pays :data:`BASS_SEVENTH_COST` for a pitch that is the seventh of the
    chord it makes, and for holding one (``held``: its sounding pitch, -1: none)."""
    bits = pitch_class_bits(above)
    merged = bits[:, None] | (1 << (cand % 12))[None, :]
    barred = _SOFT_SEVENTHS[merged] if lowest else ~_WITHIN_HARD[merged]
    biased[:, pitch_offset:] -= SEVENTH_CHORD_COST * barred
    if lowest and BASS_SEVENTH_COST:
        table = _seventh_table()
        biased[:, pitch_offset:] -= BASS_SEVENTH_COST * (table[merged] == (cand % 12)[None, :])
        if held is not None:  # ... or holding one into it
            pc = np.maximum(held, 0) % 12
            biased[:, HOLD] -= BASS_SEVENTH_COST * ((held >= 0) & (table[bits | (1 << pc)] == pc))


# nats: on a beat, a voice making the chord one outside the key that has no function in it
# (:func:`_functional_tables`): a second listening review heard such chords in 6 of 7 outputs
# (a root-position G-flat chord in F minor, C7 over its B-flat in G major, E-flat7 over its
# D-flat in B-flat major); the model wrote dominant sevenths over their seventh with no degree
# of the key to lead to (IV7 over its flat third in major, VI7 over its sharp fourth in minor:
# a German sixth's sound) where Bach has none. Of the beat chords with a note outside the key,
# those with no function (bench/voice_leaps.py [--split val] [--no-chromatic-chord-cost], as
# first defined, before the minor keys' chords below), chosen on the val melodies x 2: 73 of
# 450 at 0 nats, 49 at 2, 40 at 4, 37 at 8 (Bach 17 of 205 for one run); beat chords 0.969 ->
# 0.966; with the final definition 57 at 4 nats and 54 at 8 (Bach 24 of 212). docs/voices.md
# has the test figures.
CHROMATIC_CHORD_COST = 4.0
# the degrees above the tonic a secondary dominant may lead to: a major or minor triad of the
# key (ii iii IV V vi; III iv v VI VII)
_APPLIED_TARGETS = {False: (2, 4, 5, 7, 9), True: (3, 5, 7, 8, 10)}
# borrowed chords, (degree, quality): iv, bVI, bVII and v in major; the major tonic in minor
_MIXTURE = {False: ((5, "min"), (5, "min7"), (8, "maj"), (10, "maj"), (7, "min"), (7, "min7")),
            True: ((0, "maj"),)}
_NEAPOLITAN = (1 << 10) | (1 << 2) | (1 << 5)  # B-flat D F: the Neapolitan of A minor
_LEADING_NINTH = sum(1 << pc for pc in (4, 8, 11, 2, 5))  # E G# B D F: V7 and its minor ninth


def _led_degrees(bits: int, minor: bool) -> list[int]:
    """The degrees (pitch classes above the normalized tonic) the triad or seventh chord
    ``bits`` leads to as a dominant: a fifth below a major triad's or V7's root, a semitone
    above a diminished triad's or viiø7's, above any of a diminished seventh's four; none for
    other qualities."""
    r = (int(CHORD_ROOT[bits]) - (9 if minor else 0)) % 12
    q = QUALITIES[int(CHORD_QUALITY[bits])]
    steps = {"maj": (5,), "dom7": (5,), "dim": (1,), "hdim7": (1,), "dim7": (1, 4, 7, 10)}
    return [(r + k) % 12 for k in steps.get(q, ())]


def _functional(bits: int, minor: bool) -> bool:
    """Whether the triad or seventh chord ``bits`` (normalized key) is one a chorale gives an
    altered note: a secondary dominant (V, V7, vii°, vii°7, viiø7 of the tonic or a degree of
    :data:`_APPLIED_TARGETS`) or a borrowed chord (:data:`_MIXTURE`); a Neapolitan in minor
    counts where its bass is its third (see :func:`_functional_tables`)."""
    if any(d in (0, *_APPLIED_TARGETS[minor]) for d in _led_degrees(bits, minor)):
        return True
    r = (int(CHORD_ROOT[bits]) - (9 if minor else 0)) % 12
    return (r, QUALITIES[int(CHORD_QUALITY[bits])]) in _MIXTURE[minor]


@functools.cache
def _key_chords(minor: bool) -> frozenset[int]:
    """The triads and seventh chords (12-bit sets) built in thirds on the normalized key's scale:
    in minor on its natural, harmonic and melodic forms (A minor's E G# B and D F# A, not F G# C:
    the raised seventh over the sixth is no chord of the key)."""
    if minor:
        scales = ((9, 11, 0, 2, 4, 5, 7), (9, 11, 0, 2, 4, 5, 8), (9, 11, 0, 2, 4, 6, 8))
    else:
        scales = ((0, 2, 4, 5, 7, 9, 11),)
    out = set()
    for scale in scales:
        for d in range(7):
            triad = [scale[(d + k) % 7] for k in (0, 2, 4)]
            out.add(sum(1 << pc for pc in triad))
            out.add(sum(1 << pc for pc in triad) | 1 << scale[(d + 6) % 7])
    return frozenset(out)


@functools.cache
def _key_chord_parts(minor: bool) -> frozenset[int]:
    """Every set of three or more notes of one of :func:`_key_chords`: a chord of the key with
    a note left out is still the key's. B D A in C major is viiø7 without its fifth, though
    ``analysis.chord_root`` names it B minor seventh (its first template that fits): read by
    its template, the sampler charged it as a chromatic chord with no function and the
    measure counted it (8 of the 41 in 20 continued test openings x 2)."""
    out = set()
    for bits in _key_chords(minor):
        sub = bits
        while sub:
            if sub.bit_count() >= 3:
                out.add(sub)
            sub = (sub - 1) & bits
    return frozenset(out)


@functools.cache
def _functional_tables(minor: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """([4096, 12] for a whole chord and its bass's pitch class, [4096] twice for the voices
    so far): whether a set of pitch classes (normalized key) is free of
    :data:`CHROMATIC_CHORD_COST`: a chord of the key, not a triad or seventh chord (the style
    mask's business), or :func:`_functional`, the Neapolitan with its third in the bass; and
    whether the voices so far lie within one such chord, or are notes of the key: in minor,
    for a note struck, not with the raised sixth or seventh among them (C struck under the
    leading tone G#, or F under F#: an F minor chord to come, or nothing), for a note held
    (a suspension, C over E G#), any."""
    key = _KEY_BITS[minor]
    masks = np.arange(1 << 12)
    chord = IS_CHORD & (CHORD_ROOT >= 0)
    inside = (masks & ~key) == 0
    if minor:  # the raised seventh and the sixth it meets, F and G# in A minor: only in vii°7
        # (and V7 with its minor ninth); the raised sixth with the flat seventh, F# and G: never
        # (F G# C is an F minor chord, B-flat C# F one in D minor: a third review heard them)
        has = [(masks >> pc) & 1 == 1 for pc in range(12)]
        inside &= ~(has[5] & has[8] & ((masks & ~_LEADING_NINTH) != 0)) & ~(has[6] & has[7])
    own = np.zeros(1 << 12, bool)  # a triad or seventh chord of the key, or part of one
    parts = _key_chord_parts(minor)
    own[np.flatnonzero(chord)] = [int(b) in parts for b in np.flatnonzero(chord)]
    ok = own | ~chord
    named = np.flatnonzero(chord & ~own)
    for bits in named:
        ok[bits] = _functional(int(bits), minor)
    whole = np.repeat(ok[:, None], 12, axis=1)
    allowed = np.flatnonzero(chord & ok)
    if minor:  # the Neapolitan sixth: B-flat D F over D in A minor
        whole[_NEAPOLITAN, 2] = True
        allowed = np.append(allowed, _NEAPOLITAN)
    within = np.zeros(1 << 12, bool)
    for bits in allowed:
        sub = int(bits)
        while sub:  # every non-empty subset
            within[sub] = True
            sub = (sub - 1) & int(bits)
    held = within | inside
    if minor:
        raised = (has[6] | has[8]) & (np.array([bin(m).count("1") for m in masks]) >= 2)
        inside &= ~raised
    return whole, within | inside, held


def unfunctional_chords(notes: Sequence[Note], ticks: Iterable[int], key: KeySignature
                        ) -> tuple[int, int]:
    """(beat chords outside ``key`` that are a triad or seventh chord with no function in it,
    beat chords of 3+ pitch classes outside it) at ``ticks``: neither a secondary dominant nor
    a borrowed chord nor a Neapolitan sixth (:func:`_functional_tables`). Outside the key: a
    note off it, or a chord not built on its scale (F G# C in A minor)."""
    minor = key.quality == "minor"
    shift = (9 if minor else 0) - key.tonic_pc  # to the normalized C major / A minor
    whole = _functional_tables(minor)[0]
    inside = _KEY_BITS[minor]
    own = _key_chord_parts(minor)
    odd = outside = 0
    for son in analysis.sonorities(notes, ticks):
        if len(son.pcs) < 3:
            continue
        bits = sum(1 << ((p + shift) % 12) for p in son.pcs)
        named = IS_CHORD[bits] and CHORD_ROOT[bits] >= 0
        if bits & ~inside or (named and bits not in own):
            odd += not whole[bits, (son.bass + shift) % 12]
            outside += 1
    return odd, outside


def bar_faults(cur: np.ndarray, struck: np.ndarray, owed: np.ndarray, on_beat: bool,
               minor: bool) -> np.ndarray:
    """[rows] the faults one frame of a continuation's bar search counts (voice_sampler
    BAR_CANDIDATES): on a beat, a chord outside the key with no function
    (:func:`unfunctional_chords`' sense, :data:`CHROMATIC_CHORD_COST`'s table), and the bass
    leaving a seventh it owes (``owed``, before this frame's update) other than by a fall of a
    step (:func:`analysis.leaping_bass_sevenths`' sense). Both rules are costs or yield where
    they would leave a voice no note, so the model's draws still made them: 30 and 5 in 20
    continued test openings x 2 (Bach's 6 and 0 in the same bars), 15 and 0 with the search."""
    out = np.zeros(len(cur), np.int64)
    if on_beat:
        whole = _functional_tables(minor)[0]
        out += ~whole[pitch_class_bits(cur), _outer(cur)[1] % 12]
    due, now = owed[:, -1], cur[:, -1]
    out += (due >= 0) & struck[:, -1] & (now >= 0) & ~((due - now >= 0) & (due - now <= 2))
    return out


def _chromatic_chord_cost(biased: np.ndarray, above: np.ndarray, cand: np.ndarray,
                          pitch_offset: int, minor: bool, lowest: bool,
                          held: np.ndarray | None = None) -> None:
    """Charge :data:`CHROMATIC_CHORD_COST` to the lowest voice's pitches that make, with the
    voices ``above`` ([rows, voices], -1: silent), a chord outside the key with no function
    in it, and to an inner voice's that leave the voices so far in no chord of the key or
    such function. Holding the voice's pitch (``held``, -1: none) is charged as striking it
    would be (a tenor held B-flat under C# and F in D minor, an F minor chord's sound)."""
    whole, within, held_within = _functional_tables(minor)
    above_bits = pitch_class_bits(above)
    merged = above_bits[:, None] | (1 << (cand % 12))[None, :]
    barred = ~whole[merged, (cand % 12)[None, :]] if lowest else ~within[merged]
    biased[:, pitch_offset:] -= CHROMATIC_CHORD_COST * barred
    if held is not None:
        rows = np.flatnonzero(held >= 0)
        pc = held[rows] % 12
        with_held = above_bits[rows] | (1 << pc)
        bad = ~whole[with_held, pc] if lowest else ~held_within[with_held]
        biased[rows[bad], HOLD] -= CHROMATIC_CHORD_COST


# nats: the bass, on the first beat whose chord above moves on from a secondary dominant (V,
# V7, vii°, vii°7 of a degree of the key, with a note outside the key), taking neither that
# degree's root nor its third (_resolution_cost): the chord led nowhere. A second listening
# review heard such chords "with no function"; of the harmonized test melodies' beat chords of
# that kind, the next beat's chord stood on their degree in 127 of 510 (Bach 115 of 263; a
# scratch count).
APPLIED_RESOLUTION_COST = 4.0


@functools.cache
def _applied_targets(minor: bool) -> np.ndarray:
    """[4096] for each set of pitch classes (normalized key): the degree (pitch class) it is a
    secondary dominant of (:func:`_functional`'s first kind, a note outside the key among it),
    -1 where none or where a diminished seventh could lead to two such degrees."""
    out = np.full(1 << 12, -1, np.int64)
    tonic = 9 if minor else 0
    for bits in np.flatnonzero((CHORD_ROOT >= 0) & ((np.arange(1 << 12) & ~_KEY_BITS[minor]) != 0)):
        # (vii°7 of the tonic is one of vi too: its degree there)
        found = [d for d in _led_degrees(int(bits), minor) if d in _APPLIED_TARGETS[minor]]
        if len(found) == 1:
            out[bits] = (found[0] + tonic) % 12
    return out


def _owed_resolutions(target: np.ndarray, target_bits: np.ndarray, cur: np.ndarray,
                      minor: bool) -> tuple[np.ndarray, np.ndarray]:
    """After a beat's frame: each row's secondary dominant still to resolve (the degree's pitch
    class, -1: none) and its pitch classes. A chord that sounds in every voice and is one sets
    them; a chord that has moved on from it clears them."""
    bits = pitch_class_bits(cur)
    whole = (cur >= 0).all(axis=1)
    found = np.where(whole, _applied_targets(minor)[bits], -1)
    moved = whole & ((bits & ~target_bits) != 0)
    target = np.where(found >= 0, found, np.where(moved, -1, target))
    target_bits = np.where(found >= 0, bits, np.where(moved, 0, target_bits))
    return target, target_bits


# [12, 4] the chords a secondary dominant's degree may stand as (12-bit sets): its major or
# minor triad, or that triad with a minor seventh
_TARGET_CHORDS = np.array([[sum(1 << ((t + x) % 12) for x in steps)
                            for steps in ((0, 4, 7), (0, 3, 7), (0, 4, 7, 10), (0, 3, 7, 10))]
                           for t in range(12)], np.int64)
_TARGET_NOTES = np.bitwise_or.reduce(_TARGET_CHORDS, axis=1)  # [12] any of them


def _resolution_cost(biased: np.ndarray, target: np.ndarray, target_bits: np.ndarray,
                     above: np.ndarray, cand: np.ndarray, pitch_offset: int, lowest: bool,
                     held: np.ndarray | None = None) -> None:
    """Charge :data:`APPLIED_RESOLUTION_COST`, in the rows owing a secondary dominant's
    resolution (``target``, its notes ``target_bits``), to a voice's pitches that leave those
    notes for a chord not on the degree (with the voices ``above``): for the bass (``lowest``),
    any but the degree's root or a third above it, once the voices above have left. Holding
    the voice's pitch (``held``, -1: none) is charged as striking it would be."""
    rows = np.flatnonzero(target >= 0)
    if not len(rows):
        return
    pitches = cand[None, :]
    if held is not None:  # the held pitch as one more column, charged to HOLD
        pitches = np.concatenate([np.broadcast_to(pitches, (len(rows), len(cand))),
                                  held[rows, None]], axis=1)
    mine = np.where(pitches >= 0, 1 << (np.maximum(pitches, 0) % 12), 0)
    above_bits = pitch_class_bits(above[rows])[:, None]
    if lowest:
        moved = (above_bits & ~target_bits[rows, None]) != 0
        step = (pitches - target[rows, None]) % 12
        barred = moved & (step != 0) & (step != 3) & (step != 4)
    else:
        merged = above_bits | mine
        left = (merged & ~target_bits[rows, None]) != 0
        chords = _TARGET_CHORDS[target[rows]]  # [rows, 4]
        fits = ((merged[:, :, None] & ~chords[:, None, :]) == 0).any(axis=2)
        barred = left & ~fits
    barred &= pitches >= 0
    biased[rows, pitch_offset:pitch_offset + len(cand)] -= \
        APPLIED_RESOLUTION_COST * barred[:, :len(cand)]
    if held is not None:
        biased[rows, HOLD] -= APPLIED_RESOLUTION_COST * barred[:, -1]


def _led_nowhere_cost(biased: np.ndarray, above: np.ndarray, cand: np.ndarray,
                      pitch_offset: int, minor: bool, ahead: int) -> None:
    """Charge :data:`APPLIED_RESOLUTION_COST` to the bass's pitches that make, with the voices
    ``above``, a secondary dominant whose degree's chords (:data:`_TARGET_CHORDS`) cannot hold
    the given voices' notes on the next beat (``ahead``, a 12-bit set): under a melody that
    does not go there, the chord would lead nowhere."""
    merged = pitch_class_bits(above)[:, None] | (1 << (cand % 12))[None, :]
    target = _applied_targets(minor)[merged]
    fits = _TARGET_NOTES[np.maximum(target, 0)]
    barred = (target >= 0) & ((ahead & ~fits) != 0)
    biased[:, pitch_offset:] -= APPLIED_RESOLUTION_COST * barred


def _bass_hold_cost(biased: np.ndarray, above: np.ndarray, above_before: np.ndarray,
                    sounding: np.ndarray | None = None, cand: np.ndarray | None = None,
                    pitch_offset: int = 0) -> None:
    """Charge :data:`BASS_HOLD_COST` to holding, in the rows where the voices above the bass
    (``above`` now, ``above_before`` at the last frame; [rows, voices], -1: silent) sound
    other pitch classes: the bass moves with the harmony. With ``sounding`` (the bass's pitch,
    -1: silent) striking that pitch again costs :data:`BASS_RESTRIKE_COST`."""
    moved = pitch_class_bits(above) != pitch_class_bits(above_before)
    biased[moved, HOLD] -= BASS_HOLD_COST
    if sounding is not None and cand is not None:
        rows = moved & (sounding >= cand[0]) & (sounding <= cand[-1])
        biased[rows, pitch_offset + sounding[rows] - cand[0]] -= BASS_RESTRIKE_COST


# nats: the bass on the leading tone of a dominant (the third of a dominant seventh chord, of
# the key's V, or of a major triad whose third is no note of the key's natural scale: V/V, V/vi)
# moving anywhere but up a semitone when it next moves (striking it again and holding are free).
# A sixteenth listening review heard the bass misresolve leading tones and sevenths in 6 of 8
# continuations and 3 of 3 harmonizations (V6/5-vi with B2-A2, D/F#-C/E). Harmonized test melodies
# x 2 (a scratch count of the bass note after each such onset), rising a semitone: under the
# key's V7 42% of the time (Bach 75%, his train chorales 78%), another dominant seventh 35%
# (85%, 73%), the key's V 30% (56%, 59%), a chromatic major triad 49% (80%, 70%). The cost
# alone moved nothing (2, 4 or 8 nats): the voices above, written first, had left the rise no
# chord (a six-four, no triad), so they now leave it one on a beat (LEADING_BASS_ROOM,
# _bass_step_room); with both, 2 nats: 56%, 61%, 49%, 68% (4 nats the same; without the
# key's V among the dominants: 59%, 57%, 29%, 59%)
LEADING_BASS_COST = 2.0


# nats: the bass's pitch that would be such a leading tone (_leading_third) on a beat, where
# the given top voice's note on the next beat leaves its rise no chord (the rise a second, a
# fourth, a tritone or a major seventh under it, the bass its root or third) or meets it in a
# hidden fifth or octave (a melody leaping up into a fifth or an octave over it). A
# harmonization knows its melody: the bass need not take a leading tone the melody then
# strands. The harmonized val melodies x 2 (a scratch count): of the bass's leading tones on
# a beat before a changed chord, 25% stood under a next melody note that leaves the rise no
# chord (Bach's 13%), and they rose 49% of the time (Bach's 71%)
LEADING_AHEAD_COST = 3.0


def _leading_ahead_cost(biased: np.ndarray, above: np.ndarray, cand: np.ndarray,
                        pitch_offset: int, minor: bool, top_next: int) -> None:
    """Charge :data:`LEADING_AHEAD_COST` to the bass's candidates that make, with the voices
    ``above`` ([rows, voices], the top voice first), a leading tone in the bass whose rise the
    given top voice's next beat note ``top_next`` strands."""
    merged = pitch_class_bits(above)[:, None] | (1 << (cand % 12))[None, :]
    lead = _leading_third(minor)[merged] == (cand % 12)[None, :]
    if not lead.any():
        return
    stranded = _stranded(above[:, 0], top_next, cand + 1, (1, 2, 5, 6, 11), 1)
    biased[:, pitch_offset:] -= LEADING_AHEAD_COST * (lead & stranded)


def _stranded(top_now: np.ndarray, top_next: int, to: np.ndarray, gaps: tuple[int, ...],
              way: int) -> np.ndarray:
    """[rows, candidates]: the bass moving to ``to`` ([candidates]) under the given top
    voice's next beat note ``top_next`` (from ``top_now``, [rows], -1: silent) makes no chord
    with it (the melody one of ``gaps`` semitones above, octaves aside) or meets it in a hidden
    fifth or octave (the melody leaping the bass's ``way``, 1 up or -1 down, into one)."""
    leaps = (top_now >= 0) & (way * (top_next - top_now) > 2)
    gap = (top_next - to) % 12  # the melody's note over the bass's
    hidden = NO_HIDDEN_PERFECTS & leaps[:, None] & np.isin(gap, (0, 7))[None, :]
    return np.isin(gap, gaps)[None, :] | hidden


# nats: the bass's pitch that would be the seventh of its chord on a beat, where the given top
# voice's note on the next beat strands both falls, a semitone and a tone: each leaves the key,
# falls below the model's lowest pitch, makes no chord (the melody a second, a fourth or a
# major seventh over it), meets the melody in a hidden or consecutive fifth or octave, or
# doubles the leading tone. A harmonization knows its melody: V4/2 under a soprano leaping
# G5-E5 into I has no fall but into a hidden octave, and its bass leapt to the root. The
# harmonized test melodies x 2 (bench/voice_leaps.py's measure): the bass's sevenths on a beat
# left by leap 34 of 127 (Bach's 2 of 29); read by hand, the melody stranded both falls of 17
# of those 34
SEVENTH_AHEAD_COST = 3.0


def _seventh_ahead_cost(biased: np.ndarray, above: np.ndarray, cand: np.ndarray,
                        pitch_offset: int, minor: bool, top_next: int,
                        held: np.ndarray | None = None) -> None:
    """Charge :data:`SEVENTH_AHEAD_COST` to the bass's candidates that make, with the voices
    ``above`` ([rows, voices], the top voice first), a seventh in the bass whose falls the
    given top voice's next beat note ``top_next`` strands; and to holding ``held`` ([rows],
    the bass's sounding pitch, -1: none) where it is such a seventh."""
    merged = pitch_class_bits(above)[:, None] | (1 << (cand % 12))[None, :]
    seventh = _seventh_table()[merged] == (cand % 12)[None, :]
    if not seventh.any():
        return
    top_now = above[:, 0]
    moves = ((top_now >= 0) & (top_now != top_next))[:, None]
    now = (top_now[:, None] - cand[None, :]) % 12  # the melody over the seventh
    stranded = np.ones(seventh.shape, bool)
    for fall in (1, 2):
        to = cand - fall
        gap = (top_next - to) % 12
        free = (((_KEY_BITS[minor] >> (to % 12)) & 1) == 1) & (to >= cand[0])
        bad = _stranded(top_now, top_next, to, (1, 2, 5, 11), -1) | \
            ((gap == 0) & (to % 12 == LEADING_TONE[minor]))[None, :] | \
            (moves & np.isin(now, (0, 7)) & (now == gap[None, :]))
        stranded &= bad | ~free[None, :]
    charged = seventh & stranded
    biased[:, pitch_offset:] -= SEVENTH_AHEAD_COST * charged
    if held is not None:
        rows = np.flatnonzero((held >= cand[0]) & (held <= cand[-1]))
        biased[rows, HOLD] -= SEVENTH_AHEAD_COST * charged[rows, held[rows] - cand[0]]


@functools.cache
def _leading_third(minor: bool) -> np.ndarray:
    """[set of pitch classes]: the pitch class of its leading tone where it is a dominant seventh
    chord, the normalized key's V, or a major triad whose third is outside the key's natural
    scale; else -1."""
    dom7 = where_quality(("dom7",), CHORD_ROOT)
    major = where_quality(("maj",), CHORD_ROOT)
    natural = np.zeros(12, bool)
    natural[list(_NATURAL[minor])] = True
    third = (major + 4) % 12
    # the key's own V in major (G-B-D in C; in minor, E-G#-B, its third is raised)
    dominant = (major == 7) & (not minor)
    return np.where(dom7 >= 0, (dom7 + 4) % 12,
                    np.where((major >= 0) & (~natural[third] | dominant), third, -1))


def _owed_rises(rising: np.ndarray, cur: np.ndarray, struck: np.ndarray,
                minor: bool) -> np.ndarray:
    """After a frame: the bass's leading tone still to rise ([rows], its pitch, -1: none). A bass
    that struck another pitch has moved on; a bass that sounds the leading tone of the chord
    sounding now (every voice) owes a rise."""
    bass = cur[:, -1]
    rising = np.where(struck & (bass != rising), -1, rising)
    lead = _leading_third(minor)[pitch_class_bits(cur)]
    owes = (cur >= 0).all(axis=1) & (lead >= 0) & (bass % 12 == lead)
    return np.where(owes, bass, rising)


# V-I's outer voices: on a beat after a major triad or dominant seventh chord (any root, in
# whatever key it is heard) whose bass, or top voice where the sampler writes it, sounded its
# third (the leading tone of the triad a fifth below) and does not now sound the note a semitone
# up, the bass makes no major or minor triad rooted a fifth below (_unrisen_leading_mask, after
# every other rule of the bass: it yields to them). A harmony teacher's review of 40 continuations
# counted 20 V-I whose soprano or bass leading tone did not rise, Bach's own bars 5. The rules
# knew only the home key's dominants (LEADING_BASS_COST, _leading_third) and nothing of the top
# voice, written first: most were V-I in the relative major (G-C in A minor) or I-IV heard as
# V/IV-IV (C-F under E5-C5). A cost on the top voice leaving a leading tone moved little (val
# sopranos 41 -> 31 of about 190 at 20 nats): the chord under it is what a rule can choose. A
# given melody's 7-5 is left to it (harmonized test sopranos at V-I: 19% unrisen, Bach 23%).
# bench/leading_tones.py --split val --pieces 48 --variations 4, continued: unrisen soprano
# leading tones 41 of 185 -> 23 of 164, bass 21 of 105 -> 6 of 88 (Bach 10 of 64, 4 of 75)
LEADING_TONE_RISES = True


def _unrisen_leading_mask(mask: np.ndarray, cur: np.ndarray, last: np.ndarray,
                          cand: np.ndarray, pitch_offset: int, top: bool = True) -> None:
    """The bass on a beat (``cur``: [rows, voices] now, the voices above written, the bass's
    last pitch last; ``last``: the same on the beat before): where the chord on the beat before
    is a major triad or a dominant seventh chord whose bass, or (``top``) whose top voice,
    sounded its third, and that voice does not sound the note a semitone up now (the bass: its
    candidate), the bass takes no pitch, nor holds one, with which the beat's chord is a major
    or minor triad rooted a fifth below that chord: a V-I whose leading tone in an outer voice
    does not rise (:data:`LEADING_TONE_RISES`). A row left without a note keeps its mask."""
    if not LEADING_TONE_RISES:
        return
    root = DOMINANT_ROOT[pitch_class_bits(last)]
    lead = (root + 4) % 12
    heard = (root >= 0)[:, None] & (last >= 0) & (last % 12 == lead[:, None])
    top_left = heard[:, 0] & (cur[:, 0] != last[:, 0] + 1) if top else np.zeros(len(cur), bool)
    bass_on = heard[:, -1]
    if not (top_left | bass_on).any():
        return
    tonic = (root + 5) % 12
    chord = TRIAD_ROOT[pitch_class_bits(cur[:, :-1])[:, None] | (1 << (cand % 12))[None, :]]
    to_tonic = chord == tonic[:, None]
    unrisen = top_left[:, None] | (bass_on[:, None] & (cand[None, :] != last[:, -1:] + 1))
    _narrow_held(mask, ~(to_tonic & unrisen), cur[:, -1], cand, pitch_offset)


def _leading_cost(biased: np.ndarray, rising: np.ndarray, cand: np.ndarray,
                  pitch_offset: int) -> None:
    """Charge :data:`LEADING_BASS_COST` to every bass note but the rise a semitone (and the
    leading tone itself) in the rows whose bass owes a rise (``rising``)."""
    rows = np.flatnonzero(rising >= 0)
    other = (cand[None, :] != rising[rows, None] + 1) & (cand[None, :] != rising[rows, None])
    biased[rows, pitch_offset:pitch_offset + len(cand)] -= LEADING_BASS_COST * other


@functools.lru_cache(maxsize=8)
def _leap_costs(slope: float, repeat: float | None) -> np.ndarray:
    """:func:`_leap_cost`'s cost of a move by each number of semitones (a table, looked up per
    voice; keyed on the constants, which the benches change): ``slope`` per semitone beyond a
    whole step, and for the bass (``repeat`` given) its octave as a fourth and ``repeat`` for
    striking its note again."""
    leap = np.arange(256)
    cost = slope * np.maximum(leap - 2, 0).astype(np.float64)
    if repeat is not None:
        cost[12] = 3 * slope
        cost[0] = repeat
    return cost


def _leap_cost(biased: np.ndarray, mask: np.ndarray, before: np.ndarray, cand: np.ndarray,
               pitch_offset: int, bass: bool, again: np.ndarray | None = None,
               slide: bool | None = None) -> None:
    """Lower voices move as Bach's do, mostly by step: each semitone a move spans beyond a
    whole step costs :data:`LEAP_COST` (the bass's :data:`BASS_LEAP_COST`, its octave leap as
    a fourth, and its restruck note :data:`BASS_REPEAT_COST`); ``again`` [rows], the pitch the
    voice would strike a third time in a row, -1 for none, costs :data:`RUN_COST`. Written
    one after another under the chord rules, the model's alto, tenor and bass leapt far more
    than Bach's: harmonizing the bach-chorales val melodies, bass sixths 6.6% of its moves
    (Bach 0.7%), tenor sixths 2.4% (0.7%), bass steps 33% (63%; docs/voices.md, "Lower voices
    move by step"). A cost, not a mask: a leap the harmony needs stays possible. Which pitch,
    not whether to strike: the pitches the mask allows keep their total probability against
    holding or resting (charged to the pitches alone, the cost made notes 3% fewer and their
    lengths further from Bach's). ``slide``, an inner voice's key mode (True: minor): a move to
    the voice's own letter spelled another way, G to G#, costs :data:`SLIDE_COST` more."""
    slope = BASS_LEAP_COST if bass else LEAP_COST
    cost = _leap_costs(slope, BASS_REPEAT_COST if bass else None)[
        np.abs(cand[None, :] - before[:, None])]
    if slide is not None and SLIDE_COST:  # (the key's mode: minor True)
        moved = cand[None, :] != before[:, None]
        cost += SLIDE_COST * (_SAME_LETTER[slide][before % 12][:, cand % 12] & moved)
    cost[before < 0] = 0.0
    if again is not None and RUN_COST:
        cost = cost + np.where(cand[None, :] == again[:, None], RUN_COST, 0.0)
    _charge(biased, mask, cost, pitch_offset)


# nats: an inner voice (alto, tenor) striking the pitch the voice just above it sounds. A
# listening review heard four voices on one A3 and soprano-alto unisons in 8 of 10 outputs. On
# the beats of the harmonized val melodies (x 2) the alto sat on the soprano's pitch 46.1 and
# the tenor on the alto's 40.2 times in 1,000 beats, Bach 27.5 and 10.9; at 1 / 2 nats 28.6 /
# 23.9 and 30.0 / 19.2, beat chords 0.965 -> 0.968 / 0.966, cadences 1.17 each time (a
# scratch count beside bench/voice_leaps.py --split val; docs/voices.md has the test split).
# Bach's tenor and bass share a pitch more often than the model's (52.6 and 25.8): the bass
# is spared. Where the tenor is given (only the alto rewritten) the alto pays for its pitch: a
# sixteenth on the given tenor's C4 had left the alto, held between the voices, only the step
# up into consecutive unisons with it
INNER_UNISON_COST = 2.0


def _unison_cost(biased: np.ndarray, mask: np.ndarray, above: np.ndarray, cand: np.ndarray,
                 pitch_offset: int) -> None:
    """Charge :data:`INNER_UNISON_COST` to the candidate that is the pitch of the voice above
    (``above`` [rows], -1: silent); which pitch, not whether to strike (:func:`_charge`)."""
    _charge(biased, mask, INNER_UNISON_COST * (cand[None, :] == above[:, None]), pitch_offset)


def _charge(biased: np.ndarray, mask: np.ndarray, cost: np.ndarray, pitch_offset: int) -> None:
    """Subtract ``cost`` [rows, candidates] from the pitch logits and give the pitches the mask
    allows their total probability back: a cost decides which pitch, not whether to strike."""
    pitches = biased[:, pitch_offset:]
    allowed = mask[:, pitch_offset:]
    z = np.where(allowed, pitches, -np.inf)
    top = z.max(axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    mass = np.exp(z - top).sum(axis=1, keepdims=True)
    after = np.exp(z - cost - top).sum(axis=1, keepdims=True)
    shift = np.zeros_like(mass)  # 0 in a row with no pitch allowed
    ok = (mass > 0) & (after > 0)
    shift[ok] = np.log(mass[ok]) - np.log(after[ok])
    biased[:, pitch_offset:] = pitches - cost + shift


_NATURAL = {False: frozenset(x % 12 for x in MAJOR_SCALE),  # normalized: C major, A minor
            True: frozenset((x + 9) % 12 for x in (0, 2, 3, 5, 7, 8, 10))}
_MELODIC = frozenset({9, 11, 0, 2, 4, 6, 8})  # A minor with its raised sixth and seventh
# the key's own pitch classes as 12-bit sets (_chromatic_clash_mask)
_KEY_BITS = {minor: sum(1 << pc for pc in _NATURAL[minor] | (_MELODIC if minor else frozenset()))
             for minor in (False, True)}
# _clashing of every 12-bit set, in major and in minor (the sampler looks it up per voice)
_CLASHING = tuple(_clashing(np.arange(4096, dtype=np.int64), _KEY_BITS[minor])
                  for minor in (False, True))


def _unresolved(at_beat: np.ndarray, at_half: np.ndarray) -> np.ndarray:
    """[rows, voices]: the voice struck a note on the half beat a step from its note on the
    beat, and that note is none of the beat chord's pitch classes (a passing or neighbour
    note, not a chord note arpeggiated)."""
    moved = (at_half >= 0) & (at_beat >= 0) & (at_half != at_beat) & \
        (np.abs(at_half - at_beat) <= 2)
    chord = pitch_class_bits(at_beat)[:, None]
    return moved & (((chord >> (np.maximum(at_half, 0) % 12)) & 1) == 0)


def _stepped(at_beat: np.ndarray, at_half: np.ndarray) -> np.ndarray:
    """[rows]: a voice struck a note on the half beat a step from its note on the beat."""
    return (at_half >= 0) & (at_beat >= 0) & (at_half != at_beat) & \
        (np.abs(at_half - at_beat) <= 2)


def _in_chord(chord: np.ndarray, pitch: np.ndarray) -> np.ndarray:
    """Per row: ``pitch``'s pitch class is one of ``chord``'s ([rows, voices], -1: silent)."""
    return ((pitch_class_bits(chord) >> (np.maximum(pitch, 0) % 12)) & 1) == 1


def _step_mask(mask: np.ndarray, rows: np.ndarray, sounding: np.ndarray, cand: np.ndarray,
               pitch_offset: int, above: np.ndarray | None = None,
               way: np.ndarray | None = None, also: np.ndarray | None = None,
               letters: np.ndarray | None = None) -> np.ndarray:
    """In ``rows`` the voice's next note lies a step or less from the note it sounds
    (``sounding``): an unaccented passing or neighbour note resolves by step. The model's own
    half-beat notes reached by step left by a leap in the harmonized test melodies: tenor 84
    of 350, bass 168 of 400 (Bach 10 of 355, 30 of 491; bench/voice_leaps.py --no-passing
    --no-step-rule). The step does
    not cross the voice above (``above``: its pitch now, -1: silent), and goes only up
    where ``way`` ([rows]) is 1, only down where it is -1. Holding stays allowed. A row left
    without a note keeps its mask. ``also`` ([rows, candidates]): moves allowed besides;
    ``letters`` ([rows, candidates]): the steps allowed by their spelling (:func:`_letter_steps`).
    The rows narrowed."""
    move = cand[None, :] - sounding[:, None]
    near = np.abs(move) <= 2
    if way is not None:
        near &= move * way[:, None] >= 0
    if letters is not None:
        near &= letters
    if also is not None:
        near |= also
    if above is not None:
        near &= (above[:, None] < 0) | (cand[None, :] <= above[:, None])
    return _narrow(mask, near | ~rows[:, None], pitch_offset)


# A voice that sounds a note outside the key (a secondary leading tone, the seventh of a
# secondary dominant, a borrowed flat) leaves it by step the way it leads: a raised note (C#,
# F#, G# in C major) up, a lowered one (B-flat, E-flat) down, as _LETTER spells them. A
# fourteenth listening review heard a tenor leap a diminished seventh from a doubled E-sharp.
# The harmonized val melodies' alto, tenor and bass left 102 of their 332 notes outside the
# key by a leap (Bach 38 of 276; bench/voice_leaps.py --split val [--no-chromatic-steps];
# docs/voices.md), and a fifteenth review found the steps left often went the wrong way.
CHROMATIC_STEPS = True
# ... to the next letter as _LETTER spells it (C# to D, or else to B; B-flat to A, or else to
# C), the same pitch struck again or held: not back to its own letter (C# to C, a wobble) nor
# two letters on by two semitones (B-flat to G#, a diminished third). A listening review
# (session 55) heard alto C#4-C4 and bass F-D# in the first lines of unlocked hymn settings
CHROMATIC_LETTERS = True


def _letter_steps(before: np.ndarray, cand: np.ndarray, minor: bool) -> np.ndarray:
    """[rows, candidates]: the candidate lies one letter from ``before`` ([rows] normalized
    pitches; octaves counted), or is the same pitch."""
    letter = np.asarray(_LETTER[minor])
    at = letter[before % 12] + 7 * (before // 12)
    to = letter[cand % 12] + 7 * (cand // 12)
    return (np.abs(to[None, :] - at[:, None]) == 1) | (cand[None, :] == before[:, None])


def _chromatic_ways() -> dict[bool, np.ndarray]:
    """Per normalized key: for each pitch class, +1 where it is raised (its letter is the one
    below's: C#), -1 where lowered (B-flat), 0 in the key."""
    out = {}
    for minor in (False, True):
        letter = _LETTER[minor]
        way = np.zeros(12, np.int64)
        for pc in range(12):
            if not (_KEY_BITS[minor] >> pc) & 1:
                way[pc] = 1 if letter[pc] == letter[(pc - 1) % 12] else -1
        out[minor] = way
    return out


CHROMATIC_WAYS = _chromatic_ways()


def _chromatic_step_mask(mask: np.ndarray, i: int, before: np.ndarray, cur: np.ndarray,
                         cand: np.ndarray, pitch_offset: int, minor: bool,
                         fall: tuple[int, int] | None = None) -> None:
    """Voice ``i``'s next note after a note ``before`` ([rows], -1: none) outside the
    normalized key (A minor's raised sixth and seventh are in it) is that note again or a step
    the way the note leads (:data:`CHROMATIC_WAYS`), not above the voice above; where none is
    left, a step the other way. ``fall`` (leading tone, fifth: pitch classes): at a planned
    close's tonic, an inner voice on its key's leading tone may also fall a third to the
    fifth (:data:`LEADING_FALLS`). A row left without a note keeps its mask."""
    way = CHROMATIC_WAYS[minor][np.maximum(before, 0) % 12]
    out = (before >= 0) & (way != 0)
    if not out.any():
        return
    above = cur[:, i - 1] if i else None
    also = None
    if fall is not None:
        move = cand[None, :] - before[:, None]
        also = ((before % 12 == fall[0])[:, None] & (cand % 12 == fall[1])[None, :]
                & (move >= -4) & (move <= -3))
    letters = _letter_steps(np.maximum(before, 0), cand, minor) if CHROMATIC_LETTERS else None
    led = _step_mask(mask, out, before, cand, pitch_offset, above, way, also, letters)
    rest = out & ~led  # where no step the way it leads is left, a step the other way
    if rest.any():
        _step_mask(mask, rest, before, cand, pitch_offset, above, letters=letters)


def _passing_pitch(a: int, c: int, minor: bool) -> int | None:
    """The note of the key between ``a`` and ``c`` (normalized pitches a third apart), each
    step a tone or a semitone (C major: A G F#, F# G A); an altered end is left the way it
    leads (a sharp up, a flat down: G# G F is a chromatic step, and has none). In minor a line
    through the raised sixth or seventh takes both (E F# G#; F G# is an augmented second and
    has none). None if there is none."""
    if abs(c - a) not in (3, 4):
        return None
    melodic = minor and (a % 12 in (6, 8) or c % 12 in (6, 8))
    if melodic and (a % 12 in (5, 7) or c % 12 in (5, 7)):
        return None
    scale = _MELODIC if melodic else _NATURAL[minor]
    up = 1 if c > a else -1
    found = []
    for m in (a + up, a + 2 * up):
        if m % 12 not in scale or not 1 <= abs(c - m) <= 2:
            continue
        # a semitone to or from an altered note: C major's C#, F#, G# lead up, B-flat (and
        # E-flat) down; A minor's C#, D#, F#, G# up, B-flat down
        ok = True
        for x in (a, c):
            if x % 12 in scale or abs(x - m) != 1:
                continue
            sharp = x % 12 in ((1, 3, 6, 8) if minor else (1, 6, 8))
            ok &= m == (x + 1 if sharp else x - 1)
        if ok:
            found.append(m)
    return found[0] if len(found) == 1 else None


def _outer_consecutive(before: list[int], after: list[int]) -> bool:
    """Whether the highest and lowest of two sets of sounding pitches move the same way from a
    fifth or an octave (compound or not) to the same interval."""
    if len(before) < 2 or len(after) < 2:
        return False
    up_top, up_low = max(after) - max(before), min(after) - min(before)
    interval = (max(before) - min(before)) % 12
    return interval in (0, 7) and (max(after) - min(after)) % 12 == interval and \
        up_top != 0 and up_low != 0 and (up_top > 0) == (up_low > 0)


def _passing_clear(i: int, p: int, a: int, c: int, beat: np.ndarray, off: np.ndarray,
                   now: np.ndarray, leading: int = -1, minor: bool | None = None) -> bool:
    """Voice ``i`` may sound the passing note ``p`` on the half beat between ``a`` (on the
    beat, with the chord ``beat``) and ``c`` (the next beat, chord ``now``): the others sound
    ``off`` there (-1: silent). No consecutive fifth or octave with any of them into the half
    beat or out of it (parallel or contrary, as :func:`_parallels_mask`), nor from beat to
    beat (an eighth between does not hide them: a seventh listening review heard the fifths
    F#4/B3 -> D#4/G#3 around a passing A3); no crossing and no unison with a neighbour; not
    the ``leading`` tone (a pitch class) while another voice sounds it; with ``minor`` given
    (the normalized key's mode), no letter another voice spells another way on the beat, the
    half beat or the next beat (FALSE_RELATIONS: a listening review heard a tenor's passing F
    against the bass's passing F#)."""
    if p % 12 == leading and any(x >= 0 and x % 12 == leading for j, x in enumerate(off)
                                 if j != i):
        return False
    if minor is not None and FALSE_RELATIONS:
        others = 0
        for j in range(len(off)):
            for x in (beat[j], off[j], now[j]):
                if j != i and x >= 0:
                    others |= 1 << (x % 12)
        if (FALSE_OF[minor][others] >> (p % 12)) & 1:
            return False
    for j in range(len(off)):
        if j == i:
            continue
        if off[j] < 0:
            continue
        if (j < i and p >= off[j]) or (j > i and p <= off[j]):
            return False
        for (x0, y0), (x1, y1) in (((a, beat[j]), (p, off[j])), ((p, off[j]), (c, now[j])),
                                   ((a, beat[j]), (c, now[j]))):
            if y0 < 0 or y1 < 0 or y0 == y1:
                continue
            interval = abs(x0 - y0) % 12
            if interval in (0, 7) and abs(x1 - y1) % 12 == interval:
                return False
    if PASSING_OUTER:  # ... nor, where it is the highest or lowest pitch, between those two
        sounding = [[x for j, x in enumerate(ch) if j != i and x >= 0] + [own]
                    for ch, own in ((beat, a), (off, p), (now, c))]
        if p in (max(sounding[1]), min(sounding[1])) and any(
                _outer_consecutive(u, w) for u, w in itertools.pairwise(sounding)):
            return False
    return True


# _passing_clear: a passing note that is the highest or lowest pitch at its half beat makes no
# consecutive fifth or octave between those two either, where a voice is crossed above the
# soprano (or under the bass) and so is heard as the top (or bottom) before or after it: the
# bach-chorales card counted its continuations' only two outer fifths there, a passing G4 in
# the soprano under an alto that rose to A4 above it over the bass's C3-D3
PASSING_OUTER = True


def _avoid_mask(mask: np.ndarray, sounding: np.ndarray, cand: np.ndarray, pitch_offset: int,
                avoid: frozenset[int]) -> None:
    """No pitch class of ``avoid``: none is struck, and a note held from before on one moves
    (where the rows have another pitch to move to; else the rule yields)."""
    keep = _narrow(mask, ~np.isin(cand % 12, list(avoid))[None, :], pitch_offset)
    held = keep & (sounding >= 0) & np.isin(sounding % 12, list(avoid))
    mask[held, HOLD] = False


def _entry_mask(mask: np.ndarray, rows: np.ndarray, cand: np.ndarray, pitch_offset: int,
                target: int) -> None:
    """A continuation's first note in a voice (``rows`` not yet entered) lies within
    ``limits.ENTRY_REACH`` of the voice's last note ``target``; a row left without a note keeps
    its mask."""
    allowed = np.abs(cand - target) <= limits.ENTRY_REACH
    block = mask[:, pitch_offset:pitch_offset + len(cand)]
    narrowed = block & allowed[None, :]
    keep = rows & narrowed.any(axis=1)
    block[keep] = narrowed[keep]


def _seam_leading_mask(mask: np.ndarray, i: int, n: int, cur: np.ndarray,
                       seam_pitch: Sequence[int], leading: int, cand: np.ndarray,
                       pitch_offset: int, minor: bool = False) -> None:
    """A region's last beat, a planned dominant before the kept tonic: voice ``i`` above the
    bass takes the ``leading`` tone (a pitch class) where no voice above sounds it and no inner
    voice below can take it from its kept note (a step or less; or a third above it, falling,
    where the leading tone is in the key of ``minor``, the normalized one: outside it, a note
    leaves by step), so the dominant has its third: the soprano F#4 into its kept G4 where the
    alto meets D4 and the tenor B3, as Bach closes BWV 269's phrase. A row left without a note
    keeps its mask."""
    if not SEAM_LEADING_THIRD or not 0 <= i < n - 1:
        return
    high = SEAM_LEADING_FALL if IN_KEY_BITS[minor] >> leading & 1 else SEAM_REACH

    def reaches(target: int) -> bool:
        return target >= 0 and any(p % 12 == leading
                                   for p in range(target - SEAM_REACH, target + high + 1))
    if any(reaches(seam_pitch[j]) for j in range(i + 1, n - 1)):
        return
    above = cur[:, :i]
    lacking = ~((above >= 0) & (above % 12 == leading)).any(axis=1)
    if lacking.any():
        _narrow(mask, ~lacking[:, None] | (cand % 12 == leading)[None, :], pitch_offset)


SEAM_REACH = 2  # semitones: how far a region's last new notes may lie from the kept note they meet
# ... a tune's (a one-line model's): a fourth. Within a tone, a reel's region sat on the kept
# note's tone (A3 A3 A3, E4 five times) once it had come down to it (SEAM_GLIDE), and its step
# into the kept note averaged 1.14 semitones against the real tunes' 2.10 (/work/s83/glide.py)
SEAM_REACH_TUNE = 5
# ... but the leading tone of the dominant a region closes on, before the kept tonic, may fall a
# third into it, as Bach's inner voices leave it (F#4 to D4 under G4): within a tone of every
# kept note, the V before BWV 269's fermata at bar 7 found no voice for its F# and stood bare
SEAM_LEADING_THIRD = True
SEAM_LEADING_FALL = 4  # semitones: how far above its kept note that leading tone may lie
# ... and a bass may also meet it from a fourth or a fifth above or below, as Bach's basses
# enter a phrase (A3-D4 over V/VI-VI): kept to a step, a listening review heard a region's
# bass leap a ninth C#3-D4 over the tenor onto its last beat, to stand a step from bar 6's D4,
# in 2 of 2 variations (/work/s60/review_harm, BWV 66.6 bars 3-5)
SEAM_BASS_LEAPS = (5, 7)


def _near_mask(mask: np.ndarray, cand: np.ndarray, pitch_offset: int, target: int,
               sounding: np.ndarray, leaps: tuple[int, ...] = (), leading: int = -1,
               reach: int = SEAM_REACH) -> None:
    """A region's last beat: a voice's new notes lie within :data:`SEAM_REACH` of the kept note
    it moves into, so the region leads into what follows (the real chorales' outer voices step
    2.76 semitones on average into the kept music: the card's infill seam row), or (a bass:
    ``leaps``, SEAM_BASS_LEAPS) those many semitones above or below it; and on a planned
    dominant, its ``leading`` tone (a pitch class, -1: none) a third above the kept note too
    (SEAM_LEADING_THIRD). A note held from earlier that lies farther away is not held on (it
    moves now). A row with no note left keeps its mask."""
    distance = np.abs(cand - target)
    allowed = (distance <= reach) | np.isin(distance, leaps)
    if leading >= 0 and SEAM_LEADING_THIRD:
        allowed |= (cand % 12 == leading) & (cand - target > 0) & \
            (cand - target <= SEAM_LEADING_FALL)
    keep = _narrow(mask, allowed[None, :], pitch_offset)
    held = np.abs(sounding - target)
    far = keep & (sounding >= 0) & (held > reach) & ~np.isin(held, leaps)
    mask[far, HOLD] = False
    mask[keep, REST] = False  # the voice sounds into its kept note
