/*
 * admin_courses.c - admin routes of the points ledger (credits and
 * corrections, a person's entries), courses (create, list, bookings as JSON
 * or CSV, attendance, cancel), activities with check-in codes, and redemption
 * items. People are named "<channel>:<platform id>"; times are Unix ms or
 * local "YYYY-MM-DD HH:MM". Documented in docs/api-courses.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "channel.h"
#include "conf.h"
#include "courses.h"
#include "dashboard.h"
#include "handler.h"
#include "log.h"
#include "points.h"
#include "store.h"
#include "util.h"

#define MAX_TEXT 2000
#define MAX_REF 100

/* The JSON of the rows, written here at the API's edge: each key named once,
 * nullable columns as null (0 in the struct), strings as they are. */

/* v, or null when 0 (a NULL column). */
static json_t *int_or_null(int64_t v)
{
    return v != 0 ? json_integer(v) : json_null();
}

/* s, or null when NULL. */
static json_t *str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

json_t *course_json(const struct course *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(c->id));
    json_object_set_new(o, "no", json_integer(c->no));
    json_object_set_new(o, "title", str_or_null(c->title));
    json_object_set_new(o, "provider", str_or_null(c->provider));
    json_object_set_new(o, "place", str_or_null(c->place));
    json_object_set_new(o, "start_ms", json_integer(c->start_ms));
    json_object_set_new(o, "end_ms", json_integer(c->end_ms));
    json_object_set_new(o, "capacity", json_integer(c->capacity));
    json_object_set_new(o, "cost", json_integer(c->cost));
    json_object_set_new(o, "deadline_ms", json_integer(c->deadline_ms));
    json_object_set_new(o, "description", str_or_null(c->description));
    json_object_set_new(o, "created_ms", json_integer(c->created_ms));
    json_object_set_new(o, "cancelled_ms", int_or_null(c->cancelled_ms));
    json_object_set_new(o, "taken", json_integer(c->taken));
    json_object_set_new(o, "waiting", json_integer(c->waiting));
    json_object_set_new(o, "checkin_code", str_or_null(c->checkin_code));
    return o;
}

json_t *booking_json(const struct booking *b)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(b->id));
    json_object_set_new(o, "person", str_or_null(b->who));
    json_object_set_new(o, "name", str_or_null(b->name));
    json_object_set_new(o, "status", str_or_null(b->status));
    json_object_set_new(o, "position", int_or_null(b->position));
    json_object_set_new(o, "cost", json_integer(b->cost));
    json_object_set_new(o, "paid_ref", str_or_null(b->paid_ref));
    json_object_set_new(o, "created_ms", json_integer(b->created_ms));
    json_object_set_new(o, "seat_ms", int_or_null(b->seat_ms));
    json_object_set_new(o, "offer_until_ms", int_or_null(b->offer_until_ms));
    json_object_set_new(o, "attended_ms", int_or_null(b->attended_ms));
    json_object_set_new(o, "updated_ms", json_integer(b->updated_ms));
    return o;
}

json_t *activity_json(const struct activity *a)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(a->id));
    json_object_set_new(o, "title", str_or_null(a->title));
    json_object_set_new(o, "kind", str_or_null(a->kind));
    json_object_set_new(o, "code", str_or_null(a->code));
    json_object_set_new(o, "start_ms", json_integer(a->start_ms));
    json_object_set_new(o, "end_ms", json_integer(a->end_ms));
    json_object_set_new(o, "points", json_integer(a->points));
    json_object_set_new(o, "course_id", int_or_null(a->course_id));
    json_object_set_new(o, "created_ms", json_integer(a->created_ms));
    json_object_set_new(o, "checkins", json_integer(a->checkins));
    return o;
}

