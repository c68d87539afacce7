"""``--format html``: one self-contained page a regulator can read and archive.

No script, no external resource (a Content-Security-Policy forbids any fetch at view time), charts
as inline SVG. Everything that comes from the target is escaped: the target is hostile and its
strings end up in this page.

Sections: verdict, charts (findings by severity and by category), every finding with its evidence,
the boot services, other observations, the requirement compliance matrix, the SBOM, problems.
"""
from __future__ import annotations

import datetime as _dt
import html
import json
import re
from collections.abc import Iterable
from typing import Any

from ..models import CATEGORIES, Finding, ScanResult, Severity
from ..ruleset import all_rules, rulepack_digest
from . import compliance
from ._paths import Chains

FORMAT = "html"

SEV_COLOUR = {Severity.CRITICAL: "#8e0000", Severity.HIGH: "#d32f2f", Severity.MEDIUM: "#ef6c00",
              Severity.LOW: "#1565c0", Severity.INFO: "#607d8b"}
STATUS_CLASS = {compliance.VIOLATED: "st-violated", compliance.NO_VIOLATION: "st-clear",
                compliance.NOT_CHECKED: "st-unchecked"}
# evidence keys shown as a code block (multi-line text is shown that way too)
_BLOCK_KEYS = re.compile(r"disassembl|decoded|payload|script|snippet|context|code|command|asm|listing|source_line|excerpt")
_HEX_KEYS = re.compile(r"hex|bytes|magic")
_SECRET_KEYS = re.compile(r"credential|password|passwd|secret|token|^pin$|^key$|private_key|key_material")
MAX_TEXT = 20000  # characters of one evidence value shown; the JSON report has all of it
MAX_ITEMS = 200


def e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def render(result: ScanResult, args=None) -> str:
    fail_on = Severity.parse(getattr(args, "fail_on", None) or "high")
    rows = compliance.matrix(result)
    parts = [
        _head(result),
        '<body><div class="page">',
        _header(result),
        _verdict(result, fail_on, rows),
        _nav(result),
        _charts(result),
        _findings(result),
        _declaration(result),
        _services(result),
        _observations(result),
        _matrix(rows),
        _sbom(result),
        _problems(result),
        _footer(result),
        "</div></body></html>\n",
    ]
    return "\n".join(parts)


# ------------------------------------------------------------------ page frame


def _head(result: ScanResult) -> str:
    name = _basename(result.target.path)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="nobackdoor {e(result.tool_version)}">
