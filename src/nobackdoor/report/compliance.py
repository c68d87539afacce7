"""The requirement compliance matrix: every clause of ``rules/requirements.yaml`` with what this
scan can honestly say about it.

Three states, never "passed":

* ``violated`` -- at least one finding maps to the clause;
* ``no violation found`` -- a rule mapping to the clause ran over the target and reported nothing;
* ``not checked`` -- no rule of this tool that maps to the clause ran.

Which rules ran is derived from the analyzer registry, plus the rules that produced findings, plus
any list a later stage adds to ``result.extra["rules_run"]``. An analyzer covers the rules named by its optional ``rules``
attribute (full ids, or area prefixes ending in ``.``), else the rules whose id starts with its
``name`` or one of its module path's parts below ``analyzers`` followed by a dot (``accounts``
covers ``accounts.*``, ``analyzers/binary/x.py`` covers ``binary.*``). A rule that no
analyzer covers, or whose analyzer failed outright, did not run. An analyzer also covers every rule
whose id its module (or its subpackage) writes as a string literal, as in ``rule("accounts.x")``.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

from ..models import Finding, ScanResult, Severity
from ..ruleset import Requirement, Rule, all_rules, requirements

VIOLATED = "violated"
NO_VIOLATION = "no violation found"
NOT_CHECKED = "not checked"
STATES = (VIOLATED, NO_VIOLATION, NOT_CHECKED)


@dataclass
class ClauseStatus:
    requirement: Requirement
    status: str
    findings: list[Finding] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)  # rules of this tool mapping to the clause
    rules_run: list[str] = field(default_factory=list)

    @property
    def worst(self) -> Severity | None:
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=lambda s: s.rank)


def analyzer_coverage() -> dict[str, list[str]]:
    """rule id -> names of the analyzers that can report it (from the current registry)."""
    from ..analyzers import _discover

    rules = all_rules()
    out: dict[str, list[str]] = {rid: [] for rid in rules}
    try:
        file_classes, tree_classes = _discover()
    except Exception:  # a broken analyzer module: claim nothing rather than fail the report
        return out
    for cls in (*file_classes, *tree_classes):
        declared = tuple(getattr(cls, "rules", ()) or ())
        if declared:
            patterns = declared
        else:
            # analyzers/binary/magic.py -> "binary." and "magic."
            inner = cls.__module__.split(".analyzers.", 1)[-1].split(".")
            patterns = tuple({f"{cls.name}.", *(f"{part}." for part in inner)})
        named = _rule_ids_in_source(cls.__module__)
        for rid in rules:
            if rid in named or any(rid == p or (p.endswith(".") and rid.startswith(p)) for p in patterns):
                out[rid].append(cls.name)
    return out


@functools.cache
def _rule_ids_in_source(module_name: str) -> frozenset[str]:
    """Rule ids written as string literals in an analyzer's module (its whole subpackage when it
    lives in one): analyzers name the rules they report as ``rule("area.name")``."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec(module_name)
    if spec is None or not spec.origin:
        return frozenset()
    origin = Path(spec.origin)
    nested = module_name.count(".") > 2  # nobackdoor.analyzers.<package>.<module>
    files = sorted(origin.parent.rglob("*.py")) if nested else [origin]
    text = ""
    for f in files:
        try:
            text += f.read_text("utf-8", errors="replace")
        except OSError:
            continue
    return frozenset(rid for rid in all_rules() if f'"{rid}"' in text or f"'{rid}'" in text)


def rules_run(result: ScanResult) -> set[str]:
    """Rules that ran over this target (see the module docstring)."""
    failed = {
        e.message.split(" ", 2)[1]
        for e in result.errors
        if not e.path and e.message.startswith("analyzer ") and " failed" in e.message
    }
    ran = set()
    for rid, analyzers in analyzer_coverage().items():
        if any(a not in failed for a in analyzers):
            ran.add(rid)
    # a rule that produced a finding certainly ran, whatever the registry says; stages outside
    # the analyzers (declaration, diff, ...) list the rules they ran in result.extra["rules_run"]
    ran.update(f.rule for f in result.findings)
    explicit = result.extra.get("rules_run")
    if isinstance(explicit, list):
        ran.update(str(r) for r in explicit)
    return ran


def matrix(result: ScanResult) -> list[ClauseStatus]:
    """One row per clause of the catalogue, in catalogue order."""
    rules: dict[str, Rule] = all_rules()
    ran = rules_run(result)
    by_clause: dict[str, list[Finding]] = {}
    for f in result.findings:
        for req in f.requirements:
            by_clause.setdefault(req, []).append(f)
    rows = []
    for rid, req in requirements().items():
        mapping = sorted(r.id for r in rules.values() if rid in r.requirements)
        mapping_run = [r for r in mapping if r in ran]
        hits = by_clause.get(rid, [])
        if hits:
            status = VIOLATED
        elif mapping_run:
            status = NO_VIOLATION
        else:
            status = NOT_CHECKED
        rows.append(ClauseStatus(req, status, hits, mapping, mapping_run))
    return rows


def summary(rows: list[ClauseStatus]) -> dict[str, int]:
    return {state: sum(1 for r in rows if r.status == state) for state in STATES}


def document_name(req: Requirement) -> str:
    """Short name of the document a clause comes from ('3GPP TS 33.117 V16.8.0')."""
    text = req.source
    for sep in (";", ",", "("):
        text = text.split(sep, 1)[0]
    return text.strip() or req.id.split("-", 1)[0]