json_t *item_json(const struct item *it)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(it->id));
    json_object_set_new(o, "name", str_or_null(it->name));
    json_object_set_new(o, "description", str_or_null(it->description));
    json_object_set_new(o, "cost", json_integer(it->cost));
    json_object_set_new(o, "stock", json_integer(it->stock));
    json_object_set_new(o, "active", json_integer(it->active));
    json_object_set_new(o, "created_ms", json_integer(it->created_ms));
    return o;
}

json_t *point_entry_json(const struct point_entry *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "delta", json_integer(e->delta));
    json_object_set_new(o, "reason", str_or_null(e->reason));
    json_object_set_new(o, "ref", str_or_null(e->ref));
    json_object_set_new(o, "ms", json_integer(e->ms));
    return o;
}

json_t *redemption_json(const struct redemption *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "item_id", json_integer(r->item_id));
    json_object_set_new(o, "item", str_or_null(r->item));
    json_object_set_new(o, "person", str_or_null(r->who));
    json_object_set_new(o, "name", str_or_null(r->name));
    json_object_set_new(o, "cost", json_integer(r->cost));
    json_object_set_new(o, "created_ms", json_integer(r->created_ms));
    json_object_set_new(o, "picked_ms", int_or_null(r->picked_ms));
    return o;
}

/* Lists as JSON arrays; each frees its rows. */
static json_t *courses_json(struct course *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, course_json(&v[i]));
    course_free_all(v, n);
    return a;
}

static json_t *bookings_json(struct booking *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, booking_json(&v[i]));
    booking_free_all(v, n);
    return a;
}

static json_t *activities_json(struct activity *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, activity_json(&v[i]));
    activity_free_all(v, n);
    return a;
}

static json_t *items_json(struct item *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, item_json(&v[i]));
    item_free_all(v, n);
    return a;
}

static json_t *redemptions_json(struct redemption *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, redemption_json(&v[i]));
    redemption_free_all(v, n);
    return a;
}

/* "<channel>:<id>" -> people.id. 1 found, 0 not (404 set), -1 error, 2 malformed (400 set). */
static int find_person(struct store *st, const char *name, struct http_resp *resp, int64_t *id)
{
    const char *colon = name ? strchr(name, ':') : NULL;
    if (colon == NULL || colon == name || colon[1] == '\0') {
        http_resp_error(resp, 400, "'person' must be \"<channel>:<platform id>\"");
        return 2;
    }
    char *channel = xstrndup(name, (size_t)(colon - name));
    int found = store_person_find(st, channel, colon + 1, id);
    free(channel);
    if (found == 0)
        http_resp_error(resp, 404, "no such person");
    return found;
}

/* A string field: required or not, non-empty, at most max bytes. 0 or -1 (400 set). */
static int get_str(json_t *b, const char *key, bool required, size_t max, const char **out,
                   struct http_resp *resp)
{
    char why[160];
    json_t *v = json_object_get(b, key);
    *out = NULL;
    if (v == NULL && !required)
        return 0;
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max) {
        snprintf(why, sizeof why, "'%s' must be a non-empty string of at most %zu bytes", key, max);
        http_resp_error(resp, 400, why);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

/* An integer field in [min, max], def when absent. 0 or -1 (400 set). */
static int get_int(json_t *b, const char *key, long long min, long long max, long long def,
                   long long *out, struct http_resp *resp)
{
    char why[160];
    json_t *v = json_object_get(b, key);
    *out = def;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        snprintf(why, sizeof why, "'%s' must be an integer %lld..%lld", key, min, max);
        http_resp_error(resp, 400, why);
        return -1;
    }
    *out = json_integer_value(v);
    return 0;
}

/* A time field (admin_parse_time); required, or def when absent. 0 or -1 (400 set). */
static int get_time(json_t *b, const char *key, bool required, int64_t def, int64_t *out,
                    struct http_resp *resp)
{
    char why[160];
    json_t *v = json_object_get(b, key);
    *out = def;
    if ((v == NULL || json_is_null(v)) && !required)
        return 0;
    if (v == NULL || admin_parse_time(v, out) == -1) {
        snprintf(why, sizeof why, "'%s' must be Unix ms or local time 'YYYY-MM-DD HH:MM'", key);
        http_resp_error(resp, 400, why);
        return -1;
    }
    return 0;
}

