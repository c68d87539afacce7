"""No finding depends on wall-clock time or machine load: the same scan, the second time with every
core busy, gives byte-identical findings and errors."""
from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: a firmware image, autotools machinery, and a web application whose findings come from the taint engine
TARGETS = [REPO / "examples" / "firmware" / "demo-router-fw.bin", REPO / "tests" / "fixtures" / "source" / "buildm4",
           REPO / "bench" / "variants" / "sample" / "src-hidden-command" / "talfacore-00-b.zip"]


def _spin(stop) -> None:
    x = 0
    while not stop.is_set():
        x = (x * 31 + 7) % 1000003


def _scan(target: Path) -> str:
    proc = subprocess.run([sys.executable, "-m", "nobackdoor", "scan", str(target), "--format", "json"],
                          capture_output=True, text=True, timeout=600)
    doc = json.loads(proc.stdout)
    return json.dumps({"findings": doc["findings"], "errors": doc["errors"]}, sort_keys=True)


def test_findings_do_not_depend_on_load():
    idle = [_scan(t) for t in TARGETS]
    stop = multiprocessing.Event()
    spinners = [multiprocessing.Process(target=_spin, args=(stop,)) for _ in range(2 * (os.cpu_count() or 2))]
    for p in spinners:
        p.start()
    try:
        loaded = [_scan(t) for t in TARGETS]
    finally:
        stop.set()
        for p in spinners:
            p.join(10)
    assert "source.request-executed" in idle[2]  # the web application's hidden command is found at all
    for a, b in zip(idle, loaded):
        assert a == b
