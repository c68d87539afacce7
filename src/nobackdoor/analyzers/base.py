"""What an analyzer is.

Two kinds, both small and independent:

* :class:`FileAnalyzer` looks at one file at a time. It declares which files it wants
  (:meth:`FileAnalyzer.wants`) and gets the bytes the inventory already read. File analyzers
  run in worker processes, in parallel across cores.
* :class:`TreeAnalyzer` looks at a whole filesystem or source tree at once (an account store
  spread over passwd and shadow, a boot graph over inittab and rc scripts). Tree analyzers run
  after every file analyzer, in ``order``, and can read what earlier stages observed.

Both yield :class:`~nobackdoor.models.Finding` and :class:`~nobackdoor.models.Observation`
objects. An analyzer never writes to the target, never executes anything from it and never
touches the network.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from ..models import FileEntry, FileKind, Finding, Observation, ScanError

Result = Finding | Observation | ScanError


@dataclass
class ScanOptions:
    """Options analyzers may read (extended by later stages; keep fields optional)."""

    extra_rules: tuple[str, ...] = ()  # user YARA rule files (--rules)
    target_kind: str = ""
    #: names of the analyzers to run (empty: all); e.g. ``sbom`` needs only the component readers
    only: tuple[str, ...] = ()


class FileAnalyzer:
    name: ClassVar[str] = ""
    #: file kinds this analyzer wants; an empty set means "decide in wants()"
    kinds: ClassVar[frozenset[FileKind]] = frozenset()
    #: largest file (bytes) this analyzer wants to see
    max_size: ClassVar[int] = 64 * 1024 * 1024

    def __init__(self, options: ScanOptions | None = None) -> None:
        self.options = options or ScanOptions()

    def wants(self, entry: FileEntry) -> bool:
        return entry.kind in self.kinds and entry.size <= self.max_size

    def analyze(self, entry: FileEntry, data: bytes) -> Iterable[Result]:
        raise NotImplementedError


@dataclass
class Tree:
    """One filesystem or source tree of the target, as tree analyzers see it."""

    root: str  # chain prefix identifying the tree ("" for a directory target)
    files: dict[str, FileEntry]  # relpath -> entry (regular files and symlinks)
    dirs: set[str] = field(default_factory=set)

    def get(self, relpath: str) -> FileEntry | None:
        return self.files.get(relpath.lstrip("/"))

    def text(self, relpath: str) -> str | None:
        entry = self.get(relpath)
        if entry is None or entry.kind in (FileKind.SYMLINK,):
            entry = self.resolve(relpath)
        if entry is None or entry.kind in (FileKind.ELF, FileKind.SYMLINK, FileKind.DATA, FileKind.ARCHIVE):
            return None
        try:
            return entry.text()
        except OSError:
            return None

    def config_text(self, relpath: str, limit: int = 8 * 1024 * 1024) -> str | None:
        """A line-oriented configuration file's text whatever its inventory kind: one line of binary
        junk makes a file "data", yet its other lines still configure the system. Undecodable bytes
        become U+FFFD; the caller reports the lines it cannot use."""
        entry = self.resolve(relpath)
        if entry is None or entry.kind in (FileKind.SYMLINK, FileKind.ELF) or entry.size > limit:
            return None
        try:
            return entry.text()
        except OSError:
            return None

    def resolve(self, relpath: str, depth: int = 0) -> FileEntry | None:
        """Follow symlinks inside this tree (never outside it)."""
        entry = self.get(relpath)
        if entry is None or entry.kind != FileKind.SYMLINK or depth > 16:
            return entry
        target = entry.link_target or ""
        if target.startswith("/"):
            new = target.lstrip("/")
        else:
            base = relpath.rsplit("/", 1)[0] if "/" in relpath else ""
            new = f"{base}/{target}" if base else target
        return self.resolve(normalize(new), depth + 1)

    def glob(self, prefix: str = "", suffix: str = "") -> Iterator[FileEntry]:
        for rel, entry in self.files.items():
            if rel.startswith(prefix) and rel.endswith(suffix):
                yield entry

    def path_of(self, relpath: str) -> str:
        """Contract path of a file inside this tree."""
        return f"{self.root}/{relpath}" if self.root else relpath

    @property
    def is_rootfs(self) -> bool:
        return looks_like_rootfs(self.files.keys(), self.dirs)

    @property
    def is_source(self) -> bool:
        """Build machinery at the top of the tree: a source tree, whatever else it holds (a tree with
        a root filesystem beside its sources gets both sets of checks)."""
        return any(name in BUILD_ROOT_FILES for name in self.files if "/" not in name)


@dataclass
class TreeContext:
    """Everything tree analyzers see: all trees, and observations made so far."""

    trees: list[Tree]
    observations: list[Observation]
    findings: list[Finding]
    options: ScanOptions

    def observed(self, kind: str) -> list[Observation]:
        return [o for o in self.observations if o.kind == kind]


class TreeAnalyzer:
    name: ClassVar[str] = ""
    order: ClassVar[int] = 50  # lower runs first; later analyzers read earlier observations

    def __init__(self, options: ScanOptions | None = None) -> None:
        self.options = options or ScanOptions()

    def analyze(self, ctx: TreeContext) -> Iterable[Result]:
        raise NotImplementedError


ROOTFS_MARKERS = ("etc", "bin", "sbin", "usr", "lib", "www")

#: build scripts by name: the build-machinery check reads them as shell
BUILD_SCRIPT_NAMES = frozenset(("configure", "configure.ac", "configure.in", "Makefile", "Makefile.in", "Makefile.am",
                                "GNUmakefile", "makefile", "CMakeLists.txt", "setup.py", "package.json", "autogen.sh",
                                "bootstrap", "build.sh", "meson.build"))
#: files at the top of a source tree that build it (a root filesystem never has these at its root)
BUILD_ROOT_FILES = (BUILD_SCRIPT_NAMES - {"bootstrap", "build.sh"}) | frozenset((
    "pyproject.toml", "Cargo.toml", "go.mod", "build.gradle", "pom.xml", "SConstruct", "Kconfig", "BUILD.bazel"))

#: directories whose files a build does not ship: tests, examples, documentation, vendored
#: interpreter packages (a fixture's etc/passwd is not an account of the product)
NOT_SHIPPED_DIRS = re.compile(r"(^|/)(tests?|testing|testdata|test_data|examples?|samples?|doc|docs|fixtures?|demo)"
                              r"(/|$)|(^|/)usr/share/doc/|(^|/)(site|dist)-packages/"
                              # test suites by their names' shape: testprof/, regress/, unittests/, dummyserver/
                              r"|(^|/)(test[a-z_]*|(unit|self|func|integration|regression|c)_?tests?|regress[a-z_]*"
                              r"|dummyserver)/", re.I)


#: files that configure a running system: a tree that has one under etc/ is a root filesystem (or an
#: overlay of one) whatever else it holds, and gets the account, boot and service checks
SYSTEM_FILES = ("etc/passwd", "etc/shadow", "etc/group", "etc/inittab", "etc/inetd.conf", "etc/xinetd.conf",
                "etc/sudoers", "etc/rc.local", "etc/crontab", "etc/fstab", "etc/securetty", "etc/profile")
SYSTEM_DIRS = ("etc/init.d/", "etc/rc.d/", "etc/systemd/", "etc/crontabs/", "etc/cron.d/", "etc/config/",
               "etc/xinetd.d/", "etc/ssh/", "etc/dropbear/", "etc/pam.d/", "etc/udev/", "etc/hotplug.d/")


def looks_like_rootfs(relpaths: Iterable[str], dirs: Iterable[str] = (), by_content: bool = True) -> bool:
    """A root filesystem: etc/ beside another system directory, or (``by_content``) etc/ holding
    account, init or service files (a directory target of only etc/ is a root filesystem too)."""
    relpaths = list(relpaths)
    tops = {p.split("/", 1)[0] for p in relpaths} | {d.split("/", 1)[0] for d in dirs}
    if "etc" not in tops:
        return False
    if len(tops & set(ROOTFS_MARKERS)) >= 2:
        return True
    return by_content and any(p in SYSTEM_FILES or p.startswith(SYSTEM_DIRS) for p in relpaths)


def normalize(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)
