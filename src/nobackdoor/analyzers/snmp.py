"""SNMP agents configured with fixed credentials: write communities and USM users built into the image.

SNMP v1/v2c authenticates by a community string sent in clear; a *write* community lets whoever knows
it change the device's configuration (routes, interfaces, firmware upgrade triggers on many CPE).
One fixed in the image is the same on every unit. Vendors have shipped hidden write communities as
maintenance back doors. Read from Net-SNMP's snmpd.conf(5) directives (``rwcommunity``,
``rwcommunity6``, ``com2sec`` + ``group`` + ``access`` with a write view, ``createUser``).
Communities given on an agent's command line (mini_snmpd ``-c``) are not read here.
"""
from __future__ import annotations

import posixpath
from collections.abc import Iterator

from ..models import FileEntry, FileKind, Finding, Severity
from ..ruleset import rule
from .base import FileAnalyzer

MAX_CONFIG = 512 * 1024
#: community strings that are publicly known defaults (Net-SNMP examples, vendor manuals, scanners'
#: default lists such as onesixtyone's dict.txt and Metasploit's snmp_default_pass.txt)
KNOWN_COMMUNITIES = frozenset({"public", "private", "write", "admin", "manager", "secret", "default", "snmp",
                               "community", "cisco", "ilmi", "cable-docsis", "router", "switch", "test", "monitor",
                               "all private", "read", "readwrite", "netman", "security", "system", "tivoli"})
_DOC_PARTS = ("/usr/share/doc/", "/examples/", "/example/", "/docs/", "/test/", "/tests/")


class SnmpAnalyzer(FileAnalyzer):
    name = "snmp"
    kinds = frozenset({FileKind.TEXT})
    max_size = MAX_CONFIG

    def wants(self, entry: FileEntry) -> bool:
        name = posixpath.basename(entry.relpath)
        return entry.size <= self.max_size and entry.kind not in (FileKind.SYMLINK, FileKind.ELF) and \
            (name.startswith("snmpd") and (name.endswith(".conf") or ".conf." in name))

    def analyze(self, entry: FileEntry, data: bytes) -> Iterator[Finding]:
        text = data.decode("utf-8", "replace")
        doc = any(p in "/" + entry.relpath.lower() for p in _DOC_PARTS)
        sec_names: dict[str, tuple[str, int]] = {}  # com2sec security name -> (community, line)
        group_of: dict[str, str] = {}  # security name -> group
        write_groups: set[str] = set()
        for lineno, raw in enumerate(text.splitlines(), 1):
            words = raw.split("#", 1)[0].split()
            if not words:
                continue
            key = words[0].lower()
            if key in ("rwcommunity", "rwcommunity6") and len(words) >= 2:
                yield self._community(entry, lineno, words[1], "write", doc)
            elif key in ("rocommunity", "rocommunity6") and len(words) >= 2 and words[1].lower() in KNOWN_COMMUNITIES:
                yield self._community(entry, lineno, words[1], "read", doc)
            elif key in ("com2sec", "com2sec6") and len(words) >= 4:
                # com2sec [-Cn context] NAME SOURCE COMMUNITY
                rest = words[1:]
                if rest[0] == "-Cn" and len(rest) >= 5:
                    rest = rest[2:]
                sec_names[rest[0]] = (rest[2], lineno)
            elif key == "group" and len(words) >= 4:
                group_of[words[3]] = words[1]  # group NAME MODEL SECURITYNAME
            elif key == "access" and len(words) >= 8 and words[7].lower() not in ("none", "\"\"", "''"):
                write_groups.add(words[1])  # access GROUP CONTEXT MODEL LEVEL PREFX READ WRITE NOTIFY
            elif key in ("createuser",) and len(words) >= 4:
                yield rule("snmp.fixed-community").finding(
                    entry.path, f"SNMPv3 user '{words[1]}' is created with a password fixed in the image",
                    line=lineno, severity=Severity.LOW if doc else Severity.HIGH,
                    evidence={"directive": "createUser", "user": words[1], "_relpath": entry.relpath})
        for sec, (community, lineno) in sorted(sec_names.items(), key=lambda kv: kv[1][1]):
            if group_of.get(sec) in write_groups:
                yield self._community(entry, lineno, community, "write", doc, via=f"com2sec {sec} -> group "
                                      f"{group_of[sec]} with a write view")

    def _community(self, entry: FileEntry, lineno: int, community: str, access: str, doc: bool,
                   via: str = "") -> Finding:
        known = community.lower() in KNOWN_COMMUNITIES
        if access == "write":
            severity = Severity.CRITICAL if known else Severity.HIGH
            msg = (f"SNMP write community {community!r} is fixed in the image"
                   + (" and is a well-known default" if known else "")
                   + ": whoever sends it can change the device's configuration")
        else:
            severity = Severity.MEDIUM
            msg = f"SNMP read community is the well-known default {community!r}"
        if doc:
            severity = Severity.LOW
        return rule("snmp.fixed-community").finding(
            entry.path, msg + (f" ({via})" if via else ""), line=lineno, severity=severity,
            evidence={"community": community, "access": access, "known_default": known, "_relpath": entry.relpath})
