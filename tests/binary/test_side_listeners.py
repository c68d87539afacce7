"""Session 13's mechanisms: a walk that seeds blocks only later code reaches, reachability over the
walk's blocks (which read a write or command can follow), callees that never return, system-call
wrappers without frames, a saver split by an early return, and a shell's own argument vector. Each on
the sided fixture (side listeners inlined into main next to an honest session that logs in), on
four code shapes, and on small synthetic walks."""
from __future__ import annotations

import pytest

from nobackdoor.analyzers.binary import (analyzer, cfg, credentials, elf, functions, lift, model, signatures, state,
                                         static)
from nobackdoor.analyzers.binary.ranking import rank

from .conftest import FIXTURES

BIN = FIXTURES / "bin"
SIDED_ARCHES = ["x86_64musl", "armel", "mipsel", "powerpc"]
PLANTS = {
    "dump": "binary.credential-disclosure",
    "set": "binary.network-settings-write",
    "shell": "binary.socket-shell",
    "knock": "binary.magic-gates-shell",
    "handoff": "binary.socket-shell",
}


def _loud(findings):
    return [f for f in findings if f.rule.startswith("binary.") and f.severity.name in ("HIGH", "CRITICAL")]


@pytest.mark.parametrize("arch", SIDED_ARCHES)
@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_each_side_listener_is_found_by_its_flow(analyze, plant, arch):
    findings, _ = analyze(BIN / f"sided-{plant}-{arch}")
    assert PLANTS[plant] in {f.rule for f in _loud(findings)}, [(f.rule, f.message) for f in findings]


@pytest.mark.parametrize("arch", SIDED_ARCHES)
def test_the_honest_agent_raises_nothing_high(analyze, arch):
    findings, _ = analyze(BIN / f"sided-clean-{arch}")
    assert not [(f.rule, f.message) for f in _loud(findings)]


@pytest.mark.parametrize("arch", SIDED_ARCHES)
def test_the_side_listeners_read_reaches_only_its_own_save(analyze, arch):
    # the settings listener's recv buffer shares main's stack with the session's (inlined at -O2);
    # no path leads from that read to the session's save after its login: one write is reported, the
    # listener's, with the listener's read as its input
    findings, _ = analyze(BIN / f"sided-set-{arch}")
    writes = [f for f in findings if f.rule == "binary.network-settings-write"]
    assert len(writes) == 1, [(f.rule, f.message) for f in writes]


def test_a_loop_body_laid_out_before_its_accept_starts_from_the_values_its_back_edge_carries(analyze):
    # after ``_exit`` nothing falls into the body; the jump back from below the accept brings the
    # accepted descriptor, which the body hands to the helper that sends /etc/shadow
    findings, _ = analyze(BIN / "seedloop-x86_64")
    assert "binary.credential-disclosure" in {f.rule for f in _loud(findings)}, [(f.rule, f.message) for f in findings]


def test_the_calls_of_the_seeded_block_see_the_accepted_descriptor():
    image = elf.load((BIN / "seedloop-x86_64").read_bytes())
    cmap = functions.scan(image)
    starts = frozenset(cmap.starts)
    walks = {fn: lift.walk(image, fn, cmap.end_of(fn), starts) for fn in cmap.starts}
    accepted = [c for w in walks.values() for c in w.calls if c.name and c.name.startswith("close")
                and c.args and getattr(c.args[0], "routine", None) == "accept"]
    assert accepted, "the close after the helper was not given the accepted descriptor"


def test_a_static_exit_without_a_name_is_a_call_that_does_not_return():
    image = elf.load((BIN / "sided-dump-x86_64musl").read_bytes())
    cmap = functions.scan(image)
    signatures.name_routines(image, list(cmap.call_sites))
    static.name_syscall_wrappers(image, cmap)
    starts = frozenset(cmap.starts)
    ending = [t for t in cmap.call_sites if lift.never_returns(image, t, starts)]
    returning = [t for t in cmap.call_sites if t in image.imports and image.imports[t] in ("socket", "bind", "accept")]
    assert ending, "no callee of the static program was found never to return"
    assert returning and not any(lift.never_returns(image, t, starts) for t in returning)


def test_an_exec_front_end_is_named_by_the_wrapper_it_calls():
    # musl's execl builds the vector and calls execv, a frameless wrapper whose trap is a few bytes in
    image = elf.load((BIN / "sided-knock-x86_64musl").read_bytes())
    cmap = functions.scan(image)
    signatures.name_routines(image, list(cmap.call_sites))
    static.name_syscall_wrappers(image, cmap)
    named = {a: n for a, n in image.imports.items() if n == "execve"}
    assert named
    for addr in named:
        assert cmap.function_of(addr) is None or addr in cmap.call_sites or addr in cmap.starts


