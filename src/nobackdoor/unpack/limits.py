"""Bounds on extraction. Every firmware image is hostile input until proven otherwise."""
from __future__ import annotations

import resource
from dataclasses import dataclass

GiB = 1024**3
MiB = 1024**2


@dataclass(frozen=True)
class Limits:
    #: total bytes extraction may write, all nesting levels together
    max_bytes: int = 4 * GiB
    #: extracted bytes divided by the target's size; checked once more than ``ratio_floor`` is written,
    #: so that small files that compress well do not trip it
    max_ratio: float = 200.0
    ratio_floor: int = 64 * MiB
    #: containers inside containers, counting the target as level 1
    max_depth: int = 12
    #: files and directories extraction may create
    max_files: int = 200_000
    #: seconds one external extractor (unsquashfs, 7z, debugfs, ...) may run
    extractor_timeout: float = 300.0
    #: seconds the whole extraction may take
    total_timeout: float = 1800.0

    def describe(self) -> dict[str, float | int]:
        return {
            "max_bytes": self.max_bytes,
            "max_ratio": self.max_ratio,
            "max_depth": self.max_depth,
            "max_files": self.max_files,
            "extractor_timeout": self.extractor_timeout,
            "total_timeout": self.total_timeout,
        }


def output_cap() -> int:
    """Bytes one extracted file may hold, for extractors that decode in Python: the unpack
    worker's RLIMIT_FSIZE, which the parent derives from the limits (``--max-ratio``,
    ``--max-extract-size``); the default total when no such limit is set."""
    soft = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    return soft if soft != resource.RLIM_INFINITY else Limits().max_bytes
