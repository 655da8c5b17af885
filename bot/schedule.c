/*
 * schedule.c - recurring and relative pushes (people.h, docs/api-people.md):
 * a monthly 报到 reminder to members who have not checked in this month, and
 * a push some days after a person joined. The tick queues bulk pushes
 * through the outbox (outbox_push: quiet and meal-rush hours, opt-out), each
 * with its fields filled and a key that makes it once per person (and month).
 * Routes: GET, POST /schedules, POST /schedules/<id>/cancel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "channel.h"
#include "handler.h"
#include "outbox.h"
#include "people.h"
#include "store.h"
#include "util.h"

#define DUE_BATCH 200 /* pushes a schedule queues per tick */

/* The local month of now ("2026-12"), its first midnight in ms, and
 * whether the schedule's day and minute of it have come. */
static bool month_due(const struct schedule *sc, int64_t now, char period[16], int64_t *start)
{
    time_t t = (time_t)(now / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(period, 16, "%Y-%m", &tm);
    int minute = tm.tm_hour * 60 + tm.tm_min;
    bool due = tm.tm_mday > sc->day || (tm.tm_mday == sc->day && minute >= sc->minute);
    tm.tm_mday = 1;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    *start = (int64_t)mktime(&tm) * 1000;
    return due;
}

json_t *schedule_json(const struct schedule *sc)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(sc->id));
    json_object_set_new(o, "kind", json_string(sc->kind ? sc->kind : ""));
    json_object_set_new(o, "text", json_string(sc->text ? sc->text : ""));
    json_object_set_new(o, "day", json_integer(sc->day));
    json_object_set_new(o, "minute", json_integer(sc->minute));
    json_object_set_new(o, "tag", sc->tag ? json_string(sc->tag) : json_null());
    json_object_set_new(o, "active", json_integer(sc->active));
    json_object_set_new(o, "created_ms", json_integer(sc->created_ms));
    json_object_set_new(o, "cancelled_ms",
                        sc->cancelled_ms ? json_integer(sc->cancelled_ms) : json_null());
    json_object_set_new(o, "pushes", json_integer(sc->pushes));
    return o;
}

/* One schedule's accounts due this tick (run: its time has come and, for
 * a monthly one, this month's has not run). */
struct due_set {
    bool run;
    char period[16]; /* "2026-12" for a monthly one, else "" */
    int64_t *due;
    size_t n;
};

static int due_of(struct store *st, const struct schedule *sc, int64_t now, struct due_set *d)
{
    int64_t start = 0;
    if (strcmp(sc->kind, "monthly_checkin") == 0) {
        if (!month_due(sc, now, d->period, &start))
            return 0;
        int ran = store_schedule_ran(st, sc->id, d->period);
        if (ran != 0)
            return ran == 1 ? 0 : -1; /* this month's ran already */
    }
    d->run = true;
    return store_schedule_due(st, sc, d->period, start, now, DUE_BATCH, &d->due, &d->n);
}

static int run_one(const struct app *app, struct store *st, const struct schedule *sc,
                   const struct due_set *d, int64_t now)
{
    char key[96];
    bool monthly = d->period[0] != '\0';
    int rc = 0;
    for (size_t i = 0; i < d->n && rc == 0; i++) {
        int64_t acc = d->due[i];
        if (monthly)
            snprintf(key, sizeof key, "sch%lld-%s-%lld", (long long)sc->id, d->period,
                     (long long)acc);
        else
            snprintf(key, sizeof key, "sch%lld-%lld", (long long)sc->id, (long long)acc);
        char *text = people_render(app, st, sc->text, acc);
        rc = text && outbox_push(st, app->conf, acc, OUT_BULK, text, 0, now, key) != -1 ? 0 : -1;
        free(text);
    }
    if (rc == 0 && d->run && monthly && d->n < DUE_BATCH)
        rc = store_schedule_mark(st, sc->id, d->period, now);
    return rc;
}

