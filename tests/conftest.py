"""Shared test helpers: run the CLI in-process or as a subprocess, locate the repo and the bench."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO.parent / "shared" / "bench"
DEMO_FIRMWARE = REPO / "examples" / "firmware" / "demo-router-fw.bin"


def run_cli(*args: str, check_json: bool = False) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "nobackdoor", *args], capture_output=True, text=True, timeout=600)
    if check_json:
        json.loads(proc.stdout)
    return proc


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def run(capsys):
    """The command line, in-process (the analyzers are imported once per worker, not per call)."""
    from nobackdoor.cli import main

    def call(*args: str) -> subprocess.CompletedProcess:
        capsys.readouterr()
        try:
            rc = main(list(args))
        except SystemExit as exc:
            rc = exc.code
        out = capsys.readouterr()
        return subprocess.CompletedProcess(args, rc, out.out, out.err)
    return call
