"""The compliance matrix: violated / no violation found / not checked, never passed."""
from __future__ import annotations

from nobackdoor.models import ScanError, ScanResult, Target
from nobackdoor.report import compliance
from nobackdoor.ruleset import all_rules, requirements


def _empty() -> ScanResult:
    return ScanResult(Target("rootfs", "00" * 32, 0, "rootfs"), tool_version="0.1.0")


def test_every_clause_once_in_catalogue_order(result):
    rows = compliance.matrix(result)
    assert [r.requirement.id for r in rows] == list(requirements())
    assert {r.status for r in rows} <= set(compliance.STATES)


def test_violated_when_a_finding_maps_to_the_clause(result):
    rows = {r.requirement.id: r for r in compliance.matrix(result)}
    for f in result.findings:
        for req in f.requirements:
            assert rows[req].status == compliance.VIOLATED
            assert f in rows[req].findings


def test_no_violation_found_needs_a_rule_that_ran():
    result = _empty()
    ran = compliance.rules_run(result)
    assert "accounts.empty-password" in ran  # the accounts analyzer is registered and did not fail
    for row in compliance.matrix(result):
        if row.status == compliance.NO_VIOLATION:
            assert row.rules_run and set(row.rules_run) <= ran
        elif row.status == compliance.NOT_CHECKED:
            assert not (set(row.rules) & ran)
        else:
            raise AssertionError("a result without findings violates nothing")
    clause = all_rules()["accounts.empty-password"].requirements[0]
    assert {r.requirement.id: r.status for r in compliance.matrix(result)}[clause] == compliance.NO_VIOLATION


def test_a_failed_analyzer_did_not_check_anything():
    result = _empty()
    result.errors.append(ScanError("", "analyzer accounts failed: ValueError: boom"))
    assert "accounts.empty-password" not in compliance.rules_run(result)
    assert "accounts.uid0-alias" not in compliance.rules_run(result)


def test_clause_without_any_rule_is_not_checked():
    mapped = {q for r in all_rules().values() for q in r.requirements}
    unmapped = [q for q in requirements() if q not in mapped]
    rows = {r.requirement.id: r for r in compliance.matrix(_empty())}
    for q in unmapped:
        assert rows[q].status == compliance.NOT_CHECKED


def test_stages_outside_analyzers_can_declare_rules_they_ran():
    result = _empty()
    rid = next(iter(all_rules()))
    result.extra["rules_run"] = [rid]
    assert rid in compliance.rules_run(result)


def test_rules_named_in_an_analyzer_module_are_covered_by_it():
    named = compliance._rule_ids_in_source("nobackdoor.analyzers.accounts")
    assert {"accounts.uid0-alias", "accounts.empty-password"} <= named
    coverage = compliance.analyzer_coverage()
    assert "accounts" in coverage["accounts.uid0-alias"]
