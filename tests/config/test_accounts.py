"""Accounts: uid-0 aliases, empty and default passwords in every crypt scheme, web user stores."""
from __future__ import annotations

import warnings

from nobackdoor.analyzers.config.passwords import DefaultPasswordChecker, default_credentials, scheme_of, verify


def test_uid0_alias_with_default_password(rootfs):
    r = rootfs("accounts_defaults")
    alias = r.by_rule("accounts.uid0-alias")
    assert [f.evidence["user"] for f in alias] == ["opsadmin"]
    assert alias[0].severity.value == "critical" and alias[0].path == "etc/passwd"


def test_default_password_in_every_scheme(rootfs):
    found = {f.evidence["user"]: f for f in rootfs("accounts_defaults").by_rule("accounts.default-password")}
    assert set(found) == {"opsadmin", "guest", "tech", "service"}
    assert {f.evidence["scheme"] for f in found.values()} == {"md5_crypt", "des_crypt", "sha256_crypt", "bcrypt"}
    op = found["opsadmin"]
    assert op.severity.value == "critical" and op.path == "etc/shadow"
    # the evidence lets anyone reproduce the match: hash, scheme, matching password and list entry
    assert "well-known default '7ujMko0admin'" in op.message
    assert verify(op.evidence["password"], op.evidence["hash"], op.evidence["scheme"])
    assert op.evidence["list_entry"] == "root:7ujMko0admin"
    assert found["guest"].severity.value == "high"


def test_no_login_account_with_empty_password_is_not_reported(rootfs):
    r = rootfs("accounts_defaults")
    assert not [f for f in r.by_rule("accounts.empty-password") if f.evidence["user"] == "ftpd"]
    ftpd = [a for a in r.of("account") if a["user"] == "ftpd"][0]
    assert ftpd["password"] == "empty" and ftpd["login"] is False


def test_empty_root_password(rootfs):
    f = rootfs("accounts_empty").by_rule("accounts.empty-password")
    assert len(f) == 1 and f[0].evidence["user"] == "root" and f[0].path == "etc/shadow"
    assert f[0].severity.value == "critical"


def test_web_user_stores(rootfs):
    r = rootfs("accounts_defaults")
    web = {f.evidence["user"]: f for f in r.by_rule("accounts.web-default-password")}
    assert set(web) == {"webadm", "viewer", "ops"}
    assert web["webadm"].path == "etc/httpd.conf" and web["webadm"].evidence["scheme"] == "plain"
    plain = r.by_rule("accounts.plaintext-password")
    assert [f.path for f in plain] == ["etc/config/pppoe"] and plain[0].category == "hardcoded-secret"
    json_acc = [a for a in r.of("account") if a["source"].startswith("JSON")]
    assert json_acc and json_acc[0]["scheme"] == "sha512_crypt" and json_acc[0]["password"] == "default"


def test_locked_and_strong_accounts_are_silent(rootfs):
    r = rootfs("clean")
    assert not [f for f in r.findings if f.category == "account"]
    states = {a["user"]: a["password"] for a in r.of("account")}
    assert states == {"root": "set", "daemon": "locked", "nobody": "locked"}


def test_system_password_references_are_not_credentials(rootfs):
    # BusyBox httpd "/cgi-bin:root:*" and OpenWrt rpcd "$p$root" point at /etc/shadow
    r = rootfs("clean")
    assert not r.by_rule("accounts.plaintext-password") and not r.by_rule("accounts.web-default-password")


def test_scheme_identification():
    assert scheme_of("", plain_allowed=False) == "empty"
    assert scheme_of("!$6$x$y", plain_allowed=False) == "locked"
    assert scheme_of("*", plain_allowed=False) == "locked"
    assert scheme_of("$1$abc$def", plain_allowed=False) == "md5_crypt"
    assert scheme_of("$2y$10$" + "a" * 53, plain_allowed=False) == "bcrypt"
    assert scheme_of("abcdefghijklm", plain_allowed=False) == "des_crypt"
    assert scheme_of("hunter22", plain_allowed=True) == "plain"
    assert scheme_of("hunter22", plain_allowed=False) == "unknown"


def test_default_list_is_sourced_and_sizeable():
    creds = default_credentials()
    assert len(creds) > 150
    assert all(c.password for c in creds)


def test_md5_crypt_gets_the_full_list():
    """A cheap scheme is checked against every candidate (speed is measured in bench/config_timing.py)."""
    from passlib.hash import md5_crypt
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = md5_crypt.using(salt="Sp33dT3s").hash("not-in-any-list-9f2")
    checker = DefaultPasswordChecker()
    res = checker.check("someone", value, "md5_crypt")
    assert res.password is None and res.complete
    assert res.tried == len(checker.candidates("someone"))


def test_costly_checks_are_bounded_by_counted_work_not_time():
    """The budget counts work (candidates x the scheme's cost), so a loaded machine tries exactly the
    candidates an idle one does."""
    from passlib.hash import sha512_crypt
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = sha512_crypt.using(salt="budgetst", rounds=5000).hash("not-in-any-list-77")
    tried = {DefaultPasswordChecker(budget=100).check("someone", value, "sha512_crypt").tried for _ in range(3)}
    assert len(tried) == 1
    (n,) = tried
    assert 0 < n < len(DefaultPasswordChecker().candidates("someone"))


def test_predefined_login_account_with_unknown_password(tmp_path):
    from tests.config.conftest import analyze_rootfs
    from passlib.hash import sha512_crypt
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h = sha512_crypt.using(salt="maintslt", rounds=5000).hash("Qz-not-listed-4417")
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/passwd").write_text("root:x:0:0::/root:/bin/sh\nfieldeng:x:600:600::/home/f:/bin/sh\n"
                                         "backup:x:34:34::/var/backups:/usr/sbin/nologin\n")
    (tmp_path / "etc/shadow").write_text(f"root:*:1::::::\nfieldeng:{h}:1::::::\nbackup:{h}:1::::::\n")
    (tmp_path / "bin").mkdir()
    r = analyze_rootfs(tmp_path)
    f = r.by_rule("accounts.predefined-login")
    assert [(x.evidence["user"], x.severity.value) for x in f] == [("fieldeng", "medium")]


def test_weak_des_hash(rootfs):
    r = rootfs("accounts_defaults")
    weak = r.by_rule("accounts.weak-hash")
    assert [(w.evidence["user"], w.evidence["scheme"], w.severity.value) for w in weak] == [("legacy", "des_crypt", "medium")]


def test_hostile_cost_parameters_are_not_checked():
    checker = DefaultPasswordChecker()
    for value, scheme in (("$6$rounds=999999999$abcdefgh$" + "A" * 86, "sha512_crypt"),
                          ("$2b$31$" + "a" * 53, "bcrypt"), ("pbkdf2_sha256$90000000$salt$hash", "django_pbkdf2")):
        res = checker.check("root", value, scheme)
        assert res.tried == 0 and not res.complete
