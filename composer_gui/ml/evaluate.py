"""Honest numbers for a model folder, on the test pieces its training never saw.

1. **Teacher forcing** on ONNX Runtime (the graph the app runs, no TensorFlow): cross-entropy
   (nats per token), perplexity and next-token accuracy over every token after BOS of every test
   piece, the pieces batched and the LSTM state carried step by step; and **bits per note** (the
   total negative log-likelihood in bits over the notes attacked), which compares models whose
   representations spend different numbers of tokens on a note (REMI event stream, voice grid).
2. **Baselines** fitted on the same training split and scored on the same tokens: unigram and
   interpolated absolute-discounting n-grams, n = 3..5 (baselines.py); the best is reported, all
   with bits per note too.
3. **Musical rows** (musical_eval.py): chords, cadences, parallels, crossings, tonic endings,
   restated bars, in-key share, the infill seam and harmonization, each for the model's output at
   the app's defaults without the key lock, for the real music, and for two trivial baselines.
   From the same continuations, the histogram overlaps of the first cards (pitch class relative to
   the opening's key, note length, inter-onset interval, pitch range per piece, notes per bar,
   polyphony; sum of the element-wise minimum of the two normalised histograms, in [0, 1]) and
   the longest run of one repeated bar.

The test split comes from the folder's ``split.json`` (piece ids), so a fresh clone recreates it
exactly (the corpus is re-parsed, or read from the cache).
"""

from __future__ import annotations

import itertools
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from composer_gui.ml.baselines import evaluate_baselines
from composer_gui.ml.corpora import Piece, load_pieces, pieces_from_record
from composer_gui.ml.keyfinding import estimate_key
from composer_gui.ml.model_folder import (
    CARD,
    CARD_MD,
    SPLIT,
    TOKEN,
    load_model,
    read_config,
    vocabulary_from_dict,
)
from composer_gui.ml.tokens import PAD, Vocabulary
from composer_gui.music.score import Note, Score

TARGETS = {"perplexity_reduction": 0.25, "in_key": 0.95, "max_repeat": 4, "overlap": 0.8}


# ----- teacher forcing ---------------------------------------------------------------------------
def teacher_forced(model, sequences: Sequence[Sequence[int]], batch_size: int = 64,
                   progress: bool = False) -> dict:
    """Cross-entropy, perplexity and accuracy of a loaded model (model_folder.LoadedModel) on
    sequences, predicting every token after the first."""
    session = model.session
    in_names, out_names = list(model.input_names), list(model.output_names)
    order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
    nll = 0.0
    correct = count = 0
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    from tqdm import tqdm

    for idx in tqdm(batches, desc="teacher forcing", unit="batch", disable=not progress):
        lengths = np.array([len(sequences[i]) for i in idx])
        x = np.full((len(idx), lengths.max()), PAD, np.int32)
        for row, i in enumerate(idx):
            x[row, :lengths[row]] = sequences[i]
        state = {n: np.zeros((len(idx), model.hidden), np.float32) for n in in_names[1:]}
        for t in range(lengths.max() - 1):
            live = np.flatnonzero(lengths > t + 1)
            feed = {TOKEN: x[live, t:t + 1], **{n: s[live] for n, s in state.items()}}
            out = session.run(out_names, feed)
            for n, s in zip(in_names[1:], out[1:], strict=True):
                state[n][live] = s
            logits = out[0].astype(np.float64)
            target = x[live, t + 1]
            m = logits.max(axis=1, keepdims=True)
            logz = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
            nll += float((logz - logits[np.arange(len(live)), target]).sum())
            correct += int((logits.argmax(axis=1) == target).sum())
            count += len(live)
    ce = nll / max(count, 1)
    return {"cross_entropy": ce, "perplexity": math.exp(ce), "accuracy": correct / max(count, 1),
            "tokens": count}


# ----- statistics of note lists ------------------------------------------------------------------
def overlap(a: Counter, b: Counter) -> float | None:
    """Histogram intersection of two count histograms after normalising each (1: identical)."""
    ta, tb = sum(a.values()), sum(b.values())
    if not ta or not tb:
        return None
    return float(sum(min(a[k] / ta, b[k] / tb) for k in set(a) | set(b)))


