"""Mutated MIDI, MusicXML, ABC and project files, and how one of them is judged (issue 14).

Shared by tests/test_fuzz.py (a few hundred files per run, fixed seed) and bench/fuzz.py (tens of
thousands, each in a worker process with a time and a memory limit). A file is tried the way the
app and the command line open it (``music.safe_read.read_score``: notation in a worker process
with its limits) and, when it is accepted, put through the next steps that far-away ticks used
to break (bar count, summary, MIDI and project writing). The outcome is one of:

* ``accepted``: a score came back and every later step worked;
* ``clean``: a ScoreFileError, i.e. one message naming the file (``limit`` when it was a time or
  memory limit of the reader);
* ``crash``: any other exception (a traceback for the user).

Hangs and dead processes are judged by whoever runs this (bench/fuzz.py).
"""

from __future__ import annotations

import io
import json
import random
import re
from pathlib import Path

from composer_gui.music import ScoreFileError, summary
from composer_gui.music.midi import midi_from_score, write_midi
from composer_gui.music.project import dumps
from composer_gui.music.safe_read import read_score
from composer_gui.music.score import (
    TPQ,
    KeySignature,
    Note,
    Part,
    Score,
    TempoChange,
    TimeSignature,
)

KINDS = ("midi", "musicxml", "abc", "project")
SUFFIX = {"midi": ".mid", "musicxml": ".musicxml", "abc": ".abc", "project": ".composer.json"}

# Numbers that break readers: zero, signs, the edges of int sizes, far beyond any score.
INTERESTING = ("0", "-1", "1", "7", "8", "-8", "255", "256", "65535", "65536", "2147483647",
               "2147483648", "4294967296", "99999999", "100000000000000000000", "1e308",
               "NaN", "-0", "3.5", "9" * 50)


