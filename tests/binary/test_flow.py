"""Data flow on the lifted code: each back-door shape of the relayd fixture is found by what reaches
what (input to a command, a socket to a shell, a fetched password to a constant), on three code
shapes (x86-64 -O2, mipsel -Os, armel -O0), and the clean build stays silent."""
from __future__ import annotations

import pytest

from nobackdoor.analyzers.binary import credentials, elf, functions, lift
from nobackdoor.models import Severity

from .conftest import FIXTURES, run_binary_analyzer

BIN = FIXTURES / "bin"
ARCHES = ["x86_64", "mipsel", "armel"]
PLANTS = {
    "exec": "binary.network-command",
    "bindshell": "binary.socket-shell",
    "telnetd": "binary.shell-service",
    "digest": "binary.hashed-secret",
    "dump": "binary.credential-disclosure",
}


def _loud(path):
    findings, _ = run_binary_analyzer(path)
    return [f for f in findings if f.severity in (Severity.HIGH, Severity.CRITICAL)]


@pytest.mark.parametrize("arch", ARCHES)
def test_clean_daemon_with_login_and_commands_stays_quiet(arch):
    assert not [(f.rule, f.message) for f in _loud(BIN / f"relayd-clean-{arch}")]


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_each_shape_is_found_by_its_flow(plant, arch):
    loud = _loud(BIN / f"relayd-{plant}-{arch}")
    assert PLANTS[plant] in {f.rule for f in loud}, [(f.rule, f.message) for f in loud]


@pytest.mark.parametrize("arch", ARCHES)
def test_network_command_names_input_and_sink(arch):
    f = next(f for f in _loud(BIN / f"relayd-exec-{arch}") if f.rule == "binary.network-command")
    assert f.evidence["input"] == "recv"
    assert f.evidence["sink"].startswith("popen(")
    assert f.offset is not None


@pytest.mark.parametrize("arch", ARCHES)
def test_master_password_is_found_by_the_name_it_was_fetched_under(arch):
    """'tidewater' ranks as a plain word: only the data flow ("fetched under 'password'") makes it a
    password, reported at medium (a form may compare the field with a mode word)."""
    findings, _ = run_binary_analyzer(BIN / f"relayd-master-{arch}")
    f = next(f for f in findings if f.rule == "binary.hardcoded-password")
    assert f.severity == Severity.MEDIUM  # a plain word: the flow says password, its look does not
    assert f.evidence["constant"] == "tidewater"
    assert "password" in f.evidence["password_flow"]


def test_bind_shell_evidence_names_the_shell():
    f = next(f for f in _loud(BIN / "relayd-bindshell-x86_64") if f.rule == "binary.socket-shell")
    assert f.severity == Severity.CRITICAL
    assert "/bin/sh" in f.evidence["sink"]


def test_shell_service_joins_execl_arguments():
    f = next(f for f in _loud(BIN / "relayd-telnetd-mipsel") if f.rule == "binary.shell-service")
    assert "telnetd -l /bin/sh" in f.evidence["command"]


def _function_walks(path):
    image = elf.load(path.read_bytes())
    cmap = functions.scan(image)
    starts = frozenset(cmap.starts)
    for fn in cmap.starts:
        yield image, lift.walk(image, fn | 1 if fn in cmap.thumb_starts else fn, cmap.end_of(fn), starts)


def test_x86_64_xor_or_word_compares_are_one_constant():
    """gcc -O2 inlines strcmp against a 32-character literal into `(w0 ^ k0) | (w1 ^ k1)` tests."""
    texts = set()
    for image, w in _function_walks(BIN / "relayd-digest-x86_64"):
        for c in w.compares:
            texts.add(c.value.to_bytes(c.size, "little"))
    assert any(b"5f0c2a61d33e9b07".startswith(t) or t.startswith(b"5f0c2a61") for t in texts), texts
    assert any(b"2f9b0a17" in t for t in texts), texts


def test_clean_login_has_no_master_password():
    """The clean build fetches the password and compares it only through its own check, and compares
    its command words ("status", "reboot") with constants: neither is a master password."""
    for image, w in _function_walks(BIN / "relayd-clean-mipsel"):
        assert not list(credentials.find(image, w, authenticating=True))


@pytest.mark.parametrize("arch", ARCHES)
def test_secret_built_on_the_stack_is_read_back(arch):
    """key[0] = 'Q'; key[1] = 'r'; ...: byte stores (-O0), or wider immediates (-O2), are one string."""
    built = {b for image, w in _function_walks(BIN / f"relayd-stackid-{arch}") for c in w.calls
             for b in c.built.values()}
    assert b"Qr7m#We2xL9p" in built


@pytest.mark.parametrize("arch", ARCHES)
def test_matcher_helper_is_judged_in_its_caller(arch):
    """trusted_client() only compares; the login it skips is in its caller, an authentication routine
    (a dispatcher of several commands: reported at medium at least)."""
    findings, _ = run_binary_analyzer(BIN / f"relayd-stackid-{arch}")
    f = next(f for f in findings if f.rule == "binary.auth-magic-value")
    assert f.severity in (Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)
    assert f.evidence["constant"] == "Qr7m#We2xL9p"
    assert f.evidence["auth_function"]


def test_port_passed_to_a_bind_helper_is_the_listeners():
    _, observations = run_binary_analyzer(BIN / "relayd-bindshell-x86_64")
    ports = {o.data["port"] for o in observations if o.kind == "listener"}
    assert 47001 in ports


class _Strings:
    """A stand-in image: read-only strings at fixed addresses."""

    def __init__(self, strings: dict[int, bytes]) -> None:
        self.strings = strings

    def in_data(self, addr) -> bool:
        return addr in self.strings

    def cstring(self, addr, limit=256):
        return self.strings.get(addr)


def test_secret_assembled_from_constant_pieces_is_a_constant():
    from nobackdoor.analyzers.binary.model import Call
    from nobackdoor.analyzers.binary.lift import Sym

    image = _Strings({0x100: b"%s%s-%d", 0x200: b"9GR", 0x300: b"G%v"})
    buf = Sym("sp", 96)
    call = Call(0x10, 0x40, None, [buf, 64, 0x100, 0x200, 0x300, 7])
    assert credentials._formatted(image, call) == b"9GRG%v-7"
    # a piece known only at run time, or a width, is not evaluated
    assert credentials._formatted(image, Call(0x10, 0x40, None, [buf, 64, 0x100, 0x200, None, 7])) is None
    image.strings[0x400] = b"%s%08x"
    assert credentials._formatted(image, Call(0x10, 0x40, None, [buf, 64, 0x400, 0x200, 7])) is None


def test_seed_formatted_with_the_date_is_a_password_of_the_day():
    from nobackdoor.analyzers.binary.model import Call, Walk
    from nobackdoor.analyzers.binary.lift import Sym

    image = _Strings({0x100: b"%s%04d%02d%02d", 0x200: b"seedx81vq", 0x300: b"%s-%s.log"})
    buf = Sym("sp", 96)
    w = Walk(calls=[Call(0x10, 0x40, None, [buf, 96, 0x100, 0x200, None, None, None]),
                    Call(0x20, 0x40, None, [buf, 96, 0x300, 0x200, None])])
    found = list(credentials.daily_secrets(image, w))
    assert [(d.seed, d.call.addr) for d in found] == [(b"seedx81vq", 0x10)]
