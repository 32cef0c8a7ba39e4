"""What convert and generate say where a trial found them vague or silent: how many tunes a file
holds, a mode MIDI cannot name, the bar a key signature starts in, the drums not continued."""

from __future__ import annotations

from composer_gui.cli import main
from composer_gui.music import save_score
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score, TimeSignature

BOOK = "".join(f"X:{i}\nT:Tune {i}\nM:4/4\nL:1/8\nK:G\nGABc d2B2|c2A2 G4|\n\n"
               for i in range(1, 5))


def _run(capsys, *args) -> tuple[int, str, str]:
    code = main([*map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_tune_past_the_last_says_how_many_there_are(tmp_path, capsys):
    book = tmp_path / "book.abc"
    book.write_text(BOOK)
    code, _, err = _run(capsys, "convert", book, tmp_path / "out.mid", "--tune", 5)
    assert code == 1 and "holds no tune 5: its 4 tunes are numbered 1 to 4" in err
    one = tmp_path / "one.abc"
    one.write_text(BOOK.split("\n\n")[0])
    code, _, err = _run(capsys, "convert", one, tmp_path / "out.mid", "--tune", 2)
    assert code == 1 and "holds no tune 2: it holds one tune" in err


def test_a_church_mode_written_to_midi_is_said(tmp_path, capsys):
    tune = tmp_path / "dorian.abc"
    tune.write_text("X:1\nT:Dorian\nM:6/8\nL:1/8\nK:Ador\nABc BAG|A3 A3|\n")
    out = tmp_path / "dorian.mid"
    code, _, err = _run(capsys, "convert", tune, out)
    assert code == 0 and "A dorian is written as E minor's key signature (1 sharp)" in err
    code, _, err = _run(capsys, "convert", tune, tmp_path / "dorian.musicxml")
    assert code == 0 and "dorian is written" not in err


C_MAJOR = (KeySignature(0, 0),)


def _seed(tmp_path, parts, keys=C_MAJOR, name="seed.mid"):
    path = tmp_path / name
    save_score(Score(parts=parts, time_signatures=(TimeSignature(0, 4, 4),),
                     key_signatures=keys), path)
    return path


MELODY = tuple(Note(i * TPQ, p, TPQ, 80) for i, p in enumerate(
    [64, 62, 60, 62, 64, 64, 64, 62, 62, 62, 64, 67, 67, 64, 62, 60]))


def test_drums_left_silent_by_a_continuation_are_said(installed_tiny, tmp_path, capsys):
    drums = tuple(Note(i * TPQ, 36 if i % 2 == 0 else 38, TPQ // 2, 90) for i in range(16))
    seed = _seed(tmp_path, (Part(MELODY, name="Bass", program=33, channel=1),
                            Part(drums, name="Drums", channel=9, is_drum=True)))
    code, _, err = _run(capsys, "generate", "--model", "tiny", "--seed", seed, "--bars", 2,
                        "--rng-seed", 4, "-o", tmp_path / "out.mid")
    assert code == 0
    assert "note: the drum part (Drums) is not continued: the model writes pitched voices " \
        "only" in err


def test_the_summary_names_the_bar_the_signature_starts_in(installed_tiny, tmp_path, capsys):
    """A signature changed at bar 3, the notes from bar 4 rewritten: "from bar 3" (a trial read
    the bar the new notes start in)."""
    seed = _seed(tmp_path, (Part(MELODY, name="Flute"),),
                 keys=(KeySignature(0, 0), KeySignature(8 * TPQ, -3)))
    code, out, _ = _run(capsys, "generate", "--model", "tiny", "--seed", seed, "--from-bar", 4,
                        "--bars", 1, "--rng-seed", 3, "-o", tmp_path / "out.mid")
    assert code == 0 and "3 flats from bar 3" in out, out
