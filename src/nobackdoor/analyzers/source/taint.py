"""Where remote input flows inside one source file: a taint engine over the tree-sitter tree.

*Sources* are request reads (documented request APIs, a project's own getters recognised by their
name and string key, CGI meta-variables) and network reads (``recv`` into a buffer). Taint follows
assignments, C calls that copy or format into an argument (``strcpy``, ``sprintf``, ...), any other
call's result (a string method, a helper whose return is tainted), globals written in one function
and read in another, and parameters of the file's functions from their call sites. Sanitizers
(quoting, number conversion, hashing, comparison calls) stop it.

The engine is flow-insensitive within a function (a variable is tainted if any assignment taints it)
and context-insensitive across functions; depth and node budgets bound it, and a path that a
budget cuts reads as untainted (under-reporting, never a finding). An :class:`Origin` names the
source and keeps each step (text and line) so a finding can show its whole path.
"""
from __future__ import annotations

from collections.abc import Iterator
import functools
import re
from dataclasses import dataclass, field
from importlib import resources

import yaml
from tree_sitter import Node

from .matching import byte_matcher
from . import syntax
from .model import FileModel
from .syntax import arguments, literal, text

#: how many assignment/parameter hops a path may take
MAX_DEPTH = 8
#: nodes visited per expression
MAX_NODES = 600
_NAME_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_VAR_TYPES = frozenset({"identifier", "variable_name", "scalar_variable", "varname", "scalar", "field_expression",
                        "member_expression", "attribute", "selector_expression", "field_access",
                        "dot_index_expression", "subscript_expression", "subscript", "element_reference",
                        "array_element_access", "hash_element_expression", "index_expression",
                        "pointer_expression", "member_access_expression"})
_FUNCTION_BOUNDARY = frozenset({"lambda", "arrow_function", "function_expression", "anonymous_function",
                                "func_literal", "lambda_expression", "function_definition",
                                "anonymous_subroutine_expression", "class_declaration"})


_TOP_DECLARATIONS = frozenset({"declaration", "lexical_declaration", "variable_declaration", "expression_statement",
                               "assignment", "global_statement", "short_var_declaration", "var_declaration"})


@dataclass(frozen=True)
class Step:
    line: int
    text: str


_IDENT_RX = re.compile(r"[A-Za-z_]\w*")


@dataclass(frozen=True)
class Origin:
    """Why an expression carries remote input: the source and the steps from it."""
    source: str  # "header 'X-Probe' (getHeader)", "recv() buffer", "$_GET"
    kind: str  # request | network
    steps: tuple[Step, ...] = field(default=())

    def then(self, node: Node) -> Origin:
        step = Step(node.start_point[0] + 1, text(node)[:120])
        if any(s.line == step.line for s in self.steps):
            return self
        return Origin(self.source, self.kind, (*self.steps, step)[-12:])

    def path(self) -> list[dict]:
        return [{"line": s.line, "code": s.text} for s in self.steps]


