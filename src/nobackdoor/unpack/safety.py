"""What extraction must never leave behind.

Runs over every extracted tree before anything reads it:

* device nodes, FIFOs and sockets are removed (reading a FIFO would hang the scan; a device node
  is a door to the host) and recorded;
* symlinks whose target resolves outside the extracted tree are removed and recorded (unblob
  already rewrites absolute links; this is the second line). Links inside the tree stay, and no
  analyzer follows a link except through :meth:`Tree.resolve`, which stays inside the tree;
* directory and file permissions are made readable for the scanner, never executable-added.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path


def sanitize(root: Path, display: str) -> list[dict[str, str]]:
    events: list[dict[str, str]] = []
    root_real = os.path.realpath(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        try:
            os.chmod(dirpath, stat.S_IMODE(os.lstat(dirpath).st_mode) | 0o700)
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
                target = os.readlink(full)
                resolved = os.path.realpath(full)
                if not (resolved == root_real or resolved.startswith(root_real + os.sep)):
                    os.unlink(full)
                    events.append({"path": f"{display}/{rel}", "action": "removed symlink pointing outside",
                                   "target": target})
            elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
                os.unlink(full)
                kind = ("character device" if stat.S_ISCHR(mode) else "block device" if stat.S_ISBLK(mode)
                        else "fifo" if stat.S_ISFIFO(mode) else "socket")
                events.append({"path": f"{display}/{rel}", "action": f"removed {kind}"})
            elif stat.S_ISREG(mode) and not mode & stat.S_IRUSR:
                try:
                    os.chmod(full, stat.S_IMODE(mode) | stat.S_IRUSR)
                except OSError:
                    pass
    return events
