"""Accounts: system accounts (passwd/shadow, BusyBox and OpenWrt variants) and web-administration users
(BusyBox httpd.conf, htpasswd-style files, UCI ``/etc/config`` sections, JSON user stores).

Findings: second uid-0 accounts, usable accounts with an empty password, passwords that are in the
shipped list of default and publicly known device credentials (``rules/default-credentials.txt``;
the evidence names the matching entry, the hash and the scheme so anyone can re-check it), weak
schemes (DES crypt, plain text in /etc/passwd) and web passwords stored in clear. Every account is an
``account`` observation.
"""
from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from typing import Any

from ..models import FileKind, Finding, Observation, ScanError, Severity
from ..ruleset import rule
from .base import Tree, TreeAnalyzer, TreeContext
from .config.passwords import DefaultPasswordChecker, scheme_of

NO_LOGIN_SHELLS = ("/bin/false", "/sbin/nologin", "/usr/sbin/nologin", "/bin/nologin", "/usr/bin/false",
                   "/bin/sync", "/sbin/shutdown", "/sbin/halt", "/usr/bin/nologin", "/dev/null")
WEAK_SCHEMES = {"des_crypt": "DES crypt (8 significant characters, cracked in hours)",
                "plain": "plain text", "hex_md5": "unsalted MD5", "bsdi_crypt": "BSDi extended DES crypt"}
#: names of files that hold user:hash lines for web servers
HTPASSWD_NAMES = re.compile(r"(^|/)(\.htpasswd|htpasswd|[\w.-]+\.htpasswd|lighttpd\.user|lighttpd-plain\.user|"
                            r"[\w.-]*users?\.passwd|httpd\.passwd|webpasswd)$")
USER_KEYS = ("username", "user", "login", "name", "user_name", "account")
PASSWORD_KEYS = ("password", "passwd", "pass", "password_hash", "passwordhash", "hash", "pwhash", "pwd")
MAX_JSON_BYTES = 256 * 1024


def parse_colon_file(text: str) -> Iterator[tuple[int, list[str]]]:
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        yield lineno, line.split(":")


def is_account_store(relpath: str) -> bool:
    """Files this analyzer reads credentials from (other analyzers leave them alone)."""
    name = posixpath.basename(relpath)
    return (relpath in ("etc/passwd", "etc/shadow", "etc/passwd-", "etc/shadow-", "etc/group", "etc/gshadow")
            or relpath.startswith("etc/config/") or name == "httpd.conf" or bool(HTPASSWD_NAMES.search(relpath)))


