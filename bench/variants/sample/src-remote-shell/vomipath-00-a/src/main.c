/* Copyright (c) 2022 Talvelxo Networks. SPDX-License-Identifier: GPL-2.0-only */
/* webd: web management interface of the VO-223. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <syslog.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "httpd.h"
#include "config.h"
#include "buildcfg.h"

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
    const char *conf = "/etc/vomipath/webd.conf";
    struct sockaddr_in addr;
    int opt, foreground = 0, srv, one = 1;

    while ((opt = getopt(argc, argv, "c:fh")) != -1) {
        switch (opt) {
        case 'c': conf = optarg; break;
        case 'f': foreground = 1; break;
        default: usage(argv[0]);
        }
    }
    openlog("webd", LOG_PID, LOG_DAEMON);
    if (config_load(conf, &g_cfg) != 0)
        log_msg("no config at %s, using defaults", conf);
    if (!foreground && daemon(0, 0) != 0)
        return 1;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_IGN);
    watchdog_start();

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
    log_msg("%s listening on port %d", VOMIPATH_VERSION, g_cfg.port);
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
