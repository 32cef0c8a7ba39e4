"""``composer-gui generate`` and ``composer-gui models`` on a tiny random model."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from composer_gui.cli import main
from composer_gui.music import load_score, save_score
from composer_gui.music.score import TPQ, KeySignature, Note, Part, Score, TimeSignature


def sketch(ts=(4, 4)) -> Score:
    pitches = [67, 69, 71, 72, 74, 72, 71, 69, 67, 66, 67]
    notes = tuple(Note(i * TPQ, p, TPQ, 84) for i, p in enumerate(pitches))
    return Score(parts=(Part(notes, name="Flute"),), time_signatures=(TimeSignature(0, *ts),),
                 key_signatures=(KeySignature(0, 1),), title="Sketch")


@pytest.fixture(params=[".mid", ".musicxml"])
def seed_file(request, tmp_path) -> Path:
    path = tmp_path / f"seed{request.param}"
    save_score(sketch(), path)
    return path


def gen(*args) -> int:
    return main(["generate", *map(str, args)])


def test_generate_k_files_byte_identical_on_rerun(installed_tiny, seed_file, tmp_path, capsys):
    seed_notes = load_score(seed_file).notes
    outs = []
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        out = tmp_path / run / "out.mid"
        assert gen("--model", "tiny", "--seed", seed_file, "--bars", 2, "--variations", 3,
                   "--rng-seed", 42, "-o", out) == 0
        outs.append([tmp_path / run / f"out-{i}.mid" for i in (1, 2, 3)])
    assert not (tmp_path / "a" / "out.mid").exists()
    for a, b in zip(*outs, strict=True):
        assert a.read_bytes() == b.read_bytes()
    scores = [load_score(p) for p in outs[0]]
    for s in scores:
        assert s.notes[:len(seed_notes)] == seed_notes  # the seed comes first, unchanged
        assert s.note_count > len(seed_notes)
    assert len({tuple(s.notes) for s in scores}) == 3  # three different variations
    out = capsys.readouterr().out
    assert "tiny: 3 variation(s), key G:major" in out and "out-3.mid" in out


@pytest.mark.parametrize("suffix", [".musicxml", ".composer.json", ".abc"])
def test_other_output_formats(installed_tiny, tmp_path, suffix):
    seed = tmp_path / "seed.mid"
    save_score(sketch(), seed)
    paths = []
    for run in ("a", "b"):
        out = tmp_path / f"{run}{suffix}"
        assert gen("--model", "tiny", "--seed", seed, "--bars", 2, "--variations", 2,
                   "--rng-seed", 5, "-o", out) == 0
        paths.append([tmp_path / f"{run}-{i}{suffix}" for i in (1, 2)])
    for a, b in zip(*paths, strict=True):
        assert load_score(a).notes == load_score(b).notes
        assert a.read_bytes() == b.read_bytes()  # MusicXML too: no random part ids


def test_a_notation_file_says_what_it_writes_once(installed_tiny, tmp_path, capsys):
    """A result whose bars 5-8 play bars 1-4 again is written once between repeat signs in
    MusicXML: generate says so for that file, as convert does (a review read "17 bars" and
    found 14 in the file); MIDI plays them out and says nothing."""
    strain = (*sketch().parts[0].notes[:8], Note(8 * TPQ, 67, 8 * TPQ, 84))
    twice = strain + tuple(Note(n.start + 16 * TPQ, n.pitch, n.duration, n.velocity)
                           for n in strain)
    seed = tmp_path / "seed.mid"
    save_score(Score(parts=(Part(twice, name="Flute"),), key_signatures=(KeySignature(0, 1),)),
               seed)
    for out in (tmp_path / "out.musicxml", tmp_path / "out.mid"):
        assert gen("--model", "tiny", "--seed", seed, "--bars", 1, "--rng-seed", 3,
                   "-o", out) == 0
        err = capsys.readouterr().err
        said = f"note: {out}: played twice, written once between repeat signs: bars 1-4"
        assert (said in err) == (out.suffix == ".musicxml"), err


def test_generate_without_seed_and_with_options(installed_tiny, tmp_path):
    out = tmp_path / "new.mid"
    assert gen("--model", "tiny", "--bars", 3, "--rng-seed", 1, "--key", "D:major",
               "--temperature", 0.8, "--top-p", 0.9, "--top-k", 20, "--pitch-range", "50:80",
               "--max-polyphony", 2, "-o", out) == 0
    notes = load_score(out).notes
    scale = KeySignature.parse("D:major").scale_pcs()
    assert notes and all(n.pitch % 12 in scale and 50 <= n.pitch <= 80 for n in notes)
    assert all(n.start < 3 * 4 * TPQ for n in notes)


def test_region_and_from_bar(installed_tiny, tmp_path):
    seed = tmp_path / "seed.mid"
    save_score(sketch(), seed)  # 11 quarter notes: bars 1-3
    out = tmp_path / "region.mid"
    assert gen("--model", "tiny", "--seed", seed, "--region", "2:2", "--rng-seed", 3,
               "-o", out) == 0
    bar2 = (4 * TPQ, 8 * TPQ)
    before, after = load_score(seed).notes, load_score(out).notes
    outside = [n for n in before if not bar2[0] <= n.start < bar2[1]]
    assert [n for n in after if not bar2[0] <= n.start < bar2[1]] == outside
    assert all(n.end <= bar2[1] for n in after if bar2[0] <= n.start < bar2[1])

    out = tmp_path / "from.mid"
    assert gen("--model", "tiny", "--seed", seed, "--from-bar", 2, "--bars", 1,
               "--rng-seed", 3, "-o", out) == 0
    after = load_score(out).notes
    assert [n for n in after if n.start < bar2[0]] == [n for n in before if n.start < bar2[0]]
    assert all(n.start < bar2[1] for n in after)



def test_an_ambiguous_seed_names_the_runner_up_key(installed_tiny, tmp_path, capsys):
    seed = tmp_path / "ambiguous.mid"
    notes = tuple(Note(i * TPQ, p, TPQ) for i, p in enumerate([67, 71, 74, 71, 67, 64, 66, 67]))
    save_score(Score(parts=(Part(notes, name="Flute"),)), seed)
    assert gen("--model", "tiny", "--seed", seed, "--bars", 1, "-o", tmp_path / "out.mid") == 0
    out, err = capsys.readouterr()
    assert "key G:major" in out
    assert "note: the notes fit E:minor too (" in err and "--key E:minor writes in it" in err
    assert gen("--model", "tiny", "--seed", seed, "--bars", 1, "--key", "E:minor",
               "-o", tmp_path / "out.mid") == 0
    assert "fit" not in capsys.readouterr().err

def test_bar_options_count_an_upbeat_as_bar_0(installed_tiny, tmp_path, capsys):
    """A seed with an upbeat numbers its bars as notation prints them: the upbeat is bar 0, so
    --region 1:1 is the first full bar, as in MuseScore and in the window's ruler."""
    from dataclasses import replace

    seed = tmp_path / "upbeat.musicxml"
    plain = sketch()
    notes = tuple(replace(n, start=n.start + 3 * TPQ) for n in plain.notes)  # from beat 4
    save_score(replace(plain.with_parts([Part(notes, name="Flute")]), pickup=TPQ), seed)
    before = load_score(seed)
    assert before.pickup == TPQ and before.first_bar_number == 0
    bar1 = (before.bar_start(1), before.bar_start(2))
    out = tmp_path / "region.musicxml"
    assert gen("--model", "tiny", "--seed", seed, "--region", "1:1", "--rng-seed", 3,
               "-o", out) == 0
    after = load_score(out).notes
    assert [n for n in after if not bar1[0] <= n.start < bar1[1]] == \
        [n for n in before.notes if not bar1[0] <= n.start < bar1[1]]
    # the upbeat rewritten (--region 0:0) stays an upbeat: nothing is written before it, so
    # the bar numbers after it stay (a fuzz run had the notes start on the bar's first beat)
    assert gen("--model", "tiny", "--seed", seed, "--region", "0:0", "--rng-seed", 3,
               "-o", out) == 0
    upbeat = load_score(out)
    assert upbeat.pickup == TPQ and upbeat.first_bar_number == 0
    assert min(n.start for n in upbeat.notes) >= before.bar_start(1) - TPQ
    assert [n for n in upbeat.notes if n.start >= before.bar_start(1)] == \
        [n for n in before.notes if n.start >= before.bar_start(1)]
    capsys.readouterr()
    assert gen("--model", "tiny", "--seed", seed, "--region=-1:1", "-o", out) == 1
    err = capsys.readouterr().err
    assert "bars count from 0 (bar 0 is the upbeat), not -1" in err


