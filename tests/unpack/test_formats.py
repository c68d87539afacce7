"""Every required format, on a real image of it (tests/fixtures/unpack/formats, built by build.py):
the marker files come out with the right container chain, ending in their path inside the filesystem.

All images are unpacked in one go, bundled in a tar, so that unblob starts once; two images are also
scanned on their own through the CLI."""
from __future__ import annotations

import tarfile

import pytest

from nobackdoor.unpack import Limits, remove_workdir, unpack

from .conftest import FORMATS, MARKER, PASSWD, inventory_paths, leftover_workdirs, scan_json

#: image -> container chain of the root filesystem inside it (unblob handler names for streams and chunks)
CHAINS = {
    "rootfs-gzip.sqfs": "rootfs-gzip.sqfs",
    "rootfs-xz.sqfs": "rootfs-xz.sqfs",
    "rootfs-lzma.sqfs": "rootfs-lzma.sqfs",
    "rootfs-lzo.sqfs": "rootfs-lzo.sqfs",
    "rootfs-zstd.sqfs": "rootfs-zstd.sqfs",
    "single.uimg": "single.uimg/image-0.bin",
    "multi.uimg": "multi.uimg/image-1.bin",
    "rootfs.cpio": "rootfs.cpio",
    "rootfs.cpio.gz": "rootfs.cpio.gz/gzip.uncompressed",
    "rootfs.tar.gz": "rootfs.tar.gz/gzip.uncompressed",
    "rootfs.tar.xz": "rootfs.tar.xz/xz.uncompressed",
    "rootfs.tar.bz2": "rootfs.tar.bz2/bzip2.uncompressed",
    "rootfs.zip": "rootfs.zip",
    "stream.cpio.gz": "stream.cpio.gz/gzip.uncompressed",
    "stream.cpio.xz": "stream.cpio.xz/xz.uncompressed",
    "stream.cpio.lzma": "stream.cpio.lzma/lzma.uncompressed",
    "stream.cpio.bz2": "stream.cpio.bz2/bzip2.uncompressed",
    "stream.cpio.zst": "stream.cpio.zst/zstd.uncompressed",
    "stream.cpio.lz4": "stream.cpio.lz4/lz4.uncompressed",
    "rootfs.ext2": "rootfs.ext2",
    "rootfs.ext3": "rootfs.ext3",
    "rootfs.ext4": "rootfs.ext4",
    "rootfs.jffs2": "rootfs.jffs2",
    "rootfs.ubi": "rootfs.ubi/img-1234567_vol-rootfs.ubifs",
    "rootfs.ubifs": "rootfs.ubifs",
    "rootfs.cramfs": "rootfs.cramfs",
    "offset-squashfs.bin": "offset-squashfs.bin/squashfs_v4_le@0x1abc",
    "offset-ext2.bin": "offset-ext2.bin/extfs@0x2345",
    "nested.tar.gz": "nested.tar.gz/gzip.uncompressed/update/pkg.zip/firmware.uimg/image-1.bin",
}
#: formats that cannot hold a symlink (or whose fixture has none)
NO_SYMLINKS = {"rootfs.zip"}


def test_every_fixture_image_is_covered():
    assert {p.name for p in FORMATS.iterdir()} == set(CHAINS)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """All format images in one tar, unpacked once."""
    tmp = tmp_path_factory.mktemp("formats")
    target = tmp / "bundle.tar"
    with tarfile.open(target, "w") as tf:
        for name in sorted(CHAINS):
            tf.add(FORMATS / name, arcname=name)
    workdir = tmp / "work"
    extraction = unpack(target, workdir, Limits())
    yield extraction
    remove_workdir(workdir)


@pytest.mark.parametrize("image", sorted(CHAINS))
def test_format_unpacks_with_its_chain(bundle, image):
    files = {path: (real, rel, root) for real, path, rel, root in bundle.files}
    chain = f"bundle.tar/{CHAINS[image]}"
    passwd = files.get(f"{chain}/etc/passwd")
    assert passwd, f"{chain}/etc/passwd missing; got {sorted(p for p in files if p.startswith('bundle.tar/' + image))}"
    real, rel, root = passwd
    assert (rel, root) == ("etc/passwd", chain)
    assert real.read_bytes() == PASSWD
    assert files[f"{chain}/etc/nbd-fixture-marker"][0].read_bytes() == MARKER
    if image not in NO_SYMLINKS:
        # relative and absolute links of the image both stay, and resolve inside it
        for link in ("bin/sh", "usr/bin/tool"):
            link_real = files[f"{chain}/{link}"][0]
            assert link_real.is_symlink(), link
            assert link_real.resolve() == files[f"{chain}/bin/toolbox"][0].resolve()


def test_good_images_give_no_errors(bundle):
    assert bundle.errors == []
    assert bundle.neutralised == [] or all("Absolute path as link target" in e["action"] for e in bundle.neutralised)


def test_bundle_formats_are_recorded(bundle):
    assert {"squashfs_v4_le", "uimage", "cpio_portable_ascii", "tar", "zip", "extfs", "jffs2_new", "ubi", "ubifs",
            "cramfs", "gzip", "xz", "lzma", "bzip2", "zstd", "lz4_default"} <= bundle.formats


def test_multi_file_uimage_keeps_the_kernel(bundle):
    paths = {path for _, path, _, _ in bundle.files}
    assert "bundle.tar/multi.uimg/image-0.gz" in paths


@pytest.mark.parametrize("image", ["offset-squashfs.bin", "nested.tar.gz"])
def test_cli_scan_of_one_image(image, tmp_path):
    proc, doc = scan_json(FORMATS / image, tmpdir=tmp_path / "tmp")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.lstrip().startswith("{") and proc.stdout.rstrip().endswith("}")
    inventory = inventory_paths(doc)
    entry = inventory[f"{CHAINS[image]}/etc/passwd"]
    assert entry["relpath"] == "etc/passwd"
    assert doc["errors"] == []
    assert doc["target"]["kind"] in ("firmware", "rootfs")
    assert leftover_workdirs(tmp_path / "tmp") == []
    if image == "offset-squashfs.bin":
        # the unknown vendor header is kept as carved bytes, named by its offset
        assert "offset-squashfs.bin/unknown@0x0" in inventory
