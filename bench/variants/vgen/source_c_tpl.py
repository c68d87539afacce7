"""C / C++ project scaffolds of the `source` family: an embedded web server (httpd), a line CLI
daemon (clid), a UDP management-protocol daemon (mgmtd) and a small C++ REST service.

Each scaffold draws its own honest details once (names, ports, build system) and renders a tree
from hook values; the shapes in source_c.py fill a hook (or replace one file) for the planted twin.
Written blind, from public write-ups of back doors only.
"""
from __future__ import annotations

import random

from .source_common import Proj, fill, license_header

# ============================================================================ httpd

HTTPD_H = r"""
@lic@
#ifndef @G@_HTTPD_H
#define @G@_HTTPD_H

#include <stddef.h>
#include <stdint.h>

#define MAX_HEADERS 32
#define MAX_PARAMS  32

struct kv {
    char name[64];
    char value[512];
};

struct request {
    int fd;
    char method[8];
    char path[256];
    char query[1024];
    struct kv headers[MAX_HEADERS];
    int nheaders;
    struct kv params[MAX_PARAMS];
    int nparams;
    char body[4096];
    size_t body_len;
    int authenticated;
    int uid;
    char user[64];
    char peer[64];
};

/* request.c */
int parse_request(int fd, struct request *r);
const char *req_header(const struct request *r, const char *name);
const char *req_param(const struct request *r, const char *name);
int req_cookie(const struct request *r, const char *name, char *out, size_t outlen);
void send_response(int fd, int status, const char *ctype, const char *body);
void send_redirect(int fd, const char *location);

/* auth.c */
int auth_check(struct request *r);
int auth_login(struct request *r, char *sid, size_t sidlen);
void auth_logout(struct request *r);
int is_public_path(const char *path);

/* handlers.c */
int dispatch(struct request *r);

/* update.c */
int update_check(char *version, size_t len);

/* watchdog.c */
int watchdog_start(void);

/* util.c */
void sha256_hex(const char *in, char out[65]);
int b64_decode(const char *in, unsigned char *out, size_t outlen);
void url_decode(char *s);
void log_msg(const char *fmt, ...);

#endif
"""

CONFIG_H = r"""
@lic@
#ifndef @G@_CONFIG_H
#define @G@_CONFIG_H

struct config {
    int port;
    char bind_addr[64];
    char doc_root[128];
    char passwd_file[128];
    int session_timeout;
    char update_url[256];
    char update_key[128];
    int log_level;
    int watchdog;
};

extern struct config g_cfg;

int config_load(const char *path, struct config *cfg);

#endif
"""

BUILDCFG_H = r"""
@lic@
#ifndef @G@_BUILDCFG_H
#define @G@_BUILDCFG_H

/* Build-time options of @prog@. */
#define @G@_VERSION      "@version@"
#define MAX_SESSIONS     @max_sessions@
#define SESSION_TIMEOUT  @timeout@
#define SESSION_COOKIE   "@cookie@"
#define FEATURE_UPNP     @upnp@
#define FEATURE_TR069    0
#define WATCHDOG_DEV     "/dev/watchdog"
#define MANIFEST_TMP     "/tmp/@ident@-manifest.txt"
@feat_extra@

#endif
"""

SESSION_H = r"""
@lic@
#ifndef @G@_SESSION_H
#define @G@_SESSION_H

#include <string.h>
#include <time.h>

struct session {
    char sid[33];
    char user[64];
    int uid;
    time_t last;
};

#define SESSION_VALID(s, now)  ((s)->sid[0] != '\0' && (now) - (s)->last < SESSION_TIMEOUT)
#define SESSION_CLEAR(s)       memset((s), 0, sizeof(*(s)))
#define SESSION_TOUCH(s, now)  ((s)->last = (now))
@sess_extra@

#endif
"""

AUTH_C = r"""
@lic@
/* Session and password authentication of the web interface. */
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
@auth_includes@

static struct session sessions[MAX_SESSIONS];
@auth_globals@

static const char *public_prefixes[] = {
    "/login.html", "/css/", "/js/", "/img/", "/favicon.ico", "/api/login", NULL
};

int is_public_path(const char *path)
{
    int i;

    @is_public_extra@
    for (i = 0; public_prefixes[i] != NULL; i++) {
        if (strncmp(path, public_prefixes[i], strlen(public_prefixes[i])) == 0)
            return 1;
    }
    return 0;
}

/* passwd file lines: name:crypt-hash:uid */
static int verify_password(const char *user, const char *pass, int *uid)
{
    FILE *fp;
    char line[256];
    int ok = 0;

    fp = fopen(g_cfg.passwd_file, "r");
    if (fp == NULL)
        return 0;
    while (fgets(line, sizeof(line), fp) != NULL) {
        char *name = strtok(line, ":");
        char *hash = strtok(NULL, ":");
        char *id = strtok(NULL, ":\n");
        const char *calc;

        if (name == NULL || hash == NULL || id == NULL)
            continue;
        if (strcmp(name, user) != 0)
            continue;
        calc = crypt(pass, hash);
        if (calc != NULL && strcmp(calc, hash) == 0) {
            *uid = atoi(id);
            ok = 1;
        }
        break;
    }
    fclose(fp);
    return ok;
}

static int check_credentials(const char *user, const char *pass, int *uid)
{
    @cred_pre@
    return verify_password(user, pass, uid);
}

static void new_sid(char *out, size_t len)
{
    unsigned char rnd[16];
    int fd, i;

    fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0 || read(fd, rnd, sizeof(rnd)) != (ssize_t)sizeof(rnd)) {
        if (fd >= 0)
            close(fd);
        out[0] = '\0';
        return;
    }
    close(fd);
    for (i = 0; i < 16 && (size_t)(i * 2 + 2) < len; i++)
        snprintf(out + i * 2, 3, "%02x", rnd[i]);
}

static struct session *session_find(const char *sid)
{
    time_t now = time(NULL);
    int i;

    for (i = 0; i < MAX_SESSIONS; i++) {
        if (SESSION_VALID(&sessions[i], now) && strcmp(sessions[i].sid, sid) == 0) {
            SESSION_TOUCH(&sessions[i], now);
            return &sessions[i];
        }
    }
    return NULL;
}

static int basic_auth(struct request *r, const char *hdr)
{
    unsigned char dec[192];
    char *colon;
    int n, uid = -1;

    if (strncmp(hdr, "Basic ", 6) != 0)
        return 0;
    n = b64_decode(hdr + 6, dec, sizeof(dec) - 1);
    if (n <= 0)
        return 0;
    dec[n] = '\0';
    colon = strchr((char *)dec, ':');
    if (colon == NULL)
        return 0;
    *colon = '\0';
    if (!check_credentials((char *)dec, colon + 1, &uid))
        return 0;
    snprintf(r->user, sizeof(r->user), "%s", (char *)dec);
    r->uid = uid;
    r->authenticated = 1;
    return 1;
}

int auth_check(struct request *r)
{
    char sid[64];
    const char *hdr;
    struct session *s;

    @auth_check_pre@
    hdr = req_header(r, "Authorization");
    if (hdr != NULL)
        return basic_auth(r, hdr);
    if (!req_cookie(r, SESSION_COOKIE, sid, sizeof(sid)))
        return 0;
    s = session_find(sid);
    if (s == NULL)
        return 0;
    snprintf(r->user, sizeof(r->user), "%s", s->user);
    r->uid = s->uid;
    r->authenticated = 1;
    return 1;
}

int auth_login(struct request *r, char *sid, size_t sidlen)
{
    const char *user = req_param(r, "username");
    const char *pass = req_param(r, "password");
    time_t now = time(NULL);
    int uid = -1, i;

    if (user == NULL || pass == NULL)
        return 0;
    if (!check_credentials(user, pass, &uid)) {
        log_msg("login failed for '%s' from %s", user, r->peer);
        return 0;
    }
    @auth_login_post@
    for (i = 0; i < MAX_SESSIONS; i++) {
        if (!SESSION_VALID(&sessions[i], now))
            break;
    }
    if (i == MAX_SESSIONS)
        return 0;
    SESSION_CLEAR(&sessions[i]);
    new_sid(sessions[i].sid, sizeof(sessions[i].sid));
    snprintf(sessions[i].user, sizeof(sessions[i].user), "%s", user);
    sessions[i].uid = uid;
    SESSION_TOUCH(&sessions[i], now);
    snprintf(sid, sidlen, "%s", sessions[i].sid);
    log_msg("user '%s' logged in from %s", user, r->peer);
    return 1;
}

void auth_logout(struct request *r)
{
    char sid[64];
    int i;

    if (!req_cookie(r, SESSION_COOKIE, sid, sizeof(sid)))
        return;
    for (i = 0; i < MAX_SESSIONS; i++) {
        if (strcmp(sessions[i].sid, sid) == 0)
            SESSION_CLEAR(&sessions[i]);
    }
}
"""