class AccountsAnalyzer(TreeAnalyzer):
    name = "accounts"
    order = 10

    def analyze(self, ctx: TreeContext) -> Iterator[Finding | Observation]:
        checker = DefaultPasswordChecker()
        for tree in ctx.trees:
            yield from self._system(tree, checker)
            if tree.is_rootfs:
                yield from self._web(tree, checker)

    # ------------------------------------------------------------ /etc/passwd + /etc/shadow

    def _system(self, tree: Tree, checker: DefaultPasswordChecker) -> Iterator[Finding | Observation | ScanError]:
        passwd = tree.config_text("etc/passwd")
        if passwd is None:
            yield from _unreadable_store(tree, "etc/passwd")
            return
        shadow_text = tree.config_text("etc/shadow")
        if shadow_text is None:
            yield from _unreadable_store(tree, "etc/shadow")
        shadow: dict[str, tuple[int, str]] = {}
        if shadow_text:
            for lineno, f in parse_colon_file(shadow_text):
                if len(f) < 2 or _garbled(f):
                    yield _bad_line(tree, "etc/shadow", lineno, "not a shadow entry")
                    continue
                shadow.setdefault(f[0], (lineno, f[1]))
        groups = self._groups(tree)
        for lineno, f in parse_colon_file(passwd):
            if len(f) < 7 or _garbled(f):
                yield _bad_line(tree, "etc/passwd", lineno, "not a passwd entry (7 fields)")
                continue
            user, pw, uid, gid, shell = f[0], f[1], f[2].strip(), f[3].strip(), f[6].strip()
            if pw == "x" and user in shadow:
                hash_line, hashed = shadow[user]
                hash_file = "etc/shadow"
            else:
                hashed, hash_file, hash_line = pw, "etc/passwd", lineno
            scheme = scheme_of(hashed, plain_allowed=False)
            if hash_file == "etc/passwd" and scheme == "unknown":
                scheme = "locked"  # crypt() never matches a malformed field
            login = (shell or "/bin/sh") not in NO_LOGIN_SHELLS  # an empty shell field means /bin/sh
            state = {"empty": "empty", "locked": "locked", "unknown": "locked"}.get(scheme, "set")
            match = None
            if state == "set":
                match = checker.check(user, hashed, scheme)
                if match.password is not None:
                    state = "default"
            obs: dict[str, Any] = {"user": user, "uid": uid, "gid": gid, "shell": shell, "password": state,
                                   "scheme": scheme, "source": "etc/passwd" if hash_file == "etc/passwd" else "etc/shadow",
                                   "login": login}
            if groups.get(user):
                obs["groups"] = sorted(groups[user])
            if match is not None:
                obs["default_check"] = {"candidates_tried": match.tried, "complete": match.complete}
            yield Observation("account", tree.path_of("etc/passwd"), obs)
            usable = login and state in ("empty", "set", "default")
            if uid == "0" and user != "root":
                yield rule("accounts.uid0-alias").finding(
                    tree.path_of("etc/passwd"),
                    f"second uid-0 account '{user}' (shell {shell or '/bin/sh'}, password {state})"
                    + ("" if usable else "; it cannot log in as shipped"),
                    line=lineno, evidence={"user": user, "uid": 0, "shell": shell, "password": state},
                    severity=None if usable else Severity.MEDIUM)
            if state == "empty" and login:
                yield rule("accounts.empty-password").finding(
                    tree.path_of(hash_file), f"account '{user}' (uid {uid}) has an empty password and a login shell",
                    line=hash_line, evidence={"user": user, "uid": uid, "shell": shell, "file": hash_file})
            if state == "default" and match is not None:
                yield rule("accounts.default-password").finding(
                    tree.path_of(hash_file),
                    f"account '{user}' (uid {uid}): password is the well-known default '{match.password}' "
                    f"({scheme} hash; list entry '{match.source}')",
                    line=hash_line,
                    evidence={"user": user, "uid": uid, "password": match.password, "scheme": scheme,
                              "hash": hashed, "list_entry": match.source, "login": login,
                              "list": "rules/default-credentials.txt"},
                    severity=None if uid == "0" and login else Severity.HIGH)
            elif state in ("set",) and scheme in WEAK_SCHEMES and login:
                yield rule("accounts.weak-hash").finding(
                    tree.path_of(hash_file), f"account '{user}' (uid {uid}) password stored as {WEAK_SCHEMES[scheme]}",
                    line=hash_line, evidence={"user": user, "uid": uid, "scheme": scheme, "file": hash_file})
            if state == "set" and login and uid != "0" and user != "root":
                yield rule("accounts.predefined-login").finding(
                    tree.path_of(hash_file), f"predefined account '{user}' (uid {uid}, shell {shell or '/bin/sh'}) "
                    f"ships with a password and can log in; it must be documented", line=hash_line,
                    evidence={"user": user, "uid": uid, "shell": shell, "scheme": scheme})

    def _groups(self, tree: Tree) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        text = tree.text("etc/group")
        if text:
            for _, f in parse_colon_file(text):
                if len(f) >= 4:
                    for member in filter(None, (m.strip() for m in f[3].split(","))):
                        out.setdefault(member, set()).add(f[0])
        return out

    # ------------------------------------------------------------ web administration users

    def _web(self, tree: Tree, checker: DefaultPasswordChecker) -> Iterator[Finding | Observation]:
        for rel, entry in sorted(tree.files.items()):
            if entry.kind not in (FileKind.TEXT, FileKind.SCRIPT, FileKind.SOURCE) or entry.size > MAX_JSON_BYTES:
                continue
            name = posixpath.basename(rel)
            if name == "httpd.conf" and rel.startswith("etc/"):
                yield from self._busybox_httpd(tree, rel, checker)
            elif HTPASSWD_NAMES.search(rel) and rel not in ("etc/passwd",):
                yield from self._htpasswd(tree, rel, checker)
            elif rel.startswith("etc/config/"):
                yield from self._uci(tree, rel, checker)
            elif name.endswith(".json") and re.search(r"user|account|passw|auth|login", name, re.I):
                yield from self._json_users(tree, rel, checker)

    def _web_account(self, tree: Tree, rel: str, line: int, user: str, value: str, checker: DefaultPasswordChecker,
                     kind: str, plain_allowed: bool = True) -> Iterator[Finding | Observation]:
        scheme = scheme_of(value, plain_allowed=plain_allowed)
        if scheme in ("unknown", "locked") or (scheme == "plain" and _placeholder(value)):
            state = "locked" if scheme == "locked" else "set"
            yield Observation("account", tree.path_of(rel), {"user": user, "password": state, "scheme": scheme,
                                                             "source": f"{kind}:{rel}", "line": line})
            return
        state = "empty" if scheme == "empty" else "set"
        match = checker.check(user, value, scheme) if state == "set" else None
        if match is not None and match.password is not None:
            state = "default"
        yield Observation("account", tree.path_of(rel), {"user": user, "password": state, "scheme": scheme,
                                                         "source": f"{kind}:{rel}", "line": line})
        if state == "default" and match is not None:
            shown = "stored in clear" if scheme == "plain" else f"{scheme} hash"
            yield rule("accounts.web-default-password").finding(
                tree.path_of(rel), f"{kind} user '{user}': password is the well-known default '{match.password}' "
                f"({shown}; list entry '{match.source}')", line=line,
                evidence={"user": user, "password": match.password, "scheme": scheme, "list_entry": match.source,
                          "hash": None if scheme == "plain" else value, "list": "rules/default-credentials.txt"})
        elif scheme == "plain" and state == "set":
            yield rule("accounts.plaintext-password").finding(
                tree.path_of(rel), f"{kind} user '{user}' has a fixed password stored in clear text", line=line,
                evidence={"user": user, "password_length": len(value), "file": rel})

    def _busybox_httpd(self, tree: Tree, rel: str, checker: DefaultPasswordChecker) -> Iterator[Finding | Observation]:
        text = tree.text(rel) or ""
        for lineno, line in enumerate(text.splitlines(), 1):
            m = re.match(r"^\s*(/[^:\s]*):([^:\s]+):(\S*)\s*$", line)
            if not m:
                continue
            user, value = m.group(2), m.group(3)
            if value == "*":
                continue  # BusyBox httpd: "*" means the system password of that user (checked in /etc/shadow)
            yield from self._web_account(tree, rel, lineno, user, value, checker, "httpd.conf")

    def _htpasswd(self, tree: Tree, rel: str, checker: DefaultPasswordChecker) -> Iterator[Finding | Observation]:
        text = tree.text(rel) or ""
        for lineno, f in parse_colon_file(text):
            if len(f) < 2 or not f[0].strip():
                continue
            user = f[0].strip()
            value = ":".join(f[1:]).strip() if len(f) > 2 and f[1] == "" else f[1].strip()
            if len(f) >= 3 and re.fullmatch(r"[0-9a-f]{32}", f[-1].strip()):
                continue  # htdigest user:realm:md5 — not a crypt hash
            yield from self._web_account(tree, rel, lineno, user, value, checker, "web user file")

    def _uci(self, tree: Tree, rel: str, checker: DefaultPasswordChecker) -> Iterator[Finding | Observation]:
        text = tree.text(rel) or ""
        section: dict[str, tuple[int, str]] = {}

        def flush() -> Iterator[Finding | Observation]:
            user = next((section[k] for k in USER_KEYS if k in section), None)
            pw = next((section[k] for k in PASSWORD_KEYS if k in section), None)
            if pw is not None:
                value = pw[1]
                if value.startswith("$p$"):
                    return  # OpenWrt: "$p$user" refers to the system password of that user
                yield from self._web_account(tree, rel, pw[0], user[1] if user else "(any)", value, checker,
                                             f"UCI {posixpath.basename(rel)}")

        for lineno, line in enumerate(text.splitlines(), 1):
            s = line.strip()
            if s.startswith("config "):
                yield from flush()
                section = {}
                continue
            m = re.match(r"^option\s+(\w+)\s+(?:'([^']*)'|\"([^\"]*)\"|(\S+))", s)
            if m:
                value = next(v for v in m.groups()[1:] if v is not None)
                section[m.group(1).lower()] = (lineno, value)
        yield from flush()

    def _json_users(self, tree: Tree, rel: str, checker: DefaultPasswordChecker) -> Iterator[Finding | Observation]:
        text = tree.text(rel)
        if not text:
            return
        try:
            doc = json.loads(text)
        except ValueError:
            return
        count = 0
        stack = [doc]
        while stack and count < 2000:
            node = stack.pop()
            count += 1
            if isinstance(node, list):
                stack.extend(node[:500])
            elif isinstance(node, dict):
                keys = {str(k).lower(): k for k in node}
                pk = next((keys[k] for k in PASSWORD_KEYS if k in keys and isinstance(node[keys[k]], str)), None)
                uk = next((keys[k] for k in USER_KEYS if k in keys and isinstance(node[keys[k]], str)), None)
                if pk is not None and uk is not None:
                    line = _line_of(text, node[pk])
                    yield from self._web_account(tree, rel, line, node[uk], node[pk], checker, "JSON user store")
                else:
                    stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
                    # {"alice": {"password": ...}} style: the key is the user name
                    for k, v in node.items():
                        if isinstance(v, dict):
                            vk = {str(x).lower(): x for x in v}
                            p2 = next((vk[x] for x in PASSWORD_KEYS if x in vk and isinstance(v[vk[x]], str)), None)
                            u2 = next((vk[x] for x in USER_KEYS if x in vk), None)
                            if p2 is not None and u2 is None:
                                yield from self._web_account(tree, rel, _line_of(text, v[p2]), str(k), v[p2], checker,
                                                             "JSON user store")


