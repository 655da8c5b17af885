/*
 * admin.c - /admin/api/ routes: broadcasts (preview, create, list, status, cancel),
 * the outbox (list, retry), tags for audiences, the not-understood list.
 * Documented with examples in docs/api.md.
 */
#include "admin.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "channel.h"
#include "conf.h"
#include "content.h"
#include "courses.h"
#include "csv.h"
#include "desk.h"
#include "dashboard.h"
#include "feature.h"
#include "handler.h"
#include "live.h"
#include "outbox.h"
#include "people.h"
#include "privacy.h"
#include "monthly.h"
#include "report.h"
#include "staff.h"
#include "routing.h"
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

void admin_reply_csv(struct http_resp *resp, json_t *rows, const char *const *columns)
{
    struct buf out;
    buf_init(&out, 0);
    csv_rows(&out, rows, columns);
    http_resp_set(resp, 200, "text/csv; charset=utf-8", out.data ? out.data : "");
    buf_release(&out);
    json_decref(rows);
}

#define R_SUPER 1u
#define R_UNION 2u
#define R_DESK 4u
#define R_COUNSEL 8u
#define R_REPORTS 16u /* a report handler: its area's reports only (admin_report.c) */
#define R_VIEWER 32u  /* leadership: GET routes without personal contact details */
#define R_ALL (R_SUPER | R_UNION | R_DESK | R_COUNSEL | R_REPORTS | R_VIEWER)
#define R_COURSES (R_SUPER | R_UNION | R_DESK) /* offices running courses and budgets */
#define R_STAFF (R_ALL)                        /* own password: any staff account */

const struct admin_role admin_roles[] = {
    {ADMIN_ROLE_SUPER, "admin.token", offsetof(struct conf, admin.token), R_SUPER},
    {ADMIN_ROLE_UNION, "admin.union_token", offsetof(struct conf, admin.union_token), R_UNION},
    {ADMIN_ROLE_DESK, "admin.desk_token", offsetof(struct conf, admin.desk_token), R_DESK},
    {ADMIN_ROLE_COUNSEL, "admin.counsel_token", offsetof(struct conf, admin.counsel_token),
     R_COUNSEL},
    {ADMIN_ROLE_REPORTS, NULL, 0, R_REPORTS},
    {ADMIN_ROLE_VIEWER, NULL, 0, R_VIEWER},
};
const int admin_nroles = (int)(sizeof admin_roles / sizeof admin_roles[0]);

/* A_READ: a GET that shows personal data or counselling texts is itself an
 * audited action (every other method always is). */
#define A_READ 1u

/*
 * The role x route table: who may call what. A route missing here is 404 for
 * everyone, whatever the feature files dispatch; "*" is one path segment.
 * Row-level rules stay with the feature: courses and budgets per office
 * (dashboard.h), counselling and crisis tickets (admin_role_sensitive), a
 * report handler's area (admin_report.c).
 */
