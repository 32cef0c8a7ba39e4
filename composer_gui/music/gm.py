"""General MIDI names: the 128 instruments (programs 0..127) and the percussion keys of channel 10.

The parts panel lists the instruments; the roll names the drum rows of a drum part with them.
"""

from __future__ import annotations

import re

PROGRAMS: tuple[str, ...] = (
    # pianos
    "Acoustic Grand Piano", "Bright Acoustic Piano", "Electric Grand Piano", "Honky-tonk Piano",
    "Electric Piano 1", "Electric Piano 2", "Harpsichord", "Clavinet",
    # chromatic percussion
    "Celesta", "Glockenspiel", "Music Box", "Vibraphone", "Marimba", "Xylophone",
    "Tubular Bells", "Dulcimer",
    # organs
    "Drawbar Organ", "Percussive Organ", "Rock Organ", "Church Organ", "Reed Organ",
    "Accordion", "Harmonica", "Tango Accordion",
    # guitars
    "Acoustic Guitar (nylon)", "Acoustic Guitar (steel)", "Electric Guitar (jazz)",
    "Electric Guitar (clean)", "Electric Guitar (muted)", "Overdriven Guitar",
    "Distortion Guitar", "Guitar Harmonics",
    # basses
    "Acoustic Bass", "Electric Bass (finger)", "Electric Bass (pick)", "Fretless Bass",
    "Slap Bass 1", "Slap Bass 2", "Synth Bass 1", "Synth Bass 2",
    # strings
    "Violin", "Viola", "Cello", "Contrabass", "Tremolo Strings", "Pizzicato Strings",
    "Orchestral Harp", "Timpani",
    # ensembles
    "String Ensemble 1", "String Ensemble 2", "Synth Strings 1", "Synth Strings 2",
    "Choir Aahs", "Voice Oohs", "Synth Voice", "Orchestra Hit",
    # brass
    "Trumpet", "Trombone", "Tuba", "Muted Trumpet", "French Horn", "Brass Section",
    "Synth Brass 1", "Synth Brass 2",
    # reeds
    "Soprano Sax", "Alto Sax", "Tenor Sax", "Baritone Sax", "Oboe", "English Horn", "Bassoon",
    "Clarinet",
    # pipes
    "Piccolo", "Flute", "Recorder", "Pan Flute", "Blown Bottle", "Shakuhachi", "Whistle",
    "Ocarina",
    # synth leads
    "Lead 1 (square)", "Lead 2 (sawtooth)", "Lead 3 (calliope)", "Lead 4 (chiff)",
    "Lead 5 (charang)", "Lead 6 (voice)", "Lead 7 (fifths)", "Lead 8 (bass + lead)",
    # synth pads
    "Pad 1 (new age)", "Pad 2 (warm)", "Pad 3 (polysynth)", "Pad 4 (choir)", "Pad 5 (bowed)",
    "Pad 6 (metallic)", "Pad 7 (halo)", "Pad 8 (sweep)",
    # synth effects
    "FX 1 (rain)", "FX 2 (soundtrack)", "FX 3 (crystal)", "FX 4 (atmosphere)",
    "FX 5 (brightness)", "FX 6 (goblins)", "FX 7 (echoes)", "FX 8 (sci-fi)",
    # ethnic
    "Sitar", "Banjo", "Shamisen", "Koto", "Kalimba", "Bagpipe", "Fiddle", "Shanai",
    # percussive
    "Tinkle Bell", "Agogo", "Steel Drums", "Woodblock", "Taiko Drum", "Melodic Tom",
    "Synth Drum", "Reverse Cymbal",
    # sound effects
    "Guitar Fret Noise", "Breath Noise", "Seashore", "Bird Tweet", "Telephone Ring",
    "Helicopter", "Applause", "Gunshot",
)

