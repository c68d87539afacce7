"""Session 16's mechanisms: values the walk keeps along one path. A peer address a converter writes
over a default text; a pointer two paths set, read through as one memory; an XOR key the compiler keeps
as a pointer distance, or a loop entered in its middle; a byte masked out of a doubled word (PowerPC64);
the level a login grants in a tail two paths share, decided by a branch scheduled far from its compare.
Fixtures: tests/fixtures/binary/src/linelogin.c (build.sh)."""
from __future__ import annotations

import pytest

from nobackdoor.analyzers.binary import lift
from nobackdoor.analyzers.binary.model import Result
from nobackdoor.analyzers.binary.sinks import written_argument

from .conftest import FIXTURES

BIN = FIXTURES / "bin"
PLANTS = {  # fixture -> (rule, the built-in value)
    "linelogin-peer-mips": ("binary.auth-state-bypass", "192.0.2.77"),
    "linelogin-xor-armhf": ("binary.hardcoded-password", "Vq4#nDe8!zRk"),
    "linelogin-xor-powerpc": ("binary.hardcoded-password", "Vq4#nDe8!zRk"),
    "linelogin-xor-ppc64le": ("binary.hardcoded-password", "Vq4#nDe8!zRk"),
    "linelogin-stack-armel": ("binary.hardcoded-password", "Torq5#mWebK"),
    "linelogin-word-x86_64": ("binary.hardcoded-password", "Kr8vTq2Z"),
}
CLEAN = ["mips", "armhf", "powerpc", "ppc64le", "armel", "x86_64"]


def _show(findings):
    return [(f.rule, f.severity.name, f.evidence.get("constant")) for f in findings]


@pytest.mark.parametrize("name", sorted(PLANTS))
def test_the_built_in_value_is_found_whole(analyze, name):
    rule, constant = PLANTS[name]
    findings, _ = analyze(BIN / name)
    found = [f for f in findings if f.rule == rule and f.severity.name in ("MEDIUM", "HIGH", "CRITICAL")]
    # the whole value, no byte past the table's end (the loop's own exit test ends it)
    assert found and found[0].evidence["constant"] == constant, _show(findings)


def test_the_peer_address_is_a_bypass_that_writes_the_logins_level(analyze):
    findings, _ = analyze(BIN / "linelogin-peer-mips")
    found = next(f for f in findings if f.rule == "binary.auth-state-bypass")
    assert any(w.startswith("register ") for w in found.evidence["state_written"]), found.evidence


@pytest.mark.parametrize("arch", CLEAN)
def test_the_honest_login_stays_quiet(analyze, arch):
    findings, _ = analyze(BIN / f"linelogin-clean-{arch}")
    assert not [f for f in findings if f.rule.startswith("binary.")
                and f.severity.name in ("MEDIUM", "HIGH", "CRITICAL")], _show(findings)


def test_a_converter_writes_its_text_over_the_buffer_it_is_given():
    assert written_argument("inet_ntop") == 2
    assert written_argument("getnameinfo") == 2
    assert written_argument("strlen") is None


def test_a_pointer_distance_plus_a_constant_is_the_index():
    start = Result("strchr", 0x400)
    key = lift._difference(0xA5, start)  # rsb r9, r9, #0xa5
    assert isinstance(key, lift._Negated)
    assert lift._add(key, lift._Into(start, 3)) == 0xA5 + 3  # three bytes on
    assert lift._add(lift.Sym("sp", -40), 0) == lift.Sym("sp", -40)
    assert lift._difference(lift.Sym("sp", -32), lift.Sym("sp", -40)) == 8
    assert lift._difference(lift.Sym("a0", 0), lift.Sym("sp", 0)) is None  # two different memories


def test_two_pointers_meet_as_one_named_after_the_place():
    default, field = 0x4010D0, lift._Into(Result("strchr", 0x1234), 1)
    merged = lift._merge({7: (8, default)}, {7: (8, field)}, 0x2000)
    again = lift._merge(merged, {7: (8, default)}, 0x2000)
    assert merged[7][1] == again[7][1] == lift.Sym("phi@2000:7")
    # two constants, or a number and a flag, stay unknown
    assert lift._merge({7: (8, 0x4010D0)}, {7: (8, 0x4010E0)}, 0x2000)[7][1] is lift.CLOBBERED
    assert lift._merge({7: (4, 1)}, {7: (4, field)}, 0x2000)[7][1] is lift.CLOBBERED


def test_what_a_block_borrowed_gives_way_to_the_branch_at_a_join():
    # a block no earlier code reaches starts from the values before it (slot 12: a parser's pointer);
    # it writes r4 itself; where it meets the jump into the loop, slot 12 is the jump's constant
    borrowed = {("sp", 12): (4, Result(None, 0x11b0)), 4: (4, 7)}
    values = {("sp", 12): (4, Result(None, 0x11b0)), 4: (4, 9)}
    branch = {("sp", 12): (4, 0x3109), 4: (4, 7)}
    got = lift._unborrowed(values, borrowed, branch)
    assert got[("sp", 12)] == (4, 0x3109) and got[4] == (4, 9)
    # a key the block dropped (a buffer a call wrote) stays dropped
    assert ("sp", 12) not in lift._unborrowed({4: (4, 9)}, borrowed, branch)


class _Walked:
    def __init__(self, branches):
        self.branches = branches


