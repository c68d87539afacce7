"""System files that hand out trust without a password: sudoers, rhosts/hosts.equiv, ld.so.preload.

* sudoers(5): a rule with ``NOPASSWD`` for every command (or a shell) turns any login of that user
  into root without a password prompt.
* hosts.equiv(5) / ``.rhosts``: a ``+`` host (and ``+`` user) makes rsh/rlogin accept every host
  (and every user name) without a password.
* ld.so(8) ``/etc/ld.so.preload``: the listed libraries are loaded into every dynamically linked
  program -- the usual place for user-space rootkits (Jynx, libprocesshider); embedded images have no
  reason to ship one.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from ..models import FileEntry, FileKind, Finding, Severity
from ..ruleset import rule
from .base import FileAnalyzer

MAX_FILE = 256 * 1024
_SHELLS = re.compile(r"(^|/)(sh|ash|bash|dash|ksh|zsh|busybox|su)$")
_DOC = ("/usr/share/doc/", "/examples/", "/usr/share/sudo/")


class TrustFilesAnalyzer(FileAnalyzer):
    name = "trust-files"
    kinds = frozenset({FileKind.TEXT, FileKind.SCRIPT, FileKind.DATA})
    max_size = MAX_FILE

    def wants(self, entry: FileEntry) -> bool:
        rel = entry.relpath
        name = posixpath.basename(rel)
        return entry.kind in self.kinds and entry.size <= self.max_size and (
            rel in ("etc/sudoers", "etc/hosts.equiv", "etc/ld.so.preload") or rel.startswith("etc/sudoers.d/")
            or name in (".rhosts", "shosts.equiv", ".shosts"))

    def analyze(self, entry: FileEntry, data: bytes) -> Iterator[Finding]:
        text = data.decode("utf-8", "replace")
        rel = entry.relpath
        name = posixpath.basename(rel)
        doc = any(d in "/" + rel for d in _DOC)
        if rel == "etc/ld.so.preload":
            libs = [ln.strip() for ln in text.split("#")[0].split() if ln.strip()]
            if libs:
                yield rule("trust.ld-preload").finding(
                    entry.path, f"every dynamically linked program loads {', '.join(libs[:4])} first (/etc/ld.so.preload)",
                    line=1, evidence={"libraries": libs[:20], "_relpath": rel})
            return
        if name in ("hosts.equiv", ".rhosts", "shosts.equiv", ".shosts"):
            for lineno, raw in enumerate(text.splitlines(), 1):
                words = raw.split("#", 1)[0].split()
                if words and words[0] == "+":
                    anyone = len(words) == 1 or words[1] == "+"
                    yield rule("trust.rhosts-any").finding(
                        entry.path, f"{name} trusts every host{' and every user' if anyone else ''} for rsh/rlogin "
                        "without a password", line=lineno, severity=Severity.LOW if doc else None,
                        evidence={"entry": raw.strip()[:120], "_relpath": rel})
            return
        for lineno, line in _sudoers_lines(text):
            m = re.match(r"^(\S+)\s+([^=\s]+)\s*=\s*(\([^)]*\))?\s*(.*)$", line)
            if not m or m.group(1) in ("Defaults", "User_Alias", "Runas_Alias", "Host_Alias", "Cmnd_Alias") \
                    or m.group(1).startswith("Defaults"):
                continue
            who, spec = m.group(1), m.group(4)
            if "NOPASSWD" not in spec:
                continue
            cmds = [c.strip() for c in spec.split("NOPASSWD:", 1)[1].split(",")]
            wide = [c for c in cmds if c == "ALL" or _SHELLS.search(c.split()[0] if c.split() else "")]
            if not wide or who == "root":
                continue
            yield rule("trust.sudo-nopasswd").finding(
                entry.path, f"sudo gives {who} {'every command' if 'ALL' in wide else wide[0]} as root without a password",
                line=lineno, severity=Severity.LOW if doc else None,
                evidence={"who": who, "commands": cmds[:10], "_relpath": rel})


def _sudoers_lines(text: str) -> Iterator[tuple[int, str]]:
    """Logical lines of a sudoers file (comments dropped, backslash continuations joined)."""
    buf, start = "", 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0] if not raw.lstrip().startswith(("#include", "#includedir")) else ""
        if not buf:
            start = lineno
        if line.rstrip().endswith("\\"):
            buf += line.rstrip()[:-1] + " "
            continue
        buf += line
        if buf.strip():
            yield start, buf.strip()
        buf = ""
