"""Rule metadata: every finding names a rule; rules live in data files, not in code.

``rules/*.rules.yaml`` each hold a list of rules::

    - id: accounts.uid0-alias
      category: account
      severity: critical
      title: Second account with user id 0
      description: Why this matters and what a reviewer should check (SARIF help text).
      requirements: [3gpp-33117-4.2.3.4.2.2, in-itsar-2.3.4]

Requirement ids must exist in ``rules/requirements.yaml`` (a copy of the project catalogue).
Analyzers build findings through :func:`rule` so category and requirement mapping stay in one place.
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from .models import CATEGORIES, Finding, Severity

RULES_PACKAGE = "nobackdoor.rules"
#: libyaml's safe loader when present: the pure-Python one takes about half a second for the rule files
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Requirement:
    id: str
    source: str
    clause: str
    title: str
    summary: str
    categories: tuple[str, ...]
    confirmed: bool = True


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: Severity
    title: str
    description: str
    requirements: tuple[str, ...] = field(default_factory=tuple)

    def finding(
        self,
        path: str,
        message: str,
        *,
        line: int | None = None,
        offset: int | None = None,
        evidence: dict[str, Any] | None = None,
        severity: Severity | str | None = None,
        category: str | None = None,
    ) -> Finding:
        return Finding(
            rule=self.id,
            category=category or self.category,
            severity=Severity.parse(severity) if severity else self.severity,
            path=path,
            message=message,
            line=line,
            offset=offset,
            evidence=dict(evidence or {}),
            requirements=list(self.requirements),
        )


class RuleError(Exception):
    pass


def _rule_files() -> list[Any]:
    root = resources.files(RULES_PACKAGE)
    return sorted((p for p in root.iterdir() if p.name.endswith(".rules.yaml")), key=lambda p: p.name)


@functools.cache
def requirements() -> dict[str, Requirement]:
    raw = yaml.load(resources.files(RULES_PACKAGE).joinpath("requirements.yaml").read_text("utf-8"), Loader=_LOADER)
    out = {}
    for item in raw:
        out[item["id"]] = Requirement(
            id=item["id"],
            source=item.get("source", ""),
            clause=str(item.get("clause", "")),
            title=item.get("title", ""),
            summary=" ".join(str(item.get("summary", "")).split()),
            categories=tuple(item.get("categories") or ()),
            confirmed=item.get("confirmed", True) is not False,
        )
    return out


@functools.cache
def all_rules() -> dict[str, Rule]:
    reqs = requirements()
    out: dict[str, Rule] = {}
    for path in _rule_files():
        for item in yaml.load(path.read_text("utf-8"), Loader=_LOADER) or []:
            rid = item["id"]
            if rid in out:
                raise RuleError(f"rule {rid} defined twice ({path.name})")
            if item["category"] not in CATEGORIES:
                raise RuleError(f"rule {rid}: unknown category {item['category']!r}")
            unknown = [r for r in item.get("requirements") or [] if r not in reqs]
            if unknown:
                raise RuleError(f"rule {rid}: unknown requirement ids {unknown}")
            out[rid] = Rule(
                id=rid,
                category=item["category"],
                severity=Severity.parse(item.get("severity", "medium")),
                title=item.get("title", rid),
                description=" ".join(str(item.get("description", "")).split()),
                requirements=tuple(item.get("requirements") or ()),
            )
    return out


def rule(rule_id: str) -> Rule:
    try:
        return all_rules()[rule_id]
    except KeyError:
        raise RuleError(f"rule {rule_id!r} is not defined in any rules/*.rules.yaml") from None


@functools.cache
def rulepack_digest() -> str:
    """sha256 over every shipped data file that drives detection (for attestations)."""
    h = hashlib.sha256()
    root = resources.files(RULES_PACKAGE)

    def walk(node: Any, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda p: p.name):
            name = f"{prefix}{child.name}"
            if child.is_dir():
                if child.name != "__pycache__":
                    walk(child, name + "/")
            elif not child.name.endswith((".py", ".pyc")):
                h.update(name.encode() + b"\0" + child.read_bytes() + b"\0")

    walk(root, "")
    return h.hexdigest()
