"""Shared machinery of the variant generators: classes, per-class random streams, pair output and
deterministic containers.

Every family module exposes `FAMILY` (its name) and `generate(ctx)`. For each class it owns, it
calls `ctx.rng_for(cls)` for a reproducible random stream and `ctx.add_pair(...)` once per variant.
The artifact names say nothing about which twin is planted: `add_pair` picks `-a`/`-b` at random.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import random
import shutil
import stat
import string
import sys
import subprocess
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

# Every mechanism class the README promises, by family. Scores are printed per class.
CLASSES: dict[str, tuple[str, str]] = {
    # binaries
    "bin-auth-bypass": ("binary", "magic value (header, user agent, cookie, integer) that skips authentication"),
    "bin-hidden-command": ("binary", "undocumented command or packet that runs a command or a shell"),
    "bin-master-password": ("binary", "hard-coded master password, hidden user or challenge-response secret"),
    "bin-listener": ("binary", "undeclared listener or magic-packet daemon that opens a shell or dumps/sets config"),
    # source trees
    "src-auth-bypass": ("source", "source code: magic value or hidden condition that skips authentication"),
    "src-hidden-command": ("source", "source code: hidden request parameter, header or command that runs commands"),
    "src-hardcoded-credential": ("source", "source code: hard-coded master password, hidden user, embedded key"),
    "src-remote-shell": ("source", "source code: bind/reverse shell or phone-home started by the program"),
    "src-obfuscated": ("source", "source code: encoded or encrypted payload decoded and run"),
    # firmware configuration
    "fw-account": ("firmware", "hidden, privileged, default- or empty-password account"),
    "fw-boot-shell": ("firmware", "remote shell or insecure management service started at boot"),
    "fw-debug-console": ("firmware", "console/UART/kernel command line that gives a shell without login"),
    "fw-phone-home": ("firmware", "cron/hotplug/udev/init fetch-and-run or data sent to a fixed host"),
    "fw-key": ("firmware", "shared private key or vendor key in authorized_keys"),
    "fw-obfuscated": ("firmware", "encoded payload in a script or file that is decoded and run"),
    # supply chain
    "rel-build-tampering": ("supply", "release tarball whose build machinery decodes and runs data (scanned alone)"),
    "dep-manifest": ("supply", "dependency manifest pulls a malicious package or runs an install script that fetches code"),
    # known back doors
    "known-backdoor": ("known", "publicly documented back door re-created (binary, source or web page)"),
}

CATEGORIES = {"account", "hardcoded-secret", "remote-access", "auth-bypass", "hidden-command",
              "phone-home", "obfuscated-code", "build-tampering", "debug-interface", "known-backdoor"}

SPLIT_SEEDS = {"train": "nobackdoor-variants-train-1", "test": "nobackdoor-variants-test-1"}

# Fixed time for every file and archive member (2024-01-01T00:00:00Z): byte-identical outputs.
EPOCH = 1704067200

HERE = Path(__file__).resolve().parent
# VGEN_KEEP_WORK=1 keeps each variant's build directory (its C source and both binaries) under
# <out>/<split>/.work for study; the artifacts and labels are the same either way
KEEP_WORK = os.environ.get("VGEN_KEEP_WORK") == "1"
SHARED_BENCH = HERE.parents[2].parent / "shared" / "bench"


def _forbidden_values() -> set[str]:
    """Values planted in ../shared/bench: the variants must never reuse them (checked, not copied)."""
    path = SHARED_BENCH / "planted-values.txt"
    if not path.exists():
        return set()
    return {ln.strip() for ln in path.read_text(errors="replace").splitlines()
            if ln.strip() and not ln.startswith("#")}


@dataclass
class Ctx:
    split: str
    root: Path                    # out/<split>
    per_class: int = 8            # planted variants (pairs) per class
    only: set[str] | None = None  # restrict to these classes
    labels: list[dict] = field(default_factory=list)
    forbidden: set[str] = field(default_factory=_forbidden_values)
    _tmp_count: int = 0

    def wants(self, cls: str) -> bool:
        return self.only is None or cls in self.only

    def rng_for(self, cls: str, salt: str = "") -> random.Random:
        return random.Random(f"{SPLIT_SEEDS[self.split]}:{cls}:{salt}")

    def workdir(self, cls: str, index: int) -> Path:
        """A fresh scratch directory for building one variant (removed by add_pair)."""
        d = self.root / ".work" / f"{cls}-{index:03d}"
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        return d

    def add_pair(self, *, cls: str, index: int, stem: str, clean: Path, planted: Path,
                 kind: str, fmt: str, backdoors: list[dict], arch: str = "",
                 variant: dict | None = None, suffix: str = "") -> None:
        """Move a built clean/planted pair into place and label it.

        kind: firmware|rootfs|binary|source|release (as in CONTRACT.md's target.kind)
        backdoors: [{"categories": [...], "paths": ["etc/shadow"], "note": "...", "severity": "high"}]
          paths are suffixes of the finding path (the file's path inside its innermost filesystem or
          tree; for a single binary its own name is enough).
        variant: what this variant varies (arch, opt, trigger, sink, language, container, ...).
        suffix: file name ending (".bin", ".tar.gz", "" for directories and bare ELF files).
        """
        if cls not in CLASSES:
            raise ValueError(f"unknown class {cls}")
        for bd in backdoors:
            bad = set(bd["categories"]) - CATEGORIES
            if bad or not bd.get("paths"):
                raise ValueError(f"{cls}#{index}: bad back-door label {bd}")
        value = self._forbidden_value(planted)
        if value is not None:
            # a random draw that happens to write a value of ../shared/bench: drop the variant (the
            # corpus stays blind to that bench) and say so; the other indices are unaffected
            print(f"skipped {cls}#{index}: the planted artifact contains a ../shared/bench value {value!r}",
                  file=sys.stderr)
            for built in (planted, clean):
                if built.is_dir():
                    shutil.rmtree(built, ignore_errors=True)
                elif built.exists():
                    built.unlink()
            shutil.rmtree(self.root / ".work" / f"{cls}-{index:03d}", ignore_errors=True)
            return
        rng = self.rng_for(cls, f"order-{index}")
        planted_first = rng.random() < 0.5
        dest = self.root / cls
        dest.mkdir(parents=True, exist_ok=True)
        name_p = f"{stem}-{'a' if planted_first else 'b'}{suffix}"
        name_c = f"{stem}-{'b' if planted_first else 'a'}{suffix}"
        for src, name in ((planted, name_p), (clean, name_c)):
            target = dest / name
            if target.exists() or target.is_symlink():
                shutil.rmtree(target) if target.is_dir() and not target.is_symlink() else target.unlink()
            shutil.move(str(src), str(target))
            _normalise_times(target)
        rel_p = f"{cls}/{name_p}"
        rel_c = f"{cls}/{name_c}"
        common = {"class": cls, "family": CLASSES[cls][0], "kind": kind, "format": fmt, "arch": arch,
                  "variant": variant or {}, "split": self.split, "index": index}
        bds = []
        for n, bd in enumerate(backdoors):
            bds.append({"id": f"{cls}-{self.split}-{index:03d}-{n}", "categories": sorted(bd["categories"]),
                        "paths": bd["paths"], "note": bd.get("note", ""),
                        "severity": bd.get("severity", "high")})
        self.labels.append({"artifact": rel_c, "twin_of": rel_p, "backdoors": [], **common})
        self.labels.append({"artifact": rel_p, "twin_of": rel_c, "backdoors": bds, **common})
        work = self.root / ".work" / f"{cls}-{index:03d}"
        if work.exists() and not KEEP_WORK:
            shutil.rmtree(work)

    def _forbidden_value(self, planted: Path) -> str | None:
        """The first ../shared/bench value (5 characters or more) the planted artifact contains."""
        if not self.forbidden:
            return None
        blobs = [planted.read_bytes()] if planted.is_file() else [
            p.read_bytes() for p in sorted(planted.rglob("*")) if p.is_file() and not p.is_symlink()]
        for value in self.forbidden:
            if len(value) < 5:
                continue
            v = value.encode()
            if any(v in b for b in blobs):
                return value
        return None

    def write_labels(self) -> Path:
        self.labels.sort(key=lambda e: e["artifact"])
        path = self.root / "labels.json"
        path.write_text(json.dumps(self.labels, indent=1, sort_keys=True) + "\n")
        work = self.root / ".work"
        if work.exists() and not KEEP_WORK:
            shutil.rmtree(work)
        return path


# ----------------------------------------------------------------------------- random vocabulary

_SYL = ["ka", "ro", "mi", "te", "lu", "na", "vo", "si", "da", "pe", "zu", "qi", "fa", "xo", "bri",
        "tor", "gen", "vel", "mar", "sol", "dex", "nov", "tal", "wyn", "ost", "ler", "cam", "pix"]
_PRODUCT_WORDS = ["link", "gate", "net", "wave", "core", "edge", "node", "mesh", "port", "hub",
                  "cell", "ray", "line", "beam", "path", "span"]
_DOC_NETS = ["192.0.2", "198.51.100", "203.0.113"]


def word(rng: random.Random, syllables: tuple[int, int] = (2, 3)) -> str:
    return "".join(rng.choice(_SYL) for _ in range(rng.randint(*syllables)))


def ident(rng: random.Random, parts: int = 2, style: str = "snake") -> str:
    ws = [word(rng, (1, 2)) for _ in range(parts)]
    if style == "camel":
        return ws[0] + "".join(w.capitalize() for w in ws[1:])
    if style == "pascal":
        return "".join(w.capitalize() for w in ws)
    return "_".join(ws)


def product(rng: random.Random) -> str:
    return word(rng, (1, 2)) + rng.choice(_PRODUCT_WORDS)


def secret(rng: random.Random, n: int | None = None, alphabet: str | None = None) -> str:
    """A password-like string of letters, digits and a few symbols."""
    n = n or rng.randint(8, 16)
    alphabet = alphabet or (string.ascii_letters + string.digits + "!#%+-_.@")
    return "".join(rng.choice(alphabet) for _ in range(n))


def token_hex(rng: random.Random, nbytes: int = 16) -> str:
    return "".join(f"{rng.randrange(256):02x}" for _ in range(nbytes))


def doc_ip(rng: random.Random) -> str:
    return f"{rng.choice(_DOC_NETS)}.{rng.randint(2, 254)}"


def doc_host(rng: random.Random) -> str:
    return f"{word(rng)}.{rng.choice(['example', 'example.com', 'example.net', 'example.org'])}"


def port(rng: random.Random) -> int:
    # avoid well-known ports an honest daemon would use
    while True:
        p = rng.randint(1025, 65000)
        if p not in (1080, 1433, 1521, 2049, 3128, 3306, 5432, 5900, 6379, 8000, 8008, 8080, 8081, 8443, 8888, 9000, 9090):
            return p


# ----------------------------------------------------------------------------- deterministic files

def write(path: Path, data: str | bytes, mode: int = 0o644) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    os.chmod(path, mode)
    return path


def _normalise_times(path: Path) -> None:
    paths = [path] + (sorted(path.rglob("*")) if path.is_dir() and not path.is_symlink() else [])
    for p in paths:
        try:
            os.utime(p, (EPOCH, EPOCH), follow_symlinks=False)
        except (OSError, NotImplementedError):
            pass


def _walk(tree: Path) -> list[Path]:
    return sorted(tree.rglob("*"), key=lambda p: p.relative_to(tree).as_posix())


def make_tar(tree: Path, out: Path, compression: str = "gz", prefix: str = "") -> Path:
    """tar of a tree, members sorted, owner root, fixed time; compression '', 'gz', 'xz' or 'bz2'."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for p in _walk(tree):
            rel = p.relative_to(tree).as_posix()
            ti = tf.gettarinfo(str(p), arcname=(prefix + rel) if prefix else rel)
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = "root"
            ti.mtime = EPOCH
            if ti.isreg():
                with open(p, "rb") as fh:
                    tf.addfile(ti, fh)
            else:
                tf.addfile(ti)
    raw = buf.getvalue()
    if compression == "gz":
        raw = gzip_bytes(raw)
    elif compression == "xz":
        import lzma
        raw = lzma.compress(raw, preset=6)
    elif compression == "bz2":
        import bz2
        raw = bz2.compress(raw)
    out.write_bytes(raw)
    return out


def gzip_bytes(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9, filename="") as gz:
        gz.write(data)
    return buf.getvalue()


def make_zip(tree: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in _walk(tree):
            rel = p.relative_to(tree).as_posix()
            if p.is_symlink() or not p.is_file():
                continue
            zi = zipfile.ZipInfo(rel, date_time=(2024, 1, 1, 0, 0, 0))
            zi.external_attr = (stat.S_IMODE(p.stat().st_mode) | stat.S_IFREG) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zi, p.read_bytes())
    return out


def make_cpio(tree: Path, out: Path, gz: bool = False) -> Path:
    """newc cpio, sorted, root-owned, fixed times (uses GNU cpio --reproducible)."""
    names = "\n".join(p.relative_to(tree).as_posix() for p in _walk(tree)) + "\n"
    _normalise_times(tree)
    res = subprocess.run(["cpio", "-o", "-H", "newc", "--reproducible", "-R", "0:0", "--quiet"],
                         cwd=tree, input=names.encode(), capture_output=True, check=True)
    data = res.stdout
    out.write_bytes(gzip_bytes(data) if gz else data)
    return out


def make_squashfs(tree: Path, out: Path, comp: str = "xz", block_size: int = 131072) -> Path:
    _normalise_times(tree)
    cmd = ["mksquashfs", str(tree), str(out), "-noappend", "-all-root", "-comp", comp,
           "-b", str(block_size), "-all-time", str(EPOCH), "-mkfs-time", str(EPOCH),
           "-no-progress", "-quiet", "-processors", "1"]
    subprocess.run(cmd, check=True, capture_output=True)
    return out


def make_ext(tree: Path, out: Path, fstype: str = "ext4", size_kb: int | None = None) -> Path:
    """ext2/ext4 image from a tree (mke2fs -d), fixed UUID, hash seed and times."""
    total = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file() and not p.is_symlink())
    size_kb = size_kb or max(1024, (total // 1024) * 2 + 1024)
    env = dict(os.environ, E2FSPROGS_FAKE_TIME=str(EPOCH), SOURCE_DATE_EPOCH=str(EPOCH))
    if out.exists():
        out.unlink()
    opts = ["-E", "root_owner=0:0,hash_seed=00000000-0000-0000-0000-000000000001"]
    cmd = ["mke2fs", "-q", "-F", "-t", fstype, "-U", "00000000-0000-0000-0000-000000000002", *opts,
           "-b", "1024", "-d", str(tree)]
    if fstype == "ext4":
        cmd += ["-O", "^has_journal,^metadata_csum"]
    cmd += [str(out), f"{size_kb}k"]
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return out


def make_uimage(payload: Path, out: Path, *, name: str, kind: str = "kernel", comp: str = "none",
                arch: str = "mips", multi: list[Path] | None = None) -> Path:
    """U-Boot legacy image (mkimage, fixed time through SOURCE_DATE_EPOCH)."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(EPOCH))
    data = ":".join(str(p) for p in multi) if multi else str(payload)
    typ = "multi" if multi else kind
    subprocess.run(["mkimage", "-A", arch, "-O", "linux", "-T", typ, "-C", comp, "-a", "0x80000000",
                    "-e", "0x80000000", "-n", name[:31], "-d", data, str(out)],
                   check=True, capture_output=True, env=env)
    return out


def tool(name: str) -> str | None:
    return shutil.which(name)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