def bar_runs(notes: Sequence[Note], start: int, bar_ticks: int, bars: int) -> int:
    """Longest run of consecutive identical, non-empty bars in [start, start + bars * bar_ticks)."""
    content = []
    for b in range(bars):
        lo = start + b * bar_ticks
        content.append(tuple(sorted((n.start - lo, n.pitch, n.duration) for n in notes
                                    if lo <= n.start < lo + bar_ticks)))
    best = run = 0
    prev = None
    for c in content:
        run = run + 1 if c and c == prev else (1 if c else 0)
        prev = c
        best = max(best, run)
    return best


class ContinuationStats:
    """Histograms of one set of continuations (generated, or real)."""

    def __init__(self, step_ticks: int) -> None:
        self.step = step_ticks
        self.pitch_class = Counter()
        self.length = Counter()
        self.ioi = Counter()
        self.pitch_range = Counter()
        self.notes_per_bar = Counter()
        self.polyphony = Counter()
        self.in_key = 0
        self.keyed = 0
        self.runs: list[int] = []

    def add(self, notes: Sequence[Note], key, start: int, bar_ticks: int, bars: int) -> None:
        notes = sorted(notes)
        for n in notes:
            self.length[max(1, round(n.duration / self.step))] += 1
            if key is not None:
                self.pitch_class[(n.pitch - key.tonic_pc) % 12] += 1
                self.keyed += 1
                self.in_key += n.pitch % 12 in key.scale_pcs()
        onsets = sorted({n.start for n in notes})
        self.ioi.update(round((b - a) / self.step) for a, b in itertools.pairwise(onsets))
        if notes:
            self.pitch_range[max(n.pitch for n in notes) - min(n.pitch for n in notes)] += 1
        for b in range(bars):
            lo = start + b * bar_ticks
            self.notes_per_bar[sum(lo <= n.start < lo + bar_ticks for n in notes)] += 1
        for t in onsets:
            self.polyphony[sum(n.start <= t < n.end for n in notes)] += 1
        self.runs.append(bar_runs(notes, start, bar_ticks, bars))

    def summary(self) -> dict:
        def mean(c: Counter) -> float | None:
            total = sum(c.values())
            return float(sum(k * v for k, v in c.items()) / total) if total else None

        return {
            "notes": sum(self.length.values()),
            "in_key": self.in_key / self.keyed if self.keyed else None,
            "mean_note_length_steps": mean(self.length),
            "mean_inter_onset_steps": mean(self.ioi),
            "mean_pitch_range": mean(self.pitch_range),
            "mean_notes_per_bar": mean(self.notes_per_bar),
            "mean_polyphony": mean(self.polyphony),
            "longest_repeated_bar_run": max(self.runs, default=0),
            "pieces_with_bar_repeated_over_4": sum(r > 4 for r in self.runs),
        }