static const struct {
    const char *method, *path;
    unsigned roles, audit;
} acl[] = {
    {"GET", "/stats", R_ALL, 0},
    {"GET", "/budget", R_COURSES, 0},
    {"GET", "/broadcasts", R_SUPER | R_VIEWER, 0},
    {"POST", "/broadcasts", R_SUPER, 0},
    {"GET", "/broadcasts/*", R_SUPER | R_VIEWER, 0},
    {"POST", "/broadcasts/*/cancel", R_SUPER, 0},
    {"POST", "/broadcasts/test", R_SUPER, 0},
    {"GET", "/outbox", R_SUPER, A_READ},
    {"POST", "/outbox/*/retry", R_SUPER, 0},
    {"POST", "/outbox/retry", R_SUPER, 0},
    {"GET", "/outbox/undelivered", R_SUPER, 0},
    {"POST", "/tags", R_SUPER, 0},
    {"GET", "/unknown", R_SUPER, 0},
    {"POST", "/unknown/teach", R_SUPER, 0},
    {"GET", "/lessons", R_COURSES | R_VIEWER, 0},
    {"POST", "/lessons/*/broadcast", R_SUPER, 0},
    {"POST", "/points", R_COURSES, 0},
    {"GET", "/points/*", R_COURSES, A_READ},
    {"GET", "/courses", R_COURSES, 0},
    {"POST", "/courses", R_COURSES, 0},
    {"GET", "/courses/*", R_COURSES, 0},
    {"GET", "/courses/*/bookings", R_COURSES, A_READ},
    {"POST", "/courses/*/attendance", R_COURSES, 0},
    {"POST", "/courses/*/cancel", R_COURSES, 0},
    {"GET", "/activities", R_SUPER | R_UNION | R_VIEWER, 0},
    {"POST", "/activities", R_SUPER | R_UNION, 0},
    {"GET", "/items", R_SUPER | R_UNION | R_VIEWER, 0},
    {"POST", "/items", R_SUPER, 0},
    {"POST", "/items/*", R_SUPER, 0},
    {"GET", "/redemptions", R_SUPER | R_UNION, A_READ},
    {"GET", "/volunteers", R_SUPER | R_DESK | R_COUNSEL, A_READ},
    {"POST", "/volunteers", R_SUPER, 0},
    {"GET", "/mentoring", R_SUPER | R_DESK, A_READ},
    {"POST", "/mentoring", R_SUPER, 0},
    {"GET", "/tickets", R_SUPER | R_DESK | R_COUNSEL, A_READ},
    {"GET", "/tickets/*", R_SUPER | R_DESK | R_COUNSEL, A_READ},
    {"GET", "/members", R_SUPER | R_UNION, A_READ},
    {"POST", "/members", R_SUPER | R_UNION, 0},
    {"GET", "/reports", R_SUPER | R_REPORTS, A_READ},
    {"GET", "/reports/*", R_SUPER | R_REPORTS, A_READ},
    {"POST", "/reports/*/status", R_SUPER | R_REPORTS, 0},
    {"POST", "/reports/*/merge", R_SUPER | R_REPORTS, 0},
    {"POST", "/reports/*/area", R_SUPER, 0},
    {"GET", "/media/*", R_SUPER | R_REPORTS, A_READ},
    {"GET", "/staff", R_SUPER, 0},
    {"POST", "/staff", R_SUPER, 0},
    {"POST", "/staff/*", R_SUPER, 0},
    {"POST", "/password", R_STAFF, 0},
    {"GET", "/audit", R_SUPER, 0},
    {"POST", "/reports/*/category", R_SUPER | R_REPORTS, 0},
    {"POST", "/reports/*/district", R_SUPER | R_REPORTS, 0},
    {"GET", "/report-categories", R_SUPER, 0},
    {"POST", "/report-categories", R_SUPER, 0},
    {"POST", "/report-categories/*", R_SUPER, 0},
    {"GET", "/districts", R_SUPER, 0},
    {"GET", "/bodies", R_SUPER, 0},
    {"POST", "/bodies", R_SUPER, 0},
    {"POST", "/bodies/*", R_SUPER, 0},
    {"GET", "/observers", R_SUPER | R_UNION, A_READ},
    {"POST", "/people/*/observer", R_SUPER | R_UNION, 0},
    {"GET", "/monthly", R_SUPER | R_UNION | R_VIEWER, 0},
    {"POST", "/redemptions/*/picked", R_SUPER | R_UNION, 0},
    {"GET", "/people/*/export", R_SUPER, A_READ},
    {"POST", "/people/*/erase", R_SUPER, 0},
    /* the directory: S, U, D, C (contacts only for S and U, admin_people.c) */
    {"GET", "/people", R_SUPER | R_UNION | R_DESK | R_COUNSEL, A_READ},
    {"GET", "/people.csv", R_SUPER | R_UNION, A_READ},
    {"GET", "/people/*", R_SUPER | R_UNION | R_DESK | R_COUNSEL, A_READ},
    {"POST", "/people/*", R_SUPER | R_UNION, 0},
    {"GET", "/filters", R_SUPER | R_UNION, 0},
    {"POST", "/filters", R_SUPER | R_UNION, 0},
    {"POST", "/import", R_SUPER | R_UNION, 0},
    {"GET", "/schedules", R_SUPER, 0},
    {"POST", "/schedules", R_SUPER, 0},
    {"POST", "/schedules/*/cancel", R_SUPER, 0},
    /* content edited live (admin_content.c, live.h): the super admin only */
    {"GET", "/content/files", R_SUPER, 0},
    {"GET", "/content/files/*", R_SUPER, 0},
    {"POST", "/content/files/*", R_SUPER, 0},
    {"GET", "/content/files/*/history", R_SUPER, 0},
    {"POST", "/content/files/*/revert", R_SUPER, 0},
};

