"""Run the configuration analyzers on a fixture root filesystem, the way the pipeline does."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from nobackdoor.analyzers.accounts import AccountsAnalyzer
from nobackdoor.analyzers.base import Tree, TreeContext
from nobackdoor.analyzers.phonehome import PhoneHomeAnalyzer
from nobackdoor.analyzers.scripts_obfuscation import ScriptObfuscationAnalyzer
from nobackdoor.analyzers.secrets import SecretsAnalyzer
from nobackdoor.analyzers.services import ServicesAnalyzer
from nobackdoor.inventory import read_entry
from nobackdoor.models import Finding, Observation, ScanError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "config"
ROOTFS = FIXTURES / "rootfs"


class Result:
    def __init__(self, items: list) -> None:
        self.findings = [i for i in items if isinstance(i, Finding)]
        self.observations = [i for i in items if isinstance(i, Observation)]
        self.errors = [i for i in items if isinstance(i, ScanError)]

    def rules(self) -> set[str]:
        return {f.rule for f in self.findings}

    def by_rule(self, rule_id: str) -> list[Finding]:
        return [f for f in self.findings if f.rule == rule_id]

    def of(self, kind: str) -> list[dict]:
        return [dict(o.data, path=o.path) for o in self.observations if o.kind == kind]

    def high(self) -> list[Finding]:
        return [f for f in self.findings if f.severity.rank >= 3]


def analyze_tree(root: Path, file_analyzers=(), tree_analyzers=()) -> Result:
    """Inventory every file under ``root``, run the file analyzers on the files they want, then the
    tree analyzers in order (as the pipeline does); the result keeps the tree context as ``ctx``."""
    entries = {}
    dirs = set()
    items: list = []
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            rel = os.path.relpath(os.path.join(dirpath, d), root)
            if os.path.islink(os.path.join(dirpath, d)):
                filenames.append(d)
            else:
                dirs.add(rel)
        for name in filenames:
            real = Path(dirpath) / name
            rel = os.path.relpath(real, root)
            entry, data = read_entry(real, rel, rel, "")
            entries[rel] = entry
            for analyzer in file_analyzers:
                if data is not None and analyzer.wants(entry):
                    items.extend(analyzer.analyze(entry, data))
    tree = Tree(root="", files=entries, dirs=dirs)
    observations = [i for i in items if isinstance(i, Observation)]
    findings = [i for i in items if isinstance(i, Finding)]
    ctx = TreeContext(trees=[tree], observations=observations, findings=findings, options=None)  # type: ignore[arg-type]
    for analyzer in tree_analyzers:
        items.extend(analyzer.analyze(ctx))
    result = Result(items)
    result.ctx = ctx  # type: ignore[attr-defined]
    return result


def analyze_rootfs(root: Path) -> Result:
    """The secrets file analyzer, then the configuration tree analyzers."""
    return analyze_tree(root, (SecretsAnalyzer(),), (AccountsAnalyzer(), ServicesAnalyzer(), PhoneHomeAnalyzer(),
                                                     ScriptObfuscationAnalyzer()))


@pytest.fixture(scope="session")
def rootfs():
    cache: dict[str, Result] = {}

    def get(name: str) -> Result:
        if name not in cache:
            path = ROOTFS / name if (ROOTFS / name).exists() else FIXTURES / name
            assert path.is_dir(), f"fixture {name} missing: run tests/fixtures/config/build_fixtures.py"
            cache[name] = analyze_rootfs(path)
        return cache[name]
    return get
