"""Build machinery that injects code: configure, m4, Makefiles, CMake, package.json, setup.py.

Every shell fragment the build runs (configure and ``*.sh`` bodies, m4 macro bodies with their m4
quotes removed, Makefile recipes, CMake ``COMMAND`` lists, package.json scripts, command strings in
setup.py) is parsed with the bash grammar. A pipeline is suspicious when data flows from a file of
the tree or from the network, through decoders or byte maps, into ``sh``/``eval``. Commands that a
script assembles in variables and later ``eval``s are expanded first (the xz-utils trick). When the
decoding is a plain byte filter (see :mod:`.emulate`) the hidden payload is recovered for the report.

Only source trees and release archives are read here; shell in firmware root filesystems is the
business of the script analyzers.
"""
from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from .matching import byte_matcher
from ...inventory import entropy
from ...models import FileKind, Finding
from ...ruleset import rule
from ..base import BUILD_SCRIPT_NAMES, Tree, TreeAnalyzer, TreeContext
from . import syntax
from .emulate import Unsupported, emulate
from .model import captures
from .syntax import text

MAX_BUILD_FILE = 4 * 1024 * 1024
_EXEC = frozenset({"sh", "bash", "dash", "ash", "ksh", "zsh", "eval", "source", ".", "$SHELL", "${SHELL}",
                   "$(SHELL)", "$CONFIG_SHELL", "python", "python3", "perl", "node"})
_FETCH = frozenset({"curl", "wget", "fetch", "ftp", "tftp", "nc", "aria2c", "lwp-download", "GET"})
_READ = frozenset({"cat", "tail", "head", "dd", "od", "xxd", "sed", "grep", "cut", "strings", "hexdump", "awk"})
_DECODE = frozenset({"gzip", "gunzip", "zcat", "xz", "unxz", "xzcat", "lzma", "unlzma", "lzcat", "bzip2", "bunzip2",
                     "bzcat", "base64", "uudecode", "openssl", "zstd", "unzstd", "lz4", "tr", "rev", "xxd",
                     "base32", "perl", "python", "python3"})
_TEST_PARTS = ("test", "tests", "testdata", "fixtures", "t", "data", "samples", "files")


_BINARY_GREP = re.compile(r"\bgrep\s+-[A-Za-z]*a")
_TEST_DIR = re.compile(r"/(tests?|testdata|fixtures)(/|\b)")


_RUNS = re.compile(r"\b(eval|sh|bash|dash|source|python3?|perl|node)\b|\$\{?\(?(CONFIG_)?SHELL")
_FEEDS = re.compile(r"\b(curl|wget|fetch|tftp|nc|base64|base32|gzip|gunzip|zcat|xz|unxz|xzcat|lzma|unlzma|bzip2|"
                    r"bunzip2|bzcat|zstd|unzstd|lz4|uudecode|openssl|tr|xxd|rev)\b")