const struct admin_role *admin_role_find(const char *name)
{
    for (int i = 0; name != NULL && i < admin_nroles; i++)
        if (strcmp(admin_roles[i].name, name) == 0)
            return &admin_roles[i];
    return NULL;
}

bool admin_role_sensitive(const char *role)
{
    const struct admin_role *r = admin_role_find(role);
    return r != NULL && (r->bit & (R_SUPER | R_COUNSEL)) != 0;
}

void admin_actor(const struct admin_req *rq, char *out, size_t size)
{
    const struct admin_role *r = admin_role_find(rq->role);
    if (rq->user != NULL)
        snprintf(out, size, "staff:%s", rq->user);
    else if (r != NULL && r->key != NULL) /* a machine client, named by its token's key */
        snprintf(out, size, "client:%s", r->key);
    else
        snprintf(out, size, "admin:%s", rq->role ? rq->role : "unknown");
}

/* Does path match pattern, segment by segment ("*" is any one segment)?
 * When obj is not NULL the segments standing for "*" go into it (size
 * bytes), joined by "/": the object an audited action acted on. */
static bool path_matches(const char *pattern, const char *path, char *obj, size_t size)
{
    size_t used = 0;
    if (obj != NULL && size > 0)
        obj[0] = '\0';
    for (;;) {
        while (*pattern == '/')
            pattern++;
        while (*path == '/')
            path++;
        if (*pattern == '\0' || *path == '\0')
            return *pattern == '\0' && *path == '\0';
        size_t pl = strcspn(pattern, "/"), sl = strcspn(path, "/");
        bool star = pl == 1 && pattern[0] == '*';
        if (!star && (pl != sl || strncmp(pattern, path, pl) != 0))
            return false;
        if (star && obj != NULL && used < size) {
            int w = snprintf(obj + used, size - used, "%s%.*s", used ? "/" : "", (int)sl, path);
            used += w > 0 ? (size_t)w : 0;
        }
        pattern += pl;
        path += sl;
    }
}

/* The row of method path in acl[] (its "*" segments into obj), or -1. */
static int acl_row(const char *method, const char *path, char *obj, size_t size)
{
    for (size_t i = 0; i < sizeof acl / sizeof acl[0]; i++)
        if (strcmp(acl[i].method, method) == 0 && path_matches(acl[i].path, path, obj, size))
            return (int)i;
    return -1;
}

enum admin_acl admin_acl_check(const char *method, const char *path, const char *role,
                               char *allow, size_t n)
{
    const struct admin_role *r = admin_role_find(role);
    bool known = false;
    if (n > 0)
        allow[0] = '\0';
    for (size_t i = 0; i < sizeof acl / sizeof acl[0]; i++) {
        if (!path_matches(acl[i].path, path, NULL, 0))
            continue;
        if (strcmp(acl[i].method, method) == 0)
            return r != NULL && (acl[i].roles & r->bit) ? ACL_OK : ACL_FORBIDDEN;
        size_t used = strlen(allow);
        snprintf(allow + used, n - used, "%s%s", known ? ", " : "", acl[i].method);
        known = true;
    }
    return known ? ACL_NO_METHOD : ACL_NO_ROUTE;
}

json_t *admin_acl_routes(const char *role)
{
    const struct admin_role *r = admin_role_find(role);
    json_t *a = json_array();
    for (size_t i = 0; r != NULL && i < sizeof acl / sizeof acl[0]; i++)
        if (acl[i].roles & r->bit)
            json_array_append_new(a, json_sprintf("%s %s", acl[i].method, acl[i].path));
    return a;
}

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

