"""The vendor's declaration (``nobackdoor.yml``) against what the software really contains.

A back door is access nobody declared. The declaration lists the accounts, services (with ports and
how they authenticate), keys and remote endpoints the vendor documents, plus findings a reviewer has
accepted with a justification. :func:`apply` marks every observed account, service, listener, key
and endpoint as declared or not, turns the undeclared ones into findings, and moves accepted findings
out of ``findings`` into an ``accepted`` section, so a declared honest image scans quiet.

The file format is documented in ``docs/declaration.md``; :data:`SCHEMA` is its machine form.
"""
from __future__ import annotations

import dataclasses
import fnmatch
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .models import Finding, Observation, ScanResult, Severity
from .ruleset import rule
from .saved import normalised_relpaths

DECLARATION_VERSION = 1
MAX_DECLARATION_BYTES = 16 << 20

# Shells that make an account unusable for an interactive login (same list as the accounts analyzer).
NO_LOGIN_SHELLS = frozenset({"/bin/false", "/sbin/nologin", "/usr/sbin/nologin", "/bin/nologin", "/usr/bin/false", ""})

_STR = {"type": "string", "minLength": 1}
_PORT = {"type": "integer", "minimum": 0, "maximum": 65535}
_PASSWORD_STATES = ["empty", "locked", "set", "default", "any"]

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "nobackdoor declaration",
    "type": "object",
    "additionalProperties": False,
    "required": ["version"],
    "properties": {
        "version": {"const": DECLARATION_VERSION},
        "product": _STR,
        "release": {"type": ["string", "number"]},
        "vendor": _STR,
        "accounts": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["user"],
            "properties": {
                "user": _STR,
                "file": _STR,
                "uid": {"type": ["integer", "string"]},
                "login": {"type": "boolean"},
                "password": {"enum": _PASSWORD_STATES},
                "purpose": {"type": "string"},
            }}},
        "services": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["program"],
            "properties": {
                "program": _STR,
                "ports": {"type": "array", "items": _PORT},
                "protocol": {"enum": ["tcp", "udp", "raw", "any"]},
                "trigger": {"type": "string"},
                "shell": {"type": "boolean"},
                "login": {"type": "boolean"},
                "authentication": {"type": "string"},
                "purpose": {"type": "string"},
            }}},
        "keys": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "anyOf": [{"required": ["fingerprint"]}, {"required": ["path"]}],
            "properties": {
                "fingerprint": _STR,
                "path": _STR,
                "purpose": {"type": "string"},
                "private": {"type": "boolean"},
                "description": {"type": "string"},
            }}},
        "endpoints": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "anyOf": [{"required": ["url"]}, {"required": ["host"]}],
            "properties": {
                "url": _STR,
                "host": _STR,
                "purpose": {"type": "string"},
            }}},
        "accepted": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["reason", "reviewer"],
            "anyOf": [{"required": ["fingerprint"]}, {"required": ["rule", "path"]}],
            "properties": {
                "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{8,64}$"},
                "rule": _STR,
                "path": _STR,
                "reason": _STR,
                "reviewer": _STR,
                "date": {"type": ["string"]},
            }}},
    },
}


class DeclarationError(Exception):
    """The declaration file cannot be read or does not follow the schema (usage error, exit 2)."""


@dataclass
class Declaration:
    source: str
    accounts: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    keys: list[dict[str, Any]] = field(default_factory=list)
    endpoints: list[dict[str, Any]] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    product: str = ""
    release: str = ""

    @classmethod
    def from_dict(cls, doc: Any, source: str = "declaration") -> "Declaration":
        validate(doc, source)
        return cls(
            source=source,
            accounts=list(doc.get("accounts") or []),
            services=list(doc.get("services") or []),
            keys=list(doc.get("keys") or []),
            endpoints=list(doc.get("endpoints") or []),
            accepted=list(doc.get("accepted") or []),
            product=str(doc.get("product") or ""),
            release=str(doc.get("release") or ""),
        )