HANDLERS_C = r"""
@lic@
/* Request routing and the JSON API of the web interface. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/sysinfo.h>
#include <arpa/inet.h>

#include "httpd.h"
#include "config.h"
#include "buildcfg.h"
@h_includes@

enum { AUTH_NONE = 0, AUTH_USER = 1, AUTH_ADMIN = 2 };

struct route {
    const char *method;
    const char *path;
    int (*fn)(struct request *r);
    int auth;
};

@h_globals@
/* Run a fixed program (no shell) and collect its standard output. */
static int run_argv(char *const argv[], char *out, size_t outlen)
{
    int pfd[2], status = -1;
    size_t used = 0;
    ssize_t n;
    pid_t pid;

    if (pipe(pfd) < 0)
        return -1;
    pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(pfd[1], STDOUT_FILENO);
        close(pfd[0]);
        close(pfd[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pfd[1]);
    while (used + 1 < outlen && (n = read(pfd[0], out + used, outlen - used - 1)) > 0)
        used += (size_t)n;
    out[used] = '\0';
    close(pfd[0]);
    waitpid(pid, &status, 0);
    return status;
}

static int h_status(struct request *r)
{
    struct sysinfo si;
    char body[256];

    sysinfo(&si);
    snprintf(body, sizeof(body), "{\"version\":\"%s\",\"uptime\":%ld,\"user\":\"%s\"}",
             @G@_VERSION, (long)si.uptime, r->user);
    send_response(r->fd, 200, "application/json", body);
    return 0;
}

static int h_login(struct request *r)
{
    char sid[64], hdr[160];

    if (!auth_login(r, sid, sizeof(sid))) {
        send_response(r->fd, 403, "application/json", "{\"error\":\"invalid credentials\"}");
        return 0;
    }
    snprintf(hdr, sizeof(hdr), "{\"ok\":true,\"cookie\":\"%s=%s; HttpOnly\"}", SESSION_COOKIE, sid);
    send_response(r->fd, 200, "application/json", hdr);
    return 0;
}

static int h_logout(struct request *r)
{
    auth_logout(r);
    send_redirect(r->fd, "/login.html");
    return 0;
}

/* Diagnostics page: ping an IPv4 address (validated, run without a shell). */
static int h_ping(struct request *r)
{
    const char *host = req_param(r, "host");
    struct in_addr addr;
    char out[2048];
    char hostbuf[INET_ADDRSTRLEN];
    char *argv[] = { "/bin/ping", "-c", "3", "-W", "2", hostbuf, NULL };

    if (host == NULL || inet_pton(AF_INET, host, &addr) != 1) {
        send_response(r->fd, 400, "text/plain", "bad address");
        return 0;
    }
    inet_ntop(AF_INET, &addr, hostbuf, sizeof(hostbuf));
    run_argv(argv, out, sizeof(out));
    send_response(r->fd, 200, "text/plain", out);
    return 0;
}

static int h_reboot(struct request *r)
{
    char out[64];
    char *argv[] = { "/sbin/reboot", NULL };

    send_response(r->fd, 202, "application/json", "{\"rebooting\":true}");
    run_argv(argv, out, sizeof(out));
    return 0;
}

static int h_firmware(struct request *r)
{
    char version[64], body[128];

    if (update_check(version, sizeof(version)) != 0) {
        send_response(r->fd, 502, "application/json", "{\"error\":\"update server unreachable\"}");
        return 0;
    }
    snprintf(body, sizeof(body), "{\"current\":\"%s\",\"latest\":\"%s\"}", @G@_VERSION, version);
    send_response(r->fd, 200, "application/json", body);
    return 0;
}
@h_funcs@

static const struct route routes[] = {
    { "GET",  "/api/status",    h_status,   AUTH_USER  },
    { "POST", "/api/login",     h_login,    AUTH_NONE  },
    { "POST", "/api/logout",    h_logout,   AUTH_USER  },
    { "POST", "/api/diag/ping", h_ping,     AUTH_ADMIN },
    { "POST", "/api/reboot",    h_reboot,   AUTH_ADMIN },
    { "GET",  "/api/firmware",  h_firmware, AUTH_ADMIN },
    @h_routes@
    { NULL, NULL, NULL, AUTH_NONE }
};

static int serve_static(struct request *r)
{
    char file[512], buf[8192];
    ssize_t n;
    int fd;

    if (strstr(r->path, "..") != NULL) {
        send_response(r->fd, 400, "text/plain", "bad path");
        return 0;
    }
    if (!is_public_path(r->path) && !auth_check(r)) {
        send_redirect(r->fd, "/login.html");
        return 0;
    }
    snprintf(file, sizeof(file), "%s%s", g_cfg.doc_root,
             strcmp(r->path, "/") == 0 ? "/index.html" : r->path);
    fd = open(file, O_RDONLY);
    if (fd < 0) {
        send_response(r->fd, 404, "text/plain", "not found");
        return 0;
    }
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    send_response(r->fd, 200, "text/html", buf);
    return 0;
}

int dispatch(struct request *r)
{
    int i;

    @h_dispatch_pre@
    for (i = 0; routes[i].path != NULL; i++) {
        if (strcmp(r->method, routes[i].method) != 0 || strcmp(r->path, routes[i].path) != 0)
            continue;
        if (routes[i].auth != AUTH_NONE && !auth_check(r)) {
            send_response(r->fd, 401, "application/json", "{\"error\":\"login required\"}");
            return 0;
        }
        if (routes[i].auth == AUTH_ADMIN && r->uid != 0) {
            send_response(r->fd, 403, "application/json", "{\"error\":\"admin only\"}");
            return 0;
        }
        return routes[i].fn(r);
    }
    return serve_static(r);
}
"""

REQUEST_C = r"""
@lic@
/* HTTP/1.0 request parsing (one request per connection). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/socket.h>

#include "httpd.h"

static char rxbuf[8192];

static void parse_pairs(struct request *r, char *s)
{
    char *save = NULL, *tok;

    for (tok = strtok_r(s, "&", &save); tok != NULL && r->nparams < MAX_PARAMS;
         tok = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(tok, '=');
        struct kv *p = &r->params[r->nparams];

        if (eq == NULL)
            continue;
        *eq = '\0';
        snprintf(p->name, sizeof(p->name), "%s", tok);
        snprintf(p->value, sizeof(p->value), "%s", eq + 1);
        url_decode(p->name);
        url_decode(p->value);
        r->nparams++;
    }
}

int parse_request(int fd, struct request *r)
{
    char *line, *save = NULL, *q, *body;
    char query[1024];
    ssize_t n;

    memset(r, 0, sizeof(*r));
    r->fd = fd;
    r->uid = -1;
    n = recv(fd, rxbuf, sizeof(rxbuf) - 1, 0);
    if (n <= 0)
        return -1;
    rxbuf[n] = '\0';
    body = strstr(rxbuf, "\r\n\r\n");
    if (body != NULL) {
        *body = '\0';
        body += 4;
        r->body_len = strlen(body);
        if (r->body_len >= sizeof(r->body))
            r->body_len = sizeof(r->body) - 1;
        memcpy(r->body, body, r->body_len);
    }
    line = strtok_r(rxbuf, "\r\n", &save);
    if (line == NULL || sscanf(line, "%7s %255s", r->method, r->path) != 2)
        return -1;
    q = strchr(r->path, '?');
    if (q != NULL) {
        *q++ = '\0';
        snprintf(r->query, sizeof(r->query), "%s", q);
    }
    while ((line = strtok_r(NULL, "\r\n", &save)) != NULL && r->nheaders < MAX_HEADERS) {
        char *colon = strchr(line, ':');
        struct kv *h = &r->headers[r->nheaders];

        if (colon == NULL)
            continue;
        *colon++ = '\0';
        while (*colon == ' ')
            colon++;
        snprintf(h->name, sizeof(h->name), "%s", line);
        snprintf(h->value, sizeof(h->value), "%s", colon);
        r->nheaders++;
    }
    snprintf(query, sizeof(query), "%s", r->query);
    parse_pairs(r, query);
    if (strcmp(r->method, "POST") == 0 && r->body_len > 0) {
        char form[4096];
        snprintf(form, sizeof(form), "%s", r->body);
        parse_pairs(r, form);
    }
    return 0;
}

const char *req_header(const struct request *r, const char *name)
{
    int i;

    for (i = 0; i < r->nheaders; i++) {
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    }
    return NULL;
}

const char *req_param(const struct request *r, const char *name)
{
    int i;

    for (i = 0; i < r->nparams; i++) {
        if (strcmp(r->params[i].name, name) == 0)
            return r->params[i].value;
    }
    return NULL;
}

int req_cookie(const struct request *r, const char *name, char *out, size_t outlen)
{
    const char *c = req_header(r, "Cookie");
    size_t nlen = strlen(name);

    while (c != NULL && *c != '\0') {
        while (*c == ' ' || *c == ';')
            c++;
        if (strncmp(c, name, nlen) == 0 && c[nlen] == '=') {
            size_t i = 0;
            c += nlen + 1;
            while (c[i] != '\0' && c[i] != ';' && i + 1 < outlen) {
                out[i] = c[i];
                i++;
            }
            out[i] = '\0';
            return 1;
        }
        c = strchr(c, ';');
    }
    return 0;
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 202: return "Accepted";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    default:  return "Error";
    }
}

void send_response(int fd, int status, const char *ctype, const char *body)
{
    char head[256];
    int n;

    n = snprintf(head, sizeof(head),
                 "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                 "Cache-Control: no-store\r\nX-Frame-Options: DENY\r\n\r\n",
                 status, reason(status), ctype, strlen(body));
    if (write(fd, head, (size_t)n) < 0 || write(fd, body, strlen(body)) < 0)
        log_msg("short write");
}

void send_redirect(int fd, const char *location)
{
    char head[384];
    int n;

    n = snprintf(head, sizeof(head), "HTTP/1.0 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n",
                 location);
    if (write(fd, head, (size_t)n) < 0)
        log_msg("short write");
}
"""

