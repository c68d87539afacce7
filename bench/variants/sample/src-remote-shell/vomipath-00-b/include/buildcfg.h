/* Copyright (c) 2022 Talvelxo Networks. SPDX-License-Identifier: GPL-2.0-only */
#ifndef VOMIPATH_BUILDCFG_H
#define VOMIPATH_BUILDCFG_H

/* Build-time options of webd. */
#define VOMIPATH_VERSION      "0.5.0"
#define MAX_SESSIONS     32
#define SESSION_TIMEOUT  1800
#define SESSION_COOKIE   "sid"
#define FEATURE_UPNP     0
#define FEATURE_TR069    0
#define WATCHDOG_DEV     "/dev/watchdog"
#define MANIFEST_TMP     "/tmp/vomipath-manifest.txt"

#endif
