/* Copyright (c) 2022 Talvelxo Networks. SPDX-License-Identifier: GPL-2.0-only */
#ifndef VOMIPATH_CONFIG_H
#define VOMIPATH_CONFIG_H

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