CONFIG_C = r"""
@lic@
/* key=value configuration file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

struct config g_cfg;

static char *trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
        *--e = '\0';
    return s;
}

int config_load(const char *path, struct config *cfg)
{
    FILE *fp;
    char line[512];
    int lineno = 0;

    memset(cfg, 0, sizeof(*cfg));
    cfg->port = @http_port@;
    snprintf(cfg->bind_addr, sizeof(cfg->bind_addr), "0.0.0.0");
    snprintf(cfg->doc_root, sizeof(cfg->doc_root), "/www");
    snprintf(cfg->passwd_file, sizeof(cfg->passwd_file), "@passwd@");
    cfg->session_timeout = @timeout@;
    cfg->watchdog = 1;

    fp = fopen(path, "r");
    if (fp == NULL)
        return -1;
    while (fgets(line, sizeof(line), fp) != NULL) {
        char *key, *val, *eq;

        lineno++;
        key = trim(line);
        if (*key == '#' || *key == '\0')
            continue;
        eq = strchr(key, '=');
        if (eq == NULL) {
            fprintf(stderr, "%s:%d: missing '='\n", path, lineno);
            continue;
        }
        *eq = '\0';
        key = trim(key);
        val = trim(eq + 1);
        if (strcmp(key, "port") == 0)
            cfg->port = atoi(val);
        else if (strcmp(key, "bind") == 0)
            snprintf(cfg->bind_addr, sizeof(cfg->bind_addr), "%s", val);
        else if (strcmp(key, "doc_root") == 0)
            snprintf(cfg->doc_root, sizeof(cfg->doc_root), "%s", val);
        else if (strcmp(key, "passwd_file") == 0)
            snprintf(cfg->passwd_file, sizeof(cfg->passwd_file), "%s", val);
        else if (strcmp(key, "session_timeout") == 0)
            cfg->session_timeout = atoi(val);
        else if (strcmp(key, "update_url") == 0)
            snprintf(cfg->update_url, sizeof(cfg->update_url), "%s", val);
        else if (strcmp(key, "update_key") == 0)
            snprintf(cfg->update_key, sizeof(cfg->update_key), "%s", val);
        else if (strcmp(key, "log_level") == 0)
            cfg->log_level = atoi(val);
        else if (strcmp(key, "watchdog") == 0)
            cfg->watchdog = strcmp(val, "yes") == 0 || strcmp(val, "1") == 0;
        else
            fprintf(stderr, "%s:%d: unknown key '%s'\n", path, lineno, key);
    }
    fclose(fp);
    return 0;
}
"""

UPDATE_C = r"""
@lic@
/* Firmware update check: fetch the signed manifest from the configured update server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "httpd.h"
#include "config.h"
#include "buildcfg.h"
@upd_includes@

@upd_globals@
static int spawn_wait(char *const argv[])
{
    int status = -1;
    pid_t pid = fork();

    if (pid < 0)
        return -1;
    if (pid == 0) {
        execv(argv[0], argv);
        _exit(127);
    }
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int update_check(char *version, size_t len)
{
    char url[320], sigurl[320], sig[64];
    char line[128];
    FILE *fp;
    char *dl[] = { "/usr/bin/wget", "-q", "-T", "15", "-O", MANIFEST_TMP, url, NULL };
    char *dls[] = { "/usr/bin/wget", "-q", "-T", "15", "-O", sig, sigurl, NULL };
    char *verify[] = { "/usr/bin/openssl", "dgst", "-sha256", "-verify", g_cfg.update_key,
                       "-signature", sig, MANIFEST_TMP, NULL };

    @upd_pre@
    if (g_cfg.update_url[0] == '\0')
        return -1;
    snprintf(url, sizeof(url), "%s/manifest.txt", g_cfg.update_url);
    snprintf(sigurl, sizeof(sigurl), "%s/manifest.txt.sig", g_cfg.update_url);
    snprintf(sig, sizeof(sig), "%s.sig", MANIFEST_TMP);
    if (spawn_wait(dl) != 0 || spawn_wait(dls) != 0)
        return -1;
    if (spawn_wait(verify) != 0) {
        log_msg("update manifest signature check failed");
        unlink(MANIFEST_TMP);
        return -1;
    }
    fp = fopen(MANIFEST_TMP, "r");
    if (fp == NULL)
        return -1;
    version[0] = '\0';
    while (fgets(line, sizeof(line), fp) != NULL) {
        if (strncmp(line, "version=", 8) == 0) {
            snprintf(version, len, "%s", line + 8);
            version[strcspn(version, "\r\n")] = '\0';
        }
    }
    fclose(fp);
    return version[0] != '\0' ? 0 : -1;
}
"""

WATCHDOG_C = r"""
@lic@
/* Hardware watchdog keep-alive thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <pthread.h>
@wd_includes@

#include "httpd.h"
#include "config.h"
#include "buildcfg.h"

#define WD_INTERVAL 10

@wd_globals@
static void *watchdog_thread(void *arg)
{
    int fd;

    (void)arg;
    fd = open(WATCHDOG_DEV, O_WRONLY);
    if (fd < 0)
        log_msg("no hardware watchdog (%s)", WATCHDOG_DEV);
    @wd_start@
    for (;;) {
        if (fd >= 0 && write(fd, "k", 1) != 1)
            log_msg("watchdog write failed");
        @wd_loop@
        sleep(WD_INTERVAL);
    }
    return NULL;
}

int watchdog_start(void)
{
    pthread_t tid;

    if (!g_cfg.watchdog)
        return 0;
    if (pthread_create(&tid, NULL, watchdog_thread, NULL) != 0)
        return -1;
    pthread_detach(tid);
    return 0;
}
"""

UTIL_C = r"""
@lic@
/* Small helpers: SHA-256 (upload checksums), base64 (Basic auth), URL decoding, logging. */
#include <stdio.h>
#include <stdint.h>
#include <stdarg.h>
#include <string.h>
#include <syslog.h>

#include "httpd.h"

static const uint32_t k256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
    int i;

    for (i = 0; i < 16; i++)
        w[i] = (uint32_t)p[i * 4] << 24 | (uint32_t)p[i * 4 + 1] << 16 | (uint32_t)p[i * 4 + 2] << 8 | p[i * 4 + 3];
    for (i = 16; i < 64; i++)
        w[i] = (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10)) + w[i - 7] +
               (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3)) + w[i - 16];
    a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; hh = h[7];
    for (i = 0; i < 64; i++) {
        t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + k256[i] + w[i];
        t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

void sha256_hex(const char *in, char out[65])
{
    uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    uint8_t blk[64];
    size_t len = strlen(in), off = 0, rem;
    uint64_t bits = (uint64_t)len * 8;
    int i;

    while (len - off >= 64) {
        sha256_block(h, (const uint8_t *)in + off);
        off += 64;
    }
    rem = len - off;
    memset(blk, 0, sizeof(blk));
    memcpy(blk, in + off, rem);
    blk[rem] = 0x80;
    if (rem >= 56) {
        sha256_block(h, blk);
        memset(blk, 0, sizeof(blk));
    }
    for (i = 0; i < 8; i++)
        blk[63 - i] = (uint8_t)(bits >> (8 * i));
    sha256_block(h, blk);
    for (i = 0; i < 8; i++)
        snprintf(out + i * 8, 9, "%08x", h[i]);
}

static int b64_val(int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

int b64_decode(const char *in, unsigned char *out, size_t outlen)
{
    size_t n = 0;
    int acc = 0, bits = 0, v;

    for (; *in != '\0' && *in != '='; in++) {
        v = b64_val((unsigned char)*in);
        if (v < 0)
            return -1;
        acc = (acc << 6) | v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= outlen)
                return -1;
            out[n++] = (unsigned char)((acc >> bits) & 0xff);
        }
    }
    return (int)n;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void url_decode(char *s)
{
    char *o = s;

    for (; *s != '\0'; s++) {
        if (*s == '+') {
            *o++ = ' ';
        } else if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
            *o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
}

void log_msg(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsyslog(LOG_INFO, fmt, ap);
    va_end(ap);
}
"""

MAIN_C = r"""
@lic@
/* @prog@: web management interface of the @model@. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <syslog.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
@main_includes@

#include "httpd.h"
#include "config.h"
#include "buildcfg.h"

@main_globals@
static void usage(const char *argv0)
{
    fprintf(stderr, "usage: %s [-c config] [-f]\n", argv0);
    exit(2);
}

static void handle_client(int fd, const struct sockaddr_in *peer)
{
    struct request r;

    if (parse_request(fd, &r) != 0) {
        send_response(fd, 400, "text/plain", "bad request");
        return;
    }
    inet_ntop(AF_INET, &peer->sin_addr, r.peer, sizeof(r.peer));
    dispatch(&r);
}

int main(int argc, char **argv)
{
    const char *conf = "/etc/@ident@/@prog@.conf";
    struct sockaddr_in addr;
    int opt, foreground = 0, srv, one = 1;

    while ((opt = getopt(argc, argv, "c:fh")) != -1) {
        switch (opt) {
        case 'c': conf = optarg; break;
        case 'f': foreground = 1; break;
        default: usage(argv[0]);
        }
    }
    openlog("@prog@", LOG_PID, LOG_DAEMON);
    if (config_load(conf, &g_cfg) != 0)
        log_msg("no config at %s, using defaults", conf);
    if (!foreground && daemon(0, 0) != 0)
        return 1;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_IGN);
    watchdog_start();
    @main_start@

    srv = socket(AF_INET, SOCK_STREAM, 0);
    if (srv < 0)
        return 1;
    setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)g_cfg.port);
    inet_pton(AF_INET, g_cfg.bind_addr, &addr.sin_addr);
    if (bind(srv, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(srv, 8) < 0) {
        log_msg("cannot listen on port %d", g_cfg.port);
        return 1;
    }
    log_msg("%s listening on port %d", @G@_VERSION, g_cfg.port);
    for (;;) {
        struct sockaddr_in peer;
        socklen_t plen = sizeof(peer);
        int fd = accept(srv, (struct sockaddr *)&peer, &plen);

        if (fd < 0)
            continue;
        handle_client(fd, &peer);
        close(fd);
    }
    return 0;
}
"""

