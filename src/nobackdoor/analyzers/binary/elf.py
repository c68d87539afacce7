"""An ELF file as the binary analysis sees it: mapped memory, code ranges, imports by call target.

LIEF parses the format (fast, C++); this module only adds what LIEF does not give directly:
the address each imported routine is *called at* (PLT stub, or GOT slot for MIPS PIC code and
``call [rip+slot]``), and a read-only view of memory with relocated pointers applied.
"""
from __future__ import annotations

import bisect
import struct
import warnings
from dataclasses import dataclass, field

import lief

from . import ppc

lief.logging.disable()

#: e_machine -> our architecture name (the ones the disassembler supports)
_ARCH = {
    lief.ELF.ARCH.MIPS: "mips", lief.ELF.ARCH.MIPS_RS3_LE: "mips", lief.ELF.ARCH.ARM: "arm",
    lief.ELF.ARCH.AARCH64: "aarch64", lief.ELF.ARCH.I386: "x86", lief.ELF.ARCH.X86_64: "x86_64",
    lief.ELF.ARCH.PPC: "ppc", lief.ELF.ARCH.PPC64: "ppc64",
}
SUPPORTED = frozenset({"mips", "mips64", "arm", "aarch64", "x86", "x86_64", "ppc", "ppc64"})

MAX_CSTRING = 512


class NotAnalyzable(Exception):
    """The file is an ELF we cannot (or need not) analyse: a message for the error list."""


@dataclass
class Segment:
    vaddr: int
    memsz: int
    offset: int
    filesz: int
    executable: bool
    readonly: bool = True


@dataclass
class Image:
    data: bytes
    arch: str
    bits: int
    little: bool
    elf_type: str
    entry: int
    segments: list[Segment]
    #: call target address -> imported routine name (PLT stubs; MIPS: GOT slot addresses)
    imports: dict[int, str] = field(default_factory=dict)
    #: GOT slot address -> imported name (for indirect calls through the GOT)
    got_slots: dict[int, str] = field(default_factory=dict)
    #: relocated pointer values (slot address -> value) for RELATIVE/local-GOT entries
    pointers: dict[int, int] = field(default_factory=dict)
    #: function symbols: start -> (end or 0, name)
    symbols: dict[int, tuple[int, str]] = field(default_factory=dict)
    #: executable (start, end) address ranges, sorted
    code: list[tuple[int, int]] = field(default_factory=list)
    #: readable, non-code (start, end) ranges where constants live (.rodata, .data, ...)
    data_ranges: list[tuple[int, int]] = field(default_factory=list)
    gp: int | None = None  # MIPS: value of $gp in PIC code; PowerPC64: the TOC pointer (r2)
    #: static programs: IRELATIVE slot -> resolver address (IFUNC), and the PLT ranges that jump through them
    irelative: dict[int, int] = field(default_factory=dict)
    plt: list[tuple[int, int]] = field(default_factory=list)
    thumb: bool = False  # ARM: the entry point is Thumb code

    def __post_init__(self) -> None:
        self._seg_starts = [s.vaddr for s in self.segments]

    @property
    def word(self) -> int:
        return self.bits // 8

    def _segment(self, addr: int) -> Segment | None:
        i = bisect.bisect_right(self._seg_starts, addr) - 1
        while i >= 0:
            seg = self.segments[i]
            if seg.vaddr <= addr < seg.vaddr + seg.memsz:
                return seg
            i -= 1
            if i >= 0 and self.segments[i].vaddr + self.segments[i].memsz <= addr:
                break
        return None

    def offset_of(self, addr: int) -> int | None:
        seg = self._segment(addr)
        if seg is None or addr - seg.vaddr >= seg.filesz:
            return None
        return seg.offset + addr - seg.vaddr

    def read(self, addr: int, size: int) -> bytes | None:
        off = self.offset_of(addr)
        if off is None or size <= 0:
            return None
        seg = self._segment(addr)
        avail = seg.offset + seg.filesz - off if seg else 0
        return self.data[off:off + min(size, avail)] or None

    def pointer(self, addr: int) -> int | None:
        """The pointer-sized value stored at addr, with dynamic relocations applied."""
        if addr in self.pointers:
            return self.pointers[addr]
        raw = self.read(addr, self.word)
        if raw is None or len(raw) != self.word:
            return None
        return int.from_bytes(raw, "little" if self.little else "big")

    def u32(self, addr: int) -> int | None:
        raw = self.read(addr, 4)
        if raw is None or len(raw) != 4:
            return None
        return int.from_bytes(raw, "little" if self.little else "big")

    def cstring(self, addr: int, limit: int = MAX_CSTRING) -> bytes | None:
        raw = self.read(addr, limit)
        if raw is None:
            return None
        end = raw.find(b"\0")
        return raw[:end] if end >= 0 else None

    def in_data(self, addr: int) -> bool:
        if self.data_ranges:
            i = bisect.bisect_right(self.data_ranges, (addr, 1 << 64)) - 1
            return i >= 0 and self.data_ranges[i][0] <= addr < self.data_ranges[i][1]
        seg = self._segment(addr)
        off = self.offset_of(addr)
        return off is not None and off >= 0x100 and not self.is_code(addr) and seg is not None and seg.readonly

    def is_code(self, addr: int) -> bool:
        i = bisect.bisect_right(self.code, (addr, 1 << 64)) - 1
        return i >= 0 and self.code[i][0] <= addr < self.code[i][1]


