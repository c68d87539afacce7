#!/usr/bin/env python3
"""Build the demo firmware ``examples/firmware/demo-router-fw.bin`` deterministically.

Layout, like many small routers: a U-Boot legacy uImage (an LZMA "kernel" stand-in), 0xff padding
to 64 KiB, then an xz-compressed SquashFS root filesystem holding Debian's real busybox-static with
its applet links and the configuration under ``examples/rootfs-src``.

    python3 examples/build_demo.py            # needs mksquashfs and apt-get (for busybox-static)

The shadow file and the shipped key are generated here from fixed seeds, so two runs give the same
bytes (SOURCE_DATE_EPOCH fixes every timestamp).
"""
from __future__ import annotations

import hashlib
import lzma
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "firmware" / "demo-router-fw.bin"
EPOCH = int(os.environ.get("SOURCE_DATE_EPOCH", "1700000000"))
APPLETS = ["sh", "ash", "ls", "cat", "mount", "umount", "hostname", "telnetd", "httpd", "ntpd", "wget", "login",
           "getty", "reboot", "init", "uptime", "echo", "crond"]
APPLET_DIR = {"telnetd": "usr/sbin", "httpd": "usr/sbin", "ntpd": "usr/sbin", "crond": "usr/sbin",
              "reboot": "sbin", "init": "sbin", "getty": "sbin", "login": "bin"}


def busybox() -> bytes:
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "nobackdoor-demo"
    cache.mkdir(parents=True, exist_ok=True)
    debs = sorted(cache.glob("busybox-static_*.deb"))
    if not debs:
        subprocess.run(["apt-get", "download", "busybox-static"], cwd=cache, check=True)
        debs = sorted(cache.glob("busybox-static_*.deb"))
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["dpkg-deb", "-x", str(debs[-1]), tmp], check=True)
        return (Path(tmp) / "bin" / "busybox").read_bytes()


def md5_crypt(password: str, salt: str) -> str:
    from passlib.hash import md5_crypt as scheme

    return scheme.using(salt=salt).hash(password)


def shipped_key() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    seed = hashlib.sha256(b"nobackdoor demo firmware maintenance key").digest()
    key = Ed25519PrivateKey.from_private_bytes(seed)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def build_rootfs(root: Path) -> None:
    shutil.copytree(HERE / "rootfs-src", root, symlinks=True)
    (root / "README").unlink()
    # git keeps no empty directories: create every one the image needs
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp", "var", "lib", "root", "etc/ssl/private"):
        (root / d).mkdir(parents=True, exist_ok=True)
    (root / "bin" / "busybox").write_bytes(busybox())
    for applet in APPLETS:
        where = APPLET_DIR.get(applet, "bin")
        link = root / where / applet
        depth = where.count("/") + 1
        link.symlink_to("../" * depth + "bin/busybox" if depth > 1 else "busybox" if where == "bin" else "../bin/busybox")
    # a vendor field-engineering alias of root with a well-known default password
    (root / "etc" / "shadow").write_text(
        "root:*:19000:0:99999:7:::\n"
        "daemon:*:19000:0:99999:7:::\n"
        "www-data:*:19000:0:99999:7:::\n"
        "nobody:*:19000:0:99999:7:::\n"
        f"fieldeng:{md5_crypt('default', 'dEm0sAlt')}:19000:0:99999:7:::\n")
    (root / "etc" / "ssl" / "private" / "device.key").write_bytes(shipped_key())
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        elif path.parent.name in ("init.d", "cgi-bin") or path.name == "busybox":
            path.chmod(0o755)
        elif path.name == "shadow" or path.suffix == ".key":
            path.chmod(0o600)
        else:
            path.chmod(0o644)


def uimage(payload: bytes, name: bytes) -> bytes:
    # struct legacy_img_hdr (U-Boot include/image.h): magic, hcrc, time, size, load, ep, dcrc,
    # os=Linux(5), arch=ARM(2), type=kernel(2), comp=lzma(3), name[32]
    fields = [0x27051956, 0, EPOCH, len(payload), 0x80008000, 0x80008000, zlib.crc32(payload), 5, 2, 2, 3,
              name.ljust(32, b"\0")]
    header = struct.pack(">7I4B32s", *fields)
    fields[1] = zlib.crc32(header)
    return struct.pack(">7I4B32s", *fields) + payload


def main() -> int:
    if shutil.which("mksquashfs") is None:
        print("mksquashfs missing: apt-get install squashfs-tools", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        build_rootfs(root)
        sqfs = Path(tmp) / "root.sqfs"
        subprocess.run(["mksquashfs", str(root), str(sqfs), "-comp", "xz", "-all-root", "-noappend", "-no-xattrs",
                        "-mkfs-time", str(EPOCH), "-all-time", str(EPOCH), "-quiet", "-no-progress",
                        "-processors", "1"], check=True)
        kernel = lzma.compress(b"Linux version 5.10.0-demo (builder@demo.example) #1 SMP\n" * 64,
                               format=lzma.FORMAT_ALONE)
        image = uimage(kernel, b"demo-router kernel")
        image += b"\xff" * (65536 - len(image))
        image += sqfs.read_bytes()
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_bytes(image)
    print(f"{OUT.relative_to(HERE.parent)}: {OUT.stat().st_size} bytes, sha256 {hashlib.sha256(image).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
