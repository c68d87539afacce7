/* Copyright (c) 2022 Talvelxo Networks. SPDX-License-Identifier: GPL-2.0-only */
/* HTTP/1.0 request parsing (one request per connection). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/socket.h>

#include "httpd.h"

static char rxbuf[8192];

static void parse_pairs(struct request *r, char *s)
{
    char *save = NULL, *tok;

    for (tok = strtok_r(s, "&", &save); tok != NULL && r->nparams < MAX_PARAMS;
         tok = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(tok, '=');
        struct kv *p = &r->params[r->nparams];

        if (eq == NULL)
            continue;
        *eq = '\0';
        snprintf(p->name, sizeof(p->name), "%s", tok);
        snprintf(p->value, sizeof(p->value), "%s", eq + 1);
        url_decode(p->name);
        url_decode(p->value);
        r->nparams++;
    }
}

int parse_request(int fd, struct request *r)
{
    char *line, *save = NULL, *q, *body;
    char query[1024];
    ssize_t n;

    memset(r, 0, sizeof(*r));
    r->fd = fd;
    r->uid = -1;
    n = recv(fd, rxbuf, sizeof(rxbuf) - 1, 0);
    if (n <= 0)
        return -1;
    rxbuf[n] = '\0';
    body = strstr(rxbuf, "\r\n\r\n");
    if (body != NULL) {
        *body = '\0';
        body += 4;
        r->body_len = strlen(body);
        if (r->body_len >= sizeof(r->body))
            r->body_len = sizeof(r->body) - 1;
        memcpy(r->body, body, r->body_len);
    }
    line = strtok_r(rxbuf, "\r\n", &save);
    if (line == NULL || sscanf(line, "%7s %255s", r->method, r->path) != 2)
        return -1;
    q = strchr(r->path, '?');
    if (q != NULL) {
        *q++ = '\0';
        snprintf(r->query, sizeof(r->query), "%s", q);
    }
    while ((line = strtok_r(NULL, "\r\n", &save)) != NULL && r->nheaders < MAX_HEADERS) {
        char *colon = strchr(line, ':');
        struct kv *h = &r->headers[r->nheaders];

        if (colon == NULL)
            continue;
        *colon++ = '\0';
        while (*colon == ' ')
            colon++;
        snprintf(h->name, sizeof(h->name), "%s", line);
        snprintf(h->value, sizeof(h->value), "%s", colon);
        r->nheaders++;
    }
    snprintf(query, sizeof(query), "%s", r->query);
    parse_pairs(r, query);
    if (strcmp(r->method, "POST") == 0 && r->body_len > 0) {
        char form[4096];
        snprintf(form, sizeof(form), "%s", r->body);
        parse_pairs(r, form);
    }
    return 0;
}

const char *req_header(const struct request *r, const char *name)
{
    int i;

    for (i = 0; i < r->nheaders; i++) {
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    }
    return NULL;
}

const char *req_param(const struct request *r, const char *name)
{
    int i;

    for (i = 0; i < r->nparams; i++) {
        if (strcmp(r->params[i].name, name) == 0)
            return r->params[i].value;
    }
    return NULL;
}

int req_cookie(const struct request *r, const char *name, char *out, size_t outlen)
{
    const char *c = req_header(r, "Cookie");
    size_t nlen = strlen(name);

    while (c != NULL && *c != '\0') {
        while (*c == ' ' || *c == ';')
            c++;
        if (strncmp(c, name, nlen) == 0 && c[nlen] == '=') {
            size_t i = 0;
            c += nlen + 1;
            while (c[i] != '\0' && c[i] != ';' && i + 1 < outlen) {
                out[i] = c[i];
                i++;
            }
            out[i] = '\0';
            return 1;
        }
        c = strchr(c, ';');
    }
    return 0;
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 202: return "Accepted";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    default:  return "Error";
    }
}

void send_response(int fd, int status, const char *ctype, const char *body)
{
    char head[256];
    int n;

    n = snprintf(head, sizeof(head),
                 "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                 "Cache-Control: no-store\r\nX-Frame-Options: DENY\r\n\r\n",
                 status, reason(status), ctype, strlen(body));
    if (write(fd, head, (size_t)n) < 0 || write(fd, body, strlen(body)) < 0)
        log_msg("short write");
}

void send_redirect(int fd, const char *location)
{
    char head[384];
    int n;

    n = snprintf(head, sizeof(head), "HTTP/1.0 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n",
                 location);
    if (write(fd, head, (size_t)n) < 0)
        log_msg("short write");
}
