"""The one entry point: ``composer-gui`` starts the app; ``composer-gui SUBCOMMAND`` runs a tool.

Each subcommand lives in ``composer_gui/cli/<name>.py`` with ``add_parser(subparsers)`` and
``run(args) -> int``. Modules are imported only when their command runs, except to build --help,
so a command never pays for another's imports (TensorFlow, Qt).
"""

from __future__ import annotations

import argparse
import importlib
import multiprocessing
import sys

from .. import __version__

# Order is the order --help lists them in.
COMMANDS = ("convert", "generate", "models", "train", "evaluate", "render")
# The options the app itself takes (anything else with "--" is refused with the usage, exit 2;
# Qt's own single-dash options, e.g. -platform or -style, pass through to Qt).
TOP_OPTIONS = ("--version", "--self-test", "--startup-probe", "--help", "-h")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="composer-gui",
        description="Sketch music in a piano roll and let an LSTM continue it. "
        "With no subcommand, the app starts.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation headless (models, Continue, MIDI and "
                        "MusicXML files, audio, the window), print one line and exit "
                        "(0: all passed)")
    # bench/bundle.py: start the window, press Continue, print event times, quit
    parser.add_argument("--startup-probe", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="subcommands")
    for name in COMMANDS:
        importlib.import_module(f"composer_gui.cli.{name}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # A frozen app's reader processes (music/safe_read.py) start here and must stop here.
    multiprocessing.freeze_support()
    argv = list(sys.argv[1:] if argv is None else argv)
    first = next((a for a in argv if not a.startswith("-")), None)
    if first is None or first not in COMMANDS:
        unknown = [a for a in argv if a.startswith("--") and a.split("=", 1)[0] not in TOP_OPTIONS]
        if unknown:  # before Qt: the usage, exit 2, with or without a display
            build_parser().error(f"unrecognized arguments: {' '.join(unknown)}")
    if first is None and ("--self-test" in argv or "--startup-probe" in argv):
        from .. import selftest  # before Qt starts: it runs headless

        return selftest.main(argv) if "--self-test" in argv else selftest.startup_probe()
    if first is None or first not in COMMANDS:
        asks_help = any(a in ("-h", "--help", "--version") for a in argv)
        if asks_help or (first and not _looks_like_file(first)):
            build_parser().parse_args(argv)
            return 0
        return _start_gui(argv)
    args = build_parser().parse_args(argv)
    module = importlib.import_module(f"composer_gui.cli.{args.command}")
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _looks_like_file(arg: str) -> bool:
    return "." in arg or "/" in arg or "\\" in arg


def _start_gui(argv: list[str]) -> int:
    try:
        app = importlib.import_module("composer_gui.ui.app")
    except ModuleNotFoundError as exc:
        print(f"composer-gui: the app cannot start ({exc})", file=sys.stderr)
        return 1
    return int(app.main(argv) or 0)


if __name__ == "__main__":
    sys.exit(main())
