"""``nobackdoor keygen -o KEY``: an Ed25519 key pair for signing attestations."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..attest import AttestError, generate_key, key_id, load_public_key


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("keygen", help="create an Ed25519 key pair for nobackdoor attest",
                       description="Write an Ed25519 private key to KEY (PEM, mode 0600) and its public key to KEY.pub.")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="KEY", help="private key file to create")
    p.add_argument("--force", action="store_true", help="overwrite KEY and KEY.pub if they exist")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        key, pub = generate_key(args.output, force=args.force)
    except AttestError as exc:
        print(f"nobackdoor: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"nobackdoor: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"private key: {key} (mode 0600, keep it secret)\npublic key:  {pub}\nkey id:      "
          f"{key_id(load_public_key(pub))}", file=sys.stderr)
    return 0
