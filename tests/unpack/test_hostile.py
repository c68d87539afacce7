"""Hostile archives (tests/fixtures/unpack/hostile, plus truncated copies of good images and a
decompression bomb made here): clear errors, the scan goes on, the limits hold, nothing is written
outside the work directory, no traceback, no temporary directory left behind."""
from __future__ import annotations

import gzip
import os
import stat
import struct
import tarfile
import time
from pathlib import Path

import pytest

from nobackdoor.unpack import Limits, remove_workdir, unpack

from .conftest import FORMATS, HOSTILE, inventory_paths, leftover_workdirs, scan_json


def truncated(dst: Path) -> dict[str, Path]:
    """Good images cut short in the middle of their data."""
    sq = (FORMATS / "rootfs-xz.sqfs").read_bytes()
    bytes_used = struct.unpack_from("<Q", sq, 40)[0]
    tar = gzip.decompress((FORMATS / "rootfs.tar.gz").read_bytes())
    out = {
        "cut.sqfs": sq[: bytes_used * 2 // 3],
        "cut.cpio": (FORMATS / "rootfs.cpio").read_bytes()[:1300],
        "cut.zip": (FORMATS / "rootfs.zip").read_bytes()[:700],
        "cut.tar": tar[:3000],
    }
    paths = {}
    for name, data in out.items():
        (dst / name).write_bytes(data)
        paths[name] = dst / name
    return paths


def zstd_bomb(path: Path, size_on_disk: int = 256 * 1024) -> int:
    """A zstd frame of run-length blocks: 4 bytes on disk for every 128 KiB of zeros (RFC 8878:
    window descriptor 0x38 = 128 KiB window, block header = size << 3 | RLE << 1 | last).
    Returns the size it expands to (8 GiB for 256 KiB)."""
    blocks = (size_on_disk - 6) // 4
    block = 128 * 1024
    rle = ((block << 3) | (1 << 1)).to_bytes(3, "little") + b"\0"
    last = ((block << 3) | (1 << 1) | 1).to_bytes(3, "little") + b"\0"
    with open(path, "wb") as fh:
        fh.write(b"\x28\xb5\x2f\xfd" + b"\x00\x38")
        fh.write(rle * (blocks - 1) + last)
    return blocks * block


@pytest.fixture(scope="module")
def hostile_scan(tmp_path_factory):
    """One CLI scan of a tar holding every hostile archive, truncated images, a non-container and a
    good image; extraction kept so that the tree can be inspected."""
    import shutil

    from .conftest import CANARY

    tmp = tmp_path_factory.mktemp("hostile")
    shutil.rmtree(CANARY, ignore_errors=True)
    CANARY.mkdir(parents=True)
    (CANARY / "secret.txt").write_text("host secret\n")
    (CANARY / "secret.txt").chmod(0o600)
    parts = tmp / "parts"
    parts.mkdir()
    truncated(parts)
    (parts / "notes.txt").write_text("release notes: nothing to unpack here\n" * 3)
    bundle = tmp / "hostile-bundle.tar"
    with tarfile.open(bundle, "w") as tf:
        for p in sorted(HOSTILE.iterdir()):
            if p.name != "deep.tar.gz8":  # depth is tested on its own
                tf.add(p, arcname=p.name)
        for p in sorted(parts.iterdir()):
            tf.add(p, arcname=p.name)
        tf.add(FORMATS / "rootfs.cpio", arcname="good.cpio")
    keep = tmp / "kept"
    proc, doc = scan_json(bundle, "--keep-extracted", str(keep), tmpdir=tmp / "tmp")
    canary_after = sorted(os.listdir(CANARY))
    secret = (CANARY / "secret.txt").read_text(), stat.S_IMODE((CANARY / "secret.txt").stat().st_mode)
    shutil.rmtree(CANARY, ignore_errors=True)
    yield proc, doc, keep, canary_after, secret, tmp


def _errors(doc: dict, path_prefix: str) -> list[str]:
    return [e["message"] for e in doc["errors"] if e["path"].startswith(path_prefix)]


def test_scan_finishes_and_goes_on(hostile_scan):
    proc, doc, *_ = hostile_scan
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    inventory = inventory_paths(doc)
    # the good image next to the hostile ones is unpacked and analysed
    assert "hostile-bundle.tar/good.cpio/etc/passwd" in inventory
    # so are the harmless members of the hostile archives
    for name in ("traversal.tar", "traversal.zip", "traversal.cpio", "absolute.tar", "absolute.cpio",
                 "symlink-escape.tar", "hardlink-escape.tar", "devices.tar", "devices.cpio"):
        assert f"hostile-bundle.tar/{name}/etc/nbd-fixture-marker" in inventory, name
    assert "hostile-bundle.tar/symlink-escape.sqfs/etc/passwd" in inventory


def test_nothing_written_outside_the_work_directory(hostile_scan):
    _, _, keep, canary_after, secret, tmp = hostile_scan
    assert canary_after == ["secret.txt"]
    assert secret == ("host secret\n", 0o600)
    # nothing beside the kept tree either
    assert sorted(p.name for p in tmp.iterdir()) == ["hostile-bundle.tar", "kept", "parts", "tmp"]
    assert not list(Path("/").glob("trav-*")) and not list(Path("/tmp").glob("trav-*"))


def test_extracted_tree_holds_no_escape(hostile_scan):
    _, _, keep, *_ = hostile_scan
    keep_real = os.path.realpath(keep)
    for dirpath, dirnames, filenames in os.walk(keep):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            assert not (stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) or stat.S_ISFIFO(st.st_mode)
                        or stat.S_ISSOCK(st.st_mode)), full
            if stat.S_ISLNK(st.st_mode):
                assert os.path.realpath(full).startswith(keep_real + os.sep), (full, os.readlink(full))
            if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
                assert not os.path.samefile(full, "/etc/passwd")


