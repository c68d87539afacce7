"""Software components of the target, for the SBOM: ``component`` observations.

Two sources, both listed in ``rules/components.yaml``:

* the version strings a binary carries for itself (``BusyBox v1.36.1``, ``OpenSSL 3.0.11 ...``),
  searched in ELF files and raw blobs such as a decompressed kernel;
* the package databases of the root filesystem (opkg / dpkg status, apk installed), plus
  ``os-release`` / ``openwrt_release`` and the ``lib/modules/<release>`` directories.

Nothing here is a finding; reports and the SBOM read the observations.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import yaml

from ..models import FileEntry, FileKind, Observation
from .base import FileAnalyzer, Tree, TreeAnalyzer, TreeContext

MAX_HITS_PER_ANCHOR = 4096  # libcrypto says "OpenSSL " often before its banner; a blob of repeats stays bounded
WINDOW = 160  # bytes read around an anchor for the pattern
MAX_DB_BYTES = 16 * 1024 * 1024
MAX_PACKAGES = 20000


@dataclass(frozen=True)
class Signature:
    name: str
    type: str
    cpe: str  # vendor:product
    anchor: bytes
    pattern: re.Pattern[bytes]
    source: str


@functools.cache
def _data() -> dict:
    text = resources.files("nobackdoor.rules").joinpath("components.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@functools.cache
def signatures() -> tuple[Signature, ...]:
    out = []
    for item in _data().get("binaries") or []:
        out.append(Signature(item["name"], item.get("type", "application"), item.get("cpe", ""),
                             item["anchor"].encode(), re.compile(item["pattern"].encode()), item.get("source", "")))
    return tuple(out)


@functools.cache
def filename_signatures() -> tuple[tuple[str, str, str, re.Pattern[str], str], ...]:
    """(name, type, cpe, pattern on the base name, source) for versions carried by file names."""
    return tuple((item["name"], item.get("type", "library"), item.get("cpe", ""), re.compile(item["pattern"]),
                  item.get("source", "")) for item in _data().get("filenames") or [])


def package_databases() -> list[dict]:
    return list(_data().get("package_databases") or [])


def cpe_of(vendor_product: str, version: str) -> str:
    if not vendor_product or not version:
        return ""
    vendor, _, product = vendor_product.partition(":")
    return f"cpe:2.3:a:{_cpe_escape(vendor)}:{_cpe_escape(product)}:{_cpe_escape(version)}:*:*:*:*:*:*:*" \
        if not vendor_product.startswith("linux:") else \
        f"cpe:2.3:o:linux:linux_kernel:{_cpe_escape(version)}:*:*:*:*:*:*:*"


def _cpe_escape(value: str) -> str:
    return re.sub(r"([^A-Za-z0-9._\-~])", r"\\\1", value)


def _purl_generic(name: str, version: str) -> str:
    from packageurl import PackageURL

    return PackageURL(type="generic", name=name, version=version or None).to_string()


def find_versions(data: bytes) -> list[tuple[Signature, str, str]]:
    """(signature, version, matched text) for every component whose banner is in ``data``."""
    found: dict[tuple[str, str], tuple[Signature, str, str]] = {}
    for sig in signatures():
        start = 0
        for _ in range(MAX_HITS_PER_ANCHOR):
            pos = data.find(sig.anchor, start)
            if pos < 0:
                break
            start = pos + 1
            window = data[max(0, pos - 8): pos + WINDOW]
            m = sig.pattern.search(window)
            if not m:
                continue
            version = m.group(1).decode("ascii", "replace")
            found.setdefault((sig.name, version), (sig, version, m.group(0).decode("ascii", "replace")))
    return list(found.values())


class ComponentStrings(FileAnalyzer):
    """Component versions from the banners inside binaries."""

    name = "components"
    kinds = frozenset({FileKind.ELF, FileKind.DATA})

    def analyze(self, entry: FileEntry, data: bytes):
        if entry.kind == FileKind.ELF:
            for name, ctype, cpe, pattern, _ in filename_signatures():
                m = pattern.match(entry.name)
                if m:
                    yield Observation("component", entry.path, {
                        "name": name, "version": m.group(1), "type": ctype,
                        "purl": _purl_generic(name, m.group(1)), "cpe": cpe_of(cpe, m.group(1)),
                        "source": "file name", "evidence": entry.name, "sha256": entry.sha256,
                        "file": entry.relpath})
        for sig, version, matched in find_versions(data):
            yield Observation("component", entry.path, {
                "name": sig.name, "version": version, "type": sig.type,
                "purl": _purl_generic(sig.name, version), "cpe": cpe_of(sig.cpe, version),
                "source": "binary strings", "evidence": matched[:120], "sha256": entry.sha256,
                "file": entry.relpath})


class ComponentDatabases(TreeAnalyzer):
    """Components from package databases, os-release and kernel module directories."""

    name = "component-databases"
    order = 5

    def analyze(self, ctx: TreeContext):
        for tree in ctx.trees:
            yield from self._packages(tree)
            yield from self._os_release(tree)
            yield from self._kernel_modules(tree)

    def _packages(self, tree: Tree):
        distro = _os_id(tree)
        for db in package_databases():
            entry = tree.resolve(db["path"])
            if entry is None or entry.kind not in (FileKind.TEXT, FileKind.SCRIPT, FileKind.SOURCE):
                continue
            if entry.size > MAX_DB_BYTES:
                continue
            text = tree.text(db["path"]) or ""
            parse = _parse_apk if db["format"] == "apk" else _parse_stanzas
            for lineno, pkg in parse(text):
                name, version, arch = pkg.get("name", ""), pkg.get("version", ""), pkg.get("arch", "")
                if not name:
                    continue
                yield Observation("component", tree.path_of(db["path"]), {
                    "name": name, "version": version, "type": "library" if name.startswith("lib") else "application",
                    "purl": _purl_package(db["manager"], distro, name, version, arch),
                    "cpe": "", "source": f"{db['manager']} database", "line": lineno,
                    "evidence": f"{name} {version}".strip(), "file": db["path"]})

    def _os_release(self, tree: Tree):
        for rel in ("etc/os-release", "usr/lib/os-release"):
            text = tree.text(rel)
            if not text:
                continue
            fields = _shell_assignments(text)
            name = fields.get("ID") or fields.get("NAME")
            if name:
                version = fields.get("VERSION_ID") or fields.get("VERSION", "")
                yield Observation("component", tree.path_of(rel), {
                    "name": name, "version": version, "type": "operating-system",
                    "purl": _purl_generic(name, version), "cpe": "", "source": "os-release",
                    "evidence": fields.get("PRETTY_NAME", name), "file": rel})
                return
        text = tree.text("etc/openwrt_release")
        if text:
            fields = _shell_assignments(text)
            version = fields.get("DISTRIB_RELEASE", "")
            yield Observation("component", tree.path_of("etc/openwrt_release"), {
                "name": (fields.get("DISTRIB_ID") or "openwrt").lower(), "version": version,
                "type": "operating-system", "purl": _purl_generic("openwrt", version), "cpe": "",
                "source": "openwrt_release", "evidence": fields.get("DISTRIB_DESCRIPTION", ""),
                "file": "etc/openwrt_release"})

    def _kernel_modules(self, tree: Tree):
        releases = sorted({d.split("/")[2] for d in tree.dirs if d.startswith("lib/modules/") and d.count("/") >= 2})
        for release in releases[:8]:
            if not re.match(r"^\d+\.\d+(?:\.\d+)?\S*$", release):
                continue
            yield Observation("component", tree.path_of(f"lib/modules/{release}"), {
                "name": "linux", "version": release, "type": "operating-system",
                "purl": _purl_generic("linux", release), "cpe": cpe_of("linux:linux_kernel", release),
                "source": "lib/modules directory", "evidence": f"lib/modules/{release}",
                "file": f"lib/modules/{release}"})


def _parse_stanzas(text: str):
    """opkg / dpkg status: blank-line separated stanzas; only installed packages count."""
    pkg: dict[str, str] = {}
    start = 1
    count = 0
    for lineno, line in enumerate(text.splitlines() + [""], 1):
        if not line.strip():
            status = pkg.get("status", "")
            if pkg.get("name") and (not status or " installed" in f" {status}" and "not-installed" not in status):
                yield start, pkg
                count += 1
                if count >= MAX_PACKAGES:
                    return
            pkg, start = {}, lineno + 1
            continue
        if line[:1] in (" ", "\t"):
            continue
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key == "package":
            pkg["name"] = value.strip()
        elif key in ("version", "status"):
            pkg[key] = value.strip()
        elif key == "architecture":
            pkg["arch"] = value.strip()


def _parse_apk(text: str):
    pkg: dict[str, str] = {}
    start = 1
    count = 0
    keys = {"P": "name", "V": "version", "A": "arch"}
    for lineno, line in enumerate(text.splitlines() + [""], 1):
        if not line.strip():
            if pkg.get("name"):
                yield start, pkg
                count += 1
                if count >= MAX_PACKAGES:
                    return
            pkg, start = {}, lineno + 1
            continue
        if len(line) > 2 and line[1] == ":" and line[0] in keys:
            pkg[keys[line[0]]] = line[2:].strip()


def _purl_package(manager: str, distro: str, name: str, version: str, arch: str) -> str:
    from packageurl import PackageURL

    qualifiers = {"arch": arch} if arch else None
    if manager == "dpkg":
        return PackageURL(type="deb", namespace=distro or "debian", name=name, version=version or None,
                          qualifiers=qualifiers).to_string()
    if manager == "apk":
        return PackageURL(type="apk", namespace=distro or "alpine", name=name, version=version or None,
                          qualifiers=qualifiers).to_string()
    return PackageURL(type="generic", namespace=distro or None, name=name, version=version or None,
                      qualifiers=qualifiers).to_string()


def _os_id(tree: Tree) -> str:
    for rel in ("etc/os-release", "usr/lib/os-release"):
        text = tree.text(rel)
        if text:
            return _shell_assignments(text).get("ID", "").lower()
    return "openwrt" if tree.get("etc/openwrt_release") else ""


def _shell_assignments(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines()[:200]:
        m = re.match(r"^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2).strip().strip("'\"")[:200]
    return out