TEST_AUTH_C = r"""
@lic@
/* Unit test of the login path: a throw-away passwd file with a dummy account. */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <crypt.h>

#include "httpd.h"
#include "config.h"

#define TEST_USER "testuser"
#define TEST_PASS "test123"

static void make_request(struct request *r, const char *user, const char *pass)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->params[0].name, sizeof(r->params[0].name), "username");
    snprintf(r->params[0].value, sizeof(r->params[0].value), "%s", user);
    snprintf(r->params[1].name, sizeof(r->params[1].name), "password");
    snprintf(r->params[1].value, sizeof(r->params[1].value), "%s", pass);
    r->nparams = 2;
}

int main(void)
{
    struct request r;
    char sid[64];
    FILE *fp = fopen("test-passwd", "w");

    assert(fp != NULL);
    fprintf(fp, "%s:%s:1000\n", TEST_USER, crypt(TEST_PASS, "$6$testsalt$"));
    fclose(fp);
    snprintf(g_cfg.passwd_file, sizeof(g_cfg.passwd_file), "test-passwd");

    make_request(&r, TEST_USER, TEST_PASS);
    assert(auth_login(&r, sid, sizeof(sid)) == 1);
    make_request(&r, TEST_USER, "wrong");
    assert(auth_login(&r, sid, sizeof(sid)) == 0);
    make_request(&r, "nobody", TEST_PASS);
    assert(auth_login(&r, sid, sizeof(sid)) == 0);
    puts("test_auth: ok");
    return 0;
}
"""

HTTPD_MAKEFILE = r"""
# @prog@ - web management interface
CC      ?= gcc
CFLAGS  ?= -Os -Wall -Wextra
CFLAGS  += -Iinclude -ffile-prefix-map=$(CURDIR)=.
LDLIBS  += -lcrypt -lpthread

SRCS = src/main.c src/request.c src/config.c src/auth.c src/handlers.c src/update.c src/watchdog.c src/util.c
OBJS = $(SRCS:.c=.o)

all: @prog@

@prog@: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

tests/test_auth: tests/test_auth.c src/auth.c src/request.c src/config.c src/util.c
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

check: tests/test_auth
	cd tests && ./test_auth

install: @prog@
	install -D -m 0755 @prog@ $(DESTDIR)/usr/sbin/@prog@
	install -D -m 0644 etc/@prog@.conf $(DESTDIR)/etc/@ident@/@prog@.conf
	cp -r www $(DESTDIR)/www

clean:
	rm -f $(OBJS) @prog@ tests/test_auth

.PHONY: all check install clean
"""

HTTPD_CMAKE = r"""
cmake_minimum_required(VERSION 3.10)
project(@prog@ C)

set(CMAKE_C_STANDARD 99)
add_compile_options(-Os -Wall -Wextra)
include_directories(include)

add_executable(@prog@
    src/main.c src/request.c src/config.c src/auth.c src/handlers.c
    src/update.c src/watchdog.c src/util.c)
target_link_libraries(@prog@ crypt pthread)

enable_testing()
add_executable(test_auth tests/test_auth.c src/auth.c src/request.c src/config.c src/util.c)
target_link_libraries(test_auth crypt)
add_test(NAME auth COMMAND test_auth)

install(TARGETS @prog@ DESTINATION sbin)
install(FILES etc/@prog@.conf DESTINATION /etc/@ident@)
"""

HTTPD_CONF = r"""
# @prog@ configuration (key = value)
port = @http_port@
bind = 0.0.0.0
doc_root = /www
passwd_file = @passwd@
session_timeout = @timeout@
# Signed update manifests; see README.md "Updates".
update_url = https://updates.@domain@/@model_lc@
update_key = /etc/@ident@/update-pub.pem
log_level = 1
watchdog = yes
"""

LOGIN_HTML = r"""
<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>@Name@ @model@ - Login</title>
  <link rel="stylesheet" href="/css/style.css">
</head>
<body>
  <form class="login" method="post" action="/api/login">
    <h1>@Name@ @model@</h1>
    <label>User name <input name="username" autocomplete="username" required></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
    <button type="submit">Log in</button>
  </form>
</body>
</html>
"""

HTTPD_README = r"""
# @prog@

Web management interface of the @Vendor@ @Name@ @model@ (firmware @version@).

## Build

    make CC=mipsel-linux-gnu-gcc      # or: cmake -B build && cmake --build build
    make check                         # unit tests (tests/)

## Configuration

`/etc/@ident@/@prog@.conf`, one `key = value` per line:

| key | default | meaning |
|---|---|---|
| `port` | @http_port@ | TCP port of the web interface |
| `bind` | 0.0.0.0 | address to listen on |
| `doc_root` | /www | static pages |
| `passwd_file` | @passwd@ | accounts (`name:crypt-hash:uid`) |
| `session_timeout` | @timeout@ | idle session lifetime in seconds |
| `update_url` | https://updates.@domain@/@model_lc@ | signed update manifests |
| `update_key` | /etc/@ident@/update-pub.pem | public key that signs the manifests |
| `watchdog` | yes | feed the hardware watchdog |

## Accounts

The factory image has one account, `admin` (uid 0). It has no usable password until the setup
wizard sets one on first boot. Passwords are stored as SHA-512 crypt hashes; the web interface
accepts a session cookie (`@cookie@`) or HTTP Basic authentication.

## API

| method | path | access | purpose |
|---|---|---|---|
| POST | /api/login | public | log in (form fields `username`, `password`) |
| POST | /api/logout | user | end the session |
| GET | /api/status | user | version and uptime |
| POST | /api/diag/ping | admin | ping an IPv4 address (`host`) |
| POST | /api/reboot | admin | reboot |
| GET | /api/firmware | admin | check the update server for a newer release |

## Updates

`/api/firmware` downloads `manifest.txt` and `manifest.txt.sig` from `update_url` and checks the
signature with `openssl dgst -verify` against `update_key` before it trusts the manifest.
"""


class CHttpd:
    """An embedded web server in C (the most common home of firmware back doors)."""

    FILES = {
        "include/httpd.h": HTTPD_H, "include/config.h": CONFIG_H, "include/buildcfg.h": BUILDCFG_H,
        "include/session.h": SESSION_H, "src/auth.c": AUTH_C, "src/handlers.c": HANDLERS_C,
        "src/request.c": REQUEST_C, "src/config.c": CONFIG_C, "src/update.c": UPDATE_C,
        "src/watchdog.c": WATCHDOG_C, "src/util.c": UTIL_C, "src/main.c": MAIN_C,
        "tests/test_auth.c": TEST_AUTH_C, "www/login.html": LOGIN_HTML,
    }
    HOOKS = ["feat_extra", "sess_extra", "auth_includes", "auth_globals", "is_public_extra", "cred_pre",
             "auth_check_pre", "auth_login_post", "h_includes", "h_globals", "h_funcs", "h_routes",
             "h_dispatch_pre", "upd_includes", "upd_globals", "upd_pre", "wd_includes", "wd_globals",
             "wd_start", "wd_loop", "main_includes", "main_globals", "main_start"]

    def __init__(self, rng: random.Random, P: Proj):
        self.P = P
        self.prog = rng.choice([f"{P.ident}d", f"{P.ident}-httpd", "webd", "mgmt_httpd", f"{P.ident}_web"])
        self.cookie = rng.choice(["SESSID", "sid", "session_id", "SID", "authtok", f"{P.ident}_sess"])
        self.build = rng.choice(["make", "cmake"])
        self.http_port = rng.choice([80, 80, 8080])
        self.max_sessions = rng.choice([8, 16, 32])
        self.timeout = rng.choice([300, 600, 900, 1800])
        self.upnp = rng.choice([0, 1])
        self.passwd = f"/etc/{P.ident}/passwd"
        from .source_common import ec_public_pem
        self.update_pub = ec_public_pem(rng)

    def vars(self) -> dict:
        P = self.P
        return {"lic": license_header(P, "c"), "G": P.IDENT, "prog": self.prog, "version": P.version,
                "max_sessions": self.max_sessions, "timeout": self.timeout, "cookie": self.cookie,
                "upnp": self.upnp, "ident": P.ident, "http_port": self.http_port, "passwd": self.passwd,
                "model": P.model, "model_lc": P.model.lower(), "domain": P.domain, "Name": P.Name,
                "Vendor": P.Vendor}

    def render(self, hooks: dict | None = None, override: dict | None = None) -> dict:
        hooks = hooks or {}
        unknown = set(hooks) - set(self.HOOKS)
        if unknown:
            raise KeyError(f"unknown httpd hooks {unknown}")
        kw = {h: "" for h in self.HOOKS}
        kw.update(hooks)
        kw.update(self.vars())
        files = {path: fill(tpl, **kw) for path, tpl in self.FILES.items()}
        files["etc/" + self.prog + ".conf"] = fill(HTTPD_CONF, **kw)
        files["README.md"] = fill(HTTPD_README, **kw)
        if self.build == "make":
            files["Makefile"] = fill(HTTPD_MAKEFILE, **kw)
        else:
            files["CMakeLists.txt"] = fill(HTTPD_CMAKE, **kw)
        files["www/css/style.css"] = CSS
        files["etc/update-pub.pem"] = self.update_pub
        for path, text in (override or {}).items():
            files[path] = fill(text, **kw)
        return files


CSS = """body { font-family: sans-serif; background: #f4f5f7; }
form.login { width: 20em; margin: 6em auto; padding: 2em; background: #fff; border-radius: 4px; }
form.login label { display: block; margin: .8em 0; }
form.login input { width: 100%; }
"""

# ============================================================================ clid (line CLI over TCP)

