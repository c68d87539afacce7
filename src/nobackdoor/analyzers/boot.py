"""Kernel command lines that boot straight into a shell: a console back door before init even runs.

File stage (:class:`KernelCmdlineReader`): finds kernel command lines where boot loaders keep them, by
file name and by content, so that carved partitions and unknown chunks of a flash image count too:

* U-Boot environments: binary env partitions and blobs (CRC32, NUL-separated ``name=value``), the default
  environment built into a U-Boot binary, text environments (``uEnv.txt``, ``u-boot-initial-env``), and
  ``setenv bootargs`` / ``fw_setenv bootargs`` / ``fdt set /chosen bootargs`` commands in U-Boot scripts
  (``boot.cmd``, ``boot.scr`` with its 64-byte legacy header) and in Linux scripts;
* GRUB ``linux``/``linux16``/``linuxefi``/``kernel`` lines and ``GRUB_CMDLINE_LINUX*`` in /etc/default/grub;
* extlinux/syslinux/pxelinux ``APPEND``, Boot Loader Specification ``options``, Raspberry Pi ``cmdline.txt``;
* ``CONFIG_CMDLINE``/``CONFIG_BOOTARGS`` in kernel and U-Boot configurations, and bare strings made only of
  kernel parameters (a device tree's ``/chosen/bootargs``, a kernel's built-in command line).

Each is a ``boot-cmdline`` observation (the reviewer's list of how the device boots).

Tree stage (:class:`BootCmdlineAnalyzer`): judges each command line with ``rules/boot.knowledge.yaml`` and
the root filesystem: ``init=``/``rdinit=`` naming a shell (or a script that execs one unconditionally),
``systemd.debug_shell``, and single-user words when the image's init is BusyBox (which answers them with a
console shell without login; systemd and sysvinit ask for the root password through sulogin).
"""
from __future__ import annotations

import functools
import posixpath
import re
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from ..models import FileEntry, FileKind, Finding, Observation, Severity
from ..ruleset import rule
from .base import FileAnalyzer, Tree, TreeAnalyzer, TreeContext, normalize
from .config.knowledge import basename, knowledge
from .login_bypass import unconditional_shell
from .services import DOC_DIRS

MAX_RECORD = 4096  # longest command line or environment record looked at
MAX_ANCHORS = 256  # anchor hits followed per file
MAX_CMDLINES = 64  # command lines kept per file
MAX_TEXT_LINES = 20000
ANCHORS = (b"init=", b"bootargs", b"BOOTARGS", b"debug_shell", b"debug-shell", b"CONFIG_CMDLINE")
#: records that make a file a U-Boot environment or script (then every variable is a candidate)
_ENV_MARKERS = (b"bootcmd=", b"bootargs=", b"bootdelay=", b"setenv bootargs", b"fw_setenv bootargs")
IH_MAGIC = b"\x27\x05\x19\x56"
MAX_SNIFF = 64 * 1024
_SYSLINUX_SNIFF = (re.compile(rb"(?im)^[ \t]*append[ \t]"), re.compile(rb"(?im)^[ \t]*(?:label|kernel|linux)[ \t]"))
_GRUB_SNIFF = (re.compile(rb"(?m)^[ \t]*menuentry[ \t]"), re.compile(rb"(?m)^[ \t]*(?:linux|linux16|linuxefi|kernel)[ \t]"))
IH_TYPE_SCRIPT = 6

_ASSIGN = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][\w.-]*)\s*=\s*(.*?)\s*$")
_CONFIG = re.compile(r"\b(CONFIG_(?:CMDLINE|BOOTARGS)|GRUB_CMDLINE_LINUX(?:_DEFAULT)?)\b[\s=]*\"([^\"]*)\"")
_GRUB_LINE = re.compile(r"^\s*(?:linux|linux16|linuxefi|kernel)\s+\S+\s*(.*)$")
_GRUB_SET = re.compile(r"^\s*set\s+([A-Za-z_]\w*)=(.*)$")
_APPEND = re.compile(r"^\s*append\s+(.*)$", re.I)
_OPTIONS = re.compile(r"^\s*options\s+(.*)$")
_SETENV = re.compile(r"^(?:setenv|fw_setenv|env\s+set)\s+(?:-f\s+)?([\w.-]+)\s*(.*)$")
_FDT_SET = re.compile(r"^fdt\s+set\s+/chosen\s+bootargs\s+(.*)$")
_PARAM_WORD = re.compile(r"^[\w.,:/+-]+(?:=\S*)?$")
_PRINTABLE_RUN = re.compile(rb"[\t\x20-\x7e]+")


