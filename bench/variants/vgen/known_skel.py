"""C daemon skeletons of the `known` family: a small embedded web server, a UDP discovery service
and a TCP login console (CLI or FTP flavour), each with honest code (config-key strcmp, hashed
password check, documented fixed-argv commands) and @@HOOK@@ points where known_plants.py puts a
re-created, publicly documented back door.

Written blind: from public write-ups only.
"""
from __future__ import annotations

import random

from .common import ident, word
from .supply_tpl import fill

COMMON_HEAD = """
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
"""


def names(rng: random.Random) -> dict:
    """Random identifiers shared by a skeleton and its plant."""
    n = {}
    for k in ("listen", "hash", "conf", "auth", "check", "handle", "reply", "qparam", "setup", "serve", "login",
              "session", "readln", "say", "spawn", "extra", "b64d", "b64e", "sha1", "mac"):
        n[k] = ident(rng, 2)
    n["conf_path"] = f"/etc/{word(rng)}.conf"
    n["model"] = word(rng).upper()[:6] + "-" + str(rng.randint(100, 990))
    return n


def common_c(N: dict) -> str:
    return fill(f"""
        static char conf_user[64] = "admin";
        static unsigned long conf_hash;
        static char conf_mac[32] = "00:00:00:00:00:00";
        static int conf_port;

        static int {N["listen"]}(int type, int port)
        {{
        \tstruct sockaddr_in a;
        \tint one = 1, s = socket(AF_INET, type, 0);
        \tif (s < 0)
        \t\treturn -1;
        \tsetsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        \tmemset(&a, 0, sizeof a);
        \ta.sin_family = AF_INET;
        \ta.sin_port = htons(port);
        \ta.sin_addr.s_addr = htonl(INADDR_ANY);
        \tif (bind(s, (struct sockaddr *)&a, sizeof a) < 0) {{
        \t\tclose(s);
        \t\treturn -1;
        \t}}
        \tif (type == SOCK_STREAM)
        \t\tlisten(s, 4);
        \treturn s;
        }}

        static unsigned long {N["hash"]}(const char *s)
        {{
        \tunsigned long h = 5381;
        \twhile (*s)
        \t\th = (h * 33) ^ (unsigned char)*s++;
        \treturn h;
        }}

        /* documented configuration keys: user=, pwhash=, mac=, port= */
        static void {N["conf"]}(void)
        {{
        \tchar line[256];
        \tFILE *fp = fopen("{N["conf_path"]}", "r");
        \tif (!fp)
        \t\treturn;
        \twhile (fgets(line, sizeof line, fp)) {{
        \t\tline[strcspn(line, "\\r\\n")] = 0;
        \t\tif (strncmp(line, "user=", 5) == 0)
        \t\t\tsnprintf(conf_user, sizeof conf_user, "%s", line + 5);
        \t\telse if (strncmp(line, "pwhash=", 7) == 0)
        \t\t\tconf_hash = strtoul(line + 7, NULL, 16);
        \t\telse if (strncmp(line, "mac=", 4) == 0)
        \t\t\tsnprintf(conf_mac, sizeof conf_mac, "%s", line + 4);
        \t\telse if (strncmp(line, "port=", 5) == 0)
        \t\t\tconf_port = atoi(line + 5);
        \t}}
        \tfclose(fp);
        }}

        static void {N["say"]}(int c, const char *s)
        {{
        \tif (write(c, s, strlen(s)) < 0)
        \t\treturn;
        }}

        static int {N["readln"]}(int c, char *buf, int cap)
        {{
        \tint n = 0;
        \tchar ch;
        \twhile (n < cap - 1 && read(c, &ch, 1) == 1) {{
        \t\tif (ch == '\\n')
        \t\t\tbreak;
        \t\tif (ch != '\\r')
        \t\t\tbuf[n++] = ch;
        \t}}
        \tbuf[n] = 0;
        \treturn n;
        }}
        """)


