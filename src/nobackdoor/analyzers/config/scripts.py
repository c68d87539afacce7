"""Shared access to a tree's scripts for the configuration analyzers: parse each script once per scan."""
from __future__ import annotations

import fnmatch
import posixpath

from ...models import FileKind
from ..base import Tree, TreeContext, normalize
from .shell import Script, parse

MAX_SCRIPT_BYTES = 1024 * 1024
MAX_READ_BYTES = 4 * 1024 * 1024  # files read by the shell reader (sourced, or payload carriers)
#: bytes of shell text read per scan, all scripts together (counted, never timed: same result under load)
SCAN_PARSE_BUDGET = 256 * 1024 * 1024
#: text files in these places are run by init, cron or hotplug even without a #! line
BOOT_SCRIPT_DIRS = ("etc/init.d/", "etc/rc.d/", "etc/rc0.d/", "etc/rc1.d/", "etc/rc2.d/", "etc/rc3.d/", "etc/rc4.d/",
                    "etc/rc5.d/", "etc/rcS.d/", "etc/hotplug.d/", "etc/hotplug/", "etc/uci-defaults/", "etc/cron.",
                    "etc/ppp/", "etc/udhcpc", "usr/share/udhcpc/", "lib/preinit/", "etc/preinit", "etc/rc.local",
                    "etc/profile", "init", "linuxrc", "etc/boot.d/", "etc/network/if-")


def _cache(ctx: TreeContext) -> dict:
    return ctx.__dict__.setdefault("_config_scripts_cache", {})


def reader(tree: Tree):
    """Read a file of the tree for the shell reader: sourced scripts and encoded payload carriers.
    Bytes are kept exactly (surrogateescape) so that binary payload files decode faithfully."""
    def read(path: str) -> str | None:
        entry = tree.resolve(normalize(path))
        if entry is None or entry.size > MAX_READ_BYTES or entry.kind in (FileKind.SYMLINK, FileKind.EMPTY):
            return None
        try:
            data = entry.content if entry.content is not None else entry.realpath.read_bytes()
        except OSError:
            return None
        return data[:MAX_READ_BYTES].decode("utf-8", "surrogateescape")
    return read


def _dir_index(ctx: TreeContext, tree: Tree) -> dict[str, list[str]]:
    key = ("dirs", tree.root)
    cache = _cache(ctx)
    if key not in cache:
        index: dict[str, list[str]] = {}
        for rel in tree.files:
            index.setdefault(posixpath.dirname(rel), []).append(rel)
        cache[key] = index
    return cache[key]


def globber(ctx: TreeContext, tree: Tree):
    index = _dir_index(ctx, tree)

    def glob(pattern: str) -> list[str]:
        rel = pattern.lstrip("/")
        d, base = posixpath.split(rel)
        if any(c in d for c in "*?["):
            return []
        return ["/" + f for f in sorted(index.get(d, [])) if fnmatch.fnmatchcase(posixpath.basename(f), base)]
    return glob


def is_script(tree: Tree, relpath: str) -> bool:
    entry = tree.resolve(relpath)
    if entry is None:
        return False
    if entry.kind == FileKind.SCRIPT:
        return entry.interpreter is None or entry.interpreter in ("sh", "ash", "bash", "dash", "busybox", "ksh", "hush",
                                                                    "rc.common", "openrc-run", "zsh", "mksh")
    return entry.kind == FileKind.TEXT and (entry.relpath.startswith(BOOT_SCRIPT_DIRS))


def script_paths(tree: Tree) -> list[str]:
    """Every shell script of the tree (by #! line, .sh suffix, or place in the boot directories)."""
    out = []
    for rel, entry in tree.files.items():
        if entry.kind == FileKind.SYMLINK:
            continue
        if is_script(tree, rel):
            out.append(rel)
    return sorted(out)


def parsed(ctx: TreeContext, tree: Tree, relpath: str) -> Script | None:
    """The parsed script at ``relpath`` (symlinks followed), cached for the scan."""
    entry = tree.resolve(relpath)
    if entry is None:
        return None
    key = ("script", tree.root, entry.relpath)
    cache = _cache(ctx)
    if key not in cache:
        spent = cache.get("parse_bytes", 0)
        if spent > SCAN_PARSE_BUDGET:
            cache.setdefault("skipped", []).append(tree.path_of(entry.relpath))
            cache[key] = None
            return None
        text = _bounded_text(entry)
        if entry.size > 2 * MAX_SCRIPT_BYTES and text is not None:
            cache.setdefault("gaps", []).append((tree.path_of(entry.relpath), entry.size - 2 * MAX_SCRIPT_BYTES))
        script = None if text is None else parse(text, read=reader(tree), glob=globber(ctx, tree))
        cache["parse_bytes"] = spent + (len(text) if text else 0)
        if script is not None and script.truncated:
            cache.setdefault("truncated", []).append(tree.path_of(entry.relpath))
        cache[key] = script
    return cache[key]


def _bounded_text(entry) -> str | None:
    """The script's text; past MAX_SCRIPT_BYTES, its first and last MAX_SCRIPT_BYTES (a script padded
    with comments still has its commands read at both ends; the gap is reported)."""
    if entry.kind in (FileKind.ELF, FileKind.SYMLINK, FileKind.ARCHIVE):
        return None
    try:
        if entry.size <= MAX_SCRIPT_BYTES:
            return entry.text()
        with open(entry.realpath, "rb") as fh:
            head = fh.read(MAX_SCRIPT_BYTES)
            fh.seek(max(MAX_SCRIPT_BYTES, entry.size - MAX_SCRIPT_BYTES))
            tail = fh.read(MAX_SCRIPT_BYTES)
    except OSError:
        return None
    # cut both halves at line boundaries so that no command is read in part
    head = head[:head.rfind(b"\n") + 1]
    tail = tail[tail.find(b"\n") + 1:]
    return (head + b"\n" + tail).decode("utf-8", errors="replace")


def budget_notes(ctx: TreeContext) -> list[tuple[str, str]]:
    """(path, message) for scripts read only in part or not at all because of the budgets (once per scan)."""
    cache = _cache(ctx)
    if cache.get("notes_given"):
        return []
    cache["notes_given"] = True
    out = [(p, "shell reading stopped early (token budget); the rest of the script was not analysed")
           for p in cache.get("truncated", [])]
    out += [(p, f"script not analysed: the scan's shell-reading budget ({SCAN_PARSE_BUDGET} bytes) was used up")
            for p in cache.get("skipped", [])]
    out += [(p, f"script larger than {2 * MAX_SCRIPT_BYTES} bytes: its first and last {MAX_SCRIPT_BYTES} bytes "
                f"were read, {gap} bytes in the middle were not") for p, gap in cache.get("gaps", [])]
    return out


def parsed_text(ctx: TreeContext, tree: Tree, text: str, key: str) -> Script:
    """Parse a command line from a non-script file (inittab, crontab, inetd.conf), cached by key."""
    cache = _cache(ctx)
    k = ("text", tree.root, key)
    if k not in cache:
        cache[k] = parse(text, read=reader(tree), glob=globber(ctx, tree))
    return cache[k]


def reached_scripts(ctx: TreeContext) -> dict[str, dict[str, str]]:
    """tree root -> {script relpath: trigger} for scripts the boot graph reached (filled by services)."""
    return _cache(ctx).setdefault("reached", {})
