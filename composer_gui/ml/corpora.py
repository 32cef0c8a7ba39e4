"""Training data: named corpora from music21's offline corpus, or any folder of score files.

Each source file becomes one or more *pieces* (a multi-tune ABC file holds many), each piece a token
list in the model's :class:`~composer_gui.ml.tokens.Vocabulary`. A piece has a stable id
(``bach/bwv1.6``, ``oneills1850/0001-0050.abc#3``, or the path relative to ``--data-dir``); the
train / validation / test split is a pure function of that id and a seed, so it is decided per piece
(never per window), deterministic, and recorded in each model folder's ``split.json``.

Parsing is slow (music21: ~0.1 s a chorale), so converted pieces are cached in
``$COMPOSER_GUI_CACHE`` (default ``~/.cache/composer-gui``), one file per corpus, keyed by the
files' size and mtime, the vocabulary and the converting code. Files are parsed in a process pool
on all cores with a progress bar; a file that fails is reported and skipped.

Named corpora (both ship inside the music21 package, public domain):

* ``bach-chorales``: the four-voice Bach chorales (music21 ``bach/`` MusicXML files with a Soprano,
  Alto, Tenor and Bass part; other instruments dropped; files without four voices skipped).
* ``folk-melodies``: the melody lines of Ryan's Mammoth Collection (1883) and O'Neill's Music of
  Ireland (1903) in ABC: ~3,000 fiddle tunes (reels, jigs, hornpipes, airs).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import multiprocessing as mp
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from composer_gui.ml.model_folder import vocabulary_from_dict
from composer_gui.ml.tokens import Vocabulary
from composer_gui.ml.voices import VoiceVocabulary
from composer_gui.music.atomic import atomic_write
from composer_gui.music.score import TimeSignature

# 3: a short chorale heard in the minor key a flat further where it opens on its bass
# (keyfinding.dorian_first): BWV 364, 265 and 387 are normalized from G, D and D minor
# 4: an ABC annotation (">") no longer swallows the note after it (abc_text): 66 of O'Neill's
# and Ryan's tunes get 296 notes back; 5: "~" or "T" before a fermata ("~Hc") is no longer
# read as a note (2 tunes, 3 notes)
CACHE_VERSION = 5
CORPORA = ("bach-chorales", "folk-melodies")
SPLIT_NAMES = ("train", "val", "test")
DEFAULT_FRACTIONS = (0.8, 0.1, 0.1)
VOICES = ("soprano", "alto", "tenor", "bass")


@dataclass(frozen=True)
class Piece:
    id: str
    tokens: np.ndarray  # int16 token ids, BOS ... EOS


class CorpusError(Exception):
    """A corpus cannot be found or holds nothing usable; ``str()`` is the message for the user."""


# ----- where the files are ------------------------------------------------------------------
def cache_dir() -> Path:
    root = os.environ.get("COMPOSER_GUI_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "composer-gui"


def music21_corpus_root() -> Path:
    import music21.corpus

    return Path(music21.corpus.__file__).parent


def corpus_sources(name: str) -> list[tuple[str, str]]:
    """(path, kind) of each source file of a named corpus; kind says how to read it."""
    root = music21_corpus_root()
    if name == "bach-chorales":
        files = sorted(p for p in (root / "bach").iterdir() if p.suffix in (".mxl", ".xml"))
        return [(str(p), "chorale") for p in files]
    if name == "folk-melodies":
        files = sorted((root / "ryansMammoth").glob("*.abc")) + sorted(
            (root / "oneills1850").glob("*.abc"))
        return [(str(p), "melody") for p in files]
    raise CorpusError(f"unknown corpus {name!r} (known: {', '.join(CORPORA)})")


def folder_sources(data_dir: str | Path) -> list[tuple[str, str]]:
    from composer_gui.music.formats import READABLE, kind_of

    root = Path(data_dir)
    if not root.is_dir():
        raise CorpusError(f"{root}: not a folder")
    files = sorted(p for p in root.rglob("*") if p.is_file() and kind_of(p))
    if not files:
        raise CorpusError(f"{root}: no score files ({', '.join(READABLE)})")
    return [(str(p), "file") for p in files]


def piece_id(path: str, root: Path, index: int | None = None) -> str:
    rel = Path(path).relative_to(root).as_posix()
    if rel.endswith((".mxl", ".xml")) and rel.startswith("bach/"):
        rel = rel.rsplit(".", 1)[0]
    return rel if index is None else f"{rel}#{index}"


# ----- converting one file (runs in a worker process) ---------------------------------------
# A tune's fermatas are not encoded: O'Neill's (256, ABC's H) mostly mark where a D.C. return
# ends, not a phrase, and music21 dropped them (with their notes) until abc_text read them, so
# the folk model learned none; the sampler does not hand a tune's fermatas to a model
MELODY_FERMATAS = False


def _convert_m21(stream, kind: str):
    from composer_gui.music.notation import score_from_music21

    parts = list(stream.parts) if hasattr(stream, "parts") and stream.parts else [stream]
    ref = parts[0]
    if kind == "chorale":
        named = {}
        for p in parts:
            label = (p.partName or p.id or "").strip().lower()
            for v in VOICES:
                if label.startswith(v) and v not in named:
                    named[v] = p
        if len(named) != 4:
            if len(parts) != 4:
                raise ValueError(f"not a four-voice chorale ({len(parts)} parts)")
            named = dict(zip(VOICES, parts, strict=True))
        keep = [named[v] for v in VOICES]
        ref = keep[0]
        for p in parts:
            if all(p is not k for k in keep):
                stream.remove(p)
    elif kind == "melody" and len(parts) > 1:
        for p in parts[1:]:
            stream.remove(p)
    fermatas = _fermata_ticks(ref) if kind != "melody" or MELODY_FERMATAS else []
    score = score_from_music21(stream)
    # One meter, read from the first bar: music21's ABC reader scatters stray meters (1/32 ...)
    # at repeat endings, and a meter change is rare in both corpora.
    measures = ref.getElementsByClass("Measure")
    ts = None
    if measures:
        ts = measures[0].timeSignature or measures[0].getContextByClass("TimeSignature")
    if ts is not None:
        score = replace(score, time_signatures=(TimeSignature(0, ts.numerator, ts.denominator),))
    return score, fermatas  # a pickup bar is already moved to end on the first bar line


def _fermata_ticks(part) -> list[int]:
    """Onsets (score ticks, pickup shift included as notation.py applies it) of the notes
    under a fermata in ``part``: the chorales' phrase ends."""
    from composer_gui.music.notation import _pickup_ticks, _ticks

    shift = _pickup_ticks(part)
    out = []
    for n in part.flatten().notes:
        if any(type(e).__name__ == "Fermata" for e in n.expressions):
            t = _ticks(n.offset)
            out.append(t + shift if t > 0 else 0)
    return out


