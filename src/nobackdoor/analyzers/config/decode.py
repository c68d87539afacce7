"""Payloads that a script decodes and then executes: find them, decode them (bounded, never run).

Recognised shapes (each stage after :func:`.shell.unwrap`):

* ``SOURCE | DECODER... | sh`` (also ``bash -s``, ``python -``, ...);
* ``eval "$(SOURCE | DECODER...)"``, ``sh -c "$(...)"``, ``. <(...)``-free variants with backquotes;
* ``SOURCE | DECODER... > FILE`` and later ``sh FILE`` / ``FILE`` / ``. FILE``;
* ``printf '\\x..'`` / ``echo -e '\\NNN'`` piped to a shell (escape-encoded text);
* interpreter one-liners (``python -c``, ``perl -e``, ``php -r``) that decode base64/hex/zlib/xor and exec.

SOURCE is ``echo``/``printf`` words, a here-document or here-string, ``cat FILE``, ``tail -c +N FILE``,
``dd if=FILE skip=N`` or a decoder reading a file of the target. DECODER is base64, base32, hex (xxd -r),
gzip/xz/bzip2 decompression, ``tr`` byte maps (rot13, bit flips), ``rev`` and ``openssl enc -d``.
"""
from __future__ import annotations

import base64
import binascii
import bz2
import lzma
import re
import zlib

from .knowledge import basename, knowledge
from .shell import MAX_PAYLOADS, Command, Payload, Pipeline, Script, _parse_into, _State, option_value, short_flags, stdin_text, unwrap

MAX_ENCODED = 4 * 1024 * 1024
MAX_DECODED = 4 * 1024 * 1024
STRONG_METHODS = {"base64", "base32", "hex", "gzip", "xz", "bzip2", "openssl-decrypt", "xor", "printf-escapes",
                  "zlib", "tr"}


# ----------------------------------------------------------------- decoder stages


def decoder_of(argv: list[str]) -> str | None:
    """Name of the decoding step a pipeline stage performs, or None."""
    argv = unwrap(argv)
    if not argv:
        return None
    name = basename(argv[0])
    args = argv[1:]
    flags = short_flags(args)
    if name in ("base64", "b64decode") and ("d" in flags or "D" in flags or "--decode" in args or name == "b64decode"):
        return "base64"
    if name == "base32" and ("d" in flags or "--decode" in args):
        return "base32"
    if name == "xxd" and "r" in flags:
        return "hex"
    if name in ("gunzip", "zcat", "gzcat") or (name == "gzip" and ("d" in flags or "--decompress" in args)):
        return "gzip"
    if name in ("unxz", "xzcat", "unlzma", "lzcat") or (name in ("xz", "lzma") and ("d" in flags or "--decompress" in args)):
        return "xz"
    if name in ("bunzip2", "bzcat") or (name == "bzip2" and "d" in flags):
        return "bzip2"
    if name == "openssl" and args:
        rest = args[1:] if args[0] in ("enc", "base64") else args
        if "-d" in rest:
            cipher = [a for a in rest if a.startswith("-") and a[1:] not in ("d", "a", "A", "base64", "in", "out", "k", "pass",
                                                                               "md", "nosalt", "salt", "pbkdf2", "iter")]
            if args[0] == "base64" or (("-a" in rest or "-base64" in rest) and not cipher and
                                       not any(a.startswith("-aes") or a.startswith("-des") for a in rest)):
                return "base64"
            return "openssl-decrypt"
    if name == "tr" and not flags & {"d", "s"}:
        sets = [a for a in args if not a.startswith("-")]
        if len(sets) == 2 and _tr_is_cipher(sets[0], sets[1]):
            return "tr"
    if name == "rev":
        return "rev"
    return None


