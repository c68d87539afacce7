"""Declaration: schema validation, marking observations, undeclared findings, accepted findings,
and the end-to-end promise: a declared honest image scans quiet, its planted twin does not."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from nobackdoor.declaration import Declaration, DeclarationError, apply, draft, load
from nobackdoor.models import FileEntry, FileKind, Finding, Observation, ScanResult, Severity, Target
from nobackdoor.ruleset import rule

from tests.declaration import rootfs




# ---------------------------------------------------------------- schema


def test_minimal_declaration_is_valid():
    decl = Declaration.from_dict({"version": 1})
    assert decl.accounts == [] and decl.accepted == []


@pytest.mark.parametrize("doc, expected", [
    ({}, "(top level): 'version' is a required property"),
    ({"version": 2}, "version: unsupported version 2"),
    ({"version": 1, "services": [{"program": "sshd", "ports": ["ssh"]}]}, "services[0].ports[0]: 'ssh' is not of type 'integer'"),
    ({"version": 1, "services": [{"program": "sshd", "port": 22}]}, "services[0]: Additional properties are not allowed"),
    ({"version": 1, "accepted": [{"fingerprint": "00ff00ff00ff", "reviewer": "a"}]}, "accepted[0]: 'reason' is a required property"),
    ({"version": 1, "accepted": [{"rule": "x.y", "reason": "r", "reviewer": "a"}]}, "accepted[0]: needs fingerprint or rule and path"),
    ({"version": 1, "keys": [{"purpose": "host-key"}]}, "keys[0]: needs fingerprint or path"),
    ({"version": 1, "accounts": [{"user": "root", "password": "secret"}]}, "accounts[0].password: 'secret' is not one of"),
])
def test_schema_errors_say_where_and_what(doc, expected):
    with pytest.raises(DeclarationError) as info:
        Declaration.from_dict(doc, "vendor.yml")
    assert f"vendor.yml: {expected}" in str(info.value)


def test_unknown_key_lists_allowed_keys():
    with pytest.raises(DeclarationError, match=r"allowed keys: .*authentication.*ports"):
        Declaration.from_dict({"version": 1, "services": [{"program": "x", "prots": [1]}]})


def test_yaml_syntax_error_names_the_line(tmp_path):
    bad = tmp_path / "nobackdoor.yml"
    bad.write_text("version: 1\nservices:\n  - program: [unclosed\n")
    with pytest.raises(DeclarationError, match=r"nobackdoor.yml: line \d+, column \d+: not valid YAML"):
        load(bad)


def test_scan_rejects_a_bad_declaration_with_exit_2(tmp_path, run):
    bad = tmp_path / "d.yml"
    bad.write_text("version: 1\naccounts: [{uid: 0}]\n")
    target = rootfs.build(tmp_path / "fs")
    proc = run("scan", str(target), "--declaration", str(bad), "--format", "json")
    assert proc.returncode == 2
    assert "accounts[0]: 'user' is a required property" in proc.stderr
    assert proc.stdout == ""


# ---------------------------------------------------------------- apply on a hand-made result


def _result() -> ScanResult:
    r = ScanResult(target=Target("fw.img", "0" * 64, 1, "firmware"))
    r.files = [FileEntry(path=f"fw.img/squashfs-root/{rel}", relpath=rel, root="fw.img/squashfs-root",
                         realpath=Path("/nonexistent"), size=1, sha256="0", kind=FileKind.TEXT)
               for rel in ("etc/passwd", "etc/init.d/rcS", "etc/ssl/vendor.pem", "etc/cron.d/sync", "usr/sbin/agentd")]
    p = "fw.img/squashfs-root/"
    r.observations = [
        Observation("account", p + "etc/passwd", {"user": "root", "uid": "0", "shell": "/bin/sh", "password": "set"}),
        Observation("account", p + "etc/passwd", {"user": "opsmaint", "uid": "0", "shell": "/bin/sh", "password": "set"}),
        Observation("account", p + "etc/passwd", {"user": "sshd", "uid": "74", "shell": "/sbin/nologin", "password": "locked"}),
        Observation("service", p + "etc/init.d/rcS", {"program": "/usr/sbin/sshd", "program_path": "usr/sbin/sshd",
                                                      "args": ["-p", "22"], "trigger": "boot", "port": 22,
                                                      "protocol": "tcp", "shell": True, "login": True,
                                                      "source": "etc/init.d/rcS:4"}),
        Observation("service", p + "etc/init.d/rcS", {"program": "utelnetd", "program_path": "bin/busybox",
                                                      "args": ["-p", "6107", "-l", "/bin/sh"], "trigger": "boot",
                                                      "port": 6107, "protocol": "tcp", "shell": True,
                                                      "source": "etc/init.d/rcS:9"}),
        Observation("service", p + "etc/inittab", {"program": "/bin/sh", "program_path": "bin/busybox", "args": [],
                                                   "trigger": "respawn", "shell": True, "source": "etc/inittab:3"}),
        Observation("listener", p + "usr/sbin/agentd", {"port": 9161, "protocol": "udp",
                                                        "program_path": "usr/sbin/agentd", "source": "binary"}),
        Observation("listener", p + "etc/init.d/rcS", {"port": 22, "protocol": "tcp", "program_path": "usr/sbin/sshd",
                                                       "source": "config"}),
        Observation("key", p + "etc/ssl/vendor.pem", {"type": "rsa", "bits": 2048, "fingerprint": "SHA256:abcDEF",
                                                      "private": True, "purpose": "private-key"}),
        Observation("endpoint", p + "etc/cron.d/sync", {"url": "http://cfg.vendor.example/x.sh",
                                                        "context": "fetch-and-run"}),
        Observation("endpoint", p + "etc/cron.d/sync", {"host": "pool.ntp.example", "context": "config"}),
    ]
    r.findings = [rule("accounts.uid0-alias").finding(p + "etc/passwd", "second uid-0 account 'opsmaint'", line=2,
                                                      evidence={"user": "opsmaint", "uid": 0, "_relpath": "etc/passwd"})]
    return r


DECL = {
    "version": 1,
    "accounts": [{"user": "root", "uid": 0}, {"user": "sshd", "login": False}],
    "services": [{"program": "sshd", "ports": [22], "shell": True, "login": True, "authentication": "publickey"},
                 {"program": "agentd", "ports": [9161], "protocol": "udp"}],
    "keys": [],
    "endpoints": [{"host": "ntp.example", "purpose": "time"}],
}


def _by_rule(result: ScanResult) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in result.findings:
        out.setdefault(f.rule, []).append(f)
    return out


def test_apply_marks_declared_and_reports_undeclared():
    r = _result()
    apply(r, Declaration.from_dict(DECL, "d.yml"))
    declared = {(o.kind, o.data.get("user") or o.data.get("program") or o.data.get("port") or o.data.get("url")
                 or o.data.get("host") or o.data.get("fingerprint")): o.data["declared"]
                for o in r.observations}
    assert declared[("account", "root")] and declared[("account", "sshd")]
    assert not declared[("account", "opsmaint")]
    assert declared[("service", "/usr/sbin/sshd")] and not declared[("service", "utelnetd")]
    assert declared[("listener", 9161)] and declared[("listener", 22)]
    assert not declared[("key", "SHA256:abcDEF")]
    assert declared[("endpoint", "pool.ntp.example")] and not declared[("endpoint", "http://cfg.vendor.example/x.sh")]

    by = _by_rule(r)
    (acc,) = by["declaration.undeclared-account"]
    assert acc.category == "account" and acc.severity == Severity.HIGH and "opsmaint" in acc.message
    (svc,) = by["declaration.undeclared-service"]
    assert svc.category == "remote-access" and svc.severity == Severity.HIGH and svc.line == 9
    assert "utelnetd" in svc.message and "6107" in svc.message
    (console,) = by["declaration.undeclared-console"]
    assert console.category == "debug-interface" and console.path.endswith("etc/inittab")
    (key,) = by["declaration.undeclared-key"]
    assert key.category == "hardcoded-secret" and key.severity == Severity.HIGH
    (ep,) = by["declaration.undeclared-endpoint"]
    assert ep.category == "phone-home" and ep.severity == Severity.HIGH
    assert "declaration.undeclared-listener" not in by
    summary = r.extra["declaration"]
    assert summary["observed"]["account"] == {"declared": 2, "undeclared": 1}
    assert r.extra["accepted"] == []


def test_wrong_port_or_missing_shell_is_a_difference():
    r = _result()
    decl = dict(DECL, services=[{"program": "sshd", "ports": [2222], "shell": True, "login": True},
                                {"program": "utelnetd", "ports": [6107]}])
    apply(r, Declaration.from_dict(decl))
    msgs = [f.message for f in r.findings if f.rule == "declaration.undeclared-service"]
    assert any("port 22 not declared for sshd" in m for m in msgs)
    assert any("utelnetd" in m and "gives a shell, declared without one" in m for m in msgs)
    listeners = [f for f in r.findings if f.rule == "declaration.undeclared-listener"]
    assert sorted(f.evidence["port"] for f in listeners) == [22, 9161]  # agentd left out of this declaration


def test_account_declared_with_other_uid_is_reported():
    r = _result()
    decl = dict(DECL, accounts=[{"user": "root", "uid": 0}, {"user": "sshd"}, {"user": "opsmaint", "uid": 500}])
    apply(r, Declaration.from_dict(decl))
    (f,) = [f for f in r.findings if f.rule == "declaration.undeclared-account"]
    assert "uid 0 (declared 500)" in f.message and f.severity == Severity.HIGH


def test_accepted_findings_leave_findings_with_their_justification():
    r = _result()
    fp = r.findings[0].fingerprint
    decl = dict(DECL, accounts=DECL["accounts"] + [{"user": "opsmaint", "uid": 0}],
                services=DECL["services"] + [{"program": "utelnetd", "ports": [6107], "shell": True},
                                             {"program": "sh", "shell": True, "trigger": "respawn"}],
                keys=[{"fingerprint": "SHA256:abcDEF", "purpose": "private-key"}],
                endpoints=DECL["endpoints"] + [{"url": "http://cfg.vendor.example/"}],
                accepted=[{"fingerprint": fp[:16], "reason": "documented maintenance account", "reviewer": "lab-a"},
                          {"rule": "nothing.*", "path": "etc/none", "reason": "stale", "reviewer": "lab-a"}])
    apply(r, Declaration.from_dict(decl))
    assert r.findings == []  # quiet: nothing undeclared, the one finding accepted
    (acc,) = r.extra["accepted"]
    assert acc["rule"] == "accounts.uid0-alias" and acc["severity"] == "critical"
    assert acc["acceptance"] == {"reason": "documented maintenance account", "reviewer": "lab-a"}
    assert r.extra["declaration"]["accepted_entries_unmatched"] == [{"rule": "nothing.*", "path": "etc/none"}]


def test_accept_by_rule_and_path_suffix():
    r = _result()
    decl = dict(DECL, accepted=[{"rule": "accounts.*", "path": "etc/passwd", "reason": "r", "reviewer": "x"}])
    apply(r, Declaration.from_dict(decl))
    assert "accounts.uid0-alias" not in _by_rule(r)
    assert [a["rule"] for a in r.extra["accepted"]] == ["accounts.uid0-alias"]


def test_draft_is_a_valid_declaration_that_declares_everything():
    r = _result()
    r.findings = []
    text = draft(r)
    doc = yaml.safe_load(text)
    decl = Declaration.from_dict(doc)
    assert "# - fingerprint" not in text  # no findings, nothing offered for acceptance
    apply(r, decl)
    assert [f for f in r.findings if f.severity.rank >= Severity.MEDIUM.rank] == []
    assert all(o.data["declared"] for o in r.observations if o.kind != "binary")


# ---------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    base = tmp_path_factory.mktemp("twins")
    return rootfs.build(base / "clean"), rootfs.build(base / "planted", planted=True)


def test_declared_clean_image_is_quiet_and_planted_twin_is_not(twins, tmp_path, run):
    clean, planted = twins
    decl_file = tmp_path / "nobackdoor.yml"
    proc = run("declare", str(clean), "-o", str(decl_file))
    assert proc.returncode == 0, proc.stderr
    decl = load(decl_file)  # the draft is valid as written
    assert {s["program"] for s in decl.services} == {"dropbear", "httpd"}

    quiet = run("scan", str(clean), "--declaration", str(decl_file), "--format", "json")
    doc = json.loads(quiet.stdout)
    assert quiet.returncode == 0, doc["findings"]
    assert [f for f in doc["findings"] if f["severity"] in ("high", "critical")] == []
    assert all(o["declared"] for kind in ("account", "service", "listener") for o in doc["observations"][kind])

    loud = run("scan", str(planted), "--declaration", str(decl_file), "--format", "json")
    doc = json.loads(loud.stdout)
    assert loud.returncode == 1
    undeclared = {f["rule"]: f for f in doc["findings"] if f["rule"].startswith("declaration.")}
    svc = undeclared["declaration.undeclared-service"]
    assert svc["path"].endswith("etc/init.d/rcS") and "telnetd" in svc["message"] and svc["severity"] == "high"
    acc = undeclared["declaration.undeclared-account"]
    assert "fieldsvc" in acc["message"] and acc["severity"] == "high"
    assert doc["declaration"]["observed"]["service"]["undeclared"] == 1


def test_accepting_the_plant_by_fingerprint_is_honoured(twins, tmp_path, run):
    """The reviewer may accept a finding; it then leaves findings and the exit status."""
    clean, planted = twins
    scan = run("scan", str(planted), "--format", "json")
    found = json.loads(scan.stdout)["findings"]
    decl_file = tmp_path / "d.yml"
    draft_text = run("declare", str(planted)).stdout
    doc = yaml.safe_load(draft_text)
    doc["accepted"] = [{"fingerprint": f["fingerprint"], "reason": "lab test", "reviewer": "t"} for f in found]
    decl_file.write_text(yaml.safe_dump(doc))
    proc = run("scan", str(planted), "--declaration", str(decl_file), "--format", "json")
    out = json.loads(proc.stdout)
    assert out["findings"] == [] and proc.returncode == 0
    assert sorted(a["fingerprint"] for a in out["accepted"]) == sorted(f["fingerprint"] for f in found)
    text = run("scan", str(planted), "--declaration", str(decl_file), "--format", "text").stdout
    assert f"{len(found)} accepted finding(s)" in text
    assert "lab test (t)" in text and found[0]["rule"] in text


def test_declaring_a_certificate_does_not_declare_its_private_key():
    r = _result()
    r.observations.append(Observation("key", "fw.img/squashfs-root/etc/ssl/ca.crt",
                                      {"type": "rsa", "fingerprint": "SHA256:abcDEF", "private": False,
                                       "purpose": "certificate"}))
    apply(r, Declaration.from_dict(dict(DECL, keys=[{"fingerprint": "SHA256:abcDEF", "purpose": "certificate"}])))
    keys = {o.data["purpose"]: o.data["declared"] for o in r.observations if o.kind == "key"}
    assert keys == {"certificate": True, "private-key": False}
    (f,) = [f for f in r.findings if f.rule == "declaration.undeclared-key"]
    assert f.path.endswith("etc/ssl/vendor.pem")


def test_password_difference_points_at_shadow():
    r = _result()
    r.files.append(FileEntry(path="fw.img/squashfs-root/etc/shadow", relpath="etc/shadow", root="fw.img/squashfs-root",
                             realpath=Path("/nonexistent"), size=1, sha256="0", kind=FileKind.TEXT))
    r.observations[0].data["password"] = "empty"
    apply(r, Declaration.from_dict(dict(DECL, accounts=[{"user": "root", "uid": 0, "password": "set"}, {"user": "sshd"},
                                                        {"user": "opsmaint"}])))
    (f,) = [f for f in r.findings if f.rule == "declaration.undeclared-account"]
    assert f.path.endswith("etc/shadow") and "password empty (declared set)" in f.message
    assert f.severity == Severity.HIGH


def test_listener_on_a_run_time_port_is_covered_by_its_declared_service():
    r = _result()
    r.observations.append(Observation("listener", "fw.img/squashfs-root/usr/sbin/sshd",
                                      {"port": None, "protocol": "tcp", "program_path": "usr/sbin/sshd",
                                       "source": "binary"}))
    r.observations.append(Observation("listener", "fw.img/squashfs-root/usr/sbin/rogued",
                                      {"port": None, "protocol": "tcp", "program_path": "usr/sbin/rogued",
                                       "source": "binary"}))
    apply(r, Declaration.from_dict(DECL))
    (f,) = [f for f in r.findings if f.rule == "declaration.undeclared-listener"]
    assert "usr/sbin/rogued listens on a tcp port set at run time" in f.message
    assert f.severity == Severity.MEDIUM
    assert yaml.safe_load(draft(r))["services"][-1]["program"] == "rogued"


def test_fingerprint_from_the_store_accepts_the_finding_in_a_renamed_binary():
    from nobackdoor.saved import normalise_identities

    def release(name: str) -> ScanResult:
        r = ScanResult(target=Target(name, "0" * 64, 1, "binary"))
        r.files = [FileEntry(path=name, relpath=name, root="", realpath=Path("/x"), size=1, sha256=name,
                             kind=FileKind.ELF)]
        r.findings = [rule("accounts.uid0-alias").finding(name, "same finding", evidence={"k": "v", "_relpath": name})]
        return r
    old = release("agentd-3.1")
    normalise_identities(old)  # what the store recorded for 3.1
    stored_fp = old.findings[0].fingerprint
    new = release("agentd-3.2")
    assert new.findings[0].fingerprint != stored_fp
    apply(new, Declaration.from_dict({"version": 1, "accepted": [{"fingerprint": stored_fp, "reason": "r", "reviewer": "x"}]}))
    assert new.findings == [] and len(new.extra["accepted"]) == 1


def test_html_report_shows_the_declaration_and_the_accepted_findings_with_their_justification():
    from nobackdoor.report import render

    r = _result()
    fp = r.findings[0].fingerprint
    decl = dict(DECL, accounts=DECL["accounts"] + [{"user": "ghostacct", "uid": 1042}],
                accepted=[{"fingerprint": fp[:16], "reason": "documented <maintenance> account", "reviewer": "lab-a",
                           "date": "2026-10-01"}])
    apply(r, Declaration.from_dict(decl))
    page = render("html", r)
    assert 'id="declaration"' in page and 'href="#declaration"' in page
    assert "Accepted findings (1)" in page
    assert "documented &lt;maintenance&gt; account" in page and "lab-a" in page and "2026-10-01" in page
    assert "accounts.uid0-alias" in page
    assert "Declared but not observed" in page and "ghostacct" in page
    # without a declaration there is no such section
    assert 'id="declaration"' not in render("html", _result())
