/*
 * admin.h - the JSON admin API under /admin/api/. http.c checks the bearer
 * token and hands the request over; admin_handle() runs on the writer thread
 * inside the batch transaction, like a webhook turn.
 */
#ifndef BOT_ADMIN_H
#define BOT_ADMIN_H
#include <jansson.h>
#include <stdint.h>

struct app;
struct store;
struct http_resp;

struct admin_req {
    const char *method;
    const char *path; /* after "/admin/api", e.g. "/broadcasts/3" */
    json_t *query;    /* object of query arguments (borrowed) */
    const char *body; /* raw body, NUL-terminated */
    size_t len;
};

/* Answer one admin request into resp (any status). 0, or -1 when the store
 * failed (the caller rolls back and answers 500). */
int admin_handle(const struct app *app, struct store *st, int64_t now, const struct admin_req *rq,
                 struct http_resp *resp);

#endif