/* Field checks both broadcast routes share; NULL when fine, else the 400 reason. */
static const char *plan_fields(json_t *b, int64_t now, struct bc_plan *p)
{
    json_t *aud = json_object_get(b, "audience"), *at_v = json_object_get(b, "at");
    json_t *spread_v = json_object_get(b, "spread_minutes"), *prev = json_object_get(b, "preview");
    json_t *cap_v = json_object_get(b, "max_parts");
    p->audience = aud ? json_string_value(aud) : "subscribers";
    if (p->audience == NULL || (strcmp(p->audience, "all") != 0 &&
                                strcmp(p->audience, "subscribers") != 0 &&
                                !(str_has_prefix(p->audience, "channel:") && p->audience[8]) &&
                                !(str_has_prefix(p->audience, "tag:") && p->audience[4]) &&
                                !(str_has_prefix(p->audience, "filter:") && p->audience[7])))
        return "'audience' must be all, subscribers, channel:<name>, tag:<name> or"
               " filter:<saved filter>";
    p->at = now;
    if (at_v != NULL && !json_is_null(at_v) && admin_parse_time(at_v, &p->at) == -1)
        return "'at' must be Unix ms or local time 'YYYY-MM-DD HH:MM'";
    if (spread_v != NULL) {
        if (!json_is_integer(spread_v) || json_integer_value(spread_v) < 0 ||
            json_integer_value(spread_v) > 1440)
            return "'spread_minutes' must be an integer 0..1440";
        p->spread = json_integer_value(spread_v) * 60000;
    }
    if (cap_v != NULL) {
        if (!json_is_integer(cap_v) || json_integer_value(cap_v) < 1 ||
            json_integer_value(cap_v) > 10)
            return "'max_parts' must be an integer 1..10";
        p->cap = json_integer_value(cap_v);
    }
    if (prev != NULL && !json_is_boolean(prev))
        return "'preview' must be true or false";
    p->preview = json_is_true(prev);
    return NULL;
}

int admin_broadcast_plan(const struct app *app, struct store *st, int64_t now, json_t *b,
                         const char *text, bool cap_sms_only, struct bc_plan *p,
                         struct http_resp *resp)
{
    const struct conf *c = app->conf;
    memset(p, 0, sizeof *p);
    p->cap = c->push.max_sms_parts;
    const char *why = plan_fields(b, now, p);
    if (why != NULL) {
        http_resp_error(resp, 400, why);
        return 0;
    }
    p->parts = sms_parts(text, &p->units, &p->ucs2);
    if (str_has_prefix(p->audience, "filter:")) { /* who matches it now (people.h) */
        int rc = people_filter_resolve(st, p->audience + 7, resp);
        if (rc != 1)
            return rc;
    }
    if (store_audience_count(st, p->audience, &p->ac) == -1)
        return -1;
    const char *name;
    json_t *v;
    p->cannot = json_object();
    json_object_foreach(p->ac.by_channel, name, v)
    {
        const struct channel *ch = channel_by_name(name);
        char no[200];
        if (ch && ch->is_sms)
            p->sms += json_integer_value(v);
        /* rows this configuration cannot push (a passive-only WeChat account)
         * fail at once in sender.c: counted apart */
        if (ch == NULL || ch->push_build == NULL ||
            (ch->push_ready != NULL && !ch->push_ready(c, no, sizeof no))) {
            p->unreachable += json_integer_value(v);
            json_object_set(p->cannot, name, v);
        }
    }
    p->start = p->at > now ? p->at : now;
    p->first_at = push_allowed_at(c, OUT_BULK, p->start);
    p->over_cap = p->parts > p->cap && (!cap_sms_only || p->sms > 0);
    if (!p->preview)
        return 1;
    /* A preview counts and answers here, before the caller could write a row. */
    admin_reply(resp, 200,
                json_pack("{s:I,s:I,s:I,s:O,s:i,s:i,s:s,s:I,s:I,s:I,s:b,s:I,s:O}", "recipients",
                          (json_int_t)p->ac.recipients, "opted_out", (json_int_t)p->ac.opted_out,
                          "no_consent", (json_int_t)p->ac.no_consent,
                          "by_channel", p->ac.by_channel, "sms_parts", p->parts, "sms_units",
                          p->units, "encoding", p->ucs2 ? "UCS-2" : "GSM-7", "sms_recipients",
                          (json_int_t)p->sms, "sms_total", (json_int_t)(p->sms * p->parts),
                          "first_at", (json_int_t)p->first_at, "within_cap", !p->over_cap,
                          "unreachable", (json_int_t)p->unreachable, "unreachable_by_channel",
                          p->cannot));
    return 0;
}

