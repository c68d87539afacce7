"""C macros and functions of other files that hide a sink.

UnrealIRCd 3.2.8.1 hid ``system()`` behind ``DEBUG3_DOLOG_SYSTEM`` defined in a header; vsftpd
2.3.4 called a function of another file that opened the shell listener.

The per-file analyzer resolves macros of the file itself. Here every header of a source tree is
read once for ``#define``s that reach ``system()``/``exec*()``/``setuid()`` (or name a string
constant), and each C file that uses one of them is analysed again with those macros known.
"""
from __future__ import annotations

from collections.abc import Iterator

import ahocorasick_rs

from ...models import FileKind, Finding
from ..base import TreeAnalyzer, TreeContext
from . import syntax
from .code import analyze_source
from .model import FileModel, MacroInfo, Reach, read_macros
from .patterns import patterns
from .select import _DEFINE, keyword_hits, select

MAX_HEADER = 2 * 1024 * 1024
#: plain substrings (fast) that any exportable function's file must contain
_SHELL_HINTS = ahocorasick_rs.BytesAhoCorasick([b"/bin/sh", b"/sh\"", b'"sh"', b"/bash\"", b'"bash"', b"setuid(0)",
                                               b"setuid (0)", b"listen(", b"listen ("])
MAX_EXPORTED = 2000  # functions remembered per tree
MAX_REANALYSED = 500  # files analysed again per tree


class HeaderMacroAnalyzer(TreeAnalyzer):
    name = "source-macros"
    order = 41

    def analyze(self, ctx: TreeContext) -> Iterator[Finding]:
        if self.options.target_kind not in ("source", "release"):
            return
        pats = patterns()
        for tree in ctx.trees:
            macros: dict[str, MacroInfo] = {}
            headers: list[str] = []  # #define lines of each header
            for rel, entry in tree.files.items():
                if entry.kind != FileKind.SOURCE or not rel.endswith((".h", ".hh", ".hpp")) or \
                        entry.size > MAX_HEADER:
                    continue
                data = entry.content if entry.content is not None else entry.realpath.read_bytes()
                if b"#define" not in data:
                    continue
                defines = "".join(m.group(0) for m in _DEFINE.finditer(data.decode("latin-1")))
                if defines:
                    headers.append(defines)
            # first the macros that reach a sink; string constants only matter when there are some
            for defines in headers:
                if keyword_hits(defines, "c", pats):
                    macros.update(self._read(defines, pats, sinks_only=True))
            functions = self._exported_functions(tree, pats)
            if macros or functions:
                for defines in headers:
                    if '"' in defines:
                        for name, info in self._read(defines, pats, sinks_only=False).items():
                            macros.setdefault(name, info)
            sinks = {n for n, m in macros.items() if m.reach.kinds - {"listen"}} | set(functions)
            if not sinks:
                continue
            names = sorted(sinks)
            auto = ahocorasick_rs.BytesAhoCorasick([n.encode("latin-1", "replace") for n in names],
                                                   matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
            reanalysed = 0
            for rel, entry in sorted(tree.files.items()):
                if entry.kind != FileKind.SOURCE or entry.language not in ("c", "cpp") or \
                        rel.endswith((".h", ".hh", ".hpp")) or entry.size > 4 * 1024 * 1024:
                    continue
                data = entry.content if entry.content is not None else entry.realpath.read_bytes()
                used = {names[i] for i, _, end in auto.find_matches_as_indexes(data) if data[end:end + 1] in (b"(", b" ")}
                if not used or all(functions.get(w, (None, ""))[1] == rel for w in used if w in functions) \
                        and not used & set(macros):
                    continue
                reanalysed += 1
                if reanalysed > MAX_REANALYSED:
                    break
                extra = {w: functions[w][0] for w in used if w in functions and functions[w][1] != rel}
                sink_macros = {k: v for k, v in macros.items() if k in used or v.literal is not None}
                yield from analyze_source(entry, data, pats, extra_macros=sink_macros, extra_functions=extra,
                                          focus=used)

    @staticmethod
    def _read(defines: str, pats, sinks_only: bool) -> dict[str, MacroInfo]:
        root = syntax.parser("c").parse(defines.encode("latin-1")).root_node
        return {name: info for name, info in read_macros(root, "c", pats).items()
                if info.reach.kinds or (not sinks_only and info.literal is not None)}

    def _exported_functions(self, tree, pats) -> dict[str, tuple[Reach, str]]:
        """Non-static C functions, in any file of the tree, that spawn a shell by name, open a shell
        listener or take root (helpers that run a command they are given are too common to follow) (vsftpd 2.3.4 kept its listener in another file than its trigger)."""
        out: dict[str, tuple[Reach, str]] = {}
        for rel, entry in sorted(tree.files.items()):
            if entry.kind != FileKind.SOURCE or entry.language not in ("c", "cpp") or \
                    rel.endswith((".h", ".hh", ".hpp")) or entry.size > 4 * 1024 * 1024:
                continue
            data = entry.content if entry.content is not None else entry.realpath.read_bytes()
            if not _SHELL_HINTS.find_matches_as_indexes(data):
                continue  # no shell named, no setuid(0), no listener: nothing to export
            text = data.decode("latin-1")
            kept = select(text, "c", pats, data=data)
            if kept is None:
                continue
            model = FileModel(data if kept is text else kept.encode("latin-1"), entry.language, "c", pats)
            for name, reach in model.reach_of_function.items():
                fn = model.functions.get(name)
                if fn is None or syntax.text(fn).lstrip().startswith("static") or name == "main":
                    continue
                if reach.strong() & {"bindshell", "priv", "shellname"}:
                    out.setdefault(name, (reach, rel))
            if len(out) > MAX_EXPORTED:
                break
        return out