<title>nobackdoor report: {e(name)}</title>
<style>{_CSS}</style></head>"""


def _header(result: ScanResult) -> str:
    t = result.target
    stats = result.stats
    rows = [
        ("Target", f"<code>{e(t.path)}</code>"),
        ("Kind", e(t.kind or "-")),
        ("Size", f"{_human(t.size)} ({t.size:,} bytes)"),
        ("SHA-256", f"<code class=hash>{e(t.sha256)}</code>"),
        ("Files analysed", f"{stats.get('files', len(result.files)):,}"),
        ("Scan time", f"{stats.get('seconds', '-')} s"),
        ("Tool", f"nobackdoor {e(result.tool_version)}"),
        ("Rule pack", f"<code class=hash>sha256:{e(rulepack_digest())}</code>"),
        ("Report generated", _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
    ]
    cells = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return (f'<header><h1>Back-door analysis report</h1><p class="sub">{e(_basename(t.path))}</p>'
            f'<table class="meta">{cells}</table></header>')


def _verdict(result: ScanResult, fail_on: Severity, rows: list[compliance.ClauseStatus]) -> str:
    counts = _severity_counts(result.findings)
    blocking = [f for f in result.findings if f.severity.rank >= fail_on.rank]
    summary = compliance.summary(rows)
    chips = "".join(f'<span class="chip" style="background:{SEV_COLOUR[s]}">{counts[s]} {s.value}</span>'
                    for s in Severity if counts[s])
    if blocking:
        cls, title = "fail", f"{len(blocking)} finding{'s' if len(blocking) != 1 else ''} at or above {fail_on.value}"
        text = ("The software contains code, configuration or data that gives access or runs commands "
                "outside the documented, authenticated paths. Each finding below shows where and why.")
    elif not result.complete:
        cls, title = "incomplete", f"Incomplete: {len(result.errors)} part(s) of the target were not read"
        text = (f"No finding at or above {fail_on.value} in what was read, but parts of the target were left "
                "unread (see the problems at the end). An incomplete scan is not a clean bill.")
    else:
        cls, title = "pass", f"No finding at or above {fail_on.value}"
        text = ("No back door was found by the checks that ran. This is not a proof of absence: the "
                "compliance matrix shows which requirement clauses were checked and which were not.")
    return (f'<section id="verdict" class="verdict {cls}"><h2>Verdict: {e(title)}</h2><p>{text}</p>'
            f'<p>{chips or "<span class=chip-none>no findings</span>"}</p>'
            f'<p class="small">Requirement clauses: <b>{summary[compliance.VIOLATED]}</b> violated, '
            f'<b>{summary[compliance.NO_VIOLATION]}</b> with no violation found, '
            f'<b>{summary[compliance.NOT_CHECKED]}</b> not checked.'
            f'{" Problems while reading the target: " + str(len(result.errors)) + " (see the end)." if result.errors else ""}'
            f"</p></section>")


def _nav(result: ScanResult | None = None) -> str:
    declared = result is not None and bool(result.extra.get("declaration"))
    links = [("charts", "Overview"), ("findings", "Findings"), *([("declaration", "Declaration")] if declared else []),
             ("services", "Boot services"),
             ("observations", "Accounts, listeners, endpoints"), ("compliance", "Compliance matrix"),
             ("sbom", "Components (SBOM)"), ("problems", "Problems")]
    return '<nav>' + " ".join(f'<a href="#{a}">{t}</a>' for a, t in links) + "</nav>"


def _footer(result: ScanResult) -> str:
    return ('<footer>Produced by nobackdoor ' + e(result.tool_version) + '. The JSON report (<code>--format json</code>) '
            'holds the same findings with complete evidence; <code>nobackdoor attest</code> signs a report and binds '
            'it to this target, <code>nobackdoor verify</code> checks such a signature.</footer>')


# ------------------------------------------------------------------ charts (inline SVG)


def _charts(result: ScanResult) -> str:
    counts = _severity_counts(result.findings)
    return ('<section id="charts"><h2>Overview</h2><div class="charts">'
            f'<figure><figcaption>Findings by severity</figcaption>{_severity_chart(counts)}</figure>'
            f'<figure><figcaption>Findings by category and severity</figcaption>{_category_chart(result.findings)}</figure>'
            "</div></section>")


def _severity_chart(counts: dict[Severity, int]) -> str:
    width, height, pad, bar = 360, 220, 30, 46
    top = max(max(counts.values()), 1)
    parts = [f'<svg role="img" aria-label="findings by severity" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">']
    base = height - pad
    parts.append(f'<line x1="{pad}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#999"/>')
    for i, sev in enumerate(Severity):
        n = counts[sev]
        h = round((height - 2 * pad - 10) * n / top)
        x = pad + 10 + i * (bar + 18)
        parts.append(f'<rect x="{x}" y="{base - h}" width="{bar}" height="{max(h, 1)}" fill="{SEV_COLOUR[sev]}">'
                     f"<title>{n} {sev.value}</title></rect>")
        parts.append(f'<text x="{x + bar / 2}" y="{base - h - 5}" text-anchor="middle" class="num">{n}</text>')
        parts.append(f'<text x="{x + bar / 2}" y="{base + 16}" text-anchor="middle" class="lbl">{sev.value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _category_chart(findings: list[Finding]) -> str:
    cats = list(CATEGORIES)
    extra = sorted({f.category for f in findings} - set(cats))
    cats += extra
    row, label_w, width = 22, 130, 560
    height = row * len(cats) + 24
    top = max([sum(1 for f in findings if f.category == c) for c in cats] + [1])
    scale = (width - label_w - 40) / top
    parts = [f'<svg role="img" aria-label="findings by category" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">']
    for i, cat in enumerate(cats):
        y = 6 + i * row
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" class="lbl">{e(cat)}</text>')
        x = label_w
        total = 0
        for sev in Severity:
            n = sum(1 for f in findings if f.category == cat and f.severity == sev)
            if not n:
                continue
            w = n * scale
            parts.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{row - 6}" fill="{SEV_COLOUR[sev]}">'
                         f"<title>{n} {sev.value} {e(cat)}</title></rect>")
            x += w
            total += n
        parts.append(f'<text x="{x + 5:.1f}" y="{y + 14}" class="num{"" if total else " zero"}">{total}</text>')
    parts.append(f'<line x1="{label_w}" y1="2" x2="{label_w}" y2="{height - 16}" stroke="#999"/>')
    parts.append("</svg>")
    return "".join(parts)


# ------------------------------------------------------------------ findings


def _findings(result: ScanResult) -> str:
    if not result.findings:
        return '<section id="findings"><h2>Findings</h2><p class="none">No findings.</p></section>'
    rules = all_rules()
    chains = Chains(result)
    out = [f'<section id="findings"><h2>Findings ({len(result.findings)})</h2>']
    order = {c: i for i, c in enumerate(CATEGORIES)}
    by_cat: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_cat.setdefault(f.category, []).append(f)
    n = 0
    first_of_rule: set[str] = set()
    for cat in sorted(by_cat, key=lambda c: (order.get(c, 99), c)):
        group = sorted(by_cat[cat], key=lambda f: (-f.severity.rank, f.path, f.line or 0))
        out.append(f'<h3 class="cat">{e(cat)} <span class="count">{len(group)}</span>'
                   f'<span class="catdesc">{e(CATEGORIES.get(cat, ""))}</span></h3>')
        for f in group:
            n += 1
            if f.rule not in first_of_rule:  # the compliance matrix links to a rule's first finding
                first_of_rule.add(f.rule)
                out.append(f'<a id="rule-{_anchor(f.rule)}"></a>')
            out.append(_finding(f, n, rules.get(f.rule), chains))
    out.append("</section>")
    return "\n".join(out)


def _finding(f: Finding, n: int, rule, chains: Chains) -> str:
    where = e(f.path)
    if f.line:
        where += f'<span class="pos">line {f.line}</span>'
    elif f.offset is not None:
        where += f'<span class="pos">offset 0x{f.offset:x}</span>'
    names, inner = chains.split(f.path)
    crumbs = " › ".join(f"<span>{e(p)}</span>" for p in names) if names else '<span class="none">(not in a container)</span>'
    crumbs += f' › <code>{e(inner)}</code>' if names else ""
    reqs = " ".join(f'<a class="req" href="#req-{_anchor(r)}">{e(r)}</a>' for r in f.requirements) or "-"
    evidence = {k: v for k, v in f.evidence.items() if not str(k).startswith("_")}
    title = rule.title if rule else f.rule
    desc = f'<details><summary>Why this matters</summary><p>{e(rule.description)}</p></details>' if rule and rule.description else ""
    return f"""<article class="finding" id="finding-{n}" style="border-left-color:{SEV_COLOUR[f.severity]}">