@dataclass(frozen=True)
class BootKnowledge:
    init_params: frozenset[str]
    debug_shell_params: frozenset[str]
    single_user_words: frozenset[str]
    kernel_params: frozenset[str]
    names: dict[str, str]  # lower-case file name -> source kind
    dirs: dict[str, str]  # directory suffix -> source kind
    paths: dict[str, str]  # path suffix -> source kind


@functools.cache
def boot_knowledge() -> BootKnowledge:
    raw = yaml.safe_load(resources.files("nobackdoor.rules").joinpath("boot.knowledge.yaml").read_text("utf-8"))
    return BootKnowledge(
        init_params=frozenset(raw["init_params"]),
        debug_shell_params=frozenset(raw["debug_shell_params"]),
        single_user_words=frozenset(str(w) for w in raw["single_user_words"]),
        kernel_params=frozenset(raw["kernel_params"]),
        names={n: kind for kind, names in raw["named_files"].items() for n in names},
        dirs={d: kind for kind, dirs in raw["named_dirs"].items() for d in dirs},
        paths={p: kind for kind, paths in raw["named_paths"].items() for p in paths},
    )


@dataclass
class Cmdline:
    source: str  # uboot-env, uboot-script, grub, syslinux, loader-entry, default-grub, cmdline-file, config, string
    text: str
    variable: str | None = None
    line: int | None = None
    offset: int | None = None


# ---------------------------------------------------------------- finding command lines in a file


def named_kind(relpath: str) -> str | None:
    """Source kind of a boot-loader file recognised by its name or place."""
    bk = boot_knowledge()
    rel = relpath.lower()
    kind = bk.names.get(posixpath.basename(rel))
    if kind:
        return kind
    parent = posixpath.dirname(rel)
    for d, k in bk.dirs.items():
        if parent == d or parent.endswith("/" + d):
            return k
    for p, k in bk.paths.items():
        if rel == p or rel.endswith("/" + p):
            return k
    return None


def find_cmdlines(relpath: str, data: bytes) -> list[Cmdline]:
    """Kernel command lines in one file (bounded)."""
    kind = named_kind(relpath)
    script_image = len(data) > 64 and data[:4] == IH_MAGIC and data[30] == IH_TYPE_SCRIPT
    if kind is None and not script_image and not any(a in data for a in ANCHORS):
        return []
    if kind is None and not script_image:
        kind = _sniff_kind(data[:MAX_SNIFF])
    env = kind in ("uboot-env", "uboot-script") or script_image or any(m in data for m in _ENV_MARKERS)
    context = kind or ("uboot-script" if script_image else None)
    out: list[Cmdline] = []
    seen: set[tuple] = set()
    for start, record, line in _records(data, whole=kind is not None):
        for c in classify(record, context, env):
            key = (c.variable, c.text)
            if key in seen:
                continue
            seen.add(key)
            c.line, c.offset = (line, None) if line is not None else (None, start)
            out.append(c)
            if len(out) >= MAX_CMDLINES:
                return out
    return out


def _sniff_kind(head: bytes) -> str | None:
    """A boot-loader configuration under another name (a copy, a backup, an example): by its keywords."""
    if not _looks_text(head[:8192]):
        return None
    if _SYSLINUX_SNIFF[0].search(head) and _SYSLINUX_SNIFF[1].search(head):
        return "syslinux"
    if _GRUB_SNIFF[0].search(head) and _GRUB_SNIFF[1].search(head):
        return "grub"
    return None


def _looks_text(head: bytes) -> bool:
    """Text files get line numbers, binary ones offsets (0xff flash padding is not UTF-8)."""
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # only a character cut at the end of the sample
    return True


