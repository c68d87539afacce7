"""Built-in passwords found by where the compared value comes from, not by how the constant looks.

Two data flows mark a value as the password a user typed:

* it was fetched under a password's name: a call given a constant key such as ``"password"`` (a CGI
  parameter getter, a form field, an nvram or configuration getter) filled it or returned it;
* in an authentication routine, it is also handed, with stored data (a writable global: the loaded
  configuration's hash or salt), to another check: the honest one.

A compare of such a value with a constant is a master password, whatever the constant looks like
(``Pedexmar#2135`` and ``_qyyppBnhc`` alike). A value the routine compares with many constants is a
command word, not a password; a constant of one repeated character is a masked field
(``********`` means "unchanged" in web forms).
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .model import Call, Loaded, Result, Walk
from .lift import Sym
from .ranking import rank
from .sinks import base_name, knowledge, string_at, written_argument

MIN_PASSWORD = 4
#: a value known only to reach the routine's own check may be a user or group name, a mode keyword
#: ("allow", "deny"): its constant must at least look like a token, not a dictionary word
CHECKED_MIN_RANK = 25
#: a value compared with more distinct constants than this is a command or keyword, not a password
MAX_CONSTANTS_PER_VALUE = 2


@dataclass(frozen=True)
class MasterPassword:
    call: Call
    constant: bytes
    evidence: str  # how the compared value is known to be the password


@functools.cache
def _password_key() -> re.Pattern[str]:
    return re.compile(knowledge()["password_keys"], re.I)


def _is_data(args: list, i: int, text: bytes) -> bool:
    """``pbkdf2(md, "password", 8, salt, ...)``: a string passed with its length is the data itself
    (a self-test's input), not the name of a field to fetch."""
    return i + 1 < len(args) and args[i + 1] == len(text)


def _holder(image, value) -> bool:
    """A place a fetched value can be put: a stack buffer, a writable global, a call's result."""
    if isinstance(value, Sym):
        return value.base == "sp"
    if isinstance(value, int):
        return image.writable(value)
    return isinstance(value, (Result, Loaded))


def _stored(image, value) -> bool:
    return isinstance(value, int) and value > 0xFFFF and image.writable(value)


def _constant(image, value, length) -> bytes | None:
    raw = string_at(image, value, 128)
    if raw is None:
        return None
    if isinstance(length, int) and 0 < length < len(raw):
        raw = raw[:length]
    return raw


_CONVERSION = re.compile(rb"%(s|d|u|c|%)")
_OTHER_CONVERSION = re.compile(rb"%(?![sduc])")


def _format_at(call: Call) -> int | None:
    """Index of the format argument of a formatter call (``sprintf``: 1, ``snprintf``: 2); a static
    program's unnamed formatter is recognised by its shape (a size, then the format)."""
    args = call.args
    name = base_name(call.name or "")
    if name == "sprintf":
        return 1
    if name == "snprintf" or (call.name is None and len(args) > 2 and isinstance(args[1], int) and 0 < args[1] <= 4096):
        return 2
    return None


def _formatted(image, call: Call) -> bytes | None:
    """The text ``snprintf(buf, n, fmt, ...)`` or ``sprintf(buf, fmt, ...)`` writes when the format and
    every argument it converts are constants (a secret assembled from pieces at run time). Static
    programs have no name for their formatter: a call shaped (stack buffer, size, format) is one."""
    args = call.args
    if len(args) < 3 or not isinstance(args[0], Sym) or args[0].base != "sp":
        return None
    at = _format_at(call)
    fmt = string_at(image, args[at], 64) if at is not None and at < len(args) else None
    if not fmt or b"%" not in fmt or _OTHER_CONVERSION.search(fmt.replace(b"%%", b"")):
        return None  # widths, precisions, other conversions: not evaluated
    pieces, last, values = [], 0, list(args[at + 1:])
    for m in _CONVERSION.finditer(fmt):
        pieces.append(fmt[last:m.start()])
        last = m.end()
        conv = m.group(1)
        if conv == b"%":
            pieces.append(b"%")
            continue
        value = values.pop(0) if values else None
        if conv == b"s":
            piece = string_at(image, value, 64)
        elif isinstance(value, int):
            piece = bytes([value & 0xFF]) if conv == b"c" else str(value).encode()
        else:
            piece = None
        if piece is None:
            return None  # a run-time piece: not a constant
        pieces.append(piece)
    pieces.append(fmt[last:])
    return b"".join(pieces)


def _written(name: str, args: list) -> list:
    """The buffers a library call writes (a copy's or a formatter's destination, a read's buffer)."""
    idx = written_argument(name)
    return [args[idx]] if idx is not None and idx < len(args) else []


def find(image, w: Walk, authenticating: bool, library_from: int = 1 << 64) -> Iterator[MasterPassword]:
    """Compares of a typed password with a constant in one function's walk. ``authenticating``: the
    function is an authentication routine; ``library_from``: where a static program's C library
    begins (a call there is a library routine, not the program's own check)."""
    compares = knowledge()["compare_routines"]
    keyed: dict[object, str] = {}
    pairs: list[tuple[Call, object, bytes, str | None]] = []  # (compare, compared value, constant, its key then)
    assembled: dict[object, bytes] = {}  # buffer -> the constant text a formatter built in it
    for call in w.calls:
        name = base_name(call.name or "")
        spec = compares.get(name)
        text = _formatted(image, call)
        if text is not None:
            assembled[call.args[0]] = text
            continue
        if spec is not None and "needle" not in spec and len(call.args) >= 2:
            a, b = call.args[0], call.args[1]
            length = call.args[spec["length"]] if "length" in spec and spec["length"] < len(call.args) else None
            ca = _constant(image, a, length) or call.built.get(0) or assembled.get(a)
            cb = _constant(image, b, length) or call.built.get(1) or assembled.get(b)
            if (ca is None) != (cb is None):
                value, const = (b, ca) if ca is not None else (a, cb)
                if value is not None and not isinstance(value, int):
                    pairs.append((call, value, const, keyed.get(value)))
            continue
        keys = [string_at(image, a, 64) for a in call.args]
        key = next((k.decode("latin-1") for i, k in enumerate(keys)
                    if k and _password_key().fullmatch(k.decode("latin-1")) and not _is_data(call.args, i, k)), None)
        written = _written(name, call.args)
        if key is None:
            for a in written or (call.args if any(keys) else ()):
                keyed.pop(a, None)  # the buffer now holds something else (a stack buffer is reused)
            continue
        for a, k in zip(call.args, keys):
            if k is None and _holder(image, a) and not isinstance(a, int):
                keyed[a] = key
        keyed[Result(call.name, call.addr)] = key
    per_value: dict[object, set[bytes]] = {}
    for _, value, const, _ in pairs:
        per_value.setdefault(value, set()).add(const)
    checked: set[object] = set()
    if authenticating:
        for call in w.calls:
            name = base_name(call.name or "")
            if call.name or call.target is None or call.target >= library_from:
                continue  # the honest check is the program's own routine, not a library one
            if any(_stored(image, a) for a in call.args):
                # a call's result is one value; a stack buffer is reused for other things in a long function
                checked.update(a for a in call.args if isinstance(a, (Result, Loaded)))
    for call, value, const, key in pairs:
        body = const.rstrip(b"\0")
        if len(body) < MIN_PASSWORD or len(set(body)) < 2 or len(per_value[value]) > MAX_CONSTANTS_PER_VALUE:
            continue
        if rank(const).score <= 5:
            continue  # a protocol keyword or an account name every login routine compares ("root")
        if key is not None:
            yield MasterPassword(call, const, f"fetched under the name '{key}'")
        elif value in checked and rank(const).score >= CHECKED_MIN_RANK:
            yield MasterPassword(call, const, "also handed, with stored data, to the routine's own check")


#: a date written by a formatter: year, month and day as zero-padded numbers ("%04d%02d%02d",
#: "%04d-%02d-%02d", "%d%02d%02d")
_DATE = re.compile(rb"%0?4?d\W?%02d\W?%02d")
MIN_SEED = 6


@dataclass(frozen=True)
class DailySecret:
    call: Call
    seed: bytes
    fmt: bytes


def daily_secrets(image, w: Walk) -> Iterator[DailySecret]:
    """A formatter that writes a built-in text next to today's date (``"%s%04d%02d%02d"`` with a
    constant ``%s``): the seed of a password of the day, which whoever knows the seed computes for
    every device. Static programs' formatters are recognised by shape (see ``_formatted``)."""
    for call in w.calls:
        args = call.args
        at = _format_at(call)
        fmt = string_at(image, args[at], 64) if at is not None and at < len(args) else None
        if not fmt or not _DATE.search(fmt) or b"%s" not in fmt:
            continue
        index = fmt.index(b"%s")
        position = at + 1 + fmt[:index].count(b"%") - 2 * fmt[:index].count(b"%%")
        seed = string_at(image, args[position], 64) if position < len(args) else None
        if seed and len(seed) >= MIN_SEED and len(set(seed)) >= 4:
            yield DailySecret(call, seed, fmt)


_ANY_CONVERSION = re.compile(rb"%[-+ #0-9.]*[a-zA-Z]")


def hashed_secrets(image, w: Walk, hashes: Callable[[int], bool], digest_here: bool) -> Iterator[DailySecret]:
    """A formatter that writes a built-in text next to a run-time value (``"%s%s"`` of a challenge
    and a constant, ``"%s%04d%02d%02d"`` of a constant and a date) into a buffer the program then
    hashes: the embedded secret of a challenge-response or a password of the day, which whoever knows
    it computes for every device. ``hashes``: whether a routine of the program hashes what it is
    given; ``digest_here``: the function sets up a digest itself (an inlined ``sha1_init``)."""
    written_out = set(knowledge()["descriptor_writes"]) | set(knowledge()["stream_writes"])
    for i, call in enumerate(w.calls):
        args = call.args
        at = _format_at(call)
        fmt = string_at(image, args[at], 64) if at is not None and at < len(args) else None
        if not fmt or b"%s" not in fmt:
            continue
        conversions = _ANY_CONVERSION.findall(fmt.replace(b"%%", b""))
        if len(conversions) < 2:
            continue
        # arguments past the registers (on the stack: MIPS o32 from the fifth) are run-time values
        values = list(args[at + 1:at + 1 + len(conversions)])
        values += [None] * (len(conversions) - len(values))
        seeds = [string_at(image, v, 64) if c.endswith(b"s") else None for c, v in zip(conversions, values)]
        # (a phrase with spaces is a realm or a label: public, mixed into digest authentication)
        seed = next((t for t in seeds if t and len(t) >= MIN_SEED and len(set(t)) >= 4
                     and not any(c in b" \t" for c in t) and not t.isalpha()), None)
        if seed is None or all(t is not None or isinstance(v, int) for t, v in zip(seeds, values)):
            continue  # no built-in text, or nothing of the run time mixed in
        buffer = args[0]
        later = w.calls[i + 1:]
        hashed = any(c.name is None and c.target is not None and buffer in c.args and (digest_here or hashes(c.target))
                     for c in later)
        # the digest computed inline (-O2: init, update and final in this function, the buffer read by
        # loads, not handed to a call): formatted here and never written out, it is what is hashed
        hashed = hashed or digest_here and isinstance(buffer, Sym) and not any(
            buffer in c.args and base_name(c.name or "") in written_out for c in later)
        if hashed:
            yield DailySecret(call, seed, fmt)
