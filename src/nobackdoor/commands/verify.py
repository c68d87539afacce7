"""``nobackdoor verify ATTESTATION TARGET --pub KEY.pub``: check a signed attestation.

Exit 0 only when the signature holds for the given public key, TARGET is the attested artifact
and the report is byte for byte the signed one; 1 when any of these fails; 2 when an input
cannot be read.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..attest import AttestError, verify


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="verify an attestation made by nobackdoor attest",
                       description="Check the attestation's signature against KEY.pub, that TARGET is the attested "
                                   "artifact and that the report is unchanged. Exit 0 only when all hold.")
    p.add_argument("attestation", type=Path, help="attestation file (DSSE envelope)")
    p.add_argument("target", type=Path, help="the artifact that was scanned (file or directory)")
    p.add_argument("--pub", type=Path, required=True, metavar="KEY.pub", help="the signer's public key")
    p.add_argument("--report", type=Path,
                   help="the signed report (default: the name recorded in the attestation, beside the attestation)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only failures")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.target.exists():
        print(f"nobackdoor: {args.target}: no such file or directory", file=sys.stderr)
        return 2
    try:
        checks = verify(args.attestation, args.target, args.pub, args.report)
    except AttestError as exc:
        print(f"nobackdoor: {exc}", file=sys.stderr)
        return 2
    ok = all(c.ok for c in checks if not c.informational)
    for c in checks:
        if args.quiet and c.ok:
            continue
        mark = "info" if c.informational else ("ok" if c.ok else "FAILED")
        print(f"{mark:>6}  {c.name}: {c.message}")
    print("VERIFIED: the report is the one signed for this artifact" if ok else
          "NOT VERIFIED: see the FAILED lines above")
    return 0 if ok else 1
