"""Secrets built into the image: private keys, SSH host keys, authorized_keys, tokens and passwords.

Key material is parsed with ``cryptography`` (PEM, PKCS#1/#8, SEC1, OpenSSH, DER, X.509) plus small
readers for PuTTY ``.ppk`` headers and dropbear's own host-key format. Every key is a ``key``
observation with its OpenSSH-style ``SHA256:`` fingerprint of the public key, so that the same key
found in two targets (one vendor key in every product line) can be matched.

Findings: unencrypted private keys (hardcoded-secret), host keys shipped in the image (every unit has
the same identity), public keys authorized for SSH login (remote-access: whoever has the private key
logs in on every unit), known token formats, and fixed passwords assigned in configuration files and
scripts. Key material under test/example/documentation directories is reported at low severity.
"""
from __future__ import annotations

import base64
import hashlib
import posixpath
import re
import struct
from collections.abc import Iterator
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

from ..models import FileEntry, FileKind, Finding, Observation, Severity
from ..ruleset import rule
from .accounts import is_account_store
from .base import NOT_SHIPPED_DIRS, FileAnalyzer

MAX_TEXT_BYTES = 16 * 1024 * 1024  # regexes are linear: big configure scripts and bundles are read whole
PEM_RE = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.S)
SSH_PUB_RE = re.compile(r"(?:^|\s)((?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp\d+|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)"
                        r")\s+([A-Za-z0-9+/]{40,}={0,3})(?:\s+(.*))?$")
AUTHORIZED_KEYS = re.compile(r"(^|/)(\.ssh/authorized_keys2?|etc/dropbear/authorized_keys|etc/ssh/authorized_keys[^/]*)$")
HOST_KEY_NAME = re.compile(r"(ssh_host_\w+_key|dropbear_\w+_host_key|dropbear_\w+_key)$")
#: well-known token formats (prefixes documented by the issuers)
TOKEN_PATTERNS = [
    ("AWS access key id", re.compile(r"\b((?:AKIA|ASIA)[0-9A-Z]{16})\b")),
    ("GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})\b")),
    ("GitLab token", re.compile(r"\b(glpat-[A-Za-z0-9_-]{20,})\b")),
    ("Slack token", re.compile(r"\b(xox[abposr]-[A-Za-z0-9-]{10,})\b")),
    ("Google API key", re.compile(r"\b(AIza[0-9A-Za-z_-]{35})\b")),
    ("Stripe secret key", re.compile(r"\b((?:sk|rk)_live_[0-9A-Za-z]{20,})\b")),
]
SECRET_KEY = r"[\w.-]*(?:password|passwd|passphrase|pass|pwd|secret|api[_-]?key|apikey|access[_-]?key|auth[_-]?token|token|psk|wpa_passphrase)"
ASSIGN_RE = re.compile(r"""^\s*(?:export\s+|option\s+|set\s+)?["']?(""" + SECRET_KEY + r""")["']?\s*(?:[=:]|\s(?=['"]))\s*"""
                       r"""(?:"([^"$`\\]{4,128})"|'([^'$]{4,128})'|([^\s'"$`;#,{}()\[\]]{4,128}))\s*[;,]?\s*$""", re.I)
CHPASSWD_RE = re.compile(r"""echo\s+(?:-e\s+)?["']?([\w.-]+):([^\s"'|]{1,128})["']?\s*\|\s*(?:/usr/sbin/|/sbin/)?chpasswd""")
PLACEHOLDER = re.compile(r"^(?:x+|\*+|none|null|nil|true|false|yes|no|on|off|changeme_?later|your[\w-]*|example\w*|"
                         r"<[^>]*>|\{\{.*\}\}|%\w+%?|\$\{?\w+\}?|[\w-]*file|[\w/.-]+\.(?:conf|txt|key|pem|crt|json|user)|"
                         r"/[\w/.-]*|required|optional|sufficient|disabled?|enabled?|auto|default|\d{1,3}|md5|sha\d*|plain|"
                         r"crypt|hash|digest|basic|pap|chap|mschap\w*|wpa\w*|psk\w*|tkip|ccmp|aes|ascii|hex)$", re.I)


def ssh_fingerprint(blob: bytes) -> str:
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _public_blob(public_key: Any) -> bytes | None:
    try:
        line = public_key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        return base64.b64decode(line.split()[1])
    except (ValueError, TypeError, IndexError):
        return None


def _describe(key: Any) -> tuple[str, int | None]:
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return "rsa", key.key_size
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return f"ecdsa-{key.curve.name}", key.curve.key_size
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        return "ed25519", 256
    if isinstance(key, (ed448.Ed448PrivateKey, ed448.Ed448PublicKey)):
        return "ed448", 456
    if isinstance(key, (dsa.DSAPrivateKey, dsa.DSAPublicKey)):
        return "dsa", key.key_size
    return type(key).__name__, None


