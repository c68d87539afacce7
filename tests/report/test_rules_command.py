"""``nobackdoor rules``: every rule with its category, severity and requirements."""
from __future__ import annotations

import json

from nobackdoor.cli import main
from nobackdoor.models import CATEGORIES
from nobackdoor.ruleset import all_rules, requirements


def test_rules_json_lists_every_rule(capsys):
    assert main(["rules", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in doc} == set(all_rules())
    for r in doc:
        assert r["category"] in CATEGORIES
        assert r["severity"] in ("critical", "high", "medium", "low", "info")
        assert {q["id"] for q in r["requirements"]} == set(all_rules()[r["id"]].requirements)
        assert all(q["id"] in requirements() for q in r["requirements"])
    accounts = next(r for r in doc if r["id"] == "accounts.empty-password")
    assert accounts["analyzers"] == ["accounts"]


def test_rules_text_and_filters(capsys):
    assert main(["rules", "--category", "account"]) == 0
    out = capsys.readouterr().out
    assert "accounts.uid0-alias  [account, critical]" in out
    assert "3gpp-33117-4.2.3.4.2.2" in out
    assert main(["rules", "--requirement", "uk-psti-sch1-para1", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc and all("uk-psti-sch1-para1" in {q["id"] for q in r["requirements"]} for r in doc)
