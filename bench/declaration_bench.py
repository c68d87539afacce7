#!/usr/bin/env python3
"""Check the declaration on every planted/clean pair of the labelled benchmark.

For each pair: draft a declaration from the clean twin (``nobackdoor declare``), then
  * scan the clean twin with it: it must be quiet (exit 0, nothing high or critical);
  * scan the planted twin with it: the plant must still be detected (the scorer's rule: listed
    category, severity >= medium, labelled path), and we note whether a ``declaration.*`` finding
    (an undeclared account, service, listener, key or endpoint) names it.

    .venv/bin/python bench/declaration_bench.py [--bench /work/shared/bench] [--only SUBSTR] [--jobs 2]

Last line: ``quiet=<clean twins quiet>/<pairs> detected=<plants>/<total> undeclared=<plants named by
the declaration>/<total> seconds=<s>``.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from diff_bench import HERE, SEVERITY, label_paths, path_matches  # noqa: E402


def scan(tool: str, target: Path, decl: Path) -> tuple[int, dict]:
    proc = subprocess.run([tool, "scan", str(target), "--declaration", str(decl), "--format", "json"],
                          capture_output=True, text=True, timeout=900)
    try:
        return proc.returncode, json.loads(proc.stdout)
    except ValueError:
        return proc.returncode, {"findings": [], "error": proc.stderr[-300:]}


def run_pair(tool: str, bench: Path, planted: dict) -> dict:
    t0 = time.monotonic()
    clean, art = bench / planted["twin_of"], bench / planted["artifact"]
    single = planted.get("kind") == "binary"
    with tempfile.TemporaryDirectory() as tmp:
        decl = Path(tmp) / "nobackdoor.yml"
        subprocess.run([tool, "declare", str(clean), "-o", str(decl)], capture_output=True, timeout=900)
        rc_clean, doc_clean = scan(tool, clean, decl)
        rc_planted, doc_planted = scan(tool, art, decl)
    loud = [f"{f['severity']} {f['rule']} {f['path']}" for f in doc_clean["findings"] if SEVERITY[f["severity"]] >= 3]
    plants = []
    for b in planted["backdoors"]:
        def on_plant(f: dict) -> bool:
            return any(path_matches(f.get("path"), p, single) for p in label_paths(b)) and SEVERITY[f["severity"]] >= 2
        detected = any(on_plant(f) and f["category"] in b["categories"] for f in doc_planted["findings"])
        undeclared = sorted({f["rule"] for f in doc_planted["findings"] if on_plant(f) and f["rule"].startswith("declaration.")})
        plants.append({"id": b["id"], "detected": detected, "undeclared": undeclared})
    return {"artifact": planted["artifact"], "quiet": rc_clean == 0 and not loud, "clean_loud": loud,
            "planted_exit": rc_planted, "plants": plants, "seconds": round(time.monotonic() - t0, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", type=Path, default=HERE.parent / "shared" / "bench")
    ap.add_argument("--tool", default=str(HERE / ".venv/bin/nobackdoor"))
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    labels = json.loads((args.bench / "labels.json").read_text())
    pairs = [a for a in labels if a.get("backdoors") and a.get("twin_of")]
    if args.only:
        pairs = [a for a in pairs if any(s in a["artifact"] for s in args.only)]
    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        rows = list(pool.map(lambda a: run_pair(args.tool, args.bench, a), pairs))
    quiet = sum(r["quiet"] for r in rows)
    total = sum(len(r["plants"]) for r in rows)
    detected = sum(p["detected"] for r in rows for p in r["plants"])
    undeclared = sum(bool(p["undeclared"]) for r in rows for p in r["plants"])
    for r in rows:
        plants = ", ".join(f"{p['id']}:{'detected' if p['detected'] else 'MISSED'}"
                           f"{' undeclared(' + '/'.join(p['undeclared']) + ')' if p['undeclared'] else ''}"
                           for p in r["plants"])
        print(f"{'quiet' if r['quiet'] else 'LOUD '} {r['artifact']} ({r['seconds']}s) {plants}")
        for x in r["clean_loud"]:
            print(f"        clean twin: {x}")
    print(f"quiet={quiet}/{len(rows)} detected={detected}/{total} undeclared={undeclared}/{total} "
          f"seconds={round(time.monotonic() - t0, 1)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
