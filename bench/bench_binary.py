#!/usr/bin/env python3
"""Benchmark of the binary analysis (not a test): prints the figures the issue asks for.

1. One stripped busybox-static (1-2 MB) analysed on one core (target: < 10 s), plus the larger real
   daemons of the fixture set, each on one core.
2. A 100-binary root filesystem (etc/, bin/, usr/sbin/, lib/) scanned on 2 cores (target: < 60 s):
   the committed fixtures and Debian daemons plus real ELF files of this host (/usr/sbin, /usr/bin,
   /usr/lib/x86_64-linux-gnu), each made unique by a trailing byte so that no per-file cache helps.
   Timed twice: the binary analyzer alone in 2 worker processes, and the whole ``nobackdoor scan``
   pipeline with ``--jobs 2``.

Usage: .venv/bin/python bench/bench_binary.py [--busybox FILE] [--rootfs DIR] [--count 100]
"""
from __future__ import annotations

import argparse
import multiprocessing
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from nobackdoor.analyzers.binary.analyzer import BinaryAnalyzer  # noqa: E402
from nobackdoor.inventory import read_entry  # noqa: E402
from nobackdoor.models import FileKind, Finding  # noqa: E402
from nobackdoor.pipeline import PipelineOptions, scan  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "binary"
HOST_DIRS = [Path("/usr/sbin"), Path("/usr/bin"), Path("/usr/lib/x86_64-linux-gnu")]


def analyse_file(path: Path) -> tuple[str, float, int, int]:
    entry, data = read_entry(path, path.name, path.name, "")
    t0 = time.perf_counter()
    results = list(BinaryAnalyzer().analyze(entry, data)) if entry.kind == FileKind.ELF else []
    high = sum(1 for r in results if isinstance(r, Finding) and r.severity.rank >= 3)
    return path.name, time.perf_counter() - t0, len(data), high


def one_core(busybox: Path) -> None:
    print("== single binaries, one core")
    BinaryAnalyzer().analyze  # import cost paid before timing
    targets = [busybox] + sorted(p for p in (FIXTURES / "debian").iterdir()
                                 if p.name != "VERSIONS" and p.resolve() != busybox.resolve())
    for path in targets:
        analyse_file(path)  # warm the code paths (imports, Capstone engines)
        name, seconds, size, high = analyse_file(path)
        print(f"  {name:36s} {size / 1e6:6.2f} MB  {seconds:6.2f} s  high/critical findings: {high}")


def _is_elf(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"\x7fELF"
    except OSError:
        return False


def build_rootfs(dest: Path, count: int) -> list[Path]:
    pool = sorted(p for p in (FIXTURES / "debian").iterdir() if p.name != "VERSIONS")
    pool += sorted(p for p in (FIXTURES / "bin").iterdir() if _is_elf(p))  # (not the static fixtures' archives)
    for d in HOST_DIRS:
        if d.is_dir():
            pool += sorted(p for p in d.iterdir() if p.is_file() and not p.is_symlink() and _is_elf(p)
                           and p.stat().st_size < 8 * 1024 * 1024)
    pool = pool[:count]
    for sub in ("etc", "bin", "usr/sbin", "lib"):
        (dest / sub).mkdir(parents=True, exist_ok=True)
    (dest / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (dest / "etc" / "inittab").write_text("::sysinit:/etc/init.d/rcS\n")
    out = []
    for i, src in enumerate(pool):
        sub = "lib" if ".so" in src.name else ("usr/sbin" if i % 2 else "bin")
        target = dest / sub / f"{src.name}.{i}"
        shutil.copyfile(src, target)
        with open(target, "ab") as fh:  # unique content: no cache hit between copies
            fh.write(i.to_bytes(4, "little"))
        out.append(target)
    return out


def _planted(name: str) -> bool:
    """A copy of one of the binary fixtures' planted builds (``<program>-<plant>-<arch>``, any plant but
    ``clean``); Debian's and the host's files are named otherwise."""
    source = name.rsplit(".", 1)[0]
    return (FIXTURES / "bin" / source).is_file() and "-clean-" not in source


def two_cores(rootfs: Path, files: list[Path]) -> None:
    elf_bytes = sum(p.stat().st_size for p in files)
    print(f"== root filesystem: {len(files)} ELF files, {elf_bytes / 1e6:.1f} MB, 2 cores")
    ctx = multiprocessing.get_context("fork")
    t0 = time.perf_counter()
    with ctx.Pool(2) as pool:
        rows = pool.map(analyse_file, sorted(files, key=lambda p: -p.stat().st_size), chunksize=1)
    wall = time.perf_counter() - t0
    slowest = sorted(rows, key=lambda r: -r[1])[:5]
    print(f"  binary analyzer alone: {wall:6.2f} s wall, {sum(r[1] for r in rows):6.2f} s CPU in the analyzer")
    print("  slowest: " + ", ".join(f"{n} {s:.2f}s" for n, s, _, _ in slowest))
    planted = sum(r[3] for r in rows if _planted(r[0]))
    print(f"  high/critical findings: {planted} in planted fixtures, {sum(r[3] for r in rows) - planted} elsewhere"
          + "".join(f"\n    {r[0]}: {r[3]}" for r in rows if r[3] and not _planted(r[0])))
    t0 = time.perf_counter()
    result = scan(rootfs, PipelineOptions(jobs=2))
    wall = time.perf_counter() - t0
    print(f"  full scan pipeline (all analyzers, --jobs 2): {wall:6.2f} s wall "
          f"(file analysis {result.stats.get('file_analysis_seconds')} s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--busybox", type=Path, default=FIXTURES / "debian" / "busybox-static_armel_busybox")
    ap.add_argument("--rootfs", type=Path, help="scan this root filesystem instead of building one")
    ap.add_argument("--count", type=int, default=100)
    args = ap.parse_args()
    one_core(args.busybox)
    if args.rootfs:
        files = [p for p in args.rootfs.rglob("*") if p.is_file() and not p.is_symlink() and _is_elf(p)]
        two_cores(args.rootfs, files)
        return
    with tempfile.TemporaryDirectory(prefix="nbd-bench-") as tmp:
        files = build_rootfs(Path(tmp), args.count)
        two_cores(Path(tmp), files)


if __name__ == "__main__":
    main()
