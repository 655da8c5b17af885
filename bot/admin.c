/*
 * admin.c - /admin/api/ routes: broadcasts (preview, create, list, status, cancel),
 * the outbox (list, retry), tags for audiences, the not-understood list.
 * Documented with examples in docs/api.md.
 */
#include "admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "channel.h"
#include "conf.h"
#include "courses.h"
#include "desk.h"
#include "dashboard.h"
#include "handler.h"
#include "outbox.h"
#include "report.h"
#include "store.h"
#include "util.h"

#define MAX_BROADCAST_CHARS 1000

void admin_reply(struct http_resp *resp, int status, json_t *o)
{
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    if (s == NULL)
        http_resp_error(resp, 500, "cannot encode the answer");
    else
        http_resp_set(resp, status, "application/json; charset=utf-8", s);
    free(s);
    json_decref(o);
}

/* Split "/a/b/c" into at most n segments (pointers into buf). */
json_t *admin_body(const struct admin_req *rq, struct http_resp *resp)
{
    json_error_t jerr;
    char why[200];
    json_t *b = json_loadb(rq->body, rq->len, JSON_REJECT_DUPLICATES, &jerr);
    if (b == NULL) {
        snprintf(why, sizeof why, "malformed JSON: %s", jerr.text);
        http_resp_error(resp, 400, why);
        return NULL;
    }
    if (!json_is_object(b)) {
        json_decref(b);
        http_resp_error(resp, 400, "body must be a JSON object");
        return NULL;
    }
    return b;
}

static void csv_cell(struct buf *out, const char *v)
{
    if (strpbrk(v, ",\"\r\n") == NULL) {
        buf_puts(out, v);
        return;
    }
    buf_puts(out, "\"");
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            buf_puts(out, "\"");
        buf_append(out, p, 1);
    }
    buf_puts(out, "\"");
}

void admin_reply_csv(struct http_resp *resp, json_t *rows, const char *const *columns)
{
    struct buf out;
    size_t i;
    json_t *row;
    buf_init(&out, 0);
    for (int c = 0; columns[c]; c++) {
        if (c)
            buf_puts(&out, ",");
        csv_cell(&out, columns[c]);
    }
    buf_puts(&out, "\r\n");
    json_array_foreach(rows, i, row)
    {
        for (int c = 0; columns[c]; c++) {
            json_t *v = json_object_get(row, columns[c]);
            char num[32];
            const char *cell = "";
            if (json_is_string(v))
                cell = json_string_value(v);
            else if (json_is_integer(v)) {
                snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
                cell = num;
            } else if (json_is_real(v)) {
                snprintf(num, sizeof num, "%.6f", json_real_value(v));
                cell = num;
            } else if (json_is_true(v))
                cell = "true";
            else if (json_is_false(v))
                cell = "false";
            if (c)
                buf_puts(&out, ",");
            csv_cell(&out, cell);
        }
        buf_puts(&out, "\r\n");
    }
    http_resp_set(resp, 200, "text/csv; charset=utf-8", out.data ? out.data : "");
    buf_release(&out);
    json_decref(rows);
}

/* Each feature's admin routes; see admin_route_fn. */
static const admin_route_fn feature_routes[] = {
    NULL, /* keeps the table non-empty until a feature adds one */
    admin_lessons,
    admin_courses_route,
    admin_desk_route,
    admin_report_routes,
    admin_dashboard_route,
};

static int split_path(char *buf, char **seg, int n)
{
    int k = 0;
    for (char *save = NULL, *p = strtok_r(buf, "/", &save); p && k < n;
         p = strtok_r(NULL, "/", &save))
        seg[k++] = p;
    return k;
}

int admin_parse_id(const char *s, int64_t *id)
{
    long long v;
    if (parse_int(s, 1, INT64_MAX, &v) == -1)
        return -1;
    *id = v;
    return 0;
}

/*
 * "at": Unix milliseconds, or local time in the configured zone as
 * "YYYY-MM-DD HH:MM" / "YYYY-MM-DDTHH:MM[:SS]". -1 when malformed.
 */
