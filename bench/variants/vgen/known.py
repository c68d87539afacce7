"""Family `known`: re-creations of publicly documented back doors of network equipment and
software, with the publicly documented trigger values (signatures) but our own surrounding code.

Each variant picks a different back door and a carrier: a stripped -Os daemon cross-compiled for a
random architecture (kind binary), a firmware root filesystem holding it (squashfs / tar.gz), a
source tree (the daemon's C source, or the original file layout for vsftpd, ProFTPD, UnrealIRCd,
php-src and event-stream), a web tree with a re-created CGI/PHP/Lua handler, rootfs configuration
files with documented hard-coded accounts, or the xz-utils 5.6.x release tarball. The clean twin
is the same program or tree without the back door.

Pieces: known_skel (C skeletons), known_plants (C plants), known_src (original-layout sources),
known_fw (rootfs, configs, web trees), known_xz (xz-utils). Written blind: public write-ups only.
"""
from __future__ import annotations

import os
import random
import shutil
import subprocess
from pathlib import Path

from . import known_plants as KP
from . import known_skel as KS
from .common import make_squashfs, make_tar, product
from .known_fw import CONFIG_SPECIALS, WWW_SPECIALS, base_rootfs
from .known_src import SOURCE_SPECIALS
from .supply import as_bytes, check_twins, write_tree

FAMILY = "known"
CLS = "known-backdoor"

ARCHES = [("mipsel", "mipsel-linux-gnu-gcc"), ("mips", "mips-linux-gnu-gcc"), ("armel", "arm-linux-gnueabi-gcc"),
          ("armhf", "arm-linux-gnueabihf-gcc"), ("aarch64", "aarch64-linux-gnu-gcc"), ("ppc", "powerpc-linux-gnu-gcc"),
          ("x86_64", "gcc")]