<div class="fhead"><span class="sev" style="background:{SEV_COLOUR[f.severity]}">{f.severity.value}</span>
<span class="ftitle">{e(title)}</span><span class="rule">{e(f.rule)}</span></div>
<p class="msg">{e(f.message)}</p>
<table class="kv"><tr><th>Where</th><td><code class="path">{where}</code></td></tr>
<tr><th>Container chain</th><td class="crumbs">{crumbs}</td></tr>
<tr><th>Requirements</th><td>{reqs}</td></tr>
<tr><th>Fingerprint</th><td><code class="hash">{e(f.fingerprint)}</code></td></tr></table>
{('<div class="evidence"><h4>Evidence</h4>' + _value(evidence) + '</div>') if evidence else ''}
{desc}</article>"""


def _value(value: Any, key: str = "", depth: int = 0) -> str:
    """Evidence of any shape, shown for a person: tables for mappings, code for code."""
    k = key.lower()
    if depth > 6:
        return f"<code>{e(_clip(json.dumps(value, default=str)))}</code>"
    if isinstance(value, dict):
        if not value:
            return '<span class="none">(empty)</span>'
        rows = "".join(f'<tr><th>{e(_label(str(sk)))}</th><td>{_value(sv, str(sk), depth + 1)}</td></tr>'
                       for sk, sv in list(value.items())[:MAX_ITEMS])
        return f'<table class="ev">{rows}</table>'
    if isinstance(value, (list, tuple)):
        items = list(value)[:MAX_ITEMS]
        more = f'<li class="none">… {len(value) - MAX_ITEMS} more</li>' if len(value) > MAX_ITEMS else ""
        if items and all(isinstance(i, dict) for i in items):
            cols: list[str] = []
            for i in items:
                cols += [c for c in i if c not in cols]
            head = "".join(f"<th>{e(_label(c))}</th>" for c in cols)
            body = "".join("<tr>" + "".join(f"<td>{_value(i.get(c, ''), c, depth + 1)}</td>" for c in cols) + "</tr>"
                           for i in items)
            return f'<table class="ev grid"><tr>{head}</tr>{body}</table>'
        if items and all(not isinstance(i, (dict, list, tuple)) for i in items) and not _BLOCK_KEYS.search(k) \
                and all(len(str(i)) < 80 and "\n" not in str(i) for i in items):
            return '<span class="chips">' + "".join(f"<code>{e(i)}</code>" for i in items) + "</span>" + \
                (f' <span class="none">… {len(value) - MAX_ITEMS} more</span>' if more else "")
        if items and all(isinstance(i, str) for i in items) and _BLOCK_KEYS.search(k):
            return f'<pre class="code">{e(_clip(chr(10).join(items)))}</pre>'
        return "<ol>" + "".join(f"<li>{_value(i, key, depth + 1)}</li>" for i in items) + more + "</ol>"
    if isinstance(value, (bytes, bytearray)):
        return f'<code class="hex">{e(_clip(bytes(value[:4096]).hex(" ")))}</code>'
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return '<span class="none">-</span>'
    if isinstance(value, (int, float)):
        if "offset" in k or "address" in k:
            return f"<code>{e(hex(value)) if isinstance(value, int) else e(value)}</code>"
        return e(value)
    text = str(value)
    if "\n" in text.strip() or _BLOCK_KEYS.search(k) and len(text) > 40:
        return f'<pre class="code">{e(_clip(text))}</pre>'
    if _SECRET_KEYS.search(k):
        return f'<code class="cred">{e(_clip(text))}</code>'
    if _HEX_KEYS.search(k):
        if re.fullmatch(r"(?:[0-9a-fA-F]{2}){2,}", text):  # one run of hex digits: show the bytes apart
            text = " ".join(text[i:i + 2] for i in range(0, min(len(text), 2048), 2))
        return f'<code class="hex">{e(_clip(text))}</code>'
    if _BLOCK_KEYS.search(k):
        return f"<code>{e(_clip(text))}</code>"
    return f'<span class="txt">{e(_clip(text))}</span>'


# ------------------------------------------------------------------ observations


def _services(result: ScanResult) -> str:
    services = result.observations_of("service")
    head = '<section id="services"><h2>Boot services</h2>'
    if not services:
        return head + '<p class="none">No boot services were observed (no init scripts, inittab, systemd units or cron ' \
                      'entries were found, or no analyzer for them ran).</p></section>'
    rows = []
    for s in sorted(services, key=lambda o: (str(o.data.get("trigger", "")), str(o.data.get("program", "")))):
        d = s.data
        args = " ".join(str(a) for a in d.get("args") or [])
        port = f"{d.get('port')}/{d.get('protocol') or 'tcp'}" if d.get("port") else ""
        flags = " ".join(x for x, on in (("shell", d.get("shell")), ("login", d.get("login"))) if on)
        args_cell = f"<code>{e(_clip(args, 200))}</code>" if args else ""
        rows.append(f"<tr><td><code>{e(d.get('program', '?'))}</code></td><td>{args_cell}</td>"
                    f"<td>{e(d.get('trigger', ''))}</td><td>{e(port)}</td>"
                    f"<td>{'<span class=flag>' + e(flags) + '</span>' if flags else ''}</td>"
                    f"<td><code>{e(d.get('source') or s.path)}</code></td></tr>")
    return (head + f"<p>{len(services)} programs started at boot, respawned, or run by cron, inetd, systemd or hotplug.</p>"
            '<table class="grid"><tr><th>Program</th><th>Arguments</th><th>Trigger</th><th>Port</th>'
            "<th>Gives</th><th>Declared in</th></tr>" + "".join(rows) + "</table></section>")


_OBS_TABLES = [
    ("account", "Accounts", ["user", "uid", "gid", "shell", "password", "scheme"]),
    ("listener", "Network listeners", ["port", "protocol", "program_path", "source"]),
    ("endpoint", "Remote endpoints", ["url", "host", "ip", "port", "scheme", "context"]),
    ("key", "Keys and certificates", ["type", "bits", "purpose", "private", "fingerprint"]),
    ("setuid", "Set-uid programs", ["mode", "owner"]),
    ("sink-function", "Source functions that reach a shell or root", ["function", "reaches", "via", "language"]),
    ("boot-cmdline", "Kernel command lines", ["source", "cmdline", "init", "consoles"]),
]


def _observations(result: ScanResult) -> str:
    out = ['<section id="observations"><h2>Accounts, listeners, endpoints, keys</h2>']
    shown = 0
    for kind, title, cols in _OBS_TABLES:
        items = result.observations_of(kind)
        if not items:
            continue
        shown += 1
        head = "".join(f"<th>{e(_label(c).capitalize())}</th>" for c in cols) + "<th>File</th>"
        body = []
        for o in items[:MAX_ITEMS * 5]:
            cells = "".join(f"<td>{_cell(o.data.get(c))}</td>" for c in cols)
            body.append(f"<tr>{cells}<td><code>{e(o.path)}</code></td></tr>")
        out.append(f"<h3>{title} ({len(items)})</h3><table class=\"grid\"><tr>{head}</tr>{''.join(body)}</table>")
    if not shown:
        out.append('<p class="none">None observed.</p>')
    out.append("</section>")
    return "\n".join(out)


def _declaration(result: ScanResult) -> str:
    """What the vendor declared against what was observed: counts, declared entries that were not
    seen, and the findings set aside as accepted with their justification (shown, never hidden)."""
    decl = result.extra.get("declaration")
    if not decl:
        return ""
    out = ['<section id="declaration"><h2>Declaration</h2>',
           f"<p>Checked against <code>{e(decl.get('file') or '')}</code>"
           + (f" ({e(decl.get('product'))} {e(decl.get('release') or '')})" if decl.get("product") else "")
           + f": <b>{int(decl.get('undeclared_findings') or 0)}</b> finding(s) for undeclared access, "
           f"<b>{int(decl.get('accepted_findings') or 0)}</b> accepted by the declaration.</p>"]
    observed = decl.get("observed") or {}
    if observed:
        out.append('<table class="grid"><tr><th>Observed</th><th>Count</th></tr>' + "".join(
            f"<tr><td>{e(_label(str(k)))}</td><td>{_cell(v)}</td></tr>" for k, v in sorted(observed.items()))
            + "</table>")
    missing = decl.get("not_observed") or []
    if missing:
        out.append(f"<h3>Declared but not observed ({len(missing)})</h3><p>The declaration may be out of date.</p>"
                   '<table class="grid"><tr><th>Section</th><th>Entry</th></tr>' + "".join(
                       f"<tr><td>{e(m.get('section', ''))}</td><td><code>{e(m.get('entry', ''))}</code></td></tr>"
                       for m in missing[:MAX_ITEMS * 5]) + "</table>")
    unmatched = decl.get("accepted_entries_unmatched") or []
    if unmatched:
        out.append(f"<p>{len(unmatched)} accepted entr{'y' if len(unmatched) == 1 else 'ies'} of the declaration "
                   "matched no finding.</p>")
    accepted = result.extra.get("accepted") or []
    if accepted:
        rows = []
        for acc in accepted[:MAX_ITEMS * 5]:
            why = acc.get("acceptance") or {}
            rows.append(f"<tr><td>{e(acc.get('severity', ''))}</td><td><code>{e(acc.get('rule', ''))}</code></td>"
                        f"<td><code>{e(acc.get('path', ''))}</code></td><td>{e(_clip(acc.get('message', ''), 300))}</td>"
                        f"<td>{e(why.get('reason', ''))}</td><td>{e(why.get('reviewer', ''))}</td>"
                        f"<td>{e(why.get('date', ''))}</td></tr>")
        out.append(f"<h3>Accepted findings ({len(accepted)})</h3><p>Set aside by the declaration, with the "
                   "justification it gives; they do not count in the verdict.</p>"
                   '<table class="grid"><tr><th>Severity</th><th>Rule</th><th>File</th><th>Finding</th>'
                   "<th>Reason</th><th>Reviewer</th><th>Date</th></tr>" + "".join(rows) + "</table>")
    out.append("</section>")
    return "\n".join(out)


def _cell(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return e(", ".join(str(v) for v in value))
    return e(_clip(str(value), 300))


# ------------------------------------------------------------------ compliance matrix


def _matrix(rows: list[compliance.ClauseStatus]) -> str:
    summary = compliance.summary(rows)
    out = ['<section id="compliance"><h2>Requirement compliance matrix</h2>',
           '<p class="legend"><span class="status st-violated">violated</span> a finding maps to the clause. '
           '<span class="status st-clear">no violation found</span> a check for the clause ran and reported nothing. '
           '<span class="status st-unchecked">not checked</span> this tool has no check for the clause that ran on this '
           'target. No clause is ever shown as passed: absence of a finding is not proof of compliance.</p>',
           f'<p>{summary[compliance.VIOLATED]} violated · {summary[compliance.NO_VIOLATION]} no violation found · '
           f'{summary[compliance.NOT_CHECKED]} not checked · {len(rows)} clauses</p>']
    by_doc: dict[str, list[compliance.ClauseStatus]] = {}
    for r in rows:
        by_doc.setdefault(compliance.document_name(r.requirement), []).append(r)
    out.append('<table class="grid matrix"><colgroup><col style="width:13%"><col style="width:33%">'
               '<col style="width:14%"><col style="width:17%"><col style="width:23%"></colgroup>'
               "<tr><th>Clause</th><th>Title</th><th>Status</th><th>Findings</th><th>Checked by rules</th></tr>")
    for doc, items in by_doc.items():
        out.append(f'<tr class="doc"><td colspan="5">{e(doc)}</td></tr>')
        for r in items:
            req = r.requirement
            finding_links = ""
            if r.findings:
                worst = r.worst
                finding_links = (f'<span class="sev" style="background:{SEV_COLOUR[worst]}">{len(r.findings)}</span><br>'
                                 + "<br>".join(f'<a href="#rule-{_anchor(f.rule)}"><code>{e(f.rule)}</code></a>'
                                               for f in _unique_rules(r.findings)))
            checked = ", ".join(f"<code>{e(x)}</code>" for x in r.rules_run[:6])
            if len(r.rules_run) > 6:
                rest = ", ".join(f"<code>{e(x)}</code>" for x in r.rules_run[6:])
                checked += f"<details><summary>{len(r.rules_run) - 6} more</summary>{rest}</details>"
            unrun = [x for x in r.rules if x not in r.rules_run]
            if unrun:
                checked += ((" " if checked else "") + f'<span class="none" title="{e(", ".join(unrun))}">'
                            f'({len(unrun)} other rule{"s" if len(unrun) != 1 else ""} did not run)</span>')
            unconfirmed = '' if req.confirmed else ' <span class="none" title="clause number not checked against a copy of the document">(unconfirmed number)</span>'
            out.append(
                f'<tr id="req-{_anchor(req.id)}"><td><b>{e(req.clause)}</b>{unconfirmed}<br><code class="small">{e(req.id)}</code></td>'
                f'<td>{e(req.title)}<div class="small muted">{e(_clip(req.summary, 400))}</div></td>'
                f'<td><span class="status {STATUS_CLASS[r.status]}">{e(r.status)}</span></td>'
                f'<td class="fl">{finding_links}</td><td>{checked}</td></tr>')
    out.append("</table></section>")
    return "\n".join(out)


def _unique_rules(findings: Iterable[Finding]) -> list[Finding]:
    seen: dict[str, Finding] = {}
    for f in findings:
        seen.setdefault(f.rule, f)
    return list(seen.values())


# ------------------------------------------------------------------ SBOM


def _sbom(result: ScanResult) -> str:
    from ..sbom import components

    comps = components(result)
    head = '<section id="sbom"><h2>Components (SBOM)</h2>'
    if not comps:
        return head + '<p class="none">No components were identified.</p></section>'
    rows = []
    for c in comps:
        files = "".join(f'<div><code>{e(p)}</code> <code class="hash" title="sha256 {e(h)}">{e(h[:16])}…</code></div>'
                        for p, h in sorted(c.files.items())[:20])
        if not files:
            files = "".join(f"<div><code>{e(p)}</code>{':' + str(line) if line else ''}</div>"
                            for p, line, _ in c.occurrences[:5])
        rows.append(f"<tr><td><b>{e(c.name)}</b></td><td class=\"nw\">{e(c.version or '?')}</td><td>{e(c.type)}</td>"
                    f"<td><code class=small>{e(c.purl)}</code>{'<br><code class=small>' + e(c.cpe) + '</code>' if c.cpe else ''}</td>"
                    f"<td>{e(', '.join(c.sources))}</td><td>{files}</td></tr>")
    return (head + f"<p>{len(comps)} components, from the version strings of the binaries and the package databases. "
            "<code>nobackdoor sbom</code> writes them as CycloneDX JSON.</p>"
            '<table class="grid"><tr><th>Name</th><th>Version</th><th>Type</th><th>Identifiers</th><th>Source</th>'
            "<th>Files (SHA-256)</th></tr>" + "".join(rows) + "</table></section>")


def _problems(result: ScanResult) -> str:
    head = '<section id="problems"><h2>Problems while reading the target</h2>'
    if not result.errors:
        return head + '<p class="none">None.</p></section>'
    rows = "".join(f"<tr><td><code>{e(x.path or '-')}</code></td><td>{e(_clip(x.message, 500))}</td></tr>"
                   for x in result.errors[:MAX_ITEMS * 5])
    return head + f'<table class="grid"><tr><th>Where</th><th>Problem</th></tr>{rows}</table></section>'


# ------------------------------------------------------------------ helpers


def _severity_counts(findings: list[Finding]) -> dict[Severity, int]:
    return {s: sum(1 for f in findings if f.severity == s) for s in Severity}


def _basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1] or path


def _anchor(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


def _label(key: str) -> str:
    return key.replace("_", " ")


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[:limit] + f"\n… ({len(text) - limit} more characters in the JSON report)"


def _human(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return str(n)


_CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f3f4f6;color:#1f2328;font:14px/1.45 "DejaVu Sans","Liberation Sans",Arial,sans-serif}
.page{max-width:1180px;margin:0 auto;padding:24px 28px 40px;background:#fff}
h1{font-size:26px;margin:0}
h2{font-size:20px;margin:34px 0 12px;padding-bottom:4px;border-bottom:2px solid #d0d7de}
h3{font-size:16px;margin:22px 0 8px}
h4{font-size:13px;margin:10px 0 4px;text-transform:uppercase;letter-spacing:.04em;color:#57606a}
.sub{margin:2px 0 14px;color:#57606a;font-size:16px}
code,pre{font-family:"DejaVu Sans Mono","Liberation Mono",Consolas,monospace;font-size:12.5px}
code{background:#f6f8fa;border-radius:3px;padding:0 3px;overflow-wrap:anywhere}
pre.code{background:#0d1117;color:#e6edf3;padding:10px 12px;border-radius:6px;overflow-x:auto;white-space:pre-wrap;word-break:break-all;margin:4px 0}
code.hash{color:#57606a}
code.cred{background:#fff1c2;border:1px solid #e3b341;color:#6b4700;font-weight:bold}
code.hex{background:#eef2ff;color:#3730a3}
table{border-collapse:collapse}
table.meta th{text-align:left;padding:2px 14px 2px 0;color:#57606a;font-weight:normal;white-space:nowrap;vertical-align:top}
table.meta td{padding:2px 0}
table.grid{width:100%;margin:6px 0 12px}
table.grid th,table.grid td{border:1px solid #d0d7de;padding:5px 7px;text-align:left;vertical-align:top}
table.grid th{background:#f6f8fa;font-weight:600}
table.grid tr:nth-child(even) td{background:#fbfcfd}
nav{margin:16px 0 0;padding:8px 0;border-top:1px solid #d0d7de;border-bottom:1px solid #d0d7de}
nav a{margin-right:16px;color:#0969da;text-decoration:none}
.verdict{margin-top:18px;padding:14px 18px;border-radius:8px;border:2px solid}
.verdict h2{margin:0 0 6px;border:0;padding:0;font-size:22px}
.verdict.fail{background:#fdecea;border-color:#d32f2f}.verdict.fail h2{color:#b71c1c}
.verdict.pass{background:#e8f5e9;border-color:#2e7d32}.verdict.pass h2{color:#1b5e20}
.verdict.incomplete{background:#fff8e1;border-color:#f57f17}.verdict.incomplete h2{color:#e65100}
.chip{display:inline-block;color:#fff;border-radius:12px;padding:2px 10px;margin-right:6px;font-weight:600}
.chip-none{color:#57606a}
.charts{display:flex;flex-wrap:wrap;gap:28px}
figure{margin:0}
figcaption{font-weight:600;margin-bottom:6px}
svg text.lbl{font-size:12px;fill:#1f2328}
svg text.num{font-size:12px;font-weight:bold;fill:#1f2328}
svg text.num.zero{fill:#8c959f;font-weight:normal}
h3.cat{border-left:6px solid #57606a;padding-left:8px;background:#f6f8fa;padding:4px 8px}
h3.cat .count{display:inline-block;background:#57606a;color:#fff;border-radius:10px;padding:0 8px;font-size:12px;margin-left:6px}
h3.cat .catdesc{font-weight:normal;color:#57606a;font-size:13px;margin-left:10px}
article.finding{border:1px solid #d0d7de;border-left:6px solid;border-radius:6px;padding:10px 14px;margin:10px 0;break-inside:avoid}
.fhead{display:flex;gap:10px;align-items:center;flex-wrap:wrap}
.sev{color:#fff;border-radius:4px;padding:1px 8px;font-size:12px;font-weight:700;text-transform:uppercase}
.ftitle{font-weight:700;font-size:15px}
.rule{color:#57606a;font-family:"DejaVu Sans Mono",monospace;font-size:12px;margin-left:auto}
.msg{margin:6px 0 8px;font-size:14.5px}
table.kv th{text-align:left;color:#57606a;font-weight:normal;padding:1px 12px 1px 0;white-space:nowrap;vertical-align:top}
table.kv td{padding:1px 0}
.pos{margin-left:8px;color:#57606a;font-family:sans-serif}
.crumbs span{background:#eef1f4;border-radius:3px;padding:0 4px;font-size:12px}
a.req{font-family:"DejaVu Sans Mono",monospace;font-size:12px;margin-right:6px;color:#0969da}
.evidence{margin-top:8px;background:#fafbfc;border:1px solid #eaeef2;border-radius:6px;padding:6px 10px}
table.ev{width:100%}
table.ev th{text-align:left;vertical-align:top;padding:3px 12px 3px 0;width:160px;color:#57606a;font-weight:600;white-space:nowrap}
table.ev td{padding:3px 0;vertical-align:top}
table.ev.grid th{width:auto}
.chips code{margin-right:5px;display:inline-block}
details{margin-top:6px}summary{cursor:pointer;color:#0969da}
.none{color:#8c959f}
.nw{white-space:nowrap}
.small{font-size:12px}.muted{color:#57606a}
.flag{background:#fdecea;color:#b71c1c;border-radius:3px;padding:0 5px;font-weight:600}
.status{display:inline-block;border-radius:4px;padding:1px 7px;font-size:12px;font-weight:700;white-space:nowrap}
.st-violated{background:#d32f2f;color:#fff}
.st-clear{background:#e3f2fd;color:#0d47a1;border:1px solid #90caf9}
.st-unchecked{background:#eceff1;color:#455a64;border:1px dashed #90a4ae}
table.matrix{table-layout:fixed}
table.matrix td.fl code{display:inline-block;margin:1px 0}
table.matrix .status{white-space:normal}
table.matrix tr.doc td{background:#e9edf1!important;font-weight:700}
.legend .status{margin:0 4px 0 10px}.legend .status:first-child{margin-left:0}
footer{margin-top:40px;padding-top:10px;border-top:1px solid #d0d7de;color:#57606a;font-size:12px}
@media print{body{background:#fff}.page{padding:0;max-width:none}nav{display:none}details{display:block}}
"""
