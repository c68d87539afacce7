"""The unpack layer's own logic without running unblob: uImage parsing, unblob report reading,
contract names of unblob's output, the safety pass."""
from __future__ import annotations

import base64
import json
import os
import stat
import struct
import zlib
from pathlib import Path

import pytest
from unblob.file_utils import InvalidInputFormat

from nobackdoor.unpack import Extraction, layout, safety
from nobackdoor.unpack.handlers import UIMAGE_HEADER, _parse_uimage, audit_member_name

from .conftest import FORMATS


def uimage(payload: bytes, image_type: int = 2, comp: int = 0) -> bytes:
    def header(hcrc: int) -> bytes:
        return UIMAGE_HEADER.pack(0x27051956, hcrc, 0, len(payload), 0, 0, zlib.crc32(payload), 5, 2, image_type,
                                  comp, b"test")
    return header(zlib.crc32(header(0))) + payload


def test_single_uimage():
    fields, payloads = _parse_uimage(uimage(b"A" * 100))
    assert payloads == [(64, 100)]


def test_multi_file_uimage_table_and_alignment():
    table = struct.pack(">III", 5, 8, 0)
    data = uimage(table + b"K" * 5 + b"\0" * 3 + b"R" * 8, image_type=4)
    _, payloads = _parse_uimage(data)
    assert [data[o:o + n] for o, n in payloads] == [b"K" * 5, b"R" * 8]


def test_real_multi_file_uimage_fixture():
    data = (FORMATS / "multi.uimg").read_bytes()
    _, payloads = _parse_uimage(data)
    assert len(payloads) == 2
    assert data[payloads[1][0]:payloads[1][0] + 4] == b"hsqs"


@pytest.mark.parametrize("mangle", ["crc", "short", "table"])
def test_bad_uimages_are_refused(mangle):
    if mangle == "crc":
        data = bytearray(uimage(b"A" * 100))
        data[32] ^= 1
    elif mangle == "short":
        data = uimage(b"A" * 100)[:40]
    else:
        data = uimage(struct.pack(">II", 500, 0) + b"x" * 8, image_type=4)
    with pytest.raises(InvalidInputFormat):
        _parse_uimage(bytes(data))


def test_member_name_audit():
    assert audit_member_name("etc/passwd") is None
    assert "Traversal" in audit_member_name("a/../../x").problem
    assert audit_member_name("/etc/x").problem == "Absolute path."


def test_display_names():
    assert layout.display_name("rootfs.bin_extract") == "rootfs.bin"
    assert layout.display_name("4096-8192.squashfs_v4_le_extract") == "squashfs_v4_le@0x1000"
    assert layout.display_name("0-64.unknown") == "unknown@0x0"
    assert layout.display_name("passwd") == "passwd"


def test_collect_maps_unblob_layout(tmp_path):
    x = tmp_path / "fw.bin_extract"
    (x / "4096-8192.squashfs_v4_le_extract" / "etc").mkdir(parents=True)
    (x / "4096-8192.squashfs_v4_le_extract" / "etc" / "passwd").write_text("root:x:0:0::/:/bin/sh\n")
    (x / "0-4096.unknown").write_bytes(b"\x01" * 16)
    (x / "8192-9000.padding").write_bytes(b"\xff" * 16)
    (x / "4096-8192.squashfs_v4_le_extract" / "data.gz").write_bytes(b"\x1f\x8b")
    (x / "4096-8192.squashfs_v4_le_extract" / "data.gz_extract").mkdir()
    (x / "4096-8192.squashfs_v4_le_extract" / "data.gz_extract" / "inner").write_text("x")
    out = Extraction()
    layout.collect(x, "fw.bin", out)
    got = {path: (rel, root) for _, path, rel, root in out.files}
    assert got == {
        "fw.bin/unknown@0x0": ("unknown@0x0", "fw.bin"),
        "fw.bin/squashfs_v4_le@0x1000/etc/passwd": ("etc/passwd", "fw.bin/squashfs_v4_le@0x1000"),
        "fw.bin/squashfs_v4_le@0x1000/data.gz": ("data.gz", "fw.bin/squashfs_v4_le@0x1000"),
        "fw.bin/squashfs_v4_le@0x1000/data.gz/inner": ("inner", "fw.bin/squashfs_v4_le@0x1000/data.gz"),
    }
    assert out.unpacked == {x / "4096-8192.squashfs_v4_le_extract" / "data.gz"}
    assert "etc" in out.dirs["fw.bin/squashfs_v4_le@0x1000"]


