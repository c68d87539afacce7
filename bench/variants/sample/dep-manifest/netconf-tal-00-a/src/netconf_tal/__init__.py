"""Minimal NETCONF session and RPC helpers."""
from .core import load, dump  # noqa: F401
