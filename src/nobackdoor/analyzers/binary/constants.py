"""Resolve what a function passes to the routines it calls, per architecture.

A single forward walk over a function keeps, for each register, a known constant or a symbolic
"byte loaded from [base+offset]" value. That is enough for how compilers materialise the operands of
a call: MIPS PIC ($gp-relative GOT load + addiu, with the branch delay slot), AArch64 ADRP/ADD and
MOVZ/MOVK, ARM literal pools (PIE ``ldr rX,[pc,#n]; add rX,pc,rX``), MOVW/MOVT and Thumb, x86-64
RIP-relative LEA and i386 stack arguments. Branch joins are not merged: argument set-up sits right
before its call in compiled code, and every decision later is made on resolved bytes.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import capstone as cs
from capstone import arm as csarm
from capstone import arm64 as csa64

from .disasm import instructions
from .elf import Image

MASK32 = 0xFFFFFFFF


@dataclass
class Call:
    addr: int
    target: int | None
    name: str | None  # imported routine, when the target is an import
    args: list  # int constant, Loaded, or None


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


@dataclass(frozen=True)
class Loaded:
    base: str
    offset: int
    size: int


@dataclass
class Walk:
    calls: list[Call] = field(default_factory=list)
    compares: list[Compare] = field(default_factory=list)
    stores: list[Store] = field(default_factory=list)
    refs: set[int] = field(default_factory=set)  # constant addresses the function materialises


def walk(image: Image, start: int, end: int) -> Walk:
    tracker = _TRACKERS[image.arch](image)
    out = Walk()
    for event in tracker.run(start, end):
        if isinstance(event, Call):
            out.calls.append(event)
        elif isinstance(event, Compare):
            out.compares.append(event)
        elif isinstance(event, Store):
            out.stores.append(event)
    out.refs = tracker.refs
    return out


class _Tracker:
    ARGS: tuple[str, ...] = ()
    CLOBBER: frozenset[str] = frozenset()

    def __init__(self, image: Image) -> None:
        self.image = image
        self.regs: dict[str, object] = {}
        self.refs: set[int] = set()
        self.mask = MASK32 if image.bits == 32 else (1 << 64) - 1

    def set(self, reg: str, value) -> None:
        if isinstance(value, int):
            value &= self.mask
            if self.image.offset_of(value) is not None:
                self.refs.add(value)
        self.regs[reg] = value

    def const(self, reg: str) -> int | None:
        v = self.regs.get(reg)
        return v if isinstance(v, int) else None

    def call(self, addr: int, target: int | None) -> Call:
        name = None
        if target is not None:
            name = self.image.imports.get(target)
        args = [self.regs.get(r) for r in self.ARGS]
        for r in self.CLOBBER:
            self.regs.pop(r, None)
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

_ARM_NO_DEST = {csarm.ARM_INS_STR, csarm.ARM_INS_STRB, csarm.ARM_INS_STRH, csarm.ARM_INS_STRD, csarm.ARM_INS_CMP,
                csarm.ARM_INS_CMN, csarm.ARM_INS_TST, csarm.ARM_INS_TEQ, csarm.ARM_INS_B, csarm.ARM_INS_BX,
                csarm.ARM_INS_PUSH, csarm.ARM_INS_STM, csarm.ARM_INS_STMDB, csarm.ARM_INS_CBZ, csarm.ARM_INS_CBNZ,
                csarm.ARM_INS_IT, csarm.ARM_INS_NOP}


class _Arm(_Tracker):
    ARGS = ("r0", "r1", "r2", "r3")
    CLOBBER = frozenset({"r0", "r1", "r2", "r3", "r12", "lr"})

    def run(self, start, end):
        thumb = bool(start & 1)
        for insn in instructions(self.image, start, end):
            yield from self.step(insn, thumb)

    def step(self, insn, thumb):
        iid = insn.id
        ops = insn.operands
        pc = insn.address + (4 if thumb else 8)
        cond = insn.cc not in (csarm.ARM_CC_AL, csarm.ARM_CC_INVALID)
        if iid in (csarm.ARM_INS_BL, csarm.ARM_INS_BLX):
            if ops and ops[0].type == csarm.ARM_OP_IMM:
                target = ops[0].imm
            elif ops and ops[0].type == csarm.ARM_OP_REG:
                target = self.const(insn.reg_name(ops[0].reg))
                target = target & ~1 if target is not None else None
            else:
                target = None
            yield self.call(insn.address, target)
            return
        if iid == csarm.ARM_INS_B and not cond and ops and ops[0].type == csarm.ARM_OP_IMM:
            target = ops[0].imm  # tail call into an import
            if target in self.image.imports:
                yield self.call(insn.address, target)
            return
        if iid in _ARM_NO_DEST:
            if iid in (csarm.ARM_INS_CMP,) and len(ops) == 2 and ops[1].type == csarm.ARM_OP_IMM:
                v = self.regs.get(insn.reg_name(ops[0].reg))
                if isinstance(v, Loaded):
                    yield Compare(insn.address, v.base, v.offset, ops[1].imm & 0xFF if v.size == 1 else ops[1].imm,
                                  v.size)
            elif iid in (csarm.ARM_INS_STRH, csarm.ARM_INS_STR) and ops and ops[0].type == csarm.ARM_OP_REG:
                v = self.const(insn.reg_name(ops[0].reg))
                if v is not None:
                    yield Store(insn.address, v & (0xFFFF if iid == csarm.ARM_INS_STRH else MASK32),
                                2 if iid == csarm.ARM_INS_STRH else 4)
            return
        if not ops or ops[0].type != csarm.ARM_OP_REG:
            return
        dst = insn.reg_name(ops[0].reg)
        value = None
        try:
            if iid in (csarm.ARM_INS_MOV, csarm.ARM_INS_MOVW, csarm.ARM_INS_MVN) and len(ops) == 2:
                if ops[1].type == csarm.ARM_OP_IMM:
                    value = ops[1].imm if iid != csarm.ARM_INS_MVN else ~ops[1].imm
                elif ops[1].type == csarm.ARM_OP_REG and iid == csarm.ARM_INS_MOV:
                    value = self.regs.get(insn.reg_name(ops[1].reg))
            elif iid in (csarm.ARM_INS_AND, csarm.ARM_INS_UXTB, csarm.ARM_INS_UXTH, csarm.ARM_INS_SXTB) \
                    and len(ops) >= 2 and ops[1].type == csarm.ARM_OP_REG \
                    and isinstance(self.regs.get(insn.reg_name(ops[1].reg)), Loaded):
                value = self.regs.get(insn.reg_name(ops[1].reg))  # extension of a loaded byte
            elif iid == csarm.ARM_INS_MOVT and len(ops) == 2:
                low = self.const(dst)
                if low is not None:
                    value = (low & 0xFFFF) | (ops[1].imm << 16)
            elif iid == csarm.ARM_INS_ADR and len(ops) == 2:
                value = ((pc & ~3) + ops[1].imm) if thumb else pc + ops[1].imm
            elif iid in (csarm.ARM_INS_LDR, csarm.ARM_INS_LDRB, csarm.ARM_INS_LDRH) and len(ops) == 2 \
                    and ops[1].type == csarm.ARM_OP_MEM:
                mem = ops[1].mem
                size = {csarm.ARM_INS_LDR: 4, csarm.ARM_INS_LDRB: 1, csarm.ARM_INS_LDRH: 2}[iid]
                base = insn.reg_name(mem.base) if mem.base else ""
                if base == "pc" and not mem.index:
                    value = self.load(((pc & ~3) if thumb else pc) + mem.disp, size)
                elif mem.index == 0 and not insn.writeback:
                    bval = self.const(base)
                    if bval is not None and size == 4:
                        value = self.load(bval + mem.disp, 4)
                    elif size in (1, 2):
                        value = Loaded(base, mem.disp, size)
            elif iid in (csarm.ARM_INS_ADD, csarm.ARM_INS_SUB) and len(ops) in (2, 3):
                a, b = (ops[0], ops[1]) if len(ops) == 2 else (ops[1], ops[2])
                av = pc if a.type == csarm.ARM_OP_REG and insn.reg_name(a.reg) == "pc" else (
                    self.const(insn.reg_name(a.reg)) if a.type == csarm.ARM_OP_REG else None)
                if b.type == csarm.ARM_OP_IMM:
                    bv = b.imm
                elif b.type == csarm.ARM_OP_REG and b.shift.type == 0:
                    bv = pc if insn.reg_name(b.reg) == "pc" else self.const(insn.reg_name(b.reg))
                else:
                    bv = None
                if av is not None and bv is not None:
                    value = av + bv if iid == csarm.ARM_INS_ADD else av - bv
        except (KeyError, IndexError, AttributeError):
            value = None
        if cond:
            value = None
        if dst == "pc":
            return
        self.set(dst, value)


# ------------------------------------------------------------------ AArch64


def _x(name: str) -> str:
    if name.startswith("w") and name != "wzr":
        return "x" + name[1:]
    return "xzr" if name == "wzr" else name


class _Aarch64(_Tracker):
    ARGS = ("x0", "x1", "x2", "x3", "x4", "x5")
    CLOBBER = frozenset({f"x{i}" for i in range(19)} | {"x30"})
    _NO_DEST = {csa64.ARM64_INS_STR, csa64.ARM64_INS_STRB, csa64.ARM64_INS_STRH, csa64.ARM64_INS_STP,
                csa64.ARM64_INS_STUR, csa64.ARM64_INS_STURH, csa64.ARM64_INS_CMP, csa64.ARM64_INS_CMN,
                csa64.ARM64_INS_TST, csa64.ARM64_INS_B, csa64.ARM64_INS_BR, csa64.ARM64_INS_CBZ,
                csa64.ARM64_INS_CBNZ, csa64.ARM64_INS_TBZ, csa64.ARM64_INS_TBNZ, csa64.ARM64_INS_RET,
                csa64.ARM64_INS_NOP, csa64.ARM64_INS_CCMP}

    def run(self, start, end):
        for insn in instructions(self.image, start, end):
            yield from self.step(insn)

    def step(self, insn):
        iid, ops = insn.id, insn.operands
        if iid in (csa64.ARM64_INS_BL, csa64.ARM64_INS_BLR):
            if ops and ops[0].type == csa64.ARM64_OP_IMM:
                target = ops[0].imm
            elif ops:
                target = self.const(_x(insn.reg_name(ops[0].reg)))
            else:
                target = None
            yield self.call(insn.address, target)
            return
        if iid == csa64.ARM64_INS_B and ops and ops[0].type == csa64.ARM64_OP_IMM and insn.cc in (0, 15):
            if ops[0].imm in self.image.imports:
                yield self.call(insn.address, ops[0].imm)
            return
        if iid in self._NO_DEST:
            if iid in (csa64.ARM64_INS_CMP, csa64.ARM64_INS_CCMP) and len(ops) >= 2 and ops[1].type == csa64.ARM64_OP_IMM:
                v = self.regs.get(_x(insn.reg_name(ops[0].reg)))
                if isinstance(v, Loaded):
                    yield Compare(insn.address, v.base, v.offset, ops[1].imm, v.size)
            elif iid in (csa64.ARM64_INS_STRH, csa64.ARM64_INS_STR, csa64.ARM64_INS_STURH) and ops \
                    and ops[0].type == csa64.ARM64_OP_REG:
                reg = insn.reg_name(ops[0].reg)
                v = self.const(_x(reg))
                if v is not None:
                    size = 2 if iid != csa64.ARM64_INS_STR else (4 if reg.startswith("w") else 8)
                    yield Store(insn.address, v & ((1 << (8 * size)) - 1), size)
            return
        if not ops or ops[0].type != csa64.ARM64_OP_REG:
            return
        dst = _x(insn.reg_name(ops[0].reg))
        value = None
        try:
            if iid in (csa64.ARM64_INS_ADRP, csa64.ARM64_INS_ADR) and len(ops) == 2:
                value = ops[1].imm
            elif iid in (csa64.ARM64_INS_MOV, csa64.ARM64_INS_MOVZ, csa64.ARM64_INS_MOVN) and len(ops) == 2:
                if ops[1].type == csa64.ARM64_OP_IMM:
                    value = ops[1].imm << (ops[1].shift.value if ops[1].shift.type else 0)
                    if iid == csa64.ARM64_INS_MOVN:
                        value = ~value
                elif ops[1].type == csa64.ARM64_OP_REG:
                    value = self.regs.get(_x(insn.reg_name(ops[1].reg)))
            elif iid in (csa64.ARM64_INS_AND, csa64.ARM64_INS_UXTB, csa64.ARM64_INS_UXTH, csa64.ARM64_INS_SXTB) \
                    and len(ops) >= 2 and ops[1].type == csa64.ARM64_OP_REG \
                    and isinstance(self.regs.get(_x(insn.reg_name(ops[1].reg))), Loaded):
                value = self.regs.get(_x(insn.reg_name(ops[1].reg)))  # extension of a loaded byte
            elif iid == csa64.ARM64_INS_MOVK and len(ops) == 2:
                old = self.const(dst)
                if old is not None:
                    shift = ops[1].shift.value if ops[1].shift.type else 0
                    value = (old & ~(0xFFFF << shift)) | (ops[1].imm << shift)
            elif iid in (csa64.ARM64_INS_ADD, csa64.ARM64_INS_SUB) and len(ops) == 3 and ops[2].type == csa64.ARM64_OP_IMM:
                base = self.const(_x(insn.reg_name(ops[1].reg)))
                if base is not None:
                    imm = ops[2].imm << (ops[2].shift.value if ops[2].shift.type else 0)
                    value = base + imm if iid == csa64.ARM64_INS_ADD else base - imm
            elif iid in (csa64.ARM64_INS_LDR, csa64.ARM64_INS_LDRB, csa64.ARM64_INS_LDRH, csa64.ARM64_INS_LDUR,
                         csa64.ARM64_INS_LDURB) and len(ops) == 2:
                reg = insn.reg_name(ops[0].reg)
                if ops[1].type == csa64.ARM64_OP_IMM:  # literal
                    value = self.load(ops[1].imm, 8 if reg.startswith("x") else 4)
                elif ops[1].type == csa64.ARM64_OP_MEM and not ops[1].mem.index and not insn.writeback:
                    base = _x(insn.reg_name(ops[1].mem.base))
                    size = 1 if iid in (csa64.ARM64_INS_LDRB, csa64.ARM64_INS_LDURB) else (
                        2 if iid == csa64.ARM64_INS_LDRH else (8 if reg.startswith("x") else 4))
                    bval = self.const(base)
                    if bval is not None and size >= 4:
                        value = self.load(bval + ops[1].mem.disp, size)
                    elif size in (1, 2):
                        value = Loaded(base, ops[1].mem.disp, size)
        except (IndexError, AttributeError):
            value = None
        self.set(dst, value)


# ------------------------------------------------------------------ MIPS

_MIPS_NO_DEST = ("s", "b", "j", "nop", "syscall", "break", "sync", "teq", "tne", "mt", "cache", "pref", "ssnop",
                 "ehb", "wait", "eret", "c.", "ctc")


class _Mips(_Tracker):
    ARGS = ("a0", "a1", "a2", "a3")
    CLOBBER = frozenset({"v0", "v1", "a0", "a1", "a2", "a3", "at", "ra", "t0", "t1", "t2", "t3", "t4", "t5", "t6",
                         "t7", "t8", "t9"})

    def __init__(self, image):
        super().__init__(image)
        self.gp = image.gp

    def run(self, start, end):
        pending = None  # a call waiting for its delay slot
        for insn in instructions(self.image, start, end):
            m = insn.mnemonic
            if pending is not None:
                yield from self.step(insn)
                yield self.call(pending[0], pending[1])
                pending = None
                continue
            if m in ("jalr", "jal", "bal", "jr", "j"):
                ops = insn.operands
                target = None
                if m in ("jal", "bal", "j") and ops and ops[-1].type == cs.mips.MIPS_OP_IMM:
                    target = ops[-1].imm
                elif ops and ops[-1].type == cs.mips.MIPS_OP_REG:
                    target = self.const(insn.reg_name(ops[-1].reg))
                if m in ("jr", "j"):
                    # tail call through t9 into an import
                    if target is not None and target in self.image.imports and (m == "j" or insn.reg_name(ops[-1].reg) == "t9"):
                        pending = (insn.address, target)
                    continue
                pending = (insn.address, target)
                continue
            yield from self.step(insn)

    def step(self, insn):
        m = insn.mnemonic
        ops = insn.operands
        if m.startswith(_MIPS_NO_DEST):
            if m in ("bne", "beq") and len(ops) == 3 and ops[0].type == ops[1].type == cs.mips.MIPS_OP_REG:
                a, b = self.regs.get(insn.reg_name(ops[0].reg)), self.regs.get(insn.reg_name(ops[1].reg))
                if isinstance(a, Loaded) and isinstance(b, int):
                    yield Compare(insn.address, a.base, a.offset, b & 0xFF if a.size == 1 else b, a.size)
                elif isinstance(b, Loaded) and isinstance(a, int):
                    yield Compare(insn.address, b.base, b.offset, a & 0xFF if b.size == 1 else a, b.size)
            elif m in ("sh", "sw") and ops and ops[0].type == cs.mips.MIPS_OP_REG:
                v = self.const(insn.reg_name(ops[0].reg))
                if v is not None:
                    yield Store(insn.address, v & (0xFFFF if m == "sh" else MASK32), 2 if m == "sh" else 4)
            return
        if not ops or ops[0].type != cs.mips.MIPS_OP_REG:
            return
        dst = insn.reg_name(ops[0].reg)
        if dst in ("gp", "zero", "sp"):
            return
        value = None
        try:
            if m == "lui":
                value = ops[1].imm << 16
            elif m in ("addiu", "daddiu", "addi") and len(ops) == 3:
                base = self._reg(insn, ops[1])
                if base is not None:
                    value = base + ops[2].imm
            elif m in ("ori",) and len(ops) == 3:
                base = self._reg(insn, ops[1])
                if base is not None:
                    value = base | (ops[2].imm & 0xFFFF)
            elif m == "li":
                value = ops[1].imm
            elif m in ("andi", "seb", "seh") and isinstance(self.regs.get(insn.reg_name(ops[1].reg)), Loaded):
                value = self.regs.get(insn.reg_name(ops[1].reg))  # zero/sign extension of a loaded byte
            elif m == "move":
                value = self.regs.get(insn.reg_name(ops[1].reg)) if insn.reg_name(ops[1].reg) != "zero" else 0
                if insn.reg_name(ops[1].reg) == "gp":
                    value = self.gp
            elif m in ("addu", "daddu") and len(ops) == 3:
                a, b = self._reg(insn, ops[1]), self._reg(insn, ops[2])
                if a is not None and b is not None:
                    value = a + b
            elif m in ("lw", "ld", "lbu", "lb", "lhu", "lh") and len(ops) == 2 and ops[1].type == cs.mips.MIPS_OP_MEM:
                base_name = insn.reg_name(ops[1].mem.base)
                base = self.gp if base_name == "gp" else self.const(base_name)
                size = {"lw": 4, "ld": 8, "lbu": 1, "lb": 1, "lhu": 2, "lh": 2}[m]
                if base is not None and size >= 4:
                    slot = (base + ops[1].mem.disp) & self.mask
                    if slot in self.image.imports:
                        value = slot  # MIPS imports are keyed by GOT slot: jalr through it names the import
                    else:
                        value = self.load(slot, size)
                elif base is None and size <= 2 and m in ("lbu", "lhu"):
                    value = Loaded(base_name, ops[1].mem.disp, size)
        except (IndexError, AttributeError):
            value = None
        self.set(dst, value)

    def _reg(self, insn, op):
        if op.type == cs.mips.MIPS_OP_IMM:
            return op.imm
        name = insn.reg_name(op.reg)
        if name == "zero":
            return 0
        if name == "gp":
            return self.gp
        return self.const(name)


# ------------------------------------------------------------------ x86 / x86-64

_X86_FULL = {}
for _r in ("ax", "bx", "cx", "dx", "si", "di", "bp", "sp"):
    for _n in (f"r{_r}", f"e{_r}", _r):
        _X86_FULL[_n] = f"r{_r}"
for _r in ("al", "bl", "cl", "dl"):
    _X86_FULL[_r] = f"r{_r[0]}x"
for _i in range(8, 16):
    for _s in ("", "d", "w", "b"):
        _X86_FULL[f"r{_i}{_s}"] = f"r{_i}"


class _X86(_Tracker):
    ARGS = ("rdi", "rsi", "rdx", "rcx", "r8", "r9")
    CLOBBER = frozenset({"rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"})

    def __init__(self, image):
        super().__init__(image)
        self.x64 = image.arch == "x86_64"
        self.pushes: list = []
        self.stack: dict[int, object] = {}

    def run(self, start, end):
        for insn in instructions(self.image, start, end):
            yield from self.step(insn)

    def reg(self, insn, r) -> str:
        name = insn.reg_name(r)
        return _X86_FULL.get(name, name)

    def call(self, addr, target):
        c = super().call(addr, target)
        if not self.x64:
            args = list(reversed(self.pushes))[:4] if self.pushes else [self.stack.get(o) for o in (0, 4, 8, 12)]
            c.args = args
            self.pushes, self.stack = [], {}
        return c

    def mem_addr(self, insn, mem) -> int | None:
        if mem.index:
            return None
        if mem.base == 0:
            return mem.disp & self.mask
        base = self.reg(insn, mem.base)
        if base == "rip":
            return insn.address + insn.size + mem.disp
        if base == "rbx" and not self.x64:
            return None
        return None

    def step(self, insn):
        m, ops = insn.mnemonic, insn.operands
        X = cs.x86
        if m == "call" or (m == "jmp" and ops and ops[0].type == X.X86_OP_MEM):
            target = None
            if ops and ops[0].type == X.X86_OP_IMM:
                target = ops[0].imm
            elif ops and ops[0].type == X.X86_OP_REG:
                target = self.const(self.reg(insn, ops[0].reg))
            elif ops and ops[0].type == X.X86_OP_MEM:
                slot = self.mem_addr(insn, ops[0].mem)
                if slot is not None and slot in self.image.got_slots:
                    self.image.imports.setdefault(slot, self.image.got_slots[slot])
                    target = slot
            if m == "call" or target in self.image.imports:
                yield self.call(insn.address, target)
            return
        if m == "jmp" and ops and ops[0].type == X.X86_OP_IMM and ops[0].imm in self.image.imports:
            yield self.call(insn.address, ops[0].imm)
            return
        if m == "push" and not self.x64 and ops:
            op = ops[0]
            self.pushes.append(op.imm & self.mask if op.type == X.X86_OP_IMM else (
                self.regs.get(self.reg(insn, op.reg)) if op.type == X.X86_OP_REG else None))
            return
        if m == "cmp" and len(ops) == 2 and ops[1].type == X.X86_OP_IMM:
            if ops[0].type == X.X86_OP_MEM and not ops[0].mem.index and ops[0].mem.base:
                yield Compare(insn.address, self.reg(insn, ops[0].mem.base), ops[0].mem.disp,
                              ops[1].imm & ((1 << (8 * ops[0].size)) - 1), ops[0].size)
            elif ops[0].type == X.X86_OP_REG:
                v = self.regs.get(self.reg(insn, ops[0].reg))
                if isinstance(v, Loaded):
                    yield Compare(insn.address, v.base, v.offset, ops[1].imm & ((1 << (8 * v.size)) - 1), v.size)
            return
        if not ops:
            return
        if ops[0].type == X.X86_OP_MEM and m == "mov" and len(ops) == 2:
            mem = ops[0].mem
            value = ops[1].imm if ops[1].type == X.X86_OP_IMM else (
                self.regs.get(self.reg(insn, ops[1].reg)) if ops[1].type == X.X86_OP_REG else None)
            if not self.x64 and mem.base and self.reg(insn, mem.base) == "rsp" and not mem.index:
                self.stack[mem.disp] = value & self.mask if isinstance(value, int) else value
            if isinstance(value, int) and ops[0].size in (2, 4):
                yield Store(insn.address, value & ((1 << (8 * ops[0].size)) - 1), ops[0].size)
            return
        if ops[0].type != X.X86_OP_REG:
            return
        dst = self.reg(insn, ops[0].reg)
        value = None
        if m == "lea" and len(ops) == 2:
            value = self.mem_addr(insn, ops[1].mem)
        elif m in ("mov", "movabs", "movzx", "movsxd") and len(ops) == 2:
            src = ops[1]
            if src.type == X.X86_OP_IMM:
                value = src.imm
            elif src.type == X.X86_OP_REG:
                value = self.regs.get(self.reg(insn, src.reg))
            elif src.type == X.X86_OP_MEM:
                addr = self.mem_addr(insn, src.mem)
                if addr is not None and src.size >= 4:
                    value = self.load(addr, min(src.size, self.image.word))
                elif src.size in (1, 2) and src.mem.base and not src.mem.index:
                    value = Loaded(self.reg(insn, src.mem.base), src.mem.disp, src.size)
        elif m == "xor" and len(ops) == 2 and ops[1].type == X.X86_OP_REG and ops[1].reg == ops[0].reg:
            value = 0
        elif m in ("add", "sub") and len(ops) == 2 and ops[1].type == X.X86_OP_IMM:
            cur = self.const(dst)
            if cur is not None:
                value = cur + ops[1].imm if m == "add" else cur - ops[1].imm
        self.set(dst, value)


_TRACKERS = {"arm": _Arm, "aarch64": _Aarch64, "mips": _Mips, "mips64": _Mips, "x86": _X86, "x86_64": _X86}