def httpd(N: dict, port: int, hooks: dict) -> str:
    h = lambda k: hooks.get(k, "")  # noqa: E731
    return COMMON_HEAD.lstrip() + h("globals") + "\n" + common_c(N) + "\n" + fill(f"""
        struct req {{
        \tchar method[8];
        \tchar target[512];
        \tchar path[256];
        \tchar query[512];
        \tchar ua[256];
        \tchar auth[256];
        }};

        static int {N["b64d"]}(const char *in, unsigned char *out, int cap)
        {{
        \tstatic const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        \tint v = 0, bits = 0, n = 0;
        \tconst char *p;
        \tfor (; *in && *in != '='; in++) {{
        \t\tif (!(p = strchr(tbl, *in)))
        \t\t\treturn -1;
        \t\tv = (v << 6) | (int)(p - tbl);
        \t\tbits += 6;
        \t\tif (bits >= 8) {{
        \t\t\tbits -= 8;
        \t\t\tif (n >= cap)
        \t\t\t\treturn -1;
        \t\t\tout[n++] = (v >> bits) & 0xff;
        \t\t}}
        \t}}
        \treturn n;
        }}

        static const char *{N["qparam"]}(const char *q, const char *key, char *out, size_t cap)
        {{
        \tsize_t kl = strlen(key), i = 0;
        \twhile (q && *q) {{
        \t\tif (strncmp(q, key, kl) == 0 && q[kl] == '=') {{
        \t\t\tq += kl + 1;
        \t\t\twhile (*q && *q != '&' && i + 1 < cap)
        \t\t\t\tout[i++] = (*q == '+') ? ' ' : *q, q++;
        \t\t\tout[i] = 0;
        \t\t\treturn out;
        \t\t}}
        \t\tq = strchr(q, '&');
        \t\tif (q)
        \t\t\tq++;
        \t}}
        \treturn NULL;
        }}

        static void {N["reply"]}(int c, int code, const char *type, const char *body)
        {{
        \tchar head[256];
        \tsnprintf(head, sizeof head, "HTTP/1.0 %d %s\\r\\nContent-Type: %s\\r\\n%s\\r\\n", code,
        \t    code == 200 ? "OK" : code == 401 ? "Unauthorized" : "Not Found", type,
        \t    code == 401 ? "WWW-Authenticate: Basic realm=\\"{N["model"]}\\"\\r\\n" : "");
        \t{N["say"]}(c, head);
        \t{N["say"]}(c, body);
        }}

        static int {N["check"]}(struct req *r)
        {{
        \tchar dec[192], *colon;
        \tint n;
        \tif (strncasecmp(r->auth, "Basic ", 6) != 0)
        \t\treturn 0;
        \tn = {N["b64d"]}(r->auth + 6, (unsigned char *)dec, sizeof dec - 1);
        \tif (n <= 0)
        \t\treturn 0;
        \tdec[n] = 0;
        \tif (!(colon = strchr(dec, ':')))
        \t\treturn 0;
        \t*colon = 0;
        \treturn strcmp(dec, conf_user) == 0 && {N["hash"]}(colon + 1) == conf_hash;
        }}
        @@FUNCS@@

        static int {N["auth"]}(struct req *r)
        {{
        @@AUTH@@
        \treturn {N["check"]}(r);
        }}

        static void {N["setup"]}(int c, struct req *r)
        {{
        \tchar todo[32], val[128];
        \tif (!{N["qparam"]}(r->query, "todo", todo, sizeof todo)) {{
        \t\t{N["reply"]}(c, 200, "text/html", "<html><body>no action</body></html>\\n");
        \t\treturn;
        \t}}
        \tif (strcmp(todo, "save_hostname") == 0 && {N["qparam"]}(r->query, "hostname", val, sizeof val)) {{
        \t\tFILE *fp = fopen("/etc/hostname", "w");
        \t\tif (fp) {{
        \t\t\tfprintf(fp, "%s\\n", val);
        \t\t\tfclose(fp);
        \t\t}}
        \t\t{N["reply"]}(c, 200, "text/html", "<html><body>saved</body></html>\\n");
        \t}} else if (strcmp(todo, "reboot") == 0) {{
        \t\t{N["reply"]}(c, 200, "text/html", "<html><body>rebooting</body></html>\\n");
        \t\tsystem("/sbin/reboot");
        @@SETUP@@
        \t}} else {{
        \t\t{N["reply"]}(c, 404, "text/html", "unknown action\\n");
        \t}}
        }}

        static void {N["handle"]}(int c)
        {{
        \tchar buf[4096], *line, *save = NULL, *q;
        \tstruct req r;
        \tint n, authed;
        \tmemset(&r, 0, sizeof r);
        \tn = read(c, buf, sizeof buf - 1);
        \tif (n <= 0)
        \t\treturn;
        \tbuf[n] = 0;
        \tif (sscanf(buf, "%7s %511s", r.method, r.target) != 2)
        \t\treturn;
        \tsnprintf(r.path, sizeof r.path, "%s", r.target);
        \tif ((q = strchr(r.path, '?')) != NULL) {{
        \t\t*q = 0;
        \t\tsnprintf(r.query, sizeof r.query, "%s", strchr(r.target, '?') + 1);
        \t}}
        \tfor (line = strtok_r(buf, "\\r\\n", &save); line; line = strtok_r(NULL, "\\r\\n", &save)) {{
        \t\tif (strncasecmp(line, "User-Agent:", 11) == 0)
        \t\t\tsnprintf(r.ua, sizeof r.ua, "%s", line + 11 + strspn(line + 11, " "));
        \t\telse if (strncasecmp(line, "Authorization:", 14) == 0)
        \t\t\tsnprintf(r.auth, sizeof r.auth, "%s", line + 14 + strspn(line + 14, " "));
        \t}}
        \tauthed = {N["auth"]}(&r);
        @@PREAUTH@@
        \tif (strcmp(r.path, "/") == 0 || strcmp(r.path, "/login.htm") == 0) {{
        \t\t{N["reply"]}(c, 200, "text/html", "<html><body><h1>{N["model"]}</h1><a href=\\"/status.htm\\">status</a></body></html>\\n");
        \t\treturn;
        \t}}
        \tif (!authed) {{
        \t\t{N["reply"]}(c, 401, "text/html", "authentication required\\n");
        \t\treturn;
        \t}}
        \tif (strcmp(r.path, "/status.htm") == 0)
        \t\t{N["reply"]}(c, 200, "text/html", "<html><body>{N["model"]} up</body></html>\\n");
        \telse if (strcmp(r.path, "/setup.cgi") == 0)
        \t\t{N["setup"]}(c, &r);
        \telse
        \t\t{N["reply"]}(c, 404, "text/html", "not found\\n");
        }}

        int main(void)
        {{
        \tint s, c;
        \t{N["conf"]}();
        \tsignal(SIGCHLD, SIG_IGN);
        @@MAIN@@
        \ts = {N["listen"]}(SOCK_STREAM, conf_port ? conf_port : {port});
        \tif (s < 0)
        \t\treturn 1;
        \tfor (;;) {{
        \t\tif ((c = accept(s, NULL, NULL)) < 0)
        \t\t\tcontinue;
        \t\tif (fork() == 0) {{
        \t\t\tclose(s);
        \t\t\t{N["handle"]}(c);
        \t\t\t_exit(0);
        \t\t}}
        \t\tclose(c);
        \t}}
        }}
        """, FUNCS=h("funcs"), AUTH=h("auth"), SETUP=h("setup"), PREAUTH=h("preauth"), MAIN=h("main")) + "\n"


