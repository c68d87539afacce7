"""Malformed ELF files are never silently passed over: each one gives an `errors` entry."""
from __future__ import annotations

import struct
from pathlib import Path

import pytest

from nobackdoor.analyzers import ScanOptions, file_analyzers
from nobackdoor.models import ScanError
from nobackdoor.pipeline import _process_one

BIN = Path(__file__).resolve().parents[1] / "fixtures" / "binary" / "bin"
SOURCES = ["ctrlsrv-prefix-mipsel", "ctrlsrv-prefix-aarch64", "httplite-agent-armel", "ctrlsrv-prefix-x86_64"]


def _fields(d: bytearray) -> tuple[str, int, int, int, int]:
    order = "<" if d[5] == 1 else ">"
    if d[4] == 2:
        return order, struct.unpack_from(order + "Q", d, 0x20)[0], 0x38, 0x36, 0x20
    return order, struct.unpack_from(order + "I", d, 0x1C)[0], 0x2C, 0x2A, 0x1C


def _corruptions(data: bytes) -> dict[str, bytes]:
    out = {}
    for n in (4, 16, 40, 100, 400):
        out[f"truncated-{n}"] = data[:n]
    d = bytearray(data)
    order, phoff, phnum_at, phent_at, phoff_at = _fields(d)
    x = bytearray(d); x[4] = 7; out["bad-class"] = bytes(x)
    x = bytearray(d); x[5] = 9; out["bad-encoding"] = bytes(x)
    x = bytearray(d); struct.pack_into(order + "H", x, 0x12, 0x1234); out["unknown-machine"] = bytes(x)
    x = bytearray(d); struct.pack_into(order + "H", x, phnum_at, 0xFFFF); out["phnum-huge"] = bytes(x)
    x = bytearray(d); struct.pack_into(order + "H", x, phnum_at, 0); out["no-program-headers"] = bytes(x)
    x = bytearray(d)
    struct.pack_into(order + ("Q" if d[4] == 2 else "I"), x, phoff_at, len(d) + 64); out["phoff-past-end"] = bytes(x)
    out["cut-in-code"] = data[: len(data) // 3]
    return out


CASES = [(src, name) for src in SOURCES for name in _corruptions((BIN / src).read_bytes())]


@pytest.mark.parametrize("source,corruption", CASES)
def test_malformed_elf_gives_an_error(source, corruption, tmp_path):
    bad = _corruptions((BIN / source).read_bytes())[corruption]
    path = tmp_path / source
    path.write_bytes(bad)
    entry, results = _process_one(path, source, source, "", False, file_analyzers(ScanOptions()))
    errors = [r for r in results if isinstance(r, ScanError)]
    assert errors, (corruption, entry.kind if entry else None)
