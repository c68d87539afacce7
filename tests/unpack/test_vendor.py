"""What vendors ship (tests/fixtures/unpack/vendor, built by build.py): ELF updaters with an appended
payload, uImage kernels and ramdisks compressed with LZMA of unknown size, squashfs 4 images under
vendor superblock magics. unblob starts once per group: the non-ELF images are bundled in a tar,
the updaters sit in one directory target."""
from __future__ import annotations

import io
import lzma
import shutil
import struct
import tarfile
import time
from pathlib import Path

import pytest
from unblob.file_utils import File, InvalidInputFormat
from unblob.handlers.compression.lzma import LZMAHandler

from nobackdoor.unpack import Limits, remove_workdir, unpack
from nobackdoor.unpack import handlers as nbd_handlers
from nobackdoor.unpack.elf_tail import Tail, appended_tail, elf_end
from nobackdoor.unpack.squashfs_reader import MagicNormalised, v4_le_superblock

from .conftest import (
    BUILD,
    MARKER,
    PASSWD,
    inventory_paths,
    leftover_workdirs,
    scan_json,
)

VENDOR = BUILD.VENDOR
STUB = (VENDOR / "plain-stub.elf").read_bytes()
STUB_MIPS = (VENDOR / "plain-stub-mips.elf").read_bytes()

#: updater -> (stub length, chain below "delivery/<updater>" of the payload's root filesystem)
UPDATERS = {
    "updater-squashfs.elf": (len(STUB), "appended@0x{:x}"),
    "updater-cpio-gz-mips.elf": (len(STUB_MIPS), "appended@0x{:x}/gzip.uncompressed"),
    "updater-makeself.elf": (len(STUB), "appended@0x{:x}/gzip@0x{:x}/gzip.uncompressed"),
}
#: bundled image -> chain of its root filesystem below "bundle.tar/<image>"
IMAGES = {
    "kernel-lzma-initramfs.uimg": "image-0.bin/gzip@0x8000/gzip.uncompressed",
    "ramdisk-lzma-6m-dict.uimg": "image-0.bin",
    "rootfs-magic-shsq-gzip.sqfs": "",
    "rootfs-magic-sqlz-lzma.sqfs": "",
    "rootfs-magic-hsqt-xz.bin": "squashfs_v4_vendor_magic@0x200",
}


def test_every_vendor_fixture_is_covered():
    assert {p.name for p in VENDOR.iterdir()} == set(UPDATERS) | set(IMAGES) | {
        "plain-stub.elf", "plain-stub-mips.elf", "updater-script.elf"}


# ---------------------------------------------------------------- where an ELF ends


@pytest.mark.parametrize("name", ["plain-stub.elf", "plain-stub-mips.elf"])
def test_ordinary_elf_has_no_tail(name):
    data = (VENDOR / name).read_bytes()
    assert elf_end(io.BytesIO(data)) == len(data)
    assert appended_tail(VENDOR / name) is None
    # the decoy magics sit inside the ELF, in .rodata
    assert BUILD.DECOY_MAGICS in data


@pytest.mark.parametrize("name", [*UPDATERS, "updater-script.elf"])
def test_updater_tail_starts_where_the_stub_ends(name):
    data = (VENDOR / name).read_bytes()
    stub = STUB_MIPS if "mips" in name else STUB
    assert appended_tail(VENDOR / name) == Tail(len(stub), len(data) - len(stub))


def test_real_executables_have_no_tail():
    """Linker output on this machine: the interpreter and whatever ELF files /usr/bin holds."""
    checked = 0
    for path in sorted(Path("/usr/bin").iterdir())[:400]:
        if path.is_symlink() or not path.is_file():
            continue
        with open(path, "rb") as fh:
            if fh.read(4) != b"\x7fELF":
                continue
        checked += 1
        assert appended_tail(path) is None, path
    assert checked > 20


@pytest.mark.parametrize("tail,carved", [
    (b"\0" * 4096, False),                       # alignment padding
    (b"\xff" * 700, False),                      # erased flash
    (b"PKCS7-blob" * 40 + b"\0\0\0\0\0\0\0\0\0\0\x01\x90~Module signature appended~\n", False),
    (b"\x41" * 64, True),                        # one repeated byte that is no filler value
    (b"#!/bin/sh\nexit 0\n", True),
])
def test_benign_tails_are_not_carved(tmp_path, tail, carved):
    path = tmp_path / "prog"
    path.write_bytes(STUB + tail)
    assert (appended_tail(path) is not None) is carved


