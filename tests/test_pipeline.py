"""Pipeline mechanics: analyzer discovery, rule metadata, trees, determinism, stable fingerprints."""
from __future__ import annotations

from pathlib import Path

from nobackdoor.analyzers import file_analyzers, tree_analyzers
from nobackdoor.models import Finding
from nobackdoor.pipeline import PipelineOptions, scan
from nobackdoor.ruleset import all_rules, requirements, rulepack_digest


def _rootfs(root: Path, alias: str) -> Path:
    (root / "etc").mkdir(parents=True)
    (root / "bin").mkdir()
    (root / "etc" / "passwd").write_text(f"root:x:0:0::/root:/bin/sh\n{alias}:x:0:0::/root:/bin/sh\n")
    (root / "etc" / "shadow").write_text(f"root:*:1::::::\n{alias}:*:1::::::\n")
    return root


def test_analyzers_are_discovered():
    names = {a.name for a in tree_analyzers()} | {a.name for a in file_analyzers()}
    assert "accounts" in names


def test_every_rule_maps_to_known_requirements():
    reqs = requirements()
    assert len(reqs) >= 50
    for r in all_rules().values():
        assert r.requirements, f"{r.id} has no requirement mapping"
        assert set(r.requirements) <= set(reqs)
    assert len(rulepack_digest()) == 64


def test_rootfs_nested_in_a_subdirectory_is_found(tmp_path):
    _rootfs(tmp_path / "target" / "rootfs", "svc")
    result = scan(tmp_path / "target", PipelineOptions(jobs=1))
    hits = [f for f in result.findings if f.rule == "accounts.uid0-alias"]
    assert [f.path for f in hits] == ["rootfs/etc/passwd"]
    assert hits[0].evidence["_relpath"] == "etc/passwd"


def test_scan_is_deterministic_and_fingerprints_ignore_the_container_chain(tmp_path):
    a = scan(_rootfs(tmp_path / "v1", "svc"), PipelineOptions(jobs=1))
    _rootfs(tmp_path / "v2" / "image", "svc")
    b = scan(tmp_path / "v2", PipelineOptions(jobs=1))
    fa = [f for f in a.findings if f.rule == "accounts.uid0-alias"]
    fb = [f for f in b.findings if f.rule == "accounts.uid0-alias"]
    assert fa[0].path != fb[0].path
    assert fa[0].fingerprint == fb[0].fingerprint
    again = scan(tmp_path / "v1", PipelineOptions(jobs=1))
    assert [f.to_dict() for f in again.findings] == [f.to_dict() for f in a.findings]


def test_finding_round_trips_through_json():
    f = Finding("accounts.uid0-alias", "account", "critical", "x/etc/passwd", "m", line=3, evidence={"user": "u"},
                requirements=["3gpp-33117-4.2.3.4.2.2"])
    assert Finding.from_dict(f.to_dict()).to_dict() == f.to_dict()
