"""Command knowledge from ``rules/shell-commands.yaml`` (loaded once per process)."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class Knowledge:
    shells: frozenset[str]
    interpreters: frozenset[str]
    login_programs: frozenset[str]
    wrappers: frozenset[str]
    utilities: frozenset[str]
    fetchers: frozenset[str]
    netcats: frozenset[str]
    multicall: frozenset[str]
    login_daemons: frozenset[str]
    daemons: dict[str, dict[str, Any]]
    inetd_ports: dict[str, int]
    decoders: dict[str, dict[str, Any]]
    console_ttys: tuple[str, ...]
    sensitive_files: tuple[str, ...]

    def is_shell(self, program: str) -> bool:
        name = basename(program).lstrip("-")
        return name in self.shells

    def is_console_tty(self, tty: str) -> bool:
        tty = tty.removeprefix("/dev/")
        if tty == "":
            return True
        return any(tty == t or (tty.startswith(t) and tty[len(t):].isdigit()) for t in self.console_ttys)


def basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


@functools.cache
def knowledge() -> Knowledge:
    text = resources.files("nobackdoor.rules").joinpath("shell-commands.yaml").read_text("utf-8")
    raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return Knowledge(
        shells=frozenset(raw["shells"]),
        interpreters=frozenset(raw["interpreters"]),
        login_programs=frozenset(raw["login_programs"]),
        wrappers=frozenset(raw["wrappers"]),
        utilities=frozenset(str(u) for u in raw["utilities"]),
        fetchers=frozenset(raw["fetchers"]),
        netcats=frozenset(raw["netcats"]),
        multicall=frozenset(raw["multicall"]),
        login_daemons=frozenset(raw["login_daemons"]),
        daemons=dict(raw["daemons"]),
        inetd_ports={str(k): int(v) for k, v in raw["inetd_ports"].items()},
        decoders=dict(raw["decoders"]),
        console_ttys=tuple(raw["console_ttys"]),
        sensitive_files=tuple(raw["sensitive_files"]),
    )
