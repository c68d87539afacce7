"""C source text for the `binary` family: a common prelude of honest helpers and six small daemon
templates (CLI login daemon, HTTP admin server, CGI program, UDP discovery daemon, TCP
binary-protocol service, configuration daemon).

Templates carry `@@NAME@@` markers. Upper-case slot markers (GLOBALS, AUTH_PRE, AUTH_POST,
AUTH_INTERACTIVE, BYPASS, HIDDEN, HIDDEN_CASE, STARTUP) receive the plant, wrapped in `#ifdef PLANT`,
so that the clean twin is the very same source compiled without -DPLANT.
"""
from __future__ import annotations

import math

# ----------------------------------------------------------------------------- common prelude

PRELUDE = r'''/*
 * @@PRODNAME@@ @@PROG@@ @@VER@@ - @@DESC@@
 * Copyright (c) @@PRODNAME@@ Networks. All rights reserved.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <stdint.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <ctype.h>
#include <syslog.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#define LEVEL_NONE  0
#define LEVEL_USER  1
#define LEVEL_ADMIN 2

#define DEFAULT_PORT        @@PORT@@
#define DEFAULT_STATUS_PORT @@STATUS_PORT@@

static const char product_name[] = "@@PRODNAME@@";
static const char prog_name[] = "@@PROG@@";
static const char prog_version[] = "@@VER@@";
static const char *conf_path = "@@CONF@@";
static const char *users_path = "@@USERS@@";
static int foreground;

static void logmsg(int prio, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (foreground) {
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
    } else {
        vsyslog(prio, fmt, ap);
    }
    va_end(ap);
}

static char *trim(char *s)
{
    char *e;

    while (*s && isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;

    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int fd_printf(int fd, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n >= sizeof buf)
        n = (int)sizeof buf - 1;
    return write_all(fd, buf, (size_t)n);
}

static long read_file(const char *path, char *buf, size_t n)
{
    long total = 0;
    int fd = open(path, O_RDONLY);

    if (fd < 0)
        return -1;
    while ((size_t)total + 1 < n) {
        ssize_t r = read(fd, buf + total, n - 1 - (size_t)total);
        if (r <= 0)
            break;
        total += r;
    }
    buf[total] = '\0';
    close(fd);
    return total;
}

static long uptime_seconds(void)
{
    char buf[64];

    if (read_file("/proc/uptime", buf, sizeof buf) <= 0)
        return 0;
    return strtol(buf, NULL, 10);
}

static int listen_tcp(uint32_t addr, int port)
{
    struct sockaddr_in a;
    int one = 1;
    int s = socket(AF_INET, SOCK_STREAM, 0);

    if (s < 0)
        return -1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(addr);
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 8) < 0) {
        close(s);
        return -1;
    }
    return s;
}

/* ------------------------------------------------------------------ SHA-256 (FIPS 180-4) */

typedef struct {
    uint32_t h[8];
    uint64_t len;
    unsigned char buf[64];
    size_t fill;
} sha256_ctx;

static const uint32_t sha256_k[64] = {
@@SHA256_K@@
};

#define ROR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(sha256_ctx *c, const unsigned char *p)
{
    uint32_t w[64], a, b, cc, d, e, f, g, h, t1, t2;
    int i;

    for (i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (i = 16; i < 64; i++) {
        uint32_t s0 = ROR32(w[i - 15], 7) ^ ROR32(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR32(w[i - 2], 17) ^ ROR32(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3];
    e = c->h[4]; f = c->h[5]; g = c->h[6]; h = c->h[7];
    for (i = 0; i < 64; i++) {
        t1 = h + (ROR32(e, 6) ^ ROR32(e, 11) ^ ROR32(e, 25)) + ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
        t2 = (ROR32(a, 2) ^ ROR32(a, 13) ^ ROR32(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
        h = g; g = f; f = e; e = d + t1;
        d = cc; cc = b; b = a; a = t1 + t2;
    }
    c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d;
    c->h[4] += e; c->h[5] += f; c->h[6] += g; c->h[7] += h;
}

static void sha256_init(sha256_ctx *c)
{
    static const uint32_t iv[8] = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
    };

    memcpy(c->h, iv, sizeof iv);
    c->len = 0;
    c->fill = 0;
}

static void sha256_update(sha256_ctx *c, const void *data, size_t n)
{
    const unsigned char *p = data;

    c->len += n;
    while (n > 0) {
        size_t take = 64 - c->fill;
        if (take > n)
            take = n;
        memcpy(c->buf + c->fill, p, take);
        c->fill += take;
        p += take;
        n -= take;
        if (c->fill == 64) {
            sha256_block(c, c->buf);
            c->fill = 0;
        }
    }
}

static void sha256_final(sha256_ctx *c, unsigned char out[32])
{
    uint64_t bits = c->len * 8;
    unsigned char pad = 0x80, zero = 0, lenb[8];
    int i;

    sha256_update(c, &pad, 1);
    while (c->fill != 56)
        sha256_update(c, &zero, 1);
    for (i = 0; i < 8; i++)
        lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha256_update(c, lenb, 8);
    for (i = 0; i < 8; i++) {
        out[4 * i] = (unsigned char)(c->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)c->h[i];
    }
}

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int ct_streq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i;
    unsigned char d = (unsigned char)(la != lb);

    for (i = 0; i < la && i < lb; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

/* ------------------------------------------------------------------ settings */

struct settings {
    char hostname[64];
    char model[32];
    char admin_user[32];
    char admin_salt[40];
    char admin_hash[72];
    char lan_ipaddr[16];
    char lan_netmask[16];
    char ntp_server[64];
    char timezone[48];
    int listen_port;
    int status_port;
    int log_level;
    int session_timeout;
    int max_clients;
};

static struct settings cfg;

static const char *const known_keys[] = {
    "hostname", "model", "admin_user", "admin_salt", "admin_hash", "lan_ipaddr", "lan_netmask",
    "ntp_server", "timezone", "listen_port", "status_port", "log_level", "session_timeout",
    "max_clients", NULL
};

static int valid_key(const char *key)
{
    const char *const *k;

    for (k = known_keys; *k; k++)
        if (strcmp(*k, key) == 0)
            return 1;
    return 0;
}

static int is_secret_key(const char *key)
{
    return strcmp(key, "admin_hash") == 0 || strcmp(key, "admin_salt") == 0;
}

static void set_str(char *dst, size_t n, const char *v)
{
    snprintf(dst, n, "%s", v);
}

static int apply_setting(const char *key, const char *val)
{
    if (strcmp(key, "hostname") == 0)
        set_str(cfg.hostname, sizeof cfg.hostname, val);
    else if (strcmp(key, "model") == 0)
        set_str(cfg.model, sizeof cfg.model, val);
    else if (strcmp(key, "admin_user") == 0)
        set_str(cfg.admin_user, sizeof cfg.admin_user, val);
    else if (strcmp(key, "admin_salt") == 0)
        set_str(cfg.admin_salt, sizeof cfg.admin_salt, val);
    else if (strcmp(key, "admin_hash") == 0)
        set_str(cfg.admin_hash, sizeof cfg.admin_hash, val);
    else if (strcmp(key, "lan_ipaddr") == 0)
        set_str(cfg.lan_ipaddr, sizeof cfg.lan_ipaddr, val);
    else if (strcmp(key, "lan_netmask") == 0)
        set_str(cfg.lan_netmask, sizeof cfg.lan_netmask, val);
    else if (strcmp(key, "ntp_server") == 0)
        set_str(cfg.ntp_server, sizeof cfg.ntp_server, val);
    else if (strcmp(key, "timezone") == 0)
        set_str(cfg.timezone, sizeof cfg.timezone, val);
    else if (strcmp(key, "listen_port") == 0)
        cfg.listen_port = atoi(val);
    else if (strcmp(key, "status_port") == 0)
        cfg.status_port = atoi(val);
    else if (strcmp(key, "log_level") == 0)
        cfg.log_level = atoi(val);
    else if (strcmp(key, "session_timeout") == 0)
        cfg.session_timeout = atoi(val);
    else if (strcmp(key, "max_clients") == 0)
        cfg.max_clients = atoi(val);
    else
        return -1;
    return 0;
}

static int get_setting(const char *key, char *out, size_t n)
{
    if (strcmp(key, "hostname") == 0)
        snprintf(out, n, "%s", cfg.hostname);
    else if (strcmp(key, "model") == 0)
        snprintf(out, n, "%s", cfg.model);
    else if (strcmp(key, "admin_user") == 0)
        snprintf(out, n, "%s", cfg.admin_user);
    else if (strcmp(key, "lan_ipaddr") == 0)
        snprintf(out, n, "%s", cfg.lan_ipaddr);
    else if (strcmp(key, "lan_netmask") == 0)
        snprintf(out, n, "%s", cfg.lan_netmask);
    else if (strcmp(key, "ntp_server") == 0)
        snprintf(out, n, "%s", cfg.ntp_server);
    else if (strcmp(key, "timezone") == 0)
        snprintf(out, n, "%s", cfg.timezone);
    else if (strcmp(key, "listen_port") == 0)
        snprintf(out, n, "%d", cfg.listen_port);
    else if (strcmp(key, "status_port") == 0)
        snprintf(out, n, "%d", cfg.status_port);
    else if (strcmp(key, "log_level") == 0)
        snprintf(out, n, "%d", cfg.log_level);
    else if (strcmp(key, "session_timeout") == 0)
        snprintf(out, n, "%d", cfg.session_timeout);
    else if (strcmp(key, "max_clients") == 0)
        snprintf(out, n, "%d", cfg.max_clients);
    else
        return -1;
    return 0;
}

static int load_config(const char *path)
{
    char line[256];
    int lineno = 0;
    FILE *f = fopen(path, "r");

    if (!f) {
        logmsg(LOG_WARNING, "%s: %s", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        char *k, *v, *eq;

        lineno++;
        k = trim(line);
        if (!*k || *k == '#')
            continue;
        eq = strchr(k, '=');
        if (!eq) {
            logmsg(LOG_WARNING, "%s:%d: missing '='", path, lineno);
            continue;
        }
        *eq = '\0';
        v = trim(eq + 1);
        k = trim(k);
        if (apply_setting(k, v) < 0)
            logmsg(LOG_WARNING, "%s:%d: unknown key '%s'", path, lineno, k);
    }
    fclose(f);
    return 0;
}

static int save_setting(const char *path, const char *key, const char *val)
{
    char tmp[256], line[256];
    size_t kl = strlen(key);
    int done = 0;
    FILE *in, *out;

    if (!valid_key(key) || strchr(val, '\n'))
        return -1;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    out = fopen(tmp, "w");
    if (!out)
        return -1;
    in = fopen(path, "r");
    while (in && fgets(line, sizeof line, in)) {
        if (strncmp(line, key, kl) == 0 && line[kl] == '=') {
            fprintf(out, "%s=%s\n", key, val);
            done = 1;
        } else {
            fputs(line, out);
        }
    }
    if (!done)
        fprintf(out, "%s=%s\n", key, val);
    if (in)
        fclose(in);
    if (fclose(out) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return apply_setting(key, val);
}

static void config_defaults(void)
{
    set_str(cfg.hostname, sizeof cfg.hostname, "@@DEFHOST@@");
    set_str(cfg.model, sizeof cfg.model, "@@MODEL@@");
    set_str(cfg.lan_ipaddr, sizeof cfg.lan_ipaddr, "@@LANIP@@");
    set_str(cfg.lan_netmask, sizeof cfg.lan_netmask, "255.255.255.0");
    set_str(cfg.timezone, sizeof cfg.timezone, "UTC");
    cfg.listen_port = DEFAULT_PORT;
    cfg.status_port = DEFAULT_STATUS_PORT;
    cfg.log_level = 5;
    cfg.session_timeout = @@SESSION_TIMEOUT@@;
    cfg.max_clients = 4;
}

/* ------------------------------------------------------------------ accounts */

static int hash_matches(const char *salt, const char *pass, const char *want)
{
    sha256_ctx c;
    unsigned char d[32];
    char hex[65];

    sha256_init(&c);
    sha256_update(&c, salt, strlen(salt));
    sha256_update(&c, pass, strlen(pass));
    sha256_final(&c, d);
    hex_encode(d, sizeof d, hex);
    return ct_streq(hex, want);
}

static int verify_password(const char *user, const char *pass)
{
    char line[256];
    FILE *f;

    if (!*user || !*pass)
        return LEVEL_NONE;
    if (cfg.admin_user[0] && cfg.admin_hash[0] && strcmp(user, cfg.admin_user) == 0)
        return hash_matches(cfg.admin_salt, pass, cfg.admin_hash) ? LEVEL_ADMIN : LEVEL_NONE;
    f = fopen(users_path, "r");
    if (!f)
        return LEVEL_NONE;
    while (fgets(line, sizeof line, f)) {
        /* name:salt:sha256(salt|password):level */
        char *name = strtok(line, ":");
        char *salt = strtok(NULL, ":");
        char *hash = strtok(NULL, ":");
        char *lvl = strtok(NULL, ":\r\n");

        if (!name || !salt || !hash || !lvl || strcmp(name, user) != 0)
            continue;
        fclose(f);
        if (!hash_matches(salt, pass, hash))
            return LEVEL_NONE;
        return strcmp(lvl, "admin") == 0 ? LEVEL_ADMIN : LEVEL_USER;
    }
    fclose(f);
    return LEVEL_NONE;
}

@@STATUS_CODE@@
@@GLOBALS@@
static int check_credentials(const char *user, const char *pass)
{
    int level;

@@AUTH_PRE@@
    level = verify_password(user, pass);
@@AUTH_POST@@
    return level;
}

'''

