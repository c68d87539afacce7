"""Options ``scan`` shares with the declaration and the store: ``--declaration`` is applied as a
pipeline post-stage; ``--store --product P --version V`` records the result after the report."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..models import ScanResult


def add_db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="URL", default=os.environ.get("NOBACKDOOR_DB"),
                   help="scan store: SQLAlchemy URL (sqlite:///FILE, postgresql://user@host/db) or a file name "
                        "(default: $NOBACKDOOR_DB, else a SQLite file in the user's data directory)")


def add_record_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("scan store")
    g.add_argument("--store", action="store_true", help="record the result in the scan store (needs --product, --version)")
    g.add_argument("--product", help="product name the scan belongs to")
    g.add_argument("--version", dest="product_version", metavar="VERSION", help="product version (release) scanned")
    g.add_argument("--db", metavar="URL", default=os.environ.get("NOBACKDOOR_DB"),
                   help="scan store URL (default: $NOBACKDOOR_DB, else a SQLite file in the user's data directory)")


def declaration_stage(path: Path):
    """Load and validate the declaration before scanning, so a bad file fails fast (exit 2)."""
    from ..declaration import DeclarationError, load, post_stage

    try:
        return post_stage(load(path))
    except DeclarationError as exc:
        print(f"nobackdoor: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def record_if_asked(result: ScanResult, args: argparse.Namespace) -> None:
    if not getattr(args, "store", False):
        return
    if not args.product or not args.product_version:
        print("nobackdoor: error: --store needs --product and --version", file=sys.stderr)
        raise SystemExit(2)
    from ..store import Store

    with Store(args.db) as store:
        scan_id = store.add_result(result, args.product, args.product_version)
        print(f"nobackdoor: recorded scan {scan_id} as {args.product} {args.product_version} in {store.display_url}",
              file=sys.stderr)
