/* Copyright (c) 2022 Talvelxo Networks. SPDX-License-Identifier: GPL-2.0-only */
/* Unit test of the login path: a throw-away passwd file with a dummy account. */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <crypt.h>

#include "httpd.h"
#include "config.h"

#define TEST_USER "testuser"
#define TEST_PASS "test123"

static void make_request(struct request *r, const char *user, const char *pass)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->params[0].name, sizeof(r->params[0].name), "username");
    snprintf(r->params[0].value, sizeof(r->params[0].value), "%s", user);
    snprintf(r->params[1].name, sizeof(r->params[1].name), "password");
    snprintf(r->params[1].value, sizeof(r->params[1].value), "%s", pass);
    r->nparams = 2;
}

int main(void)
{
    struct request r;
    char sid[64];
    FILE *fp = fopen("test-passwd", "w");

    assert(fp != NULL);
    fprintf(fp, "%s:%s:1000\n", TEST_USER, crypt(TEST_PASS, "$6$testsalt$"));
    fclose(fp);
    snprintf(g_cfg.passwd_file, sizeof(g_cfg.passwd_file), "test-passwd");

    make_request(&r, TEST_USER, TEST_PASS);
    assert(auth_login(&r, sid, sizeof(sid)) == 1);
    make_request(&r, TEST_USER, "wrong");
    assert(auth_login(&r, sid, sizeof(sid)) == 0);
    make_request(&r, "nobody", TEST_PASS);
    assert(auth_login(&r, sid, sizeof(sid)) == 0);
    puts("test_auth: ok");
    return 0;
}