def _walk(branches=None, jumps=None, ends=(), calls=(), indirect=(), stops=()):
    w = model.Walk()
    w.branches = dict(branches or {})
    w.jumps = dict(jumps or {})
    w.block_ends = set(ends) | set(w.jumps)
    w.calls = [model.Call(a, None, "f", []) for a in calls]
    w.indirect = set(indirect)
    w.stops = set(stops)
    return w


def test_reach_follows_jumps_to_blocks_laid_out_out_of_line():
    # 0x10 read; 0x20 beq 0x80; 0x24 write; 0x28 j 0x10 (loop); 0x80 check; 0x84 j 0x24
    w = _walk(branches={0x20: 0x80}, jumps={0x28: 0x10, 0x84: 0x24}, calls=(0x10, 0x24, 0x80))
    paths = cfg.Reach(w)
    assert paths.between(0x10, 0x24, 0x80)  # read -> check (out of line) -> write
    assert paths.reaches(0x24, 0x10)  # the loop comes back to the read


def test_reach_stops_at_a_return_and_at_a_call_that_does_not_return():
    # 0x10 read; 0x14 exit(); 0x20 check; 0x24 ret; 0x30 write
    w = _walk(ends=(0x24,), calls=(0x10, 0x14, 0x20, 0x30), stops=(0x14,))
    paths = cfg.Reach(w)
    assert not paths.reaches(0x10, 0x20)
    assert not paths.reaches(0x20, 0x30)
    assert paths.reaches(0x10, 0x10) and not paths.reaches(0x20, 0x10)


def test_reach_takes_a_switch_jump_to_reach_anything():
    w = _walk(ends=(0x18,), indirect=(0x18,), calls=(0x10, 0x40, 0x80))
    paths = cfg.Reach(w)
    assert paths.reaches(0x10, 0x80) and paths.reaches(0x10, 0x40)


class _Strings:
    """An image with a few C strings in data (addresses -> text)."""

    def __init__(self, texts: dict[int, bytes]) -> None:
        self.texts = texts

    def in_data(self, addr: int) -> bool:
        return addr in self.texts

    def cstring(self, addr: int, limit: int = 256) -> bytes | None:
        return self.texts.get(addr, b"")[:limit] or None


def _formatted_then(*later: model.Call) -> list:
    image = _Strings({0x9000: b"%s%s", 0x9010: b"Qv7sXk%p2"})
    buf, challenge = lift.Sym("sp", -0x100), lift.Sym("sp", -0x40)
    w = model.Walk()
    w.calls = [model.Call(0x100, None, "snprintf", [buf, 96, 0x9000, 0x9010, challenge]), *later]
    return list(credentials.hashed_secrets(image, w, lambda target: False, digest_here=True))


def test_a_secret_formatted_with_a_challenge_where_the_digest_is_inlined_is_a_built_in_password():
    # -O2: sha1_init/update/final inlined; the formatted buffer is read by loads, only strlen sees it
    found = _formatted_then(model.Call(0x120, None, "strlen", [lift.Sym("sp", -0x100)]))
    assert [s.seed for s in found] == [b"Qv7sXk%p2"]


def test_a_text_formatted_to_be_written_out_is_a_message_not_a_digests_input():
    found = _formatted_then(model.Call(0x120, None, "fprintf", [0x5000, lift.Sym("sp", -0x100)]))
    assert not found


def test_a_test_inside_the_code_a_compare_runs_extends_what_it_gates():
    # 0x100 compare; 0x110 bne 0x400 (mismatch); 0x120 get(value); 0x130 beqz 0x300 (nested: value set)
    # 0x140 j 0x500; 0x300 system(value); 0x310 j 0x500; 0x400 (mismatch) j 0x500; 0x500 other code;
    # 0x510 beqz 0x700 (not the compare's: past the jump that ends its code); 0x520 ret
    w = model.Walk()
    w.branches = {0x110: 0x400, 0x130: 0x300, 0x510: 0x700}
    w.jumps = {0x140: 0x500, 0x310: 0x500, 0x410: 0x500}
    w.block_ends = {0x140, 0x310, 0x410, 0x520}
    w.calls = [model.Call(0x120, 0x2000, None, []), model.Call(0x300, None, "system", [])]
    flow = analyzer._Flow.of(w)
    regions = analyzer._gated_regions(w, flow, 0x108, [0x100])
    assert analyzer._within(0x300, regions)
    assert not analyzer._within(0x700, regions)