def test_upx_trailer_is_not_carved(tmp_path):
    stub = STUB.replace(b"vendor updater stub\0", b"UPX!\0" + b"\0" * 15)
    assert len(stub) == len(STUB)
    path = tmp_path / "packed"
    path.write_bytes(stub + b"\0" * 5 + b"UPX!" + b"\x0d\x0c\x0a\x00" * 6)
    assert appended_tail(path) is None


@pytest.mark.parametrize("mangle", ["shoff-past-eof", "huge-phnum", "short", "garbage", "shnum-extended"])
def test_corrupt_headers_give_no_tail_and_no_exception(tmp_path, mangle):
    data = bytearray(STUB + b"payload" * 100)
    if mangle == "shoff-past-eof":
        struct.pack_into("<Q", data, 0x28, 10 ** 9)
    elif mangle == "huge-phnum":
        struct.pack_into("<H", data, 0x38, 0xFFFF)
    elif mangle == "short":
        data = data[:40]
    elif mangle == "garbage":
        data[16:64] = bytes(range(48))
    else:  # e_shnum 0: the count is in section 0's sh_size, here absurd
        struct.pack_into("<H", data, 0x3C, 0)
        shoff = struct.unpack_from("<Q", data, 0x28)[0]
        struct.pack_into("<Q", data, shoff + 0x20, 2 ** 40)
    path = tmp_path / "bad"
    path.write_bytes(bytes(data))
    t0 = time.monotonic()
    assert appended_tail(path) is None
    assert time.monotonic() - t0 < 1


def test_elf_check_is_cheap():
    path = VENDOR / "updater-squashfs.elf"
    t0 = time.perf_counter()
    for _ in range(200):
        appended_tail(path)
    assert (time.perf_counter() - t0) / 200 < 0.005


# ---------------------------------------------------------------- ELF targets, unpacked


def test_ordinary_elf_target_produces_no_carve(tmp_path):
    extraction = unpack(VENDOR / "plain-stub.elf", tmp_path / "work", Limits())
    assert [f[1] for f in extraction.files] == ["plain-stub.elf"]
    assert extraction.errors == [] and extraction.unpacked == set()
    assert list((tmp_path / "work").iterdir()) == []  # unblob was not even started


@pytest.fixture(scope="module")
def delivery(tmp_path_factory):
    """A directory target holding every updater and both plain stubs."""
    tmp = tmp_path_factory.mktemp("delivery")
    target = tmp / "delivery"
    target.mkdir()
    for name in [*UPDATERS, "updater-script.elf", "plain-stub.elf", "plain-stub-mips.elf"]:
        shutil.copy(VENDOR / name, target / name)
    workdir = tmp / "work"
    extraction = unpack(target, workdir, Limits())
    yield extraction, target
    remove_workdir(workdir)


@pytest.mark.parametrize("name", sorted(UPDATERS))
def test_updater_payload_is_unpacked(delivery, name):
    extraction, target = delivery
    files = {path: (real, rel, root) for real, path, rel, root in extraction.files}
    stub_len, chain = UPDATERS[name]
    if name == "updater-makeself.elf":
        script = (VENDOR / name).read_bytes()[stub_len:]
        chain = chain.format(stub_len, script.index(b"\x1f\x8b"))
    else:
        chain = chain.format(stub_len)
    root = f"{name}/{chain}"
    assert files[f"{root}/etc/passwd"][0].read_bytes() == PASSWD, sorted(p for p in files if p.startswith(name))
    assert files[f"{root}/etc/nbd-fixture-marker"][0].read_bytes() == MARKER
    # the stub itself stays an analysed file, marked as one data was carved from
    assert files[name][0] == target / name
    assert target / name in extraction.unpacked


def test_makeself_script_is_kept_for_analysis(delivery):
    extraction, _ = delivery
    stub_len = len(STUB)
    files = {path: real for real, path, _, _ in extraction.files}
    script = files[f"updater-makeself.elf/appended@0x{stub_len:x}/unknown@0x0"].read_bytes()
    assert script.startswith(b"#!/bin/sh") and b"exit 0\n__ARCHIVE__\n" in script


