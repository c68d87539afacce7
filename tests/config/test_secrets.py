"""Keys, authorized_keys, tokens and fixed passwords, with fingerprints that match across formats."""
from __future__ import annotations


def test_private_keys_in_every_format(rootfs):
    r = rootfs("keys")
    found = {f.path: f for f in r.by_rule("secrets.private-key")}
    assert set(found) == {"opt/acme/certs/device-signing.pem", "usr/local/share/cloud/client.p8",
                          "usr/local/share/cloud/client.der", "home/maint/.ssh/id_ed25519",
                          "opt/acme/tools/support.ppk"}
    assert {f.evidence["format"] for f in found.values()} == {"PKCS#1", "PKCS#8", "DER", "OpenSSH", "PuTTY v2"}
    assert all(f.category == "hardcoded-secret" and f.severity.value == "high" for f in found.values())
    assert found["opt/acme/certs/device-signing.pem"].evidence["bits"] == 1024


def test_same_key_same_fingerprint_across_formats(rootfs):
    r = rootfs("keys")
    fps = {k["path"]: k["fingerprint"] for k in r.of("key")}
    ed = fps["home/maint/.ssh/id_ed25519"]
    assert ed.startswith("SHA256:")
    assert fps["opt/acme/tools/support.ppk"] == ed == fps["etc/dropbear/dropbear_ed25519_host_key"]
    assert fps["usr/local/share/cloud/client.p8"] == fps["usr/local/share/cloud/client.der"]


def test_host_key_and_encrypted_key(rootfs):
    r = rootfs("keys")
    host = r.by_rule("secrets.shared-host-key")
    assert [h.path for h in host] == ["etc/dropbear/dropbear_ed25519_host_key"]
    enc = r.by_rule("secrets.encrypted-private-key")
    assert [e.path for e in enc] == ["opt/acme/certs/backup.p8"] and enc[0].severity.value == "medium"


def test_authorized_key(rootfs):
    f = rootfs("keys").by_rule("secrets.authorized-key")
    assert len(f) == 1 and f[0].category == "remote-access" and f[0].evidence["user"] == "maint"
    assert f[0].evidence["comment"] == "factory@acme.example" and f[0].line == 2
    assert f[0].severity.value == "high"


def test_ca_certificate_is_observed_not_reported(rootfs):
    r = rootfs("keys")
    certs = [k for k in r.of("key") if k["purpose"] == "certificate"]
    assert certs and certs[0]["ca"] is True
    assert not [f for f in r.findings if f.path == "etc/ssl/certs/fixture-root-ca.pem"]


def test_tokens_and_fixed_passwords(rootfs):
    r = rootfs("keys")
    tok = r.by_rule("secrets.token")
    assert [t.path for t in tok] == ["etc/acme/cloud.conf"] and tok[0].line == 3
    pw = r.by_rule("secrets.hardcoded-password")
    assert [(p.path, p.line, p.evidence["key"]) for p in pw] == [("etc/acme/cloud.conf", 4, "db_password")]
    chp = r.by_rule("secrets.script-sets-password")
    assert [(c.path, c.evidence["user"]) for c in chp] == [("etc/init.d/S15pwreset", "admin")]


def test_example_tokens_and_test_suite_keys_are_low():
    from pathlib import Path

    from nobackdoor.analyzers.base import NOT_SHIPPED_DIRS
    from nobackdoor.analyzers.secrets import SecretsAnalyzer
    from nobackdoor.models import FileEntry, FileKind

    def run(rel: str, data: bytes):
        e = FileEntry(rel, rel, "", Path("/nonexistent"), len(data), "", FileKind.TEXT, content=data)
        return [f for f in SecretsAnalyzer.__new__(SecretsAnalyzer).analyze(e, data) if hasattr(f, "rule")]

    doc = b'{"AccessKeyId": "AKIAIOSFODNN7EXAMPLE"}\n'
    real = b'{"AccessKeyId": "AKIAZ7Q3RT5W2MXN8KLD"}\n'
    [example] = run("data/iam/examples-1.json", doc)
    [live] = run("etc/cloud/agent.json", real)
    assert (example.severity.value, example.evidence["example"]) == ("low", True)
    assert live.severity.value == "high"
    assert all(NOT_SHIPPED_DIRS.search(p) for p in ("pkg/regress/k.prv", "libtomcrypt/testprof/test.key",
                                                    "urllib3/dummyserver/certs/server.key"))
    assert not any(NOT_SHIPPED_DIRS.search(p) for p in ("etc/latest/a.key", "usr/lib/contest/x.key",
                                                        "etc/ssl/private/server.key"))
