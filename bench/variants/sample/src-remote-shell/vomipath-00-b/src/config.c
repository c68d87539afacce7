/* Copyright (c) 2022 Talvelxo Networks. SPDX-License-Identifier: GPL-2.0-only */
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
    cfg->port = 80;
    snprintf(cfg->bind_addr, sizeof(cfg->bind_addr), "0.0.0.0");
    snprintf(cfg->doc_root, sizeof(cfg->doc_root), "/www");
    snprintf(cfg->passwd_file, sizeof(cfg->passwd_file), "/etc/vomipath/passwd");
    cfg->session_timeout = 1800;
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
