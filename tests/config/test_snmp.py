"""SNMP credentials fixed in the image (analyzers/snmp.py)."""
from __future__ import annotations

from pathlib import Path

from nobackdoor.analyzers.snmp import SnmpAnalyzer
from nobackdoor.models import FileEntry, FileKind


def _run(rel: str, text: str):
    data = text.encode()
    e = FileEntry(rel, rel, "", Path("/nonexistent"), len(data), "", FileKind.TEXT, content=data)
    an = SnmpAnalyzer()
    assert an.wants(e)
    found = list(an.analyze(e, data))
    assert all(f.rule == "snmp.fixed-community" and f.category == "hardcoded-secret" for f in found)
    return [(f.line, f.severity.value, f.evidence.get("community")) for f in found]


def test_write_communities():
    assert _run("etc/snmp/snmpd.conf", "sysLocation lab\nrwcommunity Kx7-maint 10.0.0.0/8\n") == [(2, "high", "Kx7-maint")]
    assert _run("etc/snmpd.conf", "rwcommunity private\n") == [(1, "critical", "private")]


def test_community_mapped_to_a_write_view_through_vacm():
    conf = ("com2sec  lan   default   Zq4!ops\n"
            "com2sec  ro    default   public\n"
            "group    ops   v2c       lan\n"
            "group    mon   v2c       ro\n"
            "view     all   included  .1\n"
            "access   ops   \"\"  any  noauth  exact  all  all   none\n"
            "access   mon   \"\"  any  noauth  exact  all  none  none\n")
    assert _run("etc/snmp/snmpd.conf", conf) == [(1, "high", "Zq4!ops")]


def test_read_only_defaults_are_medium_and_documentation_is_low():
    assert _run("etc/snmp/snmpd.conf", "rocommunity public default -V systemonly\nrocommunity Lab4ro\n") == \
        [(1, "medium", "public")]
    assert _run("usr/share/doc/snmpd/examples/snmpd.conf", "rwcommunity private\n") == [(1, "low", "private")]


def test_configuration_without_communities_is_quiet():
    assert _run("etc/snmp/snmpd.conf", "agentAddress udp:161\nsysContact ops@vendor.example\n# rwcommunity secret\n") == []