def _name(sym) -> str:
    """Symbol names of hostile files need not be UTF-8 (LIEF then hands out bytes)."""
    name = sym.name if sym is not None else ""
    return name.decode("latin-1") if isinstance(name, bytes) else (name or "")


def load(data: bytes) -> Image:
    """Parse an ELF file; any inconsistency of a hostile file is a NotAnalyzable, never a crash."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # LIEF warns about unknown enum values in fuzzed headers
            return _load(data)
    except NotAnalyzable:
        raise
    except (ValueError, TypeError, RuntimeError, OverflowError, AttributeError, IndexError, KeyError) as exc:
        raise NotAnalyzable(f"malformed ELF ({type(exc).__name__})") from None


def _load(data: bytes) -> Image:
    binary = lief.ELF.parse(data)
    if binary is None:
        raise NotAnalyzable("not a parsable ELF file")
    hdr = binary.header
    arch = _ARCH.get(hdr.machine_type)
    bits = 64 if hdr.identity_class == lief.ELF.Header.CLASS.ELF64 else 32
    if arch == "mips" and bits == 64:
        arch = "mips64"
    if arch not in SUPPORTED:
        raise NotAnalyzable(f"architecture {hdr.machine_type.name} is not supported by the binary analysis")
    little = hdr.identity_data == lief.ELF.Header.ELF_DATA.LSB
    segments = sorted(
        (Segment(s.virtual_address, s.virtual_size, s.file_offset, s.physical_size,
                 bool(s.flags & lief.ELF.Segment.FLAGS.X), not (s.flags & lief.ELF.Segment.FLAGS.W))
         for s in binary.segments if s.type == lief.ELF.Segment.TYPE.LOAD and s.virtual_size),
        key=lambda s: s.vaddr)
    image = Image(data=data, arch=arch, bits=bits, little=little, elf_type=hdr.file_type.name,
                  entry=hdr.entrypoint, segments=segments)
    image.code = _code_ranges(binary, segments)
    image.data_ranges = _data_ranges(binary)
    image.thumb = arch == "arm" and bool(image.entry & 1)
    _symbols(binary, image)
    _relocations(binary, image)
    if not image.got_slots:
        _static_ifuncs(binary, image)
    if arch in ("mips", "mips64"):
        _mips_got(binary, image)
        if image.gp is None:
            image.gp = _mips_gp_from_code(image)
    elif arch in ("ppc", "ppc64"):
        ppc.resolve_imports(binary, image)
    else:
        _plt_stubs(binary, image)
    return image


def _code_ranges(binary, segments: list[Segment]) -> list[tuple[int, int]]:
    ranges = []
    for sec in binary.sections:
        if sec.has(lief.ELF.Section.FLAGS.EXECINSTR) and sec.size and sec.type != lief.ELF.Section.TYPE.NOBITS:
            ranges.append((sec.virtual_address, sec.virtual_address + sec.size))
    if not ranges:  # section headers stripped: fall back to executable segments
        ranges = [(s.vaddr, s.vaddr + s.filesz) for s in segments if s.executable]
    return sorted(ranges)


#: read-only data: where compilers put string literals and constant tables (writable data is not a constant)
_DATA_SECTIONS = (".rodata", ".rdata", ".lit4", ".lit8", ".srodata", ".sdata2")


def _data_ranges(binary) -> list[tuple[int, int]]:
    out = []
    for sec in binary.sections:
        if sec.name.startswith(_DATA_SECTIONS) and sec.size and sec.type != lief.ELF.Section.TYPE.NOBITS:
            out.append((sec.virtual_address, sec.virtual_address + sec.size))
    return sorted(out)


def _symbols(binary, image: Image) -> None:
    for sym in list(binary.symtab_symbols) + list(binary.dynamic_symbols):
        if sym.type == lief.ELF.Symbol.TYPE.FUNC and sym.value and sym.shndx != 0:
            start = sym.value
            image.symbols.setdefault(start, (start + sym.size if sym.size else 0, _name(sym)))


def _relocations(binary, image: Image) -> None:
    for rel in binary.dynamic_relocations:
        name = _name(rel.symbol) if rel.has_symbol and rel.symbol is not None else ""
        if name and rel.symbol.shndx == 0:
            image.got_slots[rel.address] = name
        elif rel.addend and not name:
            image.pointers[rel.address] = rel.addend  # RELATIVE: base 0 + addend
    for rel in binary.pltgot_relocations:
        if rel.has_symbol and rel.symbol is not None and _name(rel.symbol):
            image.got_slots[rel.address] = _name(rel.symbol)


def _static_ifuncs(binary, image: Image) -> None:
    """A static program's IFUNC slots (glibc string routines): R_*_IRELATIVE, addend = resolver."""
    for rel in binary.relocations:
        # LIEF names the type where it knows it; R_PPC_IRELATIVE / R_PPC64_IRELATIVE are number 248
        irelative = str(getattr(rel.type, "name", "")).endswith("IRELATIVE") or (
            image.arch in ("ppc", "ppc64") and int(rel.type) & 0xFFFF == 248)
        if irelative and rel.addend:
            image.irelative[rel.address] = rel.addend & ((1 << image.bits) - 1)
    if image.irelative:
        image.plt = sorted((sec.virtual_address, sec.virtual_address + sec.size) for sec in binary.sections
                           if sec.name.startswith((".plt", ".iplt")) and sec.size)