# An honest, documented read-only status listener (optional, identical in both twins).
STATUS_CODE = r'''
/* read-only status port: answers one line (product, version, uptime) and closes */
static void status_listener(int port)
{
    int s, c;
    pid_t pid;

    if (port <= 0)
        return;
    pid = fork();
    if (pid != 0)
        return;
    s = listen_tcp(INADDR_ANY, port);
    if (s < 0) {
        logmsg(LOG_ERR, "status port %d: %s", port, strerror(errno));
        _exit(1);
    }
    for (;;) {
        c = accept(s, NULL, NULL);
        if (c < 0)
            continue;
        fd_printf(c, "%s %s %s model=%s uptime=%ld\n", product_name, prog_name, prog_version,
                  cfg.model, uptime_seconds());
        close(c);
    }
}
'''

STATUS_DOC = r'"  -s PORT  read-only status port (uptime and version), 0 = off (default %d)\n"'

# ----------------------------------------------------------------------------- CLI login daemon

CLI = r'''
static const char banner[] = "@@BANNER@@";

typedef void (*cmd_fn)(FILE *out, char *arg, int level);

struct command {
    const char *name;
    int min_level;
    cmd_fn fn;
    const char *help;
};

static const struct command commands[];

static int read_line(FILE *in, char *buf, size_t n)
{
    size_t i = 0;
    int ch;

    while ((ch = fgetc(in)) != EOF) {
        if (ch == 0xff) {               /* telnet IAC: drop command and option */
            int cmd = fgetc(in);
            if (cmd >= 251 && cmd <= 254)
                fgetc(in);
            continue;
        }
        if (ch == '\r')
            continue;
        if (ch == '\n' || ch == 0)
            break;
        if (i + 1 < n)
            buf[i++] = (char)ch;
    }
    buf[i] = '\0';
    return (ch == EOF && i == 0) ? -1 : (int)i;
}

static void cmd_help(FILE *out, char *arg, int level)
{
    const struct command *c;

    (void)arg;
    for (c = commands; c->name; c++)
        if (level >= c->min_level)
            fprintf(out, "  %-12s %s\r\n", c->name, c->help);
    fprintf(out, "  %-12s %s\r\n", "exit", "close the session");
}

static void cmd_version(FILE *out, char *arg, int level)
{
    (void)arg; (void)level;
    fprintf(out, "%s %s version %s\r\nModel: %s\r\n", product_name, prog_name, prog_version, cfg.model);
}

static void cmd_uptime(FILE *out, char *arg, int level)
{
    long s = uptime_seconds();

    (void)arg; (void)level;
    fprintf(out, "up %ld days, %02ld:%02ld\r\n", s / 86400, (s / 3600) % 24, (s / 60) % 60);
}

static void cmd_interfaces(FILE *out, char *arg, int level)
{
    char line[256];
    int n = 0;
    FILE *f = fopen("/proc/net/dev", "r");

    (void)arg; (void)level;
    if (!f) {
        fprintf(out, "%% cannot read interface counters\r\n");
        return;
    }
    while (fgets(line, sizeof line, f)) {
        unsigned long rx = 0, tx = 0, d;
        char *colon;

        if (n++ < 2)
            continue;
        colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        sscanf(colon + 1, "%lu %lu %lu %lu %lu %lu %lu %lu %lu", &rx, &d, &d, &d, &d, &d, &d, &d, &tx);
        fprintf(out, "  %-10s rx %12lu  tx %12lu\r\n", trim(line), rx, tx);
    }
    fclose(f);
}

static void cmd_config(FILE *out, char *arg, int level)
{
    (void)arg; (void)level;
    fprintf(out, "hostname      %s\r\nlan address   %s/%s\r\nntp server    %s\r\ntimezone      %s\r\n"
            "idle timeout  %d s\r\n", cfg.hostname, cfg.lan_ipaddr, cfg.lan_netmask, cfg.ntp_server,
            cfg.timezone, cfg.session_timeout);
}

static int valid_host(const char *h)
{
    if (!*h || strlen(h) > 63 || *h == '-')
        return 0;
    for (; *h; h++)
        if (!isalnum((unsigned char)*h) && *h != '.' && *h != '-' && *h != ':')
            return 0;
    return 1;
}

static void cmd_ping(FILE *out, char *arg, int level)
{
    pid_t pid;
    int st;

    (void)level;
    if (!valid_host(arg)) {
        fprintf(out, "%% usage: ping <host>\r\n");
        return;
    }
    fflush(out);
    pid = fork();
    if (pid == 0) {
        dup2(fileno(out), 1);
        dup2(fileno(out), 2);
        execl("/bin/ping", "ping", "-c", "4", "-W", "2", arg, (char *)NULL);
        _exit(127);
    }
    if (pid > 0)
        waitpid(pid, &st, 0);
}

static void cmd_hostname(FILE *out, char *arg, int level)
{
    (void)level;
    if (!*arg) {
        fprintf(out, "%s\r\n", cfg.hostname);
        return;
    }
    if (!valid_host(arg) || strchr(arg, ':')) {
        fprintf(out, "%% invalid host name\r\n");
        return;
    }
    if (save_setting(conf_path, "hostname", arg) < 0)
        fprintf(out, "%% cannot save configuration\r\n");
}

static void cmd_log(FILE *out, char *arg, int level)
{
    static char buf[16384];
    long n = read_file("/var/log/messages", buf, sizeof buf);
    int lines = 0;
    char *p;

    (void)arg; (void)level;
    if (n <= 0) {
        fprintf(out, "%% log is empty\r\n");
        return;
    }
    for (p = buf + n - 1; p > buf; p--)
        if (*p == '\n' && ++lines > 20) {
            p++;
            break;
        }
    fputs(p, out);
}

static void cmd_reboot(FILE *out, char *arg, int level)
{
    (void)arg; (void)level;
    fprintf(out, "Rebooting...\r\n");
    fflush(out);
    sync();
    execl("/sbin/reboot", "reboot", (char *)NULL);
    fprintf(out, "%% reboot failed: %s\r\n", strerror(errno));
}

static const struct command commands[] = {
    {"help", LEVEL_USER, cmd_help, "list commands"},
    {"version", LEVEL_USER, cmd_version, "show firmware version"},
    {"uptime", LEVEL_USER, cmd_uptime, "show system uptime"},
    {"interfaces", LEVEL_USER, cmd_interfaces, "show interface counters"},
    {"config", LEVEL_USER, cmd_config, "show running configuration"},
    {"ping", LEVEL_USER, cmd_ping, "ping <host>"},
    {"log", LEVEL_ADMIN, cmd_log, "show the last system log lines"},
    {"hostname", LEVEL_ADMIN, cmd_hostname, "hostname [name]"},
    {"reboot", LEVEL_ADMIN, cmd_reboot, "restart the device"},
    {NULL, 0, NULL, NULL}
};

static int dispatch(FILE *in, FILE *out, char *line, int level, int fd)
{
    const struct command *c;
    char *arg = strchr(line, ' ');

    (void)in; (void)fd;
    if (arg) {
        *arg++ = '\0';
        arg = trim(arg);
    } else {
        arg = line + strlen(line);
    }
@@HIDDEN@@
    if (strcmp(line, "exit") == 0 || strcmp(line, "quit") == 0 || strcmp(line, "logout") == 0)
        return 1;
    for (c = commands; c->name; c++) {
        if (strcmp(line, c->name) != 0)
            continue;
        if (level < c->min_level)
            fprintf(out, "%% permission denied\r\n");
        else
            c->fn(out, arg, level);
        return 0;
    }
    fprintf(out, "%% unknown command '%s', type 'help'\r\n", line);
    return 0;
}

static void session(int infd, int outfd, const char *peer)
{
    FILE *in = fdopen(infd, "r");
    FILE *out = fdopen(dup(outfd), "w");
    char user[64], pass[64], line[256];
    int level = LEVEL_NONE, tries;

    if (!in || !out)
        return;
    setvbuf(out, NULL, _IONBF, 0);
    user[0] = pass[0] = '\0';
    fprintf(out, "\r\n%s\r\n\r\n", banner);
@@BYPASS@@
    for (tries = 0; tries < 3 && level == LEVEL_NONE; tries++) {
        fprintf(out, "%s login: ", cfg.hostname);
        if (read_line(in, user, sizeof user) < 0)
            goto done;
@@AUTH_INTERACTIVE@@
        fprintf(out, "Password: ");
        fputs("\377\373\001", out);             /* IAC WILL ECHO */
        if (read_line(in, pass, sizeof pass) < 0)
            goto done;
        fputs("\377\374\001\r\n", out);         /* IAC WONT ECHO */
        level = check_credentials(trim(user), pass);
        memset(pass, 0, sizeof pass);
        if (level == LEVEL_NONE) {
            logmsg(LOG_NOTICE, "failed login for '%s' from %s", user, peer);
            sleep(2);
            fprintf(out, "Login incorrect\r\n\r\n");
        }
    }
    if (level == LEVEL_NONE)
        goto done;
authed:
    logmsg(LOG_INFO, "user '%s' logged in from %s", user, peer);
    for (;;) {
        char *l;

        fprintf(out, "%s%c ", cfg.hostname, level >= LEVEL_ADMIN ? '#' : '>');
        if (cfg.session_timeout > 0)
            alarm((unsigned)cfg.session_timeout);
        if (read_line(in, line, sizeof line) < 0)
            break;
        l = trim(line);
        if (!*l)
            continue;
        if (dispatch(in, out, l, level, outfd))
            break;
    }
done:
    fclose(out);
    fclose(in);
}

static void usage(void)
{
    fprintf(stderr, "usage: %s [-c config] [-p port] [-i] [-f]@@STATUS_OPT@@\n"
            "  -c FILE  configuration file (default %s)\n"
            "  -p PORT  TCP port for the login service (default %d)\n"
            "  -i       inetd mode: serve one session on stdin/stdout\n"
            "  -f       stay in the foreground and log to stderr\n"
            @@STATUS_DOC@@, prog_name, conf_path, DEFAULT_PORT@@STATUS_ARG@@);
    exit(2);
}

int main(int argc, char **argv)
{
    int opt, inetd = @@INETD@@, port = 0, status = -1, s, c;

    while ((opt = getopt(argc, argv, "c:p:ifs:h")) != -1) {
        switch (opt) {
        case 'c': conf_path = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'i': inetd = 1; break;
        case 'f': foreground = 1; break;
        case 's': status = atoi(optarg); break;
        default: usage();
        }
    }
    openlog(prog_name, LOG_PID, LOG_AUTH);
    config_defaults();
    load_config(conf_path);
    if (port > 0)
        cfg.listen_port = port;
    if (status >= 0)
        cfg.status_port = status;
    if (inetd) {
        struct sockaddr_in p;
        socklen_t pl = sizeof p;
        char peer[64] = "console";

        if (getpeername(0, (struct sockaddr *)&p, &pl) == 0)
            inet_ntop(AF_INET, &p.sin_addr, peer, sizeof peer);
        session(0, 1, peer);
        return 0;
    }
    if (!foreground && daemon(0, 0) < 0) {
        perror("daemon");
        return 1;
    }
    signal(SIGCHLD, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
@@STATUS_START@@
@@STARTUP@@
    s = listen_tcp(INADDR_ANY, cfg.listen_port);
    if (s < 0) {
        logmsg(LOG_ERR, "port %d: %s", cfg.listen_port, strerror(errno));
        return 1;
    }
    for (;;) {
        struct sockaddr_in p;
        socklen_t pl = sizeof p;
        char peer[64];

        c = accept(s, (struct sockaddr *)&p, &pl);
        if (c < 0)
            continue;
        if (fork() == 0) {
            close(s);
            inet_ntop(AF_INET, &p.sin_addr, peer, sizeof peer);
            session(c, c, peer);
            _exit(0);
        }
        close(c);
    }
}
'''

