"""Bundle benchmark: size of dist/composer-gui/, its archive, and the frozen app's start-up.

    python bench/bundle.py [--dist dist/composer-gui] [--repeat 5] [--models DIR]

1. Folder size: the sum of the files' sizes (MB = 10^6 bytes), and the largest parts.
2. Archive size: dist/composer-gui.tar.gz written with gzip level 9 (what a Linux release would
   ship; a zip is within a few per cent).
3. Window visible: time from launching the frozen program to the first paint of the piano roll
   (``COMPOSER_GUI_FIRST_PAINT=1``: the app prints ``first-paint <unix time>`` and quits).
4. First Continue: time from launch to the first generated note and to the finished result of the
   panel's default Continue on a two-bar sketch, pressed as soon as the model list arrives
   (``--startup-probe``; the first installed model).

With ``--cold`` (Linux, as root) one more launch of each kind follows a flush of the page cache
(``/proc/sys/vm/drop_caches``): the first start after a reboot or an install.

Each launch runs in a clean environment (PATH=/usr/bin:/bin, no Python variables) on Qt's offscreen
platform with audio output off; the median of ``--repeat`` launches is reported, with the slowest.
The first launch after a build also pays for a cold disk cache; it is run once and not counted.
Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"folder": 250.0, "archive": 100.0, "window": 2.0, "continue": 3.0}


def folder_size(path: Path) -> tuple[int, int, dict[str, int]]:
    total = count = 0
    parts: dict[str, int] = {}
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            size = p.stat().st_size
            total += size
            count += 1
            rel = p.relative_to(path).parts
            key = "/".join(rel[:2]) if rel[0] == "_internal" and len(rel) > 2 else "/".join(rel)
            parts[key] = parts.get(key, 0) + size
    return total, count, parts


def archive_size(path: Path) -> tuple[int, float]:
    out = path.parent / f"{path.name}.tar.gz"
    t0 = time.perf_counter()
    with tarfile.open(out, "w:gz", compresslevel=9) as tar:
        tar.add(path, arcname=path.name)
    return out.stat().st_size, time.perf_counter() - t0


def clean_env(models: str | None) -> dict[str, str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"),
           "QT_QPA_PLATFORM": "offscreen", "COMPOSER_GUI_NO_AUDIO": "1",
           "LANG": "C.UTF-8"}
    if models:
        env["COMPOSER_GUI_MODELS"] = models
    return env


def launch(exe: Path, args: list[str], env: dict[str, str]) -> tuple[float, dict[str, float], str]:
    """Run the program; returns the launch time and the times of its ``<event> <time>`` lines."""
    t0 = time.time()
    done = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=120,
                          cwd=exe.parent)
    events = {}
    for line in done.stdout.splitlines():
        name, _, value = line.partition(" ")
        try:
            events[name] = float(value) - t0
        except ValueError:
            events.setdefault(name, -1.0)
    problem = ""
    if done.returncode != 0:
        problem = f"exit {done.returncode}: {(done.stdout + done.stderr)[-400:]}"
    return t0, events, problem


def timed(exe: Path, args: list[str], env: dict[str, str], events: list[str],
          repeat: int) -> dict[str, list[float]] | str:
    launch(exe, args, {**env, **({"COMPOSER_GUI_FIRST_PAINT": "1"} if not args else {})})  # warm
    samples: dict[str, list[float]] = {e: [] for e in events}
    for _ in range(repeat):
        extra = {"COMPOSER_GUI_FIRST_PAINT": "1"} if not args else {}
        _t0, got, problem = launch(exe, args, {**env, **extra})
        if problem:
            return problem
        for e in events:
            if e not in got:
                return f"no {e!r} line (got {sorted(got)})"
            samples[e].append(got[e])
    return samples


def drop_page_cache() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def cold_rows(exe: Path, env: dict[str, str]) -> list[tuple[str, str, str, str]]:
    if not drop_page_cache():
        return [("cold start", "skipped: cannot drop the page cache (needs root on Linux)", "",
                 "")]
    _t0, paint, problem = launch(exe, [], {**env, "COMPOSER_GUI_FIRST_PAINT": "1"})
    if problem or "first-paint" not in paint:
        return [("cold: window visible", f"failed: {problem}", "< 2 s", "NO")]
    drop_page_cache()
    _t0, probe, problem = launch(exe, ["--startup-probe"], env)
    if problem or "continue-done" not in probe:
        return [("cold: first Continue result", f"failed: {problem}", "< 3 s", "NO")]
    return [
        ("cold: window visible", f"{paint['first-paint']:.2f} s", "< 2 s",
         verdict(paint["first-paint"], TARGETS["window"])),
        ("cold: first Continue result", f"{probe['continue-done']:.2f} s", "< 3 s",
         verdict(probe["continue-done"], TARGETS["continue"])),
    ]


def fmt(samples: list[float]) -> str:
    return f"{statistics.median(samples):.2f} s (max {max(samples):.2f})"


def verdict(value: float, target: float) -> str:
    return "yes" if value <= target else "NO"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dist", type=Path, default=ROOT / "dist" / "composer-gui")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--models", default=None, help="set $COMPOSER_GUI_MODELS for the launches")
    ap.add_argument("--no-archive", action="store_true", help="skip the (slow) archive")
    ap.add_argument("--cold", action="store_true",
                    help="also time one launch after dropping the page cache (Linux, root)")
    args = ap.parse_args()
    dist = args.dist.resolve()
    exe = dist / ("composer-gui.exe" if sys.platform.startswith("win") else "composer-gui")
    if not exe.is_file():
        print(f"{exe}: not built (bash build/build.sh)", file=sys.stderr)
        return 1
    rows: list[tuple[str, str, str, str]] = []

    total, count, parts = folder_size(dist)
    mb = total / 1e6
    rows.append(("bundle folder", f"{mb:.1f} MB ({count} files)", f"<= {TARGETS['folder']:.0f} MB",
                 verdict(mb, TARGETS["folder"])))
    if not args.no_archive:
        size, seconds = archive_size(dist)
        amb = size / 1e6
        rows.append(("archive (.tar.gz, gzip -9)", f"{amb:.1f} MB ({seconds:.0f} s to write)",
                     f"<= {TARGETS['archive']:.0f} MB", verdict(amb, TARGETS["archive"])))

    env = clean_env(args.models)
    window = timed(exe, [], env, ["first-paint"], args.repeat)
    if isinstance(window, str):
        rows.append(("window visible (launch to first paint)", f"failed: {window}", "< 2 s", "NO"))
    else:
        paint = window["first-paint"]
        rows.append(("window visible (launch to first paint)", fmt(paint), "< 2 s",
                     verdict(statistics.median(paint), TARGETS["window"])))
    probe = timed(exe, ["--startup-probe"], env,
                  ["first-paint", "models-listed", "continue-first-note", "continue-done"],
                  args.repeat)
    if isinstance(probe, str):
        rows.append(("first Continue result (launch to done)", f"failed: {probe}", "< 3 s", "NO"))
    else:
        rows.append(("first Continue: first note (from launch)",
                     fmt(probe["continue-first-note"]), "", ""))
        done = probe["continue-done"]
        rows.append(("first Continue result (launch to done)", fmt(done), "< 3 s",
                     verdict(statistics.median(done), TARGETS["continue"])))

    if args.cold:
        rows += cold_rows(exe, env)

    print(f"\nBundle: {dist} ({sys.platform}, {os.cpu_count()} CPUs); "
          f"median of {args.repeat} launches, offscreen, audio off\n")
    widths = [max(len(r[i]) for r in [("what", "figure", "target", "met"), *rows])
              for i in range(4)]
    for r in [("what", "figure", "target", "met"), tuple("-" * w for w in widths), *rows]:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
    print("\nLargest parts:")
    for key, size in sorted(parts.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {size / 1e6:7.1f} MB  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
