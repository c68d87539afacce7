"""Release-to-release diff: the security delta, findings appeared/resolved by fingerprint, output
formats and exit status, on hand-made results and on two small root filesystems."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from nobackdoor.diff import compare, render_html, render_text
from nobackdoor.models import FileEntry, FileKind, Observation, ScanResult, Severity, Target
from nobackdoor.ruleset import rule
from nobackdoor.saved import load_result

from tests.declaration import rootfs




def _entry(container: str, rel: str, sha: str, mode: int = 0o644, kind: FileKind = FileKind.TEXT) -> FileEntry:
    return FileEntry(path=f"{container}/squashfs-root/{rel}", relpath=rel, root=f"{container}/squashfs-root",
                     realpath=Path("/nonexistent"), size=1, sha256=sha, kind=kind, mode=mode)


def _release(name: str, *, plant: bool) -> ScanResult:
    """Version 1.0 and 1.1 of a product; 1.1 (plant=True) adds a few things."""
    c = f"{name}.bin"
    p = f"{c}/squashfs-root/"
    r = ScanResult(target=Target(c, hashlib.sha256(name.encode()).hexdigest(), 10, "firmware"))
    r.files = [_entry(c, "etc/passwd", "a1"), _entry(c, "etc/shadow", "b2" if plant else "b1"),
               _entry(c, "usr/sbin/mgmtd", "c2" if plant else "c1", kind=FileKind.ELF),
               _entry(c, "usr/bin/ping", "d1", mode=0o4755 if plant else 0o755, kind=FileKind.ELF),
               _entry(c, "etc/banner", "e1")]
    if plant:
        r.files.append(_entry(c, "etc/vendor/agent.pem", "f1", kind=FileKind.KEY))
    else:
        r.files.append(_entry(c, "etc/old.conf", "g1"))
    r.observations = [
        Observation("account", p + "etc/passwd", {"user": "root", "uid": "0", "shell": "/bin/sh",
                                                  "password": "empty" if plant else "locked"}),
        Observation("service", p + "etc/init.d/rcS", {"program": "/usr/sbin/mgmtd", "program_path": "usr/sbin/mgmtd",
                                                      "args": ["-d"], "trigger": "boot", "source": "etc/init.d/rcS:3"}),
        Observation("binary", p + "usr/sbin/mgmtd", {"constants": ["show", "set"] + (["xyzzy-open"] if plant else []),
                                                     "sinks": ["strcmp"] + (["popen"] if plant else [])}),
    ]
    if plant:
        r.observations += [
            Observation("service", p + "etc/inittab", {"program": "/bin/sh", "program_path": "bin/busybox", "args": [],
                                                       "trigger": "respawn", "shell": True, "source": "etc/inittab:4"}),
            Observation("listener", p + "usr/sbin/mgmtd", {"port": 7171, "protocol": "udp",
                                                           "program_path": "usr/sbin/mgmtd", "source": "binary"}),
            Observation("endpoint", p + "etc/init.d/rcS", {"url": "http://updates.vendor.example/run.sh",
                                                           "context": "fetch-and-run"}),
            Observation("key", p + "etc/vendor/agent.pem", {"type": "ed25519", "fingerprint": "SHA256:xyz",
                                                            "private": True, "purpose": "private-key"}),
        ]
    common = rule("accounts.uid0-alias").finding(p + "etc/passwd", "same in both", evidence={"user": "op"})
    gone = rule("accounts.empty-password").finding(p + "etc/banner", "fixed in 1.1", evidence={"user": "guest"})
    new = rule("accounts.empty-password").finding(p + "etc/shadow", "root empty", evidence={"user": "root"})
    r.findings = [common, new] if plant else [common, gone]
    for f in r.findings:
        f.evidence["_relpath"] = f.path.split("squashfs-root/", 1)[1]
    return r


def test_security_delta_of_a_hand_made_update():
    d = compare(_release("fw-1.0", plant=False), _release("fw-1.1", plant=True))
    assert d.files.added == ["etc/vendor/agent.pem"] and d.files.removed == ["etc/old.conf"]
    assert d.files.changed == ["etc/shadow", "usr/sbin/mgmtd"] and d.files.mode_changed == ["usr/bin/ping"]
    by = {(x.section, x.change): x for x in d.delta}
    acc = by[("accounts", "changed")]
    assert acc.finding.severity == Severity.HIGH and "password locked -> empty" in acc.summary
    assert acc.path.endswith("etc/shadow")  # a password change is shown where the password lives
    console = by[("services", "added")]
    assert console.finding.rule == "diff.new-console" and console.finding.category == "debug-interface"
    assert console.finding.line == 4
    assert by[("listeners", "added")].finding.severity == Severity.MEDIUM
    assert by[("setuid", "added")].path.endswith("usr/bin/ping")
    consts = [x for x in d.delta if x.finding and x.finding.rule == "diff.new-comparison-constant"]
    assert len(consts) == 1 and "'xyzzy-open'" in consts[0].summary
    assert consts[0].finding.evidence["new_constants"] == ["xyzzy-open"]
    sinks = [x for x in d.delta if x.finding and x.finding.rule == "diff.new-sink"]
    assert sinks[0].finding.category == "hidden-command" and "popen" in sinks[0].summary
    ep = by[("endpoints", "added")].finding
    assert ep.category == "phone-home" and ep.severity == Severity.HIGH
    key = by[("keys", "added")].finding
    assert key.category == "hardcoded-secret" and key.severity == Severity.HIGH
    assert [f.message for f in d.appeared] == ["root empty"]
    assert [f.message for f in d.resolved] == ["fixed in 1.1"]
    assert d.fails("high") and d.max_severity() == Severity.CRITICAL  # the appeared empty-password finding


def test_document_is_the_contract_shape_with_resolved():
    d = compare(_release("fw-1.0", plant=False), _release("fw-1.1", plant=True))
    doc = json.loads(json.dumps(d.to_document()))
    schema = json.loads((Path(__file__).parent.parent / "contract_schema.json").read_text())
    import jsonschema

    jsonschema.validate(doc, schema)
    assert doc["target"]["path"] == "fw-1.1.bin" and doc["baseline"]["path"] == "fw-1.0.bin"
    rules = {f["rule"] for f in doc["findings"]}
    assert {"accounts.empty-password", "diff.new-console", "diff.new-endpoint", "diff.new-key"} <= rules
    assert "accounts.uid0-alias" not in rules  # in both versions: not something the new one adds
    assert [f["message"] for f in doc["resolved"]] == ["fixed in 1.1"]
    assert doc["findings"][0]["severity"] in ("critical", "high")  # most severe first
    assert "<td>" in render_html(d) and "Findings that went away: 1" in render_text(d)


def test_no_change_means_no_delta():
    d = compare(_release("fw-1.0", plant=False), _release("fw-1.0b", plant=False))
    assert d.delta == [] and d.findings() == [] and d.resolved == []
    assert d.files.changed == [] and not d.fails("info")


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    base = tmp_path_factory.mktemp("diff-twins")
    return rootfs.build(base / "fw-2.0"), rootfs.build(base / "fw-2.1", planted=True)


def test_diff_of_two_root_filesystems_names_the_plant(twins, run):
    old, new = twins
    proc = run("diff", str(old), str(new), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    high = [f for f in doc["findings"] if f["severity"] in ("high", "critical")]
    assert high, doc["findings"]
    # every serious addition is about the plant: the telnetd line in rcS or the new uid-0 account
    for f in high:
        assert f["path"].endswith(("etc/init.d/rcS", "etc/passwd", "etc/shadow")), f
    svc = [f for f in doc["findings"] if f["rule"] == "diff.new-service"]
    assert svc and "telnetd" in svc[0]["message"] and svc[0]["severity"] == "high"
    assert any(f["rule"] == "diff.new-account" and "fieldsvc" in f["message"] for f in doc["findings"])
    assert sorted(doc["delta"]["files"]["changed"]) == ["etc/init.d/rcS", "etc/passwd", "etc/shadow"]

    back = run("diff", str(new), str(old), "--format", "json")
    doc = json.loads(back.stdout)
    assert back.returncode == 0 and [f for f in doc["findings"] if f["severity"] in ("high", "critical")] == []
    assert {f["rule"] for f in doc["resolved"]} >= {"accounts.uid0-alias"}


def test_saved_results_diff_like_targets(twins, run, tmp_path):
    old, new = twins
    saved = []
    for target in (old, new):
        out = tmp_path / f"{target.name}.json"
        assert run("scan", str(target), "--format", "json", "-o", str(out)).returncode in (0, 1)
        saved.append(out)
    loaded = load_result(saved[1])
    fresh = json.loads(saved[1].read_text())["findings"]
    assert [f.fingerprint for f in loaded.findings] == [f["fingerprint"] for f in fresh]
    from_files = json.loads(run("diff", str(saved[0]), str(saved[1]), "--format", "json").stdout)
    from_targets = json.loads(run("diff", str(old), str(new), "--format", "json").stdout)
    fps = lambda doc: sorted(f["fingerprint"] for f in doc["findings"] if not f["rule"].startswith("diff.new-account"))
    assert fps(from_files) == fps(from_targets)
    assert run("diff", str(saved[0]), str(saved[1]), "--fail-on", "critical").returncode == 1  # uid-0 alias
    html = run("diff", str(saved[0]), str(saved[1]), "--format", "html", "-o", str(tmp_path / "d.html"))
    assert html.returncode == 1 and "telnetd" in (tmp_path / "d.html").read_text()


def test_unreadable_target_is_exit_2(run, tmp_path):
    proc = run("diff", str(tmp_path / "missing"), str(tmp_path / "missing2"))
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_single_binary_renamed_between_releases_keeps_finding_identity():
    def release(name: str) -> ScanResult:
        r = ScanResult(target=Target(name, "0", 1, "binary"))
        r.files = [FileEntry(path=name, relpath=name, root="", realpath=Path("/x"), size=1, sha256=name,
                             kind=FileKind.ELF)]
        f = rule("accounts.uid0-alias").finding(name, "same finding", evidence={"k": "v", "_relpath": name})
        r.findings = [f]
        return r
    d = compare(release("agent-3.1"), release("agent-3.2"))
    assert d.appeared == [] and d.resolved == []