def convert_source(job: tuple[str, str, str, dict]) -> dict:
    """Parse one file into pieces. Never raises: failures come back as ``error``."""
    path, kind, root, vocab_dict = job
    vocab = vocabulary_from_dict(vocab_dict)
    out: dict = {"path": path, "pieces": [], "warnings": [], "error": None}
    try:
        if kind == "file":
            from composer_gui.music.formats import kind_of, load_score
            from composer_gui.music.notation import abc_tune_titles

            tunes = len(abc_tune_titles(path)) if kind_of(path) == "abc" else 0
            if tunes > 1:  # an ABC collection: every tune is a piece (the app opens the first)
                scores = []
                for i in range(tunes):
                    try:
                        scores.append((i, (load_score(path, [], tune=i), [])))
                    except Exception as exc:
                        why = getattr(exc, "reason", None) or _reason(exc)
                        if why.startswith(f"tune {i + 1} "):  # ("tune 3 was not read: ...")
                            why = why.split(": ", 1)[-1]
                        out["warnings"].append(f"tune {i + 1} skipped: {why}")
                if not scores:
                    raise ValueError(f"none of its {tunes} tunes could be read")
            else:
                scores = [(None, (load_score(path, out["warnings"]), []))]
        else:
            import music21

            if path.lower().endswith(".abc"):  # read as the app reads ABC (accidentals held)
                from composer_gui.music.abc_text import parse_abc

                parsed = parse_abc(music21, Path(path).read_text(encoding="utf-8",
                                                                  errors="replace"))
            else:
                parsed = music21.converter.parse(path, forceSource=True)
            if isinstance(parsed, music21.stream.Opus):
                scores = []
                for i, s in enumerate(parsed.scores):
                    try:
                        scores.append((i, _convert_m21(s, kind)))
                    except Exception as exc:
                        out["warnings"].append(f"tune {i} skipped: {_reason(exc)}")
            else:
                scores = [(None, _convert_m21(parsed, kind))]
        for index, (score, fermatas) in scores:
            if not score.notes:
                if kind == "file":  # the file's one score: say why it gives nothing
                    out["error"] = no_notes_reason(score)
                    break
                out["warnings"].append(f"tune {index} holds no notes; skipped")
                continue
            if isinstance(vocab, VoiceVocabulary):
                tokens = vocab.encode(score, out["warnings"], fermatas=fermatas)
            else:
                tokens = vocab.encode(score, out["warnings"])
            out["pieces"].append((piece_id(path, Path(root), index), tokens))
    except Exception as exc:  # one bad file never stops the run
        out["error"] = _reason(exc)
    return out