def _records(data: bytes, whole: bool) -> Iterator[tuple[int, str, int | None]]:
    """(offset, text, line or None) of the printable records to look at: every line of a named text file,
    otherwise the printable run around each anchor (NUL, newline and binary bytes end a record)."""
    is_text = _looks_text(data[:8192])
    if whole:
        offset = 0
        for lineno, raw in enumerate(data.split(b"\n")[:MAX_TEXT_LINES], 1):
            for m in _PRINTABLE_RUN.finditer(raw):
                if m.group().strip():
                    yield offset + m.start(), m.group()[:MAX_RECORD].decode("latin-1"), lineno if is_text else None
            offset += len(raw) + 1
        return
    seen: set[int] = set()
    hits = 0
    for anchor in ANCHORS:
        pos = data.find(anchor)
        while pos >= 0 and hits < MAX_ANCHORS:
            hits += 1
            lo, hi = max(0, pos - MAX_RECORD), min(len(data), pos + MAX_RECORD)
            lo = max(data.rfind(b"\x00", lo, pos), data.rfind(b"\n", lo, pos), lo - 1) + 1
            ends = [i for i in (data.find(b"\x00", pos, hi), data.find(b"\n", pos, hi)) if i >= 0]
            hi = min(ends) if ends else hi
            s, e = pos, pos
            for run in _PRINTABLE_RUN.finditer(data, lo, hi):  # the printable run holding the anchor
                if run.start() <= pos < run.end():
                    s, e = run.start(), run.end()
                    break
            if s not in seen and e > s:
                seen.add(s)
                line = data.count(b"\n", 0, s) + 1 if is_text else None
                yield s, data[s:e].decode("latin-1"), line
            pos = data.find(anchor, e)


def classify(record: str, context: str | None, env: bool) -> list[Cmdline]:
    """Command lines in one record, given what kind of file it comes from."""
    s = record.strip()
    if not s or s.startswith("#"):
        return []
    m = _CONFIG.search(s)
    if m:
        source = "default-grub" if m.group(1).startswith("GRUB") else "config"
        return [Cmdline(source, m.group(2), m.group(1))]
    if context == "grub":
        g = _GRUB_LINE.match(s)
        if g:
            return [Cmdline("grub", g.group(1))]
        v = _GRUB_SET.match(s)  # set extra="init=/bin/sh", later used as $extra on a linux line
        if v and looks_like_cmdline(_unquote(v.group(2)), 1) and _has_danger(_unquote(v.group(2))):
            return [Cmdline("grub", _unquote(v.group(2)), v.group(1))]
        return []
    if context == "syslinux":
        a = _APPEND.match(s)
        return [Cmdline("syslinux", a.group(1))] if a else []
    if context == "loader-entry":
        o = _OPTIONS.match(s)
        return [Cmdline("loader-entry", o.group(1))] if o else []
    if context == "cmdline":
        return [Cmdline("cmdline-file", s)] if looks_like_cmdline(s, 1) else []
    if context == "default-grub":
        a = _ASSIGN.match(s)
        if a and a.group(1).startswith("GRUB_CMDLINE_LINUX"):
            return [Cmdline("default-grub", _unquote(a.group(2)), a.group(1))]
        return []
    out = _uboot_commands(s)
    if out:
        return out
    a = _ASSIGN.match(s)
    # "console=ttyS0 init=/bin/sh" is a bare command line (a device tree's bootargs), not a variable
    if a and a.group(1) not in boot_knowledge().kernel_params:
        name, value = a.group(1), _unquote(a.group(2))
        inner = _uboot_commands(value)
        if inner:
            return inner
        if name.lower().endswith("bootargs"):  # the first record of an env blob may follow printable CRC bytes
            return [Cmdline("uboot-env", value, "bootargs" if name.lower() != "bootargs" and
                            not name.lower().endswith("_bootargs") else name)]
        if env and looks_like_cmdline(value, 1) and _has_danger(value):
            return [Cmdline("uboot-env", value, name)]
        return []
    if looks_like_cmdline(s, 2, strict=True):
        return [Cmdline("string", s)]
    return []


