"""Function-like C macros of a tree's headers expanded in place, line by line.

A trigger or a grant can sit several headers away from the code that uses it:
``if (QA_OVERRIDE(r)) { SESSION_FORCE(r); return 1; }`` reads as two opaque calls until
``QA_OVERRIDE`` is seen to compare a cookie with a literal and ``SESSION_FORCE`` to set uid 0.
Here each use of such a macro is replaced by its body (arguments substituted, nested macros and
string constants expanded, at most ``MAX_DEPTH`` levels), on the same line, so the file parses
with the same line numbers and the ordinary checks read the comparison and the grant.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_DEPTH = 4
MAX_BODY = 2000
MAX_LINE = 8000  # an expanded line longer than this is left as written

_FUNCTION_DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)\(([^)]*)\)[ \t]*((?:[^\n\\]|\\.|\\\n)*)$",
                              re.M)
_STRING_DEFINE = re.compile(r'^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+("(?:[^"\\\n]|\\.){1,200}")[ \t]*$', re.M)
_WORD = re.compile(r"[A-Za-z_]\w*")
#: what makes a macro worth expanding: it compares with a string (a trigger), or gives an identity,
#: a role or a privilege (a grant); macros that compute or copy are left as written
_INTERESTING = re.compile(r"(?:cmp|str\w*str)\s*\([^;]*\"|[=!]=\s*\"|\"\s*[=!]=|"
                          r"(?:uid|auth\w*|admin\w*|role|level|priv\w*|logged\w*|user)\s*=(?!=)", re.I)


@dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...]
    body: str

    @property
    def statement(self) -> bool:
        """A body that is statements (``do { ... } while (0)``), not an expression."""
        b = self.body.lstrip()
        return b.startswith(("do", "{")) or ";" in b


def read_defines(defines: str) -> tuple[dict[str, Macro], dict[str, str]]:
    """Function-like macros and string constants of a header's ``#define`` lines."""
    functions: dict[str, Macro] = {}
    for m in _FUNCTION_DEFINE.finditer(defines):
        body = re.sub(r"\\\n", " ", m.group(3)).strip()
        if body and len(body) <= MAX_BODY:
            params = tuple(p.strip() for p in m.group(2).split(",") if p.strip())
            functions[m.group(1)] = Macro(m.group(1), params, body)
    constants = {m.group(1): m.group(2) for m in _STRING_DEFINE.finditer(defines)}
    return functions, constants


def interesting(functions: dict[str, Macro], constants: dict[str, str]) -> dict[str, Macro]:
    """The macros whose full expansion compares or assigns."""
    out = {}
    for name, macro in functions.items():
        body = _expand_text(macro.body, functions, constants, 1)
        if body is not None and _INTERESTING.search(body):
            out[name] = macro
    return out


def expand_lines(src: str, functions: dict[str, Macro], constants: dict[str, str],
                 wanted: dict[str, Macro]) -> tuple[str, dict[int, list[str]]]:
    """``src`` with every use of a ``wanted`` macro expanded on its own line, and the expanded
    macros by line number (1-based). Lines keep their count."""
    lines = src.split("\n")
    changed: dict[int, list[str]] = {}
    for i, line in enumerate(lines):
        if line.lstrip().startswith("#"):
            continue
        names = [w for w in _WORD.findall(line) if w in wanted]
        if not names:
            continue
        out = _expand_text(line, functions, constants, 0, only=wanted)
        if out is not None and out != line and len(out) <= MAX_LINE:
            lines[i] = out
            changed[i + 1] = sorted(set(names))
    return "\n".join(lines), changed


def _expand_text(text: str, functions: dict[str, Macro], constants: dict[str, str], depth: int,
                 only: dict[str, Macro] | None = None) -> str | None:
    """``text`` with macro uses replaced (``only``: the macros to expand at this level; nested
    levels expand every known macro). None when the expansion goes too deep."""
    if depth > MAX_DEPTH:
        return None
    table = only if only is not None else functions
    out: list[str] = []
    pos = 0
    for m in _WORD.finditer(text):
        if m.start() < pos:
            continue
        name = m.group(0)
        if depth > 0 and name in constants and name not in functions:
            out.append(text[pos:m.start()])
            out.append(constants[name])
            pos = m.end()
            continue
        macro = table.get(name)
        if macro is None:
            continue
        args, end = _call_arguments(text, m.end())
        if args is None or len(args) != len(macro.params) and not (not macro.params and args == [""]):
            continue
        body = _substitute(macro, args)
        inner = _expand_text(body, functions, constants, depth + 1)
        if inner is None:
            return None
        out.append(text[pos:m.start()])
        out.append(f" {inner} " if macro.statement else f"({inner})")
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _call_arguments(text: str, at: int) -> tuple[list[str] | None, int]:
    """The comma-separated arguments of the parenthesised list starting at ``at`` (after
    spaces), and the offset after its closing parenthesis."""
    i = at
    while i < len(text) and text[i] in " \t":
        i += 1
    if i >= len(text) or text[i] != "(":
        return None, at
    depth = 0
    args: list[str] = []
    start = i + 1
    quote = ""
    j = i
    while j < len(text):
        ch = text[j]
        if quote:
            if ch == "\\":
                j += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                args.append(text[start:j].strip())
                return args, j + 1
        elif ch == "," and depth == 1:
            args.append(text[start:j].strip())
            start = j + 1
        j += 1
    return None, at


def _substitute(macro: Macro, args: list[str]) -> str:
    if not macro.params:
        return macro.body
    values = dict(zip(macro.params, args))
    return _WORD.sub(lambda m: values.get(m.group(0), m.group(0)), macro.body)
