"""End to end: a root filesystem holding fixture daemons, scanned by the pipeline."""
from __future__ import annotations

import shutil

from nobackdoor.pipeline import PipelineOptions, scan

from .conftest import FIXTURES


def test_rootfs_scan_reports_binary_plant_and_unexplained_listener(tmp_path):
    root = tmp_path / "rootfs"
    for d in ("etc/init.d", "bin", "usr/sbin"):
        (root / d).mkdir(parents=True)
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (root / "etc/inittab").write_text("::sysinit:/etc/init.d/rcS\n")
    (root / "etc/init.d/rcS").write_text("#!/bin/sh\n/usr/sbin/httplite &\n")
    (root / "etc/init.d/rcS").chmod(0o755)
    shutil.copyfile(FIXTURES / "bin/ctrlsrv-prefix-armel", root / "usr/sbin/ctrlsrv")
    shutil.copyfile(FIXTURES / "bin/httplite-clean-armel", root / "usr/sbin/httplite")
    result = scan(root, PipelineOptions(jobs=1))
    got = {(f.rule, f.category, f.severity.value, f.path) for f in result.findings if f.rule.startswith("binary.")}
    assert ("binary.magic-gates-command", "hidden-command", "high", "usr/sbin/ctrlsrv") in got
    assert ("binary.unexplained-listener", "remote-access", "medium", "usr/sbin/ctrlsrv") in got
    assert not any(path == "usr/sbin/httplite" for *_, path in got)  # started at boot, and clean
    listeners = {(o.data["program_path"], o.data["port"]) for o in result.observations_of("listener")
                 if o.data.get("source") == "binary"}
    assert listeners == {("usr/sbin/ctrlsrv", 31999), ("usr/sbin/httplite", 8181)}
    assert {o.path for o in result.observations_of("binary")} == {"usr/sbin/ctrlsrv", "usr/sbin/httplite"}
