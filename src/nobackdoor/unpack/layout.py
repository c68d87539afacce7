"""From unblob's output to contract paths and scan errors.

unblob writes the contents of container ``X`` to ``X_extract`` beside it when the whole file is
one chunk; otherwise it carves the file into ``X_extract/A-B.handler`` (extracted to
``A-B.handler_extract``) and ``A-B.unknown`` / ``A-B.padding`` for the bytes between chunks.
Each ``*_extract`` directory is a container boundary: the contract path is the chain of container
names, then the path inside the innermost one. Chunk names become ``handler@0xOFFSET`` (and
``unknown@0xOFFSET``) so a reviewer can find them in the image.

unblob's JSON report (``ProcessResult.to_json``, unblob 25/26) is a list of task results
``{"task": {"path", "depth", ...}, "reports": [...], "subtasks": [...]}``; each report carries
its class name in ``__typename__``. :func:`read_report` turns the ones that matter into scan
errors and neutralisation events.
"""
from __future__ import annotations

import base64
import binascii
import json
import os
import re
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..models import ScanError

if TYPE_CHECKING:
    from . import Extraction

SUFFIX = "_extract"
_CHUNK = re.compile(r"^(\d+)-(\d+)\.([A-Za-z0-9_-]+)$")
#: carved bytes between chunks; padding is filler by definition and not worth analysing
_FILLER = ("padding",)
#: at most this many messages of one kind per container; the rest are counted
MAX_MESSAGES_PER_KIND = 10


def display_name(name: str) -> str:
    """Contract name of one path component written by unblob."""
    if name.endswith(SUFFIX) and name != SUFFIX:
        name = name[: -len(SUFFIX)]
    m = _CHUNK.match(name)
    if m:
        return f"{m.group(3)}@0x{int(m.group(1)):x}"
    return name


def _is_boundary(dirpath: str, name: str) -> bool:
    if not name.endswith(SUFFIX) or name == SUFFIX:
        return False
    base = name[: -len(SUFFIX)]
    return bool(_CHUNK.match(base)) or os.path.lexists(os.path.join(dirpath, base))


def collect(extract_dir: Path, display: str, out: "Extraction") -> None:
    """Add every file below ``extract_dir`` to ``out`` with its chain path."""
    out.dirs.setdefault(display, set())
    _walk(extract_dir, display, "", out)


def _walk(directory: Path, root: str, rel_prefix: str, out: "Extraction") -> None:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        out.errors.append(ScanError(f"{root}/{rel_prefix}".rstrip("/"), f"cannot list extracted directory: {exc}"))
        return
    names = {e.name for e in entries}
    dirpath = directory.as_posix()
    for entry in entries:
        rel = f"{rel_prefix}{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            if _is_boundary(dirpath, entry.name):
                inner_root = f"{root}/{rel_prefix}{display_name(entry.name)}"
                out.dirs.setdefault(inner_root, set())
                _walk(Path(entry.path), inner_root, "", out)
            else:
                out.dirs.setdefault(root, set()).add(rel)
                _walk(Path(entry.path), root, rel + "/", out)
        elif entry.is_symlink() or entry.is_file(follow_symlinks=False):
            real = Path(entry.path)
            m = _CHUNK.match(entry.name) if not rel_prefix and not entry.is_symlink() else None
            if m:
                # bytes carved out of the container (at the top of its _extract directory)
                if m.group(3) in _FILLER:
                    continue
                name = display_name(entry.name)
                out.files.append((real, f"{root}/{name}", name, root))
                continue
            if entry.name + SUFFIX in names and not entry.is_symlink():
                out.unpacked.add(real)
            out.files.append((real, f"{root}/{rel}", rel, root))


def to_display(task_path: str, slot: Path, display: str) -> str:
    """Contract path of a path unblob reports (inside ``slot``, or the input file itself)."""
    try:
        rel = Path(task_path).relative_to(slot)
    except ValueError:
        try:
            rel = Path(task_path).relative_to(slot.resolve())
        except ValueError:
            return display
    parts = rel.parts
    out = [display]
    for part in parts[1:]:
        out.append(display_name(part) if (part.endswith(SUFFIX) or _CHUNK.match(part)) else part)
    return "/".join(out)