def no_notes_reason(score) -> str:
    """Why a score read without error gives no training piece."""
    if any(p.is_drum and p.notes for p in score.parts):
        return "only drums (MIDI channel 10): no pitched notes to learn from"
    return "holds no notes"


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) < 200 else text[:197] + "..."


# ----- loading with a cache -----------------------------------------------------------------
def _stamp(path: str) -> list[int]:
    st = os.stat(path)
    return [st.st_size, int(st.st_mtime)]


def vocab_key(vocab: Vocabulary) -> str:
    """The vocabulary and the code that turns files into tokens: a change to either (a fix in
    the MusicXML reader, say) rebuilds the cache instead of training on stale tokens."""
    h = hashlib.sha256(json.dumps(vocab.to_dict(), sort_keys=True).encode())
    package = Path(__file__).resolve().parent.parent
    code = [*sorted((package / "music").glob("*.py")), package / "ml" / "tokens.py",
            package / "ml" / "voices.py", package / "ml" / "keyfinding.py",
            Path(__file__).resolve()]
    for path in code:
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def _cache_file(label: str, vocab: Vocabulary) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in label)[-60:]
    return cache_dir() / "corpora" / f"{safe}-v{CACHE_VERSION}-{vocab_key(vocab)}.json.gz"


def load_pieces(
    corpus: str | None = None,
    data_dir: str | Path | None = None,
    vocab: Vocabulary | None = None,
    *,
    workers: int | None = None,
    progress: bool = True,
    limit: int | None = None,
    log=None,
    report=None,
) -> list[Piece]:
    """All pieces of a named corpus or a folder, sorted by id, parsed once and then cached.

    ``limit`` reads only the first N source files (tests, quick experiments). ``report``
    (training's progress events) receives ``{"event": "parse", "done", "total"}`` as files are
    parsed, then one ``{"event": "file", "path", "pieces", "notes", "reason"}`` per source file
    (``reason``: why it gave no pieces, else None)."""
    vocab = vocab or Vocabulary()
    log = log or (lambda msg: print(msg, file=sys.stderr))
    if (corpus is None) == (data_dir is None):
        raise ValueError("give exactly one of corpus and data_dir")
    if corpus is not None:
        sources = corpus_sources(corpus)
        root = music21_corpus_root()
        label = corpus
    else:
        root = Path(data_dir).resolve()
        sources = folder_sources(root)
        label = "dir-" + hashlib.sha256(str(root).encode()).hexdigest()[:10] + "-" + root.name
    if limit is not None:
        sources = sources[:limit]
    cache_path = _cache_file(label, vocab)
    # (what the user reads: the corpus, or their folder by name; the cache's own name had been
    # printed, "parsing dir-81c1b1cef9-traindata": a trial)
    label = corpus if corpus is not None else root.name
    cache: dict = {}
    if cache_path.exists():
        try:
            with gzip.open(cache_path, "rt", encoding="utf-8") as f:
                cache = json.load(f)
        except (OSError, ValueError):
            log(f"note: ignoring an unreadable cache {cache_path}")
    todo = [(p, k) for p, k in sources if cache.get(p, {}).get("stamp") != _stamp(p)]
    if todo:
        results = _convert_all(todo, str(root), vocab, workers, progress, label, report)
        failed = 0
        for r in results:
            if r["error"]:
                failed += 1
                err = r["error"]
                log(f"skipped {err if err.startswith(r['path']) else r['path'] + ': ' + err}")
            for note in r["warnings"]:  # a collection's tunes that could not be read
                if note.startswith("tune ") and " skipped: " in note:
                    log(f"{r['path']}: {note}")
            cache[r["path"]] = {"stamp": _stamp(r["path"]), "pieces": r["pieces"],
                                "error": r["error"], "warnings": r["warnings"][:20]}
        cache_path.parent.mkdir(parents=True, exist_ok=True)

        def write(tmp: Path) -> None:
            with gzip.open(tmp, "wt", encoding="utf-8") as f:
                json.dump(cache, f)

        # a temporary file of its own: two runs parsing at once (a bench beside a card) each
        # replace the cache whole, where one shared ".tmp" name made the second rename fail
        atomic_write(cache_path, write)
        log(f"{label}: parsed {len(todo)} file(s), {failed} skipped; cache {cache_path}")
    pieces = [Piece(pid, np.asarray(toks, dtype=np.int16))
              for p, _ in sources for pid, toks in cache[p]["pieces"]]
    if report is not None:
        _report_files(report, sources, cache, root, vocab)
    if not pieces:
        if data_dir is not None:
            raise CorpusError(f"{root}: none of its {len(sources)} score file(s) holds music to "
                              "learn from (each file's reason is listed above)")
        raise CorpusError(f"{label}: no usable pieces")
    return sorted(pieces, key=lambda p: p.id)