DRUMS: dict[int, str] = dict(enumerate((
    "Acoustic Bass Drum", "Bass Drum 1", "Side Stick", "Acoustic Snare", "Hand Clap",
    "Electric Snare", "Low Floor Tom", "Closed Hi-Hat", "High Floor Tom", "Pedal Hi-Hat",
    "Low Tom", "Open Hi-Hat", "Low-Mid Tom", "Hi-Mid Tom", "Crash Cymbal 1", "High Tom",
    "Ride Cymbal 1", "Chinese Cymbal", "Ride Bell", "Tambourine", "Splash Cymbal", "Cowbell",
    "Crash Cymbal 2", "Vibraslap", "Ride Cymbal 2", "Hi Bongo", "Low Bongo", "Mute Hi Conga",
    "Open Hi Conga", "Low Conga", "High Timbale", "Low Timbale", "High Agogo", "Low Agogo",
    "Cabasa", "Maracas", "Short Whistle", "Long Whistle", "Short Guiro", "Long Guiro",
    "Claves", "Hi Wood Block", "Low Wood Block", "Mute Cuica", "Open Cuica", "Mute Triangle",
    "Open Triangle",
), start=35))

assert len(PROGRAMS) == 128 and max(DRUMS) == 81


def program_name(program: int) -> str:
    """The GM instrument of ``program`` (0..127)."""
    return PROGRAMS[program] if 0 <= program < len(PROGRAMS) else f"Program {program}"


def drum_name(key: int) -> str:
    """The GM percussion sound of MIDI key ``key`` on channel 10 ('' outside 35..81)."""
    return DRUMS.get(key, "")


# ----- a part's name to its instrument ----------------------------------------------------------
# Where a file names a part ("Flute", "Clarinet in B-flat", "Vln. 2", "Soprano") but gives no
# program (a MusicXML <score-part> without <midi-instrument>, an ABC voice, a MIDI track without a
# program change), the name says what it sounds as: a trial heard a flute, a clarinet and a horn
# all on the piano. The first rule whose words the name holds wins, so the longer names come
# first ("English horn" before "horn", "bass clarinet" before "bass", "alto sax" before "alto").
# A bare "Bass" ("B.") is a singer among singers, and says nothing elsewhere: a keyboard's two
# staves are "Treble" and "Bass" as often as a band's bass player is (programs_for_names).
CHOIR = 52  # "Choir Aahs": every sung part (what a harmonized hymn's new parts then sing on)
_NAME_RULES: tuple[tuple[str, int | None], ...] = (
    # percussion is the drum channel's, not a program
    (r"drums?|drum ?set|drum ?kit|percussion|perc|kit|snare|cymbals?|hi-?hat|toms?", None),
    (r"timpani|timp|kettle ?drums?", 47),
    (r"english horn|cor anglais|corno inglese|eng\.? ?hn", 69),
    (r"flugelhorn|flügelhorn|cornet|trumpet|tromba|trompete|tpt|trp", 56),
    (r"baritone horn|euphonium|tuba|sousaphone|tba", 58),
    (r"trombone|posaune|tbn|trb", 57),
    (r"french horn|horn|corno|hn", 60),
    (r"soprano sax(?:ophone)?|sop\.? ?sax", 64),
    (r"tenor sax(?:ophone)?|ten\.? ?sax|t\.? ?sax", 66),
    (r"baritone sax(?:ophone)?|bari(?:tone)?\.? ?sax|b\.? ?sax", 67),
    (r"alto sax(?:ophone)?|sax(?:ophone)?|a\.? ?sax", 65),
    (r"piccolo|picc", 72),
    (r"pan ?flute|pan ?pipes?", 75),
    (r"recorder|blockfl[öo]te", 74),
    (r"tin whistle|whistle", 78),
    (r"ocarina", 79),
    (r"shakuhachi", 77),
    (r"flute|flauto|flöte|fl", 73),
    (r"oboe|oboi|hautbois|ob", 68),
    (r"contrabassoon|bassoon|fagott?o?|bsn|fg", 70),
    (r"clarinet|clarinetto|klarinette|clar|cl", 71),
    (r"electric bass|bass guitar|e\.? ?bass|el\.? ?bass|fretless bass", 33),
    (r"acoustic bass", 32),
    (r"contrabass|double bass|string bass|upright bass|kontrabass|contrabbasso|cb|kb|db", 43),
    (r"violoncello|cello|vc|vlc", 42),
    (r"viola|vla|va", 41),
    (r"violin|violino|violine|vln|vn|vl", 40),
    (r"string ensemble|string orchestra|strings|str", 48),
    (r"harp|arpa|harfe|hp", 46),
    (r"electric guitar|e\.? ?gtr|el\.? ?guitar", 27),
    (r"steel guitar|acoustic guitar|mandolin", 25),
    (r"guitar|gtr|ukulele", 24),
    (r"banjo", 105),
    (r"sitar", 104),
    (r"bagpipes?", 109),
    (r"harpsichord|cembalo|hpd", 6),
    (r"electric piano|e\.? ?piano|rhodes", 4),
    (r"piano|pianoforte|klavier|keyboard|pno|pf", 0),
    (r"celesta|celeste", 8),
    (r"glockenspiel|glock", 9),
    (r"vibraphone|vibes", 11),
    (r"marimba", 12),
    (r"xylophone|xyl", 13),
    (r"tubular bells|chimes", 14),
    (r"organ|orgel|org", 19),
    (r"accordion|akkordeon", 21),
    (r"harmonica", 22),
    (r"choir|chorus|voices?|vocals?|vox|singer|lead vocal|soprano|mezzo(?:-soprano)?|alto|"
     r"contralto|countertenor|tenor|baritone|bass-baritone|sop|ten", CHOIR),
)
_RULES = tuple((re.compile(rf"(?<![\w.])(?:{pattern})(?![\w])\.?", re.IGNORECASE), program)
               for pattern, program in _NAME_RULES)
