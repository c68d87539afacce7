"""Signed attestations: an in-toto Statement (v1) in a DSSE envelope, signed with Ed25519.

The statement binds together what a third party needs to trust a report later:

* the subject: the scanned artifact and its digest (SHA-256 of a file; for a directory, the
  SHA-256 of its listing of paths, modes and file digests, see :func:`artifact_digest`);
* the predicate: tool name and version, the digest of the rule pack that drove detection
  (:func:`nobackdoor.ruleset.rulepack_digest`), the verdict, and the name and SHA-256 of the report.

:func:`verify` checks the signature against a given public key, that the artifact on disk is the
attested one and that the report is byte for byte the one signed; every check says what it found.

Formats: DSSE (github.com/secure-systems-lab/dsse, protocol.md: PAE = "DSSEv1" SP LEN(type) SP
type SP LEN(body) SP body) and in-toto Statement v1 (in-toto/attestation spec/v1/statement.md).
"""
from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .models import ScanResult, Severity

PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "urn:nobackdoor:predicate:scan-result:v1"
TREE_DIGEST = "nobackdoor-tree-v1"
MAX_ENVELOPE = 16 * 1024 * 1024


class AttestError(Exception):
    """A key, attestation or artifact that cannot be used (message says why)."""


# ------------------------------------------------------------------ keys


