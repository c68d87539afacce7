"""Fixtures for release-check and rebuild-check: built once per session by the fixture script."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "release"


def _script():
    spec = importlib.util.spec_from_file_location("release_build_fixtures", FIXTURES / "build_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)}")


@pytest.fixture(scope="session")
def release_fixtures(tmp_path_factory):
    need("git", "autoreconf", "automake", "make", "cc")
    return _script().build_all(tmp_path_factory.mktemp("release-fixtures"))


@pytest.fixture(scope="session")
def cproj() -> Path:
    need("make", "cc")
    return FIXTURES / "cproj"
