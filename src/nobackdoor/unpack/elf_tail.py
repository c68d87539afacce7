"""Data appended to an ELF file: where the ELF ends, and whether what follows is a payload.

Vendor update programs are often an ELF stub with a payload appended (a squashfs, a tar.gz, a
cpio, another firmware image, a shell script): the loader maps only what the program headers
name, so the payload rides along unseen. The end of the ELF is computed from its own headers
(pyelftools): the furthest of the ELF header, the program and section header tables, every
segment's file image and every section that occupies file space (not SHT_NOBITS), as the ELF
specification lays them out (System V gABI, "ELF Header", "Sections", "Program Header").
Nothing inside that range is searched for magic numbers: code and data bytes match container
magics by chance, and carving them would be a false carve.

Trailing bytes that are not a payload are recognised and left alone:

* padding (one byte value repeated: zeros or erased-flash 0xFF);
* a kernel module signature (PKCS#7 blob, ``struct module_signature``, and the
  ``~Module signature appended~`` footer; Linux scripts/sign-file.c);
* the UPX packer's own trailer (``UPX!`` in the stub's first page and in a short tail).
"""
from __future__ import annotations

import functools
import io
import os
from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.structs import ELFStructs

#: more header-table entries than this is no ELF a toolchain wrote; its tail is not trusted
_MAX_ENTRIES = 65536
_MODULE_SIG_FOOTER = b"~Module signature appended~\n"
#: UPX's trailer (packheader and overlay offset) is a few dozen bytes; allow some slack
_UPX_TRAILER_MAX = 4096
_PADDING_READ = 1 << 20


@dataclass(frozen=True)
class Tail:
    #: offset of the first byte after the ELF
    offset: int
    size: int


def elf_end(fh) -> int | None:
    """Offset just past the last byte the ELF's headers account for; None when the headers are
    unreadable or point past the end of the file (a truncated or corrupt ELF has no tail)."""
    try:
        fh.seek(0, io.SEEK_END)
        size = fh.tell()
        ident = _read(fh, 0, 16)
        if ident[:4] != b"\x7fELF" or ident[4] not in (1, 2) or ident[5] not in (1, 2):
            return None
        little, elfclass = ident[5] == 1, 32 if ident[4] == 1 else 64
        basic = _structs(little, elfclass)
        ehdr = basic.Elf_Ehdr.parse(_read(fh, 0, basic.Elf_Ehdr.sizeof()))
        phnum, phentsize, phoff = ehdr["e_phnum"], ehdr["e_phentsize"], ehdr["e_phoff"]
        shnum, shentsize, shoff = ehdr["e_shnum"], ehdr["e_shentsize"], ehdr["e_shoff"]
        tables = [(phoff, phnum * phentsize)] if phnum else []
        if shoff:
            tables.append((shoff, shnum * shentsize))
        if any(off + n == size for off, n in tables if n):
            # the usual layout: a header table is the last thing in the file
            return size
        structs = _structs(little, elfclass, ehdr["e_type"], ehdr["e_machine"], ehdr["e_ident"]["EI_OSABI"])
        end = ehdr["e_ehsize"]
        if shoff and shnum == 0:
            # more than 0xff00 sections: the count is in section 0's sh_size (gABI, "Sections")
            shnum = structs.Elf_Shdr.parse(_read(fh, shoff, structs.Elf_Shdr.sizeof()))["sh_size"]
        if phnum > _MAX_ENTRIES or shnum > _MAX_ENTRIES:
            return None
        if phnum:
            if phentsize < structs.Elf_Phdr.sizeof():
                return None
            end = max(end, phoff + phnum * phentsize)
            table = _read(fh, phoff, phnum * phentsize)
            for i in range(phnum):
                ph = structs.Elf_Phdr.parse(table[i * phentsize:(i + 1) * phentsize])
                if ph["p_filesz"]:
                    end = max(end, ph["p_offset"] + ph["p_filesz"])
        if shnum:
            if shentsize < structs.Elf_Shdr.sizeof():
                return None
            end = max(end, shoff + shnum * shentsize)
            table = _read(fh, shoff, shnum * shentsize)
            for i in range(shnum):
                sh = structs.Elf_Shdr.parse(table[i * shentsize:(i + 1) * shentsize])
                if sh["sh_type"] != "SHT_NOBITS" and sh["sh_size"]:
                    end = max(end, sh["sh_offset"] + sh["sh_size"])
    except (ELFError, OSError, ValueError):
        return None
    except Exception:  # noqa: BLE001 - the struct parser raises assorted types on garbled headers
        return None
    return end if end <= size else None


@functools.lru_cache(maxsize=64)
def _structs(little: bool, elfclass: int, e_type: str | None = None, e_machine: str | None = None,
             osabi: str | None = None) -> ELFStructs:
    """pyelftools' header structs, built once per ELF flavour (building them costs milliseconds;
    ``ELFFile`` would build them again for every file)."""
    structs = ELFStructs(little_endian=little, elfclass=elfclass)
    structs.create_basic_structs()
    if e_machine is not None:
        structs.create_advanced_structs(e_type, e_machine, osabi)
    return structs


def _read(fh, offset: int, n: int) -> bytes:
    fh.seek(offset)
    data = fh.read(n)
    if len(data) != n:
        raise ValueError("header table truncated")
    return data


def appended_tail(path: Path) -> Tail | None:
    """The bytes appended to the ELF at ``path`` when they may be a payload, else None."""
    try:
        with open(path, "rb") as fh:
            if fh.read(4) != b"\x7fELF":
                return None
            end = elf_end(fh)
            size = fh.seek(0, io.SEEK_END)
            if end is None or end >= size:
                return None
            tail = Tail(end, size - end)
            if _benign(fh, tail, size):
                return None
            return tail
    except OSError:
        return None


def _benign(fh, tail: Tail, size: int) -> bool:
    """Trailing bytes a toolchain or packer leaves, which are no payload."""
    fh.seek(size - min(size, len(_MODULE_SIG_FOOTER)))
    if fh.read() == _MODULE_SIG_FOOTER:
        return True
    if tail.size <= _UPX_TRAILER_MAX:
        fh.seek(0)
        head = fh.read(4096)
        fh.seek(tail.offset)
        data = fh.read(tail.size)
        if b"UPX!" in head and b"UPX!" in data:
            return True
    return _is_padding(fh, tail)


def _is_padding(fh, tail: Tail) -> bool:
    fh.seek(tail.offset)
    first = fh.read(1)
    if not first:
        return True
    left = tail.size - 1
    while left > 0:
        block = fh.read(min(left, _PADDING_READ))
        if not block:
            break
        if block.count(first) != len(block):
            return False
        left -= len(block)
    return first in (b"\x00", b"\xff")


def copy_tail(path: Path, tail: Tail, dst: Path) -> None:
    """Write the appended bytes to ``dst`` (a new file in the work directory)."""
    with open(path, "rb") as src, open(dst, "xb") as out:
        src.seek(tail.offset)
        left = tail.size
        while left > 0:
            block = src.read(min(left, 1 << 20))
            if not block:
                break
            out.write(block)
            left -= len(block)
    os.chmod(dst, 0o600)
