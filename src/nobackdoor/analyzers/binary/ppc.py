"""PowerPC (32-bit and 64-bit, either endian): which import each call stub reaches, and the TOC.

PowerPC code never calls an import directly; it calls a small stub that jumps through a slot:

* 32-bit secure PLT (binutils default since 2.17): in position-independent code the stub is
  ``lwz r11,X(r30); mtctr r11; bctr`` (``addis r11,r30,hi; lwz r11,lo(r11)`` for big offsets),
  relative to the *caller's* PIC register r30; the caller sets r30 up in its prologue with
  ``bcl 20,31,1f; 1: mflr r30; addis r30,r30,hi; addi r30,r30,lo`` (-fPIC/-fPIE), ``lwz r0,d(r30);
  add r30,r0,r30`` (older GCC) or ``bl _GLOBAL_OFFSET_TABLE_-4`` (a ``blrl`` word) + ``mflr r30``
  (-fpic). Non-PIC stubs are ``lis r11,hi; lwz r11,lo(r11); mtctr r11; bctr``.
* 32-bit BSS PLT (the older ABI, still produced by some embedded toolchains): ``.plt`` is
  executable and each R_PPC_JMP_SLOT address is itself the call target.
* 64-bit (ELFv1 and ELFv2): ``std r2,24|40(r1); [addis r12,r2,hi;] ld r12|r11,lo(r2|r12); mtctr;
  bctr``, relative to the TOC pointer r2 (``.got`` + 0x8000).

Sources: Power Architecture 32-bit ABI Supplement 1.0 (Linux, secure PLT), the 64-bit ELF V2 ABI
Specification (OpenPOWER) and ELF V1 ABI, binutils bfd/elf32-ppc.c and elf64-ppc.c stub layouts.
"""
from __future__ import annotations

import array
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .elf import Image

BCL_NEXT = 0x429F0005  # bcl 20,31,.+4: loads the address of the next instruction into lr
BLRL = 0x4E800021
BLR = 0x4E800020
BCTR = 0x4E800420
NOP = 0x60000000
MTCTR_R11, MTCTR_R12 = 0x7D6903A6, 0x7D8903A6
MFLR_R30 = 0x7FC802A6
ADD_R30_R0_R30 = 0x7FC0F214


def sext16(v: int) -> int:
    v &= 0xFFFF
    return v - 0x10000 if v & 0x8000 else v


