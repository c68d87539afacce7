"""CycloneDX SBOM (JSON, spec 1.6) of the components found in a target, via cyclonedx-python-lib.

The components come from ``component`` observations (see ``analyzers/components.py``): version
banners inside binaries and package databases. The same name and version seen in several places
is one component, with every place as an evidence occurrence; a component found in exactly one
binary carries that file's SHA-256, one found in several has one ``file`` sub-component per
binary, each with its hash.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from decimal import Decimal

from . import __version__
from .models import ScanResult

SPEC_VERSION = "1.6"


@dataclass
class SbomComponent:
    name: str
    version: str
    type: str
    purl: str = ""
    cpe: str = ""
    sources: list[str] = field(default_factory=list)
    occurrences: list[tuple[str, int | None, str]] = field(default_factory=list)  # (path, line, evidence)
    files: dict[str, str] = field(default_factory=dict)  # contract path of a binary -> sha256

    @property
    def ref(self) -> str:
        return f"component:{self.name}@{self.version or 'unknown'}"


def components(result: ScanResult) -> list[SbomComponent]:
    """The target's components, merged by (name, version), sorted by name."""
    merged: dict[tuple[str, str], SbomComponent] = {}
    for obs in result.observations_of("component"):
        d = obs.data
        name, version = str(d.get("name", "")).strip(), str(d.get("version", "")).strip()
        if not name:
            continue
        key = (name.lower(), version)
        comp = merged.get(key)
        if comp is None:
            comp = merged[key] = SbomComponent(name, version, str(d.get("type") or "library"))
        source = str(d.get("source", ""))
        if source and source not in comp.sources:
            comp.sources.append(source)
        purl = str(d.get("purl") or "")
        # a package manager's purl (pkg:deb/..., pkg:apk/...) says more than pkg:generic
        if purl and (not comp.purl or (comp.purl.startswith("pkg:generic/") and not purl.startswith("pkg:generic/"))):
            comp.purl = purl
        comp.cpe = comp.cpe or str(d.get("cpe") or "")
        comp.occurrences.append((obs.path, d.get("line"), str(d.get("evidence", ""))))
        if d.get("sha256"):
            comp.files[obs.path] = str(d["sha256"])
    return sorted(merged.values(), key=lambda c: (c.name.lower(), c.version))


def build_bom(result: ScanResult):
    from cyclonedx.model import HashAlgorithm, HashType, Property
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.model.component_evidence import (AnalysisTechnique, ComponentEvidence, Identity,
                                                    IdentityField, Method, Occurrence)
    from packageurl import PackageURL

    def sha(value: str) -> list:
        return [HashType(alg=HashAlgorithm.SHA_256, content=value)] if _is_sha256(value) else []

    target = result.target
    root_type = {"firmware": ComponentType.FIRMWARE, "binary": ComponentType.APPLICATION,
                 "source": ComponentType.APPLICATION}.get(target.kind, ComponentType.FIRMWARE)
    name = target.path.rstrip("/").rsplit("/", 1)[-1] or target.path
    root_props = [Property(name="nobackdoor:target-kind", value=target.kind or "unknown")]
    if _is_tree_digest(result):
        # a directory's digest is nobackdoor's tree digest, not a file hash: say so instead of hashing
        root_props.append(Property(name="nobackdoor:tree-sha256", value=target.sha256))
        root = Component(name=name, type=root_type, bom_ref="target", properties=root_props)
    else:
        root = Component(name=name, type=root_type, bom_ref="target", hashes=sha(target.sha256), properties=root_props)

    bom = Bom()
    bom.metadata.component = root
    bom.metadata.tools.components.add(Component(name="nobackdoor", version=result.tool_version or __version__,
                                                type=ComponentType.APPLICATION))
    types = {t.value: t for t in ComponentType}
    added = []
    for comp in components(result):
        binary = any(s == "binary strings" for s in comp.sources)
        methods = []
        if binary:
            methods.append(Method(technique=AnalysisTechnique.BINARY_ANALYSIS, confidence=Decimal("0.8"),
                                  value="version banner in the binary"))
        if any(s.endswith("database") for s in comp.sources):
            methods.append(Method(technique=AnalysisTechnique.MANIFEST_ANALYSIS, confidence=Decimal("0.9"),
                                  value="package database entry"))
        if any(s == "file name" or s.endswith("directory") for s in comp.sources):
            methods.append(Method(technique=AnalysisTechnique.FILENAME, confidence=Decimal("0.6"),
                                  value="version in a file or directory name"))
        if not methods:  # os-release and the like: a file that states the version
            methods.append(Method(technique=AnalysisTechnique.MANIFEST_ANALYSIS, confidence=Decimal("0.7"),
                                  value=", ".join(comp.sources) or "observed"))
        occurrences = []
        seen = set()
        for path, line, _ in comp.occurrences:
            if (path, line) in seen:
                continue
            seen.add((path, line))
            occurrences.append(Occurrence(location=path, line=line if isinstance(line, int) and line > 0 else None))
        evidence = ComponentEvidence(identity=[Identity(field=IdentityField.VERSION, confidence=max(m.confidence for m in methods),
                                                        methods=methods)], occurrences=occurrences)
        props = [Property(name="nobackdoor:source", value=s) for s in comp.sources]
        props += [Property(name="nobackdoor:evidence", value=e[:200]) for e in sorted({o[2] for o in comp.occurrences if o[2]})][:8]
        hashes: list = []
        sub: list = []
        if len(comp.files) == 1:
            hashes = sha(next(iter(comp.files.values())))
        else:
            for i, (path, digest) in enumerate(sorted(comp.files.items())):
                sub.append(Component(name=path, type=ComponentType.FILE, hashes=sha(digest),
                                     bom_ref=f"{comp.ref}#file{i}"))
        purl = None
        if comp.purl:
            try:
                purl = PackageURL.from_string(comp.purl)
            except ValueError:
                purl = None
        added.append(Component(
            name=comp.name, version=comp.version or None, type=types.get(comp.type, ComponentType.LIBRARY),
            bom_ref=comp.ref, purl=purl, cpe=comp.cpe or None, hashes=hashes, components=sub,
            evidence=evidence, properties=props))
    for c in added:
        bom.components.add(c)
    bom.register_dependency(root, added)
    return bom


def render(result: ScanResult) -> str:
    from cyclonedx.output.json import JsonV1Dot6

    with warnings.catch_warnings():  # the library warns about optional fields it cannot fill
        warnings.simplefilter("ignore")
        text = JsonV1Dot6(build_bom(result)).output_as_string(indent=2)
    return text if text.endswith("\n") else text + "\n"


def validate(text: str) -> None:
    """Raise ValueError when ``text`` is not a valid CycloneDX 1.6 JSON document."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if error is not None:
        raise ValueError(f"invalid CycloneDX document: {error}")


def _is_sha256(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value.lower())


def _is_tree_digest(result: ScanResult) -> bool:
    """A directory target's digest is over its file list (pipeline._target_digest)."""
    import os

    return bool(result.target.path) and os.path.isdir(result.target.path)
