#!/usr/bin/env python3
"""Score nobackdoor on the blind variant corpus, per mechanism class, with the clean-corpus figures.

    .venv/bin/python bench/score_variants.py [--split test|train] [--labels FILE] [--only CLASS ...]
                                             [--jobs N] [--timeout S] [--clean-summary FILE]
                                             [--by AXIS] [--failures] [--json OUT]

Default: the `test` split of bench/variants/out (build it with bench/variants/generate.py). `test` is
only ever scored; study failures on `--split train` (`--failures` lists each missed plant and each
false alarm with the findings that were there).

A planted back door is found when one finding has one of its categories, severity medium or above,
and a path whose '/'-separated components end with one of its labelled paths ("." = the artifact
itself, for single binaries). A clean twin with a high or critical finding is a false alarm.
Scans that fail (crash, no JSON, timeout) count as misses and are listed.

The clean-corpus figures come from bench/clean/scan.py's summary (bench/cache/clean/summary.json by
default); `clean_high` is its count of high/critical findings on real clean Debian binaries, source
trees and root filesystems ("unmeasured" when no summary exists).

Last line: `variants recall=X/Y false_alarms=N clean_high=M seconds=S`.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VARIANTS = REPO / "bench" / "variants"
SEVERITY = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
DEFAULT_CLEAN = REPO / "bench" / "cache" / "clean" / "summary.json"


def components(path: str) -> list[str]:
    return [c for c in str(path or "").replace("\\", "/").split("/") if c not in ("", ".")]


def path_matches(finding_path: str, label_path: str) -> bool:
    want = components(label_path)
    if not want:  # "." : the artifact itself (a single binary): every finding is about it
        return True
    have = components(finding_path)
    return len(have) >= len(want) and have[-len(want):] == want


def found(backdoor: dict, findings: list[dict]) -> dict | None:
    """The first finding that detects this back door, or None."""
    cats = set(backdoor["categories"])
    for f in findings:
        if SEVERITY.get(str(f.get("severity", "")).lower(), -1) < SEVERITY["medium"]:
            continue
        if str(f.get("category", "")).lower() not in cats:
            continue
        if any(path_matches(f.get("path", ""), p) for p in backdoor["paths"]):
            return f
    return None


def scan(exe: str, artifact: Path, timeout: float) -> tuple[dict | None, str | None, float]:
    start = time.monotonic()
    proc = subprocess.Popen([exe, "scan", str(artifact), "--format", "json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None, f"timeout after {timeout:.0f} s", time.monotonic() - start
    secs = time.monotonic() - start
    try:
        data = json.loads(out.decode("utf-8", errors="replace"))
    except ValueError:
        tail = (err.decode("utf-8", errors="replace").strip().splitlines() or [""])[-1]
        return None, f"exit {proc.returncode}, no JSON ({tail[:160]})", secs
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        return None, "no findings list", secs
    return data, None, secs


def load_clean(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=["test", "train"], default="test")
    ap.add_argument("--labels", type=Path, help="labels.json (default: bench/variants/out/<split>/labels.json)")
    ap.add_argument("--only", nargs="*", default=[], help="classes to score")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--exe", default=str(REPO / ".venv" / "bin" / "nobackdoor"))
    ap.add_argument("--clean-summary", type=Path, default=DEFAULT_CLEAN)
    ap.add_argument("--by", default="", help="also break recall down by this variant axis (arch, lang, ...)")
    ap.add_argument("--failures", action="store_true", help="list misses and false alarms with their findings")
    ap.add_argument("--results-dir", type=Path, help="keep each scan's JSON here")
    ap.add_argument("--json", type=Path, help="write the figures as JSON")
    args = ap.parse_args(argv)

    labels_path = args.labels or VARIANTS / "out" / args.split / "labels.json"
    try:
        labels = json.loads(labels_path.read_text())
    except (OSError, ValueError) as exc:
        print(f"cannot read labels {labels_path}: {exc} (run bench/variants/generate.py)", file=sys.stderr)
        return 2
    if args.only:
        labels = [e for e in labels if e["class"] in set(args.only)]
    base = labels_path.parent
    results_dir = args.results_dir
    if results_dir:
        results_dir.mkdir(parents=True, exist_ok=True)

    start = time.monotonic()

    def run(entry: dict) -> tuple[dict, dict | None, str | None, float]:
        data, err, secs = scan(args.exe, base / entry["artifact"], args.timeout)
        if results_dir and data is not None:
            (results_dir / (entry["artifact"].replace("/", "__") + ".json")).write_text(json.dumps(data, indent=1))
        return entry, data, err, secs

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        outcomes = list(pool.map(run, labels))
    total_seconds = time.monotonic() - start

    per_class: dict[str, dict] = defaultdict(lambda: {"found": 0, "plants": 0, "twins": 0, "false_alarms": 0,
                                                       "failures": 0, "seconds": 0.0})
    per_axis: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses, alarms, failures = [], [], []
    for entry, data, err, secs in outcomes:
        row = per_class[entry["class"]]
        row["seconds"] += secs
        findings = data["findings"] if data else []
        if err:
            row["failures"] += 1
            failures.append((entry["artifact"], err))
        if entry["backdoors"]:
            for bd in entry["backdoors"]:
                row["plants"] += 1
                hit = found(bd, findings)
                axis = str(entry.get("variant", {}).get(args.by, entry.get(args.by, "?"))) if args.by else ""
                if args.by:
                    per_axis[f"{entry['class']}:{axis}"][1] += 1
                if hit:
                    row["found"] += 1
                    if args.by:
                        per_axis[f"{entry['class']}:{axis}"][0] += 1
                else:
                    misses.append((entry, bd, findings, err))
        else:
            row["twins"] += 1
            high = [f for f in findings if SEVERITY.get(str(f.get("severity", "")).lower(), -1) >= SEVERITY["high"]]
            if high:
                row["false_alarms"] += 1
                alarms.append((entry, high))

    print(f"{'class':26} {'recall':>9} {'pct':>5} {'twins FA':>9} {'fail':>4} {'s':>7}")
    for cls in sorted(per_class):
        r = per_class[cls]
        pct = 100.0 * r["found"] / r["plants"] if r["plants"] else 0.0
        print(f"{cls:26} {r['found']:>4}/{r['plants']:<4} {pct:>5.0f} {r['false_alarms']:>4}/{r['twins']:<4} "
              f"{r['failures']:>4} {r['seconds']:>7.1f}")
    if args.by:
        print(f"\nby {args.by}:")
        for key in sorted(per_axis):
            f_, t_ = per_axis[key]
            print(f"  {key:40} {f_}/{t_}")
    ranked = sorted(per_class, key=lambda c: (per_class[c]["found"] / max(1, per_class[c]["plants"]), c))
    print("\nlowest recall: " + ", ".join(
        f"{c} {per_class[c]['found']}/{per_class[c]['plants']}" for c in ranked[:5]))

    if args.failures:
        for entry, bd, findings, err in misses:
            print(f"\nMISS {entry['artifact']} [{entry['class']}] {json.dumps(entry.get('variant', {}))}")
            print(f"     want {bd['categories']} at {bd['paths']}: {bd['note'][:200]}")
            if err:
                print(f"     scan failed: {err}")
            for f in findings[:8]:
                print(f"     got {f.get('severity')} {f.get('category')} {f.get('rule')} {f.get('path')}")
        for entry, high in alarms:
            print(f"\nFALSE ALARM {entry['artifact']} [{entry['class']}]")
            for f in high[:8]:
                print(f"     {f.get('severity')} {f.get('rule')} {f.get('path')}: {str(f.get('message'))[:140]}")
    for art, err in failures:
        print(f"FAILED {art}: {err}", file=sys.stderr)

    clean = load_clean(args.clean_summary)
    if clean:
        print(f"\nclean corpus ({args.clean_summary}): {clean.get('elf_files')} ELF files, "
              f"{clean.get('elf_high')} high/critical ({clean.get('per_1000_binaries')} per 1,000); "
              f"{clean.get('source_trees')} source trees, {clean.get('source_lines')} lines, "
              f"{clean.get('source_high')} high/critical ({clean.get('per_100k_lines')} per 100k lines); "
              f"root-filesystem configuration {clean.get('rootfs_config_high')}")
    clean_high = clean.get("clean_high") if clean else "unmeasured"

    found_total = sum(r["found"] for r in per_class.values())
    plants_total = sum(r["plants"] for r in per_class.values())
    fa_total = sum(r["false_alarms"] for r in per_class.values())
    if args.json:
        args.json.write_text(json.dumps({"split": args.split, "labels": str(labels_path), "classes": per_class,
                                         "recall": [found_total, plants_total], "false_alarms": fa_total,
                                         "clean_high": clean_high, "seconds": round(total_seconds, 1),
                                         "failures": failures}, indent=1, sort_keys=True))
    print(f"variants recall={found_total}/{plants_total} false_alarms={fa_total} clean_high={clean_high} "
          f"seconds={total_seconds:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