CLID_H = r"""
@lic@
#ifndef @G@_CLID_H
#define @G@_CLID_H

#include <stddef.h>

#define CLI_PORT      @cli_port@
#define CLI_MAXLINE   512
#define CLI_PASSWD    "/etc/@ident@/cli.passwd"
#define CLI_PROMPT    "@prompt@> "

struct cli_ctx {
    int fd;
    int priv;              /* 1 = view, 15 = admin */
    char user[32];
};

struct cli_cmd {
    const char *name;
    int (*fn)(struct cli_ctx *c, int argc, char **argv);
    int priv;
    const char *help;
};

/* net.c */
int net_listen(int port);
int net_readline(int fd, char *buf, size_t len);
void net_printf(int fd, const char *fmt, ...);

/* login.c */
int cli_login(struct cli_ctx *c);

/* cli.c */
void cli_session(int fd);

/* cmds.c */
extern const struct cli_cmd cli_cmds[];
int run_fixed(char *const argv[], int outfd);

#endif
"""

CLID_NET_C = r"""
@lic@
#include <stdio.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "clid.h"

int net_listen(int port)
{
    struct sockaddr_in a;
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    if (s < 0)
        return -1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 4) < 0) {
        close(s);
        return -1;
    }
    return s;
}

int net_readline(int fd, char *buf, size_t len)
{
    size_t n = 0;
    char ch;

    while (n + 1 < len) {
        if (read(fd, &ch, 1) != 1)
            return -1;
        if (ch == '\r')
            continue;
        if (ch == '\n')
            break;
        buf[n++] = ch;
    }
    buf[n] = '\0';
    return (int)n;
}

void net_printf(int fd, const char *fmt, ...)
{
    char out[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(out, sizeof(out), fmt, ap);
    va_end(ap);
    if (n > 0 && write(fd, out, (size_t)n > sizeof(out) ? sizeof(out) : (size_t)n) < 0)
        return;
}
"""

CLID_LOGIN_C = r"""
@lic@
/* Console login: name and password checked against CLI_PASSWD (crypt hashes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <crypt.h>
@login_includes@

#include "clid.h"

#define MAX_TRIES 3

@login_globals@
static int lookup(const char *user, const char *pass, int *priv)
{
    FILE *fp = fopen(CLI_PASSWD, "r");
    char line[256];
    int ok = 0;

    if (fp == NULL)
        return 0;
    while (fgets(line, sizeof(line), fp) != NULL) {
        char *name = strtok(line, ":");
        char *hash = strtok(NULL, ":");
        char *lvl = strtok(NULL, ":\n");
        const char *calc;

        if (name == NULL || hash == NULL || lvl == NULL || strcmp(name, user) != 0)
            continue;
        calc = crypt(pass, hash);
        ok = calc != NULL && strcmp(calc, hash) == 0;
        if (ok)
            *priv = atoi(lvl);
        break;
    }
    fclose(fp);
    return ok;
}

static int check_login(const char *user, const char *pass, int *priv)
{
    @login_pre@
    return lookup(user, pass, priv);
}

int cli_login(struct cli_ctx *c)
{
    char user[32], pass[64];
    int tries;

    @login_banner@
    for (tries = 0; tries < MAX_TRIES; tries++) {
        net_printf(c->fd, "Username: ");
        if (net_readline(c->fd, user, sizeof(user)) < 0)
            return 0;
        net_printf(c->fd, "Password: ");
        if (net_readline(c->fd, pass, sizeof(pass)) < 0)
            return 0;
        if (check_login(user, pass, &c->priv)) {
            snprintf(c->user, sizeof(c->user), "%s", user);
            memset(pass, 0, sizeof(pass));
            return 1;
        }
        memset(pass, 0, sizeof(pass));
        net_printf(c->fd, "%% Login invalid\r\n");
        sleep(2);
    }
    return 0;
}
"""

CLID_CLI_C = r"""
@lic@
/* Command loop of an authenticated console session. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
@cli_includes@

#include "clid.h"

#define MAX_ARGS 8

static char g_line[CLI_MAXLINE];
@cli_globals@

static int split_args(char *line, char **argv)
{
    int argc = 0;
    char *save = NULL, *tok;

    for (tok = strtok_r(line, " \t", &save); tok != NULL && argc < MAX_ARGS - 1;
         tok = strtok_r(NULL, " \t", &save))
        argv[argc++] = tok;
    argv[argc] = NULL;
    return argc;
}

static const struct cli_cmd *find_cmd(const char *name)
{
    int i;

    for (i = 0; cli_cmds[i].name != NULL; i++) {
        if (strcmp(cli_cmds[i].name, name) == 0)
            return &cli_cmds[i];
    }
    return NULL;
}

void cli_session(int fd)
{
    struct cli_ctx c;
    char *argv[MAX_ARGS];
    const struct cli_cmd *cmd;
    int argc;

    memset(&c, 0, sizeof(c));
    c.fd = fd;
    net_printf(fd, "\r\n@Name@ @model@ console\r\n\r\n");
    if (!cli_login(&c))
        return;
    for (;;) {
        net_printf(fd, "%s", CLI_PROMPT);
        if (net_readline(fd, g_line, sizeof(g_line)) < 0)
            break;
        @cli_loop_pre@
        argc = split_args(g_line, argv);
        if (argc == 0)
            continue;
        if (strcmp(argv[0], "exit") == 0 || strcmp(argv[0], "quit") == 0)
            break;
        cmd = find_cmd(argv[0]);
        if (cmd == NULL) {
            net_printf(fd, "%% Unknown command '%s'\r\n", argv[0]);
            continue;
        }
        if (c.priv < cmd->priv) {
            net_printf(fd, "%% Permission denied\r\n");
            continue;
        }
        cmd->fn(&c, argc, argv);
    }
}
"""

CLID_CMDS_C = r"""
@lic@
/* The documented console commands (see README.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/sysinfo.h>
#include <arpa/inet.h>

#include "clid.h"

int run_fixed(char *const argv[], int outfd)
{
    int status = -1;
    pid_t pid = fork();

    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(outfd, STDOUT_FILENO);
        dup2(outfd, STDERR_FILENO);
        execv(argv[0], argv);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    return status;
}

static int cmd_help(struct cli_ctx *c, int argc, char **argv)
{
    int i;

    (void)argc; (void)argv;
    for (i = 0; cli_cmds[i].name != NULL; i++) {
        if (c->priv >= cli_cmds[i].priv)
            net_printf(c->fd, "  %-10s %s\r\n", cli_cmds[i].name, cli_cmds[i].help);
    }
    return 0;
}

static int cmd_show(struct cli_ctx *c, int argc, char **argv)
{
    struct sysinfo si;

    if (argc < 2 || strcmp(argv[1], "version") == 0) {
        net_printf(c->fd, "@Name@ @model@ firmware @version@\r\n");
        return 0;
    }
    if (strcmp(argv[1], "uptime") == 0) {
        sysinfo(&si);
        net_printf(c->fd, "up %ld seconds, load %lu\r\n", (long)si.uptime, si.loads[0] >> 16);
        return 0;
    }
    if (strcmp(argv[1], "interfaces") == 0) {
        char *a[] = { "/sbin/ip", "-brief", "address", NULL };
        return run_fixed(a, c->fd);
    }
    net_printf(c->fd, "%% show: version | uptime | interfaces\r\n");
    return -1;
}

static int cmd_ping(struct cli_ctx *c, int argc, char **argv)
{
    struct in_addr a;
    char *args[] = { "/bin/ping", "-c", "4", NULL, NULL };

    if (argc != 2 || inet_pton(AF_INET, argv[1], &a) != 1) {
        net_printf(c->fd, "%% usage: ping A.B.C.D\r\n");
        return -1;
    }
    args[3] = argv[1];
    return run_fixed(args, c->fd);
}

static int cmd_reload(struct cli_ctx *c, int argc, char **argv)
{
    char *a[] = { "/sbin/reboot", NULL };

    (void)argc; (void)argv;
    net_printf(c->fd, "Rebooting...\r\n");
    return run_fixed(a, c->fd);
}

static int cmd_whoami(struct cli_ctx *c, int argc, char **argv)
{
    (void)argc; (void)argv;
    net_printf(c->fd, "%s (privilege %d)\r\n", c->user, c->priv);
    return 0;
}

const struct cli_cmd cli_cmds[] = {
    { "help",   cmd_help,   1,  "list commands" },
    { "show",   cmd_show,   1,  "show version | uptime | interfaces" },
    { "ping",   cmd_ping,   1,  "ping an IPv4 address" },
    { "whoami", cmd_whoami, 1,  "current user and privilege" },
    { "reload", cmd_reload, 15, "reboot the device" },
    { NULL, NULL, 0, NULL }
};
"""

CLID_MAIN_C = r"""
@lic@
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/socket.h>

#include "clid.h"

int main(int argc, char **argv)
{
    int srv, fd, port = CLI_PORT;

    if (argc > 2 && strcmp(argv[1], "-p") == 0)
        port = atoi(argv[2]);
    signal(SIGCHLD, SIG_IGN);
    srv = net_listen(port);
    if (srv < 0) {
        perror("listen");
        return 1;
    }
    for (;;) {
        fd = accept(srv, NULL, NULL);
        if (fd < 0)
            continue;
        if (fork() == 0) {
            close(srv);
            cli_session(fd);
            close(fd);
            _exit(0);
        }
        close(fd);
    }
}
"""

CLID_MAKEFILE = r"""
CC     ?= gcc
CFLAGS ?= -Os -Wall
CFLAGS += -Iinclude
LDLIBS += -lcrypt

OBJS = src/main.o src/net.o src/login.o src/cli.o src/cmds.o

@prog@: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

install: @prog@
	install -D -m 0755 @prog@ $(DESTDIR)/usr/sbin/@prog@
	install -D -m 0600 etc/cli.passwd $(DESTDIR)/etc/@ident@/cli.passwd

clean:
	rm -f $(OBJS) @prog@
"""

