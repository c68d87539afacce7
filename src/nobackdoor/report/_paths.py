"""Container chains of contract paths, and the taint path of a finding, shared by the report formats.

A contract path is ``container/container/.../path/inside/innermost/filesystem``. The containers
are the files the unpacker opened (inventory entries of kind ``archive``) and, for a file target,
the target itself.
"""
from __future__ import annotations

import re

from ..models import FileKind, Finding, ScanResult

# unpack/layout.py names a chunk carved out of a file "handler@0xOFFSET"; it has no inventory entry
_CHUNK = re.compile(r"^[A-Za-z0-9_]+@0x[0-9a-f]+$")


class Chains:
    def __init__(self, result: ScanResult) -> None:
        self.containers = {e.path for e in result.files if e.kind == FileKind.ARCHIVE}
        paths = [e.path for e in result.files] + [f.path for f in result.findings]
        top = basename(result.target.path)
        self.top = top if top and any(p == top or p.startswith(top + "/") for p in paths) else ""

    def chain(self, path: str) -> list[str]:
        """Contract paths of the containers enclosing ``path``, outermost first."""
        parts = path.split("/")
        out = []
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            if prefix == self.top or prefix in self.containers or _CHUNK.match(parts[i - 1]):
                out.append(prefix)
        return out

    def split(self, path: str) -> tuple[list[str], str]:
        """(container names, path inside the innermost one) for display."""
        chain = self.chain(path)
        names, prev = [], ""
        for c in chain:
            names.append(c[len(prev) + 1:] if prev and c.startswith(prev + "/") else c)
            prev = c
        inner = path[len(prev) + 1:] if prev and path.startswith(prev + "/") else path
        return names, inner


def basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1] or path


def flow_steps(f: Finding) -> list[dict]:
    """The steps of a finding's ``evidence.path`` (``{line, code}`` from the input to the sink, in
    one file), or [] when it has none of that shape."""
    path = f.evidence.get("path")
    if isinstance(path, list) and all(isinstance(s, dict) and isinstance(s.get("line"), int) and "code" in s
                                      for s in path):
        return path
    return []
