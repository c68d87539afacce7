#!/usr/bin/env python3
"""Precision and speed of the source analysis on real, clean code nobody here wrote.

Downloads source through the package registries with their ordinary clients:

* the most downloaded PyPI projects as sdists (``pip download --no-deps --no-binary :all:``),
* popular npm packages (``npm pack``),
* Debian source packages (busybox, dropbear, openssh, lighttpd, prosody, nmap) with ``apt-get source
  --download-only`` and a private apt state whose deb-src lines are derived from this machine's
  own apt sources (nothing is added to the system configuration),

then runs nobackdoor's source analyzers (file analyzer + build and header-macro tree analyzers)
on every tree, and reports:

* high/critical findings per 100,000 lines (target below 1) with each finding listed,
* throughput in MB of source per CPU-second on one core (target at least 20),
* semgrep (installed in its own venv, not a project dependency) with equivalent local rules on the
  same trees, and the speed ratio.

Usage: ``.venv/bin/python bench/source_precision.py [--workdir DIR] [--skip-download] [--no-semgrep]
[--json out.json]``. Needs network access to the registries for the download step only.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

PYPI = ["boto3", "botocore", "urllib3", "requests", "setuptools", "certifi", "charset-normalizer", "idna",
        "typing_extensions", "python-dateutil", "packaging", "six", "s3transfer", "PyYAML", "pip", "wheel",
        "attrs", "jmespath", "pyasn1", "rsa", "MarkupSafe", "Jinja2", "click", "pytz", "colorama", "cffi",
        "pycparser", "filelock", "platformdirs", "pluggy", "pytest", "tomli", "zipp", "importlib_metadata",
        "psutil", "simplejson", "cachetools", "pyparsing"]
NPM = ["lodash", "express", "chalk", "commander", "debug", "axios", "moment", "uuid", "async", "minimist",
       "yargs", "glob", "semver", "body-parser", "request", "ws", "jquery", "underscore", "fs-extra", "qs"]
BACKENDS = ["setuptools", "wheel", "flit_core", "hatchling", "hatch-vcs", "hatch-fancy-pypi-readme", "setuptools_scm",
            "poetry-core", "pdm-backend", "cffi", "Cython", "maturin", "setuptools-rust", "calver", "expandvars"]
# busybox, dropbear, openssh, lighttpd: what CPE firmware is made of; prosody and nmap: real Lua
# (an XMPP server, and nmap's NSE scripts and libraries), as LuCI web interfaces are Lua
DEBIAN = ["busybox", "dropbear", "openssh", "lighttpd", "prosody", "nmap"]

SEMGREP_RULES = """
rules:
  - id: magic-literal-gates-exec-c
    languages: [c]
    severity: ERROR
    message: input compared with a literal gates command execution
    patterns:
      - pattern-either:
          - pattern: if (strcmp($X, "...") == 0) { ... system(...); ... }
          - pattern: if (!strcmp($X, "...")) { ... system(...); ... }
          - pattern: if (strcmp($X, "...") == 0) { ... execl(...); ... }
          - pattern: if (!strcmp($X, "...")) { ... execl(...); ... }
          - pattern: if (strcmp($X, "...") == 0) { ... popen(...); ... }
          - pattern: if (strcmp($X, "...") == 0) { ... setuid(0); ... }
  - id: uid-assign-in-condition-c
    languages: [c]
    severity: ERROR
    message: privilege variable assigned inside a condition
    pattern-either:
      - pattern: if (<... $X->uid = 0 ...>) ...
      - pattern: if (<... $X.uid = 0 ...>) ...
  - id: magic-literal-gates-eval-js
    languages: [javascript, typescript]
    severity: ERROR
    message: request value compared with a literal gates eval
    pattern-either:
      - pattern: if ($REQ.headers[$H] === "...") { ... eval(...); ... }
      - pattern: if ($X === "...") { ... eval(...); ... }
      - pattern: if ($X == "...") { ... eval(...); ... }
  - id: eval-decoded-js
    languages: [javascript, typescript]
    severity: ERROR
    message: eval of decoded data
    pattern-either:
      - pattern: eval(Buffer.from($X, "base64").toString(...))
      - pattern: eval(atob(...))
  - id: master-password-python
    languages: [python]
    severity: ERROR
    message: password compared with a literal grants access
    pattern-either:
      - pattern: |
          if $PW == "...":
            ...
            return ...
  - id: eval-decoded-python
    languages: [python]
    severity: ERROR
    message: exec/eval of decoded data
    pattern-either:
      - pattern: exec(base64.b64decode(...))
      - pattern: eval(base64.b64decode(...))
      - pattern: exec(zlib.decompress(...))
      - pattern: exec(marshal.loads(...))
  - id: eval-decoded-php
    languages: [php]
    severity: ERROR
    message: eval of decoded data
    pattern-either:
      - pattern: eval(base64_decode(...))
      - pattern: eval(gzinflate(...))
  - id: curl-pipe-sh
    languages: [bash]
    severity: ERROR
    message: download piped into a shell
    pattern-either:
      - pattern: curl ... | sh
      - pattern: wget ... | sh
