"""What the syntax trees of the supported languages look like, and small helpers over nodes.

One table per grammar family names the node types the checks need (functions, calls, ifs,
comparisons, strings, assignments); the helpers read callees, literal values and comparisons
from those nodes the same way for every language.
"""
from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass

import tree_sitter_language_pack as tslp
from tree_sitter import Node, Parser

#: entry.language -> tree-sitter grammar name
GRAMMAR = {"c": "c", "cpp": "cpp", "python": "python", "php": "php", "javascript": "javascript",
           "typescript": "typescript", "tsx": "tsx", "perl": "perl", "go": "go", "java": "java", "bash": "bash",
           "lua": "lua"}


@dataclass(frozen=True)
class Spec:
    functions: frozenset[str]
    calls: frozenset[str]
    ifs: frozenset[str]
    strings: frozenset[str]
    identifiers: frozenset[str]
    assignments: frozenset[str]
    binaries: frozenset[str]  # binary/comparison expression node types
    negations: frozenset[str] = frozenset()  # "!x" / "not x"
    chars: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()
    returns: frozenset[str] = frozenset({"return_statement"})


_C = Spec(
    functions=frozenset({"function_definition"}),
    calls=frozenset({"call_expression"}),
    ifs=frozenset({"if_statement"}),
    strings=frozenset({"string_literal", "concatenated_string", "raw_string_literal"}),
    identifiers=frozenset({"identifier", "field_identifier"}),
    assignments=frozenset({"assignment_expression", "init_declarator"}),
    binaries=frozenset({"binary_expression"}),
    negations=frozenset({"unary_expression"}),
    chars=frozenset({"char_literal"}),
    numbers=frozenset({"number_literal"}),
)
SPECS: dict[str, Spec] = {
    "c": _C,
    "python": Spec(
        functions=frozenset({"function_definition"}),
        calls=frozenset({"call"}),
        ifs=frozenset({"if_statement", "elif_clause"}),
        strings=frozenset({"string", "concatenated_string"}),
        identifiers=frozenset({"identifier"}),
        # a for loop binds its variable to each item of what it walks (``for line in conn.makefile()``)
        assignments=frozenset({"assignment", "augmented_assignment", "named_expression", "for_statement"}),
        binaries=frozenset({"comparison_operator", "boolean_operator"}),
        negations=frozenset({"not_operator"}),
        numbers=frozenset({"integer"}),
    ),
    "javascript": Spec(
        functions=frozenset({"function_declaration", "function_expression", "arrow_function", "method_definition",
                             "function", "generator_function_declaration"}),
        calls=frozenset({"call_expression", "new_expression"}),
        ifs=frozenset({"if_statement"}),
        strings=frozenset({"string", "template_string"}),
        identifiers=frozenset({"identifier", "property_identifier", "shorthand_property_identifier"}),
        assignments=frozenset({"assignment_expression", "variable_declarator", "augmented_assignment_expression",
                               "for_in_statement"}),
        binaries=frozenset({"binary_expression"}),
        negations=frozenset({"unary_expression"}),
        numbers=frozenset({"number"}),
    ),
    "php": Spec(
        functions=frozenset({"function_definition", "method_declaration", "anonymous_function", "arrow_function"}),
        calls=frozenset({"function_call_expression", "member_call_expression", "scoped_call_expression",
                         "shell_command_expression"}),
        ifs=frozenset({"if_statement", "else_if_clause"}),
        strings=frozenset({"string", "encapsed_string"}),
        identifiers=frozenset({"name", "variable_name"}),
        assignments=frozenset({"assignment_expression"}),
        binaries=frozenset({"binary_expression"}),
        negations=frozenset({"unary_op_expression"}),
        numbers=frozenset({"integer"}),
    ),
    "perl": Spec(
        functions=frozenset({"subroutine_declaration_statement", "anonymous_subroutine_expression"}),
        calls=frozenset({"function_call_expression", "ambiguous_function_call_expression", "method_call_expression",
                         "func1op_call_expression", "eval_expression", "command_string"}),
        ifs=frozenset({"conditional_statement", "postfix_conditional_expression"}),
        strings=frozenset({"string_literal", "interpolated_string_literal"}),
        identifiers=frozenset({"varname", "bareword"}),
        assignments=frozenset({"assignment_expression"}),
        binaries=frozenset({"binary_expression", "equality_expression", "relational_expression"}),
        negations=frozenset({"unary_expression"}),
        numbers=frozenset({"number"}),
        returns=frozenset({"return_expression"}),
    ),
    "go": Spec(
        functions=frozenset({"function_declaration", "method_declaration", "func_literal"}),
        calls=frozenset({"call_expression"}),
        ifs=frozenset({"if_statement"}),
        strings=frozenset({"interpreted_string_literal", "raw_string_literal"}),
        identifiers=frozenset({"identifier", "field_identifier"}),
        assignments=frozenset({"assignment_statement", "short_var_declaration", "var_spec", "const_spec"}),
        binaries=frozenset({"binary_expression"}),
        negations=frozenset({"unary_expression"}),
        chars=frozenset({"rune_literal"}),
        numbers=frozenset({"int_literal"}),
    ),
    "java": Spec(
        functions=frozenset({"method_declaration", "constructor_declaration", "lambda_expression"}),
        calls=frozenset({"method_invocation", "object_creation_expression"}),
        ifs=frozenset({"if_statement"}),
        strings=frozenset({"string_literal"}),
        identifiers=frozenset({"identifier"}),
        assignments=frozenset({"assignment_expression", "variable_declarator"}),
        binaries=frozenset({"binary_expression"}),
        negations=frozenset({"unary_expression"}),
        chars=frozenset({"character_literal"}),
        numbers=frozenset({"decimal_integer_literal"}),
    ),
    "lua": Spec(
        functions=frozenset({"function_declaration", "function_definition"}),
        calls=frozenset({"function_call"}),
        ifs=frozenset({"if_statement", "elseif_statement"}),
        strings=frozenset({"string"}),
        identifiers=frozenset({"identifier"}),
        assignments=frozenset({"assignment_statement"}),
        binaries=frozenset({"binary_expression"}),
        negations=frozenset({"unary_expression"}),
        numbers=frozenset({"number"}),
    ),
    "bash": Spec(
        functions=frozenset({"function_definition"}),
        calls=frozenset({"command"}),
        ifs=frozenset({"if_statement", "elif_clause"}),
        strings=frozenset({"string", "raw_string", "word"}),
        identifiers=frozenset({"variable_name"}),
        assignments=frozenset({"variable_assignment"}),
        binaries=frozenset({"binary_expression", "test_command"}),
    ),
}

