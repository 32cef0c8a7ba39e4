"""``composer-gui render INPUT OUT.wav``: a score to a 16-bit stereo WAV through the SoundFont.

    composer-gui render sketch.mid sketch.wav
    composer-gui render chorale.musicxml part.wav --start-bar 5 --end-bar 8

Bars are numbered as the score prints them (from 1; from 0 after an upbeat, the upbeat being
bar 0), and --end-bar is included. The WAV ends a moment after the last note
(its release). Errors are one line on stderr and exit 1; the output is written only when complete.
"""

from __future__ import annotations

import sys
from pathlib import Path

from composer_gui.music import ScoreFileError, limits
from composer_gui.music.safe_read import read_score


def add_parser(sub) -> None:
    p = sub.add_parser(
        "render",
        help="render a MIDI/MusicXML/ABC/project file to a WAV file with the SoundFont",
        description="Render a score (or some of its bars) to a 16-bit stereo WAV at 44.1 kHz "
        "through the bundled General MIDI SoundFont (or --soundfont). Bars are numbered from 1; "
        "--end-bar is included.",
    )
    p.add_argument("input", type=Path, help="the score to render")
    p.add_argument("output", type=Path, help="the WAV file to write")
    p.add_argument("--start-bar", default=None, metavar="B", help="first bar (default 1)")
    p.add_argument("--end-bar", default=None, metavar="B", help="last bar (default: the last)")
    p.add_argument("--soundfont", default=None, type=Path, metavar="SF2",
                   help="an .sf2 file to use instead of the bundled one")
    p.add_argument("--sample-rate", default="44100", metavar="HZ", help="default 44100")


class _Bad(Exception):
    pass


def _whole(text, name: str) -> int:
    try:
        return int(str(text))
    except ValueError:
        raise _Bad(f"--{name} must be a whole number, not {text!r}") from None


def _range(args, score) -> tuple[int, int]:
    last_bar = score.bar_number(score.bar_count() - 1)
    first = (score.first_bar_number if args.start_bar is None
             else _whole(args.start_bar, "start-bar"))
    last = last_bar if args.end_bar is None else _whole(args.end_bar, "end-bar")
    try:
        start_index, end_index = score.bar_index(first), score.bar_index(last)
    except ValueError as exc:
        raise _Bad(str(exc)) from None
    if first > last_bar:
        raise _Bad(f"{args.input}: its last bar is bar {last_bar}; "
                   f"--start-bar {first} is past the end")
    if first > last:
        raise _Bad(f"--start-bar {first} is after --end-bar {last}")
    start = score.bar_start(start_index)
    end = score.end_tick if args.end_bar is None else score.bar_start(end_index + 1)
    try:
        limits.check_tick(end, f"--end-bar {last}")
    except ValueError as exc:
        raise _Bad(str(exc)) from None
    return start, end


def run(args) -> int:
    prog = "composer-gui render"
    warnings: list[str] = []
    try:
        if args.output.suffix.lower() not in (".wav", ".wave"):
            raise _Bad(f"{args.output}: the output must be a .wav file")
        rate = _whole(args.sample_rate, "sample-rate")
        if not 8000 <= rate <= 192000:
            raise _Bad(f"--sample-rate must be within 8000..192000, not {rate}")
        score = read_score(args.input, warnings)
        if not score.note_count:
            raise _Bad(f"{args.input}: it holds no notes, so there is nothing to render")
        start, end = _range(args, score)

        from composer_gui.audio.render import render_score, write_wav
        from composer_gui.audio.soundfont import SoundFontError, load_default
        from composer_gui.audio.synth import Synth

        try:
            synth = Synth(load_default(args.soundfont), rate)
        except SoundFontError as exc:
            raise _Bad(str(exc)) from None
        pcm = render_score(score, synth, start, end, warnings)
        write_wav(args.output, pcm, rate)
    except (_Bad, ScoreFileError) as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 1
    except MemoryError:
        print(f"{prog}: {args.input}: too long to render in memory", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug, not bad input: still one line, and no output written
        detail = " ".join(str(exc).split()) or "no details"
        print(f"{prog}: {args.input}: unexpected error ({type(exc).__name__}: {detail}); "
              "please report it", file=sys.stderr)
        return 1
    for w in warnings:
        print(f"note: {args.input}: {w}", file=sys.stderr)
    seconds = len(pcm) / rate
    print(f"{args.output}: {seconds:.1f} s, {rate} Hz, 16-bit stereo")
    return 0
