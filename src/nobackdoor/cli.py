"""Command line: ``nobackdoor <command> ...``.

Each command lives in its own module under :mod:`nobackdoor.commands` and exposes
``register(subparsers)``; this file only assembles them and turns errors into exit codes
(0 clean, 1 findings at or above --fail-on, 2 unreadable target or bad usage).
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import signal
import sys

from . import __version__, commands


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2, as the contract says
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="nobackdoor", description="Find back doors in firmware, binaries and source trees.")
    parser.add_argument("--version", action="version", version=f"nobackdoor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    modules = sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_"))
    for name in modules:
        importlib.import_module(f"{commands.__name__}.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # SIGTERM unwinds like Ctrl-C so that work directories and extractor children are cleaned up
    signal.signal(signal.SIGTERM, _terminate)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("nobackdoor: interrupted", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Exception as exc:  # no traceback reaches the user; -v shows it
        if getattr(args, "verbose", 0):
            raise
        print(f"nobackdoor: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2


def console_main() -> None:
    """Entry point of the ``nobackdoor`` command: run, flush, and leave without the interpreter's
    teardown (finalising LIEF, Capstone and tree-sitter objects costs ~0.4 s per run and does
    nothing useful: work directories and worker processes are already cleaned up by then)."""
    rc = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(rc)


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    console_main()