def compare(gen: ContinuationStats, real: ContinuationStats) -> dict:
    """Overlaps in [0, 1]; pitch range binned by 3 semitones (one value per piece is sparse)."""
    def binned(c: Counter, width: int) -> Counter:
        out = Counter()
        for k, v in c.items():
            out[k // width] += v
        return out

    return {
        "pitch_class": overlap(gen.pitch_class, real.pitch_class),
        "note_length": overlap(gen.length, real.length),
        "inter_onset": overlap(gen.ioi, real.ioi),
        "pitch_range": overlap(binned(gen.pitch_range, 3), binned(real.pitch_range, 3)),
        "notes_per_bar": overlap(gen.notes_per_bar, real.notes_per_bar),
        "polyphony": overlap(gen.polyphony, real.polyphony),
    }


def continuations(folder: Path, pieces: Sequence[Piece], vocab: Vocabulary, *,
                  opening_bars: int = 4, bars: int = 8, max_pieces: int = 100, seed: int = 0,
                  temperature: float = 1.0, top_p: float = 1.0, key: str | None = None,
                  progress: bool = False, generate=None) -> dict:
    """Continue the opening of each test piece (up to ``max_pieces``, spread evenly over the
    sorted ids) and compare with the real continuation. ``generate(score, start_tick, bars,
    seed) -> notes`` defaults to the sampler on ``folder``; tests pass real-vs-real."""
    if generate is None:
        generate = sampler_generate(folder, temperature, top_p, key)
    eligible = []
    for p in pieces:
        score = vocab.decode(p.tokens)
        if len(score.time_signatures) == 1 and score.bar_count() >= opening_bars + bars:
            eligible.append((p.id, score))
    if len(eligible) > max_pieces:
        pick = np.linspace(0, len(eligible) - 1, max_pieces).round().astype(int)
        eligible = [eligible[i] for i in pick]
    gen, real = ContinuationStats(vocab.step_ticks), ContinuationStats(vocab.step_ticks)
    from tqdm import tqdm

    t0 = time.perf_counter()
    for i, (_pid, score) in enumerate(tqdm(eligible, desc="continuations", unit="piece",
                                           disable=not progress)):
        start = score.bar_start(opening_bars)
        end = score.bar_start(opening_bars + bars)
        bar_ticks = score.time_signature.bar_ticks
        opening = score.slice(0, start, shift=False)
        opening_key = estimate_key(opening.notes)
        real_notes = [n for n in score.notes if start <= n.start < end]
        gen_notes = [n for n in generate(opening, start, bars, seed + i) if n.start < end]
        real.add(real_notes, opening_key, start, bar_ticks, bars)
        gen.add(gen_notes, opening_key, start, bar_ticks, bars)
    return {
        "pieces": len(eligible), "opening_bars": opening_bars, "bars": bars,
        "temperature": temperature, "top_k": 0, "top_p": top_p, "key_constraint": key,
        "seed": seed, "seconds": round(time.perf_counter() - t0, 1),
        "overlap": compare(gen, real), "generated": gen.summary(), "real": real.summary(),
    }


def sampler_generate(folder: Path, temperature: float, top_p: float = 1.0,
                     key: str | None = None):
    """``generate(opening, start, bars, seed) -> notes`` through musical_eval's one adapter."""
    from composer_gui.ml.musical_eval import sampler_adapter

    generate_scores = sampler_adapter(folder)

    def generate(opening: Score, start: int, bars: int, seed: int) -> list[Note]:
        scores = generate_scores(opening, {"bars": bars, "temperature": temperature, "top_k": 0,
                                           "top_p": top_p, "key": key, "seed": seed,
                                           "start_tick": start, "variations": 1})
        return [n for n in scores[0].notes if n.start >= start]

    return generate


# ----- the whole evaluation ----------------------------------------------------------------------
def load_split(folder: Path, progress: bool = False) -> tuple[dict[str, list[Piece]], Vocabulary,
                                                               dict]:
    config = read_config(folder)
    record = json.loads((folder / SPLIT).read_text(encoding="utf-8"))
    vocab = vocabulary_from_dict(config["vocabulary"])
    source = record.get("source", {})
    limit = config.get("training", {}).get("limit")
    pieces = load_pieces(source.get("corpus"), source.get("data_dir"), vocab, progress=progress,
                         limit=limit)
    return pieces_from_record(record, pieces), vocab, config


def evaluate(name_or_dir, *, max_pieces: int = 40, opening_bars: int = 4, bars: int = 8,
             seed: int = 0, variations: int = 2, orders: Sequence[int] = (3, 4, 5),
             progress: bool = False, generate=None, style_rules: bool = True) -> dict:
    """The whole evaluation as a JSON-able dict. ``generate`` replaces the sampler
    (musical_eval.Generate; tests pass a stand-in); ``max_pieces`` caps each musical task;
    ``style_rules=False`` measures a voice model without the sampler's chorale rules."""
    from composer_gui.ml.model_folder import representation
    from composer_gui.ml.musical_eval import (
        attacked_notes,
        bits_per_note,
        cases_from_pieces,
        musical_rows,
        sampler_adapter,
        voice_count,
    )

    model = load_model(name_or_dir, threads=2)
    folder = model.path
    split, vocab, config = load_split(folder, progress)
    test = [p.tokens.astype(np.int32) for p in split["test"]]
    if not test:
        raise ValueError(f"{folder}: the recorded split has no test pieces")
    notes = attacked_notes(test, vocab)
    t0 = time.perf_counter()
    metrics = teacher_forced(model, test, progress=progress)
    metrics["seconds"] = round(time.perf_counter() - t0, 1)
    metrics["bits_per_note"] = bits_per_note(metrics["cross_entropy"], metrics["tokens"], notes)
    baselines = evaluate_baselines([p.tokens for p in split["train"]], test, vocab.size, orders)
    for b in (baselines["unigram"], baselines["best_ngram"], *baselines["ngram"].values()):
        b["bits_per_note"] = bits_per_note(b["cross_entropy"], b["tokens"], notes)

    cases = cases_from_pieces(split["test"], vocab)
    gen, real = ContinuationStats(vocab.step_ticks), ContinuationStats(vocab.step_ticks)

    def seen(case, start, end, key, real_score, generated) -> None:
        bar_ticks = case.score.time_signature.bar_ticks
        real.add([n for n in real_score.notes if start <= n.start < end], key, start, bar_ticks,
                 bars)
        for g in generated:
            gen.add([n for n in g.notes if start <= n.start < end], key, start, bar_ticks, bars)

    sample = generate if generate is not None else sampler_adapter(folder)
    if not style_rules:
        def sample(score, request, base=sample):
            return base(score, {**request, "style_rules": False})
    music = musical_rows(
        cases, voice_count(vocab, cases), separable=representation(vocab) == "voice-grid",
        generate=sample,
        opening_bars=opening_bars, bars=bars, max_pieces=max_pieces, variations=variations,
        seed=seed, progress=progress, on_continuation=seen)
    music["style_rules"] = style_rules
    ran = bool(gen.runs)
    cont = {
        "pieces": music["pieces"]["continuation"], "opening_bars": opening_bars, "bars": bars,
        **music["settings"],
        "overlap": compare(gen, real) if ran else None,
        "generated": gen.summary() if ran else None, "real": real.summary() if ran else None,
    }
    best = baselines["best_ngram"]
    reduction = 1 - metrics["perplexity"] / best["perplexity"]
    met = {k: v["met"] for k, v in music["rows"].items() if v["target"]}
    result = {
        "model": config.get("name", folder.name),
        "folder": str(folder),
        "representation": representation(vocab),
        "style_rules": style_rules,
        "test_pieces": len(test),
        "test_tokens": metrics["tokens"],
        "test_notes": notes,
        "model_metrics": metrics,
        "baselines": baselines,
        "perplexity_reduction_vs_best_ngram": reduction,
        "music": music,
        # The histogram statistics of the first cards, from the same continuations (app
        # defaults, no key lock).
        "continuations": cont,
        "targets": {
            "perplexity_25pct_below_best_ngram": reduction >= TARGETS["perplexity_reduction"],
            "no_bar_repeated_over_4_times": cont["generated"]["longest_repeated_bar_run"]
            <= TARGETS["max_repeat"] if ran else None,
            "pitch_class_and_note_length_overlap_at_least_0_8": min(
                cont["overlap"]["pitch_class"] or 0, cont["overlap"]["note_length"] or 0)
            >= TARGETS["overlap"] if ran else None,
            **met,
        },
    }
    return result


# ----- the model card ----------------------------------------------------------------------------
def write_card(folder: str | Path, result: dict) -> tuple[Path, Path]:
    """card.json (the evaluation plus the training record) and card.md, from ``result``."""
    folder = Path(folder)
    config = read_config(folder)
    tr = config.get("training", {})
    ppl, ngram = result["model_metrics"]["perplexity"], result["baselines"]["best_ngram"]
    m = config.get("model", {})
    card = {
        "name": config.get("name", folder.name),
        "summary": f"{tr.get('corpus') or 'folder ' + str(tr.get('data_dir'))}: "
                   f"{m.get('layers')} x LSTM {m.get('hidden')}, test perplexity {ppl:.2f} "
                   f"({ngram['n']}-gram {ngram['perplexity']:.2f}), {tr.get('epochs_run')} epochs",
        "data": {"corpus": tr.get("corpus"), "data_dir": tr.get("data_dir"),
                 "split_seed": tr.get("split_seed"), "split_pieces": tr.get("split_sizes"),
                 "split_tokens": tr.get("split_tokens"), "augmentation": _augmentation(tr)},
        "model": {**config.get("model", {}), "parameters": tr.get("parameters"),
                  "vocabulary_size": vocabulary_from_dict(config["vocabulary"]).size},
        "training": {k: tr.get(k) for k in (
            "preset", "epochs", "epochs_run", "best_epoch", "best_val_loss", "training_seconds",
            "batch_size", "seq_len", "learning_rate", "lr_patience", "augment_prob",
            "overrides", "seed", "tensorflow", "keras")},
        "evaluation": {**result, "folder": folder.name},  # no machine-specific paths
        "written_by": "composer-gui evaluate --write-card",
    }
    json_path, md_path = folder / CARD, folder / CARD_MD
    json_path.write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    md_path.write_text(card_markdown(card), encoding="utf-8")
    return json_path, md_path


def _augmentation(tr: dict) -> str | None:
    if tr.get("representation") == "voice-grid":
        return "none (every piece is normalized to C major / A minor)"
    if not tr.get("augment", True):
        return None
    text = (f"random transposition by -5..+6 semitones of a share "
            f"{tr.get('augment_prob', 1.0)} of the pieces each epoch")
    for o in tr.get("overrides", []):
        if "augment_prob" in o:
            text += f"; share {o['augment_prob']} from epoch {o['from_epoch']} on"
    return text


def _f(x, digits: int = 3) -> str:
    if x is None:
        return "n/a"
    if isinstance(x, int) and not isinstance(x, bool):
        return f"{x:,}"
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def music_table(music: dict) -> list[str]:
    """The musical rows as a Markdown table (measure | model | real | baselines | target)."""
    lines = ["| measure | model | real | repeat 2 bars | random in-key | target |",
             "| --- | --- | --- | --- | --- | --- |"]
    for row in music["rows"].values():
        digits = 2 if "per 8 bars" in row["label"] or "semitones" in row["label"] else 3
        cells = [_f(row.get(c), digits) for c in ("model", "real", "repeat_2_bars",
                                                   "random_in_key")]
        target = row.get("target") or ""
        if target and row.get("met") is not None:
            target += " (met)" if row["met"] else " (NOT met)"
        lines.append(f"| {row['label']} | " + " | ".join(cells) + f" | {target} |")
    return lines


def _rules(music: dict) -> str:
    if music.get("style_rules") is False:
        return "the model alone (no style rules)"
    if music.get("voices", 0) >= 3:
        return ("the app's defaults: chorale style rules and the cadence option on "
                "(docs/voices.md)")
    return "the app's defaults"


def _music_notes(music: dict) -> list[str]:
    s, p = music["settings"], music["pieces"]
    out = [
        f"Test pieces: {p.get('continuation', 0)} continued ({music['opening_bars']}-bar "
        f"openings, {music['bars']} bars generated), {p.get('infill', 0)} infilled (bars "
        f"{music['infill']['region_bars'][0]}-{music['infill']['region_bars'][1]} of a "
        f"{music['infill']['window_bars']}-bar window rewritten), {p.get('harmonization', 0)} "
        f"melodies harmonized. Model: temperature {s['temperature']}, top-p {s['top_p']}, "
        f"top-k {s['top_k']}, no key lock, {s['variations']} variation(s) per piece, seed "
        f"{s['seed']}. Texture: {music['texture']} ({music['voices']} voice(s)). Sampler: "
        f"{_rules(music)}.",
        "Baselines see only the music before the generated span: *repeat 2 bars* repeats its "
        "last two bars; *random in-key* keeps each voice's rhythm there and draws pitches from "
        "the key's scale within the voice's range (harmonization: random in-key notes under the "
        "melody in SATB ranges).",
    ]
    if music["texture"] != "chorale":
        out.append("n/a: chords, cadences, parallels, crossings and harmonization need 3+ "
                   "voices.")
    elif not music["separable_voices"]:
        out.append("n/a (crossings): this representation merges the voices into one part.")
    for task, why in music.get("model_not_run", {}).items():
        out.append(f"Model column n/a for {task}: {why}.")
    return out


def card_markdown(card: dict) -> str:
    ev = card["evaluation"]
    m, b = ev["model_metrics"], ev["baselines"]
    best = b["best_ngram"]
    c = ev["continuations"]
    d, tr, md = card["data"], card["training"], card["model"]
    source = d["corpus"] or d["data_dir"]

    def sizes(x: dict | None) -> str:
        return " / ".join(f"{k} {v:,}" for k, v in (x or {}).items())

    lines = [
        f"# Model card: {card['name']}",
        "",
        f"*Written by `composer-gui evaluate --model {card['name']} --write-card`; "
        "do not edit by hand.*",
        "",
        "## Data",
        f"- Source: `{source}`; split by piece (seed {d['split_seed']}): "
        f"{sizes(d['split_pieces'])} pieces; {sizes(d['split_tokens'])} tokens.",
        f"- Augmentation: {d['augmentation']}.",
        "",
        "## Model",
        f"- Representation: {ev.get('representation', 'remi')}. "
        f"Embedding {md.get('embedding')} -> {md.get('layers')} x LSTM {md.get('hidden')} "
        f"(dropout {md.get('dropout')}) -> dense logits; {_f(md.get('parameters'))} parameters; "
        f"vocabulary {md.get('vocabulary_size')} tokens.",
        f"- Training: preset {tr['preset']}, {tr['epochs_run']} epochs run (best: epoch "
        f"{tr['best_epoch']}, val loss {_f(tr['best_val_loss'])}), {_f(tr['training_seconds'], 0)}"
        f" s on CPU, batch {tr['batch_size']} x {tr['seq_len']} tokens, RMSprop lr "
        f"{tr['learning_rate']}, seed {tr['seed']}."
        + (f" Changed when resuming: {tr['overrides']}." if tr.get("overrides") else ""),
        "",
        f"## Test split ({ev['test_pieces']} pieces, {ev['test_tokens']} tokens, "
        f"{_f(ev.get('test_notes'))} notes)",
        "",
        "| model | cross-entropy (nats/token) | perplexity | next-token accuracy | bits per note |",
        "| --- | --- | --- | --- | --- |",
        f"| this LSTM | {_f(m['cross_entropy'])} | {_f(m['perplexity'])} | {_f(m['accuracy'])} | "
        f"{_f(m.get('bits_per_note'), 2)} |",
        f"| best n-gram (n = {best['n']}) | {_f(best['cross_entropy'])} | "
        f"{_f(best['perplexity'])} | {_f(best['accuracy'])} | {_f(best.get('bits_per_note'), 2)} |",
        f"| unigram | {_f(b['unigram']['cross_entropy'])} | {_f(b['unigram']['perplexity'])} | "
        f"{_f(b['unigram']['accuracy'])} | {_f(b['unigram'].get('bits_per_note'), 2)} |",
        "",
        _versus_ngram(ev['perplexity_reduction_vs_best_ngram']) + " Bits per note: the test "
        "set's total negative log-likelihood in bits over the notes attacked (comparable "
        "across representations).",
        "",
    ]
    if "music" in ev:
        lines += ["## Musical measures", "", *music_table(ev["music"]), "",
                  *(f"- {x}" for x in _music_notes(ev["music"])), ""]
    if c.get("generated"):
        o, g, r = c["overlap"], c["generated"], c["real"]
        lines += [
            f"## Continuation statistics ({c['pieces']} test openings of {c['opening_bars']} "
            f"bars, {c['bars']} bars generated, temperature {c['temperature']}, top-p "
            f"{c.get('top_p', 1.0)}, no key constraint)",
            "",
            "| statistic | generated | real continuation |",
            "| --- | --- | --- |",
            f"| pitches in the opening's key | {_f(g['in_key'])} | {_f(r['in_key'])} |",
            f"| longest run of one repeated bar | {g['longest_repeated_bar_run']} | "
            f"{r['longest_repeated_bar_run']} |",
            f"| mean notes per bar | {_f(g['mean_notes_per_bar'], 2)} | "
            f"{_f(r['mean_notes_per_bar'], 2)} |",
            f"| mean polyphony | {_f(g['mean_polyphony'], 2)} | {_f(r['mean_polyphony'], 2)} |",
            f"| mean pitch range | {_f(g['mean_pitch_range'], 1)} | "
            f"{_f(r['mean_pitch_range'], 1)} |",
            "",
            "Histogram overlap with the real continuations (1 = identical): "
            + ", ".join(f"{k.replace('_', ' ')} {_f(v, 2)}" for k, v in o.items()) + ".",
            "",
        ]
    lines += [
        "## Targets",
        *(f"- {k.replace('_', ' ')}: {'n/a' if v is None else 'met' if v else 'NOT met'}"
          for k, v in ev["targets"].items()),
        "",
    ]
    return "\n".join(lines)


def main_json(result: dict) -> str:
    return json.dumps(result, indent=1)



def _versus_ngram(reduction: float) -> str:
    """The perplexity beside the best n-gram's, in words either way (a trial's own small model
    read "Perplexity -201.1% below the best n-gram")."""
    if reduction >= 0:
        return f"Perplexity {100 * reduction:.1f}% below the best n-gram (target: at least 25%)."
    return (f"Perplexity {100 * -reduction:.1f}% above the best n-gram: worse than it "
            "(target: at least 25% below).")


if __name__ == "__main__":  # pragma: no cover
    print(main_json(evaluate(sys.argv[1], progress=True)))