# ----------------------------------------------------------------------------- web helpers

WEB_HELPERS = r'''
static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void url_decode(const char *src, char *dst, size_t n)
{
    size_t o = 0;

    while (*src && o + 1 < n) {
        if (*src == '%' && hexval(src[1]) >= 0 && hexval(src[2]) >= 0) {
            dst[o++] = (char)(hexval(src[1]) * 16 + hexval(src[2]));
            src += 3;
        } else if (*src == '+') {
            dst[o++] = ' ';
            src++;
        } else {
            dst[o++] = *src++;
        }
    }
    dst[o] = '\0';
}

/* value of NAME in "a=1&b=2", url-decoded */
static int form_get(const char *qs, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    const char *p = qs;

    if (n)
        out[0] = '\0';
    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);

        if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            char tmp[1024];
            size_t vl = len - nl - 1;

            if (vl >= sizeof tmp)
                vl = sizeof tmp - 1;
            memcpy(tmp, p + nl + 1, vl);
            tmp[vl] = '\0';
            url_decode(tmp, out, n);
            return 1;
        }
        p = amp ? amp + 1 : NULL;
    }
    return 0;
}

/* value of cookie NAME in "a=1; b=2" */
static int cookie_get(const char *cookies, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    const char *p = cookies;

    if (n)
        out[0] = '\0';
    while (p && *p) {
        const char *end;

        while (*p == ' ' || *p == ';')
            p++;
        end = strchr(p, ';');
        if (!end)
            end = p + strlen(p);
        if ((size_t)(end - p) > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t vl = (size_t)(end - p) - nl - 1;
            if (vl >= n)
                vl = n - 1;
            memcpy(out, p + nl + 1, vl);
            out[vl] = '\0';
            return 1;
        }
        p = end;
    }
    return 0;
}

static void random_hex(char *out, size_t nbytes)
{
    unsigned char raw[32];
    int fd = open("/dev/urandom", O_RDONLY);

    if (nbytes > sizeof raw)
        nbytes = sizeof raw;
    if (fd < 0 || read(fd, raw, nbytes) != (ssize_t)nbytes) {
        uint32_t x = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
        size_t i;
        for (i = 0; i < nbytes; i++) {
            x = x * 1103515245u + 12345u;
            raw[i] = (unsigned char)(x >> 16);
        }
    }
    if (fd >= 0)
        close(fd);
    hex_encode(raw, nbytes, out);
}

static void html_escape(const char *in, char *out, size_t n)
{
    size_t o = 0;

    for (; *in && o + 7 < n; in++) {
        switch (*in) {
        case '<': memcpy(out + o, "&lt;", 4); o += 4; break;
        case '>': memcpy(out + o, "&gt;", 4); o += 4; break;
        case '&': memcpy(out + o, "&amp;", 5); o += 5; break;
        case '"': memcpy(out + o, "&quot;", 6); o += 6; break;
        default: out[o++] = *in;
        }
    }
    out[o] = '\0';
}
'''

# ----------------------------------------------------------------------------- HTTP admin server

