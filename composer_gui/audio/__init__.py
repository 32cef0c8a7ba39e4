"""Sound: SoundFont synthesis, offline rendering, playback, MIDI ports. No Qt here.

Why the synthesizer is our own, the bundled SoundFont and its licence, and how live playback
works: docs/audio.md.

Modules: ``soundfont`` (SF2 reader, finding the SoundFont), ``synth`` (one note -> PCM),
``timing`` (ticks <-> seconds), ``render`` (score -> PCM, WAV), ``playback`` (what the transport
plays: loops, auditioned notes, the playhead), ``ring`` and ``mixer`` (mixing ahead on a thread
of its own), ``midi_io`` (ports, recording, sending).
"""

from .render import ScoreStream, default_synth, render_score, render_wav, to_int16, write_wav
from .soundfont import SoundFont, SoundFontError, find_soundfont, load_default
from .synth import SAMPLE_RATE, Synth
from .timing import TempoMap

__all__ = [
    "SAMPLE_RATE",
    "ScoreStream",
    "SoundFont",
    "SoundFontError",
    "Synth",
    "TempoMap",
    "default_synth",
    "find_soundfont",
    "load_default",
    "render_score",
    "render_wav",
    "to_int16",
    "write_wav",
]