def words(image: Image, raw: bytes) -> array.array:
    out = array.array("I")
    out.frombytes(raw[: len(raw) // 4 * 4])
    if (not image.little) != (array.array("I", [1]).tobytes()[0] == 0):
        out.byteswap()
    return out


def bl_target(w: int, pc: int) -> int | None:
    """Target of ``bl`` (relative, link), or None for any other word."""
    if (w & 0xFC000003) != 0x48000001:
        return None
    off = w & 0x03FFFFFC
    if off & 0x02000000:
        off -= 0x04000000
    return pc + off


def global_entry(image: Image, addr: int) -> bool:
    """ELFv2 global entry point: ``addis r2,r12,hi`` (``lis r2,hi`` once statically linked); ``addi r2,r2,lo``."""
    w0, w1 = image.u32(addr), image.u32(addr + 4)
    return w0 is not None and w1 is not None and (w0 >> 16) in (0x3C4C, 0x3C40) and (w1 >> 16) == 0x3842


def local_entries(image: Image) -> None:
    """Local calls enter an ELFv2 function 8 bytes in: a routine named at its global entry is named there too."""
    for addr, name in list(image.imports.items()):
        if global_entry(image, addr):
            image.imports.setdefault(addr + 8, name)


def resolve_imports(binary, image: Image) -> None:
    if image.bits == 64:
        image.gp = _toc(binary, image)
    _bss_plt(binary, image)
    pic_stubs: dict[int, int] = {}  # stub address -> offset from the caller's r30
    for lo, hi in image.code:
        raw = image.read(lo, hi - lo)
        if not raw:
            continue
        w = words(image, raw)
        if image.bits == 64:
            _stubs64(image, raw, w, lo)
            if image.gp is not None:
                _toc_slots(image, w)
        else:
            _stubs32(image, raw, w, lo, pic_stubs)
    if image.bits == 32:
        _resolve_pic32(image, pic_stubs)


def _bss_plt(binary, image: Image) -> None:
    import lief

    for sec in binary.sections:
        if sec.name == ".plt" and sec.has(lief.ELF.Section.FLAGS.EXECINSTR):
            lo, hi = sec.virtual_address, sec.virtual_address + sec.size
            for slot, name in image.got_slots.items():
                if lo <= slot < hi:
                    image.imports[slot] = name


def _toc(binary, image: Image) -> int | None:
    for sec in binary.sections:
        if sec.name == ".got" and sec.size:
            return sec.virtual_address + 0x8000
    # section headers stripped: an ELFv2 global entry point sets r2 from r12 (its own address)
    for lo, hi in image.code:
        raw = image.read(lo, hi - lo) or b""
        w = words(image, raw)
        for i in range(len(w) - 1):
            if (w[i] & 0xFFFF0000) == 0x3C4C0000 and (w[i + 1] & 0xFFFF0000) == 0x38420000:
                return lo + 4 * i + (sext16(w[i]) << 16) + sext16(w[i + 1])
            if (w[i] & 0xFFFF0000) == 0x3C400000 and (w[i + 1] & 0xFFFF0000) == 0x38420000:
                # static: `lis r2,hi; addi r2,r2,lo` loads the TOC pointer as an absolute value
                return ((sext16(w[i]) << 16) + sext16(w[i + 1])) & 0xFFFFFFFFFFFFFFFF
    return None


def _find_words(image: Image, raw: bytes, value: int):
    pattern = value.to_bytes(4, "little" if image.little else "big")
    pos = raw.find(pattern)
    while pos >= 0:
        if pos % 4 == 0:
            yield pos // 4
        pos = raw.find(pattern, pos + 1)


def _stubs32(image: Image, raw: bytes, w, base: int, pic_stubs: dict[int, int]) -> None:
    for i in _find_words(image, raw, MTCTR_R11):
        if i < 1 or i + 1 >= len(w) or w[i + 1] != BCTR:
            continue
        ld = w[i - 1]
        prev = w[i - 2] if i >= 2 else 0
        if (ld & 0xFFFF0000) == 0x817E0000:  # lwz r11,X(r30)
            pic_stubs[base + 4 * (i - 1)] = sext16(ld)
        elif (ld & 0xFFFF0000) == 0x816B0000 and (prev & 0xFFFF0000) == 0x3D7E0000:  # addis r11,r30,hi
            pic_stubs[base + 4 * (i - 2)] = (sext16(prev) << 16) + sext16(ld)
        elif (ld & 0xFFFF0000) == 0x816B0000 and (prev & 0xFFFF0000) == 0x3D600000:  # lis r11,hi
            slot = ((sext16(prev) << 16) + sext16(ld)) & 0xFFFFFFFF
            name = image.got_slots.get(slot)
            if name:
                image.imports[base + 4 * (i - 2)] = name


def _stubs64(image: Image, raw: bytes, w, base: int) -> None:
    toc = image.gp
    if toc is None:
        return
    for mt in (MTCTR_R12, MTCTR_R11):
        for i in _find_words(image, raw, mt):
            if i < 1:
                continue
            ld = w[i - 1]
            prev = w[i - 2] if i >= 2 else 0
            first = i - 1
            if (ld & 0xFFFF0003) in (0xE9820000, 0xE9620000):  # ld r12|r11, X(r2)
                slot = toc + sext16(ld & 0xFFFC)
            elif (ld & 0xFFFF0003) in (0xE98C0000, 0xE96C0000) and (prev & 0xFFFF0000) == 0x3D820000:
                slot = toc + (sext16(prev) << 16) + sext16(ld & 0xFFFC)  # addis r12,r2,hi; ld r1x,lo(r12)
                first = i - 2
            else:
                continue
            name = image.got_slots.get(slot & 0xFFFFFFFFFFFFFFFF)
            if not name:
                continue
            image.imports.setdefault(base + 4 * first, name)
            if first and w[first - 1] in (0xF8410018, 0xF8410028):  # std r2,24|40(r1): the stub starts here
                image.imports.setdefault(base + 4 * (first - 1), name)


LWZ_R30 = 0x801E0000  # lwz rD,d(r30), rD masked out
LD_R2 = 0xE8020000  # ld rD,d(r2), rD masked out
ADDIS_R2 = 0x3C020000  # addis rD,r2,hi, rD masked out
RT_MASK = 0xFC1F0000  # opcode and base register of a D-form instruction


def _resolve_pic32(image: Image, pic_stubs: dict[int, int]) -> None:
    """Name each r30-relative stub from a call site: r30 as the calling function computed it; and
    note the GOT slots the code loads relative to r30 (``image.address_slots``)."""
    left = set(pic_stubs)
    for lo, hi in image.code:
        raw = image.read(lo, hi - lo)
        if not raw:
            continue
        w = words(image, raw)
        lr = r30 = None
        for i, v in enumerate(w):
            top = v >> 26
            if top == 18:  # b/bl
                if v & 3 != 1:
                    continue
                pc = lo + 4 * i
                target = bl_target(v, pc)
                if target in left and r30 is not None:
                    name = image.got_slots.get((r30 + pic_stubs[target]) & 0xFFFFFFFF)
                    if name:
                        image.imports[target] = name
                        left.discard(target)
                elif image.u32(target) == BLRL:  # bl _GLOBAL_OFFSET_TABLE_-4
                    lr = target + 4
            elif v == BCL_NEXT:
                lr = lo + 4 * i + 4
            elif v == MFLR_R30:
                r30 = lr
            elif r30 is not None:
                hi16 = v & 0xFFFF0000
                if hi16 == 0x3FDE0000:  # addis r30,r30,hi
                    r30 = (r30 + (sext16(v) << 16)) & 0xFFFFFFFF
                elif hi16 == 0x3BDE0000:  # addi r30,r30,lo
                    r30 = (r30 + sext16(v)) & 0xFFFFFFFF
                elif hi16 == LWZ_R30 and i + 1 < len(w) and w[i + 1] == ADD_R30_R0_R30:  # lwz r0,d(r30)
                    off = image.u32((r30 + sext16(v)) & 0xFFFFFFFF)
                    r30 = (r30 + off) & 0xFFFFFFFF if off is not None else None
                elif v & RT_MASK == LWZ_R30:
                    image.address_slots.add((r30 + sext16(v)) & 0xFFFFFFFF)


def _toc_slots(image: Image, w) -> None:
    """Note the TOC entries the code words ``w`` load relative to r2 (``ld rD,d(r2)``; ``addis rX,r2,hi;
    ld rD,lo(rX)``) in ``image.address_slots``."""
    toc = image.gp
    mask = (1 << image.bits) - 1
    high: dict[int, int] = {}  # register -> toc + (hi << 16), from the last addis rX,r2,hi
    for v in w:
        if v & RT_MASK == LD_R2 and v & 3 == 0:
            image.address_slots.add((toc + sext16(v & 0xFFFC)) & mask)
        elif v & RT_MASK == ADDIS_R2:
            high[(v >> 21) & 0x1F] = toc + (sext16(v) << 16)
        elif v >> 26 == 58 and v & 3 == 0 and (v >> 16) & 0x1F in high:  # ld rD,lo(rX)
            image.address_slots.add((high[(v >> 16) & 0x1F] + sext16(v & 0xFFFC)) & mask)


#: words a register-save routine holds at most (r14..r31 and the link register, then ``blr``)
MAX_SAVER_WORDS = 24


def saves_registers(image: Image, addr: int) -> bool:
    """``addr`` enters one of GCC's out-of-line register-save routines (``_savegpr0_N``, ``_savegpr_N``:
    libgcc's crtsavres, called by -Os prologues): nothing but stores of general registers to the stack
    (``std rN,d(r1)``; ``stw rN,d(r11)``, r11 set by the caller), then ``blr``. A call of it changes no
    register: the argument registers still hold the caller's arguments after it."""
    raw = image.read(addr, 4 * MAX_SAVER_WORDS) or b""
    stores = 0
    for w in words(image, raw):
        if w == BLR:
            return stores > 0
        op, ra = w >> 26, (w >> 16) & 0x1F
        if op == 62 and w & 3 == 0 and ra == 1:  # std rS, d(r1)
            stores += 1
        elif op == 36 and ra in (1, 11):  # stw rS, d(r1|r11)
            stores += 1
        else:
            return False
    return False
