"""The command line and JSON document of CONTRACT.md, end to end on the shipped demo firmware."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from nobackdoor.ruleset import requirements

from .conftest import DEMO_FIRMWARE, run_cli

SCHEMA = json.loads((Path(__file__).parent / "contract_schema.json").read_text())


@pytest.fixture(scope="module")
def demo_scan():
    proc = run_cli("scan", str(DEMO_FIRMWARE), "--format", "json")
    return proc, json.loads(proc.stdout)


def test_json_document_is_contract_valid(demo_scan):
    proc, doc = demo_scan
    jsonschema.validate(doc, SCHEMA)
    assert doc["target"]["kind"] == "firmware"
    assert doc["stats"]["files"] > 20


def test_json_mode_writes_only_json_to_stdout(demo_scan):
    proc, _ = demo_scan
    assert proc.stdout.lstrip().startswith("{") and proc.stdout.rstrip().endswith("}")
    assert proc.stderr == ""  # not a terminal and no -v: silent


def test_findings_carry_container_chain_and_known_requirements(demo_scan):
    _, doc = demo_scan
    known = set(requirements())
    assert doc["findings"], "the demo firmware has planted back doors"
    for f in doc["findings"]:
        assert f["path"].startswith("demo-router-fw.bin/")
        assert set(f["requirements"]) <= known
    uid0 = [f for f in doc["findings"] if f["rule"] == "accounts.uid0-alias"]
    assert uid0 and uid0[0]["path"].endswith("/etc/passwd") and uid0[0]["severity"] == "critical"


def test_exit_status_follows_fail_on(demo_scan):
    proc, doc = demo_scan
    assert proc.returncode == 1  # critical findings, default --fail-on high
    severities = {f["severity"] for f in doc["findings"]}
    assert "critical" in severities


def test_missing_target_exits_2(tmp_path):
    proc = run_cli("scan", str(tmp_path / "absent.bin"), "--format", "json")
    assert proc.returncode == 2
    assert "no such file" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_usage_exits_2():
    proc = run_cli("scan", "--format", "nonsense", "x")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_clean_directory_exits_0_and_output_file(tmp_path):
    root = tmp_path / "rootfs"
    (root / "etc").mkdir(parents=True)
    (root / "bin").mkdir()
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n")
    (root / "etc" / "shadow").write_text("root:!:19000::::::\nnobody:*:19000::::::\n")
    out = tmp_path / "report.json"
    proc = run_cli("scan", str(root), "--format", "json", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, SCHEMA)
    assert doc["target"]["kind"] == "rootfs"
    assert [f for f in doc["findings"] if f["severity"] in ("high", "critical")] == []


def test_text_report_groups_by_severity():
    proc = run_cli("scan", str(DEMO_FIRMWARE), "--format", "text")
    assert proc.returncode == 1
    assert "CRITICAL" in proc.stdout
    assert "etc/passwd" in proc.stdout


def test_verbose_json_logs_progress_to_stderr_only():
    proc = run_cli("scan", str(DEMO_FIRMWARE), "--format", "json", "-v")
    json.loads(proc.stdout)  # stdout stays a single JSON document
    lines = proc.stderr.splitlines()
    assert any("unpacking demo-router-fw.bin" in ln for ln in lines)
    assert any("analysing" in ln for ln in lines)
