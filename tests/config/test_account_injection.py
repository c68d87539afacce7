"""Accounts, passwords and SSH keys put in place by scripts at run time (analyzers/account_injection.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from nobackdoor.pipeline import PipelineOptions, scan

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFq8m2RkT0pW3vY7c1nQ4xZ9bD6eH5jK2lM8oP0rS4tU"


def _rootfs(tmp_path: Path, rcs: str, extra: dict[str, str] | None = None) -> Path:
    root = tmp_path / "rootfs"
    for rel, text in {"etc/passwd": "root:x:0:0:root:/root:/bin/sh\n", "etc/shadow": "root:*:19000:0:99999:7:::\n",
                      "etc/inittab": "::sysinit:/etc/init.d/rcS\n", "bin/busybox": "", "etc/init.d/rcS": rcs,
                      **(extra or {})}.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    (root / "etc/init.d/rcS").chmod(0o755)
    return root


def _hits(root: Path) -> list[tuple[str, int, str]]:
    res = scan(root, PipelineOptions(jobs=1))
    return sorted((f.rule, f.line or 0, f.severity.value) for f in res.findings if f.rule.startswith("accounts.runtime"))


@pytest.mark.parametrize("line,rule_id", [
    ("echo 'opsx::0:0::/root:/bin/sh' >> /etc/passwd", "accounts.runtime-injected"),
    ("printf '%s\\n' 'svc2:x:0:0::/root:/bin/ash' >> /etc/passwd", "accounts.runtime-injected"),
    ("cat >> /etc/shadow <<EOF\nsupport:$1$Qx9$u2f8e1W0aKp3Tn7sdq1mF0:19000:0:99999:7:::\nEOF", "accounts.runtime-injected"),
    ("echo 'root:Fixed#Pass5' | chpasswd", "accounts.runtime-password"),
    ("passwd -d root", "accounts.runtime-password"),
    ("sed -i 's/^root:[^:]*:/root::/' /etc/shadow", "accounts.runtime-password"),
    ("adduser -D -u 0 -s /bin/sh helper", "accounts.runtime-injected"),
    (f"echo '{KEY} field@vendor.example' >> /root/.ssh/authorized_keys", "accounts.runtime-authorized-key"),
    ("cp /usr/share/keys/svc.pub /root/.ssh/authorized_keys", "accounts.runtime-authorized-key"),
])
def test_boot_script_injection_is_critical(tmp_path, line, rule_id):
    hits = _hits(_rootfs(tmp_path, "#!/bin/sh\nmount -t proc proc /proc\n" + line + "\n"))
    assert [(r, s) for r, _, s in hits] == [(rule_id, "critical")], hits


def test_script_without_a_boot_path_is_high(tmp_path):
    root = _rootfs(tmp_path, "#!/bin/sh\ntrue\n", {"usr/sbin/fixup.sh": "#!/bin/sh\npasswd -d root\n"})
    (root / "usr/sbin/fixup.sh").chmod(0o755)
    assert [(r, s) for r, _, s in _hits(root)] == [("accounts.runtime-password", "high")]


@pytest.mark.parametrize("line", [
    "echo 'nobody:x:65534:65534:nobody:/var:/bin/false' >> /etc/passwd",
    "echo \"root:$ROOT_PW\" | chpasswd",
    "usermod -p \"$HASH\" admin",
    "sed -i \"s/^root:[^:]*:/root:$HASH:/\" /etc/shadow",
    "grep -q '^root:' /etc/passwd || exit 1",
    "cat /etc/dropbear/authorized_keys > /dev/null",
])
def test_ordinary_account_handling_is_quiet(tmp_path, line):
    assert _hits(_rootfs(tmp_path, "#!/bin/sh\n" + line + "\n")) == []