CLID_README = r"""
# @prog@ - management console

Line-oriented management console of the @Vendor@ @Name@ @model@, on TCP port @cli_port@
(`@prog@ -p PORT` to change it). Every session starts with a login against
`/etc/@ident@/cli.passwd` (`name:crypt-hash:privilege`, privilege 1 = view, 15 = admin).

The factory file has the single account `admin` with privilege 15 and a locked password (`!`);
set it with `@ident@-passwd` on the serial console before enabling the service.

## Commands

| command | privilege | meaning |
|---|---|---|
| `help` | 1 | list commands |
| `show version\|uptime\|interfaces` | 1 | system information |
| `ping A.B.C.D` | 1 | four ICMP echo requests |
| `whoami` | 1 | current user |
| `reload` | 15 | reboot |
| `exit`, `quit` | 1 | end the session |
"""

CLID_PASSWD = r"""
# name:crypt-hash:privilege  (set the admin password with @ident@-passwd)
admin:!:15
"""


class CClid:
    """A telnet-style management console in C (login + command table)."""

    FILES = {"include/clid.h": CLID_H, "src/net.c": CLID_NET_C, "src/login.c": CLID_LOGIN_C,
             "src/cli.c": CLID_CLI_C, "src/cmds.c": CLID_CMDS_C, "src/main.c": CLID_MAIN_C,
             "README.md": CLID_README, "etc/cli.passwd": CLID_PASSWD}
    HOOKS = ["login_includes", "login_globals", "login_pre", "login_banner", "cli_includes", "cli_globals",
             "cli_loop_pre"]

    def __init__(self, rng: random.Random, P: Proj):
        self.P = P
        self.prog = rng.choice(["clid", f"{P.ident}-cli", "vtyd", "consoled", f"{P.ident}_shelld"])
        self.cli_port = rng.choice([2323, 2601, 2605, 5023, 7023])
        self.prompt = rng.choice([P.model, P.name, P.ident.upper()[:8]])

    def render(self, hooks: dict | None = None, override: dict | None = None) -> dict:
        hooks = hooks or {}
        if set(hooks) - set(self.HOOKS):
            raise KeyError(f"unknown clid hooks {set(hooks) - set(self.HOOKS)}")
        P = self.P
        kw = {h: "" for h in self.HOOKS}
        kw.update(hooks)
        kw.update({"lic": license_header(P, "c"), "G": P.IDENT, "prog": self.prog, "ident": P.ident,
                   "cli_port": self.cli_port, "prompt": self.prompt, "Name": P.Name, "model": P.model,
                   "version": P.version, "Vendor": P.Vendor})
        files = {path: fill(tpl, **kw) for path, tpl in self.FILES.items()}
        files["Makefile"] = fill(CLID_MAKEFILE, **kw)
        for path, text in (override or {}).items():
            files[path] = fill(text, **kw)
        return files


# ============================================================================ mgmtd (UDP protocol)

PROTO_H = r"""
@lic@
#ifndef @G@_PROTO_H
#define @G@_PROTO_H

#include <stdint.h>
#include <stddef.h>
#include <netinet/in.h>

#define PROTO_MAGIC    0x@magic@u
#define PROTO_PORT     @udp_port@
#define PROTO_VERSION  2
#define MAX_PEERS      8

enum msg_type {
    MSG_DISCOVER   = 0x0001,
    MSG_LOGIN      = 0x0002,
    MSG_GET_STATUS = 0x0010,
    MSG_SET_LED    = 0x0011,
    MSG_GET_CONFIG = 0x0012,
    MSG_REBOOT     = 0x0020,
    MSG_LOGOUT     = 0x00ff
};

enum { LEVEL_NONE = 0, LEVEL_USER = 1, LEVEL_ADMIN = 2 };

struct msg_hdr {
    uint32_t magic;
    uint16_t type;
    uint16_t len;
    uint32_t session;
    uint32_t seq;
} __attribute__((packed));

struct peer {
    struct sockaddr_in addr;
    int level;
    uint32_t session;
};

int handle_packet(int sock, const uint8_t *buf, size_t len, struct peer *p);
void send_reply(int sock, const struct peer *p, uint16_t type, const void *data, uint16_t len);

/* session.c */
int session_open(const char *user, const char *pass, struct peer *p);
int session_check(uint32_t id, struct peer *p);
void session_close(uint32_t id);

/* ops.c */
int op_status(char *out, size_t len);
int op_set_led(int led, int on);
int op_get_config(char *out, size_t len);
int op_reboot(void);

#endif
"""

PROTO_C = r"""
@lic@
/* Parser of the @Name@ management protocol (UDP, see README.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
@proto_includes@

#include "proto.h"

static uint8_t g_reply[1024];
@proto_globals@

void send_reply(int sock, const struct peer *p, uint16_t type, const void *data, uint16_t len)
{
    struct msg_hdr h;

    if (len > sizeof(g_reply) - sizeof(h))
        len = (uint16_t)(sizeof(g_reply) - sizeof(h));
    h.magic = htonl(PROTO_MAGIC);
    h.type = htons(type);
    h.len = htons(len);
    h.session = htonl(p->session);
    h.seq = 0;
    memcpy(g_reply, &h, sizeof(h));
    memcpy(g_reply + sizeof(h), data, len);
    sendto(sock, g_reply, sizeof(h) + len, 0, (const struct sockaddr *)&p->addr, sizeof(p->addr));
}

int handle_packet(int sock, const uint8_t *buf, size_t len, struct peer *p)
{
    struct msg_hdr h;
    const uint8_t *body;
    uint16_t type, blen;
    char out[512];
    int n;

    if (len < sizeof(h))
        return -1;
    memcpy(&h, buf, sizeof(h));
    if (ntohl(h.magic) != PROTO_MAGIC)
        return -1;
    type = ntohs(h.type);
    blen = ntohs(h.len);
    if (blen > len - sizeof(h))
        return -1;
    body = buf + sizeof(h);
    @proto_pre@

    switch (type) {
    case MSG_DISCOVER:
        n = snprintf(out, sizeof(out), "@Name@ @model@ %d", PROTO_VERSION);
        send_reply(sock, p, type, out, (uint16_t)n);
        return 0;
    case MSG_LOGIN: {
        char user[32], pass[64];
        const uint8_t *sep = memchr(body, 0, blen);

        if (sep == NULL || (size_t)(sep - body) >= sizeof(user) || (size_t)blen - (size_t)(sep - body) - 1 >= sizeof(pass))
            return -1;
        memcpy(user, body, (size_t)(sep - body) + 1);
        memcpy(pass, sep + 1, blen - (size_t)(sep - body) - 1);
        pass[blen - (sep - body) - 1] = '\0';
        if (session_open(user, pass, p) != 0) {
            send_reply(sock, p, type | 0x8000, "denied", 6);
            return -1;
        }
        send_reply(sock, p, type, "ok", 2);
        return 0;
    }
    default:
        break;
    }

    if (!session_check(ntohl(h.session), p)) {
        send_reply(sock, p, type | 0x8000, "login required", 14);
        return -1;
    }
    switch (type) {
    case MSG_GET_STATUS:
        n = op_status(out, sizeof(out));
        send_reply(sock, p, type, out, (uint16_t)n);
        break;
    case MSG_SET_LED:
        if (blen >= 2)
            op_set_led(body[0], body[1]);
        send_reply(sock, p, type, "ok", 2);
        break;
    case MSG_GET_CONFIG:
        if (p->level < LEVEL_ADMIN)
            return -1;
        n = op_get_config(out, sizeof(out));
        send_reply(sock, p, type, out, (uint16_t)n);
        break;
    case MSG_REBOOT:
        if (p->level < LEVEL_ADMIN)
            return -1;
        send_reply(sock, p, type, "ok", 2);
        op_reboot();
        break;
    case MSG_LOGOUT:
        session_close(ntohl(h.session));
        break;
    default:
        send_reply(sock, p, type | 0x8000, "unknown", 7);
        return -1;
    }
    return 0;
}
"""

SESSION_C = r"""
@lic@
/* Sessions of the management protocol. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <crypt.h>
@sess_includes@

#include "proto.h"

#define ACCOUNTS "/etc/@ident@/mgmt.passwd"

struct slot {
    uint32_t id;
    struct in_addr addr;
    int level;
};

static struct slot slots[MAX_PEERS];
@sess_globals@

static uint32_t random_id(void)
{
    uint32_t v = 0;
    int fd = open("/dev/urandom", O_RDONLY);

    if (fd >= 0) {
        if (read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
            v = 0;
        close(fd);
    }
    return v ? v : 1;
}

static int check_account(const char *user, const char *pass, int *level)
{
    FILE *fp;
    char line[256];
    int ok = 0;

    @sess_account_pre@
    fp = fopen(ACCOUNTS, "r");
    if (fp == NULL)
        return 0;
    while (fgets(line, sizeof(line), fp) != NULL) {
        char *name = strtok(line, ":"), *hash = strtok(NULL, ":"), *lvl = strtok(NULL, ":\n");
        const char *calc;

        if (name == NULL || hash == NULL || lvl == NULL)
            continue;
        if (strcmp(name, user) == 0) {
            calc = crypt(pass, hash);
            ok = calc != NULL && strcmp(calc, hash) == 0;
            if (ok)
                *level = atoi(lvl);
            break;
        }
    }
    fclose(fp);
    return ok;
}

int session_open(const char *user, const char *pass, struct peer *p)
{
    int i, level = LEVEL_NONE;

    if (!check_account(user, pass, &level))
        return -1;
    for (i = 0; i < MAX_PEERS; i++) {
        if (slots[i].id == 0) {
            slots[i].id = random_id();
            slots[i].addr = p->addr.sin_addr;
            slots[i].level = level;
            p->session = slots[i].id;
            p->level = level;
            return 0;
        }
    }
    return -1;
}

int session_check(uint32_t id, struct peer *p)
{
    int i;

    @sess_check_pre@
    if (id == 0)
        return 0;
    for (i = 0; i < MAX_PEERS; i++) {
        if (slots[i].id == id && slots[i].addr.s_addr == p->addr.sin_addr.s_addr) {
            p->level = slots[i].level;
            p->session = id;
            return 1;
        }
    }
    return 0;
}

void session_close(uint32_t id)
{
    int i;

    for (i = 0; i < MAX_PEERS; i++) {
        if (slots[i].id == id)
            memset(&slots[i], 0, sizeof(slots[i]));
    }
}
"""