@dataclass
class Step:
    kind: str  # decode-exec | fetch-exec
    line: int
    command: str
    stages: list[tuple[str, list[str]]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # tree relpaths the step reads


def is_build_file(relpath: str) -> bool:
    name = relpath.rsplit("/", 1)[-1]
    return name in BUILD_SCRIPT_NAMES or name.endswith((".m4", ".mk", ".cmake", ".sh", ".bash"))


class BuildMachineryAnalyzer(TreeAnalyzer):
    name = "source-build"
    order = 40

    def analyze(self, ctx: TreeContext) -> Iterator[Finding]:
        source_target = self.options.target_kind in ("source", "release")
        for tree in ctx.trees:
            # a source tree, or build machinery at the top of any tree (a root filesystem beside its
            # sources gets both sets of checks); a root filesystem's stray *.sh are boot scripts
            if tree.is_source or (source_target and not tree.is_rootfs):
                yield from self._tree(tree)

    def _tree(self, tree: Tree) -> Iterator[Finding]:
        for rel, entry in sorted(tree.files.items()):
            if entry.kind in (FileKind.SYMLINK, FileKind.ELF, FileKind.ARCHIVE, FileKind.DATA):
                continue
            if not is_build_file(rel) or entry.size > MAX_BUILD_FILE:
                continue
            body = tree.text(rel)
            if not body or not _RUNS.search(body) or not _FEEDS.search(body):
                continue  # nothing runs text, or nothing fetches/decodes it: no parse needed
            for frag_line, frag, automatic in fragments(rel, body):
                frag = relevant_lines(frag)
                if frag is None:
                    continue
                for step in shell_steps(frag):
                    yield from self._report(tree, rel, frag_line + step.line - 1, step, automatic)

    def _report(self, tree: Tree, rel: str, line: int, step: Step, automatic: bool = True) -> Iterator[Finding]:
        base = rel.rsplit("/", 1)[0] if "/" in rel else ""
        if step.kind == "fetch-exec":
            yield rule("source.build-fetch-exec").finding(
                tree.path_of(rel), f"build step downloads and runs code: {step.command[:160]}"
                + ("" if automatic else " (in a helper target/script that the build does not run by itself)"),
                line=line, severity=None if automatic else "medium",
                evidence={"command": step.command[:400], "runs_during_build": automatic, "_relpath": rel})
            return
        located = [p for p in (locate(tree, base, f) for f in step.files) if p] or grep_selected(tree, step)
        evidence: dict = {"command": step.command[:400], "stages": [n for n, _ in step.stages],
                          "reads": located or step.files, "_relpath": rel}
        payload_info: dict = {}
        for path in located:
            entry = tree.get(path)
            if entry is None:
                continue
            try:
                data = entry.realpath.read_bytes()[:64 * 1024 * 1024]
            except OSError:
                continue
            payload_info = {"entropy_bits_per_byte": entropy(data[:1 << 20])}
            try:
                out = emulate(step.stages, data)
                payload_info.update({"recovered_bytes": len(out), "recovered_sha256": hashlib.sha256(out).hexdigest(),
                                     "recovered_preview": out[:300].decode("utf-8", "replace")})
            except (Unsupported, ValueError, IndexError) as exc:
                payload_info["emulation"] = f"not reproduced ({exc})"
            evidence.update(payload_info)
            yield rule("source.build-hidden-payload").finding(
                tree.path_of(path), f"read by {rel}:{line}, transformed ({' | '.join(n for n, _ in step.stages)}) "
                f"and run" + (f"; hides a {payload_info['recovered_bytes']}-byte script" if
                              "recovered_bytes" in payload_info else ""),
                evidence={**payload_info, "build_file": rel, "build_line": line, "_relpath": path})
        yield rule("source.build-decode-exec").finding(
            tree.path_of(rel), f"build step reads {', '.join(located or step.files) or 'data'}, decodes it "
            f"({' | '.join(n for n, _ in step.stages)}) and runs the result", line=line, evidence=evidence)


def locate(tree: Tree, base: str, path: str) -> str | None:
    """The tree file a build step names (``$srcdir/tests/x``, ``./x``, a bare relative path).

    The directory prefix is whatever the script computed (``$srcdir``, `` `dirname $0` ``); the
    longest suffix of plain components that names a file of the tree wins."""
    parts = path.strip("'\"").split("/")
    for i in range(len(parts)):
        tail = parts[i:]
        if not tail or any(not p or "$" in p or "`" in p or "*" in p or p in (".", "..") for p in tail):
            continue
        p = "/".join(tail)
        for cand in (f"{base}/{p}" if base else p, p):
            if tree.get(cand) is not None:
                return cand
        tails = [r for r in tree.files if r.endswith("/" + p)]
        if len(tails) == 1:
            return tails[0]
    return None


_POSIX_CLASSES = {"alnum": "A-Za-z0-9", "alpha": "A-Za-z", "digit": "0-9", "xdigit": "0-9A-Fa-f",
                  "space": " \\t\\n\\r\\f\\v", "upper": "A-Z", "lower": "a-z", "print": " -~", "punct": "!-/:-@\\[-`{-~"}


def grep_selected(tree: Tree, step: Step) -> list[str]:
    """Files of the tree that a ``grep -l PATTERN DIR`` inside the step would pick (xz-utils found its
    payload this way). The ERE is evaluated with Python's re on files up to 4 MiB."""
    for _, args in step.stages:
        for a in args:
            m = re.search(r"\bgrep\s+(-[A-Za-z]+\s+)+[\"']([^\"']+)[\"']\s+(\S+)", a)
            if not m:
                continue
            pattern = m.group(2)
            pattern = re.sub(r"\[?\[:([a-z]+):\]\]?", lambda c: f"[{_POSIX_CLASSES.get(c.group(1), 'A-Za-z0-9')}]",
                             pattern)
            try:
                rx = re.compile(pattern.encode("latin-1", "replace"), re.M)
            except re.error:
                return []
            where = re.sub(r"^\$\{?\w+\}?/?", "", m.group(3).strip("'\"`"))
            hits = []
            for rel, entry in sorted(tree.files.items()):
                if where and f"/{where.strip('/')}/" not in f"/{rel}":
                    continue
                if entry.kind == FileKind.SYMLINK or entry.size > 4 * 1024 * 1024 or is_build_file(rel):
                    continue
                try:
                    data = entry.realpath.read_bytes()
                except OSError:
                    continue
                if rx.search(data):
                    hits.append(rel)
            return hits[:5]
    return []


# ---------------------------------------------------------------- fragments of shell a build runs


#: package.json scripts npm runs by itself on install/publish (npm docs, "scripts": life cycle)
_NPM_LIFECYCLE = frozenset({"preinstall", "install", "postinstall", "prepare", "prepublish", "preprepare",
                            "postprepare", "prepack", "postpack"})
#: Makefile targets a plain build, install or test runs
_MAKE_BUILD_TARGETS = frozenset({"all", "install", "build", "check", "test", "dist", "default", "install-exec",
                                 "install-data", "all-am", "install-am"})
_MAKE_RULE = re.compile(r"^([^\s:=#][^:=]*?)\s*::?(?!=)")


_PIPE_OR_EVAL = re.compile(r"\||\beval\b|`|\$\(|\$\{?\(?SHELL")
_ASSIGN_M = re.compile(r"^[ \t]*([A-Za-z_][A-Za-z0-9_]*)=", re.M)
_FEED_LIST = [w.encode() for w in _FEEDS.pattern.split("(", 1)[1].split(")", 1)[0].split("|")] + [b"eval"]
_FEED_WORDS = byte_matcher(_FEED_LIST)  # overlapping: "eval" inside "revaluate" counts
_NEWLINE = re.compile(b"\n")


def relevant_lines(body: str) -> str | None:
    """The lines of a (large) script that can form a decode-or-fetch-and-run step, with the
    assignments of the variables they use; other lines are emptied so line numbers stay exact.
    Returns None when no line fetches or decodes into a pipe or eval."""
    if len(body) < 8192:
        return body if _FEEDS.search(body) and _RUNS.search(body) else None
    lines = body.split("\n")
    # line numbers of the matches of one pass over the whole text (not a regex call per line)
    raw = body.encode("utf-8", "replace")  # same lines; a native byte automaton finds the words
    newlines = [m.start() for m in _NEWLINE.finditer(raw)]
    candidates = set()
    for index, a, b in _FEED_WORDS.find_matches_as_indexes(raw, overlapping=True):
        if _FEED_LIST[index] != b"eval" and (raw[a - 1:a].isalnum() or raw[a - 1:a] == b"_" or
                                              raw[b:b + 1].isalnum() or raw[b:b + 1] == b"_"):
            continue
        candidates.add(bisect.bisect_left(newlines, a))
    keep = {i for i in candidates if _PIPE_OR_EVAL.search(lines[i])}
    if not keep:
        return None
    assigned: dict[str, list[int]] = {}
    starts = list(itertools.accumulate((len(ln) + 1 for ln in lines[:-1]), initial=0))
    for m in _ASSIGN_M.finditer(body):
        assigned.setdefault(m.group(1), []).append(bisect.bisect_right(starts, m.start()) - 1)
    frontier = set(keep)
    for _ in range(3):  # variables used by kept lines, a few levels deep
        names = {v for i in frontier for v in _VAR.findall(lines[i])}
        frontier = {j for v in names for j in assigned.get(v, ())} - keep
        keep |= frontier
        if not frontier:
            break
    return "\n".join(ln if i in keep else "" for i, ln in enumerate(lines))


def _make_reachable(lines: list[str]) -> set[str]:
    """Targets a plain ``make``/``make install``/``make check`` reaches (default goal, standard
    targets and their prerequisites, transitively)."""
    deps: dict[str, set[str]] = {}
    default = None
    for ln in lines:
        if ln.startswith("\t"):
            continue
        m = _MAKE_RULE.match(ln)
        if not m:
            continue
        rest = ln[m.end():].split(";", 1)[0].split("#", 1)[0]
        for t in m.group(1).split():
            deps.setdefault(t, set()).update(rest.split())
            if default is None and not t.startswith("."):
                default = t
    todo = [t for t in deps if t in _MAKE_BUILD_TARGETS] + ([default] if default else [])
    seen: set[str] = set()
    while todo:
        t = todo.pop()
        if t in seen:
            continue
        seen.add(t)
        todo.extend(deps.get(t, ()))
    return seen


def fragments(relpath: str, body: str) -> Iterator[tuple[int, str, bool]]:
    """(first line, shell text, runs during a normal build/install) for every piece of the build file
    that a shell will run. configure, m4 and CMake always run; a Makefile recipe runs when its target
    is the default goal, a standard build target or a file target; a package.json script when it is a
    life-cycle hook."""
    for line, text_, automatic in _fragments(relpath, body):
        yield line, text_, automatic


def _fragments(relpath: str, body: str) -> Iterator[tuple[int, str, bool]]:
    name = relpath.rsplit("/", 1)[-1]
    if name == "package.json":
        try:
            scripts = (json.loads(body) or {}).get("scripts") or {}
        except (ValueError, AttributeError):
            return
        if isinstance(scripts, dict):
            for key, cmd in scripts.items():
                if isinstance(cmd, str):
                    line = body[:body.find(json.dumps(key))].count("\n") + 1 if json.dumps(key) in body else 1
                    yield line, cmd, key in _NPM_LIFECYCLE
        return
    if name.endswith((".m4", ".ac", ".in")) and not name.startswith("Makefile") or name in ("configure.ac",):
        yield 1, m4_to_shell(body), True
        return
    if name.startswith(("Makefile", "GNUmakefile", "makefile")) or name.endswith(".mk"):
        lines = body.split("\n")
        reachable = _make_reachable(lines)
        i = 0
        automatic = True
        while i < len(lines):
            if lines[i].startswith("\t"):
                start, cmd = i + 1, lines[i][1:]
                while cmd.endswith("\\") and i + 1 < len(lines):
                    i += 1
                    cmd = cmd[:-1] + " " + lines[i].lstrip("\t")
                yield start, re.sub(r"\$\(([A-Za-z_]+)\)", r"${\1}", cmd.lstrip("@-+ ")).replace("$$", "$"), automatic
            else:
                m = _MAKE_RULE.match(lines[i])
                if m:
                    targets = m.group(1).split()
                    automatic = any(t in reachable or "%" in t or ("." in t and not t.startswith(".")) or "/" in t
                                    for t in targets)
            i += 1
        return
    if name == "CMakeLists.txt" or name.endswith(".cmake"):
        yield from ((ln, t, True) for ln, t in _cmake_commands(body))
        return
    if name == "setup.py":
        yield from ((ln, t, True) for ln, t in _python_strings(body))
        return
    # configure and other build scripts run with the build; helper scripts elsewhere are run by hand
    yield 1, body, name in ("configure", "autogen.sh", "bootstrap", "build.sh") or "/" not in relpath


def m4_to_shell(body: str) -> str:
    """Approximate the shell an m4 file expands to, keeping line numbers: quoted macro arguments
    (``MACRO([a], [b])``) become separate commands, m4 quotes go, ``[[``/``]]`` become ``[``/``]``."""
    keep_lines = lambda m: "; " + "\n" * m.group(0).count("\n")  # noqa: E731
    s = body.replace("[[", "\0").replace("]]", "\1")
    s = re.sub(r"\(\s*\[", keep_lines, s)
    s = re.sub(r"\]\s*,\s*\[", keep_lines, s)
    s = re.sub(r"\]\s*\)", keep_lines, s)
    return s.replace("[", "").replace("]", "").replace("\0", "[").replace("\1", "]")


def _cmake_commands(body: str) -> Iterator[tuple[int, str]]:
    tree = syntax.tslp.get_parser("cmake").parse(body.encode("utf-8", "replace"))
    for n in syntax.walk(tree.root_node, limit=200000):
        if n.type != "normal_command":
            continue
        ident = n.named_children[0] if n.named_children else None
        if ident is None or text(ident).lower() not in ("execute_process", "add_custom_command",
                                                        "add_custom_target", "exec_program"):
            continue
        args = [text(a).strip('"') for a in syntax.walk(n, limit=2000) if a.type == "argument"]
        cmd: list[str] = []
        for a in args:
            if a in ("COMMAND",):
                if cmd:
                    yield n.start_point[0] + 1, " ".join(cmd)
                cmd = []
            elif a.isupper() and a in ("WORKING_DIRECTORY", "OUTPUT_VARIABLE", "RESULT_VARIABLE", "DEPENDS",
                                       "OUTPUT", "COMMENT", "VERBATIM", "ERROR_QUIET", "OUTPUT_QUIET"):
                if cmd:
                    yield n.start_point[0] + 1, " ".join(cmd)
                cmd = []
            else:
                cmd.append(a)
        if cmd:
            yield n.start_point[0] + 1, " ".join(cmd)


def _python_strings(body: str) -> Iterator[tuple[int, str]]:
    tree = syntax.parser("python").parse(body.encode("utf-8", "replace"))
    spec = syntax.spec_of("python")
    for n in syntax.walk(tree.root_node, limit=200000):
        if n.type == "string":
            v = syntax.literal(n, spec)
            if v and "|" in v:
                yield n.start_point[0] + 1, v


# ---------------------------------------------------------------- shell steps


def _unquote(node: Node) -> str:
    t = node.type
    s = text(node)
    if t == "raw_string" and len(s) >= 2:
        return s[1:-1]
    if t == "string" and len(s) >= 2:
        return s[1:-1]
    return s


def _assignments(nodes: list[Node]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for n in nodes:
        if n.type == "variable_assignment":
            name = text(n.child_by_field_name("name"))
            value = n.child_by_field_name("value")
            if name and value is not None:
                out.setdefault(name, []).append(_unquote(value))
    return out


_VAR = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


def expand(s: str, assigns: dict[str, list[str]], depth: int = 0) -> str:
    if depth > 3 or "$" not in s:
        return s

    def sub(m: re.Match) -> str:
        vals = assigns.get(m.group(1))
        if not vals or len(vals[-1]) > 2000:
            return m.group(0)
        return expand(vals[-1], assigns, depth + 1)

    return _VAR.sub(sub, s)


def _cmd(node: Node, assigns: dict[str, list[str]], unwrap_eval: bool = True) -> tuple[str, list[str]]:
    name_node = node.child_by_field_name("name")
    name = expand(text(name_node), assigns).strip("'\"") if name_node is not None else ""
    args = [expand(_unquote(a), assigns) for a in node.children_by_field_name("argument")]
    parts = name.split()
    if len(parts) > 1:  # a variable that held "prog -opts"
        name, args = parts[0], parts[1:] + args
    if unwrap_eval and name == "eval" and args:  # "eval $map" inside a pipeline runs the filter it names
        raw = " ".join(expand(text(a), assigns) for a in node.children_by_field_name("argument"))
        inner = syntax.parser("bash").parse(raw.encode("utf-8", "replace")).root_node
        first = next((c for c in syntax.walk(inner, limit=50) if c.type == "command"), None)
        if first is not None:
            return _cmd(first, assigns, unwrap_eval=False)
    return name.rsplit("/", 1)[-1], args


def _pipeline_commands(node: Node) -> list[Node]:
    """Commands of a pipeline in order, looking through redirections and nested pipelines."""
    out: list[Node] = []
    for c in node.named_children:
        if c.type == "command":
            out.append(c)
        elif c.type in ("pipeline", "redirected_statement"):
            body = c.child_by_field_name("body") if c.type == "redirected_statement" else c
            if body is not None:
                out += [body] if body.type == "command" else _pipeline_commands(body)
    return out


_STEP_NODES = frozenset({"pipeline", "command", "variable_assignment"})


def shell_steps(body: str, depth: int = 0) -> list[Step]:
    """Pipelines in a shell text whose data ends in an interpreter (see module docstring)."""
    if depth > 2 or len(body) > MAX_BUILD_FILE:
        return []
    tree = syntax.parser("bash").parse(body.encode("utf-8", "replace"))
    # the three node kinds that matter, collected by one tree-sitter query in document order
    # (a Python walk over every node of a 1 MB configure script costs more than its parse)
    nodes = captures(tree.root_node, "bash", _STEP_NODES)
    assigns = _assignments(nodes)
    steps: list[Step] = []
    has_eval_var = False
    for n in nodes:
        if n.type == "pipeline":
            cmds = _pipeline_commands(n)
            if len(cmds) < 2:
                continue
            parsed = [_cmd(c, assigns) for c in cmds]
            if _runs_from_stdin(parsed[-1]):
                st = _classify(parsed[:-1], n.start_point[0] + 1, text(n))
                if st:
                    steps.append(st)
        elif n.type == "command":
            name, args = _cmd(n, assigns, unwrap_eval=False)
            if name not in ("eval", "sh", "bash", "source", "."):
                continue
            raw_args = list(n.children_by_field_name("argument"))
            for a in raw_args:
                for sub in syntax.walk(a, limit=2000):
                    if sub.type == "command_substitution":
                        for pl in syntax.walk(sub, limit=2000):
                            if pl.type == "pipeline":
                                parsed = [_cmd(c, assigns) for c in _pipeline_commands(pl)]
                                st = _classify(parsed, n.start_point[0] + 1, text(n))
                                if st:
                                    steps.append(st)
                                break
                if any(s.type in ("simple_expansion", "expansion") for s in syntax.walk(a, limit=50)):
                    has_eval_var = True
    # commands assembled in variables and eval'ed later: expand and read them as shell
    if has_eval_var:
        for name, values in assigns.items():
            for v in values:
                if "|" in v and len(v) < 4000:
                    full = expand(v, assigns)
                    for st in shell_steps(full + " | sh", depth + 1):
                        st.line = _line_of(body, name)
                        st.command = f"{name}='{v}' (expanded: {full[:200]})"
                        steps.append(st)
    # one report per line
    seen: set[tuple[int, str]] = set()
    out = []
    for st in steps:
        if (st.line, st.kind) not in seen:
            seen.add((st.line, st.kind))
            out.append(st)
    return out


def _line_of(body: str, name: str) -> int:
    i = body.find(name + "=")
    return body.count("\n", 0, i) + 1 if i >= 0 else 1


_SCRIPT_INTERPRETERS = frozenset({"python", "python3", "perl", "node", "ruby"})


def _runs_from_stdin(cmd: tuple[str, list[str]]) -> bool:
    """Whether the last command of a pipeline runs what it reads as code: a shell without ``-c``,
    ``eval``/``source``, or a script interpreter given no program (``perl -lne '...'`` runs its
    own one-liner over the data; ``curl … | perl -ne`` is a filter, not a fetch-and-run)."""
    name, args = cmd
    flags = [a for a in args if a.startswith("-") and not a.startswith("--")]
    if name in _SCRIPT_INTERPRETERS:
        program_given = any(set(f[1:]) & {"e", "E", "c", "m"} for f in flags) or \
            any(not a.startswith("-") for a in args)
        return not program_given or args[:1] == ["-"]
    if name in _EXEC:
        return not any("c" in f[1:] for f in flags)  # sh -c 'cmd' runs its argument, not stdin
    return False


def _classify(stages: list[tuple[str, list[str]]], line: int, command: str) -> Step | None:
    names = [n for n, _ in stages]
    if any(n in _FETCH for n in names):
        return Step("fetch-exec", line, command, stages)
    decoders = [(n, a) for n, a in stages if n in _DECODE and _decodes(n, a)]
    if not decoders:
        return None
    files: list[str] = []
    for n, args in stages:
        if n in _READ or n in _DECODE:
            for a in args:
                if a.startswith(("-", "+")) or "=" in a and n == "dd" or a.isdigit():
                    continue
                if n in ("tr", "sed", "grep", "awk") and not ("/" in a and "." in a.rsplit("/", 1)[-1]):
                    continue
                if "/" in a or "." in a:
                    files.append(a)
    # decoding something read from the tree (or a binary search of it) into an interpreter
    # (a file found by a binary grep over the tree, or any path under a test-data directory, counts)
    args_text = " ".join(" ".join(a) for _, a in stages)
    reads = files or any(n == "grep" and any(x.startswith("-") and "a" in x for x in a) for n, a in stages) \
        or _BINARY_GREP.search(args_text) is not None or _TEST_DIR.search(args_text) is not None
    if not reads:
        return None
    return Step("decode-exec", line, command, stages, files)


def _decodes(name: str, args: list[str]) -> bool:
    flags = "".join(a.lstrip("-") for a in args if a.startswith("-"))
    if name in ("gunzip", "zcat", "unxz", "xzcat", "unlzma", "lzcat", "bunzip2", "bzcat", "uudecode", "unzstd",
                "tr", "rev"):
        return True
    if name in ("gzip", "xz", "lzma", "bzip2", "zstd", "lz4", "base64", "base32"):
        return "d" in flags or "decode" in flags
    if name == "openssl":
        return any(a in ("enc", "base64", "aes-256-cbc", "-d") for a in args)
    if name == "xxd":
        return "r" in flags
    return False
