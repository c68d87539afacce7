"""Capstone per architecture, and a bounded, data-tolerant instruction walk (lite: text operands)."""
from __future__ import annotations

import functools
from collections.abc import Iterator

import capstone as cs

from .elf import Image

#: largest function we disassemble (bytes): keeps one pathological function from eating the budget
MAX_FUNCTION_BYTES = 0x8000


@functools.cache
def engine(arch: str, bits: int, little: bool, thumb: bool = False) -> cs.Cs:
    endian = cs.CS_MODE_LITTLE_ENDIAN if little else cs.CS_MODE_BIG_ENDIAN
    if arch == "arm":
        md = cs.Cs(cs.CS_ARCH_ARM, (cs.CS_MODE_THUMB if thumb else cs.CS_MODE_ARM) | endian)
    elif arch == "aarch64":
        md = cs.Cs(cs.CS_ARCH_ARM64, cs.CS_MODE_ARM | endian)
    elif arch in ("mips", "mips64"):
        md = cs.Cs(cs.CS_ARCH_MIPS, (cs.CS_MODE_MIPS64 if bits == 64 else cs.CS_MODE_MIPS32) | endian)
    elif arch == "x86_64":
        md = cs.Cs(cs.CS_ARCH_X86, cs.CS_MODE_64)
    elif arch == "x86":
        md = cs.Cs(cs.CS_ARCH_X86, cs.CS_MODE_32)
    elif arch in ("ppc", "ppc64"):
        md = cs.Cs(cs.CS_ARCH_PPC, (cs.CS_MODE_64 if bits == 64 else cs.CS_MODE_32) | endian)
    else:
        raise ValueError(arch)
    return md


def instructions_lite(image: Image, start: int, end: int) -> Iterator[tuple[int, int, str, str]]:
    """(address, size, mnemonic, operands) from start to end; undecodable words are skipped."""
    thumb = image.arch == "arm" and bool(start & 1)
    start &= ~1 if image.arch == "arm" else ~0
    end = min(end, start + MAX_FUNCTION_BYTES)
    md = engine(image.arch, image.bits, image.little, thumb)
    step = 2 if thumb else (1 if image.arch.startswith("x86") else 4)
    addr = start
    while addr < end:
        code = image.read(addr, end - addr)
        if not code:
            return
        last = addr
        for insn in md.disasm_lite(code, addr):
            yield insn
            last = insn[0] + insn[1]
        if last >= end or last >= addr + len(code):
            return
        addr = last + step  # skip the undecodable word (literal pool, padding)
