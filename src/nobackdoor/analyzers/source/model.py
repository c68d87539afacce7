"""One parsed source file: its calls, functions, C macros and which of them reach a sink.

A *sink* is a call that spawns a shell or a program, evaluates code, raises privilege or opens a
listener. A function or macro *reaches* a sink when its body calls one, directly or through other
functions and macros of the same file (or, for the tree analyzer, of the same tree). Only strong
sinks count: a shell spawned by name, a command or code built from data, ``setuid(0)``.
"""
from __future__ import annotations

import base64
import binascii
import bisect
import codecs
import functools
import re
import threading
from collections.abc import Iterator, Set as AbstractSet
from dataclasses import dataclass, field

from tree_sitter import Node, Query, QueryCursor

from . import syntax
from .patterns import Patterns
from .syntax import Spec, arguments, callee, literal, number, text, value_literal, walk

_queries = threading.local()
_WORD = re.compile(r"[A-Za-z_]\w*")

#: objects whose method named like a generic sink really is one (``cp.exec`` yes, ``re.exec`` no)
_SINK_OBJECT_HINTS = ("child", "cp", "proc", "shell", "runtime", "subprocess", "os", "exec", "vm", "syscall")


@dataclass
class Reach:
    """What a call, function or macro leads to."""

    kinds: set[str] = field(default_factory=set)  # shell | eval | priv | listen | bindshell
    via: list[str] = field(default_factory=list)  # call chain for the explanation

    def strong(self) -> set[str]:
        k = set(self.kinds) - {"listen", "shellname"}
        if "listen" in self.kinds and "shell" in self.kinds:
            k.add("bindshell")
        if "shellname" in self.kinds:
            k.add("shellname")
        return k


def _query(grammar: str, types: frozenset[str]) -> Query:
    cache = getattr(_queries, "cache", None)
    if cache is None:
        cache = _queries.cache = {}
    key = (grammar, types)
    q = cache.get(key)
    if q is None:
        lang = syntax.tslp.get_language(syntax.GRAMMAR[grammar])  # type: ignore[arg-type]
        valid = [t for t in sorted(types) if lang.id_for_node_kind(t, True)]  # grammars differ in names
        q = cache[key] = Query(lang, "[" + " ".join(f"({t})" for t in valid or ["ERROR"]) + "] @n")
    return q


_GROUPS = ("call", "fn", "if", "asg", "def")


def _multi_query(grammar: str, groups: tuple[tuple[str, frozenset[str]], ...]) -> Query:
    cache = getattr(_queries, "multi", None)
    if cache is None:
        cache = _queries.multi = {}
    key = (grammar, groups)
    q = cache.get(key)
    if q is None:
        lang = syntax.tslp.get_language(syntax.GRAMMAR[grammar])  # type: ignore[arg-type]
        patterns = []
        for name, types in groups:
            valid = [t for t in sorted(types) if lang.id_for_node_kind(t, True)]
            if valid:
                patterns.append("[" + " ".join(f"({t})" for t in valid) + f"] @{name}")
        q = cache[key] = Query(lang, "\n".join(patterns) or "(ERROR) @none")
    return q


def capture_groups(root: Node, grammar: str, groups: dict[str, frozenset[str]]) -> dict[str, list[Node]]:
    """One pass over the tree for several node kinds (one query, one traversal)."""
    got = QueryCursor(_multi_query(grammar, tuple(sorted(groups.items())))).captures(root)
    out = {}
    for name in groups:
        nodes = got.get(name, [])
        nodes.sort(key=lambda n: n.start_byte)
        out[name] = nodes
    return out


def captures(root: Node, grammar: str, types: frozenset[str]) -> list[Node]:
    got = QueryCursor(_query(grammar, types)).captures(root)
    nodes = got.get("n", [])
    nodes.sort(key=lambda n: n.start_byte)
    return nodes


