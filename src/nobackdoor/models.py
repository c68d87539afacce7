"""The one vocabulary of nobackdoor: targets, files, findings, observations, scan results.

Every layer (unpack, inventory, analyzers, reports, store) speaks in these types.
The JSON shapes produced by ``to_dict`` are the contract of ../CONTRACT.md (format_version 1).
"""
from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1


class Severity(str, enum.Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, value: "str | Severity") -> "Severity":
        if isinstance(value, Severity):
            return value
        try:
            return cls(value.lower())
        except ValueError:
            raise ValueError(f"unknown severity {value!r} (one of: {', '.join(s.value for s in cls)})") from None


_SEVERITY_RANK = {Severity.INFO: 0, Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}

#: The finding categories of the contract; a finding has exactly one.
CATEGORIES: dict[str, str] = {
    "account": "undocumented, privileged, default-password or empty-password account",
    "hardcoded-secret": "password, key, token or private key built into the software",
    "remote-access": "remote shell or management service reachable without the documented authentication",
    "auth-bypass": "magic value or hidden condition that skips or defeats authentication",
    "hidden-command": "undocumented command, header, packet or input that makes the software run code",
    "phone-home": "hard-coded remote endpoint contacted or code downloaded and run without consent",
    "obfuscated-code": "encoded, encrypted or disguised code or payload and the code that decodes and runs it",
    "build-tampering": "delivered release or binary differs from the reviewed source, or the build injects code",
    "debug-interface": "console, UART, JTAG or debug mode that gives a shell or privileged access",
    "known-backdoor": "matches the signature of a publicly known back door",
}

TARGET_KINDS = ("firmware", "rootfs", "binary", "source", "release")


class FileKind(str, enum.Enum):
    ELF = "elf"
    SCRIPT = "script"  # text with a #! line or a well-known script suffix
    SOURCE = "source"  # program source code (by suffix)
    TEXT = "text"
    KEY = "key"  # key or certificate material (PEM, OpenSSH, PuTTY, DER)
    ARCHIVE = "archive"  # a container that was (or could not be) unpacked
    DATA = "data"
    SYMLINK = "symlink"
    EMPTY = "empty"


@dataclass(frozen=True)
class ElfInfo:
    arch: str  # mips, mips64, arm, aarch64, x86, x86_64, ppc, ppc64, riscv, ...
    bits: int
    endian: str  # "little" | "big"
    machine: int  # e_machine
    elf_type: str  # EXEC, DYN, REL, CORE
    interpreter: str | None = None  # PT_INTERP: None means statically linked (for EXEC/DYN)

    @property
    def static(self) -> bool:
        return self.interpreter is None and self.elf_type in ("EXEC", "DYN")


@dataclass
class FileEntry:
    """One file of the target, as the inventory saw it (one read)."""

    path: str  # contract path: container chain + path inside the innermost filesystem
    relpath: str  # path inside the innermost filesystem or source tree, no leading slash
    root: str  # identifier (chain prefix) of the innermost filesystem the file lives in
    realpath: Path  # where the bytes are on disk (inside the work directory)
    size: int
    sha256: str
    kind: FileKind
    mode: int = 0o644
    link_target: str | None = None
    elf: ElfInfo | None = None
    interpreter: str | None = None  # for scripts: the #! interpreter's basename
    language: str | None = None  # for source files: c, cpp, python, php, javascript, ...
    unpacked: bool = False  # a container whose contents were extracted next to it
    content: bytes | None = field(default=None, repr=False, compare=False)  # kept for small text files

    @property
    def name(self) -> str:
        return self.relpath.rsplit("/", 1)[-1]

    @property
    def is_setuid(self) -> bool:
        return bool(self.mode & 0o4000)

    @property
    def is_setgid(self) -> bool:
        return bool(self.mode & 0o2000)

    def text(self) -> str:
        """The file's content as text (replacement characters for undecodable bytes)."""
        data = self.content if self.content is not None else self.realpath.read_bytes()
        return data.decode("utf-8", errors="replace")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "relpath": self.relpath,
            "size": self.size,
            "sha256": self.sha256,
            "kind": self.kind.value,
            "mode": oct(self.mode & 0o7777),
        }
        if self.link_target is not None:
            out["link_target"] = self.link_target
        if self.elf is not None:
            out["elf"] = dataclasses.asdict(self.elf)
        if self.interpreter:
            out["interpreter"] = self.interpreter
        if self.language:
            out["language"] = self.language
        return out


