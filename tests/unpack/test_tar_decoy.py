"""A tar that stores a file twice, first as a decoy link, then for real: the real file is analysed
and the decoy is a finding."""
from __future__ import annotations

import io
import tarfile

from .conftest import scan_json


def _add(tf: tarfile.TarFile, name: str, data: bytes | None = None, link: str | None = None, mode=0o644) -> None:
    ti = tarfile.TarInfo(name)
    ti.mtime = 1704067200
    if link is not None:
        ti.type, ti.linkname = tarfile.SYMTYPE, link
        tf.addfile(ti)
    elif data is None:
        ti.type, ti.mode = tarfile.DIRTYPE, 0o755
        tf.addfile(ti)
    else:
        ti.size, ti.mode = len(data), mode
        tf.addfile(ti, io.BytesIO(data))


def test_decoy_symlink_before_the_real_entry(tmp_path):
    target = tmp_path / "fw.tar.gz"
    with tarfile.open(target, "w:gz") as tf:
        _add(tf, "etc/init.d/rcS", link="/dev/null")
        _add(tf, "etc/passwd", link="/x")
        for d in ("etc", "bin", "usr", "etc/init.d"):
            _add(tf, d)
        _add(tf, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\nsvc::0:0::/:/bin/sh\n")
        _add(tf, "etc/inittab", b"::sysinit:/etc/init.d/rcS\n")
        _add(tf, "etc/init.d/rcS", b"#!/bin/sh\ntelnetd -l /bin/sh -p 2601\n", mode=0o755)
    proc, doc = scan_json(target, tmpdir=tmp_path / "tmp")
    by_rule: dict[str, set[str]] = {}
    for f in doc["findings"]:
        by_rule.setdefault(f["rule"], set()).add(f["path"].split("/", 2)[-1])
    assert by_rule.get("unpack.decoy-entry") == {"etc/init.d/rcS", "etc/passwd"}
    assert "etc/init.d/rcS" in by_rule.get("services.telnetd-shell", set())
    assert "etc/passwd" in by_rule.get("accounts.uid0-alias", set())
    decoy = next(f for f in doc["findings"] if f["rule"] == "unpack.decoy-entry")
    assert decoy["category"] == "obfuscated-code" and decoy["severity"] == "medium"


def test_decoy_link_written_through_and_links_to_it(tmp_path):
    """The extractor writes the real entry through the kept decoy link (to ``dev/null`` inside the
    extraction) and resolves ``rc.d`` links through it: the script is still analysed under its own
    name, reached from its rc.d link, and nothing is left at the decoy's target."""
    target = tmp_path / "fw.tar.gz"
    script = b"#!/bin/sh /etc/rc.common\nSTART=79\nstart() {\n  /sbin/getty -n -l /bin/sh ttyS1 115200 &\n}\n"
    with tarfile.open(target, "w:gz") as tf:
        _add(tf, "etc/init.d/custom", link="/dev/null")
        for d in ("etc", "bin", "dev", "usr", "etc/init.d", "etc/rc.d"):
            _add(tf, d)
        _add(tf, "etc/passwd", b"root:x:0:0:root:/root:/bin/ash\n")
        _add(tf, "etc/init.d/custom", script, mode=0o755)
        _add(tf, "etc/rc.d/S79custom", link="../init.d/custom")
    keep = tmp_path / "keep"
    proc, doc = scan_json(target, "--keep-extracted", str(keep), tmpdir=tmp_path / "tmp")
    paths = {f["path"].split("/", 2)[-1] for f in doc["findings"] if f["category"] == "debug-interface"}
    assert paths == {"etc/init.d/custom"}, doc["findings"]
    assert not [p for p in keep.rglob("null") if p.parent.name == "dev"]
