"""Safe recursive unpacking.

``unpack(target, workdir, limits)`` turns whatever was delivered into a set of directories of
plain files, and says for every file where it came from (its container chain):

* unblob does the format work (one handler per format; ours in :mod:`.handlers`), in a child
  process (:mod:`.worker`) watched by :func:`_run_unblob`, which stops it when a limit is hit;
* :mod:`.safety` neutralises what extraction must never leave behind (device nodes, links out);
* :mod:`.layout` maps unblob's ``*_extract`` directories to contract paths and its report to
  scan errors.

A directory target is walked as it is; container files found inside it are unpacked the same way.
An ELF (the target, or a file of a directory target) is analysed as it is; data appended after
the end its headers give (:mod:`.elf_tail`: an updater stub's payload) is carved to
``ELF/appended@0xOFFSET`` and unpacked like any other file. Inside containers unblob's ELF
handler does the same carving (:class:`.handlers.InPlaceElfChunk`).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..models import ScanError
from . import elf_tail, layout, safety, tar_last
from .limits import Limits, output_cap

__all__ = ["Limits", "Extraction", "unpack", "remove_workdir"]


@dataclass
class Extraction:
    #: (realpath, contract path, relpath inside innermost tree, tree root) of every file and symlink
    files: list[tuple[Path, str, str, str]] = field(default_factory=list)
    #: directories per tree root (relpaths), so that empty rootfs skeleton dirs are known
    dirs: dict[str, set[str]] = field(default_factory=dict)
    #: realpaths of files whose contents were extracted next to them
    unpacked: set[Path] = field(default_factory=set)
    errors: list[ScanError] = field(default_factory=list)
    #: what safety and the extractors neutralised: {"path", "action", ["target"]}
    neutralised: list[dict[str, str]] = field(default_factory=list)
    bytes_extracted: int = 0
    seconds: float = 0.0
    #: container formats met along the way (unblob handler names, for target-kind detection)
    formats: set[str] = field(default_factory=set)
    #: names stored twice in an archive whose first entry was a link or other decoy:
    #: {"path": archive display path, "entry", "first", "size"} (the last entry is what was analysed)
    decoys: list[dict] = field(default_factory=list)


Progress = Callable[[str], None]

#: containers whose magic is too weak to call a file that does not unpack "truncated or corrupt"
_WEAK_MAGIC = {"lzma", "jffs2"}
#: how often at most the watchdog measures the extraction tree, and the share of one core it may use
_POLL_MIN, _POLL_MAX, _POLL_SHARE = 0.02, 0.25, 0.05


@dataclass
class _Budget:
    """What is left of the limits for the rest of this unpack (shared by every unblob run)."""

    limits: Limits
    deadline: float
    files: int = 0
    on_poll: Callable[[Path], None] | None = None


def unpack(target: Path, workdir: Path, limits: Limits, progress: Progress | None = None,
           on_poll: Callable[[Path], None] | None = None) -> Extraction:
    """Unpack ``target`` below ``workdir``. ``on_poll(extract_root)`` is called from the watchdog
    loop while an extraction runs, so that a caller can start work on files already complete."""
    target = Path(target)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    out = Extraction()
    t0 = time.monotonic()
    budget = _Budget(limits, deadline=t0 + limits.total_timeout, on_poll=on_poll)
    if target.is_dir():
        _unpack_directory(target, workdir, out, progress, budget)
    else:
        _unpack_file(target, target.name, workdir, out, progress, budget, top=True)
    out.seconds = time.monotonic() - t0
    return out


def _unpack_file(path: Path, display: str, workdir: Path, out: Extraction, progress: Progress | None,
                 budget: _Budget, top: bool, depth: int = 1) -> bool:
    """Unpack one file into a fresh slot of ``workdir``; True when anything came out of it.
    ``top``: the file is listed itself when nothing comes out of it."""
    from ..inventory import container_format  # here: the worker process imports this package too
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        out.errors.append(ScanError(display, f"cannot read: {exc.strerror or exc}"))
        return False
    if head[:4] == b"\x7fELF":
        # an executable is analysed as it is; only what is appended after its end is unpacked
        if top:
            out.files.append((path, display, display, ""))
        return _unpack_elf_tail(path, display, workdir, out, progress, budget, depth)
    slot = Path(tempfile.mkdtemp(prefix="u", dir=workdir))
    if progress:
        progress(f"unpacking {display}")
    run = _run_unblob(path, slot, out, display, budget, depth)
    extract_dir = slot / (path.name + layout.SUFFIX)
    fmt = container_format(head)
    opened = extract_dir.is_dir() and any(extract_dir.iterdir())
    if fmt and fmt not in _WEAK_MAGIC and run.completed and 0 not in run.top_chunk_starts:
        # the header announces a format, but no handler accepted a chunk at its start
        out.errors.append(ScanError(display, f"looks like {fmt} but could not be unpacked as {fmt} "
                                             "(truncated or corrupt)"
                                    + ("; what could be carved from it is analysed" if opened
                                       else "; analysed as a plain file")))
    elif not opened and run.completed and run.top_chunk_starts:
        # a handler accepted a chunk but its extractor produced no file (zeroed geometry, bad offsets)
        out.errors.append(ScanError(display, f"recognised as {', '.join(sorted(run.formats)) or 'a container'} "
                                             "but nothing could be extracted from it (corrupt?); analysed as a "
                                             "plain file", "contents", "parse", _size(path)))
    elif not opened and top and run.completed and not run.top_chunk_starts:
        out.errors.append(ScanError(display, (f"starts like {fmt} but no reader accepted it; " if fmt else
                                              "no known container or filesystem format found; ")
                                    + "analysed as a single file", "contents", "unrecognised", _size(path)))
    if opened:
        events = safety.sanitize(extract_dir, display)
        out.neutralised.extend(events)
        out.errors.extend(safety.summarise(events))
        layout.collect(extract_dir, display, out)
        return True
    if top:
        out.files.append((path, display, display, ""))
    return False


#: an appended tail without a container magic in it is given to the extractor only from this size
#: on; smaller ones (a serial number, a checksum, a short script) are analysed as files
MIN_UNMARKED_TAIL = 4096
#: strong magics of containers that hide behind a script header (makeself: a shell script, then a
#: gzip/bzip2/xz tar); from the formats' specifications (RFC 1952, xz, bzip2, squashfs, cpio, zip)
_TAIL_MAGICS = (b"\x1f\x8b\x08", b"\xfd7zXZ\x00", b"BZh91AY&SY", b"hsqs", b"sqsh", b"070701", b"070702",
                b"PK\x03\x04", b"ustar\x00", b"ustar  \x00", b"7z\xbc\xaf\x27\x1c", b"\x28\xb5\x2f\xfd", b"UBI#",
                b"\x27\x05\x19\x56")


def _holds_container_magic(path: Path) -> bool:
    with open(path, "rb") as fh:
        data = fh.read(MIN_UNMARKED_TAIL)
    return any(m in data for m in _TAIL_MAGICS)


def _unpack_elf_tail(path: Path, display: str, workdir: Path, out: Extraction, progress: Progress | None,
                     budget: _Budget, depth: int) -> bool:
    """Carve the data appended after the end of the ELF ``path`` (an updater stub's payload) and
    unpack it like any other file; listed as ``DISPLAY/appended@0xOFFSET``. True when carved."""
    from ..inventory import container_format  # here: the worker process imports this package too
    tail = elf_tail.appended_tail(path)
    if tail is None:
        return False
    where = f"{display}/appended@0x{tail.offset:x}"
    limits = budget.limits
    if depth >= limits.max_depth:
        out.errors.append(ScanError(where, f"data appended to the executable not unpacked: depth limit "
                                           f"({limits.max_depth}) reached (raise --max-depth)"))
        return False
    if tail.size > limits.max_bytes - out.bytes_extracted:
        out.errors.append(ScanError(where, f"data appended to the executable ({tail.size} bytes) not unpacked: "
                                           f"extracted-size limit of {limits.max_bytes} bytes reached"))
        return False
    if time.monotonic() > budget.deadline:
        out.errors.append(ScanError(where, "data appended to the executable not unpacked: extraction time "
                                           f"limit of {limits.total_timeout:g} s reached"))
        return False
    slot = Path(tempfile.mkdtemp(prefix="t", dir=workdir))
    carved = slot / f"{tail.offset}-{tail.offset + tail.size}.appended"
    try:
        elf_tail.copy_tail(path, tail, carved)
    except OSError as exc:
        out.errors.append(ScanError(where, f"cannot carve the data appended to the executable: {exc.strerror or exc}"))
        return False
    out.bytes_extracted += tail.size
    out.unpacked.add(path)
    entry = (carved, where, where.rsplit("/", 1)[1], display)
    with open(carved, "rb") as fh:
        head = fh.read(4096)
    executable = head[:4] == b"\x7fELF"
    if executable:  # another program: analysed as one, and its own tail unpacked
        out.files.append(entry)
    # a few bytes with no container magic (a script, a serial number, a checksum) are analysed as the
    # file they are; starting an extraction run for them would cost seconds each
    fmt = container_format(head)
    worth_unpacking = executable or tail.size >= MIN_UNMARKED_TAIL or (fmt is not None and fmt not in _WEAK_MAGIC) \
        or _holds_container_magic(carved)
    if not (worth_unpacking and _unpack_file(carved, where, workdir, out, progress, budget, top=False,
                                             depth=depth + 1)) and not executable:
        # no container in it (a script, a vendor blob): analysed as the file it is
        out.files.append(entry)
    return True


def _unpack_directory(target: Path, workdir: Path, out: Extraction, progress: Progress | None,
                      budget: _Budget) -> None:
    from ..inventory import container_format

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
            if full.is_symlink() or st.st_size < 64:
                continue
            try:
                with open(full, "rb") as fh:
                    head = fh.read(4096)
            except OSError as exc:
                out.errors.append(ScanError(rel, f"cannot read: {exc.strerror}"))
                continue
            if head[:4] == b"\x7fELF":
                _unpack_elf_tail(full, rel, workdir, out, progress, budget, depth=1)
                continue
            fmt = container_format(head)
            if fmt in _STREAMS and _decompress_stream(full, rel, fmt, workdir, out, budget):
                continue  # one compressed file (a test fixture, a compressed module), decompressed here
            if fmt and fmt not in _WEAK_MAGIC:
                if time.monotonic() > budget.deadline:
                    out.errors.append(ScanError(rel, "not unpacked: extraction time limit of "
                                                     f"{budget.limits.total_timeout:g} s reached"))
                    continue
                if _unpack_file(full, rel, workdir, out, progress, budget, top=False):
                    out.unpacked.add(full)


#: single-stream compressions Python reads itself (RFC 1952, the .xz format, bzip2)
_STREAMS = frozenset({"gzip", "xz", "bzip2"})
_STREAM_CHUNK = 1 << 20


class _Trailing(Exception):
    """Data after the end of the compressed stream (another member, an appended payload)."""


def _stream_chunks(fmt: str, src) -> Iterator[bytes]:
    """Decompressed chunks of the one stream in ``src``; EOFError when it is truncated, _Trailing
    when something follows it."""
    import bz2
    import lzma
    import zlib

    if fmt == "gzip":
        dec = zlib.decompressobj(16 + zlib.MAX_WBITS)
        while not dec.eof:
            data = dec.unconsumed_tail or src.read(_STREAM_CHUNK)
            if not data:
                raise EOFError("the stream is truncated")
            yield dec.decompress(data, _STREAM_CHUNK)
    else:
        dec = lzma.LZMADecompressor(format=lzma.FORMAT_XZ, memlimit=256 << 20) if fmt == "xz" \
            else bz2.BZ2Decompressor()
        while not dec.eof:
            data = b""
            if dec.needs_input:
                data = src.read(_STREAM_CHUNK)
                if not data:
                    raise EOFError("the stream is truncated")
            yield dec.decompress(data, _STREAM_CHUNK)
    if (dec.unused_data + src.read(4096)).strip(b"\0"):
        raise _Trailing()


def _decompress_stream(path: Path, rel: str, fmt: str, workdir: Path, out: Extraction, budget: _Budget) -> bool:
    """Decompress one gzip/xz/bzip2 file of a directory target in this process, as
    ``REL/<fmt>.uncompressed`` (the name unblob gives it), bounded by the size and ratio limits.
    A directory with many compressed files (the test fixtures of a source tree, compressed kernel
    modules) would otherwise start one extraction run, seconds each, per file. Returns False when
    unblob should take the file as before: the result is itself a container (a .tar.gz), or data
    follows the stream."""
    import lzma
    import zlib

    from ..inventory import container_format

    limits = budget.limits
    size = max(1, path.stat().st_size)
    cap = min(limits.max_bytes - out.bytes_extracted, max(limits.ratio_floor, int(size * limits.max_ratio)))
    slot = Path(tempfile.mkdtemp(prefix="z", dir=workdir))
    target = slot / f"{fmt}.uncompressed"
    written = 0
    problem = None
    try:
        with open(path, "rb") as src, open(target, "wb") as dst:
            for chunk in _stream_chunks(fmt, src):
                written += len(chunk)
                if written > cap:
                    problem = f"decompressed size passes the limit of {cap} bytes (decompression bomb?)"
                    break
                dst.write(chunk)
    except _Trailing:
        shutil.rmtree(slot, ignore_errors=True)
        return False
    except (OSError, EOFError, ValueError, lzma.LZMAError, zlib.error) as exc:
        problem = str(exc) or type(exc).__name__
    if problem is None and written == 0:
        problem = "the stream holds no data"
    if problem is not None:
        shutil.rmtree(slot, ignore_errors=True)
        out.errors.append(ScanError(rel, f"looks like {fmt} but could not be decompressed ({problem[:200]}); "
                                         "analysed as a plain file"))
        return True
    with open(target, "rb") as fh:
        inner = fh.read(4096)
    if container_format(inner) not in (None, *_WEAK_MAGIC):
        shutil.rmtree(slot, ignore_errors=True)
        return False  # a compressed archive: the extractor lays out its contents
    out.bytes_extracted += written
    budget.files += 1
    out.unpacked.add(path)
    out.formats.add(fmt)
    out.files.append((target, f"{rel}/{target.name}", target.name, rel))
    return True


@dataclass
class _Run:
    #: unblob finished by itself (not stopped by a limit)
    completed: bool = False
    #: start offsets of the chunks unblob found in the file it was given
    top_chunk_starts: set[int] = field(default_factory=set)
    #: handlers of the chunks found in that file
    formats: set[str] = field(default_factory=set)


class _Watch:
    """Measures an extraction tree; walks it no more often than its own cost allows."""

    def __init__(self, root: Path):
        self.root = root
        self.size = self.count = 0
        self.cost = 0.0

    def measure(self) -> None:
        t = time.monotonic()
        self.size, self.count = _tree_size(self.root)
        self.cost = time.monotonic() - t

    def next_interval(self, previous: float) -> float:
        return min(_POLL_MAX, max(_POLL_MIN, previous * 1.5, self.cost / _POLL_SHARE))


def _tree_size(root: Path) -> tuple[int, int]:
    """Apparent bytes and entries. Apparent, not allocated: extractors write runs of zeros as
    sparse files (zstd does), which cost no disk but every later reader pays for in full."""
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
                            total += entry.stat(follow_symlinks=False).st_size
                    except OSError:
                        pass
        except OSError:
            pass
    return total, count


def _recover_tar_entries(archive: Path, where: str, depth: int, slot: Path, out: Extraction) -> None:
    """The last entry of each name a tar stores twice is what a real extraction leaves: restore it
    where the extractor kept an earlier link instead (see :mod:`.tar_last`)."""
    extract_dir = slot / (archive.name + layout.SUFFIX) if depth == 0 else Path(str(archive) + layout.SUFFIX)
    if not extract_dir.is_dir():
        return
    decoys, error = tar_last.recover(archive, extract_dir, output_cap())
    for d in decoys:
        out.decoys.append({"path": where, "entry": d.entry, "first": d.first, "size": d.size})
    if error:
        out.errors.append(ScanError(where, error, "entries", "limit"))


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _run_unblob(path: Path, slot: Path, out: Extraction, display: str, budget: _Budget, depth: int = 1) -> _Run:
    """unblob on ``path``, which sits ``depth`` levels deep (the target is 1): it may nest
    containers only as deep as the depth limit leaves."""
    limits = budget.limits
    max_depth = max(1, limits.max_depth - depth + 1)
    run = _Run()
    report = slot / "unblob-report.json"
    log = slot / "unblob.log"
    extract_root = slot
    args = {
        "input": str(path.resolve()),
        "extract_root": str(extract_root),
        "report": str(report),
        "log": str(log),
        "max_depth": max_depth,
        "extractor_timeout": limits.extractor_timeout,
        "process_num": max(1, os.cpu_count() or 1),
    }
    input_size = max(1, path.stat().st_size)
    bytes_left = limits.max_bytes - out.bytes_extracted
    # a hard bound per written file (RLIMIT_FSIZE in the worker): a bomb writes faster than the
    # watchdog looks, sparse runs of zeros fastest of all
    args["max_file_bytes"] = max(1, min(bytes_left, max(limits.ratio_floor, int(input_size * limits.max_ratio))))
    files_left = limits.max_files - budget.files
    watch = _Watch(extract_root)
    breach = None
    with open(log, "wb") as logfh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "nobackdoor.unpack.worker", json.dumps(args)],
            stdin=subprocess.DEVNULL, stdout=logfh, stderr=logfh, start_new_session=True,
            env=_worker_env(),
        )
        interval = _POLL_MIN
        try:
            while True:
                try:
                    proc.wait(timeout=interval)
                    break
                except subprocess.TimeoutExpired:
                    pass
                watch.measure()
                if budget.on_poll is not None:
                    budget.on_poll(extract_root)
                interval = watch.next_interval(interval)
                breach = _breach(watch, limits, budget, bytes_left, files_left, input_size)
                if breach:
                    break
        finally:
            # also on KeyboardInterrupt: never leave extractors running
            if proc.returncode is None:
                _kill_group(proc)
    watch.measure()
    out.bytes_extracted += watch.size
    budget.files += watch.count
    if breach:
        out.errors.append(ScanError(display, f"unpacking stopped: {breach}; what was extracted before is analysed"))
        _trim_partial(extract_root)
        return run
    if proc.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
        out.errors.append(ScanError(display, "unpacking failed" + (f": {tail[0][:300]}" if tail else "")))
    if report.exists():
        parsed = layout.read_report(report, slot, display, max_depth)
        out.errors.extend(parsed.errors)
        out.neutralised.extend(parsed.neutralised)
        out.formats |= parsed.formats
        for archive, where, depth_of in parsed.tar_problems:
            _recover_tar_entries(Path(archive), where, depth_of, slot, out)
        run.top_chunk_starts = parsed.top_chunk_starts
        run.formats = set(parsed.formats)
        run.completed = proc.returncode == 0
    return run


def _worker_env() -> dict[str, str]:
    """The environment of the worker: extractors installed with nobackdoor (jefferson, ubireader)
    live beside its Python, which is not on PATH when the venv is not activated."""
    bindir = os.path.dirname(sys.executable)
    path = os.environ.get("PATH", os.defpath)
    if bindir not in path.split(os.pathsep):
        path = bindir + os.pathsep + path
    return {**os.environ, "PATH": path, "PYTHONWARNINGS": "ignore"}


def _breach(watch: _Watch, limits: Limits, budget: _Budget, bytes_left: int, files_left: int,
            input_size: int) -> str | None:
    if time.monotonic() > budget.deadline:
        return f"extraction time limit of {limits.total_timeout:g} s reached"
    # the ratio first: when both are exceeded, it is the better diagnosis
    if watch.size > limits.ratio_floor and watch.size / input_size > limits.max_ratio:
        return f"expansion-ratio limit of {limits.max_ratio:g}x reached (decompression bomb?)"
    if watch.size > bytes_left:
        return f"extracted-size limit of {limits.max_bytes} bytes reached"
    if watch.count > files_left:
        return f"file-count limit of {limits.max_files} reached"
    return None


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def _trim_partial(root: Path) -> None:
    """After a stopped extraction, drop files still being written (they may be huge or torn)."""
    for dirpath, _, filenames in os.walk(root):
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
