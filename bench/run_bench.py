#!/usr/bin/env python3
"""Whole-bench scan time, and full-scan / unpack-only ratio on the largest bench firmware.

    .venv/bin/python bench/run_bench.py [--bench ../shared/bench] [--repeat 3]

1. Scans every artifact listed in the bench's labels.json once (``nobackdoor scan --format json``)
   and prints the total wall time and the slowest artifact.
2. On the largest firmware file, alternates (so load affects both alike) ``--repeat`` runs of
   * unblob alone: its ``process_file`` with the same handler set nobackdoor uses (unblob's own
     squashfs handler needs sasquatch, which Debian lacks; ours calls unsquashfs), in a fresh
     process, exactly as nobackdoor's unpack worker runs it, and
   * the full nobackdoor scan,
   then prints the medians and their ratio (target: at most 1.5).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOBACKDOOR = [sys.executable, "-m", "nobackdoor"]


def run_scan(artifact: Path) -> tuple[float, int, dict]:
    t = time.monotonic()
    proc = subprocess.run([*NOBACKDOOR, "scan", str(artifact), "--format", "json"], capture_output=True, text=True)
    secs = time.monotonic() - t
    try:
        doc = json.loads(proc.stdout)
    except ValueError:
        doc = {}
    return secs, proc.returncode, doc


def unblob_only(artifact: Path) -> float:
    with tempfile.TemporaryDirectory(prefix="nbd-bench-") as tmp:
        args = {"input": str(artifact), "extract_root": tmp + "/out", "report": tmp + "/report.json",
                "log": tmp + "/log", "max_depth": 12, "extractor_timeout": 300, "process_num": os.cpu_count() or 1}
        os.makedirs(args["extract_root"])
        t = time.monotonic()
        with open(args["log"], "wb") as log:
            subprocess.run([sys.executable, "-m", "nobackdoor.unpack.worker", json.dumps(args)], stdout=log,
                           stderr=log, check=True)
        return time.monotonic() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", type=Path, default=REPO.parent / "shared" / "bench")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-corpus", action="store_true", help="only measure the ratio")
    args = ap.parse_args()
    labels = json.loads((args.bench / "labels.json").read_text())
    artifacts = [args.bench / e["artifact"] for e in labels]

    if not args.skip_corpus:
        total = 0.0
        slowest = (0.0, "")
        failures = []
        for artifact in artifacts:
            secs, rc, doc = run_scan(artifact)
            total += secs
            slowest = max(slowest, (secs, artifact.name))
            if rc not in (0, 1) or "findings" not in doc:
                failures.append(f"{artifact.name} (exit {rc})")
            print(f"  {secs:6.2f} s  {len(doc.get('findings', [])):3d} findings  {artifact.relative_to(args.bench)}")
        print(f"whole bench: {len(artifacts)} artifacts in {total:.1f} s "
              f"(slowest {slowest[1]}: {slowest[0]:.1f} s); failures: {failures or 'none'}")

    firmware = [a for a in artifacts if "/firmware/" in str(a) and a.is_file()]
    largest = max(firmware, key=lambda p: p.stat().st_size)
    unpack_times, scan_times = [], []
    for _ in range(args.repeat):
        unpack_times.append(unblob_only(largest))
        scan_times.append(run_scan(largest)[0])
    u, s = statistics.median(unpack_times), statistics.median(scan_times)
    print(f"largest firmware: {largest.name} ({largest.stat().st_size} bytes)")
    print(f"  unblob alone (median of {args.repeat}): {u:.2f} s  {['%.2f' % x for x in unpack_times]}")
    print(f"  nobackdoor scan (median of {args.repeat}): {s:.2f} s  {['%.2f' % x for x in scan_times]}")
    print(f"  ratio full scan / unpack only: {s / u:.2f} (target <= 1.5)")
    # scan work directories are mkdtemp("nobackdoor-"): eight random characters after the prefix
    leftovers = [p for p in Path(tempfile.gettempdir()).glob("nobackdoor-????????") if p.is_dir()]
    if leftovers:
        print(f"  WARNING: leftover work directories: {leftovers}")
    return 0


if __name__ == "__main__":
    if shutil.which("unsquashfs") is None:
        print("unsquashfs missing: run `make setup` first", file=sys.stderr)
        sys.exit(1)
    sys.exit(main())