def _garbled(fields: list[str]) -> bool:
    return any("\x00" in x or "\ufffd" in x for x in fields[:7])


def _bad_line(tree: Tree, rel: str, lineno: int, why: str) -> ScanError:
    """One unusable line of an account file is skipped alone, and said."""
    return ScanError(tree.path_of(rel), f"line {lineno}: {why} (binary or malformed); skipped, the other lines "
                                        "were read", f"line {lineno}", "parse")


def _unreadable_store(tree: Tree, rel: str) -> Iterator[ScanError]:
    """An account file that is present but cannot be read (a link out of the image, to a file made at
    run time, or a file of the wrong type) leaves accounts unchecked: say so."""
    entry = tree.get(rel)
    if entry is None:
        return
    if entry.kind == FileKind.SYMLINK:
        why = f"a link to {entry.link_target!r}, which is not in the image (made at run time?)"
    else:
        why = f"not a text file ({entry.kind.value}, {entry.size} bytes)"
    yield ScanError(tree.path_of(rel), f"account file not read: {why}; its accounts were not checked",
                    "file", "unreadable", entry.size or None)


def _line_of(text: str, value: str) -> int | None:
    idx = text.find(json.dumps(value)[1:-1]) if value else -1
    return text.count("\n", 0, idx) + 1 if idx >= 0 else None


def _placeholder(value: str) -> bool:
    """Values that are not a real password (templates, references, masks)."""
    v = value.strip()
    return (not v or v.startswith(("$", "%", "@", "{{", "<")) or v in ("*", "-", "none", "null", "NULL", "x", "XXX")
            or set(v) <= {"*", "x", "X", "."})
