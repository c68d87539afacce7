"""What keeps a compare from reading as a trigger in front of a command: the program's own request id
echoed in a reply, and protocol or configuration words in front of command lines built at run time."""
from __future__ import annotations

from nobackdoor.analyzers.binary import analyzer, model
from nobackdoor.analyzers.binary.lift import Sym
from nobackdoor.analyzers.binary.ranking import rank
from nobackdoor.analyzers.binary.sinks import Sink


def _comparison(raw: bytes) -> analyzer.Comparison:
    return analyzer.Comparison(0x1000, 0x1100, "inline compare", raw, rank(raw))


def test_a_reply_compared_with_the_request_id_the_function_sent_is_no_trigger():
    # DHCP probe: xid 0x1a2b3c4d stored in the packet, sendto, then the reply's xid compared with it
    w = model.Walk(calls=[model.Call(0x1040, None, "sendto", [3, Sym("sp", -724), 300, 0])],
                   stores=[model.Store(0x1030, 0x1A2B3C4D, 4, Sym("sp", -720))])
    sent = analyzer._sent_constants(w)
    assert sent == {0x1A2B3C4D}
    assert analyzer._echoed(None, _comparison(b"\x00\x01\x1a\x2b\x3c\x4d"), sent)
    assert not analyzer._echoed(None, _comparison(b"\x8d\x0a\x31\x4c"), sent)
    # a constant stored where nothing is sent is no request id
    assert analyzer._sent_constants(model.Walk(stores=[model.Store(0x1030, 0x1A2B3C4D, 4, Sym("sp", -720))])) == set()


def test_command_lines_built_at_run_time():
    assert analyzer._runtime_command(Sink(0x10, "system", "command", None))
    assert analyzer._runtime_command(Sink(0x10, "execl", "shell", "/bin/sh -c", "/bin/sh -c"))
    assert not analyzer._runtime_command(Sink(0x10, "execl", "shell", "/bin/sh", "/bin/sh"))  # interactive
    assert not analyzer._runtime_command(Sink(0x10, "system", "command", "telnetd -l /bin/sh"))
    assert not analyzer._not_a_word(b"TCP/UDP") and analyzer._not_a_word(b"xe30a40")


def test_a_digest_matcher_may_make_the_hash_calls_before_its_compare():
    # ``is_hidden(cmd)``: md5 init, strlen, update, final, hex, strcmp(hex, "fe60...") -> its callers
    # decide on the digest's match
    digest = b"fe60e5b32dfdccb9f58fe9668e78251d"
    calls = [model.Call(0x100 + 4 * i, 0x900, None, []) for i in range(5)] + [model.Call(0x200, None, "strcmp", [])]
    walks = {0x3754: model.Walk(calls=calls)}
    comps = {0x3754: [analyzer.Comparison(0x3754, 0x200, "strcmp", digest, rank(digest))]}
    assert 0x3754 in analyzer._matchers(walks, comps, {})
    plain = {0x3754: [analyzer.Comparison(0x3754, 0x200, "strcmp", b"maintenance", rank(b"maintenance"))]}
    assert 0x3754 not in analyzer._matchers(walks, plain, {})  # six calls around a plain word: no matcher