def _ssh_strings(data: bytes, count: int) -> list[bytes] | None:
    out = []
    i = 0
    for _ in range(count):
        if i + 4 > len(data):
            return None
        (n,) = struct.unpack(">I", data[i:i + 4])
        if n > 1 << 16 or i + 4 + n > len(data):
            return None
        out.append(data[i + 4:i + 4 + n])
        i += 4 + n
    return out


def dropbear_host_key(data: bytes) -> tuple[str, bytes] | None:
    """(type, public key blob) of a dropbear host key file (its own format: SSH strings and mpints)."""
    first = _ssh_strings(data, 1)
    if not first:
        return None
    ktype = first[0].decode("ascii", "replace")

    def pack(*parts: bytes) -> bytes:
        return b"".join(struct.pack(">I", len(p)) + p for p in parts)

    if ktype == "ssh-rsa":
        s = _ssh_strings(data, 3)
        return (ktype, pack(s[0], s[1], s[2])) if s else None
    if ktype == "ssh-dss":
        s = _ssh_strings(data, 5)
        return (ktype, pack(*s)) if s else None
    if ktype == "ssh-ed25519":
        s = _ssh_strings(data, 2)
        if s and len(s[1]) == 64:
            return ktype, pack(s[0], s[1][32:])
        return None
    if ktype.startswith("ecdsa-sha2-"):
        s = _ssh_strings(data, 3)
        return (ktype, pack(*s)) if s else None
    return None