def _report_files(report, sources, cache, root: Path, vocab) -> None:
    from composer_gui.ml.musical_eval import attacked_notes

    for path, _kind in sources:
        entry = cache[path]
        found = entry["pieces"]
        reason = entry.get("error")
        if not found and not reason:
            reason = (entry.get("warnings") or ["holds no notes"])[-1]
        if reason and reason.startswith(path + ": "):
            reason = reason[len(path) + 2:]
        try:
            rel = Path(path).relative_to(root).as_posix()
        except ValueError:
            rel = path
        report({"event": "file", "path": rel, "pieces": len(found),
                "notes": attacked_notes([t for _pid, t in found], vocab),
                "reason": None if found else reason})


def _convert_all(todo, root, vocab, workers, progress, label, report=None) -> list[dict]:
    from tqdm import tqdm

    jobs = [(p, k, root, vocab.to_dict()) for p, k in todo]
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    bar = tqdm(total=len(jobs), desc=f"parsing {label}", unit="file", disable=not progress)
    results = []

    def done(r: dict) -> None:
        results.append(r)
        bar.update()
        if report is not None:
            report({"event": "parse", "done": len(results), "total": len(jobs)})

    if report is not None:
        report({"event": "parse", "done": 0, "total": len(jobs)})
    if workers <= 1 or len(jobs) == 1:
        for job in jobs:
            done(convert_source(job))
    else:
        with mp.get_context("spawn").Pool(workers) as pool:
            for r in pool.imap_unordered(convert_source, jobs, chunksize=4):
                done(r)
    bar.close()
    return results


# ----- the split ----------------------------------------------------------------------------
def dedupe(pieces: Sequence[Piece], vocab, near_notes: int = 24,
           ) -> tuple[list[Piece], list[dict]]:
    """Drop copies before splitting, so that no test piece has its twin in training: the same
    tokens up to a transposition, or a near-copy whose first ``near_notes`` attacked pitches and
    last ones are the same up to a transposition (the same tune under another title, the same
    file range read twice, a variant ending). Up to a transposition, because the voice grid
    normalizes each piece by its key, and the same tune can be filed under two names of one
    signature (O'Neill's "Spellan's Inspiration" is ``K:Bb`` in one file and ``K:Fmix`` in the
    other: B-flat major and F Mixolydian normalize 5 semitones apart).
    The first piece by id is kept; each dropped piece is returned with the one it copies."""
    pitch_lo = getattr(vocab, "pitch_offset", 0)
    pitch_hi = pitch_lo + vocab.max_pitch - vocab.min_pitch

    def relative(tokens) -> np.ndarray:
        """The tokens with each pitch counted from the first attacked pitch (others as they
        are, offset past every pitch difference so the two never meet)."""
        t = np.asarray(tokens, np.int32)
        is_pitch = (t >= pitch_lo) & (t <= pitch_hi)
        if not is_pitch.any():
            return t
        first = int(t[is_pitch][0])
        return np.where(is_pitch, t - first, t + 2 * (pitch_hi - pitch_lo) + 1)

    kept: list[Piece] = []
    dropped: list[dict] = []
    exact: dict[bytes, str] = {}
    near: dict[tuple, str] = {}
    for p in sorted(pieces, key=lambda p: p.id):
        rel = relative(p.tokens)
        key = rel.tobytes()
        notes = tuple(int(x) for x in rel[rel <= pitch_hi - pitch_lo])
        head = (notes[:near_notes], notes[-near_notes:]) if len(notes) >= 2 * near_notes \
            else None
        if key in exact:
            dropped.append({"id": p.id, "copy_of": exact[key], "how": "identical"})
        elif head is not None and head in near:
            dropped.append({"id": p.id, "copy_of": near[head], "how": "same opening and ending"})
        else:
            exact[key] = p.id
            if head is not None:
                near[head] = p.id
            kept.append(p)
    return kept, dropped


