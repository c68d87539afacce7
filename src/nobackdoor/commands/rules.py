"""``nobackdoor rules``: every rule with its category, severity and requirement clauses."""
from __future__ import annotations

import argparse
import json

from ..ruleset import all_rules, requirements
from ._common import write_output


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rules", help="list the detection rules with their categories and requirement clauses",
                       description="List every rule of the rule pack: id, category, severity, title, the requirement "
                                   "clauses it maps to and the analyzers that report it.")
    p.add_argument("--format", default="text", choices=["text", "json"], help="output format (default text)")
    p.add_argument("--category", help="only rules of this category")
    p.add_argument("--requirement", metavar="ID", help="only rules mapping to this requirement id")
    p.add_argument("-o", "--output", help="write to FILE instead of stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..report.compliance import analyzer_coverage

    reqs = requirements()
    coverage = analyzer_coverage()
    rules = [r for r in all_rules().values()
             if (not args.category or r.category == args.category)
             and (not args.requirement or args.requirement in r.requirements)]
    rules.sort(key=lambda r: (r.category, r.id))
    if args.format == "json":
        doc = [{"id": r.id, "category": r.category, "severity": r.severity.value, "title": r.title,
                "description": r.description, "analyzers": coverage.get(r.id, []),
                "requirements": [{"id": q, "clause": reqs[q].clause, "title": reqs[q].title,
                                  "source": reqs[q].source} for q in r.requirements if q in reqs]}
               for r in rules]
        write_output(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", args.output)
        return 0
    lines = []
    for r in rules:
        lines.append(f"{r.id}  [{r.category}, {r.severity.value}]  {r.title}")
        checked = ", ".join(coverage.get(r.id, [])) or "no scan analyzer (only a later stage or another command reports it)"
        lines.append(f"    reported by: {checked}")
        for q in r.requirements:
            req = reqs.get(q)
            lines.append(f"    {q:<28} {req.clause + ' ' + req.title if req else ''}"[:160])
    lines.append(f"\n{len(rules)} rules, {len({q for r in rules for q in r.requirements})} requirement clauses mapped, "
                 f"{len(reqs)} in the catalogue")
    write_output("\n".join(lines) + "\n", args.output)
    return 0
