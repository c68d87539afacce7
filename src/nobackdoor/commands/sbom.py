"""``nobackdoor sbom TARGET [-o FILE]``: CycloneDX JSON of the components found in TARGET."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..pipeline import TargetError
from ._common import add_scan_options, pipeline_options, scan_with_progress, write_output

#: the analyzers that observe components; the back-door analyzers are not needed for an SBOM
SBOM_ANALYZERS = ("components", "component-databases")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sbom", help="software bill of materials (CycloneDX JSON) of a firmware image or root filesystem",
                       description="Unpack TARGET and list the software components found in it (version strings of "
                                   "the binaries, opkg/dpkg/apk package databases, os-release, kernel modules) as a "
                                   "CycloneDX 1.6 JSON document, with the SHA-256 of each binary.")
    p.add_argument("target", help="firmware image, update package, root-filesystem directory or binary")
    p.add_argument("-o", "--output", type=Path, help="write the SBOM to FILE instead of stdout")
    add_scan_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..sbom import render

    try:
        result = scan_with_progress(args.target, args, pipeline_options(args, only=SBOM_ANALYZERS))
    except TargetError as exc:
        print(f"nobackdoor: {exc}", file=sys.stderr)
        return 2
    write_output(render(result), args.output)
    return 0
