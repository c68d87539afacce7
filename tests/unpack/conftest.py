"""Helpers for the unpacking tests: fixtures built by tests/fixtures/unpack/build.py, a CLI runner
that returns the parsed JSON document, and a canary directory hostile archives aim at."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures" / "unpack"
FORMATS = FIXTURES / "formats"
HOSTILE = FIXTURES / "hostile"


def _load_build():
    spec = importlib.util.spec_from_file_location("nbd_unpack_fixture_build", FIXTURES / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILD = _load_build()
PASSWD = BUILD.ROOTFS["etc/passwd"]
MARKER = BUILD.MARKER
CANARY = Path(BUILD.CANARY)


def leftover_workdirs(tmpdir: Path) -> list[str]:
    return sorted(n for n in os.listdir(tmpdir) if n.startswith("nobackdoor-"))


def scan_json(target: Path | str, *flags: str, tmpdir: Path | None = None,
              timeout: int = 300) -> tuple[subprocess.CompletedProcess, dict]:
    """``nobackdoor scan TARGET --format json``; stdout must be exactly one JSON document.
    With ``tmpdir``, the scan's temporary directory goes there (TMPDIR), so that what it leaves
    behind can be checked without seeing other processes' directories."""
    env = dict(os.environ)
    if tmpdir is not None:
        tmpdir.mkdir(parents=True, exist_ok=True)
        env["TMPDIR"] = str(tmpdir)
    proc = subprocess.run([sys.executable, "-m", "nobackdoor", "scan", str(target), "--format", "json", *flags],
                          capture_output=True, text=True, timeout=timeout, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    doc = json.loads(proc.stdout) if proc.stdout.strip() else {}
    return proc, doc


def inventory_paths(doc: dict) -> dict[str, dict]:
    return {f["path"]: f for f in doc.get("inventory", [])}


@pytest.fixture
def canary():
    """The directory hostile archives try to write into; must stay as the test left it."""
    shutil.rmtree(CANARY, ignore_errors=True)
    CANARY.mkdir(parents=True)
    secret = CANARY / "secret.txt"
    secret.write_text("host secret\n")
    secret.chmod(0o600)
    yield CANARY
    shutil.rmtree(CANARY, ignore_errors=True)