OPS_C = r"""
@lic@
/* Operations behind the protocol messages. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/sysinfo.h>

#include "proto.h"

int op_status(char *out, size_t len)
{
    struct sysinfo si;

    sysinfo(&si);
    return snprintf(out, len, "uptime=%ld;mem_free=%lu;fw=@version@", (long)si.uptime,
                    (unsigned long)si.freeram);
}

int op_set_led(int led, int on)
{
    char path[64];
    FILE *fp;

    if (led < 0 || led > 3)
        return -1;
    snprintf(path, sizeof(path), "/sys/class/leds/@ident@:led%d/brightness", led);
    fp = fopen(path, "w");
    if (fp == NULL)
        return -1;
    fprintf(fp, "%d\n", on ? 255 : 0);
    fclose(fp);
    return 0;
}

int op_get_config(char *out, size_t len)
{
    FILE *fp = fopen("/etc/@ident@/network.conf", "r");
    size_t n;

    if (fp == NULL)
        return 0;
    n = fread(out, 1, len - 1, fp);
    out[n] = '\0';
    fclose(fp);
    return (int)n;
}

int op_reboot(void)
{
    pid_t pid = fork();

    if (pid == 0) {
        execl("/sbin/reboot", "reboot", (char *)NULL);
        _exit(127);
    }
    return pid > 0 ? 0 : -1;
}
"""

MGMTD_MAIN_C = r"""
@lic@
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "proto.h"

static uint8_t g_rxbuf[1500];

int main(void)
{
    struct sockaddr_in a;
    int s = socket(AF_INET, SOCK_DGRAM, 0);

    if (s < 0)
        return 1;
    signal(SIGCHLD, SIG_IGN);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons(PROTO_PORT);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
        perror("bind");
        return 1;
    }
    for (;;) {
        struct peer p;
        socklen_t alen = sizeof(p.addr);
        ssize_t n;

        memset(&p, 0, sizeof(p));
        n = recvfrom(s, g_rxbuf, sizeof(g_rxbuf), 0, (struct sockaddr *)&p.addr, &alen);
        if (n > 0)
            handle_packet(s, g_rxbuf, (size_t)n, &p);
    }
}
"""

MGMTD_CMAKE = r"""
cmake_minimum_required(VERSION 3.10)
project(@prog@ C)
include_directories(include)
add_executable(@prog@ src/main.c src/proto.c src/session.c src/ops.c)
target_link_libraries(@prog@ crypt)
install(TARGETS @prog@ DESTINATION sbin)
"""

MGMTD_README = r"""
# @prog@

UDP management protocol of the @Vendor@ @Name@ @model@ (port @udp_port@), used by the
@Name@ Finder desktop tool to discover devices and read their status.

## Packet format

All integers big-endian. Header (16 bytes): `magic` (0x@magic@), `type`, `len` (body length),
`session`, `seq`.

| type | name | session | body |
|---|---|---|---|
| 0x0001 | DISCOVER | no | - |
| 0x0002 | LOGIN | no | `user\0password` |
| 0x0010 | GET_STATUS | user | - |
| 0x0011 | SET_LED | user | led, on |
| 0x0012 | GET_CONFIG | admin | - |
| 0x0020 | REBOOT | admin | - |
| 0x00ff | LOGOUT | user | - |

Accounts are read from `/etc/@ident@/mgmt.passwd` (`name:crypt-hash:level`, level 1 = user,
2 = admin). A session id is bound to the peer address that logged in.
"""


class CMgmtd:
    """A UDP binary management protocol daemon in C (discovery/status tool back end)."""

    FILES = {"include/proto.h": PROTO_H, "src/proto.c": PROTO_C, "src/session.c": SESSION_C,
             "src/ops.c": OPS_C, "src/main.c": MGMTD_MAIN_C, "README.md": MGMTD_README,
             "CMakeLists.txt": MGMTD_CMAKE}
    HOOKS = ["proto_includes", "proto_globals", "proto_pre", "sess_includes", "sess_globals",
             "sess_account_pre", "sess_check_pre"]

    def __init__(self, rng: random.Random, P: Proj):
        self.P = P
        self.prog = rng.choice(["mgmtd", f"{P.ident}-finderd", "discoveryd", f"{P.ident}_mgmt"])
        self.udp_port = rng.choice([5001, 8899, 9999, 10001, 20560, 48899])
        self.magic = f"{rng.getrandbits(32) | 0x10000000:08x}"

    def render(self, hooks: dict | None = None, override: dict | None = None) -> dict:
        hooks = hooks or {}
        if set(hooks) - set(self.HOOKS):
            raise KeyError(f"unknown mgmtd hooks {set(hooks) - set(self.HOOKS)}")
        P = self.P
        kw = {h: "" for h in self.HOOKS}
        kw.update(hooks)
        kw.update({"lic": license_header(P, "c"), "G": P.IDENT, "prog": self.prog, "ident": P.ident,
                   "udp_port": self.udp_port, "magic": self.magic, "Name": P.Name, "model": P.model,
                   "version": P.version, "Vendor": P.Vendor})
        files = {path: fill(tpl, **kw) for path, tpl in self.FILES.items()}
        for path, text in (override or {}).items():
            files[path] = fill(text, **kw)
        return files


# ============================================================================ C++ REST service

CPP_REQUEST_HPP = r"""
@lic@
#pragma once

#include <map>
#include <string>

namespace @ns@ {

struct Request {
    std::string method;
    std::string path;
    std::string body;
    std::string peer;
    std::map<std::string, std::string> headers;   // lower-case names
    std::map<std::string, std::string> query;

    std::string header(const std::string &name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
    std::string param(const std::string &name) const {
        auto it = query.find(name);
        return it == query.end() ? std::string() : it->second;
    }
};

struct Response {
    int status = 200;
    std::string contentType = "application/json";
    std::string body;
};

enum class Role { None, Viewer, Admin };

struct Principal {
    std::string name;
    Role role = Role::None;
    bool authenticated() const { return role != Role::None; }
};

}  // namespace @ns@
"""

CPP_AUTH_HPP = r"""
@lic@
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "Request.hpp"

namespace @ns@ {

class AuthService {
public:
    explicit AuthService(std::string accountsFile);

    // Resolves the caller of a request (bearer token issued by login()).
    Principal authorize(const Request &req);
    // Checks user/password against the accounts file and issues a token.
    std::string login(const std::string &user, const std::string &password);
    void logout(const std::string &token);

private:
    bool checkPassword(const std::string &user, const std::string &password, Role &role) const;
    std::string newToken() const;

    std::string accountsFile_;
    std::map<std::string, Principal> tokens_;
    std::mutex mu_;
};

}  // namespace @ns@
"""

CPP_AUTH_CPP = r"""
@lic@
#include "AuthService.hpp"

#include <crypt.h>
#include <fstream>
#include <random>
#include <sstream>
@cpp_auth_includes@

namespace @ns@ {

@cpp_auth_anon@
AuthService::AuthService(std::string accountsFile) : accountsFile_(std::move(accountsFile)) {}

bool AuthService::checkPassword(const std::string &user, const std::string &password, Role &role) const
{
    std::ifstream in(accountsFile_);
    std::string line;

    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string name, hash, roleName;
        if (!std::getline(fields, name, ':') || !std::getline(fields, hash, ':') ||
            !std::getline(fields, roleName))
            continue;
        if (name != user)
            continue;
        const char *calc = crypt(password.c_str(), hash.c_str());
        if (calc == nullptr || hash != calc)
            return false;
        role = roleName == "admin" ? Role::Admin : Role::Viewer;
        return true;
    }
    return false;
}

std::string AuthService::newToken() const
{
    std::random_device rd;
    std::ostringstream out;
    for (int i = 0; i < 4; ++i)
        out << std::hex << rd();
    return out.str();
}

std::string AuthService::login(const std::string &user, const std::string &password)
{
    Role role = Role::None;
    @cpp_login_pre@
    if (!checkPassword(user, password, role))
        return std::string();
    std::lock_guard<std::mutex> lock(mu_);
    std::string token = newToken();
    tokens_[token] = Principal{user, role};
    return token;
}

void AuthService::logout(const std::string &token)
{
    std::lock_guard<std::mutex> lock(mu_);
    tokens_.erase(token);
}

Principal AuthService::authorize(const Request &req)
{
    @cpp_authorize_pre@
    const std::string auth = req.header("authorization");
    const std::string prefix = "Bearer ";
    if (auth.compare(0, prefix.size(), prefix) != 0)
        return Principal{};
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tokens_.find(auth.substr(prefix.size()));
    return it == tokens_.end() ? Principal{} : it->second;
}

}  // namespace @ns@
"""