def _dyn(binary, tag) -> int | None:
    try:
        entry = binary.get(tag)
    except Exception:
        return None
    return entry.value if entry is not None else None


def _mips_got(binary, image: Image) -> None:
    """MIPS PIC: code calls through $gp-relative GOT loads; map GOT slots to their symbols (psABI)."""
    T = lief.ELF.DynamicEntry.TAG
    got = _dyn(binary, T.PLTGOT)
    local = _dyn(binary, T.MIPS_LOCAL_GOTNO)
    gotsym = _dyn(binary, T.MIPS_GOTSYM)
    if got is None or local is None or gotsym is None:
        return
    image.gp = got + 0x7FF0
    syms = list(binary.dynamic_symbols)
    w = image.word
    for i in range(gotsym, len(syms)):
        slot = got + (local + i - gotsym) * w
        sym = syms[i]
        if sym.shndx == 0 and _name(sym):  # undefined: an import
            image.imports[slot] = _name(sym)
            image.got_slots[slot] = _name(sym)
        elif sym.value:
            image.pointers[slot] = sym.value
    # non-PIC executables may also have a PLT with jump slots
    _plt_stubs(binary, image)


def _mips_gp_from_code(image: Image) -> int | None:
    """A static MIPS program has no dynamic tags to derive $gp from, but its PIC functions compute it:
    ``lui gp,hi; addiu gp,gp,lo; addu gp,gp,t9`` at their start (t9 = the function's address).
    The value two such prologues agree on is $gp."""
    order = "little" if image.little else "big"
    seen: dict[int, int] = {}
    for lo, hi in image.code:
        raw = image.read(lo, hi - lo) or b""
        pattern = (0x0399E021).to_bytes(4, order)  # addu gp, gp, t9
        pos = raw.find(pattern)
        while pos >= 8 and len(seen) < 64:
            if pos % 4 == 0:
                w0 = int.from_bytes(raw[pos - 8:pos - 4], order)
                w1 = int.from_bytes(raw[pos - 4:pos], order)
                if (w0 & 0xFFFF0000) == 0x3C1C0000 and (w1 & 0xFFFF0000) == 0x279C0000:
                    low = w1 & 0xFFFF
                    low = low - 0x10000 if low & 0x8000 else low
                    gp = (lo + pos - 8 + ((w0 & 0xFFFF) << 16) + low) & 0xFFFFFFFF
                    seen[gp] = seen.get(gp, 0) + 1
                    if seen[gp] >= 2:
                        return gp
            pos = raw.find(pattern, pos + 1)
    return None


def _plt_stubs(binary, image: Image) -> None:
    """Decode PLT stubs back to the GOT slot they jump through, so `call stub` names its import."""
    for sec in binary.sections:
        if not sec.name.startswith(".plt") or not sec.size:
            continue
        raw = bytes(sec.content)
        base = sec.virtual_address
        if image.arch == "aarch64":
            _plt_aarch64(image, raw, base)
        elif image.arch == "arm":
            _plt_arm(image, raw, base)
        elif image.arch in ("x86_64", "x86"):
            _plt_x86(image, raw, base, binary)
        elif image.arch in ("mips", "mips64"):
            _plt_mips(image, raw, base)
    # direct indirect calls through a GOT slot (x86 `call [rip+slot]`, -fno-plt) use got_slots