#: loops read as assignments (their variable takes each item of what they walk; see syntax.SPECS)
LOOPS = frozenset({"for_statement", "for_in_statement"})


class FileModel:
    def __init__(self, data: bytes, language: str, family: str, pats: Patterns,
                 extra_macros: dict[str, "MacroInfo"] | None = None,
                 extra_functions: dict[str, Reach] | None = None,
                 param_inputs: dict[str, dict[int, tuple[str, str]]] | None = None) -> None:
        self.data = data
        #: function name -> parameter index -> (source, kind): input other files pass to it
        self.param_inputs = param_inputs or {}
        self.language = language
        self.family = family
        self.pats = pats
        self.spec: Spec = syntax.spec_of(family)
        self.tree = syntax.parser(language).parse(data)
        self.root = self.tree.root_node
        asg = frozenset({"named_expression"}) if family == "python" else frozenset({"assignment_expression"})
        self.groups = capture_groups(self.root, language, {
            "call": self.spec.calls, "fn": self.spec.functions, "if": self.spec.ifs, "asg": asg,
            "ret": self.spec.returns, "assign": self.spec.assignments,
            "def": frozenset({"preproc_def", "preproc_function_def"}) if family == "c" else frozenset({"ERROR"})})
        self.calls = self.groups["call"]
        self.macros: dict[str, MacroInfo] = dict(extra_macros or {})
        if family == "c":
            self.macros.update(read_macros(self.root, language, pats, self.groups["def"]))
        self.macro_literals = {k: m.literal for k, m in self.macros.items() if m.literal is not None}
        if family in ("python", "javascript"):
            self.macro_literals.update(module_constants(self.root, self.spec))
        plain = [n for n in self.groups["assign"] if n.type not in LOOPS]  # a loop variable is no constant
        for name, value in single_literals(self.root, language, self.spec, plain).items():
            self.macro_literals.setdefault(name, value)
        self.functions: dict[str, Node] = {}
        self._fn_of: dict[int, Node | None] = {}
        self._assigns: dict[int, dict[str, list[Node]]] = {}
        self._assign_starts: list[int] | None = None
        self._params: dict[int, set[str]] = {}
        self.reach_of_function: dict[str, Reach] = dict(extra_functions or {})
        self._callee: dict[int, tuple[str, str, Node | None]] = {}
        self._direct: dict[int, Reach] = {}
        self._decoder = None
        self._summarise()

    # ------------------------------------------------------------ structure

    def function_of(self, node: Node) -> Node | None:
        key = node.id
        if key not in self._fn_of:
            self._fn_of[key] = syntax.enclosing(node, self.spec.functions)
        return self._fn_of[key]

    def params(self, fn: Node | None) -> set[str]:
        if fn is None:
            return set()
        if fn.id not in self._params:
            self._params[fn.id] = syntax.parameters(fn, self.spec)
        return self._params[fn.id]

    def assignments(self, fn: Node | None) -> dict[str, list[Node]]:
        """Local variable -> expressions assigned to it, in one function (or the whole file)."""
        scope = fn if fn is not None else self.root
        if scope.id in self._assigns:
            return self._assigns[scope.id]
        out: dict[str, list[Node]] = {}
        nodes = self.groups["assign"]  # every assignment of the file, in document order
        if self._assign_starts is None:
            self._assign_starts = [n.start_byte for n in nodes]
        lo = bisect.bisect_left(self._assign_starts, scope.start_byte)
        hi = bisect.bisect_right(self._assign_starts, scope.end_byte)
        for n in nodes[lo:hi]:
            if n.end_byte > scope.end_byte:
                continue
            left, right = assignment_sides(n)
            if left is None or right is None:
                continue
            for ident in _names(left):
                out.setdefault(ident, []).append(right)
        self._assigns[scope.id] = out
        return out

    # ------------------------------------------------------------ sinks

    def callee(self, call: Node) -> tuple[str, str, Node | None]:
        """:func:`syntax.callee`, computed once per call node."""
        got = self._callee.get(call.id)
        if got is None:
            got = self._callee[call.id] = callee(call)
        return got

    def direct_sink(self, call: Node) -> Reach:
        got = self._cached_sink(call)
        return Reach(set(got.kinds), list(got.via))  # callers extend the result

    def direct_kinds(self, call: Node) -> AbstractSet[str]:
        """The kinds of :meth:`direct_sink`, not copied (read only): asked of every call several times."""
        return self._cached_sink(call).kinds

    def _cached_sink(self, call: Node) -> Reach:
        got = self._direct.get(call.id)
        if got is None:
            got = self._direct[call.id] = self._direct_sink(call)
        return got

    def _direct_sink(self, call: Node) -> Reach:
        full, last, obj = self.callee(call)
        reach = Reach()
        if self.family == "bash":
            return _shell_command_reach(call)
        if self.family == "php":
            hidden = self._computed_name(call, last)
            if hidden is not None:
                for sink in self.pats.sinks["php"].get(hidden, ()):
                    reach.kinds.add(sink.kind)
                    reach.via = [f"{hidden} (name computed: {text(call)[:60]})"]
                return reach
        if self.family == "javascript":
            hidden = self._global_member(call)
            if hidden is not None:
                for sink in self.pats.sinks["javascript"].get(hidden, ()):
                    if "." not in sink.qualified and self._strong(sink.kind, call, hidden):
                        reach.kinds.add(sink.kind)
                        reach.via = [f"{hidden} (name computed: {text(call)[:60]})"]
                return reach
        if self.family == "python" and call.type == "call":
            hidden = self._resolved_attribute(call)
            if hidden is not None:
                module, name = hidden
                for sink in self.pats.sinks["python"].get(name, ()):
                    if "." in sink.qualified and sink.qualified.rsplit(".", 1)[0] != module or \
                            not self._strong(sink.kind, call, name):
                        continue
                    reach.kinds.add(sink.kind)
                    reach.via = [f"{module}.{name} (name computed: {text(call)[:60]})"]
                return reach
        if not last:
            return reach
        for sink in self.pats.sinks.get(self.family, {}).get(last, ()):
            if "." in sink.qualified:
                prefix = sink.qualified.rsplit(".", 1)[0]
                if prefix not in full.replace("->", ".").replace("::", "."):
                    continue
            elif obj is not None and self.family == "php":
                continue  # PHP's command and code functions are functions: $db->exec() is PDO's SQL
            elif obj is not None and self.family in ("python", "javascript", "java", "go"):
                if not any(h in text(obj).lower() for h in _SINK_OBJECT_HINTS):
                    continue
            if self._strong(sink.kind, call, last):
                reach.kinds.add(sink.kind)
                reach.via = [full or last]
                if sink.kind == "shell" and self._names_shell(call):
                    reach.kinds.add("shellname")
        return reach

    def _strong(self, kind: str, call: Node, name: str) -> bool:
        args = arguments(call)
        if kind == "listen":
            return True
        if kind == "priv":
            if not args:
                return False
            num = number(args[0], self.spec)
            return num == 0
        if kind == "eval":
            if name in ("include", "require", "include_once", "require_once") and args and \
                    literal(args[0], self.spec) is not None:
                return False
            if name == "Function" and args and literal(args[-1], self.spec) is not None and \
                    not syntax.escape_written(args[-1]):
                return False  # new Function(params..., body): the body, its last argument, is fixed
            return bool(args) or call.type == "eval_expression"
        # shell: a shell spawned by name, or a command that is not a fixed string
        if not args:
            return False
        if _login_without_password([literal(a, self.spec) for a in args[:6]]):
            return True
        for a in args[:3]:
            v = literal(a, self.spec)
            if v is None:
                if a.type in ("null", "nil", "none", "None") or text(a) in ("NULL", "(char *)NULL", "(char *) NULL"):
                    continue
                if a.type in self.spec.identifiers and text(a) in self.macro_literals:
                    v = self.macro_literals[text(a)]
                else:
                    return True
            first = v.strip().split(";")[0].split()
            if first and (first[0] in self.pats.shell_programs or self.pats.starts_shell(first) or
                          self.pats.starts_login_service(first)):
                return True  # (a login daemon started by the program is a shell for whoever connects)
            if remote_shell_command(v):
                return True
        return False

    def _names_shell(self, call: Node) -> bool:
        if _login_without_password([literal(a, self.spec) for a in arguments(call)[:6]]):
            return True  # login -f root: a session without a password is a shell
        args = arguments(call)
        for a in args[:3]:
            if a.type in ("list", "array", "array_creation_expression") and a.named_child_count:
                # subprocess.call(["/bin/sh", "-i"]), spawn("/bin/sh", [...])
                argv = [literal(c, self.spec) or "" for c in a.named_children[:3]]
            else:
                v = literal(a, self.spec)
                if v and remote_shell_command(v):
                    return True
                if v is None and a.type in ("subscript_expression", "identifier"):
                    # char *argv[] = {"/bin/busybox", "sh", NULL}; execve(argv[0], argv, 0)
                    argv = self._array_strings(a, call)
                else:
                    argv = (v or "").strip().split(";")[0].split()
            if self.pats.starts_shell(argv):
                return True
        # execl("/bin/busybox", "busybox", "sh", NULL): the path, then argv[0], then the applet
        words = [literal(a, self.spec) or "" for a in args[:4]]
        return len(words) > 2 and self.pats.starts_shell([words[0]] + words[2:])

    def _computed_name(self, call: Node, last: str) -> str | None:
        """PHP: the function a variable call (``$f(...)``, ``call_user_func($f, ...)``) runs when ``$f``
        is computed from literals (``strrev('cexe_llehs')``, ``'sys' . 'tem'``, ``str_rot13``,
        ``base64_decode``): the disguised name, or None."""
        target = None
        position = self.pats.callbacks.get("php", {}).get(last)
        if position is not None:
            args = arguments(call)
            target = args[position] if len(args) > position else None
        elif call.type == "function_call_expression":
            fn = call.child_by_field_name("function")
            if fn is not None and fn.type == "variable_name":
                target = fn
        if target is None:
            return None
        exprs = [target] if target.type != "variable_name" else \
            self.assignments(self.function_of(call)).get(text(target).lstrip("$"), [])[:2] or \
            self.assignments(None).get(text(target).lstrip("$"), [])[:2]
        for e in exprs:
            name = _php_constant_string(e, self.spec, 0)
            if not name:
                # chr(115).chr(104)..., pack('H*', '7061...'): the static decoder evaluates it
                got = self.decoder.evaluate(e, self.function_of(e))
                name = got.data.decode("latin-1") if got is not None and len(got.data) <= 64 else None
            if name and name.isidentifier():
                return name
        return None

    def _global_member(self, call: Node) -> str | None:
        """JavaScript ``(globalThis as any)['ev' + 'al'](code)``: the global function a computed key of
        the global object names (the key evaluated from the file's constants), or None."""
        target = call.child_by_field_name("function")
        while target is not None and target.type in ("parenthesized_expression", "as_expression",
                                                      "non_null_expression") and target.named_children:
            target = target.named_children[0]
        if target is None or target.type != "subscript_expression":
            return None
        obj, key = target.child_by_field_name("object"), target.child_by_field_name("index")
        while obj is not None and obj.type in ("parenthesized_expression", "as_expression",
                                               "non_null_expression") and obj.named_children:
            obj = obj.named_children[0]
        if obj is None or key is None or text(obj) not in self.pats.global_objects:
            return None
        got = self.decoder.evaluate(key, self.function_of(call))
        name = got.data.decode("latin-1") if got is not None and len(got.data) <= 64 else None
        return name if name and name.isidentifier() else None

    @property
    def decoder(self):
        """The file's :class:`.decode.StaticDecoder` (made on first use)."""
        if self._decoder is None:
            from .decode import StaticDecoder
            self._decoder = StaticDecoder(self)
        return self._decoder

    def _resolved_attribute(self, call: Node) -> tuple[str, str] | None:
        """Python: (module, name) of ``getattr(M, N)(...)`` when N is computed from the file's constants
        and M is a module named directly or imported by a computed name (``__import__(...)``,
        ``importlib.import_module(...)``): the function the call really runs."""
        fn = call.child_by_field_name("function")
        if fn is None or fn.type != "call" or self.callee(fn)[1] != "getattr":
            return None
        args = arguments(fn)
        if len(args) != 2:
            return None
        where = self.function_of(call)
        name = self.decoder.evaluate(args[1], where)
        module_node = args[0]
        if module_node.type == "call" and self.callee(module_node)[1] in ("__import__", "import_module"):
            inner = arguments(module_node)
            got = self.decoder.evaluate(inner[0], where) if inner else None
            module = got.text if got is not None else None
        elif module_node.type in ("identifier", "attribute"):
            module = text(module_node)
        else:
            module = None
        if name is None or module is None or not name.text.isidentifier() or \
                not all(p.isidentifier() for p in module.split(".")):
            return None
        return module, name.text

    def _array_strings(self, node: Node, call: Node) -> list[str]:
        """The first strings of a local array initialiser that ``node`` (``argv`` or ``argv[0]``) names."""
        name = text(node.child_by_field_name("argument") if node.type == "subscript_expression" else node)
        if node.type == "subscript_expression" and text(node.child_by_field_name("index") or node).strip("[] ") \
                not in ("0",):
            return []
        for rhs in self.assignments(self.function_of(call)).get(name, [])[:2]:
            if rhs.type == "initializer_list" and rhs.named_child_count:
                return [literal(c, self.spec) or "" for c in rhs.named_children[:3]]
        return []

    def reach(self, call: Node) -> Reach:
        """Where a call leads: a sink itself, a local function or a macro that reaches one."""
        r = self.direct_sink(call)
        _, last, obj = self.callee(call)
        if obj is None or self.family in ("c", "php", "perl"):
            sub = self.reach_of_function.get(last)
            if sub is None and last in self.macros:
                sub = self.macros[last].reach
            if sub is not None and sub.kinds:
                r.kinds |= sub.kinds
                r.via = [last, *sub.via]
        return r

    def exported_sinks(self) -> Iterator[tuple[str, Reach, set[str]]]:
        """(name, reach, strong kinds) of the non-static functions other files can call to spawn a
        shell by name, bind a shell to a listener or set uid 0 (a helper that runs whatever
        command it is given is too common to follow)."""
        for name, reach in self.reach_of_function.items():
            fn = self.functions.get(name)
            if fn is None or name == "main" or (fn.text or b"")[:256].lstrip().startswith(b"static"):
                continue
            strong = reach.strong() & {"bindshell", "priv", "shellname"}
            if strong:
                yield name, reach, strong

    def _summarise(self) -> None:
        fns = self.groups["fn"]
        by_fn: dict[str, list[Node]] = {}
        for fn in fns:
            name = syntax.function_name(fn)
            if name:
                self.functions.setdefault(name, fn)
        # only calls of a sink, a function or a macro can make a function reach anything
        sink_names = self.pats.sinks.get(self.family, {})
        for call in self.calls:
            last = self.callee(call)[1]
            if not (last in sink_names or last in self.functions or last in self.macros
                    or last in self.reach_of_function):
                continue
            fn = self.function_of(call)
            if fn is not None:
                by_fn.setdefault(syntax.function_name(fn), []).append(call)
        # fixed point over the call graph of this file (bounded: call chains of at most 4)
        for _ in range(4):
            changed = False
            for name, calls in by_fn.items():
                if not name:
                    continue
                cur = self.reach_of_function.setdefault(name, Reach())
                for call in calls:
                    _, last, _ = self.callee(call)
                    if last == name:
                        continue
                    r = self.reach(call)
                    if not r.kinds <= cur.kinds:
                        cur.kinds |= r.kinds
                        cur.via = cur.via or r.via
                        changed = True
            if not changed:
                break


