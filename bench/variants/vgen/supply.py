"""Family `supply`: supply-chain back doors in release tarballs and dependency manifests.

Classes:
- rel-build-tampering: a release tarball (scanned alone) of a small autotools, CMake or plain
  Makefile C project whose build machinery (m4 macro, configure, aclocal.m4, Makefile.in,
  build-aux script, CMakeLists.txt, cmake module, tests/CMakeLists.txt, Makefile) reads a test
  file, slices/swaps/decodes/decompresses it and runs the result or splices it into the build.
  Modelled on xz-utils 2024 (CVE-2024-3094) in other shapes. Templates: supply_tpl, supply_m4,
  supply_autotools, supply_cmake; plants: supply_relplant (chains, carriers, payloads),
  supply_relhost (build-system snippets).
- dep-manifest: a source tree of a small npm / PyPI / Go / Cargo project whose manifest, install
  script, vendored dependency or build script fetches or decodes and runs code (supply_dep*.py).

Both twins are rendered from the same drawn layout, with and without the plant, and checked to
differ exactly in the labelled files. Written blind: from public write-ups only.
"""
from __future__ import annotations

import random
import subprocess
from pathlib import Path

from . import supply_autotools as AT
from . import supply_cmake as CM
from .common import make_tar, make_zip, write
from .supply_relhost import HOSTS, cmake_snippets, m4_quote, make_hooks, payload_kind, shell_snippet
from .supply_relplant import (CHAINS, c_payload, carrier_header, carrier_name, frame, honest_carrier, runs,
                              stage2_cmake, stage2_shell, xz)
from .supply_tpl import c_sources, common_docs, draw_cproj, readme, test_files_script

FAMILY = "supply"

_CONTAINERS = ["tar.gz", "tar.xz", "tar.bz2", "zip"]
_GEN = ["crc32_fast", "crc_x86", "codec_simd", "cpu_features", "crc_tab", "fast_path", "hw_accel", "crc_clmul"]


# ----------------------------------------------------------------------------- helpers

def as_bytes(v) -> tuple[bytes, int]:
    mode = 0o644
    if isinstance(v, tuple):
        v, mode = v
    if isinstance(v, str):
        v = v.encode()
    if mode == 0o644 and v.startswith(b"#!"):
        mode = 0o755
    return v, mode


def write_tree(root: Path, files: dict) -> None:
    for rel in sorted(files):
        data, mode = as_bytes(files[rel])
        write(root / rel, data, mode)


def check_twins(cls: str, index: int, clean: dict, planted: dict, paths: list[str]) -> None:
    if set(clean) != set(planted):
        raise ValueError(f"{cls}#{index}: twins have different file sets {sorted(set(clean) ^ set(planted))}")
    changed = sorted(p for p in clean if as_bytes(clean[p]) != as_bytes(planted[p]))
    if set(changed) != set(paths):
        raise ValueError(f"{cls}#{index}: changed files {changed} != labelled {sorted(paths)}")


def pack(tree: Path, out_dir: Path, container: str, prefix: str) -> Path:
    if container == "zip":
        holder = out_dir / "z"
        (holder / prefix).parent.mkdir(parents=True, exist_ok=True)
        tree.rename(holder / prefix)
        return make_zip(holder, out_dir / "rel.zip")
    return make_tar(tree, out_dir / f"rel.{container}", container.split(".")[1], prefix=prefix + "/")


def compile_object(work: Path, code: str, name: str) -> bytes:
    d = work / "objbuild"
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{name}.c").write_text(code)
    subprocess.run(["gcc", "-c", "-Os", "-fPIC", "-g0", "-fno-ident", "-o", f"{name}.o", f"{name}.c"],
                   cwd=d, check=True, capture_output=True)
    return (d / f"{name}.o").read_bytes()


def plan(rng: random.Random, items: list[str]) -> list[str]:
    items = list(items)
    rng.shuffle(items)
    return items


# ----------------------------------------------------------------------------- rel-build-tampering

def _testfiles(P, rng: random.Random, carrier: str) -> dict[str, bytes]:
    w = [runs(rng, rng.randint(200, 900)) for _ in range(4)]
    files = {
        f"good-1-{rng.choice(['small', 'runs', 'text'])}.bin": frame(P.magic, w[0]),
        f"good-2-{rng.choice(['large', 'mixed', 'long'])}.xz": xz(frame(P.magic, w[1])),
        "bad-1-crc.bin": frame(P.magic, w[2])[:-4] + b"\0\0\0\0",
        "bad-2-truncated.bin": frame(P.magic, w[3])[:-9],
    }
    files[carrier] = b""   # placeholder: filled per twin
    return files


def _testdir_readme(P, names: list[str]) -> str:
    desc = {"good": "valid frame (must decode)", "bad": "invalid frame (must be rejected)",
            "cras": "input that crashed an earlier version (fuzzer find)", "fuzz": "fuzzer corpus entry"}
    lines = [f"Test files for {P.name}", "", "good-* must decode, bad-* must be rejected; *.xz and *.gz are",
             "unpacked first. Other files are fuzzer finds and vector tables used by the unit tests.", ""]
    for n in sorted(names):
        lines.append(f"{n:34s} {desc.get(n[:4], 'test vectors (index, input, expected output)')}")
    return "\n".join(lines) + "\n"