@pytest.mark.parametrize("args, message", [
    (["--model", "no-such-model"], "no model named 'no-such-model'"),
    (["--bars", "0"], "bars must be"),
    (["--bars", "-3"], "bars must be"),
    (["--bars", "many"], "--bars must be a whole number"),
    (["--temperature", "0"], "temperature must be greater than 0"),
    (["--temperature", "-1"], "temperature must be greater than 0"),
    (["--top-p", "1.5"], "top-p must be in (0, 1]"),
    (["--top-p", "0"], "top-p must be in (0, 1]"),
    (["--variations", "99"], "variations must be from 1 to 16"),
    (["--key", "X:major"], "unknown key"),
    (["--region", "3:2"], "--region needs"),
    (["--seed", "MISSING.mid"], "MISSING.mid"),
    (["--seed", "BAD.mid"], "BAD.mid"),
    (["--tune", "2"], "--tune goes with --seed"),
    (["--seed", "BAD.mid", "--tune", "2"], "only an ABC file has tunes"),
    (["-o", "{tmp}/out.txt"], "cannot write"),
])
def test_bad_inputs_one_line_exit_1_no_output(installed_tiny, tmp_path, capsys, args, message):
    (tmp_path / "BAD.mid").write_bytes(b"MThd garbage, not a MIDI file")
    args = [a.replace("{tmp}", str(tmp_path)).replace("BAD.mid", str(tmp_path / "BAD.mid"))
            .replace("MISSING.mid", str(tmp_path / "MISSING.mid")) for a in args]
    if "--model" not in args:
        args = ["--model", "tiny", *args]
    if "-o" not in args:
        args = [*args, "-o", str(tmp_path / "out.mid")]
    before = set(tmp_path.iterdir())
    assert gen(*args) == 1
    err = capsys.readouterr().err
    assert err.startswith("composer-gui generate: ") and err.count("\n") == 1, err
    assert message in err
    assert "Traceback" not in err
    assert set(tmp_path.iterdir()) == before


