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


@pytest.mark.parametrize("arch", ARCHS)
def test_xor_encoded_table_loop_reads_as_the_decoded_verb(arch):
    texts = _inline_texts(BIN / f"verbd-xor-{arch}")
    assert b"qa-fix9" in texts
    assert b"status" in texts  # the plain table loop of the documented verb


@pytest.mark.parametrize("arch", ARCHS)
def test_plain_table_loop_reads_as_its_text(arch):
    assert _inline_texts(BIN / f"verbd-clean-{arch}") == {b"status"}


def test_replay_stops_at_the_loops_own_exit_test():
    """The loop runs sizeof table times: the replay reads exactly that many bytes, not the data after
    the table."""
    texts = _inline_texts(BIN / "verbd-xor-x86_64")
    assert not any(t.startswith(b"qa-fix9") and t != b"qa-fix9" for t in texts)