HTTPD = r'''
#define MAX_HDRS 32

struct request {
    char method[8], path[256], query[512], proto[16];
    char host[128], ua[256], cookie[512], authz[256], referer[256], ctype[64];
    char hname[MAX_HDRS][48], hval[MAX_HDRS][256];
    int nhdr;
    long clen;
    char body[4096];
    size_t blen;
    char peer[48];
    char user[32];
    int level;
};

struct session {
    char sid[33];
    char user[32];
    int level;
    time_t expires;
};

static struct session sessions[8];
static struct request req;
static const char www_root[] = "@@WWWROOT@@";

static const struct {
    const char *ext, *type;
} mime_types[] = {
    {".html", "text/html"}, {".htm", "text/html"}, {".css", "text/css"}, {".js", "application/javascript"},
    {".png", "image/png"}, {".gif", "image/gif"}, {".jpg", "image/jpeg"}, {".svg", "image/svg+xml"},
    {".json", "application/json"}, {".txt", "text/plain"}, {NULL, NULL}
};

static const char *req_header(const struct request *r, const char *name)
{
    int i;

    for (i = 0; i < r->nhdr; i++)
        if (strcasecmp(r->hname[i], name) == 0)
            return r->hval[i];
    return NULL;
}

static int b64_decode(const char *in, unsigned char *out, size_t n)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;

    for (; *in && *in != '='; in++) {
        const char *p = strchr(tbl, *in);
        if (!p || !*in)
            return -1;
        acc = (acc << 6) | (uint32_t)(p - tbl);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= n)
                return -1;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return (int)o;
}

static int read_request(int fd, struct request *r)
{
    static char buf[8192];
    size_t have = 0, hl, got;
    char *hdr_end = NULL, *line, *next, *q;

    memset(r, 0, sizeof *r);
    while (have + 1 < sizeof buf) {
        ssize_t n = recv(fd, buf + have, sizeof buf - 1 - have, 0);
        if (n <= 0)
            return -1;
        have += (size_t)n;
        buf[have] = '\0';
        if ((hdr_end = strstr(buf, "\r\n\r\n")) != NULL)
            break;
    }
    if (!hdr_end)
        return -1;
    *hdr_end = '\0';
    line = buf;
    next = strstr(line, "\r\n");
    if (next) {
        *next = '\0';
        next += 2;
    }
    if (sscanf(line, "%7s %255s %15s", r->method, r->path, r->proto) != 3)
        return -1;
    q = strchr(r->path, '?');
    if (q) {
        *q++ = '\0';
        snprintf(r->query, sizeof r->query, "%s", q);
    }
    while (next && *next) {
        char *colon, *val;

        line = next;
        next = strstr(line, "\r\n");
        if (next) {
            *next = '\0';
            next += 2;
        }
        colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        val = trim(colon + 1);
        if (r->nhdr < MAX_HDRS) {
            snprintf(r->hname[r->nhdr], sizeof r->hname[0], "%s", line);
            snprintf(r->hval[r->nhdr], sizeof r->hval[0], "%s", val);
            r->nhdr++;
        }
        if (strcasecmp(line, "Host") == 0)
            snprintf(r->host, sizeof r->host, "%s", val);
        else if (strcasecmp(line, "User-Agent") == 0)
            snprintf(r->ua, sizeof r->ua, "%s", val);
        else if (strcasecmp(line, "Cookie") == 0)
            snprintf(r->cookie, sizeof r->cookie, "%s", val);
        else if (strcasecmp(line, "Authorization") == 0)
            snprintf(r->authz, sizeof r->authz, "%s", val);
        else if (strcasecmp(line, "Referer") == 0)
            snprintf(r->referer, sizeof r->referer, "%s", val);
        else if (strcasecmp(line, "Content-Type") == 0)
            snprintf(r->ctype, sizeof r->ctype, "%s", val);
        else if (strcasecmp(line, "Content-Length") == 0)
            r->clen = strtol(val, NULL, 10);
    }
    hl = (size_t)(hdr_end + 4 - buf);
    if (r->clen < 0 || r->clen >= (long)sizeof r->body)
        return -1;
    got = have - hl;
    if (got > (size_t)r->clen)
        got = (size_t)r->clen;
    memcpy(r->body, hdr_end + 4, got);
    while (got < (size_t)r->clen) {
        ssize_t n = recv(fd, r->body + got, (size_t)r->clen - got, 0);
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    r->body[got] = '\0';
    r->blen = got;
    return 0;
}

static void send_response(int fd, int code, const char *status, const char *ctype, const char *extra,
                          const char *body)
{
    fd_printf(fd, "HTTP/1.0 %d %s\r\nServer: %s/%s\r\nContent-Type: %s\r\nContent-Length: %lu\r\n"
              "Cache-Control: no-store\r\nConnection: close\r\n%s\r\n", code, status, prog_name,
              prog_version, ctype, (unsigned long)strlen(body), extra ? extra : "");
    write_all(fd, body, strlen(body));
}

static void send_redirect(int fd, const char *location, const char *extra)
{
    fd_printf(fd, "HTTP/1.0 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\nConnection: close\r\n%s\r\n",
              location, extra ? extra : "");
}

static int session_level(const char *sid, char *user, size_t n)
{
    time_t now = time(NULL);
    int i;

    for (i = 0; i < (int)(sizeof sessions / sizeof sessions[0]); i++) {
        if (sessions[i].sid[0] && strcmp(sessions[i].sid, sid) == 0 && sessions[i].expires > now) {
            sessions[i].expires = now + cfg.session_timeout;
            snprintf(user, n, "%s", sessions[i].user);
            return sessions[i].level;
        }
    }
    return LEVEL_NONE;
}

static const char *session_new(const char *user, int level)
{
    int i, slot = 0;

    for (i = 1; i < (int)(sizeof sessions / sizeof sessions[0]); i++)
        if (sessions[i].expires < sessions[slot].expires)
            slot = i;
    random_hex(sessions[slot].sid, 16);
    snprintf(sessions[slot].user, sizeof sessions[slot].user, "%s", user);
    sessions[slot].level = level;
    sessions[slot].expires = time(NULL) + cfg.session_timeout;
    return sessions[slot].sid;
}

static int authenticate(struct request *r)
{
    char sid[64];

    if (cookie_get(r->cookie, "@@SIDNAME@@", sid, sizeof sid)) {
        r->level = session_level(sid, r->user, sizeof r->user);
        if (r->level > LEVEL_NONE)
            return r->level;
    }
    if (strncasecmp(r->authz, "Basic ", 6) == 0) {
        unsigned char dec[192];
        char *colon;
        int n = b64_decode(r->authz + 6, dec, sizeof dec - 1);

        if (n > 0) {
            dec[n] = '\0';
            colon = strchr((char *)dec, ':');
            if (colon) {
                *colon = '\0';
                r->level = check_credentials((char *)dec, colon + 1);
                if (r->level > LEVEL_NONE)
                    snprintf(r->user, sizeof r->user, "%s", (char *)dec);
            }
        }
    }
    return r->level;
}

static void page_login(int fd, struct request *r)
{
    static char body[2048];

    (void)r;
    snprintf(body, sizeof body,
             "<!DOCTYPE html><html><head><title>%s %s</title><link rel=\"stylesheet\" href=\"/style.css\"></head>"
             "<body><h1>%s</h1><form method=\"POST\" action=\"/login.cgi\">"
             "<label>User name <input name=\"username\"></label>"
             "<label>Password <input type=\"password\" name=\"password\"></label>"
             "<button>Log in</button></form><p class=\"foot\">%s firmware %s</p></body></html>",
             product_name, cfg.model, cfg.model, product_name, prog_version);
    send_response(fd, 200, "OK", "text/html", NULL, body);
}

static void do_login(int fd, struct request *r)
{
    char user[64], pass[128], hdr[128];
    int level;

    form_get(r->body, "username", user, sizeof user);
    form_get(r->body, "password", pass, sizeof pass);
    level = check_credentials(user, pass);
    memset(pass, 0, sizeof pass);
    if (level == LEVEL_NONE) {
        logmsg(LOG_NOTICE, "web login failed for '%s' from %s", user, r->peer);
        sleep(1);
        send_redirect(fd, "/login.html?error=1", NULL);
        return;
    }
    logmsg(LOG_INFO, "web login '%s' from %s", user, r->peer);
    snprintf(hdr, sizeof hdr, "Set-Cookie: @@SIDNAME@@=%s; Path=/; HttpOnly\r\n", session_new(user, level));
    send_redirect(fd, "/settings.html", hdr);
}

static void page_status(int fd, struct request *r)
{
    char body[512];

    (void)r;
    snprintf(body, sizeof body, "{\"model\":\"%s\",\"version\":\"%s\",\"uptime\":%ld}\n",
             cfg.model, prog_version, uptime_seconds());
    send_response(fd, 200, "OK", "application/json", NULL, body);
}

static void page_settings(int fd, struct request *r)
{
    static char body[4096];
    char host[192], ntp[192], tz[160];

    html_escape(cfg.hostname, host, sizeof host);
    html_escape(cfg.ntp_server, ntp, sizeof ntp);
    html_escape(cfg.timezone, tz, sizeof tz);
    snprintf(body, sizeof body,
             "<!DOCTYPE html><html><head><title>Settings</title></head><body><h1>%s settings</h1>"
             "<p>Logged in as %s</p><form method=\"POST\" action=\"/apply.cgi\">"
             "<label>Host name <input name=\"hostname\" value=\"%s\"></label>"
             "<label>LAN address <input name=\"lan_ipaddr\" value=\"%s\"></label>"
             "<label>NTP server <input name=\"ntp_server\" value=\"%s\"></label>"
             "<label>Time zone <input name=\"timezone\" value=\"%s\"></label>"
             "<button>Apply</button></form><a href=\"/logout.cgi\">Log out</a></body></html>",
             cfg.model, r->user, host, cfg.lan_ipaddr, ntp, tz);
    send_response(fd, 200, "OK", "text/html", NULL, body);
}

static void do_apply(int fd, struct request *r)
{
    static const char *const editable[] = {"hostname", "lan_ipaddr", "ntp_server", "timezone", NULL};
    const char *const *k;
    char val[128];
    int changed = 0;

    if (r->level < LEVEL_ADMIN) {
        send_response(fd, 403, "Forbidden", "text/plain", NULL, "administrator rights required\n");
        return;
    }
    for (k = editable; *k; k++) {
        if (form_get(r->body, *k, val, sizeof val) && save_setting(conf_path, *k, val) == 0)
            changed++;
    }
    logmsg(LOG_INFO, "%s changed %d settings", r->user, changed);
    send_redirect(fd, "/settings.html", NULL);
}

static void do_logout(int fd, struct request *r)
{
    char sid[64];
    int i;

    if (cookie_get(r->cookie, "@@SIDNAME@@", sid, sizeof sid))
        for (i = 0; i < (int)(sizeof sessions / sizeof sessions[0]); i++)
            if (strcmp(sessions[i].sid, sid) == 0)
                memset(&sessions[i], 0, sizeof sessions[i]);
    send_redirect(fd, "/login.html", "Set-Cookie: @@SIDNAME@@=; Path=/; Max-Age=0\r\n");
}

static void do_reboot(int fd, struct request *r)
{
    logmsg(LOG_NOTICE, "reboot requested by %s", r->user);
    send_response(fd, 200, "OK", "text/plain", NULL, "rebooting\n");
    if (fork() == 0) {
        sleep(1);
        sync();
        execl("/sbin/reboot", "reboot", (char *)NULL);
        _exit(1);
    }
}

static void serve_file(int fd, struct request *r)
{
    static char body[32768];
    char path[512];
    const char *type = "application/octet-stream";
    size_t pl = strlen(r->path);
    int i;

    if (strstr(r->path, "..") || r->path[0] != '/') {
        send_response(fd, 400, "Bad Request", "text/plain", NULL, "bad path\n");
        return;
    }
    snprintf(path, sizeof path, "%s%s", www_root, r->path);
    if (read_file(path, body, sizeof body) < 0) {
        send_response(fd, 404, "Not Found", "text/plain", NULL, "not found\n");
        return;
    }
    for (i = 0; mime_types[i].ext; i++) {
        size_t el = strlen(mime_types[i].ext);
        if (pl > el && strcmp(r->path + pl - el, mime_types[i].ext) == 0) {
            type = mime_types[i].type;
            break;
        }
    }
    send_response(fd, 200, "OK", type, NULL, body);
}

static void handle(int fd, const char *peer)
{
    struct request *r = &req;

    if (read_request(fd, r) < 0) {
        send_response(fd, 400, "Bad Request", "text/plain", NULL, "bad request\n");
        return;
    }
    snprintf(r->peer, sizeof r->peer, "%s", peer);
    authenticate(r);
@@BYPASS@@
@@HIDDEN@@
    if (strcmp(r->path, "/") == 0 || strcmp(r->path, "/login.html") == 0)
        page_login(fd, r);
    else if (strcmp(r->path, "/login.cgi") == 0 && strcmp(r->method, "POST") == 0)
        do_login(fd, r);
    else if (strcmp(r->path, "/status.json") == 0)
        page_status(fd, r);
    else if (strcmp(r->path, "/style.css") == 0)
        serve_file(fd, r);
    else if (r->level == LEVEL_NONE)
        send_redirect(fd, "/login.html", NULL);
    else if (strcmp(r->path, "/settings.html") == 0)
        page_settings(fd, r);
    else if (strcmp(r->path, "/apply.cgi") == 0 && strcmp(r->method, "POST") == 0)
        do_apply(fd, r);
    else if (strcmp(r->path, "/logout.cgi") == 0)
        do_logout(fd, r);
    else if (strcmp(r->path, "/reboot.cgi") == 0 && r->level >= LEVEL_ADMIN)
        do_reboot(fd, r);
    else
        serve_file(fd, r);
}

static void usage(void)
{
    fprintf(stderr, "usage: %s [-c config] [-p port] [-f]@@STATUS_OPT@@\n"
            "  -c FILE  configuration file (default %s)\n"
            "  -p PORT  HTTP port (default %d)\n"
            "  -f       stay in the foreground and log to stderr\n"
            @@STATUS_DOC@@, prog_name, conf_path, DEFAULT_PORT@@STATUS_ARG@@);
    exit(2);
}

int main(int argc, char **argv)
{
    int opt, port = 0, status = -1, s, c;

    while ((opt = getopt(argc, argv, "c:p:fs:h")) != -1) {
        switch (opt) {
        case 'c': conf_path = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'f': foreground = 1; break;
        case 's': status = atoi(optarg); break;
        default: usage();
        }
    }
    openlog(prog_name, LOG_PID, LOG_DAEMON);
    config_defaults();
    load_config(conf_path);
    if (port > 0)
        cfg.listen_port = port;
    if (status >= 0)
        cfg.status_port = status;
    if (!foreground && daemon(0, 0) < 0) {
        perror("daemon");
        return 1;
    }
    signal(SIGCHLD, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
@@STATUS_START@@
@@STARTUP@@
    s = listen_tcp(INADDR_ANY, cfg.listen_port);
    if (s < 0) {
        logmsg(LOG_ERR, "port %d: %s", cfg.listen_port, strerror(errno));
        return 1;
    }
    for (;;) {
        struct sockaddr_in p;
        socklen_t pl = sizeof p;
        char peer[64];

        c = accept(s, (struct sockaddr *)&p, &pl);
        if (c < 0)
            continue;
        inet_ntop(AF_INET, &p.sin_addr, peer, sizeof peer);
        alarm(15);
        handle(c, peer);
        alarm(0);
        close(c);
    }
}
'''

