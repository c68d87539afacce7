#!/usr/bin/env python3
"""Evasion bench: apply each cheap evasion to every planted back door and check it is still found.

    .venv/bin/python bench/evasion.py [--labels FILE ...] [--transform NAME ...] [--limit N]
                                      [--jobs N] [--json OUT]

Default plants: ../shared/bench (labels.json) and bench/variants/out/train (never `test`). A plant
counts only when the untransformed artifact is detected (so each transform is judged on what the
scanner finds today). For each applicable transform, the transformed artifact is scanned and the
plant must still be found (same rule of matching as score_variants.py). A lost plant with no
`errors` entry is *silent*: the scanner neither found it nor said what it could not read.

Transforms (an adversary who reads nobackdoor would try each):
  sstrip          ELF without section headers, cut after its segments (OpenWrt/Buildroot style);
                  for a firmware plant, its planted ELF files, packed again
  strip           the planted ELF files stripped of symbols and debug sections (llvm-strip --strip-all)
  append-junk     64 KiB of random bytes appended to a file artifact
  rename          the artifact under a name that says nothing (no extension)
  nest            the artifact one container deeper (zip for files, tar.gz for directories)
  odd-offset      the artifact after a 499-byte vendor header, padded to an odd size
  long-line       one 40 KB comment line at the top of the planted source file
  repack          the root filesystem in another container (squashfs <-> tar.gz)
  passwd-junk     a line of binary junk in etc/passwd and etc/shadow (account plants)
  pad-script      the planted script padded with 2.5 MB of comments before the plant
  symlink-decoy   tar.gz whose planted files first appear as absolute symlinks, then for real

Last line: `evasion recall=X/Y silent=N`.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import evasion_transforms  # noqa: E402
from score_variants import found, scan  # noqa: E402

EXE = str(REPO / ".venv" / "bin" / "nobackdoor")
SHARED_LABELS = REPO.parent / "shared" / "bench" / "labels.json"
TRAIN_LABELS = HERE / "variants" / "out" / "train" / "labels.json"
COMMENT = {".c": "//", ".h": "//", ".cc": "//", ".cpp": "//", ".js": "//", ".ts": "//", ".go": "//",
           ".java": "//", ".php": "//", ".py": "#", ".pl": "#", ".pm": "#", ".sh": "#", ".lua": "--",
           ".rb": "#", "": "#"}
SCRIPT_DIRS = ("etc/init.d/", "etc/rc", "etc/crontabs/", "etc/hotplug", "etc/udev", "etc/profile", "usr/lib/",
               "etc/ppp/", "sbin/", "usr/sbin/", "usr/bin/", "bin/")
EPOCH = 1704067200
STRIP = shutil.which("llvm-strip") or "strip"


def load(path: Path) -> list[dict]:
    base = path.parent
    entries = json.loads(path.read_text())
    out = []
    for e in entries:
        if not e.get("backdoors") or e.get("reference"):
            continue
        e = dict(e)
        e["_abs"] = base / e["artifact"]
        for bd in e["backdoors"]:
            bd.setdefault("paths", [bd["path"]] if bd.get("path") else [])
            if e.get("kind") == "binary":
                bd["paths"] = ["."]  # a single binary: its findings are about it, whatever its name
        out.append(e)
    return out


# ----------------------------------------------------------------------------- helpers

def _is_elf(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) == b"\x7fELF"


def _tar_dir(tree: Path, out: Path, decoys: list[str] = ()) -> Path:
    """tar.gz of a tree; each of ``decoys`` first appears as an absolute symlink, then for real."""
    with tarfile.open(out, "w:gz") as tf:
        for rel in decoys:
            ti = tarfile.TarInfo(rel)
            ti.type, ti.linkname, ti.mtime = tarfile.SYMTYPE, "/dev/null", EPOCH
            tf.addfile(ti)
        for p in sorted(tree.rglob("*")):
            ti = tf.gettarinfo(str(p), arcname=p.relative_to(tree).as_posix())
            ti.mtime, ti.uid, ti.gid = EPOCH, 0, 0
            if ti.isreg():
                with open(p, "rb") as fh:
                    tf.addfile(ti, fh)
            else:
                tf.addfile(ti)
    return out


def _squash(tree: Path, out: Path) -> Path:
    subprocess.run(["mksquashfs", str(tree), str(out), "-noappend", "-all-root", "-comp", "gzip", "-quiet",
                    "-no-progress", "-all-time", str(EPOCH), "-mkfs-time", str(EPOCH)], check=True,
                   capture_output=True)
    return out


def _label_files(entry: dict) -> list[str]:
    return [p for bd in entry["backdoors"] for p in bd["paths"] if p not in (".", "")]


def extract_root(entry: dict, work: Path) -> Path | None:
    """The innermost tree of a firmware or source artifact that holds its planted files."""
    art = entry["_abs"]
    if art.is_dir():
        dest = work / "tree"
        shutil.copytree(art, dest, symlinks=True)
        return dest
    keep = work / "x"
    subprocess.run([EXE, "scan", str(art), "--format", "json", "--keep-extracted", str(keep), "-o", os.devnull],
                   capture_output=True, timeout=600)
    wanted = _label_files(entry)
    if not wanted:
        return None
    for p in sorted(keep.rglob("*"), key=lambda q: len(q.parts)):
        rel = p.relative_to(keep).as_posix()
        for w in wanted:
            if rel.endswith("/" + w) and (p.is_file() or p.is_symlink()):
                root = Path(str(p)[: -len(w) - 1])
                dest = work / "tree"
                shutil.copytree(root, dest, symlinks=True)
                return dest
    return None


def _repack_like(entry: dict, tree: Path, work: Path, name: str) -> Path:
    """The tree in a container of the artifact's kind: a directory stays one, else squashfs."""
    if entry["_abs"].is_dir():
        return tree
    return _squash(tree, work / f"{name}.sqfs")


