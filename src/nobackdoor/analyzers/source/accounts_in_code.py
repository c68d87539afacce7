"""Program code that writes an account or an SSH key: the run-time account back door, in source.

The same shapes as :mod:`..account_injection` finds in scripts, but as string literals of a program
that also names the file they go to: a passwd/shadow line giving user id 0, an empty or fixed
password, or an SSH public key, in a file that opens ``/etc/passwd``, ``/etc/shadow`` or an
``authorized_keys`` file. Read on the raw text (a literal is a literal in every language), after a
native prefilter on the target file names.
"""
from __future__ import annotations

import re
from collections.abc import Iterator


from .matching import byte_matcher
from ...models import FileEntry, Finding
from ...ruleset import rule
from ..account_injection import PASSWD_LINE, SHADOW_LINE, SSH_KEY, SHELL_PATH

#: public-key authentication of an SSH server the program embeds (Go x/crypto/ssh, paramiko,
#: Apache MINA SSHD, libssh): a key literal beside one is a key the program itself accepts
_KEY_AUTH = (b"ParseAuthorizedKey", b"PublicKeyCallback", b"check_auth_publickey", b"PublickeyAuthenticator",
             b"ssh_pki_import_pubkey_base64", b"auth_publickey")
_TARGETS = byte_matcher([b"/etc/passwd", b"/etc/shadow", b"authorized_keys", *_KEY_AUTH])
#: the body of a quoted literal (double or single quotes, backslash escapes)
_QUOTED = re.compile(r'"((?:[^"\\\n]|\\.){8,600})"|\'((?:[^\'\\\n]|\\.){8,600})\'')
_MARKS = byte_matcher([b":0:", b"::", b"$1$", b"$5$", b"$6$", b"$2a$", b"$2b$", b"$2y$", b"$y$",
                                          b"ssh-", b"ecdsa-sha2", b"sk-ssh", b"sk-ecdsa"])
_TEST_PARTS = ("/test/", "/tests/", "/testdata/", "/fixtures/", "/spec/")


def account_findings(entry: FileEntry, data: bytes) -> Iterator[Finding]:
    found = {data[a:b] for _, a, b in _TARGETS.find_matches_as_indexes(data)}
    if not found:
        return
    # only lines with the marks of an account line or a key are read (uid 0, an empty field, a
    # crypt hash, a key type): the rest of a large file costs one native pass
    lines = sorted({data.rfind(b"\n", 0, a) + 1 for _, a, _ in _MARKS.find_matches_as_indexes(data)})
    if not lines:
        return
    text = data.decode("latin-1")
    test = any(p in "/" + entry.relpath.lower() for p in _TEST_PARTS)
    reported = 0
    for m in (q for start in lines for q in _QUOTED.finditer(text, start, _line_end(text, start))):
        value = (m.group(1) or m.group(2) or "").replace("\\n", "\n").replace("\\t", "\t")
        line_no = text.count("\n", 0, m.start()) + 1
        for piece in value.splitlines():
            piece = piece.strip()
            why = None
            if (b"/etc/passwd" in found or b"/etc/shadow" in found) and ":" in piece:
                why = _account_reason(piece)
            if why:
                user = piece.split(":", 1)[0]
                yield rule("source.account-injection").finding(
                    entry.path, f"writes account '{user}' with {why} (the file opens "
                    f"{' and '.join(sorted(t.decode() for t in found if t != b'authorized_keys'))})",
                    line=line_no, severity="medium" if test else None,
                    evidence={"user": user, "line_written": piece[:200], "reasons": why, "_relpath": entry.relpath})
                reported += 1
            elif b"authorized_keys" in found or found & set(_KEY_AUTH):
                k = SSH_KEY.search(piece)
                if k:
                    what = f"an SSH key ({k.group(1).split()[0]}, comment {k.group(2) or 'none'!r})"
                    how = f"writes {what} into an authorized_keys file" if b"authorized_keys" in found else \
                        f"holds {what} next to its own public-key login (" + \
                        ", ".join(sorted(t.decode() for t in found if t in _KEY_AUTH)) + ")"
                    yield rule("source.authorized-key-injection").finding(
                        entry.path, how, line=line_no, severity="medium" if test else None,
                        evidence={"key": k.group(1)[:120], "comment": k.group(2) or "", "_relpath": entry.relpath})
                    reported += 1
            if reported >= 20:
                return


def _account_reason(line: str) -> str | None:
    m = PASSWD_LINE.match(line)
    if m:
        user, secret, uid = m.group(1), m.group(2), int(m.group(3))
        shell = line.split(":")[6] if line.count(":") >= 6 else ""
        if "%" in line or "$" in user:
            return None  # a format string filled at run time
        reasons = []
        if uid == 0 and user != "root":
            reasons.append("user id 0")
        if secret == "" and (SHELL_PATH.search(shell) or uid == 0):
            reasons.append("an empty password")
        elif secret.startswith("$") and secret.count("$") >= 3:
            reasons.append("a fixed password hash")
        return " and ".join(reasons) or None
    m = SHADOW_LINE.match(line)
    if m and "%" not in line:
        secret = m.group(2)
        if secret == "":
            return "an empty password"
        if secret.startswith("$") and secret.count("$") >= 3:
            return "a fixed password hash"
    return None


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end