int schedule_tick(const struct app *app, struct store *st, int64_t now)
{
    int n = 0, rc = 0;
    struct schedule *a = store_schedules_active(st, &n);
    if (n <= 0)
        return n;
    struct due_set *d = xcalloc((size_t)n, sizeof *d);
    size_t total = 0, k = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        rc = due_of(st, &a[i], now, &d[i]);
        total += d[i].n;
    }
    /* every due account's lock first, in one statement, in the order the
     * batches take theirs (store_people_lock_ids), so that the tick renders
     * and pushes after any turn of theirs in flight and never holds one
     * while waiting for another a batch holds. The pushes' outbox rows no
     * longer wait for a batch through their foreign key (lock_person takes
     * FOR NO KEY UPDATE since migration 26); this lock is what orders them */
    int64_t *all = xcalloc(total ? total : 1, sizeof *all);
    for (int i = 0; i < n; i++)
        for (size_t j = 0; j < d[i].n; j++)
            all[k++] = d[i].due[j];
    if (rc == 0)
        rc = store_people_lock_ids(st, all, total);
    for (int i = 0; i < n && rc == 0; i++)
        rc = run_one(app, st, &a[i], &d[i], now);
    for (int i = 0; i < n; i++)
        free(d[i].due);
    free(all);
    free(d);
    store_schedules_free(a, n);
    return rc;
}

/* POST /schedules {"kind","text","day","time"?,"tag"?}: NULL or the 400 reason. */
static const char *schedule_parse(json_t *b, struct schedule *sc)
{
    const char *kind = json_string_value(json_object_get(b, "kind"));
    const char *tm = json_string_value(json_object_get(b, "time"));
    json_t *day = json_object_get(b, "day"), *tag = json_object_get(b, "tag");
    sc->text = (char *)json_string_value(json_object_get(b, "text"));
    sc->kind = (char *)kind;
    if (kind == NULL || (strcmp(kind, "monthly_checkin") != 0 && strcmp(kind, "after_join") != 0))
        return "'kind' must be monthly_checkin or after_join";
    if (sc->text == NULL || sc->text[0] == '\0' || utf8_len(sc->text) > 1000)
        return "'text' must be a non-empty string of at most 1000 characters";
    bool monthly = kind[0] == 'm';
    if (!json_is_integer(day) || json_integer_value(day) < (monthly ? 1 : 0) ||
        json_integer_value(day) > (monthly ? 28 : 365))
        return monthly ? "'day' must be the day of the month 1..28"
                       : "'day' must be the days after joining 0..365";
    sc->day = (int)json_integer_value(day);
    int h = 0, m = 0;
    char end;
    if (tm != NULL && (sscanf(tm, "%2d:%2d%c", &h, &m, &end) != 2 || h > 23 || m > 59 || h < 0 ||
                       m < 0))
        return "'time' must be local HH:MM";
    sc->minute = h * 60 + m;
    if (tag != NULL && !json_is_null(tag) &&
        (!json_is_string(tag) || json_string_length(tag) == 0 || json_string_length(tag) > 64))
        return "'tag' must be a string of 1..64 bytes";
    sc->tag = (char *)json_string_value(tag);
    return NULL;
}

static int schedule_add(struct store *st, int64_t now, const struct admin_req *rq,
                        struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp);
    if (b == NULL)
        return 0;
    struct schedule sc = {0};
    int64_t id = 0;
    int rc = 0;
    const char *why = schedule_parse(b, &sc);
    if (why != NULL)
        http_resp_error(resp, 400, why);
    else if (!people_template_check(sc.text, resp)) {
        rc = store_schedule_add(st, &sc, now, &id);
        if (rc == 0)
            admin_reply(resp, 201, json_pack("{s:I}", "id", (json_int_t)id));
    }
    json_decref(b);
    return rc;
}

int admin_schedule_route(const struct app *app, struct store *st, int64_t now,
                         const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp)
{
    (void)app;
    bool get = strcmp(rq->method, "GET") == 0, post = strcmp(rq->method, "POST") == 0;
    int64_t id;
    if (nseg < 1 || strcmp(seg[0], "schedules") != 0)
        return 0;
    if (nseg == 1 && post)
        return schedule_add(st, now, rq, resp) == -1 ? -1 : 1;
    if (nseg == 1 && get) {
        int n;
        struct schedule *v = store_schedule_list(st, &n);
        if (n < 0)
            return -1;
        json_t *a = json_array();
        for (int i = 0; i < n; i++)
            json_array_append_new(a, schedule_json(&v[i]));
        store_schedules_free(v, n);
        admin_reply(resp, 200, json_pack("{s:o}", "items", a));
        return 1;
    }
    if (nseg == 3 && post && strcmp(seg[2], "cancel") == 0 && admin_parse_id(seg[1], &id) == 0) {
        int rc = store_schedule_cancel(st, id, now);
        if (rc == -1)
            return -1;
        if (rc == 0)
            http_resp_error(resp, 404, "no active schedule with that id");
        else
            admin_reply(resp, 200, json_pack("{s:I,s:b}", "id", (json_int_t)id, "active", 0));
        return 1;
    }
    return 0;
}