def _report(tmp_path: Path, tasks: list) -> Path:
    p = tmp_path / "report.json"
    p.write_text(json.dumps(tasks))
    return p


def test_report_reading(tmp_path):
    slot = tmp_path / "slot"
    inner = slot / "fw.bin_extract" / "0-900.tar"
    stderr = base64.b64encode(b"7-Zip 16.02\nERROR: Unexpected end of archive\n").decode()
    tasks = [
        {"task": {"path": "/elsewhere/fw.bin", "depth": 0}, "reports": [
            {"__typename__": "StatReport", "size": 1000},
            {"__typename__": "ChunkReport", "handler_name": "zip", "start_offset": 0, "end_offset": 1000,
             "extraction_reports": [
                 {"__typename__": "ExtractCommandFailedReport", "severity": "WARNING", "command": "7z x -y a",
                  "stdout": "", "stderr": stderr, "exit_code": 2},
                 {"__typename__": "PathTraversalProblem", "path": "../../etc/cron.d/x",
                  "extraction_path": "x", "problem": "Potential path traversal through carve",
                  "resolution": "Redirected."},
             ]}]},
        {"task": {"path": str(inner), "depth": 1}, "reports": [
            {"__typename__": "ExtractorTimedOut", "severity": "ERROR", "cmd": "unsquashfs -d out in", "timeout": 5},
            {"__typename__": "MaliciousSymlinkRemoved", "severity": "WARNING",
             "link": str(slot / "fw.bin_extract" / "etc" / "leak"), "target": "etc/shadow"},
            {"__typename__": "CalculateChunkExceptionReport", "severity": "ERROR", "handler": "uimage",
             "start_offset": 64, "exception": "Traceback (most recent call last):\n ...\nValueError: bad"},
        ]},
    ]
    parsed = layout.read_report(_report(tmp_path, tasks), slot, "fw.bin", max_depth=12)
    msgs = {(e.path, e.message) for e in parsed.errors}
    assert ("fw.bin", "zip: extractor 7z failed (exit 2); the container is probably truncated or corrupt: "
                      "ERROR: Unexpected end of archive") in msgs
    assert any(p == "fw.bin" and "'../../etc/cron.d/x'" in m and "traversal" in m for p, m in msgs)
    assert any(p == "fw.bin/tar@0x0" and "per-extractor time limit of 5 s" in m for p, m in msgs)
    assert ("fw.bin/etc/leak", "symlink pointing outside the image removed (target etc/shadow)") in msgs
    assert any("handler uimage at offset 64" in m and "ValueError: bad" in m for _, m in msgs)
    assert parsed.formats == {"zip"} and parsed.top_chunk_starts == {0}
    assert {e["action"] for e in parsed.neutralised} >= {"Potential path traversal through carve Redirected."}


def test_unreadable_report_is_an_error(tmp_path):
    p = tmp_path / "report.json"
    p.write_text("{not json")
    parsed = layout.read_report(p, tmp_path, "fw.bin", 12)
    assert [e.path for e in parsed.errors] == ["fw.bin"]


def test_safety_pass(tmp_path):
    outside = tmp_path / "host-file"
    outside.write_text("host\n")
    outside.chmod(0o200)  # not readable: the pass must not chmod it through a hard link
    root = tmp_path / "x_extract"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:x:0:0::/:/bin/sh\n")
    os.link(root / "etc" / "passwd", root / "etc" / "passwd.bak")  # hard link inside: kept
    os.link(outside, root / "etc" / "stolen")  # hard link to a file outside: removed
    os.symlink("../../host-file", root / "etc" / "out-link")
    os.symlink("passwd", root / "etc" / "in-link")
    os.mkfifo(root / "etc" / "pipe")
    (root / "etc" / "secret").write_text("s")
    (root / "etc" / "secret").chmod(0)
    events = safety.sanitize(root, "fw.bin")
    actions = {e["path"]: e["action"] for e in events}
    assert actions == {
        "fw.bin/etc/stolen": "removed hard link to a file outside the extraction",
        "fw.bin/etc/out-link": "removed symlink pointing outside the extraction",
        "fw.bin/etc/pipe": "removed fifo",
    }
    assert stat.S_IMODE(outside.stat().st_mode) == 0o200
    assert sorted(os.listdir(root / "etc")) == ["in-link", "passwd", "passwd.bak", "secret"]
    assert (root / "etc" / "secret").read_text() == "s"
    errors = safety.summarise(events)
    assert {e.path for e in errors} == {"fw.bin/etc/stolen", "fw.bin/etc/out-link"}