def test_traversal_and_absolute_names_are_reported(hostile_scan):
    _, doc, *_ = hostile_scan
    for name in ("traversal.tar", "traversal.zip", "traversal.cpio"):
        msgs = _errors(doc, f"hostile-bundle.tar/{name}")
        assert any("traversal" in m.lower() and "nbd-unpack-canary" in m for m in msgs), (name, msgs)
    for name in ("absolute.tar", "absolute.cpio"):
        msgs = _errors(doc, f"hostile-bundle.tar/{name}")
        assert any("Absolute path" in m and "/tmp/nbd-unpack-canary/abs-" in m for m in msgs), (name, msgs)


def test_link_escapes_are_reported(hostile_scan):
    _, doc, *_ = hostile_scan
    sym = _errors(doc, "hostile-bundle.tar/symlink-escape.tar")
    assert any("up-link" in m for m in sym) and any("shadow-leak" in m for m in sym), sym
    sq = {e["path"]: e["message"] for e in doc["errors"] if e["path"].startswith("hostile-bundle.tar/symlink-escape.sqfs")}
    assert "hostile-bundle.tar/symlink-escape.sqfs/etc/shadow-leak" in sq, sq
    assert "hostile-bundle.tar/symlink-escape.sqfs/canary-link" in sq, sq
    hard = _errors(doc, "hostile-bundle.tar/hardlink-escape.tar")
    assert any("hl-up" in m for m in hard), hard
    inventory = inventory_paths(doc)
    assert "hostile-bundle.tar/symlink-escape.sqfs/etc/shadow-leak" not in inventory
    # the absolute hard link was made relative and found nothing inside the archive
    assert "hostile-bundle.tar/hardlink-escape.tar/hl-abs" not in inventory


def test_device_nodes_are_neutralised(hostile_scan):
    _, doc, *_ = hostile_scan
    neutralised = {e["path"]: e["action"] for e in doc["stats"]["neutralised"]}
    for node in ("nbd-null", "nbd-disk", "nbd-fifo"):
        assert f"hostile-bundle.tar/devices.tar/dev/{node}" in neutralised, neutralised
    inventory = inventory_paths(doc)
    assert not any(p.startswith("hostile-bundle.tar/devices.tar/dev/") for p in inventory)


@pytest.mark.parametrize("name,fmt", [("cut.sqfs", "squashfs"), ("cut.zip", "zip"), ("cut.cpio", "cpio"),
                                      ("cut.tar", "tar")])
def test_truncated_containers_are_reported(hostile_scan, name, fmt):
    _, doc, *_ = hostile_scan
    msgs = _errors(doc, f"hostile-bundle.tar/{name}")
    assert any(fmt in m and "truncated or corrupt" in m for m in msgs), msgs


def test_non_container_inside_is_analysed_quietly(hostile_scan):
    _, doc, *_ = hostile_scan
    assert inventory_paths(doc)["hostile-bundle.tar/notes.txt"]["kind"] == "text"
    assert _errors(doc, "hostile-bundle.tar/notes.txt") == []


def test_keep_extracted_keeps_and_default_removes(hostile_scan):
    _, _, keep, _, _, tmp = hostile_scan
    assert any(keep.rglob("nbd-fixture-marker"))
    assert leftover_workdirs(tmp / "tmp") == []


def test_only_json_on_stdout_and_no_traceback(hostile_scan):
    proc, doc, *_ = hostile_scan
    assert proc.stdout.lstrip().startswith("{") and proc.stdout.rstrip().endswith("}")
    assert doc["format_version"] == 1
    assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------- directory and single-file targets


