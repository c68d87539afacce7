"""``release-check``: is the delivered release the reviewed repository at its tag?

1. open the repository and the release (:mod:`.repo`), find the tag of the release's version;
2. ``git archive`` the tag and compare file by file (:mod:`.compare`);
3. for autotools projects, regenerate the build system from the tag and check every generated file
   of the release against it (:mod:`.autotools`);
4. judge each difference: expected (verified generated file, version stamp, generated documentation)
   or unexplained (build machinery, code, data the build reads, ...) and turn it into findings;
5. scan the release itself with the normal pipeline, since it is a source tree, and merge.
"""
from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..models import Finding, ScanError, ScanResult, Severity, Target
from ..ruleset import rule
from . import autotools, compare, gnulib
from .compare import BUILD, CODE, DATA, DOC, GENERATED, VERSION_STAMP, FileDiff
from .repo import Release, ReleaseError, guess_tag, list_files, open_release, open_repo, release_version

ScanFn = Callable[[Path], ScanResult]


@dataclass
class ReleaseCheckOptions:
    ref: str | None = None
    regenerate: bool = True
    gnulib: str | None = None  # gnulib source tree for projects that bootstrap from it
    scan: ScanFn | None = None  # the normal pipeline over the release; None skips it
    progress: Callable[[str], None] = field(default=lambda msg: None)


@dataclass
class _Judged:
    findings: list[Finding] = field(default_factory=list)
    expected: list[dict] = field(default_factory=list)  # explained differences
    missing: list[str] = field(default_factory=list)  # tag files not in the release


def release_check(repo_path: str | Path, release_path: str | Path, opts: ReleaseCheckOptions | None = None) -> ScanResult:
    opts = opts or ReleaseCheckOptions()
    t0 = time.monotonic()
    with open_repo(repo_path) as repo, open_release(release_path) as release, \
            tempfile.TemporaryDirectory(prefix="nobackdoor-rc-") as tmp:
        work = Path(tmp)
        name, version = release_version(release)
        # a release given as a checkout: its own .git is not part of what is delivered
        release_files = {rel: p for rel, p in list_files(release.root).items() if not rel.startswith(".git/")}
        ref, ref_note = opts.ref, ""
        if ref is None:
            ref = guess_tag(repo.tags(), name, version) if version else None
            if ref is None:
                ref, ref_note = _closest_ref(repo, release_files, work / "candidates")
                ref_note = (f"no tag names version {version}" if version else "the release's version is unknown") + \
                    f"; compared with {ref}, the {ref_note} (give --ref TAG to choose)"
        commit = repo.resolve(ref)
        if commit is None:
            raise ReleaseError(f"{repo_path}: no commit named {ref!r}")
        opts.progress(f"exporting {ref}")
        repo.export(commit, work / "tag")
        repo_files = list_files(work / "tag")
        is_autotools = any(n in repo_files for n in ("configure.ac", "configure.in"))
        comparison = compare.compare_trees(release_files, repo_files, is_autotools)

        regen = None
        if is_autotools and opts.regenerate and any(d.status != "removed" for d in comparison.diffs):
            opts.progress("regenerating the build system from the tag")
            regen = autotools.regenerate(work / "tag", release.root, work / "regen", repo.commit_time(commit))
        vendored = None
        if gnulib.uses_gnulib(repo_files):
            vendored = _Vendored(gnulib.gnulib_tree(opts.gnulib))
        submodules = repo.submodules(commit)
        judged = judge(comparison, regen, release_files, ref, vendored, set(repo_files), submodules)
        t_compare = time.monotonic()

        summary = {
            "repository": str(repo_path),
            "ref": ref,
            **({"ref_guess": ref_note} if ref_note else {}),
            "commit": commit,
            "version": version,
            "autotools": is_autotools,
            "release_files": len(release_files),
            "identical_files": len(comparison.identical),
            **({"gnulib": str(vendored.tree) if vendored.tree else "not available"} if vendored else {}),
            "differences": [{"path": d.relpath, "status": d.status, "role": d.role} for d in comparison.diffs
                            if d.status != "removed"],
            "explained": judged.expected,
            "only_in_repository": judged.missing,
        }
        if regen is not None:
            summary["regeneration"] = regen.summary()

    result = None
    if opts.scan is not None:
        opts.progress("scanning the release")
        try:
            result = opts.scan(Path(release_path))
        except Exception as exc:  # a failing scan must not lose the comparison's findings
            scan_error = ScanError("", f"scan of the release failed: {type(exc).__name__}: {exc}")
        else:
            scan_error = None
    if result is None:
        result = ScanResult(target=Target(str(release_path), "", 0, "release"), tool_version=__version__)
        result.target.sha256, result.target.size = _digest(Path(release_path))
        if opts.scan is not None and scan_error is not None:
            result.errors.append(scan_error)
        result.stats = {"files": summary["release_files"], "bytes": result.target.size}
    result.target.kind = "release"
    to_path = _path_mapper(result, release)
    for f in judged.findings:
        f.evidence.setdefault("_relpath", f.path)
        f.path = to_path(f.path)
    result.findings = _merge(result.findings, judged.findings)
    result.extra["release"] = summary
    result.stats["release_check_seconds"] = round(t_compare - t0, 3)
    result.stats["seconds"] = round(time.monotonic() - t0, 3)
    if ref_note:
        result.errors.append(ScanError("", ref_note))
    if regen is not None and not regen.ok:
        result.errors.append(ScanError("", f"could not regenerate the build system from {ref}: {regen.error}"))
    return result


