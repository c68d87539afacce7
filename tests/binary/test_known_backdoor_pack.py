"""Every rule of the shipped known-back-door pack fires on the strings its source documents, and
only with all of its condition (a daemon name alone is not the back door)."""
from __future__ import annotations

import pytest

from nobackdoor.analyzers.binary.yara import YaraAnalyzer
from nobackdoor.inventory import read_entry
from nobackdoor.models import Finding

from .conftest import FIXTURES

BASE = (FIXTURES / "bin" / "httplite-clean-mipsel").read_bytes()


def _rules_hit(tmp_path, extra: bytes) -> list[str]:
    target = tmp_path / "daemon"
    target.write_bytes(BASE + b"\0" + extra + b"\0")
    entry, data = read_entry(target, target.name, target.name, "")
    an = YaraAnalyzer()
    assert an.wants(entry)
    return sorted(r.evidence.get("rule", r.message) for r in an.analyze(entry, data) if isinstance(r, Finding))


@pytest.mark.parametrize("extra,rule_name", [
    (b"OpenTelnet:OpenOnce", "xiongmai_opentelnet_magic"),
    (b"/usr/sbin/telnetenabled\0Gearguy", "netgear_telnetenabled_magic_packet"),
    (b"/web_shell_cmd.gch", "zte_web_shell_cmd_page"),
])
def test_documented_strings_fire(tmp_path, extra, rule_name):
    hits = _rules_hit(tmp_path, extra)
    assert len(hits) == 1 and rule_name in hits[0], hits


def test_daemon_name_alone_is_not_the_back_door(tmp_path):
    assert _rules_hit(tmp_path, b"/usr/sbin/telnetenabled") == []