int admin_parse_time(json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return *out >= 0 ? 0 : -1;
    }
    const char *s = json_string_value(v);
    if (s == NULL)
        return -1;
    static const char *const fmts[] = {"%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                                       "%Y-%m-%dT%H:%M"};
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        struct tm tm = {0};
        const char *end = strptime(s, fmts[i], &tm);
        if (end != NULL && *end == '\0') {
            tm.tm_isdst = -1;
            time_t t = mktime(&tm); /* TZ is the configured zone */
            if (t == (time_t)-1)
                return -1;
            *out = (int64_t)t * 1000;
            return 0;
        }
    }
    return -1;
}

static int broadcast_create(const struct app *app, struct store *st, int64_t now,
                            const struct admin_req *rq, struct http_resp *resp)
{
    const struct conf *c = app->conf;
    json_error_t jerr;
    json_t *b = json_loadb(rq->body, rq->len, JSON_REJECT_DUPLICATES, &jerr);
    char why[200];
    int rc = 0;
    struct audience_count ac = {0};
    if (!json_is_object(b)) {
        http_resp_error(resp, 400, "body must be a JSON object");
        goto out;
    }
    const char *text = json_string_value(json_object_get(b, "text"));
    json_t *aud = json_object_get(b, "audience"), *at_v = json_object_get(b, "at");
    json_t *spread_v = json_object_get(b, "spread_minutes"), *prev = json_object_get(b, "preview");
    json_t *cap_v = json_object_get(b, "max_parts");
    const char *audience = aud ? json_string_value(aud) : "subscribers";
    int64_t at = now, spread = 0, cap = c->push.max_sms_parts;
    if (text == NULL || text[0] == '\0' || utf8_len(text) > MAX_BROADCAST_CHARS) {
        http_resp_error(resp, 400, "'text' must be a non-empty string of at most 1000 characters");
        goto out;
    }
    if (audience == NULL) {
        http_resp_error(resp, 400, "'audience' must be a string");
        goto out;
    }
    if (at_v != NULL && !json_is_null(at_v) && admin_parse_time(at_v, &at) == -1) {
        http_resp_error(resp, 400, "'at' must be Unix ms or local time 'YYYY-MM-DD HH:MM'");
        goto out;
    }
    if (spread_v != NULL) {
        if (!json_is_integer(spread_v) || json_integer_value(spread_v) < 0 ||
            json_integer_value(spread_v) > 1440) {
            http_resp_error(resp, 400, "'spread_minutes' must be an integer 0..1440");
            goto out;
        }
        spread = json_integer_value(spread_v) * 60000;
    }
    if (cap_v != NULL) {
        if (!json_is_integer(cap_v) || json_integer_value(cap_v) < 1 ||
            json_integer_value(cap_v) > 10) {
            http_resp_error(resp, 400, "'max_parts' must be an integer 1..10");
            goto out;
        }
        cap = json_integer_value(cap_v);
    }
    if (prev != NULL && !json_is_boolean(prev)) {
        http_resp_error(resp, 400, "'preview' must be true or false");
        goto out;
    }
    if (strcmp(audience, "all") != 0 && strcmp(audience, "subscribers") != 0 &&
        !(str_has_prefix(audience, "channel:") && audience[8]) &&
        !(str_has_prefix(audience, "tag:") && audience[4])) {
        http_resp_error(resp, 400,
                        "'audience' must be all, subscribers, channel:<name> or tag:<name>");
        goto out;
    }
    int units = 0;
    bool ucs2 = false;
    int parts = sms_parts(text, &units, &ucs2);
    if (store_audience_count(st, audience, &ac) == -1) {
        rc = -1;
        goto out;
    }
    int64_t sms = 0, unreachable = 0;
    const char *name;
    json_t *v, *cannot = json_object();
    json_object_foreach(ac.by_channel, name, v)
    {
        const struct channel *ch = channel_by_name(name);
        char no[200];
        if (ch && ch->is_sms)
            sms += json_integer_value(v);
        /* rows this configuration cannot push fail at once (sender.c): say so */
        if (ch == NULL || ch->push_build == NULL ||
            (ch->push_ready != NULL && !ch->push_ready(c, no, sizeof no))) {
            unreachable += json_integer_value(v);
            json_object_set(cannot, name, v);
        }
    }
    int64_t first_at = push_allowed_at(c, OUT_BULK, at > now ? at : now);
    if (json_is_true(prev)) {
        /* unreachable: in recipients, but no way to push to them (a passive-only
         * WeChat account): their rows would fail at once */
        admin_reply(resp, 200,
                   json_pack("{s:I,s:I,s:O,s:i,s:i,s:s,s:I,s:I,s:I,s:b,s:I,s:O}", "recipients",
                             (json_int_t)ac.recipients, "opted_out", (json_int_t)ac.opted_out,
                             "by_channel", ac.by_channel, "sms_parts", parts, "sms_units", units,
                             "encoding", ucs2 ? "UCS-2" : "GSM-7", "sms_recipients",
                             (json_int_t)sms, "sms_total", (json_int_t)(sms * parts), "first_at",
                             (json_int_t)first_at, "within_cap", parts <= cap, "unreachable",
                             (json_int_t)unreachable, "unreachable_by_channel", cannot));
        json_decref(cannot);
        goto out;
    }
    json_decref(cannot);
    if (parts > cap) {
        snprintf(why, sizeof why, "the text needs %d SMS parts; this broadcast allows %lld", parts,
                 (long long)cap);
        http_resp_error(resp, 400, why);
        goto out;
    }
    int64_t id = 0, n = 0;
    const char *status = first_at > (at > now ? at : now) ? "held" : "queued";
    if (store_broadcast_create(st, text, audience, at, first_at, status, spread, parts, now, &id,
                               &n) == -1) {
        rc = -1;
        goto out;
    }
    char url[64];
    snprintf(url, sizeof url, "/admin/api/broadcasts/%lld", (long long)id);
    admin_reply(resp, 202,
               json_pack("{s:I,s:I,s:i,s:I,s:I,s:s,s:I}", "id", (json_int_t)id, "recipients",
                         (json_int_t)n, "sms_parts", parts, "sms_total", (json_int_t)(sms * parts),
                         "first_at", (json_int_t)first_at, "status_url", url, "unreachable",
                         (json_int_t)unreachable));
out:
    json_decref(ac.by_channel);
    json_decref(b);
    return rc;
}

