/*
 * channel.h - the adapter interface. Each platform is one chan_<x>.c that
 * exports a const struct channel and a row in channel.c's table. Adapters never
 * see libmicrohttpd: they get a plain struct http_req, so fixtures can test them.
 */
#ifndef BOT_CHANNEL_H
#define BOT_CHANNEL_H
#include <jansson.h>
#include <stddef.h>

#include "msg.h"

struct conf;

struct http_req {
    const char *method, *path; /* path without the query string */
    const char *body;          /* NUL-terminated; len bytes */
    size_t len;
    const char *remote_ip;
    /* Look up a request header (case-insensitive) or a query argument; NULL when absent. */
    const char *(*header)(void *ctx, const char *name);
    const char *(*arg)(void *ctx, const char *name);
    void *ctx;
};

struct http_resp {
    int status;
    char *body; /* owned */
    size_t len;
    const char *content_type; /* static */
};

/* Set resp to status with body text (copied) and content type. */
void http_resp_set(struct http_resp *r, int status, const char *type, const char *body);
/* Set resp to status with {"error": why}. */
void http_resp_error(struct http_resp *r, int status, const char *why);
void http_resp_release(struct http_resp *r);

struct channel {
    const char *name;    /* "generic"; prefixes person ids and dedupe keys */
    const char *route;   /* "/webhook/generic"; NULL for the terminal */
    const char *methods; /* allowed methods, e.g. "POST" or "GET, POST" */
    /*
     * Check authenticity, then parse. Returns 0 with msg filled (the caller
     * releases it), or an HTTP status with resp filled: an error (4xx, nothing
     * stored) or a direct answer that needs no turn (a URL check, 200).
     */
    int (*parse)(const struct conf *c, const struct http_req *req, struct inmsg *msg,
                 struct http_resp *resp);
    /* Turn replies (a JSON array of {"text"}) into the in-band HTTP answer. */
    void (*render)(const struct conf *c, const struct inmsg *msg, const json_t *replies,
                   struct http_resp *resp);
    /* Longest reply in characters before it is cut with 更多; 0 for no limit. */
    size_t (*max_reply)(const struct conf *c);
};

/* The adapter serving this route, or NULL. */
const struct channel *channel_by_route(const char *path);
/* The adapter with this name, or NULL. */
const struct channel *channel_by_name(const char *name);

extern const struct channel chan_generic;
extern const struct channel chan_console;

#endif
