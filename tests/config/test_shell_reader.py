"""The bounded shell reader: what it resolves statically, and that it never runs anything."""
from __future__ import annotations

import base64
import gzip

from nobackdoor.analyzers.config.shell import parse, unwrap


def argvs(script):
    return [c.argv for c in script.commands()]


def test_variables_defaults_and_word_splitting():
    s = parse('OPTS="-p 8123 -x"\nBIN=/opt/bin\n$BIN/daemon $OPTS "${MODE:-fast}"\n')
    assert ["/opt/bin/daemon", "-p", "8123", "-x", "fast"] in argvs(s)


def test_sourced_file_and_loop_over_glob():
    files = {"/etc/acme/env": "PORT=4711\n", "/etc/rc/S10a": "", "/etc/rc/S20b": "", "/etc/rc/K10a": ""}
    s = parse('. /etc/acme/env\nfor f in /etc/rc/S??*; do "$f" start; done\nserver -p $PORT\n',
              read=files.get, glob=lambda pat: [f for f in files if f.startswith("/etc/rc/S")])
    cmds = argvs(s)
    assert ["/etc/rc/S10a", "start"] in cmds and ["/etc/rc/S20b", "start"] in cmds
    assert ["/etc/rc/K10a", "start"] not in cmds
    assert ["server", "-p", "4711"] in cmds
    assert s.sourced == ["/etc/acme/env"]


def test_case_branches_are_labelled():
    s = parse('case "$1" in\nstart|boot)\n  svc -d\n  ;;\nstop) killall svc ;;\nesac\n')
    by = {tuple(c.argv): c.branch for c in s.commands()}
    assert by[("svc", "-d")] == "start|boot"
    assert by[("killall", "svc")] == "stop"


def test_wrappers_are_unwrapped():
    assert unwrap(["nohup", "env", "A=1", "busybox", "telnetd", "-F"]) == ["telnetd", "-F"]
    assert unwrap(["start-stop-daemon", "-S", "-x", "/usr/sbin/x", "--", "-p", "1"]) == ["/usr/sbin/x", "-p", "1"]
    assert unwrap(["procd_set_param", "command", "/bin/y", "-a"]) == ["/bin/y", "-a"]


def test_heredoc_payload_through_base64_and_gzip_is_decoded():
    blob = base64.b64encode(gzip.compress(b"echo decoded-ok\n", mtime=0)).decode()
    s = parse(f"base64 -d <<EOF | gzip -dc | sh\n{blob}\nEOF\n")
    assert len(s.payloads) == 1
    p = s.payloads[0]
    assert p.methods == ["base64", "gzip"] and p.decoded == b"echo decoded-ok\n"
    decoded = [c for c in s.commands() if c.via]
    assert decoded and decoded[0].argv == ["echo", "decoded-ok"]


def test_decoded_to_file_then_run():
    enc = base64.b64encode(b"id\n").decode()
    s = parse(f"echo {enc} | base64 -d > /tmp/.x\nchmod +x /tmp/.x\nsh /tmp/.x\n")
    assert s.payloads and s.payloads[0].sink.startswith("written to /tmp/.x")


def test_decoding_without_execution_is_not_a_payload():
    s = parse("echo aGVsbG8= | base64 -d > /tmp/hello\nV=$(base64 -d /etc/x.b64)\n")
    assert s.payloads == []


def test_nothing_is_ever_executed(tmp_path):
    marker = tmp_path / "executed"
    parse(f'X=$(touch {marker})\neval "$(touch {marker})"\nsh -c "touch {marker}"\n`touch {marker}`\n')
    assert not marker.exists()


def test_bounds_on_hostile_input():
    deep = "eval " * 200 + "true\n"
    parse(deep)  # nesting is cut at MAX_DEPTH, no RecursionError
    nested = "$(" * 300 + "x" + ")" * 300
    parse(f"echo {nested}\n")
    many = "a\n" * 50000
    s = parse(many)
    assert len(list(s.commands())) <= 20001
    bomb = base64.b64encode(gzip.compress(b"A" * (20 * 1024 * 1024))).decode()
    s = parse(f"echo {bomb} | base64 -d | gunzip | sh\n")
    assert s.payloads and len(s.payloads[0].decoded or b"") <= 4 * 1024 * 1024


def test_time_and_size_budget_on_garbage():
    import random
    import time

    rng = random.Random(7)
    garbage = "".join(rng.choice("ab $(){}\"'|;&<>\n`\\=") for _ in range(1 << 20))
    t0 = time.monotonic()
    s = parse(garbage)
    assert time.monotonic() - t0 < 6.0
    t0 = time.monotonic()
    s = parse("a;" * 400000)  # more tokens than one parse may read
    assert s.truncated and time.monotonic() - t0 < 6.0
