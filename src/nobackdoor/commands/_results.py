"""Getting a scan result for commands that compare or record results: scan a target, or read the JSON
document a previous ``scan --format json`` saved."""
from __future__ import annotations

import argparse
import sys

from ..models import ScanResult
from ..pipeline import PipelineOptions, TargetError, scan
from ..saved import SavedResultError, load_result
from ._common import pipeline_options, progress_bar


def load_or_scan(target: str, args: argparse.Namespace, options: PipelineOptions | None = None) -> ScanResult:
    try:
        saved = load_result(target)
    except SavedResultError as exc:
        raise TargetError(str(exc)) from None
    if saved is not None:
        return saved
    options = options or pipeline_options(args)
    show = getattr(args, "verbose", 0) > 0 or sys.stderr.isatty()
    with progress_bar(show) as update:
        options.progress = update
        return scan(target, options)
