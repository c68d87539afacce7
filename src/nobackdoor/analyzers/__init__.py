"""The analyzer registry.

Every module under this package (recursively) that defines subclasses of
:class:`~nobackdoor.analyzers.base.FileAnalyzer` or :class:`~nobackdoor.analyzers.base.TreeAnalyzer`
with a ``name`` is picked up automatically: adding an analyzer is adding one module.
"""
from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil

from .base import FileAnalyzer, ScanOptions, Tree, TreeAnalyzer, TreeContext

__all__ = ["FileAnalyzer", "TreeAnalyzer", "Tree", "TreeContext", "ScanOptions", "file_analyzers", "tree_analyzers"]


@functools.cache
def _discover() -> tuple[tuple[type[FileAnalyzer], ...], tuple[type[TreeAnalyzer], ...]]:
    files: dict[str, type[FileAnalyzer]] = {}
    trees: dict[str, type[TreeAnalyzer]] = {}
    for info in pkgutil.walk_packages(__path__, prefix=__name__ + "."):
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__ != module.__name__ or not getattr(obj, "name", ""):
                continue
            if issubclass(obj, FileAnalyzer):
                files[obj.name] = obj
            elif issubclass(obj, TreeAnalyzer):
                trees[obj.name] = obj
    return (
        tuple(files[k] for k in sorted(files)),
        tuple(sorted(trees.values(), key=lambda c: (c.order, c.name))),
    )


def _selected(cls: type, options: ScanOptions | None) -> bool:
    return not (options and options.only) or cls.name in options.only


def file_analyzers(options: ScanOptions | None = None) -> list[FileAnalyzer]:
    return [cls(options) for cls in _discover()[0] if _selected(cls, options)]


def tree_analyzers(options: ScanOptions | None = None) -> list[TreeAnalyzer]:
    return [cls(options) for cls in _discover()[1] if _selected(cls, options)]


def analyzer_names() -> list[str]:
    return sorted(cls.name for group in _discover() for cls in group)
