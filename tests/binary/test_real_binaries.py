"""Real Debian 12 daemons for several architectures (tests/fixtures/binary/debian, see VERSIONS and
fetch_debian.py) must not get a high or critical finding: protocol keywords, option parsing and
login code of honest software rank below the reporting thresholds."""
from __future__ import annotations

import time

import pytest

from .conftest import FIXTURES

DEBIAN = FIXTURES / "debian"
BINARIES = sorted(p.name for p in DEBIAN.iterdir() if p.name != "VERSIONS")


@pytest.mark.parametrize("name", BINARIES)
def test_real_daemon_stays_quiet(analyze, name):
    findings, observations = analyze(DEBIAN / name)
    loud = [(f.rule, f.evidence.get("constant")) for f in findings if f.severity.rank >= 3]
    assert not loud
    assert any(o.kind == "binary" for o in observations)


def test_daemons_listen(analyze):
    _, observations = analyze(DEBIAN / "dropbear-bin_arm64_dropbear", relpath="usr/sbin/dropbear")
    assert any(o.kind == "listener" and o.data["protocol"] == "tcp" for o in observations)


def test_static_busybox_is_fast(analyze):
    # CPU time of this process: other processes on a loaded machine do not count against it
    t0 = time.process_time()
    analyze(DEBIAN / "busybox-static_armel_busybox")
    assert time.process_time() - t0 < 10


def test_static_binary_gets_named_syscalls_and_listener(analyze):
    findings, observations = analyze(FIXTURES / "bin" / "ctrlsrv-clean-aarch64-static", relpath="usr/sbin/ctrlsrv")
    assert not findings
    obs = next(o for o in observations if o.kind == "binary")
    assert {"socket", "bind"} <= set(obs.data["imports"])
    assert [(o.data["port"], o.data["protocol"]) for o in observations if o.kind == "listener"] == [(31999, "udp")]
