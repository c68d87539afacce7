"""A file an analyzer would read but for its size is an `errors` entry, never a silent skip."""
from __future__ import annotations

import shutil
from pathlib import Path

from nobackdoor.analyzers.binary.analyzer import BinaryAnalyzer
from nobackdoor.pipeline import PipelineOptions, scan

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "binary" / "bin" / "ctrlsrv-bytes-x86_64"


def test_elf_over_the_binary_analyzers_limit_is_reported(tmp_path):
    root = tmp_path / "root"
    (root / "usr" / "sbin").mkdir(parents=True)
    big = root / "usr" / "sbin" / "ctrlsrv"
    shutil.copyfile(FIXTURE, big)
    with open(big, "r+b") as fh:  # sparse padding past the analyzer's limit
        fh.truncate(BinaryAnalyzer.max_size + 4096)
    result = scan(root, PipelineOptions())
    errors = [e for e in result.errors if e.path.endswith("usr/sbin/ctrlsrv")]
    assert errors and errors[0].reason == "limit" and errors[0].bytes == BinaryAnalyzer.max_size + 4096
    assert "binary" in errors[0].skipped
    assert not result.complete
