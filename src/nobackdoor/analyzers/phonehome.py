"""Phone-home: scripts that download and run code, send sensitive files out, or contact hard-coded hosts.

Every shell script of the tree is read (decoded payloads included, see :mod:`.config.decode`). Severity
follows reachability from the boot graph built by :mod:`.services`: a fetch-and-run in a script that
boot, cron, inetd or hotplug starts is critical, elsewhere high. Every hard-coded remote endpoint met
in scripts and in ``/etc`` configuration is an ``endpoint`` observation with its context.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from ..models import FileKind, Finding, Observation, Severity
from ..ruleset import rule
from .base import Tree, TreeAnalyzer, TreeContext
from .config.scripts import parsed, reached_scripts, script_paths
from .config.shell_rules import IPV4_RE, URL_RE, endpoints, exfiltration, fetch_and_run
from .services import DOC_DIRS

MAX_CONFIG_BYTES = 256 * 1024
#: addresses that are not remote endpoints (loopback, unspecified, broadcast, netmasks)
_LOCAL_IP = re.compile(r"^(127\.|0\.|255\.|224\.|169\.254\.)")


def endpoint_data(url_or_host: str, context: str) -> dict:
    data: dict = {"context": context}
    if "://" in url_or_host:
        try:
            parts = urlsplit(url_or_host)
            port = parts.port
        except ValueError:  # a malformed URL in a file (a bad port, brackets): kept as written
            data.update(url=url_or_host)
        else:
            data.update(url=url_or_host, scheme=parts.scheme, host=parts.hostname, port=port)
    else:
        data.update(host=url_or_host)
    host = data.get("host") or ""
    if IPV4_RE.fullmatch(host):
        data["ip"] = host
    return data


class PhoneHomeAnalyzer(TreeAnalyzer):
    name = "phonehome"
    order = 30

    def analyze(self, ctx: TreeContext) -> Iterator[Finding | Observation]:
        for tree in ctx.trees:
            # root filesystems; and the scripts of update packages and binaries (a script appended to
            # an updater ELF); source trees' build scripts are the build-machinery analyzer's
            if not tree.is_rootfs and ctx.options.target_kind in ("source", "release"):
                continue
            yield from self._tree(ctx, tree)

    def _tree(self, ctx: TreeContext, tree: Tree) -> Iterator[Finding | Observation]:
        reached = reached_scripts(ctx).get(tree.root, {})
        seen: set[tuple] = set()
        for rel in script_paths(tree):
            script = parsed(ctx, tree, rel)
            if script is None:
                continue
            trigger = reached.get(rel)
            for hit in fetch_and_run(script):
                file, evidence = _first_sighting(hit, rel, "url", trigger, seen)
                if evidence is None:
                    continue
                msg = hit.message + (f" (started: {trigger})" if trigger else " (no boot or cron path to it was found)")
                severity = None if trigger else Severity.LOW if DOC_DIRS.search(file) else Severity.HIGH
                yield rule("phonehome.fetch-and-run").finding(
                    tree.path_of(file), msg, line=hit.line, evidence=evidence, severity=severity)
            for hit in exfiltration(script):
                file, evidence = _first_sighting(hit, rel, "file", trigger, seen)
                if evidence is None:
                    continue
                yield rule("phonehome.exfiltration").finding(tree.path_of(file), hit.message, line=hit.line,
                                                             evidence=evidence)
            for cmd, where, context in endpoints(script):
                file = cmd.file or rel
                key = ("endpoint", file, cmd.line, where)
                if key in seen:
                    continue
                seen.add(key)
                data = endpoint_data(where, context)
                data.update(line=cmd.line, trigger=trigger)
                if cmd.via:
                    data["decoded_via"] = list(cmd.via)
                yield Observation("endpoint", tree.path_of(file), data)
                if context == "download" and trigger:
                    yield rule("phonehome.boot-download").finding(
                        tree.path_of(file), f"fetches {where} (started: {trigger})", line=cmd.line,
                        evidence={"url": where, "trigger": trigger, "command": cmd.raw[:300]})
        yield from self._config_endpoints(tree)

    def _config_endpoints(self, tree: Tree) -> Iterator[Observation]:
        """URLs in /etc configuration files (comments left out): observations for the reviewer."""
        for rel, entry in sorted(tree.files.items()):
            if not rel.startswith("etc/") or entry.kind != FileKind.TEXT or entry.size > MAX_CONFIG_BYTES:
                continue
            text = tree.text(rel)
            if not text:
                continue
            for lineno, line in enumerate(text.splitlines(), 1):
                s = line.strip()
                if not s or s.startswith(("#", ";", "//")):
                    continue
                for m in URL_RE.finditer(s):
                    data = endpoint_data(m.group(1), "config")
                    if data.get("host") in (None, "localhost") or _LOCAL_IP.match(data.get("ip") or ""):
                        continue
                    data["line"] = lineno
                    yield Observation("endpoint", tree.path_of(rel), data)


def _first_sighting(hit, rel: str, key_field: str, trigger: str | None, seen: set[tuple]):
    """(file, evidence) for a hit not reported yet (a sourced file is reached from several scripts),
    or (file, None) when it was."""
    file = hit.file or rel
    key = (key_field, file, hit.line, hit.evidence.get(key_field))
    if key in seen:
        return file, None
    seen.add(key)
    evidence = dict(hit.evidence, trigger=trigger or "none found")
    if hit.via:
        evidence["decoded_via"] = list(hit.via)
    return file, evidence
