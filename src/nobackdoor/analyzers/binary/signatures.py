"""C-library routines of a statically linked program, recognised by their bytes.

A static, stripped program has no import names; the routines the decision needs (compare, command,
privilege, network) are found by the first bytes of the functions its calls reach, with the fields
that relocations fill in masked (``rules/binary.libc-signatures.yaml``, generated from Debian's glibc
by ``tests/fixtures/binary/libc_signatures.py``). On x86-64, glibc picks string routines at start-up
(IFUNC): the call goes through a PLT slot whose IRELATIVE relocation names a resolver, and the
resolver's candidate implementations are what the signatures recognise.
"""
from __future__ import annotations

import bisect
import functools
import re
from importlib import resources

import yaml

from . import ppc
from .elf import Image

_HEAD = 64  # bytes a signature covers at most


@functools.cache
def _table() -> dict[str, dict[str, list[str]]]:
    text = resources.files("nobackdoor.rules").joinpath("binary.libc-signatures.yaml").read_text("utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}


def _keys(image: Image) -> tuple[str, ...]:
    """The signature tables for this architecture and byte order (ARM: ARM-mode armel and Thumb-2 armhf)."""
    return {("x86_64", True): ("x86_64",), ("arm", True): ("armel", "armhf"), ("aarch64", True): ("aarch64",),
            ("mips", True): ("mipsel",), ("mips", False): ("mips",), ("ppc", False): ("powerpc",),
            ("ppc64", True): ("ppc64le",)}.get((image.arch, image.little), ())


@functools.cache
def _index(key: str) -> tuple[dict[tuple[int, bytes], list[tuple[int, int, int, str]]], tuple[int, ...]]:
    """(offset, 4 fixed bytes) -> [(length, pattern, mask, routine)] with the bytes as big integers
    (one masked compare per candidate); and the offsets to probe."""
    index: dict[tuple[int, bytes], list[tuple[int, int, int, str]]] = {}
    for routine, texts in (_table().get(key) or {}).items():
        for text in texts:
            text = text.replace(" ", "")  # written one byte per group
            pattern = bytes(int(text[i:i + 2], 16) if text[i] != "." else 0 for i in range(0, len(text), 2))
            mask = bytes(0 if text[i] == "." else 0xFF for i in range(0, len(text), 2))
            m = re.search(rb"\xff{4}", mask)
            if m:
                off = m.start()
                entry = (len(pattern), int.from_bytes(pattern, "big"), int.from_bytes(mask, "big"), routine)
                index.setdefault((off, pattern[off:off + 4]), []).append(entry)
    return index, tuple(sorted({off for off, _ in index}))


def routine_at(image: Image, addr: int) -> str | None:
    head = None
    for key in _keys(image):
        index, offsets = _index(key)
        head = head or image.read(addr, _HEAD)
        if not head:
            return None
        for off in offsets:
            for size, pattern, mask, routine in index.get((off, head[off:off + 4]), ()):
                if len(head) >= size and int.from_bytes(head[:size], "big") & mask == pattern:
                    return routine
    return None


def name_routines(image: Image, targets) -> int:
    """Name every call target whose bytes are a known routine; returns how many were named."""
    named = 0
    for target in targets:
        if target in image.imports:
            continue
        routine = routine_at(image, target)
        if routine is None and image.arch == "ppc64" and ppc.global_entry(image, target - 8):
            routine = routine_at(image, target - 8)  # ELFv2: local calls enter 8 bytes past the TOC set-up
        if routine is None and image.arch.startswith("mips"):
            real = _mips_la25(image, target)
            routine = routine_at(image, real) if real is not None else None
        if routine is None and image.arch.startswith("x86"):
            real = _x86_zeroing_stub(image, target)
            routine = routine_at(image, real) if real is not None else None
        if routine:
            image.imports[target] = routine
            named += 1
    return named


def _mips_la25(image: Image, addr: int) -> int | None:
    """Non-PIC MIPS code reaches a PIC routine through an "la25" stub that loads $t9 first (binutils
    elfxx-mips.c): ``lui t9,hi; j func; addiu t9,t9,lo`` or, in front of the routine itself,
    ``lui t9,hi; addiu t9,t9,lo``. Returns the routine's address."""
    w0, w1, w2 = image.u32(addr), image.u32(addr + 4), image.u32(addr + 8)
    if w0 is None or w1 is None or (w0 & 0xFFFF0000) != 0x3C190000:
        return None
    if (w1 >> 26) == 2 and w2 is not None and (w2 & 0xFFFF0000) == 0x27390000:  # j func
        return ((addr + 8) & 0xF0000000) | ((w1 & 0x3FFFFFF) << 2)
    if (w1 & 0xFFFF0000) == 0x27390000:
        return addr + 8
    return None


def _x86_zeroing_stub(image: Image, addr: int) -> int | None:
    """A routine that only zeroes argument registers and jumps on is the routine it jumps to, given
    fewer arguments: musl's ``recv`` is ``recvfrom(fd, buf, len, flags, 0, 0)`` compiled as ``xor
    %r9d,%r9d; xor %r8d,%r8d; jmp recvfrom``. Returns the routine's address."""
    raw = image.read(addr, 16) or b""
    i = 0
    for _ in range(4):
        rex = 1 if i < len(raw) and raw[i] in (0x41, 0x45, 0x48, 0x4D) else 0
        op, modrm = (raw[i + rex], raw[i + rex + 1]) if i + rex + 1 < len(raw) else (0, 0)
        if op not in (0x31, 0x33) or modrm < 0xC0 or (modrm >> 3) & 7 != modrm & 7:
            break
        i += rex + 2
    if i == 0 or i >= len(raw):
        return None
    if raw[i] == 0xE9 and i + 5 <= len(raw):
        return addr + i + 5 + int.from_bytes(raw[i + 1:i + 5], "little", signed=True)
    if raw[i] == 0xEB and i + 2 <= len(raw):
        return addr + i + 2 + int.from_bytes(raw[i + 1:i + 2], "little", signed=True)
    return None


_LEA_RIP = re.compile(rb"[\x48\x4c]\x8d[\x05\x0d\x15\x1d\x25\x2d\x35\x3d](....)", re.DOTALL)
_JMP_SLOT = re.compile(rb"\xff\x25(....)", re.DOTALL)


def _ppc64_ifunc_stubs(image: Image, irelative: dict[int, int]) -> int:
    """PowerPC64: call stub ``ld r12,X(r2); mtctr r12; bctr`` -> IRELATIVE slot -> resolver, whose
    TOC-relative ``addis rD,r2,hi; addi rD,rD,lo`` pairs are the implementations it chooses between."""
    toc = image.gp
    if toc is None:
        return 0
    slot_name: dict[int, str] = {}
    for slot, resolver in irelative.items():
        words = ppc.words(image, image.read(resolver, 256) or b"")
        for i, w in enumerate(words):
            if (w & 0xFC1F0000) != 0x3C020000:  # addis rD, r2, hi
                continue
            rd = (w >> 21) & 31
            for v in words[i + 1:i + 6]:
                if (v >> 26) == 14 and ((v >> 16) & 31) == rd:  # addi rX, rD, lo
                    target = toc + (ppc.sext16(w) << 16) + ppc.sext16(v)
                    routine = routine_at(image, target)
                    if routine:
                        slot_name[slot] = routine
                    break
            if slot in slot_name:
                break
    named = 0
    for lo, hi in image.code:
        raw = image.read(lo, hi - lo) or b""
        words = ppc.words(image, raw)
        for i in range(1, len(words) - 1):
            w = words[i]
            if w == ppc.MTCTR_R12 and (words[i - 1] & 0xFFFF0003) == 0xE9820000 and words[i + 1] == ppc.BCTR:
                name = slot_name.get(toc + ppc.sext16(words[i - 1] & 0xFFFC))
                if name:
                    start = i - 2 if i >= 2 and words[i - 2] in (0xF8410018, 0xF8410028) else i - 1
                    image.imports.setdefault(lo + 4 * start, name)
                    named += 1
    return named


#: glibc's x86-64 locale-taking string routines (strcasecmp, strncasecmp) open with the thread's locale
#: loaded into the argument register of their ``_l`` twin, ``mov %fs:(%rax),%rdx`` (or %rcx), padded to
#: the twin, which they fall into
_LOCALE_LOAD = re.compile(rb"\x64\x48\x8b[\x10\x08]", re.S)
LOCALE_ENTRY_BYTES = 16


def _locale_entry(image: Image, target: int) -> str | None:
    """The routine an IFUNC implementation is when it only loads the locale and falls into its ``_l``
    twin (whose bytes the signatures know)."""
    head = image.read(target, LOCALE_ENTRY_BYTES) or b""
    if not _LOCALE_LOAD.search(head):
        return None
    return routine_at(image, target + LOCALE_ENTRY_BYTES)


#: bytes of an IFUNC resolver read for the implementations it chooses between
MAX_RESOLVER_BYTES = 512


def name_ifunc_stubs(image: Image, irelative: dict[int, int], plt: list[tuple[int, int]]) -> int:
    """x86-64: PLT stub -> IRELATIVE slot -> resolver -> the implementations it chooses between."""
    if image.arch == "ppc64" and irelative:
        return _ppc64_ifunc_stubs(image, irelative)
    if image.arch != "x86_64" or not irelative:
        return 0
    slot_name: dict[int, str] = {}
    resolvers = sorted(set(irelative.values()))
    for slot, resolver in irelative.items():
        # (glibc lays its resolvers out one after the other: a window that runs into the next one reads
        # that one's choices; strchr's resolver is followed by strcmp's)
        i = bisect.bisect_right(resolvers, resolver)
        size = min(MAX_RESOLVER_BYTES, resolvers[i] - resolver) if i < len(resolvers) else MAX_RESOLVER_BYTES
        code = image.read(resolver, size) or b""
        for m in _LEA_RIP.finditer(code):
            target = resolver + m.end() + int.from_bytes(m.group(1), "little", signed=True)
            routine = routine_at(image, target) or _locale_entry(image, target)
            if routine:
                slot_name[slot] = routine
                break
    named = 0
    for lo, hi in plt:
        raw = image.read(lo, hi - lo) or b""
        for m in _JMP_SLOT.finditer(raw):
            slot = lo + m.end() + int.from_bytes(m.group(1), "little", signed=True)
            name = slot_name.get(slot)
            if name:
                stub = lo + m.start()
                image.imports.setdefault(stub, name)
                if raw[max(0, m.start() - 4):m.start()] == b"\xf3\x0f\x1e\xfa":  # endbr64 opens the entry
                    image.imports.setdefault(stub - 4, name)
                named += 1
    for slot, name in slot_name.items():
        image.got_slots.setdefault(slot, name)
    return named
