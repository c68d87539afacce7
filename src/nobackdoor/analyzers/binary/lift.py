"""One intermediate representation for every architecture: Ghidra's SLEIGH P-code, through pypcode.

Why P-code: the same few dozen operations (COPY, LOAD, STORE, INT_ADD, INT_EQUAL, CALL, ...) describe
MIPS (with its delay slots), ARM and Thumb, AArch64, x86 and x86-64 and PowerPC, so the value
tracking below is written once. Measured on this machine, lifting runs at about 200,000 instructions
a second on one core, so only the functions the analyzer selects are lifted. angr/VEX was the other
candidate: it needs angr's whole loader stack and lifts several times slower per instruction.

Architecture knowledge stays here: the SLEIGH language of an image and :data:`CONVENTIONS`, the small
table of calling conventions (argument and return registers, the registers a call clobbers, the
stack pointer, and what a call pops).

:func:`walk` gives a function's :class:`~.model.Walk` (calls with their arguments, inline compares of
loaded bytes against constants, constant stores, constant addresses used): a single forward walk over
a function, one value per register, unique and stack slot. Values are integers, ``Sym`` (a register's
value at function entry, or the stack pointer, plus an offset), ``Loaded`` (bytes read through a
pointer the walk cannot resolve) and ``Result`` (what a call returned). Branch joins are not merged:
argument set-up sits right before its call in compiled code.
"""
from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pypcode

from .model import Call, Compare, Kept, Loaded, Result, Store, Tested, Walk
from .elf import Image
from . import ppc
from .sinks import base_name, knowledge, written_argument


@functools.cache
def byte_order_routines() -> dict[str, int]:
    """Byte-order conversions (``ntohl``) -> the bytes they convert (``byte_order_routines``)."""
    return dict(knowledge()["byte_order_routines"])


@functools.cache
def hash_values() -> frozenset[int]:
    """The constants of the hash functions of the knowledge file (``hash_constants``), and each 32-bit
    one with its top bit set as a 64-bit register holds it (``lis r9,-4680; ori r9,r9,0x8320`` sign-
    extends 0xedb88320 on PowerPC64)."""
    values = {v for vals in knowledge()["hash_constants"].values() for v in vals}
    return frozenset(values | {v | SIGN_EXTENDED for v in values if 0x80000000 <= v <= 0xFFFFFFFF})


#: the upper half of a 64-bit register holding a 32-bit constant whose top bit is set, sign-extended
SIGN_EXTENDED = 0xFFFFFFFF00000000


def sign_narrowed(value: int) -> int:
    """A 32-bit constant a 64-bit register holds sign-extended (``lis; ori`` on PowerPC64), as that
    constant; any other value as it is."""
    return value & 0xFFFFFFFF if value & SIGN_EXTENDED == SIGN_EXTENDED and value & 0x80000000 else value

OP = pypcode.OpCode
#: what SLEIGH raises for bytes it cannot decode (LowlevelError: a branch whose delay slot is cut off)
_DECODE_ERRORS = (pypcode.BadDataError, pypcode.UnimplError, pypcode.LowlevelError, pypcode.DecoderError, IndexError)
#: largest function lifted (bytes): keeps one pathological function from eating the budget
MAX_FUNCTION_BYTES = 0x8000


@dataclass(frozen=True)
class Convention:
    args: tuple[str, ...]  # integer argument registers in order (empty: all on the stack)
    ret: str
    sp: str
    clobber: tuple[str, ...]  # caller-saved registers a call leaves undefined
    extrapop: int = 0  # bytes a call's return pops (the return address pushed by x86 `call`)
    #: offset from the stack pointer at the call of the first argument passed on the stack (past the
    #: registers): MIPS o32 leaves 16 bytes for a0-a3, x86 pushed the return address, PowerPC keeps a
    #: back chain and LR word (ppc64: the ELFv2 parameter save area; ELFv1 adds 16)
    stack_args: int = 0


_MIPS_T = tuple(f"t{i}" for i in range(10))
CONVENTIONS: dict[str, Convention] = {
    "mips": Convention(("a0", "a1", "a2", "a3"), "v0", "sp", ("v0", "v1", "a0", "a1", "a2", "a3", "at", "ra") + _MIPS_T,
                       stack_args=16),
    "mips64": Convention(("a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7"), "v0", "sp",
                         ("v0", "v1", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "at", "ra") + _MIPS_T),
    "arm": Convention(("r0", "r1", "r2", "r3"), "r0", "sp", ("r0", "r1", "r2", "r3", "r12", "lr")),
    "aarch64": Convention(tuple(f"x{i}" for i in range(8)), "x0", "sp",
                          tuple(f"x{i}" for i in range(19)) + ("x30",)),
    "x86_64": Convention(("RDI", "RSI", "RDX", "RCX", "R8", "R9"), "RAX", "RSP",
                         ("RAX", "RCX", "RDX", "RSI", "RDI", "R8", "R9", "R10", "R11"), extrapop=8, stack_args=8),
    "x86": Convention((), "EAX", "ESP", ("EAX", "ECX", "EDX"), extrapop=4, stack_args=4),
    "ppc": Convention(tuple(f"r{i}" for i in range(3, 11)), "r3", "r1",
                      tuple(f"r{i}" for i in (0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)) + ("LR", "CTR"), stack_args=8),
    "ppc64": Convention(tuple(f"r{i}" for i in range(3, 11)), "r3", "r1",
                        tuple(f"r{i}" for i in (0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)) + ("LR", "CTR"), stack_args=96),
}


def language(image: Image) -> str:
    e = "LE" if image.little else "BE"
    return {
        "mips": f"MIPS:{e}:32:default", "mips64": f"MIPS:{e}:64:default", "arm": f"ARM:{e}:32:v8",
        "aarch64": f"AARCH64:{e}:64:v8A", "x86": "x86:LE:32:default", "x86_64": "x86:LE:64:default",
        "ppc": f"PowerPC:{e}:32:default", "ppc64": f"PowerPC:{e}:64:A2ALT",  # A2: ldbrx, popcntd
    }[image.arch]


def _new_context(lang: str, thumb: bool) -> pypcode.Context:
    ctx = pypcode.Context(lang)
    if thumb:
        ctx.setVariableDefault("TMode", 1)
    return ctx


@functools.lru_cache(maxsize=16)
def _context(lang: str, thumb: bool) -> pypcode.Context:
    """A decoder for the register table (no code is translated with it)."""
    return _new_context(lang, thumb)


def _blx_as_bl(code: bytearray, base: int, thumb: bool, little: bool) -> dict[int, int]:
    """Rewrite each ``blx <immediate>`` of ``code`` into the ``bl`` with the same offset, in place.

    SLEIGH's ``blx`` sets the instruction-set mode for all code after its target in the decoder's
    context, so every Thumb instruction after a call to an ARM PLT stub would decode as ARM. A
    ``bl`` keeps the mode; the target differs only in alignment (Thumb) or the halfword bit (ARM).
    Returns {instruction address: correction to add to the ``bl`` target}."""
    fix: dict[int, int] = {}
    if thumb:
        i = 0
        while i + 4 <= len(code):
            hw1 = int.from_bytes(code[i:i + 2], "little" if little else "big")
            if hw1 >> 11 not in (0x1D, 0x1E, 0x1F):
                i += 2
                continue
            hw2 = int.from_bytes(code[i + 2:i + 4], "little" if little else "big")
            if (hw1 & 0xF800) == 0xF000 and (hw2 & 0xD001) == 0xC000:
                code[i + 2:i + 4] = (hw2 | 0x1000).to_bytes(2, "little" if little else "big")
                fix[base + i] = -((base + i) & 2)  # blx: Align(pc, 4) + offset; bl: pc + offset
            i += 4
        return fix
    for i in range(0, len(code) - 3, 4):
        w = int.from_bytes(code[i:i + 4], "little" if little else "big")
        if w >> 25 == 0x7D:
            code[i:i + 4] = (0xEB000000 | (w & 0xFFFFFF)).to_bytes(4, "little" if little else "big")
            fix[base + i] = 2 * ((w >> 24) & 1)  # the halfword bit of an ARM blx
    return fix


#: MIPS unaligned halves -> the aligned access they make together, and the bytes they span:
#: lwl/lwr -> lw, swl/swr -> sw (4 bytes); ldl/ldr -> ld, sdl/sdr -> sd (8 bytes)
_UNALIGNED_PAIRS = {(0x22, 0x26): (0x23, 4), (0x2A, 0x2E): (0x2B, 4), (0x1A, 0x1B): (0x37, 8), (0x2C, 0x2D): (0x3F, 8)}
MIPS_NOP = 0


def _unaligned_as_aligned(code: bytearray, little: bool) -> None:
    """Rewrite each MIPS pair of unaligned halves that moves one word (``swl v1,3(v0); swr v1,0(v0)``,
    how GCC copies a short literal into a stack buffer, or ``lwl``/``lwr`` reading one) into the
    aligned access it amounts to and a ``nop``, in place. SLEIGH lifts each half as shifts and
    masks of a partial word that the walk cannot follow; the decoder does not check alignment."""
    order = "little" if little else "big"
    for i in range(0, len(code) - 7, 4):
        a = int.from_bytes(code[i:i + 4], order)
        b = int.from_bytes(code[i + 4:i + 8], order)
        ops = (a >> 26, b >> 26)
        pair = _UNALIGNED_PAIRS.get(ops) or _UNALIGNED_PAIRS.get(ops[::-1])
        if pair is None or (a >> 16) & 0x3FF != (b >> 16) & 0x3FF:
            continue  # not the same register to the same base
        aligned, size = pair
        left, right = (a, b) if (a >> 26) in (0x22, 0x2A, 0x1A, 0x2C) else (b, a)
        lo_l, lo_r = left & 0xFFFF, right & 0xFFFF
        # little-endian: the left half addresses the word's last byte; big-endian: its first
        start = lo_r if little else lo_l
        if ((lo_l - lo_r) if little else (lo_r - lo_l)) & 0xFFFF != size - 1:
            continue
        word = (aligned << 26) | (a & 0x03FF0000) | start
        code[i:i + 4] = word.to_bytes(4, order)
        code[i + 4:i + 8] = MIPS_NOP.to_bytes(4, order)


@dataclass(frozen=True)
class Sym:
    """A register's value at function entry (``base``), or the entry stack pointer, plus ``offset``."""

    base: str
    offset: int = 0


@dataclass(frozen=True)
class _Negated:
    """``offset - sym``: a constant less a pointer. Added to a pointer of the same base it is the
    constant plus their distance: an index the compiler keeps as ``K - start`` and adds to the moving
    pointer (``key = p + (K - start)`` for ``K + i``, strength-reduced)."""

    base: str
    offset: int


#: the widest store (a vector register's) whose words an argument vector is read from
MAX_VECTOR_BYTES = 64
#: an argument vector on the stack is read up to this many pointers
MAX_ARRAY_POINTERS = 8
#: a string built on the stack is read up to this many bytes; shorter than the minimum is a small
#: structure, not text
MAX_STACK_STRING = 128
#: words past the argument registers read at each call (a variadic list on the stack)
MAX_STACKED_ARGS = 6
#: passes of a repeated string instruction (x86 ``rep movs``/``rep stos``) followed when its count is
#: known: an argument vector or a structure copied from constant data onto the stack
MAX_REPEAT = 256
MIN_STACK_STRING = 4

#: the base of a Loaded read from a fixed global address (its offset is the address)
GLOBAL = "global"

#: a block this short (bytes) that ends in a return is the function's exit (``leave; ret``, a restore of
#: saved registers): what a path holds in the return register when it goes there is returned
RETURN_BLOCK = 48
#: paths into an exit block followed per function (their register state is kept until the walk ends)
MAX_PATHS = 64

#: what a call leaves in a caller-saved register: unknown, and not the value the function was entered with
CLOBBERED = object()

#: SLEIGH user operations that are byte-reversed loads (indexed form: rD, rA|0, rB) -> bytes read
BYTE_REVERSED_LOADS = {"LoadDoublewordByteReverseIndexed": 8, "LoadWordByteReverseIndexed": 4,
                       "LoadHalfWordByteReverseIndexed": 2}


@dataclass(frozen=True)
class Reversed(Loaded):
    """Bytes read through an unresolved pointer in the opposite byte order (``ldbrx``)."""


@dataclass(frozen=True)
class _Diff:
    """``loaded - constant``: what x86 and ARM compares compute before testing for zero (``loaded`` may
    also be a call's Result)."""

    loaded: Loaded | Result
    value: int
    reg: int | None = None  # the register compared (an unnamed value's)
    xor: bool = False  # ``loaded ^ constant`` (compared with c: loaded == constant ^ c), not a difference

    def against(self, other: int, size: int) -> _Diff:
        """This difference compared with ``other`` instead of zero: the loaded value against the
        constant that makes them equal (PowerPC tests a 32-bit constant in halves: ``xoris r9,r7,HI;
        cmpwi r9,LO``)."""
        value = (self.value ^ other if self.xor else self.value + other) & _mask(size)
        return _Diff(self.loaded, value, self.reg)


#: a call's result compared with a constant is recorded when the constant is at least this large
#: (smaller ones are return codes, counts and characters)
MIN_TESTED_VALUE = 0x10000


@dataclass(frozen=True)
class _Verdict:
    """Whether a call's result was zero (its flag, ``setne``/``cset`` of it, a level made from it):
    what a credential check decided, kept in a register."""

    at: int  # the call


class _Opaque:
    """A value the walk cannot name (a loop's result), compared with a large constant."""


OPAQUE = _Opaque()


#: bits an and-ed constant keeps, at least, for the and to be a step towards a hash's constant
MIN_MASK_BITS = 16


class _LowByteClear:
    """A keyed byte shifted up by a byte or more: its low byte is zero, so or-ed with the keyed byte it
    leaves that byte as it was (PowerPC64's ``clrlwi``/``rlwinm`` rotates a word doubled into both
    halves of the register, then masks the byte back out)."""


LOW_BYTE_CLEAR = _LowByteClear()


class _Hashed:
    """The running value of a hash: computed with one of a hash's constants (``h *= 0x01000193``,
    ``crc ^ (0xedb88320 & -(crc & 1))``), or from such a value."""


HASHED = _Hashed()
#: operations through which a hash's running value stays one
_HASH_OPS = frozenset()  # filled below, once the operation codes exist


@dataclass(frozen=True)
class _Offset:
    """``loaded + constant`` (``(uint32_t)(ntohl(h.seq) + K1) == K2`` tests the word against K2 - K1)."""

    loaded: Loaded
    value: int


@dataclass(frozen=True)
class _Inside:
    """A pointer advanced by a run-time amount from ``at`` (``p += n`` after each ``recv``): somewhere at
    or after it. Nothing is read through it; a call given it is given the buffer at ``at``."""

    at: Sym


@dataclass(frozen=True)
class _Into:
    """A call's result plus a constant: a pointer into what the routine returned (``strchr(line, ' ')
    + 1``). Bytes read through it are memory named after that call (:data:`RETURNED`)."""

    result: Result
    offset: int


#: the base of a Loaded read through a call's result: ``ret@<call address>``
RETURNED = "ret@{:x}"


@dataclass(frozen=True)
class _Keyed:
    """A loaded byte (or half-word) combined with a constant key (``p[i] ^ (K + i * S)``, ``p[i] + K``):
    equal to ``c`` exactly when the byte equals the key undone on ``c``, so a compare with a table of
    encoded bytes is a compare of the input with the decoded text."""

    loaded: Loaded
    op: int  # XOR or ADD
    key: int

    def solve(self, value: int) -> int:
        mask = (1 << (8 * self.loaded.size)) - 1
        return (value ^ self.key if self.op == XOR else value - self.key) & mask


@dataclass(frozen=True)
class _Bytes:
    """Bytes of a loaded word moved around (a byte swap written as masks, shifts and ors: x86
    ``bswap``, ARM ``rev``, MIPS ``wsbh``/``rotr``): for each byte of the value, least significant
    first, the memory offset it came from, or None for a zero byte."""

    base: str
    offsets: tuple


def _to_bytes(value, little: bool) -> _Bytes | None:
    if isinstance(value, _Bytes):
        return value
    if isinstance(value, Loaded):
        low_first = little != isinstance(value, Reversed)
        offs = tuple(range(value.offset, value.offset + value.size))
        return _Bytes(value.base, offs if low_first else offs[::-1])
    return None