class Knowledge:
    def __init__(self, raw: dict) -> None:
        self.request_calls = frozenset(raw["request_calls"])
        self.request_objects = frozenset(raw["request_objects"])
        self.request_objects_by_family = {f: frozenset(n) for f, n in raw["request_objects_by_family"].items()}
        self.request_members = frozenset(raw["request_members"])
        self.handler_members = frozenset(raw["handler_members"])
        self.superglobals = frozenset(raw["superglobals"])
        self.environment_objects = frozenset(raw["environment_objects"])
        self.environment_paths = tuple(o for o in self.environment_objects if "." in o)
        self.cgi_keys = tuple(raw["cgi_keys"])
        self.getter_words = frozenset(raw["getter_words"])
        self.request_words = frozenset(raw["request_words"])
        self.header_key = re.compile(raw["header_key"])
        self.out_params: dict[str, tuple[int, object]] = {}
        for name, (dst, src) in raw["out_params"].items():
            if not isinstance(dst, int) or not (src in ("input", "rest") or isinstance(src, list)):
                raise ValueError(f"taint.yaml out_params.{name}: want [index, input|rest|[indexes]]")
            self.out_params[name] = (dst, src)
        #: calls that read the network themselves (their out-parameter's source is "input")
        self.network_reads = frozenset(n for n, (_, src) in self.out_params.items() if src == "input")
        self.sanitizers = frozenset(s.rsplit(".", 1)[-1] for s in raw["sanitizers"])
        self.shell_flags = frozenset(raw["shell_flags"])
        self.path_joins = frozenset(raw["path_joins"])
        self.reader_verbs = frozenset(raw["reader_verbs"])
        self.reader_objects = frozenset(raw["reader_objects"])
        self.socket_calls = frozenset(raw["socket_calls"])
        self.socket_reads = frozenset(raw["socket_reads"])
        self.socket_classes = tuple(c.replace("::", ".") for c in raw["socket_classes"])
        self.stream_wrappers = frozenset(raw["stream_wrappers"])
        self.connection_types = frozenset(raw["connection_types"])
        self.event_calls = frozenset(raw["event_calls"])
        self.data_events = frozenset(raw["data_events"])
        self.collector_calls = frozenset(raw["collector_calls"])
        self.download_callbacks = frozenset(raw["download_callbacks"])
        self.select_words = {family: frozenset(words) for family, words in raw["select_words"].items()}
        self._object_words = self.request_objects.union(*self.request_objects_by_family.values())
        self.select_literal = re.compile(raw["select_literal"])
        self.select_call = re.compile(raw["select_call"])
        anchors = [a.encode() for a in raw["select_anchors"]]
        words = [w.encode() for w in raw["select_call_words"]]
        #: one byte matcher for both: index < len(anchors) is a literal anchor, the rest call words
        self.select_matcher = byte_matcher(anchors + words)
        self.select_anchor_count = len(anchors)

    def selected(self, src: str, data: bytes) -> list[int]:
        """Offsets of request-header literals and request-getter calls (see ``select_*``)."""
        out = []
        n = self.select_anchor_count
        for index, start, end in self.select_matcher.find_matches_as_indexes(data, overlapping=False):
            if index < n:
                m = self.select_literal.match(src, start) or self.select_literal.match(src, max(0, start - 1))
                if m and _looked_up(src, m.start(), m.end()):
                    out.append(start)
            elif self.select_call.match(src, end):
                out.append(start)
        return out

    def request_getter(self, name: str) -> bool:
        """A project's own request getter by its name (get_cgi, cgi_param, req_header): called with
        a string key, its result is request data."""
        words = _words(name)
        return bool(words & self.request_words) and bool(words & self.getter_words or len(words) == 1 or
                                                         words <= self.request_words) and \
            not words & {"set", "put", "add"}

    def stream_reader(self, name: str) -> bool:
        """A project's own function that reads what a peer sent into its arguments (see ``reader_*``)."""
        if name in self.out_params:
            return False
        words = _words(name)
        # the object says where from: awk_getline or read_line read a file as well as a peer
        return bool(words & self.reader_verbs) and bool(words & self.reader_objects)

    def input_words(self, family: str) -> frozenset[str]:
        """Words whose presence makes a unit worth parsing for input flows."""
        return self.request_calls | self.superglobals | self.select_words.get(family, frozenset())

    def read_at(self, word: str, src: str, end: int) -> bool:
        """Whether the input word ending at ``end`` reads request data: a request object's name
        only when one of ``request_members`` follows it (``request.args``, not ``urllib.request``)."""
        if word not in self._object_words:
            return True
        m = _MEMBER_AFTER.match(src, end)
        return m is not None and m.group(1) in self.request_members


@functools.cache
def _handler_class(bases: frozenset[str]) -> re.Pattern:
    """A Python class declaration deriving from one of ``bases``."""
    return re.compile(r"^[ \t]*class[ \t]+\w+[ \t]*\([^)]*\b(?:%s)\b[^)]*\)" % "|".join(sorted(bases)), re.M)


@functools.cache
def knowledge() -> Knowledge:
    raw = yaml.safe_load(resources.files("nobackdoor.rules").joinpath("source/taint.yaml").read_text())
    return Knowledge(raw)


def _words(name: str) -> set[str]:
    return {w.lower() for w in _NAME_PARTS.findall(name)}


_BUFFER_TYPES = ("identifier", "field_expression", "subscript_expression", "pointer_expression")


def _var_name(node: Node) -> str:
    """A variable's name as written, without sigils, casts or address-of: ``$x`` -> x, ``&buf`` -> buf,
    ``s->buf`` -> s.buf."""
    while node.type in ("pointer_expression", "cast_expression", "parenthesized_expression", "unary_expression") \
            and node.named_child_count:
        node = node.named_children[-1]
    t = text(node).strip().lstrip("$@%&*")
    return t.replace("->", ".").replace("::", ".")


