"""``composer-gui generate``: continue a seed file (or start from nothing) with an installed model.

    composer-gui generate --model bach-chorales --seed sketch.mid --bars 8 -o out.mid
    composer-gui generate --model folk-melodies --bars 16 --variations 4 --rng-seed 7 -o t.mxl
    composer-gui generate --model bach-voices --seed tune.mid --harmonize -o chorale.mid

The output holds the seed followed by the continuation (or, with --region, the seed with those bars
rewritten), kept by the same rule as the window's Keep (music/edits.py: which part the notes join,
which of the seed's notes they replace). A voice-grid model writes each voice into the seed's own
part (a chorale continues in S/A/T/B); --harmonize keeps the melody and adds Alto, Tenor and Bass
(or, with --region on a four-part seed, rewrites those three there); --end cadence counts the bars
down to an ending, --end free does not; a region is chosen on the bars after it as well.
With --variations K > 1 it writes OUT-1.mid .. OUT-K.mid. The same --rng-seed gives the same
notes (and byte-identical MIDI and project files). Errors are one line on stderr and exit 1;
nothing is written unless every output is complete.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from composer_gui.ml import limits
from composer_gui.ml.keyfinding import keys_heard, with_heard_key
from composer_gui.music import ScoreFileError, save_score, summary
from composer_gui.music import limits as music_limits
from composer_gui.music.clefs import needs_grand_staff
from composer_gui.music.edits import drums_not_continued, drums_note, keys_for
from composer_gui.music.formats import PROJECT_SUFFIX, WRITABLE, kind_of
from composer_gui.music.midi import modes_unkept
from composer_gui.music.safe_read import read_score
from composer_gui.music.score import Score

from .tunes import tune_number

DEFAULT_MODEL = "bach-chorales"


def add_parser(sub) -> None:
    p = sub.add_parser(
        "generate",
        help="continue a MIDI/MusicXML/ABC seed (or start from nothing) with an installed model",
        description="Continue a seed file with a model; the output holds the seed followed by "
        "the continuation. Bars are numbered from 1.",
    )
    p.add_argument("--model", default=DEFAULT_MODEL, metavar="NAME",
                   help=f"installed model name or model folder (default: {DEFAULT_MODEL}; "
                   "see `composer-gui models`)")
    p.add_argument("--seed", type=Path, metavar="FILE",
                   help="the sketch to continue (MIDI, MusicXML, ABC, project); none: start "
                   "from the model's own opening")
    p.add_argument("--tune", type=tune_number, default=None, metavar="N",
                   help="which tune of an ABC seed that holds several (from 1; default 1)")
    p.add_argument("--bars", default=str(limits.BARS), metavar="N",
                   help=f"bars to add (default {limits.BARS})")
    p.add_argument("--temperature", default=str(limits.TEMPERATURE), metavar="T",
                   help=f"> 0; lower is safer, higher is wilder (default {limits.TEMPERATURE})")
    p.add_argument("--top-p", default=str(limits.TOP_P), metavar="P",
                   help=f"nucleus sampling, in (0, 1]; 1 turns it off (default {limits.TOP_P})")
    p.add_argument("--top-k", default=str(limits.TOP_K), metavar="K",
                   help=f"only the K most likely tokens; 0 turns it off (default {limits.TOP_K})")
    p.add_argument("--variations", default="1", metavar="K",
                   help=f"how many different continuations (1..{limits.MAX_VARIATIONS}; "
                   "default 1)")
    p.add_argument("--rng-seed", default=None, metavar="S",
                   help="random seed: the same seed gives the same result (default: random)")
    p.add_argument("--key", default=None, metavar="KEY",
                   help="stay in a key: auto (the key heard in the seed), none, or e.g. "
                   "C:major, F#:minor, D:dorian, Bb, Am (default: none for a voice model, "
                   "which writes in the key heard with the accidentals it chooses; auto for an "
                   "event-stream model); a key named brings its signature to the bars written")
    p.add_argument("--pitch-range", default=None, metavar="LOW:HIGH",
                   help="lowest and highest MIDI pitch, e.g. 48:84")
    p.add_argument("--max-polyphony", default=None, metavar="N",
                   help="at most N notes sounding at once")
    p.add_argument("--from-bar", default=None, metavar="B",
                   help="continue from the start of bar B (the seed's notes from there on are "
                   "replaced); default: after the seed's last note. Bars are numbered as the "
                   "score prints them: from 1, or from 0 after an upbeat; a seed's repeats are "
                   "written out as played first (a note says so), and bars count on through "
                   "them")
    p.add_argument("--region", default=None, metavar="START:END",
                   help="rewrite bars START..END (inclusive, numbered as for --from-bar) and "
                   "keep the rest of the seed")
    p.add_argument("--end", default=None, metavar="cadence|free",
                   help="voice models: end with a cadence, or continue freely (default: cadence "
                   "when the notes end the piece, free otherwise)")
    p.add_argument("--minor-final", action="store_true",
                   help="voice models: a cadence in a minor key ends on the minor tonic, not "
                   "on the major one (the Picardy third, as Bach ends)")
    p.add_argument("--harmonize", action="store_true",
                   help="voice models: keep the seed's melody and write the voices under it "
                   "(with --region: only there)")
    p.add_argument("--melody", default=None, metavar="PART",
                   help="with --harmonize: the melody's part number, from 1 (default: the seed's "
                   "one pitched part, or the soprano of a four-part seed)")
    p.add_argument("--no-style-rules", action="store_true",
                   help="voice models: sample the model as it is, without the chorale style "
                   "rules (no outer parallel fifths/octaves, chords on the beats)")
    p.add_argument("--ignore-chords", action="store_true",
                   help="voice models: the voices do not follow the seed's chord symbols "
                   "(the symbols stay in the file, and may no longer match; default: the "
                   "voices under the melody keep to each symbol's chord where it stands)")
    p.add_argument("--density", default=str(limits.DENSITY), metavar="D",
                   help=f"voice models: fewer (down to {limits.MIN_DENSITY:g}) or more (up to "
                   f"{limits.MAX_DENSITY:g}) notes; 0 samples the model as it is (default)")
    p.add_argument("--parts", default=None, metavar="P,Q,...",
                   help="voice models: rewrite only these parts (numbers from 1; default all)")
    p.add_argument("--hand", default=None, choices=("right", "left"),
                   help="voice models, with --region and one keyboard part in --parts: "
                   "rewrite only that hand's notes (its upper or lower staff), the other "
                   "hand kept and heard")
    p.add_argument("--title", default=None, metavar="TEXT",
                   help="the written file's title (default: the seed's)")
    p.add_argument("--composer", default=None, metavar="TEXT",
                   help="the written file's composer credit (default: the seed's, so a "
                   "continued chorale stays credited to its source's composer; '' for none)")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUT",
                   help=f"output file ({', '.join(WRITABLE)}); with K variations OUT-1 .. OUT-K")


class _Bad(Exception):
    pass


def _number(text, name: str, kind=float):
    try:
        value = kind(text)
    except (TypeError, ValueError):
        what = "a whole number" if kind is int else "a number"
        raise _Bad(f"--{name} must be {what}, not {text!r}") from None
    return value


def _pair(text: str, name: str) -> tuple[int, int]:
    parts = str(text).split(":")
    if len(parts) != 2:
        raise _Bad(f"--{name} must look like A:B, not {text!r}")
    return _number(parts[0], name, int), _number(parts[1], name, int)


def output_paths(out: Path, count: int) -> list[Path]:
    """OUT itself for one variation; OUT-1.ext .. OUT-K.ext for more."""
    if count == 1:
        return [out]
    name = out.name
    suffix = PROJECT_SUFFIX if name.lower().endswith(PROJECT_SUFFIX) else out.suffix
    stem = name[: len(name) - len(suffix)]
    return [out.with_name(f"{stem}-{i}{suffix}") for i in range(1, count + 1)]


def _music_start(score: Score, index: int) -> int:
    """Where bar ``index`` (0-based) begins for a rewrite: an upbeat bar at its upbeat, not
    at the empty beats before it (notes written there had made it a full bar, and every bar
    number after it one more: a fuzz run)."""
    if index == 0 and score.upbeat:
        return score.bar_start(1) - score.upbeat
    return score.bar_start(index)


def _request(args, score: Score):
    from composer_gui.ml.sampler import GenerationRequest

    req = GenerationRequest(
        style_rules=not args.no_style_rules,
        chord_symbols=not getattr(args, "ignore_chords", False),
        density=_number(getattr(args, "density", limits.DENSITY), "density"),
        bars=_number(args.bars, "bars", int),
        temperature=_number(args.temperature, "temperature"),
        top_p=_number(args.top_p, "top-p"),
        top_k=_number(args.top_k, "top-k", int),
        variations=_number(args.variations, "variations", int),
        seed=None if args.rng_seed is None else _number(args.rng_seed, "rng-seed", int),
        key=None if args.key is None or args.key.strip().lower() == "none" else args.key,
        pitch_range=None if args.pitch_range is None else _pair(args.pitch_range, "pitch-range"),
        max_polyphony=None if args.max_polyphony is None
        else _number(args.max_polyphony, "max-polyphony", int),
    )
    end = getattr(args, "end", None)
    if end is not None:
        if end.strip().lower() not in limits.ENDS:
            raise _Bad(f"--end must be {' or '.join(limits.ENDS)}, not {end!r}")
        req.end = end.strip().lower()
    req.picardy = not getattr(args, "minor_final", False)
    if getattr(args, "harmonize", False):
        if args.from_bar is not None:
            raise _Bad("--harmonize works on the whole melody or on a --region, not --from-bar")
        if not score.notes:
            raise _Bad("--harmonize needs a --seed with a melody in it")
        req.harmonize = True
    if getattr(args, "melody", None) is not None:
        if not req.harmonize:
            raise _Bad("--melody goes with --harmonize")
        part = _number(args.melody, "melody", int)
        if not 1 <= part <= len(score.parts):
            raise _Bad(f"--melody must be a part number from 1 to {len(score.parts)}, not {part}")
        req.melody = part - 1
    if getattr(args, "parts", None) is not None:
        numbers = [_number(x, "parts", int) for x in str(args.parts).split(",") if x.strip()]
        if not numbers or not all(1 <= x <= len(score.parts) for x in numbers):
            raise _Bad(f"--parts must list part numbers from 1 to {len(score.parts)}, "
                       f"not {args.parts!r}")
        req.parts = tuple(sorted({x - 1 for x in numbers}))
    if args.from_bar is not None and args.region is not None:
        raise _Bad("use --from-bar or --region, not both")
    if args.from_bar is not None:
        bar = _number(args.from_bar, "from-bar", int)
        try:
            index = score.bar_index(bar)
        except ValueError as exc:
            raise _Bad(f"--from-bar: {exc}") from None
        if index > score.bar_count():  # (empty bars before the new ones: a trial run got 11)
            after = score.bar_number(score.bar_count())
            raise _Bad(f"--from-bar {bar} lies after the end of the score: continue from bar "
                       f"{after} at the latest, or leave --from-bar out to continue after the "
                       f"last note")
        req.start_tick = music_limits.check_tick(_music_start(score, index),
                                                 f"--from-bar {bar}")
    if args.region is not None:
        first, last = _pair(args.region, "region")
        try:
            a, b = score.bar_index(first), score.bar_index(last)
        except ValueError as exc:
            raise _Bad(f"--region: {exc}") from None
        if a > b:
            raise _Bad(f"--region needs START <= END, not {args.region}")
        req.start_tick = _music_start(score, a)
        req.end_tick = music_limits.check_tick(score.bar_start(b + 1), f"--region {args.region}")
    if getattr(args, "hand", None) is not None:
        if args.region is None or req.parts is None or len(req.parts) != 1:
            raise _Bad("--hand goes with --region and one part in --parts")
        if not needs_grand_staff(score.parts[req.parts[0]]):
            raise _Bad(f"--hand: part {req.parts[0] + 1} is written on one staff; it has no "
                       "hands to rewrite apart")
        req.hand = ("right", "left").index(args.hand)
    req.validate()
    return req


def _signature_tick(score: Score, start: int) -> int:
    """Where the key signature the notes from ``start`` are written in begins (the one in force
    at its first bar line, where a key asked for puts its own): the summary's "3 flats from
    bar 5" names the bar the signature starts in (a trial read "from bar 6", the first new
    bar, where the signature had changed at bar 5)."""
    bar = score.bar_at(start)
    line = start if score.bar_start(bar) == start else score.bar_start(bar + 1)
    return max((k.tick for k in score.key_signatures if k.tick <= line), default=start)


def _drums_said(result: Score, start: int) -> list[str]:
    """A note for the drum parts a continuation leaves silent in its new bars (none of the
    models writes drums: :func:`.edits.drums_not_continued`)."""
    silent = drums_not_continued(result, start)
    return [drums_note(result, silent)] if silent else []


def run(args) -> int:
    prog = "composer-gui generate"
    warnings: list[str] = []
    try:
        paths = None
        if not kind_of(args.output):
            raise _Bad(f"{args.output}: cannot write this file type "
                       f"(writable: {', '.join(WRITABLE)})")
        if args.tune is not None and args.seed is None:
            raise _Bad("--tune goes with --seed (an ABC file of several tunes)")
        score = read_score(args.seed, warnings, tune=args.tune) if args.seed is not None \
            else Score()
        req = _request(args, score)

        from composer_gui.ml.model_folder import ModelError
        from composer_gui.ml.sampler import load_sampler
        from composer_gui.ml.voice_sampler import VoiceSampler

        try:
            sampler = load_sampler(args.model)
            if args.key is None:
                req.key = limits.default_key(isinstance(sampler, VoiceSampler))
            results = sampler.generate(score, req)
        except ModelError as exc:
            raise _Bad(str(exc)) from None
        warnings += sampler.warnings
        if results and req.end_tick is None and not req.harmonize:
            warnings += _drums_said(results[0], sampler.plan.start_tick)
        paths = output_paths(args.output, len(results))
        written: list[Path] = []
        plan = sampler.plan
        if limits.key_chosen(args.key) and plan.key is not None:  # its signature where written
            results = [replace(r, key_signatures=keys) if (keys := keys_for(
                r, plan.key, plan.start_tick, plan.end_tick)) else r for r in results]
        results = [with_heard_key(result, key=plan.key) for result in results]
        credits = {name: " ".join(value.split()) for name, value in (
            ("title", args.title), ("composer", args.composer)) if value is not None}
        results = [replace(result, **credits) for result in results]
        # what each file's format could not hold as the score has it, or writes another way
        # (bars played twice written once between repeat signs), as convert reports it
        notes: list[list[str]] = [[] for _ in results]
        try:
            for result, path, said in zip(results, paths, notes, strict=True):
                save_score(result, path, said)
                if kind_of(path) == "midi":
                    said += modes_unkept(result)
                written.append(path)
        except ScoreFileError:
            for path in written:  # all or nothing
                path.unlink(missing_ok=True)
            raise
    except (_Bad, ValueError, ScoreFileError) as exc:
        print(f"{prog}: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    except Exception as exc:  # e.g. ONNX Runtime failing mid-run: one line, never a traceback
        print(f"{prog}: generation failed ({type(exc).__name__}: "
              f"{' '.join(str(exc).split())})", file=sys.stderr)
        return 1
    plan = sampler.plan
    if (args.key is None or args.key.strip().lower() in ("auto", "none")) \
            and plan.key is not None:
        _, alt = keys_heard(score, req.start_tick if req.start_tick is not None
                            else score.continue_tick)
        if alt is not None and (plan.key.sharps, plan.key.mode) != (alt[0].sharps, alt[0].mode):
            why = f"keep to the scale of {alt[0]}" if alt[1] is None else \
                f"fit {alt[0]} too ({round(100 * alt[1])}% likely)"
            warnings.append(f"the notes {why}; --key {alt[0]} writes in it")
    if getattr(args, "ignore_chords", False) and score.chord_symbols:
        # (a review read --ignore-chords as taking them out: the file still printed them over
        # voices that matched them on 45% of the beats)
        warnings.append("the voices ignored the seed's chord symbols, which stay in the "
                        "output and may not match them")
    if args.composer is None and score.composer:
        warnings.append(f"the output keeps the seed's composer credit ({score.composer}); "
                        "--composer sets another")
    for w in warnings:
        print(f"note: {w}", file=sys.stderr)
    key = f"key {plan.key}" if plan.key else "no key constraint"
    # (a region ends where the kept music goes on: no ending to name; a trial read "cadence
    # ending" over a rewritten bar 3)
    ending = f", {plan.end} ending" if hasattr(sampler, "search") and (
        plan.end_tick is None or req.harmonize) else ""
    if plan.end_tick is not None and plan.hand is not None and not req.harmonize:
        ending = f", the {('right', 'left')[plan.hand]} hand only"
    if plan.chords:
        ending += f", following {plan.chords} chord symbol{'s' if plan.chords > 1 else ''}"
    print(f"{sampler.model.name}: {len(results)} variation(s), {key}{ending}")
    for result, path, said in zip(results, paths, notes, strict=True):
        added = result.note_count - score.note_count
        # (a lead sheet's new bars get chord symbols: ml.chord_labels)
        chords = sum(c.tick >= plan.start_tick for c in result.chord_symbols) - sum(
            c.tick >= plan.start_tick for c in score.chord_symbols)
        labels = f", {chords:+d} chord symbols" if chords > 0 and plan.end_tick is None else ""
        print(f"{path}: {summary(result, plan.key, _signature_tick(result, plan.start_tick))} "
              f"({added:+d} notes{labels})")
        for w in said:
            print(f"note: {path}: {w}", file=sys.stderr)
    return 0