def test_appended_script_without_container_is_analysed_as_a_file(delivery):
    extraction, _ = delivery
    files = {path: (real, rel, root) for real, path, rel, root in extraction.files}
    where = f"updater-script.elf/appended@0x{len(STUB):x}"
    real, rel, root = files[where]
    assert real.read_bytes().startswith(b"#!/bin/sh\n# post-install hook")
    assert (rel, root) == (f"appended@0x{len(STUB):x}", "updater-script.elf")


def test_plain_stubs_in_a_directory_produce_no_carve(delivery):
    extraction, target = delivery
    paths = [f[1] for f in extraction.files]
    for name in ("plain-stub.elf", "plain-stub-mips.elf"):
        assert [p for p in paths if p.startswith(name)] == [name]
        assert target / name not in extraction.unpacked
    assert extraction.errors == []


def test_cli_scan_of_an_updater(tmp_path):
    proc, doc = scan_json(VENDOR / "updater-squashfs.elf", tmpdir=tmp_path / "tmp")
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    inventory = inventory_paths(doc)
    assert inventory["updater-squashfs.elf"]["kind"] == "elf"
    assert f"updater-squashfs.elf/appended@0x{len(STUB):x}/etc/passwd" in inventory
    # (analyzer errors belong to the analyzers' tests)
    assert [e for e in doc["errors"] if not e["message"].startswith("analyzer ")] == []
    assert doc["target"]["kind"] == "firmware"
    assert leftover_workdirs(tmp_path / "tmp") == []


def test_cli_scan_of_a_plain_stub_stays_a_binary(tmp_path):
    proc, doc = scan_json(VENDOR / "plain-stub-mips.elf", tmpdir=tmp_path / "tmp")
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert doc["target"]["kind"] == "binary"
    assert list(inventory_paths(doc)) == ["plain-stub-mips.elf"]


def test_tail_bigger_than_the_size_limit_is_reported(tmp_path):
    extraction = unpack(VENDOR / "updater-squashfs.elf", tmp_path / "work", Limits(max_bytes=1000))
    assert any("extracted-size limit" in e.message and "appended" in e.path for e in extraction.errors)
    assert [f[1] for f in extraction.files] == ["updater-squashfs.elf"]


def test_stubs_appended_to_stubs_stop_at_the_depth_limit(tmp_path):
    """An ELF whose payload is an ELF whose payload is an ELF...: each level counts against --max-depth."""
    path = tmp_path / "matryoshka.elf"
    path.write_bytes(STUB * 6 + b"#!/bin/sh\nexit 0\n")
    extraction = unpack(path, tmp_path / "work", Limits(max_depth=3))
    paths = [f[1] for f in extraction.files]
    step = f"appended@0x{len(STUB):x}"
    assert paths == ["matryoshka.elf", f"matryoshka.elf/{step}", f"matryoshka.elf/{step}/{step}"]
    assert [e.path for e in extraction.errors] == [f"matryoshka.elf/{step}/{step}/{step}"]
    assert "depth limit (3)" in extraction.errors[0].message


def test_elf_tail_nested_in_an_archive_is_carved_once(bundle):
    """unblob's own ELF handler carves inside containers; the stub is not copied to carved.elf."""
    paths = {f[1] for f in bundle.files}
    assert f"bundle.tar/updater-squashfs.elf/squashfs_v4_le@0x{len(STUB):x}/etc/passwd" in paths
    assert "bundle.tar/updater-squashfs.elf" in paths
    assert not [p for p in paths if p.endswith("carved.elf")]


# ---------------------------------------------------------------- uImage LZMA and squashfs variants


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("vendor")
    target = tmp / "bundle.tar"
    with tarfile.open(target, "w") as tf:
        for name in [*sorted(IMAGES), "updater-squashfs.elf"]:
            tf.add(VENDOR / name, arcname=name)
    workdir = tmp / "work"
    extraction = unpack(target, workdir, Limits())
    yield extraction
    remove_workdir(workdir)