def _from_bytes(b: _Bytes, little: bool):
    """A loaded word again when the bytes are all there, in one order or the other."""
    offs = b.offsets
    if None in offs:
        return b
    n = len(offs)
    up = offs == tuple(range(offs[0], offs[0] + n))
    down = offs == tuple(range(offs[0], offs[0] - n, -1))
    if up:
        return Loaded(b.base, offs[0], n) if little else Reversed(b.base, offs[0], n)
    if down:
        return Reversed(b.base, offs[-1], n) if little else Loaded(b.base, offs[-1], n)
    return b


def _narrowed(value, little: bool):
    """A zero-extended word (its bytes low, zeros above: ``lwbrx`` into a 64-bit register) as the word
    loaded from memory, so that its compare with a constant is a compare of that memory."""
    if not isinstance(value, _Bytes):
        return value
    offs = value.offsets
    n = next((i for i, o in enumerate(offs) if o is None), len(offs))
    if n == 0 or any(o is not None for o in offs[n:]):
        return value
    got = _from_bytes(_Bytes(value.base, offs[:n]), little)
    return got if isinstance(got, Loaded) else value


def _byte_op(code: int, a, b, size: int, little: bool):
    """``a <op> b`` on byte maps (see _Bytes), or None when the bytes cannot be followed."""
    x = _to_bytes(a, little)
    if x is None:
        return None
    # a byte zero-extended to the operation's width (PowerPC ``lwbrx`` assembles the word from byte
    # loads: ``zext(b3) << 24 | ...``): its upper bytes are zeros, not missing
    offs = list(x.offsets) + [None] * max(0, size - len(x.offsets))
    if code == AND and isinstance(b, int):
        mask = [(b >> (8 * i)) & 0xFF for i in range(len(offs))]
        if any(m not in (0, 0xFF) for m in mask):
            return None
        offs = [o if m == 0xFF else None for o, m in zip(offs, mask)]
    elif code in (LEFT, RIGHT) and isinstance(b, int) and b % 8 == 0:
        k = min(b // 8, len(offs))  # a shift count read as a huge number shifts every byte out
        offs = ([None] * k + offs)[:len(offs)] if code == LEFT else offs[k:] + [None] * k
    elif code == OR:
        y = _to_bytes(b, little) if not (isinstance(b, int) and b == 0) else _Bytes(x.base, (None,) * len(offs))
        if y is not None and len(y.offsets) < len(offs):
            y = _Bytes(y.base, tuple(y.offsets) + (None,) * (len(offs) - len(y.offsets)))
        if y is None or y.base != x.base or len(y.offsets) != len(offs):
            return None
        if any(p is not None and q is not None for p, q in zip(offs, y.offsets)):
            return None
        offs = [p if p is not None else q for p, q in zip(offs, y.offsets)]
    elif code == ZEXT:
        offs = offs + [None] * max(0, size - len(offs))
    elif code == SUBPIECE and isinstance(b, int):
        offs = offs[b:b + size]
    else:
        return None
    offs = (offs + [None] * size)[:size]
    if all(o is None for o in offs):
        return 0
    return _from_bytes(_Bytes(x.base, tuple(offs)), little)


@dataclass(frozen=True)
class _Diffs:
    """``(w0 ^ k0) | (w1 ^ k1) ...``: several words compared at once, zero when all match (how x86-64
    compilers inline a 16-byte ``memcmp``/``strcmp`` against a literal)."""

    parts: tuple[_Diff, ...]


# ---------------------------------------------------------------------- compiled P-code
#
# pypcode's op and varnode objects are native wrappers: reading their attributes costs more than the
# tracking itself. Each op is turned once into plain tuples: (code, out, inputs, user-op name), a
# varnode into (space, offset, size).

CONST, UNIQUE, REGISTER, RAM, OTHER = range(5)
_SPACES = {"const": CONST, "unique": UNIQUE, "register": REGISTER, "ram": RAM}
(COPY, LOAD, STORE, CALL, CALLIND, BRANCH, BRANCHIND, CALLOTHER, IGNORE, ZEXT, SEXT, ADD, SUB, AND, OR, XOR,
 LEFT, RIGHT, MULT, TWOCOMP, NEGATE, SUBPIECE, PIECE, EQUAL, NOTEQUAL, LZCOUNT, UNKNOWN, RETURN,
 LESS, SLESS, LESSEQUAL, SLESSEQUAL, BOOL_NEGATE, BOOL_AND, BOOL_OR, BOOL_XOR, CARRY, SCARRY, SBORROW) = range(39)
_CODES = {OP.COPY: COPY, OP.LOAD: LOAD, OP.STORE: STORE, OP.CALL: CALL, OP.CALLIND: CALLIND, OP.BRANCH: BRANCH,
          OP.BRANCHIND: BRANCHIND, OP.CALLOTHER: CALLOTHER, OP.RETURN: RETURN, OP.CBRANCH: IGNORE,
          OP.INT_ZEXT: ZEXT, OP.INT_SEXT: SEXT, OP.INT_ADD: ADD, OP.INT_SUB: SUB, OP.INT_AND: AND, OP.INT_OR: OR,
          OP.INT_XOR: XOR, OP.INT_LEFT: LEFT, OP.INT_RIGHT: RIGHT, OP.INT_MULT: MULT, OP.INT_2COMP: TWOCOMP,
          OP.LZCOUNT: LZCOUNT,
          OP.INT_NEGATE: NEGATE, OP.SUBPIECE: SUBPIECE, OP.PIECE: PIECE, OP.INT_EQUAL: EQUAL,
          OP.INT_NOTEQUAL: NOTEQUAL, OP.INT_LESS: LESS, OP.INT_SLESS: SLESS, OP.INT_LESSEQUAL: LESSEQUAL,
          OP.INT_SLESSEQUAL: SLESSEQUAL, OP.BOOL_NEGATE: BOOL_NEGATE, OP.BOOL_AND: BOOL_AND, OP.BOOL_OR: BOOL_OR,
          OP.BOOL_XOR: BOOL_XOR, OP.INT_CARRY: CARRY, OP.INT_SCARRY: SCARRY, OP.INT_SBORROW: SBORROW}


def _compile(op) -> tuple:
    code = _CODES.get(op.opcode, UNKNOWN)
    o = op.output
    spaces = _SPACES
    out = (spaces.get(o.space.name, OTHER), o.offset, o.size) if o is not None else None
    ins = tuple([(spaces.get(v.space.name, OTHER), v.offset, v.size) for v in op.inputs])
    name = op.inputs[0].getUserDefinedOpName() if code == CALLOTHER else \
        "cbranch" if op.opcode == OP.CBRANCH else None
    return code, out, ins, name


def instructions(image: Image, start: int, end: int,
                 call_fix: dict[int, int] | None = None, chunk: int = 0) -> Iterator[tuple[int, list]]:
    """(address, compiled P-code ops) of each instruction from ``start`` to ``end``; an undecodable
    word (a literal pool, padding) is skipped. ARM code at an odd address is Thumb. ``call_fix``
    receives the corrections of rewritten ``blx`` targets (see :func:`_blx_as_bl`). ``chunk``: at
    most this many instructions translated at a time (a consumer that usually stops early)."""
    thumb = image.arch == "arm" and bool(start & 1)
    start &= ~1 if image.arch == "arm" else ~0
    end = min(end, start + MAX_FUNCTION_BYTES)
    ctx = image.decoders.get(thumb)
    if ctx is None:
        # (one decoder per program: what another program's code set in a shared one, an instruction
        # set switched at some address, would decode this one's differently, by scan order)
        ctx = image.decoders[thumb] = _new_context(language(image), thumb)
    step = 2 if thumb else (1 if image.arch.startswith("x86") else 4)
    arm = image.arch == "arm"
    mips = image.arch.startswith("mips")
    x86 = image.arch.startswith("x86")
    unsafe = _unsafe_words(image, start, end, thumb)
    # each instruction is translated once per program: callers read the same code again (a callee's
    # start, a function walked and scanned for its constants). Not Thumb: an instruction there
    # decodes differently inside an ``it`` block, which depends on where translation started.
    cache = None if thumb else image.decoded
    fixes: dict[int, int] = {}
    addr = start
    while addr < end:
        i = bisect.bisect_left(unsafe, addr)
        if i < len(unsafe) and unsafe[i] == addr:
            addr += 4  # an encoding the decoder corrupts memory on: never handed to it
            continue
        stop = min(end, unsafe[i]) if i < len(unsafe) else end
        known = cache.get(addr) if cache is not None else None
        if known is not None and known[0] <= stop:  # (one decoded across ``stop`` is decoded again)
            if known[2] and call_fix is not None:
                call_fix[addr] = known[2]
            yield addr, known[1]
            addr = known[0]
            continue
        # a few bytes past the end: an instruction that starts before it is decoded whole (the
        # decoder must never read past its buffer)
        code = image.read(addr, stop - addr + 16) or image.read(addr, stop - addr)
        if not code:
            return
        if arm:
            patched = bytearray(code)
            fixes = _blx_as_bl(patched, addr, thumb, image.little)
            if call_fix is not None:
                call_fix.update(fixes)
            code = bytes(patched)
        elif mips:
            patched = bytearray(code)
            _unaligned_as_aligned(patched, image.little)
            code = bytes(patched)
        if len(code) < 16:
            code += bytes(16)
        try:
            ops = ctx.translate(code, addr, max_bytes=min(len(code), stop - addr), max_instructions=chunk).ops
        except _DECODE_ERRORS:
            # one instruction of the block cannot be decoded (a branch whose delay slot lies past
            # ``end``, a data word): take the block one instruction at a time up to it
            try:
                ops = ctx.translate(code, addr, max_bytes=min(len(code), stop - addr), max_instructions=1).ops
            except _DECODE_ERRORS:
                ops = []
        if not ops:
            addr += step  # the first instruction itself is undecodable
            continue
        # the whole translation is compiled before anything is yielded: its native op objects live in
        # the context, and a consumer may translate other code (a loop replayed) before asking for more
        block, ends = _compiled(ops)
        if x86 and ends and ends[-1] > stop:
            # the decoder reads no byte past ``max_bytes``: an x86 instruction running over ``stop``
            # came out of it cut short (a call's displacement missing its high bytes): decoded again
            # from all of its bytes (``code`` runs 16 past ``stop``)
            cut = block[-1][0]
            try:
                block[-1:], ends[-1:] = _compiled(ctx.translate(code[cut - addr:], cut, max_instructions=1).ops)
            except _DECODE_ERRORS:
                block, ends = block[:-1], ends[:-1]  # (its bytes end with the segment: not code)
        last = ends[-1] if ends else addr
        if cache is not None:
            for (at, done), at_end in zip(block, ends):
                if at_end <= stop or x86:  # (elsewhere one running over ``stop`` is decoded again)
                    cache[at] = (at_end, done, fixes.get(at, 0))
        yield from block
        # translation stops at the end or at an instruction it cannot decode: skip that word
        addr = last if last > addr else addr + step
        if addr < stop and last > 0 and len(block) != chunk:
            try:
                ctx.translate(image.read(addr, 16) or b"", addr, max_instructions=1)
            except _DECODE_ERRORS:
                addr += step


def _compiled(ops) -> tuple[list[tuple[int, tuple]], list[int]]:
    """One translation's ops as (address, compiled ops) per instruction (a tuple of tuples: the cyclic
    collector stops tracking it), and where each instruction ends."""
    cur, cur_ops = None, []
    block: list[tuple[int, tuple]] = []
    ends: list[int] = []
    for op in ops:
        if op.opcode == OP.IMARK:
            if cur is not None:
                block.append((cur, tuple(cur_ops)))
            ins = op.inputs
            cur, cur_ops = ins[0].offset, []
            ends.append(ins[-1].offset + ins[-1].size)
            continue
        cur_ops.append(_compile(op))
    if cur is not None:
        block.append((cur, tuple(cur_ops)))
    return block, ends


def _unsafe_words(image: Image, start: int, end: int, thumb: bool) -> list[int]:
    """Addresses in ``start``..``end`` of instructions SLEIGH (pypcode 3.3.3) writes past its parse
    tree on: translating one corrupts the interpreter's heap and kills it later. Measured here, each
    word in a fresh process; the cause is pypcode's fixed operand allotment (angr/pypcode#289, #292,
    #294). PowerPC AltiVec ``vaddubm``, ``vadduhm``, ``vsubuhm`` (Debian's ppc64el dropbear has them);
    ARM and Thumb VFP load/store multiple (coprocessors 10 and 11) of more than 16 words. Neither
    carries a call, a branch or a compare."""
    arch = image.arch
    if arch not in ("ppc", "ppc64", "arm") or end <= start:
        return []
    raw = image.read(start, end - start) or b""
    order = "little" if image.little else "big"
    out = []
    if arch in ("ppc", "ppc64"):
        for off in range(0, len(raw) - 3, 4):
            w = int.from_bytes(raw[off:off + 4], order)
            if w & 0xFC0007FF in _PPC_UNSAFE:
                out.append(start + off)
        return out
    if thumb:  # instruction by instruction: a 32-bit one starts with 0b11101, 0b11110 or 0b11111
        off = 0
        while off < len(raw) - 3:
            hi = int.from_bytes(raw[off:off + 2], order)
            if hi >> 11 < 0x1D:
                off += 2
                continue
            lo = int.from_bytes(raw[off + 2:off + 4], order)
            if hi & 0xEE00 == 0xEC00 and lo & 0x0E00 == 0x0A00 and lo & 0xFF > MAX_VFP_WORDS:
                out.append(start + off)
            off += 4
        return out
    for off in range(0, len(raw) - 3, 4):
        w = int.from_bytes(raw[off:off + 4], order)
        if w & 0x0E000E00 == 0x0C000A00 and w & 0xFF > MAX_VFP_WORDS:
            out.append(start + off)
    return out


#: PowerPC opcode 4 with these extended opcodes (VX form): vaddubm, vadduhm, vsubuhm
_PPC_UNSAFE = frozenset({0x10000000, 0x10000040, 0x10000440})
#: VFP load/store multiple of more words than this is not translated (see _unsafe_words)
MAX_VFP_WORDS = 16


# ---------------------------------------------------------------------- the walk


@functools.lru_cache(maxsize=16)
def _register_table(lang: str) -> tuple[dict[str, tuple[int, int]], dict[int, tuple[int, ...]]]:
    """Register name -> (offset, size); and for each register offset, the lower offsets of the
    registers that contain it (x86 AH inside RAX), whose values a write there invalidates."""
    ctx = _context(lang, False)
    regs = {name: (v.offset, v.size) for name, v in ctx.registers.items()}
    spans = sorted(set(regs.values()))
    containing: dict[int, set[int]] = {}
    for off, size in spans:
        for o2, s2 in spans:
            if o2 < off < o2 + s2:
                containing.setdefault(off, set()).add(o2)
    return regs, {k: tuple(sorted(v)) for k, v in containing.items()}


#: the largest constant written to a register that is recorded as a possible state value (a level,
#: a flag): ``Walk.reg_consts``
MAX_STATE_CONSTANT = 0x20
#: the low bits an address's upper half leaves clear (MIPS ``lui``, PowerPC ``lis``: 16; AArch64
#: ``adrp``: 12): a data address with them clear may be one on its way to another
PAGE_MASK = 0xFFF
#: a value this large may be an address of the program (below: a length, an offset, a flag)
MIN_ADDRESS = 0x1000
#: a constant written this many bytes of code before a compare that reads its register is an operand
COMPARED_WITHIN = 16
#: the general registers a program keeps values in, per architecture (flags, vector and system
#: registers are left out: a small constant written there is no program state)
_GENERAL = {
    "x86_64": ("RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15"),
    "x86": ("EAX", "EBX", "ECX", "EDX", "ESI", "EDI", "EBP"),
    "aarch64": tuple(f"x{i}" for i in range(29)),
    "arm": tuple(f"r{i}" for i in range(13)),
    "mips": ("v0", "v1", "a0", "a1", "a2", "a3", *(f"t{i}" for i in range(10)), *(f"s{i}" for i in range(8)), "s8"),
    "ppc": tuple(f"r{i}" for i in range(3, 32)),
}


def argument_registers(image: Image) -> frozenset[int]:
    """Register-file offsets of the calling convention's argument registers."""
    regs, _ = _register_table(language(image))
    return frozenset(regs[n][0] for n in CONVENTIONS[image.arch].args if n in regs)


def parameter_index(image: Image, name: str) -> int | None:
    """Which argument of the calling convention the register ``name`` holds: the argument register
    itself or its low part (an ``int`` parameter read as ``edi`` on x86-64, ``w0`` on AArch64)."""
    return _parameter_index(image.arch, language(image), image.little, name)


@functools.lru_cache(maxsize=1024)
def _parameter_index(arch: str, lang: str, little: bool, name: str) -> int | None:
    args = CONVENTIONS[arch].args
    if name in args:
        return args.index(name)
    regs, _ = _register_table(lang)
    got = regs.get(name)
    if got is None:
        return None
    for i, arg in enumerate(args):
        full = regs.get(arg)
        # (the low part sits at the start of the register little-endian, at its end big-endian)
        if full and got[1] < full[1] and got[0] == (full[0] if little else full[0] + full[1] - got[1]):
            return i
    return None


def register_names(image: Image) -> dict[int, str]:
    """Register-file offset -> the name of the widest register there (for messages)."""
    return _widest_names(language(image))


@functools.lru_cache(maxsize=16)
def _widest_names(lang: str) -> dict[int, str]:
    regs, _ = _register_table(lang)
    out: dict[int, str] = {}
    for name, (off, size) in sorted(regs.items(), key=lambda kv: (-kv[1][1], kv[0])):
        out.setdefault(off, name)
    return out


@functools.lru_cache(maxsize=16)
def _names_of(lang: str) -> dict[tuple[int, int], str]:
    """(register offset, size) -> its name (one name per varnode)."""
    regs, _ = _register_table(lang)
    return {v: k for k, v in sorted(regs.items(), reverse=True)}


class _Walker:
    def __init__(self, image: Image, start: int) -> None:
        self.image = image
        self.cc = CONVENTIONS[image.arch]
        self.mask = (1 << image.bits) - 1
        self.regs: dict[int, tuple[int, object]] = {}  # register offset -> (size, value)
        self.uniq: dict[int, object] = {}
        self.stack: dict[tuple[str, int], tuple[int, object]] = {}  # (base, offset) -> (size, value)
        self.refs: set[int] = set()
        self.savers: dict[int, bool] = {}  # call target -> a PowerPC register-save routine
        #: stack buffers whose address a call was given -> bytes it may have written from there
        self.escaped: dict[tuple[str, int], int] = {}
        #: page-aligned data addresses written (a ``lui``/``lis``/``adrp`` upper half is one, on its way
        #: to an address below it): -> times written
        self.page_values: dict[int, int] = {}
        self.call_fix: dict[int, int] = {}
        self.branches: dict[int, int] = {}
        self.jumps: dict[int, int] = {}
        self.block_ends: set[int] = set()
        self.indirect: set[int] = set()  # jumps to a computed address (not a call)
        self.stops: set[int] = set()  # calls that do not return
        self.entry_states: dict[int, tuple[dict, dict]] = {}
        #: block -> values at the branches back to it (a loop's bottom, a block laid out before the code
        #: that jumps to it); a block no earlier code reaches starts from these on the walk's next pass
        self.back_states: dict[int, tuple[dict, dict]] = {}
        self.cold: set[int] = set()  # blocks entered with no values of their own (nothing earlier reaches them)
        self.unreached = False  # the code walked since the last block entered is such a block
        # the values such a block started from, borrowed from the unrelated code before it
        self.borrowed: tuple[dict, dict] | None = None
        #: blocks the code before jumps over (a loop's body or tail) -> where that jump goes
        self.jumped_into: dict[int, int] = {}
        self.back_sources: dict[int, set[int]] = {}  # block -> the branches back to it
        #: a jumped-over block -> the registers its branch back carried on the walk's previous pass
        self.register_seeds: dict[int, dict] = {}
        self.loop_entries: dict[int, tuple[dict, dict]] = {}  # block after a forward jump -> values there
        # block after a forward jump (and the padding after it) -> (the jump's target, values there)
        self.jump_entries: dict[int, tuple[int, tuple[dict, dict]]] = {}
        self.seen: set[int] | None = None  # every constant the code computes, when asked for (``immediates``)
        self.zero_tests: dict[int, int] = {}  # address of a test of a call's result against zero -> the call
        # a flag that says a call's result is zero (True) or is not (False) when it is set
        self.zero_flags: dict[tuple, tuple[Result, bool]] = {}
        # the call result the branch just passed says is zero on the path walked on (``bne`` not taken
        # after ``subs r7, r0, #0``: r7 is 0, and a compiler stores it as a text's NUL)
        self.known_zero: Result | None = None
        # an unknown value's varnode -> the constants and-ed into it so far (see AND)
        self.masks: dict[tuple, int] = {}
        self.start = start & ~1
        self.thumb = image.arch == "arm" and bool(start & 1)  # the walk decodes Thumb code
        self.starts: frozenset[int] | set[int] = frozenset()  # other functions' starts (tail calls)
        self.marks: set[int] = set()  # the constants of a hash function the code computes (``hash_constants``)
        self.hashed_regs: set[int] = set()  # registers that held a hash's running value
        #: (address, where the path goes: None for a return, value of the return register) at the end of
        #: each path: a return, a jump, the fall into a join
        self.leaving: list[tuple[int, int | None, object]] = []
        self.return_ops: set[int] = set()
        self.hash_values = hash_values()
        self.reg_of, self.containing = _register_table(language(image))
        family = "mips" if image.arch.startswith("mips") else "ppc" if image.arch.startswith("ppc") else image.arch
        self.general = frozenset(self.reg_of[n][0] for n in _GENERAL.get(family, ()) if n in self.reg_of)
        #: (address, register offset, value) of each small constant written to a general register
        self.reg_consts: list[tuple[int, int, int]] = []
        #: (address, register, call address): a call's result moved into another general register
        self.reg_results: list[tuple[int, int, int]] = []
        self.ret_off = self.reg_of[self.cc.ret][0] if self.cc.ret in self.reg_of else None
        self.at = 0  # the instruction being stepped
        self.name_of = _names_of(language(image))
        self.r0 = self.reg_of.get("r0", (-1, 0))[0] if image.arch.startswith("ppc") else -1
        self.imports = image.imports
        self.got_slots = image.got_slots
        # the module's global pointer ($gp, the PowerPC64 TOC) is one value for all its code: a
        # restore from a stack slot after a call, or a function entered mid-way, keeps it
        self.pinned: tuple[int, int] | None = None
        #: branch address -> its condition's value, kept only while a loop body is replayed
        self.conditions: dict[int, object] | None = None
        #: address -> the compiled ops of each instruction the walk lifted: replayed (a loop body, an
        #: exit block) without translating again, which can leave decoding context behind (Thumb ``it``)
        self.lifted: dict[int, list] = {}
        self._replayer: _Walker | None = None
        self._set_reg(self.cc.sp, Sym("sp"))
        if image.gp is not None and image.arch in ("mips", "mips64", "ppc64"):
            name = "gp" if image.arch.startswith("mips") else "r2"
            self._set_reg(name, image.gp)
            self.pinned = (self.reg_of[name][0], image.gp)
        if image.arch.startswith("mips"):
            self._set_reg("t9", start & ~1)  # PIC prologues compute $gp from the function's address
        if image.arch in ("x86", "x86_64"):
            # the direction flag is clear on entry to and return from every function (System V i386
            # and AMD64 ABIs, 2.2 / 3.2.1): string instructions count upwards
            self._set_reg("DF", 0)
        if image.arch.startswith("ppc"):
            # XER's summary-overflow bit is set only by the overflow-recording forms (``addo.``), which
            # the walk lifts; a compare copies it into its CR field, so a known 0 keeps the field known
            # (a loop's exit test, ``cmpwi; beq``, reads one bit of it)
            self._set_reg("xer_so", 0)

    # ------------------------------------------------------------------ values

    def _set_reg(self, name: str, value) -> None:
        off, size = self.reg_of[name]
        self._write_reg(off, size, value)

    def _reg(self, name: str):
        off, size = self.reg_of[name]
        got = self.regs.get(off)
        return Sym(name) if got is None else _fit(got, size)

    def read(self, vn):
        space, off, size = vn
        if space == CONST:
            if self.seen is not None and off > 0xFF:
                self.seen.add(off)  # an immediate operand (``and $0xedb88320, %eax`` on an unknown value)
            if off in self.hash_values:
                self.marks.add(off)  # a hash's constant as an immediate operand (x86 ``and``, ``imul``)
            return off
        if space == UNIQUE:
            return self.uniq.get(off)
        if space == REGISTER:
            got = self.regs.get(off)
            if got is None:
                name = self.name_of.get((off, size))
                if name is None and not self.image.little:
                    return self._low_part(off, size)
                return Sym(name) if name else None
            if got[0] < size and isinstance(got[1], int) and self.image.little:
                whole = self._pieces(off, size)
                if whole is not None:
                    return whole
            return _fit(got, size, self.image.little)
        if space == RAM:
            return self._load(off, size)
        return None

    def _parts(self, off: int, size: int) -> list[tuple[int, tuple[int, object]]] | None:
        """The parts a little-endian register was written in one by one (a vector register filled half
        by half), as (offset into it, (size, value)), when they cover it exactly; else None."""
        parts, at = [], off
        while at < off + size:
            got = self.regs.get(at)
            if got is None or at + got[0] > off + size:
                return None
            parts.append((at - off, got))
            at += got[0]
        return parts

    def _store_pieces(self, pointer: Sym, vn) -> None:
        """A vector register stored whole whose parts were written one by one (``punpcklqdq`` joining a
        stack address and a string's): each part lands at its own offset, whatever it holds (an
        argument vector of pointers of both kinds). Little-endian registers only."""
        parts = self._parts(vn[1], vn[2]) if self.image.little else None
        if parts is not None and len(parts) > 1:
            for delta, (width, value) in parts:
                self.store(Sym(pointer.base, pointer.offset + delta), width, value)

    def _pieces(self, off: int, size: int) -> int | None:
        """A little-endian register read whole where its parts were written one by one, each a
        constant, or None."""
        parts = self._parts(off, size)
        if parts is None or not all(isinstance(v, int) for _, (_, v) in parts):
            return None
        return sum(v << (8 * delta) for delta, (_, v) in parts)

    def _low_part(self, off: int, size: int):
        """A big-endian register's low bytes, read at their own offset (MIPS ``sh``/``sb`` and PowerPC
        ``sth``/``stb``/``stw`` of a 64-bit register store the bytes at the register's end)."""
        for whole in (4, 8):
            got = self.regs.get(off + size - whole)
            if got is not None and got[0] == whole:
                return _fit(got, size, False)
        return None

    def write(self, vn, value) -> None:
        space, off, size = vn
        if vn in self.zero_flags:
            del self.zero_flags[vn]
        if vn in self.masks:
            del self.masks[vn]
        if isinstance(value, int):
            value &= (1 << (8 * size)) - 1
            if value > 0xFF and self.image.in_data(value):
                if value & PAGE_MASK:
                    self.refs.add(value)
                else:
                    self.page_values[value] = self.page_values.get(value, 0) + 1
            if self.seen is not None:
                self.seen.add(value)
            if value in self.hash_values:
                self.marks.add(sign_narrowed(value))
        if space == UNIQUE:
            self.uniq[off] = value
        elif space == REGISTER:
            if isinstance(value, int) and 0 < value <= MAX_STATE_CONSTANT and off in self.general \
                    and self.conditions is None:
                self.reg_consts.append((self.at, off, value))
            elif isinstance(value, (Result, _Verdict)) and value.at and off in self.general and off != self.ret_off \
                    and self.conditions is None:
                self.reg_results.append((self.at, off, value.at))
            self._write_reg(off, size, value)

    def _write_reg(self, off: int, size: int, value) -> None:
        if value is HASHED:
            self.hashed_regs.add(off)
        regs = self.regs
        if self.pinned is not None and off == self.pinned[0] and not isinstance(value, int):
            value = self.pinned[1]
        regs.pop(off, None)
        for o in range(off + 1, off + size):
            regs.pop(o, None)
        for o in self.containing.get(off, ()):
            got = regs.get(o)
            if got is not None and o + got[0] > off:
                del regs[o]
                if self.image.little and o < off and isinstance(got[1], (int, Sym)):
                    # the bytes below the part written keep their value (``punpcklqdq`` fills the high
                    # half of an XMM register whose low half holds a pointer)
                    low = _fit(got, off - o)
                    if low is not None:
                        regs[o] = (off - o, low)
        if value is not None:
            regs[off] = (size, value)

    def _load(self, addr: int, size: int):
        image = self.image
        addr &= self.mask
        if addr in self.imports or addr in self.got_slots:
            return addr  # a call through this slot names the import
        if size == image.word:
            got = image.pointer(addr)
            return got if got is not None or not self._zeroed(addr) else Loaded(GLOBAL, addr, size)
        word = image.word
        if size > word and size % word == 0 and any(addr + i in image.pointers for i in range(0, size, word)):
            # a vector load of pointers (``ldp q1, q2`` copying an argv array of relocated pointers to
            # the stack): each word as relocated, in memory order
            words = [image.pointer(addr + i) for i in range(0, size, word)]
            if any(w is None for w in words):
                return None
            if not image.little:
                words.reverse()
            return sum(w << (8 * word * i) for i, w in enumerate(words))
        base = addr - addr % word
        if size < word and base in image.pointers and addr + size <= base + word:
            # part of a relocated pointer (``rep movsl`` copying an argv array of them 4 bytes at a time)
            whole = image.pointer(base)
            if whole is not None:
                shift = addr - base if image.little else base + word - addr - size
                return (whole >> (8 * shift)) & ((1 << (8 * size)) - 1)
        raw = image.read(addr, size)
        if raw is None or len(raw) != size:
            # a zero-initialised global (.bss) holds what the program put there at run time: a request
            # buffer read into a global structure, compared where it lies
            return Loaded(GLOBAL, addr, size) if raw is None and self._zeroed(addr) else None
        return int.from_bytes(raw, "little" if image.little else "big")

    def _zeroed(self, addr: int) -> bool:
        """Writable memory the file gives no content (.bss)."""
        return addr >= 0x1000 and self.image.writable(addr) and self.image.read(addr, 1) is None

    def load(self, pointer, size: int):
        if isinstance(pointer, int):
            return self._load(pointer, size)
        if isinstance(pointer, _Into):
            return Loaded(RETURNED.format(pointer.result.at), pointer.offset, size)
        if isinstance(pointer, Result) and pointer.at:
            return Loaded(RETURNED.format(pointer.at), 0, size)
        if isinstance(pointer, Sym):
            got = self.stack.get((pointer.base, pointer.offset))
            if got is not None:
                return _fit(got, size)
            return Loaded(pointer.base, pointer.offset, size)
        return None

    def store(self, pointer, size: int, value) -> None:
        if not isinstance(pointer, Sym):
            return
        base, off = pointer.base, pointer.offset
        stack = self.stack
        order = "little" if self.image.little else "big"
        for k in [k for k in stack if k[0] == base and off - 16 < k[1] < off + size]:
            have, old = stack[k]
            if k[1] + have > off:
                del stack[k]
                if isinstance(old, int) and have <= 8:
                    # the bytes of a constant the store leaves alone stay (``strcat`` writes over the NUL
                    # of the text before it: the text's other bytes are still there)
                    raw = (old & ((1 << (8 * have)) - 1)).to_bytes(have, order)
                    if k[1] < off:
                        stack[k] = (off - k[1], int.from_bytes(raw[:off - k[1]], order))
                    if k[1] + have > off + size:
                        stack[(base, off + size)] = (k[1] + have - off - size,
                                                     int.from_bytes(raw[off + size - k[1]:], order))
        if value is not None:
            stack[(base, off)] = (size, value)

    @staticmethod
    def _compared_length(name: str | None, args: list) -> int | None:
        """The constant length a compare routine is given (``strncmp(p, prefix, 7)``), else None."""
        spec = knowledge()["compare_routines"].get(base_name(name)) if name else None
        i = spec.get("length") if spec else None
        n = args[i] if i is not None and i < len(args) else None
        return n if isinstance(n, int) and MIN_STACK_STRING <= n <= MAX_STACK_STRING else None

    def stack_string(self, offset: int, length: int | None = None) -> bytes | None:
        """The NUL-terminated text stored constant by constant from stack offset ``offset`` (or its
        first ``length`` bytes, when a compare is given a length: a prefix needs no NUL), or None."""
        text = self._stack_bytes(offset, length)
        return text if text is not None and len(text) >= MIN_STACK_STRING and all(32 <= c < 127 for c in text) \
            else None

    def _stack_array(self, offset: int) -> list:
        """The pointers stored from stack offset ``offset`` on, one word each, up to a NULL."""
        out = []
        word = self.image.word
        for i in range(MAX_ARRAY_POINTERS):
            value = _arg(self._stack_word(offset + i * word))
            if value == 0:
                break
            out.append(value)
        return out

    def _stack_word(self, offset: int):
        """The word at stack offset ``offset``: stored alone, or a word of a wider constant stored over
        it (a vector store of several pointers)."""
        word = self.image.word
        for back in range(0, MAX_VECTOR_BYTES, word):
            got = self.stack.get(("sp", offset - back))
            if got is not None:
                size, value = got
                if size == word and back == 0:
                    return value
                if size < word and back == 0:
                    return self._narrow_word(offset)
                if not isinstance(value, int) or size <= back or size % word:
                    return None
                shift = back if self.image.little else size - back - word
                return (value >> (8 * shift)) & ((1 << (8 * word)) - 1)
        return None

    def _narrow_word(self, offset: int) -> int | None:
        """A word stored in narrower constant pieces (``rep movsl`` copying an array of 8-byte pointers
        four bytes at a time), or None."""
        raw, order = b"", "little" if self.image.little else "big"
        while len(raw) < self.image.word:
            got = self.stack.get(("sp", offset + len(raw)))
            if got is None or not isinstance(got[1], int) or len(raw) + got[0] > self.image.word:
                return None
            raw += (got[1] & ((1 << (8 * got[0])) - 1)).to_bytes(got[0], order)
        return int.from_bytes(raw, order)

    def _stack_bytes(self, offset: int, length: int | None = None) -> bytes | None:
        """The bytes stored constant by constant from stack offset ``offset`` up to a NUL (or ``length``
        bytes), or None."""
        out = bytearray()
        order = "little" if self.image.little else "big"
        while len(out) < MAX_STACK_STRING:
            got = self.stack.get(("sp", offset + len(out)))
            if got is None or not isinstance(got[1], int) or got[0] > 64:  # (a vector store: 16, 32 bytes)
                return bytes(out[:length]) if length is not None and len(out) >= length else None
            out += (got[1] & ((1 << (8 * got[0])) - 1)).to_bytes(got[0], order)
            end = out.find(0)
            if end >= 0 and (length is None or end <= length):
                return bytes(out[:end])
            if length is not None and len(out) >= length:
                return bytes(out[:length])
        return None

    def _copied_text(self, name: str | None, args: list) -> bool:
        """A copy routine that writes a constant text into a stack buffer (``strcpy(buf, "wyn");
        strcat(buf, "sol3")``): its bytes are stored there, so the text assembled at run time reads
        like one built character by character. False when the call is no such copy."""
        spec = knowledge()["copy_routines"].get(base_name(name)) if name else None
        if spec is None or max(spec) >= len(args):
            return False
        dest, src = args[spec[0]], args[spec[1]]
        if not isinstance(dest, Sym) or dest.base != "sp" or not isinstance(src, int) or not self.image.in_data(src):
            return False
        routine = base_name(name)
        text = self.image.cstring(src, MAX_STACK_STRING)
        if text is None:
            return False
        if routine in ("strncpy", "strncat", "strlcpy", "memcpy", "memmove"):
            size = args[2] if len(args) > 2 else None
            if not isinstance(size, int) or not 0 < size <= MAX_STACK_STRING:
                return False
            if routine in ("memcpy", "memmove"):
                text = self.image.read(src, size)
                if text is None or len(text) != size:
                    return False
            else:
                text = text[:size - 1] if routine == "strlcpy" else text[:size]
        at = dest.offset
        if routine in ("strcat", "strncat"):
            before = self._stack_bytes(at)
            if before is None:
                return False
            at += len(before)
        self._store_text(at, text if routine in ("memcpy", "memmove") else text + b"\0")
        return True

    def _store_text(self, at: int, body: bytes) -> None:
        """``body`` written byte by byte from stack offset ``at`` (read back as a text built there)."""
        self.store(Sym("sp", at), len(body), None)
        for i, b in enumerate(body):
            self.stack[("sp", at + i)] = (1, b)

    def _formatted(self, name: str | None, args: list) -> bool:
        """A formatter that writes a constant text into a stack buffer (``formatted_text``): its bytes
        are stored there, as a copy's would be. False when the call writes no such text."""
        got = formatted_text(self.image, name, args)
        if got is None or len(got[1]) >= MAX_STACK_STRING:
            return False
        self._store_text(got[0].offset, got[1] + b"\0")
        return True

    def _user_op(self, name: str | None, ins):
        """The few operations SLEIGH leaves as user operations that matter here: PowerPC's
        byte-reversed indexed loads (``ldbrx``), which is how compilers inline a ``memcmp``."""
        size = BYTE_REVERSED_LOADS.get(name or "")
        if size is None or len(ins) < 4:
            return None
        ra, rb = ins[2], ins[3]
        base = 0 if ra[0] == REGISTER and ra[1] == self.r0 else self.read(ra)
        index = self.read(rb)
        pointer = _add(base, index)
        if isinstance(pointer, int):
            raw = self.image.read(pointer & self.mask, size)
            if raw is None or len(raw) != size:
                return None
            return int.from_bytes(raw, "big" if self.image.little else "little")
        if isinstance(pointer, Sym):
            return Reversed(pointer.base, pointer.offset, size)
        return None

    def _remember(self, target: int, addr: int) -> None:
        """The values at a forward branch, for the block it jumps to: the linear walk enters that
        block after unrelated code (an out-of-line block), whose values are not the block's."""
        states = self.entry_states if target > addr else self.back_states
        if target <= addr:
            self.back_sources.setdefault(target, set()).add(addr)
        got = states.get(target)
        if got is None:
            states[target] = (dict(self.regs), dict(self.stack))
        else:  # a second branch to the same block: what the two paths disagree on is unknown there
            regs, stack = self.regs, self.stack
            if self.borrowed is not None:  # (what a block borrowed is not its own: see join)
                regs = _unborrowed(regs, self.borrowed[0], got[0])
                stack = _unborrowed(stack, self.borrowed[1], got[1])
            states[target] = (_merge(got[0], regs, target), _merge(got[1], stack, target))

    def hash_leaves(self, head: int, back: int) -> None:
        """At the back edge ``back`` of the loop at ``head``: a hash's running value leaves the loop by
        its exits as that hash, not as the value the exit's branch saw on the first pass (``-Os``
        tests the end of the input at the top: the exit is first reached with the initial value)."""
        hashed = {key for key, (_, v) in self.regs.items() if v is HASHED}
        if not hashed:
            return
        for at, target in self.branches.items():
            state = self.entry_states.get(target)
            if head <= at <= back and target > back and state is not None:
                for key in hashed:
                    state[0][key] = (self.regs[key][0], HASHED)

    def enter(self, addr: int, jumped_over: int | None = None) -> None:
        """Start the block at ``addr`` from the values of the branch that reaches it. Without one, the
        values are those of the code before; they are the block's own only when that code jumped
        over it (to ``jumped_over``) to a loop test that branches back here (-O0 loops: the loop's
        values live on the stack). When the branch back is not that test's, the loop was rotated the
        other way (-O2: ``b head; tail: check(user, pass); head: accept(); ...; bge tail``): the code
        above the branch back sets the block's registers, which it starts from on the next pass."""
        state = self.entry_states.get(addr)
        self.known_zero = None
        self.unreached = state is None and jumped_over is None
        # (a function's entry has its own values: nothing is borrowed there)
        self.borrowed = (dict(self.regs), dict(self.stack)) if state is None and addr != self.start else None
        if state is not None:
            self.regs, self.stack = dict(state[0]), dict(state[1])
        elif jumped_over is not None:
            regs = self.register_seeds.get(addr)
            if regs is not None:
                self.regs = dict(regs)
            self.jumped_into[addr] = jumped_over
        else:
            self.cold.add(addr)

    def _leaving(self, addr: int, target: int | None) -> None:
        if target is None:
            value = self._reg(self.cc.ret)
            if isinstance(value, (int, Result)):
                self.leaving.append((addr, None, value))
        elif len(self.leaving) < MAX_PATHS:
            self.leaving.append((addr, target, (dict(self.regs), dict(self.stack))))

    def replayer(self, state: tuple[dict, dict], conditions: bool = False) -> _Walker:
        """A second walker, entered with ``state`` (registers, stack), that replays lifted code without
        touching this walk's values; with ``conditions`` it also evaluates predicates and records each
        branch's condition (a loop's exit test)."""
        rep = self._replayer
        if rep is None:
            rep = self._replayer = _Walker(self.image, self.start | int(self.thumb))
            rep.starts, rep.call_fix = self.starts, self.call_fix
        rep.regs, rep.stack = dict(state[0]), dict(state[1])
        rep.conditions = {} if conditions else None
        for kept in (rep.uniq, rep.entry_states, rep.back_states, rep.leaving, rep.return_ops):
            kept.clear()
        return rep

    def lifted_block(self, lo: int, hi: int, addrs: list[int] | None = None) -> list[tuple[int, list]]:
        """The instructions the walk lifted from ``lo`` to ``hi`` (inclusive), in address order
        (``addrs``: the lifted addresses, sorted, when the caller has them)."""
        addrs = sorted(self.lifted) if addrs is None else addrs
        return [(a, self.lifted[a]) for a in addrs[bisect.bisect_left(addrs, lo):bisect.bisect_right(addrs, hi)]]

    def _exit_value(self, block: list, state: tuple[dict, dict]):
        """The return register at the return of the exit block ``block`` (its lifted instructions)
        entered with ``state`` (the block may move the value there: ``mov r0, r3``)."""
        walker = self.replayer(state)
        for addr, ops in block:
            walker.uniq.clear()
            for _ in walker.step(addr, ops):
                pass
            if walker.return_ops:
                return walker._reg(walker.cc.ret)
        return None

    def _exit_end(self, target: int, ends: list[int]) -> int | None:
        """The return that ends the exit block at ``target`` (``ends``: the sorted block ends), or None
        when no short block there returns."""
        i = bisect.bisect_left(ends, target)
        if i >= len(ends) or ends[i] not in self.return_ops or ends[i] - target > RETURN_BLOCK:
            return None
        return ends[i]

    def used_pages(self, out: Walk | None) -> set[int]:
        """The page-aligned addresses that are addresses of their own: written again (``adrp`` then
        ``add #0``), passed to a call or stored. An upper half only offset from (``lui $v0, 9`` then
        ``lw $a0, -0x1560($v0)``) names no datum, even when a string happens to start at the page.
        MIPS PIC code loads such upper halves from its GOT (page entries)."""
        if self.image.arch.startswith(("mips", "ppc")):
            # a 64 KiB-aligned value there is a ``lui``/``lis`` half or a MIPS GOT page entry, loaded
            # again and again and left in argument registers and stack slots: never an address alone
            return {v for v in self.page_values if v & 0xFFFF}
        used = {v for v, n in self.page_values.items() if n > 1}
        if out is not None:
            passed = {a for c in out.calls for a in c.args if isinstance(a, int)}
            passed |= {s.value for s in out.stores}
            used |= passed & self.page_values.keys()
        return used

    def finish(self) -> None:
        """Once the walk is over, keep only what :meth:`returned` needs, perhaps much later (the walk
        holds on to this walker until then): the paths into exit blocks and the lifted code of those
        blocks; not the values at each branch target."""
        ends = sorted(self.block_ends)
        targets = {t for _, t, _ in self.leaving if t is not None}
        spans = [(t, end) for t in targets for end in [self._exit_end(t, ends)] if end is not None]
        addrs = sorted(self.lifted)
        self.lifted = {a: ops for lo, end in spans for a, ops in self.lifted_block(lo, end + 7, addrs)}
        exits = {t for t, _ in spans}
        # the values a path carries into a block that does not return are not read again
        self.leaving = [(a, t, v) for a, t, v in self.leaving if t is None or t in exits]
        self.entry_states, self.back_states, self.regs, self.stack, self.uniq = {}, {}, {}, {}, {}
        self._replayer = None

    def returned(self, thumb: int = 0) -> tuple[set, list]:
        """What the function returns: the call results, and (address, constant) of the constants, in the
        return register where a path returns or goes to a block that returns."""
        ends = sorted(self.block_ends)
        results, constants = set(), []
        blocks: dict[int, list] = {}
        for addr, target, value in self.leaving:
            if target is not None:
                end = self._exit_end(target, ends)
                if end is None:
                    continue
                if target not in blocks:  # as the walk lifted it; replayed for each path into it
                    blocks[target] = self.lifted_block(target, end + 7) if target in self.lifted else \
                        list(instructions(self.image, target | thumb, end + 8))
                value = self._exit_value(blocks[target], value)
            if isinstance(value, Result):
                results.add(value)
            elif isinstance(value, int):
                constants.append((addr, value))
        return results, constants

    def join(self, addr: int) -> None:
        """The code before ``addr`` falls into it, and branches reach it too (``if (!p) p = "/";``): a
        value the paths disagree on is unknown from here on, not the value of the path walked last."""
        state = self.entry_states.get(addr)
        if state is not None:
            self.known_zero = None
            self._leaving(addr, addr)
            if self.unreached and any(v in self.hash_values for _, v in state[0].values() if isinstance(v, int)):
                # a hash loop entered by a jump to its test, its body laid out above after another block:
                # the body was walked with that block's values, the jump brings the hash's own (its
                # basis, its prime); the next pass walks the body from the test's branch back
                self.regs, self.stack = dict(state[0]), dict(state[1])
            else:
                regs, stack = self.regs, self.stack
                if self.borrowed is not None:
                    # what a block no earlier code reaches kept of the values it borrowed is not its
                    # own: the branch here brings the values this path has (a constant the loop's
                    # code keeps in a stack slot, set before the jump into the loop)
                    regs, stack = _unborrowed(regs, self.borrowed[0], state[0]), \
                        _unborrowed(stack, self.borrowed[1], state[1])
                self.regs, self.stack = _merge(state[0], regs, addr), _merge(state[1], stack, addr)
            self.unreached = False
            self.borrowed = None

    def _part(self, loaded: Loaded, low: int, size: int) -> Loaded:
        """Bytes ``low`` .. ``low + size`` (counted from the least significant) of a loaded value, as
        the memory they came from."""
        if size == loaded.size:
            return loaded
        cls = type(loaded)
        little = self.image.little != isinstance(loaded, Reversed)
        offset = loaded.offset + (low if little else loaded.size - low - size)
        return cls(loaded.base, offset, size)

    # ------------------------------------------------------------------ calls

    def _swapped(self, name: str | None, args: list):
        """``ntohl(x)`` of bytes read from memory: the same bytes, in network (big-endian) order, so
        that its compare with a constant is a compare of that memory."""
        size = byte_order_routines().get((name or "").split("@", 1)[0])
        first = args[0] if args else None
        if size is None or not isinstance(first, Loaded) or first.size < size:
            return None
        part = self._part(first, 0, size)
        if not self.image.little:
            return part  # big-endian: the conversion changes nothing
        return Loaded(part.base, part.offset, size) if isinstance(part, Reversed) else \
            Reversed(part.base, part.offset, size)

    def call(self, addr: int, target) -> Call:
        tgt = target if isinstance(target, int) else None
        name = (self.imports.get(tgt) or self.got_slots.get(tgt)) if tgt is not None else None
        cc = self.cc
        if name is None and tgt is not None and self.image.arch.startswith("ppc") and self._saver(tgt):
            return Call(addr, tgt, None, [])  # a prologue's register-save routine: every value stays
        stacked = []
        if cc.args:
            args = [_arg(self._reg(r)) for r in cc.args]
            sp = self._reg(cc.sp)
            if isinstance(sp, Sym):
                # a variadic list's words past the registers (``execl`` with a long command line)
                first = sp.offset + cc.stack_args + (16 if self.image.arch == "ppc64" and not self.image.little else 0)
                word = self.image.word
                stacked = [_arg(got[1]) if (got := self.stack.get((sp.base, first + word * i))) and got[0] == word
                           else None for i in range(MAX_STACKED_ARGS)]
        else:
            sp = self._reg(cc.sp)
            args = []
            for i in range(6):
                got = self.stack.get((sp.base, sp.offset + cc.stack_args + 4 * i)) if isinstance(sp, Sym) else None
                args.append(_arg(got[1]) if got else None)
        # (a tiny function's result, from the arguments as they are before the call clobbers them)
        leaf = self._leaf(self._mode_of(addr, tgt)) if name is None and tgt is not None \
            and self.image.is_code(tgt) else None
        built = {i: b for i, a in enumerate(args) if isinstance(a, Sym) and a.base == "sp"
                 for b in [self.stack_string(a.offset, self._compared_length(name, args))] if b}
        arrays = {}
        # (a routine without a name may turn out to be an exec front end of a static C library:
        # ``analyzer._name_exec_wrappers``; its vector is read as one's would be)
        argv = knowledge()["argv_arguments"]
        vector = argv.get(base_name(name)) if name else argv["execv"]
        if vector is not None and vector < len(args) and isinstance(args[vector], Sym) and args[vector].base == "sp":
            arrays[vector] = self._stack_array(args[vector].offset)
        if not self._copied_text(name, args) and not self._formatted(name, args + stacked):
            self._forget_written(name, args)
        for r in cc.clobber:
            if r in self.reg_of:
                self._set_reg(r, CLOBBERED)  # not the caller's value any more (None would read as that)
        returned = self._swapped(name, args)
        if returned is None:
            returned = leaf
        if returned is None and name and args and base_name(name) in knowledge()["returns_destination"]:
            returned = args[0]  # ``strcpy`` returns its destination
        if returned is None and name and args and base_name(name) == "strlen" and isinstance(args[0], Sym) \
                and args[0].base == "sp":
            text = self._stack_bytes(args[0].offset)
            returned = len(text) if text is not None else None  # a text built on the stack: its length
        self._set_reg(cc.ret, returned if returned is not None else Result(name, addr))
        if cc.extrapop:
            sp = self._reg(cc.sp)
            if isinstance(sp, Sym):
                self._set_reg(cc.sp, Sym(sp.base, sp.offset + cc.extrapop))
        return Call(addr, tgt, name, args, built, arrays, stacked)

    def _mode_of(self, addr: int, target: int) -> int:
        """The call's target as ``instructions`` takes it: odd for Thumb code. A ``bl`` keeps the
        caller's instruction set; a ``blx`` (rewritten to ``bl``, see ``call_fix``) switches it."""
        if self.image.arch != "arm":
            return target
        thumb = self.thumb != (addr in self.call_fix)
        return target | 1 if thumb else target & ~1

    def _leaf(self, target: int):
        """What a tiny function of the program returns, computed from the arguments: one that only
        moves bytes of its argument around (musl's ``ntohl``: ``mov eax, edi; bswap eax; ret``) hands
        back the same memory, in its order. None for anything else."""
        bodies = self.image.leaf_bodies
        if target not in bodies:
            bodies[target] = _leaf_body(self.image, target)
        body = bodies[target]
        if body is None:
            return None
        rep = self.replayer((self.regs, self.stack))
        for a, ops in body:
            rep.uniq.clear()
            for _ in rep.step(a, ops):
                pass
        value = rep._reg(self.cc.ret)
        return value if isinstance(value, Loaded) else None

    def _saver(self, target: int) -> bool:
        got = self.savers.get(target)
        if got is None:
            got = self.savers[target] = ppc.saves_registers(self.image, target)
        return got

    def _compared_registers(self, ins) -> None:
        """A constant loaded into a register just to be compared with (MIPS ``li v0, 1; bne v1, v0``)
        is an operand, not a value the program keeps: its write is no state. (A register compared
        with an immediate is a value tested, ``cmp r4, #2``: it stays.)"""
        if len(ins) < 2 or ins[0][0] != REGISTER or ins[1][0] != REGISTER:
            return
        for vn in ins[:2]:
            if vn[0] != REGISTER:
                continue
            for i in range(len(self.reg_consts) - 1, max(len(self.reg_consts) - 4, -1), -1):
                at, off, _ = self.reg_consts[i]
                if off == vn[1] and self.at - at <= COMPARED_WITHIN:
                    del self.reg_consts[i]
                    break

    def _forget_written(self, name: str | None, args: list) -> None:
        """What a call may write through a pointer it is given is no longer what the walk stored there
        (``buf[0] = 0; read_line(in, buf, 64);`` leaves input in ``buf``, not the zero): the program's
        own routines may write through any pointer argument, a library routine through the one it
        fills (a copy's destination, a read's buffer). The extent is the size argument after the
        pointer when there is one, else the word the pointer points at."""
        written = None if name is None else written_argument(base_name(name))
        regions = []
        for i, a in enumerate(args):
            if not isinstance(a, Sym) or not (name is None or i == written):
                continue
            # (a size: a small number that is no address of the program, ``"\r\n"`` in a small PIE)
            extent = next((n for n in args[i + 1:] if isinstance(n, int) and 0 < n <= MAX_WRITTEN_EXTENT
                           and not self.image.in_data(n)), 1)
            if a.base == "sp":  # a buffer that was filled: a later routine may fill it again
                key = (a.base, a.offset)
                self.escaped[key] = max(extent, self.escaped.get(key, 0))
            regions.append((a.base, a.offset, extent))
        direct = len(regions)
        if name is None:
            # the program's own routine may also write through a pointer kept elsewhere (a structure's
            # field, a spilled local): every stack buffer whose address an earlier call was given
            regions += [(base, off, extent) for (base, off), extent in self.escaped.items()]
        for n, (base, off, extent) in enumerate(regions):
            stale = [k for k in self.stack if k[0] == base and off <= k[1] < off + extent]
            for k in stale:
                # (an earlier buffer's extent is a guess from a size argument; a slot holding the address
                # of a stack buffer or of a constant is a spilled pointer of the caller's own, not that
                # buffer's contents)
                if n >= direct and self._spilled_pointer(self.stack[k][1]):
                    continue
                del self.stack[k]

    def _spilled_pointer(self, value) -> bool:
        if isinstance(value, Sym):
            return value.base == "sp"
        return isinstance(value, int) and value >= MIN_ADDRESS and (
            self.image.readonly(value) or self.image.in_data(value))

    # ------------------------------------------------------------------ operations

    def step(self, addr: int, ops: list) -> Iterator:
        if ops and ops[-1][0] == BRANCH and ops[-1][2][0][1] == addr and ops[-1][2][0][0] == RAM:
            yield from self._repeated(addr, ops)
            return
        yield from self._step(addr, ops)

    def _repeated(self, addr: int, ops: list) -> Iterator:
        """An instruction that repeats itself while a count lasts (x86 ``rep movsq``: test the count,
        copy one element, branch back to itself): a copy's passes are followed while the test's value
        is known, so a vector copied from constant data onto the stack holds its pointers."""
        test = next((i for i, op in enumerate(ops) if op[3] == "cbranch"), None)
        if test is None or not any(op[0] == LOAD for op in ops):
            # (a fill, ``rep stos``, is walked once: a buffer zeroed whole would read as zeros where the
            # program fills it through pointers the walk does not follow, a uid of 0 among them)
            yield from self._step(addr, ops)
            return
        for _ in range(MAX_REPEAT):
            kept, self.conditions = self.conditions, {} if self.conditions is None else self.conditions
            for _ in self._step(addr, ops[:test]):  # (the test's value: predicates are computed)
                pass
            self.conditions = kept
            done = self.read(ops[test][2][1])
            if not isinstance(done, int):
                break  # a count the walk does not know: one pass, as any other instruction
            if done:
                yield from self._step(addr, ops[test:test + 1] + ops[-1:])  # the branches, for the blocks
                return
            yield from self._step(addr, ops[test + 1:-1])
        yield from self._step(addr, ops[test:])

    def _step(self, addr: int, ops: list) -> Iterator:
        self.at = addr
        compared = False
        first = None  # the operands of the instruction's first compare, when it came from an equality
        read, write = self.read, self.write
        for code, out, ins, name in ops:
            if code == IGNORE or code == RETURN:
                if name == "cbranch" and self.conditions is not None:
                    self.conditions[addr] = read(ins[1])
                if name == "cbranch" and ins[0][0] == RAM:
                    self.branches[addr] = ins[0][1]
                    self._remember(ins[0][1], addr)
                    flag = self.zero_flags.get(ins[1])
                    # (the branch not taken: its condition is false)
                    self.known_zero = flag[0] if flag is not None and not flag[1] else None
                elif code == RETURN:
                    self.block_ends.add(addr)
                    self.return_ops.add(addr)
                    self._leaving(addr, None)
                continue
            if code == CALL or code == CALLIND:
                target = ins[0][1] if code == CALL else read(ins[0])
                if code == CALL and addr in self.call_fix:
                    target += self.call_fix[addr]
                yield self.call(addr, target)
                continue
            if code == BRANCH or code == BRANCHIND:
                target = ins[0][1] if code == BRANCH and ins[0][0] == RAM else \
                    read(ins[0]) if code == BRANCHIND else None
                if code == BRANCH and isinstance(target, int) and target in self.starts and target != self.start:
                    # a tail call of another function (``return check(user, pass);`` as ``j check``)
                    self.block_ends.add(addr)
                    yield self.call(addr, target)
                    self._leaving(addr, None)
                    continue
                if code == BRANCH and isinstance(target, int):
                    self.jumps[addr] = target
                    self._remember(target, addr)
                    self._leaving(addr, target)
                self.block_ends.add(addr)
                if isinstance(target, int) and (target in self.imports or target in self.got_slots):
                    yield self.call(addr, target)  # a tail call into an import
                elif code == BRANCHIND:
                    self.indirect.add(addr)  # a switch's jump through its table: the cases are unknown
                continue
            if code == CALLOTHER:
                if out is not None:
                    write(out, self._user_op(name, ins))
                continue
            if code == STORE:
                size = ins[2][2]
                value = read(ins[2])
                if self.known_zero is not None and value == self.known_zero:
                    value = 0
                pointer = read(ins[1])
                self.store(pointer, size, value)
                if size > self.image.word and isinstance(pointer, Sym):
                    # (x86 copies the register to a temporary first: ``unique = XMM0; *[ram]p = unique``)
                    src = ins[2] if ins[2][0] == REGISTER else next(
                        (i[0] for c, o, i, _ in ops if c == COPY and o == ins[2] and i[0][0] == REGISTER), None)
                    if src is not None:
                        self._store_pieces(pointer, src)
                if isinstance(value, int) and size <= 8:
                    yield Store(addr, value & ((1 << (8 * size)) - 1), size,
                                pointer if isinstance(pointer, (int, Sym)) else None)
                elif isinstance(value, Result) and isinstance(pointer, (int, Sym)):
                    yield Kept(addr, pointer, value)
                continue
            if out is None:
                continue
            if out[0] == RAM and code == COPY:
                # a store to a fixed address (x86 ``mov [rip+X], eax``): the op writes memory directly
                value = read(ins[0])
                if isinstance(value, int) and out[2] <= 8:
                    yield Store(addr, value & ((1 << (8 * out[2])) - 1), out[2], out[1])
                elif isinstance(value, Result):
                    yield Kept(addr, out[1], value)
                continue
            if code == LOAD:
                write(out, self.load(read(ins[1]), out[2]))
                continue
            if code == UNKNOWN:
                write(out, None)
                continue
            if (code >= LESS or code == EQUAL or code == NOTEQUAL) and self.reg_consts:
                self._compared_registers(ins)
            if code == LESS and len(ins) > 1 and ins[1][0] == CONST and ins[1][1] == 1 and not compared:
                # ``sltiu v0, v0, 1`` (unsigned x < 1): x == 0, how -O0 MIPS returns a compare's result
                first = read(ins[0])
                if isinstance(first, _Diff):
                    event = _compare(addr, first, 0)
                    if event is not None:
                        compared = True
                        yield event
            if code >= LESS:  # a predicate: only a replayed loop needs its value (its exit test)
                if self.conditions is None:
                    # a call's verdict negated or combined stays that verdict (``setne``; ``cset``)
                    first = read(ins[0])
                    flag = self.zero_flags.get(ins[0]) if code == BOOL_NEGATE else None
                    write(out, first if code == BOOL_NEGATE and isinstance(first, _Verdict) else None)
                    if flag is not None:
                        self.zero_flags[out] = (flag[0], not flag[1])
                    continue
                write(out, _predicate(code, read(ins[0]), read(ins[1]) if len(ins) > 1 else None, ins[0][2]))
                continue
            a = read(ins[0])
            b = read(ins[1]) if len(ins) > 1 else None
            value = masked = None
            if code in _HASH_TESTS and isinstance(a, int) and isinstance(b, int) and a in self.hash_values \
                    and b not in self.hash_values:
                a = HASHED  # the hash's initial value, on the path of an empty input: the hash compared
            elif code in _HASH_TESTS and isinstance(a, int) and isinstance(b, int) and b in self.hash_values \
                    and a not in self.hash_values:
                a, b = HASHED, a
            if isinstance(a, _Diff) and a.loaded is HASHED and (code in _HASH_MIXING or b is HASHED):
                a = HASHED  # a step of the hash after all (``h + K`` in a mixing round), not its test
            if code in _HASH_OPS and (a is HASHED or b is HASHED or code in _HASH_STEPS and (
                    a in self.hash_values or b in self.hash_values)) and not (
                    code in (SUB, XOR, ADD) and a is HASHED and isinstance(b, int) and b not in self.hash_values
                    and _large(b if code != ADD else -b & _mask(ins[1][2]), ins[1][2])):
                # (the hash's value compared: ``h - K``, ``h ^ K``, ``h + K == 0`` for ``~crc == X``)
                write(out, HASHED)
                continue
            if code == COPY or code == ZEXT:
                value = a
            elif isinstance(a, _Verdict) and (code == LEFT or code == ADD and (b == a or isinstance(b, int))):
                value = a  # ``add %r12d, %r12d``, ``lsl #1``, ``+ 1``: a level made from the verdict
            elif code == SEXT:
                value = _sext(a, ins[0][2]) if isinstance(a, int) else a
            elif code == ADD:
                value = _add(a, b)
                if value is None and isinstance(a, (Sym, _Inside)) and not isinstance(b, (Sym, _Inside)) \
                        and ins[0][2] == self.image.word:
                    value = a if isinstance(a, _Inside) else _Inside(a)
                elif value is None and isinstance(b, (Sym, _Inside)) and not isinstance(a, (Sym, _Inside)) \
                        and ins[1][2] == self.image.word:
                    value = b if isinstance(b, _Inside) else _Inside(b)
                if (isinstance(a, Result) and a.at or a is HASHED) and isinstance(b, int) \
                        and _large(-b & _mask(ins[1][2]), ins[1][2]):
                    value = _Diff(a, -b & _mask(ins[1][2]))  # ``crc + K == 0``: the result compared with -K
            elif code == SUB:
                a = _narrowed(a, self.image.little)
                if ins[0] == ins[1] and ins[0][0] != CONST:
                    value = 0  # `sub r0, r0, r0`
                elif isinstance(a, _Keyed) and isinstance(b, int):
                    value = _Diff(a.loaded, a.solve(b))
                elif isinstance(b, _Keyed) and isinstance(a, int):  # AArch64 ``cmp w5, w3, uxtb``
                    value = _Diff(b.loaded, b.solve(a))
                elif isinstance(b, (Sym, Result, _Into)):
                    value = _difference(a, b)
                elif isinstance(b, int):
                    value = _add(a, -b)
                    if isinstance(a, Result) and _large(b, ins[1][2]):
                        value = _Diff(a, b)
                    elif a is HASHED and _large(b, ins[1][2]):
                        value = _Diff(HASHED, b)
                    elif _unnamed(a) and _large(b, ins[1][2]):
                        value = _Diff(OPAQUE, b, ins[0][1] if ins[0][0] == REGISTER else None)
                    if isinstance(a, Loaded):
                        value = _Diff(a, b)
                        if a.size >= 4 and not compared:
                            # a word subtracted from a constant is a compare (PowerPC's branch-free
                            # inlined memcmp tests the difference later, not with an equality)
                            compared = True
                            yield _compare(addr, a, b)
            elif code == AND:
                if isinstance(a, int) and isinstance(b, int):
                    value = a & b
                elif isinstance(a, Loaded) and b in (0xFF, 0xFFFF, 0xFFFFFFFF):
                    value = self._part(a, 0, min(a.size, (b.bit_length() + 7) // 8))
                elif isinstance(a, _Keyed) and isinstance(b, int) and b & 0xFF == 0xFF:
                    value = a
                elif isinstance(a, Sym) and isinstance(b, int) and a.base == "sp":
                    value = a  # stack alignment
                elif ins[0] == ins[1] and isinstance(a, Result):
                    value = a  # x86 ``test eax, eax``
                elif isinstance(b, int) and _unnamed(a) and bin(b & _mask(ins[1][2])).count("1") >= MIN_MASK_BITS:
                    # a hash's constant that no instruction can hold, applied as clears of its complement
                    # (Thumb-2 ``bic r1, #0x12400000; bic r1, #0x77800; ...`` for ``& 0xedb88320``): the
                    # value stays unknown, the constants and-ed into it so far are kept beside it
                    mask = self.masks.get(ins[0], _mask(ins[1][2])) & b
                    if mask in self.hash_values:
                        value = HASHED
                        self.marks.add(mask)  # (the hash is named after its constant)
                    else:
                        masked = mask
            elif code == OR:
                if isinstance(a, int) and isinstance(b, int):
                    value = a | b
                elif isinstance(a, (_Diff, _Diffs)) and isinstance(b, (_Diff, _Diffs)):
                    value = _Diffs(_parts(a) + _parts(b))
                elif b == 0:
                    value = a  # MIPS `move` is `or rd, rs, zero`
                elif a == 0:
                    value = b
                elif ins[0] == ins[1]:
                    value = a  # PowerPC `mr` is `or rd, rs, rs`
                elif a is LOW_BYTE_CLEAR and isinstance(b, _Keyed):
                    value = b
                elif b is LOW_BYTE_CLEAR and isinstance(a, _Keyed):
                    value = a
            elif code == XOR:
                if ins[0] == ins[1] and ins[0][0] != CONST:
                    value = 0  # `xor edi, edi`
                elif isinstance(a, int) and isinstance(b, int):
                    value = a ^ b
                elif isinstance(a, Loaded) and isinstance(b, int) and a.size >= 4:
                    value = _Diff(a, b, xor=True)  # zero exactly when the word equals the constant
                elif isinstance(b, Loaded) and isinstance(a, int) and b.size >= 4:
                    value = _Diff(b, a, xor=True)
                elif isinstance(a, Loaded) and isinstance(b, int) or isinstance(b, Loaded) and isinstance(a, int):
                    value = _Keyed(a, XOR, b) if isinstance(a, Loaded) else _Keyed(b, XOR, a)
                elif isinstance(a, _Keyed) and a.op == XOR and isinstance(b, int):
                    value = _Keyed(a.loaded, XOR, a.key ^ b)  # a key applied in halves (``xoris; xori``)
                elif (isinstance(a, Result) or a is HASHED) and isinstance(b, int) and _large(b, ins[1][2]):
                    value = _Diff(a, b, xor=True)
            elif code in (LEFT, RIGHT) and isinstance(b, int) and b >= 8 * ins[0][2]:
                value = 0  # shifted out entirely (PowerPC's rotate by zero: ``x << 0 | x >> 32``)
            elif code == LEFT:
                if isinstance(a, int) and isinstance(b, int) and b < 64:
                    value = a << b
                elif isinstance(a, _Keyed) and b == 0:
                    value = a  # AArch64's extended-register operand shifts by zero
                elif isinstance(a, _Keyed) and isinstance(b, int) and 8 <= b < 8 * ins[0][2]:
                    value = LOW_BYTE_CLEAR
            elif code == RIGHT:
                if isinstance(a, int) and isinstance(b, int) and b < 64:
                    value = a >> b
                elif isinstance(a, Loaded) and isinstance(b, int) and b % 8 == 0 and 0 < b // 8 < a.size:
                    value = self._part(a, b // 8, a.size - b // 8)  # the upper bytes of a wide load
            elif code == MULT:
                if isinstance(a, int) and isinstance(b, int):
                    value = a * b
            elif code == TWOCOMP:
                value = -a if isinstance(a, int) else _difference(0, a)
            elif code == NEGATE:
                value = ~a if isinstance(a, int) else None
            elif code == SUBPIECE:
                if isinstance(a, int) and isinstance(b, int):
                    value = a >> (8 * b)
                elif a is not None and a == self.known_zero:
                    value = 0  # the low byte of a result the branch passed says is zero (a NUL stored)
                elif isinstance(a, Loaded) and isinstance(b, int) and b + out[2] <= a.size:
                    value = self._part(a, b, out[2])
            elif code == PIECE:
                if isinstance(a, int) and isinstance(b, int):
                    value = (a << (8 * ins[1][2])) | b
            elif code == LZCOUNT:
                # PowerPC's branch-free equality, ``xor; cntlzw; srwi 5``: all 32 leading bits are zero
                # exactly when the word equals the constant it was xor-ed with
                if isinstance(a, int):
                    value = 8 * ins[0][2] - (a & _mask(ins[0][2])).bit_length()
                elif isinstance(a, (_Diff, _Diffs)) and not compared:
                    compared = True
                    for part in _parts(a):
                        event = _compare(addr, part, 0)
                        if event is not None:
                            yield event
            if value is None and code in (AND, OR, LEFT, RIGHT, ZEXT, SUBPIECE) and (
                    isinstance(a, (Loaded, _Bytes)) or code == OR and isinstance(b, (Loaded, _Bytes))):
                first, second = (a, b) if isinstance(a, (Loaded, _Bytes)) else (b, a)
                value = _byte_op(code, first, second, out[2], self.image.little)
            elif code == ADD and value is None and isinstance(b, int) and isinstance(a, Loaded) and a.size >= 4:
                value = _Offset(a, b)
            elif code == ADD and value is None and isinstance(b, int) and isinstance(a, Loaded):
                value = _Keyed(a, ADD, b)
            elif code == SUBPIECE and value is None and isinstance(a, _Keyed) and b == 0:
                value = a
            elif code == SUB and isinstance(a, _Offset) and isinstance(b, int):
                value = _Diff(a.loaded, (b - a.value) & ((1 << (8 * a.loaded.size)) - 1))
            if code == EQUAL or code == NOTEQUAL:
                # (a word shifted down out of a wider load: ``srdi r9,r9,32; cmpw r9,r10`` compares the
                # load's upper bytes, read as that memory)
                if isinstance(a, _Bytes) or isinstance(b, _Bytes):
                    a, b = _narrowed(a, self.image.little), _narrowed(b, self.image.little)
                if self.conditions is not None and isinstance(a, int) and isinstance(b, int):
                    value = int((a == b) == (code == EQUAL))
                zero_flag = None
                if (isinstance(a, Result) and a.at and b == 0) or (isinstance(b, Result) and b.at and a == 0):
                    self.zero_tests[addr] = (a if b == 0 else b).at  # ``if (fork() == 0)``
                    zero_flag = (a if b == 0 else b, code == EQUAL)
                    if value is None:
                        value = _Verdict((a if b == 0 else b).at)  # the flag ``setne``/``cset`` turns into a level
                # (x86 sets its zero flag from every ``xor``: a keyed byte tested against an immediate
                # zero is no compare; a zero read from a table is)
                if isinstance(a, _Diff) and isinstance(b, int) and b:
                    a, b = a.against(b, ins[1][2]), 0
                elif isinstance(b, _Diff) and isinstance(a, int) and a:
                    a, b = b.against(a, ins[0][2]), 0
                if isinstance(a, _Keyed) and isinstance(b, int) and (b or ins[1][0] != CONST):
                    a, b = a.loaded, a.solve(b)
                elif isinstance(b, _Keyed) and isinstance(a, int) and (a or ins[0][0] != CONST):
                    a, b = b.loaded, b.solve(a)
                if isinstance(a, _Offset) and isinstance(b, int):
                    a, b = a.loaded, (b - a.value) & ((1 << (8 * a.loaded.size)) - 1)
                elif isinstance(b, _Offset) and isinstance(a, int):
                    a, b = b.loaded, (a - b.value) & ((1 << (8 * b.loaded.size)) - 1)
                group = a if isinstance(a, _Diffs) and b == 0 else b if isinstance(b, _Diffs) and a == 0 else None
                if group is not None and not compared:
                    compared = True
                    for part in group.parts:
                        yield _compare(addr, part, 0)
                else:
                    # one compare per instruction, except a second one of other operands: a MIPS branch
                    # and the conditional move in its delay slot test two things (``beq s2, a2`` and
                    # ``movz a0, a1, v0``)
                    event = _compare(addr, a, b, ins)
                    if event is not None and (not compared or first is not None and _operands(event) != first):
                        first = _operands(event) if not compared else None
                        compared = True
                        yield event
                write(out, value)
                if zero_flag is not None:
                    self.zero_flags[out] = zero_flag
                continue
            copied = self.zero_flags.get(ins[0]) if code == COPY and self.zero_flags else None
            write(out, value)
            if copied is not None:
                self.zero_flags[out] = copied  # (a flag moved into the status register: ``ZR = tmpZR``)
            if masked is not None:
                self.masks[out] = masked


_HASH_OPS = frozenset({COPY, ZEXT, SEXT, ADD, SUB, AND, OR, XOR, LEFT, RIGHT, MULT, TWOCOMP, NEGATE, SUBPIECE, PIECE})
#: operations that compare (an equality, or the difference or exclusive or tested for zero)
_HASH_TESTS = frozenset({SUB, XOR, EQUAL, NOTEQUAL})
#: operations that make a hash's running value from one of its constants (not a copy of the constant)
_HASH_STEPS = frozenset({ADD, SUB, AND, OR, XOR, MULT})
#: operations that only a hash's mixing applies to its running value (never its final test)
_HASH_MIXING = frozenset({MULT, LEFT, RIGHT, AND, OR})


#: the most bytes a call is taken to write through a pointer it is given with a size (a read's buffer)
MAX_WRITTEN_EXTENT = 0x10000


_CONVERSION = re.compile(rb"%(s|d|u|c|%)")
_OTHER_CONVERSION = re.compile(rb"%(?![sduc])")
#: a static program's unnamed formatter is recognised by its shape: a buffer, a size up to this, a format
MAX_FORMAT_SIZE = 4096


def format_index(name: str | None, args: list) -> int | None:
    """Index of the format argument of a formatter call (``sprintf``: 1, ``snprintf``: 2); a static
    program's unnamed formatter is recognised by its shape (a size, then the format)."""
    routines = knowledge()["format_routines"]
    base = base_name(name or "")
    if base in routines:
        return routines[base][1]
    if name is None and len(args) > 2 and isinstance(args[1], int) and 0 < args[1] <= MAX_FORMAT_SIZE:
        return 2
    return None


def formatted_text(image: Image, name: str | None, args: list) -> tuple[Sym, bytes] | None:
    """(stack buffer, text) that ``snprintf(buf, n, fmt, ...)`` or ``sprintf(buf, fmt, ...)`` writes when
    the format and every argument it converts are constants (a secret assembled from pieces at run
    time: ``snprintf(buf, 64, "%s%s%s", "iyq8a", "cp", "_ts")``), else None."""
    if len(args) < 3 or not isinstance(args[0], Sym) or args[0].base != "sp":
        return None
    at = format_index(name, args)
    fmt = image.cstring(args[at], 64) if at is not None and at < len(args) and isinstance(args[at], int) \
        and image.in_data(args[at]) else None
    if not fmt or b"%" not in fmt or _OTHER_CONVERSION.search(fmt.replace(b"%%", b"")):
        return None  # widths, precisions, other conversions: not evaluated
    pieces, last, values = [], 0, list(args[at + 1:])
    for m in _CONVERSION.finditer(fmt):
        pieces.append(fmt[last:m.start()])
        last = m.end()
        conv = m.group(1)
        if conv == b"%":
            pieces.append(b"%")
            continue
        value = values.pop(0) if values else None
        if conv == b"s":
            piece = image.cstring(value, 64) if isinstance(value, int) and image.in_data(value) else None
        elif isinstance(value, int):
            piece = bytes([value & 0xFF]) if conv == b"c" else str(value).encode()
        else:
            piece = None
        if piece is None:
            return None  # a run-time piece: not a constant
        pieces.append(piece)
    pieces.append(fmt[last:])
    return args[0], b"".join(pieces)


def _predicate(code: int, a, b, size: int):
    """A comparison or boolean operation on known values (1 or 0), else None."""
    if not isinstance(a, int) or code != BOOL_NEGATE and not isinstance(b, int):
        return None
    bits = 8 * size
    mask = (1 << bits) - 1
    if code == BOOL_NEGATE:
        return int(not a)
    if code in (BOOL_AND, BOOL_OR, BOOL_XOR):
        return int(bool(a) and bool(b) if code == BOOL_AND else bool(a) or bool(b) if code == BOOL_OR
                   else bool(a) != bool(b))
    ua, ub = a & mask, b & mask
    sa, sb = _sext(a, size), _sext(b, size)
    if code == LESS:
        return int(ua < ub)
    if code == LESSEQUAL:
        return int(ua <= ub)
    if code == SLESS:
        return int(sa < sb)
    if code == SLESSEQUAL:
        return int(sa <= sb)
    if code == CARRY:
        return int(ua + ub > mask)
    if code == SCARRY:
        return int(not -(1 << (bits - 1)) <= sa + sb < 1 << (bits - 1))
    if code == SBORROW:
        return int(not -(1 << (bits - 1)) <= sa - sb < 1 << (bits - 1))
    return None


#: instructions a leaf function replayed at its call holds at most (its return included)
MAX_LEAF_INSTRUCTIONS = 6


def _leaf_body(image: Image, target: int) -> list | None:
    """The instructions of the function at ``target`` up to its return, when it is a tiny leaf that
    computes from registers only: no call, branch, store, or load (but the return's own)."""
    body = []
    for addr, ops in instructions(image, target, target + 4 * MAX_LEAF_INSTRUCTIONS):
        body.append((addr, ops))
        codes = {op[0] for op in ops}
        if RETURN in codes:
            return body
        if codes & {CALL, CALLIND, BRANCH, BRANCHIND, STORE, LOAD} or any(op[3] == "cbranch" for op in ops) \
                or len(body) >= MAX_LEAF_INSTRUCTIONS:
            return None
    return None


#: entries of a Thumb branch table read at most
MAX_TABLE_ENTRIES = 256


#: bytes of a called function decoded to see whether it can return (a static ``_exit``: a system call
#: and a ``hlt``, with no return instruction)
MAX_NORETURN_BYTES = 0x100
#: instructions of such a callee translated at a time: most are settled by their first few (a return,
#: a jump out), and translating is most of the cost
NORETURN_CHUNK = 12


def never_returns(image: Image, target: int, starts) -> bool:
    """The function at ``target`` (up to the next of ``starts``) has no way back to its caller: no
    return, no indirect jump, no jump out of its own code, and it ends in a jump (its last word is not
    a fall into the next function). Such a callee ends its caller's block like ``exit`` does. Cached
    per program; a function longer than MAX_NORETURN_BYTES is taken to return."""
    got = image.no_return.get(target)
    if got is None:
        image.no_return[target] = False  # (a recursive call: taken to return)
        got = image.no_return[target] = _never_returns(image, target, starts)
    return got


def _never_returns(image: Image, target: int, starts) -> bool:
    """The function's code is closed before a return is seen: its last instruction jumps (or calls what
    never returns), every branch so far lands before that point, and the next function or alignment
    padding follows."""
    if not image.is_code(target & ~1):
        return False
    lo = target & ~1
    hi = lo + MAX_NORETURN_BYTES
    last_jumps = False
    reach = lo  # the furthest address a branch seen so far lands on
    for addr, ops in instructions(image, target, hi, chunk=NORETURN_CHUNK):
        padding = _no_effect(ops)
        if addr != lo and last_jumps and reach < addr and (addr in starts or padding):
            return True
        codes = {op[0] for op in ops}
        if RETURN in codes or BRANCHIND in codes or CALLIND in codes:
            return False
        ends = False
        for op in ops:
            jump = op[0] == BRANCH or op[3] == "cbranch"
            if jump and op[2][0][0] == RAM:
                if not lo <= op[2][0][1] < hi:
                    return False
                reach = max(reach, op[2][0][1])
            ends = ends or op[0] == BRANCH or op[0] == CALL and never_returns(image, op[2][0][1], starts)
        if not padding:
            last_jumps = ends
    return False


#: instructions of a stub that sets an argument and jumps on (musl's ``execvp``: ``environ`` into the
#: third argument, then ``jmp __execvpe``)
MAX_STUB_INSTRUCTIONS = 6


def stub_target(image: Image, addr: int, targets) -> int | None:
    """The function of ``targets`` that the stub at ``addr`` jumps to, calling nothing on the way."""
    dest = image.stub_jumps.get(addr, False)
    if dest is False:
        dest = image.stub_jumps[addr] = _stub_jump(image, addr)
    return dest if dest is not None and dest in targets else None


def _stub_jump(image: Image, addr: int) -> int | None:
    if not image.is_code(addr):
        return None
    for i, (_, ops) in enumerate(instructions(image, addr, addr + 16 * MAX_STUB_INSTRUCTIONS,
                                              chunk=MAX_STUB_INSTRUCTIONS)):
        if i >= MAX_STUB_INSTRUCTIONS or any(op[0] in (CALL, CALLIND, RETURN) for op in ops):
            return None
        jump = next((op for op in ops if op[0] == BRANCH), None)
        if jump is not None:
            dest = jump[2][0]
            return dest[1] if dest[0] == RAM else None
    return None


def _branch_table_end(image: Image, addr: int) -> int:
    """Where the table after a Thumb indirect branch at ``addr`` ends (the first case it branches to),
    or 0: the table is data, decoding it as code clobbers registers (a -O0 frame pointer). Two shapes:
    ``tbb [pc, rN]`` / ``tbh [pc, rN, lsl #1]`` (byte or halfword offsets from the table, in halfwords)
    and -O0's ``adr r2, T; ldr r3, [r2, r3, lsl #2]; add r2, r3; bx r2`` (word offsets from T)."""
    raw = image.read(addr, 4)
    if not raw or len(raw) < 4:
        return 0
    order = "little" if image.little else "big"
    hw1, hw2 = int.from_bytes(raw[:2], order), int.from_bytes(raw[2:], order)
    if hw1 == 0xE8DF and hw2 & 0xFFE0 == 0xF000:
        table = addr + 4
        return _cases_end(image, table, 2 if hw2 & 0x10 else 1, order, lambda e: table + 2 * e)
    if hw1 & 0xFF87 == 0x4700:  # ``bx rN``
        table = _adr_before(image, addr, order)
        if table is not None and table > addr:
            # (a Thumb target's low bit set; an offset this large is no case of the switch)
            return _cases_end(image, table, 4, order,
                              lambda e: table + (e & ~1) if 0 < e < MAX_CASE_OFFSET else None)
    return 0


#: a switch table's entry larger than this is not an offset to one of its cases
MAX_CASE_OFFSET = 0x10000


def _adr_before(image: Image, addr: int, order: str) -> int | None:
    """The address an ``adr rD, #imm`` (Thumb ``add rD, pc, #imm8 * 4``) a few instructions before
    ``addr`` loads, or None."""
    for back in range(2, 12, 2):
        hw = image.read(addr - back, 2)
        if not hw or len(hw) < 2:
            return None
        v = int.from_bytes(hw, order)
        if v & 0xF800 == 0xA000:
            return ((addr - back + 4) & ~3) + 4 * (v & 0xFF)
    return None


def _cases_end(image: Image, table: int, size: int, order: str, target_of) -> int:
    """The end of a branch table of ``size``-byte entries at ``table``: entries are read until the
    lowest case an entry leads to (``target_of``; None ends the table), which is where code resumes.
    0 when the table cannot be read whole."""
    end, at = table + size * MAX_TABLE_ENTRIES, table
    while at < end:
        entry = image.read(at, size)
        if not entry or len(entry) < size:
            break
        target = target_of(int.from_bytes(entry, order))
        if target is None:
            break
        end = min(end, target)
        at += size
    return end if end > table and at >= end else 0


def _no_effect(ops: list) -> bool:
    """A ``nop``: nothing lifted, temporaries only (x86 ``nopl 0x0(%rax,%rax,1)`` computes its unused
    address), or a register written with itself (PowerPC ``ori r0,r0,0``, ARM ``mov r0,r0``,
    ``or``/``add``/``xor``/shift by zero)."""
    for code, out, ins, _ in ops:
        if out is not None and out[0] == UNIQUE and code not in (LOAD, STORE, CALL, CALLIND):
            continue
        if out is None or out[0] != REGISTER or not ins or ins[0] != out:
            return False
        if code == COPY and len(ins) == 1:
            continue
        if code in (ADD, OR, XOR, LEFT) and len(ins) == 2 and ins[1][0] == CONST and ins[1][1] == 0:
            continue
        return False
    return True


def _unborrowed(values: dict, borrowed: dict, branch: dict) -> dict:
    """``values`` with what is still as it was borrowed replaced by the branch's values."""
    out = {k: v for k, v in values.items() if k not in borrowed or borrowed[k] != v}
    out.update((k, v) for k, v in branch.items() if k not in out and k in borrowed and borrowed[k] == values.get(k))
    return out


def _merge(a: dict, b: dict, at: int | None = None) -> dict:
    """Values (register or stack slot -> (size, value)) where two paths meet at ``at``: the same on
    both, or unknown (CLOBBERED: neither a constant nor the value the function was entered with).
    Two pointers the paths disagree on (``pass = colon ? colon + 1 : "";``) meet as one pointer named
    after the place and the key (:func:`_joined`): unknown, but what is read through it is one memory,
    so the word compares of an inlined memcmp through it still line up."""
    out = {}
    for key in a.keys() | b.keys():
        va, vb = a.get(key), b.get(key)
        if va == vb:
            out[key] = va
        elif va is not None and vb is not None and (low := _lower(_inside_of(va[1]), _inside_of(vb[1]))):
            out[key] = (va[0], _Inside(low))  # a buffer's start and a pointer advanced in it
        elif va is not None and vb is not None and _hash_start(va[1], vb[1]):
            # a hash loop's test entered with the hash's starting value and from its body with the running
            # value (``h = 0x811c9dc5; goto test;``): the hash
            out[key] = (max(va[0], vb[0]), HASHED)
        elif va is not None and vb is not None and isinstance(va[1], Result) and isinstance(vb[1], Result) \
                and va[1].routine is not None and va[1].routine == vb[1].routine:
            # what one routine returned on either path (an accept loop entered at its top and at its
            # bottom): a result of that routine, from no one call
            out[key] = (max(va[0], vb[0]), Result(va[1].routine, 0))
        elif at is not None and va is not None and vb is not None and va[0] == vb[0] >= 4 \
                and _joined(va[1], vb[1]):
            out[key] = (va[0], Sym(f"phi@{at:x}:{key}"))
        else:
            out[key] = (max(v[0] for v in (va, vb) if v is not None), CLOBBERED)
    return out


#: run-time pointers: a call's result (or a pointer into it), a parameter's or the stack's address,
#: memory read
_RUNTIME_POINTERS = (Sym, Result, _Into, _Inside, Loaded)


def _joined(a, b) -> bool:
    """Two values that are pointers, at least one of them known only at run time: the other may be
    the address of a constant (a default text)."""
    def pointer(v) -> bool:
        return isinstance(v, _RUNTIME_POINTERS) and not (isinstance(v, Sym) and v.base == "sp") \
            or isinstance(v, int) and v >= MIN_ADDRESS
    return pointer(a) and pointer(b) and (not isinstance(a, int) or not isinstance(b, int))


def _hash_start(a, b) -> bool:
    """One value is a hash's running value, the other its state before the first step that used one
    of its constants: its starting value (FNV's offset basis; CRC-32's all ones, ISO 3309, which is
    no constant of the hash's own), or that value already mixed with an input byte (``crc ^= *p``
    before the bit loop, at -O0 kept on the stack)."""
    return (a is HASHED and isinstance(b, _HASH_STARTS)) or (b is HASHED and isinstance(a, _HASH_STARTS))


_HASH_STARTS = (int, Loaded, _Keyed)


def _lower(a: Sym | None, b: Sym | None) -> Sym | None:
    """Of two pointers into the same region (one advanced past the other), the lower."""
    if a is None or b is None or a.base != b.base:
        return None
    return a if a.offset <= b.offset else b


def _inside_of(value) -> Sym | None:
    return value if isinstance(value, Sym) else value.at if isinstance(value, _Inside) else None


def _parts(value) -> tuple:
    return value.parts if isinstance(value, _Diffs) else (value,)


def _fit(got: tuple[int, object], size: int, little: bool = True):
    """The value of ``size`` bytes read where a wider value was written (EAX inside RAX)."""
    have, value = got
    if isinstance(value, int):
        return value & ((1 << (8 * size)) - 1) if size < have else value
    if isinstance(value, Loaded) and size < value.size:
        low_first = little != isinstance(value, Reversed)
        return type(value)(value.base, value.offset + (0 if low_first else value.size - size), size)
    return value if size <= have or not isinstance(value, Sym) else None


def _arg(value):
    if isinstance(value, _Inside):
        return value.at
    return value if isinstance(value, (int, Loaded, Result, Sym)) else None


def _sext(value: int, size: int) -> int:
    bits = 8 * size
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def _add(a, b):
    if isinstance(a, int) and isinstance(b, int):
        return a + b
    if isinstance(b, (Result, _Into)) and isinstance(a, int):
        a, b = b, a
    if isinstance(a, Result) and isinstance(b, int) and a.at:
        return a if b == 0 else _Into(a, _signed(b))
    if isinstance(a, _Into) and isinstance(b, int):
        return a.result if a.offset + _signed(b) == 0 else _Into(a.result, a.offset + _signed(b))
    if isinstance(a, Sym) and isinstance(b, int):
        return Sym(a.base, a.offset + _signed(b))
    if isinstance(b, Sym) and isinstance(a, int):
        return Sym(b.base, b.offset + _signed(a))
    if isinstance(b, _Negated):
        a, b = b, a
    if isinstance(a, _Negated) and isinstance(b, int):
        return _Negated(a.base, a.offset + _signed(b))
    if isinstance(a, _Negated) and (at := _pointer(b)) is not None and at[0] == a.base:
        return a.offset + at[1]  # (K - p) + (p + n): the distance walked plus the constant
    return None


def _pointer(value) -> tuple[str, int] | None:
    """A run-time pointer as (what it points into, offset): a register's or the stack's value at entry,
    a call's result or a pointer into it."""
    if isinstance(value, Sym):
        return value.base, value.offset
    if isinstance(value, Result) and value.at:
        return RETURNED.format(value.at), 0
    if isinstance(value, _Into):
        return RETURNED.format(value.result.at), value.offset
    return None


def _difference(a, b):
    """``a - b`` of two pointers, or of a constant and a pointer (kept as :class:`_Negated`)."""
    pa, pb = _pointer(a), _pointer(b)
    if pa is not None and pb is not None and pa[0] == pb[0]:
        return pa[1] - pb[1]  # how far a pointer moved: the index of a loop walking it
    if isinstance(a, int) and pb is not None:
        return _Negated(pb[0], _signed(a) - pb[1])
    return None


def _signed(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else (v - (1 << 32) if (1 << 31) <= v < (1 << 32) else v)


def _unnamed(value) -> bool:
    """A value the walk lost (a register written with something it cannot name reads as its entry
    value): not a constant, an address, a loaded word or a call's result."""
    return value is None or isinstance(value, Sym) and value.base != "sp" and value.offset == 0


def _large(value: int, size: int) -> bool:
    """A constant of ``size`` bytes far from zero either way (not a return code or -1)."""
    value &= (1 << (8 * size)) - 1
    return MIN_TESTED_VALUE <= value <= (1 << (8 * size)) - MIN_TESTED_VALUE


def _mask(size: int) -> int:
    return (1 << (8 * size)) - 1


def _operands(event: Compare | Tested) -> tuple:
    if isinstance(event, Compare):
        return event.base, event.offset, event.size, event.value
    return event.result, event.reg, event.value


def _compare(addr: int, a, b, ins: tuple = ()) -> Compare | Tested | None:
    reg = None
    if isinstance(a, _Diff) and b == 0:
        a, b, reg = a.loaded, a.value, a.reg
    elif isinstance(b, _Diff) and a == 0:
        a, b, reg = b.loaded, b.value, b.reg
    elif len(ins) == 2:  # a direct equality of two registers (MIPS ``bne v1, v0``)
        side = ins[1] if isinstance(a, int) and _large(a, 4) else ins[0]
        reg = side[1] if side[0] == REGISTER else None
    if a is HASHED and isinstance(b, int) or b is HASHED and isinstance(a, int):
        value = b if a is HASHED else a
        return Tested(addr, None, value & 0xFFFFFFFF, 4, hashed=True) if _large(value, 4) else None
    if isinstance(b, (Loaded, Result)) and isinstance(a, int) or \
            isinstance(a, int) and isinstance(b, int) and _large(a, 4) and not _large(b, 4):
        a, b = b, a
    if isinstance(b, int) and (a is OPAQUE or _unnamed(a) or isinstance(a, int) and not _large(a, 4)) \
            and b < 1 << 32 and _large(b, 4):
        # an unnamed value (a loop's result; a constant only on the path the linear walk took) compared
        # with a large number: kept as a test of an unknown result, judged by the function's code
        return Tested(addr, None, b, 4, reg=reg)
    if isinstance(a, Result) and isinstance(b, int):
        b = sign_narrowed(b)
        size = 4 if b < 1 << 32 else 8
        return Tested(addr, a, b & ((1 << (8 * size)) - 1), size) if _large(b, size) else None
    if isinstance(a, Loaded) and isinstance(b, int):
        size = a.size
        value = b & ((1 << (8 * size)) - 1)
        if value == 0 and size > 1:
            return None  # a word tested for zero (flags of a shift or a mask), not a constant compared
        if isinstance(a, Reversed):  # both sides were read byte-reversed: give the value in memory order
            value = int.from_bytes(value.to_bytes(size, "big"), "little")
        return Compare(addr, a.base, a.offset, value, size)
    return None


#: blocks outside a function's range that its branches reach (``.cold`` parts, out-of-line taken
#: blocks) are walked too: at most this many, each up to its first return or jump
MAX_OUTLYING_BLOCKS = 8
#: code ranges after a function's epilogue that its branches reach, walked as part of it
MAX_CONTINUATIONS = 8
MAX_OUTLYING_BYTES = 0x400


def _decoded(cache: dict, a: int, b: int, decode) -> Iterator[tuple[int, list]]:
    """The instructions of ``a``..``b``, decoded once per walk: the first pass decodes as far as it reads
    (``decode()``'s generator, kept for the rest), later passes read the same list."""
    entry = cache.get((a, b))
    if entry is None:
        entry = cache[(a, b)] = [[], decode()]  # (what was decoded, the decoder while there is more)
    items = entry[0]
    i = 0
    while True:
        if i == len(items):
            nxt = next(entry[1], None) if entry[1] is not None else None
            if nxt is None:
                entry[1] = None
                return
            items.append(nxt)
        yield items[i]
        i += 1


#: passes of a walk that start blocks no earlier code reaches from the values their back edges carry
MAX_SEEDED_PASSES = 2


def walk(image: Image, start: int, end: int, starts: set[int] | frozenset[int] = frozenset(),
         soft_starts: set[int] | frozenset[int] = frozenset()) -> Walk:
    """Calls with their arguments, inline compares, constant stores and constant addresses of the
    function at ``start`` (odd: Thumb) up to ``end``, and of the blocks outside that range its
    branches reach (not other functions: ``starts``, except the ``soft_starts`` a conditional branch
    reaches: code after an epilogue that the function branches to is its own out-of-line block).

    The walk is linear, in address order. A block that only later code reaches (an ``accept`` loop's
    body laid out above the call, after a ``noreturn`` call: ``for (;;) { c = accept(); if (c < 0)
    continue; ... }`` at -Os) would start from the values of whatever code precedes it; such blocks
    are walked again, up to MAX_SEEDED_PASSES times, from the values their back edges carry."""
    seeds: dict[int, tuple[dict, dict | None]] = {}
    # (each pass reads the same code: it is decoded once, with the Thumb call fixes it brings)
    decoded: dict[tuple[int, int], list] = {}  # (a, b) -> see _decoded
    call_fix: dict[int, int] = {}
    out, found = _walk_pass(image, start, end, starts, soft_starts, seeds, decoded, call_fix)
    for _ in range(MAX_SEEDED_PASSES):
        if not found or found == seeds:
            break
        seeds = found
        out, found = _walk_pass(image, start, end, starts, soft_starts, seeds, decoded, call_fix)
    return out


def _walk_pass(image: Image, start: int, end: int, starts, soft_starts, seeds: dict[int, tuple[dict, dict | None]],
               decoded: dict[tuple[int, int], list], call_fix: dict[int, int]
               ) -> tuple[Walk, dict[int, tuple[dict, dict]]]:
    """One linear walk; ``seeds``: the values blocks no earlier code reaches start from. Returns the
    walk and the seeds for the next pass (each such block's back-edge values)."""
    walker = _Walker(image, start)
    walker.starts = starts
    walker.call_fix = call_fix
    for t, (r, m) in seeds.items():
        if m is None:
            walker.register_seeds[t] = dict(r)  # a jumped-over block: its registers only (``enter``)
        else:
            walker.entry_states[t] = (dict(r), dict(m))
    noreturn = frozenset(knowledge()["noreturn_routines"])
    out = Walk()
    lo, thumb = start & ~1, start & 1

    def run(a: int, b: int, block: bool) -> None:
        ended = True  # the code before ``a`` does not fall into it
        jumped_over = None  # where the instruction before jumps, forward past this one
        padded = None  # where the last jump went, across the padding after it (``b mid; nop; head:``)
        table_end = 0  # a Thumb branch table's data runs up to here: no instructions
        for addr, ops in _decoded(decoded, a, b, lambda: instructions(image, a | thumb, b, walker.call_fix)):
            if addr < table_end:
                continue
            if thumb and any(op[0] == BRANCHIND for op in ops):
                table_end = _branch_table_end(image, addr)
            walker.uniq.clear()
            over = jumped_over if jumped_over is not None else padded
            if ended:
                entry = (dict(walker.regs), dict(walker.stack)) if over is not None else None
                if jumped_over is not None:
                    # ``jmp test; body: ...; test: cmp; jbe body`` (-O0 loops): the values entering the
                    # loop, before its test merges them with the next pass's (the index at its start)
                    walker.loop_entries[addr] = entry
                if over is not None:
                    walker.jump_entries[addr] = (over, entry)
                walker.enter(addr, jumped_over)
            else:
                walker.join(addr)
            # (alignment padding after a jump or return falls into nothing)
            padding = ended and _no_effect(ops)
            padded = over if padding else None
            ended = any(op[0] in (BRANCH, BRANCHIND, RETURN) for op in ops) or padding
            jumped_over = next((op[2][0][1] for op in ops if op[0] == BRANCH and op[2][0][0] == RAM
                                and op[2][0][1] > addr), None)
            walker.lifted[addr] = ops
            for event in walker.step(addr, ops):
                if isinstance(event, Call):
                    out.calls.append(event)
                    if event.name and base_name(event.name) in noreturn or event.name is None \
                            and isinstance(event.target, int) and never_returns(image, event.target, starts):
                        ended = True  # (``exit(1);`` falls into nothing: the next block's values are its own)
                        walker.stops.add(addr)
                elif isinstance(event, Compare):
                    out.compares.append(event)
                elif isinstance(event, Kept):
                    out.kept.append(event)
                elif isinstance(event, Tested):
                    out.tested.append(event)
                elif event is not None:
                    out.stores.append(event)
            # a branch of this instruction back into the function: a loop whose head is there
            head = walker.branches.get(addr, walker.jumps.get(addr))
            if head is not None and lo <= head < addr and not block:
                first = [c for c in out.compares if head <= c.addr <= addr and c.size <= 2 and c.iteration == 0]
                middle, entry = walker.jump_entries.get(head, (None, None))
                if first:
                    passes, exit_at = _unrolled(walker, walker.lifted_block(head, addr), first,
                                                walker.loop_entries.get(head))
                    out.compares.extend(passes)
                    if exit_at is not None:
                        out.loop_exits.update((c.addr, exit_at) for c in first)
                elif middle is not None and head < middle <= addr:
                    # entered in its middle (``b mid; head: i++; if (i == n) break; mid: cmp p[i], k[i];
                    # beq head``): the walk read the middle with the values of two paths merged; the
                    # passes are replayed from the jump's values, the first from the middle
                    passes, exit_at = _unrolled(walker, walker.lifted_block(head, addr), [], entry, middle)
                    out.compares.extend(passes)
                    if exit_at is not None:
                        out.loop_exits.update((c.addr, exit_at) for c in passes if c.iteration == 0)
                out.loop_calls.extend(_after_read(walker, head, addr, out.calls))
                walker.hash_leaves(head, addr)
                out.tested.extend(_hash_rejoined(walker, head))
            if block and ended:
                return  # the block ends at its jump or return

    run(lo, end, False)
    # the function branches to the code that follows it, known as a start only because it comes after
    # a return: its out-of-line blocks, laid out after the epilogue; the linear walk goes on there
    continued = 0
    while continued < MAX_CONTINUATIONS and end in soft_starts and _branches_past(walker, end, starts, soft_starts):
        continued += 1
        nxt = min((s for s in starts if s > end), default=end + MAX_OUTLYING_BYTES)
        run(end, nxt, False)
        end = nxt
    done: set[int] = set()
    for _ in range(MAX_OUTLYING_BLOCKS):
        conditional = set(walker.branches.values())
        targets = sorted(t for t in (*walker.branches.values(), *walker.jumps.values())
                         if not lo <= t < end and t not in done and image.is_code(t)
                         and (t not in starts or (t in soft_starts and t in conditional)))
        if not targets:
            break
        target = targets[0]
        done.add(target)
        if target == end and continued < MAX_CONTINUATIONS:
            # an out-of-line block branches to the code right after the function: more of the
            # function's own out-of-line code (a dispatcher's tail), walked on linearly as above
            continued += 1
            nxt = min((s for s in starts if s > end), default=end + MAX_OUTLYING_BYTES)
            run(end, nxt, False)
            end = nxt
            continue
        nxt = min((s for s in starts if s > target), default=target + MAX_OUTLYING_BYTES)
        run(target, min(nxt, target + MAX_OUTLYING_BYTES), True)
    found = {t: walker.back_states[t] for t in walker.cold | {t for t, (_, m) in seeds.items() if m is not None}
             if t != lo and t in walker.back_states}
    found.update((t, (walker.back_states[t][0], None)) for t, over in walker.jumped_into.items()
                 if t != lo and t in walker.back_states and t not in found and _rotated(walker, t, over))
    walker.finish()
    out.refs = walker.refs | walker.used_pages(out)
    out.marks = walker.marks
    out.exits = functools.partial(walker.returned, thumb)
    for t in out.tested:
        # the linear walk may reach the compare before the loop that computes the hash (laid out after
        # it): the register compared holds the hash's value somewhere in the function
        if t.result is None and t.reg is not None and t.reg in walker.hashed_regs:
            t.hashed = True
    out.branches = walker.branches
    out.jumps = walker.jumps
    out.zero_tests = walker.zero_tests
    out.reg_consts = walker.reg_consts
    out.reg_results = walker.reg_results
    out.block_ends = walker.block_ends
    out.indirect = walker.indirect
    out.stops = walker.stops
    return out, found


def _branches_past(walker: _Walker, end: int, starts, soft_starts) -> bool:
    """The function branches to code after its epilogue at ``end`` (a start known only because it comes
    after a return), before the next function anyone calls: to ``end`` itself or further on (-Os lays
    a long out-of-line path there, and a later part of it branches back to its top)."""
    targets = [t for t in walker.branches.values() if t >= end]
    if not targets:
        return False
    hard = min((s for s in starts if s >= end and s not in soft_starts), default=end + MAX_OUTLYING_BYTES)
    return any(t < hard for t in targets)


def _rotated(walker: _Walker, block: int, over: int) -> bool:
    """The block the code before jumped over (to ``over``) is reached back from further code than the
    test at ``over``: a branch back that more branches precede (``b head; tail: ...; head: accept();
    ...; bge tail``), not the ``cmp; jbe body`` an -O0 loop's test is."""
    stops = [a for a in (*walker.branches, *walker.jumps) if a >= over]
    return any(any(over <= a < back for a in stops) for back in walker.back_sources.get(block, ()))


#: a loop whose body compares loaded bytes with constants (``p[i] ^ (K + i * S)`` against a table of
#: encoded bytes; ``p[i] != k[i]``) is replayed with the next index this many times at most (the
#: longest secret read this way), when its body has at most MAX_UNROLL_BODY instructions
MAX_UNROLL = 64
MAX_UNROLL_BODY = 48


#: instructions of a loop body replayed after a read at its bottom (``_after_read``)
MAX_REPLAY_BODY = 256


#: bytes of the block a jump back with a hash's value reaches that are replayed
MAX_REJOIN_BYTES = 0x40


def _hash_rejoined(walker: _Walker, target: int) -> list[Tested]:
    """A jump back to code the walk has passed (an out-of-line hash loop returning to the compare of
    its result: ``crc = crc32(buf); return crc == K``, inlined at -Os) brings the hash's value there:
    the code at ``target`` is replayed with the jump's values, through conditional branches (a loop
    head's test falls through to the loop's exit), and the tests of the hash it makes are the
    function's."""
    # (or the jump carries a hash's starting value into its loop, laid out above: ``h = 0x811c9dc5;
    # goto loop;`` at -Os; the loop's value from there is that hash)
    starting = {key: (size, HASHED) for key, (size, v) in walker.regs.items()
                if isinstance(v, int) and v in walker.hash_values and key in walker.general}
    if not starting and not any(v is HASHED for _, v in walker.regs.values()):
        return []
    rep = walker.replayer(({**walker.regs, **starting}, walker.stack))
    out = []
    for a, ops in walker.lifted_block(target, target + MAX_REJOIN_BYTES):
        rep.uniq.clear()
        out.extend(e for e in rep.step(a, ops) if isinstance(e, Tested) and e.hashed)
        if a in walker.jumps or a in walker.return_ops:
            break
    return out


def _after_read(walker: _Walker, head: int, back: int, calls: list[Call]) -> list[Call]:
    """A loop that reads at its bottom (``for (;;) { handle(line); n = recv(fd, line, ...); }`` laid out
    with the read last, -Os/-O2) hands what it read to the calls above the read on the next pass. Those
    calls are replayed from the values the walk has at the back edge (the buffer's address set up for
    the read), up to the read: their arguments as the next pass sees them."""
    reads = set(knowledge()["network_input"])
    at = [c.addr for c in calls if head <= c.addr <= back and base_name(c.name or "") in reads]
    if not at or not any(head <= c.addr < at[-1] for c in calls):
        return []
    body = walker.lifted_block(head, at[-1] - 1)
    if len(body) > MAX_REPLAY_BODY:
        return []
    rep = walker.replayer((walker.regs, walker.stack))
    out = []
    for a, ops in body:
        rep.uniq.clear()
        out.extend(e for e in rep.step(a, ops) if isinstance(e, Call))
    return out


def _unrolled(walker: _Walker, body: list[tuple[int, list]], first: list[Compare],
              entry: tuple[dict, dict] | None = None, middle: int | None = None
              ) -> tuple[list[Compare], int | None]:
    """The byte compares of further passes through a loop (``body``: its instructions, lifted by the
    walk, head first, back edge last; ``first``: the compares of the walk's own pass), replayed from
    the values the walk has at its back edge. Each pass continues while the loop's own exit tests,
    known from the index, say so; a compare with a zero byte (the end of a string) ends it. A loop
    whose exit tests depend on the input only goes on while its compares change from pass to pass:
    one that tests each byte against the same constants scans text (``while (*p == ' ')``), it
    does not compare it with a table. Also returns where the code run after the last pass starts when
    the loop's own counted exit ended it (every pass's compares held): the exit test's target, or
    one past the back edge when the back edge is not taken.
    ``entry``: the values entering a loop whose test sits after its body (the walk's own values at
    the back edge merged the index of two passes): the first pass is replayed from them, silently,
    to reach the second pass's values.
    ``middle``: where a loop entered by a jump into its body starts its first pass, from ``entry``;
    that pass's compares are the first (iteration 0).
    Nothing is translated again: a translation can leave decoding context behind (Thumb ``it``)."""
    if len(body) > MAX_UNROLL_BODY:
        return [], None
    head, back = body[0][0], body[-1][0]
    exit_at = None
    rep = walker.replayer(entry if entry is not None else (walker.regs, walker.stack), conditions=True)
    if entry is not None and middle is None:
        for a, ops in body:
            rep.uniq.clear()
            for _ in rep.step(a, ops):
                pass
    out: list[Compare] = []
    before = [(c.addr, c.value) for c in first]
    for iteration in range(0 if middle is not None else 1, MAX_UNROLL + 1):
        rep.conditions.clear()
        found, leave, counted = [], False, False
        for a, ops in body if iteration or middle is None else [(a, ops) for a, ops in body if a >= middle]:
            rep.uniq.clear()
            for event in rep.step(a, ops):
                if isinstance(event, Compare) and event.size <= 2:
                    found.append(Compare(event.addr, event.base, event.offset, event.value, event.size, iteration))
            for code, _, ins, name in ops:
                if name != "cbranch" or ins[0][0] != RAM:
                    continue
                taken = rep.conditions.get(a)
                inside = head <= ins[0][1] <= back
                if not isinstance(taken, int) or inside and ins[0][1] != head:
                    continue
                counted = True
                if inside != bool(taken):  # leaves the loop: by an exit taken, or a back edge not taken
                    leave = True
                    exit_at = ins[0][1] if taken else a + 1
            if leave:
                break
        now = [(c.addr, c.value) for c in found]
        if not counted and now == before:
            break
        out.extend(found)
        before = now
        if leave or not found or any(c.value == 0 for c in found):
            break
    return out, exit_at


def immediates(image: Image, start: int, end: int) -> tuple[set[int], set[int]]:
    """The constants the function at ``start`` computes (immediates, literal-pool loads, ``lui``/``ori``
    pairs, each as written) and the data addresses it materialises."""
    walker = _Walker(image, start)
    walker.seen = set()
    for addr, ops in instructions(image, start, end, walker.call_fix):
        walker.uniq.clear()
        for _ in walker.step(addr, ops):
            pass
    return walker.seen, walker.refs | walker.used_pages(None)


#: instructions after a call within which a test of its result against zero is looked for
TEST_WINDOW = 3


def call_site(image: Image, site: int, count: int, thumb: bool = False) -> tuple[list | None, bool]:
    """The arguments of the call at ``site``, from a walk of ``count`` instructions before it, and
    whether its result is tested against zero within the next few instructions (how a string
    compare's result is used). Fixed-width instruction sets only: a window cannot start mid-instruction."""
    if image.arch.startswith("x86"):
        return None, False
    width = 2 if thumb else 4
    start = max(site - count * width, 0)
    walker = _Walker(image, start)
    call = None
    result = None
    seen = 0
    for addr, ops in instructions(image, start | (1 if thumb else 0), site + (TEST_WINDOW + 2) * 4,
                                  walker.call_fix):
        walker.uniq.clear()
        if call is not None:
            if addr != site and _tests_zero(walker, ops, result):
                return call.args, True
            seen += 1
            if seen > TEST_WINDOW + 1:  # MIPS: the delay slot comes before the test
                break
        for event in walker.step(addr, ops):
            # MIPS: the call op follows the delay slot, under that instruction's address
            if isinstance(event, Call) and event.addr in (site, site + 4) and call is None:
                call = event
                result = walker._reg(walker.cc.ret)
    return (call.args, False) if call is not None else (None, False)


def _tests_zero(walker: _Walker, ops: list, result) -> bool:
    """One of ``ops`` compares the call's result with zero (``cmp r0, #0``, ``beqz v0``, ``cbz w0``)."""
    for code, out, ins, name in ops:
        if code in (EQUAL, NOTEQUAL) and len(ins) == 2:
            a, b = walker.read(ins[0]), walker.read(ins[1])
            if (a == result and b == 0) or (b == result and a == 0):
                return True
        if out is not None and code != IGNORE:
            # what flag computations make of the result: `cmp r0, #0` subtracts 0, `tst r0, r0` ands it
            # with itself; the result passes through, whatever the width (`cmpwi` reads its low word)
            vals = [walker.read(v) for v in ins[:2]]
            passes = code in (COPY, ZEXT, SEXT, SUBPIECE) and vals and vals[0] == result or \
                code in (SUB, ADD, OR, XOR) and len(vals) == 2 and result in vals and 0 in vals or \
                code == AND and len(vals) == 2 and vals[0] == vals[1] == result
            walker.write(out, result if passes else None)
    return False
