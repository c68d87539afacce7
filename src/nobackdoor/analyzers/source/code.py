"""Back-door shapes inside program source, read from the syntax tree of one file.

Checks (each explained in ``rules/source.rules.yaml``):

* a branch taken only when outside input equals a rare literal, whose body reaches a shell, code
  evaluation, ``setuid(0)`` or a shell listener (directly, through local functions or C macros);
* the same kind of branch marking a session authenticated;
* a password or token compared with a literal next to the real check (master password);
* an assignment hidden in a condition that sets a user id to 0 or an admin flag;
* eval/exec of decoded or downloaded data.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Set as AbstractSet

from tree_sitter import Node

from ...models import FileEntry, FileKind, Finding, Observation, ScanError
from ...ruleset import rule
from ..base import FileAnalyzer, Result
from . import syntax
from .model import LOOPS, FileModel, MacroInfo, Reach, remote_shell_command
from .patterns import LANGUAGE_FAMILY, Patterns, patterns
from .syntax import Comparison, arguments, callee, comparisons, literal, text, walk
from .select import IPV4_LITERAL, select
from .accounts_in_code import account_findings
from .trojan import trojan_findings
from .taint import Taint, knowledge as _taint_knowledge
from .constant_data import built_text

#: files larger than this are not parsed (generated code, amalgamations)
MAX_PARSE = 4 * 1024 * 1024
_TEST_DIRS = ("test/", "tests/", "testing/", "spec/", "__tests__/", "testdata/", "t/")
_SOURCE_TARGETS = ("source", "release")
_HEADER_SUFFIXES = (".h", ".hh", ".hpp")
MAX_CGI_SCRIPT = 256 * 1024
#: calls handing input to other files' functions recorded per file (the tree analyzer follows them)
MAX_INPUT_CALLS = 64
#: socket calls that, with a shell named by path in the same function, serve that shell
#: an administrator role or root identity set in a branch ("role", "admin"; role = 'admin'; uid = 0)
_ROLE_SET = re.compile(r"""(?i)\brole\b["']?\s*(?:,|=>?|:)\s*["'](?:admin|administrator|root|superuser)["']|\buid\s*=\s*0\b""")
_MAIL_ADDRESS = re.compile(r"[\w.+-]+@([A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b")
_URL_HOST = re.compile(r"\b(?:https?|ftps?|tftp)://(?:[^/@\s'\"]*@)?([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z0-9-]+)")
#: the device's own networks (RFC 1918, shared address space): not a phone-home destination
_PRIVATE_IP = re.compile(r"^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.)")
#: identifiers that hold a credential (as a word or a part of a snake_case / camelCase name)
_CREDENTIAL_WORD = re.compile(r"\b\w*(?:[Pp]assw(?:or)?d|PASSW(?:OR)?D|[Pp]assphrase|[Ss]ecret|SECRET|[Tt]oken|TOKEN|"
                              r"[Aa]pi_?[Kk]ey|API_?KEY|[Cc]redential|CREDENTIAL|[Pp]rivate_?[Kk]ey)\w*\b")
#: identifiers that hold a password (a word or a part of a snake_case / camelCase name), and short ones
_PASSWORD_WORD = re.compile(r"\b\w*(?:[Pp]assw(?:or)?d|PASSW(?:OR)?D|[Pp]assphrase|PASSPHRASE)\w*\b")
_SHORT_PASSWORD = re.compile(r"\b(?:pass|pwd|passwd|pw)\b")
#: short credential names as whole identifiers (not in Python, where ``pass`` is a statement)
_SHORT_CREDENTIAL = re.compile(r"\b(?:pass|pwd|passwd|pw|psk|wpa_key|wifi_key)\b")
#: a line that loads a module or a library (naming an authentication module is not a login step)
_IMPORT_LINE = re.compile(r"(?m)^[ \t]*(?:(?:use|require|import|from|source)\b|#[ \t]*include\b|\.[ \t]|"
                          r"local[ \t]+\w+[ \t]*=[ \t]*require\b)[^\n]*$")
#: the domain a name put together from data ends with: `${x}.name.example` or x + ".name.example"
_DNS_SUFFIX = re.compile(r"[}+'\"`]\s*['\"`]?\.((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})['\"`]")
_CGI_PREFIXES = ("HTTP_", "QUERY_STRING", "REQUEST_URI", "PATH_INFO", "FORM_")
#: a shell word that is one variable's value and nothing else
_BARE_EXPANSION = re.compile(r"\$\{?([A-Za-z_]\w*)\}?")
#: a shell value that is the output of one command with one key: $(cgi_param cmd), `get_arg x`
_GETTER_SUBSTITUTION = re.compile(r"(?:\$\(|`)\s*([A-Za-z_][\w-]*)\s+['\"]?([\w-]+)['\"]?\s*(?:\)|`)")
#: CGI/1.1 (RFC 3875) request meta-variables a shell CGI reads
_CGI_INPUT = re.compile(rb"\$\{?(QUERY_STRING|HTTP_[A-Z0-9_]+|REQUEST_URI|PATH_INFO|CONTENT_LENGTH|FORM_[A-Za-z0-9_]+)\b")
#: a shell CGI reading a request value through its library's getter: v=$(cgi_param user)
_CGI_GETTER = re.compile(rb"\$\(\s*([A-Za-z_][\w-]{2,40})\s+['\"]?\w")
_WORDS = re.compile(r"[a-z_]+")
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
#: a file without any of these cannot decode or download what it runs (skips the costly data-flow walk)
_DECODE_HINTS = ("decode", "b64", "base64", "hex", "inflate", "decompress", "atob", "rot13", "fromcharcode",
                 "urlopen", "fetch", "request", "http", "curl", "marshal", "zlib", "gzip", "uncompress", "unpack",
                 "\\u0", "\\x")  # (text spelled in escape sequences)


_LEAVING = ("return_statement", "continue_statement", "break_statement", "goto_statement", "throw_statement",
            "raise_statement", "exit_statement", "return_expression", "return", "break")
_EXIT_CALLS = frozenset({"exit", "die", "abort", "_exit", "http_response_code", "Error", "NotFound", "sendError",
                         "status", "redirect", "send_error", "abort_request"})


#: what a grant writes: the identity or role of the request, session or connection
_IDENTITY_KEYS = frozenset({"user", "username", "user_name", "login", "role", "roles", "uid", "principal",
                            "admin", "is_admin", "isadmin", "authenticated", "authed", "logged_in", "loggedin",
                            "level", "privilege", "priv", "access", "group", "account", "identity", "sysauth"})
_PRIVILEGED = re.compile(r"(?i)\badmin\w*|\broot\b|superuser|\bsuper\b|Role(?:::|\.)\w+|\bfull\b|"
                         r"(?:role|level)_?(?:admin|root|super)\w*")
_SHELL_IDENTITY = re.compile(r"user|role|level|priv|auth|login")
#: literal containers: C initialiser lists, arrays, lists, hashes, dictionaries, tables, Go composites
_TABLE_TYPES = frozenset({"initializer_list", "array", "array_creation_expression", "list", "list_expression",
                          "anonymous_hash_expression", "anonymous_array_expression", "dictionary", "object",
                          "table_constructor", "composite_literal", "array_initializer", "tuple"})
#: base64 encoders of the languages (browser btoa, PHP base64_encode, Python base64, Perl MIME::Base64)
_BASE64_ENCODERS = frozenset({"btoa", "base64_encode", "b64encode", "standard_b64encode", "encodebytes",
                              "encode_base64", "EncodeToString"})
_BASIC_PAIR = re.compile(r"[A-Za-z0-9._@-]{2,32}:[^\s:]{6,64}")
_SHELL_BASE64 = re.compile(r"printf[ \t]+('[^'\n]*'|\"[^\"$`\n]*\")((?:[ \t]+(?:'[^'\n]*'|\"[^\"$`\n]*\"))+)[ \t]*\|[ \t]*base64")
_SHELL_WORD = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
_ROLE_WORDS = frozenset({"admin", "administrator", "root", "superuser", "super"})


def _privileged_name(node: Node, spec) -> bool:
    """A constant that names an administrator's role or level (``RoleAdmin``, ``ROLE_ADMIN``,
    ``auth.LevelRoot``, ``Role::Admin``)."""
    if node.type not in spec.identifiers and node.type not in ("identifier", "selector_expression", "field_access",
                                                                 "scoped_identifier", "member_expression",
                                                                 "qualified_identifier", "class_constant_access_expression"):
        return False
    raw = text(node)
    if len(raw) > 60:
        return False
    last = re.split(r"[.:>]", raw)[-1]
    words = {w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", last)}
    return bool(words & _ROLE_WORDS) and len(words) <= 3 and not words & {"not", "no", "non", "check", "is", "has",
                                                                          "require", "need", "only", "ensure"}


_DENIAL = re.compile(r"(?i)\b(?:null|nil|none|false|undefined|deny|denied|forbidden|anonymous|guest)\b|\{\s*\}")
_LOGGING = re.compile(r"(?i)log|print|warn|debug|info|error|trace|write|echo|puts|format|assert|equal|compare|cmp")
_AUTHORIZES = re.compile(r"(?i)author|authent|auth_?check|check_?auth|filter|middleware|login|verify|session")
_FALSY = frozenset({"0", "false", "False", "FALSE", "null", "NULL", "None", "nil", "undefined", "''", '""', "[]",
                    "{}", "nullptr"})


#: a step that refuses: an error return, a failure log, an exception
_DENIAL_STEP = re.compile(r"(?i)return\s*\(?\s*(?:0|-1|false|null|nil|none)\b|fail|denied|invalid|throw|raise|abort")


#: a step of authentication before a sink: a call or test of a login, session, token or role
_LOGIN_STEP = re.compile(r"(?i)\b\w*(?:auth(?!or\b)|login|logged|session|is_?admin|require_?user|permission|"
                         r"csrf|bearer|jwt|verify_?token|check_?token|credential)\w*\b")
#: a rebuilt text that runs a shell, fetches or opens a connection
_COMMAND_WORDS = re.compile(r"(?:^|[\s;|&/])(?:sh|bash|ash|busybox|nc|ncat|telnetd|wget|curl|tftp|mkfifo|socat)\b|"
                            r"/dev/tcp/|https?://")
_MAGIC_NUMBER = re.compile(r"0x[0-9a-f]+")  # how syntax.compared_literal writes an integer magic
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128}")
#: per language family, a call of a shell or code sink in decoded text
_SINK_CALLS: dict[str, re.Pattern] = {}


def _readable(value: str) -> bool:
    """Text, not binary: at most one character in twenty is a control character."""
    bad = sum(1 for ch in value if not ch.isprintable() and ch not in "\n\r\t")
    return bad * 20 <= len(value)


_PY_CLASS = re.compile(r"^class[ \t]+(\w+)[ \t]*(?:\(([^)]*)\))?[ \t]*:", re.M)
#: class definitions (a method's class)
_CLASSES = frozenset({"class_definition", "class_declaration", "class_specifier"})
_HASHING = re.compile(r"(?i)md5|sha\d*|hash|digest|crypt|hmac|blake|pbkdf")


def _secret_like(value: str) -> bool:
    """Six characters or more of at least two classes (lower, upper, digit, symbol), one of them a
    digit or a symbol: a password shape, not a key name, an identifier (``userSetAuthPass``) or a
    word."""
    v = value.strip()
    classes = sum(bool(re.search(rx, v)) for rx in (r"[a-z]", r"[A-Z]", r"\d", r"[^\w\s]"))
    return len(v) >= 6 and classes >= 2 and " " not in v and bool(re.search(r"[\d\W]", v))


def _records_identity(left: Node, right: Node) -> bool:
    """``r->uid = 0``, ``$_SESSION['role'] = 'admin'``, ``ctx.state.user = {...}``,
    ``session["user"] = name``: a field of some object (request, session, connection state) given
    an identity or a role (a plain local variable is not recorded anywhere)."""
    raw = text(left).replace("->", ".").replace("::", ".")
    key = re.split(r"[.\[{]", raw.rstrip("]}"))[-1].strip("'\"$ ").lower()
    val = text(right).strip()
    if not any(ch in raw for ch in ".[{"):
        # a local: only an administrator's role given to it (role = Role::Admin) records a grant
        return key in _IDENTITY_KEYS and bool(_PRIVILEGED.search(val)) and not _DENIAL.search(val)
    if key in ("uid", "euid", "user_id", "userid"):
        return val == "0"
    return key in _IDENTITY_KEYS and val not in _FALSY and not _DENIAL.fullmatch(val)


def _leaves(ifnode: Node, spec) -> bool:
    """An if without else whose branch only leaves (return, continue, break, goto, throw, exit
    after at most three other statements): a guard that lets the rest run only when it fails."""
    body = (ifnode.child_by_field_name("consequence") or ifnode.child_by_field_name("body")
            or ifnode.child_by_field_name("block"))
    if body is None or ifnode.child_by_field_name("alternative") is not None:
        return False
    stmts = [c for c in body.named_children if c.type != "comment"] if body.named_child_count and \
        body.type not in _LEAVING and not body.type.endswith("_statement") else [body]
    if not stmts or len(stmts) > 4:
        return False
    last = stmts[-1]
    if last.type in _LEAVING or last.type.startswith(("return", "continue", "break", "goto", "throw", "raise")):
        return True
    call = last.named_children[0] if last.type == "expression_statement" and last.named_child_count else last
    return call.type in spec.calls and callee(call)[1] in _EXIT_CALLS


_PATCH_SUFFIXES = (".patch", ".diff")
_HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".asp", ".stm")
_NOT_NEWLINE = re.compile(rb"[^\n]")
_SCRIPT_BLOCK = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_NOT_JS = re.compile(rb"""(?i)\bsrc\s*=|\btype\s*=\s*["']?(?!(?:text|application)/(?:java|ecma)script|module)""")


