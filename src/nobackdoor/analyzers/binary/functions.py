"""Function boundaries and the call graph of a stripped binary, without disassembling it.

A raw scan of the code ranges finds every direct call (ARM/Thumb/AArch64 BL, MIPS jal/bal and
$gp-relative t9 loads, x86 E8 and ``call [slot]``, PowerPC ``bl``). Call targets, symbols and the usual prologues
give function starts; a call site belongs to the last start before it. Only the functions that call
something interesting are disassembled later.
"""
from __future__ import annotations

import array
import bisect
from collections import defaultdict
from dataclasses import dataclass, field

from . import ppc
from .elf import Image


@dataclass
class CallMap:
    starts: list[int]  # sorted function starts (ARM: without the Thumb bit)
    #: import name -> call sites
    import_sites: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    #: function start -> set of callee function starts (direct calls)
    callees: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    #: function start -> set of imports it calls
    imports_of: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    thumb_starts: set[int] = field(default_factory=set)
    code_end: dict[int, int] = field(default_factory=dict)
    #: direct call target (not an import) -> call sites
    call_sites: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    #: starts known only because code follows a return there: they may be a function's out-of-line
    #: blocks (compilers put blocks after the epilogue), which the walk of that function follows
    soft_starts: frozenset[int] = frozenset()

    def reattribute(self, imports: dict[int, str]) -> None:
        """Calls to targets named after the scan (static binaries) become import calls."""
        for target, sites in list(self.call_sites.items()):
            name = imports.get(target) or imports.get(target | 1)
            if not name:
                continue
            for site in sites:
                fn = self.function_of(site)
                if fn is not None:
                    self.import_sites[name].append(site)
                    self.imports_of[fn].add(name)

    def function_of(self, addr: int) -> int | None:
        i = bisect.bisect_right(self.starts, addr) - 1
        return self.starts[i] if i >= 0 else None

    def add_starts(self, new: set[int]) -> None:
        """Function starts learnt after the scan (targets of calls a walk decoded); the call sites and
        import calls inside them move from the function that seemed to hold them."""
        # (a start known only from code after a return is a function of its own once it is called)
        self.soft_starts = self.soft_starts - set(new)
        new = set(new) - set(self.starts)
        if not new:
            return
        for s in new:
            holder = self.function_of(s)
            bisect.insort(self.starts, s)
            if holder is not None and holder in self.code_end:
                self.code_end[s] = self.code_end[holder]
        self._link()

    def _link(self) -> None:
        """Which function makes each import call and each direct call to another function start."""
        self.imports_of = defaultdict(set)
        for name, sites in self.import_sites.items():
            for site in sites:
                fn = self.function_of(site)
                if fn is not None:
                    self.imports_of[fn].add(name)
        starts = set(self.starts)
        self.callees = defaultdict(set)
        for target, sites in self.call_sites.items():
            if target in starts:
                for site in sites:
                    fn = self.function_of(site)
                    if fn is not None:
                        self.callees[fn].add(target)

    def owner_of(self, start: int) -> int:
        """The function whose epilogue the soft start ``start`` follows (itself when it is no soft start)."""
        i = bisect.bisect_left(self.starts, start)
        while i > 0 and self.starts[i] in self.soft_starts:
            i -= 1
        return self.starts[i]

    def end_of(self, start: int) -> int:
        i = bisect.bisect_right(self.starts, start)
        nxt = self.starts[i] if i < len(self.starts) else 1 << 64
        return min(nxt, self.code_end.get(start, nxt))

    def callers(self) -> dict[int, set[int]]:
        rev: dict[int, set[int]] = defaultdict(set)
        for caller, targets in self.callees.items():
            for t in targets:
                rev[t].add(caller)
        return rev


def _sext(value: int, bits: int) -> int:
    return value - (1 << bits) if value & (1 << (bits - 1)) else value


def _aligned_code(image: Image) -> list[tuple[int, int]]:
    """The code ranges, each starting where an instruction can: fixed-width instructions start
    aligned, while a range between a stripped binary's loader tables may start at any byte (decoded
    from there, table bytes give calls to odd addresses)."""
    if image.arch.startswith("x86"):
        return list(image.code)
    return [(a, hi) for lo, hi in image.code for a in [(lo + 3) & ~3] if hi - a >= 4]