@dataclass
class ParsedReport:
    errors: list[ScanError] = field(default_factory=list)
    neutralised: list[dict[str, str]] = field(default_factory=list)
    formats: set[str] = field(default_factory=set)
    #: start offsets of the chunks found in the input file itself
    top_chunk_starts: set[int] = field(default_factory=set)
    #: (container, entry) pairs already reported as unsafe
    seen_entries: set[tuple[str, str]] = field(default_factory=set)
    #: whole-file tar archives whose extraction reported problems: (archive path, display path, depth)
    tar_problems: list[tuple[str, str, int]] = field(default_factory=list)


#: ExtractionProblem subclasses that are an attempt to write or point outside the tree
_ESCAPES = ("PathTraversalProblem", "LinkExtractionProblem")
_PROBLEMS = _ESCAPES + ("SpecialFileExtractionProblem", "ExtractionProblem")
#: reports that describe a file, not a problem
_INFO = {"StatReport", "FileMagicReport", "HashReport", "EntropyReport", "RandomnessReport",
         "UnknownChunkReport", "CarveDirectoryReport", "ExtractedFileDeletedReport",
         "ExtendedAttributeExtractionProblem"}


def read_report(report: Path, slot: Path, display: str, max_depth: int) -> ParsedReport:
    """Translate unblob's report into scan errors and neutralisation events with contract paths."""
    parsed = ParsedReport()
    try:
        results = json.loads(report.read_text(errors="replace"))
    except (OSError, ValueError):
        parsed.errors.append(ScanError(display, "unpacking report unreadable; extraction may be incomplete"))
        return parsed
    if not isinstance(results, list):
        return parsed
    counts: dict[tuple[str, str], int] = {}
    too_deep: list[str] = []

    def add_error(where: str, kind: str, message: str) -> None:
        key = (display, kind)
        counts[key] = counts.get(key, 0) + 1
        if counts[key] <= MAX_MESSAGES_PER_KIND:
            parsed.errors.append(ScanError(where, message))

    for task in results:
        if not isinstance(task, dict):
            continue
        info = task.get("task") or {}
        task_path = str(info.get("path", ""))
        depth = info.get("depth", 0)
        where = to_display(task_path, slot, display)
        reports = [r for r in task.get("reports") or [] if isinstance(r, dict)]
        if isinstance(depth, int) and depth >= max_depth and depth > 0:
            too_deep.extend(_unopened_containers(Path(task_path), slot, display))
        cut = _cut_short(reports)
        unopened = _announced_but_unopened(reports) if depth else None  # the engine judges the input
        if cut or unopened:
            add_error(where, "truncated", cut or unopened)
        for rep in reports:
            kind = rep.get("__typename__", "")
            if kind in ("ChunkReport", "MultiFileReport"):
                handler = str(rep.get("handler_name") or "")
                if handler:
                    parsed.formats.add(handler)
                if kind == "ChunkReport" and depth == 0 and isinstance(rep.get("start_offset"), int):
                    parsed.top_chunk_starts.add(rep["start_offset"])
                chunk_where = where
                if kind == "ChunkReport" and isinstance(rep.get("start_offset"), int) and rep.get("start_offset"):
                    chunk_where = f"{where}/{handler}@0x{rep['start_offset']:x}"
                if handler.startswith("cpio") and kind == "ChunkReport":
                    missing = _cpio_trailer_missing(Path(task_path), rep.get("start_offset"), rep.get("end_offset"))
                    if missing:
                        add_error(chunk_where, "truncated", missing)
                subs = [sub for sub in rep.get("extraction_reports") or [] if isinstance(sub, dict)]
                for sub in subs:
                    _one(sub, chunk_where, handler, parsed, add_error, slot, display)
                if handler == "tar" and rep.get("start_offset") == 0 and \
                        any(sub.get("__typename__") in _PROBLEMS for sub in subs):
                    parsed.tar_problems.append((task_path, where, depth if isinstance(depth, int) else 0))
                continue
            if kind in _INFO:
                continue
            _one(rep, where, "", parsed, add_error, slot, display)
    for (_, kind), n in counts.items():
        if n > MAX_MESSAGES_PER_KIND:
            parsed.errors.append(ScanError(display, f"{n - MAX_MESSAGES_PER_KIND} more problems of kind {kind} "
                                                    "not listed"))
    if too_deep:
        shown = ", ".join(too_deep[:3]) + (f" and {len(too_deep) - 3} more" if len(too_deep) > 3 else "")
        parsed.errors.append(ScanError(display, f"containers nested deeper than the depth limit ({max_depth}) "
                                                f"were not opened (raise --max-depth): {shown}"))
    return parsed