# id -> skeleton, plant, honest port, daemon paths, carriers, categories, public reference
CATALOGUE = {
    "dlink-ua": ("httpd", KP.dlink_ua, 80, ["bin/webs", "usr/sbin/thttpd", "usr/sbin/httpd"],
                 ["binary", "rootfs", "source", "www"], ["auth-bypass"],
                 "D-Link DIR-100/DIR-615/DI-524 and rebrands, 'xmlset_roodkcableoj28840ybtide' User-Agent "
                 "(Craig Heffner, /dev/ttyS0, Oct 2013; CVE-2013-6026)"),
    "hikvision": ("httpd", KP.hikvision, 80, ["home/davinci", "usr/bin/webserver"],
                  ["binary", "rootfs", "source", "www"], ["auth-bypass"],
                  "Hikvision IP cameras 'auth=YWRtaW46MTEK' bypass (CVE-2017-7921, ICS-CERT ICSA-17-124-01, 2017)"),
    "netgear-setup": ("httpd", KP.netgear_setup, 80, ["usr/sbin/mini_httpd", "usr/sbin/httpd"],
                      ["binary", "rootfs", "www"], ["auth-bypass", "hidden-command"],
                      "Netgear DGN1000/DGN2200 setup.cgi 'currentsetting.htm' bypass and todo=syscmd (2013)"),
    "tenda-7329": ("udpd", KP.tenda_mfg, 0, ["bin/httpd", "usr/sbin/mfgd"], ["binary", "rootfs", "source"],
                   ["hidden-command", "remote-access"],
                   "Tenda W302R/W330R and Medialink MWN-WAPR150N 'w302r_mfg' UDP 7329 service "
                   "(Craig Heffner, 'From China, With Love', /dev/ttyS0, Oct 2013)"),
    "tplink-tddp": ("udpd", KP.tplink_tddp, 0, ["usr/bin/tddp", "usr/sbin/tddp"], ["binary", "rootfs", "source"],
                    ["hidden-command", "remote-access", "auth-bypass"],
                    "TP-Link Device Debug Protocol v1 without authentication on UDP 1040 (Talos TP-Link WR-series "
                    "advisories, 2016; TP-Link SR20 command 0x31 disclosure by Matthew Garrett, Mar 2019)"),
    "netgear-telnetenable": ("udpd", KP.netgear_telnetenable, 0, ["usr/sbin/telnetenabled"], ["binary", "rootfs"],
                             ["remote-access", "hardcoded-secret"],
                             "Netgear 'telnetenabled' unlock packet keyed with 'AMBIT_TELNET_ENABLE+' (Gearguy/Geardog; "
                             "documented by the OpenWrt and netgear-telnetenable projects since 2009)"),
    "sercomm-32764": (None, KP.sercomm, 0, ["usr/sbin/scfgmgr"], ["binary", "rootfs", "source"],
                      ["remote-access", "hidden-command"],
                      "Sercomm TCP 32764 'ScMM'/'MMcS' configuration service in Linksys WAG200G, Netgear DGN, Cisco "
                      "WAP4410N and others (Eloi Vanderbeken, Dec 2013; CVE-2014-0659)"),
    "xiongmai-9530": ("console-cli", KP.xiongmai_telnet, 9527, ["usr/bin/Sofia", "usr/bin/dvrHelper"], ["binary", "rootfs"],
                      ["remote-access", "debug-interface"],
                      "Xiongmai / HiSilicon-based DVR, NVR and IP-camera firmware: 'OpenTelnet:OpenOnce' on TCP 9530 "
                      "opens telnet (Vladislav Yarmak, 2020)"),
    "zte-airocon": ("console-cli", KP.zte_airocon, 23, ["usr/sbin/cspd", "bin/clid"], ["binary", "rootfs"],
                    ["hardcoded-secret", "auth-bypass"], "ZTE ZXV10 W300 admin password ending in 'airocon' (CVE-2014-0329)"),
    "screenos": ("console-cli", KP.screenos, 22, ["usr/sbin/sshd-auth"], ["binary", "source"], ["auth-bypass", "hardcoded-secret"],
                 "Juniper ScreenOS 6.2.0r15-6.3.0r20 authentication back door (CVE-2015-7755, Dec 2015)"),
    "fortios": ("console-cli", KP.fortios, 22, ["bin/sshd"], ["binary", "source"], ["hardcoded-secret", "auth-bypass"],
                "Fortinet FortiOS 4.x-5.0.7 'Fortimanager_Access' SSH challenge-response (CVE-2016-1909, Jan 2016)"),
    "zyxel-zyfwp": ("console-cli", KP.zyxel_zyfwp, 22, ["usr/sbin/zysh"], ["binary", "rootfs", "config"],
                    ["account", "hardcoded-secret"],
                    "Zyxel USG/ATP/VPN/NXC undocumented account 'zyfwp' (CVE-2020-29583, EYE, Dec 2020)"),
    "zyxel-pk5001z": ("console-cli", KP.zyxel_pk5001z, 23, ["usr/bin/clid"], ["binary", "rootfs"],
                      ["hardcoded-secret", "account"], "ZyXEL PK5001Z su password 'zyad5001' (CVE-2016-10401)"),
    "vsftpd": ("console-ftp", KP.vsftpd_smiley, 21, ["usr/sbin/vsftpd"], ["binary", "source"], ["remote-access", "hidden-command"],
               "vsftpd 2.3.4 trojaned download, ':)' user name opens a shell on port 6200 (July 2011, CVE-2011-2523)"),
    "proftpd": ("console-ftp", KP.proftpd_acid, 21, ["usr/sbin/proftpd"], ["binary", "source"], ["hidden-command", "remote-access"],
                "ProFTPD 1.3.3c compromised source tarball, 'HELP ACIDBITCHEZ' (Nov-Dec 2010, OSVDB 69562)"),
    "unrealircd": ("console-cli", KP.unreal_ab, 6667, ["usr/bin/ircd"], ["binary", "source"], ["hidden-command", "remote-access"],
                   "UnrealIRCd 3.2.8.1 trojaned tarball, 'AB;' command prefix (CVE-2010-2075, June 2010)"),
    "php-zerodium": (None, None, 0, [], ["source"], ["hidden-command", "remote-access"],
                     "php-src commits of 28 March 2021, 'User-Agentt: zerodium' (PHP 8.1.0-dev)"),
    "xz-utils": (None, None, 0, [], ["release"], ["build-tampering", "obfuscated-code"], "xz-utils 5.6.0/5.6.1 (CVE-2024-3094)"),
    "event-stream": (None, None, 0, [], ["source"], ["obfuscated-code", "hidden-command"],
                     "event-stream 3.3.6 / flatmap-stream 0.1.1 (Nov 2018)"),
    "zte-zte521": (None, None, 0, [], ["config"], ["account", "hardcoded-secret"], "ZTE root/Zte521"),
    "xiongmai-xc3511": (None, None, 0, [], ["config"], ["account", "hardcoded-secret"], "Xiongmai root/xc3511"),
    "huawei-telecomadmin": (None, None, 0, [], ["config"], ["account", "hardcoded-secret"], "Huawei telecomadmin"),
}

_SPECIAL_SOURCE = {"vsftpd", "proftpd", "unrealircd", "php-zerodium", "event-stream"}


