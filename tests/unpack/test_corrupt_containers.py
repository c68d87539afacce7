"""Corrupt containers are never read as "clean": each one gives an `errors` entry."""
from __future__ import annotations

import io
import shutil
import struct
import subprocess
import tarfile
import zlib

import pytest

from .conftest import scan_json


@pytest.fixture
def rootfs(tmp_path):
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "bin").mkdir()
    (root / "etc" / "passwd").write_text("root::0:0::/root:/bin/sh\n")
    (root / "etc" / "inittab").write_text("ttyS1::respawn:/bin/ash\n")
    return root


@pytest.mark.skipif(shutil.which("mke2fs") is None, reason="needs e2fsprogs")
def test_ext4_with_zeroed_geometry_is_an_error(rootfs, tmp_path):
    img = tmp_path / "fs.img"
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", str(rootfs), str(img), "2048k"], check=True)
    data = bytearray(img.read_bytes())
    struct.pack_into("<II", data, 1024 + 32, 0, 0)  # s_blocks_per_group, s_clusters_per_group
    struct.pack_into("<I", data, 1024 + 40, 0)  # s_inodes_per_group
    img.write_bytes(data)
    proc, doc = scan_json(img, tmpdir=tmp_path / "tmp")
    assert doc["errors"] and doc["complete"] is False and proc.returncode == 1


@pytest.mark.skipif(shutil.which("mkfs.jffs2") is None, reason="needs mtd-utils")
def test_truncated_jffs2_is_an_error(rootfs, tmp_path):
    img = tmp_path / "fs.jffs2"
    subprocess.run(["mkfs.jffs2", "-r", str(rootfs), "-o", str(img), "-l"], check=True)
    img.write_bytes(img.read_bytes()[: img.stat().st_size // 2])
    proc, doc = scan_json(img, tmpdir=tmp_path / "tmp")
    assert any("jffs2" in e["message"] for e in doc["errors"]), doc["errors"]
    assert proc.returncode == 1


def _squashfs(root, out):
    subprocess.run(["mksquashfs", str(root), str(out), "-noappend", "-quiet", "-no-progress", "-all-root"],
                   check=True, capture_output=True)
    return out.read_bytes()


def _cpio_without_trailer(root, tmp_path):
    names = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    proc = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], input="\n".join(names).encode(), cwd=root,
                          capture_output=True, check=True)
    return proc.stdout[: proc.stdout.rfind(b"070701")]


def _squashfs_truncated(root, tmp_path):
    data = _squashfs(root, tmp_path / "fs.sqfs")
    (used,) = struct.unpack_from("<Q", data, 40)
    return data[: used - 60]


def _jffs2_big_endian_damaged(root, tmp_path):
    subprocess.run(["mkfs.jffs2", "-r", str(root), "-o", str(tmp_path / "fs.jffs2"), "-b"], check=True)
    data = bytearray((tmp_path / "fs.jffs2").read_bytes())
    for k in range(40, len(data), 97):
        data[k] ^= 0x55
    return bytes(data)


def _ext2_zeroed_geometry(root, tmp_path):
    img = tmp_path / "fs.img"
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-d", str(root), str(img), "1024k"], check=True,
                   capture_output=True)
    data = bytearray(img.read_bytes())
    struct.pack_into("<II", data, 1024 + 32, 0, 0)
    struct.pack_into("<I", data, 1024 + 40, 0)
    return bytes(data)


def _trx_self_pointing(root, tmp_path):
    body = _squashfs(root, tmp_path / "fs.sqfs")
    head = bytearray(b"HDR0" + struct.pack("<I", 28 + len(body)) + b"\0" * 4 + struct.pack("<HH", 0, 1)
                     + struct.pack("<III", 0, 0, 0))  # every partition offset points at the header
    data = head + body
    struct.pack_into("<I", data, 8, zlib.crc32(bytes(data[12:])) ^ 0xFFFFFFFF)
    return bytes(data)


def _targz_truncated(root, tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        tf.add(root, arcname=".")
    data = buf.getvalue()
    return data[: len(data) * 2 // 3]


@pytest.mark.parametrize("build", [_cpio_without_trailer, _squashfs_truncated, _jffs2_big_endian_damaged,
                                   _ext2_zeroed_geometry, _trx_self_pointing, _targz_truncated],
                         ids=lambda f: f.__name__.strip("_"))
def test_corrupt_container_is_an_error(build, rootfs, tmp_path):
    tools = {"_cpio_without_trailer": "cpio", "_squashfs_truncated": "mksquashfs", "_trx_self_pointing": "mksquashfs",
             "_jffs2_big_endian_damaged": "mkfs.jffs2", "_ext2_zeroed_geometry": "mke2fs"}
    if build.__name__ in tools and shutil.which(tools[build.__name__]) is None:
        pytest.skip(f"needs {tools[build.__name__]}")
    img = tmp_path / "image.bin"
    img.write_bytes(build(rootfs, tmp_path))
    proc, doc = scan_json(img, tmpdir=tmp_path / "tmp")
    assert doc["errors"], doc
    assert doc["complete"] is False and doc["verdict"] != "clean"
    assert proc.returncode == 1
