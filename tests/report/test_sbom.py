"""Components and the CycloneDX SBOM: detection from banners and package databases, schema-valid output."""
from __future__ import annotations

import json

import pytest

from nobackdoor.analyzers.components import find_versions
from nobackdoor.cli import main
from nobackdoor.pipeline import PipelineOptions, scan
from nobackdoor.sbom import components, render, validate


@pytest.mark.parametrize("blob,name,version", [
    (b"\x00BusyBox v1.36.1 (2024-01-01 00:00:00 UTC)\x00", "busybox", "1.36.1"),
    (b"\x00OpenSSL 1.1.1w  11 Sep 2023\x00", "openssl", "1.1.1w"),
    (b"\x00OpenSSL 3.0.13 30 Jan 2024\x00", "openssl", "3.0.13"),
    (b"\x00SSH-2.0-dropbear_2020.81\x00", "dropbear", "2020.81"),
    (b"GNU C Library (GNU libc) stable release version 2.31.\n", "glibc", "2.31"),
    (b"\x00lighttpd/1.4.59\x00", "lighttpd", "1.4.59"),
    (b"\x00dnsmasq-2.86\x00", "dnsmasq", "2.86"),
    (b"Linux version 5.10.176 (builder@host.example) (gcc (GCC) 12.2.0) #1 SMP", "linux", "5.10.176"),
    (b"\x00vermagic=4.14.180 SMP preempt mod_unload MIPS32_R2 32BIT\x00", "linux", "4.14.180"),
    (b"\x00 inflate 1.2.13 Copyright 1995-2022 Mark Adler \x00", "zlib", "1.2.13"),
    (b"\x00OpenSSH_9.2p1\x00", "openssh", "9.2p1"),
])
def test_banners(blob, name, version):
    found = {(s.name, v) for s, v, _ in find_versions(b"\x90" * 300 + blob + b"\x90" * 300)}
    assert (name, version) in found


def test_no_component_from_prose():
    # a mention without the banner's shape is not a component
    text = b"built with OpenSSL support; see lighttpd docs; BusyBox vs toybox"
    assert find_versions(text) == []


def test_rootfs_components_and_valid_cyclonedx(rootfs):
    result = scan(rootfs, PipelineOptions(jobs=1))
    comps = {(c.name, c.version): c for c in components(result)}
    busybox = comps[("busybox", "1.31.1")]
    assert busybox.files == {"bin/busybox": result_sha(result, "bin/busybox")}
    dnsmasq = comps[("dnsmasq", "2.85-3")]
    assert dnsmasq.sources == ["opkg database"]
    assert dnsmasq.purl.startswith("pkg:generic/") and "mips_24kc" in dnsmasq.purl
    assert ("oldpkg", "0.1") not in comps  # not installed
    assert ("acmeos", "4.2") in comps
    assert ("linux", "5.4.99") in comps

    text = render(result)
    validate(text)  # CycloneDX 1.6 JSON schema (cyclonedx-python-lib's strict validator)
    doc = json.loads(text)
    assert doc["bomFormat"] == "CycloneDX" and doc["specVersion"] == "1.6"
    by_name = {c["name"]: c for c in doc["components"]}
    assert by_name["busybox"]["hashes"] == [{"alg": "SHA-256", "content": result_sha(result, "bin/busybox")}]
    assert by_name["busybox"]["cpe"].startswith("cpe:2.3:a:busybox:busybox:1.31.1")
    assert doc["metadata"]["component"]["name"] == "rootfs"


def test_validator_rejects_broken_document(result):
    doc = json.loads(render(result))
    doc["components"][0]["hashes"] = [{"alg": "SHA-256", "content": "not-a-digest"}]
    with pytest.raises(ValueError):
        validate(json.dumps(doc))


def test_same_component_in_several_binaries_lists_each_file(result):
    from nobackdoor.models import Observation

    for path, sha in (("a/libssl.so.3", "aa" * 32), ("a/libcrypto.so.3", "bb" * 32)):
        result.observations.append(Observation("component", path, {
            "name": "openssl", "version": "3.0.13", "type": "library", "purl": "pkg:generic/openssl@3.0.13",
            "cpe": "", "source": "binary strings", "evidence": "OpenSSL 3.0.13 30 Jan 2024", "sha256": sha}))
    text = render(result)
    validate(text)
    ossl = next(c for c in json.loads(text)["components"] if c["name"] == "openssl")
    assert sorted(c["hashes"][0]["content"] for c in ossl["components"]) == ["aa" * 32, "bb" * 32]
    assert len(ossl["evidence"]["occurrences"]) == 2


def test_sbom_command(rootfs, tmp_path):
    out = tmp_path / "bom.json"
    assert main(["sbom", str(rootfs), "-o", str(out), "-j", "1"]) == 0
    validate(out.read_text())
    assert any(c["name"] == "busybox" for c in json.loads(out.read_text())["components"])
    assert main(["sbom", str(tmp_path / "missing")]) == 2


def result_sha(result, relpath):
    return next(f.sha256 for f in result.files if f.relpath == relpath)


def test_banner_after_many_mentions():
    # libcrypto names itself in many strings before the version banner
    data = b"OpenSSL PKCS#3 DH method\x00" * 500 + b"\x00OpenSSL 3.0.13 30 Jan 2024\x00"
    assert [(s.name, v) for s, v, _ in find_versions(data)] == [("openssl", "3.0.13")]


def test_version_from_file_name(tmp_path):
    from nobackdoor.analyzers.components import ComponentStrings
    from nobackdoor.inventory import read_entry
    from nobackdoor.models import FileKind

    lib = tmp_path / "libuClibc-0.9.33.2.so"
    lib.write_bytes(b"\x7fELF" + b"\x00" * 60)
    entry, data = read_entry(lib, "lib/" + lib.name, "lib/" + lib.name, "")
    entry.kind = FileKind.ELF  # as for a real ELF; only the name matters here
    obs = list(ComponentStrings().analyze(entry, data))
    assert [(o.data["name"], o.data["version"], o.data["source"]) for o in obs] == [("uclibc", "0.9.33.2", "file name")]


def test_sbom_runs_only_the_component_analyzers():
    from nobackdoor.analyzers import ScanOptions, analyzer_names, file_analyzers, tree_analyzers
    from nobackdoor.commands.sbom import SBOM_ANALYZERS

    # every name the sbom command asks for exists (a renamed analyzer must not empty the SBOM)
    assert set(SBOM_ANALYZERS) <= set(analyzer_names())
    opts = ScanOptions(only=SBOM_ANALYZERS)
    chosen = {a.name for a in file_analyzers(opts)} | {a.name for a in tree_analyzers(opts)}
    assert chosen == set(SBOM_ANALYZERS)
    everything = {a.name for a in file_analyzers(ScanOptions())} | {a.name for a in tree_analyzers(ScanOptions())}
    assert chosen < everything
