"""Every configuration rule is declared with requirement ids and exercised by a test in this directory."""
from __future__ import annotations

from pathlib import Path

import yaml
from importlib import resources

from nobackdoor.ruleset import all_rules, requirements

RULE_FILES = ("accounts", "services", "secrets", "phonehome", "obfuscation", "boot", "account_injection", "snmp", "pam",
              "trust")


def _rule_ids() -> list[str]:
    out = []
    for name in RULE_FILES:
        text = resources.files("nobackdoor.rules").joinpath(f"{name}.rules.yaml").read_text("utf-8")
        out.extend(item["id"] for item in yaml.safe_load(text))
    return out


def test_every_rule_has_requirements_and_a_test():
    tests = "".join(p.read_text() for p in Path(__file__).parent.glob("test_*.py") if p.name != Path(__file__).name)
    rules = all_rules()
    reqs = requirements()
    for rid in _rule_ids():
        assert rules[rid].requirements and all(r in reqs for r in rules[rid].requirements), rid
        assert f'"{rid}"' in tests, f"no test names rule {rid}"
