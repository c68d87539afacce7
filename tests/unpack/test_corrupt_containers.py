"""Corrupt containers are never read as "clean": each one gives an `errors` entry."""
from __future__ import annotations

import shutil
import struct
import subprocess

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
