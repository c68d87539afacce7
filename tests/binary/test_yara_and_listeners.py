"""Known back doors by signature (shipped pack and --rules files) and unexplained listeners."""
from __future__ import annotations

from pathlib import Path

from nobackdoor.analyzers.base import ScanOptions, Tree, TreeContext
from nobackdoor.analyzers.binary.listeners import UnexplainedListeners
from nobackdoor.analyzers.binary.yara import YaraAnalyzer, compile_rules
from nobackdoor.inventory import read_entry
from nobackdoor.models import Finding, Observation, ScanError

from .conftest import FIXTURES

BIN = FIXTURES / "bin"


def _scan(path: Path, options: ScanOptions | None = None):
    entry, data = read_entry(path, path.name, path.name, "")
    analyzer = YaraAnalyzer(options)
    if not analyzer.wants(entry):
        return []
    return list(analyzer.analyze(entry, data))


def test_pack_compiles_and_every_rule_names_its_source():
    rules, errors = compile_rules(())
    assert not errors
    text = "".join(p.read_text() for p in (Path(__file__).resolve().parents[2] / "src/nobackdoor/rules/yara").glob("*.yar"))
    assert text.count("rule ") == text.count("source = ")


def test_documented_backdoor_string_in_a_binary(tmp_path):
    # a clean fixture with the D-Link back-door User-Agent (CVE-2013-6027) appended to it
    target = tmp_path / "httpd"
    target.write_bytes((BIN / "httplite-clean-mipsel").read_bytes() + b"\0xmlset_roodkcableoj28840ybtide\0")
    results = _scan(target)
    hits = [r for r in results if isinstance(r, Finding)]
    assert [(f.rule, f.category, f.severity.value) for f in hits] == [("binary.known-backdoor", "known-backdoor", "critical")]
    assert "devttys0" in hits[0].evidence["source"]
    assert hits[0].offset == target.stat().st_size - len("xmlset_roodkcableoj28840ybtide") - 1


def test_clean_fixtures_match_nothing():
    for path in sorted(BIN.iterdir()) + sorted((FIXTURES / "debian").iterdir()):
        assert not [r for r in _scan(path) if isinstance(r, Finding)], path.name


def test_user_rule_file(tmp_path):
    rules = tmp_path / "mine.yar"
    rules.write_text('rule ctrl_debug_prefix { meta: severity = "medium" strings: $a = "XDBG#" condition: $a }')
    results = _scan(BIN / "ctrlsrv-prefix-armel", ScanOptions(extra_rules=(str(rules),)))
    hits = [r for r in results if isinstance(r, Finding)]
    assert [(f.rule, f.severity.value, f.evidence["signature"]) for f in hits] == [
        ("binary.user-signature", "medium", "ctrl_debug_prefix")]
    assert not [r for r in _scan(BIN / "ctrlsrv-clean-armel", ScanOptions(extra_rules=(str(rules),)))
                if isinstance(r, Finding)]


def test_broken_user_rule_file_is_an_error_not_a_crash(tmp_path):
    rules = tmp_path / "broken.yar"
    rules.write_text("rule broken { condition: $missing }")
    results = _scan(BIN / "ctrlsrv-clean-armel", ScanOptions(extra_rules=(str(rules), str(tmp_path / "absent.yar"))))
    errors = [r.message for r in results if isinstance(r, ScanError)]
    assert len(errors) == 2 and "does not compile" in errors[0] and "cannot read" in errors[1]


def _ctx(services):
    tree = Tree(root="fw.bin/squashfs-root", files={}, dirs={"etc", "bin", "usr"})
    for rel in ("etc/inittab", "usr/sbin/ctrlsrv", "usr/sbin/httplite"):
        tree.files[rel] = None
    observations = [
        Observation("listener", "fw.bin/squashfs-root/usr/sbin/ctrlsrv",
                    {"port": 31999, "protocol": "udp", "program_path": "usr/sbin/ctrlsrv", "source": "binary"}),
        Observation("listener", "fw.bin/squashfs-root/usr/sbin/httplite",
                    {"port": 8181, "protocol": "tcp", "program_path": "usr/sbin/httplite", "source": "binary"}),
    ] + services
    return TreeContext(trees=[tree], observations=observations, findings=[], options=ScanOptions())


def test_listener_without_boot_service_is_remote_access():
    started = Observation("service", "fw.bin/squashfs-root/etc/init.d/rcS",
                          {"program": "httplite", "program_path": "usr/sbin/httplite", "trigger": "boot"})
    findings = list(UnexplainedListeners().analyze(_ctx([started])))
    assert [(f.rule, f.category, f.severity.value, f.path, f.evidence["port"]) for f in findings] == [
        ("binary.unexplained-listener", "remote-access", "medium", "fw.bin/squashfs-root/usr/sbin/ctrlsrv", 31999)]