def build_release(rng: random.Random, work: Path, host: str, chain: str, sink_pref: list[str] | None = None) -> dict:
    """Draw one rel-build-tampering variant; returns clean/planted file maps and the label.
    sink_pref: sinks in order of preference (the first one the host supports is used)."""
    bsys, sinks = HOSTS[host]
    bsys = bsys or rng.choice(["autotools", "cmake", "make"])
    sink = rng.choice(sinks)
    if sink_pref:
        sink = next(s for s in sink_pref + sinks if s in sinks)
    P = draw_cproj(rng)
    carrier = carrier_name(rng, chain, rng.randint(3, 6))
    carrier_path = f"{P.testdir}/{carrier}"
    tests = _testfiles(P, rng, carrier)
    testpaths = [f"{P.testdir}/{n}" for n in sorted(tests)]
    target = rng.choice(["src/crc32.c", "src/codec.c"])
    gen = rng.choice(_GEN)

    # payload
    code, fn, what = c_payload(rng, P.pfx)
    kind = payload_kind(sink)
    if kind == "shell":
        payload = stage2_shell(rng, code, target, fn).encode()
        effect = f"the decoded shell script appends C code to {target} before it is compiled: {what}"
    elif kind == "cmake":
        mode = rng.choice(["append", "force-include"])
        payload = stage2_cmake(rng, code, target, fn, mode).encode()
        effect = (f"the decoded CMake code is include()d and " +
                  (f"appends C code to {target}" if mode == "append" else "forces a generated header into every compile")
                  + f": {what}")
    elif kind == "object":
        payload = compile_object(work, code, gen)
        effect = f"the decoded ELF object is linked into the library: {what}"
    else:
        payload = code.encode()
        effect = f"the decoded C source is compiled into the library: {what}"

    hdr = carrier_header(rng, carrier, P.magic)
    carrier_data, pipe, chain_desc = CHAINS[chain](rng, payload, hdr)
    clean_carrier = honest_carrier(rng, carrier, P.magic, len(carrier_data), hdr)

    # machinery
    hooks: dict[str, str] = {}
    lib_var = f"src_lib{P.name}_a"
    if bsys == "autotools":
        L = AT.draw_layout(P, rng)
    elif bsys == "cmake":
        L = CM.draw_layout(P, rng)
    else:
        L = CM.draw_make_layout(P, rng)
    mfiles: list[str]
    where = ""
    if host in ("m4-macro", "configure", "aclocal"):
        m4f = rng.choice(L["m4"])
        region = f"conf:{m4f}"
        if host == "configure" and (sink == "inject-object" or (sink != "force-include" and rng.random() < 0.4)):
            region = "conf_tail"
        tgt = lib_var if sink == "inject-object" else target
        snip = shell_snippet(rng, pipe, f"$srcdir/{carrier_path}", sink, srcdir="$srcdir", target=tgt,
                             gen=gen, fn=fn, indent="  " if region != "conf_tail" else "")
        if host == "m4-macro":
            hooks[f"m4:{m4f}"] = m4_quote(snip)
            hooks[region] = snip
            mfiles = [f"m4/{m4f}", "configure"]
            where = f"m4/{m4f} (macro {AT.m4_macro_name(P, m4f)}, also expanded into configure)"
        elif host == "aclocal":
            hooks["aclocal"] = m4_quote(snip)
            hooks["conf_aclocal"] = snip
            mfiles = ["aclocal.m4", "configure"]
            where = "aclocal.m4 (inside the AM_SILENT_RULES definition, also expanded into configure)"
        else:
            hooks[region] = snip
            mfiles = ["configure"]
            where = ("configure only (config.status section; m4/ and configure.ac are clean)" if region == "conf_tail"
                     else f"configure only (in the expansion of {AT.m4_macro_name(P, m4f)}; m4/{m4f} is clean)")
    elif host == "makefile-in":
        v, r = make_hooks(rng, pipe, f"$(top_srcdir)/{carrier_path}", sink, plain=False, lib_var=lib_var,
                          target=target, gen=gen, fn=fn)
        hooks["mkin_vars"], hooks["mkin_rules"] = v, r
        mfiles = ["Makefile.in"]
        where = "Makefile.in (not in Makefile.am)"
    elif host == "makefile":
        v, r = make_hooks(rng, pipe, f"$(SRCDIR)/{carrier_path}", sink, plain=True, lib_var=lib_var,
                          target=target, gen=gen, fn=fn)
        hooks["mk_vars"], hooks["mk_rules"] = v, r
        mfiles = ["Makefile"]
        where = "Makefile"
    elif host == "hand-configure":
        hooks["hconf"] = shell_snippet(rng, pipe, f"$srcdir/{carrier_path}", sink, srcdir="$srcdir",
                                       target=target, gen=gen, fn=fn, vprefix="cf_")
        mfiles = ["configure"]
        where = "the hand-written configure script"
    elif host == "build-aux":
        s = shell_snippet(rng, pipe, f"$srcdir/{carrier_path}", sink if sink != "patch-source" else "sh",
                          srcdir="$srcdir", target=target, gen=gen, fn=fn, vprefix="mk_")
        if sink == "patch-source":   # the decoded C goes to stdout, i.e. into the generated version.h
            s = s.replace(" | ${SHELL-/bin/sh} 2>/dev/null", " 2>/dev/null").replace(") | sh >/dev/null 2>&1", ") 2>/dev/null")
            effect = f"the decoded C source is written into the generated version.h (compiled into main.c): {what}"
        hooks["mkversion"] = s
        mfiles = ["build-aux/mkversion.sh"]
        where = "build-aux/mkversion.sh (run by the build to generate version.h)"
    else:   # cmake hosts
        if host == "tests-cmake":
            expr = f"${{TESTDATA}}/{carrier}"
        else:
            expr = f"${{PROJECT_SOURCE_DIR}}/{carrier_path}"
        a, b = cmake_snippets(rng, pipe, expr, sink, lib=P.name, gen=gen)
        if host == "cmakelists":
            hooks["cml_mid"], hooks["cml_target"] = a, b
            mfiles = ["CMakeLists.txt"]
            where = "CMakeLists.txt"
        elif host == "tests-cmake":
            hooks["ctest"] = a + ("\n" + b if b else "")
            mfiles = ["tests/CMakeLists.txt"]
            where = "tests/CMakeLists.txt (processed at configure time)"
        else:
            mod = rng.choice(L["modules"])
            hooks[f"cmod:{mod}"] = a
            mfiles = [f"cmake/{mod}"]
            where = f"cmake/{mod}"

    def render(h: dict, carrier_bytes: bytes) -> dict:
        files = {}
        files.update(c_sources(P, random.Random(f"{P.name}-src")))
        files.update(common_docs(P, random.Random(f"{P.name}-docs")))
        files["README"] = readme(P, bsys)
        files["tests/test_files.sh"] = (test_files_script(P, sorted(tests)), 0o755)
        files[f"{P.testdir}/README"] = _testdir_readme(P, list(tests))
        for n, data in tests.items():
            files[f"{P.testdir}/{n}"] = carrier_bytes if n == carrier else data
        if bsys == "autotools":
            files.update(AT.render(P, L, h, testpaths))
        elif bsys == "cmake":
            files.update(CM.render_cmake(P, L, h, testpaths))
        else:
            files.update(CM.render_make(P, L, h, testpaths))
        return files

    clean = render({}, clean_carrier)
    planted = render(hooks, carrier_data)
    note = (f"Build machinery in {where} reads {carrier_path} (disguised as a test vector) and decodes "
            f"{chain_desc} ({pipe.replace('@F@', carrier)}); sink {sink}: {effect}. The clean release ships "
            f"an honest file of the same name and no such step.")
    return {"P": P, "clean": clean, "planted": planted, "paths": mfiles + [carrier_path], "note": note,
            "_pipe": pipe, "_payload": payload, "_carrier": carrier_path,
            "variant": {"build": bsys, "host": host, "chain": chain, "sink": sink, "carrier": carrier.rsplit(".", 1)[-1],
                        "payload": kind}}