_SHELL_SERVERS = ("telnetd", "nc", "netcat", "ncat", "socat", "dropbear", "sshd", "/bin/sh", "sh ", "bash", "wget",
                  "curl", "tftp")


def _shell_command_reach(call: Node) -> Reach:
    """What a shell script's command leads to. A shell spawned with no script (its input is the
    connection or the request), ``sh -c`` of data, ``eval`` of data, or a command line that serves a
    shell (telnetd -l /bin/sh, nc -e, a reverse shell, curl | sh) -- judged by what it does. Running a
    fixed script (``sh /usr/sbin/apply.sh``) or a BusyBox applet (``busybox reboot``) is ordinary."""
    from ..config.knowledge import knowledge  # the shells init scripts name (rules/shell-commands.yaml)

    shells = knowledge().shells
    reach = Reach()
    whole = text(call)
    if remote_shell_command(whole):
        reach.kinds |= {"shell", "shellname"}
        reach.via = [whole[:80]]
        return reach
    name_node = call.child_by_field_name("name")
    name = text(name_node).rsplit("/", 1)[-1] if name_node is not None else ""
    args = [text(a).strip("'\"") for a in call.children_by_field_name("argument")]
    if name == "busybox":
        if not args or args[0] not in shells:
            return reach
        name, args = args[0], args[1:]
    if name in shells:
        flags = [a for a in args if a.startswith("-")]
        if any("c" in f[1:] for f in flags if not f.startswith("--")):
            i = next(i for i, a in enumerate(args) if a.startswith("-") and "c" in a[1:])
            script = args[i + 1] if i + 1 < len(args) else ""
            if "$" in script or "`" in script:
                reach.kinds.add("shell")
                reach.via = [whole[:80]]
        elif not [a for a in args if not a.startswith("-")]:
            reach.kinds |= {"shell", "shellname"}  # an interactive shell on the script's input
            reach.via = [whole[:80]]
    elif name in ("eval", "source", ".") and any("$" in a or "`" in a for a in args):
        reach.kinds.add("eval")
        reach.via = [whole[:80]]
    return reach


