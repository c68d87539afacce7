"""Commands a C function builds from constant data instead of writing them as a string: byte by
byte into an array (``buf[0] = 'r'; buf[1] = 'm'; ...``, as decompilers and hand obfuscation
write them) or by a loop that XORs, adds or subtracts a constant array with a key
(``buf[i] = tab[i] ^ key[i % sizeof key]``). Both are evaluated here exactly: the arrays and keys
are constants of the file, and the result is the text the sink receives."""
from __future__ import annotations

import re

from tree_sitter import Node

from . import syntax
from .model import FileModel
from .syntax import literal, text

#: the longest text rebuilt (a command, not a payload)
MAX_TEXT = 4096
_INDEXED = re.compile(r"^\s*(\w+)\s*\[\s*(\d+|0x[0-9a-fA-F]+)\s*\]\s*$")
#: dst[i] = (cast)(src[i] OP key[i % n]) / (src[i] OP k)
_LOOP_BODY = re.compile(r"^(?:\(\s*(?:unsigned\s+)?char\s*\)\s*)?\(?\s*(\w+)\s*\[\s*(\w+)\s*\]\s*([\^+\-])\s*"
                        r"(?:(\w+)\s*\[\s*\2\s*%\s*[^\]]+\]|(0x[0-9a-fA-F]+|\d+|'.'))\s*\)?\s*\)?$")


def built_text(model: FileModel, name: str, fn: Node | None) -> tuple[str, str] | None:
    """(how, text) of the string the char array ``name`` holds when ``fn`` builds it from constants;
    None when it is not built that way."""
    scope = fn if fn is not None else model.root
    words = _stored_words(model, name, scope)
    if len(words) >= 8:
        chars = _text_of({i: chr(b) for i, b in words.items()})
        if chars is not None:
            return "built on the stack a word at a time (little-endian)", chars
    chars = _stored_chars(model, name, fn)
    if chars is not None:
        return "built character by character", chars
    decoded = _decoded_loop(model, name, fn)
    if decoded is not None:
        return decoded
    return None


#: a store of a whole word into the array: *(uint32_t *)(buf + 4) = ..., *(undefined4 *)&buf[4] = ...
_WORD_STORE = re.compile(r"^\*\s*\(\s*([\w\s]+?)\s*\*\s*\)\s*\(?\s*&?\s*(\w+)\s*(?:\+\s*(\d+|0x[0-9a-fA-F]+)|"
                         r"\[\s*(\d+|0x[0-9a-fA-F]+)\s*\])?\s*\)?$")
#: a copy of a word variable into the array: memcpy(buf + 4, &v, 4)
_WORD_COPY = re.compile(r"^\(?\s*&?\s*(\w+)\s*(?:\+\s*(\d+|0x[0-9a-fA-F]+)|\[\s*(\d+|0x[0-9a-fA-F]+)\s*\])?\s*\)?$")
#: widths of the integer types decompilers and C code store words with
_WIDTH = {"char": 1, "uchar": 1, "undefined": 1, "undefined1": 1, "byte": 1, "uint8_t": 1, "int8_t": 1,
          "short": 2, "ushort": 2, "undefined2": 2, "uint16_t": 2, "int16_t": 2, "word": 2,
          "int": 4, "uint": 4, "undefined4": 4, "uint32_t": 4, "int32_t": 4, "dword": 4, "unsigned int": 4,
          "long long": 8, "ulonglong": 8, "undefined8": 8, "uint64_t": 8, "int64_t": 8, "qword": 8}


