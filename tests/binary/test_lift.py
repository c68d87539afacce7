"""One IR for every architecture: the P-code walk recovers call arguments, compares and branches
whatever the instruction set, and the hidden-keyword rule judges a command by what the binary says
about it, not by its look."""
from __future__ import annotations

import pytest

from nobackdoor.analyzers.binary import elf, functions, lift, model

from .conftest import FIXTURES

BIN = FIXTURES / "bin"
MGMT_ARCHES = ["mipsel", "armv7thumb", "ppc64le", "x86_64", "aarch64"]


def _walks(path):
    image = elf.load(path.read_bytes())
    cmap = functions.scan(image)
    starts = frozenset(cmap.starts)
    for fn in cmap.starts:
        start = fn | 1 if fn in cmap.thumb_starts else fn
        yield image, lift.walk(image, start, cmap.end_of(fn), starts)


@pytest.mark.parametrize("arch", ["mipsel", "armel", "armthumb", "armv7thumb", "aarch64", "x86_64", "powerpc",
                                  "ppc64le"])
def test_strcmp_against_a_literal_is_recovered_on_every_architecture(arch):
    path = BIN / f"ctrlsrv-prefix-{arch}"
    found = []
    for image, w in _walks(path):
        for call in w.calls:
            if call.name and call.name.split("@")[0] in ("strncmp", "strcmp", "memcmp"):
                found.extend(image.cstring(a, 64) for a in call.args[:2] if isinstance(a, int) and image.in_data(a))
    assert any(s and len(s) >= 4 for s in found), found


def test_mips_unoptimised_calls_through_a_copy_into_t9():
    names = {c.name for _, w in _walks(BIN / "mgmtcli-hidden-mipsel") for c in w.calls}
    assert {"strcmp", "setuid", "execl"} <= names


def test_thumb_code_after_a_blx_into_arm_stays_thumb():
    calls = [c for _, w in _walks(BIN / "ctrlsrv-clean-armv7thumb") for c in w.calls if c.name == "bind"]
    assert any(c.args[2] == 16 for c in calls)  # bind(fd, &addr, sizeof addr)


def test_ppc64_byte_reversed_loads_give_the_inlined_memcmp():
    compares = [c for _, w in _walks(BIN / "ctrlsrv-magic16-ppc64le") for c in w.compares if c.size == 8]
    assert len(compares) >= 2


def test_x86_zeroed_register_is_a_zero_argument():
    calls = [c for _, w in _walks(BIN / "ctrlsrv-magic16-x86_64") for c in w.calls if c.name == "setuid"]
    assert any(c.args[0] == 0 for c in calls)


@pytest.mark.parametrize("arch", MGMT_ARCHES)
def test_undocumented_command_that_opens_a_shell_is_found(analyze, arch):
    findings, _ = analyze(BIN / f"mgmtcli-hidden-{arch}")
    hits = [f for f in findings if f.rule == "binary.magic-gates-shell"]
    assert hits and hits[0].evidence["constant"].rstrip("\\0").startswith("kx9diag"), \
        [(f.rule, f.evidence.get("constant")) for f in findings]
    assert hits[0].severity.value in ("high", "critical")


@pytest.mark.parametrize("arch", MGMT_ARCHES)
def test_the_same_command_listed_in_the_help_table_is_quiet(analyze, arch):
    findings, _ = analyze(BIN / f"mgmtcli-clean-{arch}")
    assert not findings, [(f.rule, f.evidence.get("constant")) for f in findings]


def test_shift_by_a_huge_count_shifts_every_byte_out():
    """A shift count the walk reads as a huge multiple of 8 (a register holding a negative number) moves
    every byte out, without building a list of that many bytes (8 GB on Debian's armel wpa_supplicant)."""
    word = lift.Loaded("sp", -16, 4)
    for code in (lift.LEFT, lift.RIGHT):
        assert lift._byte_op(code, word, (1 << 32) - 8, 4, True) == 0
    assert lift._byte_op(lift.RIGHT, word, 8, 4, True) == lift._Bytes("sp", (-15, -14, -13, None))


_WALK_ALL = """
import sys
from nobackdoor.analyzers.binary import elf, functions, lift, model
image = elf.load(open(sys.argv[1], "rb").read())
cmap = functions.scan(image)
for fn in cmap.starts:
    lift.walk(image, fn | 1 if fn in cmap.thumb_starts else fn, cmap.end_of(fn), frozenset(cmap.starts))
print("walked")
"""


