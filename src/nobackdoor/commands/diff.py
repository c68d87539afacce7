"""``nobackdoor diff OLD NEW``: what a new release adds to the attack surface of an approved one."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..pipeline import TargetError
from ._common import SEVERITIES, add_scan_options, pipeline_options, write_output


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diff", help="security diff between two releases (targets or saved JSON results)",
                       description="Compare two releases: files added, removed and changed, and the security delta "
                                   "(accounts and password hashes, boot services, listeners, setuid files, binaries' "
                                   "comparison constants and sinks, endpoints, keys, findings appeared and gone). "
                                   "The JSON document's findings are what NEW adds; 'resolved' lists what went away.")
    p.add_argument("old", help="baseline: a target or a JSON result saved by 'scan --format json'")
    p.add_argument("new", help="new release: a target or a saved JSON result")
    p.add_argument("--format", default="text", choices=("text", "json", "html"), help="output format (default text)")
    p.add_argument("-o", "--output", type=Path, help="write the report to FILE instead of stdout")
    p.add_argument("--fail-on", default="high", choices=SEVERITIES,
                   help="exit 1 when the delta holds something at this severity or higher (default high)")
    add_scan_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..diff import compare, record_password_digests, render_html, render_text
    from ._results import load_or_scan

    results = []
    for target in (args.old, args.new):
        options = pipeline_options(args)
        options.post_stages.append(record_password_digests)
        try:
            results.append(load_or_scan(target, args, options))
        except TargetError as exc:
            print(f"nobackdoor: {exc}", file=sys.stderr)
            return 2
    diff = compare(*results)
    if args.format == "json":
        text = json.dumps(diff.to_document(), indent=2, sort_keys=False, default=str)
    elif args.format == "html":
        text = render_html(diff)
    else:
        text = render_text(diff)
    write_output(text, args.output)
    return 1 if diff.fails(args.fail_on) else 0
