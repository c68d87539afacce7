"""Run only the source analyzers over a directory (for tests and the precision bench).

The scan pipeline does the same with unpacking, every other analyzer and worker processes; this
keeps the measurement to the source analysis itself (CPU time of one core).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from ...inventory import read_entry
from ...models import Finding, Observation, ScanError
from ..base import ScanOptions, Tree, TreeContext
from .build import BuildMachineryAnalyzer
from .code import SourceCodeAnalyzer
from .macros import HeaderMacroAnalyzer


@dataclass
class SourceRun:
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    files: int = 0  # source files the file analyzer looked at
    bytes: int = 0
    lines: int = 0
    cpu_seconds: float = 0.0


def analyse_directory(root: Path, target_kind: str = "source") -> SourceRun:
    root = Path(root)
    opts = ScanOptions(target_kind=target_kind)
    file_an = SourceCodeAnalyzer(opts)
    out = SourceRun()
    entries = {}
    for dirpath, dirnames, names in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for n in names:
            p = Path(dirpath) / n
            if p.is_symlink() or not p.is_file():
                continue
            rel = p.relative_to(root).as_posix()
            try:
                entries[rel] = read_entry(p, rel, rel, "")
            except OSError:
                continue
    selected = [(entry, data) for _, (entry, data) in sorted(entries.items())
                if data is not None and file_an.wants(entry)]
    for _, data in selected:  # counted outside the timed analysis
        out.files += 1
        out.bytes += len(data)
        out.lines += data.count(b"\n")
    observations: list[Observation] = []
    t0 = time.process_time()
    for entry, data in selected:
        rel = entry.relpath
        try:
            for r in file_an.analyze(entry, data):
                if isinstance(r, Finding):
                    out.findings.append(r)
                elif isinstance(r, Observation):
                    observations.append(r)
                elif isinstance(r, ScanError):
                    out.errors.append(f"{r.path}: {r.message}")
        except Exception as exc:  # counted so that the bench shows crashes instead of hiding them
            out.errors.append(f"{rel}: {type(exc).__name__}: {exc}")
    tree = Tree(root="", files={r: e for r, (e, _) in entries.items()})
    ctx = TreeContext(trees=[tree], observations=observations, findings=list(out.findings), options=opts)
    for an in (BuildMachineryAnalyzer(opts), HeaderMacroAnalyzer(opts)):
        try:
            out.findings.extend(f for f in an.analyze(ctx) if isinstance(f, Finding))
        except Exception as exc:
            out.errors.append(f"{an.name}: {type(exc).__name__}: {exc}")
    out.cpu_seconds = time.process_time() - t0
    seen = set()
    unique = []
    for f in out.findings:
        key = (f.rule, f.path, f.line, f.message)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    out.findings = unique
    return out
