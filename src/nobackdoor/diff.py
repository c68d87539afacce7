"""Release-to-release security diff: what a new version adds to the attack surface of an approved one.

Two scan results (fresh or saved) are compared file by file (by path inside the filesystem, since
container names change between versions) and fact by fact: accounts and password hashes, boot
services, listeners, setuid/setgid files, the comparison constants and command sinks of binaries,
remote endpoints, keys, and the findings themselves (by fingerprint). Each addition that widens the
attack surface becomes a finding in the contract's shape, so the diff's JSON document is a scan
document whose ``findings`` are what the new version adds, plus a ``resolved`` list.
"""
from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import __version__
from .declaration import (account_login, account_severity, account_usable, describe_endpoint, describe_port,
                          describe_service, endpoint_host, endpoint_severity, key_severity, service_rule_and_severity)
from .models import FORMAT_VERSION, FileEntry, FileKind, Finding, Observation, ScanResult, Severity
from .ruleset import rule
from .saved import BINARY_PLACEHOLDER, normalise_identities

#: how many new constants a finding message names (all are in the evidence, up to the cap below)
MESSAGE_CONSTANTS = 6
EVIDENCE_CONSTANTS = 50
SHADOW_MAX_BYTES = 1 << 20


@dataclass
class DeltaItem:
    """One security-relevant change between the versions."""

    section: str  # accounts | services | listeners | setuid | binaries | endpoints | keys
    change: str  # added | removed | changed
    path: str  # contract path (in the new version; in the old one for removals)
    summary: str
    details: dict[str, Any] = field(default_factory=dict)
    finding: Finding | None = None  # what it contributes to the document's findings (additions only)

    def to_dict(self) -> dict[str, Any]:
        out = {"section": self.section, "change": self.change, "path": self.path, "summary": self.summary,
               "details": self.details}
        if self.finding is not None:
            out["severity"] = self.finding.severity.value
            out["fingerprint"] = self.finding.fingerprint
        return out


@dataclass
class FileChanges:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    mode_changed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"added": self.added, "removed": self.removed, "changed": self.changed,
                "mode_changed": self.mode_changed}


@dataclass
class Diff:
    old: ScanResult
    new: ScanResult
    files: FileChanges
    delta: list[DeltaItem]
    appeared: list[Finding]
    resolved: list[Finding]

    def findings(self) -> list[Finding]:
        out = list(self.appeared) + [d.finding for d in self.delta if d.finding is not None]
        return sorted(out, key=lambda f: (-f.severity.rank, f.sort_key()))

    def max_severity(self) -> Severity | None:
        found = self.findings()
        return max((f.severity for f in found), key=lambda s: s.rank) if found else None

    def fails(self, threshold: str | Severity) -> bool:
        rank = Severity.parse(threshold).rank
        return any(f.severity.rank >= rank for f in self.findings())

    def to_document(self) -> dict[str, Any]:
        """The contract's JSON document for the new version, restricted to what it adds."""
        findings = self.findings()
        counts: dict[str, int] = {}
        for item in self.delta:
            counts[item.section] = counts.get(item.section, 0) + 1
        return {
            "format_version": FORMAT_VERSION,
            "tool": {"name": "nobackdoor", "version": __version__},
            "target": self.new.target.to_dict(),
            "baseline": self.old.target.to_dict(),
            "findings": [f.to_dict() for f in findings],
            "resolved": [f.to_dict() for f in sorted(self.resolved, key=lambda f: (-f.severity.rank, f.sort_key()))],
            "errors": [{"path": e.path, "message": e.message} for e in self.old.errors + self.new.errors],
            "stats": {
                "files": int(self.new.stats.get("files", len(self.new.files))),
                "bytes": int(self.new.stats.get("bytes", sum(f.size for f in self.new.files))),
                "seconds": round(float(self.old.stats.get("seconds", 0)) + float(self.new.stats.get("seconds", 0)), 3),
                "files_added": len(self.files.added), "files_removed": len(self.files.removed),
                "files_changed": len(self.files.changed), "findings_appeared": len(self.appeared),
                "findings_resolved": len(self.resolved), "delta_items": counts,
            },
            "delta": {"files": self.files.to_dict(), "security": [d.to_dict() for d in self.delta]},
        }


