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
