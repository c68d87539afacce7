"""The shapes of session 12's mechanisms, each on code its author did not shape for the analyzer: a
receive loop that advances its pointer, an exec argument vector, a CGI request header, a password
built on the stack of a big-endian program, alignment padding after jumps, and the lifter's own
value rules (halves of a 32-bit compare, MIPS unaligned pairs, a store over a text's NUL)."""
from __future__ import annotations

import pytest

from nobackdoor.analyzers.binary import elf, flow, lift
from nobackdoor.analyzers.binary.lift import Sym
from nobackdoor.analyzers.binary.model import Loaded

from .conftest import FIXTURES

BIN = FIXTURES / "bin"
PKTD_ARCHES = ["x86_64", "aarch64", "armel", "powerpc", "mipsel"]


def _judged(findings):
    return [f for f in findings if f.rule.startswith("binary.") and f.severity.name in ("MEDIUM", "HIGH", "CRITICAL")]


@pytest.mark.parametrize("arch", PKTD_ARCHES)
def test_a_hidden_switch_case_that_runs_the_payload_is_remote_command_execution(analyze, arch):
    # recv into buf + got in a loop fills the payload; an extra case hands it to execve's argv
    findings, _ = analyze(BIN / f"pktd-case-{arch}")
    hits = [f for f in findings if f.rule == "binary.network-command"]
    assert hits, [f.rule for f in findings]
    assert hits[0].severity.name == "HIGH" and hits[0].category == "remote-access"
    assert hits[0].evidence["sink"].startswith("execve")


@pytest.mark.parametrize("arch", PKTD_ARCHES)
def test_a_password_built_on_the_stack_is_a_master_password(analyze, arch):
    findings, _ = analyze(BIN / f"pktd-stack-{arch}")
    hits = [f for f in findings if f.rule == "binary.hardcoded-password"]
    assert hits and hits[0].evidence["constant"] == "qT7!veR2xWp", [(f.rule, f.evidence) for f in findings]


@pytest.mark.parametrize("arch", PKTD_ARCHES)
def test_a_request_header_run_as_a_command_is_remote_command_execution(analyze, arch):
    findings, _ = analyze(BIN / f"pktd-cgiheader-{arch}")
    hits = [f for f in findings if f.rule == "binary.network-command"]
    assert hits and hits[0].evidence["input"] == "getenv", [(f.rule, f.evidence) for f in findings]


@pytest.mark.parametrize("variant", ["clean", "cgiclean"])
@pytest.mark.parametrize("arch", PKTD_ARCHES)
def test_the_honest_daemon_and_cgi_stay_silent(analyze, arch, variant):
    # the User-Agent is read and logged, the login compares two run-time texts, the switch is the
    # documented protocol: nothing to report
    findings, _ = analyze(BIN / f"pktd-{variant}-{arch}")
    assert not _judged(findings), [(f.rule, f.evidence) for f in findings]


def test_request_variables_are_the_ones_a_client_sets():
    names = ["QUERY_STRING", "HTTP_"]
    assert flow._request_variable("HTTP_X_DIAG", names)
    assert flow._request_variable("QUERY_STRING", names)
    assert not flow._request_variable("PATH", names)
    assert not flow._request_variable("QUERY_STRING_MAX", names)


def test_a_32_bit_constant_compared_in_halves_is_one_compare():
    # PowerPC: ``xoris r9, r7, 0x2f8e; cmpwi r9, 0x7626`` tests r7 == 0x2f8e7626
    word = Loaded("sp", -8, 4)
    assert lift._Diff(word, 0x2F8E0000, xor=True).against(0x7626, 4) == lift._Diff(word, 0x2F8E7626)
    # a difference compared with c: loaded - K == c, so loaded == K + c
    assert lift._Diff(word, 0x100).against(0x20, 4) == lift._Diff(word, 0x120)


def _mips(word: int) -> bytes:
    return word.to_bytes(4, "little")


def test_a_mips_unaligned_pair_is_the_word_access_it_makes():
    # little-endian ``swl v1, 3(v0); swr v1, 0(v0)`` stores v1 at v0: ``sw v1, 0(v0); nop``
    swl, swr = (0x2A << 26) | (2 << 21) | (3 << 16) | 3, (0x2E << 26) | (2 << 21) | (3 << 16) | 0
    code = bytearray(_mips(swl) + _mips(swr))
    lift._unaligned_as_aligned(code, little=True)
    assert code == bytearray(_mips((0x2B << 26) | (2 << 21) | (3 << 16)) + _mips(0))
    # two halves of different words (or registers) stay as they are
    other = bytearray(_mips(swl) + _mips((0x2E << 26) | (2 << 21) | (4 << 16) | 0))
    before = bytes(other)
    lift._unaligned_as_aligned(other, little=True)
    assert bytes(other) == before


def test_alignment_padding_has_no_effect():
    unique = (lift.UNIQUE, 0x100, 8)
    reg = (lift.REGISTER, 0, 4)
    assert lift._no_effect([])
    assert lift._no_effect([(lift.MULT, unique, ((lift.REGISTER, 0, 8), (lift.CONST, 1, 8)), None)])  # nopl 0(%rax,%rax)
    assert lift._no_effect([(lift.OR, reg, (reg, (lift.CONST, 0, 4)), None)])  # ori r0, r0, 0
    assert not lift._no_effect([(lift.COPY, reg, ((lift.CONST, 1, 4),), None)])  # li r0, 1


def test_a_store_over_a_texts_nul_keeps_the_text():
    # strcpy(k, "tk"); strcat(k, "JFD"): the second store overwrites the first's NUL only
    image = elf.load((BIN / "pktd-clean-mipsel").read_bytes())
    w = lift._Walker(image, 0)
    w.store(Sym("sp", -72), 4, int.from_bytes(b"tk\0\0", "little"))
    w.store(Sym("sp", -70), 4, int.from_bytes(b"JFD\0", "little"))
    assert w._stack_bytes(-72) == b"tkJFD"


def test_a_pointer_advanced_in_a_loop_stays_inside_its_buffer():
    buf = Sym("sp", -1648)
    merged = lift._merge({1: (8, buf)}, {1: (8, lift._Inside(buf))})
    assert merged[1] == (8, lift._Inside(buf))
    assert lift._arg(merged[1][1]) == buf  # a call given it is given the buffer
    # unrelated values still disagree
    assert lift._merge({1: (8, buf)}, {1: (8, 5)})[1][1] is lift.CLOBBERED


def test_a_thumb_switch_table_is_data_not_code():
    # -O0 Thumb-2: ``adr r2, T; ldr.w r3, [r2, r3, lsl #2]; add r2, r3; bx r2`` then the word table;
    # decoded as code it would clobber the frame pointer
    path = BIN / "pktd-clean-armhf"
    image = elf.load(path.read_bytes())
    found = []
    for lo, hi in image.code:
        raw = image.read(lo, hi - lo) or b""
        for i in range(0, len(raw) - 1, 2):
            hw = int.from_bytes(raw[i:i + 2], "little")
            if hw & 0xFF87 == 0x4700 and hw != 0x4770:
                end = lift._branch_table_end(image, lo + i)
                if end:
                    found.append((lo + i, end))
    assert found, "no switch table found"
    bx, end = found[0]
    table = (bx + 2 + 3) & ~3
    words = [int.from_bytes(image.read(a, 4), "little") for a in range(table, end, 4)]
    assert words and all(table + (w & ~1) >= end for w in words)  # every case starts after the table
    assert min(table + (w & ~1) for w in words) == end