static int points_post(const struct app *app, struct store *st, int64_t now,
                       const struct admin_req *rq, struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp);
    const char *person, *reason, *ref;
    long long delta;
    int64_t id;
    int rc = 0;
    char full[MAX_REF + 16];
    if (b == NULL)
        return 0;
    if (get_str(b, "person", true, 200, &person, resp) == -1 ||
        get_str(b, "reason", true, 200, &reason, resp) == -1 ||
        get_str(b, "ref", true, MAX_REF, &ref, resp) == -1 ||
        get_int(b, "delta", -1000000, 1000000, 0, &delta, resp) == -1)
        goto out;
    if (delta == 0) {
        http_resp_error(resp, 400, "'delta' must be a non-zero integer");
        goto out;
    }
    int found = find_person(st, person, resp, &id);
    if (found != 1) {
        rc = found == -1 ? -1 : 0;
        goto out;
    }
    /* every manual entry is "admin:<ref>": a retried request counts once */
    snprintf(full, sizeof full, "%s%s", str_has_prefix(ref, "admin:") ? "" : "admin:", ref);
    /* a role credits within its monthly budget (dashboard.h): checked before
     * the entry, which cannot be taken back once written */
    int ok = dashboard_budget_check(app, st, rq, id, delta, full, now, resp);
    if (ok != 1) {
        rc = ok;
        goto out;
    }
    int r = points_entry(st, id, delta, reason, full, now);
    if (r == -1 || (r == 0 && dashboard_budget_record(st, rq, id, delta, full, now) == -1)) {
        rc = -1;
        goto out;
    }
    if (r == 2) {
        http_resp_error(resp, 409, "the balance would go below zero");
        goto out;
    }
    int64_t balance = points_balance(st, id);
    if (balance < 0) {
        rc = -1;
        goto out;
    }
    admin_reply(resp, r == 0 ? 201 : 200,
                json_pack("{s:s,s:I,s:s,s:b,s:I}", "person", person, "delta", (json_int_t)delta,
                          "ref", full, "duplicate", r == 1, "balance", (json_int_t)balance));
out:
    json_decref(b);
    return rc;
}

static int points_get(struct store *st, const struct admin_req *rq, const char *person,
                      struct http_resp *resp)
{
    int64_t id;
    int found = find_person(st, person, resp, &id);
    if (found != 1)
        return found == -1 ? -1 : 0;
    int64_t balance = points_balance(st, id);
    struct point_entry *v;
    size_t n;
    if (balance < 0 || points_recent(st, id, admin_query_limit(rq, 100), &v, &n) == -1)
        return -1;
    json_t *entries = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(entries, point_entry_json(&v[i]));
    point_entry_free_all(v, n);
    admin_reply(resp, 200,
                json_pack("{s:s,s:I,s:o}", "person", person, "balance", (json_int_t)balance,
                          "entries", entries));
    return 0;
}

