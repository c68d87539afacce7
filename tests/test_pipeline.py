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


def test_parallel_and_early_analysis_give_the_same_result_as_one_process(tmp_path):
    """Executables analysed while the extractor still runs (and in worker processes) must give
    exactly what a one-process scan gives."""
    import shutil
    import subprocess

    import pytest

    if shutil.which("mksquashfs") is None:
        pytest.skip("mksquashfs not installed")
    fixtures = Path(__file__).parent / "fixtures" / "binary"
    root = _rootfs(tmp_path / "root", "svc")
    (root / "usr" / "sbin").mkdir(parents=True)
    bins = sorted((fixtures / "bin").glob("*-x86_64")) + sorted((fixtures / "debian").glob("*_*_*"))
    for b in bins:
        shutil.copy(b, root / "usr" / "sbin" / b.name)
    image = tmp_path / "fw.sqfs"
    subprocess.run(["mksquashfs", str(root), str(image), "-comp", "gzip", "-all-root", "-noappend", "-quiet",
                    "-no-progress", "-all-time", "1600000000"], check=True)
    one = scan(image, PipelineOptions(jobs=1)).to_dict()
    two = scan(image, PipelineOptions(jobs=2)).to_dict()
    for key in ("findings", "observations", "inventory", "errors", "target"):
        assert one[key] == two[key], key
    assert any(f["path"].endswith("etc/passwd") for f in one["findings"])
    assert len([f for f in one["inventory"] if f["kind"] == "elf"]) == len(bins)


def test_early_analysis_takes_complete_executables_only(tmp_path):
    """Files whose recorded mtime was restored and whose size held still are analysed early, and
    their result is the one the normal path gives, with the final paths."""
    import os
    import shutil

    from nobackdoor import pipeline
    from nobackdoor.analyzers import ScanOptions, file_analyzers

    src = sorted((Path(__file__).parent / "fixtures" / "binary" / "bin").glob("*-x86_64"))[:3]
    tree = tmp_path / "fw.bin_extract" / "root"
    tree.mkdir(parents=True)
    for b in src:
        shutil.copy(b, tree / b.name)
        os.utime(tree / b.name, (1_600_000_000, 1_600_000_000))
    fresh = tree / "being-written"
    shutil.copy(src[0], fresh)  # mtime now: the extractor has not finished it
    (tree / "notes.txt").write_text("x")
    os.utime(tree / "notes.txt", (1_600_000_000, 1_600_000_000))
    opts = ScanOptions()
    pool = pipeline.FilePool(2)
    try:
        early = pipeline.EarlyAnalysis(pool, lambda: True, opts)
        early.POLL_EVERY = 0
        early.poll(tmp_path)
        assert early.futures == {}  # one look is not enough: the size must hold still
        early.poll(tmp_path)
        assert sorted(Path(p).name for p in early.futures) == sorted(b.name for b in src)
        for b in src:
            real = tree / b.name
            item = (real, f"fw.bin/root/{b.name}", f"root/{b.name}", "fw.bin", False)
            entry, results = early.take(item)
            expected_entry, expected = pipeline._process_one(*item, file_analyzers(opts))
            assert entry.path == expected_entry.path and entry.sha256 == expected_entry.sha256
            assert [r.to_dict() for r in results] == [r.to_dict() for r in expected]
        moved = (tree / src[0].name, "x", "elsewhere/name", "", False)
        assert early.take(moved) is None  # taken already / layout differs: analysed anew
    finally:
        pool.close()
