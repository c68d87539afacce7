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
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from .model import Call, Loaded, Result, Walk
from .lift import CONVENTIONS, Sym, format_index, formatted_text, parameter_index
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


def _formatted(image, call: Call) -> bytes | None:
    """The constant text a formatter call writes (``lift.formatted_text``)."""
    got = formatted_text(image, call.name, call.args + call.stacked)
    return got[1] if got is not None else None


def _written(name: str, args: list) -> list:
    """The buffers a library call writes (a copy's or a formatter's destination, a read's buffer)."""
    idx = written_argument(name)
    return [args[idx]] if idx is not None and idx < len(args) else []


@dataclass
class _Keyed:
    """One pass over a function's calls: the compares of a value with a constant, with how the value
    is known to be a password then, and the password values handed to the program's own functions."""

    pairs: list[tuple[Call, object, bytes, str | None]]  # (compare, compared value, constant, evidence)
    handed: list[tuple[Call, int, str]]  # (call of an own function, argument index, evidence)


def _parameter(image, value) -> int | None:
    return parameter_index(image, value.base) if isinstance(value, Sym) and value.offset == 0 else None


def _track(image, w: Walk, given: Mapping[int, str], library_from: int) -> _Keyed:
    """Follow the values fetched under a password's name through one function's calls. ``given``:
    parameter index -> evidence, the values its callers fetched so and handed to it."""
    compares = knowledge()["compare_routines"]
    regs = CONVENTIONS[image.arch].args
    keyed: dict[object, str] = {Sym(regs[i], 0): why for i, why in given.items() if i < len(regs)}
    out = _Keyed([], [])
    assembled: dict[object, bytes] = {}  # buffer -> the constant text a formatter built in it
    # a loop laid out with its body before its head (-O2: ``check(user, pass)`` placed above the
    # ``form_value("password", pass)`` that jumps back to it): a holder keyed anywhere and never
    # refilled with anything else holds the password at every call
    ever: dict[object, tuple[str, int]] = {}  # holder -> (evidence, the call that fetched into it)
    refilled: set[object] = set()
    calls_with: list[tuple[Call, int, object, str | None]] = []

    def evidence(value) -> str | None:
        why = keyed.get(value)
        if why is None and (i := _parameter(image, value)) is not None and i < len(regs):
            why = keyed.get(Sym(regs[i], 0))  # the parameter's low part (``esi``, ``w1``)
        return why

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
                    out.pairs.append((call, value, const, evidence(value)))
            continue
        if call.name is None and isinstance(call.target, int) and call.target < library_from:
            calls_with.extend((call, i, a, evidence(a)) for i, a in enumerate(call.args)
                              if a is not None and not isinstance(a, int))
        keys = [string_at(image, a, 64) for a in call.args]
        key = next((k.decode("latin-1") for i, k in enumerate(keys)
                    if k and _password_key().fullmatch(k.decode("latin-1")) and not _is_data(call.args, i, k)), None)
        written = _written(name, call.args)
        if key is None:
            for a in written or (call.args if any(keys) else ()):
                keyed.pop(a, None)  # the buffer now holds something else (a stack buffer is reused)
                refilled.add(a)
            continue
        why = f"fetched under the name '{key}'"
        for a, k in zip(call.args, keys):
            if k is None and _holder(image, a) and not isinstance(a, int):
                keyed[a] = why
                ever[a] = (why, call.addr)
        keyed[Result(call.name, call.addr)] = why
    for call, i, a, why in calls_with:
        if why is None and a in ever and a not in refilled and ever[a][1] != call.addr:
            why = ever[a][0]  # (not the getter itself, handed the buffer it fills)
        if why is not None:
            out.handed.append((call, i, why))
    return out


def handed_passwords(image, w: Walk, given: Mapping[int, str],
                     library_from: int = 1 << 64) -> Iterator[tuple[int, int, str]]:
    """(callee, argument index, evidence) of the values fetched under a password's name that this
    function hands to the program's own functions (``check_login(user, pass)`` after
    ``form_value("password", pass, 128)``): the callee compares its parameter."""
    for call, i, why in _track(image, w, given, library_from).handed:
        if " and handed to " not in why:  # (through helpers: the first hand-over is the one to show)
            why = f"{why} and handed to this function by the call at {call.addr:#x}"
        yield call.target, i, why


def compared_parameters(image, w: Walk) -> set[int]:
    """Indexes of the parameters this function compares with a built-in text that could be a password
    (``if (strcmp(pass, "...") == 0)`` in ``check_login(user, pass)``): its callers know the value."""
    return {i for _, value, const, _ in _track(image, w, {}, 1 << 64).pairs
            if (i := _parameter(image, value)) is not None and len(const.rstrip(b"\0")) >= MIN_PASSWORD
            and rank(const).score > 5}


def find(image, w: Walk, authenticating: bool, library_from: int = 1 << 64,
         given: Mapping[int, str] | None = None) -> Iterator[MasterPassword]:
    """Compares of a typed password with a constant in one function's walk. ``authenticating``: the
    function is an authentication routine; ``library_from``: where a static program's C library
    begins (a call there is a library routine, not the program's own check); ``given``: parameter
    index -> how its callers know the value they hand there to be a password (``handed_passwords``)."""
    pairs = _track(image, w, given or {}, library_from).pairs
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
            yield MasterPassword(call, const, key)
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
        args = call.args + call.stacked  # (a seed past the argument registers: on the stack)
        at = format_index(call.name, call.args)
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
        at = format_index(call.name, call.args)
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
