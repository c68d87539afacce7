"""Static evaluation of the small decoders that hide what a sink runs.

The input is constant data of the file (a string, an array of numbers or characters), the
transformation is a chain of decoding steps the code itself applies (base64, hex, reversal, ROT13,
XOR with a constant key, character codes to text, zlib/gzip, a project's own decoding function or
loop recognised by what its body computes) and the effect is the text a shell or an eval receives.
Each step is computed here exactly with Python's own codecs: nothing of the target is run. The
vocabulary (decoder names, encodings, body signatures) is ``rules/source/decoders.yaml``.

Work is bounded by size and count: at most ``MAX_DATA`` bytes of data, ``MAX_DEPTH`` nested
expressions and ``MAX_NODES`` expressions per evaluated sink argument.
"""
from __future__ import annotations

import base64
import binascii
import codecs
import functools
import re
import zlib
from dataclasses import dataclass
from importlib import resources

import yaml
from tree_sitter import Node

from . import syntax
from .syntax import arguments, literal, text

MAX_DATA = 64 * 1024
MAX_DEPTH = 10
MAX_NODES = 300

_UNWRAP = frozenset({"parenthesized_expression", "cast_expression", "as_expression", "non_null_expression",
                     "satisfies_expression", "type_assertion", "spread_element", "list_splat", "expression_statement",
                     "parenthesized_list_splat", "argument", "unary_expression_star"})
_ARRAYS = frozenset({"initializer_list", "array_initializer", "array", "list", "tuple", "table_constructor",
                     "array_creation_expression", "composite_literal", "literal_value", "array_expression",
                     "list_expression"})
_ELEMENT_WRAPPERS = frozenset({"array_element_initializer", "field", "literal_element", "keyed_element", "element"})
_LAMBDAS = frozenset({"lambda_expression", "arrow_function", "function_expression", "lambda", "anonymous_function",
                      "func_literal", "function_definition"})
_CONCAT = frozenset({"+", ".", ".."})


@dataclass(frozen=True)
class Decoded:
    data: bytes
    steps: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        try:
            return self.data.decode("utf-8")
        except UnicodeDecodeError:
            return self.data.decode("latin-1")


class Knowledge:
    def __init__(self, raw: dict) -> None:
        self.substitutions = frozenset(raw["substitutions"])
        self.kind_of: dict[str, str] = {}
        for kind, names in raw["calls"].items():
            for n in names:
                self.kind_of.setdefault(n, kind)
        self.encodings = {e.lower(): kind for kind, names in raw["encodings"].items() for e in names}
        self.objects = {o: kind for kind, names in raw["objects"].items() for o in names}
        self.bodies = {kind: re.compile(rx) for kind, rx in raw["bodies"].items()}


@functools.cache
def knowledge() -> Knowledge:
    raw = resources.files("nobackdoor.rules").joinpath("source/decoders.yaml").read_text("utf-8")
    return Knowledge(yaml.safe_load(raw))


# ---------------------------------------------------------------- the decoding steps

def _b64(data: bytes) -> bytes | None:
    s = re.sub(rb"\s+", b"", data)
    if len(s) < 4 or not re.fullmatch(rb"[A-Za-z0-9+/_-]+=*", s):
        return None
    s = s.replace(b"-", b"+").replace(b"_", b"/")
    s += b"=" * (-len(s) % 4)
    try:
        return base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        return None


def _hex(data: bytes) -> bytes | None:
    s = re.sub(rb"\s+|\\x|0x", b"", data)
    if len(s) < 2 or len(s) % 2 or not re.fullmatch(rb"[0-9A-Fa-f]+", s):
        return None
    return bytes.fromhex(s.decode())


def _inflate(data: bytes, wbits: int) -> bytes | None:
    for w in ((wbits,) if wbits != 15 else (15, -15, 31)):
        try:
            d = zlib.decompressobj(w)
            out = d.decompress(data, MAX_DATA)
            if out:
                return out
        except zlib.error:
            continue
    return None


