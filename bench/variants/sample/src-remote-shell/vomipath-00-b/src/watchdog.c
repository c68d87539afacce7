/* Copyright (c) 2022 Talvelxo Networks. SPDX-License-Identifier: GPL-2.0-only */
/* Hardware watchdog keep-alive thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <pthread.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "httpd.h"
#include "config.h"
#include "buildcfg.h"

#define WD_INTERVAL 10

static void *watchdog_thread(void *arg)
{
    int fd;

    (void)arg;
    fd = open(WATCHDOG_DEV, O_WRONLY);
    if (fd < 0)
        log_msg("no hardware watchdog (%s)", WATCHDOG_DEV);
    for (;;) {
        if (fd >= 0 && write(fd, "k", 1) != 1)
            log_msg("watchdog write failed");
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
