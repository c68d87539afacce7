"""``nobackdoor scan TARGET``: the contract's main command."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import report
from ..pipeline import TargetError
from ._record import add_record_options, declaration_stage, record_if_asked
from ._common import add_fail_options, add_scan_options, exit_status, pipeline_options, scan_with_progress, write_output


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scan", help="unpack and analyse a firmware image, root filesystem, binary or source tree",
                       description="Unpack TARGET safely and recursively, analyse every file and report back doors.")
    p.add_argument("target", help="firmware image, update package, root-filesystem directory, binary or source tree")
    p.add_argument("--format", default="text", choices=report.formats(), help="output format (default text)")
    p.add_argument("-o", "--output", type=Path, help="write the report to FILE instead of stdout")
    add_fail_options(p)
    p.add_argument("--declaration", metavar="FILE", type=Path,
                   help="vendor declaration (nobackdoor.yml): report what it does not list, set aside accepted findings")
    add_record_options(p)
    add_scan_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    options = pipeline_options(args)
    if args.declaration:
        options.post_stages.append(declaration_stage(args.declaration))
    try:
        result = scan_with_progress(args.target, args, options)
    except TargetError as exc:
        print(f"nobackdoor: {exc}", file=sys.stderr)
        return 2
    write_output(report.render(args.format, result, args), args.output)
    record_if_asked(result, args)
    return exit_status(result, args)
