"""``nobackdoor attest TARGET --key KEY [-o FILE] [--report FILE]``: scan and sign the result.

Writes the report (JSON by default) and a DSSE envelope holding an in-toto statement that binds
the artifact digest, tool version, rule-pack digest, verdict and the report's digest. The report
sits beside the attestation unless ``--report`` says otherwise; ``nobackdoor verify`` checks both.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .. import report
from ..attest import AttestError, key_id, load_private_key, sign, statement
from ..pipeline import TargetError
from ._common import add_fail_options, add_scan_options, exit_status, scan_with_progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("attest", help="scan TARGET and sign the report (in-toto statement in a DSSE envelope)",
                       description="Scan TARGET, write the report and a signed attestation binding the artifact's "
                                   "digest, the tool version, the rule-pack digest, the verdict and the report's "
                                   "digest. Exit status as for scan: 1 when a finding reaches --fail-on.")
    p.add_argument("target", help="firmware image, root-filesystem directory, binary or source tree")
    p.add_argument("--key", type=Path, required=True, help="Ed25519 private key (from nobackdoor keygen)")
    p.add_argument("-o", "--output", type=Path,
                   help="attestation file (default: TARGETNAME.nobackdoor.intoto.json in the current directory)")
    p.add_argument("--report", type=Path,
                   help="where to write the signed report (default: beside the attestation, "
                        "NAME.report.json for -o NAME.intoto.json)")
    p.add_argument("--report-format", default="json", choices=report.formats(), help="format of the report (default json)")
    add_fail_options(p)
    add_scan_options(p)
    p.set_defaults(func=run)


def default_paths(target: Path, output: Path | None, report_path: Path | None, fmt: str) -> tuple[Path, Path]:
    name = Path(target).resolve().name or "target"
    out = output or Path(f"{name}.nobackdoor.intoto.json")
    if report_path is None:
        stem = out.name
        for suffix in (".intoto.json", ".intoto.jsonl", ".json"):
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
                break
        ext = {"sarif": "sarif", "html": "html", "text": "txt", "cyclonedx": "cdx.json"}.get(fmt, "json")
        report_path = out.with_name(f"{stem}.report.{ext}")
    return out, report_path


def run(args: argparse.Namespace) -> int:
    try:
        key = load_private_key(args.key)
    except AttestError as exc:
        print(f"nobackdoor: {exc}", file=sys.stderr)
        return 2
    out, report_path = default_paths(Path(args.target), args.output, args.report, args.report_format)
    if out.resolve() == report_path.resolve():
        print("nobackdoor: the report and the attestation must be different files", file=sys.stderr)
        return 2
    for path in (out, report_path):
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        result = scan_with_progress(args.target, args)
    except TargetError as exc:
        print(f"nobackdoor: {exc}", file=sys.stderr)
        return 2
    text = report.render(args.report_format, result, argparse.Namespace(fail_on=args.fail_on, output=report_path))
    report_bytes = text.encode("utf-8")
    report_path.write_bytes(report_bytes)
    # the report's name is recorded relative to the attestation when it sits beside it
    name = report_path.name if report_path.resolve().parent == out.resolve().parent else str(report_path)
    stmt = statement(Path(args.target), result, name, report_bytes, args.report_format, args.fail_on)
    envelope = sign(stmt, key)
    out.write_text(json.dumps(envelope, indent=2) + "\n", encoding="utf-8")
    v = stmt["predicate"]["verdict"]
    print(f"attestation: {out}\nreport:      {report_path}\nsubject:     {stmt['subject'][0]['name']} sha256 "
          f"{stmt['subject'][0]['digest']['sha256']}\nverdict:     {v['result']} ({_n(v['findings'], 'finding')}, "
          f"{v['blockingFindings']} at or above {v['failOn']})\nsigned by:   {key_id(key.public_key())}", file=sys.stderr)
    return exit_status(result, args)


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
