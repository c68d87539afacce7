"""Reproduce, without running anything, a build step that turns a data file into a script.

Only byte-level filters with exact Python equivalents are emulated: ``cat``, ``tail -c +N``,
``head -c N``, ``dd skip= count= bs=``, ``tr SET1 SET2``, ``sed "r\\n"`` (a plain copy), ``base64 -d``
and the gzip/xz/lzma/bzip2 decompressors. Every stage is bounded in output size; anything else
stops the emulation (the caller still reports the step, just without the recovered payload).
"""
from __future__ import annotations

import base64
import binascii
import bz2
import lzma
import zlib

MAX_OUT = 8 * 1024 * 1024


class Unsupported(Exception):
    pass


def _tr_set(spec: str) -> list[int]:
    """Expand a tr(1) set: octal and backslash escapes, ranges a-b (POSIX classes unsupported)."""
    chars: list[int] = []
    i = 0
    esc = {"n": 10, "t": 9, "r": 13, "\\": 92, "a": 7, "b": 8, "f": 12, "v": 11, "-": 45}
    while i < len(spec):
        c = spec[i]
        if c == "[" and spec[i:i + 2] == "[:":
            raise Unsupported("tr character class")
        if c == "\\" and i + 1 < len(spec):
            j = i + 1
            digits = ""
            while j < len(spec) and len(digits) < 3 and spec[j] in "01234567":
                digits += spec[j]
                j += 1
            if digits:
                chars.append(int(digits, 8) & 0xFF)
                i = j
            else:
                chars.append(esc.get(spec[i + 1], ord(spec[i + 1]) & 0xFF))
                i += 2
        else:
            chars.append(ord(c) & 0xFF)
            i += 1
        if len(chars) >= 1 and i < len(spec) - 1 and spec[i] == "-":
            # range: previous char .. next char
            start = chars.pop()
            i += 1
            nxt = _tr_set(spec[i:i + 4] if spec[i] == "\\" else spec[i])[0]
            step = 4 if spec[i] == "\\" and spec[i + 1:i + 4].isdigit() else (2 if spec[i] == "\\" else 1)
            i += step
            if nxt < start:
                raise Unsupported("reversed tr range")
            chars.extend(range(start, nxt + 1))
    return chars


def tr_table(set1: str, set2: str) -> bytes:
    a, b = _tr_set(set1), _tr_set(set2)
    if not a or not b:
        raise Unsupported("empty tr set")
    b = b + [b[-1]] * (len(a) - len(b))
    table = list(range(256))
    for x, y in zip(a, b):
        table[x] = y
    return bytes(table)


def _decompress(data: bytes, kind: str) -> bytes:
    if kind == "gzip":
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif kind == "zlib":
        d = zlib.decompressobj()
    elif kind in ("xz", "lzma"):
        d = lzma.LZMADecompressor()
    elif kind == "bzip2":
        d = bz2.BZ2Decompressor()
    else:
        raise Unsupported(kind)
    try:
        out = d.decompress(data, MAX_OUT) if kind != "bzip2" else d.decompress(data, MAX_OUT)
    except (zlib.error, lzma.LZMAError, OSError, EOFError) as exc:
        raise Unsupported(f"{kind}: {exc}") from None
    return out


_DECOMPRESSORS = {"gzip": "gzip", "gunzip": "gzip", "zcat": "gzip", "xz": "xz", "unxz": "xz", "xzcat": "xz",
                  "lzma": "lzma", "unlzma": "lzma", "lzcat": "lzma", "bzip2": "bzip2", "bunzip2": "bzip2",
                  "bzcat": "bzip2"}


def run_stage(name: str, args: list[str], data: bytes) -> bytes:
    flags = [a for a in args if a.startswith("-")]
    plain = [a for a in args if not a.startswith("-") or a.startswith("+")]
    if name in ("cat",):
        return data
    if name == "sed" and plain and plain[0].replace("\\", "") in ("rn", "r\n", "r"):
        return data
    if name in ("tail", "head"):
        n = None
        for i, a in enumerate(args):
            if a == "-c" and i + 1 < len(args):
                n = args[i + 1]
            elif a.startswith("-c") and len(a) > 2:
                n = a[2:]
        if n is None:
            raise Unsupported(f"{name} without -c")
        if name == "tail":
            if n.startswith("+"):
                return data[int(n[1:]) - 1:]
            return data[-int(n):] if int(n) else b""
        return data[:int(n)]
    if name == "dd":
        opts = dict(a.split("=", 1) for a in args if "=" in a)
        bs = int(opts.get("bs", "512"))
        skip = int(opts.get("skip", "0")) * bs
        count = int(opts["count"]) * bs if "count" in opts else None
        return data[skip:skip + count] if count is not None else data[skip:]
    if name == "tr":
        if flags or len(plain) != 2:
            raise Unsupported("tr options")
        return data.translate(tr_table(plain[0], plain[1]))
    if name == "base64" and ("-d" in flags or "--decode" in flags):
        try:
            return base64.b64decode(b"".join(data.split()), validate=False)[:MAX_OUT]
        except (binascii.Error, ValueError) as exc:
            raise Unsupported(str(exc)) from None
    if name in _DECOMPRESSORS:
        if name in ("gzip", "xz", "lzma", "bzip2") and not any("d" in f.lstrip("-") for f in flags):
            raise Unsupported(f"{name} without -d")
        return _decompress(data, _DECOMPRESSORS[name])
    raise Unsupported(name)


def emulate(stages: list[tuple[str, list[str]]], data: bytes) -> bytes:
    for name, args in stages:
        data = run_stage(name, args, data)
        if len(data) > MAX_OUT:
            data = data[:MAX_OUT]
    return data