def test_a_texts_later_bytes_tested_first_join_it_only_when_that_test_leads_there():
    from nobackdoor.analyzers.binary.analyzer import _leads_to
    assert _leads_to(_Walked({}), 0x3a69, 0x3a69 + 20)  # straight on
    assert _leads_to(_Walked({0x3a70: 0x3e10}), 0x3a69, 0x3e18)  # the block its branch reaches
    assert not _leads_to(_Walked({0x3a70: 0x40dc}), 0x3a69, 0x3e18)  # the same buffer tested elsewhere


def test_an_exec_path_built_on_the_stack_is_read_as_the_command():
    from nobackdoor.analyzers.binary.elf import load
    from nobackdoor.analyzers.binary.model import Call
    from nobackdoor.analyzers.binary.sinks import classify_sink
    image = load((BIN / "linelogin-clean-x86_64").read_bytes())
    call = Call(0x1000, None, "execve", [lift.Sym("sp", -64), lift.Sym("sp", -32), 0], {0: b"/bin/sh"})
    sink = classify_sink(image, call)
    assert sink is not None and sink.kind == "shell" and sink.argument == "/bin/sh"


def test_a_hash_constant_applied_as_clears_of_its_complement_is_the_hash():
    # Thumb-2 cannot hold 0xedb88320 in one instruction: -Os clears its complement's bits in four
    # ``bic``s of the bit-0 mask (``sbfx r1, r3, #0, #1``). The and-ed constants' conjunction is the
    # CRC-32 polynomial: the value is the hash's, named by that constant.
    from nobackdoor.analyzers.binary.elf import load
    image = load((BIN / "linelogin-clean-armhf").read_bytes())
    walker = lift._Walker(image, image.entry)
    r1 = walker.reg_of["r1"]
    reg = (lift.REGISTER, r1[0], 4)
    for clear in (0x12400000, 0x77800, 0x4D8, 0x7):
        op = (lift.AND, reg, (reg, (lift.CONST, ~clear & 0xFFFFFFFF, 4)), None)
        list(walker.step(0x1000, [op]))
    assert walker._reg("r1") is lift.HASHED and 0xEDB88320 in walker.marks
    # a mask that is no hash's constant leaves the value unknown
    walker._set_reg("r1", None)
    list(walker.step(0x1004, [(lift.AND, reg, (reg, (lift.CONST, 0xFFFF0F0F, 4)), None)]))
    assert walker._reg("r1") is not lift.HASHED


def test_a_sign_extended_hash_constant_is_the_hash_constant():
    # PowerPC64 ``lis r9,-4680; ori r9,r9,0x8320`` holds 0xffffffffedb88320
    assert 0xFFFFFFFFEDB88320 in lift.hash_values() and 0xEDB88320 in lift.hash_values()


def test_a_leading_zero_count_of_a_difference_is_an_equality_test():
    # PowerPC's branch-free ``crc32(...) == K``: xor with the sign-extended constant, cntlzw, srwi 5
    from nobackdoor.analyzers.binary.elf import load
    image = load((BIN / "linelogin-clean-ppc64le").read_bytes())
    walker = lift._Walker(image, image.entry)
    r9 = (lift.REGISTER, walker.reg_of["r9"][0], 8)
    walker.write(r9, lift._Diff(Result(None, 0x3fe8), 0xFFFFFFFFCA949728, xor=True))
    events = list(walker.step(0x4000, [(lift.LZCOUNT, (lift.REGISTER, walker.reg_of["r9"][0], 8), (r9,), None)]))
    assert [(e.value, e.size) for e in events] == [(0xCA949728, 4)]


def test_the_upper_word_of_a_wide_load_compares_as_that_memory():
    from nobackdoor.analyzers.binary.elf import load
    image = load((BIN / "linelogin-clean-ppc64le").read_bytes())
    walker = lift._Walker(image, image.entry)
    r9, r10 = (lift.REGISTER, walker.reg_of["r9"][0], 8), (lift.REGISTER, walker.reg_of["r10"][0], 8)
    walker.write(r9, model_loaded("sp", -432, 8))
    walker.write(r10, 0x774F7043)
    shifted = (lift.REGISTER, walker.reg_of["r9"][0], 8)
    ops = [(lift.RIGHT, shifted, (r9, (lift.CONST, 32, 4)), None),
           (lift.EQUAL, (lift.UNIQUE, 0x100, 1), ((lift.REGISTER, walker.reg_of["r9"][0], 4),
                                                  (lift.REGISTER, walker.reg_of["r10"][0], 4)), None)]
    events = list(walker.step(0x2388, ops))
    assert [(e.base, e.offset, e.value, e.size) for e in events] == [("sp", -428, 0x774F7043, 4)]


def model_loaded(base, offset, size):
    from nobackdoor.analyzers.binary.model import Loaded
    return Loaded(base, offset, size)


def test_each_program_decodes_with_its_own_decoder():
    # a SLEIGH decoder keeps the instruction-set changes that code it translated set at later
    # addresses: shared between programs, one program's scan changed how the next one decoded
    from nobackdoor.analyzers.binary.elf import load
    first = load((BIN / "linelogin-clean-armhf").read_bytes())
    second = load((BIN / "linelogin-xor-armhf").read_bytes())
    list(lift.instructions(first, first.entry, first.entry + 64))
    list(lift.instructions(second, second.entry, second.entry + 64))
    assert first.decoders and second.decoders
    assert not set(map(id, first.decoders.values())) & set(map(id, second.decoders.values()))
