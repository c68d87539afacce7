"""rebuild-check: reproducible rebuild and function-level comparison of delivered binaries."""
from __future__ import annotations

import json
import platform
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from elftools.elf.elffile import ELFFile

from nobackdoor.release.rebuild import RebuildOptions, build, rebuild_check

from ..conftest import run_cli


@pytest.fixture(scope="module")
def two_builds(cproj, tmp_path_factory):
    work = tmp_path_factory.mktemp("rebuild")
    builds = [build(cproj, RebuildOptions("make"), work / f"b{i}") for i in range(2)]
    assert all(b.returncode == 0 for b in builds), builds[0].log
    for i, b in enumerate(builds):
        shutil.copy(b.source / "toolx", work / f"toolx-{i}")
        (work / f"dir-{i}").write_text(str(b.source))
    return work


def test_c_project_built_twice_gives_identical_bits(two_builds):
    # the two builds ran in different directories: -ffile-prefix-map must hide that (debug info has paths)
    a, b = (two_builds / "toolx-0").read_bytes(), (two_builds / "toolx-1").read_bytes()
    assert a == b
    for i in range(2):
        assert (two_builds / f"dir-{i}").read_text().encode() not in a
    assert b"/build" in a  # the debug information names the mapped directory


def test_identical_delivery_has_no_findings(two_builds, cproj, tmp_path):
    delivered = tmp_path / "toolx"
    shutil.copy(two_builds / "toolx-1", delivered)
    result = rebuild_check(cproj, delivered, RebuildOptions("make"))
    assert result.findings == []
    assert result.extra["rebuild"]["files"] == [{"path": "toolx", "rebuilt": "toolx", "status": "identical"}]
    assert result.target.kind == "binary"


def _patch_function(binary: Path, out: Path, name: str) -> None:
    data = bytearray(binary.read_bytes())
    with open(binary, "rb") as fh:
        elf = ELFFile(fh)
        sym = next(s for s in elf.get_section_by_name(".symtab").iter_symbols() if s.name == name)
        text = elf.get_section_by_name(".text")
        off = sym["st_value"] - text["sh_addr"] + text["sh_offset"]
    if platform.machine() in ("x86_64", "AMD64"):
        data[off:off + 6] = bytes([0xB8, 1, 0, 0, 0, 0xC3])  # mov eax, 1; ret: accept every token
    else:
        data[off + 4] ^= 0xFF
    out.write_bytes(data)
    out.chmod(0o755)


@pytest.mark.parametrize("stripped", [False, True])
def test_patched_function_is_named(two_builds, cproj, tmp_path, stripped):
    delivered = tmp_path / "toolx"
    _patch_function(two_builds / "toolx-0", delivered, "check_token")
    if stripped:
        if shutil.which("strip") is None:
            pytest.skip("needs strip")
        subprocess.run(["strip", str(delivered)], check=True)
    result = rebuild_check(cproj, delivered, RebuildOptions("make"))
    functions = [f for f in result.findings if f.rule == "rebuild.function-differs"]
    assert [f.evidence["function"] for f in functions] == ["check_token"]
    f = functions[0]
    assert f.category == "build-tampering" and f.severity.value == "high"
    assert "check_token" in f.message and f.path == "toolx"
    assert f.evidence["delivered_code"] != f.evidence["rebuilt_code"]
    if stripped:  # names come from the rebuild's symbol table, the layout being the same
        assert f.evidence["symbols"].startswith("rebuilt .symtab")
    # nothing else is reported: the rest of the binary is the rebuilt one (stripping only drops metadata)
    assert [x for x in result.findings if x.rule != "rebuild.function-differs"] == []


def test_cli_rebuild_check(two_builds, cproj, tmp_path):
    delivered = tmp_path / "toolx"
    _patch_function(two_builds / "toolx-0", delivered, "parse_level")
    proc = run_cli("rebuild-check", "--source", str(cproj), "--build", "make", "--delivered", str(delivered),
                   "--format", "json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    jsonschema.validate(doc, json.loads((Path(__file__).resolve().parent.parent / "contract_schema.json").read_text()))
    assert [f["evidence"]["function"] for f in doc["findings"]] == ["parse_level"]
    proc = run_cli("rebuild-check", "--source", str(cproj), "--build", "exit 3", "--delivered", str(delivered))
    assert proc.returncode == 2 and "build command failed" in proc.stderr
