"""The HTML report: self-contained, escaped, and rendered by a real browser with its main sections."""
from __future__ import annotations

import re
import subprocess

import pytest

from nobackdoor.report import render

from .conftest import CHROMIUM

SECTIONS = ["verdict", "charts", "findings", "services", "observations", "compliance", "sbom", "problems"]


def test_self_contained_and_escaped(result):
    page = render("html", result)
    # nothing is fetched at view time: no scripts, no external resources, and a CSP forbidding them
    assert "default-src 'none'" in page
    assert not re.search(r"<script|<link|<iframe|<img|@import|url\(", page, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page, re.I)
    # hostile evidence from the target is shown as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page


def test_content(result):
    page = render("html", result)
    for sec in SECTIONS:
        assert f'id="{sec}"' in page
    assert "Verdict: 3 findings at or above high" in page
    # every finding, with its evidence
    for f in result.findings:
        assert f.message.replace("'", "&#x27;") in page
    assert "0x41a2c0: jal strcmp" in page  # disassembly
    assert 'class="cred">devpass-93' in page  # the matching credential, highlighted
    assert 'class="hex">37 65 33 61' in page  # magic bytes
    # boot services, SBOM
    assert "/sbin/getty" in page and "-p 8443" in page
    assert "busybox" in page and "pkg:generic/busybox@1.33.2" in page
    # the matrix never says passed
    assert "passed</span>" not in page and ">passed<" not in page
    assert 'class="status st-violated">violated' in page


def test_verdict_respects_fail_on(result):
    import argparse

    page = render("html", result, argparse.Namespace(fail_on="critical"))
    assert "Verdict: 2 findings at or above critical" in page
    result.findings = []
    page = render("html", result)
    # the sample result has a read error: no finding, but an incomplete scan is never a pass
    assert result.errors and "Verdict: Incomplete" in page and "not a clean bill" in page
    result.errors = []
    page = render("html", result)
    assert "No finding at or above high" in page and "not a proof of absence" in page


def _chromium(*args: str, cwd) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={cwd}/profile", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make setup installs it)")
def test_rendered_in_headless_chromium(result, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render("html", result), encoding="utf-8")
    dom = _chromium("--dump-dom", page.as_uri(), cwd=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    for sec in SECTIONS:
        assert re.search(rf'<section[^>]*id="{sec}"', html), sec
    assert "Requirement compliance matrix" in html
    assert html.count("<article") == len(result.findings)
    assert html.count("<svg") == 2
    statuses = re.findall(r'class="status st-[a-z]+">([^<]+)<', html)
    assert set(statuses) <= {"violated", "no violation found", "not checked"}
    assert len(statuses) >= 60 + 3  # one per clause, plus the legend
    shot = tmp_path / "report.png"
    run = _chromium("--hide-scrollbars", "--window-size=1280,2000", f"--screenshot={shot}", page.as_uri(), cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20000
