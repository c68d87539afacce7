"""Session 15's mechanisms: a value handed from function to function. The password a form handler
fetched, handed to a check of the program's own that compares it with a built-in one; a command
line whose words lie past the argument registers (an ``execl`` list on the stack) or whose program is
the applet a multi-call binary's argv[0] names; an argument vector copied by a repeated string
instruction (``rep movsl``); the exec front ends of a static C library reached through stubs; a
shell served without a login started by a compare, whatever the compared word looks like."""
from __future__ import annotations

import pytest

from .conftest import FIXTURES

BIN = FIXTURES / "bin"
ARCHES = ["x86_64", "x86_64musl", "mipsel"]


def _loud(findings):
    return [f for f in findings if f.rule.startswith("binary.") and f.severity.name in ("HIGH", "CRITICAL")]


def _show(findings):
    return [(f.rule, f.severity.name, f.message) for f in findings]


@pytest.mark.parametrize("arch", ARCHES)
def test_busybox_telnetd_served_without_login_is_found_with_its_trigger(analyze, arch):
    findings, _ = analyze(BIN / f"svcstart-applet-{arch}")
    services = [f for f in _loud(findings) if f.rule == "binary.shell-service"]
    assert services and "/bin/busybox telnetd -p 6123 -l /bin/sh" in services[0].message, _show(findings)
    # the token is a plain identifier, but what it starts is a shell without a login
    gates = [f for f in _loud(findings) if f.rule == "binary.magic-gates-shell"]
    assert gates and gates[0].evidence["constant"] == "kvaTTRm4", _show(findings)


@pytest.mark.parametrize("arch", ARCHES)
def test_a_vector_copied_from_constant_data_is_read_as_the_command_line(analyze, arch):
    findings, _ = analyze(BIN / f"svcstart-vector-{arch}")
    services = [f for f in _loud(findings) if f.rule == "binary.shell-service"]
    assert services and "utelnetd -p 6124 -i br0 -l /bin/sh" in services[0].message, _show(findings)
    # the token starts the other service, which keeps its login: it is no trigger of this one
    assert not [f for f in findings if f.rule.startswith("binary.magic-gates")], _show(findings)


@pytest.mark.parametrize("arch", ARCHES)
def test_the_services_with_their_login_stay_quiet(analyze, arch):
    findings, _ = analyze(BIN / f"svcstart-clean-{arch}")
    assert not _loud(findings), _show(findings)


LOGIN_ARCHES = ["mipsel", "armel", "x86_64", "aarch64"]


@pytest.mark.parametrize("arch", LOGIN_ARCHES)
@pytest.mark.parametrize("plant, constant", [("master", "Qe7#vLd2!rw"), ("pieces", "vT4q_z9Hk")])
def test_a_password_handed_to_the_programs_own_check_is_followed(analyze, arch, plant, constant):
    # (pieces: the password snprintf assembles, its last pieces on the stack past the argument registers)
    findings, _ = analyze(BIN / f"formlogin-{plant}-{arch}")
    found = [f for f in _loud(findings) if f.rule == "binary.hardcoded-password"]
    assert found and found[0].evidence["constant"] == constant, _show(findings)
    assert "fetched under the name 'password' and handed to this function" in found[0].evidence["password_flow"]


@pytest.mark.parametrize("arch", LOGIN_ARCHES)
def test_a_crc_of_the_handed_password_compared_with_a_number_is_found(analyze, arch):
    # ``return ~crc == K`` without a branch (``crc + ~K == 0``); at -O0 the running value is joined at
    # the loop's test with the value before the first step (``crc ^ *p``)
    findings, _ = analyze(BIN / f"formlogin-crc-{arch}")
    found = [f for f in findings if f.rule == "binary.hashed-secret"]
    assert found and found[0].evidence["constant_hex"] == f"{~0x6b1e93c7 & 0xFFFFFFFF:08x}", _show(findings)
    assert "handed to this function" in found[0].evidence["password_flow"]


@pytest.mark.parametrize("arch", LOGIN_ARCHES)
def test_an_eight_byte_token_compared_in_one_word_is_text(analyze, arch):
    findings, _ = analyze(BIN / f"formlogin-token-{arch}")
    assert "Wq7Zr2Lp" in {f.evidence.get("constant") for f in _loud(findings)}, _show(findings)


