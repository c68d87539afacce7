"""Authentication bypass by state: a compare with a constant that, on a match, writes the session or
privilege state the program's own credential check writes.

A login grants access by writing something: a privilege level, an "authenticated" flag, the session's
user name. The honest check reaches those writes after comparing two run-time values (the typed
password's hash with the stored one) or after calling a credential routine. A back door reaches the
same writes after comparing input with a constant (a magic header, a client identifier, a URL prefix),
without the credentials. The constant's look does not matter; the shared state does.

Writes are stores of small constants (``level = 2``; zero is left out: clearing and initialising) and the
destinations of string copies and formatters (``snprintf(sess->user, ..., "%s", ...)``), named by
their address: a stack slot, a field of a pointer the function was given, a global.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from .model import Call, Walk
from .lift import Sym
from .sinks import base_name, knowledge, written_argument

Regions = list[tuple[int, int]]
#: a privilege level or flag is a small number; larger stored constants are characters written into a
#: buffer, addresses (a pushed return address, a pointer) or data (hash initial values)
MAX_STATE_VALUE = 0x20


def _within(addr: int, regions: Regions) -> bool:
    return any(lo < addr < hi for lo, hi in regions)


def _destination(image, value, stack: bool = False) -> object | None:
    """State outlives the function: a global, or a field of a structure the function was handed (a
    session, a connection). Its own stack slots are scratch (lengths, counters, return addresses),
    unless ``stack``: then a local flag the function tests later (``authorised = 1``) counts too."""
    if isinstance(value, Sym):
        return value if value.base != "sp" or stack else None
    if isinstance(value, int) and value >= 0x1000 and image.writable(value):
        return value
    return None


def writes(image, w: Walk, regions: Regions, outside: Regions = (), stack: bool = False
           ) -> set[tuple[object, int | None]]:
    """(destination, constant or None for a copied string) written inside ``regions`` and not inside
    ``outside``; stack slots only when ``stack``."""
    k = knowledge()
    out: set[tuple[object, int | None]] = set()
    # a stack slot whose address a call is given is that call's in/out parameter (``socklen_t len =
    # sizeof addr`` before accept), not a flag
    passed = {a for c in w.calls for a in c.args if isinstance(a, Sym) and a.base == "sp"} if stack else set()
    for s in w.stores:
        dest = _destination(image, s.dest, stack)
        if dest in passed:
            continue
        if dest is not None and 0 < s.value <= MAX_STATE_VALUE and not image.is_code(s.value) \
                and _within(s.addr, regions) and not _within(s.addr, outside):
            out.add((dest, s.value))
    for c in w.calls:
        name = base_name(c.name or "")
        idx = written_argument(name) if name in k["copy_routines"] or name in k["format_routines"] else None
        if idx is not None and idx < len(c.args) and _within(c.addr, regions) and not _within(c.addr, outside):
            dest = _destination(image, c.args[idx])
            if dest is not None:
                out.add((dest, None))
    return out


def credential_checks(image, w: Walk, checkers: set[int], constant: Callable[[object], bool]) -> Iterable[Call]:
    """The calls in ``w`` that check credentials honestly: a compare of two run-time values (neither a
    constant), a credential routine (crypt, PAM, getspnam), or the program's own checking function
    (``checkers``)."""
    k = knowledge()
    compares, auth = k["compare_routines"], set(k["auth_routines"])
    for c in w.calls:
        name = base_name(c.name or "")
        if name in auth or (c.name is None and c.target in checkers):
            yield c
        elif name in compares and "needle" not in compares[name] and len(c.args) >= 2:
            a, b = c.args[0], c.args[1]
            if a is not None and b is not None and a != b and not constant(a) and not constant(b) \
                    and 0 not in c.built and 1 not in c.built:
                yield c