# ----------------------------------------------------------------------------- transforms

def _elf_plants(entry: dict, tree: Path) -> list[Path]:
    return [tree / rel for rel in _label_files(entry)
            if (tree / rel).is_file() and not (tree / rel).is_symlink() and _is_elf(tree / rel)]


def _rewrite_elves(entry: dict, work: Path, rewrite) -> Path | None:
    """Apply ``rewrite(path)`` to the planted ELF file: the artifact itself, or the planted ELF files
    of a firmware tree, which is then packed again in a container of its kind."""
    art = entry["_abs"]
    if art.is_file() and _is_elf(art):
        out = work / art.name
        shutil.copyfile(art, out)
        rewrite(out)
        return out
    if entry.get("kind") not in ("firmware", "rootfs"):
        return None
    tree = extract_root(entry, work)
    elves = _elf_plants(entry, tree) if tree else []
    if not elves:
        return None
    for f in elves:
        rewrite(f)
    return _repack_like(entry, tree, work, "rootfs")


def t_sstrip(entry, work):
    return _rewrite_elves(entry, work, lambda f: f.write_bytes(evasion_transforms.sstrip(f.read_bytes())))


def t_strip(entry, work):
    # llvm-strip reads every architecture; --strip-all drops .symtab and debug sections, keeps .dynsym
    return _rewrite_elves(entry, work, lambda f: subprocess.run(
        [STRIP, "--strip-all", str(f)], check=True, capture_output=True))


def t_append_junk(entry, work):
    art = entry["_abs"]
    if not art.is_file():
        return None
    out = work / art.name
    out.write_bytes(art.read_bytes() + random.Random(art.name).randbytes(64 * 1024))
    return out


def t_rename(entry, work):
    art = entry["_abs"]
    out = work / "payload0"
    (shutil.copytree(art, out, symlinks=True) if art.is_dir() else shutil.copyfile(art, out))
    return out


