"""Attestations: keygen, attest, verify; any changed byte in the report or the artifact fails."""
from __future__ import annotations

import base64
import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from nobackdoor.attest import artifact_digest, generate_key, load_private_key, sign, statement, verify
from nobackdoor.cli import main

from .samples import make_rootfs, sample_result


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """An intact set: key pair, a rootfs, its attestation and report (one scan for the module)."""
    base = tmp_path_factory.mktemp("attest")
    key = base / "signing.key"
    assert main(["keygen", "-o", str(key)]) == 0
    target = make_rootfs(base / "rootfs")
    att = base / "out" / "rootfs.intoto.json"
    # the planted empty-password account makes the verdict fail: exit 1, as scan
    assert main(["attest", str(target), "--key", str(key), "-o", str(att), "-j", "1"]) == 1
    return base, key, target, att


def _copy(signed, tmp_path):
    base, key, target, att = signed
    shutil.copytree(base / "rootfs", tmp_path / "rootfs", symlinks=True)
    shutil.copytree(base / "out", tmp_path / "out")
    return key, tmp_path / "rootfs", tmp_path / "out" / att.name


def test_keygen_modes(signed):
    base, key, _, _ = signed
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert Path(f"{key}.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert main(["keygen", "-o", str(key)]) == 2  # never overwrites silently


def test_attestation_content(signed):
    base, key, target, att = signed
    env = json.loads(att.read_text())
    assert env["payloadType"] == "application/vnd.in-toto+json"
    stmt = json.loads(base64.b64decode(env["payload"]))
    assert stmt["_type"] == "https://in-toto.io/Statement/v1"
    assert stmt["subject"][0]["digest"]["sha256"] == artifact_digest(target)[0]
    pred = stmt["predicate"]
    assert pred["verdict"]["result"] == "fail" and pred["verdict"]["counts"]["critical"] >= 1
    assert len(pred["rulePack"]["digest"]["sha256"]) == 64 and pred["scanner"]["version"]
    report = att.parent / pred["report"]["name"]
    doc = json.loads(report.read_text())
    assert any(f["rule"] == "accounts.empty-password" for f in doc["findings"])


def test_intact_pair_verifies(signed, capsys):
    base, key, target, att = signed
    assert main(["verify", str(att), str(target), "--pub", f"{key}.pub"]) == 0
    assert "VERIFIED" in capsys.readouterr().out


def test_changed_report_byte_fails(signed, tmp_path, capsys):
    key, target, att = _copy(signed, tmp_path)
    report = next(att.parent.glob("*.report.json"))
    data = bytearray(report.read_bytes())
    data[len(data) // 2] ^= 0x01
    report.write_bytes(bytes(data))
    assert main(["verify", str(att), str(target), "--pub", f"{key}.pub"]) == 1
    out = capsys.readouterr().out
    assert "FAILED  report" in out and "was changed after signing" in out


def test_changed_artifact_byte_fails(signed, tmp_path, capsys):
    key, target, att = _copy(signed, tmp_path)
    shadow = target / "etc" / "shadow"
    data = bytearray(shadow.read_bytes())
    data[0] ^= 0x20
    shadow.write_bytes(bytes(data))
    assert main(["verify", str(att), str(target), "--pub", f"{key}.pub"]) == 1
    out = capsys.readouterr().out
    assert "FAILED  artifact" in out and "is not the attested artifact" in out


def test_added_file_and_mode_change_fail(signed, tmp_path):
    key, target, att = _copy(signed, tmp_path)
    os.chmod(target / "bin" / "busybox", 0o4755)  # a new set-uid bit is a different artifact
    assert main(["verify", str(att), str(target), "--pub", f"{key}.pub"]) == 1


def test_other_key_or_altered_envelope_fails(signed, tmp_path, capsys):
    key, target, att = _copy(signed, tmp_path)
    other = tmp_path / "other.key"
    generate_key(other)
    assert main(["verify", str(att), str(target), "--pub", f"{other}.pub"]) == 1
    assert "signature does not verify" in capsys.readouterr().out
    env = json.loads(att.read_text())
    stmt = json.loads(base64.b64decode(env["payload"]))
    stmt["predicate"]["verdict"]["result"] = "pass"  # forging the verdict breaks the signature
    env["payload"] = base64.b64encode(json.dumps(stmt).encode()).decode()
    att.write_text(json.dumps(env))
    assert main(["verify", str(att), str(target), "--pub", f"{key}.pub"]) == 1
    assert "signature does not verify" in capsys.readouterr().out


def test_wrong_target_and_missing_report(signed, tmp_path, capsys):
    key, target, att = _copy(signed, tmp_path)
    other = tmp_path / "fw.bin"
    other.write_bytes(b"\x00" * 64)
    assert main(["verify", str(att), str(other), "--pub", f"{key}.pub"]) == 1
    assert "attested artifact 'rootfs' was a directory" in capsys.readouterr().out
    next(att.parent.glob("*.report.json")).unlink()
    assert main(["verify", str(att), str(target), "--pub", f"{key}.pub"]) == 1
    assert "not found" in capsys.readouterr().out
    assert main(["verify", str(att), str(tmp_path / "nope"), "--pub", f"{key}.pub"]) == 2


def test_file_target_statement_roundtrip(tmp_path):
    fw = tmp_path / "fw.img"
    fw.write_bytes(bytes(range(256)) * 4)
    key_path, pub = generate_key(tmp_path / "k")
    report = tmp_path / "r.json"
    report.write_bytes(b'{"findings": []}\n')
    stmt = statement(fw, sample_result(), report.name, report.read_bytes(), "json")
    att = tmp_path / "a.intoto.json"
    att.write_text(json.dumps(sign(stmt, load_private_key(key_path))))
    checks = verify(att, fw, pub)
    assert all(c.ok for c in checks), [c.message for c in checks if not c.ok]
    fw.write_bytes(fw.read_bytes()[:-1] + b"\x00")
    assert not next(c for c in verify(att, fw, pub) if c.name == "artifact").ok
