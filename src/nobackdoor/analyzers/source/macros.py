"""C macros defined in headers that hide a sink (UnrealIRCd 3.2.8.1: ``DEBUG3_DOLOG_SYSTEM``).

The per-file analyzer resolves macros of the file itself. Here every header of a source tree is
read once for ``#define``s that reach ``system()``/``exec*()``/``setuid()`` (or name a string
constant), and each C file that uses one of them is analysed again with those macros known.
"""
from __future__ import annotations

from collections.abc import Iterator

import ahocorasick

from ...models import FileKind, Finding
from ..base import TreeAnalyzer, TreeContext
from . import syntax
from .code import analyze_source
from .model import MacroInfo, read_macros
from .patterns import patterns
from .select import _DEFINE, keyword_hits

MAX_HEADER = 2 * 1024 * 1024


class HeaderMacroAnalyzer(TreeAnalyzer):
    name = "source-macros"
    order = 41

    def analyze(self, ctx: TreeContext) -> Iterator[Finding]:
        if self.options.target_kind not in ("source", "release"):
            return
        pats = patterns()
        for tree in ctx.trees:
            macros: dict[str, MacroInfo] = {}
            for rel, entry in tree.files.items():
                if entry.kind != FileKind.SOURCE or not rel.endswith((".h", ".hh", ".hpp")) or \
                        entry.size > MAX_HEADER:
                    continue
                data = entry.content if entry.content is not None else entry.realpath.read_bytes()
                if b"#define" not in data:
                    continue
                defines = "".join(m.group(0) for m in _DEFINE.finditer(data.decode("latin-1")))
                if not defines or not keyword_hits(defines, "c", pats) and '"' not in defines:
                    continue
                root = syntax.parser("c").parse(defines.encode("latin-1")).root_node
                for name, info in read_macros(root, "c", pats).items():
                    if info.reach.kinds or info.literal is not None:
                        macros.setdefault(name, info)
            sinks = {n for n, m in macros.items() if m.reach.kinds - {"listen"}}
            if not sinks:
                continue
            auto = ahocorasick.Automaton()
            for n in sinks:
                auto.add_word(n, n)
            auto.make_automaton()
            for rel, entry in tree.files.items():
                if entry.kind != FileKind.SOURCE or entry.language not in ("c", "cpp") or \
                        rel.endswith((".h", ".hh", ".hpp")) or entry.size > 4 * 1024 * 1024:
                    continue
                data = entry.content if entry.content is not None else entry.realpath.read_bytes()
                if not any(True for _ in auto.iter(data.decode("latin-1"))):
                    continue
                yield from analyze_source(entry, data, pats, extra_macros=macros, force=True)