def _php_constant_string(node: Node, spec: Spec, depth: int) -> str | None:
    """The value of a PHP expression made of literals and string functions, or None."""
    if depth > 6:
        return None
    v = literal(node, spec)
    if v is not None:
        return v
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        return _php_constant_string(node.named_children[0], spec, depth + 1)
    if node.type == "binary_expression" and syntax.operator(node) == ".":
        a = _php_constant_string(node.child_by_field_name("left"), spec, depth + 1)
        b = _php_constant_string(node.child_by_field_name("right"), spec, depth + 1)
        return a + b if a is not None and b is not None else None
    if node.type == "function_call_expression":
        name = text(node.child_by_field_name("function")).lower()
        args = arguments(node)
        inner = _php_constant_string(args[0], spec, depth + 1) if args else None
        if inner is None:
            return None
        if name == "strrev":
            return inner[::-1]
        if name == "str_rot13":
            return codecs.encode(inner, "rot13")
        if name in ("strtolower", "strtoupper", "trim"):
            return getattr(inner, {"strtolower": "lower", "strtoupper": "upper", "trim": "strip"}[name])()
        if name == "base64_decode":
            try:
                return base64.b64decode(inner, validate=True).decode("latin-1")
            except (ValueError, binascii.Error):
                return None
    return None


