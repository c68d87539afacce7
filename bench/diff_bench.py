#!/usr/bin/env python3
"""Check ``nobackdoor diff TWIN PLANTED`` on every planted/clean pair of the labelled benchmark.

For each planted artifact of labels.json and its clean twin (``twin_of``), the diff must
  * name the plant: a finding of the diff document (what the planted version adds) with one of the
    plant's categories, severity medium or higher, and a path ending with one of its labelled paths
    (the scorer's own matching rule), and
  * add nothing at high or critical besides it: every high/critical finding of the diff lies on one
    of the plant's labelled paths.

    .venv/bin/python bench/diff_bench.py [--bench /work/shared/bench] [--only SUBSTR] [--jobs 2] [--json OUT]

Prints one line per pair and a final line ``named=<n>/<pairs> extra_high=<n> seconds=<s>``.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SEVERITY = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
HERE = Path(__file__).resolve().parent.parent


def components(path: str) -> list[str]:
    return [c for c in str(path or "").replace("\\", "/").split("/") if c not in ("", ".")]


def path_matches(finding_path: str, label_path: str, single_file: bool) -> bool:
    fc, lc = components(finding_path), components(label_path)
    if single_file and not fc:
        return True
    return bool(lc) and len(fc) >= len(lc) and fc[-len(lc):] == lc


def label_paths(backdoor: dict) -> list[str]:
    return list(backdoor.get("paths") or ([backdoor["path"]] if backdoor.get("path") else []))


def run_pair(tool: str, bench: Path, planted: dict, timeout: int) -> dict:
    twin = bench / planted["twin_of"]
    art = bench / planted["artifact"]
    single = planted.get("kind") == "binary"
    t0 = time.monotonic()
    cmd = [tool, "diff", str(twin), str(art), "--format", "json"]
    if planted.get("reference"):
        pass  # release artifacts diff like source trees
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        doc = json.loads(proc.stdout)
    except subprocess.TimeoutExpired:
        return {"artifact": planted["artifact"], "error": "timeout", "seconds": timeout}
    except ValueError:
        return {"artifact": planted["artifact"], "error": f"no JSON (exit {proc.returncode}): {proc.stderr[-300:]}",
                "seconds": round(time.monotonic() - t0, 1)}
    findings = doc.get("findings") or []
    named, extra = [], []
    plant_paths = [p for b in planted["backdoors"] for p in label_paths(b)]
    for b in planted["backdoors"]:
        hit = [f for f in findings if f.get("category") in b["categories"]
               and SEVERITY.get(f.get("severity"), 0) >= 2
               and any(path_matches(f.get("path"), p, single) for p in label_paths(b))]
        named.append({"id": b["id"], "named": bool(hit), "by": sorted({f["rule"] for f in hit})})
    for f in findings:
        if SEVERITY.get(f.get("severity"), 0) >= 3 and not any(path_matches(f.get("path"), p, single) for p in plant_paths):
            extra.append(f"{f['severity']} {f['rule']} {f['path']}: {f['message'][:100]}")
    delta = (doc.get("delta") or {}).get("security") or []
    return {"artifact": planted["artifact"], "twin": planted["twin_of"], "named": named, "extra_high": extra,
            "delta_items": len(delta), "exit": proc.returncode, "seconds": round(time.monotonic() - t0, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", type=Path, default=HERE.parent / "shared" / "bench")
    ap.add_argument("--tool", default=str(HERE / ".venv/bin/nobackdoor"))
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    labels = json.loads((args.bench / "labels.json").read_text())
    planted = [a for a in labels if a.get("backdoors") and a.get("twin_of")]
    if args.only:
        planted = [a for a in planted if any(s in a["artifact"] for s in args.only)]
    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        rows = list(pool.map(lambda a: run_pair(args.tool, args.bench, a, args.timeout), planted))
    named_total = plants = extra_total = 0
    for r in rows:
        if "error" in r:
            print(f"ERROR  {r['artifact']}: {r['error']}")
            plants += 1
            continue
        for n in r["named"]:
            plants += 1
            named_total += n["named"]
        ok = all(n["named"] for n in r["named"]) and not r["extra_high"]
        names = ", ".join(f"{n['id']}:{'named by ' + '/'.join(n['by']) if n['named'] else 'NOT NAMED'}" for n in r["named"])
        print(f"{'ok    ' if ok else 'FAIL  '} {r['artifact']} ({r['seconds']}s, {r['delta_items']} delta items) {names}")
        for x in r["extra_high"]:
            print(f"         extra: {x}")
        extra_total += len(r["extra_high"])
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    print(f"named={named_total}/{plants} extra_high={extra_total} seconds={round(time.monotonic() - t0, 1)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
