"""``nobackdoor triage``: list a version's findings with their decisions, accept or confirm findings.

A decision is made on one version and carries to later versions of the same product for as long as
the finding keeps its identity (rule, path inside the filesystem, evidence)."""
from __future__ import annotations

import argparse
import getpass
import json
import sys

from ..models import Severity
from ._record import add_db_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("triage", help="review findings recorded in the scan store (list, accept, confirm)",
                       description="Review the findings of a recorded version. Decisions carry to later versions.")
    tsub = p.add_subparsers(dest="triage_command", metavar="ACTION", parser_class=type(p))
    tsub.required = True

    lp = tsub.add_parser("list", help="findings of a version with the decision that applies to each")
    lp.add_argument("product")
    lp.add_argument("--version", dest="product_version", metavar="VERSION", help="default: the latest version")
    lp.add_argument("--status", choices=("untriaged", "accepted", "confirmed", "carried"), help="only these")
    lp.add_argument("--min-severity", choices=[s.value for s in Severity], default="info")
    lp.add_argument("--format", choices=("text", "json"), default="text")
    add_db_option(lp)
    lp.set_defaults(func=run_list)

    ep = tsub.add_parser("export", help="accepted findings as 'accepted' entries for a declaration (nobackdoor.yml)")
    ep.add_argument("product")
    ep.add_argument("--version", dest="product_version", metavar="VERSION", help="default: the latest version")
    add_db_option(ep)
    ep.set_defaults(func=run_export)

    for action, verb in (("accept", "accepted"), ("confirm", "confirmed")):
        ap = tsub.add_parser(action, help=f"mark a finding {verb}" + (" (justified, not a back door)"
                                                                       if verb == "accepted" else " (a real problem)"))
        ap.add_argument("product")
        ap.add_argument("fingerprint", help="the finding's fingerprint (a unique prefix is enough)")
        ap.add_argument("--version", dest="product_version", metavar="VERSION",
                        help="version the decision is made on (default: the latest)")
        ap.add_argument("--reason", required=True, help="justification, kept with the decision")
        ap.add_argument("--reviewer", default=None, help="who decides (default: the login name)")
        add_db_option(ap)
        ap.set_defaults(func=run_decide, decision=verb)


def run_export(args: argparse.Namespace) -> int:
    """Accepted findings of a version as ``accepted`` entries of a declaration (nobackdoor.yml)."""
    import yaml

    from ..store import Store, StoreError

    try:
        with Store(args.db) as store:
            rows = store.findings(args.product, args.product_version)
    except StoreError as exc:
        print(f"nobackdoor: error: {exc}", file=sys.stderr)
        return 2
    entries = []
    for r in rows:
        if r.status != "accepted":
            continue
        entry = {"fingerprint": r.fingerprint, "reason": r.reason, "reviewer": r.reviewer}
        if r.decided_at:
            entry["date"] = r.decided_at.date().isoformat()
        entries.append(entry)
    header = (f"# accepted findings of {args.product} {args.product_version or '(latest version)'}, "
              "exported from the scan store; paste under 'accepted:' in nobackdoor.yml\n")
    print(header + yaml.safe_dump({"accepted": entries}, sort_keys=False, width=100), end="")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from ..store import Store, StoreError

    try:
        with Store(args.db) as store:
            rows = store.findings(args.product, args.product_version)
    except StoreError as exc:
        print(f"nobackdoor: error: {exc}", file=sys.stderr)
        return 2
    floor = Severity.parse(args.min_severity).rank
    rows = [r for r in rows if Severity.parse(r.severity).rank >= floor]
    if args.status == "carried":
        rows = [r for r in rows if r.carried]
    elif args.status:
        rows = [r for r in rows if r.status == args.status]
    if args.format == "json":
        print(json.dumps([r.to_dict() for r in rows], indent=2))
        return 0
    if not rows:
        print("no findings")
    for r in rows:
        status = r.status
        if r.status != "untriaged":
            status += f" (carried from {r.decided_on})" if r.carried else f" (on {r.decided_on})"
            status += f" by {r.reviewer}: {r.reason}"
        where = f"{r.path}:{r.line}" if r.line else r.path
        print(f"{r.fingerprint[:12]}  {r.severity:<8} {r.rule}  {where}\n    {r.message}\n    {status}")
    return 0


def run_decide(args: argparse.Namespace) -> int:
    from ..store import Store, StoreError

    reviewer = args.reviewer or _login_name()
    try:
        with Store(args.db) as store:
            row = store.decide(args.product, args.fingerprint, args.decision, args.reason, reviewer,
                               args.product_version)
    except StoreError as exc:
        print(f"nobackdoor: error: {exc}", file=sys.stderr)
        return 2
    print(f"{row.fingerprint[:12]} {row.rule} {row.path}: {row.status} on {row.decided_on} by {row.reviewer}")
    return 0


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
