"""The bounds and defaults of a generation request, in one place and importing nothing.

:class:`composer_gui.ml.sampler.GenerationRequest` takes its defaults from here and its
``validate`` enforces the bounds; the Continue panel and ``composer-gui generate`` (its options
and --help) read them too. They live apart from the sampler so that the window and the command
line's help read them without loading numpy or the sampler.
"""

BARS = 4  # bars to add after the bar the continuation starts in
TEMPERATURE = 1.0
TOP_K = 0  # 0: no top-k cut
TOP_P = 0.95  # 1.0: no nucleus cut
KEY = "auto"  # estimated from the sketch
# "Stay in the key" unless the composer says otherwise, by the kind of model: on for an event
# stream (REMI: it learns no key, and wrote 30% of its notes outside it), off for a voice-grid
# model, which is normalized to the key heard and writes in it without the lock (the cards: 0.97
# of the chorales' notes, 1.00 of the tunes'), its chorales then taking Bach's secondary
# dominants and modulations (a tenth listening review: 35 accidentals in 12 locked
# continuations, 104 in Bach's own bars)
KEY_LOCK = {"voice-grid": False, "remi": True}


def default_key(voice_grid: bool) -> str | None:
    """The request's key when the composer names none: "auto" (the key heard, kept) or None
    (the key heard, for a voice model to write in, with the accidentals it chooses)."""
    return KEY if KEY_LOCK["voice-grid" if voice_grid else "remi"] else None


def key_chosen(key: str | None) -> bool:
    """Whether a request's ``key`` is one the composer chose ("E:minor"), not the key heard
    ("auto", None, "none"): its signature then goes where the generation wrote in it
    (:func:`composer_gui.music.edits.keys_for`)."""
    return key is not None and key.strip().lower() not in (KEY, "none")

# Variations stepped together as one batch: for the bundled 2x256 models a step of 16 rows costs
# about 0.35 ms against 0.2 ms for one (one CPU thread). The panel lays its buttons out in rows of
# 8; the keys 1..8 pick the first row, Tab flips through all.
MAX_VARIATIONS = 16
MAX_BARS = 512
# past these the float32 logits overflow (NaN) and sampling would silently stop
MIN_TEMPERATURE = 1e-3
MAX_TEMPERATURE = 1e3

# Voice-grid models (ml/voice_sampler.py): candidates sampled per variation where a search picks
# one (a region scored on the bars after it, a harmonization, the last bar of a cadence), and
# the bars after a region that score them.
VOICE_CANDIDATES = 4
# ... and where only the last bar is searched for an ending on the tonic (a continuation; a
# harmonization's candidates split VOICE_ENDING_CANDIDATES // VOICE_CANDIDATES ways there). Before
# the cadence rules, on the chorale model (runs/bach-voices, 8 test chorales x 4 variations) 4
# candidates found a tonic ending for 8/32 variations, 8 for 10/32, 16 for 27/32. With them
# (_cadence_mask and the rules), 20 test openings x 4 variations continued 8 bars, 1,276 of 1,280
# candidates end on the tonic, 1,196 authentic and without outer parallels; the first 4 of 16
# already hold such an ending for 80 of 80 variations (val: 80 of 80), so 16 only ranked
# candidates by likelihood. 16 -> 8: continued beat chords 0.962 -> 0.962, authentic cadences 1.25
# -> 1.23 per 8 bars, beat-to-beat parallels 0.100 -> 0.125 (4 -> 5 in 40 continuations);
# harmonized test melodies end on the tonic 0.900 -> 0.900, beat chords 0.965 -> 0.963; and the
# 8-bar x 4 request with a cadence 967-1,058 -> 722-783 ms (median of 5, two rounds; 4 candidates:
# 524-607 ms, beat-to-beat parallels 4 -> 6 in 40 continuations).
VOICE_ENDING_CANDIDATES = 8
VOICE_CONTEXT_BARS = 2
# Chorale style rules in the voice sampler (no outer parallel fifths/octaves; beat sonorities
# kept to one triad or seventh chord where the model offers one): on by default for models of
# three or more voices (ml/voice_sampler.py, _style_mask)
STYLE_RULES = True
ENDS = ("cadence", "free")

# Density (voice-grid models): nats added to the logits of a new note (a pitch token) against
# HOLD and REST wherever a voice is sampled; negative: fewer, longer notes; positive: more,
# shorter ones. 0 samples the model as it is. The panel's "fewer notes ... more notes" slider
# spans these bounds (notes per bar it gives: README, "Harmonize and the Continue controls").
DENSITY = 0.0
MIN_DENSITY = -3.0
MAX_DENSITY = 3.0
# A written voice that has notes in the sketch (4 or more, or any in a sketch thinner than the
# model) keeps its register: its new notes lie within this many semitones of its own lowest and
# highest note. The chorale model otherwise pulls a low melody up to its sopranos' register (an
# octave leap into the continuation). Real continuations leave the 4-bar opening's range +- 5
# semitones with 0.26% of their notes (chorales) and 1.8% (folk tunes); +- 4: 1.5% and 4.0%
# (held-out test pieces, 8 bars after a 4-bar opening).
REGISTER_REACH = 5
# A continuation's first note in each voice lies within this many semitones of that voice's last
# note before it (a fifth): real continuations enter with a larger step 2.6% (chorales) and 3.3%
# (folk tunes) of the time (bench/endings.py).
ENTRY_REACH = 7
# Inside that range, a voice of a multi-voice texture is drawn toward its own centre: each
# semitone beyond REGISTER_FREE from the mean pitch of its notes in the sketch costs REGISTER_PULL
# nats (the chorale model otherwise climbs to the top of a low melody's allowed range).
REGISTER_FREE = 5
REGISTER_PULL = 0.4
