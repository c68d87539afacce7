"""What one walk over a function yields (``lift.walk``): its calls with their argument values, inline
compares of loaded bytes against constants, constant stores with their destinations, the constant
addresses it materialises, and its branches. The values are the IR's: integers, ``lift.Sym`` (a
stack or entry-register address), :class:`Loaded` (bytes read through such an address) and
:class:`Result` (what one call returned).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Call:
    addr: int
    target: int | None
    name: str | None  # imported routine, when the target is an import
    args: list  # int constant, Loaded, Result, a symbolic register or stack address (lift.Sym), or None
    #: argument index -> the bytes the function stored, constant by constant, in the stack buffer that
    #: argument points to (a secret built character by character on the stack), NUL-terminated
    built: dict[int, bytes] = field(default_factory=dict)
    #: argument index -> the pointers stored in the stack array that argument points to, up to its NULL
    #: (an exec routine's ``argv``)
    arrays: dict[int, list] = field(default_factory=dict)
    #: the words past the argument registers, on the stack where the next arguments go (a variadic
    #: routine's further arguments: ``execl``'s command line); empty where all arguments are there
    stacked: list = field(default_factory=list)


@dataclass
class Compare:
    """An inline compare of loaded memory against an immediate (``buf[3] == 0xc3``)."""

    addr: int
    base: str
    offset: int
    value: int
    size: int
    #: the pass of a counted loop this compare was read in (0: the walk itself; 1.. : a replay of the
    #: loop body with the next index, see ``lift.MAX_UNROLL``)
    iteration: int = 0


@dataclass
class Store:
    """A constant stored to memory (a port into a sockaddr, a flag)."""

    addr: int
    value: int
    size: int
    dest: object = None  # where: a stack or entry-register address (lift.Sym) or a global address


@dataclass
class Tested:
    """A call's result compared with a constant (``if (hash(s) == 0x4421b58d)``)."""

    addr: int
    result: object  # the Result compared; None: a value the walk cannot name
    value: int
    size: int
    #: the unnamed value is (or the register compared at some point holds) a hash's running value
    hashed: bool = False
    reg: int | None = None  # the register compared, when the value is unnamed


@dataclass
class Kept:
    """A call's result stored to memory (``c->level = check(user, pass)``): where the caller keeps it."""

    addr: int
    dest: object  # a stack or entry-register address (lift.Sym) or a global address
    result: object  # the Result stored


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
    kept: list[Kept] = field(default_factory=list)  # call results stored to memory
    tested: list[Tested] = field(default_factory=list)  # call results compared with constants
    refs: set[int] = field(default_factory=set)  # constant addresses the function materialises
    marks: set[int] = field(default_factory=set)  # hash constants the function computes (inlined hash)
    #: a compare in a replayed loop -> where the code the loop runs once every pass's compare held
    #: starts (its counted exit: the fall-through of the back edge, or an exit test's target)
    loop_exits: dict[int, int] = field(default_factory=dict)
    #: calls above a network read in a loop, replayed with the values of the next pass (the read's
    #: buffer handed to them): ``lift._after_read``
    loop_calls: list[Call] = field(default_factory=list)
    #: a test of a call's result against zero (``if (fork() == 0)``) -> the call's address
    zero_tests: dict[int, int] = field(default_factory=dict)
    #: (address, register, value): small constants written to general registers (a level kept in a
    #: register at -O2, ``mov $2, %r14d``; a ``cmov`` counts as written)
    reg_consts: list = field(default_factory=list)
    #: (address, register, call address): a call's result moved into another general register (the
    #: level a credential check returned, kept in ``w21``)
    reg_results: list = field(default_factory=list)
    #: what the function returns, computed when first asked for (``lift``: the paths into its exits)
    exits: object = None
    _returned: tuple | None = None

    def _exits(self) -> tuple:
        if self._returned is None:
            self._returned = self.exits() if self.exits is not None else (set(), [])
            self.exits = None  # the walker's state is no longer needed
        return self._returned

    @property
    def returns(self) -> set:
        """Call results (Result) the function returns."""
        return self._exits()[0]

    @property
    def constant_returns(self) -> list:
        """(return address, constant) of the constants the function returns."""
        return self._exits()[1]
    branches: dict[int, int] = field(default_factory=dict)  # conditional branch address -> its target
    jumps: dict[int, int] = field(default_factory=dict)  # unconditional branch address -> its target
    block_ends: set[int] = field(default_factory=set)  # addresses of returns and unconditional jumps
    indirect: set[int] = field(default_factory=set)  # jumps to a computed address (a switch's table)
    stops: set[int] = field(default_factory=set)  # calls that do not return (``exit``, a static ``_exit``)
    reach: object = None  # its blocks and their edges (``cfg.of``), built when first asked for
