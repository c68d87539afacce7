"""Read and write "key = value" device configuration files."""
import re

KEYS = {"hostname", "mgmt_vlan", "ntp", "syslog", "banner"}
_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")


def load(text, strict=False):
    out = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0]
        if not line.strip():
            continue
        m = _LINE.match(line)
        if not m:
            raise ValueError(f"line {n}: expected key = value")
        key, value = m.groups()
        if strict and key not in KEYS:
            raise KeyError(key)
        out[key] = value
    return out


def dump(cfg):
    return "".join(f"{k} = {cfg[k]}\n" for k in sorted(cfg))

