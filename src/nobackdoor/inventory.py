"""Inventory: what every file is, computed from a single read of its bytes.

``read_entry`` reads a file once, hashes it, classifies it (ELF with architecture, script with
interpreter, source language, key material, text, archive, data) and returns the bytes so that the
file analyzers can use them without reading the file again.
"""
from __future__ import annotations

import collections
import hashlib
import io
import math
import os
import stat
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile

from .models import ElfInfo, FileEntry, FileKind

#: text files up to this size keep their bytes in the entry for tree analyzers
KEEP_CONTENT_MAX = 512 * 1024
#: files larger than this are hashed in streaming mode and not handed to analyzers in full
READ_WHOLE_MAX = 256 * 1024 * 1024

_ELF_ARCH = {
    "EM_MIPS": "mips",
    "EM_MIPS_RS3_LE": "mips",
    "EM_ARM": "arm",
    "EM_AARCH64": "aarch64",
    "EM_386": "x86",
    "EM_X86_64": "x86_64",
    "EM_PPC": "ppc",
    "EM_PPC64": "ppc64",
    "EM_RISCV": "riscv",
    "EM_SH": "sh",
    "EM_SPARC": "sparc",
    "EM_68K": "m68k",
    "EM_XTENSA": "xtensa",
    "EM_ARC_COMPACT": "arc",
    "EM_ARC_COMPACT2": "arc",
}

SOURCE_SUFFIXES = {
    ".c": "c", ".h": "c", ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".hpp": "cpp", ".hh": "cpp",
    ".py": "python", ".php": "php", ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript",
    ".jsx": "javascript", ".ts": "typescript", ".tsx": "tsx", ".pl": "perl", ".pm": "perl",
    ".go": "go", ".java": "java", ".sh": "bash", ".bash": "bash", ".lua": "lua", ".rb": "ruby",
    ".m4": "m4", ".ac": "m4", ".am": "make", ".mk": "make", ".cmake": "cmake",
}
SOURCE_NAMES = {"Makefile": "make", "GNUmakefile": "make", "makefile": "make", "CMakeLists.txt": "cmake",
                "configure": "bash", "setup.py": "python", "package.json": "json", "meson.build": "meson"}
_INTERPRETER_LANG = {"sh": "bash", "bash": "bash", "ash": "bash", "dash": "bash", "ksh": "bash", "zsh": "bash",
                     "python": "python", "python2": "python", "python3": "python", "perl": "perl", "php": "php",
                     "node": "javascript", "lua": "lua", "ruby": "ruby", "busybox": "bash"}

_ARCHIVE_MAGIC = (
    (0, b"\x1f\x8b", "gzip"), (0, b"\xfd7zXZ\x00", "xz"), (0, b"BZh", "bzip2"), (0, b"\x28\xb5\x2f\xfd", "zstd"),
    (0, b"\x04\x22\x4d\x18", "lz4"), (0, b"PK\x03\x04", "zip"), (0, b"hsqs", "squashfs"), (0, b"sqsh", "squashfs"),
    (0, b"070701", "cpio"), (0, b"070702", "cpio"), (0, b"070707", "cpio"), (257, b"ustar", "tar"),
    (0, b"\x27\x05\x19\x56", "uimage"), (0, b"UBI#", "ubi"), (0, b"\x45\x3d\xcd\x28", "cramfs"),
    (0, b"\x28\xcd\x3d\x45", "cramfs"), (0, b"\x85\x19", "jffs2"), (0, b"\x19\x85", "jffs2"),
    (1080, b"\x53\xef", "ext"), (0, b"7z\xbc\xaf\x27\x1c", "7z"), (0, b"\x5d\x00\x00", "lzma"),
)
_KEY_MARKERS = (b"-----BEGIN ", b"PuTTY-User-Key-File-", b"---- BEGIN SSH2")


def entropy(data: bytes) -> float:
    """Shannon entropy in bits per byte (compressed or encrypted data is close to 8)."""
    if not data:
        return 0.0
    n = len(data)
    return round(-sum(c / n * math.log2(c / n) for c in collections.Counter(data).values()), 3)


def container_format(head: bytes) -> str | None:
    """Name of the container format these leading bytes announce, if any."""
    for offset, magic, name in _ARCHIVE_MAGIC:
        if head[offset:offset + len(magic)] == magic:
            return name
    return None


def is_text(sample: bytes) -> bool:
    if not sample:
        return True
    if b"\x00" in sample:
        # UTF-16 text is rare in firmware; treat NUL as binary
        return False
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 4:  # cut in the middle of a multi-byte sequence
            return True
    printable = sum(1 for b in sample if 32 <= b < 127 or b in (9, 10, 13))
    return printable / len(sample) > 0.95


