"""How fast is Continue? The prior art's generation loop against this sampler, on the same weights.

    python bench/generate.py                       # models/bach-chorales if installed
    python bench/generate.py --model DIR_OR_NAME   # any model folder
    python bench/generate.py --size 3x512          # a random model of that size (layers x hidden;
                                                   # default 2x256, the bundled models' size)
    python bench/generate.py --also 3x512          # and a random 3x512 row set, as in GUIDE.md

Rows, all in one run so that the ratios hold even on a busy machine:

* (a) the prior art (Classical-Piano-Composer): for each new token, Keras ``model.predict`` on the
  last 100 tokens (the sequence model), keeping only the last step's output;
* (b) this sampler at batch 1: one ONNX step per token carrying the LSTM state, with the grammar and
  constraint masks and top-p sampling, i.e. what the app does (the bare ONNX step beside it);
* (c) the sampler with 8 variations stepped together: ms per step and per token;
* the wall time from request to the last note of 8 bars x 4 variations, and to the first note
  (cold: a new sampler, the sketch prefilled from nothing; warm: the same sketch again, so the
  prefill comes from the cache), for 1 and 2 ONNX Runtime threads.

The sketch is the first 4 bars of Bach's chorale BWV 66.6 from music21's corpus (a C major scale
if the corpus is missing). Each figure is the median of --repeat runs.

Voice-grid rows (ml/voice_sampler.py, on --voice-model or a random 2x256 voice-grid model): 8 bars
x 4 variations of the four-part chorale with a cadence (the last bar searched:
limits.VOICE_ENDING_CANDIDATES candidates per variation) and free, first note and last note (and
the cold first note with the prefill run a token per call, as for a graph exported with its time
axis fixed at 1); harmonizing the chorale's first 8 bars of soprano (the whole span searched, 4
candidates per variation); a 2-bar region of the inner voices scored on the 2 bars after it.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

import numpy as np

from composer_gui.ml import limits
from composer_gui.ml.model_folder import (
    TOKEN,
    ModelError,
    load_model,
    representation,
    resolve_model,
)
from composer_gui.ml.sampler import GenerationRequest, Sampler
from composer_gui.music import Note, Part, Score, load_score

WINDOW = 100


class Timed:
    """An InferenceSession stand-in that counts calls, their batch sizes, the tokens each ran per
    row (a bar of the sketch per call in the prefill, 1 while sampling) and when each ended."""

    def __init__(self, session) -> None:
        self.session = session
        self.batches: list[int] = []
        self.lengths: list[int] = []
        self.ends: list[float] = []

    def run(self, names, feeds):
        out = self.session.run(names, feeds)
        self.batches.append(feeds[TOKEN].shape[0])
        self.lengths.append(feeds[TOKEN].shape[1])
        self.ends.append(time.perf_counter())
        return out

    def calls_for(self, tokens: int) -> int:
        """How many of the first calls ran ``tokens`` tokens at batch 1 (the prefill's calls)."""
        done = 0
        for n, length in enumerate(self.lengths):
            if done >= tokens:
                return n
            done += length
        return len(self.lengths)


def sketch_score() -> Score:
    try:
        from music21 import corpus

        score = load_score(corpus.getWork("bach/bwv66.6"))
        return score.slice(0, score.bar_start(4))
    except Exception:  # no corpus: a plain melody
        notes = tuple(Note(i * 480, [60, 62, 64, 65, 67, 69, 71, 72][i % 8], 480)
                      for i in range(16))
        return Score(parts=(Part(notes),))


def build_random(size: str, folder: Path) -> Path:
    layers, hidden = (int(x) for x in size.lower().split("x"))
    from composer_gui.ml.export import write_random_model_folder
    from composer_gui.ml.keras_model import ModelConfig

    cfg = ModelConfig(embedding=128, hidden=hidden, layers=layers, dropout=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return write_random_model_folder(folder, cfg, seed=1, logit_scale=1.0, name=folder.name,
                                         summary="Random weights for bench/generate.py.")


def prior_art_ms(folder: Path, seed_tokens: list[int], count: int) -> float:
    """ms per token of the prior art's loop: predict over a sliding 100-token window."""
    from composer_gui.ml.keras_model import load_keras_model

    model = load_keras_model(folder)
    window = list(seed_tokens[-WINDOW:])
    while len(window) < WINDOW:
        window = (seed_tokens + window)[-WINDOW:]
    times = []
    for i in range(count + 2):
        t = time.perf_counter()
        logits = model.predict(np.array([window], np.int32), verbose=0)[0, -1]
        token = int(np.argmax(logits))  # the prior art picked greedily
        window = [*window[1:], token]
        if i >= 2:  # the first calls build the predict function
            times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def onnx_step_ms(model, batch: int, count: int = 200) -> float:
    feeds = {TOKEN: np.zeros((batch, 1), np.int32)}
    feeds.update({n: np.zeros((batch, model.hidden), np.float32) for n in model.input_names[1:]})
    names = list(model.output_names)
    for _ in range(20):
        model.session.run(names, feeds)
    t = time.perf_counter()
    for _ in range(count):
        model.session.run(names, feeds)
    return 1000 * (time.perf_counter() - t) / count


def sampler_run(model, sketch: Score, req: GenerationRequest, cold: bool) -> dict:
    """Times of one generation: first note, last note, prefill, steps and tokens after it."""
    sampler = Sampler(model)
    if not cold:  # the same sketch was continued before: prefill comes from the cache
        sampler.generate(sketch, GenerationRequest(bars=1, seed=0))
    sampler.session = timed = Timed(model.session)
    t0 = time.perf_counter()
    first = last = None
    notes = 0
    for _ in sampler.stream(sketch, req):
        last = time.perf_counter()
        first = first or last
        notes += 1
    end = time.perf_counter()
    prefill_tokens = sampler.plan.prefix_tokens if cold else 0
    prefill_calls = timed.calls_for(prefill_tokens)
    prefill_end = timed.ends[prefill_calls - 1] if prefill_calls else t0
    steps = timed.batches[prefill_calls:]
    return {
        "first": (first or end) - t0, "last": (last or end) - t0, "total": end - t0,
        "prefill": prefill_end - t0, "prefill_tokens": prefill_tokens,
        "prefill_calls": prefill_calls,
        "steps": len(steps), "tokens": sum(steps), "gen": end - prefill_end, "notes": notes,
    }


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def bench_model(folder: Path, sketch: Score, args) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    model = load_model(folder, threads=1)
    prefix = Sampler(model)
    prefix.stream(sketch, GenerationRequest(bars=1))  # plan only: the sketch's tokens
    seed_tokens = prefix.vocab.encode(sketch, until_tick=prefix.plan.start_tick, add_eos=False)

    prior = prior_art_ms(folder, seed_tokens, args.prior_tokens)
    rows.append(("(a) prior art: Keras `predict` on a 100-token window, per token",
                 f"{prior:.1f} ms", "1x"))

    def ratio(ms: float) -> str:
        return f"{prior / ms:,.0f}x"

    for threads in (1, 2):
        model = load_model(folder, threads=threads)
        tag = f"{threads} thread{'s' if threads > 1 else ''}"
        one = [sampler_run(model, sketch, GenerationRequest(bars=8, seed=s, variations=1),
                           cold=True) for s in range(args.repeat)]
        per_token = 1000 * median_of(one, "gen") / median_of(one, "tokens")
        step1 = onnx_step_ms(model, 1)
        rows.append((f"(b) this sampler, batch 1, per token ({tag}; masks + sampling included)",
                     f"{per_token:.3f} ms", ratio(per_token)))
        rows.append((f"    bare ONNX step, batch 1 ({tag})", f"{step1:.3f} ms", ratio(step1)))
        eight = [sampler_run(model, sketch, GenerationRequest(bars=8, seed=s, variations=8),
                             cold=True) for s in range(args.repeat)]
        per_step = 1000 * median_of(eight, "gen") / median_of(eight, "steps")
        per_tok8 = 1000 * median_of(eight, "gen") / median_of(eight, "tokens")
        step8 = onnx_step_ms(model, 8)
        rows.append((f"(c) this sampler, 8 variations, per step ({tag})",
                     f"{per_step:.3f} ms", ""))
        rows.append((f"(c) this sampler, 8 variations, per token ({tag})",
                     f"{per_tok8:.3f} ms", ratio(per_tok8)))
        rows.append((f"    bare ONNX step, batch 8 ({tag})", f"{step8:.3f} ms", ""))
        req = GenerationRequest(bars=8, variations=4)
        cold, warm = [], []
        for s in range(args.repeat):
            req.seed = s
            cold.append(sampler_run(model, sketch, req, cold=True))
            warm.append(sampler_run(model, sketch, req, cold=False))
        rows.append((f"8 bars x 4 variations, request to last note, cold ({tag})",
                     f"{1000 * median_of(cold, 'last'):.0f} ms",
                     f"{median_of(cold, 'notes'):.0f} notes"))
        rows.append((f"8 bars x 4 variations, request to last note, warm ({tag})",
                     f"{1000 * median_of(warm, 'last'):.0f} ms", ""))
        rows.append((f"first note, cold: prefill of {cold[0]['prefill_tokens']} tokens in "
                     f"{cold[0]['prefill_calls']} calls "
                     f"({1000 * median_of(cold, 'prefill'):.0f} ms) + first steps ({tag})",
                     f"{1000 * median_of(cold, 'first'):.0f} ms", ""))
        rows.append((f"first note, warm: the same sketch again ({tag})",
                     f"{1000 * median_of(warm, 'first'):.1f} ms", ""))
    return rows


def chorale_bars(bars: int) -> Score:
    try:
        from music21 import corpus

        score = load_score(corpus.getWork("bach/bwv66.6"))
        return score.slice(0, score.bar_start(bars))
    except Exception:
        return sketch_score()


def build_random_voices(folder: Path) -> Path:
    from composer_gui.ml.export import write_random_model_folder
    from composer_gui.ml.voices import VoiceVocabulary

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return write_random_model_folder(
            folder, {"embedding": 128, "hidden": 256, "layers": 2, "dropout": 0.0}, seed=1,
            logit_scale=1.0, name=folder.name, vocab=VoiceVocabulary(),
            summary="Random voice-grid weights for bench/generate.py.")


def voice_run(model, score: Score, req: GenerationRequest, cold: bool) -> dict:
    from composer_gui.ml.voice_sampler import VoiceSampler

    sampler = VoiceSampler(model)
    if not cold:
        list(sampler.stream(score, req))
    sampler.session = timed = Timed(model.session)
    t0 = time.perf_counter()
    first = last = None
    notes = 0
    for _ in sampler.stream(score, req):
        last = time.perf_counter()
        first = first or last
        notes += 1
    end = time.perf_counter()
    steps = [b for b in timed.batches if b > 1] or timed.batches
    return {"first": (first or end) - t0, "last": (last or end) - t0, "total": end - t0,
            "notes": notes, "steps": len(steps), "search": sampler.search}


def bench_voices(folder: Path, args) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    four, eight = chorale_bars(4), chorale_bars(8)
    soprano = eight.with_parts([eight.parts[0]])
    lo, hi = four.bar_start(1), four.bar_start(3)
    model = load_model(folder, threads=1)
    c, e = limits.VOICE_CANDIDATES, limits.VOICE_ENDING_CANDIDATES
    split = max(1, e // c)  # each harmonized candidate splits this many ways at the last bar
    cases = [
        (f"continue 8 bars x 4 variations, cadence (last bar: {e} candidates each)", four,
         dict(bars=8, variations=4, end="cadence")),
        ("continue 8 bars x 4 variations, free", four, dict(bars=8, variations=4, end="free")),
        (f"harmonize 8 bars of soprano, 1 variation ({c} candidates, x{split} at the last bar)",
         soprano, dict(harmonize=True, variations=1)),
        (f"harmonize 8 bars of soprano, 4 variations ({4 * c} candidates, x{split} at the last "
         "bar)", soprano, dict(harmonize=True, variations=4)),
        (f"region: bars 2-3, alto + tenor, 4 variations ({4 * c} candidates, 2 bars after)",
         four, dict(start_tick=lo, end_tick=hi, parts=(1, 2), variations=4)),
    ]
    for label, score, fields in cases:
        for cold in (True, False):
            runs = [voice_run(model, score, GenerationRequest(seed=s, **fields), cold)
                    for s in range(args.repeat)]
            tag = "cold" if cold else "warm"
            rows.append((f"{label}: request to last note, {tag}",
                         f"{1000 * median_of(runs, 'last'):.0f} ms",
                         f"{median_of(runs, 'notes'):.0f} notes, {runs[0]['steps']} steps"))
            rows.append((f"{label}: first note, {tag}", f"{1000 * median_of(runs, 'first'):.0f} ms",
                         ""))
    if model.sequence_input:  # beside it: the prefill a token per call (graphs fixed at T = 1)
        label, score, fields = cases[0]
        one = dataclasses.replace(model, sequence_input=False)
        runs = [voice_run(one, score, GenerationRequest(seed=s, **fields), True)
                for s in range(args.repeat)]
        rows.append((f"{label}: first note, cold, the prefill a token per call (a graph "
                     "exported before the free time axis)",
                     f"{1000 * median_of(runs, 'first'):.0f} ms", ""))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=None, help="model name or folder (default: "
                    "bach-chorales if installed, else a random --size model)")
    ap.add_argument("--size", default="2x256", help="layers x hidden of the random model "
                    "(default: the bundled models' size)")
    ap.add_argument("--also", default=None, metavar="LxH",
                    help="add rows for a random model of this size (e.g. 3x512)")
    ap.add_argument("--prior-tokens", type=int, default=10,
                    help="tokens timed for the prior art's loop")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--voice-model", default=None, metavar="DIR",
                    help="a voice-grid model folder for the voice rows (default: a random 2x256)")
    ap.add_argument("--no-voices", action="store_true", help="skip the voice-grid rows")
    ap.add_argument("--only-voices", action="store_true", help="only the voice-grid rows")
    args = ap.parse_args()

    sketch = sketch_score()
    targets: list[tuple[str, Path]] = []
    tmp = Path(tempfile.mkdtemp(prefix="bench-generate-"))
    # the REMI rows: a REMI model given with --model, else a random one of --size (the bundled
    # models read the voice grid now: they are timed in the voice rows)
    bundled = None
    with contextlib.suppress(ModelError):
        bundled = resolve_model("bach-chorales")
    name = args.model
    if name is not None and representation(load_model(resolve_model(name)).vocab) == "remi":
        folder = resolve_model(name)
        cfg = load_model(folder).config["model"]
        targets.append((f"{folder.name} ({cfg['layers']}x{cfg['hidden']})", folder))
    else:
        targets.append((f"REMI: random {args.size}",
                        build_random(args.size, tmp / f"random-{args.size}")))
    if args.also:
        targets.append((f"random {args.also}", build_random(args.also, tmp / f"r-{args.also}")))

    print(f"sketch: {sketch.note_count} notes, {sketch.bar_count()} bars; "
          f"{os.cpu_count()} CPU cores; median of {args.repeat} runs\n")
    if not args.no_voices:
        if args.voice_model or (bundled is not None
                                and representation(load_model(bundled).vocab) == "voice-grid"):
            vfolder = resolve_model(args.voice_model) if args.voice_model else bundled
            vlabel = f"voice grid: {vfolder.name}"
        else:
            vfolder = build_random_voices(tmp / "random-voices-2x256")
            vlabel = "voice grid: random 2x256"
        targets.append((vlabel, vfolder))
    if args.only_voices:
        targets = targets[-1:]
    for label, folder in targets:
        rows = (bench_voices(folder, args) if label.startswith("voice grid")
                else bench_model(folder, sketch, args))
        print(f"### {label}\n")
        print("| measurement | time | vs (a) |")
        print("| --- | ---: | ---: |")
        for what, value, vs in rows:
            print(f"| {what} | {value} | {vs} |")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
