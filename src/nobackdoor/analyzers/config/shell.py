"""A small, bounded reader of POSIX shell scripts as embedded devices write them.

It does not run anything. It turns a script into pipelines of commands with their words expanded as
far as can be known statically: simple ``NAME=value`` variables (also from ``.``/``source``d files),
``${NAME:-default}``, ``for x in GLOB`` loops over files of the tree, ``case`` branches, here-documents,
``$(...)`` and backquote substitutions, ``eval``/``sh -c`` strings, and payloads that the script decodes
and runs (see :mod:`.decode`), which are parsed again as shell so that every rule sees them.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .knowledge import basename, knowledge

MAX_DEPTH = 4  # nesting of sourced files, substitutions, eval strings and decoded payloads
MAX_COMMANDS = 20000
MAX_LOOP_VALUES = 64
MAX_GROUP_FEEDS = 64  # pipelines of a subshell group joined to the pipe after it (more: truncated)

OPERATORS = ("&&", "||", ";;", "|&", "|", ";", "&", "(", ")", "\n")
KEYWORDS = {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "esac", "time", "in"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(\+?)=(.*)$", re.S)
_RAW_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\+?=")
_LOOP_MARK = "\x00LOOP:"
_OP_START = frozenset("&|;()\n<>0123456789")
_REDIR = re.compile(r"(\d*)(<<<|<<-|<<|>>|>&|<&|&>>|&>|<>|>\||>|<)")
MAX_TOKENS = 200_000  # per parse, all nesting included: work is counted, never timed (same result under load)
MAX_PAYLOADS = 256


@dataclass
class Command:
    argv: list[str]
    line: int
    file: str | None = None  # relpath of a sourced file the command comes from (None: the script itself)
    raw: str = ""
    redirects: list[tuple[str, str]] = field(default_factory=list)
    stdin: str | None = None  # here-document or here-string
    branch: str | None = None  # label of the enclosing case branch
    via: tuple[str, ...] = ()  # how the command was reached through decoded payloads
    background: bool = False
    substitution: bool = False  # inside $(...) or backquotes
    substs: list["Pipeline"] = field(default_factory=list)  # command substitutions in its words

    @property
    def name(self) -> str:
        return basename(self.argv[0]) if self.argv else ""


@dataclass
class Pipeline:
    commands: list[Command]

    @property
    def line(self) -> int:
        return self.commands[0].line

    @property
    def raw(self) -> str:
        return " | ".join(c.raw for c in self.commands)


@dataclass
class Payload:
    """An encoded payload that the script decodes and executes."""

    line: int
    file: str | None
    methods: list[str]  # decoding steps, in order (base64, gzip, hex, tr, xor, printf-escapes, ...)
    sink: str  # how it is executed: eval, sh -c, | sh, python -c, file then run, ...
    encoded_size: int
    decoded: bytes | None  # None when the bytes could not be recovered statically
    raw: str
    via: tuple[str, ...] = ()
    source_file: str | None = None  # tree file the encoded bytes are read from, when not inline

    def describe(self) -> str:
        return "+".join(self.methods) if self.methods else "encoded"


@dataclass
class Script:
    pipelines: list[Pipeline] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    payloads: list[Payload] = field(default_factory=list)
    sourced: list[str] = field(default_factory=list)
    truncated: bool = False  # the token budget stopped the reading early

    def commands(self) -> Iterator[Command]:
        for p in self.pipelines:
            yield from p.commands


ReadFn = Callable[[str], "str | None"]  # absolute path in the target -> text
GlobFn = Callable[[str], "list[str]"]  # absolute glob pattern -> absolute paths


@dataclass
class _Token:
    kind: str  # word | op | redir
    value: str
    line: int
    raw: str = ""
    quoted: bool = False
    substs: list[str] = field(default_factory=list)
    split: bool = False


class _State:
    def __init__(self, variables: dict[str, str], read: ReadFn | None, glob: GlobFn | None) -> None:
        self.vars = variables
        self.read = read
        self.glob = glob
        self.loops: list[tuple[str, list[str]] | None] = []
        self.cases: list[dict] = []
        self.count = 0
        self.sourced: list[str] = []
        self.decoded_files: dict[str, Payload] = {}
        self.payloads: list[Payload] = []
        self.depth = 0
        self.tokens = 0
        self.last_source_file: str | None = None
        self.truncated = False

    def loop_values(self, name: str) -> list[str] | None:
        for loop in reversed(self.loops):
            if loop and loop[0] == name:
                return loop[1]
        return None


# ----------------------------------------------------------------- tokenizer


class _Tokenizer:
    def __init__(self, text: str, state: _State, line0: int = 1) -> None:
        self.s = text
        self.i = 0
        self.line = line0
        self.st = state
        self.pending_heredocs: list[list] = []  # [delimiter, strip_tabs, token]
        self._last_dollar = 0

    def tokens(self) -> Iterator[_Token]:
        s = self.s
        n = len(s)
        st = self.st
        while self.i < n:
            st.tokens += 1
            if st.tokens > MAX_TOKENS:
                st.truncated = True
                return
            c = s[self.i]
            if c in " \t\r":
                self.i += 1
                continue
            if c == "\\" and s.startswith("\\\n", self.i):
                self.i += 2
                self.line += 1
                continue
            if c == "#":
                end = s.find("\n", self.i)
                self.i = n if end < 0 else end
                continue
            if c == "\n":
                tok = _Token("op", "\n", self.line)
                self.i += 1
                self.line += 1
                if self.pending_heredocs:
                    self._read_heredocs()
                yield tok
                continue
            op = self._operator()
            if op:
                yield op
                continue
            yield self._word()

    def _operator(self) -> _Token | None:
        s, i = self.s, self.i
        if s[i] not in _OP_START:
            return None
        if s.startswith(("<(", ">("), i):
            return None  # process substitution: read as a word by _word
        # redirections: [n]> >> >& < << <<- <<< &> <> >|
        m = _REDIR.match(s, i, i + 8)
        if m:
            if m.group(1) and i > 0 and s[i - 1] not in " \t\n;|&()":
                return None
            self.i = m.end()
            return _Token("redir", m.group(2), self.line)
        for op in OPERATORS:
            if s.startswith(op, i):
                self.i += len(op)
                return _Token("op", op, self.line)
        return None

    def _word(self) -> _Token:
        s = self.s
        n = len(s)
        start = self.i
        line = self.line
        out: list[str] = []
        substs: list[str] = []
        quoted = False
        split = False
        while self.i < n:
            c = s[self.i]
            if c in "<>" and s.startswith("(", self.i + 1):
                end = self._matching(self.i + 2, "(", ")")
                inner = s[self.i + 2:end]
                self.line += inner.count("\n")
                substs.append(inner)
                out.append("$(" + inner + ")")
                self.i = end + 1
                continue
            if c in " \t\r\n;&|()<>":
                break
            if c == "\\":
                if self.i + 1 < n:
                    if s[self.i + 1] == "\n":
                        self.line += 1
                    else:
                        out.append(s[self.i + 1])
                self.i += 2
                continue
            if c == "'":
                quoted = True
                end = s.find("'", self.i + 1)
                end = n if end < 0 else end
                chunk = s[self.i + 1:end]
                self.line += chunk.count("\n")
                out.append(chunk)
                self.i = end + 1
                continue
            if c == '"':
                quoted = True
                self.i += 1
                while self.i < n and s[self.i] != '"':
                    d = s[self.i]
                    if d == "\\" and self.i + 1 < n and s[self.i + 1] in '$`"\\\n':
                        if s[self.i + 1] != "\n":
                            out.append(s[self.i + 1])
                        else:
                            self.line += 1
                        self.i += 2
                        continue
                    if d == "$" or d == "`":
                        out.append(self._dollar(substs, in_quotes=True))
                        continue
                    if d == "\n":
                        self.line += 1
                    out.append(d)
                    self.i += 1
                self.i += 1
                continue
            if c == "$" or c == "`":
                value = self._dollar(substs, in_quotes=False)
                if not value.startswith("$(") and any(ch in value for ch in " \t\n"):
                    split = True  # an unquoted variable holding several words: the shell splits it
                out.append(value)
                continue
            out.append(c)
            self.i += 1
        raw = s[start:self.i]
        return _Token("word", "".join(out), line, raw=raw, quoted=quoted, substs=substs, split=split)

    def _matching(self, i: int, open_: str, close: str) -> int:
        """Index of the bracket closing the one before ``i`` (quotes respected), or len(s)."""
        s = self.s
        depth = 1
        n = len(s)
        while i < n:
            c = s[i]
            if c == "\\":
                i += 2
                continue
            if c == "'":
                e = s.find("'", i + 1)
                i = n if e < 0 else e + 1
                continue
            if c == '"':
                i += 1
                while i < n and s[i] != '"':
                    i += 2 if s[i] == "\\" else 1
                i += 1
                continue
            if c == open_:
                depth += 1
            elif c == close:
                depth -= 1
                if depth == 0:
                    return i
            i += 1
        return n

    def _dollar(self, substs: list[str], in_quotes: bool) -> str:
        value = self._dollar_value(substs)
        if "$(" in value and not self.s.startswith(("$(", "`"), self._last_dollar):
            substs.extend(_inner_substs(value))  # a variable that holds a command substitution
        return value

    def _dollar_value(self, substs: list[str]) -> str:
        self._last_dollar = self.i
        s = self.s
        i = self.i
        if s[i] == "`":
            end = i + 1
            while end < len(s) and s[end] != "`":
                end += 2 if s[end] == "\\" else 1
            inner = s[i + 1:end].replace("\\`", "`")
            self.line += inner.count("\n")
            self.i = end + 1
            substs.append(inner)
            return "$(" + inner + ")"
        nxt = s[i + 1:i + 2]
        if s.startswith("$((", i):
            end = self._matching(i + 3, "(", ")")
            end = self._matching(end + 1, "(", ")") if end < len(s) and s[end + 1:end + 2] == ")" else end
            self.i = min(len(s), end + 1)
            return s[i:self.i]
        if nxt == "(":
            end = self._matching(i + 2, "(", ")")
            inner = s[i + 2:end]
            self.line += inner.count("\n")
            self.i = end + 1
            substs.append(inner)
            return "$(" + inner + ")"
        if nxt == "{":
            end = self._matching(i + 2, "{", "}")
            body = s[i + 2:end]
            self.i = end + 1
            return self._param(body, s[i:self.i])
        m = _NAME.match(s, i + 1)
        if m:
            self.i = m.end()
            return self._param(m.group(0), s[i:self.i])
        if nxt and nxt in "0123456789@*#?$!-":
            self.i = i + 2
            return s[i:i + 2]
        self.i = i + 1
        return "$"

    def _param(self, body: str, raw: str) -> str:
        m = re.match(r"([A-Za-z_][A-Za-z0-9_]*|\d+|[@*#?$!])(:?[-=+?])?(.*)$", body, re.S)
        if not m:
            return raw
        name, op, rest = m.group(1), m.group(2), m.group(3)
        if self.st.loop_values(name) is not None:
            return f"{_LOOP_MARK}{name}\x00"
        value = self.st.vars.get(name)
        if op in (":-", "-", ":=", "="):
            if value is None or (op.startswith(":") and value == ""):
                value = expand_text(rest, self.st)
                if op.endswith("="):
                    self.st.vars[name] = value
        elif op in (":+", "+"):
            return expand_text(rest, self.st) if value else ""
        elif rest and not op:
            return raw  # ${x#pat}, ${x%pat}, ${#x}: not worked out
        return value if value is not None else raw

    def _read_heredocs(self) -> None:
        s = self.s
        for delim, strip, tok in self.pending_heredocs:
            body: list[str] = []
            while self.i < len(s):
                end = s.find("\n", self.i)
                end = len(s) if end < 0 else end
                line = s[self.i:end]
                self.i = end + 1
                self.line += 1
                check = line.lstrip("\t") if strip else line
                if check == delim:
                    break
                body.append(check if strip else line)
            tok.value = "\n".join(body) + "\n"
        self.pending_heredocs = []


def _inner_substs(value: str) -> list[str]:
    """Texts of the $(...) substitutions written in a string (bounded)."""
    out: list[str] = []
    i = 0
    while len(out) < 8:
        i = value.find("$(", i)
        if i < 0:
            break
        depth, j = 1, i + 2
        while j < len(value) and depth:
            depth += {"(": 1, ")": -1}.get(value[j], 0)
            j += 1
        out.append(value[i + 2:j - 1])
        i = j
    return out


def expand_text(text: str, state: _State) -> str:
    """Expand $NAME / ${...} in a default value or an unquoted fragment (no substitutions run)."""
    if "$" not in text:
        return text
    tok = _Tokenizer(text, state)
    words = []
    for t in tok.tokens():
        if t.kind == "word":
            words.append(t.value)
    return " ".join(words) if words else ""


# ----------------------------------------------------------------- parser


def parse(text: str, *, read: ReadFn | None = None, glob: GlobFn | None = None,
          variables: dict[str, str] | None = None) -> Script:
    """Parse a script. ``read`` and ``glob`` give access to the target's files (for ``.`` and loops)."""
    state = _State(dict(variables or {}), read, glob)
    script = Script(variables=state.vars)
    _parse_into(text, script, state, depth=0, file=None, via=(), line0=1)
    script.payloads = state.payloads
    script.sourced = state.sourced
    script.truncated = state.truncated
    return script


