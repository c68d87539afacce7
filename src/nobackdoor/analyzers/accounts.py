"""Accounts from passwd/shadow: uid-0 aliases and usable accounts with an empty password."""
from __future__ import annotations

from collections.abc import Iterator

from ..models import Observation
from ..ruleset import rule
from .base import Tree, TreeAnalyzer, TreeContext

NO_LOGIN_SHELLS = ("/bin/false", "/sbin/nologin", "/usr/sbin/nologin", "/bin/nologin", "/usr/bin/false")


def parse_colon_file(text: str) -> Iterator[tuple[int, list[str]]]:
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        yield lineno, line.split(":")


class AccountsAnalyzer(TreeAnalyzer):
    name = "accounts"
    order = 10

    def analyze(self, ctx: TreeContext):
        for tree in ctx.trees:
            yield from self._tree(tree)

    def _tree(self, tree: Tree):
        passwd = tree.text("etc/passwd")
        if passwd is None:
            return
        shadow_text = tree.text("etc/shadow")
        shadow = {}
        if shadow_text:
            for lineno, f in parse_colon_file(shadow_text):
                if len(f) >= 2:
                    shadow[f[0]] = (lineno, f[1])
        for lineno, f in parse_colon_file(passwd):
            if len(f) < 7:
                continue
            user, pw, uid, gid, shell = f[0], f[1], f[2], f[3], f[6]
            hash_line, hashed = shadow.get(user, (None, None))
            if pw not in ("x", "*", "!") or hashed is None:
                hashed, hash_file, hash_line = pw, "etc/passwd", lineno
            else:
                hash_file = "etc/shadow"
            login = shell not in NO_LOGIN_SHELLS and bool(shell)
            yield Observation("account", tree.path_of("etc/passwd"), {
                "user": user, "uid": uid, "gid": gid, "shell": shell,
                "password": "empty" if hashed == "" else "locked" if hashed[:1] in ("*", "!") else "set",
                "_relpath": "etc/passwd"})
            if uid == "0" and user != "root":
                yield rule("accounts.uid0-alias").finding(
                    tree.path_of("etc/passwd"), f"second uid-0 account '{user}' (shell {shell or '-'})",
                    line=lineno, evidence={"user": user, "uid": 0, "shell": shell})
            if hashed == "" and login:
                yield rule("accounts.empty-password").finding(
                    tree.path_of(hash_file), f"account '{user}' (uid {uid}) has an empty password and a login shell",
                    line=hash_line, evidence={"user": user, "uid": uid, "shell": shell})