class Taint:
    """Taint questions about one parsed file (a :class:`FileModel`)."""

    def __init__(self, model: FileModel, src: str | None = None) -> None:
        """``src``: the whole file's text when ``model`` parsed a selection of it (file-level facts)."""
        self.m = model
        self.k = knowledge()
        #: the file declares a request-handler class: its ``self`` is the request (``self.path``)
        self.handler_self = model.family == "python" and _handler_class(model.pats.request_handler_bases).search(
            src if src is not None else model.data.decode("latin-1")) is not None
        self.spec = model.spec
        self._memo: dict[tuple[int, int], Origin | None] = {}
        self._active: set[tuple[int, int]] = set()
        self._writes: dict[int, dict[str, list[tuple[Node, Node]]]] | None = None
        self._calls_by_name: dict[str, list[Node]] | None = None
        self._globals: dict[str, list[tuple[Node, Node | None]]] | None = None
        self._top_names: set[str] | None = None
        self._fillers: dict[str, set[int]] | None = None  # see _network_fillers

    # ------------------------------------------------------------ indexes

    def _index(self) -> None:
        """Out-parameter writes per function, calls by name, and writes of file-level names."""
        writes: dict[int, dict[str, list[tuple[Node, Node]]]] = {}
        by_name: dict[str, list[Node]] = {}
        fillers = self._network_fillers() if self.m.family == "c" else {}
        for call in self.m.calls:
            _, last, _ = self.m.callee(call)
            by_name.setdefault(last, []).append(call)
            if self.m.family != "c":
                continue
            spec = self.k.out_params.get(last)
            args = arguments(call)
            if spec is not None:
                dests = [args[spec[0]]] if spec[0] < len(args) else []
            elif last in fillers:
                # read_full(c, buf, n) around recv(fd, p + got, ...): the argument it fills
                dests = [args[i] for i in sorted(fillers[last]) if i < len(args)]
            elif len(args) >= 2 and self.k.stream_reader(last):
                # the buffers after the stream (a literal or a size is not a destination)
                dests = [a for a in args[1:4] if a.type in _BUFFER_TYPES]
            elif len(args) >= 3 and self.k.request_getter(last):
                # req_cookie(r, "sid", buf, sizeof buf): a project getter that copies the value out
                key = next((i for i, a in enumerate(args[:3]) if literal(a, self.spec) is not None), None)
                dests = [a for a in args[key + 1:key + 3] if a.type in _BUFFER_TYPES] if key is not None else []
            else:
                continue
            fn = self.m.function_of(call)
            key = fn.id if fn is not None else -1
            for dst in dests:
                writes.setdefault(key, {}).setdefault(_var_name(dst), []).append((call, dst))
        self._writes = writes
        self._calls_by_name = by_name
        # names written at file level (C/JS/Python globals) or through a global statement
        top: dict[str, list[tuple[Node, Node | None]]] = {}
        for name, rhss in self.m.assignments(None).items():
            for rhs in rhss:
                top.setdefault(name, []).append((rhs, self.m.function_of(rhs)))
        self._globals = top

    def _network_fillers(self) -> dict[str, set[int]]:
        """C functions of this file that fill a parameter from the network: the parameter (or a
        position in it, ``p + got``) is the buffer of a recv/recvfrom/SSL_read inside them."""
        if self._fillers is not None:
            return self._fillers
        out: dict[str, set[int]] = {}
        self._fillers = out
        for call in self.m.calls:
            spec = self.k.out_params.get(self.m.callee(call)[1])
            if spec is None or spec[1] != "input":
                continue
            fn = self.m.function_of(call)
            args = arguments(call)
            if fn is None or spec[0] >= len(args):
                continue
            base = _IDENT_RX.search(text(args[spec[0]]).lstrip("&*( "))
            params = self.parameter_names(fn)
            if base and base.group(0) in params:
                out.setdefault(syntax.function_name(fn), set()).add(params.index(base.group(0)))
        return out

    def _file_level(self, name: str) -> bool:
        """A name declared outside any function (a global the functions share)."""
        if self._top_names is None:
            names: set[str] = set()
            for child in self.m.root.named_children:
                if child.type in self.spec.functions or child.type not in _TOP_DECLARATIONS:
                    continue
                for n in syntax.walk(child, limit=400):
                    if n.type in ("identifier", "variable_name"):
                        names.add(text(n).lstrip("$"))
            self._top_names = names
        return name in self._top_names

    # ------------------------------------------------------------ queries

    def origin(self, node: Node, fn: Node | None = None, depth: int = 0) -> Origin | None:
        """Why ``node`` (an expression in ``fn``) carries remote input, or None."""
        if depth > MAX_DEPTH:
            return None
        if self._writes is None:
            self._index()
        key = (node.id, depth if depth > MAX_DEPTH - 2 else 0)
        if key in self._memo:
            return self._memo[key]
        if key in self._active:
            return None
        self._active.add(key)
        try:
            got = self._origin(node, fn if fn is not None else self.m.function_of(node), depth)
        finally:
            self._active.discard(key)
        self._memo[key] = got
        return got

    def _origin(self, node: Node, fn: Node | None, depth: int) -> Origin | None:
        t = node.type
        if t in self.spec.strings and literal(node, self.spec) is not None:
            return None
        if t in self.spec.calls:
            return self._call_origin(node, fn, depth)
        if t == "readline_expression" and node.named_child_count:  # Perl <$conn>: a line read from a handle
            handle = node.named_children[0]
            conn = self._connection(handle.named_children[0] if handle.named_child_count else handle, fn)
            if conn is not None:
                return Origin(f"<> from the connection of {conn}", "network", (Step(node.start_point[0] + 1,
                                                                                    text(node)[:120]),))
        direct = self._access_source(node)
        if direct is not None:
            return direct
        if t in _VAR_TYPES or t in self.spec.identifiers:
            got = self._variable_origin(node, fn, depth)
            if got is not None:
                return got
            if t in ("identifier", "variable_name", "scalar_variable", "varname", "scalar"):
                return None
        if t in _FUNCTION_BOUNDARY or t in self.spec.functions:
            return None
        for child in node.named_children[:32]:
            if child.type in ("comment",):
                continue
            got = self.origin(child, fn, depth)
            if got is not None:
                return got
        return None

    def _access_source(self, node: Node) -> Origin | None:
        """``$_GET['x']``, ``$_SERVER['HTTP_X']``, ``req.body.cmd``, ``request.headers['X']``,
        ``os.environ['QUERY_STRING']``, ``$ENV{HTTP_X}`` (an access path rooted at a request object)."""
        raw = text(node)
        if len(raw) > 200:
            return None
        path = raw.replace("->", ".").replace("::", ".").replace("?.", ".")
        head = re.split(r"[.\[({:]", path.lstrip("$%@&*( "), maxsplit=1)[0]
        if head in self.k.superglobals:
            return Origin(f"${head}", "request", (Step(node.start_point[0] + 1, raw[:120]),))
        if head in self.k.environment_objects or path.startswith(self.k.environment_paths):
            key = _string_key(node, self.spec)
            if key and key.startswith(self.k.cgi_keys):
                return Origin(f"CGI variable {key}", "request", (Step(node.start_point[0] + 1, raw[:120]),))
            return None
        rest = path[len(head):].lstrip(".")
        member = re.split(r"[.\[(]", rest, maxsplit=1)[0]
        if head == "self" and self.handler_self and member in self.k.handler_members:
            return Origin(f"self.{member} (a request handler)", "request", (Step(node.start_point[0] + 1, raw[:120]),))
        if self.m.family == "c" or head not in self.k.request_objects and \
                head not in self.k.request_objects_by_family.get(self.m.family, ()):
            return None
        if member in self.k.request_members or (not member and rest.startswith("[")):
            if node.type in self.spec.calls or node.parent is None or node.parent.type not in self.spec.calls or \
                    node.parent.child_by_field_name("function") is not node:
                return Origin(f"{head}.{member}", "request", (Step(node.start_point[0] + 1, raw[:120]),))
        return None

    def _call_origin(self, call: Node, fn: Node | None, depth: int) -> Origin | None:
        full, last, obj = self.m.callee(call)
        args = arguments(call)
        line = call.start_point[0] + 1
        step = (Step(line, text(call)[:120]),)
        if last in self.k.sanitizers:
            return None
        if last in self.k.request_calls:
            key = next((v for v in (literal(a, self.spec) for a in args[:3]) if v), "")
            return Origin(f"{last}({key!r})" if key else f"{last}()",
                          "network" if last in self.k.network_reads else "request", step)
        if last in self.k.socket_reads:
            conn = self._connection(obj if obj is not None else (args[0] if args else None), fn)
            if conn is not None:
                return Origin(f"{last}() from the connection of {conn}", "network", step)
        if full in self.k.environment_objects or (obj is None and last in self.k.environment_objects):
            key = next((v for v in (literal(a, self.spec) for a in args[:1]) if v), "")
            if key.startswith(self.k.cgi_keys):
                return Origin(f"CGI variable {key}", "request", step)
            return None
        keys = [v for v in (literal(a, self.spec) for a in args[:3]) if v]
        if keys:
            if any(self.k.header_key.match(v) for v in keys) and last not in ("set", "setHeader", "header",
                                                                               "set_header", "append", "add"):
                if obj is None or self._access_source(obj) is not None or last.lower().startswith(("get", "find")):
                    return Origin(f"{last}({keys[0]!r})", "request", step)
            if self.k.request_getter(last) and _KEY.match(keys[0]):
                # get_cgi("c"), req.param("x"), $q->cookie("sid"): a getter by its name and its key
                return Origin(f"{last}({keys[0]!r})", "request", step)
        if obj is not None:
            src = self._access_source(call)
            if src is not None:
                return src
        # a function of this file: its returned value
        if obj is None or self.m.family in ("php", "perl", "lua", "python", "javascript"):
            target = self.m.functions.get(last)
            if target is not None and (fn is None or target.id != fn.id):
                got = self._returned(target, depth + 1)
                if got is not None:
                    return got.then(call)
                # its result comes from its parameters: the arguments at this call
        if self.m.family == "c" and last in self.k.out_params:
            return None  # the result of strcpy/sprintf is a pointer or a count; the taint went to the argument
        # a library call: its result carries its arguments' (and its object's) taint
        for a in ([obj] if obj is not None else []) + args[:6]:
            got = self.origin(a, fn, depth + 1)
            if got is not None:
                return got.then(call)
        return None

    def _connection(self, node: Node | None, fn: Node | None, depth: int = 0) -> str | None:
        """The connecting call (``stream_socket_client(...)``) a stream variable was made by."""
        if node is None or self.m.family == "c":
            return None  # C reads from sockets are recv()/read() into buffers: out_params
        name = _var_name(node)
        for rhs in self.m.assignments(fn).get(name, [])[:3]:
            inner = rhs
            while inner.type in ("unary_op_expression", "parenthesized_expression", "await_expression",
                                 "error_suppression_expression") and inner.named_child_count:
                inner = inner.named_children[-1]
            if inner.type not in self.spec.calls:
                continue
            _, last, obj = self.m.callee(inner)
            if last in self.k.socket_calls or self.m.callee(inner)[0].replace("::", ".").startswith(
                    self.k.socket_classes):
                return text(inner)[:80]
            if last in self.k.stream_wrappers and depth < 3:
                # bufio.NewScanner(conn), conn.makefile(): a reader of the connection is the connection
                for wrapped in ([obj] if obj is not None else []) + arguments(inner)[:2]:
                    got = self._connection(wrapped, fn, depth + 1)
                    if got is not None:
                        return got
        if fn is not None and name in self.parameter_names(fn):
            typed = self._parameter_type(fn, name)
            if typed and typed.rsplit(".", 1)[-1].lstrip("*") in self.k.connection_types:
                return f"parameter {name} {typed}"  # func cli(ch ssh.Channel), handle(Socket s)
        return None

    def _parameter_type(self, fn: Node, name: str) -> str | None:
        """The declared type of ``fn``'s parameter ``name`` (Go ``ch ssh.Channel``, Java ``Socket s``,
        Python ``s: socket.socket``), as written."""
        params = fn.child_by_field_name("parameters")
        if params is None:
            return None
        for p in params.named_children:
            t = p.child_by_field_name("type")
            names = [c for c in p.named_children if c.type == "identifier" and text(c) == name]
            if t is not None and (names or (p.child_by_field_name("name") is not None and
                                            text(p.child_by_field_name("name")) == name)):
                return text(t).strip()
        return None

    def _returned(self, target: Node, depth: int) -> Origin | None:
        for ret in syntax.walk(target, limit=4000):
            if ret.type not in self.spec.returns:
                continue
            owner = self.m.function_of(ret)
            if owner is None or owner.id != target.id:
                continue
            for child in ret.named_children:
                got = self.origin(child, target, depth)
                if got is not None:
                    return got
        return None

    def _variable_origin(self, node: Node, fn: Node | None, depth: int) -> Origin | None:
        name = _var_name(node)
        if not name:
            return None
        base = re.split(r"[.\[]", name, maxsplit=1)[0]
        names = [name] if base == name else [name, base]
        for nm in names:
            got = self._name_origin(nm, node, fn, depth)
            if got is not None:
                return got
        return None

    def _name_origin(self, name: str, use: Node, fn: Node | None, depth: int) -> Origin | None:
        assigns = self.m.assignments(fn)
        for rhs in assigns.get(name, [])[:6]:
            if rhs.start_byte <= use.start_byte < rhs.end_byte:
                continue
            # an assignment inside a closure of fn reads the closure's own names
            got = self.origin(rhs, self.m.function_of(rhs) if self.m.family == "javascript" else fn, depth + 1)
            if got is not None:
                return got.then(rhs.parent or rhs)
        got = self._out_param_origin(name, fn, depth)
        if got is not None:
            return got
        got = self._collected(name, fn, depth)
        if got is not None:
            return got
        if fn is not None:
            params = self.parameter_names(fn)
            if name in params:
                return self._callback_origin(fn, params.index(name)) or \
                    self._param_origin(fn, params.index(name), depth)
            if name in assigns:
                return None
            outer = self.m.function_of(fn) if fn.type in _FUNCTION_BOUNDARY else None
            if outer is not None and self.m.family == "javascript":
                return self._name_origin(name, use, outer, depth + 1)  # a closure reads its function's names
            if self._file_level(name):
                return self._global_origin(name, depth)
        return None

    def copies_into(self, name: str, fn: Node | None) -> list[tuple[Node, Node]]:
        """(call, source argument) of the C copies and formats in ``fn`` that write ``name``
        (``memcpy(&h, buf, n)``: the header ``h`` holds what ``buf`` held)."""
        if self._writes is None:
            self._index()
        assert self._writes is not None
        out = []
        for call, _ in self._writes.get(fn.id if fn is not None else -1, {}).get(name, [])[:6]:
            spec = self.k.out_params.get(self.m.callee(call)[1])
            if spec is None or spec[1] == "input":
                continue
            args = arguments(call)
            idx = range(spec[0] + 1, len(args)) if spec[1] == "rest" else spec[1]
            out += [(call, args[i]) for i in idx if isinstance(i, int) and i < len(args)]
        return out

    def _collected(self, name: str, fn: Node | None, depth: int) -> Origin | None:
        """``parts.push(chunk)``: a collection holds what is added to it in ``fn`` (closures included)."""
        if self._calls_by_name is None:
            self._index()
        assert self._calls_by_name is not None
        scope = fn if fn is not None else self.m.root
        for last in self.k.collector_calls:
            for call in self._calls_by_name.get(last, [])[:12]:
                if not scope.start_byte <= call.start_byte < scope.end_byte:
                    continue
                obj = self.m.callee(call)[2]
                if obj is None or text(obj) != name:
                    continue
                for arg in arguments(call)[:2]:
                    got = self.origin(arg, self.m.function_of(call), depth + 1)
                    if got is not None:
                        return got.then(call)
        return None

    def _callback_origin(self, fn: Node, index: int) -> Origin | None:
        """The first parameter of a handler registered for a stream's data events
        (``conn.on('data', (chunk) => ...)``) when the stream is a connection the code opened or the
        response of a download from a fixed URL: what the handler is given is read from it."""
        call = self._registering_call(fn) if index == 0 else None
        if call is None:
            return None
        _, last, obj = self.m.callee(call)
        args = arguments(call)
        if last not in self.k.event_calls or obj is None or len(args) < 2 or \
                literal(args[0], self.spec) not in self.k.data_events:
            return None
        outer = self.m.function_of(call)
        step = (Step(call.start_point[0] + 1, text(call)[:120]),)
        conn = self._connection(obj, outer)
        if conn is not None:
            return Origin(f"'{literal(args[0], self.spec)}' events of the connection of {conn}", "network", step)
        download = self._response_of(obj, outer)
        if download is not None:
            return Origin(f"the response of {download}", "download", step)
        return None

    def _registering_call(self, fn: Node) -> Node | None:
        """The call a function written in place is handed to as an argument (``on('data', (c) =>
        ...)``, ``http.get(URL, (res) => ...)``), or None."""
        if fn.type not in _FUNCTION_BOUNDARY:
            return None
        args_node = fn.parent
        call = args_node.parent if args_node is not None else None
        return call if call is not None and call.type in self.spec.calls else None

    def _response_of(self, obj: Node, fn: Node | None) -> str | None:
        """``res`` when it is the response parameter of ``http.get(URL, (res) => ...)`` with a fixed
        http(s) URL: the download call."""
        call = self._registering_call(fn) if fn is not None else None
        params = self.parameter_names(fn) if call is not None else []
        if not params or params[0] != text(obj):
            return None
        _, last, _ = self.m.callee(call)
        args = arguments(call)
        url = literal(args[0], self.spec) if args else None
        if last in self.k.download_callbacks and url and url.startswith(("http://", "https://")):
            return f"{self.m.callee(call)[0]}({url!r})"
        return None

    def _out_param_origin(self, name: str, fn: Node | None, depth: int) -> Origin | None:
        assert self._writes is not None
        for call, _ in self._writes.get(fn.id if fn is not None else -1, {}).get(name, [])[:6]:
            got = self._written(call, fn, depth)
            if got is not None:
                return got
        return None

    def _written(self, call: Node, fn: Node | None, depth: int) -> Origin | None:
        _, last, _ = self.m.callee(call)
        step = (Step(call.start_point[0] + 1, text(call)[:120]),)
        if last not in self.k.out_params:
            key = next((v for v in (literal(a, self.spec) for a in arguments(call)[:3]) if v is not None), None)
            if key is not None and self.k.request_getter(last):
                return Origin(f"{last}({key!r})", "request", step)
            return Origin(f"{last}() (the project's stream reader)", "network", step)
        dst, src = self.k.out_params[last]
        args = arguments(call)
        if src == "input":
            return Origin(f"{last}() buffer", "network", step)
        idx = range(dst + 1, len(args)) if src == "rest" else src
        for i in idx:
            if isinstance(i, int) and i < len(args):
                got = self.origin(args[i], fn, depth + 1)
                if got is not None:
                    return got.then(call)
        return None

    def _global_origin(self, name: str, depth: int) -> Origin | None:
        assert self._writes is not None and self._globals is not None
        for rhs, fn in self._globals.get(name, [])[:6]:
            got = self.origin(rhs, fn, depth + 1)
            if got is not None:
                return got.then(rhs.parent or rhs)
        for names in self._writes.values():
            for call, _ in names.get(name, [])[:4]:
                got = self._written(call, self.m.function_of(call), depth + 1)
                if got is not None:
                    return got
        return None

    def parameter_names(self, fn: Node) -> list[str]:
        """``fn``'s parameter names in order."""
        params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
        decl = fn.child_by_field_name("declarator")
        while params is None and decl is not None:
            params = decl.child_by_field_name("parameters")
            decl = decl.child_by_field_name("declarator")
        if params is None:
            return []
        out = []
        for p in params.named_children:
            if p.type == "comment":
                continue
            names = [n for n in syntax.walk(p, limit=40)
                     if n.type in ("identifier", "variable_name", "scalar", "varname")
                     and (n.parent is None or n.parent.type not in ("type_identifier", "generic_type"))]
            out.append(text(names[-1] if self.m.family in ("c", "java", "go") and names else
                            names[0] if names else p).lstrip("$"))
        return out

    def _param_origin(self, fn: Node, index: int, depth: int) -> Origin | None:
        """A parameter carries input when a call of its function in this file, or one another file
        was seen to make (``param_inputs``), passes input there."""
        assert self._calls_by_name is not None
        name = syntax.function_name(fn)
        if not name:
            return None
        given = self.m.param_inputs.get(name.rsplit(".", 1)[-1], {}).get(index)
        if given is not None:  # passed by a call in another file (see macros.py, input-call)
            return Origin(given[0], given[1], (Step(fn.start_point[0] + 1, text(fn).split("\n", 1)[0][:120]),))
        for call in self._calls_by_name.get(name.rsplit(".", 1)[-1], [])[:12]:
            args = arguments(call)
            if index < len(args):
                got = self.origin(args[index], self.m.function_of(call), depth + 1)
                if got is not None:
                    return got.then(call)
        return None

    def input_calls(self) -> Iterator[tuple[str, int, Origin, Node]]:
        """(function, argument index, origin, call) of the calls that pass remote input to a function
        this file does not define (C: the packet a receive loop hands to another file's parser). Only
        the functions that read from the network themselves are searched (the receive loops)."""
        reads = self.k.network_reads | self.k.socket_reads | self.k.request_calls
        if self.m.family == "c":
            reads = reads | set(self._network_fillers())  # read_full(c, buf, n) around recv
        readers: set[int] = set()
        for call in self.m.calls:
            if self.m.callee(call)[1] in reads:
                fn = self.m.function_of(call)
                readers.add(fn.id if fn is not None else -1)
        if not readers:
            return
        for call in self.m.calls:
            fn = self.m.function_of(call)
            if (fn.id if fn is not None else -1) not in readers:
                continue
            _, last, obj = self.m.callee(call)
            if obj is not None or not last or last in self.m.functions or last in self.k.out_params or \
                    last in self.k.sanitizers or last in reads:
                continue
            for i, a in enumerate(arguments(call)[:6]):
                if a.type in self.spec.strings or a.type == "number_literal":
                    continue
                got = self.origin(a, fn)
                if got is not None:
                    yield last, i, got, call

    # ------------------------------------------------------------ commands

    def command_origin(self, call: Node) -> tuple[Origin, Node] | None:
        """When the *program* a shell sink runs comes from input (the whole command, or the text
        after ``sh -c``), the origin and the expression; None for a fixed program with input in its
        arguments (an injection risk, not a command channel)."""
        command = self.command_of(call)
        if command is None:
            return None
        got = self._leading(command, self.m.function_of(call), 0)
        return (got, command) if got is not None else None

    def command_of(self, call: Node) -> Node | None:
        """The expression that decides what a shell sink runs: the text after ``sh -c`` in an
        argument list or array, else the first argument unless it is a literal (a fixed program)."""
        flat: list[Node] = []
        args = arguments(call)
        last = self.m.callee(call)[1]
        position = self.m.pats.callbacks.get(self.m.family, {}).get(last)
        if position is not None:  # that argument names the function, the others are its arguments
            args = [a for i, a in enumerate(args) if i != position]
        elif last == "open_pipe":
            args = syntax.perl_pipe_command(call) or []  # the mode string "cmd |" or the list after "-|"
        fn = self.m.function_of(call)
        for a in args[:8]:
            if a.type == "identifier" and self.m.family == "c":
                # execve(argv[0], argv, env) with char *argv[] = {"/bin/sh", "-c", cmd, NULL}
                init = next((r for r in self.m.assignments(fn).get(text(a), [])[:2] if r.type == "initializer_list"),
                            None)
                if init is not None:
                    a = init
            if a.type in ("list", "array", "array_creation_expression", "array_initializer", "composite_literal",
                          "table_constructor", "array_expression", "initializer_list"):
                inner = a.child_by_field_name("value") or a.child_by_field_name("body") or a
                flat += [c for c in inner.named_children if c.type != "comment"]
            else:
                flat.append(a)
        for i, a in enumerate(flat):
            v = literal(a, self.spec)
            if v is not None and v.strip() in self.k.shell_flags and i + 1 < len(flat):
                return flat[i + 1]
        if not flat or literal(flat[0], self.spec) is not None:
            return None
        return flat[0]

    def _leading(self, expr: Node, fn: Node | None, depth: int) -> Origin | None:
        """The origin of the first part of a command expression (a concatenation's left side, a
        format whose text starts with a conversion, a variable assigned such)."""
        if depth > 4:
            return None
        t = expr.type
        while t == "parenthesized_expression" and expr.named_child_count:
            expr = expr.named_children[0]
            t = expr.type
        if t in ("binary_expression", "concatenation", "string_concatenation"):
            left = expr.child_by_field_name("left") or (expr.named_children[0] if expr.named_children else None)
            op = syntax.operator(expr)
            if left is not None and op in ("+", ".", "..", "~"):
                return self._leading(left, fn, depth + 1)
        if t in ("template_string", "encapsed_string", "interpolated_string_literal", "string", "f_string",
                 "command_string", "shell_command_expression"):
            for c in expr.named_children:
                if c.type == "string_content" and c.named_child_count:
                    # Perl: interpolations live inside the content; the command starts with one or not
                    first = c.named_children[0]
                    if text(c)[:first.start_byte - c.start_byte].strip():
                        return None
                    return self.origin(first, fn)
                if c.type in ("string_content", "string_fragment", "escape_sequence", "string_start", "text"):
                    if text(c).strip():
                        return None
                    continue
                if c.type in ("interpolation", "template_substitution", "variable_name", "scalar",
                              "array_element_access", "subscript_expression", "member_access_expression",
                              "simple_variable"):
                    return self.origin(c, fn)
        if t in self.spec.calls:
            _, last, _ = self.m.callee(expr)
            args = arguments(expr)
            fmt = literal(args[0], self.spec) if last in ("Sprintf", "sprintf", "format") and args else None
            if fmt is not None:  # a command formatted from a text that starts with the input, or not
                return self.origin(args[1], fn) if len(args) > 1 and fmt.lstrip().startswith(("%s", "%v", "{}")) \
                    else None
            if last in self.k.path_joins and args and (literal(args[0], self.spec) or "").startswith("/"):
                return None  # a program chosen inside a fixed directory (/etc/init.d/<name>)
        if t in _VAR_TYPES or t in self.spec.identifiers:
            name = _var_name(expr)
            if self.m.family == "c" and self._writes is not None:
                for call, _ in self._writes.get(fn.id if fn is not None else -1, {}).get(name, [])[:4]:
                    _, last, _ = self.m.callee(call)
                    args = arguments(call)
                    # (a project's reader or getter fills its buffer from input: no format to read)
                    dst, src = self.k.out_params.get(last, (1, "input"))
                    if src == "rest" and dst + 1 < len(args):
                        fmt_i = dst + 1 if last in ("sprintf", "vsprintf", "asprintf") else dst + 2
                        fmt = literal(args[fmt_i], self.spec) if fmt_i < len(args) else None
                        if fmt is not None and not fmt.lstrip().startswith("%s"):
                            continue
                    got = self._written(call, fn, 0)
                    if got is not None:
                        return got
            assigns = self.m.assignments(fn)
            rhss = assigns.get(name, [])
            if rhss:
                for rhs in rhss[:4]:
                    got = self._leading(rhs, fn, depth + 1)
                    if got is not None:
                        return got.then(rhs.parent or rhs)
                return None
        return self.origin(expr, fn)


_KEY = re.compile(r"^[\w.-]{1,64}$")
_MEMBER_AFTER = re.compile(r"\s*(?:\.|->|:|\[)\s*['\"]?(\w+)")


def _looked_up(src: str, start: int, end: int) -> bool:
    """A header name or CGI variable used as a key being read (an argument or index), not one
    being written (``headers["User-Agent"] = ...``, ``{"Cookie": c}``, ``setHeader("X-A", v)``)."""
    before = src[max(0, start - 40):start].rstrip()
    after = src[end:end + 12].lstrip()
    if after.startswith("]"):
        after = after[1:].lstrip()  # headers["User-Agent"] = ...: the index is being written
    if after.startswith(("=", ":")) and not after.startswith(("==", "::")):
        return False
    if re.search(r"(?i)(?:set|add|put|append|write|send)_?(?:header|cookie)?\s*\(\s*$", before):
        return False
    return True


def _string_key(node: Node, spec) -> str:
    for n in syntax.walk(node, limit=40):
        if n.type in spec.strings or n.type in ("string_content", "bareword", "autoquoted_bareword"):
            v = literal(n, spec) if n.type in spec.strings else text(n)
            if v:
                return v
    return ""
