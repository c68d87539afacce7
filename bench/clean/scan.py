#!/usr/bin/env python3
"""Precision of ``nobackdoor scan`` on a real clean corpus and on real router firmware.

Scans, with the command line a user runs (``.venv/bin/nobackdoor scan TARGET --format json``):

* one root filesystem per Debian architecture assembled by ``fetch.py`` (network daemons and their
  base system; nobody here wrote them, no back door is known in them),
* every source tree fetched by ``fetch.py`` (Debian upstream tarballs, PyPI sdists, npm packages),
* every image of ``../shared/realfw/`` (real vendor and open-source router firmware, unlabelled).

and prints high/critical findings per 1,000 ELF files and per 100,000 lines of source, every
high/critical finding of the clean corpus grouped by rule, and every high/critical finding on the
firmware images with its evidence, for review. A JSON summary goes to
``bench/cache/clean/summary.json`` (git-ignored) unless ``--json`` says otherwise.

Usage: ``.venv/bin/python bench/clean/scan.py [--only binaries|source|realfw] [--skip-download]
[--jobs N] [--timeout S] [--json PATH]``
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CACHE = REPO / "bench" / "cache" / "clean"
REALFW = REPO.parent / "shared" / "realfw"
CLI = REPO / ".venv" / "bin" / "nobackdoor"
HIGH = ("high", "critical")

# What counts as a line of code: source files of the languages the analyzers read, shell, and the
# build machinery (autotools, libtool, make, CMake). Documentation, data and tests' fixtures in other
# formats are scanned too but not counted, so the rate is per line of code.
CODE_SUFFIXES = {
    ".c", ".h", ".cc", ".cpp", ".cxx", ".hh", ".hpp", ".hxx", ".s", ".S", ".py", ".pyx", ".pxd", ".pyi",
    ".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".php", ".pl", ".pm", ".lua", ".go",
    ".java", ".rs", ".sh", ".bash", ".m4", ".ac", ".am", ".in", ".cmake", ".mk", ".mak", ".cgi", ".tcl",
}
CODE_NAMES = {"configure", "Makefile", "GNUmakefile", "makefile", "CMakeLists.txt", "ltmain.sh", "config.guess",
              "config.sub", "install-sh", "depcomp", "missing", "compile", "libtool", "Kconfig", "setup.py"}


@dataclass
class Target:
    group: str  # "binaries", "source" or "realfw"
    name: str
    path: Path


@dataclass
class Result:
    target: Target
    seconds: float = 0.0
    exit: int | None = None
    kind: str = ""
    files: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)  # high and critical only
    all_findings: int = 0
    failure: str = ""  # the scan produced no document: timeout, crash, unreadable output


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def scan_one(t: Target, timeout: int, workers: int) -> Result:
    r = Result(t)
    t0 = time.monotonic()
    try:
        p = subprocess.run([str(CLI), "scan", str(t.path), "--format", "json", "-j", str(workers)],
                           capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        r.seconds = round(time.monotonic() - t0, 1)
        r.failure = f"timeout after {timeout} s"
        log(f"  {t.group}/{t.name}: {r.failure}")
        return r
    r.seconds = round(time.monotonic() - t0, 1)
    r.exit = p.returncode
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        r.failure = f"exit {p.returncode}, no JSON: {p.stderr.decode(errors='replace')[-300:]}"
        log(f"  {t.group}/{t.name}: {r.failure}")
        return r
    r.kind = doc.get("target", {}).get("kind", "")
    r.files = doc.get("stats", {}).get("files", 0)
    r.errors = doc.get("errors", [])
    r.all_findings = len(doc.get("findings", []))
    r.findings = [f for f in doc.get("findings", []) if f.get("severity") in HIGH]
    log(f"  {t.group}/{t.name}: {r.seconds} s, kind {r.kind}, {r.files} files, {len(r.findings)} high/critical, "
        f"{len(r.errors)} errors")
    return r


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def count_elf(root: Path) -> int:
    """Regular ELF files (symbolic links not followed, each path once)."""
    n = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = Path(dirpath) / name
            if not p.is_symlink() and is_elf(p):
                n += 1
    return n


def count_code_lines(root: Path) -> tuple[int, int]:
    """Lines and files of code (see CODE_SUFFIXES); files with a NUL byte are not text."""
    lines = files = 0
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            p = Path(dirpath) / name
            if p.is_symlink() or not (p.suffix in CODE_SUFFIXES or name in CODE_NAMES):
                continue
            try:
                data = p.read_bytes()
            except OSError:
                continue
            if b"\0" in data[:8192]:
                continue
            files += 1
            lines += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return lines, files


def finding_file(root: Path, fpath: str) -> Path | None:
    """The file of the scanned directory a finding points into: the longest existing prefix of its
    path (a finding inside a decompressed file carries the container chain after the file)."""
    parts = Path(fpath).parts
    for i in range(len(parts), 0, -1):
        p = root.joinpath(*parts[:i])
        if p.is_file() or p.is_symlink():
            return p
    return None


def evidence_excerpt(f: dict[str, Any], width: int = 220) -> str:
    """The few evidence fields a reviewer needs first, then the rest, cut to one line."""
    ev = f.get("evidence") or {}
    if not isinstance(ev, dict):
        return json.dumps(ev)[:width]
    first = ("constant", "routine", "port", "command", "module", "control", "account", "key", "value",
             "url", "host", "line")
    keys = [k for k in first if k in ev] + [k for k in ev if k not in first]
    text = ", ".join(f"{k}={json.dumps(ev[k], ensure_ascii=False)}" for k in keys)
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 3] + "..."


def where(f: dict[str, Any]) -> str:
    if f.get("line") is not None:
        return f"{f['path']}:{f['line']}"
    if f.get("offset") is not None:
        return f"{f['path']}@{f['offset']:#x}" if isinstance(f["offset"], int) else f"{f['path']}@{f['offset']}"
    return f["path"]


def compact(t: Target, f: dict[str, Any]) -> dict[str, Any]:
    return {"target": t.name, "rule": f["rule"], "severity": f["severity"], "path": f["path"],
            "line": f.get("line"), "offset": f.get("offset"), "message": f["message"],
            "evidence": evidence_excerpt(f, 400)}


def print_by_rule(title: str, items: list[dict[str, Any]], examples: int = 3) -> None:
    by_rule: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for it in items:
        by_rule[it["rule"]].append(it)
    print(f"\n{title}: {len(items)}")
    for rule, its in sorted(by_rule.items(), key=lambda kv: -len(kv[1])):
        sev = "/".join(sorted({i["severity"] for i in its}))
        print(f"  {rule} ({sev}): {len(its)}")
        for i in its[:examples]:
            loc = i["path"] + (f":{i['line']}" if i.get("line") is not None else "")
            print(f"    {i['target']}/{loc}: {i['message'][:160]}")
            print(f"      evidence: {i['evidence'][:220]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=["binaries", "source", "realfw"])
    ap.add_argument("--skip-download", action="store_true", help="scan what fetch.py already put in the cache")
    ap.add_argument("--jobs", type=int, default=2, help="targets scanned at once (default 2)")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per target (default 900)")
    ap.add_argument("--json", default=str(CACHE / "summary.json"), help="summary file")
    args = ap.parse_args()
    t_start = time.monotonic()
    groups = [args.only] if args.only else ["binaries", "source", "realfw"]

    if not args.skip_download and ("binaries" in groups or "source" in groups):
        fetch = [sys.executable, str(HERE / "fetch.py")]
        if args.only in ("binaries", "source"):
            fetch += ["--only", args.only]
        if subprocess.run(fetch).returncode != 0:
            log("fetch.py reported failures (listed above); scanning what is there")

    targets: list[Target] = []
    if "binaries" in groups:
        targets += [Target("binaries", p.name, p) for p in sorted((CACHE / "rootfs").glob("*")) if p.is_dir()]
    if "source" in groups:
        targets += [Target("source", p.name, p) for p in sorted((CACHE / "source" / "trees").glob("*")) if p.is_dir()]
    if "realfw" in groups:
        manifest = json.loads((REALFW / "manifest.json").read_text())
        targets += [Target("realfw", img["file"], REALFW / img["file"]) for img in manifest["images"]]
    if not targets:
        log("nothing to scan: run fetch.py first")
        return 2

    # the slowest first, so that two workers finish together: firmware and root filesystems, then
    # source trees by size on disk is not known cheaply, so by name
    order = {"binaries": 0, "realfw": 1, "source": 2}
    targets.sort(key=lambda t: order[t.group])
    workers = max(1, (os.cpu_count() or 2) // max(1, args.jobs))
    log(f"scanning {len(targets)} targets, {args.jobs} at once, {workers} worker(s) each, timeout {args.timeout} s")
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda t: scan_one(t, args.timeout, workers), targets))

    summary: dict[str, Any] = {"targets": []}
    for r in results:
        summary["targets"].append({"group": r.target.group, "name": r.target.name, "kind": r.kind, "files": r.files,
                                   "seconds": r.seconds, "exit": r.exit, "errors": len(r.errors),
                                   "high": len(r.findings), "findings": r.all_findings, "failure": r.failure,
                                   "error_messages": [{"path": e.get("path", ""), "message": e.get("message", "")[:300]}
                                                      for e in r.errors]})
    failures = [r for r in results if r.failure]
    print("target                                                     group     kind      files      s  high  errors")
    for r in results:
        print(f"{r.target.name[:58]:58} {r.target.group:9} {r.kind or '-':8} {r.files:6} {r.seconds:6.1f} "
              f"{len(r.findings):5} {len(r.errors):7}{'  ' + r.failure[:60] if r.failure else ''}")

    # binaries: every high finding on an ELF file counts against the binaries, the others (configs,
    # scripts, documentation of the assembled root filesystems) are counted apart
    elf_files = elf_high = config_high = 0
    elf_flagged: set[tuple[str, str]] = set()  # (rootfs, path): one wpa_supplicant gives dozens of findings
    clean_items: list[dict[str, Any]] = []
    bin_results = [r for r in results if r.target.group == "binaries"]
    per_rootfs: dict[str, dict[str, int]] = {}
    if bin_results:
        for r in bin_results:
            n_elf = count_elf(r.target.path)
            elf_files += n_elf
            per_rootfs[r.target.name] = {"elf_files": n_elf, "elf_high": 0, "other_high": 0}
            for f in r.findings:
                p = finding_file(r.target.path, f["path"])
                on_elf = p is not None and not p.is_symlink() and is_elf(p)
                elf_high += on_elf
                config_high += not on_elf
                if on_elf:
                    elf_flagged.add((r.target.name, f["path"]))
                per_rootfs[r.target.name]["elf_high" if on_elf else "other_high"] += 1
                clean_items.append({**compact(r.target, f), "on": "elf" if on_elf else "other"})
        summary.update(elf_files=elf_files, elf_high=elf_high,
                       per_1000_binaries=round(elf_high * 1000 / elf_files, 2) if elf_files else None,
                       elf_files_flagged=len(elf_flagged),
                       flagged_per_1000_binaries=round(len(elf_flagged) * 1000 / elf_files, 2) if elf_files else None,
                       rootfs_config_high=config_high, rootfs=per_rootfs)
        print(f"\nbinaries: {len(bin_results)} root filesystems, {elf_files} ELF files, {elf_high} high/critical on ELF "
              f"files = {summary['per_1000_binaries']} per 1,000 binaries; {config_high} on other files")
        print(f"  ELF files with at least one: {len(elf_flagged)} = {summary['flagged_per_1000_binaries']} per 1,000: "
              + ", ".join(f"{n}x {p}" for p, n in collections.Counter(p for _r, p in elf_flagged).most_common()))
        print("  " + ", ".join(f"{k}: {v['elf_files']} ELF, {v['elf_high']} high on ELF, {v['other_high']} other"
                               for k, v in per_rootfs.items()))

    src_results = [r for r in results if r.target.group == "source"]
    source_lines = source_high = 0
    if src_results:
        code_files = 0
        for r in src_results:
            lines, files = count_code_lines(r.target.path)
            source_lines += lines
            code_files += files
            source_high += len(r.findings)
            clean_items += [{**compact(r.target, f), "on": "source"} for f in r.findings]
        odd = [r.target.name for r in src_results if r.kind and r.kind != "source"]
        summary.update(source_trees=len(src_results), source_code_files=code_files, source_lines=source_lines,
                       source_high=source_high,
                       per_100k_lines=round(source_high * 100000 / source_lines, 3) if source_lines else None,
                       source_not_detected_as_source=odd)
        print(f"source: {len(src_results)} trees, {code_files} code files, {source_lines} lines of code, "
              f"{source_high} high/critical = {summary['per_100k_lines']} per 100k lines")
        if odd:
            print(f"  trees not detected as source: {', '.join(odd)}")
    if bin_results or src_results:
        summary["clean_high"] = elf_high + source_high + config_high
        summary["clean_findings"] = clean_items
        print_by_rule("clean corpus, high/critical findings by rule", clean_items)

    fw_results = [r for r in results if r.target.group == "realfw"]
    realfw_high = 0
    if fw_results:
        summary["realfw"] = []
        print("\nrealfw: every high/critical finding")
        for r in fw_results:
            realfw_high += len(r.findings)
            summary["realfw"].append({"image": r.target.name, "files": r.files, "seconds": r.seconds,
                                      "errors": len(r.errors), "failure": r.failure,
                                      "high": [compact(r.target, f) for f in r.findings]})
            print(f"  {r.target.name}: {r.files} files, {r.seconds} s, {len(r.errors)} errors, "
                  f"{len(r.findings)} high/critical{' (' + r.failure + ')' if r.failure else ''}")
            for f in r.findings:
                print(f"    {f['severity']:8} {f['rule']:32} {where(f)}")
                print(f"      {f['message'][:200]}")
                print(f"      evidence: {evidence_excerpt(f)}")
        summary["realfw_high"] = realfw_high

    # analyzer crashes and scans that produced nothing are worth a look whatever the figures say
    crashes = [(r.target.name, e["message"]) for r in results for e in r.errors
               if "analyzer" in e.get("message", "") and "failed" in e.get("message", "")]
    summary["analyzer_failures"] = [{"target": n, "message": m} for n, m in crashes]
    if crashes:
        print(f"\nanalyzer failures: {len(crashes)}")
        for n, m in crashes[:20]:
            print(f"  {n}: {m[:200]}")
    # errors by kind: the message with numbers and quoted names blanked, so that alike ones group
    kinds: collections.Counter[str] = collections.Counter()
    for r in results:
        for e in r.errors:
            kinds[re.sub(r"\d+", "N", re.sub(r"'[^']*'", "'…'", e.get("message", "")))[:110]] += 1
    if kinds:
        print(f"\nerrors by kind ({sum(kinds.values())} in all)")
        for k, n in kinds.most_common(15):
            print(f"  {n:5}  {k}")
    if failures:
        print(f"\nscans without a result: {len(failures)}")
        for r in failures:
            print(f"  {r.target.group}/{r.target.name}: {r.failure}")

    summary["seconds"] = round(time.monotonic() - t_start, 1)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(summary, indent=2))
    log(f"summary written to {args.json}")
    print(f"clean elf={elf_files} elf_high={elf_high} per_1000={summary.get('per_1000_binaries')} "
          f"source_trees={len(src_results)} lines={source_lines} source_high={source_high} "
          f"per_100k={summary.get('per_100k_lines')} realfw_high={realfw_high} seconds={summary['seconds']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