static int broadcast_get(struct store *st, int64_t id, struct http_resp *resp)
{
    json_t *o = store_broadcast_get(st, id);
    if (o == NULL) {
        http_resp_error(resp, 404, "no such broadcast");
        return 0;
    }
    admin_reply(resp, 200, o);
    return 0;
}

/* GET /broadcasts?limit= (default 20): the newest first, with their counts. */
static int broadcast_list(struct store *st, const struct admin_req *rq, struct http_resp *resp)
{
    json_t *a = store_broadcast_list(st, admin_query_limit(rq, 20));
    if (a == NULL)
        return -1;
    admin_reply(resp, 200, json_pack("{s:o}", "items", a));
    return 0;
}

static int broadcast_cancel(struct store *st, int64_t id, int64_t now, struct http_resp *resp)
{
    int found = 0;
    int n = store_broadcast_cancel(st, id, now, &found);
    if (n == -1)
        return -1;
    if (!found) {
        http_resp_error(resp, 404, "no such broadcast");
        return 0;
    }
    admin_reply(resp, 200, json_pack("{s:I,s:i}", "id", (json_int_t)id, "cancelled", n));
    return 0;
}

int admin_query_limit(const struct admin_req *rq, int def)
{
    long long v;
    const char *s = json_string_value(json_object_get(rq->query, "limit"));
    if (s == NULL || parse_int(s, 1, 1000, &v) == -1)
        return def;
    return (int)v;
}

static int outbox_list(struct store *st, const struct admin_req *rq, struct http_resp *resp)
{
    static const char *const ok[] = {"queued", "held",      "sending", "sent", "failed",
                                     "dead",   "cancelled", "merged",  NULL};
    const char *status = json_string_value(json_object_get(rq->query, "status"));
    if (status != NULL) {
        bool known = false;
        for (int i = 0; ok[i]; i++)
            known |= strcmp(ok[i], status) == 0;
        if (!known) {
            http_resp_error(resp, 400, "unknown status");
            return 0;
        }
    }
    json_t *a = store_outbox_list(st, status, admin_query_limit(rq, 100));
    if (a == NULL)
        return -1;
    admin_reply(resp, 200, json_pack("{s:o}", "items", a));
    return 0;
}