def make_plan(rng: random.Random) -> list[tuple[str, str]]:
    """(back door, carrier) pairs: every back door once, consecutive variants on different carriers."""
    ids = sorted(CATALOGUE)
    rng.shuffle(ids)
    kinds = ["binary", "rootfs", "source", "www", "config", "release"]
    order = []
    while len(order) < 3 * len(ids):
        k = list(kinds)
        rng.shuffle(k)
        order += k
    plan, used = [], set()
    for kind in order:
        for bid in ids:
            if bid not in used and kind in CATALOGUE[bid][4]:
                plan.append((bid, kind))
                used.add(bid)
                break
        if len(used) == len(ids):
            break
    for bid in ids:   # anything left over
        if bid not in used:
            plan.append((bid, rng.choice(CATALOGUE[bid][4])))
    return plan


def compile_c(work: Path, src: str, cc: str, name: str, opt: str) -> bytes:
    d = work / "cbuild"
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{name}.c").write_text(src)
    cmd = [cc, opt, "-s", "-w", f"-ffile-prefix-map={d}=.", "-o", name, f"{name}.c"]
    if cc.startswith(("aarch64", "powerpc")):
        cmd.insert(1, "-Wl,-z,max-page-size=4096")
    subprocess.run(cmd, cwd=d, check=True, capture_output=True)
    data = (d / name).read_bytes()
    shutil.rmtree(d)
    return data


def _skeleton_src(rng: random.Random, bid: str, plant: bool) -> tuple[str, dict, dict]:
    """C source of the daemon for back door `bid`; the same draw gives the clean twin."""
    skel, fn, port, *_ = CATALOGUE[bid]
    N = KS.names(rng)
    hooks = fn(rng, N)
    if skel is None:
        skel = rng.choice(["httpd", "console-cli"])
    if port == 0:
        port = {"httpd": 80}.get(skel, rng.choice([5001, 9999, 20560, 48899]))
    h = hooks if plant else {}
    if skel == "httpd":
        src = KS.httpd(N, port, h)
    elif skel == "udpd":
        src = KS.udpd(N, port, h)
    else:
        src = KS.console(N, port, h, "ftp" if skel == "console-ftp" else "cli")
    return src, hooks, {"skeleton": skel, "port": port, "conf": N["conf_path"], "model": N["model"]}


def _pack_tree(work: Path, which: str, files: dict, container: str, prefix: str = "") -> Path:
    tree = work / which / "tree"
    write_tree(tree, files)
    if container == "dir":
        return tree
    if container == "squashfs":
        return make_squashfs(tree, work / which / "rootfs.squashfs", comp="xz")
    if container.startswith("tar."):
        return make_tar(tree, work / which / f"t.{container}", container.split(".")[1], prefix=prefix)
    raise ValueError(container)