def _stored_words(model: FileModel, name: str, scope: Node) -> dict[int, int]:
    """Bytes of ``name`` written a word at a time (decompiled stack strings): numbers stored through
    a cast pointer, or copied from a variable just assigned a number; words are little-endian (the
    byte order of the x86 and ARM code decompilers read)."""
    at: dict[int, int] = {}
    value: dict[str, int] = {}
    # (in source order; nodes that start at the same byte, f(a)(b), keep their walk order)
    events = sorted((n for n in syntax.walk(scope, limit=20000)
                     if n.type in ("assignment_expression", "call_expression")), key=lambda n: n.start_byte)
    for n in events:
        if n.type == "assignment_expression":
            left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
            v = _number(text(right)) if right is not None and right.type == "number_literal" else None
            if left is None or v is None:
                continue
            if left.type == "identifier":
                value[text(left)] = v
                continue
            m = _WORD_STORE.match(text(left))
            if not m or m.group(2) != name:
                continue
            kind = " ".join(m.group(1).split())
            width = _WIDTH.get(kind) or _WIDTH.get(kind.removeprefix("unsigned ").removeprefix("signed "))
            if width:
                off = int(m.group(3) or m.group(4) or "0", 0)
                for k in range(width):
                    at[off + k] = (v >> (8 * k)) & 0xFF
        else:
            args = syntax.arguments(n)
            if model.callee(n)[1] not in ("memcpy", "memmove") or len(args) != 3:
                continue
            dst, src, size = (text(a) for a in args)
            m = _WORD_COPY.match(dst)
            width = _number(size.strip())
            var = src.strip().lstrip("&").strip()
            if m and m.group(1) == name and width in (1, 2, 4, 8) and var in value:
                off = int(m.group(2) or m.group(3) or "0", 0)
                for k in range(width):
                    at[off + k] = (value[var] >> (8 * k)) & 0xFF
    return at


def _stored_chars(model: FileModel, name: str, fn: Node | None) -> str | None:
    at: dict[int, str] = {}
    scope = fn if fn is not None else model.root
    for n in syntax.walk(scope, limit=20000):
        if n.type != "assignment_expression":
            continue
        left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
        if left is None or right is None or right.type not in ("char_literal", "number_literal"):
            continue
        m = _INDEXED.match(text(left))
        if not m or m.group(1) != name:
            continue
        v = literal(right, model.spec) if right.type == "char_literal" else _number(text(right))
        if isinstance(v, int):
            v = chr(v) if 0 <= v < 256 else None
        if v is None or len(v) != 1:
            continue
        at[int(m.group(2), 0)] = v
    return _text_of(at) if len(at) >= 4 else None


def _text_of(at: dict[int, str]) -> str | None:
    """The text from offset 0 up to the first gap or NUL (4 characters or more)."""
    out = []
    for i in range(min(len(at) + 1, MAX_TEXT)):
        ch = at.get(i)
        if ch is None or ch == "\0":
            break
        out.append(ch)
    return "".join(out) if len(out) >= 4 else None


def _decoded_loop(model: FileModel, name: str, fn: Node | None) -> tuple[str, str] | None:
    scope = fn if fn is not None else model.root
    for n in syntax.walk(scope, limit=20000):
        if n.type != "assignment_expression":
            continue
        left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
        if left is None or right is None or not text(left).replace(" ", "").startswith(name + "["):
            continue
        m = _LOOP_BODY.match(text(right))
        if not m:
            continue
        src = _constant_bytes(model, m.group(1))
        if not src:
            continue
        op = m.group(3)
        if m.group(4):
            key = _constant_bytes(model, m.group(4))
        else:
            k = m.group(5)
            key = [ord(k[1])] if k.startswith("'") else [int(k, 0)]
        if not key:
            continue
        out = bytearray()
        for i, b in enumerate(src[:MAX_TEXT]):
            k = key[i % len(key)]
            v = b ^ k if op == "^" else (b + k) & 0xFF if op == "+" else (b - k) & 0xFF
            if v == 0:
                break
            out.append(v)
        how = {"^": "XOR-decoded", "+": "add-decoded", "-": "subtract-decoded"}[op]
        return f"{how} from {m.group(1)}[] with {m.group(4) or m.group(5)}", out.decode("latin-1")
    return None


def _constant_bytes(model: FileModel, name: str) -> list[int] | None:
    """The values of a file-level array initialised with numbers or characters."""
    for rhs in model.assignments(None).get(name, [])[:2]:
        if rhs.type == "initializer_list":
            values = []
            for c in rhs.named_children:
                if c.type == "number_literal":
                    v = _number(text(c))
                elif c.type == "char_literal":
                    s = literal(c, model.spec)
                    v = ord(s) if s and len(s) == 1 else None
                else:
                    v = None
                if v is None:
                    return None
                values.append(v & 0xFF)
            return values or None
        if rhs.type in ("string_literal", "concatenated_string"):
            s = literal(rhs, model.spec)
            return [ord(ch) & 0xFF for ch in s] if s else None
    return None


def _number(raw: str) -> int | None:
    try:
        return int(raw.rstrip("uUlL"), 0)
    except ValueError:
        return None
