/* Copyright (c) 2022 Talvelxo Networks. SPDX-License-Identifier: GPL-2.0-only */
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

enum { AUTH_NONE = 0, AUTH_USER = 1, AUTH_ADMIN = 2 };

struct route {
    const char *method;
    const char *path;
    int (*fn)(struct request *r);
    int auth;
};

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
             VOMIPATH_VERSION, (long)si.uptime, r->user);
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
    snprintf(body, sizeof(body), "{\"current\":\"%s\",\"latest\":\"%s\"}", VOMIPATH_VERSION, version);
    send_response(r->fd, 200, "application/json", body);
    return 0;
}

static const struct route routes[] = {
    { "GET",  "/api/status",    h_status,   AUTH_USER  },
    { "POST", "/api/login",     h_login,    AUTH_NONE  },
    { "POST", "/api/logout",    h_logout,   AUTH_USER  },
    { "POST", "/api/diag/ping", h_ping,     AUTH_ADMIN },
    { "POST", "/api/reboot",    h_reboot,   AUTH_ADMIN },
    { "GET",  "/api/firmware",  h_firmware, AUTH_ADMIN },
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