static int outbox_retry(struct store *st, int64_t id, int64_t now, struct http_resp *resp)
{
    int rc = store_outbox_retry(st, id, now);
    if (rc == -1)
        return -1;
    if (rc == 0) {
        http_resp_error(resp, 404, "no failed or dead push with that id");
        return 0;
    }
    admin_reply(resp, 200, json_pack("{s:I,s:s}", "id", (json_int_t)id, "status", "queued"));
    return 0;
}

/* A time field of a request: absent or null keeps *out; else Unix ms or
 * local time. -1 when malformed. */
static int time_field(json_t *b, const char *key, int64_t *out)
{
    json_t *v = json_object_get(b, key);
    return v == NULL || json_is_null(v) ? 0 : admin_parse_time(v, out);
}

/* POST /outbox/retry {"channel"?, "from"?, "to"?}: every dead push of that
 * channel (default any) that died in [from, to) (default: ever) goes back
 * in the queue; the answer says how many. */
static int outbox_retry_dead(struct store *st, int64_t now, const struct admin_req *rq,
                             struct http_resp *resp)
{
    json_t *b = json_loadb(rq->body, rq->len, JSON_REJECT_DUPLICATES, NULL);
    json_t *chv = json_object_get(b, "channel");
    const char *channel = json_string_value(chv);
    int64_t from = 0, to = now + 1;
    int rc = 0;
    if (!json_is_object(b))
        http_resp_error(resp, 400, "body must be a JSON object");
    else if (chv != NULL && !json_is_null(chv) &&
             (channel == NULL || channel_by_name(channel) == NULL))
        http_resp_error(resp, 400, "'channel' must be a channel's name");
    else if (time_field(b, "from", &from) == -1 || time_field(b, "to", &to) == -1)
        http_resp_error(resp, 400, "'from' and 'to' must be Unix ms or local time 'YYYY-MM-DD HH:MM'");
    else if (from >= to)
        http_resp_error(resp, 400, "'from' must be before 'to'");
    else {
        int n = store_outbox_retry_dead(st, channel, from, to, now);
        if (n == -1)
            rc = -1;
        else
            admin_reply(resp, 200, json_pack("{s:i,s:s?,s:I,s:I}", "requeued", n, "channel",
                                             channel, "from", (json_int_t)from, "to",
                                             (json_int_t)to));
    }
    json_decref(b);
    return rc;
}

/* GET /outbox/undelivered: dead and failed pushes grouped by why. */
static int outbox_undelivered(struct store *st, const struct admin_req *rq, struct http_resp *resp)
{
    json_t *a = store_outbox_undelivered(st, admin_query_limit(rq, 50));
    if (a == NULL)
        return -1;
    admin_reply(resp, 200, json_pack("{s:o}", "items", a));
    return 0;
}

static int tag_add(struct store *st, const struct admin_req *rq, struct http_resp *resp)
{
    json_t *b = json_loadb(rq->body, rq->len, 0, NULL);
    const char *person = json_string_value(json_object_get(b, "person"));
    const char *tag = json_string_value(json_object_get(b, "tag"));
    int rc = 0;
    int64_t id;
    const char *colon = person ? strchr(person, ':') : NULL;
    if (colon == NULL || tag == NULL || tag[0] == '\0' || strlen(tag) > 64) {
        http_resp_error(resp, 400, "want {\"person\": \"<channel>:<id>\", \"tag\": \"<name>\"}");
        goto out;
    }
    char *channel = xstrndup(person, (size_t)(colon - person));
    int found = store_person_find(st, channel, colon + 1, &id);
    free(channel);
    if (found == -1 || (found == 1 && store_tag_add(st, id, tag) == -1)) {
        rc = -1;
        goto out;
    }
    if (found == 0)
        http_resp_error(resp, 404, "no such person");
    else
        admin_reply(resp, 200, json_pack("{s:s,s:s}", "person", person, "tag", tag));
out:
    json_decref(b);
    return rc;
}