def _login_without_password(args: list[str | None]) -> bool:
    """``login -f USER`` (util-linux/busybox: the user is already authenticated): a shell session."""
    words = [w for a in args if a for w in a.split()]
    return bool(words) and words[0].rsplit("/", 1)[-1] == "login" and "-f" in words[1:]


@functools.lru_cache(maxsize=4096)
def remote_shell_command(command: str) -> bool:
    """A fixed command line that hands a shell to the network (``telnetd -l /bin/sh``, ``nc -l -e
    /bin/sh``, a reverse shell, ``dropbear -B``) or downloads and runs code: read with the same
    shell reader and mechanism rules as init scripts, so a literal command is judged by what it
    does, not by its first word."""
    if len(command) > 2000 or not any(w in command for w in _SHELL_SERVERS):
        return False
    from ..config.shell import parse
    from ..config.shell_rules import fetch_and_run, remote_shells

    try:
        script = parse(command)
    except Exception:  # the shell reader is total in practice; a literal it cannot read is no evidence
        return False
    return bool(remote_shells(script) or fetch_and_run(script))


@dataclass
class MacroInfo:
    name: str
    literal: str | None = None
    reach: Reach = field(default_factory=Reach)
    line: int = 0


def read_macros(root: Node, language: str, pats: Patterns, defs: list[Node] | None = None) -> dict[str, MacroInfo]:
    """C ``#define``s: string constants, and function-like macros whose body calls a sink."""
    out: dict[str, MacroInfo] = {}
    if defs is None:
        defs = captures(root, language, frozenset({"preproc_def", "preproc_function_def"}))
    bodies: dict[str, str] = {}
    for d in defs:
        name = text(d.child_by_field_name("name"))
        value = text(d.child_by_field_name("value")).strip()
        if not name or not value:
            continue
        info = MacroInfo(name, line=d.start_point[0] + 1)
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            info.literal = syntax.unescape(value[1:-1])
        bodies[name] = value
        out[name] = info
    # resolve bodies: parse each as an expression and see which sinks / macros it calls
    spec = syntax.spec_of("c")
    c_parser = syntax.parser("c")
    calls_of: dict[str, list[tuple[str, bool]]] = {}
    sink_names = set(pats.sinks.get("c", {}))
    for name, body in bodies.items():
        if out[name].literal is not None or len(body) > 4000:
            continue
        words = set(_WORD.findall(body))
        if not (words & sink_names or words & set(bodies)):
            continue  # neither a sink nor another macro: nothing to follow
        if body.replace("_", "").isalnum():  # alias: #define RUN system
            calls_of[name] = [(body, True)]
            continue
        tree = c_parser.parse(b"void __m(void){" + body.encode("utf-8", "replace") + b";}")
        found = []
        for n in walk(tree.root_node, limit=2000):
            if n.type == "call_expression":
                _, last, _ = callee(n)
                args = arguments(n)
                dynamic = any(literal(a, spec) is None for a in args)
                shellish = any((literal(a, spec) or "").strip().split(";")[0].split()[:1] and
                               (literal(a, spec) or "").strip().split()[0] in pats.shell_programs for a in args)
                found.append((last, dynamic or shellish))
        calls_of[name] = found
    table = pats.sinks.get("c", {})
    for _ in range(4):
        changed = False
        for name, calls in calls_of.items():
            info = out[name]
            for last, strong in calls:
                kinds: set[str] = set()
                via: list[str] = []
                for sink in table.get(last, ()):
                    if strong or sink.kind in ("listen", "eval"):
                        kinds.add(sink.kind)
                        via = [last]
                if last in out and last != name and out[last].reach.kinds:
                    kinds |= out[last].reach.kinds
                    via = [last, *out[last].reach.via]
                if not kinds <= info.reach.kinds:
                    info.reach.kinds |= kinds
                    info.reach.via = info.reach.via or via
                    changed = True
        if not changed:
            break
    return out