CPP_ROUTER_CPP = r"""
@lic@
#include "Router.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>
@cpp_router_includes@

namespace @ns@ {

namespace {

std::string jsonEscape(const std::string &s)
{
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

// Runs a fixed program without a shell and returns its standard output.
std::string runFixed(const std::vector<std::string> &args)
{
    int fds[2];
    if (pipe(fds) != 0)
        return std::string();
    pid_t pid = fork();
    if (pid == 0) {
        std::vector<char *> argv;
        for (const auto &a : args)
            argv.push_back(const_cast<char *>(a.c_str()));
        argv.push_back(nullptr);
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(fds[1]);
    std::string out;
    char buf[512];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0)
        out.append(buf, static_cast<size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return out;
}

bool isIPv4(const std::string &s)
{
    int parts = 0, val = -1;
    for (char c : s) {
        if (c == '.') {
            if (val < 0 || ++parts > 3)
                return false;
            val = -1;
        } else if (c >= '0' && c <= '9') {
            val = (val < 0 ? 0 : val * 10) + (c - '0');
            if (val > 255)
                return false;
        } else {
            return false;
        }
    }
    return parts == 3 && val >= 0;
}

}  // namespace

@cpp_router_anon@
Router::Router(AuthService &auth) : auth_(auth) {}

Response Router::handle(const Request &req)
{
    @cpp_router_pre@
    if (req.method == "POST" && req.path == "/api/v1/login") {
        std::string token = auth_.login(req.param("user"), req.param("password"));
        if (token.empty())
            return Response{401, "application/json", "{\"error\":\"invalid credentials\"}"};
        return Response{200, "application/json", "{\"token\":\"" + token + "\"}"};
    }
    Principal who = auth_.authorize(req);
    if (!who.authenticated())
        return Response{401, "application/json", "{\"error\":\"unauthorized\"}"};
    if (req.method == "GET" && req.path == "/api/v1/system")
        return Response{200, "application/json",
                        "{\"model\":\"@model@\",\"firmware\":\"@version@\",\"user\":\"" + jsonEscape(who.name) + "\"}"};
    if (req.method == "POST" && req.path == "/api/v1/diag/traceroute") {
        if (who.role != Role::Admin)
            return Response{403, "application/json", "{\"error\":\"forbidden\"}"};
        const std::string host = req.param("host");
        if (!isIPv4(host))
            return Response{400, "application/json", "{\"error\":\"bad host\"}"};
        return Response{200, "text/plain", runFixed({"/usr/bin/traceroute", "-n", "-w", "2", host})};
    }
    return Response{404, "application/json", "{\"error\":\"not found\"}"};
}

}  // namespace @ns@
"""

CPP_ROUTER_HPP = r"""
@lic@
#pragma once

#include <string>
#include <vector>

#include "AuthService.hpp"
#include "Request.hpp"

namespace @ns@ {

class Router {
public:
    explicit Router(AuthService &auth);
    Response handle(const Request &req);

private:
    AuthService &auth_;
};

}  // namespace @ns@
"""

CPP_MAIN_CPP = r"""
@lic@
#include <cstdlib>
#include <iostream>
#include <string>

#include "AuthService.hpp"
#include "Router.hpp"
#include "HttpServer.hpp"

int main(int argc, char **argv)
{
    const std::string accounts = argc > 1 ? argv[1] : "/etc/@ident@/api-accounts";
    const int port = argc > 2 ? std::atoi(argv[2]) : @api_port@;

    @ns@::AuthService auth(accounts);
    @ns@::Router router(auth);
    @ns@::HttpServer server(port, [&router](const @ns@::Request &req) { return router.handle(req); });
    std::cerr << "@prog@ @version@ listening on " << port << std::endl;
    return server.run();
}
"""

CPP_HTTPSERVER_HPP = r"""
@lic@
#pragma once

#include <functional>

#include "Request.hpp"

namespace @ns@ {

// Minimal blocking HTTP/1.0 server (one request per connection).
class HttpServer {
public:
    using Handler = std::function<Response(const Request &)>;
    HttpServer(int port, Handler handler) : port_(port), handler_(std::move(handler)) {}
    int run();

private:
    int port_;
    Handler handler_;
};

}  // namespace @ns@
"""

CPP_HTTPSERVER_CPP = r"""
@lic@
#include "HttpServer.hpp"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>
#include <unistd.h>

namespace @ns@ {

namespace {

void parseQuery(const std::string &qs, std::map<std::string, std::string> &out)
{
    std::istringstream in(qs);
    std::string pair;
    while (std::getline(in, pair, '&')) {
        auto eq = pair.find('=');
        if (eq != std::string::npos)
            out[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
}

Request parse(const std::string &raw)
{
    Request req;
    std::istringstream in(raw);
    std::string line, target;
    std::getline(in, line);
    std::istringstream first(line);
    first >> req.method >> target;
    auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos)
        parseQuery(target.substr(q + 1), req.query);
    while (std::getline(in, line) && line != "\r") {
        auto colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        std::string name = line.substr(0, colon);
        for (auto &c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        if (!value.empty() && value.back() == '\r')
            value.pop_back();
        req.headers[name] = value;
    }
    std::getline(in, req.body, '\0');
    if (req.method == "POST")
        parseQuery(req.body, req.query);
    return req;
}

}  // namespace

int HttpServer::run()
{
    int srv = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(srv, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 || listen(srv, 16) != 0)
        return 1;
    for (;;) {
        int fd = accept(srv, nullptr, nullptr);
        if (fd < 0)
            continue;
        char buf[8192];
        ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
        if (n > 0) {
            Response res = handler_(parse(std::string(buf, static_cast<size_t>(n))));
            std::ostringstream out;
            out << "HTTP/1.0 " << res.status << " X\r\nContent-Type: " << res.contentType
                << "\r\nContent-Length: " << res.body.size() << "\r\n\r\n" << res.body;
            const std::string s = out.str();
            if (write(fd, s.data(), s.size()) < 0)
                perror("write");
        }
        close(fd);
    }
}

}  // namespace @ns@
"""

CPP_TEST = r"""
@lic@
#include <cassert>
#include <crypt.h>
#include <fstream>
#include <iostream>

#include "AuthService.hpp"

int main()
{
    {
        std::ofstream out("test-accounts");
        out << "tester:" << crypt("secret-for-tests", "$6$unittest$") << ":viewer\n";
    }
    @ns@::AuthService auth("test-accounts");
    assert(!auth.login("tester", "secret-for-tests").empty());
    assert(auth.login("tester", "wrong").empty());
    assert(auth.login("nobody", "secret-for-tests").empty());
    std::cout << "AuthServiceTest ok" << std::endl;
    return 0;
}
"""

CPP_CMAKE = r"""
cmake_minimum_required(VERSION 3.14)
project(@prog@ CXX)

set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
include_directories(include)

add_library(core src/AuthService.cpp src/Router.cpp)
target_link_libraries(core crypt)
add_executable(@prog@ src/main.cpp src/HttpServer.cpp)
target_link_libraries(@prog@ core pthread)

enable_testing()
add_executable(auth_test tests/AuthServiceTest.cpp)
target_link_libraries(auth_test core)
add_test(NAME auth COMMAND auth_test)
"""

CPP_README = r"""
# @prog@

REST API of the @Vendor@ @Name@ @model@ controller (C++17), port @api_port@.

- `POST /api/v1/login?user=U&password=P` returns a bearer token.
- `GET /api/v1/system` (any role) returns model and firmware.
- `POST /api/v1/diag/traceroute?host=A.B.C.D` (admin) runs traceroute without a shell.

Accounts: `/etc/@ident@/api-accounts`, lines `name:crypt-hash:role` (role `admin` or `viewer`).
The factory file is empty: the first admin is created by the setup wizard.

    cmake -B build && cmake --build build && ctest --test-dir build
"""


class CppRest:
    """A small C++ REST service (AuthService + Router)."""

    HOOKS = ["cpp_auth_includes", "cpp_auth_anon", "cpp_login_pre", "cpp_authorize_pre",
             "cpp_router_includes", "cpp_router_anon", "cpp_router_pre"]

    def __init__(self, rng: random.Random, P: Proj):
        self.P = P
        self.prog = rng.choice([f"{P.ident}-api", "restd", "apid", f"{P.ident}_rest"])
        self.ns = rng.choice([P.ident, P.vendor, "api", "ctl"])
        self.api_port = rng.choice([8443, 9443, 7443, 8843])

    def render(self, hooks: dict | None = None, override: dict | None = None) -> dict:
        hooks = hooks or {}
        if set(hooks) - set(self.HOOKS):
            raise KeyError(f"unknown cpp hooks {set(hooks) - set(self.HOOKS)}")
        P = self.P
        kw = {h: "" for h in self.HOOKS}
        kw.update(hooks)
        kw.update({"lic": license_header(P, "c"), "ns": self.ns, "prog": self.prog, "ident": P.ident,
                   "api_port": self.api_port, "Name": P.Name, "model": P.model, "version": P.version,
                   "Vendor": P.Vendor})
        files = {
            "include/Request.hpp": fill(CPP_REQUEST_HPP, **kw),
            "include/AuthService.hpp": fill(CPP_AUTH_HPP, **kw),
            "include/Router.hpp": fill(CPP_ROUTER_HPP, **kw),
            "include/HttpServer.hpp": fill(CPP_HTTPSERVER_HPP, **kw),
            "src/AuthService.cpp": fill(CPP_AUTH_CPP, **kw),
            "src/Router.cpp": fill(CPP_ROUTER_CPP, **kw),
            "src/main.cpp": fill(CPP_MAIN_CPP, **kw),
            "src/HttpServer.cpp": fill(CPP_HTTPSERVER_CPP, **kw),
            "tests/AuthServiceTest.cpp": fill(CPP_TEST, **kw),
            "CMakeLists.txt": fill(CPP_CMAKE, **kw),
            "README.md": fill(CPP_README, **kw),
        }
        for path, text in (override or {}).items():
            files[path] = fill(text, **kw)
        return files
