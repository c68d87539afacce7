"""Every source tree (directory and .tar.gz) of ../shared/bench/corpus (see bench_corpus.py)."""
from __future__ import annotations

import pytest

from .bench_corpus import artifacts, check_artifact, needs_bench


@needs_bench
@pytest.mark.slow
@pytest.mark.parametrize("artifact", artifacts(("source",)) or ["absent"])
def test_bench_source(artifact, tmp_path):
    check_artifact(artifact, tmp_path)
