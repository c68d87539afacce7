"""Child process that runs unblob on one file (``python -m nobackdoor.unpack.worker ARGS_JSON``).

It runs in its own session so the parent can stop it and every extractor it started as a group
when a limit is hit; its output goes to a log file so nothing reaches the user's stdout; unblob's
sandbox (Landlock, where the kernel has it) restricts its writes to the extraction directory.

ARGS_JSON keys: input, extract_root, report, log, max_depth, extractor_timeout, process_num,
and optionally max_file_bytes.
"""
from __future__ import annotations

import json
import logging
import os
import resource
import signal
import sys
import threading
import time
from pathlib import Path


def _quiet_logging() -> None:
    """unblob logs through structlog; unconfigured, structlog prints every debug event and renders
    each expected "format is invalid" exception with its locals, which costs more than the
    extraction of a small image. Keep warnings and errors, plainly rendered, on stdout (the log file)."""
    import structlog

    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.format_exc_info,
            structlog.processors.KeyValueRenderer(key_order=["level", "event"]),
        ],
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )


def _timed_out_report(report_cls):
    """unblob 26 builds its timeout report from ``TimeoutExpired.cmd``, a list, where the report
    wants a string: the report then fails validation and the timeout shows as an unknown error."""
    import shlex

    def build(cmd, timeout):
        return report_cls(cmd=shlex.join(cmd) if isinstance(cmd, (list, tuple)) else str(cmd), timeout=timeout)

    return build


def _die_with_parent() -> None:
    """The worker leads its own process group (so that a limit stops every extractor at once);
    if the scan that started it dies, take the whole group down instead of extracting on."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                if os.getpgrp() == os.getpid():  # our own group (start_new_session): extractors too
                    os.killpg(os.getpgrp(), signal.SIGKILL)
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def _bound_file_size(limit: int | None) -> None:
    """No file written by the worker or its extractors may grow past ``limit`` bytes: writes fail
    with EFBIG (SIGXFSZ ignored, which extractors inherit), and the extractor reports the failure."""
    if not limit:
        return
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(limit), int(limit)))


def main(argv: list[str]) -> int:
    args = json.loads(argv[0])
    _die_with_parent()
    _bound_file_size(args.get("max_file_bytes"))
    _quiet_logging()
    import unblob.extractors.command as command

    # unblob reads this module global when it runs an external extractor
    command.COMMAND_TIMEOUT = float(args["extractor_timeout"])
    command.ExtractorTimedOut = _timed_out_report(command.ExtractorTimedOut)

    from unblob.processing import ExtractionConfig, process_file
    from unblob.sandbox import Sandbox

    from .handlers import handlers

    extract_root = Path(args["extract_root"])
    report = Path(args["report"])
    log = Path(args["log"])
    config = ExtractionConfig(
        extract_root=extract_root,
        randomness_depth=0,
        max_depth=int(args["max_depth"]),
        handlers=handlers(),
        process_num=int(args["process_num"]),
        verbose=0,
    )
    sandbox = Sandbox(config, log, report)
    sandbox.run(process_file, config, Path(args["input"]), report)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
