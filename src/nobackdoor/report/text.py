"""``--format text``: what a person reads in a terminal, grouped by severity."""
from __future__ import annotations

import io

from ..models import ScanResult, Severity
from ._paths import flow_steps

FORMAT = "text"

_COLOURS = {Severity.CRITICAL: "bold red", Severity.HIGH: "red", Severity.MEDIUM: "yellow",
            Severity.LOW: "cyan", Severity.INFO: "dim"}


def render(result: ScanResult, args=None) -> str:
    from rich.console import Console
    from rich.markup import escape as x  # text from the target ("[/x]" in a path) is never markup

    buf = io.StringIO()
    colour = bool(args is not None and getattr(args, "output", None) is None and _stdout_tty())
    con = Console(file=buf, force_terminal=colour, no_color=not colour, width=120, highlight=False)
    t = result.target
    con.print(f"[bold]nobackdoor {result.tool_version}[/]  {x(t.path)}  ({t.kind}, {t.size} bytes, sha256 {t.sha256[:16]}…)")
    con.print(f"{result.stats.get('files', 0)} files, {result.stats.get('seconds', 0)} s")
    if not result.complete:
        con.print(f"\n[bold red]INCOMPLETE SCAN[/]: {len(result.errors)} part(s) of the target were not read "
                  "(see Problems); no finding there is not a clean bill.")
    if not result.findings:
        con.print("\n[green]No findings.[/]" if result.complete else "\nNo findings in what was read.")
    for sev in Severity:
        group = [f for f in result.findings if f.severity == sev]
        if not group:
            continue
        con.print(f"\n[{_COLOURS[sev]}]{sev.value.upper()} ({len(group)})[/]")
        for f in group:
            where = f.path + (f":{f.line}" if f.line else f"@0x{f.offset:x}" if f.offset is not None else "")
            con.print(f"  [{_COLOURS[sev]}]{f.category:<16}[/] {x(where)}", soft_wrap=True)
            con.print(f"      {x(f.message)}  [dim]({f.rule})[/]", soft_wrap=True)
            for step in flow_steps(f):  # source -> ... -> sink, as the taint engine followed it
                con.print(f"        [dim]{step['line']:>5}[/]  {x(str(step['code']))}", soft_wrap=True)
    services = result.observations_of("service")
    if services:
        con.print(f"\n[bold]Boot services ({len(services)})[/]")
        for s in services:
            d = s.data
            con.print(f"  {x(str(d.get('program', '?'))):<28} {x(' '.join(map(str, d.get('args', [])))[:60]):<60} "
                      f"[dim]{x(s.path)}[/]", soft_wrap=True)
    decl = result.extra.get("declaration")
    if decl:
        con.print(f"\n[bold]Declaration[/] {x(str(decl.get('file', '')))}: {decl.get('undeclared_findings', 0)} undeclared, "
                  f"{decl.get('accepted_findings', 0)} accepted finding(s)", soft_wrap=True)
        for item in decl.get("not_observed") or []:
            con.print(f"  declared but not observed: {item.get('section')}: {x(str(item.get('entry')))}", soft_wrap=True)
    for acc in result.extra.get("accepted") or []:
        why = acc.get("acceptance") or {}
        con.print(f"  accepted: {acc.get('severity', '?')} {acc.get('rule', '?')} {x(str(acc.get('path', '')))}"
                  f"  [dim]{x(str(why.get('reason', '')))} ({x(str(why.get('reviewer', '?')))})[/]", soft_wrap=True)
    if result.errors:
        con.print(f"\n[bold]Problems ({len(result.errors)})[/]")
        for e in result.errors:
            left = f" [dim]({x(e.skipped)}, {e.bytes} bytes)[/]" if e.skipped and e.bytes is not None else ""
            con.print(f"  {x(e.path or '-')}: {x(e.message)}{left}", soft_wrap=True)
    counts = {s.value: sum(1 for f in result.findings if f.severity == s) for s in Severity}
    con.print("\n" + ", ".join(f"{n} {k}" for k, n in counts.items() if n) if result.findings else "")
    return buf.getvalue()


def _stdout_tty() -> bool:
    import sys

    return sys.stdout.isatty()