def _plt_aarch64(image: Image, raw: bytes, base: int) -> None:
    words = struct.unpack_from(f"<{len(raw) // 4}I", raw)
    for i in range(len(words) - 1):
        w = words[i]
        if (w & 0x9F00001F) != 0x90000010:  # adrp x16, page
            continue
        immlo, immhi = (w >> 29) & 3, (w >> 5) & 0x7FFFF
        imm = ((immhi << 2) | immlo) << 12
        if imm & (1 << 32):
            imm -= 1 << 33
        pc = base + 4 * i
        page = (pc & ~0xFFF) + imm
        nxt = words[i + 1]
        if (nxt & 0xFFC003FF) == 0xF9400211:  # ldr x17, [x16, #off]
            slot = page + ((nxt >> 10) & 0xFFF) * 8
            name = image.got_slots.get(slot)
            if name:
                start = pc - 4 if i and words[i - 1] == 0xD503245F else pc  # bti c
                image.imports[start] = name
                image.imports.setdefault(pc, name)


def _arm_imm(w: int) -> int:
    rot = ((w >> 8) & 0xF) * 2
    imm = w & 0xFF
    return ((imm >> rot) | (imm << (32 - rot))) & 0xFFFFFFFF


def _plt_arm(image: Image, raw: bytes, base: int) -> None:
    fmt = "<" if image.little else ">"
    words = struct.unpack_from(f"{fmt}{len(raw) // 4}I", raw)
    for i in range(len(words) - 2):
        w0, w1, w2 = words[i], words[i + 1], words[i + 2]
        # add ip, pc, #A ; add ip, ip, #B ; ldr pc, [ip, #C]!
        if (w0 & 0xFFFFF000) == 0xE28FC000 and (w1 & 0xFFFFF000) == 0xE28CC000 and (w2 & 0xFFFFF000) == 0xE5BCF000:
            pc = base + 4 * i
            slot = (pc + 8 + _arm_imm(w0) + _arm_imm(w1) + (w2 & 0xFFF)) & 0xFFFFFFFF
            name = image.got_slots.get(slot)
            if name:
                image.imports[pc] = name
                if i and 0x4778 in (words[i - 1] & 0xFFFF, words[i - 1] >> 16):  # Thumb `bx pc` prefix: stub - 4
                    image.imports[pc - 4] = name
        # long form: ldr ip, [pc, #4]; add ip, pc, ip; ldr pc, [ip]; .word off
        elif w0 == 0xE59FC004 and w1 == 0xE08CC00F and w2 == 0xE59CF000 and i + 3 < len(words):
            pc = base + 4 * i
            slot = (pc + 12 + words[i + 3]) & 0xFFFFFFFF
            name = image.got_slots.get(slot)
            if name:
                image.imports[pc] = name


def _plt_x86(image: Image, raw: bytes, base: int, binary) -> None:
    got_plt = None
    for sec in binary.sections:
        if sec.name == ".got.plt":
            got_plt = sec.virtual_address
    i = raw.find(b"\xff")
    while 0 <= i < len(raw) - 6:
        op = raw[i + 1]
        if op in (0x25, 0xA3):  # jmp [rip+disp] / jmp [abs] (x86) / jmp [ebx+disp]
            disp = struct.unpack_from("<i", raw, i + 2)[0]
            if image.arch == "x86_64":
                slot = base + i + 6 + disp
            elif op == 0x25:
                slot = disp & 0xFFFFFFFF
            else:
                slot = (got_plt or 0) + disp
            name = image.got_slots.get(slot)
            if name:
                start = base + ((i // 16) * 16)  # PLT entries are 16 bytes on x86
                image.imports.setdefault(start, name)
                image.imports.setdefault(base + i, name)
        i = raw.find(b"\xff", i + 1)


def _plt_mips(image: Image, raw: bytes, base: int) -> None:
    """Non-PIC MIPS PLT entries: lui t3, %hi(slot); lw t9, %lo(slot)(t3); ... (binutils layout)."""
    fmt = "<" if image.little else ">"
    words = struct.unpack_from(f"{fmt}{len(raw) // 4}I", raw)
    for i in range(len(words) - 1):
        w0, w1 = words[i], words[i + 1]
        if (w0 & 0xFFFF0000) == 0x3C0F0000 and (w1 & 0xFFFF0000) == 0x8DF90000:  # lui t7 / lw t9,(t7)
            lo = w1 & 0xFFFF
            lo = lo - 0x10000 if lo & 0x8000 else lo
            slot = ((w0 & 0xFFFF) << 16) + lo
            name = image.got_slots.get(slot & 0xFFFFFFFF)
            if name:
                image.imports[base + 4 * i] = name