@dataclass
class Finding:
    rule: str
    category: str
    severity: Severity
    path: str
    message: str
    line: int | None = None
    offset: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    requirements: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown finding category {self.category!r}")
        self.severity = Severity.parse(self.severity)

    @property
    def fingerprint(self) -> str:
        """Stable identity across versions: rule + path inside the filesystem + evidence digest.

        The container chain is left out so that the same finding in the next firmware version
        (whose file name and offsets differ) keeps its identity.
        """
        inner = self.evidence.get("_relpath") or self.path
        stable = {k: v for k, v in self.evidence.items() if not k.startswith("_") and k not in _VOLATILE_EVIDENCE}
        blob = json.dumps([self.rule, inner, stable], sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:32]

    def sort_key(self) -> tuple:
        return (self.path, self.line or 0, self.offset or 0, self.rule, self.message)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity.value,
            "path": self.path,
        }
        if self.line is not None:
            out["line"] = self.line
        if self.offset is not None:
            out["offset"] = self.offset
        out["message"] = self.message
        out["evidence"] = {k: v for k, v in self.evidence.items() if not k.startswith("_")}
        out["requirements"] = list(self.requirements)
        out["fingerprint"] = self.fingerprint
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Finding":
        return cls(
            rule=data["rule"],
            category=data["category"],
            severity=Severity.parse(data["severity"]),
            path=data.get("path", ""),
            message=data.get("message", ""),
            line=data.get("line"),
            offset=data.get("offset"),
            evidence=dict(data.get("evidence") or {}),
            requirements=list(data.get("requirements") or []),
        )


# Evidence keys that legitimately change between builds (addresses, offsets) and so must not
# break a finding's identity across versions.
_VOLATILE_EVIDENCE = frozenset({"address", "function_address", "offset", "addresses", "disassembly"})


@dataclass
class Observation:
    """A fact about the target that is not by itself a finding (an account, a boot service,
    a listener, a key, an endpoint, ...). Reports show them; declaration and diff compare them."""

    kind: str  # account | service | listener | key | endpoint | setuid | binary | component | ...
    path: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, **self.data}


@dataclass
class ScanError:
    """Something of the target that was not (fully) read: a parse failure, a limit, a heuristic.
    Any error makes the scan incomplete: its absence of findings is not a clean bill."""

    path: str
    message: str
    #: what was left unread (e.g. "file", "bytes 1048576-5242880", "analyzer source-code")
    skipped: str = ""
    #: why: a parse failure, or the limit or heuristic that cut it ("limit", "parse", "unsupported", ...)
    reason: str = ""
    #: how many bytes were left unread, when known
    bytes: int | None = None

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"path": self.path, "message": self.message}
        if self.skipped:
            doc["skipped"] = self.skipped
        if self.reason:
            doc["reason"] = self.reason
        if self.bytes is not None:
            doc["bytes"] = self.bytes
        return doc

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> "ScanError":
        return cls(doc.get("path", ""), doc.get("message", ""), doc.get("skipped", ""), doc.get("reason", ""),
                   doc.get("bytes"))


@dataclass
class Target:
    path: str
    sha256: str
    size: int
    kind: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "size": self.size, "kind": self.kind}


@dataclass
class ScanResult:
    target: Target
    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    files: list[FileEntry] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    tool_version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # sections added by later stages (declaration, ...)

    def observations_of(self, kind: str) -> list[Observation]:
        return [o for o in self.observations if o.kind == kind]

    @property
    def complete(self) -> bool:
        """Every byte of the target was read and analysed (no error, no limit, no skip)."""
        return not self.errors

    def verdict(self, fail_on: "Severity | str" = "high") -> str:
        """``fail`` (a finding at or above fail_on), ``incomplete`` (none, but something was left
        unread) or ``pass``."""
        threshold = Severity.parse(fail_on)
        if any(f.severity.rank >= threshold.rank for f in self.findings):
            return "fail"
        return "pass" if self.complete else "incomplete"

    def max_severity(self) -> Severity | None:
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=lambda s: s.rank)

    def to_dict(self) -> dict[str, Any]:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for obs in self.observations:
            grouped.setdefault(obs.kind, []).append(obs.to_dict())
        doc: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "tool": {"name": "nobackdoor", "version": self.tool_version},
            "target": self.target.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
            "errors": [e.to_dict() for e in self.errors],
            "complete": self.complete,
            "verdict": self.verdict(),
            "stats": self.stats,
            "observations": grouped,
            "inventory": [f.to_dict() for f in self.files],
        }
        doc.update(self.extra)
        return doc

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> "ScanResult":
        """Rebuild a result from a saved JSON document (inventory entries keep no bytes)."""
        t = doc.get("target") or {}
        result = cls(
            target=Target(t.get("path", ""), t.get("sha256", ""), t.get("size", 0), t.get("kind", "")),
            findings=[Finding.from_dict(f) for f in doc.get("findings", [])],
            errors=[ScanError.from_dict(e) for e in doc.get("errors", [])],
            stats=dict(doc.get("stats") or {}),
            tool_version=(doc.get("tool") or {}).get("version", ""),
        )
        for kind, items in (doc.get("observations") or {}).items():
            for item in items:
                item = dict(item)
                path = item.pop("path", "")
                result.observations.append(Observation(kind, path, item))
        for f in doc.get("inventory") or []:
            result.files.append(
                FileEntry(
                    path=f["path"], relpath=f.get("relpath", f["path"]), root="", realpath=Path("/nonexistent"),
                    size=f.get("size", 0), sha256=f.get("sha256", ""), kind=FileKind(f.get("kind", "data")),
                    mode=int(str(f.get("mode", "0o644")), 8) if isinstance(f.get("mode"), str) else f.get("mode", 0o644),
                    link_target=f.get("link_target"),
                )
            )
        known = {"format_version", "tool", "target", "findings", "errors", "stats", "observations", "inventory",
                 "complete", "verdict"}
        result.extra = {k: v for k, v in doc.items() if k not in known}
        return result
