#!/usr/bin/env python3
"""Time the configuration analyzers (accounts, services, phonehome, scripts-obfuscation, secrets) on top of
unpacking, for one target:

    .venv/bin/python bench/config_timing.py /path/to/firmware [--repeat 3]

Unpacks once (kept in a temporary directory), then times each tree analyzer on the unpacked trees and the
secrets file analyzer over every file it wants, run sequentially in this process (in a scan it runs in the
parallel file stage, so this is an upper bound). Also prints the pipeline's own stats for the same scan.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from nobackdoor import pipeline as P
from nobackdoor.analyzers import tree_analyzers
from nobackdoor.analyzers.base import TreeContext
from nobackdoor.analyzers.secrets import SecretsAnalyzer

MINE = ("accounts", "services", "phonehome", "scripts-obfuscation")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("target")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        opts = P.PipelineOptions(keep_extracted=Path(tmp) / "x")
        result = P.scan(args.target, opts)
        print("pipeline stats:", {k: result.stats[k] for k in ("unpack_seconds", "file_analysis_seconds",
                                                               "tree_analysis_seconds", "files")})
        entries = result.files
        # rebuild trees the way the pipeline does (entries keep their real paths while the directory lives)
        from nobackdoor.inventory import read_entry
        fresh = []
        for e in entries:
            if e.kind.value == "symlink" or e.realpath.exists():
                entry, data = read_entry(e.realpath, e.path, e.relpath, e.root)
                fresh.append((entry, data))
        trees = {}
        from nobackdoor.analyzers.base import Tree
        for entry, _ in fresh:
            trees.setdefault(entry.root, Tree(root=entry.root, files={})).files[entry.relpath] = entry
        for rel_root, tree in trees.items():
            tree.dirs = {str(Path(r).parent) for r in tree.files}
        best: dict[str, float] = {}
        for _ in range(args.repeat):
            ctx = TreeContext(trees=list(trees.values()), observations=[], findings=[], options=None)  # type: ignore[arg-type]
            for analyzer in tree_analyzers():
                if analyzer.name not in MINE:
                    continue
                t0 = time.perf_counter()
                list(analyzer.analyze(ctx))
                best[analyzer.name] = min(best.get(analyzer.name, 1e9), time.perf_counter() - t0)
            sec = SecretsAnalyzer()
            t0 = time.perf_counter()
            for entry, data in fresh:
                if data is not None and sec.wants(entry):
                    list(sec.analyze(entry, data))
            best["secrets (file stage, sequential)"] = min(best.get("secrets (file stage, sequential)", 1e9),
                                                         time.perf_counter() - t0)
        for name, sec_ in best.items():
            print(f"{name:40s} {sec_:.3f} s")
        print(f"{'total added by these analyzers':40s} {sum(best.values()):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
