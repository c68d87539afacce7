"""Saved scan results and finding identities across versions.

A finding's identity is :attr:`Finding.fingerprint`: rule + path inside the filesystem (``_relpath``)
+ stable evidence. Two things break it between versions unless handled here:

* a saved JSON document drops ``_relpath`` (private evidence), so :func:`load_result` restores it
  from the document's own ``fingerprint`` field and its inventory;
* the name of a standalone binary, or the top directory of a source archive (``foo-1.2/``), is part
  of the path inside the target and changes with every release; :func:`normalise_identities` takes
  it out, so that diff and store match the same finding in two releases.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .models import Finding, ScanResult

# a saved result is small next to an image; refuse to parse something absurd as JSON
MAX_RESULT_BYTES = 512 * 1024 * 1024

#: stands for the file name of a standalone binary target in identities
BINARY_PLACEHOLDER = "<binary>"


class SavedResultError(Exception):
    pass


def looks_saved(path: Path) -> bool:
    try:
        if not path.is_file() or path.stat().st_size > MAX_RESULT_BYTES:
            return False
        with open(path, "rb") as fh:
            return fh.read(64).lstrip().startswith(b"{")
    except OSError:
        return False


def load_result(path: str | Path) -> ScanResult | None:
    """The result saved in ``path``, or None when the file is not a nobackdoor JSON document."""
    path = Path(path)
    if not looks_saved(path):
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # RecursionError: absurdly nested JSON
        return None
    if not isinstance(doc, dict) or "format_version" not in doc or not isinstance(doc.get("findings"), list):
        return None
    try:
        return result_from_doc(doc)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SavedResultError(f"{path}: saved result is malformed: {exc}") from None


def result_from_doc(doc: dict[str, Any]) -> ScanResult:
    result = ScanResult.from_dict(doc)
    by_path = {f.path: f.relpath for f in result.files}
    for finding, raw in zip(result.findings, doc.get("findings") or []):
        _restore_relpath(finding, raw.get("fingerprint"), by_path)
    return result


def _restore_relpath(finding: Finding, saved_fp: str | None, by_path: dict[str, str]) -> None:
    """Find the ``_relpath`` under which the scan computed ``saved_fp`` (the pipeline anchors findings
    to their inventory relpath; analyzers may anchor elsewhere, so try every suffix of the path)."""
    candidates = [by_path.get(finding.path)]
    parts = finding.path.split("/")
    candidates += ["/".join(parts[i:]) for i in range(len(parts))]
    for candidate in candidates:
        if candidate:
            finding.evidence["_relpath"] = candidate
            if not saved_fp or finding.fingerprint == saved_fp:
                return
    finding.evidence.pop("_relpath", None)
    if saved_fp and finding.fingerprint != saved_fp:  # unknown anchoring: keep the pipeline's rule
        if by_path.get(finding.path):
            finding.evidence["_relpath"] = by_path[finding.path]


def normalised_relpaths(result: ScanResult) -> dict[str, str]:
    """Contract path -> path inside the filesystem with release-specific names taken out."""
    files = result.files
    if result.target.kind == "binary" and len(files) == 1:
        return {files[0].path: BINARY_PLACEHOLDER}
    roots: dict[str, list[Any]] = {}
    for f in files:
        root = f.path[: len(f.path) - len(f.relpath)] if f.path.endswith(f.relpath) else ""
        roots.setdefault(root, []).append(f)
    out: dict[str, str] = {}
    for entries in roots.values():
        tops = {e.relpath.split("/", 1)[0] for e in entries}
        # only a versioned top directory ("foo-1.2/") is release-specific; "src/" is not
        strip = (len(tops) == 1 and any(c.isdigit() for c in next(iter(tops)))
                 and all("/" in e.relpath for e in entries))
        for e in entries:
            out[e.path] = e.relpath.split("/", 1)[1] if strip else e.relpath
    return out


def normalise_identities(result: ScanResult) -> dict[str, str]:
    """Re-anchor every finding to its normalised relpath (so ``fingerprint`` matches across releases);
    returns the path map used."""
    rels = normalised_relpaths(result)
    raw = {f.path: f.relpath for f in result.files}
    for finding in result.findings:
        if finding.path in rels:
            finding.evidence["_relpath"] = rels[finding.path]
            continue
        anchored = finding.evidence.get("_relpath")
        # a finding anchored below a file (an archive member, a function): map its file prefix
        for path, rel in raw.items():
            if anchored and anchored.startswith(rel + "/") and rels.get(path) != rel:
                finding.evidence["_relpath"] = rels[path] + anchored[len(rel):]
                break
    return rels
