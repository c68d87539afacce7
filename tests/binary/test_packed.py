"""Packed executables are reported (obfuscated-code, medium) and the scan says their code was not
analysed; ordinary programs, static ones included, are not taken for packed."""
from __future__ import annotations

import random
from pathlib import Path

from nobackdoor.analyzers.binary import elf
from nobackdoor.analyzers.binary.analyzer import BinaryAnalyzer, packed_by
from nobackdoor.inventory import read_entry
from nobackdoor.models import Finding, ScanError

BIN = Path(__file__).resolve().parents[1] / "fixtures" / "binary" / "bin"
STATIC = BIN / "ctrlsrv-clean-aarch64-static"


def _results(tmp_path: Path, data: bytes):
    path = tmp_path / "prog"
    path.write_bytes(data)
    entry, raw = read_entry(path, "prog", "prog", "")
    return list(BinaryAnalyzer().analyze(entry, raw))


def test_upx_marker(tmp_path):
    data = bytearray((BIN / "ctrlsrv-prefix-x86_64").read_bytes())
    data[0x3A0:0x3A4] = b"UPX!"
    results = _results(tmp_path, bytes(data))
    assert [f.rule for f in results if isinstance(f, Finding)] == ["binary.packed"]
    assert any(isinstance(e, ScanError) and "packed" in e.message for e in results)


def test_random_code_segment_of_a_program_that_imports_nothing(tmp_path):
    data = bytearray(STATIC.read_bytes())
    image = elf.load(bytes(data))
    code = max((s for s in image.segments if s.executable), key=lambda s: s.filesz)
    rng = random.Random(7)
    start = code.offset + 0x200
    data[start:code.offset + code.filesz] = rng.randbytes(code.offset + code.filesz - start)
    results = _results(tmp_path, bytes(data))
    finding = next(f for f in results if isinstance(f, Finding))
    assert finding.rule == "binary.packed" and finding.evidence["packer"] == "unknown packer"


def test_ordinary_programs_are_not_packed():
    for path in (STATIC, BIN / "ctrlsrv-clean-mipsel", BIN / "httplite-clean-armel"):
        assert packed_by(elf.load(path.read_bytes())) is None, path.name
