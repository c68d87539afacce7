"""An ELF file as the binary analysis sees it: mapped memory, code ranges, imports by call target.

LIEF parses the format (fast, C++); this module only adds what LIEF does not give directly:
the address each imported routine is *called at* (PLT stub, or GOT slot for MIPS PIC code and
``call [rip+slot]``), and a read-only view of memory with relocated pointers applied.
"""
from __future__ import annotations

import atexit
import bisect
import gc
import struct
import warnings
from dataclasses import dataclass, field

import lief

from . import ppc

lief.logging.disable()
# LIEF's bindings create some 60,000 objects at import (an enum member per opcode of each assembler
# it knows) that live as long as the process; each full collection of the cyclic collector walked them
# all again (35 ms; a busybox's analysis triggers a dozen). Moved out of the collector's sight.
gc.collect()
gc.freeze()
atexit.register(gc.unfreeze)  # (at exit they are collected as usual: nanobind checks that nothing leaked)

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
    #: data words the code loads as the address of a constant of its own (PowerPC's GOT/TOC entries,
    #: read relative to r30 or r2): an address table for the code, not a table of names in data
    address_slots: set[int] = field(default_factory=set)
    #: call target -> the instructions of the tiny leaf function there, or None (``lift``'s cache: each
    #: callee is decoded once per program, not once per calling function's walk)
    leaf_bodies: dict[int, list | None] = field(default_factory=dict)
    #: call target -> whether its code has no way back to the caller (``lift.never_returns``'s cache)
    no_return: dict[int, bool] = field(default_factory=dict)
    #: instruction address -> (its end, its compiled P-code, its ``blx`` correction): ``lift``'s cache of
    #: what it translated (not Thumb code: see ``lift.instructions``)
    decoded: dict[int, tuple[int, list, int]] = field(default_factory=dict)
    #: Thumb mode -> the SLEIGH decoder of this program (``lift``: a decoder keeps the mode changes
    #: that instructions it translated set at later addresses, so no two programs share one)
    decoders: dict[bool, object] = field(default_factory=dict)
    #: address -> where the stub there jumps (calling nothing on the way), or None: ``lift.stub_target``
    stub_jumps: dict[int, int | None] = field(default_factory=dict)
    #: static programs: IRELATIVE slot -> resolver address (IFUNC), and the PLT ranges that jump through them
    irelative: dict[int, int] = field(default_factory=dict)
    plt: list[tuple[int, int]] = field(default_factory=list)
    thumb: bool = False  # ARM: the entry point is Thumb code
    #: the section headers were missing or did not match the program headers (sstrip-style or
    #: tampered): everything was read from the program headers and the dynamic segment
    sectionless: bool = False

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
        if off is None or off < 0x100 or seg is None or not seg.readonly:
            return False
        if not self.is_code(addr):
            return True
        # Without section headers read-only data shares the executable segment with the code
        # (MIPS, ARM, PowerPC layouts): a NUL-led, NUL-terminated printable run there is a literal.
        return self.sectionless and self._string_start(off)

    def mapped(self, addr: int) -> bool:
        """Inside a loadable segment, zero-filled (.bss) part included: a global buffer."""
        return self._segment(addr) is not None

    def writable(self, addr: int) -> bool:
        """Inside a loadable segment that is not read-only: a global variable or buffer."""
        return self.mapped(addr) and not self.readonly(addr)

    def readonly(self, addr: int) -> bool:
        seg = self._segment(addr)
        off = self.offset_of(addr)
        return seg is not None and seg.readonly and off is not None and off >= 0x100

    def _string_start(self, off: int) -> bool:
        if off and self.data[off - 1] != 0:
            return False
        raw = self.data[off:off + MAX_CSTRING]
        end = raw.find(b"\0")
        return end >= 2 and all(32 <= b < 127 or b in (9, 10, 13) for b in raw[:end])

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
    sectionless = not _sections_match_segments(binary)
    if sectionless and len(binary.sections):
        # section headers that disagree with the program headers are ignored, never trusted
        binary = lief.ELF.parse(_without_section_headers(data)) or binary
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
    if hdr.program_header_offset + hdr.numberof_segments * hdr.program_header_size > len(data):
        raise NotAnalyzable("the program header table runs past the end of the file (truncated or corrupt)")
    if not any(seg.executable for seg in segments):
        raise NotAnalyzable("no loadable code segment (program headers missing or corrupt)")
    if any(seg.offset + seg.filesz > len(data) for seg in segments):
        raise NotAnalyzable("a loadable segment lies past the end of the file (truncated or corrupt)")
    image = Image(data=data, arch=arch, bits=bits, little=little, elf_type=hdr.file_type.name,
                  entry=hdr.entrypoint, segments=segments, sectionless=sectionless)
    image.code = _code_ranges(binary, segments)
    image.data_ranges = [] if sectionless else _data_ranges(binary)
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