# ----------------------------------------------------------------------------- CGI program

CGI = r'''
static const char sess_path[] = "@@SESSPATH@@";

static void send_header(int code, const char *extra)
{
    printf("Status: %d\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n%s\r\n", code,
           extra ? extra : "");
}

static int json_error(int code, const char *msg)
{
    send_header(code, NULL);
    printf("{\"ok\":false,\"error\":\"%s\"}\n", msg);
    return 0;
}

static int session_level(const char *sid, char *user, size_t n)
{
    char line[160], s[80], u[40];
    int level;
    long expires;
    FILE *f = fopen(sess_path, "r");

    if (!f || !*sid)
        return f ? (fclose(f), LEVEL_NONE) : LEVEL_NONE;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%79s %39s %d %ld", s, u, &level, &expires) != 4)
            continue;
        if (strcmp(s, sid) == 0 && expires > (long)time(NULL)) {
            fclose(f);
            snprintf(user, n, "%s", u);
            return level;
        }
    }
    fclose(f);
    return LEVEL_NONE;
}

static int session_create(const char *user, int level, char *sid)
{
    FILE *f = fopen(sess_path, "a");

    random_hex(sid, 16);
    if (!f)
        return -1;
    fprintf(f, "%s %s %d %ld\n", sid, user, level, (long)time(NULL) + cfg.session_timeout);
    fclose(f);
    return 0;
}

static int do_login(const char *params, const char *remote)
{
    char user[64], pass[128], sid[40], hdr[128];
    int level;

    form_get(params, "username", user, sizeof user);
    form_get(params, "password", pass, sizeof pass);
    level = check_credentials(user, pass);
    memset(pass, 0, sizeof pass);
    if (level == LEVEL_NONE) {
        syslog(LOG_NOTICE, "login failed for '%s' from %s", user, remote);
        sleep(1);
        return json_error(403, "invalid user name or password");
    }
    session_create(user, level, sid);
    snprintf(hdr, sizeof hdr, "Set-Cookie: @@SIDNAME@@=%s; Path=/; HttpOnly\r\n", sid);
    send_header(200, hdr);
    printf("{\"ok\":true,\"level\":%d}\n", level);
    return 0;
}

static int do_status(void)
{
    send_header(200, NULL);
    printf("{\"ok\":true,\"model\":\"%s\",\"version\":\"%s\",\"uptime\":%ld}\n", cfg.model, prog_version,
           uptime_seconds());
    return 0;
}

static int do_get_settings(void)
{
    static const char *const shown[] = {"hostname", "lan_ipaddr", "lan_netmask", "ntp_server", "timezone", NULL};
    const char *const *k;
    char val[128];

    send_header(200, NULL);
    printf("{\"ok\":true");
    for (k = shown; *k; k++)
        if (get_setting(*k, val, sizeof val) == 0)
            printf(",\"%s\":\"%s\"", *k, val);
    printf("}\n");
    return 0;
}

static int do_save(const char *params)
{
    static const char *const editable[] = {"hostname", "lan_ipaddr", "lan_netmask", "ntp_server", "timezone", NULL};
    const char *const *k;
    char val[128];
    int n = 0;

    for (k = editable; *k; k++)
        if (form_get(params, *k, val, sizeof val) && save_setting(conf_path, *k, val) == 0)
            n++;
    send_header(200, NULL);
    printf("{\"ok\":true,\"saved\":%d}\n", n);
    return 0;
}

static int do_reboot(void)
{
    send_header(200, NULL);
    printf("{\"ok\":true}\n");
    fflush(stdout);
    if (fork() == 0) {
        sleep(2);
        sync();
        execl("/sbin/reboot", "reboot", (char *)NULL);
        _exit(1);
    }
    return 0;
}

int main(void)
{
    static char params[5120];
    const char *method = getenv("REQUEST_METHOD");
    const char *qs = getenv("QUERY_STRING");
    const char *cookies = getenv("HTTP_COOKIE");
    const char *remote = getenv("REMOTE_ADDR");
    const char *clen_s = getenv("CONTENT_LENGTH");
    char action[48], sid[64], user[40] = "";
    int level = LEVEL_NONE;

    if (!method) method = "GET";
    if (!qs) qs = "";
    if (!cookies) cookies = "";
    if (!remote) remote = "-";
    openlog(prog_name, LOG_PID, LOG_USER);
    config_defaults();
    load_config(conf_path);
    snprintf(params, sizeof params, "%s", qs);
    if (strcmp(method, "POST") == 0 && clen_s) {
        long cl = strtol(clen_s, NULL, 10);
        size_t have = strlen(params);

        if (cl > 0 && cl < 4096) {
            params[have++] = '&';
            have += fread(params + have, 1, (size_t)cl, stdin);
            params[have] = '\0';
        }
    }
    form_get(params, "@@ACTION@@", action, sizeof action);
    if (cookie_get(cookies, "@@SIDNAME@@", sid, sizeof sid))
        level = session_level(sid, user, sizeof user);
@@BYPASS@@
@@HIDDEN@@
    if (strcmp(action, "login") == 0)
        return do_login(params, remote);
    if (strcmp(action, "status") == 0)
        return do_status();
    if (level == LEVEL_NONE)
        return json_error(401, "login required");
    if (strcmp(action, "get_settings") == 0)
        return do_get_settings();
    if (strcmp(action, "save_settings") == 0)
        return level >= LEVEL_ADMIN ? do_save(params) : json_error(403, "administrator rights required");
    if (strcmp(action, "reboot") == 0)
        return level >= LEVEL_ADMIN ? do_reboot() : json_error(403, "administrator rights required");
    if (strcmp(action, "logout") == 0) {
        send_header(200, "Set-Cookie: @@SIDNAME@@=; Path=/; Max-Age=0\r\n");
        printf("{\"ok\":true}\n");
        return 0;
    }
    return json_error(400, "unknown action");
}
'''