# ---------------------------------------------------------------- helpers


class _Side:
    """One version: its result, normalised relpaths and lookup tables."""

    def __init__(self, result: ScanResult) -> None:
        self.result = result
        self.rel = normalise_identities(result)
        self.by_rel: dict[str, FileEntry] = {}
        seen: dict[str, int] = {}
        for f in sorted(result.files, key=lambda e: e.path):
            key = self.rel.get(f.path, f.relpath)
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:  # the same relpath in two filesystems of one image (dual bank): keep both apart
                key = f"{key}#{seen[key]}"
            self.by_rel[key] = f

    def rel_of(self, path: str, data: dict[str, Any] | None = None) -> str:
        if path in self.rel:
            return self.rel[path]
        anchored = (data or {}).get("_relpath")
        return anchored or path

    def obs(self, kind: str) -> list[Observation]:
        return self.result.observations_of(kind)


def _item(section: str, change: str, path: str, summary: str, details: dict[str, Any],
          rule_id: str | None = None, severity: Severity | None = None, category: str | None = None,
          relpath: str | None = None, line: int | None = None) -> DeltaItem:
    finding = None
    if rule_id is not None:
        evidence = {k: v for k, v in details.items() if v not in (None, [], {}, "")}
        evidence["_relpath"] = relpath or path
        finding = rule(rule_id).finding(path, summary, severity=severity, category=category, line=line,
                                        evidence=evidence)
    return DeltaItem(section, change, path, summary, details, finding)


