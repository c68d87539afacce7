"""ELF files without (or with bogus) section headers are analysed from their program headers and
dynamic segment: every plant found in the normal build is found in the sstripped one too."""
from __future__ import annotations

import importlib.util
import tarfile
from pathlib import Path

import pytest

from nobackdoor.analyzers.binary import analyzer

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / "tests" / "fixtures" / "binary" / "bin"
_spec = importlib.util.spec_from_file_location("evasion_transforms", REPO / "bench" / "evasion_transforms.py")
transforms = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(transforms)

# the big-endian MIPS fixtures are linked without a C library (no dynamic segment to read imports from)
DYNAMIC = sorted(p for p in BIN.iterdir() if p.is_file() and not p.name.endswith((".tar.xz", "-mipsbe")))


def _rules(data: bytes) -> list[str]:
    return sorted(d.rule_id for d in analyzer.analyse(data).decisions)


@pytest.mark.parametrize("transform", ["sstrip", "bogus_section_offset"])
@pytest.mark.parametrize("path", DYNAMIC, ids=lambda p: p.name)
def test_dynamic_plants_survive_missing_section_headers(path: Path, transform: str) -> None:
    data = path.read_bytes()
    assert _rules(getattr(transforms, transform)(data)) == _rules(data)


@pytest.mark.parametrize("arch", ["x86_64", "aarch64", "ppc64le", "mipsel", "armhf"])
def test_static_plants_survive_sstrip(arch: str, tmp_path: Path) -> None:
    with tarfile.open(BIN / f"static-{arch}.tar.xz") as tf:
        tf.extractall(tmp_path, filter="data")
    planted = [p for p in sorted(tmp_path.rglob("*")) if p.is_file() and "-clean-" not in p.name]
    assert planted
    for path in planted:
        data = path.read_bytes()
        want = _rules(data)
        assert want, path.name
        assert _rules(transforms.sstrip(data)) == want, path.name
