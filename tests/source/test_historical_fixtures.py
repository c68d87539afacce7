"""The seven historical back-door mechanisms (re-created with other names and values in
tests/fixtures/source, see build_fixtures.py) are found with the right rule, category and file;
their clean twins give no high or critical finding."""
from __future__ import annotations

from pathlib import Path

import pytest

from nobackdoor.analyzers.source.standalone import analyse_directory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "source"

CASES = [
    # case, rule, category, path
    ("smiley", "source.magic-input-command", "hidden-command", "src/str.c"),  # vsftpd 2.3.4
    ("macro", "source.magic-input-command", "hidden-command", "src/net.c"),  # UnrealIRCd 3.2.8.1
    ("helpcmd", "source.magic-input-command", "hidden-command", "modules/help.c"),  # ProFTPD 1.3.3c
    ("header", "source.magic-input-command", "hidden-command", "ext/compress/compress.c"),  # php-src 2021
    ("privassign", "source.privilege-assignment-in-condition", "auth-bypass", "kernel/exit.c"),  # Linux 2003
    ("trojan", "source.trojan-source-bidi", "obfuscated-code", "console/access.py"),  # CVE-2021-42574
    ("trojan", "source.homoglyph", "obfuscated-code", "web/check.js"),
    ("buildm4", "source.build-decode-exec", "build-tampering", "m4/build-helper.m4"),  # xz-utils 2024
    ("buildm4", "source.build-hidden-payload", "obfuscated-code", "tests/files/bad-3-trailing.lzx"),
    ("buildfetch", "source.build-fetch-exec", "build-tampering", "Makefile"),
    ("buildfetch", "source.build-fetch-exec", "build-tampering", "package.json"),
    ("masterpw", "source.master-password", "auth-bypass", "app/login.py"),
    ("evaldecoded", "source.eval-decoded", "obfuscated-code", "lib/footer.php"),
]

_runs: dict[str, object] = {}


def run(case: str, kind: str):
    key = f"{case}/{kind}"
    if key not in _runs:
        _runs[key] = analyse_directory(FIXTURES / case / kind)
    return _runs[key]


@pytest.mark.parametrize("case,rule_id,category,path", CASES)
def test_planted_mechanism_is_found(case, rule_id, category, path):
    result = run(case, "planted")
    assert not result.errors
    hits = [f for f in result.findings if f.rule == rule_id and f.path == path]
    assert hits, [(f.rule, f.path) for f in result.findings]
    assert hits[0].category == category
    assert hits[0].severity.rank >= 2


@pytest.mark.parametrize("case", sorted({c[0] for c in CASES}))
def test_clean_twin_has_no_high_finding(case):
    result = run(case, "clean")
    assert not result.errors
    assert [f for f in result.findings if f.severity.rank >= 3] == []


def test_payload_hidden_in_test_file_is_recovered_without_running_it():
    result = run("buildm4", "planted")
    payload = next(f for f in result.findings if f.rule == "source.build-hidden-payload")
    assert payload.evidence["recovered_preview"].startswith("#!/bin/sh\n# stage two")


def test_macro_chain_is_explained():
    result = run("macro", "planted")
    f = next(f for f in result.findings if f.rule == "source.magic-input-command")
    assert f.evidence["via"] == ["TRACE_EMIT", "TRACE_SINK_RAW", "system"]
    assert f.evidence["trigger"] == "Zq"


def test_hidden_payload_reports_entropy_of_the_data_file():
    result = run("buildm4", "planted")
    payload = next(f for f in result.findings if f.rule == "source.build-hidden-payload")
    assert 6.0 < payload.evidence["entropy_bits_per_byte"] <= 8.0


def test_cross_file_shell_listener_is_followed_through_the_scan_pipeline(run):
    """vsftpd 2.3.4's shape through the full scan (worker processes): the file analyzer observes
    the listener function of one file, the tree analyzer follows the call from the other."""
    import json

    proc = run("scan", str(FIXTURES / "smiley" / "planted"), "--format", "json")
    doc = json.loads(proc.stdout)
    sinks = doc["observations"].get("sink-function", [])
    assert any(o["path"].endswith("src/sysdeputil.c") and "bindshell" in o["reaches"] for o in sinks), sinks
    hits = [f for f in doc["findings"] if f["rule"] == "source.magic-input-command" and f["path"].endswith("src/str.c")]
    assert hits and hits[0]["severity"] in ("high", "critical")


# a long line (a comment, a data table, minified code) never hides the rest of the file
_COMMENT = {".c": "//", ".py": "#", ".php": "//", ".js": "//"}


@pytest.mark.parametrize("case,rule_id,category,path",
                         [c for c in CASES if c[3].endswith(tuple(_COMMENT)) and c[1].startswith("source.m")])
def test_one_long_comment_line_hides_nothing(case, rule_id, category, path, tmp_path):
    import shutil

    tree = tmp_path / case
    shutil.copytree(FIXTURES / case / "planted", tree)
    target = tree / path
    prefix = _COMMENT[target.suffix] + " " + "x" * 40000 + "\n"
    target.write_bytes(prefix.encode() + target.read_bytes())
    result = analyse_directory(tree)
    hits = [f for f in result.findings if f.rule == rule_id and f.path == path]
    assert hits, [(f.rule, f.path) for f in result.findings]
    assert hits[0].line and hits[0].line > 1
