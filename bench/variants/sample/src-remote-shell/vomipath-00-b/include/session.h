/* Copyright (c) 2022 Talvelxo Networks. SPDX-License-Identifier: GPL-2.0-only */
#ifndef VOMIPATH_SESSION_H
#define VOMIPATH_SESSION_H

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

#endif
