"""SARIF output: valid against the official 2.1.0 schema, with GitHub code-scanning conventions."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from nobackdoor.models import Finding, ScanResult, Target
from nobackdoor.report import render
from nobackdoor.report.sarif import FINGERPRINT_KEY
from nobackdoor.ruleset import all_rules, requirements

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text())


def validate(doc: dict) -> None:
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message[:300]}" for e in errors[:10])


def test_sample_result_is_valid_sarif(result):
    doc = json.loads(render("sarif", result))
    validate(doc)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    assert len(run["results"]) == len(result.findings)


def test_empty_result_is_valid_sarif():
    doc = json.loads(render("sarif", ScanResult(Target("dir", "00" * 32, 0, "rootfs"), tool_version="0.1.0")))
    validate(doc)
    assert doc["runs"][0]["results"] == []


def test_schema_rejects_a_broken_document(result):
    # the validation above can fail: a result without a message is not SARIF
    doc = json.loads(render("sarif", result))
    del doc["runs"][0]["results"][0]["message"]
    with pytest.raises(AssertionError):
        validate(doc)


def test_rule_metadata_has_help_from_description_and_requirements(result):
    run = json.loads(render("sarif", result))["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(all_rules()) <= set(rules)
    r = rules["accounts.empty-password"]
    meta = all_rules()["accounts.empty-password"]
    assert r["shortDescription"]["text"] == meta.title
    assert meta.description in r["help"]["text"]
    for req_id in meta.requirements:
        assert requirements()[req_id].title in r["help"]["text"]
        assert requirements()[req_id].title in r["help"]["markdown"]
    assert r["defaultConfiguration"]["level"] == "error"
    assert float(r["properties"]["security-severity"]) >= 9.0
    assert "security" in r["properties"]["tags"]
    # requirement clauses are taxa the rule points at
    taxa = {t["id"] for tax in run["taxonomies"] for t in tax["taxa"]}
    assert {rel["target"]["id"] for rel in r["relationships"]} == set(meta.requirements) <= taxa


def test_results_levels_locations_and_fingerprints(result):
    run = json.loads(render("sarif", result))["runs"][0]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    levels = {f.rule: f.severity.value for f in result.findings}
    expect = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
    for rid, res in by_rule.items():
        assert res["level"] == expect[levels[rid]]
        assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == rid
    for f in result.findings:
        res = by_rule[f.rule]
        assert res["partialFingerprints"][FINGERPRINT_KEY] == f.fingerprint
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].endswith(f.path.rsplit("/", 1)[-1])
    shadow = by_rule["accounts.empty-password"]["locations"][0]["physicalLocation"]
    assert shadow["region"] == {"startLine": 2}
    mgmtd = by_rule["test.magic-header"]["locations"][0]["physicalLocation"]
    assert mgmtd["region"] == {"startLine": 1, "byteOffset": 0x1A2C0}
    # GitHub code scanning needs region.startLine on every result
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in run["results"])


def test_locations_carry_the_container_chain(result):
    run = json.loads(render("sarif", result))["runs"][0]
    res = next(r for r in run["results"] if r["ruleId"] == "accounts.empty-password")
    assert res["properties"]["containerChain"] == [
        "gw7-fw.bin", "gw7-fw.bin/uimage@0x40", "gw7-fw.bin/uimage@0x40/squashfs@0x1000"]
    # nested artifacts: file -> squashfs -> uimage -> firmware image
    arts = run["artifacts"]
    i = res["locations"][0]["physicalLocation"]["artifactLocation"]["index"]
    chain = []
    while i is not None:
        chain.append(arts[i]["location"]["uri"])
        i = arts[i].get("parentIndex")
    assert chain == ["gw7-fw.bin/uimage@0x40/squashfs@0x1000/etc/shadow", "gw7-fw.bin/uimage@0x40/squashfs@0x1000",
                     "gw7-fw.bin/uimage@0x40", "gw7-fw.bin"]
    assert arts[0]["roles"] == ["analysisTarget"]


def test_hostile_strings_stay_data():
    r = ScanResult(Target("t", "00" * 32, 1, "rootfs"), tool_version="0.1.0")
    r.findings = [Finding("accounts.uid0-alias", "account", "critical", "etc/pass wd#x:y",
                          "user '\"};<b>\u202e", line=1, evidence={"user": "\x00\x1b[31m"})]
    doc = json.loads(render("sarif", r))
    validate(doc)
    res = doc["runs"][0]["results"][0]
    assert res["message"]["text"] == "user '\"};<b>\u202e"
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "etc/pass%20wd%23x%3Ay"


def test_a_taint_path_becomes_a_code_flow():
    r = ScanResult(Target("t", "00" * 32, 1, "source"), tool_version="0.1.0")
    path = [{"line": 3, "code": "$c = $_GET['c']"}, {"line": 7, "code": "passthru($c)"}]
    r.findings = [Finding("source.request-executed", "hidden-command", "critical", "www/a.php", "runs input",
                          line=7, evidence={"path": path}),
                  Finding("source.request-executed", "hidden-command", "high", "www/b.php", "runs input", line=2,
                          evidence={"path": "not a list of steps"})]
    doc = json.loads(render("sarif", r))
    validate(doc)
    with_flow, without = doc["runs"][0]["results"]
    steps = with_flow["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["physicalLocation"]["region"]["startLine"] for s in steps] == [3, 7]
    assert steps[1]["location"]["message"]["text"] == "passthru($c)"
    assert "codeFlows" not in without
