"""The musical rows of the model card: what a musician would check, beside real music and two
trivial baselines, so that a figure is never read alone.

Each measure (``music.analysis``) is pooled over held-out test pieces in four columns:

* **model**: the sampler's output at the app's defaults (``limits``: temperature, top-k, top-p)
  *without* the key lock, seeded; ``variations`` samples per opening, stepped as one batch.
* **real**: the same measure on what the composer wrote in the same place.
* **repeat-2-bars**: the two bars before the generated span, repeated to fill it.
* **random in-key**: each voice keeps the rhythm of the music before the span (tiled to fill
  it), its pitches drawn at random from the key's scale within that voice's range there. Seeded.

Both baselines see only what the model sees (the music before the span), so a model that cannot
beat them has learned nothing a trivial rule would not give.

Three tasks:

1. **Continuation**: the first ``opening_bars`` bars of each test piece with at least
   ``opening_bars + bars`` bars (one meter) are continued by ``bars`` bars; the measures run on
   the generated bars, written with the app's defaults (for a voice model continuing from the
   end of a sketch that means ending with a cadence). The tonic-ending row is measured twice
   for the model: with
   ``end="cadence"`` (the model is told the piece ends after those bars; *real* is then the
   piece's own last chord) and with ``end="free"`` (*real* is whatever sounds at that point).
2. **Infill**: in the first ``2 * infill_bars + 2`` bars of a piece, bars 3..(2 + infill_bars)
   are rewritten with what follows kept; the row is the mean semitone step of each outer voice
   into the first kept onset after the region (``analysis.seam_steps``).
3. **Harmonization** (pieces with 3+ voices): the top voice alone goes in, the model writes the
   others; the measures run on the whole piece. *real* is the composer's own harmony; the random
   baseline puts random in-key notes under each melody note in fixed SATB ranges; repeating two
   bars does not apply.

Rows that need 3+ voices (chords, cadences, parallels, crossings, harmonization) are None ("n/a")
for a melody model. Voice crossings need the voices apart: the REMI stream merges them into one
part, so for REMI models that row is None too.

Every call of the sampler goes through :func:`sampler_adapter`, the one place that knows which
request fields the sampler in this checkout has.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from composer_gui.ml import limits
from composer_gui.ml.keyfinding import estimate_key
from composer_gui.ml.model_folder import representation
from composer_gui.ml.voices import VoiceVocabulary, decode_piece, plan_voices
from composer_gui.music import analysis as an
from composer_gui.music.score import KeySignature, Note, Part, Score

COLUMNS = ("model", "real", "repeat_2_bars", "random_in_key")
APP_DEFAULTS = {"temperature": limits.TEMPERATURE, "top_k": limits.TOP_K, "top_p": limits.TOP_P}
# ... and a request as the app makes it for a voice model: no key lock (limits.KEY_LOCK; the
# request's own default key is "auto", which locks). The benches ask with this.
APP_REQUEST = {**APP_DEFAULTS, "key": None}
# Ranges of the random harmonization baseline (alto, tenor, bass), usual SATB compasses.
LOWER_VOICE_RANGES = ((55, 74), (48, 67), (36, 60))

# name -> (label on the card, comparison, target; None for "no target"), per texture
ROWS = (
    ("beat_chords", "Beat chords that are triads or sevenths (share of 3+ pitch-class beats)"),
    ("cadences_per_8_bars", "Authentic cadences to the opening's key per 8 bars"),
    ("parallels_per_8_bars", "Outer-voice parallel fifths/octaves per 8 bars"),
    ("voice_parallels_per_8_bars", "Parallel fifths/octaves between any two voices per 8 bars"),
    ("beat_parallels_per_8_bars",
     "Parallel fifths/octaves between any two voices, beat to beat, per 8 bars"),
    ("voice_crossings", "Voice crossings (share of onsets)"),
    ("ends_on_tonic_cadence", "Ends on the tonic, cadence option"),
    ("ends_on_tonic_free", "Ends on the tonic, free continuation"),
    ("bars_restated", "Bars restated from earlier bars (share)"),
    ("in_key", "Pitches in the opening's key, no key lock (share)"),
    ("infill_seam", "Infill seam: outer-voice step into the kept music (semitones)"),
    ("harmonized_beat_chords", "Harmonized melodies: beat chords that are triads or sevenths"),
    ("harmonized_cadences_per_8_bars", "Harmonized melodies: authentic cadences per 8 bars"),
    ("harmonized_parallels_per_8_bars", "Harmonized melodies: outer parallels per 8 bars"),
    ("harmonized_voice_parallels_per_8_bars",
     "Harmonized melodies: parallels between any two voices per 8 bars"),
    ("harmonized_beat_parallels_per_8_bars",
     "Harmonized melodies: parallels between any two voices, beat to beat, per 8 bars"),
    ("harmonized_voice_crossings", "Harmonized melodies: voice crossings (share of onsets)"),
    ("harmonized_ends_on_tonic", "Harmonized melodies: ends on the tonic"),
)
CHORAL_ROWS = {"beat_chords", "cadences_per_8_bars", "parallels_per_8_bars",
               "voice_parallels_per_8_bars", "beat_parallels_per_8_bars", "voice_crossings",
               *(r for r, _ in ROWS if r.startswith("harmonized_"))}
# rows that need the voices apart (one part each), not one merged texture
CROSSING_ROWS = {"voice_crossings", "harmonized_voice_crossings", "voice_parallels_per_8_bars",
                 "harmonized_voice_parallels_per_8_bars", "beat_parallels_per_8_bars",
                 "harmonized_beat_parallels_per_8_bars"}


def targets(texture: str) -> dict[str, tuple[str, float]]:
    """The issue's targets for a texture ("chorale": 3+ voices, "melody"): row -> (op, value)."""
    t = {"ends_on_tonic_cadence": (">=", 0.75), "infill_seam": ("<=", 3.0)}
    if texture == "chorale":
        t |= {"beat_chords": (">=", 0.85), "cadences_per_8_bars": (">=", 0.5),
              "parallels_per_8_bars": ("<=", 0.1), "in_key": (">=", 0.88),
              "harmonized_beat_chords": (">=", 0.85),
              "harmonized_parallels_per_8_bars": ("<=", 0.1)}
    else:
        t |= {"in_key": (">=", 0.95), "bars_restated": (">=", 0.2)}
    return t