def patched_code(patch: bytes) -> Iterator[tuple[str, bytes]]:
    """(language, code) for each file a unified diff changes: the new side of its hunks (context and
    added lines, the diff marker removed) at the patch's own line numbers, everything else blank."""
    from ...inventory import SOURCE_SUFFIXES
    lines = patch.split(b"\n")
    sections: list[tuple[str, int, int]] = []  # (language, first line, end line)
    current: tuple[str, int] | None = None
    for i, line in enumerate(lines):
        if line.startswith(b"+++ "):
            if current is not None:
                sections.append((current[0], current[1], i))
            name = line[4:].split(b"\t")[0].strip().decode("latin-1")
            suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name.rsplit("/", 1)[-1] else ""
            lang = SOURCE_SUFFIXES.get(suffix)
            current = (lang, i + 1) if lang in LANGUAGE_FAMILY and LANGUAGE_FAMILY[lang] != "bash" else None
    if current is not None:
        sections.append((current[0], current[1], len(lines)))
    for language, first, end in sections:
        out = [b""] * len(lines)
        kept = False
        for i in range(first, end):
            line = lines[i]
            if line.startswith(b"+") and not line.startswith(b"+++"):
                out[i] = line[1:]
                kept = True
            elif line.startswith(b" "):
                out[i] = line[1:]
        if kept:
            yield language, b"\n".join(out)


def inline_scripts(page: bytes) -> bytes | None:
    """The inline ``<script>`` blocks of an HTML page at their own offsets, everything else blanked
    (newlines kept: line numbers stay those of the page); None when the page has none."""
    parts: list[bytes] = []
    pos = 0
    found = False
    for m in _SCRIPT_BLOCK.finditer(page):
        if _NOT_JS.search(m.group(1)):
            continue  # an external script (src=) or a data/template block
        a, b = m.span(2)
        parts.append(_NOT_NEWLINE.sub(b" ", page[pos:a]))
        parts.append(page[a:b])
        pos = b
        found = found or bool(page[a:b].strip())
    if not found:
        return None
    parts.append(_NOT_NEWLINE.sub(b" ", page[pos:]))
    return b"".join(parts)


def is_test_path(relpath: str) -> bool:
    p = "/" + relpath.lower()
    name = p.rsplit("/", 1)[-1]
    return any(f"/{d}" in p for d in _TEST_DIRS) or name.startswith("test_") or ".test." in name or \
        name.endswith(("_test.go", "_test.py", ".spec.js", ".spec.ts"))


#: objects of the request being served (web frameworks): reading them is input, not a download
_REQUEST_INPUT = ("request.args", "request.form", "request.values", "request.headers", "request.cookies",
                  "request.json", "request.data", "request.get_", "request.query", "request.get(", "req.query",
                  "req.body", "req.params", "req.headers", "req.get", "ctx.request", "r.url.query", "r.header")
_NAME_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_GRANT_WORDS = frozenset({"grant", "authorize", "authorise", "login", "logon", "signin"})
_SESSION_WORDS = frozenset({"create", "new", "start", "open", "issue", "make", "begin"})
_NEGATIVE_WORDS = frozenset({"fail", "failed", "failure", "deny", "denied", "reject", "invalid", "error", "bad",
                             "attempt", "attempts", "limit", "lock", "locked", "logout", "require", "required",
                             "check", "page", "form", "url", "redirect", "count", "retry", "revoke"})


def _grants_by_name(name: str) -> bool:
    """A call whose name says it grants access (grantSession, authorize_user, createSession,
    do_login), by its words; names that say the opposite or only show a form do not count."""
    words = {w.lower() for w in _NAME_PARTS.findall(name)}
    if words & _NEGATIVE_WORDS:
        return False
    return bool(words & _GRANT_WORDS) or {"sign", "in"} <= words or {"log", "in"} <= words or \
        ("session" in words and bool(words & _SESSION_WORDS))


#: HTTP field names (RFC 9110 §5.1 token of words joined by '-', as registered) and authentication
#: schemes (RFC 9110 §11): protocol vocabulary every server compares with, never a secret
_PROTOCOL_NAME = re.compile(r"^(?:(?:[A-Z][a-z]+|WWW|ETag|TE|DNT|X)(?:-(?:[A-Z][a-z]*|WWW|ID|IP|MD5|TE))+"
                            r"|Cookie|Host|Authorization|Accept|Connection|Referer|Origin|Upgrade|Range|Expect"
                            r"|Date|Server|Location|Allow|Vary|Pragma|Via|Forwarded"
                            r"|Basic|Bearer|Digest|Negotiate|NTLM|HOBA|Mutual|SCRAM-SHA-\d+"
                            r"|(?:https?|ftps?|wss?|tftp|sftp|ssh|telnet|smtps?|imaps?|pop3s?|ldaps?|rtsp|sips?|coaps?"
                            r"|mqtts?|file|data|mailto)(?::(?://)?)?)\s?$")  # IANA URI schemes
#: a regular expression or Lua pattern (character classes, anchors around a class): a validation
#: (a Lua class counts when a quantifier, another class, a bracket or the end follows it: "^%w+$",
#: "%d%d", "[%w_]"; "%s" inside a token is a character of the token)
_PATTERN = re.compile(r"\[[^\]]+\][*+?{]|\\[dwsDWS]|%[wdsapxlcu](?:[*+?%\]-]|$)|^\^.*\$$|\(\?[:=!]")


_LENGTH_OF = re.compile(r"(?:sizeof|strlen)\s*\(?\s*[\"']$")
_LONG_TOKEN = re.compile(r"(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{16,}")
_CONVERSION = re.compile(r"%[-+ #0]*\d*(?:\.\d+)?[hlLqjzt]*[diouxXeEfFgGcspn%]")
_TOKEN_RUN = re.compile(r"(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{6,}")


def ordinary_literal(value: str, pats: Patterns) -> bool:
    """A literal that cannot be a trigger: too short, unprintable, protocol or CLI vocabulary, or a
    path, option, format or prefix (ordinary parsing)."""
    v = value.strip()
    if len(v) < 2 or not v.isprintable():
        return True
    low = v.lower()
    if low in pats.common_words or low.lstrip("-/.") in pats.common_words:
        return True
    if _PROTOCOL_NAME.match(v) or _PATTERN.search(v):
        return True  # a header name, an authentication scheme, or a pattern that validates input
    if v.startswith("/") and _LONG_TOKEN.search(v):
        return False  # a path with a token in it ("/5771f7c2…;x.gif"): not a route of the program's own
    if v.startswith("%"):
        # a format ("%s: %d", "%08x"), unless what its conversions leave is a token of its own
        return not _TOKEN_RUN.search(_CONVERSION.sub("", v))
    last = low.rstrip("/").rsplit("/", 1)[-1] if low.startswith("/") else low
    if last.startswith(".") and not last.startswith("..") and (low.startswith("/") or "/" not in low) and \
            last.lstrip(".").split(".")[0] not in pats.file_suffixes:
        # ".xotal": a dot-command of a console; "/.xoxo.xml": a hidden name no route serves (a
        # suffix that lets a request in); not a file suffix, a dot file of tools, or a relative path
        return False
    return v.startswith(("/", ".", "-", "<", "\\")) or v.endswith(("/", ":", "="))


class SourceCodeAnalyzer(FileAnalyzer):
    name = "source-code"
    kinds = frozenset({FileKind.SOURCE, FileKind.SCRIPT})
    max_size = 16 * 1024 * 1024

    def wants(self, entry: FileEntry) -> bool:
        if entry.kind == FileKind.TEXT and entry.relpath.lower().endswith(_HTML_SUFFIXES + _PATCH_SUFFIXES):
            # a page's inline scripts are code (read as JavaScript); a patch carries code into a tree
            return entry.size <= MAX_PARSE
        if entry.kind not in self.kinds or entry.size > self.max_size:
            return False
        family = LANGUAGE_FAMILY.get(entry.language or "")
        if family is None:
            return False
        # boot scripts belong to the script analyzers; shell is read here only as CGI (see analyze)
        if family == "bash":
            return entry.size <= MAX_CGI_SCRIPT
        return True

    def analyze(self, entry: FileEntry, data: bytes) -> Iterable[Result]:
        if entry.kind == FileKind.TEXT and entry.relpath.lower().endswith(_PATCH_SUFFIXES):
            for language, code in patched_code(data):
                yield from analyze_source(dataclasses.replace(entry, language=language), code, patterns())
            return
        if entry.kind == FileKind.TEXT:
            scripts = inline_scripts(data)
            if scripts is not None:
                yield from analyze_source(dataclasses.replace(entry, language="javascript"), scripts, patterns())
            return
        if LANGUAGE_FAMILY.get(entry.language or "") == "bash":
            # a shell script that reads web request data is a CGI program: its branches on that data
            # are checked like any other source (the script analyzers follow boot, cron and hotplug)
            if _CGI_INPUT.search(data) or any(_taint_knowledge().request_getter(m.group(1).decode())
                                              for m in _CGI_GETTER.finditer(data)):
                yield from analyze_source(entry, data, patterns(), force=True)
            return
        yield from trojan_findings(entry, data)
        yield from account_findings(entry, data)
        if len(data) > MAX_PARSE:
            yield ScanError(entry.path, f"source file of {len(data)} bytes, over the {MAX_PARSE} bytes parsed per "
                                        "file: its code was not analysed", "file", "limit", len(data))
            return
        # C functions other files can call to reach a shell or root: the header-macro tree analyzer
        # follows them across files (vsftpd 2.3.4), without parsing this file a second time
        exports = self.options.target_kind in _SOURCE_TARGETS and entry.language in ("c", "cpp") and \
            not entry.relpath.endswith(_HEADER_SUFFIXES)
        yield from analyze_source(entry, data, patterns(), observe_exports=exports)