def _cpio_trailer_missing(path: Path, start, end) -> str | None:
    """A cpio archive ends with its ``TRAILER!!!`` entry; one that stops without it was cut at an
    entry boundary, and whatever followed (a boot script, an account file) is not there to read."""
    if not isinstance(start, int) or not isinstance(end, int) or end <= start:
        return None
    try:
        with open(path, "rb") as fh:
            fh.seek(max(start, end - 1024))
            tail = fh.read(end - max(start, end - 1024))
    except OSError:
        return None
    if b"TRAILER!!!" in tail:
        return None
    return (f"cpio archive ends at offset {end} without its TRAILER!!! entry: it is truncated, and entries that "
            "followed are missing")


#: libmagic descriptions of containers (first line of unblob's FileMagicReport) -> format name
_MAGIC_HINTS = (
    ("Squashfs filesystem", "squashfs"), ("Zip archive", "zip"), ("gzip compressed", "gzip"),
    ("XZ compressed", "xz"), ("bzip2 compressed", "bzip2"), ("Zstandard compressed", "zstd"),
    ("LZ4 compressed", "lz4"), ("cpio archive", "cpio"), ("tar archive", "tar"),
    ("u-boot legacy uImage", "uimage"), ("UBI image", "ubi"), ("UBIfs image", "ubifs"),
    ("Compressed ROM File System", "cramfs"), ("jffs2 filesystem", "jffs2"), ("7-zip archive", "7z"),
    ("ext2 filesystem", "ext2"), ("ext3 filesystem", "ext3"), ("ext4 filesystem", "ext4"),
)


def _announced_but_unopened(reports: list[dict]) -> str | None:
    """A file whose type libmagic names as a container, but in which no handler found anything."""
    if any(r.get("__typename__") == "ChunkReport" and r.get("start_offset") == 0 for r in reports):
        return None
    carved = any(r.get("__typename__") in ("ChunkReport", "UnknownChunkReport") for r in reports)
    magic = next((str(r.get("magic", "")) for r in reports if r.get("__typename__") == "FileMagicReport"), "")
    first = magic.split("\\012-", 1)[0]
    for hint, name in _MAGIC_HINTS:
        if hint in first:
            return (f"looks like {name} but could not be unpacked as {name} (truncated or corrupt); "
                    + ("what could be carved from it is analysed" if carved else "analysed as a plain file"))
    return None


def _cut_short(reports: list[dict]) -> str | None:
    """A container at the start of a file that ends early, the rest being bytes nothing recognised:
    the usual look of a truncated or corrupt archive."""
    size = next((r.get("size") for r in reports if r.get("__typename__") == "StatReport"), None)
    chunks = {r.get("end_offset"): r for r in reports
              if r.get("__typename__") == "ChunkReport" and r.get("start_offset") == 0}
    for r in reports:
        if r.get("__typename__") != "UnknownChunkReport" or r.get("end_offset") != size:
            continue
        first = chunks.get(r.get("start_offset"))
        if first is not None:
            return (f"{first.get('handler_name')} data ends at offset {r['start_offset']} but the file goes on for "
                    f"{r.get('size')} bytes that no handler recognises (truncated or corrupt container); "
                    "what could be extracted is analysed")
    return None


def _one(rep: dict, where: str, handler: str, parsed: ParsedReport, add_error, slot: Path,
         display: str) -> None:
    kind = str(rep.get("__typename__", ""))
    prefix = f"{handler}: " if handler else ""
    if kind in _PROBLEMS:
        entry = str(rep.get("path") or "")
        action = f"{rep.get('problem', '')} {rep.get('resolution', '')}".strip()
        event = {"path": where, "action": action}
        if entry:
            event["entry"] = entry
        parsed.neutralised.append(event)
        if kind in _ESCAPES or "traversal" in action.lower() or action.startswith("Absolute path. "):
            # one error per entry (unblob reports a redirected entry once per file operation)
            if (where, entry) not in parsed.seen_entries:
                parsed.seen_entries.add((where, entry))
                add_error(where, kind, f"{prefix}unsafe archive entry {_short(entry)!r} neutralised: {action}")
        return
    if kind == "MaliciousSymlinkRemoved":
        link = to_display(str(rep.get("link", "")), slot, display)
        event = {"path": link, "action": "removed symlink pointing outside the extraction",
                 "target": str(rep.get("target", ""))}
        parsed.neutralised.append(event)
        add_error(link, kind, f"symlink pointing outside the image removed (target {_short(rep.get('target'))})")
        return
    msg = _message(rep)
    if msg:
        add_error(where, kind, prefix + msg)