def elf_info(data: bytes) -> ElfInfo | None:
    try:
        elf = ELFFile(io.BytesIO(data))
        machine = elf["e_machine"]
        arch = _ELF_ARCH.get(machine, str(machine).removeprefix("EM_").lower())
        if arch == "mips" and elf.elfclass == 64:
            arch = "mips64"
        interp = None
        for seg in elf.iter_segments():
            if seg["p_type"] == "PT_INTERP":
                interp = seg.get_interp_name()
                break
        etype = str(elf["e_type"]).removeprefix("ET_")
        return ElfInfo(
            arch=arch,
            bits=elf.elfclass,
            endian="little" if elf.little_endian else "big",
            machine=elf.header["e_machine"] if isinstance(elf.header["e_machine"], int) else _machine_num(data),
            elf_type=etype,
            interpreter=interp,
        )
    except (ELFError, ValueError, KeyError, OSError, AssertionError, AttributeError, TypeError):
        return None


def _machine_num(data: bytes) -> int:
    order = "little" if data[5:6] == b"\x01" else "big"
    return int.from_bytes(data[18:20], order)


def script_interpreter(data: bytes) -> str | None:
    if not data.startswith(b"#!"):
        return None
    line = data[2:256].split(b"\n", 1)[0].decode("latin-1").strip().split()
    if not line:
        return None
    prog = os.path.basename(line[0])
    if prog == "env" and len(line) > 1:
        args = [a for a in line[1:] if not a.startswith("-")]
        prog = os.path.basename(args[0]) if args else "env"
    return prog


def classify(relpath: str, data: bytes, size: int) -> tuple[FileKind, ElfInfo | None, str | None, str | None]:
    """(kind, elf info, script interpreter, source language) of a file's bytes."""
    if size == 0:
        return FileKind.EMPTY, None, None, None
    head = data[:4096]
    if head[:4] == b"\x7fELF":
        info = elf_info(data)
        if info is not None:
            return FileKind.ELF, info, None, None
        return FileKind.DATA, None, None, None
    name = relpath.rsplit("/", 1)[-1]
    suffix = os.path.splitext(name)[1].lower()
    text = is_text(head)
    interp = script_interpreter(head) if text else None
    language = SOURCE_NAMES.get(name) or SOURCE_SUFFIXES.get(suffix)
    if interp and not language:
        language = _INTERPRETER_LANG.get(interp.rstrip("0123456789.") or interp, None) or _INTERPRETER_LANG.get(interp)
    if any(m in head for m in _KEY_MARKERS) or (
        not text and suffix in (".der", ".key", ".p8", ".pk8") and head[:1] == b"\x30"
    ):
        return FileKind.KEY, None, interp, language
    if text:
        if interp or language == "bash":
            return FileKind.SCRIPT, None, interp or "sh", language
        if language:
            return FileKind.SOURCE, None, None, language
        return FileKind.TEXT, None, None, None
    if container_format(head):
        return FileKind.ARCHIVE, None, None, None
    return FileKind.DATA, None, None, None


def read_entry(realpath: Path, path: str, relpath: str, root: str) -> tuple[FileEntry, bytes | None]:
    """Read one file once: the inventory entry and the bytes (None for links and huge files)."""
    st = os.lstat(realpath)
    if stat.S_ISLNK(st.st_mode):
        target = os.readlink(realpath)
        digest = hashlib.sha256(target.encode("utf-8", "surrogateescape")).hexdigest()
        return FileEntry(path, relpath, root, realpath, 0, digest, FileKind.SYMLINK, st.st_mode, link_target=target), None
    if st.st_size > READ_WHOLE_MAX:
        h = hashlib.sha256()
        with open(realpath, "rb") as fh:
            head = fh.read(4096)
            h.update(head)
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        kind, elf, interp, lang = classify(relpath, head, st.st_size)
        return FileEntry(path, relpath, root, realpath, st.st_size, h.hexdigest(), kind, st.st_mode, elf=elf,
                         interpreter=interp, language=lang), None
    data = realpath.read_bytes()
    kind, elf, interp, lang = classify(relpath, data, len(data))
    entry = FileEntry(path, relpath, root, realpath, len(data), hashlib.sha256(data).hexdigest(), kind, st.st_mode,
                      elf=elf, interpreter=interp, language=lang)
    if kind in (FileKind.TEXT, FileKind.SCRIPT, FileKind.SOURCE, FileKind.KEY) and len(data) <= KEEP_CONTENT_MAX:
        entry.content = data
    return entry, data
