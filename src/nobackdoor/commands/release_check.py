"""``nobackdoor release-check --repo REPO --release ARCHIVE``: is the release the reviewed tag?"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import report
from ..models import ScanError
from ..pipeline import TargetError, scan
from ..release.check import ReleaseCheckOptions, release_check
from ..release.repo import ReleaseError
from ._common import add_fail_options, add_scan_options, exit_status, pipeline_options, progress_bar, write_output


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "release-check", help="compare a source release with the reviewed repository at its tag",
        description="Compare a release archive (or unpacked release directory) with the reviewed repository at "
                    "the release's tag: files only in the release, files that differ, files only in the "
                    "repository. Generated autotools files are checked by regenerating them from the tag. "
                    "The release is then scanned like any source tree.")
    p.add_argument("--repo", required=True, metavar="REPO",
                   help="repository directory, bare repository, git bundle, or archive holding one")
    p.add_argument("--release", required=True, metavar="ARCHIVE", help="release archive or unpacked release directory")
    p.add_argument("--ref", metavar="TAG", help="tag or commit the release should match (default: guessed from "
                                                "the release's version, e.g. v1.2)")
    p.add_argument("--no-regenerate", action="store_true",
                   help="do not run autoreconf on a copy of the tag to verify generated files")
    p.add_argument("--gnulib", metavar="DIR",
                   help="gnulib source tree to check the files a gnulib project's bootstrap copies into its release "
                        "(default: $GNULIB_SRCDIR, else /usr/share/gnulib)")
    p.add_argument("--no-scan", action="store_true", help="only compare; do not scan the release's contents")
    p.add_argument("--format", default="text", choices=report.formats(), help="output format (default text)")
    p.add_argument("-o", "--output", type=Path, help="write the report to FILE instead of stdout")
    add_fail_options(p)
    add_scan_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    options = pipeline_options(args)
    show_progress = args.verbose > 0 or sys.stderr.isatty()
    with progress_bar(show_progress) as update:
        options.progress = update

        def say(message: str) -> None:
            if update is not None:
                update(message, 0, 1)

        def scan_release(path: Path):
            return scan(path, options)

        opts = ReleaseCheckOptions(ref=args.ref, regenerate=not args.no_regenerate, gnulib=args.gnulib,
                                   scan=None if args.no_scan else scan_release, progress=say)
        try:
            if args.repo.strip():
                result = release_check(args.repo, args.release, opts)
            else:  # nothing to compare with: still scan the release as a source tree, and say so
                print("nobackdoor: no repository given (--repo is empty); scanning the release only",
                      file=sys.stderr)
                result = scan(args.release, options)
                result.target.kind = "release"
                result.errors.append(ScanError("", "no repository given: the release was not compared"))
        except (ReleaseError, TargetError) as exc:
            print(f"nobackdoor: {exc}", file=sys.stderr)
            return 2
    write_output(report.render(args.format, result, args), args.output)
    return exit_status(result, args)