class Unsupported(Exception):
    """The sampler in this checkout cannot do what a row asks (its column shows "n/a")."""


Generate = Callable[[Score, dict], list[Score]]


# ----- the one adapter to the sampler ------------------------------------------------------------
def sampler_adapter(folder: Path) -> Generate:
    """``generate(score, request_fields) -> [Score per variation]`` on the folder's sampler.

    This is the only function here that touches ``ml.sampler``. The request is a dict of
    :class:`GenerationRequest` fields; fields this checkout's request lacks are dropped when they
    ask for the plain behaviour (``end="free"``, ``harmonize=False``, ``parts=None``) and raise
    :class:`Unsupported` otherwise. A voice-grid folder needs the voice sampler (which brings
    ``harmonize``); without it every call raises :class:`Unsupported`.

    What :func:`musical_rows` asks for (always with the app's temperature / top-k / top-p,
    ``key=None``, ``variations`` and a seed per piece):

    * continuation: the opening (the piece up to ``start_tick``, a bar line), ``bars``,
      ``start_tick``, ``end="free"``, and once more with ``end="cadence"``;
    * infill: the whole window, ``start_tick`` and ``end_tick`` (bar lines), ``bars`` = the
      region's bars, ``end`` left out;
    * harmonization: a one-part score (the melody, named "Soprano"), ``harmonize=True``,
      ``bars`` = its bars, no start or end (the whole melody; the voice sampler then ends it
      with a cadence, as the real chorale ends).

    Each answer must be one Score per variation holding the input's notes outside the span."""
    from composer_gui.ml.model_folder import load_model
    from composer_gui.ml.sampler import GenerationRequest, Sampler

    fields = {f.name for f in dataclasses.fields(GenerationRequest)}
    vocab = load_model(folder).vocab
    if representation(vocab) == "voice-grid" and "harmonize" not in fields:
        def missing(score: Score, request: dict) -> list[Score]:
            raise Unsupported("this checkout's sampler cannot run a voice-grid model")
        return missing
    sampler = Sampler.load(folder)
    plain = {"end": "free", "harmonize": False, "parts": None}
    remi = representation(vocab) == "remi"

    def generate(score: Score, request: dict) -> list[Score]:
        req = dict(request)
        if remi and req.get("harmonize"):
            raise Unsupported("the REMI event stream cannot harmonize (one stream, no voices)")
        if remi and req.get("end") == "cadence":
            raise Unsupported("the REMI event stream has no bars-left countdown to end with")
        for name, value in plain.items():
            if name not in fields and req.pop(name, value) != value:
                raise Unsupported(f"the sampler has no {name!r} option")
        return sampler.generate(score, GenerationRequest(**req))

    return generate