def t_nest(entry, work):
    art = entry["_abs"]
    if art.is_dir():
        return _tar_dir(art, work / "bundle.tar.gz")
    out = work / "bundle.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(art, art.name)
    return out


def t_odd_offset(entry, work):
    art = entry["_abs"]
    if not art.is_file():
        return None
    rng = random.Random(art.name)
    header = b"VNDR" + rng.randbytes(495)
    out = work / "image.bin"
    out.write_bytes(header + art.read_bytes() + b"\xff" * 777)
    return out


def t_long_line(entry, work):
    if entry.get("kind") not in ("source", "release"):
        return None
    tree = extract_root(entry, work)
    if tree is None:
        return None
    changed = False
    for rel in _label_files(entry):
        f = tree / rel
        if f.is_file() and not f.is_symlink() and f.suffix in COMMENT:
            f.write_bytes((COMMENT[f.suffix] + " " + "x" * 40000 + "\n").encode() + f.read_bytes())
            changed = True
    if not changed:
        return None
    return tree if entry["_abs"].is_dir() else _tar_dir(tree, work / "src.tar.gz")


def t_repack(entry, work):
    if entry.get("kind") not in ("firmware", "rootfs") or entry["_abs"].is_dir():
        return None
    tree = extract_root(entry, work)
    if tree is None:
        return None
    head = entry["_abs"].read_bytes()[:4]
    if head in (b"hsqs", b"sqsh"):
        return _tar_dir(tree, work / "rootfs.tar.gz")
    return _squash(tree, work / "rootfs.sqfs")


def t_passwd_junk(entry, work):
    if not any(p.endswith(("etc/passwd", "etc/shadow")) for p in _label_files(entry)):
        return None
    tree = extract_root(entry, work)
    if tree is None:
        return None
    for rel in ("etc/passwd", "etc/shadow"):
        f = tree / rel
        if f.is_file() and not f.is_symlink():
            lines = f.read_bytes().split(b"\n")
            f.write_bytes(b"\n".join(lines[:1] + [b"\x00\x01\x02junk\xff\xfe"] + lines[1:]))
    return _repack_like(entry, tree, work, "rootfs")


def t_pad_script(entry, work):
    scripts = [p for p in _label_files(entry) if p.startswith(SCRIPT_DIRS)]
    if not scripts or entry.get("kind") not in ("firmware", "rootfs"):
        return None
    tree = extract_root(entry, work)
    if tree is None:
        return None
    changed = False
    for rel in scripts:
        f = tree / rel
        if not f.is_file() or f.is_symlink():
            continue
        data = f.read_bytes()
        if data[:4] == b"\x7fELF" or b"\x00" in data[:4096]:
            continue
        pad = b"".join(b"# " + b"p" * 78 + b"\n" for _ in range(32000))
        if data.startswith(b"#!"):
            first, _, rest = data.partition(b"\n")
            f.write_bytes(first + b"\n" + pad + rest)
        else:
            f.write_bytes(pad + data)
        changed = True
    return _repack_like(entry, tree, work, "rootfs") if changed else None


def t_symlink_decoy(entry, work):
    if entry.get("kind") not in ("firmware", "rootfs"):
        return None
    tree = extract_root(entry, work)
    if tree is None:
        return None
    decoys = [p for p in _label_files(entry) if (tree / p).is_file() and not (tree / p).is_symlink()]
    if not decoys:
        return None
    return _tar_dir(tree, work / "rootfs.tar.gz", decoys)


TRANSFORMS = {"sstrip": t_sstrip, "strip": t_strip, "append-junk": t_append_junk, "rename": t_rename, "nest": t_nest,
              "odd-offset": t_odd_offset, "long-line": t_long_line, "repack": t_repack,
              "passwd-junk": t_passwd_junk, "pad-script": t_pad_script, "symlink-decoy": t_symlink_decoy}


