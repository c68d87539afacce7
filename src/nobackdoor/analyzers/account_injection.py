"""Accounts and keys that scripts create at run time, so that they are not in the shipped files.

The accounts analyzer reads the image's /etc/passwd and /etc/shadow; a back door can instead be
written there by a boot script (``echo 'x::0:0::/root:/bin/sh' >> /etc/passwd``), a password set or
removed at boot (``echo root:secret | chpasswd``, ``passwd -d root``, a ``sed`` that empties the
password field), or an SSH key appended to ``authorized_keys``. Every script of the root filesystem
is read with the shell reader (decoded payloads included); severity follows the boot graph built by
:mod:`.services` (critical when boot, cron, inetd or hotplug runs the script).
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from ..models import Finding, Severity
from ..ruleset import rule
from .base import TreeAnalyzer, TreeContext
from .config.passwords import DefaultPasswordChecker, scheme_of
from .config.scripts import parsed, reached_scripts, script_paths
from .config.shell import Command, Script, stdin_text, unwrap
from .services import DOC_DIRS

_ACCOUNT_FILES = ("/etc/passwd", "/etc/shadow", "/etc/passwd-", "/etc/shadow-", "/etc/master.passwd")
#: an SSH public key line (OpenSSH authorized_keys format, RFC 4253 key type names)
SSH_KEY = re.compile(r"(?:^|\s)((?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp\d+|sk-ssh-ed25519@openssh\.com|"
                      r"sk-ecdsa-sha2-nistp256@openssh\.com)\s+AAAA[0-9A-Za-z+/]{40,}={0,3})(?:\s+(\S+))?")
#: passwd(5) / shadow(5) lines: name:password:uid:gid:... and name:password:lastchg:...
PASSWD_LINE = re.compile(r"^([A-Za-z_][\w.-]{0,31}\$?):([^:\n]*):(\d+):(\d+):[^:\n]*:[^:\n]*:[^:\n]*$")
SHADOW_LINE = re.compile(r"^([A-Za-z_][\w.-]{0,31}\$?):([^:\n]*):(\d*):(\d*):(\d*):(\d*):(\d*):(\d*):?[^:\n]*$")
#: a sed expression that empties the password field of an account line
_SED_EMPTY = re.compile(r"s(.)\^?\(?([A-Za-z_][\w.$-]*|\[\^:\]\*|\.\*|\\\(\[\^:\]\*\\\)|\\w\+)\)?:[^\1]*?\1\2?[^\1]*?::")
SHELL_PATH = re.compile(r"(^|/)(sh|ash|bash|dash|ksh|zsh|hush|busybox)$")


class AccountInjectionAnalyzer(TreeAnalyzer):
    name = "account-injection"
    order = 31  # after the services analyzer has built the boot graph

    def analyze(self, ctx: TreeContext) -> Iterator[Finding]:
        checker = DefaultPasswordChecker()
        for tree in ctx.trees:  # root filesystems, and install scripts of source trees and packages
            reached = reached_scripts(ctx).get(tree.root, {})
            seen: set[tuple[str, int, str]] = set()
            for rel in script_paths(tree):
                script = parsed(ctx, tree, rel)
                if script is None:
                    continue
                for finding_args in _injections(script, checker):
                    rule_id, cmd, message, evidence = finding_args
                    file = cmd.file or rel
                    key = (file, cmd.line, rule_id)
                    if key in seen:
                        continue
                    seen.add(key)
                    trigger = reached.get(rel)
                    evidence = {**evidence, "command": cmd.raw[:300], "trigger": trigger or "none found"}
                    if cmd.via:
                        evidence["decoded_via"] = list(cmd.via)
                    severity = None if trigger else Severity.LOW if DOC_DIRS.search(file) else Severity.HIGH
                    yield rule(rule_id).finding(
                        tree.path_of(file), message + (f" (started: {trigger})" if trigger else
                                                       " (no boot or cron path to it was found)"),
                        line=cmd.line, evidence=evidence, severity=severity)


def _injections(script: Script, checker: DefaultPasswordChecker) -> Iterator[tuple[str, Command, str, dict]]:
    for pipeline in script.pipelines:
        cmds = pipeline.commands
        for i, cmd in enumerate(cmds):
            argv = unwrap(cmd.argv)
            if not argv:
                continue
            name = argv[0].rsplit("/", 1)[-1]
            written = _written_text(cmd, argv, name)
            targets = [t for op, t in cmd.redirects if op in (">", ">>", ">|")]
            if name == "tee":
                targets += [a for a in argv[1:] if not a.startswith("-")]
            # lines written into an account file
            for target in targets:
                if target in _ACCOUNT_FILES and written:
                    yield from _account_lines(cmd, target, written, checker)
                elif target.endswith(("authorized_keys", "authorized_keys2")) and written:
                    for m in SSH_KEY.finditer(written):
                        yield ("accounts.runtime-authorized-key", cmd,
                               f"writes an SSH key ({m.group(1).split()[0]}, comment {m.group(2) or 'none'!r}) "
                               f"into {target}: whoever holds its private key logs in without a password",
                               {"file": target, "key": m.group(1)[:120], "comment": m.group(2) or ""})
            if name in ("cp", "cat", "install", "ln") and any(
                    a.endswith(("authorized_keys", "authorized_keys2")) for a in argv[2:]) and len(argv) >= 3:
                src = [a for a in argv[1:-1] if not a.startswith("-")]
                if src and not src[0].endswith(("authorized_keys", "authorized_keys2")):
                    yield ("accounts.runtime-authorized-key", cmd,
                           f"installs {src[0]} as {argv[-1]}: keys shipped in the image grant SSH logins",
                           {"file": argv[-1], "source": src[0]})
            # passwords set or removed by command
            if name == "chpasswd":
                fed = _fed_text(cmds, i, cmd)
                for line in (fed or "").splitlines():
                    user, _, secret = line.strip().partition(":")
                    if not user or not secret or _dynamic(user):
                        continue
                    if not _dynamic(secret):
                        yield ("accounts.runtime-password", cmd,
                               f"sets a fixed password for '{user}' with chpasswd at run time",
                               {"user": user, "how": "chpasswd"})
                    elif _is_hash(secret):
                        yield ("accounts.runtime-password", cmd,
                               f"sets a fixed password hash for '{user}' with chpasswd at run time",
                               {"user": user, "how": "chpasswd -e", "hash": secret[:120]})
            elif name == "passwd" and any(a in ("-d", "--delete") for a in argv[1:]):
                user = next((a for a in argv[1:] if not a.startswith("-")), "root")
                yield ("accounts.runtime-password", cmd, f"removes the password of '{user}' (passwd -d) at run time",
                       {"user": user, "how": "passwd -d"})
            elif name == "passwd" and i > 0 and not any(a.startswith("-") for a in argv[1:]):
                fed = _fed_text(cmds, i, cmd) or ""
                if fed.strip():
                    user = next((a for a in argv[1:]), "root")
                    yield ("accounts.runtime-password", cmd, f"sets a fixed password for '{user}' through passwd",
                           {"user": user, "how": "echo | passwd"})
            elif name in ("usermod", "useradd", "adduser") and ("-p" in argv or "--password" in argv):
                j = argv.index("-p") if "-p" in argv else argv.index("--password")
                value = argv[j + 1] if j + 1 < len(argv) else ""
                user = argv[-1] if argv[-1] != value else ""
                if value and (not _dynamic(value) or _is_hash(value)):
                    yield ("accounts.runtime-password", cmd,
                           f"sets a fixed password hash for '{user or '?'}' with {name} -p at run time",
                           {"user": user, "how": f"{name} -p", "hash": value[:120]})
            elif name in ("useradd", "adduser") and _uid_zero(argv):
                user = argv[-1]
                yield ("accounts.runtime-injected", cmd, f"creates '{user}' with user id 0 at run time",
                       {"user": user, "uid": 0, "how": name})
            elif name == "sed" and any(a in _ACCOUNT_FILES for a in argv[1:]) and \
                    any(a.startswith("-i") or a == "--in-place" for a in argv[1:]):
                for expr in argv[1:]:
                    if _SED_EMPTY.search(expr):
                        yield ("accounts.runtime-password", cmd,
                               f"empties an account's password field in {next(a for a in argv if a in _ACCOUNT_FILES)}"
                               " with sed at run time", {"how": "sed", "expression": expr[:200]})
                        break


def _written_text(cmd: Command, argv: list[str], name: str) -> str:
    if name == "echo":
        return " ".join(a for a in argv[1:] if not re.fullmatch(r"-[neE]+", a)).replace("\\n", "\n")
    if name == "printf" and len(argv) >= 2:
        fmt, args = argv[1], argv[2:]
        if "%s" in fmt and args:
            return "\n".join(args)
        return fmt.replace("\\n", "\n")
    if name in ("cat", "tee"):
        return stdin_text(cmd) or ""
    return ""


def _fed_text(cmds: list[Command], i: int, cmd: Command) -> str | None:
    """What a command reads on stdin: a here-document/here-string, or the echo/printf before it."""
    text = stdin_text(cmd)
    if text:
        return text
    if i > 0:
        prev = unwrap(cmds[i - 1].argv)
        if prev:
            return _written_text(cmds[i - 1], prev, prev[0].rsplit("/", 1)[-1]) or None
    return None


def _is_hash(value: str) -> bool:
    return scheme_of(value, plain_allowed=False) not in ("empty", "locked", "plain", "unknown")


def _dynamic(value: str) -> bool:
    """A shell value the reader could not resolve: a variable or a command substitution (a crypt hash
    also contains ``$``; callers tell the two apart with the hash schemes)."""
    return "$" in value or "`" in value


def _uid_zero(argv: list[str]) -> bool:
    for j, a in enumerate(argv):
        if a in ("-u", "--uid") and j + 1 < len(argv) and argv[j + 1] == "0":
            return True
        if a.startswith("--uid=") and a.split("=", 1)[1] == "0":
            return True
    return False


def _account_lines(cmd: Command, target: str, written: str,
                   checker: DefaultPasswordChecker) -> Iterator[tuple[str, Command, str, dict]]:
    shadow = "shadow" in target
    for line in written.splitlines():
        line = line.strip()
        m = (SHADOW_LINE if shadow else PASSWD_LINE).match(line)
        if not m:
            continue
        user, secret = m.group(1), m.group(2)
        fields = line.split(":")
        uid = None if shadow else int(m.group(3))
        shell = fields[6] if not shadow and len(fields) > 6 else ""
        reasons = []
        if uid == 0 and user != "root":
            reasons.append("user id 0")
        if secret == "":
            reasons.append("an empty password")
        elif secret not in ("x", "*", "!", "!!", "*LK*") and not secret.startswith(("!", "*")):
            if _dynamic(secret) and not _is_hash(secret):
                continue  # the hash comes from a variable: set from configuration, not fixed
            scheme = scheme_of(secret, plain_allowed=False)
            hit = checker.check(user, secret, scheme) if _is_hash(secret) else None
            if hit is not None and hit.password is not None:
                reasons.append(f"the default password {hit.password!r}")
            else:
                reasons.append("a fixed password hash")
        if not reasons or (not shadow and shell and not SHELL_PATH.search(shell) and uid != 0):
            continue
        yield ("accounts.runtime-injected", cmd,
               f"writes account '{user}' with {' and '.join(reasons)} into {target}",
               {"user": user, "uid": uid, "file": target, "line_written": line[:200], "reasons": reasons})
