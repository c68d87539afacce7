"""A constant one of many that a function compares input with (a configuration parser, a command
dispatcher) is reported at medium with the count as evidence; a lone magic stays high."""
from __future__ import annotations

from nobackdoor.analyzers.binary.analyzer import KEYWORD_TABLE, BinaryAnalyzer, Comparison, Decision, Report
from nobackdoor.analyzers.binary.ranking import rank
from nobackdoor.models import FileEntry, FileKind


def _findings(keywords: int):
    raw = b"Qx7-vendor!diag"
    comp = Comparison(function=0x1000, addr=0x1010, routine="strcmp", raw=raw, ranked=rank(raw))
    report = Report(arch="mips", comparisons=[comp],
                    decisions=[Decision("binary.auth-magic-value", comp, [], 0x1000, keywords)])
    entry = FileEntry("fw/usr/sbin/d", "usr/sbin/d", "", None, 1, "0" * 64, FileKind.ELF, 0o755)
    return [r for r in BinaryAnalyzer()._results(entry, report) if getattr(r, "rule", "").startswith("binary.")]


def test_lone_magic_value_keeps_its_severity():
    (f,) = _findings(1)
    assert f.severity.value == "high" and "keywords_in_function" not in f.evidence


def test_one_of_a_keyword_table_is_medium_with_the_count():
    (f,) = _findings(KEYWORD_TABLE + 5)
    assert f.severity.value == "medium"
    assert f.evidence["keywords_in_function"] == KEYWORD_TABLE + 5
    assert "parser or dispatcher" in f.message
