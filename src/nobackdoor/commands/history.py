"""``nobackdoor history PRODUCT``: the recorded versions of a product and how their findings evolved."""
from __future__ import annotations

import argparse
import json
import sys

from ._record import add_db_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("history", help="versions of a product recorded in the scan store, with finding trends",
                       description="List the recorded versions of PRODUCT: findings by severity, what each version "
                                   "added and resolved, and how many findings are accepted, confirmed (by a "
                                   "decision on that version or carried from an earlier one) or untriaged.")
    p.add_argument("product", nargs="?", help="product name (omit to list the products)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_db_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..store import Store, StoreError

    try:
        with Store(args.db) as store:
            if not args.product:
                names = store.products()
                print(json.dumps(names, indent=2) if args.format == "json" else "\n".join(names) or "(no products)")
                return 0
            rows = store.history(args.product)
    except StoreError as exc:
        print(f"nobackdoor: error: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps({"product": args.product, "versions": [r.to_dict() for r in rows]}, indent=2))
        return 0
    print(f"{args.product}: {len(rows)} version(s)")
    header = f"{'version':<16} {'recorded':<17} {'crit':>4} {'high':>4} {'med':>4} {'low':>4} {'info':>4} " \
             f"{'new':>4} {'gone':>4} {'acc':>4} {'conf':>4} {'carried':>7} {'open':>4}"
    print(header)
    for r in rows:
        sev = r.severities
        print(f"{r.version[:16]:<16} {r.recorded_at.strftime('%Y-%m-%d %H:%M'):<17} {sev.get('critical', 0):>4} "
              f"{sev.get('high', 0):>4} {sev.get('medium', 0):>4} {sev.get('low', 0):>4} {sev.get('info', 0):>4} "
              f"{r.new:>4} {r.resolved:>4} {r.accepted:>4} {r.confirmed:>4} {r.carried:>7} {r.untriaged:>4}")
    return 0
