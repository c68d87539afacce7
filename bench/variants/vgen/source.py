"""Family `source`: source trees of small network-equipment projects with a back door in one file.

Classes: src-auth-bypass, src-hidden-command, src-hardcoded-credential, src-remote-shell,
src-obfuscated. Every variant is a small realistic project (README, build file, several source
files, tests, default config) in one of many languages (C, C++, PHP, Python, Perl, Lua/LuCI,
JavaScript, TypeScript, Go, Java, shell CGI, HTML). The clean twin is the same tree with the honest code path;
both twins carry honest look-alikes (config-key strcmp, documented command dispatchers, fixed-argv
subprocess calls, base64 images, dummy test credentials, documented default accounts).

The shapes live in source_<language>.py; this module plans them per class, builds both trees,
checks that the twins differ exactly in the labelled files, and packs them (directory, .tar.gz or
.zip, with or without a top-level directory).

Written blind: from public write-ups of back doors only, never from the scanner's source.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

from .common import make_tar, make_zip, write
from .source_common import Variant, draw_proj

FAMILY = "source"

CLASS_CATEGORIES = {
    "src-auth-bypass": ["auth-bypass", "hidden-command"],
    "src-hidden-command": ["hidden-command", "remote-access"],
    "src-hardcoded-credential": ["hardcoded-secret", "auth-bypass", "account"],
    "src-remote-shell": ["remote-access", "phone-home", "hidden-command"],
    "src-obfuscated": ["obfuscated-code", "hidden-command"],
}

CONTAINERS = ["dir", "tar.gz", "zip"]


def _modules():
    from . import (source_c, source_go, source_java, source_js, source_php, source_py, source_scripts,
                   source_ts)
    return [source_c, source_php, source_py, source_js, source_ts, source_go, source_java, source_scripts]


def shapes_for(cls: str) -> list[tuple[str, str, object]]:
    out = []
    for mod in _modules():
        for c, lang, name, fn in mod.SHAPES:
            if c == cls:
                out.append((lang, name, fn))
    out.sort(key=lambda t: (t[0], t[1]))
    return out


# `train` indices from EXTRA_FROM on also deal the shapes of source_more.py (three slots in four; the
# fourth keeps the original plan's shape for that index). Indices below it, the whole `test` split and
# the committed sample are drawn exactly as before.
EXTRA_FROM = 32


def extra_shapes_for(cls: str) -> list[tuple[str, str, object]]:
    from . import source_more
    out = [(lang, name, fn) for c, lang, name, fn in source_more.SHAPES if c == cls]
    out.sort(key=lambda t: (t[0], t[1]))
    return out


def _pick(ctx, cls: str, index: int, plan: list, extra_plan: list):
    if ctx.split != "train" or index < EXTRA_FROM or not extra_plan:
        return plan[index % len(plan)]
    k = index - EXTRA_FROM
    if k % 4 == 3:
        return plan[index % len(plan)]
    return extra_plan[(k // 4 * 3 + k % 4) % len(extra_plan)]


def _plan(rng: random.Random, shapes: list[tuple[str, str, object]]) -> list[tuple[str, str, object]]:
    """Order the shapes so that consecutive variants differ in language and shape.

    Round robin over languages (C twice per round, once in each half of the first eight variants:
    most firmware code is C), each language's shapes shuffled; the order of languages is shuffled.
    The plan has its own stream, seeded per class and split (not per variant count), so the two
    splits draw other orders and `--per-class 1` still reproduces variant 0; everything else about
    a variant comes from its per-index stream.
    """
    groups: dict[str, list] = {}
    for s in shapes:
        groups.setdefault(s[0], []).append(s)
    for g in groups.values():
        rng.shuffle(g)
    langs = sorted(g for g in groups if g != "c")
    rng.shuffle(langs)
    if "c" in groups:   # two C slots per round, one in each half of the first eight variants
        langs.insert(rng.randrange(0, 4), "c")
        langs.insert(rng.randrange(4, 8), "c")
    plan = []
    while any(groups.values()):
        for lang in langs:
            if groups[lang]:
                plan.append(groups[lang].pop(0))
    return plan


# ----------------------------------------------------------------------------- sanity checks

_IP = re.compile(rb"(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_URL_HOST = re.compile(rb"(?i)\b(?:https?|ftp|tftp)://([a-z0-9.\-]+)")
_OK_NETS = (b"192.0.2.", b"198.51.100.", b"203.0.113.")
_OK_IPS = {b"127.0.0.1", b"0.0.0.0", b"255.255.255.0", b"255.255.255.255", b"255.255.255.128"}
_OK_HOSTS = ("localhost", "127.0.0.1", "maven.apache.org", "www.w3.org", "jakarta.ee",
             "xmlns.jcp.org", "www.apache.org", "java.sun.com")


def _check_network(path: str, data: bytes) -> None:
    for m in _IP.finditer(data):
        ip = m.group(0)
        if ip in _OK_IPS or ip.startswith(_OK_NETS):
            continue
        if all(int(x) < 10 for x in m.groups()):   # version numbers like 1.2.3.4
            continue
        if any(int(x) > 255 or (len(x) > 1 and x.startswith(b"0")) for x in m.groups()):
            continue                                   # not an address (a random dotted version)
        raise ValueError(f"{path}: non-documentation address {ip!r}")
    for m in _URL_HOST.finditer(data):
        host = m.group(1).decode().lower().rstrip(".")
        if host in _OK_HOSTS or host.endswith((".example", ".example.com", ".example.net", ".example.org")) \
                or host in ("example.com", "example.net", "example.org") or host.startswith(_OK_NETS_STR):
            continue
        raise ValueError(f"{path}: non-documentation host {host!r}")


_OK_NETS_STR = tuple(n.decode() for n in _OK_NETS)


def _as_bytes(v) -> tuple[bytes, int | None]:
    mode = None
    if isinstance(v, tuple):
        v, mode = v
    if isinstance(v, str):
        v = v.encode()
    if not v.endswith(b"\n") and v and not v.startswith(b"\x89PNG") and b"\0" not in v:
        v += b"\n"
    return v, mode


def _write_tree(root: Path, files: dict) -> None:
    for rel in sorted(files):
        data, mode = _as_bytes(files[rel])
        if mode is None:
            mode = 0o755 if data.startswith(b"#!") else 0o644
        _check_network(rel, data)
        write(root / rel, data, mode)


def _check_twins(cls: str, index: int, v: Variant) -> None:
    if set(v.clean) != set(v.planted):
        raise ValueError(f"{cls}#{index}: twins have different file sets: "
                         f"{sorted(set(v.clean) ^ set(v.planted))}")
    changed = {p for p in v.clean if _as_bytes(v.clean[p]) != _as_bytes(v.planted[p])}
    if changed != set(v.paths):
        raise ValueError(f"{cls}#{index}: changed files {sorted(changed)} != labelled paths {sorted(v.paths)}")


# ----------------------------------------------------------------------------- driver

def generate(ctx) -> None:
    for cls, cats in CLASS_CATEGORIES.items():
        if not ctx.wants(cls):
            continue
        plan = _plan(ctx.rng_for(cls, "plan"), shapes_for(cls))
        extra_plan = []
        if ctx.split == "train" and ctx.per_class > EXTRA_FROM:
            extra_plan = _plan(ctx.rng_for(cls, "plan-extra"), extra_shapes_for(cls))
        for index in range(ctx.per_class):
            rng = ctx.rng_for(cls, str(index))
            lang, shape_name, fn = _pick(ctx, cls, index, plan, extra_plan)
            P = draw_proj(rng)
            v: Variant = fn(rng, P)
            _check_twins(cls, index, v)
            container = rng.choice(CONTAINERS)
            prefix = f"{P.name}-{P.version}/" if container != "dir" and rng.random() < 0.6 else ""
            work = ctx.workdir(cls, index)
            outs = {}
            for which, files in (("clean", v.clean), ("planted", v.planted)):
                tree = work / which / "tree"
                _write_tree(tree, files)
                if container == "dir":
                    outs[which] = tree
                elif container == "tar.gz":
                    outs[which] = make_tar(tree, work / which / "src.tar.gz", "gz", prefix=prefix)
                else:
                    if prefix:
                        moved = work / which / "z" / prefix.rstrip("/")
                        moved.parent.mkdir(parents=True)
                        tree.rename(moved)
                        tree = moved.parent
                    outs[which] = make_zip(tree, work / which / "src.zip")
            suffix = "" if container == "dir" else "." + container
            categories = sorted(set(cats) | set(v.categories))
            variant = {"language": lang, "shape": shape_name, "container": container,
                       "top_dir": bool(prefix), **v.variant}
            ctx.add_pair(cls=cls, index=index, stem=f"{P.name}-{index:02d}", clean=outs["clean"],
                         planted=outs["planted"], kind="source",
                         fmt="directory" if container == "dir" else container,
                         backdoors=[{"categories": categories, "paths": list(v.paths), "note": v.note,
                                     "severity": v.severity}],
                         variant=variant, suffix=suffix)