static int course_post(const struct app *app, struct store *st, int64_t now,
                       const struct admin_req *rq, struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp);
    const char *title, *provider, *place, *desc, *code_in;
    long long capacity, cost, checkin_points;
    int64_t start, end, deadline, id, no, act;
    char code[9];
    int rc = 0;
    if (b == NULL)
        return 0;
    if (get_str(b, "title", true, 200, &title, resp) == -1 ||
        get_str(b, "provider", false, 200, &provider, resp) == -1 ||
        get_str(b, "place", true, 200, &place, resp) == -1 ||
        get_str(b, "description", false, MAX_TEXT, &desc, resp) == -1 ||
        get_str(b, "checkin_code", false, 8, &code_in, resp) == -1 ||
        get_time(b, "start", true, 0, &start, resp) == -1 ||
        get_time(b, "end", true, 0, &end, resp) == -1 ||
        get_time(b, "deadline", false, start, &deadline, resp) == -1 ||
        get_int(b, "capacity", 1, 100000, 0, &capacity, resp) == -1 ||
        get_int(b, "cost", 0, 1000000, 0, &cost, resp) == -1 ||
        get_int(b, "checkin_points", 0, 1000000, 0, &checkin_points, resp) == -1)
        goto out;
    if (json_object_get(b, "capacity") == NULL) {
        http_resp_error(resp, 400, "'capacity' must be an integer 1..100000");
        goto out;
    }
    if (end <= start || start <= now || deadline > start) {
        http_resp_error(resp, 400, "want now < 'start' < 'end' and 'deadline' <= 'start'");
        goto out;
    }
    if (code_in != NULL && courses_code_norm(code_in, code) == -1) {
        http_resp_error(resp, 400,
                        "'checkin_code' must be 4-8 of 23456789ABCDEFGHJKLMNPQRSTUVWXYZ");
        goto out;
    }
    if (code_in == NULL && courses_new_code(st, code) == -1) {
        rc = -1;
        goto out;
    }
    if (code_in != NULL) {
        struct activity a;
        int taken = activities_by_code(st, code, &a);
        activity_clear(&a);
        if (taken == -1) {
            rc = -1;
            goto out;
        }
        if (taken == 1) { /* checked before anything is written */
            http_resp_error(resp, 409, "that check-in code is taken");
            goto out;
        }
    }
    /* the strings stay the body's: c is not cleared */
    struct course c = {.title = (char *)title,
                       .provider = (char *)provider,
                       .place = (char *)place,
                       .description = (char *)desc,
                       .start_ms = start,
                       .end_ms = end,
                       .capacity = capacity,
                       .cost = cost,
                       .deadline_ms = deadline};
    const char *owner = dashboard_course_owner(rq, b, resp);
    if (owner == NULL)
        goto out;
    if (courses_add(st, &c, now, &id, &no) == -1 || stats_course_set_owner(st, id, owner) == -1) {
        rc = -1;
        goto out;
    }
    int64_t open = start - app->conf->courses.checkin_before_minutes * 60000;
    int ar = activities_add(st, title, "course", code, open, end, checkin_points, id, now, &act);
    if (ar != 0) {
        if (ar == 1) /* the code was free in this same transaction */
            log_err("admin: check-in code %s taken while creating a course", code);
        rc = -1;
        goto out;
    }
    admin_reply(resp, 201,
                json_pack("{s:I,s:I,s:s,s:I}", "id", (json_int_t)id, "no", (json_int_t)no,
                          "checkin_code", code, "activity_id", (json_int_t)act));
out:
    json_decref(b);
    return rc;
}

static int course_get(struct store *st, int64_t id, struct http_resp *resp, struct course *out)
{
    int found = courses_get(st, id, out);
    if (found == 0)
        http_resp_error(resp, 404, "no such course");
    return found;
}

static int course_bookings(struct store *st, const struct admin_req *rq, int64_t id,
                           struct http_resp *resp)
{
    static const char *const cols[] = {"id",   "person",    "name",        "status", "position",
                                       "cost", "booked_at", "attended_at", NULL};
    struct course c;
    struct booking *v;
    size_t n;
    int found = course_get(st, id, resp, &c);
    course_clear(&c);
    if (found != 1)
        return found == -1 ? -1 : 0;
    if (bookings_of_course(st, id, &v, &n) == -1)
        return -1;
    const char *fmt = json_string_value(json_object_get(rq->query, "format"));
    if (fmt != NULL && strcmp(fmt, "csv") == 0) {
        /* the office opens it in a spreadsheet: local times, not ms */
        json_t *rows = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *r = booking_json(&v[i]);
            char at[32] = "";
            turn_fmt_time(v[i].created_ms, "%Y-%m-%d %H:%M", at, sizeof at);
            json_object_set_new(r, "booked_at", json_string(at));
            at[0] = '\0';
            if (v[i].attended_ms != 0)
                turn_fmt_time(v[i].attended_ms, "%Y-%m-%d %H:%M", at, sizeof at);
            json_object_set_new(r, "attended_at", json_string(at));
            json_array_append_new(rows, r);
        }
        booking_free_all(v, n);
        admin_reply_csv(resp, rows, cols);
    } else {
        admin_reply(
            resp, 200,
            json_pack("{s:I,s:o}", "course", (json_int_t)id, "bookings", bookings_json(v, n)));
    }
    return 0;
}