void bc_plan_release(struct bc_plan *p)
{
    json_decref(p->ac.by_channel);
    p->ac.by_channel = NULL;
    json_decref(p->cannot);
    p->cannot = NULL;
}

static int broadcast_create(const struct app *app, struct store *st, int64_t now,
                            const struct admin_req *rq, struct http_resp *resp)
{
    char why[200];
    int rc = 0;
    struct bc_plan p = {0};
    json_t *b = admin_body(rq, resp);
    if (b == NULL)
        return 0;
    const char *text = json_string_value(json_object_get(b, "text"));
    if (text == NULL || text[0] == '\0' || utf8_len(text) > MAX_BROADCAST_CHARS) {
        http_resp_error(resp, 400, "'text' must be a non-empty string of at most 1000 characters");
        goto out;
    }
    if (people_template_check(text, resp))
        goto out;
    if ((rc = admin_broadcast_plan(app, st, now, b, text, false, &p, resp)) != 1)
        goto out;
    rc = 0;
    if (p.over_cap) {
        snprintf(why, sizeof why, "the text needs %d SMS parts; this broadcast allows %lld",
                 p.parts, (long long)p.cap);
        http_resp_error(resp, 400, why);
        goto out;
    }
    int64_t id = 0, n = 0;
    const char *status = p.first_at > p.start ? "held" : "queued";
    if (store_broadcast_create(st, text, p.audience, p.at, p.first_at, status, p.spread, p.parts,
                               now, &id, &n) == -1 ||
        (strchr(text, '{') != NULL &&
         store_people_fill_broadcast(st, id, text, content_get(app->ct, "people.name_unknown")) ==
             -1)) {
        rc = -1;
        goto out;
    }
    char url[64];
    snprintf(url, sizeof url, "/admin/api/broadcasts/%lld", (long long)id);
    admin_reply(resp, 202,
                json_pack("{s:I,s:I,s:i,s:I,s:I,s:s,s:I}", "id", (json_int_t)id, "recipients",
                          (json_int_t)n, "sms_parts", p.parts, "sms_total",
                          (json_int_t)(p.sms * p.parts), "first_at", (json_int_t)p.first_at,
                          "status_url", url, "unreachable", (json_int_t)p.unreachable));
out:
    bc_plan_release(&p);
    json_decref(b);
    return rc;
}

json_t *broadcast_info_json(const struct broadcast_info *b)
{
    json_t *c = json_object(), *e = json_array();
    for (int k = 0; k < BC_N; k++)
        json_object_set_new(c, bc_count_names[k], json_integer(b->counts[k]));
    for (size_t i = 0; i < b->nerrors; i++)
        json_array_append_new(e, json_pack("{s:s,s:s,s:I}", "status", b->errors[i].status,
                                           "error", b->errors[i].error ? b->errors[i].error : "",
                                           "count", (json_int_t)b->errors[i].count));
    json_t *o = json_pack("{s:I,s:s,s:s,s:I,s:I,s:I,s:I,s:I}", "id", (json_int_t)b->id, "text",
                          b->text ? b->text : "", "audience", b->audience ? b->audience : "",
                          "at_ms", (json_int_t)b->at_ms, "spread_ms", (json_int_t)b->spread_ms,
                          "recipients", (json_int_t)b->recipients, "sms_parts",
                          (json_int_t)b->sms_parts, "created_ms", (json_int_t)b->created_ms);
    json_object_set_new(o, "cancelled_ms",
                        b->cancelled_ms ? json_integer(b->cancelled_ms) : json_null());
    json_object_set_new(o, "counts", c);
    json_object_set_new(o, "errors", e);
    return o;
}