def udpd(N: dict, port: int, hooks: dict) -> str:
    h = lambda k: hooks.get(k, "")  # noqa: E731
    disc = hooks.get("disc_magic", "DISCOVER")
    return COMMON_HEAD.lstrip() + h("globals") + "\n" + common_c(N) + "\n" + fill(f"""
        @@FUNCS@@

        /* documented LAN discovery: "{disc}" -> model, firmware and MAC address */
        static void {N["serve"]}(int s)
        {{
        \tchar buf[512], out[256];
        \tstruct sockaddr_in from;
        \tsocklen_t fl;
        \tint n;
        \tfor (;;) {{
        \t\tfl = sizeof from;
        \t\tn = recvfrom(s, buf, sizeof buf - 1, 0, (struct sockaddr *)&from, &fl);
        \t\tif (n <= 0)
        \t\t\tcontinue;
        \t\tbuf[n] = 0;
        \t\tif (n >= {len(disc)} && memcmp(buf, "{disc}", {len(disc)}) == 0) {{
        \t\t\tsnprintf(out, sizeof out, "MODEL={N["model"]};FW=1.0.%d;MAC=%s", {port % 97}, conf_mac);
        \t\t\tsendto(s, out, strlen(out), 0, (struct sockaddr *)&from, fl);
        \t\t}} else if (strcmp(buf, "PING") == 0) {{
        \t\t\tsendto(s, "PONG", 4, 0, (struct sockaddr *)&from, fl);
        \t\t}}
        \t}}
        }}

        int main(void)
        {{
        \tint s;
        \t{N["conf"]}();
        \tsignal(SIGCHLD, SIG_IGN);
        @@MAIN@@
        \ts = {N["listen"]}(SOCK_DGRAM, conf_port ? conf_port : {port});
        \tif (s < 0)
        \t\treturn 1;
        \t{N["serve"]}(s);
        \treturn 0;
        }}
        """, FUNCS=h("funcs"), MAIN=h("main")) + "\n"


