"""Own fixture daemons (tests/fixtures/binary/src, built by build.sh for six architectures and Thumb):
every planted trigger is found with the right category, the clean twins stay quiet."""
from __future__ import annotations

import pytest

from .conftest import FIXTURES

BIN = FIXTURES / "bin"
ARCHES = ["mipsel", "armel", "aarch64", "x86_64", "powerpc", "ppc64le"]

# variant -> (rule, category, the constant the evidence must name)
PLANTS = {
    "ctrlsrv-prefix": ("binary.magic-gates-command", "hidden-command", "XDBG#"),
    "ctrlsrv-magic16": ("binary.magic-gates-shell", "hidden-command", "9c41e708b35a12fd66c02e97710bd438"),
    "ctrlsrv-bytes": ("binary.magic-gates-command", "hidden-command", "a73c5e910fd2"),
    "httplite-header": ("binary.auth-magic-value", "auth-bypass", "X-Service-Pass: Zk4!mQ9rT"),
    "httplite-agent": ("binary.auth-magic-value", "auth-bypass", "FactoryProbeTool/2.6"),
    "consolelogin-password": ("binary.hardcoded-password", "hardcoded-secret", "Qv7#Lm2x!Rk"),
}
# Thumb-1, Thumb-2, big-endian MIPS and position-dependent PowerPC with the BSS PLT: ctrlsrv only
EXTRA_ARCHES = ["armthumb", "armv7thumb", "mipsbe", "powerpcbssplt"]
CASES = [(v, a) for v in PLANTS for a in ARCHES] + [(v, a) for v in PLANTS if v.startswith("ctrlsrv") for a in EXTRA_ARCHES]


@pytest.mark.parametrize("variant,arch", CASES)
def test_planted_trigger_found(analyze, variant, arch):
    rule_id, category, constant = PLANTS[variant]
    findings, _ = analyze(BIN / f"{variant}-{arch}")
    hits = [f for f in findings if f.rule == rule_id]
    assert hits, [(f.rule, f.evidence.get("constant")) for f in findings]
    f = hits[0]
    assert f.category == category
    assert f.severity.rank >= 3
    assert constant in (f.evidence["constant"], f.evidence["constant_hex"])
    assert f.evidence["function_address"].startswith("0x")
    assert f.offset is not None and f.offset > 0
    if rule_id.startswith("binary.magic-gates"):
        assert f.evidence["sinks"], "a gated sink must be named"
        assert f.evidence.get("port") == 31999


def test_magic16_names_shell_and_setuid(analyze):
    findings, _ = analyze(BIN / "ctrlsrv-magic16-armel")
    f = next(f for f in findings if f.rule == "binary.magic-gates-shell")
    sinks = " ".join(f.evidence["sinks"])
    assert "setuid" in sinks and "/bin/sh" in sinks
    assert f.severity.value == "critical"


def test_password_is_also_an_auth_bypass(analyze):
    findings, _ = analyze(BIN / "consolelogin-password-mipsel")
    assert {f.category for f in findings} == {"auth-bypass", "hardcoded-secret"}


@pytest.mark.parametrize("program", ["ctrlsrv", "httplite", "consolelogin"])
@pytest.mark.parametrize("arch", ARCHES + EXTRA_ARCHES)
def test_clean_twin_is_quiet(analyze, program, arch):
    path = BIN / f"{program}-clean-{arch}"
    if not path.exists():
        pytest.skip("the Thumb and big-endian builds cover ctrlsrv only")
    findings, _ = analyze(path)
    assert not findings, [(f.rule, f.evidence.get("constant")) for f in findings]


@pytest.mark.parametrize("arch", ARCHES + EXTRA_ARCHES)
def test_listener_port_and_protocol(analyze, arch):
    _, observations = analyze(BIN / f"ctrlsrv-clean-{arch}", relpath="usr/sbin/ctrlsrv")
    listeners = [o.data for o in observations if o.kind == "listener"]
    assert listeners == [{"port": 31999, "protocol": "udp", "program_path": "usr/sbin/ctrlsrv", "source": "binary",
                          "function_address": listeners[0]["function_address"], "_relpath": "usr/sbin/ctrlsrv"}]
    if arch not in EXTRA_ARCHES:
        _, observations = analyze(BIN / f"httplite-clean-{arch}")
        assert [(o.data["port"], o.data["protocol"]) for o in observations if o.kind == "listener"] == [(8181, "tcp")]


def test_binary_observation_names_constants_sinks_imports(analyze):
    _, observations = analyze(BIN / "ctrlsrv-prefix-aarch64")
    obs = next(o for o in observations if o.kind == "binary")
    assert obs.data["arch"] == "aarch64"
    assert "XDBG#" in obs.data["constants"]
    assert "STATUS" not in obs.data["constants"]  # documented commands rank below noise
    assert any(s.startswith("system(") for s in obs.data["sinks"])
    assert {"strncmp", "system", "bind", "recvfrom"} <= set(obs.data["imports"])
