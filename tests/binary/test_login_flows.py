"""A login service with a salted-digest check (the loginsvc fixture, built by
tests/fixtures/binary/build.sh): a built-in credential is read from what the code does with it, not
from how it looks: a master password assembled by strcpy/strcat and compared when the honest check
failed (the level kept in a register at -O2), one compared with an XOR-encoded table in a loop, and
a secret hashed together with a challenge. The clean build stays silent on every architecture."""
from __future__ import annotations

import pytest

from nobackdoor.analyzers.binary import analyzer

from .conftest import FIXTURES

BIN = FIXTURES / "bin"
CREDENTIAL_RULES = {"binary.hardcoded-password", "binary.auth-state-bypass", "binary.auth-magic-value",
                    "binary.password-of-the-day", "binary.hashed-secret"}


def _decisions(name: str) -> set[tuple[str, bytes]]:
    report = analyzer.analyse((BIN / name).read_bytes())
    return {(d.rule_id, d.comparison.raw.rstrip(b"\0")) for d in report.decisions if d.rule_id in CREDENTIAL_RULES}


@pytest.mark.parametrize("arch", ["x86_64", "aarch64", "armel", "mipsel"])
def test_clean_login_service_stays_silent(arch):
    assert _decisions(f"loginsvc-clean-{arch}") == set()


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_secret_hashed_with_a_challenge_is_a_built_in_credential(arch):
    assert ("binary.hardcoded-password", b"q7-Rz0bWm") in _decisions(f"loginsvc-challenge-{arch}")


@pytest.mark.parametrize("arch", ["x86_64", "armel"])
def test_master_password_assembled_from_pieces_sets_the_login_level(arch):
    # strcpy + strcat of constants builds the text on the stack; its match sets the register the
    # digest check's verdict sets (x86-64 -O2: r14, armel -O2)
    assert any(text == b"kelvora71x" for _, text in _decisions(f"loginsvc-pieces-{arch}"))


def test_master_password_in_an_xor_table_loop_is_decoded_and_judged():
    # the loop's exit after its last pass is the code the compares decide: the level returned there
    assert ("binary.hardcoded-password", b"Tm4!pw9q") in _decisions("loginsvc-xorloop-aarch64")


def test_a_configuration_value_compared_with_its_settings_is_no_trigger():
    """rcd (build.sh): ``strcmp(nvram_get("wan_proto"), "l2tp_static9")`` selects the client a router
    starts with system(): the device's own setting, not input a client sends."""
    report = analyzer.analyse((BIN / "rcd-clean-mipsel").read_bytes())
    assert not [d for d in report.decisions if d.rule_id.startswith("binary.magic-gates")]


def test_a_predicated_write_after_the_compare_is_what_the_compare_decides():
    # ``bl memcmp; cmp r0, #0; moveq r8, #2``: the IR branches over the write to the next instruction;
    # the write itself is the code the match runs (the level a credential check keeps in r8)
    from nobackdoor.analyzers.binary import model
    w = model.Walk(calls=[model.Call(0x100, None, "memcmp", [])], branches={0x108: 0x10C},
                   block_ends={0x120}, reg_consts=[(0x108, 64, 2)])
    regions = analyzer._straight_regions(w, analyzer._Flow.of(w), 0x100)
    assert analyzer._register_writes(w, analyzer._Flow.of(w), regions, values=True) == {(64, 2)}


@pytest.mark.parametrize("arch", ["x86_64", "aarch64", "armel", "mipsel", "ppc64le", "powerpc"])
def test_master_password_in_a_constant_array_is_found(arch):
    # memcmp(pass, key, 12) after the honest check failed: a call, word compares, or on PowerPC -Os a
    # branch-free compare of byte-reversed loads whose result is the level itself
    # (x86-64 -O2 and armel -O2 compare the first word in another block: the evidence names the part
    # of the key the run of word compares holds)
    assert any(len(raw) >= 4 and raw in b"Qv7rTn2pLx9w" for _, raw in _decisions(f"loginsvc-const-{arch}"))


@pytest.mark.parametrize("arch", ["ppc64le", "powerpc"])
def test_clean_login_service_stays_silent_on_powerpc(arch):
    assert _decisions(f"loginsvc-clean-{arch}") == set()


def test_powerpc_register_save_routine_keeps_the_arguments():
    # ``bl _savegpr0_22`` in an -Os prologue stores registers and returns: the password argument is
    # still in r4 after it (the walk had taken every argument register as clobbered by the call)
    from nobackdoor.analyzers.binary import elf, functions, lift, ppc
    image = elf.load((BIN / "loginsvc-const-ppc64le").read_bytes())
    cmap = functions.scan(image)
    savers = {t for t in cmap.call_sites if ppc.saves_registers(image, t)}
    assert savers
    assert not any(ppc.saves_registers(image, fn) for fn in cmap.starts if fn not in savers)


def test_a_level_register_set_before_a_call_in_the_matched_block_is_state():
    # ``mov w21, #2; ...; bl snprintf`` in the block a match decides: w21 is no argument of the call
    # (x0..x7 are), so it is the level the block sets; a constant written to x1 before the call is one
    from nobackdoor.analyzers.binary import elf, lift, model
    image = elf.load((BIN / "loginsvc-clean-aarch64").read_bytes())
    names = {v: k for k, v in lift.register_names(image).items()}
    x21, x1 = names["x21"], names["x1"]
    w = model.Walk(calls=[model.Call(0x100, None, "memcmp", []), model.Call(0x110, None, "snprintf", [])],
                   branches={0x104: 0x200}, block_ends={0x114},
                   reg_consts=[(0x108, x21, 2), (0x10C, x1, 40)])
    flow = analyzer._Flow.of(w, lift.argument_registers(image))
    regions = analyzer._straight_regions(w, flow, 0x100)
    assert analyzer._register_writes(w, flow, regions, values=True) == {(x21, 2)}


def test_a_checks_result_moved_to_another_register_is_recorded():
    from nobackdoor.analyzers.binary import elf, lift, model
    image = elf.load((BIN / "loginsvc-clean-aarch64").read_bytes())
    names = {v: k for k, v in lift.register_names(image).items()}
    walker = lift._Walker(image, 0)
    walker.at = 0x104
    walker.write((lift.REGISTER, names["x21"], 8), model.Result(None, 0x100))
    walker.write((lift.REGISTER, names["x0"], 8), model.Result(None, 0x100))  # the return register itself
    assert walker.reg_results == [(0x104, names["x21"], 0x100)]


def test_a_checks_verdict_turned_into_a_level_is_login_state():
    # ``call check; test %eax,%eax; setne %r12b; add %r12d,%r12d``: r12 holds what the check decided
    from nobackdoor.analyzers.binary import elf, lift, model
    image = elf.load((BIN / "loginsvc-clean-x86_64").read_bytes())
    names = {v: k for k, v in lift.register_names(image).items()}
    walker = lift._Walker(image, 0)
    walker.regs[names["RAX"]] = (8, model.Result(None, 0x358E))
    flag, flag2 = (lift.UNIQUE, 0x10, 1), (lift.UNIQUE, 0x20, 1)
    r12 = (lift.REGISTER, names["R12"], 4)
    ops = [(lift.EQUAL, flag, ((lift.REGISTER, names["RAX"], 4), (lift.CONST, 0, 4)), None),
           (lift.BOOL_NEGATE, flag2, (flag,), None),
           (lift.ZEXT, r12, (flag2,), None),
           (lift.ADD, r12, (r12, r12), None)]
    list(walker.step(0x3595, ops))
    assert (0x3595, names["R12"], 0x358E) in walker.reg_results