def _uudecode(data: bytes) -> bytes | None:
    out = bytearray()
    for line in data.splitlines():
        if not line.strip():
            continue
        try:
            out += binascii.a2b_uu(line)
        except binascii.Error:
            return None
    return bytes(out) or None


def _rot13(data: bytes) -> bytes:
    return codecs.encode(data.decode("latin-1"), "rot13").encode("latin-1")


def apply(kind: str, data: bytes, key: bytes | None = None) -> bytes | None:
    """One decoding step, or None when the data is not of that encoding."""
    if kind == "base64":
        return _b64(data)
    if kind == "hex":
        return _hex(data)
    if kind == "reverse":
        return data[::-1]
    if kind == "rot13":
        return _rot13(data)
    if kind == "inflate":
        return _inflate(data, -15)
    if kind == "zlib":
        return _inflate(data, 15)
    if kind == "gzip":
        return _inflate(data, 31)
    if kind in ("xor", "xor_array") and key:
        return bytes(b ^ key[i % len(key)] for i, b in enumerate(data))
    if kind in ("same", "chars"):
        return data
    return None


def _bytes_of(value: str) -> bytes:
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


class StaticDecoder:
    """Values of expressions computed from the file's constants by decoding steps."""

    def __init__(self, model) -> None:
        self.m = model
        self.spec = model.spec
        self.k = knowledge()
        self._summary: dict[int, tuple[str, bytes | None] | None] = {}
        self._budget = 0

    def evaluate(self, node: Node, fn: Node | None) -> Decoded | None:
        self._budget = MAX_NODES
        try:
            got = self.value(node, fn, 0)
        except RecursionError:
            return None
        return got

    # ------------------------------------------------------------ expressions

    def value(self, node: Node | None, fn: Node | None, depth: int) -> Decoded | None:
        if node is None or depth > MAX_DEPTH or self._budget <= 0:
            return None
        self._budget -= 1
        t = node.type
        v = literal(node, self.spec)
        if v is not None:
            if len(v) > MAX_DATA:
                return None
            # a literal spelled in escape sequences is encoded text as much as a base64 one
            return Decoded(_bytes_of(v), ("escape sequences",) if syntax.escape_written(node) else ())
        if t == "expression_list" and node.named_child_count == 1:  # Go: b, _ := f(x)
            return self.value(node.named_children[0], fn, depth + 1)
        if t == "type_conversion_expression" and node.named_child_count == 2:  # Go: []rune(s), string(b)
            return self.value(node.named_children[1], fn, depth + 1)
        if t in _UNWRAP or (t == "cast_expression" and node.child_by_field_name("value") is not None):
            inner = node.child_by_field_name("value") or (node.named_children[-1] if node.named_children else None)
            return self.value(inner, fn, depth + 1)
        if t in _ARRAYS:
            return self._array(node)
        if t in ("binary_expression", "binary_operator", "concatenation"):
            if syntax.operator(node) in _CONCAT:
                left = node.child_by_field_name("left") or (node.named_children[0] if node.named_children else None)
                right = node.child_by_field_name("right") or (node.named_children[-1] if node.named_children else None)
                a = self.value(left, fn, depth + 1)
                b = self.value(right, fn, depth + 1) if a is not None else None
                if a is not None and b is not None and len(a.data) + len(b.data) <= MAX_DATA:
                    return Decoded(a.data + b.data, a.steps + b.steps)
            return None
        if t in self.spec.identifiers or t in ("variable_name", "identifier", "scalar", "varname"):
            return self._variable(node, fn, depth)
        if t == "subscript" and node.named_child_count == 2 and re.fullmatch(
                r"\[\s*::\s*-1\s*\]", text(node)[node.named_children[0].end_byte - node.start_byte:]):
            inner = self.value(node.named_children[0], fn, depth + 1)  # Python s[::-1]
            return Decoded(inner.data[::-1], inner.steps + ("reverse",)) if inner else None
        if t in ("generator_expression", "list_comprehension"):
            return self._comprehension(node, fn, depth)
        if t == "map_grep_expression" and node.children and node.children[0].type == "map":
            return self._perl_map(node, fn, depth)
        if t in self.spec.calls or t in ("call", "call_expression", "function_call", "method_invocation",
                                         "object_creation_expression", "new_expression"):
            return self._call(node, fn, depth)
        return None

    def _number(self, node: Node) -> int | None:
        while node.type in _ELEMENT_WRAPPERS or node.type in ("parenthesized_expression", "cast_expression"):
            if not node.named_children:
                return None
            node = node.named_children[-1]
        if node.type in self.spec.numbers or node.type in ("number_literal", "integer", "number", "int_literal",
                                                             "decimal_integer_literal", "hex_integer_literal"):
            try:
                return int(text(node).rstrip("uUlL").replace("_", ""), 0)
            except ValueError:
                return None
        if node.type in self.spec.chars:
            s = literal(node, self.spec)
            return ord(s) if s is not None and len(s) == 1 else None
        if node.type == "unary_expression" and text(node).startswith("-"):
            inner = self._number(node.named_children[-1]) if node.named_children else None
            return -inner if inner is not None else None
        return None

    def _array(self, node: Node) -> Decoded | None:
        body = node
        for c in node.named_children:  # Java new char[] {...}, Go []byte{...}
            if c.type in ("array_initializer", "literal_value", "initializer_list"):
                body = c
        out = bytearray()
        for c in body.named_children:
            if c.type in ("comment", "dimensions", "type_identifier", "array_type", "integral_type",
                          "slice_type", "primitive_type", "generic_type"):
                continue
            n = self._number(c)
            if n is None or not 0 <= n < 256 or len(out) >= MAX_DATA:
                return None
            out.append(n)
        # text written as its character codes is itself an encoding: the text is not in the source
        return Decoded(bytes(out), ("character codes",)) if out else None

    def _variable(self, node: Node, fn: Node | None, depth: int) -> Decoded | None:
        name = text(node).lstrip("$")
        rhss = self.m.assignments(fn).get(name, []) if fn is not None else []
        if not rhss:
            rhss = self.m.assignments(None).get(name, [])
        if self.m.family in ("c", "go") and fn is not None and re.search(
                rf"\b{re.escape(name)}\s*\[[^\]]*\]\s*(?:,\s*\w+\s*\[[^\]]*\]\s*)?=(?!=)", text(fn)):
            got = self._written_buffer(name, fn, depth)  # written element by element: the loop decides
            if got is not None:
                return got
        if len(rhss) == 1 and rhss[0].start_byte != node.start_byte:
            got = self.value(rhss[0], fn if fn is not None and _same(self.m.function_of(rhss[0]), fn) else None,
                             depth + 1)
            if got is not None:
                return got
        if self.m.family in ("c", "go") and fn is not None:
            return self._written_buffer(name, fn, depth)  # (Go: b := make([]byte, n) filled by a loop)
        return None

    # ------------------------------------------------------------ element-wise transforms

    def _element_fn(self, node: Node, var: str):
        """A function on one code point from an expression of the variable ``var``: the variable
        itself, chr/ord of it, or it XOR-ed, added or subtracted with a constant."""
        t = node.type
        if t in self.spec.identifiers or t in ("identifier", "scalar", "variable_name"):  # (Perl $_, PHP $c)
            return (lambda x: x) if text(node) == var else None
        if t in ("parenthesized_expression", "cast_expression", "as_expression") and node.named_children:
            return self._element_fn(node.named_children[-1], var)
        if t in self.spec.calls or t in ("call", "call_expression"):
            _, last, _ = self.m.callee(node)
            args = arguments(node)
            if last in ("chr", "ord", "int", "byte", "char", "fromCharCode", "String") and len(args) == 1:
                return self._element_fn(args[0], var)
            return None
        if t in ("binary_expression", "binary_operator"):
            op = syntax.operator(node)
            left = node.child_by_field_name("left") or node.named_children[0]
            right = node.child_by_field_name("right") or node.named_children[-1]
            k = self._number(right)
            inner = self._element_fn(left, var)
            if k is None or inner is None:
                k = self._number(left)
                inner = self._element_fn(right, var)
                if op == "-":
                    return None
            if k is None or inner is None:
                return None
            if op == "^":
                return lambda x: inner(x) ^ k
            if op == "+":
                return lambda x: (inner(x) + k) & 0xFF
            if op == "-":
                return lambda x: (inner(x) - k) & 0xFF
        return None

    def _mapped(self, func: Node, data: Decoded) -> Decoded | None:
        """``data`` mapped through a lambda/arrow of one parameter, or through chr/ord."""
        if func.type in self.spec.identifiers or func.type == "identifier":
            return data if text(func) in ("chr", "ord", "int", "String.fromCharCode") else None
        if func.type not in _LAMBDAS:
            return None
        params = func.child_by_field_name("parameters") or func.child_by_field_name("parameter")
        names = re.findall(r"[A-Za-z_$][\w$]*", text(params)) if params is not None else []
        body = func.child_by_field_name("body")
        if len(names) < 1 or body is None:
            return None
        if body.type in ("statement_block", "block") and body.named_child_count == 1 and \
                body.named_children[0].type == "return_statement" and body.named_children[0].named_children:
            body = body.named_children[0].named_children[0]
        f = self._element_fn(body, names[0])
        if f is None:
            return None
        return Decoded(bytes(f(b) & 0xFF for b in data.data), data.steps + (_describe_map(body),))

    def _perl_map(self, node: Node, fn: Node | None, depth: int) -> Decoded | None:
        """Perl ``map { chr($_ ^ 3) } (112, 122, ...)``: the block applied to each element as ``$_``."""
        block = next((c for c in node.named_children if c.type == "block"), None)
        items = node.named_children[-1] if node.named_children else None
        if block is None or items is None or items.id == block.id or block.named_child_count != 1:
            return None
        body = block.named_children[0]
        if body.type == "expression_statement" and body.named_children:
            body = body.named_children[0]
        data = self.value(items, fn, depth + 1)
        f = self._element_fn(body, "$_") if data is not None else None
        if data is None or f is None:
            return None
        return Decoded(bytes(f(b) & 0xFF for b in data.data), data.steps + (_describe_map(body),))

    def _comprehension(self, node: Node, fn: Node | None, depth: int) -> Decoded | None:
        body = node.child_by_field_name("body")
        clause = next((c for c in node.named_children if c.type == "for_in_clause"), None)
        if body is None or clause is None:
            return None
        var, src = clause.child_by_field_name("left"), clause.child_by_field_name("right")
        data = self.value(src, fn, depth + 1)
        if data is None or var is None:
            return None
        f = self._element_fn(body, text(var))
        if f is None:
            return None
        return Decoded(bytes(f(b) & 0xFF for b in data.data), data.steps + (_describe_map(body),))

    # ------------------------------------------------------------ calls

    def _kind(self, call: Node, last: str, obj: Node | None, args: list[Node]) -> str | None:
        for a in args[1:3]:
            enc = literal(a, self.spec)
            if enc is not None and enc.lower() in self.k.encodings:
                return self.k.encodings[enc.lower()]
        if last in ("decode", "Decode", "DecodeString", "decodeString", "from") and obj is not None and args:
            # base64.b64decode(x), Base64.getDecoder().decode(x): the data is the argument (a call
            # without one, b64decode(x).decode(), converts its object; so does .decode('utf-8') of
            # a decoder's result)
            if obj.type in self.spec.calls and self.k.kind_of.get(self.m.callee(obj)[1], "same") != "same":
                return self.k.kind_of.get(last)
            words = set(re.findall(r"\w+", text(obj)))
            for o, kind in self.k.objects.items():
                if o in words:
                    return kind
        return self.k.kind_of.get(last)

    def _call(self, call: Node, fn: Node | None, depth: int) -> Decoded | None:
        target = call.child_by_field_name("function")
        if target is not None:
            while target.type == "parenthesized_expression" and target.named_children:
                target = target.named_children[-1]
            if target.type in _LAMBDAS:
                return self._lambda_call(target, call, fn, depth)
        full, last, obj = self.m.callee(call)
        raw_args = call.child_by_field_name("arguments")
        # Python bytes(c ^ k for c in data): a generator is the call's only argument
        args = [raw_args] if raw_args is not None and raw_args.type == "generator_expression" else arguments(call)
        if last == "join":
            if self.m.family == "python":  # ''.join(seq)
                sep, data_node = obj, args[0] if args else None
            elif obj is None and len(args) >= 2:  # Perl join('', LIST), PHP join('', $a)
                sep, data_node = args[0], args[1]
            else:  # arr.join('')
                sep, data_node = args[0] if args else None, obj
            if sep is not None and literal(sep, self.spec) not in ("", None):
                return None
            return self.value(data_node, fn, depth + 1)
        if last == "split":
            if obj is None and len(args) >= 2 and text(args[0]).strip() in ("//", "''", '""', "qr//"):
                return self.value(args[1], fn, depth + 1)  # Perl split //, STR: its characters
            if args and literal(args[0], self.spec) != "":
                return None
            return self.value(obj, fn, depth + 1)
        if last == "pack" and len(args) == 2 and (literal(args[0], self.spec) or "").strip() in ("H*", "H"):
            # PHP and Perl pack('H*', '7061...'): hexadecimal digits, high nybble first, as bytes
            data = self.value(args[1], fn, depth + 1)
            out = apply("hex", data.data) if data is not None else None
            return Decoded(out, data.steps + ("pack('H*')",)) if out and data is not None else None
        if last in self.k.substitutions:
            # ("6c6f..."):gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end), s.replace(
            # /../g, h => String.fromCharCode(parseInt(h, 16))), re.sub(p, lambda m: chr(int(..., 16)), s):
            # each match replaced by what a decoding function computes of it
            func = next((a for a in args if a.type in _LAMBDAS), None)
            summary = self._summarise(func) if func is not None else None
            if summary is None or summary[0] not in ("hex",):
                return None
            for cand in ([obj] if obj is not None else []) + [a for a in args if a.id != func.id]:
                data = self.value(cand, fn, depth + 1)
                out = apply(summary[0], data.data) if data is not None else None
                if out:
                    return Decoded(out, data.steps + (f"{_describe(summary[0], None)} ({last}() of each match)",))
            return None
        if last == "unpack" and len(args) == 2 and (literal(args[0], self.spec) or "").strip() in ("u", "u*"):
            # Perl unpack('u', ...): uuencoded lines (perlfunc pack "u"), decoded line by line
            data = self.value(args[1], fn, depth + 1)
            out = _uudecode(data.data) if data is not None else None
            return Decoded(out, data.steps + ("uudecode (unpack('u'))",)) if out and data is not None else None
        if last == "map":
            if obj is not None and args and self.m.family != "python":  # arr.map(f)
                data = self.value(obj, fn, depth + 1)
                return self._mapped(args[0], data) if data is not None else None
            if len(args) == 2:  # map(f, seq)
                data = self.value(args[1], fn, depth + 1)
                return self._mapped(args[0], data) if data is not None else None
            return None
        local = self.m.functions.get(last) if obj is None or text(obj) in ("this", "self", "$this") else None
        summary = self._summarise(local) if local is not None else None
        if summary is not None:  # the file's own decoding function (its name may be any)
            kind, key = summary
            for a in args[:3]:
                data = self.value(a, fn, depth + 1)
                if data is not None:
                    out = apply(kind, data.data, key)
                    return Decoded(out, data.steps + (f"{last}() ({_describe(kind, key)})",)) if out else None
            return None
        kind = self._kind(call, last, obj, args)
        if kind is None:
            return None
        if kind == "chars" and (len(args) > 1 or (args and self._number(args[0]) is not None)):
            nums = [self._number(a) for a in args]
            if all(n is not None and 0 <= n < 256 for n in nums):
                return Decoded(bytes(nums), ("character codes",))
        # the data is the object a method is called on (s:reverse(), x.decode('utf-8')) when it is
        # constant, else the first argument (base64.b64decode(x): a module is not data)
        data = None
        for cand in ([obj] if obj is not None else []) + ([args[0]] if args else []):
            data = self.value(cand, fn, depth + 1)
            if data is not None:
                break
        if data is None:
            return None
        out = apply(kind, data.data)
        if out is None or len(out) > MAX_DATA:
            return None
        step = () if kind in ("same", "chars") else (f"{_describe(kind, None)} ({last}())",)
        if kind == "chars":
            step = ("character codes",)
        return Decoded(out, data.steps + step)

    def _lambda_call(self, lam: Node, call: Node, fn: Node | None, depth: int) -> Decoded | None:
        """An immediately-invoked lambda (C++ ``[&]{...}()``, a JavaScript IIFE) that decodes data it
        captures or is given: its body is summarised, the data is the first constant it names."""
        summary = self._summarise(lam)
        if summary is None:
            return None
        kind, key = summary
        body = lam.child_by_field_name("body") or lam
        cands = list(arguments(call)[:2])
        for n in syntax.walk(body, limit=200):
            if n.type in self.spec.identifiers or n.type == "identifier":
                cands.append(n)
        seen: set[str] = set()
        for c in cands[:30]:
            if text(c) in seen:
                continue
            seen.add(text(c))
            data = self.value(c, fn, depth + 1)
            if data is not None and len(data.data) >= 4:
                out = apply(kind, data.data, key)
                return Decoded(out, data.steps + (f"a lambda ({_describe(kind, key)})",)) if out else None
        return None

    def _summarise(self, body: Node) -> tuple[str, bytes | None] | None:
        """What a decoding function, lambda or loop computes, from its body's text: (kind, key)."""
        if body.id in self._summary:
            return self._summary[body.id]
        raw = text(body)
        got: tuple[str, bytes | None] | None = None
        if len(raw) <= 8000:
            name = syntax.function_name(body).lower() if body.type not in _LAMBDAS else ""
            b = self.k.bodies
            if b["base64"].search(raw) or (("b64" in name or "base64" in name) and "dec" in name):
                got = ("base64", None)
            elif b["hex"].search(raw):
                got = ("hex", None)
            elif b["rot13"].search(raw):
                got = ("rot13", None)
            else:
                m = b["xor_array"].search(raw)
                key = None
                if m:
                    rhs = self.m.assignments(None).get(m.group(1), [])
                    kv = self.value(rhs[0], None, 1) if len(rhs) == 1 else None
                    key = kv.data if kv is not None and kv.data else None
                if key:
                    got = ("xor_array", key)
                elif (m := b["xor"].search(raw)) is not None:
                    got = ("xor", bytes([int(m.group(1), 0) & 0xFF]))
                elif b["reverse"].search(raw):
                    got = ("reverse", None)
        self._summary[body.id] = got
        return got

    def _written_buffer(self, name: str, fn: Node, depth: int) -> Decoded | None:
        """C: a buffer ``name`` filled by a decoding call (``b64_decode(src, name, n)``) or a loop
        (``for (...) sscanf(src + i, "%2x", &v), name[i / 2] = v;``) from a constant."""
        for call in self.m.calls:
            if call.start_byte < fn.start_byte or call.end_byte > fn.end_byte:
                continue
            args = arguments(call)
            if len(args) < 2 or not any(re.fullmatch(rf"(?:\([^)]*\)\s*)?&?\s*{re.escape(name)}", text(a))
                                        for a in args):
                continue
            _, last, obj = self.m.callee(call)
            if last in ("sprintf", "snprintf") and text(args[0]).lstrip("&( ").rstrip(") ") == name:
                # snprintf(cmd, n, "(wget -qO- %s || curl -s %s) | sh", URL, URL): the formatted text
                got = self._formatted(args[2 if last == "snprintf" else 1:], fn, depth)
                if got is not None:
                    return got
                continue
            kind, key = self.k.kind_of.get(last), None
            if kind in (None, "same", "chars") and last in self.m.functions:
                summary = self._summarise(self.m.functions[last])
                if summary is not None:
                    kind, key = summary
            if kind in (None, "same", "chars"):
                continue
            for a in args:
                if text(a).endswith(name):
                    continue
                data = self.value(a, fn, depth + 1)
                if data is not None:
                    out = apply(kind, data.data, key)
                    if out:
                        return Decoded(out.split(b"\0", 1)[0], data.steps + (f"{last}() ({_describe(kind, key)})",))
        for loop in syntax.walk(fn, limit=3000):
            if loop.type not in ("for_statement", "while_statement"):
                continue
            raw = text(loop)
            if not re.search(rf"\b{re.escape(name)}\s*\[", raw):
                continue
            exact = self._indexed_loop(loop, name, depth)
            if exact is not None:
                return exact
            summary = self._summarise(loop)
            if summary is None:
                continue
            kind, key = summary
            own = self.m.assignments(fn).get(name, [])
            if len(own) == 1 and own[0].start_byte < loop.start_byte:
                # the buffer decoded in place (Go: r := []rune(k); a loop swapping r[i], r[j])
                data = self.value(own[0], fn, depth + 1)
                if data is not None and len(data.data) >= 4:
                    out = apply(kind, data.data, key)
                    if out:
                        return Decoded(out.split(b"\0", 1)[0], data.steps + (f"a loop ({_describe(kind, key)})",))
            for ident in syntax.walk(loop, limit=300):
                if ident.type != "identifier" or text(ident) == name:
                    continue
                rhs = self.m.assignments(None).get(text(ident), [])
                if len(rhs) != 1:
                    continue
                data = self.value(rhs[0], None, depth + 1)
                if data is not None and len(data.data) >= 4:
                    out = apply(kind, data.data, key)
                    if out:
                        return Decoded(out.split(b"\0", 1)[0], data.steps + (f"a loop ({_describe(kind, key)})",))
        return None


    def _formatted(self, args: list[Node], fn: Node, depth: int) -> Decoded | None:
        """A C format and its arguments, all constants: the text printf would write."""
        if not args:
            return None
        fmt = literal(args[0], self.spec)
        if fmt is None:
            return None
        values = []
        for a in args[1:9]:
            v = self.value(a, fn, depth + 1)
            if v is not None:
                values.append(v.text)
                continue
            n = self._number(a)
            if n is None:
                return None
            values.append(str(n))
        out, i = [], 0
        for m in _C_CONVERSION.finditer(fmt):
            out.append(fmt[i:m.start()])
            i = m.end()
            if m.group(0) == "%%":
                out.append("%")
            elif not values:
                return None
            else:
                out.append(values.pop(0))
        out.append(fmt[i:])
        data = "".join(out).encode("latin-1", "replace")
        return Decoded(data, ()) if len(data) <= MAX_DATA else None

    def _indexed_loop(self, loop: Node, name: str, depth: int) -> Decoded | None:
        """C: ``for (i = 0; ...; i++) name[i] = EXPR;`` where EXPR combines constant arrays indexed by
        ``i``, ``i`` itself and numbers (a rolling XOR ``k[i] ^ 0x46 ^ (i & 0xff)``, an added index):
        EXPR is computed for every index of the constant data, exactly."""
        init = loop.child_by_field_name("initializer")
        var = None
        if init is not None:
            m = re.fullmatch(r"(?:\w+\s+)?(\w+)\s*=\s*0", text(init).strip().rstrip(";"))
            var = m.group(1) if m else None
        body = loop.child_by_field_name("body")
        if var is None or body is None:
            return None
        for asg in syntax.walk(body, limit=400):
            if asg.type != "assignment_expression" or text(asg.child_by_field_name("operator") or asg) != "=":
                continue
            left, right = asg.child_by_field_name("left"), asg.child_by_field_name("right")
            if left is None or right is None or left.type != "subscript_expression" or \
                    text(left).replace(" ", "") != f"{name}[{var}]":
                continue
            arrays: dict[str, bytes] = {}
            for sub in syntax.walk(right, limit=200):
                if sub.type == "subscript_expression" and (sub.child_by_field_name("index") is not None and
                                                           text(sub.child_by_field_name("index")) == var):
                    arr = text(sub.child_by_field_name("argument") or sub)
                    rhs = self.m.assignments(None).get(arr, [])
                    got = self.value(rhs[0], None, depth + 1) if len(rhs) == 1 else None
                    if got is None:
                        return None
                    arrays[arr] = got.data
            if not arrays:
                return None
            n = min(len(v) for v in arrays.values())
            out = bytearray()
            for i in range(min(n, MAX_DATA)):
                v = _evaluate_at(right, var, i, arrays, self.spec)
                if v is None:
                    return None
                out.append(v & 0xFF)
            if len(out) >= 4:
                return Decoded(bytes(out).split(b"\0", 1)[0], ("character codes", f"a loop computing {text(right)[:40]}"))
        return None