static int broadcast_get(struct store *st, int64_t id, struct http_resp *resp)
{
    struct broadcast_info b;
    int found = store_broadcast_get(st, id, &b);
    if (found != 1) {
        if (found == 0)
            http_resp_error(resp, 404, "no such broadcast");
        return found;
    }
    admin_reply(resp, 200, broadcast_info_json(&b));
    broadcast_info_clear(&b);
    return 0;
}

/* GET /broadcasts?limit= (default 20): the newest first, with their counts. */
static int broadcast_list(struct store *st, const struct admin_req *rq, struct http_resp *resp)
{
    struct broadcast_info *v;
    size_t n;
    if (store_broadcast_list(st, admin_query_limit(rq, 20), &v, &n) == -1)
        return -1;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, broadcast_info_json(&v[i]));
    broadcast_info_free_all(v, n);
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

json_t *outbox_list_json(struct store *st, const char *status, int limit)
{
    struct outbox_entry *v;
    size_t n;
    if (store_outbox_list(st, status, limit, &v, &n) == -1)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct outbox_entry *e = &v[i];
        json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:s,s:I,s:s?}", "id", (json_int_t)e->id, "person",
                              (json_int_t)e->person, "channel", e->channel ? e->channel : "",
                              "class", e->klass ? e->klass : "", "status",
                              e->status ? e->status : "", "attempts", (json_int_t)e->attempts,
                              "last_error", e->last_error);
        json_object_set_new(o, "broadcast_id",
                            e->broadcast_id ? json_integer(e->broadcast_id) : json_null());
        json_object_set_new(o, "text", json_string(e->text ? e->text : ""));
        json_object_set_new(o, "extra", e->extra ? json_string(e->extra) : json_null());
        json_object_set_new(o, "created_ms", json_integer(e->created_ms));
        json_object_set_new(o, "updated_ms", json_integer(e->updated_ms));
        json_object_set_new(o, "next_at_ms", json_integer(e->next_at_ms));
        json_object_set_new(o, "sent_ms", e->sent_ms ? json_integer(e->sent_ms) : json_null());
        json_array_append_new(a, o);
    }
    outbox_entry_free_all(v, n);
    return a;
}

json_t *undelivered_json(struct store *st, int limit)
{
    struct undelivered *v;
    size_t n;
    if (store_outbox_undelivered(st, limit, &v, &n) == -1)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            a, json_pack("{s:s,s:s,s:s,s:I,s:I,s:I}", "channel", v[i].channel ? v[i].channel : "",
                         "status", v[i].status ? v[i].status : "", "error",
                         v[i].error ? v[i].error : "", "count", (json_int_t)v[i].count, "first_ms",
                         (json_int_t)v[i].first_ms, "last_ms", (json_int_t)v[i].last_ms));
    undelivered_free_all(v, n);
    return a;
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
    json_t *a = outbox_list_json(st, status, admin_query_limit(rq, 100));
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
    json_t *a = undelivered_json(st, admin_query_limit(rq, 50));
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

