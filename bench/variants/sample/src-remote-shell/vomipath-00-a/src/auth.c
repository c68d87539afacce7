/* Copyright (c) 2022 Talvelxo Networks. SPDX-License-Identifier: GPL-2.0-only */
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

static struct session sessions[MAX_SESSIONS];

static const char *public_prefixes[] = {
    "/login.html", "/css/", "/js/", "/img/", "/favicon.ico", "/api/login", NULL
};

int is_public_path(const char *path)
{
    int i;

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
