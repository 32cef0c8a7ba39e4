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
   Both now include the hand-over to the mixer thread (``audio.mixer``): the action drops what
   was mixed ahead, the mixer mixes the first block, the device's pull copies it.
3. Render speed for a four-voice chorale of about ``--minutes`` minutes (Bach chorales from
   music21's corpus, one after another, at 90 bpm): offline (``render_score``: seconds of audio
   per CPU second, the synth's note cache cold and warm) and live (1024-frame blocks as the
   transport reads them: the same ratio, and the slowest block against its 23 ms deadline).

4. A busy GUI thread: while a chorale plays, a timer slot on the GUI thread computes for 200 ms
   (pure Python, so it holds the GIL but for the interpreter's 5 ms switches) every 0.5 s, for
   ``STALL_SECONDS``. Two devices: one that pulls 512-frame blocks on a real-time schedule from
   a thread of its own (as ``QtAudioBackend``'s sink now does), and one that pulls from a timer
   on the GUI thread with a 100 ms buffer (as the sink did when it lived on the GUI thread).
   Reported: the blocks that came later than their deadline (the device's buffer ran dry:
   a dropout) and the mixer's underruns (its ring ran dry: silence).

Speed is measured here, never asserted in tests. Each row is the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from composer_gui.music.score import Score, TempoChange  # noqa: E402

BLOCK = 1024
STALL_SECONDS = 4.0


class NullDevice:
    """No sound card: pulls one block the moment it is opened or asked to (``pull``), so the
    time measured is the time to the first render chunk ready."""

    sample_rate = 44100
    buffer_seconds = 0.1
    realtime = True

    def __init__(self) -> None:
        self.source = None

    def probe(self) -> str:
        return ""

    def open(self, sample_rate: int, source) -> int:
        self.source = source
        return sample_rate

    def pull(self) -> None:
        if self.source is not None:
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
        while t.first_write_at is None and time.perf_counter() - t0 < 5:
            if isinstance(t._backend, NullDevice):
                t._backend.pull()
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


class ClockedDevice:
    """A device that plays in real time: a block of ``PERIOD`` frames is due every
    ``PERIOD / 44100`` s and it keeps ``buffer_seconds`` pulled ahead. ``on_gui_thread``: it
    pulls from a QTimer on the GUI thread (QAudioSink made there); else from a thread of its
    own. ``late`` counts the blocks pulled after they were due to play: dropouts."""

    sample_rate = 44100
    realtime = True
    PERIOD = 512

    def __init__(self, on_gui_thread: bool, buffer_seconds: float = 0.1) -> None:
        self.on_gui_thread = on_gui_thread
        self.buffer_seconds = buffer_seconds
        self.source = None
        self.pulled = 0
        self.late = 0
        self.slowest_pull = 0.0
        self._t0 = 0.0
        self._stop = threading.Event()
        self._thread = None
        self._timer = None

    def probe(self) -> str:
        return ""

    def open(self, sample_rate: int, source) -> int:
        self.source = source
        self._t0 = time.perf_counter()
        if self.on_gui_thread:
            from PySide6.QtCore import QTimer

            self._timer = QTimer()
            self._timer.setInterval(5)
            self._timer.timeout.connect(self._top_up)
            self._timer.start()
        else:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return sample_rate

    def _played(self) -> int:
        return int((time.perf_counter() - self._t0) * self.sample_rate)

    def _top_up(self) -> None:
        ahead = round(self.buffer_seconds * self.sample_rate)
        while self.source is not None and self.pulled < self._played() + ahead:
            if self.pulled + self.PERIOD <= self._played():  # due before it was pulled
                self.late += 1
            p0 = time.perf_counter()
            self.source(self.PERIOD)
            self.slowest_pull = max(self.slowest_pull, time.perf_counter() - p0)
            self.pulled += self.PERIOD

    def _run(self) -> None:
        while not self._stop.is_set():
            self._top_up()
            time.sleep(0.002)

    def played_seconds(self) -> float:
        return self._played() / self.sample_rate

    def suspend(self) -> None: ...

    def resume(self) -> None: ...

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._timer is not None:
            self._timer.stop()
        self.source = None


def gui_stall(score: Score) -> list[tuple[str, str]]:
    """Play while the GUI thread computes for 200 ms every 0.5 s."""
    from PySide6.QtCore import QCoreApplication, QTimer

    from composer_gui.ui.transport import Transport

    app = QCoreApplication.instance() or QCoreApplication([])
    rows = []
    for on_gui in (False, True):
        device = ClockedDevice(on_gui_thread=on_gui)
        t = Transport(backend=device)
        t.set_score(score)
        stalls = []

        def busy(stalls=stalls) -> None:
            b0 = time.perf_counter()
            x = 0
            while time.perf_counter() - b0 < 0.2:
                x += sum(range(1000))
            stalls.append(time.perf_counter() - b0)

        timer = QTimer()
        timer.setInterval(500)
        timer.timeout.connect(busy)
        t.play(0)
        timer.start()
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < STALL_SECONDS:
            app.processEvents()
            time.sleep(0.001)
        timer.stop()
        mixer = getattr(t, "_mixer", None)  # None: the code before the mixer thread
        underruns = "n/a (no ring)" if mixer is None else str(mixer.underruns)
        t.shutdown()
        where = "on the GUI thread, 100 ms buffer" if on_gui else "on its own thread"
        rows.append((f"GUI busy 200 ms x{len(stalls)} while playing; device pulls {where}: "
                     f"late blocks (dropouts) / {device.pulled // device.PERIOD} | "
                     "ring underruns | slowest pull",
                     f"{device.late} | {underruns} | {device.slowest_pull * 1000:.2f} ms"))
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
    stall = gui_stall(score)

    device = "QAudioSink" if kind == "qt" else "null sink (no audio device)"
    print(f"\n| measure ({device}) | result |")
    print("| --- | --- |")
    for name, seconds in latency:
        print(f"| {name} | {seconds * 1000:.1f} ms |")
    for name, text in speed:
        print(f"| {name} | {text} |")
    print("\n| busy GUI thread | late blocks | ring underruns | slowest pull |")
    print("| --- | --- | --- | --- |")
    for name, text in stall:
        print(f"| {name.split(': late')[0]} | {text} |")


if __name__ == "__main__":
    main()