@pytest.mark.parametrize("image", sorted(IMAGES))
def test_vendor_image_unpacks_with_its_chain(bundle, image):
    files = {path: (real, rel, root) for real, path, rel, root in bundle.files}
    chain = "/".join(p for p in ("bundle.tar", image, IMAGES[image]) if p)
    assert f"{chain}/etc/passwd" in files, sorted(p for p in files if p.startswith(f"bundle.tar/{image}"))
    real, rel, root = files[f"{chain}/etc/passwd"]
    assert (real.read_bytes(), rel, root) == (PASSWD, "etc/passwd", chain)
    assert files[f"{chain}/etc/nbd-fixture-marker"][0].read_bytes() == MARKER
    for link in ("bin/sh", "usr/bin/tool"):  # relative and absolute links stay inside the image
        link_real = files[f"{chain}/{link}"][0]
        assert link_real.is_symlink() and link_real.resolve() == files[f"{chain}/bin/toolbox"][0].resolve()


def test_vendor_bundle_gives_no_errors(bundle):
    assert bundle.errors == []
    assert {"uimage", "squashfs_v4_broadcom", "squashfs_v4_vendor_magic"} <= bundle.formats


@pytest.mark.parametrize("image", ["kernel-lzma-initramfs.uimg", "ramdisk-lzma-6m-dict.uimg"])
def test_unblob_alone_leaves_the_lzma_payloads_compressed(image):
    """Why the uImage extractor decodes LZMA itself: unblob's handler refuses both payloads
    (a stream that did not shrink; a dictionary size outside its pattern)."""
    payload = (VENDOR / image).read_bytes()[64:]
    assert payload[5:13] == b"\xff" * 8  # unknown uncompressed size
    with pytest.raises(InvalidInputFormat):
        LZMAHandler().calculate_chunk(File.from_bytes(payload), 0)


def test_lzma_payload_output_is_bounded(tmp_path):
    bomb = lzma.compress(b"\0" * (8 << 20), format=lzma.FORMAT_ALONE)
    problem = nbd_handlers.write_lzma_alone(bomb, tmp_path / "out", cap=1 << 20)
    assert "extracted-size limit" in problem
    assert (tmp_path / "out").stat().st_size == 1 << 20


