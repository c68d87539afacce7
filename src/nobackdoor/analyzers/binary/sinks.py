"""What a call means: comparison, command sink, privilege change, network entry, authentication.

The routine lists live in ``rules/binary.knowledge.yaml``; this module reads them once and turns a
resolved :class:`~.constants.Call` into facts the decision uses.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from .model import Call, Result
from .elf import Image


@functools.cache
def knowledge() -> dict[str, Any]:
    text = resources.files("nobackdoor.rules").joinpath("binary.knowledge.yaml").read_text("utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (safe loader)


def base_name(name: str) -> str:
    """Import names carry versions or glibc aliases: ``strcmp@GLIBC_2.4``, ``__strcmp_gg``."""
    name = name.split("@", 1)[0]
    if name.startswith("__") and name.endswith("_chk"):
        name = name[2:-4]
    return name


@functools.cache
def interesting_imports() -> frozenset[str]:
    k = knowledge()
    return frozenset(set(k["compare_routines"]) | set(k["command_sinks"]) | set(k["privilege_sinks"])
                     | set(k["redirect_sinks"]) | set(k["auth_routines"]) | set(k["network"]))


@dataclass
class Sink:
    addr: int
    routine: str
    kind: str  # "command" | "shell" | "privilege" | "redirect"
    argument: str | None  # the constant command, when it resolved
    #: the command with its constant arguments (``execl(path, arg0, arg1, ...)``), joined by spaces
    command_line: str | None = None

    @property
    def shell_service(self) -> bool:
        """It starts a shell service without a login (``telnetd -l /bin/sh``)."""
        line = self.command_line or self.argument or ""
        return any(re.search(p, line) for p in knowledge()["shell_services"])

    @property
    def interactive_shell(self) -> bool:
        """A shell started with no command to run (no ``-c``): it reads commands from its input."""
        return self.kind == "shell" and " -c" not in f" {self.command_line or self.argument or ''}"

    def describe(self) -> str:
        if self.kind in ("privilege", "redirect"):
            return f"{self.routine}({self.argument})"
        if self.command_line and self.command_line != self.argument:
            return f"{self.routine}(\"{self.command_line}\")"
        if self.argument:
            return f"{self.routine}(\"{self.argument}\")"
        return f"{self.routine}(<runtime value>)"


def written_argument(name: str) -> int | None:
    """Which argument of the library routine ``name`` it writes into: a copy's or a formatter's
    destination, the buffer of a network or file read, the text a converter produces; None for any other
    routine."""
    k = knowledge()
    if name in k["copy_routines"]:
        return k["copy_routines"][name][0]
    if name in k["format_routines"]:
        return k["format_routines"][name][0]
    if name in k["network_input"]:
        return k["network_input"][name]["buffer"]
    if name in k["text_outputs"]:
        return k["text_outputs"][name]
    return k["file_reads"].get(name)


def string_at(image: Image, value, limit: int = 256) -> bytes | None:
    if not isinstance(value, int) or not image.in_data(value):
        return None
    raw = image.cstring(value, limit)
    return raw if raw else None


def classify_sink(image: Image, call: Call) -> Sink | None:
    """A call to a command, privilege or redirect routine, or None. Constant harmless commands
    (``execl("/sbin/reboot", ...)``) are not sinks for input: only runtime commands and shells are."""
    k = knowledge()
    name = base_name(call.name or "")
    if name in k["command_sinks"]:
        idx = k["command_sinks"][name]
        arg = call.args[idx] if idx < len(call.args) else None
        # (or a path built on the stack character by character: ``char sh[] = "/bin/sh"`` at -O0)
        raw = string_at(image, arg) or call.built.get(idx)
        if raw is None:
            return Sink(call.addr, name, "command", None)
        text = raw.decode("latin-1")
        vector = k["argv_arguments"].get(name)
        line = _command_line(image, text, call.args[idx + 1:] + call.stacked) if name.startswith("execl") else \
            _command_line(image, text, call.arrays.get(vector, [])) if vector is not None else text
        sink = Sink(call.addr, name, "shell", text, line)
        if is_shell(text) or sink.shell_service:
            return sink
        if "%" in text:  # a format string built the command elsewhere; keep as runtime command
            return Sink(call.addr, name, "command", None)
        return None
    if name in k["privilege_sinks"]:
        arg = call.args[0] if call.args else None
        if isinstance(arg, Result) and base_name(arg.routine or "") in k["compare_routines"]:
            arg = 0  # the compare's "equal" result (0) reused as the argument on the matching path
        if arg == 0:
            return Sink(call.addr, name, "privilege", "0")
        return None
    if name in k["redirect_sinks"]:
        arg = call.args[1] if len(call.args) > 1 else None
        if arg in (0, 1, 2):
            return Sink(call.addr, name, "redirect", str(arg))
    return None


def _command_line(image: Image, path: str, words: list) -> str:
    """A command's path and its constant arguments after ``arg0``, up to the first that is not a
    constant string: ``execl(path, arg0, arg1, ..., NULL)``'s arguments, or ``execvp(path, argv)``'s
    vector as the walk read it (``telnetd -p 22093 -l /bin/sh``); ``arg0`` too when it names the applet
    a multi-call binary runs (``/bin/busybox telnetd -l /bin/sh``)."""
    parts = [path]
    applet = string_at(image, words[0], 128) if words else None
    if applet and path.rsplit("/", 1)[-1] in knowledge()["multi_call_binaries"] \
            and applet.rsplit(b"/", 1)[-1].decode("latin-1") not in knowledge()["multi_call_binaries"]:
        parts.append(applet.decode("latin-1"))  # busybox runs the applet its argv[0] names
    for a in words[1:]:
        raw = string_at(image, a, 128)
        if raw is None:
            break
        parts.append(raw.decode("latin-1"))
    return " ".join(parts)


def is_shell(text: str) -> bool:
    low = text.strip().lower()
    if low in ("sh", "ash", "bash", "/bin/sh", "/bin/ash", "/bin/bash", "/bin/busybox"):
        return True
    return any(s in low for s in knowledge()["shell_commands"])