def test_a_shell_handed_a_parameter_is_a_socket_shell_when_a_caller_passes_the_connection():
    # sided-handoff: session(c) hands its descriptor to a helper that dup2s it onto 0-2 and runs a shell
    for arch in SIDED_ARCHES:
        report = analyzer.analyse((BIN / f"sided-handoff-{arch}").read_bytes())
        shells = [e for e in report.effects if e.kind == "socket-shell"]
        assert shells and shells[0].source.startswith("accept") and shells[0].via is not None, arch


class _InlineDigest:
    """The function under test sets its digest up itself (``sha256_init`` inlined); no routine it
    calls is known to hash."""

    def sets_up_digest(self, fn: int) -> bool:
        return fn == 0x4000

    def hashes_input(self, fn: int) -> bool:
        return False


def test_a_digest_set_up_inline_and_finished_by_a_call_is_the_inputs_digest():
    ctx, digest = lift.Sym("sp", -0x138), lift.Sym("sp", -0x158)
    w = model.Walk()
    w.calls = [model.Call(0x4010, 0x3600, None, [ctx, lift.Sym("RSI"), 5]),  # update(&c, pass, n)
               model.Call(0x4020, 0x3800, None, [ctx, digest]),  # final(&c, d)
               model.Call(0x4030, None, "memcmp", [digest, 0x9000, 32])]
    raw = bytes(range(1, 33))
    comp = analyzer.Comparison(0x4000, 0x4030, "memcmp", raw, rank(raw))
    assert analyzer._raw_digest_of_input(w, comp, _InlineDigest())
    other = analyzer.Comparison(0x5000, 0x4030, "memcmp", raw, rank(raw))  # a function that sets up none
    assert not analyzer._raw_digest_of_input(w, other, _InlineDigest())


def test_a_local_buffer_a_string_is_formatted_into_is_state_when_stack_places_count():
    # ``snprintf(user, sizeof user, "%s", admin)`` in the block a match decides: the session's user name
    # when the login formats its own there (stack places are asked for), scratch otherwise
    user = lift.Sym("sp", -0x90)
    w = model.Walk()
    w.calls = [model.Call(0x200, None, "snprintf", [user, 40, 0x9000, 0x9100])]
    image = _Strings({0x9000: b"%s"})
    assert (user, None) in state.writes(image, w, [(0x100, 0x300)], stack=True)
    assert not state.writes(image, w, [(0x100, 0x300)])


@pytest.mark.parametrize("arch", ["mipsel", "mips"])
def test_a_hash_loop_entered_at_its_test_keeps_the_hash_at_the_join(arch):
    # ``h = 0x811c9dc5; goto test; loop: h = (h ^ c) * P; test: if (*s) goto loop;``: the test joins the
    # starting value (a hash constant) and the running value; the compare after it tests the hash
    image = elf.load((BIN / f"hashjump-{arch}").read_bytes())
    cmap = functions.scan(image)
    starts = frozenset(cmap.starts)
    tested = [t for fn in cmap.starts for t in lift.walk(image, fn, cmap.end_of(fn), starts).tested
              if t.value == 0x5BD1E995]
    assert tested and all(t.hashed for t in tested)


@pytest.mark.parametrize("arch", SIDED_ARCHES)
def test_a_disclosure_names_the_accept_of_the_connection_it_writes_to(arch):
    # main accepts twice (the side listener, then the honest one after it); the disclosure's input is
    # the side listener's accept, whatever order a set of call results happens to iterate in
    report = analyzer.analyse((BIN / f"sided-dump-{arch}").read_bytes())
    disclosed = [e for e in report.effects if e.kind == "credential-disclosure"]
    assert disclosed
    e = disclosed[0]
    image = elf.load((BIN / f"sided-dump-{arch}").read_bytes())
    cmap = functions.scan(image)
    if not image.imports:  # static: the C library's routines named as the analyzer names them
        signatures.name_routines(image, list(cmap.call_sites))
        static.name_syscall_wrappers(image, cmap)
    w = lift.walk(image, e.function, cmap.end_of(e.function), frozenset(cmap.starts), cmap.soft_starts)
    accepts = sorted(c.addr for c in w.calls if c.name and c.name.startswith("accept"))
    assert len(accepts) >= 2 and e.source_addr == max(a for a in accepts if a < e.sink.addr)
