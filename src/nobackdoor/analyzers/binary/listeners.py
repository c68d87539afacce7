"""Listeners compiled into binaries that nothing in the image starts.

The binary analysis observes every ``bind`` it can attribute (``listener`` observations with source
``binary``); the boot graph (services analyzer) observes what the image starts. A program that opens a
port but is started by no boot script, init entry, inetd, systemd unit, cron or hotplug hook is
reachable attack surface nobody declared: ``binary.unexplained-listener`` (remote-access, medium: the
program may still be started by hand or by another program).
"""
from __future__ import annotations

import posixpath

from ...ruleset import rule
from ..base import TreeAnalyzer, TreeContext


class UnexplainedListeners(TreeAnalyzer):
    name = "binary-listeners"
    order = 70

    def analyze(self, ctx: TreeContext):
        started: dict[str, set[str]] = {}  # tree root -> program paths and names started
        for obs in ctx.observed("service"):
            prog = obs.data.get("program_path") or ""
            names = started.setdefault(_root_of(ctx, obs.path), set())
            if prog:
                names.add(prog.lstrip("/"))
            program = obs.data.get("program") or ""
            if program:
                names.add(posixpath.basename(str(program)))
        for tree in ctx.trees:
            if not tree.is_rootfs:
                continue
            mine = started.get(tree.root, set())
            seen: set[tuple] = set()
            for obs in ctx.observed("listener"):
                data = obs.data
                rel = data.get("program_path") or ""
                if data.get("source") != "binary" or obs.path != tree.path_of(rel):
                    continue
                if rel in mine or posixpath.basename(rel) in mine or self._alias_started(tree, rel, mine):
                    continue
                key = (rel, data.get("port"), data.get("protocol"))
                if key in seen:
                    continue
                seen.add(key)
                port = data.get("port")
                where = f"{data.get('protocol', 'tcp')} port {port}" if port else f"a {data.get('protocol', 'tcp')} port"
                yield rule("binary.unexplained-listener").finding(
                    obs.path, f"{rel} binds {where}, but no boot script, init entry or service starts it",
                    evidence={"port": port, "protocol": data.get("protocol"), "program_path": rel,
                              "function_address": data.get("function_address"), "_relpath": rel})

    @staticmethod
    def _alias_started(tree, rel: str, started: set[str]) -> bool:
        """A program started through a symlink (applet link, /usr/sbin/foo -> ../lib/foo/foo)."""
        for path in started:
            entry = tree.resolve(path)
            if entry is not None and entry.relpath == rel:
                return True
        return False


def _root_of(ctx: TreeContext, path: str) -> str:
    best = ""
    for tree in ctx.trees:
        if tree.root and path.startswith(tree.root + "/") and len(tree.root) > len(best):
            best = tree.root
    return best
