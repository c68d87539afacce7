"""The text report: target text is shown literally, never read as console markup."""
from __future__ import annotations

import dataclasses

from nobackdoor.models import ScanError
from nobackdoor.report import render


def test_markup_in_target_text_is_shown_literally(result):
    f = result.findings[0]
    result.findings[0] = dataclasses.replace(f, path="fw/[/bold]x/[red]etc/shadow",
                                             message="control [success=done default=ignore] and [/] here")
    result.errors.append(ScanError("a/[/link]b", "cannot read [bold]this[/bold]"))
    out = render("text", result)
    assert "fw/[/bold]x/[red]etc/shadow" in out
    assert "control [success=done default=ignore] and [/] here" in out
    assert "a/[/link]b: cannot read [bold]this[/bold]" in out
