"""Shared body of the bench-corpus tests (split over two test files so that xdist runs them on two
workers): every artifact of ../shared/bench/corpus gives contract-valid JSON in under 60 s, with no
traceback and nothing left in the temporary directory."""
from __future__ import annotations

import json
import time
from pathlib import Path

import jsonschema
import pytest

from .conftest import inventory_paths, leftover_workdirs, scan_json

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO.parent / "shared" / "bench"
SCHEMA = json.loads((REPO / "tests" / "contract_schema.json").read_text())
LIMIT_SECONDS = 60

needs_bench = pytest.mark.skipif(not (BENCH / "labels.json").is_file(), reason="../shared/bench is absent")


def artifacts(kinds: tuple[str, ...]) -> list[str]:
    if not (BENCH / "labels.json").is_file():
        return []
    labels = json.loads((BENCH / "labels.json").read_text())
    return sorted(e["artifact"] for e in labels if e["artifact"].split("/")[1] in kinds)


def check_artifact(artifact: str, tmp_path: Path) -> None:
    target = BENCH / artifact
    t0 = time.monotonic()
    proc, doc = scan_json(target, tmpdir=tmp_path / "tmp", timeout=LIMIT_SECONDS * 3)
    elapsed = time.monotonic() - t0
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    jsonschema.validate(doc, SCHEMA)
    assert elapsed < LIMIT_SECONDS, f"{artifact}: {elapsed:.1f} s"
    assert leftover_workdirs(tmp_path / "tmp") == []
    unpack_errors = [e for e in doc["errors"] if "unpack" in e["message"] or "truncated" in e["message"]]
    assert unpack_errors == [], unpack_errors
    if "/firmware/" in artifact:
        # every bench image is a root filesystem in some container: it must have been opened
        assert any(p.endswith("/etc/passwd") for p in inventory_paths(doc)), artifact
