"""``--format sarif``: SARIF 2.1.0 for code-scanning and ticket tools.

Follows the conventions GitHub code scanning reads: every rule of the pack in
``tool.driver.rules`` with short/full descriptions, ``help`` (text and markdown, from the rule's
description and the requirement clauses it maps to), ``defaultConfiguration.level`` and
``properties.security-severity``; results with ``level``, one physical location and
``partialFingerprints`` (from :attr:`Finding.fingerprint`, which survives a new firmware version).

Files inside unpacked images are nested artifacts: ``run.artifacts`` holds the target, each
container on the way down (``parentIndex`` points at the enclosing one) and the file itself, and
the result's ``artifactLocation.index`` points at the file. The requirement clauses are SARIF
taxonomies (one per source document), referenced from each rule's ``relationships``.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..models import CATEGORIES, Finding, ScanResult, Severity
from ..ruleset import Rule, all_rules, requirements
from ._paths import Chains, basename as _basename, flow_steps
from .compliance import document_name

FORMAT = "sarif"

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "nobackdoorFingerprint/v1"

_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
          Severity.LOW: "note", Severity.INFO: "note"}
# GitHub maps security-severity to its labels: >=9 critical, 7-8.9 high, 4-6.9 medium, 0.1-3.9 low
_SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                      Severity.LOW: "3.0", Severity.INFO: "0.1"}


def render(result: ScanResult, args=None) -> str:
    return json.dumps(to_sarif(result), indent=2, ensure_ascii=False, default=str) + "\n"


def to_sarif(result: ScanResult) -> dict[str, Any]:
    rules = dict(all_rules())
    for f in result.findings:  # a saved result may name rules this version no longer ships
        if f.rule not in rules:
            rules[f.rule] = Rule(f.rule, f.category, f.severity, f.rule, f.message, tuple(f.requirements))
    rule_ids = sorted(rules)
    rule_index = {rid: i for i, rid in enumerate(rule_ids)}
    taxonomies, taxon_ref = _taxonomies()
    artifacts = _Artifacts(result)
    results = [_result(f, rule_index[f.rule], artifacts) for f in result.findings]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "nobackdoor",
                "version": result.tool_version or __version__,
                "semanticVersion": result.tool_version or __version__,
                "informationUri": "https://pypi.org/project/nobackdoor/",
                "rules": [_rule(rules[rid], taxon_ref) for rid in rule_ids],
                "supportedTaxonomies": [{"name": t["name"], "guid": t["guid"]} for t in taxonomies],
            }
        },
        "automationDetails": {"id": f"nobackdoor/{_basename(result.target.path)}/"},
        "invocations": [_invocation(result, artifacts)],
        "taxonomies": taxonomies,
        "artifacts": artifacts.items,
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "target": result.target.to_dict(),
            "compliance": _compliance(result),
            "stats": {k: v for k, v in result.stats.items() if isinstance(v, (int, float, str))},
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


# ------------------------------------------------------------------ rules and requirement taxa


def _rule(rule: Rule, taxon_ref: dict[str, dict[str, Any]]) -> dict[str, Any]:
    reqs = requirements()
    clause_lines = []
    md_lines = []
    for rid in rule.requirements:
        req = reqs.get(rid)
        if req is None:
            clause_lines.append(f"- {rid}")
            md_lines.append(f"- `{rid}`")
            continue
        doc = document_name(req)
        clause_lines.append(f"- {doc} {req.clause}: {req.title}. {req.summary}")
        md_lines.append(f"- **{doc} {req.clause}** — {req.title}. {req.summary}")
    help_text = rule.description
    help_md = f"**{rule.title}**\n\n{rule.description}\n\nCategory: `{rule.category}` — {CATEGORIES.get(rule.category, '')}."
    if clause_lines:
        help_text += "\n\nRequirement clauses this rule checks:\n" + "\n".join(clause_lines)
        help_md += "\n\n**Requirement clauses this rule checks:**\n\n" + "\n".join(md_lines)
    out: dict[str, Any] = {
        "id": rule.id,
        "name": _pascal(rule.id),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description or rule.title},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "tags": ["security", rule.category, *rule.requirements][:20],  # GitHub keeps at most 20
            "precision": "high",
            "problem.severity": _problem_severity(rule.severity),
            "security-severity": _SECURITY_SEVERITY[rule.severity],
            "category": rule.category,
            "severity": rule.severity.value,
            "requirements": list(rule.requirements),
        },
    }
    rels = [taxon_ref[r] for r in rule.requirements if r in taxon_ref]
    if rels:
        out["relationships"] = [{"target": ref, "kinds": ["relevant"]} for ref in rels]
    return out


def _taxonomies() -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """One taxonomy per requirement document; returns them and clause id -> reference."""
    by_doc: dict[str, list] = {}
    for req in requirements().values():
        by_doc.setdefault(document_name(req), []).append(req)
    taxonomies = []
    refs: dict[str, dict[str, Any]] = {}
    for t_index, (doc, reqs) in enumerate(sorted(by_doc.items())):
        taxa = []
        for i, req in enumerate(reqs):
            taxa.append({
                "id": req.id,
                "name": req.clause,
                "shortDescription": {"text": req.title},
                "fullDescription": {"text": req.summary or req.title},
                "properties": {"source": req.source, "confirmed": req.confirmed},
            })
            refs[req.id] = {"id": req.id, "index": i, "toolComponent": {"name": doc, "index": t_index,
                                                                          "guid": _guid(doc)}}
        taxonomies.append({"name": doc, "guid": _guid(doc), "organization": doc.split(" ", 1)[0],
                           "shortDescription": {"text": f"Requirement clauses of {doc}"}, "taxa": taxa})
    return taxonomies, refs


# ------------------------------------------------------------------ artifacts and locations


class _Artifacts:
    """run.artifacts: the target, the containers on each finding's path, and the files."""

    def __init__(self, result: ScanResult) -> None:
        self.items: list[dict[str, Any]] = []
        self._index: dict[str, int] = {}
        self._files = {e.path: e for e in result.files}
        self._chains = Chains(result)
        self._top = self._chains.top
        if self._top:
            self._add(self._top, None, ["analysisTarget"], sha256=result.target.sha256,
                      length=result.target.size)

    def chain(self, path: str) -> list[str]:
        """Containers enclosing ``path``, outermost first."""
        return self._chains.chain(path)

    def index_of(self, path: str) -> int:
        if path in self._index:
            return self._index[path]
        chain = self.chain(path)
        parent = None
        for c in chain:
            if c not in self._index:
                entry = self._files.get(c)
                self._add(c, parent, ["analysisTarget"] if c == self._top else [],
                          sha256=entry.sha256 if entry else None, length=entry.size if entry else None)
            parent = self._index[c]
        entry = self._files.get(path)
        return self._add(path, parent, [], sha256=entry.sha256 if entry else None,
                         length=entry.size if entry else None)

    def _add(self, path: str, parent: int | None, roles: list[str], sha256: str | None = None,
             length: int | None = None) -> int:
        if path in self._index:
            return self._index[path]
        item: dict[str, Any] = {"location": {"uri": _uri(path)}}
        if parent is not None:
            item["parentIndex"] = parent
        if roles:
            item["roles"] = roles
        if length is not None:
            item["length"] = length
        if sha256:
            item["hashes"] = {"sha-256": sha256}
        self.items.append(item)
        self._index[path] = len(self.items) - 1
        return self._index[path]


