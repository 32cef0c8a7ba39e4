"""The voice-grid representation: every voice on a sixteenth-note grid, held notes included.

A piece becomes, after transposing it so that its key is C major or A minor::

    BOS MODE_minor TS_4/4  BAR_8 POS_0 P_72 P_67 P_64 P_48  POS_1 HOLD HOLD HOLD HOLD  POS_2 ...
                           BAR_7 POS_0 ...                                          ... EOS

* ``MODE`` and ``TS`` open the piece (the key is normalized, so the mode is all that is left of it).
* ``BAR_k`` opens each bar and says how many bars are left, this one included (``k`` capped at
  ``max_bars_left``: "this many or more"). The model learns where pieces end; the sampler can ask
  for an ending by counting down, or never count down for a free continuation.
* ``POS_s`` opens each grid step (``s`` sixteenths after the bar line); ``POS_s_F`` is the same step
  under a fermata, the chorales' phrase ends.
* One token per voice follows, from the highest voice to the lowest: ``P_p`` a note attacked here,
  ``HOLD`` the voice's note goes on, ``REST`` the voice is silent.

Every voice is seen at every step with what it holds, not only its new notes, as in BachBot and
DeepBach (the LSTM systems whose chorales listeners could barely tell from Bach's). The frame's
order (soprano first) lets harmonization fix the melody and sample the rest.

Repairs are counted in ``warnings``, never silent: onsets moved to the grid, notes that overlap in
one voice, pitches moved by octaves into the voice's range, parts mapped to voices by range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from composer_gui.ml.keyfinding import estimate_key, is_line
from composer_gui.ml.tokens import check_fields, meter_steps
from composer_gui.music.clefs import needs_grand_staff, split_hands
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score, TimeSignature

SPECIALS = ("PAD", "BOS", "EOS", "REST", "HOLD")
PAD, BOS, EOS, REST, HOLD = range(5)
MODES = ("major", "minor")
CHORALE_VOICES = ("Soprano", "Alto", "Tenor", "Bass")
DEFAULT_METERS = ("4/4", "3/4", "2/4", "3/2", "2/2", "6/8", "3/8", "9/8", "12/8", "6/4")


@dataclass(frozen=True)
class VoiceVocabulary:
    """Token layout of a voice-grid model; saved in its folder with the weights."""

    voices: tuple[str, ...] = CHORALE_VOICES
    steps_per_quarter: int = 4
    min_pitch: int = 28
    max_pitch: int = 96
    meters: tuple[str, ...] = DEFAULT_METERS
    max_bar_steps: int = 24
    max_bars_left: int = 8
    _bar_steps: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_fields({"min_pitch": self.min_pitch, "max_pitch": self.max_pitch}, 0, 127)
        check_fields({"max_bars_left": self.max_bars_left})
        if self.min_pitch > self.max_pitch:
            raise ValueError(f"min_pitch {self.min_pitch} is above max_pitch {self.max_pitch}")
        for name in ("voices", "meters"):
            value = getattr(self, name)
            if not isinstance(value, (list, tuple)) or not value or not all(
                    isinstance(v, str) for v in value):
                raise ValueError(f"{name} must be a list of names, not {value!r}")
        object.__setattr__(self, "voices", tuple(self.voices))
        object.__setattr__(self, "meters", tuple(self.meters))
        object.__setattr__(self, "_bar_steps", meter_steps(self.meters, self.steps_per_quarter,
                                                           self.max_bar_steps))

    # ----- layout ---------------------------------------------------------------------------------
    @property
    def step_ticks(self) -> int:
        return TPQ // self.steps_per_quarter

    @property
    def mode_offset(self) -> int:
        return len(SPECIALS)

    @property
    def ts_offset(self) -> int:
        return self.mode_offset + len(MODES)

    @property
    def bar_offset(self) -> int:
        return self.ts_offset + len(self.meters)

    @property
    def pos_offset(self) -> int:
        return self.bar_offset + self.max_bars_left

    @property
    def pitch_offset(self) -> int:
        return self.pos_offset + 2 * self.max_bar_steps

    @property
    def size(self) -> int:
        return self.pitch_offset + self.max_pitch - self.min_pitch + 1

    def mode_id(self, mode: str) -> int:
        return self.mode_offset + MODES.index(mode)

    def ts_id(self, ts: str) -> int:
        return self.ts_offset + self.meters.index(ts)

    def bar_id(self, bars_left: int) -> int:
        return self.bar_offset + min(max(bars_left, 1), self.max_bars_left) - 1

    def pos_id(self, step: int, fermata: bool = False) -> int:
        return self.pos_offset + 2 * step + int(fermata)

    def pitch_id(self, pitch: int) -> int:
        return self.pitch_offset + pitch - self.min_pitch

    def bar_steps(self, ts: str) -> int:
        return self._bar_steps[ts]

    def kind(self, token: int) -> str:
        if token < self.mode_offset:
            return SPECIALS[token]
        if token < self.ts_offset:
            return "MODE"
        if token < self.bar_offset:
            return "TS"
        if token < self.pos_offset:
            return "BAR"
        if token < self.pitch_offset:
            return "POS"
        return "PITCH"

    def name(self, token: int) -> str:
        kind = self.kind(token)
        if kind == "MODE":
            return f"MODE_{MODES[token - self.mode_offset]}"
        if kind == "TS":
            return f"TS_{self.meters[token - self.ts_offset]}"
        if kind == "BAR":
            return f"BAR_{token - self.bar_offset + 1}"
        if kind == "POS":
            step, fermata = divmod(token - self.pos_offset, 2)
            return f"POS_{step}{'_F' if fermata else ''}"
        if kind == "PITCH":
            return f"P_{token - self.pitch_offset + self.min_pitch}"
        return kind

    def nearest_meter(self, ts: TimeSignature) -> str:
        """The meter token for ``ts``: itself, or the known meter with the nearest bar length;
        for a bar longer than the model's longest, the meter of its parts (:meth:`part_steps`:
        4/2 is heard as two bars of 2/2, 3/1 as two of 3/2)."""
        text = f"{ts.numerator}/{ts.denominator}"
        if text in self.meters:
            return text
        target = ts.bar_ticks
        if target > self.max_bar_steps * self.step_ticks:
            target = self.part_steps(target // self.step_ticks) * self.step_ticks
        return min(self.meters, key=lambda m: (
            abs(self._bar_steps[m] * self.step_ticks - target),
            m.split("/")[1] != str(ts.denominator), m.split("/")[0] != str(ts.numerator), m))

    def part_steps(self, steps: int) -> int:
        """The length (steps) of the bars the model hears in a bar of ``steps``: the bar itself,
        or for one longer than its longest (4/2, 4/1, a free meter's long bar) the fewest equal
        parts that fit, where the sixteenths divide so; else parts of its longest bar, the last
        one shorter."""
        if steps <= self.max_bar_steps:
            return steps
        fewest = -(-steps // self.max_bar_steps)
        return next((steps // k for k in range(fewest, fewest + 3) if steps % k == 0),
                    self.max_bar_steps)

    def bar_lines(self, score: Score, until: int) -> list[int]:
        """The bar lines the model hears (ticks), up to and including the bar holding ``until``:
        the score's, and inside a bar longer than the model's longest the lines of its parts
        (:meth:`part_steps`). Until the sampler split such bars, a 4/2 tune (285 of Essen's
        8,514) could not be continued; training truncated their bars at the longest."""
        step = self.step_ticks
        out = []
        for start in score.bar_starts(until):
            end = score.bar_end(score.bar_at(start))
            part = self.part_steps((end - start) // step) * step
            out += [t for t in range(start, end, part) if t == start or t <= until]
        return out

    def encode(self, score: Score, warnings: list[str] | None = None, *,
               fermatas: Sequence[int] = ()) -> list[int]:
        """A whole piece as training tokens (``encode`` below, repairs added to ``warnings``)."""
        enc = encode(score, self, fermatas=fermatas)
        if warnings is not None:
            warnings += enc.warnings
        return enc.tokens

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("_bar_steps", None)
        d["kind"] = "voice-grid"
        return d

    @staticmethod
    def from_dict(d: dict) -> VoiceVocabulary:
        d = {k: v for k, v in d.items() if k != "kind"}
        return VoiceVocabulary(**d)


# ----- from a score to voices --------------------
@dataclass
class VoicePlan:
    """How a score's parts map to the model's voices (reported to the user)."""

    parts: list[int]  # model voice -> score part index (-1: no part)
    notes: list[list[Note]]  # model voice -> its notes, one at a time
    messages: list[str] = field(default_factory=list)
    # model voice -> the hand of its part it comes from (0 the upper staff, 1 the lower), for
    # a keyboard part planned by its hands (:func:`plan_voices`); None: the whole part
    hands: list[int | None] = field(default_factory=list)


def plan_voices(score: Score, voices: Sequence[str]) -> VoicePlan:
    """Map the score's pitched parts to ``voices``, high to low. A part named like a voice goes to
    it; otherwise parts are ranked by mean pitch. With fewer parts than voices, a part that plays
    chords is split by height (its top notes to the upper voice); with more parts, the voices
    are the parts :func:`_spread_voices` picks and the others are kept as they are, unheard
    and not continued, as the messages say."""
    pitched = [(i, p) for i, p in enumerate(score.parts) if not p.is_drum and p.notes]
    n = len(voices)
    plan = VoicePlan(parts=[-1] * n, notes=[[] for _ in range(n)], hands=[None] * n)
    if not pitched:
        return plan
    if len(pitched) == 1 and n > 2 and HANDS_AS_LINES and \
            not is_line_part(pitched[0][1].notes):
        hands = _by_hands(score, pitched[0][0], voices)
        if hands is not None:
            return hands
    if len(pitched) == 1 and n > 1 and is_line_part(pitched[0][1].notes):
        # a melody is one voice (the one it is named after, else the top), not a chord to deal out
        i, part = pitched[0]
        label = part.name.strip().lower()
        v = next((v for v, name in enumerate(voices)
                  if label and label.startswith(name.lower()[:4])), 0)
        plan.parts[v] = i
        plan.notes[v] = sorted(part.notes)
        return plan
    mean = {i: sum(x.pitch for x in p.notes) / len(p.notes) for i, p in pitched}
    by_name: dict[int, int] = {}
    for i, p in pitched:
        label = p.name.strip().lower()
        for v, name in enumerate(voices):
            if label and label.startswith(name.lower()[:4]):
                # (of two parts named alike, the busier: a motet's second tenor that sings
                # one note of the passage had been the tenor, the first left unheard)
                if v not in by_name or len(p.notes) > len(score.parts[by_name[v]].notes):
                    by_name[v] = i
                break
    if len(by_name) == min(n, len(pitched)) == len(pitched):
        order = [by_name.get(v, -1) for v in range(n)]
    elif len(by_name) == n:
        # every voice has its own part by name (a chorale with a violin descant above its
        # soprano): those parts are the voices; ranked by range, the violin had been the
        # soprano, each voice a part too low and the bass left silent in a continuation
        order = [by_name[v] for v in range(n)]
        for i, p in pitched:
            if i not in order:
                plan.messages.append(f"part {p.name or i + 1} is none of the model's voices "
                                     f"({', '.join(voices)} have their own parts): it is kept "
                                     f"as it is, not continued, and the model does not hear it")
    else:
        ranked = sorted((i for i, _ in pitched), key=lambda i: -mean[i])
        if len(ranked) < n:
            return _split_chords(score, ranked, voices, plan)
        order = _spread_voices(ranked, by_name, n, {
            i: sum(x.duration for x in p.notes) for i, p in pitched})
        extras = [i for i in sorted(ranked) if i not in order]
        if extras:
            def named(i: int) -> str:
                return score.parts[i].name or str(i + 1)

            many = len(extras) > 1
            plan.messages.append(
                f"part{'s' if many else ''} {', '.join(named(i) for i in extras)} "
                f"{'are' if many else 'is'} kept as {'they are' if many else 'it is'}, not "
                f"continued, and the model does not hear {'them' if many else 'it'}: it "
                f"writes {n} voice{'s' if n > 1 else ''}, "
                + ", ".join(f"the {voices[v].lower()} in part {named(order[v])}"
                            for v in range(n)))
    for v, i in enumerate(order):
        plan.parts[v] = i
        if i >= 0:
            plan.notes[v] += list(score.parts[i].notes)
    for v, i in enumerate(order):
        part = score.parts[i] if i >= 0 else None
        if part is None or order.count(i) > 1 or is_line_part(part.notes):
            continue
        # a part of chords as one voice: a keyboard's right hand where it has two (its top
        # notes had taken a waltz's left-hand chords between the tune's notes for the tune),
        # and said (the continuation had stopped the left hand without a word: a trial)
        hands = split_hands(part.notes, part.staff_split) if needs_grand_staff(part) else None
        if hands is not None and all(hands):
            plan.notes[v] = list(hands[0])
            plan.hands[v] = 0  # (a region of the right hand keeps the left: a re-trial)
        plan.messages.append(
            f"part {part.name or i + 1} plays chords, and the model writes one line: it hears "
            + ("the right hand's top notes as that line and continues only it, not the left "
               "hand" if hands is not None and all(hands) else
               "the part's top notes as that line and continues only it, not the chords "
               "below"))
    plan.notes = [_monophonic(ns) for ns in plan.notes]
    return plan


# A part that sounds for less than this share of the busiest part's time is a voice only
# where it is named for one or too few parts sound longer (a part that enters for one note
# of the passage is no voice of it)
VOICE_SOUNDING_SHARE = 0.25


def _spread_voices(ranked: list[int], by_name: dict[int, int], n: int,
                   sounding: dict[int, int]) -> list[int]:
    """With more parts than voices (``ranked`` high to low by mean pitch): the parts that are
    the ``n`` voices, in the voices' order. A voice named by a part is that part; the others
    lie spread evenly over the parts' ranks, the top voice the highest part and the lowest
    voice the lowest (the four highest parts had been the voices: a madrigal's Basso and a
    MIDI file's bass tracks were left silent in the continuation, its bass line written into
    a tenor part). A melody model's one voice is the highest part."""
    busiest = max(sounding[i] for i in ranked)
    pool = [i for i in ranked if sounding[i] >= VOICE_SOUNDING_SHARE * busiest
            or i in by_name.values()]
    if len(pool) < n:
        pool = ranked
    if n == 1:
        return [by_name.get(0, pool[0])]
    m = len(pool)
    target = [v * (m - 1) / (n - 1) for v in range(n)]

    def cost(v: int, r: int) -> float:
        if v in by_name:
            return 0.0 if pool[r] == by_name[v] else float(m)
        return abs(r - target[v])

    # (the cheapest rising ranks, voice by voice: best[r] the cost of the voices so far with
    # the last of them on rank r, and the ranks that reach it)
    best = [(cost(0, r), (r,)) for r in range(m)]
    for v in range(1, n):
        best = [min(((c + cost(v, r), (*path, r)) for c, path in best[:r]),
                    default=(float("inf"), ())) for r in range(m)]
    return [pool[r] for r in min(best)[1]]


LINE_OVERLAP = 0.1  # (is_line_part: at most this share of a line's sounding time is 2+ notes)
LEGATO_TICKS = TPQ // 4  # ... not counting a note's last sixteenth (a player's legato overlap)


def is_line_part(notes: Sequence[Note]) -> bool:
    """A part that is one line: nearly every onset one note (keyfinding.is_line: a singer's
    part with a doubled note is one) and notes seldom sounding over each other (a held bass
    under moving notes, two voices in one staff, is not: it is dealt out by height; a played
    melody's legato, each note held a little into the next, is)."""
    notes = list(notes)
    if not notes or not is_line(notes):
        return False
    ends = [max(n.start + 1, n.end - LEGATO_TICKS) for n in notes]
    events = sorted([(n.start, 1) for n in notes] + [(end, -1) for end in ends])
    sounding = together = 0
    depth, last = 0, events[0][0]
    for tick, change in events:
        if depth:
            sounding += tick - last
        if depth >= 2:
            together += tick - last
        depth, last = depth + change, tick
    return together <= LINE_OVERLAP * max(sounding, 1)


def in_own_staves(score: Score, melody: int) -> bool:
    """Whether the voices harmonized under ``melody`` go into its own part's two staves
    (voice_sampler.KEYBOARD_HARMONY): a keyboard part on a grand staff, the score's only
    pitched part. The sampler and the window's Harmonize box both ask this."""
    pitched = [i for i, p in enumerate(score.parts) if not p.is_drum and p.notes]
    return pitched == [melody] and score.parts[melody].clef == "grand"


def kept_lines(score: Score, voices: Sequence[str], melody: int,
               plan: VoicePlan | None = None) -> VoicePlan | None:
    """The plan of a harmonization that keeps the composer's own lines: where ``melody`` is
    the top voice and the score's other parts are single lines that are voices too (a melody
    over a bass line), with voices left for the model to write. None otherwise. The sampler
    (GIVEN_LINES_KEPT) and the window's Harmonize box both read it; ``plan``: the score's
    :func:`plan_voices`, where the caller has it."""
    if not 0 <= melody < len(score.parts) or len(voices) < 2:
        return None
    plan = plan or plan_voices(score, voices)
    if plan.parts[0] != melody or -1 not in plan.parts or not all(
            is_line_part(score.parts[p].notes) for p in plan.parts if p >= 0):
        return None
    return plan


# A keyboard part on two staves given to a model of three voices or more is planned by its
# hands: each hand is a part of its own, dealt out to voices as parts are (a line one voice,
# chords several), and the voices keep which hand they came from, so that a region can rewrite
# one hand. Dealt out by height over both hands, a waltz's left-hand "pah" chords, struck
# where the tune holds, had gone to the soprano and alto, and Regenerate of the tune's notes
# rewrote the left hand too (a trial's piano sketches)
HANDS_AS_LINES = True


def _by_hands(score: Score, index: int, voices: Sequence[str]) -> VoicePlan | None:
    """:func:`plan_voices` of the one part ``index`` by its two hands (clefs.split_hands),
    where it is a keyboard's on two staves with notes in each; else None."""
    part = score.parts[index]
    if not needs_grand_staff(part):
        return None
    upper, lower = split_hands(part.notes, part.staff_split)
    if not upper or not lower:
        return None
    name = part.name or f"{index + 1}"
    hands = Score(parts=(Part(tuple(upper), name=f"{name} right hand"),
                         Part(tuple(lower), name=f"{name} left hand")))
    plan = plan_voices(hands, voices)
    plan.hands = [p if p >= 0 else None for p in plan.parts]
    plan.parts = [index if p >= 0 else -1 for p in plan.parts]
    return plan


def _split_chords(score: Score, ranked: list[int], voices: Sequence[str],
                  plan: VoicePlan) -> VoicePlan:
    """Fewer parts than voices: a single line is one voice, and a part that plays chords deals
    its simultaneous notes out to voices by height. A melody over a bass line continued in four
    voices was split into two voices a part, so the alto was written into the melody's staff
    and the tenor into the bass's; a singer's line over a piano got two-note chords."""
    n = len(voices)
    lines = [is_line_part(score.parts[p].notes) for p in ranked]
    if all(lines):
        return _lines_to_voices(score, ranked, voices, plan)
    share = [1 if line else 0 for line in lines]
    chords = [k for k, line in enumerate(lines) if not line]
    for j, k in enumerate(chords):  # the voices left over, shared out high to low
        share[k] = (n - sum(lines)) // len(chords) + (j < (n - sum(lines)) % len(chords))
    v0 = 0
    for part, count in zip(ranked, share, strict=True):
        notes = score.parts[part].notes
        low, high = min(x.pitch for x in notes), max(x.pitch for x in notes)
        by_onset: dict[int, list[Note]] = {}
        for x in notes:
            by_onset.setdefault(x.start, []).append(x)
        lanes: list[list[Note]] = [[] for _ in range(count)]
        for onset in sorted(by_onset):
            chord = sorted(by_onset[onset], key=lambda x: -x.pitch)
            if len(chord) == 1 and count > 1:  # a single note: the voice whose last note is nearest
                # (a voice with no note yet is placed by the part's register: a held bass that
                # starts alone went to the top voice)
                p = chord[0].pitch
                last = [lane[-1].pitch if lane else
                        high - (high - low) * j / (count - 1) for j, lane in enumerate(lanes)]
                k = min(range(count), key=lambda j: abs(last[j] - p) + j * 0.01)
                lanes[k].append(chord[0])
                continue
            if len(chord) > count > 1:  # more notes than voices: the top ones and the bass
                chord = chord[:count - 1] + chord[-1:]
            for k, x in enumerate(chord[:count]):
                lanes[k].append(x)
        for k in range(count):
            plan.parts[v0 + k] = part
            plan.notes[v0 + k] = _monophonic(lanes[k])
        if count > 1:
            # (a trial's piano sketches, an Alberti bass, a waltz's oom-pah-pah, came back as
            # four-part writing, and the message had said only how they were split)
            plan.messages.append(f"part {score.parts[part].name or part + 1} split into "
                                 f"{count} voices by height: the model writes them as "
                                 f"voices, {FIGURES_LOST}")
        v0 += count
    return plan


# (the end of that message; the voice sampler drops it where the figure is kept: figures.py)
FIGURES_LOST = "not the part's own figures (arpeggios, repeated chords)"


def _lines_to_voices(score: Score, ranked: list[int], voices: Sequence[str],
                     plan: VoicePlan) -> VoicePlan:
    """Fewer single lines than voices (ranked high to low): each is one voice, the top line
    the top voice and the lowest the bottom one (a melody and a bass line are the outer
    voices), a line between them the voice its mean pitch lies nearest on that scale, and a
    line named for a voice (Bass, Alto...) that voice. The voices left have no part: the
    sampler samples them so that the harmony is whole, and writes nothing for them (it says
    so, and Harmonize writes them)."""
    n = len(voices)
    mean = [sum(x.pitch for x in score.parts[i].notes) / len(score.parts[i].notes)
            for i in ranked]
    named = [next((v for v, name in enumerate(voices)
                   if score.parts[i].name.strip().lower().startswith(name.lower()[:4])), None)
             for i in ranked]
    top, low = mean[0], mean[-1]
    chosen: list[int] = []
    for k in range(len(ranked)):
        if named[k] is not None:
            v = named[k]
        elif k == 0:
            v = 0
        elif k == len(ranked) - 1:
            v = n - 1
        else:
            v = round((top - mean[k]) / max(top - low, 1e-9) * (n - 1))
        room = len(ranked) - 1 - k  # voices must stay in order, one each
        v = max(v, chosen[-1] + 1 if chosen else 0)
        chosen.append(min(v, n - 1 - room))
    for part, v in zip(ranked, chosen, strict=True):
        plan.parts[v] = part
        plan.notes[v] = _monophonic(score.parts[part].notes)
    plan.messages.append(", ".join(f"part {score.parts[p].name or p + 1} is the "
                                   f"{voices[v].lower()}" for p, v in zip(ranked, chosen,
                                                                          strict=True)))
    return plan


def _monophonic(notes: Sequence[Note]) -> list[Note]:
    """One note at a time: a note is cut where the next one starts; of notes starting together
    the highest stays."""
    by_start: dict[int, Note] = {}
    for x in sorted(notes):
        if x.start not in by_start or x.pitch > by_start[x.start].pitch:
            by_start[x.start] = x
    out = sorted(by_start.values())
    if not out:
        return []
    return [Note(x.start, x.pitch, max(1, min(x.duration, nxt.start - x.start)), x.velocity)
            if nxt is not None and x.end > nxt.start else x
            for x, nxt in zip(out, [*out[1:], None], strict=True)]


monophonic = _monophonic  # public: the voice sampler lays a chosen part out as one voice


def normalizing_shift(key: KeySignature | None) -> int:
    """Semitones that take ``key`` to C major or A minor, the smaller way round (-6..5)."""
    if key is None:
        return 0
    target = 0 if key.quality == "major" else 9
    return (target - key.tonic_pc + 6) % 12 - 6


# ----- encoding --------------------
@dataclass
class Encoded:
    tokens: list[int]
    shift: int  # semitones added to normalize the key (generation subtracts it)
    key: KeySignature | None
    plan: VoicePlan
    warnings: list[str]


def encode(score: Score, vocab: VoiceVocabulary, *, fermatas: Sequence[int] = (),
           key: KeySignature | None = None, end_tick: int | None = None,
           bars_left_from: int | None = None, eos: bool = True) -> Encoded:
    """``score`` up to ``end_tick`` (default: its end, rounded up to a bar line) as tokens.

    ``bars_left_from`` counts the bars left as if the piece ended that many bars after
    ``end_tick``'s bar (a continuation that should end); None counts to the score's own end."""
    warnings: list[str] = []
    key = key if key is not None else estimate_key(score.notes, score.key_at(0))
    shift = normalizing_shift(key)
    mode = key.quality if key is not None else "major"
    plan = plan_voices(score, vocab.voices)
    warnings += plan.messages
    step = vocab.step_ticks
    end = score.end_tick if end_tick is None else end_tick
    bars = [b for b in vocab.bar_lines(score, end) if b < end] or [0]
    if end_tick is None:
        last_bar_end = score.bar_end(score.bar_at(max(0, end - 1)))
    else:
        last_bar_end = end
    total_bars = len(bars) + (bars_left_from or 0)
    grid = voice_grid(plan.notes, shift, vocab, last_bar_end, warnings)
    fermata_steps = {round(t / step) for t in fermatas}
    ts0 = vocab.nearest_meter(score.time_signature_at(0))
    tokens = [BOS, vocab.mode_id(mode), vocab.ts_id(ts0)]
    for b, b0 in enumerate(bars):
        b1 = min(bars[b + 1] if b + 1 < len(bars) else score.bar_end(score.bar_at(b0)),
                 last_bar_end)
        tokens.append(vocab.bar_id(total_bars - b))
        s0 = round(b0 / step)
        for s in range(s0, round(b1 / step)):
            if s - s0 >= vocab.max_bar_steps:
                break
            tokens.append(vocab.pos_id(s - s0, s in fermata_steps))
            tokens += [lane[s] if s < len(lane) else REST for lane in grid]
    if eos and end_tick is None:
        tokens.append(EOS)
    return Encoded(tokens, shift, key, plan, warnings)


def voice_grid(lanes: list[list[Note]], shift: int, vocab: VoiceVocabulary, end: int,
                warnings: list[str]) -> list[list[int]]:
    step = vocab.step_ticks
    n_steps = -(-end // step)
    grid = []
    moved = octaved = tripled = 0
    for notes in lanes:
        lane = [REST] * n_steps
        for x in notes:
            s = round(x.start / step)
            e = max(s + 1, round(x.end / step))
            if x.start % step:
                moved += 1
                tripled += x.start % (TPQ // 6) == 0  # (a triplet's eighth or sixteenth)
            p = x.pitch + shift
            while p < vocab.min_pitch:
                p, octaved = p + 12, octaved + 1
            while p > vocab.max_pitch:
                p, octaved = p - 12, octaved + 1
            if s >= n_steps:
                continue
            lane[s] = vocab.pitch_id(p)
            for t in range(s + 1, min(e, n_steps)):
                lane[t] = HOLD
        grid.append(lane)
    if moved:
        # (said as a composer would: the model hears notes on sixteenths only; a hornpipe's
        # "(3DEF" is a triplet to a fiddler, not notes "between sixteenths": a review)
        what = [f"{tripled} note(s) of triplets"] if tripled else []
        if moved > tripled:
            what.append(f"{moved - tripled} note(s) that start between sixteenths")
        warnings.append(f"the model hears sixteenths only: it heard {' and '.join(what)} as "
                        "starting on the nearest sixteenth (your notes are unchanged)")
    if octaved:
        warnings.append(f"{octaved} note(s) moved by octaves into the model's range")
    return grid


# ----- decoding --------------------
def decode_frames(frames: Sequence[tuple[int, Sequence[int]]], vocab: VoiceVocabulary,
                  start_tick: int, shift: int, velocity: int = 80) -> list[list[Note]]:
    """Notes of each voice from frames ``(tick, voice tokens)``, in score pitch (``shift``
    undone). A HOLD at the first frame lengthens nothing: the sketch keeps its own note."""
    n = len(vocab.voices)
    out: list[list[Note]] = [[] for _ in range(n)]
    open_: list[tuple[int, int] | None] = [None] * n  # (start tick, pitch)
    step = vocab.step_ticks
    last_tick = start_tick
    for tick, tokens in frames:
        last_tick = tick
        for v, tok in enumerate(tokens):
            if tok == HOLD:
                continue
            if open_[v] is not None:
                s, p = open_[v]
                out[v].append(Note(s, p, tick - s, velocity))
                open_[v] = None
            if tok >= vocab.pitch_offset:
                open_[v] = (tick, tok - vocab.pitch_offset + vocab.min_pitch - shift)
    end = last_tick + step
    for v in range(n):
        if open_[v] is not None:
            s, p = open_[v]
            out[v].append(Note(s, p, end - s, velocity))
    return out


@dataclass
class DecodedPiece:
    score: Score  # in the normalized key (C major / A minor), one part per voice
    fermatas: list[int]  # ticks of the steps under a fermata
    bars_left: list[int]  # each bar's BAR_k value


def decode_piece(tokens: Sequence[int], vocab: VoiceVocabulary) -> DecodedPiece:
    """A whole encoded piece back to a Score (evaluation reads held-out pieces this way). Bars
    are laid out by the ``TS`` token; tokens that break the grammar end the piece there."""
    toks = [int(t) for t in tokens]  # numpy int16 tokens would overflow the tick arithmetic
    mode, ts = "major", vocab.meters[0]
    i = 0
    while i < len(toks) and vocab.kind(toks[i]) in ("BOS", "MODE", "TS", "PAD"):
        if vocab.kind(toks[i]) == "MODE":
            mode = MODES[toks[i] - vocab.mode_offset]
        elif vocab.kind(toks[i]) == "TS":
            ts = vocab.meters[toks[i] - vocab.ts_offset]
        i += 1
    n = len(vocab.voices)
    bar_len = vocab.bar_steps(ts) * vocab.step_ticks
    frames: list[tuple[int, list[int]]] = []
    fermatas: list[int] = []
    bars_left: list[int] = []
    bar = -1
    origin = bar_end = 0  # where this bar starts, and where the last frame seen ends
    while i < len(toks):
        kind = vocab.kind(toks[i])
        if kind == "BAR":
            # a bar of another meter than the first (a meter change, a 5/4 bar in 4/4) lasts
            # as long as its frames do: ticks never run back (a piece of a user's folder)
            origin = 0 if bar < 0 else max(origin + bar_len, bar_end)
            bar += 1
            bars_left.append(toks[i] - vocab.bar_offset + 1)
            i += 1
        elif kind == "POS" and bar >= 0 and i + n < len(toks) + 1:
            step, fermata = divmod(toks[i] - vocab.pos_offset, 2)
            tick = origin + step * vocab.step_ticks
            bar_end = max(bar_end, tick + vocab.step_ticks)
            frame = toks[i + 1:i + 1 + n]
            if len(frame) < n or any(vocab.kind(t) not in ("PITCH", "HOLD", "REST")
                                     for t in frame):
                break
            frames.append((tick, frame))
            if fermata:
                fermatas.append(tick)
            i += 1 + n
        else:
            break
    lanes = decode_frames(frames, vocab, 0, 0)
    num, den = (int(x) for x in ts.split("/"))
    parts = tuple(Part(tuple(lane), name=name) for lane, name in zip(lanes, vocab.voices,
                                                                       strict=True))
    key = KeySignature(0, 0, mode)
    score = Score(parts=parts, time_signatures=(TimeSignature(0, num, den),),
                  key_signatures=(key,))
    return DecodedPiece(score, fermatas, bars_left)