def split_of(pid: str, seed: int, fractions: tuple[float, float, float] = DEFAULT_FRACTIONS) -> str:
    """'train', 'val' or 'test' for one piece id: a hash, so adding pieces never moves others."""
    h = hashlib.sha256(f"{seed}:{pid}".encode()).digest()
    u = int.from_bytes(h[:8], "big") / 2**64
    if u < fractions[0]:
        return "train"
    if u < fractions[0] + fractions[1]:
        return "val"
    return "test"


def split_pieces(pieces: Iterable[Piece], seed: int,
                 fractions: tuple[float, float, float] = DEFAULT_FRACTIONS,
                 ) -> dict[str, list[Piece]]:
    out: dict[str, list[Piece]] = {name: [] for name in SPLIT_NAMES}
    for p in pieces:
        out[split_of(p.id, seed, fractions)].append(p)
    return out


def split_record(split: dict[str, list[Piece]], seed: int, source: dict) -> dict:
    return {"seed": seed, "source": source, **{k: [p.id for p in v] for k, v in split.items()}}


def pieces_from_record(record: dict, pieces: Iterable[Piece]) -> dict[str, list[Piece]]:
    """Recreate a recorded split exactly; ids the data no longer holds are reported."""
    by_id = {p.id: p for p in pieces}
    out: dict[str, list[Piece]] = {}
    missing = []
    for name in SPLIT_NAMES:
        out[name] = [by_id[i] for i in record.get(name, []) if i in by_id]
        missing += [i for i in record.get(name, []) if i not in by_id]
    if missing:
        print(f"note: {len(missing)} recorded piece(s) not found in the data, e.g. {missing[0]}",
              file=sys.stderr)
    return out


# ----- augmentation and windows -------------------------------------------------------------
def transpose_tokens(tokens: np.ndarray, shift: int, vocab: Vocabulary) -> np.ndarray:
    """Move every PITCH token by ``shift`` semitones (the caller keeps pitches in range)."""
    if not shift:
        return tokens
    t = tokens.astype(np.int32)
    is_pitch = (t >= vocab.pitch_offset) & (t < vocab.dur_offset)
    t[is_pitch] += shift
    return t.astype(tokens.dtype)


def shift_range(tokens: np.ndarray, vocab: Vocabulary, lo: int = -5,
                hi: int = 6) -> tuple[int, int]:
    t = tokens.astype(np.int32)
    pitches = t[(t >= vocab.pitch_offset) & (t < vocab.dur_offset)] - vocab.pitch_offset
    if not len(pitches):
        return 0, 0
    top = vocab.max_pitch - vocab.min_pitch
    return max(lo, -int(pitches.min())), min(hi, top - int(pitches.max()))


def make_windows(pieces: list[Piece], vocab: Vocabulary, length: int,
                 rng: np.random.Generator | None, *, augment: bool = True,
                 augment_prob: float = 1.0) -> np.ndarray:
    """[n, length + 1] windows cut from the pieces joined end to end (no padding wasted).

    With ``rng``: pieces shuffled, each transposed (with probability ``augment_prob``; the rest
    stay in their own key, so the model still learns which keys the music prefers) by a random
    shift in -5..+6 (kept in range), and a random start offset, so every epoch sees new windows.
    Without: fixed (validation)."""
    order = list(range(len(pieces)))
    parts = []
    if rng is not None:
        rng.shuffle(order)
    for i in order:
        toks = pieces[i].tokens
        if rng is not None and augment and (augment_prob >= 1 or rng.random() < augment_prob):
            lo, hi = shift_range(toks, vocab)
            toks = transpose_tokens(toks, int(rng.integers(lo, hi + 1)) if hi >= lo else 0, vocab)
        parts.append(toks)
    stream = np.concatenate(parts).astype(np.int32) if parts else np.zeros(0, np.int32)
    if rng is not None:
        stream = stream[int(rng.integers(0, length)):]
    n = (len(stream) - 1) // length
    if n <= 0:
        padded = np.zeros(length + 1, np.int32)
        padded[:len(stream)] = stream[:length + 1]
        return padded[None]
    idx = np.arange(n)[:, None] * length + np.arange(length + 1)[None, :]
    return stream[idx]