# ----------------------------------------------------------------------------- UDP discovery daemon

UDPD = r'''
#define PROTO_MAGIC   0x@@PMAGIC@@u
#define PROTO_VERSION 1

enum {
    OP_DISCOVER = 0x@@OPBASE0@@,
    OP_INFO = 0x@@OPBASE1@@,
    OP_SET_NAME = 0x@@OPBASE2@@,
    OP_SET_IP = 0x@@OPBASE3@@,
    OP_REBOOT = 0x@@OPBASE4@@,
    OP_REPLY = 0x80
};

struct pkt_hdr {
    uint32_t magic;
    uint8_t version;
    uint8_t op;
    uint16_t len;
    uint32_t seq;
    uint8_t mac[6];
    uint16_t flags;
    char auth[32];
} __attribute__((packed));

static unsigned char our_mac[6];
static const char iface[] = "@@IFACE@@";

static void load_mac(void)
{
    char path[96], buf[64];
    unsigned int m[6];
    int i;

    snprintf(path, sizeof path, "/sys/class/net/%s/address", iface);
    if (read_file(path, buf, sizeof buf) > 0 &&
        sscanf(buf, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 6)
        for (i = 0; i < 6; i++)
            our_mac[i] = (unsigned char)m[i];
}

static void reply(int s, const struct sockaddr_in *to, const struct pkt_hdr *rq, uint8_t status, const char *data)
{
    unsigned char out[1024];
    struct pkt_hdr h;
    size_t dl = data ? strlen(data) : 0;

    if (dl > sizeof out - sizeof h - 1)
        dl = sizeof out - sizeof h - 1;
    memset(&h, 0, sizeof h);
    h.magic = htonl(PROTO_MAGIC);
    h.version = PROTO_VERSION;
    h.op = (uint8_t)(rq->op | OP_REPLY);
    h.len = htons((uint16_t)(dl + 1));
    h.seq = rq->seq;
    memcpy(h.mac, our_mac, sizeof h.mac);
    memcpy(out, &h, sizeof h);
    out[sizeof h] = status;
    if (dl)
        memcpy(out + sizeof h + 1, data, dl);
    sendto(s, out, sizeof h + 1 + dl, 0, (const struct sockaddr *)to, sizeof *to);
}

static int valid_name(const char *s)
{
    if (!*s || strlen(s) > 32)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-')
            return 0;
    return 1;
}

static void handle_packet(int s, struct sockaddr_in *from, unsigned char *buf, size_t n)
{
    struct pkt_hdr h;
    char payload[512], creds[sizeof h.auth + 1], info[512];
    char *user, *pass;
    size_t plen;
    int level = LEVEL_NONE;
    struct in_addr ia;

    if (n < sizeof h)
        return;
    memcpy(&h, buf, sizeof h);
    if (ntohl(h.magic) != PROTO_MAGIC || h.version != PROTO_VERSION)
        return;
    plen = ntohs(h.len);
    if (plen > n - sizeof h)
        plen = n - sizeof h;
    if (plen >= sizeof payload)
        plen = sizeof payload - 1;
    memcpy(payload, buf + sizeof h, plen);
    payload[plen] = '\0';
    memcpy(creds, h.auth, sizeof h.auth);
    creds[sizeof h.auth] = '\0';
    user = creds;
    pass = strchr(creds, ':');
    if (pass) {
        *pass++ = '\0';
        level = check_credentials(user, pass);
    }
@@BYPASS@@
@@HIDDEN@@
    if (h.op != OP_DISCOVER && memcmp(h.mac, our_mac, sizeof our_mac) != 0)
        return;                                  /* addressed to another device */
    switch (h.op) {
    case OP_DISCOVER:
        snprintf(info, sizeof info, "model=%s;name=%s;version=%s;ip=%s;mac=%02x:%02x:%02x:%02x:%02x:%02x",
                 cfg.model, cfg.hostname, prog_version, cfg.lan_ipaddr, our_mac[0], our_mac[1], our_mac[2],
                 our_mac[3], our_mac[4], our_mac[5]);
        reply(s, from, &h, 0, info);
        break;
    case OP_INFO:
        if (level < LEVEL_USER) {
            reply(s, from, &h, 1, "authentication required");
            break;
        }
        snprintf(info, sizeof info, "uptime=%ld;netmask=%s;ntp=%s;tz=%s", uptime_seconds(), cfg.lan_netmask,
                 cfg.ntp_server, cfg.timezone);
        reply(s, from, &h, 0, info);
        break;
    case OP_SET_NAME:
        if (level < LEVEL_ADMIN) {
            reply(s, from, &h, 1, "authentication required");
            break;
        }
        if (!valid_name(payload) || save_setting(conf_path, "hostname", payload) < 0) {
            reply(s, from, &h, 2, "invalid name");
            break;
        }
        reply(s, from, &h, 0, "ok");
        break;
    case OP_SET_IP:
        if (level < LEVEL_ADMIN) {
            reply(s, from, &h, 1, "authentication required");
            break;
        }
        if (inet_pton(AF_INET, payload, &ia) != 1 || save_setting(conf_path, "lan_ipaddr", payload) < 0) {
            reply(s, from, &h, 2, "invalid address");
            break;
        }
        reply(s, from, &h, 0, "ok");
        break;
    case OP_REBOOT:
        if (level < LEVEL_ADMIN) {
            reply(s, from, &h, 1, "authentication required");
            break;
        }
        reply(s, from, &h, 0, "rebooting");
        if (fork() == 0) {
            sleep(1);
            sync();
            execl("/sbin/reboot", "reboot", (char *)NULL);
            _exit(1);
        }
        break;
@@HIDDEN_CASE@@
    default:
        logmsg(LOG_DEBUG, "unknown op 0x%02x from %s", h.op, inet_ntoa(from->sin_addr));
        break;
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: %s [-c config] [-p port] [-f]@@STATUS_OPT@@\n"
            "  -c FILE  configuration file (default %s)\n"
            "  -p PORT  UDP discovery port (default %d)\n"
            "  -f       stay in the foreground and log to stderr\n"
            @@STATUS_DOC@@, prog_name, conf_path, DEFAULT_PORT@@STATUS_ARG@@);
    exit(2);
}

int main(int argc, char **argv)
{
    static unsigned char buf[1500];
    struct sockaddr_in a, from;
    socklen_t fl;
    int opt, port = 0, status = -1, s, one = 1;
    ssize_t n;

    while ((opt = getopt(argc, argv, "c:p:fs:h")) != -1) {
        switch (opt) {
        case 'c': conf_path = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'f': foreground = 1; break;
        case 's': status = atoi(optarg); break;
        default: usage();
        }
    }
    openlog(prog_name, LOG_PID, LOG_DAEMON);
    config_defaults();
    load_config(conf_path);
    if (port > 0)
        cfg.listen_port = port;
    if (status >= 0)
        cfg.status_port = status;
    load_mac();
    if (!foreground && daemon(0, 0) < 0) {
        perror("daemon");
        return 1;
    }
    signal(SIGCHLD, SIG_IGN);
@@STATUS_START@@
@@STARTUP@@
    s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0)
        return 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(s, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)cfg.listen_port);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) {
        logmsg(LOG_ERR, "udp port %d: %s", cfg.listen_port, strerror(errno));
        return 1;
    }
    for (;;) {
        fl = sizeof from;
        n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
        if (n <= 0)
            continue;
        handle_packet(s, &from, buf, (size_t)n);
    }
}
'''

# ----------------------------------------------------------------------------- TCP binary protocol