# ----- the pieces --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One held-out piece as music: parts per voice where the representation keeps them."""

    id: str
    score: Score


def cases_from_pieces(pieces, vocab) -> list[Case]:
    out = []
    for p in pieces:
        if isinstance(vocab, VoiceVocabulary):
            # plain ints: decode_piece's tick arithmetic overflows on the pieces' int16 tokens
            piece = decode_piece([int(t) for t in p.tokens], vocab)
            # with its fermatas, as the file has them (the sampler hears a sketch's phrase ends)
            score = replace(piece.score, fermatas=tuple(piece.fermatas))
        else:
            score = vocab.decode(p.tokens)
        if score.notes:
            out.append(Case(p.id, score))
    return out


def voice_count(vocab, cases: Sequence[Case]) -> int:
    """Voices of the texture: the voice grid says; for REMI (one merged part), the most common
    number of notes sounding on a beat in the real pieces."""
    if isinstance(vocab, VoiceVocabulary):
        return len(vocab.voices)
    counts: Counter = Counter()
    for c in cases[:40]:
        s = c.score
        for son in an.sonorities(s.notes, an.beat_ticks(s, 0, s.end_tick)):
            counts[len(son.pitches)] += 1
    return counts.most_common(1)[0][0] if counts else 1


def home_key(score: Score, end: int) -> KeySignature | None:
    """The key of the music before ``end`` (the declared signature honoured)."""
    return estimate_key([n for n in score.notes if n.start < end], score.key_at(0))


def spread(items: list, n: int) -> list:
    """At most ``n`` items, spread evenly (the same pieces on every run)."""
    if len(items) <= n:
        return items
    pick = np.linspace(0, len(items) - 1, n).round().astype(int)
    return [items[i] for i in pick]


# ----- baselines ---------------------------------------------------------------------------------
def _tile(notes: Sequence[Note], src0: int, start: int, end: int) -> list[tuple[Note, Note]]:
    """(source note, copy) for the notes starting in [src0, start) repeated every ``start -
    src0`` ticks from ``start`` until ``end``; copies are cut at ``end``."""
    period = start - src0
    if period <= 0:
        return []
    src = sorted(n for n in notes if src0 <= n.start < start)
    out = []
    for k in itertools.count(1):
        shift = period * k
        if src0 + shift >= end:
            break
        for n in src:
            s = n.start + shift
            if s < end:
                out.append((n, Note(s, n.pitch, min(n.duration, end - s), n.velocity)))
    return out


def _fill(context: Score, span: Callable[[Part], list[Note]], start: int, end: int,
          after: Score | None) -> Score:
    """``context`` (notes before ``start``) plus each part's ``span`` notes, plus the notes of
    ``after`` from ``end`` on (infill keeps them)."""
    parts = []
    for i, p in enumerate(context.parts):
        before = [n for n in p.notes if n.start < start]
        kept = [n for n in after.parts[i].notes if n.start >= end] if after is not None else []
        parts.append(p.with_notes(before + span(p) + kept))
    return context.with_parts(parts)


def repeat_last_bars(score: Score, start: int, end: int, bars: int = 2,
                     after: Score | None = None) -> Score:
    """The ``bars`` bars before ``start`` repeated, each part its own notes, until ``end``."""
    src0 = score.bar_start(max(0, score.bar_at(start) - bars)) if start else 0
    return _fill(score, lambda p: [c for _, c in _tile(p.notes, src0, start, end)],
                 start, end, after)


