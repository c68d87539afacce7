"""``nobackdoor declare TARGET``: draft a declaration (nobackdoor.yml) from what a scan observes."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..pipeline import TargetError
from ._common import add_scan_options, write_output


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("declare", help="draft a declaration (nobackdoor.yml) of accounts, services, keys, endpoints",
                       description="Scan TARGET (or read a saved JSON result) and write a declaration listing every "
                                   "account, service, port, key and remote endpoint it contains, for the vendor to "
                                   "edit and justify. Check a release against it with 'scan --declaration'.")
    p.add_argument("target", help="firmware image, root filesystem, binary, source tree, or a saved JSON scan result")
    p.add_argument("-o", "--output", type=Path, help="write the declaration to FILE instead of stdout")
    add_scan_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..declaration import draft
    from ._results import load_or_scan

    try:
        result = load_or_scan(args.target, args)
    except TargetError as exc:
        print(f"nobackdoor: {exc}", file=sys.stderr)
        return 2
    write_output(draft(result), args.output)
    return 0
