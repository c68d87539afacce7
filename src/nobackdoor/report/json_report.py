"""``--format json``: the contract document (format_version 1), deterministic key order."""
from __future__ import annotations

import json

from ..models import ScanResult

FORMAT = "json"


def render(result: ScanResult, args=None) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False, default=str) + "\n"