def _digest(path: Path) -> tuple[str, int]:
    """sha256 of an archive, or of the sorted (path, content digest) list of a directory."""
    import hashlib

    h = hashlib.sha256()
    if path.is_file():
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest(), path.stat().st_size
    total = 0
    for rel, p in sorted(list_files(path).items()):
        data = p.read_bytes() if p.is_file() and not p.is_symlink() else b""
        total += len(data)
        h.update(f"{rel}\0{hashlib.sha256(data).hexdigest()}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest(), total


#: recent tags tried when the release's version names none
CANDIDATE_TAGS = 8


def _closest_ref(repo, release_files: dict[str, Path], work: Path) -> tuple[str, str]:
    """The recent tag (or HEAD) whose tree shares the most identical files with the release."""
    candidates = repo.recent_tags(CANDIDATE_TAGS)
    if not candidates:
        return "HEAD", "repository's HEAD (it has no tags)"
    best, best_score = candidates[0], -1
    for i, tag in enumerate(candidates):
        commit = repo.resolve(tag)
        if commit is None:
            continue
        dest = work / str(i)
        repo.export(commit, dest)
        files = list_files(dest)
        score = sum(1 for rel, p in files.items() if rel in release_files and compare.same_file(p, release_files[rel]))
        if score > best_score:
            best, best_score = tag, score
    return best, f"recent tag sharing the most identical files ({best_score}) with the release"


def _merge(scanned: list[Finding], checked: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in checked + scanned:
        key = (f.rule, f.path, f.line, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return sorted(out, key=Finding.sort_key)


def _path_mapper(result: ScanResult, release: Release) -> Callable[[str], str]:
    """Paths inside the release, spelled as the scan spells them (container chain for archives)."""
    if not release.top and release.source.is_dir():
        return lambda rel: rel
    prefix = f"{release.top}/" if release.top else ""
    by_rel: dict[str, str] = {}
    for entry in sorted(result.files, key=lambda e: len(e.path)):
        by_rel.setdefault(entry.relpath, entry.path)
    fallback = prefix if release.source.is_dir() else f"{release.source.name}/{prefix}"
    return lambda rel: by_rel.get(prefix + rel) or fallback + rel


# ---------------------------------------------------------------- judging


@dataclass
class _Vendored:
    tree: Path | None  # gnulib source tree, when one is available


def judge(comparison: compare.Comparison, regen: autotools.Regeneration | None, release_files: dict[str, Path],
          ref: str, vendored: _Vendored | None = None, repo_names: set[str] | None = None,
          submodules: dict[str, str] | None = None) -> _Judged:
    out = _Judged()
    unverified: list[str] = []  # generated-looking files nothing could check
    from_gnulib: list[str] = []  # files bootstrap may have copied from gnulib, with no copy to compare
    in_submodule: dict[str, list[str]] = {}  # submodule path -> release files inside it
    data_diffs: list[FileDiff] = []
    changed_data = {d.relpath for d in comparison.diffs if d.status != "removed" and (d.role == DATA or d.binary)}
    for d in comparison.diffs:
        if d.status == "removed":
            _judge_removed(d, regen, out)
            continue
        if regen is not None and regen.ok and _regenerated(d, regen):
            _judge_generated(d, regen, ref, out)
            continue
        if d.role == GENERATED and d.repo_path is not None:
            d.role = BUILD  # a committed build file that regeneration leaves alone: reviewed source
        sub = next((p for p in (submodules or {}) if d.relpath.startswith(p + "/")), None)
        if sub is not None and d.status == "added":
            in_submodule.setdefault(sub, []).append(d.relpath)
            continue
        if vendored is not None and d.status == "added" and d.release_path is not None:
            possible, counterpart = gnulib.origin(d.relpath, vendored.tree)
            if possible:
                same = gnulib.verify(d.release_path, counterpart)
                if same:
                    out.expected.append({"path": d.relpath, "why": f"copied from gnulib, identical to {counterpart}"})
                elif same is None:
                    from_gnulib.append(d.relpath)
                else:
                    _gnulib_differs(d, counterpart, ref, out)
                continue
        if d.role == GENERATED and d.repo_path is None:
            v = autotools.system_macro(d.relpath, d.release_path) if d.release_path is not None else None
            if v is None:
                unverified.append(d.relpath)
            else:
                _report_verdict(d, v, None, ref, out)
            continue
        if d.role == CODE and d.status == "added" and _generated_from(d.relpath, repo_names or set()):
            unverified.append(d.relpath)  # parser/scanner output make dist ships (bison, flex, gperf, ...)
            continue
        if d.role == VERSION_STAMP and _is_small_stamp(d.release_path):
            out.expected.append({"path": d.relpath, "why": "version stamp written by make dist"})
            continue
        if d.role == DOC and not d.binary:
            out.expected.append({"path": d.relpath, "why": "documentation generated at release time"})
            continue
        if d.role in (BUILD, CODE) and not d.binary:
            out.findings.append(_code_change(d, ref, changed_data))
            continue
        if d.role == DATA or d.binary:
            data_diffs.append(d)  # judged once every build change is known
            continue
        out.findings.append(rule("release.unexplained-file").finding(
            d.relpath, _status_text(d, ref), evidence={"status": d.status, "role": d.role}))
    _judge_data(data_diffs, release_files, ref, out)
    for sub, files in sorted(in_submodule.items()):
        out.findings.append(rule("release.generated-unverified").finding(
            files[0], f"{len(files)} file(s) come from submodule {sub}, pinned by {ref} at commit "
                      f"{(submodules or {})[sub][:12]}, whose repository was not given: compare them with it",
            evidence={"submodule": sub, "commit": (submodules or {})[sub], "files": files[:500]}))
    if from_gnulib:
        where = from_gnulib[0]
        out.findings.append(rule("release.generated-unverified").finding(
            where, f"{len(from_gnulib)} file(s) not in the repository at {ref} look copied from gnulib by bootstrap "
                   f"but could not be compared with gnulib (give --gnulib DIR): {', '.join(from_gnulib[:6])}"
                   f"{', ...' if len(from_gnulib) > 6 else ''}",
            evidence={"files": from_gnulib[:500], "reason": "no gnulib tree to compare with"}))
    if unverified:
        reason = regen.error if regen is not None and regen.error else "regeneration was not run"
        where = "configure" if "configure" in unverified else unverified[0]
        out.findings.append(rule("release.generated-unverified").finding(
            where, f"{len(unverified)} generated-looking file(s) not in the repository could not be checked "
                   f"against {ref} ({reason}): {', '.join(unverified[:6])}{', ...' if len(unverified) > 6 else ''}",
            evidence={"files": unverified[:200], "reason": reason}))
    return out


def _judge_data(diffs: list[FileDiff], release_files: dict[str, Path], ref: str, out: _Judged) -> None:
    """Changed data is obfuscated-code when the build reads it: a build file names it, or a changed build
    line names its directory (a loop over the test files)."""
    changed_lines = {f.evidence.get("_relpath", f.path): f.evidence.get("_added", []) for f in out.findings
                     if f.category == "build-tampering" and f.evidence.get("_added")}
    texts = compare.build_texts(release_files) if diffs else {}
    for d in diffs:
        refs = compare.build_references(d.relpath, texts)
        directory = d.relpath.rsplit("/", 1)[0] if "/" in d.relpath else ""
        if not refs and len(directory) >= 3:
            for build_file, lines in sorted(changed_lines.items()):
                hit = next(((n, t) for n, t in lines if directory in t), None)
                if hit:
                    refs.append({"file": build_file, "line": hit[0], "text": hit[1].strip()[:200],
                                 "names": "its directory, in a changed line"})
        if refs:
            out.findings.append(_data_read_by_build(d, ref, refs))
            for f in out.findings:  # let the build change say which changed data it reads
                if f.evidence.get("_relpath", f.path) in {r["file"] for r in refs} and f.category == "build-tampering":
                    reads = set(f.evidence.get("reads_changed_files", [])) | {d.relpath}
                    f.evidence["reads_changed_files"] = sorted(reads)
        else:
            out.findings.append(rule("release.unexplained-data-change").finding(
                d.relpath, f"{_status_text(d, ref)}; it is {'binary' if d.binary else 'test'} data that no "
                           "build file names", evidence=_data_evidence(d)))


def _regenerated(d: FileDiff, regen: autotools.Regeneration) -> bool:
    """Did regeneration create this file or rewrite the tag's copy of it?"""
    produced = regen.files.get(d.relpath)
    if produced is None:
        return d.role == GENERATED and d.repo_path is None
    return d.repo_path is None or not compare.same_file(produced, d.repo_path)


def _gnulib_differs(d: FileDiff, counterpart: Path | None, ref: str, out: _Judged) -> None:
    new, old = compare.read_text(d.release_path), compare.read_text(counterpart)
    evidence: dict = {"status": d.status, "gnulib_file": str(counterpart)}
    if new is not None and old is not None:
        evidence["diff"], added = compare.text_diff(old, new, str(counterpart), f"release/{d.relpath}")
        evidence["lines_added"] = len(added)
    out.findings.append(rule("release.generated-unverified").finding(
        d.relpath, f"{d.relpath} is not in the repository at {ref} and differs from gnulib's {counterpart} "
                   "(another gnulib version, or a modified copy: read the diff)",
        evidence=evidence, severity=Severity.MEDIUM))


#: generators whose output "make dist" ships next to their input (Automake manual, "Yacc and Lex support")
_GENERATOR_INPUTS = (".y", ".yy", ".ypp", ".l", ".ll", ".lpp", ".vala", ".gperf", ".rl", ".re", ".gob", ".x")


def _generated_from(relpath: str, repo_names: set[str]) -> str | None:
    stem = relpath.rsplit(".", 1)[0]
    for suffix in _GENERATOR_INPUTS:
        if stem + suffix in repo_names:
            return stem + suffix
    return None


def _status_text(d: FileDiff, ref: str) -> str:
    return f"{d.relpath} is not in the repository at {ref}" if d.status == "added" else \
        f"{d.relpath} differs from the repository at {ref}"


def _is_small_stamp(path: Path | None) -> bool:
    text = compare.read_text(path)
    return text is not None and len(text) <= 256 and len(text.strip().splitlines()) <= 1


def _judge_removed(d: FileDiff, regen: autotools.Regeneration | None, out: _Judged) -> None:
    out.missing.append(d.relpath)
    if d.role in (CODE, BUILD) and not d.relpath.startswith((".", "ci/")) and "/." not in d.relpath:
        if d.relpath in ("autogen.sh", "bootstrap", "bootstrap.conf") or d.relpath.endswith(
                ("/.gitignore", "CMakePresets.json")):
            return
        out.findings.append(rule("release.missing-from-release").finding(
            d.relpath, f"{d.relpath} is in the reviewed repository but not in the release",
            evidence={"role": d.role}))


#: with other tool versions, at most this many lines may differ for decode-and-run lines among them to count
#: as an injection rather than the version change
_SURGICAL_LINES = 40


def _judge_generated(d: FileDiff, regen: autotools.Regeneration, ref: str, out: _Judged) -> None:
    assert d.release_path is not None
    v = autotools.verify(d.relpath, d.release_path, regen)
    if v.verdict == autotools.UNVERIFIED and d.relpath not in regen.files:
        v = autotools.system_macro(d.relpath, d.release_path) or v
    _report_verdict(d, v, regen, ref, out)


def _report_verdict(d: FileDiff, v: autotools.Verdict, regen: autotools.Regeneration | None, ref: str,
                    out: _Judged) -> None:
    if v.verdict == autotools.VERIFIED:
        out.expected.append({"path": d.relpath, "why": f"generated; {v.reason}"})
        return
    suspicious = compare.decode_and_run(v.added)
    evidence: dict = {"status": d.status, "reason": v.reason, "_added": v.added[:2000], "_relpath": d.relpath}
    if regen is not None:
        evidence.update(recorded_versions=regen.recorded, used_versions=regen.used)
    if v.diff:
        evidence["diff"] = v.diff
        evidence["lines_not_regenerated"] = len(v.added)
    if suspicious and v.verdict != autotools.MISMATCH and len(v.added) > _SURGICAL_LINES:
        suspicious = []  # another tool version rewrote much of the file: its idioms are not an injection
    if suspicious:
        evidence["decode_and_run"] = suspicious[:10]
    if v.verdict == autotools.MISMATCH or suspicious:
        sev = Severity.CRITICAL if suspicious else None
        where = f" at line {suspicious[0]['line']}" if suspicious else (f" at line {v.added[0][0]}" if v.added else "")
        what = " including code that decodes or runs hidden data" if suspicious else ""
        out.findings.append(rule("release.generated-mismatch").finding(
            d.relpath, f"generated file {d.relpath} is not the file the reviewed sources of {ref} generate: "
                       f"{len(v.added)} line(s) regeneration does not produce{what}{where} ({v.reason})",
            line=suspicious[0]["line"] if suspicious else (v.added[0][0] if v.added else None),
            evidence=evidence, severity=sev))
        return
    tools = f" ({_tool_text(regen)})" if regen is not None and regen.mismatched_tools else ""
    out.findings.append(rule("release.generated-unverified").finding(
        d.relpath, f"generated file {d.relpath} could not be verified against {ref}: {v.reason}{tools}",
        evidence=evidence))


def _tool_text(regen: autotools.Regeneration) -> str:
    return ", ".join(f"{t} {v['release']} in the release, {v['regenerated'] or 'none'} here"
                     for t, v in sorted(regen.mismatched_tools.items()))


def _code_change(d: FileDiff, ref: str, changed_data: set[str]) -> Finding:
    new = compare.read_text(d.release_path) or ""
    old = compare.read_text(d.repo_path) if d.repo_path else None
    diff, added = compare.text_diff(old, new, f"{ref}/{d.relpath}", f"release/{d.relpath}")
    suspicious = compare.decode_and_run(added)
    reads = sorted({p for p in changed_data for _, line in added if p.rsplit("/", 1)[-1] in line})
    rule_id = "release.unexplained-build-change" if d.role == BUILD else "release.unexplained-code-change"
    kind = "build file" if d.role == BUILD else "source file"
    if d.status == "added":
        msg = f"{kind} {d.relpath} is not in the repository at {ref}"
    else:
        msg = f"{kind} {d.relpath} differs from the repository at {ref}: {len(added)} line(s) added or changed"
    if suspicious:
        msg += f", including code that decodes or runs hidden data at line {suspicious[0]['line']}"
    if reads:
        msg += f"; the new lines read {', '.join(reads)}, which also differ from the repository"
    evidence = {"status": d.status, "role": d.role, "lines_added": len(added), "diff": diff, "_added": added[:2000],
                "_relpath": d.relpath}
    if suspicious:
        evidence["decode_and_run"] = suspicious[:10]
    if reads:
        evidence["reads_changed_files"] = reads
    line = suspicious[0]["line"] if suspicious else (added[0][0] if added else None)
    return rule(rule_id).finding(d.relpath, msg, line=line, evidence=evidence,
                                 severity=Severity.CRITICAL if suspicious else None)


def _data_evidence(d: FileDiff) -> dict:
    ev: dict = {"status": d.status, "role": d.role, "binary": d.binary}
    if d.release_path is not None and not d.release_path.is_symlink():
        ev.update(compare.binary_change(d.repo_path, d.release_path))
    return ev


def _data_read_by_build(d: FileDiff, ref: str, refs: list[dict]) -> Finding:
    ev = _data_evidence(d)
    ev["read_by"] = refs[:10]
    change = ""
    if d.status == "modified" and "first_difference" in ev:
        change = (f" (first {ev['first_difference']} bytes unchanged, then {ev['changed_bytes']} bytes of "
                  f"entropy {ev['entropy']} bits/byte)")
    what = "binary" if d.binary else "test-data" if d.role == DATA else "data"
    return rule("release.build-reads-altered-data").finding(
        d.relpath, f"{what} file {_status_text(d, ref)}{change}, and build file "
                   f"{refs[0]['file']} (line {refs[0]['line']}) reads it", evidence=ev)