_EQ_OPS = frozenset({"==", "===", "eq", "is", "-eq", "="})
_NE_OPS = frozenset({"!=", "!==", "ne", "is not", "-ne", "<>"})
#: comparison calls (positive when their result is used as true, unless noted in _ZERO_MEANS_EQUAL)
COMPARE_CALLS = frozenset({"strcmp", "strcasecmp", "strncmp", "strncasecmp", "memcmp", "bcmp", "strcoll",
                           "stricmp", "strcmpi", "_stricmp", "g_strcmp0", "g_str_equal", "strstr", "strcasestr",
                           "equals", "equalsIgnoreCase", "startsWith", "endsWith", "includes", "contains",
                           "startswith", "endswith", "str_contains", "strpos", "stripos", "stristr",
                           "hash_equals", "compare_digest", "EqualFold", "HasPrefix", "HasSuffix", "Contains", "compare",
                           "localeCompare", "Equal", "str_starts_with", "str_ends_with", "match", "test",
                           "indexOf", "find",
                           # a password checked against a hash written into the code
                           "password_verify", "checkpw", "compareSync", "CompareHashAndPassword",
                           # constant-time compares (Node crypto, Go crypto/subtle, Django, Rails, Java)
                           "timingSafeEqual", "ConstantTimeCompare", "constant_time_compare", "secure_compare",
                           "isEqual"})
#: searches that return a position, -1 (or false) when the text is absent: Perl index/rindex,
#: JavaScript/Java indexOf, PHP strpos/stripos, Python find, Go strings.Index
_POSITION_CALLS = frozenset({"index", "rindex", "indexOf", "lastIndexOf", "strpos", "stripos", "find", "rfind",
                             "Index", "LastIndex"})
#: searches that return a pointer to the match, NULL when absent
_SEARCH_CALLS = frozenset({"strstr", "strcasestr", "stristr", "memmem"})
#: a position test that means "found": operator -> the values on its right that make it so
_NPOS = ("std::string::npos", "string::npos", "npos", "std::wstring::npos")
_FOUND_OPS = {">=": ("0",), ">": ("-1",), "!=": ("-1", "false", *_NPOS), "!==": ("-1", "false"), "ne": ("-1",),
              "~=": ("nil",)}
#: compares that return 1 when equal (Go crypto/subtle): ``== 1`` is the equal branch
_ONE_MEANS_EQUAL = frozenset({"ConstantTimeCompare"})
#: compare functions called through a module or package, never on the compared value
_FUNCTION_COMPARES = frozenset({"strcmp", "strcasecmp", "strncmp", "strncasecmp", "memcmp", "bcmp", "compare_digest",
                                "hash_equals", "HasPrefix", "HasSuffix", "Contains", "EqualFold", "Equal",
                                "str_contains", "strpos", "stripos", "stristr", "str_starts_with", "str_ends_with",
                                "g_str_equal", "g_strcmp0", "password_verify", "checkpw", "compareSync",
                                "CompareHashAndPassword", "timingSafeEqual", "ConstantTimeCompare"})
