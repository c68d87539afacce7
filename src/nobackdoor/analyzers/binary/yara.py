"""Known back doors by signature (YARA-X): the shipped pack under ``rules/yara/`` and user rule files.

The shipped rules match compiled binaries and raw firmware blobs (``known-backdoor``, rule
``binary.known-backdoor``); rule files given with ``--rules`` match every file of the target
(rule ``binary.user-signature``; a rule's ``severity`` meta overrides the default).
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import yara_x

from ...models import FileEntry, FileKind, ScanError, Severity
from ...ruleset import rule
from ..base import FileAnalyzer

PACK_NAMESPACE = "nobackdoor"
SCAN_TIMEOUT = 10  # seconds per file
#: kinds the shipped pack looks at (binaries and blobs: where the documented back doors lived)
PACK_KINDS = frozenset({FileKind.ELF, FileKind.DATA, FileKind.ARCHIVE})


def compile_rules(extra: tuple[str, ...]) -> tuple[yara_x.Rules, list[str]]:
    """The shipped pack plus user files; problems with user files are returned, not raised."""
    errors: list[str] = []
    compiler = yara_x.Compiler()
    compiler.new_namespace(PACK_NAMESPACE)
    for res in sorted(resources.files("nobackdoor.rules").joinpath("yara").iterdir(), key=lambda p: p.name):
        if res.name.endswith((".yar", ".yara")):
            compiler.add_source(res.read_text("utf-8"), origin=res.name)
    for i, name in enumerate(extra):
        path = Path(name)
        try:
            source = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(f"cannot read rule file {name}: {exc}")
            continue
        compiler.new_namespace(f"user{i}")
        try:
            compiler.add_source(source, origin=str(path))
        except yara_x.CompileError as exc:
            errors.append(f"rule file {name} does not compile: {exc}")
            compiler.new_namespace(f"user{i}-skipped")
    return compiler.build(), errors


class YaraAnalyzer(FileAnalyzer):
    name = "yara"
    max_size = 64 * 1024 * 1024

    def __init__(self, options=None) -> None:
        super().__init__(options)
        self._scanner: yara_x.Scanner | None = None
        self._errors: list[str] | None = None

    def wants(self, entry: FileEntry) -> bool:
        if entry.size == 0 or entry.size > self.max_size or entry.kind in (FileKind.SYMLINK, FileKind.EMPTY):
            return False
        return bool(self.options.extra_rules) or entry.kind in PACK_KINDS

    def _ready(self) -> yara_x.Scanner:
        if self._scanner is None:
            rules, self._errors = compile_rules(tuple(self.options.extra_rules))
            self._scanner = yara_x.Scanner(rules)
            self._scanner.set_timeout(SCAN_TIMEOUT)
        return self._scanner

    def analyze(self, entry: FileEntry, data: bytes):
        scanner = self._ready()
        if self._errors:
            for message in self._errors:
                yield ScanError("", message)
            self._errors = []
        try:
            results = scanner.scan(data)
        except yara_x.TimeoutError:
            yield ScanError(entry.path, "signature scan timed out")
            return
        except yara_x.ScanError as exc:
            yield ScanError(entry.path, f"signature scan failed: {exc}")
            return
        for match in results.matching_rules:
            shipped = match.namespace == PACK_NAMESPACE
            if shipped and entry.kind not in PACK_KINDS:
                continue
            meta = dict(match.metadata)
            hits = [(p.identifier, m.offset, m.length) for p in match.patterns for m in p.matches][:16]
            first = min((h[1] for h in hits), default=None)
            evidence = {
                "signature": match.identifier,
                "matches": [{"pattern": ident, "offset": off, "bytes": _show(data[off:off + min(length, 64)])}
                            for ident, off, length in hits],
                "_relpath": entry.relpath,
            }
            for key in ("description", "source"):
                if key in meta:
                    evidence[key] = str(meta[key])
            severity = None
            if isinstance(meta.get("severity"), str):
                try:
                    severity = Severity.parse(meta["severity"])
                except ValueError:
                    severity = None
            rid = "binary.known-backdoor" if shipped else "binary.user-signature"
            what = meta.get("description") or match.identifier
            origin = f" ({meta['source']})" if shipped and "source" in meta else " (user rule)"
            yield rule(rid).finding(entry.path, f"matches signature {match.identifier}: {what}{origin}",
                                    offset=first, evidence=evidence, severity=severity)


def _show(raw: bytes) -> str:
    return "".join(chr(b) if 32 <= b < 127 else f"\\x{b:02x}" for b in raw)