static int course_attendance(struct store *st, int64_t now, const struct admin_req *rq, int64_t id,
                             struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp);
    struct booking bk = {0};
    const char *person;
    int64_t pid;
    int rc = 0, found;
    if (b == NULL)
        return 0;
    if (get_str(b, "person", true, 200, &person, resp) == -1)
        goto out;
    found = find_person(st, person, resp, &pid);
    if (found != 1) {
        rc = found == -1 ? -1 : 0;
        goto out;
    }
    found = bookings_live(st, id, pid, &bk);
    if (found == -1) {
        rc = -1;
        goto out;
    }
    if (found == 0 || !booking_is(&bk, "seat")) {
        http_resp_error(resp, 404, "that person has no seat in this course");
        goto out;
    }
    if (bookings_set_attended(st, bk.id, now) == -1) {
        rc = -1;
        goto out;
    }
    admin_reply(
        resp, 200,
        json_pack("{s:I,s:s,s:b}", "course", (json_int_t)id, "person", person, "attended", 1));
out:
    booking_clear(&bk);
    json_decref(b);
    return rc;
}

static int course_cancel(const struct app *app, struct store *st, int64_t now, int64_t id,
                         struct http_resp *resp)
{
    struct course c;
    int found = course_get(st, id, resp, &c);
    bool already = c.cancelled_ms != 0;
    course_clear(&c);
    if (found != 1)
        return found == -1 ? -1 : 0;
    if (already) {
        http_resp_error(resp, 409, "the course is cancelled already");
        return 0;
    }
    int n = courses_cancel(app, st, id, now);
    if (n == -1)
        return -1;
    admin_reply(resp, 200, json_pack("{s:I,s:i}", "id", (json_int_t)id, "bookings_cancelled", n));
    return 0;
}

static int activity_post(struct store *st, int64_t now, const struct admin_req *rq,
                         struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp);
    const char *title, *kind, *code_in;
    long long points;
    int64_t start, end, id;
    char code[9];
    int rc = 0;
    if (b == NULL)
        return 0;
    if (get_str(b, "title", true, 200, &title, resp) == -1 ||
        get_str(b, "kind", false, 40, &kind, resp) == -1 ||
        get_str(b, "code", false, 8, &code_in, resp) == -1 ||
        get_time(b, "start", true, 0, &start, resp) == -1 ||
        get_time(b, "end", true, 0, &end, resp) == -1 ||
        get_int(b, "points", 0, 1000000, 0, &points, resp) == -1)
        goto out;
    if (end <= start || end <= now) {
        http_resp_error(resp, 400, "want 'start' < 'end' and 'end' in the future");
        goto out;
    }
    if (code_in != NULL && courses_code_norm(code_in, code) == -1) {
        http_resp_error(resp, 400, "'code' must be 4-8 of 23456789ABCDEFGHJKLMNPQRSTUVWXYZ");
        goto out;
    }
    if (code_in == NULL && courses_new_code(st, code) == -1) {
        rc = -1;
        goto out;
    }
    int ar =
        activities_add(st, title, kind ? kind : "volunteer", code, start, end, points, 0, now, &id);
    if (ar == -1) {
        rc = -1;
        goto out;
    }
    if (ar == 1) {
        http_resp_error(resp, 409, "that check-in code is taken");
        goto out;
    }
    admin_reply(resp, 201, json_pack("{s:I,s:s}", "id", (json_int_t)id, "code", code));
