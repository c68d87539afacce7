"""Obfuscated scripts: encoded payloads that a script decodes and runs.

The shell reader (:mod:`.config.shell`, :mod:`.config.decode`) finds base64, base32, hex, gzip/xz/bzip2,
``tr`` byte maps, printf escapes and interpreter one-liners (base64/hex/zlib/XOR then exec) whose
result is executed, decodes them with bounded decoders (never running anything) and parses the result
again as shell, recursively. This analyzer reports each such payload once; what the payload does
(a bind shell, a download that is run) is reported by the services and phone-home analyzers on the
same file and line, and summarised here in the evidence.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator

from ..models import Finding, ScanError, Severity
from ..ruleset import rule
from .base import Tree, TreeAnalyzer, TreeContext
from .config.decode import looks_like_text
from .config.scripts import budget_notes, parsed, reached_scripts, script_paths
from .config.shell import Script
from .config.shell_rules import exfiltration, fetch_and_run, remote_shells

PREVIEW_CHARS = 240


class ScriptObfuscationAnalyzer(TreeAnalyzer):
    name = "scripts-obfuscation"

    order = 31  # last of the configuration analyzers: it reports the shell-reading budget notes

    def analyze(self, ctx: TreeContext) -> Iterator[Finding | ScanError]:
        for tree in ctx.trees:
            yield from self._tree(ctx, tree)
        for path, message in budget_notes(ctx):
            yield ScanError(path, message, "part of a script", "limit")

    def _tree(self, ctx: TreeContext, tree: Tree) -> Iterator[Finding]:
        reached = reached_scripts(ctx).get(tree.root, {})
        seen: set[tuple] = set()
        for rel in script_paths(tree):
            script = parsed(ctx, tree, rel)
            if script is None or not script.payloads:
                continue
            behaviour = _payload_behaviour(script)
            for pl in script.payloads:
                file = pl.file or rel
                key = (file, pl.line, tuple(pl.methods), pl.sink)
                if key in seen:
                    continue
                seen.add(key)
                evidence: dict = {"encoding": pl.methods, "sink": pl.sink, "encoded_bytes": pl.encoded_size,
                                  "command": pl.raw}
                if pl.via:
                    evidence["decoded_via"] = list(pl.via)
                step = f"{pl.describe()} payload decoded at line {pl.line}"
                does = behaviour.get(step, [])
                if pl.decoded is not None:
                    evidence["decoded_bytes"] = len(pl.decoded)
                    evidence["decoded_sha256"] = hashlib.sha256(pl.decoded).hexdigest()
                    if looks_like_text(pl.decoded):
                        evidence["decoded_preview"] = pl.decoded[:PREVIEW_CHARS].decode("utf-8", "replace")
                    elif pl.decoded[:4] == b"\x7fELF":
                        does = does + ["an ELF executable"]
                else:
                    evidence["decoded"] = "not recoverable statically"
                if does:
                    evidence["payload_does"] = does
                trigger = reached.get(rel)
                evidence["trigger"] = trigger or "none found"
                what = f"; the payload contains: {'; '.join(does)}" if does else ""
                msg = f"{pl.describe()}-encoded payload ({pl.encoded_size} bytes) is decoded and run via {pl.sink}{what}"
                yield rule("obfuscation.decode-and-run").finding(
                    tree.path_of(file), msg, line=pl.line, evidence=evidence,
                    severity=Severity.CRITICAL if does else None)
                carrier = pl.source_file
                if carrier and carrier != file and tree.get(carrier) is not None and (carrier, "carrier") not in seen:
                    seen.add((carrier, "carrier"))
                    yield rule("obfuscation.payload-carrier").finding(
                        tree.path_of(carrier), f"carries an encoded payload that /{file} (line {pl.line}) decodes "
                        f"with {pl.describe()} and runs via {pl.sink}{what}",
                        evidence=dict(evidence, decoded_by=file, decoded_at_line=pl.line),
                        severity=Severity.CRITICAL if does else None)


def _payload_behaviour(script: Script) -> dict[str, list[str]]:
    """Decoding step -> short descriptions of the dangerous things its decoded commands do."""
    out: dict[str, list[str]] = {}
    for hit in remote_shells(script) + fetch_and_run(script) + exfiltration(script):
        for step in hit.via:
            msgs = out.setdefault(step, [])
            if hit.message not in msgs and len(msgs) < 8:
                msgs.append(hit.message)
    return out