def analyze_source(entry: FileEntry, data: bytes, pats: Patterns,
                   extra_macros: dict[str, MacroInfo] | None = None,
                   extra_functions: dict[str, Reach] | None = None,
                   force: bool = False, focus: set[str] | None = None,
                   observe_exports: bool = False,
                   param_inputs: dict[str, dict[int, tuple[str, str]]] | None = None) -> Iterator[Finding | Observation]:
    """Findings of one source file. ``extra_*``: sinks and constants defined in other files;
    ``focus``: parse only the code around calls of these names (a second pass over a file whose
    own keywords were analysed already); ``observe_exports``: also yield a ``sink-function``
    observation for each non-static C function that spawns a shell by name, binds a shell to a
    listener or sets uid 0, and an ``input-call`` observation for each call that hands remote input
    to a function of another file; ``param_inputs``: the parameters other files hand input to."""
    language = entry.language or ""
    family = LANGUAGE_FAMILY.get(language)
    if family is None or language not in syntax.GRAMMAR:
        return
    src = data.decode("latin-1")
    if force:
        parse = data
    else:
        if focus is None:
            kept = select(src, family, pats, set(extra_macros or ()) | set(extra_functions or ()), data,
                          keep_reads=observe_exports)
        else:
            kept = select(src, family, pats, focus, data, only_extra=True)
        if kept is None:
            return
        parse = data if kept is src else kept.encode("latin-1")
    model = FileModel(parse, language, family, pats, extra_macros, extra_functions, param_inputs)
    checker = Checker(entry, model, src)
    yield from checker.run()
    if observe_exports:
        for name, reach, strong in model.exported_sinks():
            yield Observation("sink-function", entry.path, {
                "function": name, "reaches": sorted(strong), "kinds": sorted(reach.kinds), "via": reach.via[:8],
                "language": language})
        seen: set[tuple[str, int]] = set()
        for name, index, origin, call in checker.taint.input_calls():
            if (name, index) in seen:
                continue
            if len(seen) == MAX_INPUT_CALLS:
                yield ScanError(entry.path, f"more than {MAX_INPUT_CALLS} calls hand remote input to functions "
                                            "of other files: the rest were not followed", "file", "limit", len(data))
                break
            seen.add((name, index))
            yield Observation("input-call", entry.path, {
                "function": name, "argument": index, "source": origin.source, "kind": origin.kind,
                "line": call.start_point[0] + 1, "call": text(call)[:120]})


