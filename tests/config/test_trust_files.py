"""sudoers, rhosts/hosts.equiv and ld.so.preload (analyzers/trust_files.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from nobackdoor.analyzers.trust_files import TrustFilesAnalyzer
from nobackdoor.models import FileEntry, FileKind

# the shape of Debian 12's /etc/sudoers (sudo 1.9.13)
DEBIAN_SUDOERS = """#
# This file MUST be edited with the 'visudo' command as root.
Defaults\tenv_reset
Defaults\tmail_badpass
Defaults\tsecure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
Defaults\tuse_pty

# User privilege specification
root\tALL=(ALL:ALL) ALL

# Allow members of group sudo to execute any command
%sudo\tALL=(ALL:ALL) ALL

@includedir /etc/sudoers.d
"""


def _run(rel: str, text: str) -> list[tuple[str, int, str]]:
    data = text.encode()
    e = FileEntry(rel, rel, "", Path("/nonexistent"), len(data), "", FileKind.TEXT, content=data)
    an = TrustFilesAnalyzer()
    assert an.wants(e), rel
    return [(f.rule, f.line, f.severity.value) for f in an.analyze(e, data)]


def test_debian_sudoers_is_quiet():
    assert _run("etc/sudoers", DEBIAN_SUDOERS) == []
    assert _run("etc/sudoers.d/README", "# files in this directory are read by sudo\n") == []


@pytest.mark.parametrize("line", ["fieldops ALL=(ALL) NOPASSWD: ALL", "%maint ALL=(root) NOPASSWD: /bin/sh",
                                  "svc  ALL = (ALL:ALL) \\\n     NOPASSWD: /usr/bin/id, ALL"])
def test_nopasswd_for_everything(line):
    got = _run("etc/sudoers.d/90-vendor", line + "\n")
    assert [(r, s) for r, _, s in got] == [("trust.sudo-nopasswd", "medium")]


def test_nopasswd_for_one_harmless_command_is_quiet():
    assert _run("etc/sudoers.d/10-ops", "ops ALL=(root) NOPASSWD: /usr/sbin/reboot\n") == []


def test_rhosts_plus_and_preload():
    assert _run("etc/hosts.equiv", "# trusted\ngw.example\n+ +\n") == [("trust.rhosts-any", 3, "high")]
    assert _run("root/.rhosts", "+\n") == [("trust.rhosts-any", 1, "high")]
    assert _run("etc/hosts.equiv", "gw.example\n") == []
    assert _run("etc/ld.so.preload", "/usr/lib/libtrace.so\n") == [("trust.ld-preload", 1, "high")]
    assert _run("etc/ld.so.preload", "# nothing\n") == []