_ZERO_MEANS_EQUAL = frozenset({"strcmp", "strcasecmp", "strncmp", "strncasecmp", "memcmp", "bcmp", "strcoll",
                               "stricmp", "strcmpi", "_stricmp", "g_strcmp0", "compare", "localeCompare",
                               "indexOf", "find", "CompareHashAndPassword"})

_local = threading.local()


def parser(language: str) -> Parser:
    cache = getattr(_local, "parsers", None)
    if cache is None:
        cache = _local.parsers = {}
    p = cache.get(language)
    if p is None:
        p = cache[language] = tslp.get_parser(GRAMMAR[language])  # type: ignore[arg-type]
    return p


@functools.cache
def spec_of(family: str) -> Spec:
    return SPECS[family]


def text(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


#: calls that return the function they are given in another calling convention (Node's
#: util.promisify, Bluebird's promisify): calling the result calls that function
_SAME_FUNCTION_WRAPPERS = frozenset({"promisify", "promisifyAll"})


def callee(node: Node) -> tuple[str, str, Node | None]:
    """(full callee text, last name, object node or None) of a call node of any grammar."""
    t = node.type
    fn = None
    if t in ("function_call_expression", "call_expression", "call", "ambiguous_function_call_expression"):
        fn = node.child_by_field_name("function")
    elif t == "function_call":  # Lua: f(x), a.b.f(x), obj:m(x)
        fn = node.child_by_field_name("name")
    elif t == "func1op_call_expression":
        fn = node.children[0] if node.children else None
    elif t == "eval_expression":
        return "eval", "eval", None
    elif t == "command_string":  # Perl `...` and qx(...)
        return "qx", "qx", None
    elif t == "shell_command_expression":  # PHP `...`
        return "backtick", "backtick", None
    elif t in ("member_call_expression", "method_call_expression", "scoped_call_expression"):
        name = node.child_by_field_name("name") or node.child_by_field_name("method")
        obj = node.child_by_field_name("object") or node.child_by_field_name("invocant") or \
            node.child_by_field_name("scope")
        return f"{text(obj)}.{text(name)}", text(name), obj
    elif t == "method_invocation":
        name = node.child_by_field_name("name")
        obj = node.child_by_field_name("object")
        return (f"{text(obj)}.{text(name)}" if obj else text(name)), text(name), obj
    elif t in ("new_expression", "object_creation_expression"):
        fn = node.child_by_field_name("constructor") or node.child_by_field_name("type")
    elif t == "command":
        fn = node.child_by_field_name("name")
        name = text(fn)
        return name, name.rsplit("/", 1)[-1], None
    if fn is None:
        return "", "", None
    if t in ("function_call_expression", "ambiguous_function_call_expression") and text(fn) == "open" and \
            perl_pipe_command(node) is not None:
        return "open", "open_pipe", None  # open(FH, "cmd |"), open(FH, "-|", cmd): runs a command
    if fn.type == "call_expression" and callee(fn)[1] in _SAME_FUNCTION_WRAPPERS:
        # promisify(exec)(cmd) calls exec: the wrapper returns the same function in promise form
        inner = fn.child_by_field_name("arguments")
        first = inner.named_children[0] if inner is not None and inner.named_children else None
        if first is not None and first.type in ("identifier", "member_expression"):
            fn = first
    while fn.type == "parenthesized_expression" and fn.named_child_count == 1:
        inner = fn.named_children[0]
        if inner.type == "sequence_expression" and inner.named_children:
            inner = inner.named_children[-1]  # (0, eval)(x), (0, m.f)(x): the comma operator's last operand
        if inner.type not in ("identifier", "member_expression", "sequence_expression", "parenthesized_expression"):
            break
        fn = inner
    full = text(fn)
    if fn.type in ("member_expression", "attribute", "selector_expression", "field_expression",
                   "scoped_identifier", "qualified_identifier", "dot_index_expression", "method_index_expression"):
        prop = (fn.child_by_field_name("property") or fn.child_by_field_name("attribute")
                or fn.child_by_field_name("field") or fn.child_by_field_name("name")
                or fn.child_by_field_name("method"))
        obj = fn.child_by_field_name("object") or fn.child_by_field_name("operand") or \
            fn.child_by_field_name("argument") or fn.child_by_field_name("scope") or fn.child_by_field_name("table")
        if fn.type == "method_index_expression":
            full = full.replace(":", ".")
        return full, text(prop), obj
    last = full.replace("->", ".").replace("::", ".").rsplit(".", 1)[-1]
    return full, last, None


def perl_pipe_command(node: Node) -> list[Node] | None:
    """The arguments that form the command of a Perl pipe open (perlfunc open: a two-argument
    mode string that starts or ends with ``|``, or the ``-|``/``|-`` mode followed by the command
    list), or None when the open is of a file."""
    args = arguments(node)
    if len(args) < 2:
        return None
    mode = args[1]
    raw = text(mode).strip()
    if mode.type in ("string_literal", "interpolated_string_literal") and len(raw) >= 2:
        body = raw[1:-1].strip()
        if body in ("-|", "|-"):
            return args[2:] or None
        if len(args) == 2 and (body.startswith("|") or body.endswith("|")):
            return [mode]
    return None


def arguments(node: Node) -> list[Node]:
    if node.type == "command":
        return list(node.children_by_field_name("argument"))
    if node.type == "eval_expression" or node.type == "func1op_call_expression":
        return [c for c in node.named_children if c.type not in ("function",)][:4]
    if node.type in ("command_string", "shell_command_expression"):
        return [node]  # the command text itself
    args = node.child_by_field_name("arguments")
    if args is None:
        return []
    if node.type in ("ambiguous_function_call_expression", "function_call_expression") and \
            (node.type == "ambiguous_function_call_expression" or not args.is_named):
        # Perl: without parentheses each argument is its own "arguments" field; f((x)) fields the "("
        many = [c for c in node.children_by_field_name("arguments") if c.is_named and c.type != "comment"]
        if len(many) > 1 or not args.is_named:
            return many
    if node.type in ("function_call_expression", "ambiguous_function_call_expression", "method_call_expression") \
            and args.type not in ("list_expression", "arguments", "parenthesized_expression"):
        return [args]  # Perl: a single argument is the field itself, not a list of them
    out = []
    for c in args.named_children:
        if c.type in ("argument", "keyword_argument") and c.named_children:
            c = c.named_children[-1] if c.type == "keyword_argument" else c.named_children[0]
        if c.type == "comment":
            continue
        out.append(c)
    return out


def literal(node: Node, spec: Spec) -> str | None:
    """Value of a string/char literal node (quotes removed), None if the node is not a plain literal."""
    t = node.type
    if t in ("parenthesized_expression",) and node.named_child_count == 1:
        return literal(node.named_children[0], spec)
    if t in spec.strings:
        if t == "word":
            return None
        for c in node.named_children:  # interpolation makes it dynamic
            if c.type == "string_content" and any(g.type not in ("escape_sequence", "escaped_delimiter")
                                                  for g in c.named_children):
                return None  # Perl: "$x ..." holds its interpolations inside the content
            if c.type in ("interpolation", "template_substitution", "simple_expansion", "expansion",
                          "command_substitution", "scalar", "variable_name", "array_element_access"):
                return None
        raw = text(node)
        if t == "concatenated_string":
            parts = [literal(c, spec) for c in node.named_children]
            return None if any(p is None for p in parts) else "".join(p for p in parts if p)
        i = 0
        while i < len(raw) and raw[i] in "bBrRuUfFL@$":
            i += 1
        raw = raw[i:]
        if raw.startswith("[") and raw.endswith("]"):  # Lua long string [[...]] / [==[...]==]
            level = len(raw) - len(raw.lstrip("[="))
            return raw[level:len(raw) - level] if level >= 2 else raw
        for q in ('"""', "'''", '"', "'", "`"):
            if raw.startswith(q) and raw.endswith(q) and len(raw) >= 2 * len(q):
                return unescape(raw[len(q):-len(q)])
        return raw
    if t in spec.chars:
        raw = text(node)
        return unescape(raw[1:-1]) if len(raw) >= 3 else None
    return None


def unescape(s: str) -> str:
    if "\\" not in s:
        return s
    try:
        return s.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return s


def number(node: Node, spec: Spec) -> int | None:
    if node.type in spec.numbers:
        try:
            return int(text(node).rstrip("uUlL"), 0)
        except ValueError:
            return None
    return None


@dataclass
class Comparison:
    subject: Node  # the expression compared
    value: str  # the literal it is compared with
    node: Node  # the comparison itself
    char: bool = False  # a single character / byte compare


def comparisons(cond: Node, spec: Spec, macro_literals: dict[str, str] | None = None,
                depth: int = 0) -> list[Comparison]:
    """Positive equality tests of an expression against a literal inside a condition.

    Only comparisons whose truth selects the branch are returned: ``a == "x"``, ``!strcmp(a, "x")``,
    ``strcmp(a, "x") == 0``, ``a.equals("x")``, ``"x" in a``; not ``a != "x"``.
    """
    out: list[Comparison] = []
    if depth > 12:
        return out
    macro_literals = macro_literals or {}

    def lit(n: Node) -> str | None:
        return compared_literal(n, spec, macro_literals)

    t = cond.type
    if t in SWITCH_CASES:
        return _case_comparisons(cond, lit)
    if t == "case_item":
        # shell: case "$subject" in *pattern*) ... -- the pattern's literal text is compared
        stmt = cond.parent
        subject = stmt.child_by_field_name("value") if stmt is not None else None
        if subject is None:
            return out
        for pat in cond.children_by_field_name("value"):
            value = _glob_literal(text(pat))
            if value:
                out.append(Comparison(subject, value, cond))
        return out
    if t in ("parenthesized_expression", "condition_clause", "expression_statement", "test_command"):
        for c in cond.named_children:
            out += comparisons(c, spec, macro_literals, depth + 1)
        return out
    if t == "list":  # shell: [ a ] && [ b ] holds when both do
        if any(c.type == "&&" for c in cond.children) and not any(c.type == "||" for c in cond.children):
            for c in cond.named_children:
                out += comparisons(c, spec, macro_literals, depth + 1)
        return out
    if t in spec.binaries or t in ("comparison_operator", "boolean_operator"):
        ops = operator(cond)
        if t == "comparison_operator":
            ops = " ".join(text(c) for c in cond.children if not c.is_named)
        left, right = operands(cond)
        if ops in ("&&", "||", "and", "or", "-a", "-o") or t == "boolean_operator":
            if ops in ("||", "or", "-o"):
                return out  # either side alone does not select the branch; handled by callers if needed
            for side in (left, right):
                if side is not None:
                    out += comparisons(side, spec, macro_literals, depth + 1)
            return out
        if left is None or right is None:
            return out
        if ops in _EQ_OPS or ops == "in":
            lv, rv = lit(left), lit(right)
            if ops == "in" and lv is not None:
                out.append(Comparison(right, lv, cond))
            elif rv is not None and lv is None:
                out.append(Comparison(left, rv, cond, char=len(rv) == 1 and (right.type in spec.chars or _is_index(left))))
            elif lv is not None and rv is None:
                out.append(Comparison(right, lv, cond, char=len(lv) == 1 and (left.type in spec.chars or _is_index(right))))
            # strcmp(a, "x") == 0
            zero = _zero(right) if left.type in spec.calls else _zero(left) if right.type in spec.calls else False
            call = left if left.type in spec.calls else right if right.type in spec.calls else None
            if call is not None and zero:
                out += _call_comparison(call, spec, lit, want_zero=True)
            elif call is not None and callee(call)[1] in _ONE_MEANS_EQUAL and \
                    text(right if call is left else left).strip() == "1":
                out += _call_comparison(call, spec, lit, want_zero=False)
        elif ops in _FOUND_OPS and left.type in spec.calls and text(right).strip() in _FOUND_OPS[ops]:
            out += _call_comparison(left, spec, lit, want_zero=False, found=True)  # index(h, "x") >= 0
        elif ops in ("!=", "!==") and left.type in spec.calls and callee(left)[1] in _SEARCH_CALLS and \
                text(right).strip() in ("NULL", "nullptr", "0", "None", "nil", "null"):
            out += _call_comparison(left, spec, lit, want_zero=False)  # strstr(h, "x") != NULL
        return out
    if t in spec.negations:
        op = cond.child_by_field_name("operator")
        arg = cond.child_by_field_name("argument") or (cond.named_children[0] if cond.named_children else None)
        if arg is not None and (text(op) in ("!", "not") or text(cond).startswith(("!", "not "))):
            inner = arg
            while inner.type == "parenthesized_expression" and inner.named_child_count == 1:
                inner = inner.named_children[0]
            if inner.type in spec.calls:
                out += _call_comparison(inner, spec, lit, want_zero=True)
        return out
    if t in spec.calls:
        out += _call_comparison(cond, spec, lit, want_zero=False)
        out += _inlined_comparisons(cond, spec, macro_literals, depth)
    return out


_FUNCTION_VALUES = frozenset({"arrow_function", "function_expression", "function", "lambda"})


def _inlined_comparisons(call: Node, spec: Spec, macro_literals: dict[str, str], depth: int) -> list[Comparison]:
    """The comparisons of a function called where it is written (``((t) => t === K)(x)``,
    ``(lambda t: t == K)(x)``): what it returns is the condition, its parameters are the arguments."""
    fn = call.child_by_field_name("function")
    while fn is not None and fn.type == "parenthesized_expression" and fn.named_child_count == 1:
        fn = fn.named_children[0]
    if fn is None or fn.type not in _FUNCTION_VALUES:
        return []
    params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
    names = [text(p).split("=")[0].split(":")[0].strip() for p in (params.named_children if params is not None and
                                                                      params.type not in ("identifier",) else
                                                                      [params] if params is not None else [])]
    args = arguments(call)
    body = fn.child_by_field_name("body")
    if body is None:
        return []
    results = [body] if body.type not in ("statement_block", "block") else \
        [r.named_children[0] for r in walk(body, limit=200) if r.type in spec.returns and r.named_children]
    out = []
    for expr in results[:4]:
        for comp in comparisons(expr, spec, macro_literals, depth + 1):
            name = text(comp.subject)
            if name in names and names.index(name) < len(args):
                comp = Comparison(args[names.index(name)], comp.value, comp.node, comp.char)
            out.append(comp)
    return out


def negated_comparisons(cond: Node, spec: Spec, macro_literals: dict[str, str] | None = None,
                        depth: int = 0) -> list[Comparison]:
    """Equality tests whose *failure* selects the branch: ``a != "x"``, ``a ~= "x"``,
    ``strcmp(a, "x") != 0``, ``strstr(a, "x") == NULL``, ``!a.equals("x")``, ``not a == "x"``. A
    guard ``if (<this>) continue;`` lets through only input equal to the literal."""
    out: list[Comparison] = []
    if depth > 12:
        return out
    macro_literals = macro_literals or {}
    t = cond.type
    if t in ("parenthesized_expression", "condition_clause", "expression_statement") and cond.named_child_count == 1:
        return negated_comparisons(cond.named_children[0], spec, macro_literals, depth + 1)
    if t in spec.negations:
        arg = cond.child_by_field_name("argument") or (cond.named_children[0] if cond.named_children else None)
        if arg is not None and text(cond).lstrip().startswith(("!", "not")):
            inner = arg
            while inner.type == "parenthesized_expression" and inner.named_child_count == 1:
                inner = inner.named_children[0]
            if inner.type in spec.calls:
                return call_comparisons(inner, spec, macro_literals, want_zero=False)
            return comparisons(inner, spec, macro_literals, depth + 1)
        return out
    if t in spec.binaries or t == "comparison_operator":
        ops = operator(cond) if t != "comparison_operator" else " ".join(
            text(c) for c in cond.children if not c.is_named)
        left, right = operands(cond)
        if left is None or right is None:
            return out
        if ops in ("||", "or"):
            # either failing sends it away: passing needs both to match
            return negated_comparisons(left, spec, macro_literals, depth + 1) + \
                negated_comparisons(right, spec, macro_literals, depth + 1)
        call = left if left.type in spec.calls else right if right.type in spec.calls else None
        other = right if call is left else left
        if ops in _NE_OPS or ops == "~=":
            if call is not None and _zero(other):
                return call_comparisons(call, spec, macro_literals, want_zero=True)
            lv, rv = compared_literal(left, spec, macro_literals), compared_literal(right, spec, macro_literals)
            if rv is not None and lv is None:
                out.append(Comparison(left, rv, cond))
            elif lv is not None and rv is None:
                out.append(Comparison(right, lv, cond))
            return out
        if ops in _EQ_OPS and call is not None and (text(other).strip() in ("NULL", "nullptr", "None", "nil", "-1",
                                                                             "false", "0")):
            return call_comparisons(call, spec, macro_literals, want_zero=False)
    return out


def call_comparisons(call: Node, spec: Spec, macro_literals: dict[str, str] | None, want_zero: bool
                     ) -> list[Comparison]:
    """The comparison a compare call makes (``strcmp(a, "x")`` read as equal when its result is
    zero, ``a.contains("x")`` when true)."""
    macro_literals = macro_literals or {}
    return _call_comparison(call, spec, lambda n: compared_literal(n, spec, macro_literals), want_zero)


#: calls that give back the text they are given in another type (Node Buffer.from, String(),
#: Python str/bytes and .encode(), Java getBytes, Go []byte conversion)
_SAME_TEXT_CALLS = frozenset({"from", "String", "str", "bytes", "bytearray", "encode", "getBytes", "[]byte",
                              "[]rune", "toString", "Buffer"})


#: of those, the methods whose object is the text (``"x".encode()``)
_SAME_TEXT_METHODS = frozenset({"encode", "getBytes", "toString"})
#: encodings a second argument may name without changing the text (``Buffer.from(s, 'utf8')``)
_TEXT_ENCODINGS = frozenset({"utf8", "utf-8", "latin1", "ascii", "binary"})


def same_text(node: Node, spec: Spec) -> Node:
    """The value inside type conversions that keep its text (``[]byte(pass)``,
    ``Buffer.from(String(x))``, ``str(x)``, ``Buffer.from(s, 'utf8')``), or ``node``; a conversion
    that decodes (``Buffer.from(s, 'base64')``) is not one."""
    for _ in range(4):
        if node.type == "type_conversion_expression" and node.named_child_count == 2:
            node = node.named_children[1]
            continue
        if node.type not in spec.calls or callee(node)[1] not in _SAME_TEXT_CALLS - _SAME_TEXT_METHODS:
            break
        args = arguments(node)
        if not (len(args) == 1 or len(args) == 2 and literal(args[1], spec) in _TEXT_ENCODINGS):
            break
        node = args[0]
    return node


def value_literal(node: Node, spec: Spec) -> str | None:
    """A literal, or a literal passed through a call that only changes its type
    (``Buffer.from('x')``, ``[]byte("x")``, ``"x".encode()``)."""
    v = literal(node, spec)
    if v is not None:
        return v
    if node.type in spec.calls:
        _, last, obj = callee(node)
        if last in _SAME_TEXT_METHODS:
            return literal(obj, spec) if obj is not None else None  # "x".encode(): the object is the text
    inner = same_text(node, spec)
    return literal(inner, spec) if inner is not node else None


def compared_literal(n: Node, spec: Spec, macro_literals: dict[str, str]) -> str | None:
    """The literal value a comparison operand stands for: a string or character literal, a named
    constant, a printable character code, a 32-bit magic number, or a plain shell word."""
    if n.type == "word" and not any(ch in text(n) for ch in "$`*?["):
        return text(n)  # shell: an unquoted plain word in a test is a literal
    v = value_literal(n, spec)
    if v is None and n.type in ("identifier", "name") and text(n) in macro_literals:
        return macro_literals[text(n)]
    if v is None and n.type in spec.calls:
        _, last, obj = callee(n)
        if last in _SAME_TEXT_METHODS and obj is not None and obj.type in ("identifier", "name") and \
                text(obj) in macro_literals:
            return macro_literals[text(obj)]  # KEY.getBytes(UTF_8), KEY.encode(): the constant's text
    if v is None:
        inner = same_text(n, spec)  # Buffer.from(KEY), []byte(KEY): the constant's text
        if inner is not n:
            return compared_literal(inner, spec, macro_literals)
    if v is None and n.type in ("binary_expression", "binary_operator", "concatenation", "string_concatenation") and \
            operator(n) in ("+", ".", ".."):
        # "Bearer " + TOKEN: a text built from literals and named constants is a literal
        left, right = operands(n)
        lv = compared_literal(left, spec, macro_literals) if left is not None else None
        rv = compared_literal(right, spec, macro_literals) if lv is not None and right is not None else None
        if lv is not None and rv is not None and not lv.startswith("0x") and not rv.startswith("0x"):
            return lv + rv
    if v is None:
        num = number(n, spec)
        if num is not None and 0x20 < num < 0x7f and text(n).lower().startswith(("0x", "'")):
            return chr(num)
        if num is not None and magic_number(num):
            return f"0x{num:x}"  # a 32-bit or wider magic: a value no protocol field takes by chance
    return v


def operands(cond: Node) -> tuple[Node | None, Node | None]:
    """(left, right) of a binary expression of any grammar."""
    left = cond.child_by_field_name("left") or (cond.named_children[0] if cond.named_children else None)
    right = cond.child_by_field_name("right") or (cond.named_children[-1] if cond.named_children else None)
    if left is not None and not left.is_named and cond.named_children:
        left = cond.named_children[0]  # Perl: "(" is the field when the operand is parenthesised
    if right is not None and not right.is_named and cond.named_children:
        right = cond.named_children[-1]
    return left, right


def magic_number(num: int) -> bool:
    """An integer of 17 bits or more with at least five distinct hex digits and not a mask or a
    power of two (0xe1dfd775 yes; 0xffffffff, 0x10000, 0x7fffffff no)."""
    if num < 0x10000 or num & (num - 1) == 0 or (num + 1) & num == 0:
        return False
    return len(set(f"{num:x}")) >= 5


def _glob_literal(pattern: str) -> str:
    """The fixed text of a shell case pattern (``*mode=x*`` -> ``mode=x``; alternatives, classes and
    expansions give no literal)."""
    p = pattern.strip().strip("'\"")
    if any(ch in p for ch in "|[]$`?"):
        return ""
    p = p.strip("*").replace('"', "").replace("'", "")  # *"&k=v&"*: the quotes only quote
    return "" if "*" in p else p


def operator(node: Node) -> str:
    """The operator of a binary expression: its ``operator`` field, or (grammars without one, such
    as Lua's) the unnamed token between its operands."""
    op = node.child_by_field_name("operator")
    if op is not None:
        return text(op)
    return next((text(c) for c in node.children[1:-1] if not c.is_named), "")


def _is_index(n: Node) -> bool:
    return n.type in ("subscript_expression", "index_expression", "element_reference", "subscript")


#: a case of a switch (Go, C, JavaScript, Java) or a Python match: its values are compared with the
#: switch's subject
SWITCH_CASES = frozenset({"expression_case", "case_statement", "switch_case", "switch_block_statement_group",
                          "case_clause"})


def _case_comparisons(case: Node, lit) -> list[Comparison]:
    """``switch (x) { case "abc": ... }``: the subject compared with each literal value of the case."""
    switch = case.parent
    for _ in range(3):
        if switch is None or "switch" in switch.type or switch.type == "match_statement":
            break
        switch = switch.parent
    if switch is None or not ("switch" in switch.type or switch.type == "match_statement"):
        return []
    subject = switch.child_by_field_name("value") or switch.child_by_field_name("condition") or \
        switch.child_by_field_name("subject") or (switch.named_children[0] if switch.named_children else None)
    while subject is not None and subject.type == "parenthesized_expression" and subject.named_child_count == 1:
        subject = subject.named_children[0]
    if subject is None:
        return []
    if case.type == "switch_block_statement_group":
        values = [v for lab in case.named_children if lab.type == "switch_label" for v in lab.named_children]
    elif case.type == "case_clause":
        values = [v for pat in case.named_children if pat.type == "case_pattern" for v in pat.named_children]
    else:
        value = case.child_by_field_name("value")
        values = [] if value is None else list(value.named_children) if value.type == "expression_list" else [value]
    out = []
    for v in values[:16]:
        lv = lit(v)
        if lv is not None:
            out.append(Comparison(subject, lv, case))
    return out


def _zero(n: Node) -> bool:
    return text(n).strip() in ("0", "0L", "false", "nil")


def _call_comparison(call: Node, spec: Spec, lit, want_zero: bool, found: bool = False) -> list[Comparison]:
    """``found``: the call is a position search tested for a match (``index($h, "x") >= 0``)."""
    _, name, obj = callee(call)
    if found:
        if name not in _POSITION_CALLS:
            return []
    elif name not in COMPARE_CALLS or (name in _ZERO_MEANS_EQUAL) != want_zero:
        return []
    args = arguments(call)
    cands = list(args)
    # a.equals("x"): the object is compared; hmac.compare_digest(a, "x"), MessageDigest.isEqual(a, b),
    # Objects.equals(a, b): a module or a class, the two arguments are (a position argument, as in
    # s.startsWith("x", 0), does not make the call one of two values)
    two_values = len(args) >= 2 and not any(number(a, spec) is not None for a in args[1:])
    if obj is not None and name not in _FUNCTION_COMPARES and not two_values:
        cands = [obj, *cands]
    lits = [(a, lit(a)) for a in cands]
    values = [v for _, v in lits if v is not None]
    subjects = [a for a, v in lits if v is None]
    if len(values) >= 1 and subjects:
        return [Comparison(subjects[0], values[0], call)]
    return []


def enclosing(node: Node, types: frozenset[str]) -> Node | None:
    p = node.parent
    while p is not None:
        if p.type in types:
            return p
        p = p.parent
    return None


def function_name(fn: Node) -> str:
    name = fn.child_by_field_name("name")
    if name is not None:
        return text(name)
    decl = fn.child_by_field_name("declarator")
    while decl is not None:
        inner = decl.child_by_field_name("declarator")
        if inner is None:
            return text(decl)
        if decl.type == "function_declarator":
            return text(inner)
        decl = inner
    parent = fn.parent
    if parent is not None and parent.type == "expression_list" and parent.parent is not None and \
            parent.parent.type == "assignment_statement" and parent.parent.named_child_count == 2:
        return text(parent.parent.named_children[0])  # Lua: a.b = function(...) ... end
    if parent is not None and parent.type in ("variable_declarator", "pair", "assignment_expression"):
        n = parent.child_by_field_name("name") or parent.child_by_field_name("key") or parent.child_by_field_name("left")
        return text(n)
    return ""


def parameters(fn: Node, spec: Spec) -> set[str]:
    params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
    names: set[str] = set()
    if params is None:
        decl = fn.child_by_field_name("declarator")
        while decl is not None and params is None:
            params = decl.child_by_field_name("parameters")
            decl = decl.child_by_field_name("declarator")
    if params is None:
        return names
    stack = [params]
    while stack:
        n = stack.pop()
        if n.type in spec.identifiers or n.type in ("identifier", "variable_name"):
            names.add(text(n).lstrip("$"))
            continue
        if n.type in ("type_identifier", "primitive_type", "type_annotation", "type"):
            continue
        stack.extend(n.named_children)
    return names


def walk(node: Node, limit: int = 200000):
    """Pre-order walk of named nodes (bounded)."""
    stack = [node]
    seen = 0
    while stack and seen < limit:
        n = stack.pop()
        seen += 1
        yield n
        stack.extend(reversed(n.named_children))


def printf_text(fmt: str, args: list[str]) -> str | None:
    """What ``printf FMT ARGS`` prints when the format has only ``%s`` conversions (and ``%%``);
    None for any other conversion or a count mismatch."""
    body = fmt[1:-1] if len(fmt) >= 2 and fmt[0] == fmt[-1] and fmt[0] in "'\"" else fmt
    parts = re.split(r"(%.)", body)
    out, i = [], 0
    for p in parts:
        if p == "%s":
            if i >= len(args):
                return None
            out.append(args[i])
            i += 1
        elif p == "%%":
            out.append("%")
        elif p.startswith("%") and len(p) == 2:
            return None
        else:
            out.append(p)
    return "".join(out) if i == len(args) else None


_ESCAPE = re.compile(r"\\(?:u\{?[0-9a-fA-F]{2,6}\}?|x[0-9a-fA-F]{2}|[0-7]{3})")


def escape_written(node: Node) -> bool:
    """A string literal written mostly as escape sequences (``'\\u0063\\u006f...'``): text spelled
    so that a reader does not see it."""
    raw = text(node)
    if len(raw) < 24:
        return False
    escaped = sum(len(m.group(0)) for m in _ESCAPE.finditer(raw))
    return escaped * 2 >= len(raw)

