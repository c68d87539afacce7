/* Copyright (c) 2022 Talvelxo Networks. SPDX-License-Identifier: GPL-2.0-only */
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