def _sections_match_segments(binary) -> bool:
    """Section headers are used only when present and consistent with the program headers: every
    executable section lies inside an executable PT_LOAD, and there is at least one."""
    loads = [(s.virtual_address, s.virtual_address + s.virtual_size, bool(s.flags & lief.ELF.Segment.FLAGS.X))
             for s in binary.segments if s.type == lief.ELF.Segment.TYPE.LOAD]
    executable = 0
    for sec in binary.sections:
        if not sec.has(lief.ELF.Section.FLAGS.EXECINSTR) or not sec.size:
            continue
        lo, hi = sec.virtual_address, sec.virtual_address + sec.size
        if not any(a <= lo and hi <= b and x for a, b, x in loads):
            return False
        executable += 1
    return executable > 0


def _without_section_headers(data: bytes) -> bytes:
    """A copy whose ELF header announces no section headers (e_shoff, e_shnum, e_shstrndx = 0)."""
    out = bytearray(data)
    little = out[5] == 1
    order = "<" if little else ">"
    if out[4] == 2:  # ELF64
        struct.pack_into(order + "Q", out, 0x28, 0)
        struct.pack_into(order + "HH", out, 0x3C, 0, 0)
    else:
        struct.pack_into(order + "I", out, 0x20, 0)
        struct.pack_into(order + "HH", out, 0x30, 0, 0)
    return bytes(out)


def _code_ranges(binary, segments: list[Segment]) -> list[tuple[int, int]]:
    ranges = []
    for sec in binary.sections:
        if sec.has(lief.ELF.Section.FLAGS.EXECINSTR) and sec.size and sec.type != lief.ELF.Section.TYPE.NOBITS:
            ranges.append((sec.virtual_address, sec.virtual_address + sec.size))
    if not ranges:  # section headers stripped: executable segments less the tables the loader reads
        ranges = _subtract([(s.vaddr, s.vaddr + s.filesz) for s in segments if s.executable],
                           _loader_tables(binary, segments))
    return sorted(ranges)


def _loader_tables(binary, segments: list[Segment]) -> list[tuple[int, int]]:
    """Address ranges of what the program headers and dynamic tags say is not code: the ELF and
    program headers, the interpreter name, notes, the dynamic symbol, string, hash, version and
    relocation tables, and the unwind tables (.eh_frame_hdr to the end of its segment)."""
    out: list[tuple[int, int]] = []
    first = min((s.vaddr - s.offset for s in segments if s.offset == 0), default=None)
    if first is not None:
        hdr = binary.header
        out.append((first, first + hdr.program_header_offset + hdr.numberof_segments * hdr.program_header_size))
    for seg in binary.segments:
        if seg.type in (lief.ELF.Segment.TYPE.INTERP, lief.ELF.Segment.TYPE.NOTE, lief.ELF.Segment.TYPE.DYNAMIC):
            out.append((seg.virtual_address, seg.virtual_address + seg.virtual_size))
        elif seg.type == lief.ELF.Segment.TYPE.GNU_EH_FRAME:
            host = next((s for s in segments if s.vaddr <= seg.virtual_address < s.vaddr + s.memsz), None)
            out.append((seg.virtual_address, host.vaddr + host.filesz if host else seg.virtual_address + seg.virtual_size))
    T = lief.ELF.DynamicEntry.TAG
    sized = ((T.STRTAB, T.STRSZ), (T.RELA, T.RELASZ), (T.REL, T.RELSZ), (T.JMPREL, T.PLTRELSZ))
    for start_tag, size_tag in sized:
        start, size = _dyn(binary, start_tag), _dyn(binary, size_tag)
        if start and size:
            out.append((start, start + size))
    symtab, syment = _dyn(binary, T.SYMTAB), _dyn(binary, T.SYMENT) or (24 if binary.header.identity_class == lief.ELF.Header.CLASS.ELF64 else 16)
    if symtab:
        out.append((symtab, symtab + len(binary.dynamic_symbols) * syment))
    for tag in (T.HASH, T.GNU_HASH, T.VERSYM, T.VERNEED, T.VERDEF):
        start = _dyn(binary, tag)
        if start:  # no size is recorded for these: only their start is cut out (never a call target)
            out.append((start, start + 1))
    return out


