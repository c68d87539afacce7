"""Session state and hashed triggers (the sessiond fixture, built by tests/fixtures/binary/build.sh).

The login keeps its decision in state: a global request structure that the login helper writes through
its parameter (``r->level = check(...)``, the user name a session lookup fills), or a CGI main's locals.
A test of a request field against a built-in value that writes the same state is a login without
credentials, whatever the test: a literal, a path prefix, a hash of the field compared with a number
(FNV-1a in a helper, CRC-32 inlined). The clean builds hash (a bucket index) and compare paths too,
and stay silent.
"""
from __future__ import annotations

import pytest

from nobackdoor.analyzers.binary import elf, functions, lift
from nobackdoor.models import Severity

from .conftest import FIXTURES, run_binary_analyzer

BIN = FIXTURES / "bin"
ALL = ["x86_64", "mipsel", "armel", "armv7thumb"]
LEADS = {"binary.auth-state-bypass", "binary.hashed-secret", "binary.auth-magic-value",
         "binary.hardcoded-password", "binary.magic-gates-command", "binary.magic-gates-shell"}


def _found(path):
    findings, _ = run_binary_analyzer(path)
    return [f for f in findings if f.severity in (Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)]


def _rules(path):
    return {f.rule for f in _found(path)}


@pytest.mark.parametrize("arch", ALL)
@pytest.mark.parametrize("build", ["clean", "cgiclean"])
def test_clean_session_daemon_stays_silent(build, arch):
    assert not [(f.rule, f.message) for f in _found(BIN / f"sessiond-{build}-{arch}") if f.rule in LEADS]


@pytest.mark.parametrize("arch", ALL)
def test_literal_that_writes_the_login_state_of_a_global_request(arch):
    """handle() compares the User-Agent with a literal and writes r->level and r->user, the fields the
    login helper writes through its parameter (authenticate(&req))."""
    found = [f for f in _found(BIN / f"sessiond-agent-{arch}") if f.rule == "binary.auth-state-bypass"]
    assert found and found[0].evidence["constant"] == "Kx9-tamber-Quill42"
    assert found[0].evidence["state_written"]


@pytest.mark.parametrize("arch", ["armel", "armv7thumb"])
def test_path_prefix_that_writes_a_cgi_mains_session_locals(arch):
    """main() keeps the session lookup's level and the user name it filled in locals; a path prefix
    (strncmp) writes both. The prefix is tested on PATH_INFO, which is "/" only when unset: the walk
    merges the two paths instead of reading the constant."""
    found = [f for f in _found(BIN / f"sessiond-cgilocal-{arch}") if f.rule == "binary.auth-state-bypass"]
    assert found and found[0].evidence["constant"] == "/mnt-7f3e2a/"


@pytest.mark.parametrize("arch", ALL)
def test_fnv_hash_of_a_field_compared_with_a_number(arch):
    rules = _rules(BIN / f"sessiond-fnv-{arch}")
    assert "binary.hashed-secret" in rules
    assert "binary.auth-state-bypass" in rules


@pytest.mark.parametrize("arch", ["armel", "mipsel"])
def test_inlined_crc32_compared_with_a_number(arch):
    """The CRC loop is inlined into the handler; on MIPS the loop is laid out after the compare, which
    the linear walk reaches first (the register compared holds the CRC somewhere in the function)."""
    found = [f for f in _found(BIN / f"sessiond-crc-{arch}") if f.rule == "binary.hashed-secret"]
    assert found
    assert "crc-32" in found[0].evidence["routine"]


def test_a_join_makes_disagreeing_values_unknown():
    """``if (!path) path = "/";`` then ``strncmp(path, ...)``: after the join the first argument is not
    the constant of the path the linear walk took last."""
    image = elf.load((BIN / "sessiond-cgilocal-armel").read_bytes())
    cmap = functions.scan(image)
    for fn in cmap.starts:
        w = lift.walk(image, fn, cmap.end_of(fn))
        for c in w.calls:
            if (c.name or "").startswith("strncmp") and isinstance(c.args[1], int) \
                    and image.cstring(c.args[1], 32) == b"/mnt-7f3e2a/":
                assert not isinstance(c.args[0], int)
                return
    pytest.fail("no strncmp call found")


def test_a_global_buffer_compared_inline_is_read_as_memory():
    """x86-64 -O2 inlines strcmp(req.agent, literal) as word compares of the global buffer (zero-filled
    in the file): they are compares of run-time memory, one run up to the literal's NUL."""
    findings, _ = run_binary_analyzer(BIN / "sessiond-agent-x86_64")
    assert any(f.evidence.get("routine") == "inline compare" and f.evidence["constant"] == "Kx9-tamber-Quill42"
               for f in findings)


def test_login_routine_that_returns_a_level_of_its_own_for_a_built_in_password():
    """login() returns the credential check's result, or the administrator level when the password,
    read as two 32-bit words (a helper that calls nothing we judge), equals two numbers. The exit block
    moves the level into the return register; each path into it is followed to read what it returns."""
    found = [f for f in _found(BIN / "sessiond-master-armel") if f.rule == "binary.hardcoded-password"]
    assert found and found[0].evidence["constant"] == "Murn!lk="
    assert "returns the level" in found[0].evidence["password_flow"]
