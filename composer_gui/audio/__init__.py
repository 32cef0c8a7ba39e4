"""Sound: SoundFont synthesis, offline rendering, playback scheduling, MIDI ports. No Qt here.

The choice of synthesizer (checked 2025-11, see docs/audio.md for the details):

* ``tinysoundfont`` (0.3.7, wheels for all three systems) declares ``pyaudio`` as a hard
  requirement; PyAudio 0.2.14 has wheels for Windows only, so ``pip install`` builds it from source
  on Linux and macOS and fails without the PortAudio headers. Not usable as a plain dependency.
* ``pyfluidsynth`` needs the FluidSynth shared library from the system (not pip-installable).
* ``midirenderer`` (0.1.3, MIT, Rust/rustysynth, abi3 wheels for all three) only turns a whole
  MIDI file into a whole WAV: fixed 48 kHz 16-bit, no note-on/off API for live playback or
  auditioning a key, and it cuts the release of the last notes off at the end of the file.
* ``pyTinySoundFont`` (0.0.1, 2022) cannot load from memory and has no licence in its metadata.

So the synthesizer is our own: ``soundfont`` reads SF2 files (RIFF, presets -> instruments ->
zones, generators merged as the spec says) and ``synth`` plays their samples with numpy (key and
velocity ranges, root key, tuning, loops, the volume envelope, attenuation, pan, the GM velocity
curve). It needs nothing beyond numpy, renders at any sample rate, block by block for live playback
or whole for export, and a note is the same sound in both. It is a sample player, not FluidSynth:
no filters, LFOs, modulators, reverb or chorus.

The bundled SoundFont is ``resources/soundfonts/GMbank.sf2`` ("GM GS Bank", 4.2 MB, Csound's
``samples/sf_GMbank.sf2``; its licence field says Public Domain, and Debian's csound package
records it so): all 128 General MIDI programs in bank 0, GS variations, nine drum kits in
bank 128.
``$COMPOSER_GUI_SOUNDFONT`` points at another .sf2 file (e.g. a larger General MIDI set).

Modules: ``soundfont`` (SF2 reader, finding the SoundFont), ``synth`` (one note -> PCM),
``timing`` (ticks <-> seconds), ``render`` (score -> PCM, WAV), ``playback`` (what the transport
plays: loops, auditioned notes, the playhead), ``midi_io`` (ports, recording, sending).
"""

from .render import ScoreStream, default_synth, render_score, to_int16, write_wav
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
    "to_int16",
    "write_wav",
]