def _uboot_commands(text: str) -> list[Cmdline]:
    """``setenv bootargs ...`` and friends inside a U-Boot command list (``;``-separated) or script line."""
    if "bootargs" not in text and "setenv" not in text:
        return []
    out = []
    for cmd in _split_commands(text):
        m = _SETENV.match(cmd)
        if m:
            name, value = m.group(1), _unquote(m.group(2))
            if name.lower() == "bootargs" or (looks_like_cmdline(value, 1) and _has_danger(value)):
                out.append(Cmdline("uboot-script", value, name))
            continue
        f = _FDT_SET.match(cmd)
        if f:
            out.append(Cmdline("uboot-script", _unquote(f.group(1)), "/chosen/bootargs"))
    return out


def _split_commands(text: str) -> list[str]:
    """Split on ``;``, ``&&`` and ``||`` outside quotes (U-Boot hush and sh agree on these)."""
    out, cur, quote = [], [], ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
            cur.append(ch)
        elif ch in "'\"":
            quote = ch
            cur.append(ch)
        elif ch == ";" or text.startswith(("&&", "||"), i):
            out.append("".join(cur).strip())
            cur = []
            if ch != ";":
                i += 1
        else:
            cur.append(ch)
        i += 1
    out.append("".join(cur).strip())
    return [c for c in out if c]


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def tokens(cmdline: str) -> list[str]:
    try:
        return shlex.split(cmdline[:MAX_RECORD], comments=False, posix=True)
    except ValueError:
        return cmdline[:MAX_RECORD].split()


def looks_like_cmdline(text: str, min_known: int, strict: bool = False) -> bool:
    """Made only of parameter-shaped words, at least ``min_known`` of them well-known kernel parameters.
    ``strict`` (a string with no other context): bare words must be known flags or ``module.param``,
    so that prose mentioning ``init=/bin/sh`` is not taken for a command line."""
    words = tokens(text)
    if not words or len(words) > 200:
        return False
    bk = boot_knowledge()
    hits = 0
    for w in words:
        if "${" in w or "$(" in w:
            continue  # a U-Boot or shell variable reference
        if not _PARAM_WORD.match(w):
            return False
        key, eq, _ = w.partition("=")
        if key in bk.kernel_params:
            hits += 1
        elif strict and not eq and "." not in key and w not in bk.single_user_words:
            return False
    return hits >= min_known


def _has_danger(text: str) -> bool:
    p = parameters(text)
    return bool(p["init"] or p["rdinit"] or p["debug_shell"])


def parameters(cmdline: str) -> dict[str, Any]:
    """What a command line asks for: init, rdinit, consoles, single-user word, debug shell."""
    bk = boot_knowledge()
    out: dict[str, Any] = {"init": None, "rdinit": None, "consoles": [], "single": None, "debug_shell": None}
    for w in tokens(cmdline):
        key, eq, value = w.partition("=")
        if eq and key in bk.init_params and value:
            out[key] = value
        elif key == "console" and eq:
            out["consoles"].append(value)
        elif key in bk.debug_shell_params and (not eq or value.lower() in ("1", "yes", "true", "on")
                                                or value.startswith(("tty", "/dev/"))):
            out["debug_shell"] = w
        elif not eq and w in bk.single_user_words and out["single"] is None:
            out["single"] = w
    return out


class KernelCmdlineReader(FileAnalyzer):
    name = "boot-cmdline"
    kinds = frozenset({FileKind.DATA, FileKind.TEXT, FileKind.SCRIPT, FileKind.SOURCE, FileKind.ARCHIVE})

    def analyze(self, entry: FileEntry, data: bytes) -> Iterable[Observation]:
        for c in find_cmdlines(entry.relpath, data):
            params = parameters(c.text)
            yield Observation("boot-cmdline", entry.path, {
                "source": c.source, "variable": c.variable, "cmdline": c.text[:500], "line": c.line,
                "offset": c.offset, **params})


# ---------------------------------------------------------------- judging them against the root filesystem


