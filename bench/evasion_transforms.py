"""Cheap evasions an adversary who reads nobackdoor would try, one function per transform.

Each takes the bytes (or the tree) of a planted artifact and returns the transformed one; the
evasion bench (`bench/evasion.py`) applies them to every plant and the tests use them on fixtures.
"""
from __future__ import annotations

import struct


def sstrip(data: bytes) -> bytes:
    """ELF without section headers, cut after the last loaded byte (sstrip, as OpenWrt and Buildroot
    ship binaries): e_shoff, e_shnum and e_shstrndx are zero and nothing past the segments is kept."""
    d = bytearray(data)
    order = "<" if d[5] == 1 else ">"
    if d[4] == 2:
        (phoff,) = struct.unpack_from(order + "Q", d, 0x20)
        phentsize, phnum = struct.unpack_from(order + "HH", d, 0x36)
        ends = []
        for i in range(phnum):
            p = phoff + i * phentsize
            (ptype,) = struct.unpack_from(order + "I", d, p)
            (off,) = struct.unpack_from(order + "Q", d, p + 8)
            (filesz,) = struct.unpack_from(order + "Q", d, p + 32)
            if ptype == 1:
                ends.append(off + filesz)
        struct.pack_into(order + "Q", d, 0x28, 0)
        struct.pack_into(order + "HH", d, 0x3C, 0, 0)
    else:
        (phoff,) = struct.unpack_from(order + "I", d, 0x1C)
        phentsize, phnum = struct.unpack_from(order + "HH", d, 0x2A)
        ends = []
        for i in range(phnum):
            ptype, off, _, _, filesz = struct.unpack_from(order + "IIIII", d, phoff + i * phentsize)
            if ptype == 1:
                ends.append(off + filesz)
        struct.pack_into(order + "I", d, 0x20, 0)
        struct.pack_into(order + "HH", d, 0x30, 0, 0)
    return bytes(d[:max(ends + [phoff + phnum * phentsize])])


def bogus_section_offset(data: bytes) -> bytes:
    """ELF whose e_shoff points past the end of the file (the section table is unreadable)."""
    d = bytearray(data)
    order = "<" if d[5] == 1 else ">"
    if d[4] == 2:
        struct.pack_into(order + "Q", d, 0x28, len(d) + 4096)
    else:
        struct.pack_into(order + "I", d, 0x20, len(d) + 4096)
    return bytes(d)
