"""Byte loops against a table (the verbd fixture, built by tests/fixtures/binary/build.sh): the walk
replays a counted loop with the next index, so a verb compared byte by byte with a table, plain or
XOR-encoded with a key that grows with the index, is read as the whole text on every architecture."""
from __future__ import annotations

import pytest

from nobackdoor.analyzers.binary import analyzer, elf, functions, lift

from .conftest import FIXTURES

BIN = FIXTURES / "bin"
ARCHS = ["x86_64", "armel", "mipsel", "aarch64"]


def _inline_texts(path) -> set[bytes]:
    image = elf.load(path.read_bytes())
    cmap = functions.scan(image)
    starts = frozenset(cmap.starts)
    out = set()
    for i, start in enumerate(cmap.starts):
        end = cmap.code_end.get(start, cmap.starts[i + 1] if i + 1 < len(cmap.starts) else start + 0x1000)
        fn = start | (1 if start in cmap.thumb_starts else 0)
        walk = lift.walk(image, fn, end, starts)
        out.update(c.raw for c in analyzer._inline_magic(image, fn, walk))
    return out


def _verb(texts: set[bytes], verb: bytes) -> set[bytes]:
    """The texts that are the verb, or the verb and the one byte tested after the loop (the separator
    ``p[i] == ' '``, at the next offset of the same buffer)."""
    return {t for t in texts if t.startswith(verb)}


@pytest.mark.parametrize("arch", ARCHS)
def test_xor_encoded_table_loop_reads_as_the_decoded_verb(arch):
    found = _verb(_inline_texts(BIN / f"verbd-xor-{arch}"), b"qa-fix9")
    assert found
    # the loop runs sizeof table times: the replay stops at its own exit test, not in the data after it
    assert all(len(t) <= len(b"qa-fix9") + 1 for t in found)


# x86-64 -Os: the plain loop's function follows a tail jump and is not a known function start, so the
# walk enters it with the caller's clobbered registers (a gap of function discovery, not of the loop)
@pytest.mark.parametrize("arch", ["armel", "mipsel", "aarch64"])
def test_plain_table_loop_reads_as_its_text(arch):
    for build in ("clean", "xor"):
        found = _verb(_inline_texts(BIN / f"verbd-{build}-{arch}"), b"status")
        assert found and all(len(t) <= len(b"status") + 1 for t in found)


@pytest.mark.parametrize("arch", ["x86_64", "aarch64", "mipsel", "armel"])
def test_a_predicate_helper_with_its_loop_test_after_the_body_is_read(analyze, arch):
    # ``if (is_maint(line)) execl("/bin/sh", "sh", "-c", ...)``: the helper calls only strlen (walked
    # because the caller runs a command on its result), and at -O0 its loop jumps to the test first:
    # the index merged at the test is replayed from the values entering the loop
    findings, _ = analyze(BIN / f"lined-hidden-{arch}")
    assert any(f.rule == "binary.magic-gates-shell" and f.evidence["constant"] == "kv7q2z" for f in findings)
    clean, _ = analyze(BIN / f"lined-clean-{arch}")
    assert not [f for f in clean if f.severity.rank >= 3]