"""


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run(cmd: list[str], cwd: Path | None = None, timeout: int = 600, env: dict | None = None) -> bool:
    try:
        r = subprocess.run(cmd, cwd=cwd, timeout=timeout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log(f"  {' '.join(cmd[:4])}: {exc}")
        return False
    if r.returncode != 0:
        log(f"  {' '.join(cmd[:4])}: exit {r.returncode}: {r.stderr.decode(errors='replace')[-300:]}")
    return r.returncode == 0


def safe_extract(archive: Path, dest: Path) -> None:
    """Extract a registry archive (tar or zip) without following links out of dest."""
    dest.mkdir(parents=True, exist_ok=True)
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as z:
            for m in z.infolist():
                target = (dest / m.filename).resolve()
                if str(target).startswith(str(dest.resolve())) and not m.is_dir():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(z.read(m)[:64 * 1024 * 1024])
        return
    with tarfile.open(archive) as t:
        t.extractall(dest, filter="data")


def download(work: Path) -> list[Path]:
    dl = work / "downloads"
    trees = work / "trees"
    dl.mkdir(parents=True, exist_ok=True)
    trees.mkdir(parents=True, exist_ok=True)
    # PyPI sdists. pip prepares metadata of each sdist; with build isolation that means building
    # every build backend from source too, so a helper venv holds the common backends (as wheels)
    # and pip runs without isolation there.
    helper = work / "dl-venv"
    py = helper / "bin" / "python"
    if not py.exists():
        run([sys.executable, "-m", "venv", str(helper)])
        run([str(py), "-m", "pip", "install", "-q", *BACKENDS], timeout=900)
    for name in PYPI:
        if any(p.name.lower().startswith(name.lower().replace("-", "_")) or p.name.lower().startswith(name.lower())
               for p in (dl / "pypi").glob("*")) if (dl / "pypi").exists() else False:
            continue
        log(f"pypi {name}")
        run([str(py), "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--no-build-isolation",
             "-d", str(dl / "pypi"),
             "-q", name], timeout=300)
    # npm tarballs
    (dl / "npm").mkdir(exist_ok=True)
    if shutil.which("npm"):
        for name in NPM:
            if not list((dl / "npm").glob(f"{name}-*.tgz")):
                log(f"npm {name}")
                run(["npm", "pack", "--silent", name], cwd=dl / "npm", timeout=300)
    # Debian sources with a private apt state derived from this machine's sources
    debdir = dl / "debian"
    debdir.mkdir(exist_ok=True)
    missing = [n for n in DEBIAN if not list(debdir.glob(f"{n}_*.orig.tar.*"))]
    if shutil.which("apt-get") and missing:
        apt = work / "apt"
        parts = apt / "sources.list.d"
        parts.mkdir(parents=True, exist_ok=True)
        (apt / "lists" / "partial").mkdir(parents=True, exist_ok=True)
        (apt / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
        for src in Path("/etc/apt/sources.list.d").glob("*.sources"):
            text = src.read_text()
            if "Types: deb" in text and "debian" in src.name:
                (parts / src.name).write_text(re.sub(r"^Types: deb$", "Types: deb-src", text, flags=re.M))
        for src in [Path("/etc/apt/sources.list")]:
            if src.exists():
                lines = [ln.replace("deb ", "deb-src ", 1) for ln in src.read_text().splitlines()
                         if ln.startswith("deb ")]
                if lines:
                    (parts / "derived.list").write_text("\n".join(lines) + "\n")
        opts = ["-o", "Dir::Etc::SourceList=/dev/null", "-o", f"Dir::Etc::SourceParts={parts}",
                "-o", f"Dir::State::Lists={apt / 'lists'}", "-o", f"Dir::Cache={apt / 'cache'}"]
        if run(["apt-get", *opts, "update", "-qq"], timeout=600):
            for name in missing:
                log(f"debian {name}")
                run(["apt-get", *opts, "source", "--download-only", "-qq", name], cwd=debdir, timeout=600)
    # extract
    out = []
    for archive in sorted(list((dl / "pypi").glob("*")) + list((dl / "npm").glob("*.tgz")) +
                          [p for p in debdir.glob("*.orig.tar.*") if not p.name.endswith(".asc")]):
        dest = trees / re.sub(r"(\.tar\.(gz|xz|bz2)|\.tgz|\.zip)$", "", archive.name)
        if not dest.exists():
            try:
                safe_extract(archive, dest)
            except (tarfile.TarError, zipfile.BadZipFile, OSError) as exc:
                log(f"  cannot extract {archive.name}: {exc}")
                continue
        out.append(dest)
    return out


def reference_loop() -> float:
    """CPU seconds of a fixed pure-Python loop: 0.3-0.6 on this 2-vCPU VM when idle; about twice
    that when the sibling vCPU is busy (the two share a core). Printed so that a reader can tell a
    slow analysis from a loaded machine."""
    t = time.process_time()
    acc = 0
    for i in range(5_000_000):
        acc += i * i
    return round(time.process_time() - t, 3)


def analyse(trees: list[Path], repeat: int = 3) -> dict:
    """Findings of one pass; CPU time of ``repeat`` passes over all trees. The machine is a shared
    VM whose CPU time per pass varies by up to 1.5x, so the best pass is the figure (as timeit
    does) and the median and the first (cold: grammars and queries loaded) are printed beside it."""
    from nobackdoor.analyzers.source.standalone import analyse_directory

    passes: list[float] = []
    for i in range(max(1, repeat)):
        total_bytes = total_lines = files = 0
        cpu = 0.0
        findings = []
        errors: list[str] = []
        for root in trees:
            run_ = analyse_directory(root)
            files += run_.files
            total_bytes += run_.bytes
            total_lines += run_.lines
            cpu += run_.cpu_seconds
            findings += [(root.name, f) for f in run_.findings]
            errors += [f"{root.name}/{e}" for e in run_.errors]
        passes.append(cpu)
    cpu = min(passes)
    for e in errors:
        log(f"  error {e}")
    high = [(t, f) for t, f in findings if f.severity.value in ("high", "critical")]
    return {
        "trees": len(trees), "files": files, "bytes": total_bytes, "lines": total_lines,
        "cpu_seconds": round(cpu, 3), "mb_per_cpu_second": round(total_bytes / 1e6 / cpu, 2) if cpu else None,
        "cpu_seconds_per_pass": [round(p, 3) for p in passes],
        "mb_per_cpu_second_median": round(total_bytes / 1e6 / statistics.median(passes), 2),
        "high_critical": len(high),
        "high_critical_per_100k_lines": round(len(high) * 100000 / total_lines, 3) if total_lines else None,
        "all_findings": len(findings), "errors": len(errors),
        "findings": [{"tree": t, "rule": f.rule, "severity": f.severity.value, "path": f.path, "line": f.line,
                      "message": f.message} for t, f in findings],
    }


def semgrep(work: Path, trees_dir: Path) -> dict:
    venv = Path(os.environ.get("SEMGREP_VENV", "/tmp/semgrep-venv"))
    exe = venv / "bin" / "semgrep"
    if not exe.exists():
        log("installing semgrep into its own venv")
        if not run([sys.executable, "-m", "venv", str(venv)]) or not run(
                [str(venv / "bin" / "pip"), "install", "-q", "semgrep"], timeout=900):
            return {"error": "semgrep could not be installed"}
    rules = work / "semgrep-rules.yaml"
    rules.write_text(SEMGREP_RULES)
    env = {**os.environ, "SEMGREP_SEND_METRICS": "off", "SEMGREP_ENABLE_VERSION_CHECK": "0"}
    before = os.times()
    t0 = time.monotonic()
    r = subprocess.run([str(exe), "scan", "--config", str(rules), "--metrics=off", "--disable-version-check",
                        "-j", "1", "--json", "--quiet", "--max-target-bytes", "4000000", str(trees_dir)],
                       capture_output=True, env=env, timeout=3600)
    wall = time.monotonic() - t0
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    try:
        doc = json.loads(r.stdout or b"{}")
    except ValueError:
        doc = {}
    return {"wall_seconds": round(wall, 2), "cpu_seconds": round(cpu, 2), "exit": r.returncode,
            "results": len(doc.get("results", [])), "scanned_files": len((doc.get("paths") or {}).get("scanned", []))}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", default="/tmp/nobackdoor-precision")
    ap.add_argument("--skip-download", action="store_true")
    ap.add_argument("--no-semgrep", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes over the trees (best one reported)")
    args = ap.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    trees = sorted(p for p in (work / "trees").glob("*") if p.is_dir()) if args.skip_download else download(work)
    log(f"{len(trees)} source trees")
    before = reference_loop()
    res = analyse(trees, args.repeat)
    res["reference_loop_cpu_seconds"] = [before, reference_loop()]
    print(f"trees={res['trees']} files={res['files']} MB={res['bytes'] / 1e6:.1f} lines={res['lines']}")
    print(f"high/critical findings: {res['high_critical']} = {res['high_critical_per_100k_lines']} per 100k lines "
          f"(all severities: {res['all_findings']}, analyzer errors: {res['errors']})")
    for f in res["findings"]:
        print(f"  {f['severity']:8} {f['rule']:38} {f['tree']}/{f['path']}:{f['line']}  {f['message'][:110]}")
    print(f"throughput: {res['mb_per_cpu_second']} MB/s of source per core "
          f"({res['bytes'] / 1e6:.1f} MB in {res['cpu_seconds']} CPU s, best of {len(res['cpu_seconds_per_pass'])} "
          f"passes; median {res['mb_per_cpu_second_median']} MB/s; CPU s per pass, first one cold: "
          f"{', '.join(map(str, res['cpu_seconds_per_pass']))})")
    print(f"machine state: reference loop {res['reference_loop_cpu_seconds'][0]} s before, "
          f"{res['reference_loop_cpu_seconds'][1]} s after (0.3-0.6 s idle, about twice that on a loaded host)")
    if not args.no_semgrep:
        sg = semgrep(work, work / "trees")
        res["semgrep"] = sg
        if "error" not in sg and sg.get("cpu_seconds"):
            ratio = sg["cpu_seconds"] / res["cpu_seconds"] if res["cpu_seconds"] else None
            res["semgrep_cpu_ratio"] = round(ratio, 2) if ratio else None
            print(f"semgrep (-j 1, {len(SEMGREP_RULES.split('- id:')) - 1} local rules): {sg['cpu_seconds']} CPU s, "
                  f"{sg['wall_seconds']} s wall, {sg['results']} results on {sg['scanned_files']} files; "
                  f"nobackdoor is {res['semgrep_cpu_ratio']}x faster per CPU second")
        else:
            print(f"semgrep: {sg}")
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