def _subtract(ranges: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for lo, hi in ranges:
        pieces = [(lo, hi)]
        for a, b in sorted(holes):
            nxt = []
            for x, y in pieces:
                if b <= x or a >= y:
                    nxt.append((x, y))
                    continue
                if x < a:
                    nxt.append((x, a))
                if b < y:
                    nxt.append((b, y))
            pieces = nxt
        out.extend(p for p in pieces if p[1] - p[0] >= 4)
    return out


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
    if not image.irelative and image.sectionless:
        _scan_irelative(image)
    if image.irelative:
        image.plt = sorted((sec.virtual_address, sec.virtual_address + sec.size) for sec in binary.sections
                           if sec.name.startswith((".plt", ".iplt")) and sec.size) or list(image.code)


#: R_<arch>_IRELATIVE relocation type numbers (psABIs); static glibc keeps these in .rela.iplt
_IRELATIVE_TYPE = {"x86_64": 37, "x86": 42, "arm": 160, "aarch64": 1032, "ppc": 248, "ppc64": 248}


def _scan_irelative(image: Image) -> None:
    """A static program without section headers: find its IRELATIVE table by shape — entries whose
    type is IRELATIVE, symbol 0, slot in a writable segment and resolver (addend) in code."""
    rtype = _IRELATIVE_TYPE.get(image.arch)
    if rtype is None:
        return
    order = "<" if image.little else ">"
    if image.bits == 64:
        fmt, size, rela = order + "QQQ", 24, True
    elif image.arch in ("x86", "arm"):
        fmt, size, rela = order + "II", 8, False
    else:
        fmt, size, rela = order + "III", 12, True
    writable = [(s.vaddr, s.vaddr + s.memsz) for s in image.segments if not s.readonly]
    needle = rtype.to_bytes(image.word, "little" if image.little else "big")
    data = image.data
    pos = data.find(needle)
    while pos >= 0 and len(image.irelative) < 4096:
        start = pos - image.word
        if start >= 0 and start % image.word == 0 and start + size <= len(data):
            fields = struct.unpack_from(fmt, data, start)
            slot = fields[0]
            if any(a <= slot < b for a, b in writable):
                resolver = fields[2] if rela else image.pointer(slot)
                if resolver and image.is_code(resolver & ~1):
                    image.irelative[slot] = resolver & ((1 << image.bits) - 1)
        pos = data.find(needle, pos + 1)


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
    """Decode PLT stubs back to the GOT slot they jump through, so `call stub` names its import.
    Without section headers the stubs are looked for over all code (their shapes are exact)."""
    if image.sectionless:
        regions = [(lo, image.read(lo, hi - lo) or b"") for lo, hi in image.code]
    else:
        regions = [(sec.virtual_address, bytes(sec.content)) for sec in binary.sections
                   if sec.name.startswith(".plt") and sec.size]
    for base, raw in regions:
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
    got_plt = _dyn(binary, lief.ELF.DynamicEntry.TAG.PLTGOT)
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