def build_variant(rng: random.Random, work: Path, bid: str, carrier: str) -> dict:
    skel, fn, port, daemons, carriers, cats, ref = CATALOGUE[bid]
    stem = product(rng)
    v: dict = {"variant": {"backdoor": bid, "carrier": carrier}}
    if carrier == "release":
        from .known_xz import release
        r = release(rng, work)
        container = rng.choice(["tar.gz", "tar.xz", "tar.bz2"])
        outs = {w: _pack_tree(work, w, r[w], container, prefix=f"{r['P'].tarname}/") for w in ("clean", "planted")}
        check_twins(CLS, 0, r["clean"], r["planted"], r["paths"])
        return dict(v, outs=outs, kind="release", fmt=container, suffix="." + container, arch="", stem=f"xz-{r['P'].version}",
                    paths=r["paths"], cats=r["categories"], note=r["note"], variant={**v["variant"], "container": container})
    if carrier in ("config", "www") or (carrier == "source" and bid in _SPECIAL_SOURCE):
        model = stem.upper()[:8] + "-" + str(rng.randint(100, 999))
        if carrier == "config":
            r = CONFIG_SPECIALS[bid](rng, model)
        elif carrier == "www":
            r = WWW_SPECIALS[bid](rng, model)
        else:
            r = SOURCE_SPECIALS[bid](rng)
        extra = set(r.get("extra_changed", []))
        changed = {p for p in r["clean"] if as_bytes(r["clean"][p]) != as_bytes(r["planted"][p])}
        if set(r["clean"]) != set(r["planted"]) or changed != set(r["paths"]) | extra:
            raise ValueError(f"{bid}: twins differ in {sorted(changed)} but label {r['paths']}")
        if carrier == "source":
            container = rng.choice(["dir", "tar.gz"])
            kind = "source"
            prefix = f"{bid}-{rng.randint(1, 9)}.{rng.randint(0, 9)}/" if container != "dir" else ""
        else:
            container = rng.choice(["dir", "tar.gz", "squashfs"])
            kind = "firmware" if container == "squashfs" else "rootfs"
            prefix = ""
        outs = {w: _pack_tree(work, w, r[w], container, prefix) for w in ("clean", "planted")}
        return dict(v, outs=outs, kind=kind, fmt="directory" if container == "dir" else container,
                    suffix="" if container == "dir" else "." + container, arch="", stem=stem,
                    paths=r["paths"], cats=r["categories"], note=r["note"] + f" [{ref}]",
                    variant={**v["variant"], **r.get("variant", {}), "container": container})

    # daemon carriers: binary, rootfs, source (C skeleton)
    seed = rng.random()
    src_p, hooks, meta = _skeleton_src(random.Random(seed), bid, True)
    src_c, _, _ = _skeleton_src(random.Random(seed), bid, False)
    arch, cc = rng.choice(ARCHES)
    if not shutil.which(cc):
        arch, cc = "x86_64", "gcc"
    opt = rng.choice(["-Os", "-Os", "-O2"])
    name = os.path.basename(rng.choice(daemons))
    note = (f"Re-created {ref}: {hooks['trigger']} {hooks['effect']}. Carrier: {carrier} ({meta['skeleton']} "
            f"daemon, honest service on port {meta['port']}).")
    variant = {**v["variant"], "skeleton": meta["skeleton"]}
    if carrier == "source":
        files = {"README": f"{meta['model']} {name} - management daemon\n\nBuild: make CC=<cross-gcc>\n",
                 "Makefile": f"CC ?= gcc\nCFLAGS ?= -Os -Wall\n\n{name}: src/{name}.c\n\t$(CC) $(CFLAGS) -o $@ $<\n\n"
                             f"install: {name}\n\tinstall -m 755 {name} $(DESTDIR)/usr/sbin/\n",
                 f"etc/{os.path.basename(meta['conf'])}": f"user=admin\npwhash={rng.getrandbits(32):08x}\nport={meta['port']}\n"}
        clean = dict(files, **{f"src/{name}.c": src_c})
        planted = dict(files, **{f"src/{name}.c": src_p})
        container = rng.choice(["dir", "tar.gz"])
        prefix = f"{name}-{rng.randint(1, 4)}.{rng.randint(0, 20)}/" if container != "dir" else ""
        outs = {w: _pack_tree(work, w, f, container, prefix) for w, f in (("clean", clean), ("planted", planted))}
        return dict(outs=outs, kind="source", fmt="directory" if container == "dir" else container,
                    suffix="" if container == "dir" else "." + container, arch="", stem=stem, paths=[f"src/{name}.c"],
                    cats=cats, note=note, variant={**variant, "container": container, "lang": "c"})
    bin_p = compile_c(work, src_p, cc, name, opt)
    bin_c = compile_c(work, src_c, cc, name, opt)
    if carrier == "binary":
        outs = {}
        for w, data in (("clean", bin_c), ("planted", bin_p)):
            p = work / w / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
            p.chmod(0o755)
            outs[w] = p
        return dict(outs=outs, kind="binary", fmt="elf", suffix="", arch=arch, stem=f"{stem}-{name}", paths=["."],
                    cats=cats, note=note, variant={**variant, "arch": arch, "opt": opt})
    dpath = next(d for d in daemons if os.path.basename(d) == name)
    files = base_rootfs(rng, meta["model"], dpath, meta["conf"], meta["port"])
    clean = dict(files, **{dpath: (bin_c, 0o755)})
    planted = dict(files, **{dpath: (bin_p, 0o755)})
    container = rng.choice(["squashfs", "tar.gz", "squashfs"])
    outs = {w: _pack_tree(work, w, f, container) for w, f in (("clean", clean), ("planted", planted))}
    return dict(outs=outs, kind="firmware" if container == "squashfs" else "rootfs", fmt=container, suffix="." + container,
                arch=arch, stem=stem, paths=[dpath], cats=cats, note=note,
                variant={**variant, "arch": arch, "opt": opt, "container": container})


def generate(ctx) -> None:
    if not ctx.wants(CLS):
        return
    plan = make_plan(ctx.rng_for(CLS, "plan"))
    for index in range(ctx.per_class):
        rng = ctx.rng_for(CLS, str(index))
        bid, carrier = plan[index % len(plan)]
        if index >= len(plan):   # a second round: same back door, another carrier if it has one
            others = [c for c in CATALOGUE[bid][4] if c != carrier]
            carrier = rng.choice(others) if others else carrier
        work = ctx.workdir(CLS, index)
        r = build_variant(rng, work, bid, carrier)
        ctx.add_pair(cls=CLS, index=index, stem=f"{r['stem']}-{index:02d}".replace("_", "-"), clean=r["outs"]["clean"],
                     planted=r["outs"]["planted"], kind=r["kind"], fmt=r["fmt"], arch=r["arch"],
                     backdoors=[{"categories": sorted({"known-backdoor", *r["cats"]}), "paths": r["paths"],
                                 "note": r["note"], "severity": "critical"}],
                     variant=r["variant"], suffix=r["suffix"])
