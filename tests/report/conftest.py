"""Fixtures for the report tests (inputs are built in samples.py)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nobackdoor.models import ScanResult

from .samples import make_rootfs, sample_result

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def result() -> ScanResult:
    return sample_result()


@pytest.fixture
def rootfs(tmp_path: Path) -> Path:
    return make_rootfs(tmp_path / "rootfs")