def scan(image: Image) -> CallMap:
    sites: list[tuple[int, int | None, str | None]] = []  # (site, target, import name)
    starts: set[int] = {s & ~1 for s in image.symbols}
    thumb: set[int] = {s & ~1 for s in image.symbols if s & 1}
    if image.entry:
        starts.add(image.entry & ~1)
    for lo, hi in _aligned_code(image):
        raw = image.read(lo, hi - lo)
        if not raw:
            continue
        starts.add(lo)
        if image.arch == "aarch64":
            _scan_aarch64(image, raw, lo, sites, starts)
        elif image.arch == "arm":
            # ARM or Thumb: the decoding under which more calls land on imports is the right one
            a_sites, a_starts, a_thumb = [], set(), set()
            t_sites, t_starts, t_thumb = [], set(), set()
            _scan_arm(image, raw, lo, a_sites, a_starts, a_thumb)
            _scan_thumb(image, raw, lo, t_sites, t_starts, t_thumb)
            a_hits = sum(1 for x in a_sites if x[2])
            t_hits = sum(1 for x in t_sites if x[2])
            if t_hits > a_hits or (t_hits == a_hits and image.thumb):  # no imports: the entry decides
                image.thumb = True
                sites += t_sites
                starts |= t_starts
                thumb |= t_starts | t_thumb
            else:
                sites += a_sites
                starts |= a_starts
                thumb |= a_thumb
        elif image.arch in ("mips", "mips64"):
            _scan_mips(image, raw, lo, sites, starts)
        elif image.arch in ("x86_64", "x86"):
            _scan_x86(image, raw, lo, sites, starts)
        elif image.arch in ("ppc", "ppc64"):
            _scan_ppc(image, raw, lo, sites, starts)
    if image.arch == "arm":
        _merge_late_pushes(image, starts, thumb, {t for _, t, n in sites if t is not None and n is None}
                           | {s & ~1 for s in image.symbols})
    known = set(starts) | {t for _, t, _ in sites if t is not None}
    for lo, hi in _aligned_code(image):
        raw = image.read(lo, hi - lo)
        if raw:
            before = set(starts)
            _after_returns(image, raw, lo, starts)
            if image.arch == "arm" and image.thumb:
                thumb |= starts - before
    if image.arch == "arm" and image.thumb:
        thumb |= {lo for lo, _ in image.code}
    code_starts = sorted(s for s in starts if image.is_code(s))
    cmap = CallMap(starts=code_starts, thumb_starts=thumb, soft_starts=frozenset(set(code_starts) - known))
    for lo, hi in image.code:  # a function never runs past its section
        i = bisect.bisect_left(code_starts, lo)
        while i < len(code_starts) and code_starts[i] < hi:
            cmap.code_end[code_starts[i]] = hi
            i += 1
    for site, target, name in sites:
        if cmap.function_of(site) is None:
            continue
        if name:
            cmap.import_sites[name].append(site)
        elif target is not None and (target in starts or image.is_code(target)):
            cmap.call_sites[target].append(site)  # (x86: also targets without a frame set-up)
    cmap._link()
    return cmap


#: bytes a function may run before its ``push`` (loading a table address, saving arguments)
PROLOGUE_SLACK = 16


def _merge_late_pushes(image: Image, starts: set[int], thumb: set[int], entries: set[int]) -> None:
    """A ``push {..., lr}`` a few instructions after a call target, with no return or jump between,
    is that function's own prologue (``ldr ip, =table; push {...}``), not a second function: the
    function would otherwise end before its body."""
    ordered = sorted(entries)
    for s in sorted(starts - entries):
        i = bisect.bisect_left(ordered, s)
        t = ordered[i - 1] if i > 0 and ordered[i - 1] >= s - PROLOGUE_SLACK else None
        if t is None:
            continue
        raw = image.read(t, s - t) or b""
        order = "little" if image.little else "big"
        if s in thumb:
            halves = [int.from_bytes(raw[i:i + 2], order) for i in range(0, len(raw) - 1, 2)]
            ends = any(h == 0x4770 or h & 0xFF00 == 0xBD00 or h & 0xF800 == 0xE000 for h in halves)
        else:
            words = [int.from_bytes(raw[i:i + 4], order) for i in range(0, len(raw) - 3, 4)]
            ends = any(w == 0xE12FFF1E or w & 0xFFFF8000 == 0xE8BD8000 or w & 0x0F000000 == 0x0A000000
                       or w in _PADDING_WORDS for w in words)
        if not ends:
            starts.discard(s)
            thumb.discard(s)