def _parse_into(text: str, script: Script, state: _State, *, depth: int, file: str | None,
                via: tuple[str, ...], line0: int, substitution: bool = False) -> None:
    if depth > MAX_DEPTH:
        return
    outer_depth = state.depth
    state.depth = depth
    try:
        _parse_body(text, script, state, depth=depth, file=file, via=via, line0=line0, substitution=substitution)
    finally:
        state.depth = outer_depth


def _parse_body(text: str, script: Script, state: _State, *, depth: int, file: str | None,
                via: tuple[str, ...], line0: int, substitution: bool) -> None:
    from . import decode  # the decoder needs Pipeline/Command; imported late to keep the cycle harmless

    tok = _Tokenizer(text, state, line0)
    words: list[_Token] = []
    pipeline: list[Command] = []
    redirs: list[tuple[str, str]] = []
    stdin: list[str | None] = [None]
    pending_redir: list[str | None] = [None]
    # a subshell group piped on: "(wget -O- URL || curl URL) | sh" feeds every pipeline of the
    # group into the commands after the pipe
    group_starts: list[int] = []
    after_group: list[Pipeline] | None = None  # the group just closed (until the next token)
    feeding: list[Pipeline] | None = None  # the group whose output the pipeline being read takes

    def finish_command() -> None:
        nonlocal words, redirs
        argv_toks = words
        words = []
        rd = redirs
        redirs = []
        heredoc = stdin[0]
        stdin[0] = None
        if not argv_toks:
            return
        cmds = _make_commands(argv_toks, rd, heredoc, state, file, via, substitution)
        for cmd in cmds:
            pipeline.append(cmd)

    def finish_pipeline(background: bool = False) -> None:
        nonlocal pipeline, feeding
        finish_command()
        if not pipeline:
            return
        cmds = pipeline
        pipeline = []
        if feeding is not None:
            group, feeding = feeding, None
            if len(group) > MAX_GROUP_FEEDS:
                state.truncated = True
            for gp in group[:MAX_GROUP_FEEDS]:
                gp.commands.extend(cmds)
                if background:
                    for c in cmds:
                        c.background = True
                try:
                    decode.inspect_pipeline(gp, script, state, depth)
                except RecursionError:
                    pass
            return
        # split multiplied (loop) commands into separate pipelines when the stage count differs
        p = Pipeline(cmds)
        if background:
            for c in cmds:
                c.background = True
        _emit(p, script, state, depth, file, via)
        try:
            decode.inspect_pipeline(p, script, state, depth)
        except RecursionError:
            pass

    for t in tok.tokens():
        if state.count > MAX_COMMANDS:
            state.truncated = True
            break
        closed, after_group = after_group, None
        if t.kind == "redir":
            pending_redir[0] = t.value
            continue
        if t.kind == "word" and not t.quoted and not words and pending_redir[0] is None and \
                t.value in ("{", "}") and not (state.cases and state.cases[-1]["expect"]):
            # a brace group: "{ curl -fs URL; } | sh" feeds the pipe like a subshell group
            finish_pipeline()
            if t.value == "{":
                group_starts.append(len(script.pipelines))
            elif group_starts:
                after_group = [p for p in script.pipelines[group_starts.pop():] if p.commands]
            continue
        if t.kind == "word":
            if pending_redir[0] is not None:
                op = pending_redir[0]
                pending_redir[0] = None
                if op in ("<<", "<<-"):
                    holder = _Token("word", "", t.line)
                    tok.pending_heredocs.append([t.value, op == "<<-", holder])
                    redirs.append((op, t.value))
                    stdin[0] = holder  # type: ignore[assignment]  # filled at the end of the line
                elif op == "<<<":
                    stdin[0] = t.value
                    redirs.append((op, t.value))
                else:
                    redirs.append((op, t.value))
                continue
            # case patterns: "pat1|pat2)" after "in" or ";;"
            if state.cases and state.cases[-1]["expect"] and not words:
                if t.value == "esac":
                    state.cases.pop()
                    continue
                state.cases[-1]["pattern"].append(t.value)
                continue
            words.append(t)
            # "for NAME in ..." and "case WORD in" are handled when the command ends
            continue
        op = t.value
        if state.cases and state.cases[-1]["expect"]:
            if op == ")":
                state.cases[-1]["label"] = "|".join(state.cases[-1]["pattern"]).strip("(")
                state.cases[-1]["pattern"] = []
                state.cases[-1]["expect"] = False
            continue
        if op == "(" and len(words) == 1 and _NAME.fullmatch(words[0].value or ""):
            words = []  # function definition "name() {"
            continue
        if op == "(":
            finish_pipeline()
            group_starts.append(len(script.pipelines))
            continue
        if op == ")":
            finish_pipeline()
            if group_starts:
                after_group = [p for p in script.pipelines[group_starts.pop():] if p.commands]
            continue
        if op == "|" and closed and not words and not pipeline:
            feeding = closed
            continue
        if _handle_compound(words, state):
            words = []
            if op == ";;" and state.cases:
                state.cases[-1]["expect"] = True
            continue
        if op == "|" or op == "|&":
            finish_command()
            continue
        if op == "&":
            finish_pipeline(background=True)
            continue
        finish_pipeline()
        if op == ";;" and state.cases:
            state.cases[-1]["expect"] = True
    if not _handle_compound(words, state):
        finish_pipeline()