def generate_key(path: Path, force: bool = False) -> tuple[Path, Path]:
    """Write an Ed25519 private key (PEM, mode 0600) to ``path`` and its public key to ``path.pub``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = Path(path)
    pub_path = path.with_name(path.name + ".pub")
    for p in (path, pub_path):
        if p.exists() and not force:
            raise AttestError(f"{p} exists; use --force to overwrite it")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    if force and path.exists():
        path.unlink()
    # created with mode 0600 from the start: the key is never readable by others, not even briefly
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(private_pem)
    os.chmod(path, 0o600)
    pub_path.write_bytes(public_pem)
    return path, pub_path


def load_private_key(path: Path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise AttestError(f"cannot read private key {path}: {exc.strerror or exc}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise AttestError(f"{path} is not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise AttestError(f"{path} is not an Ed25519 key (make one with: nobackdoor keygen -o KEY)")
    return key


def load_public_key(path: Path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise AttestError(f"cannot read public key {path}: {exc.strerror or exc}") from None
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise AttestError(f"{path} is not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise AttestError(f"{path} is not an Ed25519 public key")
    return key


def key_id(public_key) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "SHA256:" + hashlib.sha256(raw).hexdigest()


# ------------------------------------------------------------------ digests


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def artifact_digest(path: Path) -> tuple[str, str]:
    """(sha256 hex, method) of a file or directory.

    A directory's digest covers every entry below it, never following symlinks: for each entry in
    sorted order a line ``D|F|L <mode> <relpath> <sha256 of content or of the link target>``.
    Adding, removing, renaming a file, changing a byte or a permission bit changes it.
    """
    path = Path(path)
    if path.is_file():
        return file_sha256(path), "file-sha256"
    if not path.is_dir():
        raise AttestError(f"{path}: not a readable file or directory")
    h = hashlib.sha256()
    entries: list[tuple[str, str]] = []
    for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
        rel_dir = os.path.relpath(dirpath, path)
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            entries.append((rel, full))
    for rel, full in sorted(entries):
        st = os.lstat(full)
        mode = f"{stat.S_IMODE(st.st_mode):04o}"
        relb = rel.encode("utf-8", "surrogateescape")
        if stat.S_ISLNK(st.st_mode):
            digest = hashlib.sha256(os.readlink(full).encode("utf-8", "surrogateescape")).hexdigest()
            h.update(b"L " + mode.encode() + b" " + relb + b" " + digest.encode() + b"\n")
        elif stat.S_ISDIR(st.st_mode):
            h.update(b"D " + mode.encode() + b" " + relb + b"\n")
        elif stat.S_ISREG(st.st_mode):
            h.update(b"F " + mode.encode() + b" " + relb + b" " + file_sha256(Path(full)).encode() + b"\n")
        else:  # devices, fifos: their presence and mode count
            h.update(b"S " + mode.encode() + b" " + relb + b"\n")
    return h.hexdigest(), TREE_DIGEST


# ------------------------------------------------------------------ statement and envelope


def verdict(result: ScanResult, fail_on: str = "high") -> dict[str, Any]:
    threshold = Severity.parse(fail_on)
    counts = {s.value: sum(1 for f in result.findings if f.severity == s) for s in Severity}
    worst = result.max_severity()
    blocking = sum(1 for f in result.findings if f.severity.rank >= threshold.rank)
    return {
        "result": result.verdict(threshold),
        "failOn": threshold.value,
        "blockingFindings": blocking,
        "maxSeverity": worst.value if worst else None,
        "findings": len(result.findings),
        "counts": counts,
        "errors": len(result.errors),
    }


def statement(target: Path, result: ScanResult, report_name: str, report_bytes: bytes, report_format: str,
              fail_on: str = "high") -> dict[str, Any]:
    from .ruleset import rulepack_digest

    digest, method = artifact_digest(target)
    media = {"json": "application/json", "sarif": "application/sarif+json", "html": "text/html",
             "text": "text/plain"}.get(report_format, "application/octet-stream")
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{
            "name": Path(target).resolve().name or str(target),
            "digest": {"sha256": digest},
            "annotations": {"digestMethod": method, "kind": result.target.kind, "size": result.target.size},
        }],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "scanner": {"name": "nobackdoor", "version": result.tool_version or __version__},
            "rulePack": {"digest": {"sha256": rulepack_digest()}},
            "verdict": verdict(result, fail_on),
            "report": {"name": report_name, "format": report_format, "mediaType": media,
                       "digest": {"sha256": hashlib.sha256(report_bytes).hexdigest()}},
            "scannedAt": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        },
    }


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE pre-authentication encoding: what is actually signed."""
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def sign(stmt: dict[str, Any], private_key) -> dict[str, Any]:
    payload = json.dumps(stmt, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    sig = private_key.sign(pae(PAYLOAD_TYPE, payload))
    return {
        "payloadType": PAYLOAD_TYPE,
        "payload": base64.b64encode(payload).decode(),
        "signatures": [{"keyid": key_id(private_key.public_key()), "sig": base64.b64encode(sig).decode()}],
    }


# ------------------------------------------------------------------ verification


@dataclass
class Check:
    name: str
    ok: bool
    message: str
    informational: bool = False  # shown, but does not decide the outcome


def verify(envelope_path: Path, target: Path, public_key_path: Path, report_path: Path | None = None) -> list[Check]:
    """Every check of an attestation; the attestation holds when every non-informational one is ok."""
    from cryptography.exceptions import InvalidSignature

    checks: list[Check] = []
    try:
        if Path(envelope_path).stat().st_size > MAX_ENVELOPE:
            return [Check("envelope", False, f"{envelope_path} is larger than any attestation nobackdoor writes")]
        envelope = json.loads(Path(envelope_path).read_text("utf-8"))
    except OSError as exc:
        raise AttestError(f"cannot read attestation {envelope_path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        return [Check("envelope", False, f"{envelope_path} is not JSON: {exc}")]
    public_key = load_public_key(public_key_path)

    if not isinstance(envelope, dict) or envelope.get("payloadType") != PAYLOAD_TYPE:
        return [Check("envelope", False, f"not a DSSE envelope with payloadType {PAYLOAD_TYPE}")]
    try:
        payload = base64.b64decode(envelope.get("payload", ""), validate=True)
    except (ValueError, TypeError):
        return [Check("envelope", False, "the envelope's payload is not valid base64")]

    # signature first: nothing in the payload is trusted before it holds
    wanted = key_id(public_key)
    signed = False
    for s in envelope.get("signatures") or []:
        try:
            public_key.verify(base64.b64decode(s.get("sig", ""), validate=True), pae(PAYLOAD_TYPE, payload))
            signed = True
            break
        except (InvalidSignature, ValueError, TypeError, AttributeError):
            continue
    if signed:
        checks.append(Check("signature", True, f"signed by the given key ({wanted})"))
    else:
        ids = ", ".join(str(s.get("keyid", "?")) for s in envelope.get("signatures") or [] if isinstance(s, dict)) or "none"
        checks.append(Check("signature", False,
                            f"signature does not verify with the given public key {wanted}: the attestation was altered "
                            f"or signed by another key (key ids in the envelope: {ids})"))
        return checks

    try:
        stmt = json.loads(payload)
        subject = stmt["subject"][0]
        predicate = stmt["predicate"]
    except (ValueError, KeyError, IndexError, TypeError):
        checks.append(Check("statement", False, "the signed payload is not an in-toto statement"))
        return checks
    if stmt.get("_type") != STATEMENT_TYPE or stmt.get("predicateType") != PREDICATE_TYPE:
        checks.append(Check("statement", False, f"unexpected statement type {stmt.get('_type')!r} / "
                                                 f"predicate {stmt.get('predicateType')!r}"))
        return checks
    checks.append(Check("statement", True, f"in-toto statement v1, predicate {PREDICATE_TYPE}"))

    # the artifact on disk must be the attested one
    attested = (subject.get("digest") or {}).get("sha256", "")
    try:
        actual, method = artifact_digest(Path(target))
    except (AttestError, OSError) as exc:
        checks.append(Check("artifact", False, f"cannot read {target}: {exc}"))
        actual, method = "", ""
    if actual:
        want_method = (subject.get("annotations") or {}).get("digestMethod", "file-sha256")
        if method != want_method:
            checks.append(Check("artifact", False, f"{target} is a {'directory' if method == TREE_DIGEST else 'file'}, "
                                                    f"but the attested artifact '{subject.get('name')}' was a "
                                                    f"{'directory' if want_method == TREE_DIGEST else 'file'}"))
        elif actual != attested:
            checks.append(Check("artifact", False, f"{target} is not the attested artifact '{subject.get('name')}': "
                                                    f"its sha256 is {actual}, the attestation is for {attested}"))
        else:
            checks.append(Check("artifact", True, f"{target} is the attested artifact (sha256 {actual})"))

    # the report must be byte for byte the one signed
    report = predicate.get("report") or {}
    if report_path is None:
        name = Path(str(report.get("name", ""))).name
        report_path = Path(envelope_path).parent / name if name else None
    report_digest = (report.get("digest") or {}).get("sha256", "")
    if report_path is None or not Path(report_path).is_file():
        checks.append(Check("report", False, f"report {report_path or report.get('name')} not found "
                                              f"(give its location with --report FILE)"))
    else:
        got = file_sha256(Path(report_path))
        if got != report_digest:
            checks.append(Check("report", False, f"report {report_path} was changed after signing: its sha256 is "
                                                  f"{got}, the attestation says {report_digest}"))
        else:
            checks.append(Check("report", True, f"report {report_path} is the signed one (sha256 {got})"))

    # informational: what produced the verdict, compared with the verifier's own installation
    from .ruleset import rulepack_digest

    tool = predicate.get("scanner") or {}
    pack = ((predicate.get("rulePack") or {}).get("digest") or {}).get("sha256", "")
    v = predicate.get("verdict") or {}
    checks.append(Check("verdict", True, f"verdict {v.get('result', '?')}: {v.get('findings', '?')} finding(s), "
                                         f"{v.get('blockingFindings', '?')} at or above {v.get('failOn', '?')}; "
                                         f"scanned {predicate.get('scannedAt', '?')}", informational=True))
    same_pack = pack == rulepack_digest()
    checks.append(Check("rule pack", True, f"scanned by nobackdoor {tool.get('version', '?')} with rule pack sha256 "
                                           f"{pack} ({'same as' if same_pack else 'differs from'} this installation's)",
                        informational=True))
    return checks
