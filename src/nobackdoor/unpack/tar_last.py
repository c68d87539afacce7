"""Tar archives with the same name stored twice: the last entry is the one a real extraction leaves,
so it is the one analysed.

A decoy pattern defeats extractors that refuse to write through links: an absolute symlink
``etc/passwd -> /x`` first, then the real ``etc/passwd``. The extractor neutralises the link and
then cannot (or will not) write the regular file through it, so the real content is lost. Here each
name whose last entry is a regular file but whose extracted path is a link or missing is written
again from that entry — without following any link (the link is removed first, the file opened
with O_EXCL|O_NOFOLLOW), bounded in size. Each such name is a decoy: reported, never hidden.
"""
from __future__ import annotations

import os
import tarfile
from dataclasses import dataclass
from pathlib import Path

#: at most this many entries are read from one archive to find the duplicates (larger: reported)
MAX_ENTRIES = 500_000


@dataclass
class Decoy:
    entry: str  # name in the archive
    first: str  # what the earlier entry was: "symlink to X", "hard link to X", "directory", ...
    size: int  # bytes of the real (last) entry


def recover(archive: Path, extract_dir: Path, max_bytes: int) -> tuple[list[Decoy], str | None]:
    """Every name stored twice, first as a non-file and last as a regular file, is a decoy; where the
    extracted path is not that last entry, it is written again from it. Returns the decoys and an
    error message (None when the archive was read to its end)."""
    try:
        tf = tarfile.open(archive, "r:")
    except (tarfile.TarError, OSError) as exc:
        return [], f"cannot re-read the tar archive for duplicate names: {exc}"
    first: dict[str, tarfile.TarInfo] = {}
    last: dict[str, tarfile.TarInfo] = {}
    dup: set[str] = set()
    error = None
    with tf:
        try:
            for n, member in enumerate(tf):
                if n >= MAX_ENTRIES:
                    error = f"more than {MAX_ENTRIES} entries: duplicate names were not looked for past that"
                    break
                name = os.path.normpath(member.name.lstrip("/")).lstrip("./")
                if name in ("", ".") or name.startswith("..") or "/../" in f"/{name}/":
                    continue
                if name in last:
                    dup.add(name)
                else:
                    first[name] = member
                last[name] = member
        except (tarfile.TarError, OSError, EOFError) as exc:
            error = f"tar archive unreadable past an entry ({exc}) while looking for duplicate names"
        decoys = []
        for name in sorted(dup):
            member, earlier = last[name], first[name]
            if not member.isreg() or earlier.isreg() or member.size > max_bytes:
                continue
            decoys.append(Decoy(name, _describe(earlier), member.size))
            if earlier.issym():
                _undo_write_through(extract_dir, name, earlier.linkname, last)
            target = extract_dir / name
            if target.is_file() and not target.is_symlink() and target.stat().st_size == member.size:
                continue  # the extractor already kept the last entry
            if not _inside(extract_dir, target.parent):
                continue
            fh = tf.extractfile(member)
            if fh is None:
                continue
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.is_symlink() or target.exists():
                    if target.is_dir() and not target.is_symlink():
                        continue
                    target.unlink()
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                with os.fdopen(fd, "wb") as out:
                    out.write(fh.read(member.size))
                os.chmod(target, member.mode & 0o755)
            except OSError:
                continue
        _relink(extract_dir, last, {d.entry for d in decoys})
    return decoys, error


def _lexical_target(name: str, linkname: str) -> str:
    base = "" if linkname.startswith("/") else os.path.dirname(name)
    return os.path.normpath(os.path.join(base, linkname.lstrip("/")))


def _relink(extract_dir: Path, last: dict[str, tarfile.TarInfo], restored: set[str]) -> None:
    """Links to a decoy name were resolved by the extractor through the decoy (``rc.d/S79x ->
    ../init.d/x`` became ``-> ../../dev/null``); point them at the restored file again, as the archive
    says, with a relative link that stays inside the extraction."""
    if not restored:
        return
    for name, member in last.items():
        if not member.issym() or _lexical_target(name, member.linkname) not in restored:
            continue
        link = extract_dir / name
        want = os.path.relpath(_lexical_target(name, member.linkname), os.path.dirname(name) or ".")
        if not link.is_symlink() or not _inside(extract_dir, link.parent) or os.readlink(link) == want:
            continue
        try:
            link.unlink()
            os.symlink(want, link)
        except OSError:
            continue


def _undo_write_through(extract_dir: Path, name: str, linkname: str, last: dict[str, tarfile.TarInfo]) -> None:
    """An extractor that keeps the decoy link writes the real entry *through* it, to where the link
    points inside the extraction (``/dev/null`` becomes ``<root>/dev/null``). A real extraction
    replaces the link instead, so a file there that the archive never stores is removed: otherwise the
    planted content would be analysed under the decoy's target name and not its own."""
    rel = _lexical_target(name, linkname)
    if rel in (".", "") or rel.startswith("..") or rel in last:
        return
    path = extract_dir / rel
    if path.is_file() and not path.is_symlink() and _inside(extract_dir, path):
        try:
            path.unlink()
        except OSError:
            pass


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError):
        return False


def _describe(member: tarfile.TarInfo) -> str:
    if member.issym():
        return f"symlink to {member.linkname!r}"
    if member.islnk():
        return f"hard link to {member.linkname!r}"
    if member.isdir():
        return "directory"
    return "special file"
