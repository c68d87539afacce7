"""The committed sample of the blind variant corpus (variant 0 of every class of `train`, see
bench/variants/README.md): its recall must not drop and its clean twins must stay silent at high,
and the cheap evasions of bench/evasion.py must not lose what it finds."""
from __future__ import annotations

import importlib.util
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "bench" / "variants" / "sample"
EXE = str(Path(sys.executable).with_name("nobackdoor"))


def _load(name: str):
    sys.path.insert(0, str(REPO / "bench"))
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sample_recall_does_not_drop():
    score = _load("score_variants")
    labels = json.loads((SAMPLE / "labels.json").read_text())
    expected = json.loads((SAMPLE / "expected.json").read_text())

    def run(entry):
        data, err, _ = score.scan(EXE, SAMPLE / entry["artifact"], 600)
        assert data is not None, (entry["artifact"], err)
        return entry, data["findings"]

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, labels))
    found = sorted(bd["id"] for entry, findings in results for bd in entry["backdoors"]
                   if score.found(bd, findings) is not None)
    alarms = sorted(entry["artifact"] for entry, findings in results if not entry["backdoors"] and
                    any(score.SEVERITY.get(f["severity"], 0) >= score.SEVERITY["high"] for f in findings))
    assert set(expected["found"]) <= set(found), sorted(set(expected["found"]) - set(found))
    assert len(alarms) <= expected["false_alarms"], alarms


def test_evasions_keep_what_the_sample_finds(tmp_path):
    evasion = _load("evasion")
    out = tmp_path / "evasion.json"
    evasion.main(["--labels", str(SAMPLE / "labels.json"), "--transform", "sstrip", "long-line", "nest",
                  "passwd-junk", "symlink-decoy", "--json", str(out)])
    doc = json.loads(out.read_text())
    for name, row in doc["transforms"].items():
        assert row["silent"] == 0, name
        assert row["kept"] == row["tried"], (name, row)