_CHOIR_PART = re.compile(r"bass\.?|[SATB]\.?", re.IGNORECASE)  # ... among singers
_CHOIR_LETTER = re.compile(r"[SATB]\.?")  # a choir's parts as its score labels them
_BY_NAME = {name.lower(): program for program, name in enumerate(PROGRAMS)}


def _plain(name: str) -> str:
    """A part name as the rules read it: flat and sharp signs as letters, a transposition ("in
    B-flat", "in F") and a number ("2", "II") after the instrument left out."""
    text = " ".join(name.replace("\u266d", "b").replace("\u266f", "#").split())
    text = re.sub(r"\s+in\s+[A-Ga-g]\S*(\s+(flat|sharp))?\s*$", "", text)
    return re.sub(r"\s+(\d+|[IVX]+)\s*$", "", text).strip()


def _program_of(name: str) -> tuple[bool, int | None]:
    """(whether a rule names the instrument, its program: None for percussion) of one name."""
    plain = _plain(name)
    if not plain:
        return False, None
    exact = _BY_NAME.get(name.strip().lower(), _BY_NAME.get(plain.lower()))
    if exact is not None:
        return True, exact
    for rule, program in _RULES:
        if rule.search(plain):
            return True, program
    return False, None


def program_for_name(name: str, among_singers: bool = False) -> int | None:
    """The General MIDI program a part named ``name`` sounds as (0-based), None where the name
    says none (an unnamed part, "Melody", "Right Hand", a drum kit, a bare "Bass").
    ``among_singers``: the score's other parts are sung, so a bare "Bass" ("B.") is the
    choir's bass."""
    named, program = _program_of(name)
    if named:
        return program
    if among_singers and _CHOIR_PART.fullmatch(_plain(name)):
        return CHOIR
    return None


def programs_for_names(names: list[str]) -> list[int | None]:
    """:func:`program_for_name` of each of a score's part names, a bare "Bass" read among the
    others (a choir's when another part is sung, or the parts are labelled S., A., T., B.)."""
    letters = sum(bool(_CHOIR_LETTER.fullmatch(_plain(n))) for n in names)
    singers = letters > 1 or any(program_for_name(n) == CHOIR for n in names)
    return [program_for_name(n, among_singers=singers) for n in names]