class Checker:
    def __init__(self, entry: FileEntry, model: FileModel, src: str) -> None:
        self.entry = entry
        self.m = model
        self.src = src
        self.pats = model.pats
        self.spec = model.spec
        self.test = is_test_path(entry.relpath)
        self.reported: set[tuple[str, int]] = set()
        low = src.lower()
        self.may_decode = any(w in low for w in _DECODE_HINTS)
        self.taint = Taint(model, src)
        self.decoder = model.decoder
        self._stored: dict[int, dict[str, list[Node]]] = {}
        self._called_here: dict[str, bool] = {}
        self._ran: dict[int, set[int]] = {}

    def run(self) -> Iterator[Finding]:
        if self.m.family == "bash":
            # a shell CGI: decode-and-run and request-in-eval idioms are the script analyzers' (and
            # old CGI argument parsing evals the query string); the branch checks apply
            for call in self.m.calls:
                reach = self.m.reach(call)
                strong = reach.strong()
                gated = False
                if strong:
                    for f in self._gated(call, reach, strong):
                        gated = True
                        yield f
                if not gated:
                    yield from self._shell_request_executed(call, reach)
            yield from self._credential_checks()
            yield from self._basic_credentials()
            return
        yield from self._shell_served()
        yield from self._exfiltration()
        yield from self._credential_forwarded()
        yield from self._downloaded_file_run()
        for call in self.m.calls:
            reach = self.m.reach(call)
            strong = reach.strong()
            gated = False
            if strong:
                for f in self._gated(call, reach, strong):
                    gated = True
                    yield f
            if self.direct_sink_kinds(call) & {"eval", "shell"}:
                yield from self._statically_decoded(call)
            if reach.kinds & {"eval", "shell"} and self.may_decode:
                yield from self._eval_decoded(call, reach)
            if self.m.family == "c" and "shell" in self.direct_sink_kinds(call):
                yield from self._built_command(call)
            kinds = self.direct_sink_kinds(call) & {"eval", "shell"}
            if kinds and not gated:  # a trigger in front of the sink is the more specific finding
                yield from self._request_executed(call, kinds)
        yield from self._credential_checks()
        yield from self._literal_keys()
        yield from self._basic_credentials()
        yield from self._returned_master_password()
        yield from self._privilege_in_condition()

    # ------------------------------------------------------------ helpers

    def _finding(self, rule_id: str, node: Node, message: str, evidence: dict, severity: str | None = None,
                 category: str | None = None) -> Finding | None:
        return self._finding_at(rule_id, node.start_point[0] + 1, message, evidence, severity, category)

    def _finding_at(self, rule_id: str, line: int, message: str, evidence: dict, severity: str | None = None,
                    category: str | None = None) -> Finding | None:
        if (rule_id, line) in self.reported:
            return None
        self.reported.add((rule_id, line))
        evidence = {**evidence, "language": self.m.language, "_relpath": self.entry.relpath}
        return rule(rule_id).finding(self.entry.path, message, line=line, evidence=evidence,
                                     severity=severity, category=category)

    def is_input(self, node: Node, fn: Node | None, depth: int = 0, strong: bool = False) -> str | None:
        """Why an expression carries outside input (a reason string), or None. ``strong``: only
        request/command-line/environment sources, not parameters or generic buffer names."""
        if depth == 0:
            origin = self.taint.origin(node, fn)
            if origin is not None and origin.kind != "download":  # a download is not a peer's input
                return origin.source
        params = self.m.params(fn)
        assigns = self.m.assignments(fn) if depth < 3 else {}
        for n in walk(node, limit=400):
            t = n.type
            if t in self.spec.calls:
                _, last, _ = callee(n)
                if last in self.pats.input_calls:
                    return f"{last}()"
                continue
            if t in self.spec.strings:
                v = literal(n, self.spec)
                if v and v.startswith(self.pats.input_key_prefixes) and n.parent is not None and \
                        n.parent.type not in self.spec.binaries:
                    return f"lookup of {v!r}"
                continue
            if t in self.spec.identifiers or t in ("variable_name", "scalar", "varname", "identifier"):
                name = text(n).lstrip("$")
                if name in params and not strong and self._outside_parameter(fn, name):
                    return f"parameter {name}"
                if name.lower() in (self.pats.strong_input_names if strong else self.pats.input_names):
                    return name
                if self.m.family == "bash" and t == "variable_name" and name.startswith(_CGI_PREFIXES):
                    return f"CGI variable {name}"
                if name in assigns and depth < 3:
                    for rhs in assigns[name][:4]:
                        if rhs.start_byte <= node.start_byte <= rhs.end_byte:
                            continue
                        why = self.is_input(rhs, fn, depth + 1, strong)
                        if why:
                            return f"{name} <- {why}"
                if self.m.family == "c" and depth < 3:
                    # a struct or buffer filled by a copy: memcpy(&h, buf, sizeof h) holds buf's data
                    for call, source in self.taint.copies_into(name, fn):
                        why = self.is_input(source, fn, depth + 1, strong)
                        if why:
                            return f"{name} <- {self.m.callee(call)[1]}() <- {why}"
            elif self.m.family == "bash" and t == "command_substitution":
                got = self._getter_output(text(n).strip())
                if got:
                    return got
        return None

    def _outside_parameter(self, fn: Node | None, name: str) -> bool:
        """A parameter whose value comes from outside this file: its function is not called here
        (an entry point, a handler registered elsewhere), or the parameter is named as input. A
        static helper's parameter carries whatever its callers here pass (followed by the taint
        engine instead)."""
        if fn is None or name in ("self", "cls", "this"):
            return False
        if name.lower() in self.pats.strong_input_names:
            return True
        fname = syntax.function_name(fn)
        if not fname:
            return True  # a callback: called by its framework with request data
        last = fname.replace("::", ".").rsplit(".", 1)[-1]
        called = self._called_here.get(last)
        if called is None:
            # counted in the whole text: the parse may hold only the units around sinks
            called = self._called_here[last] = len(re.findall(rf"(?<![\w$]){re.escape(last)}\s*\(", self.src)) > 1
        return not called

    def rare(self, value: str, char: bool = False) -> bool:
        v = value.strip()
        if char:
            return len(v) >= 2 and not v.isalnum()
        if ordinary_literal(v, self.pats):
            return False
        # a trigger is used once: a value repeated in the file is vocabulary (its length taken by
        # sizeof/strlen beside the compare is the same use)
        count = self.src.count(value)
        if count > 1:
            at = self.src.find(value)
            while at >= 0 and count > 1:
                if _LENGTH_OF.search(self.src, max(0, at - 16), at):
                    count -= 1
                at = self.src.find(value, at + 1)
        return count <= 1

    def _gates(self, node: Node) -> Iterator[tuple[Node, Node, bool]]:
        """(if-node, condition, negative) of every branch whose taken side contains ``node``, and of
        every guard before it that leaves on failure (``if (strcmp(a, X) != 0) continue;``:
        ``negative``, read with :func:`syntax.negated_comparisons`)."""
        child = node
        p = node.parent
        fn_types = self.spec.functions
        while p is not None and p.type not in fn_types:
            if p.type == "case_item" and child.type not in ("extglob_pattern", "word", "string", "raw_string"):
                yield p, p, False  # shell: the branch of a case pattern (read by syntax.comparisons)
            elif p.type in syntax.SWITCH_CASES and child.type not in ("expression_list", "switch_label",
                                                                       "case_pattern") and \
                    (p.child_by_field_name("value") is None or p.child_by_field_name("value").id != child.id):
                yield p, p, False  # a switch case: its values compared with the switch's subject
            elif p.type in self.spec.ifs:
                cond = p.child_by_field_name("condition")
                taken = cond is not None and child.id != cond.id and child.type not in (
                    "else_clause", "elif_clause", "else_if_clause", "else")
                if taken and p.type in ("conditional_statement", "postfix_conditional_expression") and \
                        any(c.type == "unless" for c in p.children[:3]):
                    taken = False
                if taken:
                    yield p, cond, False
            else:
                for guard, cond in self._guards_before(p, child):
                    yield guard, cond, True
            child = p
            p = p.parent

    def _stored_compares(self, fn: Node) -> dict[str, list[Node]]:
        """Variables of ``fn`` assigned the result of a compare call (``iVar1 = strcmp(a, "x")``)."""
        got = self._stored.get(fn.id)
        if got is None:
            got = {}
            for name, rhss in self.m.assignments(fn).items():
                calls = [r for r in rhss[:3] if r.type in self.spec.calls and
                         self.m.callee(r)[1] in syntax.COMPARE_CALLS]
                if calls:
                    got[name] = calls
            self._stored[fn.id] = got
        return got

    def _guards_before(self, block: Node, child: Node) -> Iterator[tuple[Node, Node]]:
        """``if (cond) <leave>;`` statements of ``block`` before ``child`` (at most 12 back)."""
        if block.named_child_count < 2 or block.type in self.spec.ifs:
            return
        prev = child.prev_named_sibling
        seen = 0
        while prev is not None and seen < 12:
            if prev.type in self.spec.ifs and _leaves(prev, self.spec):
                cond = prev.child_by_field_name("condition")
                if cond is not None:
                    yield prev, cond
            prev = prev.prev_named_sibling
            seen += 1

    def _tests(self, cond: Node, negative: bool, fn: Node | None) -> list[Comparison]:
        """The literal comparisons a branch condition makes, including a compare call's result
        kept in a variable first (decompiled code: ``iVar1 = memcmp(p, "x", 8); if (iVar1 == 0)``)."""
        if negative:
            return syntax.negated_comparisons(cond, self.spec, self.m.macro_literals)
        comps = comparisons(cond, self.spec, self.m.macro_literals) + self._table_comparisons(cond, fn)
        if comps or fn is None:
            return comps
        stored = self._stored_compares(fn)
        if not stored:
            return comps
        raw = text(cond)
        if len(raw) > 200:
            return comps
        for name in set(_IDENT.findall(raw)) & stored.keys():
            for rhs in stored[name]:
                zero = re.search(rf"(?<![\w.]){re.escape(name)}\s*==\s*0\b|!\s*{re.escape(name)}\b", raw)
                comps += syntax.call_comparisons(rhs, self.spec, self.m.macro_literals, want_zero=bool(zero))
        return comps

    def _table_comparisons(self, cond: Node, fn: Node | None) -> list[Comparison]:
        """A credential compared with an entry of a table of literals written in the code
        (``strcmp(pass, builtin[i].pass)``, ``$BUILTIN{$user} eq $pass``, ``in_array([$user, $pass],
        [['u', 'p'], ...])``): built-in accounts kept as data. The table's first password-shaped
        literal stands for the compared value."""
        out: list[Comparison] = []
        raw = text(cond)
        if "[" not in raw and "{" not in raw or not (_CREDENTIAL_WORD.search(raw) or _SHORT_CREDENTIAL.search(raw)):
            return out  # no entry of anything, or no credential compared: the walk below would find nothing
        for n in walk(cond, limit=200):
            pair: tuple[Node, Node] | None = None
            if n.type in self.spec.binaries or n.type == "comparison_operator":
                if syntax.operator(n) in ("==", "===", "eq", "is"):
                    pair = syntax.operands(n)
            elif n.type in self.spec.calls:
                _, last, _ = self.m.callee(n)
                args = arguments(n)
                if (last in syntax.COMPARE_CALLS or last == "in_array") and len(args) >= 2:
                    pair = (args[0], args[1])
            if pair is None or pair[0] is None or pair[1] is None:
                continue
            for subject, table in (pair, pair[::-1]):
                value = self._table_literal(table, fn)  # (cheap, and rarely anything: asked first)
                if value is None:
                    continue
                if any(self._names_credential(text(c)) for c in walk(subject, limit=40)
                       if c.type in self.spec.identifiers or c.type in ("identifier", "scalar", "variable_name")):
                    out.append(Comparison(subject, value, n))
                    break
        return out

    def _table_literal(self, node: Node, fn: Node | None) -> str | None:
        """The first password-shaped literal of the table of literals ``node`` is, or an entry of."""
        container = node
        if node.type not in _TABLE_TYPES:
            raw = text(node)
            if "[" not in raw and "{" not in raw and "." not in raw.lstrip("$"):
                return None  # a plain variable, not an entry of something
            base = _IDENT.search(raw.lstrip("$%@&*"))
            if base is None:
                return None
            rhss = self.m.assignments(fn).get(base.group(0)) or self.m.assignments(None).get(base.group(0)) or []
            container = next((r for r in rhss if r.type in _TABLE_TYPES), None)
            if container is None:
                return None
        leaves = [c for c in walk(container, limit=400) if c.type in self.spec.strings]
        if not leaves or len(leaves) > 64:
            return None
        values = [literal(c, self.spec) for c in leaves]
        if any(v is None for v in values):
            return None
        if container.type == "list_expression" and "=>" in text(container) and len(values) % 2 == 0:
            values = values[1::2]  # Perl ('user' => 'password', ...): an entry is the value of its key
        return next((v for v in values if v and _secret_like(v)), None)

    def _char_sequence(self, cond: Node, comps: list[Comparison]) -> list[Comparison]:
        chars = [c for c in comps if c.char and len(c.value) == 1]
        if len(chars) >= 2:
            seq = "".join(c.value for c in chars)
            return [Comparison(chars[0].subject, seq, cond, char=True)]
        return [c for c in comps if not c.char]

    # ------------------------------------------------------------ checks

    def _triggers(self, call: Node) -> Iterator[tuple[Comparison, str]]:
        """(comparison, why its subject is input) of each branch around the call that compares
        outside input with a rare literal."""
        fn = self.m.function_of(call)
        for _, cond, negative in self._gates(call):
            for comp in self._char_sequence(cond, self._tests(cond, negative, fn)):
                if not self.rare(comp.value, comp.char):
                    continue
                why = self._compared_input(comp, fn)
                if not why:
                    continue
                if why.startswith("parameter") and (syntax.function_name(fn) == "main" if fn else False):
                    continue  # command-line options of a program's own main() are its interface
                yield comp, why

    def _gated(self, call: Node, reach: Reach, strong: set[str]) -> Iterator[Finding]:
        for comp, why in self._triggers(call):
            fn = self.m.function_of(call)
            kinds = sorted(strong - {"shellname"})
            chain = " -> ".join(reach.via) or self.m.callee(call)[0]
            msg = (f"input ({why}) compared with rare literal {comp.value!r} gates "
                   f"{'/'.join(kinds)} via {chain}")
            f = self._finding("source.magic-input-command", comp.node, msg, {
                "trigger": comp.value, "input": text(comp.subject)[:120], "input_origin": why,
                "sink_kinds": kinds, "via": reach.via, "sink_line": call.start_point[0] + 1,
                "function": syntax.function_name(fn) if fn else ""},
                severity="medium" if self.test else None)
            if f:
                yield f
            return

    def _shell_served(self) -> Iterator[Finding]:
        """A shell on a socket without a trigger: a bind shell (a listener and a shell named by path in
        one function or the functions around it, as in a server callback), a reverse shell (connect,
        and the socket duplicated or piped onto the shell), or a literal command that serves a shell.
        Reported once per function; a triggered one is the trigger check's (magic-input-command)."""
        named = [c for c in self.m.calls if "shellname" in self.m.direct_kinds(c)]
        if not named:
            return
        names_in: dict[int, set[str]] = {}  # function id (-1: top level) -> callee names called in it
        joined: set[int] = set()  # functions (-1: top level) that put a connection on standard streams
        for call in self.m.calls:
            fn = self.m.function_of(call)
            key = fn.id if fn is not None else -1
            last = self.m.callee(call)[1]
            names_in.setdefault(key, set()).add(last)
            if last in self.pats.stream_joins or self._dup_open(call):
                joined.add(key)
        done: set[int] = set()
        for shell_call in named:
            fn = self.m.function_of(shell_call)
            key = fn.id if fn is not None else -1
            if key in done or next(self._triggers(shell_call), None) is not None:
                continue
            names: set[str] = set(names_in.get(-1, ()))
            joins = -1 in joined
            scope = fn
            while scope is not None:  # the function and the ones it is written in (callbacks)
                names |= names_in.get(scope.id, set())
                joins = joins or scope.id in joined or self._process_streams_set(scope)
                scope = syntax.enclosing(scope, self.spec.functions)
            reach = self.m.reach_of_function.get(syntax.function_name(fn), Reach()) if fn is not None else Reach()
            words = [literal(a, self.spec) or "" for a in arguments(shell_call)[:8]]
            literal_server = any(remote_shell_command(w) for w in words)
            joins = joins or any(self.pats.fd_dup_redirect.search(w) for w in words) or \
                self._streams_given(shell_call, fn)
            if "listen" in reach.kinds or names & self.pats.listen_calls:
                how = "opens a listener and spawns a shell named by path (bind shell)"
            elif joins and fn is not None and self._server_handler(fn):
                how = f"puts a shell on the connection of a server's handler {self._server_handler(fn)} (bind shell)"
            elif names & self.pats.connect_calls and joins:
                how = "connects out and puts a shell on the socket (reverse shell)"
            elif literal_server:
                how = "runs a fixed command that serves a shell"
            else:
                continue
            done.add(key)
            sink = self.m.callee(shell_call)[0]
            where = f"{syntax.function_name(fn) or 'a function'}()" if fn is not None else "top-level code"
            f = self._finding("source.shell-served", shell_call, f"{where} {how}: {text(shell_call)[:120]}",
                              {"sink": sink, "call": text(shell_call)[:200], "mechanism": how,
                               "function": syntax.function_name(fn) if fn is not None else ""},
                              severity="medium" if self.test else None)
            if f:
                yield f

    def _server_handler(self, fn: Node) -> str | None:
        """The class ``fn`` is a method of when a server calls it with each connection: it derives
        from a request handler class, or it is handed to a server class in this file."""
        cls = syntax.enclosing(fn, _CLASSES)
        if cls is not None:
            name_node = cls.child_by_field_name("name")
            name = text(name_node) if name_node is not None else ""
            bases_node = cls.child_by_field_name("superclasses") or cls.child_by_field_name("superclass")
            bases = text(bases_node) if bases_node is not None else ""
        elif self.m.family == "python":
            # methods are parsed without their class (see select): its header is the last one above
            at = self._line_start(fn.start_point[0])
            if not self.src.startswith((" ", "\t"), at):
                return None  # a function of the module, not a method
            head = None
            for m in _PY_CLASS.finditer(self.src, 0, at):
                head = m
            if head is None:
                return None
            name, bases = head.group(1), head.group(2) or ""
        else:
            return None
        if set(_IDENT.findall(bases)) & self.pats.request_handler_bases:
            return name or bases
        # handed to a server class (read in the text: the code that starts the server may not be parsed)
        classes = "|".join(sorted(self.pats.server_classes))
        if name and re.search(rf"\b(?:{classes})\s*\((?:[^()]|\([^()]*\))*?(?<![\w.]){re.escape(name)}\b", self.src):
            return name
        return None

    def _line_start(self, line: int) -> int:
        """Offset in the file's text of the start of 0-based ``line``."""
        at = 0
        for _ in range(line):
            at = self.src.find("\n", at) + 1
            if at == 0:
                return len(self.src)
        return at

    def _fed_input(self, call: Node, fn: Node | None) -> list[Node]:
        """What a spawned program reads as its standard input: Go ``cmd.Stdin = x`` on the variable
        that holds the ``exec.Command`` (the fields of ``process_input``)."""
        assigns = self.m.assignments(fn)
        held = [name for name, rhss in assigns.items() if "." not in name and
                any(r.start_byte <= call.start_byte and call.end_byte <= r.end_byte for r in rhss)]
        return [rhs for name in held for field in self.pats.process_input
                for rhs in assigns.get(f"{name}.{field}", [])[:3]]

    def _connections(self, fn: Node | None) -> set[str]:
        """Names that hold a connection in ``fn``: variables assigned a connecting call, and the
        handle a Perl/C ``socket(S, ...)`` or ``connect(S, ...)`` call is given."""
        names = set()
        for name, rhss in self.m.assignments(fn).items():
            for rhs in rhss[:3]:
                if any(n.type in self.spec.calls and self.m.callee(n)[1] in self.pats.connect_calls
                       for n in walk(rhs, limit=40)):
                    names.add(name)
        for call in self.m.calls:
            owner = self.m.function_of(call)
            if (owner.id if owner is not None else None) == (fn.id if fn is not None else None) and \
                    self.m.callee(call)[1] in self.pats.connect_calls | {"socket"}:
                args = arguments(call)
                if args:
                    names.add(text(args[0]).lstrip("$*"))
        return names

    def _dup_open(self, call: Node) -> bool:
        """Perl ``open(STDIN, '>&S')`` / ``open(STDIN, '>&', $s)``: a standard handle made a duplicate
        of a socket's handle."""
        if self.m.family != "perl" or self.m.callee(call)[1] != "open":
            return False
        args = arguments(call)
        mode = (literal(args[1], self.spec) or "").strip() if len(args) > 1 else ""
        if not args or text(args[0]) not in self.pats.std_handles or not mode.startswith(self.pats.dup_modes):
            return False
        handle = mode.lstrip("+<>&=").strip() or (text(args[2]).lstrip("$*") if len(args) > 2 else "")
        return handle in self._connections(self.m.function_of(call))

    def _streams_given(self, call: Node, fn: Node | None) -> bool:
        """Python ``Popen([...], stdin=s.fileno())``, Node ``spawn(sh, [], {stdio: [c, c, c]})``: the
        process is started with a connection as a standard stream (an option named in
        ``process_options``)."""
        conns = None
        for n in walk(call, limit=300):
            if n.type == "keyword_argument":
                key, value = n.child_by_field_name("name"), n.child_by_field_name("value")
            elif n.type == "pair":
                key, value = n.child_by_field_name("key"), n.child_by_field_name("value")
            else:
                continue
            if key is None or value is None or text(key).strip("'\"") not in self.pats.process_options:
                continue
            if conns is None:  # the function's connections and those of the functions it is written in
                conns = self._connections(None)
                scope = fn
                while scope is not None:
                    conns |= self._connections(scope)
                    scope = syntax.enclosing(scope, self.spec.functions)
            if self._names_in(value) & conns:
                return True
        return False

    def _process_streams_set(self, fn: Node) -> bool:
        """Go ``cmd.Stdin = conn``: a field a process reads its input from (or writes its output to)
        assigned a connection in ``fn``."""
        conns = None
        for name, rhss in self.m.assignments(fn).items():
            if "." not in name or name.rsplit(".", 1)[-1] not in self.pats.process_streams:
                continue
            conns = self._connections(fn) if conns is None else conns
            if any(self._names_in(rhs) & conns for rhs in rhss[:3]):
                return True
        return False

    def _exfiltration(self) -> Iterator[Finding]:
        """A network send in a function that names a remote host by IPv4 address and handles a
        credential or an account/key file (see rule source.exfiltration). Private, loopback and
        link-local addresses are the device's own network, not a phone-home destination."""
        done: set[int] = set()
        for call in self.m.calls:
            if self.m.callee(call)[1] not in self.pats.network_sends:
                continue
            fn = self.m.function_of(call)
            scope = fn if fn is not None else self.m.root
            if scope.id in done:
                continue
            body = text(scope)
            ip = next((m.group(0) for m in IPV4_LITERAL.finditer(body) if not _PRIVATE_IP.match(m.group(0))), None)
            if ip is None and any(p in body for p in self.pats.secret_files):
                # the account or key files themselves: sent to any hard-coded host, named or not
                ip = next((m.group(1) for m in _URL_HOST.finditer(body)
                           if m.group(1).lower() not in ("localhost",) and not _PRIVATE_IP.match(m.group(1))
                           and not m.group(1).startswith("127.")), None)
            if ip is None:
                continue
            paths = sorted({p for p in self.pats.sensitive_paths if p in body})
            creds = sorted({m.group(0) for m in _CREDENTIAL_WORD.finditer(body)} |
                           ({m.group(0) for m in _SHORT_CREDENTIAL.finditer(body)} if self.m.family != "python" else set()))
            if not paths and not creds:
                continue
            done.add(scope.id)
            what = ", ".join(paths + creds[:4])
            sink = self.m.callee(call)[0]
            where = f"{syntax.function_name(fn) or 'a function'}()" if fn is not None else "top-level code"
            f = self._finding("source.exfiltration", call,
                              f"{where} sends data to the hard-coded host {ip} and handles {what}",
                              {"address": ip, "sink": sink, "sensitive_files": paths, "credentials": creds[:8],
                               "function": syntax.function_name(fn) if fn is not None else ""},
                              severity="medium" if self.test else None)
            if f:
                yield f

    def _downloaded_file_run(self) -> Iterator[Finding]:
        """A download written to a fixed path (``file_put_contents(P, file_get_contents(URL))``,
        ``urlretrieve(URL, P)``) that the same function then includes, evaluates or runs by that path,
        with no signature or digest check in between."""
        for call in self.m.calls:
            _, last, obj = self.m.callee(call)
            ix = self.pats.file_writes.get(last)
            args = arguments(call)
            fn = self.m.function_of(call)
            if ix is not None and max(ix) < len(args):
                path = literal(args[ix[0]], self.spec)
                data, url = args[ix[1]], literal(args[ix[1]], self.spec) or ""
            elif last == "write" and obj is not None and len(args) == 1:
                # Python: with open(P, 'wb') as f: f.write(data) -- the file object names the path
                path, data, url, ix = self._opened_for_writing(obj, fn), args[0], "", (0, 1)
            else:
                continue
            if not path or len(path) < 2:
                continue
            source = self._has_download(data, fn, helpers=True) or \
                (url if ix[1] == 0 and url.startswith(("http://", "https://", "ftp://")) else None)
            if not source:
                continue
            scope = fn if fn is not None else self.m.root
            for n in walk(scope, limit=5000):
                if n.start_byte < call.end_byte:
                    continue
                if n.type in self.pats.include_nodes:
                    sink = n.type.removesuffix("_expression")
                elif n.type in self.spec.calls and self.m.callee(n)[1] in self.pats.sinks.get(self.m.family, {}) and \
                        {s.kind for s in self.pats.sinks[self.m.family][self.m.callee(n)[1]]} & {"eval", "shell"}:
                    sink = self.m.callee(n)[0]
                else:
                    continue
                if not any(path in (literal(x, self.spec) or "") for x in walk(n, limit=200)
                           if x.type in self.spec.strings):
                    continue
                # a check anywhere between the function's start (where the download is made) and the
                # run: a digest compared before the write counts as much as a signature check after it
                between = self.m.data[scope.start_byte:n.start_byte].decode("latin-1")
                if self.pats.verification.search(between):
                    break
                f = self._finding("source.eval-downloaded", n,
                                  f"{sink} runs {path}, written just before from a download ({source})",
                                  {"sink": sink, "download": source, "file": path,
                                   "function": syntax.function_name(fn) if fn is not None else ""},
                                  severity="medium" if self.test else None)
                if f:
                    yield f
                break

    def _opened_for_writing(self, obj: Node, fn: Node | None) -> str | None:
        """The literal path a file object was opened at for writing (``f = open(P, 'wb')``, ``with
        open(P, 'w') as f``, ``fopen(P, "w")``)."""
        name = text(obj)
        opens = list(self.m.assignments(fn).get(name, [])[:2])
        scope = fn if fn is not None else self.m.root
        for n in walk(scope, limit=3000):
            if n.type == "as_pattern" and n.named_child_count >= 2 and text(n.named_children[-1]) == name:
                opens.append(n.named_children[0])
        for rhs in opens:
            if rhs.type not in self.spec.calls or self.m.callee(rhs)[1] not in ("open", "fopen"):
                continue
            args = arguments(rhs)
            mode = literal(args[1], self.spec) if len(args) > 1 else None
            if args and mode and ("w" in mode or "a" in mode):
                return literal(args[0], self.spec)
        return None

    def _credential_forwarded(self) -> Iterator[Finding]:
        """A credential this function checks itself (a password verification call given it) that it
        then also sends to a fixed host: the credential named in the data of a network send or of a
        name lookup, to a host written into the code (a URL, a ``host`` option, the domain a looked-up
        name ends with) that is neither local nor private. A login that asks a remote server is not
        this: it sends the credential instead of checking it, never after its own check succeeded."""
        done: set[int] = set()
        for call in self.m.calls:
            last = self.m.callee(call)[1]
            if last not in self.pats.credential_sends:
                continue
            fn = self.m.function_of(call)
            if fn is None or fn.id in done:
                continue
            sent = self._credentials_in(text(call))
            if not sent or _HASHING.search(text(call)):
                continue  # a hash of the secret (a breached-password range query) is not the secret
            check = self._checked_before(fn, call, sent)
            if check is None:
                continue
            host = self._fixed_host(text(fn), text(call) if last in self.pats.name_lookups else None)
            if host is None:
                continue
            done.add(fn.id)
            creds = sorted(sent)
            fname = syntax.function_name(fn)
            f = self._finding("source.exfiltration", call,
                              f"{fname + '()' if fname else 'a handler'} checks {', '.join(creds[:3])} with {check}() and sends it to the "
                              f"hard-coded host {host}",
                              {"address": host, "sink": self.m.callee(call)[0], "sensitive_files": [],
                               "credentials": creds[:8], "check": check, "function": syntax.function_name(fn)},
                              severity="medium" if self.test else None)
            if f:
                yield f

    def _credentials_in(self, raw: str) -> set[str]:
        """Names of passwords in ``raw``: what a user types to log in (a token or key is also handed
        on honestly, to the service it belongs to, after a local format check)."""
        got = {m.group(0) for m in _PASSWORD_WORD.finditer(raw)}
        if self.m.family != "python":
            got |= {m.group(0) for m in _SHORT_PASSWORD.finditer(raw)}
        return got

    def _checked_before(self, fn: Node, send: Node, creds: set[str]) -> str | None:
        """The password check (a real check, or a call named verify/check) that is given one of
        ``creds`` in ``fn`` before ``send``."""
        for call in self.m.calls:
            if call.start_byte >= send.start_byte or call.start_byte < fn.start_byte:
                continue
            owner = self.m.function_of(call)
            if owner is None or owner.id != fn.id:
                continue
            full, last, _ = self.m.callee(call)
            words = set(re.split(r"[\W_]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", last).lower()))
            if last not in self.pats.real_checks and not (words & {"verify", "check", "authenticate"} and
                                                          words & {"password", "passwd", "pass", "login", "user",
                                                                   "credentials", "auth"}):
                continue  # a password verification, not a format or strength check
            args = " ".join(text(a) for a in arguments(call))
            if self._credentials_in(args) & creds:
                return full or last
        return None

    def _fixed_host(self, body: str, lookup: str | None) -> str | None:
        """A remote host written into ``body`` (URL host or host option), or for a name lookup the
        domain its name ends with; local and private hosts are not remote."""
        hosts = [m.group(1) for m in _URL_HOST.finditer(body)] + [m.group(1) for m in self.pats.host_option.finditer(body)]
        hosts += [m.group(1) for m in _MAIL_ADDRESS.finditer(body)]  # a mail recipient's domain
        if lookup is not None:
            hosts += [m.group(1) for m in _DNS_SUFFIX.finditer(lookup)]
        for host in hosts:
            low = host.lower()
            if low in ("localhost",) or low.endswith((".local", ".localhost", ".internal")) or \
                    low.startswith("127.") or _PRIVATE_IP.match(low) or not re.search(r"[a-z]", low.rsplit(".", 1)[-1]) \
                    and not IPV4_LITERAL.fullmatch(low):
                continue
            return host
        return None

    def direct_sink_kinds(self, call: Node) -> AbstractSet[str]:
        return self.m.direct_kinds(call)

    def _request_executed(self, call: Node, kinds: set[str]) -> Iterator[Finding]:
        """Remote input (a request field, a header, a network read) becomes the code an eval runs or
        the program a shell sink runs, directly or through variables, copies, formats, globals and
        the file's own functions. A fixed program given input as an argument is not this (an
        injection risk, not a command channel); neither is the operator's own command line."""
        if call.type == "command":
            return
        sink = self.m.callee(call)[0]
        via = self.m.direct_sink(call).via
        shown = f"{sink}()"
        if via and "name computed" in via[0]:
            shown = f"{sink}() as {via[0].split(' ', 1)[0]}()"  # a disguised name (strrev, str_rot13, ...)
        if "shell" in kinds:
            got = self.taint.command_origin(call)
        else:
            got = None
            args = arguments(call)
            # new Function(p1, ..., body): the code is the last argument
            for arg in (args[-1:] if self.m.callee(call)[1] == "Function" else args[:2]):
                origin = self.taint.origin(arg)
                if origin is not None:
                    got = (origin, arg)
                    break
        if got is None:
            return
        origin, expr = got
        path = [*origin.path(), {"line": call.start_point[0] + 1, "code": text(call)[:120]}]
        if origin.kind == "download":  # the content of a download from a fixed URL is run
            f = self._finding("source.eval-downloaded", call, f"{shown} runs {origin.source} ({text(expr)[:80]})",
                              {"sink": sink, "download": origin.source, "path": path},
                              severity="medium" if self.test else None)
            if f:
                yield f
            return
        fn = self.m.function_of(call)
        login = self._login_before(call, fn)
        # severity from the flow: nothing in the way is critical; an authentication step before it, high
        severity = "medium" if self.test else "high" if login else "critical"
        f = self._finding("source.request-executed", call,
                          f"{shown} runs {origin.source} as {'code' if 'shell' not in kinds else 'a command'} "
                          f"({text(expr)[:80]}){f', after {login}' if login else ', before any authentication'}",
                          {"sink": sink, "argument": text(expr)[:160], "input_origin": origin.source,
                           "input_kind": origin.kind, "path": path, "authentication_before": login or "",
                           "via": via,
                           "function": syntax.function_name(fn) if fn is not None else ""},
                          severity=severity)
        if f:
            yield f

    def _shell_request_executed(self, call: Node, reach: Reach) -> Iterator[Finding]:
        """A shell CGI runs a request value: the value is the command's name (``$HTTP_X``,
        `` `$x` ``), or the whole script of ``sh -c``/``eval``. Evaluating a text *built* from the
        query string (old CGI argument parsing: ``eval $(echo "$QUERY_STRING" | sed ...)``) is
        not this: only the bare value counts."""
        name = call.child_by_field_name("name")
        if name is None:
            return
        words = [name, *call.children_by_field_name("argument")]
        if text(name).startswith("$"):
            ran = name
        elif reach.kinds & {"shell", "eval"}:
            values = [text(w).strip("'\"") for w in words[1:]]
            i = next((k for k, v in enumerate(values) if v.startswith("-") and "c" in v[1:]), None)
            ran = words[i + 2] if i is not None and i + 2 < len(words) else \
                words[1] if "eval" in reach.kinds and len(words) == 2 else None
        else:
            return
        if ran is None:
            return
        why = self._shell_request_value(text(ran).strip("'\""))
        if why is None:
            return
        login = self._login_before(call, self.m.function_of(call))
        severity = "medium" if self.test else "high" if login else "critical"
        f = self._finding("source.request-executed", call,
                          f"the script runs {why} as a command ({text(call)[:80]})"
                          f"{f', after {login}' if login else ', before any authentication'}",
                          {"sink": text(name)[:60], "argument": text(ran)[:160], "input_origin": why,
                           "input_kind": "request", "authentication_before": login or "",
                           "path": [{"line": call.start_point[0] + 1, "code": text(call)[:120]}], "via": [],
                           "function": ""}, severity=severity)
        if f:
            yield f

    def _shell_request_value(self, word: str, depth: int = 0) -> str | None:
        """Why a shell word that is one bare expansion (``$X``, ``${X}``) holds a request value: a CGI
        meta-variable, or a variable assigned one or the output of the project's request getter."""
        m = _BARE_EXPANSION.fullmatch(word)
        if m is None or depth > 3:
            return None
        var = m.group(1)
        if var.startswith(_CGI_PREFIXES):
            return f"CGI variable {var}"
        for rhs in self.m.assignments(None).get(var, [])[:4]:
            value = text(rhs).strip("'\"")
            got = self._shell_request_value(value, depth + 1)
            if got:
                return f"{var} <- {got}"
            got = self._getter_output(value)
            if got:
                return f"{var} <- {got}"
        return None

    def _getter_output(self, raw: str) -> str | None:
        """``$(cgi_param cmd)``: the output of the project's request getter given one key."""
        getter = _GETTER_SUBSTITUTION.fullmatch(raw)
        if getter and self.taint.k.request_getter(getter.group(1)):
            return f"{getter.group(1)} {getter.group(2)}"
        return None

    def _eval_decoded(self, call: Node, reach: Reach) -> Iterator[Finding]:
        if call.type == "command":
            return
        fn = self.m.function_of(call)
        decoded = downloaded = None
        args = arguments(call)[:3]
        direct = self.direct_sink_kinds(call)
        if direct == {"shell"}:
            # a fixed program given decoded data as an argument does not run that data
            command = self.taint.command_of(call)
            args = [command] if command is not None else []
        elif not direct:
            # a local function: only the arguments it runs (a parameter in its sink's command) count
            target = self.m.functions.get(self.m.callee(call)[1])
            if target is not None:
                ran = self._parameters_run(target)
                args = [a for i, a in enumerate(arguments(call)) if i in ran][:3]
        if "shellname" in direct:
            args = [*args, *self._fed_input(call, fn)]  # a shell with no script runs what it reads
        for arg in args:
            decoded = decoded or self._has_decoder(arg, fn)
            downloaded = downloaded or self._has_download(arg, fn)
        if not decoded and not downloaded:
            return
        sink = self.m.callee(call)[0]
        if downloaded:
            f = self._finding("source.eval-downloaded", call, f"{sink}() runs data downloaded by {downloaded}",
                              {"sink": sink, "download": downloaded})
        else:
            why = None
            for arg in args:
                why = why or self.is_input(arg, fn, strong=True)
            if why:
                f = self._finding("source.eval-decoded-input", call,
                                  f"{sink}() runs input ({why}) decoded by {decoded}",
                                  {"sink": sink, "decoder": decoded, "input_origin": why})
            else:
                f = self._finding("source.eval-decoded", call, f"{sink}() runs data decoded by {decoded}",
                                  {"sink": sink, "decoder": decoded},
                                  severity="medium" if self.test else None)
        if f:
            yield f

    def _statically_decoded(self, call: Node) -> Iterator[Finding]:
        """A shell or eval sink whose command or code the file computes from its own constant data
        by decoding steps (base64, hex, reversal, ROT13, XOR with a constant key, character codes,
        zlib, a decoding function or loop of the file): the text is rebuilt exactly
        (:mod:`.decode`) and judged like a literal command or code."""
        if call.type == "command":
            return
        kinds = self.direct_sink_kinds(call)
        if "shell" in kinds:
            command = self.taint.command_of(call)
            exprs = [command] if command is not None else []
        elif self.m.callee(call)[1] == "Function":
            exprs = arguments(call)[-1:]  # new Function(params..., body)
        else:
            exprs = arguments(call)[:2]
        fn = self.m.function_of(call)
        for expr in exprs:
            if expr.type in self.spec.strings and not syntax.escape_written(expr):
                continue  # a plain literal is judged elsewhere
            got = self.decoder.evaluate(expr, fn)
            if got is None:
                continue
            if not got.steps:
                # assembled from constants without hiding them (snprintf of literals): judged as the
                # literal command it is
                if expr.type not in self.spec.strings and remote_shell_command(got.text):
                    where = f"{syntax.function_name(fn)}()" if fn is not None else "top-level code"
                    f = self._finding("source.shell-served", call,
                                      f"{where} runs a command assembled from constants that serves a shell: "
                                      f"{got.text[:160]!r}",
                                      {"sink": self.m.callee(call)[0], "call": text(call)[:200], "decoded": got.text[:400],
                                       "mechanism": "runs a fixed command that serves a shell",
                                       "function": syntax.function_name(fn) if fn is not None else ""},
                                      severity="medium" if self.test else None)
                    if f:
                        yield f
                        return
                continue
            value = got.text
            if len(value.strip()) < 4 or not _readable(value):
                continue
            runs = self._runs_something(value)
            # a command that runs nothing to show is still high when a named decoder hides it (the
            # judgement of _eval_decoded, kept); hidden only by character codes, a loop or a lambda: medium
            named = bool(runs) or (self.may_decode and self._has_decoder(expr, fn) is not None)
            sink = self.m.callee(call)[0]
            how = ", then ".join(dict.fromkeys(got.steps))
            what = "a command" if "shell" in kinds else "code"
            f = self._finding("source.eval-decoded", call,
                              f"{sink}() runs {what} decoded from constant data ({how}): {value[:160]!r}",
                              {"sink": sink, "decoder": how, "decoded": value[:400], "runs": runs or "",
                               "function": syntax.function_name(fn) if fn is not None else ""},
                              severity="medium" if self.test or not named else None)
            if f:
                yield f
                return

    def _runs_something(self, value: str) -> str | None:
        """What a decoded command or code runs that a reviewer must see: a shell served or a fetched
        script run (the init-script reader), a shell or network tool, or a call of one of the
        language's command or code sinks."""
        if remote_shell_command(value):
            return "serves a shell or runs a download"
        m = _COMMAND_WORDS.search(value)
        if m:
            return f"names {m.group(0).strip(' ;|&/')}"
        m = self._sink_call_words().search(value)
        if m:
            return f"calls {m.group(1)}()"
        return None

    def _sink_call_words(self) -> re.Pattern:
        got = _SINK_CALLS.get(self.m.family)
        if got is None:
            names = {s.qualified.rsplit(".", 1)[-1] for sinks in self.pats.sinks.get(self.m.family, {}).values()
                     for s in sinks if s.kind in ("shell", "eval")}
            names = sorted(n for n in names if len(n) >= 4 and n not in ("start", "call", "include", "require"))
            got = _SINK_CALLS[self.m.family] = re.compile(
                r"\b(" + "|".join(map(re.escape, names)) + r")\s*\(") if names else re.compile(r"(?!)")
        return got

    def _built_command(self, call: Node) -> Iterator[Finding]:
        """A C shell sink whose command a function assembles from constants (byte by byte, or an
        array decoded with a key): the text is rebuilt and shown."""
        command = self.taint.command_of(call)
        if command is None or command.type != "identifier":
            return
        fn = self.m.function_of(call)
        got = built_text(self.m, text(command), fn)
        if got is None:
            return
        how, value = got
        sink = self.m.callee(call)[0]
        runs_shell = remote_shell_command(value) or bool(_COMMAND_WORDS.search(value))
        f = self._finding("source.eval-decoded", call, f"{sink}() runs a command {how}: {value[:160]!r}",
                          {"sink": sink, "decoder": how, "decoded": value[:400],
                           "function": syntax.function_name(fn) if fn is not None else ""},
                          severity="medium" if self.test or not runs_shell else None)
        if f:
            yield f

    def _login_before(self, call: Node, fn: Node | None) -> str | None:
        """The first authentication step (a call or a test of a session, login or token) in the
        sink's function before the sink, or None: then the sink runs before any login."""
        if fn is None:
            # top-level code (a script): the statements before it, function definitions aside
            head = b"\n".join(self.m.data[c.start_byte:min(c.end_byte, call.start_byte)]
                               for c in self.m.root.named_children
                               if c.start_byte < call.start_byte and c.type not in self.spec.functions)
            m = _LOGIN_STEP.search(_IMPORT_LINE.sub("", head.decode("latin-1")))
            return m.group(0) if m else None
        head = (self.m.data[fn.start_byte:call.start_byte] if call.start_byte > fn.start_byte else b"")
        m = _LOGIN_STEP.search(head.decode("latin-1"))
        return m.group(0) if m else None

    def _parameters_run(self, fn: Node) -> set[int]:
        """Indexes of ``fn``'s parameters that reach the command or code of a sink it calls
        directly (followed through its local assignments)."""
        if fn.id in self._ran:
            return self._ran[fn.id]
        params = self.taint.parameter_names(fn)
        ran = self._ran[fn.id] = set()
        for call in self.m.calls:
            owner = self.m.function_of(call)
            if owner is None or fn is None or owner.id != fn.id:
                continue
            kinds = self.direct_sink_kinds(call)
            if not kinds & {"shell", "eval"}:
                continue
            exprs = [self.taint.command_of(call)] if kinds == {"shell"} else arguments(call)[:2]
            for expr in exprs:
                if expr is None:
                    continue
                names = set()
                for node in self._resolve(expr, fn):
                    names |= self._names_in(node)
                ran |= {i for i, p in enumerate(params) if p in names}
        return ran

    def _resolve(self, node: Node, fn: Node | None, depth: int = 0) -> Iterator[Node]:
        yield node
        if depth >= 2:
            return
        assigns = self.m.assignments(fn)
        for n in walk(node, limit=200):
            if n.type in self.spec.identifiers or n.type in ("variable_name", "identifier", "scalar"):
                for rhs in assigns.get(text(n).lstrip("$"), [])[:3]:
                    yield from self._resolve(rhs, fn, depth + 1)

    def _names_in(self, node: Node) -> set[str]:
        """Identifier-like words of a node's text (to skip walks that cannot find a name)."""
        return set(_IDENT.findall((node.text or b"").decode("latin-1")))

    def _has_decoder(self, arg: Node, fn: Node | None) -> str | None:
        for root in self._resolve(arg, fn):
            words = self._names_in(root)
            if self.pats.decoders.isdisjoint(words) and "from" not in words:
                continue  # neither a decoder nor Buffer.from in it
            for n in walk(root, limit=400):
                if n.type not in self.spec.calls:
                    continue
                full, last, obj = callee(n)
                if last not in self.pats.decoders:
                    continue
                ctx = (full + " " + " ".join(text(a) for a in arguments(n)[:3])).lower()
                if last in ("decode", "Decode", "loads", "unpack", "NewReader", "decompress", "from", "DecodeString"):
                    if not any(k in ctx for k in ("base64", "b64", "hex", "rot", "zlib", "gzip", "marshal",
                                                  "pickle", "bz2", "lzma", "h*", "u*")):
                        continue
                return full or last
                # Buffer.from(x, 'base64') is a call to 'from': handled below
            for n in walk(root, limit=400):
                if n.type in self.spec.calls and callee(n)[1] == "from":
                    if any((literal(a, self.spec) or "") in ("base64", "hex", "base64url") for a in arguments(n)):
                        return callee(n)[0]
        return None

    def _has_download(self, arg: Node, fn: Node | None, helpers: bool = False) -> str | None:
        """The download ``arg`` holds; with ``helpers``, also the result of a helper of this file that
        downloads (``pullBlob(url)`` around ``http.Client.Get``): asked for the bytes a program writes
        to a file it then runs, where the value is the download itself, not data parsed from one."""
        for root in self._resolve(arg, fn):
            got = self._download_in(root)
            if got:
                return got
            if not helpers:
                continue
            for n in walk(root, limit=400):
                helper = self.m.functions.get(self.m.callee(n)[1]) if n.type in self.spec.calls else None
                if helper is not None and (fn is None or helper.id != fn.id):
                    got = self._download_in(helper)
                    if got:
                        return f"{self.m.callee(n)[1]}() -> {got}"
        return None

    def _download_in(self, root: Node) -> str | None:
        """The first download call in ``root``."""
        if not self.pats.downloaders.isdisjoint(self._names_in(root)):
            for n in walk(root, limit=400):
                if n.type not in self.spec.calls:
                    continue
                full, last, obj = callee(n)
                if last not in self.pats.downloaders:
                    continue
                # (the receiver or the argument says what is read: http.Get(u), client.Get(url))
                low = full.lower() + " " + " ".join(text(a) for a in arguments(n)[:1]).lower()[:80]
                if last in ("get", "Get", "read", "download", "readAll", "get_contents"):
                    if not any(k in low for k in ("http", "requests", "urllib", "axios", "url", "curl", "lwp")):
                        continue
                    if any(k in low for k in _REQUEST_INPUT):
                        continue  # request.args.get(): the request being served, input, not a download
                elif last == "request" and full != "request" and \
                        not any(k in low for k in ("http", "urllib", "requests", "client")):
                    continue
                if last == "file_get_contents":
                    args = arguments(n)
                    v = literal(args[0], self.spec) if args else None
                    if not (v and v.startswith(("http:", "https:", "ftp:"))):
                        continue
                return full or last
        return None

    def _success(self, body: Node, fn: Node | None) -> str | None:
        """What in a branch says 'access granted'."""
        fname = syntax.function_name(fn).lower() if fn is not None else ""
        auth_fn = any(w in fname for w in self.pats.auth_function_words)
        for n in walk(body, limit=600):
            t = n.type
            if t in self.spec.calls:
                full, last, _ = callee(n)
                low = last.lower()
                if low in self.pats.success_calls or ("session" in full.lower() and low in
                                                      ("create", "new", "start", "open", "set", "put")) \
                        or _grants_by_name(last):
                    return f"{full}()"
                if any(_PRIVILEGED.fullmatch((literal(a, self.spec) or "").strip()) or _privileged_name(a, self.spec)
                       for a in arguments(n)[:4]) and \
                        not _LOGGING.search(last) and last not in self.pats.sinks.get(self.m.family, {}):
                    return f"{full}(... {text(n)[:60]})"  # a role or identity handed on: WithValue(ctx, k, "admin")
                if low in ("getsession", "setattribute", "set_attribute", "session") and any(
                        (literal(a, self.spec) or text(a)).strip("'\"").lower() in _IDENTITY_KEYS | {"true"}
                        for a in arguments(n)[:2]):
                    return f"{full}()"  # a servlet session created or given a user/role
            elif (t in self.spec.assignments or t in ("assignment_expression", "assignment")) and \
                    t not in LOOPS:  # a loop variable grants nothing
                left = n.child_by_field_name("left") or n.child_by_field_name("name")
                right = n.child_by_field_name("right") or n.child_by_field_name("value")
                if left is not None and right is not None:
                    name = text(left).replace("->", ".").rsplit(".", 1)[-1].lstrip("$").lower()
                    if name in self.pats.success_flags and text(right).strip() in ("1", "true", "True", "TRUE"):
                        return f"{text(left)} = {text(right)}"
                    if self.m.family == "bash" and _SHELL_IDENTITY.search(name) and \
                            _PRIVILEGED.fullmatch(text(right).strip("'\" ")):
                        return f"{text(left)}={text(right)}"  # a CGI library's session state: SESSION_USER=admin
                    if _records_identity(left, right):
                        return f"{text(left)} = {text(right)[:40]}"
                    if _privileged_name(right, self.spec) and any(ch in text(left) for ch in "*.[>"):
                        return f"{text(left)} = {text(right)[:40]}"  # *level = LEVEL_ADMIN: handed to the caller
            elif t in self.spec.strings:
                v = literal(n, self.spec) or ""
                if v.lower().startswith("set-cookie"):
                    return "Set-Cookie"
            elif t in self.spec.returns:
                val = text(n).removeprefix("return").strip().rstrip(";").strip()
                if (auth_fn or _AUTHORIZES.search(fname)) and (
                        val in ("1", "true", "True", "TRUE", "AUTH_OK", "PAM_SUCCESS") or val.startswith("200") or
                        (self.m.family == "bash" and val in ("0", ""))):  # a shell function succeeds with 0
                    return f"return {val}"
                if _PRIVILEGED.search(val) and not _DENIAL.search(val) or \
                        any(_privileged_name(c, self.spec) for c in walk(n, limit=40)):
                    return f"return {val[:60]}"  # an identity with an administrator's role
            elif t == "goto_statement":
                label = text(n).lower()
                if any(w in label for w in ("auth", "ok", "success", "grant", "skip", "login")):
                    return text(n)
        return None

    def _branches(self) -> Iterator[tuple[Node, Node, list[Comparison], list[Node], str | None]]:
        """(if-node, condition, comparisons, what runs when they hold, real check or'ed in) of every
        branch on a literal: the taken side of an if, or the statements after a guard that leaves
        when the comparison fails."""
        for ifnode in self.m.groups["if"]:
            cond = ifnode.child_by_field_name("condition")
            if cond is None:
                continue
            body = (ifnode.child_by_field_name("consequence") or ifnode.child_by_field_name("body")
                    or ifnode.child_by_field_name("block"))
            if ifnode.type == "postfix_conditional_expression":  # Perl: STATEMENT if COND
                if any(c.type == "unless" for c in ifnode.children[:3]):
                    continue
                body = ifnode.named_children[0] if ifnode.named_children else None
            bodies = [body]
            if body is None and self.m.family == "bash":
                # shell: the statements between "then" and the next elif/else/fi are the branch
                bodies = [c for c in ifnode.named_children if c.id != cond.id and c.start_byte > cond.end_byte and
                          c.type not in ("elif_clause", "else_clause", "comment")][:24]
                body = bodies[0] if bodies else None
            if body is None:
                continue
            fn = self.m.function_of(ifnode)
            if _leaves(ifnode, self.spec):
                negated = syntax.negated_comparisons(cond, self.spec, self.m.macro_literals)
                if negated:
                    after = []
                    nxt = ifnode.next_named_sibling
                    while nxt is not None and len(after) < 12:
                        after.append(nxt)
                        nxt = nxt.next_named_sibling
                    yield ifnode, cond, negated, after, None
                    continue
            comps = self._tests(cond, False, fn)
            any_or = self._or_with_real_check(cond)
            if any_or:  # "password == LITERAL || real_check()": the literal side alone lets one in
                comps += [c for c in self._or_comparisons(cond) if self._is_credential(c.subject)]
            yield ifnode, cond, comps, bodies, any_or
        if self.m.family == "bash":
            # shell: a case pattern selects the commands of its item
            for node in walk(self.m.root, limit=20000):
                if node.type != "case_item":
                    continue
                patterns_ = {p.id for p in node.children_by_field_name("value")}
                bodies = [c for c in node.named_children if c.id not in patterns_ and c.type != "comment"][:24]
                comps = comparisons(node, self.spec, self.m.macro_literals)
                if comps and bodies:
                    yield node, node, comps, bodies, None
            # shell: "[ test ] && { ...; }" is an if without the keyword
            for node in walk(self.m.root, limit=20000):
                if node.type != "list" or node.named_child_count != 2 or \
                        not any(c.type == "&&" for c in node.children):
                    continue
                cond, body = node.named_children
                if cond.type not in ("test_command", "command", "list") or body.type == "test_command" or \
                        node.parent is not None and node.parent.type == "list":
                    continue  # (the outermost list of a chain is the branch)
                comps = self._tests(cond, False, self.m.function_of(node))
                if comps:
                    yield node, cond, comps, [body], None

    def _credential_checks(self) -> Iterator[Finding]:
        for ifnode, cond, comps, bodies, any_or in self._branches():
            fn = self.m.function_of(ifnode)
            credential = False  # a branch on a built-in credential: its user-name test is the same account
            magic: list[Finding] = []
            for comp in comps:
                if comp.char or len(comp.value.strip()) < 4:
                    continue
                success = next((got for got in (self._success(b, fn) for b in bodies) if got), None) or any_or
                is_cred = None  # judged once, and only for a branch that may grant (it follows input)
                if not success and fn is not None and _secret_like(comp.value) and comp.node.type != "in" and \
                        self._auth_function(fn) and not any(_DENIAL_STEP.search(text(b)) for b in bodies) and \
                        self._is_credential(comp.subject):
                    # decompiled or terse code: the branch of a login function taken on a literal password
                    # (named or fetched as one: a parameter's position alone is too weak without a grant)
                    success = f"the branch taken in {syntax.function_name(fn)}()"
                    is_cred = True
                if not success:
                    continue
                if is_cred is None:
                    is_cred = self._credential_compared(comp, fn)
                if is_cred:
                    real = self._real_check_in(fn, comp) or any_or
                    if real:
                        msg = (f"{text(comp.subject)} compared with literal {comp.value!r} grants access "
                               f"({success}) beside the real check {real}")
                        f = self._finding("source.master-password", comp.node, msg, {
                            "literal": comp.value, "input": text(comp.subject)[:120], "real_check": real,
                            "grants": success}, severity="medium" if self.test else None)
                    else:
                        msg = f"{text(comp.subject)} compared with literal {comp.value!r} grants access ({success})"
                        # a built-in token that makes the caller an administrator is a way around the login
                        # (the grant, or an administrator role the branch sets beside it)
                        admin = bool(_PRIVILEGED.search(success) or re.search(r"uid\s*=\s*0\b", success) or
                                     any(_ROLE_SET.search(text(b)[:2000]) for b in bodies if b is not None))
                        f = self._finding("source.hardcoded-credential-check", comp.node, msg, {
                            "literal": comp.value, "input": text(comp.subject)[:120], "grants": success},
                            severity="medium" if self.test else None, category="auth-bypass" if admin else None)
                    credential = True
                    if f:
                        yield f
                    continue
                if not self.rare(comp.value):
                    continue
                why = self._compared_input(comp, fn)
                if not why:
                    continue
                if why.startswith("parameter") and not any(
                        w in text(comp.subject).lower() for w in ("agent", "header", "user", "cookie", "token")) and \
                        not (fn is not None and _AUTHORIZES.search(syntax.function_name(fn)) and
                             (comp.value.startswith("0x") or _secret_like(comp.value))):
                    # a parameter is input when it is named as such, or when an authentication or
                    # session check compares it with a magic number or a secret-shaped literal
                    continue
                msg = (f"input ({why}) compared with rare literal {comp.value!r} grants access ({success})")
                f = self._finding("source.magic-input-auth", comp.node, msg, {
                    "trigger": comp.value, "input": text(comp.subject)[:120], "input_origin": why,
                    "grants": success}, severity="medium" if self.test else None)
                if f:
                    magic.append(f)
            if not credential:
                yield from magic

    def _literal_keys(self) -> Iterator[Finding]:
        """A token-signing or MAC key (``patterns.key_calls``) that is a literal of the program:
        written in the call, a constant, or returned by the file's own key function (once per key)."""
        seen: set[str] = set()
        for call in self.m.calls:
            _, last, obj = self.m.callee(call)
            uses = self.pats.key_calls.get(last)
            if not uses:
                continue
            args = arguments(call)
            owner = text(obj).lower() if obj is not None else ""
            for index, objects in uses:
                if objects and not any(o in owner for o in objects):
                    continue
                if not args or index >= len(args) or index < -len(args):
                    continue
                fn = self.m.function_of(call)
                got = self._literal_value(args[index], fn, 0)
                if got is None:
                    continue
                value, how = got
                if not _secret_like(value) or ordinary_literal(value, self.pats) or value in seen:
                    continue
                seen.add(value)
                f = self._finding("source.literal-signing-key", call,
                                  f"{text(call)[:80]} signs or verifies with the literal {value[:40]!r} ({how})",
                                  {"key": value[:120], "call": text(call)[:160], "how": how,
                                   "function": syntax.function_name(fn) if fn is not None else ""},
                                  severity="medium" if self.test else None)
                if f:
                    yield f
                break

    def _basic_credentials(self) -> Iterator[Finding]:
        """A literal ``user:password`` base64-encoded in a file that speaks HTTP Basic: ``btoa('u:p')``,
        ``base64_encode('u:p')``, ``b64encode(b'u:p')``, ``Buffer.from('u:p').toString('base64')``, or
        a shell ``printf '%s:%s' 'u' 'p' | base64``."""
        if "Basic" not in self.src:
            return
        found: list[tuple[int, str, str]] = []  # (line, user:password, how)
        if self.m.family == "bash":
            for m in _SHELL_BASE64.finditer(self.src):
                args = [a.strip("'\"") for a in _SHELL_WORD.findall(m.group(2))]
                value = syntax.printf_text(m.group(1), args)
                if value is not None:
                    found.append((self.src.count("\n", 0, m.start()) + 1, value, "printf | base64"))
        else:
            for call in self.m.calls:
                _, last, obj = self.m.callee(call)
                args = arguments(call)
                if last in _BASE64_ENCODERS and args:
                    value = syntax.value_literal(args[0], self.spec)
                elif last == "toString" and obj is not None and args and literal(args[0], self.spec) == "base64":
                    value = syntax.value_literal(obj, self.spec)
                else:
                    continue
                if value is not None:
                    found.append((call.start_point[0] + 1, value, f"{last}()"))
        for line, value, how in found[:8]:
            user, _, password = value.partition(":")
            if not _BASIC_PAIR.fullmatch(value) or not _secret_like(password):
                continue
            f = self._finding_at("source.literal-basic-credential", line,
                                 f"HTTP Basic credentials for '{user}' built from a literal ({how})",
                                 {"user": user, "password": password[:80], "how": how},
                                 severity="medium" if self.test else None)
            if f:
                yield f

    def _literal_value(self, node: Node, fn: Node | None, depth: int) -> tuple[str, str] | None:
        """(literal, how it gets there) when ``node`` always or on some path is a literal: written
        there, a constant, a variable given one, the right side of a fallback (``env || 'k'``),
        or a value the file's own function returns."""
        if depth > 3:
            return None
        v = syntax.value_literal(node, self.spec)
        if v is not None:
            return v, "written in the call" if depth == 0 else "a literal"
        raw = text(node)
        if node.type in self.spec.identifiers or node.type == "identifier":
            if raw in self.m.macro_literals:
                return self.m.macro_literals[raw], f"the constant {raw}"
            for rhs in (self.m.assignments(fn).get(raw) or self.m.assignments(None).get(raw) or [])[:3]:
                got = self._literal_value(rhs, fn, depth + 1)
                if got is not None:
                    return got[0], f"{raw} <- {got[1]}"
            return None
        if node.type in self.spec.binaries and syntax.operator(node) in ("||", "or", "??", "?:"):
            _, right = syntax.operands(node)
            got = self._literal_value(right, fn, depth + 1) if right is not None else None
            return (got[0], f"the fallback of {raw[:60]}") if got is not None else None
        if node.type in self.spec.calls:
            target = self.m.functions.get(self.m.callee(node)[1])
            if target is None:
                return None
            for ret in walk(target, limit=2000):
                owner = self.m.function_of(ret) if ret.type in self.spec.returns and ret.named_children else None
                if owner is not None and owner.id == target.id:
                    v = syntax.value_literal(ret.named_children[0], self.spec)
                    if v is not None:
                        return v, f"returned by {syntax.function_name(target)}() (line {ret.start_point[0] + 1})"
        return None

    def _credential_compared(self, comp: Comparison, fn: Node | None) -> bool:
        """The compared value is a credential: named or fetched as one, or a password-checking
        function's parameter compared with a password-shaped literal."""
        subject = syntax.same_text(comp.subject, self.spec)
        if self.m.family == "bash" and fn is not None and self._auth_function(fn) and \
                re.search(r"\$\{?[2-9]\b", text(subject)) and \
                (_secret_like(comp.value) or _HEX_DIGEST.fullmatch(comp.value.strip())):
            return True  # a shell password check's positional argument (check_password "$user" "$pass")
        return self._is_credential(subject) or (
            fn is not None and _secret_like(comp.value) and not _MAGIC_NUMBER.fullmatch(comp.value) and
            self._auth_function(fn) and
            text(subject).lstrip("$*&") in self.taint.parameter_names(fn))

    def _auth_function(self, fn: Node) -> bool:
        name = syntax.function_name(fn).lower()
        return any(w in name for w in self.pats.auth_function_words)

    def _compared_input(self, comp: Comparison, fn: Node | None) -> str | None:
        """Why a compared expression is outside input; a digest of input compared with a digest
        literal (``sha1_hex($q->cookie('k')) eq '4f80…'``) is that input, hashed."""
        why = self.is_input(comp.subject, fn)
        if why or not _HEX_DIGEST.fullmatch(comp.value.strip()):
            return why
        inner = self._hashed(comp.subject)
        if inner is comp.subject:
            return None
        why = self.is_input(inner, fn)
        return f"{why}, hashed" if why else None

    def _hashed(self, node: Node) -> Node:
        """The value a hash chain digests (``md5(x)``, ``sha256(x.encode()).hexdigest()``,
        ``createHash('sha1').update(x).digest('hex')``), or ``node`` when it is not one."""
        start, seen = node, False
        for _ in range(6):
            if node.type not in self.spec.calls:
                break
            full, last, obj = self.m.callee(node)
            args = arguments(node)
            fmt = literal(args[0], self.spec) if args else None
            if _HASHING.search(full) and args and fmt is None:
                node, seen = args[0], True
            elif last in ("update", "Write") and args:
                node, seen = args[0], True
            elif last in ("Sprintf", "sprintf", "format") and fmt in ("%x", "%02x", "{:x}") and len(args) == 2:
                node = args[1]  # the digest printed in hex
            elif syntax.same_text(node, self.spec) is not node:
                node = syntax.same_text(node, self.spec)
            elif (_HASHING.search(last) or last in ("hex", "encode", "toString")) and obj is not None:
                node = obj
            else:
                break
        return node if seen else start

    def _is_credential(self, subject: Node) -> bool:
        """The compared expression holds a credential: its last name (``form.password``,
        ``data['passwd']``, ``$pw``) or a quoted key names one."""
        subject = self._hashed(subject)  # md5_hex($pass) eq '...': the hashed value is the password
        if self._names_credential(text(subject)):
            return True
        # a variable filled by a request getter under a credential's name (pcVar2 = req_param(r, "password"))
        origin = self.taint.origin(subject)
        return origin is not None and "(" in origin.source and self._names_credential(
            origin.source.split("(", 1)[1].strip("')\" "))

    def _names_credential(self, raw: str) -> bool:
        s = raw.replace("->", ".").replace("::", ".")
        tail = s.rstrip("]").rsplit(".", 1)[-1].rsplit("[", 1)[-1].strip("'\"$ ").lower()
        if tail in self.pats.credential_names or any(tail.endswith(c) and len(c) >= 5
                                                      for c in self.pats.credential_names):
            return True
        return any(w in self.pats.credential_names and len(w) >= 5 for w in _WORDS.findall(s.lower()))

    def _or_comparisons(self, node: Node) -> list[Comparison]:
        out: list[Comparison] = []
        for n in walk(node, limit=300):
            if n.type in self.spec.binaries and syntax.operator(n) in ("||", "or"):
                for side in (n.child_by_field_name("left"), n.child_by_field_name("right")):
                    if side is not None:
                        out += comparisons(side, self.spec, self.m.macro_literals)
        return out

    def _returned_master_password(self) -> Iterator[Finding]:
        """``return password == LITERAL or verify(...)``: the same second way in, without an if."""
        for ret in self.m.groups.get("ret", []):
            real = self._or_with_real_check(ret)
            if not real:
                continue
            for comp in self._or_comparisons(ret):
                if comp.char or len(comp.value.strip()) < 4 or not self._is_credential(comp.subject):
                    continue
                msg = (f"{text(comp.subject)} compared with literal {comp.value!r} is accepted as an "
                       f"alternative to the real check ({real})")
                f = self._finding("source.master-password", comp.node, msg, {
                    "literal": comp.value, "input": text(comp.subject)[:120], "real_check": real,
                    "grants": "return value"}, severity="medium" if self.test else None)
                if f:
                    yield f

    def _or_with_real_check(self, cond: Node) -> str | None:
        raw = cond.text or b""
        if b"||" not in raw and b"or" not in raw:
            return None  # no alternative in it (checked on the text before walking the tree)
        for n in walk(cond, limit=300):
            if n.type in self.spec.binaries and syntax.operator(n) in ("||", "or"):
                for side in n.named_children:
                    for c in walk(side, limit=100):
                        if c.type in self.spec.calls and callee(c)[1] in self.pats.real_checks and \
                                callee(c)[1] not in ("strcmp",):
                            return f"{callee(c)[0]}() || literal"
        return None

    def _real_check_in(self, fn: Node | None, comp: Comparison) -> str | None:
        scope = fn if fn is not None else self.m.root
        for n in walk(scope, limit=20000):
            if n.type not in self.spec.calls or n.id == comp.node.id:
                continue
            full, last, _ = callee(n)
            if last not in self.pats.real_checks:
                continue
            args = arguments(n)
            if last == "strcmp" and any(literal(a, self.spec) is not None for a in args):
                continue
            return f"{full}()"
        return None

    def _privilege_in_condition(self) -> Iterator[Finding]:
        if self.m.family in ("go", "bash"):
            return
        for asg in self.m.groups["asg"]:
            left = asg.child_by_field_name("left") or asg.child_by_field_name("name")
            right = asg.child_by_field_name("right") or asg.child_by_field_name("value")
            if left is None or right is None:
                continue
            name = text(left).replace("->", ".").rsplit(".", 1)[-1].lstrip("$")
            if name not in self.pats.privilege_vars:
                continue
            val = text(right).strip()
            uidish = "id" in name.lower()
            if not ((uidish and val == "0") or (not uidish and val in ("1", "true", "True", "TRUE"))):
                continue
            # climb through expression nodes only: the assignment must sit inside an if/while test
            p, child = asg.parent, asg
            inside = False
            while p is not None:
                if p.type in self.spec.ifs or p.type in ("while_statement", "do_statement", "for_statement"):
                    cond = p.child_by_field_name("condition")
                    inside = cond is not None and cond.id == child.id
                    break
                if p.type.endswith(("statement", "declaration", "block", "definition")) or p.type in \
                        self.spec.functions:
                    break
                child, p = p, p.parent
            if not inside:
                continue
            fn = self.m.function_of(asg)
            msg = f"condition assigns {text(left)} = {val} (privilege raised whenever the test is evaluated)"
            f = self._finding("source.privilege-assignment-in-condition", asg, msg, {
                "assignment": text(asg)[:120], "function": syntax.function_name(fn) if fn else ""})
            if f:
                yield f