def test_directory_target_with_truncated_and_good_containers(tmp_path):
    target = tmp_path / "delivery"
    target.mkdir()
    cut = truncated(tmp_path)
    (target / "update.zip").write_bytes(cut["cut.zip"].read_bytes())
    (target / "rootfs.cpio").write_bytes((FORMATS / "rootfs.cpio").read_bytes())
    (target / "README").write_text("not a container\n")
    proc, doc = scan_json(target, tmpdir=tmp_path / "tmp")
    assert proc.returncode in (0, 1)
    assert any("zip" in e["message"] and "truncated or corrupt" in e["message"]
               for e in doc["errors"] if e["path"] == "update.zip"), doc["errors"]
    inventory = inventory_paths(doc)
    assert {"update.zip", "README", "rootfs.cpio/etc/passwd"} <= set(inventory)
    assert leftover_workdirs(tmp_path / "tmp") == []


def test_file_that_is_not_a_container(tmp_path):
    target = tmp_path / "blob.bin"
    target.write_bytes(bytes(range(256)) * 64)
    proc, doc = scan_json(target, tmpdir=tmp_path / "tmp")
    # a blob no reader opens is an incomplete scan: exit 1 by default, with the reason in errors
    assert proc.returncode == 1
    assert doc["complete"] is False and doc["verdict"] == "incomplete"
    assert [e["message"] for e in doc["errors"]] == [
        "no known container or filesystem format found; analysed as a single file"]
    allowed, _ = scan_json(target, "--allow-incomplete", tmpdir=tmp_path / "tmp")
    assert allowed.returncode == 0
    assert list(inventory_paths(doc)) == ["blob.bin"]
    assert leftover_workdirs(tmp_path / "tmp") == []


def test_missing_target_exits_2(tmp_path):
    proc, doc = scan_json(tmp_path / "does-not-exist.bin")
    assert proc.returncode == 2
    assert proc.stdout == ""


# ---------------------------------------------------------------- limits


def test_decompression_bomb_is_stopped(tmp_path):
    bomb = tmp_path / "bomb.zst"
    assert zstd_bomb(bomb) > 7 * 1024**3 and bomb.stat().st_size <= 256 * 1024
    t0 = time.monotonic()
    proc, doc = scan_json(bomb, "--max-ratio", "50", "--max-extract-size", "0.25", tmpdir=tmp_path / "tmp")
    elapsed = time.monotonic() - t0
    assert proc.returncode in (0, 1)
    assert any(("expansion-ratio limit of 50x" in e["message"] or "extracted-size limit" in e["message"])
               and e["path"] == "bomb.zst" for e in doc["errors"]), doc["errors"]
    # stopped well before 4 GiB; the watchdog may overshoot by what is written between two looks
    assert doc["stats"]["extracted_bytes"] < 1024**3
    assert elapsed < 120
    assert leftover_workdirs(tmp_path / "tmp") == []


def test_nesting_deeper_than_max_depth_is_reported():
    proc, doc = scan_json(HOSTILE / "deep.tar.gz8", "--max-depth", "4")
    assert proc.returncode in (0, 1)
    assert any("depth limit (4)" in e["message"] and "--max-depth" in e["message"] for e in doc["errors"]), doc["errors"]
    assert not any(p.endswith("nbd-fixture-marker") for p in inventory_paths(doc))


def test_nesting_within_the_default_depth_is_unpacked(tmp_path):
    extraction = unpack(HOSTILE / "deep.tar.gz8", tmp_path / "w", Limits())
    markers = [path for real, path, _, _ in extraction.files if path.endswith("etc/nbd-fixture-marker")]
    assert markers == ["deep.tar.gz8" + "/gzip.uncompressed" * 8 + "/etc/nbd-fixture-marker"]
    assert extraction.errors == []


def test_file_count_limit(tmp_path):
    target = tmp_path / "many.tar"
    with tarfile.open(target, "w") as tf:
        for i in range(3000):
            info = tarfile.TarInfo(f"d/f{i:05d}")
            tf.addfile(info)
    extraction = unpack(target, tmp_path / "w", Limits(max_files=300))
    assert any("file-count limit of 300" in e.message for e in extraction.errors), extraction.errors


def test_extractor_time_limit(tmp_path):
    extraction = unpack(FORMATS / "rootfs.cramfs", tmp_path / "w", Limits(extractor_timeout=0.000001))
    assert any("per-extractor time limit" in e.message for e in extraction.errors), extraction.errors


def test_total_time_limit(tmp_path):
    extraction = unpack(FORMATS / "rootfs-xz.sqfs", tmp_path / "w", Limits(total_timeout=0.2))
    assert any("extraction time limit of 0.2 s" in e.message for e in extraction.errors), extraction.errors
    remove_workdir(tmp_path / "w")
    assert not (tmp_path / "w").exists()
