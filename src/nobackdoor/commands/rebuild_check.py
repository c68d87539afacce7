"""``nobackdoor rebuild-check --source DIR --build 'CMD' --delivered PATH``: were the delivered files
built from the reviewed source? Rebuild reproducibly and compare, function by function for ELF files."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import report
from ..release.rebuild import DEFAULT_PREFIX, RebuildOptions, rebuild_check
from ..release.repo import ReleaseError
from ._common import add_fail_options, exit_status, write_output


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "rebuild-check", help="rebuild reviewed source reproducibly and compare delivered binaries with it",
        description="Copy SOURCE to a clean temporary directory, run the build command there with a reproducible "
                    "environment (SOURCE_DATE_EPOCH, umask 022, LC_ALL=C, TZ=UTC, -ffile-prefix-map, no network), "
                    "then compare every delivered file with its rebuilt counterpart. ELF files are compared "
                    "section by section and function by function. The build command runs the source's own build "
                    "system: use a disposable machine for untrusted source. A build that installs its outputs "
                    "can put them in $NOBACKDOOR_OUT.")
    p.add_argument("--source", required=True, metavar="DIR", help="reviewed source tree (directory or archive)")
    p.add_argument("--build", required=True, metavar="CMD", help="build command, run with /bin/sh in the source copy")
    p.add_argument("--delivered", required=True, metavar="PATH",
                   help="delivered file, directory or archive to check against the rebuild")
    p.add_argument("--rebuilt", metavar="RELPATH",
                   help="the rebuilt counterpart of a single delivered file, relative to the source copy or "
                        "$NOBACKDOOR_OUT (default: same path, else same name, else the only ELF file built)")
    p.add_argument("--source-date-epoch", type=int, metavar="SECONDS",
                   help="SOURCE_DATE_EPOCH for the build (default: newest file date in the source)")
    p.add_argument("--prefix-map-to", default=DEFAULT_PREFIX, metavar="DIR",
                   help=f"what the build directory is mapped to with -ffile-prefix-map (default {DEFAULT_PREFIX})")
    p.add_argument("--allow-network", action="store_true", help="let the build use the network")
    p.add_argument("--build-timeout", type=float, default=3600.0, metavar="SECONDS", help="default 3600")
    p.add_argument("--diffoscope", action="store_true",
                   help="add diffoscope's text output to findings on non-ELF files (when installed)")
    p.add_argument("--format", default="text", choices=report.formats(), help="output format (default text)")
    p.add_argument("-o", "--output", type=Path, help="write the report to FILE instead of stdout")
    add_fail_options(p)
    p.add_argument("-v", "--verbose", action="count", default=0, help="show tracebacks of internal errors")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    opts = RebuildOptions(command=args.build, source_date_epoch=args.source_date_epoch, prefix=args.prefix_map_to,
                          timeout=args.build_timeout, network=args.allow_network, diffoscope=args.diffoscope,
                          rebuilt=args.rebuilt)
    try:
        result = rebuild_check(args.source, args.delivered, opts)
    except ReleaseError as exc:
        print(f"nobackdoor: {exc}", file=sys.stderr)
        return 2
    write_output(report.render(args.format, result, args), args.output)
    return exit_status(result, args)
