"""Child process that runs unblob on one file (``python -m nobackdoor.unpack.worker ARGS_JSON``).

It runs in its own session so the parent can stop it and every extractor it started as a group
when a limit is hit; its output goes to a log file so nothing reaches the user's stdout; unblob's
sandbox (Landlock, where the kernel has it) restricts its writes to the extraction directory.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    args = json.loads(argv[0])
    import unblob.extractors.command as command

    command.COMMAND_TIMEOUT = float(args["extractor_timeout"])

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
    result = sandbox.run(process_file, config, Path(args["input"]))
    report.write_text(result.to_json())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
