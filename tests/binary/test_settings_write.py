"""Network input handed to what writes the device's settings, with no login in front of it: a second
listener that takes key=value lines and saves them (the administrator's password included) is a back
door; the management session that sets the same settings only after a login is not."""
from __future__ import annotations

import pytest

from nobackdoor.analyzers.binary import model
from nobackdoor.analyzers.binary.flow import _loop_replay

from .conftest import FIXTURES

BIN = FIXTURES / "bin"
ARCHES = ["x86_64", "aarch64", "mipsel", "x86_64musl"]
RULE = "binary.network-settings-write"


@pytest.mark.parametrize("arch", ARCHES)
def test_a_listener_that_saves_settings_without_login_is_reported(analyze, arch):
    findings, _ = analyze(BIN / f"settingsd-open-{arch}")
    hits = [f for f in findings if f.rule == RULE]
    assert hits, [f.rule for f in findings]
    f = hits[0]
    assert f.severity.name == "HIGH"  # the program logs in elsewhere: this path skips it
    assert f.category == "remote-access"
    assert f.evidence["input"] in ("recv", "recvfrom")
    assert f.evidence["sink"].startswith("function at 0x")


@pytest.mark.parametrize("arch", ARCHES)
def test_settings_set_after_a_login_are_the_administrators_interface(analyze, arch):
    findings, _ = analyze(BIN / f"settingsd-clean-{arch}")
    assert not [f for f in findings if f.rule == RULE]


def test_calls_above_a_read_at_the_loop_bottom_see_the_next_pass():
    # ``while (n = recv(...)) { ... }`` at -Os: the read sits at the bottom, the handling above it
    calls = [model.Call(0x10, None, "strchr", [None]), model.Call(0x20, 0x400, None, [None]),
             model.Call(0x30, None, "recv", [None]), model.Call(0x50, None, "close", [None])]
    w = model.Walk(calls=calls, branches={0x38: 0x08})
    assert [c.addr for c in _loop_replay(w, {"recv"})] == [0x10, 0x20]
    # no back edge over the read: nothing runs again
    assert _loop_replay(model.Walk(calls=calls, branches={0x18: 0x08}), {"recv"}) == []


def test_a_helper_that_reads_the_network_into_its_argument_fills_the_callers_buffer():
    # ``recv_all(fd, pkt, 1024)`` with ``recv(fd, buf, n, 0)`` inside: the caller's global packet
    # buffer holds network data; a helper that reads a file descriptor it was not handed as a socket
    # (``read(cfg_fd, ...)``) fills nothing
    from nobackdoor.analyzers.binary import elf, flow
    from nobackdoor.analyzers.binary.lift import Sym
    image = elf.load((BIN / "settingsd-open-x86_64").read_bytes())
    buffer = next(seg.vaddr for seg in image.segments if not seg.readonly)
    helper = model.Walk(calls=[model.Call(0x104, None, "recv", [Sym("RDI", 0), Sym("RSI", 0), Sym("RDX", 0), 0])])
    filer = model.Walk(calls=[model.Call(0x304, None, "read", [5, Sym("RSI", 0), 64])])
    caller = model.Walk(calls=[model.Call(0x204, 0x100, None, [model.Result("accept", 0x1F0), buffer, 1024])])
    walks = {0x100: helper, 0x200: caller, 0x300: filer}
    fills = flow._fills(image, walks)
    assert fills == {0x100: [(1, None)]}
    received = flow._received_globals(image, walks, fills)
    assert [(r.value, r.size, routine) for r, routine, _ in received] == [(buffer, 1024, "function at 0x100")]


def test_a_pointer_into_a_global_packet_at_a_computed_offset_is_tainted():
    # raw ICMP: ``icmp = pkt + (pkt[0] & 15) * 4``: the walk names the sum as an unnamed value plus
    # the buffer's address
    from nobackdoor.analyzers.binary import flow
    from nobackdoor.analyzers.binary.lift import Sym
    packet = flow._Buffer(flow.NET, 0x42A0, 1499)
    assert flow._within(Sym("r2", 0x42A0 + 14), packet)
    assert not flow._within(Sym("r2", 8), packet)  # a structure field of an unnamed pointer
    assert not flow._within(Sym("sp", 0x42A0 + 14), packet)