def assignment_sides(n: Node) -> tuple[Node | None, Node | None]:
    """(written, value) of an assignment or declaration node of any grammar."""
    left = n.child_by_field_name("left") or n.child_by_field_name("name") or n.child_by_field_name("declarator")
    right = n.child_by_field_name("right") or n.child_by_field_name("value")
    if left is None and n.type == "assignment_statement" and n.named_child_count == 2:
        left, right = n.named_children  # Lua: variable_list = expression_list (no field names)
    if right is not None and right.type == "expression_list" and right.named_child_count == 1:
        right = right.named_children[0]  # Go: x := f(), var k = []byte{...}
    if right is not None and not right.is_named:
        # Perl: "my $x = ($a // '')" fields the parenthesis token; the value is the named part
        right = next((c for c in n.children_by_field_name("right") if c.is_named), None)
    return left, right


def _names(node: Node) -> list[str]:
    """Identifiers written by an assignment's left side (``x``, ``$x``, ``my ($a, $b)``, ``*p``)."""
    t = node.type
    if t in ("identifier", "variable_name", "scalar", "varname", "name", "shorthand_property_identifier_pattern"):
        return [text(node).lstrip("$")]
    if t in ("hash", "array") and node.named_child_count == 1 and node.named_children[0].type == "varname":
        return [text(node.named_children[0])]  # Perl: my %TABLE, my @LIST
    if t in ("pointer_declarator", "reference_declarator", "init_declarator", "array_declarator", "expression_list",
             "pattern_list", "tuple_pattern", "variable_declaration", "parenthesized_expression", "list_expression",
             "variable_list", "object_pattern", "array_pattern", "pair_pattern",
             "attribute", "member_expression", "field_expression", "selector_expression"):
        out = []
        if t in ("attribute", "member_expression", "field_expression", "selector_expression"):
            return [text(node).replace("->", ".")]
        for c in node.named_children:
            out += _names(c)
        return out
    return []


