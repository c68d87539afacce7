"""The scan store on SQLite and on PostgreSQL: recording versions, history, and triage decisions
that carry from one version to the next."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from nobackdoor.declaration import Declaration, apply

from nobackdoor.models import FileEntry, FileKind, ScanResult, Target
from nobackdoor.ruleset import rule
from nobackdoor.store import Store, StoreError, resolve_url


def _result(container: str, extra_finding: bool = False, fixed: bool = False) -> ScanResult:
    """A firmware scan whose container name changes with every version, like real releases."""
    p = f"{container}/squashfs-root/"
    r = ScanResult(target=Target(container, hashlib.sha256(container.encode()).hexdigest(), 1, "firmware"),
                   tool_version="test")
    r.files = [FileEntry(path=p + rel, relpath=rel, root=p[:-1], realpath=Path("/x"), size=1, sha256="0",
                         kind=FileKind.TEXT) for rel in ("etc/passwd", "etc/shadow", "usr/sbin/cgi")]
    findings = []
    if not fixed:
        findings.append(rule("accounts.uid0-alias").finding(p + "etc/passwd", "second uid-0 account 'svcop'", line=4,
                                                            evidence={"user": "svcop", "uid": 0}))
    findings.append(rule("accounts.empty-password").finding(p + "etc/shadow", "account 'guest' has no password",
                                                            line=7, evidence={"user": "guest"}))
    if extra_finding:
        findings.append(rule("accounts.empty-password").finding(p + "etc/shadow", "account 'lab' has no password",
                                                                line=9, evidence={"user": "lab"}))
    for f in findings:
        f.evidence["_relpath"] = f.path[len(p):]
    r.findings = findings
    return r


def _by_user(rows):
    return {r.message.split("'")[1]: r for r in rows}


def test_triage_decision_carries_to_the_next_version(db_url):
    with Store(db_url) as store:
        store.add_result(_result("fw-4.0.bin"), "edge-router", "4.0")
        rows = _by_user(store.findings("edge-router", "4.0"))
        assert {r.status for r in rows.values()} == {"untriaged"}
        decided = store.decide("edge-router", rows["svcop"].fingerprint[:10], "accepted",
                               "documented field-service account, disabled at first boot", "lab-reviewer-1")
        assert decided.status == "accepted" and not decided.carried and decided.decided_on == "4.0"
        store.decide("edge-router", rows["guest"].fingerprint, "confirmed", "real problem, reported to vendor",
                     "lab-reviewer-2", version="4.0")

        store.add_result(_result("fw-4.1-final.bin", extra_finding=True), "edge-router", "4.1")
        rows = _by_user(store.findings("edge-router"))  # latest version
        assert rows["svcop"].status == "accepted" and rows["svcop"].carried and rows["svcop"].decided_on == "4.0"
        assert rows["svcop"].reviewer == "lab-reviewer-1" and "field-service" in rows["svcop"].reason
        assert rows["guest"].status == "confirmed" and rows["guest"].carried
        assert rows["lab"].status == "untriaged" and rows["lab"].first_seen == "4.1"
        assert rows["svcop"].first_seen == "4.0"
        assert rows["svcop"].path.startswith("fw-4.1-final.bin/")  # shown where it is in the new version

        # a decision on 4.1 overrides the carried one there, but does not rewrite 4.0's history
        store.decide("edge-router", rows["svcop"].fingerprint, "confirmed", "account re-enabled in 4.1", "lab-reviewer-1")
        assert _by_user(store.findings("edge-router", "4.1"))["svcop"].status == "confirmed"
        old = _by_user(store.findings("edge-router", "4.0"))["svcop"]
        assert old.status == "accepted" and not old.carried

        history = store.history("edge-router")
        assert [h.version for h in history] == ["4.0", "4.1"]
        assert history[1].new == 1 and history[1].resolved == 0
        assert history[1].confirmed == 2 and history[1].carried == 1 and history[1].untriaged == 1
        assert history[1].severities == {"critical": 3}


def test_history_counts_resolved_findings(db_url):
    with Store(db_url) as store:
        store.add_result(_result("a.bin"), "p", "1")
        store.add_result(_result("b.bin", fixed=True), "p", "2")
        h = store.history("p")
        assert (h[1].new, h[1].resolved) == (0, 1)


def test_decisions_need_reason_reviewer_and_a_known_finding(db_url):
    with Store(db_url) as store:
        store.add_result(_result("a.bin"), "p", "1")
        with pytest.raises(StoreError, match="needs a reason and a reviewer"):
            store.decide("p", "0", "accepted", " ", "me")
        with pytest.raises(StoreError, match="no finding"):
            store.decide("p", "zzzz", "accepted", "r", "me")
        with pytest.raises(StoreError, match="decision must be one of"):
            store.decide("p", "0", "ignored", "r", "me")
        with pytest.raises(StoreError, match="no product 'q'"):
            store.findings("q")
        with pytest.raises(StoreError, match="has no version '9'"):
            store.findings("p", "9")


def test_command_line_records_and_triages(db_url, tmp_path, capsys):
    from nobackdoor.cli import main

    def cli(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            rc = main(list(args))
        except SystemExit as exc:
            rc = exc.code
        out = capsys.readouterr()
        return rc, out.out, out.err

    for version, container in (("7.0", "olt-7.0.img"), ("7.1", "olt-7.1.img")):
        saved = tmp_path / f"{version}.json"
        saved.write_text(json.dumps(_result(container).to_dict()))
        rc, out, err = cli("store", "add", str(saved), "--product", "olt", "--version", version, "--db", db_url)
        assert rc == 0, err
        if version == "7.0":
            rc, out, _ = cli("triage", "list", "olt", "--format", "json", "--db", db_url)
            rows = json.loads(out)
            fp = next(r["fingerprint"] for r in rows if "svcop" in r["message"])
            rc, out, err = cli("triage", "accept", "olt", fp[:12], "--reason", "vendor documented it",
                               "--reviewer", "rev-a", "--db", db_url)
            assert rc == 0 and "accepted on 7.0 by rev-a" in out, err
    rc, out, _ = cli("triage", "list", "olt", "--db", db_url)
    assert "accepted (carried from 7.0) by rev-a: vendor documented it" in out
    rc, out, _ = cli("triage", "list", "olt", "--status", "carried", "--format", "json", "--db", db_url)
    assert [r["status"] for r in json.loads(out)] == ["accepted"]
    # the reviewers' acceptances become a declaration that quiets the next release's scan
    rc, out, _ = cli("triage", "export", "olt", "--db", db_url)
    exported = yaml.safe_load(out)
    assert [e["reason"] for e in exported["accepted"]] == ["vendor documented it"]
    next_release = _result("olt-7.2.img")
    apply(next_release, Declaration.from_dict({"version": 1, **exported}))
    assert [a["message"] for a in next_release.extra["accepted"]] == ["second uid-0 account 'svcop'"]
    assert all("svcop" not in f.message for f in next_release.findings)
    rc, out, _ = cli("history", "olt", "--format", "json", "--db", db_url)
    doc = json.loads(out)
    assert [v["version"] for v in doc["versions"]] == ["7.0", "7.1"] and doc["versions"][1]["carried"] == 1
    rc, out, _ = cli("history", "olt", "--db", db_url)
    assert rc == 0 and "7.1" in out
    rc, _, err = cli("history", "nosuch", "--db", db_url)
    assert rc == 2 and "no product 'nosuch'" in err


def test_scan_store_option_records_a_scan(tmp_path, capsys, monkeypatch):
    from nobackdoor.cli import main

    target = tmp_path / "fs"
    (target / "etc").mkdir(parents=True)
    (target / "bin").mkdir()
    (target / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/sh\nops2:x:0:0::/root:/bin/sh\n")
    db = tmp_path / "s.db"
    monkeypatch.setenv("NOBACKDOOR_DB", str(db))  # a bare file name means SQLite
    rc = main(["scan", str(target), "--format", "json", "--store", "--product", "gw", "--version", "1.0"])
    assert rc in (0, 1)
    assert "recorded scan 1 as gw 1.0" in capsys.readouterr().err
    with Store() as store:
        assert store.url == f"sqlite:///{db.resolve()}"
        assert any(f.rule == "accounts.uid0-alias" for f in store.findings("gw"))


def test_url_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("NOBACKDOOR_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert resolve_url() == f"sqlite:///{tmp_path}/nobackdoor/nobackdoor.db"
    assert resolve_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url("sqlite:///x.db") == "sqlite:///x.db"


def test_unreachable_database_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="cannot open scan store"):
        Store(f"postgresql://nobody@/nodb?host={tmp_path}&port=1")


def test_hostile_text_is_stored_on_both_backends(db_url):
    r = _result("nul.bin")
    r.findings[0].message = "constant 'ab\x00cd' compared"
    r.findings[0].evidence["constant"] = "ab\x00cd"
    with Store(db_url) as store:
        store.add_result(r, "p", "1")
        assert any("ab\\x00cd" in f.message for f in store.findings("p"))
