"""Safe recursive unpacking.

``unpack(target, workdir, limits)`` turns whatever was delivered into a set of directories of
plain files, and says for every file where it came from (its container chain):

* unblob does the format work (one handler per format; ours in :mod:`.handlers`), in a child
  process (:mod:`.worker`) watched by :func:`_run_unblob`, which stops it when a limit is hit;
* :mod:`.safety` neutralises what extraction must never leave behind (device nodes, links out);
* :mod:`.layout` maps unblob's ``*_extract`` directories to contract paths.

A directory target is walked as it is; container files found inside it are unpacked the same way.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..inventory import container_format
from ..models import ScanError
from . import layout, safety
from .limits import Limits

__all__ = ["Limits", "Extraction", "unpack"]


@dataclass
class Extraction:
    #: (realpath, contract path, relpath inside innermost tree, tree root) of every file and symlink
    files: list[tuple[Path, str, str, str]] = field(default_factory=list)
    #: directories per tree root (relpaths), so that empty rootfs skeleton dirs are known
    dirs: dict[str, set[str]] = field(default_factory=dict)
    #: realpaths of files whose contents were extracted next to them
    unpacked: set[Path] = field(default_factory=set)
    errors: list[ScanError] = field(default_factory=list)
    neutralised: list[dict[str, str]] = field(default_factory=list)
    bytes_extracted: int = 0
    seconds: float = 0.0
    #: container formats met along the way (for target-kind detection)
    formats: set[str] = field(default_factory=set)


Progress = Callable[[str], None]


def unpack(target: Path, workdir: Path, limits: Limits, progress: Progress | None = None) -> Extraction:
    target = Path(target)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    out = Extraction()
    t0 = time.monotonic()
    if target.is_dir():
        _unpack_directory(target, workdir, limits, out, progress)
    else:
        _unpack_file(target, target.name, workdir, limits, out, progress, top=True)
    out.seconds = time.monotonic() - t0
    return out


def _unpack_file(path: Path, display: str, workdir: Path, limits: Limits, out: Extraction,
                 progress: Progress | None, top: bool) -> None:
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head[:4] == b"\x7fELF":
        # a single executable: analysed as it is, not carved
        out.files.append((path, display, display, ""))
        return
    slot = workdir / f"u{len(list(workdir.iterdir()))}"
    slot.mkdir()
    if progress:
        progress(f"unpacking {display}")
    _run_unblob(path, slot, limits, out, display)
    extract_dir = slot / (path.name + "_extract")
    if extract_dir.is_dir():
        out.neutralised.extend(safety.sanitize(extract_dir, display))
        layout.collect(extract_dir, display, out)
    else:
        fmt = container_format(head)
        if fmt:
            out.errors.append(ScanError(display, f"looks like {fmt} but could not be unpacked "
                                                 "(truncated or corrupt); analysed as a plain file"))
        elif top:
            out.errors.append(ScanError(display, "no known container or filesystem format found; "
                                                 "analysed as a single file"))
        out.files.append((path, display, display if top else display.rsplit("/", 1)[-1], "" if top else display))


def _unpack_directory(target: Path, workdir: Path, limits: Limits, out: Extraction,
                      progress: Progress | None) -> None:
    root_real = target.resolve()
    out.dirs[""] = set()
    for dirpath, dirnames, filenames in os.walk(root_real, followlinks=False):
        rel_dir = os.path.relpath(dirpath, root_real)
        rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/")
        # never descend into VCS metadata (the release checker reads repositories itself)
        dirnames[:] = sorted(d for d in dirnames if d not in (".git", ".hg", ".svn"))
        for d in dirnames:
            full = os.path.join(dirpath, d)
            rel = f"{rel_dir}/{d}" if rel_dir else d
            if os.path.islink(full):
                out.files.append((Path(full), rel, rel, ""))
            else:
                out.dirs[""].add(rel)
        for name in sorted(filenames):
            full = Path(dirpath) / name
            rel = f"{rel_dir}/{name}" if rel_dir else name
            try:
                st = full.lstat()
            except OSError as exc:
                out.errors.append(ScanError(rel, f"cannot read: {exc.strerror}"))
                continue
            if not (full.is_symlink() or full.is_file()):
                continue
            out.files.append((full, rel, rel, ""))
            if full.is_file() and not full.is_symlink() and st.st_size >= 64:
                with open(full, "rb") as fh:
                    head = fh.read(4096)
                fmt = container_format(head)
                if fmt and fmt not in ("lzma",):
                    before = len(out.files)
                    sub = Extraction()
                    _unpack_file(full, rel, workdir, limits, sub, progress, top=False)
                    if sub.files and any(f[0] != full for f in sub.files):
                        out.unpacked.add(full)
                    out.files.extend(f for f in sub.files if f[0] != full)
                    out.errors.extend(sub.errors)
                    out.neutralised.extend(sub.neutralised)
                    out.unpacked |= sub.unpacked
                    out.formats |= sub.formats
                    out.bytes_extracted += sub.bytes_extracted
                    for k, v in sub.dirs.items():
                        out.dirs.setdefault(k, set()).update(v)
                    del before


def _tree_size(root: Path) -> tuple[int, int]:
    total = count = 0
    stack = [str(root)]
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                for entry in it:
                    count += 1
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        elif entry.is_file(follow_symlinks=False):
                            total += entry.stat(follow_symlinks=False).st_blocks * 512
                    except OSError:
                        pass
        except OSError:
            pass
    return total, count


def _run_unblob(path: Path, slot: Path, limits: Limits, out: Extraction, display: str) -> None:
    report = slot / "unblob-report.json"
    log = slot / "unblob.log"
    args = {
        "input": str(path.resolve()),
        "extract_root": str(slot),
        "report": str(report),
        "log": str(log),
        "max_depth": limits.max_depth,
        "extractor_timeout": limits.extractor_timeout,
        "process_num": max(1, os.cpu_count() or 1),
    }
    input_size = max(1, path.stat().st_size)
    with open(log, "wb") as logfh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "nobackdoor.unpack.worker", json.dumps(args)],
            stdin=subprocess.DEVNULL, stdout=logfh, stderr=logfh, start_new_session=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        start = time.monotonic()
        interval = 0.05
        breach = None
        while True:
            try:
                proc.wait(timeout=interval)
                break
            except subprocess.TimeoutExpired:
                pass
            interval = min(interval * 1.5, 1.0)
            elapsed = time.monotonic() - start
            size, count = _tree_size(slot)
            if elapsed > limits.total_timeout:
                breach = f"extraction time limit of {limits.total_timeout:g} s reached"
            elif size > limits.max_bytes:
                breach = f"extracted-size limit of {limits.max_bytes} bytes reached"
            elif size > limits.ratio_floor and size / input_size > limits.max_ratio:
                breach = f"expansion-ratio limit of {limits.max_ratio:g}x reached (decompression bomb?)"
            elif count > limits.max_files:
                breach = f"file-count limit of {limits.max_files} reached"
            if breach:
                _kill_group(proc)
                break
    size, _ = _tree_size(slot)
    out.bytes_extracted += size
    if breach:
        out.errors.append(ScanError(display, f"unpacking stopped: {breach}; what was extracted before is analysed"))
        _trim_partial(slot)
        return
    if proc.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
        out.errors.append(ScanError(display, "unpacking failed" + (f": {tail[0][:300]}" if tail else "")))
    if report.exists():
        out.errors.extend(layout.report_errors(report, slot, display, out))


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def _trim_partial(slot: Path) -> None:
    """After a stopped extraction, drop files still being written (they may be huge or torn)."""
    for dirpath, _, filenames in os.walk(slot):
        for name in filenames:
            p = Path(dirpath) / name
            try:
                if not p.is_symlink() and p.stat().st_size > 256 * 1024 * 1024:
                    p.unlink()
            except OSError:
                pass


def remove_workdir(workdir: Path) -> None:
    def onerror(func, path, exc):  # make read-only extracted dirs removable
        try:
            os.chmod(os.path.dirname(path), 0o700)
            os.chmod(path, 0o700)
            func(path)
        except OSError:
            pass

    shutil.rmtree(workdir, onerror=onerror)
