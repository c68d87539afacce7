"""Getting a scan result for commands that compare or record results: scan a target, or read the JSON
document a previous ``scan --format json`` saved."""
from __future__ import annotations

import argparse

from ..models import ScanResult
from ..pipeline import PipelineOptions, TargetError
from ..saved import SavedResultError, load_result
from ._common import scan_with_progress


def load_or_scan(target: str, args: argparse.Namespace, options: PipelineOptions | None = None) -> ScanResult:
    try:
        saved = load_result(target)
    except SavedResultError as exc:
        raise TargetError(str(exc)) from None
    if saved is not None:
        return saved
    return scan_with_progress(target, args, options)
