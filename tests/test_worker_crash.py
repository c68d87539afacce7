"""A native crash while analysing one hostile file costs that file's analysis, never the scan."""
from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

from nobackdoor.analyzers.binary import analyzer as binary_analyzer
from nobackdoor.pipeline import PipelineOptions, scan

BIN = Path(__file__).resolve().parent / "fixtures" / "binary" / "bin"


def test_a_worker_that_crashes_loses_only_its_file(tmp_path, monkeypatch):
    root = tmp_path / "root"
    (root / "usr" / "sbin").mkdir(parents=True)
    (root / "etc").mkdir()
    shutil.copyfile(BIN / "ctrlsrv-bytes-x86_64", root / "usr" / "sbin" / "crasher")
    shutil.copyfile(BIN / "ctrlsrv-magic16-x86_64", root / "usr" / "sbin" / "ctrlsrv")
    (root / "etc" / "passwd").write_text("root::0:0:root:/root:/bin/sh\n")
    real = binary_analyzer.BinaryAnalyzer.analyze

    def analyze(self, entry, data):
        if entry.name == "crasher":
            os.kill(os.getpid(), signal.SIGSEGV)  # what a native decoder bug does to its process
        return real(self, entry, data)

    monkeypatch.setattr(binary_analyzer.BinaryAnalyzer, "analyze", analyze)  # the workers fork from here
    result = scan(root, PipelineOptions(jobs=2))
    crashed = [e for e in result.errors if e.path.endswith("usr/sbin/crasher")]
    assert crashed and crashed[0].reason == "failure", result.errors
    assert {f.path for f in result.files} >= {"usr/sbin/crasher", "usr/sbin/ctrlsrv", "etc/passwd"}
    assert any(f.path == "usr/sbin/ctrlsrv" and f.rule.startswith("binary.") for f in result.findings)
    assert any(f.path == "etc/passwd" for f in result.findings)
    assert not result.complete
