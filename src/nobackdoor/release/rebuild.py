"""``rebuild-check``: rebuild the reviewed source reproducibly and compare the delivered files with it.

The build runs the user's command (``--build``) in a fresh copy of the source, in an environment that
removes the usual sources of non-determinism (see reproducible-builds.org, "Achieve deterministic
builds"): ``SOURCE_DATE_EPOCH``, umask 022, ``LC_ALL=C``, ``TZ=UTC``, a clean ``HOME``, no user
environment, and the build directory mapped away with ``-ffile-prefix-map`` through compiler
wrappers (so the project's own CFLAGS stay as they are). Without ``--allow-network`` it has no
network when the kernel allows a private network namespace.

This runs the source's build system: that is the point of the check, and also why it should be run
in a disposable machine when the source itself is not trusted.

Each delivered file is matched with a rebuilt file (same path, else same name) and compared after
normalisation: ELF files section by section and function by function (:mod:`.elfcompare`),
``ar`` archives member by member, gzip data by its content, text with the build path replaced.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..models import Finding, ScanError, ScanResult, Severity, Target
from ..ruleset import rule
from . import elfcompare
from .autotools import _network_isolation
from .repo import ReleaseError, is_archive, list_files, safe_extract

DEFAULT_PREFIX = "/build"
MAX_GZIP = 256 * 1024 * 1024
MAX_FUNCTION_FINDINGS = 20  # more differing functions than this: one finding for the whole binary
COMPILERS = ("cc", "gcc", "c++", "g++", "clang", "clang++", "cpp")


class RebuildError(ReleaseError):
    """The source could not be rebuilt (exit status 2)."""


@dataclass
class RebuildOptions:
    command: str
    source_date_epoch: int | None = None
    prefix: str = DEFAULT_PREFIX  # what the build directory is mapped to
    timeout: float = 3600.0
    network: bool = False
    diffoscope: bool = False
    rebuilt: str | None = None  # path of the rebuilt counterpart of a single delivered file


@dataclass
class Build:
    source: Path  # the copy that was built
    out: Path  # $NOBACKDOOR_OUT, for builds that install their outputs
    returncode: int
    log: str
    seconds: float
    environment: dict[str, str] = field(default_factory=dict)
    produced: list[Path] = field(default_factory=list)  # files the build created or changed


def source_date_epoch(source: Path) -> int:
    """The commit time of a git checkout, else the newest file date (a release tarball keeps its dates)."""
    if (source / ".git").exists():
        from .repo import open_repo

        try:
            with open_repo(source) as repo:
                commit = repo.resolve("HEAD")
                if commit:
                    return repo.commit_time(commit)
        except ReleaseError:
            pass
    newest = 0
    for path in list_files(source).values():
        try:
            newest = max(newest, int(path.lstat().st_mtime))
        except OSError:
            continue
    return newest


def reproducible_env(build_dir: Path, out: Path, home: Path, wrappers: Path, epoch: int, prefix: str) -> dict[str, str]:
    return {
        "PATH": f"{wrappers}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(home),
        "LC_ALL": "C",
        "LANG": "C",
        "TZ": "UTC",
        "SOURCE_DATE_EPOCH": str(epoch),
        "PYTHONHASHSEED": "0",
        # kernels and U-Boot stamp these into the image unless told
        "KBUILD_BUILD_TIMESTAMP": f"@{epoch}",
        "KBUILD_BUILD_USER": "build",
        "KBUILD_BUILD_HOST": "build",
        "ZERO_AR_DATE": "1",
        "NOBACKDOOR_OUT": str(out),
        "NOBACKDOOR_PREFIX_MAP": f"{build_dir}={prefix}",
    }


def _write_wrappers(wrappers: Path, build_dir: Path, prefix: str) -> None:
    """``cc``/``gcc``/... in front of PATH that add -ffile-prefix-map and run the real compiler."""
    wrappers.mkdir(parents=True, exist_ok=True)
    path_without = os.environ.get("PATH", "/usr/bin:/bin")
    for name in COMPILERS:
        real = shutil.which(name, path=path_without)
        if real is None:
            continue
        script = wrappers / name
        flag = f"-ffile-prefix-map={build_dir}={prefix}"
        if name == "cpp":
            flag = f"-fmacro-prefix-map={build_dir}={prefix}"
        script.write_text(f"#!/bin/sh\nexec '{real}' '{flag}' \"$@\"\n")
        script.chmod(0o755)


def _copy_source(source: Path, dest: Path) -> Path:
    if source.is_dir():
        target = dest / source.name
        shutil.copytree(source, target, symlinks=True)
        return target
    if not is_archive(source):
        raise RebuildError(f"{source}: not a source directory or archive")
    unpacked = dest / "unpacked"
    safe_extract(source, unpacked)
    entries = list(unpacked.iterdir())
    if len(entries) == 1 and entries[0].is_dir():
        target = dest / entries[0].name
        entries[0].rename(target)
        return target
    return unpacked


def build(source: Path, opts: RebuildOptions, work: Path) -> Build:
    """Copy ``source`` into ``work`` and run the build command there, reproducibly."""
    src_parent = work / "src"
    src_parent.mkdir(parents=True)
    tree = _copy_source(source, src_parent)
    out, home, wrappers = work / "out", work / "home", work / "bin"
    out.mkdir()
    home.mkdir()
    _write_wrappers(wrappers, tree, opts.prefix)
    epoch = opts.source_date_epoch if opts.source_date_epoch is not None else source_date_epoch(tree)
    env = reproducible_env(tree, out, home, wrappers, epoch, opts.prefix)
    before = {rel: _stamp(p) for rel, p in list_files(tree).items()}
    isolation = [] if opts.network else _network_isolation()
    t0 = time.monotonic()
    try:
        proc = subprocess.run([*isolation, "/bin/sh", "-c", opts.command], cwd=tree, env=env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=opts.timeout, preexec_fn=lambda: os.umask(0o022))
    except subprocess.TimeoutExpired:
        raise RebuildError(f"build command timed out after {opts.timeout:g}s") from None
    log = proc.stdout.decode("utf-8", "replace")
    public_env = {k: v for k, v in env.items() if k not in ("PATH", "HOME", "NOBACKDOOR_OUT")}
    public_env["network"] = "allowed" if opts.network else ("none" if isolation else "not isolated")
    produced = [p for rel, p in list_files(tree).items() if before.get(rel) != _stamp(p)]
    produced += list(list_files(out).values())
    return Build(tree, out, proc.returncode, log[-20000:], round(time.monotonic() - t0, 3), public_env, produced)


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.lstat()
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)


# ---------------------------------------------------------------- matching


def _candidates(build: Build) -> dict[str, list[tuple[str, Path]]]:
    by_name: dict[str, list[tuple[str, Path]]] = {}
    for root in (build.out, build.source):
        for rel, path in list_files(root).items():
            if path.is_symlink() or "/.git/" in f"/{rel}":
                continue
            by_name.setdefault(path.name, []).append((rel, path))
    return by_name


def counterpart(rel: str, delivered: Path, build: Build, by_name: dict[str, list[tuple[str, Path]]]) -> Path | None:
    for root in (build.out, build.source):
        p = root / rel
        if p.is_file() and not p.is_symlink():
            return p
    same = by_name.get(Path(rel).name, [])
    if not same:
        return None
    if len(same) == 1:
        return same[0][1]
    want = rel.split("/")

    def score(item: tuple[str, Path]) -> tuple:
        parts = item[0].split("/")
        common = 0
        while common < min(len(parts), len(want)) and parts[-1 - common] == want[-1 - common]:
            common += 1
        try:
            size_gap = abs(item[1].stat().st_size - delivered.stat().st_size)
        except OSError:
            size_gap = 1 << 62
        return (-common, elfcompare.is_elf(item[1]) != elfcompare.is_elf(delivered), size_gap, item[0])

    return sorted(same, key=score)[0][1]


# ---------------------------------------------------------------- comparison


@dataclass
class FileOutcome:
    path: str  # contract path of the delivered file
    rebuilt: str | None  # path in the rebuild
    status: str  # identical | normalised | differs | metadata | not-rebuilt
    findings: list[Finding] = field(default_factory=list)


def _same_bytes(a: Path, b: Path) -> bool:
    from .compare import same_file

    return same_file(a, b)


def _normalise_text(data: bytes, build_dir: Path, prefix: str) -> bytes:
    return data.replace(str(build_dir).encode(), prefix.encode())


def _ar_members(data: bytes) -> dict[str, bytes] | None:
    """Members of a System V / GNU ``ar`` archive by name (headers, with their dates, left out)."""
    if not data.startswith(b"!<arch>\n"):
        return None
    pos, out, names = 8, {}, b""
    while pos + 60 <= len(data):
        header = data[pos:pos + 60]
        name = header[:16].decode("latin-1").strip()
        try:
            size = int(header[48:58].decode().strip() or 0)
        except ValueError:
            return None
        body = data[pos + 60:pos + 60 + size]
        pos += 60 + size + (size & 1)
        if name == "//":
            names = body
            continue
        if name in ("/", "/SYM64/"):
            continue  # symbol index: derived from the members
        if name.startswith("/") and name[1:].isdigit() and names:
            off = int(name[1:])
            name = names[off:names.index(b"/\n", off) if b"/\n" in names[off:] else len(names)].decode("latin-1")
        elif name.startswith("#1/"):  # BSD long name stored before the data
            n = int(name[3:])
            name, body = body[:n].rstrip(b"\0").decode("latin-1"), body[n:]
        name = name.rstrip("/")
        key, k = name, 1
        while key in out:
            k += 1
            key = f"{name}#{k}"
        out[key] = body
    return out


def compare_file(path: str, delivered: Path, rebuilt: Path, build: Build, opts: RebuildOptions) -> FileOutcome:
    outcome = FileOutcome(path, _rebuilt_name(rebuilt, build), "identical")
    if _same_bytes(delivered, rebuilt):
        return outcome
    if elfcompare.is_elf(delivered) and elfcompare.is_elf(rebuilt):
        outcome.findings = _elf_findings(path, delivered, rebuilt, outcome.rebuilt)
        outcome.status = _status_of(outcome.findings)
        return outcome
    d, r = delivered.read_bytes(), rebuilt.read_bytes()
    members_d, members_r = _ar_members(d), _ar_members(r)
    if members_d is not None and members_r is not None:
        outcome.findings = _ar_findings(path, members_d, members_r, outcome.rebuilt)
        outcome.status = _status_of(outcome.findings)
        return outcome
    kind = "data"
    if d[:2] == b"\x1f\x8b" and r[:2] == b"\x1f\x8b":
        try:
            d, r, kind = _gunzip(d), _gunzip(r), "gzip content"
        except (OSError, EOFError, ValueError):
            pass
    if _normalise_text(d, build.source, opts.prefix) == _normalise_text(r, build.source, opts.prefix):
        outcome.status = "normalised"
        return outcome
    executable = bool(delivered.stat().st_mode & 0o111) or d[:2] == b"#!"
    first = next((i for i, (x, y) in enumerate(zip(d, r)) if x != y), min(len(d), len(r)))
    evidence = {"rebuilt": outcome.rebuilt, "size": len(d), "rebuilt_size": len(r), "first_difference": first,
                "compared": kind}
    if opts.diffoscope:
        evidence["diffoscope"] = _diffoscope(delivered, rebuilt)
    outcome.findings = [rule("rebuild.file-differs").finding(
        path, f"{path} differs from its rebuild {outcome.rebuilt} (first difference at byte {first}"
              f"{' of the ' + kind if kind != 'data' else ''})", evidence=evidence,
        severity=None if executable else Severity.MEDIUM)]
    outcome.status = "differs"
    return outcome


def _rebuilt_name(rebuilt: Path, build: Build) -> str:
    for root, label in ((build.out, "$NOBACKDOOR_OUT"), (build.source, "")):
        try:
            rel = rebuilt.relative_to(root).as_posix()
        except ValueError:
            continue
        return f"{label}/{rel}" if label else rel
    return rebuilt.name


def _gunzip(data: bytes) -> bytes:
    with gzip.GzipFile(fileobj=__import__("io").BytesIO(data)) as gz:
        out = gz.read(MAX_GZIP + 1)
    if len(out) > MAX_GZIP:
        raise ValueError("too large")
    return out


def _status_of(findings: list[Finding]) -> str:
    if not findings:
        return "normalised"
    if all(f.rule == "rebuild.metadata-differs" for f in findings):
        return "metadata"
    return "differs"


def _elf_findings(path: str, delivered: Path, rebuilt: Path, rebuilt_name: str, member: str = "") -> list[Finding]:
    where = f"{path}({member})" if member else path
    try:
        cmp = elfcompare.compare(delivered, rebuilt)
    except ValueError as exc:
        return [rule("rebuild.file-differs").finding(path, f"{where} differs from its rebuild and {exc}",
                                                     evidence={"rebuilt": rebuilt_name})]
    base = {"rebuilt": rebuilt_name}
    if member:
        base["member"] = member
    if cmp.identical:
        return []
    out: list[Finding] = []
    content = [s for s in cmp.sections if s.kind == "content"]
    if not content:
        return [rule("rebuild.metadata-differs").finding(
            path, f"{where}: code and data identical to the rebuild; only metadata differs "
                  f"({', '.join(s.name for s in cmp.sections[:8])})",
            evidence={**base, "sections": [s.to_dict() for s in cmp.sections[:30]]})]
    modified = [f for f in cmp.functions if f.change == "modified"]
    others = [f for f in cmp.functions if f.change != "modified"]
    if len(cmp.functions) > MAX_FUNCTION_FINDINGS:
        names = [f.name for f in cmp.functions]
        out.append(rule("rebuild.function-differs").finding(
            path, f"{where}: {len(names)} functions differ from the rebuild (e.g. {', '.join(names[:8])}); "
                  "the delivered code was built with another tool-chain or from other source",
            evidence={**base, "symbols": cmp.symbol_source, "functions": [f.to_dict() for f in cmp.functions[:50]],
                      "sections": [s.to_dict() for s in content[:30]]}))
    else:
        for f in modified + others:
            verb = {"modified": "differs from", "added": "is not in", "removed": "is missing compared with"}[f.change]
            at = f" (first difference at {f.delivered_address + f.first_difference:#x}, byte {f.first_difference} " \
                 "of the function)" if f.delivered_address is not None and f.first_difference is not None else ""
            out.append(rule("rebuild.function-differs").finding(
                path, f"{where}: function {f.name} {verb} the rebuild{at}",
                evidence={**base, "symbols": cmp.symbol_source, **f.to_dict()}))
    derived = [s.name for s in content if s.derived]
    if derived:
        for f in out:
            f.evidence["sections_moved_with_code"] = derived
    for s in cmp.unlocated:
        out.append(rule("rebuild.section-differs").finding(
            path, f"{where}: code section {s.name} differs from the rebuild and no symbol locates the change",
            evidence={**base, **s.to_dict()}))
    for s in content:
        if s.derived or (s.code and (cmp.functions or s in cmp.unlocated)):
            continue
        objects = f" (objects: {', '.join(s.objects[:5])})" if s.objects else ""
        out.append(rule("rebuild.section-differs").finding(
            path, f"{where}: section {s.name} {'differs from' if s.change == 'modified' else s.change + ' compared with'}"
                  f" the rebuild{objects}", evidence={**base, **s.to_dict()}))
    return out


def _ar_findings(path: str, d: dict[str, bytes], r: dict[str, bytes], rebuilt_name: str) -> list[Finding]:
    out: list[Finding] = []
    with tempfile.TemporaryDirectory(prefix="nobackdoor-ar-") as tmp:
        for name in sorted(set(d) | set(r)):
            if name not in r:
                out.append(rule("rebuild.not-rebuilt").finding(
                    path, f"{path}: member {name} is not in the rebuilt archive", evidence={"member": name}))
                continue
            if name not in d or d[name] == r[name]:
                continue
            if d[name][:4] == b"\x7fELF" and r[name][:4] == b"\x7fELF":
                a, b = Path(tmp) / "d.o", Path(tmp) / "r.o"
                a.write_bytes(d[name])
                b.write_bytes(r[name])
                out.extend(_elf_findings(path, a, b, rebuilt_name, member=name))
            else:
                out.append(rule("rebuild.file-differs").finding(
                    path, f"{path}: member {name} differs from the rebuild", evidence={"member": name}))
    return out


def _diffoscope(a: Path, b: Path) -> list[str]:
    exe = shutil.which("diffoscope")
    if exe is None:
        return ["diffoscope is not installed"]
    try:
        proc = subprocess.run([exe, "--text", "-", "--no-progress", str(a), str(b)], capture_output=True,
                              timeout=300, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [f"diffoscope failed: {exc}"]
    lines = proc.stdout.decode("utf-8", "replace").splitlines()
    return lines[:200] + ([f"... ({len(lines) - 200} more lines)"] if len(lines) > 200 else [])


# ---------------------------------------------------------------- the check


def _delivered_files(delivered: Path, work: Path) -> tuple[dict[str, Path], str]:
    """(contract path -> file, prefix) of what was delivered: one file, a directory or an archive."""
    if delivered.is_dir():
        return {rel: p for rel, p in list_files(delivered).items() if not p.is_symlink()}, ""
    if elfcompare.is_elf(delivered) or not is_archive(delivered):
        return {delivered.name: delivered}, ""
    dest = work / "delivered"
    safe_extract(delivered, dest)
    return {f"{delivered.name}/{rel}": p for rel, p in list_files(dest).items() if not p.is_symlink()}, \
        f"{delivered.name}/"


def rebuild_check(source: str | Path, delivered: str | Path, opts: RebuildOptions) -> ScanResult:
    source, delivered = Path(source), Path(delivered)
    for p, what in ((source, "--source"), (delivered, "--delivered")):
        if not p.exists():
            raise RebuildError(f"{what} {p}: no such file or directory")
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nobackdoor-rebuild-") as tmp:
        work = Path(tmp)
        files, prefix = _delivered_files(delivered, work)
        b = build(source, opts, work / "build")
        if b.returncode != 0:
            tail = "\n".join(b.log.splitlines()[-15:])
            raise RebuildError(f"build command failed (exit {b.returncode}):\n{tail}")
        by_name = _candidates(b)
        outcomes: list[FileOutcome] = []
        for path, real in sorted(files.items()):
            rel = path[len(prefix):]
            other = _named_rebuilt(b, opts.rebuilt) if opts.rebuilt and len(files) == 1 else \
                counterpart(rel, real, b, by_name)
            if other is None and len(files) == 1 and elfcompare.is_elf(real):
                other = _only_built_elf(b)
            if other is None:
                outcomes.append(FileOutcome(path, None, "not-rebuilt", [rule("rebuild.not-rebuilt").finding(
                    path, f"{path}: the rebuild produced no file of this name", evidence={"searched": "build tree "
                                                                                          "and $NOBACKDOOR_OUT"})]))
                continue
            outcomes.append(compare_file(path, real, other, b, opts))
        single_elf = len(files) == 1 and elfcompare.is_elf(next(iter(files.values())))
        result = ScanResult(target=Target(str(delivered), *_digest(delivered, files), "binary" if single_elf
                                          else "release"), tool_version=__version__)
        for o in outcomes:
            result.findings.extend(o.findings)
        result.findings.sort(key=Finding.sort_key)
        result.stats = {"files": len(files), "bytes": sum(p.stat().st_size for p in files.values()),
                        "seconds": round(time.monotonic() - t0, 3), "build_seconds": b.seconds}
        result.extra["rebuild"] = {
            "source": str(source),
            "command": opts.command,
            "environment": b.environment,
            "files": [{"path": o.path, "rebuilt": o.rebuilt, "status": o.status} for o in outcomes],
            "build_log_tail": b.log.splitlines()[-20:],
        }
        if not files:
            result.errors.append(ScanError(str(delivered), "nothing delivered to compare"))
    return result


def _named_rebuilt(b: Build, name: str) -> Path:
    for root in (b.out, b.source):
        p = (root / name).resolve()
        if p.is_relative_to(root.resolve()) and p.is_file():
            return p
    raise RebuildError(f"--rebuilt {name}: the build produced no such file")


def _only_built_elf(b: Build) -> Path | None:
    """The one ELF file the build produced, for a single delivered binary renamed on delivery."""
    elves = [p for p in b.produced if not p.is_symlink() and elfcompare.is_elf(p) and not p.name.endswith(".o")]
    return elves[0] if len(elves) == 1 else None


def _digest(delivered: Path, files: dict[str, Path]) -> tuple[str, int]:
    h = hashlib.sha256()
    if delivered.is_file():
        with open(delivered, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest(), delivered.stat().st_size
    for path, real in sorted(files.items()):
        h.update(f"{path}\0{hashlib.sha256(real.read_bytes()).hexdigest()}\n".encode())
    return h.hexdigest(), sum(p.stat().st_size for p in files.values() if stat.S_ISREG(p.lstat().st_mode))