def _handle_compound(words: list[_Token], state: _State) -> bool:
    """Consume ``for``/``case`` headers; returns True when the words were such a header."""
    if not words:
        return False
    first = words[0].value
    if first == "for" and len(words) >= 2 and not words[0].quoted:
        name = words[1].value
        values: list[str] = []
        if len(words) > 3 and words[2].value == "in":
            for w in words[3:]:
                if w.value in ("do", ";"):
                    break
                values.extend(_glob_word(w, state))
        state.loops.append((name, values[:MAX_LOOP_VALUES]))
        return True
    if first == "case" and not words[0].quoted:
        label = words[1].value if len(words) > 1 else ""
        state.cases.append({"word": label, "expect": True, "pattern": [], "label": None})
        return True
    if first in ("while", "until") and not words[0].quoted:
        state.loops.append(None)
        # the condition itself is a command: keep it by not consuming
        return False
    return False


def _glob_word(w: _Token, state: _State) -> list[str]:
    value = w.value
    if not w.quoted and any(ch in value for ch in "*?[") and state.glob and value.startswith("/"):
        hits = state.glob(value)
        if hits:
            return sorted(hits)
    if not w.quoted and value.startswith("$("):
        return []
    return [value] if w.quoted else value.split()


def _current_branch(state: _State) -> str | None:
    for c in reversed(state.cases):
        if c.get("label"):
            return c["label"]
    return None