_C_CONVERSION = re.compile(r"%%|%[-+ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t)?[sdiuxXc]")
_ARITH = {"^": lambda a, b: a ^ b, "+": lambda a, b: a + b, "-": lambda a, b: a - b, "&": lambda a, b: a & b,
          "|": lambda a, b: a | b, "*": lambda a, b: a * b, "<<": lambda a, b: a << (b & 31),
          ">>": lambda a, b: a >> (b & 31), "%": lambda a, b: a % b if b else None}


def _evaluate_at(node: Node, var: str, i: int, arrays: dict[str, bytes], spec) -> int | None:
    """The integer value of a C expression of the loop index ``var`` (= ``i``), constant arrays
    indexed by it, numbers and characters; None for anything else."""
    t = node.type
    if t in ("parenthesized_expression", "cast_expression"):
        inner = node.child_by_field_name("value") or (node.named_children[-1] if node.named_children else None)
        return _evaluate_at(inner, var, i, arrays, spec) if inner is not None else None
    if t == "identifier":
        return i if text(node) == var else None
    if t == "number_literal":
        try:
            return int(text(node).rstrip("uUlL"), 0)
        except ValueError:
            return None
    if t == "char_literal":
        s = literal(node, spec)
        return ord(s) if s is not None and len(s) == 1 else None
    if t == "subscript_expression":
        arr = text(node.child_by_field_name("argument") or node)
        return arrays[arr][i] if arr in arrays and i < len(arrays[arr]) else None
    if t == "binary_expression":
        op = syntax.operator(node)
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if op not in _ARITH or left is None or right is None:
            return None
        a = _evaluate_at(left, var, i, arrays, spec)
        b = _evaluate_at(right, var, i, arrays, spec) if a is not None else None
        return _ARITH[op](a, b) if a is not None and b is not None else None
    return None


def _describe(kind: str, key: bytes | None) -> str:
    if kind in ("xor", "xor_array") and key:
        return f"XOR with {key.hex() if len(key) > 1 else hex(key[0])}"
    return {"hex": "hex", "base64": "base64", "rot13": "ROT13", "reverse": "reversal"}.get(kind, kind)


def _describe_map(body: Node) -> str:
    return f"each code mapped by {text(body)[:40]}"


def _same(a: Node | None, b: Node | None) -> bool:
    """The same syntax node (tree-sitter hands out a new wrapper object for each access)."""
    return a is not None and b is not None and a.id == b.id