def scale_pitches(key: KeySignature | None, lo: int, hi: int) -> list[int]:
    """Pitches of ``key``'s scale in lo..hi (widened by a fifth each way until there are 3)."""
    pcs = key.scale_pcs() if key is not None else frozenset(range(12))
    while True:
        out = [p for p in range(max(0, lo), min(127, hi) + 1) if p % 12 in pcs]
        if len(out) >= 3 or (lo <= 0 and hi >= 127):
            return out
        lo, hi = lo - 7, hi + 7


def as_voices(score: Score, voices: int) -> Score:
    """One part per voice: a REMI score (one part holding every voice) is split by height."""
    pitched = [p for p in score.parts if not p.is_drum and p.notes]
    if voices <= 1 or len(pitched) >= voices or len(pitched) != 1:
        return score
    plan = plan_voices(score, tuple(f"V{i}" for i in range(voices)))
    return score.with_parts([Part(tuple(ns), name=f"V{i}") for i, ns in enumerate(plan.notes)])


def melody_of(score: Score) -> Score:
    """A chorale's top voice alone, named "Soprano", as a composer would give it to harmonize:
    with the piece's meter, key, tempo, fermatas (the phrase ends) and upbeat."""
    top = an.part_voices(score)[0]
    return Score(parts=(Part(tuple(top), name="Soprano"),), tempos=score.tempos,
                 time_signatures=score.time_signatures, key_signatures=score.key_signatures,
                 fermatas=score.fermatas, pickup=score.pickup)


def random_in_key(score: Score, start: int, end: int, key: KeySignature | None,
                  rng: np.random.Generator, *, source_start: int = 0,
                  after: Score | None = None) -> Score:
    """Each part keeps the rhythm of its notes in [source_start, start), tiled until ``end``,
    with pitches drawn uniformly from ``key``'s scale within the part's range there."""
    def span(p: Part) -> list[Note]:
        src = [n for n in p.notes if source_start <= n.start < start]
        if not src:
            return []
        pool = scale_pitches(key, min(n.pitch for n in src), max(n.pitch for n in src))
        return [Note(c.start, int(rng.choice(pool)), c.duration, c.velocity)
                for _, c in _tile(p.notes, source_start, start, end)]

    return _fill(score, span, start, end, after)


def random_harmony(melody: Score, key: KeySignature | None, rng: np.random.Generator) -> Score:
    """The melody part kept, and under each of its notes a random in-key note in each of the
    alto, tenor and bass ranges."""
    notes = melody.parts[0].notes
    parts = [melody.parts[0]]
    for name, (lo, hi) in zip(("Alto", "Tenor", "Bass"), LOWER_VOICE_RANGES, strict=True):
        pool = scale_pitches(key, lo, hi)
        parts.append(Part(tuple(Note(n.start, int(rng.choice(pool)), n.duration, n.velocity)
                                for n in notes), name=name))
    return melody.with_parts(parts)


# ----- pooled measures ---------------------------------------------------------------------------
class Pool:
    """Counts summed over pieces, per row: (numerator, denominator)."""

    def __init__(self) -> None:
        self.sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])

    def add(self, row: str, num: float, den: float) -> None:
        s = self.sums[row]
        s[0] += num
        s[1] += den

    def value(self, row: str, scale: float = 1.0) -> float | None:
        num, den = self.sums.get(row, (0.0, 0.0))
        return scale * num / den if den else None


def measure(pool: Pool, score: Score, start: int, end: int, key: KeySignature | None, *,
            prefix: str = "", choral: bool = True, separable: bool = True,
            tonic_row: str | None = None) -> None:
    """Add one passage's counts (generated or real span [start, end) of ``score``) to ``pool``."""
    notes = [n for n in score.notes if n.start < end]
    near = [n for n in notes if n.end > start]
    bars = (end - start) / score.time_signature_at(start).bar_ticks
    if choral:
        good, total = an.beat_chord_share(score, start, end, near)
        pool.add(prefix + "beat_chords", good, total)
        if key is not None:
            pool.add(prefix + "cadences_per_8_bars",
                     an.authentic_cadences(score, key, start, end, near), bars)
        pool.add(prefix + "parallels_per_8_bars", an.outer_voice_parallels(near, start, end),
                 bars)
        if separable:
            voices = [[n for n in v if n.start < end and n.end > start]
                      for v in an.part_voices(score)]
            crossed, total = an.voice_crossings(voices, start, end)
            pool.add(prefix + "voice_crossings", crossed, total)
            pool.add(prefix + "voice_parallels_per_8_bars",
                     an.voice_parallels(voices, start, end), bars)
            pool.add(prefix + "beat_parallels_per_8_bars",
                     an.voice_parallels(voices, start, end, an.beat_ticks(score, start, end)),
                     bars)
    if tonic_row is not None and key is not None:
        pool.add(tonic_row, an.ends_on_tonic(notes, key, end), 1)
    if not prefix:
        restated, n_bars = an.restated_bars(score, notes, start, end)
        pool.add("bars_restated", restated, n_bars)
        span = [n for n in near if n.start >= start]
        if key is not None and span:
            pcs = key.scale_pcs()
            pool.add("in_key", sum(n.pitch % 12 in pcs for n in span), len(span))


