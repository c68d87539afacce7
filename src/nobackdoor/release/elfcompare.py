"""Compare a delivered ELF file with its rebuild: section by section, then function by function.

Known non-determinism is set aside first: the build-id note and debug-link checksum (digests of
everything else), and non-loaded metadata (compiler identification, debug information, symbol
tables) which a different tool-chain release or build path changes without changing the code.

Loaded sections that differ are narrowed down to functions. Symbols come from the delivered file's
``.symtab``; if it is stripped, from the rebuilt file's ``.symtab`` when both lay the section out at
the same address (a stripped release build of the same source does), else from ``.dynsym``. When
functions moved (a size change earlier in the file shifts everything after it), functions are
compared as disassembled instructions with branch and PC-relative targets replaced by symbol names,
so a move alone is not reported as a change.
"""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field
from pathlib import Path

import capstone as cs
from elftools.common.exceptions import ELFError
from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile

MAX_SECTION = 256 * 1024 * 1024
MAX_FUNCTIONS_REPORTED = 50
MAX_DISASM_BYTES = 0x10000

#: sections whose content is a digest of the rest of the file, or a path/ID of the build
IGNORED_SECTIONS = frozenset({".note.gnu.build-id", ".gnu_debuglink", ".gnu_debugaltlink", ".note.package"})
#: non-loaded sections that describe the build rather than form the program
#: loaded sections holding addresses of code (unwind tables, relocations, dynamic tags, pointer arrays): they
#: change whenever a function changes size, so next to a function difference they are its consequence
LAYOUT_DERIVED = frozenset({".eh_frame", ".eh_frame_hdr", ".gcc_except_table", ".dynamic", ".rela.dyn", ".rel.dyn",
                            ".rela.plt", ".rel.plt", ".got", ".got.plt", ".dynsym", ".data.rel.ro", ".init_array",
                            ".fini_array", ".symtab_shndx"})
METADATA_PREFIXES = (".debug", ".zdebug", ".comment", ".symtab", ".strtab", ".shstrtab", ".GCC.command.line",
                     ".annobin", ".gnu.build.attributes", ".note.gnu.gold-version", ".gnu_debugdata")


@dataclass
class Symbol:
    name: str
    address: int
    size: int
    kind: str  # "func" | "object"
    thumb: bool = False  # ARM Thumb code (the symbol value had bit 0 set)


@dataclass
class Section:
    name: str
    address: int
    offset: int
    size: int
    loaded: bool
    code: bool
    data: bytes


@dataclass
class ElfImage:
    path: Path
    arch: str
    bits: int
    little: bool
    sections: dict[str, Section]
    symbols: list[Symbol]  # .symtab, else .dynsym
    symbol_source: str  # "symtab" | "dynsym" | ""

    def section_at(self, address: int) -> Section | None:
        for s in self.sections.values():
            if s.loaded and s.address <= address < s.address + s.size:
                return s
        return None

    def read(self, address: int, size: int) -> bytes:
        s = self.section_at(address)
        if s is None or not s.data:
            return b""
        start = address - s.address
        return s.data[start:start + size]


_ARCHES = {"EM_X86_64": "x86_64", "EM_386": "x86", "EM_ARM": "arm", "EM_AARCH64": "aarch64", "EM_MIPS": "mips",
           "EM_PPC": "ppc", "EM_PPC64": "ppc64", "EM_RISCV": "riscv"}


