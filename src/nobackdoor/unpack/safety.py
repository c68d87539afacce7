"""What extraction must never leave behind.

Runs over every extracted tree before anything reads it:

* device nodes, FIFOs and sockets are removed (reading a FIFO would hang the scan; a device node
  is a door to the host) and recorded;
* symlinks whose target resolves outside the extracted tree are removed and recorded (unblob
  already rewrites absolute links to stay inside; this is the second line). Links inside the tree
  stay, and no analyzer follows a link except through :meth:`Tree.resolve`, which stays inside;
* hard links to a file outside the tree (a regular file with more names than the tree holds) are
  removed and recorded, before anything touches the file's permissions;
* files and directories are made readable for the scanner, never executable-added.

Removing a name in the work directory never changes the file it pointed to.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from .layout import SUFFIX, display_name

#: at most this many neutralisations of one kind become a scan error line each
_ERRORS_PER_KIND = 10


def _display(display: str, rel: str) -> str:
    parts = [display_name(p) if p.endswith(SUFFIX) else p for p in rel.split("/")]
    return "/".join([display, *parts])


def sanitize(root: Path, display: str) -> list[dict[str, str]]:
    events: list[dict[str, str]] = []
    root_real = os.path.realpath(root)
    #: (dev, ino) -> (nlink, names seen in the tree) for files with more than one name
    linked: dict[tuple[int, int], tuple[int, list[str]]] = {}
    readable: list[tuple[str, int]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        try:
            mode = os.lstat(dirpath).st_mode
            if stat.S_IMODE(mode) & 0o700 != 0o700:
                os.chmod(dirpath, stat.S_IMODE(mode) | 0o700)
        except OSError:
            pass
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            try:
                st = os.lstat(full)
            except OSError:
                continue
            mode = st.st_mode
            if stat.S_ISLNK(mode):
                try:
                    target = os.readlink(full)
                except OSError:
                    target = "?"
                resolved = os.path.realpath(full)
                if not (resolved == root_real or resolved.startswith(root_real + os.sep)):
                    _remove(full)
                    events.append({"path": _display(display, rel), "action": "removed symlink pointing outside "
                                   "the extraction", "target": target})
            elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
                _remove(full)
                kind = ("character device" if stat.S_ISCHR(mode) else "block device" if stat.S_ISBLK(mode)
                        else "fifo" if stat.S_ISFIFO(mode) else "socket")
                events.append({"path": _display(display, rel), "action": f"removed {kind}"})
            elif stat.S_ISREG(mode):
                if st.st_nlink > 1:
                    nlink, names = linked.setdefault((st.st_dev, st.st_ino), (st.st_nlink, []))
                    names.append(full)
                elif not mode & stat.S_IRUSR:
                    readable.append((full, mode))
    for (_, _), (nlink, names) in linked.items():
        if len(names) < nlink:
            # the file has names outside this tree: it may be a host file; drop our names for it
            for full in names:
                _remove(full)
                rel = os.path.relpath(full, root).replace(os.sep, "/")
                events.append({"path": _display(display, rel),
                               "action": "removed hard link to a file outside the extraction"})
        else:
            readable.extend((full, os.lstat(full).st_mode) for full in names[:1])
    for full, mode in readable:
        if not mode & stat.S_IRUSR:
            try:
                os.chmod(full, stat.S_IMODE(mode) | stat.S_IRUSR)
            except OSError:
                pass
    return events


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def summarise(events: list[dict[str, str]]) -> list:
    """Scan errors for neutralised escapes (each, up to a cap). Device nodes are ordinary in a root
    filesystem (``dev/console``): they are only listed in ``stats.neutralised``."""
    from ..models import ScanError

    errors: list[ScanError] = []
    escapes = [e for e in events if "outside" in e["action"]]
    for e in escapes[:_ERRORS_PER_KIND]:
        target = f" -> {e['target']}" if e.get("target") else ""
        errors.append(ScanError(e["path"], f"unsafe entry neutralised: {e['action']}{target}"))
    if len(escapes) > _ERRORS_PER_KIND:
        errors.append(ScanError(escapes[0]["path"], f"{len(escapes) - _ERRORS_PER_KIND} more unsafe links "
                                                    "neutralised (see stats.neutralised)"))
    return errors
