"""Every firmware image and binary of ../shared/bench/corpus (see bench_corpus.py)."""
from __future__ import annotations

import pytest

from .bench_corpus import artifacts, check_artifact, needs_bench


@needs_bench
@pytest.mark.slow
@pytest.mark.parametrize("artifact", artifacts(("firmware", "binary")) or ["absent"])
def test_bench_artifact(artifact, tmp_path):
    check_artifact(artifact, tmp_path)