@pytest.mark.parametrize("arch", LOGIN_ARCHES)
def test_the_check_without_a_built_in_password_stays_quiet(analyze, arch):
    findings, _ = analyze(BIN / f"formlogin-clean-{arch}")
    assert not _loud(findings), _show(findings)


def test_what_a_walk_budget_leaves_unwalked_is_reported(monkeypatch):
    # with no room for the functions a typed password is handed to, the scan says what it left unread
    from nobackdoor.analyzers.binary import analyzer as binary
    from nobackdoor.inventory import read_entry
    from nobackdoor.models import ScanError

    path = BIN / "formlogin-master-mipsel"
    entry, data = read_entry(path, path.name, path.name, "")

    def limits():
        return [r for r in binary.BinaryAnalyzer().analyze(entry, data) if isinstance(r, ScanError)]

    assert limits() == []
    monkeypatch.setattr(binary, "MAX_CALLER_WALKS", 0)
    cut = limits()
    assert cut and all(e.reason == "limit" and "were not walked" in e.message for e in cut), cut


def test_a_connection_handed_to_a_function_pointer_in_code_naming_a_credential_file_is_a_disclosure():
    # (the callee of an indirect call has no address to name: the effect still stands, named so)
    from nobackdoor.analyzers.binary import elf, flow, model

    image = elf.load((BIN / "relayd-dump-x86_64").read_bytes())
    shadow = next(a for lo, hi in image.data_ranges for a in range(lo, hi) if image.cstring(a, 16) == b"/etc/shadow")
    conn = model.Result("accept", 0x1010)
    w = model.Walk(calls=[model.Call(0x1010, 0x2000, "accept", [3, None, None]),
                          model.Call(0x1020, None, None, [conn, None, None])], refs={shadow})
    effects = flow.credential_disclosures(image, {0x1000: w})
    assert [(e.kind, e.sink.routine) for e in effects] == [("credential-disclosure", "a function pointer")]


def test_a_hash_loops_test_takes_the_values_of_the_jump_to_it_over_a_body_walked_with_another_blocks():
    # ``b test; ...; body: h = (h ^ c) * prime; test: bnez c, body`` with the body after an unrelated
    # block: the linear walk entered the body with that block's values; the jump brings the basis
    from nobackdoor.analyzers.binary import elf, lift

    image = elf.load((BIN / "hashjump-mipsel").read_bytes())
    w = lift._Walker(image, 0x1000)
    v0 = w.reg_of["v0"][0]
    w.entry_states[0x1100] = ({v0: (4, 0x811C9DC5)}, {})
    w.enter(0x10F0)  # nothing reached it yet
    w._set_reg("v0", 0x1234)
    w.join(0x1100)
    assert w._reg("v0") == 0x811C9DC5
    # code the walk did reach is merged as before: the paths disagree, the value is unknown
    w.entry_states[0x1200] = ({v0: (4, 0x811C9DC5)}, {})
    w._set_reg("v0", 0x1234)
    w.join(0x1200)
    assert w._reg("v0") is lift.CLOBBERED


def _x86_ops(image, code: bytes):
    from nobackdoor.analyzers.binary import lift

    block, _ = lift._compiled(lift._context(lift.language(image), False).translate(code, 0x1000).ops)
    return block[0][1]


def test_a_repeated_copy_is_followed_while_its_count_lasts_and_a_fill_is_walked_once():
    from nobackdoor.analyzers.binary import elf, lift

    image = elf.load((BIN / "vecargv-shell-x86_64").read_bytes())
    data = next(lo for lo, hi in image.data_ranges if hi - lo >= 16 and image.read(lo, 16))
    words = [int.from_bytes(image.read(data + 8 * i, 8), "little") for i in range(2)]
    w = lift._Walker(image, 0x1000)
    w._set_reg("RDI", lift.Sym("sp", -64))
    w._set_reg("RSI", data)
    w._set_reg("RCX", 2)
    list(w.step(0x1000, _x86_ops(image, b"\xf3\x48\xa5")))  # rep movsq
    assert [w._stack_word(-64), w._stack_word(-56)] == words and w._reg("RCX") == 0
    # ``rep stosq`` zeroing a structure: one pass, the rest is what the program later puts there
    w = lift._Walker(image, 0x1000)
    w._set_reg("RDI", lift.Sym("sp", -64))
    w._set_reg("RAX", 0)
    w._set_reg("RCX", 4)
    list(w.step(0x1000, _x86_ops(image, b"\xf3\x48\xab")))
    assert w._stack_word(-64) == 0 and w._stack_word(-56) is None