def test_truncated_and_corrupt_lzma_payloads(tmp_path):
    good = lzma.compress(BUILD.pseudo_random(5, 300_000), format=lzma.FORMAT_ALONE)
    problem = nbd_handlers.write_lzma_alone(good[: len(good) // 2], tmp_path / "cut", cap=1 << 30)
    assert "truncated" in problem and (tmp_path / "cut").stat().st_size > 0
    with pytest.raises(lzma.LZMAError):
        nbd_handlers.write_lzma_alone(b"\x5d\0\0\x80\0" + b"\xff" * 8 + b"\xff" * 64, tmp_path / "bad", cap=1 << 30)


def test_uimage_with_undecodable_lzma_payload_is_reported(tmp_path):
    payload = b"\x5d\0\0\x80\0" + b"\xff" * 8 + b"\xff" * 600
    image = tmp_path / "bad-lzma.uimg"
    image.write_bytes(_uimage(payload, comp=3))
    extraction = unpack(image, tmp_path / "work", Limits())
    assert any("announced as LZMA does not decode" in e.message for e in extraction.errors), extraction.errors
    assert "bad-lzma.uimg/image-0.lzma" in {f[1] for f in extraction.files}


def _uimage(payload: bytes, comp: int) -> bytes:
    import zlib

    def header(hcrc: int) -> bytes:
        return nbd_handlers.UIMAGE_HEADER.pack(0x27051956, hcrc, 0, len(payload), 0, 0, zlib.crc32(payload), 5, 2,
                                               2, comp, b"test")
    return header(zlib.crc32(header(0))) + payload


def test_vendor_magic_superblocks():
    for name in ("rootfs-magic-sqlz-lzma.sqfs", "rootfs-magic-shsq-gzip.sqfs"):
        data = (VENDOR / name).read_bytes()
        assert v4_le_superblock(data[:96], len(data))
    assert not v4_le_superblock(b"sqlz" + b"\0" * 92, 4096)
    view = io.BufferedReader(MagicNormalised(io.BytesIO((VENDOR / "rootfs-magic-sqlz-lzma.sqfs").read_bytes())))
    assert view.read(6)[:4] == b"hsqs"


def test_unreadable_vendor_squashfs_names_every_reader(tmp_path):
    data = bytearray((VENDOR / "rootfs-magic-sqlz-lzma.sqfs").read_bytes())
    inode_table = struct.unpack_from("<Q", data, 64)[0]
    data[inode_table:inode_table + 64] = b"\xa5" * 64  # the root inode's metadata block is garbage
    image = tmp_path / "broken-sqlz.sqfs"
    image.write_bytes(bytes(data))
    extraction = unpack(image, tmp_path / "work", Limits())
    msgs = [e.message for e in extraction.errors]
    assert any("no squashfs reader could read it" in m and "unsquashfs:" in m and "7z:" in m
               and "python reader:" in m and "truncated or corrupt" in m for m in msgs), msgs
    assert "no known container" not in " ".join(msgs)


def test_squashfs3_lzma_nobody_reads_is_reported(tmp_path):
    """A squashfs 3 big-endian "sqlz" superblock (the LZMA 3.x patch) in front of data no reader
    takes: unblob finds the chunk, unsquashfs, 7z and the Python reader (squashfs 4 only) refuse it,
    and the scan error says so and why; the bytes are still analysed."""
    head = bytearray(96)
    head[0:4] = b"sqlz"
    struct.pack_into(">IHHHH", head, 4, 12, 0, 0, 0, 0)
    struct.pack_into(">HHHH", head, 28, 3, 1, 0x8000, 15)  # s_major 3, s_minor 1, block size 32 KiB
    struct.pack_into(">I", head, 51, 0x8000)
    struct.pack_into(">Q", head, 63, 4096)  # bytes_used (the v3 superblock is packed)
    image = tmp_path / "v3-lzma.bin"
    image.write_bytes(bytes(head) + BUILD.pseudo_random(31, 4096 - len(head)))
    extraction = unpack(image, tmp_path / "work", Limits())
    msgs = [e.message for e in extraction.errors]
    assert any(m.startswith("squashfs_v3_nonstandard: no squashfs reader could read it")
               and "python reader: exit 1, ValueError: superblock is not a little-endian squashfs 4.0" in m
               for m in msgs), msgs
    assert "squashfs_v3_nonstandard" in extraction.formats
    assert [f[1] for f in extraction.files] == ["v3-lzma.bin"]


@pytest.mark.parametrize("comp", ["gzip", "xz", "lzma", "lzo", "zstd"])
def test_python_reader_takes_every_compressor(tmp_path, comp):
    from nobackdoor.unpack.squashfs_reader import extract

    data = bytearray((BUILD.FORMATS / f"rootfs-{comp}.sqfs").read_bytes())
    data[:4] = b"zlqs"
    image = tmp_path / "img"
    image.write_bytes(bytes(data))
    out = tmp_path / "out"
    assert extract(image, out) == []
    assert (out / "etc" / "passwd").read_bytes() == PASSWD
    assert (out / "bin" / "toolbox").stat().st_mode & 0o777 == 0o755
    assert (out / "usr" / "bin" / "tool").resolve() == (out / "bin" / "toolbox").resolve()


def test_python_reader_keeps_links_inside(tmp_path):
    from nobackdoor.unpack.squashfs_reader import extract

    data = bytearray((BUILD.HOSTILE / "symlink-escape.sqfs").read_bytes())
    data[:4] = b"sqlz"
    image = tmp_path / "img"
    image.write_bytes(bytes(data))
    out = tmp_path / "out"
    problems = extract(image, out)
    assert {p.path for p in problems} >= {"etc/shadow-leak", "canary-link"}
    assert not (out / "etc" / "shadow-leak").is_symlink() and not (out / "canary-link").is_symlink()
    assert (out / "etc" / "passwd").read_bytes() == PASSWD


def test_short_unmarked_tail_is_listed_without_an_extraction_run(tmp_path):
    # four bytes after the headers' end (a serial number, a counter): analysed as a file of its own,
    # no extractor is started for it (each run costs seconds)
    target = tmp_path / "daemon"
    target.write_bytes((VENDOR / "plain-stub.elf").read_bytes() + b"\x5d\x00\x00\x07")
    work = tmp_path / "work"
    extraction = unpack(target, work, Limits())
    try:
        listed = [display for _, display, _, _ in extraction.files]
        assert any(d.startswith("daemon/appended@") for d in listed), listed
        assert not list(work.rglob("unblob-report.json"))
    finally:
        remove_workdir(work)