def gen_release(ctx) -> None:
    cls = "rel-build-tampering"
    prng = ctx.rng_for(cls, "plan")
    hosts = plan(prng, sorted(HOSTS))
    chains = plan(prng, sorted(CHAINS))
    sinks = plan(prng, sorted({s for _, ss in HOSTS.values() for s in ss}))
    used: dict[str, int] = {}
    for index in range(ctx.per_class):
        rng = ctx.rng_for(cls, str(index))
        host = hosts[index % len(hosts)]
        chain = chains[(index + index // len(chains)) % len(chains)]
        rot = sinks[index % len(sinks):] + sinks[:index % len(sinks)]
        pref = sorted(rot, key=lambda s: (used.get(s, 0), rot.index(s)))   # least used first
        work = ctx.workdir(cls, index)
        v = build_release(rng, work, host, chain, pref)
        used[v["variant"]["sink"]] = used.get(v["variant"]["sink"], 0) + 1
        check_twins(cls, index, v["clean"], v["planted"], v["paths"])
        P = v["P"]
        container = rng.choice(_CONTAINERS)
        outs = {}
        for which in ("clean", "planted"):
            tree = work / which / "tree"
            write_tree(tree, v[which])
            outs[which] = pack(tree, work / which, container, P.tarname)
        ctx.add_pair(cls=cls, index=index, stem=f"{P.name}-{P.version}-{index:02d}", clean=outs["clean"],
                     planted=outs["planted"], kind="release", fmt=container,
                     backdoors=[{"categories": ["build-tampering", "obfuscated-code"], "paths": v["paths"],
                                 "note": v["note"], "severity": "critical"}],
                     variant={**v["variant"], "container": container}, suffix="." + container)


def generate(ctx) -> None:
    if ctx.wants("rel-build-tampering"):
        gen_release(ctx)
    if ctx.wants("dep-manifest"):
        from .supply_dep import gen_dep
        gen_dep(ctx)
