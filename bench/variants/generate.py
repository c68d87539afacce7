#!/usr/bin/env python3
"""Build the blind variant corpus: labelled back-doored artifacts, each with a clean twin.

    python bench/variants/generate.py [--split train|test|both] [--out DIR] [--per-class N]
                                      [--only CLASS[,CLASS...]] [--family NAME[,NAME...]]

Output: DIR/<split>/<class>/<name>-{a,b}[suffix] and DIR/<split>/labels.json (the format of
../shared/bench/labels.json plus class, family, variant and split). The same split and arguments
give byte-identical files: every random choice comes from a stream seeded by (split, class, index),
so `--per-class 1` reproduces variant 0 of every class exactly (that is the committed sample).

The generators were written from the issue text and public write-ups of back doors only; they never
read the scanner's source. The `test` split is only ever scored: study `train` failures only.
"""
from __future__ import annotations

import argparse
import importlib
import json
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from vgen.common import CLASSES, SPLIT_SEEDS, Ctx  # noqa: E402

FAMILIES = ["binary", "source", "firmware", "supply", "known"]


def tool_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for t in ("gcc", "mipsel-linux-gnu-gcc", "mksquashfs", "mke2fs", "mkimage", "cpio", "musl-gcc"):
        exe = shutil.which(t)
        if not exe:
            out[t] = "missing"
            continue
        try:
            res = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10)
            first = (res.stdout or res.stderr).strip().splitlines()
            out[t] = first[0] if first else "?"
        except (OSError, subprocess.SubprocessError):
            out[t] = "?"
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=["train", "test", "both"], default="both")
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--per-class", type=int, default=8, help="planted variants (pairs) per class and split")
    ap.add_argument("--only", default="", help="comma-separated classes (default: all)")
    ap.add_argument("--family", default="", help="comma-separated families (default: all)")
    ap.add_argument("--sample", action="store_true",
                    help="write the committed sample instead: variant 0 of every class of train, to sample/")
    args = ap.parse_args(argv)
    if args.sample:
        args.split, args.per_class, args.out = "train", 1, HERE / ".sample-build"

    only = {c for c in args.only.split(",") if c} or None
    if only and only - set(CLASSES):
        ap.error(f"unknown classes {sorted(only - set(CLASSES))}; known: {', '.join(CLASSES)}")
    families = [f for f in args.family.split(",") if f] or FAMILIES
    if set(families) - set(FAMILIES):
        ap.error(f"unknown families; known: {', '.join(FAMILIES)}")

    splits = list(SPLIT_SEEDS) if args.split == "both" else [args.split]
    for split in splits:
        root = args.out / split
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        ctx = Ctx(split=split, root=root, per_class=args.per_class, only=only)
        for fam in families:
            mod = importlib.import_module(f"vgen.{fam}")
            start = time.monotonic()
            before = len(ctx.labels)
            mod.generate(ctx)
            print(f"{split}: {fam}: {(len(ctx.labels) - before) // 2} pairs in {time.monotonic() - start:.1f} s",
                  file=sys.stderr)
        labels = ctx.write_labels()
        (root / "manifest.json").write_text(json.dumps(
            {"split": split, "seed": SPLIT_SEEDS[split], "per_class": args.per_class,
             "classes": sorted({e["class"] for e in ctx.labels}), "artifacts": len(ctx.labels),
             "tools": tool_versions()}, indent=1, sort_keys=True) + "\n")
        print(f"{split}: {len(ctx.labels)} artifacts, labels in {labels}", file=sys.stderr)
    if args.sample:
        sample = HERE / "sample"
        if sample.exists():
            shutil.rmtree(sample)
        shutil.move(str(args.out / "train"), str(sample))
        shutil.rmtree(args.out, ignore_errors=True)
        (sample / "manifest.json").unlink(missing_ok=True)  # tool versions differ between machines
        print(f"sample: {sample}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