def _make_commands(toks: list[_Token], redirs: list, heredoc: str | None, state: _State, file: str | None,
                   via: tuple[str, ...], substitution: bool) -> list[Command]:
    # drop leading keywords (if, then, do, !, {, ...)
    toks = list(toks)
    while toks and not toks[0].quoted and toks[0].value in KEYWORDS:
        kw = toks.pop(0).value
        if kw == "done" and state.loops:
            state.loops.pop()
        elif kw == "esac" and state.cases:
            state.cases.pop()
    while toks and not toks[-1].quoted and toks[-1].value in ("}", "fi", "done", "esac"):
        kw = toks.pop().value
        if kw == "done" and state.loops:
            state.loops.pop()
        elif kw == "esac" and state.cases:
            state.cases.pop()
    if toks and toks[0].value == "function" and len(toks) >= 2:
        toks = toks[2:]
    if not toks:
        return []
    if toks[0].value in ("for", "case") and not toks[0].quoted:
        _handle_compound(toks, state)
        return []
    # assignments
    assigns = []
    while toks and _RAW_ASSIGN.match(toks[0].raw) and _ASSIGN.match(toks[0].value):
        assigns.append(toks.pop(0))
    if toks and toks[0].value in ("export", "readonly", "local", "declare", "typeset") and not toks[0].quoted:
        assigns.extend(t for t in toks[1:] if _RAW_ASSIGN.match(t.raw) and _ASSIGN.match(t.value))
        if all(_ASSIGN.match(t.value) or t.value.startswith("-") for t in toks[1:]):
            toks = []
    if assigns and not toks:
        for a in assigns:
            m = _ASSIGN.match(a.value)
            assert m
            name, plus, value = m.groups()
            state.vars[name] = state.vars.get(name, "") + value if plus else value
    line = toks[0].line if toks else (assigns[0].line if assigns else 0)
    body = heredoc
    real_redirs = list(redirs)
    substs = [s for t in (assigns + toks) for s in t.substs]
    if not toks:
        if substs:
            c = Command([], line, file, raw=" ".join(t.raw for t in assigns), via=via, substitution=substitution)
            c.substs = _parse_substs(substs, state, file, via, line)
            return [c]
        return []
    argv = [w for t in toks for w in (t.value.split() if t.split else [t.value])]
    raw = " ".join(t.raw for t in toks)
    branch = _current_branch(state)
    variants = _expand_loops(argv, state)
    out = []
    state.count += len(variants)
    parsed_substs = _parse_substs(substs, state, file, via, line) if substs else []
    for av in variants:
        cmd = Command(av, line, file, raw=raw[:500], redirects=real_redirs, stdin=body, branch=branch, via=via,
                      substitution=substitution)
        cmd.substs = parsed_substs
        out.append(cmd)
    return out