def is_elf(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"\x7fELF"
    except OSError:
        return False


def load(path: Path) -> ElfImage:
    with open(path, "rb") as fh:
        elf = ELFFile(fh)
        sections: dict[str, Section] = {}
        for sec in elf.iter_sections():
            if not sec.name or sec["sh_type"] == "SHT_NULL":
                continue
            flags = sec["sh_flags"]
            nobits = sec["sh_type"] == "SHT_NOBITS"
            size = sec["sh_size"]
            data = b"" if nobits or size > MAX_SECTION else sec.data()
            sections.setdefault(sec.name, Section(sec.name, sec["sh_addr"], sec["sh_offset"], size,
                                                  bool(flags & SH_FLAGS.SHF_ALLOC), bool(flags & SH_FLAGS.SHF_EXECINSTR),
                                                  data))
        symbols, source = [], ""
        for table in (".symtab", ".dynsym"):
            sec = elf.get_section_by_name(table)
            if sec is None or not hasattr(sec, "iter_symbols"):
                continue
            for sym in sec.iter_symbols():
                kind = {"STT_FUNC": "func", "STT_OBJECT": "object"}.get(sym["st_info"]["type"])
                if kind and sym["st_size"] > 0 and sym["st_value"] and sym.name:
                    symbols.append(Symbol(sym.name, sym["st_value"], sym["st_size"], kind))
            if symbols:
                source = table[1:]
                break
        arch = _ARCHES.get(elf["e_machine"], str(elf["e_machine"]))
        if arch == "arm":  # Thumb functions are marked by bit 0 of their address
            for sym in symbols:
                if sym.kind == "func" and sym.address & 1:
                    sym.address, sym.thumb = sym.address - 1, True
        return ElfImage(path, arch, elf.elfclass, elf.little_endian, sections, _unique(symbols), source)


def _unique(symbols: list[Symbol]) -> list[Symbol]:
    seen, out = set(), []
    for s in sorted(symbols, key=lambda s: (s.address, s.name)):
        if (s.name, s.address) not in seen:
            seen.add((s.name, s.address))
            out.append(s)
    return out


def section_class(name: str) -> str:
    if name in IGNORED_SECTIONS:
        return "ignored"
    if name.startswith(METADATA_PREFIXES):
        return "metadata"
    return "content"


@dataclass
class FunctionDiff:
    name: str
    delivered_address: int | None
    rebuilt_address: int | None
    delivered_size: int | None
    rebuilt_size: int | None
    change: str  # "modified" | "added" (only in the delivered file) | "removed"
    first_difference: int | None = None  # offset inside the function
    delivered_code: list[str] = field(default_factory=list)
    rebuilt_code: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        out = {"function": self.name, "change": self.change}
        if self.delivered_address is not None:
            out["address"] = hex(self.delivered_address)
            out["size"] = self.delivered_size
        if self.rebuilt_address is not None:
            out["rebuilt_address"] = hex(self.rebuilt_address)
            out["rebuilt_size"] = self.rebuilt_size
        if self.first_difference is not None:
            out["first_difference"] = self.first_difference
        if self.delivered_code:
            out["delivered_code"] = self.delivered_code
            out["rebuilt_code"] = self.rebuilt_code
        return out


@dataclass
class SectionDiff:
    name: str
    kind: str  # "content" | "metadata"
    change: str  # "modified" | "added" | "removed"
    loaded: bool
    code: bool
    delivered_size: int | None = None
    rebuilt_size: int | None = None
    ranges: list[tuple[int, int]] = field(default_factory=list)  # differing [start, end) offsets, same size only
    objects: list[str] = field(default_factory=list)  # data symbols covering the differing bytes
    derived: bool = False  # follows from a function difference (addresses moved)

    def to_dict(self) -> dict:
        out = {"section": self.name, "change": self.change, "kind": self.kind}
        if self.delivered_size is not None:
            out["size"] = self.delivered_size
        if self.rebuilt_size is not None and self.rebuilt_size != self.delivered_size:
            out["rebuilt_size"] = self.rebuilt_size
        if self.ranges:
            out["differing_ranges"] = [[hex(a), hex(b)] for a, b in self.ranges[:20]]
        if self.objects:
            out["objects"] = self.objects[:20]
        return out


@dataclass
class ElfComparison:
    identical: bool
    sections: list[SectionDiff]
    functions: list[FunctionDiff]
    symbol_source: str  # where function names came from
    unlocated: list[SectionDiff]  # differing code sections no function explains

    @property
    def content_changed(self) -> bool:
        return any(s.kind == "content" for s in self.sections)


def compare(delivered: Path, rebuilt: Path) -> ElfComparison:
    try:
        d, r = load(delivered), load(rebuilt)
    except (ELFError, ValueError, OSError, KeyError) as exc:
        raise ValueError(f"cannot parse ELF: {exc}") from None
    sections: list[SectionDiff] = []
    for name in sorted(set(d.sections) | set(r.sections)):
        kind = section_class(name)
        if kind == "ignored":
            continue
        ds, rs = d.sections.get(name), r.sections.get(name)
        if ds is not None and rs is not None:
            if ds.size == rs.size and ds.data == rs.data:
                continue
            diff = SectionDiff(name, kind, "modified", ds.loaded, ds.code, ds.size, rs.size)
            if ds.size == rs.size and ds.data and rs.data:
                diff.ranges = _ranges(ds.data, rs.data)
        elif ds is not None:
            if kind == "metadata":
                continue  # present only in the delivered file: not a change of the program
            diff = SectionDiff(name, kind, "added", ds.loaded, ds.code, delivered_size=ds.size)
        else:
            assert rs is not None
            if kind == "metadata":
                continue  # stripped from the delivered file
            diff = SectionDiff(name, kind, "removed", rs.loaded, rs.code, rebuilt_size=rs.size)
        sections.append(diff)

    changed_code = [s for s in sections if s.kind == "content" and s.code]
    functions: list[FunctionDiff] = []
    unlocated: list[SectionDiff] = []
    source = ""
    if changed_code:
        d_syms, source = _symbols_for(d, r, changed_code)
        r_syms = [s for s in r.symbols if s.kind == "func"]
        if d_syms:
            functions = _compare_functions(d, r, d_syms, r_syms)
        if not functions:
            unlocated = changed_code
    if functions:
        for s in sections:
            s.derived = s.name in LAYOUT_DERIVED
    for s in sections:
        if s.kind == "content" and not s.code and s.ranges:
            s.objects = _objects_at(d if d.symbols else r, d.sections.get(s.name), s.ranges)
    return ElfComparison(identical=not sections, sections=sections, functions=functions, symbol_source=source,
                         unlocated=unlocated)


def _ranges(a: bytes, b: bytes, gap: int = 16) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    i, n = 0, len(a)
    while i < n:
        if a[i] == b[i]:
            i += 1
            continue
        start = i
        last = i
        while i < n and i - last <= gap:
            if a[i] != b[i]:
                last = i
            i += 1
        out.append((start, last + 1))
        if len(out) > 1000:
            break
    return out


def _symbols_for(d: ElfImage, r: ElfImage, changed: list[SectionDiff]) -> tuple[list[Symbol], str]:
    funcs = [s for s in d.symbols if s.kind == "func"]
    if d.symbol_source == "symtab" and funcs:
        return funcs, "delivered .symtab"
    same_layout = all(d.sections.get(s.name) and r.sections.get(s.name)
                      and d.sections[s.name].address == r.sections[s.name].address
                      and d.sections[s.name].size == r.sections[s.name].size for s in changed)
    r_funcs = [s for s in r.symbols if s.kind == "func"]
    if same_layout and r.symbol_source == "symtab" and r_funcs:
        return r_funcs, "rebuilt .symtab (the delivered file is stripped; same section layout)"
    if funcs:
        return funcs, "delivered .dynsym (exported functions only)"
    return [], ""


def _compare_functions(d: ElfImage, r: ElfImage, d_syms: list[Symbol], r_syms: list[Symbol]) -> list[FunctionDiff]:
    r_by_name = {s.name: s for s in r_syms}
    d_names = {s.name for s in d_syms}
    d_resolver = _Resolver(d_syms, d)
    r_resolver = _Resolver(r_syms or d_syms, r)
    out: list[FunctionDiff] = []
    for sym in d_syms:
        section = d.section_at(sym.address)
        if section is None or not section.code:
            continue
        code_d = d.read(sym.address, sym.size)
        other = r_by_name.get(sym.name)
        if other is None:
            out.append(FunctionDiff(sym.name, sym.address, None, sym.size, None, "added"))
            continue
        code_r = r.read(other.address, other.size)
        if sym.address == other.address and code_d == code_r:
            continue
        first: int | None = None
        if sym.address == other.address and len(code_d) == len(code_r):
            first = next(i for i, (x, y) in enumerate(zip(code_d, code_r)) if x != y)
        # compare instructions with branch and PC-relative targets named, so that code that only calls or
        # reads something that moved does not count as changed
        nd = _normalised(d, sym, d_resolver)
        nr = _normalised(r, other, r_resolver)
        if nd is not None and nr is not None and [t for _, t in nd] == [t for _, t in nr]:
            continue
        if first is None:
            if nd is None or nr is None:
                first = next((i for i, (x, y) in enumerate(zip(code_d, code_r)) if x != y),
                             min(len(code_d), len(code_r)))
            else:
                k = next((i for i, (x, y) in enumerate(zip(nd, nr)) if x[1] != y[1]), min(len(nd), len(nr)))
                first = nd[k][0] if k < len(nd) else sym.size
        fd = FunctionDiff(sym.name, sym.address, other.address, sym.size, other.size, "modified", first)
        fd.delivered_code = _window(d, sym, first)
        fd.rebuilt_code = _window(r, other, first)
        out.append(fd)
    for sym in r_syms:
        if sym.name not in d_names and d.symbol_source == "symtab":
            section = r.section_at(sym.address)
            if section is not None and section.code:
                out.append(FunctionDiff(sym.name, None, sym.address, None, sym.size, "removed"))
    return out


class _Resolver:
    """Address -> "symbol+offset" for normalising branch and PC-relative targets; an address no symbol
    covers is named by its section and the bytes found there (a string literal names itself)."""

    def __init__(self, symbols: list[Symbol], image: ElfImage | None = None) -> None:
        self.symbols = sorted(symbols, key=lambda s: s.address)
        self.starts = [s.address for s in self.symbols]
        self.image = image

    def name(self, address: int) -> str:
        i = bisect.bisect_right(self.starts, address) - 1
        if i >= 0:
            s = self.symbols[i]
            if address < s.address + max(s.size, 1):
                return f"{s.name}+{address - s.address:#x}"
        if self.image is not None:
            section = self.image.section_at(address)
            if section is not None:
                return f"{section.name}[{self.image.read(address, 24).hex()}]"
        return "?"


@functools.cache
def _engine(arch: str, bits: int, little: bool, thumb: bool = False) -> cs.Cs | None:
    endian = cs.CS_MODE_LITTLE_ENDIAN if little else cs.CS_MODE_BIG_ENDIAN
    table = {
        "x86_64": (cs.CS_ARCH_X86, cs.CS_MODE_64),
        "x86": (cs.CS_ARCH_X86, cs.CS_MODE_32),
        "aarch64": (cs.CS_ARCH_ARM64, cs.CS_MODE_ARM | endian),
        "arm": (cs.CS_ARCH_ARM, (cs.CS_MODE_THUMB if thumb else cs.CS_MODE_ARM) | endian),
        "mips": (cs.CS_ARCH_MIPS, (cs.CS_MODE_MIPS64 if bits == 64 else cs.CS_MODE_MIPS32) | endian),
    }
    if arch not in table:
        return None
    md = cs.Cs(*table[arch])
    md.detail = True
    return md


def _normalised(image: ElfImage, sym: Symbol, resolver: _Resolver) -> list[tuple[int, str]] | None:
    """[(offset in the function, instruction with targets named)], or None without a disassembler."""
    md = _engine(image.arch, image.bits, image.little, sym.thumb)
    code = image.read(sym.address, min(sym.size, MAX_DISASM_BYTES))
    if md is None or not code:
        return None
    return [(insn.address - sym.address, _normal_text(insn, image, resolver)) for insn in md.disasm(code, sym.address)]


def _normal_text(insn: cs.CsInsn, image: ElfImage, resolver: _Resolver) -> str:
    ops = insn.op_str
    if image.arch in ("x86_64", "x86"):
        from capstone import x86 as csx86

        targets = []
        for op in insn.operands:
            if op.type == csx86.X86_OP_IMM and (insn.group(cs.CS_GRP_JUMP) or insn.group(cs.CS_GRP_CALL)):
                targets.append(resolver.name(op.imm))
            elif op.type == csx86.X86_OP_MEM and op.mem.base == csx86.X86_REG_RIP:
                targets.append(resolver.name(insn.address + insn.size + op.mem.disp))
        if targets:
            return f"{insn.mnemonic} -> {','.join(targets)}"
    elif insn.group(cs.CS_GRP_JUMP) or insn.group(cs.CS_GRP_CALL):
        imms = [op.imm for op in insn.operands if op.type == 2]  # ARM/ARM64/MIPS immediate operand type
        if imms:
            return f"{insn.mnemonic} -> {resolver.name(imms[-1])}"
    return f"{insn.mnemonic} {ops}"


def _window(image: ElfImage, sym: Symbol, first: int | None, count: int = 4) -> list[str]:
    """A few instructions from just before the first differing byte."""
    md = _engine(image.arch, image.bits, image.little, sym.thumb)
    code = image.read(sym.address, min(sym.size, MAX_DISASM_BYTES))
    if md is None or not code:
        return []
    insns = list(md.disasm(code, sym.address))
    before = [k for k, i in enumerate(insns) if i.address - sym.address <= (first or 0)]
    lo = max(0, (before[-1] if before else 0) - 1)
    return [f"{i.address:#x}: {i.mnemonic} {i.op_str}".rstrip() for i in insns[lo:lo + count]]


def _objects_at(image: ElfImage, section: Section | None, ranges: list[tuple[int, int]]) -> list[str]:
    if section is None:
        return []
    names = []
    for start, end in ranges:
        lo, hi = section.address + start, section.address + end
        for s in image.symbols:
            if s.address < hi and lo < s.address + s.size and s.name not in names:
                names.append(s.name)
    return names
