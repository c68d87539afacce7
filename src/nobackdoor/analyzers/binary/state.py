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

from .model import Call, Result, Walk
from .lift import CONVENTIONS, Sym
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
    # (a structure cleared first, ``memset(&c, 0, sizeof c)``, is no parameter)
    clearing = set(k["clearing_routines"])
    passed = {a for c in w.calls if base_name(c.name or "") not in clearing
              for a in c.args if isinstance(a, Sym) and a.base == "sp"} if stack else set()
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
            # (a local buffer a string is copied to is the session's user name when the login copies
            # its own there: ``snprintf(user, sizeof user, "%s", ...)``)
            dest = _destination(image, c.args[idx], stack)
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


# ---------------------------------------------------------------------- session state across functions
#
# The honest check's decision is kept somewhere: its result stored (``level = session_level(sid, user,
# n)``, ``r->level = check_credentials(u, p)``) and the buffers it fills (the session's user name). That
# place may be a local of the request handler, a global request structure, or a field of a structure
# the handler hands to a helper (``authenticate(r)``): a helper's fields are carried to its callers
# through the argument it was given.


def out_parameters(image, w: Walk) -> set[int]:
    """Indexes of the parameters a function writes through (``snprintf(user, n, ...)`` in a session
    lookup given ``user``)."""
    regs = CONVENTIONS[image.arch].args
    dests = [s.dest for s in w.stores] + [k.dest for k in w.kept]
    for c in w.calls:
        idx = written_argument(base_name(c.name or "")) if c.name else None
        if idx is not None and idx < len(c.args):
            dests.append(c.args[idx])
    return {regs.index(d.base) for d in dests if isinstance(d, Sym) and d.base in regs}


def _place(image, value) -> object | None:
    """A place state can be kept in: a stack slot, a field of a pointer the function was handed, or
    a writable global."""
    if isinstance(value, Sym):
        return value
    if isinstance(value, int) and value >= 0x1000 and image.writable(value):
        return value
    return None


def _moved(image, field: Sym, arg) -> object | None:
    """``field`` (relative to a parameter) as seen by a caller that passed ``arg`` for that parameter."""
    if isinstance(arg, Sym):
        return Sym(arg.base, arg.offset + field.offset)
    if isinstance(arg, int):
        return _place(image, arg + field.offset)
    return None


def session_places(image, w: Walk, checks: set[int], outs: dict[int, set[int]],
                   fields: dict[int, set[Sym]]) -> set[object]:
    """Where the function keeps what a credential check decided: the stored results of the calls at
    ``checks``, the buffers those calls fill (``outs``: function -> the parameters it writes), and the
    session fields of the helpers it calls (``fields``: function -> places relative to its parameters)."""
    regs = CONVENTIONS[image.arch].args
    places: set[object] = set()
    for k in w.kept:
        if isinstance(k.result, Result) and k.result.at in checks:
            place = _place(image, k.dest)
            if place is not None:
                places.add(place)
    for c in w.calls:
        if c.addr in checks and c.target is not None:
            for i in outs.get(c.target, ()):
                place = _place(image, c.args[i]) if i < len(c.args) else None
                if place is not None:
                    places.add(place)
        if c.name is None and c.target in fields:
            for f in fields[c.target]:
                i = regs.index(f.base)
                place = _moved(image, f, c.args[i]) if i < len(c.args) else None
                if place is not None:
                    places.add(place)
    return places


#: bytes of a state field read out of a wider constant store (two fields written at once)
FIELD_BYTES = 4


def _field_value(image, store, place) -> int | None:
    """The value ``store`` writes at ``place`` when ``place`` lies inside it (``*(uint64_t *)&c->level =
    0x...00000002`` writes a level and the next field at once)."""
    dest = store.dest
    if isinstance(dest, Sym) and isinstance(place, Sym) and dest.base == place.base:
        at = place.offset - dest.offset
    elif isinstance(dest, int) and isinstance(place, int):
        at = place - dest
    else:
        return None
    if not 0 <= at < store.size:
        return None
    raw = store.value.to_bytes(store.size, "little" if image.little else "big")[at:at + FIELD_BYTES]
    return int.from_bytes(raw, "little" if image.little else "big")


def session_writes(image, w: Walk, regions: Regions, places: set | frozenset = frozenset()
                   ) -> set[tuple[object, int | None]]:
    """(place, constant or None for a copied string) written inside ``regions``: small constants
    stored and the destinations of string copies and formatters, stack places included; a constant
    store wider than a field counts for each of ``places`` it covers."""
    k = knowledge()
    out: set[tuple[object, int | None]] = set()
    for s in w.stores:
        if not _within(s.addr, regions):
            continue
        place = _place(image, s.dest)
        if place is not None and 0 < s.value <= MAX_STATE_VALUE:
            out.add((place, s.value))
        elif place is not None and s.size > FIELD_BYTES:
            for p in places:
                v = _field_value(image, s, p)
                if v is not None and 0 < v <= MAX_STATE_VALUE:
                    out.add((p, v))
    for c in w.calls:
        name = base_name(c.name or "")
        idx = written_argument(name) if name in k["copy_routines"] or name in k["format_routines"] else None
        if idx is not None and idx < len(c.args) and _within(c.addr, regions):
            place = _place(image, c.args[idx])
            if place is not None:
                out.add((place, None))
    return out
