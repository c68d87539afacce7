"""Function boundaries of stripped code: a ``push`` that a function reaches by falling through from
its first instructions is its own prologue, and one after a return starts the next function."""
from __future__ import annotations

from nobackdoor.analyzers.binary import functions


class _Code:
    arch, little, thumb = "arm", True, False

    def __init__(self, words: list[int], base: int = 0x1000) -> None:
        self.base = base
        self.raw = b"".join(w.to_bytes(4, "little") for w in words)

    def read(self, addr: int, size: int) -> bytes:
        return self.raw[addr - self.base:addr - self.base + size]


LDR_IP = 0xE59FC010  # ldr ip, [pc, #16]: a table address loaded before the pushes
PUSH = 0xE92D4010  # push {r4, lr}
BX_LR = 0xE12FFF1E


def test_push_right_after_a_call_target_is_that_functions_prologue():
    starts, thumb = {0x1000, 0x1004}, set()
    functions._merge_late_pushes(_Code([LDR_IP, PUSH]), starts, thumb, entries={0x1000})
    assert starts == {0x1000}


def test_push_after_a_return_is_the_next_function():
    starts, thumb = {0x1000, 0x1004}, set()
    functions._merge_late_pushes(_Code([BX_LR, PUSH]), starts, thumb, entries={0x1000})
    assert starts == {0x1000, 0x1004}


def test_learnt_starts_take_over_their_call_sites():
    cmap = functions.CallMap(starts=[0x1000, 0x2000], code_end={0x1000: 0x3000, 0x2000: 0x3000})
    cmap.import_sites["strcmp"].append(0x1810)
    cmap.call_sites[0x1800].append(0x1100)
    cmap.add_starts({0x1800})
    assert cmap.starts == [0x1000, 0x1800, 0x2000]
    assert cmap.function_of(0x1810) == 0x1800 and "strcmp" in cmap.imports_of[0x1800]
    assert 0x1800 in cmap.callees[0x1000]


class _X86:
    arch, little, thumb = "x86_64", True, False


def test_x86_return_byte_inside_an_instruction_starts_no_function():
    # ``mov %eax,%ebx`` is ``89 c3``: the c3 right before an aligned address is no return
    starts: set[int] = set()
    raw = b"\x90" * 14 + b"\x89\xc3" + b"\x85\xc0\x78\xee"
    functions._after_returns(_X86(), raw, 0x12C0, starts)
    assert 0x12D0 not in starts
    # ``xor %eax,%eax; ret`` and ``pop %rbp; ret`` end functions, padding or not
    for epilogue in (b"\x31\xc0\xc3", b"\x5d\xc3"):
        starts = set()
        raw = b"\x90" * (16 - len(epilogue)) + epilogue + b"\x55\x48\x89\xe5"
        functions._after_returns(_X86(), raw, 0x12C0, starts)
        assert 0x12D0 in starts
