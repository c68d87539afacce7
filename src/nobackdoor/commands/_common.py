"""Helpers shared by sub-commands: options every scanning command takes, output, progress."""
from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from ..models import ScanResult, Severity
from ..pipeline import PipelineOptions
from ..unpack.limits import GiB, Limits

SEVERITIES = [s.value for s in Severity]


def add_scan_options(p: argparse.ArgumentParser) -> None:
    """Options of every command that unpacks and analyses a target."""
    p.add_argument("-v", "--verbose", action="count", default=0, help="progress and logs on stderr")
    p.add_argument("-j", "--jobs", type=int, default=0, help="worker processes (default: one per core)")
    p.add_argument("--keep-extracted", metavar="DIR", type=Path,
                   help="extract into DIR (must be empty) and keep it instead of a temporary directory")
    p.add_argument("--rules", metavar="FILE", action="append", default=[],
                   help="additional YARA rule file (repeatable)")
    g = p.add_argument_group("extraction limits")
    d = Limits()
    g.add_argument("--max-extract-size", type=float, default=d.max_bytes / GiB, metavar="GIB",
                   help=f"stop unpacking after this many GiB written (default {d.max_bytes / GiB:g})")
    g.add_argument("--max-ratio", type=float, default=d.max_ratio,
                   help=f"stop when extracted/target size exceeds this (default {d.max_ratio:g})")
    g.add_argument("--max-depth", type=int, default=d.max_depth,
                   help=f"containers nested deeper than this are not opened (default {d.max_depth})")
    g.add_argument("--max-files", type=int, default=d.max_files,
                   help=f"stop unpacking after this many files (default {d.max_files})")
    g.add_argument("--extractor-timeout", type=float, default=d.extractor_timeout, metavar="SECONDS",
                   help=f"time one external extractor may run (default {d.extractor_timeout:g})")
    g.add_argument("--timeout", type=float, default=d.total_timeout, metavar="SECONDS",
                   help=f"time the whole extraction may take (default {d.total_timeout:g})")


def limits_from(args: argparse.Namespace) -> Limits:
    return Limits(
        max_bytes=int(args.max_extract_size * GiB),
        max_ratio=args.max_ratio,
        max_depth=args.max_depth,
        max_files=args.max_files,
        extractor_timeout=args.extractor_timeout,
        total_timeout=args.timeout,
    )


def pipeline_options(args: argparse.Namespace, only: tuple[str, ...] = ()) -> PipelineOptions:
    from ..analyzers import ScanOptions

    for rule_file in args.rules:
        if not Path(rule_file).is_file():
            raise SystemExit(_usage_error(f"--rules {rule_file}: no such file"))
    return PipelineOptions(
        limits=limits_from(args),
        jobs=args.jobs,
        keep_extracted=args.keep_extracted,
        analyzer_options=ScanOptions(extra_rules=tuple(str(Path(r).resolve()) for r in args.rules), only=only),
    )


def _usage_error(message: str) -> int:
    print(f"nobackdoor: error: {message}", file=sys.stderr)
    return 2


def write_output(text: str, output: Path | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
        if not text.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()


def add_fail_options(p: argparse.ArgumentParser, what: str = "a finding") -> None:
    p.add_argument("--fail-on", default="high", choices=SEVERITIES,
                   help=f"exit 1 when {what} has this severity or higher (default high), or when the scan is "
                        "incomplete (something was left unread: see errors)")
    p.add_argument("--allow-incomplete", action="store_true",
                   help="do not fail an incomplete scan (errors only) by the exit status")


def exit_status(result: ScanResult, args: argparse.Namespace) -> int:
    """1 when the verdict is ``fail``, or ``incomplete`` without --allow-incomplete; else 0."""
    verdict = result.verdict(args.fail_on)
    if verdict == "fail" or (verdict == "incomplete" and not getattr(args, "allow_incomplete", False)):
        return 1
    return 0


def scan_with_progress(target: str, args: argparse.Namespace, options: PipelineOptions | None = None) -> ScanResult:
    """Run the pipeline with a progress bar on stderr when it is a terminal or -v was given.
    Raises :class:`~nobackdoor.pipeline.TargetError` for an unreadable target (exit 2)."""
    from ..pipeline import scan

    options = options or pipeline_options(args)
    with progress_bar(getattr(args, "verbose", 0) > 0 or sys.stderr.isatty()) as update:
        options.progress = update
        return scan(target, options)


@contextlib.contextmanager
def progress_bar(enabled: bool) -> Iterator:
    """A rich progress bar on stderr when it is a terminal; plain timestamped stage lines when it is
    not (``-v`` into a log); a no-op callback when disabled."""
    if not enabled:
        yield None
        return
    if not sys.stderr.isatty():
        import time

        start = time.monotonic()
        last = [""]

        def log(stage: str, done: int, total: int) -> None:
            if stage != last[0]:
                last[0] = stage
                print(f"nobackdoor: {time.monotonic() - start:6.2f} s  {stage}", file=sys.stderr, flush=True)

        yield log
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("starting", total=1)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage[:60], completed=done, total=max(total, 1))

        yield update