# ----------------------------------------------------------------------------- run

def detected(entry: dict, data: dict | None) -> list[bool]:
    findings = data["findings"] if data else []
    return [found(bd, findings) is not None for bd in entry["backdoors"]]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--labels", type=Path, nargs="*", help="labels files (default: shared bench + variants train)")
    ap.add_argument("--transform", nargs="*", choices=sorted(TRANSFORMS), help="transforms (default: all)")
    ap.add_argument("--limit", type=int, default=0, help="at most this many planted artifacts per labels file")
    ap.add_argument("--classes", nargs="*", default=[], help="only the variant classes with these prefixes")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    label_files = args.labels or [p for p in (SHARED_LABELS, TRAIN_LABELS) if p.exists()]
    if any("/test/" in str(p) for p in label_files):
        ap.error("the variant corpus's test split is only ever scored, never used to tune: use train")
    entries: list[dict] = []
    for lf in label_files:
        chosen = [e for e in load(lf) if not args.classes or str(e.get("class", "")).startswith(tuple(args.classes))]
        entries.extend(chosen[: args.limit] if args.limit else chosen)
    names = args.transform or sorted(TRANSFORMS)
    start = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="evasion-"))

    def baseline(entry):
        data, err, _ = scan(EXE, entry["_abs"], args.timeout)
        return entry, detected(entry, data)

    def attempt(job):
        entry, name, idx = job
        work = tmp / f"{idx:04d}-{name}"
        work.mkdir(parents=True)
        try:
            art = TRANSFORMS[name](entry, work)
        except (OSError, subprocess.SubprocessError, ValueError, tarfile.TarError) as exc:
            return entry, name, None, f"transform failed: {exc}"
        if art is None:
            return entry, name, None, "n/a"
        data, err, _ = scan(EXE, art, args.timeout)
        shutil.rmtree(work, ignore_errors=True)
        return entry, name, data, err

    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            base = list(pool.map(baseline, entries))
            jobs = [(e, n, i) for i, (e, hits) in enumerate(base) if any(hits) for n in names]
            results = list(pool.map(attempt, jobs))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    base_hits = {id(e): hits for e, hits in base}
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # kept, tried, silent
    lost_lines = []
    for entry, name, data, err in results:
        if err == "n/a" or (data is None and err and err.startswith("transform failed")):
            if err != "n/a":
                lost_lines.append(f"  {name}: {entry['artifact']}: {err}")
            continue
        now = detected(entry, data)
        for was, still, bd in zip(base_hits[id(entry)], now, entry["backdoors"]):
            if not was:
                continue
            row = per[name]
            row[1] += 1
            if still:
                row[0] += 1
                continue
            silent = not (data and data.get("errors"))
            row[2] += silent
            lost_lines.append(f"  {name}: lost {entry['artifact']} {bd['paths']}"
                              + (" (SILENT)" if silent else f" ({len(data['errors'])} errors)" if data else f" ({err})"))
    print(f"{'transform':16} {'kept':>9} {'pct':>5} {'silent':>6}")
    for name in names:
        kept, tried, silent = per[name]
        pct = 100.0 * kept / tried if tried else 100.0
        print(f"{name:16} {kept:>4}/{tried:<4} {pct:>5.0f} {silent:>6}")
    if lost_lines:
        print("\n".join(["", "lost:"] + lost_lines))
    kept = sum(r[0] for r in per.values())
    tried = sum(r[1] for r in per.values())
    silent = sum(r[2] for r in per.values())
    if args.json:
        args.json.write_text(json.dumps({"transforms": {k: {"kept": v[0], "tried": v[1], "silent": v[2]}
                                                        for k, v in per.items()},
                                         "seconds": round(time.monotonic() - start, 1)}, indent=1))
    print(f"evasion recall={kept}/{tried} silent={silent} seconds={time.monotonic() - start:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
