"""Statically linked, stripped builds of the fixture programs (tests/fixtures/binary/bin/static-*.tar.xz,
made by build.sh): no import names at all, yet every plant is found and every clean twin stays quiet."""
from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from nobackdoor.analyzers.binary import analyzer, elf, signatures

from .conftest import FIXTURES
from .test_fixtures import PLANTS

STATIC_ARCHES = ["x86_64", "armel", "armhf", "mipsel", "mipsbe", "mipselnopic", "powerpc", "aarch64", "ppc64le",
                 "x86_64musl"]
CLEAN = ["ctrlsrv-clean", "httplite-clean", "consolelogin-clean"]


@pytest.fixture(scope="module")
def static_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("static")
    for arch in STATIC_ARCHES:
        with tarfile.open(FIXTURES / "bin" / f"static-{arch}.tar.xz") as tar:
            tar.extractall(out, filter="data")
    return out


@pytest.mark.parametrize("arch", STATIC_ARCHES)
@pytest.mark.parametrize("variant", sorted(PLANTS))
def test_static_plant_found(analyze, static_dir, variant, arch):
    rule_id, category, constant = PLANTS[variant]
    findings, _ = analyze(static_dir / f"{variant}-{arch}-static")
    hits = [f for f in findings if f.rule == rule_id]
    assert hits, [(f.rule, f.evidence.get("constant")) for f in findings]
    assert hits[0].category == category
    assert constant in (hits[0].evidence["constant"], hits[0].evidence["constant_hex"])
    if rule_id.startswith("binary.magic-gates"):
        assert hits[0].evidence["sinks"]
        if arch != "x86_64musl":  # musl's htons is a 7-byte function nothing can recognise
            assert hits[0].evidence.get("port") == 31999


@pytest.mark.parametrize("arch", STATIC_ARCHES)
@pytest.mark.parametrize("program", CLEAN)
def test_static_clean_twin_is_quiet(analyze, static_dir, program, arch):
    findings, _ = analyze(static_dir / f"{program}-{arch}-static")
    assert not findings, [(f.rule, f.evidence.get("constant")) for f in findings]


@pytest.mark.parametrize("arch", STATIC_ARCHES)
def test_static_routines_named_from_their_bytes(static_dir, arch):
    data = (static_dir / f"ctrlsrv-prefix-{arch}-static").read_bytes()
    image = elf.load(data)
    assert not image.got_slots  # nothing to read names from
    report = analyzer.analyse(data)
    assert {"strcmp", "strncmp", "system", "bind", "recvfrom"} <= set(report.imports)
    assert report.static_routines


def test_signature_needs_every_fixed_byte(static_dir):
    data = (static_dir / "ctrlsrv-clean-armel-static").read_bytes()
    image = elf.load(data)
    hits = {}
    for addr in range(image.code[0][0], image.code[-1][1], 4):
        routine = signatures.routine_at(image, addr)
        if routine:
            hits[addr] = routine
    assert "strcmp" in hits.values()
    addr = next(a for a, r in hits.items() if r == "strcmp")
    index, offsets = signatures._index("armel")
    head = image.read(addr, 64)
    fixed = next(off for off in offsets if any(e[3] == "strcmp" for e in index.get((off, head[off:off + 4]), ())))
    changed = bytearray(data)
    changed[image.offset_of(addr) + fixed + 1] ^= 0x01  # one byte the signature fixes
    assert signatures.routine_at(elf.load(bytes(changed)), addr) != "strcmp"


def test_musls_assembly_memcpy_has_a_signature(static_dir):
    # musl writes memcpy in assembly with no symbol size: its bytes up to the next function are its
    # signature, so a copy of the network's bytes into a local buffer is followed in static musl programs
    data = (static_dir / "ctrlsrv-prefix-x86_64musl-static").read_bytes()
    image = elf.load(data)
    named = {signatures.routine_at(image, start) for start, _ in image.code} | {
        signatures.routine_at(image, addr) for addr in range(image.code[0][0], image.code[-1][1])
        if image.read(addr, 3) == bytes.fromhex("4889f8")}
    assert "memcpy" in named


def test_an_ifunc_slot_is_named_from_its_own_resolver(static_dir):
    # glibc lays its resolvers out one after the other: read past its end, strchr's resolver (whose
    # SSE/AVX variants no signature knows) reads strcmp's choices. Only strcmp's own slot is strcmp;
    # strcasecmp's is named through the locale entry that falls into its ``_l`` twin (whose own slot
    # the signatures also call strcasecmp).
    image = elf.load((static_dir / "httplite-agent-x86_64-static").read_bytes())
    signatures.name_ifunc_stubs(image, image.irelative, image.plt)
    names = [image.got_slots.get(slot) for slot in image.irelative]
    assert names.count("strcmp") == 1 and names.count("strcasecmp") == 2, names
