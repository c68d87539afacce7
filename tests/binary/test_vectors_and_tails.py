"""Session 14's mechanisms: an argument vector copied through vector registers (its words read from
a wider store, relocated pointers loaded by a vector load, a register filled half by half), the exec
family's command line read from that vector, a tail two paths share (cross-jumping) counted as a
block each of them decides, and a hidden verb tested by a byte-loop helper whose command another
helper runs (the helpers of a dispatcher that reaches a command are walked; a loop's short run of
text is a keyword)."""
from __future__ import annotations

import pytest

from nobackdoor.analyzers.binary import analyzer, model

from .conftest import FIXTURES

BIN = FIXTURES / "bin"


def _loud(findings):
    return [f for f in findings if f.rule.startswith("binary.") and f.severity.name in ("HIGH", "CRITICAL")]


@pytest.mark.parametrize("arch", ["aarch64", "x86_64"])
def test_a_shell_service_started_with_a_vector_copied_argv_is_found(analyze, arch):
    findings, _ = analyze(BIN / f"vecargv-shell-{arch}")
    services = [f for f in _loud(findings) if f.rule == "binary.shell-service"]
    assert services and "telnetd -p 5823 -l /bin/sh" in services[0].message, [(f.rule, f.message) for f in findings]


@pytest.mark.parametrize("arch", ["aarch64", "x86_64"])
def test_the_same_service_with_its_login_stays_quiet(analyze, arch):
    findings, _ = analyze(BIN / f"vecargv-clean-{arch}")
    assert not _loud(findings), [(f.rule, f.message) for f in findings]


def _walk(jump_to: int, tail_end: int, consts: list) -> model.Walk:
    # a compare's branch at 0x102 (mismatch: 0x200); its match block runs to a jump at 0x110 into the
    # middle of the check's pass block (0x140 .. the jump at ``tail_end``); the check's branch at 0x132
    return model.Walk(branches={0x102: 0x200, 0x132: 0x140}, jumps={0x110: jump_to, tail_end: 0x300},
                      block_ends={0x110, tail_end}, reg_consts=consts)


def test_a_tail_that_sets_a_level_and_jumps_on_is_decided_by_both_paths_into_it():
    w = _walk(0x150, 0x156, [(0x152, 64, 2)])
    flow = analyzer._Flow.of(w)
    mine = analyzer._decided_blocks(w, flow, 0x100)
    check = analyzer._decided_blocks(w, flow, 0x130)
    assert 0x156 in mine & check


@pytest.mark.parametrize("jump_to, tail_end, consts", [
    (0x150, 0x156, []),                  # ``i++; continue``: no level written there
    (0x150, 0x156, [(0x152, 64, 0x1000)]),  # a large constant: no state value
    (0x140, 0x156 + 0x20, [(0x152, 64, 2)]),  # a long block: no shared tail
])
def test_other_jumps_into_code_share_nothing(jump_to, tail_end, consts):
    w = _walk(jump_to, tail_end, consts)
    flow = analyzer._Flow.of(w)
    assert tail_end not in analyzer._decided_blocks(w, flow, 0x100)


@pytest.mark.parametrize("arch", ["aarch64", "x86_64"])
def test_a_verb_a_loop_helper_tests_gates_the_command_another_helper_runs(analyze, arch):
    findings, _ = analyze(BIN / f"verbloop-verb-{arch}")
    gates = [f for f in findings if f.rule == "binary.magic-gates-command"]
    assert gates and "'xonov'" in gates[0].message and "system" in gates[0].message, \
        [(f.rule, f.message) for f in findings]


@pytest.mark.parametrize("arch", ["aarch64", "x86_64"])
def test_the_dispatcher_without_the_verb_reports_nothing(analyze, arch):
    findings, _ = analyze(BIN / f"verbloop-clean-{arch}")
    assert not [f for f in findings if f.rule.startswith("binary.")], [(f.rule, f.message) for f in findings]


def test_a_vector_register_filled_half_by_half_is_stored_part_by_part():
    # movq %rax,%xmm0 (a stack address); movq %rdx,%xmm6 (a string's); punpcklqdq %xmm6,%xmm0;
    # movaps %xmm0,0x2c0(%rsp): the two words of an argument vector, whatever each one holds
    from nobackdoor.analyzers.binary import elf, lift

    image = elf.load((BIN / "vecargv-shell-x86_64").read_bytes())
    code = bytes.fromhex("66480f6ec0" "66480f6ef2" "660f6cc6" "0f298424c0020000")
    ctx = lift._context(lift.language(image), False)
    walker = lift._Walker(image, 0x1000)
    walker._set_reg("RAX", lift.Sym("sp", -0x100))
    walker._set_reg("RDX", 0x2004)
    block, _ = lift._compiled(ctx.translate(code, 0x1000).ops)
    for addr, ops in block:
        walker.uniq.clear()
        list(walker.step(addr, ops))
    assert walker._stack_array(walker._reg("RSP").offset + 0x2C0)[:2] == [lift.Sym("sp", -0x100), 0x2004]


def test_a_static_exec_front_end_that_hands_on_its_vector_is_an_execv():
    # a library function that calls execve with its own first two arguments (musl's __execvpe) is a
    # vector front end: a call to it (or to a stub that jumps to it) is read as execv, its argument
    # vector as the command line
    from nobackdoor.analyzers.binary import elf, functions, lift
    from nobackdoor.analyzers.binary.sinks import classify_sink

    data = (BIN / "vecargv-shell-x86_64").read_bytes()
    image = elf.load(data)
    strings = {s: next(a for a in range(image.data_ranges[0][0], image.data_ranges[-1][1])
                       if image.cstring(a, 16) == s.encode()) for s in ("telnetd", "-l", "/bin/sh")}
    rdi, rsi = (lift.Sym(r) for r in lift.CONVENTIONS[image.arch].args[:2])
    front = model.Walk(calls=[model.Call(0x9100, 0x9200, "execve", [rdi, rsi, None])])
    program = model.Walk(calls=[model.Call(0x1100, 0x9000, None, [strings["telnetd"], lift.Sym("sp", -64)],
                                           arrays={1: [strings["telnetd"], strings["-l"], strings["/bin/sh"]]})])
    analyzer._name_exec_wrappers(image, functions.CallMap(starts=[]), {0x1000: program, 0x9000: front}, 0x8000, frozenset(), [])
    call = program.calls[0]
    assert call.name == "execv"
    assert classify_sink(image, call).command_line == "telnetd -l /bin/sh"
