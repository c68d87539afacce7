"""Report formats: one module per format, each defining ``FORMAT`` (its --format name) and
``render(result, args=None) -> str``. Modules are discovered, so adding a format is adding a file."""
from __future__ import annotations

import argparse
import functools
import importlib
import pkgutil
from types import ModuleType

from ..models import ScanResult


@functools.cache
def _modules() -> dict[str, ModuleType]:
    out = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        fmt = getattr(module, "FORMAT", None)
        if fmt:
            out[fmt] = module
    return out


def formats() -> list[str]:
    return sorted(_modules())


def render(fmt: str, result: ScanResult, args: argparse.Namespace | None = None) -> str:
    try:
        module = _modules()[fmt]
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r} (one of: {', '.join(formats())})") from None
    return module.render(result, args)