@pytest.mark.parametrize("arch, words", [
    ("ppc64le", [0x10000000, 0x10626840, 0x13FFFC40]),  # vaddubm, vadduhm, vsubuhm
    ("armel", [0xEC900A14, 0xEC800A1F]),  # vldmia / vstmia of 20 and 31 single registers
])
def test_encodings_that_corrupt_the_decoder_are_never_translated(arch, words, tmp_path):
    """pypcode 3.3.3 writes past its parse tree on these (angr/pypcode#289): the walk must skip them,
    or the analysing process dies later at an unrelated place."""
    import subprocess
    import sys

    data = bytearray((BIN / f"ctrlsrv-clean-{arch}").read_bytes())
    image = elf.load(bytes(data))
    cmap = functions.scan(image)
    order = "little" if image.little else "big"
    fn = next(s for s in cmap.starts if cmap.end_of(s) - s >= 64 and s not in cmap.thumb_starts)
    for i, word in enumerate(words):
        at = image.offset_of(fn + 16 + 4 * i)
        data[at:at + 4] = word.to_bytes(4, order)
    patched = tmp_path / "patched"
    patched.write_bytes(bytes(data))
    assert lift._unsafe_words(elf.load(bytes(data)), fn, fn + 64, False) == [fn + 16 + 4 * i for i in range(len(words))]
    run = subprocess.run([sys.executable, "-c", _WALK_ALL, str(patched)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and "walked" in run.stdout, run.stderr[-2000:]


def test_thumb_decoder_guard_follows_instruction_boundaries():
    """In Thumb code the guard reads instruction by instruction: the second half of a ``blx``
    (0xEDDC) followed by a 16-bit load is no VFP store; a real ``vldmia r0, {s0-s19}`` is."""
    class Code:
        arch, little = "arm", True

        def __init__(self, raw: bytes) -> None:
            self.raw = raw

        def read(self, addr: int, size: int) -> bytes:
            return self.raw[addr - 0x1000:addr - 0x1000 + size]

    halves = [0x447A, 0xF7FF, 0xEDDC, 0x4BA0, 0xEC90, 0x0A14, 0x4770]  # add; blx; ldr; vldmia; bx lr
    raw = b"".join(h.to_bytes(2, "little") for h in halves)
    assert lift._unsafe_words(Code(raw), 0x1000, 0x1000 + len(raw), True) == [0x1008]


@pytest.mark.parametrize("arch, named", [("mipsel", False), ("aarch64", True)])
def test_an_address_upper_half_names_no_datum(monkeypatch, arch, named):
    """``lui``/MIPS GOT page entries and ``adrp`` write a page-aligned value that is only a base for an
    offset: a string that happens to start on that page boundary is not referenced by the function
    (a persistence reader was judged authentication code through one). On AArch64 a page-aligned
    value passed to a call is an address of its own; on MIPS a stale argument register holds one."""
    image = elf.load((BIN / f"ctrlsrv-clean-{arch}").read_bytes())
    monkeypatch.setattr(image, "in_data", lambda value: True)
    walker = lift._Walker(image, 0)
    walker.write((lift.UNIQUE, 0, 4), 0x90000)
    walker.write((lift.UNIQUE, 0, 4), 0x8EB24)
    passed = model.Walk(calls=[model.Call(0x1000, None, "fopen", [0x90000])])
    assert 0x90000 not in walker.refs and 0x8EB24 in walker.refs
    assert (0x90000 in walker.used_pages(passed)) is named
    assert 0x90000 not in walker.used_pages(model.Walk())


def test_a_delay_slot_compare_is_a_second_compare_of_its_instruction():
    # ``beq s2, a2, X`` with ``movz a0, a1, v0`` in its delay slot, v0 = word ^ K: two compares, two
    # operands (the word compared with K sets the level a0 when it matches); the same compare computed
    # twice in one instruction (x86 ``cmp`` then its zero flag) stays one
    image = elf.load((BIN / "ctrlsrv-clean-mipsel").read_bytes())
    walker = lift._Walker(image, 0)
    s2, v0 = 72, 8
    walker.regs[s2] = (4, model.Loaded("sp", -147, 4))
    walker.regs[v0] = (4, lift._Diff(model.Loaded("sp", -40, 4), 0x4C310A8D))
    byte_test = (lift.EQUAL, (lift.UNIQUE, 0, 1), ((lift.REGISTER, s2, 4), (lift.CONST, 19, 4)), "int_equal")
    word_test = (lift.NOTEQUAL, (lift.UNIQUE, 8, 1), ((lift.REGISTER, v0, 4), (lift.CONST, 0, 4)), "int_notequal")
    events = [e for e in walker.step(0x100, [byte_test, word_test]) if isinstance(e, model.Compare)]
    assert [(e.offset, e.value) for e in events] == [(-147, 19), (-40, 0x4C310A8D)]
    again = [e for e in walker.step(0x104, [word_test, word_test]) if isinstance(e, model.Compare)]
    assert len(again) == 1


def test_a_stack_buffer_given_to_an_earlier_call_may_be_written_by_a_later_one():
    # ``fgets(buf, 256, f)``, later ``get_param(q, "auth", p)`` with ``p`` reloaded from a spill: the
    # program's own routine may fill ``buf`` without being handed its address again, so what the walk
    # stored there earlier (a sockaddr's fields) is no longer what a compare reads
    image = elf.load((BIN / "ctrlsrv-clean-mipsel").read_bytes())
    walker = lift._Walker(image, 0)
    walker._forget_written("fgets", [lift.Sym("sp", -1232), 256, None])
    walker.stack[("sp", -1228)] = (4, 0)
    walker._forget_written("strlen", [lift.Sym("sp", -64)])  # a library routine that writes nothing
    assert ("sp", -1228) in walker.stack
    walker._forget_written(None, [None, None])  # the program's own routine
    assert ("sp", -1228) not in walker.stack


def test_immediates_include_operands_of_unknown_values():
    # a bitwise CRC-32 at -O0: ``neg %eax; and $0xedb88320, %eax`` on a value the walk cannot know:
    # the polynomial is still a constant the function computes with (it names the hash)
    from nobackdoor.analyzers.binary import lift as lifting
    image = elf.load((BIN / "ctrlsrv-clean-x86_64").read_bytes())
    walker = lifting._Walker(image, 0)
    walker.seen = set()
    walker.read((lifting.CONST, 0xEDB88320, 4))
    walker.read((lifting.CONST, 7, 4))  # small ones are counts and characters
    assert walker.seen == {0xEDB88320}


def test_a_prefix_built_on_the_stack_needs_no_nul_when_its_length_is_given():
    # ``str r3 ("_siw"); strh ("yn"); strb ("#"); strncmp(payload, prefix, 7)``
    image = elf.load((BIN / "ctrlsrv-clean-armel").read_bytes())
    walker = lift._Walker(image, 0)
    walker.stack[("sp", -1320)] = (4, int.from_bytes(b"_siw", "little"))
    walker.stack[("sp", -1316)] = (2, int.from_bytes(b"yn", "little"))
    walker.stack[("sp", -1314)] = (1, ord("#"))
    assert walker.stack_string(-1320) is None  # no terminator: no text
    assert walker.stack_string(-1320, walker._compared_length("strncmp", [None, None, 7])) == b"_siwyn#"


def test_a_result_plus_a_constant_tested_below_one_is_compared_with_its_negation():
    # -O0 MIPS ``return crc(buf, n) == K;``: ``addu v0, v1, -K; sltiu v0, v0, 1``
    image = elf.load((BIN / "ctrlsrv-clean-mipsel").read_bytes())
    walker = lift._Walker(image, 0)
    v0, v1 = 8, 12
    walker.regs[v1] = (4, model.Result(None, 0x3A1C))
    ops = [(lift.ADD, (lift.REGISTER, v0, 4), ((lift.REGISTER, v1, 4), (lift.CONST, 0x9911BB92, 4)), None),
           (lift.LESS, (lift.REGISTER, v0, 4), ((lift.REGISTER, v0, 4), (lift.CONST, 1, 4)), None)]
    events = [e for e in walker.step(0x3A38, ops) if isinstance(e, model.Tested)]
    assert [(e.result.at, e.value) for e in events] == [(0x3A1C, 0x66EE446E)]