def validate(doc: Any, source: str = "declaration") -> None:
    """Raise :class:`DeclarationError` listing every schema violation with its location."""
    import jsonschema  # half a second to import: only when a declaration is read

    validator = jsonschema.Draft202012Validator(SCHEMA)
    problems = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    if problems:
        lines = [f"{source}: {_where(e)}: {_explain(e)}" for e in problems[:20]]
        if len(problems) > 20:
            lines.append(f"{source}: ... and {len(problems) - 20} more problems")
        raise DeclarationError("\n".join(lines))


def _where(error: Any) -> str:
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _explain(error: Any) -> str:
    if error.validator == "additionalProperties":
        allowed = sorted((error.schema.get("properties") or {}).keys())
        return f"{error.message} (allowed keys: {', '.join(allowed)})"
    if error.validator == "anyOf":
        needs = [" and ".join(s.get("required", [])) for s in error.validator_value]
        return f"needs {' or '.join(needs)}"
    if error.validator == "const" and list(error.absolute_path) == ["version"]:
        return f"unsupported version {error.instance!r} (this nobackdoor reads version {DECLARATION_VERSION})"
    return error.message


def load(path: str | Path) -> Declaration:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_DECLARATION_BYTES:
            raise DeclarationError(f"{path}: larger than {MAX_DECLARATION_BYTES // (1 << 20)} MiB; not a declaration")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DeclarationError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise DeclarationError(f"{path}: not UTF-8 text") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise DeclarationError(f"{path}: {where}not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    if doc is None:
        raise DeclarationError(f"{path}: empty file (a declaration needs at least 'version: {DECLARATION_VERSION}')")
    return Declaration.from_dict(doc, str(path))


# ---------------------------------------------------------------- matching


def _norm(path: str | None) -> str:
    return posixpath.normpath(path).lstrip("/") if path else ""


def _base(path: str | None) -> str:
    return posixpath.basename(path.rstrip("/")) if path else ""


def _program_matches(declared: str, written: str | None, resolved: str | None) -> bool:
    """A declared program name matches a service by basename, or by path when it holds a '/'."""
    if "/" in declared:
        want = _norm(declared)
        return want in {_norm(written), _norm(resolved)}
    return declared in {_base(written), _base(resolved)}


def _port(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _path_suffix_matches(pattern: str, path: str) -> bool:
    """True when ``path`` ends with the components of ``pattern`` (glob characters allowed)."""
    want = [p for p in pattern.strip("/").split("/") if p]
    have = [p for p in path.split("/") if p]
    if not want or len(want) > len(have):
        return False
    return all(fnmatch.fnmatchcase(h, w) for h, w in zip(have[-len(want):], want))


def account_login(data: dict[str, Any]) -> bool:
    if "login" in data:  # the accounts analyzer knows (an empty shell field means /bin/sh)
        return bool(data["login"])
    return (data.get("shell") or "") not in NO_LOGIN_SHELLS


def account_usable(data: dict[str, Any]) -> bool:
    return data.get("password") in ("empty", "set", "default")


def _match_account(obs: dict[str, Any], decl: list[dict[str, Any]], relpath: str) -> tuple[dict | None, str]:
    """The declaration entry for an observed account, and what differs from it ('' if nothing)."""
    for entry in decl:
        if entry["user"] != obs.get("user"):
            continue
        if entry.get("file") and not _path_suffix_matches(entry["file"], relpath):
            continue  # the same name in another account store (a web UI's user file, say)
        problems = []
        if "uid" in entry and str(entry["uid"]) != str(obs.get("uid")):
            problems.append(f"uid {obs.get('uid')} (declared {entry['uid']})")
        if entry.get("login") is False and account_login(obs) and account_usable(obs):
            problems.append(f"login shell {obs.get('shell')} with a usable password (declared without login)")
        declared_pw = entry.get("password", "any")
        if declared_pw != "any" and obs.get("password") and obs.get("password") != declared_pw:
            problems.append(f"password {obs.get('password')} (declared {declared_pw})")
        return entry, "; ".join(problems)
    return None, ""


def _match_service(obs: dict[str, Any], decl: list[dict[str, Any]]) -> tuple[dict | None, str]:
    candidates = [e for e in decl if _program_matches(e["program"], obs.get("program"), obs.get("program_path"))]
    if not candidates:
        return None, ""
    problems: list[str] = []
    port = _port(obs.get("port"))
    for entry in candidates:
        problems = []
        if port is not None and port not in (entry.get("ports") or []):
            problems.append(f"port {port} not declared for {entry['program']}")
        if obs.get("shell") and not entry.get("shell"):
            problems.append("gives a shell, declared without one")
        if obs.get("login") and not (entry.get("login") or entry.get("shell")):
            problems.append("offers a login, declared without one")
        if entry.get("trigger") and obs.get("trigger") and entry["trigger"] != obs["trigger"]:
            problems.append(f"started by {obs['trigger']} (declared {entry['trigger']})")
        if not problems:
            return entry, ""
    return candidates[0], "; ".join(problems)


def _protocol_ok(declared: str | None, observed: str | None) -> bool:
    return not declared or declared == "any" or not observed or declared == observed


def _match_listener(obs: dict[str, Any], decl: list[dict[str, Any]]) -> dict | None:
    port = _port(obs.get("port"))
    for entry in decl:
        if not _protocol_ok(entry.get("protocol"), obs.get("protocol")):
            continue
        if port is not None and port in (entry.get("ports") or []):
            return entry
        # a port the program computes at run time (read from its configuration): the declared
        # service it belongs to covers it, and its configured port is checked on its own
        if port is None and _program_matches(entry["program"], obs.get("program_path"), obs.get("program_path")):
            return entry
    return None


def describe_port(data: dict[str, Any]) -> str:
    port = _port(data.get("port"))
    proto = data.get("protocol") or "tcp"
    return f"{proto}/{port}" if port is not None else f"a {proto} port set at run time"


def _fp(value: str | None) -> str:
    value = (value or "").strip()
    return value[7:] if value.upper().startswith("SHA256:") else value


def _key_is_private(data: dict[str, Any]) -> bool:
    return bool(data.get("private")) or data.get("purpose") == "private-key"


def _match_key(obs: Observation, decl: list[dict[str, Any]], relpath: str) -> dict | None:
    fp = _fp(obs.data.get("fingerprint"))
    for entry in decl:
        # a certificate shares its fingerprint with its private key: declaring one is not declaring both
        if _key_is_private(obs.data) and not _key_is_private(entry):
            continue
        if entry.get("purpose") and obs.data.get("purpose") and entry["purpose"] != obs.data["purpose"]:
            continue
        if entry.get("fingerprint") and fp and _fp(entry["fingerprint"]) == fp:
            return entry
        if entry.get("path") and not entry.get("fingerprint") and _path_suffix_matches(entry["path"], relpath or obs.path):
            return entry
    return None


def endpoint_host(data: dict[str, Any]) -> str:
    host = data.get("host") or ""
    if not host and data.get("url"):
        try:
            host = urlsplit(str(data["url"])).hostname or ""
        except ValueError:
            host = ""
    return (host or data.get("ip") or "").lower().rstrip(".")


def _match_endpoint(obs: dict[str, Any], decl: list[dict[str, Any]]) -> dict | None:
    url = str(obs.get("url") or "")
    host = endpoint_host(obs)
    ip = str(obs.get("ip") or "")
    for entry in decl:
        if entry.get("url") and url and url.startswith(entry["url"]):
            return entry
        want = (entry.get("host") or "").lower().rstrip(".")
        if want and (host == want or host.endswith("." + want) or ip == want):
            return entry
    return None


# ---------------------------------------------------------------- severities of undeclared objects


def account_severity(data: dict[str, Any]) -> Severity:
    if str(data.get("uid")) == "0" and (account_usable(data) or data.get("user") != "root"):
        return Severity.HIGH
    if account_login(data) and account_usable(data):
        return Severity.HIGH
    if account_usable(data):
        return Severity.MEDIUM
    return Severity.LOW


def service_rule_and_severity(data: dict[str, Any], prefix: str) -> tuple[str, Severity]:
    """Network-reachable or shell-giving services are serious; a console shell is a debug interface."""
    port = _port(data.get("port"))
    if port is None and data.get("shell"):
        return f"{prefix}.{'undeclared' if prefix == 'declaration' else 'new'}-console", Severity.HIGH
    name = f"{prefix}.{'undeclared' if prefix == 'declaration' else 'new'}-service"
    if port is not None and (data.get("shell") or data.get("login")):
        return name, Severity.HIGH
    if port is not None:
        return name, Severity.MEDIUM
    if data.get("login"):
        return name, Severity.MEDIUM  # a getty on a console still asks for a password
    return name, Severity.LOW


def key_severity(data: dict[str, Any]) -> tuple[str | None, Severity]:
    """Category override and severity for key material: private and authorized keys grant access."""
    purpose = data.get("purpose") or ""
    if purpose == "authorized-key":
        return "remote-access", Severity.HIGH
    if data.get("private") or purpose == "private-key":
        return None, Severity.HIGH
    if purpose == "host-key":
        return None, Severity.MEDIUM
    return None, Severity.LOW


def endpoint_severity(data: dict[str, Any]) -> Severity:
    return {"fetch-and-run": Severity.HIGH, "download": Severity.MEDIUM}.get(data.get("context") or "", Severity.LOW)


def describe_service(data: dict[str, Any]) -> str:
    parts = [str(data.get("program") or data.get("program_path") or "?")]
    if data.get("args"):
        parts.append(" ".join(map(str, data["args"]))[:200])
    text = " ".join(parts)
    extra = []
    if data.get("trigger"):
        extra.append(f"started by {data['trigger']}")
    if _port(data.get("port")) is not None:
        extra.append(f"port {data.get('protocol') or ''}/{data['port']}".replace(" /", " "))
    if data.get("shell"):
        extra.append("gives a shell")
    return f"{text} ({', '.join(extra)})" if extra else text


def describe_endpoint(data: dict[str, Any]) -> str:
    return str(data.get("url") or endpoint_host(data) or "?")


# ---------------------------------------------------------------- apply


def relpath_map(result: ScanResult) -> dict[str, str]:
    return {f.path: f.relpath for f in result.files}


def _relpath(path: str, data: dict[str, Any], rels: dict[str, str]) -> str:
    return data.get("_relpath") or rels.get(path) or path


def apply(result: ScanResult, declaration: Declaration) -> None:
    """Mark observations declared/undeclared, add findings for undeclared ones, set aside accepted findings."""
    rels = relpath_map(result)
    new: list[Finding] = []
    used: set[tuple[str, int]] = set()
    counts = {k: {"declared": 0, "undeclared": 0} for k in ("account", "service", "listener", "key", "endpoint")}

    def mark(obs: Observation, entry: dict | None, section: str, decl: list, problem: str = "") -> bool:
        ok = entry is not None and not problem
        obs.data["declared"] = ok
        if entry is not None:
            used.add((section, next(i for i, e in enumerate(decl) if e is entry)))
        counts[obs.kind]["declared" if ok else "undeclared"] += 1
        return ok

    for obs in result.observations_of("account"):
        entry, problem = _match_account(obs.data, declaration.accounts, _relpath(obs.path, obs.data, rels))
        if mark(obs, entry, "accounts", declaration.accounts, problem):
            continue
        user = obs.data.get("user", "?")
        why = f"differs from the declaration: {problem}" if entry else "is not in the declaration"
        where = obs.path
        if "password" in problem and where.endswith("etc/passwd") and where[:-6] + "shadow" in rels:
            where = where[:-6] + "shadow"  # the password that differs lives in shadow
        new.append(rule("declaration.undeclared-account").finding(
            where, f"account '{user}' (uid {obs.data.get('uid')}, shell {obs.data.get('shell') or '-'}, "
                      f"password {obs.data.get('password', '?')}) {why}",
            severity=account_severity(obs.data) if not entry or "uid" in problem or "password" in problem
            else Severity.MEDIUM,
            evidence={"user": user, "uid": obs.data.get("uid"), "shell": obs.data.get("shell"),
                      "password": obs.data.get("password"), "difference": problem or None,
                      "_relpath": rels.get(where) or _relpath(obs.path, obs.data, rels)}))

    for obs in result.observations_of("service"):
        entry, problem = _match_service(obs.data, declaration.services)
        if mark(obs, entry, "services", declaration.services, problem):
            continue
        rule_id, severity = service_rule_and_severity(obs.data, "declaration")
        why = f"differs from the declaration: {problem}" if entry else "is not in the declaration"
        new.append(rule(rule_id).finding(
            obs.path, f"service {describe_service(obs.data)} {why}", severity=severity,
            line=_source_line(obs.data.get("source")),
            evidence={"program": obs.data.get("program"), "args": obs.data.get("args"),
                      "trigger": obs.data.get("trigger"), "port": obs.data.get("port"),
                      "shell": bool(obs.data.get("shell")), "difference": problem or None,
                      "_relpath": _relpath(obs.path, obs.data, rels)}))

    for obs in result.observations_of("listener"):
        entry = _match_listener(obs.data, declaration.services)
        if mark(obs, entry, "services", declaration.services):
            continue
        port = obs.data.get("port")
        # a port read out of a binary's code is a weaker fact than a port in a configuration file
        severity = Severity.MEDIUM if obs.data.get("source") == "binary" else Severity.HIGH
        new.append(rule("declaration.undeclared-listener").finding(
            obs.path, f"{obs.data.get('program_path') or 'a program'} listens on {describe_port(obs.data)}, "
                      "which no declared service uses",
            severity=severity,
            evidence={"port": port, "protocol": obs.data.get("protocol"), "program_path": obs.data.get("program_path"),
                      "_relpath": _relpath(obs.path, obs.data, rels)}))

    for obs in result.observations_of("key"):
        relpath = _relpath(obs.path, obs.data, rels)
        entry = _match_key(obs, declaration.keys, relpath)
        if mark(obs, entry, "keys", declaration.keys):
            continue
        category, severity = key_severity(obs.data)
        what = obs.data.get("purpose") or ("private key" if obs.data.get("private") else "key")
        new.append(rule("declaration.undeclared-key").finding(
            obs.path, f"{what} {obs.data.get('type') or ''} {obs.data.get('fingerprint') or ''} is not in the declaration"
            .replace("  ", " "), severity=severity, category=category,
            evidence={"fingerprint": obs.data.get("fingerprint"), "type": obs.data.get("type"),
                      "purpose": obs.data.get("purpose"), "private": obs.data.get("private"), "_relpath": relpath}))

    for obs in result.observations_of("endpoint"):
        entry = _match_endpoint(obs.data, declaration.endpoints)
        if mark(obs, entry, "endpoints", declaration.endpoints):
            continue
        new.append(rule("declaration.undeclared-endpoint").finding(
            obs.path, f"remote endpoint {describe_endpoint(obs.data)} ({obs.data.get('context') or 'referenced'}) "
                      "is not in the declaration", severity=endpoint_severity(obs.data),
            evidence={"url": obs.data.get("url"), "host": endpoint_host(obs.data), "context": obs.data.get("context"),
                      "_relpath": _relpath(obs.path, obs.data, rels)}))

    result.findings.extend(new)
    accepted, unmatched = _set_aside_accepted(result, declaration, rels)
    unused = [
        {"section": section, "entry": _entry_name(e)}
        for section, decl in (("accounts", declaration.accounts), ("services", declaration.services),
                              ("keys", declaration.keys), ("endpoints", declaration.endpoints))
        for i, e in enumerate(decl) if (section, i) not in used
    ]
    result.extra["declaration"] = {
        "file": declaration.source,
        "product": declaration.product,
        "release": declaration.release,
        "observed": counts,
        "undeclared_findings": len(new),
        "accepted_findings": len(accepted),
        "not_observed": unused,  # declared but not seen: the declaration may be out of date
        "accepted_entries_unmatched": unmatched,
    }
    result.extra["accepted"] = accepted


def _source_line(source: Any) -> int | None:
    if isinstance(source, str) and ":" in source:
        tail = source.rsplit(":", 1)[1]
        if tail.isdigit():
            return int(tail)
    return None


def _entry_name(entry: dict[str, Any]) -> str:
    for key in ("user", "program", "fingerprint", "url", "host", "path"):
        if entry.get(key):
            return str(entry[key])
    return "?"


def accepted_entry_matches(entry: dict[str, Any], finding: Finding, relpath: str,
                           release_fingerprint: str | None = None) -> bool:
    """``release_fingerprint``: the identity the scan store and diff use (see nobackdoor.saved), which
    differs from ``finding.fingerprint`` only for names that change with each release."""
    if entry.get("fingerprint"):
        return finding.fingerprint.startswith(entry["fingerprint"]) or bool(
            release_fingerprint and release_fingerprint.startswith(entry["fingerprint"]))
    return fnmatch.fnmatchcase(finding.rule, entry["rule"]) and (
        _path_suffix_matches(entry["path"], relpath) or _path_suffix_matches(entry["path"], finding.path))


def _set_aside_accepted(result: ScanResult, declaration: Declaration,
                        rels: dict[str, str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Findings the reviewer accepted leave ``findings`` (and so the exit status) but stay reported."""
    if not declaration.accepted:
        return [], []
    release_rels = normalised_relpaths(result)
    keep, accepted = [], []
    hits = [0] * len(declaration.accepted)
    for finding in result.findings:
        relpath = _relpath(finding.path, finding.evidence, rels)
        if not finding.evidence.get("_relpath") and relpath != finding.path:
            finding.evidence["_relpath"] = relpath  # the identity the reviewer's fingerprint was computed on
        release_fp = None
        if release_rels.get(finding.path, relpath) != relpath:
            release_fp = dataclasses.replace(
                finding, evidence={**finding.evidence, "_relpath": release_rels[finding.path]}).fingerprint
        for i, entry in enumerate(declaration.accepted):
            if accepted_entry_matches(entry, finding, relpath, release_fp):
                hits[i] += 1
                doc = finding.to_dict()
                doc["acceptance"] = {k: entry[k] for k in ("reason", "reviewer", "date") if k in entry}
                accepted.append(doc)
                break
        else:
            keep.append(finding)
    result.findings[:] = keep
    unmatched = [{k: v for k, v in e.items() if k in ("fingerprint", "rule", "path")}
                 for e, n in zip(declaration.accepted, hits) if n == 0]
    return accepted, unmatched


def post_stage(declaration: Declaration):
    """A pipeline post-stage applying ``declaration`` to the scan result."""
    def stage(result: ScanResult) -> None:
        apply(result, declaration)
    return stage


# ---------------------------------------------------------------- drafting


def draft(result: ScanResult) -> str:
    """A declaration listing everything the scan observed, for the vendor to edit and justify.

    Findings are listed as commented-out ``accepted`` entries: accepting one is a reviewer's decision,
    never the default.
    """
    accounts: dict[str, dict[str, Any]] = {}
    for obs in result.observations_of("account"):
        d = obs.data
        rel = _relpath(obs.path, d, relpath_map(result))
        entry = {"user": d.get("user")}
        if not rel.endswith("etc/passwd"):
            entry["file"] = rel  # a web UI's or a daemon's own user list
        if d.get("uid") is not None:
            entry["uid"] = _int_or_str(d.get("uid"))
        entry["login"] = account_login(d) and account_usable(d)
        if d.get("password") in ("locked", "empty", "set", "default"):
            entry["password"] = d["password"]
        entry["purpose"] = "TODO: why this account exists"
        accounts.setdefault(f"{d.get('user')}\0{entry.get('file', '')}", entry)

    services: dict[tuple, dict[str, Any]] = {}
    for obs in result.observations_of("service"):
        d = obs.data
        name = _base(d.get("program")) or _base(d.get("program_path")) or "?"
        entry = services.setdefault((name,), {"program": name, "ports": []})
        port = _port(d.get("port"))
        if port is not None and port not in entry["ports"]:
            entry["ports"].append(port)
        if d.get("shell"):
            entry["shell"] = True
        if d.get("login"):
            entry["login"] = True
    for obs in result.observations_of("listener"):
        d = obs.data
        port = _port(d.get("port"))
        name = _base(d.get("program_path")) or "?"
        if port is None:
            if not any(_program_matches(e["program"], d.get("program_path"), d.get("program_path"))
                       for e in services.values()):
                services.setdefault((name,), {"program": name, "ports": []})
            continue
        if any(port in e["ports"] for e in services.values()):
            continue
        entry = services.setdefault((name,), {"program": name, "ports": []})
        entry["ports"].append(port)
    for entry in services.values():
        entry["ports"].sort()
        if not entry["ports"]:
            del entry["ports"]
        entry["authentication"] = "TODO: none | password | publickey | certificate | ..."
        entry["purpose"] = "TODO"

    keys = []
    for obs in result.observations_of("key"):
        d = obs.data
        rel = _relpath(obs.path, d, relpath_map(result))
        entry = {"fingerprint": d["fingerprint"]} if d.get("fingerprint") else {"path": rel}
        entry["purpose"] = d.get("purpose") or "TODO"
        if _key_is_private(d):
            entry["private"] = True
        entry["description"] = f"TODO (seen in {rel})"
        if entry not in keys:
            keys.append(entry)

    endpoints: list[dict[str, Any]] = []
    for obs in result.observations_of("endpoint"):
        d = obs.data
        entry = {"url": d["url"]} if d.get("url") else {"host": endpoint_host(d)}
        if not entry.get("url") and not entry.get("host"):
            continue
        if entry not in endpoints:
            endpoints.append(entry)
    for e in endpoints:
        e["purpose"] = "TODO"

    doc: dict[str, Any] = {"version": DECLARATION_VERSION, "product": "TODO", "release": "TODO"}
    for name, items in (("accounts", list(accounts.values())), ("services", list(services.values())),
                        ("keys", keys), ("endpoints", endpoints)):
        doc[name] = items
    header = (
        "# nobackdoor declaration drafted from a scan of\n"
        f"#   {result.target.path} (sha256 {result.target.sha256})\n"
        "# Everything the scan observed is listed. Remove what the product must not contain, replace every\n"
        "# TODO with the real purpose and authentication, and keep this file with the release.\n"
        "# Format: docs/declaration.md. Check it with: nobackdoor scan TARGET --declaration nobackdoor.yml\n"
    )
    body = yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, width=100, allow_unicode=True)
    findings = sorted(result.findings, key=lambda f: (-f.severity.rank, f.sort_key()))
    lines = ["accepted: []",
             "# Findings of this scan. To accept one, a reviewer copies its entry above (into the list),",
             "# uncommented, with the real reason: an accepted finding no longer fails the scan."]
    for f in findings[:200]:
        lines.append(f"#  - fingerprint: {f.fingerprint}   # {f.severity.value} {f.rule}: {f.message[:100]}")
        lines.append("#    reason: TODO")
        lines.append("#    reviewer: TODO")
    if len(findings) > 200:
        lines.append(f"# ... {len(findings) - 200} more findings not listed")
    return header + body + "\n".join(lines) + "\n"


def _int_or_str(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value