out:
    json_decref(b);
    return rc;
}

static int item_post(struct store *st, int64_t now, const struct admin_req *rq,
                     struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp);
    const char *name, *desc;
    long long cost, stock;
    int64_t id;
    int rc = 0;
    if (b == NULL)
        return 0;
    if (get_str(b, "name", true, 200, &name, resp) == -1 ||
        get_str(b, "description", false, MAX_TEXT, &desc, resp) == -1 ||
        get_int(b, "cost", 1, 1000000, 0, &cost, resp) == -1 ||
        get_int(b, "stock", 0, 1000000, 0, &stock, resp) == -1)
        goto out;
    if (cost == 0) {
        http_resp_error(resp, 400, "'cost' must be an integer 1..1000000");
        goto out;
    }
    if (items_add(st, name, desc, cost, stock, now, &id) == -1) {
        rc = -1;
        goto out;
    }
    admin_reply(resp, 201, json_pack("{s:I}", "id", (json_int_t)id));
out:
    json_decref(b);
    return rc;
}

static int item_update(struct store *st, const struct admin_req *rq, int64_t id,
                       struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp), *act;
    long long stock;
    int rc = 0, active = -1;
    if (b == NULL)
        return 0;
    if (get_int(b, "stock", 0, 1000000, -1, &stock, resp) == -1)
        goto out;
    act = json_object_get(b, "active");
    if (act != NULL && !json_is_boolean(act)) {
        http_resp_error(resp, 400, "'active' must be true or false");
        goto out;
    }
    if (act != NULL)
        active = json_is_true(act);
    int r = items_update(st, id, stock, active);
    if (r == -1) {
        rc = -1;
        goto out;
    }
    if (r == 0) {
        http_resp_error(resp, 404, "no such item");
        goto out;
    }
    struct item it;
    if (items_get(st, id, &it) != 1) {
        item_clear(&it);
        rc = -1;
        goto out;
    }
    admin_reply(resp, 200, item_json(&it));
    item_clear(&it);
out:
    json_decref(b);
    return rc;
}

/* Wrap a list as {"items": [...]}. */
static int reply_list(struct http_resp *resp, json_t *a)
{
    admin_reply(resp, 200, json_pack("{s:o}", "items", a));
    return 0;
}

static int courses_get_all(struct store *st, int64_t now, const struct admin_req *rq,
                           struct http_resp *resp)
{
    struct course *v;
    size_t n;
    if (courses_list(st, now - 30LL * 86400000, &v, &n) == -1)
        return -1;
    json_t *a = courses_json(v, n);
    if (dashboard_courses_filter(st, rq, a) == -1) {
        json_decref(a);
        return -1;
    }
    return reply_list(resp, a);
}

static int activities_get_all(struct store *st, int64_t now, struct http_resp *resp)
{
    struct activity *v;
    size_t n;
    if (activities_list(st, now - 30LL * 86400000, &v, &n) == -1)
        return -1;
    return reply_list(resp, activities_json(v, n));
}

static int items_get_all(struct store *st, struct http_resp *resp)
{
    struct item *v;
    size_t n;
    if (items_list(st, 1, &v, &n) == -1)
        return -1;
    return reply_list(resp, items_json(v, n));
}

static int redemptions_get_all(struct store *st, const struct admin_req *rq, struct http_resp *resp)
{
    struct redemption *v;
    size_t n;
    if (redemptions_list(st, admin_query_limit(rq, 100), &v, &n) == -1)
        return -1;
    return reply_list(resp, redemptions_json(v, n));
}

