"""Where a continuation's phrases and closing chord fall (docs/voices.md): the strong beats and
the sketch's phrase places, the closing chord's step on the phrase grid, an upbeat's short last
bar, and the frames of planned cadences. Grid arithmetic only: no model, no pitches.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import replace
from typing import TYPE_CHECKING

from composer_gui.ml.harmony_tables import cadence_root
from composer_gui.ml.sampler import GenerationRequest
from composer_gui.music.score import Note, Score

if TYPE_CHECKING:
    from composer_gui.ml.voice_sampler import _Frame


def _fermata_places(fermata_steps: set[int], start_step: int, bar_steps: list[int],
                    bar_len: int) -> frozenset[int]:
    """The positions in the bar (steps) of the score's fermatas before ``start_step``, in bars
    of ``bar_len`` steps (a pickup bar, or a bar in another meter, says nothing)."""
    out = set()
    for f in fermata_steps:
        b = bisect.bisect_right(bar_steps, f) - 1
        if f < start_step and 0 <= b < len(bar_steps) - 1 and \
                bar_steps[b + 1] - bar_steps[b] == bar_len:
            out.add(f - bar_steps[b])
    return frozenset(out)


def sketch_phrase(fermata_steps: set[int], first_step: int, start_step: int, bar_len: int,
                  shortest: int, longest: int) -> int:
    """The steps of the sketch's own phrases (voice_sampler.SKETCH_PHRASES) where they are
    regular and shorter than a long phrase: its phrase ends before ``start_step`` (two or more)
    lie one whole number of bars (``bar_len`` steps) apart, at least ``shortest`` and less than
    ``longest``, and the first lies no further from the sketch's first note (``first_step``)
    than that; else 0. A composer's 2-bar phrases in 3/4 were continued in 4-bar ones, Bach's
    length in that meter; irregular ends (a 6-beat phrase among 8-beat ones) are Bach's own
    and leave his lengths."""
    ends = sorted(f for f in fermata_steps if first_step <= f < start_step)
    gaps = {b - a for a, b in itertools.pairwise(ends)}
    if len(ends) < 2 or len(gaps) != 1:
        return 0
    period = gaps.pop()
    if bar_len <= 0 or period % bar_len or not shortest <= period < longest or \
            ends[0] - first_step > period:
        return 0
    return period


def held_end(top: list[Note], stop: int, beat_ticks: int, step: int) -> int | None:
    """The grid step of the top line's last note before tick ``stop`` where it sounds two
    beats or more and up to ``stop`` (a sketch closing a phrase on a held note), else None
    (voice_sampler.SKETCH_END_HEARD)."""
    last = max((n for n in top if n.start < stop), key=lambda n: n.start, default=None)
    if last is None or last.end < stop or stop - last.start < 2 * beat_ticks:
        return None
    return last.start // step


# A long phrase, in beats: Bach's commonest (two bars of 4/4). The sampler's phrase-end bonuses
# wait for it (voice_sampler.PHRASE_CADENCE_BONUS), and the phrase grid keeps whole ones
LONG_PHRASE_BEATS = 8


def _strong_frames(frames: list[_Frame], beat_steps: int) -> list[bool]:
    """Per frame: on the downbeat, or on the middle beat of a bar of an even number of beats."""
    starts = [f.step - f.pos for f in frames]
    ends = sorted(set(starts))
    length = {a: b - a for a, b in itertools.pairwise(ends)}
    out = []
    for f, start in zip(frames, starts, strict=True):
        bar = length.get(start) or (length[ends[-2]] if len(ends) > 1 else 0)
        half = bar // 2
        out.append(f.pos == 0 or (bar % (2 * beat_steps) == 0 and f.pos == half))
    return out


def _ending(request: GenerationRequest, region: bool, runs_on: bool) -> str:
    """"cadence" or "free": the request's, else a cadence for a region (or a harmonization)
    and for a continuation that ends the piece; free for one that kept music follows
    (``runs_on``: a part not rewritten goes on). A continuation from inside the sketch
    (``--from-bar``) replaces the rest and ends the piece: a listening review found all 8 such
    chorale continuations ending on no cadence when they were left free."""
    return request.end or ("cadence" if region or not runs_on else "free")


def _upbeat_cut(score: Score, stop: int, step: int) -> int:
    """Ticks to take off the last bar of a continuation that ends the piece with a cadence:
    the score's upbeat (on the grid); 0 without one, or where the short bar would hold less
    than a beat. The notation writer then writes the last bar short (musicxml_writer: the last
    bar completes the upbeat). A harmonization is a region and keeps its bars."""
    upbeat = score.upbeat // step * step
    if not upbeat:
        return 0
    last_bar = score.bar_start(score.bar_at(stop - 1))
    if stop - upbeat - last_bar < score.time_signature_at(last_bar).beat_ticks:
        return 0
    return upbeat


def _two_strong_beats(bar_steps: int, beat: int) -> bool:
    """Whether a bar has a strong middle beat beside its downbeat (4/4, 12/8: an even number of
    four beats or more)."""
    beats = bar_steps // beat
    return beats >= 4 and beats % 2 == 0


def _final_chord_step(bar_step: int, stop_step: int, beat: int, after: int | None = None,
                      unit: int = 0, place: int | None = None) -> int:
    """Where the cadence option's final tonic starts: on a strong beat, so that it is held as
    an ending is. A bar of four beats or more ends on its middle beat (a half note in 4/4, as
    chorale phrases close); shorter bars on the downbeat (a dotted half in 3/4, a whole bar in
    2/4 and 6/8), the dominant then on the last beat of the bar before.

    ``after`` (the sketch's last phrase end) and ``unit`` (a phrase's steps): a bar with both
    strong beats ends on the downbeat where that leaves the phrases from ``after`` nearer whole
    units (FINAL_ON_PHRASE_GRID: 36 beats from a fermata on beat 3 make 8 + 8 + 8 + 12, or a
    4-beat phrase; 34 make 8 + 8 + 8 + 10, Bach's second commonest last phrase). ``place``
    (steps into the bar where the sketch's phrases end, with ``unit`` their length in a bar of
    one strong beat: voice_sampler.SKETCH_PHRASES): there, where that is on their grid and the
    downbeat is not (2-bar phrases closing on beat 2 of 3/4 close the piece on beat 2 too)."""
    beats = (stop_step - bar_step) // beat
    if place is not None and unit > 0 and after is not None and after < bar_step and \
            not _two_strong_beats(stop_step - bar_step, beat) and \
            place > 0 and bar_step + place < stop_step and \
            _grid_off(bar_step + place - after, unit) < _grid_off(bar_step - after, unit):
        return bar_step + place
    if _two_strong_beats(stop_step - bar_step, beat):
        middle = bar_step + beats // 2 * beat
        if after is not None and unit > 0 and after < bar_step:
            return bar_step if _grid_off(bar_step - after, unit) < \
                _grid_off(middle - after, unit) else middle
        return middle
    return bar_step


# A tune in a bar of two beats (2/2, 2/4, 6/8) ends on the last beat of its last bar, the
# tonic reached by a figure on the first (a jig's "fed d2"), not held through the whole bar:
# the folk val tunes end on their last bar's last beat in 147 of the 241 in those meters (held
# from the downbeat for more than a beat: 3), and with the final on the
# downbeat the folk model's cadence endings were one note filling the last bar in 78 of 80
# (a listening review: "a long held tonic instead of a struck cadence figure"). Bars of three
# beats (3/4 airs end on a half note from the downbeat) and of four keep _final_chord_step.
LINE_FINAL_ON_LAST_BEAT = True
# ... and so does a slip jig (9/8: three compound beats), and a bar of four beats short by an
# upbeat closes on the meter's middle beat, not its downbeat. A fiddler's review of folk
# continuations read the tonic held through the whole last bar, tied (a dotted half and an
# eighth in a reel after an eighth's pickup, a dotted half and a dotted quarter in a slip
# jig), in 44 of 144; the 7-eighth bar had been heard as one of three beats. Aird's and
# O'Neill's tunes strike their last note in the last beat (9/8: 37 of 37, 21 on it) or, in
# 4/4 after an eighth's pickup, on beat 3 or 4 (61 of 65; none from the downbeat; a scratch
# count, /work/s61/finalbar.py and final98.py); beat 3 leaves the tonic a dotted quarter.
LINE_FINAL_SHORT_BARS = True


def _line_final_step(bar_step: int, stop_step: int, beat: int, bar_beats: int,
                     compound: bool = False) -> int:
    """Where a melody's final tonic starts in its last bar (``bar_beats``: the meter's beats
    to the bar, the last bar maybe short by an upbeat; ``compound``: its beats are dotted): the
    last beat that starts in it, in a meter of two beats (LINE_FINAL_ON_LAST_BEAT) or of three
    dotted ones; the middle beat of four (LINE_FINAL_SHORT_BARS); else
    :func:`_final_chord_step`."""
    last = bar_step + (stop_step - 1 - bar_step) // beat * beat
    if LINE_FINAL_ON_LAST_BEAT and bar_beats == 2 and stop_step > bar_step:
        return last
    if LINE_FINAL_SHORT_BARS and stop_step > bar_step:
        if compound and bar_beats == 3:
            return last
        if bar_beats >= 4 and bar_beats % 2 == 0:
            return min(bar_step + bar_beats // 2 * beat, last)
    return _final_chord_step(bar_step, stop_step, beat)


# A tune is made of strains of 8 bars (an Irish reel's or jig's A and B parts), counted from its
# first full bar: the restatement pull stays within one (tune_rules.RESTATE_IN_STRAIN), and a
# continuation closes each strain that ends before its own last bar (STRAIN_CLOSE)
STRAIN_BARS = 8


def first_full_bar(score: Score) -> int:
    """The index of a tune's first full bar, where its strains are counted from: 1 after an
    upbeat, whether the score marks it (``pickup``) or writes it as a bar opening with rests
    for half of it or more (a MIDI file's, the voice grid's own reading of a tune); else 0."""
    if score.pickup:
        return 1
    first = min((n.start for n in score.notes), default=0)
    return 1 if score.bar_count() > 1 and 2 * first >= score.bar_start(1) else 0


# A tune closes its first strain on the tonic where it runs in a dance's notes: at least this
# many onsets a bar in its sketch's full bars, in any meter but simple triple (a slip jig's 9/8
# is compound). O'Neill's and Ryan's train and val tunes whose first 4 bars have 5 notes a bar
# or more close bar 8 on the tonic 66% of the time (2,047 tunes), the rest 37% (406); the
# Essen songs 47% (80) and 19% (493). Tunes in simple triple meter (3/4 waltzes and airs, 3/8,
# 3/2) close there 11-18% whatever their pace (scratch counts, docs/voices.md). A listening
# review heard German songs, Twinkle Twinkle and Amazing Grace given a full close at bar 8
# where they make a half close (bench/strain_close.py --split essen)
STRAIN_MIN_ONSETS = 4.5


def running_tune(score: Score, stop: int) -> bool:
    """Whether a tune's sketch before tick ``stop`` moves like a dance tune, whose first strain
    closes on the tonic (STRAIN_MIN_ONSETS): counted over its full bars from the first
    (:func:`first_full_bar`); a sketch with no full bar is taken as one (the models' own
    repertoire)."""
    first = first_full_bar(score)
    a = score.bar_start(first)
    bars = score.bar_at(stop) - first if stop > a else 0
    if bars < 1:
        return True
    b = score.bar_start(first + bars)
    ts = score.time_signature_at(a)
    if ts.numerator == 3:  # simple triple: 3/4, 3/8, 3/2 (a slip jig's 9/8 is compound)
        return False
    onsets = len({n.start for n in score.notes if a <= n.start < b})
    return onsets >= STRAIN_MIN_ONSETS * bars


# A tune's continuation that ends the piece closes on the tonic in the octave the tune makes
# its home: the tonic nearest its sketch's mean pitch less HOME_BELOW_MEAN semitones. Real tunes
# end there: of the tunes that end on their tonic, the first 4 bars of O'Neill's and Ryan's
# train tunes 81.5% (1,761 tunes) and of 782 Essen songs 90.9%; the lowest tonic the sketch
# sounds 75.7% and 90.7%, the tonic nearest the mean itself 77.9% and 88.9% (scratch counts,
# docs/voices.md). Continued folk test tunes ended an octave or more above the tune's own
# final in 23% of continuations, the ending's search choosing by likelihood alone: a
# listening review heard Ode to Joy, Greensleeves and Scarborough Fair end an octave above
# their final, "up in the air" (bench/strain_close.py)
HOME_FINAL = True
HOME_BELOW_MEAN = 2


def home_final(pitches: list[int], tonic_pc: int) -> int | None:
    """The pitch a tune's last note returns to (HOME_FINAL) given its sketch's ``pitches``:
    the tonic ``tonic_pc`` nearest their mean less HOME_BELOW_MEAN (the lower of two as
    near); None without any."""
    if not pitches:
        return None
    centre = sum(pitches) / len(pitches) - HOME_BELOW_MEAN
    below = int(centre) - (int(centre) - tonic_pc) % 12
    return below if centre - below <= below + 12 - centre else below + 12


def strain_close_steps(bar_steps: list[int], first_full: int, start_step: int,
                       last_bar_step: int, beat: int, bar_beats: int, quarter: int,
                       free: bool = False) -> dict[int, int]:
    """The frames of a melody's strain closes inside the span: the step where each strain's
    last bar closes (:func:`_line_final_step`: a two-beat bar's last beat, a 3/4 bar's
    downbeat, a 4/4 bar's middle beat) -> 1, and the steps its note is held over (a quarter,
    leaving the bar's end to a pickup) -> 2. ``bar_steps``: the bars' first steps;
    ``first_full``: the index of the tune's first full bar; a strain whose last bar is the
    span's last (``last_bar_step``: the final cadence's) or before ``start_step`` has none."""
    out: dict[int, int] = {}
    for b in range(first_full + STRAIN_BARS - 1, len(bar_steps) - 1, STRAIN_BARS):
        lo, hi = bar_steps[b], bar_steps[b + 1]
        if lo >= last_bar_step:
            break
        close = _line_final_step(lo, hi, beat, bar_beats)
        if close < start_step:
            continue
        out[close] = 3 if free else 1
        for s in range(close + 1, min(close + quarter, hi)):
            out[s] = 3 if free else 2
    return out


def _grid_off(span: int, unit: int) -> int:
    """How far ``span`` lies from a whole number of ``unit``."""
    r = span % unit
    return min(r, unit - r)


def _upbeat_kept(score: Score, start: int, stop: int, cut: int) -> bool:
    """Whether a continuation after the sketch's phrase ends keeps its last bar whole instead
    of short by the upbeat (``cut`` ticks, _upbeat_cut): where the whole bar's closing chord
    keeps their grid and the short bar's does not (FINAL_ON_PHRASE_GRID). A chorale whose
    phrases end on beat 3 after a one-beat upbeat closes on beat 3 of a whole bar, 8 + 8 + 8
    + 8 beats on (Bach's own last bar: beat 3 of a short one, a one-beat chord), not on the
    short bar's downbeat, its last phrase 6 beats."""
    after = max((t for t in score.fermatas if t < start), default=None)
    if after is None or not cut:
        return False
    bar = score.bar_start(score.bar_at(stop - 1))
    beat = score.time_signature_at(bar).beat_ticks
    unit = LONG_PHRASE_BEATS * beat
    short = _final_chord_step(bar, stop - cut, beat, after, unit)
    whole = _final_chord_step(bar, stop, beat, after, unit)
    return _grid_off(whole - after, unit) < _grid_off(short - after, unit)


def _cadence_ahead(frames: list[_Frame], beat_steps: int, minor: bool,
                   which: int | None = None) -> list[int]:
    """Per frame: the root of the planned cadence chord (its normalized pitch class; ``which``:
    only the dominant, 1, or the tonic, 2) whose first frame comes after it and at most
    ``beat_steps`` later, -1 where none does or the frame is a cadence chord's own."""
    out = [-1] * len(frames)
    starts = []  # (step, root) of each cadence chord's first frame
    for k, f in enumerate(frames):
        if f.cadence and (k == 0 or frames[k - 1].cadence != f.cadence) and \
                which in (None, f.cadence):
            cad_minor, cad_shift = f.close_key or (minor, 0)
            starts.append((f.step, cadence_root(cad_minor, f.cadence, cad_shift)))
    for k, f in enumerate(frames):
        if f.cadence:
            continue
        for step, root in starts:
            if 0 < step - f.step <= beat_steps:
                out[k] = root
                break
    return out


def _leading_ahead(frames: list[_Frame], beat_steps: int, minor: bool) -> list[int]:
    """Per frame: the leading tone (normalized pitch class, the major third above its root) of
    a planned dominant whose first frame comes after it and at most ``beat_steps`` later, -1
    where none does (:func:`_cadence_ahead`)."""
    return [r if r < 0 else (r + 4) % 12
            for r in _cadence_ahead(frames, beat_steps, minor, which=1)]


def _mark_dominant_beats(frames: list[_Frame], beat: int, minor: bool) -> list[_Frame]:
    """The frames inside the beat of each planned cadence's dominant (after its onset) that a
    planned tonic follows a beat later, marked with the cadence's key (``in_dominant``)."""
    tonic_at = {f.step for f in frames if f.cadence == 2}
    keys = {f.step: f.close_key or (minor, 0) for f in frames
            if f.cadence == 1 and f.step + beat in tonic_at}
    out = []
    for f in frames:
        key = next((k for d, k in keys.items() if d < f.step < d + beat), None)
        out.append(replace(f, in_dominant=key) if key is not None and not f.context else f)
    return out
