"""Open a reviewed repository and a source release without trusting either.

A repository may be a working-tree directory (with ``.git``), a bare repository, a git bundle, or an
archive holding one of these. Git runs against a fresh, empty repository of our own that borrows only
the objects and refs of the target (``GIT_OBJECT_DIRECTORY``): the target's config, hooks and
``info/attributes`` are never read, so no filter driver, fsmonitor or hook of the target can run.
Archives are unpacked with :mod:`tarfile`'s ``data`` filter (no absolute paths, no links leaving the
tree, no devices) and bounded in size and member count.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import subprocess
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 2 * 1024**3  # unpacked bytes per archive
MAX_MEMBERS = 200_000
GIT_TIMEOUT = 300.0

ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tbz", ".tar.lzma",
                    ".zip", ".bundle")


class ReleaseError(Exception):
    """A repository or release cannot be opened (exit status 2)."""


# ---------------------------------------------------------------- archives


def _check_budget(total: int, count: int, source: Path) -> None:
    if total > MAX_BYTES:
        raise ReleaseError(f"{source}: unpacks to more than {MAX_BYTES >> 20} MiB; refusing")
    if count > MAX_MEMBERS:
        raise ReleaseError(f"{source}: more than {MAX_MEMBERS} members; refusing")


def safe_extract(archive: Path, dest: Path) -> None:
    """Unpack a tar (any compression tarfile knows) or zip archive into ``dest``, bounded."""
    dest.mkdir(parents=True, exist_ok=True)
    try:
        if zipfile.is_zipfile(archive):
            _extract_zip(archive, dest)
            return
        with tarfile.open(archive, "r:*") as tar:
            members, total = [], 0
            for member in tar:
                total += max(member.size, 0)
                members.append(member)
                _check_budget(total, len(members), archive)
            for member in members:
                try:
                    tar.extract(member, dest, filter="data")
                except (tarfile.FilterError, OSError):
                    continue  # an unsafe member (absolute, escaping link, device) is left out
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ReleaseError(f"{archive}: cannot unpack: {exc}") from None


def _extract_zip(archive: Path, dest: Path) -> None:
    root = dest.resolve()
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        _check_budget(sum(i.file_size for i in infos), len(infos), archive)
        for info in infos:
            target = (dest / info.filename).resolve()
            if not target.is_relative_to(root) or info.filename.startswith("/"):
                continue
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                target.chmod(mode & 0o755)


def is_archive(path: Path) -> bool:
    return path.is_file() and (path.name.lower().endswith(ARCHIVE_SUFFIXES) or tarfile.is_tarfile(path)
                               or zipfile.is_zipfile(path))


# ---------------------------------------------------------------- git


def _git_env(home: Path) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LC_ALL": "C",
        "TZ": "UTC",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_ATTR_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_NO_REPLACE_OBJECTS": "1",  # replace refs would let the repository swap reviewed content
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_PAGER": "cat",
        "GIT_ALLOW_PROTOCOL": "file",
    }
    return env


_SAFE_CONFIG = ["-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "safe.directory=*",
                "-c", "protocol.allow=never", "-c", "protocol.file.allow=always", "-c", "core.autocrlf=false"]


@dataclass
class GitRepo:
    """A read-only view of the target's objects and refs through a clean repository of our own."""

    git_dir: Path  # our clean repository
    objects: Path  # the target's object directory
    origin: str  # what the user gave, for messages

    def run(self, *args: str, stdout=subprocess.PIPE, check: bool = True) -> subprocess.CompletedProcess:
        env = _git_env(self.git_dir)
        env["GIT_DIR"] = str(self.git_dir)
        env["GIT_OBJECT_DIRECTORY"] = str(self.objects)
        try:
            proc = subprocess.run(["git", *_SAFE_CONFIG, *args], env=env, stdout=stdout, stderr=subprocess.PIPE,
                                  stdin=subprocess.DEVNULL, timeout=GIT_TIMEOUT, cwd=self.git_dir)
        except FileNotFoundError:
            raise ReleaseError("git is not installed") from None
        except subprocess.TimeoutExpired:
            raise ReleaseError(f"git {args[0]} timed out on {self.origin}") from None
        if check and proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ReleaseError(f"git {args[0]} failed on {self.origin}: {err[-1] if err else proc.returncode}")
        return proc

    def tags(self) -> list[str]:
        out = self.run("for-each-ref", "--format=%(refname:short)", "refs/tags").stdout.decode("utf-8", "replace")
        return [t for t in out.splitlines() if t]

    def recent_tags(self, limit: int) -> list[str]:
        out = self.run("for-each-ref", "--sort=-creatordate", f"--count={limit}", "--format=%(refname:short)",
                       "refs/tags").stdout.decode("utf-8", "replace")
        return [t for t in out.splitlines() if t]

    def resolve(self, ref: str) -> str | None:
        if ref.startswith("-"):
            return None
        proc = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        sha = proc.stdout.decode().strip()
        return sha if proc.returncode == 0 and sha else None

    def commit_time(self, commit: str) -> int:
        return int(self.run("log", "-1", "--format=%ct", commit).stdout.decode().strip() or 0)

    def submodules(self, commit: str) -> dict[str, str]:
        """Submodule path -> the commit the tag pins (gitlinks are not exported by git archive)."""
        out = self.run("ls-tree", "-r", "-z", commit).stdout.decode("utf-8", "replace")
        links = {}
        for item in out.split("\0"):
            meta, _, path = item.partition("\t")
            parts = meta.split()
            if len(parts) == 3 and parts[0] == "160000":
                links[path] = parts[2]
        return links

    def export(self, commit: str, dest: Path) -> None:
        """``git archive`` of the commit into ``dest`` (what an honest maintainer's release starts from)."""
        with tempfile.NamedTemporaryFile(prefix="nobackdoor-archive-", suffix=".tar") as tmp:
            self.run("archive", "--format=tar", commit, stdout=tmp)
            tmp.flush()
            safe_extract(Path(tmp.name), dest)


