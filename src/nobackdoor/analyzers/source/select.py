"""Choose which parts of a file to parse, so that parsing cost follows the suspicious code only.

tree-sitter parses about 5 MB/s; the source analysis must run at 20 MB/s. A back door needs a
sink, a credential or a privilege name, so only the top-level units (functions, classes) that
contain one of those keywords are kept, together with the units that call them (so the branch that
gates a call through a local helper is seen) and, for C, the ``#define`` lines. Everything else
becomes empty lines: line numbers stay exact, and the parse is of complete units only.

Unit boundaries are lines: a closing brace in column 0 ends a unit in brace languages, a ``def``,
``class`` or decorator in column 0 starts one in Python. Files without such lines are one unit.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterator
import re


from .matching import Matcher, byte_matcher
from .patterns import SELECT_HINTS, Patterns, input_words

#: when the kept units exceed this share of the file, parse the whole file
WHOLE_FILE_SHARE = 0.6
MAX_CALLER_ROUNDS = 2

BIG_UNIT = 64 * 1024
_JS_DECL = re.compile(r"^[ \t]{0,4}(?:function|var|let|const)\b", re.M)
_PY_METHOD = re.compile(r"^    (?:async[ \t]+def|def|class|@)\b", re.M)
_PY_START = re.compile(r"^(?:async[ \t]+def|def|class|@)\b", re.M)
#: a one-line declaration of a named string constant (const/final/static/define/UPPER_CASE = "...")
_CONST_LINE = re.compile(r"^[ \t]*(?:(?:export|public|private|protected|static|final|const|constexpr|let|var|my|our|"
                         r"local|readonly|inline)[ \t]+[^\n=;(]*=[ \t]*|_{0,2}[A-Z][A-Z0-9_]{2,}[ \t]*(?::[^\n=]*)?=[ \t]*|"
                         r"define[ \t]*\([ \t]*['\"]\w+['\"][ \t]*,[ \t]*)(?:b|(?:Buffer\.from|\[\]byte|String|bytes)\([ \t]*)?[\"'][^\n]*\n?",
                         re.M)
#: the name a constant line declares, and a comparison with a name
_CONST_NAME = re.compile(r"([A-Za-z_]\w*)[ \t]*(?::[^\n=]*)?=")
#: what stands before the value a text is compared with (an operator, or a compare call's first argument)
_COMPARED_WITH = r"==|\beq\b|cmp\s*\([^,;]{1,80},|equals\s*\(|compare_digest\s*\([^,;]{1,80},"
_NAMED_COMPARE = re.compile(rf"(?:!==?|\bne\b|===?|{_COMPARED_WITH})\s*\$?([A-Za-z_]\w*)\b")
_BRACE_END = re.compile(r"^\}[^\n]*\n?", re.M)
_PY_OPEN_WRITE = re.compile(r"\bopen\([^)\n]*,\s*(?:mode\s*=\s*)?['\"][wax]b?\+?['\"]")
_CALLED = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_DEFINE = re.compile(r"^[ \t]*#[ \t]*define\b(?:[^\n]*\\\n)*[^\n]*\n?", re.M)
_NAME = {
    "c": re.compile(r"^(?:[A-Za-z_][\w \t*]*?[ \t*])?([A-Za-z_]\w*)[ \t]*\(", re.M),
    "python": re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)", re.M),
    "javascript": re.compile(r"(?:function[ \t*]+([A-Za-z_$][\w$]*)|([A-Za-z_$][\w$]*)\s*[=:]\s*(?:async\s*)?"
                             r"(?:function\b|\([^)]*\)\s*=>))"),
    "php": re.compile(r"function[ \t]+&?([A-Za-z_]\w*)"),
    "go": re.compile(r"^func[ \t]+(?:\([^)]*\)[ \t]*)?([A-Za-z_]\w*)", re.M),
    "perl": re.compile(r"^[ \t]*sub[ \t]+([A-Za-z_]\w*)", re.M),
    "java": re.compile(r"\b([A-Za-z_]\w*)\s*\([^;{)]*\)\s*(?:throws[^{]*)?\{"),
    "lua": re.compile(r"^[ \t]*(?:local[ \t]+)?function[ \t]+(?:[\w]+[.:])*([A-Za-z_]\w*)", re.M),
}


_PY_UNIT_STARTS = byte_matcher(
    [b"\n" + indent + word for indent in (b"", b"    ") for word in (b"def", b"class", b"@", b"async")])
_LINE_OPENERS = byte_matcher([b"\n}"])
_LUA_ENDS = byte_matcher([b"\nend"])  # a Lua function closes with "end" in column 0


def units(src: str, family: str, data: bytes | None = None) -> list[int]:
    """Start offsets of the top-level units (the file end is appended)."""
    if data is None:
        data = src.encode("latin-1")
    if family == "python":
        # top-level defs and classes, and the methods of classes (parsed dedented, see select())
        starts = [0]
        # (offsets in b"\n" + data are those of the line starts in data)
        for _, line_start, _ in _PY_UNIT_STARTS.find_matches_as_indexes(b"\n" + data):
            # the automaton finds the candidate lines; the regex confirms the keyword is whole
            rx = _PY_METHOD if data.startswith(b"    ", line_start) else _PY_START
            if rx.match(src, line_start):
                starts.append(line_start)
    else:
        starts = [0]
        for _, a, _ in (_LUA_ENDS if family == "lua" else _LINE_OPENERS).find_matches_as_indexes(b"\n" + data):
            if family == "lua" and (data[a + 3:a + 4].isalnum() or data[a + 3:a + 4] == b"_"):
                continue  # "endpoint = ..." is not the end of a function
            le = src.find("\n", a)
            starts.append(len(src) if le < 0 else le + 1)
    starts.append(len(src))
    if family == "javascript" and len(src) > BIG_UNIT:
        # a bundle wrapped in a function (UMD, IIFE): the declarations inside a big unit are units
        big = [(a, b) for a, b in zip(starts, starts[1:]) if b - a > BIG_UNIT]
        for a, b in big:
            starts += [m.start() for m in _JS_DECL.finditer(src, a, b)]
    return sorted(set(starts))


def _any_case(words: tuple[str, ...]) -> Matcher:
    """A byte matcher of ``words`` as written, Capitalised and UPPER (identifiers' cases)."""
    return byte_matcher(sorted({v.encode() for w in words for v in (w, w.capitalize(), w.upper())}))


def _matched_lines(matcher: Matcher, src: str, data: bytes) -> Iterator[tuple[int, int]]:
    """(line start, match offset) of the first match on each line that has one."""
    last = -1
    for _, at, _ in matcher.find_matches_as_indexes(data):
        ls = src.rfind("\n", 0, at) + 1
        if ls != last:
            last = ls
            yield ls, at


_AUTH_NAME = _any_case(("auth", "login", "passw", "verify", "credential", "checkpass", "check_pass", "session"))
#: a comparison with a literal of a password's shape (letters with digits or symbols, 6 or more)
_SECRET_COMPARE = re.compile(rf"""(?:{_COMPARED_WITH}|in_array\s*\([^;]{{1,160}}?)\s*"""
                             r"""(?:["'](?=[^"'\s]{0,62}[\d!@#$%^&*+=?~-])(?=[^"'\s]{0,62}[A-Za-z])[^"'\s]{6,64}["']|"""
                             r"""\(?\s*0x[0-9a-fA-F]{6,}(?![0-9a-fA-F]))""")


def _grant_assignments(src: str, data: bytes) -> list[int]:
    """Offsets of the lines that assign a grant (see ``_GRANT_ASSIGN``)."""
    out = []
    for ls, at in _matched_lines(_GRANT_HINT, src, data):
        le = src.find("\n", at)
        if _GRANT_ASSIGN.search(src, ls, le if le >= 0 else len(src)):
            out.append(at)
    return out


def _auth_definitions(src: str, family: str, data: bytes) -> list[int]:
    """Offsets of authentication words that sit on a function definition line."""
    rx = _NAME.get(family)
    if rx is None:
        return []
    out = []
    for ls, at in _matched_lines(_AUTH_NAME, src, data):
        le = src.find("\n", at)
        m = rx.search(src[ls:le if le >= 0 else len(src)])
        if m and m.start() <= at - ls:
            out.append(at)
    return out


#: what a grant touches: a session, a role, an identity, an authentication state
_GRANT_WORDS = ("session", "admin", "role", "uid", "authenticat", "authoriz", "authoris", "logged", "login",
                "principal", "grant", "sysauth", "set-cookie", "privileg", "superuser", "is_root", "isroot",
                "access_level")
_GRANT_HINT = _any_case(_GRANT_WORDS)
_ASSIGN_QUOTE = byte_matcher([b'= "', b"= '", b'="', b"='", b"define(", b'= b"', b"= b'",
                                                 b"= Buffer.from(", b"= []byte(", b"= String(", b"= bytes("])


def _constant_lines(src: str, data: bytes) -> Iterator[tuple[int, int]]:
    """(start, end) of the lines that declare a named string constant (see ``_CONST_LINE``); the
    byte matcher finds the candidate lines, the expression confirms them."""
    for ls, _ in _matched_lines(_ASSIGN_QUOTE, src, data):
        m = _CONST_LINE.match(src, ls)
        if m:
            yield m.start(), m.end()


_BYTE_TABLE = re.compile(r"[ \t]*(?:static[ \t]+)?(?:const[ \t]+)?(?:unsigned[ \t]+|signed[ \t]+)?(?:char|uint8_t|u8|"
                         r"u_char|unsigned)[ \t]+\w+[ \t]*\[[^\]\n]*\][ \t]*=[ \t]*\{[^}]{0,65536}\}[ \t]*;[^\n]*\n?")


def _byte_tables(src: str) -> Iterator[tuple[int, int]]:
    """(start, end) of file-level byte arrays with an initialiser (a key or an encoded string a
    kept function may decode)."""
    at = src.find("] = {")
    while at >= 0:
        ls = src.rfind("\n", 0, at) + 1
        m = _BYTE_TABLE.match(src, ls)
        if m:
            yield m.start(), m.end()
        at = src.find("] = {", at + 5)


def _unit_of(bounds: list[int], pos: int) -> tuple[int, int]:
    i = bisect.bisect_right(bounds, pos) - 1
    i = max(0, min(i, len(bounds) - 2))
    return bounds[i], bounds[i + 1]


_CRED_WORDS = frozenset({"password", "passwd", "passphrase", "pwd", "secret", "token", "apikey", "api_key",
                         "credential", "pass", "pw"})
_PRIV_WORDS = frozenset({"uid", "euid", "is_admin", "isAdmin", "privileged"})
_COMPARE_LINE = re.compile(r"(==|!=|\beq\b|\bne\b|strn?(case)?cmp|equals|compare|\bin\b|Equal)[^\n]*['\"]|['\"][^\n]*(==|\beq\b|strn?(case)?cmp)")
# "token" is also the word of every tokenizer: only a direct comparison with a literal counts
_TOKEN_LINE = re.compile(r"(?<!typeof )\btoken\s*(===?|\beq\b)\s*['\"][^'\"]{6,}|strn?cmp\s*\(\s*token\s*,\s*\"[^\"]{6,}")
#: an IPv4 address that is a remote host (not loopback, unspecified, link-local, multicast, broadcast)
IPV4_LITERAL = re.compile(r"(?<![\w.])(?!127\.|0\.|169\.254\.|22[4-9]\.|23\d\.|255\.)"
                          r"(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}(?![\w.])")
_PRIV_LINE = re.compile(r"(?<![=!<>])=\s*(0|1|true|TRUE|True)\s*\)")
#: a grant written as an assignment: an authentication or privilege field set to "yes", uid 0, an
#: administrator role (matched on the lines the grant-word automaton finds)
_GRANT_ASSIGN = re.compile(r"(?i)(?:authenticat\w*|logged_?in|is_?admin|is_?root|uid|privileged|access_level|role|"
                           r"level)\s*=(?!=)\s*(?:1|true|0\s*;|[\"']?(?:admin|root|superuser)\b)")
#: a comparison with a literal, in any language (the unit's other half of a trigger)
_LITERAL_COMPARE = re.compile(r"(?:==|!=|\beq\b|cmp\s*\(|equals\s*\()[^\n;]{0,120}?[\"']|[\"'][^\n;]{0,120}?(?:==|!=)")


_METHOD_WORDS = {"javascript": frozenset({"exec", "spawn", "fork", "execSync"}),
                 "python": frozenset({"exec", "eval", "system"}), "java": frozenset({"exec", "eval"}),
                 "go": frozenset({"Command"})}
_EXEC_WORDS = frozenset({"execl", "execlp", "execle", "execv", "execvp", "execve", "execvpe", "posix_spawnp"})
#: base64 encoding of a text (HTTP Basic credentials) and the hint words that ask for the search
_BASE64_ENCODE = re.compile(r"\b(?:btoa|base64_encode|b64encode|encode_base64)\s*\(|toString\(\s*['\"]base64|\|\s*base64\b")
_ENCODER_HINTS = frozenset({"btoa", "base64_encode", "b64encode", "encode_base64", "base64"})
#: token-signing and MAC calls (patterns.yaml key_calls) and a function returning a key-shaped literal
_KEY_CALL = re.compile(r"\b(?:(?:jwt|jws|JWT|jsonwebtoken|hmac)\s*(?:\.|::|->)\s*(?:sign|verify|encode|decode|new|New)|"
                       r"createHmac|SignedString|HMAC(?:256|384|512)|hmacShaKeyFor|hash_hmac|signWith)\s*\(")
# (no \b or look-behind in front: either disables the literal-prefix search, 20x slower; the caller
# checks the character before)
_SECRET_RETURN = re.compile(r"return\s*\(?\s*[\"'](?=[^\"'\s]{0,126}[\d\W])[^\"'\s]{8,128}[\"']\s*\)?\s*;?[ \t]*$", re.M)
_PERL_PIPE_OPEN = re.compile(r"\bopen\b[ \t]*\(?[^;\n]*?(?:[\"'][ \t]*[|-]|\|[ \t]*[\"'])")
#: after a global object's name: a computed key, directly or after a type assertion ("as any)[")
_GLOBAL_KEY = re.compile(r"(?:\s+as\s+\w+\s*\))?\s*\)?\s*\[\s*[^\]\d\s]")
_LITERAL_ARG = re.compile(r'\(\s*"([^"\\]{0,200})"')


def _fixed_program(src: str, paren: int, pats: Patterns) -> bool:
    m = _LITERAL_ARG.match(src, paren)
    if not m:
        return False
    words = m.group(1).split()
    prog = words[0].rsplit("/", 1)[-1] if words else ""
    # (a multi-call binary runs whatever applet follows; login -f: a session without a password)
    return not pats.starts_shell(words[:1]) and not pats.multicall(prog) and prog != "login"


def _taint_knowledge():
    from .taint import knowledge  # imported late: the taint engine imports the file model
    return knowledge()


def keyword_hits(src: str, family: str, pats: Patterns, data: bytes | None = None,
                 input_hits: list[int] | None = None, write_hits: list[int] | None = None) -> list[int]:
    """Offsets of keywords that make a unit worth parsing: a sink or decoder name used as a call,
    a credential name on a line that compares with a string, a privilege name assigned inside
    parentheses (a condition). ``src`` is ``data`` decoded as latin-1 (same offsets)."""
    auto, keywords = pats.automaton(family)
    if data is None:
        data = src.encode("latin-1")
    n = len(src)
    inputs = input_words(family)
    known = _taint_knowledge()
    out: list[int] = []
    if family in ("perl", "php"):
        # a backtick string runs a shell command in these languages
        at = src.find("`")
        while at >= 0 and len(out) < 64:
            out.append(at)
            close = src.find("`", at + 1)
            at = src.find("`", close + 1) if close >= 0 else -1
    if family == "perl":
        # a pipe open runs a command (perlfunc open: "cmd |", "| cmd", "-|", "|-")
        for m in _PERL_PIPE_OPEN.finditer(src):
            out.append(m.start())
    # input reads go to ``input_hits`` when the caller keeps them apart (see select())
    reads = out if input_hits is None else input_hits
    # a unit that names a request header or CGI variable reads the request
    reads += known.selected(src, data)
    loose_calls = family in ("perl", "php", "bash")
    constants: set[str] | None = None  # the file's named string constants, read when first needed
    hints: dict[str, list[int]] = {}  # hint word -> where it occurs
    for index, start, end in auto.find_matches_as_indexes(data):
        word = keywords[index]
        if word in SELECT_HINTS:
            hints.setdefault(word, []).append(start)
            continue
        end -= 1  # offset of the keyword's last character
        if word in pats.secret_files:
            out.append(start)  # code that handles the account or key files is always read
            continue
        if word in pats.endpoint_anchors:
            # a remote host named by address: the unit matters when the line holds an IPv4 literal
            ls = src.rfind("\n", 0, start) + 1
            le = src.find("\n", end)
            if IPV4_LITERAL.search(src, ls, le if le >= 0 else n):
                out.append(start)
            continue
        before = src[start - 1] if start > 0 else " "
        after = src[end + 1] if end + 1 < n else " "
        if before.isalnum() or before == "_" or after.isalnum() or after == "_":
            continue
        if word in pats.computed_imports.get(family, ()):
            if src[end + 1:end + 2] == "(":
                out.append(start)  # a module imported by a computed name: what it calls is decided at run time
            continue
        if family == "javascript" and word in pats.global_objects:
            if _GLOBAL_KEY.match(src, end + 1):
                out.append(start)  # a member of the global object looked up by a computed key, then called
            continue
        if word in pats.callbacks.get(family, ()):
            if "$" in src[end + 1:end + 80]:
                out.append(start)  # a call whose function is a value: what it runs is decided at run time
            continue
        if word in inputs:
            if known.read_at(word, src, end + 1):
                reads.append(start)  # a unit that reads remote input is where a trigger or a command channel is
            continue
        if word in _CRED_WORDS or word in _PRIV_WORDS:
            ls = src.rfind("\n", 0, start) + 1
            le = src.find("\n", end)
            line = src[ls:le if le >= 0 else n]
            rx = _PRIV_LINE if word in _PRIV_WORDS else _TOKEN_LINE if word == "token" else _COMPARE_LINE
            if rx.search(line):
                out.append(start)
            elif word in _CRED_WORDS:
                # compared with a named string constant of the file (pass === RECOVERY_PASSWORD)
                if constants is None:
                    constants = {m.group(1) for a, b in _constant_lines(src, data)
                                 for m in [_CONST_NAME.search(src, a, b)] if m}
                named = _NAMED_COMPARE.search(line)
                if named and named.group(1) in constants:
                    out.append(start)
            continue
        if before == "." and word in _METHOD_WORDS.get(family, ()) and \
                not any(k in src[max(0, start - 24):start] for k in ("child", "cp.", "proc", "Runtime", "exec.", "os.")):
            continue  # re.exec(), str.run(): a method of something that is not a process API
        j = end + 1
        while j < n and src[j] in " \t":
            j += 1
        nxt = src[j] if j < n else ""
        if nxt == ")" and src.endswith("promisify(", 0, start):
            out.append(start)  # promisify(exec)(cmd): the sink called in promise form
            continue
        if nxt == ")" and family == "javascript" and src[j + 1:j + 2] == "(":
            nxt = "("  # (0, eval)(code): an indirect call through the comma operator
        if nxt == "(" or (loose_calls and nxt in "'\"$`") or (family == "perl" and j > end + 1 and nxt.isalpha()) or \
                (family == "perl" and word == "qx" and nxt and not nxt.isalnum() and nxt not in "_=,;"):
            # (Perl's qx quotes with any delimiter: qx{...}, qx[...], qx/.../)
            # (Perl calls need no parentheses: "eval decode_base64(...)", "system $cmd")
            if word in _EXEC_WORDS and _fixed_program(src, j, pats):
                continue  # execlp("vi", ...) runs a fixed, non-shell program
            out.append(start)
            if word in pats.file_writes and write_hits is not None:
                write_hits.append(start)
    signing = [at for word, where in hints.items() if word not in _ENCODER_HINTS for at in where]
    if signing:
        # a token-signing or MAC key: the call, and a function returning a literal it may take
        out += _near(_KEY_CALL, src, signing)
        out += [m.start() for m in _SECRET_RETURN.finditer(src)
                if not (m.start() and (src[m.start() - 1].isalnum() or src[m.start() - 1] in "_$"))]
    encoding = [at for word, where in hints.items() if word in _ENCODER_HINTS for at in where]
    if encoding and b"Basic" in data:
        # HTTP Basic credentials encoded in the code (btoa('user:password'), printf ... | base64)
        out += _near(_BASE64_ENCODE, src, encoding)
    return out


def _near(rx: re.Pattern, src: str, positions: list[int]) -> list[int]:
    """Matches of ``rx`` on the lines of ``positions`` and the line after each (a call split after
    its receiver). Every match of the callers' expressions contains a hint word, so this finds what a
    whole-file search finds, without running an alternation at every offset of the file."""
    out: set[int] = set()
    searched: set[int] = set()
    for at in positions:
        ls = src.rfind("\n", 0, at) + 1
        if ls in searched:
            continue
        searched.add(ls)
        le = src.find("\n", at)
        le = src.find("\n", le + 1) if le >= 0 else -1
        out.update(m.start() for m in rx.finditer(src, ls, len(src) if le < 0 else le))
    return sorted(out)


def calls_of(names: set[str] | frozenset[str], src: str, data: bytes) -> list[int]:
    """Offsets of the whole-word ``name(`` / ``name (`` calls of any of ``names`` (one native pass)."""
    words = sorted(names)
    auto = byte_matcher((w.encode("latin-1", "replace") for w in words), longest=True, once=True)
    n = len(src)
    out = []
    for _, start, end in auto.find_matches_as_indexes(data):
        if start > 0 and (src[start - 1].isalnum() or src[start - 1] in "_$"):
            continue
        j = end
        while j < n and src[j] in " \t\r\n":
            j += 1
        if j < n and src[j] == "(":
            out.append(start)
    return out


def select(src: str, family: str, pats: Patterns, extra: set[str] | frozenset[str] = frozenset(),
           data: bytes | None = None, only_extra: bool = False, keep_reads: bool = False) -> str | None:
    """The text to parse (unkept lines emptied), or None when nothing in the file is worth parsing.
    ``extra``: more names whose calls are sinks (macros and functions of other files); ``data``:
    the bytes ``src`` was decoded from as latin-1, when the caller has them; ``only_extra``: the
    calls of ``extra`` are the only reason to keep a unit; ``keep_reads``: keep every unit that
    reads input (where it goes may be another file's function)."""
    if data is None:
        data = src.encode("latin-1")
    reads: list[int] = []
    writes: list[int] = []
    hits = [] if only_extra else keyword_hits(src, family, pats, data, reads, writes)
    if extra:
        hits += calls_of(extra, src, data)
    # functions named for authentication (the name on a definition line) that compare with a
    # password-shaped literal: where a master password hides, whatever the variables are called
    named = [] if only_extra else _auth_definitions(src, family, data)
    # lines that write a grant (authenticated = 1, uid = 0, role = "admin"): with a comparison with a
    # literal in the same unit, a trigger may let a request in whatever the inputs are called
    granted = [] if only_extra else _grant_assignments(src, data)
    if not hits and not reads and not named and not granted:
        return None
    bounds = units(src, family, data)
    # a unit that only reads input matters when it also grants something (a session, a role, a uid):
    # what it runs is a sink keyword of its own, and the units calling sinks are kept with their callers
    read_units = {_unit_of(bounds, h) for h in reads}
    view = memoryview(data)
    if not keep_reads:
        read_units = {u for u in read_units if _GRANT_HINT.find_matches_as_indexes(view[u[0]:u[1]])}
    # a function named for authentication that compares with a literal: where a master password hides
    auth_units = {u for u in {_unit_of(bounds, at) for at in named} if _SECRET_COMPARE.search(src, u[0], u[1])}
    auth_units |= {u for u in {_unit_of(bounds, at) for at in granted} if _LITERAL_COMPARE.search(src, u[0], u[1])}
    if not hits and not read_units and not auth_units:
        return None
    if len(bounds) <= 2:
        return src
    kept: set[tuple[int, int]] = {_unit_of(bounds, h) for h in hits} | read_units | auth_units
    name_rx = _NAME.get(family)
    if family == "python":  # with open(P, 'wb') as f: f.write(data)
        writes += [a for a, b in kept if _PY_OPEN_WRITE.search(src, a, b)]
    if writes and name_rx is not None:
        # a unit that writes a file keeps the functions it calls: what it writes may be a download
        # made by a helper of the file (fetch-then-write-then-run)
        called = {m.group(1) for a, b in {_unit_of(bounds, w) for w in writes}
                  for m in _CALLED.finditer(src, a, b)}
        for a, b in zip(bounds, bounds[1:]):
            head = src[a:min(b, a + 4096)]
            m = name_rx.search(head)
            name = next((g for g in m.groups() if g), None) if m else None
            if name in called:
                kept.add((a, b))
    # callers of the kept units, a few rounds deep
    frontier = set(kept)
    for _ in range(MAX_CALLER_ROUNDS):
        if name_rx is None or not frontier:
            break
        names = set()
        for a, b in frontier:
            # the unit's own name is in its header: before the body's first brace (or the first lines)
            brace = src.find("{", a, min(b, a + 4096)) if family != "python" else -1
            end = brace + 1 if brace >= 0 else min(b, a + 4096)
            for m in name_rx.finditer(src, a, end):
                name = next((g for g in m.groups() if g), None)
                if name and len(name) > 2 and name not in ("if", "for", "while", "switch", "return", "sizeof"):
                    names.add(name)
        frontier = set()
        if not names or len(names) > 200:
            break
        for call in calls_of(names, src, data):
            u = _unit_of(bounds, call)
            if u not in kept:
                kept.add(u)
                frontier.add(u)
    size = sum(b - a for a, b in kept)
    if size >= WHOLE_FILE_SHARE * len(src):
        return src
    if family == "c":
        kept |= {(m.start(), m.end()) for m in _DEFINE.finditer(src)}
        kept |= set(_byte_tables(src))
    if family != "bash":
        # named string constants: a trigger compared through a name is still a literal
        kept |= set(_constant_lines(src, data))
    if family == "php":
        # PHP code starts after its open tag: without that line the rest parses as page text
        tag = src.find("<?")
        if tag >= 0:
            end = src.find("\n", tag)
            kept.add((src.rfind("\n", 0, tag) + 1, len(src) if end < 0 else end + 1))
    parts = []
    pos = 0
    for a, b in sorted(kept):
        if a < pos:
            a = pos
        if b <= a:
            continue
        parts.append("\n" * src.count("\n", pos, a))
        unit = src[a:b]
        if family == "python" and unit.startswith("    "):
            unit = _dedent4(unit)
        parts.append(unit)
        pos = b
    parts.append("\n" * src.count("\n", pos))
    return "".join(parts)


def _dedent4(unit: str) -> str:
    """A method taken out of its class reads as a top-level function (line count unchanged)."""
    return "\n".join(ln[4:] if ln.startswith("    ") else ln.lstrip(" ") for ln in unit.split("\n"))