def console(N: dict, port: int, hooks: dict, flavour: str = "cli") -> str:
    """Login console: "cli" (login:/Password:) or "ftp" (USER/PASS, 220 banner)."""
    h = lambda k: hooks.get(k, "")  # noqa: E731
    if flavour == "ftp":
        banner = '"220 (' + N["model"] + ' FTP service ready)\\r\\n"'
        get_user = fill(f"""
            \t\tif ({N["readln"]}(c, line, sizeof line) <= 0)
            \t\t\treturn;
            @@RAW@@
            \t\tif (strncasecmp(line, "USER ", 5) != 0) {{
            \t\t\t{N["say"]}(c, "530 Please login with USER and PASS.\\r\\n");
            \t\t\tcontinue;
            \t\t}}
            \t\tsnprintf(user, sizeof user, "%s", line + 5);
            @@USER@@
            \t\t{N["say"]}(c, "331 Please specify the password.\\r\\n");
            \t\tif ({N["readln"]}(c, line, sizeof line) <= 0 || strncasecmp(line, "PASS ", 5) != 0)
            \t\t\treturn;
            \t\tsnprintf(pass, sizeof pass, "%s", line + 5);""", RAW=h("raw"), USER=h("user"))
        ok, bad, prompt = '"230 Login successful.\\r\\n"', '"530 Login incorrect.\\r\\n"', '""'
        cmds = fill(f"""
            \t\tif (strcasecmp(line, "SYST") == 0)
            \t\t\t{N["say"]}(c, "215 UNIX Type: L8\\r\\n");
            \t\telse if (strncasecmp(line, "HELP", 4) == 0) {{
            \t\t\tconst char *arg = line[4] ? line + 5 : "";
            \t\t\t(void)arg;
            @@HELP@@
            \t\t\t{N["say"]}(c, "214-The following commands are recognized.\\r\\n USER PASS SYST HELP QUIT PWD\\r\\n214 Help OK.\\r\\n");
            \t\t}} else if (strcasecmp(line, "PWD") == 0)
            \t\t\t{N["say"]}(c, "257 \\"/\\"\\r\\n");
            \t\telse if (strcasecmp(line, "QUIT") == 0) {{
            \t\t\t{N["say"]}(c, "221 Goodbye.\\r\\n");
            \t\t\treturn;
            \t\t}}""", HELP=h("help"))
    else:
        banner = '"\\r\\n' + N["model"] + ' management console\\r\\nlogin: "'
        get_user = fill(f"""
            \t\tif ({N["readln"]}(c, line, sizeof line) <= 0)
            \t\t\treturn;
            @@RAW@@
            \t\tsnprintf(user, sizeof user, "%s", line);
            @@USER@@
            \t\t{N["say"]}(c, "Password: ");
            \t\tif ({N["readln"]}(c, pass, sizeof pass) < 0)
            \t\t\treturn;""", RAW=h("raw"), USER=h("user"))
        ok, bad, prompt = '"\\r\\nWelcome.\\r\\n"', '"Login incorrect\\r\\nlogin: "', '"> "'
        cmds = fill(f"""
            \t\tif (strcmp(line, "show version") == 0)
            \t\t\t{N["say"]}(c, "{N["model"]} firmware 1.0\\r\\n");
            \t\telse if (strcmp(line, "show mac") == 0) {{
            \t\t\t{N["say"]}(c, conf_mac);
            \t\t\t{N["say"]}(c, "\\r\\n");
            \t\t}} else if (strcmp(line, "reboot") == 0)
            \t\t\tsystem("/sbin/reboot");
            \t\telse if (strcmp(line, "help") == 0)
            \t\t\t{N["say"]}(c, "show version | show mac | reboot | exit\\r\\n");
            \t\telse if (strcmp(line, "exit") == 0)
            \t\t\treturn;""")
    spawn = fill(f"""
        static void {N["spawn"]}(int c)
        {{
        \tdup2(c, 0);
        \tdup2(c, 1);
        \tdup2(c, 2);
        \texecl("/bin/sh", "sh", (char *)0);
        \t_exit(1);
        }}
        """) if hooks.get("need_spawn") else ""
    return COMMON_HEAD.lstrip() + h("globals") + "\n" + common_c(N) + "\n" + fill(f"""
        @@SPAWN@@
        @@FUNCS@@

        static int {N["login"]}(const char *user, const char *pass)
        {{
        @@LOGIN@@
        \treturn strcmp(user, conf_user) == 0 && {N["hash"]}(pass) == conf_hash;
        }}

        static void {N["session"]}(int c)
        {{
        \tchar user[64], pass[128], line[512];
        \tint tries;
        \t{N["say"]}(c, {banner});
        \tfor (tries = 0; tries < 3; tries++) {{
        @@GETUSER@@
        \t\tif ({N["login"]}(user, pass))
        \t\t\tbreak;
        \t\t{N["say"]}(c, {bad});
        \t}}
        \tif (tries == 3)
        \t\treturn;
        \t{N["say"]}(c, {ok});
        \tfor (;;) {{
        \t\t{N["say"]}(c, {prompt});
        \t\tif ({N["readln"]}(c, line, sizeof line) < 0)
        \t\t\treturn;
        @@CMD@@
        @@CMDS@@
        \t\telse
        \t\t\t{N["say"]}(c, "unknown command\\r\\n");
        \t}}
        }}

        int main(void)
        {{
        \tint s, c;
        \t{N["conf"]}();
        \tsignal(SIGCHLD, SIG_IGN);
        @@MAIN@@
        \ts = {N["listen"]}(SOCK_STREAM, conf_port ? conf_port : {port});
        \tif (s < 0)
        \t\treturn 1;
        \tfor (;;) {{
        \t\tif ((c = accept(s, NULL, NULL)) < 0)
        \t\t\tcontinue;
        \t\tif (fork() == 0) {{
        \t\t\tclose(s);
        \t\t\t{N["session"]}(c);
        \t\t\t_exit(0);
        \t\t}}
        \t\tclose(c);
        \t}}
        }}
        """, SPAWN=spawn, FUNCS=h("funcs"), LOGIN=h("login"), GETUSER=get_user, CMD=h("cmd"), CMDS=cmds, MAIN=h("main")) + "\n"


SKELETONS = {"httpd": httpd, "udpd": udpd, "console": console}
