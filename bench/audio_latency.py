"""Audio benchmark: Play -> first buffer queued, a clicked key -> sound queued, render speed.

    python bench/audio_latency.py [--minutes 3] [--repeat 3]

1. Play latency: from ``Transport.play()`` to the first block of PCM the audio device pulls,
   cold (the first Play of a session: loading the SoundFont included) and warm. Without an audio
   device (CI, this bench's default) the device is a null sink that pulls one block at once, so
   the figure is the time to the first render chunk ready; with ``--device`` and a sound card
   (or a sound server) the real QAudioSink is used.
   With a device, also Play -> the device's clock moving on (the sink stays open between plays,
   so what it still holds plays first). The sound server's own output latency comes on top.
2. Audition latency: from ``Transport.audition(pitch)`` (a clicked key) to its block queued.
3. Render speed for a four-voice chorale of about ``--minutes`` minutes (Bach chorales from
   music21's corpus, one after another, at 90 bpm): offline (``render_score``: seconds of audio
   per CPU second, the synth's note cache cold and warm) and live (1024-frame blocks as the
   transport reads them: the same ratio, and the slowest block against its 23 ms deadline).

Speed is measured here, never asserted in tests. Each row is the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from composer_gui.music.score import Score, TempoChange  # noqa: E402

BLOCK = 1024


class NullDevice:
    """No sound card: pulls one block the moment it is opened or asked to (``pull``), so the
    time measured is the time to the first render chunk ready."""

    sample_rate = 44100
    buffer_seconds = 0.1

    def __init__(self) -> None:
        self.source = None

    def probe(self) -> str:
        return ""

    def open(self, sample_rate: int, source) -> int:
        self.source = source
        return sample_rate

    def pull(self) -> None:
        self.source(BLOCK)

    def played_seconds(self) -> float:
        return 0.0

    def close(self) -> None:
        self.source = None


def chorale(minutes: float) -> tuple[Score, list[str]]:
    """Four-voice Bach chorales back to back, at 90 bpm, until ``minutes`` are reached."""
    import music21

    from composer_gui.music import load_score

    target = minutes * 60
    names: list[str] = []
    score = None
    for path in sorted(music21.corpus.getComposer("bach")):
        s = load_score(path)
        if len([p for p in s.parts if p.notes]) != 4:
            continue
        s = Score(parts=s.parts, tempos=(TempoChange.from_bpm(0, 90),),
                  time_signatures=s.time_signatures[:1])
        if score is None:
            score = s
        else:
            at = score.bar_start(score.bar_count())
            score = score.merge(s, at=at)
        names.append(Path(path).stem)
        if score.seconds_at(score.end_tick) >= target:
            break
    return score, names


def play_latency(score: Score, repeat: int, device_kind: str) -> list[tuple[str, float]]:
    from PySide6.QtCore import QCoreApplication

    from composer_gui.audio import render, soundfont
    from composer_gui.ui.transport import QtAudioBackend, Transport

    app = QCoreApplication.instance() or QCoreApplication([])
    rows = []

    def make_device():
        return QtAudioBackend() if device_kind == "qt" else NullDevice()

    def first_block(t, t0, action) -> float:
        """Seconds from ``t0`` until the device has pulled the first block after ``action``."""
        t.first_write_at = None
        action()
        if isinstance(t._backend, NullDevice):
            t._backend.pull()
        while t.first_write_at is None and time.perf_counter() - t0 < 5:
            app.processEvents()
        return (t.first_write_at or float("nan")) - t0

    # cold: nothing loaded yet (the SoundFont is read on the first Play)
    soundfont._CACHE.clear()
    render._DEFAULT.clear()
    t = Transport(backend=make_device())
    t.set_score(score)
    rows.append(("Play -> first buffer pulled, cold (loads the SoundFont)",
                 first_block(t, time.perf_counter(), lambda: t.play(0))))
    t.shutdown()

    best = float("inf")
    for _ in range(repeat):
        t = Transport(backend=make_device())
        t.set_score(score)
        best = min(best, first_block(t, time.perf_counter(), lambda t=t: t.play(0)))
        t.shutdown()
    rows.append(("Play -> first buffer pulled, warm", best))

    best = float("inf")
    for _ in range(repeat):
        t = Transport(backend=make_device())
        t.set_score(score)
        t.play(score.bar_start(10))
        best = min(best, first_block(t, time.perf_counter(),
                                     lambda t=t: t.play(score.bar_start(20))))
        t.shutdown()
    rows.append(("Play from bar 21 while playing -> first buffer pulled, warm", best))

    if device_kind == "qt":  # Play -> the device's clock moves, the sink already open
        best = float("inf")
        t = Transport(backend=make_device())
        t.set_score(score)
        t.play(0)
        for _ in range(repeat):
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < 0.3:
                app.processEvents()
            t.stop()
            t0 = time.perf_counter()
            t.play(0)
            while t.played_seconds() <= 0 and time.perf_counter() - t0 < 3:
                app.processEvents()
                time.sleep(0.0005)
            best = min(best, time.perf_counter() - t0)
        t.shutdown()
        rows.append(("Play -> device clock moving (sink open: Stop then Play)", best))

    best = float("inf")
    for pitch in (60, 61, 62)[:repeat]:
        t = Transport(backend=make_device())
        t.audition(pitch - 12, 100)  # the device is open, as it is after the first click
        best = min(best, first_block(t, time.perf_counter(),
                                     lambda t=t, p=pitch: t.audition(p, 100)))
        t.shutdown()
    rows.append(("audition(pitch) (a clicked key) -> buffer pulled", best))
    return rows


def render_speed(score: Score, repeat: int) -> list[tuple[str, str]]:
    from composer_gui.audio.render import ScoreStream, render_score
    from composer_gui.audio.soundfont import load_default
    from composer_gui.audio.synth import Synth

    sf = load_default()
    audio_seconds = score.seconds_at(score.end_tick) + 1.0
    rows = []

    cold = float("inf")
    for _ in range(repeat):
        synth = Synth(sf)  # an empty note cache
        c0 = time.process_time()
        pcm = render_score(score, synth)
        cold = min(cold, time.process_time() - c0)
    rows.append(("offline render, note cache cold",
                 f"{audio_seconds / cold:.0f}x real time ({cold:.2f} CPU s)"))
    warm = float("inf")
    for _ in range(repeat):
        c0 = time.process_time()
        render_score(score, synth)
        warm = min(warm, time.process_time() - c0)
    rows.append(("offline render, note cache warm",
                 f"{audio_seconds / warm:.0f}x real time ({warm:.2f} CPU s)"))

    live, worst = float("inf"), 0.0
    for _ in range(repeat):
        synth = Synth(sf)
        stream = ScoreStream.for_score(score, synth)
        c0 = time.process_time()
        slowest = 0.0
        while stream.remaining:
            b0 = time.perf_counter()
            stream.read(BLOCK)
            slowest = max(slowest, time.perf_counter() - b0)
        live = min(live, time.process_time() - c0)
        worst = max(worst, slowest)
    rows.append((f"live, {BLOCK}-frame blocks, cache cold",
                 f"{audio_seconds / live:.0f}x real time ({live:.2f} CPU s)"))
    rows.append((f"slowest {BLOCK}-frame block (deadline {BLOCK / 44.1:.0f} ms)",
                 f"{worst * 1000:.1f} ms"))
    peak = float(np.abs(pcm).max())
    rows.append(("rendered peak level (1.0 = full scale)", f"{peak:.2f}"))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--device", action="store_true",
                    help="use the real audio output (QAudioSink) instead of a null sink")
    args = ap.parse_args()

    t0 = time.perf_counter()
    score, names = chorale(args.minutes)
    length = score.seconds_at(score.end_tick)
    print(f"chorale: {len(names)} Bach chorales ({', '.join(names)}) at 90 bpm, "
          f"{length:.0f} s, {score.note_count} notes, 4 voices "
          f"(built in {time.perf_counter() - t0:.1f} s)")
    kind = "qt" if args.device else "null"
    latency = play_latency(score, args.repeat, kind)
    speed = render_speed(score, args.repeat)

    device = "QAudioSink" if kind == "qt" else "null sink (no audio device)"
    print(f"\n| measure ({device}) | result |")
    print("| --- | --- |")
    for name, seconds in latency:
        print(f"| {name} | {seconds * 1000:.1f} ms |")
    for name, text in speed:
        print(f"| {name} | {text} |")


if __name__ == "__main__":
    main()