def module_constants(root: Node, spec: Spec) -> dict[str, str]:
    """Top-level ``NAME = "literal"`` (Python) and ``const NAME = 'literal'`` (JavaScript): a value
    compared through a constant is still a literal."""
    out: dict[str, str] = {}
    for stmt in root.named_children[:2000]:
        for n in (stmt, *stmt.named_children[:8]):
            if n.type in ("assignment", "variable_declarator"):
                left = n.child_by_field_name("left") or n.child_by_field_name("name")
                right = n.child_by_field_name("right") or n.child_by_field_name("value")
                if left is not None and right is not None and left.type == "identifier":
                    v = value_literal(right, spec)
                    if v is not None:
                        out[text(left)] = v
    return out


_CONST_DECL = re.compile(r"""^[ \t]*(?:const[ \t]+)?\$?([A-Za-z_]\w*)[ \t]*=[ \t]*(["'])([^"'\\\n]*)\2""", re.M)


def single_literals(root: Node, language: str, spec: Spec, assigns: list[Node]) -> dict[str, str]:
    """Names given a string literal once in the whole file and never assigned again (``static final
    String K = "..."``, ``const std::string kKey = "..."``, Go and PHP ``const``): a value compared
    through such a name is the literal itself."""
    values: dict[str, list[str | None]] = {}
    for n in assigns:
        left, right = assignment_sides(n)
        if left is None or right is None:
            continue
        for name in _names(left):
            values.setdefault(name, []).append(value_literal(right, spec))
    if language == "php":
        # PHP constants are declarations of their own, not assignments (Go's const specs are parsed)
        parsed = set(values)  # (the expression also matches a $variable assignment read above)
        for m in _CONST_DECL.finditer((root.text or b"").decode("latin-1")):
            if m.group(1) not in parsed:
                values.setdefault(m.group(1), []).append(m.group(3))
    return {k: v[0] for k, v in values.items() if len(v) == 1 and v[0] is not None and len(k) > 1}
