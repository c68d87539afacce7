"""Resolve what a function passes to the routines it calls, per architecture.

A single forward walk over a function keeps, for each register, a known constant or a symbolic
"byte loaded from [base+offset]" value. That is enough for how compilers materialise the operands of
a call: MIPS PIC ($gp-relative GOT load + addiu, with the branch delay slot), AArch64 ADRP/ADD and
MOVZ/MOVK, ARM literal pools (PIE ``ldr rX,[pc,#n]; add rX,pc,rX``), MOVW/MOVT and Thumb, x86-64
RIP-relative LEA and i386 stack arguments, PowerPC ``lis/addi`` pairs, r30-relative ``.got2`` loads (32-bit
PIC, with ``bcl``/``mflr`` giving the PC) and TOC-relative ``addis/addi`` (64-bit). Branch joins are not merged: argument set-up sits right
before its call in compiled code, and every decision later is made on resolved bytes.

The walk reads Capstone's "lite" output (mnemonic and operand text): building Capstone's detail
objects costs ten times more per instruction, and the few operand shapes that matter are regular.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .disasm import instructions_lite
from .elf import Image

MASK32 = 0xFFFFFFFF


@dataclass
class Call:
    addr: int
    target: int | None
    name: str | None  # imported routine, when the target is an import
    args: list  # int constant, Loaded, Result, a symbolic register or stack address (lift.Sym), or None
    #: argument index -> the bytes the function stored, constant by constant, in the stack buffer that
    #: argument points to (a secret built character by character on the stack), NUL-terminated
    built: dict[int, bytes] = field(default_factory=dict)


@dataclass
class Compare:
    """An inline compare of loaded memory against an immediate (``buf[3] == 0xc3``)."""

    addr: int
    base: str
    offset: int
    value: int
    size: int


@dataclass
class Store:
    """A constant stored to memory (a port into a sockaddr, a flag)."""

    addr: int
    value: int
    size: int
    dest: object = None  # where: a stack or entry-register address (lift.Sym) or a global address


@dataclass(frozen=True)
class Loaded:
    base: str
    offset: int
    size: int


@dataclass(frozen=True)
class Result:
    """The return value of a call (compilers reuse a compare's 0 result as the next argument)."""

    routine: str | None
    #: the call that returned it (0: unknown): two results of one routine are different values
    at: int = 0


@dataclass
class Walk:
    calls: list[Call] = field(default_factory=list)
    compares: list[Compare] = field(default_factory=list)
    stores: list[Store] = field(default_factory=list)
    refs: set[int] = field(default_factory=set)  # constant addresses the function materialises
    branches: dict[int, int] = field(default_factory=dict)  # conditional branch address -> its target
    jumps: dict[int, int] = field(default_factory=dict)  # unconditional branch address -> its target
    block_ends: set[int] = field(default_factory=set)  # addresses of returns and unconditional jumps


def walk(image: Image, start: int, end: int) -> Walk:
    tracker = _TRACKERS[image.arch](image)
    out = Walk()
    for event in tracker.run(start, end):
        if isinstance(event, Call):
            out.calls.append(event)
        elif isinstance(event, Compare):
            out.compares.append(event)
        else:
            out.stores.append(event)
    out.refs = tracker.refs
    return out


_SPLIT = re.compile(r",\s*(?![^\[{(]*[\]})])")


def split_operands(op_str: str) -> list[str]:
    """Top-level comma split that keeps ``[r3, #4]`` and ``{r4, lr}`` whole."""
    if not op_str:
        return []
    if "[" not in op_str and "{" not in op_str and "(" not in op_str:
        return op_str.split(", ")
    return _SPLIT.split(op_str)


def parse_int(text: str) -> int | None:
    if text[:1] == "#":
        text = text[1:]
    if not text or not (text[0].isdigit() or (text[0] == "-" and text[1:2].isdigit())):
        return None
    try:
        return int(text, 0)
    except ValueError:
        return None


class _Tracker:
    ARGS: tuple[str, ...] = ()
    CLOBBER: tuple[str, ...] = ()
    RETURN = ""

    def __init__(self, image: Image) -> None:
        self.image = image
        self.regs: dict[str, object] = {}
        self.refs: set[int] = set()
        self.mask = MASK32 if image.bits == 32 else (1 << 64) - 1
        self.imports = image.imports

    def set(self, reg: str, value) -> None:
        if value is None:
            self.regs.pop(reg, None)
            return
        if isinstance(value, int):
            value &= self.mask
            if value > 0xFF and self.image.in_data(value):
                self.refs.add(value)
        self.regs[reg] = value

    def const(self, reg: str) -> int | None:
        v = self.regs.get(reg)
        return v if isinstance(v, int) else None

    def call(self, addr: int, target: int | None) -> Call:
        name = self.imports.get(target) if target is not None else None
        args = [self.regs.get(r) for r in self.ARGS]
        for r in self.CLOBBER:
            self.regs.pop(r, None)
        self.regs[self.RETURN] = Result(name)
        return Call(addr, target, name, args)

    def load(self, addr: int, size: int) -> int | None:
        if size == self.image.word:
            return self.image.pointer(addr)
        raw = self.image.read(addr, size)
        if raw is None or len(raw) != size:
            return None
        return int.from_bytes(raw, "little" if self.image.little else "big")

    def run(self, start: int, end: int) -> Iterator:
        raise NotImplementedError


# ------------------------------------------------------------------ ARM / Thumb

_ARM_CC = ("eq", "ne", "cs", "hs", "cc", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al")
_ARM_BASE = {"mov", "movw", "movt", "mvn", "ldr", "ldrb", "ldrh", "ldrsb", "ldrsh", "add", "sub", "adr", "bl", "blx",
             "b", "bx", "cmp", "cmn", "tst", "teq", "str", "strb", "strh", "strd", "uxtb", "uxth", "sxtb", "and",
             "push", "pop", "ldm", "ldmia", "ldmfd", "stm", "stmdb", "stmfd", "it", "ite", "itt", "itee", "itet",
             "itte", "ittt", "nop", "cbz", "cbnz", "ldrd", "ldrex", "strex"}
_ARM_NO_DEST = {"cmp", "cmn", "tst", "teq", "str", "strb", "strh", "strd", "b", "bx", "push", "stm", "stmdb", "stmfd",
                "it", "ite", "itt", "itee", "itet", "itte", "ittt", "nop", "cbz", "cbnz", "strex"}
_ARM_MEM = re.compile(r"^\[(\w+)(?:,\s*#?(-?(?:0x[0-9a-f]+|\d+)))?\](!?)$")
_ARM_MNEMONIC: dict[str, tuple[str, bool]] = {}


def arm_mnemonic(mn: str) -> tuple[str, bool]:
    """(base mnemonic, conditional) from e.g. ``ldrbne``, ``movs``, ``add.w``."""
    hit = _ARM_MNEMONIC.get(mn)
    if hit is not None:
        return hit
    m = mn.split(".", 1)[0]
    out = (m, False)
    if m not in _ARM_BASE:
        for cand in (m[:-1] if m.endswith("s") else None, m[:-2], m[:-3] if m.endswith("s") else None):
            if not cand:
                continue
            cond = m[len(cand):].rstrip("s")
            if cand in _ARM_BASE and (cond in _ARM_CC or cond == ""):
                out = (cand, cond not in ("", "al"))
                break
            if cand.endswith("s") and cand[:-1] in _ARM_BASE and cond in _ARM_CC:  # adds + cc
                out = (cand[:-1], cond != "al")
                break
    _ARM_MNEMONIC[mn] = out
    return out


class _Arm(_Tracker):
    ARGS = ("r0", "r1", "r2", "r3")
    CLOBBER = ("r0", "r1", "r2", "r3", "r12", "ip", "lr")
    RETURN = "r0"

    def run(self, start, end):
        thumb = bool(start & 1)
        for addr, size, mn, op_str in instructions_lite(self.image, start, end):
            yield from self.step(addr, mn, op_str, thumb)

    def regval(self, name: str, pc: int):
        if name == "pc":
            return pc
        return self.regs.get(name)

    def step(self, addr, mn, op_str, thumb):
        base, cond = arm_mnemonic(mn)
        ops = split_operands(op_str)
        pc = addr + (4 if thumb else 8)
        if base in ("bl", "blx"):
            if ops and ops[0].startswith("#"):
                target = parse_int(ops[0])
            elif ops:
                target = self.const(ops[0])
                target = target & ~1 if target is not None else None
            else:
                target = None
            yield self.call(addr, target)
            return
        if base == "b":
            if not cond and ops and ops[0].startswith("#"):
                target = parse_int(ops[0])
                if target in self.imports:
                    yield self.call(addr, target)
            return
        if base in _ARM_NO_DEST:
            if base == "cmp" and len(ops) == 2 and ops[1].startswith("#"):
                v = self.regs.get(ops[0])
                imm = parse_int(ops[1])
                if isinstance(v, Loaded) and imm is not None:
                    yield Compare(addr, v.base, v.offset, imm & 0xFF if v.size == 1 else imm, v.size)
            elif base in ("strh", "str") and len(ops) == 2:
                v = self.const(ops[0])
                if v is not None and not cond:
                    size = 2 if base == "strh" else 4
                    yield Store(addr, v & ((1 << (8 * size)) - 1), size)
            return
        if base in ("pop", "ldm", "ldmia", "ldmfd"):
            for r in re.findall(r"\b(r\d+|lr|ip|fp|sl|sb)\b", op_str):
                self.regs.pop(r, None)
            return
        if not ops:
            return
        dst = ops[0].rstrip("!")
        value = None
        if cond:
            value = None
        elif base in ("mov", "movw", "mvn") and len(ops) == 2:
            if ops[1].startswith("#"):
                imm = parse_int(ops[1])
                value = imm if base != "mvn" or imm is None else ~imm
            elif base == "mov":
                value = self.regval(ops[1], pc)
        elif base == "movt" and len(ops) == 2:
            low, imm = self.const(dst), parse_int(ops[1])
            if low is not None and imm is not None:
                value = (low & 0xFFFF) | (imm << 16)
        elif base == "adr" and len(ops) == 2:
            imm = parse_int(ops[1])
            if imm is not None:
                value = (pc & ~3) + imm
        elif base in ("ldr", "ldrb", "ldrh") and len(ops) == 2:
            m = _ARM_MEM.match(ops[1])
            if m:
                breg, disp, wb = m.group(1), int(m.group(2) or "0", 0), m.group(3)
                size = {"ldr": 4, "ldrb": 1, "ldrh": 2}[base]
                if breg == "pc":
                    value = self.load((pc & ~3) + disp, size)
                elif not wb:
                    bval = self.const(breg)
                    if bval is not None and size == 4:
                        value = self.load(bval + disp, 4)
                    elif size in (1, 2):
                        value = Loaded(breg, disp, size)
                else:
                    self.regs.pop(breg, None)
        elif base in ("add", "sub") and len(ops) in (2, 3):
            a, b = (ops[0], ops[1]) if len(ops) == 2 else (ops[1], ops[2])
            av = self.regval(a, pc) if not a.startswith("#") else None
            if isinstance(av, Loaded):
                av = None
            bv = parse_int(b) if b.startswith("#") else self.regval(b, pc)
            if isinstance(av, int) and isinstance(bv, int):
                value = av + bv if base == "add" else av - bv
        elif base in ("and", "uxtb", "uxth", "sxtb") and len(ops) >= 2:
            v = self.regs.get(ops[1])
            if isinstance(v, Loaded):
                value = v  # extension of a loaded byte
        if dst != "pc":
            self.set(dst, value)


# ------------------------------------------------------------------ AArch64

_A64_MEM = re.compile(r"^\[(\w+)(?:,\s*#(-?(?:0x[0-9a-f]+|\d+)))?\](!?)$")
_A64_NO_DEST = {"str", "strb", "strh", "stp", "stur", "sturh", "sturb", "cmp", "cmn", "tst", "b", "br", "cbz", "cbnz",
                "tbz", "tbnz", "ret", "nop", "ccmp", "ccmn", "bti", "paciasp", "autiasp", "hint", "prfm", "dmb", "dsb",
                "isb", "stlr", "stxr", "fcmp"}


def _x(name: str) -> str:
    if name.startswith("w"):
        return "xzr" if name == "wzr" else "x" + name[1:]
    return name


class _Aarch64(_Tracker):
    ARGS = ("x0", "x1", "x2", "x3", "x4", "x5")
    CLOBBER = tuple(f"x{i}" for i in range(19)) + ("x30",)
    RETURN = "x0"

    def run(self, start, end):
        for addr, size, mn, op_str in instructions_lite(self.image, start, end):
            yield from self.step(addr, mn, op_str)

    def step(self, addr, mn, op_str):
        ops = split_operands(op_str)
        if mn in ("bl", "blr"):
            target = parse_int(ops[0]) if ops and ops[0].startswith("#") else (self.const(_x(ops[0])) if ops else None)
            yield self.call(addr, target)
            return
        if mn == "b":
            target = parse_int(ops[0]) if ops and ops[0].startswith("#") else None
            if target in self.imports:
                yield self.call(addr, target)
            return
        if mn.startswith("b.") or mn in _A64_NO_DEST:
            if mn in ("cmp", "ccmp") and len(ops) >= 2 and ops[1].startswith("#"):
                v = self.regs.get(_x(ops[0]))
                imm = parse_int(ops[1])
                if isinstance(v, Loaded) and imm is not None:
                    yield Compare(addr, v.base, v.offset, imm, v.size)
            elif mn in ("strh", "str", "sturh") and len(ops) == 2 and ops[1].startswith("["):
                v = self.const(_x(ops[0]))
                if v is not None:
                    size = 2 if mn != "str" else (4 if ops[0].startswith("w") else 8)
                    yield Store(addr, v & ((1 << (8 * size)) - 1), size)
            return
        if not ops:
            return
        dst = _x(ops[0])
        value = None
        n = len(ops)
        if mn in ("adrp", "adr") and n == 2:
            value = parse_int(ops[1])
        elif mn in ("mov", "movz", "movn") and n >= 2:
            if ops[1].startswith("#"):
                imm = parse_int(ops[1])
                if imm is not None:
                    if n == 3 and ops[2].startswith("lsl #"):
                        imm <<= int(ops[2][5:], 0)
                    value = ~imm if mn == "movn" else imm
            elif ops[1] in ("wzr", "xzr"):
                value = 0
            else:
                value = self.regs.get(_x(ops[1]))
        elif mn == "movk" and n >= 2:
            old, imm = self.const(dst), parse_int(ops[1])
            if old is not None and imm is not None:
                shift = int(ops[2][5:], 0) if n == 3 and ops[2].startswith("lsl #") else 0
                value = (old & ~(0xFFFF << shift)) | (imm << shift)
        elif mn in ("add", "sub") and n >= 3 and ops[2].startswith("#"):
            base, imm = self.const(_x(ops[1])), parse_int(ops[2])
            if base is not None and imm is not None:
                if n == 4 and ops[3].startswith("lsl #"):
                    imm <<= int(ops[3][5:], 0)
                value = base + imm if mn == "add" else base - imm
        elif mn in ("ldr", "ldrb", "ldrh", "ldur", "ldurb", "ldurh", "ldrsw") and n >= 2:
            if ops[1].startswith("#"):  # literal
                lit = parse_int(ops[1])
                if lit is not None:
                    value = self.load(lit, 8 if ops[0].startswith("x") else 4)
            elif n == 2:
                m = _A64_MEM.match(ops[1])
                if m and not m.group(3):
                    breg, disp = _x(m.group(1)), int(m.group(2) or "0", 0)
                    size = 1 if mn in ("ldrb", "ldurb") else 2 if mn in ("ldrh", "ldurh") else (
                        8 if ops[0].startswith("x") else 4)
                    bval = self.const(breg)
                    if bval is not None and size >= 4:
                        value = self.load(bval + disp, size)
                    elif size in (1, 2):
                        value = Loaded(breg, disp, size)
        elif mn in ("and", "uxtb", "uxth", "sxtb") and n >= 2:
            v = self.regs.get(_x(ops[1]))
            if isinstance(v, Loaded):
                value = v
        elif mn in ("ldp", "ldnp", "ldaxp", "ldxp") and n >= 2:
            self.regs.pop(_x(ops[1]), None)
        self.set(dst, value)


# ------------------------------------------------------------------ MIPS

_MIPS_NO_DEST = ("s", "b", "j", "nop", "syscall", "break", "sync", "teq", "tne", "mt", "cache", "pref", "ssnop",
                 "ehb", "wait", "eret", "c.", "ctc")
_MIPS_MEM = re.compile(r"^(-?(?:0x[0-9a-f]+|\d+))?\(\$(\w+)\)$")
_MIPS_LOADS = {"lw": 4, "ld": 8, "lbu": 1, "lb": 1, "lhu": 2, "lh": 2, "lwu": 4}


class _Mips(_Tracker):
    ARGS = ("a0", "a1", "a2", "a3")
    CLOBBER = ("v0", "v1", "a0", "a1", "a2", "a3", "at", "ra", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8",
               "t9")
    RETURN = "v0"

    def __init__(self, image):
        super().__init__(image)
        self.gp = image.gp

    def run(self, start, end):
        pending = None  # a call waiting for its delay slot
        for addr, size, mn, op_str in instructions_lite(self.image, start, end):
            if pending is not None:
                yield from self.step(addr, mn, op_str)
                yield self.call(*pending)
                pending = None
                continue
            if mn in ("jalr", "jal", "bal", "jr", "j", "jalr.hb"):
                ops = [o.strip().lstrip("$") for o in op_str.split(",")] if op_str else []
                target = None
                if ops:
                    last = ops[-1]
                    target = parse_int(last) if mn in ("jal", "bal", "j") else self.reg(last)
                if mn in ("jr", "j"):
                    if target is not None and target in self.imports and (mn == "j" or ops[-1] == "t9"):
                        pending = (addr, target)  # tail call into an import
                    continue
                pending = (addr, target)
                continue
            yield from self.step(addr, mn, op_str)

    def reg(self, name: str):
        if name == "zero":
            return 0
        if name == "gp":
            return self.gp
        v = self.regs.get(name)
        return v if isinstance(v, int) else None

    def step(self, addr, mn, op_str):
        ops = [o.strip() for o in op_str.split(",")] if op_str else []
        if mn.startswith(_MIPS_NO_DEST):
            if mn in ("bne", "beq") and len(ops) == 3:
                a, b = self.regs.get(ops[0].lstrip("$")), self.regs.get(ops[1].lstrip("$"))
                if ops[1] == "$zero":
                    b = 0
                if isinstance(a, Loaded) and isinstance(b, int):
                    yield Compare(addr, a.base, a.offset, b & 0xFF if a.size == 1 else b, a.size)
                elif isinstance(b, Loaded) and isinstance(a, int):
                    yield Compare(addr, b.base, b.offset, a & 0xFF if b.size == 1 else a, b.size)
            elif mn in ("sh", "sw") and len(ops) == 2:
                v = self.const(ops[0].lstrip("$"))
                if v is not None:
                    yield Store(addr, v & (0xFFFF if mn == "sh" else MASK32), 2 if mn == "sh" else 4)
            return
        if not ops or not ops[0].startswith("$"):
            return
        dst = ops[0][1:]
        if dst in ("gp", "zero", "sp"):
            return
        value = None
        n = len(ops)
        if mn == "lui" and n == 2:
            imm = parse_int(ops[1])
            value = imm << 16 if imm is not None else None
        elif mn in ("addiu", "daddiu", "addi", "ori") and n == 3:
            src, imm = self.reg(ops[1].lstrip("$")), parse_int(ops[2])
            if src is not None and imm is not None:
                value = src + imm if mn != "ori" else src | (imm & 0xFFFF)
        elif mn == "li" and n == 2:
            value = parse_int(ops[1])
        elif mn == "move" and n == 2:
            src = ops[1].lstrip("$")
            value = self.reg(src) if src in ("zero", "gp") else self.regs.get(src)
        elif mn in ("addu", "daddu") and n == 3:
            a, b = self.reg(ops[1].lstrip("$")), self.reg(ops[2].lstrip("$"))
            if a is not None and b is not None:
                value = a + b
        elif mn in _MIPS_LOADS and n == 2:
            m = _MIPS_MEM.match(ops[1])
            if m:
                disp, breg = int(m.group(1) or "0", 0), m.group(2)
                size = _MIPS_LOADS[mn]
                bval = self.reg(breg)
                if bval is not None and size >= 4:
                    slot = (bval + disp) & self.mask
                    # MIPS imports are keyed by GOT slot: jalr through this register names the import
                    value = slot if slot in self.imports else self.load(slot, size)
                elif bval is None and mn in ("lbu", "lhu"):
                    value = Loaded(breg, disp, size)
        elif mn in ("andi", "seb", "seh") and n >= 2:
            v = self.regs.get(ops[1].lstrip("$"))
            if isinstance(v, Loaded):
                value = v
        self.set(dst, value)


# ------------------------------------------------------------------ x86 / x86-64

_X86_FULL = {}
for _r in ("ax", "bx", "cx", "dx", "si", "di", "bp", "sp"):
    for _n in (f"r{_r}", f"e{_r}", _r):
        _X86_FULL[_n] = f"r{_r}"
for _r in ("al", "bl", "cl", "dl", "sil", "dil"):
    _X86_FULL[_r] = {"al": "rax", "bl": "rbx", "cl": "rcx", "dl": "rdx", "sil": "rsi", "dil": "rdi"}[_r]
for _i in range(8, 16):
    for _s in ("", "d", "w", "b"):
        _X86_FULL[f"r{_i}{_s}"] = f"r{_i}"
_X86_SIZE = {"byte": 1, "word": 2, "dword": 4, "qword": 8}
_X86_MEM = re.compile(r"^(?:(byte|word|dword|qword|xmmword|tbyte) ptr )?(?:\w+:)?\[([^\]]+)\]$")
_X86_NO_DEST = {"cmp", "test", "push", "jmp", "call", "ret", "nop", "leave", "endbr64", "endbr32", "hlt", "int3",
                "ud2", "cld", "std", "cqo", "cdq", "cdqe", "cwde"}


def _x86_mem(text: str):
    """(size, base, index?, disp) of an Intel-syntax memory operand, or None."""
    m = _X86_MEM.match(text)
    if not m:
        return None
    size = _X86_SIZE.get(m.group(1) or "", 0)
    base, disp, index = None, 0, False
    for sign, term in re.findall(r"([+-]?)\s*([\w*]+)", m.group(2)):
        if "*" in term:
            index = True
            continue
        num = parse_int(term)
        if num is not None:
            disp += -num if sign == "-" else num
        elif base is None:
            base = _X86_FULL.get(term, term)
        else:
            index = True
    return size, base, index, disp


class _X86(_Tracker):
    ARGS = ("rdi", "rsi", "rdx", "rcx", "r8", "r9")
    CLOBBER = ("rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11")
    RETURN = "rax"

    def __init__(self, image):
        super().__init__(image)
        self.x64 = image.arch == "x86_64"
        self.pushes: list = []
        self.stack: dict[int, object] = {}

    def run(self, start, end):
        for addr, size, mn, op_str in instructions_lite(self.image, start, end):
            yield from self.step(addr, size, mn, op_str)

    def call(self, addr, target):
        c = super().call(addr, target)
        if not self.x64:
            c.args = list(reversed(self.pushes))[:4] if self.pushes else [self.stack.get(o) for o in (0, 4, 8, 12)]
            self.pushes, self.stack = [], {}
        return c

    def mem_addr(self, mem, nxt: int) -> int | None:
        size, base, index, disp = mem
        if index:
            return None
        if base is None:
            return disp & self.mask
        if base == "rip":
            return nxt + disp
        return None

    def value_of(self, text: str, nxt: int):
        imm = parse_int(text)
        if imm is not None:
            return imm
        if text in _X86_FULL:
            return self.regs.get(_X86_FULL[text])
        mem = _x86_mem(text)
        if mem is None:
            return None
        addr = self.mem_addr(mem, nxt)
        if addr is not None and mem[0] >= 4:
            return self.load(addr, min(mem[0], self.image.word))
        if addr is None and mem[0] in (1, 2) and mem[1] and not mem[2]:
            return Loaded(mem[1], mem[3], mem[0])
        return None

    def step(self, addr, size, mn, op_str):
        nxt = addr + size
        ops = split_operands(op_str)
        if mn.startswith("bnd "):
            mn = mn[4:]
        if mn in ("call", "jmp"):
            target = None
            if ops:
                imm = parse_int(ops[0])
                if imm is not None:
                    target = imm
                elif ops[0] in _X86_FULL:
                    target = self.const(_X86_FULL[ops[0]])
                else:
                    mem = _x86_mem(ops[0])
                    slot = self.mem_addr(mem, nxt) if mem else None
                    if slot is not None and slot in self.image.got_slots:
                        self.imports.setdefault(slot, self.image.got_slots[slot])
                        target = slot
            if mn == "call" or target in self.imports:
                yield self.call(addr, target)
            return
        if mn == "push" and not self.x64 and ops:
            v = self.value_of(ops[0], nxt)
            self.pushes.append(v & self.mask if isinstance(v, int) else v)
            return
        if mn == "cmp" and len(ops) == 2:
            imm = parse_int(ops[1])
            if imm is None:
                return
            mem = _x86_mem(ops[0])
            if mem is not None:
                msize, base, index, disp = mem
                if base and not index and base != "rip" and msize:
                    yield Compare(addr, base, disp, imm & ((1 << (8 * msize)) - 1), msize)
            elif ops[0] in _X86_FULL:
                v = self.regs.get(_X86_FULL[ops[0]])
                if isinstance(v, Loaded):
                    yield Compare(addr, v.base, v.offset, imm & ((1 << (8 * v.size)) - 1), v.size)
            return
        if not ops or mn in _X86_NO_DEST or mn.startswith("j") or mn.startswith("set") or mn.startswith("cmov"):
            if mn.startswith("cmov") and ops and ops[0] in _X86_FULL:
                self.regs.pop(_X86_FULL[ops[0]], None)
            return
        dst_text = ops[0]
        if dst_text not in _X86_FULL:
            if mn == "mov" and len(ops) == 2:
                mem = _x86_mem(dst_text)
                value = self.value_of(ops[1], nxt)
                if mem is not None:
                    msize, base, index, disp = mem
                    if not self.x64 and base == "rsp" and not index:
                        self.stack[disp] = value
                    if isinstance(value, int) and msize in (2, 4):
                        yield Store(addr, value & ((1 << (8 * msize)) - 1), msize)
            return
        dst = _X86_FULL[dst_text]
        value = None
        if mn == "lea" and len(ops) == 2:
            mem = _x86_mem(ops[1])
            value = self.mem_addr(mem, nxt) if mem else None
        elif mn in ("mov", "movabs", "movzx", "movsxd", "movsx") and len(ops) == 2:
            value = self.value_of(ops[1], nxt)
        elif mn == "xor" and len(ops) == 2 and ops[1] in _X86_FULL and _X86_FULL[ops[1]] == dst:
            value = 0
        elif mn in ("add", "sub") and len(ops) == 2:
            cur, imm = self.const(dst), parse_int(ops[1])
            if cur is not None and imm is not None:
                value = cur + imm if mn == "add" else cur - imm
        elif mn == "and" and len(ops) == 2:
            v = self.regs.get(dst)
            if isinstance(v, Loaded):
                value = v
        if mn == "xchg" and len(ops) == 2 and ops[1] in _X86_FULL:
            self.regs.pop(_X86_FULL[ops[1]], None)
        self.set(dst, value)


# ------------------------------------------------------------------ PowerPC

_PPC_MEM = re.compile(r"^(-?(?:0x[0-9a-f]+|\d+))\((r\d+)\)$")
_PPC_LOADS = {"lwz": 4, "lwzu": 4, "lwzx": 0, "ld": 8, "ldu": 8, "lbz": 1, "lbzu": 1, "lhz": 2, "lhzu": 2,
              "lha": 2, "lwa": 4}
_PPC_INDEXED = {"ldbrx": 8, "lwbrx": 4, "ldx": 8, "lwzx": 4, "lbzx": 1, "lhzx": 2}
_PPC_KEEP = {"clrlwi", "rlwinm", "clrldi", "rldicl", "extsb", "extsh", "extsw", "andi"}
_PPC_STORES = {"stw": 4, "sth": 2, "stwu": 0, "std": 0, "stb": 0, "stmw": 0, "stdu": 0}
_PPC_COMPARES = {"cmpwi", "cmplwi", "cmpdi", "cmpldi"}
_PPC_REG_COMPARES = {"cmpw", "cmplw", "cmpd", "cmpld", "subfc", "subf", "xor"}


@dataclass(frozen=True)
class _Pointer:
    """``base + offset`` for a register whose value is unknown (a stack or input buffer)."""

    base: str
    offset: int


class _Ppc(_Tracker):
    """Byte-reversed loads (``ldbrx``) read constants in memory order: inlined compares reverse both
    sides, so equality holds in memory order."""

    ARGS = ("r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10")
    CLOBBER = ("r0", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12")
    RETURN = "r3"

    def __init__(self, image):
        super().__init__(image)
        self.toc = image.gp if image.bits == 64 else None
        self.lr: int | None = None
        self.ctr = None

    def run(self, start, end):
        for addr, size, mn, op_str in instructions_lite(self.image, start, end):
            yield from self.step(addr, mn.rstrip("+-").rstrip("."), op_str)

    def reg(self, name: str):
        if name == "r2" and self.toc is not None:
            return self.toc
        v = self.regs.get(name)
        return v if isinstance(v, int) else None

    def call(self, addr, target):
        c = super().call(addr, target)
        self.lr = self.ctr = None
        return c

    def _load(self, breg: str, disp: int, size: int, unsigned: bool):
        bval = self.reg(breg)
        if bval is not None:
            return self.load((bval + disp) & self.mask, size) if size >= 4 else None
        ptr = self.regs.get(breg)
        if isinstance(ptr, _Pointer):
            return Loaded(ptr.base, ptr.offset + disp, size) if size >= 4 or unsigned else None
        if ptr is None and size in (1, 2) and unsigned:
            return Loaded(breg, disp, size)
        return None

    def step(self, addr, mn, op_str):
        ops = [o.strip() for o in op_str.split(",")] if op_str else []
        if ops and ops[0].startswith("cr") and mn.startswith(("cmp", "b")):
            ops = ops[1:]  # condition-register field
        if mn == "bl" and ops:
            target = parse_int(ops[0])
            word = self.image.u32(target) if target is not None else None
            if target == addr + 4 or word == 0x4E800021:  # reads the PC (GOT pointer set-up), not a call
                self.lr = target + 4 if word == 0x4E800021 else addr + 4
                return
            yield self.call(addr, target)
            return
        if mn == "bctrl":
            yield self.call(addr, self.ctr)
            return
        if mn in ("b", "bctr"):
            target = parse_int(ops[0]) if mn == "b" and ops else self.ctr
            if target is not None and target in self.imports:
                yield self.call(addr, target)  # tail call into an import
            return
        if mn.startswith("b"):
            if self.image.u32(addr) == 0x429F0005:  # bcl 20,31,.+4 (Capstone names it differently)
                self.lr = addr + 4
            return
        if mn == "mtctr" and ops:
            self.ctr = self.reg(ops[0])
            return
        if mn == "mflr" and ops:
            self.set(ops[0], self.lr)
            return
        if mn in _PPC_COMPARES and len(ops) == 2:
            v, imm = self.regs.get(ops[0]), parse_int(ops[1])
            if isinstance(v, Loaded) and imm is not None:
                yield Compare(addr, v.base, v.offset, imm & ((1 << (8 * v.size)) - 1), v.size)
            return
        if mn in _PPC_REG_COMPARES and len(ops) >= 2:
            # an inlined memcmp: words of input against words loaded from a constant table
            a, b = (self.regs.get(o) for o in ops[-2:])
            if isinstance(b, Loaded):
                a, b = b, a
            if isinstance(a, Loaded) and isinstance(b, int) and a.size >= 4:
                yield Compare(addr, a.base, a.offset, b & ((1 << (8 * a.size)) - 1), a.size)
            if mn.startswith("cmp"):
                return
        if mn in _PPC_STORES:
            size = _PPC_STORES[mn]
            if size and len(ops) == 2:
                v = self.const(ops[0])
                if v is not None:
                    yield Store(addr, v & ((1 << (8 * size)) - 1), size)
            if mn in ("stwu", "stdu") and len(ops) == 2:
                m = _PPC_MEM.match(ops[1])
                if m and m.group(2) != "r1":
                    self.regs.pop(m.group(2), None)
            return
        if not ops or not ops[0].startswith("r") or mn.startswith(("cmp", "mt", "st", "tw", "td", "sc", "sync")):
            return
        dst = ops[0]
        if dst == "r1" or (dst == "r2" and self.toc is not None):
            return
        value = None
        n = len(ops)
        if mn == "li" and n == 2:
            value = parse_int(ops[1])
        elif mn == "lis" and n == 2:
            imm = parse_int(ops[1])
            value = imm << 16 if imm is not None else None
        elif mn == "addi" and n == 3 and self.reg(ops[1]) is None and ops[1] != "r2":
            src, imm = self.regs.get(ops[1]), parse_int(ops[2])
            if imm is not None and src is None:
                value = _Pointer(ops[1], imm)
            elif imm is not None and isinstance(src, _Pointer):
                value = _Pointer(src.base, src.offset + imm)
        elif mn in ("addi", "addis", "ori", "oris", "addic") and n == 3:
            src, imm = self.reg(ops[1]), parse_int(ops[2])
            if src is not None and imm is not None:
                if mn in ("addis", "oris"):
                    imm = (imm & 0xFFFF) << 16 if mn == "oris" else imm << 16
                value = src | (imm & 0xFFFFFFFF) if mn.startswith("or") else src + imm
        elif mn == "mr" and n == 2:
            value = self.reg(ops[1]) if ops[1] == "r2" else self.regs.get(ops[1])
        elif mn == "or" and n == 3 and ops[1] == ops[2]:
            value = self.regs.get(ops[1])
        elif mn == "add" and n == 3:
            a, b = self.reg(ops[1]), self.reg(ops[2])
            if a is not None and b is not None:
                value = a + b
        elif mn in _PPC_LOADS and n == 2:
            m = _PPC_MEM.match(ops[1])
            if m:
                value = self._load(m.group(2), int(m.group(1), 0), _PPC_LOADS[mn], mn != "lha")
                if mn.endswith("u"):
                    self.regs.pop(m.group(2), None)
        elif mn in _PPC_INDEXED and n == 3:
            if ops[1] == "0":
                value = self._load(ops[2], 0, _PPC_INDEXED[mn], True)
            elif self.reg(ops[1]) is not None and self.reg(ops[2]) is not None:
                value = self.load((self.reg(ops[1]) + self.reg(ops[2])) & self.mask, _PPC_INDEXED[mn])
        elif mn in _PPC_KEEP and n >= 2:
            v = self.regs.get(ops[1])
            if isinstance(v, Loaded):
                value = v
        self.set(dst, value)


_TRACKERS = {"arm": _Arm, "aarch64": _Aarch64, "mips": _Mips, "mips64": _Mips, "x86": _X86, "x86_64": _X86,
             "ppc": _Ppc, "ppc64": _Ppc}


_ZERO_TEST = re.compile(
    r"^(?:cmp (?:r0|w0|x0|eax|rax), #?0(?:x0)?$|tst (?:r0|w0|x0), (?:r0|w0|x0)$|test eax, eax$|test rax, rax$"
    r"|(?:cbz|cbnz) (?:r0|w0|x0),|(?:beqz|bnez|bltz|bgez|blez|bgtz) \$v0,|(?:beq|bne) \$v0, \$zero,"
    r"|tbn?z w0, #31,|subs r0, r0, #0$|movs r0, r0$|sltiu \$\w+, \$v0, 1$"
    r"|cmp[wd]i (?:cr\d, )?r3, 0$|(?:or|mr)\. r\d+, r3(?:, r3)?$|cntlz[wd] r\d+, r3$)")


def walk_window(image: Image, site: int, count: int, thumb: bool = False) -> tuple[list | None, bool]:
    """Arguments of the call at ``site`` (decoding ``count`` instructions before it) and whether its
    result is tested against zero right after. Fixed-width instruction sets only."""
    if image.arch not in ("arm", "aarch64", "mips", "mips64", "ppc", "ppc64"):
        return None, False
    width = 2 if thumb else 4
    start = max(site - count * width, 0)
    tracker = _TRACKERS[image.arch](image)
    after = site + (8 if image.arch.startswith("mips") else (4 if not thumb else 4))
    call = None
    for event in tracker.run(start | (1 if thumb else 0), after):
        if isinstance(event, Call) and event.addr == site:
            call = event
    if call is None:
        return None, False
    tested = False
    for i, (addr, size, mn, op_str) in enumerate(instructions_lite(image, after | (1 if thumb else 0), after + 12)):
        text = f"{mn} {op_str}".strip()
        if _ZERO_TEST.match(text) or _ZERO_TEST.match(text.replace(".w ", " ")):
            tested = True
            break
        if i >= 2:
            break
    return call.args, tested
