"""Real default configuration of Debian's busybox, dropbear, openssh-server, lighttpd and dnsmasq."""
from __future__ import annotations

import pytest


def test_debian_defaults_are_silent_at_high(rootfs):
    r = rootfs("debian-clean")
    assert r.high() == [], [f.message for f in r.high()]
    assert not [f for f in r.findings if f.severity.rank >= 2]


def test_debian_services_and_listeners(rootfs):
    r = rootfs("debian-clean")
    progs = {s["program"] for s in r.of("service")}
    assert {"/usr/sbin/sshd", "/usr/sbin/dropbear", "/usr/sbin/lighttpd"} <= progs
    ports = {(li["port"], li["protocol"]) for li in r.of("listener")}
    assert {(22, "tcp"), (80, "tcp"), (53, "udp")} <= ports


@pytest.mark.parametrize("case", ["clean", "console_login"])
def test_synthetic_clean_trees_are_silent_at_high(rootfs, case):
    assert rootfs(case).high() == []