def _short(value: object) -> str:
    text = str(value or "")
    return text if len(text) <= 160 else "..." + text[-157:]


def _decode(value: object) -> str:
    """ExtractCommandFailedReport stores stdout/stderr base64-encoded."""
    if not isinstance(value, str):
        return ""
    try:
        return base64.b64decode(value, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return value


def _first_relevant_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in lines:
        if re.search(r"error|fail|invalid|corrupt|unexpected|truncat|cannot|can't", ln, re.I):
            return ln
    return lines[-1] if lines else ""


def _message(rep: dict) -> str | None:
    kind = rep.get("__typename__", "")
    severity = str(rep.get("severity", "")).upper()
    text = " ".join(str(rep.get(k) or "") for k in ("exception", "message")) + _decode(rep.get("stderr"))
    # the worker's RLIMIT_FSIZE: Python handlers get EFBIG, extractors die of SIGXFSZ
    if "File too large" in text or "EFBIG" in text or rep.get("exit_code") == -signal.SIGXFSZ:
        return ("output stopped at the extracted-size limit for one file (see --max-ratio, --max-extract-size; "
                "decompression bomb?)")
    if kind == "ExtractCommandFailedReport":
        detail = _first_relevant_line(_decode(rep.get("stderr"))) or _first_relevant_line(_decode(rep.get("stdout")))
        program = str(rep.get("command", "")).split(" ")[0].rsplit("/", 1)[-1]
        return (f"extractor {program} failed (exit {rep.get('exit_code')}); the container is probably truncated "
                f"or corrupt" + (f": {detail[:200]}" if detail else ""))
    if kind == "PayloadProblem":  # nobackdoor's own extractors (handlers.py), already worded for the reader
        return " ".join(str(rep.get("message") or kind).split())[:800]
    if kind == "ExtractorTimedOut":
        program = str(rep.get("cmd", "")).split(" ")[0].rsplit("/", 1)[-1]
        return f"extractor {program} stopped after the per-extractor time limit of {rep.get('timeout')} s"
    if kind == "ExtractorDependencyNotFoundReport":
        return f"extractor not installed: {', '.join(map(str, rep.get('dependencies') or []))}"
    if kind == "OutputDirectoryExistsReport":
        return "extraction skipped: two chunks would be extracted to the same directory"
    if kind == "MultiFileCollisionReport":
        return "extraction skipped: multi-file container collides with another"
    if kind in ("UnknownError", "CalculateChunkExceptionReport", "CalculateMultiFileExceptionReport"):
        text = str(rep.get("exception") or "").strip()
        last = text.splitlines()[-1] if text else kind
        where = f" (handler {rep['handler']} at offset {rep.get('start_offset', 0)})" if rep.get("handler") else ""
        return f"extractor error{where}: {last[:240]}"
    if "ERROR" in severity:
        detail = rep.get("message") or rep.get("problem") or kind
        return str(detail).strip().splitlines()[-1][:300] if str(detail).strip() else kind
    return None


_UNOPENED_SCAN_MAX = 2000


def _unopened_containers(path: Path, slot: Path, display: str) -> list[str]:
    """Containers left closed because unblob reached the depth limit at ``path``."""
    from ..inventory import container_format  # not at module level: the unblob worker imports this package
    found: list[str] = []
    candidates: list[Path] = []
    try:
        if path.is_symlink():
            return found
        if path.is_file():
            candidates.append(path)
        elif path.is_dir():
            for dirpath, _, filenames in os.walk(path):
                for name in filenames:
                    candidates.append(Path(dirpath) / name)
                    if len(candidates) >= _UNOPENED_SCAN_MAX:
                        break
    except OSError:
        return found
    for candidate in candidates:
        try:
            if candidate.is_symlink() or candidate.stat().st_size < 64:
                continue
            with open(candidate, "rb") as fh:
                head = fh.read(4096)
        except OSError:
            continue
        fmt = container_format(head)
        if fmt and fmt not in ("lzma", "jffs2"):
            found.append(to_display(str(candidate), slot, display))
    return found
