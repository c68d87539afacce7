"""Files a gnulib-based project's ``bootstrap`` copies into the release from gnulib.

GNU projects that use gnulib (coreutils, grep, tar, ...) keep gnulib out of their repository (a git
submodule or a checkout named in ``bootstrap.conf``); ``./bootstrap`` copies the modules into
``lib/``, ``m4/``, ``build-aux/`` and ``gnulib-tests/`` before ``make dist``. Those files are in an
honest release but not in the repository. They are checked against a gnulib tree when one is
available (``--gnulib DIR``, ``$GNULIB_SRCDIR``, or Debian's ``gnulib`` package in
/usr/share/gnulib); otherwise they are listed as unverified rather than reported as new code.
Source: gnulib manual, "Invoking gnulib-tool" and the ``build-aux/bootstrap`` script.
"""
from __future__ import annotations

import os
from pathlib import Path

from .compare import read_text, same_file

#: release directories gnulib-tool fills, and where the file comes from inside gnulib
_DESTINATIONS = {"lib": ("lib",), "gl/lib": ("lib",), "gnulib/lib": ("lib",), "m4": ("m4",), "gl/m4": ("m4",),
                 "gnulib/m4": ("m4",), "build-aux": ("build-aux",), "gnulib-tests": ("tests",),
                 "gl/tests": ("tests",), "tests": ("tests",)}
DEFAULT_TREES = ("/usr/share/gnulib",)


def uses_gnulib(repo_files: dict[str, Path]) -> bool:
    if "bootstrap.conf" in repo_files:
        return True
    modules = read_text(repo_files.get(".gitmodules"))
    return bool(modules and "gnulib" in modules)


def gnulib_tree(explicit: str | None = None) -> Path | None:
    for candidate in (explicit, os.environ.get("GNULIB_SRCDIR"), *DEFAULT_TREES):
        if not candidate:
            continue
        tree = Path(candidate)
        if (tree / "gnulib-tool").exists() or (tree / "modules").is_dir():
            return tree
    return None


def origin(relpath: str, tree: Path | None) -> tuple[bool, Path | None]:
    """(could this release file come from gnulib, its gnulib counterpart if one exists)."""
    directory, _, name = relpath.rpartition("/")
    for dest, sources in _DESTINATIONS.items():
        if directory == dest or directory.startswith(dest + "/"):
            if tree is None:
                return True, None
            sub = directory[len(dest):].lstrip("/")
            for src in sources:
                candidate = tree / src / sub / name if sub else tree / src / name
                if candidate.is_file():
                    return True, candidate
            # gnulib renames some files on copy (".in.h" templates, "_" for "-"): accept by name only
            return True, None
    return False, None


def verify(release_file: Path, counterpart: Path | None) -> bool | None:
    """True identical to gnulib, False differs, None no counterpart to compare with."""
    if counterpart is None:
        return None
    return same_file(release_file, counterpart)
