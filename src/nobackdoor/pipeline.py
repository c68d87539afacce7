"""The scan pipeline, in one place:

    unpack  ->  inventory + file analyzers (parallel, one read per file)  ->  trees
            ->  tree analyzers (in order)  ->  post-stages (declaration, ...)  ->  ScanResult

Reports and the store consume the :class:`~nobackdoor.models.ScanResult`; nothing here formats output.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .analyzers import ScanOptions, Tree, TreeContext, file_analyzers, tree_analyzers
from .analyzers.base import FileAnalyzer, looks_like_rootfs
from .inventory import read_entry
from .models import FileEntry, FileKind, Finding, Observation, ScanError, ScanResult, Target
from .unpack import Extraction, Limits, remove_workdir, unpack


class TargetError(Exception):
    """The target cannot be read at all (exit status 2)."""


ProgressFn = Callable[[str, int, int], None]
PostStage = Callable[[ScanResult], None]


@dataclass
class PipelineOptions:
    limits: Limits = field(default_factory=Limits)
    jobs: int = 0  # 0: one worker per core
    keep_extracted: Path | None = None
    analyzer_options: ScanOptions = field(default_factory=ScanOptions)
    post_stages: list[PostStage] = field(default_factory=list)
    progress: ProgressFn | None = None


def scan(target: str | Path, options: PipelineOptions | None = None) -> ScanResult:
    options = options or PipelineOptions()
    target = Path(target)
    if not target.exists() and not target.is_symlink():
        raise TargetError(f"{target}: no such file or directory")
    if not os.access(target, os.R_OK) or not (target.is_file() or target.is_dir()):
        raise TargetError(f"{target}: not a readable file or directory")
    t0 = time.monotonic()
    progress = options.progress or (lambda stage, done, total: None)

    if options.keep_extracted:
        workdir = Path(options.keep_extracted)
        workdir.mkdir(parents=True, exist_ok=True)
        if any(workdir.iterdir()):
            raise TargetError(f"--keep-extracted directory {workdir} is not empty")
    else:
        workdir = Path(tempfile.mkdtemp(prefix="nobackdoor-"))
    try:
        progress("unpacking", 0, 1)
        # Unpacking mostly waits on the extraction child; load the analyzers meanwhile, so that
        # the forked workers inherit them instead of each importing them again.
        preload = threading.Thread(target=_preload_analyzers, args=(options.analyzer_options,), daemon=True)
        preload.start()
        extraction = unpack(target, workdir, options.limits, lambda msg: progress(msg, 0, 1))
        preload.join()
        progress("unpacking", 1, 1)
        assign_rootfs_roots(extraction)
        t_unpack = time.monotonic()
        kind = _target_kind(target, extraction)
        aopts = ScanOptions(**{**options.analyzer_options.__dict__, "target_kind": kind})
        entries, results = run_file_stage(extraction, aopts, options.jobs, progress)
        t_files = time.monotonic()
        result = ScanResult(target=Target(str(target), "", 0, kind), tool_version=__version__)
        result.errors.extend(extraction.errors)
        _collect(results, result)
        trees = build_trees(entries, extraction)
        ctx = TreeContext(trees=trees, observations=result.observations, findings=result.findings, options=aopts)
        for analyzer in tree_analyzers(aopts):
            progress(f"analysing ({analyzer.name})", 0, 1)
            try:
                _collect(analyzer.analyze(ctx), result)
            except Exception as exc:  # one broken analyzer must not lose the others' findings
                result.errors.append(ScanError("", f"analyzer {analyzer.name} failed: {type(exc).__name__}: {exc}"))
        t_trees = time.monotonic()
        result.files = sorted(entries, key=lambda e: e.path)
        _anchor_findings(result)
        result.target.sha256, result.target.size = _target_digest(target, result.files)
        for stage in options.post_stages:
            stage(result)
        result.findings = _dedupe(result.findings)
        result.findings.sort(key=Finding.sort_key)
        result.errors.sort(key=lambda e: (e.path, e.message))
        result.stats = {
            "files": len(entries),
            "bytes": sum(e.size for e in entries),
            "seconds": round(time.monotonic() - t0, 3),
            "unpack_seconds": round(t_unpack - t0, 3),
            "file_analysis_seconds": round(t_files - t_unpack, 3),
            "tree_analysis_seconds": round(t_trees - t_files, 3),
            "extracted_bytes": extraction.bytes_extracted,
            "neutralised": extraction.neutralised,
            "limits": options.limits.describe(),
        }
        return result
    finally:
        if not options.keep_extracted:
            remove_workdir(workdir)


# ---------------------------------------------------------------- file stage

_WORKER_ANALYZERS: list[FileAnalyzer] = []


def _preload_analyzers(opts: ScanOptions) -> None:
    for analyzer in [*file_analyzers(opts), *tree_analyzers(opts)]:
        prepare = getattr(analyzer, "prepare", None)
        if prepare is not None:
            prepare()


def _init_worker(opts: ScanOptions) -> None:
    global _WORKER_ANALYZERS
    _WORKER_ANALYZERS = file_analyzers(opts)


def _process_batch(batch: list[tuple[Path, str, str, str, bool]]) -> list[tuple[FileEntry, list]]:
    out = []
    for realpath, path, relpath, root, unpacked in batch:
        out.append(_process_one(realpath, path, relpath, root, unpacked, _WORKER_ANALYZERS))
    return out


def _process_one(realpath: Path, path: str, relpath: str, root: str, unpacked: bool,
                 analyzers: list[FileAnalyzer]) -> tuple[FileEntry | None, list]:
    try:
        entry, data = read_entry(realpath, path, relpath, root)
    except OSError as exc:
        return None, [ScanError(path, f"cannot read: {exc.strerror or exc}")]
    results: list = []
    if unpacked:
        entry.unpacked = True
        entry.kind = FileKind.ARCHIVE
        return entry, results
    if data is None:
        return entry, results
    for analyzer in analyzers:
        try:
            if analyzer.wants(entry):
                results.extend(analyzer.analyze(entry, data))
        except Exception as exc:
            results.append(ScanError(path, f"analyzer {analyzer.name} failed: {type(exc).__name__}: {exc}"))
    return entry, results


def run_file_stage(extraction: Extraction, opts: ScanOptions, jobs: int,
                   progress: ProgressFn) -> tuple[list[FileEntry], list]:
    items = [(real, path, rel, root, real in extraction.unpacked) for real, path, rel, root in extraction.files]
    total = len(items)
    jobs = jobs or os.cpu_count() or 1
    entries: list[FileEntry] = []
    results: list = []
    # big files first so that the slowest work starts early; batches keep IPC overhead low
    items.sort(key=lambda it: -_size(it[0]))
    heavy = sum(1 for it in items if _size(it[0]) > 32 * 1024)
    if jobs <= 1 or heavy < 8:
        analyzers = file_analyzers(opts)
        for i, it in enumerate(items):
            entry, res = _process_one(*it, analyzers)
            if entry is not None:
                entries.append(entry)
            results.extend(res)
            if i % 50 == 0:
                progress("analysing files", i, total)
    else:
        batches: list[list] = [[] for _ in range(max(jobs * 8, 1))]
        for i, it in enumerate(items):
            batches[i % len(batches)].append(it)
        done = 0
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                                 initargs=(opts,)) as pool:
            for batch_out in pool.map(_process_batch, [b for b in batches if b]):
                for entry, res in batch_out:
                    if entry is not None:
                        entries.append(entry)
                    results.extend(res)
                    done += 1
                progress("analysing files", done, total)
    progress("analysing files", total, total)
    return entries, results


def _size(path: Path) -> int:
    try:
        return path.lstat().st_size
    except OSError:
        return 0


# ---------------------------------------------------------------- trees


def assign_rootfs_roots(extraction: Extraction) -> None:
    """Re-root files that live in a root filesystem nested in a subdirectory of a tree
    (a tarball holding ``rootfs/etc/...``) so that tree analyzers find ``etc/passwd``."""
    by_root: dict[str, list[int]] = {}
    for i, (_, _, _, root) in enumerate(extraction.files):
        by_root.setdefault(root, []).append(i)
    for root, idxs in by_root.items():
        rels = [extraction.files[i][2] for i in idxs]
        dirs = extraction.dirs.get(root, set())
        if looks_like_rootfs(rels, dirs):
            continue
        candidates = sorted({d for d in dirs if d.count("/") < 3}, key=lambda d: (d.count("/"), d))
        chosen: list[str] = []
        for d in candidates:
            if any(d.startswith(c + "/") for c in chosen):
                continue
            prefix = d + "/"
            sub_rels = [r[len(prefix):] for r in rels if r.startswith(prefix)]
            sub_dirs = {x[len(prefix):] for x in dirs if x.startswith(prefix)}
            if looks_like_rootfs(sub_rels, sub_dirs):
                chosen.append(d)
        for d in chosen:
            prefix = d + "/"
            new_root = f"{root}/{d}" if root else d
            extraction.dirs[new_root] = {x[len(prefix):] for x in dirs if x.startswith(prefix)}
            for i in idxs:
                real, path, rel, _ = extraction.files[i]
                if rel.startswith(prefix):
                    extraction.files[i] = (real, path, rel[len(prefix):], new_root)


def build_trees(entries: Iterable[FileEntry], extraction: Extraction) -> list[Tree]:
    trees: dict[str, Tree] = {}
    for entry in entries:
        tree = trees.get(entry.root)
        if tree is None:
            tree = trees[entry.root] = Tree(root=entry.root, files={}, dirs=set(extraction.dirs.get(entry.root, ())))
        tree.files[entry.relpath] = entry
    return [trees[k] for k in sorted(trees)]


def _target_kind(target: Path, extraction: Extraction) -> str:
    roots: dict[str, list[str]] = {}
    for _, _, rel, root in extraction.files:
        roots.setdefault(root, []).append(rel)
    has_rootfs = any(looks_like_rootfs(rels, extraction.dirs.get(root, ())) for root, rels in roots.items())
    if target.is_dir():
        return "rootfs" if has_rootfs else "source"
    if len(extraction.files) == 1 and extraction.files[0][0] == target:
        with open(target, "rb") as fh:
            return "binary" if fh.read(4) == b"\x7fELF" else "firmware"
    if has_rootfs:
        fs_formats = {f for f in extraction.formats if any(k in f for k in ("squashfs", "ext", "jffs2", "ubi", "cramfs",
                                                                           "romfs", "yaffs", "uimage", "fat"))}
        return "firmware" if fs_formats else "rootfs"
    sources = sum(1 for _, _, rel, _ in extraction.files if rel.endswith((".c", ".h", ".py", ".js", ".go", ".java",
                                                                        ".php", ".pl", ".ts", ".cpp")))
    return "source" if sources else "firmware"


def _target_digest(target: Path, files: list[FileEntry]) -> tuple[str, int]:
    if target.is_file():
        h = hashlib.sha256()
        with open(target, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest(), target.stat().st_size
    # a directory: digest over the sorted (path, content digest) list, like a tree hash
    h = hashlib.sha256()
    for entry in sorted(files, key=lambda e: e.path):
        h.update(f"{entry.path}\0{entry.sha256}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest(), sum(e.size for e in files)


def _collect(items: Iterable, result: ScanResult) -> None:
    for item in items:
        if isinstance(item, Finding):
            result.findings.append(item)
        elif isinstance(item, Observation):
            result.observations.append(item)
        elif isinstance(item, ScanError):
            result.errors.append(item)


def _anchor_findings(result: ScanResult) -> None:
    """Give every finding its path inside the filesystem (``_relpath``) so that its fingerprint
    survives a new firmware file name or a moved container."""
    by_path = {e.path: e.relpath for e in result.files}
    for f in result.findings:
        if "_relpath" not in f.evidence and f.path in by_path:
            f.evidence["_relpath"] = by_path[f.path]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple] = set()
    out = []
    for f in findings:
        key = (f.rule, f.path, f.line, f.offset, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
