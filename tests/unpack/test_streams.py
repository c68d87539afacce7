"""Single compressed files of a directory target are decompressed in-process (no extraction run
each), named as unblob names them; archives inside them still go to unblob."""
from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import time
from pathlib import Path

from nobackdoor.unpack import Limits, remove_workdir, unpack

TEXT = b"#!/bin/sh\n" + b"echo sample line for the stream tests\n" * 200


def _unpack(src: Path, tmp_path: Path, limits: Limits | None = None):
    work = tmp_path / "work"
    ex = unpack(src, work, limits or Limits())
    listed = {display: path.read_bytes() if path.is_file() and not path.is_symlink() else None
              for path, display, _, _ in ex.files}
    errors = [(e.path, e.message) for e in ex.errors]
    remove_workdir(work)
    return listed, errors


def test_gzip_xz_bzip2_files_in_a_directory(tmp_path):
    src = tmp_path / "tree"
    (src / "tests" / "files").mkdir(parents=True)
    (src / "tests" / "files" / "a.gz").write_bytes(gzip.compress(TEXT, mtime=0))
    (src / "tests" / "files" / "b.xz").write_bytes(lzma.compress(TEXT))
    (src / "tests" / "files" / "c.bz2").write_bytes(bz2.compress(TEXT))
    t0 = time.monotonic()
    listed, errors = _unpack(src, tmp_path)
    assert time.monotonic() - t0 < 5  # no extraction run was started for them
    assert errors == []
    for name, fmt in (("a.gz", "gzip"), ("b.xz", "xz"), ("c.bz2", "bzip2")):
        assert listed[f"tests/files/{name}/{fmt}.uncompressed"] == TEXT


def test_truncated_stream_is_a_clear_error_and_the_file_stays(tmp_path):
    src = tmp_path / "tree"
    src.mkdir()
    (src / "bad-1.xz").write_bytes(lzma.compress(TEXT)[:120])
    listed, errors = _unpack(src, tmp_path)
    assert "bad-1.xz" in listed and not any(k.startswith("bad-1.xz/") for k in listed)
    assert errors and errors[0][0] == "bad-1.xz" and "could not be decompressed" in errors[0][1]


def test_compressed_archive_still_goes_to_the_extractor(tmp_path):
    src = tmp_path / "tree"
    src.mkdir()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("etc/hook.sh")
        info.size = len(TEXT)
        tar.addfile(info, io.BytesIO(TEXT))
    (src / "bundle.tar.gz").write_bytes(gzip.compress(buf.getvalue(), mtime=0))
    listed, _ = _unpack(src, tmp_path)
    assert any(k.startswith("bundle.tar.gz/") and k.endswith("etc/hook.sh") and v == TEXT for k, v in listed.items()), \
        sorted(listed)


def test_decompression_bomb_is_stopped_by_the_ratio_limit(tmp_path):
    src = tmp_path / "tree"
    src.mkdir()
    (src / "zeros.gz").write_bytes(gzip.compress(b"\0" * (64 << 20), mtime=0))
    listed, errors = _unpack(src, tmp_path, Limits(max_ratio=10, ratio_floor=1 << 20))
    assert not any(k.startswith("zeros.gz/") for k in listed)
    assert any("limit" in m for _, m in errors)
