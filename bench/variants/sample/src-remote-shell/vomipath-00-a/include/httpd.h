/* Copyright (c) 2022 Talvelxo Networks. SPDX-License-Identifier: GPL-2.0-only */
#ifndef VOMIPATH_HTTPD_H
#define VOMIPATH_HTTPD_H

#include <stddef.h>
#include <stdint.h>

#define MAX_HEADERS 32
#define MAX_PARAMS  32

struct kv {
    char name[64];
    char value[512];
};

struct request {
    int fd;
    char method[8];
    char path[256];
    char query[1024];
    struct kv headers[MAX_HEADERS];
    int nheaders;
    struct kv params[MAX_PARAMS];
    int nparams;
    char body[4096];
    size_t body_len;
    int authenticated;
    int uid;
    char user[64];
    char peer[64];
};

/* request.c */
int parse_request(int fd, struct request *r);
const char *req_header(const struct request *r, const char *name);
const char *req_param(const struct request *r, const char *name);
int req_cookie(const struct request *r, const char *name, char *out, size_t outlen);
void send_response(int fd, int status, const char *ctype, const char *body);
void send_redirect(int fd, const char *location);

/* auth.c */
int auth_check(struct request *r);
int auth_login(struct request *r, char *sid, size_t sidlen);
void auth_logout(struct request *r);
int is_public_path(const char *path);

/* handlers.c */
int dispatch(struct request *r);

/* update.c */
int update_check(char *version, size_t len);

/* watchdog.c */
int watchdog_start(void);

/* util.c */
void sha256_hex(const char *in, char out[65]);
int b64_decode(const char *in, unsigned char *out, size_t outlen);
void url_decode(char *s);
void log_msg(const char *fmt, ...);

#endif