def seed_score() -> Score:
    """A small two-part piece with tempo, meter and key changes, chords and a drum part."""
    melody = [Note(i * TPQ // 2, 60 + (i * 5) % 12, TPQ // 2, 70 + i % 40) for i in range(24)]
    chords = [Note(b * 4 * TPQ, p, 4 * TPQ, 60) for b in range(3) for p in (48, 52, 55)]
    drums = [Note(i * TPQ, 36 + (i % 3) * 2, TPQ // 4, 100) for i in range(12)]
    return Score(
        parts=(Part(tuple(melody), name="Melody"), Part(tuple(chords), name="Chords", program=48,
                                                        channel=1),
               Part(tuple(drums), name="Drums", channel=9, is_drum=True)),
        tempos=(TempoChange(0), TempoChange.from_bpm(8 * TPQ, 90)),
        time_signatures=(TimeSignature(0), TimeSignature(8 * TPQ, 3, 4)),
        key_signatures=(KeySignature(0, 2), KeySignature(8 * TPQ, -1, "minor")),
        title="Fuzz seed",
    )


def seed_midi() -> bytes:
    buf = io.BytesIO()
    midi_from_score(seed_score()).save(file=buf)
    return buf.getvalue()


SEED_MUSICXML = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 3.1 Partwise//EN"
  "http://www.musicxml.org/dtds/partwise.dtd">
<score-partwise version="3.1">
  <work><work-title>Fuzz seed</work-title></work>
  <part-list>
    <score-part id="P1"><part-name>Melody</part-name>
      <midi-instrument id="P1-I1"><midi-channel>1</midi-channel><midi-program>1</midi-program>
      </midi-instrument></score-part>
    <score-part id="P2"><part-name>Bass</part-name></score-part>
  </part-list>
  <part id="P1">
    <measure number="1">
      <attributes><divisions>2</divisions><key><fifths>2</fifths><mode>major</mode></key>
        <time><beats>4</beats><beat-type>4</beat-type></time>
        <clef><sign>G</sign><line>2</line></clef></attributes>
      <direction placement="above"><direction-type><metronome><beat-unit>quarter</beat-unit>
        <per-minute>96</per-minute></metronome></direction-type><sound tempo="96"/></direction>
      <note><pitch><step>D</step><octave>5</octave></pitch><duration>2</duration>
        <voice>1</voice><type>quarter</type></note>
      <note><pitch><step>F</step><alter>1</alter><octave>5</octave></pitch><duration>1</duration>
        <voice>1</voice><type>eighth</type></note>
      <note><pitch><step>A</step><octave>5</octave></pitch><duration>1</duration>
        <voice>1</voice><type>eighth</type></note>
      <note><pitch><step>D</step><octave>5</octave></pitch><duration>4</duration>
        <tie type="start"/><voice>1</voice><type>half</type></note>
    </measure>
    <measure number="2">
      <note><pitch><step>D</step><octave>5</octave></pitch><duration>2</duration>
        <tie type="stop"/><voice>1</voice><type>quarter</type></note>
      <note><pitch><step>C</step><alter>1</alter><octave>5</octave></pitch><duration>2</duration>
        <voice>1</voice><type>quarter</type></note>
      <note><chord/><pitch><step>E</step><octave>5</octave></pitch><duration>2</duration>
        <voice>1</voice><type>quarter</type></note>
      <note><pitch><step>B</step><octave>4</octave></pitch><duration>1</duration>
        <voice>1</voice><type>eighth</type><time-modification><actual-notes>3</actual-notes>
        <normal-notes>2</normal-notes></time-modification></note>
      <note><rest/><duration>3</duration><voice>1</voice><type>quarter</type><dot/></note>
    </measure>
  </part>
  <part id="P2">
    <measure number="1">
      <attributes><divisions>1</divisions><key><fifths>2</fifths></key>
        <time><beats>4</beats><beat-type>4</beat-type></time>
        <clef><sign>F</sign><line>4</line></clef></attributes>
      <note><pitch><step>D</step><octave>3</octave></pitch><duration>4</duration>
        <voice>1</voice><type>whole</type></note>
    </measure>
    <measure number="2">
      <attributes><time><beats>3+1</beats><beat-type>4</beat-type></time></attributes>
      <note><pitch><step>A</step><octave>2</octave></pitch><duration>4</duration>
        <voice>1</voice><type>whole</type></note>
      <barline location="right"><bar-style>light-heavy</bar-style></barline>
    </measure>
  </part>
</score-partwise>
"""

SEED_ABC = """X:1
T:Fuzz seed
C:Trad.
M:6/8
L:1/8
Q:3/8=100
K:Dmix
|:A|"D"d2e fed|"C"e2d cBA|"G"B2c d2B|"A"A3 A2:|
[M:3/4]|(3ABc d2 f2|[L:1/16]a4 g4 f4|z6 [DF]6|]
w:la la la
K:Am
|:e>d c<B A2|^G2 _B2 =c2|[1 A6:|[2 A4 z2|]
"""


def seed_project() -> str:
    return dumps(seed_score())


def seeds() -> dict[str, bytes]:
    return {"midi": seed_midi(), "musicxml": SEED_MUSICXML.encode(), "abc": SEED_ABC.encode(),
            "project": seed_project().encode()}


# ----- mutations ---------------------------------------------------------------------------------
def _flip(rng: random.Random, data: bytearray) -> None:
    """A few bytes changed, mostly past a MIDI file's header (so that its tracks get read)."""
    for _ in range(rng.randint(1, 8)):
        if len(data) > 30:
            start = 22 if rng.random() < 0.9 else 0
            data[rng.randrange(start, len(data))] = rng.randrange(256)


def _insert(rng: random.Random, data: bytearray) -> None:
    at = rng.randrange(len(data) + 1)
    data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))


def _delete(rng: random.Random, data: bytearray) -> None:
    if data:
        at = rng.randrange(len(data))
        del data[at:at + rng.randint(1, 64)]


def _duplicate(rng: random.Random, data: bytearray) -> None:
    if data:
        at = rng.randrange(len(data))
        chunk = data[at:at + rng.randint(1, 256)]
        to = rng.randrange(len(data) + 1)
        data[to:to] = chunk * rng.randint(1, 20)


def _truncate(rng: random.Random, data: bytearray) -> None:
    if data:
        del data[rng.randrange(len(data)):]


def _vlq_max(rng: random.Random, data: bytearray) -> None:
    """MIDI: a delta time, tempo or header field set to its largest value."""
    if len(data) > 22:
        at = rng.randrange(14, len(data) - 4)
        data[at:at + 4] = rng.choice((b"\xff\xff\xff\x7f", b"\x8f\xff\xff\x7f", b"\x00\x00",
                                      b"\xff\x51\x03\x00", b"\xff\x58\x04\x00"))
    if rng.random() < 0.3 and len(data) > 14:
        data[12:14] = rng.choice((b"\x00\x01", b"\x00\x00", b"\x7f\xff", b"\xe7\x28"))


_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?")


def _number(rng: random.Random, data: bytearray) -> None:
    """Text: one number replaced by an interesting one."""
    found = list(_NUMBER.finditer(bytes(data)))
    if found:
        m = rng.choice(found)
        data[m.start():m.end()] = rng.choice(INTERESTING).encode()


def _nest(rng: random.Random, data: bytearray) -> None:
    """Deep nesting: brackets for JSON, elements for XML, groups for ABC."""
    depth = rng.choice((50, 1000, 100_000))
    opener, closer = rng.choice(((b"[", b"]"), (b"{\"a\":", b"}"), (b"<a>", b"</a>"),
                                 (b"(", b")")))
    at = rng.randrange(len(data) + 1)
    data[at:at] = opener * depth + (closer * depth if rng.random() < 0.5 else b"")


def _lines(rng: random.Random, data: bytearray) -> None:
    """Text: lines shuffled, repeated or dropped."""
    lines = bytes(data).split(b"\n")
    op = rng.randrange(3)
    if op == 0:
        rng.shuffle(lines)
    elif op == 1 and lines:
        i = rng.randrange(len(lines))
        lines[i:i] = [lines[i]] * rng.randint(2, 30)
    elif lines:
        del lines[rng.randrange(len(lines))]
    data[:] = b"\n".join(lines)


BINARY = (_flip, _flip, _flip, _insert, _delete, _duplicate, _truncate, _vlq_max, _vlq_max)
# weighted towards mutations that keep the text well-formed, so that most files reach music21
TEXT = (_flip, _insert, _delete, _duplicate, _truncate, _nest, _lines, _lines, *(_number,) * 8)


def _midi_chunks(data: bytes) -> list[bytes] | None:
    """The track chunks' bodies of a well-formed MIDI file (None if it is not one)."""
    if data[:4] != b"MThd":
        return None
    at, bodies = 14, []
    while at + 8 <= len(data):
        size = int.from_bytes(data[at + 4:at + 8], "big")
        bodies.append(data[at + 8:at + 8 + size])
        at += 8 + size
    return bodies


def mutate(kind: str, seed: bytes, rng: random.Random) -> bytes:
    """One to four mutations of ``seed``. MIDI: mostly inside one track, with the chunk sizes
    kept right, so that most files get past the chunk structure into the events."""
    ops = BINARY if kind == "midi" else TEXT
    bodies = _midi_chunks(seed) if kind == "midi" and rng.random() < 0.8 else None
    if bodies:
        i = rng.randrange(len(bodies))
        track = bytearray(bodies[i])
        for _ in range(rng.randint(1, 4)):
            rng.choice(ops)(rng, track)
        bodies[i] = bytes(track)
        return seed[:14] + b"".join(b"MTrk" + len(b).to_bytes(4, "big") + b for b in bodies)
    data = bytearray(seed)
    if kind != "midi" and rng.random() < 0.5:
        ops = (_number,)  # half the text files stay well-formed: only their numbers change
    for _ in range(rng.randint(1, 4)):
        rng.choice(ops)(rng, data)
    return bytes(data)


def cases(kind: str, count: int, seed: int = 14):
    """``count`` mutated files of ``kind`` as (index, bytes), the same for the same seed."""
    rng = random.Random(f"{kind}-{seed}")
    base = seeds()[kind]
    for i in range(count):
        yield i, mutate(kind, base, rng)


# ----- judging one file ---------------------------------------------------------------------
LIMIT_WORDS = ("took longer than", "memory", "the reader stopped")


def try_file(path: Path, *, time_limit: float, memory_limit: int | None) -> tuple[str, str]:
    """(outcome, detail): outcome is 'accepted', 'clean', 'limit' or 'crash'."""
    warnings: list[str] = []
    try:
        score = read_score(path, warnings, time_limit=time_limit, memory_limit=memory_limit)
        assert score is not None
        score.bar_count()
        summary(score)
        write_midi(score, path.with_name(path.name + ".out.mid"))
        json.loads(dumps(score))
    except ScoreFileError as exc:
        if not str(exc).startswith(str(path)):
            return "crash", f"message does not name the file: {exc}"
        kind = "limit" if any(w in exc.reason for w in LIMIT_WORDS) else "clean"
        return kind, exc.reason
    except Exception as exc:  # anything else reaches the user as a traceback
        return "crash", f"{type(exc).__name__}: {exc}"[:300]
    finally:
        path.with_name(path.name + ".out.mid").unlink(missing_ok=True)
    return "accepted", ""