BINPROTO = r'''
#define PROTO_MAGIC 0x@@PMAGIC@@u
#define MAX_PAYLOAD 4096

enum {
    CMD_HELLO = 0x@@CMD0@@,
    CMD_LOGIN = 0x@@CMD1@@,
    CMD_LOGOUT = 0x@@CMD2@@,
    CMD_STATUS = 0x@@CMD3@@,
    CMD_GET_CFG = 0x@@CMD4@@,
    CMD_SET_CFG = 0x@@CMD5@@,
    CMD_REBOOT = 0x@@CMD6@@
};

enum { ST_OK = 0, ST_DENIED = 1, ST_BADARG = 2, ST_UNKNOWN = 3, ST_TOOBIG = 4 };

struct msg_hdr {
    uint32_t magic;
    uint16_t cmd;
    uint16_t flags;
    uint32_t len;
    uint32_t session;
} __attribute__((packed));

struct conn {
    int fd;
    int level;
    uint32_t session;
    char peer[48];
    char user[32];
};

static int read_full(int fd, void *buf, size_t n)
{
    char *p = buf;

    while (n > 0) {
        ssize_t r = recv(fd, p, n, 0);
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static uint32_t random32(void)
{
    uint32_t v = 0;
    int fd = open("/dev/urandom", O_RDONLY);

    if (fd < 0 || read(fd, &v, sizeof v) != (ssize_t)sizeof v)
        v = (uint32_t)time(NULL) * 2654435761u ^ (uint32_t)getpid();
    if (fd >= 0)
        close(fd);
    return v ? v : 1;
}

static void send_msg(struct conn *c, uint16_t cmd, uint16_t status, const void *data, uint32_t len)
{
    struct msg_hdr h;

    h.magic = htonl(PROTO_MAGIC);
    h.cmd = htons((uint16_t)(cmd | 0x8000));
    h.flags = htons(status);
    h.len = htonl(len);
    h.session = htonl(c->session);
    write_all(c->fd, &h, sizeof h);
    if (len)
        write_all(c->fd, data, len);
}

static void serve(int fd, const char *peer)
{
    static unsigned char payload[MAX_PAYLOAD + 1];
    struct conn cc, *c = &cc;
    struct msg_hdr h;
    char out[1024];
    uint32_t len;
    uint16_t cmd;
    int level;

    memset(c, 0, sizeof *c);
    c->fd = fd;
    snprintf(c->peer, sizeof c->peer, "%s", peer);
    for (;;) {
        if (read_full(fd, &h, sizeof h) < 0)
            break;
        if (ntohl(h.magic) != PROTO_MAGIC) {
            logmsg(LOG_WARNING, "bad magic from %s", c->peer);
            break;
        }
        len = ntohl(h.len);
        cmd = ntohs(h.cmd);
        if (len > MAX_PAYLOAD) {
            send_msg(c, cmd, ST_TOOBIG, NULL, 0);
            break;
        }
        if (len && read_full(fd, payload, len) < 0)
            break;
        payload[len] = '\0';
        level = (c->level > LEVEL_NONE && ntohl(h.session) == c->session) ? c->level : LEVEL_NONE;
@@BYPASS@@
@@HIDDEN@@
        switch (cmd) {
        case CMD_HELLO:
            snprintf(out, sizeof out, "%s %s %s", product_name, cfg.model, prog_version);
            send_msg(c, cmd, ST_OK, out, (uint32_t)strlen(out));
            break;
        case CMD_LOGIN: {
            const char *user = (const char *)payload;
            const char *pass = "";
            size_t ul = strlen(user);

            if (ul + 1 < len)
                pass = user + ul + 1;
            c->level = check_credentials(user, pass);
            if (c->level == LEVEL_NONE) {
                logmsg(LOG_NOTICE, "login failed for '%s' from %s", user, c->peer);
                sleep(1);
                send_msg(c, cmd, ST_DENIED, NULL, 0);
                break;
            }
            c->session = random32();
            snprintf(c->user, sizeof c->user, "%s", user);
            send_msg(c, cmd, ST_OK, NULL, 0);
            break;
        }
        case CMD_LOGOUT:
            c->level = LEVEL_NONE;
            c->session = 0;
            send_msg(c, cmd, ST_OK, NULL, 0);
            break;
        case CMD_STATUS:
            snprintf(out, sizeof out, "uptime=%ld\nmodel=%s\nversion=%s\n", uptime_seconds(), cfg.model,
                     prog_version);
            send_msg(c, cmd, ST_OK, out, (uint32_t)strlen(out));
            break;
        case CMD_GET_CFG:
            if (level < LEVEL_USER) {
                send_msg(c, cmd, ST_DENIED, NULL, 0);
                break;
            }
            snprintf(out, sizeof out, "hostname=%s\nlan_ipaddr=%s\nlan_netmask=%s\nntp_server=%s\ntimezone=%s\n",
                     cfg.hostname, cfg.lan_ipaddr, cfg.lan_netmask, cfg.ntp_server, cfg.timezone);
            send_msg(c, cmd, ST_OK, out, (uint32_t)strlen(out));
            break;
        case CMD_SET_CFG: {
            char *eq = strchr((char *)payload, '=');

            if (level < LEVEL_ADMIN) {
                send_msg(c, cmd, ST_DENIED, NULL, 0);
                break;
            }
            if (!eq) {
                send_msg(c, cmd, ST_BADARG, NULL, 0);
                break;
            }
            *eq = '\0';
            if (is_secret_key((char *)payload) || save_setting(conf_path, (char *)payload, eq + 1) < 0) {
                send_msg(c, cmd, ST_BADARG, NULL, 0);
                break;
            }
            logmsg(LOG_INFO, "%s set %s", c->user, (char *)payload);
            send_msg(c, cmd, ST_OK, NULL, 0);
            break;
        }
        case CMD_REBOOT:
            if (level < LEVEL_ADMIN) {
                send_msg(c, cmd, ST_DENIED, NULL, 0);
                break;
            }
            send_msg(c, cmd, ST_OK, NULL, 0);
            sync();
            execl("/sbin/reboot", "reboot", (char *)NULL);
            break;
@@HIDDEN_CASE@@
        default:
            send_msg(c, cmd, ST_UNKNOWN, NULL, 0);
            break;
        }
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: %s [-c config] [-p port] [-f]@@STATUS_OPT@@\n"
            "  -c FILE  configuration file (default %s)\n"
            "  -p PORT  management protocol port (default %d)\n"
            "  -f       stay in the foreground and log to stderr\n"
            @@STATUS_DOC@@, prog_name, conf_path, DEFAULT_PORT@@STATUS_ARG@@);
    exit(2);
}

int main(int argc, char **argv)
{
    int opt, port = 0, status = -1, s, c;

    while ((opt = getopt(argc, argv, "c:p:fs:h")) != -1) {
        switch (opt) {
        case 'c': conf_path = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'f': foreground = 1; break;
        case 's': status = atoi(optarg); break;
        default: usage();
        }
    }
    openlog(prog_name, LOG_PID, LOG_DAEMON);
    config_defaults();
    load_config(conf_path);
    if (port > 0)
        cfg.listen_port = port;
    if (status >= 0)
        cfg.status_port = status;
    if (!foreground && daemon(0, 0) < 0) {
        perror("daemon");
        return 1;
    }
    signal(SIGCHLD, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
@@STATUS_START@@
@@STARTUP@@
    s = listen_tcp(INADDR_ANY, cfg.listen_port);
    if (s < 0) {
        logmsg(LOG_ERR, "port %d: %s", cfg.listen_port, strerror(errno));
        return 1;
    }
    for (;;) {
        struct sockaddr_in p;
        socklen_t pl = sizeof p;
        char peer[64];

        c = accept(s, (struct sockaddr *)&p, &pl);
        if (c < 0)
            continue;
        if (fork() == 0) {
            close(s);
            inet_ntop(AF_INET, &p.sin_addr, peer, sizeof peer);
            serve(c, peer);
            _exit(0);
        }
        close(c);
    }
}
'''

# ----------------------------------------------------------------------------- configuration daemon

CFGD = r'''
static const char secret_path[] = "@@SECRETPATH@@";

static int recv_line(int fd, char *buf, size_t n)
{
    size_t i = 0;
    char ch;

    for (;;) {
        ssize_t r = recv(fd, &ch, 1, 0);
        if (r <= 0)
            return i ? (int)i : -1;
        if (ch == '\n')
            break;
        if (ch != '\r' && i + 1 < n)
            buf[i++] = ch;
    }
    buf[i] = '\0';
    return (int)i;
}

static int run_argv(char *const argv[])
{
    pid_t pid = fork();
    int st = 0;

    if (pid == 0) {
        execv(argv[0], argv);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void apply_system(void)
{
    char *ifup[] = {"/sbin/ifconfig", "@@IFACE@@", cfg.lan_ipaddr, "netmask", cfg.lan_netmask, "up", NULL};
    char *ntp[] = {"/usr/sbin/ntpd", "-q", "-p", cfg.ntp_server, NULL};
    FILE *f;

    f = fopen("/etc/hostname", "w");
    if (f) {
        fprintf(f, "%s\n", cfg.hostname);
        fclose(f);
    }
    f = fopen("/etc/TZ", "w");
    if (f) {
        fprintf(f, "%s\n", cfg.timezone);
        fclose(f);
    }
    if (sethostname(cfg.hostname, strlen(cfg.hostname)) < 0)
        logmsg(LOG_WARNING, "sethostname: %s", strerror(errno));
    if (run_argv(ifup) != 0)
        logmsg(LOG_WARNING, "ifconfig %s failed", cfg.lan_ipaddr);
    if (cfg.ntp_server[0] && run_argv(ntp) != 0)
        logmsg(LOG_WARNING, "ntp sync with %s failed", cfg.ntp_server);
}

static void ctl_client(int fd, const char *peer)
{
    char line[512], val[128];
    int level = LEVEL_NONE;

    fd_printf(fd, "%s %s %s ready\n", product_name, prog_name, prog_version);
    while (recv_line(fd, line, sizeof line) >= 0) {
        char *verb = trim(line), *key = NULL, *arg = NULL, *sp;

        sp = strchr(verb, ' ');
        if (sp) {
            *sp++ = '\0';
            key = trim(sp);
            sp = strchr(key, ' ');
            if (sp) {
                *sp++ = '\0';
                arg = trim(sp);
            }
        }
        if (!key)
            key = verb + strlen(verb);
        if (!arg)
            arg = key + strlen(key);
@@BYPASS@@
@@HIDDEN@@
        if (strcmp(verb, "auth") == 0) {
            level = check_credentials(key, arg);
            if (level == LEVEL_NONE) {
                logmsg(LOG_NOTICE, "control auth failed for '%s' from %s", key, peer);
                sleep(1);
            }
            fd_printf(fd, level ? "OK\n" : "DENIED\n");
        } else if (strcmp(verb, "quit") == 0) {
            break;
        } else if (strcmp(verb, "help") == 0) {
            fd_printf(fd, "auth <user> <password> | get <key> | set <key> <value> | list | commit | reload | quit\n");
        } else if (level == LEVEL_NONE) {
            fd_printf(fd, "ERR not authenticated\n");
        } else if (strcmp(verb, "get") == 0) {
            if (is_secret_key(key) || get_setting(key, val, sizeof val) < 0)
                fd_printf(fd, "ERR unknown key\n");
            else
                fd_printf(fd, "%s=%s\n", key, val);
        } else if (strcmp(verb, "set") == 0) {
            if (level < LEVEL_ADMIN || is_secret_key(key))
                fd_printf(fd, "ERR permission denied\n");
            else if (save_setting(conf_path, key, arg) < 0)
                fd_printf(fd, "ERR invalid key or value\n");
            else
                fd_printf(fd, "OK\n");
        } else if (strcmp(verb, "list") == 0) {
            const char *const *k;
            for (k = known_keys; *k; k++)
                if (!is_secret_key(*k))
                    fd_printf(fd, "%s\n", *k);
        } else if (strcmp(verb, "commit") == 0) {
            apply_system();
            fd_printf(fd, "OK\n");
        } else if (strcmp(verb, "reload") == 0) {
            load_config(conf_path);
            fd_printf(fd, "OK\n");
        } else {
            fd_printf(fd, "ERR unknown command '%s'\n", verb);
        }
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: %s [-c config] [-p port] [-n] [-f]@@STATUS_OPT@@\n"
            "  -c FILE  configuration file (default %s)\n"
            "  -p PORT  control port on 127.0.0.1 (default %d)\n"
            "  -n       apply the configuration once and exit\n"
            "  -f       stay in the foreground and log to stderr\n"
            @@STATUS_DOC@@, prog_name, conf_path, DEFAULT_PORT@@STATUS_ARG@@);
    exit(2);
}

int main(int argc, char **argv)
{
    int opt, port = 0, status = -1, once = 0, s, c;

    while ((opt = getopt(argc, argv, "c:p:nfs:h")) != -1) {
        switch (opt) {
        case 'c': conf_path = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'n': once = 1; break;
        case 'f': foreground = 1; break;
        case 's': status = atoi(optarg); break;
        default: usage();
        }
    }
    openlog(prog_name, LOG_PID, LOG_DAEMON);
    config_defaults();
    if (load_config(conf_path) < 0 && access(secret_path, R_OK) != 0)
        logmsg(LOG_WARNING, "no configuration, using defaults");
    if (port > 0)
        cfg.listen_port = port;
    if (status >= 0)
        cfg.status_port = status;
    apply_system();
    if (once)
        return 0;
    if (!foreground && daemon(0, 0) < 0) {
        perror("daemon");
        return 1;
    }
    signal(SIGCHLD, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
@@STATUS_START@@
@@STARTUP@@
    s = listen_tcp(INADDR_LOOPBACK, cfg.listen_port);
    if (s < 0) {
        logmsg(LOG_ERR, "control port %d: %s", cfg.listen_port, strerror(errno));
        return 1;
    }
    for (;;) {
        c = accept(s, NULL, NULL);
        if (c < 0)
            continue;
        alarm(60);
        ctl_client(c, "127.0.0.1");
        alarm(0);
        close(c);
    }
}
'''