def stdin_text(cmd: Command) -> str | None:
    """The here-document or here-string fed to a command, if any."""
    if cmd.stdin is None:
        return None
    return cmd.stdin.value if isinstance(cmd.stdin, _Token) else str(cmd.stdin)


def _parse_substs(substs: list[str], state: _State, file: str | None, via: tuple[str, ...], line: int) -> list[Pipeline]:
    sub = Script()
    for text in substs[:16]:
        _parse_into(text, sub, state, depth=state.depth + 1, file=file, via=via, line0=line, substitution=True)
    return sub.pipelines


def _expand_loops(argv: list[str], state: _State) -> list[list[str]]:
    if not any(_LOOP_MARK in a for a in argv):
        return [argv]
    names = set(re.findall(re.escape(_LOOP_MARK) + r"(\w+)\x00", " ".join(argv)))
    variants = [argv]
    for name in names:
        values = state.loop_values(name) or []
        mark = f"{_LOOP_MARK}{name}\x00"
        variants = [[a.replace(mark, v) for a in av] for av in variants for v in values] or []
    return variants[:MAX_LOOP_VALUES]


def _emit(p: Pipeline, script: Script, state: _State, depth: int, file: str | None, via: tuple[str, ...]) -> None:
    script.pipelines.append(p)
    for cmd in p.commands:
        # command substitutions run before the command
        for sp in cmd.substs:
            if sp not in script.pipelines:
                script.pipelines.append(sp)
        argv = unwrap(cmd.argv)
        if not argv:
            continue
        name = basename(argv[0])
        if name in (".", "source") and len(argv) > 1 and state.read and depth < MAX_DEPTH:
            target = argv[1]
            if target.startswith("/") and target not in state.sourced and "$" not in target:
                text = state.read(target)
                if text is not None:
                    state.sourced.append(target)
                    _parse_into(text, script, state, depth=depth + 1, file=target.lstrip("/"), via=via, line0=1)
        elif name == "eval" and len(argv) > 1 and depth < MAX_DEPTH:
            code = " ".join(argv[1:])
            if "$(" not in code:
                _parse_into(code, script, state, depth=depth + 1, file=file, via=via, line0=cmd.line)
        elif knowledge().is_shell(name) and depth < MAX_DEPTH:
            code = option_value(argv[1:], "-c")
            if code and "$(" not in code:
                _parse_into(code, script, state, depth=depth + 1, file=file, via=via, line0=cmd.line)


