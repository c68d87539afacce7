"""``--format cyclonedx``: the SBOM of the scanned target (CycloneDX 1.6 JSON), as ``nobackdoor sbom``."""
from __future__ import annotations

from ..models import ScanResult

FORMAT = "cyclonedx"


def render(result: ScanResult, args=None) -> str:
    from ..sbom import render as render_sbom

    return render_sbom(result)