static void unknown_row(const char *text, int64_t count, int64_t last_ms, bool asked, void *ctx)
{
    struct unknown_ctx *u = ctx;
    json_array_append_new(u->a, json_pack("{s:s,s:I,s:I,s:b}", "text", text, "count",
                                          (json_int_t)count, "last_ms", (json_int_t)last_ms,
                                          "asked", asked));
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

/*
 * The one place an admin action is written to the audit trail: after the
 * route ran, in its transaction (a failed route leaves no row, as it leaves
 * nothing else). Every method but GET, every GET of a row marked A_READ
 * (personal data, counselling texts), and every refusal by the table.
 */
static int audit(struct store *st, int64_t now, const struct admin_req *rq, int status)
{
    char actor[96], action[200], object[160] = "";
    int i = acl_row(rq->method, rq->path, object, sizeof object);
    bool read = strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0;
    if (read && status != 403 && (i == -1 || !(acl[i].audit & A_READ)))
        return 0;
    admin_actor(rq, actor, sizeof actor);
    snprintf(action, sizeof action, "%s %.160s", rq->method, i >= 0 ? acl[i].path : rq->path);
    struct audit_row a = {now, actor, action, object, rq->origin, status};
    return store_audit_add(st, &a);
}

static int dispatch(const struct app *app, struct store *st, int64_t now,
                    const struct admin_req *rq, struct http_resp *resp);
static void list_as_csv(const struct admin_req *rq, struct http_resp *resp);

int admin_handle(const struct app *app, struct store *st, int64_t now, const struct admin_req *rq,
                 struct http_resp *resp)
{
    const struct app *g = app_acquire(app); /* one generation for the whole request */
    int rc = dispatch(g, st, now, rq, resp);
    app_release(g);
    if (rc == -1)
        return -1;
    if (strcmp(rq->method, "GET") == 0)
        list_as_csv(rq, resp); /* ?format=csv on any list */
    return audit(st, now, rq, resp->status);
}

static int dispatch(const struct app *app, struct store *st, int64_t now,
                    const struct admin_req *rq, struct http_resp *resp)
{
    char buf[256];
    char *seg[8];
    int64_t id = 0;
    switch (admin_acl_check(rq->method, rq->path, rq->role, buf, sizeof buf)) {
    case ACL_OK:
        break;
    case ACL_FORBIDDEN:
        http_resp_error(resp, 403, "this role may not use this route");
        return 0;
    case ACL_NO_METHOD: {
        char why[300];
        snprintf(why, sizeof why, "method not allowed: use %s", buf);
        http_resp_error(resp, 405, why);
        return 0;
    }
    case ACL_NO_ROUTE:
        http_resp_error(resp, 404, "no such admin route");
        return 0;
    }
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
    } else if (n == 2 && strcmp(seg[0], "unknown") == 0 && strcmp(seg[1], "teach") == 0) {
        if (post)
            return dashboard_unknown_teach(app, st, now, rq, resp);
        allow = "POST";
    }
    if (allow == NULL) {
        int rc = features_route(app, st, now, rq, seg, n, resp); /* feature.h */
        if (rc != 0)
            return rc == -1 ? -1 : 0;
    }
    if (allow != NULL) {
        snprintf(buf, sizeof buf, "method not allowed: use %s", allow);
        http_resp_error(resp, 405, buf);
    } else {
        http_resp_error(resp, 404, "no such admin route");
    }
    return 0;
}

/*
 * ?format=csv on any list: a route that answered 200 with {"items": [...]}
 * (or exactly one other array) answers the same rows as CSV through the one writer,
 * with every scalar field a column and times local (csv.h). Routes that write
 * their own CSV (reports, bookings) answered text/csv already.
 */
static void list_as_csv(const struct admin_req *rq, struct http_resp *resp)
{
    const char *fmt = json_string_value(json_object_get(rq->query, "format"));
    if (fmt == NULL || strcmp(fmt, "csv") != 0 || resp->status != 200 || resp->body == NULL ||
        resp->content_type == NULL || !str_has_prefix(resp->content_type, "application/json"))
        return;
    json_t *o = json_loadb(resp->body, resp->len, 0, NULL), *rows = json_object_get(o, "items");
    const char *k;
    json_t *v;
    int arrays = 0;
    if (rows == NULL) {
        json_object_foreach(o, k, v)
        {
            if (json_is_array(v) && arrays++ == 0)
                rows = v;
        }
        if (arrays > 1) /* which list? none */
            rows = NULL;
    }
    if (json_is_array(rows)) {
        json_t *cols = csv_columns(rows);
        size_t n = json_array_size(cols);
        const char **names = xcalloc(n + 1, sizeof *names);
        for (size_t i = 0; i < n; i++)
            names[i] = json_string_value(json_array_get(cols, i));
        admin_reply_csv(resp, json_incref(rows), names);
        free(names);
        json_decref(cols);
    } else {
        http_resp_error(resp, 400, "format=csv: this route answers no list");
    }
    json_decref(o);
}