def _find_git_dir(root: Path, depth: int = 3) -> Path | None:
    """The git directory under ``root``: ``X/.git`` of a working tree, or a bare repository."""
    candidates = [root]
    for _ in range(depth + 1):
        nxt = []
        for d in sorted(candidates):
            if (d / ".git").is_dir() and not (d / ".git").is_symlink():
                return d / ".git"
            if (d / "HEAD").is_file() and (d / "objects").is_dir() and (d / "refs").is_dir():
                return d
            with contextlib.suppress(OSError):
                nxt.extend(p for p in d.iterdir() if p.is_dir() and not p.is_symlink())
        candidates = nxt
    return None


def _clean_repo(source_git: Path, work: Path, origin: str) -> GitRepo:
    """A fresh repository of ours holding copies of the target's refs, reading its objects in place."""
    objects = source_git / "objects"
    if not objects.is_dir():
        raise ReleaseError(f"{origin}: no git objects directory")
    clean = work / "clean.git"
    clean.mkdir(parents=True)
    (clean / "objects").mkdir()
    (clean / "refs").mkdir()
    (clean / "config").write_text("[core]\n\trepositoryformatversion = 0\n\tbare = true\n")
    head = source_git / "HEAD"
    head_text = head.read_text("utf-8", "replace")[:4096] if head.is_file() and not head.is_symlink() else ""
    (clean / "HEAD").write_text(head_text if head_text.strip() else "ref: refs/heads/master\n")
    src_refs = source_git / "refs"
    if src_refs.is_dir():
        for path in src_refs.rglob("*"):
            if path.is_file() and not path.is_symlink() and path.stat().st_size < 4096:
                target = clean / "refs" / path.relative_to(src_refs)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
    packed = source_git / "packed-refs"
    if packed.is_file() and not packed.is_symlink():
        shutil.copyfile(packed, clean / "packed-refs")
    return GitRepo(git_dir=clean, objects=objects.resolve(), origin=origin)