# ----------------------------------------------------------------- helpers for rules


def unwrap(argv: list[str]) -> list[str]:
    """The command a wrapper runs: ``nohup x``, ``env A=1 x``, ``busybox x``, ``start-stop-daemon -x x -- a``,
    ``procd_set_param command x``, ``exec x`` ... (bounded)."""
    k = knowledge()
    for _ in range(6):
        if not argv:
            return argv
        name = basename(argv[0])
        if name in k.multicall and len(argv) > 1 and not argv[1].startswith("-"):
            argv = argv[1:]
            continue
        if name not in k.wrappers:
            return argv
        rest = argv[1:]
        if name == "start-stop-daemon" or name == "ssd":
            prog = option_value(rest, "-x", "--exec", "-a", "--startas")
            extra = rest[rest.index("--") + 1:] if "--" in rest else []
            return [prog] + extra if prog else []
        if name == "procd_set_param":
            return rest[1:] if rest and rest[0] == "command" else []
        if name == "env":
            while rest and ("=" in rest[0] or rest[0].startswith("-")):
                rest = rest[1:]
        elif name in ("nice", "ionice", "chrt", "taskset", "timeout", "stdbuf", "flock", "chpst"):
            while rest and rest[0].startswith("-"):
                rest = rest[2:] if rest[0] in ("-n", "-c", "-p", "-u", "-s", "-k") else rest[1:]
            if name in ("taskset", "timeout", "chrt", "flock") and rest:
                rest = rest[1:]
        elif name in ("sudo", "doas"):
            while rest and rest[0].startswith("-"):
                rest = rest[2:] if rest[0] in ("-u", "-g") else rest[1:]
        else:
            while rest and rest[0].startswith("-") and name not in ("exec",):
                rest = rest[1:]
            if name == "exec":
                while rest and rest[0] in ("-a", "-c", "-l"):
                    rest = rest[2:] if rest[0] == "-a" else rest[1:]
        argv = rest
    return argv