class BootCmdlineAnalyzer(TreeAnalyzer):
    name = "boot"
    order = 25

    def analyze(self, ctx: TreeContext) -> Iterator[Finding]:
        cmdlines = ctx.observed("boot-cmdline")
        if not cmdlines:
            return
        rootfs = [t for t in ctx.trees if t.is_rootfs]
        seen: set[tuple] = set()
        for obs in cmdlines:
            d = obs.data
            for finding in self._judge(obs.path, d, rootfs):
                key = (finding.path, finding.rule, d.get("cmdline"))
                if key in seen:
                    continue
                seen.add(key)
                if DOC_DIRS.search(obs.path):  # an example in documentation boots nothing
                    finding.severity = Severity.LOW
                    finding.message += " (in documentation or examples)"
                yield finding

    def _judge(self, path: str, d: dict[str, Any], rootfs: list[Tree]) -> Iterator[Finding]:
        where = _describe(d)
        consoles = ", ".join(d.get("consoles") or []) or "the default console"
        evidence = {"cmdline": d.get("cmdline"), "source": d.get("source"), "variable": d.get("variable"),
                    "consoles": d.get("consoles") or []}
        loc = {"line": d.get("line"), "offset": d.get("offset")}
        k = knowledge()
        for param in ("init", "rdinit"):
            prog = d.get(param)
            if not prog:
                continue
            if k.is_shell(basename(prog)):
                yield rule("boot.shell-init").finding(
                    path, f"{where} boots the kernel with {param}={prog}: a root shell on {consoles} "
                    f"instead of init, without any login", evidence=dict(evidence, param=param, program=prog), **loc)
                continue
            grant = _script_grant(prog, rootfs)
            if grant:
                tree, rel, g = grant
                yield rule("boot.shell-init").finding(
                    path, f"{where} boots the kernel with {param}={prog}, a script that runs '{g.command}' "
                    f"(line {g.line}) unconditionally: a root shell on {consoles} without any login",
                    evidence=dict(evidence, param=param, program=prog, script=tree.path_of(rel),
                                  script_line=g.line), **loc)
        if d.get("debug_shell"):
            yield rule("boot.debug-shell").finding(
                path, f"{where} sets {d['debug_shell']}: systemd starts a root shell on tty9 without authentication",
                evidence=dict(evidence, param=d["debug_shell"]), **loc)
        word = d.get("single")
        if word:
            inits = {init_kind(t, d.get("init")) for t in rootfs}
            if "busybox" in inits:
                yield rule("boot.single-user-shell").finding(
                    path, f"{where} passes '{word}' to init; BusyBox init answers it with a root shell on "
                    f"{consoles} without login", evidence=dict(evidence, word=word, init="busybox"), **loc)
            elif not rootfs:
                yield rule("boot.single-user-shell").finding(
                    path, f"{where} passes '{word}' to init (single-user mode); BusyBox init would answer it with a "
                    f"root shell without login, systemd and sysvinit ask for the root password (init not found in "
                    f"this target)", evidence=dict(evidence, word=word, init="unknown"), severity=Severity.LOW, **loc)


_SOURCE_NAMES = {"uboot-env": "U-Boot environment", "uboot-script": "U-Boot script", "grub": "GRUB menu entry",
                 "syslinux": "syslinux/extlinux APPEND", "loader-entry": "boot loader entry",
                 "default-grub": "GRUB default command line", "cmdline-file": "kernel command-line file",
                 "config": "built-in command line", "string": "kernel command line"}


def _describe(d: dict[str, Any]) -> str:
    name = _SOURCE_NAMES.get(d.get("source") or "", "kernel command line")
    var = d.get("variable")
    return f"{name} ({var})" if var else name


def init_kind(tree: Tree, init: str | None = None) -> str | None:
    """busybox, systemd, script or other: what runs as pid 1 in this root filesystem."""
    candidates = [normalize(init)] if init else ["sbin/init", "init", "linuxrc"]
    for rel in candidates:
        entry = tree.resolve(rel)
        if entry is None:
            continue
        if entry.kind == FileKind.SCRIPT:
            return "script"
        target = (tree.get(rel).link_target or "") if tree.get(rel) else ""
        names = {basename(entry.relpath), basename(target)}
        if any("busybox" in n for n in names):
            return "busybox"
        if any("systemd" in n for n in names):
            return "systemd"
        return "other"
    return None


def _script_grant(prog: str, rootfs: list[Tree]):
    from .config.scripts import is_script
    rel = normalize(prog)
    for tree in rootfs:
        entry = tree.resolve(rel)
        if entry is None or not is_script(tree, rel):
            continue
        text = tree.text(entry.relpath)
        grant = unconditional_shell(text) if text else None
        if grant:
            return tree, entry.relpath, grant
    return None