def test_model_folder_missing_a_file(installed_tiny, tmp_path, capsys):
    (installed_tiny / "tiny" / "model.onnx").unlink()
    assert gen("--model", "tiny", "-o", tmp_path / "out.mid") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "model.onnx is missing" in err
    assert not (tmp_path / "out.mid").exists()


def test_entry_point_error_has_no_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "composer_gui", "generate", "--model", str(tmp_path / "nope"),
         "--bars", "2", "-o", str(tmp_path / "x.mid")],
        capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "no such model folder" in proc.stderr


def test_models_lists_installed_with_summary(installed_tiny, capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "tiny  A tiny random model for tests." in out


def test_models_says_when_none_are_installed(installed_tiny, capsys):
    shutil.rmtree(installed_tiny / "tiny")
    assert main(["models"]) == 0
    assert "no models are installed" in capsys.readouterr().out


# ----- voice-grid models -------------------------------------------------------------------------
def four_parts(quarters: int = 16) -> Score:
    lines = {"Soprano": [72, 71, 72, 74, 76, 74, 72, 71], "Alto": [67, 67, 69, 67, 67, 65, 64, 62],
             "Tenor": [64, 62, 64, 59, 60, 62, 60, 55], "Bass": [48, 55, 53, 55, 48, 53, 55, 43]}
    return Score(parts=tuple(
        Part(tuple(Note(i * TPQ, ps[i % 8], TPQ, 80) for i in range(quarters)), name=name)
        for name, ps in lines.items()), key_signatures=(KeySignature(0, 0),))


def test_a_voice_model_continues_a_chorale_in_its_parts(tiny_voice_model, tmp_path, capsys):
    seed = tmp_path / "seed.composer.json"
    save_score(four_parts(), seed)
    for end in ("cadence", "free"):
        out = tmp_path / f"{end}.composer.json"
        assert gen("--model", tiny_voice_model, "--seed", seed, "--bars", 2, "--end", end,
                   "--rng-seed", 1, "-o", out) == 0
        result, sketch = load_score(out), load_score(seed)
        assert [p.name for p in result.parts] == ["Soprano", "Alto", "Tenor", "Bass"]
        for old, new in zip(sketch.parts, result.parts, strict=True):
            assert new.notes[:len(old.notes)] == old.notes and len(new.notes) > len(old.notes)
        assert f"{end} ending" in capsys.readouterr().out


def test_a_voice_model_writes_in_the_key_heard_without_the_lock_unless_asked(tiny_voice_model,
                                                                            tmp_path):
    """No --key: a voice model is normalized to C major and writes in it with the accidentals
    it chooses (the random tiny model chooses many); --key auto keeps every note in C major."""
    seed = tmp_path / "seed.composer.json"
    save_score(four_parts(), seed)
    c_major = {0, 2, 4, 5, 7, 9, 11}

    def outside(*key) -> int:
        out = tmp_path / "out.composer.json"
        assert gen("--model", tiny_voice_model, "--seed", seed, "--bars", 4, "--rng-seed", 2,
                   "--variations", 3, *key, "-o", out) == 0
        return sum(n.pitch % 12 not in c_major for i in (1, 2, 3)
                   for n in load_score(tmp_path / f"out-{i}.composer.json").notes
                   if n.start >= 16 * TPQ)

    assert outside() > 0
    assert outside("--key", "auto") == 0


def test_the_output_keeps_the_seeds_credits_and_says_so_unless_given(tiny_voice_model,
                                                                      tmp_path, capsys):
    seed = tmp_path / "seed.composer.json"
    save_score(replace(four_parts(), title="Chorale", composer="J.S. Bach"), seed)
    out = tmp_path / "out.composer.json"
    assert gen("--model", tiny_voice_model, "--seed", seed, "--bars", 1, "--rng-seed", 1,
               "-o", out) == 0
    assert (load_score(out).title, load_score(out).composer) == ("Chorale", "J.S. Bach")
    assert "the output keeps the seed's composer credit (J.S. Bach); --composer sets " \
        "another" in capsys.readouterr().err
    assert gen("--model", tiny_voice_model, "--seed", seed, "--bars", 1, "--rng-seed", 1,
               "--title", "Chorale, continued", "--composer", "", "-o", out) == 0
    assert (load_score(out).title, load_score(out).composer) == ("Chorale, continued", "")
    assert "composer credit" not in capsys.readouterr().err


def test_harmonize_adds_alto_tenor_bass(tiny_voice_model, tmp_path):
    seed, out = tmp_path / "tune.mid", tmp_path / "out.composer.json"
    save_score(sketch(), seed)
    assert gen("--model", tiny_voice_model, "--seed", seed, "--harmonize", "--rng-seed", 3,
               "-o", out) == 0
    result, tune = load_score(out), load_score(seed)
    assert [p.name for p in result.parts][1:] == ["Alto", "Tenor", "Bass"]
    assert result.parts[0].notes == tune.parts[0].notes
    assert all(p.notes for p in result.parts)


def test_ignore_chords_says_the_symbols_stay(tiny_voice_model, tmp_path, capsys):
    """--ignore-chords keeps a lead sheet's symbols in the file, over voices that do not
    follow them, and says so (a review read the option as taking them out)."""
    from dataclasses import replace

    from composer_gui.music.score import ChordSymbol
    seed, out = tmp_path / "lead.composer.json", tmp_path / "out.composer.json"
    save_score(replace(sketch(), chord_symbols=(ChordSymbol(0, "Am"),)), seed)
    assert gen("--model", tiny_voice_model, "--seed", seed, "--harmonize", "--ignore-chords",
               "--rng-seed", 3, "-o", out) == 0
    assert "chord symbols, which stay in the output" in capsys.readouterr().err
    assert [c.text for c in load_score(out).chord_symbols] == ["Am"]
    assert gen("--model", tiny_voice_model, "--seed", seed, "--harmonize", "--rng-seed", 3,
               "-o", out) == 0
    assert "stay in the output" not in capsys.readouterr().err


def test_a_continued_lead_sheet_gets_chord_symbols_and_says_how_many(tiny_voice_model,
                                                                      tmp_path, capsys):
    """A four-part sketch with a symbol a bar, continued: the new bars get symbols
    (ml.chord_labels), written to the file, and the summary counts them."""
    from dataclasses import replace

    from composer_gui.music.score import ChordSymbol
    seed, out = tmp_path / "lead.composer.json", tmp_path / "out.composer.json"
    sketch_ = replace(four_parts(), chord_symbols=tuple(
        ChordSymbol(b * 4 * TPQ, x) for b, x in enumerate(["C", "G", "C", "G"])))
    save_score(sketch_, seed)
    assert gen("--model", tiny_voice_model, "--seed", seed, "--bars", 2, "--rng-seed", 4,
               "-o", out) == 0
    new = [c for c in load_score(out).chord_symbols if c.tick >= 16 * TPQ]
    assert new and f"{len(new):+d} chord symbols)" in capsys.readouterr().out


def test_region_of_chosen_parts_and_reharmonize(tiny_voice_model, tmp_path):
    seed = tmp_path / "seed.composer.json"
    save_score(four_parts(), seed)
    sk = load_score(seed)
    lo, hi = sk.bar_start(1), sk.bar_start(2)
    for extra in (["--parts", "2,4"], ["--harmonize"]):
        out = tmp_path / "out.composer.json"
        assert gen("--model", tiny_voice_model, "--seed", seed, "--region", "2:2", *extra,
                   "--rng-seed", 5, "-o", out) == 0
        result = load_score(out)
        kept = {0, 2} if extra[0] == "--parts" else {0}
        for i, (old, new) in enumerate(zip(sk.parts, result.parts, strict=True)):
            if i in kept:
                assert new == old
            assert [n for n in new.notes if not lo <= n.start < hi] == \
                [n for n in old.notes if not lo <= n.start < hi]
        assert result != sk


@pytest.mark.parametrize("args, message", [
    (["--end", "later"], "--end must be cadence or free"),
    (["--harmonize", "--from-bar", "2"], "not --from-bar"),
    (["--from-bar", "40"], "--from-bar 40 lies after the end of the score: continue from bar"),
    (["--melody", "1"], "--melody goes with --harmonize"),
    (["--harmonize", "--melody", "9"], "part number from 1 to 1"),
    (["--parts", "0"], "--parts must list part numbers"),
    (["--harmonize", "--region", "40:41"], "outside the melody"),
    (["--harmonize", "--seed", "CHORD.mid"], "two notes at once"),
])
def test_voice_bad_inputs_one_line_no_output(tiny_voice_model, tmp_path, capsys, args, message):
    chord = Score(parts=(Part((Note(0, 72, TPQ), Note(0, 76, TPQ))),))
    save_score(chord, tmp_path / "CHORD.mid")
    save_score(sketch(), tmp_path / "tune.mid")
    args = [a.replace("CHORD.mid", str(tmp_path / "CHORD.mid")) for a in args]
    if "--seed" not in args:
        args = ["--seed", str(tmp_path / "tune.mid"), *args]
    before = set(tmp_path.iterdir())
    assert gen("--model", tiny_voice_model, *args, "-o", tmp_path / "out.mid") == 1
    err = capsys.readouterr().err
    assert err.startswith("composer-gui generate: ") and err.count("\n") == 1, err
    assert message in err
    assert set(tmp_path.iterdir()) == before


def test_harmonize_with_an_event_model_says_why(installed_tiny, tmp_path, capsys):
    seed = tmp_path / "tune.mid"
    save_score(sketch(), seed)
    assert gen("--model", "tiny", "--seed", seed, "--harmonize", "-o", tmp_path / "o.mid") == 1
    assert "harmonizing needs a voice model" in capsys.readouterr().err


def test_minor_final_ends_a_minor_piece_on_its_minor_tonic(tiny_voice_model, tmp_path):
    """--minor-final: an A minor sketch's cadence ends on A minor, not A major (the Picardy
    third, the default)."""
    lines = [[76, 74, 72, 71, 72, 71, 69, 68], [72, 69, 69, 68, 69, 68, 64, 64],
             [64, 65, 64, 64, 64, 62, 60, 59], [57, 50, 57, 52, 45, 50, 45, 52]]
    score = Score(parts=tuple(Part(tuple(Note(i * 480, p, 480) for i, p in enumerate(ps)),
                                   name=name)
                              for ps, name in zip(lines, ("Soprano", "Alto", "Tenor", "Bass"),
                                                  strict=True)),
                  key_signatures=(KeySignature(0, 0, "minor"),))
    seed = tmp_path / "am.composer.json"
    save_score(score, seed)
    for rng in (1, 2, 3):
        out = tmp_path / f"m{rng}.composer.json"
        assert gen("--model", tiny_voice_model, "--seed", seed, "--bars", 2, "--minor-final",
                   "--rng-seed", rng, "-o", out) == 0
        result = load_score(out)
        last = max(n.start for n in result.notes)
        final = {n.pitch % 12 for n in result.notes if n.start <= last < n.end}
        assert 0 in final and 1 not in final, final


def test_density_asks_for_fewer_or_more_notes(tiny_voice_model, tmp_path, capsys):
    seed = tmp_path / "seed.composer.json"
    save_score(four_parts(8), seed)
    counts = []
    for density in ("-3", "3"):
        out = tmp_path / f"d{density}.composer.json"
        assert gen("--model", tiny_voice_model, "--seed", seed, "--bars", 4, "--end", "free",
                   "--density", density, "--rng-seed", 2, "-o", out) == 0
        counts.append(load_score(out).note_count)
    assert counts[0] < counts[1]
    assert gen("--model", tiny_voice_model, "--seed", seed, "--density", "4",
               "-o", tmp_path / "x.mid") == 1
    assert "density must be from -3 to 3" in capsys.readouterr().err