/* POST /redemptions/<id>/picked: the item was handed over at the station. */
static int redemption_pick(struct store *st, int64_t now, const char *seg, struct http_resp *resp)
{
    int64_t id = 0, at = 0;
    int rc = admin_parse_id(seg, &id) == 0 ? redemption_picked(st, id, now, &at) : 0;
    if (rc == -1)
        return -1;
    if (rc == 0)
        http_resp_error(resp, 404, "no such redemption");
    else
        admin_reply(resp, 200,
                    json_pack("{s:I,s:I,s:b}", "id", (json_int_t)id, "picked_ms", (json_int_t)at,
                              "changed", rc == 2));
    return 0;
}

static int route(const struct app *app, struct store *st, int64_t now, const struct admin_req *rq,
                 char **seg, int nseg, struct http_resp *resp)
{
    bool get = strcmp(rq->method, "GET") == 0, post = strcmp(rq->method, "POST") == 0;
    int64_t id = 0;
    const char *what = seg[0];
    if (nseg == 1 && strcmp(what, "points") == 0 && post)
        return points_post(app, st, now, rq, resp);
    if (nseg == 2 && strcmp(what, "points") == 0 && get)
        return points_get(st, rq, seg[1], resp);
    if (nseg == 1 && strcmp(what, "courses") == 0) {
        if (post)
            return course_post(app, st, now, rq, resp);
        if (get)
            return courses_get_all(st, now, rq, resp);
    }
    if (nseg >= 2 && strcmp(what, "courses") == 0 && admin_parse_id(seg[1], &id) == 0) {
        struct course c;
        int mine = dashboard_course_allowed(st, rq, id); /* another office's: as if none */
        if (mine != 1) {
            if (mine == 0)
                http_resp_error(resp, 404, "no such course");
            return mine;
        }
        if (nseg == 2 && get) {
            int found = course_get(st, id, resp, &c);
            if (found == 1)
                admin_reply(resp, 200, course_json(&c));
            course_clear(&c);
            return found == -1 ? -1 : 0;
        }
        if (nseg == 3 && strcmp(seg[2], "bookings") == 0 && get)
            return course_bookings(st, rq, id, resp);
        if (nseg == 3 && strcmp(seg[2], "attendance") == 0 && post)
            return course_attendance(st, now, rq, id, resp);
        if (nseg == 3 && strcmp(seg[2], "cancel") == 0 && post)
            return course_cancel(app, st, now, id, resp);
    }
    if (nseg == 1 && strcmp(what, "activities") == 0) {
        if (post)
            return activity_post(st, now, rq, resp);
        if (get)
            return activities_get_all(st, now, resp);
    }
    if (nseg == 1 && strcmp(what, "items") == 0) {
        if (post)
            return item_post(st, now, rq, resp);
        if (get)
            return items_get_all(st, resp);
    }
    if (nseg == 2 && strcmp(what, "items") == 0 && admin_parse_id(seg[1], &id) == 0 && post)
        return item_update(st, rq, id, resp);
    if (nseg == 1 && strcmp(what, "redemptions") == 0 && get)
        return redemptions_get_all(st, rq, resp);
    if (nseg == 3 && strcmp(what, "redemptions") == 0 && strcmp(seg[2], "picked") == 0 && post)
        return redemption_pick(st, now, seg[1], resp);
    return 2; /* not ours */
}

int admin_courses_route(const struct app *app, struct store *st, int64_t now,
                        const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp)
{
    static const char *const mine[] = {"points", "courses",     "activities",
                                       "items",  "redemptions", NULL};
    bool ours = false;
    if (nseg < 1)
        return 0;
    for (int i = 0; mine[i]; i++)
        ours |= strcmp(seg[0], mine[i]) == 0;
    if (!ours)
        return 0;
    int rc = route(app, st, now, rq, seg, nseg, resp);
    if (rc == 2) {
        http_resp_error(resp, 404, "no such admin route (or method not allowed)");
        return 1;
    }
    return rc == -1 ? -1 : 1;
}
