"""The scan pipeline, in one place:

    unpack  ->  inventory + file analyzers (parallel, one read per file)  ->  trees
            ->  tree analyzers (in order)  ->  post-stages (declaration, ...)  ->  ScanResult

Reports and the store consume the :class:`~nobackdoor.models.ScanResult`; nothing here formats output.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .analyzers import ScanOptions, Tree, TreeContext, file_analyzers, tree_analyzers
from .analyzers.base import BUILD_ROOT_FILES, NOT_SHIPPED_DIRS, FileAnalyzer, looks_like_rootfs
from .inventory import READ_WHOLE_MAX, read_entry
from .models import FileEntry, FileKind, Finding, Observation, ScanError, ScanResult, Target
from .ruleset import rule
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
    stack = contextlib.ExitStack()
    try:
        progress("unpacking", 0, 1)
        # Unpacking mostly waits on the extraction child; load the analyzers meanwhile, so that
        # the forked workers inherit them instead of each importing them again.
        preload = threading.Thread(target=_preload_analyzers, args=(options.analyzer_options,), daemon=True)
        preload.start()
        pool = stack.enter_context(_closing(FilePool(options.jobs)))
        early = EarlyAnalysis(pool, lambda: not preload.is_alive(), options.analyzer_options)
        extraction = unpack(target, workdir, options.limits, lambda msg: progress(msg, 0, 1), on_poll=early.poll)
        preload.join()
        progress("unpacking", 1, 1)
        assign_rootfs_roots(extraction)
        t_unpack = time.monotonic()
        kind = _target_kind(target, extraction)
        aopts = ScanOptions(**{**options.analyzer_options.__dict__, "target_kind": kind})
        entries, results = run_file_stage(extraction, aopts, pool, progress, early)
        t_files = time.monotonic()
        result = ScanResult(target=Target(str(target), "", 0, kind), tool_version=__version__)
        result.errors.extend(extraction.errors)
        _collect(results, result)
        _collect(_decoy_findings(extraction), result)
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
        result.observations.sort(key=_observation_key)
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
        stack.close()  # stop the workers before their files go
        if not options.keep_extracted:
            remove_workdir(workdir)


# ---------------------------------------------------------------- file stage

_WORKER_ANALYZERS: dict[str, list[FileAnalyzer]] = {}


def _preload_analyzers(opts: ScanOptions) -> None:
    for analyzer in [*file_analyzers(opts), *tree_analyzers(opts)]:
        prepare = getattr(analyzer, "prepare", None)
        if prepare is not None:
            prepare()


def _analyzers_for(opts: ScanOptions) -> list[FileAnalyzer]:
    key = repr(opts)
    if key not in _WORKER_ANALYZERS:
        _WORKER_ANALYZERS[key] = file_analyzers(opts)
    return _WORKER_ANALYZERS[key]


Item = tuple[Path, str, str, str, bool]  # realpath, contract path, relpath, root, unpacked


def _isolate(batch: list[Item], opts: ScanOptions, pool: FilePool) -> list[tuple[FileEntry | None, list]]:
    """A worker died (a native crash on a hostile file): analyse the batch again one file per task
    in fresh workers; the file that kills its worker again is inventoried without analysis and
    reported."""
    out = []
    for item in batch:
        pool.reset()
        try:
            out.extend(pool.get().submit(_process_batch, [item], opts).result())
        except BrokenProcessPool:
            pool.reset()
            entry, _ = _process_one(*item, [])
            out.append((entry, [ScanError(item[1], "the analysis of this file crashed its worker process: "
                                                   "not analysed", "file", "failure",
                                          entry.size if entry is not None else None)]))
    return out


def _process_batch(batch: list[Item], opts: ScanOptions) -> list[tuple[FileEntry | None, list]]:
    analyzers = _analyzers_for(opts)
    return [_process_one(*item, analyzers) for item in batch]


def _process_one(realpath: Path, path: str, relpath: str, root: str, unpacked: bool,
                 analyzers: list[FileAnalyzer]) -> tuple[FileEntry | None, list]:
    try:
        entry, data = read_entry(realpath, path, relpath, root)
    except OSError as exc:
        return None, [ScanError(path, f"cannot read: {exc.strerror or exc}")]
    results: list = []
    if data is not None and data[:4] == b"\x7fELF" and entry.kind != FileKind.ELF:
        results.append(ScanError(path, "ELF magic but unreadable ELF headers: not analysed as a program",
                                 "analyzer binary", "parse", entry.size))
    if unpacked:
        entry.unpacked = True
        if entry.kind != FileKind.ELF:  # an executable stays one even when data was carved from it
            entry.kind = FileKind.ARCHIVE
            return entry, results
    if data is None:
        if entry.kind != FileKind.SYMLINK:
            results.append(ScanError(path, f"{entry.size} bytes, over the {READ_WHOLE_MAX} bytes read per file: "
                                           "hashed only, not analysed", "file", "limit", entry.size))
        return entry, results
    for analyzer in analyzers:
        try:
            if analyzer.wants(entry):
                results.extend(analyzer.analyze(entry, data))
            elif entry.size > analyzer.max_size and analyzer.wants(dataclasses.replace(entry, size=analyzer.max_size)):
                # the analyzer would read this file but for its size: say so, never skip silently
                results.append(ScanError(path, f"not read by the {analyzer.name} analyzer: {entry.size} bytes, over "
                                               f"its limit of {analyzer.max_size}", f"analyzer {analyzer.name}",
                                         "limit", entry.size))
        except Exception as exc:
            results.append(ScanError(path, f"analyzer {analyzer.name} failed: {type(exc).__name__}: {exc}",
                                     f"analyzer {analyzer.name}", "failure"))
    return entry, results


class FilePool:
    """Worker processes for the file stage, forked once the analyzers are loaded."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def get(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=multiprocessing.get_context("fork"))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def reset(self) -> None:
        """Drop the workers (a broken pool); the next ``get`` forks new ones."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


class EarlyAnalysis:
    """Starts on executables while the extraction child is still unpacking other files.

    A file counts as complete when the extractor has restored its recorded modification time
    (every extractor used does that after writing the data, and images record times older than
    the scan) and its size did not change between two polls. Only plain, singly-linked ELF files
    are taken, the costliest to analyse; their results are matched to the final layout later,
    and anything that does not match is analysed again in the normal way.
    """

    POLL_EVERY = 0.3

    def __init__(self, pool: FilePool, ready: Callable[[], bool], opts: ScanOptions) -> None:
        self.pool = pool
        self.ready = ready
        self.opts = opts
        self.cutoff = time.time() - 3600
        self.sizes: dict[str, int] = {}
        self.futures: dict[str, tuple[str, object]] = {}  # realpath -> (relpath used, future)
        self._last = 0.0

    def poll(self, root: Path) -> None:
        now = time.monotonic()
        if now - self._last < self.POLL_EVERY or self.pool.jobs <= 1 or not self.ready():
            return
        self._last = now
        for path, st in _walk_files(root):
            if path in self.futures or st.st_mtime > self.cutoff or st.st_nlink != 1 or st.st_size < 64:
                continue
            previous, self.sizes[path] = self.sizes.get(path), st.st_size
            if previous != st.st_size or not _is_elf(path):
                continue
            rel = _relpath_in_innermost(path)
            item = (Path(path), path, rel, "", False)
            self.futures[path] = (rel, self.pool.get().submit(_process_batch, [item], self.opts))

    def take(self, item: Item) -> tuple[FileEntry | None, list] | None:
        """The early result for a final item, with its paths set, or None to analyse it anew."""
        realpath, path, relpath, root, _ = item
        early = self.futures.pop(str(realpath), None)
        if early is None or early[0] != relpath:
            return None
        try:
            ((entry, results),) = early[1].result()
        except Exception:
            return None
        placeholder = str(realpath)
        if entry is not None:
            entry.path, entry.relpath, entry.root = path, relpath, root
        for r in results:
            if getattr(r, "path", None) == placeholder:
                r.path = path
        return entry, results


def _walk_files(root: Path):
    stack = [str(root)]
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                for e in it:
                    try:
                        if e.is_dir(follow_symlinks=False):
                            stack.append(e.path)
                        elif e.is_file(follow_symlinks=False):
                            yield e.path, e.stat(follow_symlinks=False)
                    except OSError:
                        continue
        except OSError:
            continue


def _is_elf(path: str) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return os.read(fd, 4) == b"\x7fELF"
    finally:
        os.close(fd)


def _relpath_in_innermost(path: str) -> str:
    parts = path.split("/")
    for i in range(len(parts) - 1, -1, -1):
        if parts[i].endswith("_extract"):
            return "/".join(parts[i + 1:])
    return parts[-1]


def run_file_stage(extraction: Extraction, opts: ScanOptions, pool: FilePool, progress: ProgressFn,
                   early: EarlyAnalysis | None = None) -> tuple[list[FileEntry], list]:
    items: list[Item] = [(real, path, rel, root, real in extraction.unpacked)
                         for real, path, rel, root in extraction.files]
    total = len(items)
    entries: list[FileEntry] = []
    results: list = []

    def add(entry: FileEntry | None, res: list) -> None:
        if entry is not None:
            entries.append(entry)
        results.extend(res)

    remaining: list[Item] = []
    for item in items:
        got = early.take(item) if early is not None else None
        if got is None:
            remaining.append(item)
        else:
            add(*got)
    sizes = {it[0]: _size(it[0]) for it in remaining}
    # big files first so that the slowest work starts early; batches keep IPC overhead low
    remaining.sort(key=lambda it: -sizes[it[0]])
    heavy = sum(1 for it in remaining if sizes[it[0]] > 32 * 1024)
    # machine code goes to the native lifter: it runs in worker processes, where a crash on a hostile
    # file costs that file's analysis, not the scan
    native = any(_is_elf(str(it[0])) for it in remaining)
    if (pool.jobs <= 1 or heavy < 4) and not native:
        analyzers = file_analyzers(opts)
        for i, it in enumerate(remaining):
            add(*_process_one(*it, analyzers))
            if i % 50 == 0:
                progress("analysing files", i, total)
    else:
        batches: list[list[Item]] = [[] for _ in range(pool.jobs * 8)]
        for i, it in enumerate(remaining):
            batches[i % len(batches)].append(it)
        done = total - len(remaining)
        batches = [b for b in batches if b]
        futures = [pool.get().submit(_process_batch, b, opts) for b in batches]
        for batch, fut in zip(batches, futures):
            try:
                got = fut.result()
            except BrokenProcessPool:
                got = _isolate(batch, opts, pool)
            for entry, res in got:
                add(entry, res)
                done += 1
            progress("analysing files", done, total)
    progress("analysing files", total, total)
    return entries, results


@contextlib.contextmanager
def _closing(pool: FilePool):
    try:
        yield pool
    finally:
        pool.close()


def _size(path: Path) -> int:
    try:
        return path.lstat().st_size
    except OSError:
        return 0


# ---------------------------------------------------------------- trees

#: nested etc/ directories examined per tree for a root filesystem or overlay (more: reported)
MAX_OVERLAY_CANDIDATES = 512


def assign_rootfs_roots(extraction: Extraction) -> None:
    """Re-root files that live in a root filesystem nested in a subdirectory of a tree so that tree
    analyzers find ``etc/passwd``: a tarball holding ``rootfs/etc/...`` (a whole system), or a source
    tree's overlay of one (``board/x/rootfs_overlay/etc/init.d/...``, ``files/etc/shadow``: etc/ with
    account, init or service files), unless it sits among tests, examples or documentation."""
    by_root: dict[str, list[int]] = {}
    for i, (_, _, _, root) in enumerate(extraction.files):
        by_root.setdefault(root, []).append(i)
    for root, idxs in by_root.items():
        rels = [extraction.files[i][2] for i in idxs]
        dirs = extraction.dirs.get(root, set())
        if looks_like_rootfs(rels, dirs):
            continue
        candidates = sorted({d[:-4] for d in dirs if d.endswith("/etc")}, key=lambda d: (d.count("/"), d))
        if len(candidates) > MAX_OVERLAY_CANDIDATES:
            extraction.errors.append(ScanError(
                root, f"{len(candidates)} nested etc/ directories: only the {MAX_OVERLAY_CANDIDATES} shallowest were "
                      "examined as root filesystem overlays; the others got no account or boot checks",
                "directories", "limit"))
            candidates = candidates[:MAX_OVERLAY_CANDIDATES]
        chosen: list[str] = []
        for d in candidates:
            if any(d.startswith(c + "/") for c in chosen):
                continue
            prefix = d + "/"
            sub_rels = [r[len(prefix):] for r in rels if r.startswith(prefix)]
            sub_dirs = {x[len(prefix):] for x in dirs if x.startswith(prefix)}
            if looks_like_rootfs(sub_rels, sub_dirs, by_content=NOT_SHIPPED_DIRS.search(prefix) is None):
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
    # build machinery at the top of the outermost tree makes the target a source tree, even with a
    # root filesystem (or an overlay of one) inside: both sets of checks run on it either way (a
    # web bundle's package.json deep inside a firmware image does not make the image source)
    outer = min((root.count("/") for root in roots), default=0)
    has_build = any(rel in BUILD_ROOT_FILES for root, rels in roots.items() if root.count("/") == outer
                    for rel in rels)
    if target.is_dir():
        return "rootfs" if has_rootfs and not has_build else "source"
    if len(extraction.files) == 1 and extraction.files[0][0] == target:
        with open(target, "rb") as fh:
            return "binary" if fh.read(4) == b"\x7fELF" else "firmware"
    if has_rootfs and not has_build:
        fs_formats = {f for f in extraction.formats if any(k in f for k in ("squashfs", "ext", "jffs2", "ubi", "cramfs",
                                                                           "romfs", "yaffs", "uimage", "fat"))}
        return "firmware" if fs_formats else "rootfs"
    sources = sum(1 for _, _, rel, _ in extraction.files if rel.endswith((".c", ".h", ".py", ".js", ".go", ".java",
                                                                        ".php", ".pl", ".ts", ".cpp")))
    return "source" if sources else "firmware"


def _decoy_findings(extraction: Extraction) -> Iterable[Finding]:
    for d in extraction.decoys:
        yield rule("unpack.decoy-entry").finding(
            f"{d['path']}/{d['entry']}",
            f"the archive stores '{d['entry']}' twice: first as a {d['first']}, then as the real file "
            f"({d['size']} bytes, analysed)", evidence=dict(d))


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


def _observation_key(obs: Observation) -> tuple:
    return (obs.kind, obs.path, json.dumps(obs.data, sort_keys=True, default=str))


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple] = set()
    out = []
    for f in findings:
        key = (f.rule, f.path, f.line, f.offset, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