class SecretsAnalyzer(FileAnalyzer):
    name = "secrets"
    max_size = MAX_TEXT_BYTES

    def wants(self, entry: FileEntry) -> bool:
        if entry.size > self.max_size or entry.size == 0:
            return False
        if entry.kind in (FileKind.KEY, FileKind.TEXT, FileKind.SCRIPT):
            return True
        if entry.kind == FileKind.DATA:
            return bool(HOST_KEY_NAME.search(entry.relpath)) or entry.relpath.lower().endswith(
                (".der", ".key", ".p8", ".pk8", ".ppk"))
        return False

    def analyze(self, entry: FileEntry, data: bytes) -> Iterator[Finding | Observation]:
        low = NOT_SHIPPED_DIRS.search(entry.relpath) is not None
        found_key = False
        if b"-----BEGIN " in data:
            for m in PEM_RE.finditer(data):
                found_key = True
                yield from self._pem(entry, data, m, low)
        if data.startswith(b"PuTTY-User-Key-File-"):
            found_key = True
            yield from self._putty(entry, data, low)
        if entry.kind == FileKind.DATA or (entry.kind == FileKind.KEY and not found_key):
            yield from self._binary_key(entry, data, low)
        if AUTHORIZED_KEYS.search(entry.relpath):
            yield from self._authorized_keys(entry, data)
            return
        if entry.kind in (FileKind.TEXT, FileKind.SCRIPT) and not low:
            yield from self._text_secrets(entry, data)

    # ------------------------------------------------------------ key material

    def _key_obs(self, entry: FileEntry, data: dict[str, Any]) -> Observation:
        return Observation("key", entry.path, data)

    def _private_finding(self, entry: FileEntry, ktype: str, bits: int | None, fp: str | None, fmt: str, line: int,
                         low: bool, encrypted: bool = False) -> Finding:
        host = HOST_KEY_NAME.search(entry.relpath) is not None
        desc = f"{ktype}{'-' + str(bits) if bits and ktype in ('rsa', 'dsa') else ''}"
        evidence = {"type": ktype, "bits": bits, "fingerprint": fp, "format": fmt, "encrypted": encrypted}
        if host:
            return rule("secrets.shared-host-key").finding(
                entry.path, f"SSH host key ({desc}, {fp}) shipped in the image: every unit has the same host "
                f"identity, and anyone with the image can impersonate or decrypt it", line=line, evidence=evidence,
                severity=Severity.LOW if low else None)
        if encrypted:
            return rule("secrets.encrypted-private-key").finding(
                entry.path, f"passphrase-protected {desc} private key ({fmt}) built into the image", line=line,
                evidence=evidence, severity=Severity.LOW if low else None)
        where = " (test or example location)" if low else ""
        return rule("secrets.private-key").finding(
            entry.path, f"unencrypted {desc} private key ({fmt}, {fp}) built into the image{where}", line=line,
            evidence=evidence, severity=Severity.LOW if low else None)

    def _pem(self, entry: FileEntry, data: bytes, m: re.Match, low: bool) -> Iterator[Finding | Observation]:
        label = m.group(1).decode()
        block = m.group(0)
        line = data.count(b"\n", 0, m.start()) + 1
        if label == "CERTIFICATE":
            try:
                cert = x509.load_pem_x509_certificate(block)
                ktype, bits = _describe(cert.public_key())
                blob = _public_blob(cert.public_key())
                try:
                    ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
                except x509.ExtensionNotFound:
                    ca = False
                data = {"type": ktype, "bits": bits, "fingerprint": ssh_fingerprint(blob) if blob else None,
                        "private": False, "purpose": "certificate", "subject": cert.subject.rfc4514_string(),
                        "issuer": cert.issuer.rfc4514_string(), "ca": ca, "line": line,
                        "sha256": hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()}
            except (ValueError, TypeError, UnsupportedAlgorithm):
                return  # a malformed or exotic certificate: nothing secret in it anyway
            yield self._key_obs(entry, data)
            return
        if label in ("PUBLIC KEY", "RSA PUBLIC KEY"):
            try:
                pub = serialization.load_pem_public_key(block)
            except (ValueError, TypeError, UnsupportedAlgorithm):
                return
            ktype, bits = _describe(pub)
            blob = _public_blob(pub)
            yield self._key_obs(entry, {"type": ktype, "bits": bits, "fingerprint": ssh_fingerprint(blob) if blob else None,
                                        "private": False, "purpose": "public-key", "line": line})
            return
        if "PRIVATE KEY" not in label:
            return
        encrypted = label == "ENCRYPTED PRIVATE KEY" or b"Proc-Type: 4,ENCRYPTED" in block
        key = None
        fmt = {"OPENSSH PRIVATE KEY": "OpenSSH", "PRIVATE KEY": "PKCS#8", "ENCRYPTED PRIVATE KEY": "PKCS#8",
               "RSA PRIVATE KEY": "PKCS#1", "EC PRIVATE KEY": "SEC1", "DSA PRIVATE KEY": "PEM"}.get(label, "PEM")
        try:
            if label == "OPENSSH PRIVATE KEY":
                key = serialization.load_ssh_private_key(block, password=None)
            elif not encrypted:
                key = serialization.load_pem_private_key(block, password=None)
        except TypeError:
            encrypted = True  # a passphrase is needed
        except (ValueError, UnsupportedAlgorithm):
            key = None
        if key is not None:
            ktype, bits = _describe(key)
            blob = _public_blob(key.public_key())
            fp = ssh_fingerprint(blob) if blob else None
        else:
            ktype = label.replace(" PRIVATE KEY", "").lower() or "unknown"
            ktype = {"encrypted": "unknown", "": "unknown", "openssh": "unknown"}.get(ktype, ktype)
            bits, fp = None, None
        purpose = "host-key" if HOST_KEY_NAME.search(entry.relpath) else "private-key"
        yield self._key_obs(entry, {"type": ktype, "bits": bits, "fingerprint": fp, "private": True,
                                    "purpose": purpose, "encrypted": encrypted, "format": fmt, "line": line})
        yield self._private_finding(entry, ktype, bits, fp, fmt, line, low, encrypted)

    def _putty(self, entry: FileEntry, data: bytes, low: bool) -> Iterator[Finding | Observation]:
        text = data[:65536].decode("latin-1")
        m = re.match(r"PuTTY-User-Key-File-(\d+):\s*(\S+)", text)
        if not m:
            return
        ktype = m.group(2)
        enc = re.search(r"^Encryption:\s*(\S+)", text, re.M)
        encrypted = bool(enc and enc.group(1) != "none")
        pm = re.search(r"^Public-Lines:\s*(\d+)\s*\n((?:.*\n){1,64})", text, re.M)
        fp = None
        if pm:
            lines = pm.group(2).splitlines()[: int(pm.group(1))]
            try:
                fp = ssh_fingerprint(base64.b64decode("".join(lines)))
            except ValueError:
                fp = None
        yield self._key_obs(entry, {"type": ktype, "bits": None, "fingerprint": fp, "private": True,
                                    "purpose": "private-key", "encrypted": encrypted, "format": f"PuTTY v{m.group(1)}"})
        yield self._private_finding(entry, ktype, None, fp, f"PuTTY v{m.group(1)}", 1, low, encrypted)

    def _binary_key(self, entry: FileEntry, data: bytes, low: bool) -> Iterator[Finding | Observation]:
        if HOST_KEY_NAME.search(entry.relpath):
            parsed = dropbear_host_key(data)
            if parsed:
                ktype, blob = parsed
                fp = ssh_fingerprint(blob)
                yield self._key_obs(entry, {"type": ktype, "bits": None, "fingerprint": fp, "private": True,
                                            "purpose": "host-key", "format": "dropbear"})
                yield self._private_finding(entry, ktype, None, fp, "dropbear", 1, low)
                return
        if data[:1] != b"\x30":
            return
        try:
            key = serialization.load_der_private_key(data, password=None)
        except TypeError:
            yield self._key_obs(entry, {"type": "unknown", "bits": None, "fingerprint": None, "private": True,
                                        "purpose": "private-key", "encrypted": True, "format": "DER"})
            yield self._private_finding(entry, "unknown", None, None, "DER", 1, low, encrypted=True)
            return
        except (ValueError, UnsupportedAlgorithm):
            key = None
        if key is not None:
            ktype, bits = _describe(key)
            blob = _public_blob(key.public_key())
            fp = ssh_fingerprint(blob) if blob else None
            yield self._key_obs(entry, {"type": ktype, "bits": bits, "fingerprint": fp, "private": True,
                                        "purpose": "private-key", "format": "DER"})
            yield self._private_finding(entry, ktype, bits, fp, "DER", 1, low)
            return
        try:
            cert = x509.load_der_x509_certificate(data)
            ktype, bits = _describe(cert.public_key())
            blob = _public_blob(cert.public_key())
            obs = {"type": ktype, "bits": bits, "fingerprint": ssh_fingerprint(blob) if blob else None,
                   "private": False, "purpose": "certificate", "subject": cert.subject.rfc4514_string()}
        except (ValueError, TypeError, UnsupportedAlgorithm):
            return
        yield self._key_obs(entry, obs)

    def _authorized_keys(self, entry: FileEntry, data: bytes) -> Iterator[Finding | Observation]:
        rel = entry.relpath
        if rel.startswith("root/") or rel.startswith("etc/dropbear/"):
            user = "root"
        elif rel.startswith("home/"):
            user = rel.split("/")[1]
        else:
            user = posixpath.dirname(posixpath.dirname(rel)) or "(unknown)"
        for lineno, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            m = SSH_PUB_RE.search(s)
            if not m:
                continue
            try:
                blob = base64.b64decode(m.group(2))
            except ValueError:
                continue
            ktype = m.group(1)
            fp = ssh_fingerprint(blob)
            comment = (m.group(3) or "").strip()
            options = s[: m.start(1)].strip()
            yield self._key_obs(entry, {"type": ktype, "bits": None, "fingerprint": fp, "private": False,
                                        "purpose": "authorized-key", "user": user, "comment": comment, "line": lineno})
            yield rule("secrets.authorized-key").finding(
                entry.path, f"SSH key {ktype} {fp}{' (' + comment + ')' if comment else ''} is authorized to log in "
                f"as '{user}' on every unit: whoever holds the private key has a shell without any password",
                line=lineno, evidence={"user": user, "type": ktype, "fingerprint": fp, "comment": comment,
                                       "options": options or None},
                severity=Severity.CRITICAL if user == "root" and not options else None)

    # ------------------------------------------------------------ passwords and tokens in text

    def _text_secrets(self, entry: FileEntry, data: bytes) -> Iterator[Finding]:
        if is_account_store(entry.relpath):
            return
        text = data.decode("utf-8", "replace")
        for label, pattern in TOKEN_PATTERNS:
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                token = m.group(1)
                placeholder = "EXAMPLE" in token.upper()  # the issuers' documented sample values
                yield rule("secrets.token").finding(
                    entry.path, f"{label} built into the image" + (" (a documented example value)" if placeholder
                                                                    else ""), line=line,
                    evidence={"type": label, "token_prefix": token[:8], "example": placeholder,
                              "token_sha256": hashlib.sha256(token.encode()).hexdigest()},
                    severity=Severity.LOW if placeholder else None)
        script = entry.kind == FileKind.SCRIPT
        for lineno, line in enumerate(text.splitlines(), 1):
            s = line.strip()
            if not s or s.startswith(("#", "//", ";", "*", "<!--")) or len(s) > 400:
                continue
            m = CHPASSWD_RE.search(s)
            if m:
                yield rule("secrets.script-sets-password").finding(
                    entry.path, f"script sets a fixed password for '{m.group(1)}' (chpasswd)", line=lineno,
                    evidence={"user": m.group(1), "password_sha256": hashlib.sha256(m.group(2).encode()).hexdigest()})
                continue
            m = ASSIGN_RE.match(s)
            if not m:
                continue
            key = m.group(1)
            value = next(v for v in m.groups()[1:] if v is not None)
            if PLACEHOLDER.match(value.strip()) or value.strip() != value or (script and not re.search(r"[=]", s)):
                continue
            if key.lower().endswith(("pass",)) and not key.lower().endswith(("_pass", "-pass", ".pass")) and key.lower() != "pass":
                continue  # bypass, compass, ... are not passwords
            yield rule("secrets.hardcoded-password").finding(
                entry.path, f"fixed secret assigned to '{key}'", line=lineno,
                evidence={"key": key, "value_length": len(value), "value_sha256": hashlib.sha256(value.encode()).hexdigest()})