struct unknown_ctx {
    json_t *a;
};

static void unknown_row(const char *text, int64_t count, int64_t last_ms, void *ctx)
{
    struct unknown_ctx *u = ctx;
    json_array_append_new(u->a, json_pack("{s:s,s:I,s:I}", "text", text, "count",
                                          (json_int_t)count, "last_ms", (json_int_t)last_ms));
}

static int unknown_list(const struct app *app, struct store *st, const struct admin_req *rq,
                        struct http_resp *resp)
{
    struct unknown_ctx u = {json_array()};
    const char *suggest = json_string_value(json_object_get(rq->query, "suggest"));
    if (store_unknown_top(st, admin_query_limit(rq, 50), unknown_row, &u) == -1) {
        json_decref(u.a);
        return -1;
    }
    if (suggest != NULL && strcmp(suggest, "1") == 0)
        dashboard_unknown_suggest(app, u.a);
    admin_reply(resp, 200, json_pack("{s:o}", "items", u.a));
    return 0;
}

int admin_handle(const struct app *app, struct store *st, int64_t now, const struct admin_req *rq,
                 struct http_resp *resp)
{
    char buf[256];
    char *seg[8];
    int64_t id = 0;
    snprintf(buf, sizeof buf, "%s", rq->path);
    int n = split_path(buf, seg, 8);
    bool get = strcmp(rq->method, "GET") == 0, post = strcmp(rq->method, "POST") == 0;
    const char *allow = NULL;
    if (n == 1 && strcmp(seg[0], "broadcasts") == 0) {
        if (post)
            return broadcast_create(app, st, now, rq, resp);
        if (get)
            return broadcast_list(st, rq, resp);
        allow = "GET, POST";
    } else if (n >= 2 && strcmp(seg[0], "broadcasts") == 0 && admin_parse_id(seg[1], &id) == 0) {
        if (n == 2 && get)
            return broadcast_get(st, id, resp);
        if (n == 3 && strcmp(seg[2], "cancel") == 0 && post)
            return broadcast_cancel(st, id, now, resp);
        allow = n == 2 ? "GET" : n == 3 && strcmp(seg[2], "cancel") == 0 ? "POST" : NULL;
    } else if (n == 1 && strcmp(seg[0], "outbox") == 0) {
        if (get)
            return outbox_list(st, rq, resp);
        allow = "GET";
    } else if (n == 2 && strcmp(seg[0], "outbox") == 0 && strcmp(seg[1], "retry") == 0) {
        if (post)
            return outbox_retry_dead(st, now, rq, resp);
        allow = "POST";
    } else if (n == 2 && strcmp(seg[0], "outbox") == 0 && strcmp(seg[1], "undelivered") == 0) {
        if (get)
            return outbox_undelivered(st, rq, resp);
        allow = "GET";
    } else if (n == 3 && strcmp(seg[0], "outbox") == 0 && admin_parse_id(seg[1], &id) == 0 &&
               strcmp(seg[2], "retry") == 0) {
        if (post)
            return outbox_retry(st, id, now, resp);
        allow = "POST";
    } else if (n == 1 && strcmp(seg[0], "tags") == 0) {
        if (post)
            return tag_add(st, rq, resp);
        allow = "POST";
    } else if (n == 1 && strcmp(seg[0], "unknown") == 0) {
        if (get)
            return unknown_list(app, st, rq, resp);
        allow = "GET";
    }
    if (allow == NULL) {
        for (size_t i = 0; i < sizeof feature_routes / sizeof feature_routes[0]; i++) {
            if (feature_routes[i] == NULL)
                continue;
            int rc = feature_routes[i](app, st, now, rq, seg, n, resp);
            if (rc != 0)
                return rc == -1 ? -1 : 0;
        }
    }
    if (allow != NULL) {
        snprintf(buf, sizeof buf, "method not allowed: use %s", allow);
        http_resp_error(resp, 405, buf);
    } else {
        http_resp_error(resp, 404, "no such admin route");
    }
    return 0;
}
