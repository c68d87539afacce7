"""From unblob's ``*_extract`` directories to contract paths.

unblob writes the contents of container ``X`` to ``X_extract`` beside it, and the contents of a
chunk found at offsets ``A``-``B`` to ``A-B.handler_extract``. Each such directory is a container
boundary: the contract path is the chain of container names, then the path inside the innermost
one. Chunk names become ``handler@0xOFFSET`` so a reviewer can find them in the image.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..models import ScanError

if TYPE_CHECKING:
    from . import Extraction

SUFFIX = "_extract"
_CHUNK = re.compile(r"^(\d+)-(\d+)\.([A-Za-z0-9_]+)$")


def display_name(dirname: str) -> str:
    name = dirname[: -len(SUFFIX)]
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
    for entry in entries:
        rel = f"{rel_prefix}{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            if _is_boundary(directory.as_posix(), entry.name):
                inner_root = f"{root}/{rel_prefix}{display_name(entry.name)}"
                out.dirs.setdefault(inner_root, set())
                _walk(Path(entry.path), inner_root, "", out)
            else:
                out.dirs.setdefault(root, set()).add(rel)
                _walk(Path(entry.path), root, rel + "/", out)
        elif entry.is_symlink() or entry.is_file(follow_symlinks=False):
            real = Path(entry.path)
            if entry.name + SUFFIX in names and not entry.is_symlink():
                out.unpacked.add(real)
            out.files.append((real, f"{root}/{rel}", rel, root))


def report_errors(report: Path, slot: Path, display: str, out: "Extraction") -> list[ScanError]:
    """Translate unblob's report into scan errors with contract paths."""
    try:
        results = json.loads(report.read_text())
    except (OSError, ValueError):
        return [ScanError(display, "unpacking report unreadable")]
    errors: list[ScanError] = []
    for task in results if isinstance(results, list) else []:
        task_path = (task.get("task") or {}).get("path", "")
        where = to_display(task_path, slot, display)
        for rep in task.get("reports") or []:
            kind = rep.get("__typename__", "")
            if kind in ("ChunkReport",):
                handler = rep.get("handler_name")
                if handler:
                    out.formats.add(handler)
                for sub in rep.get("extraction_reports") or []:
                    msg = _message(sub)
                    if msg:
                        errors.append(ScanError(where, f"{handler}: {msg}"))
                continue
            msg = _message(rep)
            if msg:
                errors.append(ScanError(where, msg))
    return errors


def _message(rep: dict) -> str | None:
    kind = rep.get("__typename__", "")
    severity = str(rep.get("severity", "")).upper()
    if kind == "MaliciousSymlinkRemoved":
        return f"symlink pointing outside the image removed: {rep.get('link')} -> {rep.get('target')}"
    if kind == "ExtractCommandFailedReport":
        stderr = rep.get("stderr") or ""
        if isinstance(stderr, (bytes, bytearray)):
            stderr = stderr.decode(errors="replace")
        first = next((ln for ln in str(stderr).splitlines() if ln.strip()), "")
        return f"extractor {str(rep.get('command', '')).split(' ')[0]} failed (exit {rep.get('exit_code')}): {first[:200]}"
    if kind == "ExtractorTimedOut":
        return f"extractor timed out after {rep.get('timeout')} s: {str(rep.get('cmd'))[:120]}"
    if kind == "ExtractorDependencyNotFoundReport":
        return f"extractor not installed: {', '.join(rep.get('dependencies') or [])}"
    if "ERROR" in severity and kind not in ("StatReport", "FileMagicReport", "HashReport", "EntropyReport"):
        detail = rep.get("exception") or rep.get("message") or rep.get("problem") or kind
        return str(detail).strip().splitlines()[-1][:300] if str(detail).strip() else kind
    return None


def to_display(task_path: str, slot: Path, display: str) -> str:
    try:
        rel = Path(task_path).relative_to(slot)
    except ValueError:
        return display
    parts = rel.parts
    if not parts:
        return display
    out = [display]
    for part in parts[1:]:
        out.append(display_name(part) if part.endswith(SUFFIX) else part)
    return "/".join(out)