def _words(image: Image, raw: bytes) -> array.array:
    words = array.array("I")
    words.frombytes(raw[: len(raw) // 4 * 4])
    if (not image.little) != (array.array("I", [1]).tobytes()[0] == 0):
        words.byteswap()
    return words


#: zero, AArch64 nop, ARM nop / mov r0,r0, PowerPC nop (ori 0,0,0)
_PADDING_WORDS = {0, 0xD503201F, 0xE320F000, 0xE1A00000, 0x60000000}
_X86_PAD = frozenset(b"\x90\xcc\x66\x0f\x1f\x2e\x84\x00\x40\x44\x80")


def _x86_epilogue(raw: bytes, i: int) -> bool:
    """The ``c3`` at ``i`` follows what ends a function: ``pop`` of a register, ``leave``, ``add rsp``,
    ``rep`` (``rep ret``), or the return value set (``xor %eax,%eax``, ``mov $imm,%eax``)."""
    before = raw[max(0, i - 5):i]
    return bool(before) and (before[-1] in (0x5B, 0x5C, 0x5D, 0x5E, 0x5F, 0xC9, 0xF3)
                             or before[-2:-1] == b"\x41" and 0x5C <= before[-1] <= 0x5F
                             or before[-2:] in (b"\x31\xc0", b"\x33\xc0")
                             or len(before) == 5 and before[0] == 0xB8
                             or before[-4:-1] == b"\x48\x83\xc4")


def _after_returns(image: Image, raw: bytes, base: int, starts: set[int]) -> None:
    """Code right after a return (past alignment padding) starts a function: this finds functions
    that are never called directly (main, callbacks) in stripped binaries."""
    arch = image.arch
    if arch == "arm" and image.thumb:
        half = array.array("H")
        half.frombytes(raw[: len(raw) // 2 * 2])
        if not image.little:
            half.byteswap()
        for i, h in enumerate(half):
            if h == 0x4770 or (h & 0xFF00) == 0xBD00:  # bx lr / pop {..., pc}
                j = i + 1
                while j < len(half) and half[j] in (0, 0xBF00, 0x46C0):
                    j += 1
                starts.add(base + 2 * j)
        return
    if arch in ("aarch64", "arm", "mips", "mips64", "ppc", "ppc64"):
        words = _words(image, raw)
        n = len(words)
        for i, w in enumerate(words):
            if arch == "aarch64":
                ret = w == 0xD65F03C0
                skip = 1
            elif arch == "arm":
                ret = w == 0xE12FFF1E or (w & 0xFFFF8000) == 0xE8BD8000 or w == 0xE49DF004
                skip = 1
            elif arch in ("ppc", "ppc64"):
                ret = w == 0x4E800020  # blr
                skip = 1
            else:
                ret = w == 0x03E00008  # jr ra (+ delay slot)
                skip = 2
            if ret:
                j = i + skip
                while j < n and words[j] in _PADDING_WORDS:
                    j += 1
                starts.add(base + 4 * j)
        return
    if arch in ("x86_64", "x86"):
        i = raw.find(b"\xc3")
        while 0 <= i < len(raw) - 1:
            j = i + 1
            while j < len(raw) and raw[j] in _X86_PAD and (base + j) % 16:
                j += 1
            # (a ``c3`` byte right before an aligned address may be inside another instruction, ``mov
            # %eax,%ebx`` is ``89 c3``: without padding after it, an epilogue must come before it)
            if (base + j) % 16 == 0 and (all(b in _X86_PAD for b in raw[i + 1:j]) if j > i + 1
                                         else _x86_epilogue(raw, i)):
                starts.add(base + j)
            i = raw.find(b"\xc3", i + 1)


def _scan_aarch64(image, raw, base, sites, starts) -> None:
    imports = image.imports
    words = _words(image, raw)
    for top in (b"\x94", b"\x95", b"\x96", b"\x97"):  # bl: top byte 0x94-0x97 (little-endian: 4th byte)
        pos = raw.find(top, 3)
        while pos >= 0:
            if pos % 4 == 3:
                i = pos // 4
                pc = base + 4 * i
                target = pc + _sext(words[i] & 0x3FFFFFF, 26) * 4
                name = imports.get(target)
                sites.append((pc, target, name))
                if name is None:
                    starts.add(target)
            pos = raw.find(top, pos + 1)
    for pattern in (b"\xfd\x7b", b"\x3f\x23\x03\xd5"):  # stp x29, x30, [sp, #-n]! / paciasp
        pos = raw.find(pattern)
        while pos >= 0:
            if pos % 4 == 0:
                w = words[pos // 4]
                if (w & 0xFFC07FFF) == 0xA9807BFD or w == 0xD503233F:
                    starts.add(base + pos)
            pos = raw.find(pattern, pos + 1)


def _scan_arm(image, raw, base, sites, starts, thumb) -> None:
    imports = image.imports
    for i, w in enumerate(_words(image, raw)):
        if (w & 0x0F000000) == 0x0B000000:
            pc = base + 4 * i
            if (w >> 28) == 0xF:  # blx imm: into Thumb code
                target = pc + 8 + _sext(w & 0xFFFFFF, 24) * 4 + ((w >> 23) & 2)
                thumb.add(target)
            else:
                target = pc + 8 + _sext(w & 0xFFFFFF, 24) * 4
            name = imports.get(target)
            sites.append((pc, target, name))
            if name is None:
                starts.add(target)
        elif (w & 0xFFFF4000) == 0xE92D4000:  # push {..., lr}
            starts.add(base + 4 * i)


def _scan_thumb(image, raw, base, sites, starts, thumb) -> None:
    imports = image.imports
    half = array.array("H")
    half.frombytes(raw[: len(raw) // 2 * 2])
    if not image.little:
        half.byteswap()
    n = len(half)
    for i in range(n - 1):
        h1 = half[i]
        if (h1 & 0xFF00) == 0xB500:  # push {..., lr}
            starts.add(base + 2 * i)
            thumb.add(base + 2 * i)
            continue
        if (h1 & 0xF800) != 0xF000:
            continue
        h2 = half[i + 1]
        if (h2 & 0xD000) not in (0xD000, 0xC000):
            if h1 == 0xE92D and (h2 & 0x4000):  # push.w {..., lr}
                starts.add(base + 2 * i)
                thumb.add(base + 2 * i)
            continue
        s = (h1 >> 10) & 1
        i1 = 1 - (((h2 >> 13) & 1) ^ s)
        i2 = 1 - (((h2 >> 11) & 1) ^ s)
        imm = _sext((s << 24) | (i1 << 23) | (i2 << 22) | ((h1 & 0x3FF) << 12) | ((h2 & 0x7FF) << 1), 25)
        pc = base + 2 * i
        if (h2 & 0xD000) == 0xD000:
            target = pc + 4 + imm
            thumb.add(target)
        else:
            target = ((pc + 4) & ~3) + imm
        name = imports.get(target) or imports.get(target | 1)
        sites.append((pc, target, name))
        if name is None:
            starts.add(target)


def _loads_call_register(w: int, words: list[int], i: int) -> bool:
    """``lw/ld rX, off(gp)`` whose register is copied into $t9 (``move t9, rX``: or/addu/daddu
    t9, rX, zero) within the next three words: unoptimised code's call through the GOT."""
    if w & 0xFFE00000 not in (0x8F800000, 0xDF800000):
        return False
    rt = (w >> 16) & 31
    for j in range(i + 1, min(i + 4, len(words))):
        x = words[j]
        if x & 0xFC1FFFFF in (0x0000C825, 0x0000C821, 0x0000C82D) and (x >> 21) & 31 == rt:
            return True
    return False


def _scan_mips(image, raw, base, sites, starts) -> None:
    imports = image.imports
    gp = image.gp
    words = _words(image, raw)
    n = len(words)
    prev2 = prev1 = 0
    got_values: dict[int, int | None] = {}  # GOT slot -> value (the same slots are loaded everywhere)
    for i, w in enumerate(words):
        op = w & 0xFFFF0000
        pc = base + 4 * i
        if gp is not None and (op in (0x8F990000, 0xDF990000) or _loads_call_register(w, words, i)):
            # lw/ld t9, off(gp); or, at -O0, lw/ld vX, off(gp) ... move t9, vX before jalr t9
            slot = gp + _sext(w & 0xFFFF, 16)
            name = imports.get(slot)
            if name:
                sites.append((pc, slot, name))
            else:
                value = got_values.get(slot, -1)
                if value == -1:
                    value = got_values[slot] = image.pointer(slot)
                if value is not None:
                    # local call: lw t9, got(gp); addiu t9, t9, lo; jalr t9
                    for j in range(i + 1, min(i + 4, n)):
                        if (words[j] & 0xFFFF0000) in (0x27390000, 0x67390000):
                            target = value + _sext(words[j] & 0xFFFF, 16)
                            sites.append((pc, target, None))
                            starts.add(target)
                            break
                    else:  # a static program's GOT holds the routine's own address
                        if not image.got_slots and image.is_code(value) and not any(
                                (words[j] >> 26) == 3 or (words[j] & 0xFFFF0000) == 0x04110000
                                for j in range(i + 1, min(i + 3, n))):  # unless relaxed to jal/bal
                            name = imports.get(value)
                            sites.append((pc, value, name))
                            if name is None:
                                starts.add(value)
        elif op == 0x3C1C0000:  # lui gp, hi: PIC prologue
            starts.add(pc)
        elif (op == 0x27BD0000 or op == 0x67BD0000) and (w & 0x8000) and (prev2 == 0x03E00008 or prev1 == 0x03E00008
                                                                             or (prev1 == 0 and prev2 == 0)):
            starts.add(pc)  # addiu sp, sp, -n right after a return
        elif (w >> 26) == 3:  # jal
            target = ((pc + 4) & 0xF0000000) | ((w & 0x3FFFFFF) << 2)
            sites.append((pc, target, imports.get(target)))
            starts.add(target)
        elif op == 0x04110000:  # bal
            target = pc + 4 + _sext(w & 0xFFFF, 16) * 4
            sites.append((pc, target, imports.get(target)))
            starts.add(target)
        prev2, prev1 = prev1, w


def _scan_ppc(image, raw, base, sites, starts) -> None:
    """``bl`` calls (a ``bl`` onto a ``blrl`` word or the next word only reads the PC for the GOT
    pointer), 32-bit frame set-ups ``stwu r1,-n(r1)`` and ELFv2 global entries ``addis r2,r12,hi``."""
    imports = image.imports
    words = _words(image, raw)
    for i, w in enumerate(words):
        top = w >> 26
        if top == 18 and (w & 3) == 1:
            pc = base + 4 * i
            target = ppc.bl_target(w, pc)
            name = imports.get(target)
            if name is None:
                if image.u32(target) == ppc.BLRL or target == pc + 4:
                    continue
                starts.add(target)
            sites.append((pc, target, name))
        elif (w & 0xFFFF8000) == 0x94218000:  # stwu r1,-n(r1): 32-bit GCC opens its frame first
            starts.add(base + 4 * i)
        elif (w & 0xFFFF0000) == 0x3C4C0000:  # addis r2,r12,hi: ELFv2 global entry
            starts.add(base + 4 * i)


def _scan_x86(image, raw, base, sites, starts) -> None:
    imports, slots = image.imports, image.got_slots
    x64 = image.arch == "x86_64"
    n = len(raw)
    i = raw.find(b"\xe8")
    while 0 <= i < n - 4:
        target = base + i + 5 + int.from_bytes(raw[i + 1:i + 5], "little", signed=True)
        if not x64:
            target &= 0xFFFFFFFF
        name = imports.get(target)
        if name or image.is_code(target):
            sites.append((base + i, target, name))
        i = raw.find(b"\xe8", i + 1)
    i = raw.find(b"\xff\x15")
    while 0 <= i < n - 5:
        disp = int.from_bytes(raw[i + 2:i + 6], "little", signed=True)
        slot = base + i + 6 + disp if x64 else disp & 0xFFFFFFFF
        name = slots.get(slot)
        if name:
            sites.append((base + i, slot, name))
        i = raw.find(b"\xff\x15", i + 1)
    for pattern in (b"\xf3\x0f\x1e\xfa", b"\xf3\x0f\x1e\xfb"):  # endbr64/endbr32 start functions under CET
        i = raw.find(pattern)
        while i >= 0:
            starts.add(base + i)
            i = raw.find(pattern, i + 4)
    for site, target, name in sites:  # without CET: call targets that set up a frame
        if name is None and target not in starts:
            head = image.read(target, 4) or b""
            if head[:1] in (b"\x55", b"\x53", b"\x41") or head[:3] in (b"\x48\x83\xec", b"\x48\x81\xec"):
                starts.add(target)
