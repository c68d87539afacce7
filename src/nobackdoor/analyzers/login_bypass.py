"""Does a console or login script hand out a shell without asking for a password?

Consoles often run a script instead of ``login`` (OpenWrt's ``::askconsole:/usr/libexec/login.sh``,
``getty -n -l SCRIPT``, ``telnetd -l SCRIPT``, a kernel ``init=SCRIPT``). Stock OpenWrt's login.sh
execs a shell only under a condition (root has no password, or ``ttylogin`` is off) and otherwise
runs ``login``; the back door is the variant that reaches ``exec /bin/ash`` (or ``login -f root``)
whatever happens. This module answers that one question with the bash grammar of tree-sitter: the
first top-level statement that runs a shell or ``login -f``, with nothing before it that could leave
the script (``exit``, ``exec``, a login program) inside a condition.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .config.knowledge import basename, knowledge
from .config.shell import option_value, unwrap

MAX_SCRIPT_BYTES = 256 * 1024
MAX_NODES = 20000
#: commands after which the rest of the script may not run, or that authenticate the user
_LEAVES = frozenset({"exit", "return", "logout", "exec", "reboot", "halt", "poweroff", "switch_root", "pivot_root",
                     "run-init"})
_WORD_NODES = ("word", "string", "raw_string", "expansion", "simple_expansion", "concatenation", "number")
_DEFAULT = re.compile(r"^\$\{[A-Za-z_]\w*:?[-=]([^}]*)\}$")


@dataclass(frozen=True)
class ShellGrant:
    line: int  # 1-based line of the statement
    command: str  # the command as written
    user: str | None = None  # login -f USER


@functools.cache
def _parser():
    from tree_sitter_language_pack import get_parser
    return get_parser("bash")


def unconditional_shell(text: str) -> ShellGrant | None:
    """The statement that always gives a shell without a password, or None."""
    data = text.encode("utf-8", "surrogateescape")[:MAX_SCRIPT_BYTES]
    try:
        root = _parser().parse(data).root_node
    except Exception:  # a grammar failure is "no answer", never a crash
        return None
    k = knowledge()
    for stmt in root.named_children:
        node = stmt
        if node.type == "redirected_statement" and node.named_children:
            node = node.named_children[0]
        if node.type in ("comment", "variable_assignment", "declaration_command", "function_definition"):
            continue
        if node.type != "command":
            if _may_leave(node):
                return None  # what follows runs only under a condition
            continue
        argv = _argv(node)
        if not argv:
            continue
        inner = unwrap(argv)
        if not inner:
            continue
        if basename(inner[0]) == "cttyhack" and len(inner) > 1:  # BusyBox: run the program on the real console
            inner = unwrap(inner[1:])
            if not inner:
                continue
        if basename(inner[0]) == "chroot":  # chroot NEWROOT [COMMAND...]: with no command, an interactive shell
            rest = [a for a in inner[1:] if not a.startswith("-")][1:]
            inner = unwrap(rest) if rest else ["sh"]
            if not inner:
                continue
        name = basename(inner[0]).lstrip("-")
        written = node.text.decode("utf-8", "replace")[:200]
        if k.is_shell(name) and "-c" not in inner and not any(not a.startswith("-") for a in inner[1:]):
            return ShellGrant(node.start_point[0] + 1, written)
        if name == "login" and option_value(inner[1:], "-f"):
            return ShellGrant(node.start_point[0] + 1, written, option_value(inner[1:], "-f"))
        if basename(argv[0]) == "exec" or name in _LEAVES or name in k.login_programs:
            return None  # the script is replaced, leaves, or asks for a password here
    return None


def _argv(node) -> list[str]:
    out = []
    for child in node.named_children:
        if child.type == "command_name":
            child = child.named_children[0] if child.named_children else child
        if child.type not in _WORD_NODES:
            continue
        out.append(_word(child.text.decode("utf-8", "replace")))
    return out


def _word(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        raw = raw[1:-1]
    m = _DEFAULT.match(raw)
    return m.group(1) if m else raw


def _may_leave(node) -> bool:
    """True when a compound statement contains a command that leaves the script or authenticates."""
    k = knowledge()
    todo = [node]
    seen = 0
    while todo and seen < MAX_NODES:
        n = todo.pop()
        seen += 1
        if n.type == "command":
            argv = _argv(n)
            if argv:
                name = basename(argv[0])
                inner = unwrap(argv)
                inner_name = basename(inner[0]) if inner else ""
                if name in _LEAVES or inner_name in k.login_programs:
                    return True
        todo.extend(n.named_children)
    return seen >= MAX_NODES