def seam(pool: Pool, score: Score, at: int) -> None:
    horizon = at + score.time_signature_at(at).bar_ticks  # the seam needs no later notes
    steps = an.seam_steps([n for n in score.notes if n.start <= horizon], at)
    pool.add("infill_seam", sum(steps), len(steps))


# ----- the whole table ---------------------------------------------------------------------------
def musical_rows(cases: Sequence[Case], voices: int, *, separable: bool, generate: Generate | None,
                 opening_bars: int = 4, bars: int = 8, infill_bars: int = 2,
                 max_pieces: int = 40, variations: int = 2, seed: int = 0,
                 progress: bool = False, on_continuation=None) -> dict:
    """Every row in every column. ``generate`` is :func:`sampler_adapter`'s function (None: no
    model column). ``on_continuation(case, start, end, key, real, generated)`` sees each
    continuation (evaluate.py keeps its histogram statistics from the same samples)."""
    from tqdm import tqdm

    choral = voices >= 3
    pools = {c: Pool() for c in COLUMNS}
    notes: dict[str, str] = {}
    counts: dict[str, int] = {}
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()

    def run(task: str, score: Score, request: dict) -> list[Score] | None:
        if generate is None or task in notes:
            return None
        try:
            return generate(score, {**APP_DEFAULTS, "key": None, "variations": variations,
                                    **request})
        except Unsupported as exc:
            notes[task] = str(exc)
            return None

    # 1. continuations
    one_meter = [c for c in cases if len(c.score.time_signatures) == 1]
    cont = spread([c for c in one_meter if c.score.bar_count() >= opening_bars + bars],
                  max_pieces)
    counts["continuation"] = len(cont)
    for i, case in enumerate(tqdm(cont, desc="continuations", unit="piece",
                                  disable=not progress)):
        s = case.score
        start, end = s.bar_start(opening_bars), s.bar_start(opening_bars + bars)
        opening = s.slice(0, start, shift=False)
        key = home_key(s, start)
        kw = {"choral": choral, "separable": separable}
        real = s.slice(0, end, shift=False)
        measure(pools["real"], real, start, end, key, tonic_row="ends_on_tonic_free", **kw)
        if key is not None:
            pools["real"].add("ends_on_tonic_cadence", an.ends_on_tonic(s.notes, key), 1)
        for col, base in (("repeat_2_bars", repeat_last_bars(opening, start, end)),
                          ("random_in_key", random_in_key(as_voices(opening, voices), start, end,
                                                          key, rng))):
            measure(pools[col], base, start, end, key, tonic_row="ends_on_tonic_free", **kw)
            if key is not None:
                pools[col].add("ends_on_tonic_cadence", an.ends_on_tonic(base.notes, key, end), 1)
        request = {"bars": bars, "start_tick": start, "seed": seed + i}
        # the rows measure what the app writes: its defaults (a voice model continuing from the
        # end of a sketch ends with a cadence); the tonic rows ask for each ending explicitly
        default = run("continuation", opening, request)
        for g in default or []:
            measure(pools["model"], g, start, end, key, **kw)
        if default and on_continuation is not None:
            on_continuation(case, start, end, key, real, default)
        for g in run("free", opening, {**request, "end": "free"}) or []:
            if key is not None:
                pools["model"].add("ends_on_tonic_free", an.ends_on_tonic(g.notes, key, end), 1)
        for g in run("cadence", opening, {**request, "end": "cadence"}) or []:
            if key is not None:
                pools["model"].add("ends_on_tonic_cadence",
                                   an.ends_on_tonic(g.notes, key, end), 1)

    # 2. infill
    window_bars = 2 * infill_bars + 2
    fill = spread([c for c in one_meter if c.score.bar_count() >= window_bars], max_pieces)
    counts["infill"] = len(fill)
    for i, case in enumerate(tqdm(fill, desc="infill", unit="piece", disable=not progress)):
        s = case.score
        r0, r1 = s.bar_start(2), s.bar_start(2 + infill_bars)
        window = s.slice(0, s.bar_start(window_bars), shift=False)
        key = home_key(s, r0)
        before = window.slice(0, r0, shift=False)
        seam(pools["real"], window, r1)
        seam(pools["repeat_2_bars"], repeat_last_bars(before, r0, r1, after=window), r1)
        seam(pools["random_in_key"], random_in_key(as_voices(before, voices), r0, r1, key, rng,
                                                   after=as_voices(window, voices)), r1)
        for g in run("infill", window, {"bars": infill_bars, "start_tick": r0, "end_tick": r1,
                                        "seed": seed + i}) or []:
            seam(pools["model"], g, r1)

    # 3. harmonization
    harm = spread([c for c in cases if choral], max_pieces)
    counts["harmonization"] = len(harm)
    for i, case in enumerate(tqdm(harm, desc="harmonization", unit="piece",
                                  disable=not progress)):
        s = as_voices(case.score, voices)
        end = s.bar_start(s.bar_count())
        key = home_key(s, end)
        melody = melody_of(s)
        kw = {"prefix": "harmonized_", "choral": True, "tonic_row": "harmonized_ends_on_tonic"}
        measure(pools["real"], case.score, 0, end, key, separable=separable, **kw)
        measure(pools["random_in_key"], random_harmony(melody, key, rng), 0, end, key,
                separable=separable, **kw)
        for g in run("harmonization", melody, {
                "bars": min(s.bar_count(), limits.MAX_BARS), "harmonize": True,
                "seed": seed + i}) or []:
            measure(pools["model"], g, 0, end, key, separable=separable, **kw)

    texture = "chorale" if choral else "melody"
    want = targets(texture)
    rows = {}
    for name, label in ROWS:
        scale = 8.0 if name.endswith("per_8_bars") else 1.0
        row = {"label": label}
        for col in COLUMNS:
            row[col] = pools[col].value(name, scale)
        if name.startswith("harmonized_"):
            row["repeat_2_bars"] = None  # repeating bars is no harmonization
        if (name in CHORAL_ROWS and not choral) or (name in CROSSING_ROWS and not separable):
            row.update(dict.fromkeys(COLUMNS))
        target = want.get(name)
        row["target"] = f"{target[0]} {target[1]:g}" if target else None
        row["met"] = None if target is None or row["model"] is None else (
            row["model"] >= target[1] if target[0] == ">=" else row["model"] <= target[1])
        rows[name] = row
    return {
        "texture": texture, "voices": voices, "separable_voices": separable,
        "pieces": counts, "opening_bars": opening_bars, "bars": bars,
        "infill": {"window_bars": window_bars, "region_bars": [3, 2 + infill_bars]},
        "settings": {**APP_DEFAULTS, "key": None, "variations": variations, "seed": seed},
        "model_not_run": notes, "seconds": round(time.perf_counter() - t0, 1), "rows": rows,
    }


# ----- bits per note -----------------------------------------------------------------------------
def attacked_notes(sequences, vocab) -> int:
    """Notes attacked in token sequences: one PITCH token each, in both representations."""
    lo = vocab.pitch_offset
    hi = getattr(vocab, "dur_offset", vocab.size)  # REMI: DUR tokens follow the pitches
    return int(sum(int(((np.asarray(s) >= lo) & (np.asarray(s) < hi)).sum()) for s in sequences))


def bits_per_note(cross_entropy: float, tokens: int, notes: int) -> float | None:
    """Total negative log-likelihood in bits divided by the notes attacked: comparable across
    representations, which spend different numbers of tokens on a note."""
    return cross_entropy * tokens / np.log(2) / notes if notes else None