@contextlib.contextmanager
def open_repo(path: str | Path) -> Iterator[GitRepo]:
    """Open REPO (directory, bare repository, git bundle, or archive holding one)."""
    path = Path(path)
    if not path.exists():
        raise ReleaseError(f"{path}: no such file or directory")
    work = Path(tempfile.mkdtemp(prefix="nobackdoor-repo-"))
    try:
        if path.is_dir():
            git_dir = _find_git_dir(path, depth=1)
        elif _is_bundle(path):
            git_dir = work / "bundle.git"
            env = _git_env(work)
            proc = subprocess.run(["git", *_SAFE_CONFIG, "clone", "--bare", "--quiet", str(path), str(git_dir)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  stdin=subprocess.DEVNULL, timeout=GIT_TIMEOUT, cwd=work)
            if proc.returncode != 0:
                raise ReleaseError(f"{path}: cannot read git bundle: {proc.stderr.decode('utf-8', 'replace').strip()}")
        elif is_archive(path):
            safe_extract(path, work / "unpacked")
            git_dir = _find_git_dir(work / "unpacked")
        else:
            raise ReleaseError(f"{path}: not a repository directory, git bundle or archive")
        if git_dir is None:
            raise ReleaseError(f"{path}: no git repository found (a .git directory or a bare repository)")
        yield _clean_repo(git_dir, work, str(path))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _is_bundle(path: Path) -> bool:
    with contextlib.suppress(OSError), open(path, "rb") as fh:
        return fh.read(16).startswith((b"# v2 git bundle", b"# v3 git bundle"))
    return False


# ---------------------------------------------------------------- release


@dataclass
class Release:
    root: Path  # directory holding the release files (the single top directory of an archive)
    top: str  # that top directory's name inside the archive ("" for a directory release)
    source: Path  # what the user gave


@contextlib.contextmanager
def open_release(path: str | Path) -> Iterator[Release]:
    path = Path(path)
    if not path.exists():
        raise ReleaseError(f"{path}: no such file or directory")
    if path.is_dir():
        entries = [p for p in path.iterdir()]
        if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
            # a directory holding the unpacked release directory: compare what is inside
            yield Release(root=entries[0], top=entries[0].name, source=path)
        else:
            yield Release(root=path, top="", source=path)
        return
    if not is_archive(path):
        raise ReleaseError(f"{path}: not a release archive or directory")
    work = Path(tempfile.mkdtemp(prefix="nobackdoor-release-"))
    try:
        safe_extract(path, work)
        entries = [p for p in work.iterdir()]
        if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
            yield Release(root=entries[0], top=entries[0].name, source=path)
        else:
            yield Release(root=work, top="", source=path)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def list_files(root: Path) -> dict[str, Path]:
    """relpath -> path of every regular file and symlink under root (directories left out)."""
    out: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(root):  # symlinked directories are listed, not entered
        links = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        dirnames[:] = [d for d in dirnames if d not in links]
        for name in filenames + links:
            full = Path(dirpath) / name
            try:
                mode = full.lstat().st_mode
            except OSError:
                continue
            if stat.S_ISREG(mode) or stat.S_ISLNK(mode):  # never open a FIFO or device of the target
                out[full.relative_to(root).as_posix()] = full
    return out


# ---------------------------------------------------------------- version and tag


_SUFFIX_RE = re.compile(r"\.(?:tar(?:\.[a-z0-9]+)?|tgz|txz|tbz2?|zip)$", re.I)
_NAME_VERSION_RE = re.compile(r"^(?P<name>.+?)[-_](?:v(?=\d))?(?P<version>\d[\w.+~]*)$")
_CONFIGURE_VERSION_RES = (
    re.compile(r"^PACKAGE_VERSION='([^'\s]+)'", re.M),
    re.compile(r"^VERSION=[\"']?(\d[\w.+~-]*)", re.M),
    re.compile(r"AC_INIT\(\s*\[?[^,\]]+\]?\s*,\s*\[?(\d[\w.+~-]*)", re.M),
    re.compile(r"project\([^)]*\bVERSION\s+(\d[\w.+~-]*)", re.M | re.I),
    re.compile(r"^\s*version\s*[:=]\s*['\"](\d[\w.+~-]*)['\"]", re.M),
)


def release_version(release: Release) -> tuple[str | None, str | None]:
    """(package name, version) from the release's directory or file name, else from its build files."""
    for name in (release.top, _SUFFIX_RE.sub("", release.source.name), release.root.name):
        m = _NAME_VERSION_RE.match(name or "")
        if m:
            return m.group("name"), m.group("version")
    for fname in ("configure", "configure.ac", "configure.in", "CMakeLists.txt", "meson.build", "VERSION",
                  ".tarball-version"):
        f = release.root / fname
        if f.is_file() and not f.is_symlink() and f.stat().st_size < 4 * 1024 * 1024:
            text = f.read_text("utf-8", "replace")
            if fname in ("VERSION", ".tarball-version") and re.fullmatch(r"\s*\d[\w.+~-]*\s*", text):
                return None, text.strip()
            for rx in _CONFIGURE_VERSION_RES:
                m = rx.search(text)
                if m:
                    return None, m.group(1)
    return None, None


def guess_tag(tags: list[str], name: str | None, version: str) -> str | None:
    """The tag naming this version: v1.2, 1.2, name-1.2, release-1.2, name_1_2, ..."""
    variants = {version, version.replace(".", "_"), version.replace(".", "-")}
    preferred = [f"v{version}", version]
    if name:
        preferred += [f"{name}-{version}", f"{name}-v{version}", f"{name}_{version}"]
    for t in preferred:
        if t in tags:
            return t
    matches = []
    for t in tags:
        for v in variants:
            m = re.fullmatch(r"(?P<prefix>[A-Za-z][\w.-]*?[-_/]?)?v?" + re.escape(v), t)
            if m and not (m.group("prefix") or "").rstrip("-_/")[-1:].isdigit():
                matches.append(t)
                break
    return sorted(matches, key=len)[0] if matches else None
