"""C macros and functions of other files that hide a sink.

UnrealIRCd 3.2.8.1 hid ``system()`` behind ``DEBUG3_DOLOG_SYSTEM`` defined in a header; vsftpd
2.3.4 called a function of another file that opened the shell listener.

The per-file analyzer resolves macros of the file itself and observes the functions that reach a
shell or root (``sink-function``). Here every header of a source tree is read once for
``#define``s that reach ``system()``/``exec*()``/``setuid()`` (or name a string constant), and
each C file that uses one of them, or another file's sink function, is analysed again around
those calls with them known.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from ...models import FileKind, Finding, ScanError
from ..base import TreeAnalyzer, TreeContext
from . import expand, syntax
from .code import analyze_source, ordinary_literal
from .matching import Matcher, byte_matcher
from .model import MacroInfo, Reach, read_macros
from .patterns import patterns
from .select import _DEFINE, keyword_hits

MAX_HEADER = 2 * 1024 * 1024
MAX_EXPORTED = 2000  # functions remembered per tree
MAX_REANALYSED = 500  # files analysed again per tree


_STRING_DEFINE = re.compile(r'^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+"((?:[^"\\\n]|\\.){2,200})"[ \t]*$', re.M)
_COMPARED = re.compile(rb"cmp\s*\(|==|!=")
#: a line that starts a C function definition (a return type in column 0, then the name and its
#: parameters, not a prototype's ';')
_DEFINITION = re.compile(rb"^[A-Za-z_][\w \t*]*?[ \t*]\w+[ \t]*\([^;]*$")


def _string_constants(defines: str) -> dict[str, MacroInfo]:
    """``#define NAME "text"`` lines of a header (the plain shape, read without a parse)."""
    out = {}
    for m in _STRING_DEFINE.finditer(defines):
        out[m.group(1)] = MacroInfo(m.group(1), literal=syntax.unescape(m.group(2)),
                                    line=defines.count("\n", 0, m.start()) + 1)
    return out


def _matcher(names: list[str]) -> Matcher:
    return byte_matcher((n.encode("latin-1", "replace") for n in names), longest=True, once=True)


def _c_files(tree) -> Iterator[tuple[str, object, bytes]]:
    """(relative path, entry, content) of the tree's C and C++ files other than headers, in path
    order (a file over 4 MiB is the per-file analyzer's to report)."""
    for rel, entry in sorted(tree.files.items()):
        if entry.kind != FileKind.SOURCE or entry.language not in ("c", "cpp") or \
                rel.endswith((".h", ".hh", ".hpp")) or entry.size > 4 * 1024 * 1024:
            continue
        yield rel, entry, entry.content if entry.content is not None else entry.realpath.read_bytes()


def _whole_word(data: bytes, start: int, end: int) -> bool:
    before = data[start - 1:start]
    after = data[end:end + 1]
    return not (before.isalnum() or before == b"_") and not (after.isalnum() or after == b"_")


def _line(data: bytes, pos: int) -> bytes:
    a = data.rfind(b"\n", 0, pos) + 1
    b = data.find(b"\n", pos)
    return data[a:b if b >= 0 else len(data)]