def option_value(args: list[str], *names: str) -> str | None:
    """Value of an option given as ``-x v``, ``-xv``, ``--x=v`` or ``--x v`` (first match)."""
    for i, a in enumerate(args):
        for n in names:
            if a == n:
                return args[i + 1] if i + 1 < len(args) else ""
            if n.startswith("--") and a.startswith(n + "="):
                return a[len(n) + 1:]
            if not n.startswith("--") and len(n) == 2 and a.startswith(n) and len(a) > 2 and not a.startswith("--"):
                return a[2:]
    return None


def cluster_value(args: list[str], letter: str) -> str | None:
    """Value of a short option given inside a flag cluster: ``-qO-``, ``-qO file``, ``-lnvp 80``."""
    for i, a in enumerate(args):
        if a.startswith("-") and not a.startswith("--") and letter in a[1:]:
            rest = a[a.index(letter, 1) + 1:]
            if rest:
                return rest
            return args[i + 1] if i + 1 < len(args) else ""
    return None


def short_flags(args: list[str]) -> set[str]:
    """Single-letter flags present in ``args`` (``-lnp`` gives l, n, p)."""
    out: set[str] = set()
    for a in args:
        if a.startswith("-") and not a.startswith("--") and len(a) > 1:
            out.update(a[1:])
    return out