def _port(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _line(source: Any) -> int | None:
    if isinstance(source, str) and ":" in source and source.rsplit(":", 1)[1].isdigit():
        return int(source.rsplit(":", 1)[1])
    return None


# ---------------------------------------------------------------- password digests


def record_password_digests(result: ScanResult) -> None:
    """Post-stage for scans made by ``diff``: a digest of every account's password hash, so that a
    changed password is seen even when the account's other fields stay the same. The hashes
    themselves never leave the scan."""
    digests: dict[str, dict[str, str]] = {}
    for entry in result.files:
        if entry.relpath not in ("etc/shadow", "etc/passwd") or entry.kind == FileKind.SYMLINK:
            continue
        try:
            data = entry.content if entry.content is not None else entry.realpath.read_bytes()[:SHADOW_MAX_BYTES]
        except OSError:
            continue
        for line in data.decode("utf-8", "replace").splitlines():
            fields = line.split(":")
            if len(fields) < 2 or not fields[0] or line.lstrip().startswith("#"):
                continue
            hashed = fields[1]
            if entry.relpath == "etc/passwd" and hashed in ("x", "*", "!", ""):
                continue  # the hash lives in shadow (or is absent)
            scheme = hashed.split("$")[1] if hashed.startswith("$") and hashed.count("$") >= 2 else ""
            digests.setdefault(fields[0], {"digest": hashlib.sha256(hashed.encode()).hexdigest()[:16],
                                           "scheme": scheme})
    result.extra["password_digests"] = digests


# ---------------------------------------------------------------- comparisons


def _files(old: _Side, new: _Side) -> FileChanges:
    out = FileChanges()
    skip = (FileKind.ARCHIVE,)  # containers change whenever anything inside them does
    for rel, f in sorted(new.by_rel.items()):
        if f.kind in skip:
            continue
        o = old.by_rel.get(rel)
        if o is None:
            out.added.append(rel)
        elif o.sha256 != f.sha256 or (o.link_target or "") != (f.link_target or ""):
            out.changed.append(rel)
        if o is not None and (o.mode & 0o7777) != (f.mode & 0o7777):
            out.mode_changed.append(rel)
    out.removed = sorted(rel for rel, f in old.by_rel.items() if rel not in new.by_rel and f.kind not in skip)
    return out


def _accounts(old: _Side, new: _Side) -> list[DeltaItem]:
    items = []
    # the same name may exist in several account stores (passwd, a web UI's user file)
    old_acc = {(o.data.get("user"), old.rel_of(o.path, o.data)): o for o in old.obs("account")}
    new_acc = {(o.data.get("user"), new.rel_of(o.path, o.data)): o for o in new.obs("account")}
    old_pw = old.result.extra.get("password_digests") or {}
    new_pw = new.result.extra.get("password_digests") or {}
    for (user, _), obs in sorted(new_acc.items(), key=lambda kv: str(kv[0])):
        d = obs.data
        rel = new.rel_of(obs.path, d)
        desc = f"uid {d.get('uid')}, shell {d.get('shell') or '-'}, password {d.get('password', '?')}"
        prev = old_acc.get((user, rel))
        if prev is None:
            items.append(_item("accounts", "added", obs.path, f"new account '{user}' ({desc})",
                               {"user": user, "uid": d.get("uid"), "shell": d.get("shell"), "password": d.get("password")},
                               "diff.new-account", account_severity(d), relpath=rel))
            continue
        p = prev.data
        changes = {k: [p.get(k), d.get(k)] for k in ("uid", "gid", "shell", "password", "scheme")
                   if str(p.get(k)) != str(d.get(k)) and (k in p or k in d)}
        if rel.endswith("etc/passwd") and user in old_pw and user in new_pw \
                and old_pw[user]["digest"] != new_pw[user]["digest"]:
            changes["password_hash"] = [old_pw[user]["scheme"] or "changed", new_pw[user]["scheme"] or "changed"]
        if not changes:
            continue
        severity = _account_change_severity(p, d, changes)
        what = ", ".join(f"{k} {a} -> {b}" if k != "password_hash" else "password hash changed"
                         for k, (a, b) in changes.items())
        path = obs.path
        if {"password", "password_hash"} & changes.keys():
            path, rel = _shadow_of(new, obs.path, rel)  # the password lives in shadow when there is one
        items.append(_item("accounts", "changed", path, f"account '{user}' changed: {what}",
                           {"user": user, "changes": changes}, "diff.new-account", severity, relpath=rel))
    for (user, rel), obs in old_acc.items():
        if (user, rel) not in new_acc:
            items.append(_item("accounts", "removed", obs.path, f"account '{user}' removed", {"user": user}))
    return items


def _shadow_of(side: _Side, passwd_path: str, passwd_rel: str) -> tuple[str, str]:
    if passwd_path.endswith("etc/passwd"):
        shadow = passwd_path[: -len("passwd")] + "shadow"
        if shadow in side.rel:
            return shadow, side.rel[shadow]
    return passwd_path, passwd_rel


def _account_change_severity(before: dict[str, Any], after: dict[str, Any], changes: dict[str, Any]) -> Severity:
    """A change that makes an account usable or gives it uid 0 is serious; other changes are notes."""
    became_root = "uid" in changes and str(after.get("uid")) == "0"
    became_usable = (account_usable(after) and account_login(after)) and not (account_usable(before) and account_login(before))
    if became_root or became_usable or (after.get("password") == "empty" and before.get("password") != "empty"):
        return Severity.HIGH
    if "password_hash" in changes or "shell" in changes:
        return Severity.MEDIUM
    return Severity.LOW


def _service_key(d: dict[str, Any]) -> tuple:
    name = posixpath.basename(str(d.get("program") or "")) or posixpath.basename(str(d.get("program_path") or ""))
    return name, d.get("trigger")


def _service_sig(d: dict[str, Any]) -> tuple:
    return (tuple(map(str, d.get("args") or ())), _port(d.get("port")), bool(d.get("shell")), bool(d.get("login")))


def _services(old: _Side, new: _Side) -> list[DeltaItem]:
    items = []
    old_by_key: dict[tuple, list[dict[str, Any]]] = {}
    for o in old.obs("service"):
        old_by_key.setdefault(_service_key(o.data), []).append(o.data)
    seen_new: set[tuple] = set()
    for obs in new.obs("service"):
        d = obs.data
        key, sig = _service_key(d), _service_sig(d)
        seen_new.add((key, sig))
        before = old_by_key.get(key, [])
        if any(_service_sig(b) == sig for b in before):
            continue
        rule_id, severity = service_rule_and_severity(d, "diff")
        change = "changed" if before else "added"
        if before and any(_port(b.get("port")) == _port(d.get("port")) and bool(b.get("shell")) == bool(d.get("shell"))
                          and bool(b.get("login")) == bool(d.get("login")) for b in before):
            severity = Severity.LOW  # other arguments, but no more exposure than before
        details = {"program": d.get("program"), "args": d.get("args"), "trigger": d.get("trigger"),
                   "port": d.get("port"), "protocol": d.get("protocol"), "shell": bool(d.get("shell")),
                   "source": d.get("source")}
        if before:
            details["before"] = [describe_service(b) for b in before][:5]
        verb = "now started as" if before else "new service"
        items.append(_item("services", change, obs.path, f"{verb} {describe_service(d)}", details, rule_id,
                           severity, relpath=new.rel_of(obs.path, d), line=_line(d.get("source"))))
    new_keys = {_service_key(o.data) for o in new.obs("service")}
    for o in old.obs("service"):
        if _service_key(o.data) not in new_keys:
            items.append(_item("services", "removed", o.path, f"service {describe_service(o.data)} no longer started",
                               {"program": o.data.get("program")}))
    return items


def _listener_key(side: _Side, o: Observation) -> tuple:
    port = _port(o.data.get("port"))
    # a port set at run time is identified by the program that listens on it
    prog = side.rel.get(o.path, o.data.get("program_path")) if port is None else None
    return port, o.data.get("protocol"), prog


def _listeners(old: _Side, new: _Side) -> list[DeltaItem]:
    items = []
    before = {_listener_key(old, o) for o in old.obs("listener")}
    reported: set[tuple] = set()
    for obs in new.obs("listener"):
        d = obs.data
        key = _listener_key(new, obs)
        if key in before or key in reported:
            continue
        reported.add(key)
        prog = d.get("program_path") or "a program"
        items.append(_item("listeners", "added", obs.path, f"{prog} listens on {describe_port(d)}",
                           {"port": key[0], "protocol": d.get("protocol"), "program_path": d.get("program_path"),
                            "source": d.get("source")}, "diff.new-listener", relpath=new.rel_of(obs.path, d)))
    return items


def _setuid(old: _Side, new: _Side) -> list[DeltaItem]:
    items = []
    for rel, f in sorted(new.by_rel.items()):
        if f.kind == FileKind.SYMLINK or not (f.is_setuid or f.is_setgid):
            continue
        o = old.by_rel.get(rel)
        bits = "+".join(b for b, on in (("setuid", f.is_setuid), ("setgid", f.is_setgid)) if on)
        if o is None or not ((o.is_setuid and f.is_setuid) or (o.is_setgid and f.is_setgid)):
            items.append(_item("setuid", "added", f.path, f"{rel} is {bits} (mode {oct(f.mode & 0o7777)})",
                               {"mode": oct(f.mode & 0o7777), "new_file": o is None}, "diff.new-setuid", relpath=rel))
        elif o.sha256 != f.sha256:
            items.append(_item("setuid", "changed", f.path, f"{bits} program {rel} changed",
                               {"mode": oct(f.mode & 0o7777), "sha256": f.sha256}, "diff.new-setuid", Severity.LOW,
                               relpath=rel))
    return items


def _as_set(values: Any) -> set[str]:
    out = set()
    for v in values or ():
        if isinstance(v, dict):  # {"value": ..., ...} forms are allowed for constants
            v = v.get("value") or v.get("string") or v.get("name")
        if v is not None:
            out.add(str(v))
    return out


def _binaries(old: _Side, new: _Side) -> list[DeltaItem]:
    items = []
    old_bins = {old.rel_of(o.path, o.data): o.data for o in old.obs("binary")}
    for obs in new.obs("binary"):
        rel = new.rel_of(obs.path, obs.data)
        d = obs.data
        prev = old_bins.get(rel)
        if prev is None:
            if rel == BINARY_PLACEHOLDER or old.by_rel.get(rel) is not None:
                continue  # the old side had the file but no observation: nothing to compare
            sinks = sorted(_as_set(d.get("sinks")))
            items.append(_item("binaries", "added", obs.path, f"new program {rel}" +
                               (f" calling {', '.join(sinks[:8])}" if sinks else ""), {"sinks": sinks}))
            continue
        new_consts = sorted(_as_set(d.get("constants")) - _as_set(prev.get("constants")))
        gone_consts = sorted(_as_set(prev.get("constants")) - _as_set(d.get("constants")))
        new_sinks = sorted(_as_set(d.get("sinks")) - _as_set(prev.get("sinks")))
        if new_consts:
            shown = ", ".join(repr(c) for c in new_consts[:MESSAGE_CONSTANTS])
            more = f" and {len(new_consts) - MESSAGE_CONSTANTS} more" if len(new_consts) > MESSAGE_CONSTANTS else ""
            items.append(_item("binaries", "changed", obs.path, f"{rel} now compares input against {shown}{more}",
                               {"new_constants": new_consts[:EVIDENCE_CONSTANTS], "removed_constants":
                                gone_consts[:EVIDENCE_CONSTANTS]}, "diff.new-comparison-constant", relpath=rel))
        if new_sinks:
            items.append(_item("binaries", "changed", obs.path, f"{rel} now calls {', '.join(new_sinks)}",
                               {"new_sinks": new_sinks}, "diff.new-sink", relpath=rel))
    return items


def _endpoint_key(d: dict[str, Any]) -> tuple:
    return (str(d.get("url") or endpoint_host(d)), d.get("context"))


def _endpoints(old: _Side, new: _Side) -> list[DeltaItem]:
    items = []
    before = {_endpoint_key(o.data) for o in old.obs("endpoint")}
    for obs in new.obs("endpoint"):
        d = obs.data
        key = _endpoint_key(d)
        if key in before:
            continue
        before.add(key)
        items.append(_item("endpoints", "added", obs.path,
                           f"new remote endpoint {describe_endpoint(d)} ({d.get('context') or 'referenced'})",
                           {"url": d.get("url"), "host": endpoint_host(d), "port": d.get("port"),
                            "context": d.get("context")}, "diff.new-endpoint", endpoint_severity(d),
                           relpath=new.rel_of(obs.path, d)))
    return items


def _keys(old: _Side, new: _Side) -> list[DeltaItem]:
    items = []

    def key_of(side: _Side, o: Observation) -> tuple:
        return (o.data.get("fingerprint") or side.rel_of(o.path, o.data), o.data.get("purpose"))

    before = {key_of(old, o) for o in old.obs("key")}
    for obs in new.obs("key"):
        d = obs.data
        key = key_of(new, obs)
        if key in before:
            continue
        before.add(key)
        category, severity = key_severity(d)
        what = d.get("purpose") or ("private key" if d.get("private") else "key")
        items.append(_item("keys", "added", obs.path,
                           f"new {what} {d.get('type') or ''} {d.get('fingerprint') or ''}".replace("  ", " ").strip(),
                           {"fingerprint": d.get("fingerprint"), "type": d.get("type"), "bits": d.get("bits"),
                            "purpose": d.get("purpose"), "private": d.get("private")},
                           "diff.new-key", severity, category, relpath=new.rel_of(obs.path, d)))
    return items


def _findings(old: _Side, new: _Side) -> tuple[list[Finding], list[Finding]]:
    old_fps = {f.fingerprint for f in old.result.findings}
    new_fps = {f.fingerprint for f in new.result.findings}
    appeared = [f for f in new.result.findings if f.fingerprint not in old_fps]
    resolved = [f for f in old.result.findings if f.fingerprint not in new_fps]
    return appeared, resolved


def compare(old: ScanResult, new: ScanResult) -> Diff:
    o, n = _Side(old), _Side(new)
    delta: list[DeltaItem] = []
    for section in (_accounts, _services, _listeners, _setuid, _binaries, _endpoints, _keys):
        delta.extend(section(o, n))
    appeared, resolved = _findings(o, n)
    return Diff(old=old, new=new, files=_files(o, n), delta=delta, appeared=appeared, resolved=resolved)


# ---------------------------------------------------------------- rendering


_SECTION_TITLES = {
    "accounts": "Accounts", "services": "Services (boot, respawn, cron, inetd, systemd)", "listeners": "Listeners",
    "setuid": "Setuid/setgid files", "binaries": "Binaries (comparison constants, command sinks)",
    "endpoints": "Remote endpoints", "keys": "Keys and certificates",
}
_MARK = {"added": "+", "removed": "-", "changed": "~"}


def render_text(diff: Diff, max_files: int = 200) -> str:
    lines = [f"nobackdoor diff {diff.old.target.path} -> {diff.new.target.path}", ""]
    f = diff.files
    lines.append(f"Files: {len(f.added)} added, {len(f.removed)} removed, {len(f.changed)} changed"
                 + (f", {len(f.mode_changed)} with new permissions" if f.mode_changed else ""))
    for mark, names in (("+", f.added), ("-", f.removed), ("~", f.changed)):
        for name in names[:max_files]:
            lines.append(f"  {mark} {name}")
        if len(names) > max_files:
            lines.append(f"  {mark} ... {len(names) - max_files} more")
    lines.append("")
    lines.append("Security delta:")
    if not diff.delta:
        lines.append("  (no change to accounts, services, listeners, setuid files, binaries, endpoints or keys)")
    for section, title in _SECTION_TITLES.items():
        items = [d for d in diff.delta if d.section == section]
        if not items:
            continue
        lines.append(f"  {title}:")
        for d in items:
            sev = f"[{d.finding.severity.value}] " if d.finding else ""
            lines.append(f"    {_MARK.get(d.change, ' ')} {sev}{d.summary}")
    lines.append("")
    lines.append(f"Findings that appeared: {len(diff.appeared)}")
    for x in sorted(diff.appeared, key=lambda x: (-x.severity.rank, x.sort_key())):
        lines.append(f"  + [{x.severity.value}] {x.rule} {x.path}{f':{x.line}' if x.line else ''}: {x.message}")
    lines.append(f"Findings that went away: {len(diff.resolved)}")
    for x in sorted(diff.resolved, key=lambda x: (-x.severity.rank, x.sort_key())):
        lines.append(f"  - [{x.severity.value}] {x.rule} {x.path}: {x.message}")
    top = diff.max_severity()
    lines.append("")
    lines.append(f"New version adds {len(diff.findings())} finding(s); highest severity: {top.value if top else 'none'}")
    return "\n".join(lines) + "\n"


def render_html(diff: Diff) -> str:
    from html import escape as e

    def rows(items: Iterable[tuple[str, ...]]) -> str:
        return "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>" for r in items)

    f = diff.files
    delta_rows = rows((_MARK.get(d.change, ""), d.finding.severity.value if d.finding else "", _SECTION_TITLES[d.section],
                       d.summary, d.path) for d in diff.delta)
    appeared = rows((x.severity.value, x.category, x.rule, x.path, x.message)
                    for x in sorted(diff.appeared, key=lambda x: (-x.severity.rank, x.sort_key())))
    resolved = rows((x.severity.value, x.category, x.rule, x.path, x.message) for x in diff.resolved)
    files = rows([(m, n) for m, names in (("+", f.added), ("-", f.removed), ("~", f.changed)) for n in names[:2000]])
    top = diff.max_severity()
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>nobackdoor diff</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }} table {{ border-collapse: collapse; margin-bottom: 2em; }}
td, th {{ border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; vertical-align: top; }}
th {{ background: #eee; }} code {{ background: #f4f4f4; }}
</style></head><body>
<h1>Security diff</h1>
<p>Baseline <code>{e(diff.old.target.path)}</code> ({e(diff.old.target.sha256[:16])})<br>
New version <code>{e(diff.new.target.path)}</code> ({e(diff.new.target.sha256[:16])})</p>
<p>The new version adds {len(diff.findings())} finding(s); highest severity: <b>{e(top.value if top else 'none')}</b>.
Files: {len(f.added)} added, {len(f.removed)} removed, {len(f.changed)} changed.</p>
<h2>Security delta</h2>
<table><tr><th></th><th>severity</th><th>area</th><th>change</th><th>path</th></tr>{delta_rows}</table>
<h2>Findings that appeared</h2>
<table><tr><th>severity</th><th>category</th><th>rule</th><th>path</th><th>message</th></tr>{appeared}</table>
<h2>Findings that went away</h2>
<table><tr><th>severity</th><th>category</th><th>rule</th><th>path</th><th>message</th></tr>{resolved}</table>
<h2>Files</h2>
<table><tr><th></th><th>path inside the filesystem</th></tr>{files}</table>
</body></html>
"""
