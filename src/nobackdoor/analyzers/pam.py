"""PAM stacks that let a login through without the password check.

Linux-PAM reads ``/etc/pam.d/<service>`` (or ``/etc/pam.conf``). An ``auth`` line whose module always
succeeds (``pam_permit.so``), or succeeds on a condition about who logs in (``pam_succeed_if.so
user = NAME``, ``user ingroup``), ends the authentication successfully when its control flag is
``sufficient`` or a ``[success=done ...]`` / ``[success=ok default=...]``-style action that stops the
stack: everyone, or that user, logs in without a password. Module semantics from the Linux-PAM
System Administrators' Guide (pam.conf(5), pam_permit(8), pam_succeed_if(8)); ``pam_rootok.so``
(root using ``su``) is ordinary and left alone.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from ..models import FileEntry, FileKind, Finding, Severity
from ..ruleset import rule
from .base import FileAnalyzer

MAX_PAM_FILE = 64 * 1024
_ENDS_STACK = re.compile(r"success\s*=\s*(done|ok|\d+)")  # [success=done default=ignore]: success ends or skips on
_WHO = re.compile(r"\b(user|uid|gid|group|rhost|tty|service)\b")


class PamAnalyzer(FileAnalyzer):
    name = "pam"
    kinds = frozenset({FileKind.TEXT, FileKind.SCRIPT, FileKind.EMPTY})
    max_size = MAX_PAM_FILE

    def wants(self, entry: FileEntry) -> bool:
        rel = entry.relpath
        return entry.size <= self.max_size and entry.kind in self.kinds and \
            ("/pam.d/" in "/" + rel or posixpath.basename(rel) == "pam.conf")

    def analyze(self, entry: FileEntry, data: bytes) -> Iterator[Finding]:
        pam_conf = posixpath.basename(entry.relpath) == "pam.conf"
        service = posixpath.basename(entry.relpath)
        doc = "/usr/share/doc/" in "/" + entry.relpath or "/examples/" in "/" + entry.relpath
        for lineno, raw in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line or line.startswith("@"):
                continue
            fields = _fields(line)
            if pam_conf and fields:
                service, fields = fields[0], fields[1:]
            if len(fields) < 3:
                continue
            kind, control, module, args = fields[0].lstrip("-").lower(), fields[1], fields[2], fields[3:]
            if kind != "auth" or not _ends_on_success(control):
                continue
            mod = posixpath.basename(module)
            if mod == "pam_permit.so":
                msg = f"'{service}' authentication succeeds through pam_permit.so ({control}): any password, or none, is accepted"
                who = "anyone"
            elif mod == "pam_succeed_if.so" and _names_who(args):
                cond = " ".join(a for a in args if a not in ("quiet", "quiet_success", "quiet_fail", "debug",
                                                              "use_uid"))
                msg = f"'{service}' authentication succeeds without a password when {cond} (pam_succeed_if.so, {control})"
                who = cond
            else:
                continue
            yield rule("pam.auth-bypass").finding(
                entry.path, msg, line=lineno, severity=Severity.LOW if doc else None,
                evidence={"service": service, "control": control, "module": module, "arguments": args,
                          "who": who, "_relpath": entry.relpath})


def _fields(line: str) -> list[str]:
    """Split a PAM line; a bracketed control ``[a=b c=d]`` is one field."""
    out: list[str] = []
    i = 0
    while i < len(line):
        if line[i].isspace():
            i += 1
            continue
        if line[i] == "[":
            j = line.find("]", i)
            j = len(line) - 1 if j < 0 else j
            out.append(line[i:j + 1])
            i = j + 1
        else:
            j = i
            while j < len(line) and not line[j].isspace():
                j += 1
            out.append(line[i:j])
            i = j
    return out


def _ends_on_success(control: str) -> bool:
    c = control.lower()
    if c == "sufficient":
        return True
    if c.startswith("["):
        m = _ENDS_STACK.search(c)
        # success=done ends the stack; success=ok with default=ignore/bad makes this module's
        # success the stack's result when no later required module fails -- a jump (success=N)
        # over the real check is the same bypass
        return bool(m) and (m.group(1) == "done" or m.group(1).isdigit())
    return False


def _names_who(args: list[str]) -> bool:
    """pam_succeed_if conditions about who logs in with an equality (user = x, user in a:b, ...)."""
    text = " ".join(args)
    return bool(_WHO.search(text)) and any(op in args for op in ("=", "eq", "in", "ingroup", "=~"))