class HeaderMacroAnalyzer(TreeAnalyzer):
    name = "source-macros"
    order = 41

    def analyze(self, ctx: TreeContext) -> Iterator[Finding]:
        source_target = self.options.target_kind in ("source", "release")
        pats = patterns()
        for tree in ctx.trees:
            if not (source_target or tree.is_source):
                continue
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
            yield from self._expanded(tree, headers, pats)
            yield from self._handed_input(tree, ctx, pats)
            # first the macros that reach a sink; string constants only matter when there are some
            for defines in headers:
                if keyword_hits(defines, "c", pats):
                    macros.update(self._read(defines, pats, sinks_only=True))
            functions = self._exported_functions(tree, ctx)
            if macros or functions:
                for defines in headers:
                    if '"' in defines:
                        for name, info in self._read(defines, pats, sinks_only=False).items():
                            macros.setdefault(name, info)
            sinks = {n for n, m in macros.items() if m.reach.kinds - {"listen"}} | set(functions)
            # string constants of headers compared in a C file: the trigger of a local sink may be one
            constants = {n: m for h in headers for n, m in _string_constants(h).items()
                         if not ordinary_literal(m.literal or "", pats)}
            constants = {n: m for n, m in constants.items() if not (n in macros and macros[n].reach.kinds)}
            if not sinks and not constants:
                continue
            names = sorted(sinks | set(constants))
            auto = _matcher(names)
            reanalysed = 0
            for rel, entry, data in _c_files(tree):
                used: set[str] = set()
                compared: set[str] = set()
                for i, start, end in auto.find_matches_as_indexes(data):
                    name = names[i]
                    if name in constants:
                        if _whole_word(data, start, end) and _COMPARED.search(_line(data, start)):
                            compared.add(name)
                    elif data[end:end + 1] in (b"(", b" "):
                        used.add(name)
                cross = used and not (all(functions.get(w, (None, ""))[1] == rel for w in used if w in functions)
                                      and not used & set(macros))
                # a compared constant matters only where the file has a sink of its own
                local = bool(compared) and bool(keyword_hits(data.decode("latin-1"), "c", pats, data))
                if not cross and not local:
                    continue
                reanalysed += 1
                if reanalysed > MAX_REANALYSED:
                    break
                extra = {w: functions[w][0] for w in used if w in functions and functions[w][1] != rel}
                known = {k: v for k, v in macros.items() if k in used or v.literal is not None}
                known.update({k: constants[k] for k in compared})
                # with compared constants the file's own sinks are analysed again (their branches
                # now compare with literals); otherwise only around the cross-file calls
                yield from analyze_source(entry, data, pats, extra_macros=known, extra_functions=extra,
                                          focus=None if local else used)

    @staticmethod
    def _handed_input(tree, ctx: TreeContext, pats) -> Iterator[Finding | ScanError]:
        """C functions another file hands remote input to (``input-call``: a receive loop passing
        its packet to a parser in another file), analysed again with those parameters as input."""
        rel_of = {e.path: rel for rel, e in tree.files.items()}
        given: dict[str, dict[int, tuple[str, str]]] = {}
        for obs in ctx.observed("input-call"):
            rel = rel_of.get(obs.path)
            if rel is None:
                continue
            d = obs.data
            given.setdefault(d["function"], {}).setdefault(
                d["argument"], (f"{d['source']}, handed over at {rel}:{d['line']} ({d['call']})", d["kind"]))
        if not given:
            return
        names = sorted(given)
        auto = _matcher(names)
        done = 0
        known = {(f.rule, f.path, f.line) for f in ctx.findings}  # the first pass's findings stand
        for rel, entry, data in _c_files(tree):
            defined = {names[i] for i, a, b in auto.find_matches_as_indexes(data)
                       if _whole_word(data, a, b) and _DEFINITION.match(_line(data, a))}
            if not defined:
                continue
            done += 1
            if done > MAX_REANALYSED:
                yield ScanError(entry.path, f"more than {MAX_REANALYSED} files define functions other files hand "
                                            "remote input to: the rest were not analysed for it", "file", "limit")
                return
            for r in analyze_source(entry, data, pats, focus=defined, param_inputs={n: given[n] for n in defined}):
                if isinstance(r, ScanError) or isinstance(r, Finding) and (r.rule, r.path, r.line) not in known:
                    yield r

    @staticmethod
    def _expanded(tree, headers: list[str], pats) -> Iterator[Finding]:
        """The C files that use a header's comparing or assigning function-like macro, analysed
        with those macros expanded in place (see expand.py); only findings on an expanded line
        are new, and they name the macros."""
        functions: dict[str, expand.Macro] = {}
        constants: dict[str, str] = {}
        for defines in headers:
            f, c = expand.read_defines(defines)
            functions.update(f)
            constants.update(c)
        wanted = expand.interesting(functions, constants)
        if not wanted:
            return
        auto = _matcher(sorted(wanted))
        done = 0
        for _, entry, data in _c_files(tree):
            if not any(_whole_word(data, a, b) and data[b:b + 1] in (b"(", b" ")
                       for _, a, b in auto.find_matches_as_indexes(data)):
                continue
            done += 1
            if done > MAX_REANALYSED:
                break
            src, changed = expand.expand_lines(data.decode("latin-1"), functions, constants, wanted)
            if not changed:
                continue
            for f in analyze_source(entry, src.encode("latin-1"), pats):
                if isinstance(f, Finding) and f.line in changed:
                    f.evidence["macros_expanded"] = changed[f.line]
                    yield f

    @staticmethod
    def _read(defines: str, pats, sinks_only: bool) -> dict[str, MacroInfo]:
        root = syntax.parser("c").parse(defines.encode("latin-1")).root_node
        return {name: info for name, info in read_macros(root, "c", pats).items()
                if info.reach.kinds or (not sinks_only and info.literal is not None)}

    @staticmethod
    def _exported_functions(tree, ctx: TreeContext) -> dict[str, tuple[Reach, str]]:
        """Non-static C functions of the tree that spawn a shell by name, open a shell listener or
        take root, as the per-file analyzer observed them (``sink-function``); vsftpd 2.3.4 kept its
        listener in another file than its trigger."""
        rel_of = {e.path: rel for rel, e in tree.files.items()}
        out: dict[str, tuple[Reach, str]] = {}
        for obs in ctx.observed("sink-function"):
            rel = rel_of.get(obs.path)
            if rel is None:
                continue
            out.setdefault(obs.data["function"], (Reach(set(obs.data["kinds"]), list(obs.data["via"])), rel))
            if len(out) >= MAX_EXPORTED:
                break
        return out