def _result(f: Finding, rule_index: int, artifacts: _Artifacts) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(f.path), "index": artifacts.index_of(f.path)}}
    # GitHub shows a result only with region.startLine; a binary's finding keeps its byte offset too
    if f.line:
        physical["region"] = {"startLine": f.line}
    elif f.offset is not None:
        physical["region"] = {"startLine": 1, "byteOffset": f.offset}
    else:
        physical["region"] = {"startLine": 1}
    chain = artifacts.chain(f.path)
    location: dict[str, Any] = {"physicalLocation": physical}
    if chain:
        location["message"] = {"text": "inside " + " > ".join(chain)}
    evidence = {k: v for k, v in f.evidence.items() if not k.startswith("_")}
    flow = _code_flow(f, physical["artifactLocation"])
    return {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": _LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {
            "category": f.category,
            "severity": f.severity.value,
            "security-severity": _SECURITY_SEVERITY[f.severity],
            "requirements": list(f.requirements),
            "containerChain": chain,
            "evidence": json.loads(json.dumps(evidence, default=str)),
        },
        **({"codeFlows": [flow]} if flow else {}),
    }


def _code_flow(f: Finding, artifact: dict[str, Any]) -> dict[str, Any] | None:
    """SARIF ``codeFlows`` entry from a finding's ``evidence.path`` (a list of {line, code}: the
    steps from the input to the sink, in one file)."""
    path = flow_steps(f)
    if not path:
        return None
    locations = [{"location": {"physicalLocation": {"artifactLocation": dict(artifact),
                                                    "region": {"startLine": s["line"],
                                                               "snippet": {"text": str(s["code"])}}},
                               "message": {"text": str(s["code"])}},
                  "nestingLevel": 0, "executionOrder": i}
                 for i, s in enumerate(path)]
    return {"message": {"text": "input to sink"}, "threadFlows": [{"locations": locations}]}


def _invocation(result: ScanResult, artifacts: _Artifacts) -> dict[str, Any]:
    notes = []
    for e in result.errors:
        note: dict[str, Any] = {"message": {"text": e.message},
                                "level": "error" if e.message.startswith("analyzer ") else "warning"}
        if e.path:
            note["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": _uri(e.path)}}}]
        notes.append(note)
    return {"executionSuccessful": True, "toolExecutionNotifications": notes}


def _compliance(result: ScanResult) -> dict[str, list[str]]:
    """Requirement clause ids by state (see report/compliance.py; nothing is ever "passed")."""
    from . import compliance

    rows = compliance.matrix(result)
    return {state: [r.requirement.id for r in rows if r.status == state] for state in compliance.STATES}


# ------------------------------------------------------------------ small helpers


def _uri(path: str) -> str:
    # a relative reference: percent-encode what is not allowed in a path; a ':' in the first
    # segment would read as a scheme, so it is encoded everywhere
    return quote(path.lstrip("/"), safe="/@!$&'()*+,;=-._~")


def _pascal(rule_id: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in rule_id.replace(".", "-").split("-") if part)


def _problem_severity(sev: Severity) -> str:
    return {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning"}.get(sev, "recommendation")


def _guid(name: str) -> str:
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"nobackdoor:requirements:{name}"))
