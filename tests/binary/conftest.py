from __future__ import annotations

from pathlib import Path

import pytest

from nobackdoor.analyzers.binary.analyzer import BinaryAnalyzer
from nobackdoor.inventory import read_entry
from nobackdoor.models import Finding, Observation

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "binary"


def run_binary_analyzer(path: Path, relpath: str | None = None):
    """Findings and observations of the binary analyzer for one file, as the pipeline would run it."""
    relpath = relpath or path.name
    entry, data = read_entry(path, relpath, relpath, "")
    analyzer = BinaryAnalyzer()
    assert analyzer.wants(entry), f"{path.name}: not wanted ({entry.kind}, {entry.elf})"
    results = list(analyzer.analyze(entry, data))
    findings = [r for r in results if isinstance(r, Finding)]
    observations = [r for r in results if isinstance(r, Observation)]
    return findings, observations


@pytest.fixture
def analyze():
    return run_binary_analyzer