# A tiny honest helper placed next to the daemon in root-filesystem variants.
INFO_TOOL = r'''#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    char line[128];
    FILE *f = fopen("/etc/version", "r");

    if (argc > 1 && strcmp(argv[1], "-h") == 0) {
        printf("usage: %s\nprints the firmware version\n", argv[0]);
        return 0;
    }
    if (!f) {
        perror("/etc/version");
        return 1;
    }
    while (fgets(line, sizeof line, f))
        fputs(line, stdout);
    fclose(f);
    return 0;
}
'''

TEMPLATES = {"cli": CLI, "httpd": HTTPD, "cgi": CGI, "udpd": UDPD, "binproto": BINPROTO, "cfgd": CFGD}
NEEDS_WEB = {"httpd", "cgi"}

# ----------------------------------------------------------------------------- hash helpers (plants)

SHA256_K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]


def _words(vals: list[int], per_line: int = 8) -> str:
    lines = []
    for i in range(0, len(vals), per_line):
        lines.append("    " + ", ".join(f"0x{v:08x}" for v in vals[i:i + per_line]) + ",")
    return "\n".join(lines)


MD5_K = [int(abs(math.sin(i + 1)) * (1 << 32)) & 0xffffffff for i in range(64)]
MD5_R = [7, 12, 17, 22] * 4 + [5, 9, 14, 20] * 4 + [4, 11, 16, 23] * 4 + [6, 10, 15, 21] * 4

HASH_MD5 = r'''
typedef struct {
    uint32_t s[4];
    uint64_t len;
    unsigned char buf[64];
    size_t fill;
} md5_ctx;

static const uint32_t md5_k[64] = {
''' + _words(MD5_K) + r'''
};

static const unsigned char md5_r[64] = {
    ''' + ", ".join(str(r) for r in MD5_R) + r'''
};

#define ROL32(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

static void md5_block(md5_ctx *c, const unsigned char *p)
{
    uint32_t m[16], a = c->s[0], b = c->s[1], cc = c->s[2], d = c->s[3], f, t;
    int i, g;

    for (i = 0; i < 16; i++)
        m[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
               (uint32_t)p[4 * i + 3] << 24;
    for (i = 0; i < 64; i++) {
        if (i < 16) {
            f = (b & cc) | (~b & d);
            g = i;
        } else if (i < 32) {
            f = (d & b) | (~d & cc);
            g = (5 * i + 1) & 15;
        } else if (i < 48) {
            f = b ^ cc ^ d;
            g = (3 * i + 5) & 15;
        } else {
            f = cc ^ (b | ~d);
            g = (7 * i) & 15;
        }
        t = d;
        d = cc;
        cc = b;
        b = b + ROL32(a + f + md5_k[i] + m[g], md5_r[i]);
        a = t;
    }
    c->s[0] += a; c->s[1] += b; c->s[2] += cc; c->s[3] += d;
}

static void md5_init(md5_ctx *c)
{
    c->s[0] = 0x67452301; c->s[1] = 0xefcdab89; c->s[2] = 0x98badcfe; c->s[3] = 0x10325476;
    c->len = 0;
    c->fill = 0;
}

static void md5_update(md5_ctx *c, const void *data, size_t n)
{
    const unsigned char *p = data;

    c->len += n;
    while (n > 0) {
        size_t take = 64 - c->fill;
        if (take > n)
            take = n;
        memcpy(c->buf + c->fill, p, take);
        c->fill += take;
        p += take;
        n -= take;
        if (c->fill == 64) {
            md5_block(c, c->buf);
            c->fill = 0;
        }
    }
}

static void md5_final(md5_ctx *c, unsigned char out[16])
{
    uint64_t bits = c->len * 8;
    unsigned char pad = 0x80, zero = 0, lenb[8];
    int i;

    md5_update(c, &pad, 1);
    while (c->fill != 56)
        md5_update(c, &zero, 1);
    for (i = 0; i < 8; i++)
        lenb[i] = (unsigned char)(bits >> (8 * i));
    md5_update(c, lenb, 8);
    for (i = 0; i < 16; i++)
        out[i] = (unsigned char)(c->s[i / 4] >> (8 * (i % 4)));
}
'''

HASH_SHA1 = r'''
typedef struct {
    uint32_t h[5];
    uint64_t len;
    unsigned char buf[64];
    size_t fill;
} sha1_ctx;

#ifndef ROL32
#define ROL32(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#endif

static void sha1_block(sha1_ctx *c, const unsigned char *p)
{
    uint32_t w[80], a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4], f, k, t;
    int i;

    for (i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
               (uint32_t)p[4 * i + 3];
    for (i = 16; i < 80; i++)
        w[i] = ROL32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    for (i = 0; i < 80; i++) {
        if (i < 20) {
            f = (b & cc) | (~b & d);
            k = 0x5a827999;
        } else if (i < 40) {
            f = b ^ cc ^ d;
            k = 0x6ed9eba1;
        } else if (i < 60) {
            f = (b & cc) | (b & d) | (cc & d);
            k = 0x8f1bbcdc;
        } else {
            f = b ^ cc ^ d;
            k = 0xca62c1d6;
        }
        t = ROL32(a, 5) + f + e + k + w[i];
        e = d;
        d = cc;
        cc = ROL32(b, 30);
        b = a;
        a = t;
    }
    c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d; c->h[4] += e;
}

static void sha1_init(sha1_ctx *c)
{
    c->h[0] = 0x67452301; c->h[1] = 0xefcdab89; c->h[2] = 0x98badcfe; c->h[3] = 0x10325476;
    c->h[4] = 0xc3d2e1f0;
    c->len = 0;
    c->fill = 0;
}

static void sha1_update(sha1_ctx *c, const void *data, size_t n)
{
    const unsigned char *p = data;

    c->len += n;
    while (n > 0) {
        size_t take = 64 - c->fill;
        if (take > n)
            take = n;
        memcpy(c->buf + c->fill, p, take);
        c->fill += take;
        p += take;
        n -= take;
        if (c->fill == 64) {
            sha1_block(c, c->buf);
            c->fill = 0;
        }
    }
}

static void sha1_final(sha1_ctx *c, unsigned char out[20])
{
    uint64_t bits = c->len * 8;
    unsigned char pad = 0x80, zero = 0, lenb[8];
    int i;

    sha1_update(c, &pad, 1);
    while (c->fill != 56)
        sha1_update(c, &zero, 1);
    for (i = 0; i < 8; i++)
        lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha1_update(c, lenb, 8);
    for (i = 0; i < 20; i++)
        out[i] = (unsigned char)(c->h[i / 4] >> (24 - 8 * (i % 4)));
}
'''

HASH_CRC32 = r'''
static uint32_t crc32_calc(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint32_t crc = 0xffffffffu;
    int k;

    while (n--) {
        crc ^= *p++;
        for (k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}
'''

HASH_FNV = r'''
static uint32_t fnv1a32(const char *s)
{
    uint32_t h = 0x811c9dc5u;

    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 0x01000193u;
    }
    return h;
}
'''

HASH_CODE = {"md5": HASH_MD5, "sha1": HASH_SHA1, "crc32": HASH_CRC32, "fnv": HASH_FNV}
