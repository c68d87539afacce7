"""``nobackdoor store add RESULT.json --product P --version V``: record a saved scan result."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._record import add_db_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("store", help="record saved scan results in the scan store",
                       description="Record scan results (saved with 'scan --format json') as versions of a product, "
                                   "for 'history' and 'triage'. 'scan --store' records a scan directly.")
    ssub = p.add_subparsers(dest="store_command", metavar="ACTION", parser_class=type(p))
    ssub.required = True
    ap = ssub.add_parser("add", help="record a saved JSON result as a version of a product")
    ap.add_argument("result", type=Path, help="JSON document written by 'nobackdoor scan --format json'")
    ap.add_argument("--product", required=True)
    ap.add_argument("--version", dest="product_version", metavar="VERSION", required=True)
    add_db_option(ap)
    ap.set_defaults(func=run_add)


def run_add(args: argparse.Namespace) -> int:
    from ..saved import SavedResultError, load_result
    from ..store import Store, StoreError

    try:
        result = load_result(args.result)
    except SavedResultError as exc:
        print(f"nobackdoor: error: {exc}", file=sys.stderr)
        return 2
    if result is None:
        print(f"nobackdoor: error: {args.result}: not a nobackdoor JSON result", file=sys.stderr)
        return 2
    try:
        with Store(args.db) as store:
            scan_id = store.add_result(result, args.product, args.product_version)
            where = store.display_url
    except StoreError as exc:
        print(f"nobackdoor: error: {exc}", file=sys.stderr)
        return 2
    print(f"recorded scan {scan_id}: {args.product} {args.product_version} ({len(result.findings)} findings) in {where}")
    return 0
