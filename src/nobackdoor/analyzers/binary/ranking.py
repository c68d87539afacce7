"""Stringer-like ranking of a constant compared against input.

A back door's trigger is a value nobody would type by accident and that no public protocol defines:
a vendor token (``CamelCase/1.2``), a password (mixed letters, digits and signs), a 16-byte binary
magic. Honest daemons compare input against protocol keywords, HTTP methods and header names,
option letters, paths, format strings and dictionary words: those rank low. The score is 0-100;
the vocabularies are data (``rules/binary.knowledge.yaml``).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .sinks import knowledge

#: at or above: worth reporting when it gates a command sink
GATE_THRESHOLD = 25
#: at or above: worth reporting as an authentication bypass (auth routines compare many things)
AUTH_THRESHOLD = 60

_FORMAT = re.compile(r"%[-+ #0-9.]*[sdiuxXcfpl]")
_HEADER_VALUE = re.compile(r"^([A-Za-z][A-Za-z0-9-]{1,40}):\s*(\S.*)$", re.S)
_TITLE_HYPHEN = re.compile(r"^[A-Z][a-z0-9]*(-[A-Z0-9][A-Za-z0-9]*)*:?$")
_CAMEL = re.compile(r"[a-z][A-Z]")
_ENV_ASSIGN = re.compile(r"^[A-Z_][A-Z0-9_]*=")
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
_SPECIAL = frozenset("!@#$%^&*+?~|<>;'\"`(){}[]\\")
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+){2,}$")
_KNOWN_MAGIC = (b"\x7fELF", b"\x1f\x8b", b"PK\x03\x04", b"BZh", b"\xfd7zXZ", b"hsqs", b"sqsh", b"\x89PNG",
                b"\xff\xd8\xff", b"GIF8", b"%PDF", b"\xca\xfe\xba\xbe")


@dataclass(frozen=True)
class Ranked:
    score: int
    shape: str  # why: "password-like", "vendor token", "binary magic", "protocol keyword", ...
    printable: str
    hex: str
    password_like: bool = False


@functools.cache
def _low_words() -> frozenset[str]:
    return frozenset(str(w).lower() for w in knowledge()["low_rank_words"])


@functools.cache
def _low_prefixes() -> tuple[str, ...]:
    return tuple(str(p) for p in knowledge()["low_rank_prefixes"])


def printable(raw: bytes) -> str:
    return "".join(chr(b) if 32 <= b < 127 else f"\\x{b:02x}" for b in raw)


def rank(raw: bytes) -> Ranked:
    full = raw
    raw = raw.rstrip(b"\0")
    text_form, hex_form = printable(raw), raw.hex()
    score, shape, pw = _score(raw, full)
    return Ranked(max(0, min(100, score)), shape, text_form, hex_form, pw)


def _score(raw: bytes, full: bytes) -> tuple[int, str, bool]:
    if len(raw) < 3:
        return 0, "too short", False
    if any(b < 32 and b not in (9, 10, 13) or b >= 127 for b in raw):
        return _binary(full), "binary magic", False
    text = raw.decode("ascii")
    return _text(text)


def _binary(raw: bytes) -> int:
    if raw.startswith(_KNOWN_MAGIC) or _asn1_oid(raw):
        return 5
    distinct = len(set(raw))
    if raw.count(0) * 4 > len(raw):
        return 10  # small integers in a structure, not a magic value
    if len(raw) >= 8 and distinct >= max(4, len(raw) // 2):
        return 85
    if len(raw) >= 4 and distinct >= len(raw) - 1:
        return 50
    return 10


#: first bytes of the object identifiers public standards use: 1.2 (ISO member bodies: RSA, ANSI
#: X9.62), 1.3 (identified organisations: Certicom curves, OIW, DoD), 2.5 (X.500 attributes),
#: 2.16 (country assignments: NIST algorithms), 2.23 (international organisations)
_OID_ROOTS = frozenset({0x2A, 0x2B, 0x55, 0x60, 0x67})


def _asn1_oid(raw: bytes) -> bool:
    """The body of a DER-encoded ASN.1 object identifier (X.690 8.19): a standard root, then arcs in
    base 128 whose last byte has the high bit clear and that never start with 0x80."""
    if len(raw) < 3 or raw[0] not in _OID_ROOTS or raw[-1] & 0x80:
        return False
    start = True
    for b in raw[1:]:
        if start and b == 0x80:
            return False
        start = not b & 0x80
    return True


def _text(text: str) -> tuple[int, str, bool]:
    core = text.strip().rstrip(":= ")
    low = core.lower()
    if not core or low in _low_words():
        return 5, "protocol keyword", False
    if text.startswith(_low_prefixes()):
        return 8, "protocol or format prefix", False
    m = _HEADER_VALUE.match(text)
    if m and " " not in m.group(1):
        name, value = m.group(1), m.group(2)
        score, shape, pw = _text(value)
        if name.lower() in _low_words() or _TITLE_HYPHEN.match(name + ":"):
            return score, f"header {name} with a {shape} value", pw
    if _FORMAT.search(text):
        return 10, "format string", False
    if text.startswith("-"):
        return 5, "command-line option", False
    if text.startswith(("/", "./", "../")) and " " not in text:
        return 12, "path", False
    if len(core) < 4:
        return 5, "short token", False
    if _ENV_ASSIGN.match(text):
        return 10, "environment assignment", False
    if text.count(" ") >= 2:
        return 10, "message text", False
    classes = {
        "upper": any(c.isupper() for c in core),
        "lower": any(c.islower() for c in core),
        "digit": any(c.isdigit() for c in core),
        "punct": any(not c.isalnum() for c in core),
    }
    n_classes = sum(classes.values())
    words = core.split()
    if len(words) > 1 and all(w.isalpha() and (w.islower() or w.istitle()) for w in words):
        return 10, "words", False
    if _TITLE_HYPHEN.match(core) and "-" in core:
        return 10, "header name", False
    if _DOTTED.match(core):
        return 10, "dotted identifier", False
    if _CAMEL.search(core) and re.search(r"/[0-9][0-9.]*$", core):
        return 85, "vendor product token", False
    switches = sum(1 for a, b in zip(core, core[1:]) if a.isalnum() and b.isalnum() and a.isdigit() != b.isdigit())
    special = any(c in _SPECIAL for c in core)
    if _IDENTIFIER.match(core) and switches <= 1 and classes["upper"] and classes["lower"]:
        # getModeV2, Curve25519, MD5-sess: API, algorithm and option names
        return 20, "identifier", False
    password_like = (n_classes >= 3 and " " not in core and len(core) >= 7 and classes["digit"]
                     and classes["upper"] and (switches >= 2 or special))
    if password_like:
        return 70 + min(20, 2 * len(core)), "password-like", True
    if not classes["upper"]:
        # identifiers, keywords, config names: rank by how random they look
        if switches >= 2 and len(core) >= 6:
            return 45, "random-looking token", False
        return 15, "lower-case keyword", False
    if not classes["lower"]:
        if "_" in core and not classes["digit"]:
            return 15, "constant name", False
        if core.isalpha() and text.strip() == core:
            return 20, "upper-case word", False  # STATUS, VERSION: command names a protocol documents
        if core.isalpha():  # "CMD:" / "CMD=": a keyword followed by a payload
            return 30, "upper-case command prefix", False
        return (40 if len(core) >= 8 else 30), "upper-case token", False
    if _CAMEL.search(core):
        # CamelCase alone is an API or member name; digits and signs make it a token
        score = 15 + 25 * classes["digit"] + 25 * classes["punct"] + (5 if len(core) >= 8 else 0)
        return score, "vendor token" if score >= 50 else "CamelCase identifier", False
    if core[0].isupper() and core[1:].islower():
        return 15, "capitalised word", False
    return 35 + 10 * classes["digit"] + 5 * classes["punct"], "mixed token", False
