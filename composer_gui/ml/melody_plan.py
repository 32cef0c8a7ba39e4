"""Where and on what a harmonized melody's phrases close, planned before a note is sampled.

The voice sampler (ml/voice_sampler.py) harmonizes a kept melody; this module reads that melody
(:class:`Melody`, in the normalized key: C major / A minor) and plans its chords at the places
a listener hears most: the opening tonic, each phrase close (a note under a fermata, or a long
note ending a two-bar unit) drawn from what Bach's chorales close on under the same melody
degree (:data:`BACH_CLOSES`), the final cadence and the key it closes in, and the bass notes
that would make consecutive fifths or octaves into those chords. The sampler's masks then make
the planned chords (docs/voices.md).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from composer_gui.ml.harmony_tables import (
    CADENCE_ROOT,
    FINAL_THIRD,
    I_TRIAD,
    V7_NOTES,
    V_TRIAD,
    cadence_root,
)
from composer_gui.ml.part_writing import CHROMATIC_WAYS, FALSE_OF, IN_KEY_BITS
from composer_gui.ml.sampler import GenerationRequest
from composer_gui.ml.voices import HOLD, VoiceVocabulary
from composer_gui.music.score import MAJOR_SCALE, KeySignature


@dataclass(frozen=True)
class Melody:
    """The melody a harmonization keeps (the one voice not rewritten): its grid lane, the steps
    of its attacks and their pitch classes (normalized key). The harmonization rules below read
    it; :func:`harmonized_melody` builds it once per request."""
    lane: list[int]
    attacks: list[int]
    pcs: dict[int, int]  # attack step -> pitch class

    def sung(self, start: int, stop: int, beat: int) -> frozenset[int]:
        """The pitch classes the melody sounds in the steps [``start``, ``stop``) for a
        ``beat`` of steps or more, or as its last note there (the one that moves on from it)."""
        sounding, struck = melody_sounding(self, start, stop)
        heard = struck >= 0
        if not heard.any():
            return frozenset()
        notes, steps = np.unique(struck[heard], return_counts=True)
        return frozenset({self.pcs[int(a)] for a, k in zip(notes, steps, strict=True)
                          if k >= beat} | {int(sounding[heard][-1])})


def harmonized_melody(request: GenerationRequest, grid: list[list[int]], rewritten: list[bool],
            key: KeySignature | None, v: VoiceVocabulary) -> Melody | None:
    """The melody being harmonized, or None (not a harmonization, no key, or not one voice)."""
    kept = [i for i in range(len(grid)) if not rewritten[i]]
    if not request.harmonize or key is None or len(kept) != 1:
        return None
    lane = grid[kept[0]]
    attacks = [s for s, tok in enumerate(lane) if tok >= v.pitch_offset]
    pcs = {s: (lane[s] - v.pitch_offset + v.min_pitch) % 12 for s in attacks}
    return Melody(lane, attacks, pcs)


# The final cadence's dominant beat is no V where the melody sounds the subtonic there (C in D
# minor or D Dorian, F in G Mixolydian: its 7-1 is a modal close): V's leading tone would sound
# a semitone from it, in the tune's own note's stead. A fifth listening review heard Scarborough
# Fair's "E D C | D" harmonized with A7, the tenor's C#3 under the melody's C4. The voices
# choose that beat's chord as any other's, and the final tonic stays
SUBTONIC_FREES_DOMINANT = True


def dominant_freed(melody: Melody | None, step: int, beat: int, minor: bool) -> bool:
    """Whether the final cadence's dominant beat at ``step`` is left to the voices: ``melody``
    sounds its key's subtonic, a whole tone below the tonic, in that beat
    (SUBTONIC_FREES_DOMINANT)."""
    if not SUBTONIC_FREES_DOMINANT or melody is None or step < 0:
        return False
    subtonic = (CADENCE_ROOT[(minor, 2)] + 10) % 12
    sounding = []
    first = bisect.bisect_right(melody.attacks, step) - 1
    if first >= 0 and (melody.attacks[first] == step or melody.lane[step] == HOLD):
        sounding.append(melody.attacks[first])  # struck at the beat, or held into it
    sounding += melody.attacks[first + 1:bisect.bisect_left(melody.attacks, step + beat)]
    return any(melody.pcs[a] == subtonic for a in sounding)


def opening_tonic(melody: Melody | None, start_step: int, stop_step: int, minor: bool,
                  section: bool = False) -> int:
    """The step of a harmonization's first chord when it should be the tonic in root position,
    else -1: a melody harmonized from its first note (or, with ``section``, from its first note
    in a section of a new key, which the new key's tonic establishes), that note in the tonic
    triad (as Bach's harmonizations open; a listening review found Ode to Joy opened on I in 2
    of 6 and on vi6 or iii in the rest)."""
    if melody is None or not melody.attacks:
        return -1
    first = next((a for a in melody.attacks if a >= start_step), stop_step) if section \
        else melody.attacks[0]
    if not start_step <= first < stop_step:
        return -1
    return first if melody.pcs[first] in I_TRIAD[minor] else -1


def plan_phrase_closes(melody: Melody | None, fermatas: set[int], start_step: int,
                   last_bar_step: int, bar_steps: list[int], beat: int, minor: bool,
                   rng: np.random.Generator | None = None,
                   keys: dict[int, tuple[bool, int]] | None = None,
                   allowed: int | None = None) -> dict[int, int]:
    """The cadences inside a harmonized melody, {step: 1 for the dominant, 2 for the tonic},
    each chord in root position (``_cadence_mask``), before the last bar. A phrase ends on a
    melody note under a fermata (a chorale's phrase ends), or on one of two beats or more that
    ends a two-bar unit (phrase ends in chorales and tunes fall at the end of bars 2, 4, 6...).
    There, the second or seventh degree is a half close (V). The tonic or its third, reached by
    step from a note of the dominant seventh chord that sounds through the beat before, is a
    full close: V on that beat, I on the note, as Bach closes nearly every phrase that ends on
    the tonic triad. A second listening review found Ode to Joy's bar 4 (E, in D major)
    harmonized with V in 2 of 6 variations, ii6 or iii7 in the rest; the held-out chorale
    melodies had 0.64 authentic cadences per 8 bars against Bach's 1.07 on the same melodies.

    With ``rng``, each phrase close is drawn from :data:`BACH_CLOSES` among the kinds the
    melody allows (:func:`close_choice`); a close in another key (V/V-V, V/vi-vi...) has its
    chords' key written into ``keys`` {step: (minor, shift)} as :func:`closing_key` gives the
    final cadence's; with ``allowed`` (the 12 normalized pitch classes the key lock leaves, as
    bits), only kinds whose chords keep to them."""
    if melody is None:
        return {}
    lane, attacks = melody.lane, melody.attacks
    seconds = V_TRIAD[minor] - I_TRIAD[minor]  # the second and seventh degrees
    tonic, third = CADENCE_ROOT[(minor, 2)], FINAL_THIRD[minor]
    dominant = V7_NOTES[minor]  # V7's pitch classes
    upbeat = bool(attacks) and len(bar_steps) > 1 and 0 < attacks[0] < bar_steps[1]
    first = 3 if upbeat else 2  # after an upbeat the two-bar units start with bar 1
    ends = {bar_steps[b] for b in range(first, len(bar_steps), 2)}
    out: dict[int, int] = {}
    last_chord: tuple[int, bool] | None = None  # the last close drawn (close_choice)
    # the first phrase's closes, up to its end (the first fermata, where the melody marks its
    # phrase ends; else the first close), draw as Bach's first phrases close (close_choice)
    ended = any(f < start_step for f in fermatas)
    # a bar form's repeated first part closes its phrases as the first time did
    repeats = _stollen(melody, fermatas) if REPEATED_PHRASE_CLOSES else {}
    drawn: dict[int, tuple[dict, tuple[int, bool]]] = {}  # fermata step: its close, chord
    for k, s in enumerate(attacks):
        if not start_step <= s < last_bar_step:
            continue
        e = note_end(lane, s)
        if not (s in fermatas or (e - s >= 2 * beat and e in ends)):
            continue
        first = not ended
        ended = ended or s in fermatas or not fermatas
        pc = melody.pcs[s]
        before = s - beat
        prepared_ok = bool(k) and before >= start_step and attacks[0] <= before and \
            before not in out
        model = drawn.get(repeats.get(s, -1))
        if model is not None:
            shifted = {t - repeats[s] + s: close for t, close in model[0].items()}
            if all(t >= start_step and t not in out for t in shifted):
                for t, (which, key) in shifted.items():
                    out[t] = which
                    if key is not None and keys is not None:
                        keys[t] = key
                last_chord = model[1]
                continue
        if rng is not None and keys is not None and BACH_CLOSES:
            chosen = close_choice(melody, k, s, before, prepared_ok, rng, minor, last_chord,
                                  first, allowed)
            if chosen is not None:
                chosen, last_chord = chosen
                drawn[s] = chosen, last_chord
                for t, (which, key) in chosen.items():
                    out[t] = which
                    if key is not None:
                        keys[t] = key
                continue
        if pc in seconds:
            out[s] = 1
            continue
        if pc != tonic and pc not in third:
            continue
        if k == 0 or before < start_step or attacks[0] > before:
            continue
        # the notes sounding from the beat before up to the close: all in V7
        lead = _lead(melody, k, before)
        prev = melody.pcs[attacks[k - 1]]
        step_ok = min((pc - prev) % 12, (prev - pc) % 12) <= 2 and prev != pc
        if step_ok and all(melody.pcs[a] in dominant for a in lead):
            out.setdefault(before, 1)
            out[s] = 2
    return out


# A bar form's first part sung again (the Stollen: the melody's first one, two or three phrases
# repeated note for note right after them, as in Lobe den Herren or Ein feste Burg) closes each
# repeated phrase as its first time closed (plan_phrase_closes): Bach's train chorales close
# 35 of their 40 such repeats on the same chord (a repeat sign, or the same written out), the
# harmonized val melodies x 2 9 of 16; a listening review heard Lobe den Herren's second line
# close on vi where the identical first closed on I, and "the repeat fail"
# (/work/s54/repeats.py, a scratch count). Other repeated phrases Bach closes the same 64 of
# 112 times, and they draw as any phrase does
REPEATED_PHRASE_CLOSES = True


def _stollen(melody: Melody, fermatas: set[int]) -> dict[int, int]:
    """{fermata step: the fermata step of the phrase it repeats} where the melody's first one,
    two or three phrases (each up to and with its fermata's note) come again note for note
    right after them (the fermata notes' lengths aside); {} where they do not."""
    lane, ends = melody.lane, sorted(fermatas)
    phrases, after = [], -1
    for f in ends:
        notes = [a for a in melody.attacks if after < a <= f]
        phrases.append(tuple((lane[a], a == f or note_end(lane, a) - a) for a in notes))
        after = f
    for n in (1, 2, 3):
        if 2 * n <= len(ends) and all(len(p) >= 2 for p in phrases[:n]) and \
                phrases[:n] == phrases[n:2 * n]:
            return {ends[n + i]: ends[i] for i in range(n)}
    return {}


def _lead(melody: Melody, k: int, before: int) -> list[int]:
    """The melody's attacks sounding from step ``before`` up to its ``k``-th attack."""
    attacks = melody.attacks
    return [a for a in attacks[:k] if a > before] + [max(a for a in attacks[:k] if a <= before)]


# The chord a harmonized melody's phrase closes on, drawn from Bach's own choices under the same
# melody degree: {minor home key: {melody degree: ((root degree, minor triad, prepared by its
# dominant a beat before), count), ...}}, the degrees from the home tonic. Counted on the
# bach-chorales train split's interior fermatas whose chord is a major or minor triad in root
# position, kinds seen at least 4 times (`python bench/fermata_closes.py --table`). Among the
# kinds the melody's notes allow (close_choice) one is drawn by its count. A listening review
# heard harmonizations whose phrases all close on the tonic; the test melodies' interior
# fermatas closed on the tonic triad 31% / 46% of the time in major / minor (Bach 23% / 26%)
# and on other root-position triads than I and V 9% / 12% (Bach 30% / 47%), in minor on i
# under the third degree, where Bach closes on III (bench/fermata_closes.py --no-bach-closes).
BACH_CLOSES: dict[bool, dict[int, tuple[tuple[tuple[int, bool, bool], int], ...]]] = {
    False: {
        0: (((0, False, True), 114), ((0, False, False), 52), ((9, True, False), 28),
            ((5, False, True), 16), ((9, True, True), 12), ((5, False, False), 7)),
        2: (((7, False, False), 83), ((2, True, True), 13), ((7, False, True), 8),
            ((2, True, False), 6)),
        4: (((0, False, True), 58), ((0, False, False), 35), ((9, False, False), 21),
            ((4, False, False), 14)),
        5: (((5, False, True), 9), ((2, True, False), 9), ((5, False, False), 4),
            ((2, True, True), 4)),
        7: (((7, False, True), 92), ((7, False, False), 47), ((0, False, False), 14),
            ((4, True, False), 10)),
        9: (((9, True, True), 10), ((5, False, False), 8), ((5, False, True), 7),
            ((2, False, False), 6), ((9, True, False), 4)),
        11: (((7, False, True), 23), ((7, False, False), 22), ((4, False, False), 14)),
    },
    True: {
        0: (((0, True, True), 100), ((0, True, False), 31), ((8, False, False), 15),
            ((5, False, False), 5)),
        2: (((7, False, False), 90), ((10, False, False), 15), ((10, False, True), 13)),
        3: (((3, False, True), 64), ((3, False, False), 23), ((0, True, False), 6),
            ((8, False, True), 4), ((8, False, False), 4)),
        5: (((5, True, True), 17), ((10, False, False), 16), ((5, True, False), 5)),
        7: (((7, False, False), 47), ((3, False, True), 22), ((3, False, False), 16),
            ((7, False, True), 15), ((0, True, False), 6), ((7, True, True), 5)),
        8: (((8, False, True), 4),),
        10: (((10, False, True), 21), ((10, False, False), 7), ((7, True, False), 7),
             ((7, True, True), 4)),
        11: (((7, False, False), 19),),
    },
}
# ... and the first phrase's close, drawn from Bach's first interior fermatas alone (the same
# count, `python bench/fermata_closes.py --table --position first`): his first phrase closes
# in the home key (in major on I, V or IV: under the third degree I 47 of 54, against 60 of
# 111 later, where VI and III, the dominants of ii and vi, take 38). A fourth listening review heard
# three hymns' first phrases closed away: Silent Night's "holy night" (D4 in B-flat) on G
# major, Joy to the World's "the Lord is come" (D4 in D) on B minor through F#7, Hark the
# Herald's "new-born King" (B4 in G) on B major. A degree the table lacks, or no kind the
# notes allow, draws from BACH_CLOSES
BACH_FIRST_CLOSES: dict[bool, dict[int, tuple[tuple[tuple[int, bool, bool], int], ...]]] = {
    False: {
        0: (((0, False, False), 17), ((0, False, True), 16), ((5, False, True), 4)),
        2: (((7, False, False), 15),),
        4: (((0, False, True), 32), ((0, False, False), 9)),
        5: (((5, False, True), 4),),
        7: (((7, False, True), 15), ((0, False, False), 6), ((7, False, False), 6)),
    },
    True: {
        0: (((0, True, True), 21), ((0, True, False), 14)),
        2: (((7, False, False), 21),),
        3: (((3, False, True), 10),),
        7: (((7, False, False), 16), ((3, False, True), 5)),
    },
}
# ... and a kind that closes on the chord the last close drawn closed on weighs this times its
# count: a listening review heard one harmonization close 12 of its 17 phrases on G major, and
# the harmonized test melodies closed two phrases running on the same chord 20% of the time,
# three running 20 times (Bach 12%, once)
REPEATED_CLOSE_WEIGHT = 0.3
# ... a major triad not prepared by its dominant closes as a half close (V of the key a fifth
# below, its seventh left out: HALF_CLOSE_TRIAD) on these root degrees: V, and the secondary
# dominants Bach's half closes stand on (III: V of vi, VI: V of ii, II: V of V; in minor
# VII: V of III); on the others (I, IV; III, VI in minor) it is that triad's tonic
HALF_CLOSE_ROOTS = {False: {7: False, 4: True, 9: True, 2: False}, True: {7: True, 10: False}}
# (the mode of the key each half close is the dominant of, by the chord's root degree)


# ... and where the melody reaches the close's note a semitone up from a note off the key (A#-B
# in A major: its own leading tone), the chord stands on that note where a kind allows it (B
# minor, prepared by F#7). Bach's train chorales close on the note so led to, in root position,
# at 63 of 77 such interior fermatas; the harmonized test / val melodies x 2 at 7 / 6 of 16
# (Bach's own 5 / 6 of 8; 10 / 10 of 16 with this rule, a scratch count), and a third
# listening review heard BWV 347's A#4-B4 closed on E
# (off the key as part_writing.CHROMATIC_WAYS has it: a minor key's raised notes are in it)
LEADING_CLOSES = True


def key_of(root: int, minor_triad: bool) -> tuple[bool, int]:
    """(minor, shift): the key whose tonic triad is the normalized ``root``'s triad."""
    return minor_triad, (root - (9 if minor_triad else 0)) % 12


def close_choice(melody: Melody, k: int, s: int, before: int, prepared_ok: bool,
                  rng: np.random.Generator, minor: bool,
                  last: tuple[int, bool] | None = None, first: bool = False,
                  allowed: int | None = None
                  ) -> tuple[dict[int, tuple[int, tuple[bool, int] | None]],
                             tuple[int, bool]] | None:
    """The phrase close on the melody's ``k``-th attack (step ``s``), drawn from
    :data:`BACH_CLOSES` among the kinds its notes allow, and its chord (normalized root,
    minor): {step: (1 dominant or 2 tonic, key (minor, shift) or None for the home key)}, the
    close at ``s`` and, when prepared, its dominant at ``before``; None where the table has no
    kind the notes allow. A kind closing on the chord of the ``last`` close drawn weighs
    :data:`REPEATED_CLOSE_WEIGHT` times its count. The melody's
    note is in the triad; a prepared close (``prepared_ok``: the beat before is the
    harmonization's and no close) also has the notes from the beat before in that triad's
    dominant seventh chord, the last stepping to it (the seventh falling, the leading tone
    rising a semitone): A-G or C-B over D7-G. The melody's ``first`` phrase close draws from
    :data:`BACH_FIRST_CLOSES` where that table offers a kind the notes allow. With
    ``allowed`` (normalized pitch classes as bits: the key lock's), a kind whose triad, or
    whose dominant where prepared, strikes another note is left out."""
    if first and BACH_FIRST_CLOSES:
        chosen = _drawn_close(BACH_FIRST_CLOSES, melody, k, s, before, prepared_ok, rng, minor,
                              last, allowed)
        if chosen is not None:
            return chosen
    return _drawn_close(BACH_CLOSES, melody, k, s, before, prepared_ok, rng, minor, last,
                        allowed)


def _triad_bits(root: int, minor_triad: bool) -> int:
    """The 12-bit pitch-class set of the major or minor triad on ``root``."""
    return (1 << root % 12) | (1 << (root + (3 if minor_triad else 4)) % 12) | \
        (1 << (root + 7) % 12)


def key_fits(allowed: int, key: tuple[bool, int]) -> bool:
    """Whether the tonic triad of ``key`` ((minor, shift) as :func:`closing_key` gives it)
    keeps to the pitch classes ``allowed`` (bits, normalized). Its dominant need not: an A
    minor tune ending on D under the lock closes v7-i in D minor (A-E-G over A, then D), where
    without the close the model's own last chord stood (D major's F#, against the tune)."""
    local_minor, shift = key
    tonic = (CADENCE_ROOT[(local_minor, 2)] + shift) % 12
    return _triad_bits(tonic, local_minor) & ~allowed == 0


# A phrase close is not drawn on a chord that spells a letter of the melody's last notes outside
# the key another way (B natural in V after the melody's B-flat), where another kind is in
# reach: the notes the melody strikes in the CLOSE_ACCIDENTAL_BEATS beats up to the close. A
# listening review heard BWV 284's melody (B-flat and E-flat in C major) closed on V with B
# natural two beats after its B-flat. 0 turns it off.
CLOSE_ACCIDENTAL_BEATS = 4


def _accidental_clashes(melody: Melody, s: int, beat: int, minor: bool) -> int:
    """The pitch classes (bits) that spell a letter of the melody's notes outside the key,
    struck in the CLOSE_ACCIDENTAL_BEATS beats up to step ``s``, another way."""
    lo = bisect.bisect_left(melody.attacks, s - CLOSE_ACCIDENTAL_BEATS * beat)
    hi = bisect.bisect_right(melody.attacks, s)
    bits = 0
    for a in melody.attacks[lo:hi]:
        bits |= 1 << melody.pcs[a]
    outside = bits & ~IN_KEY_BITS[minor] & 0xFFF
    return int(FALSE_OF[minor][outside]) if outside else 0


def _drawn_close(table: dict, melody: Melody, k: int, s: int, before: int, prepared_ok: bool,
                 rng: np.random.Generator, minor: bool, last: tuple[int, bool] | None,
                 allowed: int | None = None
                 ) -> tuple[dict[int, tuple[int, tuple[bool, int] | None]],
                            tuple[int, bool]] | None:
    """:func:`close_choice` from one table."""
    pc = melody.pcs[s]
    home = CADENCE_ROOT[(minor, 2)]
    degree = (pc - home) % 12
    prev = melody.pcs[melody.attacks[k - 1]] if k else -1
    lead = {melody.pcs[a] for a in _lead(melody, k, before)} if prepared_ok else set()
    options: list[tuple[float, dict[int, tuple[int, tuple[bool, int] | None]],
                        tuple[int, bool]]] = []
    clashes = _accidental_clashes(melody, s, s - before, minor) \
        if CLOSE_ACCIDENTAL_BEATS and s > before else 0
    clashing: list[tuple[float, dict[int, tuple[int, tuple[bool, int] | None]],
                         tuple[int, bool]]] = []  # (the options whose chords clash)
    for (root_degree, minor_triad, prepared), count in table[minor].get(degree, ()):
        root = (home + root_degree) % 12
        chord = (root, minor_triad)
        if chord == last:
            count *= REPEATED_CLOSE_WEIGHT
        if pc not in {root, (root + (3 if minor_triad else 4)) % 12, (root + 7) % 12}:
            continue
        chord_bits = _triad_bits(root, minor_triad) | (
            _triad_bits(root + 7, False) if prepared else 0)
        if allowed is not None and chord_bits & ~allowed:
            continue
        kept = clashing if chord_bits & clashes else options
        key: tuple[bool, int] | None = key_of(root, minor_triad)
        if key == (minor, 0):
            key = None
        if prepared:
            if not prepared_ok:
                continue
            dom = (root + 7) % 12
            seventh, leading = (dom + 10) % 12, (dom + 4) % 12
            step = (pc - prev) % 12
            if not (lead <= {dom, leading, (dom + 7) % 12, seventh} and prev != pc
                    and min(step, 12 - step) <= 2 and (prev != seventh or step == 11)
                    and (prev != leading or step == 1)):
                continue
            kept.append((count, {before: (1, key), s: (2, key)}, chord))
        elif not minor_triad and root_degree in HALF_CLOSE_ROOTS[minor]:
            local = key_of((root + 5) % 12, HALF_CLOSE_ROOTS[minor][root_degree])
            kept.append((count, {s: (1, None if local == (minor, 0) else local)}, chord))
        else:
            kept.append((count, {s: (2, key)}, chord))
    options = options or clashing
    if not options:
        return None
    if LEADING_CLOSES and prev >= 0 and (pc - prev) % 12 == 1 and CHROMATIC_WAYS[minor][prev]:
        led = [o for o in options if o[2][0] == pc]  # the note led to is the chord's root
        options = led or options
    w = np.array([o[0] for o in options], float)
    _, closes, chord = options[int(rng.choice(len(options), p=w / w.sum()))]
    return closes, chord


# A phrase close on a tonic triad that the plan does not prepare with its root-position V (a
# BACH_CLOSES kind without "prepared") still has its dominant a beat before, in any inversion
# (V6, V4/3, vii°6), where the melody's note there belongs to it: the voices below make that
# chord (cadence_rules._soft_dominant_mask). Bach's train chorales approach 87% of their interior
# closes on a root-position tonic triad (I, i, III, vi...; half closes aside) with the close's
# V or vii° on the beat or half a beat before; the harmonized test melodies x 2 did 59% (130
# of 221), and a listening review heard ii6-I, vi6-I and I6-I at fermatas as no cadence
# (/work/s60/scripts/approach.py, a scratch count). VI in minor is left out: Bach reaches it
# from the home key's V (a deceptive close) as often as from its own
UNPREPARED_DOMINANT = True


def approach_dominants(melody: Melody | None, closes: dict[int, int], start_step: int,
                       beat: int, minor: bool, keys: dict[int, tuple[bool, int]] | None,
                       allowed: int | None = None) -> dict[int, tuple[bool, int]]:
    """{step: key (minor, shift)}: the beats before the tonic closes in ``closes`` that no
    planned dominant prepares, where the melody's note sounding there is a note of the close
    key's V7 (UNPREPARED_DOMINANT); ``keys``: the closes planned away from the home key. With
    ``allowed`` (normalized pitch classes as bits: the key lock's, or a quick tune's own and
    its key's, as plan_phrase_closes takes them), only where the dominant triad keeps to
    them (a minor reel that never sings the leading tone is not given one)."""
    if not UNPREPARED_DOMINANT or melody is None:
        return {}
    out: dict[int, tuple[bool, int]] = {}
    for s, which in closes.items():
        before = s - beat
        if which != 2 or before < start_step or before in closes:
            continue
        key = (keys or {}).get(s) or (minor, 0)
        if minor and key == (False, 5):  # VI in minor (F in A): the home V's deceptive close
            continue
        a = bisect.bisect_right(melody.attacks, before) - 1
        if a < 0 or any(melody.lane[t] != HOLD for t in range(melody.attacks[a] + 1,
                                                                before + 1)):
            continue  # the melody rests there
        pc = (melody.pcs[melody.attacks[a]] - key[1]) % 12
        dominant = _triad_bits(CADENCE_ROOT[(key[0], 1)] + key[1], False)
        if pc in V7_NOTES[key[0]] and (allowed is None or not dominant & ~allowed):
            out[before] = key
    return out


def held_close_steps(melody: Melody | None, closes: dict[int, int]) -> dict[int, int]:
    """{step: 1 or 2} for the steps after a phrase close (``plan_phrase_closes``) while the melody
    holds the close's note."""
    out: dict[int, int] = {}
    if melody is None:
        return out
    for s, which in closes.items():
        out.update(dict.fromkeys(range(s + 1, note_end(melody.lane, s)), which))
    return out


def note_end(lane: list[int], s: int) -> int:
    """The step after the note struck at step ``s`` of ``lane``: the first that does not hold
    it."""
    e = s + 1
    while e < len(lane) and lane[e] == HOLD:
        e += 1
    return e


def melody_sounding(melody: Melody, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """([stop - start] the pitch class the melody sounds at each step, -1 where it rests;
    [stop - start] the step its note there was struck, -1 where it rests)."""
    sounding = np.full(stop - start, -1)
    struck = np.full(stop - start, -1)
    for k, a in enumerate(melody.attacks):
        if a >= stop:
            break
        end = melody.attacks[k + 1] if k + 1 < len(melody.attacks) else stop
        end = min(end, note_end(melody.lane, a), stop)
        if end > start:
            sounding[max(a, start) - start:end - start] = melody.pcs[a]
            struck[max(a, start) - start:end - start] = a
    return sounding, struck


# A quick melody's final tonic comes where the melody arrives on the tonic chord, a beat or more
# before its last note if it stays in the chord from there: a listening review heard V held
# under a polka's F# (D major) and a reel's "d2 f2", the tonic only on the last note's beat.
# A beat stays in the chord when its first note and this share of its duration are in it
ARRIVAL_SHARE = 0.75


def tonic_arrival(melody: Melody, step: int, floor: int, stride: int, minor: bool) -> int:
    """The step of a quick melody's final tonic chord: ``step`` (the beat its last note sounds
    in), moved back a chord span (``stride``) at a time, no earlier than ``floor`` (its bar
    line), while the melody in the span before stays in the tonic triad (ARRIVAL_SHARE)."""
    triad = I_TRIAD[minor]
    while step - stride >= floor:
        sounding, _ = melody_sounding(melody, step - stride, step)
        heard = sounding >= 0
        if not heard.any() or sounding[0] not in triad or \
                np.isin(sounding[heard], list(triad)).mean() < ARRIVAL_SHARE:
            break
        step -= stride
    return step


def bass_to_avoid(melody: Melody | None, closes: dict[int, int], opening: int, close: int,
                last_beat: int, beat: int, minor: bool,
                close_key: tuple[bool, int] | None = None,
                close_keys: dict[int, tuple[bool, int]] | None = None
                ) -> dict[int, frozenset[int]]:
    """For a harmonized melody: at the steps of the beat before each chord whose root the
    cadence rules put in the bass (the phrase closes, the final V and I, the opening I), the
    bass pitch classes that would make with the melody a fifth or an octave that the root
    repeats (consecutive fifths or octaves the cadence would force: the evaluation's chorale
    melodies had 0.12 outer parallels per 8 bars with the phrase closes, mostly vi-V under the
    melody's 3-2 at a half close, against 0.02 without). ``close_keys``: the phrase closes
    planned in another key (:func:`plan_phrase_closes`). {step: pitch classes}."""
    if melody is None:
        return {}
    chords = dict(closes)
    if close:  # the final cadence: V on the beat before the last (a full close), the close
        chords.setdefault(last_beat, close)
        if close == 2:
            chords.setdefault(last_beat - beat, 1)
    if opening >= 0:
        chords.setdefault(opening, 2)
    out: dict[int, set[int]] = {}
    lane = melody.lane

    def sounding(t: int) -> int | None:  # the melody's pitch class at step t
        a = bisect.bisect_right(melody.attacks, t) - 1
        if a < 0:
            return None
        s = melody.attacks[a]
        return melody.pcs[s] if all(lane[x] == HOLD for x in range(s + 1, t + 1)) else None

    for c, which in chords.items():
        top = sounding(c)
        if top is None:
            continue
        mode, shift = (close_key if close_key and close and c in (last_beat, last_beat - beat)
                       else (close_keys or {}).get(c, (minor, 0)))
        interval = (top - cadence_root(mode, which, shift)) % 12
        if interval not in (0, 7):
            continue
        for t in range(max(0, c - beat), c):
            before = sounding(t)
            if before is not None and before != top:
                out.setdefault(t, set()).add((before - interval) % 12)
    return {t: frozenset(v) for t, v in out.items()}


def melody_final_step(melody: Melody | None, last_bar_step: int, stop_step: int,
                       last_beat: int) -> int:
    """Where a harmonized melody's final chord starts: with the melody's last note when that
    starts in the last bar, so the close sounds under the final note and not under the one
    before it (a note later than the strong beat, :func:`_final_chord_step`), and the dominant
    under the note before (a final whole note on the downbeat had had V struck under it on beat
    2, the leading tone against the held tonic); else ``last_beat``. A last note struck again
    on the same pitch class in the last bar (bwv366's D5 half, D5 quarter) arrived at its first
    strike: the close sounds from there (a listening review heard V under the first D5, the
    dominant's C# against the melody's tonic)."""
    if melody is None:
        return last_beat
    inside = [s for s in melody.attacks if last_bar_step <= s < stop_step]
    if not inside:
        # the last note struck in a bar before and held to the end (bwv10.7's G, four bars):
        # the close sounds from its strike, not under it at the end (V against the tonic; a
        # listening review heard the voices below stand on VI for three bars, then V-I crammed
        # under the held G)
        held = [s for s in melody.attacks if s < last_bar_step]
        if held and all(t == HOLD for t in melody.lane[held[-1] + 1:stop_step]):
            return held[-1]
        return last_beat
    k = len(inside) - 1
    while k and melody.pcs[inside[k - 1]] == melody.pcs[inside[-1]]:
        k -= 1
    return inside[k]


# A melody that arrives in its last bar and then runs on in a few quicker notes (an opening cut
# where a tune's strain leads back: "D2 dc", "d3 B/c/") ends at its arrival: the close goes under
# it and stands under the notes after it (PICKUP_AFTER_ARRIVAL). A listening review heard 4 of 8
# harmonized folk openings close under their last eighth (iv under "d c" in G minor, the
# half close on an air's last quaver); the val tunes' 8-bar openings that stop on a note
# shorter than a beat closed on a root other than I or V 27% of the time, now 8%
# (bench/quick_harmony.py --endings, docs/voices.md)
PICKUP_AFTER_ARRIVAL = True


def pickup_arrival(melody: Melody | None, last_bar_step: int, stop_step: int, beat: int,
                   minor: bool) -> int | None:
    """The step of the melody's arrival in its last bar when the notes after it are a pickup:
    the last note there that lasts half a beat or more, on a note of the tonic or dominant
    triad, that is followed by notes each shorter than it within a beat and within its own
    length (rests between them counted), the last of them off the tonic triad; None where
    there is no such note, or the last note is itself the arrival (:func:`melody_final_step`
    then decides): a last note on the tonic triad ends the melody there however short it is
    (a chorale's closing quarter after a half, "A2 G", in a bar an upbeat shortened)."""
    if melody is None or not PICKUP_AFTER_ARRIVAL:
        return None
    inside = [s for s in melody.attacks if last_bar_step <= s < stop_step]
    if not inside or melody.pcs[inside[-1]] in I_TRIAD[minor]:
        return None
    ends = {s: min(note_end(melody.lane, s), stop_step) for s in inside}
    for k in range(len(inside) - 2, -1, -1):
        a = inside[k]
        length = ends[a] - a
        if 2 * length < beat or stop_step - ends[a] > min(beat, length):
            continue
        if all(ends[s] - s < length for s in inside[k + 1:]):
            pc = melody.pcs[a]
            return a if pc in I_TRIAD[minor] or pc in V_TRIAD[minor] else None
    return None


def melody_close(melody: Melody | None, last_beat: int, minor: bool) -> int:
    """The final chord of a harmonized melody that ends the piece: 2 (the tonic, V-I) when its
    last note is in the tonic triad, 1 (the dominant in root position: a half cadence) when it
    is in the dominant triad, 0 (the model's chord) otherwise. Not harmonizing: 2. A listening
    review found Old Hundredth's first phrase, ending on the second degree, harmonized with a
    tonic chord under it in 3 of 3 variations."""
    if melody is None:
        return 2
    before = [s for s in melody.attacks if s <= last_beat]
    if not before:
        return 2
    pc = melody.pcs[before[-1]]
    if pc in I_TRIAD[minor]:
        return 2
    return 1 if pc in V_TRIAD[minor] else 0


DIATONIC = frozenset(MAJOR_SCALE)  # the normalized keys' notes (C major, A minor)


def closing_key(melody: Melody | None, last_beat: int, bar_steps: list[int], beat: int
                 ) -> tuple[bool, int] | None:
    """For a harmonized melody whose last note is in neither the tonic nor the dominant triad
    (:func:`melody_close` 0): the key it closes in, (minor, semitones from the normalized
    tonic of that mode to its tonic), with the last note as its tonic, minor when the last two
    bars sound its minor third and not its major one (where they sound neither, minor when the
    home key's notes hold the minor third: iv or vi, not IV or VI). A chorale tune that ends in
    the key of its dominant (BWV 127.5: B-natural, C, D, C, B-natural, C under one flat) had
    been left to the model's last chord, and a listening review heard it end on A minor over G;
    Bach closes it G-C. None without a last note, or where the melody's notes on the beat before
    do not belong to that key's dominant seventh (then the model's chord stands, as before)."""
    if melody is None:
        return None
    before = [t for t in melody.attacks if t <= last_beat]
    if len(before) < 2:
        return None
    tonic = melody.pcs[before[-1]]
    bar = bisect.bisect_right(bar_steps, last_beat) - 1
    since = bar_steps[max(0, bar - 1)] if bar >= 0 else 0
    recent = {melody.pcs[t] for t in before if t >= since}
    minor_third, major_third = (tonic + 3) % 12 in recent, (tonic + 4) % 12 in recent
    if minor_third == major_third:  # neither (or both) heard: the home key's own third
        # (normalized, C major and A minor share their notes: an E minor tune ending on A had
        # closed on A major, its G# against the tune's G naturals; a review heard the false
        # relation, where iv, A minor, keeps the key)
        minor_third = (tonic + 3) % 12 in DIATONIC and (tonic + 4) % 12 not in DIATONIC
    local_minor = minor_third
    shift = (tonic - CADENCE_ROOT[(local_minor, 2)]) % 12
    dominant = {(x + shift) % 12 for x in V7_NOTES[local_minor]}
    sounding = [t for t in before[:-1] if t <= last_beat - beat]  # at the dominant's beat
    lead = [t for t in before[:-1] if t > last_beat - beat] + sounding[-1:]
    if not all(melody.pcs[t] in dominant for t in lead):
        return None
    return local_minor, shift


def real_key(close_key: tuple[bool, int], shift: int) -> KeySignature:
    """The closing key of :func:`closing_key` in the score's own pitch (``shift``: the
    normalizing transposition)."""
    local_minor, offset = close_key
    tonic = (CADENCE_ROOT[(local_minor, 2)] + offset - shift) % 12
    return KeySignature.from_tonic(tonic, "minor" if local_minor else "major")