def _apply(method: str, argv: list[str], data: bytes) -> bytes | None:
    data = data[:MAX_ENCODED]
    try:
        if method == "base64":
            clean = re.sub(rb"[^A-Za-z0-9+/=_-]", b"", data)
            clean = clean.rstrip(b"=")
            clean += b"=" * (-len(clean) % 4)
            return base64.b64decode(clean.replace(b"-", b"+").replace(b"_", b"/"))[:MAX_DECODED]
        if method == "base32":
            clean = re.sub(rb"[^A-Z2-7=]", b"", data.upper())
            clean += b"=" * (-len(clean) % 8)
            return base64.b32decode(clean)[:MAX_DECODED]
        if method == "hex":
            clean = re.sub(rb"[^0-9A-Fa-f]", b"", data)
            return binascii.unhexlify(clean[: len(clean) // 2 * 2])
        if method == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, MAX_DECODED)
        if method == "zlib":
            return zlib.decompressobj().decompress(data, MAX_DECODED)
        if method == "xz":
            return lzma.LZMADecompressor().decompress(data, MAX_DECODED)
        if method == "bzip2":
            return bz2.BZ2Decompressor().decompress(data, MAX_DECODED)
        if method == "tr":
            sets = [a for a in unwrap(argv)[1:] if not a.startswith("-")]
            src, dst = _tr_sets(sets[0], sets[1])
            if not src:
                return None
            table = bytes(range(256))
            mapping = bytearray(table)
            for a, b in zip(src, dst):
                mapping[a] = b
            return data.translate(bytes(mapping))
        if method == "rev":
            return b"\n".join(line[::-1] for line in data.split(b"\n"))
    except (ValueError, binascii.Error, zlib.error, lzma.LZMAError, OSError, EOFError):
        return None
    return None


def _tr_sets(a: str, b: str) -> tuple[bytes, bytes]:
    """tr's two sets, the second padded with its last character to the first's length (as tr does);
    empty when either cannot be worked out."""
    src, dst = _tr_set(a), _tr_set(b)
    if not src or not dst:
        return b"", b""
    return src, (dst + dst[-1:] * (len(src) - len(dst)))[:len(src)]


def _tr_is_cipher(a: str, b: str) -> bool:
    """tr maps a set onto itself in another order (rot13, a byte swap): that hides data. Mapping a set
    onto another (tr a-z A-Z, case folding; tr / _, a separator) only normalises text."""
    src, dst = _tr_sets(a, b)
    return bool(src) and set(src) == set(dst) and src != dst


def _tr_set(spec: str) -> bytes:
    """Expand a tr(1) set: ranges, backslash escapes and octal codes (classes left out). An escaped
    dash (``\\-``) is the character itself, never a range."""
    chars: list[int] = []
    i = 0
    raw: list[tuple[int, bool]] = []  # (byte, written escaped)
    while i < len(spec):
        c = spec[i]
        if c == "\\" and i + 1 < len(spec):
            m = re.match(r"[0-7]{1,3}", spec[i + 1:])
            if m:
                raw.append((int(m.group(0), 8) & 0xFF, True))
                i += 1 + len(m.group(0))
                continue
            esc = {"n": 10, "t": 9, "r": 13, "\\": 92, "a": 7, "b": 8, "f": 12, "v": 11}.get(spec[i + 1], ord(spec[i + 1]))
            raw.append((esc, True))
            i += 2
            continue
        if c == "[" and spec.startswith("[:", i):
            return b""  # character classes: not worked out
        raw.append((ord(c) & 0xFF, False))
        i += 1
    j = 0
    while j < len(raw):
        if j + 2 < len(raw) and raw[j + 1] == (ord("-"), False) and raw[j][0] <= raw[j + 2][0]:
            chars.extend(range(raw[j][0], raw[j + 2][0] + 1))
            j += 3
        else:
            chars.append(raw[j][0])
            j += 1
    return bytes(chars[:4096])


# ----------------------------------------------------------------- sources


def printf_unescape(text: str) -> bytes:
    """printf/echo -e escapes: \\xHH, \\NNN (octal), \\0NNN, \\n, \\t, ... (bounded)."""
    out = bytearray()
    i = 0
    n = min(len(text), MAX_ENCODED)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n:
            m = re.match(r"x([0-9A-Fa-f]{1,2})", text[i + 1:i + 4])
            if m:
                out.append(int(m.group(1), 16))
                i += 1 + len(m.group(0))
                continue
            m = re.match(r"0?([0-7]{1,3})", text[i + 1:i + 5])
            if m:
                out.append(int(m.group(1), 8) & 0xFF)
                i += 1 + len(m.group(0))
                continue
            out.append({"n": 10, "t": 9, "r": 13, "\\": 92, "a": 7, "e": 27}.get(text[i + 1], ord(text[i + 1]) & 0xFF))
            i += 2
            continue
        out.extend(c.encode("utf-8", "surrogateescape"))
        i += 1
    return bytes(out)


_ESCAPED = re.compile(r"(\\x[0-9A-Fa-f]{2}|\\[0-7]{3}){8,}")


def _source(cmd: Command, state: _State) -> tuple[bytes | None, str | None]:
    """Bytes a first pipeline stage produces, and the escape decoding it applied ('printf-escapes')."""
    here = stdin_text(cmd)
    argv = unwrap(cmd.argv)
    if not argv:
        return None, None
    name = basename(argv[0])
    args = argv[1:]
    if name == "echo":
        interp = False
        while args and re.fullmatch(r"-[neE]+", args[0]):
            interp = interp or "e" in args[0]
            args = args[1:]
        text = " ".join(args)
        if _unresolved(text):
            return None, None
        if interp or _ESCAPED.search(text):
            return printf_unescape(text), ("printf-escapes" if _ESCAPED.search(text) else None)
        return text.encode("utf-8", "surrogateescape"), None
    if name == "printf" and args:
        fmt, rest = args[0], args[1:]
        if fmt.strip() in ("%s", "%s\\n", "%b") and rest:
            text = "".join(rest)
            if _unresolved(text):
                return None, None
            if fmt.strip() == "%b" or _ESCAPED.search(text):
                return printf_unescape(text), "printf-escapes" if _ESCAPED.search(text) else None
            return text.encode("utf-8", "surrogateescape"), None
        if _unresolved(fmt):
            return None, None
        return printf_unescape(fmt), ("printf-escapes" if _ESCAPED.search(fmt) else None)
    if here is not None:
        return here.encode("utf-8", "surrogateescape"), None
    if name in ("cat", "tail", "head", "dd") or decoder_of(argv):
        path = None
        if name == "dd":
            path = next((a[3:] for a in args if a.startswith("if=")), None)
        else:
            files = [a for a in args if not a.startswith("-") and not re.fullmatch(r"\+?\d+[kKmM]?", a)]
            path = files[-1] if files else None
        if path and _unresolved(path):
            # "$srcdir/x", "${DIR}/x": a directory variable that is not known statically; try the rest of the
            # path from the tree's root, where configure scripts and boot scripts run
            m = re.fullmatch(r"(?:\$\{?[A-Za-z_]\w*\}?|\$\([^()]*\))/+(.+)", path, re.S)
            path = m.group(1) if m and not _unresolved(m.group(1)) else None
        if not path or not state.read or path.startswith("-"):
            return None, None
        text = state.read(path)  # relative paths: from the tree's root (boot scripts and configure run there)
        if text is None:
            return None, None
        state.last_source_file = path.lstrip("./").lstrip("/") if not path.startswith("../") else None
        data = text.encode("utf-8", "surrogateescape")
        if name == "tail":
            n = option_value(args, "-c")
            if n and n.startswith("+") and n[1:].isdigit():
                data = data[int(n[1:]) - 1:]
        elif name == "head":
            n = option_value(args, "-c")
            if n and n.isdigit():
                data = data[:int(n)]
        elif name == "dd":
            bs = next((a[3:] for a in args if a.startswith("bs=")), "512")
            skip = next((a[5:] for a in args if a.startswith("skip=")), "0")
            if bs.isdigit() and skip.isdigit():
                data = data[int(bs) * int(skip):]
        return data, None
    return None, None


def _unresolved(text: str) -> bool:
    return "$(" in text or re.search(r"\$\{?[A-Za-z_]", text) is not None


def _is_stdin_sink(argv: list[str]) -> str | None:
    """How a stage runs the code it reads on stdin ('sh', 'python', ...) or None."""
    argv = unwrap(argv)
    if not argv:
        return None
    name = basename(argv[0])
    k = knowledge()
    rest = [a for a in argv[1:] if a not in ("-s", "-", "-i", "-x", "-e", "-v")]
    if name in k.shells and not any(not a.startswith("-") for a in rest) and "-c" not in argv:
        return name
    if name.rstrip("0123456789.") in k.interpreters and not rest:
        return name
    return None


# ----------------------------------------------------------------- inspection


def inspect_pipeline(p: Pipeline, script: Script, state: _State, depth: int) -> None:
    """Record payloads that this pipeline decodes and runs; parse decoded shell text again."""
    stages = p.commands
    # (a) ... | DECODER | sh
    dec_idx = [i for i, c in enumerate(stages) if decoder_of(c.argv)]
    if dec_idx:
        first = dec_idx[0]
        for j in range(first + 1, len(stages)):
            sink = _is_stdin_sink(stages[j].argv)
            if sink:
                _payload(stages[:j], f"| {sink}", p, script, state, depth)
                break
        else:
            # (c) decoded into a file that may be run later
            last = stages[-1]
            out = [t for op, t in last.redirects if op in (">", ">>", ">|")]
            if out and decoder_of(last.argv) or (out and dec_idx and dec_idx[-1] == len(stages) - 1):
                state.decoded_files[out[-1]] = _build(stages, "written to " + out[-1], p, state)  # type: ignore[assignment]
    elif len(stages) >= 2:
        # (e) escape-encoded text piped to a shell
        src, esc = _source(stages[0], state)
        sink = _is_stdin_sink(stages[-1].argv)
        if esc and sink:
            _payload(stages[:1], f"| {sink}", p, script, state, depth)
    for cmd in stages:
        argv = unwrap(cmd.argv)
        if not argv:
            continue
        name = basename(argv[0])
        k = knowledge()
        # (b) eval "$(...)" / sh -c "$(...)" over a decoding substitution
        runs_text = name in ("eval", ".", "source") or name in k.shells
        if runs_text and cmd.substs and any("$(" in a for a in argv[1:]):
            for sp in cmd.substs:
                if any(decoder_of(c.argv) for c in sp.commands) or _source(sp.commands[0], state)[1]:
                    _payload(sp.commands, name if name != "sh" else "sh -c", p, script, state, depth)
        # (c) a decoded file is run
        target = None
        if argv[0] in state.decoded_files:
            target = argv[0]
        elif (name in k.shells or name in (".", "source")) and len(argv) > 1 and argv[1] in state.decoded_files:
            target = argv[1]
        if target:
            pl = state.decoded_files.pop(target)
            if pl is not None:
                pl.sink = f"written to {target}, then run"
                _record(pl, script, state, depth, cmd)
        # (d) interpreter one-liners
        if name.rstrip("0123456789.") in k.interpreters:
            code = option_value(argv[1:], "-c", "-e", "-r", "-E")
            if code:
                _interpreter_payload(code, name, cmd, script, state, depth)


def _build(stages: list[Command], sink: str, p: Pipeline, state: _State) -> Payload | None:
    state.last_source_file = None
    src, esc = _source(stages[0], state)
    source_file = state.last_source_file
    methods: list[str] = [esc] if esc else []
    data = src
    encoded = len(src) if src is not None else 0
    for c in stages:
        m = decoder_of(c.argv)
        if not m:
            continue
        methods.append(m)
        if data is not None:
            data = _apply(m, c.argv, data) if m != "openssl-decrypt" else None
    if not methods:
        return None
    first = stages[0]
    return Payload(line=first.line, file=first.file, methods=methods, sink=sink, encoded_size=encoded,
                   decoded=data, raw=p.raw[:300], via=first.via, source_file=source_file)


def _payload(stages: list[Command], sink: str, p: Pipeline, script: Script, state: _State, depth: int) -> None:
    pl = _build(stages, sink, p, state)
    if pl is not None:
        _record(pl, script, state, depth, stages[0])


def _record(pl: Payload, script: Script, state: _State, depth: int, at: Command) -> None:
    if len(state.payloads) >= MAX_PAYLOADS:
        return
    if any(x.line == pl.line and x.file == pl.file and x.sink == pl.sink and x.methods == pl.methods
           for x in state.payloads):
        return
    state.payloads.append(pl)
    if pl.decoded is None or not looks_like_text(pl.decoded):
        return
    text = pl.decoded.decode("utf-8", "replace")
    step = f"{pl.describe()} payload decoded at line {pl.line}"
    sub = Script()
    _parse_into(text, sub, state, depth=depth + 1, file=at.file, via=at.via + (step,), line0=1)
    for sp in sub.pipelines:
        for c in sp.commands:
            c.line = at.line  # findings point at the line that decodes and runs the payload
        script.pipelines.append(sp)


def looks_like_text(data: bytes) -> bool:
    if not data:
        return False
    sample = data[:4096]
    if b"\x00" in sample:
        return False
    printable = sum(1 for b in sample if 32 <= b < 127 or b in (9, 10, 13) or b >= 0x80)
    return printable / len(sample) > 0.9


_PY_B64 = re.compile(r"""(?:b64decode|decodestring|decodebytes|a2b_base64|decode_base64|base64_decode|atob)\s*\(\s*[bu]?['"]([A-Za-z0-9+/=\s]{8,})['"]""")
_PY_B64_OLD = re.compile(r"""['"]([A-Za-z0-9+/=]{8,})['"]\s*\.decode\(\s*['"]base64['"]""")
_HEX_CALL = re.compile(r"""(?:unhexlify|fromhex|hex2bin|pack\(\s*['"]H\*['"]\s*,)\s*\(?\s*[bu]?['"]([0-9A-Fa-f\s]{16,})['"]""")
_XOR_KEY = re.compile(r"\^\s*(0x[0-9A-Fa-f]+|\d+)")
_STR_LIT = re.compile(r"""['"]([^'"\\]{16,})['"]""")
_EXEC_CALL = re.compile(r"\b(exec|eval|system|popen|passthru|shell_exec|subprocess|os\.system|Function|spawn)\b")


def _interpreter_payload(code: str, interp: str, cmd: Command, script: Script, state: _State, depth: int) -> None:
    if not _EXEC_CALL.search(code):
        return
    methods: list[str] = []
    data: bytes | None = None
    m = _PY_B64.search(code) or _PY_B64_OLD.search(code)
    if m:
        methods.append("base64")
        data = _apply("base64", [], m.group(1).encode())
    else:
        m = _HEX_CALL.search(code)
        if m:
            methods.append("hex")
            data = _apply("hex", [], m.group(1).encode())
    if data is not None and ("zlib" in code or "gzinflate" in code or "decompress" in code):
        inflated = _apply("gzip", [], data) if data[:2] == b"\x1f\x8b" else _apply("zlib", [], data)
        if inflated is None:
            try:
                inflated = zlib.decompressobj(-15).decompress(data, MAX_DECODED)
            except zlib.error:
                inflated = None
        if inflated is not None:
            methods.append("zlib")
            data = inflated
    km = _XOR_KEY.search(code)
    if km and ("ord(" in code or "chr(" in code or "charCodeAt" in code):
        key = int(km.group(1), 0) & 0xFF
        if data is None:
            lit = max(_STR_LIT.findall(code), key=len, default="")
            if lit:
                data = lit.encode("latin-1", "replace")
        if data is not None and key:
            methods.append("xor")
            data = bytes(b ^ key for b in data[:MAX_DECODED])
    if not methods:
        return
    opt = next((o for o in ("-c", "-e", "-r", "-E") if option_value(unwrap(cmd.argv)[1:], o) == code), "-c")
    pl = Payload(line=cmd.line, file=cmd.file, methods=methods, sink=f"{interp} {opt}", encoded_size=len(code),
                 decoded=data, raw=cmd.raw[:300], via=cmd.via)
    state.payloads.append(pl)
    if data is not None and looks_like_text(data):
        code_text = data.decode("utf-8", "replace")
        # interpreter code: the shell commands it hands to system()/exec()/popen(), and the text itself
        # when it reads like shell (os.system payloads often are plain command lines)
        calls = [m.group(1) or m.group(2) for m in _SYSTEM_ARG.finditer(code_text[:MAX_DECODED])]
        text = "\n".join(calls[:64] + ([code_text] if _looks_like_shell_payload(data) and not calls else []))
        step = f"{pl.describe()} payload decoded at line {pl.line}"
        sub = Script()
        _parse_into(text, sub, state, depth=depth + 1, file=cmd.file, via=cmd.via + (step,), line0=1)
        for sp in sub.pipelines:
            for c in sp.commands:
                c.line = cmd.line
            script.pipelines.append(sp)


_SYSTEM_ARG = re.compile(r"""(?:system|popen|exec|passthru|shell_exec|check_output|call|run|Popen|spawn)\s*\(\s*\[?\s*[bu]?(?:'([^']{2,4096})'|"([^"]{2,4096})")""")


def _looks_like_shell_payload(data: bytes) -> bool:
    """Interpreter payloads are often shell commands handed to os.system; parse those as shell too."""
    text = data[:2048].decode("utf-8", "replace")
    return not re.search(r"^\s*(import|from|def|use|my|require|function|var|const|<\?php)\b", text, re.M)
